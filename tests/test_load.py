"""Loading Turtle into the store: named graphs, and broken files that change nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import TurtleSyntaxError
from kg.iri import GRAPH_DATA, GRAPH_ONTOLOGY, GRAPH_RECORDS, GRAPH_VIEW
from kg.load import load_graphs, ontology_files

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "fixtures" / "sample-papers"


def test_ontology_and_data_land_in_their_named_graphs():
    store = ox.Store()
    count = load_graphs(store, ontology_dir=ROOT / "ontology", data_dir=SAMPLES)
    assert count == len(store)
    per_graph = {g.value: n for g, n in (
        (graph, sum(1 for _ in store.quads_for_pattern(None, None, None, graph)))
        for graph in store.named_graphs())}
    assert {GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_RECORDS} <= set(per_graph)
    assert set(per_graph) - {GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_RECORDS} <= {GRAPH_VIEW + v for v in ("survey", "list", "sheets")}
    eureka = ox.NamedNode("https://w3id.org/duality-kg/paper/arxiv-2310.12931")
    assert list(store.quads_for_pattern(eureka, None, None, ox.NamedNode(GRAPH_DATA)))
    # its records are in graph:records, not in graph:data
    record_of = ox.NamedNode("https://w3id.org/duality-kg/ontology#recordOf")
    records = {q.subject for q in store.quads_for_pattern(None, record_of, eureka, None)}
    assert records and all(q.graph_name == ox.NamedNode(GRAPH_RECORDS)
                           for r in records for q in store.quads_for_pattern(r, None, None, None))
    assert not list(store.quads_for_pattern(eureka, None, None, ox.NamedNode(GRAPH_ONTOLOGY)))


def test_shapes_and_pinned_vocabularies_are_not_ontology_files():
    names = {path.name for path in ontology_files(ROOT / "ontology")}
    assert "duality.ttl" in names
    assert "shapes.ttl" not in names
    assert all(path.parent == ROOT / "ontology" for path in ontology_files(ROOT / "ontology"))


def test_broken_turtle_names_file_line_and_column_and_changes_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLES, data)
    broken = data / "zz-broken.ttl"
    broken.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated .\n')
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/kept"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("before"), ox.DefaultGraph()))
    before = set(store)
    with pytest.raises(TurtleSyntaxError) as caught:
        load_graphs(store, ontology_dir=ROOT / "ontology", data_dir=data)
    assert caught.value.path == broken
    assert caught.value.line == 3 and caught.value.column is not None
    assert f"{broken}:3:" in str(caught.value)
    assert set(store) == before
