/* lcgraph: sortable tables. Each header of a table.sortable gets a button (keyboard-usable);
   a click sorts by that column, numbers as numbers, and sets aria-sort. No dependencies. */
"use strict";
(function () {
  function cellValue(row, index) {
    const cell = row.cells[index];
    return cell ? (cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim()) : "";
  }
  function compare(a, b) {
    const x = parseFloat(a), y = parseFloat(b);
    const numeric = a !== "" && b !== "" && !isNaN(x) && !isNaN(y) && isFinite(a) && isFinite(b);
    if (numeric) return x - y;
    if (a === "" && b !== "") return 1;
    if (b === "" && a !== "") return -1;
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }
  function sortBy(table, index, th) {
    const body = table.tBodies[0];
    if (!body) return;
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    const rows = Array.from(body.rows);
    rows.sort((r1, r2) => compare(cellValue(r1, index), cellValue(r2, index)) * (ascending ? 1 : -1));
    rows.forEach((r) => body.appendChild(r));
    table.querySelectorAll("thead th").forEach((h) => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  function makeSortable(table) {
    if (!table.tHead || table.dataset.sortable === "yes") return;
    table.dataset.sortable = "yes";
    Array.from(table.tHead.rows[0].cells).forEach((th, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      button.title = "Sort by " + th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", () => sortBy(table, index, th));
    });
  }
  window.lcgraphTables = { makeSortable: makeSortable };
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("table.sortable").forEach((t) => { if (t.tHead) makeSortable(t); });
  });
})();
