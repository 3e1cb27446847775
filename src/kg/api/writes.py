"""Writes: `/papers/{id}` replaces (PUT), extends (POST) or removes (DELETE) one paper's description.

Every write needs `Authorization: Bearer <KG_WRITE_TOKEN>`. The work is `kg.edits.write`: the edit is
checked, validated and reasoned in a new store build, written to `data/edits/papers/<id>.ttl` (which
`kg import` never touches), and published; the server then serves the new build. Readers see the old
or the new store, never a mix. The `From` header, when given, is recorded in the edit file as its author.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from kg.api.error_responses import plain_error
from kg.api.graph_state import GraphState
from kg.api.sparql import read_body
from kg.edits import write
from kg.errors import InconsistentOntology, StoreBusy
from kg.settings import Settings

__all__ = ["router", "check_authorised"]

router = APIRouter()


def check_authorised(request: Request, settings: Settings) -> Response | None:
    if settings.write_token is None or not settings.write_token.get_secret_value():
        return plain_error(403, "writes are disabled: set KG_WRITE_TOKEN on the server to enable them")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return plain_error(401, "this route needs 'Authorization: Bearer <token>'",
                           headers={"WWW-Authenticate": 'Bearer realm="kg"'})
    if not hmac.compare_digest(token.strip().encode(), settings.write_token.get_secret_value().encode()):
        return plain_error(403, "the bearer token is not valid")
    return None


@router.api_route("/papers/{paper_id}", methods=["PUT", "POST", "DELETE"])
async def write_paper(request: Request, paper_id: str) -> Response:
    """Replace (PUT), extend (POST) or delete (DELETE) one paper's description; needs the bearer token."""
    settings: Settings = request.app.state.settings
    refused = check_authorised(request, settings)
    if refused is not None:
        return refused
    state: GraphState = request.app.state.graph
    if not state.follows_current:
        return plain_error(409, "this server serves a fixed store, which cannot be written; "
                                "writes need a server of the published store (`kg serve`)")
    body = b""
    if request.method != "DELETE":
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "text/turtle":
            return plain_error(415, "send the paper as Content-Type: text/turtle")
        body = await read_body(request, limit=settings.max_body_bytes)
    client = request.client.host if request.client else "unknown client"
    by = f"{request.headers.get('from', 'write-token holder')} (from {client})"
    try:
        result = await run_in_threadpool(write, settings, paper_id=paper_id, method=request.method,
                                         body=body, by=by)
    except InconsistentOntology as err:
        return plain_error(422, f"refused, the store would be inconsistent: {err}")
    except StoreBusy as err:
        return plain_error(503, str(err), headers={"Retry-After": "5"})
    state.follow()  # acknowledge only once this server serves the new store
    if result.status == "deleted":
        return Response(status_code=204, headers={"X-KG-Edit-File": result.edit_file})
    return plain_error(201 if result.status == "created" else 200,
                       f"{result.status} {result.paper} (edit file {result.edit_file})",
                       headers={"X-KG-Edit-File": result.edit_file})
