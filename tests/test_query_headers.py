"""The named-query header is YAML checked against kg.queries.QueryHeader: one case file per header form in
tests/fixtures/query-headers/, each saying what must happen (`# expect: ok` or the error's words)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Variable

from kg.errors import QuerySyntaxError
from kg.iri import CAT, PREFIXES
from kg.queries import bind_parameters, parse_query_file

CASES = sorted((Path(__file__).parent / "fixtures" / "query-headers").glob("*.rq"))


def _expectation(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name}: the first line must say '# expect: ...'"
    return first.removeprefix("# expect: ")


def test_the_case_list_holds_valid_and_invalid_headers():
    expectations = [_expectation(path) for path in CASES]
    assert expectations.count("ok") >= 3 and len(expectations) - expectations.count("ok") >= 10


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_header_case(path: Path):
    expected = _expectation(path)
    if expected == "ok":
        query = parse_query_file(path)
        assert query.summary and query.name == path.stem
        return
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query_file(path)
    message = str(caught.value)
    assert message.startswith(str(path)), f"the error must name the file: {message}"
    assert expected in message


def test_yaml_scalars_become_typed_parameters():
    query = parse_query_file(Path(__file__).parent / "fixtures" / "query-headers" / "typed-params.rq")
    year, category, label = query.parameters
    assert (year.default, year.type_label, year.description) == ("2023", "xsd:gYear", "the first year")
    assert (category.type_label, label.type_label, label.default) == ("iri", "xsd:string", None)
    bound = bind_parameters(query, {"label": "x"})
    assert bound[Variable("year")] == Literal("2023", datatype=NamedNode(PREFIXES["xsd"] + "gYear"))
    assert bound[Variable("category")] == NamedNode(CAT + "llm")


def test_gap_query_parameters_are_declared_not_dropped():
    """Regression: `#+ params: row (...), column (...)` was read as no parameters, so `kg query
    gaps/cell-works --param row=...` failed with 'has no parameter'."""
    root = Path(__file__).resolve().parents[1] / "queries" / "gaps"
    declared = {path.stem: [p.name for p in parse_query_file(path).parameters] for path in root.glob("*.rq")}
    assert declared["cell-works"] == ["row", "column"]
    assert declared["cell-trend"] == ["row", "column"]
    assert declared["section9-addressing-works"] == ["node"]
