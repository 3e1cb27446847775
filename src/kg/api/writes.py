"""Writes: `/papers/{local}` replaces (PUT), extends (POST) or removes (DELETE) one paper's triples.

A paper's triples are those in graph:data whose subject is the paper, one of its source records
(`<paper>#...`) or a blank node they point at. Every write needs `Authorization: Bearer <KG_WRITE_TOKEN>`,
is validated (SHACL shapes + QC queries, `kg.validate`) on a scratch copy of the store and of data/ttl/, then
commits both the store (one SPARQL Update transaction) and `data/ttl/papers/<local>.ttl`, or nothing.
SPARQL readers run on snapshots, so they see the old or the new graph, never a mix.
"""

from __future__ import annotations

import hmac
import os
import re
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from kg.api.error_responses import plain_error
from kg.api.graph_state import GraphState
from kg.api.sparql import read_body
from kg.errors import InputError, NotFound, TurtleSyntaxError, ValidationFailed
from kg.iri import DKG, GRAPH_DATA, PAPER, PREFIXES
from kg.settings import Settings

__all__ = ["router", "paper_triples"]

router = APIRouter()

_LOCAL = re.compile(r"[a-z0-9][a-z0-9.\-]*")
_DATA = ox.NamedNode(GRAPH_DATA)
_RECORD_OF = ox.NamedNode(DKG + "recordOf")


def paper_triples(store: ox.Store, paper: ox.NamedNode) -> list[ox.Triple]:
    """The triples of `paper` in graph:data: its own, its records', and those of blank nodes they point at."""
    subjects: list[ox.NamedNode | ox.BlankNode] = [paper]
    subjects += [q.subject for q in store.quads_for_pattern(None, _RECORD_OF, paper, _DATA)]
    out: dict[ox.Triple, None] = {}
    while subjects:
        subject = subjects.pop()
        for quad in store.quads_for_pattern(subject, None, None, _DATA):
            if quad.triple not in out:
                out[quad.triple] = None
                if isinstance(quad.object, ox.BlankNode):
                    subjects.append(quad.object)
    return list(out)


def _check_authorised(request: Request, settings: Settings) -> Response | None:
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


def _parse_paper_turtle(body: bytes, *, paper: ox.NamedNode) -> list[ox.Triple]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the Turtle body is not valid UTF-8") from None
    try:
        quads = list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=paper.value))
    except SyntaxError as err:
        line, column = getattr(err, "lineno", None), getattr(err, "offset", None)
        raise TurtleSyntaxError("request body", line, column, str(err)) from None
    own_prefix = paper.value + "#"
    triples = []
    for quad in quads:
        subject = quad.subject
        if isinstance(subject, ox.NamedNode) and subject != paper and not subject.value.startswith(own_prefix):
            raise InputError(f"the body may only describe {paper.value} and its records ({own_prefix}...); "
                             f"found subject {subject.value}")
        triples.append(quad.triple)
    return triples


def _update_text(old: list[ox.Triple], new: list[ox.Triple]) -> str:
    """One SPARQL Update request (one transaction) replacing `old` by `new` in graph:data."""
    graph = f"<{GRAPH_DATA}>"
    named_old = [t for t in old if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)]
    operations = []
    if any(isinstance(t.object, ox.BlankNode) or isinstance(t.subject, ox.BlankNode) for t in old):
        # DELETE DATA cannot name blank nodes: delete the blank nodes' triples by pattern
        subjects = " ".join(str(s) for s in {t.subject for t in old if isinstance(t.subject, ox.NamedNode)})
        operations.append(
            f"DELETE {{ GRAPH {graph} {{ ?s ?p ?b . ?b ?q ?o }} }} WHERE {{ GRAPH {graph} {{ "
            f"VALUES ?s {{ {subjects} }} ?s ?p ?b . FILTER(isBlank(?b)) ?b ?q ?o }} }}")
    if named_old:
        operations.append(f"DELETE DATA {{ GRAPH {graph} {{ " + " ".join(f"{t.subject} {t.predicate} {t.object} ."
                                                                      for t in named_old) + " } }")
    if new:
        operations.append(f"INSERT DATA {{ GRAPH {graph} {{ " + " ".join(f"{t.subject} {t.predicate} {t.object} ."
                                                                      for t in new) + " } }")
    return " ;\n".join(operations)


