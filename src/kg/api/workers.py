"""Queries run in long-lived worker processes that can be killed.

pyoxigraph cannot cancel a running query and may crash the process on hostile input, so no query ever
runs in the server process. Each worker opens a read-only snapshot of the store (a RocksDB backup, or
an N-Quads dump for in-memory stores), runs one query at a time and sends back the serialized result.
At the deadline the worker is killed and replaced; a crash is reported for that query only.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from kg.api.negotiation import RDF_FORMAT_ENUM, RESULTS_FORMAT_ENUM
from kg.errors import QueryCrashed, QueryRejected, QuerySyntaxError, QueryTimeout
from kg.iri import PREFIXES

__all__ = ["Snapshot", "QueryJob", "QueryPool", "execute"]

_log = logging.getLogger("kg.api.workers")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
"""The folder holding the `kg` package, put on the workers' PYTHONPATH."""


@dataclass(frozen=True)
class Snapshot:
    kind: str
    """'store' (a RocksDB directory opened read-only) or 'nquads' (a dump loaded into memory)."""
    path: str


@dataclass(frozen=True)
class QueryJob:
    query: str
    form: str
    format_key: str
    union_default_graph: bool
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    max_rows: int
    snapshot: Snapshot
    substitutions: tuple[tuple[str, str], ...] = ()
    """(variable name, term in N-Triples syntax): values bound as typed terms, never pasted into the text."""


def open_snapshot(snapshot: Snapshot) -> ox.Store:
    if snapshot.kind == "store":
        return ox.Store.read_only(snapshot.path)
    store = ox.Store()
    store.bulk_load(path=snapshot.path, format=ox.RdfFormat.N_QUADS)
    return store


def execute(store: ox.Store, job: QueryJob) -> bytes:
    """Run `job` on `store` and serialize the result in `job.format_key`.

    Raises QuerySyntaxError (pyoxigraph could not parse it) or QueryRejected (more than `max_rows` rows
    or triples).
    """
    # the project's prefixes are predeclared, so the named queries and short queries run as they stand
    options: dict = {"prefixes": PREFIXES}
    if job.default_graphs or job.named_graphs:
        if job.default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        if job.named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    elif job.union_default_graph:
        options["use_default_graph_as_union"] = True
    if job.substitutions:
        options["substitutions"] = {ox.Variable(name): _term(text) for name, text in job.substitutions}
    try:
        results = store.query(job.query, **options)
    except SyntaxError as err:
        raise QuerySyntaxError(f"SPARQL syntax error: {err}") from None

    if isinstance(results, ox.QueryBoolean):
        return results.serialize(format=RESULTS_FORMAT_ENUM[job.format_key])
    # The row cap is enforced while pyoxigraph streams the result as TSV / N-Triples (one row or
    # triple per line), so an oversized result is cut off early; the capped text is then converted
    # natively to the requested format.
    capped = _CappedLines(job.max_rows)
    try:
        if isinstance(results, ox.QuerySolutions):
            results.serialize(capped, format=ox.QueryResultsFormat.TSV)
        else:
            results.serialize(capped, format=ox.RdfFormat.N_TRIPLES)
    except _TooManyLines:
        unit = "rows" if isinstance(results, ox.QuerySolutions) else "triples"
        raise QueryRejected(f"the result has more than {job.max_rows} {unit}; add LIMIT or narrow the query") from None
    text = capped.value()
    if isinstance(results, ox.QuerySolutions):
        if job.format_key == "tsv":
            return text
        parsed = ox.parse_query_results(text, format=ox.QueryResultsFormat.TSV)
        return parsed.serialize(format=RESULTS_FORMAT_ENUM[job.format_key])
    if job.format_key == "nt":
        return text
    rdf_format = RDF_FORMAT_ENUM[job.format_key]
    triples = [quad.triple for quad in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes)


