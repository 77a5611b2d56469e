"""CP-SAT model of the weekly roster, built from one function per rule family.

:func:`build_model` creates the decision variables (:func:`add_assignment`)
and then calls one function per rule family. Each family function adds its
constraints and returns the :class:`PenaltyTerm` objects it contributes to
the objective, so a family can be built and tested on its own (see
``families`` of :func:`build_model`).

Variables
---------
``x[a][o]``
    Boolean: agent ``a`` works shift option ``o`` (an index into
    :func:`wfm.roster.shifts.shift_options`). At most one per agent and day.
``n[o]``
    Integer: how many agents work option ``o`` (``sum_a x[a][o]``). Coverage
    is written on these counts, so its size does not grow with the agents.
Break placement
    Templates whose break windows are the same for every length and cannot
    overlap each other ("aggregated" templates) get one integer per
    (day, template, break rule, start interval): how many of that day's
    shifts of the template take that break there. Such counts can be matched
    to individual shifts exactly when, for every interval ``p``, the breaks
    started by ``p`` are at most the shifts whose window opens by ``p`` and at
    least the shifts whose window closes by ``p`` (Hall's condition for
    windows ordered like their shifts). After solving, breaks are handed to
    agents in start order. Other templates get one Boolean per
    (agent, day, break rule, start), linked to the chosen option's window.

Sub-models
----------
``build_model(problem, agents=[...], fixed=fixed_agents(rm, values, agents))``
builds the variables and rules of some agents only; the others enter as
constants: the agents they put on each option (the option counts' offsets,
so the break counts of aggregated templates still place everybody's
breaks), their breaks placed one agent at a time (taken off the coverage),
and their fairness counts (bounds of the spread). Every constraint of the
full model is then either one of the freed agents' (the same in both), one
of the fixed agents' (kept by their values) or a shared one with the fixed
part as a constant, so a sub-model's solution written back into the full
model is feasible there, and the two objectives differ by the fixed agents'
penalties, a constant. The variables made for each agent are listed in
``RosterModel.owned`` and the others in ``RosterModel.shared``, in the same
order in both models, which is how a sub-model's values are written back.

Scales
------
Requirements and coverage are compared in hundredths of an agent
(:data:`REQUIREMENT_SCALE`): a requirement of 2.37 agents becomes 237, the
coverage of 3 agents 300. The objective is integral: one unit of cost (one
paid hour at cost 1, or one agent-hour short at weight 1) is
:data:`OBJECTIVE_SCALE` objective units. With 6000, the per-minute and
per-centi-agent-interval coefficients of integral weights are exact integers
on every allowed grid.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model, cp_model_helper

from wfm.errors import ValidationError
from wfm.roster.coverage import coverage_rows
from wfm.roster.problem import (
    PreferDayOff,
    PreferStartWindow,
    PreferTemplate,
    RosterProblem,
    Rule,
)
from wfm.roster.shifts import (
    AgentOption,
    ShiftOption,
    agent_options,
    last_shift_end_interval,
    rest_intervals,
    shift_options,
)

__all__ = [
    "FAMILIES",
    "OBJECTIVE_SCALE",
    "REQUIREMENT_SCALE",
    "BreakGroup",
    "FixedAgents",
    "FixedCounts",
    "PenaltyTerm",
    "RosterModel",
    "add_assignment",
    "add_breaks",
    "add_changes",
    "add_consecutive_days",
    "add_coverage",
    "add_days_off_block",
    "add_days_per_week",
    "add_fairness",
    "add_hours_per_period",
    "add_hours_per_week",
    "add_option_rules",
    "add_paid_cost",
    "add_preferences",
    "add_queue_coverage",
    "add_rest",
    "add_shortage_steps",
    "add_weekend_days",
    "build_model",
    "coverage_expressions",
    "each_agent",
    "fixed_agents",
    "is_late",
    "objective_coefficient",
    "published_positions",
]

OBJECTIVE_SCALE = 6000
"""Objective units per unit of cost."""

REQUIREMENT_SCALE = 100
"""Requirement and coverage units per agent."""

_STRUCTURE_RULES = (Rule.AVAILABILITY, Rule.TIME_OFF, Rule.PINS)


def objective_coefficient(cost: float) -> int:
    """Integer objective coefficient of ``cost`` (in cost units)."""
    return round(cost * OBJECTIVE_SCALE)


_coef = objective_coefficient


@dataclass(frozen=True)
class PenaltyTerm:
    """One named term of the objective.

    Attributes
    ----------
    rule
        Name of the term (``"understaffing"``, ``"preference"``, a
        :class:`~wfm.roster.problem.Rule` value, ...).
    agent_index
        Position of the agent in ``problem.agents``; ``None`` for global terms.
    day
        Horizon day the term belongs to; ``None`` if not day-specific.
    objective
        Integer linear expression added to the objective (objective units).
    amount
        Linear expression measuring the breach; ``amount * amount_scale`` is
        the amount reported in ``unit``.
    amount_scale
        Factor from ``amount`` to the reported unit.
    unit
        Unit of the reported amount (``"hours"``, ``"days"``, ``"agent-hours"``...).
    report
        Whether the term is a soft-rule violation to report (paid cost is not).
    """

    rule: str
    agent_index: int | None
    day: int | None
    objective: Any
    amount: Any
    amount_scale: float
    unit: str
    report: bool = True


@dataclass(frozen=True)
class BreakGroup:
    """Break placement of one (day, template, break rule), aggregated or not.

    ``counts`` maps absolute start intervals to integer variables (how many
    shifts take the break there) when ``agent_index`` is ``None``; otherwise
    it maps them to the agent's Boolean variables.
    """

    day: int
    template: int
    rule_index: int
    duration: int
    agent_index: int | None
    counts: dict[int, Any]


@dataclass(frozen=True, kw_only=True)
class FixedCounts:
    """The agents outside a sub-model that take part in one fairness spread.

    Attributes
    ----------
    agents
        How many take part.
    most, fewest
        The largest and smallest count among them (0 when none).
    """

    agents: int
    most: int
    fewest: int


@dataclass(frozen=True, kw_only=True)
class FixedAgents:
    """What the agents outside a sub-model contribute, as constants.

    Attributes
    ----------
    option_counts
        Every option with a count variable in the full model -> the agents
        outside working it.
    on_break
        Per interval, agents outside on a break placed for them alone (a
        template whose breaks are not aggregated); counted off the coverage.
    coverage_top
        Per interval, the full model's most agents that could cover it (the
        bound of its over-staffing variable).
    fairness
        ``"fairness_weekend"`` / ``"fairness_late"`` -> the outside agents
        taking part in that spread.
    """

    option_counts: dict[int, int]
    on_break: np.ndarray
    coverage_top: np.ndarray
    fairness: dict[str, FixedCounts]


@dataclass
class RosterModel:
    """A CP-SAT model of a roster problem and the handles to read it back.

    Attributes
    ----------
    problem, model
        The problem and the :class:`ortools.sat.python.cp_model.CpModel`.
    options
        Every shift option of the horizon.
    agent_options
        Per agent, the options they may work (with soft breaches).
    x
        Per agent: option index -> Boolean variable.
    works
        Per agent and day: Boolean variable "works a shift starting that day".
    option_count
        Option index -> integer variable (agents working it).
    break_groups
        Break placement variables.
    coverage
        Per horizon interval: linear expression of agents on shift and not
        on break (a constant 0 where nothing can cover).
    terms
        Penalty terms added by the rule families.
    guards
        With ``explain=True``: (rule, agent index) -> enforcement literal of
        that hard rule family for that agent.
    agent_indices
        The agents with variables (all of them, unless a sub-model).
    owned
        Per agent, the indices of the variables made for that agent, in the
        order they were made (:func:`each_agent`); the same agent has the
        same list, position by position, in the full model and in a
        sub-model.
    shared
        Indices of the variables made for no agent (option counts, break
        counts, coverage, fairness), ascending: the same list, position by
        position, in the full model and in a sub-model.
    fixed
        The constants of the agents left out of a sub-model (``None`` for
        the full model).
    coverage_top
        Per interval, the most agents that could cover it.
    agent_breaks
        ``(agent, variable index, first interval, end interval)`` of every
        break variable placed for one agent.
    fairness_parts
        Per fairness spread, ``(agent, variable index)`` of every variable
        counted in an agent's count.
    built_constraints
        Constraints of ``model`` when :func:`build_model` returned (any
        after them were added by the caller).
    paid
        Agent -> the expression of :meth:`paid_minutes`.
    """

    problem: RosterProblem
    model: cp_model.CpModel
    options: list[ShiftOption]
    agent_options: list[list[AgentOption]]
    explain: bool = False
    x: list[dict[int, Any]] = field(default_factory=list)
    works: list[list[Any]] = field(default_factory=list)
    option_count: dict[int, Any] = field(default_factory=dict)
    break_groups: list[BreakGroup] = field(default_factory=list)
    coverage: list[Any] = field(default_factory=list)
    terms: list[PenaltyTerm] = field(default_factory=list)
    guards: dict[tuple[Rule, int], Any] = field(default_factory=dict)
    start_var: list[dict[int, Any]] = field(default_factory=list)
    end_var: list[dict[int, Any]] = field(default_factory=list)
    hard_in_explain: frozenset[Rule] = frozenset()
    by_day: list[list[list[int]]] = field(default_factory=list)
    agent_indices: list[int] = field(default_factory=list)
    owned: list[list[int]] = field(default_factory=list)
    shared: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    fixed: FixedAgents | None = None
    coverage_top: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    agent_breaks: list[tuple[int, int, int, int]] = field(default_factory=list)
    fairness_parts: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    built_constraints: int = 0
    paid: dict[int, Any] = field(default_factory=dict)
    allocation: dict[tuple[int, str, int], Any] = field(default_factory=dict)
    """With queues: (skill group, queue, interval) -> hundredths of an agent
    allocated (:mod:`wfm.roster.queues_model`)."""

    # -- helpers -------------------------------------------------------------
    def guard(self, rule: Rule, agent: int) -> list[Any]:
        """Enforcement literals for a hard rule of ``agent`` (empty unless explaining)."""
        if not self.explain:
            return []
        key = (rule, agent)
        if key not in self.guards:
            self.guards[key] = self.model.new_bool_var(f"guard_{rule.value}_{agent}")
        return [self.guards[key]]

    def options_of_day(self, agent: int, day: int) -> list[int]:
        """Option indices agent ``agent`` may work on horizon ``day``."""
        return self.by_day[agent][day]

    def day_sum(self, agent: int, day: int, weights: Callable[[ShiftOption], int]) -> Any:
        """Linear expression ``sum weights(o) * x[o]`` over the agent's options of ``day``."""
        keys = self.options_of_day(agent, day)
        return cp_model.LinearExpr.weighted_sum(
            [self.x[agent][o] for o in keys], [weights(self.options[o]) for o in keys]
        )

    def paid_minutes(self, agent: int) -> Any:
        """Linear expression of the agent's paid minutes in the horizon (made once)."""
        if agent not in self.paid:
            keys = list(self.x[agent])
            self.paid[agent] = cp_model.LinearExpr.weighted_sum(
                [self.x[agent][o] for o in keys], [self.options[o].paid_minutes for o in keys]
            )
        return self.paid[agent]

    def limit(
        self,
        rule: Rule,
        agent: int,
        expr: Any,
        *,
        at_least: int | None = None,
        at_most: int | None = None,
        amount_scale: float = 1.0,
        day: int | None = None,
        enforce: Sequence[Any] = (),
    ) -> list[PenaltyTerm]:
        """Bound ``expr`` for ``agent``: hard (guarded) or soft with a breach variable.

        The breach variable counts ``expr``'s units beyond the bound; its
        penalty is ``soft_rules[rule]`` per reported unit
        (``amount_scale`` converts ``expr`` units to the unit of the rule).
        """
        problem = self.problem
        if not problem.is_soft(rule):
            if at_least is not None:
                self.model.add(expr >= at_least).only_enforce_if(
                    [*enforce, *self.guard(rule, agent)]
                )
            if at_most is not None:
                self.model.add(expr <= at_most).only_enforce_if(
                    [*enforce, *self.guard(rule, agent)]
                )
            return []
        penalty = problem.soft_rules[rule]
        terms: list[PenaltyTerm] = []
        for bound, sign in ((at_least, 1), (at_most, -1)):
            if bound is None:
                continue
            top = max(abs(bound), 1) * 4 + 10_000
            breach = self.model.new_int_var(0, top, "")
            if sign > 0:
                self.model.add(expr + breach >= bound).only_enforce_if(list(enforce))
            else:
                self.model.add(expr - breach <= bound).only_enforce_if(list(enforce))
            terms.append(
                PenaltyTerm(
                    rule=rule.value,
                    agent_index=agent,
                    day=day,
                    objective=_coef(penalty * amount_scale) * breach,
                    amount=breach,
                    amount_scale=amount_scale,
                    unit=rule.unit,
                )
            )
        return terms


