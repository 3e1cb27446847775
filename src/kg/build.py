"""The pipeline on one screen: load -> validate -> reason -> publish.

The build is the store's one writer (`kg.store`): it fills a new store folder under the writer lock and
publishes it only once it is complete, so a failed build (broken Turtle, violations, inconsistency)
leaves the current store as it was, and readers (the server, its workers, other commands) keep working
on the store they opened. A store is rebuilt only when an input that shapes it changed: the ontology,
the data (data/ttl/ overlaid with the edits of data/edits/, see kg.edits), the past editions
(data/editions/, each loaded into graph:edition/<id>, see kg.edition_graph), the QC rules and the
reasoner's rules, not unrelated code. A write through the API (kg.edits.write) is a build too.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

import kg
from kg.datafiles import ProjectFiles
from kg.edition_graph import edition_graph_name
from kg.errors import ValidationFailed
from kg.iri import GRAPH_INFERRED
from kg.load import parse_turtle, turtle_files
from kg.runner import StoreRunner
from kg.search import INDEX_NAME, build_index
from kg.settings import Settings
from kg.store import PublishedStore, current, new_build_dir, publish, writer_lock
from kg.views import view_quads

__all__ = ["build", "make_store", "input_fingerprint", "STORE_FORMAT"]

STORE_FORMAT = "2"
"""Bump when the way a store is laid out or reasoned changes without any input file changing
(2: the build folder holds the search index, kg.search)."""

_REASONER_RULES = ("reason.py", "class_rules.py", "load.py", "datafiles.py", "edits.py", "views.py")
"""The modules whose code decides what the store holds (besides the input files)."""


def _inputs(settings: Settings, *, pending: Iterable[Path] = ()) -> list[tuple[str, Path]]:
    """(name, path) of every input, in a stable order; `pending` adds edit files not yet written."""
    edits = sorted(set(turtle_files(Path(settings.edits_dir))) | set(pending))
    groups = [("ontology", Path(settings.ontology_dir), turtle_files(Path(settings.ontology_dir))),
              ("data", Path(settings.data_dir), turtle_files(Path(settings.data_dir))),
              ("edits", Path(settings.edits_dir), edits),
              ("editions", Path(settings.editions_dir), turtle_files(Path(settings.editions_dir))),
              ("qc", settings.qc_dir, sorted(settings.qc_dir.glob("*.rq")) if settings.qc_dir.is_dir() else [])]
    named = [(f"{group}/{path.relative_to(folder).as_posix()}", path)
             for group, folder, paths in groups for path in paths]
    package = Path(kg.__file__).parent
    return named + [(f"kg/{name}", package / name) for name in _REASONER_RULES]


def input_fingerprint(settings: Settings, *, pending: dict[Path, bytes] | None = None) -> str:
    """A digest of every input that shapes the store: file paths (relative to their folder) and contents.
    `pending` gives the content of edit files about to be written (see kg.edits.write)."""
    pending = pending or {}
    digest = hashlib.sha256(STORE_FORMAT.encode())
    for name, path in _inputs(settings, pending=pending):
        content = pending[path] if path in pending else path.read_bytes()
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def make_store(settings: Settings, project: ProjectFiles, *, whole_graph: bool = False,
               log: Callable[[str], None]) -> Path:
    """A complete, closed, unpublished store of `project` in a new build folder (call under the writer
    lock): loaded, validated over the asserted graphs and reasoned (both at once), with its search index. The folder is
    removed if this raises (ValidationFailed, InconsistentOntology ...); after a failed validation it
    returns only once the reasoning running beside it has ended."""
    from kg.reason import reason
    from kg.validate import validate

    # every edition file parses before the (long) build starts; they stay out of validation and reasoning
    editions = [quad for path in turtle_files(Path(settings.editions_dir))
                for quad in parse_turtle(path, graph=edition_graph_name(path))]
    target = new_build_dir(settings)
    store: ox.Store | None = None
    completed = False
    try:
        store = ox.Store(str(target))  # inside the try: an interrupt right here still removes the folder
        store.extend(project.quads())
        # the per-source views (graph:view/survey, list, sheets), derived from graph:records
        store.extend(view_quads(project.quads()))
        log(f"loaded {len(store)} triples from {settings.ontology_dir}, {settings.data_dir} "
            f"and {settings.edits_dir}, with the per-source views")
        # Validation (pySHACL, here) and reasoning (HermiT, a Java process) run at the same time; the
        # reasoner fills its own in-memory copy so that the QC queries see only the asserted graphs.
        reasoned = ox.Store()
        reasoned.extend(project.quads())
        with ThreadPoolExecutor(max_workers=1) as pool:
            reasoning = pool.submit(reason, settings=settings, store=reasoned, whole_graph=whole_graph)
            report = validate(settings=settings, store=store, project=project)
            if not report.conforms:
                raise ValidationFailed(report)
            log("validated: data conforms to the shapes and QC rules")
            result = reasoning.result()  # raises InconsistentOntology
        store.extend(reasoned.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_INFERRED)))
        log(f"reasoned: {result}")
        if editions:
            store.extend(editions)
            log(f"loaded {len(editions)} quads of the past editions (graph:edition/...)")
        store.flush()
        # the search index is part of the published build: built from the finished store, beside it
        works = build_index(StoreRunner(store), target / INDEX_NAME)
        log(f"search index: {works} works")
        completed = True
    finally:
        store = None  # closes the database before it is published or removed
        gc.collect()
        if not completed:
            shutil.rmtree(target, ignore_errors=True)
    return target


def build(settings: Settings, *, rebuild: bool = False, whole_graph: bool = False,
          log: Callable[[str], None] | None = None) -> PublishedStore:
    """Publish a store for the current inputs (data/ttl/ overlaid with data/edits/, see kg.edits),
    building it when needed (or when `rebuild`).

    Raises TurtleSyntaxError (file, line, column), ValidationFailed (with the report),
    InconsistentOntology or StoreBusy (another build or write is running); in each case the current
    store is left as it was.
    """
    from kg.edits import project_files

    say = log or (lambda message: print(message, file=sys.stderr))
    fingerprint = input_fingerprint(settings)
    published = current(settings)
    if not rebuild and published is not None and published.fingerprint == fingerprint:
        say(f"store up to date: {published.path}")
        return published

    with writer_lock(settings):
        started = time.perf_counter()
        target = make_store(settings, project_files(settings), whole_graph=whole_graph, log=say)
        published = publish(settings, target, fingerprint=fingerprint)
        say(f"store built in {time.perf_counter() - started:.1f} s: {published.path}")
        return published
