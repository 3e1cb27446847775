"""RIS (rispy): one entry per `TY ... ER` record; AU/A1 authors in order."""

from __future__ import annotations

import re

import rispy  # type: ignore[import-untyped]

from kg.bibformats.entry import Entry, InputDocument, clean, code_link
from kg.errors import InputError

__all__ = ["parse"]


def parse(text: str, *, document: InputDocument) -> list[Entry]:
    starts = [number for number, line in enumerate(text.splitlines(), start=1) if line.startswith("TY  -")]
    try:
        records = rispy.loads(text)
    except (OSError, ValueError) as err:  # rispy raises IOError for a file without records
        raise InputError(f"{document.name}: the RIS file does not parse: {err}") from None
    entries = []
    for number, record in enumerate(records, start=1):
        line = starts[number - 1] if number <= len(starts) else None
        urls = record.get("urls") or []
        arxiv = next((u for u in urls if "arxiv.org/" in u), None)
        venue = record.get("secondary_title") or record.get("journal_name") or record.get("publisher")
        entries.append(Entry(
            document=document,
            locator=f"record {number}" + (f" (line {line})" if line else "") +
                    (f", ID {record['id']}" if record.get("id") else ""),
            title=clean(record.get("title") or record.get("primary_title") or ""),
            authors=[clean(a) for a in record.get("authors") or record.get("first_authors") or []],
            year=_year(record.get("year") or record.get("publication_year") or record.get("date")),
            venue=clean(venue) or None, raw_doi=record.get("doi"), raw_arxiv=arxiv,
            url=next((u for u in urls if not re.search(r"github\.com", u)), None),
            code_url=code_link(*urls),
        ))
    return entries


def _year(value: str | None) -> str | None:
    found = re.match(r"\s*(\d{4})", value or "")
    return found.group(1) if found else (value or None)
