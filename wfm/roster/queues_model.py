"""CP-SAT coverage of several queues: each agent's time split across the queues of its skills.

The rule family ``queue_coverage`` of :mod:`wfm.roster.model` (built when
``RosterProblem.queues`` is given; the one-queue family ``coverage`` then
adds no terms). Agents with the same set of queues form a *skill group*
``g`` (:func:`wfm.queues.skill_groups`; ``Agent.skills`` ``None`` = every
queue).

Variables and constraints (hundredths of an agent, as
:data:`wfm.roster.model.REQUIREMENT_SCALE`)
-----------------------------------------------------------------------------
``n[g, t]``
    The scheduled coverage of group ``g`` in interval ``t`` (agents of the
    group on shift and not on a placed break), an expression of the shift
    and break variables.
``a[g, q, t] >= 0``
    Hundredths of an agent of group ``g`` allocated to queue ``q`` (one of
    the group's queues) in ``t``, with ``sum_q a[g, q, t] + idle[g, t] =
    100 n[g, t]``: each agent is counted once per interval. ``idle`` exists
    only for groups without a voice or chat queue (whose time could
    otherwise have nowhere to go: e-mail not yet arrived, outbound outside
    its windows) and costs ``overstaffing_per_agent_hour``.
Voice and chat queues
    ``sum_g a[g, q, t] - 100 R[q, t] = over[q, t] - sum_k short[q, t, k]``
    with the convex under-staffing steps and the over-staffing of the
    one-queue model (:func:`wfm.roster.model.add_shortage_steps`), terms
    ``"understaffing"`` and ``"overstaffing"``. With one voice queue and no
    e-mail or outbound queue this is the one-queue model.
E-mail queues (a backlog)
    ``A[t]``: the work arrived by the end of interval ``t``
    (``work_scheduled_agent_hours``, cumulated); ``C[t] = sum_{s <= t}
    sum_g a[g, q, s]``: the work done. ``C[t] <= A[t]`` (no working ahead of
    arrivals). Work arriving in interval ``s`` is due by the end of interval
    ``s + D``, with ``D = floor(response_hours * 60 / interval_minutes)``
    (the deadline counted from the end of the arrival interval, a deadline
    between two interval ends held to the earlier one: the convention of
    :mod:`wfm.channels`). ``late[t] >= A[t - D] - C[t]``, ``late >= 0``:
    the work overdue at the end of ``t``; each agent-hour overdue costs
    ``weights.late_work_per_agent_hour`` per hour it stays overdue
    (``late[t]`` times the interval's hours), term ``"late_work"``.
    ``response_share`` is not modelled: every item is due by its deadline.
Outbound queues
    ``a[g, q, t]`` exists only in intervals inside the queue's calling
    windows (every interval when it has none); per horizon day, the hours
    allocated below ``outbound_hours_per_day`` cost (on the days a calling
    window opens, :func:`calling_days`)
    ``weights.outbound_shortfall_per_agent_hour`` per agent-hour, term
    ``"outbound_shortfall"``; hours beyond the target cost nothing.

Breaks are placed per agent (not per template and day) when there are
several skill groups, so that each group's coverage is exact.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from wfm import channels
from wfm.queues import Channel, Queue
from wfm.roster.model import (
    REQUIREMENT_SCALE,
    PenaltyTerm,
    RosterModel,
    add_shortage_steps,
    coverage_expressions,
    objective_coefficient,
)
from wfm.roster.problem import RosterProblem

__all__ = [
    "IDLE",
    "allocated_coverage",
    "build_queue_coverage",
    "calling_days",
    "calling_intervals",
    "deadline_intervals",
    "group_coverage",
    "hint_allocation",
    "one_queue_proxy",
]

IDLE = "(idle)"
"""Pseudo-queue of ``RosterModel.allocation`` holding a group's idle hundredths."""


def deadline_intervals(problem: RosterProblem, queue: Queue) -> int:
    """An e-mail queue's deadline ``D`` in whole intervals after its arrival interval.

    ``floor(response_hours * 60 / interval_minutes)``: work arriving in
    interval ``s`` is due by the end of interval ``s + D``.
    """
    return channels.deadline_intervals(queue, interval_minutes=problem.interval_minutes)


