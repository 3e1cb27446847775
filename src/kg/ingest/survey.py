"""The survey itself (seed 001): its front matter (title, authors, venue, year, DOI), and the passages
of its text that name a work and cite it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.ingest.sources import read_lines

__all__ = ["SurveyFront", "parse_front_matter", "Passage", "find_named_citation"]


@dataclass(frozen=True)
class SurveyFront:
    title: str
    authors: list[str]
    venue: str
    year: int
    doi: str
    lines: dict[str, tuple[int, ...]]
    """fact -> the 1-based lines of seed 001 it is read from (journal, title, authors, DOI, year)."""

    @property
    def locator(self) -> str:
        """'Front matter: journal line 15, title line 21, authors lines 23-24, ...', every line a fact comes from."""
        def span(numbers: tuple[int, ...]) -> str:
            low, high = min(numbers), max(numbers)
            return f"line {low}" if low == high else f"lines {low}-{high}"
        parts = sorted(self.lines.items(), key=lambda item: min(item[1]))
        return "Front matter: " + ", ".join(f"{fact} {span(numbers)}" for fact, numbers in parts)


def _first(lines: list[str], pattern: str) -> tuple[int, str] | None:
    """(index, first group) of the first line matching `pattern`."""
    return next(((i, m.group(1)) for i, line in enumerate(lines) for m in [re.search(pattern, line)] if m), None)


def parse_front_matter(sources_dir: Path) -> SurveyFront:
    """Title (the '# ' line), authors (the next line), journal, copyright year and DOI of seed 001.

    Raises InputError when one of them is missing.
    """
    lines = read_lines(sources_dir, "survey-text")
    title_at = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    doi = _first(lines, r"https://doi\.org/(10\.1016/j\.inffus\.[\d.]+)")
    year = _first(lines, r"©\s*(\d{4})")
    venue_at = next((i for i, line in enumerate(lines) if line.startswith("Contents lists available at")), None)
    if title_at is None or doi is None or year is None or venue_at is None:
        raise InputError("seed 001: front matter (title, DOI, copyright year or journal) not found")
    author_at = next(i for i in range(title_at + 1, len(lines)) if lines[i].strip())
    author_text = re.sub(r"<sup>.*?</sup>", "", " ".join(lines[author_at:author_at + 2]))
    authors = [a.strip() for a in author_text.split(",")]
    venue_line = next(i for i in range(venue_at + 1, len(lines)) if lines[i].strip())
    return SurveyFront(title=lines[title_at][2:].strip(), authors=[a for a in authors if a], venue=lines[venue_line].strip(),
                       year=int(year[1]), doi=doi[1],
                       lines={"journal": (venue_line + 1,), "title": (title_at + 1,),
                              "authors": (author_at + 1, author_at + 2), "DOI": (doi[0] + 1,), "year": (year[0] + 1,)})


@dataclass(frozen=True)
class Passage:
    line: int
    section: str
    """The heading the passage sits under, as printed ('3.4. World model and video prediction model')."""


def _cites(brackets: str, number: int) -> bool:
    """'38,149–152' cites 150; '112' cites 112."""
    for part in re.split(r"\s*,\s*", brackets):
        low, _, high = re.sub(r"\s", "", part).replace("-", "–").partition("–")
        if low.isdigit() and (high.isdigit() and int(low) <= number <= int(high) or int(low) == number):
            return True
    return False


def find_named_citation(sources_dir: Path, *, name: str, number: int) -> Passage:
    """The first line of the survey's body (before its reference list) where `name` is written and the
    next citation after it cites [number].

    Raises InputError when no such line exists (the name is not given as the survey prints it).
    """
    lines = read_lines(sources_dir, "survey-text")
    end = next((i for i, line in enumerate(lines) if re.match(r"^#+\s*References\s*$", line)), len(lines))
    section = ""
    for index, line in enumerate(lines[:end]):
        if line.startswith("#"):
            section = line.strip("#* ").strip()
            continue
        at = line.find(name)
        if at < 0:
            continue
        cited = re.search(r"\[([\d,–\-\s]+)\]", line[at + len(name):])
        if cited and _cites(cited.group(1), number):
            return Passage(line=index + 1, section=section)
    raise InputError(f"seed 001: no passage writes {name!r} followed by a citation of [{number}] "
                     f"(copy the name as the survey prints it)")
