"""Bibliographic input formats for `kg add`: one module per format, each `parse(text, *, source) -> [Entry]`.

Every parser keeps what a record gives (title, authors in order, year, venue, DOI, arXiv id, URL, code
link) and the abstract only where the record's licence allows it (arXiv and OpenAlex metadata are CC0).
Entries are checked here, before anything is written: an entry without a title, a malformed arXiv id or
DOI, or a year that is not four digits raises InputError naming the file and the entry.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.bibformats.entry import CC0, Entry, InputDocument, check_entry
from kg.errors import InputError

__all__ = ["CC0", "FORMATS", "Entry", "InputDocument", "detect_format", "parse_document", "check_entry"]

FORMATS = ("bibtex", "ris", "csl-json", "arxiv-atom", "openalex", "s2")
_SUFFIXES = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".xml": "arxiv-atom", ".atom": "arxiv-atom"}


def detect_format(name: str, text: str) -> str:
    """The format of a document from its file name, else its content. Raises InputError when neither says."""
    suffix = Path(name).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    stripped = text.lstrip()
    if stripped.startswith("@"):
        return "bibtex"
    if stripped.startswith("TY  -"):
        return "ris"
    if stripped.startswith("<"):
        return "arxiv-atom"
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"{name}: not valid JSON: line {err.lineno} column {err.colno}: {err.msg}") from None
        return _json_kind(name, data)
    raise InputError(f"{name}: cannot tell the format; give --format (one of {', '.join(FORMATS)})")


def _json_kind(name: str, data: object) -> str:
    first = data[0] if isinstance(data, list) and data else data
    if isinstance(data, dict) and "results" in data:
        return "openalex"
    if isinstance(data, dict) and "data" in data:
        return "s2"
    if isinstance(first, dict):
        if str(first.get("id", "")).startswith("https://openalex.org/"):
            return "openalex"
        if "paperId" in first or "externalIds" in first:
            return "s2"
        if "issued" in first or "container-title" in first or "type" in first or "author" in first:
            return "csl-json"
    raise InputError(f"{name}: a JSON document that is neither CSL-JSON, an OpenAlex work nor a Semantic "
                     "Scholar paper; give --format")


def parse_document(text: str, *, document: InputDocument, fmt: str = "auto") -> list[Entry]:
    """The checked entries of one input document. Raises InputError naming the document (and entry)."""
    from kg.bibformats import arxiv_atom, bibtex, csl_json, openalex, ris, s2

    kind = detect_format(document.name, text) if fmt == "auto" else fmt
    parser = {"bibtex": bibtex.parse, "ris": ris.parse, "csl-json": csl_json.parse, "arxiv-atom": arxiv_atom.parse,
              "openalex": openalex.parse, "s2": s2.parse}.get(kind)
    if parser is None:
        raise InputError(f"unknown format {kind!r}; use one of auto, {', '.join(FORMATS)}")
    entries = parser(text, document=document)
    if not entries:
        raise InputError(f"{document.name}: no entries found (read as {kind})")
    for entry in entries:
        check_entry(entry)
    return entries
