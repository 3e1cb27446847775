"""The ontology's class axioms compiled into rules evaluated over a work's facts (used by `kg reason`).

HermiT classifies the ontology once (the class hierarchy, the types of the shared individuals); these
rules then place each distinct fact signature without a tableau. They cover the fragment the ontology
uses: named classes, intersectionOf, unionOf, hasValue, someValuesFrom, allValuesFrom over oneOf (with
the per-work closure of `dkg:closedPerWork` properties), oneOf; equivalentClass and subClassOf (GCIs);
rdfs:domain; sub-properties and property chains for the work's property values. `compile_rules` raises
`UnsupportedAxiom` on anything else, and `kg reason` then lets HermiT realise every signature instead.
`kg reason` also has HermiT realise a sample of signatures and compares, so a gap in this fragment
cannot go unnoticed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Store

from kg.iri import GRAPH_ONTOLOGY, PREFIXES

__all__ = ["UnsupportedAxiom", "ClassRules", "compile_rules"]

OWL = PREFIXES["owl"]
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
RDF_TYPE = RDF + "type"

Expression = tuple


class UnsupportedAxiom(Exception):
    """A class axiom outside the compiled fragment (the caller falls back to HermiT)."""


def _value(term: object) -> str:
    """The IRI, blank node id or lexical form of a term; quoted triples are outside the fragment."""
    if isinstance(term, NamedNode | BlankNode | Literal):
        return term.value
    raise UnsupportedAxiom(f"{term} in a class axiom is not an IRI, blank node or literal")


def _objects(store: Store, subject: object, predicate: str) -> list[object]:
    if not isinstance(subject, NamedNode | BlankNode):
        raise UnsupportedAxiom(f"{subject} in a class axiom is not an IRI or blank node")
    return [q.object for q in store.quads_for_pattern(subject, NamedNode(predicate), None, NamedNode(GRAPH_ONTOLOGY))]


def _one(store: Store, subject: object, predicate: str) -> object | None:
    found = _objects(store, subject, predicate)
    return found[0] if found else None


def _list(store: Store, head: object) -> list[object]:
    items = []
    while head is not None and not (isinstance(head, NamedNode) and head.value == RDF + "nil"):
        items.append(_one(store, head, RDF + "first"))
        head = _one(store, head, RDF + "rest")
    return items


def _parse(store: Store, node: object) -> Expression:
    if isinstance(node, NamedNode):
        return ("class", node.value)
    if not isinstance(node, BlankNode):
        raise UnsupportedAxiom(f"class expression {node}")
    if (items := _one(store, node, OWL + "intersectionOf")) is not None:
        return ("and", tuple(_parse(store, i) for i in _list(store, items)))
    if (items := _one(store, node, OWL + "unionOf")) is not None:
        return ("or", tuple(_parse(store, i) for i in _list(store, items)))
    if (items := _one(store, node, OWL + "oneOf")) is not None:
        return ("one", frozenset(_value(i) for i in _list(store, items)))
    prop = _one(store, node, OWL + "onProperty")
    if isinstance(prop, NamedNode):
        if (value := _one(store, node, OWL + "hasValue")) is not None and isinstance(value, NamedNode):
            return ("has", prop.value, value.value)
        if (filler := _one(store, node, OWL + "someValuesFrom")) is not None:
            return ("some", prop.value, _parse(store, filler))
        if (filler := _one(store, node, OWL + "allValuesFrom")) is not None:
            return ("all", prop.value, _parse(store, filler))
    raise UnsupportedAxiom(f"class expression {node} (only intersection, union, oneOf, hasValue, some/all values)")


@dataclass
class ClassRules:
    """Rules `expression => named class`, domains, property hierarchy and chains, from graph:ontology."""

    rules: list[tuple[Expression, str]]
    domains: dict[str, set[str]]
    ranges: dict[str, set[str]]
    super_properties: dict[str, set[str]]
    chains: list[tuple[str, str, str]]
    entailed_values: dict[str, set[tuple[str, str]]]
    hierarchy: dict[str, frozenset[str]]
    context_types: dict[str, frozenset[str]]
    context_values: dict[str, set[tuple[str, str]]]
    closed: set[str]

    def _ancestors(self, cls: str) -> frozenset[str]:
        return self.hierarchy.get(cls, frozenset({cls})) | {cls}

    def _object_in(self, expression: Expression, obj: str) -> bool:
        kind = expression[0]
        if kind == "class":
            return expression[1] == OWL + "Thing" or expression[1] in self.context_types.get(obj, ())
        if kind == "one":
            return obj in expression[1]
        if kind == "and":
            return all(self._object_in(e, obj) for e in expression[1])
        if kind == "or":
            return any(self._object_in(e, obj) for e in expression[1])
        if kind == "has":
            return (expression[1], expression[2]) in self.context_values.get(obj, set())
        raise UnsupportedAxiom(f"nested restriction {expression} on a shared individual")

    def _holds(self, expression: Expression, facts: set[tuple[str, str]], types: set[str],
               closed_values: dict[str, set[str]]) -> bool:
        kind = expression[0]
        if kind == "class":
            return expression[1] == OWL + "Thing" or expression[1] in types
        if kind == "and":
            return all(self._holds(e, facts, types, closed_values) for e in expression[1])
        if kind == "or":
            return any(self._holds(e, facts, types, closed_values) for e in expression[1])
        if kind == "has":
            return (expression[1], expression[2]) in facts
        if kind == "some":
            return any(p == expression[1] and self._object_in(expression[2], o) for p, o in facts)
        if kind == "all":
            if expression[1] not in closed_values:
                return False
            return all(self._object_in(expression[2], o) for o in closed_values[expression[1]])
        if kind == "one":
            return False
        raise UnsupportedAxiom(str(expression))

    def value_closure(self, facts: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """The work's property values closed under sub-properties and chains (first link on the work)."""
        closed = set(facts)
        while True:
            grown = set(closed)
            for p, o in closed:
                grown |= {(q, o) for q in self.super_properties.get(p, ())}
            for result, first, second in self.chains:
                grown |= {(result, y) for p, x in closed if p == first
                          for q, y in self.context_values.get(x, ()) if q == second}
            if grown == closed:
                return closed
            closed = grown

    def classify(self, *, types: Iterable[str], facts: Iterable[tuple[str, str]], incoming: Iterable[str] = ()
                 ) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
        """Named classes (with ancestors) and property values of a work with these asserted types and facts.

        `incoming` names properties that link another work to this one (their ranges type this work).
        """
        facts = list(facts)
        values = self.value_closure(facts)
        closed_values: dict[str, set[str]] = defaultdict(set)
        for p, o in facts:
            if p in self.closed:
                closed_values[p].add(o)
        members: set[str] = set()
        for cls in types:
            members |= self._ancestors(cls)
        for p, _ in values:
            for domain in self.domains.get(p, ()):
                members |= self._ancestors(domain)
        for p in incoming:
            for q in {p} | self.super_properties.get(p, set()):
                for range_class in self.ranges.get(q, ()):
                    members |= self._ancestors(range_class)
        while True:
            before = len(members) + len(values)
            for expression, cls in self.rules:
                if cls not in members and self._holds(expression, values, members, closed_values):
                    members |= self._ancestors(cls)
            for cls in list(members):
                values |= self.entailed_values.get(cls, set())
            values = self.value_closure(values)
            if len(members) + len(values) == before:
                break
        members.discard(OWL + "Thing")
        return frozenset(members), frozenset(values)


