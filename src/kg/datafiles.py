"""The project's Turtle files parsed one by one, remembering which file each node comes from.

Validation reports name the file a violation is in, so files are parsed separately (with
`kg.load`, all-or-nothing: pyoxigraph's syntax errors carry line and column) and every subject is
indexed to its file. Nothing is handed on until every file has parsed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.iri import GRAPH_DATA, GRAPH_ONTOLOGY
from kg.load import ontology_files, parse_data, parse_turtle, turtle_files

__all__ = ["value_of", "TurtleFile", "ProjectFiles", "read_file", "read_project", "relative_name"]


@dataclass(frozen=True)
class TurtleFile:
    """One parsed Turtle file: its path and its quads (in graph:ontology, or graph:data and graph:records)."""

    path: Path
    quads: list[ox.Quad]


def read_file(path: Path, *, graph: str = GRAPH_DATA) -> TurtleFile:
    """Parse one Turtle file into `graph`; a data file's records go to graph:records (kg.load.parse_data).
    Raises TurtleSyntaxError (file, line, column)."""
    return TurtleFile(path=path, quads=parse_data(path) if graph == GRAPH_DATA else parse_turtle(path, graph=graph))


@dataclass
class ProjectFiles:
    """The parsed ontology and data files, with an index from each subject to its file."""

    ontology: list[TurtleFile]
    data: list[TurtleFile]
    _subject_file: dict[ox.NamedNode | ox.BlankNode | ox.Triple, Path] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Data files first: a node described in the data is reported at its data file even when
        # the ontology mentions it too.
        for parsed in [*self.data, *self.ontology]:
            for quad in parsed.quads:
                self._subject_file.setdefault(quad.subject, parsed.path)

    def source_of(self, node: ox.NamedNode | ox.BlankNode) -> Path | None:
        """The file in which `node` is a subject (data files before ontology files), if any."""
        return self._subject_file.get(node)

    def source_name(self, node: ox.NamedNode | ox.BlankNode, *, root: Path | None = None) -> str | None:
        """The file defining `node`, relative to `root` when it lies inside it (for reports), if any."""
        path = self.source_of(node)
        return None if path is None else relative_name(path, root=root)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad, ontology first."""
        for parsed in [*self.ontology, *self.data]:
            yield from parsed.quads

    def to_store(self) -> ox.Store:
        """A fresh in-memory store holding graph:ontology, graph:data and graph:records."""
        store = ox.Store()
        store.extend(self.quads())
        return store


def relative_name(path: Path, *, root: Path | None = None) -> str:
    """`path` relative to `root` when it lies inside it (for reports), else as given."""
    if root is not None and path.resolve().is_relative_to(root):
        return str(path.resolve().relative_to(root))
    return str(path)


def read_project(*, ontology_dir: Path, data_dir: Path | None) -> ProjectFiles:
    """Parse every ontology file and every data file; all-or-nothing.

    Raises TurtleSyntaxError for the first file that does not parse (nothing is returned then).
    """
    ontology = [read_file(p, graph=GRAPH_ONTOLOGY) for p in ontology_files(ontology_dir)]
    data = [read_file(p, graph=GRAPH_DATA) for p in turtle_files(data_dir)] if data_dir is not None else []
    return ProjectFiles(ontology=ontology, data=data)


def value_of(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The IRI, blank node id or lexical form of `term`; '' for an RDF-star triple (the data has none)."""
    return "" if isinstance(term, ox.Triple) else term.value
