"""The editions as RDF: one named graph `graph:edition/<id>` per list edition and per spreadsheet state.

`kg import` writes each as data/editions/<id>.ttl (`edition_files`, deterministic); `kg build` loads each
file into the named graph of its name (`edition_graph_name`), outside the default graph
(kg.iri.DEFAULT_GRAPHS), so today's graph stays the default view.

    graph:edition/list-<date>_<commit7>  a prov:Entity, schema:CreativeWork ;
        rdfs:label "companion list, edition 2024-08-27T151613 (051cb94)" ;
        dcterms:issued "2024-08-27T15:16:13"^^xsd:dateTime ;      # the commit's author date (local time)
        prov:wasRevisionOf graph:edition/list-<previous> ;
        schema:url <https://github.com/clmoro/Robotics-RL-FMs-Integration/blob/<commit>/README.md> .
    <graph:edition/list-<name>/rename-<n>>  a dkg:HeadingRename ;      # renamed from the edition before
        dkg:oldHeading "A > B" ; dkg:newHeading "A > C" ; dkg:worksKept 26 ; prov:wasDerivedFrom graph:edition/...
    <graph:edition/list-<name>/entry-<line>>  a dkg:ListEntry ;
        dkg:recordOf paper:... ; dcterms:title "..." ; dkg:locator "\"A > B\"" ;
        schema:url <link> ; prov:wasDerivedFrom graph:edition/list-<name> .

    graph:edition/sheets-<date>_<commit7>  a prov:Entity, schema:CreativeWork ; rdfs:label ... ;
        dcterms:issued ... ; prov:wasRevisionOf graph:edition/sheets-<previous> ; schema:url <.../tree/<commit7>> .
    <graph:edition/sheets-<name>/row-<key>>  a dkg:SpreadsheetRow ;
        dkg:recordOf paper:... (when today's sheets match the key) ; dkg:bibtexKey "key" ;
        dkg:cellTaxonomy "..." ... (one per known column; others as dkg:cellUnmapped "Header: text") ;
        dkg:locator "\"file.xlsx\", Name key" ; prov:wasDerivedFrom graph:edition/sheets-<name> .

A past edition never changes, so an entry's line and a row's key are stable names there (unlike in
today's list, docs/model.md). The seed's spreadsheets are the newest state (byte-identical files).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.edition_diff import HeadingRename, changelog, diff
from kg.editions import Edition, History, read_sheet_state
from kg.ingest.write import HEADER
from kg.iri import GRAPH_EDITION, PREFIXES, expand, slug

__all__ = ["edition_id", "edition_graph_iri", "sheets_id", "edition_graphs", "edition_quads", "edition_files",
           "edition_graph_name", "edition_dataset", "REPOSITORY", "CHANGELOG_FILE"]

REPOSITORY = "https://github.com/clmoro/Robotics-RL-FMs-Integration"
CHANGELOG_FILE = "changelog.json"
_XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_CELL = {"Name": "dkg:cellName", "Framework": "dkg:cellFramework", "Taxonomy": "dkg:cellTaxonomy",
         "Base Model": "dkg:cellBaseModel", "Code": "dkg:cellCode", "Dataset": "dkg:cellDataset",
         "Modules": "dkg:cellModules", "Setting": "dkg:cellSetting"}
"""Canonical column (kg.ingest.spreadsheets.COLUMNS) -> its cell predicate, as today's sheet records use."""


def edition_id(edition: Edition) -> str:
    """`list-2024-08-27T151613_051cb94`, `list-seed`."""
    return f"list-{edition.name}"


def sheets_id(folder: Path) -> str:
    """`sheets-2024-08-27T140446_20e8235` for the state in history/sheets/2024-08-27T140446_20e8235/."""
    return f"sheets-{folder.name}"


def edition_graph_iri(edition: Edition) -> str:
    return GRAPH_EDITION + edition_id(edition)


def edition_graph_name(path: Path) -> str:
    """The named graph the build loads an edition file into: graph:edition/<file stem>."""
    return GRAPH_EDITION + path.stem


