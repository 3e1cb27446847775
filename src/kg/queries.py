"""Named queries: self-describing `.rq` files in `queries/`, run with typed parameters.

Each file starts with a header of `#+` comment lines; with the `#+ ` taken off, the header is YAML
(a mapping checked against `QueryHeader`: `summary`, `description`, `params`)::

    #+ summary: The works of one taxonomy category
    #+ description: >-
    #+   Works whose category (asserted or inferred) is the given concept or one below it.
    #+ params:
    #+   - name: category
    #+     type: iri
    #+     default: cat:llm
    #+     description: a taxonomy concept

A parameter's `type` is `iri` or an XSD datatype (`xsd:integer`, `xsd:string`, `xsd:gYear`, ...).
Values arrive as text (CLI `--param k=v`, HTTP query string), are checked against the type and bound
as RDF terms through pyoxigraph's `substitutions=`; the query text is never edited. A header that is
not YAML, has an unknown key or a value of the wrong kind is a QuerySyntaxError naming file and line.

Every query of the package runs through `project_query`: default graph = `kg.iri.DEFAULT_GRAPHS` (the
merge of graph:ontology, graph:data and graph:inferred: works, not their source records), the project's
prefixes predeclared. Records, views, editions and releases are reached with `GRAPH <...> { }`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    Store,
    Triple,
    Variable,
    parse_query_results,
)

from kg.errors import NotFound, ParameterError, QuerySyntaxError
from kg.iri import DEFAULT_GRAPHS, PREFIXES, compact, expand
from kg.settings import Settings

__all__ = [
    "QueryHeader",
    "ParameterSpec",
    "QueryParameter",
    "NamedQuery",
    "ResultTable",
    "list_queries",
    "load_query",
    "parse_query_file",
    "bind_parameters",
    "project_query",
    "names_dataset",
    "run_query",
    "result_table",
    "plain_value",
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

Term = NamedNode | BlankNode | Literal | Triple
_DEFAULT_GRAPH_NODES: list[NamedNode | BlankNode | DefaultGraph] = [NamedNode(g) for g in DEFAULT_GRAPHS]
# FROM / FROM NAMED in the query: its own dataset then (a default_graph= option would override it)
_NAMES_DATASET = re.compile(r"\bFROM\s+(NAMED\s+)?(<|[A-Za-z][\w.-]*:|:)", re.IGNORECASE)


def names_dataset(text: str) -> bool:
    """Whether the query text states its own dataset (FROM / FROM NAMED), comments ignored.

    >>> names_dataset("SELECT * FROM <https://w3id.org/duality-kg/graph/records> WHERE { ?s ?p ?o }")
    True
    >>> names_dataset("# from <x>\\nSELECT * WHERE { ?s ?p ?o }")
    False
    """
    return bool(_NAMES_DATASET.search(re.sub(r"(?m)(^|\s)#[^\n]*", r"\1", text)))


def project_query(store: Store, text: str, *, substitutions: Mapping[Variable, Term] | None = None,
                source: str | Path | None = None) -> QuerySolutions | QueryBoolean | QueryTriples:
    """Run a read query with the project's default graph (`DEFAULT_GRAPHS`: ontology, data, inferred) and
    prefixes; `GRAPH ?g` reaches every named graph (records, views ...); a query with FROM / FROM NAMED
    gets the dataset it names.

    `source` (a file name) is named in the error. Raises QuerySyntaxError when the query does not parse.

    >>> from pyoxigraph import Quad
    >>> store = Store()
    >>> store.add(Quad(NamedNode(PREFIXES["paper"] + "p1"), NamedNode(PREFIXES["dcterms"] + "title"),
    ...                Literal("A title"), NamedNode(PREFIXES["graph"] + "data")))
    >>> [row["t"].value for row in project_query(store, "SELECT ?t WHERE { paper:p1 dcterms:title ?t }")]
    ['A title']
    >>> store.add(Quad(NamedNode(PREFIXES["paper"] + "p1#ref-1"), NamedNode(PREFIXES["dcterms"] + "title"),
    ...                Literal("As listed"), NamedNode(PREFIXES["graph"] + "records")))
    >>> [row["t"].value for row in project_query(store, "SELECT ?t WHERE { ?r dcterms:title ?t }")]
    ['A title']
    """
    try:
        default_graph = None if names_dataset(text) else _DEFAULT_GRAPH_NODES
        return store.query(text, prefixes=PREFIXES, default_graph=default_graph,
                           substitutions=dict(substitutions) if substitutions else None)
    except SyntaxError as err:
        raise QuerySyntaxError(f"{source or 'query'}: SPARQL syntax error: {err}") from None


def project_select(store: Store, text: str, *, substitutions: Mapping[Variable, Term] | None = None,
                 source: str | Path | None = None) -> QuerySolutions:
    """`project_query` for a SELECT query: its solutions. Raises QuerySyntaxError for another query form."""
    result = project_query(store, text, substitutions=substitutions, source=source)
    if not isinstance(result, QuerySolutions):
        raise QuerySyntaxError(f"{source or 'query'}: a SELECT query was expected")
    return result


def _datatype_iri(text: str) -> str:
    if text == IRI_TYPE:
        return IRI_TYPE
    full = expand(text)
    if full not in _LEXICAL:
        known = ", ".join(["iri"] + ["xsd:" + t.removeprefix(XSD) for t in _LEXICAL])
        raise ValueError(f"unknown parameter type {text!r} (known: {known})")
    return full


def _scalar_text(value: Any) -> Any:
    """YAML reads `default: 2023` as a number and `true` as a boolean; parameters take text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


