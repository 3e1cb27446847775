"""CSL-JSON: a list of items (or one item); `author` as family/given or literal, `issued` date-parts."""

from __future__ import annotations

import json
from typing import Any

from kg.bibformats.entry import Entry, InputDocument, clean, code_link
from kg.errors import InputError

__all__ = ["parse", "load_json"]


def load_json(text: str, *, document: InputDocument) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{document.name}: not valid JSON: line {err.lineno} column {err.colno}: {err.msg}") from None


def parse(text: str, *, document: InputDocument) -> list[Entry]:
    data = load_json(text, document=document)
    items = data if isinstance(data, list) else [data]
    entries = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputError(f"{document.name}: item {number} is not a JSON object")
        issued = (item.get("issued") or {}).get("date-parts") or [[None]]
        year = issued[0][0] if issued and issued[0] else None
        number_field = str(item.get("number") or "")
        entries.append(Entry(
            document=document, locator=f"item {number}" + (f" (id {item['id']})" if item.get("id") else ""),
            title=clean(item.get("title")), authors=[_name(a) for a in item.get("author") or []],
            year=str(year) if year is not None else None,
            venue=clean(item.get("container-title") or item.get("publisher")) or None,
            raw_doi=item.get("DOI"), url=item.get("URL"),
            raw_arxiv=number_field if "arxiv" in clean(item.get("publisher")).lower() and number_field else None,
            code_url=code_link(item.get("note"), item.get("URL")),
        ))
    return entries


def _name(author: dict) -> str:
    if author.get("literal"):
        return clean(author["literal"])
    return clean(" ".join(part for part in (author.get("given"), author.get("family")) if part))
