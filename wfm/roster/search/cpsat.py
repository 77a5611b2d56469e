"""CP-SAT on the full roster model: hints, their completion, and the full search.

A starting roster (greedy or class-flow) gives only the shifts; it becomes a
*hint* of the model (:func:`add_hint`), and :func:`complete_hint` solves the
model with those shifts fixed to turn it into a complete feasible solution
(break placement and bookkeeping variables). :func:`full_search` then runs
CP-SAT on the whole model from that solution, for the work of
:data:`SEARCH_SHARE` of the time left (a deterministic limit; the wall clock
is only its outer limit; phase 3 of :func:`wfm.roster.solve.solve`); small
problems end here, proven optimal. When neither a completed start nor the full search
has a roster, :func:`feasible_search` gives all the time left to CP-SAT on
the model without its objective, stopping at the first roster (or a proof
of infeasibility). :class:`SolutionTracker` notes every improving roster of
every phase, for ``solution_trace`` and the progress events.

CP-SAT parameters of every solve here (:func:`use_light_presolve`): probing
off and one presolve pass, which on these models saves seconds at no loss,
and ``catch_sigint_signal = False``, so that CP-SAT installs no SIGINT
handler of its own (see :mod:`wfm.roster.search.stop`). Every solve here
takes an optional :class:`~wfm.roster.search.stop.StopRequest`: it is not
started once a stop was requested and is stopped when one comes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from wfm.roster.model import OBJECTIVE_SCALE, RosterModel
from wfm.roster.options import SolverOptions
from wfm.roster.result import ProgressEvent
from wfm.roster.search.stop import StopRequest
from wfm.status import SolveStatus, relative_gap

__all__ = [
    "COMPLETION_DETERMINISTIC_SHARE",
    "COMPLETION_SHARE",
    "DETERMINISTIC_PER_WORKER_SECOND",
    "SEARCH_MIN_SHARE",
    "SEARCH_SHARE",
    "SEARCH_WALL_SHARE",
    "SolutionTracker",
    "add_hint",
    "complete_hint",
    "feasible_search",
    "full_search",
    "hinted_solution",
    "solve_status",
    "try_start",
    "use_light_presolve",
]

COMPLETION_SHARE = 0.25
"""Share of the time left that completing a starting roster may take."""

COMPLETION_DETERMINISTIC_SHARE = 0.2
"""Share of the deterministic limit that completing the greedy roster may take."""

SEARCH_SHARE = 0.15
"""Share of the remaining time (and of the deterministic limit) whose work goes
to the full CP-SAT search before the neighbourhood search takes over."""

SEARCH_MIN_SHARE = 0.1
"""Least share of the time limit whose work the full search gets, however late
it starts (never more than the time left, though)."""

SEARCH_WALL_SHARE = 0.5
"""Outer wall-clock limit of the full search, as a share of the time left: a
loaded machine stretches the search up to here to do its work."""

DETERMINISTIC_PER_WORKER_SECOND = 0.6
"""CP-SAT deterministic time one search worker does in a wall-clock second on an
idle machine (0.5-0.8 measured on ``a50``-``a200`` of :mod:`wfm.datasets.instances`,
OR-Tools 9.15): converts a share of the time into work."""

_STATUS = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
    cp_model.MODEL_INVALID: SolveStatus.MODEL_INVALID,
    cp_model.UNKNOWN: SolveStatus.TIME_LIMIT_NO_SOLUTION,
}


def solve_status(code: cp_model.CpSolverStatus) -> SolveStatus:
    """The :class:`~wfm.status.SolveStatus` of a CP-SAT status code.

    ``UNKNOWN`` (the limit came first) is ``TIME_LIMIT_NO_SOLUTION``.
    """
    return _STATUS.get(code, SolveStatus.TIME_LIMIT_NO_SOLUTION)


def use_light_presolve(params: Any) -> None:
    """Probing off, one presolve pass (they cost seconds on these models for little
    gain), and no SIGINT handler of CP-SAT's own (the caller handles Ctrl-C)."""
    params.cp_model_probing_level = 0
    params.max_presolve_iterations = 1
    params.catch_sigint_signal = False


