"""The one place where error kinds become HTTP statuses. Bodies are plain text, never traces; a browser
(preferring text/html) gets the same message in the site's error page, escaped by the template."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from kg.api.negotiation import NotAcceptable, negotiate
from kg.api.rendering import render
from kg.errors import (
    InputError,
    KgError,
    NotFound,
    QueryCrashed,
    QueryRejected,
    QueryTimeout,
    QueryTooCostly,
    RequestTooLarge,
    TooManyQueries,
    ValidationFailed,
)
from kg.formats import HTML, TEXT

__all__ = ["install_error_handlers", "status_for", "plain_error", "error_response", "CatchUnexpected"]

_log = logging.getLogger("kg.api")

_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (NotAcceptable, 406),
    (QueryTimeout, 503),
    (QueryTooCostly, 503),
    (TooManyQueries, 429),
    (QueryCrashed, 500),
    (NotFound, 404),
    (RequestTooLarge, 413),
    (ValidationFailed, 422),
    (QueryRejected, 400),
    (InputError, 400),
    (KgError, 500),
)


def status_for(error: BaseException) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


def plain_error(status: int, message: str, *, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


def error_response(request: Request, status: int, message: str, *,
                   headers: dict[str, str] | None = None) -> Response:
    """Plain text, or the HTML error page when the client prefers HTML (a browser)."""
    try:
        browser = negotiate(request.headers.get("accept"), (TEXT, HTML)) is HTML
    except NotAcceptable:
        browser = False
    if not browser:
        return plain_error(status, message, headers=headers)
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    page = render("error.html", base=request.app.state.settings.base_iri, title=f"{status} {reason}",
                  status=status, reason=reason, message=message)
    return HTMLResponse(page, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    async def on_known(request: Request, error: Exception) -> Response:
        return error_response(request, status_for(error), str(error))

    async def on_http(request: Request, error: StarletteHTTPException) -> Response:
        # detail strings are ours (never echo the request), so they are safe to send
        return error_response(request, error.status_code, str(error.detail), headers=getattr(error, "headers", None))

    async def on_validation(request: Request, error: RequestValidationError) -> Response:
        return error_response(request, 400, "bad request parameters")

    app.add_exception_handler(KgError, on_known)
    app.add_exception_handler(NotAcceptable, on_known)
    # Starlette types every handler as taking Exception; each of these receives only its own class
    app.add_exception_handler(StarletteHTTPException, on_http)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation)  # type: ignore[arg-type]
    app.add_middleware(CatchUnexpected)


class CatchUnexpected:
    """Turn a bug into a plain 500 for that request only, keeping the connection usable.

    (Starlette's own handler for `Exception` re-raises after answering, which makes uvicorn drop the
    keep-alive connection.)
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            _log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await plain_error(500, "internal server error")(scope, receive, send)
