"""Problem objects of the roster: templates, contracts, agents, weights.

Everything here is a frozen, keyword-only dataclass validated on construction:
a bad value raises :class:`wfm.errors.ValidationError` naming the field, the
value and what was expected, before any model is built.

Time conventions
----------------
The planning horizon starts at midnight of ``RosterProblem.start_date`` and
lasts ``days`` days on a grid of ``interval_minutes``. Interval ``t`` starts at
``start_date 00:00 + t * interval_minutes`` of elapsed time. With a
``time_zone`` the days are local calendar days of that zone, 23 or 25 hours
long on a clock change, and timestamps are tz-aware; the grid, shift starts
at skipped or repeated clock times and how timestamps are read are those of
:class:`wfm.timegrid.IntervalGrid` (:attr:`RosterProblem.grid`). A shift belongs to the date on
which it *starts* (its "day"); it may cross midnight and even the end of the
horizon, in which case its tail is reported but not counted as coverage.
Weekdays are numbered as in :mod:`datetime`: Monday 0 … Sunday 6.

Weeks of the planning period
----------------------------
A horizon of 1-7 days is one week. Longer periods (planning periods of 2-6
weeks) last a whole number of weeks, 14 to 42 days, and their calendar weeks
start on the weekday of ``start_date``: week ``k`` is horizon days
``7k .. 7k + 6`` (:attr:`RosterProblem.weeks`). Every ``*_per_week`` contract
limit, ``max_weekend_days`` and ``min_consecutive_days_off`` apply to each
week on its own; runs of working days and rest run on across week
boundaries and from the days before the horizon.

Requirements layout
-------------------
``RosterProblem.requirements`` is a DataFrame with one row per interval:

``interval_start``
    datetime64, on the grid, within the horizon, unique. With a
    ``time_zone``: tz-aware (any zone, or strings with UTC offsets) or
    naive local time of the zone.
``required_scheduled``
    float >= 0: agents required *scheduled*, i.e. on shift and not on a
    break the roster places: the requirement on the phone already grossed up
    for the shrinkage the roster does not place itself (absence, training,
    ...; see :meth:`wfm.service.ServicePolicy.scheduled_for`). Fractional
    values are allowed.
``calls``, ``aht_seconds`` (optional)
    forecast used to report the service level the roster achieves.

Intervals of the horizon absent from the table need 0 agents (closed).
This is the layout :func:`wfm.staffing.requirements` produces once
reduced to ``interval_start``, ``required_scheduled`` (or
``required_scheduled_fractional``, renamed ``required_scheduled``) and the
forecast columns; :func:`requirements_from_staffing` does that.

Several queues
--------------
With ``RosterProblem.queues`` (a :class:`wfm.queues.QueueSet`) the
requirement comes per queue in ``queue_requirements``, one row per interval
and queue (voice, chat and e-mail queues; outbound queues have none):

``interval_start``, ``queue``
    on the grid, within the horizon, one row per interval and queue name of
    the set.
``required_scheduled``
    float >= 0: agents required scheduled for a voice or chat queue (read
    for those queues only).
``work_scheduled_agent_hours``
    float >= 0: e-mail work arriving in the interval, in scheduled
    agent-hours (read for e-mail queues only).
``calls``, ``aht_seconds`` (optional)
    the queue's forecast, to report its service.

The other columns of ``wfm.channels.QUEUE_REQUIREMENT_COLUMNS`` may be
present and are ignored. ``requirements`` is then left out and derived
(:meth:`RosterProblem.aggregate_requirement`: the per-interval queues'
requirements plus the e-mail work as it arrives); only the heuristic starts
read it. Without ``queues`` every agent's ``skills`` are ignored and the
problem is the one of a single queue.

Renamed in 0.2: the column ``required_agents`` is now ``required_scheduled``
(and so is the attribute :attr:`RosterProblem.required_scheduled`). Tables
read from user files still accept the former names (see
:data:`FORMER_COLUMN_NAMES` and :func:`requirement_column`), with a
deprecation note.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import DataError, ValidationError
from wfm.queues import Channel, QueueSet, Skill, skill_groups
from wfm.service import ServicePolicy
from wfm.timegrid import IntervalGrid

__all__ = [
    "DERIVED_FROM_QUEUES",
    "FORMER_COLUMN_NAMES",
    "MAX_REQUIRED_AGENTS",
    "QUEUE_REQUIREMENT_NEEDED",
    "Agent",
    "AvailabilityWindow",
    "Baseline",
    "BreakRule",
    "ChangeWeights",
    "Contract",
    "Pin",
    "PreferDayOff",
    "PreferStartWindow",
    "PreferTemplate",
    "Preference",
    "PublishedBreak",
    "PublishedShift",
    "RosterProblem",
    "Rule",
    "ShiftTemplate",
    "TimeOff",
    "Weights",
    "requirement_column",
    "requirements_from_staffing",
]

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

#: Most agents one interval may require: the Erlang cap of a million erlangs
#: on the phone; beyond it the coverage model's coefficients lose precision.
MAX_REQUIRED_AGENTS = 1_000_000


class Rule(str, Enum):
    """Labour rules that are hard by default and may be made soft.

    The value is the rule's name as used in scenario files, in
    ``RosterProblem.soft_rules`` and in the ``violations`` table.
    Structural rules (at most one shift per day, shift and break shapes of
    the templates) are always hard and are not listed here.
    """

    MIN_HOURS = "min_hours_per_week"
    MAX_HOURS = "max_hours_per_week"
    MIN_HOURS_PERIOD = "min_hours_per_period"
    MAX_HOURS_PERIOD = "max_hours_per_period"
    MIN_DAYS = "min_days_per_week"
    MAX_DAYS = "max_days_per_week"
    MAX_CONSECUTIVE_DAYS = "max_consecutive_days"
    MIN_CONSECUTIVE_DAYS_OFF = "min_consecutive_days_off"
    MIN_REST = "min_rest"
    MAX_WEEKEND_DAYS = "max_weekend_days"
    AVAILABILITY = "availability"
    TIME_OFF = "time_off"
    PINS = "pins"

    @property
    def unit(self) -> str:
        """Unit in which a breach of this rule is measured."""
        if self in (
            Rule.MIN_HOURS,
            Rule.MAX_HOURS,
            Rule.MIN_HOURS_PERIOD,
            Rule.MAX_HOURS_PERIOD,
            Rule.MIN_REST,
        ):
            return "hours"
        if self in (Rule.AVAILABILITY, Rule.TIME_OFF, Rule.PINS):
            return "shifts"
        return "days"


def _require(condition: bool, field_name: str, value: Any, expected: str) -> None:
    if not condition:
        raise ValidationError(field_name, value, expected)


def _minutes_of(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _is_finite_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


@dataclass(frozen=True, kw_only=True)
class BreakRule:
    """A break or lunch placed inside every shift of a template.

    Parameters
    ----------
    name
        Label shown in the roster (``"break1"``, ``"lunch"``).
    duration_minutes
        Length of the break; a multiple of the problem's interval.
    paid
        Whether the break counts as paid time.
    earliest_start_after_minutes, latest_start_after_minutes
        Window for the break's start, in minutes after the shift's start
        (both inclusive). The break must also end by the end of the shift.
    """

    name: str
    duration_minutes: int
    paid: bool = True
    earliest_start_after_minutes: int
    latest_start_after_minutes: int

    def __post_init__(self) -> None:
        _require(bool(self.name), "break.name", self.name, "a non-empty name")
        where = f"break {self.name!r}"
        _require(
            isinstance(self.duration_minutes, int) and self.duration_minutes > 0,
            f"{where}.duration_minutes",
            self.duration_minutes,
            "a positive whole number of minutes",
        )
        _require(
            isinstance(self.earliest_start_after_minutes, int)
            and self.earliest_start_after_minutes >= 0,
            f"{where}.earliest_start_after_minutes",
            self.earliest_start_after_minutes,
            "a whole number of minutes >= 0",
        )
        _require(
            isinstance(self.latest_start_after_minutes, int)
            and self.latest_start_after_minutes >= self.earliest_start_after_minutes,
            f"{where}.latest_start_after_minutes",
            self.latest_start_after_minutes,
            f"a whole number of minutes >= earliest_start_after_minutes "
            f"({self.earliest_start_after_minutes})",
        )


@dataclass(frozen=True, kw_only=True)
class ShiftTemplate:
    """A family of shifts: allowed start times, lengths, weekdays and breaks.

    Parameters
    ----------
    name
        Unique template name.
    earliest_start, latest_start
        Clock times of the first and last allowed start on a day (inclusive;
        ``earliest_start <= latest_start``). Shifts may end after midnight.
    start_step_minutes
        Spacing of allowed starts from ``earliest_start``; a multiple of the
        problem's interval.
    min_length_minutes, max_length_minutes
        Shift length from start to end, breaks included. ``max_length_minutes``
        ``None`` means a fixed length.
    length_step_minutes
        Spacing of allowed lengths from ``min_length_minutes``.
    weekdays
        Weekdays (Monday 0 … Sunday 6) on which the template may start.
    breaks
        Breaks placed in every shift of this template; they may not overlap.
    """

    name: str
    earliest_start: dt.time
    latest_start: dt.time
    start_step_minutes: int = 15
    min_length_minutes: int
    max_length_minutes: int | None = None
    length_step_minutes: int = 30
    weekdays: frozenset[int] = frozenset(range(7))
    breaks: tuple[BreakRule, ...] = ()

    def __post_init__(self) -> None:
        where = f"templates[{self.name!r}]"
        _require(bool(self.name), "template.name", self.name, "a non-empty name")
        _require(
            isinstance(self.earliest_start, dt.time),
            f"{where}.earliest_start",
            self.earliest_start,
            "a clock time",
        )
        _require(
            isinstance(self.latest_start, dt.time) and self.latest_start >= self.earliest_start,
            f"{where}.latest_start",
            self.latest_start,
            f"a clock time not before earliest_start ({self.earliest_start:%H:%M})",
        )
        _require(
            isinstance(self.start_step_minutes, int) and self.start_step_minutes > 0,
            f"{where}.start_step_minutes",
            self.start_step_minutes,
            "a positive whole number of minutes",
        )
        _require(
            isinstance(self.min_length_minutes, int) and 0 < self.min_length_minutes <= 24 * 60,
            f"{where}.min_length_minutes",
            self.min_length_minutes,
            "a whole number of minutes in (0, 1440]",
        )
        if self.max_length_minutes is not None:
            _require(
                isinstance(self.max_length_minutes, int)
                and self.min_length_minutes <= self.max_length_minutes <= 24 * 60,
                f"{where}.max_length_minutes",
                self.max_length_minutes,
                f"a whole number of minutes in "
                f"[min_length_minutes ({self.min_length_minutes}), 1440]",
            )
        _require(
            isinstance(self.length_step_minutes, int) and self.length_step_minutes > 0,
            f"{where}.length_step_minutes",
            self.length_step_minutes,
            "a positive whole number of minutes",
        )
        _require(
            bool(self.weekdays) and all(isinstance(d, int) and 0 <= d <= 6 for d in self.weekdays),
            f"{where}.weekdays",
            sorted(self.weekdays) if self.weekdays else self.weekdays,
            "a non-empty set of weekdays 0 (Monday) .. 6 (Sunday)",
        )
        names = [b.name for b in self.breaks]
        _require(
            len(names) == len(set(names)),
            f"{where}.breaks",
            names,
            "break names unique within the template",
        )
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "breaks", tuple(self.breaks))

    @property
    def lengths_minutes(self) -> tuple[int, ...]:
        """All allowed shift lengths in minutes, ascending."""
        top = (
            self.max_length_minutes
            if self.max_length_minutes is not None
            else self.min_length_minutes
        )
        return tuple(range(self.min_length_minutes, top + 1, self.length_step_minutes))

    @property
    def start_minutes(self) -> tuple[int, ...]:
        """All allowed start times, in minutes after midnight, ascending."""
        return tuple(
            range(
                _minutes_of(self.earliest_start),
                _minutes_of(self.latest_start) + 1,
                self.start_step_minutes,
            )
        )

    def unpaid_break_minutes(self) -> int:
        """Minutes of unpaid breaks in every shift of this template."""
        return sum(b.duration_minutes for b in self.breaks if not b.paid)


@dataclass(frozen=True, kw_only=True)
class Contract:
    """Labour rules shared by a group of agents.

    Limits named ``*_per_week``, ``max_weekend_days`` and
    ``min_consecutive_days_off`` hold in every week of the period (see
    :attr:`RosterProblem.weeks`: weeks start on the period's start day).

    Parameters
    ----------
    name
        Unique contract name.
    min_hours_per_week, max_hours_per_week
        Paid hours in each week (unpaid breaks excluded).
    min_days_per_week, max_days_per_week
        Days with a shift in each week.
    max_consecutive_days
        Longest run of working days, counting the days worked just before
        the horizon (``Agent.consecutive_days_worked_before``).
    min_consecutive_days_off
        Every week must contain a block of at least this many consecutive days
        off (``2``: two days off together). A block may start before its
        week (in the week before, or before the horizon:
        ``Agent.days_off_before``). ``0`` or ``1`` adds no constraint
        beyond the days-per-week limits.
    min_rest_hours
        Minimum time from the end of one shift to the start of the next,
        across midnight and days, including the last shift before the
        horizon (``Agent.last_shift_end``).
    max_weekend_days
        Working days among ``RosterProblem.weekend_days`` in each week.
    min_hours_per_period, max_hours_per_period
        Paid hours in the whole planning period (e.g. 160 hours over 4 weeks
        for a contract averaged over the period); ``max_hours_per_period``
        ``None`` sets no limit. Both hold besides the weekly limits.
    cost_per_hour
        Cost of one paid hour (any currency); agents may override it.
    """

    name: str
    min_hours_per_week: float = 0.0
    max_hours_per_week: float = 40.0
    min_days_per_week: int = 0
    max_days_per_week: int = 5
    max_consecutive_days: int = 6
    min_consecutive_days_off: int = 0
    min_rest_hours: float = 11.0
    max_weekend_days: int = 2
    min_hours_per_period: float = 0.0
    max_hours_per_period: float | None = None
    cost_per_hour: float = 1.0

    def __post_init__(self) -> None:
        where = f"contracts[{self.name!r}]"
        _require(bool(self.name), "contract.name", self.name, "a non-empty name")
        for attr in (
            "min_hours_per_week",
            "max_hours_per_week",
            "min_rest_hours",
            "min_hours_per_period",
            "cost_per_hour",
        ):
            value = getattr(self, attr)
            _require(
                _is_finite_number(value) and value >= 0,
                f"{where}.{attr}",
                value,
                "a finite number >= 0",
            )
        _require(
            self.max_hours_per_week >= self.min_hours_per_week,
            f"{where}.max_hours_per_week",
            self.max_hours_per_week,
            f"a number >= min_hours_per_week ({self.min_hours_per_week})",
        )
        if self.max_hours_per_period is not None:
            _require(
                _is_finite_number(self.max_hours_per_period)
                and self.max_hours_per_period >= self.min_hours_per_period,
                f"{where}.max_hours_per_period",
                self.max_hours_per_period,
                f"a finite number >= min_hours_per_period ({self.min_hours_per_period}), "
                "or null for no limit",
            )
        for attr in (
            "min_days_per_week",
            "max_days_per_week",
            "max_consecutive_days",
            "min_consecutive_days_off",
            "max_weekend_days",
        ):
            value = getattr(self, attr)
            _require(
                isinstance(value, int) and not isinstance(value, bool) and value >= 0,
                f"{where}.{attr}",
                value,
                "a whole number >= 0",
            )
        _require(
            self.max_days_per_week >= self.min_days_per_week,
            f"{where}.max_days_per_week",
            self.max_days_per_week,
            f"a whole number >= min_days_per_week ({self.min_days_per_week})",
        )


@dataclass(frozen=True, kw_only=True)
class AvailabilityWindow:
    """A weekly window in which an agent may work.

    A shift starting on ``weekday`` is allowed if it lies entirely inside one
    window of that weekday. ``end <= start`` means the window runs past
    midnight (``end == 00:00`` is the end of the day; ``start == end`` is
    the whole day and the following ``end`` hours).
    """

    weekday: int
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        _require(
            isinstance(self.weekday, int) and 0 <= self.weekday <= 6,
            "availability.weekday",
            self.weekday,
            "a weekday 0 (Monday) .. 6 (Sunday)",
        )

    @property
    def start_minutes(self) -> int:
        """Start, in minutes after midnight of ``weekday``."""
        return _minutes_of(self.start)

    @property
    def end_minutes(self) -> int:
        """End, in minutes after midnight of ``weekday`` (may exceed 1440)."""
        end = _minutes_of(self.end)
        return end if end > self.start_minutes else end + 24 * 60


@dataclass(frozen=True, kw_only=True)
class TimeOff:
    """A date-time range ``[start, end)`` in which an agent may not work."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        _require(
            isinstance(self.end, dt.datetime) and self.end > self.start,
            "time_off.end",
            self.end,
            f"a date-time after start ({self.start})",
        )

    @classmethod
    def whole_day(cls, day: dt.date) -> TimeOff:
        """Time off for the whole of ``day`` (midnight to midnight)."""
        start = dt.datetime.combine(day, dt.time())
        return cls(start=start, end=start + dt.timedelta(days=1))