def each_agent(rm: RosterModel) -> Iterator[int]:
    """The agents of ``rm`` (``rm.agent_indices``), noting the variables made for each.

    Every variable made between one agent's turn and the next is added to
    ``rm.owned`` of that agent, so that a sub-model's variables can be
    matched with the full model's.
    """
    variables = rm.model.proto.variables
    for a in rm.agent_indices:
        first = len(variables)
        yield a
        rm.owned[a].extend(range(first, len(variables)))


def is_late(problem: RosterProblem, option: ShiftOption) -> bool:
    """Whether ``option`` ends after ``problem.late_shift_ends_after`` or past midnight."""
    end_of_day = problem.day_first_interval(option.day + 1)
    if option.end > end_of_day:
        return True
    late = problem.late_shift_ends_after
    threshold = problem.grid.clock_position(option.day, late.hour * 60 + late.minute)
    return option.end > threshold


# -- variables -------------------------------------------------------------------
def add_assignment(rm: RosterModel) -> list[PenaltyTerm]:
    """Shift variables, at most one shift per agent and day, option counts.

    Structural (always hard). Returns no penalty terms.
    """
    model = rm.model
    days = rm.problem.days
    n_agents = len(rm.problem.agents)
    option_day = [opt.day for opt in rm.options]
    users: dict[int, list[Any]] = {}
    rm.x = [{} for _ in range(n_agents)]
    rm.works = [[0] * days for _ in range(n_agents)]
    rm.by_day = [[[] for _ in range(days)] for _ in range(n_agents)]
    new_bool = model.new_bool_var
    for a in each_agent(rm):
        xa: dict[int, Any] = rm.x[a]
        by_day: list[list[Any]] = [[] for _ in range(days)]
        keys = rm.by_day[a]
        for ao in rm.agent_options[a]:
            o = ao.option
            var = new_bool("")
            xa[o] = var
            day = option_day[o]
            by_day[day].append(var)
            keys[day].append(o)
            users.setdefault(o, []).append(var)
        works_a = rm.works[a]
        for d in range(days):
            if by_day[d]:
                w = model.new_bool_var("")
                model.add(cp_model.LinearExpr.sum(by_day[d]) == w)
                works_a[d] = w
    rm.option_count = {}
    fixed = rm.fixed
    for o in sorted(users) if fixed is None else sorted(fixed.option_counts):
        mine = users.get(o, [])
        outside = 0 if fixed is None else fixed.option_counts[o]
        n = model.new_int_var(outside, outside + len(mine), "")
        if mine:
            model.add(cp_model.LinearExpr.sum(mine) + outside == n)
        rm.option_count[o] = n
    return []


