"""`kg serve` in a subprocess on 127.0.0.1, and the other commands run beside it as a user would:
reads answer from the published store while the server holds it open, and a rebuild publishes a new
store while the server keeps answering SPARQL."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from api_server import free_port
from cli_support import KG, ROOT, builds, copy_store, kg_env, run_kg

ASK = "ASK { ?work a <https://w3id.org/duality-kg/ontology#ResearchPaper> }"


@dataclass
class Served:
    url: str
    env: dict[str, str]
    store: Path
    process: subprocess.Popen
    log: Path


@pytest.fixture(scope="module")
def served(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`kg serve --port P` over the project, on a copy of the built store (so its build finds nothing to do)."""
    folder = tmp_path_factory.mktemp("serve")
    store = copy_store(built_store, folder / "store")
    env = kg_env(ROOT, store)
    port = free_port()
    log = (folder / "serve.log").open("w")
    process = subprocess.Popen([*KG, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        assert process.poll() is None, (folder / "serve.log").read_text()
        try:
            if httpx.get(f"{url}/query", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "kg serve did not answer /query"
        time.sleep(0.2)
    try:
        yield Served(url=url, env=env, store=store, process=process, log=folder / "serve.log")
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
            log.close()


def ask(url: str) -> bool:
    response = httpx.get(f"{url}/sparql", params={"query": ASK},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


@pytest.mark.parametrize("args", [["stats", "--format", "json"], ["query", "papers-per-category"],
                                  ["export", "--format", "nt"], ["gaps", "--format", "json"]],
                         ids=lambda args: args[0])
def test_read_command_works_while_kg_serve_runs(served: Served, args: list[str]):
    """Regression: read commands crashed with a RocksDB LOCK traceback while `kg serve` ran."""
    result = run_kg(*args, env=served.env)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) > 5 and result.stderr == ""
    assert ask(served.url)


def test_build_rebuild_while_serving_publishes_and_the_server_keeps_answering(served: Served):
    before = builds(served.store)
    answers: list[bool] = []
    failures: list[str] = []
    building = threading.Event()
    building.set()

    def keep_asking() -> None:
        while building.is_set():
            try:
                answers.append(ask(served.url))
            except (AssertionError, httpx.HTTPError) as err:
                failures.append(repr(err))
            time.sleep(0.1)

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        result = run_kg("build", "--rebuild", env=served.env)
    finally:
        building.clear()
        asker.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("kg build: store built in ") and result.stderr.count("\n") == 1
    assert builds(served.store) != before and len(builds(served.store)) == 2, \
        "the server's store was removed, or the new one was not published"
    assert failures == [] and answers and all(answers)
    assert ask(served.url)
    # and a read command now answers from the new store, beside the server
    after = run_kg("export", "--format", "nt", env=served.env)
    assert after.returncode == 0 and after.stdout.count("\n") > 10_000


def test_serve_on_a_port_in_use_exits_2_saying_so(served: Served):
    port = served.url.rsplit(":", 1)[1]
    result = run_kg("serve", "--port", port, env=served.env, timeout=120)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (f"kg serve: the server could not start on 127.0.0.1:{port} (see the "
                                              "log above; is the port in use? choose another with --port or KG_PORT)")
    assert "Traceback" not in result.stderr
    assert ask(served.url), "the running server was disturbed"


def test_ctrl_c_stops_kg_serve_without_a_traceback(served: Served):
    # runs last in this module: it stops the module's server
    served.process.send_signal(signal.SIGINT)
    code = served.process.wait(timeout=60)
    log = served.log.read_text()
    assert code in (0, 130), log
    assert "Traceback" not in log and "Application startup complete" in log
