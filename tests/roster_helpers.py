"""Tiny roster instances and hand-made roster tables for tests.

``tiny_problem`` builds a problem on a coarse grid (60 minutes by default) so
that instances stay small enough for brute force; every argument can be
overridden. ``requirement_frame`` turns a per-interval array into the
requirements layout, ``hour_profile`` builds such an array from spans.
``shift_rows`` and ``roster_frames`` write a roster by hand in the layout of
``roster.csv`` and ``breaks.csv`` (what the checker reads); ``solve_tiny``
solves with the settings every small test uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from wfm.roster.options import SolverOptions
from wfm.roster.problem import (
    WEEKDAY_NAMES,
    Agent,
    BreakRule,
    Contract,
    RosterProblem,
    ShiftTemplate,
    Weights,
)
from wfm.roster.report import BREAK_COLUMNS, ROSTER_COLUMNS
from wfm.roster.result import RosterResult
from wfm.roster.solve import solve

MONDAY = dt.date(2026, 1, 5)
REQUIREMENT_COLUMN = "required_scheduled"
"""Column of the roster requirements that holds the agents required."""


def day(n: int, start: dt.date = MONDAY) -> dt.date:
    """The date ``n`` days after ``start``."""
    return start + dt.timedelta(days=n)


def requirement_frame(
    start_date: dt.date, required: Sequence[float] | np.ndarray, interval_minutes: int
) -> pd.DataFrame:
    """Requirements table with one row per interval of ``required``."""
    values = np.asarray(required, dtype=float)
    starts = pd.date_range(
        pd.Timestamp(start_date), periods=len(values), freq=pd.Timedelta(minutes=interval_minutes)
    )
    return pd.DataFrame({"interval_start": starts, REQUIREMENT_COLUMN: values})


def break_rule(
    name: str = "b", *, minutes: int = 60, window: tuple[int, int], paid: bool = True
) -> BreakRule:
    """A break of ``minutes`` starting ``window`` = (earliest, latest) minutes into the shift."""
    return BreakRule(
        name=name,
        duration_minutes=minutes,
        paid=paid,
        earliest_start_after_minutes=window[0],
        latest_start_after_minutes=window[1],
    )


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


def late_and_early() -> list[ShiftTemplate]:
    """A late template 15:00-23:00 and an early one 07:00-15:00: 8 h of rest between them."""
    return [template("late", earliest="15:00"), template("early", earliest="07:00")]


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


def shift_rows(
    template: ShiftTemplate,
    agent_id: str,
    date: dt.date,
    start: str,
    length_minutes: int | None = None,
    breaks: Sequence[int] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A roster row and its break rows, as ``roster.csv`` and ``breaks.csv`` hold them.

    ``start`` is a clock time on ``date``; ``length_minutes`` defaults to the
    template's shortest length; ``breaks`` are break starts in minutes after
    the shift's start (default: each break's earliest start).
    """
    length = template.min_length_minutes if length_minutes is None else length_minutes
    begin = pd.Timestamp(f"{date} {start}")
    end = begin + pd.Timedelta(minutes=length)
    offsets = (
        breaks if breaks is not None else [b.earliest_start_after_minutes for b in template.breaks]
    )
    rows = []
    for rule, offset in zip(template.breaks, offsets, strict=False):
        b_start = begin + pd.Timedelta(minutes=offset)
        rows.append(
            {
                "agent_id": agent_id,
                "date": date.isoformat(),
                "break": rule.name,
                "start": f"{b_start:%Y-%m-%d %H:%M}",
                "end": f"{b_start + pd.Timedelta(minutes=rule.duration_minutes):%Y-%m-%d %H:%M}",
                "paid": rule.paid,
            }
        )
    row = {
        "agent_id": agent_id,
        "date": date.isoformat(),
        "weekday": WEEKDAY_NAMES[date.weekday()],
        "template": template.name,
        "start": f"{begin:%Y-%m-%d %H:%M}",
        "end": f"{end:%Y-%m-%d %H:%M}",
        "length_minutes": length,
        "paid_minutes": length - template.unpaid_break_minutes(),
        "breaks": "",
    }
    return row, rows


def roster_frames(
    *shifts: tuple[dict[str, Any], list[dict[str, Any]]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The roster and breaks tables of rows made by :func:`shift_rows`."""
    roster = pd.DataFrame([s[0] for s in shifts], columns=list(ROSTER_COLUMNS))
    breaks = pd.DataFrame([b for s in shifts for b in s[1]], columns=list(BREAK_COLUMNS))
    return roster, breaks


def solve_tiny(problem: RosterProblem, *, time_limit_seconds: float = 10.0) -> RosterResult:
    """``solve`` as small tests run it: one worker, seed 0, no lower bound."""
    options = SolverOptions(time_limit_seconds=time_limit_seconds, workers=1, seed=0)
    return solve(problem, options, compute_bound=False)
