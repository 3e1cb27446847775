"""Read the Turtle files of the ontology and the data into the store, all or nothing.

Every file is parsed before anything is written, so a broken file leaves the store as it was; the
error names the file, line and column. A data file's works go to graph:data and its source records to
graph:records (`parse_data`, kg.views), so that the default graph of a query holds works only.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import TurtleSyntaxError
from kg.iri import GRAPH_DATA, GRAPH_ONTOLOGY
from kg.views import apply_precedence, place_records, view_quads

__all__ = ["turtle_files", "ontology_files", "parse_turtle", "parse_data", "read_graph", "load_graphs", "SHAPES_FILE"]

SHAPES_FILE = "shapes.ttl"


def turtle_files(folder: Path) -> list[Path]:
    """The `.ttl` files under `folder` (recursively), in a stable order."""
    return sorted(folder.rglob("*.ttl")) if folder.is_dir() else []


def ontology_files(ontology_dir: Path) -> list[Path]:
    """The ontology's own files: `ontology/*.ttl` except the SHACL shapes (the pinned copies of
    reused vocabularies in `ontology/vocab/` are for checking term names, not for loading)."""
    return sorted(p for p in ontology_dir.glob("*.ttl") if p.name != SHAPES_FILE)


def parse_turtle(path: Path, *, graph: str) -> list[ox.Quad]:
    """The triples of one Turtle file as quads in `graph`.

    Raises TurtleSyntaxError (file, line, column) when the file does not parse.
    """
    target = ox.NamedNode(graph)
    try:
        return [ox.Quad(t.subject, t.predicate, t.object, target)
                for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    except SyntaxError as err:
        raise TurtleSyntaxError(path, err.lineno, err.offset, err.msg) from None
    except (OSError, ValueError) as err:
        raise TurtleSyntaxError(path, None, None, str(err)) from None


def parse_data(path: Path) -> list[ox.Quad]:
    """The quads of one data file: works (and shared entities) in graph:data, source records in
    graph:records, single-valued facts where sources disagree resolved by the precedence rule (kg.views).

    Raises TurtleSyntaxError (file, line, column) when the file does not parse.
    """
    return apply_precedence(place_records(parse_turtle(path, graph=GRAPH_DATA)))


def read_graph(files: Iterable[Path], *, graph: str) -> list[ox.Quad]:
    """The quads of several files in one named graph; raises on the first broken file."""
    return [quad for path in files for quad in parse_turtle(path, graph=graph)]


def load_graphs(store: ox.Store, *, ontology_dir: Path, data_dir: Path) -> int:
    """Add the ontology (graph:ontology), the data (graph:data, graph:records) and the per-source views
    (graph:view/...) to `store`, as the build does; return the quad count.

    Parses every file first and writes in one transaction: on a TurtleSyntaxError the store is unchanged.
    """
    quads = read_graph(ontology_files(ontology_dir), graph=GRAPH_ONTOLOGY)
    quads += [quad for path in turtle_files(data_dir) for quad in parse_data(path)]
    quads += view_quads(quads)
    store.extend(quads)
    return len(quads)
