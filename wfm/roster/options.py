"""Settings of a roster solve: time limit, CP-SAT workers, seed, determinism, log, objective.

:class:`SolverOptions` is validated once, when it is made, and then read by
every phase of :func:`wfm.roster.solve.solve` (see :mod:`wfm.roster.search`).
The checks of its numbers are public (:func:`check_positive_number`,
:func:`check_whole_number`) so that the bounds, which take a time limit and a
seed of their own, say the same thing about a bad value.

Examples
--------
>>> options = SolverOptions(time_limit_seconds=30, workers=2, seed=1)
>>> options.time_limit_seconds, options.workers, options.max_deterministic_time
(30, 2, None)
>>> SolverOptions(workers=0)
Traceback (most recent call last):
...
wfm.errors.ValidationError: workers: got 0, expected a whole number >= 1
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

from wfm.errors import ValidationError

__all__ = [
    "SolverOptions",
    "check_positive_number",
    "check_whole_number",
    "machine_cores",
]


def machine_cores() -> int:
    """Logical cores of this machine (:func:`os.cpu_count`; 1 when unknown)."""
    return os.cpu_count() or 1


def check_positive_number(
    name: str, value: Any, *, optional: bool = False, expected: str = "a positive number"
) -> None:
    """Raise :class:`~wfm.errors.ValidationError` unless ``value`` is a finite number > 0.

    ``bool`` is not a number here. With ``optional``, ``None`` passes too.
    """
    if optional and value is None:
        return
    if not (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    ):
        raise ValidationError(name, value, expected)


def check_whole_number(
    name: str, value: Any, *, minimum: int, optional: bool = False, expected: str | None = None
) -> None:
    """Raise :class:`~wfm.errors.ValidationError` unless ``value`` is an ``int >= minimum``.

    ``bool`` is not a whole number here. With ``optional``, ``None`` passes too.
    """
    if optional and value is None:
        return
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= minimum):
        raise ValidationError(name, value, expected or f"a whole number >= {minimum}")


@dataclass(frozen=True, kw_only=True)
class SolverOptions:
    """How :func:`wfm.roster.solve.solve` searches (validated when made).

    Parameters
    ----------
    time_limit_seconds
        Wall-clock budget of the whole solve (model building and the
        starting rosters included, the lower bound excluded). It is the
        outer limit: the phases inside are sized by the work they do on an
        idle machine, so a loaded one stretches them rather than cutting
        their work (see "Behaviour under load" in :mod:`wfm.roster.solve`),
        and without ``max_deterministic_time`` the solve returns sooner only
        with a roster proven optimal, a proof that none exists, or a stop.
    workers
        CP-SAT search threads (``num_workers``) of the full search. Default:
        the machine's logical cores (:func:`machine_cores`).
    seed
        CP-SAT ``random_seed``, also the seed of the neighbourhood search.
    max_deterministic_time
        Limit in CP-SAT's deterministic time units, for runs that give the
        same roster for the same problem, ``seed`` and ``workers`` however
        loaded the machine is (see :mod:`wfm.roster.solve`); ``None``: only
        the wall-clock limit.
    log_progress
        Print CP-SAT's search log of the full search
        (``log_search_progress``).
    lexicographic
        Solve in two stages (see "Lexicographic objective" in
        :mod:`wfm.roster.solve`): first the least under-staffing in
        agent-hours, then the weighted objective with the under-staffing
        held at the first stage's best. ``False`` (default): the weighted
        objective alone, which may trade a little shortage for lower cost.
        The two stages share the limit (85 % / 15 %), so it wants a limit
        long enough for two searches: when the first stage finds no roster,
        the second starts afresh with what is left.

    Raises
    ------
    ValidationError
        If ``time_limit_seconds`` or ``max_deterministic_time`` is not a
        positive number, ``workers`` not a whole number >= 1, ``seed`` not a
        whole number >= 0 or ``log_progress`` or ``lexicographic`` not a bool.
    """

    time_limit_seconds: float = 60.0
    workers: int = field(default_factory=machine_cores)
    seed: int = 0
    max_deterministic_time: float | None = None
    log_progress: bool = False
    lexicographic: bool = False

    def __post_init__(self) -> None:
        check_positive_number("time_limit_seconds", self.time_limit_seconds)
        check_whole_number("workers", self.workers, minimum=1)
        check_whole_number("seed", self.seed, minimum=0)
        check_positive_number(
            "max_deterministic_time",
            self.max_deterministic_time,
            optional=True,
            expected="a positive number or None",
        )
        if not isinstance(self.log_progress, bool):
            raise ValidationError("log_progress", self.log_progress, "True or False")
        if not isinstance(self.lexicographic, bool):
            raise ValidationError("lexicographic", self.lexicographic, "True or False")

    @property
    def deterministic(self) -> bool:
        """Whether a deterministic time limit is set (reproducible runs)."""
        return self.max_deterministic_time is not None
