"""The edits layer: a maintainer's write is one reviewable Turtle file per paper, `data/edits/papers/<id>.ttl`.

`kg import` regenerates data/ttl/ from the sources and never touches data/edits/; the build overlays the
edits on data/ttl/ when it loads (`project_files`), so an edit survives any number of imports. An edit
file holds the paper's whole description after the edit: the paper, its records (`<paper>#...`) and the
blank nodes they reach. It replaces that description wherever data/ttl/ has it; a file without triples
(written by DELETE) removes the paper. One file per paper, whatever the method, so its git history is
the paper's edit history and there is no separate tombstone to reconcile with it.

A write (`write`) checks the input, then under the store's writer lock builds a complete new store from
the files with the edit applied (validated with the shapes and QC rules over the asserted graphs, then
reasoned: an inconsistency is refused), makes the edit file durable, and only then publishes the store.
A crash at any step leaves either nothing changed, or a durable edit file newer than the published
store, which the next `kg serve` / `kg build` sees through the input fingerprint and rebuilds.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.atomic import write_atomic
from kg.datafiles import ProjectFiles, TurtleFile, read_file
from kg.errors import InconsistentOntology, InputError, NotFound, TurtleSyntaxError
from kg.formats import FORMATS
from kg.iri import GRAPH_DATA, GRAPH_ONTOLOGY, PAPER, PREFIXES
from kg.load import ontology_files, turtle_files
from kg.settings import Settings
from kg.views import apply_precedence, place_records

__all__ = ["FAILPOINTS", "FORMAT_SUFFIXES", "MAX_ID_CHARS", "PaperEdit", "WriteResult", "check_id",
           "check_description", "description", "edit_path", "overlay", "parse_body", "project_files",
           "remove_leftovers", "write", "write_batch"]

PAPERS = "papers"
MAX_ID_CHARS = 100
"""Longer ids are refused: a file name has at most 255 bytes, and ids are for people to read."""
FORMAT_SUFFIXES = tuple(sorted({"." + fmt.suffix for fmt in FORMATS}
                              | {".trig", ".n3", ".json", ".rdf", ".owl", ".xml", ".htm", ".txt"}))
"""An id ending like a file format would make its page unreachable: /paper/x.ttl is x as Turtle. Every
suffix of the formats table (kg.formats), and the other usual RDF and document suffixes."""
FAILPOINTS = ("before-store", "before-edit-file", "after-edit-file", "after-publish")
"""The steps of a write at which `Settings.failpoint` makes the process exit (crash tests only)."""

_ID = re.compile(r"[a-z0-9][a-z0-9.\-]*")
_IRI_SCHEMES = ("http://", "https://")
_OWL_NOTHING = PREFIXES["owl"] + "Nothing"
_RDF_TYPE = PREFIXES["rdf"] + "type"
_TMP_SUFFIX = ".tmp"  # what kg.atomic names its temporary files


@dataclass(frozen=True)
class WriteResult:
    status: str
    """'created', 'updated' or 'deleted'."""
    paper: str
    edit_file: str
    """The edit file, relative to the project folder."""


# ---------------------------------------------------------------- input checks


def check_id(paper_id: str) -> None:
    """Raise InputError unless `paper_id` is a usable paper id: [a-z0-9.-], starting with a letter or
    digit, at most MAX_ID_CHARS, not ending in a format suffix."""
    if len(paper_id) > MAX_ID_CHARS:
        raise InputError(f"a paper id has at most {MAX_ID_CHARS} characters; this one has {len(paper_id)}")
    if not _ID.fullmatch(paper_id):
        raise InputError("a paper id is a lower-case slug of a-z, 0-9, '.' and '-' starting with a letter or "
                         "digit, such as arxiv-2310.12931")
    if paper_id.endswith(FORMAT_SUFFIXES):
        raise InputError(f"a paper id may not end in a format suffix ({', '.join(FORMAT_SUFFIXES)}): "
                         f"/paper/{paper_id} would be read as a format of another id")


def parse_body(body: bytes, *, paper: ox.NamedNode) -> list[ox.Triple]:
    """The triples of a Turtle request body (relative IRIs against the paper's IRI).

    Raises InputError (not UTF-8) or TurtleSyntaxError naming 'request body', line and column.
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the Turtle body is not valid UTF-8") from None
    try:
        return [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE, base_iri=paper.value)]
    except SyntaxError as err:
        raise TurtleSyntaxError("request body", getattr(err, "lineno", None), getattr(err, "offset", None),
                                str(err)) from None


