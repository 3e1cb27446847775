"""The HTML pages of resources and of the ontology, rendered from templates (kg.api.rendering) with data
read through a QueryRunner (the worker pool)."""

from __future__ import annotations

import pyoxigraph as ox

from kg.api.describe import Description, Fact
from kg.api.rendering import render, safe_href
from kg.history import WorkHistory
from kg.iri import DKG, PAPER, compact
from kg.runner import QueryRunner, records

__all__ = ["resource_page", "ontology_page", "paper_page", "entity_page", "RDF_ALTERNATES", "CARD_FACTS"]

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


# --- browsing pages: a paper's summary card and provenance, an entity's works (kg.browse gives the data) ---

_FABIO = "http://purl.org/spar/fabio/"
_DCT = "http://purl.org/dc/terms/"
_CITO = "http://purl.org/spar/cito/"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CARD_FACTS = (
    ("Framework", DKG + "frameworkName"), ("Headings", DKG + "inCategory"), ("Base models", DKG + "usesBaseModel"),
    ("Tabulated under", DKG + "tabulatedUnder"), ("RL tasks", DKG + "addressesTask"), ("RL stage", DKG + "rlStage"),
    ("Policy architecture", DKG + "policyArchitecture"), ("Networks", DKG + "usesNetwork"),
    ("Benchmarks", DKG + "usesBenchmark"), ("Setting", DKG + "evaluatedIn"), ("Code", DKG + "codeAvailability"),
    ("Training data", DKG + "trainingData"),
)
"""The facts of a paper's summary card, in order: (heading, predicate)."""
_NOT_FACTS = {DKG + "hasRecord"}
_OWL_INDIVIDUAL = "http://www.w3.org/2002/07/owl#NamedIndividual"
"""Predicates left out of the provenance table (links to the records themselves)."""


_READABLE = {
    _DCT + "creator": "creator", _DCT + "title": "title", _DCT + "source": "source",
    _FABIO + "hasArXivId": "arXiv id", _FABIO + "hasPublicationYear": "publication year",
    "https://schema.org/url": "URL", "http://www.w3.org/ns/prov#wasDerivedFrom": "derived from",
    "http://www.w3.org/ns/prov#wasRevisionOf": "revision of", "http://www.w3.org/2000/01/rdf-schema#label": "label",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "preferred label",
}
"""Words for the reused vocabularies' properties, whose labels the graph does not hold."""


def _fallback_label(iri: str) -> str:
    """Words for an IRI without a label: a reused property by its name, a part of a resource
    (`...#table-1-coverage-llm`) by its fragment ("table 1 coverage llm"), anything else by its compact name."""
    if iri in _READABLE:
        return _READABLE[iri]
    if "#" in iri and not iri.startswith(DKG):
        return iri.rpartition("#")[2].replace("-", " ")
    return compact(iri)


def _value(term, names: dict[str, str], *, inferred: bool = False) -> dict:
    """A term as the templates show it: label, link (None for literals and unsafe IRIs), inferred."""
    if isinstance(term, ox.NamedNode):
        return {"label": names.get(term.value) or _fallback_label(term.value), "href": safe_href(term.value),
                "inferred": inferred}
    return {"label": term.value, "href": None, "inferred": inferred}


def _authors(description: Description, names: dict[str, str]) -> list[dict]:
    """The authors in the order the source gives them, each linked to its author page when one matches."""
    creators = [f.object.value for f in description.facts if f.predicate.value == _DCT + "creator"]
    given = next((f.object.value for f in description.facts if f.predicate.value == DKG + "authorsAsGiven"), "")
    out = []
    for name in [part.strip() for part in given.split(",") if part.strip()]:
        family = name.split()[-1].lower().rstrip(".")
        match = next((c for c in creators if names.get(c, "").split()[-1:] == [name.split()[-1]]
                      or c.rsplit("/", 1)[-1].split("-")[0] == family), None)
        out.append({"label": name, "href": safe_href(match) if match else None})
    if not out:
        out = [{"label": names.get(c) or compact(c), "href": safe_href(c)} for c in creators]
    return out


