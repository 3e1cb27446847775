"""The HTML pages of resources and of the ontology, rendered from templates (kg.api.rendering) with data
read through a QueryRunner (the worker pool)."""

from __future__ import annotations

import pyoxigraph as ox

from kg.api.describe import Description, Fact
from kg.api.rendering import render
from kg.history import WorkHistory
from kg.iri import DKG, compact
from kg.runner import QueryRunner, records

__all__ = ["resource_page", "ontology_page", "RDF_ALTERNATES"]

_LABELS = ("http://purl.org/dc/terms/title", "http://www.w3.org/2004/02/skos/core#prefLabel",
           "http://www.w3.org/2000/01/rdf-schema#label")
RDF_ALTERNATES = {"text/turtle": ".ttl", "application/ld+json": ".jsonld", "application/n-triples": ".nt"}


def _label(facts: list[Fact], fallback: str) -> str:
    for predicate in _LABELS:
        for fact in facts:
            if fact.predicate.value == predicate and isinstance(fact.object, ox.Literal):
                return fact.object.value
    return fallback


def resource_page(description: Description, *, base: str, path: str, history: WorkHistory | None = None) -> str:
    """The HTML page of one resource: facts (inferred ones marked), its history through the editions (a work's),
    provenance records, inbound links."""
    locators = {record: next((f.object.value for f in facts if f.predicate.value == DKG + "locator"), "")
                for record, facts in description.records.items()}
    return render("resource.html", base=base, title=_label(description.facts, compact(description.iri)),
                  description=description, record_locators=locators, history=history,
                  alternates={media: path + suffix for media, suffix in RDF_ALTERNATES.items()})


_ONTOLOGY_TERMS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?g ?kind ?term (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?doc)
       (GROUP_CONCAT(DISTINCT STR(?super); separator=" ") AS ?supers)
WHERE { GRAPH ?g {
  VALUES (?type ?kind) { (owl:Class "1 Classes") (owl:ObjectProperty "2 Object properties")
                         (owl:DatatypeProperty "3 Datatype properties") (skos:Concept "4 Taxonomy concepts")
                         (owl:NamedIndividual "5 Individuals") }
  ?term a ?type . FILTER(isIRI(?term))
  OPTIONAL { ?term rdfs:label|skos:prefLabel ?l }
  OPTIONAL { ?term rdfs:comment|skos:definition ?d }
  OPTIONAL { ?term rdfs:subClassOf|rdfs:subPropertyOf|skos:broader ?super . FILTER(isIRI(?super)) }
} } GROUP BY ?g ?kind ?term ORDER BY ?kind ?term
"""


def ontology_page(runner: QueryRunner, *, graph: str, base: str) -> str:
    """Documentation of the ontology graph: classes, properties and taxonomy concepts with their labels."""
    sections: dict[str, list[dict]] = {}
    for row in records(runner.run_select(_ONTOLOGY_TERMS, {"g": ox.NamedNode(graph)})):
        term_node, kind = row["term"], row["kind"]
        assert term_node is not None and kind is not None  # bound in every row
        term = term_node.value
        sections.setdefault(kind.value.split(" ", 1)[1], []).append({
            "iri": term,
            "anchor": term.rpartition("#")[2] if term.startswith(DKG) else compact(term),
            "label": row["label"].value if row["label"] else "",
            "doc": row["doc"].value if row["doc"] else "",
            "supers": (row["supers"].value if row["supers"] else "").split(),
        })
    return render("ontology.html", base=base, title="Ontology", here="/ontology", sections=sections)
