"""Linked data: every IRI under the base IRI dereferences here (HTML for browsers; Turtle, JSON-LD,
N-Triples, RDF/XML by `Accept` or by suffix), plus the ontology documentation, the VoID description
and the full export. Path `/paper/x` answers for `<base>paper/x`. Every query runs in the worker pool
(kg.api.query_service); pages and serializations are cached under the graph's version."""

from __future__ import annotations

import json

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from kg.api.describe import describe
from kg.api.negotiation import negotiate, split_suffix
from kg.api.pages import entity_page, ontology_page, paper_page, resource_page
from kg.api.query_service import service
from kg.errors import NotFound
from kg.export import export
from kg.formats import DATASET_FORMATS, GRAPH_FORMATS, HTML, Format, by_key
from kg.history import work_history
from kg.iri import GRAPH_ONTOLOGY, PREFIXES
from kg.jsonld import context, resource_document
from kg.runner import QueryRunner, records

__all__ = ["router", "RESOURCE_KINDS", "void_statistics", "void_description"]

router = APIRouter()

RESOURCE_KINDS = ("paper", "benchmark", "category", "section9", "network", "venue", "author", "source", "graph", "survey")
TRIG, JSONLD = by_key("trig"), by_key("jsonld")
_PAGE_FORMATS = (HTML, *GRAPH_FORMATS, TRIG)
_EXPORT_FORMATS = (*GRAPH_FORMATS, *DATASET_FORMATS)


def _serialize(triples: list[ox.Triple], fmt: Format) -> bytes:
    prefixes = PREFIXES if fmt.key in ("ttl", "rdfxml") else None
    return ox.serialize(triples, format=fmt.rdf, prefixes=prefixes) or b""  # None only when given an output


def _resource_route(kind: str):
    async def resource(request: Request, local: str, sort: str = Query("", max_length=20),
                       page: int = Query(1, ge=1, le=10_000), per_page: int = Query(25, ge=1, le=200)) -> Response:
        local, forced = split_suffix(local, _PAGE_FORMATS)
        if not local or "#" in local:
            raise NotFound(f"no resource at /{kind}/")
        base = request.app.state.settings.base_iri
        iri = f"{base}{kind}/{local}"
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise NotFound(f"no resource at this /{kind}/ path") from None
        fmt = forced or negotiate(request.headers.get("accept"), _PAGE_FORMATS)
        path = f"/{kind}/{local}"

        def compute(runner: QueryRunner) -> bytes:
            description = describe(runner, iri)
            if not description.exists:
                raise NotFound(f"nothing is known about {iri}")
            if fmt is HTML:
                if kind == "paper":
                    history = work_history(runner, request.app.state.settings, iri)
                    return paper_page(runner, description, base=base, path=path, history=history).encode()
                if kind in _LISTING_KINDS:
                    return entity_page(runner, description, kind=kind, base=base, path=path, sort=sort,
                                       page=page, per_page=per_page).encode()
                return resource_page(description, base=base, path=path).encode()
            if fmt is TRIG:
                return _serialize_quads(_resource_quads(runner, iri), fmt)
            if fmt is JSONLD:
                return _jsonld(runner, description)
            return _serialize(description.triples(), fmt)

        key = ("resource", iri, sort, page, per_page) if fmt is HTML else ("resource", iri)
        return await service(request).respond(request, key, fmt, compute)

    resource.__name__ = f"dereference_{kind}"
    return resource


_LISTING_KINDS = ("category", "benchmark", "network", "author", "venue", "section9")
"""Kinds whose HTML page lists their works (kg.api.pages.entity_page)."""
_QUADS = """
SELECT ?resource ?g ?s ?p ?o WHERE {
  { BIND(?resource AS ?s) GRAPH ?g { ?s ?p ?o } }
  UNION { GRAPH ?rg { ?s dkg:recordOf ?resource } FILTER(isIRI(?s)) GRAPH ?g { ?s ?p ?o } }
}"""


