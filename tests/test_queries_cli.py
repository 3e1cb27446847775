"""`kg queries`, `kg query` and `kg figures` from the command line (the installed `kg`, real files), over
the store `kg build` published from this checkout (built once per session, `built_store`)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_support import ROOT, kg_env, run_kg
from queries_support import named_query_files

QUERY_NAMES = sorted(named_query_files())


def kg(*args: str, store: Path):
    return run_kg(*args, env=kg_env(ROOT, store))


def test_kg_queries_lists_every_query_with_its_summary(tmp_path: Path):
    assert QUERY_NAMES
    result = kg("queries", store=tmp_path / "no-store")  # needs no store
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sorted(line.split()[0] for line in lines) == QUERY_NAMES
    assert all(len(line.split()) > 1 for line in lines), "a query is listed without its summary"


def test_kg_query_unknown_name_exits_2_naming_it(tmp_path: Path):
    result = kg("query", "no-such-query", store=tmp_path / "no-store")
    assert result.returncode == 2 and "no-such-query" in result.stderr


def test_kg_query_bad_parameter_exits_2_naming_it(tmp_path: Path):
    result = kg("query", "papers-in-category", "--param", "category=not an iri", store=tmp_path / "no-store")
    assert result.returncode == 2 and "'category'" in result.stderr


def test_kg_query_unknown_parameter_exits_2_naming_it(tmp_path: Path):
    result = kg("query", "survey-table-2", "--param", "colour=red", store=tmp_path / "no-store")
    assert result.returncode == 2 and "'colour'" in result.stderr


def test_kg_query_parameter_without_value_exits_2(tmp_path: Path):
    result = kg("query", "survey-table-2", "--param", "colour", store=tmp_path / "no-store")
    assert result.returncode == 2 and "expected KEY=VALUE" in result.stderr


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "md"])
def test_kg_query_prints_the_result_in_each_format(fmt: str, built_store: Path):
    result = kg("query", "survey-table-9", "--format", fmt, store=built_store)
    assert result.returncode == 0, result.stderr
    out = result.stdout
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


def test_kg_query_binds_a_parameter_from_the_command_line(built_store: Path):
    result = kg("query", "papers-in-category", "--param", "category=cat:reward-signal", "--format", "csv",
                store=built_store)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {row["category"] for row in rows} == {"https://w3id.org/duality-kg/category/reward-signal"}


def test_kg_figures_writes_png_and_svg(built_store: Path, tmp_path: Path):
    result = kg("figures", "--out", str(tmp_path), store=built_store)
    assert result.returncode == 0, result.stderr
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["gap-history.png", "gap-history.svg", "heatmap.png", "heatmap.svg",
                       "list-growth.png", "list-growth.svg", "trend.png", "trend.svg"]
    assert result.stderr == (f"kg figures: wrote trend.png, trend.svg, heatmap.png, heatmap.svg, list-growth.png, "
                             f"list-growth.svg, gap-history.png, gap-history.svg in {tmp_path}\n")
    for path in tmp_path.iterdir():
        content = path.read_bytes()
        assert len(content) > 5_000, f"{path.name} is suspiciously small"
        assert content.startswith(b"\x89PNG") if path.suffix == ".png" else b"<svg" in content
