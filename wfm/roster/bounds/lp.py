"""Lower bound of a roster: the identity-free LP relaxation of shift covering.

The weekly roster assigns named agents to concrete shifts. Forgetting who
works which shift leaves a covering problem: how many agents work each shift
option (``y_o >= 0``), where their breaks go (``z >= 0``), and how short of the
requirement each interval stays (``s_t >= 0``). Its linear relaxation, with a
few aggregate capacity constraints that every feasible roster satisfies, is
solved with OR-Tools' GLOP simplex (deterministic). Because every roster that
obeys the hard rules maps to a feasible point of this LP with the same
under-staffing and paid hours, the LP optimum is a valid lower bound.

Model
-----
For every shift option ``o`` allowed to at least one agent (see
:func:`wfm.roster.shifts.agent_options`):

* ``y_o >= 0``: agents working ``o``;
* ``z_{o,k,p} >= 0`` with ``sum_p z_{o,k,p} = y_o``: agents of ``o`` taking
  break ``k`` at interval ``p`` (breaks may overlap in the relaxation, which
  only weakens it). A break with an allowed start that covers no interval
  with demand is left out: placing it there is free;
* for every horizon interval ``t`` with a requirement ``r_t > 0``:
  ``s_t + sum_{o covers t} y_o - sum_{(o,k,p) covers t} z_{o,k,p} >= r_t``.
  Tails beyond the horizon cover nothing.

Aggregate constraints, each implied by the rules of every feasible roster:

* per day: options of the day ``<=`` agents with an allowed option that day
  (at most one shift per agent and day); per day and template likewise;
* per day: options of the day ``>=`` agents with a hard pin to work that day;
* all options ``<=`` the sum over agents of the most days each can work
  (allowed days, and when hard: max days, max consecutive days with the days
  worked before the horizon, the block of consecutive days off);
* weekend options ``<=`` the sum over agents of their weekend-day limit
  (per week of the period, summed);
* total paid hours ``<=`` the sum over agents of their most paid hours (their
  longest paid option on each of their best days, in each week capped by
  max days and max hours when hard, and by the period's max hours);
* the same three limits for each group of templates (every single template,
  and every set of templates some agent is allowed), summed over the agents
  allowed at least one template of the group;
* when hard: all options ``>=`` the sum of min days, paid hours ``>=`` the sum
  of min hours (the larger of the weekly minimums times the weeks and the
  period's minimum).

Stage 1 minimises ``interval_hours * sum_t s_t`` (``U*``). Stage 2 keeps
under-staffing within ``U*`` (plus a tiny tolerance) and minimises paid hours.
The coverage rows are those of :mod:`wfm.roster.coverage`.

Several queues
--------------
With ``RosterProblem.queues`` the bound is that of a relaxation
(:func:`queue_relaxation`): one queue whose requirement is the sum of the
per-interval (voice, chat) queues' requirements, skills ignored, e-mail and
outbound work dropped. Each agent counts once per interval, so a roster's
under-staffing summed over its per-interval queues is at least that of the
summed requirement: the bound on under-staffing stays valid (it prices no
e-mail lateness, outbound shortfall or over-staffing).

Status
------
The status of a :class:`LowerBound` is a :class:`wfm.status.SolveStatus`:
``OPTIMAL`` when both LP stages were solved (the values are the LP optima);
``FEASIBLE`` when the LP ran out of time: the values are a valid bound, not
the relaxation's optimum (the trivial bounds, or the stage-1 optimum with the
trivial paid-hours bound when only stage 2 ran out); ``INFEASIBLE`` when the
hard minimums (days, hours, pins to work) cannot be met by any roster (the
values are the trivial bounds); ``MODEL_INVALID`` when the LP solver stopped
for another reason (trivial bounds). The trivial bounds are 0 under-staffing
and, for paid hours, :func:`hard_minimum_paid_hours`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import SolverError
from wfm.roster.coverage import add_cover_terms, coverage_rows
from wfm.roster.options import check_positive_number
from wfm.roster.problem import Agent, Contract, RosterProblem, Rule
from wfm.roster.shifts import (
    AgentOption,
    ShiftOption,
    agent_options,
    check_agent_options,
    shift_options,
)
from wfm.status import SolveStatus

__all__ = [
    "METHOD",
    "LowerBound",
    "bound_record",
    "hard_minimum_paid_hours",
    "lower_bound",
    "queue_relaxation",
]

METHOD = "lp-relaxation-glop"


@dataclass(frozen=True, kw_only=True)
class LowerBound:
    """Identity-free lower bound of a roster.

    Attributes
    ----------
    understaffing_agent_hours
        No roster obeying the hard rules has less under-staffing
        (agent-hours short over the horizon intervals).
    paid_hours
        Least paid hours of a roster whose under-staffing equals
        ``understaffing_agent_hours``; at least the sum of hard contract
        minimum hours.
    status
        A :class:`~wfm.status.SolveStatus` (see the module docstring).
    wall_time_seconds
        Time spent building and solving the LP.
    method
        How the bound was computed (``"lp-relaxation-glop"``).
    interval_duals
        Duals of the coverage rows of the stage-1 LP (least under-staffing),
        one per horizon interval in agent-hours per agent (``0`` where nothing
        is required), each in ``[0, interval_hours]``; empty when stage 1 was
        not solved. They start the per-agent bound
        (:func:`wfm.roster.bounds.column_generation.column_generation_bound`),
        where they give at least this LP bound. Not part of :meth:`to_dict`.
    """

    understaffing_agent_hours: float
    paid_hours: float
    status: SolveStatus
    wall_time_seconds: float
    method: str = METHOD
    interval_duals: tuple[float, ...] = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary of the fields (JSON-serialisable)."""
        return bound_record(self)

    @classmethod
    def of_understaffing(cls, problem: RosterProblem, bound: Any) -> LowerBound:
        """A bound on under-staffing alone as a :class:`LowerBound`.

        ``bound`` has ``understaffing_agent_hours``, ``status``,
        ``wall_time_seconds`` and ``method`` (the per-agent bounds of
        :mod:`wfm.roster.bounds`); ``paid_hours`` is the trivial bound,
        :func:`hard_minimum_paid_hours`.
        """
        return cls(
            understaffing_agent_hours=bound.understaffing_agent_hours,
            paid_hours=hard_minimum_paid_hours(problem),
            status=bound.status,
            wall_time_seconds=bound.wall_time_seconds,
            method=bound.method,
        )


