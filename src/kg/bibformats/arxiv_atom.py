"""arXiv Atom XML (the arXiv API's answer): one entry per `<entry>`; arXiv metadata is CC0, so the
abstract (`<summary>`) is kept."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kg.bibformats.entry import CC0, Entry, InputDocument, clean, code_link
from kg.errors import InputError

__all__ = ["parse"]

_NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


def parse(text: str, *, document: InputDocument) -> list[Entry]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        line, column = err.position
        raise InputError(f"{document.name}: line {line} column {column}: the XML does not parse ({err})") from None
    items = root.findall("atom:entry", _NS) if root.tag.endswith("feed") else [root]
    entries = []
    for number, item in enumerate(items, start=1):
        ident = clean(item.findtext("atom:id", "", _NS))
        comment = item.findtext("arxiv:comment", "", _NS)
        summary = clean(item.findtext("atom:summary", "", _NS))
        entries.append(Entry(
            document=document, locator=f"entry {number}" + (f" ({ident})" if ident else ""),
            title=clean(item.findtext("atom:title", "", _NS)),
            authors=[clean(a.findtext("atom:name", "", _NS)) for a in item.findall("atom:author", _NS)],
            year=(item.findtext("atom:published", "", _NS) or "")[:4] or None,
            venue=clean(item.findtext("arxiv:journal_ref", "", _NS)) or None,
            raw_doi=clean(item.findtext("arxiv:doi", "", _NS)) or None, raw_arxiv=ident or None,
            url=ident.replace("http://", "https://") if ident else None,
            code_url=code_link(comment), abstract=summary or None, abstract_licence=CC0 if summary else None,
        ))
    return entries
