"""Solve a weekly roster: the entry point that runs the search phases in order.

:func:`solve` runs the pre-solve checks (:mod:`wfm.roster.prechecks`),
expands the shift options once (:func:`wfm.roster.shifts.shift_options`),
builds the model from its rule families (:mod:`wfm.roster.model`) and runs
the phases of :mod:`wfm.roster.search`:

1. a greedy constructive roster, completed by CP-SAT with the shifts fixed
   (break placement and bookkeeping solved): the first roster
   (:mod:`~wfm.roster.search.greedy`); with a published roster to keep
   (``problem.baseline``), the published roster completed the same way is
   the first roster instead, and the greedy one is built only when that
   completion fails (:func:`wfm.roster.published.published_start`);
2. the class-flow roster of least under-staffing: an integer programme over
   classes of interchangeable agents whose weeks obey every hard rule,
   solved by HiGHS in a child process for at most 70 % of the time left
   (limits of 40 s or more; it ends sooner when proven); completed the same
   way, it replaces the greedy roster when its objective is lower, and its
   proven bound on the under-staffing is the one the summary reports.
   Skipped in deterministic mode (:mod:`~wfm.roster.search.flow_start`);
3. CP-SAT on the full model, started from that solution, for the work
   (deterministic time) of a share (15 %) of the remaining time, within half
   of the remaining time on the wall clock: small problems end here, proven
   optimal (:mod:`~wfm.roster.search.cpsat`);
4. when neither a completed start nor the full search has a roster: CP-SAT
   on the model without its objective, for all the time left, to the first
   roster or a proof of infeasibility
   (:func:`~wfm.roster.search.cpsat.feasible_search`); its roster is then
   improved like any other;
5. a large-neighbourhood search that repeatedly frees a few agents (all
   others keep their days and shifts), chosen where the roster is short or
   at random, and lets CP-SAT improve them together with everybody's break
   placement, keeping every improvement, until the deadline (its last step
   gets what is left); it ends early only once the roster is proven
   optimal: it reaches the proven bound, or a neighbourhood that frees every
   agent is solved to optimality (:mod:`~wfm.roster.search.lns`).

Each phase takes what the phases before it left: the full search a share
of the time left, the fallback all of it, the neighbourhood search the rest.
A phase that ends sooner than its share (proven optimal, HiGHS finished,
no roster, graphs too large) leaves its time to the next phase at once, and
a solve with wall-clock limits returns before its limit only with a roster
proven optimal (``OPTIMAL``), a proof of infeasibility, or a stop.
``TIME_LIMIT_NO_SOLUTION`` therefore means the whole limit (or the
deterministic limit) was spent without a roster, or a stop came first. An
``INFEASIBLE`` answer carries its explanation whichever phase proved it: the
prechecks name the rules at once, and a proof by a search is explained by
:func:`wfm.roster.prechecks.explain_infeasibility`.

The answer is turned into tables (:mod:`wfm.roster.report`) and a typed
:class:`~wfm.roster.result.RosterResult`, with the lower bounds of
:func:`wfm.roster.bounds.reported.reported_bounds`: the LP bound
(:mod:`wfm.roster.bounds.lp`), then the per-agent bound
(:mod:`wfm.roster.bounds.column_generation`, priced per class of agents),
and the best bound known on the objective and on under-staffing, each with
its kind, in the summary. An infeasible problem comes back with
``status == INFEASIBLE`` and the conflicting rules in ``conflicts``, never as
an exception.

CP-SAT parameters set through ``solver.parameters``: ``num_workers``,
``random_seed``, ``max_time_in_seconds``, ``max_deterministic_time``,
``log_search_progress``; probing is off and presolve runs one pass
(``cp_model_probing_level = 0``, ``max_presolve_iterations = 1``), which on
these models saves seconds at no loss; with several workers and a
deterministic limit, ``interleave_search`` makes the parallel search
reproducible.

Lexicographic objective
-----------------------
The weighted objective trades under-staffing against over-staffing, paid
hours, wishes and fairness: with the default :class:`~wfm.roster.problem.Weights`
an agent-hour short costs 100 (its first agent in an interval; 110, 120, 130
for the next), a paid hour 1 per unit of cost per hour, an agent-hour over 5,
a wish its own weight (2-5 in the generated instances), so a shift that covers
some shortage is nearly always worth its cost. The growth per agent short is
mild on purpose: a steep one buys the spread of the shortage with more of it
(with ``(1, 2, 4, 8)`` the class-flow optimum of ``a50-i15-flex-brk-mixed-s0``
keeps 23.75 agent-hours short against the least possible 22.25); with the
default the 60 s solves of the a50, a100 and a200 weeks end at the least
possible shortage or 0.25 agent-hours above it (see ``benchmarks/README.md``).
With ``SolverOptions(lexicographic=True)`` (``wfm roster --lexicographic``,
the scenario's ``solver: {lexicographic: true}``) the solve has two stages:

1. the search phases above on the weights of :func:`shortage_first` (an
   agent-hour short weighs :data:`SHORTAGE_FIRST_FACTOR` times more and
   linearly; the other terms only break ties), for
   :data:`LEXICOGRAPHIC_SHORTAGE_SHARE` of the limit, or less when proven
   optimal sooner; its class-flow start may take
   :data:`~wfm.roster.search.flow_start.LEXICOGRAPHIC_FLOW_SHARE` of the
   stage, and the stage ends once the class-flow roster, proven by
   HiGHS to have the least under-staffing, keeps it when completed with
   breaks (to the rounding of the requirements to hundredths of an agent):
   on the acceptance weeks after 20-40 s, whatever their size;
2. the model of the problem's own weights with the constraint "under-staffing
   at most stage 1's", started from stage 1's roster, for the time left.

The shortage is held at stage 1's best, which is the least possible when
stage 1 proved it (otherwise the best found). The objective, bound and gap
reported are stage 2's: its bound holds for rosters of that shortage.
Progress events and ``solution_trace`` come from stage 2;
``first_solution_seconds`` is stage 1's first roster. When stage 2 finds no
roster in its time (on a loaded machine it may not even complete stage 1's
shifts with breaks), stage 1's roster is returned, ``FEASIBLE``, with stage
1's objective and bound (in the cost units of the :func:`shortage_first`
weights) and no ``solution_trace``.

Timing
------
``time_limit_seconds`` of :class:`~wfm.roster.options.SolverOptions` is the
budget of the whole call except the lower bounds, which run after the
search: the LP bound (its own limit; well under a second on 2,000 agents)
and the per-agent bound for at most
:data:`~wfm.roster.bounds.reported.PER_AGENT_BOUND_SHARE` (15 %) of
``time_limit_seconds`` (at least 0.5 s), whose Lagrangian bound is valid
wherever it stops; it is skipped when the roster already meets the LP
bound. On two cores it cannot run beside the search without slowing it,
so it runs after it. Model building, the greedy
roster, the class-flow roster and their completions are taken from it before
the searches share the rest. ``first_solution_seconds`` and the
``solution_trace`` are measured from the start of the call.

Behaviour under load
--------------------
The phases that decide the roster's quality are sized by the work they do,
not by a share of the wall clock, or end when they prove their result, and
the wall clock is only their outer limit. HiGHS's class-flow roster runs in
a process of its own, on one core, and ends when proven (20-40 s on the
acceptance weeks of 50-200 agents); the full CP-SAT search counts
deterministic time
(:data:`~wfm.roster.search.cpsat.DETERMINISTIC_PER_WORKER_SECOND` per worker
and second of its share), stretched up to half the time left on the wall
clock; the neighbourhood steps keep wall-clock limits. So a second CPU-bound
process on two cores leaves the class-flow start its core and costs
improvement steps at the end rather than the starting roster; only with
less than one core free does HiGHS's limit (70 % of the time left) cut it,
and the greedy roster then stays the start (figures in
``benchmarks/README.md``). The model building and the greedy roster run on
the wall clock. For rosters that do not depend on the load at all, set
``max_deterministic_time`` (below).

Determinism
-----------
With ``max_deterministic_time`` set, the same problem, ``seed`` and
``workers`` give the same roster whenever that limit (not the wall-clock one)
ends each phase: the greedy heuristic then runs without a wall-clock budget,
the class-flow roster (whose HiGHS time is not reproducible) is skipped, 15 %
of the deterministic time goes to the full search (with all the time left as
its wall-clock limit), the objective-free fallback (when it runs) may take
the other 85 %, and the neighbourhood steps stop once their deterministic
time adds up to what is left of those 85 % (so such a run may return before
its wall-clock limit).

Stopping
--------
A :class:`~wfm.roster.search.stop.StopRequest` given as ``stop`` (``wfm
roster`` requests it on Ctrl-C) ends the phase under way (CP-SAT's
``stop_search``, the kill of HiGHS's process, the greedy passes between two
agents) and starts no other but the read-back of the best roster so far,
which comes back ``FEASIBLE`` (``OPTIMAL`` only if proven before the stop),
or ``TIME_LIMIT_NO_SOLUTION`` without one; ``interrupted`` is set on the
result, and the lower bound and the infeasibility explanation are skipped.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from wfm.errors import ValidationError
from wfm.roster.bounds.lp import LowerBound
from wfm.roster.bounds.reported import reported_bounds, with_bounds
from wfm.roster.model import OBJECTIVE_SCALE, REQUIREMENT_SCALE, RosterModel, build_model
from wfm.roster.options import SolverOptions
from wfm.roster.prechecks import Conflict, explain_infeasibility, precheck
from wfm.roster.problem import RosterProblem, Weights
from wfm.roster.published import published_start
from wfm.roster.queues_model import IDLE, allocated_coverage, one_queue_proxy
from wfm.roster.report import (
    BREAK_COLUMNS,
    ROSTER_COLUMNS,
    VIOLATION_COLUMNS,
    coverage_table,
    extract_solution,
    queue_coverage_table,
    queue_summary,
    roster_tables,
    scheduled_on_grid,
    violations_table,
)
from wfm.roster.result import ProgressEvent, RosterResult, RosterStatus, RosterSummary
from wfm.roster.search.cpsat import (
    COMPLETION_DETERMINISTIC_SHARE,
    COMPLETION_SHARE,
    DETERMINISTIC_PER_WORKER_SECOND,
    SEARCH_SHARE,
    SolutionTracker,
    add_hint,
    complete_hint,
    feasible_search,
    full_search,
    hinted_solution,
)
from wfm.roster.search.flow_start import (
    LEAST_UNDERSTAFFING_SHARE,
    LEXICOGRAPHIC_FLOW_SHARE,
    flow_start,
    understaffing_of,
)
from wfm.roster.search.greedy import greedy_start
from wfm.roster.search.lns import improve
from wfm.roster.search.stop import StopRequest
from wfm.roster.shifts import AgentOption, ShiftOption, agent_options, shift_options
from wfm.status import SolveStatus, relative_gap

__all__ = [
    "Conflict",
    "ProgressEvent",
    "RosterResult",
    "RosterStatus",
    "RosterSummary",
    "SolverOptions",
    "StopRequest",
    "solve",
]

EXPLAIN_MIN_SECONDS = 2.0
EXPLAIN_MAX_SECONDS = 30.0
"""Time limit of the infeasibility explanation: the solve's, clipped to these."""

