"""Ctrl-C that cannot be lost. CPython runs the SIGINT handler wherever the main thread is; when that is a
finaliser (a weakref callback during `gc.collect()`, a `__del__`), the KeyboardInterrupt it raises is
printed as "Exception ignored" and the program goes on. `kg build` lost a Ctrl-C that way and published.
So the command line records the interrupt before raising it, and `kg.store.publish` refuses to publish
once one was recorded."""

from __future__ import annotations

import signal
import threading
from types import FrameType

__all__ = ["record_interrupts", "raise_if_interrupted"]

_interrupted = threading.Event()


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    _interrupted.set()
    raise KeyboardInterrupt


def record_interrupts() -> None:
    """Handle SIGINT as Python does (KeyboardInterrupt), and also remember it. Only the main thread may
    set a signal handler; elsewhere (a command run in a test's thread) this does nothing."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_interrupt)


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt if a Ctrl-C arrived, even one a finaliser swallowed."""
    if _interrupted.is_set():
        raise KeyboardInterrupt
