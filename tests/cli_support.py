"""Running `kg` as a user does: the installed entry point as a subprocess, over the project's files or a
scratch copy, with the store in a temporary folder (KG_STORE_DIR)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["ROOT", "KG", "kg_env", "run_kg", "copy_project", "copy_store", "builds"]

ROOT = Path(__file__).resolve().parents[1]

# the console script `pip install` made from pyproject's `kg = "kg.cli:main"`, beside this interpreter
_SCRIPT = Path(sys.executable).with_name("kg")
KG: list[str] = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "kg"]


def kg_env(root: Path, store_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a `kg` run: no KG_* variable from outside, then the project, the store and
    `settings` (e.g. DATA_DIR="..." for KG_DATA_DIR)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_ROOT=str(root), KG_STORE_DIR=str(store_dir), KG_QUERY_WORKERS="1")
    env.update({f"KG_{name.upper()}": value for name, value in settings.items()})
    return env


def run_kg(*args: str, env: dict[str, str], cwd: Path | None = None,
           timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KG, *args], env=env, cwd=cwd or env["KG_ROOT"], capture_output=True, text=True,
                          timeout=timeout)


def copy_project(target: Path) -> Path:
    """A scratch copy of what the store is built from: ontology/, queries/, data/ttl/ (and the project marker)."""
    for folder in ("ontology", "queries", "data/ttl"):
        shutil.copytree(ROOT / folder, target / folder)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def copy_store(store_dir: Path, target: Path) -> Path:
    """A copy of a built store folder (closed stores only; `current` is a relative link and stays one)."""
    shutil.copytree(store_dir, target, symlinks=True, ignore=shutil.ignore_patterns("*.lock", "*.readers"))
    return target


def builds(store_dir: Path) -> list[str]:
    """The builds in a store folder: a read command that builds would add one."""
    folder = store_dir / "builds"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
