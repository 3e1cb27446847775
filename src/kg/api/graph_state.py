"""The served graph's state: the store, its version, the snapshot workers read, and the result cache.

The server follows the published store (`kg.store`): before each request `follow()` reads the `current`
link (one readlink) and, when a write or an external `kg build` has published a new build, opens it
read-only and switches to it. Query workers open the build folder itself (`Snapshot("store", path)`),
so nothing is copied per write. The server holds a reader lock on the builds its workers may still have
open (the current one and the one before) so that `remove_unused` leaves them alone.

The version is the build's folder name (unique per build); ETags and cache keys include it, so nothing
stale is ever served.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import pyoxigraph as ox

from kg.api.workers import Snapshot
from kg.errors import StoreError
from kg.runner import StoreRunner
from kg.search import INDEX_NAME, build_index
from kg.settings import Settings
from kg.store import ReaderLock, lock_current, remove_unused

__all__ = ["GraphState", "FollowCurrent"]

_log = logging.getLogger("kg.api")

_CACHE_ENTRIES = 512
_CACHE_MAX_BYTES = 1_000_000
_KEEP_BUILDS = 2
"""Builds kept locked: the current one and the one before, which an idle worker may still have open."""


class GraphState:
    """The store being served. Without `store`, follows the published store (`kg serve`); with one,
    serves that fixed store (tests of single routers, benches), which cannot be written."""

    def __init__(self, *, settings: Settings, store: ox.Store | None = None):
        self.settings = settings
        self.follows_current = store is None
        self._switch_lock = threading.Lock()
        self._locks: list[ReaderLock] = []
        self._link = Path(settings.store_dir) / "current"
        self._target: str | None = None
        self._cache: OrderedDict[tuple, tuple[str, bytes]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._snapshot_dir: Path | None = None
        self._generation = 0
        if store is None:
            self._open_current()
        else:
            self.store, self.version = store, f"fixed-{id(store):x}"
            self.snapshot = self._fixed_snapshot(store)

    def follow(self) -> None:
        """Switch to the published store when `current` points at another build than the one served."""
        if not self.follows_current:
            return
        try:
            target = os.readlink(self._link)
        except OSError:
            return  # nothing published (or being switched): keep serving what we have
        if target != self._target:
            with self._switch_lock:
                try:
                    if os.readlink(self._link) != self._target:
                        self._open_current()
                except (OSError, StoreError) as err:
                    _log.warning("cannot switch to the published store yet (%s); serving the one before", err)

    def _open_current(self) -> None:
        published, lock = lock_current(self.settings)
        try:
            store = ox.Store.read_only(str(published.path))
        except OSError:
            lock.release()
            raise
        self._locks.append(lock)
        self.store, self.snapshot = store, Snapshot("store", str(published.path))
        self.search_index = published.path / INDEX_NAME
        self.version = published.path.name
        self._target = os.path.relpath(published.path, Path(self.settings.store_dir))
        with self._cache_lock:
            self._cache.clear()
        if len(self._locks) > _KEEP_BUILDS:
            for old in self._locks[:-_KEEP_BUILDS]:
                old.release()
            del self._locks[:-_KEEP_BUILDS]
            try:
                remove_unused(self.settings)
            except (OSError, StoreError):
                pass  # another process removes them later; serving must not fail for it

    def changed(self) -> None:
        """A fixed store was changed by its owner (tests and benches that write it directly): give the
        workers a new copy and start a new version. A followed store changes only by being published."""
        if self.follows_current:
            self.follow()
            return
        if self._snapshot_dir is not None:
            shutil.rmtree(self._snapshot_dir, ignore_errors=True)
        self._generation += 1
        self.version = f"fixed-{id(self.store):x}-{self._generation}"
        self.snapshot = self._fixed_snapshot(self.store)
        with self._cache_lock:
            self._cache.clear()

    def close(self) -> None:
        for lock in self._locks:
            lock.release()
        self._locks.clear()
        if self._snapshot_dir is not None:
            shutil.rmtree(self._snapshot_dir, ignore_errors=True)

    def cached(self, key: tuple) -> tuple[str, bytes] | None:
        if not self.settings.cache_enabled:
            return None
        with self._cache_lock:
            hit = self._cache.get((self.version, key))
            if hit is not None:
                self._cache.move_to_end((self.version, key))
            return hit

    def remember(self, key: tuple, media_type: str, body: bytes) -> None:
        if not self.settings.cache_enabled or len(body) > _CACHE_MAX_BYTES:
            return
        with self._cache_lock:
            self._cache[(self.version, key)] = (media_type, body)
            while len(self._cache) > _CACHE_ENTRIES:
                self._cache.popitem(last=False)

    def _fixed_snapshot(self, store: ox.Store) -> Snapshot:
        # a store object does not tell its folder: workers get one copy of it, taken once
        self._snapshot_dir = Path(tempfile.mkdtemp(prefix="kg-snapshots-"))
        # a fixed store was not built by kg.build: its search index is made here, beside its copy
        self.search_index = self._snapshot_dir / INDEX_NAME
        build_index(StoreRunner(store), self.search_index)
        target = self._snapshot_dir / "store"
        try:
            store.backup(str(target))
            return Snapshot("store", str(target))
        except (OSError, ValueError, RuntimeError):
            # an in-memory store cannot be backed up: the workers load a dump instead
            shutil.rmtree(target, ignore_errors=True)
            dump = self._snapshot_dir / "store.nq"
            store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
            return Snapshot("nquads", str(dump))


class FollowCurrent:
    """ASGI middleware: before each HTTP request, switch the app's GraphState to the published store."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope["app"].state.graph.follow()
        await self.app(scope, receive, send)
