"""`kg.export`: every format round-trips to the store's graph (compared as graphs, not text)."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib
from api_server import copy_fixture, fixture_settings, load_store
from rdflib.compare import to_isomorphic

from kg.export import EXPORT_FORMATS, export


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = copy_fixture(tmp_path_factory.mktemp("export-project"))
    return load_store(fixture_settings(root), inferred=root / "inferred.ttl")


@pytest.mark.parametrize("fmt", sorted(set(EXPORT_FORMATS) - {"nq", "trig"}))
def test_triple_formats_hold_the_union_of_the_graphs(store, fmt):
    data = export(store, format=fmt)
    rdflib_format = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt]
    exported = rdflib.Graph().parse(data=data, format=rdflib_format)
    union = list({q.triple for q in store})
    expected = rdflib.Graph().parse(data=ox.serialize(union, format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert len(expected) > 0
    assert to_isomorphic(exported) == to_isomorphic(expected)


@pytest.mark.parametrize("fmt, rdf_format", [("nq", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG)])
def test_dataset_formats_round_trip_every_quad(store, tmp_path, fmt, rdf_format):
    target = tmp_path / f"all.{fmt}"
    export(store, format=fmt, output=target)
    reloaded = ox.Store()
    reloaded.load(path=str(target), format=rdf_format)
    def without_blank_nodes(quads):
        return {q for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}

    assert len(reloaded) == len(store)
    assert without_blank_nodes(reloaded) == without_blank_nodes(store)
    assert any(isinstance(q.subject, ox.BlankNode) for q in reloaded), "the fixture's blank nodes survive"


def test_export_writes_to_a_binary_stream(store):
    buffer = io.BytesIO()
    export(store, format="nt", output=buffer)
    assert len(buffer.getvalue().splitlines()) == len({q.triple for q in store})


def test_unknown_format_is_refused(store):
    with pytest.raises(ValueError, match="unknown export format"):
        export(store, format="csv")
