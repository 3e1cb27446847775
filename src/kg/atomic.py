"""Atomic file replacement: a reader sees the old file or the new one, never half of one, even after a crash.

The new content goes to a temporary file in the target's folder (same file system, so `os.replace` is an
atomic rename), is flushed to disk, renamed over the target, and the folder entry is flushed too.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["fsync_folder", "replacing", "write_atomic"]


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename or a new file in it) to disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `path`; when the block ends without error, it replaces `path`.

    Creates the parent folder. On error the temporary file is removed and `path` is left as it was.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out" / "a.txt"
    >>> with replacing(target) as tmp:
    ...     _ = tmp.write_text("new")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('new', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(descriptor)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def write_atomic(path: Path | str, content: bytes | str) -> None:
    """Replace `path` with `content` (text is written as UTF-8) atomically; see `replacing`."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    with replacing(path) as tmp:
        tmp.write_bytes(data)
