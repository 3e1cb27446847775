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

    examples = named_query_examples(api_server.settings.queries_dir)
    assert examples, "the fixture has named queries"
    example = next(e for e in examples if e["name"] == "papers-in-category")
    expected_rows = len(list(api_server.store.query(example["text"], use_default_graph_as_union=True)))
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
