"""Writes survive kill -9: the real `python -m kg serve` in a subprocess, on a copy of the endpoint fixture
project, killed at each step of a write (KG_FAILPOINT, see kg.edits.FAILPOINTS) and at random moments
during a stream of writes. After every kill the server must start again, every acknowledged write must be
there, the store must hold exactly what the files give (no half-applied write), the store must not be
stale, and no temporary file, unpublished build or snapshot folder may pile up."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from api_server import WRITE_TOKEN, copy_fixture, fixture_settings, free_port

from kg.build import input_fingerprint
from kg.edits import FAILPOINTS, edit_path, project_files
from kg.iri import GRAPH_DATA, PAPER
from kg.store import lock_current

TITLE = "http://purl.org/dc/terms/title"
AUTH = {"authorization": f"Bearer {WRITE_TOKEN}", "content-type": "text/turtle"}
EUREKA_ID = "arxiv-2310.12931"
RANDOM_KILLS = 13


def paper_ttl(paper_id: str, title: str) -> str:
    iri = PAPER + paper_id
    return f"""@prefix dkg: <https://w3id.org/duality-kg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<{iri}> a dkg:ResearchPaper ; dcterms:title "{title}" ; dkg:hasRecord <{iri}#curated-1> .
<{iri}#curated-1> a dkg:CuratedRecord ; dkg:recordOf <{iri}> ;
    prov:wasDerivedFrom <https://w3id.org/duality-kg/source/curated-merges> ; dcterms:title "{title}" .
