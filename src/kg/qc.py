"""Run the cross-node quality-control queries `queries/qc/<rule>-violation.rq` with pyoxigraph.

Each query is plain SPARQL SELECT: an empty result passes. The first projected variable is the
focus node, the `?message` column says what is wrong; other columns are shown as the value.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.datafiles import ProjectFiles
from kg.errors import QuerySyntaxError
from kg.queries import project_query
from kg.shapes import compact
from kg.validation_report import Violation

__all__ = ["qc_paths", "run_qc_query", "run_qc"]


def qc_paths(qc_dir: Path) -> list[Path]:
    """The QC queries, in a stable order."""
    return sorted(qc_dir.glob("*-violation.rq")) if qc_dir.is_dir() else []


def _show(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return ""


def _source_file(project: ProjectFiles | None, node: object, root: Path | None) -> str | None:
    if project is None or not isinstance(node, (ox.NamedNode, ox.BlankNode)):
        return None
    return project.source_name(node, root=root)


def run_qc_query(*, store: ox.Store, query_path: Path, project: ProjectFiles | None = None,
                 root: Path | None = None) -> list[Violation]:
    """Run one QC query (default graph: works; records read with `GRAPH graph:records`); one `Violation`
    per result row.

    Raises QuerySyntaxError (naming the file) when the query does not parse or has no `?message`.
    """
    solutions = project_query(store, query_path.read_text(encoding="utf-8"), source=query_path)
    if not isinstance(solutions, ox.QuerySolutions):
        raise QuerySyntaxError(f"{query_path}: a QC query must be a SELECT query")
    names = [v.value for v in solutions.variables]
    if "message" not in names:
        raise QuerySyntaxError(f"{query_path}: a QC query must project a ?message column")
    focus_name = names[0]
    others = [n for n in names[1:] if n != "message"]
    violations = []
    for row in solutions:
        focus = row[focus_name]
        extra = ", ".join(f"{n}={_show(row[n])}" for n in others if row[n] is not None)
        violations.append(Violation(
            rule=query_path.name,
            focus_node=_show(focus),
            source_file=_source_file(project, focus, root),
            message=_show(row["message"]) or f"{query_path.stem} matched",
            value=extra or None,
        ))
    return violations


def run_qc(*, store: ox.Store, qc_dir: Path, project: ProjectFiles | None = None,
           root: Path | None = None) -> list[Violation]:
    """Run every QC query of `qc_dir`. Raises QuerySyntaxError for a broken query file."""
    found: list[Violation] = []
    for path in qc_paths(qc_dir):
        found.extend(run_qc_query(store=store, query_path=path, project=project, root=root))
    return sorted(found)