def _run(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    stop: StopRequest | None,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> cp_model.CpSolverStatus:
    """``solver.solve(model)``, stopped by ``stop``.

    Once a stop was requested the solve still runs, with no time (so that
    its response, e.g. the bound, can be read), and ends ``UNKNOWN``.
    """
    if stop is None:
        return solver.solve(model, callback)
    if stop.requested:
        solver.parameters.max_time_in_seconds = 0.0
    with stop.watch(solver.stop_search):
        return solver.solve(model, callback)


class SolutionTracker(cp_model.CpSolverSolutionCallback):
    """Notes the improving rosters of a solve and reports them as progress events.

    Parameters
    ----------
    started
        :func:`time.perf_counter` at the start of the solve; times are
        measured from it.
    progress
        Called with a :class:`~wfm.roster.result.ProgressEvent` on each
        improving roster.
    on_phase
        Called with a ``kind="phase"`` event at the start of each phase
        (:meth:`phase`).

    Attributes
    ----------
    trace
        ``(elapsed seconds, objective)`` of each improving roster.
    first
        Elapsed seconds at the first roster (``None`` before it).
    understaffing
        ``(amount, agent-hours per unit)`` of the model's understaffing terms;
        when set, the events of rosters whose values are known carry their
        understaffing.
    understaffing_bound
        ``(kind, agent-hours)``: a valid lower bound on the under-staffing of
        any roster that a phase proved (the class-flow start's, kind
        ``"class_flow"``), ``None`` without one.
    """

    def __init__(
        self,
        started: float,
        progress: Callable[[ProgressEvent], None] | None,
        on_phase: Callable[[ProgressEvent], None] | None = None,
    ) -> None:
        super().__init__()
        self.started = started
        self.progress = progress
        self.on_phase = on_phase
        self.trace: list[tuple[float, float]] = []
        self.first: float | None = None
        self.understaffing: list[tuple[Any, float]] = []
        self.understaffing_bound: tuple[str, float] | None = None
        self._phase = ""
        self._bound: float | None = None
        self._under: float | None = None

    def on_solution_callback(self) -> None:
        """Note the solution CP-SAT just found."""
        self.record(
            self.ObjectiveValue() / OBJECTIVE_SCALE,
            self.BestObjectiveBound() / OBJECTIVE_SCALE,
            value=self.Value,
        )

    def phase(self, name: str) -> None:
        """Report the start of the phase ``name`` (one of :data:`wfm.roster.result.PHASES`)."""
        self._phase = name
        if self.on_phase is not None:
            best = self.trace[-1][1] if self.trace else None
            self.on_phase(
                ProgressEvent(
                    elapsed_seconds=time.perf_counter() - self.started,
                    objective=best,
                    best_bound=self._bound,
                    relative_gap=None if best is None else _gap(best, self._bound),
                    phase=name,
                    kind="phase",
                    understaffing_agent_hours=self._under,
                )
            )

    def record(
        self, objective: float, bound: float | None, *, value: Callable[[Any], int] | None = None
    ) -> None:
        """Note an improving solution found now (``bound`` unknown: ``None``); ``value``
        reads the solution's variables, for its understaffing."""
        elapsed = time.perf_counter() - self.started
        if self.trace and objective >= self.trace[-1][1]:
            return
        if self.first is None:
            self.first = elapsed
        self.trace.append((elapsed, objective))
        if bound is not None:
            self._bound = bound if self._bound is None else max(self._bound, bound)
        self._under = None
        if value is not None and self.understaffing:
            self._under = float(sum(value(a) * scale for a, scale in self.understaffing))
        if self.progress is not None:
            self.progress(
                ProgressEvent(
                    elapsed_seconds=elapsed,
                    objective=objective,
                    best_bound=self._bound,
                    relative_gap=_gap(objective, self._bound),
                    phase=self._phase,
                    understaffing_agent_hours=self._under,
                )
            )


def _gap(objective: float, bound: float | None) -> float | None:
    return None if bound is None else relative_gap(objective, bound)


def add_hint(rm: RosterModel, plan: dict[int, list[int]]) -> None:
    """Hint the shifts of ``plan`` (agent index -> option indices) to the model.

    Agents not in ``plan`` get no hint; with every agent planned, the option
    counts are hinted too.
    """
    indices: list[int] = []
    values: list[int] = []
    counts: dict[int, int] = {}
    for a, xa in enumerate(rm.x):
        if a not in plan:
            continue
        chosen = set(plan[a])
        indices.extend(var.index for var in xa.values())
        values.extend(int(o in chosen) for o in xa)
        days = {rm.options[o].day for o in chosen}
        for d, w in enumerate(rm.works[a]):
            if not isinstance(w, int):
                indices.append(w.index)
                values.append(int(d in days))
        for o in chosen:
            counts[o] = counts.get(o, 0) + 1
    if len(plan) == len(rm.x):
        for o, n in rm.option_count.items():
            indices.append(n.index)
            values.append(counts.get(o, 0))
    # one copy into the hint (``CpModel.add_hint`` per variable is the slow part)
    hint = rm.model.proto.solution_hint
    hint.vars.extend(indices)
    hint.values.extend(values)


def complete_hint(
    rm: RosterModel,
    *,
    time_limit: float,
    seed: int,
    deterministic_time: float | None,
    stop: StopRequest | None = None,
) -> float | None:
    """Turn the partial hint into a complete one by solving with the hinted shifts fixed.

    Fixing the shift variables leaves break placement and the bookkeeping
    variables; the best completion found within the limits replaces the
    hint, so that CP-SAT starts from a complete, feasible solution. Returns
    the completion's objective (cost units), or ``None`` if none was found
    (the partial hint then stays).
    """
    if rm.allocation:
        # several queues: breaks and the allocation join the hint, or the search is slow
        from wfm.roster.queues_model import hint_allocation

        hint_allocation(rm)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.fix_variables_to_their_hinted_value = True
    params.num_workers = 1
    params.random_seed = seed
    params.max_time_in_seconds = max(time_limit, 0.05)
    if deterministic_time is not None:
        params.max_deterministic_time = deterministic_time
    use_light_presolve(params)
    status = _run(solver, rm.model, stop)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    _hint_values(rm, list(solver.response_proto.solution))
    return float(solver.objective_value) / OBJECTIVE_SCALE


def try_start(
    rm: RosterModel,
    set_hint: Callable[[], None],
    *,
    completed: float | None,
    tracker: SolutionTracker,
    time_limit: float,
    seed: int,
    deterministic_time: float | None,
    stop: StopRequest | None = None,
) -> float | None:
    """Try a starting roster against the hint in place, keeping the better one.

    The hint in place is saved, ``set_hint`` puts the new (partial) roster in
    its stead, and :func:`complete_hint` completes it within the limits. The
    completion stays when its objective beats ``completed`` (the objective of
    the saved hint) or there is none, and is recorded in ``tracker``;
    otherwise the saved hint is restored.

    Returns
    -------
    float or None
        The objective of the hint now in place.
    """
    proto = rm.model.proto
    saved = (list(proto.solution_hint.vars), list(proto.solution_hint.values))
    rm.model.clear_hints()
    set_hint()
    found = complete_hint(
        rm, time_limit=time_limit, seed=seed, deterministic_time=deterministic_time, stop=stop
    )
    if found is not None and (completed is None or found < completed):
        tracker.record(found, None)
        return found
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(saved[0])
    proto.solution_hint.values.extend(saved[1])
    return completed


def _hint_values(rm: RosterModel, values: list[int]) -> None:
    """Make ``values`` (one per variable of ``rm.model``) the model's complete hint."""
    proto = rm.model.proto
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(range(len(values)))
    proto.solution_hint.values.extend(values)


def hinted_solution(rm: RosterModel, seed: int) -> cp_model.CpSolver | None:
    """A solver holding the (complete) hint as its solution, for reading it back."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.fix_variables_to_their_hinted_value = True
    params.cp_model_presolve = False
    params.num_workers = 1
    params.random_seed = seed
    params.max_time_in_seconds = 30.0
    params.catch_sigint_signal = False
    status = solver.solve(rm.model)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def full_search(
    rm: RosterModel,
    solver_options: SolverOptions,
    *,
    started: float,
    tracker: SolutionTracker,
    stop: StopRequest | None = None,
) -> tuple[SolveStatus, cp_model.CpSolver]:
    """CP-SAT on the full model, from the hint, for a share of the work left.

    The search is sized by work, with the wall clock as the outer limit:

    - with wall-clock limits alone, its deterministic limit is the work
      :data:`SEARCH_SHARE` of the time left (at least
      :data:`SEARCH_MIN_SHARE` of the time limit, at most all that is left)
      takes on an idle machine (:data:`DETERMINISTIC_PER_WORKER_SECOND` per
      worker), and its wall-clock limit :data:`SEARCH_WALL_SHARE` of the time
      left (or that share, if longer): on a loaded machine it does the same
      work, taking longer;
    - in deterministic mode it gets :data:`SEARCH_SHARE` of the
      deterministic limit and all the time left as the outer limit; with
      several workers ``interleave_search`` makes the parallel search
      reproducible.

    It ends sooner when proven optimal, and what it leaves goes to the next
    phase. Every improving roster goes to ``tracker``.

    Returns
    -------
    tuple
        The status and the solver holding the best solution (if any) and
        the proven bound.
    """
    limit = solver_options.time_limit_seconds
    solver = cp_model.CpSolver()
    params = solver.parameters
    remaining = max(limit - (time.perf_counter() - started), 0.05)
    share = min(max(SEARCH_SHARE * remaining, SEARCH_MIN_SHARE * limit), remaining)
    params.num_workers = solver_options.workers
    params.random_seed = solver_options.seed
    params.log_search_progress = solver_options.log_progress
    use_light_presolve(params)
    if solver_options.max_deterministic_time is not None:
        params.max_time_in_seconds = remaining
        params.max_deterministic_time = SEARCH_SHARE * float(solver_options.max_deterministic_time)
        if solver_options.workers > 1:
            params.interleave_search = True
    else:
        params.max_time_in_seconds = max(share, SEARCH_WALL_SHARE * remaining)
        params.max_deterministic_time = (
            share * DETERMINISTIC_PER_WORKER_SECOND * solver_options.workers
        )
    return solve_status(_run(solver, rm.model, stop, tracker)), solver


def feasible_search(
    rm: RosterModel,
    solver_options: SolverOptions,
    *,
    deadline: float,
    deterministic_time: float | None,
    tracker: SolutionTracker,
    stop: StopRequest | None = None,
) -> tuple[SolveStatus, cp_model.CpSolver | None, float]:
    """CP-SAT on the model without its objective, to the first roster or the deadline.

    The fallback when no phase before found a roster: the objective-free
    search is often much faster to a first roster (or to a proof that there
    is none). It runs on a copy of ``rm.model`` with ``solver_options``'
    workers and seed until ``deadline`` (:func:`time.perf_counter`) or, when
    given, ``deterministic_time``; the roster found becomes the model's
    complete hint and is read back with its objective.

    Returns
    -------
    tuple
        The status (``FEASIBLE``, ``INFEASIBLE`` or
        ``TIME_LIMIT_NO_SOLUTION``), a solver holding the roster (``None``
        without one) and the deterministic time spent.
    """
    model = rm.model.clone()
    model.clear_objective()
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(deadline - time.perf_counter(), 0.05)
    params.num_workers = solver_options.workers
    params.random_seed = solver_options.seed
    params.log_search_progress = solver_options.log_progress
    params.stop_after_first_solution = True
    use_light_presolve(params)
    if deterministic_time is not None:
        params.max_deterministic_time = max(deterministic_time, 1e-3)
        if solver_options.workers > 1:
            params.interleave_search = True
    status = solve_status(_run(solver, model, stop))
    spent = float(solver.deterministic_time)
    if not status.has_solution:
        return status, None, spent
    _hint_values(rm, list(solver.response_proto.solution))
    reader = hinted_solution(rm, solver_options.seed)
    if reader is None:  # pragma: no cover - a feasible assignment stays feasible
        return SolveStatus.TIME_LIMIT_NO_SOLUTION, None, spent
    tracker.record(reader.objective_value / OBJECTIVE_SCALE, None)
    return SolveStatus.FEASIBLE, reader, spent
