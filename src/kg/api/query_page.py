"""The query page (`/query`): YASQE (editor) and YASR (results table), vendored under `static/vendor/` by
`make vendor`, wired by `static/query.js` to this server only: the project's prefixes, autocompletion of the
ontology's classes and properties from `/query/terms.json`, the named queries as examples with their
parameters as a form, result IRIs labelled through `/query/labels`, and the query kept in the address."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from kg.api.labels import MAX_LABELLED, labels_for
from kg.api.query_service import service
from kg.api.rendering import render
from kg.errors import InputError
from kg.formats import JSON_DOCUMENT
from kg.iri import GRAPH_ONTOLOGY, PREFIXES
from kg.queries import list_queries
from kg.runner import QueryRunner
from kg.settings import Settings

__all__ = ["router", "STATIC_DIR", "named_query_examples", "editor_terms"]

router = APIRouter()
STATIC_DIR = Path(__file__).parent / "static"


def named_query_examples(settings: Settings) -> list[dict]:
    """Every named query but the qc/ rules (they are checks, not questions), sorted by name: name, summary,
    description, text and parameters (name, type, default, description) for the example list and form."""
    return [{"name": q.name, "summary": q.summary, "description": q.description, "text": q.text,
             "parameters": [{"name": p.name, "type": p.type_label, "default": p.default or "",
                             "description": p.description} for p in q.parameters]}
            for q in list_queries(settings) if not q.name.startswith("qc/")]


def _prologue() -> str:
    return "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items())


_TERMS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?kind ?term WHERE {
  { GRAPH <ONTOLOGY> {
      VALUES (?type ?kind) { (owl:Class "class") (owl:ObjectProperty "property") (owl:DatatypeProperty "property")
                             (owl:AnnotationProperty "property") (rdf:Property "property") }
      ?term a ?type } }
  UNION { SELECT DISTINCT ("property" AS ?kind) (?p AS ?term) WHERE { ?s ?p ?o } }
  UNION { SELECT DISTINCT ("class" AS ?kind) (?c AS ?term) WHERE { ?s a ?c } }
  FILTER(isIRI(?term))
} ORDER BY ?kind ?term
""".replace("<ONTOLOGY>", f"<{GRAPH_ONTOLOGY}>")


def editor_terms(runner: QueryRunner) -> dict[str, list[str]]:
    """The IRIs the editor completes: classes and properties declared by the ontology or used in the
    default graph, {"classes": [...], "properties": [...]}, each sorted."""
    terms: dict[str, list[str]] = {"classes": [], "properties": []}
    for kind, term in runner.run_select(_TERMS).rows:
        if kind is not None and term is not None:
            terms["classes" if kind.value == "class" else "properties"].append(term.value)
    return terms


_page_cache: dict[tuple, str] = {}


def _editor_page(settings: Settings) -> str:
    """The editor page, rendered again only when a query file changes: reading the ~40 query headers takes
    longer than everything else the page needs."""
    files = sorted(settings.queries_dir.rglob("*.rq"))
    key = (settings.base_iri, str(settings.queries_dir), tuple((str(f), f.stat().st_mtime_ns) for f in files))
    if key not in _page_cache:
        # examples, prefixes and prologue travel as JSON in <script type="application/json">: tojson escapes
        # <, > and & so the text cannot close the script element, and JSON.parse gives the text back unchanged
        page = render("query.html", base=settings.base_iri, title="SPARQL query", here="/query",
                      examples=named_query_examples(settings), prologue=_prologue(), prefixes=PREFIXES)
        _page_cache.clear()
        _page_cache[key] = page
    return _page_cache[key]


@router.get("/query", response_class=HTMLResponse, summary="The SPARQL editor (HTML)")
async def query_page(request: Request) -> HTMLResponse:
    return HTMLResponse(await asyncio.to_thread(_editor_page, request.app.state.settings))


@router.get("/query/terms.json", summary="Classes and properties the editor completes (JSON)")
async def query_terms(request: Request) -> Response:
    def compute(runner: QueryRunner) -> bytes:
        return json.dumps(editor_terms(runner)).encode()

    return await service(request).respond(request, ("editor-terms",), JSON_DOCUMENT, compute)


@router.post("/query/labels", summary="Labels of IRIs, for result tables: a JSON list in, {iri: label} out")
async def query_labels(request: Request) -> JSONResponse:
    try:
        iris = json.loads(await request.body())
    except ValueError as err:
        raise InputError(f"the body must be a JSON list of IRIs: {err}") from err
    if not isinstance(iris, list) or not all(isinstance(i, str) for i in iris):
        raise InputError("the body must be a JSON list of IRI strings")
    if len(iris) > MAX_LABELLED:
        raise InputError(f"at most {MAX_LABELLED} IRIs per request, got {len(iris)}")
    return JSONResponse(await labels_for(service(request), iris))
