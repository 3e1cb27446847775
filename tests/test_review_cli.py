"""`kg add --arxiv` and `kg review` as a maintainer runs them: rejected suggestions stay recorded as
rejected and change no fact; bad decisions exit 2 with a message and change nothing."""

from __future__ import annotations

import json

from cli_support import kg_env, run_kg
from maintain_support import scratch_settings, sparql, write_pending_suggestion

IN_CATEGORY = "https://w3id.org/duality-kg/ontology#inCategory"


def test_add_by_arxiv_then_reject_and_accept(tmp_path):
    settings = scratch_settings(tmp_path)
    env = kg_env(settings.root, settings.store_dir, REVIEWER="Ada Maintainer")
    bad = run_kg("add", "--arxiv", "2406.x", "--title", "T", env=env)
    assert bad.returncode == 2 and "command line: --arxiv 2406.x: malformed arXiv id" in bad.stderr

    added = run_kg("add", "--arxiv", "2403.03949v2", "--title", "Reconciling Reality through Simulation: "
                   "A Real-to-Sim-to-Real Approach for Robust Manipulation", "--author", "Marcel Torne",
                   "--author", "Pulkit Agrawal", "--year", "2024", "--format", "json", env=env)
    assert added.returncode == 0, added.stderr
    [outcome] = json.loads(added.stdout)
    assert (outcome["status"], outcome["paper"]) == ("added", "https://w3id.org/duality-kg/paper/arxiv-2403.03949")

    wrong = write_pending_suggestion(settings, paper_id="arxiv-2403.03949", facet="category", predicate=IN_CATEGORY,
                                     concept="reward-llm", score="0.42")
    right = write_pending_suggestion(settings, paper_id="arxiv-2403.03949", facet="category", predicate=IN_CATEGORY,
                                     concept="rl-finetuning", score="0.77")
    listed = json.loads(run_kg("review", "list", "--format", "json", env=env).stdout)
    assert [s["suggestion"] for s in listed] == [right, wrong]  # best score first

    edit = settings.root / "data" / "edits" / "papers" / "arxiv-2403.03949.ttl"
    before = edit.read_bytes()
    for args, message in [(["correct", wrong], "names the concept"), (["accept", "arxiv-2403.03949/suggestion-x"],
                          "there is no suggestion"), (["accept", "nonsense"], "does not name a suggestion")]:
        result = run_kg("review", *args, env=env)
        assert result.returncode == 2 and message in result.stderr, result.stderr
    assert edit.read_bytes() == before

    assert run_kg("review", "reject", wrong, env=env).returncode == 0
    assert run_kg("review", "accept", right, env=env).returncode == 0
    rows = sparql(settings, """SELECT ?concept ?status ?who WHERE {
        ?s a dkg:Suggestion ; dkg:inCategory ?concept ; dkg:reviewStatus ?status ; dkg:reviewer ?who }
        ORDER BY ?concept""")
    assert rows == [("https://w3id.org/duality-kg/category/reward-llm", "https://w3id.org/duality-kg/ontology#Rejected",
                     "Ada Maintainer"),
                    ("https://w3id.org/duality-kg/category/rl-finetuning",
                     "https://w3id.org/duality-kg/ontology#Accepted", "Ada Maintainer")]
    facts = sparql(settings, "SELECT ?c WHERE { GRAPH <https://w3id.org/duality-kg/graph/data> { "
                             "paper:arxiv-2403.03949 dkg:inCategory ?c } }")
    assert facts == [("https://w3id.org/duality-kg/category/rl-finetuning",)]
    assert json.loads(run_kg("review", "list", "--all", "--format", "json", env=env).stdout)[0]["status"] == "dkg:Accepted"
