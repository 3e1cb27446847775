"""The editions as RDF: one named graph per edition, beside today's graph (which stays the default view).

    graph:edition-<name>  a prov:Entity, schema:CreativeWork ;
        rdfs:label "companion list, edition 2024-08-27T151613 (051cb94)" ;
        dcterms:issued "2024-08-27T15:16:13"^^xsd:dateTime ;      # the commit's author date (local time)
        prov:wasRevisionOf graph:edition-<previous> ;
        schema:url <https://github.com/clmoro/Robotics-RL-FMs-Integration/blob/<commit>/README.md> .
    graph:edition-<name>/entry-<line>  a dkg:ListEntry ;
        dkg:recordOf paper:... ; dcterms:title "..." ; dkg:locator "\"A > B\"" ;
        schema:url <link> ; prov:wasDerivedFrom graph:edition-<name> .

All of it in the named graph `graph:edition-<name>`. An entry is named by its line: a past edition never
changes, so the line is a stable name there (unlike in today's list, docs/model.md). Only terms the
ontology and the reused vocabularies already define are used.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.editions import Edition, History
from kg.iri import GRAPH, expand

__all__ = ["edition_graph_iri", "edition_quads", "REPOSITORY"]

REPOSITORY = "https://github.com/clmoro/Robotics-RL-FMs-Integration"
_XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def edition_graph_iri(edition: Edition) -> str:
    return f"{GRAPH}edition-{edition.name}"


def _n(curie: str) -> ox.NamedNode:
    return ox.NamedNode(expand(curie))


def edition_quads(history: History) -> list[ox.Quad]:
    """The quads of every edition, each in its own named graph (oldest first)."""
    quads: list[ox.Quad] = []
    previous: ox.NamedNode | None = None
    for edition in history.editions:
        node = ox.NamedNode(edition_graph_iri(edition))

        def add(subject: ox.NamedNode, predicate: str, value: ox.NamedNode | ox.Literal,
                graph: ox.NamedNode = node) -> None:
            quads.append(ox.Quad(subject, _n(predicate), value, graph))

        add(node, "rdf:type", _n("prov:Entity"))
        add(node, "rdf:type", _n("schema:CreativeWork"))
        add(node, "rdfs:label", ox.Literal(f"companion list, edition {edition.label}"))
        if edition.date:
            date = edition.date
            stamp = f"{date[:10]}T{date[11:13]}:{date[13:15]}:{date[15:17]}"
            add(node, "dcterms:issued", ox.Literal(stamp, datatype=_XSD_DATETIME))
        if edition.commit:
            add(node, "schema:url", ox.NamedNode(f"{REPOSITORY}/blob/{edition.commit}/README.md"))
        if previous is not None:
            add(node, "prov:wasRevisionOf", previous)
        for entry in edition.entries:
            record = ox.NamedNode(f"{node.value}/entry-{entry.line}")
            add(record, "rdf:type", _n("dkg:ListEntry"))
            add(record, "dkg:recordOf", ox.NamedNode(entry.work))
            add(record, "dcterms:title", ox.Literal(entry.title))
            add(record, "dkg:locator", ox.Literal(f"\"{' > '.join(entry.headings)}\""))
            if entry.link and entry.link.startswith("http"):
                add(record, "schema:url", ox.NamedNode(entry.link.replace(" ", "%20")))
            add(record, "prov:wasDerivedFrom", node)
        previous = node
    return quads
