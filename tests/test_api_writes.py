"""Writes through /papers/{local}: bearer token, Turtle errors, validation, atomic commit."""

from __future__ import annotations

import threading

import httpx
import pyoxigraph as ox
import pytest

from api_server import WRITE_TOKEN, fixture_server
from kg.iri import GRAPH_DATA, PAPER

EUREKA_LOCAL = "arxiv-2310.12931"
EUREKA = PAPER + EUREKA_LOCAL
TITLE = "http://purl.org/dc/terms/title"
AUTH = {"authorization": f"Bearer {WRITE_TOKEN}", "content-type": "text/turtle"}
PAPER_TTL = """@prefix dkg: <https://w3id.org/duality-kg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix src: <https://w3id.org/duality-kg/source/> .
<{iri}> a dkg:ResearchPaper ;
    dcterms:title {titles} ;
    dkg:hasRecord <{iri}#curated-1> .
<{iri}#curated-1> a dkg:CuratedRecord ; dkg:recordOf <{iri}> ;
    prov:wasDerivedFrom src:curated-merges ; dcterms:title {titles} .
"""

needs_validate = pytest.mark.skipif(
    __import__("importlib").util.find_spec("kg.validate") is None,
    reason="kg.validate (shapes + QC, written by the shapes helper) is not on this branch yet")


def _paper_ttl(iri: str, *titles: str) -> str:
    return PAPER_TTL.format(iri=iri, titles=", ".join(f'"{t}"' for t in titles))


def _titles(client: httpx.Client, iri: str) -> list[str]:
    response = client.get("/sparql", params={"query": f"SELECT ?t WHERE {{ <{iri}> <{TITLE}> ?t }}"})
    return sorted(row["t"]["value"] for row in response.json()["results"]["bindings"])


def _data_snapshot(store: ox.Store) -> set:
    return set(store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DATA)))


@pytest.fixture()
def server(writable_api_server):
    with httpx.Client(base_url=writable_api_server.url, timeout=60) as client:
        yield writable_api_server, client


def test_writes_need_the_bearer_token(server):
    running, client = server
    before = _data_snapshot(running.store)
    body = _paper_ttl(EUREKA, "Changed")
    missing = client.put(f"/papers/{EUREKA_LOCAL}", content=body, headers={"content-type": "text/turtle"})
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.put(f"/papers/{EUREKA_LOCAL}", content=body,
                       headers={"content-type": "text/turtle", "authorization": "Bearer not-the-token"})
    assert wrong.status_code == 403
    deleted = client.delete(f"/papers/{EUREKA_LOCAL}", headers={"authorization": "Bearer not-the-token"})
    assert deleted.status_code == 403
    assert _data_snapshot(running.store) == before


def test_writes_are_disabled_without_a_configured_token(tmp_path):
    with fixture_server(tmp_path, write_token=None) as running, httpx.Client(base_url=running.url) as client:
        response = client.put(f"/papers/{EUREKA_LOCAL}", content=_paper_ttl(EUREKA, "x"), headers=AUTH)
        assert response.status_code == 403
        assert "KG_WRITE_TOKEN" in response.text


def test_invalid_turtle_is_400_naming_the_line(server):
    running, client = server
    before = _data_snapshot(running.store)
    broken = '@prefix dcterms: <http://purl.org/dc/terms/> .\n\n<%s> dcterms:title "unterminated .\n' % EUREKA
    response = client.put(f"/papers/{EUREKA_LOCAL}", content=broken, headers=AUTH)
    assert response.status_code == 400
    assert "request body:3" in response.text
    assert _data_snapshot(running.store) == before


def test_triples_about_other_resources_are_refused(server):
    running, client = server
    before = _data_snapshot(running.store)
    body = _paper_ttl(EUREKA, "x") + f'<{PAPER}someone-else> <{TITLE}> "not mine" .\n'
    response = client.put(f"/papers/{EUREKA_LOCAL}", content=body, headers=AUTH)
    assert response.status_code == 400
    assert "someone-else" in response.text
    assert _data_snapshot(running.store) == before


def test_other_update_routes_do_not_exist(server):
    running, client = server
    before = _data_snapshot(running.store)
    for method, path in [("PUT", "/paper/" + EUREKA_LOCAL), ("POST", "/paper/" + EUREKA_LOCAL),
                         ("DELETE", "/paper/" + EUREKA_LOCAL), ("PUT", "/export"), ("POST", "/ontology")]:
        response = client.request(method, path, content=b"x", headers=AUTH)
        assert response.status_code == 405, (method, path)
    assert _data_snapshot(running.store) == before


