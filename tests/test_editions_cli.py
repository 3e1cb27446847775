"""`kg changelog` and `kg diff` as a user runs them: the installed entry point in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import ROOT, kg_env, run_kg


def test_changelog_covers_all_91_editions(tmp_path: Path):
    result = run_kg("changelog", "--format", "json", env=kg_env(ROOT, tmp_path / "store"))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 91
    assert rows[0]["edition"] == "2024-08-17T115853_a49c175" and rows[-1]["edition"] == "seed"
    assert rows[-1] | {"date": None} == rows[-1] and rows[-1]["works"] == 158
    assert all(len(row["commit"]) == 40 for row in rows[:-1])
    # the first edition that lists papers adds every work it lists
    first = next(row for row in rows if row["works"])
    assert first["added"] == first["works"] == 95 and first["removed"] == 0
    assert not (tmp_path / "store").exists(), "kg changelog touched the store"


def test_changelog_markdown_has_one_row_per_edition(tmp_path: Path):
    result = run_kg("changelog", env=kg_env(ROOT, tmp_path / "store"))
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| 20") or line.startswith("| seed")]
    assert len(rows) == 91 and rows[-1].startswith("| seed | - | - | 158 | +4 | -2 |")


def test_diff_reads_as_a_maintainer_would_write_it(tmp_path: Path):
    result = run_kg("diff", "2025-07-26", "seed", env=kg_env(ROOT, tmp_path / "store"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "## 2025-07-26T152432 (08f5b9c) -> seed"
    assert ("- Added 1 work under 'RL for Generative Policies > Policy Safety (new!)': SafeVLA: Towards Safety "
            "Alignment of VisionLanguage-Action Model via Constrained Learning") in lines
    assert "- New sections: 'RL for Generative Policies > Policy Safety (new!)'" in lines
    json_result = run_kg("diff", "08f5b9c", "seed", "--format", "json", env=kg_env(ROOT, tmp_path / "store"))
    change = json.loads(json_result.stdout)
    assert {w["work"] for w in change["added"]} >= {"paper:arxiv-2505.18719", "paper:arxiv-2509.09674"}
    assert len(change["removed"]) == 2 and change["renamed"] == []
