"""The six spreadsheets of survey-repo/ (openpyxl): one SpreadsheetRow record per row with a BibTeX key."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import openpyxl
from rdflib import Literal, URIRef

from kg.errors import InputError
from kg.ingest.records import PaperKeys, SourceRecord, Triple, integer, iri, text, unique_keys
from kg.ingest.sources import SHEET_FILES, source_path
from kg.ingest.vocabulary import (
    base_model_category_of,
    base_models_in,
    benchmarks_in,
    code_availability_of,
    networks_in,
    settings_of,
)
from kg.iri import slug

__all__ = ["SheetRow", "SheetLayout", "parse_sheets", "sheet_layouts", "layout_triples", "sheet_records", "COLUMNS"]

# normalised header -> the column's canonical name; the files carry stray spaces and typos
COLUMNS: dict[str, str] = {
    "name": "Name", "framework": "Framework", "taxonomy": "Taxonomy", "base model": "Base Model",
    "code available": "Code", "code availabale": "Code", "dataset": "Dataset", "modules": "Modules",
    "simulation or real exp": "Setting",
}
_CELL_PREDICATE = {
    "Name": "dkg:cellName", "Framework": "dkg:cellFramework", "Taxonomy": "dkg:cellTaxonomy",
    "Base Model": "dkg:cellBaseModel", "Code": "dkg:cellCode", "Dataset": "dkg:cellDataset",
    "Modules": "dkg:cellModules", "Setting": "dkg:cellSetting",
}
# The authors publish one spreadsheet per taxonomy category (seed 000: "one for each category"); the two
# RL sheets are the tables of the survey's RL pre-training category (Section 6.1 transformer policy,
# 6.2 diffusion policy). So the sheet is the evidence for the policy architecture and the RL stage of
# the works it lists, unless a row's own Modules cell names another stage.
_POLICY_ARCHITECTURE = {"rl-transformer": "transformer-policy", "rl-diffusion": "diffusion-policy"}
_SHEET_STAGE = "rl-pretraining"


@dataclass(frozen=True)
class SheetRow:
    sheet: str
    file_name: str
    row: int
    """The sheet's row number (header = 1), for messages; not part of the record key."""
    cells: dict[str, str]
    """canonical column -> cell text, whitespace runs collapsed (empty cells are absent: unknown)."""
    verbatim: dict[str, str]
    """canonical column -> cell text exactly as the file holds it, stray spaces included."""
    record_key: str = ""
    """`sheet-<sheet>-<BibTeX key>`: the row's Name cell, which the sheets keep unique."""

    @property
    def key(self) -> str:
        return self.cells["Name"]


def parse_sheets(sources_dir: Path) -> list[SheetRow]:
    """Every row with a Name of the six sheets. Raises InputError naming file and column for an unknown header."""
    rows: list[SheetRow] = []
    for sheet, relative in SHEET_FILES.items():
        path = source_path(sources_dir, relative)
        worksheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        header: list[str | None] = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if number == 1:
                header = [_column(path, str(v)) if v is not None and str(v).strip() else None for v in values]
                continue
            verbatim = {col: str(v) for col, v in zip(header, values) if col and v is not None and str(v).strip()}
            cells = {col: re.sub(r"\s+", " ", v).strip() for col, v in verbatim.items()}
            if "Name" in cells:
                rows.append(SheetRow(sheet=sheet, file_name=path.name, row=number, cells=cells, verbatim=verbatim))
    keys = unique_keys([f"sheet-{row.sheet}-{slug(row.key)}" for row in rows], ["" for _ in rows])
    return [replace(row, record_key=key) for row, key in zip(rows, keys)]


@dataclass(frozen=True)
class SheetLayout:
    """What a sheet looks like apart from its rows: its worksheet's name and its header row as written."""

    sheet: str
    sheet_name: str
    headers: tuple[tuple[int, str, str], ...]
    """(1-based column number, header exactly as written, canonical column) for every non-empty header cell."""


def sheet_layouts(sources_dir: Path) -> list[SheetLayout]:
    """The worksheet name and header row of each of the six sheets. Raises InputError as parse_sheets does."""
    layouts = []
    for sheet, relative in SHEET_FILES.items():
        path = source_path(sources_dir, relative)
        worksheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        first = next(worksheet.iter_rows(max_row=1, values_only=True), ())
        headers = tuple((number, str(value), _column(path, str(value)))
                        for number, value in enumerate(first, start=1) if value is not None and str(value).strip())
        layouts.append(SheetLayout(sheet=sheet, sheet_name=worksheet.title, headers=headers))
    return layouts