def bound_record(bound: Any) -> dict[str, Any]:
    """The fields of a bound dataclass as a plain, JSON-ready dictionary.

    ``status`` (a :class:`~wfm.status.SolveStatus`) becomes its value; the
    LP duals (``interval_duals``) are left out.
    """
    out: dict[str, Any] = asdict(bound)
    out["status"] = bound.status.value
    out.pop("interval_duals", None)
    return out


def hard_minimum_paid_hours(problem: RosterProblem) -> float:
    """The trivial paid-hours bound: per agent, the larger of the contract minimum hours of
    every week and of the period, each when that rule is hard."""
    weeks = len(problem.weeks)
    total = 0.0
    for agent in problem.agents:
        contract = problem.contract_of(agent)
        weekly = 0.0 if problem.is_soft(Rule.MIN_HOURS) else weeks * contract.min_hours_per_week
        period = 0.0 if problem.is_soft(Rule.MIN_HOURS_PERIOD) else contract.min_hours_per_period
        total += max(weekly, period)
    return float(total)


# -- per-agent capacities ------------------------------------------------------


def _max_days_worked(
    problem: RosterProblem, agent: Agent, contract: Contract, available: Sequence[bool]
) -> int:
    """Most days ``agent`` can work in the horizon under the hard day rules.

    Dynamic programme over the days: run of days worked, run of days off,
    and whether the block of consecutive days off has been seen (exact for
    one week; over several weeks the block is asked of the period once, a
    relaxation); capped by the maximum days of each week. Returns -1 when no
    pattern satisfies the hard rules.
    """
    n = problem.days
    max_consecutive = (
        contract.max_consecutive_days
        if not problem.is_soft(Rule.MAX_CONSECUTIVE_DAYS)
        else n + agent.consecutive_days_worked_before + 1
    )
    block = (
        contract.min_consecutive_days_off
        if not problem.is_soft(Rule.MIN_CONSECUTIVE_DAYS_OFF)
        and contract.min_consecutive_days_off >= 2
        else 0
    )
    # state: (work_run, off_run, block_done) -> most days worked so far
    start_off = min(agent.days_off_before, block) if block else 0
    states: dict[tuple[int, int, bool], int] = {
        (
            agent.consecutive_days_worked_before,
            start_off,
            block == 0 or start_off >= block,
        ): 0
    }
    for day in range(n):
        nxt: dict[tuple[int, int, bool], int] = {}
        for (work_run, off_run, done), worked in states.items():
            # day off
            off = min(off_run + 1, block) if block else 0
            key = (0, off, done or (block > 0 and off >= block))
            nxt[key] = max(nxt.get(key, -1), worked)
            # day worked
            if available[day] and work_run + 1 <= max_consecutive:
                key = (min(work_run + 1, max_consecutive), 0, done)
                nxt[key] = max(nxt.get(key, -1), worked + 1)
        states = nxt
    best = max((w for (_, _, done), w in states.items() if done), default=-1)
    if best >= 0 and not problem.is_soft(Rule.MAX_DAYS):
        per_week = sum(
            min(contract.max_days_per_week, sum(bool(available[d]) for d in week))
            for week in problem.weeks
        )
        best = min(best, per_week)
    return best


