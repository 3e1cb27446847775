"""What the server says about one IRI: its facts (with the graph each comes from), its source records,
and the links pointing at it. Used by the linked-data pages and their RDF variants; the queries run in
the server's worker pool like every other query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.iri import DEFAULT_GRAPHS, GRAPH_INFERRED, GRAPH_RECORDS
from kg.runner import QueryRunner, Term, records

__all__ = ["Fact", "Description", "describe"]

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


# The resource's own facts come from the default graphs and graph:records (a record's page), not from the
# views, which restate the records' facts on the work (they are shown through the records).
_GRAPHS = " ".join(f"<{g}>" for g in (*DEFAULT_GRAPHS, GRAPH_RECORDS))
_FACTS = f"""
SELECT ?s ?p ?o ?g ?bp ?bo ?bg WHERE {{
  VALUES ?g {{ {_GRAPHS} }}
  GRAPH ?g {{ ?s ?p ?o }}
  OPTIONAL {{ FILTER(isBlank(?o)) GRAPH ?bg {{ ?o ?bp ?bo }} }}
}}"""
_RECORDS = """
SELECT ?s ?r ?p ?o ?g WHERE { GRAPH graph:records { ?r dkg:recordOf ?s . FILTER(isIRI(?r)) } GRAPH ?g { ?r ?p ?o } }"""
_INBOUND = f"""
SELECT DISTINCT ?s ?x ?p WHERE {{ ?x ?p ?s . FILTER(isIRI(?x) && ?p != dkg:recordOf) }}
ORDER BY ?p ?x LIMIT {_MAX_INBOUND}"""


class _Facts:
    """Facts collected from (predicate, object, graph) rows: a fact is inferred when only graph:inferred has it."""

    def __init__(self) -> None:
        self.by_triple: dict[tuple, Fact] = {}

    def add(self, row: Mapping[str, Term | None], p: str = "p", o: str = "o", g: str = "g") -> None:
        """Add the fact a row binds to the variables `p`, `o` in graph `g`."""
        predicate, obj, graph = row[p], row[o], row[g]
        assert isinstance(predicate, ox.NamedNode) and obj is not None  # bound together by a triple pattern
        inferred = isinstance(graph, ox.NamedNode) and graph.value == GRAPH_INFERRED
        fact = self.by_triple.get((predicate, obj))
        if fact is None:
            self.by_triple[(predicate, obj)] = Fact(predicate, obj, inferred)
        else:
            fact.inferred = fact.inferred and inferred

    def sorted(self) -> list[Fact]:
        return sorted(self.by_triple.values(), key=lambda f: (f.predicate.value, str(f.object)))


def describe(runner: QueryRunner, iri: str) -> Description:
    """Collect the description of `iri` from every graph, with three queries run by `runner`."""
    node = {"s": ox.NamedNode(iri)}
    facts, blank = _Facts(), dict[str, _Facts]()
    for row in records(runner.run_select(_FACTS, node)):
        facts.add(row)
        if row["bp"] is not None and (obj := row["o"]) is not None:
            blank.setdefault(obj.value, _Facts()).add(row, "bp", "bo", "bg")
    description = Description(iri=iri, facts=facts.sorted(),
                              blank_facts={key: collected.sorted() for key, collected in blank.items()})
    by_record: dict[str, _Facts] = {}
    for row in records(runner.run_select(_RECORDS, node)):
        record = row["r"]
        assert record is not None  # bound by a triple pattern
        by_record.setdefault(record.value, _Facts()).add(row)
    description.records = {record: by_record[record].sorted() for record in sorted(by_record)}
    description.inbound = [(x, p) for row in records(runner.run_select(_INBOUND, node))
                           if isinstance(x := row["x"], ox.NamedNode) and isinstance(p := row["p"], ox.NamedNode)]
    return description