def _term(text: str) -> ox.NamedNode | ox.Literal:
    """An IRI or literal from its N-Triples syntax (as `str()` of a pyoxigraph term writes it)."""
    try:
        quads = list(ox.parse(f"<urn:x:s> <urn:x:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        raise QueryRejected(f"a substitution is not an RDF term: {text[:80]!r}") from None
    if len(quads) != 1:
        raise QueryRejected(f"a substitution is not one RDF term: {text[:80]!r}")
    return quads[0].object


class _TooManyLines(Exception):
    pass


class _CappedLines:
    """A binary sink that refuses more than `cap` lines after a header line (TSV) or none (N-Triples)."""

    def __init__(self, cap: int):
        self.limit, self.lines, self.chunks = cap + 1, 0, []

    def write(self, chunk: bytes) -> int:
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit:
            raise _TooManyLines()
        self.chunks.append(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.chunks)


def _worker_main(conn: Connection) -> None:
    store: ox.Store | None = None
    opened: Snapshot | None = None
    while True:
        try:
            job: QueryJob = conn.recv()
        except EOFError:
            return
        try:
            if opened != job.snapshot:
                store, opened = open_snapshot(job.snapshot), job.snapshot
            conn.send(("ok", execute(store, job)))
        except QuerySyntaxError as err:
            conn.send(("syntax", str(err)))
        except QueryRejected as err:
            conn.send(("rejected", str(err)))
        except Exception as err:  # an evaluation error of pyoxigraph; the worker itself is fine
            conn.send(("error", f"{type(err).__name__}: {err}"))


class _Worker:
    """A `python -m kg.api.workers <fd>` child talking over a socket pair.

    A plain subprocess rather than multiprocessing's spawn, which would re-import the server's
    `__main__` (a script, a REPL, a test runner) in every worker.
    """

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [_PACKAGE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.api.workers", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL, close_fds=True)
        theirs.close()
        self.conn = Connection(ours.detach())

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=5)
        self.conn.close()


class QueryPool:
    """A fixed number of worker processes; `run` waits for an idle one, so the pool is also a queue."""

    def __init__(self, *, size: int, timeout_s: float):
        self.size, self.timeout_s = max(1, size), timeout_s
        self._idle: asyncio.LifoQueue[_Worker] | None = None
        self._all: set[_Worker] = set()

    async def start(self) -> None:
        # LIFO: the most recently used worker is the warmest (caches, scheduler); all are used under load
        self._idle = asyncio.LifoQueue()
        for _ in range(self.size):
            worker = _Worker()
            self._all.add(worker)
            self._idle.put_nowait(worker)

    async def stop(self) -> None:
        for worker in list(self._all):
            worker.kill()
        self._all.clear()

    async def run(self, job: QueryJob) -> bytes:
        """Run `job` in a worker. Raises QueryTimeout, QueryCrashed, QuerySyntaxError or QueryRejected."""
        assert self._idle is not None, "QueryPool.start() was not awaited"
        worker = await self._idle.get()
        replace = True  # unless the worker answers, its state is unknown: replace it
        try:
            if worker.process.poll() is not None:
                _log.warning("query worker %s had exited (code %s); replacing it",
                             worker.process.pid, worker.process.returncode)
                worker = self._replace(worker)
            try:
                worker.conn.send(job)
                if not await self._readable(worker.conn, self.timeout_s):
                    raise QueryTimeout(f"the query ran longer than {self.timeout_s:g} s and was stopped; "
                                       "narrow it or add LIMIT")
                status, payload = worker.conn.recv()
            except (EOFError, OSError) as err:
                worker.process.poll()
                _log.warning("query worker %s failed (exit code %s, %r) running a query", worker.process.pid,
                             worker.process.returncode, err)
                raise QueryCrashed("the query crashed its worker process and was not answered") from None
            replace = False
        finally:
            # also on cancellation (client gone): a worker with a reply still in flight is not reused
            if replace:
                worker = self._replace(worker)
            self._idle.put_nowait(worker)
        if status == "ok":
            return payload
        if status == "syntax":
            raise QuerySyntaxError(payload)
        if status == "rejected":
            raise QueryRejected(payload)
        raise QueryRejected(f"the query could not be evaluated: {payload}")

    def _replace(self, worker: _Worker) -> _Worker:
        self._all.discard(worker)
        worker.kill()
        fresh = _Worker()
        self._all.add(fresh)
        return fresh

    @staticmethod
    async def _readable(conn: Connection, timeout: float) -> bool:
        """Wait (without a thread) until the worker has answered, or `timeout` seconds passed."""
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = conn.fileno()

        def settle(answered: bool) -> None:
            if not ready.done():
                ready.set_result(answered)

        loop.add_reader(fd, settle, True)
        deadline = loop.call_later(timeout, settle, False)
        try:
            return await ready
        finally:
            deadline.cancel()
            loop.remove_reader(fd)
            # uvloop makes a watched fd non-blocking; recv() of a large reply needs it blocking again
            os.set_blocking(fd, True)


if __name__ == "__main__":
    _worker_main(Connection(int(sys.argv[1])))
