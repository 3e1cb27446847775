"""POST /papers and POST /review/{suggestion} on a real server over a scratch project: the same library
path as `kg add` / `kg review`, the bearer token required, bad input answered 4xx naming entry or field."""

from __future__ import annotations

import json

import httpx
import pytest
from api_server import serve_in_thread
from cli_support import kg_env, run_kg
from maintain_support import FIXTURES, scratch_settings, sparql, write_pending_suggestion

from kg.build import build

TOKEN = "s3cret-maintainer-token"
BIBTEX = {"Content-Type": "application/x-bibtex"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    settings = scratch_settings(tmp_path_factory.mktemp("maintain-http"), write_token=TOKEN)
    build(settings)
    with serve_in_thread(settings) as running:
        yield running


def _auth(**headers):
    return {"Authorization": f"Bearer {TOKEN}", **headers}


def test_post_papers_needs_the_token(server):
    body = (FIXTURES / "rialto.bib").read_bytes()
    assert httpx.post(f"{server.url}/papers", content=body, headers=BIBTEX).status_code == 401
    wrong = httpx.post(f"{server.url}/papers", content=body, headers={**BIBTEX, "Authorization": "Bearer nope"})
    assert wrong.status_code == 403


def test_post_papers_bad_entry_is_400_naming_it_and_writes_nothing(server):
    response = httpx.post(f"{server.url}/papers", content=(FIXTURES / "bad-no-title.bib").read_bytes(),
                          headers=_auth(**BIBTEX), timeout=60)
    assert response.status_code == 400
    assert "request body: entry @article{notitle2024} (line 8): the entry has no title" in response.text
    assert not (server.settings.root / "data" / "edits").exists()


def test_post_papers_unknown_media_type_is_415(server):
    response = httpx.post(f"{server.url}/papers", content=b"x", headers=_auth(**{"Content-Type": "text/plain"}))
    assert response.status_code == 415 and "application/x-bibtex" in response.text


def test_http_add_and_review_give_what_the_cli_gives(server):
    settings = server.settings
    env = kg_env(settings.root, settings.store_dir)
    body = (FIXTURES / "rialto.bib").read_bytes()
    dry = run_kg("add", str(FIXTURES / "rialto.bib"), "--dry-run", "--format", "json", env=env)
    assert dry.returncode == 0, dry.stderr
    expected = json.loads(dry.stdout.replace("rialto.bib", "request body"))

    response = httpx.post(f"{server.url}/papers", content=body, headers=_auth(**BIBTEX), timeout=120)
    assert response.status_code == 201, response.text
    assert response.json() == expected
    rows = sparql(settings, "SELECT ?a WHERE { paper:arxiv-2403.03949 dkg:authorsAsGiven ?a }")
    assert rows == [("Torne, Marcel; Simeonov, Anthony; Li, Zechu; Chan, April; Chen, Tao; Gupta, Abhishek; "
                     "Agrawal, Pulkit",)]

    key = write_pending_suggestion(settings, paper_id="arxiv-2403.03949", facet="category",
                                   predicate="https://w3id.org/duality-kg/ontology#inCategory",
                                   concept="pretraining-diffusion-policy")
    page = httpx.get(f"{server.url}/review", timeout=30)
    assert page.status_code == 200 and f'data-suggestion="{key}"' in page.text and TOKEN not in page.text

    route = f"{server.url}/review/{key}"
    assert httpx.post(route, json={"decision": "accept", "reviewer": "Ada"}).status_code == 401
    missing = httpx.post(route, json={"decision": "correct"}, headers=_auth(), timeout=60)
    assert missing.status_code == 400 and "'reviewer'" in missing.text
    not_concept = httpx.post(route, json={"decision": "correct", "reviewer": "Ada", "concept": "cat:no-such"},
                             headers=_auth(), timeout=60)
    assert not_concept.status_code == 400 and "cat:no-such is not a concept" in not_concept.text

    corrected = httpx.post(route, json={"decision": "correct", "reviewer": "Ada", "concept": "cat:rl-finetuning"},
                           headers=_auth(), timeout=120)
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["status"] == "dkg:Corrected" and corrected.json()["fact"] == "dkg:inCategory cat:rl-finetuning"
    rows = sparql(settings, """SELECT ?status ?to ?who WHERE {
        paper:arxiv-2403.03949 dkg:inCategory cat:rl-finetuning .
        FILTER NOT EXISTS { paper:arxiv-2403.03949 dkg:inCategory cat:pretraining-diffusion-policy }
        ?s a dkg:Suggestion ; dkg:reviewStatus ?status ; dkg:correctedTo ?to ; dkg:reviewer ?who }""")
    assert rows == [("https://w3id.org/duality-kg/ontology#Corrected",
                     "https://w3id.org/duality-kg/category/rl-finetuning", "Ada")]
    again = httpx.post(route, json={"decision": "accept", "reviewer": "Ada"}, headers=_auth(), timeout=60)
    assert again.status_code == 400 and "already decided" in again.text
    assert f'data-suggestion="{key}"' not in httpx.get(f"{server.url}/review", timeout=30).text
