"""Exception hierarchy of :mod:`wfm`.

Every error raised on purpose by the library derives from :class:`WFMError`.
Errors about what the user gave derive from :class:`ValidationError`, which is
also a :class:`ValueError`, and name the field, the value received and what
was expected.
"""

from __future__ import annotations

import datetime as dt
import reprlib
from typing import Any

import numpy as np

__all__ = [
    "DataError",
    "ScenarioError",
    "SolverError",
    "ValidationError",
    "WFMError",
]


#: Shows a value in a bounded amount of work: nested containers are cut at a
#: few levels and items, long strings in the middle, so that a huge or deeply
#: nested value (a YAML alias bomb) costs nothing to name in a message.
_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 5
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlong = 40

_SHOW_LIMIT = 80


def _show(value: Any) -> str:
    """Name ``value`` as the user wrote it, in at most 80 characters."""
    if isinstance(value, np.number | np.bool_):
        # a numpy number prints as the plain number (1.5, not np.float64(1.5))
        value = value.item()
    if isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    elif isinstance(value, bytes | bytearray):
        text = _REPR.repr(bytes(value[:_SHOW_LIMIT]))
    else:
        text = _REPR.repr(value)
    text = text.replace("\n", " ")
    return text if len(text) <= _SHOW_LIMIT else text[: _SHOW_LIMIT - 3] + "..."


class WFMError(Exception):
    """Root of every error raised on purpose by :mod:`wfm`."""


class ValidationError(WFMError, ValueError):
    """An input value is out of its allowed domain.

    Parameters
    ----------
    field
        Name of the argument, column or path that holds the bad value
        (e.g. ``"aht_seconds"``, ``"agents[12].contract"``).
    value
        The value received.
    expected
        Plain-words description of what was expected.
    """

    def __init__(self, field: str, value: Any, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"{field}: got {_show(value)}, expected {expected}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.value, self.expected))


class DataError(ValidationError):
    """A row of an input table (history, forecast, requirements) is invalid.

    ``field`` names the column and, where known, the row (``"calls[row 17]"``).
    """


class ScenarioError(ValidationError):
    """A scenario file entry is invalid; ``field`` is its YAML path."""


class SolverError(WFMError):
    """The optimisation back-end failed for a reason other than the model."""