FEASIBLE_SHARE = 1 - SEARCH_SHARE
"""Share of the deterministic limit the objective-free fallback search may
take (deterministic mode; with wall-clock limits alone it may take all the
time left)."""

QUEUE_PROXY_SHARE = 0.4
"""Share of the time limit (and of the deterministic limit) the first stage of a
problem with queues, the roster of the centre's summed workload, may take
(:func:`wfm.roster.queues_model.one_queue_proxy`)."""

LEXICOGRAPHIC_SHORTAGE_SHARE = 0.85
"""Share of the time limit (and of the deterministic limit) the first stage of a
lexicographic solve, the least under-staffing, may take; the second stage has
the rest (and all of it when the first is proven optimal sooner)."""

SHORTAGE_FIRST_FACTOR = 1000.0
"""How much more an agent-hour short weighs in the first stage of a lexicographic
solve than under the problem's weights (whose other terms stay, as tie-breakers)."""


def shortage_first(weights: Weights) -> Weights:
    """The weights of the first stage of a lexicographic solve.

    Under-staffing costs :data:`SHORTAGE_FIRST_FACTOR` times its weight per
    agent-hour, linear in the agents short (``understaffing_growth`` of
    ``(1,)``: the stage minimises agent-hours short, not their spread); the
    other terms keep their weights and only break ties between rosters of
    (nearly) the same shortage. With the default weights one agent-hour
    short costs 100,000 cost units, more than the paid hours of a week of
    2,000 agents at cost 1.
    """
    return dataclasses.replace(
        weights,
        understaffing_per_agent_hour=SHORTAGE_FIRST_FACTOR
        * max(weights.understaffing_per_agent_hour, 1.0),
        understaffing_growth=(1.0,),
    )


