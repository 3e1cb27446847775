"""The query guard: a cheap lexical check that runs before pyoxigraph ever sees a query.

pyoxigraph 0.5.13 opens outbound connections for SERVICE and LOAD, cannot cancel a running query and
crashes the process on very deep nesting (about 3,000 nested groups or 10,000 `!`/UNION operators).
The worker processes contain timeouts and crashes; this guard keeps the obvious attacks from reaching
them at all. It scans the text once, skipping strings, IRIs and comments, and
- measures bracket nesting ( ( [ { ) and caps it at `max_query_depth`;
- counts operators that pyoxigraph nests into left-deep trees (UNION, OPTIONAL, MINUS, `!`, `&&`, `||`,
  `/`, `|`) and caps them at 16 x `max_query_depth`;
- refuses updates, SERVICE (every form) and LOAD;
- finds the query form (SELECT, ASK, CONSTRUCT, DESCRIBE) for content negotiation, and whether the
  query names its own dataset (FROM / FROM NAMED), which selects graphs of the local store only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.errors import QueryRejected, QuerySyntaxError

__all__ = ["QueryShape", "check_query", "UPDATE_KEYWORDS"]

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_NESTED_OPERATOR_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS"})
_OPERATORS_PER_DEPTH = 16

# An IRIREF: '<' then characters other than these, then '>'. Otherwise '<' is the less-than operator.
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


@dataclass(frozen=True)
class QueryShape:
    form: str
    """SELECT, ASK, CONSTRUCT or DESCRIBE."""
    names_dataset: bool
    """True when the query has FROM or FROM NAMED clauses."""


def check_query(text: str, *, max_chars: int, max_depth: int) -> QueryShape:
    """Check a SPARQL query before execution and return its form.

    Raises QueryRejected (too long, too deep, too many nested operators, an update, SERVICE or LOAD) or
    QuerySyntaxError (no query form, unbalanced brackets, an unterminated string or IRI).
    """
    if len(text) > max_chars:
        raise QueryRejected(f"query is {len(text)} characters long; the limit is {max_chars}")
    max_operators = max_depth * _OPERATORS_PER_DEPTH
    depth = deepest = operators = 0
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            i = _skip_string(text, i)
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c == "<":
            iri = _IRI.match(text, i)
            if iri:
                i = iri.end()
                continue
        if c in "([{":
            depth += 1
            if depth > max_depth:
                raise QueryRejected(f"query nests brackets deeper than {max_depth} levels")
            deepest = max(deepest, depth)
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                raise QuerySyntaxError("unbalanced brackets: a closing bracket without an opening one")
        elif c == "!" and not text.startswith("!=", i):
            operators += 1
        elif c in "&|" and text.startswith(c * 2, i):
            operators += 1
            i += 2
            continue
        elif c == "^" and text.startswith("^^", i):
            i += 2
            continue
        elif c in "/|^":
            operators += 1
        elif c in "?$":
            word = _WORD.match(text, i + 1)
            i = word.end() if word else i + 1
            continue
        elif c.isalpha() or c == "_":
            word = _WORD.match(text, i)
            end = word.end() if word else i + 1
            after = text[end] if end < n else ""
            before = text[i - 1] if i else ""
            if after != ":" and before != ":":
                upper = text[i:end].upper()
                words.append(upper)
                if upper in _NESTED_OPERATOR_WORDS:
                    operators += 1
            elif after == ":":
                # a prefixed name: skip its local part so 'ex:SERVICE' is not taken for a keyword
                local = re.compile(r":[^\s(){}\[\],;]*").match(text, end)
                end = local.end() if local else end + 1
            i = end
            continue
        if operators > max_operators:
            raise QueryRejected(f"query has more than {max_operators} UNION/OPTIONAL/MINUS/path/logical operators")
        i += 1
    if depth != 0:
        raise QuerySyntaxError("unbalanced brackets: an opening bracket is never closed")
    if operators > max_operators:
        raise QueryRejected(f"query has more than {max_operators} UNION/OPTIONAL/MINUS/path/logical operators")
    return QueryShape(form=_query_form(words), names_dataset=_names_dataset(words))


def _skip_string(text: str, start: int) -> int:
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = start + 3
        while True:
            end = text.find(quote * 3, end)
            if end < 0:
                raise QuerySyntaxError("unterminated long string literal")
            if text[end - 1] != "\\":
                return end + 3
            end += 1
    i = start + 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == quote:
            return i + 1
        if c in "\r\n":
            break
        i += 1
    raise QuerySyntaxError("unterminated string literal")


def _query_form(words: list[str]) -> str:
    for word in words:
        if word in ("BASE", "PREFIX"):
            continue
        if word in _FORMS:
            if "SERVICE" in words:
                raise QueryRejected("SERVICE is not allowed: this endpoint never calls other endpoints")
            if "LOAD" in words:
                raise QueryRejected("LOAD is not allowed: this endpoint is read-only")
            return word
        if word in UPDATE_KEYWORDS:
            raise QueryRejected("SPARQL Update is not accepted: this endpoint is read-only")
        break
    if "SERVICE" in words:
        raise QueryRejected("SERVICE is not allowed: this endpoint never calls other endpoints")
    if any(word in UPDATE_KEYWORDS for word in words):
        raise QueryRejected("SPARQL Update is not accepted: this endpoint is read-only")
    raise QuerySyntaxError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue")


def _names_dataset(words: list[str]) -> bool:
    return "FROM" in words