def _n(curie: str) -> ox.NamedNode:
    return ox.NamedNode(expand(curie))


def _issued(stamp: str) -> ox.Literal:
    """'2024-08-27T151613' -> "2024-08-27T15:16:13"^^xsd:dateTime."""
    return ox.Literal(f"{stamp[:10]}T{stamp[11:13]}:{stamp[13:15]}:{stamp[15:17]}", datatype=_XSD_DATETIME)


def _list_triples(edition: Edition, previous: ox.NamedNode | None) -> list[ox.Triple]:
    node = ox.NamedNode(edition_graph_iri(edition))
    triples = [ox.Triple(node, _n("rdf:type"), _n("prov:Entity")),
               ox.Triple(node, _n("rdf:type"), _n("schema:CreativeWork")),
               ox.Triple(node, _n("rdfs:label"), ox.Literal(f"companion list, edition {edition.label}"))]
    if edition.date:
        triples.append(ox.Triple(node, _n("dcterms:issued"), _issued(edition.date)))
    if edition.commit:
        triples.append(ox.Triple(node, _n("schema:url"), ox.NamedNode(f"{REPOSITORY}/blob/{edition.commit}/README.md")))
    if previous is not None:
        triples.append(ox.Triple(node, _n("prov:wasRevisionOf"), previous))
    for entry in edition.entries:
        record = ox.NamedNode(f"{node.value}/entry-{entry.line}")
        triples += [ox.Triple(record, _n("rdf:type"), _n("dkg:ListEntry")),
                    ox.Triple(record, _n("dkg:recordOf"), ox.NamedNode(entry.work)),
                    ox.Triple(record, _n("dcterms:title"), ox.Literal(entry.title)),
                    ox.Triple(record, _n("dkg:locator"), ox.Literal(f"\"{' > '.join(entry.headings)}\"")),
                    ox.Triple(record, _n("prov:wasDerivedFrom"), node)]
        if entry.link and entry.link.startswith("http"):
            triples.append(ox.Triple(record, _n("schema:url"), ox.NamedNode(entry.link.replace(" ", "%20"))))
    return triples


def _rename_triples(edition: Edition, renames: list[HeadingRename]) -> list[ox.Triple]:
    """The headings this edition renamed (kg.edition_diff: one rename, not a move of every work under it)."""
    node = ox.NamedNode(edition_graph_iri(edition))
    triples = []
    for number, rename in enumerate(renames, start=1):
        record = ox.NamedNode(f"{node.value}/rename-{number}")
        triples += [ox.Triple(record, _n("rdf:type"), _n("dkg:HeadingRename")),
                    ox.Triple(record, _n("dkg:oldHeading"), ox.Literal(" > ".join(rename.old))),
                    ox.Triple(record, _n("dkg:newHeading"), ox.Literal(" > ".join(rename.new))),
                    ox.Triple(record, _n("dkg:worksKept"), ox.Literal(str(rename.kept), datatype=_XSD_INTEGER)),
                    ox.Triple(record, _n("prov:wasDerivedFrom"), node)]
    return triples