@dataclass(frozen=True, kw_only=True)
class PreferTemplate:
    """Soft wish: every shift uses ``template``; ``weight`` per shift that does not."""

    template: str
    weight: float = 1.0


@dataclass(frozen=True, kw_only=True)
class PreferStartWindow:
    """Soft wish: shifts start between ``earliest`` and ``latest`` (inclusive).

    ``weight`` per shift starting outside; ``weekdays`` limits the wish to some
    weekdays (empty: every day).
    """

    earliest: dt.time
    latest: dt.time
    weekdays: frozenset[int] = frozenset()
    weight: float = 1.0


@dataclass(frozen=True, kw_only=True)
class PreferDayOff:
    """Soft wish: no shift on ``day`` (a date in the horizon); ``weight`` if worked."""

    day: dt.date
    weight: float = 1.0


Preference = PreferTemplate | PreferStartWindow | PreferDayOff


@dataclass(frozen=True, kw_only=True)
class Pin:
    """A fixed decision for one agent and one date.

    ``off=True`` fixes the date as a day off. Otherwise the agent works a
    shift starting on ``day``, restricted to ``template``, ``start`` and
    ``length_minutes`` where these are given.
    """

    day: dt.date
    off: bool = False
    template: str | None = None
    start: dt.time | None = None
    length_minutes: int | None = None

    def __post_init__(self) -> None:
        if self.off:
            _require(
                self.template is None and self.start is None and self.length_minutes is None,
                f"pin[{self.day}]",
                "off with a shift",
                "either off=True or a shift (template/start/length), not both",
            )


