"""Each `survey-table-N` query reproduces the survey's Table N cell for cell.

Expected rows come from the survey text (seed 001) through `survey_tables.extract_tables`, or from the
fixture that helper wrote when the sources folder is absent. Rows are compared as a multiset after
normalising each cell (markup dropped, whitespace collapsed, case folded).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from queries_support import project_settings, project_store, require_data
from survey_tables import FIXTURE, TABLE_NUMBERS, extract_tables, load_fixture, normalise_row, survey_text_path

from kg.queries import load_query, result_table, run_query


def _sources_dir() -> Path:
    return Path(project_settings().sources_dir)  # type: ignore[arg-type]


def _sources_present() -> bool:
    return any((_sources_dir() / "seeds").glob("001_*.txt"))


def expected_tables() -> dict[int, dict[str, list]]:
    if _sources_present():
        return extract_tables(survey_text_path(_sources_dir()).read_text(encoding="utf-8"))
    return load_fixture()


def test_the_extractor_finds_every_table_with_rows():
    tables = expected_tables()
    assert set(TABLE_NUMBERS) <= set(tables)
    for number in TABLE_NUMBERS:
        header, rows = tables[number]["header"], tables[number]["rows"]
        assert len(header) >= 6 and rows, f"Table {number} extracted without rows"
        assert all(len(row) == len(header) for row in rows), f"Table {number}: ragged rows"


def test_table_1_header_joins_its_two_printed_lines():
    assert [cell.strip() for cell in expected_tables()[1]["header"]] == [
        "Survey", "RFM", "LLM", "VLM", "DM", "WM/VPM", "Train", "Fine-Tune"]


def test_fixture_is_current_with_the_sources():
    if not _sources_present():
        pytest.skip(f"sources folder {_sources_dir()} absent: cannot check {FIXTURE.name} against seed 001")
    extracted = extract_tables(survey_text_path(_sources_dir()).read_text(encoding="utf-8"))
    stale = "tests/fixtures/survey_tables.json is stale: rerun `python tests/survey_tables.py SOURCES_DIR`"
    assert load_fixture() == {number: extracted[number] for number in TABLE_NUMBERS}, stale


@pytest.mark.parametrize("number", TABLE_NUMBERS)
def test_table_query_reproduces_the_survey_table(number: int):
    require_data()
    expected = expected_tables()[number]
    query = load_query(project_settings(), f"survey-table-{number}")
    table = result_table(run_query(store=project_store(), query=query))
    assert len(table.variables) == len(expected["header"]), "the query's columns are not the table's columns"
    got = [normalise_row([term.value if term is not None else "" for term in row]) for row in table.rows]
    want = [normalise_row(row) for row in expected["rows"]]
    assert len(got) == len(want), f"Table {number}: {len(got)} rows from the graph, {len(want)} in the survey"
    missing = Counter(want) - Counter(got)
    extra = Counter(got) - Counter(want)
    assert not missing and not extra, f"Table {number}: missing {list(missing)}; unexpected {list(extra)}"