def calling_intervals(problem: RosterProblem, queue: Queue) -> np.ndarray:
    """Boolean per horizon interval: inside one of an outbound queue's calling windows."""
    n = problem.n_intervals
    if not queue.calling_windows:
        return np.ones(n, dtype=bool)
    inside = np.zeros(n, dtype=bool)
    for day in range(problem.days):
        weekday = problem.weekday_of(day)
        for window in queue.calling_windows:
            if window.weekday != weekday:
                continue
            first = problem.grid.clock_position(day, window.start.hour * 60 + window.start.minute)
            last = problem.grid.clock_position(day, window.end.hour * 60 + window.end.minute)
            lo = max(0, math.ceil(first - 1e-9))
            hi = min(n, math.floor(last + 1e-9))
            inside[lo:hi] = True
    return inside


def calling_days(problem: RosterProblem, queue: Queue) -> list[int]:
    """Horizon days on which an outbound queue may call (a calling window opens that day).

    The daily target ``outbound_hours_per_day`` holds on these days only: a
    day without a window (a Sunday of a Monday-to-Friday campaign) has none.
    """
    inside = calling_intervals(problem, queue)
    return [
        day
        for day in range(problem.days)
        if inside[problem.day_first_interval(day) : problem.day_first_interval(day + 1)].any()
    ]


def one_queue_proxy(problem: RosterProblem) -> RosterProblem:
    """The one-queue problem whose roster starts the search of a problem with queues.

    Its requirement per interval is :meth:`RosterProblem.aggregate_requirement`
    (the per-interval queues' requirements and the e-mail work as it
    arrives) plus each outbound queue's daily target spread evenly over the
    day's calling intervals; skills are dropped. It is neither a bound nor
    the objective: its roster has the shape of the centre's whole workload,
    which the one-queue search finds quickly, and the search with queues
    then splits the agents' time across their skills and improves it.
    """
    if problem.queues is None:
        return problem
    total = problem.aggregate_requirement().copy()
    for queue in problem.queues.queues:
        if queue.channel is not Channel.OUTBOUND or not queue.outbound_hours_per_day:
            continue
        inside = calling_intervals(problem, queue)
        for day in calling_days(problem, queue):
            first, last = problem.day_first_interval(day), problem.day_first_interval(day + 1)
            slots = np.flatnonzero(inside[first:last]) + first
            total[slots] += queue.outbound_hours_per_day / (len(slots) * problem.interval_hours)
    table = pd.DataFrame({"interval_start": problem.interval_starts, "required_scheduled": total})
    return dataclasses.replace(problem, queues=None, queue_requirements=None, requirements=table)


def group_coverage(rm: RosterModel) -> list[tuple[list[Any], np.ndarray]]:
    """Per skill group, the coverage expressions and their caps (:func:`coverage_expressions`)."""
    groups, membership = rm.problem.skill_groups
    if len(groups) == 1:
        if rm.coverage:
            _, top = coverage_expressions(rm)
            return [(rm.coverage, top)]
        return [coverage_expressions(rm)]
    return [
        coverage_expressions(rm, [a for a, m in enumerate(membership) if m == g])
        for g in range(len(groups))
    ]


def build_queue_coverage(rm: RosterModel) -> list[PenaltyTerm]:
    """Allocation, per-queue coverage, e-mail backlog and outbound terms (module docstring)."""
    problem = rm.problem
    queues = problem.queues
    if queues is None:
        return []
    model = rm.model
    groups, _ = problem.skill_groups
    covered = group_coverage(rm)
    n_int = problem.n_intervals
    by_name = {q.name: q for q in queues.queues}
    windows = {
        q.name: calling_intervals(problem, q)
        for q in queues.queues
        if q.channel is Channel.OUTBOUND
    }
    weights = problem.weights
    hours = problem.interval_hours
    scale = hours / REQUIREMENT_SCALE
    idle_coef = objective_coefficient(weights.overstaffing_per_agent_hour * scale)
    terms: list[PenaltyTerm] = []
    # allocation: per queue and interval, the groups' allocated hundredths
    allocated: dict[str, list[list[Any]]] = {q: [[] for _ in range(n_int)] for q in by_name}
    caps: dict[str, np.ndarray] = {q: np.zeros(n_int, dtype=np.int64) for q in by_name}
    for g, names in enumerate(groups):
        exprs, top = covered[g]
        needs_idle = not any(by_name[q].channel.per_interval for q in names)
        for t in range(n_int):
            cap = int(top[t]) * REQUIREMENT_SCALE
            if cap == 0:
                continue
            parts: list[Any] = []
            for q in names:
                if q in windows and not windows[q][t]:
                    continue
                var = model.new_int_var(0, cap, "")
                rm.allocation[(g, q, t)] = var
                allocated[q][t].append(var)
                caps[q][t] += cap
                parts.append(var)
            if needs_idle:
                idle = model.new_int_var(0, cap, "")
                rm.allocation[(g, IDLE, t)] = idle
                parts.append(idle)
                if idle_coef > 0:
                    day = problem.grid.day_of(t)
                    terms.append(_term("overstaffing", day, idle_coef, idle, scale, "agent-hours"))
            model.add(cp_model.LinearExpr.sum(parts) == REQUIREMENT_SCALE * exprs[t])
    for queue in queues.queues:
        series = problem.queue_series[queue.name]
        if queue.channel.per_interval:
            required = np.rint(series["required_scheduled"] * REQUIREMENT_SCALE).astype(np.int64)
            for t in range(n_int):
                terms += add_shortage_steps(
                    rm,
                    cp_model.LinearExpr.sum(allocated[queue.name][t]),
                    required=int(required[t]),
                    cap=int(caps[queue.name][t]),
                    day=problem.grid.day_of(t),
                )
        elif queue.channel is Channel.EMAIL:
            terms += _backlog(
                rm, queue, allocated[queue.name], series["work_scheduled_agent_hours"]
            )
        else:
            terms += _outbound(rm, queue, allocated[queue.name])
    return terms