@dataclass(frozen=True, kw_only=True)
class Agent:
    """A named agent and what is known about them for the week.

    Parameters
    ----------
    agent_id
        Unique identifier.
    contract
        Name of a :class:`Contract` of the problem.
    templates
        Names of the templates this agent may work; ``None`` means all.
    availability
        Weekly windows in which the agent may work; ``None`` means always.
    time_off
        Ranges in which no shift may overlap.
    preferences
        Soft wishes, each with its own weight.
    pins
        Fixed days (a given shift or off).
    cost_per_hour
        Overrides the contract's cost of a paid hour.
    last_shift_end
        End of the agent's last shift before the horizon (for rest).
    consecutive_days_worked_before
        Working days in a row ending the day before the horizon.
    days_off_before
        Days off in a row ending the day before the horizon.
    skills
        Queues the agent may serve with their routing priorities
        (:class:`wfm.queues.Skill`); ``None`` means every queue. Checked
        against the problem's queues when it has several.
    """

    agent_id: str
    contract: str
    templates: tuple[str, ...] | None = None
    availability: tuple[AvailabilityWindow, ...] | None = None
    time_off: tuple[TimeOff, ...] = ()
    preferences: tuple[Preference, ...] = ()
    pins: tuple[Pin, ...] = ()
    cost_per_hour: float | None = None
    last_shift_end: dt.datetime | None = None
    consecutive_days_worked_before: int = 0
    days_off_before: int = 0
    skills: tuple[Skill, ...] | None = None

    def __post_init__(self) -> None:
        where = f"agents[{self.agent_id!r}]"
        _require(bool(self.agent_id), "agent.agent_id", self.agent_id, "a non-empty id")
        _require(
            isinstance(self.consecutive_days_worked_before, int)
            and self.consecutive_days_worked_before >= 0,
            f"{where}.consecutive_days_worked_before",
            self.consecutive_days_worked_before,
            "a whole number >= 0",
        )
        _require(
            isinstance(self.days_off_before, int) and self.days_off_before >= 0,
            f"{where}.days_off_before",
            self.days_off_before,
            "a whole number >= 0",
        )
        _require(
            self.consecutive_days_worked_before == 0 or self.days_off_before == 0,
            f"{where}.days_off_before",
            self.days_off_before,
            "0 when consecutive_days_worked_before > 0 (the day before was worked)",
        )
        if self.cost_per_hour is not None:
            _require(
                _is_finite_number(self.cost_per_hour) and self.cost_per_hour >= 0,
                f"{where}.cost_per_hour",
                self.cost_per_hour,
                "a finite number >= 0",
            )
        pin_days = [p.day for p in self.pins]
        _require(
            len(pin_days) == len(set(pin_days)),
            f"{where}.pins",
            [str(d) for d in pin_days],
            "at most one pin per date",
        )
        if self.templates is not None:
            object.__setattr__(self, "templates", tuple(self.templates))
        if self.availability is not None:
            object.__setattr__(self, "availability", tuple(self.availability))
        object.__setattr__(self, "time_off", tuple(self.time_off))
        object.__setattr__(self, "preferences", tuple(self.preferences))
        object.__setattr__(self, "pins", tuple(self.pins))
        if self.skills is not None:
            object.__setattr__(self, "skills", tuple(self.skills))
            for skill in self.skills:
                _require(
                    isinstance(skill, Skill),
                    f"{where}.skills",
                    type(skill).__name__,
                    "wfm.queues.Skill items",
                )


