"""Run the SHACL shapes (ontology/shapes.ttl) over ontology + data with pySHACL.

One pySHACL run over one graph holding the ontology and all data files, without inference: the
ontology's rdfs:subClassOf triples are in the graph, which is all `sh:class` needs, and skipping
RDFS/OWL inference keeps a run over the whole data fast. Each result is turned into a `Violation`
naming the file its focus node is written in.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.namespace import SH

from kg.datafiles import ProjectFiles
from kg.iri import PREFIXES
from kg.iri import compact as iri_compact
from kg.load import parse_turtle
from kg.validation_report import Severity, Violation

__all__ = ["SHAPES_NS", "load_shapes", "run_shapes", "to_rdflib_graph", "compact"]

SHAPES_NS = "https://w3id.org/duality-kg/shapes#"
_PREFIXES = {**PREFIXES, "shape": SHAPES_NS, "sh": str(SH)}
_SEVERITY = {SH.Violation: Severity.ERROR, SH.Warning: Severity.WARNING, SH.Info: Severity.INFO}


def compact(iri: str) -> str:
    """`https://w3id.org/duality-kg/shapes#Work-title` -> `shape:Work-title`."""
    return iri_compact(iri, prefixes=_PREFIXES)


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def to_rdflib_graph(quads: object) -> rdflib.Graph:
    """An rdflib graph of the given pyoxigraph quads (graph names dropped)."""
    graph = rdflib.Graph()
    for q in quads:  # type: ignore[attr-defined]
        graph.add((_term(q.subject), _term(q.predicate), _term(q.object)))
    return graph


def load_shapes(shapes_path: Path) -> rdflib.Graph:
    """The shapes graph. Raises TurtleSyntaxError if shapes.ttl does not parse."""
    return to_rdflib_graph(parse_turtle(shapes_path, graph="urn:x-kg:shapes"))


def _text(node: rdflib.term.Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, rdflib.URIRef):
        return compact(str(node))
    if isinstance(node, rdflib.BNode):
        return f"_:{node}"
    return str(node)


def _rule(results: rdflib.Graph, result: rdflib.term.Node) -> str:
    # A SPARQL constraint is reported with its node shape as sh:sourceShape; name the constraint itself.
    constraint = results.value(result, SH.sourceConstraint)
    if isinstance(constraint, rdflib.URIRef):
        return compact(str(constraint))
    shape = results.value(result, SH.sourceShape)
    return _text(shape) or "shape:(unnamed)"


def _focus_file(project: ProjectFiles, focus: rdflib.term.Node, root: Path | None) -> str | None:
    node = ox.NamedNode(str(focus)) if isinstance(focus, rdflib.URIRef) else ox.BlankNode(str(focus))
    return project.source_name(node, root=root)


def run_shapes(*, project: ProjectFiles, shapes_path: Path, root: Path | None = None) -> list[Violation]:
    """Validate ontology + data against the shapes; one `Violation` per SHACL result.

    Raises TurtleSyntaxError if shapes.ttl does not parse.
    """
    shapes = load_shapes(shapes_path)
    data = to_rdflib_graph(project.quads())
    _conforms, results, _text_report = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=False, meta_shacl=False,
        allow_warnings=True, inplace=True,
    )
    violations = []
    # Only the report's own results: pySHACL also types the nested sh:detail results of sh:node.
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        severity = _SEVERITY.get(results.value(result, SH.resultSeverity), Severity.ERROR)
        violations.append(Violation(
            rule=_rule(results, result),
            focus_node=_text(focus) or "",
            source_file=_focus_file(project, focus, root) if focus is not None else None,
            message=str(message) if message is not None else "constraint not met",
            path=_text(results.value(result, SH.resultPath)),
            value=_text(results.value(result, SH.value)),
            severity=severity,
        ))
    return sorted(violations)
