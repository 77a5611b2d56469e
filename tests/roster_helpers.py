"""Tiny roster instances for tests.

``tiny_problem`` builds a problem on a coarse grid (60 minutes by default) so
that instances stay small enough for brute force; every argument can be
overridden. ``requirement_frame`` turns a per-interval array into the
requirements layout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from wfm.roster.problem import (
    Agent,
    BreakRule,
    Contract,
    RosterProblem,
    ShiftTemplate,
    Weights,
)

MONDAY = dt.date(2026, 1, 5)


def requirement_frame(
    start_date: dt.date, required: Sequence[float] | np.ndarray, interval_minutes: int
) -> pd.DataFrame:
    """Requirements table with one row per interval of ``required``."""
    values = np.asarray(required, dtype=float)
    starts = pd.date_range(
        pd.Timestamp(start_date), periods=len(values), freq=pd.Timedelta(minutes=interval_minutes)
    )
    return pd.DataFrame({"interval_start": starts, "required_scheduled": values})


def template(
    name: str = "day",
    earliest: str = "08:00",
    latest: str | None = None,
    length_hours: float = 8,
    max_length_hours: float | None = None,
    step_minutes: int = 60,
    breaks: Sequence[BreakRule] = (),
    weekdays: Sequence[int] = tuple(range(7)),
) -> ShiftTemplate:
    """A shift template with clock strings and hours."""
    e = dt.time.fromisoformat(earliest)
    latest_time = dt.time.fromisoformat(latest) if latest is not None else e
    return ShiftTemplate(
        name=name,
        earliest_start=e,
        latest_start=latest_time,
        start_step_minutes=step_minutes,
        min_length_minutes=round(length_hours * 60),
        max_length_minutes=None if max_length_hours is None else round(max_length_hours * 60),
        length_step_minutes=step_minutes,
        weekdays=frozenset(weekdays),
        breaks=tuple(breaks),
    )


def contract(name: str = "full", **kwargs: Any) -> Contract:
    """A contract with permissive defaults (no minimums, generous maximums)."""
    base: dict[str, Any] = {
        "min_hours_per_week": 0.0,
        "max_hours_per_week": 168.0,
        "min_days_per_week": 0,
        "max_days_per_week": 7,
        "max_consecutive_days": 7,
        "min_consecutive_days_off": 0,
        "min_rest_hours": 0.0,
        "max_weekend_days": 7,
        "cost_per_hour": 1.0,
    }
    base.update(kwargs)
    return Contract(name=name, **base)


def agents(n: int, contract_name: str = "full", **kwargs: Any) -> tuple[Agent, ...]:
    """``n`` agents ``a0 .. a{n-1}`` with the same contract and settings."""
    return tuple(Agent(agent_id=f"a{i}", contract=contract_name, **kwargs) for i in range(n))


def tiny_problem(
    *,
    days: int = 2,
    interval_minutes: int = 60,
    required: Sequence[float] | np.ndarray | None = None,
    templates: Sequence[ShiftTemplate] | None = None,
    contracts: Sequence[Contract] | None = None,
    agent_list: Sequence[Agent] | None = None,
    start_date: dt.date = MONDAY,
    weights: Weights | None = None,
    **kwargs: Any,
) -> RosterProblem:
    """A small problem: by default 2 days, 1-hour grid, one 8-hour template at 08:00,
    one agent, and 1 agent required 08:00-16:00 each day."""
    per_day = 1440 // interval_minutes
    if required is None:
        req = np.zeros(days * per_day)
        for d in range(days):
            first = d * per_day + 8 * 60 // interval_minutes
            req[first : first + 8 * 60 // interval_minutes] = 1.0
        required = req
    return RosterProblem(
        start_date=start_date,
        requirements=requirement_frame(start_date, required, interval_minutes),
        templates=tuple(templates) if templates is not None else (template(),),
        contracts=tuple(contracts) if contracts is not None else (contract(),),
        agents=tuple(agent_list) if agent_list is not None else agents(1),
        days=days,
        interval_minutes=interval_minutes,
        weights=weights if weights is not None else Weights(),
        **kwargs,
    )


def hour_profile(
    days: int, spans: Sequence[tuple[int, int, int, float]], per_day: int = 24
) -> np.ndarray:
    """Requirement array from ``(day, first_hour, end_hour, agents)`` spans."""
    out = np.zeros(days * per_day)
    for day, first, end, value in spans:
        out[day * per_day + first : day * per_day + end] += value
    return out
