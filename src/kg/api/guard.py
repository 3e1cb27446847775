"""The query guard: a tokenizer-level check that runs before pyoxigraph ever sees a query.

pyoxigraph 0.5.13 opens outbound connections for SERVICE, cannot cancel a running query and crashes
the process (stack overflow, exit -11) on very deep nesting or very long operator chains. The worker
processes contain timeouts and crashes; this guard keeps those attacks from reaching them at all.

It splits the text into the terminals of the SPARQL 1.1 grammar (section 19.8) as pyoxigraph 0.5.13
reads them, then
- refuses SERVICE in every form and LOAD: any bare word (not an IRI, prefixed name, variable, string
  or comment) *containing* SERVICE or LOAD, because pyoxigraph needs no space between keywords
  (`trueSERVICE<...>{}` and `SERVICESILENT<...>{}` parse and run);
- refuses updates, and finds the query form (SELECT, ASK, CONSTRUCT, DESCRIBE) for content
  negotiation and whether the query names its own dataset (FROM / FROM NAMED);
- caps bracket nesting ( ( [ { ) at `max_depth`, and caps the total number of tokens that can
  deepen pyoxigraph's syntax tree (opening brackets, every operator, signed numbers) at
  `_NODES_PER_DEPTH` x `max_depth`; every nesting level and every link of a left-deep chain costs
  one (UNION, OPTIONAL, MINUS, FILTER, BIND, function calls and `{}` sequences all open a bracket;
  triple patterns are joined at `.`, `;` and `,`).

Where pyoxigraph reads the text differently from the grammar, the guard takes the stricter reading:
- codepoint escapes (\\uXXXX, \\UXXXXXXXX): the grammar (19.2) resolves them over the whole text
  before tokenizing; pyoxigraph 0.5.13 resolves them only inside IRIs and strings (`SEL\\u0045CT` is
  a syntax error there). The guard refuses escapes outside IRIs and strings, and escapes inside them
  that decode to a character that would end or change the token under the grammar's reading (a
  quote, a backslash, a line break, or a character an IRI cannot hold): both readings then agree.
- `<`: pyoxigraph's parser decides by context, so in `FILTER(?a<?b&&?b>?a)` `<` is less-than, while
  a longest-match lexer sees the IRI `<?b&&?b>`. Inside any ( but a VALUES row, after an operand,
  the guard keeps the IRI token but also counts the brackets and operators inside it, and refuses it
  if it holds ' or # (pyoxigraph's string or comment would run past the `>`). A keyword cannot hide
  there: an IRIREF holds no space, `{` or `<`, so SERVICE could not be followed by its pattern.
  Likewise `<<` directly followed by an IRI (`<urn:a><<urn:b#>`) is refused.

Crash sizes of pyoxigraph 0.5.13, measured as `python tests/guard_corpus.py` does (one query per
`python -c` process on a one-triple store, 8 MiB main-thread stack as in the workers; OPTIONAL and
`{} {}` with `{?s ?p ?o}` groups); largest size that ran / smallest that died with SIGSEGV:
    nested, capped at max_depth:     { 2,187/2,250   ( 4,625/4,750   -( +( 4,625/4,750   STR( 937/968
                                     FILTER EXISTS { 812/843   sub-SELECT 2,500/2,625   ^( 13,500/14,000
    chains, capped at 16 x max_depth: ! && || FILTER 9,250/9,500   + - * / and signed numbers 6,750/7,000
                                     UNION and path | 6,500/6,750   BIND, MINUS, SELECT (e AS ?v) 2,500/2,625
                                     OPTIONAL -/7,000   path /, {} {}, triples . -/14,000   objects , -/9,000
    (-/n: no crash below n; at n/2 still optimising after 15 s. `,1` x 9,000 is 18,000 characters)
    no crash at 64,000:              IN (...) lists, VALUES rows, CONCAT arguments, !(a|b|...) sets
With the default max_depth of 64 the caps are 64 levels (13 x under the shallowest nesting crash,
FILTER EXISTS) and 1,024 counted tokens (2.5 x under the shortest chain crash, BIND). A path through
the syntax tree holds at most 64 nested levels (at most 64 x 10 KiB of stack for FILTER EXISTS) plus
at most 1,024 chain links (at most 1,024 x 3.2 KiB for BIND): under 4 MiB of the 8 MiB stack.
Raising max_query_depth raises both caps: above 160, chains reach crash sizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn

from kg.errors import QueryRejected, QuerySyntaxError

__all__ = ["QueryShape", "check_query", "UPDATE_KEYWORDS"]

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_NODES_PER_DEPTH = 16

# Terminals of the SPARQL 1.1 grammar (19.8), with UCHAR also accepted inside IRIs and strings as
# pyoxigraph does.
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS = _BASE + r"_\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"""\\[tbnrf\\"']"""
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_BASE}_:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_VARNAME = f"[{_BASE}_0-9][{_BASE}_0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_EXPONENT = r"[eE][+-]?[0-9]+"
_TERMINALS = {
    "ws": r"(?:[ \t\r\n]|#[^\r\n]*)+",
    "iri": rf'<(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>',
    "string": (
        rf'"""(?:"{{0,2}}(?:[^"\\]|{_ECHAR}|{_UCHAR}))*"""'
        rf"|'''(?:'{{0,2}}(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''"
        rf'|"(?:[^"\\\r\n]|{_ECHAR}|{_UCHAR})*"'
        rf"|'(?:[^'\\\r\n]|{_ECHAR}|{_UCHAR})*'"
    ),
    "var": f"[?$]{_VARNAME}",
    "bnode": f"_:[{_BASE}_0-9](?:[{_CHARS}.]*[{_CHARS}])?",
    "number": rf"[+-]?(?:[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}|[0-9]*\.[0-9]+|[0-9]+)",
    "word": r"[A-Za-z][A-Za-z0-9_]*",
    "langtag": r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*",
    "punct": r"<<\(|\)>>|\{\||\|\}|\|\||&&|\^\^|<=|>=|!=|<<|>>|[{}\[\]();,.+\-*/<>=!^|~?]",
}
_TOKEN = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _TERMINALS.items()))
# Prefixed names are matched apart: a prefix may hold dots and dashes, so telling `a.b.c` (words and
# dots) from `a.b.c:` needs the whole run, and retrying at each of its words would be quadratic.
_PNAME = re.compile(f"(?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)")
_PREFIX_RUN = re.compile(f"[{_CHARS}.]*")
_ESCAPE = re.compile(_UCHAR)
_IRI = re.compile(_TERMINALS["iri"])
_WHAT = {"iri": "IRI", "string": "string", "ws": "comment"}

