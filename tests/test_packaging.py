"""The built wheel carries every file the package reads beside its modules: installed from the wheel (not
editable) into a fresh venv, `kg serve` answers `/query` and `/static/query.js`.

Regression: the wheel lacked kg/api/static/, so only the editable install could serve the query page.
Offline: the wheel is built without build isolation, installed with --no-deps, and the fresh venv reads the
dependencies from this venv's site-packages through a .pth line (which does not run this venv's editable hook).
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from kg.build import build
from kg.settings import Settings

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "kg"
# files read through Path(__file__).parent / ...: each must be in the wheel
ASSETS = sorted(p.relative_to(PACKAGE.parent).as_posix() for pattern in ("api/static/**/*", "api/templates/**/*",
                                                                         "ingest/*.csv")
                for p in PACKAGE.glob(pattern) if p.is_file())


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("project")  # a copy, so the build leaves nothing in the checkout
    shutil.copy(REPO / "pyproject.toml", project)
    shutil.copy(REPO / "README.md", project)
    shutil.copytree(REPO / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    dist = project / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-q", "-w", str(dist), str(project)], check=True, capture_output=True, timeout=300)
    (built,) = dist.glob("duality_kg-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    purelib = next((venv / "lib").glob("python3*/site-packages"))
    (purelib / "deps-from-test-venv.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True, capture_output=True, timeout=300)
    return venv


def test_the_asset_list_is_not_empty():
    assert "kg/api/static/query.js" in ASSETS and "kg/ingest/benchmark-names.csv" in ASSETS


def test_the_wheel_carries_every_asset(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [asset for asset in ASSETS if asset not in names] == []


def test_kg_serve_from_the_wheel_answers_the_query_page_and_its_script(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("KG_")}
    where = subprocess.run([str(installed / "bin" / "python"), "-c", "import kg.api; print(kg.api.__file__)"],
                           env=env, cwd=tmp_path, check=True, capture_output=True, text=True, timeout=60)
    assert Path(where.stdout.strip()).is_relative_to(installed), "kg was not imported from the installed wheel"
    settings = Settings(root=REPO, store_dir=tmp_path / "store")
    build(settings, log=lambda message: None)  # the built store; `kg serve` finds it current and reuses it
    port = _free_port()
    env |= {"KG_ROOT": str(REPO), "KG_STORE_DIR": str(settings.store_dir), "KG_QUERY_WORKERS": "1"}
    server = subprocess.Popen([str(installed / "bin" / "kg"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, f"kg serve exited: {server.stderr.read().decode()[-2000:]}"
            try:
                page = httpx.get(f"{base}/query", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "kg serve did not start listening"
                time.sleep(0.2)
        script = httpx.get(f"{base}/static/query.js", timeout=5)
        assert page.status_code == 200 and "/static/query.js" in page.text
        assert script.status_code == 200 and script.content == (PACKAGE / "api" / "static" / "query.js").read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=30)
