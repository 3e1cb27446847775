"""Named queries: self-describing `.rq` files in `queries/`, run with typed parameters.

Each file starts with a grlc-style header of `#+` comment lines::

    #+ summary: The works of one taxonomy category
    #+ description: Works whose category (asserted or inferred) is the given concept or one below it.
    #+ params:
    #+   - name: category
    #+     type: iri
    #+     default: cat:llm
    #+     description: a taxonomy concept

A parameter's `type` is `iri` or an XSD datatype (`xsd:integer`, `xsd:string`, `xsd:gYear`, ...).
Values arrive as text (CLI `--param k=v`, HTTP query string), are checked against the type and bound
as RDF terms through pyoxigraph's `substitutions=`; the query text is never edited.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import (
    Literal,
    NamedNode,
    QuerySolutions,
    Store,
    Variable,
)

from kg.errors import NotFound, ParameterError, QuerySyntaxError
from kg.iri import PREFIXES, compact, expand
from kg.settings import Settings

__all__ = [
    "QueryParameter",
    "NamedQuery",
    "ResultTable",
    "list_queries",
    "load_query",
    "parse_query_file",
    "bind_parameters",
    "run_query",
    "result_table",
    "format_table",
]

XSD = PREFIXES["xsd"]
IRI_TYPE = "iri"

# lexical forms accepted per datatype (XSD 1.1 lexical spaces, simplified to what the queries use)
_LEXICAL: dict[str, re.Pattern[str]] = {
    XSD + "string": re.compile(r".*", re.DOTALL),
    XSD + "integer": re.compile(r"[+-]?\d+"),
    XSD + "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    XSD + "boolean": re.compile(r"true|false|1|0"),
    XSD + "gYear": re.compile(r"-?\d{4,}"),
    XSD + "date": re.compile(r"-?\d{4,}-\d{2}-\d{2}"),
}
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
# a query name is its path under queries/ without .rq: "survey-table-2", "gaps/tool-matrix"
_NAME = re.compile(r"([a-z][a-z0-9]*(-[a-z0-9]+)*/)?[a-z][a-z0-9]*(-[a-z0-9]+)*")
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class QueryParameter:
    """One parameter of a named query: bound to the variable of the same name."""

    name: str
    type: str
    """`iri` or a full XSD datatype IRI."""
    default: str | None = None
    description: str = ""

    @property
    def type_label(self) -> str:
        return self.type if self.type == IRI_TYPE else "xsd:" + self.type.removeprefix(XSD)

    def term(self, value: str) -> NamedNode | Literal:
        """The RDF term for a textual value; ParameterError (naming the parameter) if it does not fit the type."""
        value = value.strip()
        if self.type == IRI_TYPE:
            iri = expand(value)
            if not _ABSOLUTE_IRI.fullmatch(iri):
                raise ParameterError(f"parameter {self.name!r}: {value!r} is not an IRI "
                                     f"(give a full IRI or a prefixed name such as cat:llm)")
            try:
                return NamedNode(iri)
            except ValueError as err:
                raise ParameterError(f"parameter {self.name!r}: {value!r} is not a valid IRI: {err}") from err
        if not _LEXICAL[self.type].fullmatch(value):
            raise ParameterError(f"parameter {self.name!r}: {value!r} is not a valid {self.type_label}")
        return Literal(value, datatype=NamedNode(self.type))


@dataclass(frozen=True)
class NamedQuery:
    """A query file and its header."""

    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    parameters: tuple[QueryParameter, ...] = field(default_factory=tuple)

    def parameter(self, name: str) -> QueryParameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(f"query {self.name!r} has no parameter {name!r} (its parameters: {known})")


@dataclass(frozen=True)
class ResultTable:
    """A SELECT result as rows of terms (None where a variable is unbound)."""

    variables: list[str]
    rows: list[list[NamedNode | Literal | None]]




def _datatype_iri(text: str, *, where: str) -> str:
    if text == IRI_TYPE:
        return IRI_TYPE
    full = expand(text)
    if full not in _LEXICAL:
        known = ", ".join(["iri"] + ["xsd:" + t.removeprefix(XSD) for t in _LEXICAL])
        raise QuerySyntaxError(f"{where}: unknown parameter type {text!r} (known: {known})")
    return full


def _header_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, text after '#+') for the `#+` lines of the leading comment block."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            return
        if stripped.startswith("#+"):
            yield number, stripped[2:].rstrip()


def parse_query_file(path: Path, *, query_name: str | None = None) -> NamedQuery:
    """Read a `.rq` file and its header.

    Raises QuerySyntaxError (with file and line) when the header is missing or malformed, a parameter's
    type or default is invalid, or a parameter names no variable of the query.
    """
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    raw_params: list[dict[str, str]] = []
    in_params = False
    for number, content in _header_lines(text):
        where = f"{path}:{number}"
        indented = len(content) - len(content.lstrip()) > 1  # deeper than "#+ key:"
        key_value = content.strip()
        if in_params and indented:
            if key_value.startswith("- "):
                raw_params.append({})
                key_value = key_value[2:].strip()
            if not raw_params:
                raise QuerySyntaxError(f"{where}: a parameter must start with '- name: ...'")
            key, sep, value = key_value.partition(":")
            if not sep:
                raise QuerySyntaxError(f"{where}: expected 'key: value' in the parameter list, got {key_value!r}")
            raw_params[-1][key.strip()] = value.strip()
            continue
        if indented and fields:  # a continuation line of the previous field (summary or description)
            last = next(reversed(fields))
            fields[last] = f"{fields[last]} {key_value}"
            continue
        key, sep, value = key_value.partition(":")
        if not sep:
            raise QuerySyntaxError(f"{where}: expected '#+ key: value', got {content!r}")
        key = key.strip()
        in_params = key == "params"
        if in_params:
            continue
        if key not in ("summary", "description"):
            raise QuerySyntaxError(f"{where}: unknown header field {key!r} (known: summary, description, params)")
        fields[key] = value.strip()
    if not fields.get("summary"):
        raise QuerySyntaxError(f"{path}:1: the query has no '#+ summary:' header line")
    parameters = []
    for raw in raw_params:
        where = f"{path}: parameter {raw.get('name', '?')!r}"
        name = raw.get("name", "")
        if not _PARAM_NAME.fullmatch(name):
            raise QuerySyntaxError(f"{where}: a parameter needs a name that is a SPARQL variable name")
        if not re.search(rf"[?$]{re.escape(name)}\b", text):
            raise QuerySyntaxError(f"{where}: the query uses no variable ?{name} to bind it to")
        unknown = set(raw) - {"name", "type", "default", "description"}
        if unknown:
            raise QuerySyntaxError(f"{where}: unknown fields {sorted(unknown)} (known: name, type, default, description)")
        parameter = QueryParameter(name=name, type=_datatype_iri(raw.get("type", "xsd:string"), where=where),
                                   default=raw.get("default") or None, description=raw.get("description", ""))
        if parameter.default is not None:
            try:
                parameter.term(parameter.default)
            except ParameterError as err:
                raise QuerySyntaxError(f"{where}: bad default: {err}") from err
        parameters.append(parameter)
    return NamedQuery(name=query_name or path.stem, path=path, text=text, summary=fields["summary"],
                      description=fields.get("description", ""), parameters=tuple(parameters))


def _query_files(folder: Path) -> dict[str, Path]:
    """name -> file for `queries/*.rq` and `queries/<topic>/*.rq`; the QC rules in `qc/` are not named queries."""
    files = sorted(folder.glob("*.rq")) + sorted(p for p in folder.glob("*/*.rq") if p.parent.name != "qc")
    return {path.relative_to(folder).with_suffix("").as_posix(): path for path in files}


def list_queries(settings: Settings) -> list[NamedQuery]:
    """Every named query in `settings.queries_dir` and its topic folders (not the `qc/` rules), by name.

    Raises QuerySyntaxError if a file's header is malformed.
    """
    files = _query_files(Path(settings.queries_dir))  # type: ignore[arg-type]
    return [parse_query_file(path, query_name=name) for name, path in sorted(files.items())]


def load_query(settings: Settings, name: str) -> NamedQuery:
    """The named query `name` (file name without `.rq`).

    Raises NotFound if there is no such query (or the name is not a plain query name).
    """
    files = _query_files(Path(settings.queries_dir))  # type: ignore[arg-type]
    if not _NAME.fullmatch(name) or name not in files:
        raise NotFound(f"no named query {name!r}; known queries: {', '.join(sorted(files))}")
    return parse_query_file(files[name], query_name=name)


def bind_parameters(query: NamedQuery, params: Mapping[str, str]) -> dict[Variable, NamedNode | Literal]:
    """The substitutions for a query: each given value typed, each absent one its default.

    Raises ParameterError naming the parameter when one is unknown, ill-typed, or missing without default.
    """
    for name in params:
        query.parameter(name)
    bound: dict[Variable, NamedNode | Literal] = {}
    for parameter in query.parameters:
        value = params.get(parameter.name, parameter.default)
        if value is None:
            raise ParameterError(f"query {query.name!r} needs parameter {parameter.name!r} "
                                 f"({parameter.type_label}): {parameter.description}")
        bound[Variable(parameter.name)] = parameter.term(value)
    return bound


def run_query(*, store: Store, query: NamedQuery, params: Mapping[str, str] | None = None) -> QuerySolutions:
    """Run a named query on the store (default graph = union of the named graphs).

    Returns pyoxigraph's result (QuerySolutions for SELECT). Raises ParameterError for bad parameters,
    QuerySyntaxError (naming the file) if the query does not parse.
    """
    substitutions = bind_parameters(query, params or {})
    try:
        return store.query(query.text, use_default_graph_as_union=True, substitutions=substitutions)
    except SyntaxError as err:
        raise QuerySyntaxError(f"{query.path}: {err}") from err


def result_table(solutions: QuerySolutions) -> ResultTable:
    """Read a SELECT result into memory."""
    variables = [variable.value for variable in solutions.variables]
    return ResultTable(variables=variables, rows=[[solution[v] for v in variables] for solution in solutions])


def _display(term: NamedNode | Literal | None, *, compacted: bool) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return compact(term.value) if compacted else term.value
    return term.value


def format_table(table: ResultTable, *, fmt: str) -> str:
    """Text for the CLI: `table` (aligned columns), `md` (Markdown), `csv`, `json` (SPARQL results JSON)."""
    if fmt == "json":
        return _sparql_json(table)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.variables)
        writer.writerows([[_display(term, compacted=False) for term in row] for row in table.rows])
        return out.getvalue()
    cells = [[_display(term, compacted=True) for term in row] for row in table.rows]
    if fmt == "md":
        def md_row(values: list[str]) -> str:
            return "| " + " | ".join(v.replace("|", "\\|").replace("\n", " ") for v in values) + " |"
        lines = [md_row(table.variables), "|" + "|".join("---" for _ in table.variables) + "|"]
        return "\n".join(lines + [md_row(row) for row in cells]) + "\n"
    widths = [max([len(v)] + [len(row[i]) for row in cells]) for i, v in enumerate(table.variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(table.variables, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _sparql_json(table: ResultTable) -> str:
    def binding(term: NamedNode | Literal) -> dict[str, str]:
        if isinstance(term, NamedNode):
            return {"type": "uri", "value": term.value}
        entry = {"type": "literal", "value": term.value}
        if term.language:
            entry["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            entry["datatype"] = term.datatype.value
        return entry

    bindings = [{v: binding(t) for v, t in zip(table.variables, row) if t is not None} for row in table.rows]
    return json.dumps({"head": {"vars": table.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1) + "\n"
