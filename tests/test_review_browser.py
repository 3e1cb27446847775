"""The review page as a maintainer uses it: Chromium (headless, via Playwright) opens /review, enters the
write token and a name, accepts a suggestion; the work then carries the fact, and the token never appears
in a URL the browser requested."""

from __future__ import annotations

import shutil

import pytest
from api_server import serve_in_thread
from maintain_support import FIXTURES, scratch_settings, sparql, write_pending_suggestion

from kg.adding import add, read_files
from kg.build import build

CHROMIUM = shutil.which("chromium")
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TOKEN = "browser-review-token"


def test_review_page_accepts_a_suggestion(tmp_path):
    settings = scratch_settings(tmp_path, write_token=TOKEN)
    build(settings)
    add(settings, read_files([FIXTURES / "rialto.bib"]), by="test")
    key = write_pending_suggestion(settings, paper_id="arxiv-2403.03949", facet="category",
                                   predicate="https://w3id.org/duality-kg/ontology#inCategory", concept="rl-finetuning")
    requested: list[str] = []
    with serve_in_thread(settings) as server, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{server.url}/review")
        row = page.locator(f'tr[data-suggestion="{key}"]')
        assert "Reconciling Reality through Simulation" in row.inner_text()
        page.fill("#token", TOKEN)
        page.fill("#reviewer", "Ada Maintainer")
        row.get_by_role("button", name="accept").click()
        output = row.locator("output")
        page.wait_for_function("document.querySelector('output').textContent.length > 0", timeout=120_000)
        assert "dkg:Accepted dkg:inCategory cat:rl-finetuning" in output.inner_text()
        page.screenshot(path=str(tmp_path / "review-accepted.png"), full_page=True)
        browser.close()
    assert not any(TOKEN in url for url in requested)
    rows = sparql(settings, "SELECT ?who WHERE { paper:arxiv-2403.03949 dkg:inCategory cat:rl-finetuning ; "
                            "dkg:hasRecord/dkg:reviewer ?who }")
    assert rows == [("Ada Maintainer",)]
