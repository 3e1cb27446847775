"""`kg export`: the whole graph in one file. N-Quads keeps the named graphs; the triple formats
(Turtle, N-Triples, JSON-LD, RDF/XML) write the union of every graph (works, source records, the per-source
views, inferences), each triple once: unlike the query default graph, which leaves records and views out."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.formats import DATASET_FORMATS, GRAPH_FORMATS
from kg.iri import PREFIXES

__all__ = ["EXPORT_FORMATS", "export"]

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {f.key: f.rdf for f in (*GRAPH_FORMATS, *DATASET_FORMATS)
                                         if f.rdf is not None}
"""Key -> pyoxigraph format of every export format (the table is kg.formats)."""


def export(store: ox.Store, *, format: str, output: BinaryIO | Path | None = None) -> bytes | None:
    """Serialize every quad of `store` in `format` (a key of EXPORT_FORMATS) to `output`, or return bytes.

    Raises ValueError for an unknown format.
    """
    rdf_format = EXPORT_FORMATS.get(format)
    if rdf_format is None:
        raise ValueError(f"unknown export format {format!r}; use one of {', '.join(EXPORT_FORMATS)}")
    target = str(output) if isinstance(output, Path) else output
    if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):  # the named graphs stay
        return store.dump(target, format=rdf_format)
    triples = list(dict.fromkeys(quad.triple for quad in store))
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, target, format=rdf_format, prefixes=prefixes)
