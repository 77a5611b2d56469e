"""Phase 2 of the roster search: the class-flow starting roster.

:func:`class_flow_roster` solves the same flows against the coverage costs
of the roster objective and splits them into one week per agent: a roster
whose weeks obey every hard rule, which :func:`flow_start` hints to the model
in place of the greedy roster when, completed with breaks, it has the lower
objective.

The flows are those of :mod:`wfm.roster.bounds.class_flow` (one network per
class of interchangeable agents, here also of equal cost per hour). SCIP
starts from the greedy roster's weeks (:func:`flow_hint`), so that its
incumbent is never worse than that roster: on a loaded machine SCIP may not
get past its root LP within its window, and without a start it then
returned a roster far worse than the greedy one.

Budget: the phase is sized by work, not by a share of the wall clock. SCIP's
clock is set to CPU time (``timing/clocktype = 1``), so its limit,
:data:`FLOW_SHARE` of the solve's time limit less the time already spent
(also counted in the process's CPU seconds), counts the seconds SCIP
computes, not the seconds it waits for a core: on a loaded machine it does
the same work and takes longer. The wall clock is only the outer limit: at
:data:`FLOW_WALL_SHARE` of the time limit SCIP is interrupted and its best
roster kept, so that the completion and the CP-SAT searches keep some time
(at :data:`FLOW_SHARE` when the greedy roster could not be completed: the
searches after it then need the time to find one). On an idle machine the
two clocks agree and the phase ends at :data:`FLOW_SHARE` as before; when
SCIP ends sooner (proven optimal, no roster, graphs too large) the time
left goes to the next phase at once. SCIP's CPU time is not reproducible,
so the phase is skipped in deterministic mode; it is tried only under
limits of :data:`FLOW_MIN_SECONDS` or more.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

from wfm.roster.bounds.class_flow import ClassFlow, add_class_flows, split_into_weeks
from wfm.roster.bounds.classes import agent_classes
from wfm.roster.coverage import add_cover_terms, coverage_rows
from wfm.roster.model import RosterModel
from wfm.roster.options import SolverOptions, check_positive_number
from wfm.roster.problem import RosterProblem
from wfm.roster.search.cpsat import COMPLETION_SHARE, SolutionTracker, add_hint, try_start
from wfm.roster.search.stop import StopRequest
from wfm.roster.shifts import AgentOption, ShiftOption, agent_options, shift_options
from wfm.status import SolveStatus

__all__ = [
    "FLOW_MIN_SECONDS",
    "FLOW_SHARE",
    "FLOW_WALL_SHARE",
    "class_flow_roster",
    "flow_hint",
    "flow_start",
    "hinted_plan",
]

FLOW_SHARE = 0.6
"""Work of the class-flow starting roster: this share of the time limit, less the
time spent before it, in SCIP's CPU seconds (the wall-clock share on an idle machine)."""

FLOW_WALL_SHARE = 0.8
"""Outer wall-clock limit of the class-flow start, as a share of the time limit: a
loaded machine stretches the phase up to here, never beyond."""

FLOW_MIN_SECONDS = 40.0
"""Shortest time limit for which the class-flow start is tried: SCIP needs
25-30 s on 50 agents for a good solution, and under shorter limits the time
serves the CP-SAT searches better."""


