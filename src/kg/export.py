"""`kg export`: the whole graph in one file. N-Quads keeps the named graphs; the triple formats
(Turtle, N-Triples, JSON-LD, RDF/XML) write the union of the graphs, each triple once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.formats import DATASET_FORMATS, GRAPH_FORMATS
from kg.iri import PREFIXES
from kg.settings import Settings

__all__ = ["EXPORT_FORMATS", "export", "command"]

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {f.key: f.rdf for f in (*GRAPH_FORMATS, *DATASET_FORMATS)}
"""Key -> pyoxigraph format of every export format (the table is kg.formats)."""


def export(store: ox.Store, *, format: str, output: BinaryIO | Path | None = None) -> bytes | None:
    """Serialize every quad of `store` in `format` (a key of EXPORT_FORMATS) to `output`, or return bytes.

    Raises ValueError for an unknown format.
    """
    rdf_format = EXPORT_FORMATS.get(format)
    if rdf_format is None:
        raise ValueError(f"unknown export format {format!r}; use one of {', '.join(EXPORT_FORMATS)}")
    target = str(output) if isinstance(output, Path) else output
    if rdf_format == ox.RdfFormat.N_QUADS:
        return store.dump(target, format=rdf_format)
    triples = list(dict.fromkeys(quad.triple for quad in store))
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, target, format=rdf_format, prefixes=prefixes)


def command(settings: Settings, args: argparse.Namespace) -> int:
    """`kg export --format F [--out FILE]`: build (or reuse) the store and write the whole graph.

    Raises ValidationFailed (from the build) when the data does not conform.
    """
    from kg.build import build

    store = build(settings)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        export(store, format=args.format, output=tmp)
        tmp.replace(out)
        print(f"wrote {out}", file=sys.stderr)
    else:
        export(store, format=args.format, output=sys.stdout.buffer)
        sys.stdout.buffer.flush()
    return 0
