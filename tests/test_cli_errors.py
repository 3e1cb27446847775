"""`kg` as a user runs it (the installed entry point, in a subprocess): help, exit codes and one-line
error messages for every command, settings errors, --debug anywhere. No store is built here."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import KG, ROOT, kg_env, run_kg

COMMANDS = ["serve", "build", "validate", "import", "stats", "query", "queries", "reason", "gaps", "figures",
            "export", "changelog", "diff", "release", "add", "review", "candidates", "place", "render"]
STORE_READERS = ["query", "gaps", "figures", "export", "render"]
"""The commands that read the built store (and accept --build)."""

SHAPES = ROOT / "tests" / "fixtures" / "shapes"
BROKEN_TURTLE = "@prefix dkg: <https://w3id.org/duality-kg/ontology#> .\n<https://example.org/x> dkg:p \"open ;\n"
# the arguments each command needs to reach its work (query: a real query name)
ARGS = {"query": ["papers-per-category"], "diff": ["2024-08-27", "seed"], "release": ["1.0"],
        "place": ["arxiv-2310.12931"], "render": ["list"]}


def test_the_command_list_is_the_one_kg_help_shows():
    result = run_kg("--help", env=kg_env(ROOT, ROOT / ".kg" / "store"))
    assert result.returncode == 0
    listed = re.findall(r"^    (\w+) ", result.stdout, flags=re.MULTILINE)
    assert listed == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_defaults(command: str, tmp_path: Path):
    result = run_kg(command, "--help", env=kg_env(ROOT, tmp_path / "store"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: kg {command}") and "--debug" in result.stdout
    if command in STORE_READERS:
        assert "--build" in result.stdout and "kg build" in result.stdout
    if command in ("stats", "query", "gaps", "export"):
        assert "(default: " in result.stdout, "an option's default is not shown"
    assert not (tmp_path / "store").exists(), "--help touched the store"


def one_line_error(result, command: str) -> str:
    """The only line on stderr, which must name the command; no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"kg {command}: "), lines[0]
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_setting_exits_2_with_one_line_naming_the_variable(command: str, tmp_path: Path):
    env = kg_env(ROOT, tmp_path / "store", PORT="abc")
    result = run_kg(command, *ARGS.get(command, []), env=env)
    assert result.returncode == 2
    line = one_line_error(result, command)
    assert "KG_PORT: input should be a valid integer" in line and "'abc'" in line


