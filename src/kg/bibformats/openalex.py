"""OpenAlex work JSON (one work, a list, or an API page `{"results": [...]}`). OpenAlex data is CC0, so
the abstract (an inverted index) is rebuilt and kept."""

from __future__ import annotations

from kg.bibformats.csl_json import load_json
from kg.bibformats.entry import CC0, Entry, InputDocument, clean, code_link
from kg.errors import InputError

__all__ = ["parse"]


def parse(text: str, *, document: InputDocument) -> list[Entry]:
    data = load_json(text, document=document)
    works = data.get("results", [data]) if isinstance(data, dict) else data
    entries = []
    for number, work in enumerate(works, start=1):
        if not isinstance(work, dict):
            raise InputError(f"{document.name}: work {number} is not a JSON object")
        ids = work.get("ids") or {}
        location = work.get("primary_location") or {}
        source = location.get("source") or {}
        urls = [loc.get("landing_page_url") for loc in work.get("locations") or [] if loc.get("landing_page_url")]
        arxiv = next((u for u in urls if "arxiv.org/" in u), None)
        abstract = _abstract(work.get("abstract_inverted_index"))
        entries.append(Entry(
            document=document, locator=f"work {number}" + (f" ({work['id']})" if work.get("id") else ""),
            title=clean(work.get("title") or work.get("display_name")),
            authors=[clean((a.get("author") or {}).get("display_name")) for a in work.get("authorships") or []],
            year=str(work["publication_year"]) if work.get("publication_year") else None,
            venue=clean(source.get("display_name")) or None, raw_doi=work.get("doi") or ids.get("doi"),
            raw_arxiv=arxiv, url=location.get("landing_page_url") or (urls[0] if urls else None),
            code_url=code_link(*urls), abstract=abstract, abstract_licence=CC0 if abstract else None,
        ))
    return entries


def _abstract(index: dict | None) -> str | None:
    """OpenAlex ships abstracts as {word: [positions]}; put the words back in order."""
    if not index:
        return None
    words = sorted((position, word) for word, positions in index.items() for position in positions)
    return " ".join(word for _, word in words) or None
