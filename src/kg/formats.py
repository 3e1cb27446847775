"""The one table of formats: every serialization the CLI and the server read or write.

Each format has a short key (`ttl`, `json`, ...; used by `--format` and `format=`), the media type sent
back, the media types of `Accept` that select it, a file suffix, what kind of thing it carries and the
pyoxigraph enum that writes it. Export, content negotiation, the query workers, linked data, the gap
report and the figures all look formats up here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

__all__ = [
    "Format", "FORMATS", "RESULT_FORMATS", "GRAPH_FORMATS", "DATASET_FORMATS", "IMAGE_FORMATS",
    "HTML", "MARKDOWN", "TEXT", "JSON_DOCUMENT", "by_key",
]

GRAPH, DATASET, RESULTS, IMAGE, PAGE, DOCUMENT = "graph", "dataset", "results", "image", "html", "document"


@dataclass(frozen=True)
class Format:
    key: str
    media_type: str
    """The Content-Type sent back."""
    accepts: tuple[str, ...]
    """Media types in `Accept` that select this format, the canonical one first."""
    suffix: str
    """File suffix without the dot (also a path suffix: `/paper/x.ttl`, `/figures/trend.svg`)."""
    kind: str
    """graph (RDF triples), dataset (quads), results (SPARQL results), image, html or document."""
    names: tuple[str, ...] = ()
    """Other words a `format=` parameter may use for it (`turtle`, `n-triples`)."""
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None

    def named(self, word: str) -> bool:
        word = word.lower()
        return word in (self.key, self.suffix, *self.names, *self.accepts)


RESULT_FORMATS = (
    Format("json", "application/sparql-results+json", ("application/sparql-results+json", "application/json"),
           "srj", RESULTS, ("srj",), results=ox.QueryResultsFormat.JSON),
    Format("xml", "application/sparql-results+xml",
           ("application/sparql-results+xml", "application/xml", "text/xml"), "srx", RESULTS, ("srx",),
           results=ox.QueryResultsFormat.XML),
    Format("csv", "text/csv; charset=utf-8", ("text/csv",), "csv", RESULTS, results=ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values; charset=utf-8", ("text/tab-separated-values",), "tsv", RESULTS,
           results=ox.QueryResultsFormat.TSV),
)
GRAPH_FORMATS = (
    Format("ttl", "text/turtle; charset=utf-8", ("text/turtle", "application/x-turtle"), "ttl", GRAPH,
           ("turtle",), rdf=ox.RdfFormat.TURTLE),
    Format("nt", "application/n-triples", ("application/n-triples", "text/plain"), "nt", GRAPH,
           ("n-triples", "ntriples"), rdf=ox.RdfFormat.N_TRIPLES),
    # `json` / `xml` name these only where no SPARQL results format is offered (SPARQLWrapper's CONSTRUCT)
    Format("jsonld", "application/ld+json", ("application/ld+json", "application/json"), "jsonld", GRAPH,
           ("json-ld", "json"), rdf=ox.RdfFormat.JSON_LD),
    Format("rdfxml", "application/rdf+xml", ("application/rdf+xml", "application/xml", "text/xml"), "rdf", GRAPH,
           ("rdf+xml", "xml"), rdf=ox.RdfFormat.RDF_XML),
)
DATASET_FORMATS = (
    Format("nq", "application/n-quads", ("application/n-quads",), "nq", DATASET, ("n-quads", "nquads"),
           rdf=ox.RdfFormat.N_QUADS),
    Format("trig", "application/trig", ("application/trig",), "trig", DATASET, rdf=ox.RdfFormat.TRIG),
)
IMAGE_FORMATS = (
    Format("png", "image/png", ("image/png",), "png", IMAGE),
    Format("svg", "image/svg+xml", ("image/svg+xml",), "svg", IMAGE),
)
HTML = Format("html", "text/html; charset=utf-8", ("text/html", "application/xhtml+xml"), "html", PAGE)
MARKDOWN = Format("md", "text/markdown; charset=utf-8", ("text/markdown",), "md", DOCUMENT, ("markdown",))
TEXT = Format("text", "text/plain; charset=utf-8", ("text/plain",), "txt", DOCUMENT)
JSON_DOCUMENT = Format("report", "application/json", ("application/json",), "json", DOCUMENT)
"""A JSON document that is not SPARQL results (the gap report)."""

FORMATS = (*RESULT_FORMATS, *GRAPH_FORMATS, *DATASET_FORMATS, *IMAGE_FORMATS, HTML, MARKDOWN, TEXT, JSON_DOCUMENT)
_BY_KEY = {fmt.key: fmt for fmt in FORMATS}


def by_key(key: str) -> Format:
    """The format with this key. Raises KeyError for an unknown key."""
    return _BY_KEY[key]
