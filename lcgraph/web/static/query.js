/* lcgraph: the query page. Runs the editor's SPARQL through /sparql and saved queries through
   /api/queries/{name}, both as SPARQL JSON results; shows a sortable table, download links
   (CSV, JSON), errors with their position, and notes when an answer was cut or timed out. */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let base = "";
  let root = "";  // the path prefix the server is published under ("" for none)

  function setStatus(text) { $("status").textContent = text; }
  function clearOutput() {
    ["error", "note", "downloads", "results"].forEach((id) => { $(id).hidden = true; });
    $("error").textContent = "";
    $("note").textContent = "";
    $("results").innerHTML = "";
    delete $("results").dataset.sortable;
  }

  function syncHighlight() {
    const area = $("query");
    // a trailing newline keeps the last line's height in the <pre>
    $("highlight").innerHTML = window.lcgraphHighlight(area.value) + "\n";
    $("highlight").scrollTop = area.scrollTop;
    $("highlight").scrollLeft = area.scrollLeft;
  }

  function showError(message, status) {
    const box = $("error");
    box.hidden = false;
    box.innerHTML = "";
    const title = document.createElement("strong");
    title.textContent = status === 503 ? "Time limit: " : status === 400 ? "Error: " : "Error (" + status + "): ";
    box.appendChild(title);
    box.appendChild(document.createTextNode(message));
    setStatus(status === 503 ? "The query timed out." : "The query failed.");
    // a syntax error names its position: put the caret there, so the editor shows it
    const at = /line (\d+), column (\d+)/.exec(message);
    if (at && !$("query").dataset.saved) {
      const lines = $("query").value.split("\n");
      const line = Math.min(parseInt(at[1], 10), lines.length);
      let offset = 0;
      for (let i = 0; i < line - 1; i++) offset += lines[i].length + 1;
      offset += Math.max(0, parseInt(at[2], 10) - 1);
      const pos = document.createElement("p");
      pos.id = "error-position";
      pos.textContent = "At line " + at[1] + ", column " + at[2] + ": " + (lines[line - 1] || "");
      box.appendChild(pos);
      $("query").setSelectionRange(offset, offset + 1);
    }
  }

  function messageOf(body, status) {
    try {
      const doc = JSON.parse(body);
      if (typeof doc.message === "string") return doc.message;
      if (Array.isArray(doc.detail)) {
        return doc.detail.map((d) => (d.loc || []).slice(1).join(".") + ": " + d.msg).join("; ");
      }
      if (doc.detail) return typeof doc.detail === "string" ? doc.detail : JSON.stringify(doc.detail);
    } catch (e) { /* not JSON: show the text */ }
    return body || "HTTP " + status;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri" && term.value.startsWith(base + "id/")) {
      const a = document.createElement("a");
      a.href = root + "/page/" + term.value.slice(base.length + 3);
      a.textContent = term.value.slice(base.length + 3);
      td.appendChild(a);
    } else if (term.type === "uri") {
      td.textContent = term.value;
      td.className = "iri-cell";
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) td.lang = term["xml:lang"];
    }
    td.dataset.sort = term.value;
    return td;
  }

  function showResults(doc, truncated, rows, maxRows) {
    const table = $("results");
    if (typeof doc.boolean === "boolean") {
      setStatus("Answer: " + (doc.boolean ? "yes (true)" : "no (false)"));
      return;
    }
    const vars = doc.head.vars || [];
    const bindings = (doc.results && doc.results.bindings) || [];
    const thead = table.createTHead().insertRow();
    vars.forEach((v) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = v;
      thead.appendChild(th);
    });
    const body = table.createTBody();
    bindings.forEach((b) => {
      const tr = body.insertRow();
      vars.forEach((v) => tr.appendChild(cell(b[v])));
    });
    table.hidden = false;
    window.lcgraphTables.makeSortable(table);
    setStatus(bindings.length + " row" + (bindings.length === 1 ? "" : "s") + ".");
    if (truncated || doc.truncated) {
      $("note").hidden = false;
      $("note").textContent = "Truncated: the answer was cut at " + (maxRows || bindings.length) +
        " rows (the server's row cap). Add LIMIT/OFFSET, or download the dumps for everything.";
    }
  }

  async function run(url, init, downloads) {
    clearOutput();
    setStatus("Running…");
    let response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      showError("the server did not answer (" + e + ")", 0);
      return;
    }
    const body = await response.text();
    if (!response.ok) {
      showError(messageOf(body, response.status), response.status);
      return;
    }
    let doc;
    try { doc = JSON.parse(body); } catch (e) {
      showError("the answer is not SPARQL JSON results (a CONSTRUCT or DESCRIBE? use the download links)", response.status);
    }
    $("dl-csv").href = downloads.csv;
    $("dl-json").href = downloads.json;
    $("downloads").hidden = false;
    if (doc) {
      showResults(doc, response.headers.get("X-LCGraph-Truncated") === "true",
        response.headers.get("X-LCGraph-Rows"), response.headers.get("X-LCGraph-Max-Rows"));
    }
  }

  function runEditor(event) {
    if (event) event.preventDefault();
    delete $("query").dataset.saved;
    const text = $("query").value;
    const q = new URLSearchParams({ query: text });
    const csv = new URLSearchParams({ query: text, format: "csv" });
    const json = new URLSearchParams({ query: text, format: "json" });
    run(root + "/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
      body: q.toString(),
    }, { csv: root + "/sparql?" + csv, json: root + "/sparql?" + json });
    $("status").scrollIntoView({ block: "nearest" });
  }

  function runSaved(event) {
    event.preventDefault();
    const form = event.target;
    $("query").dataset.saved = form.dataset.name;
    const params = new URLSearchParams();
    new FormData(form).forEach((value, key) => { if (value !== "") params.append(key, value); });
    const path = root + "/api/queries/" + encodeURIComponent(form.dataset.name) + "?";
    const with_ = (fmt) => { const p = new URLSearchParams(params); p.set("format", fmt); return path + p; };
    run(with_("sparql-json"), { headers: { Accept: "application/sparql-results+json" } },
      { csv: with_("csv"), json: with_("json") });
    $("results-pane").scrollIntoView({ block: "start" });
  }

  function filterSaved() {
    const words = $("saved-filter").value.toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll("details.saved").forEach((d) => {
      d.hidden = !words.every((w) => d.dataset.search.includes(w));
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    base = $("sparql-form").dataset.base;
    root = $("sparql-form").dataset.root;
    const area = $("query");
    area.addEventListener("input", syncHighlight);
    area.addEventListener("scroll", syncHighlight);
    area.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) runEditor(e);
    });
    syncHighlight();
    $("sparql-form").addEventListener("submit", runEditor);
    document.querySelectorAll("form.saved-query").forEach((f) => f.addEventListener("submit", runSaved));
    $("saved-filter").addEventListener("input", filterSaved);
    // /query#saved-NAME opens that query's form (links from the docs and the catalogue)
    const target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS") target.open = true;
    document.body.classList.add("js");
  });
})();
