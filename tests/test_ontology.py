"""The ontology: every taxonomy concept is documented and has its class, and the five hand-written
sample papers are classified by whole-graph HermiT, from their facts alone (list headings withheld),
into the categories the companion list gives them. (HermiT consistency and satisfiability of the
ontology: tests/test_validate.py.)"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.iri import CAT, DKG
from kg.load import load_graphs
from kg.reason import reason
from kg.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "fixtures" / "sample-papers"
IN_CATEGORY = DKG + "inCategory"
CATEGORY_OF_CLASS = """
    PREFIX dkg: <https://w3id.org/duality-kg/ontology#>
    SELECT ?concept ?class WHERE { ?concept dkg:categoryClass ?class }"""
LISTED = """
    PREFIX dkg: <https://w3id.org/duality-kg/ontology#>
    SELECT ?paper ?concept WHERE { ?entry a dkg:ListEntry ; dkg:recordOf ?paper ; dkg:inCategory ?concept }"""


def _store(data_dir: Path) -> ox.Store:
    store = ox.Store()
    load_graphs(store, ontology_dir=ROOT / "ontology", data_dir=data_dir)
    return store


def test_every_category_concept_has_a_label_a_definition_and_a_class():
    rows = list(_store(ROOT / "no-data").query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX dkg: <https://w3id.org/duality-kg/ontology#>
        SELECT ?c ?label ?definition ?class WHERE {
          ?c skos:inScheme <https://w3id.org/duality-kg/category/taxonomy> .
          OPTIONAL { ?c skos:prefLabel ?label } OPTIONAL { ?c skos:definition ?definition }
          OPTIONAL { ?c dkg:categoryClass ?class } }""", use_default_graph_as_union=True))
    assert len(rows) >= 30
    assert all(row["label"] and row["definition"] for row in rows)
    # only the dimensions that group categories, and the modality values, have no class of works
    without_class = {row["c"].value.removeprefix(CAT) for row in rows if row["class"] is None}
    dimensions = {"base-model", "modality", "input-modality", "output-modality", "rl-task",
                  "world-model", "video-prediction-model"}
    assert {name for name in without_class if not name.startswith("modality-")} <= dimensions


@pytest.fixture(scope="module")
def classified():
    store = _store(SAMPLES)
    listed: dict[str, set[str]] = {}
    for row in store.query(LISTED, use_default_graph_as_union=True):
        listed.setdefault(row["paper"].value, set()).add(row["concept"].value)
    concept_of = {row["class"].value: row["concept"].value
                  for row in store.query(CATEGORY_OF_CLASS, use_default_graph_as_union=True)}
    result = reason(settings=Settings(root=ROOT), store=store, whole_graph=True,
                    withhold=[IN_CATEGORY], write=False)
    categories = {work: {concept_of[c] for c in classes if c in concept_of}
                  for work, classes in result.memberships.items()}
    return listed, categories


def test_the_samples_are_five_listed_papers(classified):
    listed, _ = classified
    assert len(listed) == 5


def test_samples_land_in_the_categories_the_companion_list_gives_them(classified):
    listed, categories = classified
    for paper, expected in listed.items():
        assert expected <= categories.get(paper, set()), paper
