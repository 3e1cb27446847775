"""Shared by the render and bibliography tests: the graph as `kg build` loads it (ontology, data/ttl/ and
data/edits/) in an in-memory store, without the reasoner, and a scratch project with an added work."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from cli_support import ROOT, copy_project

from kg.edits import project_files
from kg.runner import StoreRunner
from kg.settings import Settings

__all__ = ["SOURCES", "project_runner", "project_with_new_work", "NEW_WORK"]

SOURCES = ROOT.parent / "shared"

NEW_WORK = "https://w3id.org/duality-kg/paper/arxiv-2601.00001"

# A work added after the import and placed by an accepted suggestion (the shape of issue 11's records):
# it sits in the reward-LLM heading and the LLM sheet. Its facts are the only ones the exports may show.
_NEW_WORK_TTL = """\
@prefix dkg: <https://w3id.org/duality-kg/ontology#> .
@prefix cat: <https://w3id.org/duality-kg/category/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
@prefix src: <https://w3id.org/duality-kg/source/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/duality-kg/paper/arxiv-2601.00001> a dkg:ResearchPaper ;
    dcterms:title "Zeta rewards: 100% & {braces} for LLM_reward design" ;
    fabio:hasPublicationYear "2026"^^xsd:gYear ;
    fabio:hasArXivId "2601.00001" ;
    dkg:authorsAsGiven "A. Müller, B. O'Neil" ;
    dkg:inCompanionList true ;
    dkg:inCategory cat:reward-llm ;
    dkg:tabulatedUnder cat:llm ;
    dkg:frameworkName "ZETA" ;
    dkg:hasRecord <https://w3id.org/duality-kg/paper/arxiv-2601.00001#suggestion-category-reward-llm> .

<https://w3id.org/duality-kg/paper/arxiv-2601.00001#suggestion-category-reward-llm> a dkg:Suggestion ;
    dkg:recordOf <https://w3id.org/duality-kg/paper/arxiv-2601.00001> ;
    dkg:inCategory cat:reward-llm ;
    dkg:tabulatedUnder cat:llm ;
    dkg:reviewStatus dkg:Accepted ;
    prov:wasDerivedFrom src:placement-model .
"""


def project_runner(root: Path = ROOT) -> StoreRunner:
    """A runner over the files of the project at `root`, loaded like the build loads them."""
    store = ox.Store()
    store.extend(project_files(Settings(root=root)).quads())
    return StoreRunner(store)


def project_with_new_work(target: Path) -> Path:
    """A scratch copy of the project with one accepted new work in data/edits/papers/."""
    copy_project(target)
    (target / "data" / "edits" / "papers").mkdir(parents=True)
    (target / "data" / "edits" / "papers" / "arxiv-2601.00001.ttl").write_text(_NEW_WORK_TTL, encoding="utf-8")
    return target
