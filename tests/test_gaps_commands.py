"""Every `kg query ...` command that `kg gaps --format md` prints runs through kg.queries on a reasoned store.

Regression: the gaps queries' `#+ params: row (...), column (...)` header was dropped, so each printed
`kg query gaps/cell-works --param row=... --param column=...` failed with "has no parameter 'row'".
"""

from __future__ import annotations

import re
import shlex

import pytest

from kg.gaps import build_report, render_markdown
from kg.queries import load_query, result_table, run_query
from kg.reason import reason

from reasoning_stores import FIXTURES, REAL_DATA, loaded_store, real_data_present, settings_for

_COMMAND = re.compile(r"`(kg query [^`]+)`")


def _datasets():
    yield pytest.param(FIXTURES / "consistent", id="fixture")
    yield pytest.param(REAL_DATA, id="real", marks=pytest.mark.skipif(
        not real_data_present(), reason=f"no generated data in {REAL_DATA}: run `kg import`"))


@pytest.fixture(scope="module", params=list(_datasets()))
def printed(request, tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("gaps-commands"), request.param)
    store = loaded_store(settings)
    reason(settings=settings, store=store)
    markdown = render_markdown(build_report(settings=settings, store=store))
    return settings, store, list(dict.fromkeys(_COMMAND.findall(markdown)))


def _parse(command: str) -> tuple[str, dict[str, str]]:
    words = shlex.split(command)
    assert words[:2] == ["kg", "query"], command
    name, rest = words[2], words[3:]
    assert len(rest) % 2 == 0 and all(flag == "--param" for flag in rest[::2]), command
    return name, dict(pair.split("=", 1) for pair in rest[1::2])


def test_every_printed_gaps_command_runs(printed):
    settings, store, commands = printed
    assert len(commands) >= 20, f"expected a command per matrix cell at least, found {len(commands)}"
    assert any("--param row=" in c for c in commands)
    answered = 0
    for command in commands:
        name, params = _parse(command)
        table = result_table(run_query(store=store, query=load_query(settings, name), params=params))
        assert table.variables, command
        answered += bool(table.rows)
    assert answered, "no printed command returned a row"
