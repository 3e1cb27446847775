"""Undeclared terms: a predicate or an rdf:type class the data uses that nothing declares.

A misspelt property (`dkg:frameworkNme`) or class parses as well as the right one and would silently
mint a new term, so `kg validate` checks every predicate and every object of rdf:type in the data
against what is declared: the ontology's own files (ontology/*.ttl), the pinned copies of reused
vocabularies (ontology/vocab/, README.md there says where each comes from) and the W3C core terms
(RDF, RDFS, OWL, XSD, as rdflib closes those namespaces). pyoxigraph gives no line numbers for
triples, so the line reported is the first one of the file's text that spells the term.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.datafiles import ProjectFiles, relative_name
from kg.errors import KgError
from kg.iri import CITO, DCTERMS, FABIO, PROV, SCHEMA, SKOS, compact
from kg.validation_report import Violation

__all__ = ["RULE", "PINS", "pinned_terms", "declared_terms", "undeclared_terms"]

RULE = "undeclared-term"
PINS: dict[str, str] = {
    DCTERMS: "dcterms.ttl", SKOS: "skos.ttl", PROV: "prov-o.ttl",
    CITO: "cito-terms.ttl", FABIO: "fabio-terms.ttl", SCHEMA: "schema.org-terms.txt",
}
"""Namespace of a reused vocabulary -> its pin in ontology/vocab/."""
_CORE = (RDF, RDFS, OWL, XSD)
_RDF_TYPE = ox.NamedNode(str(RDF.type))


@cache
def pinned_terms(pin: Path, namespace: str) -> frozenset[str]:
    """The terms of `namespace` a pin declares: the subjects of its Turtle, or the lines of a term list.

    Raises KgError when the pin is missing.
    """
    if not pin.is_file():
        raise KgError(f"pinned vocabulary {pin} is missing: restore it from git (ontology/vocab/README.md)")
    if pin.suffix == ".txt":
        lines = pin.read_text(encoding="utf-8").splitlines()
        return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    # base IRI: the PROV-O file has relative IRIs (<#>) from the modules it merges
    quads = ox.parse(path=str(pin), format=ox.RdfFormat.TURTLE, base_iri=namespace)
    return frozenset(q.subject.value for q in quads
                     if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(namespace))


def _core(iri: str) -> bool:
    return any(iri in namespace for namespace in _CORE)


def declared_terms(*, project: ProjectFiles, vocab_dir: Path) -> frozenset[str]:
    """The IRIs the ontology files declare (typed subjects) plus every term of every pin."""
    declared = {q.subject.value for parsed in project.ontology for q in parsed.quads
                if q.predicate == _RDF_TYPE and isinstance(q.subject, ox.NamedNode)}
    for namespace, name in PINS.items():
        declared |= pinned_terms(vocab_dir / name, namespace)
    return frozenset(declared)


_PREFIX_DECLARATION = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w-]*):\s*<([^>]*)>", re.IGNORECASE)


def _line_of(path: Path, iri: str) -> int | None:
    """The first line of `path` that spells `iri`: as `<iri>` or as a prefixed name under any prefix the file declares."""
    lines = path.read_text(encoding="utf-8").splitlines()
    spellings = [re.escape(f"<{iri}>")]
    for line in lines:
        declared = _PREFIX_DECLARATION.match(line)
        if declared and iri.startswith(declared.group(2)) and len(iri) > len(declared.group(2)):
            name = f"{declared.group(1)}:{iri[len(declared.group(2)):]}"
            spellings.append(rf"(?<![\w:-]){re.escape(name)}(?![\w-])")
    pattern = re.compile("|".join(spellings))
    for number, line in enumerate(lines, start=1):
        if not line.lstrip().startswith("#") and not _PREFIX_DECLARATION.match(line) and pattern.search(line):
            return number
    return None


def undeclared_terms(*, project: ProjectFiles, vocab_dir: Path, root: Path | None = None) -> list[Violation]:
    """One violation per (data file, undeclared predicate or class), naming the file and its line.

    Raises KgError when a pin of ontology/vocab/ is missing.
    """
    declared = declared_terms(project=project, vocab_dir=vocab_dir)
    violations = []
    for parsed in project.data:
        used: dict[str, str] = {}
        for q in parsed.quads:
            used.setdefault(q.predicate.value, "property")
            if q.predicate == _RDF_TYPE and isinstance(q.object, ox.NamedNode):
                used.setdefault(q.object.value, "class")
        for iri, kind in sorted(used.items()):
            if iri in declared or _core(iri):
                continue
            line = _line_of(parsed.path, iri)
            violations.append(Violation(
                rule=RULE, focus_node=compact(iri), source_file=relative_name(parsed.path, root=root), line=line,
                message=(f"{kind} {compact(iri)} is declared neither in ontology/*.ttl nor in a pinned vocabulary "
                         f"(ontology/vocab/): a typo? Use a declared term or declare it in ontology/duality.ttl"),
            ))
    return violations
