"""The one place where error kinds become HTTP statuses. Bodies are plain text, never markup or traces."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import PlainTextResponse

from kg.api.negotiation import NotAcceptable
from kg.errors import (
    InputError, KgError, NotFound, QueryCrashed, QueryRejected, QueryTimeout, QueryTooCostly, RequestTooLarge,
    TooManyQueries, ValidationFailed,
)

__all__ = ["install_error_handlers", "status_for", "plain_error", "CatchUnexpected"]

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


def install_error_handlers(app: FastAPI) -> None:
    async def on_known(request: Request, error: Exception) -> PlainTextResponse:
        return plain_error(status_for(error), str(error))

    async def on_http(request: Request, error: StarletteHTTPException) -> PlainTextResponse:
        # detail strings are ours (never echo the request), so they are safe to send
        return plain_error(error.status_code, str(error.detail), headers=getattr(error, "headers", None))

    async def on_validation(request: Request, error: RequestValidationError) -> PlainTextResponse:
        return plain_error(400, "bad request parameters")

    app.add_exception_handler(KgError, on_known)
    app.add_exception_handler(NotAcceptable, on_known)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
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
