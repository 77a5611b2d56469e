"""Checks shared by the commands, run on the arguments before any work starts.

A command that would compute for minutes and then fail to write its result
loses the user's time; so every output path, typed date and size limit is
checked here first, with one line naming the option, the value and what was
expected.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from wfm.errors import ValidationError

__all__ = ["MAX_FORECAST_DAYS", "check_output_dir", "check_output_file", "iso_date"]

#: The longest forecast horizon ``wfm forecast --days`` accepts: two years of
#: intervals, far beyond what an interval forecast is good for.
MAX_FORECAST_DAYS = 731

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(text: str, *, option: str) -> dt.date:
    """Read a date the user typed, ISO ``YYYY-MM-DD`` only.

    ``12/01/2027`` is refused rather than guessed: month-first and day-first
    readings of it are a month apart.
    """
    value = text.strip()
    if _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(option, text, "a date YYYY-MM-DD, e.g. 2027-01-04")


def _nearest_existing(path: Path) -> Path:
    parent = path.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


def check_output_file(path: Path, *, option: str) -> None:
    """Refuse an output file that cannot be written, before the work that fills it."""
    if str(path) == "-":
        return
    if path.is_dir():
        raise ValidationError(option, str(path), "a file to write, not a directory")
    parent = path.absolute().parent
    if not parent.is_dir():
        raise ValidationError(
            option, str(path), f"a file in an existing directory ({parent} does not exist)"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise ValidationError(option, str(path), "a file this user may write")
    if not path.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise ValidationError(option, str(path), f"a file in a writable directory ({parent})")


def check_output_dir(path: Path, *, option: str, files: tuple[str, ...] = ()) -> None:
    """Refuse an output directory that cannot be made or written, or holds ``files`` as folders.

    ``-`` (standard output) is refused: a command writing a directory writes
    several tables, which standard output cannot hold apart.
    """
    if str(path) == "-":
        raise ValidationError(
            option, "-", "a directory (several tables are written; '-' is for one table)"
        )
    if path.exists() and not path.is_dir():
        raise ValidationError(option, str(path), "a directory (this is a file)")
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise ValidationError(option, str(path), "a directory this user may write")
        for name in files:
            if (path / name).is_dir():
                raise ValidationError(
                    option, str(path), f"a directory where {name} can be written (a folder)"
                )
        return
    existing = _nearest_existing(path)
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ValidationError(
            option, str(path), f"a directory that can be created under {existing}"
        )