def check_description(triples: list[ox.Triple], *, paper: ox.NamedNode) -> None:
    """Raise unless `triples` describe only `paper`: subjects the paper, its records (`<paper>#...`) or
    blank nodes they reach; IRIs http(s) only; no type owl:Nothing (InconsistentOntology)."""
    own = paper.value + "#"
    for triple in triples:
        subject = triple.subject
        if isinstance(subject, ox.NamedNode) and subject != paper and not subject.value.startswith(own):
            raise InputError(f"the body may only describe {paper.value} and its records ({own}...); "
                             f"found subject {subject.value}")
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode) and not term.value.startswith(_IRI_SCHEMES):
                raise InputError(f"only http:// and https:// IRIs may be written; found <{term.value}>")
        if triple.predicate.value == _RDF_TYPE and triple.object == ox.NamedNode(_OWL_NOTHING):
            raise InconsistentOntology(
                f"{subject} rdf:type owl:Nothing: owl:Nothing is the empty class (OWL 2 axiom: "
                "owl:Nothing owl:equivalentClass [ owl:complementOf owl:Thing ]), nothing can be a member")
    reached = {q.subject for q in description((ox.Quad(t.subject, t.predicate, t.object) for t in triples), paper)}
    stray = sorted({str(t.subject) for t in triples if isinstance(t.subject, ox.BlankNode)
                    and t.subject not in reached})
    if stray:
        raise InputError(f"blank node {stray[0]} is a subject that {paper.value} and its records do not reach; "
                         "attach it to the paper or a record, or give it an IRI")


# ---------------------------------------------------------------- the overlay


def description(quads: Iterable[ox.Quad], paper: ox.NamedNode) -> list[ox.Quad]:
    """The quads describing `paper`: subject the paper or one of its records (`<paper>#...`), or a blank
    node reached from those (transitively)."""
    return _descriptions(quads, [paper])


def _descriptions(quads: Iterable[ox.Quad], papers: list[ox.NamedNode]) -> list[ox.Quad]:
    by_subject: dict[object, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        by_subject[quad.subject].append(quad)
    names = {p.value for p in papers}
    pending: list[ox.NamedNode | ox.BlankNode] = [s for s in by_subject
                                                  if isinstance(s, ox.NamedNode) and s.value.split("#", 1)[0] in names]
    seen: set[ox.NamedNode | ox.BlankNode] = set(pending)
    found = []
    while pending:
        for quad in by_subject[pending.pop()]:
            found.append(quad)
            if isinstance(quad.object, ox.BlankNode) and quad.object not in seen:
                seen.add(quad.object)
                pending.append(quad.object)
    return found


def edit_path(settings: Settings, paper_id: str) -> Path:
    return Path(settings.edits_dir) / PAPERS / f"{paper_id}.ttl"


def _paper_of(edit: TurtleFile) -> ox.NamedNode:
    return ox.NamedNode(PAPER + edit.path.stem)


def overlay(data: list[TurtleFile], edits: list[TurtleFile]) -> list[TurtleFile]:
    """`data` with every edited paper's description removed, followed by the edit files."""
    papers = [_paper_of(e) for e in edits]
    if not papers:
        return list(data)
    out = []
    for parsed in data:
        replaced = set(_descriptions(parsed.quads, papers))
        out.append(TurtleFile(parsed.path, [q for q in parsed.quads if q not in replaced]) if replaced else parsed)
    return out + list(edits)


def read_edits(settings: Settings) -> list[TurtleFile]:
    """The edit files, parsed. Raises TurtleSyntaxError (file, line, column) or InputError for a file
    whose name is not a paper id."""
    edits = []
    for path in turtle_files(Path(settings.edits_dir) / PAPERS):
        try:
            check_id(path.stem)
        except InputError as err:
            raise InputError(f"{path}: the file name is not a paper id: {err}") from None
        edits.append(read_file(path))
    return edits


def project_files(settings: Settings, *, pending: TurtleFile | list[TurtleFile] | None = None) -> ProjectFiles:
    """The ontology and the data as the build loads them: data/ttl/ overlaid with data/edits/ (and with
    `pending`, edits not yet on disk, in place of their files). All-or-nothing: raises TurtleSyntaxError."""
    pendings = [] if pending is None else [pending] if isinstance(pending, TurtleFile) else list(pending)
    replaced = {p.path for p in pendings}
    ontology = [read_file(p, graph=GRAPH_ONTOLOGY) for p in ontology_files(Path(settings.ontology_dir))]
    data = [read_file(p) for p in turtle_files(Path(settings.data_dir))]
    edits = [e for e in read_edits(settings) if e.path not in replaced] + pendings
    return ProjectFiles(ontology=ontology, data=overlay(data, edits))


# ---------------------------------------------------------------- the write


def _edit_text(triples: list[ox.Triple], *, paper_id: str, method: str, by: str) -> bytes:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    by = re.sub(r"[^\x20-\x7e]", "?", by)[:200]  # one comment line: a newline would inject Turtle
    header = (f"# kg edit of paper:{paper_id}: its whole description after the edit; it replaces what\n"
              f"# data/ttl/ says about the paper{' (no triples: the paper is deleted)' if not triples else ''}.\n"
              f"# method: {method}\n# at: {stamp}\n# by: {by}\n\n")
    body = (ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"") if triples else b""
    return header.encode() + body


def _pending_file(path: Path, content: bytes) -> TurtleFile:
    """An edit file not yet written, parsed as a build reads a data file (records in graph:records, the
    merged view's precedence applied), so validation sees what the build will load."""
    return TurtleFile(path, apply_precedence(place_records(
        [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(GRAPH_DATA))
         for t in ox.parse(content, format=ox.RdfFormat.TURTLE)])))


