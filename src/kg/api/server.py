"""Serve the app with uvicorn under the HTTP limits; the app follows the published store as writes and
builds replace it (`kg serve` builds first, in kg.cli)."""

from __future__ import annotations

import uvicorn

from kg.api.app import create_app
from kg.api.http_limits import limited_protocol
from kg.settings import Settings

__all__ = ["serve", "uvicorn_config"]


def uvicorn_config(app, settings: Settings, **options) -> uvicorn.Config:
    """The uvicorn configuration serving `app` on settings.host/port with the HTTP limits of `settings`
    (max_header_bytes, read_timeout_s); `options` go to uvicorn.Config (log_level, lifespan...)."""
    protocol = limited_protocol(max_header_bytes=settings.max_header_bytes, read_timeout_s=settings.read_timeout_s)
    return uvicorn.Config(app, host=settings.host, port=settings.port, http=protocol, **options)


def serve(settings: Settings) -> None:
    """Serve the current published store (kg.store) on settings.host/port until stopped.

    Raises StoreMissing when nothing has been built; SystemExit when uvicorn cannot bind or start.
    """
    from kg.edits import remove_leftovers

    remove_leftovers(settings)  # what killed servers left behind
    app = create_app(settings)
    uvicorn.Server(uvicorn_config(app, settings, log_level="info")).run()
