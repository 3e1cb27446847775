// The query page: YASQE (editor) and YASR (results), vendored by `make vendor`, wired to this server only.
// Written for duality-kg. Nothing here reaches another host: YASQE's remote completers (prefix.cc, LOV) are
// replaced by lists from /query/terms.json and the page's prefixes, and results are fetched by this script.
"use strict";

const $ = id => document.getElementById(id);
const jsonOf = id => JSON.parse($(id).textContent);

// The link rule of every page (kg.api.rendering.safe_href): IRIs under the base go to local pages, other
// http(s) IRIs stay absolute, anything else (javascript:, data:, urn:, mailto:, file:) is not a link.
function safeHref(iri, base) {
  if (base && iri.startsWith(base)) return "/" + iri.slice(base.length);
  if (/^https?:\/\//i.test(iri) || (iri.startsWith("/") && !iri.startsWith("//"))) return iri;
  return null;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

const labels = new Map();   // IRI -> label, for the results on screen
let prefixes = {}, examples = [], yasqe = null, yasr = null;
let named = null;           // the example whose text is in the editor (null: the user's own query)

function compactIri(iri) {
  for (const [prefix, namespace] of Object.entries(prefixes)) {
    if (iri.startsWith(namespace) && iri.length > namespace.length) return `${prefix}:${iri.slice(namespace.length)}`;
  }
  return iri;
}

// YASR's table shows an IRI as its label, linked to the local page (title: the compact IRI); sorting and the
// filter see the label and the IRI, so both can be typed into the filter.
function labelTable(Table) {
  Table.prototype.getUriLinkFromBinding = function (binding) {
    const iri = binding.value, href = safeHref(iri, document.body.dataset.base);
    const text = labels.get(iri) || compactIri(iri);
    if (href === null) return `<span class="iri-text">${escapeHtml(iri)}</span>`;
    return `<a class="iri" href="${escapeHtml(href)}" title="${escapeHtml(compactIri(iri))}">${escapeHtml(text)}</a>`;
  };
  const columns = Table.prototype.getColumns;
  Table.prototype.getColumns = function () {
    return columns.call(this).map(column => {
      if (!column.name) return column;
      const render = column.render;
      return {...column, render: (term, type, row, meta) =>
        (type === "filter" || type === "sort") && term && term.type === "uri"
          ? `${labels.get(term.value) || ""} ${term.value}` : render(term, type, row, meta)};
    });
  };
}

function isGraphQuery(text) {
  const stripped = text.replace(/#[^\n]*/g, "").replace(/<[^>]*>/g, "");
  const m = stripped.match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
  return Boolean(m) && /CONSTRUCT|DESCRIBE/i.test(m[1]);
}

function namedUnchanged() {
  return named !== null && yasqe.getValue() === named.text;
}

function formParams() {
  const params = {};
  for (const input of $("params").querySelectorAll("input")) {
    if (input.value.trim()) params[input.name] = input.value.trim();
  }
  return params;
}

// Where the results come from: a named query runs on the server with its parameters bound as typed terms;
// anything else (including an edited named query) is sent to /sparql as it stands.
function resultUrl(suffix) {
  if (namedUnchanged()) {
    const query = new URLSearchParams(formParams()).toString();
    const suffixes = {json: "srj", xml: "srx"};   // the named-query routes' suffixes (kg.formats)
    return `/queries/${named.name}${suffix ? "." + (suffixes[suffix] || suffix) : ""}${query ? "?" + query : ""}`;
  }
  return "/sparql?" + new URLSearchParams({query: yasqe.getValue(), format: suffix || "json"});
}

function pageUrl() {
  const query = new URLSearchParams();
  if (namedUnchanged()) {
    query.set("named", named.name);
    for (const [key, value] of Object.entries(formParams())) query.set(key, value);
  } else {
    query.set("query", yasqe.getValue());
  }
  return `${location.pathname}?${query}`;
}

function setDownloads() {
  const links = $("downloads");
  links.textContent = "";
  const formats = isGraphQuery(yasqe.getValue()) ? ["ttl", "nt", "jsonld", "rdfxml"] : ["json", "xml", "csv", "tsv"];
  for (const format of formats) {
    const a = document.createElement("a");
    a.href = resultUrl(format);
    a.textContent = format.toUpperCase();
    a.setAttribute("download", `${named && namedUnchanged() ? named.name.replace("/", "-") : "results"}.${format}`);
    links.append(a, " ");
  }
}

async function fetchLabels(results) {
  const iris = new Set();
  for (const row of results.results ? results.results.bindings : []) {
    for (const term of Object.values(row)) if (term.type === "uri" && !labels.has(term.value)) iris.add(term.value);
  }
  if (!iris.size) return;
  const response = await fetch("/query/labels", {method: "POST", headers: {"Content-Type": "application/json"},
                                                 body: JSON.stringify([...iris].slice(0, 2000))});
  if (response.ok) for (const [iri, label] of Object.entries(await response.json())) labels.set(iri, label);
}

async function run() {
  const status = $("status");
  status.className = ""; status.textContent = "running…";
  history.replaceState(null, "", pageUrl());
  setDownloads();
  const graph = isGraphQuery(yasqe.getValue());
  const accept = graph ? "text/turtle" : "application/sparql-results+json";
  const started = performance.now();
  try {
    const response = namedUnchanged()
      ? await fetch(resultUrl(""), {headers: {Accept: accept}})
      : await fetch("/sparql", {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded", Accept: accept},
                                body: new URLSearchParams({query: yasqe.getValue()})});
    const text = await response.text();
    const ms = Math.round(performance.now() - started);
    if (!response.ok) {
      status.className = "error"; status.textContent = `${response.status}: ${text}`;
      yasr.setResponse({error: {status: response.status, text}});
      return;
    }
    let count = null;
    if (!graph) {
      const results = JSON.parse(text);
      await fetchLabels(results);
      count = results.results ? results.results.bindings.length : null;
    }
    yasr.setResponse({data: text, contentType: response.headers.get("content-type"), status: response.status, executionTime: ms});
    status.textContent = count === null ? `done in ${ms} ms` : `${count} result${count === 1 ? "" : "s"} in ${ms} ms`;
  } catch (err) {
    status.className = "error"; status.textContent = String(err);
  }
}

function showExample(name, values) {
  named = examples.find(e => e.name === name) || null;
  $("example").value = named ? named.name : "";
  const form = $("params"), about = $("example-about");
  form.textContent = ""; about.textContent = named ? named.description || named.summary : "";
  form.hidden = !(named && named.parameters.length);
  if (named) {
    for (const p of named.parameters) {
      const label = document.createElement("label"), input = document.createElement("input");
      input.name = p.name; input.id = `param-${p.name}`;
      input.value = values && values[p.name] !== undefined ? values[p.name] : p.default;
      label.htmlFor = input.id;
      label.textContent = `${p.name} (${p.type})`;
      const help = document.createElement("small"); help.textContent = p.description;
      const field = document.createElement("div"); field.className = "field";
      field.append(label, input, help);
      form.append(field);
    }
    yasqe.setValue(named.text);
  }
}

async function init() {
  prefixes = jsonOf("prefixes");
  examples = jsonOf("examples-data");
  const prologue = jsonOf("prologue");
  let terms = {classes: [], properties: []};
  try {
    const response = await fetch("/query/terms.json");
    if (response.ok) terms = await response.json();
  } catch (err) { /* completion is a help: the editor works without it */ }

  const Yasqe = window.Yasqe, Yasr = window.Yasr;
  Yasqe.forkAutocompleter("prefixes", {name: "kg-prefixes", persistenceId: null,
    get: Object.entries(prefixes).map(([p, ns]) => `${p}: <${ns}>`)}, false);
  Yasqe.forkAutocompleter("class", {name: "kg-classes", bulk: true, persistenceId: null, get: terms.classes}, false);
  Yasqe.forkAutocompleter("property", {name: "kg-properties", bulk: true, persistenceId: null, get: terms.properties}, false);
  labelTable(Yasr.plugins.table);

  const params = new URLSearchParams(location.search);
  yasqe = new Yasqe($("editor"), {
    value: params.get("query") || `${prologue}\n\nSELECT ?work ?title WHERE {\n  ?work a/rdfs:subClassOf* dkg:ResearchPaper ; dcterms:title ?title .\n} ORDER BY ?title LIMIT 100\n`,
    autocompleters: ["kg-prefixes", "variables", "kg-classes", "kg-properties"],
    persistenceId: null, consumeShareLink: null, createShareableLink: null, showQueryButton: false,
    editorHeight: "18em", resizeable: true, requestConfig: {endpoint: "/sparql"},
  });
  yasqe.query = () => run();   // Ctrl+Enter and YASQE's own triggers run through this page's fetch
  yasqe.getInputField().setAttribute("aria-label", "SPARQL query");
  // the editor's scroller is reachable by keyboard, so a long query can be scrolled without a mouse
  const scroller = yasqe.getScrollerElement();
  scroller.tabIndex = 0;
  scroller.setAttribute("role", "region");
  scroller.setAttribute("aria-label", "SPARQL query text");
  yasr = new Yasr($("results"), {persistenceId: null, prefixes, pluginOrder: ["table", "response"], defaultPlugin: "table",
                                 getDownloadFileName: () => (named && namedUnchanged() ? named.name.replace("/", "-") : "results")});
  // YASR's page-size menu and filter come without a name: give them one each time the table is drawn
  yasr.on("drawn", () => {
    for (const select of $("results").querySelectorAll("select.tableSizer")) select.setAttribute("aria-label", "Rows per page");
    for (const input of $("results").querySelectorAll("input.tableFilter")) input.setAttribute("aria-label", "Filter the results");
  });

  if (params.get("named")) {
    const values = Object.fromEntries([...params].filter(([key]) => key !== "named" && key !== "query"));
    showExample(params.get("named"), values);
    if (params.get("query")) yasqe.setValue(params.get("query"));
  }
  $("example").addEventListener("change", event => { showExample(event.target.value); if (named) run(); });
  $("params").addEventListener("submit", event => { event.preventDefault(); run(); });
  $("params").addEventListener("change", () => history.replaceState(null, "", pageUrl()));
  yasqe.on("change", () => { history.replaceState(null, "", pageUrl()); setDownloads(); });
  $("run").addEventListener("click", run);
  $("share").addEventListener("click", async () => {
    history.replaceState(null, "", pageUrl());
    try { await navigator.clipboard.writeText(location.href); $("status").textContent = "link copied"; }
    catch (err) { $("status").textContent = `link: ${location.href}`; }
  });
  setDownloads();
  run();
}

document.addEventListener("DOMContentLoaded", init);
