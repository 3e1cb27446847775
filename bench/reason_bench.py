"""Benchmark of `kg reason`: time and peak memory per graph size, and the check against whole-graph HermiT.

    python bench/reason_bench.py [--scales 1 10 100] [--whole-graph-at 1 10] [--whole-graph-timeout 1800]

For each scale it writes the synthetic graph (bench/synth.py, cached under bench/data/), then runs, each in
a fresh process so that peak memory (max RSS of Python + store, and of the HermiT JVM) belongs to one run:
load into an in-memory pyoxigraph store, `reason` (the default, scalable path). At the scales in
`--whole-graph-at` it also runs one whole-graph HermiT, and at `--all-hermit-at` HermiT on every distinct
signature (batches of 40, no compiled rules), and compares the class memberships of every work.
Results: bench/results/reason.json and bench/results/reason.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))


def _one(scale: int, mode: str, dump: Path) -> dict:
    """Runs in the child process: load, reason, dump memberships, return measurements."""
    import pyoxigraph as ox

    from kg.load import load_graphs
    from kg.reason import reason
    from kg.settings import Settings

    if mode == "all-signatures-hermit":
        import kg.class_rules

        def refuse(*args, **kwargs):
            raise kg.class_rules.UnsupportedAxiom("benchmark: HermiT realises every signature")

        kg.class_rules.compile_rules = refuse
    settings = Settings(root=ROOT, data_dir=HERE / "data" / f"x{scale}")
    store = ox.Store()
    started = time.perf_counter()
    load_graphs(store, ontology_dir=settings.ontology_dir, data_dir=settings.data_dir)
    loaded = time.perf_counter() - started
    result = reason(settings=settings, store=store, whole_graph=(mode == "whole-graph"))
    dump.write_text(json.dumps({w: sorted(c) for w, c in result.memberships.items()}))
    return {
        "scale": scale, "mode": mode, "works": result.works, "quads": len(store),
        "signatures": result.signatures, "hermit_runs": result.hermit_runs,
        "load_s": round(loaded, 2), "reason_s": round(result.seconds, 2),
        "phases_s": {k: round(v, 2) for k, v in result.timings.items()},
        "inferred_triples": result.inferred_triples,
        "peak_rss_python_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_rss_hermit_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "reasoner": result.reasoner,
    }


def _run_child(scale: int, mode: str, timeout: float) -> dict:
    dump = HERE / "results" / f"memberships-x{scale}-{mode}.json.tmp"
    command = [sys.executable, __file__, "--child", str(scale), mode, str(dump)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"scale": scale, "mode": mode, "timeout_s": timeout}
    if done.returncode != 0:
        return {"scale": scale, "mode": mode, "error": done.stderr.strip().splitlines()[-1:]}
    row = json.loads(done.stdout.strip().splitlines()[-1])
    row["dump"] = str(dump)
    return row


def _compare_memberships(batched: dict, other: dict) -> None:
    """Record on `other` whether its class memberships equal the batched path's (from both runs' dumps)."""
    if "dump" in other and "dump" in batched:
        a = json.loads(Path(batched["dump"]).read_text())
        b = json.loads(Path(other["dump"]).read_text())
        other["same_memberships_as_batched"] = a == b
        other["works_differing"] = sorted(w for w in set(a) | set(b) if a.get(w) != b.get(w))[:20]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--whole-graph-at", type=int, nargs="*", default=[1, 10])
    parser.add_argument("--whole-graph-timeout", type=float, default=1800)
    parser.add_argument("--all-hermit-at", type=int, nargs="*", default=[10],
                        help="scales at which HermiT also realises every signature (batches of 40), compared")
    parser.add_argument("--results", default="reason", help="results file name (without extension)")
    parser.add_argument("--source", type=Path, default=ROOT / "data" / "ttl", help="the real data/ttl folder")
    parser.add_argument("--child", nargs=3, metavar=("SCALE", "MODE", "DUMP"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_one(int(args.child[0]), args.child[1], Path(args.child[2]))))
        return 0

    from synth import synthesise

    (HERE / "results").mkdir(exist_ok=True)
    rows = []
    for scale in args.scales:
        folder = HERE / "data" / f"x{scale}"
        if not (folder / "shared.ttl").is_file():
            synthesise(source=args.source, out=folder, scale=scale)
        batched = _run_child(scale, "signature-batched", timeout=3600)
        rows.append(batched)
        print(json.dumps(batched), file=sys.stderr)
        for modes, mode in ((args.whole_graph_at, "whole-graph"), (args.all_hermit_at, "all-signatures-hermit")):
            if scale in modes:
                other = _run_child(scale, mode, timeout=args.whole_graph_timeout)
                _compare_memberships(batched, other)
                rows.append(other)
                print(json.dumps(other), file=sys.stderr)
    (HERE / "results" / f"{args.results}.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = ["| scale | mode | works | quads | signatures | HermiT runs | load s | reason s | peak RSS py MB | "
             "peak RSS HermiT MB | same as batched |", "|---" * 11 + "|"]
    for r in rows:
        lines.append(f"| {r['scale']}x | {r['mode']} | {r.get('works', '')} | {r.get('quads', '')} | "
                     f"{r.get('signatures', '')} | {r.get('hermit_runs', '')} | {r.get('load_s', '')} | "
                     f"{r.get('reason_s', 'timeout' if 'timeout_s' in r else r.get('error', ''))} | "
                     f"{r.get('peak_rss_python_mb', '')} | {r.get('peak_rss_hermit_mb', '')} | "
                     f"{r.get('same_memberships_as_batched', '')} |")
    (HERE / "results" / f"{args.results}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
