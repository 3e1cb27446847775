"""The SPARQL 1.1 Protocol on /sparql against a real uvicorn server, with real clients."""

from __future__ import annotations

import csv
import io

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from kg.iri import DEFAULT_GRAPHS, GRAPH_INFERRED, GRAPH_RECORDS, PAPER

DEFAULT_GRAPH_NODES = [ox.NamedNode(g) for g in DEFAULT_GRAPHS]

EUREKA = PAPER + "arxiv-2310.12931"
TITLE = "http://purl.org/dc/terms/title"
SELECT_TITLES = f"SELECT ?p ?t WHERE {{ ?p <{TITLE}> ?t }} ORDER BY ?p"
CONSTRUCT_EUREKA = f"CONSTRUCT {{ <{EUREKA}> ?p ?o }} WHERE {{ <{EUREKA}> ?p ?o }}"


@pytest.fixture()
def client(api_server):
    with httpx.Client(base_url=api_server.url, timeout=30) as c:
        yield c


def _titles_in_store(store) -> set[str]:
    return {row["t"].value for row in store.query(SELECT_TITLES, default_graph=DEFAULT_GRAPH_NODES)}


def test_get_post_form_and_post_direct_give_the_same_rows(client, api_server):
    expected = _titles_in_store(api_server.store)
    assert expected, "the fixture has titled works"
    answers = [
        client.get("/sparql", params={"query": SELECT_TITLES}),
        client.post("/sparql", data={"query": SELECT_TITLES}),
        client.post("/sparql", content=SELECT_TITLES, headers={"content-type": "application/sparql-query"}),
    ]
    for response in answers:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/sparql-results+json")
        rows = response.json()["results"]["bindings"]
        assert {row["t"]["value"] for row in rows} == expected


@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/csv;q=0.3, application/sparql-results+json;q=0.1", "text/csv"),
    ("text/tab-separated-values;q=0.2, */*;q=0.1", "text/tab-separated-values"),
])
def test_select_formats_follow_accept_with_q_values(client, api_server, accept, media):
    response = client.get("/sparql", params={"query": SELECT_TITLES}, headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    expected = _titles_in_store(api_server.store)
    if media == "text/csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert {row["t"] for row in rows} == expected
    elif media == "application/sparql-results+xml":
        assert all(title in response.text for title in expected)
    elif media == "text/tab-separated-values":
        assert response.text.splitlines()[0] == "?p\t?t"
        rows = list(api_server.store.query(SELECT_TITLES, default_graph=DEFAULT_GRAPH_NODES))
        assert len(response.text.splitlines()) == len(rows) + 1


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
])
def test_construct_formats_parse_to_the_stored_triples(client, api_server, accept, rdflib_format):
    response = client.get("/sparql", params={"query": CONSTRUCT_EUREKA}, headers={"accept": accept})
    assert response.status_code == 200, response.text
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    stored = {(q.predicate.value, str(q.object)) for q in api_server.store.quads_for_pattern(
        __import__("pyoxigraph").NamedNode(EUREKA), None, None, None)}
    assert len(graph) == len(stored) > 0
    assert (rdflib.URIRef(EUREKA), rdflib.URIRef(TITLE), None) in graph


def test_unacceptable_media_type_is_406(client):
    response = client.get("/sparql", params={"query": SELECT_TITLES}, headers={"accept": "image/png"})
    assert response.status_code == 406
    response = client.get("/sparql", params={"query": CONSTRUCT_EUREKA},
                          headers={"accept": "application/sparql-results+json, text/turtle;q=0"})
    assert response.status_code == 406


def test_ask_answers_in_json_and_xml(client):
    ask = f"ASK {{ <{EUREKA}> <{TITLE}> ?t }}"
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True
    xml = client.get("/sparql", params={"query": ask}, headers={"accept": "application/sparql-results+xml"})
    assert "<boolean>true</boolean>" in xml.text


