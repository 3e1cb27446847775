"""`kg render sheets`: the six spreadsheets equal survey-repo/*.xlsx cell for cell; an accepted new work
gets a row in its category's sheet."""

from __future__ import annotations

import openpyxl
import pytest
from cli_support import ROOT, kg_env, run_kg
from render_support import SOURCES, project_runner, project_with_new_work

from kg.render.sheets import write_sheets
from kg.settings import Settings

ORIGINALS = sorted((SOURCES / "survey-repo").glob("*.xlsx"))


def cells(path):
    book = openpyxl.load_workbook(path)
    assert len(book.worksheets) == 1
    sheet = book.worksheets[0]
    values = {(c.row, c.column): c.value for row in sheet.iter_rows() for c in row if c.value is not None}
    return sheet.title, values


def test_the_six_sheets_are_there():
    assert len(ORIGINALS) == 6, f"expected the authors' six spreadsheets in {SOURCES / 'survey-repo'}"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("sheets")
    written = write_sheets(project_runner(), Settings(root=ROOT), out_dir=out)
    return out, written


def test_rendered_sheets_have_the_authors_file_names(rendered):
    out, written = rendered
    assert sorted(p.name for p in written) == [p.name for p in ORIGINALS]


@pytest.mark.parametrize("original", ORIGINALS, ids=lambda p: p.stem)
def test_rendered_sheet_equals_the_original_cell_for_cell(rendered, original):
    out, _ = rendered
    want_title, want = cells(original)
    have_title, have = cells(out / original.name)
    assert have_title == want_title
    assert len(want) > 10
    for position in sorted(set(want) | set(have)):
        assert have.get(position) == want.get(position), f"{original.name} cell {position}"


def test_headers_keep_the_authors_typos_and_spaces(rendered):
    out, _ = rendered
    _, values = cells(out / "RL_for_Transformer_Policy_Table.xlsx")
    assert values[(1, 4)] == "Code Availabale "
    _, values = cells(out / "World_Models_and_Video_Prediction_Models_for_RL_Table.xlsx")
    assert values[(1, 3)] == " Taxonomy"


def test_new_work_with_accepted_placement_gets_a_row_in_its_sheet(tmp_path):
    root = project_with_new_work(tmp_path / "project")
    written = write_sheets(project_runner(root), Settings(root=root), out_dir=tmp_path / "out")
    by_name = {p.name: cells(p)[1] for p in written}
    llm = by_name["Large_Language_Models_for_RL_Table.xlsx"]
    last = max(row for row, _ in llm)
    _, original = cells(SOURCES / "survey-repo" / "Large_Language_Models_for_RL_Table.xlsx")
    assert last == max(row for row, _ in original) + 1
    assert llm[(last, 1)] == "muller2026zeta"  # no spreadsheet key: generated from author, year, title
    assert llm[(last, 2)] == "ZETA"
    others = [name for name, values in by_name.items() if "ZETA" in values.values()]
    assert others == ["Large_Language_Models_for_RL_Table.xlsx"]


def test_cli_render_sheets_writes_six_files(built_store, tmp_path):
    result = run_kg("render", "sheets", "--out", str(tmp_path), env=kg_env(ROOT, built_store))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == [p.name for p in ORIGINALS]