def _profile(agent: Agent) -> tuple[Any, ...]:
    return (agent.templates, agent.availability, agent.time_off, agent.pins)


def _allowed_by_profile(
    problem: RosterProblem, options: list[ShiftOption]
) -> tuple[list[int], list[list[AgentOption]]]:
    """Allowed options per distinct agent profile (agents rarely differ)."""
    keys: dict[tuple[Any, ...], int] = {}
    representatives: list[Agent] = []
    which: list[int] = []
    for agent in problem.agents:
        key = _profile(agent)
        if key not in keys:
            keys[key] = len(representatives)
            representatives.append(agent)
        which.append(keys[key])
    if len(representatives) == len(problem.agents):
        return which, agent_options(problem, options)
    reduced = replace(problem, agents=tuple(representatives))
    return which, agent_options(reduced, options)


@dataclass
class _Capacities:
    day_cap: np.ndarray  # (days,)
    day_template_cap: np.ndarray  # (days, templates)
    day_min: np.ndarray  # (days,) hard pins to work
    max_shifts: float
    weekend_cap: float
    max_paid_hours: float
    min_shifts: float
    min_paid_hours: float
    allowed: np.ndarray  # (options,) bool
    # (templates in the group, max shifts, max weekend shifts, max paid hours)
    groups: list[tuple[frozenset[int], float, float, float]]


