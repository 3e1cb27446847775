"""The FastAPI application: `create_app(settings, store=...)` wires the routers, CORS, errors and the
query worker pool around one served store."""

from __future__ import annotations

import importlib
import logging
from contextlib import asynccontextmanager

import pyoxigraph as ox
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from kg import __version__
from kg.api import browse, linked_data, query_page, sparql, writes
from kg.api.error_responses import install_error_handlers
from kg.api.graph_state import FollowCurrent, GraphState
from kg.api.query_service import QueryService
from kg.api.workers import QueryPool
from kg.settings import Settings

__all__ = ["create_app", "OPTIONAL_ROUTERS"]

_log = logging.getLogger("kg.api")

OPTIONAL_ROUTERS = ("queries", "gaps", "history", "maintain")
"""Routers other modules provide as `kg.api.<name>.router`; included when importable."""


def create_app(settings: Settings, *, store: ox.Store | None = None) -> FastAPI:
    """The app serving the published store (see `kg.store`), opened read-only and followed as writes and
    builds publish new ones; or, when given, the fixed `store` (which cannot be written).

    Query workers start with the app (lifespan) and stop with it; every route reaches the graph through
    `app.state.queries` (kg.api.query_service).
    Raises StoreMissing when no store is given and none has been built.
    """
    graph = GraphState(settings=settings, store=store)
    pool = QueryPool.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await pool.start()
        try:
            yield
        finally:
            await pool.stop()
            graph.close()

    # no /docs or /redoc: FastAPI's pages load their assets from a CDN; /openapi.json stays
    app = FastAPI(title="duality-kg", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="SPARQL endpoint and linked data of the duality-kg knowledge graph")
    app.state.settings, app.state.graph, app.state.pool = settings, graph, pool
    app.state.queries = QueryService(settings=settings, graph=graph, pool=pool)
    # Starlette runs the last added middleware first: CatchUnexpected, then CORS, then following the
    # published store, then the /sparql fast path
    app.add_middleware(sparql.SparqlFastPath)
    app.add_middleware(FollowCurrent)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False,
                       allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
                       allow_headers=["Accept", "Content-Type", "Authorization", "If-None-Match"],
                       expose_headers=["ETag"])
    install_error_handlers(app)
    app.include_router(sparql.router)
    app.include_router(writes.router)
    app.include_router(query_page.router)
    for name in OPTIONAL_ROUTERS:
        try:
            module = importlib.import_module(f"kg.api.{name}")
        except ImportError as err:
            if err.name != f"kg.api.{name}":
                raise
            _log.info("kg.api.%s is not installed; its routes are left out", name)
            continue
        app.include_router(module.router)
    app.include_router(browse.router)
    app.include_router(linked_data.router)
    app.mount("/static", StaticFiles(directory=query_page.STATIC_DIR), name="static")
    app.add_middleware(HeadAsGet)  # outermost: every layer below sees a GET
    return app


class HeadAsGet:
    """HEAD on any GET route: run the GET and send its status and headers without the body.

    One place instead of a HEAD method on every route; Content-Length stays that of the GET's body.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def without_body(message):
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(dict(scope, method="GET"), receive, without_body)