INTERRUPTED_CONFLICT = Conflict(
    rule="unknown",
    agent_id=None,
    message="the roster is infeasible; the search was interrupted before the "
    "conflicting rules were isolated",
)
"""The conflict reported when a stop came after the proof of infeasibility."""


def _stopped(stop: StopRequest | None) -> bool:
    return stop is not None and stop.requested


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def solve(
    problem: RosterProblem,
    options: SolverOptions | None = None,
    *,
    progress: Callable[[ProgressEvent], None] | None = None,
    compute_bound: bool = True,
    stop: StopRequest | None = None,
    on_phase: Callable[[ProgressEvent], None] | None = None,
) -> RosterResult:
    """Build and solve the roster of ``problem`` with CP-SAT.

    Parameters
    ----------
    problem
        The roster problem.
    options
        Time limit, CP-SAT workers, seed, deterministic limit and log (see
        :class:`~wfm.roster.options.SolverOptions`; default: its defaults,
        60 s on all the machine's cores).
    progress
        Called with a :class:`~wfm.roster.result.ProgressEvent` on each
        improving solution.
    compute_bound
        Also compute the lower bounds after the search (the LP bound and the
        per-agent bound, see "Timing"; not counted in ``time_limit_seconds``;
        skipped after a stop).
    stop
        A :class:`~wfm.roster.search.stop.StopRequest` (e.g. requested from
        a SIGINT handler): when requested, the phase under way ends, no
        later phase starts, and the best roster so far comes back with
        ``interrupted`` set (see "Stopping" above).
    on_phase
        Called with a ``kind="phase"``
        :class:`~wfm.roster.result.ProgressEvent` at the start of each phase
        (:data:`~wfm.roster.result.PHASES`), for a display of the search.

    Returns
    -------
    RosterResult

    Raises
    ------
    ValidationError
        If ``options`` is not a :class:`~wfm.roster.options.SolverOptions`.
    """
    if options is None:
        options = SolverOptions()
    if not isinstance(options, SolverOptions):
        raise ValidationError("options", options, "a SolverOptions")
    started = time.perf_counter()
    shifts = shift_options(problem)
    allowed = agent_options(problem, shifts)
    conflicts = precheck(problem, shifts, allowed)
    if conflicts:
        return _without_roster(
            problem,
            SolveStatus.INFEASIBLE,
            started,
            conflicts,
            workers=options.workers,
            seed=options.seed,
            time_limit_seconds=options.time_limit_seconds,
        )
    tracker = SolutionTracker(started, progress, on_phase)
    first_roster: float | None = None
    if options.lexicographic:
        rm, status, solver, reader, first_roster = _lexicographic_search(
            problem,
            options,
            shifts,
            allowed,
            started=started,
            tracker=tracker,
            stop=stop,
        )
    elif problem.queues is not None:
        rm, status, solver, reader, first_roster = _queues_search(
            problem, options, shifts, allowed, started=started, tracker=tracker, stop=stop
        )
    else:
        rm = build_model(problem, options=shifts, allowed=allowed)
        status, solver, reader = _search(rm, options, started=started, tracker=tracker, stop=stop)
    interrupted = _stopped(stop)
    if status == SolveStatus.INFEASIBLE:
        if interrupted:
            conflicts = [INTERRUPTED_CONFLICT]
        else:
            budget = max(EXPLAIN_MIN_SECONDS, min(EXPLAIN_MAX_SECONDS, options.time_limit_seconds))
            conflicts = explain_infeasibility(
                problem, time_limit_seconds=budget, seed=options.seed, options=shifts
            )
        return _without_roster(
            problem,
            status,
            started,
            conflicts,
            workers=options.workers,
            seed=options.seed,
            time_limit_seconds=options.time_limit_seconds,
            interrupted=interrupted,
        )
    if not status.has_solution or reader is None:
        return _without_roster(
            problem,
            status,
            started,
            [],
            workers=options.workers,
            seed=options.seed,
            time_limit_seconds=options.time_limit_seconds,
            bound=solver.best_objective_bound / OBJECTIVE_SCALE
            if status == SolveStatus.TIME_LIMIT_NO_SOLUTION
            else None,
            interrupted=interrupted,
        )
    tracker.phase("roster tables")
    value = reader.value
    solution = extract_solution(rm, value)
    roster, breaks = roster_tables(problem, rm, solution)
    scheduled = scheduled_on_grid(problem, roster, breaks)
    coverage = coverage_table(problem, scheduled)
    violations = violations_table(problem, rm, value)
    objective = reader.objective_value / OBJECTIVE_SCALE
    bound = solver.best_objective_bound / OBJECTIVE_SCALE
    if reader is not solver:
        bound = objective if status == SolveStatus.OPTIMAL else min(bound, objective)
    wall = time.perf_counter() - started
    summary = _summary(
        problem,
        status=status,
        objective=objective,
        bound=bound,
        wall=wall,
        first=_earliest(first_roster, tracker.first, wall),
        roster=roster,
        coverage=coverage,
        lower=None,
        workers=options.workers,
        seed=options.seed,
        time_limit_seconds=options.time_limit_seconds,
    )
    by_queue = None
    if problem.queues is not None:
        by_queue, summary = _with_queues(problem, summary, allocated_coverage(rm, value))
    bounds = None
    if compute_bound and not interrupted:
        # after the search, outside its limit: the LP bound, then the per-agent
        # bound for at most PER_AGENT_BOUND_SHARE of the limit
        tracker.phase("lower bound")
        bounds = reported_bounds(
            problem,
            time_limit_seconds=options.time_limit_seconds,
            seed=options.seed,
            understaffing_agent_hours=summary.understaffing_agent_hours,
            weeks=[solution.shifts.get(a, []) for a in range(len(problem.agents))],
            options=shifts,
            allowed=allowed,
            known=tracker.understaffing_bound,
        )
        summary = with_bounds(summary, bounds, rm=rm)
    lower = None if bounds is None else bounds.lp
    return RosterResult(
        status=status,
        objective=objective,
        best_bound=bound,
        relative_gap=relative_gap(objective, bound),
        wall_time_seconds=wall,
        first_solution_seconds=summary.first_solution_seconds,
        solution_trace=tuple(tracker.trace),
        roster=roster,
        breaks=breaks,
        coverage=coverage,
        violations=violations,
        summary=summary,
        conflicts=(),
        lower_bound=lower,
        per_agent_bound=None if bounds is None else bounds.per_agent,
        interrupted=interrupted,
        coverage_by_queue=by_queue,
    )


