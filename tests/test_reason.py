"""kg reason on small fixtures: what HermiT infers, what is written to graph:inferred, inconsistency."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from reasoning_stores import FIXTURES, loaded_store, settings_for

from kg.errors import InconsistentOntology
from kg.iri import CAT, CITO, DKG, GRAPH_INFERRED, PAPER, PROV
from kg.reason import reason

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(scope="module")
def reasoned(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("reason"), FIXTURES / "consistent")
    store = loaded_store(settings)
    result = reason(settings=settings, store=store)
    return settings, store, result


def inferred(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {q.object.value for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate),
                                                            None, ox.NamedNode(GRAPH_INFERRED))}


def test_categories_follow_from_facts(reasoned):
    _, store, result = reasoned
    work = PAPER + "fixture-llm-reward"
    assert {DKG + "RewardLLMWork", DKG + "LLMToolWork", DKG + "RewardSignalWork"} <= result.memberships[work]
    assert {CAT + "reward-llm", CAT + "llm", CAT + "reward-signal"} <= inferred(store, work, DKG + "inCategory")
    assert DKG + "RewardLLMWork" in inferred(store, work, RDF_TYPE)


def test_base_model_category_follows_the_survey_table_not_every_model_used(reasoned):
    _, _, result = reasoned
    classes = result.memberships[PAPER + "fixture-vlm-table-llm-and-vlm"]
    assert {DKG + "VLMToolWork", DKG + "RewardVLMWork"} <= classes
    assert not {DKG + "LLMToolWork", DKG + "RewardLLMWork"} & classes
    # the research questions ask what a work uses: it is an LLM reward method too
    assert {DKG + "LLMRewardWork", DKG + "VLMRewardWork"} <= classes


def test_works_with_equal_facts_share_classes(reasoned):
    _, _, result = reasoned
    assert result.memberships[PAPER + "fixture-llm-reward"] == result.memberships[PAPER + "fixture-llm-reward-twin"]


def test_heading_places_a_work_without_inventing_facts(reasoned):
    _, store, result = reasoned
    work = PAPER + "fixture-vlm-reward-listed"
    assert {DKG + "RewardVLMWork", DKG + "VLMToolWork"} <= result.memberships[work]
    assert not inferred(store, work, DKG + "usesBaseModel")


def test_simulation_only_is_closed_per_work(reasoned):
    _, _, result = reasoned
    assert DKG + "SimulationOnlyToolWork" in result.memberships[PAPER + "fixture-llm-reward"]
    assert DKG + "SimulationOnlyToolWork" not in result.memberships[PAPER + "fixture-vlm-reward-listed"]
    assert DKG + "SimulationOnlyWork" not in result.memberships[PAPER + "fixture-unknown-setting"]
    assert DKG + "GenerativeToolsForRLWork" in result.memberships[PAPER + "fixture-unknown-setting"]


def test_research_questions_are_filled(reasoned):
    _, _, result = reasoned
    assert DKG + "RealWorldDiffusionPlannerWork" in result.memberships[PAPER + "fixture-diffusion-planner"]
    assert DKG + "OpenSourceVLMRewardWork" in result.memberships[PAPER + "fixture-vlm-reward-listed"]
    assert DKG + "HumanFeedbackTransformerFinetuningWork" in result.memberships[PAPER + "fixture-rlhf-vla"]
    assert DKG + "DiffusionPolicyWork" in result.memberships[PAPER + "fixture-diffusion-policy-listed"]
    assert DKG + "OpenSourceLLMRewardWork" not in result.memberships[PAPER + "fixture-diffusion-planner"]


def test_property_chain_gives_modalities(reasoned):
    _, store, _ = reasoned
    assert inferred(store, PAPER + "fixture-llm-reward", DKG + "inputModality") == {CAT + "modality-text"}


def test_cited_by_from_cites_and_extends(reasoned):
    _, store, _ = reasoned
    assert PAPER + "fixture-survey" in inferred(store, PAPER + "fixture-llm-reward", CITO + "isCitedBy")
    assert PAPER + "fixture-llm-reward-twin" in inferred(store, PAPER + "fixture-llm-reward", CITO + "isCitedBy")
    assert PAPER + "fixture-llm-reward" in inferred(store, PAPER + "fixture-llm-reward-twin", CITO + "cites")


def test_inferred_graph_names_the_reasoner(reasoned):
    _, store, result = reasoned
    activity = inferred(store, GRAPH_INFERRED, PROV + "wasGeneratedBy")
    assert len(activity) == 1
    agent = inferred(store, activity.pop(), PROV + "wasAssociatedWith")
    labels = {q.object.value for a in agent for q in store.quads_for_pattern(
        ox.NamedNode(a), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None, None)}
    assert labels == {result.reasoner} and result.reasoner.startswith("HermiT 1.")


def test_batched_equals_whole_graph_on_fixture(reasoned):
    settings, store, batched = reasoned
    whole = reason(settings=settings, store=store, whole_graph=True, write=False)
    assert batched.memberships and whole.memberships == batched.memberships
    assert whole.inferred_values == batched.inferred_values


def test_inconsistent_paper_is_named_with_its_axiom(tmp_path):
    settings = settings_for(tmp_path, FIXTURES / "inconsistent")
    store = loaded_store(settings)
    before = len(store)
    with pytest.raises(InconsistentOntology) as caught:
        reason(settings=settings, store=store)
    message = str(caught.value)
    assert "paper:fixture-two-disjoint" in message
    assert "paper:fixture-fine" not in message
    assert "dkg:CandidatePaper owl:disjointWith dkg:GenerativeToolsForRLWork" in message
    assert "dkg:inCategory <https://w3id.org/duality-kg/category/reward-llm>" in message
    assert len(store) == before


def test_compiled_rules_agree_with_hermit_on_fixture(reasoned, monkeypatch):
    settings, store, hermit_all = reasoned
    monkeypatch.setattr("kg.reason.HERMIT_ALL_UP_TO", 2)
    compiled = reason(settings=settings, store=store, write=False)
    assert compiled.mode.startswith("signatures (compiled rules")
    assert compiled.memberships == hermit_all.memberships
    assert compiled.inferred_values == hermit_all.inferred_values


def test_compiled_rules_catch_disjoint_membership(tmp_path, monkeypatch):
    monkeypatch.setattr("kg.reason.HERMIT_ALL_UP_TO", 1)
    settings = settings_for(tmp_path, FIXTURES / "inconsistent")
    store = loaded_store(settings)
    with pytest.raises(InconsistentOntology, match="paper:fixture-two-disjoint"):
        reason(settings=settings, store=store)