def class_flow_roster(
    problem: RosterProblem,
    *,
    time_limit_seconds: float = 30.0,
    work_seconds: float | None = None,
    max_arcs: int = 200_000,
    options: list[ShiftOption] | None = None,
    allowed: list[list[AgentOption]] | None = None,
    stop: StopRequest | None = None,
    start: dict[int, list[int]] | None = None,
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
    work_seconds
        When given, SCIP's limit in CPU seconds (its clock set to CPU time),
        so that a loaded machine slows the solve without cutting its work;
        ``time_limit_seconds`` then stays the outer limit, at which SCIP is
        interrupted and its best solution kept. ``None``: SCIP stops on
        ``time_limit_seconds`` of wall-clock time.
    max_arcs
        Give up when one class's graph has more arcs.
    options, allowed
        Optional precomputed :func:`~wfm.roster.shifts.shift_options` and
        :func:`~wfm.roster.shifts.agent_options`.
    stop
        Interrupts SCIP (``InterruptSolve``) when requested; SCIP's own
        Ctrl-C handler is off (``misc/catchctrlc``).
    start
        A roster (agent index -> option indices) whose weeks are given to
        SCIP as a (partial) starting solution, so that its incumbent is at
        least that good from the start and its improvement heuristics work
        from it; left out when one of its weeks is not a path of the flows.

    Returns
    -------
    dict or None
        Agent index -> option indices of their week (in day order), or
        ``None`` when no integer solution was found in time, the graphs are
        too large, or no solver is available.
    """
    check_positive_number("time_limit_seconds", time_limit_seconds)
    check_positive_number("work_seconds", work_seconds, optional=True)
    began = time.perf_counter()
    began_cpu = time.process_time()
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
    built = add_class_flows(
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
    if isinstance(built, SolveStatus):
        return None
    flows, counts = built
    weights = problem.weights
    hours = problem.interval_hours
    required = problem.required_scheduled
    objective = solver.Objective()
    rows = coverage_rows(problem, options)
    coverable = np.zeros(problem.n_intervals, dtype=bool)
    for o in counts:
        coverable[rows.option_start[o] : rows.option_end[o]] = True
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
    # over-staffing is priced everywhere: every break window is written
    add_cover_terms(
        solver,
        rows,
        counts,
        cover,
        new_break_count=lambda: solver.IntVar(0.0, inf, ""),
        skip_free_windows=False,
    )
    objective.SetMinimization()
    if start is not None:
        hint = flow_hint(flows, start, problem.days)
        if hint is not None:
            solver.SetHint(*hint)
    # a margin for SCIP's own start-up and the split into weeks
    left = 0.95 * (time_limit_seconds - (time.perf_counter() - began)) - 0.1
    if left <= 0:
        return None
    settings = "misc/catchctrlc = FALSE\n"
    if work_seconds is not None:
        settings += "timing/clocktype = 1\n"  # CPU seconds: the limit counts work done
        left_work = 0.95 * work_seconds - (time.process_time() - began_cpu)
        if left_work <= 0:
            return None
        solver.SetTimeLimit(max(1, int(min(left_work, left) * 1000)))
    else:
        solver.SetTimeLimit(max(1, int(left * 1000)))
    solver.SetSolverSpecificParametersAsString(settings)
    if stop is not None and stop.requested:
        return None
    code = _solve_within(solver, wall_seconds=left if work_seconds is not None else None, stop=stop)
    if stop is not None and stop.requested:
        return None
    if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    return split_into_weeks(problem, flows)


def _solve_within(solver: Any, *, wall_seconds: float | None, stop: StopRequest | None) -> Any:
    """``solver.Solve()``, interrupted after ``wall_seconds`` (if given) or on ``stop``.

    The interruption at the outer wall-clock limit keeps SCIP's incumbent
    (``FEASIBLE``); a lock makes sure ``InterruptSolve`` is called only while
    the solve runs.
    """
    lock = threading.Lock()
    running = True

    def interrupt() -> None:
        with lock:
            if running:
                solver.InterruptSolve()

    timer = None if wall_seconds is None else threading.Timer(wall_seconds, interrupt)
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        if stop is None:
            code = solver.Solve()
        else:
            with stop.watch(interrupt):
                code = solver.Solve()
    finally:
        with lock:
            running = False
        if timer is not None:
            timer.cancel()
    return code


def hinted_plan(rm: RosterModel) -> dict[int, list[int]] | None:
    """The shifts of the model's hint (agent index -> option indices), ``None`` without one."""
    proto = rm.model.proto
    hint = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
    if not hint:
        return None
    plan: dict[int, list[int]] = {}
    for a, xa in enumerate(rm.x):
        plan[a] = [o for o, var in xa.items() if hint.get(var.index, 0)]
    return plan


def flow_hint(
    flows: list[ClassFlow], plan: dict[int, list[int]], days: int
) -> tuple[list[Any], list[float]] | None:
    """The flow variables and values of ``plan``'s weeks (``None`` if one is not a path).

    Each member's week is followed through its class's layered graph from
    the first state: a day off along the day-off arc, a working day along the
    arc of the group holding the day's option; the arcs' flows and the
    options' counts are summed over the members.
    """
    values: dict[Any, float] = {}
    for flow in flows:
        (first,) = flow.network.levels[0]
        where = {o: key for key, group in flow.groups.items() for o in group}
        for a in flow.members:
            by_day = {}
            for o in plan.get(a, []):
                if o not in where:
                    return None
                by_day[where[o][0]] = (o, where[o])
            here = first
            for day in range(days):
                chosen = by_day.get(day)
                want = None if chosen is None else chosen[1]
                arc = next(
                    (arc for arc in flow.leaving.get((day, here), []) if arc[2] == want), None
                )
                if arc is None:
                    return None
                values[arc[0]] = values.get(arc[0], 0.0) + 1.0
                if chosen is not None:
                    y = flow.count[chosen[0]]
                    values[y] = values.get(y, 0.0) + 1.0
                here = arc[1]
    variables: list[Any] = []
    numbers: list[float] = []
    for flow in flows:
        for arcs in flow.leaving.values():
            for var, _, _ in arcs:
                variables.append(var)
                numbers.append(values.get(var, 0.0))
        for y in flow.count.values():
            variables.append(y)
            numbers.append(values.get(y, 0.0))
    return variables, numbers


def flow_start(
    rm: RosterModel,
    solver_options: SolverOptions,
    *,
    started: float,
    tracker: SolutionTracker,
    completed: float | None,
    stop: StopRequest | None = None,
    started_cpu: float | None = None,
) -> float | None:
    """Replace the greedy start by the class-flow roster when that is better.

    :func:`class_flow_roster` places whole weeks per class of
    interchangeable agents against the coverage costs; its weeks, completed
    with breaks and bookkeeping (for
    :data:`~wfm.roster.search.cpsat.COMPLETION_SHARE` of the time left),
    become the hint when their objective beats ``completed``, the greedy
    roster's. SCIP gets :data:`FLOW_SHARE` of the limit (less the time spent
    so far) in CPU seconds, within :data:`FLOW_WALL_SHARE` of it on the wall
    clock (see the module docstring; within :data:`FLOW_SHARE` when there
    is no completed roster to fall back on); with ``started_cpu``
    (:func:`time.process_time` at the start of the solve) the time spent so
    far is counted in CPU seconds too, so that a loaded machine's slower
    model building does not shorten SCIP's work. Skipped in deterministic
    mode (SCIP's CPU time is not reproducible), under limits below
    :data:`FLOW_MIN_SECONDS` and once ``stop`` is requested.

    Returns
    -------
    float or None
        The objective of the hint now in place.
    """
    limit = solver_options.time_limit_seconds
    if solver_options.deterministic or limit < FLOW_MIN_SECONDS:
        return completed
    if stop is not None and stop.requested:
        return completed
    elapsed = time.perf_counter() - started
    spent = elapsed if started_cpu is None else min(time.process_time() - started_cpu, elapsed)
    work = FLOW_SHARE * limit - spent
    # stretched beyond its share only with a roster in hand to fall back on
    wall = (FLOW_SHARE if completed is None else FLOW_WALL_SHARE) * limit - elapsed
    if min(work, wall) <= 0.5:
        return completed
    tracker.phase("class flow")
    plan = class_flow_roster(
        rm.problem,
        time_limit_seconds=wall,
        work_seconds=work,
        options=rm.options,
        allowed=rm.agent_options,
        stop=stop,
        start=hinted_plan(rm),
    )
    if plan is None or len(plan) != len(rm.x):
        return completed
    left = limit - (time.perf_counter() - started)
    return try_start(
        rm,
        lambda: add_hint(rm, plan),
        completed=completed,
        tracker=tracker,
        time_limit=COMPLETION_SHARE * left,
        seed=solver_options.seed,
        deterministic_time=None,
        stop=stop,
    )