def _failpoint(settings: Settings, step: str) -> None:
    if settings.failpoint == step:
        os._exit(137)  # as if killed: no cleanup, no flush


def _relative(settings: Settings, path: Path) -> str:
    return os.path.relpath(path, Path(settings.root))


def write(settings: Settings, *, paper_id: str, method: str, body: bytes = b"", by: str = "unknown",
          log: Callable[[str], None] | None = None) -> WriteResult:
    """PUT (replace), POST (add to) or DELETE one paper's description; return what was done.

    Raises InputError (bad id or body), NotFound (DELETE of an unknown paper), ValidationFailed (the
    report names data/edits/papers/<id>.ttl), InconsistentOntology, StoreBusy (another write or build
    held the writer lock for `settings.write_wait_s`). Nothing is changed when it raises.
    """
    check_id(paper_id)
    paper = ox.NamedNode(PAPER + paper_id)
    incoming = []
    if method != "DELETE":
        incoming = parse_body(body, paper=paper)
        if not incoming:
            raise InputError("the Turtle body has no triples; use DELETE to remove a paper")
        check_description(incoming, paper=paper)

    def compose(files: ProjectFiles) -> list[PaperEdit]:
        old = [q.triple for q in description(files.quads(), paper)]
        if method == "DELETE" and not old:
            raise NotFound(f"there is no paper {paper.value}")
        new = {"PUT": incoming, "POST": list(dict.fromkeys([*old, *incoming])), "DELETE": []}[method]
        return [PaperEdit(paper_id=paper_id, triples=new)]

    [result] = write_batch(settings, compose=compose, method=method, by=by, log=log)
    return result


@dataclass(frozen=True)
class PaperEdit:
    """One paper's whole description after an edit (`triples`); no triples deletes the paper."""
    paper_id: str
    triples: list[ox.Triple]


def write_batch(settings: Settings, *, compose: Callable[[ProjectFiles], list[PaperEdit]], method: str,
                by: str = "unknown", log: Callable[[str], None] | None = None) -> list[WriteResult]:
    """Replace the descriptions of several papers in one store build: all are validated together, and
    none is written unless the whole batch conforms (kg add, kg review, kg candidates use it).

    `compose` runs under the writer lock with the project's files as they are then (data/ttl/ overlaid
    with data/edits/), so what it decides from them cannot be overtaken by another write; it returns
    the edits (an empty list writes nothing). `method` names the command in each file's header.
    Raises what `compose` raises, InputError (a bad id or description), ValidationFailed,
    InconsistentOntology, StoreBusy; nothing is changed when it raises. A crash while the files are
    being written can leave the first files of the batch written: the next build includes them.
    """
    from kg.build import input_fingerprint, make_store
    from kg.store import publish, writer_lock

    with writer_lock(settings, wait_s=settings.write_wait_s):
        _failpoint(settings, "before-store")
        files = project_files(settings)
        edits = compose(files)
        if not edits:
            return []
        described = {q.subject.value.split("#", 1)[0] for q in files.quads() if isinstance(q.subject, ox.NamedNode)}
        contents: dict[Path, bytes] = {}
        for edit in edits:
            check_id(edit.paper_id)
            check_description(edit.triples, paper=ox.NamedNode(PAPER + edit.paper_id))
            contents[edit_path(settings, edit.paper_id)] = _edit_text(edit.triples, paper_id=edit.paper_id,
                                                                      method=method, by=by)
        pendings = [_pending_file(path, content) for path, content in contents.items()]
        fingerprint = input_fingerprint(settings, pending=contents)
        target = make_store(settings, project_files(settings, pending=pendings), log=log or (lambda _: None))
        try:
            _failpoint(settings, "before-edit-file")
            for path, content in contents.items():
                write_atomic(path, content)
            _failpoint(settings, "after-edit-file")
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        publish(settings, target, fingerprint=fingerprint)
        _failpoint(settings, "after-publish")
    return [WriteResult(status=("deleted" if not edit.triples else
                                "updated" if PAPER + edit.paper_id in described else "created"),
                        paper=PAPER + edit.paper_id, edit_file=_relative(settings, edit_path(settings, edit.paper_id)))
            for edit in edits]


def remove_leftovers(settings: Settings) -> list[Path]:
    """Remove what killed writers and servers left behind: temporary edit files, unpublished store
    builds, and the snapshot/scratch folders of older servers (`kg-snapshots-*`, `kg-write-*`) in the
    store's parent folder. Skipped (returns []) while another process holds the writer lock."""
    from kg.errors import StoreBusy
    from kg.store import remove_unused, writer_lock

    removed: list[Path] = []
    try:
        with writer_lock(settings):
            removed += [p for p in (Path(settings.edits_dir) / PAPERS).glob("*" + _TMP_SUFFIX) if p.is_file()]
            for p in removed:
                p.unlink(missing_ok=True)
            home = Path(settings.store_dir).parent
            for pattern in ("kg-snapshots-*", "kg-write-*"):
                for folder in home.glob(pattern):
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(folder)
            removed += remove_unused(settings)
    except StoreBusy:
        return []
    return removed