class ParameterSpec(BaseModel):
    """One entry of `#+ params:` as written in the header."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="the SPARQL variable it binds")
    type: str = Field(default="xsd:string", validate_default=True,
                      description="`iri` or an XSD datatype such as xsd:integer")
    default: str | None = None
    description: str = ""

    @field_validator("default", "description", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return _scalar_text(value)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        return _datatype_iri(value)


class QueryHeader(BaseModel):
    """The YAML header of a named query (the `#+` lines)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    summary: str = Field(min_length=1, description="one line: what the query answers")
    description: str = ""
    params: list[ParameterSpec] = Field(default_factory=list)

    @field_validator("summary")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value.strip():
            raise ValueError("the summary must be one line (put the details in description)")
        return value.strip()


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


def _header_block(text: str) -> tuple[str, list[int]]:
    """The YAML text of the leading `#+` lines (prefix `#+` and one space removed) and each line's file line."""
    lines, numbers = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        if stripped.startswith("#+"):
            content = stripped[2:]
            lines.append(content[1:] if content.startswith(" ") else content)
            numbers.append(number)
    return "\n".join(lines) + "\n", numbers


def _node_line(node: yaml.Node | None, location: tuple[int | str, ...]) -> int | None:
    """The 0-based header line of the YAML node at a pydantic error location (None if not found)."""
    line = node.start_mark.line if node is not None else None
    for step in location:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == step), None)
            if match is None:
                return line
            node, line = match[1], match[0].start_mark.line
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line
        else:
            return line
    return line


def _read_header(path: Path, block: str, numbers: list[int]) -> QueryHeader:
    def file_line(header_line: int | None) -> int:
        if not numbers:
            return 1
        return numbers[min(max(header_line or 0, 0), len(numbers) - 1)]

    if not numbers:
        raise QuerySyntaxError(f"{path}:1: the query has no '#+ summary:' header line")
    try:
        node = yaml.compose(block, Loader=yaml.SafeLoader)
        data = yaml.safe_load(block)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise QuerySyntaxError(f"{path}:{file_line(mark.line if mark else None)}: the '#+' header is not valid "
                               f"YAML: {err.problem or err}") from None
    if not isinstance(data, dict):
        raise QuerySyntaxError(f"{path}:{file_line(0)}: the '#+' header must be a YAML mapping "
                               f"(summary, description, params), got {type(data).__name__}")
    if "summary" not in data:
        raise QuerySyntaxError(f"{path}:{file_line(0)}: the query has no '#+ summary:' header line")
    try:
        return QueryHeader.model_validate(data)
    except ValidationError as err:
        problems = []
        for error in err.errors():
            location = tuple(error["loc"])
            message = f"{'.'.join(str(step) for step in location)}: {error['msg'].removeprefix('Value error, ')}"
            if error["type"] == "extra_forbidden":
                known = "name, type, default, description" if len(location) > 1 else "summary, description, params"
                within = "".join(f"{step}." for step in location[:-1])
                message = (f"unknown header field {location[-1]!r}" + (f" in {within[:-1]}" if within else "")
                           + f" (known: {known})")
            problems.append(f"{path}:{file_line(_node_line(node, location))}: {message}")
        raise QuerySyntaxError("; ".join(problems)) from None


