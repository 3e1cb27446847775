"""BibTeX (bibtexparser 2): one entry per `@type{key, ...}`; `author` split on ' and ', names as given."""

from __future__ import annotations

import logging
import re

import bibtexparser

from kg.bibformats.entry import Entry, InputDocument, clean, code_link
from kg.errors import InputError

__all__ = ["parse"]


# bibtexparser logs each failed block as a warning; the failure is reported as an InputError instead
logging.getLogger("bibtexparser").setLevel(logging.ERROR)


def parse(text: str, *, document: InputDocument) -> list[Entry]:
    library = bibtexparser.parse_string(text)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise InputError(f"{document.name}: line {(block.start_line or 0) + 1}: the BibTeX entry does not parse "
                         f"({_first_line(block)})")
    return [_entry(item, document) for item in library.entries]


def _first_line(block: object) -> str:
    raw = str(getattr(block, "raw", "")).strip().splitlines()
    return raw[0][:80] if raw else "empty block"


def _entry(item: bibtexparser.model.Entry, document: InputDocument) -> Entry:
    fields = {name.lower(): clean(value) for name, value in item.fields_dict.items() for value in [value.value]}
    eprint = fields.get("eprint") if fields.get("archiveprefix", "arxiv").lower() == "arxiv" else None
    journal = fields.get("journal") or fields.get("booktitle")
    if not eprint and journal and re.search(r"arxiv", journal, re.IGNORECASE):
        found = re.search(r"\d{4}\.\d{4,5}(v\d+)?", journal)
        eprint = found.group(0) if found else None
    return Entry(
        document=document, locator=f"entry @{item.entry_type}{{{item.key}}} (line {(item.start_line or 0) + 1})",
        title=fields.get("title", ""),
        authors=[clean(a) for a in re.split(r"\s+and\s+", fields.get("author", "")) if clean(a)],
        year=fields.get("year"), venue=journal or fields.get("publisher"),
        raw_doi=fields.get("doi"), raw_arxiv=eprint, url=fields.get("url"),
        code_url=code_link(fields.get("code"), fields.get("github"), fields.get("note"), fields.get("howpublished")),
    )
