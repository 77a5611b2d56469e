"""The ``wfm`` command line: a thin layer over the library.

Each subcommand lives in its own module of this package and exposes
``register(subparsers)``, which adds an :mod:`argparse` parser whose
``func`` default takes the parsed namespace and returns an exit code.
Errors derived from :class:`wfm.errors.WFMError` (and file errors) are printed
as one line on standard error (at most ``MESSAGE_LIMIT`` characters) with
exit code 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from wfm import __version__
from wfm.errors import WFMError

__all__ = ["MESSAGE_LIMIT", "build_parser", "main"]

#: Longest error line printed; a longer message is cut (its start names the field).
MESSAGE_LIMIT = 300

#: Subcommand modules, in the order of the pipeline.
COMMANDS: tuple[str, ...] = (
    "erlang",
    "requirements",
    "forecast",
    "roster",
    "reroster",
    "allotment",
    "intraday",
    "simulate",
    "actuals",
    "report",
    "sweep",
    "batch",
    "bench",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="wfm",
        description=(
            "Contact-centre workforce management: forecast call volume, turn it into "
            "staffing requirements with Erlang C/A, and build a weekly roster with CP-SAT."
        ),
    )
    parser.add_argument("--version", action="version", version=f"wfm {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"wfm.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        code: int = args.func(args)
    except WFMError as exc:
        _error(args.command, exc)
        return 2
    except BrokenPipeError:
        # the reader of our output went away (e.g. `wfm ... | head`): not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (OSError, UnicodeDecodeError) as exc:  # unreadable or unwritable files
        _error(args.command, exc)
        return 2
    except KeyboardInterrupt:
        print(f"wfm {args.command}: interrupted", file=sys.stderr)
        return 130
    return code


def _error(command: str, exc: BaseException) -> None:
    """Print ``exc`` as one bounded line: whitespace (newlines too) collapsed, long text cut."""
    text = " ".join(str(exc).split())
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 3] + "..."
    print(f"wfm {command}: error: {text}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
