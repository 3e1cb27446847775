"""`/gaps`: the research-gap report (HTML, JSON or Markdown by `Accept` or `format=`) and its heatmap.

The report's ~60 queries run in the worker pool once per graph version: the report is kept in the
result cache as JSON, and each rendering (page, Markdown, heatmap) is computed once from it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kg.api.negotiation import negotiate, split_suffix
from kg.api.query_service import QueryService, service
from kg.errors import NotFound
from kg.formats import HTML, IMAGE_FORMATS, JSON_DOCUMENT, MARKDOWN
from kg.gaps import build_report, render_heatmap, render_html, render_markdown
from kg.runner import QueryRunner

__all__ = ["router"]

router = APIRouter(tags=["gaps"])

_REPORT_FORMATS = (HTML, JSON_DOCUMENT, MARKDOWN)


async def _report(queries: QueryService) -> dict:
    """The gap report of the current graph version, built at most once (the cache holds its JSON, and a
    page and its heatmap requested together wait for the same computation)."""

    def build(runner: QueryRunner) -> bytes:
        return json.dumps(build_report(settings=queries.settings, runner=runner), ensure_ascii=False).encode()

    _, body = await queries.computed(("gaps-report",), JSON_DOCUMENT.media_type, build)
    return json.loads(body)


def _rendered(queries: QueryService, render: Callable[[dict], bytes]) -> Callable[[], Awaitable[bytes]]:
    """A rendering of the report: the report is awaited first (no thread waits for it), then drawn in a thread."""

    async def produce() -> bytes:
        report = await _report(queries)
        return await asyncio.to_thread(render, report)

    return produce


@router.get("/gaps", summary="Research-gap report: matrices, trends, Section 9 evidence, research questions")
async def gaps(request: Request, format: str | None = None) -> Response:
    """HTML by default; JSON for `Accept: application/json` or `?format=json`; Markdown for `text/markdown`
    or `?format=md`."""
    fmt = negotiate(request.headers.get("accept"), _REPORT_FORMATS, requested=format)
    heatmap = str(request.url_for("gaps_heatmap", image_format="svg").path)
    renderers = {
        HTML.key: lambda report: render_html(report, heatmap_src=heatmap, standalone=False).encode(),
        JSON_DOCUMENT.key: lambda report: json.dumps(report, ensure_ascii=False).encode(),
        MARKDOWN.key: lambda report: render_markdown(report).encode(),
    }
    queries = service(request)
    return await queries.respond(request, ("gaps",), fmt, _rendered(queries, renderers[fmt.key]))


@router.get("/gaps/heatmap.{image_format}", name="gaps_heatmap", summary="Heatmap of the gap matrices (png or svg)")
async def gaps_heatmap(request: Request, image_format: str) -> Response:
    _, fmt = split_suffix("heatmap." + image_format, IMAGE_FORMATS)
    if fmt is None:
        raise NotFound(f"unknown image format {image_format[:20]!r}: use png or svg")
    queries = service(request)
    return await queries.respond(request, ("gaps", "heatmap"), fmt,
                                 _rendered(queries, lambda report: render_heatmap(report, image_format=fmt.key)))