def layout_triples(layouts: list[SheetLayout], rows: list[SheetRow], record_of: dict[str, URIRef]) -> list[Triple]:
    """The sheets' layout for `kg render sheets` (data/ttl/layouts.ttl): on each sheet's source document its
    dkg:sheetName and one dkg:SheetColumn per header cell (`src:sheet-<sheet>#column-<column>`, header
    verbatim); one dkg:LayoutSlot per row (`src:sheet-<sheet>#<record key>`: its record and dkg:rowNumber).

    Row numbers live here rather than on the records so that inserting a row changes this file and the
    files of its own work only. `record_of` maps a record key to the record's IRI.
    """
    triples: list[Triple] = []
    for layout in layouts:
        document = iri(f"src:sheet-{layout.sheet}")
        triples.append((document, iri("dkg:sheetName"), Literal(layout.sheet_name)))
        for number, header, column in layout.headers:
            node = URIRef(f"{document}#column-{column.lower().replace(' ', '-')}")
            triples += [(node, iri("rdf:type"), iri("dkg:SheetColumn")), (node, iri("dkg:columnOf"), document),
                        (node, iri("dkg:columnNumber"), integer(number)),
                        (node, iri("dkg:columnHeader"), Literal(header)),
                        (node, iri("dkg:columnField"), iri(_CELL_PREDICATE[column]))]
    for row in rows:
        document = iri(f"src:sheet-{row.sheet}")
        slot = URIRef(f"{document}#{row.record_key}")
        triples += [(slot, iri("rdf:type"), iri("dkg:LayoutSlot")), (slot, iri("dkg:slotOf"), document),
                    (slot, iri("dkg:slotRecord"), record_of[row.record_key]),
                    (slot, iri("dkg:rowNumber"), integer(row.row)),
                    (slot, iri("prov:wasDerivedFrom"), document)]
    return triples


def _column(path: Path, header: str) -> str:
    normalised = re.sub(r"\s+", " ", header).strip().lower()
    if normalised not in COLUMNS:
        raise InputError(f"{path}: unknown column header {header!r} (known: {sorted(set(COLUMNS.values()))})")
    return COLUMNS[normalised]


def sheet_records(rows: list[SheetRow]) -> list[SourceRecord]:
    """One dkg:SpreadsheetRow record per row: every cell verbatim (stray spaces kept) plus the structured facts it states."""
    records = []
    for row in rows:
        record = SourceRecord(fragment=row.record_key, record_class="dkg:SpreadsheetRow",
                              source=f"sheet-{row.sheet}", locator=f"\"{row.file_name}\", Name {row.key}",
                              keys=PaperKeys())
        for column, value in sorted(row.verbatim.items()):
            record.cell(_CELL_PREDICATE[column], Literal(value))  # as the file holds it; facts below are normalised
        record.fact("dkg:bibtexKey", text(row.key))
        cells = row.cells
        if "Framework" in cells:
            record.fact("dkg:frameworkName", text(cells["Framework"]))
        # like the survey's tables, the four base-model sheets are the authors' classification by base model
        category = base_model_category_of(row.file_name)
        if category:
            record.fact("dkg:tabulatedUnder", iri("cat:" + category))
        for concept in base_models_in(cells.get("Taxonomy", "")):
            record.fact("dkg:usesBaseModel", iri("cat:" + concept))
        for network in networks_in(cells.get("Base Model", ""))[0]:
            record.fact("dkg:usesNetwork", iri("net:" + network))
        code = code_availability_of(cells.get("Code", ""))
        if code:
            record.fact("dkg:codeAvailability", iri("dkg:" + code))
        if "Dataset" in cells and cells["Dataset"].upper() != "N/A":
            record.fact("dkg:trainingData", text(cells["Dataset"]))
        for setting in settings_of(cells.get("Setting", "")):
            record.fact("dkg:evaluatedIn", iri("dkg:" + setting))
        for benchmark in sorted(set(benchmarks_in(cells.get("Dataset", "")) + benchmarks_in(cells.get("Setting", "")))):
            record.fact("dkg:usesBenchmark", iri("bench:" + benchmark))
        if row.sheet in _POLICY_ARCHITECTURE:
            record.fact("dkg:policyArchitecture", iri("cat:" + _POLICY_ARCHITECTURE[row.sheet]))
            stated_fine_tuning = cells.get("Modules", "").strip().lower() == "rl fine-tuning"
            record.fact("dkg:rlStage", iri("cat:" + ("rl-finetuning" if stated_fine_tuning else _SHEET_STAGE)))
        records.append(record)
    return records
