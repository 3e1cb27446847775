"""The `kg` command line: thin commands (`kg.cli.commands`) over library functions.

Errors are translated to exit codes and messages once, here (`_exit_code`):

    exit  raised                                   stderr
    0     -                                        at most a one-line summary
    1     ValidationFailed                         the report, then `kg CMD: the data does not conform ...`
    2     KgError (StoreMissing, StoreStale, ...)  `kg CMD: <message>`
    2     pydantic ValidationError (Settings)      `kg CMD: KG_PORT: input should be a valid integer ...`
    2     OSError                                  `kg CMD: <what>: <file>`
    2     any other exception (a bug)              `kg CMD: unexpected error ...` (traceback with --debug)
    0     BrokenPipeError on stdout (`| head`)     nothing (the reader had what it wanted)
    130   KeyboardInterrupt (Ctrl-C)               `kg CMD: interrupted`

`kg validate` itself returns 1 when it finds violations. With `--debug` the traceback is printed before
the message; the exit code is the same.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

from pydantic import ValidationError as SettingsError

from kg.cli.parser import build_parser
from kg.cli.progress import Progress
from kg.errors import KgError, ValidationFailed
from kg.interrupts import record_interrupts
from kg.settings import Settings

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_NONCONFORMING, EXIT_COULD_NOT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_BROKEN_PIPE = 0  # the reader took what it wanted (`| head`): nothing failed


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    progress = Progress(args.command)
    record_interrupts()
    try:
        from kg.cli.commands import COMMANDS

        code = COMMANDS[args.command](Settings(), args, progress)
        sys.stdout.flush()  # inside the boundary: a closed pipe is seen here, not at interpreter exit
        return code
    except (Exception, KeyboardInterrupt) as err:  # the one boundary
        progress.clear()
        code, message = _exit_code(err)
        if args.debug and code != EXIT_BROKEN_PIPE:
            traceback.print_exception(err)
        if message:
            print(f"kg {args.command}: {message}", file=sys.stderr)
        return code


def _exit_code(err: BaseException) -> tuple[int, str | None]:
    """The exit code and the one-line message for an error that ended a command."""
    if isinstance(err, BrokenPipeError):
        _silence_stdout()
        return EXIT_BROKEN_PIPE, None
    if isinstance(err, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(err, ValidationFailed):
        print(err, file=sys.stderr)
        count = len(getattr(err.report, "violations", ()))
        return EXIT_NONCONFORMING, (f"the data does not conform ({count} violation(s), listed above); "
                                    "fix the files named there (`kg validate` shows the same report)")
    if isinstance(err, KgError):
        return EXIT_COULD_NOT_RUN, str(err)
    if isinstance(err, SettingsError):
        return EXIT_COULD_NOT_RUN, _settings_message(err)
    if isinstance(err, OSError):
        return EXIT_COULD_NOT_RUN, _os_message(err)
    return EXIT_COULD_NOT_RUN, (f"unexpected error: {type(err).__name__}: {err} "
                                "(a bug; run again with --debug for the traceback and report it)")


def _settings_message(err: SettingsError) -> str:
    """`KG_PORT: input should be a valid integer ... (got 'abc')`, one per bad variable, on one line."""
    problems = []
    for problem in err.errors(include_url=False):
        variable = "KG_" + "_".join(str(part) for part in problem["loc"]).upper()
        text = problem["msg"][:1].lower() + problem["msg"][1:]
        problems.append(f"{variable}: {text} (got {problem.get('input')!r})")
    return "; ".join(problems) + "; fix the environment variable"


def _os_message(err: OSError) -> str:
    if err.filename is not None:
        return f"{err.strerror or err}: {err.filename}"
    text = str(err)
    if "lock" in text.lower():  # RocksDB refusing a second writer
        return f"{text} (another process has the store open for writing; wait for it or stop it)"
    return text


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush does not fail on the closed pipe
    (as the Python documentation on SIGPIPE recommends)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
