"""QueryJob.substitutions: values bound to query variables (N-Triples terms), run in a real worker."""

from __future__ import annotations

import asyncio
import json

import pytest
from api_server import worker_snapshot

from kg.api.workers import QueryJob, QueryPool, Snapshot
from kg.errors import QueryRejected
from kg.iri import PAPER

PAPER_IRI = f"{PAPER}arxiv-2310.12931"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return worker_snapshot(tmp_path_factory.mktemp("jobs-project"))


def _run(snapshot: Snapshot, query: str, substitutions: tuple[tuple[str, str], ...]):
    async def main():
        pool = QueryPool(size=1, timeout_s=10)
        await pool.start()
        try:
            job = QueryJob(query=query, form="SELECT", format_key="json", project_default_graph=True,
                           default_graphs=(), named_graphs=(), max_rows=50, snapshot=snapshot,
                           substitutions=substitutions)
            return await pool.run(job)
        finally:
            await pool.stop()

    return asyncio.run(main())


@pytest.mark.parametrize(("term", "expected"), [
    (f"<{PAPER_IRI}>", True),
    ("<urn:kg-test:no-such-paper>", False),
])
def test_a_substituted_iri_selects_its_facts(snapshot, term, expected):
    body = _run(snapshot, "SELECT ?paper (COUNT(*) AS ?n) WHERE { ?paper ?p ?o } GROUP BY ?paper",
                (("paper", term),))
    rows = json.loads(body)["results"]["bindings"]
    assert bool(rows) is expected, rows
    if expected:
        assert rows[0]["paper"]["value"] == PAPER_IRI and int(rows[0]["n"]["value"]) > 0


def test_a_substituted_literal_is_typed(snapshot):
    body = _run(snapshot, "SELECT ?x (DATATYPE(?x) AS ?t) WHERE { }",
                (("x", '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'),))
    row = json.loads(body)["results"]["bindings"][0]
    assert row["t"]["value"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_a_substitution_that_is_not_a_term_is_rejected(snapshot):
    with pytest.raises(QueryRejected, match="not one RDF term"):
        _run(snapshot, "SELECT ?x WHERE { }", (("x", "<a> <b> <c>"),))
