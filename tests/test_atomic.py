"""kg.atomic: a replaced file is the old one or the new one, never a mix, and no temporary file is left."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.atomic import replacing, write_atomic


def test_write_atomic_replaces_the_file_and_leaves_no_temporary(tmp_path: Path):
    target = tmp_path / "deep" / "out.ttl"
    write_atomic(target, "old\n")
    write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.ttl"]


def test_an_error_while_writing_keeps_the_old_file(tmp_path: Path):
    target = tmp_path / "out.ttl"
    write_atomic(target, "old\n")
    with pytest.raises(RuntimeError, match="half written"):
        with replacing(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("half written")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]