def parse_query_file(path: Path, *, query_name: str | None = None) -> NamedQuery:
    """Read a `.rq` file and its YAML header.

    Raises QuerySyntaxError (with file and line) when the header is missing, is not YAML, has an unknown
    key or a value of the wrong kind, a parameter's type or default is invalid, or a parameter names no
    variable of the query.
    """
    text = path.read_text(encoding="utf-8")
    block, numbers = _header_block(text)
    header = _read_header(path, block, numbers)
    sparql = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    parameters = []
    for spec in header.params:
        where = f"{path}:{numbers[0]}: parameter {spec.name!r}"
        if not re.search(rf"[?$]{re.escape(spec.name)}\b", sparql):
            raise QuerySyntaxError(f"{where}: the query uses no variable ?{spec.name} to bind it to")
        parameter = QueryParameter(name=spec.name, type=spec.type, default=spec.default, description=spec.description)
        if parameter.default is not None:
            try:
                parameter.term(parameter.default)
            except ParameterError as err:
                raise QuerySyntaxError(f"{where}: bad default: {err}") from err
        parameters.append(parameter)
    return NamedQuery(name=query_name or path.stem, path=path, text=text, summary=header.summary,
                      description=header.description, parameters=tuple(parameters))


def _query_files(folder: Path) -> dict[str, Path]:
    """name -> file for `queries/*.rq` and `queries/<topic>/*.rq`; the QC rules in `qc/` are not named queries."""
    files = sorted(folder.glob("*.rq")) + sorted(p for p in folder.glob("*/*.rq") if p.parent.name != "qc")
    return {path.relative_to(folder).with_suffix("").as_posix(): path for path in files}


def list_queries(settings: Settings) -> list[NamedQuery]:
    """Every named query in `settings.queries_dir` and its topic folders (not the `qc/` rules), by name.

    Raises QuerySyntaxError if a file's header is malformed.
    """
    files = _query_files(Path(settings.queries_dir))
    return [parse_query_file(path, query_name=name) for name, path in sorted(files.items())]


def load_query(settings: Settings, name: str) -> NamedQuery:
    """The named query `name` (file name without `.rq`).

    Raises NotFound if there is no such query (or the name is not a plain query name).
    """
    files = _query_files(Path(settings.queries_dir))
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


def run_query(*, store: Store, query: NamedQuery,
              params: Mapping[str, str] | None = None) -> QuerySolutions | QueryBoolean | QueryTriples:
    """Run a named query on the store (default graph = `DEFAULT_GRAPHS`).

    Returns pyoxigraph's result (QuerySolutions for SELECT). Raises ParameterError for bad parameters,
    QuerySyntaxError (naming the file) if the query does not parse.
    """
    return project_query(store, query.text, substitutions=bind_parameters(query, params or {}), source=query.path)


def result_table(solutions: QuerySolutions) -> ResultTable:
    """Read a SELECT result into memory."""
    variables = [variable.value for variable in solutions.variables]
    return ResultTable(variables=variables, rows=[[solution[v] for v in variables] for solution in solutions])


def tsv_table(body: bytes) -> ResultTable:
    """A SELECT result serialized as TSV (what the query workers return) read into memory."""
    solutions = parse_query_results(body, format=QueryResultsFormat.TSV)
    if not isinstance(solutions, QuerySolutions):
        raise QuerySyntaxError("a SELECT query was expected")
    return result_table(solutions)


def plain_value(term: NamedNode | Literal | BlankNode | None) -> str | int | bool | None:
    """A term as a JSON-ready value: integers and booleans as such, IRIs and other literals as text.

    >>> plain_value(Literal("3", datatype=NamedNode(XSD + "integer"))), plain_value(NamedNode("https://e.org/a"))
    (3, 'https://e.org/a')
    """
    if term is None:
        return None
    if isinstance(term, Literal):
        datatype = term.datatype.value.removeprefix(XSD)
        if datatype in ("integer", "int", "long", "short", "nonNegativeInteger"):
            return int(term.value)
        if datatype == "boolean":
            return term.value in ("true", "1")
    return term.value


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