def _relative_windows(rm: RosterModel, template: int) -> list[tuple[int, ...]] | None:
    """Break windows relative to the shift start if equal for all of the template's options."""
    seen: tuple[tuple[int, ...], ...] | None = None
    for o in rm.option_count:
        opt = rm.options[o]
        if opt.template != template:
            continue
        rel = tuple(tuple(p - opt.start for p in w) for w in opt.break_starts)
        if seen is None:
            seen = rel
        elif rel != seen:
            return None
    return None if seen is None else list(seen)


def _aggregatable(rm: RosterModel, template: int) -> bool:
    rules = rm.problem.templates[template].breaks
    if not rules:
        return True
    if rm.problem.baseline is not None:
        # published breaks are kept or priced per agent: one variable per agent's break
        return False
    if len(rm.problem.skill_groups[0]) > 1:
        # each skill group's coverage needs its own breaks: one variable per agent's break
        return False
    windows = _relative_windows(rm, template)
    if windows is None:
        return False
    im = rm.problem.interval_minutes
    spans = sorted(
        (w[0], w[-1] + rule.duration_minutes // im) for w, rule in zip(windows, rules, strict=True)
    )
    return all(end <= nxt for (_, end), (nxt, _) in itertools.pairwise(spans))


def add_breaks(rm: RosterModel) -> list[PenaltyTerm]:
    """Break placement variables linked to the chosen shifts (structural, hard)."""
    model = rm.model
    problem = rm.problem
    im = problem.interval_minutes
    rm.break_groups = []
    groups: dict[tuple[int, int], list[int]] = {}
    for o in rm.option_count:
        opt = rm.options[o]
        if problem.templates[opt.template].breaks:
            groups.setdefault((opt.day, opt.template), []).append(o)
    aggregated = {t: _aggregatable(rm, t) for t in range(len(problem.templates))}
    for (day, template), opts in sorted(groups.items()):
        rules = problem.templates[template].breaks
        if aggregated[template]:
            total = cp_model.LinearExpr.sum([rm.option_count[o] for o in opts])
            cap = len(rm.x)
            for j, rule in enumerate(rules):
                positions = sorted({p for o in opts for p in rm.options[o].break_starts[j]})
                counts = {p: model.new_int_var(0, cap, "") for p in positions}
                model.add(cp_model.LinearExpr.sum(list(counts.values())) == total)
                opening: dict[int, list[Any]] = {}
                closing: dict[int, list[Any]] = {}
                for o in opts:
                    window = rm.options[o].break_starts[j]
                    opening.setdefault(window[0], []).append(rm.option_count[o])
                    closing.setdefault(window[-1], []).append(rm.option_count[o])
                # prefix sums: breaks started, windows opened, windows closed by p
                placed: list[Any] = []
                opened: list[Any] = []
                closed: list[Any] = []
                for p in positions[:-1]:
                    placed.append(counts[p])
                    opened += opening.get(p, [])
                    closed += closing.get(p, [])
                    started = cp_model.LinearExpr.sum(placed)
                    model.add(started <= cp_model.LinearExpr.sum(opened))
                    if closed:
                        model.add(started >= cp_model.LinearExpr.sum(closed))
                rm.break_groups.append(
                    BreakGroup(
                        day=day,
                        template=template,
                        rule_index=j,
                        duration=rule.duration_minutes // im,
                        agent_index=None,
                        counts=counts,
                    )
                )
            continue
        for a in each_agent(rm):
            xa = rm.x[a]
            mine = [o for o in opts if o in xa]
            if not mine:
                continue
            works_t = cp_model.LinearExpr.sum([xa[o] for o in mine])
            cover: dict[int, list[Any]] = {}
            for j, rule in enumerate(rules):
                duration = rule.duration_minutes // im
                holders: dict[int, list[Any]] = {}
                for o in mine:
                    for p in rm.options[o].break_starts[j]:
                        holders.setdefault(p, []).append(xa[o])
                z = {p: model.new_bool_var("") for p in sorted(holders)}
                model.add(cp_model.LinearExpr.sum(list(z.values())) == works_t)
                for p, zp in z.items():
                    model.add(zp <= cp_model.LinearExpr.sum(holders[p]))
                    rm.agent_breaks.append((a, zp.index, p, p + duration))
                    for t in range(p, p + duration):
                        cover.setdefault(t, []).append(zp)
                rm.break_groups.append(
                    BreakGroup(
                        day=day,
                        template=template,
                        rule_index=j,
                        duration=duration,
                        agent_index=a,
                        counts=z,
                    )
                )
            if len(rules) > 1:
                for lits in cover.values():
                    if len(lits) > 1:
                        model.add_at_most_one(lits)
    return []


# -- coverage and cost -------------------------------------------------------------
def coverage_expressions(
    rm: RosterModel, agents: Sequence[int] | None = None
) -> tuple[list[Any], np.ndarray]:
    """Per interval, the scheduled coverage (agents on shift, not on break) as an expression.

    Parameters
    ----------
    rm
        The model, with its assignment and break variables built.
    agents
        Agent indices whose coverage to sum (default: every agent, on the
        option counts). A subset needs per-agent break variables (no
        aggregated template among its shifts' breaks).

    Returns
    -------
    exprs, top
        The expression of each interval (0 where nothing can cover) and the
        most agents that could cover it.
    """
    n_int = rm.problem.n_intervals
    rows = coverage_rows(rm.problem, rm.options)
    plus: list[list[Any]] = [[] for _ in range(n_int)]
    minus: list[list[Any]] = [[] for _ in range(n_int)]
    top = np.zeros(n_int, dtype=np.int64)
    members = None if agents is None else frozenset(agents)
    if members is None:
        for o, n in rm.option_count.items():
            for t in rows.covered(o):
                plus[t].append(n)
    else:
        for a in sorted(members):
            for o, var in rm.x[a].items():
                for t in rows.covered(o):
                    plus[t].append(var)
    counts_top = {o: 0 for o in rm.option_count}
    for a in rm.agent_indices:
        if members is not None and a not in members:
            continue
        for o in rm.x[a]:
            counts_top[o] += 1
    for o, c in counts_top.items():
        top[rows.option_start[o] : rows.option_end[o]] += c
    # a sub-model's fixed agents (of the whole centre, not of a subset)
    fixed = rm.fixed if members is None else None
    if fixed is not None:
        top = np.asarray(fixed.coverage_top, dtype=np.int64).copy()
    for group in rm.break_groups:
        if members is not None and group.agent_index not in members:
            continue
        for p, var in group.counts.items():
            for t in range(p, min(p + group.duration, n_int)):
                minus[t].append(var)
    on_break = (
        np.zeros(n_int, dtype=np.int64)
        if fixed is None
        else np.asarray(fixed.on_break, dtype=np.int64)
    )
    exprs: list[Any] = []
    for t in range(n_int):
        if not plus[t]:
            exprs.append(0)
            continue
        expr = cp_model.LinearExpr.sum(plus[t])
        if minus[t]:
            expr = expr - cp_model.LinearExpr.sum(minus[t])
        if on_break[t]:
            expr = expr - int(on_break[t])
        exprs.append(expr)
    return exprs, np.minimum(top, len(rm.x) if members is None else len(members))


def add_coverage(rm: RosterModel) -> list[PenaltyTerm]:
    """Under- and over-staffing per interval against the requirement.

    Per interval ``t`` (in hundredths of an agent): ``100 * coverage[t] -
    R[t] = over[t] - sum_k short[t, k]``, where ``short[t, k]`` is the
    ``k``-th agent of shortage (width 100, the last step unbounded) costing
    ``understaffing_per_agent_hour * understaffing_growth[k]`` per agent-hour.
    Growth is non-decreasing, so the steps fill in order and the cost is
    convex in the gap.

    With ``problem.queues`` the coverage expressions are kept
    (``RosterModel.coverage``) and the queues' coverage is the family
    ``queue_coverage`` (:func:`add_queue_coverage`) instead.
    """
    problem = rm.problem
    exprs, top = coverage_expressions(rm)
    rm.coverage = exprs
    rm.coverage_top = top
    if problem.queues is not None:
        return []
    required = np.rint(problem.required_scheduled * REQUIREMENT_SCALE).astype(np.int64)
    terms: list[PenaltyTerm] = []
    for t in range(problem.n_intervals):
        terms += add_shortage_steps(
            rm,
            REQUIREMENT_SCALE * exprs[t],
            required=int(required[t]),
            cap=int(top[t]) * REQUIREMENT_SCALE,
            day=problem.grid.day_of(t),
        )
    return terms


def add_shortage_steps(
    rm: RosterModel, covered: Any, *, required: int, cap: int, day: int
) -> list[PenaltyTerm]:
    """Under- and over-staffing of one interval: ``covered - required = over - sum_k short_k``.

    Parameters
    ----------
    rm
        The model.
    covered
        Coverage in hundredths of an agent (a linear expression).
    required
        The requirement in hundredths of an agent.
    cap
        The most ``covered`` can be (hundredths); 0: nothing can cover.
    day
        Horizon day of the interval (the terms' day).

    Returns
    -------
    list of PenaltyTerm
        ``"understaffing"`` steps (convex, as in :func:`add_coverage`) and
        ``"overstaffing"``, in agent-hours.
    """
    problem = rm.problem
    weights = problem.weights
    model = rm.model
    hours = problem.interval_hours
    growth = weights.understaffing_growth
    under_coef = [
        _coef(weights.understaffing_per_agent_hour * g * hours / REQUIREMENT_SCALE) for g in growth
    ]
    over_coef = _coef(weights.overstaffing_per_agent_hour * hours / REQUIREMENT_SCALE)
    scale = hours / REQUIREMENT_SCALE
    terms: list[PenaltyTerm] = []
    req = required
    steps: list[Any] = []
    remaining = req
    for k in range(len(growth)):
        if remaining <= 0:
            break
        width = remaining if k == len(growth) - 1 else min(REQUIREMENT_SCALE, remaining)
        remaining -= width
        s = model.new_int_var(0, width, "")
        steps.append(s)
        terms.append(
            PenaltyTerm(
                rule="understaffing",
                agent_index=None,
                day=day,
                objective=under_coef[k] * s,
                amount=s,
                amount_scale=scale,
                unit="agent-hours",
            )
        )
    over_top = max(cap - req, 0)
    if cap == 0:
        if req > 0:
            model.add(cp_model.LinearExpr.sum(steps) == req)
        return terms
    over = model.new_int_var(0, over_top, "")
    model.add(
        covered - req == over - cp_model.LinearExpr.sum(steps) if steps else covered - req == over
    )
    if over_coef > 0:
        terms.append(
            PenaltyTerm(
                rule="overstaffing",
                agent_index=None,
                day=day,
                objective=over_coef * over,
                amount=over,
                amount_scale=scale,
                unit="agent-hours",
            )
        )
    return terms


def add_queue_coverage(rm: RosterModel) -> list[PenaltyTerm]:
    """The coverage of several queues (``problem.queues``); nothing without queues.

    Allocation of each skill group's coverage across its queues, each
    agent counted once per interval; per-interval queues' under- and
    over-staffing, e-mail backlogs and outbound hours: see
    :func:`wfm.roster.queues_model.build_queue_coverage`.
    """
    if rm.problem.queues is None:
        return []
    # the queues' module builds on this one's helpers, so it is read when called
    from wfm.roster.queues_model import build_queue_coverage

    return build_queue_coverage(rm)


def add_paid_cost(rm: RosterModel) -> list[PenaltyTerm]:
    """Paid hours at each agent's cost per hour times ``weights.paid_hour``."""
    problem = rm.problem
    terms: list[PenaltyTerm] = []
    paid_minutes = np.array([opt.paid_minutes for opt in rm.options], dtype=float)
    for a in each_agent(rm):
        agent = problem.agents[a]
        keys = list(rm.x[a])
        if not keys:
            continue
        rate = problem.cost_per_hour_of(agent) * problem.weights.paid_hour
        paid = paid_minutes[keys]
        coefs = np.rint(rate * paid / 60.0 * OBJECTIVE_SCALE).astype(np.int64).tolist()
        variables = [rm.x[a][o] for o in keys]
        terms.append(
            PenaltyTerm(
                rule="paid_hours",
                agent_index=a,
                day=None,
                objective=cp_model.LinearExpr.weighted_sum(variables, coefs),
                amount=rm.paid_minutes(a),
                amount_scale=1 / 60.0,
                unit="hours",
                report=False,
            )
        )
    return terms


# -- labour rules -----------------------------------------------------------------
def _week_day(problem: RosterProblem, week: range) -> int | None:
    """Day a per-week term is reported on: the week's first day, ``None`` for a one-week horizon."""
    return None if len(problem.weeks) == 1 else week.start


def add_hours_per_week(rm: RosterModel) -> list[PenaltyTerm]:
    """Contract minimum and maximum paid hours in each week of the period."""
    problem = rm.problem
    terms: list[PenaltyTerm] = []
    for a in each_agent(rm):
        agent = problem.agents[a]
        contract = problem.contract_of(agent)
        low = math.ceil(contract.min_hours_per_week * 60 - 1e-9)
        high = math.floor(contract.max_hours_per_week * 60 + 1e-9)
        for week in problem.weeks:
            if len(problem.weeks) == 1:
                paid = rm.paid_minutes(a)
            else:
                keys = [o for d in week for o in rm.options_of_day(a, d)]
                paid = cp_model.LinearExpr.weighted_sum(
                    [rm.x[a][o] for o in keys], [rm.options[o].paid_minutes for o in keys]
                )
            day = _week_day(problem, week)
            if low > 0:
                terms += rm.limit(
                    Rule.MIN_HOURS, a, paid, at_least=low, amount_scale=1 / 60.0, day=day
                )
            terms += rm.limit(Rule.MAX_HOURS, a, paid, at_most=high, amount_scale=1 / 60.0, day=day)
    return terms


def add_hours_per_period(rm: RosterModel) -> list[PenaltyTerm]:
    """Contract minimum and maximum paid hours in the whole planning period."""
    terms: list[PenaltyTerm] = []
    for a in each_agent(rm):
        agent = rm.problem.agents[a]
        contract = rm.problem.contract_of(agent)
        paid = rm.paid_minutes(a)
        low = math.ceil(contract.min_hours_per_period * 60 - 1e-9)
        if low > 0:
            terms += rm.limit(Rule.MIN_HOURS_PERIOD, a, paid, at_least=low, amount_scale=1 / 60.0)
        if contract.max_hours_per_period is not None:
            high = math.floor(contract.max_hours_per_period * 60 + 1e-9)
            terms += rm.limit(Rule.MAX_HOURS_PERIOD, a, paid, at_most=high, amount_scale=1 / 60.0)
    return terms


def add_days_per_week(rm: RosterModel) -> list[PenaltyTerm]:
    """Contract minimum and maximum working days in each week of the period."""
    problem = rm.problem
    terms: list[PenaltyTerm] = []
    for a in each_agent(rm):
        agent = problem.agents[a]
        contract = problem.contract_of(agent)
        for week in problem.weeks:
            worked = cp_model.LinearExpr.sum([rm.works[a][d] for d in week])
            day = _week_day(problem, week)
            if contract.min_days_per_week > 0:
                terms += rm.limit(
                    Rule.MIN_DAYS, a, worked, at_least=contract.min_days_per_week, day=day
                )
            if contract.max_days_per_week < len(week):
                terms += rm.limit(
                    Rule.MAX_DAYS, a, worked, at_most=contract.max_days_per_week, day=day
                )
    return terms


def add_consecutive_days(rm: RosterModel) -> list[PenaltyTerm]:
    """At most ``max_consecutive_days`` working days in a row, across week boundaries.

    Days worked just before the horizon (``consecutive_days_worked_before``)
    count: every window of ``max + 1`` consecutive days, including those
    days, holds at most ``max`` working days.
    """
    problem = rm.problem
    terms: list[PenaltyTerm] = []
    for a in each_agent(rm):
        agent = problem.agents[a]
        limit = problem.contract_of(agent).max_consecutive_days
        before = agent.consecutive_days_worked_before
        span = limit + 1
        for first in range(max(-before, -limit), problem.days - span + 1):
            inside = [
                rm.works[a][d]
                for d in range(max(first, 0), first + span)
                if not isinstance(rm.works[a][d], int)
            ]
            if not inside:
                continue
            terms += rm.limit(
                Rule.MAX_CONSECUTIVE_DAYS,
                a,
                cp_model.LinearExpr.sum(inside),
                at_most=limit - max(-first, 0),
                day=first + span - 1,
            )
    return terms


def add_days_off_block(rm: RosterModel) -> list[PenaltyTerm]:
    """In every week, a block of ``min_consecutive_days_off`` consecutive days off.

    A week's candidate blocks end on one of its days and may begin before it:
    in the week before, or within the agent's ``days_off_before`` for the
    first week. A missing block counts ``min_consecutive_days_off`` days
    (per week) when the rule is soft.
    """
    problem = rm.problem
    model = rm.model
    terms: list[PenaltyTerm] = []
    for a in each_agent(rm):
        agent = problem.agents[a]
        k = problem.contract_of(agent).min_consecutive_days_off
        if k <= 1:
            continue
        first = -min(agent.days_off_before, k - 1)
        for week in problem.weeks:
            blocks: list[Any] = []
            for s in range(max(first, week.start - k + 1), week.stop - k + 1):
                b = model.new_bool_var("")
                for d in range(max(s, 0), s + k):
                    w = rm.works[a][d]
                    if not isinstance(w, int):
                        model.add_implication(b, w.Not())
                blocks.append(b)
            got = cp_model.LinearExpr.sum(blocks)
            if problem.is_soft(Rule.MIN_CONSECUTIVE_DAYS_OFF):
                miss = model.new_bool_var("")
                model.add(got + miss >= 1)
                penalty = problem.soft_rules[Rule.MIN_CONSECUTIVE_DAYS_OFF]
                terms.append(
                    PenaltyTerm(
                        rule=Rule.MIN_CONSECUTIVE_DAYS_OFF.value,
                        agent_index=a,
                        day=_week_day(problem, week),
                        objective=_coef(penalty * k) * miss,
                        amount=miss,
                        amount_scale=float(k),
                        unit=Rule.MIN_CONSECUTIVE_DAYS_OFF.unit,
                    )
                )
            else:
                model.add(got >= 1).only_enforce_if(rm.guard(Rule.MIN_CONSECUTIVE_DAYS_OFF, a))
    return terms


def add_weekend_days(rm: RosterModel) -> list[PenaltyTerm]:
    """At most ``max_weekend_days`` working days among ``problem.weekend_days`` in each week."""
    problem = rm.problem
    terms: list[PenaltyTerm] = []
    for a in each_agent(rm):
        agent = problem.agents[a]
        limit = problem.contract_of(agent).max_weekend_days
        for week in problem.weeks:
            worked = [
                rm.works[a][d]
                for d in week
                if problem.weekday_of(d) in problem.weekend_days
                and not isinstance(rm.works[a][d], int)
            ]
            if len(worked) <= limit:
                continue
            terms += rm.limit(
                Rule.MAX_WEEKEND_DAYS,
                a,
                cp_model.LinearExpr.sum(worked),
                at_most=limit,
                day=_week_day(problem, week),
            )
    return terms


def _START(option: ShiftOption) -> int:
    return option.start


def _END(option: ShiftOption) -> int:
    return option.end


def add_rest(rm: RosterModel) -> list[PenaltyTerm]:
    """Minimum rest between consecutive shifts, and no overlapping shifts.

    Per agent and day, integer variables hold the start and end (absolute
    intervals) of the shift worked that day. For days ``d < e`` with every
    day between them off, ``start[e] - end[d] >= rest`` is enforced when both
    are worked; pairs that cannot come closer than the rest are skipped.
    The last shift before the horizon (``Agent.last_shift_end``) counts too.
    Overlap (negative rest) is always forbidden.
    """
    problem = rm.problem
    model = rm.model
    terms: list[PenaltyTerm] = []
    im = problem.interval_minutes
    rm.start_var = []
    rm.end_var = []
    for a in each_agent(rm):
        agent = problem.agents[a]
        rest = rest_intervals(problem, problem.contract_of(agent).min_rest_hours)
        by_day = [rm.options_of_day(a, d) for d in range(problem.days)]
        starts: dict[int, Any] = {}
        ends: dict[int, Any] = {}
        low_start = {
            d: min(rm.options[o].start for o in by_day[d]) for d in range(problem.days) if by_day[d]
        }
        high_end = {
            d: max(rm.options[o].end for o in by_day[d]) for d in range(problem.days) if by_day[d]
        }

        def start_of(d: int, a: int = a, starts: dict[int, Any] = starts) -> Any:
            if d not in starts:
                var = model.new_int_var(0, 10**6, "")
                model.add(var == rm.day_sum(a, d, _START))
                starts[d] = var
            return starts[d]

        def end_of(d: int, a: int = a, ends: dict[int, Any] = ends) -> Any:
            if d not in ends:
                var = model.new_int_var(0, 10**6, "")
                model.add(var == rm.day_sum(a, d, _END))
                ends[d] = var
            return ends[d]

        for d in sorted(high_end):
            for e in range(d + 1, problem.days):
                if e not in low_start:
                    continue
                gap = low_start[e] - high_end[d]
                if gap >= max(rest, 0):
                    continue
                between = [
                    rm.works[a][f] for f in range(d + 1, e) if not isinstance(rm.works[a][f], int)
                ]
                enforce = [rm.works[a][d], rm.works[a][e], *[w.Not() for w in between]]
                diff = start_of(e) - end_of(d)
                if gap < 0:
                    model.add(diff >= 0).only_enforce_if(enforce)
                if rest > 0:
                    terms += rm.limit(
                        Rule.MIN_REST,
                        a,
                        diff,
                        at_least=rest,
                        amount_scale=im / 60.0,
                        day=e,
                        enforce=enforce,
                    )
        last_end = last_shift_end_interval(problem, agent)
        if last_end is not None:
            for e in sorted(low_start):
                gap = low_start[e] - last_end
                if gap >= rest and gap >= 0:
                    continue
                between = [rm.works[a][f] for f in range(e) if not isinstance(rm.works[a][f], int)]
                enforce = [rm.works[a][e], *[w.Not() for w in between]]
                if gap < 0:
                    model.add(start_of(e) >= last_end).only_enforce_if(enforce)
                if rest > 0:
                    terms += rm.limit(
                        Rule.MIN_REST,
                        a,
                        start_of(e) - last_end,
                        at_least=rest,
                        amount_scale=im / 60.0,
                        day=e,
                        enforce=enforce,
                    )
        rm.start_var.append(starts)
        rm.end_var.append(ends)
    return terms


def add_option_rules(rm: RosterModel) -> list[PenaltyTerm]:
    """Availability, time off and pins.

    Options that break a hard rule are not in the model at all (or, when
    explaining, are forbidden under that rule's guard). Soft breaches cost
    the rule's penalty per shift. A pin to a shift also requires a shift on
    that day.
    """
    problem = rm.problem
    model = rm.model
    terms: list[PenaltyTerm] = []
    for a in each_agent(rm):
        agent = problem.agents[a]
        grouped: dict[tuple[Rule, int], list[Any]] = {}
        for ao in rm.agent_options[a]:
            for rule in ao.breaches:
                var = rm.x[a][ao.option]
                if rule in rm.hard_in_explain:
                    model.add(var == 0).only_enforce_if(rm.guard(rule, a))
                else:
                    grouped.setdefault((rule, rm.options[ao.option].day), []).append(var)
        for (rule, day), variables in sorted(
            grouped.items(), key=lambda kv: (kv[0][0].value, kv[0][1])
        ):
            penalty = problem.soft_rules[rule]
            amount = cp_model.LinearExpr.sum(variables)
            terms.append(
                PenaltyTerm(
                    rule=rule.value,
                    agent_index=a,
                    day=day,
                    objective=_coef(penalty) * amount,
                    amount=amount,
                    amount_scale=1.0,
                    unit=rule.unit,
                )
            )
        for pin in agent.pins:
            if pin.off:
                continue
            day = (pin.day - problem.start_date).days
            w = rm.works[a][day]
            if problem.is_soft(Rule.PINS) and Rule.PINS not in rm.hard_in_explain:
                penalty = problem.soft_rules[Rule.PINS]
                amount = 1 - w
                terms.append(
                    PenaltyTerm(
                        rule=Rule.PINS.value,
                        agent_index=a,
                        day=day,
                        objective=_coef(penalty) * amount,
                        amount=amount,
                        amount_scale=1.0,
                        unit=Rule.PINS.unit,
                    )
                )
            elif isinstance(w, int):
                # no option left on a pinned working day
                model.add(model.new_constant(0) == 1).only_enforce_if(rm.guard(Rule.PINS, a))
            else:
                model.add(w == 1).only_enforce_if(rm.guard(Rule.PINS, a))
    return terms


# -- soft wishes ---------------------------------------------------------------------
def _start_clock(problem: RosterProblem, option: ShiftOption) -> int:
    return problem.grid.clock_minutes(option.start)


def add_preferences(rm: RosterModel) -> list[PenaltyTerm]:
    """Preferred templates, start windows and days off, each at its weight.

    The cost is ``weight * weights.preference`` per shift against the wish.
    """
    problem = rm.problem
    scale = problem.weights.preference
    terms: list[PenaltyTerm] = []
    for a in each_agent(rm):
        agent = problem.agents[a]
        for pref in agent.preferences:
            cost = pref.weight * scale
            if cost <= 0:
                continue
            per_day: dict[int, list[Any]] = {}
            if isinstance(pref, PreferDayOff):
                day = (pref.day - problem.start_date).days
                if 0 <= day < problem.days and not isinstance(rm.works[a][day], int):
                    per_day[day] = [rm.works[a][day]]
            elif isinstance(pref, PreferTemplate):
                wanted = problem.template_index[pref.template]
                for o, var in rm.x[a].items():
                    opt = rm.options[o]
                    if opt.template != wanted:
                        per_day.setdefault(opt.day, []).append(var)
            elif isinstance(pref, PreferStartWindow):
                low = pref.earliest.hour * 60 + pref.earliest.minute
                high = pref.latest.hour * 60 + pref.latest.minute
                for o, var in rm.x[a].items():
                    opt = rm.options[o]
                    if pref.weekdays and problem.weekday_of(opt.day) not in pref.weekdays:
                        continue
                    if not low <= _start_clock(problem, opt) <= high:
                        per_day.setdefault(opt.day, []).append(var)
            for day, variables in sorted(per_day.items()):
                amount = cp_model.LinearExpr.sum(variables)
                terms.append(
                    PenaltyTerm(
                        rule="preference",
                        agent_index=a,
                        day=day,
                        objective=_coef(cost) * amount,
                        amount=amount,
                        amount_scale=1.0,
                        unit="shifts",
                    )
                )
    return terms


def add_fairness(rm: RosterModel) -> list[PenaltyTerm]:
    """Spread (most minus fewest) of weekend days and of late shifts across agents.

    Only agents who can get any (a weekend option and ``max_weekend_days >
    0``; a late option) take part; with fewer than two such agents the term
    is dropped.
    """
    problem = rm.problem
    model = rm.model
    weights = problem.weights
    terms: list[PenaltyTerm] = []
    weekend_days = {d for d in range(problem.days) if problem.weekday_of(d) in problem.weekend_days}
    counts: dict[str, list[Any]] = {"fairness_weekend": [], "fairness_late": []}
    late_option = [is_late(problem, opt) for opt in rm.options]
    for a in each_agent(rm):
        agent = problem.agents[a]
        if problem.contract_of(agent).max_weekend_days > 0:
            worked = [rm.works[a][d] for d in weekend_days if not isinstance(rm.works[a][d], int)]
            if worked:
                counts["fairness_weekend"].append(cp_model.LinearExpr.sum(worked))
                rm.fairness_parts.setdefault("fairness_weekend", []).extend(
                    (a, w.index) for w in worked
                )
        late = [var for o, var in rm.x[a].items() if late_option[o]]
        if late:
            counts["fairness_late"].append(cp_model.LinearExpr.sum(late))
            rm.fairness_parts.setdefault("fairness_late", []).extend((a, v.index) for v in late)
    fixed = rm.fixed
    for name, weight in (
        ("fairness_weekend", weights.fairness_weekend),
        ("fairness_late", weights.fairness_late),
    ):
        exprs = counts[name]
        outside = None if fixed is None else fixed.fairness.get(name)
        taking_part = len(exprs) + (0 if outside is None else outside.agents)
        if weight <= 0 or taking_part < 2:
            continue
        top = problem.days
        high = model.new_int_var(0, top, "")
        low = model.new_int_var(0, top, "")
        for e in exprs:
            model.add(high >= e)
            model.add(low <= e)
        if outside is not None and outside.agents:
            model.add(high >= outside.most)
            model.add(low <= outside.fewest)
        spread = high - low
        terms.append(
            PenaltyTerm(
                rule=name,
                agent_index=None,
                day=None,
                objective=_coef(weight) * spread,
                amount=spread,
                amount_scale=1.0,
                unit="days" if name == "fairness_weekend" else "shifts",
            )
        )
    return terms


# -- changes from a published roster ------------------------------------------------
def published_positions(
    problem: RosterProblem,
) -> dict[tuple[str, int], tuple[int, int, int, dict[int, int]]]:
    """The baseline's shifts on the grid.

    Returns
    -------
    dict
        (agent id, horizon day) -> (template index, start interval, length in
        intervals, {break rule index: start interval}); shifts whose start is
        off the grid are left out.
    """
    base = problem.baseline
    out: dict[tuple[str, int], tuple[int, int, int, dict[int, int]]] = {}
    if base is None or not base.shifts:
        return out
    stamps = [s.start for s in base.shifts]
    for s in base.shifts:
        stamps += [b.start for b in s.breaks]
    grid = problem.grid.positions(pd.Series(stamps), "baseline.start")
    im = problem.interval_minutes
    k = len(base.shifts)
    for i, s in enumerate(base.shifts):
        template = problem.template_index[s.template]
        names = [b.name for b in problem.templates[template].breaks]
        breaks: dict[int, int] = {}
        for b in s.breaks:
            k_pos = grid[k]
            k += 1
            if math.isfinite(k_pos) and b.name in names:
                breaks[names.index(b.name)] = math.floor(k_pos)
        start = grid[i]
        if not math.isfinite(start) or start != math.floor(start):
            continue
        day = (s.day - problem.start_date).days
        out[(s.agent_id, day)] = (template, int(start), s.length_minutes // im, breaks)
    return out


def add_changes(rm: RosterModel) -> list[PenaltyTerm]:
    """Locks of a published roster and the price of every change from it.

    With ``problem.baseline`` set (see :class:`~wfm.roster.problem.Baseline`),
    for each agent the baseline covers and each day: a shift on a published
    day off, or no shift on a published working day, costs
    ``shift_added_or_removed``; a shift whose start, length or template
    differs from the published one costs its
    :class:`~wfm.roster.problem.ChangeWeights` terms (written on the shift
    variables, exact since an agent works at most one shift a day); each
    break of a shift of the published template placed elsewhere than
    published costs ``break_moved``. A locked (agent, day) keeps its
    published shift and every break of it, or its day off (hard); one in
    ``shifts_fixed`` keeps its shift or day off while its breaks may move;
    a break in ``breaks_fixed`` stays where published. Without a baseline
    the family adds nothing.
    """
    problem = rm.problem
    base = problem.baseline
    if base is None:
        return []
    model = rm.model
    weights = base.weights
    im = problem.interval_minutes
    published = published_positions(problem)
    not_before = (
        -1
        if base.breaks_not_before is None
        else float(
            problem.grid.positions(pd.Series([base.breaks_not_before]), "breaks_not_before")[0]
        )
    )
    groups: dict[tuple[int, int, int, int], BreakGroup] = {}
    for group in rm.break_groups:
        if group.agent_index is not None:
            groups[(group.agent_index, group.day, group.template, group.rule_index)] = group
    terms: list[PenaltyTerm] = []
    for a in each_agent(rm):
        agent = problem.agents[a]
        if agent.agent_id not in base.agents:
            continue
        for d in range(problem.days):
            date = problem.dates[d]
            locked = (agent.agent_id, date) in base.locked
            fixed = locked or (agent.agent_id, date) in base.shifts_fixed
            pub = published.get((agent.agent_id, d))
            works = rm.works[a][d]
            keys = rm.options_of_day(a, d)
            if pub is None:
                if fixed and (agent.agent_id, date) in base.by_agent_day:
                    # a published shift off the grid cannot be kept
                    model.add_bool_or([])
                    continue
                if fixed and not isinstance(works, int):
                    model.add(works == 0)
                elif not isinstance(works, int) and weights.shift_added_or_removed > 0:
                    terms.append(
                        _change_term(
                            a, d, _coef(weights.shift_added_or_removed) * works, works, "shifts"
                        )
                    )
                continue
            template, start, length, breaks = pub
            costs: list[int] = []
            same: int | None = None
            for o in keys:
                opt = rm.options[o]
                cost = 0.0
                if opt.template != template:
                    cost += weights.template_changed
                if opt.start != start:
                    cost += weights.start_moved
                    cost += weights.start_moved_per_hour * abs(opt.start - start) * im / 60
                if opt.length != length:
                    cost += weights.length_changed
                    cost += weights.length_changed_per_hour * abs(opt.length - length) * im / 60
                costs.append(_coef(cost))
                if opt.template == template and opt.start == start and opt.length == length:
                    same = o
            names = [b.name for b in problem.templates[template].breaks]
            kept_breaks = {
                j: p
                for j, p in breaks.items()
                if locked or (agent.agent_id, date, names[j]) in base.breaks_fixed
            }
            if fixed:
                if same is None:
                    # the published shift is no longer allowed: the lock cannot hold
                    model.add_bool_or([])
                    continue
                model.add(rm.x[a][same] == 1)
            for j, p in kept_breaks.items():
                if same is None:
                    model.add_bool_or([])
                    break
                held = groups.get((a, d, template, j))
                if held is None or p not in held.counts:
                    model.add_bool_or([])
                else:
                    model.add(held.counts[p] == 1)
            if locked:
                continue
            if fixed and base.breaks_not_before is not None:
                for (ga, gd, _, gj), held in groups.items():
                    if ga != a or gd != d or gj in kept_breaks:
                        continue
                    for p, var in held.counts.items():
                        if p < not_before:
                            model.add(var == 0)
            expr = cp_model.LinearExpr.weighted_sum([rm.x[a][o] for o in keys], costs)
            removed = 1 - works if not isinstance(works, int) else 1
            objective = expr + _coef(weights.shift_added_or_removed) * removed
            terms.append(
                _change_term(a, d, objective, objective, "cost", scale=1.0 / OBJECTIVE_SCALE)
            )
            if weights.break_moved <= 0:
                continue
            kept = [rm.x[a][o] for o in keys if rm.options[o].template == template]
            if not kept:
                continue
            for j, p in breaks.items():
                held = groups.get((a, d, template, j))
                if held is None:
                    continue
                on_time = held.counts.get(p, 0)
                moved = cp_model.LinearExpr.sum(kept) - on_time
                terms.append(
                    _change_term(a, d, _coef(weights.break_moved) * moved, moved, "breaks")
                )
    return terms


def _change_term(
    a: int, d: int, objective: Any, amount: Any, unit: str, *, scale: float = 1.0
) -> PenaltyTerm:
    """A term of the ``changes`` family (left out of the report's violations)."""
    return PenaltyTerm(
        rule="changes",
        agent_index=a,
        day=d,
        objective=objective,
        amount=amount,
        amount_scale=scale,
        unit=unit,
        report=False,
    )


FAMILIES: dict[str, Callable[[RosterModel], list[PenaltyTerm]]] = {
    "breaks": add_breaks,
    "coverage": add_coverage,
    "queue_coverage": add_queue_coverage,
    "paid_cost": add_paid_cost,
    "hours": add_hours_per_week,
    "period_hours": add_hours_per_period,
    "days": add_days_per_week,
    "consecutive_days": add_consecutive_days,
    "days_off_block": add_days_off_block,
    "weekend_days": add_weekend_days,
    "rest": add_rest,
    "option_rules": add_option_rules,
    "preferences": add_preferences,
    "fairness": add_fairness,
    "changes": add_changes,
}
"""Rule families in build order (after :func:`add_assignment`)."""


def build_model(
    problem: RosterProblem,
    *,
    explain: bool = False,
    families: Iterable[str] | None = None,
    options: list[ShiftOption] | None = None,
    allowed: list[list[AgentOption]] | None = None,
    agents: Sequence[int] | None = None,
    fixed: FixedAgents | None = None,
) -> RosterModel:
    """Build the CP-SAT model of ``problem``, or of some of its agents.

    Parameters
    ----------
    problem
        The roster problem.
    explain
        Guard every hard labour rule family of every agent with an
        enforcement literal (``RosterModel.guards``) so that an infeasible
        model can name the rules in conflict. Options outside availability,
        time off or pins are then kept and forbidden under their guard.
    families
        Names of :data:`FAMILIES` to build (default: all). The assignment
        variables are always built.
    options, allowed
        Precomputed :func:`~wfm.roster.shifts.shift_options` and, for
        ``explain=False``, :func:`~wfm.roster.shifts.agent_options` of them.
    agents, fixed
        A sub-model: variables and rules for the agents of ``agents`` only
        (positions in ``problem.agents``), the others' contribution to the
        shared rows (option counts, coverage, fairness) being the constants
        of ``fixed`` (see :class:`FixedAgents` and :func:`fixed_agents`).
        Its objective is the full model's minus the constant penalties of
        the agents left out. Both or neither.

    Returns
    -------
    RosterModel
        The model, with the objective set to the sum of the penalty terms.
    """
    if (agents is None) != (fixed is None):
        raise ValidationError("agents", agents, "given together with fixed (both or neither)")
    if options is None:
        options = shift_options(problem)
    hard_in_explain: frozenset[Rule] = frozenset()
    if explain:
        hard_in_explain = frozenset(r for r in _STRUCTURE_RULES if not problem.is_soft(r))
        relaxed = dataclasses.replace(
            problem,
            soft_rules={**problem.soft_rules, **{r: 0.0 for r in hard_in_explain}},
        )
        per_agent = agent_options(relaxed, options)
    else:
        per_agent = allowed if allowed is not None else agent_options(problem, options)
    rm = RosterModel(
        problem=problem,
        model=cp_model.CpModel(),
        options=options,
        agent_options=per_agent,
        explain=explain,
    )
    rm.hard_in_explain = hard_in_explain
    rm.fixed = fixed
    rm.agent_indices = list(range(len(problem.agents))) if agents is None else sorted(agents)
    rm.owned = [[] for _ in problem.agents]
    add_assignment(rm)
    chosen = list(FAMILIES) if families is None else list(families)
    for name in chosen:
        if name not in FAMILIES:
            raise KeyError(name)
    if ("coverage" in chosen or "queue_coverage" in chosen) and "breaks" not in chosen:
        chosen.insert(0, "breaks")
    for name in FAMILIES:
        if name in chosen:
            rm.terms += FAMILIES[name](rm)
    _minimize(rm.model, [t.objective for t in rm.terms])
    rm.built_constraints = len(rm.model.proto.constraints)
    owned = np.zeros(len(rm.model.proto.variables), dtype=bool)
    owned[np.fromiter(itertools.chain.from_iterable(rm.owned), dtype=np.int64)] = True
    rm.shared = np.flatnonzero(~owned)
    return rm


def fixed_agents(rm: RosterModel, values: np.ndarray, free: Iterable[int]) -> FixedAgents:
    """The constants a sub-model of the agents ``free`` takes from a roster of ``rm``.

    Parameters
    ----------
    rm
        The full model.
    values
        A solution of ``rm.model`` (one value per variable).
    free
        The agents of the sub-model; every other agent keeps, as constants,
        its shifts, its breaks placed for it alone and its fairness counts.

    Returns
    -------
    FixedAgents
    """
    free = set(free)
    values = np.asarray(values, dtype=np.int64)
    counts = {o: int(values[n.index]) for o, n in rm.option_count.items()}
    for a in free:
        for o, var in rm.x[a].items():
            counts[o] -= int(values[var.index])
    n_agents = len(rm.problem.agents)
    outside = np.ones(n_agents, dtype=bool)
    outside[list(free)] = False
    n_int = rm.problem.n_intervals
    step = np.zeros(n_int + 1, dtype=np.int64)
    if rm.agent_breaks:
        parts = np.asarray(rm.agent_breaks, dtype=np.int64)
        taken = values[parts[:, 1]] * outside[parts[:, 0]]
        np.add.at(step, np.minimum(parts[:, 2], n_int), taken)
        np.add.at(step, np.minimum(parts[:, 3], n_int), -taken)
    fairness: dict[str, FixedCounts] = {}
    for name, pairs in rm.fairness_parts.items():
        agent_of, index = np.asarray(pairs, dtype=np.int64).T
        per_agent = np.bincount(agent_of, weights=values[index], minlength=n_agents)
        taking = np.zeros(n_agents, dtype=bool)
        taking[agent_of] = True
        got = per_agent[taking & outside]
        fairness[name] = FixedCounts(
            agents=len(got),
            most=int(got.max()) if len(got) else 0,
            fewest=int(got.min()) if len(got) else 0,
        )
    return FixedAgents(
        option_counts=counts,
        on_break=np.cumsum(step)[:n_int],
        coverage_top=rm.coverage_top,
        fairness=fairness,
    )


def _minimize(model: cp_model.CpModel, objectives: list[Any]) -> None:
    """Set ``sum(objectives)`` as the objective, written straight into the proto.

    ``CpModel.minimize`` copies the flattened sum one variable at a time;
    here it is copied in one go (the same objective).
    """
    model.clear_objective()
    objective = model.proto.objective
    objective.scaling_factor = 1.0
    if not objectives:
        return
    flat = cp_model_helper.FlatIntExpr(cp_model.LinearExpr.sum(objectives))
    objective.vars.extend([v.index for v in flat.vars])
    objective.coeffs.extend(flat.coeffs)
    objective.offset = flat.offset
