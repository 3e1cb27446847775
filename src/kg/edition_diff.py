"""What changed between two editions of the survey: works added, removed and moved, headings added,
removed and renamed, spreadsheet cells changed; as Markdown a maintainer would write, or as JSON.

A renamed section is one rename, not a move of every work under it: a heading of the older edition that
is gone, and a heading of the newer one that is new, are one heading renamed when they keep at least half
of their works (Jaccard of the works listed under them >= RENAME_JACCARD) and either sit under the same
parent or have similar names (>= RENAME_NAME_SIMILARITY); sections that list nothing are matched by name
alone (>= EMPTY_RENAME_NAME_SIMILARITY, same parent). Headings are matched top-down, so the children of
a renamed section follow it without being reported themselves. Between two distant editions, headings
are first followed edition by edition through the history (a section renamed twice, or renamed before
it listed anything, is still one heading); the rest are matched directly.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher

from kg.editions import Edition, History, read_sheet_state
from kg.iri import compact

__all__ = ["EditionDiff", "HeadingRename", "WorkChange", "CellChange", "diff", "changelog", "changelog_markdown",
           "RENAME_JACCARD", "RENAME_NAME_SIMILARITY"]

RENAME_JACCARD = 0.5
RENAME_NAME_SIMILARITY = 0.5
EMPTY_RENAME_NAME_SIMILARITY = 0.8

Heading = tuple[str, ...]
"""A heading path: 'Generative Tools for RL', 'Task', 'Reward Signal', ..."""


@dataclass(frozen=True)
class HeadingRename:
    old: Heading
    new: Heading
    kept: int
    """works listed under both."""
    jaccard: float
    name_similarity: float


@dataclass(frozen=True)
class WorkChange:
    work: str
    title: str
    old: tuple[Heading, ...]
    """headings it left (added/removed works: empty / every heading of the older edition)."""
    new: tuple[Heading, ...]


@dataclass(frozen=True)
class CellChange:
    key: str
    """the row's BibTeX key (Name cell)."""
    work: str | None
    """the work today's graph matches the row to (None for a row today's sheets no longer hold)."""
    title: str | None
    column: str
    old: str
    new: str
    file: str


@dataclass
class EditionDiff:
    a: str
    b: str
    added: list[WorkChange] = field(default_factory=list)
    removed: list[WorkChange] = field(default_factory=list)
    moved: list[WorkChange] = field(default_factory=list)
    headings_added: list[Heading] = field(default_factory=list)
    headings_removed: list[Heading] = field(default_factory=list)
    renamed: list[HeadingRename] = field(default_factory=list)
    sheets: tuple[str | None, str | None] = (None, None)
    rows_added: list[str] = field(default_factory=list)
    rows_removed: list[str] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.moved or self.headings_added or self.headings_removed
                    or self.renamed or self.rows_added or self.rows_removed or self.cells)

    def to_json(self) -> dict:
        data = asdict(self)
        for name in ("added", "removed", "moved", "cells"):
            for change in data[name]:
                change["work"] = change["work"] and compact(change["work"])
        return data

    def to_markdown(self) -> str:
        lines = [f"## {self.a} -> {self.b}", ""]
        for verb, changes, side in (("Added", self.added, "new"), ("Removed", self.removed, "old")):
            under: dict[Heading, list[str]] = defaultdict(list)
            for change in changes:
                for heading in getattr(change, side) or ((),):
                    under[heading].append(change.title)
            for heading, titles in under.items():
                where = "under" if verb == "Added" else "from"
                lines.append(f"- {verb} {_works(len(titles))} {where} {_heading(heading)}: "
                             + "; ".join(titles))
        for rename in self.renamed:
            verb = "Renumbered" if _name(rename.old[-1]) == _name(rename.new[-1]) else "Renamed"
            if rename.old[:-1] == rename.new[:-1]:
                where = f" in {_heading(rename.old[:-1])}" if len(rename.old) > 1 else ""
                names = f"'{rename.old[-1]}' to '{rename.new[-1]}'{where}"
            else:
                names = f"{_heading(rename.old)} to {_heading(rename.new)}"
            lines.append(f"- {verb} {names} (keeps {_works(rename.kept)})")
        moves: dict[tuple[tuple[Heading, ...], tuple[Heading, ...]], list[str]] = defaultdict(list)
        for change in self.moved:
            moves[(change.old, change.new)].append(change.title)
        for (old, new), titles in moves.items():
            left, joined = ", ".join(_heading(h) for h in old), ", ".join(_heading(h) for h in new)
            count = _works(len(titles))
            if old and new:
                lines.append(f"- Moved {count} from {left} to {joined}: " + "; ".join(titles))
            elif new:
                lines.append(f"- Also listed {count} under {joined}: " + "; ".join(titles))
            else:
                lines.append(f"- No longer lists {count} under {left}: " + "; ".join(titles))
        if self.headings_added:
            lines.append("- New sections: " + "; ".join(_heading(h) for h in self.headings_added))
        if self.headings_removed:
            lines.append("- Sections dropped: " + "; ".join(_heading(h) for h in self.headings_removed))
        if self.sheets[0] != self.sheets[1]:
            lines.append(f"- Spreadsheets {self.sheets[0] or '(none yet)'} -> {self.sheets[1]}: "
                         f"{len(self.rows_added)} row(s) added, {len(self.rows_removed)} removed, "
                         f"{len(self.cells)} cell(s) changed")
            for verb, keys in (("added", self.rows_added), ("removed", self.rows_removed)):
                if keys:
                    lines.append(f"  - rows {verb}: " + ", ".join(f"`{key}`" for key in keys))
            lines += [f"  - `{c.key}`{f' ({c.title})' if c.title else ''} in {c.file}, {c.column}: "
                      f"\"{c.old}\" -> \"{c.new}\"" for c in self.cells]
        if len(lines) == 2:
            lines.append("- No changes.")
        return "\n".join(lines) + "\n"


