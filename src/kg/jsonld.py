"""JSON-LD that reads as plain JSON: one `@context` (served at /context.jsonld) maps short keys
(`title`, `inCategory`, `usesBenchmark` ...) to the ontology's properties and the project's prefixes,
so a resource is `{"@id": "paper:x", "title": "...", "inCategory": ["cat:reward-llm"]}`.

The context is made from the predicates the graph uses: the key of a predicate is its local name (the
dkg: namespace first; a clash keeps the prefixed name); a predicate whose values are all IRIs takes
compact IRIs as values (`"inCategory": "cat:reward-llm"`).
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.iri import DKG, PREFIXES, compact
from kg.runner import QueryRunner, records

__all__ = ["context", "resource_document"]

_PREDICATES = """
SELECT ?p (SUM(IF(isIRI(?o), 1, 0)) AS ?iris) (COUNT(*) AS ?uses) WHERE { ?s ?p ?o } GROUP BY ?p"""
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def context(runner: QueryRunner) -> dict:
    """The `@context` object: prefixes, `@vocab` (the ontology) and a short key per predicate used."""
    terms: dict[str, object] = {"@vocab": DKG, **{prefix: ns for prefix, ns in PREFIXES.items()}}
    found = [(row["p"].value, row["iris"].value == row["uses"].value)
             for row in records(runner.run_select(_PREDICATES))
             if row["p"] is not None and row["iris"] is not None and row["uses"] is not None]
    # the ontology's own properties claim their short names first, then the reused vocabularies
    found.sort(key=lambda pk: (not pk[0].startswith(DKG), pk[0]))
    for iri, iri_valued in found:
        key, short = _local(iri), compact(iri)
        if not key or key in terms or short == iri or iri == _RDF_TYPE:
            continue
        entry: dict[str, str] = {"@id": short}
        if iri_valued:
            entry["@type"] = "@id"
        terms[key] = entry
    return terms


def _key_of(context_terms: dict) -> dict[str, tuple[str, bool]]:
    """Full property IRI -> (its key, whether values are IRIs by the context)."""
    out = {}
    for key, entry in context_terms.items():
        if isinstance(entry, dict):
            out[PREFIXES[entry["@id"].split(":", 1)[0]] + entry["@id"].split(":", 1)[1]] = (key, entry.get("@type") == "@id")
    return out


def _literal(term: ox.Literal):
    datatype = term.datatype.value
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if datatype == _XSD + "string":
        return term.value
    if datatype == _XSD + "integer" and term.value.lstrip("-").isdigit():
        return int(term.value)
    if datatype == _XSD + "boolean" and term.value in ("true", "false"):
        return term.value == "true"
    return {"@value": term.value, "@type": compact(datatype)}


Term = ox.NamedNode | ox.BlankNode | ox.Literal


def _node(subject: str | None, triples: list[tuple[ox.NamedNode, Term]], keys: dict,
          nested: dict[str, dict]) -> dict:
    node: dict[str, list] = {}
    for predicate, obj in triples:
        if predicate.value == _RDF_TYPE and isinstance(obj, ox.NamedNode):
            local = obj.value[len(DKG):] if obj.value.startswith(DKG) else compact(obj.value)
            node.setdefault("@type", []).append(local)
            continue
        key, iri_valued = keys.get(predicate.value, (compact(predicate.value), False))
        if isinstance(obj, ox.NamedNode):
            if obj.value in nested:
                value: object = nested[obj.value]
            else:
                value = compact(obj.value) if iri_valued else {"@id": compact(obj.value)}
        elif isinstance(obj, ox.Literal):
            value = {"@value": obj.value} if iri_valued else _literal(obj)
        elif obj.value in nested:  # a blank node described inline
            value = nested[obj.value]
        else:
            value = {"@id": f"_:{obj.value}"}
        node.setdefault(key, []).append(value)
    shown: dict[str, object] = {"@id": compact(subject)} if subject else {}
    shown |= {key: (values[0] if len(values) == 1 and key != "@type" else values) for key, values in node.items()}
    return shown


def resource_document(context_terms: dict, iri: str, facts: list[tuple[ox.NamedNode, Term]],
                      records_of: dict[str, list[tuple[ox.NamedNode, Term]]],
                      blank_nodes: dict[str, list[tuple[ox.NamedNode, Term]]] | None = None) -> dict:
    """The JSON-LD document of `iri`: its facts, with its source records nested under `hasRecord`
    (records nothing points at under `@reverse`) and the blank nodes it points at written inline."""
    keys = _key_of(context_terms)
    nested = {node: _node(None, triples, keys, {}) for node, triples in (blank_nodes or {}).items()}
    nested |= {record: _node(record, triples, keys, {}) for record, triples in records_of.items()}
    document = {"@context": context_terms, **_node(iri, facts, keys, nested)}
    pointed = {obj.value for _, obj in facts if isinstance(obj, ox.NamedNode)}
    loose = [nested[record] for record in records_of if record not in pointed]
    if loose:
        document["@reverse"] = {"recordOf": loose}
    return document
