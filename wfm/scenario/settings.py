"""The settings of a scenario: where demand comes from.

The ``solver`` section is a :class:`wfm.roster.options.SolverOptions`, the
``service`` section a :class:`wfm.service.ServicePolicy` (read by
:mod:`wfm.scenario.parse`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Demand",
    "ForecastDemand",
    "HistoryDemand",
    "RequirementsDemand",
]


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
