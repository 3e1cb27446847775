"""The query service behind every route, one negotiator, HEAD everywhere and safe links, on a real server.

Two servers: the endpoint fixture (a copy, with a slow named query added) and the project's ontology and
queries over the reasoning fixture `consistent` (gap report and figures have their queries there), with
two hostile IRIs (javascript:, data:) added as facts of a paper.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyoxigraph as ox
import pytest
from api_server import (
    copy_fixture,
    fixture_settings,
    load_store,
    memory_store,
    serve_in_thread,
)
from reasoning_stores import FIXTURES, loaded_store, settings_for
from starlette.routing import Mount

import kg.api.gaps
from kg.iri import GRAPH_DATA, PAPER
from kg.reason import reason

EUREKA = PAPER + "arxiv-2310.12931"
SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
HOSTILE = ("javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")
SLOW_QUERY = """#+ summary: A query that runs far longer than the test's deadline
SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The project's ontology and queries over the reasoning fixture, reasoned, plus the hostile IRIs."""
    settings = settings_for(tmp_path_factory.mktemp("service"), FIXTURES / "consistent")
    store = loaded_store(settings)
    reason(settings=settings, store=store)
    papers = [q.subject for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DATA))
              if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(PAPER)]
    assert papers, "the fixture has papers"
    paper = sorted(papers, key=lambda n: n.value)[0]
    for iri in HOSTILE:
        store.add(ox.Quad(paper, SEE_ALSO, ox.NamedNode(iri), ox.NamedNode(GRAPH_DATA)))
    with serve_in_thread(settings, store) as running:
        running.paper_path = "/" + paper.value[len(settings.base_iri):]
        yield running


@pytest.fixture()
def client(project):
    with httpx.Client(base_url=project.url, timeout=120) as c:
        yield c


# ------------------------------------------------------------------ every route through the pool


def test_a_slow_named_query_is_stopped_at_the_deadline(tmp_path):
    """Named queries run in the worker pool: past `query_timeout_s` the worker is killed and the answer is 503."""
    copy_fixture(tmp_path)
    (tmp_path / "queries" / "slow-cross-product.rq").write_text(SLOW_QUERY)
    settings = fixture_settings(tmp_path, query_timeout_s=0.5)
    with serve_in_thread(settings, load_store(settings, inferred=tmp_path / "inferred.ttl")) as running:
        with httpx.Client(base_url=running.url, timeout=60) as http:
            slow = http.get("/queries/slow-cross-product")
            assert slow.status_code == 503 and "0.5 s" in slow.text
            assert http.get("/queries/papers-in-category").status_code == 200, "the pool serves the next query"


@pytest.mark.parametrize("path", ["/paper/arxiv-2310.12931", "/ontology", "/ontology.ttl", "/.well-known/void", "/",
                                  "/queries/papers-in-category"])
def test_pages_read_the_workers_snapshot_not_the_primary_store(tmp_path, path):
    """A triple added to the primary store behind the service's back is invisible to every page until the
    graph reports a change: the pages' queries run in the workers, on the snapshot."""
    copy_fixture(tmp_path)
    settings = fixture_settings(tmp_path, cache_enabled=False)
    store = memory_store(settings, inferred=tmp_path / "inferred.ttl")
    marker = "Marker-only-in-the-primary-store"
    with serve_in_thread(settings, store) as running, httpx.Client(base_url=running.url, timeout=60) as http:
        accept = {} if path.endswith((".ttl", "void")) else {"accept": "text/html"}
        before = http.get(path, headers=accept)
        assert before.status_code == 200
        title = ox.NamedNode("http://purl.org/dc/terms/title")
        label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        marker_class = ox.NamedNode("https://w3id.org/duality-kg/ontology#MarkerClass")
        ontology = ox.NamedNode("https://w3id.org/duality-kg/graph/ontology")
        store.add(ox.Quad(ox.NamedNode(EUREKA), title, ox.Literal(marker), ox.NamedNode(GRAPH_DATA)))
        store.add(ox.Quad(marker_class, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode("http://www.w3.org/2002/07/owl#Class"), ontology))
        store.add(ox.Quad(marker_class, label, ox.Literal(marker), ontology))
        unchanged = http.get(path, headers=accept)
        assert unchanged.text == before.text
        running.app.state.graph.changed()
        after = http.get(path, headers=accept)
        assert after.text != before.text, "after the change the page reads the new snapshot"


def test_gaps_are_computed_once_per_graph_version(client, project, monkeypatch):
    runs = []
    real_build = kg.api.gaps.build_report
    lock = threading.Lock()

    def counting_build(**kwargs):
        with lock:
            runs.append(threading.current_thread().name)
        return real_build(**kwargs)

    monkeypatch.setattr(kg.api.gaps, "build_report", counting_build)
    project.app.state.graph.changed()  # a fresh version: nothing cached yet
    with ThreadPoolExecutor(2) as pool:  # a browser asks for the page and its heatmap at once
        first = list(pool.map(client.get, ["/gaps", "/gaps/heatmap.svg"]))
    assert [r.status_code for r in first] == [200, 200]
    for request in ({"url": "/gaps", "params": {"format": "json"}}, {"url": "/gaps/heatmap.png"},
                    {"url": "/gaps", "headers": {"accept": "text/markdown"}}):
        assert client.get(**request).status_code == 200
    assert len(runs) == 1, f"the report was built {len(runs)} times for one graph version"
    project.app.state.graph.changed()
    assert client.get("/gaps").status_code == 200
    assert len(runs) == 2, "a new graph version builds the report again"