@dataclass(frozen=True, kw_only=True)
class Weights:
    """Weights of the soft terms of the roster objective.

    Parameters
    ----------
    understaffing_per_agent_hour
        Cost of the first agent-hour short in an interval.
    understaffing_growth
        Convex growth of the shortage cost: slope multipliers for the 1st,
        2nd, 3rd, ... agent short in the same interval (the last one applies
        to every further agent). Non-decreasing, so that among rosters of
        about the same shortage the solver prefers the one that spreads it
        rather than leaving one deep hole. The default grows by a tenth per
        agent: a steep growth buys the spread with shortage. With
        ``(1, 2, 4, 8)`` the optimum of the class-flow model of
        ``a50-i15-flex-brk-mixed-s0`` keeps 23.75 agent-hours short against
        the least possible 22.25, and 60 s of search ended 11.75 agent-hours
        above it; with the default the 60 s solves of the a50, a100 and a200
        weeks end at the least possible shortage or 0.25 agent-hours above it
        (``benchmarks/README.md``,
        "Lexicographic objective and the default weights' trade-off").
    overstaffing_per_agent_hour
        Cost of an agent-hour on the phone beyond the requirement.
    paid_hour
        Multiplies each agent's cost per paid hour.
    preference
        Multiplies the weight of every preference.
    fairness_weekend, fairness_late
        Cost per unit of spread (most minus fewest, over agents whose contract
        allows any) of weekend days and of late shifts.
    late_work_per_agent_hour
        With several queues: cost of one agent-hour of e-mail work kept past
        its deadline for one hour (the overdue work at the end of each
        interval times the interval's hours; see :mod:`wfm.roster.queues_model`).
    outbound_shortfall_per_agent_hour
        With several queues: cost of each agent-hour an outbound queue's day
        falls short of its ``outbound_hours_per_day``.
    """

    understaffing_per_agent_hour: float = 100.0
    understaffing_growth: tuple[float, ...] = (1.0, 1.1, 1.2, 1.3)
    overstaffing_per_agent_hour: float = 5.0
    paid_hour: float = 1.0
    preference: float = 1.0
    fairness_weekend: float = 10.0
    fairness_late: float = 10.0
    late_work_per_agent_hour: float = 10.0
    outbound_shortfall_per_agent_hour: float = 20.0

    def __post_init__(self) -> None:
        for attr in (
            "understaffing_per_agent_hour",
            "overstaffing_per_agent_hour",
            "paid_hour",
            "preference",
            "fairness_weekend",
            "fairness_late",
            "late_work_per_agent_hour",
            "outbound_shortfall_per_agent_hour",
        ):
            value = getattr(self, attr)
            _require(
                _is_finite_number(value) and value >= 0,
                f"weights.{attr}",
                value,
                "a finite number >= 0",
            )
        growth = tuple(self.understaffing_growth)
        _require(
            len(growth) > 0
            and all(_is_finite_number(g) and g > 0 for g in growth)
            and all(a <= b for a, b in itertools.pairwise(growth)),
            "weights.understaffing_growth",
            growth,
            "a non-empty, non-decreasing list of positive numbers",
        )
        object.__setattr__(self, "understaffing_growth", growth)


@dataclass(frozen=True, kw_only=True)
class PublishedBreak:
    """A break of a published shift: its rule name and start (as in ``breaks.csv``)."""

    name: str
    start: pd.Timestamp


@dataclass(frozen=True, kw_only=True)
class PublishedShift:
    """A shift of a published roster (one row of ``roster.csv`` and its breaks).

    Parameters
    ----------
    agent_id
        The agent working it.
    day
        The date the shift starts on.
    template
        Name of its template.
    start
        Its start (naive local time, or tz-aware with a time zone).
    length_minutes
        Start to end, breaks included.
    breaks
        Its breaks, one per break rule of the template.
    """

    agent_id: str
    day: dt.date
    template: str
    start: pd.Timestamp
    length_minutes: int
    breaks: tuple[PublishedBreak, ...] = ()

    def __post_init__(self) -> None:
        where = f"published[{self.agent_id!r}, {self.day}]"
        _require(
            isinstance(self.length_minutes, int) and self.length_minutes > 0,
            f"{where}.length_minutes",
            self.length_minutes,
            "a positive whole number of minutes",
        )
        object.__setattr__(self, "start", pd.Timestamp(self.start))
        object.__setattr__(self, "breaks", tuple(self.breaks))


@dataclass(frozen=True, kw_only=True)
class ChangeWeights:
    """Prices of changing a published roster (cost units, as :class:`Weights`).

    The defaults rank the changes as a supervisor would: adding a shift on a
    published day off, or taking a published shift away, costs as much as
    one agent-hour short (100); moving a shift's start, or changing its
    length, costs 20 plus 5 per hour of the move (so one hour earlier is 25,
    three hours 35); a shift kept in time but on another template costs 10;
    a break or lunch at another time costs 2. A roster therefore moves a
    shift only to close at least a quarter of an agent-hour of
    under-staffing, and breaks move freely to improve coverage but never
    for nothing.

    Parameters
    ----------
    shift_added_or_removed
        Per shift worked on a published day off, or published and no longer worked.
    start_moved, start_moved_per_hour
        Per shift whose start moves, plus per hour of the move.
    length_changed, length_changed_per_hour
        Per shift whose length changes, plus per hour of the change.
    template_changed
        Per shift on another template than published.
    break_moved
        Per break (or lunch) of a kept shift placed at another time.
    """

    shift_added_or_removed: float = 100.0
    start_moved: float = 20.0
    start_moved_per_hour: float = 5.0
    length_changed: float = 20.0
    length_changed_per_hour: float = 5.0
    template_changed: float = 10.0
    break_moved: float = 2.0

    def __post_init__(self) -> None:
        for f in (
            "shift_added_or_removed",
            "start_moved",
            "start_moved_per_hour",
            "length_changed",
            "length_changed_per_hour",
            "template_changed",
            "break_moved",
        ):
            value = getattr(self, f)
            _require(
                _is_finite_number(value) and value >= 0,
                f"change_weights.{f}",
                value,
                "a finite number >= 0",
            )


