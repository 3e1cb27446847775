"""The editions as named graphs (kg.edition_graph) in a real pyoxigraph store beside today's graph: the
quads `kg import` writes to data/editions/ and `kg build` loads into graph:edition/<id>."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from cli_support import ROOT

from kg.edition_graph import edition_graph_iri, edition_quads, sheets_id
from kg.editions import SEED, read_history
from kg.iri import GRAPH_DATA, GRAPH_EDITION, GRAPH_RECORDS, PREFIXES
from kg.load import load_graphs
from kg.settings import Settings

SETTINGS = Settings(root=ROOT)
PREFIX_LINES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
SEED_GRAPH = f"<{GRAPH_EDITION}list-{SEED}>"


@pytest.fixture(scope="module")
def history():
    return read_history(sources_dir=SETTINGS.sources_dir, curated_dir=SETTINGS.curated_dir)


@pytest.fixture(scope="module")
def store(history):
    store = ox.Store()
    load_graphs(store, ontology_dir=SETTINGS.ontology_dir, data_dir=SETTINGS.data_dir)
    today = len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DATA))))
    store.extend(edition_quads(history))
    assert len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DATA)))) == today, \
        "the editions changed today's graph"
    return store


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value if term is not None else "" for term in row) for row in store.query(PREFIX_LINES + query)]


def test_one_named_graph_per_edition(store, history):
    graphs = select(store, "SELECT ?g ?issued WHERE { GRAPH ?g { ?g a prov:Entity OPTIONAL { ?g dcterms:issued ?issued } } "
                           "FILTER(STRSTARTS(STR(?g), STR(graph:)) && CONTAINS(STR(?g), '/list-')) }")
    assert len(graphs) == 91
    assert {g for g, _ in graphs} == {edition_graph_iri(e) for e in history.editions}
    issued = sorted(i for _, i in graphs if i)
    assert len(issued) == 90 and issued[0] == "2024-08-17T11:58:53" and issued[-1] == "2025-07-26T15:24:32"


def test_each_edition_graph_lists_the_works_of_its_edition(store, history):
    counts = dict(select(store, "SELECT ?g (COUNT(DISTINCT ?w) AS ?n) WHERE { GRAPH ?g { ?g a prov:Entity . ?e a dkg:ListEntry ; dkg:recordOf ?w } } "
                                "GROUP BY ?g"))
    expected = {edition_graph_iri(e): str(len(e.works)) for e in history.editions if e.works}
    assert len(expected) == 82 and counts == expected


def test_the_seed_edition_lists_the_works_of_todays_graph(store):
    seed = {w for (w,) in select(store, f"SELECT DISTINCT ?w WHERE {{ GRAPH <{GRAPH_RECORDS}> "
                                        "{ ?r a dkg:ListEntry ; dkg:recordOf ?w } }")}
    edition = {w for (w,) in select(store, f"SELECT DISTINCT ?w WHERE {{ GRAPH {SEED_GRAPH} "
                                           "{ ?r dkg:recordOf ?w } }")}
    assert len(seed) == 158 and edition == seed


def test_revisions_form_one_chain_from_the_first_edition_to_the_seed(store, history):
    links = dict(select(store, "SELECT ?g ?previous WHERE { GRAPH ?g { ?g prov:wasRevisionOf ?previous } }"))
    names = [edition_graph_iri(e) for e in history.editions]
    sheets = [GRAPH_EDITION + sheets_id(folder) for folder in history.sheet_states]
    assert len(sheets) == 42
    assert links == dict(zip(names[1:], names[:-1])) | dict(zip(sheets[1:], sheets[:-1]))
    assert names[-1].endswith("edition/list-" + SEED)


def test_works_dropped_from_the_list_are_found_by_sparql(store):
    dropped = select(store, """
        SELECT DISTINCT ?w WHERE {
          GRAPH ?g { ?g a prov:Entity . ?e a dkg:ListEntry ; dkg:recordOf ?w }
          FILTER NOT EXISTS { GRAPH <%s> { ?s dkg:recordOf ?w } }
        } ORDER BY ?w""" % (GRAPH_EDITION + "list-" + SEED))
    assert [w.rsplit("/", 1)[1] for (w,) in dropped] == [
        "kim-2025-openvla-open", "oier-2024-octo-open", "title-hierarchical-diffuser-efficient-hierarchical"]