def _resource_quads(runner: QueryRunner, iri: str) -> list[ox.Quad]:
    """Every quad about `iri` and its source records, each in the graph that holds it (graph:data for
    asserted facts, graph:inferred for the reasoner's)."""
    rows = runner.run_select(_QUADS, {"resource": ox.NamedNode(iri)}).rows
    return [ox.Quad(s, p, o, g) for _, g, s, p, o in rows]  # type: ignore[arg-type]  # bound by the patterns


def _serialize_quads(quads: list[ox.Quad], fmt: Format) -> bytes:
    return ox.serialize(quads, format=fmt.rdf, prefixes=PREFIXES) or b""


def _jsonld(runner: QueryRunner, description) -> bytes:
    """Compact JSON-LD (kg.jsonld) of the resource: its facts, its records nested."""
    facts = [(f.predicate, f.object) for f in description.facts]
    records_of = {record: [(f.predicate, f.object) for f in inner] for record, inner in description.records.items()}
    blanks = {node: [(f.predicate, f.object) for f in inner] for node, inner in description.blank_facts.items()}
    document = resource_document(context(runner), description.iri, facts, records_of, blanks)
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


for _kind in RESOURCE_KINDS:
    router.add_api_route(f"/{_kind}/{{local:path}}", _resource_route(_kind), methods=["GET"],
                         summary=f"Dereference an IRI under <base>{_kind}/")

_GRAPH_TRIPLES = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


@router.get("/ontology")
@router.get("/ontology{suffix}")
async def ontology(request: Request, suffix: str = "") -> Response:
    _, forced = split_suffix("ontology" + suffix, _PAGE_FORMATS)
    if suffix and forced is None:
        raise NotFound("no such ontology document; use .ttl, .jsonld, .nt, .rdf or .html")
    fmt = forced or negotiate(request.headers.get("accept"), _PAGE_FORMATS)
    base = request.app.state.settings.base_iri

    def compute(runner: QueryRunner) -> bytes:
        if fmt is HTML:
            return ontology_page(runner, graph=GRAPH_ONTOLOGY, base=base).encode()
        rows = runner.run_select(_GRAPH_TRIPLES, {"g": ox.NamedNode(GRAPH_ONTOLOGY)}).rows
        # ?s ?p ?o of a triple pattern always make a valid triple
        return _serialize([ox.Triple(s, p, o) for _, s, p, o in rows], fmt)  # type: ignore[arg-type]

    return await service(request).respond(request, ("ontology",), fmt, compute)


_VOID_QUERY = """
PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g
"""
_VOID_TOTAL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
_VOID_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"
_VOID_PREDICATES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"
_VOID_LINKS = """
SELECT ?base ?p ?host (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o FILTER(isIRI(?o) && !STRSTARTS(STR(?o), ?base)
  && ?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>) }
  BIND(REPLACE(STR(?o), "^(https?://[^/]+/).*$", "$1") AS ?host) FILTER(STRSTARTS(?host, "http")) }
GROUP BY ?base ?p ?host
"""


def void_statistics(runner: QueryRunner, *, base: str) -> dict:
    """Counts for VoID and the home page: triples (all, per graph), class sizes, vocabularies, link sets."""
    per_graph = records(runner.run_select(_VOID_QUERY))
    predicates = [p.value for row in records(runner.run_select(_VOID_PREDICATES)) if (p := row["p"]) is not None]
    total = runner.run_select(_VOID_TOTAL).rows[0][0]
    assert total is not None  # COUNT is always bound
    return {
        "triples": int(total.value),
        "graphs": per_graph,
        "classes": records(runner.run_select(_VOID_CLASSES)),
        "vocabularies": sorted({ns for ns in PREFIXES.values() if any(p.startswith(ns) for p in predicates)}),
        "links": records(runner.run_select(_VOID_LINKS, {"base": ox.Literal(base)})),
    }


