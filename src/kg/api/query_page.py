"""The query page (`/query`): a SPARQL editor with the project's prefixes, the named queries
of `queries/*.rq` as examples, and results as a table with download links. Assets are in `static/`."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from kg.api.rendering import render
from kg.iri import PREFIXES
from kg.queries import list_queries
from kg.settings import Settings

__all__ = ["router", "STATIC_DIR", "named_query_examples"]

router = APIRouter()
STATIC_DIR = Path(__file__).parent / "static"


def named_query_examples(settings: Settings) -> list[dict[str, str]]:
    """Name, summary and text of each top-level named query (kg.queries' loader; not the qc/ rules nor the
    parametrised topic folders such as gaps/), sorted by name."""
    return [{"name": q.name, "summary": q.summary, "text": q.text} for q in list_queries(settings) if "/" not in q.name]


def _prologue() -> str:
    return "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items())


@router.get("/query", response_class=HTMLResponse)
async def query_page(request: Request) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    # examples and prologue travel as JSON in <script type="application/json">: tojson escapes <, > and &
    # so the text cannot close the script element, and JSON.parse gives the text back unchanged
    return HTMLResponse(render("query.html", base=settings.base_iri, title="SPARQL query", here="/query",
                               examples=named_query_examples(settings), prologue=_prologue()))
