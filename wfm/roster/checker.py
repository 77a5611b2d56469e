"""Independent check of a roster against the hard rules of its problem.

The checker reads a roster back as plain tables (``roster.csv`` and
``breaks.csv``, the layouts written by ``RosterResult.write``) and re-derives
every rule from the problem objects on its own: it does not use the shift
expansion, the model or the solver, so a bug there cannot hide itself.

Rules checked
-------------
One public function per rule unit of :mod:`wfm.roster.rules` (each takes an
:class:`AgentWeek` and a :class:`ViolationReport`); :func:`check_roster` runs
the checker of every unit of the registry, agent by agent. Reading the tables
adds ``unknown_agent``, ``unknown_template`` (the row names an agent or
template the problem does not have) and ``break_extra`` (a break row that
matches no shift).

Structural rules, always hard:

:func:`check_assignment`
    ``agent_template``: the agent may not work that template
    (``Agent.templates``). ``shift_day``: the shift's ``date`` is outside the
    horizon, or its ``start`` is not on that date. ``shift_start``: the start
    time is not one of the template's starts (``earliest_start`` ..
    ``latest_start`` every ``start_step_minutes``). ``shift_weekday``: the
    template may not start on that weekday. ``shift_length``: ``end - start``
    is not an allowed length of the template. ``shift_record``:
    ``length_minutes``, ``paid_minutes`` (length minus the template's unpaid
    breaks) or ``weekday`` disagree with the shift. ``one_shift_per_day``: an
    agent has two shifts on one date.
:func:`check_breaks`
    ``break_missing``, ``break_extra``: a shift lacks one of its template's
    breaks, has one twice, or has a break the template does not define.
    ``break_shape``: a break's duration, paid flag or grid position is
    wrong. ``break_window``: a break starts outside its window (minutes after
    the shift's start, both ends inclusive) or does not lie inside the shift.
    ``break_overlap``: two breaks of one shift overlap.

Locks of a published roster, always hard: :func:`check_locks`
(``locked_shift``, ``locked_break``: a locked agent-day of
``RosterProblem.baseline`` differs from the published roster).

Labour rules, hard unless listed in ``RosterProblem.soft_rules`` (the rule
name is the :class:`~wfm.roster.problem.Rule` value; the amount is in
:attr:`Rule.unit <wfm.roster.problem.Rule.unit>`): :func:`check_availability`,
:func:`check_time_off`, :func:`check_pins`, :func:`check_min_hours` and
:func:`check_max_hours` (paid hours in each calendar week of the period,
:attr:`RosterProblem.weeks <wfm.roster.problem.RosterProblem.weeks>`),
:func:`check_min_days` and :func:`check_max_days` (days worked in each
week), :func:`check_min_hours_per_period` and
:func:`check_max_hours_per_period` (paid hours in the whole period),
:func:`check_max_consecutive_days` (counting
``Agent.consecutive_days_worked_before``),
:func:`check_min_consecutive_days_off` (a run of days off with at least one
day in the horizon, which may extend the ``Agent.days_off_before`` days off
just before it; a missing block counts ``min_consecutive_days_off`` days, as
in the roster's violations; in each week, a block ending in it),
:func:`check_min_rest` (rest between shifts,
including ``Agent.last_shift_end``; it also reports ``shift_overlap``, two
shifts of an agent that overlap in time, always hard),
:func:`check_max_weekend_days` (in each week). Rows of a per-week rule carry
the week's first date when the period has more than one week.

Several queues (``RosterProblem.queues``): :func:`check_queue_allocation`
reads ``coverage_by_queue.csv`` beside the roster and reports
``queue_allocation`` (an interval whose coverage allocated over the queues
exceeds the agents on shift and not on break: an agent counted more than
once) and ``queue_skill`` (a queue allocated more agents than those on shift
holding its skill), both hard; :func:`check_roster_files` runs it when the
file is there.

Output layout
-------------
One row per violation: ``rule``, ``agent_id`` (empty for rows matching no
agent), ``date`` (ISO date, empty when not day-specific), ``amount`` (size of
the breach: hours, days, shifts, minutes or a count), ``detail`` (readable
text) and ``hard`` (bool). :func:`check_roster` lists hard violations only
unless ``include_soft=True``, which adds breaches of soft rules with
``hard=False``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import DataError
from wfm.roster.problem import Agent, BreakRule, Contract, RosterProblem, Rule, ShiftTemplate
from wfm.timegrid import parse_stamps

__all__ = [
    "BREAK_COLUMNS",
    "ROSTER_COLUMNS",
    "VIOLATION_COLUMNS",
    "AgentWeek",
    "BreakRecord",
    "RuleChecker",
    "ShiftRecord",
    "ViolationReport",
    "check_assignment",
    "check_availability",
    "check_breaks",
    "check_locks",
    "check_max_consecutive_days",
    "check_max_days",
    "check_max_hours",
    "check_max_hours_per_period",
    "check_max_weekend_days",
    "check_min_consecutive_days_off",
    "check_min_days",
    "check_min_hours",
    "check_min_hours_per_period",
    "check_min_rest",
    "check_pins",
    "check_queue_allocation",
    "check_roster",
    "check_roster_files",
    "check_time_off",
]

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ROSTER_COLUMNS = ("agent_id", "date", "template", "start", "end")
"""Columns of the roster table the checker needs (others are checked if present)."""
BREAK_COLUMNS = ("agent_id", "date", "break", "start", "end")
"""Columns of the breaks table the checker needs (``paid`` is checked if present)."""
VIOLATION_COLUMNS = ("rule", "agent_id", "date", "amount", "detail", "hard")
"""Columns of the table returned by :func:`check_roster`."""

_MINUTE = pd.Timedelta(minutes=1)


@dataclass
class ShiftRecord:
    """One shift read back from a roster table.

    Attributes
    ----------
    row
        Position of the row in the roster table.
    agent_id, day
        The agent and the date the row gives.
    template
        The template named by the row; ``None`` if the problem has none of that name.
    start, end
        The shift's start and end as the row gives them.
    breaks
        The break rows attached to this shift.
    record
        The optional columns present (``weekday``, ``length_minutes``,
        ``paid_minutes``), as read.
    """

    row: int
    agent_id: str
    day: dt.date
    template: ShiftTemplate | None
    start: pd.Timestamp
    end: pd.Timestamp
    breaks: list[BreakRecord]
    record: dict[str, Any]


@dataclass
class BreakRecord:
    """One break read back from a breaks table (``paid`` ``None`` when not given)."""

    row: int
    name: str
    start: pd.Timestamp
    end: pd.Timestamp
    paid: bool | None


def _minutes(delta: pd.Timedelta) -> float:
    return float(delta / _MINUTE)


def _hhmm(stamp: pd.Timestamp) -> str:
    return f"{stamp:%Y-%m-%d %H:%M}"


def _need_columns(table: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    if not isinstance(table, pd.DataFrame):
        raise DataError(name, type(table).__name__, "a DataFrame")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(name, list(table.columns), f"columns {list(columns)} (missing {missing})")


def _timestamps(
    table: pd.DataFrame, name: str, column: str, time_zone: str | None = None
) -> pd.Series:
    """A column of timestamps on the problem's timeline.

    With the problem's ``time_zone`` the stamps are tz-aware in that zone
    (text with UTC offsets converted, naive text read as local time), so that
    differences are elapsed time across a clock change; without one they are
    naive local times.
    """
    raw = table[column]
    where = f"{name}.{column}"
    if time_zone is None and _several_offsets(raw):
        raise DataError(where, raw.iloc[0], "one UTC offset, or a problem with a time_zone")
    # ISO only: "04/01/2027 07:45" would be read month-first without a word
    parsed = parse_stamps(raw, time_zone, where=where)
    bad = parsed.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(f"{where}[row {row}]", raw.iloc[row], "a timestamp YYYY-MM-DD HH:MM")
    if time_zone is None and getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed


def _several_offsets(raw: pd.Series) -> bool:
    if raw.dtype != object:
        return False
    offsets = raw.astype(str).str.extract(r"([+-]\d\d:?\d\d|Z)$", expand=False).dropna()
    return offsets.nunique() > 1


def _wall(stamp: pd.Timestamp) -> pd.Timestamp:
    """The local wall-clock time of a stamp (the stamp itself when naive)."""
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


def _on_timeline(problem: RosterProblem, value: dt.datetime) -> pd.Timestamp:
    """A local date and time the problem gives (time off, a pin, a last shift end) as a stamp
    comparable with the roster's: tz-aware in the problem's zone when it has one (a repeated
    autumn time is its first occurrence, a skipped spring time moves forward)."""
    stamp = pd.Timestamp(value)
    if problem.time_zone is None or stamp.tzinfo is not None:
        return stamp
    return stamp.tz_localize(problem.time_zone, ambiguous=True, nonexistent="shift_forward")


def _dates(table: pd.DataFrame, name: str) -> list[dt.date]:
    stamps = _timestamps(table, name, "date")
    return [_wall(s).date() for s in stamps]


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


class ViolationReport:
    """The violation rows found so far.

    Parameters
    ----------
    problem
        The roster problem (it says which labour rules are soft).
    include_soft
        Keep breaches of soft rules (``hard`` False) instead of dropping them.
    """

    def __init__(self, problem: RosterProblem, include_soft: bool) -> None:
        self.problem = problem
        self.include_soft = include_soft
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        rule: str | Rule,
        agent_id: str,
        day: dt.date | None,
        amount: float,
        detail: str,
    ) -> None:
        """Record one violation; a :class:`Rule` is hard unless the problem makes it soft."""
        hard = True
        if isinstance(rule, Rule):
            hard = not self.problem.is_soft(rule)
            rule = rule.value
        if not hard and not self.include_soft:
            return
        self.rows.append(
            {
                "rule": rule,
                "agent_id": agent_id,
                "date": "" if day is None else day.isoformat(),
                "amount": float(amount),
                "detail": detail,
                "hard": hard,
            }
        )

    def frame(self) -> pd.DataFrame:
        """The rows as a table, sorted by agent, date and rule (stable)."""
        out = pd.DataFrame(self.rows, columns=list(VIOLATION_COLUMNS))
        out["amount"] = out["amount"].astype(float)
        out["hard"] = out["hard"].astype(bool)
        return out.sort_values(["agent_id", "date", "rule"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class AgentWeek:
    """One agent's shifts as read from the tables, with what every rule checker needs.

    Attributes
    ----------
    problem, agent
        The problem and the agent.
    shifts
        The agent's shifts in time order (start, then table row).
    """

    problem: RosterProblem
    agent: Agent
    shifts: tuple[ShiftRecord, ...]

    @property
    def contract(self) -> Contract:
        """The agent's contract."""
        return self.problem.contract_of(self.agent)

    @property
    def in_table_order(self) -> list[ShiftRecord]:
        """The agent's shifts in the order of the roster table."""
        return sorted(self.shifts, key=lambda s: s.row)

    @cached_property
    def per_day(self) -> dict[dt.date, list[ShiftRecord]]:
        """Shifts by the date they start on, in time order."""
        out: dict[dt.date, list[ShiftRecord]] = defaultdict(list)
        for s in self.shifts:
            out[s.day].append(s)
        return dict(out)

    @cached_property
    def worked(self) -> list[bool]:
        """For each date of the horizon, whether the agent has a shift on it."""
        return [d in self.per_day for d in self.problem.dates]

    @cached_property
    def paid_hours(self) -> float:
        """Paid hours of the shifts (length minus the template's unpaid breaks)."""
        paid_minutes = 0.0
        for s in self.shifts:
            unpaid = s.template.unpaid_break_minutes() if s.template is not None else 0
            paid_minutes += _minutes(s.end - s.start) - unpaid
        return paid_minutes / 60.0


