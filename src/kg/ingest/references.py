"""Seed 001's numbered reference list [1]-[199] -> one ReferenceEntry record per reference."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.errors import InputError
from kg.ingest.records import PaperKeys, SourceRecord, integer, iri, text, year
from kg.ingest.sources import read_lines
from kg.iri import AUTHOR, VENUE, normalise_arxiv_id, slug

__all__ = ["Reference", "parse_references", "reference_records", "author_iri", "venue_iri", "venue_aliases"]

_ENTRY = re.compile(r"^- \[(\d+)\] (.+)$")
_AUTHOR = re.compile(r"^(?:[A-Z][a-z]?\.\s?-?)+\s*[A-Z][\w'’\-]*(?:\s[A-Za-z][\w'’\-]*){0,3}$")


@dataclass(frozen=True)
class Reference:
    number: int
    line: int
    authors: list[str]
    et_al: bool
    title: str
    venue: str | None
    year: int | None
    arxiv_id: str | None

    @property
    def authors_as_given(self) -> str:
        return ", ".join(self.authors) + (", et al." if self.et_al else "")


def parse_references(sources_dir: Path) -> list[Reference]:
    """Every `- [N] ...` entry after the References heading of seed 001.

    Raises InputError (file and line) when an entry has no title or the numbers are not 1..N in order.
    """
    lines = read_lines(sources_dir, "survey-text")
    start = next(i for i, line in enumerate(lines) if line.strip() == "### References")
    references: list[Reference] = []
    for index in range(start + 1, len(lines)):
        found = _ENTRY.match(lines[index].strip())
        if found:
            references.append(_parse_entry(int(found.group(1)), index + 1, found.group(2)))
    numbers = [r.number for r in references]
    if numbers != list(range(1, len(numbers) + 1)):
        raise InputError(f"seed 001 references: numbers are not consecutive from 1 (got {len(numbers)} entries)")
    return references


def _parse_entry(number: int, line: int, body: str) -> Reference:
    parts = body.split(", ")
    authors: list[str] = []
    et_al = False
    while parts:
        token = parts[0].strip()
        if token.startswith("et al."):
            et_al = True
            parts.pop(0)
            break
        if not _AUTHOR.match(token):
            break
        authors.append(token)
        parts.pop(0)
    rest = ", ".join(parts)
    title, venue_part = _split_title(rest)
    if not title or not authors:
        raise InputError(f"seed 001 line {line}: reference [{number}] has no author or title: {body!r}")
    venue = _venue(venue_part)
    found_year = (re.search(r"\(((?:19|20)\d{2})\)", venue_part)
                  or re.search(r"(?<![\d–-])((?:19|20)\d{2})(?![\d–-])", venue_part))
    arxiv = None
    if venue and re.search(r"arxiv|corr", venue, re.IGNORECASE):
        arxiv = normalise_arxiv_id(venue)
    return Reference(number=number, line=line, authors=authors, et_al=et_al, title=title, venue=venue,
                     year=int(found_year.group(1)) if found_year else None, arxiv_id=arxiv)


def _split_title(rest: str) -> tuple[str, str]:
    """'Title, in: *Venue*, 2023' / 'Title, *Venue* (2024)' / 'Title, 2024 IEEE ICRA (2024)' -> (title, rest)."""
    cuts = [m.start() for m in (re.search(r", in: ", rest), re.search(r", \*", rest)) if m]
    if not cuts:
        fallback = re.search(r", (\d{4}\b.*)$", rest)
        cuts = [fallback.start()] if fallback else []
    if not cuts:
        return rest.strip().rstrip("."), ""
    cut = min(cuts)
    return rest[:cut].strip(), rest[cut + 2:].strip()


def _venue(venue_part: str) -> str | None:
    italic = re.search(r"\*([^*]+)\*", venue_part)
    if italic:
        return italic.group(1).strip()
    plain = re.sub(r"^in: ", "", venue_part)
    plain = re.split(r",|\(", plain)[0].strip().rstrip(".")
    return plain if plain and not re.fullmatch(r"\d{4}", plain) else None


def venue_name(venue: str) -> str:
    """The venue without proceedings noise: '2024 IEEE ICRA, IEEE' -> 'IEEE ICRA'; arXiv forms -> 'arXiv'."""
    if re.search(r"arxiv", venue, re.IGNORECASE):
        return "arXiv"
    if venue.startswith("CoRR"):
        return "CoRR"
    name = venue.split(",")[0].strip()
    name = re.sub(r"^(?:\d{4}\s+|Proceedings of\s+(?:the\s+)?)", "", name)
    return re.sub(r"\s+[IVX]+$", "", name).strip()


@cache
def venue_aliases() -> dict[str, str]:
    """venue-names.csv: spellings of one venue the reference list uses (after `venue_name`) -> its local name.

    The first row of a venue is its rdfs:label; the other spellings become skos:altLabel (kg.ingest.assemble).
    """
    with (Path(__file__).parent / "venue-names.csv").open(encoding="utf-8", newline="") as handle:
        return {row["spelling"]: row["venue"] for row in csv.DictReader(handle)}


def venue_iri(venue: str) -> str:
    name = venue_name(venue)
    return VENUE + venue_aliases().get(name, slug(name.replace(".", "")))


def author_iri(name: str) -> str:
    """'Y.J. Ma' -> author:ma-y-j; 'G.M. Van de Ven' -> author:van-de-ven-g-m (family, then initials)."""
    found = re.match(r"^((?:[A-Z][a-z]?\.\s?-?)+)\s*(.+)$", name.strip())
    if found:
        initials = re.findall(r"[A-Z][a-z]?", found.group(1))
        return AUTHOR + slug(found.group(2) + " " + " ".join(initials))
    given, _, family = name.strip().rpartition(" ")  # 'Angelo Moroncelli' (full names in the survey's header)
    return AUTHOR + slug(family + " " + " ".join(part[0] for part in given.split()))


def reference_records(references: list[Reference]) -> list[SourceRecord]:
    """One dkg:ReferenceEntry per reference with the facts the entry gives."""
    records = []
    for ref in references:
        keys = PaperKeys(arxiv_id=ref.arxiv_id, title=ref.title, first_author=ref.authors[0], year=ref.year,
                         reference_number=ref.number)
        record = SourceRecord(fragment=f"ref-{ref.number}", record_class="dkg:ReferenceEntry", source="survey-text",
                              locator=f"References, [{ref.number}]", keys=keys)
        record.fact("dkg:surveyReferenceNumber", integer(ref.number))
        record.fact("dkg:authorsAsGiven", text(ref.authors_as_given))
        for author in ref.authors:
            record.fact("dcterms:creator", iri(author_iri(author)))
        if ref.venue:
            record.fact("dkg:venueAsGiven", text(ref.venue))
            record.fact("dkg:publishedIn", iri(venue_iri(ref.venue)))
        if ref.year:
            record.fact("fabio:hasPublicationYear", year(ref.year))
        if ref.arxiv_id:
            record.fact("fabio:hasArXivId", text(ref.arxiv_id))
        records.append(record)
    return records