_OPENING = {"(": "(", "[": "[", "{": "{", "{|": "{", "<<(": "("}
_CLOSING = {")": "(", "]": "[", "}": "{", "|}": "{", ")>>": "("}
_NOT_NODES = frozenset({"^^"})
"""Punctuation that never deepens the tree; closing brackets are not counted either. `.`, `;` and `,`
are: pyoxigraph joins the triple patterns they separate one by one (9,000 `,1` crash it)."""
_EXPRESSION_CHARS = frozenset("([!+-*/=&")
"""Inside an IRI token that pyoxigraph may read as `<` and more tokens, these may deepen the tree."""


@dataclass(frozen=True)
class QueryShape:
    form: str
    """SELECT, ASK, CONSTRUCT or DESCRIBE."""
    names_dataset: bool
    """True when the query has FROM or FROM NAMED clauses."""


def check_query(text: str, *, max_chars: int, max_depth: int) -> QueryShape:
    """Check a SPARQL query before execution and return its form.

    Raises QueryRejected (too long, too deep, too many operators, an update, SERVICE, LOAD, or a
    codepoint escape that pyoxigraph and the SPARQL grammar would read differently) or
    QuerySyntaxError (a character no SPARQL token can start with, an unterminated string, unbalanced
    brackets, no query form).
    """
    if len(text) > max_chars:
        raise QueryRejected(f"query is {len(text)} characters long; the limit is {max_chars}")
    max_nodes = max_depth * _NODES_PER_DEPTH
    # open brackets: "e" any ( but a VALUES row, "(" a VALUES row, "v" a VALUES block, "[", "{"
    stack: list[str] = []
    values_next = False
    nodes = 0
    words: list[str] = []
    previous_kind, previous = "", ""
    pos, n = 0, len(text)
    no_pname_before = 0
    while pos < n:
        token = _PNAME.match(text, pos) if pos >= no_pname_before else None
        if token is None:
            if pos >= no_pname_before:
                run = _PREFIX_RUN.match(text, pos).end()  # type: ignore[union-attr]  # `*`: matches always
                no_pname_before = run if text[run:run + 1] != ":" else pos
            token = _TOKEN.match(text, pos)
            if token is None:
                _unreadable(text, pos)
        kind, value = token.lastgroup or "", token.group()  # every alternative is a named group
        pos = token.end()
        if kind == "ws":
            if "\\" in value:
                _check_escapes(kind, value, text, token.start())
            continue
        if kind in ("word", "langtag") or (kind == "pname" and "SERVICE" in value.split(":")[0].upper()):
            # `SERVICE:x{}` is SERVICE with the IRI :x to pyoxigraph, not the prefixed name SERVICE:x
            upper = value.upper()
            if "SERVICE" in upper:
                raise QueryRejected("SERVICE is not allowed: this endpoint never calls other endpoints")
            if "LOAD" in upper:
                raise QueryRejected("LOAD is not allowed: this endpoint is read-only")
            if kind == "word":
                words.append(upper)
                values_next = values_next or upper == "VALUES"
        elif kind in ("iri", "string"):
            _check_escapes(kind, value, text, token.start())
            if kind == "iri" and stack[-1:] == ["e"] and previous_kind in (
                    "var", "iri", "pname", "string", "langtag", "number", "bnode", "word", "close"):
                nodes += 1 + _count_hidden(value, stack, max_depth)
        elif kind == "number" and value[0] in "+-":
            nodes += 1
        elif kind == "punct":
            if value.startswith("<<") and _IRI.match(text, token.start() + 1):
                raise QueryRejected(
                    f"`<<` at {_where(text, token.start())} may be `<` and an IRI to pyoxigraph; "
                    "put a space between them")
            if value in _OPENING:
                stack.append(_opened(value, previous, stack, values_next))
                values_next = values_next and stack[-1] != "v"
                if len(stack) > max_depth:
                    raise QueryRejected(f"query nests brackets deeper than {max_depth} levels")
                nodes += 1
            elif value in _CLOSING:
                _close(stack, _CLOSING[value], text, token.start())
                kind = "close"
            elif value not in _NOT_NODES:
                nodes += 1
        if nodes > max_nodes:
            raise QueryRejected(
                f"query has more than {max_nodes} operators and brackets; pyoxigraph nests each one deeper")
        previous_kind, previous = kind, value.upper() if kind == "word" else value
    if stack:
        raise QuerySyntaxError("unbalanced brackets: an opening bracket is never closed")
    return QueryShape(form=_query_form(words), names_dataset=any(w.startswith("FROM") for w in words))