def _validate(settings: Settings, store: ox.Store, data_dir: Path) -> None:
    from kg.validate import validate  # the shapes + QC runner; imported here so reads work without it

    report = validate(settings=settings, store=store, data_dir=data_dir)
    if not report.conforms:
        # name the project's files, not the scratch copy
        raise ValidationFailed(str(report).replace(str(data_dir), str(settings.data_dir)))


def _scratch_data_dir(data_dir: Path, scratch: Path) -> Path:
    """A copy of data/ttl/ (hard links where possible) to validate the files as they would be."""
    target = scratch / "ttl"
    try:
        shutil.copytree(data_dir, target, copy_function=os.link)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(data_dir, target)
    return target


def _write(state: GraphState, local: str, method: str, body: bytes) -> int:
    settings = state.settings
    paper = ox.NamedNode(PAPER + local)
    data_dir = Path(settings.data_dir)
    relative = Path("papers") / f"{local}.ttl"
    with state.write_lock:
        old = paper_triples(state.store, paper)
        if old and not (data_dir / relative).is_file():
            raise InputError(f"{paper.value} is not kept in data/ttl/{relative.as_posix()}, "
                             "so it cannot be changed through this route")
        if method == "DELETE":
            if not old:
                raise NotFound(f"there is no paper {paper.value} in graph:data")
            new: list[ox.Triple] = []
        else:
            incoming = _parse_paper_turtle(body, paper=paper)
            if not incoming:
                raise InputError("the Turtle body has no triples; use DELETE to remove a paper")
            new = incoming if method == "PUT" else list(dict.fromkeys([*old, *incoming]))
        header = f"# written by the kg write API ({method} /papers/{local})\n".encode()
        content = header + ox.serialize(new, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) if new else b""
        update = _update_text(old, new)
        with tempfile.TemporaryDirectory(prefix="kg-write-") as scratch_root:
            scratch_data = _scratch_data_dir(data_dir, Path(scratch_root))
            scratch_file = scratch_data / relative
            scratch_file.unlink(missing_ok=True)  # a hard link: never write through it
            if new:
                scratch_file.parent.mkdir(parents=True, exist_ok=True)
                scratch_file.write_bytes(content)
            scratch = ox.Store()
            scratch.extend(state.store)
            scratch.update(update)
            _validate(settings, scratch, scratch_data)
        path = data_dir / relative
        tmp = path.with_name(path.name + ".tmp")
        if new:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(content)
        try:
            state.store.update(update)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if new:
            os.replace(tmp, path)
        else:
            path.unlink(missing_ok=True)
        state.changed()
        return 201 if not old else (204 if method == "DELETE" else 200)


@router.api_route("/papers/{local}", methods=["PUT", "POST", "DELETE"])
async def write_paper(request: Request, local: str) -> Response:
    """Replace (PUT), extend (POST) or delete (DELETE) one paper's triples; needs the bearer token."""
    settings: Settings = request.app.state.settings
    refused = _check_authorised(request, settings)
    if refused is not None:
        return refused
    if not _LOCAL.fullmatch(local):
        raise InputError("the paper's local name must be a lower-case slug such as arxiv-2310.12931")
    body = b""
    if request.method != "DELETE":
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "text/turtle":
            return plain_error(415, "send the paper as Content-Type: text/turtle")
        body = await read_body(request, limit=settings.max_body_bytes)
    status = await run_in_threadpool(_write, request.app.state.graph, local, request.method, body)
    if status == 204:
        return Response(status_code=204)
    return plain_error(status, f"{'created' if status == 201 else 'updated'} {PAPER}{local}")
