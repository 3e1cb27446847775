"""Full-text search over the works: an SQLite FTS5 index built with the store (kg.build writes it into the
build folder, `search.sqlite`), read-only afterwards.

The index holds, per work, its titles, framework names, authors, networks, benchmarks and headings
(ranked with BM25, titles and names weighted highest), the facts searches are narrowed by (facets:
perspective, base model, task, stage, setting, code, year, benchmark ...) and the vocabulary of the
indexed words, used to correct misspelt query words ("difusion" -> "diffusion", "Eurka" -> "eureka").

A query's words must all match; when no work matches them all, any word may match (the result says
which). Without words, every work matching the facets is listed, newest first.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import InputError, StoreMissing
from kg.iri import compact, expand
from kg.runner import QueryRunner, records

__all__ = ["INDEX_NAME", "FACETS", "Hit", "FacetValue", "SearchResult", "build_index", "search"]

INDEX_NAME = "search.sqlite"
"""File name of the index inside a build folder."""

_FIELDS_QUERY = Path(__file__).parent / "sparql" / "search-fields.rq"

TEXT_COLUMNS = ("title", "name", "author", "network", "benchmark", "heading", "facts")
_WEIGHTS = (10.0, 8.0, 3.0, 3.0, 3.0, 2.0, 1.0)
"""BM25 weight of each column of TEXT_COLUMNS: a word in the title or the framework name counts most."""

FACETS: dict[str, str] = {
    "perspective": "Perspective", "base_model": "Base model", "task": "RL task", "stage": "RL stage",
    "architecture": "Policy architecture", "setting": "Setting", "code": "Code", "year": "Year",
    "benchmark": "Benchmark", "edition": "First listed (companion list edition)",
}
"""Facet name -> its label, in the order pages show them."""

_COLUMN_OF = {"title": "title", "name": "name", "author": "author", "network": "network", "benchmark": "benchmark",
              "heading": "heading", "base_model": "heading", "task": "heading", "stage": "heading",
              "architecture": "heading", "perspective": "heading", "setting": "facts", "code": "facts",
              "venue": "facts", "year": "facts", "edition": "facts"}
_LITERAL_FACETS = ("year", "edition")
"""Facets whose values are text (a year, a year-month), not IRIs."""
_WORD = re.compile(r"\w+", re.UNICODE)
_MIN_CORRECTED = 4
"""Words shorter than this are never corrected (too many near neighbours)."""


@dataclass
class Hit:
    iri: str
    title: str
    year: str
    names: str
    authors: str
    snippet: str


@dataclass
class FacetValue:
    value: str
    """Compact IRI (`cat:vlm`) or the literal text (a year)."""
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    query: str
    words: list[str]
    """The words searched for, after spelling correction."""
    corrections: dict[str, str]
    """Misspelt query word -> the indexed word searched instead."""
    mode: str
    """"all" (every word matched), "any" (no work matched every word) or "browse" (no words)."""
    filters: list[tuple[str, str]]
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


_SCHEMA = f"""
CREATE TABLE work(id INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL, title TEXT NOT NULL, year TEXT NOT NULL,
                  names TEXT NOT NULL, authors TEXT NOT NULL);