def _sheet_triples(folder: Path, previous: ox.NamedNode | None, works: dict[str, str]) -> list[ox.Triple]:
    node = ox.NamedNode(GRAPH_EDITION + sheets_id(folder))
    stamp, _, commit = folder.name.partition("_")
    triples = [ox.Triple(node, _n("rdf:type"), _n("prov:Entity")),
               ox.Triple(node, _n("rdf:type"), _n("schema:CreativeWork")),
               ox.Triple(node, _n("rdfs:label"), ox.Literal(f"spreadsheets, state {stamp} ({commit})")),
               ox.Triple(node, _n("dcterms:issued"), _issued(stamp)),
               ox.Triple(node, _n("schema:url"), ox.NamedNode(f"{REPOSITORY}/tree/{commit}"))]
    if previous is not None:
        triples.append(ox.Triple(node, _n("prov:wasRevisionOf"), previous))
    state = read_sheet_state(folder)
    names: set[str] = set()
    for key, cells in state.rows.items():
        name = slug(key) or "row"
        while name in names:  # two keys with one slug (case, punctuation): keep both rows
            name += "-"
        names.add(name)
        record = ox.NamedNode(f"{node.value}/row-{name}")
        bibtex_key = cells["Name"]
        triples += [ox.Triple(record, _n("rdf:type"), _n("dkg:SpreadsheetRow")),
                    ox.Triple(record, _n("dkg:bibtexKey"), ox.Literal(bibtex_key)),
                    ox.Triple(record, _n("dkg:locator"), ox.Literal(f"\"{state.files[key]}\", Name {bibtex_key}")),
                    ox.Triple(record, _n("prov:wasDerivedFrom"), node)]
        if bibtex_key in works:
            triples.append(ox.Triple(record, _n("dkg:recordOf"), ox.NamedNode(works[bibtex_key])))
        for column, text in cells.items():
            if column in _CELL:
                triples.append(ox.Triple(record, _n(_CELL[column]), ox.Literal(text)))
            else:  # a header today's importer does not know ('Model Used'): kept with its own text
                triples.append(ox.Triple(record, _n("dkg:cellUnmapped"), ox.Literal(f"{column}: {text}")))
    return triples


def edition_graphs(history: History) -> dict[str, list[ox.Triple]]:
    """Edition id -> its triples: every list edition (oldest first, the seed last), then every sheet state."""
    graphs: dict[str, list[ox.Triple]] = {}
    previous: Edition | None = None
    for edition in history.editions:
        revised = None if previous is None else ox.NamedNode(edition_graph_iri(previous))
        graphs[edition_id(edition)] = _list_triples(edition, revised)
        if previous is not None:
            graphs[edition_id(edition)] += _rename_triples(edition, diff(previous, edition, history=history,
                                                                        with_sheets=False).renamed)
        previous = edition
    previous_state: ox.NamedNode | None = None
    for folder in history.sheet_states:
        graphs[sheets_id(folder)] = _sheet_triples(folder, previous_state, history.sheet_works)
        previous_state = ox.NamedNode(GRAPH_EDITION + sheets_id(folder))
    return graphs


def edition_quads(history: History) -> list[ox.Quad]:
    """The quads of every edition, each in its own named graph graph:edition/<id>."""
    return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(GRAPH_EDITION + name))
            for name, triples in edition_graphs(history).items() for t in triples]


def _turtle(triples: Iterable[ox.Triple]) -> bytes:
    """Deterministic Turtle: the triples sorted, so the same edition always gives the same bytes."""
    ordered = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    body = ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    return HEADER.encode() + body


def edition_files(history: History) -> dict[str, bytes]:
    """File name -> content, for data/editions/: `<edition id>.ttl` for each edition (the build loads them)
    and `changelog.json` (kg.edition_diff.changelog, for the /changes page)."""
    files = {f"{name}.ttl": _turtle(triples) for name, triples in edition_graphs(history).items()}
    files[CHANGELOG_FILE] = (json.dumps(changelog(history), indent=1, ensure_ascii=False) + "\n").encode()
    return files



def edition_dataset(edition: Edition) -> ox.Dataset:
    """One list edition in a neutral graph `graph:edition/list`, its entries named by what they say (work,
    headings, title) instead of their line: two editions differ only where the list changed, so a
    graph diff of two of them (kg diff A B --format patch|sparql) turns one list into the other."""
    graph = ox.NamedNode(GRAPH_EDITION + "list")
    renamed: dict[str, ox.NamedNode] = {edition_graph_iri(edition): graph}
    for entry in edition.entries:
        said = "\0".join((entry.work, " > ".join(entry.headings), entry.title))
        renamed[f"{edition_graph_iri(edition)}/entry-{entry.line}"] = ox.NamedNode(
            f"{graph.value}/entry-{hashlib.sha256(said.encode()).hexdigest()[:16]}")

    def term(node):
        return renamed.get(node.value, node) if isinstance(node, ox.NamedNode) else node

    return ox.Dataset(ox.Quad(term(t.subject), t.predicate, term(t.object), graph)
                      for t in _list_triples(edition, None))
