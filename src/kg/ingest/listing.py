"""Seed 003, the survey's listing page: its facts about the survey (title, authors, year) and its related
works (title, authors, venue, year) as candidates. The abstract stays out (prose, not facts)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.ingest.records import PaperKeys, SourceRecord, iri, text, title_key, unique_keys, year
from kg.ingest.references import author_iri
from kg.ingest.sources import read_lines

__all__ = ["ListedWork", "ListingPage", "parse_listing", "listing_record", "listing_related_records"]

_YEAR = re.compile(r"^(?:(?P<venue>.+?)\s+·\s+)?(?P<year>(19|20)\d\d)$")


@dataclass(frozen=True)
class ListedWork:
    title: str
    authors: str
    """As printed, e.g. 'Xiwei Wu, Wei Wu, Qiqi Chen +6 more'."""
    venue: str | None
    year: int
    line: int


@dataclass(frozen=True)
class ListingPage:
    title: str
    authors: list[str]
    year: int
    lines: dict[str, int]
    related: list[ListedWork]

    @property
    def locator(self) -> str:
        return "Listing page: " + ", ".join(f"{fact} line {line}" for fact, line in self.lines.items())


def parse_listing(sources_dir: Path) -> ListingPage:
    """Title (line 1), authors (line 2), the year under '- Year', and the 'Related papers' entries: title line,
    authors line, '[venue · ]year' line.

    Raises InputError naming the line when a part is missing or an entry is incomplete.
    """
    lines = [line.strip() for line in read_lines(sources_dir, "listing-page")]
    if len(lines) < 2 or not lines[0] or not lines[1]:
        raise InputError("seed 003 line 1-2: title and authors not found")
    year_at = next((i for i, line in enumerate(lines) if line == "- Year"), None)
    if year_at is None or year_at + 1 >= len(lines) or not re.fullmatch(r"-\s*\d{4}", lines[year_at + 1]):
        raise InputError("seed 003: no '- Year' line followed by '- YYYY'")
    related_at = next((i for i, line in enumerate(lines) if line == "Related papers"), None)
    related: list[ListedWork] = []
    if related_at is not None:
        entries = [(n, line) for n, line in enumerate(lines[related_at + 1:], start=related_at + 2) if line]
        if len(entries) % 3:
            raise InputError(f"seed 003 line {entries[-1][0]}: a related paper needs three lines "
                             "(title, authors, '[venue · ]year')")
        for (title_line, title), (_, authors), (year_line, when) in zip(entries[::3], entries[1::3], entries[2::3]):
            found = _YEAR.match(when)
            if not found:
                raise InputError(f"seed 003 line {year_line}: expected '[venue · ]year' under the related paper "
                                 f"{title!r}, found {when!r}")
            related.append(ListedWork(title=title, authors=authors, venue=found.group("venue"),
                                      year=int(found.group("year")), line=title_line))
    return ListingPage(title=lines[0], authors=[a.strip() for a in lines[1].split(",") if a.strip()],
                       year=int(lines[year_at + 1].lstrip("- ").strip()),
                       lines={"title": 1, "authors": 2, "year": year_at + 2}, related=related)


def listing_record(page: ListingPage) -> SourceRecord:
    """The page's record of the survey: it says 2024 where the article says 2025, and both are kept."""
    record = SourceRecord(fragment="listing-page", record_class="dkg:SourceRecord", source="listing-page",
                          locator=page.locator, keys=PaperKeys())
    record.fact("dcterms:title", text(page.title))
    record.fact("dkg:authorsAsGiven", text(", ".join(page.authors)))
    for author in page.authors:
        record.fact("dcterms:creator", iri(author_iri(author)))
    record.fact("fabio:hasPublicationYear", year(page.year))
    return record


def listing_related_records(page: ListingPage) -> list[SourceRecord]:
    """One record per related work, shaped like seed 002's (`#listing-related-<title words>`, keyed by title;
    the locator quotes the title), with the authors, venue and year the page prints."""
    keys = unique_keys([title_key(work.title) for work in page.related], ["" for _ in page.related])
    records = []
    for work, key in zip(page.related, keys):
        record = SourceRecord(fragment="listing-related-" + key, record_class="dkg:SourceRecord", source="listing-page",
                              locator=f"Related papers, title \"{work.title}\"", keys=PaperKeys(title=work.title))
        record.fact("dcterms:title", text(work.title))
        record.fact("dkg:authorsAsGiven", text(work.authors))
        record.fact("fabio:hasPublicationYear", year(work.year))
        if work.venue:
            record.fact("dkg:venueAsGiven", text(work.venue))
        records.append(record)
    return records
