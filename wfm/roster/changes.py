"""Re-rostering: change a published roster as little as the changes require.

Once a roster is published, the work is changes: an agent calls in sick,
asks for time off, a new hire starts, someone leaves, the requirements are
revised. :func:`reroster` takes the problem the roster was published for,
the published shifts (:func:`wfm.roster.published.read_published`), the
changes (:class:`RosterChanges`) and the days to lock (:class:`Locks`), and
solves the changed problem with the published roster as its
:class:`~wfm.roster.problem.Baseline`: locked agent-days keep their shift and
breaks exactly, and every other change from the published roster is priced
by :class:`~wfm.roster.problem.ChangeWeights` (documented defaults) on top of
the roster's usual objective (coverage, paid cost, wishes, fairness). The
search starts from the published roster itself.

Change table
------------
:func:`change_table` compares a new roster with the published one, one row
per agent and date that changed:

``agent_id``, ``date``
    The agent and the date the shift starts on.
``change``
    ``added`` (a shift on a published day off), ``removed`` (a published
    shift no longer worked), ``moved`` (start, length or template changed),
    ``breaks_moved`` (the same shift, some break or lunch at another time).
``published``, ``new``
    The shift as text (``"early 08:00-16:30"``), empty for a day off.
``start_moved_minutes``
    New start minus published start (0 unless both are worked).
``length_changed_minutes``
    New length minus published length (0 unless both are worked).
``paid_hours_changed``
    New paid hours minus published paid hours of that agent-day.
``breaks_moved``
    Breaks of a kept shift (same template and start) at another time.
``reason``
    ``left`` (the agent left), ``joined`` (a new agent), ``time_off`` (the
    agent's new time off overlaps the published shift),
    ``availability`` (the agent's availability changed and no longer
    holds the published shift), otherwise ``rebalanced`` (moved to cover
    the changes elsewhere).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from wfm.errors import ValidationError
from wfm.roster.options import SolverOptions
from wfm.roster.problem import (
    Agent,
    AvailabilityWindow,
    Baseline,
    ChangeWeights,
    PublishedShift,
    RosterProblem,
    TimeOff,
)
from wfm.roster.result import ProgressEvent, RosterResult
from wfm.roster.shifts import agent_options, shift_options
from wfm.roster.solve import solve

__all__ = [
    "CHANGE_COLUMNS",
    "ChangeSummary",
    "Locks",
    "RerosterResult",
    "RosterChanges",
    "apply_changes",
    "change_summary",
    "change_table",
    "reroster",
]

CHANGE_COLUMNS = (
    "agent_id",
    "date",
    "change",
    "published",
    "new",
    "start_moved_minutes",
    "length_changed_minutes",
    "paid_hours_changed",
    "breaks_moved",
    "reason",
)
"""Columns of :func:`change_table` (see the module docstring)."""


@dataclass(frozen=True, kw_only=True)
class RosterChanges:
    """What changed since the roster was published.

    Parameters
    ----------
    time_off
        New time off (absences, granted leave) per agent id, added to the
        agent's time off.
    availability
        Replaced weekly availability per agent id (``None``: always available).
    requirements
        Revised requirements (the layout of :class:`~wfm.roster.problem.RosterProblem`);
        ``None`` keeps the published ones.
    joining
        New agents (no published roster to keep).
    leaving
        Ids of agents who left: their published shifts are removed.
    """

    time_off: Mapping[str, tuple[TimeOff, ...]] = field(default_factory=dict)
    availability: Mapping[str, tuple[AvailabilityWindow, ...] | None] = field(default_factory=dict)
    requirements: pd.DataFrame | None = None
    joining: tuple[Agent, ...] = ()
    leaving: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "time_off", {k: tuple(v) for k, v in self.time_off.items()})
        object.__setattr__(self, "availability", dict(self.availability))
        object.__setattr__(self, "joining", tuple(self.joining))
        object.__setattr__(self, "leaving", frozenset(self.leaving))


@dataclass(frozen=True, kw_only=True)
class Locks:
    """Agent-days of the published roster that must stay exactly as published.

    The locked agent-days are the union of: every date before ``before``;
    every date of the ``agents`` listed; every agent on the ``days`` listed;
    the ``pairs`` (agent id, date) listed.
    """

    before: dt.date | None = None
    agents: frozenset[str] = frozenset()
    days: frozenset[dt.date] = frozenset()
    pairs: frozenset[tuple[str, dt.date]] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "agents", frozenset(self.agents))
        object.__setattr__(self, "days", frozenset(self.days))
        object.__setattr__(self, "pairs", frozenset(self.pairs))

    def agent_days(self, problem: RosterProblem) -> frozenset[tuple[str, dt.date]]:
        """The locked (agent id, date) pairs among the agents and dates of ``problem``."""
        out = set(self.pairs)
        for agent in problem.agents:
            for date in problem.dates:
                if (
                    (self.before is not None and date < self.before)
                    or agent.agent_id in self.agents
                    or date in self.days
                ):
                    out.add((agent.agent_id, date))
        return frozenset(out)


@dataclass(frozen=True, kw_only=True)
class ChangeSummary:
    """Totals of a change table.

    Attributes
    ----------
    shifts_added, shifts_removed, shifts_moved
        Rows of each kind (``moved``: start, length or template changed).
    breaks_moved
        Breaks of kept shifts placed at another time.
    paid_hours_changed
        Net change of paid hours (new minus published).
    paid_hours_changed_abs
        Sum over agent-days of the absolute change of paid hours (hours
        added to or taken from someone's week).
    agents_touched
        Agents with at least one changed agent-day.
    locked_agent_days
        Agent-days locked.
    """

    shifts_added: int
    shifts_removed: int
    shifts_moved: int
    breaks_moved: int
    paid_hours_changed: float
    paid_hours_changed_abs: float
    agents_touched: int
    locked_agent_days: int

    def to_dict(self) -> dict[str, Any]:
        """The summary as a plain dict (for ``summary.json``)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True, kw_only=True, eq=False)