def compile_rules(store: Store, *, hierarchy: dict[str, frozenset[str]], context_types: dict[str, frozenset[str]],
                  context_values: dict[str, set[tuple[str, str]]], closed: set[str]) -> ClassRules:
    """Read graph:ontology into `ClassRules`. Raises `UnsupportedAxiom` for constructs outside the fragment."""
    graph = NamedNode(GRAPH_ONTOLOGY)
    rules: list[tuple[Expression, str]] = []
    entailed: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, NamedNode(OWL + "equivalentClass"), None, graph):
        if not isinstance(quad.subject, NamedNode):
            raise UnsupportedAxiom(f"equivalentClass with an anonymous subject {quad.subject}")
        expression = _parse(store, quad.object)
        rules.append((expression, quad.subject.value))
        conjuncts = expression[1] if expression[0] == "and" else (expression,)
        entailed[quad.subject.value] |= {(c[1], c[2]) for c in conjuncts if c[0] == "has"}
    for quad in store.quads_for_pattern(None, NamedNode(RDFS + "subClassOf"), None, graph):
        if isinstance(quad.subject, BlankNode) and isinstance(quad.object, NamedNode):
            rules.append((_parse(store, quad.subject), quad.object.value))
        elif isinstance(quad.subject, NamedNode) and isinstance(quad.object, BlankNode):
            expression = _parse(store, quad.object)
            conjuncts = expression[1] if expression[0] == "and" else (expression,)
            entailed[quad.subject.value] |= {(c[1], c[2]) for c in conjuncts if c[0] == "has"}
    domains: dict[str, set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, NamedNode(RDFS + "domain"), None, graph):
        if isinstance(quad.object, NamedNode):
            domains[_value(quad.subject)].add(quad.object.value)
        else:
            raise UnsupportedAxiom(f"rdfs:domain of {quad.subject} is a class expression")
    ranges: dict[str, set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, NamedNode(RDFS + "range"), None, graph):
        if isinstance(quad.object, NamedNode):
            ranges[_value(quad.subject)].add(quad.object.value)
    supers: dict[str, set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, NamedNode(RDFS + "subPropertyOf"), None, graph):
        supers[_value(quad.subject)].add(_value(quad.object))
    chains = []
    for quad in store.quads_for_pattern(None, NamedNode(OWL + "propertyChainAxiom"), None, graph):
        links = _list(store, quad.object)
        if len(links) != 2:
            raise UnsupportedAxiom(f"property chain of {len(links)} links on {quad.subject}")
        chains.append((_value(quad.subject), _value(links[0]), _value(links[1])))
    return ClassRules(rules=rules, domains=dict(domains), ranges=dict(ranges), super_properties=dict(supers),
                      chains=chains,
                      entailed_values=dict(entailed), hierarchy=hierarchy, context_types=context_types,
                      context_values=context_values, closed=closed)
