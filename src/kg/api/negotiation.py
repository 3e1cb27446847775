"""Content negotiation: pick a serialization from an `Accept` header with q-values.

Formats are named by short keys (json, xml, csv, tsv for results; ttl, nt, jsonld, rdfxml for graphs)
so that a `format=` parameter (used by download links) can override `Accept`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

__all__ = [
    "Format", "RESULT_FORMATS", "GRAPH_FORMATS", "HTML", "negotiate", "NotAcceptable",
]


@dataclass(frozen=True)
class Format:
    key: str
    media_type: str
    """The Content-Type sent back."""
    aliases: tuple[str, ...]
    """Media types in `Accept` that select this format, the canonical one first."""
    suffix: str


RESULT_FORMATS = (
    Format("json", "application/sparql-results+json", ("application/sparql-results+json", "application/json"), "srj"),
    Format("xml", "application/sparql-results+xml",
           ("application/sparql-results+xml", "application/xml", "text/xml"), "srx"),
    Format("csv", "text/csv; charset=utf-8", ("text/csv",), "csv"),
    Format("tsv", "text/tab-separated-values; charset=utf-8", ("text/tab-separated-values",), "tsv"),
)
GRAPH_FORMATS = (
    Format("ttl", "text/turtle; charset=utf-8", ("text/turtle", "application/x-turtle"), "ttl"),
    Format("nt", "application/n-triples", ("application/n-triples", "text/plain"), "nt"),
    Format("jsonld", "application/ld+json", ("application/ld+json", "application/json"), "jsonld"),
    Format("rdfxml", "application/rdf+xml", ("application/rdf+xml", "application/xml", "text/xml"), "rdf"),
)
HTML = Format("html", "text/html; charset=utf-8", ("text/html", "application/xhtml+xml"), "html")

RESULTS_FORMAT_ENUM = {
    "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
}
RDF_FORMAT_ENUM = {
    "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML, "nq": ox.RdfFormat.N_QUADS,
}


class NotAcceptable(Exception):
    """No offered format matches the `Accept` header (HTTP 406)."""


def _parse_accept(header: str) -> list[tuple[str, float, int]]:
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float, int]]) -> tuple[float, int, int]:
    """(q, specificity, -position) of the most specific range matching `media_type`."""
    kind = media_type.split("/")[0]
    best: tuple[float, int, int] | None = None
    for media, q, position in ranges:
        if media == media_type:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[1]:
            best = (q, specificity, -position)
    return best or (0.0, -1, 0)


def negotiate(accept: str | None, offered: tuple[Format, ...]) -> Format:
    """The offered format the client prefers; the first offered one when `Accept` is absent or `*/*`.

    Raises NotAcceptable when every offered format has q=0 under `accept`.
    """
    if not accept or not accept.strip():
        return offered[0]
    return _negotiate(accept, offered)


@lru_cache(maxsize=256)
def _negotiate(accept: str, offered: tuple[Format, ...]) -> Format:
    # clients send the same few Accept headers again and again: remember the answers
    ranges = _parse_accept(accept)
    best: tuple[tuple[float, int, int, int], Format] | None = None
    for rank, fmt in enumerate(offered):
        for alias in fmt.aliases:
            q, specificity, position = _quality(alias, ranges)
            if q <= 0:
                continue
            score = (q, specificity, position, -rank)
            if best is None or score > best[0]:
                best = (score, fmt)
    if best is None:
        raise NotAcceptable("none of the offered media types is acceptable: "
                            + ", ".join(f.aliases[0] for f in offered))
    return best[1]
