"""The pipeline on one screen: load -> validate -> reason -> swap into place.

The store is rebuilt only when an input changed (ontology, data, QC rules or this package's code);
a rebuild happens in a staging folder that replaces the live store only once it is complete, so a
failed build (broken Turtle, violations, inconsistency) leaves the previous store untouched.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

import kg
from kg.atomic import write_atomic
from kg.errors import ValidationFailed
from kg.load import load_graphs, turtle_files
from kg.settings import Settings

__all__ = ["build", "input_fingerprint", "command"]

_PACKAGE_DIR = Path(kg.__file__).parent


def _inputs(settings: Settings) -> list[Path]:
    files = turtle_files(settings.ontology_dir) + turtle_files(settings.data_dir)
    files += sorted(settings.qc_dir.glob("*.rq")) if settings.qc_dir.is_dir() else []
    return files + sorted(_PACKAGE_DIR.rglob("*.py"))


def input_fingerprint(settings: Settings) -> str:
    """A digest of every input of the build: file names and contents."""
    digest = hashlib.sha256()
    for path in _inputs(settings):
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stamp_file(settings: Settings) -> Path:
    return settings.store_dir.with_name(settings.store_dir.name + ".fingerprint")


def build(settings: Settings, *, rebuild: bool = False, log=None) -> ox.Store:
    """Return the store for the current inputs, building it when needed.

    Raises TurtleSyntaxError (file, line, column), ValidationFailed (with the report) or
    InconsistentOntology; in each case the live store is left as it was.
    """
    from kg.reason import reason
    from kg.validate import validate

    say = log or (lambda message: print(message, file=sys.stderr))
    fingerprint = input_fingerprint(settings)
    stamp = _stamp_file(settings)
    if not rebuild and settings.store_dir.is_dir() and stamp.is_file() and stamp.read_text() == fingerprint:
        say(f"store up to date: {settings.store_dir}")
        return ox.Store(str(settings.store_dir))

    started = time.perf_counter()
    staging = settings.store_dir.with_name(settings.store_dir.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(staging))
    completed = False
    try:
        loaded = load_graphs(store, ontology_dir=settings.ontology_dir, data_dir=settings.data_dir)
        say(f"loaded {loaded} triples from {settings.ontology_dir} and {settings.data_dir}")
        report = validate(settings=settings, store=store)
        if not report.conforms:
            raise ValidationFailed(report)
        say("validated: data conforms to the shapes and QC rules")
        result = reason(settings=settings, store=store)
        say(f"reasoned: {result}")
        store.flush()
        completed = True
    finally:
        del store  # closes the staging database before it is moved or removed
        gc.collect()
        if not completed:
            shutil.rmtree(staging, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    shutil.rmtree(settings.store_dir, ignore_errors=True)
    staging.rename(settings.store_dir)
    write_atomic(stamp, fingerprint)
    say(f"store built in {time.perf_counter() - started:.1f} s: {settings.store_dir}")
    return ox.Store(str(settings.store_dir))


def command(settings: Settings, args: argparse.Namespace) -> int:
    store = build(settings, rebuild=args.rebuild)
    print(f"{len(store)} quads in {settings.store_dir}")
    return 0
