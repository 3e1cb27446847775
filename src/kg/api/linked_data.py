"""Linked data: every IRI under the base IRI dereferences here (HTML for browsers; Turtle, JSON-LD,
N-Triples, RDF/XML by `Accept` or by suffix), plus the ontology documentation, the VoID description
and the full export. Path `/paper/x` answers for `<base>paper/x`."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from kg.api.describe import describe
from kg.api.graph_state import GraphState
from kg.api.negotiation import GRAPH_FORMATS, HTML, RDF_FORMAT_ENUM, Format, negotiate
from kg.api.pages import Links, ontology_page, resource_page
from kg.api.sparql import etag_matches
from kg.errors import InputError, NotFound
from kg.export import EXPORT_FORMATS, export
from kg.iri import GRAPH_ONTOLOGY, PREFIXES

__all__ = ["router", "RESOURCE_KINDS"]

router = APIRouter()

RESOURCE_KINDS = ("paper", "benchmark", "category", "section9", "network", "venue", "author", "source", "graph")
_SUFFIXES = {"." + f.suffix: f for f in GRAPH_FORMATS} | {".html": HTML}
_PAGE_FORMATS = (HTML, *GRAPH_FORMATS)
_EXPORT_MEDIA = {"ttl": "text/turtle; charset=utf-8", "nt": "application/n-triples", "nq": "application/n-quads",
                 "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml"}


def _split_suffix(path: str) -> tuple[str, Format | None]:
    for suffix, fmt in _SUFFIXES.items():
        if path.endswith(suffix):
            return path[: -len(suffix)], fmt
    return path, None


def _serialize(triples: list[ox.Triple], fmt: Format) -> bytes:
    rdf_format = RDF_FORMAT_ENUM[fmt.key]
    prefixes = PREFIXES if fmt.key in ("ttl", "rdfxml") else None
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes)


async def _cached_response(request: Request, key: tuple, fmt: Format, render) -> Response:
    """Answer with ETag/304 and the result cache around `render()` (run in a thread: it reads the store)."""
    state: GraphState = request.app.state.graph
    etag = 'W/"' + state.version + "-" + hashlib.sha1(repr((key, fmt.key)).encode()).hexdigest()[:16] + '"'
    headers = {"ETag": etag, "Vary": "Accept", "Cache-Control": "no-cache"}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    hit = state.cached((key, fmt.key))
    if hit is None:
        body = await run_in_threadpool(render)
        state.remember((key, fmt.key), fmt.media_type, body)
        hit = (fmt.media_type, body)
    return Response(hit[1], media_type=hit[0], headers=headers)


def _resource_route(kind: str):
    async def resource(request: Request, local: str) -> Response:
        local, forced = _split_suffix(local)
        if not local or "#" in local:
            raise NotFound(f"no resource at /{kind}/")
        base = request.app.state.settings.base_iri
        iri = f"{base}{kind}/{local}"
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise NotFound(f"no resource at this /{kind}/ path") from None
        fmt = forced or negotiate(request.headers.get("accept"), _PAGE_FORMATS)
        state: GraphState = request.app.state.graph

        def render() -> bytes:
            description = describe(state.store, iri)
            if not description.exists:
                raise NotFound(f"nothing is known about {iri}")
            if fmt is HTML:
                return resource_page(description, links=Links(base), path=f"/{kind}/{local}").encode()
            return _serialize(description.triples(), fmt)

        return await _cached_response(request, ("resource", iri), fmt, render)

    resource.__name__ = f"dereference_{kind}"
    return resource


for _kind in RESOURCE_KINDS:
    router.add_api_route(f"/{_kind}/{{local:path}}", _resource_route(_kind), methods=["GET"],
                         summary=f"Dereference an IRI under <base>{_kind}/")


@router.get("/ontology")
@router.get("/ontology{suffix}")
async def ontology(request: Request, suffix: str = "") -> Response:
    forced = _SUFFIXES.get(suffix) if suffix else None
    if suffix and forced is None:
        raise NotFound("no such ontology document; use .ttl, .jsonld, .nt, .rdf or .html")
    fmt = forced or negotiate(request.headers.get("accept"), _PAGE_FORMATS)
    state: GraphState = request.app.state.graph
    base = request.app.state.settings.base_iri

    def render() -> bytes:
        if fmt is HTML:
            return ontology_page(state.store, graph=GRAPH_ONTOLOGY, links=Links(base)).encode()
        graph = ox.NamedNode(GRAPH_ONTOLOGY)
        return _serialize([q.triple for q in state.store.quads_for_pattern(None, None, None, graph)], fmt)

    return await _cached_response(request, ("ontology",), fmt, render)


_VOID_QUERY = """
PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g
"""
_VOID_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"
_VOID_PREDICATES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"
_VOID_LINKS = """
SELECT ?p ?host (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o FILTER(isIRI(?o) && !STRSTARTS(STR(?o), BASE_LITERAL)
  && ?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>) }
  BIND(REPLACE(STR(?o), "^(https?://[^/]+/).*$", "$1") AS ?host) FILTER(STRSTARTS(?host, "http")) }
