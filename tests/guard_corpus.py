"""Hostile SPARQL queries for the query guard: SERVICE smuggling variants and deep constructs.

`service_variants(target_url)` is the corpus other tests import (the end-to-end test points it at a
local listener); `service_cases(target_url)` also gives each variant's control, the same text
without the SERVICE call, which the guard must accept. `NESTING` builds, for each construct
pyoxigraph nests into its syntax tree, a query of a chosen size.

Run `python tests/guard_corpus.py [construct ...]` to measure at which size pyoxigraph crashes on
each construct (each size in its own `python -c` process; a crash is exit code -11).
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "ServiceCase", "service_cases", "service_variants", "NESTING", "SLOW", "start_in_subprocess", "run_in_subprocess",
]


@dataclass(frozen=True)
class ServiceCase:
    name: str
    query: str
    """Calls SERVICE (or would, read as the SPARQL grammar resolves codepoint escapes)."""
    control: str
    """The same text with the SERVICE keyword, SILENT and target removed: a harmless query."""
    live: bool
    """pyoxigraph parses `query` and calls the target (not SILENT, no escaped keyword)."""


def _targets(target_url: str) -> dict[str, str]:
    """The target as given, and the same host and port written four other ways."""
    url = urlsplit(target_url)
    port = f":{url.port}" if url.port else ""
    return {
        "given": target_url,
        "userinfo": urlunsplit((url.scheme, f"u:p@{url.hostname}{port}", url.path, url.query, "")),
        "hostname": urlunsplit((url.scheme, f"localhost{port}", url.path, url.query, "")),
        "https": urlunsplit(("https", url.netloc, url.path, url.query, "")),
        "ipv6": urlunsplit((url.scheme, f"[::1]{port}", url.path, url.query, "")),
    }


# (binding kept in the control, SILENT?, target written as) -- {iri} is the target IRI token
_FORMS = {
    "plain": ("", "", "{iri}"),
    "silent": ("", "SILENT", "{iri}"),
    "var-values": ("VALUES ?svc { {iri} } ", "", "?svc"),
    "var-bind": ("BIND({iri} AS ?svc) ", "", "?svc"),
    "prefixed-name": ("", "", "svc:"),
    "empty-prefix": ("", "", ":"),
}

# where the clause sits; {clause} is replaced
_CONTEXTS = {
    "group": "SELECT * WHERE { ?s ?p ?o . {clause} }",
    "sub-select": "SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o . {clause} } } }",
    "optional": "SELECT * WHERE { ?s ?p ?o OPTIONAL { {clause} } }",
    "minus": "SELECT * WHERE { ?s ?p ?o MINUS { {clause} } }",
    "exists": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { {clause} } }",
    "not-exists": "SELECT * WHERE { ?s ?p ?o FILTER NOT EXISTS { {clause} } }",
    "union": "SELECT * WHERE { { ?s ?p ?o } UNION { {clause} } }",
    "graph": "SELECT * WHERE { ?s ?p ?o GRAPH ?g { {clause} } }",
    "ask": "ASK { ?s ?p ?o . {clause} }",
}


@dataclass(frozen=True)
class _Trick:
    before: str = ""
    """Text put just before the clause (kept in the control)."""
    keyword: str = "SERVICE"
    silent: str = "SILENT"
    separator: str = " "
    escape_iri: bool = False
    live: bool = True


# Each trick hides the rest of the line or the keyword from a guard that lexes differently from
# the grammar; all but the escaped keywords are valid SPARQL that pyoxigraph runs.
_TRICKS = {
    "none": _Trick(),
    "comment-ended-by-cr": _Trick(before="# a comment ended by a carriage return\r"),
    "comment-ended-by-crlf": _Trick(before="# a comment\r\n"),
    "long-string-escape": _Trick(before='BIND("""a\\"""" AS ?t1) BIND(\'\'\'b\\\'\'\'\' AS ?t2) '),
    "short-string-escape": _Trick(before='BIND("a\\"#" AS ?t1) '),
    "unicode-escape-iri": _Trick(before="?s <urn:x\\u0061#> ?o . ", escape_iri=True),
    "unicode-escape-string": _Trick(before='BIND("\\u0041#" AS ?t1) '),
    "unicode-escape-keyword": _Trick(keyword="SERV\\u0049CE", live=False),
    "unicode-escape-keyword-upper": _Trick(keyword="\\U00000053ERVICE", silent="S\\u0049LENT", live=False),
    "mixed-case": _Trick(keyword="sErViCe", silent="SiLeNt"),
    "lower-case": _Trick(keyword="service", silent="silent"),
    "newlines-and-tabs": _Trick(separator="\n\t\r\n "),
    "glued": _Trick(separator=""),
    "glued-after-true": _Trick(before="?s ?p true", separator=""),
}


def service_cases(target_url: str) -> list[ServiceCase]:
    """Every SERVICE form x context x way of writing the target x trick, with its control."""
    cases = []
    for (form, (binding, silent, target)), (context, template), (target_name, url), (trick_name, trick) in \
            itertools.product(_FORMS.items(), _CONTEXTS.items(), _targets(target_url).items(), _TRICKS.items()):
        if trick_name == "glued-after-true" and context != "group":
            continue  # `true` ends a triple pattern only where one can start
        if form == "empty-prefix" and trick.separator == " " and trick_name != "none":
            continue  # keeps the corpus small: the empty prefix matters glued (SERVICE:{})
        iri = _escape_iri(url) if trick.escape_iri else url
        prologue = {"prefixed-name": f"PREFIX svc: <{iri}>\n", "empty-prefix": f"PREFIX : <{iri}>\n"}.get(form, "")
        sep = trick.separator
        pieces = [trick.keyword] + ([trick.silent] if silent else []) + [target.replace("{iri}", f"<{iri}>")]
        call = sep.join(pieces) + sep
        bound = binding.replace("{iri}", f"<{iri}>")
        body = "{ ?s ?p ?o }"
        if trick_name == "glued-after-true":
            # `?s ?p trueSERVICE<...>{...}`: a triple pattern whose object is `true`, then the call
            query = prologue + template.replace("{clause}", f"{bound}{trick.before}{call}{body}")
            control = prologue + template.replace("{clause}", f"{bound}{trick.before} . {body}")
        else:
            query = prologue + template.replace("{clause}", f"{bound}{trick.before}{call}{body}")
            control = prologue + template.replace("{clause}", f"{bound}{trick.before}{body}")
        name = f"{form}/{context}/{target_name}/{trick_name}"
        cases.append(ServiceCase(name, query, control, live=trick.live and not silent))
    return cases


def service_variants(target_url: str) -> list[tuple[str, str]]:
    """(name, query) for every SERVICE smuggling variant aimed at `target_url` (and its other spellings)."""
    return [(case.name, case.query) for case in service_cases(target_url)]


def _escape_iri(url: str) -> str:
    """The IRI with the letters after its scheme written as codepoint escapes (an IRI may hold them)."""
    scheme, _, rest = url.partition("//")
    return scheme + "//" + "".join(f"\\u{ord(c):04X}" if c.isalpha() else c for c in rest)


def _within(body: str) -> str:
    return "SELECT * WHERE { ?s ?p ?o " + body + " }"


NESTING = {
    # bracket nesting
    "group-nesting": lambda n: "SELECT * WHERE " + "{" * n + "?s ?p ?o" + "}" * n,
    "paren-nesting": lambda n: _within("FILTER(" + "(" * n + "true" + ")" * n + ")"),
    "call-nesting": lambda n: _within("FILTER(" + "STR(" * n + "?o" + ")" * n + ")"),
    "unary-minus-nesting": lambda n: _within("FILTER(" + "-(" * n + "1" + ")" * n + " = 1)"),
    "bnode-nesting": lambda n: _within(". ?s ?p " + "[ ?p " * n + "?o" + " ]" * n),
    "collection-nesting": lambda n: _within(". ?s ?p " + "(" * n + "1" + ")" * n),
    "exists-nesting": lambda n: _within("FILTER EXISTS { ?s ?p ?o " * n + "}" * n),
    "subselect-nesting": lambda n: "SELECT * WHERE " + "{ SELECT * WHERE " * n + "{ ?s ?p ?o }" + " }" * n,
    "path-nesting": lambda n: _within(". ?s " + "^(" * n + "<urn:p>" + ")*" * n + " ?o"),
    "hidden-in-iri-nesting": lambda n: _within("BIND(1 AS ?a) FILTER(?a<" + "(" * n + "1>0" + ")" * n + ")"),
    # unary and binary operator chains
    "not-chain": lambda n: _within("FILTER(" + "!" * n + "true)"),
    "plus-chain": lambda n: _within("BIND(1" + " + 1" * n + " AS ?x)"),
    "signed-number-chain": lambda n: _within("BIND(1" + " +1" * n + " AS ?x)"),
    "minus-chain": lambda n: _within("BIND(1" + " - 1" * n + " AS ?x)"),
    "times-chain": lambda n: _within("BIND(1" + " * 1" * n + " AS ?x)"),
    "divide-chain": lambda n: _within("BIND(1" + " / 1" * n + " AS ?x)"),
    "and-chain": lambda n: _within("FILTER(true" + " && true" * n + ")"),
    "or-chain": lambda n: _within("FILTER(false" + " || true" * n + ")"),
    # comparisons and IN do not chain on their own (`1 < 2 < 3` is not SPARQL); they do inside && and ||
    "in-chain": lambda n: _within("FILTER(1 IN (1)" + " || 1 IN (1)" * n + ")"),
    "comparison-chain": lambda n: _within("FILTER(1 < 2" + " && 1 >= 2 || 1 != 2" * n + ")"),
    "hidden-in-iri-chain": lambda n: _within("BIND(1 AS ?a) FILTER(?a<1" + "+1" * n + "&&?a>0)"),
    # property path chains
    "sequence-path-chain": lambda n: _within(". ?s <urn:p>" + "/<urn:p>" * n + " ?o"),
    "alternative-path-chain": lambda n: _within(". ?s <urn:p>" + "|<urn:p>" * n + " ?o"),
    "inverse-path-chain": lambda n: _within(". ?s <urn:p>" + "|^<urn:p>" * n + " ?o"),
    "modifier-path-chain": lambda n: _within(". ?s <urn:p>*" + "|<urn:p>+" * n + " ?o"),
    # graph pattern chains
    # graph pattern chains (empty groups where a pattern would only make pyoxigraph's optimiser slower)
    "union-chain": lambda n: "SELECT * WHERE { {?s ?p ?o}" + " UNION {?s ?p ?o}" * n + " }",
    "optional-chain": lambda n: _within(" OPTIONAL {}" * n),
    "minus-keyword-chain": lambda n: _within(" MINUS {?s ?p 1}" * n),
    "filter-chain": lambda n: _within(" FILTER(true)" * n),
    "bind-chain": lambda n: _within("".join(f" BIND(1 AS ?v{i})" for i in range(n))),
    "projection-chain": lambda n: "SELECT " + "".join(f"(1 AS ?v{i}) " for i in range(n)) + "WHERE { ?s ?p ?o }",
    "group-sequence": lambda n: "SELECT * WHERE {" + " {}" * n + " }",
    # triple patterns, joined one by one
    "object-list-chain": lambda n: "SELECT * WHERE { ?s ?p 1" + ",1" * n + " }",
    "predicate-list-chain": lambda n: "SELECT * WHERE { ?s ?p 1" + ";?p 1" * n + " }",
    "triple-chain": lambda n: "SELECT * WHERE { " + "?s ?p 1." * n + " }",
}
SLOW = frozenset({"sequence-path-chain", "object-list-chain", "predicate-list-chain", "triple-chain"})
"""Constructs that pyoxigraph 0.5.13's optimiser takes minutes over at the guard's cap (a 400-step path
takes 19 s, 100 objects 2.4 s): the workers' deadline stops them; they are not crashes."""