def _works(count: int) -> str:
    return f"{count} work{'s' * (count != 1)}"


def _heading(path: Heading) -> str:
    return "'" + " > ".join(path) + "'" if path else "(no section)"


def diff(a: Edition, b: Edition, *, history: History, with_sheets: bool = True) -> EditionDiff:
    """What changed from edition `a` to edition `b` (see the module docstring for renames)."""
    result = EditionDiff(a=a.label, b=b.label)
    mapping, renamed = _match_headings(a, b, carried=_carried(a, b, history))
    result.renamed = renamed
    result.headings_removed = [p for p in a.headings if p not in mapping]
    mapped = set(mapping.values())
    result.headings_added = [p for p in b.headings if p not in mapped]
    old_at, new_at = _headings_of(a), _headings_of(b)
    for work in sorted(new_at.keys() - old_at.keys(), key=lambda w: history.titles[w]):
        result.added.append(WorkChange(work, history.titles[work], (), tuple(new_at[work])))
    for work in sorted(old_at.keys() - new_at.keys(), key=lambda w: history.titles[w]):
        result.removed.append(WorkChange(work, history.titles[work], tuple(old_at[work]), ()))
    for work in sorted(old_at.keys() & new_at.keys(), key=lambda w: history.titles[w]):
        before = [mapping.get(p, p) for p in old_at[work]]
        after = new_at[work]
        left = tuple(p for p in before if p not in after)
        joined = tuple(p for p in after if p not in before)
        if left or joined:
            result.moved.append(WorkChange(work, history.titles[work], left, joined))
    result.sheets = (a.sheets.name if a.sheets else None, b.sheets.name if b.sheets else None)
    if with_sheets and a.sheets != b.sheets and b.sheets is not None:
        _diff_sheets(a, b, result, history)
    return result


def _headings_of(edition: Edition) -> dict[str, list[Heading]]:
    """work -> the headings it is listed under, in order, once each."""
    at: dict[str, list[Heading]] = defaultdict(list)
    for entry in edition.entries:
        if entry.headings not in at[entry.work]:
            at[entry.work].append(entry.headings)
    return at


def _members(edition: Edition) -> dict[Heading, set[str]]:
    """heading path -> the works listed under it or any of its subsections."""
    members: dict[Heading, set[str]] = {path: set() for path in edition.headings}
    for entry in edition.entries:
        for depth in range(1, len(entry.headings) + 1):
            members.setdefault(entry.headings[:depth], set()).add(entry.work)
    return members


def _name(heading: str) -> str:
    """A heading's words without its numbering.

    >>> _name("3.2 Diffusion models for planning"), _name("1.Transformer Policy")
    ('diffusion models for planning', 'transformer policy')
    """
    return re.sub(r"^[\d.\s]+", "", heading).strip().lower()


def _carried(a: Edition, b: Edition, history: History) -> dict[Heading, tuple[Heading, bool]]:
    """Headings of `a` followed through every edition between `a` and `b`, one step at a time, as the
    maintainer renamed them: heading -> (its path in `b`, renamed on the way). Empty unless `a` precedes `b`
    by more than one edition (a section renamed twice, or moved and then renamed, is still one heading)."""
    names = [edition.name for edition in history.editions]
    if a.name not in names or b.name not in names or names.index(b.name) - names.index(a.name) < 2:
        return {}
    steps = history.editions[names.index(a.name):names.index(b.name) + 1]
    position = {path: (path, False) for path in a.headings}
    for before, after in zip(steps, steps[1:]):
        mapping, renames = _match_headings(before, after)
        renamed = {rename.old for rename in renames}
        position = {path: (mapping[now], was or now in renamed) for path, (now, was) in position.items()
                    if now in mapping}
    return position


