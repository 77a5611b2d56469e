"""Exception hierarchy of :mod:`wfm`.

Every error raised on purpose by the library derives from :class:`WFMError`.
Errors about what the user gave derive from :class:`ValidationError`, which is
also a :class:`ValueError`, and name the field, the value received and what
was expected.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "DataError",
    "ScenarioError",
    "SolverError",
    "ValidationError",
    "WFMError",
]


def _show(value: Any) -> str:
    if isinstance(value, np.number | np.bool_):
        # a numpy number prints as the plain number (1.5, not np.float64(1.5))
        value = value.item()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


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
