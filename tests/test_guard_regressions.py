"""Regression tests named after the black-box attacks on the old, character-by-character guard."""

from __future__ import annotations

import pytest

from kg.api.guard import check_query
from kg.errors import QueryRejected

LIMITS = {"max_chars": 20_000, "max_depth": 64}
TARGET = "http://127.0.0.1:1/sparql"
SERVICE = f"SERVICE <{TARGET}> {{ ?s ?p ?o }}"


def _refused(query: str, reason: str) -> None:
    with pytest.raises(QueryRejected, match=reason):
        check_query(query, **LIMITS)


def test_comment_ended_by_cr_does_not_hide_service():
    # the old guard ended comments at \n only; the grammar and pyoxigraph end them at \r too
    _refused(f"SELECT * WHERE {{ ?s ?p ?o # comment\r{SERVICE} }}", "SERVICE")


def test_long_string_escape_does_not_hide_service():
    # """a\"""" is one string: the escaped quote and the closing three; the old guard lost count
    _refused(f'SELECT * WHERE {{ BIND("""a\\"""" AS ?x) {SERVICE} BIND("""b""" AS ?y) }}', "SERVICE")


def test_unicode_escape_keyword_is_refused():
    _refused(f"SELECT * WHERE {{ SERV\\u0049CE <{TARGET}> {{ ?s ?p ?o }} }}", "escape")


def test_unicode_escape_iri_does_not_hide_service():
    # the old guard did not take <urn:x\u0061#> for an IRI, so its # began a comment to the line's end
    _refused(f"SELECT * WHERE {{ ?s <urn:x\\u0061#> ?o . {SERVICE} }}", "SERVICE")


@pytest.mark.parametrize("operator", ["+", "*", "-"])
def test_arithmetic_chain_9000_is_refused(operator):
    _refused(f"SELECT * WHERE {{ BIND(1{f' {operator} 1' * 9000} AS ?x) }}"[:19_999], "operators")


@pytest.mark.parametrize(("trick", "groups"), [
    ("# comment\r", 3000),
    ('BIND("""a\\"""" AS ?x) ', 3000),
    ("?s <urn:x\\u0061#> ?o . ", 9000),
])
def test_nested_groups_behind_a_trick_are_refused(trick, groups):
    _refused("SELECT * WHERE { ?s ?p ?o . " + trick + "{" * groups + "}" * groups + " }",
             "deeper than")


@pytest.mark.parametrize("query", [
    f"SELECT * WHERE {{ ?s ?p trueSERVICE<{TARGET}>{{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICESILENT<{TARGET}>{{ ?s ?p ?o }} }}",
    f"PREFIX : <{TARGET}> SELECT * WHERE {{ SERVICE:{{ ?s ?p ?o }} }}",
])
def test_service_glued_to_another_token_is_refused(query):
    # pyoxigraph 0.5.13 needs no space after `true`, SERVICE or before a prefixed name: all three call out
    _refused(query, "SERVICE")


def test_object_list_9000_is_refused():
    # `?s ?p 1,1,1,...`: 9,000 objects (18,000 characters) crash pyoxigraph 0.5.13
    _refused("SELECT * WHERE { ?s ?p 1" + ",1" * 9000 + " }", "operators")


def test_brackets_in_a_less_than_iri_in_a_sub_select_projection_are_counted():
    # `?a<((((1>` is an IRI to a longest-match lexer, `?a < ( ( ( ( 1 >` to pyoxigraph: 6,000 of those
    # parentheses crashed it while an earlier version of this guard took the ( after a variable for data
    _refused("SELECT * WHERE { { SELECT ?a (?a<" + "(" * 6000 + "1> AS ?x) WHERE { BIND(1 AS ?a) } } }",
             "deeper than")


@pytest.mark.parametrize("query", [
    # pyoxigraph: ?a < '>' then SERVICE; a lexer: the IRI <'> then a string to the comment's quote
    f"SELECT * WHERE {{ BIND(1 AS ?a) BIND(?a<'>' AS ?z) {SERVICE} }} # ' AS ?z) }}",
    # pyoxigraph: ?a < (comment) 1; a lexer: the IRI <#> then a long string over the SERVICE line
    f"SELECT * WHERE {{ BIND(1 AS ?a) BIND(?a<#>\'\'\'\n1 AS ?z) {SERVICE} # \'\'\' AS ?z)\n}}",
])
def test_quote_or_hash_in_a_less_than_iri_does_not_hide_service(query):
    _refused(query, "less-than")
