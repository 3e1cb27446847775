"""Attack class: outbound connections. A SERVICE clause that gets past the lexical guard must still not
reach any host, and no error message may tell what a remote host (or the lack of one) answered."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from api_server import fixture_server, worker_snapshot

from kg.api.workers import REMOTE_UNAVAILABLE, QueryJob, QueryPool, Snapshot
from kg.errors import KgError, QueryRejected, QuerySyntaxError

REMOTE_TEXT = "remote-answer-7f3a"
"""What the listener answers; it must never show up in a response."""


class CountingListener:
    """A TCP listener (127.0.0.1 and, where available, ::1) that counts connections and answers each
    with a SPARQL JSON result carrying REMOTE_TEXT."""

    def __init__(self) -> None:
        self.connections = 0
        self._stop = threading.Event()
        self.sockets = [self._listen(socket.AF_INET, "127.0.0.1")]
        try:
            self.sockets.append(self._listen(socket.AF_INET6, "::1"))
        except OSError:
            pass
        self.port = self.sockets[0].getsockname()[1]
        self.port6 = self.sockets[1].getsockname()[1] if len(self.sockets) > 1 else None
        self._threads = [threading.Thread(target=self._serve, args=(s,), daemon=True) for s in self.sockets]
        for thread in self._threads:
            thread.start()

    @staticmethod
    def _listen(family: int, host: str) -> socket.socket:
        sock = socket.socket(family)
        sock.bind((host, 0))
        sock.listen(16)
        sock.settimeout(0.1)
        return sock

    def _serve(self, sock: socket.socket) -> None:
        body = ('{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"literal","value":"'
                + REMOTE_TEXT + '"}}]}}').encode()
        while not self._stop.is_set():
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/sparql-results+json\r\n"
                             + f"content-length: {len(body)}\r\n\r\n".encode() + body)
            finally:
                conn.close()

    def targets(self) -> list[str]:
        targets = [f"http://127.0.0.1:{self.port}/sparql", f"http://user:secret@127.0.0.1:{self.port}/sparql",
                   f"https://127.0.0.1:{self.port}/sparql", f"http://localhost:{self.port}/sparql"]
        if self.port6:
            targets.append(f"http://[::1]:{self.port6}/sparql")
        return targets

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        for sock in self.sockets:
            sock.close()


def _builtin_service_variants(target: str) -> list[tuple[str, str]]:
    pattern = "{ ?s ?p ?o }"
    return [
        ("SERVICE", f"SELECT * WHERE {{ SERVICE <{target}> {pattern} }}"),
        ("SERVICE SILENT", f"SELECT * WHERE {{ SERVICE SILENT <{target}> {pattern} }}"),
        ("SERVICE ?v from VALUES", f"SELECT * WHERE {{ VALUES ?v {{ <{target}> }} SERVICE ?v {pattern} }}"),
        ("SERVICE ?v from BIND", f"SELECT * WHERE {{ BIND(<{target}> AS ?v) SERVICE ?v {pattern} }}"),
        ("in OPTIONAL", f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{target}> {pattern} }} }} LIMIT 1"),
        ("in UNION", f"SELECT * WHERE {{ {{ ?x ?y ?z }} UNION {{ SERVICE <{target}> {pattern} }} }} LIMIT 3"),
        ("in EXISTS", f"ASK {{ FILTER EXISTS {{ SERVICE <{target}> {pattern} }} }}"),
        ("in a sub-SELECT", f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{target}> {pattern} }} }} }}"),
        ("lower case", f"select * where {{ service <{target}> {pattern} }}"),
    ]


try:  # the guard's fuzz corpus, when present in this branch
    from guard_corpus import service_variants as _corpus_variants
except ImportError:
    _corpus_variants = None


def service_variants(target: str) -> list[tuple[str, str]]:
    """(name, query) pairs of SERVICE queries aimed at `target`: the guard's corpus when present, else ours."""
    if _corpus_variants is None:
        return _builtin_service_variants(target)
    # whichever element of a corpus pair names the target is the query
    return [(b, a) if target in a else (a, b) for a, b in _corpus_variants(target)]


