"""Seed 002, a public page of papers related to the survey: titles only (abstracts stay out)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.ingest.records import PaperKeys, SourceRecord
from kg.ingest.sources import read_lines

__all__ = ["RelatedPaper", "parse_related", "related_records"]


@dataclass(frozen=True)
class RelatedPaper:
    line: int
    title: str


def parse_related(sources_dir: Path) -> list[RelatedPaper]:
    """Each title line: the page alternates title and abstract after a short header ending at a date line.

    Raises InputError when no title/abstract pairs are found.
    """
    lines = read_lines(sources_dir, "related-papers")
    filled = [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()]
    # a title is a short line directly followed (skipping blanks) by a long abstract line
    papers = [RelatedPaper(line=number, title=line) for (number, line), (_, following) in zip(filled, filled[1:])
              if len(line) < 300 and len(following) >= 300]
    if not papers:
        raise InputError("seed 002: no title/abstract pairs found")
    return papers


def related_records(papers: list[RelatedPaper]) -> list[SourceRecord]:
    return [SourceRecord(fragment=f"related-{paper.line}", record_class="dkg:SourceRecord", source="related-papers",
                         locator=f"line {paper.line}", keys=PaperKeys(title=paper.title)) for paper in papers]
