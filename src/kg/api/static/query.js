// The query page: a small SPARQL highlighter over a textarea, examples, and a results table.
// Written for duality-kg; no external assets.
"use strict";

const KEYWORDS = new Set(("SELECT ASK CONSTRUCT DESCRIBE WHERE PREFIX BASE FILTER OPTIONAL UNION MINUS GRAPH " +
  "FROM NAMED DISTINCT REDUCED ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING AS BIND VALUES EXISTS NOT IN " +
  "COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE " +
  "REGEX CONTAINS STRSTARTS STRENDS LCASE UCASE CONCAT COALESCE IF ISIRI ISURI ISBLANK ISLITERAL YEAR A " +
  "TRUE FALSE UNDEF").split(" "));

const TOKEN = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][A-Za-z_0-9]+)|([A-Za-z_][\w.-]*)?:([\w.-]*)|([A-Za-z_][A-Za-z_0-9]*)|(\d+(?:\.\d+)?)/g;

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

function highlight(text) {
  let out = "", last = 0;
  for (const m of text.matchAll(TOKEN)) {
    out += escapeHtml(text.slice(last, m.index));
    const t = escapeHtml(m[0]);
    let cls = null;
    if (m[1] !== undefined) cls = "com";
    else if (m[2] !== undefined) cls = "str";
    else if (m[3] !== undefined) cls = "iri";
    else if (m[4] !== undefined) cls = "var";
    else if (m[6] !== undefined) cls = "pn";
    else if (m[7] !== undefined) cls = KEYWORDS.has(m[7].toUpperCase()) ? "kw" : null;
    else if (m[8] !== undefined) cls = "num";
    out += cls ? `<span class="tk-${cls}">${t}</span>` : t;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last)) + "\n";
}

// The link rule of every page (kg.api.rendering.safe_href): IRIs under the base go to local pages, other
// http(s) IRIs stay absolute, anything else (javascript:, data:, urn:, mailto:, file:) is not a link.
function safeHref(iri, base) {
  if (base && iri.startsWith(base)) return "/" + iri.slice(base.length);
  if (/^https?:\/\//i.test(iri) || (iri.startsWith("/") && !iri.startsWith("//"))) return iri;
  return null;
}

function termText(term) {
  if (!term) return "";
  if (term.type === "literal" && term["xml:lang"]) return `${term.value} @${term["xml:lang"]}`;
  return term.value;
}

function renderTable(data, container) {
  container.textContent = "";
  if (typeof data.boolean === "boolean") {
    container.textContent = data.boolean ? "true" : "false";
    return 1;
  }
  const vars = data.head.vars, rows = data.results.bindings;
  const table = document.createElement("table");
  table.id = "results-table";
  const head = table.createTHead().insertRow();
  for (const v of vars) { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const v of vars) {
      const td = tr.insertCell(), term = row[v];
      const href = term && term.type === "uri" ? safeHref(term.value, document.body.dataset.base) : null;
      if (href !== null) {
        const a = document.createElement("a");
        a.href = href;
        a.textContent = term.value;
        td.appendChild(a);
      } else {
        td.textContent = termText(term);
      }
    }
  }
  container.appendChild(table);
  return rows.length;
}

function isGraphQuery(text) {
  const stripped = text.replace(/#[^\n]*/g, "").replace(/<[^>]*>/g, "");
  const m = stripped.match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
  return m && /CONSTRUCT|DESCRIBE/i.test(m[1]);
}

function setDownloads(query) {
  const links = document.getElementById("downloads");
  links.textContent = "";
  const formats = isGraphQuery(query) ? ["ttl", "nt", "jsonld", "rdfxml"] : ["json", "xml", "csv", "tsv"];
  for (const f of formats) {
    const a = document.createElement("a");
    a.href = "/sparql?" + new URLSearchParams({query, format: f});
    a.textContent = f.toUpperCase();
    a.setAttribute("download", `results.${f}`);
    links.appendChild(a);
    links.appendChild(document.createTextNode(" "));
  }
}

async function run() {
  const query = document.getElementById("query").value;
  const status = document.getElementById("status"), results = document.getElementById("results");
  status.className = ""; status.textContent = "running…"; results.textContent = "";
  setDownloads(query);
  const graph = isGraphQuery(query);
  const started = performance.now();
  try {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded",
                "Accept": graph ? "text/turtle" : "application/sparql-results+json"},
      body: new URLSearchParams({query}),
    });
    const text = await response.text();
    if (!response.ok) { status.className = "error"; status.textContent = `${response.status}: ${text}`; return; }
    const ms = Math.round(performance.now() - started);
    if (graph) {
      const pre = document.createElement("pre"); pre.textContent = text; results.appendChild(pre);
      status.textContent = `done in ${ms} ms`;
    } else {
      const n = renderTable(JSON.parse(text), results);
      status.textContent = `${n} result${n === 1 ? "" : "s"} in ${ms} ms`;
    }
  } catch (err) {
    status.className = "error"; status.textContent = String(err);
  }
}

function init() {
  const area = document.getElementById("query"), pre = document.getElementById("highlight");
  const sync = () => { pre.innerHTML = highlight(area.value); pre.scrollTop = area.scrollTop; };
  area.addEventListener("input", sync);
  area.addEventListener("scroll", () => { pre.scrollTop = area.scrollTop; });
  area.addEventListener("keydown", e => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  const prologue = JSON.parse(document.getElementById("prologue").textContent);
  const examples = JSON.parse(document.getElementById("examples").textContent);
  const list = document.getElementById("example-list");
  for (const ex of examples) {
    const li = document.createElement("li"), button = document.createElement("button");
    button.textContent = ex.name; button.dataset.example = ex.name;
    button.addEventListener("click", () => { area.value = ex.text; sync(); run(); });
    li.appendChild(button);
    if (ex.summary) { const s = document.createElement("small"); s.textContent = ex.summary; li.appendChild(s); }
    list.appendChild(li);
  }
  if (!area.value) area.value = prologue + "\nSELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10\n";
  sync();
  document.getElementById("run").addEventListener("click", run);
}

document.addEventListener("DOMContentLoaded", init);
