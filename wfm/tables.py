"""Reading the user's text files: one place where a file that cannot be read becomes one line.

Every CSV a user hands to ``wfm`` (history, forecast, requirements, agents,
call logs, written rosters) is opened here, so that an empty file, a file
that is not UTF-8 text, a binary file or a broken row gives the same kind of
one-line :class:`wfm.errors.DataError` naming the file, never a traceback or
a parser's multi-line report. YAML errors are shortened the same way by
:func:`yaml_error_text`.

Limits
------
``MAX_FILE_BYTES`` (2 GiB) is the largest file read; a bigger one is refused
before it is opened, so a wrong path to a disk image cannot fill memory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.errors import DataError

__all__ = ["MAX_FILE_BYTES", "first_line", "read_csv_file", "yaml_error_text"]

#: Largest input file read, in bytes.
MAX_FILE_BYTES = 2 * 1024**3


def first_line(text: str, *, limit: int = 160) -> str:
    """The first line of a library's error text, cut to ``limit`` characters."""
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader names a missing file itself
    if size > MAX_FILE_BYTES:
        raise DataError(
            str(path), f"{size:,} bytes", f"a file of at most {MAX_FILE_BYTES:,} bytes (2 GiB)"
        )


def read_csv_file(path: str | os.PathLike[str], *, what: str, **options: Any) -> pd.DataFrame:
    """Read a delimited text file with :func:`pandas.read_csv`, with one-line errors.

    Parameters
    ----------
    path
        The file. A UTF-8 byte-order mark is accepted.
    what
        What the file should be, in the user's words (``"a history CSV with a
        header row"``), used in the messages.
    **options
        Passed to :func:`pandas.read_csv` (``encoding`` defaults to UTF-8).

    Raises
    ------
    DataError
        If the file is empty, too big, not UTF-8 text or not parseable.
    """
    file = Path(path)
    _check_size(file)
    options.setdefault("encoding", "utf-8-sig")
    try:
        return pd.read_csv(file, **options)
    except pd.errors.EmptyDataError:
        raise DataError(str(file), "an empty file", what) from None
    except pd.errors.ParserError as exc:
        raise DataError(str(file), "unreadable rows", f"{what} ({first_line(str(exc))})") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            str(file),
            f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}, not UTF-8 text",
            f"{what}, saved as UTF-8 text",
        ) from None


def yaml_error_text(exc: BaseException) -> str:
    """A YAML parser's error as one line: what is wrong and where (line, column)."""
    problem = getattr(exc, "problem", None) or first_line(str(exc))
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return str(problem)
