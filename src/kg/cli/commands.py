"""The commands: each reads its arguments, calls library functions and writes the result.

Each is `(settings, args, progress) -> exit code`; errors are raised, and `kg.cli.main` maps them to exit
codes and one-line messages. Library modules are imported inside the commands so that `kg --help` and a
settings error answer at once instead of loading matplotlib, owlready2 and the reasoner first.

Only `build`, `reason` and `serve` (and the read commands given `--build`) build the store; the read
commands open the published store read-only, and refuse a store built from other inputs than the files
hold now, so they never rebuild behind a user's back and work while `kg serve` runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg.atomic import replacing, write_atomic
from kg.cli.editions import cmd_changelog, cmd_diff, cmd_release
from kg.cli.maintain import cmd_add, cmd_candidates, cmd_review
from kg.cli.place import cmd_place
from kg.cli.progress import Progress
from kg.errors import KgError, ParameterError
from kg.settings import Settings

__all__ = ["COMMANDS"]

Command = Callable[[Settings, argparse.Namespace, Progress], int]


def _build(settings: Settings, progress: Progress, *, rebuild: bool = False, whole_graph: bool = False) -> None:
    """Run the one writer (`kg.build.build`), showing its steps, and end with a summary line."""
    from kg.build import build

    progress.step("building the store: load, validate, reason, publish")
    published = build(settings, rebuild=rebuild, whole_graph=whole_graph, log=progress.step)
    quads = len(ox.Store.read_only(str(published.path)))
    progress.done(f"{progress.last} ({quads} quads)")


def _current_store(settings: Settings, args: argparse.Namespace, progress: Progress) -> ox.Store:
    """The published store, read-only; built first when `--build` was given.

    Raises StoreMissing or StoreStale (both naming `kg build`) instead of building.
    """
    from kg.build import input_fingerprint
    from kg.store import open_current

    if args.build:
        _build(settings, progress)
    return open_current(settings, fingerprint=input_fingerprint(settings))


# ---------------------------------------------------------------- writers of the store


def serve(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.api import server

    _build(settings, progress, rebuild=args.rebuild)
    try:
        settings.host, settings.port = args.host or settings.host, args.port or settings.port
        server.serve(settings)
        return 0
    except SystemExit as exit_:  # uvicorn exits (code 1) when it cannot bind or start
        if exit_.code in (0, None):
            return 0
        host, port = args.host or settings.host, args.port or settings.port
        raise KgError(f"the server could not start on {host}:{port} (see the log above; "
                      f"is the port in use? choose another with --port or KG_PORT)") from None


def build(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    _build(settings, progress, rebuild=args.rebuild)
    return 0


def reason(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    _build(settings, progress, rebuild=True, whole_graph=args.whole_graph)
    return 0


def import_(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.ingest import run_import

    sources = Path(args.sources) if args.sources else settings.sources_dir
    progress.step(f"reading the sources in {sources} and writing {settings.data_dir}")
    result = run_import(sources_dir=sources, curated_dir=settings.curated_dir, out_dir=settings.data_dir,
                        editions_dir=settings.editions_dir)
    progress.done(f"{result.files} files ({result.papers} works, {result.records} source records, "
                  f"{result.triples} triples) in {result.out_dir}; {result.unresolved} unresolved item(s) "
                  f"in {result.report}; {result.editions} edition(s) in {settings.editions_dir}")
    return 0


# ---------------------------------------------------------------- readers of the files


def validate(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.validate import ontology_violations
    from kg.validate import validate as run_validation

    progress.step(f"checking {settings.data_dir} against the shapes and QC rules")
    report = run_validation(settings=settings)
    if not args.skip_reasoner:
        progress.step("checking the ontology with HermiT")
        report.violations.extend(ontology_violations(settings))
    progress.clear()
    if report.conforms:
        print(report.render())
        return 0
    print(str(report))
    sys.stdout.flush()
    progress.done(f"{len(report.violations)} violation(s); the data does not conform")
    return 1


def stats(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.stats import collect_stats

    progress.step(f"counting what {settings.data_dir} holds")
    counts = collect_stats(settings=settings)
    progress.clear()
    if args.format == "json":
        print(json.dumps(counts, indent=2, ensure_ascii=False))
    else:
        width = max(len(name) for name in counts)
        for name, value in counts.items():
            print(f"{name.replace('_', ' '):<{width}}  {'null' if value is None else value}")
    return 0


def queries(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.queries import list_queries

    if not Path(settings.queries_dir).is_dir():
        raise KgError(f"no queries folder at {settings.queries_dir} (set KG_QUERIES_DIR or KG_ROOT)")
    for query in list_queries(settings):
        params = " ".join(f"{p.name}:{p.type_label}" + (f"={p.default}" if p.default else "")
                          for p in query.parameters)
        print(f"{query.name:36} {query.summary}" + (f"  [{params}]" if params else ""))
    return 0


# ---------------------------------------------------------------- readers of the store


def _params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--param {pair!r}: expected KEY=VALUE, e.g. --param category=cat:llm")
        params[key.strip()] = value
    return params


def query(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.errors import QuerySyntaxError
    from kg.queries import (
        bind_parameters,
        format_table,
        load_query,
        result_table,
        run_query,
    )

    named = load_query(settings, args.name)
    params = _params(args.param)
    bind_parameters(named, params)  # a bad parameter is reported before the store is opened
    solutions = run_query(store=_current_store(settings, args, progress), query=named, params=params)
    if not isinstance(solutions, ox.QuerySolutions):
        raise QuerySyntaxError(f"{named.path}: a named query must be a SELECT query")
    sys.stdout.write(format_table(result_table(solutions), fmt=args.format))
    return 0


def gaps(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.gaps import build_report, render_heatmap, render_html, render_markdown

    report = build_report(settings=settings, store=_current_store(settings, args, progress))
    renderers = {"json": lambda: json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                 "md": lambda: render_markdown(report), "html": lambda: render_html(report)}
    text = renderers[args.format]()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    write_atomic(out / f"gaps.{args.format}", text)
    for image_format in ("png", "svg"):
        image = render_heatmap(report, image_format=image_format)
        write_atomic(out / f"heatmap.{image_format}", image)
    progress.done(f"wrote gaps.{args.format}, heatmap.png, heatmap.svg in {out}")
    return 0


def figures(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.figures import FORMATS, figure_names, render_figure

    store = _current_store(settings, args, progress)
    out = Path(args.out)
    written = []
    for name in figure_names():
        for fmt in FORMATS:
            progress.step(f"drawing {name}.{fmt}")
            image = render_figure(store=store, settings=settings, name=name, fmt=fmt)
            write_atomic(out / f"{name}.{fmt}", image)
            written.append(f"{name}.{fmt}")
    progress.done(f"wrote {', '.join(written)} in {out}")
    return 0


def export(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.export import export as export_graph

    if args.format in ("bibtex", "ris", "csl-json", "csv"):
        from kg.cli.render import cmd_bibliography

        return cmd_bibliography(settings, args, progress)
    if args.category or args.query or args.param:
        raise ParameterError(f"--category, --query and --param select works for the bibliography formats "
                             f"(bibtex, ris, csl-json, csv), not for --format {args.format}")
    store = _current_store(settings, args, progress)
    if args.out is None:
        export_graph(store, format=args.format, output=sys.stdout.buffer)
        return 0
    out = Path(args.out)
    with replacing(out) as tmp:
        export_graph(store, format=args.format, output=tmp)
    progress.done(f"wrote {out}")
    return 0


COMMANDS: dict[str, Command] = {
    "serve": serve, "build": build, "validate": validate, "import": import_, "stats": stats,
    "query": query, "queries": queries, "reason": reason, "gaps": gaps, "figures": figures, "export": export,
    "changelog": cmd_changelog, "diff": cmd_diff, "release": cmd_release,
    "add": cmd_add, "review": cmd_review, "candidates": cmd_candidates, "place": cmd_place,
}
# kg.cli.render reads the store through this module's _current_store, so it is imported once this module is
from kg.cli.render import cmd_render  # noqa: E402

COMMANDS["render"] = cmd_render
"""Command name -> function; `kg.cli.parser` gives each its arguments."""
