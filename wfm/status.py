"""The one status enum of every optimisation in :mod:`wfm`, and the one gap.

Rosters (:func:`wfm.solve`), lower bounds (:mod:`wfm.roster.bounds`) and shift
designs report their outcome as a :class:`SolveStatus` and the distance
between what they found and what is proven possible as :func:`relative_gap`.
"""

from __future__ import annotations

import math
from enum import Enum

__all__ = ["SolveStatus", "relative_gap"]


class SolveStatus(str, Enum):
    """Outcome of a solve (a ``str``: compares equal to its value).

    ``OPTIMAL``
        The answer is proven optimal (for a bound: the relaxation's optimum).
    ``FEASIBLE``
        An answer that obeys every hard rule, not proven optimal (for a bound:
        a valid bound that is not the relaxation's proven optimum, e.g. the
        trivial bound or a column-generation bound stopped early).
    ``INFEASIBLE``
        Proven that no answer obeys the hard rules.
    ``TIME_LIMIT_NO_SOLUTION``
        The limit was reached before any answer was found; says nothing
        about feasibility.
    ``MODEL_INVALID``
        The solver rejected the model or stopped for another reason.
    """

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    TIME_LIMIT_NO_SOLUTION = "TIME_LIMIT_NO_SOLUTION"
    MODEL_INVALID = "MODEL_INVALID"

    @property
    def has_solution(self) -> bool:
        """Whether an answer comes with this status."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


def relative_gap(objective: float, bound: float) -> float:
    """Relative distance between an objective and a bound of a minimisation.

    ``|objective - bound| / max(1, |objective|)``: 0 when the two meet, and
    well defined at an objective of 0 (the denominator never falls below 1
    cost unit).

    Examples
    --------
    >>> relative_gap(200.0, 150.0)
    0.25
    >>> relative_gap(0.5, 0.0)
    0.5
    """
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.inf
    return abs(objective - bound) / max(1.0, abs(objective))
