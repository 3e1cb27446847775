"""The read commands over a store `kg build` published (the installed `kg`, in subprocesses): they answer
from it read-only and never build; a stale store is refused naming `kg build`; `--build` rebuilds it;
a closed pipe ends a command quietly."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

import pytest
from cli_support import KG, ROOT, builds, copy_project, copy_store, kg_env, run_kg

# command line -> what its output must hold
READS = {
    "stats": (["stats", "--format", "json"], lambda out: json.loads(out)["papers"] > 200),
    "query": (["query", "papers-per-category", "--format", "csv"],
              lambda out: "cat:llm" in out or "/category/llm" in out),
    "export": (["export", "--format", "nt"], lambda out: out.count("\n") > 10_000),
    "gaps": (["gaps", "--format", "json"], lambda out: len(json.loads(out)["matrices"]) == 2),
}


@pytest.mark.parametrize("name", sorted(READS))
def test_read_command_answers_from_the_built_store_without_building(name: str, built_store: Path):
    args, holds = READS[name]
    before = builds(built_store)
    result = run_kg(*args, env=kg_env(ROOT, built_store))
    assert result.returncode == 0, result.stderr
    assert holds(result.stdout), result.stdout[:500]
    assert result.stderr == ""  # quiet when piped: no progress, no summary for output on stdout
    assert builds(built_store) == before, "a read command built the store"


def test_export_to_a_file_writes_it_whole(built_store: Path, tmp_path: Path):
    out = tmp_path / "out" / "graph.nq"
    result = run_kg("export", "--format", "nq", "--out", str(out), env=kg_env(ROOT, built_store))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == f"kg export: wrote {out}\n"
    assert "<https://w3id.org/duality-kg/graph/inferred>" in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.parent.iterdir()) == ["graph.nq"], "a temporary file was left behind"


def test_build_on_an_up_to_date_store_publishes_nothing_and_says_so(built_store: Path):
    before = builds(built_store)
    result = run_kg("build", env=kg_env(ROOT, built_store))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("kg build: store up to date: ") and result.stderr.count("\n") == 1
    assert builds(built_store) == before


def run_into_pipe(args: str, reader: str, *, store: Path, stderr: Path) -> list[str]:
    """`kg ARGS 2>STDERR | READER` through bash; the reader's output lines, then `kg exit=N`."""
    script = f"{' '.join(KG)} {args} 2>{stderr} | {reader}; echo \"kg exit=${{PIPESTATUS[0]}}\""
    result = subprocess.run(["bash", "-c", script], env=kg_env(ROOT, store), cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    return result.stdout.splitlines()


@pytest.mark.parametrize("fmt", ["ttl", "nq"])
def test_export_into_head_ends_quietly(fmt: str, built_store: Path, tmp_path: Path):
    """Regression: `kg export | head -1` printed a BrokenPipeError traceback (and 'Exception ignored')."""
    err = tmp_path / "stderr"
    first, status = run_into_pipe(f"export --format {fmt}", "head -1", store=built_store, stderr=err)
    assert first.startswith("@prefix" if fmt == "ttl" else "<")
    # the export (about 1 MB) is larger than the pipe's buffer, so kg does write into the closed pipe
    assert status == "kg exit=0"
    assert err.read_text() == ""


def test_text_output_into_a_closed_pipe_ends_quietly(built_store: Path, tmp_path: Path):
    err = tmp_path / "stderr"
    # `true` reads nothing and exits long before the report is ready, so kg writes into a closed pipe
    assert run_into_pipe("gaps --format json", "true", store=built_store, stderr=err) == ["kg exit=0"]
    assert err.read_text() == ""


@pytest.fixture(scope="module")
def stale_project(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the project and its built store, then one data file changed: the store is stale."""
    root = copy_project(tmp_path_factory.mktemp("stale-project"))
    store = copy_store(built_store, root / ".kg" / "store")
    paper = sorted((root / "data" / "ttl" / "papers").glob("*.ttl"))[0]
    paper.write_text(paper.read_text(encoding="utf-8") + "# changed after the build\n", encoding="utf-8")
    return root, store


@pytest.mark.parametrize("command", ["query", "gaps", "figures", "export"])
def test_read_command_on_a_stale_store_exits_2_naming_kg_build_and_does_not_build(
        command: str, stale_project: tuple[Path, Path], tmp_path: Path):
    """Regression: a read command silently rebuilt the store (load, SHACL, HermiT) when a file changed."""
    root, store = stale_project
    before = builds(store)
    args = {"query": ["papers-per-category"], "figures": ["--out", str(tmp_path)]}.get(command, [])
    result = run_kg(command, *args, env=kg_env(root, store))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"kg {command}: the store was built from other inputs")
    assert "run `kg build` (or pass --build)" in result.stderr
    assert builds(store) == before


def test_build_flag_rebuilds_a_stale_store_then_the_command_answers(stale_project: tuple[Path, Path]):
    root, store = stale_project
    before = builds(store)
    result = run_kg("export", "--format", "nt", "--build", env=kg_env(root, store))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") > 10_000
    # piped stderr: no progress lines, one summary of the build
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("kg export: store built in ")
    assert builds(store) != before
    again = run_kg("query", "papers-per-category", env=kg_env(root, store))
    assert again.returncode == 0 and again.stderr == ""


def test_progress_is_rewritten_in_place_on_a_terminal_and_ends_with_the_summary(built_store: Path):
    """stderr a terminal (a pseudo-terminal here): each step rewrites one line (`\\r` + erase), then the summary."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen([*KG, "build"], env=kg_env(ROOT, built_store), cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=follower)
        os.close(follower)
        out, _ = process.communicate(timeout=120)
        written = b""
        while chunk := _read_pty(leader):
            written += chunk
    finally:
        os.close(leader)
    assert process.returncode == 0 and out == b""
    text = written.decode()
    steps = text.split("\r\x1b[K")
    assert steps[1].startswith("kg build: building the store: load, validate, reason, publish [")
    assert steps[2].startswith("kg build: store up to date: ")
    assert steps[-1].startswith("kg build: store up to date: ") and steps[-1].endswith(" quads)\r\n")
    assert "\n" not in "".join(steps[:-1]), "a progress step ended its line"


def _read_pty(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the other side is closed and everything was read
        return b""
