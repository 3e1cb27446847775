"""The guard reads queries as the SPARQL grammar and pyoxigraph do: one case file, one runner."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.api.guard import check_query
from kg.errors import QueryRejected, QuerySyntaxError

CASE_FILE = Path(__file__).parent / "fixtures" / "guard" / "lexical-cases.tsv"
PICTURES = {"␍": "\r", "␊": "\n", "␉": "\t"}
REASONS = {
    "service": "SERVICE is not allowed",
    "load": "LOAD is not allowed",
    "update": "SPARQL Update is not accepted",
    "escape": "escape",
    "depth": "deeper than",
    "operators": "operators and brackets",
    "less-than": "reads `<` as less-than|may be `<` and an IRI",
}
LIMITS = {"max_chars": 20_000, "max_depth": 64}


def _cases() -> list[tuple[str, str, str, int]]:
    cases = []
    for number, line in enumerate(CASE_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        expected, name, query = line.split("\t")
        for picture, char in PICTURES.items():
            query = query.replace(picture, char)
        cases.append((expected, name, query, number))
    return cases


CASES = _cases()


def test_the_case_file_has_cases_of_every_outcome():
    outcomes = {expected for expected, *_ in CASES}
    assert len(CASES) >= 80
    assert outcomes == {"ok", "syntax", *(f"rejected:{reason}" for reason in REASONS if reason != "operators")}
    assert len({name for _, name, _, _ in CASES}) == len(CASES), "case names must be unique"


def _parsed_by_pyoxigraph(query: str) -> bool:
    try:
        ox.Store().query(query)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize(("expected", "name", "query", "line"), CASES, ids=[case[1] for case in CASES])
def test_lexical_case(expected, name, query, line):
    where = f"{CASE_FILE.name}:{line} {name}"
    if expected == "ok":
        assert check_query(query, **LIMITS).form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"), where
        assert _parsed_by_pyoxigraph(query), f"{where}: the guard accepts what pyoxigraph cannot parse"
    elif expected == "syntax":
        with pytest.raises(QuerySyntaxError):
            check_query(query, **LIMITS)
        assert not _parsed_by_pyoxigraph(query), f"{where}: pyoxigraph parses what the guard calls malformed"
    else:
        reason = expected.removeprefix("rejected:")
        with pytest.raises(QueryRejected, match=REASONS[reason]):
            check_query(query, **LIMITS)