def _capacities(
    problem: RosterProblem,
    options: list[ShiftOption],
    allowed_per_agent: list[list[AgentOption]] | None,
) -> _Capacities:
    n_days = problem.days
    n_templates = len(problem.templates)
    option_day = np.array([o.day for o in options], dtype=np.int64)
    option_template = np.array([o.template for o in options], dtype=np.int64)
    option_paid = np.array([o.paid_minutes for o in options], dtype=float) / 60.0
    if allowed_per_agent is None:
        which, per_profile = _allowed_by_profile(problem, options)
    else:
        which = list(range(len(problem.agents)))
        per_profile = allowed_per_agent

    # facts per profile
    profile_allowed: list[np.ndarray] = []
    profile_day_template: list[np.ndarray] = []
    profile_day_paid: list[np.ndarray] = []
    for allowed in per_profile:
        idx = np.fromiter((a.option for a in allowed), dtype=np.int64, count=len(allowed))
        mask = np.zeros(len(options), dtype=bool)
        mask[idx] = True
        profile_allowed.append(mask)
        dt_mask = np.zeros((n_days, n_templates), dtype=bool)
        dt_mask[option_day[idx], option_template[idx]] = True
        profile_day_template.append(dt_mask)
        best_paid = np.full(n_days, -np.inf)
        np.maximum.at(best_paid, option_day[idx], option_paid[idx])
        profile_day_paid.append(best_paid)

    allowed_any = np.zeros(len(options), dtype=bool)
    for mask in profile_allowed:
        allowed_any |= mask
    day_template_cap = np.zeros((n_days, n_templates), dtype=float)
    day_min = np.zeros(n_days, dtype=float)
    day_cap = np.zeros(n_days, dtype=float)
    weekend = np.array([problem.weekday_of(d) in problem.weekend_days for d in range(n_days)])
    max_shifts = 0.0
    weekend_cap = 0.0
    max_paid = 0.0
    min_shifts = 0.0
    hard_pins = not problem.is_soft(Rule.PINS)
    date_index = {d: i for i, d in enumerate(problem.dates)}
    cache: dict[tuple[Any, ...], int] = {}
    per_agent: list[tuple[frozenset[int], float, float, float]] = []
    for agent, p in zip(problem.agents, which, strict=True):
        contract = problem.contract_of(agent)
        day_template_cap += profile_day_template[p]
        available: np.ndarray = np.asarray(profile_day_template[p].any(axis=1), dtype=bool)
        day_cap += available
        key = (
            p,
            contract.name,
            agent.consecutive_days_worked_before,
            agent.days_off_before,
        )
        if key not in cache:
            cache[key] = _max_days_worked(problem, agent, contract, [bool(x) for x in available])
        days_cap = max(cache[key], 0)
        max_shifts += days_cap
        w_cap = 0
        week_hours = 0.0
        for week in problem.weeks:
            days = np.zeros(n_days, dtype=bool)
            days[week.start : week.stop] = True
            in_week = available & days
            w_week = int(np.count_nonzero(in_week & weekend))
            if not problem.is_soft(Rule.MAX_WEEKEND_DAYS):
                w_week = min(w_week, contract.max_weekend_days)
            w_cap += w_week
            n_week = int(np.count_nonzero(in_week))
            if not problem.is_soft(Rule.MAX_DAYS):
                n_week = min(n_week, contract.max_days_per_week)
            paid_week = float(np.sort(profile_day_paid[p][in_week])[::-1][:n_week].sum())
            if not problem.is_soft(Rule.MAX_HOURS):
                paid_week = min(paid_week, contract.max_hours_per_week)
            week_hours += paid_week
        weekend_cap += min(w_cap, days_cap)
        daily = np.sort(profile_day_paid[p][available])[::-1]
        hours_cap = float(daily[:days_cap].sum()) if days_cap > 0 else 0.0
        hours_cap = min(hours_cap, week_hours)
        if contract.max_hours_per_period is not None and not problem.is_soft(Rule.MAX_HOURS_PERIOD):
            hours_cap = min(hours_cap, contract.max_hours_per_period)
        max_paid += hours_cap
        works = frozenset(np.flatnonzero(profile_day_template[p].any(axis=0)).tolist())
        per_agent.append((works, days_cap, min(w_cap, days_cap), hours_cap))
        if not problem.is_soft(Rule.MIN_DAYS):
            min_shifts += contract.min_days_per_week * len(problem.weeks)
        if hard_pins:
            for pin in agent.pins:
                if not pin.off:
                    day_min[date_index[pin.day]] += 1
    return _Capacities(
        day_cap=day_cap,
        day_template_cap=day_template_cap,
        day_min=day_min,
        max_shifts=max_shifts,
        weekend_cap=weekend_cap,
        max_paid_hours=max_paid,
        min_shifts=min_shifts,
        min_paid_hours=hard_minimum_paid_hours(problem),
        allowed=allowed_any,
        groups=_template_groups(per_agent, n_templates, max_shifts, weekend_cap, max_paid),
    )


