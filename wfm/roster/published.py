"""A published roster as input: read back from its tables, and hinted to the solver.

A roster that has been published (``roster.csv`` and ``breaks.csv``, the
layouts of :mod:`wfm.roster.report`) becomes a
:class:`~wfm.roster.problem.Baseline` of a new problem with
:func:`read_published`; the model then prices every change from it
(:func:`wfm.roster.model.add_changes`). :func:`published_start` hints the
published roster to the model as the search's start: every agent-day the
changed problem still allows keeps its published shift and breaks, the
others (and new agents) are left to the completion.

Input layouts
-------------
``roster``
    ``agent_id``, ``date`` (ISO date the shift starts on), ``template``,
    ``start``, ``end`` (timestamps as written; other columns are ignored).
``breaks``
    ``agent_id``, ``date``, ``break``, ``start`` (``end`` and ``paid`` are
    ignored: the template says them).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

import pandas as pd

from wfm.errors import DataError
from wfm.roster.model import RosterModel, published_positions
from wfm.roster.options import SolverOptions
from wfm.roster.problem import PublishedBreak, PublishedShift
from wfm.roster.search.cpsat import (
    COMPLETION_DETERMINISTIC_SHARE,
    SolutionTracker,
    try_start,
)
from wfm.roster.search.stop import StopRequest
from wfm.timegrid import parse_stamps

__all__ = [
    "PUBLISHED_BREAK_COLUMNS",
    "PUBLISHED_COMPLETION_SHARE",
    "PUBLISHED_ROSTER_COLUMNS",
    "published_start",
    "read_published",
]

PUBLISHED_COMPLETION_SHARE = 0.5
"""Share of the time left the completion of the published roster may take: it is
the start of the whole search, so it gets more than a greedy completion."""

PUBLISHED_ROSTER_COLUMNS = ("agent_id", "date", "template", "start", "end")
"""Columns of a published roster table that are read."""
PUBLISHED_BREAK_COLUMNS = ("agent_id", "date", "break", "start")
"""Columns of a published breaks table that are read."""


def _need(table: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(name, list(table.columns), f"the columns {list(columns)}")


def _dates(column: pd.Series, where: str) -> list[dt.date]:
    out: list[dt.date] = []
    for row, value in enumerate(column):
        try:
            out.append(pd.Timestamp(str(value)).date())
        except ValueError:
            raise DataError(f"{where}[row {row}]", value, "an ISO date (YYYY-MM-DD)") from None
    return out


def _stamps(table: pd.DataFrame, column: str, time_zone: str | None, where: str) -> pd.Series:
    stamps = parse_stamps(table[column].astype(str), time_zone, where=where)
    bad = stamps.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(f"{where}[row {row}]", table[column].iloc[row], "a timestamp")
    return stamps


def read_published(
    roster: pd.DataFrame,
    breaks: pd.DataFrame | None,
    *,
    time_zone: str | None = None,
) -> tuple[PublishedShift, ...]:
    """The published shifts of a roster and breaks table.

    Parameters
    ----------
    roster, breaks
        Tables in the layouts of the module docstring (as ``roster.csv`` and
        ``breaks.csv`` are read back by :func:`pandas.read_csv`); ``breaks``
        ``None`` means shifts without breaks.
    time_zone
        The problem's time zone (naive timestamps are its local time).

    Returns
    -------
    tuple of PublishedShift
        One per roster row, in table order, with the break rows of the same
        agent and date.

    Raises
    ------
    DataError
        A column is missing, a row has an unreadable date or time, a shift
        does not end after its start, or a break matches no shift.
    """
    _need(roster, "roster", PUBLISHED_ROSTER_COLUMNS)
    days = _dates(roster["date"], "roster.date")
    starts = _stamps(roster, "start", time_zone, "roster.start")
    ends = _stamps(roster, "end", time_zone, "roster.end")
    by_key: dict[tuple[str, dt.date], list[PublishedBreak]] = {}
    if breaks is not None and len(breaks):
        _need(breaks, "breaks", PUBLISHED_BREAK_COLUMNS)
        break_days = _dates(breaks["date"], "breaks.date")
        break_starts = _stamps(breaks, "start", time_zone, "breaks.start")
        keys = {(str(a), d) for a, d in zip(roster["agent_id"], days, strict=True)}
        for row, (agent_id, day, name, start) in enumerate(
            zip(breaks["agent_id"], break_days, breaks["break"], break_starts, strict=True)
        ):
            key = (str(agent_id), day)
            if key not in keys:
                raise DataError(
                    f"breaks[row {row}]", f"{agent_id} on {day}", "a break of a shift in roster"
                )
            by_key.setdefault(key, []).append(PublishedBreak(name=str(name), start=start))
    shifts: list[PublishedShift] = []
    for row, (agent_id, day, template, start, end) in enumerate(
        zip(roster["agent_id"], days, roster["template"], starts, ends, strict=True)
    ):
        minutes = (end - start) / pd.Timedelta(minutes=1)
        if not (minutes > 0 and math.isclose(minutes, round(minutes))):
            raise DataError(
                f"roster.end[row {row}]", str(end), f"a whole minute after start ({start})"
            )
        shifts.append(
            PublishedShift(
                agent_id=str(agent_id),
                day=day,
                template=str(template),
                start=start,
                length_minutes=round(minutes),
                breaks=tuple(by_key.get((str(agent_id), day), ())),
            )
        )
    return tuple(shifts)


def _changed_agents(
    rm: RosterModel, published: dict[tuple[str, int], tuple[int, int, int, dict[int, int]]]
) -> set[int]:
    """Agents with a published shift the changed problem no longer allows."""
    problem = rm.problem
    base = problem.baseline
    assert base is not None
    out: set[int] = set()
    for a, agent in enumerate(problem.agents):
        for d in range(problem.days):
            if (agent.agent_id, problem.dates[d]) not in base.by_agent_day:
                continue
            pub = published.get((agent.agent_id, d))
            if pub is None or not any(
                (rm.options[o].template, rm.options[o].start, rm.options[o].length) == pub[:3]
                for o in rm.options_of_day(a, d)
            ):
                out.add(a)
                break
    return out


def _hint_published(rm: RosterModel) -> None:
    """Hint the baseline's shifts, breaks and days off of every agent it still fits.

    An agent with a published shift the changed problem forbids gets no
    hint at all: the rest of their week may have to change with it (a
    minimum of hours or days to make up), which the completion decides.
    """
    problem = rm.problem
    base = problem.baseline
    assert base is not None
    model = rm.model
    published = published_positions(problem)
    changed = _changed_agents(rm, published)
    groups: dict[tuple[int, int, int], list[Any]] = {}
    for group in rm.break_groups:
        if group.agent_index is not None:
            groups.setdefault((group.agent_index, group.day, group.template), []).append(group)
    for a, agent in enumerate(problem.agents):
        if agent.agent_id not in base.agents or a in changed:
            continue
        for d in range(problem.days):
            keys = rm.options_of_day(a, d)
            works = rm.works[a][d]
            pub = published.get((agent.agent_id, d))
            if pub is None:
                if (agent.agent_id, problem.dates[d]) in base.by_agent_day:
                    continue  # published off the grid: left to the completion
                for o in keys:
                    model.add_hint(rm.x[a][o], False)
                if not isinstance(works, int):
                    model.add_hint(works, False)
                continue
            template, start, length, breaks = pub
            same = [
                o
                for o in keys
                if rm.options[o].template == template
                and rm.options[o].start == start
                and rm.options[o].length == length
            ]
            if not same:
                continue  # no longer allowed: the completion decides the day
            for o in keys:
                model.add_hint(rm.x[a][o], o == same[0])
            if not isinstance(works, int):
                model.add_hint(works, True)
            for t in range(len(problem.templates)):
                for group in groups.get((a, d, t), []):
                    if t != template:
                        for var in group.counts.values():
                            model.add_hint(var, False)
                        continue
                    p = breaks.get(group.rule_index)
                    if p is None or p not in group.counts:
                        continue  # the completion places it
                    for q, var in group.counts.items():
                        model.add_hint(var, q == p)


def published_start(
    rm: RosterModel,
    solver_options: SolverOptions,
    *,
    started: float,
    tracker: SolutionTracker,
    completed: float | None,
    stop: StopRequest | None = None,
) -> float | None:
    """Start the search from the published roster when the problem has a baseline.

    The published shifts, days off and breaks still allowed are hinted and
    fixed while CP-SAT completes the rest (the agent-days the changes freed,
    new agents, breaks that must move) for
    :data:`PUBLISHED_COMPLETION_SHARE` of the time left (and,
    in deterministic mode, :data:`~wfm.roster.search.cpsat.COMPLETION_DETERMINISTIC_SHARE`
    of the deterministic limit). The completion replaces the hint in place
    when its objective beats ``completed`` (an earlier start's) or there is
    none; otherwise the former hint is restored. Without a baseline, or once
    ``stop`` is requested, nothing is done.

    Returns
    -------
    float or None
        The objective of the hint now in place.
    """
    if rm.problem.baseline is None or (stop is not None and stop.requested):
        return completed
    deterministic = solver_options.max_deterministic_time
    left = solver_options.time_limit_seconds - (time.perf_counter() - started)
    return try_start(
        rm,
        lambda: _hint_published(rm),
        completed=completed,
        tracker=tracker,
        time_limit=PUBLISHED_COMPLETION_SHARE * left,
        seed=solver_options.seed,
        deterministic_time=None
        if deterministic is None
        else COMPLETION_DETERMINISTIC_SHARE * deterministic,
        stop=stop,
    )
