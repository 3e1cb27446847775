"""Every IRI of a reused vocabulary that the ontology or the data uses exists in that vocabulary.

The pins in ontology/vocab/ (README.md there says where each comes from) are the reference: other
public graphs ship misspelt terms such as `fabio:hasArXivID` (the real one is `fabio:hasArXivId`).
schema.org is used as https only.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.load import turtle_files

ROOT = Path(__file__).resolve().parents[1]
VOCAB = ROOT / "ontology" / "vocab"
MISSPELT = ROOT / "tests" / "fixtures" / "vocab" / "misspelt-terms.ttl"

# namespace -> its pin in ontology/vocab/
PINS = {
    "http://purl.org/dc/terms/": "dcterms.ttl",
    "http://www.w3.org/2004/02/skos/core#": "skos.ttl",
    "http://www.w3.org/ns/prov#": "prov-o.ttl",
    "http://purl.org/spar/cito/": "cito-terms.ttl",
    "http://purl.org/spar/fabio/": "fabio-terms.ttl",
    "https://schema.org/": "schema.org-terms.txt",
}
HTTP_SCHEMA = "http://schema.org/"


@cache
def pinned_terms(namespace: str) -> frozenset[str]:
    """The terms a pin declares: subjects of its Turtle, or the lines of a term list."""
    pin = VOCAB / PINS[namespace]
    if pin.suffix == ".txt":
        lines = pin.read_text(encoding="utf-8").splitlines()
        return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    # base IRI: the PROV-O file has relative IRIs (<#>) from the modules it merges
    quads = ox.parse(path=str(pin), format=ox.RdfFormat.TURTLE, base_iri=namespace)
    return frozenset(q.subject.value for q in quads
                     if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(namespace))


def iris_of(path: Path) -> set[str]:
    found = set()
    for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        found.update(t.value for t in (q.subject, q.predicate, q.object) if isinstance(t, ox.NamedNode))
    return found


def unknown_terms(path: Path) -> set[str]:
    """IRIs of `path` in a reused namespace that its pin does not declare, and any http schema.org IRI."""
    bad = set()
    for iri in iris_of(path):
        if iri.startswith(HTTP_SCHEMA):
            bad.add(iri)
            continue
        for namespace in PINS:
            if iri.startswith(namespace) and iri != namespace and iri not in pinned_terms(namespace):
                bad.add(iri)
    return bad


def project_files() -> list[Path]:
    ontology = sorted((ROOT / "ontology").glob("*.ttl"))
    return ontology + turtle_files(ROOT / "data" / "ttl") + turtle_files(ROOT / "tests" / "fixtures" / "sample-papers")


def test_the_file_list_is_not_empty():
    assert any(p.name == "duality.ttl" for p in project_files())


@pytest.mark.parametrize("namespace", sorted(PINS))
def test_every_pin_is_present_and_declares_terms(namespace):
    assert (VOCAB / PINS[namespace]).is_file()
    assert len(pinned_terms(namespace)) > 20, f"pin {PINS[namespace]} declares too few terms"


@pytest.mark.parametrize("term", [
    "http://purl.org/spar/fabio/hasArXivId", "http://purl.org/spar/fabio/hasPublicationYear",
    "http://purl.org/spar/cito/extends", "http://purl.org/spar/cito/usesDataFrom", "http://purl.org/dc/terms/title",
    "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/ns/prov#wasDerivedFrom", "https://schema.org/url",
])
def test_pins_know_the_terms_the_model_relies_on(term):
    namespace = next(ns for ns in PINS if term.startswith(ns))
    assert term in pinned_terms(namespace)


@pytest.mark.parametrize("path", project_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_reused_term_exists_in_its_pinned_vocabulary(path):
    assert not unknown_terms(path), f"{path.relative_to(ROOT)} uses terms its vocabularies do not define"


def test_misspelt_terms_and_http_schema_org_are_caught():
    assert unknown_terms(MISSPELT) == {
        "http://purl.org/spar/fabio/hasArXivID",
        "http://purl.org/spar/cito/extend",
        "http://schema.org/url",
    }