def _bibtex(description: Description, names: dict[str, str]) -> str:
    facts: dict[str, str] = {}
    for fact in description.facts:
        facts.setdefault(fact.predicate.value, fact.object.value)
    key = facts.get(DKG + "bibtexKey") or description.iri.rsplit("/", 1)[-1]
    authors = " and ".join(a.strip() for a in facts.get(DKG + "authorsAsGiven", "").split(",") if a.strip())
    fields = [("title", facts.get(_DCT + "title", "")), ("author", authors.replace(" and et al.", " and others")),
              ("year", facts.get(_FABIO + "hasPublicationYear", "")),
              ("journal", names.get(facts.get(DKG + "publishedIn", ""), "")), ("doi", facts.get(DKG + "doi", "")),
              ("eprint", facts.get(_FABIO + "hasArXivId", "")), ("url", facts.get("https://schema.org/url", ""))]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@article{{{key},\n{body}\n}}"


_LONG_GROUP = 12
"""A property with more values than this is shown folded (the survey cites 199 works)."""


def _grouped(rows: list[dict]) -> list[dict]:
    """Provenance rows grouped by property, in the order the properties first appear."""
    groups: dict[str, dict] = {}
    for row in rows:
        groups.setdefault(row["predicate"]["label"], {"predicate": row["predicate"], "rows": []})["rows"].append(row)
    return list(groups.values())


def paper_page(runner: QueryRunner, description: Description, *, base: str, path: str,
               history: WorkHistory | None = None) -> str:
    """A work's page: the summary card (title, ordered authors, year, venue, identifiers, facts as labelled
    links, Section 9 evidence, lineage, similar works, BibTeX), then every fact with its sources."""
    from kg.browse import fact_sources, labels_around, similar_works, survey_sections

    names = labels_around(runner, description.iri)
    by_predicate: dict[str, list] = {}
    for fact in description.facts:
        by_predicate.setdefault(fact.predicate.value, []).append(fact)

    def values(predicate: str) -> list[dict]:
        return sorted((_value(f.object, names, inferred=f.inferred) for f in by_predicate.get(predicate, [])),
                      key=lambda v: (v["inferred"], v["label"].lower()))

    def first(predicate: str) -> str:
        return next((f.object.value for f in by_predicate.get(predicate, [])), "")

    identifiers: list[dict[str, str | None]] = []
    if arxiv := first(_FABIO + "hasArXivId"):
        identifiers.append({"label": f"arXiv:{arxiv}", "href": f"https://arxiv.org/abs/{arxiv}"})
    if doi := first(DKG + "doi"):
        identifiers.append({"label": f"DOI {doi}", "href": safe_href(f"https://doi.org/{doi}")})
    for fact in by_predicate.get("https://schema.org/url", []):
        if not any(i["href"] == fact.object.value for i in identifiers):
            identifiers.append({"label": fact.object.value, "href": safe_href(fact.object.value)})
    inbound: dict[str, list[dict]] = {}
    for subject, predicate in description.inbound:
        if subject.value.startswith(PAPER) and "#" in subject.value:
            continue  # a source record (paper IRI + fragment) stating the link: its work is linked too
        inbound.setdefault(predicate.value, []).append(_value(subject, names))
    sources = fact_sources(runner, description.iri)
    provenance = []
    for fact in description.facts:
        if fact.predicate.value in _NOT_FACTS:
            continue
        if isinstance(fact.object, ox.BlankNode) and fact.object.value in description.blank_facts:
            # a structured value (e.g. a Table 1 coverage): its own statements, inline
            inner = description.blank_facts[fact.object.value]
            shown = {"label": "; ".join(f"{_value(f.predicate, names)['label']}: {_value(f.object, names)['label']}"
                                        for f in inner if f.predicate.value != _RDF_TYPE), "href": None}
        else:
            shown = _value(fact.object, names)
        provenance.append({"predicate": _value(fact.predicate, names), "value": shown,
                           "inferred": fact.inferred,
                           "sources": sources.get((fact.predicate.value, fact.object.value), [])})
    record_list = []
    for record, facts in description.records.items():
        found = {f.predicate.value: f.object for f in facts}
        source = found.get("http://www.w3.org/ns/prov#wasDerivedFrom") or found.get("http://www.w3.org/ns/prov#wasAttributedTo")
        kind = found.get(_RDF_TYPE)
        record_list.append({"anchor": record.rpartition("#")[2] if "#" in record else "",
                            "source": _value(source, names) if source is not None else None,
                            "kind": _value(kind, names) if kind is not None else None,
                            "locator": found[DKG + "locator"].value if DKG + "locator" in found else "",
                            "facts": len(facts)})
    stated = {(f.predicate.value, f.object.value) for f in description.facts}
    suggestions = [{"predicate": _value(ox.NamedNode(p), names),
                    "value": _value(ox.NamedNode(o) if o.startswith(("http://", "https://")) else ox.Literal(o), names),
                    "sources": found}
                   for (p, o), found in sorted(sources.items())
                   if (p, o) not in stated and any(s.suggested for s in found) and p != _RDF_TYPE]
    card = [{"heading": heading, "values": values(predicate)} for heading, predicate in CARD_FACTS]
    classes = [v for v in values(_RDF_TYPE) if not v["label"].startswith("owl:")]
    card.append({"heading": "Classes the reasoner infers", "values": [v for v in classes if v["inferred"]]})
    return render(
        "paper.html", base=base, title=first(_DCT + "title") or compact(description.iri),
        iri=description.iri, authors=_authors(description, names), year=first(_FABIO + "hasPublicationYear"),
        venue=values(DKG + "publishedIn"), venue_as_given=first(DKG + "venueAsGiven"), identifiers=identifiers,
        types=[v for v in classes if not v["inferred"]], card=[row for row in card if row["values"]],
        sections=[{"label": label or compact(iri), "href": safe_href(iri)} for iri, label in
                  survey_sections(runner, description.iri)],
        evidence_for=inbound.get(DKG + "hasEvidence", []),
        extends=values(_CITO + "extends"), extended_by=inbound.get(_CITO + "extends", []),
        cited_by=values(_CITO + "isCitedBy"),
        similar=[{"label": title, "href": safe_href(other), "common": common}
                 for other, title, common in similar_works(runner, description.iri)],
        bibtex=_bibtex(description, names), provenance=_grouped(provenance), long_group=_LONG_GROUP, names=names,
        records=record_list, suggestions=suggestions, history=history,
        alternates={media: path + suffix for media, suffix in RDF_ALTERNATES.items()})


