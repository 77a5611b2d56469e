"""Solve a weekly roster with OR-Tools CP-SAT and return a typed result.

:func:`solve` runs the pre-solve checks, builds the model
(:mod:`wfm.roster.model`), and searches in four phases:

1. a greedy constructive roster (:func:`wfm.roster.model.greedy_hint`),
   completed into a full feasible solution by CP-SAT with the shifts fixed
   (break placement and bookkeeping solved); this is the first roster;
2. the class-flow roster (:func:`wfm.roster.colgen.class_flow_roster`):
   an integer programme over classes of interchangeable agents, solved with
   SCIP until at most 60 % of the time limit has passed (with limits of
   40 s or more), whose weeks obey every hard rule
   and minimise the coverage costs; completed the same way, it replaces the
   greedy roster when its objective is lower. Skipped in deterministic mode;
3. CP-SAT on the full model, started from that solution, for a share
   (15 %) of the remaining time: small problems end here, proven optimal;
4. a large-neighbourhood search that repeatedly frees two agents (all
   others keep their days and shifts) and lets CP-SAT improve them together
   with everybody's break placement, keeping every improvement.

The answer is turned into tables (:mod:`wfm.roster.report`). An infeasible
problem comes back with ``status == INFEASIBLE`` and the conflicting rules in
``conflicts``, never as an exception.

CP-SAT parameters set through ``solver.parameters``: ``num_workers``,
``random_seed``, ``max_time_in_seconds``, ``max_deterministic_time``,
``log_search_progress``; probing is off and presolve runs one pass
(``cp_model_probing_level = 0``, ``max_presolve_iterations = 1``), which on
these models saves seconds at no loss; with several workers and a
deterministic limit, ``interleave_search`` makes the parallel search
reproducible.

Timing
------
``time_limit_seconds`` is the budget of the whole call except the lower
bound: model building, the greedy roster, the class-flow roster and their
completions are taken from it before the searches share the rest. ``first_solution_seconds`` and the
``solution_trace`` are measured from the start of the call.

Determinism
-----------
With ``max_deterministic_time`` set, the same problem, ``seed`` and
``workers`` give the same roster whenever that limit (not the wall-clock one)
ends each phase: the greedy heuristic then runs without a wall-clock budget,
the class-flow roster (which stops on wall-clock time) is skipped, 15 % of
the deterministic time goes to the full search, and the neighbourhood steps
stop once their deterministic time adds up to the rest.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from wfm.errors import ValidationError
from wfm.roster.colgen import class_flow_roster
from wfm.roster.model import OBJECTIVE_SCALE, RosterModel, build_model, greedy_hint
from wfm.roster.prechecks import Conflict, explain_infeasibility, precheck
from wfm.roster.problem import RosterProblem
from wfm.roster.report import (
    BREAK_COLUMNS,
    ROSTER_COLUMNS,
    VIOLATION_COLUMNS,
    coverage_table,
    extract_solution,
    roster_tables,
    scheduled_on_grid,
    violations_table,
)
from wfm.roster.shifts import AgentOption, ShiftOption, agent_options, shift_options

__all__ = [
    "Conflict",
    "ProgressEvent",
    "RosterResult",
    "RosterStatus",
    "RosterSummary",
    "solve",
]


class RosterStatus(str, Enum):
    """Outcome of a roster solve."""

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    TIME_LIMIT_NO_SOLUTION = "TIME_LIMIT_NO_SOLUTION"
    MODEL_INVALID = "MODEL_INVALID"

    @property
    def has_solution(self) -> bool:
        """Whether a roster comes with this status."""
        return self in (RosterStatus.OPTIMAL, RosterStatus.FEASIBLE)


@dataclass(frozen=True, kw_only=True)
class ProgressEvent:
    """An improving solution found during the search (cost units, seconds from the call)."""

    elapsed_seconds: float
    objective: float
    best_bound: float
    relative_gap: float


@dataclass(frozen=True, kw_only=True)
class RosterSummary:
    """Headline figures of a roster; :meth:`to_dict` is the content of ``summary.json``.

    Hours are agent-hours on the horizon grid; ``service_level`` is
    call-weighted over the horizon (``None`` without calls or service
    settings); the ``lower_bound_*`` fields come from
    :func:`wfm.roster.bound.lower_bound` when it was computed.
    """

    status: str
    objective: float | None
    best_bound: float | None
    relative_gap: float | None
    wall_time_seconds: float
    first_solution_seconds: float | None
    service_level: float | None
    service_target_level: float | None
    understaffing_agent_hours: float | None
    overstaffing_agent_hours: float | None
    paid_hours: float | None
    paid_cost: float | None
    shifts: int
    agents_working: int
    hours_beyond_horizon: float | None
    lower_bound_understaffing_agent_hours: float | None
    lower_bound_paid_hours: float | None
    workers: int
    seed: int
    time_limit_seconds: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary of the fields."""
        return asdict(self)