@pytest.fixture()
def listener():
    running = CountingListener()
    yield running
    running.close()


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return worker_snapshot(tmp_path_factory.mktemp("network-project"))


def test_the_listener_would_see_a_connection(listener):
    for family, host, port in ((socket.AF_INET, "127.0.0.1", listener.port), (socket.AF_INET6, "::1", listener.port6)):
        if port is None:
            continue
        with socket.socket(family) as sock:
            sock.connect((host, port))
            assert REMOTE_TEXT.encode() in sock.recv(4096)
    assert listener.connections == len(listener.sockets)


def _run_all(snapshot: Snapshot, queries: list[str]) -> tuple[list, list]:
    """Run each query through a real pool directly (no guard); return (outcomes, confinements)."""

    async def main():
        pool = QueryPool(size=1, timeout_s=10, memory_limit_mb=512)
        await pool.start()
        outcomes = []
        try:
            for query in queries:
                form = "ASK" if query.lstrip().upper().startswith("ASK") else "SELECT"
                job = QueryJob(query=query, form=form, format_key="json", project_default_graph=True,
                               default_graphs=(), named_graphs=(), max_rows=50, snapshot=snapshot)
                try:
                    outcomes.append(await pool.run(job, client="test"))
                except KgError as err:
                    outcomes.append(err)
            return outcomes, pool.confinements()
        finally:
            await pool.stop()

    return asyncio.run(main())


def test_service_past_the_guard_never_connects_and_errors_say_nothing_remote(snapshot, listener):
    cases = [(target, name, query) for target in listener.targets() for name, query in service_variants(target)]
    outcomes, confinements = _run_all(snapshot, [query for _, _, query in cases])
    assert confinements and all(c.network_closed for c in confinements)
    for (target, name, _), outcome in zip(cases, outcomes, strict=True):
        text = str(outcome) if isinstance(outcome, KgError) else outcome.decode()
        assert REMOTE_TEXT not in text, (target, name)
        if isinstance(outcome, QuerySyntaxError):  # pyoxigraph did not parse it: it may quote the query itself
            continue
        assert "127.0.0.1" not in text and "refused" not in text.lower(), (target, name, text)
        if isinstance(outcome, QueryRejected):  # evaluated without the remote part (an OPTIONAL), then capped
            continue
        if isinstance(outcome, KgError):
            assert str(outcome) == REMOTE_UNAVAILABLE, (target, name, text)
    evaluated = [o for o in outcomes if isinstance(o, KgError) and not isinstance(o, QuerySyntaxError)]
    assert evaluated, "no variant reached SERVICE evaluation"
    assert listener.connections == 0


def test_service_through_http_never_connects(tmp_path, listener):
    with fixture_server(tmp_path) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        for target in listener.targets():
            for name, query in service_variants(target):
                response = client.post("/sparql", data={"query": query})
                assert REMOTE_TEXT not in response.text, (target, name)
                assert response.status_code != 500, (target, name, response.text)
    assert listener.connections == 0


def test_a_confined_process_has_no_inet_sockets_but_keeps_its_unix_pair():
    probe = """
import socket
from kg.api.sandbox import confine
report = confine(memory_limit_mb=None)
a, b = socket.socketpair(); a.send(b"x"); assert b.recv(1) == b"x"
for family in (socket.AF_INET, socket.AF_INET6):
    try:
        socket.socket(family)
    except OSError as err:
        print("refused", err.errno)
    else:
        print("created")
print(report.network_closed)
"""
    src = Path(__file__).resolve().parents[1] / "src"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(src)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert "created" not in lines and lines.count("refused") == 2 and lines[-1] == "True", result.stdout
