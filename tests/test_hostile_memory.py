"""Attack class: memory exhaustion. A query needing more memory than a worker may use gets 503 with a
clear message, its worker is replaced, and the server keeps answering."""

from __future__ import annotations

import httpx
import pytest
from api_server import fixture_server

STRING_DOUBLING = "SELECT (STRLEN(?a27) AS ?n) WHERE { BIND(\"0123456789abcdef\" AS ?a0) " + " ".join(
    f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(27)) + " }"
"""About 900 bytes of query asking for a 2 GB string."""
ORDER_BY_CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l LIMIT 1"
"""Sorting needs the whole product (about 2 x 10^8 rows over the fixture) in memory."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with fixture_server(tmp_path_factory.mktemp("memory-project"), worker_memory_mb=256,
                        query_timeout_s=30.0) as running:
        yield running


@pytest.mark.parametrize("query", [STRING_DOUBLING, ORDER_BY_CARTESIAN],
                         ids=["string-doubling BIND chain", "ORDER BY over a cartesian product"])
def test_a_query_over_the_memory_limit_gets_503_and_the_server_goes_on(server, query):
    with httpx.Client(base_url=server.url, timeout=60) as client:
        response = client.post("/sparql", data={"query": query})
        assert response.status_code == 503, response.text[:300]
        assert "256 MB of memory" in response.text
        for _ in range(3):  # the replaced worker, and the others, answer
            assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
