"""The edits layer as a library (kg.edits): the overlay on data/ttl/, the build and its fingerprint, the
edit file's header, leftovers. On a copy of the endpoint fixture project, with the real build."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from api_server import copy_fixture, fixture_settings

from kg.build import build, input_fingerprint
from kg.datafiles import TurtleFile
from kg.edits import description, edit_path, overlay, project_files, remove_leftovers, write
from kg.errors import TurtleSyntaxError
from kg.iri import GRAPH_DATA, PAPER
from kg.store import current

EUREKA_ID = "arxiv-2310.12931"
EUREKA = PAPER + EUREKA_ID
SURVEY_ID = "doi-10.1016-j.inffus.2025.104003"
TITLE = "http://purl.org/dc/terms/title"
RENAMED = f"""@prefix dkg: <https://w3id.org/duality-kg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{EUREKA}> a dkg:ResearchPaper ; dcterms:title "Renamed by a maintainer" .
"""


@pytest.fixture()
def settings(tmp_path):
    return fixture_settings(copy_fixture(tmp_path / "project"))


def _store_titles(settings, iri: str) -> list[str]:
    store = ox.Store.read_only(str(current(settings).path))
    return sorted(q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(TITLE), None,
                                                                  ox.NamedNode(GRAPH_DATA)))


def _quads(text: str) -> list[ox.Quad]:
    return [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(GRAPH_DATA))
            for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]


def test_an_edit_replaces_the_generated_description_and_nothing_else(tmp_path):
    paper = ox.NamedNode(EUREKA)
    other = ox.NamedNode(PAPER + "other")
    data = TurtleFile(tmp_path / "generated.ttl", _quads(f"""
        <{EUREKA}> <{TITLE}> "old" ; <urn:x:has> [ <urn:x:deep> [ <urn:x:deeper> "gone" ] ] .
        <{EUREKA}#row-1> <{TITLE}> "old record" .
        <{EUREKA}-2> <{TITLE}> "a paper whose id extends the edited one" .
        {other} <{TITLE}> "kept" ; <urn:x:cites> <{EUREKA}> .
        """))
    edit = TurtleFile(tmp_path / f"{EUREKA_ID}.ttl", _quads(f'<{EUREKA}> <{TITLE}> "new" .'))
    merged = [q for f in overlay([data], [edit]) for q in f.quads]
    assert {q.object.value for q in description(merged, paper) if q.predicate.value == TITLE} == {"new"}
    assert not [q for q in merged if q.object == ox.Literal("gone")], "blank nodes reached from it go too"
    kept = {q.object.value for q in merged if q.subject != paper}
    assert {"kept", EUREKA, "a paper whose id extends the edited one"} <= kept, "links to the paper stay"


def test_the_build_overlays_the_edits_and_its_fingerprint_covers_them(settings):
    build(settings, log=lambda _: None)
    assert _store_titles(settings, EUREKA) == ["Eureka: human-level reward design via coding large language models"]
    before = input_fingerprint(settings)
    path = edit_path(settings, EUREKA_ID)
    path.parent.mkdir(parents=True)
    path.write_text(RENAMED)
    assert input_fingerprint(settings) != before, "an edit file makes the store stale"
    build(settings, log=lambda _: None)
    assert _store_titles(settings, EUREKA) == ["Renamed by a maintainer"]
    path.write_text("# kg edit: deleted\n")
    build(settings, log=lambda _: None)
    assert _store_titles(settings, EUREKA) == []


def test_a_broken_edit_file_is_named_with_its_line(settings):
    path = edit_path(settings, EUREKA_ID)
    path.parent.mkdir(parents=True)
    path.write_text(f'<{EUREKA}> <{TITLE}> "unterminated .\n')
    with pytest.raises(TurtleSyntaxError, match=rf"{EUREKA_ID}\.ttl:1"):
        project_files(settings)


def test_write_records_method_time_and_author_and_cannot_be_injected(settings):
    build(settings, log=lambda _: None)
    result = write(settings, paper_id=EUREKA_ID, method="PUT", body=RENAMED.encode(),
                   by="maintainer@example.org\n<urn:x:a> <urn:x:b> <urn:x:c> .")
    assert result.status == "updated" and result.edit_file == f"data/edits/papers/{EUREKA_ID}.ttl"
    text = edit_path(settings, EUREKA_ID).read_text()
    header = text.split("\n\n", 1)[0]
    assert "# method: PUT" in header and "# at: 20" in header and "maintainer@example.org" in header
    assert all(line.startswith("#") for line in header.splitlines()), "the author stays inside the comment"
    assert {q.subject.value for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)} == {EUREKA}
    assert _store_titles(settings, EUREKA) == ["Renamed by a maintainer"]
    assert current(settings).fingerprint == input_fingerprint(settings), "the published store is not stale"


def test_leftovers_of_killed_writers_and_servers_are_removed(settings):
    build(settings, log=lambda _: None)
    papers = edit_path(settings, EUREKA_ID).parent
    papers.mkdir(parents=True)
    (papers / f"{EUREKA_ID}.ttl.tmp").write_text("half")
    home = settings.store_dir.parent
    old = [home / "kg-snapshots-abc", home / "kg-write-def"]
    for folder in old:
        (folder / "v1").mkdir(parents=True)
    unpublished = settings.store_dir / "builds" / "20260101T000000-999999999-0"
    unpublished.mkdir()
    removed = remove_leftovers(settings)
    assert set(removed) >= {papers / f"{EUREKA_ID}.ttl.tmp", *old, unpublished}
    assert not any(p.exists() for p in removed)
    assert current(settings).path.is_dir(), "the published store stays"