RuleChecker = Callable[[AgentWeek, ViolationReport], None]
"""A rule's checker: adds the rule's violations in one agent's week to the report."""


# -- shifts and breaks ------------------------------------------------------------


def _read_shifts(
    problem: RosterProblem, roster: pd.DataFrame, report: ViolationReport
) -> list[ShiftRecord]:
    _need_columns(roster, "roster", ROSTER_COLUMNS)
    days = _dates(roster, "roster")
    starts = _timestamps(roster, "roster", "start", problem.time_zone)
    ends = _timestamps(roster, "roster", "end", problem.time_zone)
    templates = {t.name: t for t in problem.templates}
    agents = {a.agent_id for a in problem.agents}
    agent_ids = roster["agent_id"].tolist()
    names = roster["template"].tolist()
    start_list = starts.tolist()
    end_list = ends.tolist()
    extra = [c for c in ("weekday", "length_minutes", "paid_minutes") if c in roster.columns]
    extra_values = {c: roster[c].tolist() for c in extra}
    shifts: list[ShiftRecord] = []
    for row in range(len(roster)):
        agent_id = _text(agent_ids[row])
        name = _text(names[row])
        day = days[row]
        if agent_id not in agents:
            report.add("unknown_agent", agent_id, day, 1, f"roster row {row}: agent {agent_id!r}")
            continue
        template = templates.get(name)
        if template is None:
            report.add("unknown_template", agent_id, day, 1, f"roster row {row}: template {name!r}")
        shifts.append(
            ShiftRecord(
                row=row,
                agent_id=agent_id,
                day=day,
                template=template,
                start=start_list[row],
                end=end_list[row],
                breaks=[],
                record={c: extra_values[c][row] for c in extra},
            )
        )
    return shifts