@dataclass(frozen=True, kw_only=True, eq=False)
class Baseline:
    """A published roster that a new roster should change as little as possible.

    Parameters
    ----------
    shifts
        The published shifts.
    agents
        Agents the published roster covers: their dates without a shift
        were published as days off. Agents of the problem not listed (new
        joiners) have no published roster to keep.
    locked
        ``(agent_id, date)`` pairs that must stay exactly as published: the
        shift (template, start, length) and each of its breaks, or the day off.
    shifts_fixed
        ``(agent_id, date)`` pairs whose shift (or day off) must stay as
        published while its breaks may move within their windows (intraday).
    breaks_fixed
        ``(agent_id, date, break name)`` of published breaks that must stay
        (e.g. breaks already taken).
    breaks_not_before
        Breaks of ``shifts_fixed`` not in ``breaks_fixed`` may not start
        before this time (intraday: breaks are not moved into the past).
    weights
        Prices of each kind of change (:class:`ChangeWeights`).
    """

    shifts: tuple[PublishedShift, ...]
    agents: frozenset[str]
    locked: frozenset[tuple[str, dt.date]] = frozenset()
    shifts_fixed: frozenset[tuple[str, dt.date]] = frozenset()
    breaks_fixed: frozenset[tuple[str, dt.date, str]] = frozenset()
    breaks_not_before: pd.Timestamp | None = None
    weights: ChangeWeights = field(default_factory=ChangeWeights)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shifts", tuple(self.shifts))
        object.__setattr__(self, "shifts_fixed", frozenset(self.shifts_fixed))
        object.__setattr__(self, "breaks_fixed", frozenset(self.breaks_fixed))
        object.__setattr__(self, "agents", frozenset(self.agents))
        object.__setattr__(self, "locked", frozenset(self.locked))
        seen: set[tuple[str, dt.date]] = set()
        for i, s in enumerate(self.shifts):
            key = (s.agent_id, s.day)
            _require(
                key not in seen,
                f"baseline.shifts[{i}]",
                f"{s.agent_id} on {s.day}",
                "at most one published shift per agent and date",
            )
            _require(
                s.agent_id in self.agents,
                f"baseline.shifts[{i}].agent_id",
                s.agent_id,
                "an agent listed in baseline.agents",
            )
            seen.add(key)
        _require(
            isinstance(self.weights, ChangeWeights),
            "baseline.weights",
            type(self.weights).__name__,
            "a ChangeWeights",
        )

    @cached_property
    def by_agent_day(self) -> dict[tuple[str, dt.date], PublishedShift]:
        """The published shift of each (agent, date) that has one."""
        return {(s.agent_id, s.day): s for s in self.shifts}


