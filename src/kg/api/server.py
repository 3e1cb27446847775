"""`kg serve`: build (or reuse) the store, then serve the app with uvicorn under the HTTP limits."""

from __future__ import annotations

import argparse

import uvicorn

from kg.api.app import create_app
from kg.api.http_limits import limited_protocol
from kg.settings import Settings

__all__ = ["command", "uvicorn_config"]


def uvicorn_config(app, settings: Settings, **options) -> uvicorn.Config:
    """The uvicorn configuration serving `app` on settings.host/port with the HTTP limits of `settings`
    (max_header_bytes, read_timeout_s); `options` go to uvicorn.Config (log_level, lifespan...)."""
    protocol = limited_protocol(max_header_bytes=settings.max_header_bytes, read_timeout_s=settings.read_timeout_s)
    return uvicorn.Config(app, host=settings.host, port=settings.port, http=protocol, **options)


def command(settings: Settings, args: argparse.Namespace) -> int:
    """Serve the endpoint on --host/--port (default: settings). Builds the store first.

    Raises ValidationFailed (the CLI prints the report and exits 1) when the data does not conform.
    """
    from kg.build import build

    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    store = build(settings, rebuild=args.rebuild)
    app = create_app(settings, store=store)
    uvicorn.Server(uvicorn_config(app, settings, log_level="info")).run()
    return 0