_RUN = r"""
import json, sys, pyoxigraph as ox
store = ox.Store()
store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
for line in sys.stdin:
    name, query = json.loads(line)
    try:
        result = store.query(query)
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass
        print(name, "ok", flush=True)
    except SyntaxError as err:
        print(name, "syntax", err, flush=True)
"""


def start_in_subprocess(queries: list[tuple[str, str]]) -> subprocess.Popen:
    """Start running (name, query) pairs one after another in a `python -c` process on a one-triple store.

    The process prints `<name> ok` (or `<name> syntax ...`) per query it finished; exit code -11 means
    pyoxigraph overflowed its stack.
    """
    process = subprocess.Popen([sys.executable, "-c", _RUN], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    process.stdin.write("".join(json.dumps([name, query]) + "\n" for name, query in queries))
    process.stdin.close()
    return process


def run_in_subprocess(queries: list[tuple[str, str]], *, timeout: float = 60) -> tuple[int, list[str]]:
    """Run (name, query) pairs in a fresh process; returns its exit code and one line per finished query.

    Raises subprocess.TimeoutExpired (after killing the process) when it runs past `timeout` seconds.
    """
    process = start_in_subprocess(queries)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    finally:
        output = process.stdout.read()
        process.stdout.close()
    return process.returncode, output.splitlines()


def _measure(name: str) -> dict:
    """Double the size until pyoxigraph crashes or takes 20 s, then bisect to about 5 %."""
    def crashes(n: int) -> bool | None:
        try:
            code, _ = run_in_subprocess([(name, NESTING[name](n))], timeout=20)
        except subprocess.TimeoutExpired:
            return None
        return code != 0

    ok, crash, n = 0, None, 500
    while n <= 64_000:
        outcome = crashes(n)
        if outcome is None:
            return {"construct": name, "ok_up_to": ok, "crash_at": None, "timeout_at": n}
        if outcome:
            crash = n
            break
        ok, n = n, n * 2
    while crash and crash - ok > max(50, ok // 20):
        middle = (ok + crash) // 2
        if crashes(middle):
            crash = middle
        else:
            ok = middle
    return {"construct": name, "ok_up_to": ok, "crash_at": crash}


if __name__ == "__main__":
    for construct in sys.argv[1:] or NESTING:
        print(json.dumps(_measure(construct)), flush=True)
