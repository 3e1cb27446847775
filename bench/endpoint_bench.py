"""Endpoint benchmark: `kg serve` against `oxigraph serve` and `rdflib-endpoint` on the same data.

    python bench/endpoint_bench.py [--root .] [--scales 1,100] [--clients 1,8] [--seconds 4]

For each scale (1 = ontology/ + data/ttl/; N > 1 = ontology/ + `bench/synth.py --scale N`), the three
servers are started on 127.0.0.1 over the same N-Quads (default graph = union of the named graphs for
all three), and each query (point lookup, taxonomy join, aggregate) is sent by 1 and by 8 concurrent
clients (separate processes, keep-alive HTTP/1.1) for --seconds, in --rounds rounds interleaved across the
servers (all running at once) so that a busy machine slows them alike; the median round is reported.
kg runs with its result cache off,
plus one row with it on. Prints a Markdown table and writes it (and the raw numbers as JSON) to
bench/results/. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import pyoxigraph as ox  # noqa: E402

from kg.iri import PAPER, PREFIXES  # noqa: E402
from kg.load import load_graphs  # noqa: E402

PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if p in ("dkg", "cat", "skos", "dcterms"))
QUERIES = {
    "point lookup": PROLOGUE + "SELECT ?p ?o WHERE { <%(paper)s> ?p ?o }",
    "taxonomy join": PROLOGUE + """SELECT ?paper ?title WHERE {
  ?category skos:broader* cat:rl-task . ?paper dkg:inCategory ?category ; dcterms:title ?title .
} LIMIT 200""",
    "aggregate": PROLOGUE + """SELECT ?model (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?paper a dkg:ResearchPaper ; dkg:usesBaseModel ?model .
} GROUP BY ?model ORDER BY DESC(?papers)""",
}
ACCEPT = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---- data -------------------------------------------------------------------------------------------

def prepare_data(*, root: Path, scale: int, work: Path, synth: Path) -> tuple[Path, Path, int]:
    """Build the N-Quads file and kg's on-disk store for `scale`; return (nquads, store_dir, quads)."""
    data_dir = root / "data" / "ttl"
    if scale > 1:
        if not synth.is_file():
            raise SystemExit(f"{synth} is missing: the 100x data comes from bench/synth.py (reason helper)")
        data_dir = work / f"synth-x{scale}"
        subprocess.run([sys.executable, str(synth), "--scale", str(scale), "--out", str(data_dir),
                        "--source", str(root / "data" / "ttl")], check=True, stdout=subprocess.DEVNULL)
    store_dir = work / f"kg-store-x{scale}"
    store = ox.Store(str(store_dir))
    count = load_graphs(store, ontology_dir=root / "ontology", data_dir=data_dir)
    nquads = work / f"data-x{scale}.nq"
    store.dump(str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.backup(str(store_dir) + "-cache")  # the cache-on server needs a store of its own (one writer each)
    del store
    return nquads, store_dir, count


def some_paper(nquads: Path) -> str:
    store = ox.Store()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    rows = store.query("SELECT ?p WHERE { ?p <https://w3id.org/duality-kg/ontology#hasRecord> ?r "
                       "FILTER(STRSTARTS(STR(?p), \"" + PAPER + "\")) } "
                       "ORDER BY ?p LIMIT 1", use_default_graph_as_union=True)
    paper = next(iter(rows))["p"].value
    assert paper.startswith(PAPER)
    return paper


# ---- servers ----------------------------------------------------------------------------------------

class Server:
    def __init__(self, name: str, command: list[str], port: int, *, path: str = "/sparql", log: Path | None = None):
        self.name, self.port, self.path = name, port, path
        output = open(log, "ab") if log else subprocess.DEVNULL
        self.process = subprocess.Popen(command, stdout=output, stderr=output, start_new_session=True)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}")
            try:
                status, _ = request("127.0.0.1", self.port, self.path, "ASK { ?s ?p ?o }")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_kg(store_dir: Path, root: Path, *, cache: bool, tree: Path | None = None) -> Server:
    """kg serve over `store_dir`; with `tree`, the code of that checkout (e.g. before a change) instead."""
    port = free_port()
    script = (tree / "bench" / "endpoint_bench.py") if tree else Path(__file__).resolve()
    command = [sys.executable, str(script), "--serve-kg", str(store_dir),
               "--port", str(port), "--root", str(root)] + (["--cache"] if cache else [])
    name = "kg serve" + (" (cache on)" if cache else "") + (" (baseline)" if tree else "")
    return Server(name, command, port, log=store_dir.with_name(store_dir.name + ".log"))


