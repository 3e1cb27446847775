"""The served graph's state: the store, its version, the snapshot workers read, and the result cache.

The version changes whenever the data changes (a write through the API, or a rebuild between
restarts); ETags and cache keys include it, so nothing stale is ever served.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import pyoxigraph as ox

from kg.api.workers import Snapshot
from kg.settings import Settings

__all__ = ["GraphState"]

_CACHE_ENTRIES = 512
_CACHE_MAX_BYTES = 1_000_000


class GraphState:
    """Owns the primary store; `changed()` is called after each committed write."""

    def __init__(self, *, settings: Settings, store: ox.Store):
        self.settings, self.store = settings, store
        self.write_lock = threading.Lock()
        self._generation = 0
        self._content_id = self._fingerprint()
        parent = settings.store_dir.parent if settings.store_dir and settings.store_dir.parent.is_dir() else None
        self._snapshot_dir = Path(tempfile.mkdtemp(prefix="kg-snapshots-", dir=parent))
        self._cache: OrderedDict[tuple, tuple[str, bytes]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.snapshot = self._take_snapshot()

    @property
    def version(self) -> str:
        return f"{self._content_id}-{self._generation}"

    def changed(self) -> None:
        """Take a new snapshot for the workers and invalidate the cache; call after every committed write."""
        self._generation += 1
        self._content_id = self._fingerprint()
        self.snapshot = self._take_snapshot()
        with self._cache_lock:
            self._cache.clear()

    def close(self) -> None:
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

    def _fingerprint(self) -> str:
        # Counts per graph plus the data files' sizes and times: changes whenever the data does.
        digest = hashlib.sha1()
        for graph in sorted(str(g) for g in self.store.named_graphs()):
            digest.update(graph.encode())
        digest.update(str(len(self.store)).encode())
        data_dir = self.settings.data_dir
        if data_dir and data_dir.is_dir():
            for path in sorted(data_dir.rglob("*.ttl")):
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()[:12]

    def _take_snapshot(self) -> Snapshot:
        target = self._snapshot_dir / f"v{self._generation}"
        try:
            self.store.backup(str(target))
            return Snapshot("store", str(target))
        except (OSError, ValueError, RuntimeError):
            # an in-memory store cannot be backed up: the workers load a dump instead
            shutil.rmtree(target, ignore_errors=True)
            dump = target.with_suffix(".nq")
            self.store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
            return Snapshot("nquads", str(dump))
