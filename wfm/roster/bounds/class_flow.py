"""Lower bound on under-staffing from one flow network per class of agents.

Class-flow model
----------------
:func:`class_flow_bound` writes the same per-class weeks compactly: a layered
graph per class (one layer per day; a state holds what the hard rules still
need) whose paths are exactly the class's weeks, carrying one unit of flow
per agent. Its LP relaxation equals the column generation LP
(:mod:`wfm.roster.bounds.column_generation`); with integer
flows (which split into one whole week per agent) it is an exact integer
model of the least under-staffing, solved by SCIP through OR-Tools, whose
proven bound holds whenever it stops. Where the states stay few (few paid
lengths, rest that rarely binds, as in contact-centre contracts) it is the
stronger and often the faster of the two.

The networks (:func:`class_network`, :func:`add_class_flows`) and the split
of integer flows into weeks (:func:`split_into_weeks`) also serve the
class-flow starting roster (:mod:`wfm.roster.search.flow_start`). Classes
are those of :mod:`wfm.roster.bounds.classes`; the coverage rows those of
:mod:`wfm.roster.coverage`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from wfm.errors import SolverError
from wfm.roster.bounds.classes import agent_classes
from wfm.roster.bounds.lp import LowerBound, bound_record
from wfm.roster.coverage import add_cover_terms, coverage_rows
from wfm.roster.options import check_positive_number, check_whole_number
from wfm.roster.problem import Agent, RosterProblem, Rule
from wfm.roster.shifts import (
    AgentOption,
    ShiftOption,
    agent_options,
    check_agent_options,
    last_shift_end_interval,
    rest_intervals,
    shift_options,
)
from wfm.status import SolveStatus

__all__ = [
    "FLOW_METHOD",
    "ClassFlow",
    "ClassFlowBound",
    "ClassNetwork",
    "CoverageCost",
    "FlowState",
    "add_class_flows",
    "add_coverage_cost_objective",
    "add_understaffing_objective",
    "class_flow_bound",
    "class_network",
    "coverage_cost_flows",
    "round_into_weeks",
    "split_into_weeks",
]

FLOW_METHOD = "class-flow-mip"

FlowState = tuple[int, int, int, int, int, int | None]
"""(days worked, paid minutes, work run, days-off state, weekend days, binding last end).

Days worked, paid minutes, weekend days and the days-off state count within
the current week of the period. The days-off state is the run of days off
towards the week's block while it is missing; once the block is done it is
negative: ``-1 - r`` with ``r`` the current run of days off (capped below
the block, kept only when a later week can use it), which starts the next
week's count.
"""


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
        A :class:`~wfm.status.SolveStatus`. ``OPTIMAL``: solved to
        optimality (within the solver's default relative gap of 1e-4; the
        bound stays valid); ``FEASIBLE``: stopped early, a valid bound that
        is not the optimum (the solver's proven bound, or the trivial 0 when
        building the networks outlasted the time limit); ``INFEASIBLE``: no
        roster obeys the hard rules (trivial bound 0); ``MODEL_INVALID``: the
        networks exceed ``max_arcs`` or the solver failed (trivial bound 0).
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
    status: SolveStatus
    states: int
    arcs: int
    agent_classes: int
    wall_time_seconds: float
    method: str = FLOW_METHOD

    def to_lower_bound(self, problem: RosterProblem) -> LowerBound:
        """The bound as a :class:`~wfm.roster.bounds.lp.LowerBound` (trivial paid hours)."""
        return LowerBound.of_understaffing(problem, self)

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary of the fields (JSON-serialisable; ``status`` as its value)."""
        return bound_record(self)


@dataclass
class ClassNetwork:
    """Weeks of one agent class as paths of a layered graph (one layer per day)."""

    levels: list[set[FlowState]]
    # (day, from state, to state, option or -1 for a day off)
    arcs: list[tuple[int, FlowState, FlowState, int]]
    finals: set[FlowState]


