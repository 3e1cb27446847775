"""Time to read every edition of the companion list: the scan alone, today's import (for the identities),
the whole `read_history`, the changelog over it, the edition graphs, and `kg import` with all editions
(run_import into a temporary folder).

    python bench/editions_bench.py [--root .] [--rounds 5]

Writes bench/results/editions.json (median of the rounds, seconds).
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import tempfile
import time
from pathlib import Path

from kg.edition_diff import changelog
from kg.edition_graph import edition_files
from kg.editions import HISTORY_DIR, read_history
from kg.ingest import run_import
from kg.ingest.assemble import build_graph
from kg.ingest.companion_list import scan_list
from kg.settings import Settings


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    settings = Settings(root=args.root.resolve())
    files = sorted((settings.sources_dir / HISTORY_DIR / "readme").glob("*.md"))
    rounds: dict[str, list[float]] = {"scan 90 history files": [], "import of today's sources": [],
                                      "read_history (91 editions)": [], "changelog": [],
                                      "edition_files (133 graphs)": [], "kg import with all editions": []}
    for _ in range(args.rounds):
        rounds["scan 90 history files"].append(_timed(lambda: [scan_list(f.read_text(encoding="utf-8").splitlines(),
                                                                         where=str(f)) for f in files])[0])
        rounds["import of today's sources"].append(
            _timed(lambda: build_graph(sources_dir=settings.sources_dir, curated_dir=settings.curated_dir))[0])
        seconds, history = _timed(lambda: read_history(sources_dir=settings.sources_dir,
                                                       curated_dir=settings.curated_dir))
        rounds["read_history (91 editions)"].append(seconds)
        rounds["changelog"].append(_timed(functools.partial(changelog, history))[0])
        rounds["edition_files (133 graphs)"].append(_timed(functools.partial(edition_files, history))[0])
        with tempfile.TemporaryDirectory() as scratch:
            rounds["kg import with all editions"].append(_timed(lambda: run_import(
                sources_dir=settings.sources_dir, curated_dir=settings.curated_dir, out_dir=Path(scratch) / "ttl",
                editions_dir=Path(scratch) / "editions"))[0])
    medians = {name: round(statistics.median(values), 3) for name, values in rounds.items()}
    out = Path(__file__).parent / "results" / "editions.json"
    out.write_text(json.dumps({"rounds": args.rounds, "median_seconds": medians}, indent=2) + "\n", encoding="utf-8")
    for name, value in medians.items():
        print(f"{name:32} {value:8.3f} s")


if __name__ == "__main__":
    main()
