"""One work's history through the editions, for its page (`_history.html`): when it was first listed, under
which headings over time, and when its spreadsheet row changed. Read from the edition graphs in the store
with the named query `work-history` (so the page and `kg query work-history` agree).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.queries import load_query
from kg.runner import QueryRunner, records, run_named
from kg.settings import Settings

__all__ = ["WorkHistory", "HeadingSpan", "RowChange", "work_history"]

SEED_LABEL = "seed 000 (newest)"
QUERY = "work-history"


@dataclass(frozen=True)
class HeadingSpan:
    heading: str
    first: str
    last: str
    editions: int


@dataclass(frozen=True)
class RowChange:
    when: str
    where: str
    changes: tuple[str, ...]
    """'Taxonomy: "" -> "LLM"', or 'row first in the sheets' for the first state holding the row."""


@dataclass
class WorkHistory:
    first_listed: str | None = None
    list_editions: int = 0
    headings: list[HeadingSpan] = field(default_factory=list)
    row_changes: list[RowChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.list_editions or self.row_changes)


def _when(issued: str | None) -> str:
    return issued.replace("T", " ")[:16] if issued else SEED_LABEL


def _text(term: object) -> str:
    """A result term's value; '' for an unbound one (only ?issued can be: seed 000 has no date)."""
    return "" if term is None else str(term.value)  # type: ignore[attr-defined]


def _split(detail: str) -> tuple[str, str]:
    column, _, text = detail.partition(": ")
    return column, text


def work_history(runner: QueryRunner, settings: Settings, work: str) -> WorkHistory:
    """The history of `work` (a full IRI); empty when the store holds no edition that lists it, or when the
    project has no `work-history` query (a project without the editions)."""
    if not (Path(settings.queries_dir) / f"{QUERY}.rq").is_file():
        return WorkHistory()
    rows = records(run_named(runner, load_query(settings, QUERY), {"work": work}))
    result = WorkHistory()
    listed: dict[str, str | None] = {}  # edition -> issued, in the query's order (oldest first, seed last)
    spans: dict[str, list] = {}
    states: dict[str, tuple[str | None, str, dict[str, str]]] = {}
    for row in rows:
        edition, where, detail, kind = (_text(row[name]) for name in ("edition", "where", "detail", "kind"))
        issued = _text(row["issued"]) or None
        where = where.replace('"', "")
        if kind == "list":
            listed.setdefault(edition, issued)
            span = spans.setdefault(where, [_when(issued), _when(issued), set()])
            span[1] = _when(issued)
            span[2].add(edition)
        else:
            column, text = _split(detail)
            states.setdefault(edition, (issued, where, {}))[2][column] = text
    result.list_editions = len(listed)
    if listed:
        result.first_listed = _when(next(iter(listed.values())))
    result.headings = [HeadingSpan(heading, first, last, len(editions)) for heading, (first, last, editions) in spans.items()]
    previous: dict[str, str] | None = None
    for issued, where, cells in states.values():
        if previous is None:
            result.row_changes.append(RowChange(_when(issued), where, ("row first in the sheets",)))
        else:
            changed = tuple(f'{column}: "{previous.get(column, "")}" -> "{cells.get(column, "")}"'
                            for column in sorted(set(previous) | set(cells)) if previous.get(column) != cells.get(column))
            if changed:
                result.row_changes.append(RowChange(_when(issued), where, changed))
        previous = cells
    return result