class RerosterResult:
    """A re-rostered period: the new roster and what changed.

    Attributes
    ----------
    result
        The roster of the changed problem (its tables and summary).
    problem
        The changed problem, with the published roster as its baseline.
    changes
        The change table (:data:`CHANGE_COLUMNS`).
    summary
        Its totals.
    """

    result: RosterResult
    problem: RosterProblem
    changes: pd.DataFrame
    summary: ChangeSummary


def apply_changes(problem: RosterProblem, changes: RosterChanges) -> RosterProblem:
    """The problem with ``changes`` applied (new time off, availability, requirements, agents).

    Raises
    ------
    ValidationError
        A change names an agent the problem does not have, or a joining
        agent has the id of an agent who stays.
    """
    known = {a.agent_id for a in problem.agents}
    for name, keys in (
        ("changes.time_off", changes.time_off),
        ("changes.availability", changes.availability),
        ("changes.leaving", changes.leaving),
    ):
        for key in sorted(keys):
            if key not in known:
                raise ValidationError(name, key, f"an agent of the roster ({len(known)} agents)")
    staying = known - changes.leaving
    for i, agent in enumerate(changes.joining):
        if agent.agent_id in staying:
            raise ValidationError(
                f"changes.joining[{i}].agent_id", agent.agent_id, "an id no other agent has"
            )
    agents: list[Agent] = []
    for agent in problem.agents:
        if agent.agent_id in changes.leaving:
            continue
        update: dict[str, Any] = {}
        if agent.agent_id in changes.time_off:
            update["time_off"] = agent.time_off + changes.time_off[agent.agent_id]
        if agent.agent_id in changes.availability:
            update["availability"] = changes.availability[agent.agent_id]
        agents.append(dataclasses.replace(agent, **update) if update else agent)
    agents += changes.joining
    update_problem: dict[str, Any] = {"agents": tuple(agents)}
    if changes.requirements is not None:
        update_problem["requirements"] = changes.requirements
    return dataclasses.replace(problem, **update_problem)


def _check_locks(
    problem: RosterProblem,
    shifts: tuple[PublishedShift, ...],
    locked: frozenset[tuple[str, dt.date]],
) -> None:
    """Every locked published shift must still be allowed in the changed problem."""
    if not locked:
        return
    options = shift_options(problem)
    allowed = agent_options(problem, options)
    index = {a.agent_id: i for i, a in enumerate(problem.agents)}
    im = problem.interval_minutes
    by_key = {(s.agent_id, s.day): s for s in shifts}
    starts = problem.grid.positions(
        pd.Series([s.start for s in shifts], dtype=object), "published.start"
    )
    position = {(s.agent_id, s.day): starts[i] for i, s in enumerate(shifts)}
    for agent_id, day in sorted(locked):
        shift = by_key.get((agent_id, day))
        if shift is None or agent_id not in index:
            continue
        template = problem.template_index.get(shift.template)
        ok = any(
            options[ao.option].template == template
            and options[ao.option].start == position[(agent_id, day)]
            and options[ao.option].length * im == shift.length_minutes
            and not ao.breaches
            for ao in allowed[index[agent_id]]
        )
        if not ok:
            raise ValidationError(
                "locks",
                f"{agent_id} on {day}",
                f"agent-days whose published shift ({shift.template} "
                f"{shift.start:%H:%M}, {shift.length_minutes} min) the changed problem still "
                "allows: unlock it, or drop the change that forbids it",
            )


