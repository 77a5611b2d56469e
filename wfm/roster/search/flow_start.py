"""Phase 2 of the roster search: the class-flow starting roster.

:func:`flow_start` hints the roster of least under-staffing
(:func:`least_understaffing_roster`) in place of the greedy roster when,
completed with breaks, it has the lower objective. Its weeks are whole paths
of the class-flow model of :mod:`wfm.roster.bounds.class_flow` (one network
per class of interchangeable agents), so every week obeys the agent's hard
rules; the integer programme, the agent-hours short, is solved by HiGHS in
a child process (:mod:`wfm.roster.search.mip`) that a stop request kills.
On the acceptance weeks HiGHS proves it in 20-40 s whatever the centre's
size (the graphs grow with the classes, not with the agents), and the
proven value is also the best bound on the under-staffing a solve reports.

Budget: HiGHS gets :data:`LEAST_UNDERSTAFFING_SHARE` of the time left
before the stage's deadline and ends sooner when it proves its roster; the
time left goes to the next phase at once. Its branch and bound is serial,
so a second CPU-bound process on two cores leaves it a core and the same
work. Its time is not reproducible, so the phase is skipped in
deterministic mode; it is tried only under limits of
:data:`FLOW_MIN_SECONDS` or more.

:func:`class_flow_roster` is the earlier start: the same flows against the
roster's coverage costs (convex shortage, over-staffing, paid hours), solved
by SCIP from the greedy roster's weeks (:func:`flow_hint`). On the
acceptance weeks SCIP rarely improves on the greedy roster within a minute,
where HiGHS's least under-staffing start gives the lower objective under the
default weights too (``benchmarks/README.md``), so the search no longer
calls it; it stays for callers who price the coverage exactly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.bounds.class_flow import (
    ClassFlow,
    add_class_flows,
    add_understaffing_objective,
    coverage_cost_flows,
    round_into_weeks,
    split_into_weeks,
)
from wfm.roster.bounds.classes import agent_classes
from wfm.roster.model import RosterModel
from wfm.roster.options import SolverOptions, check_positive_number
from wfm.roster.problem import RosterProblem
from wfm.roster.search.cpsat import (
    COMPLETION_SHARE,
    SolutionTracker,
    add_hint,
    try_start,
)
from wfm.roster.search.mip import solve_in_child
from wfm.roster.search.stop import StopRequest
from wfm.roster.shifts import AgentOption, ShiftOption, agent_options, shift_options
from wfm.status import SolveStatus

__all__ = [
    "FLOW_MIN_SECONDS",
    "LEAST_UNDERSTAFFING_SHARE",
    "LEXICOGRAPHIC_FLOW_SHARE",
    "LP_SHARE",
    "ROUNDED_COMPLETION_SHARE",
    "LeastUnderstaffing",
    "class_flow_roster",
    "flow_hint",
    "flow_start",
    "least_understaffing_roster",
    "understaffing_of",
]

FLOW_MIN_SECONDS = 40.0
"""Shortest time limit for which the class-flow start is tried: HiGHS needs
20-40 s to prove the least under-staffing of 50-200 agents, and under shorter
limits the time serves the CP-SAT searches better."""


LEAST_UNDERSTAFFING_SHARE = 0.7
"""Share of the time left before the stage's deadline that the least under-staffing
flows may take (HiGHS's own limit; the rest is for completing its roster with
breaks and for the searches)."""

ROUNDED_COMPLETION_SHARE = 0.5
"""Share of the time left that completing the rounded LP weeks with breaks may take
(at 5,000 agents with a CPU-bound process beside a quarter was too short; it ends
when done)."""

LP_SHARE = 0.2
"""Most of the flows' time their LP relaxation may take (GLOP; it takes seconds)."""

LEXICOGRAPHIC_FLOW_SHARE = 0.9
"""The same share in the first stage of a lexicographic solve, whose searches only
stand in for the flows when HiGHS does not prove them in time (HiGHS finds its
first integer solution late, often when it proves it)."""


@dataclass(frozen=True, kw_only=True)
class LeastUnderstaffing:
    """The class-flow roster of least under-staffing.

    Attributes
    ----------
    plan
        Agent index -> option indices of their week (in day order): HiGHS's
        integer solution, or when it found none in time the LP relaxation's
        flows rounded into whole weeks
        (:func:`~wfm.roster.bounds.class_flow.round_into_weeks`); ``None``
        when neither came back.
    understaffing_agent_hours
        The plan's under-staffing in the flow model (breaks placed by counts);
        ``None`` for a rounded plan.
    bound_agent_hours
        The proven lower bound on the under-staffing of any roster: HiGHS's,
        or the LP relaxation's when larger (``0.0`` when neither has one).
    proven
        Whether the plan is proven to have the least under-staffing.
    """

    plan: dict[int, list[int]] | None
    understaffing_agent_hours: float | None
    bound_agent_hours: float
    proven: bool


