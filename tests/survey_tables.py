"""The survey's tables as the survey text prints them: the expected results of the `survey-table-N` queries.

Seed 001 holds each table as tab-separated lines under its caption (`**Table 2**` or `Table 9`).
`extract_tables` reads them; `write_fixture` stores them in `tests/fixtures/survey_tables.json` so the
comparison still runs where the sources folder is absent (`python tests/survey_tables.py SOURCES_DIR`
rewrites it; a test checks it is current whenever the sources are present).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

__all__ = ["TABLE_NUMBERS", "FIXTURE", "survey_text_path", "extract_tables", "load_fixture", "write_fixture",
           "normalise_cell", "normalise_row"]

TABLE_NUMBERS = (1, 2, 3, 4, 5, 7, 9)
"""The tables whose rows are works or benchmarks (6, 8 and 10 compare concepts and are not data)."""

FIXTURE = Path(__file__).parent / "fixtures" / "survey_tables.json"

_CAPTION = re.compile(r"^\s*(?:\*\*)?Table (\d+)(?:\*\*)?\s*$")
_MARKUP = re.compile(r"<[^>]+>")


def survey_text_path(sources_dir: Path) -> Path:
    """The survey text (seed 001) inside the sources folder; FileNotFoundError when it is absent."""
    found = sorted((sources_dir / "seeds").glob("001_*.txt"))
    if not found:
        raise FileNotFoundError(f"no seed 001 (001_*.txt) in {sources_dir / 'seeds'}")
    return found[0]


def extract_tables(text: str) -> dict[int, dict[str, list]]:
    """Every captioned table of the survey text: {number: {"header": [...], "rows": [[cell, ...], ...]}}.

    A table is the first run of tab-separated lines after its caption. Lines of that run whose first
    cell is empty continue the header (Table 1 prints its column groups on two lines). Cells are kept
    verbatim; rows are padded with empty cells to the header's width.
    """
    lines = text.splitlines()
    tables: dict[int, dict[str, list]] = {}
    for index, line in enumerate(lines):
        caption = _CAPTION.match(line)
        if not caption:
            continue
        start = next((i for i in range(index + 1, len(lines)) if "\t" in lines[i]), None)
        if start is None:
            continue
        block = []
        for row_line in lines[start:]:
            if "\t" not in row_line:
                break
            block.append(row_line.split("\t"))
        header = block[0]
        body = block[1:]
        while body and body[0][0].strip() == "":
            header = [low if low.strip() else high for high, low in _zip_padded(header, body[0])]
            body = body[1:]
        width = len(header)
        rows = [cells + [""] * (width - len(cells)) for cells in body]
        tables[int(caption.group(1))] = {"header": header, "rows": rows}
    return tables


def _zip_padded(first: list[str], second: list[str]) -> list[tuple[str, str]]:
    width = max(len(first), len(second))
    return list(zip(first + [""] * (width - len(first)), second + [""] * (width - len(second))))


def normalise_cell(text: str) -> str:
    """What 'the same cell' means: markup (`<b>Ours</b>`) dropped, whitespace collapsed, case folded."""
    return " ".join(_MARKUP.sub("", text).split()).casefold()


def normalise_row(cells: list[str]) -> tuple[str, ...]:
    return tuple(normalise_cell(cell) for cell in cells)


def write_fixture(sources_dir: Path, *, fixture: Path = FIXTURE) -> Path:
    """Extract the tables from the sources folder and write them to the fixture file (JSON)."""
    path = survey_text_path(sources_dir)
    tables = extract_tables(path.read_text(encoding="utf-8"))
    document = {
        "generated_by": "tests/survey_tables.py, do not edit",
        "source": path.name,
        "tables": {str(number): tables[number] for number in TABLE_NUMBERS},
    }
    fixture.parent.mkdir(parents=True, exist_ok=True)
    fixture.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return fixture


def load_fixture(fixture: Path = FIXTURE) -> dict[int, dict[str, list]]:
    document = json.loads(fixture.read_text(encoding="utf-8"))
    return {int(number): table for number, table in document["tables"].items()}


if __name__ == "__main__":
    print(write_fixture(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared")))
