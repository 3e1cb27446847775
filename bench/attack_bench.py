"""Attack benchmark: how `kg serve` answers normal clients while hostile ones attack it.

    python bench/attack_bench.py [--root .] [--attackers 0,2,4,8] [--seconds 15]

One `kg serve` (defaults of Settings, cache off) over ontology/ + data/ttl/ on 127.0.0.1.
- Starvation: N attacker processes (each its own bearer token, i.e. its own client) send a slow
  query (cartesian COUNT over the whole graph) again and again, while one normal client sends point
  lookups one after another for --seconds; reported: the lookups' p50/p99 and their statuses.
- Memory: 4 attacker processes send (a) ORDER BY over a cartesian product, (b) a chain of
  string-doubling BINDs, for --seconds each, while the peak RSS of the server's process tree (server
  plus workers) is sampled every 50 ms; reported: the peak and the statuses the attackers got.
Each figure is written with the load average (`uptime`) at the time: the machine is shared.
Results: bench/results/attack.json and attack.md. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from endpoint_bench import ACCEPT, QUERIES, Server, free_port, prepare_data, some_paper  # noqa: E402

CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ORDER_BY_CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
STRING_DOUBLING = "SELECT (STRLEN(?a27) AS ?n) WHERE { BIND(\"0123456789abcdef\" AS ?a0) " + " ".join(
    f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(27)) + " }"


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def start_kg(store_dir: Path, root: Path) -> Server:
    port = free_port()
    command = [sys.executable, str(HERE / "endpoint_bench.py"), "--serve-kg", str(store_dir),
               "--port", str(port), "--root", str(root)]
    return Server("kg serve", command, port, log=store_dir.with_name(store_dir.name + ".attack.log"))


def send(conn: http.client.HTTPConnection, query: str, token: str | None) -> int:
    headers = {"Accept": ACCEPT} | ({"Authorization": f"Bearer {token}"} if token else {})
    conn.request("GET", "/sparql?" + urlencode({"query": query}), headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def _attacker(args: tuple[int, str, str, float]) -> dict[int, int]:
    """Send `query` again and again until `stop_at`; count the statuses."""
    port, query, token, stop_at = args
    statuses: Counter[int] = Counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while time.time() < stop_at:
        try:
            statuses[send(conn, query, token)] += 1
        except (OSError, http.client.HTTPException):
            statuses[0] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            time.sleep(0.1)
    return dict(statuses)


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total


def starvation(server: Server, pool, *, attackers: int, seconds: float, lookup: str, tag: str) -> dict:
    stop_at = time.time() + seconds + 1.0
    attack = pool.map_async(_attacker, [(server.port, CARTESIAN_COUNT, f"attacker-{tag}-{i}", stop_at)
                                        for i in range(attackers)]) if attackers else None
    time.sleep(1.0 if attackers else 0)  # the attack is under way before the first lookup
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    latencies, statuses = [], Counter()
    load = load_average()
    while time.time() < stop_at:
        started = time.perf_counter()
        statuses[send(conn, lookup, None)] += 1
        latencies.append(time.perf_counter() - started)
    conn.close()
    attack_statuses: Counter[int] = Counter()
    if attack is not None:
        for counted in attack.get(timeout=seconds + 120):
            attack_statuses.update(counted)
    latencies.sort()
    return {"attackers": attackers, "lookups": len(latencies), "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
            "max_ms": 1000 * latencies[-1], "lookup_statuses": dict(statuses),
            "attack_statuses": dict(attack_statuses), "load": load}


def memory_attack(server: Server, pool, *, name: str, query: str, seconds: float, attackers: int = 4) -> dict:
    stop_at = time.time() + seconds
    baseline = tree_rss_bytes(server.process.pid)
    attack = pool.map_async(_attacker, [(server.port, query, f"memory-{name}-{i}", stop_at) for i in range(attackers)])
    peak, load = baseline, load_average()
    while not attack.ready():
        peak = max(peak, tree_rss_bytes(server.process.pid))
        time.sleep(0.05)
    statuses: Counter[int] = Counter()
    for counted in attack.get():
        statuses.update(counted)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    after = send(conn, "ASK { ?s ?p ?o }", None)
    conn.close()
    return {"attack": name, "attackers": attackers, "baseline_rss_mb": baseline / 2**20,
            "peak_rss_mb": peak / 2**20, "attack_statuses": dict(statuses), "status_after": after, "load": load}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=HERE.parent, help="project with ontology/ and data/ttl/")
    parser.add_argument("--attackers", default="0,2,4,8")
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds per configuration")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the memory attacks (e.g. against a server without a memory limit)")
    args = parser.parse_args(argv)

    counts = [int(n) for n in args.attackers.split(",")]
    work = Path(tempfile.mkdtemp(prefix="kg-attack-bench-"))
    pool = multiprocessing.get_context("fork").Pool(max(counts + [4]))
    try:
        nquads, store_dir, quads = prepare_data(root=args.root.resolve(), scale=1, work=work, synth=HERE / "synth.py")
        lookup = QUERIES["point lookup"] % {"paper": some_paper(nquads)}
        server = start_kg(store_dir, args.root)
        try:
            server.wait_ready(timeout=300)
            rows = []
            for n in counts:
                row = starvation(server, pool, attackers=n, seconds=args.seconds, lookup=lookup, tag=str(n))
                rows.append(row)
                print(f"{n} attackers: {row['lookups']} lookups, p50 {row['p50_ms']:.1f} ms, "
                      f"p99 {row['p99_ms']:.1f} ms ({row['load']})", file=sys.stderr)
                time.sleep(2)
            memory = []
            for name, query in () if args.no_memory else (("ORDER BY over a cartesian product", ORDER_BY_CARTESIAN),
                                                          ("string-doubling BIND chain", STRING_DOUBLING)):
                row = memory_attack(server, pool, name=name, query=query, seconds=args.seconds)
                memory.append(row)
                print(f"{name}: peak RSS {row['peak_rss_mb']:.0f} MB, statuses {row['attack_statuses']} "
                      f"({row['load']})", file=sys.stderr)
        finally:
            server.stop()
    finally:
        pool.terminate()
        shutil.rmtree(work, ignore_errors=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [f"Measured on {machine}, {quads} quads, {args.seconds:g} s per configuration.", "",
             "| attackers | lookups | p50 ms | p99 ms | max ms | lookup statuses | attacker statuses | load |",
             "|---:|---:|---:|---:|---:|---|---|---|"]
    lines += [f"| {r['attackers']} | {r['lookups']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.0f} | "
              f"{r['lookup_statuses']} | {r['attack_statuses']} | {r['load']} |" for r in rows]
    lines += ["", "| memory attack (4 clients) | baseline RSS MB | peak RSS MB | attacker statuses | after | load |",
              "|---|---:|---:|---|---:|---|"]
    lines += [f"| {m['attack']} | {m['baseline_rss_mb']:.0f} | {m['peak_rss_mb']:.0f} | {m['attack_statuses']} | "
              f"{m['status_after']} | {m['load']} |" for m in memory]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "attack.md").write_text("\n".join(lines) + "\n")
    (args.out / "attack.json").write_text(json.dumps({"starvation": rows, "memory": memory}, indent=1) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
