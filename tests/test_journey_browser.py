"""A researcher's journey in a real Chromium over the real build, as issue 13 tells it: land on / -> search ->
open a paper -> follow a category -> a benchmark -> a gap cell -> a named query with a parameter -> open it in
the editor, run, page, download, share the URL and reload.

Each step asserts what a person checks (the title they clicked is the page's heading, counts match the graph,
lists show labels, not IRIs), runs axe-core (vendored under static/vendor/) for serious or critical
violations, and saves a screenshot to out/screenshots/journey-<step>.png. Every request the browser makes is
recorded: none may go to another host. The expectations come from the endpoint's own SPARQL answers.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import httpx
import pytest
from editor_support import CHROMIUM_FLAGS, editor_text, result_cells, result_rows, wait_for_results

from kg.iri import BASE, CAT, PREFIXES

CHROMIUM = shutil.which("chromium")
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)")

SCREENSHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"
EDITOR_QUERY, EDITOR_PARAM, EDITOR_VALUE = "papers-in-category", "category", "cat:rl-pretraining"
PAGE_SIZE = 50  # YASR's default page of results

# A paper with one title, a leaf category and a benchmark with a label: the journey's paper.
_JOURNEY_PAPER = """
PREFIX dkg: <https://w3id.org/duality-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?work ?title ?category ?categoryLabel ?benchmark ?benchmarkLabel WHERE {
  ?work a/rdfs:subClassOf* dkg:ResearchPaper ; dcterms:title ?title ; dkg:inCategory ?category ;
        dkg:usesBenchmark ?benchmark .
  ?category skos:prefLabel ?categoryLabel . ?benchmark rdfs:label ?benchmarkLabel .
  FILTER NOT EXISTS { ?work dcterms:title ?other FILTER(?other != ?title) }
  FILTER NOT EXISTS { ?narrower skos:broader ?category }
  FILTER(STRLEN(?title) > 25)
} ORDER BY ?work ?category ?benchmark LIMIT 1
"""

_WORKS_UNDER = """
PREFIX dkg: <https://w3id.org/duality-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT (COUNT(DISTINCT ?work) AS ?direct) (COUNT(DISTINCT ?any) AS ?all) WHERE {
  { ?work dkg:inCategory <%(c)s> ; a/rdfs:subClassOf* dkg:ResearchPaper }
  UNION { ?any dkg:inCategory ?narrower ; a/rdfs:subClassOf* dkg:ResearchPaper . ?narrower skos:broader* <%(c)s> }
}
"""

# link texts that are the graph's own IRIs, full or compact (paper:..., cat:...): what a person cannot read
# (identifiers such as arXiv:2310.12931 or a DOI link are fine)
_IRI_TEXT = re.compile(rf"^\s*({re.escape(BASE)}\S*|({'|'.join(PREFIXES)}):\S+)\s*$")


def _select(client: httpx.Client, query: str) -> list[dict[str, str]]:
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    response.raise_for_status()
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


class Journey:
    """The browser page of the journey: each `step` checks accessibility and saves a screenshot."""

    def __init__(self, page, base: str):
        self.page, self.base, self.number = page, base, 0
        self.violations: dict[str, list[str]] = {}

    def step(self, name: str) -> None:
        self.number += 1
        self.page.wait_for_load_state("load")
        self.page.add_script_tag(url="/static/vendor/axe.min.js")
        found = self.page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`);
        }""")
        if found:
            self.violations[f"{name} ({self.page.url})"] = found
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"journey-{self.number:02d}-{name}.png"), full_page=True)

    def unreadable_links(self) -> list[str]:
        """Texts of the page's links to local pages (the site navigation aside) that are bare IRIs of the graph:
        a link to a thing of the graph must carry its label."""
        texts = self.page.locator("a:not(nav a)").evaluate_all(
            "links => links.filter(a => (a.getAttribute('href') || '').startsWith('/')).map(a => a.textContent)")
        assert texts, "the page has local links to check"
        return [t for t in texts if _IRI_TEXT.match(t)]