def _with_queues(
    problem: RosterProblem, summary: RosterSummary, allocated: dict[str, np.ndarray]
) -> tuple[pd.DataFrame, RosterSummary]:
    """The per-queue table and the summary with the queues' figures (see RosterSummary)."""
    table = queue_coverage_table(problem, allocated)
    idle = float(allocated[IDLE].sum() * problem.interval_hours)
    figures = queue_summary(problem, table, idle_agent_hours=idle)
    summary = dataclasses.replace(
        summary,
        understaffing_agent_hours=float(table["understaffing_agent_hours"].sum()),
        overstaffing_agent_hours=float(table["overstaffing_agent_hours"].sum()) + idle,
        queues=figures,
    )
    return table, summary


def _earliest(*times: float | None) -> float:
    """The earliest of the times given (the last one is never ``None``)."""
    return min(t for t in times if t is not None)


def _search(
    rm: RosterModel,
    options: SolverOptions,
    *,
    started: float,
    tracker: SolutionTracker,
    stop: StopRequest | None,
    start_plan: dict[int, list[int]] | None = None,
    least_understaffing: bool = False,
) -> tuple[SolveStatus, cp_model.CpSolver, cp_model.CpSolver | None]:
    """The search phases on ``rm`` within ``options``' limits, measured from ``started``.

    Without ``start_plan`` the greedy and class-flow rosters start the search;
    with one (agent index -> option indices, e.g. the first stage of a
    lexicographic solve) that roster is hinted and completed instead. The
    class-flow start's proven bound on the under-staffing goes to
    ``tracker.understaffing_bound``. With ``least_understaffing`` (the first
    stage of a lexicographic solve), when HiGHS proved the class-flow roster
    (:func:`~wfm.roster.search.flow_start.flow_start`) and its completion with
    breaks keeps that
    under-staffing (to the rounding of the requirements to hundredths of an
    agent, :data:`~wfm.roster.model.REQUIREMENT_SCALE`), the stage ends there:
    ``FEASIBLE``, the completed roster as both solvers.

    Returns
    -------
    tuple
        The status, the full search's solver (its proven bound) and the
        solver holding the best roster (``None`` without one).
    """
    tracker.understaffing = [
        (t.amount, t.amount_scale) for t in rm.terms if t.rule == "understaffing"
    ]
    deadline = started + options.time_limit_seconds
    deterministic = options.max_deterministic_time
    if start_plan is None:
        # with a published roster to keep, it is the start; the greedy roster only without one
        completed = None
        if rm.problem.baseline is not None:
            tracker.phase("published start")
            completed = published_start(
                rm, options, started=started, tracker=tracker, completed=None, stop=stop
            )
        if completed is None:
            tracker.phase("greedy start")
            completed = greedy_start(rm, options, started=started, tracker=tracker, stop=stop)
        completed, least = flow_start(
            rm,
            options,
            deadline=deadline,
            tracker=tracker,
            completed=completed,
            stop=stop,
            share=LEXICOGRAPHIC_FLOW_SHARE if least_understaffing else LEAST_UNDERSTAFFING_SHARE,
        )
        if least is not None and rm.problem.queues is None:
            tracker.understaffing_bound = ("class_flow", least.bound_agent_hours)
        if least_understaffing and least is not None and least.proven and completed is not None:
            # the first stage of a lexicographic solve has nothing left to find
            held = hinted_solution(rm, options.seed)
            slack = least.bound_agent_hours + _rounding(rm) + 1e-6
            if held is not None and understaffing_of(rm, held) <= slack:
                return SolveStatus.FEASIBLE, held, held
    else:
        # the roster to keep: its completion is sized by work, with all the time left as
        # the outer limit, so that a loaded machine slows it rather than losing the roster
        add_hint(rm, start_plan)
        left = deadline - time.perf_counter()
        completed = complete_hint(
            rm,
            time_limit=left,
            seed=options.seed,
            deterministic_time=COMPLETION_SHARE * max(left, 0.05) * DETERMINISTIC_PER_WORKER_SECOND
            if deterministic is None
            else COMPLETION_DETERMINISTIC_SHARE * deterministic,
            stop=stop,
        )
        if completed is not None:
            tracker.record(completed, None)
    tracker.phase("CP-SAT")
    status, solver = full_search(rm, options, started=started, tracker=tracker, stop=stop)
    reader: cp_model.CpSolver | None = solver
    improve_budget = None if deterministic is None else (1 - SEARCH_SHARE) * deterministic
    if status == SolveStatus.TIME_LIMIT_NO_SOLUTION and completed is not None:
        # the search ended before reporting a roster: fall back to the completed hint
        reader = hinted_solution(rm, options.seed)
        if reader is not None:
            status = SolveStatus.FEASIBLE
    if status == SolveStatus.TIME_LIMIT_NO_SOLUTION and not _stopped(stop):
        # no roster yet: the rest of the budget goes to finding one, objective-free
        tracker.phase("fallback")
        status, reader, spent = feasible_search(
            rm,
            options,
            deadline=deadline,
            deterministic_time=None if deterministic is None else FEASIBLE_SHARE * deterministic,
            tracker=tracker,
            stop=stop,
        )
        if improve_budget is not None:
            improve_budget = max(improve_budget - spent, 0.0)
    if status == SolveStatus.FEASIBLE and reader is not None:
        tracker.phase("LNS")
        improved = improve(
            rm,
            reader,
            deadline=deadline,
            deterministic_budget=improve_budget,
            seed=options.seed,
            tracker=tracker,
            bound=solver.best_objective_bound / OBJECTIVE_SCALE,
            stop=stop,
        )
        reader = improved.solver
        if improved.proven_optimal:
            status = SolveStatus.OPTIMAL  # the proven bound reached, or the whole model solved
    return status, solver, reader