@needs_validate
def test_shape_violation_is_422_with_the_report_and_nothing_changes(server):
    running, client = server
    before = _data_snapshot(running.store)
    file = running.settings.data_dir / "papers" / f"{EUREKA_LOCAL}.ttl"
    file_before = file.read_bytes()
    # expect: sh:maxCount 1 on dcterms:title
    response = client.put(f"/papers/{EUREKA_LOCAL}", content=_paper_ttl(EUREKA, "One", "Two"), headers=AUTH)
    assert response.status_code == 422, response.text
    assert "dcterms:title" in response.text and "1 violation" in response.text
    assert f"papers/{EUREKA_LOCAL}.ttl" in response.text and "kg-write-" not in response.text
    assert _data_snapshot(running.store) == before
    assert file.read_bytes() == file_before
    assert _titles(client, EUREKA) == ["Eureka: human-level reward design via coding large language models"]


@needs_validate
def test_put_post_delete_commit_store_and_file(server):
    running, client = server
    new_iri, new_local = PAPER + "arxiv-9999.00001", "arxiv-9999.00001"
    file = running.settings.data_dir / "papers" / f"{new_local}.ttl"
    etag = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).headers["etag"]

    created = client.put(f"/papers/{new_local}", content=_paper_ttl(new_iri, "A test paper"), headers=AUTH)
    assert created.status_code == 201, created.text
    assert _titles(client, new_iri) == ["A test paper"]
    assert file.is_file()
    on_disk = ox.Store()
    on_disk.load(path=str(file), format=ox.RdfFormat.TURTLE)
    assert {q.triple for q in on_disk} == {q.triple for q in running.store.quads_for_pattern(
        None, None, None, ox.NamedNode(GRAPH_DATA)) if q.subject.value.startswith(new_iri)}
    page = client.get(f"/paper/{new_local}", headers={"accept": "text/html"})
    assert "A test paper" in page.text
    changed = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"if-none-match": etag})
    assert changed.status_code == 200, "the ETag changes with the data"

    replaced = client.put(f"/papers/{new_local}", content=_paper_ttl(new_iri, "A better title"), headers=AUTH)
    assert replaced.status_code == 200
    assert _titles(client, new_iri) == ["A better title"]

    deleted = client.delete(f"/papers/{new_local}", headers={"authorization": f"Bearer {WRITE_TOKEN}"})
    assert deleted.status_code == 204
    assert _titles(client, new_iri) == []
    assert not file.exists()


@needs_validate
def test_concurrent_readers_see_old_or_new_never_a_mix(server):
    running, client = server
    titles = [f"Title {n}" for n in range(8)]
    seen: list[list[str]] = []
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(base_url=running.url, timeout=60) as reader:
            while not stop.is_set():
                seen.append(_titles(reader, EUREKA))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in readers:
        thread.start()
    for title in titles:
        response = client.put(f"/papers/{EUREKA_LOCAL}", content=_paper_ttl(EUREKA, title), headers=AUTH)
        assert response.status_code == 200, response.text
    stop.set()
    for thread in readers:
        thread.join()
    assert seen, "the readers ran"
    allowed = {("Eureka: human-level reward design via coding large language models",)} | {(t,) for t in titles}
    assert {tuple(s) for s in seen} <= allowed


@needs_validate
def test_replacing_a_paper_with_blank_nodes_leaves_no_orphans(server):
    running, client = server
    survey = PAPER + "doi-10.1016-j.inffus.2025.104003"
    body = f"""@prefix dkg: <https://w3id.org/duality-kg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{survey}> a dkg:ResearchPaper ; dcterms:title "Renamed" ;
    dkg:coverage [ a dkg:Coverage ; dkg:coverageOf <https://w3id.org/duality-kg/category/llm> ] .
"""
    response = client.put("/papers/doi-10.1016-j.inffus.2025.104003", content=body, headers=AUTH)
    assert response.status_code == 200, response.text
    coverage_nodes = {q.subject for q in running.store.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/duality-kg/ontology#coverageOf"), None, ox.NamedNode(GRAPH_DATA))}
    assert len(coverage_nodes) == 1
    marks = list(running.store.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/duality-kg/ontology#coverageMark"), None, None))
    assert marks == [], "the old blank node's triples are gone"