def test_researcher_journey(built_server, tmp_path):
    base = built_server.url
    outside: list[str] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        paper = _select(client, _JOURNEY_PAPER)[0]
        counts = _select(client, _WORKS_UNDER % {"c": paper["category"]})[0]
        report = client.get("/gaps", params={"format": "json"}).json()
        editor_rows = len(client.get(f"/queries/{EDITOR_QUERY}", params={EDITOR_PARAM: EDITOR_VALUE},
                                     headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"])
    assert editor_rows > PAGE_SIZE, "the editor step pages through more than one page of results"
    cell = next(c for c in report["matrices"][0]["cells"] if c["works"] > 0)
    labels = {a["iri"]: a["label"] for m in report["matrices"] for a in (*m["rows"], *m["columns"])}

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(base_url=base, accept_downloads=True, viewport={"width": 1280, "height": 900})
            context.on("request", lambda r: None if r.url.startswith((base + "/", "data:", "blob:")) else outside.append(r.url))
            page = context.new_page()
            journey = Journey(page, base)
            expect = playwright_api.expect

            # 1. land on / : what the graph is, and the way to search
            page.goto("/")
            expect(page.locator("h1")).to_contain_text("duality-kg")
            journey.step("home")

            # 2. search for the paper by its title, with the search box found by its label
            search = page.get_by_label(re.compile("search", re.I)).first
            search.fill(paper["title"])
            search.press("Enter")
            page.wait_for_url(re.compile(r"/search\?"))
            result = page.get_by_role("link", name=paper["title"], exact=True).first
            expect(result).to_be_visible()
            journey.step("search")

            # 3. open the paper: its title is the heading, its category and benchmark are labelled links
            result.click()
            expect(page.locator("h1")).to_contain_text(paper["title"])
            assert journey.unreadable_links() == [], "the paper page lists labels, not IRIs"
            journey.step("paper")

            # 4. follow its category: the category's label, its works counted, this paper among them
            page.get_by_role("link", name=paper["categoryLabel"], exact=True).first.click()
            expect(page.locator("h1")).to_contain_text(paper["categoryLabel"])
            text = page.locator("body").inner_text()
            assert re.search(rf"\b({counts['direct']}|{counts['all']})\b", text), "the works are counted"
            expect(page.get_by_role("link", name=paper["title"], exact=True).first).to_be_visible()
            assert journey.unreadable_links() == []
            journey.step("category")

            # 5. back to the paper, then its benchmark: the benchmark's label, this paper among its works
            page.go_back()
            page.get_by_role("link", name=paper["benchmarkLabel"], exact=True).first.click()
            expect(page.locator("h1")).to_contain_text(paper["benchmarkLabel"])
            expect(page.get_by_role("link", name=paper["title"], exact=True).first).to_be_visible()
            assert journey.unreadable_links() == []
            journey.step("benchmark")

            # 6. the gaps page, then one cell: the query page lists exactly the cell's works, with titles
            page.get_by_role("navigation", name="site").get_by_role("link", name="Gaps").click()
            expect(page.locator("h1")).to_have_text("Research gaps")
            journey.step("gaps")
            page.locator(f'a.cell[href="{cell["worksQuery"]["href"]}"]').click()
            expect(page.locator("p.actions")).to_contain_text(f"{cell['works']} row")
            assert page.locator("table.results tbody tr").count() == cell["works"]
            expect(page.locator("table.results")).to_contain_text(labels[cell["row"]])
            assert journey.unreadable_links() == []
            journey.step("gap-cell")

            # 7. a named query with a parameter, from the list of named queries: set it in the form and run
            page.get_by_role("navigation", name="site").get_by_role("link", name="Named queries").click()
            page.locator(f'a[href="/queries/{EDITOR_QUERY}"]').click()
            page.get_by_role("textbox", name=re.compile(rf"^{EDITOR_PARAM} \(")).fill(EDITOR_VALUE)
            page.get_by_role("button", name="Run").click()
            page.wait_for_url(re.compile(rf"{EDITOR_PARAM}=cat%3Arl-pretraining"))
            expect(page.locator("p.actions")).to_contain_text(f"{editor_rows} rows")
            assert page.locator("table.results tbody tr").count() == editor_rows
            assert journey.unreadable_links() == []
            journey.step("named-query")

            # 8. open it in the editor: the same query and parameter, run at once, first page of results
            page.get_by_role("link", name="Open in the editor").first.click()
            assert wait_for_results(page).startswith(f"{editor_rows} results")
            assert page.get_by_label("Example: a named query").input_value() == EDITOR_QUERY
            assert page.get_by_role("textbox", name=re.compile(rf"^{EDITOR_PARAM} \(")).input_value() == EDITOR_VALUE
            query_file = Path(__file__).parent.parent / "queries" / f"{EDITOR_QUERY}.rq"
            select = next(line for line in query_file.read_text(encoding="utf-8").splitlines() if line.startswith("SELECT"))
            assert select in editor_text(page)
            assert result_rows(page).count() == PAGE_SIZE
            categories = set(result_cells(page, 1))
            assert labels[CAT + "rl-pretraining"] in categories, "IRIs shown by their labels"
            assert not any(_IRI_TEXT.match(c) for c in categories)
            journey.step("editor")

            # 9. page: the second page starts at row 51
            page.locator("#results").get_by_role("link", name="Next").click()
            assert result_cells(page, 0)[0] == str(PAGE_SIZE + 1)
            journey.step("editor-page-2")

            # 10. download the results as CSV: every row, not the page on screen
            with page.expect_download() as download_info:
                page.locator("#downloads a", has_text="CSV").click()
            saved = tmp_path / "results.csv"
            download_info.value.save_as(saved)
            rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
            assert len(rows) == editor_rows and rows[0].keys() >= {"category", "work", "title"}

            # 11. share the address: a fresh page opened on it, and a reload, show the same query and results
            shared = page.url
            assert f"named={EDITOR_QUERY}" in shared and f"{EDITOR_PARAM}=cat%3Arl-pretraining" in shared
            other = context.new_page()
            other.goto(shared)
            assert wait_for_results(other).startswith(f"{editor_rows} results")
            assert editor_text(other) == editor_text(page)
            other.close()
            page.reload()
            assert wait_for_results(page).startswith(f"{editor_rows} results")
            assert page.get_by_role("textbox", name=re.compile(rf"^{EDITOR_PARAM} \(")).input_value() == EDITOR_VALUE
            journey.step("editor-shared")

            # 12. the editor at phone width: nothing wider than the screen but the results' own scroller
            phone = browser.new_context(base_url=base, viewport={"width": 390, "height": 844})
            phone.on("request", lambda r: None if r.url.startswith((base + "/", "data:", "blob:")) else outside.append(r.url))
            narrow = phone.new_page()
            narrow.goto(shared)
            assert wait_for_results(narrow).startswith(f"{editor_rows} results")
            assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
            expect(narrow.get_by_role("button", name="Run")).to_be_visible()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            narrow.screenshot(path=str(SCREENSHOTS / "journey-editor-390px.png"), full_page=False)
            phone.close()
        finally:
            browser.close()
    assert outside == [], "the journey requests nothing from another host"
    assert journey.violations == {}, "axe-core: serious or critical violations: " + repr(journey.violations)