def _rounding(rm: RosterModel) -> float:
    """Agent-hours by which the model's under-staffing may differ from the exact one:
    the requirements rounded to hundredths of an agent."""
    required = rm.problem.required_scheduled
    rounded = np.rint(required * REQUIREMENT_SCALE) / REQUIREMENT_SCALE
    return float(np.abs(rounded - required).sum() * rm.problem.interval_hours)


def _understaffing(rm: RosterModel) -> Any:
    """The under-staffing of ``rm`` (hundredths of an agent times intervals)."""
    return cp_model.LinearExpr.sum([t.amount for t in rm.terms if t.rule == "understaffing"])


def _lexicographic_search(
    problem: RosterProblem,
    options: SolverOptions,
    shifts: list[ShiftOption],
    allowed: list[list[AgentOption]],
    *,
    started: float,
    tracker: SolutionTracker,
    stop: StopRequest | None,
) -> tuple[RosterModel, SolveStatus, cp_model.CpSolver, cp_model.CpSolver | None, float | None]:
    """First the least under-staffing, then the weighted objective with it held.

    Both models are built first. Stage 1 runs the search phases on the model
    whose objective is dominated by the under-staffing (:func:`shortage_first`
    weights) for :data:`LEXICOGRAPHIC_SHORTAGE_SHARE` of the limit (it ends
    earlier when proven optimal). Stage 2 adds to the model of ``problem``
    "under-staffing at most stage 1's", starts from stage 1's shifts
    (completed with breaks for the work of a share of the time left, all of
    it as the outer limit) and searches the weighted objective for the time
    left. Without a stage-1 roster, stage 2 is the ordinary search.

    Returns
    -------
    tuple
        Stage 2's model, status, full-search solver and best-roster solver,
        and the time of stage 1's first roster.
    """
    limit = options.time_limit_seconds
    deterministic = options.max_deterministic_time
    first_options = dataclasses.replace(
        options,
        lexicographic=False,
        time_limit_seconds=LEXICOGRAPHIC_SHORTAGE_SHARE * limit,
        max_deterministic_time=None
        if deterministic is None
        else LEXICOGRAPHIC_SHORTAGE_SHARE * deterministic,
    )
    shortage_problem = dataclasses.replace(problem, weights=shortage_first(problem.weights))
    rm1 = build_model(shortage_problem, options=shifts, allowed=allowed)
    under1 = _understaffing(rm1)
    # built before stage 1, so that its time (longer on a loaded machine) is not stage 2's
    rm = build_model(problem, options=shifts, allowed=allowed)
    # stage 1's objective is not the user's: its phases are shown, its rosters are not
    quiet = SolutionTracker(started, None, tracker.on_phase)
    start1: dict[int, list[int]] | None = None
    if problem.queues is not None:
        # several queues: stage 1 starts from the roster of the summed workload
        _, start1, _ = _proxy_plan(
            problem, first_options, shifts, allowed, started=started, tracker=tracker, stop=stop
        )
        first_options = dataclasses.replace(
            first_options,
            time_limit_seconds=max(
                first_options.time_limit_seconds - (time.perf_counter() - started), 0.05
            ),
        )
    status1, solver1, reader1 = _search(
        rm1,
        first_options,
        started=time.perf_counter() if start1 is not None else started,
        tracker=quiet,
        stop=stop,
        start_plan=start1,
        least_understaffing=True,
    )
    tracker.understaffing_bound = quiet.understaffing_bound
    now = time.perf_counter()
    rest = dataclasses.replace(
        options,
        lexicographic=False,
        time_limit_seconds=max(limit - (now - started), 0.05),
        max_deterministic_time=None
        if deterministic is None
        else (1 - LEXICOGRAPHIC_SHORTAGE_SHARE) * deterministic,
    )
    if status1 == SolveStatus.INFEASIBLE or not status1.has_solution or reader1 is None:
        if status1 == SolveStatus.INFEASIBLE or _stopped(stop):
            return rm, status1, reader1 or cp_model.CpSolver(), None, quiet.first
        status, solver, reader = _search(rm, rest, started=now, tracker=tracker, stop=stop)
        return rm, status, solver, reader, quiet.first
    rm.model.add(_understaffing(rm) <= int(reader1.value(under1)))
    plan = _plan_of(rm1, reader1)
    status, solver, reader = _search(
        rm, rest, started=now, tracker=tracker, stop=stop, start_plan=plan
    )
    if not status.has_solution and status != SolveStatus.INFEASIBLE:
        # stage 2 found no roster in its time (a loaded machine): keep stage 1's
        status1 = SolveStatus.FEASIBLE if status1 == SolveStatus.OPTIMAL else status1
        return rm1, status1, solver1, reader1, quiet.first
    return rm, status, solver, reader, quiet.first