@dataclass(frozen=True, kw_only=True, eq=False)
class RosterProblem:
    """One planning period of rostering: requirements, shift templates, contracts, agents.

    Parameters
    ----------
    start_date
        First day of the horizon (any weekday).
    requirements
        Per-interval requirements; see the module docstring for the layout.
    templates, contracts, agents
        The building blocks; names must be unique and references resolve.
    days
        Length of the horizon in days: 1 to 7 (one week), or a whole number
        of weeks up to 42 (6 weeks); see :attr:`weeks`.
    interval_minutes
        Grid size: divides 1440, between 5 and 60.
    weights
        Weights of the soft terms.
    soft_rules
        Labour rules made soft, mapped to their penalty per unit of breach
        (hour or day, see :attr:`Rule.unit`). Rules absent are hard.
    weekend_days
        Weekdays counted by ``max_weekend_days`` and weekend fairness.
    late_shift_ends_after
        A shift ending after this clock time (or after midnight) is "late"
        for fairness.
    service
        The service policy the requirements come from, used to report the
        service level the roster achieves (its shrinkage turns scheduled
        coverage into agents on the phone); ``None`` skips that report.
    time_zone
        IANA time zone of the centre's clocks (e.g. ``"Europe/Stockholm"``):
        days are local days with their clock changes, shifts start at local
        clock times and last elapsed time. ``None``: clocks never change.
    baseline
        A published roster to change as little as possible (re-rostering):
        its locked days are kept exactly and every change from it is priced
        (:class:`Baseline`; see :mod:`wfm.roster.changes`). ``None``: none.
    queues
        The queues of a multi-skill centre (:class:`wfm.queues.QueueSet`);
        ``None``: the one queue of ``requirements`` (the model of one queue).
        With queues, every agent's ``skills`` are checked against the set
        (``None`` = every queue) and ``requirements`` is derived (see
        "Several queues" in the module docstring).
    queue_requirements
        With ``queues`` (and only then): the requirement per interval and
        queue, the layout of "Several queues" in the module docstring.
    """

    start_date: dt.date
    requirements: pd.DataFrame = field(default_factory=pd.DataFrame)
    templates: tuple[ShiftTemplate, ...]
    contracts: tuple[Contract, ...]
    agents: tuple[Agent, ...]
    days: int = 7
    interval_minutes: int = 15
    weights: Weights = field(default_factory=Weights)
    soft_rules: Mapping[Rule, float] = field(default_factory=dict)
    weekend_days: frozenset[int] = frozenset({5, 6})
    late_shift_ends_after: dt.time = dt.time(20, 0)
    service: ServicePolicy | None = None
    time_zone: str | None = None
    baseline: Baseline | None = None
    queues: QueueSet | None = None
    queue_requirements: pd.DataFrame | None = None
    #: The interval grid of the horizon, built on construction.
    grid: IntervalGrid = field(init=False, repr=False)

    def __post_init__(self) -> None:
        im = self.interval_minutes
        _require(
            isinstance(im, int) and 5 <= im <= 60 and 1440 % im == 0,
            "interval_minutes",
            im,
            "a whole number of minutes between 5 and 60 that divides 1440",
        )
        _require(
            isinstance(self.days, int)
            and not isinstance(self.days, bool)
            and (1 <= self.days <= 7 or (self.days % 7 == 0 and 7 < self.days <= 42)),
            "days",
            self.days,
            "a whole number of days in [1, 7], or 14, 21, 28, 35 or 42 (whole weeks)",
        )
        _require(
            isinstance(self.start_date, dt.date) and not isinstance(self.start_date, dt.datetime),
            "start_date",
            self.start_date,
            "a date",
        )
        object.__setattr__(self, "templates", tuple(self.templates))
        object.__setattr__(self, "contracts", tuple(self.contracts))
        object.__setattr__(self, "agents", tuple(self.agents))
        object.__setattr__(self, "weekend_days", frozenset(self.weekend_days))
        soft: dict[Rule, float] = {}
        for key, penalty in dict(self.soft_rules).items():
            try:
                rule = Rule(key)
            except ValueError:
                raise ValidationError(
                    "soft_rules", key, f"one of {', '.join(r.value for r in Rule)}"
                ) from None
            _require(
                _is_finite_number(penalty) and penalty >= 0,
                f"soft_rules.{rule.value}",
                penalty,
                "a finite penalty >= 0",
            )
            soft[rule] = float(penalty)
        object.__setattr__(self, "soft_rules", soft)
        _require(
            self.service is None or isinstance(self.service, ServicePolicy),
            "service",
            type(self.service).__name__,
            "a wfm.ServicePolicy or None",
        )
        object.__setattr__(
            self,
            "grid",
            IntervalGrid(
                start_date=self.start_date,
                days=self.days,
                interval_minutes=im,
                time_zone=self.time_zone,
            ),
        )
        self._validate_names()
        self._validate_grid()
        self._validate_agents()
        self._validate_queues()
        self._validate_requirements()
        self._validate_baseline()

    # -- validation ---------------------------------------------------------
    def _validate_names(self) -> None:
        _require(len(self.templates) > 0, "templates", [], "at least one shift template")
        _require(len(self.contracts) > 0, "contracts", [], "at least one contract")
        for kind, items, key in (
            ("templates", self.templates, "name"),
            ("contracts", self.contracts, "name"),
            ("agents", self.agents, "agent_id"),
        ):
            seen: set[str] = set()
            for i, item in enumerate(items):
                name = getattr(item, key)
                _require(name not in seen, f"{kind}[{i}].{key}", name, "a unique name")
                seen.add(name)

    def _validate_grid(self) -> None:
        im = self.interval_minutes
        for i, t in enumerate(self.templates):
            where = f"templates[{i}]"
            for attr in ("start_step_minutes", "min_length_minutes", "length_step_minutes"):
                value = getattr(t, attr)
                _require(value % im == 0, f"{where}.{attr}", value, f"a multiple of {im} minutes")
            if t.max_length_minutes is not None:
                _require(
                    t.max_length_minutes % im == 0,
                    f"{where}.max_length_minutes",
                    t.max_length_minutes,
                    f"a multiple of {im} minutes",
                )
            for attr in ("earliest_start", "latest_start"):
                value = getattr(t, attr)
                _require(
                    _minutes_of(value) % im == 0 and value.second == 0,
                    f"{where}.{attr}",
                    f"{value:%H:%M:%S}",
                    f"a clock time on the {im}-minute grid",
                )
            for b in t.breaks:
                bw = f"{where}.breaks[{b.name!r}]"
                for attr in (
                    "duration_minutes",
                    "earliest_start_after_minutes",
                    "latest_start_after_minutes",
                ):
                    value = getattr(b, attr)
                    _require(value % im == 0, f"{bw}.{attr}", value, f"a multiple of {im} minutes")

    def _validate_agents(self) -> None:
        templates = self.template_index
        contracts = {c.name for c in self.contracts}
        horizon_days = set(self.dates)
        # a shift that began before the horizon ends at most one shift length into it
        longest = max((max(t.lengths_minutes) for t in self.templates), default=1440)
        start = pd.Timestamp(self.start_date)
        latest_end = start + pd.Timedelta(minutes=longest)
        for i, a in enumerate(self.agents):
            where = f"agents[{i}]"
            if a.last_shift_end is not None:
                end = pd.Timestamp(a.last_shift_end)
                if end.tzinfo is not None:
                    end = end.tz_convert(self.time_zone or "UTC").tz_localize(None)
                _require(
                    end <= latest_end,
                    f"{where}.last_shift_end",
                    a.last_shift_end,
                    f"the end of the last shift before the horizon: at most {longest} minutes "
                    f"(the longest template shift) after its start {start:%Y-%m-%d %H:%M}",
                )
            _require(
                a.contract in contracts,
                f"{where}.contract",
                a.contract,
                f"one of the contracts {sorted(contracts)}",
            )
            if a.templates is not None:
                _require(len(a.templates) > 0, f"{where}.templates", [], "at least one template")
                for j, name in enumerate(a.templates):
                    _require(
                        name in templates,
                        f"{where}.templates[{j}]",
                        name,
                        f"one of the templates {sorted(templates)}",
                    )
            for j, p in enumerate(a.preferences):
                if isinstance(p, PreferTemplate):
                    _require(
                        p.template in templates,
                        f"{where}.preferences[{j}].template",
                        p.template,
                        f"one of the templates {sorted(templates)}",
                    )
                _require(
                    _is_finite_number(p.weight) and p.weight >= 0,
                    f"{where}.preferences[{j}].weight",
                    p.weight,
                    "a finite number >= 0",
                )
            for j, pin in enumerate(a.pins):
                _require(
                    pin.day in horizon_days,
                    f"{where}.pins[{j}].day",
                    str(pin.day),
                    f"a date from {self.start_date} to {self.dates[-1]}",
                )
                if pin.template is not None:
                    _require(
                        pin.template in templates,
                        f"{where}.pins[{j}].template",
                        pin.template,
                        f"one of the templates {sorted(templates)}",
                    )

    def _interval_index(self, df: pd.DataFrame, name: str) -> np.ndarray:
        """Grid positions of ``df.interval_start`` (whole, inside the horizon) or a DataError."""
        index = self.grid.positions(df["interval_start"], f"{name}.interval_start")
        bad = pd.Series(np.isnan(index))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{name}.interval_start[row {row}]",
                df["interval_start"].iloc[row],
                "a timestamp",
            )
        origin = self.grid.horizon_start
        for row, (value, raw) in enumerate(zip(index, df["interval_start"], strict=True)):
            if not (0 <= value < self.n_intervals) or value != math.floor(value):
                raise DataError(
                    f"{name}.interval_start[row {row}]",
                    str(raw),
                    f"a {self.interval_minutes}-minute interval start within the horizon "
                    f"{origin} .. {self.horizon_end} (exclusive)",
                )
        return index

    @staticmethod
    def _check_numbers(df: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
        """Finite, non-negative (AHT: positive) numbers in the ``columns`` present."""
        limits = {
            "required_scheduled": (True, MAX_REQUIRED_AGENTS),
            "work_scheduled_agent_hours": (True, math.inf),
            "calls": (True, math.inf),
            "aht_seconds": (False, math.inf),
        }
        for column in columns:
            if column not in df.columns:
                continue
            allow_zero, most = limits[column]
            values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float)
            ok = np.isfinite(values) & ((values >= 0) if allow_zero else (values > 0))
            ok &= ~(values > most)
            if not ok.all():
                row = int(np.flatnonzero(~ok)[0])
                expected = "a finite number >= 0" if allow_zero else "a finite number > 0"
                if math.isfinite(most):
                    expected += f", at most {most:,.0f} agents in one interval"
                raise DataError(f"{name}.{column}[row {row}]", df[column].iloc[row], expected)

    def _validate_requirements(self) -> None:
        df = self.requirements
        _require(isinstance(df, pd.DataFrame), "requirements", type(df).__name__, "a DataFrame")
        for column in ("interval_start", "required_scheduled"):
            if column not in df.columns:
                former = [c for c in FORMER_COLUMN_NAMES.get(column, ()) if c in df.columns]
                renamed = f" (renamed from {former[0]!r} in 0.2)" if former else ""
                raise DataError("requirements", list(df.columns), f"a column {column!r}{renamed}")
        index = self._interval_index(df, "requirements")
        dup = pd.Series(index).duplicated()
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0])
            raise DataError(
                f"requirements.interval_start[row {row}]",
                str(df["interval_start"].iloc[row]),
                "unique intervals",
            )
        self._check_numbers(df, "requirements", ("required_scheduled", "calls", "aht_seconds"))

    def _validate_queues(self) -> None:
        """Queues, their requirements and the agents' skills; derive ``requirements``."""
        queues = self.queues
        table = self.queue_requirements
        if queues is None:
            _require(
                table is None,
                "queue_requirements",
                type(table).__name__,
                "None when no queues are given (the one queue's table is requirements)",
            )
            return
        _require(
            isinstance(queues, QueueSet), "queues", type(queues).__name__, "a wfm.queues.QueueSet"
        )
        given = self.requirements
        _require(
            isinstance(given, pd.DataFrame)
            and (len(given.columns) == 0 or bool(given.attrs.get(DERIVED_FROM_QUEUES))),
            "requirements",
            "a table",
            "left out when queues are given: it is derived from queue_requirements",
        )
        _require(
            isinstance(table, pd.DataFrame),
            "queue_requirements",
            type(table).__name__,
            "a DataFrame when queues are given",
        )
        assert isinstance(table, pd.DataFrame)
        for column in QUEUE_REQUIREMENT_NEEDED:
            if column not in table.columns:
                raise DataError("queue_requirements", list(table.columns), f"a column {column!r}")
        known = {q.name: q for q in queues.queues}
        for row, name in enumerate(table["queue"]):
            queue = known.get(str(name))
            if queue is None:
                raise DataError(
                    f"queue_requirements.queue[row {row}]",
                    name,
                    f"one of the queues {', '.join(queues.names)}",
                )
            if queue.channel is Channel.OUTBOUND:
                raise DataError(
                    f"queue_requirements.queue[row {row}]",
                    name,
                    "a voice, chat or email queue (an outbound queue has no rows)",
                )
        index = self._interval_index(table, "queue_requirements")
        keys = pd.DataFrame({"t": index, "q": table["queue"].astype(str).to_numpy()})
        dup = keys.duplicated()
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0])
            raise DataError(
                f"queue_requirements.interval_start[row {row}]",
                f"{table['interval_start'].iloc[row]} for queue {table['queue'].iloc[row]}",
                "one row per interval and queue",
            )
        self._check_numbers(
            table,
            "queue_requirements",
            ("required_scheduled", "work_scheduled_agent_hours", "calls", "aht_seconds"),
        )
        for i, agent in enumerate(self.agents):
            if agent.skills is not None:
                queues.check_skills(agent.skills, where=f"agents[{i}].skills")
        derived = pd.DataFrame(
            {
                "interval_start": self.interval_starts,
                "required_scheduled": self.aggregate_requirement(),
            }
        )
        derived.attrs[DERIVED_FROM_QUEUES] = True
        object.__setattr__(self, "requirements", derived)

    def _validate_baseline(self) -> None:
        base = self.baseline
        if base is None:
            return
        _require(isinstance(base, Baseline), "baseline", type(base).__name__, "a Baseline or None")
        templates = self.template_index
        known = {a.agent_id for a in self.agents}
        first, last = self.start_date, self.dates[-1]
        for i, s in enumerate(base.shifts):
            where = f"baseline.shifts[{i}]"
            _require(
                first <= s.day <= last,
                f"{where}.day",
                str(s.day),
                f"a date from {first} to {last}",
            )
            _require(
                s.template in templates,
                f"{where}.template",
                s.template,
                f"one of the templates {sorted(templates)}",
            )
            rules = {b.name for b in self.templates[templates[s.template]].breaks}
            for j, b in enumerate(s.breaks):
                _require(
                    b.name in rules,
                    f"{where}.breaks[{j}].name",
                    b.name,
                    f"a break of template {s.template!r}: {sorted(rules)}",
                )
        for agent_id, day in sorted(base.locked):
            _require(
                agent_id in known,
                "baseline.locked",
                f"{agent_id} on {day}",
                "an agent of the problem",
            )
            _require(
                agent_id in base.agents,
                "baseline.locked",
                f"{agent_id} on {day}",
                "an agent the published roster covers",
            )
            _require(
                first <= day <= last,
                "baseline.locked",
                f"{agent_id} on {day}",
                f"a date from {first} to {last}",
            )

    # -- derived grid facts ---------------------------------------------------
    @property
    def intervals_per_day(self) -> int:
        """Intervals in a day without a clock change (see :attr:`grid` for each day's)."""
        return 1440 // self.interval_minutes

    @property
    def n_intervals(self) -> int:
        """Intervals in the horizon (elapsed time: clock changes included)."""
        return self.grid.n_intervals

    def day_first_interval(self, day: int) -> int:
        """First interval of horizon day ``day`` (``day == days``: ``n_intervals``)."""
        return self.grid.day_first[day]

    @property
    def interval_hours(self) -> float:
        """Length of one interval in hours."""
        return self.interval_minutes / 60.0

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """The dates of the horizon, in order."""
        return tuple(self.start_date + dt.timedelta(days=d) for d in range(self.days))

    @property
    def weeks(self) -> tuple[range, ...]:
        """Horizon days of each calendar week of the period, in order.

        Weeks start on the weekday of ``start_date``: week ``k`` holds days
        ``7k .. 7k + 6``; a horizon of at most 7 days is one week.
        """
        return tuple(range(s, min(s + 7, self.days)) for s in range(0, self.days, 7))

    def week_of(self, day: int) -> int:
        """Week of the period (0 first) that horizon day ``day`` belongs to."""
        return day // 7

    @property
    def horizon_end(self) -> pd.Timestamp:
        """First instant after the horizon (tz-aware with a time zone)."""
        return self.grid.horizon_end

    @property
    def interval_starts(self) -> pd.DatetimeIndex:
        """Start of every interval of the horizon (tz-aware with a time zone)."""
        return self.grid.interval_starts

    def _column_on_grid(self, column: str, fill: float) -> np.ndarray:
        out = np.full(self.n_intervals, fill, dtype=float)
        df = self.requirements
        if column not in df.columns:
            return out
        index = self.grid.positions(df["interval_start"], "requirements.interval_start")
        out[index.astype(np.int64)] = pd.to_numeric(df[column]).to_numpy(dtype=float)
        return out

    @cached_property
    def required_scheduled(self) -> np.ndarray:
        """Required scheduled agents (on shift, not on break) per interval (0 where absent)."""
        return self._column_on_grid("required_scheduled", 0.0)

    @cached_property
    def calls(self) -> np.ndarray:
        """Forecast calls per horizon interval (0 where absent or unknown)."""
        return self._column_on_grid("calls", 0.0)

    @cached_property
    def aht_seconds(self) -> np.ndarray:
        """Forecast AHT per horizon interval (NaN where unknown)."""
        return self._column_on_grid("aht_seconds", float("nan"))

    @cached_property
    def queue_series(self) -> dict[str, dict[str, np.ndarray]]:
        """With queues: per queue name, its columns on the horizon grid.

        Keys of each queue: ``required_scheduled`` and
        ``work_scheduled_agent_hours`` (0 where absent), and ``calls``,
        ``aht_seconds`` when the table has them (0 and NaN where absent).
        Outbound queues have zeros. Empty without queues.
        """
        out: dict[str, dict[str, np.ndarray]] = {}
        table = self.queue_requirements
        if self.queues is None or table is None:
            return out
        index = self.grid.positions(table["interval_start"], "queue_requirements.interval_start")
        names = table["queue"].astype(str).to_numpy()
        columns = [("required_scheduled", 0.0), ("work_scheduled_agent_hours", 0.0)]
        columns += [(c, f) for c, f in (("calls", 0.0), ("aht_seconds", math.nan)) if c in table]
        for queue in self.queues.queues:
            mine = names == queue.name
            series: dict[str, np.ndarray] = {}
            for column, fill in columns:
                values = np.full(self.n_intervals, fill, dtype=float)
                values[index[mine].astype(np.int64)] = pd.to_numeric(table[column][mine]).to_numpy(
                    dtype=float
                )
                series[column] = values
            out[queue.name] = series
        return out

    def aggregate_requirement(self) -> np.ndarray:
        """With queues: the one-queue requirement the heuristics use, per interval.

        The sum of the per-interval queues' ``required_scheduled`` plus the
        e-mail work as it arrives (``work_scheduled_agent_hours`` over the
        interval's hours). Neither a bound nor the objective uses it.
        """
        total = np.zeros(self.n_intervals, dtype=float)
        if self.queues is None:
            return total
        for queue in self.queues.queues:
            series = self.queue_series[queue.name]
            if queue.channel.per_interval:
                total += series["required_scheduled"]
            elif queue.channel is Channel.EMAIL:
                total += series["work_scheduled_agent_hours"] / self.interval_hours
        return total

    @cached_property
    def agent_queues(self) -> tuple[tuple[str, ...], ...]:
        """With queues: per agent, the sorted names of the queues the agent may serve."""
        if self.queues is None:
            return tuple(() for _ in self.agents)
        every = tuple(sorted(self.queues.names))
        return tuple(
            every if a.skills is None else tuple(sorted(s.queue for s in a.skills))
            for a in self.agents
        )

    @cached_property
    def skill_groups(self) -> tuple[list[tuple[str, ...]], list[int]]:
        """With queues: :func:`wfm.queues.skill_groups` of the agents (``None`` = every queue)."""
        skills = [tuple(Skill(queue=q) for q in names) for names in self.agent_queues]
        return skill_groups(skills)

    @cached_property
    def template_index(self) -> dict[str, int]:
        """Position of each template by name."""
        return {t.name: i for i, t in enumerate(self.templates)}

    @cached_property
    def contract_by_name(self) -> dict[str, Contract]:
        """Contracts by name."""
        return {c.name: c for c in self.contracts}

    def contract_of(self, agent: Agent) -> Contract:
        """The contract of ``agent``."""
        return self.contract_by_name[agent.contract]

    def cost_per_hour_of(self, agent: Agent) -> float:
        """Cost of one paid hour of ``agent``."""
        if agent.cost_per_hour is not None:
            return agent.cost_per_hour
        return self.contract_of(agent).cost_per_hour

    def is_soft(self, rule: Rule) -> bool:
        """Whether ``rule`` is soft in this problem."""
        return rule in self.soft_rules

    def weekday_of(self, day: int) -> int:
        """Weekday (Monday 0) of horizon day ``day``."""
        return (self.start_date.weekday() + day) % 7


