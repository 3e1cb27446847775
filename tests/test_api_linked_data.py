"""Dereferencing IRIs, the ontology documentation, VoID and /export on a real server."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import to_isomorphic

from kg.iri import BASE, GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, PAPER

EUREKA = PAPER + "arxiv-2310.12931"
DCTERMS_TITLE = rdflib.URIRef("http://purl.org/dc/terms/title")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.fixture()
def client(api_server):
    with httpx.Client(base_url=api_server.url, timeout=30) as c:
        yield c


def _subjects_under_base(store: ox.Store) -> list[str]:
    subjects = {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)}
    return sorted(s for s in subjects if s.startswith(BASE) and "#" not in s and s != BASE + "ontology")


def test_every_iri_under_the_base_dereferences(client, api_server):
    iris = _subjects_under_base(api_server.store)
    assert iris, "the fixture has resources under the base IRI"
    for iri in iris:
        path = "/" + iri[len(BASE):]
        html = client.get(path, headers={"accept": "text/html"})
        assert html.status_code == 200, path
        assert html.headers["content-type"].startswith("text/html")
        turtle = client.get(path, headers={"accept": "text/turtle"})
        graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
        assert (rdflib.URIRef(iri), None, None) in graph, path


def test_paper_page_shows_facts_provenance_and_marks_inferred(client):
    page = client.get("/paper/arxiv-2310.12931", headers={"accept": "text/html"}).text
    assert "Eureka: human-level reward design via coding large language models" in page
    assert "Table 2, row 5" in page, "the source record's locator is shown"
    assert 'id="table-2-row-5"' in page, "record IRIs (#table-2-row-5) resolve to an anchor"
    inferred_rows = [row for row in page.split("<tr") if 'class="inferred"' in row]
    assert any("reward-llm" in row for row in inferred_rows), "the reasoner's inCategory is marked"
    assert not any("dcterms:title" in row for row in inferred_rows), "asserted facts are not marked"


@pytest.mark.parametrize(("how", "value", "rdflib_format"), [
    ("accept", "text/turtle", "turtle"), ("accept", "application/ld+json", "json-ld"),
    ("accept", "application/n-triples", "nt"), ("accept", "application/rdf+xml", "xml"),
    ("suffix", ".ttl", "turtle"), ("suffix", ".jsonld", "json-ld"), ("suffix", ".nt", "nt"),
])
def test_rdf_by_accept_and_by_suffix(client, api_server, how, value, rdflib_format):
    path = "/paper/arxiv-2310.12931"
    response = client.get(path + value) if how == "suffix" else client.get(path, headers={"accept": value})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    own = {q.triple for q in api_server.store.quads_for_pattern(ox.NamedNode(EUREKA), None, None, None)}
    assert len(set(graph.triples((rdflib.URIRef(EUREKA), None, None)))) == len(own)
    record = rdflib.URIRef(EUREKA + "#table-2-row-5")
    assert (record, None, None) in graph, "the paper's source records come with it"


def test_unknown_resource_is_404_and_not_reflected(client):
    response = client.get("/paper/<b>nothing-here</b>")
    assert response.status_code == 404
    assert "<b>" not in response.text


def test_page_etag_304(client):
    first = client.get("/category/llm", headers={"accept": "text/html"})
    assert first.status_code == 200 and "Large language model" in first.text
    again = client.get("/category/llm", headers={"accept": "text/html", "if-none-match": first.headers["etag"]})
    assert again.status_code == 304


def test_ontology_documentation(client, api_server):
    html = client.get("/ontology", headers={"accept": "text/html"})
    assert html.status_code == 200
    classes = [q.subject.value for q in api_server.store.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("http://www.w3.org/2002/07/owl#Class"), ox.NamedNode(GRAPH_ONTOLOGY))]
    assert classes
    for iri in classes:
        assert f'id="{iri.rpartition("#")[2]}"' in html.text, iri
    turtle = rdflib.Graph().parse(data=client.get("/ontology.ttl").text, format="turtle")
    stored = sum(1 for _ in api_server.store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY)))
    assert len(turtle) == stored


def test_void_counts_come_from_the_store(client, api_server):
    graph = rdflib.Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    dataset = next(graph.subjects(rdflib.RDF.type, VOID.Dataset))
    top = [d for d in graph.subjects(rdflib.RDF.type, VOID.Dataset) if (d, VOID.subset, None) in graph]
    assert len(top) == 1
    assert int(graph.value(top[0], VOID.triples)) == len(api_server.store)
    sd_name = rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#name")
    for name in (GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_INFERRED):
        part = graph.value(predicate=sd_name, object=rdflib.URIRef(name))
        expected = sum(1 for _ in api_server.store.quads_for_pattern(None, None, None, ox.NamedNode(name)))
        assert int(graph.value(part, VOID.triples)) == expected, name
    assert dataset is not None
    vocabularies = set(graph.objects(top[0], VOID.vocabulary))
    assert rdflib.URIRef("http://purl.org/dc/terms/") in vocabularies
    linksets = list(graph.subjects(rdflib.RDF.type, VOID.Linkset))
    assert any(graph.value(ls, VOID.objectsTarget) == rdflib.URIRef("https://arxiv.org/") for ls in linksets)


@pytest.mark.parametrize(("fmt", "rdflib_format"), [
    ("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml"),
])
def test_export_route_is_the_union_graph(client, api_server, fmt, rdflib_format):
    response = client.get("/export", params={"format": fmt})
    assert response.status_code == 200
    exported = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    expected = rdflib.Graph().parse(
        data=ox.serialize(list({q.triple for q in api_server.store}), format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert to_isomorphic(exported) == to_isomorphic(expected)


def test_export_route_nquads_keeps_graphs(client, api_server):
    response = client.get("/export", params={"format": "nq"})
    dataset = rdflib.Dataset().parse(data=response.content, format="nquads")
    assert len(list(dataset.quads((None, None, None, None)))) == len(api_server.store)
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert {GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_INFERRED} <= graphs


def test_blank_node_facts_are_shown_inline(client):
    page = client.get("/paper/doi-10.1016-j.inffus.2025.104003", headers={"accept": "text/html"}).text
    # shown by labels (the pages show no bare IRIs): "coverage of: <label of cat:llm>; ..."
    assert "coverage of: Large language model" in page and "PrimaryFocus" in page
    turtle = client.get("/paper/doi-10.1016-j.inffus.2025.104003.ttl").text
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    coverage = graph.value(rdflib.URIRef(PAPER + "doi-10.1016-j.inffus.2025.104003"),
                           rdflib.URIRef("https://w3id.org/duality-kg/ontology#coverage"))
    assert isinstance(coverage, rdflib.BNode)
    assert (coverage, None, rdflib.URIRef("https://w3id.org/duality-kg/category/llm")) in graph
