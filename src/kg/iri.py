"""Namespaces and the IRI scheme (docs/model.md). Mint IRIs here, never by hand elsewhere."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "BASE", "DKG", "CAT", "PAPER", "BENCH", "NET", "VENUE", "AUTHOR", "S9", "SRC", "GRAPH", "SURVEY_TEXT",
    "CITO", "FABIO", "PROV", "SCHEMA", "DCTERMS", "SKOS", "PREFIXES",
    "GRAPH_ONTOLOGY", "GRAPH_DATA", "GRAPH_INFERRED", "GRAPH_RECORDS", "GRAPH_VIEW", "GRAPH_EDITION",
    "GRAPH_RELEASE", "DEFAULT_GRAPHS",
    "slug", "paper_iri", "normalise_arxiv_id", "normalise_doi", "compact", "expand",
]

BASE = "https://w3id.org/duality-kg/"
DKG = BASE + "ontology#"
CAT = BASE + "category/"
PAPER = BASE + "paper/"
BENCH = BASE + "benchmark/"
NET = BASE + "network/"
VENUE = BASE + "venue/"
AUTHOR = BASE + "author/"
S9 = BASE + "section9/"
SRC = BASE + "source/"
GRAPH = BASE + "graph/"
# Sections of the survey's text and its in-text citations (docs/citations.md). Not hash IRIs of the survey:
# `<paper>#...` is the paper's own description (its records), which an edit of the paper replaces whole.
SURVEY_TEXT = BASE + "survey/"

CITO = "http://purl.org/spar/cito/"
FABIO = "http://purl.org/spar/fabio/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

GRAPH_ONTOLOGY = GRAPH + "ontology"
GRAPH_DATA = GRAPH + "data"
GRAPH_INFERRED = GRAPH + "inferred"
# Source records (`dkg:recordOf`) live in their own graph so that the default graph holds works, not
# records: `?w dkg:usesNetwork net:clip` counts works. Provenance is one hop away (docs/model.md).
GRAPH_RECORDS = GRAPH + "records"
# Per-source views (`graph:view/survey`, `graph:view/list`, `graph:view/sheets`): work-level facts as one
# source states them. Editions (`graph:edition/<id>`) and releases (`graph:release/<version>`) likewise
# stay out of the default graph.
GRAPH_VIEW = GRAPH + "view/"
GRAPH_EDITION = GRAPH + "edition/"
GRAPH_RELEASE = GRAPH + "release/"
# The default graph of every query (endpoint, CLI, pages) unless a request names its own dataset.
DEFAULT_GRAPHS: tuple[str, ...] = (GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_INFERRED)

PREFIXES: dict[str, str] = {
    "dkg": DKG, "cat": CAT, "paper": PAPER, "bench": BENCH, "net": NET, "venue": VENUE,
    "author": AUTHOR, "s9": S9, "src": SRC, "graph": GRAPH,
    "cito": CITO, "fabio": FABIO, "prov": PROV, "schema": SCHEMA, "dcterms": DCTERMS, "skos": SKOS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

def compact(iri: str, *, prefixes: dict[str, str] = PREFIXES) -> str:
    """The prefixed name of `iri` in one of `prefixes` (longest namespace wins), else `iri` itself.

    A local part with '/' or '#' is not a valid prefixed name, so such IRIs stay whole.

    >>> compact("https://w3id.org/duality-kg/category/llm")
    'cat:llm'
    >>> compact("https://w3id.org/duality-kg/paper/x#list-a")
    'https://w3id.org/duality-kg/paper/x#list-a'
    """
    best = max((ns for ns in prefixes.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    local = iri[len(best):]
    if not local or "/" in local or "#" in local:
        return iri
    prefix = next(p for p, ns in prefixes.items() if ns == best)
    return f"{prefix}:{local}"


def expand(value: str, *, prefixes: dict[str, str] = PREFIXES) -> str:
    """`cat:llm` -> its full IRI when the prefix is one of `prefixes`; anything else unchanged.

    >>> expand("cat:llm")
    'https://w3id.org/duality-kg/category/llm'
    >>> expand("http://example.org/x")
    'http://example.org/x'
    """
    prefix, sep, local = value.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    return value


_ARXIV = re.compile(r"(?:arxiv[:./ ]*|abs/|pdf/)?(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
_STOP = {"a", "an", "the", "of", "for", "and", "in", "on", "to", "with", "via", "from", "by", "is", "are"}


def slug(text: str) -> str:
    """Lower-case ASCII words joined by '-': 'Meta-World (MT10)' -> 'meta-world-mt10'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9.]+", "-", ascii_text.lower()).strip("-.")


def normalise_arxiv_id(text: str) -> str | None:
    """'https://arxiv.org/pdf/2403.09583v2' or '10.48550/arXiv.2402.08546' -> '2403.09583'."""
    found = _ARXIV.search(text)
    return found.group(1) if found else None


def normalise_doi(text: str) -> str | None:
    """The DOI inside a string or URL ('https://doi.org/10.1109/X' -> '10.1109/X'), else None."""
    found = re.search(r"(10\.\d{4,9}/[^\s\"<>]+)", text)
    return found.group(1).rstrip(".,;)") if found else None


def paper_iri(*, arxiv_id: str | None = None, doi: str | None = None, first_author: str | None = None,
              year: int | str | None = None, title: str | None = None) -> str:
    """A paper's IRI: from its arXiv id, else its DOI, else first author + year + title words.

    >>> paper_iri(arxiv_id="2310.12931v2")
    'https://w3id.org/duality-kg/paper/arxiv-2310.12931'
    >>> paper_iri(doi="10.1109/ICRA57147.2024.10610665")
    'https://w3id.org/duality-kg/paper/doi-10.1109-icra57147.2024.10610665'
    >>> paper_iri(first_author="Y.J. Ma", year=2024, title="DrEureka: language model guided sim-to-real transfer")
    'https://w3id.org/duality-kg/paper/ma-2024-dreureka-language'
    """
    if arxiv_id:
        return PAPER + "arxiv-" + (normalise_arxiv_id(arxiv_id) or slug(arxiv_id))
    if doi:
        arxiv_in_doi = normalise_arxiv_id(doi) if "arxiv" in doi.lower() else None
        if arxiv_in_doi:
            return PAPER + "arxiv-" + arxiv_in_doi
        return PAPER + "doi-" + slug(doi.replace("/", "-"))
    if not (first_author and title):
        raise ValueError("a paper IRI needs an arXiv id, a DOI, or a first author and a title")
    family = slug(re.split(r"\s*,\s*|\s+et al", first_author)[0].split()[-1])
    words = [w for w in slug(title).split("-") if w and w not in _STOP][:2]
    return PAPER + "-".join([family, str(year or "nd"), *words])
