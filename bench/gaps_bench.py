"""`/gaps` cold and warm: the report's queries run in the worker pool once per graph version, then every
request is answered from the result cache.

    python bench/gaps_bench.py [--root .] [--warm 50] [--versions 3]

Serves ontology/ + data/ttl/ (reasoned, as `kg build` leaves it) under uvicorn on 127.0.0.1 and measures,
for each of `--versions` graph versions: the first `/gaps` (HTML; builds the report), the first
`/gaps/heatmap.svg` (draws from the cached report), then `--warm` further `/gaps` requests. Also times
`kg.gaps.build_report` in-process on the store, for comparison. Writes bench/results/gaps.json.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import uvicorn

from kg.api.app import create_app
from kg.gaps import build_report
from kg.load import load_graphs
from kg.reason import reason
from kg.settings import Settings


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--warm", type=int, default=50)
    parser.add_argument("--versions", type=int, default=3)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="kg-gaps-bench-"))
    settings = Settings(root=args.root.resolve(), store_dir=scratch / "store", port=_port())
    store = ox.Store(str(settings.store_dir))
    load_graphs(store, ontology_dir=settings.ontology_dir, data_dir=settings.data_dir)
    reason(settings=settings, store=store)
    started = time.perf_counter()
    build_report(settings=settings, store=store)
    in_process_ms = (time.perf_counter() - started) * 1000

    app = create_app(settings, store=store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    rounds = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{settings.port}", timeout=300) as client:
            for _ in range(args.versions):
                app.state.graph.changed()  # a new version: nothing cached
                cold = _timed(client, "/gaps")
                heatmap = _timed(client, "/gaps/heatmap.svg")
                warm = [_timed(client, "/gaps") for _ in range(args.warm)]
                rounds.append({"cold_ms": round(cold, 1), "heatmap_first_ms": round(heatmap, 1),
                               "warm_p50_ms": round(statistics.median(warm), 2),
                               "warm_max_ms": round(max(warm), 2)})
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    result = {"quads": len(store), "build_report_in_process_ms": round(in_process_ms, 1), "rounds": rounds}
    out = Path(__file__).parent / "results" / "gaps.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
