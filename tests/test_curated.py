"""The hand-curated inputs of the importer (data/curated/*.csv) keep their contract.

Format checks run everywhere. Checks against the sources (the survey's reference list, the
companion list, the spreadsheets) need the sources folder (`KG_SOURCES_DIR`, default ../shared)
and skip with a reason when it is absent.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from kg.ingest.records import normalise_title
from kg.iri import CAT
from kg.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CURATED = REPO / "data" / "curated"
SURVEY_TEXT = "seeds/001_fd43b07d03e1af21.txt"
COMPANION_LIST = "seeds/000_3b328599f431ecd7.txt"
SHEETS = "survey-repo"

REF = re.compile(r"^ref:([1-9][0-9]*)$")
ARXIV = re.compile(r"^arxiv:(\d{4}\.\d{4,5})$")
LIST_ENTRY = re.compile(r"^\s*-\s+(?P<title>.*?)\s*\[\[paper\]\]\((?P<url>[^)]*)\)\s*$")
ARXIV_OR_DOI_LINK = re.compile(r"arxiv\.org/|doi\.org/", re.IGNORECASE)
BRANCHES = {"generative-tools-for-rl", "rl-for-generative-policies"}
FIRST_REF, LAST_REF = 1, 199


def _natural(target: str) -> tuple[str, float]:
    """Sort key of a `ref:N` / `arxiv:ID` / `none` cell: prefix, then the number."""
    prefix, _, rest = target.partition(":")
    try:
        return prefix, float(rest)
    except ValueError:
        return prefix, 0.0


# file -> (exact header, key columns that must be unique, sort key of a row)
FILES = {
    "extends.csv": (
        ["subject", "object", "basis", "quote", "locator", "note"],
        ("subject", "object"),
        lambda row: (_natural(row["subject"]), _natural(row["object"])),
    ),
    "list-links.csv": (
        ["list_title", "target", "reason"],
        ("list_title",),
        lambda row: normalise_title(row["list_title"]),
    ),
    "sheet-keys.csv": (
        ["sheet", "bibtex_key", "target", "reason"],
        ("sheet", "bibtex_key"),
        lambda row: (row["sheet"], row["bibtex_key"]),
    ),
    "text-frameworks.csv": (
        ["target", "framework_name", "note"],
        ("target", "framework_name"),
        lambda row: _natural(row["target"]),
    ),
    "introduced-in.csv": (
        ["entity", "target", "name", "note"],
        ("entity", "target"),
        lambda row: (row["entity"], _natural(row["target"])),
    ),
    "section9-areas.csv": (
        ["area_id", "heading", "section", "branch", "concepts"],
        ("area_id",),
        lambda row: row["area_id"],
    ),
}


@cache
def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (CURATED / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        header = next(reader)
        rows = []
        for number, cells in enumerate(reader, start=2):
            assert len(cells) == len(header), f"{name}, line {number}: {len(cells)} cells, header has {len(header)}"
            rows.append(dict(zip(header, cells)))
    return header, rows


def _rows(name: str) -> list[dict[str, str]]:
    rows = _read(name)[1]
    assert rows, f"{name} has no rows"
    return rows


def _sources() -> Path:
    sources = Settings(root=REPO).sources_dir
    if sources is None or not (sources / SURVEY_TEXT).is_file():
        pytest.skip(f"sources folder absent ({sources}); set KG_SOURCES_DIR to the folder holding seeds/ and survey-repo/")
    return sources


@cache
def _reference_numbers(sources: Path) -> frozenset[int]:
    text = (sources / SURVEY_TEXT).read_text(encoding="utf-8")
    return frozenset(int(n) for n in re.findall(r"^- \[(\d+)\] ", text, flags=re.MULTILINE))


@cache
def _list_entries(sources: Path) -> dict[str, list[re.Match[str]]]:
    """normalised title -> the list entries with that title (a work listed under two headings has two)."""
    lines = (sources / COMPANION_LIST).read_text(encoding="utf-8").splitlines()
    entries: dict[str, list[re.Match[str]]] = {}
    for line in lines:
        if found := LIST_ENTRY.match(line):
            entries.setdefault(normalise_title(found["title"]), []).append(found)
    return entries


@cache
def _sheet_keys(sources: Path) -> frozenset[tuple[str, str]]:
    keys = set()
    for path in sorted((sources / SHEETS).glob("*.xlsx")):
        sheet = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[0]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            if row and row[0] is not None and str(row[0]).strip():
                keys.add((path.name, str(row[0])))
    return frozenset(keys)


@cache
def _concept_names() -> frozenset[str]:
    """cat: local names of the contract: from ontology/duality.ttl when present, else docs/model.md."""
    ontology = REPO / "ontology" / "duality.ttl"
    if ontology.is_file():
        graph = Graph().parse(ontology, format="turtle")
        names = {str(s)[len(CAT):] for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef) and str(s).startswith(CAT)}
    else:
        contract = (REPO / "docs" / "model.md").read_text(encoding="utf-8")
        section = contract.split("## Taxonomy concepts", 1)[1].split("\n## ", 1)[0]
        names = set(re.findall(r"`cat:([a-z0-9.-]+)`", section))
    assert names, "no taxonomy concepts found in the contract"
    return frozenset(names)


def _targets() -> list[tuple[str, str]]:
    """(file, target) for every ref:/arxiv:/none cell that names a work."""
    found = []
    for row in _rows("extends.csv"):
        found += [("extends.csv", row["subject"]), ("extends.csv", row["object"])]
    found += [("list-links.csv", row["target"]) for row in _rows("list-links.csv")]
    found += [("sheet-keys.csv", row["target"]) for row in _rows("sheet-keys.csv")]
    found += [("text-frameworks.csv", row["target"]) for row in _rows("text-frameworks.csv")]
    found += [("introduced-in.csv", row["target"]) for row in _rows("introduced-in.csv")]
    return found


@pytest.mark.parametrize("name", sorted(FILES))
def test_header_is_exact(name: str) -> None:
    header, _ = _read(name)
    assert header == FILES[name][0]


@pytest.mark.parametrize("name", sorted(FILES))
def test_rows_are_sorted_and_unique(name: str) -> None:
    _, unique, sort_key = FILES[name]
    rows = _rows(name)
    keys = [tuple(row[column] for column in unique) for row in rows]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, f"{name}: duplicate rows for {duplicates}"
    assert rows == sorted(rows, key=sort_key), f"{name}: rows are not sorted"


@pytest.mark.parametrize("name", sorted(FILES))
def test_no_empty_cells(name: str) -> None:
    empty = [(number, column) for number, row in enumerate(_rows(name), start=2) for column, cell in row.items() if not cell.strip()]
    assert not empty, f"{name}: empty cells at (line, column) {empty}"


def test_targets_are_well_formed() -> None:
    bad = []
    for name, target in _targets():
        ref = REF.match(target)
        if ref:
            if not FIRST_REF <= int(ref.group(1)) <= LAST_REF:
                bad.append((name, target))
        elif name in ("text-frameworks.csv", "introduced-in.csv") or (not ARXIV.match(target) and not (target == "none" and name != "extends.csv")):
            bad.append((name, target))
    assert not bad, f"targets that are not ref:1..199, arxiv:ID or (outside extends.csv) none: {bad}"


def test_extends_never_links_a_work_to_itself_and_cites_a_source() -> None:
    rows = _rows("extends.csv")
    assert all(row["subject"] != row["object"] for row in rows)
    assert all(re.match(r"seed 00[0-3], ", row["locator"]) for row in rows), "each locator starts with its seed file"
    assert {row["basis"] for row in rows} <= {"sentence", "inference"}, "basis is sentence or inference"


def test_none_targets_say_why() -> None:
    rows = [row for name in ("list-links.csv", "sheet-keys.csv") for row in _rows(name) if row["target"] == "none"]
    assert all(len(row["reason"]) > 20 for row in rows)


def test_every_ref_is_in_the_reference_list() -> None:
    numbers = _reference_numbers(_sources())
    cited = {int(REF.match(target).group(1)) for _, target in _targets() if REF.match(target)}
    assert cited, "no ref:N targets at all"
    assert cited <= numbers, f"not in the survey's reference list: {sorted(cited - numbers)}"


def test_every_arxiv_target_is_given_by_the_companion_list() -> None:
    text = (_sources() / COMPANION_LIST).read_text(encoding="utf-8")
    given = set(re.findall(r"(\d{4}\.\d{4,5})", text))
    ids = {ARXIV.match(target).group(1) for _, target in _targets() if ARXIV.match(target)}
    assert ids <= given, f"arXiv ids no source gives: {sorted(ids - given)}"


def test_list_titles_name_list_entries() -> None:
    entries = _list_entries(_sources())
    titles = [row["list_title"] for row in _rows("list-links.csv")]
    assert not [t for t in titles if normalise_title(t) not in entries], "list_title that no list entry has"


def test_every_project_page_link_is_mapped() -> None:
    entries = _list_entries(_sources())
    pages = {title for title, found in entries.items() if any(not ARXIV_OR_DOI_LINK.search(e["url"]) for e in found)}
    assert pages, "the companion list has no non-arXiv/DOI links"
    mapped = {normalise_title(row["list_title"]) for row in _rows("list-links.csv")}
    assert pages <= mapped, f"list entries with a project-page link but no row: {sorted(pages - mapped)}"


def test_none_targets_only_for_project_page_links() -> None:
    entries = _list_entries(_sources())
    wrong = [row["list_title"] for row in _rows("list-links.csv") if row["target"] == "none"
             and any(ARXIV_OR_DOI_LINK.search(e["url"]) for e in entries[normalise_title(row["list_title"])])]
    assert not wrong, f"arXiv/DOI entries need no 'none' row: {wrong}"


def test_sheet_keys_exist_and_cover_every_row() -> None:
    keys = _sheet_keys(_sources())
    assert keys, "no spreadsheet rows found"
    curated = {(row["sheet"], row["bibtex_key"]) for row in _rows("sheet-keys.csv")}
    assert curated - keys == set(), f"keys not in their sheet: {sorted(curated - keys)}"
    assert keys - curated == set(), f"spreadsheet rows without a mapping: {sorted(keys - curated)}"


def test_section9_areas_use_contract_concepts() -> None:
    names = _concept_names()
    rows = _rows("section9-areas.csv")
    assert {row["branch"] for row in rows} <= BRANCHES
    assert BRANCHES <= names, "branch concepts missing from the contract"
    unknown = sorted({concept for row in rows for concept in row["concepts"].split() if concept not in names})
    assert not unknown, f"concepts not in the contract: {unknown}"


def test_section9_headings_are_in_the_survey_under_their_section() -> None:
    lines = (_sources() / SURVEY_TEXT).read_text(encoding="utf-8").splitlines()
    headings = {re.sub(r"^[#\s]*(9\.3\.\d\.\s*)?", "", line).strip(): number for number, line in enumerate(lines)}
    missing = [row["heading"] for row in _rows("section9-areas.csv") if row["heading"] not in headings]
    assert not missing, f"headings not found in seed 001: {missing}"
    starts = {}
    for number, line in enumerate(lines):
        found = re.match(r"^[#\s]*(9\.[1-3](?:\.\d)?)\.\s", line)
        if found:
            starts[found.group(1)] = number
    assert {"9.1", "9.2", "9.3"} <= set(starts), "Section 9 sub-headings not found"
    following = {"9.1": starts["9.2"], "9.2": starts["9.3"]}
    for row in _rows("section9-areas.csv"):
        at = headings[row["heading"]]
        if row["section"] in following:
            assert starts[row["section"]] < at < following[row["section"]], row
        else:
            assert starts.get(row["section"]) == at, row


def test_extends_locators_name_real_sections() -> None:
    text = (_sources() / SURVEY_TEXT).read_text(encoding="utf-8")
    for row in _rows("extends.csv"):
        section = re.search(r"Section (\d+(?:\.\d+)*) ([^;(]+)", row["locator"])
        if section:
            number, heading = section.group(1), section.group(2).strip()
            assert re.search(rf"^[#\s]*{re.escape(number)}\.?\s+{re.escape(heading)}\s*$", text, flags=re.MULTILINE), row["locator"]


def test_text_framework_names_are_printed_with_their_citation() -> None:
    """Each name is written in the survey's body as given, and the next citation after it cites the target."""
    text = (_sources() / SURVEY_TEXT).read_text(encoding="utf-8").split("### References", 1)[0]
    for row in _rows("text-frameworks.csv"):
        number = int(REF.match(row["target"]).group(1))
        after = [text[m.end():].split("[", 1)[1].split("]", 1)[0] for m in re.finditer(re.escape(row["framework_name"]), text)]
        assert any(str(number) in re.split(r"[,–-]", cites) for cites in after), row
