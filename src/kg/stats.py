"""`kg stats`: counts of works, source records, links and violations in data/ttl (issue 3).

Counts come from SPARQL over an in-memory store holding the ontology and data/ttl, so they say what
the generated graph holds, not what the importer believes it wrote.
"""

from __future__ import annotations

from pathlib import Path

from kg.datafiles import ProjectFiles, read_project
from kg.edits import project_files
from kg.queries import project_select
from kg.settings import Settings
from kg.terms import RULE as TERMS_RULE
from kg.validate import ONTOLOGY_RULE, validate
from kg.validation_report import Severity

__all__ = ["collect_stats", "PROVENANCE_RULE"]

PROVENANCE_RULE = "paper-fact-without-record-violation.rq"

_CO_CITED = ("SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?a ?b WHERE {{ "
             "?x a cito:Citation ; cito:hasCitedEntity ?a ; dkg:inSection ?section ; {scope} . "
             "?y a cito:Citation ; cito:hasCitedEntity ?b ; dkg:inSection ?section ; {scope} . "
             "FILTER (STR(?a) < STR(?b)) }} }}")

# name -> SELECT (?n) query; each counts one thing the issue asks `kg stats` to report. Works are in the
# default graph, source records in graph:records.
_COUNTS: dict[str, str] = {
    "papers": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dkg:ResearchPaper }",
    "references_with_numbers": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dkg:ResearchPaper ; dkg:surveyReferenceNumber ?x }",
    "list_entries": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH graph:records { ?r a dkg:ListEntry } }",
    "list_entries_resolved": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH graph:records { ?r a dkg:ListEntry ; "
                             "dkg:recordOf ?p } ?p a dkg:ResearchPaper }",
    "list_papers": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH graph:records { ?r a dkg:ListEntry ; dkg:recordOf ?p } "
                   "?p a dkg:ResearchPaper }",
    "table_rows": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH graph:records { ?r a dkg:TableRow ; dkg:tableNumber ?t } "
                  "FILTER (?t IN (2, 3, 4, 5, 7)) }",
    "table_rows_resolved": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH graph:records { ?r a dkg:TableRow ; dkg:tableNumber ?t ; "
                           "dkg:recordOf ?p } ?p a dkg:ResearchPaper FILTER (?t IN (2, 3, 4, 5, 7)) }",
    "spreadsheet_rows": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH graph:records { ?r a dkg:SpreadsheetRow } }",
    "spreadsheet_rows_resolved": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH graph:records { ?r a dkg:SpreadsheetRow ; "
                                 "dkg:recordOf ?p } ?p a dkg:ResearchPaper }",
    "benchmarks": "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b a dkg:Benchmark }",
    "uses_benchmark_links": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?p ?b WHERE { ?p a dkg:ResearchPaper ; dkg:usesBenchmark ?b } }",
    "challenges": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dkg:Challenge }",
    "challenges_with_evidence": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dkg:Challenge ; dkg:hasEvidence ?p }",
    "extends_links": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?b WHERE { ?a a dkg:ResearchPaper ; cito:extends ?b } }",
    "candidate_papers": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dkg:CandidatePaper }",
    # the survey's in-text citations (data/ttl/citations.ttl, docs/citations.md): one cito:Citation per
    # reference per bracket; co-cited pairs are unordered pairs of distinct works in one sentence / paragraph
    "in_text_citations": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a cito:Citation }",
    "works_cited_in_text": "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?c a cito:Citation ; cito:hasCitedEntity ?w }",
    "co_citation_pairs_sentence": _CO_CITED.format(scope="dkg:paragraph ?p ; dkg:sentence ?s"),
    "co_citation_pairs_paragraph": _CO_CITED.format(scope="dkg:paragraph ?p"),
}


def collect_stats(*, settings: Settings, data_dir: Path | None = None) -> dict[str, object]:
    """The counts of `kg stats` for the graph in `data_dir` (default: data/ttl/ with data/edits/ overlaid).

    `statements_without_provenance` runs queries/qc/paper-fact-without-record-violation.rq;
    `shacl_violations` counts the errors of the SHACL shapes in `kg.validate.validate`'s report.
    Raises TurtleSyntaxError when a data or ontology file does not parse.
    """
    if data_dir is None:  # as the build loads it: data/ttl/ with the maintainers' edits (data/edits/)
        project = project_files(settings)
    else:
        project = read_project(ontology_dir=settings.ontology_dir, data_dir=data_dir)
    store = project.to_store()
    stats: dict[str, object] = {}
    for name, query in _COUNTS.items():
        rows = list(project_select(store, query))
        stats[name] = int(rows[0]["n"].value)
    rule = settings.qc_dir / PROVENANCE_RULE
    stats["statements_without_provenance"] = len(list(project_select(store, rule.read_text(encoding="utf-8"),
                                                                  source=rule)))
    stats["shacl_violations"] = _shacl_violations(settings=settings, project=project)
    return stats


def _shacl_violations(*, settings: Settings, project: ProjectFiles) -> int:
    report = validate(settings=settings, project=project)
    # the report also holds the QC queries', the term check's and HermiT's results; the rest are shapes
    other_rules = {path.name for path in settings.qc_dir.glob("*.rq")} | {ONTOLOGY_RULE, TERMS_RULE}
    return sum(1 for v in report.violations if v.rule not in other_rules and v.severity is Severity.ERROR)
