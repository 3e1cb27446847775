"""What the server says about one IRI: its facts (with the graph each comes from), its source records,
and the links pointing at it. Used by the linked-data pages and their RDF variants."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.iri import DKG, GRAPH_INFERRED

__all__ = ["Fact", "Description", "describe"]

_RECORD_OF = ox.NamedNode(DKG + "recordOf")
_MAX_INBOUND = 200


@dataclass
class Fact:
    predicate: ox.NamedNode
    object: ox.NamedNode | ox.BlankNode | ox.Literal
    inferred: bool
    """True when the fact is only in graph:inferred (the reasoner's output)."""


@dataclass
class Description:
    iri: str
    facts: list[Fact] = field(default_factory=list)
    records: dict[str, list[Fact]] = field(default_factory=dict)
    inbound: list[tuple[ox.NamedNode, ox.NamedNode]] = field(default_factory=list)
    """(subject, predicate) of triples whose object is this IRI (capped)."""
    blank_facts: dict[str, list[Fact]] = field(default_factory=dict)
    """Facts of blank nodes the resource points at (e.g. Table 1 coverage), keyed by blank node id."""

    @property
    def exists(self) -> bool:
        return bool(self.facts or self.records or self.inbound)

    def triples(self) -> list[ox.Triple]:
        """Every triple about the resource and its records (each once, whatever graph holds it)."""
        subject = ox.NamedNode(self.iri)
        seen: dict[ox.Triple, None] = {}
        for fact in self.facts:
            seen.setdefault(ox.Triple(subject, fact.predicate, fact.object))
        for node, facts in self.blank_facts.items():
            for fact in facts:
                seen.setdefault(ox.Triple(ox.BlankNode(node), fact.predicate, fact.object))
        for record, facts in self.records.items():
            for fact in facts:
                seen.setdefault(ox.Triple(ox.NamedNode(record), fact.predicate, fact.object))
        return list(seen)


def _facts(store: ox.Store, subject: ox.NamedNode | ox.BlankNode) -> list[Fact]:
    by_triple: dict[tuple, Fact] = {}
    for quad in store.quads_for_pattern(subject, None, None, None):
        key = (quad.predicate, quad.object)
        inferred = isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == GRAPH_INFERRED
        if key in by_triple:
            by_triple[key].inferred = by_triple[key].inferred and inferred
        else:
            by_triple[key] = Fact(quad.predicate, quad.object, inferred)
    return sorted(by_triple.values(), key=lambda f: (f.predicate.value, str(f.object)))


def describe(store: ox.Store, iri: str) -> Description:
    """Collect the description of `iri` from every graph of `store`."""
    node = ox.NamedNode(iri)
    description = Description(iri=iri, facts=_facts(store, node))
    for fact in description.facts:
        if isinstance(fact.object, ox.BlankNode):
            description.blank_facts[fact.object.value] = _facts(store, fact.object)
    records = sorted({q.subject.value for q in store.quads_for_pattern(None, _RECORD_OF, node, None)
                      if isinstance(q.subject, ox.NamedNode)})
    for record in records:
        description.records[record] = _facts(store, ox.NamedNode(record))
    inbound: dict[tuple, None] = {}
    for quad in store.quads_for_pattern(None, None, node, None):
        if quad.predicate == _RECORD_OF or not isinstance(quad.subject, ox.NamedNode):
            continue
        inbound.setdefault((quad.subject, quad.predicate))
        if len(inbound) >= _MAX_INBOUND:
            break
    description.inbound = sorted(inbound, key=lambda sp: (sp[1].value, sp[0].value))
    return description