def _opened(bracket: str, previous: str, stack: list[str], values_next: bool) -> str:
    """What `bracket` opens. Only a VALUES clause's ( is known to hold no expression, where `<` is
    always an IRI; every other ( may (a sub-select's projection, GROUP BY, a function call, FILTER)."""
    if _OPENING[bracket] == "{":
        return "v" if values_next else "{"
    if _OPENING[bracket] == "[":
        return "["
    return "(" if previous == "VALUES" or stack[-1:] == ["v"] else "e"


def _close(stack: list[str], opening: str, text: str, at: int) -> None:
    if not stack or {"e": "(", "v": "{"}.get(stack[-1], stack[-1]) != opening:
        raise QuerySyntaxError(f"unbalanced brackets: {text[at]!r} at {_where(text, at)} closes nothing that is open")
    stack.pop()


def _count_hidden(iri: str, stack: list[str], max_depth: int) -> int:
    """Brackets and operators inside `iri`, applied to the open brackets as pyoxigraph may read them.

    A ' or # in it would start a string or a comment that runs past its `>`, so that what follows is
    read differently: such an IRI is refused.
    """
    if "'" in iri or "#" in iri:
        raise QueryRejected(
            f"{iri[:40]!r} follows a value inside brackets, where pyoxigraph reads `<` as less-than and "
            "its ' or # would start a string or a comment; put a space after `<` when comparing, or write "
            "the IRI with %27 and %23")
    for char in iri[1:-1]:
        if char in "([":
            stack.append("e" if char == "(" else "[")
            if len(stack) > max_depth:
                raise QueryRejected(f"query nests brackets deeper than {max_depth} levels")
        elif char in ")]":
            if not stack:
                raise QuerySyntaxError(f"unbalanced brackets in {iri[:40]!r}")
            stack.pop()
    return sum(char in _EXPRESSION_CHARS for char in iri)


