"""The history commands: `kg changelog`, `kg diff A B`, `kg release VERSION` (docs/editions.md).

`kg diff` compares two editions of the list (by date, commit or `seed`) semantically, or two datasets
(the current build, a build id, a release version or a dump file) as a canonical graph diff.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pyoxigraph as ox

from kg.cli.progress import Progress
from kg.errors import InputError, NotFound
from kg.settings import Settings

__all__ = ["cmd_changelog", "cmd_diff", "cmd_release"]


def _history(settings: Settings, progress: Progress):
    from kg.editions import read_history

    progress.step(f"reading the editions in {settings.sources_dir}")
    history = read_history(sources_dir=settings.sources_dir, curated_dir=settings.curated_dir)
    progress.clear()
    return history


def cmd_changelog(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.edition_diff import changelog as edition_changelog
    from kg.edition_diff import changelog_markdown

    rows = edition_changelog(_history(settings, progress))
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(changelog_markdown(rows))
    return 0


def _dataset(settings: Settings, ref: str) -> tuple[str, ox.Store] | None:
    """The dataset `ref` names (a dump file, a release version, `current` or a build id), else None."""
    from kg.graph_diff import DUMP_FORMATS, read_dump
    from kg.store import current

    path = Path(ref)
    release = Path(settings.releases_dir) / ref / "duality-kg.nq"
    build = Path(settings.store_dir) / "builds" / ref
    if path.suffix.lower() in DUMP_FORMATS:
        source, quads = str(path), read_dump(path)
    elif "/" not in ref and release.is_file():
        source, quads = f"release {ref}", read_dump(release)
    elif ref == "current" or ("/" not in ref and (build / "CURRENT").exists()):
        published = current(settings)
        if ref == "current" and published is None:
            raise NotFound("no build to compare: run `kg build` first")
        folder = published.path if ref == "current" and published else build
        return f"build {folder.name}", ox.Store.read_only(str(folder))
    else:
        return None
    store = ox.Store()
    store.extend(quads)
    return source, store


def cmd_diff(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.graph_diff import graph_diff, report_markdown, store_report

    a, b = _dataset(settings, args.a), _dataset(settings, args.b)
    if a is not None and b is not None:
        progress.step(f"comparing {a[0]} and {b[0]} (canonical graph diff)")
        change = graph_diff(a[1], b[1], a_name=a[0], b_name=b[0])
        progress.clear()
        if args.format in ("patch", "sparql"):
            sys.stdout.write(change.to_patch() if args.format == "patch" else change.to_sparql())
            return 0
        report = store_report(change, a=a[1], b=b[1], settings=settings)
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n" if args.format == "json"
                         else report_markdown(report))
        return 0
    if (a is None) != (b is None):
        raise InputError(f"kg diff compares two editions or two datasets, not one of each: {args.a!r} and "
                         f"{args.b!r} (a dataset is `current`, a build id, a release version or a "
                         ".nq/.trig/.ttl/.nt file)")
    return _diff_editions(settings, args, progress)


def _diff_editions(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.edition_diff import diff as edition_diff
    from kg.edition_graph import edition_dataset
    from kg.graph_diff import graph_diff

    history = _history(settings, progress)
    older, newer = history.find(args.a), history.find(args.b)
    if args.format in ("patch", "sparql"):
        change = graph_diff(edition_dataset(older), edition_dataset(newer), a_name=older.label, b_name=newer.label)
        sys.stdout.write(change.to_patch() if args.format == "patch" else change.to_sparql())
        return 0
    change_ = edition_diff(older, newer, history=history)
    if args.format == "json":
        print(json.dumps(change_.to_json(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(change_.to_markdown())
    return 0


def cmd_release(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.build import input_fingerprint
    from kg.releases import make_release
    from kg.store import open_current

    store = open_current(settings, fingerprint=input_fingerprint(settings))
    progress.step(f"writing release {args.version}: dumps, VoID, checksums, changes")
    release = make_release(settings, store, args.version, out=Path(args.out) if args.out else None)
    progress.done(f"release {release.version} ({release.issued}, {release.quads} quads) in {release.path}: "
                  f"{', '.join(release.files)}" + (f"; changes since {release.previous}" if release.previous else ""))
    return 0
