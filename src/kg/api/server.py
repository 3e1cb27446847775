"""`kg serve`: build (or reuse) the store, remove what killed servers left behind, then serve the app
with uvicorn; the app follows the published store as writes and builds replace it."""

from __future__ import annotations

import argparse

import uvicorn

from kg.api.app import create_app
from kg.settings import Settings

__all__ = ["command"]


def command(settings: Settings, args: argparse.Namespace) -> int:
    """Serve the endpoint on --host/--port (default: settings). Builds the store first.

    Raises ValidationFailed (the CLI prints the report and exits 1) when the data does not conform.
    """
    from kg.build import build

    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    from kg.edits import remove_leftovers

    build(settings, rebuild=args.rebuild)  # also after a crash: an edit newer than the store is built in
    remove_leftovers(settings)
    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0
