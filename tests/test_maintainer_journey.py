"""The maintainer's journey on a scratch copy, as a maintainer runs it (`kg` as a subprocess):
BibTeX with a new paper and a duplicate -> kg add (the duplicate is recognised) -> kg place -> kg review
(accept what is right, reject the rest) -> kg build -> the work answers SPARQL, has a page, sits in its
category, the rendered list and spreadsheet, the BibTeX export and the gap matrix -> kg import -> all still true."""

from __future__ import annotations

import csv
import io
import json

import httpx
import openpyxl
import pytest
from api_server import serve_in_thread
from cli_support import kg_env, run_kg
from maintain_support import FIXTURES, SOURCES, scratch_settings, sparql

NEW = "arxiv-2312.09238"
NEW_IRI = f"https://w3id.org/duality-kg/paper/{NEW}"
TITLE = "Auto MC-Reward: Automated Dense Reward Design with Large Language Models for Minecraft"
# what a maintainer who read the paper decides: an LLM writes dense reward functions
RIGHT = {"heading": "cat:reward-llm", "perspective": "cat:generative-tools-for-rl", "base-model": "cat:llm",
         "task": "cat:reward-signal"}
LIST_HEADING = "Learning reward functions with LLMs"


def _published_everywhere(settings, env, tmp_path) -> None:
    """What must be true of the added, placed and reviewed work once the store is built."""
    rows = sparql(settings, f"""SELECT ?title ?listed ?reviewer WHERE {{
        <{NEW_IRI}> dcterms:title ?title ; dkg:inCompanionList ?listed ; dkg:inCategory cat:reward-llm ;
            dkg:hasRecord ?record .
        GRAPH graph:records {{ ?record dkg:extractionMethod dkg:Reviewed ; dkg:inCategory cat:reward-llm ;
                                       dkg:reviewer ?reviewer }}
        FILTER NOT EXISTS {{ <{NEW_IRI}> dkg:inSurvey true }} }}""")
    assert rows == [(TITLE, "true", "Ada Maintainer")]
    # its category (and the broader perspective the reasoner files it under) lists it
    assert (NEW_IRI,) in sparql(settings, "SELECT ?w WHERE { ?w dkg:inCategory cat:generative-tools-for-rl }")

    # the rendered companion list: last entry under its heading
    rendered = run_kg("render", "list", env=env)
    assert rendered.returncode == 0, rendered.stderr
    section = rendered.stdout.split(LIST_HEADING, 1)[1].split("\n#", 1)[0]
    entries = [line for line in section.splitlines() if line.startswith("- ")]
    assert entries and TITLE in entries[-1] and "2312.09238" in entries[-1]

    # the BibTeX export of the category, and the LLM spreadsheet's row under the same key
    bibtex = run_kg("export", "--format", "bibtex", "--category", "cat:reward-llm", env=env)
    assert bibtex.returncode == 0, bibtex.stderr
    [entry] = [e for e in bibtex.stdout.split("\n@") if "Auto MC-Reward" in e]
    assert "2312.09238" in entry
    key = entry.split("{", 1)[1].split(",", 1)[0]
    out = tmp_path / "sheets"
    sheets = run_kg("render", "sheets", "--out", str(out), env=env)
    assert sheets.returncode == 0, sheets.stderr
    found = [path.name for path in out.glob("*.xlsx")
             for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True) if row[0] == key]
    assert found == ["Large_Language_Models_for_RL_Table.xlsx"]

    # the gap matrix: the LLM x reward-signal cell lists it
    cell = run_kg("query", "gaps/cell-works", "--param", "row=cat:llm", "--param", "column=cat:reward-signal",
                  "--format", "csv", env=env)
    assert cell.returncode == 0, cell.stderr
    assert NEW_IRI in {row["work"] for row in csv.DictReader(io.StringIO(cell.stdout))}

    # its page, and its category's page
    with serve_in_thread(settings) as server:
        page = httpx.get(f"{server.url}/paper/{NEW}", headers={"Accept": "text/html"}, timeout=30)
        category = httpx.get(f"{server.url}/category/reward-llm?per_page=200", headers={"Accept": "text/html"},
                             timeout=30)
    assert page.status_code == 200 and TITLE in page.text
    assert category.status_code == 200 and f"/paper/{NEW}" in category.text


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the sources folder (../shared) is needed for kg import")
def test_maintainer_journey(tmp_path):
    settings = scratch_settings(tmp_path)
    env = kg_env(settings.root, settings.store_dir, SOURCES_DIR=str(SOURCES), REVIEWER="Ada Maintainer")
    edits = settings.root / "data" / "edits"

    # a bad file stops the batch, naming file and entry, and writes nothing
    bad = run_kg("add", str(FIXTURES / "journey.bib"), str(FIXTURES / "bad-no-title.bib"), env=env)
    assert bad.returncode == 2 and "bad-no-title.bib: entry @article{notitle2024} (line 8)" in bad.stderr
    assert not edits.exists() or not any(edits.rglob("*.ttl"))

    added = run_kg("add", str(FIXTURES / "journey.bib"), "--format", "json", env=env)
    assert added.returncode == 0, added.stderr
    report = {o["paper"].rsplit("/", 1)[-1]: o for o in json.loads(added.stdout)}
    assert report[NEW]["status"] == "added"
    assert report["arxiv-2310.12931"]["status"] == "duplicate"
    assert "same arXiv id 2310.12931" in report["arxiv-2310.12931"]["reasons"][0]
    assert sorted(p.name for p in edits.rglob("*.ttl")) == [f"{NEW}.ttl"]

    placed = run_kg("place", NEW, "--format", "json", env=env)
    assert placed.returncode == 0, placed.stderr
    [outcome] = json.loads(placed.stdout)
    assert outcome["status"] == "suggested"
    top_heading = next(s for s in outcome["suggestions"] if s["facet"] == "heading")
    assert top_heading["concept"] == RIGHT["heading"] and top_heading["nearest"]

    # the maintainer accepts what is right and rejects the rest, as `kg review list` shows it
    pending = json.loads(run_kg("review", "list", "--format", "json", env=env).stdout)
    assert {s["concept"] for s in pending} >= set(RIGHT.values())
    for suggestion in pending:
        decision = "accept" if suggestion["concept"] in RIGHT.values() else "reject"
        done = run_kg("review", decision, suggestion["suggestion"], env=env)
        assert done.returncode == 0, done.stderr
    assert json.loads(run_kg("review", "list", "--format", "json", env=env).stdout) == []

    assert run_kg("build", env=env).returncode == 0
    _published_everywhere(settings, env, tmp_path)

    imported = run_kg("import", env=env)
    assert imported.returncode == 0, imported.stderr
    assert run_kg("build", env=env).returncode == 0
    _published_everywhere(settings, env, tmp_path)