def _term(rule: str, day: int, coef: int, var: Any, scale: float, unit: str) -> PenaltyTerm:
    """A centre-wide penalty term: ``coef * var`` in the objective, ``var * scale`` in ``unit``."""
    return PenaltyTerm(
        rule=rule,
        agent_index=None,
        day=day,
        objective=coef * var,
        amount=var,
        amount_scale=scale,
        unit=unit,
    )


def _backlog(
    rm: RosterModel, queue: Queue, allocated: list[list[Any]], work_agent_hours: np.ndarray
) -> list[PenaltyTerm]:
    """Cumulative e-mail work: done at most arrived, overdue work priced."""
    problem = rm.problem
    model = rm.model
    hours = problem.interval_hours
    arrived = np.rint(np.cumsum(work_agent_hours) / hours * REQUIREMENT_SCALE).astype(np.int64)
    due = deadline_intervals(problem, queue)
    coef = objective_coefficient(
        problem.weights.late_work_per_agent_hour * hours * hours / REQUIREMENT_SCALE
    )
    terms: list[PenaltyTerm] = []
    done_before: Any = 0
    for t in range(problem.n_intervals):
        done = model.new_int_var(0, int(arrived[t]), "")
        model.add(done == done_before + cp_model.LinearExpr.sum(allocated[t]))
        done_before = done
        k = t - due
        owed = int(arrived[k]) if k >= 0 else 0
        if owed <= 0:
            continue
        late = model.new_int_var(0, owed, "")
        model.add(late >= owed - done)
        day = problem.grid.day_of(t)
        scale = hours * hours / REQUIREMENT_SCALE
        terms.append(_term("late_work", day, coef, late, scale, "agent-hour-hours"))
    return terms


def _outbound(rm: RosterModel, queue: Queue, allocated: list[list[Any]]) -> list[PenaltyTerm]:
    """Per day, the shortfall of outbound hours against the target."""
    problem = rm.problem
    hours = problem.interval_hours
    target = round(float(queue.outbound_hours_per_day or 0.0) / hours * REQUIREMENT_SCALE)
    if target <= 0:
        return []
    coef = objective_coefficient(
        problem.weights.outbound_shortfall_per_agent_hour * hours / REQUIREMENT_SCALE
    )
    terms: list[PenaltyTerm] = []
    for day in calling_days(problem, queue):
        first, last = problem.day_first_interval(day), problem.day_first_interval(day + 1)
        parts = [v for t in range(first, last) for v in allocated[t]]
        short = rm.model.new_int_var(0, target, "")
        rm.model.add(cp_model.LinearExpr.sum(parts) + short >= target)
        scale = hours / REQUIREMENT_SCALE
        terms.append(_term("outbound_shortfall", day, coef, short, scale, "agent-hours"))
    return terms