CREATE VIRTUAL TABLE doc USING fts5({", ".join(TEXT_COLUMNS)}, tokenize='porter unicode61 remove_diacritics 2');
CREATE TABLE facet(work INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL);
CREATE INDEX facet_value ON facet(facet, value);
CREATE TABLE vocabulary(word TEXT PRIMARY KEY) WITHOUT ROWID;
"""


def build_index(runner: QueryRunner, path: Path) -> int:
    """Write the search index of the graph `runner` reads into `path` (replacing it); the number of works.

    Called by kg.build, next to the store it builds.
    """
    works: dict[str, dict] = {}
    for row in records(runner.run_select(_FIELDS_QUERY.read_text(encoding="utf-8"))):
        work, field_term = row["work"], row["field"]
        assert work is not None and field_term is not None  # bound by the query's patterns
        entry = works.setdefault(work.value, {"text": defaultdict(list), "facets": set(), "title": "", "year": "",
                                              "names": [], "authors": []})
        name = field_term.value
        label = row["label"].value if row["label"] is not None else ""
        alt = row["alt"].value if row["alt"] is not None else ""
        value = row["value"]
        for text in (label, alt):
            if text and text not in entry["text"][_COLUMN_OF[name]]:
                entry["text"][_COLUMN_OF[name]].append(text)
        if name == "title" and not entry["title"]:
            entry["title"] = label
        elif name in _LITERAL_FACETS:
            if name == "year":
                entry["year"] = label
            entry["facets"].add((name, label, label))
        elif name == "name" and label not in entry["names"]:
            entry["names"].append(label)
        elif name == "author" and value is None:
            entry["authors"].append(label)
        if name in FACETS and value is not None:
            entry["facets"].add((name, compact(value.value), label or compact(value.value)))
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(_SCHEMA)
        vocabulary: set[str] = set()
        for number, (iri, entry) in enumerate(sorted(works.items()), start=1):
            # the DOI/titles sort first when several titles exist: keep the preferred one (dcterms:title)
            connection.execute("INSERT INTO work VALUES (?, ?, ?, ?, ?, ?)",
                               (number, iri, entry["title"] or compact(iri), entry["year"],
                                ", ".join(entry["names"]), "; ".join(entry["authors"])))
            columns = [" | ".join(entry["text"].get(column, [])) for column in TEXT_COLUMNS]
            connection.execute(f"INSERT INTO doc(rowid, {', '.join(TEXT_COLUMNS)}) VALUES (?{', ?' * len(columns)})",
                               (number, *columns))
            connection.executemany("INSERT INTO facet VALUES (?, ?, ?, ?)",
                                   [(number, *facet) for facet in sorted(entry["facets"])])
            vocabulary.update(word.lower() for text in columns for word in _WORD.findall(text))
        connection.executemany("INSERT INTO vocabulary VALUES (?)", [(word,) for word in sorted(vocabulary)])
        connection.commit()
    finally:
        connection.close()
    return len(works)


@lru_cache(maxsize=8)
def _vocabulary(path: str, mtime: float) -> tuple[frozenset[str], tuple[str, ...]]:
    with _connect(Path(path)) as connection:
        words = tuple(word for (word,) in connection.execute("SELECT word FROM vocabulary"))
    return frozenset(words), words


def _connect(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise StoreMissing(f"the search index {path} does not exist: run `kg build` to build it with the store")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _correct(words: list[str], path: Path) -> dict[str, str]:
    known, ordered = _vocabulary(str(path), path.stat().st_mtime)
    corrections = {}
    for word in words:
        if word in known or len(word) < _MIN_CORRECTED or word.isdigit():
            continue
        close = difflib.get_close_matches(word, ordered, n=1, cutoff=0.75)
        if close:
            corrections[word] = close[0]
    return corrections


def _parse_filters(filters: Sequence[str]) -> list[tuple[str, str]]:
    parsed = []
    for item in filters:
        name, sep, value = item.partition(":")
        if not sep or name not in FACETS or not value:
            raise InputError(f"facet {item[:60]!r} is not <facet>:<value>; facets: {', '.join(FACETS)}")
        parsed.append((name, value))
    return parsed


def search(path: Path, *, q: str = "", facets: Sequence[str] = (), page: int = 1, per_page: int = 20) -> SearchResult:
    """Search the index at `path`: words of `q` (BM25-ranked), narrowed by `facets` (`"base_model:cat:vlm"`,
    `"year:2023"`; all must hold), page `page` of `per_page` hits, and the facet counts of the matching works.

    Raises InputError for a malformed facet or page, StoreMissing when the index does not exist.
    """
    if page < 1 or not 1 <= per_page <= 200:
        raise InputError("page must be 1 or more and per_page between 1 and 200")
    filters = _parse_filters(facets)
    words = [word.lower() for word in _WORD.findall(q)][:20]
    corrections = _correct(words, path) if words else {}
    searched = [corrections.get(word, word) for word in words]
    with _connect(path) as connection:
        matches: list[tuple[int, float]] = []
        mode = "browse"
        if searched:
            for attempt, joiner in (("all", " AND "), ("any", " OR ")):
                mode = attempt
                expression = joiner.join('"' + word.replace('"', '""') + '"' for word in searched)
                matches = connection.execute(
                    f"SELECT rowid, bm25(doc, {', '.join(map(str, _WEIGHTS))}) FROM doc WHERE doc MATCH ?",
                    (expression,)).fetchall()
                if matches or len(searched) == 1:
                    break
        else:
            matches = [(rowid, 0.0) for (rowid,) in connection.execute("SELECT id FROM work")]
        wanted = {rowid for rowid, _ in matches}
        for name, value in filters:
            stored = value if name in _LITERAL_FACETS else compact(expand(value))
            wanted &= {work for (work,) in connection.execute(
                "SELECT work FROM facet WHERE facet = ? AND value = ?", (name, stored))}
        meta = {rowid: (iri, title, year, names, authors) for rowid, iri, title, year, names, authors
                in connection.execute("SELECT id, iri, title, year, names, authors FROM work")}
        score = dict(matches)
        # BM25 in SQLite is lower-is-better; ties (and browsing) go newest first, then by title
        ordered = sorted(wanted, key=lambda r: (score[r], -int(meta[r][2] or 0), meta[r][1].lower()))
        chosen = ordered[(page - 1) * per_page: page * per_page]
        snippets = _snippets(connection, chosen, searched) if searched else {}
        counts: dict[str, dict[tuple[str, str], int]] = {name: defaultdict(int) for name in FACETS}
        if wanted:
            marks = ",".join("?" * len(wanted))
            for name, value, label, count in connection.execute(
                    f"SELECT facet, value, label, COUNT(DISTINCT work) FROM facet WHERE work IN ({marks}) "
                    "GROUP BY facet, value, label", tuple(wanted)):
                counts[name][(value, label)] += count
    selected = {(name, value if name in _LITERAL_FACETS else compact(expand(value))) for name, value in filters}
    facet_values = {
        name: _ordered(name, [FacetValue(value, label, count, (name, value) in selected)
                              for (value, label), count in values.items()])
        for name, values in counts.items() if values}
    return SearchResult(
        query=q, words=searched, corrections=corrections, mode=mode, filters=filters, total=len(ordered),
        page=page, per_page=per_page, facets=facet_values,
        hits=[Hit(meta[r][0], meta[r][1], meta[r][2], meta[r][3], meta[r][4], snippets.get(r, "")) for r in chosen])


def _ordered(name: str, values: list[FacetValue]) -> list[FacetValue]:
    """Years and editions newest first; other values by how many works have them."""
    if name in _LITERAL_FACETS:
        return sorted(values, key=lambda v: v.value, reverse=True)
    return sorted(values, key=lambda v: (-v.count, v.label.lower()))


def _snippets(connection: sqlite3.Connection, rowids: list[int], words: list[str]) -> dict[int, str]:
    """Where the words matched, as plain text with the matches between [ and ] (escaped by the template)."""
    if not rowids:
        return {}
    expression = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
    marks = ",".join("?" * len(rowids))
    rows = connection.execute(
        f"SELECT rowid, snippet(doc, -1, '[', ']', '…', 12) FROM doc WHERE doc MATCH ? AND rowid IN ({marks})",
        (expression, *rowids))
    return dict(rows)
