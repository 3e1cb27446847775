"""Writes on the real data: a scratch copy of the project (ontology, data, queries), built and reasoned by
the real `kg build`, served by a real uvicorn; and the real importer regenerating data/ttl/ afterwards.

Needs the sources folder for the import test (KG_SOURCES_DIR, default ../shared); skips it otherwise.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from api_server import WRITE_TOKEN, serve_in_thread

from kg.build import build
from kg.edits import edit_path
from kg.iri import GRAPH_DATA, PAPER
from kg.settings import Settings
from kg.store import current

REPO = Path(__file__).resolve().parents[1]
SOURCES = Settings(root=REPO).sources_dir
AUTH = {"authorization": f"Bearer {WRITE_TOKEN}", "content-type": "text/turtle"}
TITLE = "http://purl.org/dc/terms/title"


def copy_project(target: Path) -> Path:
    for folder in ("ontology", "queries", "data/ttl", "data/curated"):
        shutil.copytree(REPO / folder, target / folder)
    shutil.copy(REPO / "pyproject.toml", target / "pyproject.toml")
    return target


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("real-project"))
    settings = Settings(root=root, write_token=WRITE_TOKEN, query_workers=1)
    build(settings, log=lambda _: None)
    with serve_in_thread(settings) as running, httpx.Client(base_url=running.url, timeout=300) as client:
        yield running, client


def some_paper(settings: Settings) -> tuple[str, Path]:
    """The first generated paper file of the data: (paper id, file)."""
    path = sorted((settings.data_dir / "papers").glob("*.ttl"))[0]
    return path.stem, path


def titles(settings: Settings, paper_id: str) -> list[str]:
    store = ox.Store.read_only(str(current(settings).path))
    return sorted(q.object.value for q in store.quads_for_pattern(
        ox.NamedNode(PAPER + paper_id), ox.NamedNode(TITLE), None, ox.NamedNode(GRAPH_DATA)))


def test_write_on_reasoned_store_is_not_refused_for_unrelated_papers(real):
    running, client = real
    inferred = client.get("/sparql", params={"query": "ASK { GRAPH <https://w3id.org/duality-kg/graph/inferred> "
                                                      "{ ?s a ?c } }"})
    assert inferred.json()["boolean"] is True, "the served store is reasoned"
    paper_id, path = some_paper(running.settings)
    response = client.put(f"/papers/{paper_id}", content=path.read_bytes(), headers=AUTH)
    assert response.status_code == 200, response.text[:2000]


def test_paper_in_two_disjoint_classes_is_422_naming_the_axiom(real):
    running, client = real
    paper_id, path = some_paper(running.settings)
    # typed dkg:Network too, with what the shapes ask of a network, so that only the reasoner can object
    body = path.read_text() + f"""
<{PAPER}{paper_id}> a dkg:Network ; rdfs:label "a network" ; dkg:locator "nowhere" ;
    prov:wasDerivedFrom src:survey-text ; dkg:hasRecord <{PAPER}{paper_id}#manual-1> .
<{PAPER}{paper_id}#manual-1> a dkg:SourceRecord ; dkg:recordOf <{PAPER}{paper_id}> ;
    prov:wasDerivedFrom src:survey-text ; dkg:locator "nowhere" ; rdfs:label "a network" .
"""
    before = titles(running.settings, paper_id)
    response = client.put(f"/papers/{paper_id}", content=body, headers=AUTH)
    assert response.status_code == 422, response.text[:2000]
    assert "owl:disjointWith" in response.text or "AllDisjointClasses" in response.text, response.text[:2000]
    assert titles(running.settings, paper_id) == before


@pytest.mark.skipif(not (SOURCES / "seeds").is_dir(), reason=f"sources folder {SOURCES} is absent")
def test_write_survives_import(real):
    from kg.ingest import run_import

    running, client = real
    settings = running.settings
    paper_id, path = some_paper(settings)
    generated = path.read_bytes()
    body = generated.decode().replace(titles(settings, paper_id)[0], "A title a maintainer corrected")
    response = client.put(f"/papers/{paper_id}", content=body, headers=AUTH)
    assert response.status_code == 200, response.text[:2000]
    assert titles(settings, paper_id) == ["A title a maintainer corrected"]

    run_import(sources_dir=SOURCES, curated_dir=settings.curated_dir, out_dir=settings.data_dir)
    assert path.read_bytes() == generated, "the importer regenerated its own file"
    assert "A title a maintainer corrected" in edit_path(settings, paper_id).read_text()
    build(settings, log=lambda _: None)
    assert titles(settings, paper_id) == ["A title a maintainer corrected"]
    response = client.get("/sparql", params={"query": f'ASK {{ <{PAPER}{paper_id}> <{TITLE}> '
                                                      '"A title a maintainer corrected" }'})
    assert response.json()["boolean"] is True, "the server follows the rebuilt store"