GROUP BY ?p ?host
"""


def void_description(store: ox.Store, *, base: str, endpoint: str) -> list[ox.Triple]:
    """A VoID description generated from the store: per-graph counts, classes, vocabularies, link sets."""
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
        ox.Triple(dataset, ox.NamedNode(void + "triples"), ox.Literal(str(len(store)), datatype=xsd_integer)),
    ]
    for row in store.query(_VOID_QUERY):
        part = ox.NamedNode(base + "void#graph-" + row["g"].value.rsplit("/", 1)[-1])
        out += [ox.Triple(dataset, ox.NamedNode(void + "subset"), part),
                ox.Triple(part, rdf_type, ox.NamedNode(void + "Dataset")),
                ox.Triple(part, ox.NamedNode("http://www.w3.org/ns/sparql-service-description#name"), row["g"]),
                ox.Triple(part, ox.NamedNode(void + "triples"), row["triples"]),
                ox.Triple(part, ox.NamedNode(void + "distinctSubjects"), row["subjects"]),
                ox.Triple(part, ox.NamedNode(void + "properties"), row["properties"])]
    for index, row in enumerate(store.query(_VOID_CLASSES)):
        partition = ox.BlankNode(f"class{index}")
        out += [ox.Triple(dataset, ox.NamedNode(void + "classPartition"), partition),
                ox.Triple(partition, ox.NamedNode(void + "class"), row["c"]),
                ox.Triple(partition, ox.NamedNode(void + "entities"), row["n"])]
    vocabularies = {ns for ns in PREFIXES.values()
                    for row in store.query(_VOID_PREDICATES) if row["p"].value.startswith(ns)}
    out += [ox.Triple(dataset, ox.NamedNode(void + "vocabulary"), ox.NamedNode(ns)) for ns in sorted(vocabularies)]
    # the base comes from settings, and str() of a Literal is an escaped SPARQL literal
    links = store.query(_VOID_LINKS.replace("BASE_LITERAL", str(ox.Literal(base))))
    for index, row in enumerate(links):
        linkset = ox.NamedNode(f"{base}void#links-{index}")
        out += [ox.Triple(linkset, rdf_type, ox.NamedNode(void + "Linkset")),
                ox.Triple(linkset, ox.NamedNode(void + "subjectsTarget"), dataset),
                ox.Triple(linkset, ox.NamedNode(void + "objectsTarget"), ox.NamedNode(row["host"].value)),
                ox.Triple(linkset, ox.NamedNode(void + "linkPredicate"), row["p"]),
                ox.Triple(linkset, ox.NamedNode(void + "triples"), row["n"])]
    return out


@router.get("/.well-known/void")
async def void(request: Request) -> Response:
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
    state: GraphState = request.app.state.graph
    base = request.app.state.settings.base_iri
    endpoint = str(request.url.replace(path="/sparql", query=""))
    return await _cached_response(
        request, ("void", endpoint), fmt,
        lambda: _serialize(void_description(state.store, base=base, endpoint=endpoint), fmt))


@router.get("/export")
async def export_route(request: Request, format: str = "ttl") -> Response:
    if format not in EXPORT_FORMATS:
        raise InputError(f"format must be one of: {', '.join(EXPORT_FORMATS)}")
    state: GraphState = request.app.state.graph
    fmt = Format(format, _EXPORT_MEDIA[format], (_EXPORT_MEDIA[format],), format)
    response = await _cached_response(request, ("export",), fmt, lambda: export(state.store, format=format))
    suffix = {"rdfxml": "rdf"}.get(format, format)
    response.headers["Content-Disposition"] = f'attachment; filename="duality-kg.{suffix}"'
    return response
