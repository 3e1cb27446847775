"""`kg render`: the files the survey's maintainers publish, written again from the graph.

`list` (the companion list README), `sheets` (the six spreadsheets) and `tables` (the survey's tables as
LaTeX, CSV or Markdown). Each reads the graph through named queries (queries/render/, queries/survey-table-N)
run by a `kg.runner.QueryRunner`, so the command line and the server can share them.
"""

from __future__ import annotations

from kg.queries import load_query
from kg.runner import QueryRunner, run_named
from kg.settings import Settings

__all__ = ["named_rows"]


def named_rows(runner: QueryRunner, settings: Settings, name: str,
               params: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The rows of the named query `name` as dicts: variable -> the value's text (an IRI, a literal's
    lexical form); unbound variables are absent (read them with `.get`).

    Raises NotFound for an unknown query, ParameterError for a bad parameter.
    """
    table = run_named(runner, load_query(settings, name), params)
    return [{variable: term.value for variable, term in zip(table.variables, row, strict=True) if term is not None}
            for row in table.rows]