def allocated_coverage(rm: RosterModel, value: Any) -> dict[str, np.ndarray]:
    """Scheduled agents allocated to each queue per interval in a solution (``IDLE`` too).

    ``value`` evaluates a model variable in the solution (e.g.
    ``CpSolver.value``).
    """
    problem = rm.problem
    names = [] if problem.queues is None else list(problem.queues.names)
    out = {q: np.zeros(problem.n_intervals, dtype=float) for q in [*names, IDLE]}
    for (_, q, t), var in rm.allocation.items():
        out[q][t] += value(var) / REQUIREMENT_SCALE
    return out


def hint_allocation(rm: RosterModel) -> bool:
    """Complete a hint of every agent's shifts with breaks and an allocation across queues.

    A completion with the shifts fixed (:func:`wfm.roster.search.cpsat.complete_hint`)
    otherwise has to find break placement and the allocation by search, which
    CP-SAT does slowly. Here each shift's breaks go, in rule order, to the
    allowed start at the agent's turn in the window (the ``k``-th shift of a
    day, template and break takes the ``k``-th start, cycling), so breaks are
    spread; then the allocation is the best one for that coverage: the
    linear programme of this family's terms (GLOP), rounded to hundredths.
    Those values join the hint; the search improves them later.

    Returns
    -------
    bool
        Whether the hint was completed (``False`` when some agent's shifts
        are not hinted or a break finds no free start: the hint stays).
    """
    problem = rm.problem
    queues = problem.queues
    if queues is None or not rm.allocation:
        return False
    proto = rm.model.proto
    hint = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
    plan: list[list[int]] = []
    for xa in rm.x:
        if any(var.index not in hint for var in xa.values()):
            return False
        plan.append([o for o, var in xa.items() if hint[var.index]])
    im = problem.interval_minutes
    n_int = problem.n_intervals
    groups, membership = problem.skill_groups
    on_phone = np.zeros((len(groups), n_int), dtype=np.int64)
    taken: dict[tuple[int, int, int, int], int] = {}  # (day, template, rule, start) -> shifts
    turns: dict[tuple[int, int, int], int] = {}
    chosen: dict[tuple[int, int, int, int], int] = {}
    for a, options in enumerate(plan):
        for o in options:
            option = rm.options[o]
            rules = problem.templates[option.template].breaks
            busy: list[tuple[int, int]] = []
            present = np.zeros(n_int, dtype=np.int64)
            present[min(option.start, n_int) : min(option.end, n_int)] = 1
            for j, rule in enumerate(rules):
                starts = option.break_starts[j]
                length = rule.duration_minutes // im
                key = (option.day, option.template, j)
                turn = turns.get(key, 0)
                turns[key] = turn + 1
                order = [starts[(turn + i) % len(starts)] for i in range(len(starts))]
                free = [p for p in order if all(p + length <= s or e <= p for s, e in busy)]
                if not free:
                    return False
                p = free[0]
                busy.append((p, p + length))
                present[min(p, n_int) : min(p + length, n_int)] = 0
                k = (option.day, option.template, j, p)
                taken[k] = taken.get(k, 0) + 1
                chosen[(a, option.day, option.template, j)] = p
            on_phone[membership[a]] += present
    values: dict[int, int] = {}
    for group in rm.break_groups:
        for p, var in group.counts.items():
            if group.agent_index is None:
                count = taken.get((group.day, group.template, group.rule_index, p), 0)
            else:
                mine = (group.agent_index, group.day, group.template, group.rule_index)
                count = int(chosen.get(mine) == p)
            values[var.index] = count
    if not _allocate(rm, on_phone * REQUIREMENT_SCALE, values):
        return False
    hint.update(values)
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(hint.keys())
    proto.solution_hint.values.extend(hint.values())
    return True