def class_network(
    problem: RosterProblem,
    agent: Agent,
    options: list[ShiftOption],
    allowed: list[AgentOption],
    max_arcs: int,
) -> ClassNetwork | None:
    """Layered graph whose source-to-final paths are exactly the agent's periods.

    A state keeps what the hard rules still need, the per-week counts reset at
    each week boundary of the period (where states that miss a weekly minimum
    or block are left out): days worked, paid minutes
    (capped at the minimum when the maximum cannot bind), the current run of
    working days (when the consecutive-days limit can bind), the run of days
    off towards the week's block (negative once the block is done or when
    there is none, see :data:`FlowState`), weekend days worked (when the limit can bind), and the
    end of the last shift while it can still constrain a later start (rest
    and no overlap). Soft rules are left out. Returns ``None`` above
    ``max_arcs`` arcs.
    """
    contract = problem.contract_of(agent)

    def hard(rule: Rule) -> bool:
        return not problem.is_soft(rule)

    days = problem.days
    rest = rest_intervals(problem, contract.min_rest_hours) if hard(Rule.MIN_REST) else 0
    by_day: list[list[int]] = [[] for _ in range(days)]
    for ao in allowed:
        by_day[options[ao.option].day].append(ao.option)
    earliest = [min((options[o].start for o in by_day[d]), default=None) for d in range(days)]
    future_start: list[float] = [math.inf] * (days + 1)
    for d in range(days - 1, -1, -1):
        first = earliest[d]
        future_start[d] = min(future_start[d + 1], math.inf if first is None else first)
    max_days = contract.max_days_per_week if hard(Rule.MAX_DAYS) else days
    min_days = contract.min_days_per_week if hard(Rule.MIN_DAYS) else 0
    high = math.floor(contract.max_hours_per_week * 60 + 1e-9) if hard(Rule.MAX_HOURS) else math.inf
    low = math.ceil(contract.min_hours_per_week * 60 - 1e-9) if hard(Rule.MIN_HOURS) else 0
    best_paid_week = [
        sorted(
            (max((options[o].paid_minutes for o in by_day[d]), default=0) for d in week),
            reverse=True,
        )
        for week in problem.weeks
    ]
    if all(sum(top[: max(max_days, 0)]) <= high for top in best_paid_week):
        high = math.inf  # the maximum can never bind: paid minutes matter up to the minimum
    max_run = contract.max_consecutive_days if hard(Rule.MAX_CONSECUTIVE_DAYS) else days + 1_000_000
    before = agent.consecutive_days_worked_before
    track_run = max_run < before + days
    block = contract.min_consecutive_days_off
    if not hard(Rule.MIN_CONSECUTIVE_DAYS_OFF) or block < 2:
        block = 0
    weekend = [problem.weekday_of(d) in problem.weekend_days for d in range(days)]
    max_weekend = contract.max_weekend_days if hard(Rule.MAX_WEEKEND_DAYS) else days
    track_weekend = max_weekend < max(sum(weekend[d] for d in week) for week in problem.weeks)
    boundaries = {week.stop for week in problem.weeks[:-1]}
    track_off_run = bool(block) and bool(boundaries)

    def rested_off(off: int) -> int:
        """The days-off state after a day off."""
        if off >= 0:
            off += 1
            if off < block:
                return off
            return -1 - min(off, block - 1) if track_off_run else -1
        if not track_off_run:
            return -1
        return -1 - min(-off, block - 1)

    def new_week(state: FlowState) -> FlowState | None:
        """The state at a week boundary: ``None`` if the week missed a minimum."""
        worked, paid, run, off, _, end = state
        if worked < min_days or paid < low or off >= 0:
            return None
        return (0, 0, run, -1 - off if block else -1, 0, end)

    pinned = set()
    if hard(Rule.PINS):
        pinned = {(p.day - problem.start_date).days for p in agent.pins if not p.off}
    last_end = last_shift_end_interval(problem, agent)

    def normal(
        worked: int, paid: int, run: int, off: int, wk: int, end: int | None, next_day: int
    ) -> FlowState:
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
    levels: list[set[FlowState]] = [{source}]
    arcs: list[tuple[int, FlowState, FlowState, int]] = []
    for d in range(days):
        reached: set[FlowState] = set()
        for state in levels[d]:
            worked, paid, run, off, wk, end = state
            if d not in pinned:
                rest_state: FlowState | None = normal(
                    worked, paid, 0, rested_off(off), wk, end, d + 1
                )
                if rest_state is not None and d + 1 in boundaries:
                    rest_state = new_week(rest_state)
                if rest_state is not None:
                    arcs.append((d, state, rest_state, -1))
                    reached.add(rest_state)
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
                nxt: FlowState | None = normal(
                    worked + 1,
                    paid + opt.paid_minutes,
                    run + 1,
                    -1 if off < 0 else 0,
                    wk + int(weekend[d]),
                    opt.end,
                    d + 1,
                )
                if nxt is not None and d + 1 in boundaries:
                    nxt = new_week(nxt)
                if nxt is not None:
                    arcs.append((d, state, nxt, o))
                    reached.add(nxt)
            if len(arcs) > max_arcs:
                return None
        levels.append(reached)
    finals = {s for s in levels[days] if s[0] >= min_days and s[1] >= low and s[3] < 0}
    return ClassNetwork(levels=levels, arcs=arcs, finals=finals)


