"""Per-agent models of the roster: lower bounds and a starting roster.

The identity-free bound of :mod:`wfm.roster.bound` counts shifts without
asking which agent works them, so each agent's week is only limited through
sums over the pool. This module keeps the agents: a *column* is one agent's
whole week (at most one shift per day, with its breaks) obeying that agent's
hard rules, and the master LP mixes columns.

Agent classes
-------------
Agents with the same contract, templates, availability, time off, pins and
history before the horizon (days worked or off in a row, end of the last
shift) have the same feasible weeks; they form one class of size ``n_c``.
Preferences and costs do not matter for under-staffing.

Master LP (restricted to the columns found so far)
--------------------------------------------------
``min  h * sum_t s_t`` subject to

* ``s_t + sum_j cov_j[t] * lambda_j >= r_t`` for every interval with a
  requirement ``r_t > 0`` (``h`` is the interval length in hours);
* ``sum_{j in class c} lambda_j = n_c`` for every class;
* ``lambda >= 0``, ``s >= 0``,

where ``cov_j[t]`` is 1 where a shift of column ``j`` covers ``t`` and none
of its breaks does (tails beyond the horizon cover nothing).

Pricing
-------
With the duals ``pi_t`` of the coverage rows, the value of a shift option is
the ``pi`` it covers minus, for each break, the least ``pi`` the break can
sit on within its window (breaks change nothing but coverage, so this
placement is optimal for the column). Breaks of one shift are placed
independently; where windows of one template overlap this can only
overestimate a week's value, which keeps the bound valid. The best week of a
class, ``W_c``, is found by CP-SAT on a one-agent model built by
:func:`wfm.roster.model.build_model` with the hard rule families only (rules
made soft in the problem are dropped: breaking them costs no coverage).

Bound
-----
For any ``0 <= pi_t <= h``, Lagrangian relaxation of the coverage rows gives

``U >= sum_t pi_t r_t - sum_c n_c W_c(pi)``

for the under-staffing ``U`` of every roster obeying the hard rules
(Farley's bound). It holds at every iteration, whether or not the master LP
has converged; ``W_c`` is CP-SAT's proven upper bound when a pricing problem
stops before optimality. At convergence it equals the master LP optimum, the
LP relaxation of the per-agent (Dantzig-Wolfe) formulation, which is never
below the identity-free LP bound of :func:`wfm.roster.bound.lower_bound`.

Class-flow model
----------------
:func:`class_flow_bound` writes the same per-class weeks compactly: a layered
graph per class (one layer per day; a state holds what the hard rules still
need) whose paths are exactly the class's weeks, carrying one unit of flow
per agent. Its LP relaxation equals the column generation LP; with integer
flows (which split into one whole week per agent) it is an exact integer
model of the least under-staffing, solved by SCIP through OR-Tools, whose
proven bound holds whenever it stops. Where the states stay few (few paid
lengths, rest that rarely binds, as in contact-centre contracts) it is the
stronger and often the faster of the two.

Starting roster
---------------
:func:`class_flow_roster` solves the same flows against the coverage costs
of the roster objective and splits them into one week per agent: a roster
whose weeks obey every hard rule, which :func:`wfm.roster.solve` uses as
its start when it beats the greedy one.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from wfm.errors import SolverError, ValidationError
from wfm.roster.bound import BoundStatus, LowerBound
from wfm.roster.model import RosterModel, build_model
from wfm.roster.problem import Agent, RosterProblem, Rule
from wfm.roster.shifts import AgentOption, ShiftOption, agent_options, shift_options

__all__ = [
    "ClassFlowBound",
    "ColumnGenerationBound",
    "agent_classes",
    "class_flow_bound",
    "class_flow_roster",
    "column_generation_bound",
]

METHOD = "column-generation-lagrangian"

_RULE_FAMILIES = (
    "hours",
    "days",
    "consecutive_days",
    "days_off_block",
    "weekend_days",
    "rest",
    "option_rules",
)
"""Rule families of :mod:`wfm.roster.model` that shape one agent's week."""

_VALUE_SCALE = 1_000_000
"""Integer pricing units per interval of full dual value (``pi_t = h``)."""


