"""Placement accuracy and time (kg.placement): leave-one-out over the works the companion list places,
temporal replay over the list's real history, and the time to place one paper.

    python bench/placement.py [--root .] [--out bench/results/placement.json]

Leave-one-out: each listed work is held out whole (the model is rebuilt on the others, threshold
included) and placed from its title only, and from title + abstract where seed 002 gives one.
Replay: for each edition that added works, the model is built on the works listed before it
(with today's graph's facts and headings for them: the older editions' headings are another taxonomy)
and places the added works from their titles; compared with the leaf heading the authors put them
under in that edition (where its name is one of today's leaves) and with the leaf they have today.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

from kg.editions import read_history
from kg.edits import project_files
from kg.ingest.companion_list import HEADING_CONCEPTS
from kg.ingest.records import normalise_title
from kg.ingest.sources import read_lines
from kg.iri import CAT
from kg.placement import corpus_from_quads, survey_contexts, train
from kg.settings import Settings

FACTS = ("heading", "perspective", "base-model", "task", "stage", "architecture")


def abstracts(settings: Settings) -> dict[str, str]:
    """normalised title -> abstract, from seed 002 (the only source with abstracts; features only)."""
    lines = [line.strip() for line in read_lines(settings.sources_dir, "related-papers") if line.strip()]
    return {normalise_title(t): a for t, a in zip(lines, lines[1:]) if len(t) < 300 and len(a) >= 300}


def _hit(ranking, truth: set[str], k: int) -> bool:
    return bool({c for c, _ in ranking[:k]} & truth)


def leave_one_out(works, *, text_of, only=None) -> dict:
    tally = {f: {"n": 0, "top1": 0, "top3": 0} for f in FACTS}
    abstained = answered_top1 = 0
    listed = [w for w in works if w.placed and (only is None or w in only)]
    for held in listed:
        model = train([w for w in works if w.iri != held.iri])
        placement = model.place(held.iri, text_of(held))
        abstained += placement.abstained
        for facet in FACTS:
            truth = held.labels.get(facet)
            if truth:
                tally[facet]["n"] += 1
                tally[facet]["top1"] += _hit(placement.ranking[facet], truth, 1)
                tally[facet]["top3"] += _hit(placement.ranking[facet], truth, 3)
        if not placement.abstained:
            answered_top1 += _hit(placement.ranking["heading"], held.labels["heading"], 1)
    out = {f: {"n": v["n"], "top1": round(v["top1"] / v["n"], 3), "top3": round(v["top3"] / v["n"], 3)}
           for f, v in tally.items() if v["n"]}
    out["abstention_rate"] = round(abstained / len(listed), 3)
    out["heading_top1_when_answered"] = round(answered_top1 / max(1, len(listed) - abstained), 3)
    out["works"] = len(listed)
    return out


def _strip(name: str) -> str:
    return re.sub(r"^\d+(\.\d+)*\.?\s*", "", name).strip().lower()


_LEAF_NAMES = {_strip(name): CAT + local for (_, name), local in HEADING_CONCEPTS.items()}


def _leaf(headings: tuple[str, ...]) -> str | None:
    """Today's leaf concept of an edition's heading, by its name without the numbering (the 2024 and early
    2025 editions used other headings: those map to nothing)."""
    return _LEAF_NAMES.get(_strip(headings[-1]))


def replay(settings: Settings, works) -> dict:
    history = read_history(sources_dir=settings.sources_dir, curated_dir=settings.curated_dir)
    seen: set[str] = set()
    rows, total = [], {"n": 0, "top1": 0, "top3": 0, "unmapped": 0}
    # compared twice: with the heading the edition gives (where it maps to today's leaves), and with the
    # leaf the work has today (where the authors placed it in the end)
    for edition in history.editions:
        added = [e for e in edition.entries if e.work not in seen]
        if added and seen:
            model = train([w for w in works.values() if w.iri in seen])
            row = {"edition": edition.label, "added": len({e.work for e in added}), "n": 0, "top1": 0, "top3": 0,
                   "n_today": 0, "top1_today": 0, "top3_today": 0}
            for work in dict.fromkeys(e.work for e in added):
                title = next(e.title for e in added if e.work == work)
                ranking = model.place(work, title).ranking["heading"]
                today = works[work].labels.get("heading") if work in works else None
                if today:
                    row["n_today"] += 1
                    row["top1_today"] += _hit(ranking, today, 1)
                    row["top3_today"] += _hit(ranking, today, 3)
                truth = {leaf for e in added if e.work == work and (leaf := _leaf(e.headings))}
                if not truth:
                    total["unmapped"] += 1
                    continue
                row["n"] += 1
                row["top1"] += _hit(ranking, truth, 1)
                row["top3"] += _hit(ranking, truth, 3)
            rows.append(row)
            for k in ("n", "top1", "top3", "n_today", "top1_today", "top3_today"):
                total[k] = total.get(k, 0) + row[k]
        seen |= edition.works
    overall = {"n": total["n"], "top1": round(total["top1"] / max(1, total["n"]), 3),
               "top3": round(total["top3"] / max(1, total["n"]), 3), "unmapped_heading": total["unmapped"],
               "n_today": total["n_today"], "top1_today": round(total["top1_today"] / max(1, total["n_today"]), 3),
               "top3_today": round(total["top3_today"] / max(1, total["n_today"]), 3)}
    return {"editions": rows, "overall": overall}


def timing(works, rounds: int = 20) -> dict:
    started = time.perf_counter()
    model = train(list(works.values()))
    trained = time.perf_counter() - started
    sample = [w for w in works.values() if w.placed][:rounds]
    times = []
    for w in sample:
        t0 = time.perf_counter()
        model.place(w.iri, w.title)
        times.append(time.perf_counter() - t0)
    return {"train_s": round(trained, 3), "place_median_s": round(statistics.median(times), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=".")
    parser.add_argument("--out", default="bench/results/placement.json")
    parser.add_argument("--only", choices=["all", "replay"], default="all")
    args = parser.parse_args()
    settings = Settings(root=Path(args.root))
    t0 = time.perf_counter()
    quads = list(project_files(settings).quads())
    corpus = corpus_from_quads(quads, contexts=survey_contexts(read_lines(settings.sources_dir, "survey-text")))
    load_s = time.perf_counter() - t0
    works = list(corpus.works.values())
    found = abstracts(settings)
    t_start = time.perf_counter()
    with_abstract = [w for w in works if w.placed and normalise_title(w.title) in found]
    if args.only == "replay":
        print(json.dumps(replay(settings, corpus.works)["overall"], indent=2))
        return
    result = {
        "loo_title": leave_one_out(works, text_of=lambda w: w.title),
        "loo_title_abstract_subset": {
            "works_with_abstract": len(with_abstract),
            "title_only": leave_one_out(works, text_of=lambda w: w.title, only=with_abstract),
            "title_abstract": leave_one_out(works, only=with_abstract,
                                            text_of=lambda w: w.title + " . " + found[normalise_title(w.title)]),
        },
        "replay": replay(settings, corpus.works),
        "timing": {"load_graph_s": round(load_s, 3), **timing(corpus.works)},
    }
    result["bench_s"] = round(time.perf_counter() - t_start, 1)
    print(json.dumps(result, indent=2))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