"""


class Server:
    """`python -m kg serve` on a free port of 127.0.0.1 for the project in `root`."""

    def __init__(self, root: Path):
        self.root = root
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.log = root / "server.log"

    def start(self, failpoint: str | None = None) -> None:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
        env |= {"KG_ROOT": str(self.root), "KG_WRITE_TOKEN": WRITE_TOKEN, "KG_QUERY_WORKERS": "1"}
        if failpoint:
            env["KG_FAILPOINT"] = failpoint
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port)],
                                            cwd=self.root, env=env, stdout=log, stderr=log,
                                            stdin=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert self.process.poll() is None, f"kg serve exited ({self.process.returncode}):\n{self.tail()}"
            try:
                if httpx.get(self.url + "/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"kg serve did not answer:\n{self.tail()}"
            time.sleep(0.1)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def put(self, paper_id: str, title: str, *, timeout: float = 120) -> httpx.Response:
        return httpx.put(f"{self.url}/papers/{paper_id}", content=paper_ttl(paper_id, title), headers=AUTH,
                         timeout=timeout)


def data_triples(quads) -> set:
    """graph:data as comparable triples: blank nodes (their ids differ between parses) become one marker."""
    def term(t):
        return "_:b" if isinstance(t, ox.BlankNode) else str(t)
    return {(term(q.subject), str(q.predicate), term(q.object))
            for q in quads if q.graph_name == ox.NamedNode(GRAPH_DATA)}


def check_consistent(settings) -> dict[str, list[str]]:
    """Assert the published store is what the files give and is not stale; return the titles per paper."""
    published, lock = lock_current(settings)
    try:
        store = ox.Store.read_only(str(published.path))
        in_store = list(store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DATA)))
        from_files = [q for q in project_files(settings).quads()]
        assert data_triples(in_store) == data_triples(from_files), "store and files disagree"
        assert published.fingerprint == input_fingerprint(settings), "the served store is stale"
        titles: dict[str, list[str]] = {}
        for q in in_store:
            if q.predicate.value == TITLE and isinstance(q.subject, ox.NamedNode) and "#" not in q.subject.value:
                titles.setdefault(q.subject.value[len(PAPER):], []).append(q.object.value)
        del store
        return titles
    finally:
        lock.release()


def check_no_leftovers(settings) -> None:
    builds = [p for p in (settings.store_dir / "builds").iterdir() if p.is_dir()]
    assert len(builds) == 1, f"only the current build is kept after a restart: {builds}"
    stray = [p.name for p in (settings.store_dir / "builds").iterdir()
             if p.suffix in (".json", ".readers") and not p.with_suffix("").is_dir()]
    assert stray == [], "manifests and reader files go with their builds"
    assert list(settings.edits_dir.rglob("*.tmp")) == []
    assert [p for p in settings.store_dir.parent.iterdir() if p.name.startswith(("kg-snapshots-", "kg-write-"))] == []


@pytest.fixture()
def project(tmp_path):
    root = copy_fixture(tmp_path / "project")
    server = Server(root)
    yield fixture_settings(root), server
    server.kill()


def test_write_on_a_real_served_store(project):
    settings, server = project
    server.start()
    response = server.put(EUREKA_ID, "Written through kg serve")
    assert response.status_code == 200, response.text + server.tail()
    page = httpx.get(f"{server.url}/paper/{EUREKA_ID}", headers={"accept": "text/html"}, timeout=30)
    assert "Written through kg serve" in page.text
    assert check_consistent(settings)[EUREKA_ID] == ["Written through kg serve"]
    builds_before = {p.name for p in (settings.store_dir / "builds").iterdir() if p.is_dir()}
    server.kill()
    server.start()
    assert check_consistent(settings)[EUREKA_ID] == ["Written through kg serve"]
    assert {p.name for p in (settings.store_dir / "builds").iterdir() if p.is_dir()} <= builds_before, \
        "a restart after a clean write reuses the published store"


def test_a_kill_at_each_step_of_a_write_loses_nothing_acknowledged(project):
    settings, server = project
    killed: list[tuple[str, str]] = []

    def check_after_restart() -> None:
        titles = check_consistent(settings)
        check_no_leftovers(settings)
        for paper_id, step in killed:
            durable = step in ("after-edit-file", "after-publish")  # the edit file was on disk: built in
            assert (paper_id in titles) == durable, step
            assert edit_path(settings, paper_id).exists() == durable, step

    for round_number in range(2):
        for step in FAILPOINTS:
            server.start(failpoint=step)  # the next write dies at `step`
            check_after_restart()
            paper_id = f"crash-{step}-{round_number}"
            with pytest.raises(httpx.TransportError):
                server.put(paper_id, f"title {step}")
            assert server.process.wait(timeout=60) == 137, f"the failpoint {step} was not reached"
            killed.append((paper_id, step))
    server.start()
    check_after_restart()
    assert len(killed) == 2 * len(FAILPOINTS)


def test_random_kills_during_a_stream_of_writes_lose_nothing_acknowledged(project):
    settings, server = project
    rng = random.Random(20261130)
    acknowledged: dict[str, str] = {}
    in_flight: dict[str, str] = {}  # the write the kill interrupted: it may or may not have been applied
    sent = acknowledged_count = 0

    def check_titles(titles: dict[str, list[str]], when: str) -> None:
        for paper_id, title in acknowledged.items():
            got = titles.get(paper_id)
            if paper_id in in_flight and got == [in_flight[paper_id]]:
                acknowledged[paper_id] = in_flight[paper_id]  # applied whole before the kill: it now counts
                continue
            assert got == [title], f"acknowledged write of {paper_id} lost {when}"
        in_flight.clear()

    for kill_number in range(RANDOM_KILLS):
        server.start()
        titles = check_consistent(settings)
        check_no_leftovers(settings)
        check_titles(titles, f"after kill {kill_number}")
        stop = threading.Event()

        # the event is an argument, not read from the loop: a writer that outlives its join timeout
        # must still see its own event set, not the next kill's fresh one
        def stream(stop: threading.Event) -> None:
            nonlocal sent, acknowledged_count
            while not stop.is_set():
                sent += 1
                paper_id = rng.choice([EUREKA_ID, f"stream-{sent}"])
                title = f"write {sent}"
                try:
                    response = server.put(paper_id, title, timeout=60)
                except httpx.TransportError:
                    in_flight[paper_id] = title
                    return
                assert response.status_code in (200, 201), response.text
                acknowledged[paper_id] = title
                acknowledged_count += 1

        writer = threading.Thread(target=stream, args=(stop,))
        writer.start()
        time.sleep(rng.uniform(0.2, 5.0))
        server.kill()
        stop.set()
        writer.join(timeout=60)
    server.start()
    titles = check_consistent(settings)
    check_no_leftovers(settings)
    assert len(acknowledged) >= 3, "the stream wrote something between the kills"
    check_titles(titles, "at the end")
    print(f"{RANDOM_KILLS} random kills, {sent} writes sent, {acknowledged_count} acknowledged, "
          f"{len(acknowledged)} papers checked after every restart")
