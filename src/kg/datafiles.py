"""Read the project's Turtle files all-or-nothing, remembering which file each node comes from.

Validation reports name the file a violation is in, so the files are parsed one by one (with
pyoxigraph, whose syntax errors carry line and column) and every subject is indexed to its file.
Nothing is handed on until every file has parsed: one broken file stops the run before anything
is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import TurtleSyntaxError
from kg.iri import GRAPH_DATA, GRAPH_ONTOLOGY

__all__ = ["TurtleFile", "ProjectFiles", "parse_turtle", "ontology_paths", "data_paths", "read_project"]

SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class TurtleFile:
    """One parsed Turtle file: its path and its triples (as default-graph quads)."""

    path: Path
    quads: list[ox.Quad]


def parse_turtle(path: Path) -> TurtleFile:
    """Parse one Turtle file.

    Raises TurtleSyntaxError (file, line, column) when it does not parse, and the OSError of
    reading it when it cannot be read.
    """
    try:
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()))
    except SyntaxError as err:
        raise TurtleSyntaxError(path, err.lineno, err.offset, str(err.msg)) from None
    return TurtleFile(path=path, quads=quads)


def ontology_paths(ontology_dir: Path) -> list[Path]:
    """The OWL/SKOS files of `ontology/` (top level only: not the SHACL shapes, not the vocabulary pins)."""
    return sorted(p for p in ontology_dir.glob("*.ttl") if p.name != SHAPES_FILE)


def data_paths(data_dir: Path) -> list[Path]:
    """Every Turtle file under `data/ttl/`, in a stable order."""
    return sorted(data_dir.rglob("*.ttl")) if data_dir.is_dir() else []


@dataclass
class ProjectFiles:
    """The parsed ontology and data files, with an index from each subject to its file."""

    ontology: list[TurtleFile]
    data: list[TurtleFile]
    _subject_file: dict[ox.NamedNode | ox.BlankNode, Path] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Data files first, so a node described in the data is reported at its data file even
        # when the ontology mentions it too.
        for parsed in [*self.data, *self.ontology]:
            for quad in parsed.quads:
                self._subject_file.setdefault(quad.subject, parsed.path)

    def source_of(self, node: ox.NamedNode | ox.BlankNode) -> Path | None:
        """The file in which `node` is a subject (data files before ontology files), if any."""
        return self._subject_file.get(node)

    def quads(self, *, with_ontology: bool = True) -> Iterator[ox.Quad]:
        """All quads, in their named graphs (graph:ontology, graph:data)."""
        if with_ontology:
            for parsed in self.ontology:
                for q in parsed.quads:
                    yield ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(GRAPH_ONTOLOGY))
        for parsed in self.data:
            for q in parsed.quads:
                yield ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(GRAPH_DATA))

    def to_store(self) -> ox.Store:
        """A fresh in-memory store holding graph:ontology and graph:data."""
        store = ox.Store()
        store.bulk_extend(self.quads())
        return store


def _parse_all(paths: Iterable[Path]) -> list[TurtleFile]:
    return [parse_turtle(p) for p in paths]


def read_project(*, ontology_dir: Path, data_dir: Path | None) -> ProjectFiles:
    """Parse every ontology file and every data file; all-or-nothing.

    Raises TurtleSyntaxError for the first file that does not parse (nothing is returned then).
    """
    ontology = _parse_all(ontology_paths(ontology_dir))
    data = _parse_all(data_paths(data_dir)) if data_dir is not None else []
    return ProjectFiles(ontology=ontology, data=data)
