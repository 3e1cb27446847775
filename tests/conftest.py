"""Shared pytest fixtures. Sections are owned by the module named in their heading."""

from __future__ import annotations

import pytest

# --- endpoint (kg.api): a real uvicorn server on 127.0.0.1 over a copy of tests/fixtures/api ---
from api_server import RunningServer, fixture_server


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> RunningServer:
    """A read-only-use server shared by the endpoint tests (tests must not write through it)."""
    with fixture_server(tmp_path_factory.mktemp("api-project")) as running:
        yield running


@pytest.fixture()
def writable_api_server(tmp_path_factory: pytest.TempPathFactory) -> RunningServer:
    """A server of its own for tests that write (fresh data each test)."""
    with fixture_server(tmp_path_factory.mktemp("api-write-project")) as running:
        yield running


# --- command line (kg.cli): one store built by `kg build` from the project's files, read by the CLI tests ---
@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory):
    """The store folder (KG_STORE_DIR) of a `kg build` over this checkout; tests must not write into it."""
    from cli_support import ROOT, kg_env, run_kg
    from queries_support import require_data

    require_data()
    store_dir = tmp_path_factory.mktemp("cli-store") / "store"
    result = run_kg("build", env=kg_env(ROOT, store_dir))
    assert result.returncode == 0, result.stderr
    return store_dir


# --- pages people read (kg.api query pages, /gaps, the browser journey): a server over the real build ---
@pytest.fixture(scope="session")
def built_server(built_store):
    """A real uvicorn server on 127.0.0.1 serving the `kg build` of this checkout (read-only)."""
    from api_server import serve_in_thread
    from cli_support import ROOT

    from kg.settings import Settings

    settings = Settings(root=ROOT, store_dir=built_store, query_workers=2, query_timeout_s=20.0)
    with serve_in_thread(settings) as running:
        yield running
