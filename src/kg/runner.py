"""How library code that runs many queries (the gap report, the figures, the resource pages) reaches a
graph: through a `QueryRunner`. The command line runs them on a local store (`StoreRunner`); the server
runs them in its worker pool, with the deadline and row cap of every other query (kg.api.query_service).

Queries see `kg.iri.DEFAULT_GRAPHS` (ontology, data, inferred: works, not records) as default graph and
the project's prefixes predeclared, as at the SPARQL endpoint; records and views are read with
`GRAPH graph:records { }` / `GRAPH graph:view/survey { }`. Values are bound as typed terms (`substitutions`), never pasted into the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Variable

from kg.queries import (
    NamedQuery,
    ResultTable,
    bind_parameters,
    project_select,
    result_table,
)

__all__ = ["Term", "QueryRunner", "StoreRunner", "runner_for", "run_named", "records"]

Term = NamedNode | Literal | BlankNode


class QueryRunner(Protocol):
    def run_select(self, query: str, substitutions: Mapping[str, Term] | None = None) -> ResultTable:
        """The rows of a SELECT query. Raises QuerySyntaxError, and whatever the runner's limits raise."""
        ...


class StoreRunner:
    """Runs queries on a pyoxigraph store in this process (the command line's read-only store)."""

    def __init__(self, store: Store):
        self.store = store

    def run_select(self, query: str, substitutions: Mapping[str, Term] | None = None) -> ResultTable:
        return result_table(project_select(self.store, query,
                                         substitutions={Variable(k): v for k, v in (substitutions or {}).items()}))


def runner_for(runner: QueryRunner | None, store: Store | None) -> QueryRunner:
    """`runner`, else a StoreRunner on `store`: library functions accept either."""
    if runner is not None:
        return runner
    if store is None:
        raise TypeError("give a runner or a store")
    return StoreRunner(store)


def run_named(runner: QueryRunner, query: NamedQuery, params: Mapping[str, str] | None = None) -> ResultTable:
    """Run a named query with its parameters typed (ParameterError naming a bad one) and defaults filled in."""
    bound = bind_parameters(query, params or {})
    return runner.run_select(query.text, {variable.value: term for variable, term in bound.items()})


def records(table: ResultTable) -> list[dict[str, Term | None]]:
    """The rows as dicts keyed by variable name."""
    return [dict(zip(table.variables, row)) for row in table.rows]
