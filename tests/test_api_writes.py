"""Writes through /papers/{id}: bearer token, Turtle errors, input checks, validation, the edit file and
the published store. The server is a real uvicorn serving a published on-disk store (tests/api_server.py)."""

from __future__ import annotations

import threading

import httpx
import pyoxigraph as ox
import pytest
from api_server import WRITE_TOKEN, fixture_server

from kg.edits import FORMAT_SUFFIXES, MAX_ID_CHARS, description
from kg.iri import GRAPH_DATA, GRAPH_RECORDS, PAPER

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


def _paper_ttl(iri: str, *titles: str) -> str:
    return PAPER_TTL.format(iri=iri, titles=", ".join(f'"{t}"' for t in titles))


def _titles(client: httpx.Client, iri: str) -> list[str]:
    response = client.get("/sparql", params={"query": f"SELECT ?t WHERE {{ <{iri}> <{TITLE}> ?t }}"})
    return sorted(row["t"]["value"] for row in response.json()["results"]["bindings"])


def _asserted(store: ox.Store) -> list[ox.Quad]:
    """The quads of the data files: works in graph:data, their records in graph:records."""
    return [q for graph in (GRAPH_DATA, GRAPH_RECORDS) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]


def _data_snapshot(store: ox.Store) -> set:
    return set(_asserted(store))


def _files(root) -> dict[str, bytes]:
    """Every file of the project's data/ folder (data/ttl/ and data/edits/)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "data").rglob("*")) if p.is_file()}


def _edit_file(running, local: str):
    return running.settings.edits_dir / "papers" / f"{local}.ttl"


def _described(store: ox.Store, iri: str) -> set:
    """The store's asserted triples describing the paper (itself, its records, blank nodes they reach)."""
    return {q.triple for q in description(_asserted(store), ox.NamedNode(iri))}


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
    broken = f'@prefix dcterms: <http://purl.org/dc/terms/> .\n\n<{EUREKA}> dcterms:title "unterminated .\n'
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


def test_shape_violation_is_422_with_the_report_and_nothing_changes(server):
    running, client = server
    before, files_before = _data_snapshot(running.store), _files(running.settings.root)
    # expect: sh:maxCount 1 on dcterms:title
    response = client.put(f"/papers/{EUREKA_LOCAL}", content=_paper_ttl(EUREKA, "One", "Two"), headers=AUTH)
    assert response.status_code == 422, response.text
    assert "dcterms:title" in response.text and "1 violation" in response.text
    assert _data_snapshot(running.store) == before
    assert _files(running.settings.root) == files_before, "no edit file is written for a refused write"
    assert _titles(client, EUREKA) == ["Eureka: human-level reward design via coding large language models"]