def _plan_of(rm: RosterModel, reader: cp_model.CpSolver) -> dict[int, list[int]]:
    """The roster ``reader`` holds as a start plan: agent index -> option indices."""
    return {a: [o for o, var in xa.items() if reader.value(var)] for a, xa in enumerate(rm.x)}


def _proxy_plan(
    problem: RosterProblem,
    options: SolverOptions,
    shifts: list[ShiftOption],
    allowed: list[list[AgentOption]],
    *,
    started: float,
    tracker: SolutionTracker,
    stop: StopRequest | None,
) -> tuple[SolveStatus, dict[int, list[int]] | None, float | None]:
    """The roster of :func:`one_queue_proxy` (a problem with queues) as a start plan.

    The search phases on the one-queue problem of the centre's summed
    workload (skills dropped) for :data:`QUEUE_PROXY_SHARE` of ``options``'
    limits: its shifts have the shape of the whole workload, which the
    one-queue search finds quickly; the model with queues then splits each
    agent's time across their skills and improves it.

    Returns
    -------
    tuple
        The proxy's status, its roster (agent index -> option indices;
        ``None`` without one) and the time of its first roster.
    """
    deterministic = options.max_deterministic_time
    proxy_options = dataclasses.replace(
        options,
        lexicographic=False,
        time_limit_seconds=QUEUE_PROXY_SHARE * options.time_limit_seconds,
        max_deterministic_time=None if deterministic is None else QUEUE_PROXY_SHARE * deterministic,
    )
    rm1 = build_model(one_queue_proxy(problem), options=shifts, allowed=allowed)
    # the proxy's objective is not the user's: its phases are shown, its rosters are not
    quiet = SolutionTracker(started, None, tracker.on_phase)
    status1, _, reader1 = _search(rm1, proxy_options, started=started, tracker=quiet, stop=stop)
    if not status1.has_solution or reader1 is None:
        return status1, None, quiet.first
    plan = _plan_of(rm1, reader1)
    return status1, plan, quiet.first


