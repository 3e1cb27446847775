"""Dependencies shared by the routers: the settings and the store live on `app.state`."""

from __future__ import annotations

from fastapi import Request
from pyoxigraph import Store

from kg.settings import Settings

__all__ = ["get_settings", "get_store"]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> Store:
    return request.app.state.store
