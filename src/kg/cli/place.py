"""`kg place`: suggest where new works sit in the taxonomy (kg.placement), as pending suggestions."""

from __future__ import annotations

import argparse
import json

from kg.cli.progress import Progress
from kg.errors import InputError
from kg.settings import Settings

__all__ = ["add_arguments", "cmd_place"]


def add_arguments(sub: argparse._SubParsersAction, command) -> None:
    place = command(sub, "place", "suggest leaf headings and facts for new works, as AI suggestions awaiting review",
                    "For each work (paper id such as arxiv-2501.00001, or every work of the edits layer without "
                    "a placement with --all-unplaced) a model trained on the placed works of the graph suggests "
                    "the companion list's leaf headings and the facts (perspective, base model, RL task, policy "
                    "stage and architecture), each with a score and the nearest placed works. They are written "
                    "as dkg:Suggestion records into data/edits/papers/<id>.ttl (all works or none) for kg review. "
                    "A work unlike every placed work is left alone (abstains); a work already placed or with "
                    "suggestions is skipped. See docs/placement.md.")
    place.add_argument("works", nargs="*", metavar="WORK", help="paper ids (or paper: IRIs) to place")
    place.add_argument("--all-unplaced", action="store_true", help="also every unplaced work of data/edits/")
    place.add_argument("--threshold", type=float, default=None,
                       help="abstain below this vocabulary coverage, the share of the title's words the placed works use "
                            "(default: the 5th percentile of the placed works' leave-one-out coverage)")
    place.add_argument("--dry-run", action="store_true", help="print the suggestions, write nothing")
    place.add_argument("--format", choices=["table", "json"], default="table", help="output format")


def cmd_place(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.iri import compact
    from kg.placement import place

    if not args.works and not args.all_unplaced:
        raise InputError("name the works to place (paper ids) or give --all-unplaced")
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise InputError(f"--threshold is a share of words between 0 and 1; got {args.threshold}")
    progress.step("placing")
    outcomes = place(settings, works=args.works, all_unplaced=args.all_unplaced, threshold=args.threshold,
                     dry_run=args.dry_run)
    written = sum(o.status == "suggested" for o in outcomes) if not args.dry_run else 0
    progress.done(f"{len(outcomes)} work(s): {written} written" + (" (dry run)" if args.dry_run else ""))
    if args.format == "json":
        rows = [{"work": compact(o.work), "title": o.title, "status": o.status,
                 "nearest_similarity": o.placement.nearest_similarity if o.placement else None,
                 "coverage": o.placement.coverage if o.placement else None,
                 "suggestions": [{"facet": s.facet, "concept": compact(s.concept), "score": s.score,
                                  "nearest": [compact(w) for w in s.nearest]}
                                 for s in (o.placement.suggestions if o.placement else ())]}
                for o in outcomes]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for o in outcomes:
        similarity = (f" (coverage {o.placement.coverage}, nearest similarity {o.placement.nearest_similarity})"
                      if o.placement else "")
        print(f"{compact(o.work)}  {o.status}{similarity}  {o.title}")
        for s in o.placement.suggestions if o.placement else ():
            print(f"  {s.facet:<13} {compact(s.concept):<40} {s.score:.3f}  near {', '.join(compact(w) for w in s.nearest)}")
    return 0
