"""The query page in a real browser (Debian chromium, headless, via Playwright)."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium")
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def test_query_page_runs_an_example_and_shows_the_table(api_server):
    from kg.api.query_page import named_query_examples

    examples = named_query_examples(api_server.settings)
    assert examples, "the fixture has named queries"
    example = next(e for e in examples if e["name"] == "papers-in-category")
    from kg.queries import union_query

    expected_rows = len(list(union_query(api_server.store, example["text"])))
    assert expected_rows > 0
    outside_requests: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: None if r.url.startswith(api_server.url) else outside_requests.append(r.url))
            page.goto(api_server.url + "/query")
            assert page.locator(".tk-kw").count() > 0, "the editor highlights keywords"
            page.click(f'button[data-example="{example["name"]}"]')
            page.wait_for_selector("#results-table")
            rows = page.locator("#results-table tbody tr")
            assert rows.count() == expected_rows
            headers = page.locator("#results-table th").all_inner_texts()
            assert headers == ["category", "paper", "title"]
            downloads = page.locator("#downloads a").evaluate_all("links => links.map(a => a.textContent)")
            assert downloads == ["JSON", "XML", "CSV", "TSV"]
            csv_href = page.locator("#downloads a", has_text="CSV").get_attribute("href")
            assert page.request.get(api_server.url + csv_href).text().count("\n") == expected_rows + 1
        finally:
            browser.close()
    assert outside_requests == [], "the page loads nothing from outside the server"


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


def test_the_default_query_runs_as_loaded(api_server):
    """Regression: the prologue was HTML-escaped inside <script type="text/plain">, so the default query
    a visitor sees (`PREFIX dkg: &lt;...&gt;`) was a syntax error (400)."""
    with playwright_api.sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            page.goto(api_server.url + "/query")
            text = page.input_value("#query")
            assert "PREFIX dkg: <https://w3id.org/duality-kg/ontology#>" in text and "&lt;" not in text
            page.click("#run")
            page.wait_for_selector("#results-table")
            assert page.locator("#results-table tbody tr").count() == 10, "LIMIT 10 over a larger graph"
            assert "error" not in (page.get_attribute("#status", "class") or "")
        finally:
            browser.close()


HOSTILE = ("javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")


def test_hostile_iris_are_text_not_links_in_the_browser(tmp_path):
    import pyoxigraph as ox
    from api_server import copy_fixture, fixture_settings, memory_store, serve_in_thread

    from kg.iri import GRAPH_DATA, PAPER

    copy_fixture(tmp_path)
    settings = fixture_settings(tmp_path)
    store = memory_store(settings, inferred=tmp_path / "inferred.ttl")
    paper = ox.NamedNode(PAPER + "arxiv-2310.12931")
    for iri in HOSTILE:
        store.add(ox.Quad(paper, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"), ox.NamedNode(iri),
                          ox.NamedNode(GRAPH_DATA)))
    dialogs: list[str] = []
    with serve_in_thread(settings, store) as running, playwright_api.sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(running.url + "/query")
            page.fill("#query", "SELECT ?o WHERE { ?s rdfs:seeAlso ?o } ORDER BY ?o")
            page.click("#run")
            page.wait_for_selector("#results-table")
            cells = page.locator("#results-table tbody td").all_inner_texts()
            assert sorted(cells) == sorted(HOSTILE), "the IRIs are shown"
            assert page.locator("#results-table a").count() == 0, "and none of them is a link"
            page.goto(running.url + "/paper/arxiv-2310.12931")
            hrefs = page.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
            assert hrefs and all(h.startswith(("/", "http://", "https://")) for h in hrefs), hrefs
            assert all(iri in page.content() for iri in ("javascript:alert(1)", "data:text/html;base64,"))
        finally:
            browser.close()
    assert dialogs == [], "no script ran"
