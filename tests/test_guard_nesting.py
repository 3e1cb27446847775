"""No query text crashes a worker: every construct pyoxigraph nests is capped far under its crash size."""

from __future__ import annotations

import time

import pytest
from guard_corpus import NESTING, SLOW, run_in_subprocess, start_in_subprocess

from kg.api.guard import check_query
from kg.errors import QueryRejected

DEPTH = 64
ROOMY = 10_000_000
"""A character limit that never binds, so the depth and operator caps are what is tested."""


def _accepted(query: str) -> bool:
    try:
        check_query(query, max_chars=ROOMY, max_depth=DEPTH)
    except QueryRejected:
        return False
    return True


def _largest_accepted(name: str) -> int:
    low, high = 0, 20_000
    while low < high:
        middle = (low + high + 1) // 2
        if _accepted(NESTING[name](middle)):
            low = middle
        else:
            high = middle - 1
    return low


AT_CAP = {name: _largest_accepted(name) for name in NESTING}


def test_every_construct_is_capped_and_a_real_query_fits_under_the_cap():
    assert len(NESTING) >= 30
    assert all(10 <= size < 20_000 for size in AT_CAP.values()), AT_CAP


@pytest.mark.parametrize("name", NESTING)
def test_ten_times_the_cap_is_refused(name):
    with pytest.raises(QueryRejected, match="deeper than|operators and brackets"):
        check_query(NESTING[name](10 * AT_CAP[name]), max_chars=ROOMY, max_depth=DEPTH)
    assert check_query(NESTING[name](AT_CAP[name]), max_chars=20_000, max_depth=DEPTH).form == "SELECT"


def test_just_under_the_cap_pyoxigraph_runs_every_construct_without_crashing():
    queries = [(name, NESTING[name](AT_CAP[name])) for name in NESTING if name not in SLOW]
    code, lines = run_in_subprocess(queries, timeout=120)
    assert code == 0, f"pyoxigraph died ({code}) after {lines[-1:]}"
    assert [line.split()[0] for line in lines if line.split()[1] == "ok"] == [name for name, _ in queries]


def test_just_under_the_cap_the_slow_constructs_do_not_crash_before_the_deadline():
    # pyoxigraph's optimiser needs minutes for these at the cap; in the server the worker deadline
    # stops them. Here each runs in its own process for a few seconds and must not die meanwhile.
    running = {name: start_in_subprocess([(name, NESTING[name](AT_CAP[name]))]) for name in sorted(SLOW)}
    time.sleep(3)
    outcomes = {}
    for name, process in running.items():
        outcomes[name] = process.poll()
        if outcomes[name] is None:
            process.kill()
        process.wait()
        process.stdout.close()
    assert all(code in (None, 0) for code in outcomes.values()), outcomes