def test_put_post_delete_commit_store_and_file(server):
    running, client = server
    new_iri, new_local = PAPER + "arxiv-9999.00001", "arxiv-9999.00001"
    file = _edit_file(running, new_local)
    etag = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).headers["etag"]

    created = client.put(f"/papers/{new_local}", content=_paper_ttl(new_iri, "A test paper"), headers=AUTH)
    assert created.status_code == 201, created.text
    assert _titles(client, new_iri) == ["A test paper"]
    assert created.headers["x-kg-edit-file"] == f"data/edits/papers/{new_local}.ttl"
    assert file.read_text().startswith(f"# kg edit of paper:{new_local}") and "# method: PUT" in file.read_text()
    on_disk = {q.triple for q in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE)}
    assert on_disk and on_disk == _described(running.store, new_iri)
    page = client.get(f"/paper/{new_local}", headers={"accept": "text/html"})
    assert "A test paper" in page.text
    changed = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"if-none-match": etag})
    assert changed.status_code == 200, "the ETag changes with the data"

    replaced = client.put(f"/papers/{new_local}", content=_paper_ttl(new_iri, "A better title"), headers=AUTH)
    assert replaced.status_code == 200
    assert _titles(client, new_iri) == ["A better title"]

    added = client.post(f"/papers/{new_local}", content=f'<{new_iri}> <{TITLE}> "A second title" .',
                        headers=AUTH)
    assert added.status_code == 422 and "dcterms:title" in added.text, "POST adds to the description"
    keyword = "https://w3id.org/duality-kg/ontology#frameworkName"
    added = client.post(f"/papers/{new_local}", content=f'<{new_iri}> <{keyword}> "TESTER" .', headers=AUTH)
    assert added.status_code == 200, added.text
    assert _titles(client, new_iri) == ["A better title"]
    tagged = ox.Triple(ox.NamedNode(new_iri), ox.NamedNode(keyword), ox.Literal("TESTER"))
    assert tagged in _described(running.store, new_iri)

    deleted = client.delete(f"/papers/{new_local}", headers={"authorization": f"Bearer {WRITE_TOKEN}"})
    assert deleted.status_code == 204
    assert _titles(client, new_iri) == []
    assert "# method: DELETE" in file.read_text(), "a deletion is an edit file without triples"
    assert list(ox.parse(path=str(file), format=ox.RdfFormat.TURTLE)) == []


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
    store = running.store
    coverage_nodes = {q.subject for q in store.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/duality-kg/ontology#coverageOf"), None, ox.NamedNode(GRAPH_DATA))}
    assert len(coverage_nodes) == 1
    marks = list(store.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/duality-kg/ontology#coverageMark"), None, None))
    assert marks == [], "the old blank node's triples are gone"


def _refused_and_unchanged(running, client, method: str, path: str, body: str = "") -> httpx.Response:
    before, files_before = _data_snapshot(running.store), _files(running.settings.root)
    response = client.request(method, path, content=body.encode(), headers=AUTH)
    assert _data_snapshot(running.store) == before
    assert _files(running.settings.root) == files_before
    return response


def test_id_of_250_characters_is_a_4xx(server):
    running, client = server
    local = "a" * 250
    response = _refused_and_unchanged(running, client, "PUT", f"/papers/{local}", _paper_ttl(PAPER + local, "x"))
    assert response.status_code == 400 and f"at most {MAX_ID_CHARS} characters" in response.text


@pytest.mark.parametrize("suffix", FORMAT_SUFFIXES)
def test_format_suffix_id_is_refused(server, suffix):
    running, client = server
    local = "x" + suffix
    response = _refused_and_unchanged(running, client, "PUT", f"/papers/{local}", _paper_ttl(PAPER + local, "x"))
    assert response.status_code == 400 and "format suffix" in response.text


def test_every_suffix_the_pages_read_as_a_format_is_refused():
    from kg.formats import FORMATS

    suffixes = {"." + fmt.suffix for fmt in FORMATS}
    assert ".ttl" in suffixes and ".html" in suffixes
    assert suffixes <= set(FORMAT_SUFFIXES)


@pytest.mark.parametrize("local", ["X-upper", "-dash-first", "under_score", ".dot-first"])
def test_id_outside_the_slug_charset_is_refused(server, local):
    running, client = server
    response = _refused_and_unchanged(running, client, "PUT", f"/papers/{local}", _paper_ttl(PAPER + local, "x"))
    assert response.status_code == 400 and "lower-case slug" in response.text


def test_blank_node_subject_unreachable_is_refused(server):
    running, client = server
    body = _paper_ttl(EUREKA, "Eureka") + '_:loose <http://purl.org/dc/terms/title> "nobody reaches me" .\n'
    response = _refused_and_unchanged(running, client, "PUT", f"/papers/{EUREKA_LOCAL}", body)
    assert response.status_code == 400 and "blank node" in response.text and "do not reach" in response.text


@pytest.mark.parametrize("iri", ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd",
                                 "urn:x-evil:1", "ftp://example.org/x"])
def test_javascript_iri_is_refused(server, iri):
    running, client = server
    escaped = iri.replace("<", "%3C").replace(">", "%3E")
    body = _paper_ttl(EUREKA, "Eureka") + f"<{EUREKA}> <https://schema.org/url> <{escaped}> .\n"
    response = _refused_and_unchanged(running, client, "PUT", f"/papers/{EUREKA_LOCAL}", body)
    assert response.status_code == 400 and "only http:// and https:// IRIs" in response.text


def test_owl_nothing_is_422_naming_the_axiom(server):
    running, client = server
    body = _paper_ttl(EUREKA, "Eureka") + f"<{EUREKA}> a <http://www.w3.org/2002/07/owl#Nothing> .\n"
    response = _refused_and_unchanged(running, client, "PUT", f"/papers/{EUREKA_LOCAL}", body)
    assert response.status_code == 422
    assert "owl:Nothing" in response.text and "owl:complementOf owl:Thing" in response.text


def test_422_names_relative_path(server):
    running, client = server
    response = _refused_and_unchanged(running, client, "PUT", f"/papers/{EUREKA_LOCAL}",
                                      _paper_ttl(EUREKA, "One", "Two"))
    assert response.status_code == 422
    assert f"data/edits/papers/{EUREKA_LOCAL}.ttl" in response.text
    assert str(running.settings.root) not in response.text and "/tmp" not in response.text


def test_delete_removes_the_whole_description(server):
    running, client = server
    survey_local = "doi-10.1016-j.inffus.2025.104003"
    survey = PAPER + survey_local
    coverage = ox.NamedNode("https://w3id.org/duality-kg/ontology#coverageOf")
    assert _described(running.store, survey), "the fixture describes the survey, with a blank-node coverage"
    assert list(running.store.quads_for_pattern(None, coverage, None, None))
    response = client.delete(f"/papers/{survey_local}", headers=AUTH)
    assert response.status_code == 204, response.text
    store = running.store
    assert _described(store, survey) == set(), "paper, records and blank nodes are gone"
    assert list(store.quads_for_pattern(None, coverage, None, None)) == []
    assert client.delete(f"/papers/{survey_local}", headers=AUTH).status_code == 404


def test_put_after_delete_brings_the_paper_back(server):
    running, client = server
    assert client.delete(f"/papers/{EUREKA_LOCAL}", headers=AUTH).status_code == 204
    assert _titles(client, EUREKA) == []
    created = client.put(f"/papers/{EUREKA_LOCAL}", content=_paper_ttl(EUREKA, "Back"), headers=AUTH)
    assert created.status_code == 201, created.text
    assert _titles(client, EUREKA) == ["Back"]


def test_the_inferred_graph_follows_the_write(server):
    running, client = server
    inferred = "https://w3id.org/duality-kg/graph/inferred"
    ask = f"ASK {{ GRAPH <{inferred}> {{ <{EUREKA}> ?p ?o }} }}"
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True
    assert client.delete(f"/papers/{EUREKA_LOCAL}", headers=AUTH).status_code == 204
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is False


def test_a_running_server_keeps_no_copy_per_write(server):
    running, client = server
    for n in range(3):
        response = client.put(f"/papers/{EUREKA_LOCAL}", content=_paper_ttl(EUREKA, f"Title {n}"), headers=AUTH)
        assert response.status_code == 200, response.text
    builds = [p for p in (running.settings.store_dir / "builds").iterdir() if p.is_dir()]
    assert len(builds) <= 2, f"the current build and the one before, not one per write: {builds}"
    home = running.settings.store_dir.parent
    assert [p for p in home.iterdir() if p.name.startswith(("kg-snapshots-", "kg-write-"))] == []


def test_concurrent_writes_are_serialised_and_both_kept(server):
    running, client = server
    ids = ["arxiv-9999.00002", "arxiv-9999.00003"]
    answers: dict[str, int] = {}

    def put(local: str) -> None:
        with httpx.Client(base_url=running.url, timeout=300) as own:
            answers[local] = own.put(f"/papers/{local}", content=_paper_ttl(PAPER + local, f"Paper {local}"),
                                     headers=AUTH).status_code

    threads = [threading.Thread(target=put, args=(local,)) for local in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {local: 201 for local in ids}
    for local in ids:
        assert _titles(client, PAPER + local) == [f"Paper {local}"]
