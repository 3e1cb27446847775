"""The survey itself (seed 001 front matter): title, authors, venue, year, DOI."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.ingest.sources import read_lines

__all__ = ["SurveyFront", "parse_front_matter"]


@dataclass(frozen=True)
class SurveyFront:
    title: str
    authors: list[str]
    venue: str
    year: int
    doi: str
    lines: tuple[int, ...]


def parse_front_matter(sources_dir: Path) -> SurveyFront:
    """Title (the '# ' line), authors (the next line), journal, copyright year and DOI of seed 001.

    Raises InputError when one of them is missing.
    """
    lines = read_lines(sources_dir, "survey-text")
    title_at = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    doi = next((m.group(1) for line in lines
                for m in [re.search(r"https://doi\.org/(10\.1016/j\.inffus\.[\d.]+)", line)] if m), None)
    year = next((int(m.group(1)) for line in lines for m in [re.search(r"©\s*(\d{4})", line)] if m), None)
    venue_at = next((i for i, line in enumerate(lines) if line.startswith("Contents lists available at")), None)
    if title_at is None or doi is None or year is None or venue_at is None:
        raise InputError("seed 001: front matter (title, DOI, copyright year or journal) not found")
    author_at = next(i for i in range(title_at + 1, len(lines)) if lines[i].strip())
    author_text = re.sub(r"<sup>.*?</sup>", "", " ".join(lines[author_at:author_at + 2]))
    authors = [a.strip() for a in author_text.split(",")]
    venue_line = next(i for i in range(venue_at + 1, len(lines)) if lines[i].strip())
    return SurveyFront(title=lines[title_at][2:].strip(), authors=[a for a in authors if a],
                       venue=lines[venue_line].strip(),
                       year=year, doi=doi, lines=(title_at + 1, author_at + 1, venue_line + 1))