def _check_shift_shape(
    problem: RosterProblem, shift: ShiftRecord, agent: Agent, report: ViolationReport
) -> None:
    a, day, template = shift.agent_id, shift.day, shift.template
    where = f"shift {_hhmm(shift.start)}-{_hhmm(shift.end)}"
    first, last = problem.start_date, problem.start_date + dt.timedelta(days=problem.days - 1)
    if not (first <= day <= last):
        report.add("shift_day", a, day, 1, f"{where}: date outside the horizon {first}..{last}")
    if shift.start.date() != day:
        report.add("shift_day", a, day, 1, f"{where}: starts on {shift.start.date()}, not {day}")
    length = _minutes(shift.end - shift.start)
    weekday = day.weekday()
    if "length_minutes" in shift.record:
        value = pd.to_numeric(shift.record["length_minutes"], errors="coerce")
        if not value == length:
            report.add(
                "shift_record",
                a,
                day,
                1,
                f"{where}: length_minutes {value} but end - start {length:g}",
            )
    if "weekday" in shift.record:
        label = _text(shift.record["weekday"])
        if label != WEEKDAY_NAMES[weekday]:
            report.add(
                "shift_record",
                a,
                day,
                1,
                f"{where}: weekday {label!r} but {day} is {WEEKDAY_NAMES[weekday]}",
            )
    if template is None:
        return
    if agent.templates is not None and template.name not in agent.templates:
        report.add(
            "agent_template",
            a,
            day,
            1,
            f"{where}: template {template.name!r} not among {list(agent.templates)}",
        )
    offset = _minutes(_wall(shift.start) - pd.Timestamp(day))
    if offset not in template.start_minutes:
        report.add(
            "shift_start",
            a,
            day,
            1,
            f"{where}: start {shift.start:%H:%M} not an allowed start of {template.name!r} "
            f"({template.earliest_start:%H:%M}..{template.latest_start:%H:%M} every "
            f"{template.start_step_minutes} min)",
        )
    if weekday not in template.weekdays:
        report.add(
            "shift_weekday",
            a,
            day,
            1,
            f"{where}: {template.name!r} may not start on {WEEKDAY_NAMES[weekday]}",
        )
    if length not in template.lengths_minutes:
        report.add(
            "shift_length",
            a,
            day,
            1,
            f"{where}: length {length:g} min not among {list(template.lengths_minutes)}",
        )
    if "paid_minutes" in shift.record:
        paid = pd.to_numeric(shift.record["paid_minutes"], errors="coerce")
        expected = length - template.unpaid_break_minutes()
        if not paid == expected:
            report.add(
                "shift_record",
                a,
                day,
                abs(float(paid) - expected) if paid == paid else 1,
                f"{where}: paid_minutes {paid} but length minus unpaid breaks is {expected:g}",
            )