def _allocate(rm: RosterModel, units: np.ndarray, values: dict[int, int]) -> bool:
    """The allocation of :func:`hint_allocation` into ``values`` (variable index -> hint).

    ``units[g, t]``: hundredths of an agent of group ``g`` on the phone in
    ``t``. The linear programme of the family's terms with that coverage fixed
    (GLOP), rounded to whole hundredths (e-mail down, so no work is done
    before it arrives; each group's remainder to a voice or chat queue or idle).
    """
    from ortools.linear_solver import pywraplp

    problem = rm.problem
    assert problem.queues is not None
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with OR-Tools
        return False
    weights = problem.weights
    hours = problem.interval_hours
    scale = hours / REQUIREMENT_SCALE
    n_int = problem.n_intervals
    objective = solver.Objective()
    lp: dict[tuple[int, str, int], Any] = {}
    per_group: dict[tuple[int, int], list[tuple[str, Any]]] = {}
    per_queue: dict[tuple[str, int], list[Any]] = {}
    idle_coef = objective_coefficient(weights.overstaffing_per_agent_hour * scale)
    for key in rm.allocation:
        g, q, t = key
        var = solver.NumVar(0.0, float(units[g, t]), "")
        lp[key] = var
        per_group.setdefault((g, t), []).append((q, var))
        per_queue.setdefault((q, t), []).append(var)
        if q == IDLE:
            objective.SetCoefficient(var, idle_coef)
    for (g, t), parts in per_group.items():
        row = solver.Constraint(float(units[g, t]), float(units[g, t]))
        for _, var in parts:
            row.SetCoefficient(var, 1.0)
    growth = weights.understaffing_growth
    under = [
        objective_coefficient(weights.understaffing_per_agent_hour * k * scale) for k in growth
    ]
    over_coef = objective_coefficient(weights.overstaffing_per_agent_hour * scale)
    for queue in problem.queues.queues:
        series = problem.queue_series[queue.name]
        if queue.channel.per_interval:
            required = np.rint(series["required_scheduled"] * REQUIREMENT_SCALE)
            for t in range(n_int):
                parts = per_queue.get((queue.name, t), [])
                if not parts:
                    continue
                # cover - over + sum_k short_k = required
                row = solver.Constraint(float(required[t]), float(required[t]))
                for var in parts:
                    row.SetCoefficient(var, 1.0)
                over = solver.NumVar(0.0, solver.infinity(), "")
                row.SetCoefficient(over, -1.0)
                objective.SetCoefficient(over, over_coef)
                remaining = float(required[t])
                for k, coef in enumerate(under):
                    if remaining <= 0:
                        break
                    width = remaining if k == len(under) - 1 else min(REQUIREMENT_SCALE, remaining)
                    remaining -= width
                    short = solver.NumVar(0.0, width, "")
                    row.SetCoefficient(short, 1.0)
                    objective.SetCoefficient(short, coef)
        elif queue.channel is Channel.EMAIL:
            arrived = np.rint(np.cumsum(series["work_scheduled_agent_hours"]) / hours * 100)
            due = deadline_intervals(problem, queue)
            late_coef = objective_coefficient(weights.late_work_per_agent_hour * hours * scale)
            done: list[Any] = []
            for t in range(n_int):
                done += per_queue.get((queue.name, t), [])
                cap = solver.Constraint(-solver.infinity(), float(arrived[t]))
                for var in done:
                    cap.SetCoefficient(var, 1.0)
                k = t - due
                if k >= 0 and arrived[k] > 0:
                    late = solver.NumVar(0.0, float(arrived[k]), "")
                    row = solver.Constraint(float(arrived[k]), solver.infinity())
                    row.SetCoefficient(late, 1.0)
                    for var in done:
                        row.SetCoefficient(var, 1.0)
                    objective.SetCoefficient(late, late_coef)
        else:
            target = round(float(queue.outbound_hours_per_day or 0.0) / hours * REQUIREMENT_SCALE)
            if target <= 0:
                continue
            coef = objective_coefficient(weights.outbound_shortfall_per_agent_hour * scale)
            for day in calling_days(problem, queue):
                row = solver.Constraint(float(target), solver.infinity())
                short = solver.NumVar(0.0, float(target), "")
                row.SetCoefficient(short, 1.0)
                objective.SetCoefficient(short, coef)
                first, last = problem.day_first_interval(day), problem.day_first_interval(day + 1)
                for t in range(first, last):
                    for var in per_queue.get((queue.name, t), []):
                        row.SetCoefficient(var, 1.0)
    objective.SetMinimization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return False
    kinds = {q.name: q.channel for q in problem.queues.queues}
    for (g, t), parts in per_group.items():
        amounts = [
            math.floor(var.solution_value() + 1e-6)
            if q != IDLE and kinds[q] is Channel.EMAIL
            else round(var.solution_value())
            for q, var in parts
        ]
        rest = int(units[g, t]) - sum(amounts)
        sinks = [i for i, (q, _) in enumerate(parts) if q == IDLE or kinds[q].per_interval]
        if rest and sinks:
            i = max(sinks, key=lambda i: amounts[i])
            amounts[i] += rest
        for (q, _), amount in zip(parts, amounts, strict=True):
            values[rm.allocation[(g, q, t)].index] = max(int(amount), 0)
    return True
