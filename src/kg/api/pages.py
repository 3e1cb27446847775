"""HTML rendering of resource pages and the ontology documentation. Every text is escaped."""

from __future__ import annotations

from html import escape

import pyoxigraph as ox

from kg.api.describe import Description, Fact
from kg.iri import DKG, compact

__all__ = ["page", "resource_page", "ontology_page", "Links"]

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:70em;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border-bottom:1px solid #ddd;padding:.3em;text-align:left;vertical-align:top}
th{background:#f4f4f4}code{font-size:.9em}.inferred{color:#7a4b00}.badge{font-size:.75em;background:#fde9c4;border-radius:3px;padding:0 .3em}
nav a{margin-right:1em}.record{border-left:3px solid #9ab;padding-left:.7em;margin:1em 0}
"""
_LABELS = ("http://purl.org/dc/terms/title", "http://www.w3.org/2004/02/skos/core#prefLabel",
           "http://www.w3.org/2000/01/rdf-schema#label")


class Links:
    """Turns IRIs into links: IRIs under the base go to this server's paths, others stay absolute."""

    def __init__(self, base_iri: str):
        self.base = base_iri

    def href(self, iri: str) -> str:
        return "/" + iri[len(self.base):] if iri.startswith(self.base) else iri

    @staticmethod
    def compact(iri: str) -> str:
        return compact(iri)

    def term(self, term: object) -> str:
        if isinstance(term, ox.NamedNode):
            return f'<a href="{escape(self.href(term.value))}">{escape(self.compact(term.value))}</a>'
        if isinstance(term, ox.Literal):
            text = escape(term.value)
            if term.language:
                return f'{text} <small>@{escape(term.language)}</small>'
            datatype = term.datatype.value
            if datatype != "http://www.w3.org/2001/XMLSchema#string":
                return f"{text} <small>{escape(self.compact(datatype))}</small>"
            return text
        return f"<code>{escape(str(term))}</code>"


def page(title: str, body: str, *, alternates: dict[str, str] | None = None) -> str:
    links = "".join(f'<link rel="alternate" type="{escape(t)}" href="{escape(h)}">'
                    for t, h in (alternates or {}).items())
    nav = '<nav><a href="/query">SPARQL query</a><a href="/ontology">Ontology</a>' \
          '<a href="/.well-known/void">VoID</a><a href="/export">Export</a></nav>'
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">{links}'
            f"<style>{_STYLE}</style></head><body>{nav}{body}</body></html>")


def _label(facts: list[Fact], fallback: str) -> str:
    for predicate in _LABELS:
        for fact in facts:
            if fact.predicate.value == predicate and isinstance(fact.object, ox.Literal):
                return fact.object.value
    return fallback


def _fact_rows(facts: list[Fact], links: Links, blank_facts: dict[str, list[Fact]]) -> str:
    rows = []
    for fact in facts:
        value = links.term(fact.object)
        if isinstance(fact.object, ox.BlankNode) and fact.object.value in blank_facts:
            inner = "; ".join(f"{links.term(f.predicate)} {links.term(f.object)}"
                              for f in blank_facts[fact.object.value])
            value = f"[ {inner} ]"
        marker = ' <span class="badge" title="from graph:inferred (reasoner)">inferred</span>' if fact.inferred else ""
        css = ' class="inferred"' if fact.inferred else ""
        rows.append(f"<tr{css}><td>{links.term(fact.predicate)}</td><td>{value}{marker}</td></tr>")
    return "<table><tr><th>property</th><th>value</th></tr>" + "".join(rows) + "</table>"


def resource_page(description: Description, *, links: Links, path: str) -> str:
    """The HTML page of one resource: facts (inferred ones marked), provenance records, inbound links."""
    label = _label(description.facts, links.compact(description.iri))
    formats = {"text/turtle": path + ".ttl", "application/ld+json": path + ".jsonld",
               "application/n-triples": path + ".nt"}
    parts = [f"<h1>{escape(label)}</h1>", f"<p><code>{escape(description.iri)}</code></p>",
             "<p>Also as " + ", ".join(f'<a href="{escape(h)}">{escape(t)}</a>' for t, h in formats.items()) + "</p>"]
    if description.facts:
        parts += ["<h2>Facts</h2>", _fact_rows(description.facts, links, description.blank_facts)]
    if description.records:
        parts.append("<h2>Provenance: source records</h2>")
        for record, facts in description.records.items():
            anchor = record.rpartition("#")[2] if "#" in record else ""
            locator = next((f.object.value for f in facts if f.predicate.value == DKG + "locator"), "")
            parts.append(f'<div class="record" id="{escape(anchor)}"><h3>{escape(locator or anchor or record)}</h3>'
                         f"<p><code>{escape(record)}</code></p>{_fact_rows(facts, links, {})}</div>")
    if description.inbound:
        parts.append("<h2>Referenced by</h2><table><tr><th>resource</th><th>property</th></tr>")
        parts += [f"<tr><td>{links.term(s)}</td><td>{links.term(p)}</td></tr>" for s, p in description.inbound]
        parts.append("</table>")
    return page(label, "".join(parts), alternates=formats)


def ontology_page(store: ox.Store, *, graph: str, links: Links) -> str:
    """Documentation of the ontology graph: classes, properties and taxonomy concepts with their labels."""
    query = """
    PREFIX owl: <http://www.w3.org/2002/07/owl#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?kind ?term (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?doc) (GROUP_CONCAT(DISTINCT STR(?super); separator=" ") AS ?supers)
    WHERE { GRAPH ?g {
      VALUES (?type ?kind) { (owl:Class "1 Classes") (owl:ObjectProperty "2 Object properties")
                             (owl:DatatypeProperty "3 Datatype properties") (skos:Concept "4 Taxonomy concepts")
                             (owl:NamedIndividual "5 Individuals") }
      ?term a ?type . FILTER(isIRI(?term))
      OPTIONAL { ?term rdfs:label|skos:prefLabel ?l }
      OPTIONAL { ?term rdfs:comment|skos:definition ?d }
      OPTIONAL { ?term rdfs:subClassOf|rdfs:subPropertyOf|skos:broader ?super . FILTER(isIRI(?super)) }
    } } GROUP BY ?kind ?term ORDER BY ?kind ?term
    """
    sections: dict[str, list[str]] = {}
    for row in store.query(query, named_graphs=[ox.NamedNode(graph)]):
        kind = row["kind"].value.split(" ", 1)[1]
        term = row["term"].value
        label = row["label"].value if row["label"] else ""
        doc = row["doc"].value if row["doc"] else ""
        supers = " ".join(links.term(ox.NamedNode(s)) for s in (row["supers"].value if row["supers"] else "").split())
        anchor = escape(term.rpartition("#")[2] if term.startswith(DKG) else links.compact(term))
        sections.setdefault(kind, []).append(
            f'<tr id="{anchor}"><td>{links.term(ox.NamedNode(term))}</td><td>{escape(label)}</td>'
            f"<td>{escape(doc)}</td><td>{supers}</td></tr>")
    body = ["<h1>The duality-kg ontology</h1>",
            '<p>Also as <a href="/ontology.ttl">Turtle</a>, <a href="/ontology.jsonld">JSON-LD</a>, '
            '<a href="/ontology.nt">N-Triples</a>.</p>']
    for kind, rows in sections.items():
        body.append(f"<h2>{escape(kind)} ({len(rows)})</h2><table><tr><th>term</th><th>label</th>"
                    f"<th>definition</th><th>broader / super</th></tr>{''.join(rows)}</table>")
    return page("duality-kg ontology", "".join(body))
