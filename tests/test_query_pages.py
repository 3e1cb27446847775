"""The pages behind the editor over HTTP, on the real build: /gaps links every claim to a working query page,
named-query pages label their IRIs and download in every format, and the editor's helper routes."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from kg.iri import CAT, DKG

RESULTS_JSON = {"Accept": "application/sparql-results+json"}
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(built_server):
    with httpx.Client(base_url=built_server.url, timeout=60) as c:
        yield c


def _hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def test_every_gap_cell_links_to_the_query_that_lists_exactly_its_works(client):
    report = client.get("/gaps", params={"format": "json"}).json()
    page = client.get("/gaps", headers=HTML).text
    cell_links = [h for h in _hrefs(page) if h.startswith("/queries/gaps/cell-works?")]
    cells = [cell for matrix in report["matrices"] for cell in matrix["cells"]]
    assert cells and len(cell_links) == len(cells), "one link per cell"
    assert any(cell["works"] > 0 for cell in cells) and any(cell["flag"] for cell in cells)
    for cell in cells:
        href = cell["worksQuery"]["href"]
        assert href in cell_links
        params = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
        rows = client.get("/queries/gaps/cell-works", params=params, headers=RESULTS_JSON).json()["results"]["bindings"]
        assert len({row["work"]["value"] for row in rows}) == cell["works"], href


def test_every_query_link_on_the_gaps_page_answers_and_no_claim_points_to_the_command_line(client):
    page = client.get("/gaps", headers=HTML).text
    query_links = sorted({h for h in _hrefs(page) if h.startswith("/queries/")})
    assert len(query_links) >= 20
    assert "kg query" not in page, "links, not command lines, on the served page"
    for href in query_links:
        response = client.get(href, headers=HTML)
        assert response.status_code == 200, (href, response.text[:200])
    assert any("section9-addressing-works?node=" in h for h in query_links)
    assert any(h.startswith("/queries/gaps/cell-trend?") for h in query_links)


def test_named_query_page_shows_labels_and_links_to_local_pages(client):
    page = client.get("/queries/papers-in-category", params={"category": "cat:llm"}, headers=HTML).text
    assert '<a href="/category/llm" title="cat:llm">Large language model (LLM)</a>' in page
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    links = re.findall(r'<a href="(/[^"]+)"[^>]*>([^<]+)</a>', body)
    assert links and all(not text.startswith(("paper:", "cat:", "https://")) for _, text in links), \
        "every IRI in the table shows a label"
    assert 'href="/query?named=papers-in-category&amp;category=cat%3Allm"' in page, "open in the editor"


def test_named_query_downloads_answer_in_every_format_with_the_same_rows(client):
    params = {"category": "cat:reward-signal"}
    expected = len(client.get("/queries/papers-in-category", params=params, headers=RESULTS_JSON)
                   .json()["results"]["bindings"])
    assert expected > 0
    page = client.get("/queries/papers-in-category", params=params, headers=HTML).text
    downloads = [h for h in _hrefs(page) if re.match(r"/queries/papers-in-category\.\w+\?", h)]
    assert sorted(urlsplit(h).path.rsplit(".", 1)[1] for h in downloads) == ["csv", "srj", "srx", "tsv"]
    for href in downloads:
        response = client.get(href)
        assert response.status_code == 200, href
        suffix, text = urlsplit(href).path.rsplit(".", 1)[1], response.text
        if suffix == "srj":
            rows = len(json.loads(text)["results"]["bindings"])
        elif suffix == "srx":
            rows = text.count("<result>")
        else:
            rows = len(text.strip().splitlines()) - 1  # CSV and TSV: a header line, then a line per row
        assert rows == expected, href


def test_editor_terms_come_from_the_ontology_and_the_data(client):
    terms = client.get("/query/terms.json").json()
    assert DKG + "ResearchPaper" in terms["classes"] and DKG + "inCategory" in terms["properties"]
    assert "http://purl.org/dc/terms/title" in terms["properties"], "used in the data, declared elsewhere"
    assert terms["classes"] == sorted(terms["classes"])


def test_labels_route_labels_what_it_can_and_rejects_what_is_not_a_list(client):
    labels = client.post("/query/labels", json=[CAT + "llm", "not an iri", CAT + "no-such-concept"]).json()
    assert labels == {CAT + "llm": "Large language model (LLM)"}
    refused = client.post("/query/labels", content=b'{"iri": 1}')
    assert refused.status_code == 400 and "JSON list" in refused.text


def test_the_editor_page_shows_a_query_file_edited_while_the_server_runs(tmp_path):
    """The editor page is kept between requests: a changed query file must still change it."""
    from api_server import fixture_server

    with fixture_server(tmp_path) as running, httpx.Client(base_url=running.url, timeout=30) as c:
        path = running.settings.queries_dir / "papers-in-category.rq"
        before = c.get("/query").text
        assert "papers-in-category" in before
        text = path.read_text(encoding="utf-8")
        summary = next(line for line in text.splitlines() if line.startswith("#+ summary:"))
        path.write_text(text.replace(summary, "#+ summary: Works of a category, renamed while serving"), encoding="utf-8")
        after = c.get("/query").text
        assert "renamed while serving" in after and "renamed while serving" not in before
