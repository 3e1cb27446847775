"""`/changes` (the changelog of the survey's editions) and `/releases/` (the citable snapshots of
`kg release`, served read-only as files)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from kg.api.negotiation import negotiate
from kg.api.rendering import render
from kg.edition_diff import changelog_markdown
from kg.edition_graph import CHANGELOG_FILE
from kg.errors import NotFound
from kg.figures import edition_figure_names, figure_title
from kg.formats import HTML, JSON_DOCUMENT, MARKDOWN, by_key
from kg.releases import list_releases, release_file
from kg.settings import Settings

__all__ = ["router"]

router = APIRouter(tags=["history"])

_PAGE_FORMATS = (HTML, JSON_DOCUMENT, MARKDOWN)


def _changelog(settings: Settings) -> list[dict]:
    path = settings.editions_dir / CHANGELOG_FILE
    if not path.is_file():
        raise NotFound(f"no changelog at {path}: run `kg import` with the survey's history in the sources")
    return json.loads(path.read_text(encoding="utf-8"))


@router.get("/changes", summary="Every edition of the companion list with what changed from the one before")
def changes(request: Request, format: str | None = None) -> Response:
    """HTML by default; JSON (`?format=json`) or Markdown (`?format=md`) as `kg changelog` prints them."""
    settings: Settings = request.app.state.settings
    fmt = negotiate(request.headers.get("accept"), _PAGE_FORMATS, requested=format)
    rows = _changelog(settings)
    if fmt is JSON_DOCUMENT:
        return Response(json.dumps(rows, ensure_ascii=False), media_type=fmt.media_type)
    if fmt is MARKDOWN:
        return Response(changelog_markdown(rows), media_type=fmt.media_type)
    figures = [{"name": name, "title": figure_title(name)} for name in edition_figure_names()]
    return Response(render("changes.html", base=settings.base_iri, title="Changes", here="/changes",
                           rows=list(reversed(rows)), figures=figures, prefix="/figures"), media_type=HTML.media_type)


@router.get("/releases/", summary="The releases written by `kg release`, newest first")
def releases(request: Request, format: str | None = None) -> Response:
    settings: Settings = request.app.state.settings
    fmt = negotiate(request.headers.get("accept"), (HTML, JSON_DOCUMENT), requested=format)
    found = list(reversed(list_releases(settings.releases_dir)))
    if fmt is JSON_DOCUMENT:
        return Response(json.dumps(found, ensure_ascii=False), media_type=fmt.media_type)
    for release in found:
        release["files"] = sorted(p.name for p in (settings.releases_dir / release["version"]).iterdir()
                                  if p.is_file() and not p.name.startswith("."))
    return Response(render("releases.html", base=settings.base_iri, title="Releases", here="/releases/",
                           releases=found), media_type=HTML.media_type)


_MEDIA = {"nq": "nq", "ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "rdf": "rdfxml"}
"""File suffix -> kg.formats key, for the media type of a release's dumps."""


@router.get("/releases/{version}/{name}", summary="One file of a release (dumps, VoID, checksums, changes)")
def release_download(request: Request, version: str, name: str) -> Response:
    path = release_file(request.app.state.settings.releases_dir, version, name)
    suffix = path.suffix.lstrip(".")
    media = (by_key(_MEDIA[suffix]).media_type if suffix in _MEDIA else
             {"md": MARKDOWN.media_type, "json": "application/json"}.get(suffix, "text/plain; charset=utf-8"))
    if name == "void.ttl":
        media = by_key("ttl").media_type
    return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=86400, immutable"})
