"""The editions in the repository's data and the store: `kg import` writes them (data/editions/), the build's
fingerprint covers them, and the canonical graph diff, its RDF Patch and SPARQL Update, and `kg release`."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from cli_support import ROOT, kg_env, run_kg
from test_editions import HISTORY, SOURCES, _fixture_sources

from kg.build import input_fingerprint
from kg.datafiles import read_project
from kg.errors import EditionError
from kg.graph_diff import apply_patch, canonical, graph_diff, read_dump, store_report
from kg.ingest import run_import
from kg.iri import DEFAULT_GRAPHS, GRAPH_EDITION, GRAPH_INFERRED, PREFIXES, compact
from kg.releases import ReleaseExists, make_release
from kg.settings import Settings

PREFIX_LINES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
CURATED = ROOT / "data" / "curated"


def _renamed_history(tmp_path: Path) -> Path:
    state = tmp_path / "state"
    state.mkdir()
    for xlsx in (SOURCES / "survey-repo").glob("*.xlsx"):
        shutil.copy(xlsx, state / xlsx.name)
    newest = sorted((HISTORY / "readme").glob("*.md"))[-1].read_text(encoding="utf-8")
    renamed = newest.replace("#### 1.Transformer Policy\n", "#### 1.Transformer-based Policies\n")
    assert renamed != newest
    return _fixture_sources(tmp_path, {"2025-08-01T100000_aaaaaaa": newest, "2025-08-02T100000_bbbbbbb": renamed},
                            sheets={"2025-07-30T100000_ccccccc": state})


# ---------------------------------------------------------------- kg import


def test_import_writes_every_edition_as_its_own_file_deterministically(tmp_path):
    sources = _renamed_history(tmp_path)
    out, editions = tmp_path / "data" / "ttl", tmp_path / "data" / "editions"
    result = run_import(sources_dir=sources, curated_dir=CURATED, out_dir=out, editions_dir=editions)
    names = sorted(p.name for p in editions.iterdir())
    assert names == ["changelog.json", "list-2025-08-01T100000_aaaaaaa.ttl", "list-2025-08-02T100000_bbbbbbb.ttl",
                     "list-seed.ttl", "sheets-2025-07-30T100000_ccccccc.ttl"]
    assert result.editions == 4
    first = {name: (editions / name).read_bytes() for name in names}
    run_import(sources_dir=sources, curated_dir=CURATED, out_dir=out, editions_dir=editions)
    assert {name: (editions / name).read_bytes() for name in names} == first, "a second import changed the files"

    renamed = ox.Store()
    renamed.load(path=str(editions / "list-2025-08-02T100000_bbbbbbb.ttl"), format=ox.RdfFormat.TURTLE)
    rows = [(str(r["old"].value), str(r["new"].value), r["issued"].value) for r in renamed.query(PREFIX_LINES + """
        SELECT ?old ?new ?issued WHERE { ?r a dkg:HeadingRename ; dkg:oldHeading ?old ; dkg:newHeading ?new ;
                                             prov:wasDerivedFrom ?e . ?e dcterms:issued ?issued }""")]
    assert rows == [("RL for Generative Policies > RL Pre-Training > 1.Transformer Policy",
                     "RL for Generative Policies > RL Pre-Training > 1.Transformer-based Policies", "2025-08-02T10:00:00")]
    sheets = ox.Store()
    sheets.load(path=str(editions / "sheets-2025-07-30T100000_ccccccc.ttl"), format=ox.RdfFormat.TURTLE)
    eureka = list(sheets.query(PREFIX_LINES + 'SELECT ?w ?t WHERE { ?r dkg:bibtexKey "ma2023eureka" ; '
                                              'dkg:recordOf ?w ; dkg:cellTaxonomy ?t }'))
    assert [(row["w"].value, row["t"].value) for row in eureka] == [(PREFIXES["paper"] + "arxiv-2310.12931", "LLM")]
    changelog = json.loads((editions / "changelog.json").read_text())
    assert [(row["edition"], row["renamed"]) for row in changelog] == [
        ("2025-08-01T100000_aaaaaaa", 0), ("2025-08-02T100000_bbbbbbb", 1), ("seed", 1)]  # seed 000 has the old name


def test_an_unparseable_edition_is_an_error_naming_its_file_and_nothing_is_imported(tmp_path):
    newest = sorted((HISTORY / "readme").glob("*.md"))[-1].read_text(encoding="utf-8")
    broken = newest.replace("[[paper]](https://arxiv.org/abs/2310.12931)", "[[paper]](https://arxiv.org/abs/2310.12931", 1)
    assert broken != newest
    sources = _fixture_sources(tmp_path, {"2025-08-01T100000_aaaaaaa": newest, "2025-08-02T100000_bbbbbbb": broken})
    out, editions = tmp_path / "data" / "ttl", tmp_path / "data" / "editions"
    for folder in (out, editions):
        folder.mkdir(parents=True)
        (folder / "before.ttl").write_text("# what was there before\n")
    with pytest.raises(EditionError, match=r"2025-08-02T100000_bbbbbbb\.md"):
        run_import(sources_dir=sources, curated_dir=CURATED, out_dir=out, editions_dir=editions)
    for folder in (out, editions):
        assert [p.name for p in folder.iterdir()] == ["before.ttl"], f"{folder} changed"


# ---------------------------------------------------------------- the build


def test_the_fingerprint_covers_the_edition_files(tmp_path):
    settings = Settings(root=tmp_path, ontology_dir=ROOT / "ontology", data_dir=ROOT / "data" / "ttl",
                        queries_dir=ROOT / "queries", editions_dir=tmp_path / "editions")
    (tmp_path / "editions").mkdir()
    edition = tmp_path / "editions" / "list-seed.ttl"
    edition.write_text("<https://e.org/a> <https://e.org/b> <https://e.org/c> .\n")
    before = input_fingerprint(settings)
    edition.write_text("<https://e.org/a> <https://e.org/b> <https://e.org/d> .\n")
    assert input_fingerprint(settings) != before
    (tmp_path / "editions" / "sheets-x.ttl").write_text("")
    assert len({before, input_fingerprint(settings)}) == 2


def test_the_built_store_holds_each_edition_in_its_named_graph_outside_the_default_graphs(built_store):
    store = ox.Store.read_only(str(built_store / "current"))
    graphs = {g.value for g in store.named_graphs() if g.value.startswith(GRAPH_EDITION)}
    files = sorted((ROOT / "data" / "editions").glob("*.ttl"))
    assert len(files) == 133 and graphs == {GRAPH_EDITION + f.stem for f in files}
    for path in (files[0], files[-1]):
        expected = {(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)}
        held = {(q.subject, q.predicate, q.object)
                for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_EDITION + path.stem))}
        assert held == expected, path.name
    seed = ox.NamedNode(GRAPH_EDITION + "list-seed")
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert list(store.quads_for_pattern(seed, None, None, seed))  # the edition describes itself in its graph


# ---------------------------------------------------------------- canonical graph diff


def _ontology() -> ox.Dataset:
    return ox.Dataset(q for f in read_project(ontology_dir=ROOT / "ontology", data_dir=None).ontology for q in f.quads)


def test_blank_node_labels_and_serialisation_order_are_no_change():
    a = _ontology()
    b = ox.Dataset(reversed(list(ox.parse(ox.serialize(a, format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS,
                                          rename_blank_nodes=True))))
    blank = [q for q in a if isinstance(q.object, ox.BlankNode)]
    assert len(blank) > 50 and set(a) != set(b), "the test needs blank nodes that are labelled differently"
    change = graph_diff(a, b)
    assert change.empty and change.to_patch() == "TX .\nTC .\n" and change.to_sparql() == ""


def _changed(a: ox.Dataset) -> ox.Dataset:
    """`a` with a ground triple removed, one added, one OWL restriction changed and a new blank node structure."""
    b = ox.Dataset(a)
    restriction = next(q for q in a if q.predicate.value.endswith("#hasValue") and isinstance(q.subject, ox.BlankNode))
    b.discard(restriction)
    b.add(ox.Quad(restriction.subject, restriction.predicate, ox.NamedNode(PREFIXES["cat"] + "changed"),
                  restriction.graph_name))
    label = next(q for q in a if q.predicate.value.endswith("#label") and isinstance(q.subject, ox.NamedNode))
    b.discard(label)
    b.add(ox.Quad(label.subject, label.predicate, ox.Literal("a new label", language="en"), label.graph_name))
    node = ox.BlankNode()
    b.add(ox.Quad(label.subject, ox.NamedNode(PREFIXES["rdfs"] + "seeAlso"), node, label.graph_name))
    b.add(ox.Quad(node, ox.NamedNode(PREFIXES["rdfs"] + "label"), ox.Literal("new structure"), label.graph_name))
    return b


def test_the_patch_applied_to_a_gives_b():
    a = _ontology()
    b = _changed(a)
    change = graph_diff(a, b)
    assert not change.empty and len(change.added) >= 4
    assert canonical(iter(apply_patch(canonical(iter(a)), change.to_patch()))) == canonical(iter(b))


def test_the_sparql_update_applied_to_a_store_holding_a_gives_b():
    a = _ontology()
    b = _changed(a)
    store = ox.Store()
    store.extend(a)
    store.update(graph_diff(a, b).to_sparql())
    assert canonical(iter(store)) == canonical(iter(b))


def test_a_category_change_is_reported_with_the_inferred_facts_and_gap_cells_it_changes(built_store):
    settings = Settings(root=ROOT)
    a = ox.Store()
    a.extend(ox.Store.read_only(str(built_store / "current")))
    # a policy cell (RL stage x policy architecture) counts class members, asserted or inferred; the tool
    # matrix counts single-record pairs instead (docs/model.md), so an inferred class changes a policy cell
    cell = next(iter(a.query(PREFIX_LINES + """
        SELECT ?work ?row ?rowClass ?column WHERE {
          ?row skos:broader cat:rl-for-generative-policies ; dkg:matrixClass ?rowClass .
          ?column skos:topConceptOf cat:policy-architectures ; dkg:categoryClass ?c .
          GRAPH graph:inferred { ?work a ?rowClass } ?work a ?c
          FILTER NOT EXISTS { GRAPH graph:data { ?work a ?rowClass } } } ORDER BY ?work ?row ?column LIMIT 1""",
        default_graph=[ox.NamedNode(g) for g in DEFAULT_GRAPHS])))
    work, row_class = cell["work"], cell["rowClass"]
    b = ox.Store()
    b.extend(a)
    b.remove(ox.Quad(work, ox.NamedNode(PREFIXES["rdf"] + "type"), row_class, ox.NamedNode(GRAPH_INFERRED)))
    report = store_report(graph_diff(a, b), a=a, b=b, settings=settings)
    assert report["added"] == 0 and report["removed"] == 1
    assert report["inferredLost"] == [f"{work.value.replace(PREFIXES['paper'], 'paper:')} rdf:type "
                                      f"{row_class.value.replace(PREFIXES['dkg'], 'dkg:')}"]
    changed = [(c["matrix"], c["row"], c["column"], c["new"] - c["old"]) for c in report["gapCells"]]
    assert ("policies", compact(cell["row"].value), compact(cell["column"].value), -1) in changed


@pytest.mark.parametrize("fmt", ["md", "json", "patch", "sparql"])
def test_diff_of_a_build_with_itself_is_empty(built_store, fmt):
    result = run_kg("diff", "current", "current", "--format", fmt, env=kg_env(ROOT, built_store))
    assert result.returncode == 0, result.stderr
    expected = {"patch": lambda out: out == "TX .\nTC .\n", "sparql": lambda out: out == "",
                "md": lambda out: "No change" in out,
                "json": lambda out: (json.loads(out)["removed"], json.loads(out)["added"], json.loads(out)["gapCells"])
                == (0, 0, [])}
    assert expected[fmt](result.stdout), result.stdout[:500]


# ---------------------------------------------------------------- releases


def test_a_release_loads_back_with_the_same_quad_count_and_the_next_one_carries_its_changes(tmp_path):
    settings = Settings(root=ROOT, releases_dir=tmp_path / "releases")
    store = ox.Store()
    store.extend(_ontology())
    first = make_release(settings, store, "1.0")
    triples = len({q.triple for q in store})
    dumps = ("duality-kg.nq", "duality-kg.trig", "duality-kg.ttl", "duality-kg.nt", "duality-kg.jsonld", "duality-kg.rdf")
    for name in dumps:
        loaded = ox.Store()
        rdf_format = ox.RdfFormat.from_extension(name.rsplit(".", 1)[1])
        loaded.load(path=str(first.path / name), format=rdf_format)
        expected = len(store) if name.endswith((".nq", ".trig")) else triples
        assert len(loaded) == expected, name
    sums = dict(line.split("  ")[::-1] for line in (first.path / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == set(dumps) and all(hashlib.sha256((first.path / n).read_bytes()).hexdigest() == d for n, d in sums.items())
    void = ox.Store()
    void.load(path=str(first.path / "void.ttl"), format=ox.RdfFormat.TURTLE)
    facts = {(q.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], q.object.value) for q in void}
    assert {("versionInfo", "1.0"), ("issued", first.issued), ("triples", str(triples))} <= facts
    assert ("hasVersion", "https://w3id.org/duality-kg/graph/release/1.0") in facts
    assert ("checksumValue", sums["duality-kg.nq"]) in facts

    with pytest.raises(ReleaseExists, match="1.0 exists already"):
        make_release(settings, store, "1.0")

    changed = ox.Store()
    changed.extend(_changed(ox.Dataset(store)))
    second = make_release(settings, changed, "1.1")
    assert second.previous == "1.0" and {"changes.md", "changes.patch"} <= set(second.files)
    assert "release 1.0 -> release 1.1" in (second.path / "changes.md").read_text()
    patched = apply_patch(canonical(iter(read_dump(first.path / "duality-kg.nq"))), (second.path / "changes.patch").read_text())
    assert canonical(iter(patched)) == canonical(iter(read_dump(second.path / "duality-kg.nq")))


def test_kg_release_refuses_an_existing_version_with_exit_2(built_store, tmp_path):
    env = kg_env(ROOT, built_store, RELEASES_DIR=str(tmp_path / "releases"))
    assert run_kg("release", "0.9", env=env).returncode == 0
    again = run_kg("release", "0.9", env=env)
    assert again.returncode == 2 and "release 0.9 exists already" in again.stderr
    bad = run_kg("release", "../x", env=env)
    assert bad.returncode == 2 and "release version '../x'" in bad.stderr
    shutil.rmtree(tmp_path / "releases")
