"""kg.placement and `kg place`: the model on the real graph, and suggestions written into a scratch copy.

The model tests train on the project's own files (data/ttl/ + data/edits/, the survey text for citation
contexts); the CLI tests run the installed `kg` over a scratch copy with its own store.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from cli_support import ROOT, copy_project, kg_env, run_kg

from kg.edits import project_files
from kg.ingest.sources import read_lines
from kg.iri import CAT, PAPER, PREFIXES
from kg.placement import corpus_from_quads, survey_contexts, train
from kg.settings import Settings

SOURCES = ROOT.parent / "shared"
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

# (held-out work, the leaf heading the companion list gives it): distinctive headings, placed from the title only
HELD_OUT = [
    ("arxiv-2310.12931", "reward-llm"),            # Eureka
    ("mark-2024-policy-agnostic", "rl-finetuning"),   # policy-agnostic RL fine-tuning
    ("arxiv-2503.05833", "policy-distillation"),       # refined policy distillation
]
# a candidate of seed 002 that no source places (it is in data/ttl/, so `kg place` can name it)
NEW_WORK = "tan-2025-interactive-post"


@pytest.fixture(scope="module")
def corpus():
    settings = Settings(root=ROOT, sources_dir=SOURCES)
    return corpus_from_quads(list(project_files(settings).quads()),
                             contexts=survey_contexts(read_lines(SOURCES, "survey-text")))


def test_cases_are_listed_works(corpus):
    assert HELD_OUT
    for work, heading in HELD_OUT:
        assert CAT + heading in corpus.works[PAPER + work].labels["heading"]


@pytest.mark.parametrize(("work", "heading"), HELD_OUT)
def test_held_out_work_gets_its_heading_in_top_3(corpus, work, heading):
    held = corpus.works[PAPER + work]
    model = train([w for w in corpus.works.values() if w.iri != held.iri])
    placement = model.place(held.iri, held.title)
    assert not placement.abstained
    top3 = [c for c, _ in placement.ranking["heading"][:3]]
    assert CAT + heading in top3, top3
    suggested = [s for s in placement.suggestions if s.facet == "heading" and s.concept == CAT + heading]
    assert suggested and suggested[0].nearest, "a suggestion names the placed works that explain it"
    assert held.iri not in suggested[0].nearest


def test_off_topic_title_abstains_and_in_scope_title_does_not(corpus):
    # seed 003 lists a welding paper among the survey's "related works": manufacturing, not RL for robotics
    welding = next(line.strip() for line in read_lines(SOURCES, "listing-page") if "welding" in line.lower())
    model = train(list(corpus.works.values()))
    off = model.place("x", welding)
    assert off.abstained and not off.suggestions, (off.coverage, model.threshold)
    held = corpus.works[PAPER + HELD_OUT[0][0]]
    assert not train([w for w in corpus.works.values() if w.iri != held.iri]).place("y", held.title).abstained


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("place")
    root = copy_project(tmp / "project")
    return root, kg_env(root, tmp / "store", SOURCES_DIR=str(SOURCES))


def _published(env) -> ox.Store:
    return ox.Store.read_only(str(Path(env["KG_STORE_DIR"]) / "current"))


def test_dry_run_writes_nothing(project):
    root, env = project
    done = run_kg("place", NEW_WORK, "--dry-run", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows[0]["status"] == "suggested" and rows[0]["suggestions"]
    assert not (root / "data" / "edits" / "papers" / f"{NEW_WORK}.ttl").exists()
    assert not (Path(env["KG_STORE_DIR"]) / "current").exists()


def test_place_writes_suggestions_that_validate_and_stay_off_the_work(project):
    root, env = project
    done = run_kg("place", NEW_WORK, env=env)
    assert done.returncode == 0, done.stderr
    edit = root / "data" / "edits" / "papers" / f"{NEW_WORK}.ttl"
    assert edit.is_file()
    checked = run_kg("validate", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    store = _published(env)
    paper = f"<{PAPER}{NEW_WORK}>"
    suggested = list(store.query(PROLOGUE + f"""SELECT ?s ?p ?c ?score WHERE {{ GRAPH ?g {{
        ?s a dkg:Suggestion ; dkg:recordOf {paper} ; ?p ?c ; dkg:score ?score ; dkg:reviewStatus dkg:Pending ;
           dkg:extractionMethod dkg:AISuggested ; prov:wasAttributedTo src:placement-model ; dkg:nearestWork ?near .
        VALUES ?p {{ dkg:inCategory dkg:usesBaseModel dkg:addressesTask dkg:rlStage dkg:policyArchitecture }} }} }}"""))
    assert suggested
    for row in suggested:
        fact = f"ASK {{ GRAPH ?g {{ {paper} <{row['p'].value}> <{row['c'].value}> }} }}"
        assert not store.query(PROLOGUE + fact), f"{row['c'].value} became a fact of the work"
        assert 0 <= float(row["score"].value) <= 1


def test_work_with_suggestions_or_placement_is_skipped(project):
    root, env = project
    before = {p.name: p.read_bytes() for p in (root / "data" / "edits" / "papers").glob("*.ttl")}
    done = run_kg("place", NEW_WORK, "arxiv-2310.12931", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in json.loads(done.stdout)] == ["skipped", "skipped"]
    assert {p.name: p.read_bytes() for p in (root / "data" / "edits" / "papers").glob("*.ttl")} == before


@pytest.mark.parametrize("bad", ["Not_An_Id", "arxiv-0000.00000"])
def test_bad_work_id_exits_2_with_one_line(project, bad):
    root, env = project
    done = run_kg("place", bad, env=env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "paper id" in lines[0] or bad in lines[0]
    assert not (root / "data" / "edits" / "papers" / f"{bad}.ttl").exists()


def test_all_unplaced_takes_the_edits_layer_works_without_placement(tmp_path):
    root = copy_project(tmp_path / "project")
    env = kg_env(root, tmp_path / "store", SOURCES_DIR=str(SOURCES))
    papers = root / "data" / "edits" / "papers"
    papers.mkdir(parents=True)
    # a maintainer's new work (as kg add writes one) and an edit of a work the list already places
    (papers / "new-2026-diffusion-finetuning.ttl").write_text(
        f"<{PAPER}new-2026-diffusion-finetuning> a <https://w3id.org/duality-kg/ontology#ResearchPaper> ;\n"
        "  <http://purl.org/dc/terms/title> \"Online reinforcement learning fine-tuning of diffusion policies "
        "for robot manipulation\" .\n")
    placed = root / "data" / "ttl" / "papers" / "arxiv-2310.12931.ttl"
    (papers / "arxiv-2310.12931.ttl").write_bytes(placed.read_bytes())
    done = run_kg("place", "--all-unplaced", "--dry-run", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    status = {row["work"]: row["status"] for row in json.loads(done.stdout)}
    assert status == {"paper:new-2026-diffusion-finetuning": "suggested", "paper:arxiv-2310.12931": "skipped"}
    row = next(r for r in json.loads(done.stdout) if r["status"] == "suggested")
    assert {"facet": "perspective", "concept": "cat:rl-for-generative-policies"} in [
        {k: s[k] for k in ("facet", "concept")} for s in row["suggestions"]]
    assert sorted(p.name for p in papers.iterdir()) == ["arxiv-2310.12931.ttl", "new-2026-diffusion-finetuning.ttl"]
