"""Seed 002, a public page of papers related to the survey: titles only (abstracts stay out)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.ingest.records import PaperKeys, SourceRecord, title_key, unique_keys
from kg.ingest.sources import read_lines

__all__ = ["RelatedPaper", "parse_related", "related_records"]


@dataclass(frozen=True)
class RelatedPaper:
    line: int
    """Where the title is (for messages); not part of its key."""
    title: str
    key: str = ""
    """The record key: `related-` + the title's first significant words."""


def parse_related(sources_dir: Path) -> list[RelatedPaper]:
    """Each title line: the page alternates title and abstract after a short header ending at a date line.

    Raises InputError when no title/abstract pairs are found.
    """
    lines = read_lines(sources_dir, "related-papers")
    filled = [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()]
    # a title is a short line directly followed (skipping blanks) by a long abstract line
    titles = [(number, line) for (number, line), (_, following) in zip(filled, filled[1:])
              if len(line) < 300 and len(following) >= 300]
    if not titles:
        raise InputError("seed 002: no title/abstract pairs found")
    keys = unique_keys([title_key(title) for _, title in titles], ["" for _ in titles])
    return [RelatedPaper(line=number, title=title, key="related-" + key) for (number, title), key in zip(titles, keys)]


def related_records(papers: list[RelatedPaper]) -> list[SourceRecord]:
    """One record per title; the locator quotes the title (a line number would move with every insertion)."""
    return [SourceRecord(fragment=paper.key, record_class="dkg:SourceRecord", source="related-papers",
                         locator=f"title \"{paper.title}\"", keys=PaperKeys(title=paper.title)) for paper in papers]