# ------------------------------------------------------------------ HEAD


def _routes(routes) -> list:
    """Every route, also those of included routers (FastAPI keeps an included router as one entry; no
    router of the app has a prefix)."""
    flat = []
    for route in routes:
        included = getattr(route, "original_router", None)
        flat += _routes(included.routes) if included is not None else [route]
    return flat


def _concrete_paths(app, paper_path: str) -> list[str]:
    """One request path for every GET route of the app; a route with parameters must be listed here."""
    examples = {
        "/ontology{suffix}": "/ontology.ttl",
        "/queries/{name:path}": "/queries/survey-table-2",
        "/figures/{name}": "/figures/trend.svg",
        "/gaps/heatmap.{image_format}": "/gaps/heatmap.svg",
        "/paper/{local:path}": paper_path,
        "/releases/{version}/{name}": "/releases/1.0/void.ttl",  # none in the fixture project: 404 both ways
    }
    paths = []
    for route in _routes(app.routes):
        if isinstance(route, Mount):
            paths.append(route.path + "/query.js")
            continue
        if "GET" not in (getattr(route, "methods", None) or ()):
            continue
        if "{" not in route.path:
            paths.append(route.path)
        elif route.path.endswith("{local:path}"):
            paths.append(examples.get(route.path, route.path.replace("{local:path}", "no-such-thing")))
        else:
            assert route.path in examples, f"no example path for the GET route {route.path}"
            paths.append(examples[route.path])
    return paths


def test_head_answers_like_get_on_every_get_route(client, project):
    paths = _concrete_paths(project.app, project.paper_path)
    assert len(paths) > 15
    for path in paths:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code != 405, path
        assert head.content == b"", path
        ignore = {"date"}
        assert {k: v for k, v in head.headers.items() if k not in ignore} == \
               {k: v for k, v in get.headers.items() if k not in ignore}, path


# ------------------------------------------------------------------ one negotiator

SELECT = "/sparql?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%201"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
NEGOTIATION = [
    # (route, Accept, expected media type or status)
    (SELECT, None, "application/sparql-results+json"),
    (SELECT, "text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    (SELECT, "text/*;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
    (SELECT, "image/png", 406),
    ("/queries/survey-table-2", None, "application/sparql-results+json"),
    ("/queries/survey-table-2", BROWSER, "text/html"),
    ("/queries/survey-table-2", "text/tab-separated-values", "text/tab-separated-values"),
    ("/queries/survey-table-2.csv", BROWSER, "text/csv"),
    ("/queries/survey-table-2", "image/png", 406),
    ("/gaps", None, "text/html"),
    ("/gaps", "application/json", "application/json"),
    ("/gaps", "text/markdown, text/html;q=0.5", "text/markdown"),
    ("/gaps?format=md", BROWSER, "text/markdown"),
    ("/gaps?format=png", None, 406),
    ("/gaps", "image/png", 406),
    ("PAPER", None, "text/html"),
    ("PAPER", "text/turtle", "text/turtle"),
    ("PAPER", "application/ld+json;q=0.9, text/turtle;q=0.1", "application/ld+json"),
    ("PAPER.nt", BROWSER, "application/n-triples"),
    ("/ontology", BROWSER, "text/html"),
    ("/ontology", "application/rdf+xml", "application/rdf+xml"),
    ("/ontology.jsonld", None, "application/ld+json"),
    ("/.well-known/void", None, "text/turtle"),
    ("/.well-known/void", "application/n-triples", "application/n-triples"),
    ("/.well-known/void?format=jsonld", "text/turtle", "application/ld+json"),
    ("/figures/trend", None, "image/png"),
    ("/figures/trend", "image/svg+xml", "image/svg+xml"),
    ("/figures/trend.svg", "image/png", "image/svg+xml"),
    ("/figures/trend", "text/html", 406),
    ("/gaps/heatmap.png", None, "image/png"),
    ("/export?format=nq", None, "application/n-quads"),
    ("/export?format=turtle", None, "text/turtle"),
    ("/export?format=gif", None, 406),
]


@pytest.mark.parametrize(("path", "accept", "expected"), NEGOTIATION)
def test_every_route_negotiates_with_the_one_negotiator(client, project, path, accept, expected):
    path = path.replace("PAPER", project.paper_path)
    response = client.get(path, headers={"accept": accept} if accept else {})
    if isinstance(expected, int):
        assert response.status_code == expected
    else:
        assert response.status_code == 200, response.text[:300]
        assert response.headers["content-type"].split(";")[0] == expected


# ------------------------------------------------------------------ safe links

HREF = re.compile(r"""href\s*=\s*["']?\s*([^"' >]+)""", re.IGNORECASE)


def test_pages_link_only_http_iris_and_local_paths(client, project):
    pages = ["/", "/query", "/queries", "/queries/survey-table-2", "/gaps", "/figures", "/ontology",
             project.paper_path]
    page = client.get(project.paper_path, headers={"accept": "text/html"}).text
    for iri in HOSTILE:
        assert iri in page, "the hostile IRI is shown, as text"
    for path in pages:
        response = client.get(path, headers={"accept": "text/html"})
        assert response.status_code == 200, path
        hrefs = HREF.findall(response.text)
        assert hrefs, path
        bad = [h for h in hrefs if not (h.startswith(("http://", "https://", "/", "#", "?")))]
        assert bad == [], f"{path} links to {bad}"


def test_the_error_page_of_a_browser_escapes_and_links_nothing_hostile(client):
    response = client.get("/queries/<script>alert(1)</script>", headers={"accept": BROWSER})
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "<script>alert" not in response.text