def void_description(statistics: dict, *, base: str, endpoint: str) -> list[ox.Triple]:
    """The VoID description of `void_statistics`: per-graph counts, classes, vocabularies, link sets."""
    void = "http://rdfs.org/ns/void#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    dataset = ox.NamedNode(base + "void#dataset")
    xsd_integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    out = [
        ox.Triple(dataset, rdf_type, ox.NamedNode(void + "Dataset")),
        ox.Triple(dataset, ox.NamedNode("http://purl.org/dc/terms/title"),
                  ox.Literal("duality-kg: the research reviewed by 'The duality of generative AI and RL in robotics'")),
        ox.Triple(dataset, ox.NamedNode(void + "sparqlEndpoint"), ox.NamedNode(endpoint)),
        ox.Triple(dataset, ox.NamedNode(void + "uriSpace"), ox.Literal(base)),
        ox.Triple(dataset, ox.NamedNode(void + "triples"),
                  ox.Literal(str(statistics["triples"]), datatype=xsd_integer)),
    ]
    for row in statistics["graphs"]:
        part = ox.NamedNode(base + "void#graph-" + row["g"].value.rsplit("/", 1)[-1])
        out += [ox.Triple(dataset, ox.NamedNode(void + "subset"), part),
                ox.Triple(part, rdf_type, ox.NamedNode(void + "Dataset")),
                ox.Triple(part, ox.NamedNode("http://www.w3.org/ns/sparql-service-description#name"), row["g"]),
                ox.Triple(part, ox.NamedNode(void + "triples"), row["triples"]),
                ox.Triple(part, ox.NamedNode(void + "distinctSubjects"), row["subjects"]),
                ox.Triple(part, ox.NamedNode(void + "properties"), row["properties"])]
    for index, row in enumerate(statistics["classes"]):
        partition = ox.BlankNode(f"class{index}")
        out += [ox.Triple(dataset, ox.NamedNode(void + "classPartition"), partition),
                ox.Triple(partition, ox.NamedNode(void + "class"), row["c"]),
                ox.Triple(partition, ox.NamedNode(void + "entities"), row["n"])]
    out += [ox.Triple(dataset, ox.NamedNode(void + "vocabulary"), ox.NamedNode(ns))
            for ns in statistics["vocabularies"]]
    for index, row in enumerate(statistics["links"]):
        linkset = ox.NamedNode(f"{base}void#links-{index}")
        out += [ox.Triple(linkset, rdf_type, ox.NamedNode(void + "Linkset")),
                ox.Triple(linkset, ox.NamedNode(void + "subjectsTarget"), dataset),
                ox.Triple(linkset, ox.NamedNode(void + "objectsTarget"), ox.NamedNode(row["host"].value)),
                ox.Triple(linkset, ox.NamedNode(void + "linkPredicate"), row["p"]),
                ox.Triple(linkset, ox.NamedNode(void + "triples"), row["n"])]
    return out


@router.get("/.well-known/void")
async def void(request: Request, format: str | None = None) -> Response:
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS, requested=format)
    base = request.app.state.settings.base_iri
    endpoint = str(request.url.replace(path="/sparql", query=""))
    return await service(request).respond(
        request, ("void", endpoint), fmt,
        lambda runner: _serialize(void_description(void_statistics(runner, base=base), base=base,
                                                   endpoint=endpoint), fmt))


@router.get("/export")
async def export_route(request: Request, format: str = "ttl") -> Response:
    fmt = negotiate(None, _EXPORT_FORMATS, requested=format)
    store = request.app.state.graph.store
    # a dump of every quad, not a query: it runs in a thread on the primary store, and is cached
    return await service(request).respond(
        request, ("export",), fmt, lambda runner: export(store, format=fmt.key) or b"",
        headers={"Content-Disposition": f'attachment; filename="duality-kg.{fmt.suffix}"'})