@dataclass
class ClassFlow:
    """The flow variables of one agent class (see :func:`add_class_flows`)."""

    members: list[int]
    network: ClassNetwork
    # (day, state) -> leaving arcs: (flow variable, next state, merged group or None)
    leaving: dict[tuple[int, FlowState], list[tuple[Any, FlowState, tuple[Any, ...] | None]]]
    # merged group -> its options; option -> this class's count variable
    groups: dict[tuple[Any, ...], list[int]]
    count: dict[int, Any]


def add_class_flows(
    problem: RosterProblem,
    solver: Any,
    variable: Callable[[float], Any],
    classes: list[list[int]],
    options: list[ShiftOption],
    allowed: list[list[AgentOption]],
    max_arcs: int,
    began: float,
    time_limit_seconds: float,
) -> tuple[list[ClassFlow], dict[int, list[Any]]] | SolveStatus:
    """Add one integer flow per agent class to ``solver`` (a ``pywraplp`` solver).

    Returns the flows and, per option, the count variables of every class
    that may work it; or the status to report when a class's graph exceeds
    ``max_arcs`` (``MODEL_INVALID``), a class has no week at all
    (``INFEASIBLE``) or building outlasts the time limit (``FEASIBLE``: the
    trivial bound).
    """
    counts: dict[int, list[Any]] = {}  # option -> per-class count variables
    flows: list[ClassFlow] = []
    for members in classes:
        network = class_network(
            problem, problem.agents[members[0]], options, allowed[members[0]], max_arcs
        )
        if network is None:
            return SolveStatus.MODEL_INVALID
        if not network.finals:
            return SolveStatus.INFEASIBLE
        size = float(len(members))
        flow = ClassFlow(members=members, network=network, leaving={}, groups={}, count={})
        # options of a day that move every state the same way share their arcs
        moves: dict[int, list[tuple[FlowState, FlowState]]] = {}
        inflow: dict[tuple[int, FlowState], list[Any]] = {}
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
            return SolveStatus.FEASIBLE
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
    ``class_network``). Arcs of a day whose options lead between the same
    states for every state are merged, and the flow on them is split into
    counts per option; counts of all classes cover the intervals, with the
    breaks of every shift placed by integer counts per allowed start
    (as in :mod:`wfm.roster.bounds.lp`), and the shortage is minimised.

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
        Give up (status ``MODEL_INVALID``) when one class's graph has more
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
    check_positive_number("time_limit_seconds", time_limit_seconds)
    check_whole_number("max_arcs", max_arcs, minimum=1)
    check_agent_options(problem, options, allowed)
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

    def result(bound: float, incumbent: float | None, status: SolveStatus) -> ClassFlowBound:
        return ClassFlowBound(
            understaffing_agent_hours=float(max(0.0, bound)),
            incumbent_agent_hours=None if incumbent is None else float(max(0.0, incumbent)),
            status=status,
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

    def variable(top: float) -> Any:
        return solver.IntVar(0.0, top, "") if integer else solver.NumVar(0.0, top, "")

    built = add_class_flows(
        problem, solver, variable, classes, options, allowed, max_arcs, began, time_limit_seconds
    )
    if isinstance(built, SolveStatus):
        return result(0.0, None, built)
    flows, counts = built
    n_states = sum(sum(len(level) for level in f.network.levels) for f in flows)
    n_arcs = sum(len(f.network.arcs) for f in flows)

    objective = add_understaffing_objective(problem, solver, options, counts, variable)
    left = time_limit_seconds - (time.perf_counter() - began)
    if left <= 0:
        return result(0.0, None, SolveStatus.FEASIBLE)
    solver.SetTimeLimit(max(1, int(left * 1000)))
    code = solver.Solve()
    if code == pywraplp.Solver.INFEASIBLE:
        return result(0.0, None, SolveStatus.INFEASIBLE)
    if not integer:
        if code == pywraplp.Solver.OPTIMAL:
            return result(float(objective.Value()), None, SolveStatus.OPTIMAL)
        return result(0.0, None, SolveStatus.FEASIBLE)
    best_bound = float(objective.BestBound())
    bound = best_bound if math.isfinite(best_bound) else 0.0
    if code == pywraplp.Solver.OPTIMAL:
        return result(bound, float(objective.Value()), SolveStatus.OPTIMAL)
    if code == pywraplp.Solver.FEASIBLE:
        return result(bound, float(objective.Value()), SolveStatus.FEASIBLE)
    if time.perf_counter() - began >= 0.99 * time_limit_seconds:
        return result(bound, None, SolveStatus.FEASIBLE)
    return result(0.0, None, SolveStatus.MODEL_INVALID)


def add_understaffing_objective(
    problem: RosterProblem,
    solver: Any,
    options: list[ShiftOption],
    counts: dict[int, Any],
    variable: Callable[[float], Any],
) -> Any:
    """The least under-staffing over the option counts ``counts`` of :func:`add_class_flows`.

    One row per interval with a requirement, ``covered + short >= required``
    (scheduled agents), and the objective ``sum(short) x interval hours``
    (agent-hours short), minimised; the breaks of every shift are placed by
    counts per allowed start, made with ``variable`` (as in
    :mod:`wfm.roster.bounds.lp`), and a break where nothing is required costs
    nothing, so such windows are left out. Returns the objective.
    """
    inf = solver.infinity()
    hours = problem.interval_hours
    required = problem.required_scheduled
    cover: dict[int, Any] = {}
    objective = solver.Objective()
    for t in np.flatnonzero(required > 0).tolist():
        short = solver.NumVar(0.0, inf, "")
        row = solver.Constraint(float(required[t]), inf)
        row.SetCoefficient(short, 1.0)
        objective.SetCoefficient(short, hours)
        cover[t] = row
    rows = coverage_rows(problem, options)
    add_cover_terms(solver, rows, counts, cover, new_break_count=lambda: variable(inf))
    objective.SetMinimization()
    return objective


@dataclass(frozen=True, kw_only=True)
class CoverageCost:
    """The objective of :func:`add_coverage_cost_objective` and its shortage variables.

    Attributes
    ----------
    objective
        The solver's objective (a minimisation).
    short
        The shortage pieces (agents short per interval); their values summed
        times the interval's hours are the agent-hours short.
    """

    objective: Any
    short: list[Any]


def add_coverage_cost_objective(
    problem: RosterProblem,
    solver: Any,
    options: list[ShiftOption],
    flows: list[ClassFlow],
    counts: dict[int, Any],
    variable: Callable[[float], Any],
) -> CoverageCost:
    """The identity-free part of the roster objective over the flows of :func:`add_class_flows`.

    One row per interval with a requirement or a shift that may cover it,
    ``covered - over + short = required`` (scheduled agents), with the
    shortage split into pieces of one agent priced by
    :class:`~wfm.roster.problem.Weights` (``understaffing_per_agent_hour``
    times each ``understaffing_growth`` slope), the over-staffing at
    ``overstaffing_per_agent_hour`` and each class's shifts at its cost per
    paid hour. The breaks of every shift are placed by counts per allowed
    start, made with ``variable``; every break window is written, since
    over-staffing is priced everywhere. Preferences and fairness are left out
    (they belong to named agents).
    """
    inf = solver.infinity()
    weights = problem.weights
    hours = problem.interval_hours
    required = problem.required_scheduled
    objective = solver.Objective()
    rows = coverage_rows(problem, options)
    coverable = np.zeros(problem.n_intervals, dtype=bool)
    for o in counts:
        coverable[rows.option_start[o] : rows.option_end[o]] = True
    cover: dict[int, Any] = {}
    short: list[Any] = []
    growth = weights.understaffing_growth
    for t in np.flatnonzero((required > 0) | coverable).tolist():
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
            short.append(piece)
    for flow in flows:
        rate = problem.cost_per_hour_of(problem.agents[flow.members[0]]) * weights.paid_hour
        for o, y in flow.count.items():
            objective.SetCoefficient(y, rate * options[o].paid_minutes / 60.0)
    add_cover_terms(
        solver, rows, counts, cover, new_break_count=lambda: variable(inf), skip_free_windows=False
    )
    objective.SetMinimization()
    return CoverageCost(objective=objective, short=short)


def coverage_cost_flows(
    problem: RosterProblem,
    solver: Any,
    variable: Callable[[float], Any],
    options: list[ShiftOption],
    allowed: list[list[AgentOption]],
    *,
    max_arcs: int,
    began: float,
    time_limit_seconds: float,
) -> tuple[list[ClassFlow], CoverageCost] | SolveStatus:
    """The class flows with the roster's coverage costs, in ``solver``.

    One flow per class of interchangeable agents of equal cost per hour
    (:func:`add_class_flows`, made with ``variable``) over the options that
    break no soft rule, and :func:`add_coverage_cost_objective` over them.
    Returns the flows and the objective, or the status of
    :func:`add_class_flows` when they were not built.
    """
    unbroken = [[ao for ao in mine if not ao.breaches] for mine in allowed]
    built = add_class_flows(
        problem,
        solver,
        variable,
        agent_classes(problem, by_cost=True),
        options,
        unbroken,
        max_arcs,
        began,
        time_limit_seconds,
    )
    if isinstance(built, SolveStatus):
        return built
    flows, counts = built
    return flows, add_coverage_cost_objective(problem, solver, options, flows, counts, variable)


def split_into_weeks(
    problem: RosterProblem,
    flows: list[ClassFlow],
    value: Callable[[Any], float] | None = None,
) -> dict[int, list[int]] | None:
    """One path of each class's integer flow per member: the agents' weeks.

    Call after solving, with whole-number flows; ``value`` reads a
    variable's value (``solution_value()`` of the solver when ``None``).
    Returns agent index -> option indices of their week (in day order), or
    ``None`` when the values do not split (not whole numbers).
    """
    if value is None:

        def value(var: Any) -> float:
            return float(var.solution_value())

    plan: dict[int, list[int]] = {}
    for flow in flows:
        left: dict[Any, list[list[Any]]] = {
            key: [[round(value(var)), there, group] for var, there, group in arcs]
            for key, arcs in flow.leaving.items()
        }
        count_left = {o: round(value(y)) for o, y in flow.count.items()}
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


def round_into_weeks(
    problem: RosterProblem, flows: list[ClassFlow], value: Callable[[Any], float]
) -> dict[int, list[int]] | None:
    """Whole weeks for every agent from fractional (LP) flows: paths, rounded.

    Each class's flow (read by ``value``) is decomposed into paths from the
    first state, each time along the arcs of largest remaining flow, a path
    carrying the least flow on it; the paths' weights are rounded to whole
    agents summing to the class's members (largest remainders), and on each
    merged group of a day the agents it gets are spread over its options in
    proportion to their LP counts (largest remainders again). Every path is
    a week of the class's graph, so every agent's week obeys the hard rules;
    the rounding only moves coverage. Returns agent index -> option indices
    of their week (in day order), or ``None`` when a flow does not
    decompose (an LP solution that is not a flow).
    """
    tiny = 1e-6
    plan: dict[int, list[int]] = {}
    for flow in flows:
        left: dict[Any, list[list[Any]]] = {
            key: [[max(float(value(var)), 0.0), there, group] for var, there, group in arcs]
            for key, arcs in flow.leaving.items()
        }
        (first,) = flow.network.levels[0]
        size = float(len(flow.members))
        weights: list[float] = []
        paths: list[list[tuple[Any, ...] | None]] = []
        carried = 0.0
        while carried < size - tiny:
            here = first
            walk: list[list[Any]] = []
            for day in range(problem.days):
                arc = max(left.get((day, here), []), key=lambda arc: arc[0], default=None)
                if arc is None or arc[0] <= tiny:
                    break
                walk.append(arc)
                here = arc[1]
            if len(walk) < problem.days:
                break  # what is left is rounding noise
            weight = min(arc[0] for arc in walk)
            for arc in walk:
                arc[0] -= weight
            weights.append(weight)
            paths.append([arc[2] for arc in walk])
            carried += weight
        if not paths:
            return None
        shares = np.asarray(weights) * (size / sum(weights))
        agents_on = _largest_remainders(shares, len(flow.members))
        wanted: dict[tuple[Any, ...], int] = {}
        for groups, n in zip(paths, agents_on, strict=True):
            for group in groups:
                if group is not None and n:
                    wanted[group] = wanted.get(group, 0) + int(n)
        chosen: dict[tuple[Any, ...], list[int]] = {}
        for group, n in wanted.items():
            members = flow.groups[group]
            lp = np.asarray([max(float(value(flow.count[o])), 0.0) for o in members])
            split = (
                lp * (n / lp.sum()) if lp.sum() > tiny else np.full(len(members), n / len(members))
            )
            chosen[group] = [
                o
                for o, k in zip(members, _largest_remainders(split, n), strict=True)
                for _ in range(int(k))
            ]
        agents = iter(flow.members)
        for groups, n in zip(paths, agents_on, strict=True):
            for _ in range(int(n)):
                plan[next(agents)] = [chosen[g].pop() for g in groups if g is not None]
    return plan


def _largest_remainders(shares: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers summing to ``total``, each the floor of its share or one more."""
    whole = np.floor(shares).astype(np.int64)
    extra = max(total - int(whole.sum()), 0)
    whole[np.argsort(-(shares - whole), kind="stable")[:extra]] += 1
    return whole