def _attach_breaks(
    problem: RosterProblem, breaks: pd.DataFrame, shifts: list[ShiftRecord], report: ViolationReport
) -> None:
    _need_columns(breaks, "breaks", BREAK_COLUMNS)
    if len(breaks) == 0:
        return
    days = _dates(breaks, "breaks")
    starts = _timestamps(breaks, "breaks", "start", problem.time_zone)
    ends = _timestamps(breaks, "breaks", "end", problem.time_zone)
    by_key: dict[tuple[str, dt.date], list[ShiftRecord]] = defaultdict(list)
    for shift in shifts:
        by_key[(shift.agent_id, shift.day)].append(shift)
    agent_ids = breaks["agent_id"].tolist()
    names = breaks["break"].tolist()
    paid_flags = breaks["paid"].tolist() if "paid" in breaks.columns else [None] * len(breaks)
    start_list = starts.tolist()
    end_list = ends.tolist()
    for row in range(len(breaks)):
        agent_id = _text(agent_ids[row])
        day = days[row]
        item = BreakRecord(
            row=row,
            name=_text(names[row]),
            start=start_list[row],
            end=end_list[row],
            paid=None if paid_flags[row] is None else _as_bool(paid_flags[row]),
        )
        owners = by_key.get((agent_id, day), [])
        owner = next((s for s in owners if s.start <= item.start < s.end), None)
        if owner is None and owners:
            owner = owners[0]
        if owner is None:
            report.add(
                "break_extra",
                agent_id,
                day,
                1,
                f"break {item.name!r} {_hhmm(item.start)}-{_hhmm(item.end)} matches no shift",
            )
            continue
        owner.breaks.append(item)


def _check_breaks(problem: RosterProblem, shift: ShiftRecord, report: ViolationReport) -> None:
    template = shift.template
    if template is None:
        return
    a, day = shift.agent_id, shift.day
    where = f"shift {_hhmm(shift.start)}-{_hhmm(shift.end)}"
    rules: dict[str, BreakRule] = {b.name: b for b in template.breaks}
    seen: dict[str, int] = defaultdict(int)
    for item in shift.breaks:
        seen[item.name] += 1
        rule = rules.get(item.name)
        span = f"{where}: break {item.name!r} {item.start:%H:%M}-{item.end:%H:%M}"
        if rule is None:
            report.add("break_extra", a, day, 1, f"{span} is not a break of {template.name!r}")
            continue
        duration = _minutes(item.end - item.start)
        if duration != rule.duration_minutes:
            report.add(
                "break_shape",
                a,
                day,
                abs(duration - rule.duration_minutes),
                f"{span}: lasts {duration:g} min, expected {rule.duration_minutes}",
            )
        if item.paid is not None and item.paid != rule.paid:
            report.add(
                "break_shape", a, day, 1, f"{span}: paid={item.paid}, expected paid={rule.paid}"
            )
        after = _minutes(item.start - shift.start)
        if after % problem.interval_minutes != 0:
            report.add(
                "break_shape",
                a,
                day,
                1,
                f"{span}: not on the {problem.interval_minutes}-minute grid",
            )
        if after < rule.earliest_start_after_minutes:
            report.add(
                "break_window",
                a,
                day,
                rule.earliest_start_after_minutes - after,
                f"{span}: starts {after:g} min after the shift's start, earliest "
                f"{rule.earliest_start_after_minutes}",
            )
        elif after > rule.latest_start_after_minutes:
            report.add(
                "break_window",
                a,
                day,
                after - rule.latest_start_after_minutes,
                f"{span}: starts {after:g} min after the shift's start, latest "
                f"{rule.latest_start_after_minutes}",
            )
        if item.end > shift.end or item.start < shift.start:
            outside = max(_minutes(item.end - shift.end), _minutes(shift.start - item.start), 0.0)
            report.add("break_window", a, day, outside, f"{span}: not inside the shift")
    for name in rules:
        if seen[name] == 0:
            report.add("break_missing", a, day, 1, f"{where}: no break {name!r}")
        elif seen[name] > 1:
            report.add(
                "break_extra", a, day, seen[name] - 1, f"{where}: break {name!r} {seen[name]} times"
            )
    ordered = sorted(shift.breaks, key=lambda b: b.start)
    for first, second in itertools.pairwise(ordered):
        if second.start < first.end:
            report.add(
                "break_overlap",
                a,
                day,
                _minutes(first.end - second.start),
                f"{where}: breaks {first.name!r} and {second.name!r} overlap",
            )


