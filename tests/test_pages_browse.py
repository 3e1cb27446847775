"""The browsing pages against real servers: one over the fixture data (tests/fixtures/api, with a stand-in
reasoner output) and one over this checkout's data (data/ttl/, every kind of page): home, search, index
pages, paper and entity pages, JSON-LD with its context, TriG, and error pages."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import httpx
import pyoxigraph as ox
import pytest
from api_server import fixture_settings, publish_fixture, serve_in_thread
from cli_support import ROOT
from queries_support import require_data

from kg.iri import BASE, GRAPH_DATA, GRAPH_INFERRED

EUREKA = "/paper/arxiv-2310.12931"
SURVEY = "/paper/doi-10.1016-j.inffus.2025.104003"
WORKS_QUERY = """SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE {
  ?w a ?t . VALUES ?t { dkg:ResearchPaper dkg:CandidatePaper dkg:Survey } FILTER NOT EXISTS { ?w dkg:recordOf ?r } }"""
PAGES = [
    "/", "/papers", "/categories", "/benchmarks", "/networks", "/authors", "/venues", "/section9",
    EUREKA, SURVEY, "/category/reward-llm", "/category/generative-tools-for-rl", "/benchmark/isaac-gym",
    "/network/gpt-4", "/author/ma-y-j", "/venue/arxiv", "/section9/llm-reward-signals", "/search?q=reward",
    "/search?q=difusion&facet=code:dkg:CodeAvailable",
]


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    """A server over this checkout's data (published without reasoning: graph:inferred stays empty)."""
    require_data()
    settings = fixture_settings(ROOT, store_dir=tmp_path_factory.mktemp("real-pages") / "store")
    publish_fixture(settings)
    with serve_in_thread(settings) as running:
        yield running


