"""SERVICE smuggling: every generated variant is refused, its control is accepted, both are real SPARQL."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from guard_corpus import service_cases

from kg.api.guard import check_query
from kg.errors import QueryRejected

# Port 9 (discard) is refused by pyoxigraph's HTTP client before it connects, so running a variant
# proves it calls SERVICE without any connection being made.
TARGET = "http://127.0.0.1:9/sparql"
CASES = service_cases(TARGET)
LIMITS = {"max_chars": 20_000, "max_depth": 64}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    s, p = ox.NamedNode("urn:s"), ox.NamedNode("urn:p")
    store.add(ox.Quad(s, p, ox.NamedNode("urn:o")))
    store.add(ox.Quad(s, p, ox.Literal(True)))
    store.add(ox.Quad(s, p, ox.NamedNode("urn:o"), ox.NamedNode("urn:g")))
    return store


def _outcome(store: ox.Store, query: str) -> str:
    """'called' (pyoxigraph tried to reach the target), 'ran', or 'syntax'."""
    try:
        result = store.query(query)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except SyntaxError:
        return "syntax"
    except OSError:
        return "called"
    except RuntimeError as err:  # SERVICE ?svc evaluated before the VALUES or BIND that binds ?svc
        assert "service" in str(err), err
        return "called"
    return "ran"


def test_the_corpus_covers_every_form_context_target_and_trick():
    names = [case.name.split("/") for case in CASES]
    assert len(CASES) > 2000
    assert {n[0] for n in names} == {"plain", "silent", "var-values", "var-bind", "prefixed-name", "empty-prefix"}
    assert {n[1] for n in names} >= {"sub-select", "optional", "minus", "exists", "not-exists", "union", "graph"}
    assert {n[2] for n in names} == {"given", "userinfo", "hostname", "https", "ipv6"}
    assert {"comment-ended-by-cr", "long-string-escape", "unicode-escape-keyword", "unicode-escape-iri",
            "mixed-case", "newlines-and-tabs", "glued"} <= {n[3] for n in names}
    assert all(":9/" in case.query and "serv" not in case.control.lower() for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_service_variant_is_refused_and_its_control_accepted(case):
    with pytest.raises(QueryRejected):
        check_query(case.query, **LIMITS)
    assert check_query(case.control, **LIMITS).form in ("SELECT", "ASK")


def test_every_live_variant_is_a_service_call_to_pyoxigraph(store):
    # the guard is tested against the real parser: the variants parse (most try to call the target,
    # some are optimised away on this tiny store) and so do the controls
    outcomes = {case.name: _outcome(store, case.query) for case in CASES if case.live}
    assert len(outcomes) > 1000
    assert [name for name, outcome in outcomes.items() if outcome == "syntax"] == []
    assert sum(outcome == "called" for outcome in outcomes.values()) > len(outcomes) // 2
    controls = {case.name: _outcome(store, case.control) for case in CASES}
    assert [name for name, outcome in controls.items() if outcome != "ran"] == []