# -- one checker per rule unit ------------------------------------------------------


def check_assignment(week: AgentWeek, report: ViolationReport) -> None:
    """Shift shapes against their templates, and at most one shift per agent and date."""
    for shift in week.in_table_order:
        _check_shift_shape(week.problem, shift, week.agent, report)
    for day, items in week.per_day.items():
        if len(items) > 1:
            report.add(
                "one_shift_per_day",
                week.agent.agent_id,
                day,
                len(items) - 1,
                f"{len(items)} shifts on {day}",
            )


def check_breaks(week: AgentWeek, report: ViolationReport) -> None:
    """Every shift has each break of its template once, in its window, without overlap."""
    for shift in week.in_table_order:
        _check_breaks(week.problem, shift, report)


def _inside_availability(agent: Agent, shift: ShiftRecord) -> bool:
    if agent.availability is None:
        return True
    midnight = pd.Timestamp(shift.day)
    start = _minutes(_wall(shift.start) - midnight)
    end = start + _minutes(shift.end - shift.start)
    weekday = shift.day.weekday()
    return any(
        w.weekday == weekday and w.start_minutes <= start and end <= w.end_minutes
        for w in agent.availability
    )


def check_availability(week: AgentWeek, report: ViolationReport) -> None:
    """Each shift lies inside one availability window of its weekday (1 per shift)."""
    for s in week.shifts:
        if not _inside_availability(week.agent, s):
            report.add(
                Rule.AVAILABILITY,
                week.agent.agent_id,
                s.day,
                1,
                f"shift {_hhmm(s.start)}-{_hhmm(s.end)} outside the agent's availability",
            )


def check_time_off(week: AgentWeek, report: ViolationReport) -> None:
    """No shift overlaps the agent's time off (1 per shift)."""
    for s in week.shifts:
        for off in week.agent.time_off:
            problem = week.problem
            if _on_timeline(problem, off.start) < s.end and s.start < _on_timeline(
                problem, off.end
            ):
                report.add(
                    Rule.TIME_OFF,
                    week.agent.agent_id,
                    s.day,
                    1,
                    f"shift {_hhmm(s.start)}-{_hhmm(s.end)} overlaps time off "
                    f"{off.start:%Y-%m-%d %H:%M}-{off.end:%Y-%m-%d %H:%M}",
                )
                break


def check_pins(week: AgentWeek, report: ViolationReport) -> None:
    """Pinned days off stay off; pinned working days have the pinned shift (1 per shift)."""
    a = week.agent.agent_id
    for pin in week.agent.pins:
        items = week.per_day.get(pin.day, [])
        if pin.off:
            if items:
                report.add(Rule.PINS, a, pin.day, len(items), f"pinned off on {pin.day} but works")
            continue
        if not items:
            report.add(Rule.PINS, a, pin.day, 1, f"pinned to work on {pin.day} but has no shift")
            continue
        for s in items:
            problems = []
            if pin.template is not None and (s.template is None or s.template.name != pin.template):
                problems.append(f"template {pin.template!r}")
            if pin.start is not None and s.start != _on_timeline(
                week.problem, dt.datetime.combine(pin.day, pin.start)
            ):
                problems.append(f"start {pin.start:%H:%M}")
            if pin.length_minutes is not None and _minutes(s.end - s.start) != pin.length_minutes:
                problems.append(f"length {pin.length_minutes} min")
            if problems:
                report.add(
                    Rule.PINS,
                    a,
                    pin.day,
                    1,
                    f"shift {_hhmm(s.start)}-{_hhmm(s.end)} against the pin "
                    f"({', '.join(problems)})",
                )


def check_locks(week: AgentWeek, report: ViolationReport) -> None:
    """Locked agent-days of a published roster (``problem.baseline``) are as published.

    ``locked_shift`` (1 per agent-day): a locked published day off has a
    shift, or a locked published shift is missing or has another template,
    start or end. ``locked_break`` (1 per break): a break of a locked shift
    is missing or starts at another time than published.
    """
    base = week.problem.baseline
    if base is None:
        return
    a = week.agent.agent_id
    for agent_id, day in sorted(base.locked):
        if agent_id != a:
            continue
        items = week.per_day.get(day, [])
        published = base.by_agent_day.get((a, day))
        if published is None:
            if items:
                report.add("locked_shift", a, day, len(items), f"locked day off on {day} worked")
            continue
        end = published.start + pd.Timedelta(minutes=published.length_minutes)
        kept = [
            s
            for s in items
            if s.template is not None
            and s.template.name == published.template
            and s.start == published.start
            and s.end == end
        ]
        if len(kept) != 1 or len(items) != 1:
            report.add(
                "locked_shift",
                a,
                day,
                1,
                f"locked shift {published.template} {_hhmm(published.start)}-{_hhmm(end)} not kept",
            )
            continue
        starts = {b.name: b.start for b in kept[0].breaks}
        for b in published.breaks:
            if starts.get(b.name) != b.start:
                report.add(
                    "locked_break",
                    a,
                    day,
                    1,
                    f"locked break {b.name} at {_hhmm(b.start)} moved or missing",
                )


