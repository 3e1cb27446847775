"""Attack class: starvation. A few clients repeating slow queries must not take every worker, one
deadline covers waiting plus running, and a client over its share is refused with 429."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from api_server import fixture_server, worker_snapshot

from kg.api.fair_share import FairShare
from kg.api.workers import QueryJob, QueryPool, Snapshot
from kg.errors import QueryTimeout, TooManyQueries

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
LOOKUP = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return worker_snapshot(tmp_path_factory.mktemp("fairness-project"))


def _job(query: str, snapshot: Snapshot) -> QueryJob:
    return QueryJob(query=query, form="SELECT", format_key="json", project_default_graph=True,
                    default_graphs=(), named_graphs=(), max_rows=50, snapshot=snapshot)


async def _outcome(pool: QueryPool, query: str, snapshot: Snapshot, client: str):
    try:
        return await pool.run(_job(query, snapshot), client=client)
    except Exception as err:  # the outcome is what the test looks at
        return err


def test_slow_clients_do_not_starve_a_lookup(snapshot):
    """Three slow clients on a pool of two: a known reader's lookup is answered while slow queries still run."""

    async def main():
        pool = QueryPool(size=2, timeout_s=4, reserved=1, slow_query_s=0.3)
        await pool.start()
        try:
            assert isinstance(await _outcome(pool, LOOKUP, snapshot, "reader"), bytes)  # the reader is known
            slow = [asyncio.create_task(_outcome(pool, CARTESIAN, snapshot, f"slow-{i}")) for i in range(3)]
            await asyncio.sleep(1.0)  # the slow queries hold both workers by now
            lookup = await _outcome(pool, LOOKUP, snapshot, "reader")
            still_running = sum(not task.done() for task in slow)
            outcomes = await asyncio.gather(*slow)
            return lookup, still_running, outcomes
        finally:
            await pool.stop()

    lookup, still_running, outcomes = asyncio.run(main())
    assert isinstance(lookup, bytes) and b"true" in lookup, lookup
    assert still_running >= 1, "the lookup was answered only after the slow queries ended"
    assert all(isinstance(o, QueryTimeout) for o in outcomes), outcomes
    assert any("other clients" in str(o) for o in outcomes), "no slow query was stopped to make room"


def test_one_deadline_covers_the_wait_for_a_worker(snapshot):
    """A query queued behind its own client's runaway query times out on its own deadline, waiting included."""

    async def main():
        pool = QueryPool(size=1, timeout_s=4, reserved=0, client_max_workers=1)
        await pool.start()
        try:
            first = asyncio.create_task(_outcome(pool, CARTESIAN, snapshot, "one"))
            await asyncio.sleep(0.2)
            # the second query's deadline ends well before the first one's: it can only time out waiting
            pool.timeout_s = 1
            second = await _outcome(pool, LOOKUP, snapshot, "one")
            return await first, second
        finally:
            await pool.stop()

    first, second = asyncio.run(main())
    assert isinstance(first, QueryTimeout) and "ran longer" in str(first)
    assert isinstance(second, QueryTimeout) and "no query worker became free" in str(second), second


def test_a_client_over_its_share_gets_429_and_others_are_served(tmp_path):
    with fixture_server(tmp_path, query_workers=2, reserved_workers=1, client_max_workers=1,
                        client_max_queued=1, query_timeout_s=3.0) as server:
        statuses: list[int] = []

        def hog(n: int) -> None:
            # each text differs: identical queries would share one evaluation (the query service's cache)
            with httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": "Bearer hog"}) as c:
                statuses.append(c.get("/sparql", params={"query": f"{CARTESIAN} # {n}"}).status_code)

        hogs = [threading.Thread(target=hog, args=(n,)) for n in range(4)]
        for thread in hogs:
            thread.start()
        with httpx.Client(base_url=server.url, timeout=30) as other:
            assert other.get("/sparql", params={"query": LOOKUP}).json()["boolean"] is True
        for thread in hogs:
            thread.join(timeout=30)
        assert statuses.count(429) >= 2, statuses
        assert set(statuses) <= {429, 503}, statuses


@pytest.mark.parametrize(("running", "queued", "admitted"), [(0, 0, True), (2, 7, True), (2, 8, False)])
def test_fair_share_caps_what_one_client_holds(running, queued, admitted):
    share = FairShare(workers=3, reserved=1, per_client=2, per_client_queued=8, slow_s=0.5, clock=lambda: 0.0)
    for _ in range(running):
        share.admit("c")
        assert share.grant() is not None
    for _ in range(queued):
        share.admit("c")
    if admitted:
        share.admit("c")
    else:
        with pytest.raises(TooManyQueries):
            share.admit("c")


def test_fair_share_keeps_the_reserved_worker_from_slow_clients():
    now = [0.0]
    share = FairShare(workers=2, reserved=1, per_client=2, per_client_queued=8, slow_s=0.5, clock=lambda: now[0])
    first = share.admit("slow")
    assert share.grant() is first
    share.start(first)
    now[0] = 1.0  # the slow client's query has run past slow_s
    share.admit("slow")
    assert share.grant() is None, "a slow client took the reserved worker"
    reader = share.admit("reader")
    assert share.grant() is reader


def test_fair_share_lets_only_known_clients_preempt():
    now = [0.0]
    share = FairShare(workers=1, reserved=0, per_client=1, per_client_queued=8, slow_s=0.5, clock=lambda: now[0])
    known = share.admit("known")
    share.grant(), share.start(known)
    known.cpu_s = 0.001
    share.finish(known)
    hog = share.admit("hog")
    share.grant(), share.start(hog)
    now[0] = 1.0
    share.admit("new-token")
    assert share.victim(idle_workers=0) is None, "an unknown client stopped another client's query"
    share.admit("known")
    assert share.victim(idle_workers=0) is hog


def test_identical_slow_queries_share_one_deadline(tmp_path):
    """Regression: identical queries waited in turn for one computation per request (a lock per cache key),
    so the fourth of four clients sending the same runaway query got its 503 after 4 deadlines."""
    deadline = 1.0
    with fixture_server(tmp_path, query_timeout_s=deadline, client_max_queued=8) as server:
        elapsed: list[float] = []
        statuses: list[int] = []

        def client(n: int) -> None:
            with httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer c{n}"}) as c:
                started = time.monotonic()
                statuses.append(c.get("/sparql", params={"query": CARTESIAN}).status_code)
                elapsed.append(time.monotonic() - started)

        clients = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(timeout=30)
        assert statuses == [503] * 4, statuses
        # one computation's deadline for all four (taking turns would end after 2, 3 and 4 deadlines)
        assert max(elapsed) < 2 * deadline, elapsed
