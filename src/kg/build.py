"""The pipeline on one screen: load -> validate -> reason -> publish.

The build is the store's one writer (`kg.store`): it fills a new store folder under the writer lock and
publishes it only once it is complete, so a failed build (broken Turtle, violations, inconsistency)
leaves the current store as it was, and readers (the server, its workers, other commands) keep working
on the store they opened. A store is rebuilt only when an input that shapes it changed: the ontology,
the data, the QC rules and the reasoner's rules, not unrelated code.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

import kg
from kg.errors import ValidationFailed
from kg.load import load_graphs, turtle_files
from kg.settings import Settings
from kg.store import PublishedStore, current, new_build_dir, publish, writer_lock

__all__ = ["build", "input_fingerprint", "STORE_FORMAT"]

STORE_FORMAT = "1"
"""Bump when the way a store is laid out or reasoned changes without any input file changing."""

_REASONER_RULES = ("reason.py", "class_rules.py", "load.py")
"""The modules whose code decides what the store holds (besides the input files)."""


def _inputs(settings: Settings) -> list[Path]:
    files = turtle_files(settings.ontology_dir) + turtle_files(settings.data_dir)
    files += sorted(settings.qc_dir.glob("*.rq")) if settings.qc_dir.is_dir() else []
    package = Path(kg.__file__).parent
    return files + [package / name for name in _REASONER_RULES]


def input_fingerprint(settings: Settings) -> str:
    """A digest of every input that shapes the store: file paths (relative to their folder) and contents."""
    digest = hashlib.sha256(STORE_FORMAT.encode())
    for path in _inputs(settings):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build(settings: Settings, *, rebuild: bool = False, whole_graph: bool = False,
          log: Callable[[str], None] | None = None) -> PublishedStore:
    """Publish a store for the current inputs, building it when needed (or when `rebuild`).

    Raises TurtleSyntaxError (file, line, column), ValidationFailed (with the report),
    InconsistentOntology or StoreBusy (another build or write is running); in each case the current
    store is left as it was.
    """
    from kg.reason import reason
    from kg.validate import validate

    say = log or (lambda message: print(message, file=sys.stderr))
    fingerprint = input_fingerprint(settings)
    published = current(settings)
    if not rebuild and published is not None and published.fingerprint == fingerprint:
        say(f"store up to date: {published.path}")
        return published

    with writer_lock(settings):
        started = time.perf_counter()
        target = new_build_dir(settings)
        store = ox.Store(str(target))
        completed = False
        try:
            loaded = load_graphs(store, ontology_dir=settings.ontology_dir, data_dir=settings.data_dir)
            say(f"loaded {loaded} triples from {settings.ontology_dir} and {settings.data_dir}")
            report = validate(settings=settings, store=store)
            if not report.conforms:
                raise ValidationFailed(report)
            say("validated: data conforms to the shapes and QC rules")
            result = reason(settings=settings, store=store, whole_graph=whole_graph)
            say(f"reasoned: {result}")
            store.flush()
            completed = True
        finally:
            del store  # closes the database before it is published or removed
            gc.collect()
            if not completed:
                shutil.rmtree(target, ignore_errors=True)
        published = publish(settings, target, fingerprint=fingerprint)
        say(f"store built in {time.perf_counter() - started:.1f} s: {published.path}")
        return published