def _weeks(week: AgentWeek) -> list[tuple[dt.date | None, str, list[bool], float]]:
    """Per calendar week of the period: report date, label, days worked, paid hours.

    The report date is the week's first date, ``None`` for a one-week horizon.
    """
    problem = week.problem
    dates = problem.dates
    out: list[tuple[dt.date | None, str, list[bool], float]] = []
    for days in problem.weeks:
        first, last = dates[days.start], dates[days.stop - 1]
        paid_minutes = 0.0
        for s in week.shifts:
            if first <= s.day <= last:
                unpaid = s.template.unpaid_break_minutes() if s.template is not None else 0
                paid_minutes += _minutes(s.end - s.start) - unpaid
        single = len(problem.weeks) == 1
        out.append(
            (
                None if single else first,
                "" if single else f" in the week {first}..{last}",
                [week.worked[d] for d in days],
                paid_minutes / 60.0,
            )
        )
    return out


def check_min_hours(week: AgentWeek, report: ViolationReport) -> None:
    """Paid hours in each week at least the contract's minimum (hours short)."""
    contract = week.contract
    for day, label, _, hours in _weeks(week):
        if hours < contract.min_hours_per_week - 1e-9:
            report.add(
                Rule.MIN_HOURS,
                week.agent.agent_id,
                day,
                contract.min_hours_per_week - hours,
                f"{hours:g} paid hours{label}, contract minimum {contract.min_hours_per_week:g}",
            )


def check_max_hours(week: AgentWeek, report: ViolationReport) -> None:
    """Paid hours in each week at most the contract's maximum (hours over)."""
    contract = week.contract
    for day, label, _, hours in _weeks(week):
        if hours > contract.max_hours_per_week + 1e-9:
            report.add(
                Rule.MAX_HOURS,
                week.agent.agent_id,
                day,
                hours - contract.max_hours_per_week,
                f"{hours:g} paid hours{label}, contract maximum {contract.max_hours_per_week:g}",
            )


def check_min_hours_per_period(week: AgentWeek, report: ViolationReport) -> None:
    """Paid hours in the whole period at least the contract's minimum (hours short)."""
    hours, low = week.paid_hours, week.contract.min_hours_per_period
    if hours < low - 1e-9:
        report.add(
            Rule.MIN_HOURS_PERIOD,
            week.agent.agent_id,
            None,
            low - hours,
            f"{hours:g} paid hours in the period, contract minimum {low:g}",
        )


def check_max_hours_per_period(week: AgentWeek, report: ViolationReport) -> None:
    """Paid hours in the whole period at most the contract's maximum (hours over)."""
    hours, high = week.paid_hours, week.contract.max_hours_per_period
    if high is not None and hours > high + 1e-9:
        report.add(
            Rule.MAX_HOURS_PERIOD,
            week.agent.agent_id,
            None,
            hours - high,
            f"{hours:g} paid hours in the period, contract maximum {high:g}",
        )


def check_min_days(week: AgentWeek, report: ViolationReport) -> None:
    """Days worked in each week at least the contract's minimum (days short)."""
    contract = week.contract
    for day, label, worked, _ in _weeks(week):
        n_days = sum(worked)
        if n_days < contract.min_days_per_week:
            report.add(
                Rule.MIN_DAYS,
                week.agent.agent_id,
                day,
                contract.min_days_per_week - n_days,
                f"{n_days} days worked{label}, contract minimum {contract.min_days_per_week}",
            )


def check_max_days(week: AgentWeek, report: ViolationReport) -> None:
    """Days worked in each week at most the contract's maximum (days over)."""
    contract = week.contract
    for day, label, worked, _ in _weeks(week):
        n_days = sum(worked)
        if n_days > contract.max_days_per_week:
            report.add(
                Rule.MAX_DAYS,
                week.agent.agent_id,
                day,
                n_days - contract.max_days_per_week,
                f"{n_days} days worked{label}, contract maximum {contract.max_days_per_week}",
            )


def check_max_consecutive_days(week: AgentWeek, report: ViolationReport) -> None:
    """Runs of working days, counting those just before the horizon (1 per day beyond)."""
    limit = week.contract.max_consecutive_days
    run = week.agent.consecutive_days_worked_before
    for day, w in zip(week.problem.dates, week.worked, strict=True):
        run = run + 1 if w else 0
        if w and run > limit:
            report.add(
                Rule.MAX_CONSECUTIVE_DAYS,
                week.agent.agent_id,
                day,
                1,
                f"day {run} in a row on {day}, contract maximum {limit}",
            )