def reroster(
    problem: RosterProblem,
    published: tuple[PublishedShift, ...],
    changes: RosterChanges | None = None,
    *,
    locks: Locks | None = None,
    weights: ChangeWeights | None = None,
    options: SolverOptions | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    compute_bound: bool = True,
) -> RerosterResult:
    """Re-roster a published roster after ``changes``, changing as little as they require.

    Parameters
    ----------
    problem
        The problem the roster was published for (before the changes).
    published
        The published shifts (:func:`wfm.roster.published.read_published`);
        the agents of ``problem`` are taken as covered by it (a date without
        a shift was a published day off).
    changes
        What changed (default: nothing).
    locks
        Agent-days to keep exactly (default: none).
    weights
        Prices of the changes (default: :class:`~wfm.roster.problem.ChangeWeights`).
    options
        Solver options (default: :class:`~wfm.roster.options.SolverOptions`).
    progress
        Called on each improving roster.
    compute_bound
        Also compute the roster's LP lower bound (as :func:`~wfm.roster.solve.solve`).

    Returns
    -------
    RerosterResult

    Raises
    ------
    ValidationError
        A change names an unknown agent, a published shift names an unknown
        agent or lies outside the period, or a locked published shift is no
        longer allowed by the changed problem.
    """
    changes = RosterChanges() if changes is None else changes
    locks = Locks() if locks is None else locks
    weights = ChangeWeights() if weights is None else weights
    covered = {a.agent_id for a in problem.agents}
    for i, shift in enumerate(published):
        if shift.agent_id not in covered:
            raise ValidationError(
                f"published[{i}].agent_id", shift.agent_id, "an agent of the problem"
            )
    changed = apply_changes(problem, changes)
    locked = locks.agent_days(changed)
    locked = frozenset(k for k in locked if k[0] in covered)
    _check_locks(changed, published, locked)
    baseline = Baseline(
        shifts=tuple(published), agents=frozenset(covered), locked=locked, weights=weights
    )
    with_baseline = dataclasses.replace(changed, baseline=baseline)
    result = solve(with_baseline, options, progress=progress, compute_bound=compute_bound)
    table = change_table(with_baseline, result.roster, result.breaks, changes=changes)
    return RerosterResult(
        result=result,
        problem=with_baseline,
        changes=table,
        summary=change_summary(table, locked_agent_days=len(locked)),
    )


def _text(template: str, start: pd.Timestamp, end: pd.Timestamp) -> str:
    return f"{template} {start:%H:%M}-{end:%H:%M}"


def _paid_hours(problem: RosterProblem, template: str, length_minutes: float) -> float:
    index = problem.template_index.get(template)
    unpaid = 0 if index is None else problem.templates[index].unpaid_break_minutes()
    return (length_minutes - unpaid) / 60.0


def _reason(
    problem: RosterProblem,
    agent_id: str,
    shift: PublishedShift | None,
    changes: RosterChanges | None,
) -> str:
    if changes is None:
        return "rebalanced"
    if agent_id in changes.leaving:
        return "left"
    if agent_id in {a.agent_id for a in changes.joining}:
        return "joined"
    if shift is not None:
        start = shift.start.tz_localize(None) if shift.start.tzinfo else shift.start
        end = start + pd.Timedelta(minutes=shift.length_minutes)
        for off in changes.time_off.get(agent_id, ()):
            if pd.Timestamp(off.start) < end and pd.Timestamp(off.end) > start:
                return "time_off"
        if agent_id in changes.availability:
            return "availability"
    return "rebalanced"