def least_understaffing_roster(
    problem: RosterProblem,
    *,
    time_limit_seconds: float,
    max_arcs: int = 200_000,
    options: list[ShiftOption] | None = None,
    allowed: list[list[AgentOption]] | None = None,
    stop: StopRequest | None = None,
    on_rounded: Callable[[dict[int, list[int]]], None] | None = None,
) -> LeastUnderstaffing | None:
    """The roster of least under-staffing from the class-flow model, by HiGHS.

    The flows of :func:`~wfm.roster.bounds.class_flow.class_flow_bound` (one
    network per class of interchangeable agents, every option the agents may
    work) with its objective, the agent-hours short
    (:func:`~wfm.roster.bounds.class_flow.add_understaffing_objective`),
    solved by HiGHS in a child process
    (:func:`~wfm.roster.search.mip.solve_in_child`) and split into one week
    per agent. Its LP relaxation is solved first (GLOP, for at most
    :data:`LP_SHARE` of the time): its value is a bound, and its flows
    rounded into whole weeks are the plan when HiGHS finds no integer
    solution in time (at 2,000 agents on the acceptance week the solve then
    ends 0.4 % above the bound: ``benchmarks/README.md``, "Large centres").
    The weeks obey every hard rule; soft rules, over-staffing and
    paid hours are left to the search after it. Where
    no two breaks of a template's windows can overlap the model is exact, so
    a proven plan has the least under-staffing any roster can have.

    Parameters
    ----------
    problem
        The roster problem.
    time_limit_seconds
        Wall-clock budget for building and solving.
    max_arcs
        Give up (``None``) when one class's graph has more arcs.
    options, allowed
        Optional precomputed :func:`~wfm.roster.shifts.shift_options` and
        :func:`~wfm.roster.shifts.agent_options`.
    stop
        Ends the solve (the child process is killed) when requested.
    on_rounded
        Called with the rounded LP plan before HiGHS starts (its time counts
        in ``time_limit_seconds``), so that a search can start from it at
        once: at 2,000 agents and more HiGHS rarely finds an integer solution
        within a minute, and the rounded plan is then the start.

    Returns
    -------
    LeastUnderstaffing or None
        ``None`` when some agent has no week obeying the hard rules, the
        graphs are too large, the time ran out before the solve or a stop
        was requested.
    """
    check_positive_number("time_limit_seconds", time_limit_seconds)
    began = time.perf_counter()
    from ortools.linear_solver import pywraplp

    options, allowed = _expanded(problem, options, allowed)
    # the model is only written here (GLOP holds it); HiGHS solves it in a child process
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - OR-Tools wheels ship GLOP
        return None
    built = add_class_flows(
        problem,
        solver,
        lambda top: solver.IntVar(0.0, top, ""),
        agent_classes(problem),
        options,
        allowed,
        max_arcs,
        began,
        time_limit_seconds,
    )
    if isinstance(built, SolveStatus):
        return None
    flows, counts = built
    objective = add_understaffing_objective(
        problem, solver, options, counts, lambda top: solver.IntVar(0.0, top, "")
    )
    # first the LP relaxation (GLOP, in process, a few seconds at 2,000 agents): its
    # value is a bound, and its flows rounded into whole weeks are the roster kept
    # when HiGHS finds no integer solution in its time (its first one comes late)
    left = time_limit_seconds - (time.perf_counter() - began)
    if left <= 1.0 or (stop is not None and stop.requested):
        return None
    solver.SetTimeLimit(max(1, int(LP_SHARE * left * 1000)))
    rounded: dict[int, list[int]] | None = None
    lp_bound = 0.0
    if solver.Solve() == pywraplp.Solver.OPTIMAL:
        lp_bound = max(float(objective.Value()), 0.0)
        rounded = round_into_weeks(problem, flows, lambda var: float(var.solution_value()))
        if rounded is not None and on_rounded is not None:
            on_rounded(rounded)
    # no starting solution: HiGHS through OR-Tools fails on a partial one, and the
    # roster in place stays the search's start unless the flows' roster beats it
    left = time_limit_seconds - (time.perf_counter() - began)
    if left <= 1.0 or (stop is not None and stop.requested):
        return None
    solved = solve_in_child(solver, time_limit_seconds=left - 0.5, stop=stop)
    if stop is not None and stop.requested:
        return None
    bound = max(solved.bound if np.isfinite(solved.bound) else 0.0, lp_bound)
    if not solved.status.has_solution:
        return LeastUnderstaffing(
            plan=rounded, understaffing_agent_hours=None, bound_agent_hours=bound, proven=False
        )
    values = solved.values
    plan = split_into_weeks(problem, flows, lambda var: float(values[var.index()]))
    return LeastUnderstaffing(
        plan=plan if plan is not None else rounded,
        understaffing_agent_hours=solved.objective if plan is not None else None,
        bound_agent_hours=bound,
        proven=plan is not None and solved.status == SolveStatus.OPTIMAL,
    )


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

    options, allowed = _expanded(problem, options, allowed)
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # pragma: no cover - OR-Tools wheels ship SCIP
        return None
    # the start keeps soft rules too: options that would break one are left out
    built = coverage_cost_flows(
        problem,
        solver,
        lambda top: solver.IntVar(0.0, top, ""),
        options,
        allowed,
        max_arcs=max_arcs,
        began=began,
        time_limit_seconds=time_limit_seconds,
    )
    if isinstance(built, SolveStatus):
        return None
    flows, _ = built
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