@dataclass(frozen=True, kw_only=True)
class ColumnGenerationBound:
    """Per-agent (column generation) lower bound on under-staffing.

    Attributes
    ----------
    understaffing_agent_hours
        No roster obeying the hard rules has less under-staffing
        (agent-hours short over the horizon): the best Lagrangian bound seen.
    master_lp_agent_hours
        Optimum of the last restricted master LP. It is at least the
        converged LP bound, so ``master_lp_agent_hours -
        understaffing_agent_hours`` bounds how much the bound could still gain.
    status
        A :class:`~wfm.roster.bound.BoundStatus` value: ``"OPTIMAL"`` when
        the column generation converged, ``"TIME_LIMIT"`` when time or
        iterations ran out first (the bound is still valid),
        ``"INFEASIBLE"`` when some agent has no week obeying the hard rules
        (the bound is then the trivial 0).
    iterations
        Master LP solves.
    columns
        Weekly schedules generated.
    agent_classes
        Classes of interchangeable agents priced separately.
    wall_time_seconds
        Time spent.
    method
        ``"column-generation-lagrangian"``.
    """

    understaffing_agent_hours: float
    master_lp_agent_hours: float
    status: str
    iterations: int
    columns: int
    agent_classes: int
    wall_time_seconds: float
    method: str = METHOD

    @property
    def gap_agent_hours(self) -> float:
        """``master_lp_agent_hours - understaffing_agent_hours`` (0 when converged)."""
        return max(0.0, self.master_lp_agent_hours - self.understaffing_agent_hours)

    def to_lower_bound(self, problem: RosterProblem) -> LowerBound:
        """The bound as a :class:`~wfm.roster.bound.LowerBound`.

        Only under-staffing is bounded here; ``paid_hours`` is the trivial
        bound (the sum of hard contract minimum hours).
        """
        return LowerBound(
            understaffing_agent_hours=self.understaffing_agent_hours,
            paid_hours=_min_paid_hours(problem),
            status=self.status,
            wall_time_seconds=self.wall_time_seconds,
            method=self.method,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary of the fields (JSON-serialisable)."""
        return asdict(self)


def _class_key(agent: Agent) -> tuple[Any, ...]:
    return (
        agent.contract,
        agent.templates,
        agent.availability,
        agent.time_off,
        agent.pins,
        agent.last_shift_end,
        agent.consecutive_days_worked_before,
        agent.days_off_before,
    )


def agent_classes(problem: RosterProblem, *, by_cost: bool = False) -> list[list[int]]:
    """Groups of agents whose feasible weeks are the same.

    Agents are grouped by contract, templates, availability, time off, pins
    and history before the horizon (days worked or off in a row, end of the
    last shift); with ``by_cost`` also by their cost per paid hour (needed
    where paid hours are priced, as in :func:`class_flow_roster`).

    Returns
    -------
    list of list of int
        Agent indices (in problem order) per class; classes ordered by their
        first agent.
    """
    groups: dict[tuple[Any, ...], list[int]] = {}
    for index, agent in enumerate(problem.agents):
        key = _class_key(agent)
        if by_cost:
            key += (problem.cost_per_hour_of(agent),)
        groups.setdefault(key, []).append(index)
    return list(groups.values())


class _Pricer:
    """Best week of one agent class under given option values (CP-SAT)."""

    def __init__(
        self,
        problem: RosterProblem,
        representative: int,
        options: list[ShiftOption],
        allowed: list[AgentOption],
    ) -> None:
        single = replace(problem, agents=(problem.agents[representative],))
        self.rm: RosterModel = build_model(
            single, families=_RULE_FAMILIES, options=options, allowed=[allowed]
        )
        self.keys = sorted(self.rm.x[0])
        self.variables = [self.rm.x[0][o] for o in self.keys]
        self.days = problem.days

    def price(
        self, values: np.ndarray, *, time_limit: float, seed: int
    ) -> tuple[str, float, list[tuple[int, ...]]]:
        """Most valuable week for ``values`` (option index -> value, scaled to integers).

        Returns
        -------
        tuple
            ``(status, upper, weeks)``: ``status`` is ``"optimal"``,
            ``"feasible"``, ``"infeasible"`` or ``"unknown"``; ``upper`` a
            proven upper bound on the integer value of every week
            (``math.inf`` if none); ``weeks`` the option tuples found, best
            last.
        """
        model = self.rm.model
        coefs = [int(values[o]) for o in self.keys]
        model.maximize(cp_model.LinearExpr.weighted_sum(self.variables, coefs))
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = 1
        params.random_seed = seed
        params.max_time_in_seconds = max(time_limit, 0.01)
        collector = _WeekCollector(self.keys, self.variables)
        status = solver.solve(model, collector)
        weeks = collector.weeks
        if status == cp_model.OPTIMAL:
            chosen = tuple(
                o for o, v in zip(self.keys, self.variables, strict=True) if solver.value(v)
            )
            if not weeks or weeks[-1] != chosen:
                weeks.append(chosen)
            return "optimal", float(solver.objective_value), weeks
        if status == cp_model.FEASIBLE:
            return "feasible", float(solver.best_objective_bound), weeks
        if status == cp_model.INFEASIBLE:
            return "infeasible", -math.inf, []
        return "unknown", math.inf, weeks


class _WeekCollector(cp_model.CpSolverSolutionCallback):
    """Keeps every week CP-SAT reports while pricing."""

    def __init__(self, keys: Sequence[int], variables: Sequence[Any]) -> None:
        super().__init__()
        self._keys = list(keys)
        self._variables = list(variables)
        self.weeks: list[tuple[int, ...]] = []

    def on_solution_callback(self) -> None:
        self.weeks.append(
            tuple(
                o for o, v in zip(self._keys, self._variables, strict=True) if self.boolean_value(v)
            )
        )


class _OptionValues:
    """Value of every shift option under duals, with the cheapest break placement."""

    def __init__(self, problem: RosterProblem, options: list[ShiftOption]) -> None:
        n = problem.n_intervals
        self.n = n
        self.start = np.array([min(o.start, n) for o in options], dtype=np.int64)
        self.end = np.array([min(o.end, n) for o in options], dtype=np.int64)
        durations = [
            [b.duration_minutes // problem.interval_minutes for b in t.breaks]
            for t in problem.templates
        ]
        group_of: list[int] = []  # per break candidate: its (option, break) group
        cand_start: list[int] = []
        cand_end: list[int] = []
        self.group_option: list[int] = []
        self.group_offsets: list[int] = []
        self.option_groups: dict[int, list[int]] = {}
        for index, option in enumerate(options):
            for k, starts in enumerate(option.break_starts):
                duration = durations[option.template][k]
                group = len(self.group_option)
                self.option_groups.setdefault(index, []).append(group)
                self.group_option.append(index)
                self.group_offsets.append(len(cand_start))
                for p in starts:
                    group_of.append(group)
                    cand_start.append(min(p, n))
                    cand_end.append(min(p + duration, n))
        self.cand_start = np.array(cand_start, dtype=np.int64)
        self.cand_end = np.array(cand_end, dtype=np.int64)
        self.cand_group = np.array(group_of, dtype=np.int64)
        self.group_option_arr = np.array(self.group_option, dtype=np.int64)
        self.offsets = np.array(self.group_offsets, dtype=np.int64)
        self.n_options = len(options)

    def groups_of(self, option: int) -> list[int]:
        """The (option, break) groups of ``option`` (one per break rule)."""
        return self.option_groups.get(option, [])

    def evaluate(self, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Option values and, per (option, break) group, the chosen candidate.

        ``pi`` has one entry per horizon interval (0 where nothing is required).
        """
        prefix = np.concatenate([[0.0], np.cumsum(pi)])
        values = prefix[self.end] - prefix[self.start]
        best_candidate = np.zeros(len(self.group_option), dtype=np.int64)
        if len(self.cand_start):
            cost = prefix[self.cand_end] - prefix[self.cand_start]
            least = np.minimum.reduceat(cost, self.offsets)
            np.subtract.at(values, self.group_option_arr, least)
            # first candidate of each group reaching the least cost
            hit = cost <= least[self.cand_group] + 1e-12
            order = np.flatnonzero(hit)
            first = np.full(len(self.group_option), -1, dtype=np.int64)
            groups_hit = self.cand_group[order]
            # reversed assignment keeps the first hit per group
            first[groups_hit[::-1]] = order[::-1]
            best_candidate = first
        return values, best_candidate


def _validate(time_limit_seconds: Any, max_iterations: Any, seed: Any) -> None:
    if not (
        isinstance(time_limit_seconds, (int, float))
        and not isinstance(time_limit_seconds, bool)
        and time_limit_seconds > 0
        and math.isfinite(time_limit_seconds)
    ):
        raise ValidationError("time_limit_seconds", time_limit_seconds, "a positive number")
    if max_iterations is not None and not (
        isinstance(max_iterations, int)
        and not isinstance(max_iterations, bool)
        and max_iterations >= 1
    ):
        raise ValidationError("max_iterations", max_iterations, "a whole number >= 1 or None")
    if not (isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0):
        raise ValidationError("seed", seed, "a whole number >= 0")


def column_generation_bound(
    problem: RosterProblem,
    *,
    time_limit_seconds: float = 60.0,
    max_iterations: int | None = None,
    seed: int = 0,
    options: list[ShiftOption] | None = None,
    allowed: list[list[AgentOption]] | None = None,
) -> ColumnGenerationBound:
    """Lower bound on under-staffing from a per-agent column generation.

    Parameters
    ----------
    problem
        The roster problem.
    time_limit_seconds
        Wall-clock budget; when it runs out the best bound so far is
        returned (valid at every iteration, see the module docstring).
    max_iterations
        Stop after this many master LP solves (``None``: no limit).
    seed
        CP-SAT ``random_seed`` of the pricing problems.
    options, allowed
        Optional precomputed :func:`~wfm.roster.shifts.shift_options` and
        :func:`~wfm.roster.shifts.agent_options` (``allowed`` computed from
        ``options``).

    Returns
    -------
    ColumnGenerationBound
        The bound and how it was reached.

    Raises
    ------
    ValidationError
        If ``time_limit_seconds`` is not a positive number, ``max_iterations``
        is not a whole number >= 1 (or ``None``), ``seed`` is not a whole
        number >= 0, or ``allowed`` does not match the agents / ``options``.
    SolverError
        If OR-Tools' GLOP linear solver is not available.
    """
    _validate(time_limit_seconds, max_iterations, seed)
    if allowed is not None and len(allowed) != len(problem.agents):
        raise ValidationError(
            "allowed", len(allowed), f"one list per agent ({len(problem.agents)})"
        )
    if allowed is not None and options is None:
        raise ValidationError("options", None, "the options from which 'allowed' was computed")
    began = time.perf_counter()
    deadline = began + float(time_limit_seconds)
    from ortools.linear_solver import pywraplp

    if options is None:
        options = shift_options(problem)
    if allowed is None:
        allowed = agent_options(problem, options)
    classes = agent_classes(problem)
    hours = problem.interval_hours
    required = problem.required_scheduled.astype(float)
    rows = np.flatnonzero(required > 0)
    n_classes = len(classes)

    def result(
        bound: float, master: float, status: BoundStatus, iterations: int, columns: int
    ) -> ColumnGenerationBound:
        return ColumnGenerationBound(
            understaffing_agent_hours=float(max(0.0, bound)),
            master_lp_agent_hours=float(max(0.0, master)),
            status=status.value,
            iterations=iterations,
            columns=columns,
            agent_classes=n_classes,
            wall_time_seconds=time.perf_counter() - began,
        )

    if len(rows) == 0:
        return result(0.0, 0.0, BoundStatus.OPTIMAL, 0, 0)

    pricers = [_Pricer(problem, members[0], options, allowed[members[0]]) for members in classes]
    sizes = np.array([len(members) for members in classes], dtype=float)
    values_of = _OptionValues(problem, options)
    n = problem.n_intervals

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with OR-Tools
        raise SolverError("OR-Tools' GLOP linear solver is not available")
    inf = solver.infinity()
    cover: dict[int, Any] = {}
    for t in rows.tolist():
        c = solver.Constraint(float(required[t]), inf)
        c.SetCoefficient(solver.NumVar(0.0, inf, ""), 1.0)
        cover[t] = c
    # the slack variables are the first variables: set their cost
    objective = solver.Objective()
    for var in solver.variables():
        objective.SetCoefficient(var, hours)
    objective.SetMinimization()
    convexity = [solver.Constraint(float(s), float(s)) for s in sizes]
    seen: list[set[tuple[tuple[int, ...], tuple[int, ...]]]] = [set() for _ in classes]
    n_columns = 0

    def add_column(c: int, week: tuple[int, ...], chosen_break: np.ndarray) -> bool:
        """Add the week with its breaks as a column unless already there."""
        nonlocal n_columns
        spots = tuple(int(chosen_break[g]) for o in week for g in values_of.groups_of(o))
        key = (week, spots)
        if key in seen[c]:
            return False
        seen[c].add(key)
        coverage = np.zeros(n + 1, dtype=float)
        for o in week:
            coverage[values_of.start[o]] += 1.0
            coverage[values_of.end[o]] -= 1.0
        coverage = np.cumsum(coverage)[:n]
        for cand in spots:
            coverage[values_of.cand_start[cand] : values_of.cand_end[cand]] -= 1.0
        var = solver.NumVar(0.0, inf, "")
        convexity[c].SetCoefficient(var, 1.0)
        for t in rows[coverage[rows] != 0].tolist():
            cover[t].SetCoefficient(var, float(coverage[t]))
        n_columns += 1
        return True

    scale = _VALUE_SCALE / hours
    days = problem.days

    def price_all(pi: np.ndarray, sigma: np.ndarray | None) -> tuple[float, bool, bool]:
        """Price every class; add improving columns. Returns (bound, all optimal, added)."""
        values, chosen_break = values_of.evaluate(pi)
        scaled = np.rint(values * scale)
        total_w = 0.0
        exact = True
        added = False
        for c, pricer in enumerate(pricers):
            left = deadline - time.perf_counter()
            status, upper, weeks = pricer.price(scaled, time_limit=left, seed=seed)
            if status == "infeasible":
                raise _Infeasible
            if status != "optimal":
                exact = False
            if not math.isfinite(upper):
                return -math.inf, False, added
            # every week's true value is at most (integer value + days / 2) / scale
            total_w += sizes[c] * (upper + 0.5 * days) / scale
            for week in weeks:
                worth = float(values[list(week)].sum()) if week else 0.0
                if sigma is None or worth + sigma[c] > 1e-9 * max(1.0, abs(sigma[c])):
                    added = add_column(c, week, chosen_break) or added
        bound = float(pi[rows] @ required[rows]) - total_w
        return bound, exact, added

    full = np.zeros(n, dtype=float)
    full[rows] = hours
    best = 0.0
    try:
        bound, _, _ = price_all(full, None)
    except _Infeasible:
        return result(0.0, 0.0, BoundStatus.INFEASIBLE, 0, n_columns)
    best = max(best, bound)
    master = math.inf
    iterations = 0
    status = BoundStatus.TIME_LIMIT
    while True:
        if max_iterations is not None and iterations >= max_iterations:
            break
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        solver.SetTimeLimit(max(1, int(left * 1000)))
        code = solver.Solve()
        iterations += 1
        if code != pywraplp.Solver.OPTIMAL:
            status = (
                BoundStatus.TIME_LIMIT
                if time.perf_counter() >= deadline
                else (BoundStatus.NOT_SOLVED)
            )
            break
        master = float(objective.Value())
        pi = np.zeros(n, dtype=float)
        pi[rows] = np.clip([cover[t].dual_value() for t in rows.tolist()], 0.0, hours)
        sigma = np.array([row.dual_value() for row in convexity], dtype=float)
        if master - best <= 1e-6 * max(1.0, master):
            status = BoundStatus.OPTIMAL
            break
        if time.perf_counter() >= deadline:
            break
        try:
            bound, exact, added = price_all(pi, sigma)
        except _Infeasible:  # pragma: no cover - found by the first pricing already
            return result(0.0, 0.0, BoundStatus.INFEASIBLE, iterations, n_columns)
        best = max(best, bound)
        if master - best <= 1e-6 * max(1.0, master):
            status = BoundStatus.OPTIMAL
            break
        if not added:
            # no column prices out: the master is optimal up to the pricing accuracy
            if exact:
                status = BoundStatus.OPTIMAL
            break
    return result(best, master if math.isfinite(master) else best, status, iterations, n_columns)


class _Infeasible(Exception):
    """Some agent class has no week obeying the hard rules."""


# -- the compact equivalent: one flow network per agent class ------------------------

FLOW_METHOD = "class-flow-mip"

_State = tuple[int, int, int, int, int, int | None]
"""(days worked, paid minutes, work run, days-off state, weekend days, binding last end)."""


@dataclass(frozen=True, kw_only=True)
class ClassFlowBound:
    """Bound from the class-flow model (exact integer model of under-staffing).

    Attributes
    ----------
    understaffing_agent_hours
        No roster obeying the hard rules has less under-staffing: the
        proven bound of the integer programme (its optimum when ``status``
        is ``"OPTIMAL"``), or the LP optimum with ``integer=False``.
    incumbent_agent_hours
        Under-staffing of the best integer solution found (``None`` if none
        or with ``integer=False``). When the breaks of each template cannot
        overlap, a roster with exactly this under-staffing exists, so the
        optimum lies between the two values.
    status
        A :class:`~wfm.roster.bound.BoundStatus` value. ``"OPTIMAL"``: solved
        to optimality (within the solver's default relative gap of 1e-4;
        the bound stays valid); ``"TIME_LIMIT"``: stopped early, the bound
        is the solver's proven bound; ``"INFEASIBLE"``: no roster obeys the
        hard rules (trivial bound 0); ``"NOT_SOLVED"``: the networks exceed
        ``max_arcs`` or the solver failed (trivial bound 0).
    states, arcs
        Size of the networks summed over classes.
    agent_classes
        Classes of interchangeable agents.
    wall_time_seconds
        Time spent building and solving.
    method
        ``"class-flow-mip"`` or ``"class-flow-lp"``.
    """

    understaffing_agent_hours: float
    incumbent_agent_hours: float | None
    status: str
    states: int
    arcs: int
    agent_classes: int
    wall_time_seconds: float
    method: str = FLOW_METHOD

    def to_lower_bound(self, problem: RosterProblem) -> LowerBound:
        """The bound as a :class:`~wfm.roster.bound.LowerBound` (trivial paid hours)."""
        return LowerBound(
            understaffing_agent_hours=self.understaffing_agent_hours,
            paid_hours=_min_paid_hours(problem),
            status=self.status,
            wall_time_seconds=self.wall_time_seconds,
            method=self.method,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary of the fields (JSON-serialisable)."""
        return asdict(self)


def _min_paid_hours(problem: RosterProblem) -> float:
    if problem.is_soft(Rule.MIN_HOURS):
        return 0.0
    return float(sum(problem.contract_of(a).min_hours_per_week for a in problem.agents))


@dataclass
class _Network:
    """Weeks of one agent class as paths of a layered graph (one layer per day)."""

    levels: list[set[_State]]
    # (day, from state, to state, option or -1 for a day off)
    arcs: list[tuple[int, _State, _State, int]]
    finals: set[_State]


def _class_network(
    problem: RosterProblem,
    agent: Agent,
    options: list[ShiftOption],
    allowed: list[AgentOption],
    max_arcs: int,
) -> _Network | None:
    """Layered graph whose source-to-final paths are exactly the agent's weeks.

    A state keeps what the hard rules still need: days worked, paid minutes
    (capped at the minimum when the maximum cannot bind), the current run of
    working days (when the consecutive-days limit can bind), the run of days
    off towards the required block (``-1`` once the block is done or when
    there is none), weekend days worked (when the limit can bind), and the
    end of the last shift while it can still constrain a later start (rest
    and no overlap). Soft rules are left out. Returns ``None`` above
    ``max_arcs`` arcs.
    """
    contract = problem.contract_of(agent)

    def hard(rule: Rule) -> bool:
        return not problem.is_soft(rule)

    days = problem.days
    im = problem.interval_minutes
    rest = math.ceil(contract.min_rest_hours * 60 / im - 1e-9) if hard(Rule.MIN_REST) else 0
    by_day: list[list[int]] = [[] for _ in range(days)]
    for ao in allowed:
        by_day[options[ao.option].day].append(ao.option)
    best_paid = sorted(
        (max((options[o].paid_minutes for o in by_day[d]), default=0) for d in range(days)),
        reverse=True,
    )
    earliest = [min((options[o].start for o in by_day[d]), default=None) for d in range(days)]
    future_start: list[float] = [math.inf] * (days + 1)
    for d in range(days - 1, -1, -1):
        first = earliest[d]
        future_start[d] = min(future_start[d + 1], math.inf if first is None else first)
    max_days = contract.max_days_per_week if hard(Rule.MAX_DAYS) else days
    min_days = contract.min_days_per_week if hard(Rule.MIN_DAYS) else 0
    high = math.floor(contract.max_hours_per_week * 60 + 1e-9) if hard(Rule.MAX_HOURS) else math.inf
    low = math.ceil(contract.min_hours_per_week * 60 - 1e-9) if hard(Rule.MIN_HOURS) else 0
    if sum(best_paid[: max(max_days, 0)]) <= high:
        high = math.inf  # the maximum can never bind: paid minutes matter up to the minimum
    max_run = contract.max_consecutive_days if hard(Rule.MAX_CONSECUTIVE_DAYS) else days + 1_000_000
    before = agent.consecutive_days_worked_before
    track_run = max_run < before + days
    block = contract.min_consecutive_days_off
    if not hard(Rule.MIN_CONSECUTIVE_DAYS_OFF) or block < 2:
        block = 0
    weekend = [problem.weekday_of(d) in problem.weekend_days for d in range(days)]
    max_weekend = contract.max_weekend_days if hard(Rule.MAX_WEEKEND_DAYS) else days
    track_weekend = max_weekend < sum(weekend)
    pinned = set()
    if hard(Rule.PINS):
        pinned = {(p.day - problem.start_date).days for p in agent.pins if not p.off}
    last_end: int | None = None
    if agent.last_shift_end is not None:
        origin = dt.datetime.combine(problem.start_date, dt.time())
        offset = (agent.last_shift_end - origin).total_seconds() / 60.0
        last_end = math.ceil(offset / im - 1e-9)

    def normal(
        worked: int, paid: int, run: int, off: int, wk: int, end: int | None, next_day: int
    ) -> _State:
        if high == math.inf:
            paid = min(paid, low)
        if end is not None and end + max(rest, 0) <= future_start[next_day]:
            end = None
        return (
            worked,
            paid,
            run if track_run else 0,
            off,
            wk if track_weekend else 0,
            end,
        )

    start_off = min(agent.days_off_before, block - 1) if block else -1
    source = normal(0, 0, before, start_off, 0, last_end, 0)
    levels: list[set[_State]] = [{source}]
    arcs: list[tuple[int, _State, _State, int]] = []
    for d in range(days):
        reached: set[_State] = set()
        for state in levels[d]:
            worked, paid, run, off, wk, end = state
            if d not in pinned:
                rested = off if off < 0 else (off + 1 if off + 1 < block else -1)
                nxt = normal(worked, paid, 0, rested, wk, end, d + 1)
                arcs.append((d, state, nxt, -1))
                reached.add(nxt)
            if worked + 1 > max_days or (track_run and run + 1 > max_run):
                continue
            if weekend[d] and track_weekend and wk + 1 > max_weekend:
                continue
            for o in by_day[d]:
                opt = options[o]
                if end is not None and (opt.start < end or opt.start - end < rest):
                    continue
                if paid + opt.paid_minutes > high:
                    continue
                nxt = normal(
                    worked + 1,
                    paid + opt.paid_minutes,
                    run + 1,
                    off if off < 0 else 0,
                    wk + int(weekend[d]),
                    opt.end,
                    d + 1,
                )
                arcs.append((d, state, nxt, o))
                reached.add(nxt)
            if len(arcs) > max_arcs:
                return None
        levels.append(reached)
    finals = {s for s in levels[days] if s[0] >= min_days and s[1] >= low and s[3] < 0}
    return _Network(levels=levels, arcs=arcs, finals=finals)


@dataclass
class _ClassFlow:
    """The flow variables of one agent class (see :func:`_add_class_flows`)."""

    members: list[int]
    network: _Network
    # (day, state) -> leaving arcs: (flow variable, next state, merged group or None)
    leaving: dict[tuple[int, _State], list[tuple[Any, _State, tuple[Any, ...] | None]]]
    # merged group -> its options; option -> this class's count variable
    groups: dict[tuple[Any, ...], list[int]]
    count: dict[int, Any]


def _add_class_flows(
    problem: RosterProblem,
    solver: Any,
    variable: Callable[[float], Any],
    classes: list[list[int]],
    options: list[ShiftOption],
    allowed: list[list[AgentOption]],
    max_arcs: int,
    began: float,
    time_limit_seconds: float,
) -> tuple[list[_ClassFlow], dict[int, list[Any]]] | BoundStatus:
    """Add one integer flow per agent class to ``solver`` (a ``pywraplp`` solver).

    Returns the flows and, per option, the count variables of every class
    that may work it; or the status to report when a class's graph exceeds
    ``max_arcs`` (``NOT_SOLVED``), a class has no week at all
    (``INFEASIBLE``) or building outlasts the time limit (``TIME_LIMIT``).
    """
    counts: dict[int, list[Any]] = {}  # option -> per-class count variables
    flows: list[_ClassFlow] = []
    for members in classes:
        network = _class_network(
            problem, problem.agents[members[0]], options, allowed[members[0]], max_arcs
        )
        if network is None:
            return BoundStatus.NOT_SOLVED
        if not network.finals:
            return BoundStatus.INFEASIBLE
        size = float(len(members))
        flow = _ClassFlow(members=members, network=network, leaving={}, groups={}, count={})
        # options of a day that move every state the same way share their arcs
        moves: dict[int, list[tuple[_State, _State]]] = {}
        inflow: dict[tuple[int, _State], list[Any]] = {}
        for day, here, there, o in network.arcs:
            if o < 0:
                var = variable(size)
                flow.leaving.setdefault((day, here), []).append((var, there, None))
                inflow.setdefault((day + 1, there), []).append(var)
            else:
                moves.setdefault(o, []).append((here, there))
        for o, moved in moves.items():
            flow.groups.setdefault((options[o].day, tuple(moved)), []).append(o)
        for key, group in flow.groups.items():
            day, pairs = key
            link = solver.Constraint(0.0, 0.0)
            for here, there in pairs:
                var = variable(size)
                flow.leaving.setdefault((day, here), []).append((var, there, key))
                inflow.setdefault((day + 1, there), []).append(var)
                link.SetCoefficient(var, 1.0)
            for o in group:
                y = variable(size)
                link.SetCoefficient(y, -1.0)
                counts.setdefault(o, []).append(y)
                flow.count[o] = y
        for day, level in enumerate(network.levels[:-1]):
            for state in level:
                if day == 0:
                    row = solver.Constraint(size, size)
                else:
                    row = solver.Constraint(0.0, 0.0)
                    for var in inflow.get((day, state), []):
                        row.SetCoefficient(var, -1.0)
                for var, _, _ in flow.leaving.get((day, state), []):
                    row.SetCoefficient(var, 1.0)
        for state in network.levels[-1] - network.finals:
            for var in inflow.get((problem.days, state), []):
                var.SetUb(0.0)
        flows.append(flow)
        if time.perf_counter() - began > time_limit_seconds:
            return BoundStatus.TIME_LIMIT
    return flows, counts


def class_flow_bound(
    problem: RosterProblem,
    *,
    time_limit_seconds: float = 60.0,
    integer: bool = True,
    max_arcs: int = 1_000_000,
    options: list[ShiftOption] | None = None,
    allowed: list[list[AgentOption]] | None = None,
) -> ClassFlowBound:
    """Lower bound on under-staffing from the class-flow model.

    Every class of interchangeable agents (:func:`agent_classes`) sends as
    many units of flow as it has agents through a layered graph whose paths
    are exactly the weeks its hard rules allow (see the states of
    ``_class_network``). Arcs of a day whose options lead between the same
    states for every state are merged, and the flow on them is split into
    counts per option; counts of all classes cover the intervals, with the
    breaks of every shift placed by integer counts per allowed start
    (as in :mod:`wfm.roster.bound`), and the shortage is minimised.

    Integer flows in such a graph split into whole paths, one per agent, so
    the integer programme is an exact model of the least under-staffing
    (up to breaks of one template whose windows overlap, which it lets
    overlap). Its LP relaxation equals the column generation LP of
    :func:`column_generation_bound`. The integer programme is solved with
    SCIP through OR-Tools (CP-SAT if SCIP is missing); its proven bound is
    valid whenever it stops.

    Parameters
    ----------
    problem
        The roster problem.
    time_limit_seconds
        Wall-clock budget for building and solving.
    integer
        Solve the integer programme (``True``) or only its LP relaxation
        with GLOP (``False``).
    max_arcs
        Give up (status ``"NOT_SOLVED"``) when one class's graph has more
        arcs: the states grow with the variety of paid hours and rest.
    options, allowed
        Optional precomputed :func:`~wfm.roster.shifts.shift_options` and
        :func:`~wfm.roster.shifts.agent_options` (``allowed`` computed from
        ``options``).

    Returns
    -------
    ClassFlowBound
        The bound, the best integer solution's under-staffing and the model size.

    Raises
    ------
    ValidationError
        If ``time_limit_seconds`` is not a positive number, ``max_arcs`` is
        not a whole number >= 1, or ``allowed`` does not match.
    SolverError
        If OR-Tools has none of the needed solvers.
    """
    _validate(time_limit_seconds, None, 0)
    if not (isinstance(max_arcs, int) and not isinstance(max_arcs, bool) and max_arcs >= 1):
        raise ValidationError("max_arcs", max_arcs, "a whole number >= 1")
    if allowed is not None and len(allowed) != len(problem.agents):
        raise ValidationError(
            "allowed", len(allowed), f"one list per agent ({len(problem.agents)})"
        )
    if allowed is not None and options is None:
        raise ValidationError("options", None, "the options from which 'allowed' was computed")
    began = time.perf_counter()
    from ortools.linear_solver import pywraplp

    if options is None:
        options = shift_options(problem)
    if allowed is None:
        allowed = agent_options(problem, options)
    classes = agent_classes(problem)
    method = FLOW_METHOD if integer else "class-flow-lp"
    n_states = 0
    n_arcs = 0

    def result(bound: float, incumbent: float | None, status: BoundStatus) -> ClassFlowBound:
        return ClassFlowBound(
            understaffing_agent_hours=float(max(0.0, bound)),
            incumbent_agent_hours=None if incumbent is None else float(max(0.0, incumbent)),
            status=status.value,
            states=n_states,
            arcs=n_arcs,
            agent_classes=len(classes),
            wall_time_seconds=time.perf_counter() - began,
            method=method,
        )

    if integer:
        solver = pywraplp.Solver.CreateSolver("SCIP") or pywraplp.Solver.CreateSolver("SAT")
    else:
        solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - OR-Tools wheels ship SCIP, CP-SAT and GLOP
        raise SolverError("OR-Tools has no SCIP, CP-SAT or GLOP linear solver")
    inf = solver.infinity()

    def variable(top: float) -> Any:
        return solver.IntVar(0.0, top, "") if integer else solver.NumVar(0.0, top, "")

    built = _add_class_flows(
        problem, solver, variable, classes, options, allowed, max_arcs, began, time_limit_seconds
    )
    if isinstance(built, BoundStatus):
        return result(0.0, None, built)
    flows, counts = built
    n_states = sum(sum(len(level) for level in f.network.levels) for f in flows)
    n_arcs = sum(len(f.network.arcs) for f in flows)

    hours = problem.interval_hours
    n = problem.n_intervals
    required = problem.required_scheduled
    demand = required > 0
    cover: dict[int, Any] = {}
    objective = solver.Objective()
    for t in np.flatnonzero(demand).tolist():
        short = solver.NumVar(0.0, inf, "")
        row = solver.Constraint(float(required[t]), inf)
        row.SetCoefficient(short, 1.0)
        objective.SetCoefficient(short, hours)
        cover[t] = row
    durations = [
        [b.duration_minutes // problem.interval_minutes for b in t.breaks]
        for t in problem.templates
    ]
    for o, ys in counts.items():
        option = options[o]
        for t in range(option.start, min(option.end, n)):
            if demand[t]:
                for y in ys:
                    cover[t].SetCoefficient(y, 1.0)
        for k, starts in enumerate(option.break_starts):
            duration = durations[option.template][k]
            spans = [[t for t in range(p, min(p + duration, n)) if demand[t]] for p in starts]
            if any(not span for span in spans):
                continue  # a break where nothing is required costs nothing
            link = solver.Constraint(0.0, 0.0)
            for y in ys:
                link.SetCoefficient(y, 1.0)
            for span in spans:
                z = variable(inf)
                link.SetCoefficient(z, -1.0)
                for t in span:
                    cover[t].SetCoefficient(z, -1.0)
    objective.SetMinimization()
    left = time_limit_seconds - (time.perf_counter() - began)
    if left <= 0:
        return result(0.0, None, BoundStatus.TIME_LIMIT)
    solver.SetTimeLimit(max(1, int(left * 1000)))
    code = solver.Solve()
    if code == pywraplp.Solver.INFEASIBLE:
        return result(0.0, None, BoundStatus.INFEASIBLE)
    if not integer:
        if code == pywraplp.Solver.OPTIMAL:
            return result(float(objective.Value()), None, BoundStatus.OPTIMAL)
        return result(0.0, None, BoundStatus.TIME_LIMIT)
    best_bound = float(objective.BestBound())
    bound = best_bound if math.isfinite(best_bound) else 0.0
    if code == pywraplp.Solver.OPTIMAL:
        return result(bound, float(objective.Value()), BoundStatus.OPTIMAL)
    if code == pywraplp.Solver.FEASIBLE:
        return result(bound, float(objective.Value()), BoundStatus.TIME_LIMIT)
    if time.perf_counter() - began >= 0.99 * time_limit_seconds:
        return result(bound, None, BoundStatus.TIME_LIMIT)
    return result(0.0, None, BoundStatus.NOT_SOLVED)


def class_flow_roster(
    problem: RosterProblem,
    *,
    time_limit_seconds: float = 30.0,
    max_arcs: int = 200_000,
    options: list[ShiftOption] | None = None,
    allowed: list[list[AgentOption]] | None = None,
) -> dict[int, list[int]] | None:
    """A starting roster from the class-flow model with the roster's own coverage costs.

    The flows of :func:`class_flow_bound` choose the weeks of every class of
    interchangeable agents (here also of equal cost per hour); options that
    would break a soft rule are left out; the objective is the identity-free part of
    the roster objective: the convex shortage cost of
    :class:`~wfm.roster.problem.Weights` (one piece per agent short), the
    over-staffing cost and the cost of paid hours. Preferences and fairness
    are left to the roster solver. The best integer solution
    found within the time limit is split into one path per agent, so every
    week obeys the agent's hard rules.

    Parameters
    ----------
    problem
        The roster problem.
    time_limit_seconds
        Wall-clock budget for building and solving (SCIP through OR-Tools).
    max_arcs
        Give up when one class's graph has more arcs.
    options, allowed
        Optional precomputed :func:`~wfm.roster.shifts.shift_options` and
        :func:`~wfm.roster.shifts.agent_options`.

    Returns
    -------
    dict or None
        Agent index -> option indices of their week (in day order), or
        ``None`` when no integer solution was found in time, the graphs are
        too large, or no solver is available.
    """
    _validate(time_limit_seconds, None, 0)
    began = time.perf_counter()
    from ortools.linear_solver import pywraplp

    if options is None:
        options = shift_options(problem)
    if allowed is None:
        allowed = agent_options(problem, options)
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # pragma: no cover - OR-Tools wheels ship SCIP
        return None
    inf = solver.infinity()
    classes = agent_classes(problem, by_cost=True)
    # the start keeps soft rules too: options that would break one are left out
    unbroken = [[ao for ao in mine if not ao.breaches] for mine in allowed]
    built = _add_class_flows(
        problem,
        solver,
        lambda top: solver.IntVar(0.0, top, ""),
        classes,
        options,
        unbroken,
        max_arcs,
        began,
        time_limit_seconds,
    )
    if isinstance(built, BoundStatus):
        return None
    flows, counts = built
    weights = problem.weights
    hours = problem.interval_hours
    n = problem.n_intervals
    required = problem.required_scheduled
    objective = solver.Objective()
    coverable = np.zeros(n, dtype=bool)
    for o in counts:
        coverable[options[o].start : min(options[o].end, n)] = True
    cover: dict[int, Any] = {}
    growth = weights.understaffing_growth
    for t in np.flatnonzero((required > 0) | coverable).tolist():
        # covered - over + short = required, short split into pieces of one agent
        row = solver.Constraint(float(required[t]), float(required[t]))
        cover[t] = row
        over = solver.NumVar(0.0, inf, "")
        row.SetCoefficient(over, -1.0)
        objective.SetCoefficient(over, weights.overstaffing_per_agent_hour * hours)
        if required[t] <= 0:
            continue
        for k, slope in enumerate(growth):
            piece = solver.NumVar(0.0, 1.0 if k < len(growth) - 1 else inf, "")
            row.SetCoefficient(piece, 1.0)
            objective.SetCoefficient(piece, weights.understaffing_per_agent_hour * slope * hours)
    for flow in flows:
        rate = problem.cost_per_hour_of(problem.agents[flow.members[0]]) * weights.paid_hour
        for o, y in flow.count.items():
            objective.SetCoefficient(y, rate * options[o].paid_minutes / 60.0)
    durations = [
        [b.duration_minutes // problem.interval_minutes for b in t.breaks]
        for t in problem.templates
    ]
    for o, ys in counts.items():
        option = options[o]
        for t in range(option.start, min(option.end, n)):
            for y in ys:
                cover[t].SetCoefficient(y, 1.0)
        for k, starts in enumerate(option.break_starts):
            link = solver.Constraint(0.0, 0.0)
            for y in ys:
                link.SetCoefficient(y, 1.0)
            for p in starts:
                z = solver.IntVar(0.0, inf, "")
                link.SetCoefficient(z, -1.0)
                for t in range(p, min(p + durations[option.template][k], n)):
                    cover[t].SetCoefficient(z, -1.0)
    objective.SetMinimization()
    # a margin for SCIP's own start-up and the split into weeks
    left = 0.95 * (time_limit_seconds - (time.perf_counter() - began)) - 0.1
    if left <= 0:
        return None
    solver.SetTimeLimit(max(1, int(left * 1000)))
    code = solver.Solve()
    if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    return _split_into_weeks(problem, flows)


def _split_into_weeks(
    problem: RosterProblem, flows: list[_ClassFlow]
) -> dict[int, list[int]] | None:
    """One path of each class's integer flow per member: the agents' weeks."""
    plan: dict[int, list[int]] = {}
    for flow in flows:
        left = {
            key: [[round(var.solution_value()), there, group] for var, there, group in arcs]
            for key, arcs in flow.leaving.items()
        }
        count_left = {o: round(y.solution_value()) for o, y in flow.count.items()}
        (state,) = flow.network.levels[0]
        for a in flow.members:
            here = state
            week: list[int] = []
            for day in range(problem.days):
                arc = next((arc for arc in left.get((day, here), []) if arc[0] > 0), None)
                if arc is None:
                    return None  # not a whole flow (should not happen with integer values)
                arc[0] -= 1
                if arc[2] is not None:
                    o = next((o for o in flow.groups[arc[2]] if count_left[o] > 0), None)
                    if o is None:
                        return None
                    count_left[o] -= 1
                    week.append(o)
                here = arc[1]
            plan[a] = week
    return plan