def _template_groups(
    per_agent: list[tuple[frozenset[int], float, float, float]],
    n_templates: int,
    max_shifts: float,
    weekend_cap: float,
    max_paid: float,
) -> list[tuple[frozenset[int], float, float, float]]:
    """Capacity of groups of templates: only agents allowed one of them work them.

    Groups are single templates and the template sets agents are allowed;
    a group is kept only where it is tighter than the whole pool.
    """
    candidates = {frozenset({j}) for j in range(n_templates)}
    candidates |= {works for works, *_ in per_agent if works}
    candidates.discard(frozenset(range(n_templates)))
    groups = []
    for group in sorted(candidates, key=sorted):
        members = [cap for cap in per_agent if cap[0] & group]
        shifts = float(sum(m[1] for m in members))
        weekend = float(sum(m[2] for m in members))
        paid = float(sum(m[3] for m in members))
        if shifts < max_shifts or weekend < weekend_cap or paid < max_paid:
            groups.append((group, shifts, weekend, paid))
    return groups


# -- the LP ----------------------------------------------------------------------


def queue_relaxation(problem: RosterProblem) -> RosterProblem:
    """The one-queue relaxation of a problem with queues (the problem itself without).

    The requirement of each interval is the sum of the per-interval queues'
    ``required_scheduled``; skills, e-mail and outbound queues are dropped
    (see "Several queues" in the module docstring).
    """
    if problem.queues is None:
        return problem
    total = np.zeros(problem.n_intervals, dtype=float)
    for queue in problem.queues.queues:
        if queue.channel.per_interval:
            total += problem.queue_series[queue.name]["required_scheduled"]
    table = pd.DataFrame({"interval_start": problem.interval_starts, "required_scheduled": total})
    return replace(problem, queues=None, queue_requirements=None, requirements=table)