def _queues_search(
    problem: RosterProblem,
    options: SolverOptions,
    shifts: list[ShiftOption],
    allowed: list[list[AgentOption]],
    *,
    started: float,
    tracker: SolutionTracker,
    stop: StopRequest | None,
) -> tuple[RosterModel, SolveStatus, cp_model.CpSolver, cp_model.CpSolver | None, float | None]:
    """A problem with queues: the centre's whole workload first, then the queues.

    Stage 1 is :func:`_proxy_plan`; stage 2 builds the model with the
    queues, starts from stage 1's roster (its shifts; breaks and the split
    of each agent's time across the queues are completed) and searches for
    the time left. Without a stage-1 roster, stage 2 is the ordinary search.

    Returns
    -------
    tuple
        Stage 2's model, status, full-search solver and best-roster solver,
        and the time of stage 1's first roster.
    """
    status1, plan, first = _proxy_plan(
        problem, options, shifts, allowed, started=started, tracker=tracker, stop=stop
    )
    rm = build_model(problem, options=shifts, allowed=allowed)
    if status1 == SolveStatus.INFEASIBLE or _stopped(stop):
        return rm, status1, cp_model.CpSolver(), None, first
    now = time.perf_counter()
    deterministic = options.max_deterministic_time
    rest = dataclasses.replace(
        options,
        time_limit_seconds=max(options.time_limit_seconds - (now - started), 0.05),
        max_deterministic_time=None
        if deterministic is None
        else (1 - QUEUE_PROXY_SHARE) * deterministic,
    )
    status, solver, reader = _search(
        rm, rest, started=now, tracker=tracker, stop=stop, start_plan=plan
    )
    return rm, status, solver, reader, first


