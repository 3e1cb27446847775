"""Endpoint test support: a copy of the fixture data folder, a store loaded from it, and a real uvicorn
server on 127.0.0.1 in a thread (fixtures are registered in conftest.py)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import uvicorn

from kg.api.app import create_app
from kg.iri import GRAPH_INFERRED
from kg.load import load_graphs
from kg.settings import Settings

FIXTURE = Path(__file__).parent / "fixtures" / "api"
WRITE_TOKEN = "test-write-token"


def copy_fixture(target: Path) -> Path:
    """Copy the fixture project (ontology/, data/ttl/, queries/, inferred.ttl) into `target`, with the
    project's pinned vocabularies (ontology/vocab/, which validation checks the data's terms against)."""
    shutil.copytree(FIXTURE, target, dirs_exist_ok=True)
    shutil.copytree(FIXTURE.parents[1].parent / "ontology" / "vocab", target / "ontology" / "vocab", dirs_exist_ok=True)
    (target / "pyproject.toml").write_text("# fixture project marker\n")
    return target


def load_store(settings: Settings, *, inferred: Path | None = None) -> ox.Store:
    """An on-disk store at settings.store_dir loaded like `kg build` does (kg.load), plus `inferred`
    (standing in for the reasoner's output) in graph:inferred."""
    Path(settings.store_dir).parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(settings.store_dir))
    load_graphs(store, ontology_dir=Path(settings.ontology_dir), data_dir=Path(settings.data_dir))
    if inferred is not None:
        store.load(path=str(inferred), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH_INFERRED))
    store.flush()
    return store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    url: str
    settings: Settings
    store: ox.Store
    app: object


@contextmanager
def serve_in_thread(settings: Settings, store: ox.Store) -> Iterator[RunningServer]:
    """Run create_app(settings, store=store) under uvicorn on 127.0.0.1:<free port> until the block ends."""
    settings.host, settings.port = "127.0.0.1", free_port()
    app = create_app(settings, store=store)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True, name="uvicorn-test-server")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield RunningServer(url=f"http://127.0.0.1:{settings.port}", settings=settings, store=store, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def fixture_settings(root: Path, **overrides) -> Settings:
    values = {"write_token": WRITE_TOKEN, "query_timeout_s": 3.0, "query_workers": 2, "max_result_rows": 50}
    return Settings(root=root, **(values | overrides))


@contextmanager
def fixture_server(root: Path, **overrides) -> Iterator[RunningServer]:
    """A server over a fresh copy of the fixture data in `root`."""
    copy_fixture(root)
    settings = fixture_settings(root, **overrides)
    store = load_store(settings, inferred=root / "inferred.ttl")
    with serve_in_thread(settings, store) as running:
        yield running
