"""The maintainer's journey on a scratch copy, as a maintainer runs it (`kg` as a subprocess):
BibTeX with a new paper and a duplicate -> kg add (the duplicate is recognised) -> placement (a pending
suggestion) -> kg review accept -> kg build -> SPARQL, the work's page, its category -> kg import -> still true."""

from __future__ import annotations

import json

import httpx
import pytest
from api_server import serve_in_thread
from cli_support import kg_env, run_kg
from maintain_support import FIXTURES, SOURCES, scratch_settings, sparql, write_pending_suggestion

RIALTO = "arxiv-2403.03949"
AUTHORS = "Torne, Marcel; Simeonov, Anthony; Li, Zechu; Chan, April; Chen, Tao; Gupta, Abhishek; Agrawal, Pulkit"


def _facts_hold(settings) -> None:
    """What must be true of the added, placed and accepted work in the published store."""
    rows = sparql(settings, f"""SELECT ?title ?authors ?listed ?reviewer WHERE {{
        paper:{RIALTO} dcterms:title ?title ; dkg:authorsAsGiven ?authors ; dkg:inCompanionList ?listed ;
            dkg:inCategory cat:rl-finetuning ; dkg:hasRecord ?record .
        ?record dkg:extractionMethod dkg:Reviewed ; dkg:inCategory cat:rl-finetuning ; dkg:reviewer ?reviewer .
        FILTER NOT EXISTS {{ paper:{RIALTO} dkg:inSurvey true }} }}""")
    assert rows == [("Reconciling Reality through Simulation: A Real-to-Sim-to-Real Approach for Robust Manipulation",
                     AUTHORS, "true", "Ada Maintainer")]
    # its category lists it (the reasoner also files it under the broader perspective)
    listed = sparql(settings, "SELECT ?w WHERE { ?w dkg:inCategory cat:rl-for-generative-policies }")
    assert (f"https://w3id.org/duality-kg/paper/{RIALTO}",) in listed


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the sources folder (../shared) is needed for kg import")
def test_maintainer_journey(tmp_path):
    settings = scratch_settings(tmp_path)
    env = kg_env(settings.root, settings.store_dir, SOURCES_DIR=str(SOURCES), REVIEWER="Ada Maintainer")
    edits = settings.root / "data" / "edits"

    # a bad file stops the batch, naming file and entry, and writes nothing
    bad = run_kg("add", str(FIXTURES / "rialto.bib"), str(FIXTURES / "bad-no-title.bib"), env=env)
    assert bad.returncode == 2 and "bad-no-title.bib: entry @article{notitle2024} (line 8)" in bad.stderr
    assert not edits.exists() or not any(edits.rglob("*.ttl"))

    added = run_kg("add", str(FIXTURES / "rialto.bib"), "--format", "json", env=env)
    assert added.returncode == 0, added.stderr
    report = {o["paper"].rsplit("/", 1)[-1]: o for o in json.loads(added.stdout)}
    assert report[RIALTO]["status"] == "added" and len(report[RIALTO]["entries"]) == 2
    assert report["arxiv-2310.12931"]["status"] == "duplicate"
    assert "same arXiv id 2310.12931" in report["arxiv-2310.12931"]["reasons"][0]
    assert sorted(p.name for p in edits.rglob("*.ttl")) == [f"{RIALTO}.ttl"]

    # placement step
    key = write_pending_suggestion(settings, paper_id=RIALTO, facet="category", predicate=
                                   "https://w3id.org/duality-kg/ontology#inCategory", concept="rl-finetuning",
                                   nearest=("arxiv-2409.00588",))
    listed = run_kg("review", "list", "--format", "json", env=env)
    assert [s["suggestion"] for s in json.loads(listed.stdout)] == [key]

    accepted = run_kg("review", "accept", key, env=env)
    assert accepted.returncode == 0, accepted.stderr
    assert "dkg:inCategory cat:rl-finetuning" in accepted.stdout
    assert json.loads(run_kg("review", "list", "--format", "json", env=env).stdout) == []

    assert run_kg("build", env=env).returncode == 0
    _facts_hold(settings)
    with serve_in_thread(settings) as server:
        page = httpx.get(f"{server.url}/paper/{RIALTO}", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and "Reconciling Reality through Simulation" in page.text

    imported = run_kg("import", env=env)
    assert imported.returncode == 0, imported.stderr
    assert run_kg("build", env=env).returncode == 0
    _facts_hold(settings)