def check_min_consecutive_days_off(week: AgentWeek, report: ViolationReport) -> None:
    """In each week, a block of consecutive days off ending in it, which may start before it.

    A block may begin in the week before, or in the ``Agent.days_off_before``
    days off just before the horizon. A missing block counts
    ``min_consecutive_days_off`` days.
    """
    block = week.contract.min_consecutive_days_off
    if block < 2:
        return
    before = week.agent.days_off_before
    off_run = before
    runs: list[int] = []
    for w in week.worked:
        off_run = 0 if w else off_run + 1
        runs.append(off_run)
    for (day, label, _, _), days in zip(_weeks(week), week.problem.weeks, strict=True):
        best = max(runs[d] for d in days)
        if best < block:
            report.add(
                Rule.MIN_CONSECUTIVE_DAYS_OFF,
                week.agent.agent_id,
                day,
                block,
                f"longest block of days off{label} is {best} (counting {before} before "
                f"the horizon), contract minimum {block}",
            )


def check_min_rest(week: AgentWeek, report: ViolationReport) -> None:
    """Rest between shifts, including the last shift before the horizon (hours short).

    Two shifts that overlap in time are reported as ``shift_overlap`` (always
    hard), as the model forbids them in the same rule family.
    """
    a = week.agent.agent_id
    for first, second in itertools.pairwise(week.shifts):
        if second.start < first.end:
            report.add(
                "shift_overlap",
                a,
                second.day,
                _minutes(first.end - second.start),
                f"shift {_hhmm(second.start)} starts before the shift ending {_hhmm(first.end)}",
            )
    rest = week.contract.min_rest_hours
    last = week.agent.last_shift_end
    previous_end = _on_timeline(week.problem, last) if last else None
    for s in week.shifts:
        if previous_end is not None:
            gap = _minutes(s.start - previous_end) / 60.0
            if gap < rest - 1e-9:
                report.add(
                    Rule.MIN_REST,
                    a,
                    s.day,
                    rest - gap,
                    f"{gap:g} h rest before the shift at {_hhmm(s.start)} "
                    f"(previous end {_hhmm(previous_end)}), contract minimum {rest:g} h",
                )
        previous_end = s.end if previous_end is None else max(previous_end, s.end)


def check_max_weekend_days(week: AgentWeek, report: ViolationReport) -> None:
    """Working days among the problem's weekend days in each week at most the contract's limit."""
    problem, contract = week.problem, week.contract
    for (day, label, worked, _), days in zip(_weeks(week), problem.weeks, strict=True):
        weekend = sum(
            1
            for d, w in zip(days, worked, strict=True)
            if w and problem.dates[d].weekday() in problem.weekend_days
        )
        if weekend > contract.max_weekend_days:
            report.add(
                Rule.MAX_WEEKEND_DAYS,
                week.agent.agent_id,
                day,
                weekend - contract.max_weekend_days,
                f"{weekend} weekend days worked{label}, contract maximum "
                f"{contract.max_weekend_days}",
            )


# -- public API -------------------------------------------------------------------


def check_roster(
    problem: RosterProblem,
    roster: pd.DataFrame,
    breaks: pd.DataFrame | None = None,
    *,
    include_soft: bool = False,
    rules: Iterable[str | Rule] | None = None,
) -> pd.DataFrame:
    """Every hard-rule violation of a roster, re-derived from the problem.

    Parameters
    ----------
    problem
        The roster problem the roster claims to solve.
    roster
        One row per shift: ``agent_id``, ``date``, ``template``, ``start``,
        ``end`` (strings as in ``roster.csv`` or timestamps); ``weekday``,
        ``length_minutes`` and ``paid_minutes`` are checked when present.
    breaks
        One row per break: ``agent_id``, ``date``, ``break``, ``start``,
        ``end`` and optionally ``paid``. ``None`` means no breaks at all
        (every template break is then reported missing).
    include_soft
        Also list breaches of rules in ``problem.soft_rules`` (``hard`` False).
    rules
        Names of the rule units of :data:`wfm.roster.rules.RULES` whose
        checkers run (default: all). Rows found while reading the tables
        (unknown agents and templates, breaks matching no shift) are always listed.

    Returns
    -------
    pandas.DataFrame
        Columns ``rule``, ``agent_id``, ``date``, ``amount``, ``detail``,
        ``hard``; empty when the roster obeys every hard rule. See the module
        docstring for the rule names.

    Raises
    ------
    DataError
        If a table lacks a needed column or holds an unreadable date or time.
    ValidationError
        If ``rules`` names no rule unit.
    """
    # the registry names this module's checkers, so it is read when called
    from wfm.roster.rules import RULES, rule_unit

    units = RULES if rules is None else tuple(rule_unit(name) for name in rules)
    checkers = [unit.checker for unit in units if unit.checker is not None]
    report = ViolationReport(problem, include_soft)
    shifts = _read_shifts(problem, roster, report)
    if breaks is None:
        breaks = pd.DataFrame(columns=list(BREAK_COLUMNS))
    _attach_breaks(problem, breaks, shifts, report)
    by_agent: dict[str, list[ShiftRecord]] = defaultdict(list)
    for shift in shifts:
        by_agent[shift.agent_id].append(shift)
    for agent in problem.agents:
        mine = sorted(by_agent.get(agent.agent_id, []), key=lambda s: (s.start, s.row))
        week = AgentWeek(problem=problem, agent=agent, shifts=tuple(mine))
        for check in checkers:
            check(week, report)
    return report.frame()


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataError(str(path), "an empty file", "a CSV file with a header row") from None


