"""`kg queries`, `kg query` and `kg figures` from the command line (in-process, real files).

The commands query the built store (`kg build`: load, validate, reason); here it is built once into a
temporary folder.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import pytest

from kg.cli import main
from queries_support import ROOT, named_query_files, require_data

QUERY_NAMES = sorted(named_query_files())


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kg") / "store"


@pytest.fixture(autouse=True)
def in_project(monkeypatch: pytest.MonkeyPatch, store_dir: Path) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("KG_ROOT", str(ROOT))
    monkeypatch.setenv("KG_STORE_DIR", str(store_dir))


def require_build() -> None:
    """Skip until the whole pipeline `kg build` runs (validate, reason) is merged into this branch."""
    require_data()
    missing = [name for name in ("kg.validate", "kg.reason") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"`kg build` needs {', '.join(missing)}, not merged yet")


def test_kg_queries_lists_every_query_with_its_summary(capsys: pytest.CaptureFixture[str]):
    assert QUERY_NAMES
    assert main(["queries"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(line.split()[0] for line in lines) == QUERY_NAMES
    assert all(len(line.split()) > 1 for line in lines), "a query is listed without its summary"


def test_kg_query_unknown_name_exits_2_naming_it(capsys: pytest.CaptureFixture[str]):
    assert main(["query", "no-such-query"]) == 2
    assert "no-such-query" in capsys.readouterr().err


def test_kg_query_bad_parameter_exits_2_naming_it(capsys: pytest.CaptureFixture[str]):
    assert main(["query", "papers-in-category", "--param", "category=not an iri"]) == 2
    assert "'category'" in capsys.readouterr().err


def test_kg_query_unknown_parameter_exits_2_naming_it(capsys: pytest.CaptureFixture[str]):
    assert main(["query", "survey-table-2", "--param", "colour=red"]) == 2
    assert "'colour'" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "md"])
def test_kg_query_prints_the_result_in_each_format(fmt: str, capsys: pytest.CaptureFixture[str]):
    require_build()
    assert main(["query", "survey-table-9", "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        document = json.loads(out)
        assert document["head"]["vars"][0] == "benchmark" and document["results"]["bindings"]
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0][0] == "benchmark" and len(rows) > 1
    elif fmt == "md":
        assert out.startswith("| benchmark |") and out.count("\n") > 2
    else:
        assert out.startswith("benchmark") and "row" in out.splitlines()[-1]
    assert "Meta-World" in out


def test_kg_query_binds_a_parameter_from_the_command_line(capsys: pytest.CaptureFixture[str]):
    require_build()
    assert main(["query", "papers-in-category", "--param", "category=cat:reward-signal", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and {row["category"] for row in rows} == {"https://w3id.org/duality-kg/category/reward-signal"}


def test_kg_figures_writes_png_and_svg(tmp_path: Path):
    require_build()
    assert main(["figures", "--out", str(tmp_path)]) == 0
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["heatmap.png", "heatmap.svg", "trend.png", "trend.svg"]
    for path in tmp_path.iterdir():
        content = path.read_bytes()
        assert len(content) > 5_000, f"{path.name} is suspiciously small"
        assert content.startswith(b"\x89PNG") if path.suffix == ".png" else b"<svg" in content
