"""The query page (`/` and `/query`): a SPARQL editor with the project's prefixes, the named queries
of `queries/*.rq` as examples, and results as a table with download links. Assets are in `static/`."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse

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


@router.get("/", include_in_schema=False)
async def home() -> RedirectResponse:
    return RedirectResponse("/query", status_code=303)


@router.get("/query", response_class=HTMLResponse)
async def query_page(request: Request) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    examples = json.dumps(named_query_examples(Path(settings.queries_dir))).replace("</", "<\\/")
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>duality-kg SPARQL</title><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="stylesheet" href="/static/query.css"><script src="/static/query.js" defer></script></head>
<body data-base="{escape(settings.base_iri)}">
<nav><a href="/query">SPARQL query</a><a href="/ontology">Ontology</a><a href="/.well-known/void">VoID</a>
<a href="/sparql">Service description</a><a href="/export">Export (Turtle)</a></nav>
<h1>duality-kg SPARQL endpoint</h1>
<p>The default graph is the union of the named graphs (ontology, data, inferred). Ctrl+Enter runs the query.</p>
<div class="layout"><aside class="examples"><h2>Examples</h2><ul id="example-list"></ul></aside>
<main class="main"><div class="editor"><pre id="highlight" aria-hidden="true"></pre>
<textarea id="query" spellcheck="false" aria-label="SPARQL query"></textarea></div>
<div class="bar"><button id="run" type="button">Run</button><span id="status"></span>
<span>Download: <span id="downloads"></span></span></div>
<div id="results"></div></main></div>
<script type="application/json" id="examples">{examples}</script>
<script type="text/plain" id="prologue">{escape(_prologue())}</script>
</body></html>"""
    return HTMLResponse(html)
