"""Where the built stores live, who may write them and how readers open them.

The store has one writer, the build (`kg.build`); everything else opens the published store read-only.
Inside `Settings.store_dir` (default `.kg/store`):

    builds/<id>/            one published store (RocksDB); never changed once published
    builds/<id>.json        its manifest: the fingerprint of the inputs it was built from, when
    builds/<id>.readers     readers hold a shared lock on it while they have that store open
    current                 a symlink to builds/<id>, switched atomically (rename) by `publish`
    writer.lock             held by the one writer while it builds and publishes

A writer prepares a new folder (`new_build_dir`), fills it, closes it and `publish`es it; old builds are
removed by `remove_unused` once no process holds their reader lock. Readers call `open_current`, which
also checks that the store was built from the inputs as they are now (`StoreStale` otherwise).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.atomic import fsync_folder, write_atomic
from kg.errors import StoreBusy, StoreMissing, StoreStale
from kg.interrupts import raise_if_interrupted
from kg.settings import Settings

__all__ = ["PublishedStore", "ReaderLock", "current", "open_current", "writer_lock", "new_build_dir",
           "publish", "remove_unused"]


@dataclass(frozen=True)
class PublishedStore:
    """A published build: its folder and the fingerprint of the inputs it was built from."""

    path: Path
    fingerprint: str


def _home(settings: Settings) -> Path:
    return Path(settings.store_dir)


def _builds(settings: Settings) -> Path:
    return _home(settings) / "builds"


def _manifest(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _readers_file(path: Path) -> Path:
    return path.with_name(path.name + ".readers")


def current(settings: Settings) -> PublishedStore | None:
    """The published store `current` points at, or None when nothing was built yet."""
    link = _home(settings) / "current"
    try:
        target = _home(settings) / os.readlink(link)
        fingerprint = json.loads(_manifest(target).read_text())["fingerprint"]
    except (OSError, ValueError, KeyError):
        return None
    return PublishedStore(path=target, fingerprint=fingerprint) if target.is_dir() else None


class ReaderLock:
    """A shared lock on one published store: while held, `remove_unused` leaves that store alone."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = os.open(_readers_file(path), os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_held: list[ReaderLock] = []
"""Reader locks of stores opened by `open_current` without an owner: held until the process exits."""


def lock_current(settings: Settings, *, fingerprint: str | None = None) -> tuple[PublishedStore, ReaderLock]:
    """Take a reader lock on the current store. Raises StoreMissing, or StoreStale when `fingerprint`
    (the inputs' fingerprint now) differs from the one the store was built from."""
    for _ in range(5):
        published = current(settings)
        if published is None:
            raise StoreMissing(f"no store has been built in {settings.store_dir}: run `kg build` first")
        lock = ReaderLock(published.path)
        if published.path.is_dir():  # not removed between reading `current` and taking the lock
            if fingerprint is not None and published.fingerprint != fingerprint:
                lock.release()
                raise StoreStale("the store was built from other inputs than data/ and ontology/ hold now: "
                                 "run `kg build` (or pass --build)")
            return published, lock
        lock.release()
    raise StoreMissing(f"the store in {settings.store_dir} keeps changing; try again")


def open_current(settings: Settings, *, fingerprint: str | None = None) -> ox.Store:
    """The current store, opened read-only; its reader lock is held until the process exits.

    Raises StoreMissing (nothing built) or StoreStale (see `lock_current`).
    """
    published, lock = lock_current(settings, fingerprint=fingerprint)
    _held.append(lock)
    return ox.Store.read_only(str(published.path))


@contextmanager
def writer_lock(settings: Settings, *, wait_s: float = 0.0) -> Iterator[None]:
    """Be the one writer for the duration of the block. Raises StoreBusy when another process is."""
    _home(settings).mkdir(parents=True, exist_ok=True)
    fd = os.open(_home(settings) / "writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusy(f"another process is building or writing the store in {settings.store_dir}; "
                                    "wait for it to finish") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def new_build_dir(settings: Settings) -> Path:
    """A fresh, empty folder for a store being built (call inside `writer_lock`)."""
    _builds(settings).mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for n in range(1000):
        path = _builds(settings) / f"{stamp}-{os.getpid()}-{n}"
        if not path.exists():
            return path
    raise StoreBusy(f"cannot find a free build folder name in {_builds(settings)}")


def publish(settings: Settings, path: Path, *, fingerprint: str) -> PublishedStore:
    """Make the closed store at `path` the current one (atomically), then remove unused old builds.

    Until the switch, a failure or a Ctrl-C (even one a finaliser swallowed, kg.interrupts) publishes
    nothing: the build is removed and the error raised."""
    link = _home(settings) / "current"
    staged = link.with_name(f"current.{os.getpid()}.tmp")
    try:
        raise_if_interrupted()
        write_atomic(_manifest(path), json.dumps({"fingerprint": fingerprint}))
        staged.unlink(missing_ok=True)
        os.symlink(os.path.relpath(path, _home(settings)), staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        shutil.rmtree(path, ignore_errors=True)
        raise
    os.replace(staged, link)
    fsync_folder(_home(settings))
    remove_unused(settings)
    return PublishedStore(path=path, fingerprint=fingerprint)


def remove_unused(settings: Settings) -> list[Path]:
    """Remove the builds other than the current one that no process reads, and leftovers of failed
    builds (folders without a manifest). Returns what was removed."""
    builds = _builds(settings)
    if not builds.is_dir():
        return []
    published = current(settings)
    keep = published.path.name if published else None
    removed = []
    for path in builds.iterdir():
        if not path.is_dir() or path.name == keep:
            continue
        if not _manifest(path).exists() and _being_built(path):
            continue
        fd = os.open(_readers_file(path), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            shutil.rmtree(path, ignore_errors=True)
            _manifest(path).unlink(missing_ok=True)
            _readers_file(path).unlink(missing_ok=True)
            removed.append(path)
        finally:
            os.close(fd)
    return removed


def _being_built(path: Path) -> bool:
    """A folder without a manifest is a build in progress when its writer process is still alive."""
    try:
        pid = int(path.name.split("-")[1])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return pid != os.getpid()