def _match_headings(a: Edition, b: Edition, *, carried: dict[Heading, tuple[Heading, bool]] | None = None
                    ) -> tuple[dict[Heading, Heading], list[HeadingRename]]:
    """Every heading path of `a` that continues in `b` -> its path there; and the renames among them.

    `carried` gives headings already followed from `a` to `b` edition by edition (`_carried`); the others
    are matched directly, top-down.
    """
    old, new = _members(a), _members(b)
    mapping: dict[Heading, Heading] = {}
    renames: list[HeadingRename] = []
    for path in a.headings:
        target, renamed = (carried or {}).get(path, (None, False))
        if target in new and target not in mapping.values():
            mapping[path] = target
            if renamed and _renamed_itself(path, target, mapping):
                renames.append(_rename(path, target, old, new))
    for depth in sorted({len(p) for p in old}):
        level = [p for p in old if len(p) == depth and p not in mapping]
        pending = []
        for path in level:
            parent = mapping.get(path[:-1], path[:-1])
            same = parent + path[-1:]
            if same in new and same not in mapping.values():
                mapping[path] = same
            else:
                pending.append((path, parent))
        candidates = []
        for path, parent in pending:
            for target in new:
                if target in mapping.values():
                    continue
                rename = _rename(path, target, old, new)
                same_parent = target[:-1] == parent
                if old[path] | new[target]:
                    if rename.jaccard >= RENAME_JACCARD and (same_parent or rename.name_similarity >= RENAME_NAME_SIMILARITY):
                        candidates.append((rename.jaccard + rename.name_similarity, rename))
                elif same_parent and rename.name_similarity >= EMPTY_RENAME_NAME_SIMILARITY:
                    candidates.append((rename.name_similarity, rename))
        for _, rename in sorted(candidates, key=lambda c: (-c[0], c[1].old, c[1].new)):
            if rename.old in mapping or rename.new in mapping.values():
                continue
            mapping[rename.old] = rename.new
            renames.append(rename)
    return mapping, renames


def _renamed_itself(path: Heading, target: Heading, mapping: dict[Heading, Heading]) -> bool:
    """Whether a heading's own name or place changed, not only its parent's name."""
    parent = mapping.get(path[:-1], path[:-1])
    return target != parent + path[-1:]


def _rename(path: Heading, target: Heading, old: dict[Heading, set[str]], new: dict[Heading, set[str]]
            ) -> HeadingRename:
    kept = old[path] & new[target]
    union = old[path] | new[target]
    return HeadingRename(path, target, len(kept), round(len(kept) / len(union), 3) if union else 0.0,
                         round(SequenceMatcher(None, _name(path[-1]), _name(target[-1])).ratio(), 3))


def _diff_sheets(a: Edition, b: Edition, result: EditionDiff, history: History) -> None:
    assert b.sheets is not None, "diff() compares spreadsheets only when the later edition has them"
    before = read_sheet_state(a.sheets).rows if a.sheets else {}
    state = read_sheet_state(b.sheets)
    after = state.rows
    result.rows_added = sorted(after.keys() - before.keys())
    result.rows_removed = sorted(before.keys() - after.keys())
    for key in sorted(before.keys() & after.keys()):
        for column in sorted((before[key].keys() | after[key].keys()) - {"Name"}):
            old, new = before[key].get(column, ""), after[key].get(column, "")
            if old != new:
                work = history.sheet_works.get(key)
                result.cells.append(CellChange(key, work, history.titles.get(work) if work else None, column,
                                               old, new, state.files[key]))


def changelog(history: History) -> list[dict]:
    """One row per edition, oldest first: its date, commit, works listed and what changed from the one before."""
    rows = []
    previous: Edition | None = None
    for edition in history.editions:
        counts = {"works": len(edition.works), "entries": len(edition.entries), "added": len(edition.works),
                  "removed": 0, "moved": 0, "renamed": 0, "sections_added": len(edition.headings),
                  "sections_removed": 0}
        if previous is not None:
            change = diff(previous, edition, history=history, with_sheets=False)
            counts.update(added=len(change.added), removed=len(change.removed), moved=len(change.moved),
                          renamed=len(change.renamed), sections_added=len(change.headings_added),
                          sections_removed=len(change.headings_removed))
        rows.append({"edition": edition.name, "date": edition.date, "commit": edition.commit, **counts})
        previous = edition
    return rows


def changelog_markdown(rows: list[dict]) -> str:
    """The changelog as a Markdown table (`kg changelog`, /changes?format=md)."""
    lines = ["| edition | date | commit | works | added | removed | moved | renamed headings |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {row['edition']} | {row['date'] or '-'} | {(row['commit'] or '-')[:7]} | {row['works']} | "
              f"+{row['added']} | -{row['removed']} | {row['moved']} | {row['renamed']} |" for row in rows]
    return "\n".join(lines) + "\n"
