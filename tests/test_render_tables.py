"""`kg render tables`: the survey's tables in LaTeX (booktabs, escaped), CSV and Markdown, row for row
what the named query survey-table-N returns."""

from __future__ import annotations

import csv
import io

import pytest
from cli_support import ROOT, kg_env, run_kg
from render_support import project_runner

from kg.errors import ParameterError
from kg.queries import load_query, run_query
from kg.render.tables import TABLE_NUMBERS, render_table
from kg.settings import Settings

SETTINGS = Settings(root=ROOT)


@pytest.fixture(scope="module")
def runner():
    return project_runner()


def query_rows(runner, number):
    query = load_query(SETTINGS, f"survey-table-{number}")
    solutions = run_query(store=runner.store, query=query)
    return [[("" if s[v] is None else str(s[v].value)) for v in solutions.variables] for s in solutions]


@pytest.mark.parametrize("number", TABLE_NUMBERS)
def test_csv_holds_every_row_of_the_table_query(runner, number):
    rows = list(csv.reader(io.StringIO(render_table(runner, SETTINGS, number=number, fmt="csv"))))
    expected = query_rows(runner, number)
    assert len(expected) > 3
    assert rows[1:] == expected


@pytest.mark.parametrize("number", TABLE_NUMBERS)
def test_latex_is_a_booktabs_table_with_one_line_per_row(runner, number):
    text = render_table(runner, SETTINGS, number=number, fmt="latex")
    body = text.split("\\midrule\n", 1)[1].split("\\bottomrule", 1)[0].strip().splitlines()
    assert "\\toprule" in text and "\\begin{tabular}" in text
    assert len(body) == len(query_rows(runner, number))
    for line in body:  # LaTeX specials escaped: no bare & beyond the column separators, no bare % or _
        assert line.count(" & ") == text.split("\\begin{tabular}{", 1)[1].split("}", 1)[0].count("l") - 1
        assert "%" not in line.replace("\\%", "") and "_" not in line.replace("\\_", "")


def test_latex_escapes_the_marks_and_specials(runner):
    text = render_table(runner, SETTINGS, number=1, fmt="latex")
    assert "\\checkmark{}" in text and "✓" not in text


@pytest.mark.parametrize("number", TABLE_NUMBERS)
def test_markdown_has_a_header_and_a_line_per_row(runner, number):
    lines = render_table(runner, SETTINGS, number=number, fmt="md").splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + len(query_rows(runner, number))


def test_unknown_table_is_refused(runner):
    with pytest.raises(ParameterError, match="table 6"):
        render_table(runner, SETTINGS, number=6, fmt="csv")


def test_cli_render_tables_writes_one_file_per_table(built_store, tmp_path):
    result = run_kg("render", "tables", "--format", "latex", "--out", str(tmp_path), env=kg_env(ROOT, built_store))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"table-{n}.tex" for n in TABLE_NUMBERS)
