"""The query page (`/query`): a SPARQL editor with the project's prefixes, the named queries
of `queries/*.rq` as examples, and results as a table with download links. Assets are in `static/`."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from kg.api.rendering import render
from kg.iri import PREFIXES
from kg.settings import Settings

__all__ = ["router", "STATIC_DIR", "named_query_examples"]

router = APIRouter()
STATIC_DIR = Path(__file__).parent / "static"


def named_query_examples(queries_dir: Path) -> list[dict[str, str]]:
    """Name, `#+ summary:` and text of each `queries/*.rq` (not the qc/ rules), sorted by name."""
    examples = []
    for path in sorted(queries_dir.glob("*.rq")) if queries_dir.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        summary = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                        if line.startswith("#+ summary:")), "")
        examples.append({"name": path.stem, "summary": summary, "text": text})
    return examples


def _prologue() -> str:
    return "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items())


@router.get("/query", response_class=HTMLResponse)
async def query_page(request: Request) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    # examples and prologue travel as JSON in <script type="application/json">: tojson escapes <, > and &
    # so the text cannot close the script element, and JSON.parse gives the text back unchanged
    return HTMLResponse(render("query.html", base=settings.base_iri, title="SPARQL query", here="/query",
                               examples=named_query_examples(Path(settings.queries_dir)), prologue=_prologue()))
