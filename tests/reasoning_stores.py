"""Stores for the reasoning and gap tests: the real ontology plus a data folder, in a real pyoxigraph store."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox

from kg.load import load_graphs
from kg.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "reason"
REAL_DATA = Path(os.environ.get("KG_DATA_DIR", ROOT / "data" / "ttl"))
"""The importer's output (data/ttl/); KG_DATA_DIR points elsewhere, e.g. at an importer's worktree."""


def settings_for(tmp_path: Path, data_dir: Path) -> Settings:
    return Settings(root=ROOT, data_dir=data_dir, store_dir=tmp_path / "store")


def loaded_store(settings: Settings) -> ox.Store:
    store = ox.Store()
    load_graphs(store, ontology_dir=settings.ontology_dir, data_dir=settings.data_dir)
    return store


def real_data_present() -> bool:
    return any((REAL_DATA / "papers").glob("*.ttl")) if (REAL_DATA / "papers").is_dir() else False
