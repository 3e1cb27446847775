"""The `kg` command line: thin commands over library functions.

Exit codes: 0 ok, 1 the data does not conform (violations), 2 could not run.
Data goes to stdout, diagnostics to stderr; tracebacks only with --debug.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kg import __version__
from kg.errors import KgError, ValidationFailed
from kg.settings import Settings

__all__ = ["main", "build_parser"]

# command name -> (module, function). Each function is `(settings, args) -> int` (the exit code).
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("kg.api.server", "command"),
    "build": ("kg.build", "command"),
    "validate": ("kg.validate", "command"),
    "import": ("kg.ingest", "command"),
    "stats": ("kg.stats", "command"),
    "query": ("kg.queries", "command_query"),
    "queries": ("kg.queries", "command_list"),
    "reason": ("kg.reason", "command"),
    "gaps": ("kg.gaps", "command"),
    "figures": ("kg.figures", "command"),
    "export": ("kg.export", "command"),
}


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.ArgumentDefaultsHelpFormatter
    parser = argparse.ArgumentParser(prog="kg", description=__doc__.splitlines()[0], formatter_class=fmt)
    parser.add_argument("-V", "--version", action="version", version=f"kg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="build the store (load, validate, reason) and serve the SPARQL endpoint",
                           formatter_class=fmt)
    serve.add_argument("--host", default=None, help="bind address (default: KG_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default: KG_PORT or 8000)")
    serve.add_argument("--rebuild", action="store_true", help="rebuild the store even if nothing changed")

    build = sub.add_parser("build", help="load ontology + data into the store, validate and reason", formatter_class=fmt)
    build.add_argument("--rebuild", action="store_true", help="rebuild even if nothing changed")

    validate = sub.add_parser("validate", help="run the SHACL shapes and QC queries and check the ontology with "
                              "HermiT (exit 0 ok, 1 violations, 2 could not run)", formatter_class=fmt)
    validate.add_argument("--skip-reasoner", action="store_true",
                          help="skip the HermiT consistency check of the ontology (shapes and QC queries only)")

    imp = sub.add_parser("import", help="rebuild data/ttl/ from the source documents (deterministic)",
                         formatter_class=fmt)
    imp.add_argument("--sources", default=None, help="sources folder (default: KG_SOURCES_DIR or ../shared)")

    stats = sub.add_parser("stats", help="counts of papers, records, links and violations", formatter_class=fmt)
    stats.add_argument("--format", choices=["json", "table"], default="table")

    query = sub.add_parser("query", help="run a named query from queries/", formatter_class=fmt)
    query.add_argument("name", help="query name (file name without .rq); see `kg queries`")
    query.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="query parameter")
    query.add_argument("--format", choices=["table", "csv", "json", "md"], default="table")

    sub.add_parser("queries", help="list the named queries with their summaries", formatter_class=fmt)

    reason = sub.add_parser("reason", help="classify works with HermiT and write the inferred graph",
                            formatter_class=fmt)
    reason.add_argument("--whole-graph", action="store_true",
                        help="reason over the whole graph in one HermiT run instead of batches (slow, for checking)")

    gaps = sub.add_parser("gaps", help="research-gap report from the reasoned graph", formatter_class=fmt)
    gaps.add_argument("--format", choices=["json", "md", "html"], default="md")
    gaps.add_argument("--out", default=None, help="write the report (and heatmaps) into this folder")

    figures = sub.add_parser("figures", help="render the trend chart and heatmap (PNG and SVG)", formatter_class=fmt)
    figures.add_argument("--out", default="out/figures", help="output folder")

    export = sub.add_parser("export", help="export the whole graph", formatter_class=fmt)
    export.add_argument("--format", choices=["ttl", "nt", "nq", "jsonld", "rdfxml"], default="ttl")
    export.add_argument("--out", default=None, help="output file (default: stdout)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        module_name, function_name = COMMANDS[args.command]
        command = getattr(importlib.import_module(module_name), function_name)
        return int(command(settings, args) or 0)
    except ValidationFailed as err:
        print(err, file=sys.stderr)
        return 1
    except KgError as err:
        if args.debug:
            raise
        print(f"kg {args.command}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
