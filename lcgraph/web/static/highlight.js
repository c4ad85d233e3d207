/* lcgraph: a small SPARQL syntax highlighter of our own (no external library).
   lcgraphHighlight(text) returns HTML with <span class="tok-..."> around tokens; the query page
   lays it under a transparent textarea, so the text stays a plain, accessible form field. */
"use strict";
(function () {
  const KEYWORDS = new Set((
    "BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT DESCRIBE ASK FROM NAMED WHERE ORDER BY ASC DESC " +
    "LIMIT OFFSET VALUES GROUP HAVING UNION OPTIONAL MINUS GRAPH SERVICE SILENT FILTER BIND EXISTS NOT IN " +
    "UNDEF A TRUE FALSE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND " +
    "IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS " +
    "STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 " +
    "SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX " +
    "SUBSTR REPLACE LATERAL"
  ).split(" "));
  const TOKEN = new RegExp([
    "(#[^\\n]*)",                                   // 1 comment
    "(\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'''[\\s\\S]*?(?:'''|$)|\"(?:[^\"\\\\\\n]|\\\\.)*\"?|'(?:[^'\\\\\\n]|\\\\.)*'?)", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                     // 3 IRI
    "([?$][A-Za-z0-9_\\u00C0-\\uFFFF]+)",          // 4 variable
    "([A-Za-z][\\w.-]*)?:([\\w.%-]*)",             // 5,6 prefixed name
    "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",               // 7 language tag
    "([+-]?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)",   // 8 number
    "([A-Za-z_][A-Za-z0-9_]*)",                     // 9 word
  ].join("|"), "g");
  function escape(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function span(kind, text) { return '<span class="tok-' + kind + '">' + escape(text) + "</span>"; }
  function highlight(text) {
    let out = "", last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex++; continue; }
      out += escape(text.slice(last, m.index));
      if (m[1]) out += span("comment", m[1]);
      else if (m[2]) out += span("string", m[2]);
      else if (m[3]) out += span("iri", m[3]);
      else if (m[4]) out += span("var", m[4]);
      else if (m[0].indexOf(":") >= 0 && m[7] === undefined && m[8] === undefined && m[9] === undefined) out += span("pname", m[0]);
      else if (m[7]) out += span("lang", m[7]);
      else if (m[8]) out += span("number", m[8]);
      else if (m[9]) out += KEYWORDS.has(m[9].toUpperCase()) ? span("keyword", m[9]) : escape(m[9]);
      else out += escape(m[0]);
      last = m.index + m[0].length;
    }
    return out + escape(text.slice(last));
  }
  window.lcgraphHighlight = highlight;
})();
