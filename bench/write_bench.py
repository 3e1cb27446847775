"""Benchmark of one write (kg.edits.write, what PUT /papers/{id} runs) on the real data.

    python bench/write_bench.py [--writes 10]

Copies ontology/, queries/ and data/ to a scratch folder, builds the store there (`kg build`), then
PUTs papers one after the other (each write: read the files with the edits, build a new store from them
with the edit applied, validate the asserted graphs, reason, write the edit file durably, publish) and
reports the p50 and max of each step, of the whole write (wall time) and of its CPU time.
Results: bench/results/write.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

STEPS = ("read files + load", "validate (shapes + QC)", "rest of reasoning", "edit file + publish")
"""Validation and reasoning run at the same time: 'rest of reasoning' is the wait after validation."""


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the HermiT JVM): a figure a busy machine
    does not inflate the way it inflates wall time."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _mark(marks: list[float], _message: str) -> None:
    """The write's log callback: records when each step's message arrives."""
    marks.append(time.perf_counter())


def main() -> None:
    from kg.build import build
    from kg.edits import write
    from kg.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-write-bench-") as scratch:
        root = Path(scratch)
        for folder in ("ontology", "queries", "data/ttl", "data/curated"):
            shutil.copytree(ROOT / folder, root / folder)
        shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
        settings = Settings(root=root)
        build(settings, log=lambda _: None)
        papers = sorted((settings.data_dir / "papers").glob("*.ttl"))[: args.writes]
        rows = []
        for path in papers:
            marks: list[float] = []
            cpu_before = _cpu_seconds()
            started = time.perf_counter()
            write(settings, paper_id=path.stem, method="PUT", body=path.read_bytes(), by="bench",
                  log=partial(_mark, marks))
            ended = time.perf_counter()
            # make_store logs after loading, after validating and after reasoning
            points = [started, *marks[:3], ended]
            rows.append({"paper": path.stem, "total_s": ended - started, "cpu_s": _cpu_seconds() - cpu_before,
                         **{step: points[i + 1] - points[i] for i, step in enumerate(STEPS)}})
            print(f"{path.stem}: {ended - started:.2f} s", file=sys.stderr)
    summary = {key: {"p50_s": round(statistics.median(r[key] for r in rows), 3),
                     "max_s": round(max(r[key] for r in rows), 3)} for key in (*STEPS, "total_s", "cpu_s")}
    out = HERE / "results" / "write.json"
    out.write_text(json.dumps({"writes": len(rows), "summary": summary, "rows": rows}, indent=2) + "\n")
    for key, value in summary.items():
        print(f"{key:24} p50 {value['p50_s']:6.2f} s   max {value['max_s']:6.2f} s")


if __name__ == "__main__":
    main()
