"""Maintaining the survey over HTTP: the same library functions as `kg add` and `kg review`.

- `POST /papers`: a BibTeX, RIS, CSL-JSON, arXiv Atom or (OpenAlex / Semantic Scholar / CSL) JSON body,
  the Content-Type decides; answers 201 with the JSON report of kg.adding.add (added, merged, duplicate).
- `GET /review`: the pending suggestions, with a form per suggestion. The page is public (the
  suggestions are in the graph anyway); a decision needs the write token, which the page's script sends
  in the Authorization header, never in a URL.
- `POST /review/{paper id}/{suggestion fragment}`: a JSON body `{"decision": "accept"|"reject"|"correct",
  "concept": "cat:x" (correct only), "reviewer": "name"}` -> kg.review.decide.
Every POST needs `Authorization: Bearer <KG_WRITE_TOKEN>`; bad input is a 4xx naming the file, entry or field.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse, Response

from kg.api.error_responses import plain_error
from kg.api.graph_state import GraphState
from kg.api.rendering import render
from kg.api.sparql import read_body
from kg.api.writes import check_authorised
from kg.errors import InconsistentOntology, InputError, StoreBusy
from kg.settings import Settings

__all__ = ["router"]

router = APIRouter()


def _refused(request: Request) -> Response | None:
    settings: Settings = request.app.state.settings
    refused = check_authorised(request, settings)
    if refused is not None:
        return refused
    if not request.app.state.graph.follows_current:
        return plain_error(409, "this server serves a fixed store, which cannot be written; "
                                "writes need a server of the published store (`kg serve`)")
    return None


def _by(request: Request, default: str) -> str:
    client = request.client.host if request.client else "unknown client"
    return f"{request.headers.get('from', default)} (from {client})"


async def _write(request: Request, function, **kwargs) -> object | Response:
    """Run a library write in a thread; map refusals that are not plain input errors."""
    try:
        result = await run_in_threadpool(function, request.app.state.settings, **kwargs)
    except InconsistentOntology as err:
        return plain_error(422, f"refused, the store would be inconsistent: {err}")
    except StoreBusy as err:
        return plain_error(503, str(err), headers={"Retry-After": "5"})
    state: GraphState = request.app.state.graph
    state.follow()  # acknowledge only once this server serves the new store
    return result


@router.post("/papers")
async def add_papers(request: Request) -> Response:
    """Add works from a bibliographic body (as `kg add`); needs the bearer token."""
    from kg.adding import MEDIA_TYPES, add, body_entries

    refused = _refused(request)
    if refused is not None:
        return refused
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        return plain_error(415, f"send the papers as one of {', '.join(sorted(MEDIA_TYPES))}")
    settings: Settings = request.app.state.settings
    body = await read_body(request, limit=settings.max_body_bytes)
    entries = body_entries(body, media_type=media)  # InputError -> 400 naming the entry
    result = await _write(request, add, entries=entries, by=_by(request, "write-token holder"))
    if isinstance(result, Response):
        return result
    report = [o.to_json() for o in result]  # type: ignore[attr-defined]
    status = 201 if any(o["status"] == "added" for o in report) else 200
    return JSONResponse(report, status_code=status)


@router.get("/review")
async def review_page(request: Request) -> HTMLResponse:
    """The pending suggestions, with accept / correct / reject forms."""
    from kg.review import suggestions

    settings: Settings = request.app.state.settings
    pending = await run_in_threadpool(suggestions, settings)
    return HTMLResponse(render("review.html", title="Review suggestions", here="/review",
                               suggestions=pending, base=settings.base_iri))


@router.post("/review/{paper_id}/{fragment}")
async def review_decision(request: Request, paper_id: str, fragment: str) -> Response:
    """Accept, reject or correct one suggestion (as `kg review`); needs the bearer token."""
    from kg.review import decide

    refused = _refused(request)
    if refused is not None:
        return refused
    settings: Settings = request.app.state.settings
    body = await read_body(request, limit=settings.max_body_bytes)
    try:
        fields = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError("the body is not JSON: send {\"decision\": \"accept\", \"reviewer\": \"name\"}") from None
    if not isinstance(fields, dict):
        raise InputError("the body is a JSON object: {\"decision\": ..., \"reviewer\": ..., \"concept\": ...}")
    for name in ("decision", "reviewer", "concept"):
        if name in fields and not isinstance(fields[name], str):
            raise InputError(f"field {name!r} is a string")
    if not fields.get("decision"):
        raise InputError("field 'decision' is missing: accept, reject or correct")
    if not fields.get("reviewer"):
        raise InputError("field 'reviewer' is missing: who decides")
    result = await _write(request, decide, suggestion=f"{paper_id}/{fragment}", decision=fields["decision"],
                          reviewer=fields["reviewer"], concept=fields.get("concept") or None)
    if isinstance(result, Response):
        return result
    return JSONResponse(result.to_json())  # type: ignore[attr-defined]
