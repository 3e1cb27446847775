"""The candidate queue (seed 002's related papers): ranked by fit to the survey's scope, accepted through
kg add's path, rejected with a reason recorded in the edits layer."""

from __future__ import annotations

import pytest
from maintain_support import SOURCES, scratch_settings, sparql

from kg.candidates import accept, candidates, fit_scores, reject
from kg.errors import InputError, NotFound
from kg.settings import Settings

IN_SCOPE = "title-imitation-refinement-residual-rl"
"""'From Imitation to Refinement -- Residual RL for Precise Visual Assembly': RL fine-tuning of a
diffusion policy for robot assembly, the survey's Section 7 topic."""
OFF_SCOPE = "title-dr-llava-visual-instruction"
"""'Dr-LLaVA: Visual Instruction Tuning with Symbolic Clinical Grounding': clinical visual instruction tuning."""


def test_fit_scores_prefer_shared_vocabulary():
    scope = ["reinforcement learning for robot manipulation", "diffusion policy fine-tuning with reinforcement learning"]
    near, far = fit_scores(scope, ["reinforcement learning fine-tuning of a diffusion policy", "clinical image grounding"])
    assert near > 0.3 and far == 0.0


@pytest.mark.skipif(not SOURCES.is_dir(), reason="ranking reads seed 002's abstracts")
def test_in_scope_related_paper_ranks_above_off_scope_one():
    queue = candidates(Settings(sources_dir=SOURCES))
    ids = [c.id for c in queue]
    assert len(queue) >= 10 and IN_SCOPE in ids and OFF_SCOPE in ids
    assert ids.index(IN_SCOPE) < ids.index(OFF_SCOPE)
    assert all(0.0 <= c.score <= 1.0 for c in queue)


def test_reject_records_reason_and_accept_lists_the_work(tmp_path):
    settings = scratch_settings(tmp_path)
    with pytest.raises(InputError, match="needs a reason"):
        reject(settings, paper_id=OFF_SCOPE, reason="  ", reviewer="Ada")
    with pytest.raises(NotFound, match="not in the candidate queue"):
        reject(settings, paper_id="arxiv-2310.12931", reason="listed already", reviewer="Ada")

    reject(settings, paper_id=OFF_SCOPE, reason="clinical imaging, no robotics", reviewer="Ada")
    assert OFF_SCOPE not in [c.id for c in candidates(settings)]
    [rejected] = [c for c in candidates(settings, include_rejected=True) if c.id == OFF_SCOPE]
    assert (rejected.status, rejected.reason) == ("rejected", "clinical imaging, no robotics")

    [outcome] = accept(settings, paper_id=IN_SCOPE, reviewer="Ada")
    assert outcome.status == "merged" and "a candidate paper, now listed" in outcome.reasons
    rows = sparql(settings, f"""SELECT ?listed ?candidate WHERE {{ paper:{IN_SCOPE} dkg:inCompanionList ?listed .
        BIND (EXISTS {{ paper:{IN_SCOPE} a dkg:CandidatePaper }} AS ?candidate) }}""")
    assert rows == [("true", "false")]
    rows = sparql(settings, f"SELECT ?why WHERE {{ paper:{OFF_SCOPE} dkg:hasRecord/dkg:decisionReason ?why }}")
    assert rows == [("clinical imaging, no robotics",)]
