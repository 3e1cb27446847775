"""`kg render sheets`: the authors' six spreadsheets written from the graph.

File name (dkg:fileName), worksheet name (dkg:sheetName) and header row as written (dkg:SheetColumn) come
from the sheets' source documents; every cell verbatim from the dkg:SpreadsheetRow records, in the order of
their dkg:rowNumber. A work placed in a sheet's category by an accepted suggestion and not in the sheet
follows its rows, with the cells the graph can fill: Name (BibTeX key), Framework, Code Available, setting.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import openpyxl

from kg.atomic import replacing
from kg.bibliography import citation_keys, works
from kg.iri import DKG
from kg.render import named_rows
from kg.runner import QueryRunner
from kg.settings import Settings

__all__ = ["write_sheets", "sheet_contents"]

# how the sheets write the graph's closed value sets (the import reads them the other way)
_CODE = {"CodeAvailable": "Yes", "CodeAnnounced": "Coming Soon", "CodeNotAvailable": "N/A"}
_SETTING = {("Simulation",): "Simulation", ("RealWorld",): "Real", ("RealWorld", "Simulation"): "Both"}


def sheet_contents(runner: QueryRunner, settings: Settings) -> dict[str, tuple[str, list[list[str | None]]]]:
    """File name -> (worksheet name, rows including the header row), every row as long as the header."""
    columns: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    names: dict[str, tuple[str, str]] = {}
    for row in named_rows(runner, settings, "render/sheet-columns"):
        document = row["document"]
        names[document] = (row["fileName"], row["sheetName"])
        columns[document].append((int(row["number"]), row["header"], row["field"]))
    cells: dict[str, dict[int, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for row in named_rows(runner, settings, "render/sheet-cells"):
        cells[row["document"]][int(row["row"])][row["field"]] = row["value"]
    additions = named_rows(runner, settings, "render/sheet-additions")
    keys = citation_keys(works(runner, settings)) if additions else {}
    for row in additions:
        added = {DKG + "cellName": keys.get(row["work"], row.get("bibtexKey", ""))}
        if "framework" in row:
            added[DKG + "cellFramework"] = row["framework"]
        if "code" in row:
            added[DKG + "cellCode"] = _CODE.get(row["code"].removeprefix(DKG), "")
        settings_found = tuple(sorted(s.removeprefix(DKG) for s in row.get("settings", "").split()))
        if settings_found in _SETTING:
            added[DKG + "cellSetting"] = _SETTING[settings_found]
        rows = cells[row["document"]]
        rows[max(rows, default=1) + 1] = added
    contents = {}
    for document, (file_name, sheet_name) in sorted(names.items()):
        layout = sorted(columns[document])
        width = max(number for number, _, _ in layout)
        header: list[str | None] = [None] * width
        for number, text, _ in layout:
            header[number - 1] = text
        table = [header]
        for _, row_cells in sorted(cells[document].items()):
            line: list[str | None] = [None] * width
            for number, _, field in layout:
                line[number - 1] = row_cells.get(field)
            table.append(line)
        contents[file_name] = (sheet_name, table)
    return contents


def write_sheets(runner: QueryRunner, settings: Settings, *, out_dir: Path) -> list[Path]:
    """Write every sheet as `out_dir/<file name>`; returns the paths written."""
    written = []
    for file_name, (sheet_name, table) in sheet_contents(runner, settings).items():
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = sheet_name
        for line in table:
            sheet.append(line)
        target = Path(out_dir) / file_name
        with replacing(target) as tmp:
            book.save(tmp)
        written.append(target)
    return written