#: ``attrs`` key marking a requirements table derived from ``queue_requirements``.
DERIVED_FROM_QUEUES = "wfm.derived_from_queue_requirements"

#: Columns ``queue_requirements`` must have (the others of the layout are optional).
QUEUE_REQUIREMENT_NEEDED = (
    "interval_start",
    "queue",
    "required_scheduled",
    "work_scheduled_agent_hours",
)

#: Requirement columns renamed in 0.2: each name, and the former names still
#: read (with a deprecation note) from tables users may have in files.
FORMER_COLUMN_NAMES: Mapping[str, tuple[str, ...]] = {
    "required_scheduled": ("required_agents", "agents_scheduled"),
    "required_scheduled_fractional": ("agents_scheduled_fractional",),
    "required_on_phone": ("agents_on_phone",),
    "required_on_phone_fractional": ("agents_on_phone_fractional",),
}


def requirement_column(columns: Iterable[str], name: str) -> tuple[str, str | None] | None:
    """The column of a requirements table that holds ``name``, under its current or former name.

    Parameters
    ----------
    columns
        The columns of the table.
    name
        A current column name, e.g. ``"required_scheduled"``.

    Returns
    -------
    tuple or None
        ``(column, note)``: the column to read and, when it is a former name
        (see :data:`FORMER_COLUMN_NAMES`), a deprecation note naming old ->
        new (``None`` otherwise); ``None`` when neither is present.
    """
    present = set(columns)
    if name in present:
        return name, None
    for former in FORMER_COLUMN_NAMES.get(name, ()):
        if former in present:
            note = (
                f"column {former!r} is read as {name!r}: it was renamed {former!r} -> {name!r} "
                "in wfm 0.2, and the old name will stop being read in a later version"
            )
            return former, note
    return None


