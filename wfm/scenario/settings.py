"""The settings of a scenario: solver, and where demand comes from.

The ``service`` section is a :class:`wfm.service.ServicePolicy` (read by
:mod:`wfm.scenario.parse`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wfm.errors import ValidationError

__all__ = [
    "Demand",
    "ForecastDemand",
    "HistoryDemand",
    "RequirementsDemand",
    "SolverSettings",
]


@dataclass(frozen=True, kw_only=True)
class SolverSettings:
    """Solver settings of a scenario (arguments of :func:`wfm.roster.solve.solve`).

    Parameters
    ----------
    time_limit_seconds
        Wall-clock limit of the search.
    workers
        CP-SAT search workers.
    seed
        Random seed of the search.
    max_deterministic_time
        Optional limit in CP-SAT's deterministic time units (reproducible
        across machine load).
    """

    time_limit_seconds: float = 60.0
    workers: int = 8
    seed: int = 0
    max_deterministic_time: float | None = None

    def __post_init__(self) -> None:
        if not (
            isinstance(self.time_limit_seconds, (int, float))
            and math.isfinite(self.time_limit_seconds)
            and self.time_limit_seconds > 0
        ):
            raise ValidationError(
                "solver.time_limit_seconds", self.time_limit_seconds, "a number of seconds > 0"
            )
        if not (isinstance(self.workers, int) and self.workers >= 1):
            raise ValidationError("solver.workers", self.workers, "a whole number >= 1")
        if not (isinstance(self.seed, int) and self.seed >= 0):
            raise ValidationError("solver.seed", self.seed, "a whole number >= 0")
        if self.max_deterministic_time is not None and not (
            isinstance(self.max_deterministic_time, (int, float))
            and math.isfinite(self.max_deterministic_time)
            and self.max_deterministic_time > 0
        ):
            raise ValidationError(
                "solver.max_deterministic_time", self.max_deterministic_time, "a number > 0"
            )


@dataclass(frozen=True, kw_only=True)
class HistoryDemand:
    """Demand from interval history: read, forecast, then staff.

    Parameters
    ----------
    path
        History CSV (``interval_start, calls[, aht_seconds]``).
    method
        Forecast method for :func:`wfm.forecast.make_forecaster`.
    params
        Further constructor parameters of that forecaster.
    default_aht_seconds
        AHT used when the history has none.
    special_days
        Dates left out of fitting (holidays, outages).
    multipliers
        Factors applied to the forecast calls of dates of the week.
    """

    path: Path
    method: str = "auto"
    params: Mapping[str, Any] = field(default_factory=dict)
    default_aht_seconds: float | None = None
    special_days: tuple[dt.date, ...] = ()
    multipliers: Mapping[dt.date, float] = field(default_factory=dict)

    def forecaster_params(self) -> dict[str, Any]:
        """Keyword arguments of :func:`wfm.forecast.make_forecaster`."""
        params = dict(self.params)
        if self.special_days:
            params["special_days"] = self.special_days
        if self.multipliers:
            params["multipliers"] = dict(self.multipliers)
        if self.default_aht_seconds is not None:
            params["default_aht_seconds"] = self.default_aht_seconds
        return params


@dataclass(frozen=True, kw_only=True)
class ForecastDemand:
    """Demand from a forecast table of the week, staffed with Erlang C/A."""

    path: Path
    default_aht_seconds: float | None = None


@dataclass(frozen=True, kw_only=True)
class RequirementsDemand:
    """Ready-made requirements of the week; ``column`` holds the agents needed."""

    path: Path
    column: str | None = None


Demand = HistoryDemand | ForecastDemand | RequirementsDemand
