"""Dependencies shared by the routers: the settings and the store live on `app.state`."""

from __future__ import annotations

from fastapi import Request
from pyoxigraph import Store

from kg.settings import Settings

__all__ = ["get_settings", "get_store"]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> Store:
    """The served store (`app.state.graph`, which follows the published store); an app mounting a
    single router for a test sets `app.state.store` instead."""
    graph = getattr(request.app.state, "graph", None)
    return graph.store if graph is not None else request.app.state.store