def requirements_from_staffing(staffing: pd.DataFrame, *, fractional: bool = False) -> pd.DataFrame:
    """Turn a :func:`wfm.staffing.requirements` table into the roster layout.

    Parameters
    ----------
    staffing
        Output of :func:`wfm.staffing.requirements` (a table with the former
        column names, e.g. ``agents_scheduled``, is read too, with a
        :class:`DeprecationWarning`).
    fractional
        Use ``required_scheduled_fractional`` (aggregate before rounding)
        instead of the integer ``required_scheduled``.

    Returns
    -------
    pandas.DataFrame
        Columns ``interval_start``, ``required_scheduled``, and ``calls`` and
        ``aht_seconds`` where present.
    """
    wanted = "required_scheduled_fractional" if fractional else "required_scheduled"
    found = requirement_column(staffing.columns, wanted)
    if found is None:
        raise DataError("staffing", list(staffing.columns), f"a column {wanted!r}")
    source, note = found
    if note is not None:
        warnings.warn(note, DeprecationWarning, stacklevel=2)
    columns = ["interval_start", source] + [
        c for c in ("calls", "aht_seconds") if c in staffing.columns
    ]
    out = staffing.loc[:, columns].rename(columns={source: "required_scheduled"})
    out["required_scheduled"] = out["required_scheduled"].astype(float)
    return out.reset_index(drop=True)