def _summary(
    problem: RosterProblem,
    *,
    status: SolveStatus,
    objective: float | None,
    bound: float | None,
    wall: float,
    first: float | None,
    roster: pd.DataFrame,
    coverage: pd.DataFrame,
    lower: LowerBound | None,
    workers: int,
    seed: int,
    time_limit_seconds: float,
) -> RosterSummary:
    hours = problem.interval_hours
    service_level: float | None = None
    target: float | None = None
    if problem.service is not None:
        level = problem.service.level
        target = None if level is None else float(level)
        calls = coverage["calls"].to_numpy(dtype=float)
        sl = coverage["service_level"].to_numpy(dtype=float)
        ok = (calls > 0) & np.isfinite(sl)
        if ok.any() and calls[ok].sum() > 0:
            service_level = float((calls[ok] * sl[ok]).sum() / calls[ok].sum())
    has_roster = status.has_solution
    under = over = paid = cost = beyond = None
    shifts = agents = 0
    if has_roster:
        gap = coverage["gap_scheduled"].to_numpy(dtype=float)
        under = float(np.clip(-gap, 0, None).sum() * hours)
        over = float(np.clip(gap, 0, None).sum() * hours)
        paid = float(roster["paid_minutes"].sum() / 60.0) if len(roster) else 0.0
        rates = {a.agent_id: problem.cost_per_hour_of(a) for a in problem.agents}
        cost = (
            float((roster["paid_minutes"] / 60.0 * roster["agent_id"].map(rates)).sum())
            if len(roster)
            else 0.0
        )
        if len(roster):
            tail = (pd.to_datetime(roster["end"]) - problem.horizon_end) / pd.Timedelta(hours=1)
            beyond = float(np.clip(tail.to_numpy(dtype=float), 0, None).sum())
        else:
            beyond = 0.0
        shifts = len(roster)
        agents = int(roster["agent_id"].nunique()) if len(roster) else 0
    return RosterSummary(
        status=status,
        objective=objective,
        best_bound=bound,
        relative_gap=None if objective is None or bound is None else relative_gap(objective, bound),
        wall_time_seconds=wall,
        first_solution_seconds=first,
        service_level=service_level if has_roster else None,
        service_target_level=target,
        understaffing_agent_hours=under,
        overstaffing_agent_hours=over,
        paid_hours=paid,
        paid_cost=cost,
        shifts=shifts,
        agents_working=agents,
        hours_beyond_horizon=beyond,
        lower_bound_understaffing_agent_hours=(
            None if lower is None else float(lower.understaffing_agent_hours)
        ),
        lower_bound_paid_hours=None if lower is None else float(lower.paid_hours),
        workers=workers,
        seed=seed,
        time_limit_seconds=float(time_limit_seconds),
        time_zone=problem.time_zone,
    )


def _without_roster(
    problem: RosterProblem,
    status: SolveStatus,
    started: float,
    conflicts: list[Conflict],
    *,
    workers: int,
    seed: int,
    time_limit_seconds: float,
    bound: float | None = None,
    interrupted: bool = False,
) -> RosterResult:
    wall = time.perf_counter() - started
    coverage = coverage_table(problem, np.zeros(problem.n_intervals, dtype=np.int64))
    roster = _empty(ROSTER_COLUMNS)
    summary = _summary(
        problem,
        status=status,
        objective=None,
        bound=bound,
        wall=wall,
        first=None,
        roster=roster,
        coverage=coverage,
        lower=None,
        workers=workers,
        seed=seed,
        time_limit_seconds=time_limit_seconds,
    )
    return RosterResult(
        status=status,
        objective=None,
        best_bound=bound,
        relative_gap=None,
        wall_time_seconds=wall,
        first_solution_seconds=None,
        solution_trace=(),
        roster=roster,
        breaks=_empty(BREAK_COLUMNS),
        coverage=coverage,
        violations=_empty(VIOLATION_COLUMNS),
        summary=summary,
        conflicts=tuple(conflicts),
        lower_bound=None,
        interrupted=interrupted,
    )
