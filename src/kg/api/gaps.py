"""`/gaps`: the research-gap report (HTML, JSON or Markdown by Accept) and its heatmap images."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pyoxigraph import Store

from kg.api.deps import get_settings, get_store
from kg.gaps import build_report, render_heatmap, render_html, render_markdown
from kg.settings import Settings

__all__ = ["router"]

router = APIRouter(tags=["gaps"])

_IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def _wanted(request: Request, requested: str | None) -> str:
    if requested in {"json", "md", "html"}:
        return requested
    accept = request.headers.get("accept", "")
    if "application/json" in accept:
        return "json"
    if "text/markdown" in accept:
        return "md"
    return "html"


@router.get("/gaps", summary="Research-gap report: matrices, trends, Section 9 evidence, research questions")
def gaps(request: Request, format: str | None = None, settings: Settings = Depends(get_settings),
         store: Store = Depends(get_store)) -> Response:
    """HTML by default; JSON for `Accept: application/json` or `?format=json`; Markdown for `text/markdown` or `?format=md`."""
    report = build_report(settings=settings, store=store)
    wanted = _wanted(request, format)
    if wanted == "json":
        return JSONResponse(report)
    if wanted == "md":
        return PlainTextResponse(render_markdown(report), media_type="text/markdown; charset=utf-8")
    return HTMLResponse(render_html(report, heatmap_src=str(request.url_for("gaps_heatmap", image_format="svg"))))


@router.get("/gaps/heatmap.{image_format}", name="gaps_heatmap", summary="Heatmap of the gap matrices (png or svg)")
def gaps_heatmap(image_format: str, settings: Settings = Depends(get_settings),
                 store: Store = Depends(get_store)) -> Response:
    if image_format not in _IMAGE_TYPES:
        return PlainTextResponse(f"unknown image format {image_format!r}: use png or svg", status_code=404)
    report = build_report(settings=settings, store=store)
    return Response(render_heatmap(report, image_format=image_format), media_type=_IMAGE_TYPES[image_format])