class _Text(HTMLParser):
    """The text a reader sees (attributes such as href left out), the page title and the link targets."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.hrefs: list[str] = []
        self.in_title = False
        self.title = ""

    def handle_starttag(self, tag, attrs):
        self.in_title = tag == "title"
        self.hrefs += [value for name, value in attrs if name == "href" and value]

    def handle_endtag(self, tag):
        self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        self.text.append(data)


def _read(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def _sparql_count(server, query: str) -> int:
    response = httpx.get(server.url + "/sparql", params={"query": query},
                         headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _work_titles(html: str) -> list[str]:
    """Titles of the rows of a works table, in order."""
    body = html.split('<table class="works">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr><td><a href="/paper/[^"]+">([^<]+)</a>', body)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_type_shows_labels_not_iris(real_server, path):
    response = httpx.get(real_server.url + path, headers={"accept": "text/html"})
    assert response.status_code == 200, response.text
    page = _read(response.text)
    seen = "".join(page.text)
    assert BASE not in seen, f"an IRI is shown as text on {path}"
    assert "w3id.org" not in page.title and page.title.strip()
    assert all(h.startswith(("/", "http://", "https://", "#", "?")) for h in page.hrefs), page.hrefs


@pytest.mark.parametrize("path, heading", [
    ("/category/reward-vlm", "VLMs for reward learning"), ("/benchmark/isaac-gym", "Isaac Gym"),
    ("/network/gpt-4", "GPT-4"), ("/author/ma-y-j", "Y.J. Ma"), ("/section9/llm-reward-signals", None),
])
def test_entity_pages_are_headed_by_their_label(real_server, path, heading):
    # regression: the page's own label was missing from the labels it read, so it was headed "cat:reward-vlm"
    html = httpx.get(real_server.url + path, headers={"accept": "text/html"}).text
    shown = re.search(r"<h1>([^<]+)</h1>", html).group(1)
    assert ":" not in shown or heading is None and not shown.startswith("s9:"), shown
    if heading:
        assert shown == heading


def test_paper_page_opens_with_a_summary_card(real_server):
    html = httpx.get(real_server.url + EUREKA, headers={"accept": "text/html"}).text
    card = html.split('<header class="card">', 1)[1].split("</header>", 1)[0]
    assert "<h1>Eureka: human-level reward design via coding large language models</h1>" in card
    assert 'href="https://arxiv.org/abs/2310.12931"' in card
    for heading, label in [("Benchmarks", "Isaac Gym"), ("Code", "available"), ("Networks", "GPT-4")]:
        assert re.search(rf"<dt>{heading}</dt><dd>.*{re.escape(label)}", card), (heading, label)
    assert "@article{ma2023eureka," in card
    provenance = html.split('<section class="provenance">', 1)[1]
    assert "Table 2, row 5" in provenance and "References, [8]" in provenance


def test_inferred_facts_are_marked(api_server):
    # the fixture's stand-in reasoner output types DrEureka as a reward-LLM work; no source says so
    html = httpx.get(api_server.url + "/paper/ma-2024-dreureka-language", headers={"accept": "text/html"}).text
    card = html.split('<header class="card">', 1)[1].split("</header>", 1)[0]
    assert re.search(r'href="/ontology#RewardLLMWork">[^<]+</a> <span class="badge inferred"', card), card
    assert not re.search(r'href="/ontology#ResearchPaper">[^<]+</a> <span class="badge inferred"', card)
    rows = [row for row in html.split('<section class="provenance">', 1)[1].split("<tr") if "RewardLLMWork" in row]
    assert rows and all('class="inferred"' in row for row in rows)


def test_paper_page_lists_authors_in_the_order_given(real_server):
    html = httpx.get(real_server.url + SURVEY, headers={"accept": "text/html"}).text
    authors = html.split('<p class="authors">', 1)[1].split("</p>", 1)[0]
    names = re.findall(r">([^<>,]+)</a>", authors)
    assert names == ["Angelo Moroncelli", "Vishal Soni", "Marco Forgione", "Dario Piga", "Blerina Spahiu",
                     "Loris Roveda"], names


def test_survey_page_folds_its_199_citations(real_server):
    # the survey's page was 20,574 px tall: one table row per cited work
    html = httpx.get(real_server.url + SURVEY, headers={"accept": "text/html"}).text
    cites = _sparql_count(real_server, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{BASE}{SURVEY[1:]}> cito:cites ?w }}")
    assert cites > 100 and f"<summary>{cites} values</summary>" in html
    assert html.count("<tr") < 100


def test_vlm_reward_real_robot_finds_the_works_a_researcher_expects(real_server):
    # the two works of the data that learn rewards with a VLM and test on real robots:
    # RoboFuME (arXiv 2310.15145) and LIV (arXiv 2306.00958)
    result = httpx.get(real_server.url + "/search", params={"q": "vlm reward real robot", "format": "json"}).json()
    first_page = [hit["iri"].rsplit("/", 1)[1] for hit in result["hits"]]
    assert {"arxiv-2310.15145", "arxiv-2306.00958"} <= set(first_page), first_page
    assert result["mode"] == "all"


@pytest.mark.parametrize("typed, word, expected", [
    ("difusion policy", "diffusion", "arxiv-2303.04137"),
    ("Eurka", "eureka", "arxiv-2310.12931"),
    ("DrEurka", "dreureka", "ma-2024-dreureka-language"),
])
def test_misspelt_names_are_corrected(real_server, typed, word, expected):
    result = httpx.get(real_server.url + "/search", params={"q": typed, "format": "json"}).json()
    assert word in result["corrections"].values()
    assert expected in [hit["iri"].rsplit("/", 1)[1] for hit in result["hits"][:5]]


def test_entity_page_paging_and_sorting_on_real_data(real_server):
    path = "/category/generative-tools-for-rl"
    html = httpx.get(real_server.url + path, params={"sort": "title"}).text
    total = int(re.search(r"<h2>Works \((\d+)\)</h2>", html).group(1))
    assert total > 25 and len(_work_titles(html)) == 25
    second = _work_titles(httpx.get(real_server.url + path, params={"sort": "title", "page": 2}).text)
    assert second and not set(second) & set(_work_titles(html))
    assert _work_titles(html) == sorted(_work_titles(html), key=str.lower)


def test_records_never_listed_as_works(api_server):
    html = httpx.get(api_server.url + "/papers", headers={"accept": "text/html"}).text
    links = re.findall(r'href="(/paper/[^"]+)"', html)
    assert links and not [link for link in links if "#" in link]
    hits = httpx.get(api_server.url + "/search", params={"format": "json"}).json()["hits"]
    assert hits and not [h for h in hits if "#" in h["iri"]]


def test_papers_count_equals_a_sparql_count(api_server):
    expected = _sparql_count(api_server, WORKS_QUERY)
    html = httpx.get(api_server.url + "/papers").text
    assert f"<h1>Papers ({expected})</h1>" in html
    assert len(_work_titles(html)) == expected


def test_category_count_equals_a_sparql_count(api_server):
    query = WORKS_QUERY.replace("FILTER NOT", "?w dkg:inCategory|dkg:usesBaseModel|dkg:addressesTask cat:reward-signal . FILTER NOT")
    expected = _sparql_count(api_server, query)
    assert expected >= 1
    html = httpx.get(api_server.url + "/category/reward-signal").text
    assert f"<h2>Works ({expected})</h2>" in html


def test_paging_changes_the_rows(api_server):
    first = _work_titles(httpx.get(api_server.url + "/papers", params={"per_page": 1, "sort": "title"}).text)
    second = _work_titles(httpx.get(api_server.url + "/papers", params={"per_page": 1, "sort": "title", "page": 2}).text)
    assert len(first) == len(second) == 1 and first != second
    missing = httpx.get(api_server.url + "/papers", params={"page": 99}, headers={"accept": "text/html"})
    assert missing.status_code == 400 and "pages 1 to" in missing.text


def test_sorting_changes_the_order(api_server):
    by_title = _work_titles(httpx.get(api_server.url + "/papers", params={"sort": "title"}).text)
    oldest = _work_titles(httpx.get(api_server.url + "/papers", params={"sort": "year"}).text)
    assert by_title == sorted(by_title, key=str.lower)
    assert sorted(by_title) == sorted(oldest) and by_title != oldest
    assert oldest[0].startswith("Eureka")  # 2023, the oldest work of the fixture
    assert httpx.get(api_server.url + "/papers", params={"sort": "nonsense"}).status_code == 400


def test_search_answers_json_and_html(api_server):
    answer = httpx.get(api_server.url + "/search", params={"q": "reward"}, headers={"accept": "application/json"})
    assert answer.headers["content-type"].startswith("application/json")
    result = answer.json()
    assert result["total"] >= 2 and result["mode"] == "all"
    assert BASE + "paper/arxiv-2310.12931" in [h["iri"] for h in result["hits"]]
    html = httpx.get(api_server.url + "/search", params={"q": "reward"}, headers={"accept": "text/html"}).text
    assert "Eureka: human-level reward design" in html


def test_search_corrects_a_misspelt_name(api_server):
    result = httpx.get(api_server.url + "/search", params={"q": "Eurka", "format": "json"}).json()
    assert result["corrections"] == {"eurka": "eureka"}
    assert result["hits"][0]["iri"] == BASE + "paper/arxiv-2310.12931"


def test_facets_narrow_the_results(real_server):
    def ask(*facets: str) -> dict:
        return httpx.get(real_server.url + "/search", params={"format": "json", "facet": list(facets),
                                                            "q": "reward"}).json()

    everything = ask()
    settings = {v["value"]: v["count"] for v in everything["facets"]["setting"]}
    assert 0 < settings["dkg:RealWorld"] < everything["total"]
    real = ask("setting:dkg:RealWorld")
    assert real["total"] == settings["dkg:RealWorld"]
    assert [v["selected"] for v in real["facets"]["setting"] if v["value"] == "dkg:RealWorld"] == [True]
    models = {v["value"]: v["count"] for v in real["facets"]["base_model"]}
    both = ask("setting:dkg:RealWorld", "base_model:cat:vlm")
    assert both["total"] == models["cat:vlm"] < real["total"]
    bad = httpx.get(real_server.url + "/search", params={"facet": "colour:red"})
    assert bad.status_code == 400 and "perspective" in bad.text


def test_jsonld_has_compact_keys_and_parses(api_server):
    context = httpx.get(api_server.url + "/context.jsonld").json()["@context"]
    assert context["title"] == {"@id": "dcterms:title"} and context["inCategory"]["@type"] == "@id"
    document = httpx.get(api_server.url + EUREKA + ".jsonld").json()
    assert document["@id"] == "paper:arxiv-2310.12931"
    assert document["title"].startswith("Eureka")
    assert "cat:reward-llm" in document["inCategory"]
    assert not [key for key in document if key.startswith("http")]
    parsed = set(ox.parse(json.dumps(document).encode(), format=ox.RdfFormat.JSON_LD))
    turtle = set(ox.parse(httpx.get(api_server.url + EUREKA + ".ttl").content, format=ox.RdfFormat.TURTLE))
    assert parsed == turtle


def test_trig_separates_asserted_and_inferred(api_server):
    response = httpx.get(api_server.url + EUREKA + ".trig")
    assert response.headers["content-type"].startswith("application/trig")
    quads = list(ox.parse(response.content, format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads}
    assert {GRAPH_DATA, GRAPH_INFERRED} <= graphs
    inferred = {(q.predicate.value, q.object.value) for q in quads if q.graph_name.value == GRAPH_INFERRED}
    assert ("https://w3id.org/duality-kg/ontology#inCategory", BASE + "category/reward-llm") in inferred


def test_not_found_is_html_for_browsers_and_text_for_clients(api_server):
    browser = httpx.get(api_server.url + "/paper/no-such-paper", headers={"accept": "text/html,*/*;q=0.8"})
    assert browser.status_code == 404 and browser.headers["content-type"].startswith("text/html")
    assert "<h1>404 Not Found</h1>" in browser.text and 'href="/search"' in browser.text
    client = httpx.get(api_server.url + "/paper/no-such-paper", headers={"accept": "application/json"})
    assert client.status_code == 404 and client.headers["content-type"].startswith("text/plain")
    assert "<" not in client.text


def test_home_shows_the_survey_tree_and_entry_points(real_server):
    html = httpx.get(real_server.url + "/").text
    assert 'href="https://doi.org/10.1016/j.inffus.2025.104003"' in html
    assert '<form class="search" action="/search"' in html
    shown = re.search(r'<summary>Generative tools for RL <small>\((\d+)\)</small></summary>\s*'
                      r'<a class="tree-all" href="/category/generative-tools-for-rl">', html)
    query = WORKS_QUERY.replace(
        "FILTER NOT", "?w dkg:inCategory|dkg:usesBaseModel|dkg:addressesTask cat:generative-tools-for-rl . FILTER NOT")
    assert shown and int(shown.group(1)) == _sparql_count(real_server, query)
    for kind, index in (("works", "Papers"), ("benchmarks", "Benchmarks"), ("authors", "Authors")):
        count = re.search(rf'<a href="/[a-z]+"><strong>(\d+)</strong> {kind}</a>', html).group(1)
        assert f"<h1>{index} ({count})</h1>" in httpx.get(real_server.url + "/" + index.lower()).text, kind
    for entry in ("/papers", "/categories", "/benchmarks", "/networks", "/authors", "/section9", "/gaps",
                  "/queries", "/query", "/export?format=ttl", "/.well-known/void", "/ontology"):
        assert f'href="{entry}"' in html, entry
    assert re.search(r'<img src="/figures/[^"]+\.svg"', html)


def test_search_index_has_an_edition_facet_when_editions_are_loaded(tmp_path):
    from api_server import copy_fixture, memory_store

    from kg.runner import StoreRunner
    from kg.search import build_index, search

    root = copy_fixture(tmp_path / "project")
    store = memory_store(fixture_settings(root))
    edition = ox.NamedNode(BASE + "graph/edition-2024-08-27T151613_051cb94")
    entry = ox.NamedNode(edition.value + "/entry-9")
    store.extend([
        ox.Quad(edition, ox.NamedNode("http://purl.org/dc/terms/issued"),
                ox.Literal("2024-08-27T15:16:13", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")),
                edition),
        ox.Quad(entry, ox.NamedNode(BASE + "ontology#recordOf"), ox.NamedNode(BASE + "paper/arxiv-2310.12931"), edition),
    ])
    index = tmp_path / "search.sqlite"
    build_index(StoreRunner(store), index)
    everything = search(index)
    assert [(v.value, v.count) for v in everything.facets["edition"]] == [("2024-08", 1)]
    listed = search(index, facets=["edition:2024-08"])
    assert [hit.iri for hit in listed.hits] == [BASE + "paper/arxiv-2310.12931"]


def test_kg_build_publishes_the_search_index_with_the_store(built_store):
    from kg.search import INDEX_NAME, search

    index = built_store / "current" / INDEX_NAME
    result = search(index, q="Eureka")
    assert BASE + "paper/arxiv-2310.12931" in [hit.iri for hit in result.hits]


def test_ai_suggestions_are_marked_on_the_paper_page(tmp_path):
    from api_server import copy_fixture, memory_store

    from kg.iri import GRAPH_RECORDS

    root = copy_fixture(tmp_path / "project")
    settings = fixture_settings(root)
    store = memory_store(settings, inferred=root / "inferred.ttl")
    dkg, paper = BASE + "ontology#", BASE + "paper/arxiv-2310.12931"

    def suggestion(concept: str, status: str) -> list[ox.Quad]:
        node = ox.NamedNode(f"{paper}#suggestion-inCategory-{concept}")
        graph = ox.NamedNode(GRAPH_RECORDS)
        return [ox.Quad(node, ox.NamedNode(p), o, graph) for p, o in [
            ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(dkg + "Suggestion")),
            (dkg + "recordOf", ox.NamedNode(paper)),
            (dkg + "inCategory", ox.NamedNode(BASE + "category/" + concept)),
            (dkg + "extractionMethod", ox.NamedNode(dkg + "AISuggested")),
            ("http://www.w3.org/ns/prov#wasAttributedTo", ox.NamedNode(BASE + "source/placement-model")),
            (dkg + "reviewStatus", ox.NamedNode(dkg + status)),
        ]]

    # an accepted suggestion whose fact is on the work, and a pending one whose fact is not
    store.extend(suggestion("reward-signal", "Accepted") + suggestion("llm", "Pending"))
    store.add(ox.Quad(ox.NamedNode(paper), ox.NamedNode(dkg + "inCategory"), ox.NamedNode(BASE + "category/reward-signal"),
                      ox.NamedNode(GRAPH_DATA)))
    with serve_in_thread(settings, store=store) as running:
        html = httpx.get(running.url + EUREKA, headers={"accept": "text/html"}).text
    provenance = html.split('<section class="provenance">', 1)[1]
    accepted = [row for row in provenance.split("<tr")
                if 'href="/ontology#inCategory"' in row and 'href="/category/reward-signal"' in row]
    assert accepted and "AI-suggested dkg:Accepted" in accepted[0]
    pending = provenance.split("<h3>Pending AI suggestions</h3>", 1)[1].split("</table>", 1)[0]
    assert 'href="/category/llm"' in pending and "AI-suggested dkg:Pending" in pending
