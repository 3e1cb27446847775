"""The named-query and figure routes over HTTP: a real uvicorn server on 127.0.0.1 in a thread."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_server import serve_in_thread
from queries_support import (
    named_query_files,
    project_settings,
    project_store,
    require_data,
)
from survey_tables import TABLE_NUMBERS, extract_tables, load_fixture, survey_text_path

QUERY_NAMES = sorted(named_query_files())


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """The whole app (named queries run in its worker pool) over the project's store, on 127.0.0.1."""
    require_data()
    with serve_in_thread(project_settings(), project_store()) as running:
        with httpx.Client(base_url=running.url, timeout=60) as http:
            yield http


def _expected_rows(number: int) -> int:
    sources = Path(project_settings().sources_dir)  # type: ignore[arg-type]
    try:
        tables = extract_tables(survey_text_path(sources).read_text(encoding="utf-8"))
    except FileNotFoundError:
        tables = load_fixture()
    return len(tables[number]["rows"])


def test_queries_page_lists_every_query(client: httpx.Client):
    response = client.get("/queries")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert QUERY_NAMES and all(f'href="/queries/{name}"' in response.text for name in QUERY_NAMES)


def test_json_results_by_default(client: httpx.Client):
    response = client.get("/queries/survey-table-2")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    document = response.json()
    assert document["head"]["vars"][:2] == ["paper", "framework"]
    assert len(document["results"]["bindings"]) == _expected_rows(2)


@pytest.mark.parametrize("number", TABLE_NUMBERS)
def test_every_results_format_by_accept(client: httpx.Client, number: int):
    name, rows = f"survey-table-{number}", _expected_rows(number)
    xml = client.get(f"/queries/{name}", headers={"Accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    results = ET.fromstring(xml.content).find("{http://www.w3.org/2005/sparql-results#}results")
    assert results is not None and len(results) == rows
    for media, delimiter in (("text/csv", ","), ("text/tab-separated-values", "\t")):
        response = client.get(f"/queries/{name}", headers={"Accept": media})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        parsed = list(csv.reader(io.StringIO(response.text), delimiter=delimiter))
        assert len(parsed) == rows + 1


def test_browsers_get_an_html_table(client: httpx.Client):
    response = client.get("/queries/survey-table-9", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.headers["content-type"].startswith("text/html") and "<table class=\"results\">" in response.text
    assert "Meta-World" in response.text


def test_a_parameter_from_the_query_string_is_bound(client: httpx.Client):
    response = client.get("/queries/papers-in-category", params={"category": "cat:reward-signal"})
    assert response.status_code == 200
    bindings = response.json()["results"]["bindings"]
    assert bindings and {b["category"]["value"] for b in bindings} == {
        "https://w3id.org/duality-kg/category/reward-signal"}


@pytest.mark.parametrize(("params", "named"), [
    ({"category": "not an iri"}, "'category'"),
    ({"colour": "red"}, "'colour'"),
])
def test_a_bad_parameter_is_a_400_naming_it(client: httpx.Client, params: dict[str, str], named: str):
    response = client.get("/queries/papers-in-category", params=params)
    assert response.status_code == 400 and named in response.text


def test_an_unknown_query_is_a_404(client: httpx.Client):
    assert client.get("/queries/no-such-query").status_code == 404


def test_unacceptable_media_type_is_a_406(client: httpx.Client):
    assert client.get("/queries/survey-table-1", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize(("path", "accept", "media", "magic"), [
    ("/figures/trend.png", None, "image/png", b"\x89PNG"),
    ("/figures/heatmap.svg", None, "image/svg+xml", b"<svg"),
    ("/figures/heatmap", "image/svg+xml", "image/svg+xml", b"<svg"),
    ("/figures/trend", None, "image/png", b"\x89PNG"),
])
def test_figures_are_served(client: httpx.Client, path: str, accept: str | None, media: str, magic: bytes):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.headers["content-type"] == media
    assert magic in response.content[:400]


def test_an_unknown_figure_is_a_404(client: httpx.Client):
    assert client.get("/figures/pie.png").status_code == 404
    assert client.get("/figures/trend.gif").status_code == 404