def lower_bound(
    problem: RosterProblem,
    *,
    time_limit_seconds: float = 30.0,
    options: list[ShiftOption] | None = None,
    allowed: list[list[AgentOption]] | None = None,
) -> LowerBound:
    """Lower bounds on under-staffing and paid hours of any feasible roster.

    Parameters
    ----------
    problem
        The roster problem.
    time_limit_seconds
        Wall-clock limit for the two LP solves together.
    options, allowed
        Optional precomputed :func:`~wfm.roster.shifts.shift_options` and
        :func:`~wfm.roster.shifts.agent_options` (``allowed`` must be computed
        from ``options``); computed here when omitted.

    Returns
    -------
    LowerBound
        The bound; see the module docstring for the model. With a status other
        than ``OPTIMAL`` the values are valid bounds, not the LP optima.

    Raises
    ------
    ValidationError
        If ``time_limit_seconds`` is not a positive number, or ``allowed`` does
        not have one entry per agent.
    SolverError
        If OR-Tools' GLOP solver is not available.
    """
    check_positive_number("time_limit_seconds", time_limit_seconds)
    check_agent_options(problem, options, allowed)
    began = time.perf_counter()
    problem = queue_relaxation(problem)
    from ortools.linear_solver import pywraplp

    if options is None:
        options = shift_options(problem)
    caps = _capacities(problem, options, allowed)
    trivial_paid = caps.min_paid_hours

    duals: tuple[float, ...] = ()

    def result(under: float, paid: float, status: SolveStatus) -> LowerBound:
        return LowerBound(
            understaffing_agent_hours=max(0.0, under),
            paid_hours=max(paid, trivial_paid, 0.0),
            status=status,
            wall_time_seconds=time.perf_counter() - began,
            interval_duals=duals,
        )

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with OR-Tools
        raise SolverError("OR-Tools' GLOP linear solver is not available")
    inf = solver.infinity()
    hours = problem.interval_hours
    required = problem.required_scheduled
    demand = required > 0
    rows = coverage_rows(problem, options)

    cover: dict[int, Any] = {}
    shortage: dict[int, Any] = {}
    for t in np.flatnonzero(demand).tolist():
        s = solver.NumVar(0.0, inf, "")
        c = solver.Constraint(float(required[t]), inf)
        c.SetCoefficient(s, 1.0)
        cover[t] = c
        shortage[t] = s

    day_rows = [
        solver.Constraint(float(caps.day_min[d]), float(caps.day_cap[d]))
        for d in range(problem.days)
    ]
    day_template_rows: dict[tuple[int, int], Any] = {}
    total_rows = solver.Constraint(caps.min_shifts, caps.max_shifts)
    weekend_row = solver.Constraint(-inf, caps.weekend_cap)
    paid_row = solver.Constraint(caps.min_paid_hours, caps.max_paid_hours)
    weekend_day = [problem.weekday_of(d) in problem.weekend_days for d in range(problem.days)]

    group_rows = [
        (
            group,
            solver.Constraint(-inf, shifts),
            solver.Constraint(-inf, weekend),
            solver.Constraint(-inf, paid_cap),
        )
        for group, shifts, weekend, paid_cap in caps.groups
    ]
    paid_terms: list[tuple[Any, float]] = []
    for index, option in enumerate(options):
        if not caps.allowed[index]:
            continue
        y = solver.NumVar(0.0, inf, "")
        paid = option.paid_minutes / 60.0
        paid_terms.append((y, paid))
        day_rows[option.day].SetCoefficient(y, 1.0)
        key = (option.day, option.template)
        row = day_template_rows.get(key)
        if row is None:
            row = solver.Constraint(-inf, float(caps.day_template_cap[key]))
            day_template_rows[key] = row
        row.SetCoefficient(y, 1.0)
        total_rows.SetCoefficient(y, 1.0)
        if weekend_day[option.day]:
            weekend_row.SetCoefficient(y, 1.0)
        paid_row.SetCoefficient(y, paid)
        for group, shifts_row, weekend_group_row, paid_group_row in group_rows:
            if option.template in group:
                shifts_row.SetCoefficient(y, 1.0)
                paid_group_row.SetCoefficient(y, paid)
                if weekend_day[option.day]:
                    weekend_group_row.SetCoefficient(y, 1.0)
        add_cover_terms(
            solver, rows, {index: [y]}, cover, new_break_count=lambda: solver.NumVar(0.0, inf, "")
        )

    objective = solver.Objective()
    for s in shortage.values():
        objective.SetCoefficient(s, hours)
    objective.SetMinimization()

    def remaining_ms() -> int:
        left = time_limit_seconds - (time.perf_counter() - began)
        return max(1, int(left * 1000))

    solver.SetTimeLimit(remaining_ms())
    status = solver.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return result(0.0, trivial_paid, SolveStatus.INFEASIBLE)
    if status != pywraplp.Solver.OPTIMAL:
        timed_out = time.perf_counter() - began >= time_limit_seconds * 0.99
        return result(
            0.0, trivial_paid, SolveStatus.FEASIBLE if timed_out else SolveStatus.MODEL_INVALID
        )
    under = float(objective.Value())
    pi = np.zeros(problem.n_intervals, dtype=float)
    for t, row in cover.items():
        pi[t] = row.dual_value()
    duals = tuple(np.clip(pi, 0.0, hours).tolist())

    # stage 2: least paid hours with under-staffing at its minimum
    limit = under + 1e-7 * max(1.0, under) + 1e-9
    keep = solver.Constraint(-inf, limit)
    for s in shortage.values():
        keep.SetCoefficient(s, hours)
    objective.Clear()
    for y, paid in paid_terms:
        objective.SetCoefficient(y, paid)
    objective.SetMinimization()
    solver.SetTimeLimit(remaining_ms())
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        timed_out = time.perf_counter() - began >= time_limit_seconds * 0.99
        return result(
            under, trivial_paid, SolveStatus.FEASIBLE if timed_out else SolveStatus.MODEL_INVALID
        )
    paid_hours = float(objective.Value())
    return result(under, paid_hours, SolveStatus.OPTIMAL)