def check_roster_files(
    problem: RosterProblem, directory: str | Path, *, include_soft: bool = False
) -> pd.DataFrame:
    """:func:`check_roster` on ``roster.csv`` and ``breaks.csv`` in ``directory``.

    Parameters
    ----------
    problem
        The roster problem.
    directory
        Folder written by ``RosterResult.write``. ``breaks.csv`` may be absent
        when no template has breaks.
    include_soft
        Also list breaches of soft rules.

    Returns
    -------
    pandas.DataFrame
        As :func:`check_roster`.

    Raises
    ------
    OSError
        If ``roster.csv`` cannot be read.
    DataError
        As :func:`check_roster`.
    """
    folder = Path(directory)
    roster = _read_csv(folder / "roster.csv")
    breaks_path = folder / "breaks.csv"
    breaks = _read_csv(breaks_path) if breaks_path.exists() else None
    try:
        found = check_roster(problem, roster, breaks, include_soft=include_soft)
        by_queue_path = folder / "coverage_by_queue.csv"
        if problem.queues is not None and by_queue_path.exists():
            by_queue = check_queue_allocation(problem, roster, breaks, _read_csv(by_queue_path))
            if len(by_queue):
                found = pd.concat([found, by_queue], ignore_index=True)
        return found
    except DataError as exc:
        # name the line of the file (header = line 1) rather than the table row
        field = re.sub(r"\[row (\d+)\]", lambda m: f"[line {int(m.group(1)) + 2}]", exc.field)
        raise DataError(field, exc.value, exc.expected) from None


def check_queue_allocation(
    problem: RosterProblem,
    roster: pd.DataFrame,
    breaks: pd.DataFrame | None,
    coverage_by_queue: pd.DataFrame,
    *,
    tolerance: float = 1e-6,
) -> pd.DataFrame:
    """The allocation of a roster with queues counts each agent at most once per interval.

    Parameters
    ----------
    problem
        A problem with ``queues``.
    roster, breaks
        As :func:`check_roster`.
    coverage_by_queue
        The ``coverage_by_queue`` table (``interval_start``, ``queue``,
        ``coverage_scheduled``).
    tolerance
        Agents by which the allocation may exceed without a row (rounding).

    Returns
    -------
    pandas.DataFrame
        Rows ``queue_allocation`` (amount: agents allocated beyond those on
        shift and not on break in the interval) and ``queue_skill`` (agents
        allocated to a queue beyond those on shift holding its skill), in
        the layout of :func:`check_roster`; empty when the allocation is sound.
        Agents with no voice or chat skill may be idle, so the allocation
        may fall short of the coverage.
    """
    _need_columns(coverage_by_queue, "coverage_by_queue", ("interval_start", "queue"))
    _need_columns(coverage_by_queue, "coverage_by_queue", ("coverage_scheduled",))
    report = ViolationReport(problem, include_soft=False)
    shifts = _read_shifts(problem, roster, report)
    if breaks is not None:
        _attach_breaks(problem, breaks, shifts, report)
    report.rows.clear()  # the roster's own rules are check_roster's
    n = problem.n_intervals
    names = [] if problem.queues is None else list(problem.queues.names)
    skilled = {q: np.zeros(n) for q in names}
    on_shift = np.zeros(n)
    index = {a.agent_id: i for i, a in enumerate(problem.agents)}
    for shift in shifts:
        present = np.zeros(n)
        spans = [(shift.start, shift.end, 1.0)] + [(b.start, b.end, -1.0) for b in shift.breaks]
        for begin, end, sign in spans:
            first, last = problem.grid.positions(pd.Series([begin, end]), "roster.start")
            present[max(0, int(first)) : max(0, min(n, int(last)))] += sign
        on_shift += present
        for q in problem.agent_queues[index[shift.agent_id]]:
            skilled[q] += present
    stamps = _timestamps(
        coverage_by_queue, "coverage_by_queue", "interval_start", problem.time_zone
    )
    where = problem.grid.positions(stamps, "coverage_by_queue.interval_start").astype(int)
    values = pd.to_numeric(coverage_by_queue["coverage_scheduled"]).to_numpy(dtype=float)
    queue_of = coverage_by_queue["queue"].astype(str).to_numpy()
    allocated = np.zeros(n)
    np.add.at(allocated, where, values)
    for t in np.flatnonzero(allocated > on_shift + tolerance).tolist():
        day = problem.dates[problem.grid.day_of(t)]
        report.add(
            "queue_allocation",
            "",
            day,
            allocated[t] - on_shift[t],
            f"{problem.interval_starts[t]}: {allocated[t]:g} agents allocated over the queues, "
            f"{on_shift[t]:g} on shift and not on break",
        )
    for q in names:
        mine = queue_of == q
        per_queue = np.zeros(n)
        np.add.at(per_queue, where[mine], values[mine])
        for t in np.flatnonzero(per_queue > skilled[q] + tolerance).tolist():
            day = problem.dates[problem.grid.day_of(t)]
            report.add(
                "queue_skill",
                "",
                day,
                per_queue[t] - skilled[q][t],
                f"{problem.interval_starts[t]}: {per_queue[t]:g} agents on queue {q!r}, "
                f"{skilled[q][t]:g} on shift with its skill",
            )
    return report.frame()