def _expanded(
    problem: RosterProblem,
    options: list[ShiftOption] | None,
    allowed: list[list[AgentOption]] | None,
) -> tuple[list[ShiftOption], list[list[AgentOption]]]:
    """The shift options and each agent's allowed ones, computed where not given."""
    if options is None:
        options = shift_options(problem)
    if allowed is None:
        allowed = agent_options(problem, options)
    return options, allowed


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
    deadline: float,
    tracker: SolutionTracker,
    completed: float | None,
    stop: StopRequest | None = None,
    share: float = LEAST_UNDERSTAFFING_SHARE,
) -> tuple[float | None, LeastUnderstaffing | None]:
    """Replace the hint by the roster of least under-staffing when that is better.

    :func:`least_understaffing_roster` gets ``share`` (by default
    :data:`LEAST_UNDERSTAFFING_SHARE`) of the time left before ``deadline``
    (the stage's), and its weeks, completed with breaks and
    bookkeeping for :data:`~wfm.roster.search.cpsat.COMPLETION_SHARE` of the
    time then left, become the hint when their objective (``rm``'s) beats
    ``completed``, the hint's in place. The LP relaxation's rounded weeks are
    tried first, as soon as they exist (their completion may take
    :data:`ROUNDED_COMPLETION_SHARE` of the time left), then HiGHS's integer
    solution.
    Skipped in deterministic mode (HiGHS's time is not reproducible), under
    limits below :data:`FLOW_MIN_SECONDS` and once ``stop`` is requested.

    Returns
    -------
    tuple
        The objective of the hint now in place, and the flows' result
        (``None`` when not tried or nothing came back).
    """
    if solver_options.deterministic or solver_options.time_limit_seconds < FLOW_MIN_SECONDS:
        return completed, None
    if stop is not None and stop.requested:
        return completed, None
    window = share * (deadline - time.perf_counter())
    if window <= 1.0:
        return completed, None
    tracker.phase("class flow")
    hinted = completed

    def attempt(plan: dict[int, list[int]], share: float = COMPLETION_SHARE) -> None:
        nonlocal hinted
        if len(plan) != len(rm.x):
            return
        hinted = try_start(
            rm,
            lambda: add_hint(rm, plan),
            completed=hinted,
            tracker=tracker,
            time_limit=share * (deadline - time.perf_counter()),
            seed=solver_options.seed,
            deterministic_time=None,
            stop=stop,
        )

    least = least_understaffing_roster(
        rm.problem,
        time_limit_seconds=window,
        options=rm.options,
        allowed=rm.agent_options,
        stop=stop,
        # the rounded weeks are the start at scale: their completion may take longer
        on_rounded=lambda plan: attempt(plan, ROUNDED_COMPLETION_SHARE),
    )
    if least is not None and least.plan is not None and least.understaffing_agent_hours is not None:
        attempt(least.plan)  # HiGHS's integer solution (the rounded plan was tried before it)
    return hinted, least


def understaffing_of(rm: RosterModel, reader: cp_model.CpSolver) -> float:
    """Agent-hours short of the roster ``reader`` holds (a solve of ``rm``)."""
    return float(
        sum(reader.value(t.amount) * t.amount_scale for t in rm.terms if t.rule == "understaffing")
    )
