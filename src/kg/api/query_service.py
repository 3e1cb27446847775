"""The one way a route reaches the graph: queries run in the worker pool (deadline, row cap), and what a
route computes from them is kept in the result cache under the graph's version.

- `run` / `select`: one query as a `QueryJob` in the pool (the SPARQL endpoint, the named queries).
- `runner()`: a `kg.runner.QueryRunner` for library code that runs many queries (gap report, figures,
  resource pages, VoID); call it from a worker thread, each query goes through the pool.
- `respond`: a route's answer with ETag / 304, computed at most once per graph version and key (concurrent
  first requests share the one computation and its outcome, an error included, so none of them waits
  past that computation's deadline), then served from the cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from kg.api.graph_state import GraphState
from kg.api.workers import QueryJob, QueryPool
from kg.formats import Format
from kg.queries import ResultTable, tsv_table
from kg.runner import QueryRunner, Term
from kg.settings import Settings

__all__ = ["QueryService", "PoolRunner", "etag_matches", "service"]

Compute = Callable[[QueryRunner], bytes] | Callable[[], Awaitable[bytes]]

_INTERNAL_MIN_ROWS = 100_000
"""Row cap of the queries behind pages and reports: they are ours and bounded by the data, so they get at
least this many rows even when `max_result_rows` (for visitors' queries) is small."""


def etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    candidates = {tag.strip() for tag in header.split(",")}
    return "*" in candidates or etag in candidates or etag.removeprefix("W/") in candidates


class QueryService:
    def __init__(self, *, settings: Settings, graph: GraphState, pool: QueryPool):
        self.settings, self.graph, self.pool = settings, graph, pool
        self.internal_max_rows = max(settings.max_result_rows, _INTERNAL_MIN_ROWS)
        self._in_flight: dict[tuple, asyncio.Future[tuple[str, bytes]]] = {}

    async def run(self, query: str, *, form: str = "SELECT", format_key: str = "tsv",
                  substitutions: Mapping[str, Term] | None = None, max_rows: int | None = None,
                  project_default_graph: bool = True, default_graphs: tuple[str, ...] = (),
                  named_graphs: tuple[str, ...] = (), client: str = "local") -> bytes:
        """Run one query in the pool for `client` (kg.api.fair_share.client_key; "local" for the server's own
        page and report queries); the serialized result. Raises what QueryPool.run raises."""
        job = QueryJob(
            query=query, form=form, format_key=format_key, project_default_graph=project_default_graph,
            default_graphs=default_graphs, named_graphs=named_graphs,
            max_rows=max_rows or self.settings.max_result_rows, snapshot=self.graph.snapshot,
            substitutions=tuple((name, str(term)) for name, term in (substitutions or {}).items()),
        )
        return await self.pool.run(job, client=client)

    async def select(self, query: str, substitutions: Mapping[str, Term] | None = None, *,
                     max_rows: int | None = None) -> ResultTable:
        body = await self.run(query, substitutions=substitutions, max_rows=max_rows or self.internal_max_rows)
        return tsv_table(body)

    def runner(self) -> PoolRunner:
        """A runner for code in a worker thread; create it on the event loop."""
        return PoolRunner(self, asyncio.get_running_loop())

    async def computed(self, key: tuple, media_type: str, compute: Compute) -> tuple[str, bytes]:
        """(media type, body) of `key` at the current graph version: from the cache, or computed once while
        later requests for the same key share that computation's outcome. `compute` is either a function
        of a QueryRunner (run in a thread: library code) or a coroutine function without arguments
        (awaited: single pool queries)."""
        hit = self.graph.cached(key)
        if hit is not None:
            return hit
        flight_key = (self.graph.version, key)
        flight = self._in_flight.get(flight_key)
        if flight is None:
            flight = asyncio.ensure_future(self._compute(key, media_type, compute))
            self._in_flight[flight_key] = flight
            flight.add_done_callback(lambda _: self._in_flight.pop(flight_key, None))
        # shielded: a client that goes away does not cancel the computation the others wait for
        return await asyncio.shield(flight)

    async def _compute(self, key: tuple, media_type: str, compute: Compute) -> tuple[str, bytes]:
        version = self.graph.version
        if inspect.iscoroutinefunction(compute):
            body = await compute()
        else:
            body = await asyncio.to_thread(compute, self.runner())  # type: ignore[arg-type]  # not a coroutine
        if self.graph.version == version:  # a write during the computation: do not file it as current
            self.graph.remember(key, media_type, body)
        return media_type, body

    def etag(self, key: tuple) -> str:
        return 'W/"' + self.graph.version + "-" + hashlib.sha1(repr(key).encode()).hexdigest()[:16] + '"'

    async def respond(self, request: Request, key: tuple, fmt: Format, compute: Compute, *,
                      headers: Mapping[str, str] | None = None) -> Response:
        """The answer for `key` in `fmt`, with ETag / If-None-Match, computed as `computed` says."""
        key = (*key, fmt.key)
        sent = {"ETag": self.etag(key), "Vary": "Accept", "Cache-Control": "no-cache", **(headers or {})}
        if etag_matches(request, sent["ETag"]):
            return Response(status_code=304, headers=sent)
        media_type, body = await self.computed(key, fmt.media_type, compute)
        return Response(body, media_type=media_type, headers=sent)


class PoolRunner:
    """`QueryRunner` for a worker thread: each query is handed to the event loop's pool and waited for."""

    def __init__(self, service: QueryService, loop: asyncio.AbstractEventLoop):
        self.service, self.loop = service, loop

    def run_select(self, query: str, substitutions: Mapping[str, Term] | None = None) -> ResultTable:
        return asyncio.run_coroutine_threadsafe(self.service.select(query, substitutions), self.loop).result()


def service(request: Request) -> QueryService:
    return request.app.state.queries
