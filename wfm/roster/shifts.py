"""Concrete shifts on the interval grid, expanded from the shift templates.

A :class:`ShiftOption` is one (template, day, start, length) on the horizon
grid, with the window of allowed start intervals of each of its breaks.
:func:`shift_options` lists them for the whole problem, ignoring agents;
:func:`agent_options` says which options each agent may work and which
soft-able rules (availability, time off, pins) an option would break.
The roster model, its bounds, the starting rosters and the pre-solve checks
all read these lists, so the templates are interpreted in one place; the
options of a problem are expanded once and shared (:func:`shift_options`
keeps them per problem object). :func:`rest_intervals` and
:func:`last_shift_end_interval` put the contract's rest and the agent's last
shift before the horizon on the same grid.
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from wfm.errors import ValidationError
from wfm.roster.problem import Agent, RosterProblem, Rule, ShiftTemplate

__all__ = [
    "AgentOption",
    "ShiftOption",
    "agent_options",
    "break_windows",
    "check_agent_options",
    "last_shift_end_interval",
    "rest_intervals",
    "shift_options",
    "start_clock_minutes",
]


@dataclass(frozen=True, kw_only=True)
class ShiftOption:
    """One concrete shift on the horizon grid.

    Attributes
    ----------
    template
        Index of the template in ``RosterProblem.templates``.
    day
        Horizon day on which the shift starts (0-based).
    start
        Absolute start interval (0 = horizon start).
    length
        Length in intervals, breaks included. ``start + length`` may exceed
        the horizon: the tail is reported, not counted as coverage.
    paid_minutes
        Length minus unpaid breaks.
    break_starts
        For each break rule of the template, in order, the absolute intervals
        at which that break may start.
    """

    template: int
    day: int
    start: int
    length: int
    paid_minutes: int
    break_starts: tuple[tuple[int, ...], ...]

    @property
    def end(self) -> int:
        """First interval after the shift (may exceed the horizon)."""
        return self.start + self.length


@dataclass(frozen=True, kw_only=True)
class AgentOption:
    """A shift option as seen by one agent.

    ``breaches`` holds the soft-able rules the agent would break by working
    it (outside availability, overlapping time off, against a pin). With
    every one of those rules hard, such options are not listed at all.
    """

    option: int
    breaches: frozenset[Rule]


def break_windows(
    template: ShiftTemplate, length_minutes: int, interval_minutes: int
) -> tuple[tuple[int, ...], ...] | None:
    """Allowed break starts, in intervals after the shift start.

    Returns ``None`` when some break of the template cannot fit in a shift of
    ``length_minutes`` (its window leaves no room before the shift's end), or
    when the breaks together are longer than the shift.
    """
    windows: list[tuple[int, ...]] = []
    total = 0
    for rule in template.breaks:
        first = rule.earliest_start_after_minutes // interval_minutes
        last = rule.latest_start_after_minutes // interval_minutes
        duration = rule.duration_minutes // interval_minutes
        total += duration
        starts = tuple(
            k
            for k in range(first, last + 1)
            if k + duration <= length_minutes // interval_minutes and k >= 0
        )
        if not starts:
            return None
        windows.append(starts)
    if total * interval_minutes > length_minutes:
        return None
    return tuple(windows)


_EXPANDED: weakref.WeakKeyDictionary[RosterProblem, list[ShiftOption]] = weakref.WeakKeyDictionary()


def shift_options(problem: RosterProblem) -> list[ShiftOption]:
    """Every concrete shift the templates allow in the horizon, agents aside.

    Options are ordered by day, template, start and length. Lengths for
    which a template's breaks cannot fit are left out (the pre-solve checks
    report templates left with no option at all).

    Starts are local clock times of their day and lengths elapsed time
    (:class:`wfm.timegrid.IntervalGrid`): a start at a clock time a spring
    change skips is dropped for that day; a start in a repeated autumn hour
    is its first (summer-time) occurrence. A shift across a change keeps its
    length and paid minutes and ends an hour later or earlier on the clock.
    Availability windows compare the start's local clock time and its length
    in elapsed minutes; time off and ``Agent.last_shift_end`` are local
    wall-clock times (``last_shift_end`` may also be tz-aware).

    The list is expanded once per problem object and the same list is
    returned on every call (problems are frozen), so the model, the bounds
    and the checks index the same options; do not modify it.
    """
    options = _EXPANDED.get(problem)
    if options is None:
        options = _expand(problem)
        _EXPANDED[problem] = options
    return options


def _expand(problem: RosterProblem) -> list[ShiftOption]:
    im = problem.interval_minutes
    grid = problem.grid
    out: list[ShiftOption] = []
    for day in range(problem.days):
        weekday = problem.weekday_of(day)
        for ti, template in enumerate(problem.templates):
            if weekday not in template.weekdays:
                continue
            for length_minutes in template.lengths_minutes:
                windows = break_windows(template, length_minutes, im)
                if windows is None:
                    continue
                length = length_minutes // im
                paid = length_minutes - template.unpaid_break_minutes()
                for start_minutes in template.start_minutes:
                    start = grid.clock_interval(day, start_minutes)
                    if start is None:  # skipped by a spring clock change
                        continue
                    out.append(
                        ShiftOption(
                            template=ti,
                            day=day,
                            start=start,
                            length=length,
                            paid_minutes=paid,
                            break_starts=tuple(tuple(start + k for k in w) for w in windows),
                        )
                    )
    out.sort(key=lambda o: (o.day, o.template, o.start, o.length))
    return out


def rest_intervals(problem: RosterProblem, hours: float) -> int:
    """Intervals of the grid needed to rest ``hours`` (rounded up)."""
    return math.ceil(hours * 60 / problem.interval_minutes - 1e-9)


def last_shift_end_interval(problem: RosterProblem, agent: Agent) -> int | None:
    """End of the agent's last shift before the horizon, in intervals from its start.

    Negative (the shift ended before the horizon), rounded up to the grid;
    ``None`` when the agent has no ``last_shift_end``.
    """
    if agent.last_shift_end is None:
        return None
    end = pd.Timestamp(agent.last_shift_end)
    if problem.time_zone is not None:
        end = (
            end.tz_convert(problem.time_zone)
            if end.tzinfo is not None
            else end.tz_localize(problem.time_zone, ambiguous=True, nonexistent="shift_forward")
        )
    offset = (end - problem.grid.horizon_start).total_seconds() / 60.0
    return math.ceil(offset / problem.interval_minutes - 1e-9)


def _inside_availability(problem: RosterProblem, agent: Agent, option: ShiftOption) -> bool:
    if agent.availability is None:
        return True
    weekday = problem.weekday_of(option.day)
    start_minutes = start_clock_minutes(problem, option)
    end_minutes = start_minutes + option.length * problem.interval_minutes
    for window in agent.availability:
        if window.weekday != weekday:
            continue
        if window.start_minutes <= start_minutes and end_minutes <= window.end_minutes:
            return True
    return False


def start_clock_minutes(problem: RosterProblem, option: ShiftOption) -> int:
    """Local clock minutes after midnight at which ``option`` starts."""
    return problem.grid.clock_minutes(option.start)


def _timestamp(problem: RosterProblem, interval: int) -> dt.datetime:
    """Naive local wall-clock time of ``interval`` (the time-off layout)."""
    return problem.grid.wall_clock(interval)


def _overlaps_time_off(problem: RosterProblem, agent: Agent, option: ShiftOption) -> bool:
    if not agent.time_off:
        return False
    start = _timestamp(problem, option.start)
    end = _timestamp(problem, option.end)
    return any(off.start < end and start < off.end for off in agent.time_off)


def _against_pin(problem: RosterProblem, agent: Agent, option: ShiftOption) -> bool:
    if not agent.pins:
        return False
    day = problem.start_date + dt.timedelta(days=option.day)
    for pin in agent.pins:
        if pin.day != day:
            continue
        if pin.off:
            return True
        if pin.template is not None and problem.template_index[pin.template] != option.template:
            return True
        start_minutes = start_clock_minutes(problem, option)
        if pin.start is not None and pin.start.hour * 60 + pin.start.minute != start_minutes:
            return True
        if (
            pin.length_minutes is not None
            and pin.length_minutes != option.length * problem.interval_minutes
        ):
            return True
    return False


_Check = tuple[Rule, Callable[[RosterProblem, Agent, ShiftOption], bool], bool]


def _options_of(
    problem: RosterProblem,
    agent: Agent,
    options: list[ShiftOption],
    checks: tuple[_Check, ...],
) -> list[AgentOption]:
    allowed_templates = (
        None
        if agent.templates is None
        else {problem.template_index[name] for name in agent.templates}
    )
    mine: list[AgentOption] = []
    for index, option in enumerate(options):
        if allowed_templates is not None and option.template not in allowed_templates:
            continue
        breaches: set[Rule] = set()
        for rule, check, ok_when in checks:
            if check(problem, agent, option) != ok_when:
                breaches.add(rule)
        if any(not problem.is_soft(rule) for rule in breaches):
            continue
        mine.append(AgentOption(option=index, breaches=frozenset(breaches)))
    return mine


def agent_options(
    problem: RosterProblem, options: list[ShiftOption] | None = None
) -> list[list[AgentOption]]:
    """For each agent (in problem order), the options they may be given.

    Options of templates the agent may not work are never listed. Options
    breaking availability, time off or a pin are listed only when that rule
    is soft, with the rule in ``breaches``.
    """
    if options is None:
        options = shift_options(problem)
    checks: tuple[_Check, ...] = (
        (Rule.AVAILABILITY, _inside_availability, True),
        (Rule.TIME_OFF, _overlaps_time_off, False),
        (Rule.PINS, _against_pin, False),
    )
    # agents with the same restrictions see the same options: compute once per group
    by_restrictions: dict[tuple[object, ...], list[AgentOption]] = {}
    result: list[list[AgentOption]] = []
    for agent in problem.agents:
        key = (agent.templates, agent.availability, agent.time_off, agent.pins)
        mine = by_restrictions.get(key)
        if mine is None:
            mine = _options_of(problem, agent, options, checks)
            by_restrictions[key] = mine
        result.append(list(mine))
    return result


def check_agent_options(
    problem: RosterProblem,
    options: list[ShiftOption] | None,
    allowed: list[list[AgentOption]] | None,
) -> None:
    """Check precomputed ``options`` and ``allowed`` handed to a model or a bound.

    Raises
    ------
    ValidationError
        If ``allowed`` does not have one list per agent, or is given without
        the ``options`` it was computed from.
    """
    if allowed is not None and len(allowed) != len(problem.agents):
        raise ValidationError(
            "allowed", len(allowed), f"one list per agent ({len(problem.agents)})"
        )
    if allowed is not None and options is None:
        raise ValidationError("options", None, "the options from which 'allowed' was computed")