def test_service_description_on_get_without_query(client, api_server):
    response = client.get("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(api_server.url + "/sparql")) in graph
    # the default graph is the merge of DEFAULT_GRAPHS, not the union of every graph (records stay out)
    assert (None, sd.feature, sd.UnionDefaultGraph) not in graph
    assert (None, sd.name, rdflib.URIRef(GRAPH_INFERRED)) in graph
    assert (None, sd.name, rdflib.URIRef(GRAPH_RECORDS)) in graph


def test_a_browser_without_a_query_gets_the_query_page(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"accept": accept}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/query"


def test_default_graph_is_the_default_graphs_and_from_selects_a_local_graph(client, api_server):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    merged = int(client.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"]["value"])
    distinct_triples = len({q.triple for q in api_server.store if q.graph_name.value in DEFAULT_GRAPHS})
    assert merged == distinct_triples < len({q.triple for q in api_server.store})
    inferred_only = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_INFERRED}> WHERE {{ ?s ?p ?o }}"
    got = client.get("/sparql", params={"query": inferred_only}).json()["results"]["bindings"][0]["n"]["value"]
    stored = sum(1 for _ in api_server.store.quads_for_pattern(None, None, None,
                                                                 __import__("pyoxigraph").NamedNode(GRAPH_INFERRED)))
    assert int(got) == stored > 0
    by_protocol = client.get("/sparql", params={"query": count, "default-graph-uri": GRAPH_INFERRED})
    assert int(by_protocol.json()["results"]["bindings"][0]["n"]["value"]) == stored


@pytest.mark.parametrize(("request_kwargs", "status"), [
    ({"method": "GET", "params": {"query": "SELECT * WHERE { ?s ?p "}}, 400),
    ({"method": "POST", "content": SELECT_TITLES, "headers": {"content-type": "text/plain"}}, 415),
    ({"method": "POST", "content": SELECT_TITLES, "headers": {"content-type": ""}}, 400),
    ({"method": "GET", "params": [("query", SELECT_TITLES), ("query", SELECT_TITLES)]}, 400),
    ({"method": "POST", "params": {"query": SELECT_TITLES}, "data": {"query": SELECT_TITLES}}, 400),
    ({"method": "POST", "content": b"SELECT * WHERE { ?s ?p \xff }",
      "headers": {"content-type": "application/sparql-query"}}, 400),
    ({"method": "PUT", "content": SELECT_TITLES, "headers": {"content-type": "application/sparql-query"}}, 405),
    ({"method": "POST", "data": {}}, 400),
])
def test_protocol_errors_are_4xx_plain_text(client, request_kwargs, status):
    kwargs = dict(request_kwargs)
    response = client.request(kwargs.pop("method"), "/sparql", **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert "Traceback" not in response.text


def test_error_bodies_never_reflect_markup(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { <script>alert(1)</script> }"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "<script>" not in response.text


def test_result_row_cap(client, api_server):
    cap = api_server.settings.max_result_rows
    assert len({q.triple for q in api_server.store}) > cap, "the fixture must be larger than the cap"
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 400
    assert str(cap) in response.text
    limited = client.get("/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {cap}"})
    assert len(limited.json()["results"]["bindings"]) == cap


def test_body_over_the_cap_is_413(client, api_server):
    padding = "#" + "x" * api_server.settings.max_body_bytes + "\n"
    response = client.post("/sparql", content=padding + SELECT_TITLES,
                           headers={"content-type": "application/sparql-query"})
    assert response.status_code == 413


def test_cors_allows_any_origin_without_credentials(client):
    response = client.get("/sparql", params={"query": SELECT_TITLES}, headers={"origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = client.options("/sparql", headers={"origin": "https://example.org",
                                                    "access-control-request-method": "POST",
                                                    "access-control-request-headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_format_parameter_overrides_accept(client):
    response = client.get("/sparql", params={"query": SELECT_TITLES, "format": "csv"},
                          headers={"accept": "application/sparql-results+json"})
    assert response.headers["content-type"].startswith("text/csv")
    response = client.get("/sparql", params={"query": CONSTRUCT_EUREKA, "format": "turtle"})
    assert response.headers["content-type"].startswith("text/turtle")


def test_etag_and_if_none_match(client):
    first = client.get("/sparql", params={"query": SELECT_TITLES})
    etag = first.headers["etag"]
    again = client.get("/sparql", params={"query": SELECT_TITLES}, headers={"if-none-match": etag})
    assert again.status_code == 304
    other_format = client.get("/sparql", params={"query": SELECT_TITLES},
                              headers={"if-none-match": etag, "accept": "text/csv"})
    assert other_format.status_code == 200
    assert other_format.headers["etag"] != etag


def test_sparqlwrapper_select_ask_construct(api_server):
    wrapper = SPARQLWrapper(api_server.url + "/sparql")
    wrapper.setQuery(SELECT_TITLES)
    wrapper.setReturnFormat(JSON)
    rows = wrapper.query().convert()["results"]["bindings"]
    assert {row["t"]["value"] for row in rows} == _titles_in_store(api_server.store)
    wrapper.setQuery(f"ASK {{ <{EUREKA}> ?p ?o }}")
    assert wrapper.query().convert()["boolean"] is True
    wrapper.setQuery(CONSTRUCT_EUREKA)
    wrapper.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=wrapper.query().convert(), format="turtle")
    assert (rdflib.URIRef(EUREKA), rdflib.URIRef(TITLE), None) in graph


def test_rdflib_sparqlstore(api_server):
    graph = rdflib.Graph(store=SPARQLStore(api_server.url + "/sparql", returnFormat="json"))
    titles = {str(row.t) for row in graph.query(SELECT_TITLES)}
    assert titles == _titles_in_store(api_server.store)
    assert bool(graph.query(f"ASK {{ <{EUREKA}> ?p ?o }}").askAnswer) is True


def test_named_query_examples_run_on_the_endpoint(client, api_server):
    from kg.api.query_page import named_query_examples

    examples = named_query_examples(api_server.settings)
    assert examples, "the fixture has named queries"
    for example in examples:
        response = client.post("/sparql", data={"query": example["text"]})
        assert response.status_code == 200, (example["name"], response.text)
        assert response.json()["results"]["bindings"], example["name"]


def test_large_results_cross_the_worker_pipe(client, api_server):
    # regression: uvloop leaves the worker socket non-blocking; a reply larger than the socket buffer
    # used to be reported as a worker crash
    query = ("SELECT (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?s ?p ?o . ?a ?b ?c FILTER(isLiteral(?o)) "
             "VALUES ?copy { 1 2 3 4 5 6 7 8 9 10 12 13 14 15 16 } }")
    expected = len(list(api_server.store.query(query.replace("GROUP_CONCAT(STR(?o))", "COUNT(*)"),
                                               use_default_graph_as_union=True)))
    assert expected == 1
    response = client.get("/sparql", params={"query": query}, headers={"accept": "text/tab-separated-values"})
    assert response.status_code == 200, response.text
    assert len(response.content) > 1_000_000
