"""HTTP routes of the named queries and figures: `/queries`, `/queries/{name}`, `/figures/{name}`.

`/queries/{name}` answers in the SPARQL results format the `Accept` header asks for (JSON, XML, CSV,
TSV; an HTML table for browsers); the query's parameters are query-string arguments, typed and
checked like on the command line. A bad or unknown parameter is a 400 naming it; an unknown query
or figure is a 404.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import QueryResultsFormat, QuerySolutions, Store

from kg.api.deps import get_settings, get_store
from kg.errors import NotFound, ParameterError
from kg.figures import FORMATS, figure_names, figure_title, figures_html, render_figure
from kg.iri import compact
from kg.queries import NamedQuery, ResultTable, list_queries, load_query, result_table, run_query
from kg.settings import Settings

__all__ = ["router", "figure_names", "figures_html", "RESULT_MEDIA_TYPES"]

router = APIRouter(tags=["named queries"])

RESULT_MEDIA_TYPES: dict[str, QueryResultsFormat | None] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "application/xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
    "text/html": None,
}
"""Media types `/queries/{name}` can answer in (None = an HTML page); the first is the default."""


def _negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the Accept header prefers (q-values, `type/*`, `*/*`); the first offer when Accept is absent,
    None when nothing acceptable is offered."""
    if not accept or not accept.strip():
        return offers[0]
    best: tuple[float, int, str] | None = None
    for position, item in enumerate(accept.split(",")):
        media, *options = [part.strip() for part in item.split(";")]
        quality = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        major = media.split("/")[0]
        for offer in offers:
            if media in ("*/*", offer) or media == f"{major}/*" and offer.startswith(major + "/"):
                specificity = 2 if media == offer else 0
                candidate = (quality, specificity - position * 0.001, offer)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
                break
    return best[2] if best else None


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
                        f"</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")


def _query_list_html(queries: list[NamedQuery]) -> str:
    rows = []
    for query in queries:
        params = "<br>".join(
            f"<code>{html.escape(p.name)}</code>: {html.escape(p.type_label)}"
            + (f" = <code>{html.escape(p.default)}</code>" if p.default else "")
            for p in query.parameters)
        rows.append(f'<tr><td><a href="/queries/{query.name}"><code>{query.name}</code></a></td>'
                    f"<td>{html.escape(query.summary)}<br><small>{html.escape(query.description)}</small></td>"
                    f"<td>{params}</td></tr>")
    return ("<p>Each query answers in SPARQL JSON, XML, CSV or TSV by <code>Accept</code>; parameters are "
            "query-string arguments.</p><table><thead><tr><th>query</th><th>what</th><th>parameters</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")


def _result_html(query: NamedQuery, table: ResultTable) -> str:
    def cell(term: object) -> str:
        if term is None:
            return ""
        value = term.value  # type: ignore[attr-defined]
        if type(term).__name__ == "NamedNode":
            return f'<a href="{html.escape(value)}">{html.escape(compact(value))}</a>'
        return html.escape(value)

    head = "".join(f"<th>{html.escape(v)}</th>" for v in table.variables)
    body = "".join("<tr>" + "".join(f"<td>{cell(t)}</td>" for t in row) + "</tr>" for row in table.rows)
    return (f"<p>{html.escape(query.description)}</p><p>{len(table.rows)} rows</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


@router.get("/queries", response_class=HTMLResponse, summary="The named queries (HTML list)")
def queries_page(settings: Settings = Depends(get_settings)) -> HTMLResponse:
    return _page("Named queries", _query_list_html(list_queries(settings)))


@router.get("/queries/{name:path}", summary="Run a named query; parameters as query-string arguments")
def query_results(name: str, request: Request, settings: Settings = Depends(get_settings),
                  store: Store = Depends(get_store)) -> Response:
    try:
        query = load_query(settings, name)
    except NotFound as err:
        raise HTTPException(status_code=404, detail=str(err)) from err
    media_type = _negotiate(request.headers.get("accept"), list(RESULT_MEDIA_TYPES))
    if media_type is None:
        raise HTTPException(status_code=406, detail="acceptable: " + ", ".join(RESULT_MEDIA_TYPES))
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            raise HTTPException(status_code=400, detail=f"parameter {key!r} given more than once")
        params[key] = value
    try:
        solutions = run_query(store=store, query=query, params=params)
    except ParameterError as err:
        raise HTTPException(status_code=400, detail=str(err)) from err
    if not isinstance(solutions, QuerySolutions):
        raise HTTPException(status_code=500, detail=f"named query {name!r} is not a SELECT query")
    results_format = RESULT_MEDIA_TYPES[media_type]
    if results_format is None:
        return _page(f"{query.name}: {query.summary}", _result_html(query, result_table(solutions)))
    return Response(content=solutions.serialize(format=results_format), media_type=results_format.media_type,
                    headers={"Vary": "Accept"})


@router.get("/figures/{name}", summary="A figure of the survey redrawn from the graph (PNG or SVG)")
def figure(name: str, request: Request, settings: Settings = Depends(get_settings),
           store: Store = Depends(get_store)) -> Response:
    stem, dot, suffix = name.partition(".")
    try:
        figure_title(stem)
    except NotFound as err:
        raise HTTPException(status_code=404, detail=str(err)) from err
    if dot:
        fmt = suffix
    else:
        media_type = _negotiate(request.headers.get("accept"), list(FORMATS.values()))
        fmt = next((f for f, m in FORMATS.items() if m == media_type), "")
    if fmt not in FORMATS:
        raise HTTPException(status_code=404, detail=f"figure formats: {', '.join(FORMATS)}")
    try:
        content = render_figure(store=store, settings=settings, name=stem, fmt=fmt)
    except NotFound as err:
        raise HTTPException(status_code=404, detail=str(err)) from err
    return Response(content=content, media_type=FORMATS[fmt], headers={"Vary": "Accept"})
