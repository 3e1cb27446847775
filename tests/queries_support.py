"""Shared by the named-query tests: the project's settings and one store built from the project's files."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.queries import open_store
from kg.settings import Settings

__all__ = ["ROOT", "project_settings", "project_store", "require_data"]

ROOT = Path(__file__).resolve().parents[1]


def project_settings() -> Settings:
    """Settings of this checkout (sources folder from KG_SOURCES_DIR, else ../shared)."""
    return Settings(root=ROOT)


def require_data() -> None:
    """Skip while `kg import` output has not been merged into this branch (data/ttl/ absent)."""
    data_dir = Path(project_settings().data_dir)  # type: ignore[arg-type]
    if not any(data_dir.glob("**/*.ttl")):
        pytest.skip(f"no generated data in {data_dir}: run `kg import` (ingest) first")


@functools.lru_cache(maxsize=1)
def project_store() -> Store:
    """The store of ontology/ + data/ttl/ (built once per test session)."""
    return open_store(project_settings())
