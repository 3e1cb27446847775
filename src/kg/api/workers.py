"""Queries run in long-lived, confined worker processes that can be killed.

pyoxigraph cannot cancel a running query and may crash the process on hostile input, so no query ever
runs in the server process. Each worker confines itself (kg.api.sandbox: no network, a memory limit),
opens a read-only snapshot of the store (a RocksDB backup, or an N-Quads dump for in-memory stores),
runs one query at a time and sends back the serialized result. At the deadline the worker is killed
and replaced; a crash or an exhausted memory limit is reported for that query only.

The pool is shared fairly between clients (kg.api.fair_share).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.api.fair_share import FairShare, Ticket
from kg.api.negotiation import RDF_FORMAT_ENUM, RESULTS_FORMAT_ENUM
from kg.api.sandbox import Confinement, confine
from kg.errors import (
    KgError,
    QueryCrashed,
    QueryRejected,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooCostly,
    SandboxUnavailable,
)
from kg.iri import DEFAULT_GRAPHS, PREFIXES
from kg.settings import Settings

__all__ = ["Snapshot", "QueryJob", "QueryPool", "execute", "evaluation_error_message", "REMOTE_UNAVAILABLE"]

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
    project_default_graph: bool
    """True: the default graph is kg.iri.DEFAULT_GRAPHS (the request and the query name no dataset)."""
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    max_rows: int
    snapshot: Snapshot
    substitutions: tuple[tuple[str, str], ...] = ()
    """(variable name, term in N-Triples syntax) pairs bound before evaluation (SEP-0007 substitution;
    pyoxigraph requires the variable to be projected)."""


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
    elif job.project_default_graph:
        # works, not records: graph:records, the views, editions and releases stay out of the default
        # graph, and `GRAPH ?g` still reaches every named graph
        options["default_graph"] = [ox.NamedNode(g) for g in DEFAULT_GRAPHS]
    if job.substitutions:
        options["substitutions"] = {ox.Variable(name): _term(text) for name, text in job.substitutions}
    try:
        results = store.query(job.query, **options)
    except SyntaxError as err:
        raise QuerySyntaxError(f"SPARQL syntax error: {err}") from None

    if isinstance(results, ox.QueryBoolean):
        # serialize and ox.serialize return None only when given an output to write to
        return results.serialize(format=RESULTS_FORMAT_ENUM[job.format_key]) or b""
    # The row cap is enforced while pyoxigraph streams the result as TSV / N-Triples (one row or
    # triple per line), so an oversized result is cut off early; the capped text is then converted
    # natively to the requested format.
    capped = _CappedLines(job.max_rows)
    try:
        if isinstance(results, ox.QuerySolutions):
            results.serialize(capped, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]  # has write()
        else:
            results.serialize(capped, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]  # has write()
    except _TooManyLines:
        unit = "rows" if isinstance(results, ox.QuerySolutions) else "triples"
        raise QueryRejected(f"the result has more than {job.max_rows} {unit}; add LIMIT or narrow the query") from None
    text = capped.value()
    if isinstance(results, ox.QuerySolutions):
        if job.format_key == "tsv":
            return text
        parsed = ox.parse_query_results(text, format=ox.QueryResultsFormat.TSV)
        return parsed.serialize(format=RESULTS_FORMAT_ENUM[job.format_key]) or b""
    if job.format_key == "nt":
        return text
    rdf_format = RDF_FORMAT_ENUM[job.format_key]
    triples = [quad.triple for quad in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""


def _term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
    """An RDF term written in N-Triples syntax (`<iri>`, `"literal"@en`, `"1"^^<...>`, `_:b`)."""
    try:
        quads = list(ox.parse(f"<urn:kg:s> <urn:kg:p> {text} .\n".encode(), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        quads = []
    if len(quads) != 1:
        raise QueryRejected(f"substitution value {text[:80]!r} is not one RDF term in N-Triples syntax")
    return quads[0].object


REMOTE_UNAVAILABLE = "the query could not be evaluated: this endpoint does not contact other services (SERVICE)"
"""The one message for every failure that involves the network, so that nothing a remote host (or the
lack of one) answered reaches the client."""
_NETWORK_WORDS = re.compile(
    r"service|https?\b|\burl\b|\bdns\b|tls|ssl|certificate|connect|socket|network|address|host|resolv|"
    r"port\b|remote|refused|unreachable|timed out|os error", re.IGNORECASE)


def evaluation_error_message(err: Exception) -> str:
    """What the client is told about an evaluation error of pyoxigraph."""
    detail = f"{err}"
    if isinstance(err, OSError) or _NETWORK_WORDS.search(detail):
        return REMOTE_UNAVAILABLE
    return f"the query could not be evaluated: {type(err).__name__}: {detail}"


class _TooManyLines(Exception):
    pass


class _CappedLines:
    """A binary sink that refuses more than `cap` lines after a header line (TSV) or none (N-Triples)."""

    def __init__(self, cap: int):
        self.limit, self.lines = cap + 1, 0
        self.chunks: list[bytes] = []

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


def _worker_main(conn: Connection, memory_limit_mb: int) -> None:
    # confined before the store (or anything else reachable by a query) is opened
    conn.send(("ready", confine(memory_limit_mb=memory_limit_mb or None)))
    store: ox.Store | None = None
    opened: Snapshot | None = None
    while True:
        try:
            message: QueryJob | Snapshot = conn.recv()
        except EOFError:
            return
        cpu_before = time.process_time()
        try:
            snapshot = message if isinstance(message, Snapshot) else message.snapshot
            if opened != snapshot or store is None:
                store, opened = open_snapshot(snapshot), snapshot
            reply: tuple[str, bytes | str] = ("ok", b"" if isinstance(message, Snapshot) else execute(store, message))
        except QuerySyntaxError as err:
            reply = ("syntax", str(err))
        except QueryRejected as err:
            reply = ("rejected", str(err))
        except MemoryError:
            reply = ("memory", "")
        except Exception as err:  # an evaluation error of pyoxigraph; the worker itself is fine
            reply = ("error", evaluation_error_message(err))
        # the CPU time lets the pool judge a query's cost independently of how busy the machine is
        conn.send((*reply, time.process_time() - cpu_before))
        if reply[0] == "memory":
            return  # the heap is near its limit: let the pool start a fresh worker


class _Worker:
    """A `python -m kg.api.workers <fd> <memory MB>` child talking over a socket pair.

    A plain subprocess rather than multiprocessing's spawn, which would re-import the server's
    `__main__` (a script, a REPL, a test runner) in every worker. Its stderr is kept (the last few KB)
    to tell an exhausted memory limit from other crashes.
    """

    def __init__(self, memory_limit_mb: int) -> None:
        ours, theirs = socket.socketpair()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [_PACKAGE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]), RUST_BACKTRACE="0")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.api.workers", str(theirs.fileno()), str(memory_limit_mb)],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
            close_fds=True)
        theirs.close()
        self.conn = Connection(ours.detach())
        self.confinement: Confinement | None = None
        self.opened: Snapshot | None = None
        self.niced = False
        self._stderr_tail = b""
        os.set_blocking(self._stderr.fileno(), False)
        asyncio.get_running_loop().add_reader(self._stderr.fileno(), self._read_stderr)

    @property
    def _stderr(self) -> IO[bytes]:
        assert self.process.stderr is not None  # started with stderr=PIPE
        return self.process.stderr

    def _read_stderr(self) -> bool:
        """Keep the tail of what the worker wrote to stderr and log it; False at end of file."""
        try:
            chunk = os.read(self._stderr.fileno(), 65536)
        except BlockingIOError:
            return True
        if not chunk:
            asyncio.get_running_loop().remove_reader(self._stderr.fileno())
            return False
        self._stderr_tail = (self._stderr_tail + chunk)[-_STDERR_TAIL:]
        _log.warning("query worker %s: %s", self.process.pid, chunk.decode("utf-8", "replace").rstrip()[:2000])
        return True

    def ran_out_of_memory(self) -> bool:
        """After the worker died: did it abort because an allocation over its memory limit failed?"""
        while not self._stderr.closed and self._read_stderr():
            pass
        return self.process.returncode == -signal.SIGABRT and b"memory allocation of" in self._stderr_tail

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=5)
        self.conn.close()
        if not self._stderr.closed:
            try:
                asyncio.get_running_loop().remove_reader(self._stderr.fileno())
            except RuntimeError:  # no loop (interpreter shutdown): nothing to unregister
                pass
            self._stderr.close()


_STDERR_TAIL = 4096


class QueryPool:
    """A fixed number of confined worker processes shared fairly between clients (kg.api.fair_share).

    `run` waits for a worker within the query's deadline, so the pool is also the queue.
    """

    def __init__(self, *, size: int, timeout_s: float, memory_limit_mb: int = 0, reserved: int = 1,
                 client_max_workers: int = 2, client_max_queued: int = 8, slow_query_s: float = 0.5,
                 allow_unsandboxed: bool = False):
        self.size, self.timeout_s = max(1, size), timeout_s
        self.memory_limit_mb, self.allow_unsandboxed = memory_limit_mb, allow_unsandboxed
        self.renice_after_s = min(0.1, slow_query_s)
        self.share = FairShare(workers=self.size, reserved=reserved, per_client=client_max_workers,
                               per_client_queued=client_max_queued, slow_s=slow_query_s, clock=time.monotonic)
        self._idle: list[_Worker] = []  # LIFO: the most recently used worker is the warmest
        self._all: set[_Worker] = set()
        self._waiters: dict[Ticket, asyncio.Future] = {}
        self._starting: set[asyncio.Task] = set()
        self._snapshot: Snapshot | None = None  # the latest one queried: replacements open it in advance
        self._started = False

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryPool:
        return cls(size=settings.query_workers, timeout_s=settings.query_timeout_s,
                   memory_limit_mb=settings.worker_memory_mb, reserved=settings.reserved_workers,
                   client_max_workers=settings.client_max_workers, client_max_queued=settings.client_max_queued,
                   slow_query_s=settings.slow_query_s, allow_unsandboxed=settings.allow_unsandboxed_workers)

    async def start(self) -> None:
        """Start the workers and wait until each has confined itself.

        Raises SandboxUnavailable when a worker could not be cut off from the network (unless
        `allow_unsandboxed`), or QueryCrashed when a worker did not start.
        """
        for _ in range(self.size):
            self._spawn()
        try:
            for worker in list(self._all):
                await self._handshake(worker, time.monotonic() + 60)
        except BaseException:
            await self.stop()
            raise
        self._idle = list(self._all)
        self._started = True

    async def stop(self) -> None:
        for task in list(self._starting):
            task.cancel()
        for worker in list(self._all):
            worker.kill()
        self._all.clear()
        self._idle.clear()

    def confinements(self) -> list[Confinement]:
        """What each started worker reported about its confinement."""
        return [w.confinement for w in self._all if w.confinement is not None]

    async def run(self, job: QueryJob, *, client: str = "local") -> bytes:
        """Run `job` for `client` in a worker within one deadline (`timeout_s`, waiting included).

        Raises QueryTimeout, QueryTooCostly, QueryCrashed, TooManyQueries, QuerySyntaxError or QueryRejected.
        """
        assert self._started, "QueryPool.start() was not awaited"
        deadline = time.monotonic() + self.timeout_s
        ticket = self.share.admit(client)
        try:
            worker = await self._acquire(ticket, deadline)
        except BaseException:
            if isinstance(ticket.worker, _Worker):  # granted while being cancelled: hand it on
                self._idle.append(ticket.worker)
                self.share.finish(ticket)
            else:
                self.share.withdraw(ticket)
            self._dispatch()
            raise
        try:
            status, payload = await self._execute_on(worker, ticket, job, deadline)
        finally:
            self.share.finish(ticket)
            self._dispatch()
        if status == "ok":
            return payload
        if status == "syntax":
            raise QuerySyntaxError(payload)
        if status == "rejected":
            raise QueryRejected(payload)
        if status == "memory":
            raise self._too_costly()
        raise QueryRejected(payload)

    async def _acquire(self, ticket: Ticket, deadline: float) -> _Worker:
        granted = asyncio.get_running_loop().create_future()
        ticket.worker = None
        self._waiters[ticket] = granted
        try:
            while True:
                self._dispatch()
                if ticket.worker is not None:
                    return ticket.worker
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._waited_too_long()
                # woken by a grant, or every 50 ms to see whether a slow query should make room (fair_share rule 4)
                await asyncio.wait([granted], timeout=min(0.05, remaining))
        finally:
            del self._waiters[ticket]

    def _dispatch(self) -> None:
        """Hand idle workers to the tickets fair_share picks; stop a slow query if a fast client waits."""
        while self._idle:
            ticket = self.share.grant()
            if ticket is None:
                break
            ticket.worker = self._idle.pop()
            waiter = self._waiters.get(ticket)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        victim = self.share.victim(len(self._idle))
        if victim is not None and isinstance(victim.worker, _Worker):
            _log.info("stopping a slow query of client %s to free a worker for another client", victim.client)
            victim.worker.process.kill()

    async def _execute_on(self, worker: _Worker, ticket: Ticket, job: QueryJob, deadline: float) -> tuple[str, bytes]:
        loop = asyncio.get_running_loop()
        self._snapshot = job.snapshot
        replace = True  # unless the worker answers, its state is unknown: replace it
        renice = None
        try:
            try:
                if worker.opened != job.snapshot:  # opening the store is not the query's running time
                    worker.conn.send(job.snapshot)
                    if not await self._readable(worker.conn, deadline - time.monotonic()):
                        raise self._waited_too_long()
                    worker.conn.recv()
                    worker.opened = job.snapshot
                self.share.start(ticket)
                renice = loop.call_later(self.renice_after_s, self._set_nice, worker, _SLOW_NICE)
                worker.conn.send(job)
                if not await self._readable(worker.conn, deadline - time.monotonic()):
                    raise QueryTimeout(f"the query ran longer than {self.timeout_s:g} s and was stopped; "
                                       "narrow it or add LIMIT")
                status, payload, ticket.cpu_s = worker.conn.recv()
            except (EOFError, OSError) as err:
                if ticket.preempted:
                    running_s = time.monotonic() - (ticket.started or 0.0)  # preempted: it had started
                    raise QueryTimeout(f"the query was stopped after {running_s:.1f} s "
                                       "so that other clients' queries could run; narrow it or retry later") from None
                worker.process.wait(timeout=5)
                if worker.ran_out_of_memory():
                    raise self._too_costly() from None
                _log.warning("query worker %s failed (exit code %s, %r) running a query", worker.process.pid,
                             worker.process.returncode, err)
                raise QueryCrashed("the query crashed its worker process and was not answered") from None
            replace = status == "memory"
        finally:
            if renice is not None:
                renice.cancel()
            # also on cancellation (client gone): a worker with a reply still in flight is not reused
            if replace:
                self._replace(worker)
            else:
                if worker.niced:
                    self._set_nice(worker, 0)
                self._idle.append(worker)
        return status, payload

    def _waited_too_long(self) -> QueryTimeout:
        return QueryTimeout(f"no query worker became free within {self.timeout_s:g} s: the server is busy; "
                            "retry later")

    def _too_costly(self) -> QueryTooCostly:
        return QueryTooCostly(f"the query needed more than the {self.memory_limit_mb} MB of memory a query may use "
                              "and was stopped; narrow it or add LIMIT")

    async def _handshake(self, worker: _Worker, deadline: float) -> None:
        """Read the worker's report on its confinement; refuse an unconfined worker unless allowed."""
        if not await self._readable(worker.conn, deadline - time.monotonic()):
            raise QueryTimeout("a query worker did not start in time; retry later")
        try:
            _, confinement = worker.conn.recv()
        except (EOFError, OSError):
            raise QueryCrashed("a query worker exited while starting") from None
        worker.confinement = confinement
        if not confinement.network_closed and not self.allow_unsandboxed:
            raise SandboxUnavailable(
                "query workers cannot be cut off from the network on this host ("
                + "; ".join(confinement.problems) + "): SERVICE clauses could reach other hosts. Run as root "
                "or with CAP_SYS_ADMIN (network namespace), or on Linux with seccomp; or set "
                "KG_ALLOW_UNSANDBOXED_WORKERS=true to serve anyway")
        if not confinement.network_closed:
            _log.warning("query worker %s runs WITHOUT network confinement (%s)", worker.process.pid,
                         "; ".join(confinement.problems))

    def _set_nice(self, worker: _Worker, value: int) -> None:
        """Lower (or restore) the CPU priority of a worker's query thread, so that short queries win the CPU."""
        try:
            os.setpriority(os.PRIO_PROCESS, worker.process.pid, value)
        except OSError:  # the worker is gone, or restoring priority needs CAP_SYS_NICE: it stays niced
            return
        worker.niced = value != 0

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker`; a fresh one joins the idle workers once it has started (in the background)."""
        self._all.discard(worker)
        worker.kill()
        task = asyncio.get_running_loop().create_task(self._bring_up())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def _bring_up(self) -> None:
        while True:
            worker = self._spawn()
            try:
                await self._handshake(worker, time.monotonic() + 60)
                if self._snapshot is not None:
                    worker.conn.send(self._snapshot)
                    if await self._readable(worker.conn, 60) and worker.conn.recv()[0] == "ok":
                        worker.opened = self._snapshot
                break
            except (KgError, EOFError, OSError) as err:
                _log.error("a replacement query worker did not start (%s); trying again in 1 s", err)
                self._all.discard(worker)
                worker.kill()
                await asyncio.sleep(1)
        self._idle.append(worker)
        self._dispatch()

    def _spawn(self) -> _Worker:
        fresh = _Worker(self.memory_limit_mb)
        self._all.add(fresh)
        return fresh

    @staticmethod
    async def _readable(conn: Connection, timeout: float) -> bool:
        """Wait (without a thread) until the worker has answered, or `timeout` seconds passed."""
        if timeout <= 0:
            return conn.poll()
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


_SLOW_NICE = 10
"""Nice value of a worker whose query has run past `renice_after_s` (0 = normal, 19 = lowest)."""


if __name__ == "__main__":
    _worker_main(Connection(int(sys.argv[1])), int(sys.argv[2]))
