"""HTTP routes of the named queries and figures: `/queries`, `/queries/{name}`, `/figures`, `/figures/{name}`.

`/queries/{name}` answers in the SPARQL results format that `Accept` or a suffix (`/queries/NAME.csv`)
asks for (JSON, XML, CSV, TSV; an HTML table for browsers); the query's parameters are query-string
arguments, typed and checked like on the command line and bound as terms. The query runs in the worker
pool with the endpoint's deadline and row cap. A bad or unknown parameter is a 400 naming it; an unknown
query or figure is a 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kg.api.labels import labels_for
from kg.api.negotiation import negotiate, split_suffix
from kg.api.query_service import service
from kg.api.rendering import render
from kg.errors import InputError
from kg.figures import figure_names, figure_title, render_figure
from kg.formats import HTML, IMAGE_FORMATS, RESULT_FORMATS
from kg.queries import bind_parameters, list_queries, load_query, tsv_table
from kg.runner import QueryRunner
from kg.settings import Settings

__all__ = ["router"]

router = APIRouter(tags=["named queries"])

_QUERY_FORMATS = (*RESULT_FORMATS, HTML)


@router.get("/queries", response_class=HTMLResponse, summary="The named queries (HTML list)")
def queries_page(request: Request) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    return HTMLResponse(render("queries.html", base=settings.base_iri, title="Named queries", here="/queries",
                               queries=list_queries(settings)))


@router.get("/queries/{name:path}", summary="Run a named query; parameters as query-string arguments")
async def query_results(name: str, request: Request) -> Response:
    settings: Settings = request.app.state.settings
    name, forced = split_suffix(name, _QUERY_FORMATS)
    query = load_query(settings, name)
    fmt = forced or negotiate(request.headers.get("accept"), _QUERY_FORMATS)
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            raise InputError(f"parameter {key!r} given more than once")
        params[key] = value
    substitutions = {variable.value: term for variable, term in bind_parameters(query, params).items()}
    queries = service(request)

    async def produce() -> bytes:
        if fmt is not HTML:
            return await queries.run(query.text, format_key=fmt.key, substitutions=substitutions)
        body = await queries.run(query.text, format_key="tsv", substitutions=substitutions)
        table = tsv_table(body)
        labels = await labels_for(queries, (t.value for row in table.rows for t in row if isinstance(t, ox.NamedNode)))
        shown = {p.name: params.get(p.name, p.default or "") for p in query.parameters}
        return render("query_result.html", base=settings.base_iri, title=f"{query.name}: {query.summary}",
                      here="/queries", query=query, table=table, labels=labels, params=shown,
                      downloads=RESULT_FORMATS, query_string="?" + urlencode(params) if params else "",
                      editor_href="/query?" + urlencode({"named": query.name, **shown})).encode()

    cache_key = ("named-query", name, tuple(sorted((k, str(t)) for k, t in substitutions.items())))
    return await queries.respond(request, cache_key, fmt, produce)


@router.get("/figures", response_class=HTMLResponse, summary="The survey's figures, redrawn from the graph")
def figures_page(request: Request) -> HTMLResponse:
    figures = [{"name": name, "title": figure_title(name)} for name in figure_names()]
    return HTMLResponse(render("figures.html", base=request.app.state.settings.base_iri, title="Figures",
                               here="/figures", figures=figures, prefix="/figures"))


@router.get("/figures/{name}", summary="A figure of the survey redrawn from the graph (PNG or SVG)")
async def figure(name: str, request: Request) -> Response:
    stem, forced = split_suffix(name, IMAGE_FORMATS)
    figure_title(stem)  # NotFound for an unknown figure (or suffix: the stem is then the whole name)
    fmt = forced or negotiate(request.headers.get("accept"), IMAGE_FORMATS)
    settings: Settings = request.app.state.settings

    def compute(runner: QueryRunner) -> bytes:
        return render_figure(runner=runner, settings=settings, name=stem, fmt=fmt.key)

    return await service(request).respond(request, ("figure", stem), fmt, compute)
