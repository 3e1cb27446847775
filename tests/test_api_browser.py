"""The query page in a real browser (Debian chromium, headless, via Playwright)."""

from __future__ import annotations

import shutil

import pytest
from editor_support import CHROMIUM_FLAGS, editor_text, result_rows, set_editor, wait_for_results

from kg.queries import project_query

CHROMIUM = shutil.which("chromium")
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)")


def test_query_page_runs_an_example_and_shows_the_table(api_server):
    from kg.api.query_page import named_query_examples

    examples = named_query_examples(api_server.settings)
    assert examples, "the fixture has named queries"
    example = next(e for e in examples if e["name"] == "papers-in-category")
    assert not example["parameters"], "the fixture's copy takes no parameter"
    expected_rows = len(list(project_query(api_server.store, example["text"])))
    assert expected_rows > 0
    outside_requests: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            page.on("request", lambda r: None if r.url.startswith(api_server.url) else outside_requests.append(r.url))
            page.goto(api_server.url + "/query")
            wait_for_results(page)
            assert page.locator("#editor .cm-keyword").count() > 0, "the editor highlights keywords"
            page.get_by_label("Example: a named query").select_option(example["name"])
            assert wait_for_results(page).startswith(f"{expected_rows} result")
            assert result_rows(page).count() == expected_rows
            headers = page.locator("#results table.dataTable thead th").all_inner_texts()
            assert [h.strip() for h in headers] == ["", "category", "paper", "title"]
            downloads = page.locator("#downloads a").evaluate_all("links => links.map(a => a.textContent)")
            assert downloads == ["JSON", "XML", "CSV", "TSV"]
            csv_href = page.locator("#downloads a", has_text="CSV").get_attribute("href")
            assert page.request.get(api_server.url + csv_href).text().count("\n") == expected_rows + 1
        finally:
            browser.close()
    assert outside_requests == [], "the page loads nothing from outside the server"


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)


def test_the_default_query_runs_as_loaded(api_server):
    """Regression: the prologue was HTML-escaped inside <script type="text/plain">, so the default query
    a visitor sees (`PREFIX dkg: &lt;...&gt;`) was a syntax error (400)."""
    with playwright_api.sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            page.goto(api_server.url + "/query")
            status = wait_for_results(page)
            text = editor_text(page)
            assert "PREFIX dkg: <https://w3id.org/duality-kg/ontology#>" in text and "&lt;" not in text
            papers = len(list(api_server.store.query(text, use_default_graph_as_union=True)))
            assert papers > 0 and status.startswith(f"{papers} result"), status
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
            wait_for_results(page)
            set_editor(page, "SELECT ?o WHERE { ?s rdfs:seeAlso ?o } ORDER BY ?o")
            page.click("#run")
            assert wait_for_results(page).startswith("2 results")
            cells = result_rows(page).locator("td:nth-child(2)").all_inner_texts()
            assert sorted(cells) == sorted(HOSTILE), "the IRIs are shown"
            assert result_rows(page).locator("a").count() == 0, "and none of them is a link"
            page.goto(running.url + "/paper/arxiv-2310.12931")
            hrefs = page.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
            assert hrefs and all(h.startswith(("/", "http://", "https://")) for h in hrefs), hrefs
            assert all(iri in page.content() for iri in ("javascript:alert(1)", "data:text/html;base64,"))
        finally:
            browser.close()
    assert dialogs == [], "no script ran"


def _complete(page, text: str) -> list[str]:
    """The completions the editor offers (Ctrl+Space) with the cursor at the end of `text`."""
    page.evaluate("""text => { const cm = document.querySelector('#editor .CodeMirror').CodeMirror;
        cm.setValue(text); cm.focus(); cm.setCursor(cm.lineCount() - 1, text.length); }""", text)
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li")
    return page.locator(".CodeMirror-hints li").all_inner_texts()


def test_the_editor_completes_the_ontology_classes_and_properties_without_leaving_the_server(api_server):
    from kg.iri import DKG

    outside: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            page.on("request", lambda r: None if r.url.startswith(api_server.url) else outside.append(r.url))
            page.goto(api_server.url + "/query")
            wait_for_results(page)
            terms = page.request.get(api_server.url + "/query/terms.json").json()
            cls = next(c for c in terms["classes"] if c.startswith(DKG))
            prop = next(p for p in terms["properties"] if p.startswith(DKG))
            prologue = f"PREFIX dkg: <{DKG}>\n"
            local_class, local_prop = cls[len(DKG):], prop[len(DKG):]
            assert f"dkg:{local_class}" in _complete(page, prologue + f"SELECT * WHERE {{ ?s a dkg:{local_class[:3]}")
            assert f"dkg:{local_prop}" in _complete(page, prologue + f"SELECT * WHERE {{ ?s dkg:{local_prop[:3]}")
        finally:
            browser.close()
    assert outside == [], "completion asks this server only (no prefix.cc, no LOV)"
