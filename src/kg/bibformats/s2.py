"""Semantic Scholar paper JSON (one paper, a list, or `{"data": [...]}`). Its abstracts come from
publishers under their own terms, so they are not kept."""

from __future__ import annotations

from kg.bibformats.csl_json import load_json
from kg.bibformats.entry import Entry, InputDocument, clean, code_link
from kg.errors import InputError

__all__ = ["parse"]


def parse(text: str, *, document: InputDocument) -> list[Entry]:
    data = load_json(text, document=document)
    papers = data.get("data", [data]) if isinstance(data, dict) else data
    entries = []
    for number, paper in enumerate(papers, start=1):
        if not isinstance(paper, dict):
            raise InputError(f"{document.name}: paper {number} is not a JSON object")
        ids = paper.get("externalIds") or {}
        venue = paper.get("venue") or (paper.get("journal") or {}).get("name")
        entries.append(Entry(
            document=document, locator=f"paper {number}" + (f" ({paper['paperId']})" if paper.get("paperId") else ""),
            title=clean(paper.get("title")), authors=[clean(a.get("name")) for a in paper.get("authors") or []],
            year=str(paper["year"]) if paper.get("year") else None, venue=clean(venue) or None,
            raw_doi=ids.get("DOI"), raw_arxiv=ids.get("ArXiv"), url=paper.get("url"),
            code_url=code_link((paper.get("openAccessPdf") or {}).get("url")),
        ))
    return entries