@dataclass(frozen=True, kw_only=True, eq=False)
class RosterResult:
    """The outcome of :func:`solve`.

    Objective and bound are in cost units (see :mod:`wfm.roster.model`);
    ``relative_gap`` is ``|objective - bound| / max(1, |objective|)``. The
    tables follow the layouts of :mod:`wfm.roster.report` and are empty
    (with their columns) when there is no roster.
    """

    status: RosterStatus
    objective: float | None
    best_bound: float | None
    relative_gap: float | None
    wall_time_seconds: float
    first_solution_seconds: float | None
    solution_trace: tuple[tuple[float, float], ...]
    roster: pd.DataFrame
    breaks: pd.DataFrame
    coverage: pd.DataFrame
    violations: pd.DataFrame
    summary: RosterSummary
    conflicts: tuple[Conflict, ...] = ()
    lower_bound: Any = None

    def write(self, directory: str | Path) -> None:
        """Write ``roster.csv``, ``breaks.csv``, ``coverage.csv``, ``violations.csv``,
        ``summary.json`` (and ``conflicts.csv`` when infeasible) into ``directory``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        roster = self.roster.copy()
        for column in ("start", "end"):
            roster[column] = _format_stamps(roster[column])
        roster["date"] = roster["date"].map(str)
        roster.to_csv(out / "roster.csv", index=False)
        breaks = self.breaks.copy()
        for column in ("start", "end"):
            breaks[column] = _format_stamps(breaks[column])
        breaks["date"] = breaks["date"].map(str)
        breaks.to_csv(out / "breaks.csv", index=False)
        coverage = self.coverage.copy()
        coverage["interval_start"] = _format_stamps(coverage["interval_start"])
        coverage.to_csv(out / "coverage.csv", index=False)
        self.violations.to_csv(out / "violations.csv", index=False)
        summary = self.summary.to_dict()
        summary["conflicts"] = [asdict(c) for c in self.conflicts]
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")


def _format_stamps(column: pd.Series) -> pd.Series:
    if not len(column):
        return column.astype(object)
    return pd.to_datetime(column).dt.strftime("%Y-%m-%d %H:%M")


class _Tracker(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float, progress: Callable[[ProgressEvent], None] | None) -> None:
        super().__init__()
        self.started = started
        self.progress = progress
        self.trace: list[tuple[float, float]] = []
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        self.record(
            self.ObjectiveValue() / OBJECTIVE_SCALE, self.BestObjectiveBound() / OBJECTIVE_SCALE
        )

    def record(self, objective: float, bound: float | None) -> None:
        """Note an improving solution found now (``bound`` unknown: 0)."""
        elapsed = time.perf_counter() - self.started
        if bound is None:
            bound = 0.0  # every term of the objective is >= 0
        if self.trace and objective >= self.trace[-1][1]:
            return
        if self.first is None:
            self.first = elapsed
        self.trace.append((elapsed, objective))
        if self.progress is not None:
            self.progress(
                ProgressEvent(
                    elapsed_seconds=elapsed,
                    objective=objective,
                    best_bound=bound,
                    relative_gap=_gap(objective, bound),
                )
            )


def _gap(objective: float, bound: float) -> float:
    return abs(objective - bound) / max(1.0, abs(objective))


def _validate(
    time_limit_seconds: float, workers: int, seed: int, max_deterministic_time: float | None
) -> None:
    if not (
        isinstance(time_limit_seconds, (int, float))
        and math.isfinite(time_limit_seconds)
        and time_limit_seconds > 0
    ):
        raise ValidationError("time_limit_seconds", time_limit_seconds, "a positive number")
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ValidationError("workers", workers, "a whole number >= 1")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValidationError("seed", seed, "a whole number >= 0")
    if max_deterministic_time is not None and not (
        isinstance(max_deterministic_time, (int, float))
        and math.isfinite(max_deterministic_time)
        and max_deterministic_time > 0
    ):
        raise ValidationError(
            "max_deterministic_time", max_deterministic_time, "a positive number or None"
        )


def _add_hint(rm: RosterModel, plan: dict[int, list[int]]) -> None:
    model = rm.model
    counts: dict[int, int] = {}
    for a, xa in enumerate(rm.x):
        if a not in plan:
            continue
        chosen = set(plan[a])
        for o, var in xa.items():
            model.add_hint(var, o in chosen)
        days = {rm.options[o].day for o in chosen}
        for d, w in enumerate(rm.works[a]):
            if not isinstance(w, int):
                model.add_hint(w, d in days)
        for o in chosen:
            counts[o] = counts.get(o, 0) + 1
    if len(plan) == len(rm.x):
        for o, n in rm.option_count.items():
            model.add_hint(n, counts.get(o, 0))


def _complete_hint(
    rm: RosterModel, *, time_limit: float, seed: int, deterministic_time: float | None
) -> float | None:
    """Turn the partial hint into a complete one by solving with the hinted shifts fixed.

    Fixing the shift variables leaves break placement and the bookkeeping
    variables; the best completion found within the limits replaces the
    hint, so that CP-SAT starts from a complete, feasible solution. Returns
    the completion's objective (cost units), or ``None`` if none was found
    (the partial hint then stays).
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.fix_variables_to_their_hinted_value = True
    params.num_workers = 1
    params.random_seed = seed
    params.max_time_in_seconds = max(time_limit, 0.05)
    if deterministic_time is not None:
        params.max_deterministic_time = deterministic_time
    params.cp_model_probing_level = 0
    params.max_presolve_iterations = 1
    status = solver.solve(rm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = list(solver.response_proto.solution)
    proto = rm.model.proto
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(range(len(values)))
    proto.solution_hint.values.extend(values)
    return float(solver.objective_value) / OBJECTIVE_SCALE


_SEARCH_SHARE = 0.15
"""Share of the remaining time given to the full CP-SAT search before the
neighbourhood search takes over."""

_FREE_AGENTS = 2
"""Agents re-optimised together in one neighbourhood."""

_STEP_WORKERS = 1
"""CP-SAT workers of one neighbourhood step."""

_STEP_BASE_SECONDS = 1.5
_STEP_AGENTS_PER_SECOND = 100.0
"""Wall-clock limit of one neighbourhood step: base + agents / this."""


def _improve(
    rm: RosterModel,
    reader: cp_model.CpSolver,
    *,
    deadline: float,
    deterministic_budget: float | None,
    seed: int,
    tracker: _Tracker,
    bound: float,
) -> cp_model.CpSolver:
    """Large-neighbourhood search: re-optimise two agents at a time.

    Starting from the solution held by ``reader``, each step fixes every
    other agent's days and shifts, frees two agents chosen at random (seeded)
    together with all break placements and bookkeeping, and lets CP-SAT
    (one worker, started from the current solution) improve that
    neighbourhood for a short time. Improvements are kept. Steps stop at the
    wall-clock ``deadline`` or, when ``deterministic_budget`` is given, once
    the steps' deterministic time adds up to it (so runs are reproducible).

    Returns
    -------
    CpSolver
        A solver holding the best solution found (``reader`` if no step
        improved it).
    """
    n_agents = len(rm.x)
    if n_agents == 0:
        return reader
    rng = np.random.default_rng(seed)
    values = list(reader.response_proto.solution)
    objective = reader.objective_value
    best = reader
    step_seconds = _STEP_BASE_SECONDS + n_agents / _STEP_AGENTS_PER_SECOND
    spent = 0.0
    while True:
        left = deadline - time.perf_counter()
        if left < 0.5 * step_seconds:
            break
        if deterministic_budget is not None and spent >= deterministic_budget:
            break
        free = set(rng.choice(n_agents, size=min(_FREE_AGENTS, n_agents), replace=False).tolist())
        model = rm.model.clone()
        for a in range(n_agents):
            if a in free:
                continue
            for var in rm.x[a].values():
                if values[var.index]:
                    model.add(var == 1)
            for w in rm.works[a]:
                if not isinstance(w, int):
                    model.add(w == values[w.index])
        proto = model.proto
        proto.clear_solution_hint()
        proto.solution_hint.vars.extend(range(len(values)))
        proto.solution_hint.values.extend(values)
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = _STEP_WORKERS
        params.random_seed = seed
        params.max_time_in_seconds = min(step_seconds, left)
        if deterministic_budget is not None:
            params.max_deterministic_time = max(0.1 * step_seconds, 1e-3)
        params.cp_model_probing_level = 0
        params.max_presolve_iterations = 1
        status = solver.solve(model)
        spent += solver.deterministic_time
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < objective:
            objective = solver.objective_value
            values = list(solver.response_proto.solution)
            best = solver
            tracker.record(objective / OBJECTIVE_SCALE, bound)
    return best


_FLOW_SHARE = 0.6
"""Most of the time limit the class-flow starting roster may take."""

_FLOW_MIN_SECONDS = 40.0
"""Shortest time limit for which the class-flow start is tried: SCIP needs
25-30 s on 50 agents for a good solution, and under shorter limits the time
serves the CP-SAT searches better."""


def _flow_start(
    rm: RosterModel,
    options: list[ShiftOption],
    allowed: list[list[AgentOption]],
    started: float,
    time_limit_seconds: float,
    seed: int,
    tracker: _Tracker,
    completed: float | None,
) -> float | None:
    """Replace the greedy start by the class-flow roster when that is better.

    :func:`wfm.roster.colgen.class_flow_roster` places whole weeks per class
    of interchangeable agents against the coverage costs; its weeks, completed
    with breaks and bookkeeping, become the hint when their objective beats
    the greedy roster's. Not used in deterministic mode (its solver stops on
    wall-clock time). Returns the objective of the hint now in place.
    """
    budget = _FLOW_SHARE * time_limit_seconds - (time.perf_counter() - started)
    if budget <= 0.5:
        return completed
    plan = class_flow_roster(
        rm.problem, time_limit_seconds=budget, options=options, allowed=allowed
    )
    if plan is None or len(plan) != len(rm.x):
        return completed
    proto = rm.model.proto
    saved = (list(proto.solution_hint.vars), list(proto.solution_hint.values))
    rm.model.clear_hints()
    _add_hint(rm, plan)
    left = time_limit_seconds - (time.perf_counter() - started)
    flow = _complete_hint(rm, time_limit=0.25 * left, seed=seed, deterministic_time=None)
    if flow is not None and (completed is None or flow < completed):
        tracker.record(flow, None)
        return flow
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(saved[0])
    proto.solution_hint.values.extend(saved[1])
    return completed


def _hinted_solution(rm: RosterModel, seed: int) -> cp_model.CpSolver | None:
    """A solver holding the (complete) hint as its solution, for reading it back."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.fix_variables_to_their_hinted_value = True
    params.cp_model_presolve = False
    params.num_workers = 1
    params.random_seed = seed
    params.max_time_in_seconds = 30.0
    status = solver.solve(rm.model)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


_STATUS = {
    cp_model.OPTIMAL: RosterStatus.OPTIMAL,
    cp_model.FEASIBLE: RosterStatus.FEASIBLE,
    cp_model.INFEASIBLE: RosterStatus.INFEASIBLE,
    cp_model.MODEL_INVALID: RosterStatus.MODEL_INVALID,
    cp_model.UNKNOWN: RosterStatus.TIME_LIMIT_NO_SOLUTION,
}


def solve(
    problem: RosterProblem,
    *,
    time_limit_seconds: float = 60.0,
    workers: int = 8,
    seed: int = 0,
    log_progress: bool = False,
    max_deterministic_time: float | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    compute_bound: bool = True,
) -> RosterResult:
    """Build and solve the roster of ``problem`` with CP-SAT.

    Parameters
    ----------
    problem
        The roster problem.
    time_limit_seconds
        Wall-clock budget of the call (model building included, lower bound
        excluded).
    workers
        CP-SAT search workers (``num_workers``).
    seed
        CP-SAT ``random_seed``.
    log_progress
        Print CP-SAT's search log (``log_search_progress``).
    max_deterministic_time
        CP-SAT deterministic time limit, for reproducible runs.
    progress
        Called with a :class:`ProgressEvent` on each improving solution.
    compute_bound
        Also compute :func:`wfm.roster.bound.lower_bound` (its own time
        limit, not counted in ``time_limit_seconds``).

    Returns
    -------
    RosterResult
    """
    _validate(time_limit_seconds, workers, seed, max_deterministic_time)
    started = time.perf_counter()
    options = shift_options(problem)
    allowed = agent_options(problem, options)
    conflicts = precheck(problem, options, allowed)
    if conflicts:
        return _without_roster(
            problem,
            RosterStatus.INFEASIBLE,
            started,
            conflicts,
            workers=workers,
            seed=seed,
            time_limit_seconds=time_limit_seconds,
        )
    rm = build_model(problem, options=options, allowed=allowed)
    # a wall-clock budget for the heuristic only when runs need not be reproducible
    budget = math.inf if max_deterministic_time is not None else 0.1 * time_limit_seconds
    _add_hint(rm, greedy_hint(rm, time_budget_seconds=budget))
    tracker = _Tracker(started, progress)
    completed = _complete_hint(
        rm,
        time_limit=0.25 * (time_limit_seconds - (time.perf_counter() - started)),
        seed=seed,
        deterministic_time=None if max_deterministic_time is None else 0.2 * max_deterministic_time,
    )
    if completed is not None:
        # the completed greedy roster is a feasible roster: the first solution
        tracker.record(completed, None)
    if max_deterministic_time is None and time_limit_seconds >= _FLOW_MIN_SECONDS:
        completed = _flow_start(
            rm, options, allowed, started, time_limit_seconds, seed, tracker, completed
        )
    solver = cp_model.CpSolver()
    params = solver.parameters
    remaining = time_limit_seconds - (time.perf_counter() - started)
    # the full search gets a share of the time; the neighbourhood search the rest
    params.max_time_in_seconds = max(_SEARCH_SHARE * remaining, 0.1 * time_limit_seconds)
    params.num_workers = workers
    params.random_seed = seed
    params.log_search_progress = bool(log_progress)
    # probing and repeated presolve cost seconds on these models for little gain
    params.cp_model_probing_level = 0
    params.max_presolve_iterations = 1
    if max_deterministic_time is not None:
        params.max_deterministic_time = _SEARCH_SHARE * float(max_deterministic_time)
        if workers > 1:
            params.interleave_search = True
    status_code = solver.solve(rm.model, tracker)
    status = _STATUS.get(status_code, RosterStatus.TIME_LIMIT_NO_SOLUTION)
    reader: cp_model.CpSolver | None = solver
    if status == RosterStatus.TIME_LIMIT_NO_SOLUTION and completed is not None:
        # the search ended before reporting a roster: fall back to the completed hint
        reader = _hinted_solution(rm, seed)
        if reader is not None:
            status = RosterStatus.FEASIBLE
    if status == RosterStatus.FEASIBLE and reader is not None:
        reader = _improve(
            rm,
            reader,
            deadline=started + time_limit_seconds,
            deterministic_budget=None
            if max_deterministic_time is None
            else (1 - _SEARCH_SHARE) * max_deterministic_time,
            seed=seed,
            tracker=tracker,
            bound=solver.best_objective_bound / OBJECTIVE_SCALE,
        )
    if status == RosterStatus.INFEASIBLE:
        budget = max(2.0, min(30.0, time_limit_seconds))
        conflicts = explain_infeasibility(
            problem, time_limit_seconds=budget, seed=seed, options=options
        )
        return _without_roster(
            problem,
            status,
            started,
            conflicts,
            workers=workers,
            seed=seed,
            time_limit_seconds=time_limit_seconds,
        )
    if not status.has_solution:
        return _without_roster(
            problem,
            status,
            started,
            [],
            workers=workers,
            seed=seed,
            time_limit_seconds=time_limit_seconds,
            bound=solver.best_objective_bound / OBJECTIVE_SCALE
            if status == RosterStatus.TIME_LIMIT_NO_SOLUTION
            else None,
        )
    assert reader is not None
    value = reader.value
    solution = extract_solution(rm, value)
    roster, breaks = roster_tables(problem, rm, solution)
    scheduled = scheduled_on_grid(problem, roster, breaks)
    coverage = coverage_table(problem, scheduled)
    violations = violations_table(problem, rm, value)
    objective = reader.objective_value / OBJECTIVE_SCALE
    bound = solver.best_objective_bound / OBJECTIVE_SCALE
    if reader is not solver:
        bound = min(bound, objective)
    wall = time.perf_counter() - started
    lower = _lower_bound(problem, rm) if compute_bound else None
    summary = _summary(
        problem,
        status=status,
        objective=objective,
        bound=bound,
        wall=wall,
        first=tracker.first if tracker.first is not None else wall,
        roster=roster,
        coverage=coverage,
        lower=lower,
        workers=workers,
        seed=seed,
        time_limit_seconds=time_limit_seconds,
    )
    return RosterResult(
        status=status,
        objective=objective,
        best_bound=bound,
        relative_gap=_gap(objective, bound),
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
    )


def _lower_bound(problem: RosterProblem, rm: RosterModel) -> Any:
    try:
        from wfm.roster.bound import lower_bound
    except ImportError:
        return None
    return lower_bound(problem, options=rm.options, allowed=rm.agent_options)


def _summary(
    problem: RosterProblem,
    *,
    status: RosterStatus,
    objective: float | None,
    bound: float | None,
    wall: float,
    first: float | None,
    roster: pd.DataFrame,
    coverage: pd.DataFrame,
    lower: Any,
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
        status=status.value,
        objective=objective,
        best_bound=bound,
        relative_gap=None if objective is None or bound is None else _gap(objective, bound),
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
    )


def _without_roster(
    problem: RosterProblem,
    status: RosterStatus,
    started: float,
    conflicts: list[Conflict],
    *,
    workers: int,
    seed: int,
    time_limit_seconds: float,
    bound: float | None = None,
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
    )
