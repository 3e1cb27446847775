"""The importers' shared vocabulary: RDF terms by CURIE, and the source record every importer emits.

A `SourceRecord` is one row/entry of one source (a reference, a list line, a table row, a sheet row,
a curated row). It carries `facts` (statements that hold for the paper and are mirrored on the record,
docs/model.md "Papers and their source records") and `cells` (statements about the record only).
`resolve` decides which paper each record belongs to; `assemble` turns records into triples.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.iri import PREFIXES

__all__ = [
    "Term", "Triple", "iri", "text", "integer", "year", "boolean",
    "PaperKeys", "SourceRecord", "normalise_title", "significant_words", "title_key", "unique_keys",
]

Term = URIRef | Literal
Triple = tuple[URIRef, URIRef, Term]

_STOP = {"a", "an", "the", "of", "for", "and", "in", "on", "to", "with", "via", "from", "by", "is", "are"}


def iri(curie: str) -> URIRef:
    """'dkg:TableRow' -> the full IRI; a full IRI passes through unchanged."""
    prefix, _, local = curie.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return URIRef(PREFIXES[prefix] + local)
    return URIRef(curie)


def text(value: str) -> Literal:
    """A plain string literal with whitespace runs collapsed (cells carry stray spaces)."""
    return Literal(re.sub(r"\s+", " ", value).strip())


def integer(value: int) -> Literal:
    return Literal(int(value), datatype=XSD.integer)


def year(value: int | str) -> Literal:
    return Literal(str(value), datatype=XSD.gYear)


def boolean(value: bool) -> Literal:
    return Literal(bool(value), datatype=XSD.boolean)


def normalise_title(title: str) -> str:
    """Lower-case ASCII letters and digits only; 'RL' spelled out, so sources' spellings compare equal."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text.replace("-", ""))
    expanded = ["reinforcement learning" if w == "rl" else w for w in words]
    return "".join(expanded).replace(" ", "")


def significant_words(title: str) -> list[str]:
    """Lower-case title words without stop words: 'Do as I can' -> ['do', 'as', 'i', 'can']."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return [w for w in re.findall(r"[a-z0-9]+", ascii_text) if w not in _STOP]


def title_key(title: str) -> str:
    """A record key from a title: its first six significant words, slugged.

    >>> title_key("Eureka: Human-Level Reward Design via Coding Large Language Models")
    'eureka-human-level-reward-design-coding'
    """
    return "-".join(significant_words(title.replace("-", " "))[:6]).strip("-") or "untitled"


def unique_keys(bases: list[str], qualifiers: list[str]) -> list[str]:
    """Record keys from content, unique within one source and independent of where a record sits in it.

    A record's key is its `base` (e.g. its arXiv id) when no other record has that base; `base-qualifier`
    (e.g. the heading it is listed under) when several do; records alike in both get `-2`, `-3`, ... in
    document order. Adding or removing a record changes no other record's key, except those sharing its base.

    >>> unique_keys(["a", "b", "b", "b"], ["x", "x", "y", "y"])
    ['a', 'b-x', 'b-y', 'b-y-2']
    """
    shared = {base for base in bases if bases.count(base) > 1}
    keys = [f"{base}-{qualifier}" if base in shared else base
            for base, qualifier in zip(bases, qualifiers, strict=True)]
    seen: dict[str, int] = {}
    unique = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        unique.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return unique


@dataclass
class PaperKeys:
    """What a record says about the identity of its paper (any may be missing)."""

    arxiv_id: str | None = None
    doi: str | None = None
    title: str | None = None
    first_author: str | None = None
    year: int | None = None
    reference_number: int | None = None
    """Set when the source cites the survey's reference [N] directly (tables, Section 9)."""


@dataclass
class SourceRecord:
    """One entry of one source, before it is attached to a paper node.

    `fragment` is the hash part of the record IRI and the record's key during resolution: taken from the
    record's content or from numbers the source prints (`ref-8`, `table-2-row-5`, `list-arxiv-2310.12931`,
    `sheet-llm-ma2023eureka`), never from a line or row position (docs/model.md); `subject` is fixed for
    records about shared entities (benchmarks) and left None for records about papers.
    """

    fragment: str
    record_class: str
    source: str
    locator: str
    keys: PaperKeys
    facts: list[tuple[URIRef, Term]] = field(default_factory=list)
    cells: list[tuple[URIRef, Term]] = field(default_factory=list)
    extra: list[Triple] = field(default_factory=list)
    paper_types: list[URIRef] = field(default_factory=list)
    subject: URIRef | None = None
    curated: bool = False

    def fact(self, curie: str, value: Term) -> None:
        pair = (iri(curie), value)
        if pair not in self.facts:
            self.facts.append(pair)

    def cell(self, curie: str, value: Term) -> None:
        pair = (iri(curie), value)
        if pair not in self.cells:
            self.cells.append(pair)
