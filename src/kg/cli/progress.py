"""Progress of long steps on stderr: one line rewritten in place on a terminal, silence when piped.

On a terminal each `step` replaces the line (`\\r` + erase) with the step and the seconds elapsed; `done`
ends it with a summary line. When stderr is not a terminal (a pipe, a log file) only the summary is
written, so logs and scripts see one line per command, not a stream of updates.
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

__all__ = ["Progress"]

_ERASE_LINE = "\r\x1b[K"


class Progress:
    """Progress of the command `kg <command>` on `stream` (default stderr)."""

    def __init__(self, command: str, *, stream: TextIO | None = None, live: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.prefix = f"kg {command}: "
        self.live = self.stream.isatty() if live is None else live
        self.started = time.monotonic()
        self.last = ""
        self._shown = False

    def step(self, message: str) -> None:
        """Show what is happening now (a terminal only); the last message is kept for the summary."""
        self.last = message
        if self.live:
            line = f"{self.prefix}{message} [{time.monotonic() - self.started:.0f} s]"
            # a line wider than the terminal would wrap, and `\r` would then rewrite only its last part
            width = shutil.get_terminal_size().columns - 1
            if len(line) > width:
                line = line[:width - 1] + "…"
            self.stream.write(f"{_ERASE_LINE}{line}")
            self.stream.flush()
            self._shown = True

    def clear(self) -> None:
        """Remove the progress line, so that what follows (an error message) starts on a clean line."""
        if self._shown:
            self.stream.write(_ERASE_LINE)
            self.stream.flush()
            self._shown = False

    def done(self, summary: str) -> None:
        """End with a one-line summary, on a terminal and when piped alike."""
        self.clear()
        self.stream.write(f"{self.prefix}{summary}\n")
        self.stream.flush()