def broken_project(tmp_path: Path) -> dict[str, str]:
    """The project's ontology and queries with a data folder holding one file that does not parse."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "broken.ttl").write_text(BROKEN_TURTLE, encoding="utf-8")
    bad_queries = tmp_path / "queries"
    bad_queries.mkdir()
    (bad_queries / "no-header.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    return kg_env(ROOT, tmp_path / "store", DATA_DIR=str(data))


TURTLE_ERROR = r"broken\.ttl:2:\d+: Turtle syntax error"  # file:line:column
# command -> (extra settings, arguments, what the one line must say)
ERROR_CASES = {
    "serve": ({}, [], TURTLE_ERROR),
    "build": ({}, [], TURTLE_ERROR),
    "reason": ({}, [], TURTLE_ERROR),
    "validate": ({}, ["--skip-reasoner"], TURTLE_ERROR),
    "stats": ({}, [], TURTLE_ERROR),
    "import": ({}, ["--sources", "{tmp}/no-sources"], r"sources folder .*no-sources does not exist"),
    "queries": ({"QUERIES_DIR": "{tmp}/queries"}, [], r"no-header\.rq:1: the query has no '#\+ summary:'"),
    "query": ({"DATA_DIR": str(ROOT / "data" / "ttl")}, ["papers-per-category"],
              r"no store has been built .*`kg build`"),
    "gaps": ({"DATA_DIR": str(ROOT / "data" / "ttl")}, [], r"no store has been built .*`kg build`"),
    "figures": ({"DATA_DIR": str(ROOT / "data" / "ttl")}, ["--out", "{tmp}/figures"],
                r"no store has been built .*`kg build`"),
    "export": ({"DATA_DIR": str(ROOT / "data" / "ttl")}, [], r"no store has been built .*`kg build`"),
    "changelog": ({"SOURCES_DIR": "{tmp}/no-sources"}, [], r"no-sources/survey-repo/history/MANIFEST\.tsv is missing"),
    "diff": ({}, ["2024-08-27", "1999-01-01"], r"no edition '1999-01-01': give `seed`, a date between 2024-08-17"),
    "release": ({"DATA_DIR": str(ROOT / "data" / "ttl"), "RELEASES_DIR": "{tmp}/releases"}, ["1.0"],
                r"no store has been built .*`kg build`"),
    "add": ({}, [str(ROOT / "tests" / "fixtures" / "add" / "bad-no-title.bib")],
            r"bad-no-title\.bib: entry @article\{notitle2024\} \(line 8\): the entry has no title"),
    "review": ({}, [], TURTLE_ERROR),
    "candidates": ({}, [], TURTLE_ERROR),
    "place": ({}, ["arxiv-2310.12931"], TURTLE_ERROR),
    "render": ({"DATA_DIR": str(ROOT / "data" / "ttl")}, ["sheets", "--out", "{tmp}/sheets"],
               r"no store has been built .*`kg build`"),
}


def test_every_command_has_an_error_case():
    assert sorted(ERROR_CASES) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_fails_with_exit_2_and_one_line_without_traceback(command: str, tmp_path: Path):
    settings, args, expected = ERROR_CASES[command]
    env = broken_project(tmp_path)
    env.update({f"KG_{k}": v.format(tmp=tmp_path) for k, v in settings.items()})
    result = run_kg(command, *[a.format(tmp=tmp_path) for a in args], env=env)
    assert result.returncode == 2, result.stderr
    assert re.search(expected, one_line_error(result, command)), result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "store" / "current").exists(), "a failed command published a store"
    assert not (tmp_path / "figures").exists()


@pytest.mark.parametrize("where", ["after", "before"])
def test_debug_is_accepted_after_the_command_too(where: str, tmp_path: Path):
    """Regression: `kg query x --debug` was rejected (--debug only worked before the command)."""
    args = ["query", "x", "--debug"] if where == "after" else ["--debug", "query", "x"]
    result = run_kg(*args, env=kg_env(ROOT, tmp_path / "store"))
    assert result.returncode == 2
    assert "Traceback" in result.stderr and "NotFound" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("kg query: no named query 'x'")


def test_without_debug_an_error_is_one_line(tmp_path: Path):
    result = run_kg("query", "x", env=kg_env(ROOT, tmp_path / "store"))
    assert result.returncode == 2
    assert "no named query 'x'" in one_line_error(result, "query")


def test_a_usage_error_exits_2(tmp_path: Path):
    result = run_kg("export", "--format", "xml", env=kg_env(ROOT, tmp_path / "store"))
    assert result.returncode == 2 and "invalid choice: 'xml'" in result.stderr


@pytest.mark.parametrize("command", STORE_READERS)
def test_a_read_command_without_a_store_exits_2_naming_kg_build_and_builds_nothing(command: str, tmp_path: Path):
    args = {"query": ["papers-per-category", "--format", "csv"], "gaps": ["--format", "json"],
            "figures": ["--out", str(tmp_path / "figures")], "export": ["--format", "nt"],
            "render": ["list"]}[command]
    result = run_kg(command, *args, env=kg_env(ROOT, tmp_path / "store"))
    assert result.returncode == 2
    assert "run `kg build`" in one_line_error(result, command)
    assert not (tmp_path / "store" / "builds").exists(), "a read command built the store"


def test_an_unreadable_data_file_exits_2_naming_it(tmp_path: Path):
    # a folder where a Turtle file is expected: unreadable even for root (chmod is not)
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "ttl", data)
    (data / "papers" / "unreadable.ttl").mkdir()
    result = run_kg("export", env=kg_env(ROOT, tmp_path / "store", DATA_DIR=str(data)))
    assert result.returncode == 2
    assert one_line_error(result, "export") == f"kg export: Is a directory: {data / 'papers' / 'unreadable.ttl'}"


def test_nonconforming_data_stops_the_build_with_exit_1_and_publishes_nothing(tmp_path: Path):
    data = tmp_path / "data"
    (data / "papers").mkdir(parents=True)
    (data / "sources.ttl").write_text((SHAPES / "sources.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    for target, source in [("eureka.ttl", SHAPES / "valid" / "eureka-tables-and-shared-entities.ttl"),
                           ("arxiv-2307.15818.ttl", SHAPES / "invalid" / "work-title-missing.ttl")]:
        (data / "papers" / target).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_kg("build", env=kg_env(ROOT, tmp_path / "store", DATA_DIR=str(data)))
    assert result.returncode == 1, result.stderr
    assert "FAIL shape:Work-title: 1 violation(s)" in result.stderr  # the report, on stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("kg build: the data does not conform (1 violation(s)")
    assert result.stdout == ""
    assert not (tmp_path / "store" / "current").exists(), "a store was published from nonconforming data"


def test_ctrl_c_during_a_build_exits_130_and_publishes_nothing(tmp_path: Path):
    store = tmp_path / "store"
    process = subprocess.Popen([*KG, "build"], env=kg_env(ROOT, store), cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list((store / "builds").glob("*/CURRENT")):  # the build has begun writing its new store
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    time.sleep(1.0)  # into loading the files
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert err == "kg build: interrupted\n" and out == ""
    assert not (store / "current").exists()
    left = [(p, sorted(x.name for x in p.iterdir())) for p in (store / "builds").iterdir() if p.is_dir()]
    assert left == [], "the half-built store was left behind"


FINALISER_SWALLOWS_CTRL_C = """
import os, signal, sys
from pathlib import Path
from kg.interrupts import record_interrupts
from kg.settings import Settings
from kg.store import current, new_build_dir, publish

settings = Settings(root=sys.argv[1], store_dir=sys.argv[2])
record_interrupts()

class Finalised:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands in a finaliser: Python prints it and goes on

Finalised()
print("went on after the Ctrl-C", flush=True)
target = new_build_dir(settings)
try:
    publish(settings, target, fingerprint="x")
except KeyboardInterrupt:
    print("publish refused", target.exists(), current(settings))
"""


def test_a_ctrl_c_a_finaliser_swallowed_still_stops_publishing(tmp_path: Path):
    """The build's `gc.collect()` ran weakref callbacks when Ctrl-C came: the KeyboardInterrupt was printed
    as "Exception ignored" and `kg build` published (found by test_ctrl_c_during_a_build... under load)."""
    run = subprocess.run([sys.executable, "-c", FINALISER_SWALLOWS_CTRL_C, str(ROOT), str(tmp_path / "store")],
                         capture_output=True, text=True, timeout=120)
    assert "Exception ignored" in run.stderr and "KeyboardInterrupt" in run.stderr
    assert run.stdout.splitlines() == ["went on after the Ctrl-C", "publish refused False None"], run.stderr
