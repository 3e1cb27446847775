"""Maintaining the survey from the command line: `kg add`, `kg review`, `kg candidates` (docs/maintaining.md).

Thin commands over kg.adding, kg.review and kg.candidates; each `cmd_<name>(settings, args, progress)`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from pathlib import Path

from kg.cli.progress import Progress
from kg.errors import InputError
from kg.settings import Settings

__all__ = ["cmd_add", "cmd_review", "cmd_candidates", "add_arguments", "reviewer_of"]


def reviewer_of(args: argparse.Namespace) -> str:
    """--reviewer, else KG_REVIEWER, else the OS user."""
    return args.reviewer or os.environ.get("KG_REVIEWER") or getpass.getuser()


def _print(rows: list[dict], *, as_json: bool, lines: list[str]) -> None:
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print("\n".join(lines) if lines else "(nothing)")


def cmd_add(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.adding import add, arxiv_entry, read_files

    if args.arxiv:
        if args.files:
            raise InputError("give files or --arxiv, not both")
        if not args.title:
            raise InputError("--arxiv needs --title")
        entries = [arxiv_entry(arxiv_id=args.arxiv, title=args.title, authors=args.author, year=args.year)]
    elif args.files:
        entries = read_files([Path(f) for f in args.files], fmt=args.input_format)
    else:
        raise InputError("give one or more files (BibTeX, RIS, CSL-JSON, arXiv Atom, OpenAlex, S2) or --arxiv ID --title T")
    progress.step(f"adding {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}: dedupe, validate, reason, write")
    outcomes = add(settings, entries, by=reviewer_of(args), dry_run=args.dry_run, log=progress.step)
    progress.clear()
    lines = []
    for o in outcomes:
        lines.append(f"{o.status:9} {o.paper}  {o.title}")
        lines += [f"          from {where}" for where in o.entries]
        lines += [f"          because {reason}" for reason in o.reasons]
    if args.dry_run:
        lines.append("(dry run: nothing written)")
    _print([o.to_json() for o in outcomes], as_json=args.format == "json", lines=lines)
    return 0


def cmd_review(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.review import decide, suggestions

    if args.action == "list":
        found = suggestions(settings, status=None if args.all else "dkg:Pending")
        lines = [f"{s.key}  {s.status}  {s.score if s.score is not None else '-'}  {s.predicate.rsplit('#', 1)[-1]} "
                 f"{s.concept.rsplit('/', 1)[-1]}  ({s.title})" for s in found]
        _print([s.to_json() for s in found], as_json=args.format == "json", lines=lines)
        return 0
    if not args.suggestion:
        raise InputError(f"kg review {args.action} needs the suggestion (as `kg review list` shows it)")
    done = []
    for key in args.suggestion:
        progress.step(f"{args.action} {key}: validate, reason, write")
        done.append(decide(settings, suggestion=key, decision=args.action, reviewer=reviewer_of(args),
                           concept=args.concept))
    progress.clear()
    lines = [f"{d.status} {d.suggestion}" + (f": {d.fact} on {d.paper}" if d.fact else "") + f" ({d.edit_file})"
             for d in done]
    _print([d.to_json() for d in done], as_json=args.format == "json", lines=lines)
    return 0


def cmd_candidates(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.candidates import accept, candidates, reject

    if args.action == "list":
        found = candidates(settings, include_rejected=args.all)[: args.limit or None]
        lines = [f"{c.score:.3f}  {c.id}  {c.title}" + (f"  [rejected: {c.reason}]" if c.reason else "") for c in found]
        _print([c.to_json() for c in found], as_json=args.format == "json", lines=lines)
        return 0
    if not args.id:
        raise InputError(f"kg candidates {args.action} needs the candidate's id (as `kg candidates list` shows it)")
    progress.step(f"{args.action} {args.id}: validate, reason, write")
    if args.action == "accept":
        outcomes = accept(settings, paper_id=args.id, reviewer=reviewer_of(args))
        progress.clear()
        _print([o.to_json() for o in outcomes], as_json=args.format == "json",
               lines=[f"{o.status} {o.paper}  {o.title}" for o in outcomes])
        return 0
    if not args.reason:
        raise InputError("kg candidates reject needs --reason")
    done = reject(settings, paper_id=args.id, reason=args.reason, reviewer=reviewer_of(args))
    progress.clear()
    _print([done.to_json()], as_json=args.format == "json", lines=[f"rejected {done.paper}: {done.reason}"])
    return 0


def add_arguments(sub: argparse._SubParsersAction, command) -> None:
    """The arguments of add, review and candidates (`command` is kg.cli.parser._command)."""
    reviewer_help = "who decides (default: KG_REVIEWER, else the OS user)"
    add = command(sub, "add", "add works from bibliographic files or an arXiv id to the edits layer",
                  "Reads every file first; an unparseable file, an entry without a title or a malformed arXiv id "
                  "or DOI stops the whole batch (exit 2, nothing written). Entries matching a work of the graph "
                  "(arXiv id in any version or URL form, DOI in any form, or a title at least 0.9 similar) are "
                  "merged into it or reported as duplicates; a preprint and its published version become one work.")
    add.add_argument("files", nargs="*", help="BibTeX, RIS, CSL-JSON, arXiv Atom XML, OpenAlex or Semantic Scholar JSON")
    add.add_argument("--input-format", default="auto",
                     choices=["auto", "bibtex", "ris", "csl-json", "arxiv-atom", "openalex", "s2"],
                     help="format of the files (auto: from the file name, else the content)")
    add.add_argument("--arxiv", help="add one arXiv paper by id (needs --title)")
    add.add_argument("--title", help="its title (with --arxiv)")
    add.add_argument("--author", action="append", default=[], help="an author, in order (repeatable; with --arxiv)")
    add.add_argument("--year", help="its year (with --arxiv)")
    add.add_argument("--dry-run", action="store_true", help="say what would be added, merged or skipped; write nothing")
    add.add_argument("--reviewer", help="who adds (recorded in the edit files; default: KG_REVIEWER, else the OS user)")
    add.add_argument("--format", choices=["table", "json"], default="table", help="report format")

    review = command(sub, "review", "list AI suggestions and accept, reject or correct them",
                     "A decision is written to the work's edit file with the reviewer and the time; accepted and "
                     "corrected facts become facts of the work.")
    review.add_argument("action", choices=["list", "accept", "reject", "correct"], nargs="?", default="list")
    review.add_argument("suggestion", nargs="*", help="<paper id>/suggestion-<facet>-<concept> (from `kg review list`)")
    review.add_argument("--concept", help="with correct: the concept to use instead, e.g. cat:reward-vlm")
    review.add_argument("--reviewer", help=reviewer_help)
    review.add_argument("--all", action="store_true", help="list decided suggestions too")
    review.add_argument("--format", choices=["table", "json"], default="table", help="output format")

    cands = command(sub, "candidates", "the candidate-paper queue ranked by fit to the survey's scope; accept or reject",
                    "Candidates are the related papers of seeds 002 and 003 (dkg:CandidatePaper). The score is the "
                    "TF-IDF cosine of title and abstract with the survey's works. Accepting lists the work (as kg add "
                    "does); rejecting records the reason.")
    cands.add_argument("action", choices=["list", "accept", "reject"], nargs="?", default="list")
    cands.add_argument("id", nargs="?", help="the candidate's paper id (from `kg candidates list`)")
    cands.add_argument("--reason", help="with reject: why it is out of scope")
    cands.add_argument("--reviewer", help=reviewer_help)
    cands.add_argument("--all", action="store_true", help="list rejected candidates too")
    cands.add_argument("--limit", type=int, default=0, help="list at most this many (0: all)")
    cands.add_argument("--format", choices=["table", "json"], default="table", help="output format")
