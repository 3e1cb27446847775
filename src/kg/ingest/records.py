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
    "PaperKeys", "SourceRecord", "normalise_title", "significant_words",
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

    `fragment` is the hash part of the record IRI (`ref-8`, `table-2-row-5`); `subject` is fixed for
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
