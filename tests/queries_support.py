"""Shared by the named-query tests: the project's settings and one store built from the project's files."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.load import load_graphs
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
    """An in-memory store of ontology/ + data/ttl/ in their named graphs (loaded once per test session).

    Not reasoned: the table queries read asserted cells, and the pipeline's own tests cover reasoning.
    """
    settings = project_settings()
    store = Store()
    load_graphs(store, ontology_dir=settings.ontology_dir, data_dir=settings.data_dir)  # type: ignore[arg-type]
    return store


def named_query_files() -> dict[str, Path]:
    """name -> file of every named query: queries/*.rq and queries/<topic>/*.rq, not the qc/ rules."""
    folder = Path(project_settings().queries_dir)  # type: ignore[arg-type]
    files = list(folder.glob("*.rq")) + [p for p in folder.glob("*/*.rq") if p.parent.name != "qc"]
    return {path.relative_to(folder).with_suffix("").as_posix(): path for path in sorted(files)}
