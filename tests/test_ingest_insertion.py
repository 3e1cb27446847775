"""Record keys come from content, not positions: inserting one entry into a source changes only the files
of the work(s) that entry is about, and the import (with its curated rows) still runs.

Regression: records were `#list-<line>` and data/curated/list-links.csv was keyed by list line, so one line
inserted into the companion list broke `kg import` until 79 CSV rows were renumbered, after which ~107
generated files changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.ingest import run_import
from kg.ingest.sources import SOURCE_FILES
from kg.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CURATED = REPO / "data" / "curated"
SOURCES = Settings(root=REPO).sources_dir
ABSTRACT = ("A made-up abstract for a test fixture. " * 10).strip()

# (source, the entry after which to insert, the inserted text: made-up test fixtures, not data,
#  the files under data/ttl/ that must change: "+" added, "~" changed; layouts.ttl holds the list's order,
#  which an insertion into the list changes by design: the other works' files stay as they were)
CASES = [
    pytest.param("companion-list", "- Eureka: Human-Level Reward Design via Coding Large Language Models",
                 "- A Made-Up Fixture Work on Reward Shaping [[paper]](https://arxiv.org/abs/2999.00001)",
                 {"+papers/arxiv-2999.00001.ttl", "~layouts.ttl"}, id="new-work-mid-list"),
    pytest.param("companion-list", "##### 2.VLMs for reward learning",
                 "- Eureka: Human-Level Reward Design via Coding Large Language Models "
                 "[[paper]](https://arxiv.org/abs/2310.12931)",
                 {"~papers/arxiv-2310.12931.ttl", "~layouts.ttl"}, id="listed-work-under-a-second-heading"),
    pytest.param("related-papers", "DrM: Mastering Visual Reinforcement Learning through Dormant Ratio Minimization",
                 f"\nA Made-Up Fixture Work on Visual Pre-Training\n\n{ABSTRACT}",
                 {"+papers/title-made-up-fixture-work.ttl"}, id="new-related-paper"),
]


def _tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*.ttl"))}


def _insert_after(path: Path, anchor: str, text: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next((i for i, line in enumerate(lines) if line.strip().startswith(anchor)), None)
    assert at is not None, f"{path.name}: no line starts with {anchor!r}"
    if path.name.startswith("002_"):
        at += 2  # after the title's abstract: title and abstract stay together
    path.write_text("\n".join(lines[:at + 1] + [text] + lines[at + 1:]), encoding="utf-8")


@pytest.fixture(scope="module")
def sources_copy(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    if SOURCES is None or not (SOURCES / SOURCE_FILES["companion-list"]).is_file():
        pytest.skip(f"sources folder absent ({SOURCES}); set KG_SOURCES_DIR")
    copy = tmp_path_factory.mktemp("sources")
    for folder in ("seeds", "survey-repo"):
        shutil.copytree(SOURCES / folder, copy / folder)
    out = tmp_path_factory.mktemp("before") / "ttl"
    run_import(sources_dir=copy, curated_dir=CURATED, out_dir=out)
    return copy, _tree(out)


def test_the_case_list_is_not_empty():
    assert len(CASES) >= 3


@pytest.mark.parametrize(("source", "anchor", "text", "expected"), CASES)
def test_an_inserted_entry_changes_only_the_files_of_its_work(sources_copy, tmp_path, source, anchor, text, expected):
    original, before = sources_copy
    sources = tmp_path / "sources"
    shutil.copytree(original, sources)
    _insert_after(sources / SOURCE_FILES[source], anchor, text)
    out = tmp_path / "ttl"
    run_import(sources_dir=sources, curated_dir=CURATED, out_dir=out)
    after = _tree(out)
    changed = {f"+{name}" for name in after.keys() - before.keys()}
    changed |= {f"-{name}" for name in before.keys() - after.keys()}
    changed |= {f"~{name}" for name in before.keys() & after.keys() if before[name] != after[name]}
    assert changed == expected
