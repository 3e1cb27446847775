"""Synthetic graphs with the real graph's shape, at N times its size (shared with the endpoint benchmark).

    python bench/synth.py --scale 10 --out bench/data/x10 [--source data/ttl] [--seed 7] [--resample 0.3]

Reads the real `data/ttl/` (the importer's output) and writes N copies of every work - the paper node and
its source records, with the same predicates and the same number of values - into `--out`:
- copy 1 is the real data unchanged; in copies 2..N each work's categorical facts (base model, table
  category, RL task, setting, code availability, RL stage, policy architecture, heading, year) are, with probability
  `--resample` per value, replaced by a value drawn from that predicate's real distribution (the same
  replacement on the paper and on its records, so every fact keeps its provenance record);
- links between works (cites, extends) stay inside their copy; the survey node stays single and cites
  every copy of its references; shared entities (benchmarks, networks, venues, authors, Section 9,
  sources) are written once.
Output: `shared.ttl` and `works-<copy>.ttl` (one file per copy), all Turtle. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

__all__ = ["RESAMPLED", "SURVEY", "read_source", "synthesise", "main"]

DKG = "https://w3id.org/duality-kg/ontology#"
PAPER = "https://w3id.org/duality-kg/paper/"
SURVEY = PAPER + "doi-10.1016-j.inffus.2025.104003"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
WORK_CLASSES = {DKG + "ResearchPaper", DKG + "Survey", DKG + "CandidatePaper"}
RESAMPLED = tuple(DKG + name for name in (
    "usesBaseModel", "tabulatedUnder", "addressesTask", "evaluatedIn", "codeAvailability", "rlStage",
    "policyArchitecture", "inCategory")) + ("http://purl.org/spar/fabio/hasPublicationYear",)


def read_source(source: Path) -> tuple[list[ox.Triple], set[str]]:
    """Every triple of the Turtle files under `source`, and the IRIs of its works (except the survey)."""
    triples = [t for path in sorted(source.rglob("*.ttl"))
               for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    works = {t.subject.value for t in triples if t.predicate.value == RDF_TYPE
             and isinstance(t.subject, ox.NamedNode) and t.object.value in WORK_CLASSES} - {SURVEY}
    if not works:
        raise SystemExit(f"no works (dkg:ResearchPaper) found under {source}: run `kg import` first")
    return triples, works


def _owner(node: object, works: set[str]) -> str | None:
    """The work a node belongs to: the work itself or one of its hash-IRI records."""
    if isinstance(node, ox.NamedNode):
        base = node.value.split("#", 1)[0]
        if base in works:
            return base
    return None


def _rename(node: object, works: set[str], copy: int) -> object:
    owner = _owner(node, works)
    if owner is None or copy == 1:
        return node
    return ox.NamedNode(owner + f"-synth-{copy}" + node.value[len(owner):])


def synthesise(*, source: Path, out: Path, scale: int, seed: int = 7, resample: float = 0.3) -> dict[str, int]:
    """Write the synthetic graph; return counts (works, triples) for the benchmark's log."""
    triples, works = read_source(source)
    rng = random.Random(seed)
    distribution: dict[str, list[object]] = defaultdict(list)
    for t in triples:
        if t.predicate.value in RESAMPLED and t.subject.value in works:
            distribution[t.predicate.value].append(t.object)
    by_work: dict[str, list[ox.Triple]] = defaultdict(list)
    shared: list[ox.Triple] = []
    for t in triples:
        owner = _owner(t.subject, works)
        (by_work[owner] if owner else shared).append(t)

    out.mkdir(parents=True, exist_ok=True)
    total = 0
    shared_out = []
    for t in shared:
        if _owner(t.object, works):
            shared_out += [ox.Triple(t.subject, t.predicate, _rename(t.object, works, c)) for c in range(1, scale + 1)]
        else:
            shared_out.append(t)
    (out / "shared.ttl").write_bytes(_turtle(shared_out))
    total += len(shared_out)
    for copy in range(1, scale + 1):
        rows = []
        for work in sorted(by_work):
            replace: dict[tuple[str, object], object] = {}
            if copy > 1:
                for t in by_work[work]:
                    key = (t.predicate.value, t.object)
                    if t.subject.value == work and t.predicate.value in RESAMPLED and key not in replace \
                            and rng.random() < resample:
                        replace[key] = rng.choice(distribution[t.predicate.value])
            for t in by_work[work]:
                obj = replace.get((t.predicate.value, t.object), t.object)
                rows.append(ox.Triple(_rename(t.subject, works, copy), t.predicate, _rename(obj, works, copy)))
        (out / f"works-{copy:04d}.ttl").write_bytes(_turtle(rows))
        total += len(rows)
    return {"works": len(works) * scale, "triples": total}


def _turtle(triples: list[ox.Triple]) -> bytes:
    header = b"# generated by bench/synth.py, do not edit\n"
    prefixes = {"dkg": DKG, "paper": PAPER, "cat": "https://w3id.org/duality-kg/category/",
                "prov": "http://www.w3.org/ns/prov#", "cito": "http://purl.org/spar/cito/",
                "fabio": "http://purl.org/spar/fabio/", "dcterms": "http://purl.org/dc/terms/",
                "xsd": "http://www.w3.org/2001/XMLSchema#"}
    return header + (ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b"")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, required=True, help="how many times the real graph (1 = a copy)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created)")
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "ttl",
                        help="the real data/ttl folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--resample", type=float, default=0.3,
                        help="probability that a categorical fact of a copied work is redrawn")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = synthesise(source=args.source, out=args.out, scale=args.scale, seed=args.seed, resample=args.resample)
    print(f"{counts['works']} works, {counts['triples']} triples in {args.out} "
          f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
