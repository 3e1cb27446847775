"""The exceptions of duality-kg. Each carries where the problem is and what to do about it.

    KgError                       base class; `str(err)` is a message a user can act on
    ├── InputError                bad input: a file, a query or a parameter (HTTP 4xx, CLI exit 2)
    │   ├── TurtleSyntaxError     a Turtle file does not parse (file, line, column)
    │   ├── QuerySyntaxError      a SPARQL query does not parse
    │   ├── QueryRejected         a query is refused by a guard (update, SERVICE, too deep, too long)
    │   ├── ParameterError        a named-query parameter is missing or has the wrong type
    │   ├── RequestTooLarge       an HTTP request body over the configured cap (HTTP 413)
    │   └── EditionError          an earlier edition of the list or the sheets cannot be read (names its file)
    ├── ValidationFailed          the data does not conform (carries the report; CLI exit 1)
    ├── InconsistentOntology      the reasoner found the ontology + data inconsistent
    ├── QueryTimeout              a query ran past its deadline and was stopped
    ├── QueryTooCostly            a query needed more memory than a worker may use (HTTP 503)
    ├── TooManyQueries            a client has too many queries running or queued (HTTP 429)
    ├── SandboxUnavailable        query workers cannot be confined on this host (the server does not start)
    ├── QueryCrashed              the worker process running a query died (HTTP 500 for that query only)
    ├── NotFound                  a named query, paper or resource does not exist
    ├── SourceMissing             the sources folder (../shared) is absent
    └── StoreError                the built store cannot be used as asked (CLI exit 2)
        ├── StoreMissing          nothing has been built yet: run `kg build`
        ├── StoreStale            the store was built from other inputs than the files hold now
        └── StoreBusy             another process is building or writing the store
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "KgError",
    "InputError",
    "TurtleSyntaxError",
    "QuerySyntaxError",
    "QueryRejected",
    "ParameterError",
    "RequestTooLarge",
    "EditionError",
    "ValidationFailed",
    "InconsistentOntology",
    "QueryTimeout",
    "QueryTooCostly",
    "TooManyQueries",
    "SandboxUnavailable",
    "QueryCrashed",
    "NotFound",
    "SourceMissing",
    "StoreError",
    "StoreMissing",
    "StoreStale",
    "StoreBusy",
]


class KgError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(KgError):
    """Bad input from a user: a file, a query or a parameter."""


class TurtleSyntaxError(InputError):
    def __init__(self, path: Path | str, line: int | None, column: int | None, detail: str):
        self.path, self.line, self.column, self.detail = Path(path), line, column, detail
        where = f"{path}" + (f":{line}" if line else "") + (f":{column}" if column else "")
        super().__init__(f"{where}: Turtle syntax error: {detail}")


class QuerySyntaxError(InputError):
    """A SPARQL query that does not parse."""


class QueryRejected(InputError):
    """A query refused by a guard before it reaches the store."""


class ParameterError(InputError):
    """A named-query parameter that is missing, unknown or of the wrong type."""


class RequestTooLarge(InputError):
    """An HTTP request body larger than `Settings.max_body_bytes`."""


class EditionError(InputError):
    """An edition (survey-repo/history/) that cannot be read or parsed; `path` is its file, which the
    message names."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        super().__init__(message if str(path) in message else f"{path}: {message}")


class ValidationFailed(KgError):
    def __init__(self, report: object):
        self.report = report
        super().__init__(str(report))


class InconsistentOntology(KgError):
    """The reasoner found ontology + data inconsistent; the message names individuals and axioms."""


class QueryTimeout(KgError):
    """A query ran past its deadline; it was stopped."""


class QueryTooCostly(KgError):
    """A query needed more memory than a worker may use; it was stopped and the worker replaced."""


class TooManyQueries(KgError):
    """A client already has its share of the query workers busy and its queue full."""


class SandboxUnavailable(KgError):
    """The query workers could not be cut off from the network; the message says what the host lacks."""


class QueryCrashed(KgError):
    """The worker process running a query died; it was replaced, other queries are unaffected."""


class NotFound(KgError):
    """A named query, paper or other resource that does not exist."""


class SourceMissing(KgError):
    """The sources folder is absent; say where it was looked for."""


class StoreError(KgError):
    """The built store cannot be used as asked; the message says which command fixes it."""


class StoreMissing(StoreError):
    """No store has been built yet."""


class StoreStale(StoreError):
    """The store was built from other inputs than the project's files hold now."""


class StoreBusy(StoreError):
    """Another process holds the writer lock (a build or a write is running)."""