def change_table(
    problem: RosterProblem,
    roster: pd.DataFrame,
    breaks: pd.DataFrame,
    *,
    changes: RosterChanges | None = None,
) -> pd.DataFrame:
    """Per agent and date, what a new roster changed from ``problem.baseline``.

    Parameters
    ----------
    problem
        A problem with a baseline (the published roster).
    roster, breaks
        The new roster's tables (:mod:`wfm.roster.report` layouts).
    changes
        The changes, to give each row its ``reason`` (``None``: ``rebalanced``).

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS`, sorted by agent and date.
    """
    base = problem.baseline
    if base is None:
        raise ValidationError("problem.baseline", None, "a published roster to compare with")
    new: dict[tuple[str, dt.date], dict[str, Any]] = {}
    for row in roster.to_dict("records"):
        day = pd.Timestamp(str(row["date"])).date()
        new[(str(row["agent_id"]), day)] = {
            "template": str(row["template"]),
            "start": pd.Timestamp(row["start"]),
            "end": pd.Timestamp(row["end"]),
        }
    new_breaks: dict[tuple[str, dt.date], dict[str, pd.Timestamp]] = {}
    for row in breaks.to_dict("records"):
        day = pd.Timestamp(str(row["date"])).date()
        placed = new_breaks.setdefault((str(row["agent_id"]), day), {})
        placed[str(row["break"])] = pd.Timestamp(row["start"])
    keys = set(new) | {(s.agent_id, s.day) for s in base.shifts}
    rows: list[dict[str, Any]] = []
    for key in sorted(keys):
        agent_id, day = key
        old = base.by_agent_day.get(key)
        now = new.get(key)
        record: dict[str, Any] = {
            "agent_id": agent_id,
            "date": day.isoformat(),
            "published": "",
            "new": "",
            "start_moved_minutes": 0,
            "length_changed_minutes": 0,
            "paid_hours_changed": 0.0,
            "breaks_moved": 0,
        }
        if old is not None:
            old_end = old.start + pd.Timedelta(minutes=old.length_minutes)
            record["published"] = _text(old.template, old.start, old_end)
            old_paid = _paid_hours(problem, old.template, old.length_minutes)
        if now is not None:
            now_minutes = (now["end"] - now["start"]) / pd.Timedelta(minutes=1)
            record["new"] = _text(now["template"], now["start"], now["end"])
            now_paid = _paid_hours(problem, now["template"], now_minutes)
        if old is None and now is not None:
            record["change"] = "added"
            record["paid_hours_changed"] = now_paid
        elif old is not None and now is None:
            record["change"] = "removed"
            record["paid_hours_changed"] = -old_paid
        elif old is not None and now is not None:
            moved = (now["start"] - old.start) / pd.Timedelta(minutes=1)
            record["start_moved_minutes"] = round(moved)
            record["length_changed_minutes"] = round(now_minutes - old.length_minutes)
            record["paid_hours_changed"] = now_paid - old_paid
            if moved or now_minutes != old.length_minutes or now["template"] != old.template:
                record["change"] = "moved"
            else:
                placed = new_breaks.get(key, {})
                record["breaks_moved"] = sum(
                    1 for b in old.breaks if placed.get(b.name) != pd.Timestamp(b.start)
                )
                if not record["breaks_moved"]:
                    continue
                record["change"] = "breaks_moved"
        else:  # pragma: no cover - keys come from one of the two
            continue
        record["reason"] = _reason(problem, agent_id, old, changes)
        rows.append(record)
    out = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    for column in ("start_moved_minutes", "length_changed_minutes", "breaks_moved"):
        out[column] = out[column].astype(int)
    out["paid_hours_changed"] = out["paid_hours_changed"].astype(float)
    return out


def change_summary(table: pd.DataFrame, *, locked_agent_days: int = 0) -> ChangeSummary:
    """Totals of a :func:`change_table` (see :class:`ChangeSummary`)."""
    kinds = table["change"].value_counts().to_dict() if len(table) else {}
    hours = table["paid_hours_changed"].astype(float)
    return ChangeSummary(
        shifts_added=int(kinds.get("added", 0)),
        shifts_removed=int(kinds.get("removed", 0)),
        shifts_moved=int(kinds.get("moved", 0)),
        breaks_moved=int(table["breaks_moved"].sum()),
        paid_hours_changed=float(hours.sum()),
        paid_hours_changed_abs=float(hours.abs().sum()),
        agents_touched=int(table["agent_id"].nunique()),
        locked_agent_days=locked_agent_days,
    )
