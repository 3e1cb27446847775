"""The arguments of every `kg` command and the help a user reads (`kg -h`, `kg COMMAND -h`)."""

from __future__ import annotations

import argparse
import textwrap

from kg import __version__
from kg.cli.maintain import add_arguments as maintain_arguments
from kg.cli.place import add_arguments as place_arguments

__all__ = ["build_parser"]

DESCRIPTION = """The knowledge graph of the survey "The duality of generative AI and reinforcement learning
in robotics": build it, check it, query it, serve it.

Exit codes: 0 ok; 1 the data does not conform (violations); 2 could not run (the message says why and
what to do); 130 interrupted. Data goes to stdout, messages to stderr. Settings come from KG_*
environment variables (KG_ROOT, KG_STORE_DIR, KG_PORT, ...)."""

STORE_NOTE = ("Reads the store `kg build` published, read-only (it works while `kg serve` runs); exits 2 "
              "when none was built or the files changed since, unless --build is given.")


class _HelpFormatter(argparse.HelpFormatter):
    """Wraps each paragraph of a description on its own and appends '(default: X)' to options that have one."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n\n".join(textwrap.fill(" ".join(paragraph.split()), width, initial_indent=indent,
                                          subsequent_indent=indent) for paragraph in text.split("\n\n"))

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS, []) and "%(default)" not in text \
                and action.option_strings:
            text += " (default: %(default)s)"
        return text


def _command(sub: argparse._SubParsersAction, name: str, summary: str, details: str = "") -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=summary, description=f"{summary}.\n\n{details}".strip(),
                            formatter_class=_HelpFormatter)
    # also accepted after the command (`kg query x --debug`); SUPPRESS keeps a `--debug` given before it
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="on an error, print the traceback too")
    return parser


def _build_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--build", action="store_true",
                        help="build the store first when the files changed (as `kg build` does)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description=DESCRIPTION, formatter_class=_HelpFormatter)
    parser.add_argument("-V", "--version", action="version", version=f"kg {__version__}")
    parser.add_argument("--debug", action="store_true", help="on an error, print the traceback too")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = _command(sub, "serve", "build the store if the files changed, then serve the SPARQL endpoint and pages",
                     "Stops before listening when the data does not conform (exit 1). Ctrl-C stops the server.")
    serve.add_argument("--host", default=None, help="bind address (default: KG_HOST, else 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default: KG_PORT, else 8000)")
    serve.add_argument("--rebuild", action="store_true", help="rebuild the store even if no file changed")

    build = _command(sub, "build", "load ontology/ and data/ttl/ into a new store, validate, reason and publish it",
                     "Skipped when no input changed since the last build. A failed build leaves the published "
                     "store as it was; readers (kg serve, other commands) keep working during a build.")
    build.add_argument("--rebuild", action="store_true", help="rebuild even if no file changed")

    validate = _command(sub, "validate", "check data/ttl/ against the SHACL shapes and QC rules, and the ontology "
                        "with HermiT", "Reads the files, not the store. Exit 0 conforms, 1 violations (listed "
                        "on stdout by rule, file and node), 2 could not run (e.g. a file does not parse).")
    validate.add_argument("--skip-reasoner", action="store_true",
                          help="skip the HermiT check of the ontology (shapes and QC rules only)")

    imp = _command(sub, "import", "regenerate data/ttl/ from the source documents (deterministic)",
                   "Writes nothing when a source is missing or malformed.")
    imp.add_argument("--sources", default=None, help="sources folder (default: KG_SOURCES_DIR, else ../shared)")

    stats = _command(sub, "stats", "count the papers, source records, links and violations data/ttl/ holds",
                     "Reads the files, not the store.")
    stats.add_argument("--format", choices=["json", "table"], default="table", help="output format")

    query = _command(sub, "query", "run a named query from queries/ and print its result", STORE_NOTE)
    query.add_argument("name", help="the query's name (its file name without .rq); `kg queries` lists them")
    query.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                       help="a query parameter, e.g. category=cat:llm (repeatable; absent ones take their default)")
    query.add_argument("--format", choices=["table", "csv", "json", "md"], default="table", help="output format")
    _build_option(query)

    _command(sub, "queries", "list the named queries with their summaries and parameters",
             "Reads queries/, not the store.")

    reason = _command(sub, "reason", "rebuild the store, classifying the works with HermiT anew (graph:inferred)",
                      "The same pipeline as `kg build --rebuild`.")
    reason.add_argument("--whole-graph", action="store_true",
                        help="one HermiT run over the whole graph instead of per fact signature (slow; for checking)")

    gaps = _command(sub, "gaps", "research-gap report: gap matrices with trends, Section 9 status, research questions",
                    STORE_NOTE)
    gaps.add_argument("--format", choices=["json", "md", "html"], default="md", help="report format")
    gaps.add_argument("--out", default=None, help="write the report and heatmap.png/.svg into this folder "
                      "(default: print the report)")
    _build_option(gaps)

    figures = _command(sub, "figures", "draw the survey's trend chart and heatmap as PNG and SVG", STORE_NOTE)
    figures.add_argument("--out", default="out/figures", help="output folder")
    _build_option(figures)

    export = _command(sub, "export", "write the whole graph in one RDF file, or its works as a bibliography",
                      "nq keeps the named graphs; the other RDF formats write the union of every graph (works, source "
                      "records, per-source views, editions, inferences), each triple once. bibtex, ris, csl-json "
                      "and csv write the works (all, those under --category, or those --query returns) with "
                      "the facts the graph holds. " + STORE_NOTE)
    export.add_argument("--format", choices=["ttl", "nt", "nq", "jsonld", "rdfxml", "bibtex", "ris", "csl-json", "csv"],
                        default="ttl", help="output format")
    export.add_argument("--out", default=None, help="output file (default: stdout)")
    export.add_argument("--category", default=None, metavar="CONCEPT",
                        help="bibliography formats: only the works in this category or a narrower one, e.g. cat:llm")
    export.add_argument("--query", default=None, metavar="NAME",
                        help="bibliography formats: only the works this named query returns, e.g. papers-in-category")
    export.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="a parameter of the --query, e.g. category=cat:vlm (repeatable)")
    _build_option(export)


    editions_note = ("Reads the editions in survey-repo/history/ and seed 000 of the sources folder (KG_SOURCES_DIR), "
                     "not the store; works are matched across editions by the importer's rules (docs/editions.md).")
    changelog = _command(sub, "changelog", "list every edition of the companion list with what changed from the one "
                         "before (works listed, added, removed, moved, headings renamed)", editions_note)
    changelog.add_argument("--format", choices=["md", "json"], default="md", help="output format")

    diff = _command(sub, "diff", "what changed between two editions of the survey (works, headings, spreadsheet "
                    "cells) or two builds or dumps (canonical graph diff)",
                    "An edition is `seed` (seed 000, the newest), a date or date prefix (2024-08-27: the last "
                    "edition of that day; 2024-08-27T1616 also works), or a commit id of 7+ hex digits. "
                    + editions_note)
    diff.add_argument("a", help="the older edition, or a dataset: `current`, a build id, a release version, "
                      "a .nq/.trig/.ttl/.nt dump")
    diff.add_argument("b", help="the newer edition or dataset")
    diff.add_argument("--format", choices=["md", "json", "patch", "sparql"], default="md",
                      help="md/json for people and tools; patch (RDF Patch) or sparql (SPARQL Update) for stores")

    release = _command(sub, "release", "write a dated snapshot of the built store under releases/VERSION",
                       "Dumps in every export format, a VoID description with checksums, and the diff to the "
                       "previous release. Exit 2 when the version exists. " + STORE_NOTE)
    release.add_argument("version", help="the release's version, e.g. 1.0")
    release.add_argument("--out", default=None, help="write the release into this folder instead of releases/VERSION")

    maintain_arguments(sub, _command)
    place_arguments(sub, _command)
    render = _command(sub, "render", "write the files the survey's maintainers publish, from the graph",
                      "list: the companion list README (headings, order, `[[paper]]` links); sheets: the six "
                      ".xlsx files with the authors' file names, headers and cells; tables: the survey's "
                      "Tables 1-5, 7 and 9. " + STORE_NOTE)
    render.add_argument("what", choices=["list", "sheets", "tables"], help="what to render")
    render.add_argument("--out", default=None, help="list: output file (default: stdout); sheets: output folder "
                        "(default: out/sheets); tables: output folder (default: stdout)")
    render.add_argument("--format", choices=["latex", "csv", "md"], default="md", help="tables: output format")
    render.add_argument("--table", type=int, default=None, choices=[1, 2, 3, 4, 5, 7, 9],
                        help="tables: only this table (default: all)")
    _build_option(render)
    return parser
