"""The history on the endpoint: a paper page shows its history through the editions, /changes the changelog,
/releases/ the releases (read-only files, safe paths). A real server on 127.0.0.1 over a store published from a
copy of the project with its editions."""

from __future__ import annotations

import gc
import json
import re
import shutil

import httpx
import pyoxigraph as ox
import pytest
from api_server import serve_in_thread
from cli_support import ROOT, copy_project

from kg.build import input_fingerprint
from kg.edition_graph import edition_graph_name
from kg.edits import project_files
from kg.load import parse_turtle, turtle_files
from kg.releases import make_release
from kg.settings import Settings
from kg.store import new_build_dir, publish, writer_lock


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("editions-http"))
    shutil.copytree(ROOT / "data" / "editions", root / "data" / "editions")
    settings = Settings(root=root, query_workers=1, query_timeout_s=120)  # the shared test machine is slow
    with writer_lock(settings):
        target = new_build_dir(settings)
        store = ox.Store(str(target))
        store.extend(project_files(settings).quads())
        for path in turtle_files(settings.editions_dir):
            store.extend(parse_turtle(path, graph=edition_graph_name(path)))
        store.flush()
        release_source = ox.Store()
        release_source.extend(q for q in store if q.graph_name.value.endswith("/ontology"))
        del store
        gc.collect()
        publish(settings, target, fingerprint=input_fingerprint(settings))
    make_release(settings, release_source, "1.0")
    with serve_in_thread(settings) as running:
        yield running


def test_a_paper_page_shows_when_it_was_first_listed_its_headings_and_sheet_changes(server):
    page = httpx.get(f"{server.url}/paper/arxiv-2310.12931", headers={"Accept": "text/html"}, timeout=60)
    assert page.status_code == 200
    text = page.text
    assert "History in the survey&#39;s editions" in text or "History in the survey's editions" in text
    assert "First listed in the companion list on <strong>2024-08-27 15:16</strong>" in text
    assert "Generative Tools for RL &gt; Task &gt; Reward Signal &gt; 1.Learning reward functions with LLMs" in text
    assert re.search(r"<td>2025-03-01 22:00</td><td>Large_Language_Models_RL_Summary.xlsx, Name ma2023eureka</td>"
                     r"<td>Taxonomy: &#34;&#34; -&gt; &#34;LLM&#34;</td>", text), text[text.find("Spreadsheet row"):][:800]


def test_the_changes_page_lists_every_edition_and_shows_the_edition_figures(server):
    rows = httpx.get(f"{server.url}/changes?format=json", timeout=60).json()
    assert len(rows) == 91 and rows[-1]["edition"] == "seed"
    page = httpx.get(f"{server.url}/changes", timeout=60)
    assert page.status_code == 200
    assert page.text.count("<tr><td>") == 91
    assert '/figures/list-growth.svg' in page.text and '/figures/gap-history.svg' in page.text
    figure = httpx.get(f"{server.url}/figures/list-growth.svg", timeout=120)
    assert figure.status_code == 200 and b"<svg" in figure.content and b"rl-for-generative-policies" in figure.content, \
        figure.text[:300]
    unreasoned = httpx.get(f"{server.url}/figures/gap-history.svg", timeout=120)  # this store was not reasoned
    assert unreasoned.status_code == 404 and "reasoner's classes" in unreasoned.text
    markdown = httpx.get(f"{server.url}/changes?format=md", timeout=60)
    assert markdown.text.splitlines()[0].startswith("| edition | date |") and len(markdown.text.splitlines()) == 93


def test_a_release_is_served_by_name_and_nothing_outside_it(server):
    index = httpx.get(f"{server.url}/releases/?format=json", timeout=60).json()
    assert [r["version"] for r in index] == ["1.0"]
    assert "/releases/1.0/void.ttl" in httpx.get(f"{server.url}/releases/", timeout=60).text
    void = httpx.get(f"{server.url}/releases/1.0/void.ttl", timeout=60)
    assert void.status_code == 200 and void.headers["content-type"].startswith("text/turtle")
    assert 'owl:versionInfo "1.0"' in void.text
    dump = httpx.get(f"{server.url}/releases/1.0/duality-kg.nq", timeout=60)
    assert dump.status_code == 200 and len(list(ox.parse(dump.content, format=ox.RdfFormat.N_QUADS))) == index[0]["quads"]
    for path in ("/releases/1.0/..%2F..%2Fpyproject.toml", "/releases/..%2Fdata/changelog.json", "/releases/2.0/void.ttl",
                 "/releases/1.0/.hidden", "/releases/1.0/missing.nq", "/releases/.1.0.partial/void.ttl"):
        assert httpx.get(server.url + path, timeout=60).status_code == 404, path
    assert json.loads((server.settings.releases_dir / "1.0" / "release.json").read_text())["version"] == "1.0"