def _check_escapes(kind: str, token: str, text: str, at: int) -> None:
    for escape in _ESCAPE.finditer(token):
        code = int(escape.group()[2:], 16)
        if code > 0x10FFFF:
            where = _where(text, at + escape.start())
            raise QuerySyntaxError(f"the escape {escape.group()} at {where} is not a character")
        char = chr(code)
        if kind == "iri":
            ambiguous = char in '<>"{}|^`\\' or char <= " "
        elif kind == "string":
            ambiguous = char in "\"'\\\r\n"
        else:  # in a comment, where the grammar's reading would end the comment early
            ambiguous = char in "\r\n"
        if ambiguous:
            where = _where(text, at + escape.start())
            raise QueryRejected(
                f"the escape {escape.group()} at {where} stands for {char!r}, which would end or change its "
                f"{_WHAT[kind]} if escapes were read before tokens (SPARQL 1.1, 19.2); write it without the "
                "escape (\\\" in strings, %22 in IRIs)")


def _unreadable(text: str, pos: int) -> NoReturn:
    if _ESCAPE.match(text, pos):
        raise QueryRejected(
            f"the codepoint escape {text[pos:pos + 6]} at {_where(text, pos)} is outside an IRI or a string; "
            "pyoxigraph does not read escapes there (the SPARQL grammar would): write the character itself")
    if text[pos] in "\"'":
        raise QuerySyntaxError(f"unterminated or malformed string at {_where(text, pos)}")
    raise QuerySyntaxError(f"unexpected character {text[pos]!r} at {_where(text, pos)}")


def _where(text: str, pos: int) -> str:
    line, line_start = text.count("\n", 0, pos) + 1, text.rfind("\n", 0, pos) + 1
    return f"line {line}, column {pos - line_start + 1}"


def _query_form(words: list[str]) -> str:
    # pyoxigraph reads keywords without spaces between them (SELECTDISTINCT), hence startswith
    for word in words:
        if word in ("BASE", "PREFIX"):
            continue
        for form in _FORMS:
            if word.startswith(form):
                return form
        if word.startswith(tuple(UPDATE_KEYWORDS)):
            raise QueryRejected("SPARQL Update is not accepted: this endpoint is read-only")
        break
    if any(word.startswith(tuple(UPDATE_KEYWORDS)) for word in words):
        raise QueryRejected("SPARQL Update is not accepted: this endpoint is read-only")
    raise QuerySyntaxError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue")