def start_oxigraph(nquads: Path, work: Path) -> Server:
    location = work / f"oxigraph-{nquads.stem}"
    if not location.exists():
        subprocess.run([_tool("oxigraph"), "load", "--location", str(location), "--file", str(nquads)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    return Server("oxigraph serve", [_tool("oxigraph"), "serve-read-only", "--location", str(location),
                                     "--bind", f"127.0.0.1:{port}", "--union-default-graph"], port)


def start_rdflib_endpoint(nquads: Path) -> Server:
    port = free_port()
    return Server("rdflib-endpoint", [_tool("rdflib-endpoint"), "serve", str(nquads), "--host", "127.0.0.1",
                                      "--port", str(port)], port, path="/")


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def serve_kg(store_dir: str, *, port: int, root: str, cache: bool) -> None:
    import uvicorn

    from kg.api.app import create_app
    from kg.api.server import uvicorn_config
    from kg.settings import Settings

    settings = Settings(root=root, cache_enabled=cache, store_dir=Path(store_dir).parent / "unused-store",
                        host="127.0.0.1", port=port)
    app = create_app(settings, store=ox.Store(store_dir))
    uvicorn.Server(uvicorn_config(app, settings, log_level="warning", access_log=False)).run()


# ---- load -------------------------------------------------------------------------------------------

def request(host: str, port: int, path: str, query: str, connection: http.client.HTTPConnection | None = None):
    conn = connection or http.client.HTTPConnection(host, port, timeout=60)
    conn.request("GET", path + "?" + urlencode({"query": query}), headers={"Accept": ACCEPT})
    response = conn.getresponse()
    body = response.read()
    if connection is None:
        conn.close()
    return response.status, body


def _client(args: tuple[int, str, str, float, float]) -> list[float]:
    port, path, query, start_at, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while time.time() < start_at:
        time.sleep(0.001)
    latencies, stop = [], start_at + seconds
    while (now := time.perf_counter()) and time.time() < stop:
        status, _ = request("127.0.0.1", port, path, query, conn)
        if status != 200:
            raise RuntimeError(f"HTTP {status}")
        latencies.append(time.perf_counter() - now)
    conn.close()
    return latencies


def measure(server: Server, query: str, *, clients: int, seconds: float, pool) -> dict[str, float]:
    status, body = request("127.0.0.1", server.port, server.path, query)
    if status != 200:
        raise RuntimeError(f"{server.name}: warm-up query failed: HTTP {status}: {body[:200]!r}")
    start_at = time.time() + 0.3
    results = pool.map(_client, [(server.port, server.path, query, start_at, seconds)] * clients)
    latencies = sorted(x for r in results for x in r)
    return {"rps": len(latencies) / seconds, "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
            "requests": len(latencies)}


def median_round(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The round with the median req/s (the machine is shared: rounds of all servers are interleaved)."""
    return sorted(rounds, key=lambda r: r["rps"])[len(rounds) // 2]


# ---- report -----------------------------------------------------------------------------------------

def table(rows: list[dict]) -> str:
    lines = ["| scale | query | clients | server | req/s | p50 ms | p99 ms | x native |",
             "|---:|---|---:|---|---:|---:|---:|---:|"]
    native = {(r["scale"], r["query"], r["clients"]): r["rps"] for r in rows if r["server"] == "oxigraph serve"}
    for r in rows:
        ratio = r["rps"] / native[(r["scale"], r["query"], r["clients"])]
        lines.append(f"| {r['scale']}x | {r['query']} | {r['clients']} | {r['server']} | {r['rps']:.0f} | "
                     f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {ratio:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=HERE.parent, help="project with ontology/ and data/ttl/")
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per cell (median reported)")
    parser.add_argument("--synth", type=Path, default=HERE / "synth.py")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--skip-rdflib-above", type=int, default=1000,
                        help="do not run rdflib-endpoint above this scale")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (stores, server logs)")
    parser.add_argument("--baseline-tree", type=Path, default=None,
                        help="also run kg serve (cache off) from this checkout, e.g. `git worktree` of the "
                             "commit before a change, in the same interleaved rounds")
    parser.add_argument("--serve-kg", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--cache", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_kg:
        serve_kg(args.serve_kg, port=args.port, root=str(args.root), cache=args.cache)
        return 0

    clients = [int(c) for c in args.clients.split(",")]
    rows: list[dict] = []
    work = Path(tempfile.mkdtemp(prefix="kg-endpoint-bench-"))
    print(f"working folder: {work}", file=sys.stderr)
    pool = multiprocessing.get_context("fork").Pool(max(clients))
    try:
        for scale in (int(s) for s in args.scales.split(",")):
            nquads, store_dir, count = prepare_data(root=args.root.resolve(), scale=scale, work=work,
                                                    synth=args.synth)
            paper = some_paper(nquads)
            print(f"scale {scale}x: {count} quads; point lookup on {paper}", file=sys.stderr)
            starters = [partial(start_oxigraph, nquads, work), partial(start_kg, store_dir, args.root, cache=False),
                        partial(start_kg, Path(str(store_dir) + "-cache"), args.root, cache=True)]
            if scale <= args.skip_rdflib_above:
                starters.append(partial(start_rdflib_endpoint, nquads))
            if args.baseline_tree:
                baseline_store = Path(str(store_dir) + "-baseline")
                shutil.copytree(store_dir, baseline_store, dirs_exist_ok=True)
                starters.append(partial(start_kg, baseline_store, args.root, cache=False, tree=args.baseline_tree))
            servers = []
            try:
                for start in starters:
                    servers.append(start())
                for server in servers:
                    server.wait_ready(timeout=1800)
                for query_name, template in QUERIES.items():
                    query = template % {"paper": paper} if "%(paper)s" in template else template
                    for n in clients:
                        rounds: dict[str, list] = {s.name: [] for s in servers}
                        for _ in range(args.rounds):
                            for server in servers:
                                rounds[server.name].append(
                                    measure(server, query, clients=n, seconds=args.seconds, pool=pool))
                        for name, measured in rounds.items():
                            result = median_round(measured)
                            rows.append({"scale": scale, "query": query_name, "clients": n, "server": name,
                                         **result})
                            print(f"  {name:22} {query_name:14} x{n}: {result['rps']:8.0f} req/s "
                                  f"p50 {result['p50_ms']:.2f} ms p99 {result['p99_ms']:.2f} ms", file=sys.stderr)
            finally:
                for server in servers:
                    server.stop()
    finally:
        pool.terminate()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    rows.sort(key=lambda r: (r["scale"], list(QUERIES).index(r["query"]), r["clients"], r["server"]))
    markdown = table(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
               f"Python {platform.python_version()}")
    (args.out / "endpoint.md").write_text(
        f"Measured on {machine}; {args.seconds:g} s per measurement, median of {args.rounds} interleaved rounds.\n\n"
        f"{markdown}\n")
    (args.out / "endpoint.json").write_text(json.dumps(rows, indent=1) + "\n")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
