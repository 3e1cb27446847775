"""Endpoint test support: a copy of the fixture data folder, a store published from it (as `kg build`
lays it out, with the fixture's stand-in reasoner output), and a real uvicorn server on 127.0.0.1 in a
thread serving the published store (fixtures are registered in conftest.py)."""

from __future__ import annotations

import gc
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
from kg.api.server import uvicorn_config
from kg.api.workers import Snapshot
from kg.build import input_fingerprint
from kg.edits import project_files
from kg.iri import GRAPH_INFERRED
from kg.runner import StoreRunner
from kg.search import INDEX_NAME, build_index
from kg.settings import Settings
from kg.store import new_build_dir, publish, writer_lock

FIXTURE = Path(__file__).parent / "fixtures" / "api"
WRITE_TOKEN = "test-write-token"


def copy_fixture(target: Path) -> Path:
    """Copy the fixture project (ontology/, data/ttl/, queries/, inferred.ttl) into `target`, with the
    project's pinned vocabularies (ontology/vocab/, which validation checks the data's terms against)."""
    shutil.copytree(FIXTURE, target, dirs_exist_ok=True)
    shutil.copytree(FIXTURE.parents[1].parent / "ontology" / "vocab", target / "ontology" / "vocab", dirs_exist_ok=True)
    (target / "pyproject.toml").write_text("# fixture project marker\n")
    return target


def publish_fixture(settings: Settings, *, inferred: Path | None = None) -> Path:
    """Publish a store in settings.store_dir loaded like `kg build` does (kg.edits.project_files), plus
    `inferred` (standing in for the reasoner's output, which a write then recomputes) in graph:inferred;
    return its folder."""
    with writer_lock(settings):
        target = new_build_dir(settings)
        store = ox.Store(str(target))
        store.extend(project_files(settings).quads())
        if inferred is not None:
            store.load(path=str(inferred), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH_INFERRED))
        store.flush()
        build_index(StoreRunner(store), target / INDEX_NAME)
        del store
        gc.collect()
        return publish(settings, target, fingerprint=input_fingerprint(settings)).path


def load_store(settings: Settings, *, inferred: Path | None = None) -> ox.Store:
    """`publish_fixture`, then the published store opened read-only (nothing writes it in these tests)."""
    return ox.Store.read_only(str(publish_fixture(settings, inferred=inferred)))


def worker_snapshot(root: Path) -> Snapshot:
    """A published copy of the fixture project in `root`, as the snapshot query workers open (for tests
    that drive kg.api.workers directly, without a server)."""
    copy_fixture(root)
    return Snapshot("store", str(publish_fixture(fixture_settings(root))))


def memory_store(settings: Settings, *, inferred: Path | None = None) -> ox.Store:
    """An in-memory store loaded like `publish_fixture` loads one, for tests that change it directly and
    serve it as a fixed store (telling the server with `GraphState.changed()`)."""
    store = ox.Store()
    store.extend(project_files(settings).quads())
    if inferred is not None:
        store.load(path=str(inferred), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH_INFERRED))
    return store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    url: str
    settings: Settings
    app: object

    @property
    def store(self) -> ox.Store:
        """The store the server serves now (it follows the published store)."""
        graph = self.app.state.graph
        graph.follow()
        return graph.store


@contextmanager
def serve_in_thread(settings: Settings, store: ox.Store | None = None) -> Iterator[RunningServer]:
    """Run create_app(settings) (the published store, or the fixed `store` when given) under uvicorn on
    127.0.0.1:<free port> until the block ends."""
    settings.host, settings.port = "127.0.0.1", free_port()
    app = create_app(settings, store=store)
    server = uvicorn.Server(uvicorn_config(app, settings, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True, name="uvicorn-test-server")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield RunningServer(url=f"http://127.0.0.1:{settings.port}", settings=settings, app=app)
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
    publish_fixture(settings, inferred=root / "inferred.ttl")
    with serve_in_thread(settings) as running:
        yield running
