"""Render times of the browsing pages: home, a paper, a category and a search, cold and warm.

    python bench/pages.py [--root .] [--warm 30]

Builds this checkout's store with `kg.build` (reasoned, with its search index) into a scratch folder,
serves it under uvicorn on 127.0.0.1 and times each page: the first request (cold: its queries run in the
worker pool), then `--warm` more requests with the page cache on (what visitors get) and, on a second
server, with the cache off (every request renders the page again from its queries). Search is never
cached: every search request runs against the SQLite index. Writes bench/results/pages.json.
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
import uvicorn

from kg.api.app import create_app
from kg.build import build
from kg.settings import Settings

PAGES = {
    "home": "/",
    "paper": "/paper/arxiv-2310.12931",
    "category": "/category/reward-vlm",
    "search": "/search?q=vlm+reward+real+robot",
    "search (typo, facet)": "/search?q=difusion+policy&facet=code:dkg:CodeAvailable",
}


def _serve(settings: Settings):
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=settings.port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread


def _timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path, headers={"accept": "text/html"})
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


def _measure(settings: Settings, warm: int) -> dict:
    server, thread = _serve(settings)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{settings.port}", timeout=60) as client:
            out = {}
            for name, path in PAGES.items():
                cold = _timed(client, path)
                times = sorted(_timed(client, path) for _ in range(warm))
                out[name] = {"cold_ms": round(cold, 1), "p50_ms": round(statistics.median(times), 1),
                             "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}
            return out
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--warm", type=int, default=30)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="kg-pages-bench-"))
    base = {"root": args.root.resolve(), "store_dir": scratch / "store"}
    build(Settings(**base), log=lambda _: None)
    results = {}
    for label, cache in (("cache on", True), ("cache off", False)):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        results[label] = _measure(Settings(**base, port=port, cache_enabled=cache), args.warm)
    print(f"{'page':24} {'cache':10} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for label, pages in results.items():
        for name, row in pages.items():
            print(f"{name:24} {label:10} {row['cold_ms']:8.1f} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f}")
    target = Path(__file__).parent / "results" / "pages.json"
    target.write_text(json.dumps({"warm_requests": args.warm, "results": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
