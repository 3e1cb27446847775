"""`kg stats`: counts of works, source records, links and violations in data/ttl (issue 3).

Counts come from SPARQL over an in-memory store holding the ontology and data/ttl, so they say what
the generated graph holds, not what the importer believes it wrote.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

import pyoxigraph as ox

from kg.load import load_graphs
from kg.settings import Settings

__all__ = ["collect_stats", "command", "PROVENANCE_RULE"]

PROVENANCE_RULE = "statement-without-provenance-violation.rq"

_PREFIXES = """PREFIX dkg: <https://w3id.org/duality-kg/ontology#>
PREFIX cito: <http://purl.org/spar/cito/>
"""
# name -> SELECT (?n) query; each counts one thing the issue asks `kg stats` to report
_COUNTS: dict[str, str] = {
    "papers": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dkg:ResearchPaper }",
    "references_with_numbers": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dkg:ResearchPaper ; dkg:surveyReferenceNumber ?x }",
    "list_entries": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a dkg:ListEntry }",
    "list_entries_resolved": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a dkg:ListEntry ; dkg:recordOf ?p . ?p a dkg:ResearchPaper }",
    "list_papers": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?r a dkg:ListEntry ; dkg:recordOf ?p . ?p a dkg:ResearchPaper }",
    "table_rows": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a dkg:TableRow ; dkg:tableNumber ?t FILTER (?t IN (2, 3, 4, 5, 7)) }",
    "table_rows_resolved": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a dkg:TableRow ; dkg:tableNumber ?t ; dkg:recordOf ?p . ?p a dkg:ResearchPaper FILTER (?t IN (2, 3, 4, 5, 7)) }",
    "spreadsheet_rows": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a dkg:SpreadsheetRow }",
    "spreadsheet_rows_resolved": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a dkg:SpreadsheetRow ; dkg:recordOf ?p . ?p a dkg:ResearchPaper }",
    "benchmarks": "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b a dkg:Benchmark }",
    "uses_benchmark_links": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?p ?b WHERE { ?p a dkg:ResearchPaper ; dkg:usesBenchmark ?b } }",
    "challenges": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dkg:Challenge }",
    "challenges_with_evidence": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dkg:Challenge ; dkg:hasEvidence ?p }",
    "extends_links": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?b WHERE { ?a a dkg:ResearchPaper ; cito:extends ?b } }",
    "candidate_papers": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dkg:CandidatePaper }",
}


def collect_stats(*, ontology_dir: Path, data_dir: Path, qc_dir: Path) -> dict[str, object]:
    """The counts of `kg stats` for the graph in `data_dir`.

    `statements_without_provenance` runs queries/qc/statement-without-provenance-violation.rq;
    `shacl_violations` is None (with `shacl_note`) while no `kg.validate.validate` exists.
    Raises TurtleSyntaxError when a data or ontology file does not parse.
    """
    store = ox.Store()
    load_graphs(store, ontology_dir=ontology_dir, data_dir=data_dir)
    stats: dict[str, object] = {}
    for name, query in _COUNTS.items():
        rows = list(store.query(_PREFIXES + query, use_default_graph_as_union=True))
        stats[name] = int(rows[0]["n"].value)
    rule = (qc_dir / PROVENANCE_RULE).read_text(encoding="utf-8")
    stats["statements_without_provenance"] = len(list(store.query(rule, use_default_graph_as_union=True)))
    stats["shacl_violations"], note = _shacl_violations(ontology_dir=ontology_dir, data_dir=data_dir)
    if note:
        stats["shacl_note"] = note
    return stats


def _shacl_violations(*, ontology_dir: Path, data_dir: Path) -> tuple[int | None, str | None]:
    try:
        validate = importlib.import_module("kg.validate").validate
    except (ImportError, AttributeError):
        return None, "kg.validate.validate does not exist yet; SHACL violations not counted"
    try:
        report = validate(ontology_dir=ontology_dir, data_dir=data_dir)
    except TypeError as err:
        return None, f"kg.validate.validate has an unexpected signature ({err}); SHACL violations not counted"
    for attribute in ("violation_count", "violations"):
        value = getattr(report, attribute, None)
        if value is not None:
            return (value if isinstance(value, int) else len(value)), None
    return None, "kg.validate.validate returned no violation count"


def command(settings: Settings, args: argparse.Namespace) -> int:
    """`kg stats --format json|table`: counts on stdout; exit 0."""
    stats = collect_stats(ontology_dir=settings.ontology_dir, data_dir=settings.data_dir,  # type: ignore[arg-type]
                          qc_dir=settings.qc_dir)
    if getattr(args, "format", "table") == "json":
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        width = max(len(name) for name in stats)
        for name, value in stats.items():
            print(f"{name.replace('_', ' '):<{width}}  {'null' if value is None else value}")
    sys.stdout.flush()
    return 0