def entity_page(runner: QueryRunner, description: Description, *, kind: str, base: str, path: str,
                sort: str, page: int, per_page: int = 25) -> str:
    """The page of a heading, benchmark, network, author, venue or Section 9 node: what it is, its
    broader and narrower headings (with counts), then its works, sorted and paged."""
    from kg.browse import WORK_SORTS, labels_around, linked_works, paginate, taxonomy, works

    names = labels_around(runner, description.iri)
    linked = linked_works(runner, description.iri)
    rows = [w for w in works(runner) if w.iri in linked]
    listing = paginate(rows, sort=sort, sorts=WORK_SORTS, page=page, per_page=per_page)
    narrower: list[dict] = []
    if kind == "category":
        def find(nodes):
            for node in nodes:
                if node.iri == description.iri:
                    return node
                if (hit := find(node.children)) is not None:
                    return hit
            return None
        node = find(taxonomy(runner))
        narrower = [{"label": c.label, "href": safe_href(c.iri), "works": c.works} for c in (node.children if node else [])]
    header = []
    shown = {_RDF_TYPE: "Kind", "http://www.w3.org/2004/02/skos/core#definition": "Definition",
             "http://www.w3.org/2004/02/skos/core#altLabel": "Also called",
             "http://www.w3.org/2004/02/skos/core#broader": "Broader", DKG + "inArea": "Challenge area",
             DKG + "inBranch": "Taxonomy branches", DKG + "locator": "Where the source says it",
             "http://www.w3.org/ns/prov#wasDerivedFrom": "Sources", _DCT + "source": "Source"}
    for predicate, heading in shown.items():
        found = [_value(f.object, names, inferred=f.inferred) for f in description.facts
                 if f.predicate.value == predicate and f.object.value != _OWL_INDIVIDUAL]
        if found:
            header.append({"heading": heading, "values": found})
    title = names.get(description.iri) or compact(description.iri)
    return render("entity.html", base=base, title=title, iri=description.iri, kind=kind, header=header,
                  narrower=narrower, listing=listing, sorts=list(WORK_SORTS), path=path,
                  alternates={media: path + suffix for media, suffix in RDF_ALTERNATES.items()})
