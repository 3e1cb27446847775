"""`kg render list|sheets|tables`: the maintainers' files written from the graph (kg.render)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.atomic import write_atomic
from kg.cli.commands import _current_store, _params
from kg.cli.progress import Progress
from kg.settings import Settings

__all__ = ["cmd_render", "cmd_bibliography"]

_SUFFIX = {"latex": "tex", "csv": "csv", "md": "md"}
"""Table format -> file suffix."""


def cmd_render(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    from kg.runner import StoreRunner

    runner = StoreRunner(_current_store(settings, args, progress))
    if args.what == "list":
        from kg.render.list import render_list

        text = render_list(runner, settings)
        if args.out is None:
            sys.stdout.write(text)
            return 0
        write_atomic(Path(args.out), text)
        progress.done(f"wrote {args.out}")
        return 0
    if args.what == "sheets":
        from kg.render.sheets import write_sheets

        out = Path(args.out or "out/sheets")
        written = write_sheets(runner, settings, out_dir=out)
        progress.done(f"wrote {len(written)} spreadsheets in {out}")
        return 0
    from kg.render.tables import TABLE_NUMBERS, render_table

    numbers = [args.table] if args.table is not None else list(TABLE_NUMBERS)
    for number in numbers:
        text = render_table(runner, settings, number=number, fmt=args.format)
        if args.out is None:
            sys.stdout.write(text + ("\n" if len(numbers) > 1 else ""))
        else:
            write_atomic(Path(args.out) / f"table-{number}.{_SUFFIX[args.format]}", text)
    if args.out is not None:
        progress.done(f"wrote {len(numbers)} table(s) in {args.out}")
    return 0



def cmd_bibliography(settings: Settings, args: argparse.Namespace, progress: Progress) -> int:
    """`kg export --format bibtex|ris|csl-json|csv [--category C | --query NAME]`."""
    from kg.bibliography import citation_keys, render_bibliography, select_works, works
    from kg.runner import StoreRunner

    runner = StoreRunner(_current_store(settings, args, progress))
    keys = citation_keys(works(runner, settings))  # over every work, so a key does not change with the selection
    chosen = select_works(runner, settings, category=args.category, query=args.query, params=_params(args.param))
    text = render_bibliography(chosen, fmt=args.format, keys=keys)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    write_atomic(Path(args.out), text)
    progress.done(f"wrote {len(chosen)} work(s) to {args.out}")
    return 0
