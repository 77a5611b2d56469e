"""Phase 5 of the roster search: a large-neighbourhood search on a few agents at a time.

From the best roster so far, each step fixes every other agent's days and
shifts, frees a few agents together with every break placement and the
bookkeeping, and lets CP-SAT (one worker, started from the current roster)
improve that neighbourhood for a short time. Improvements are kept. Two
kinds of neighbourhood alternate (seeded):

- *where the gaps are*: an interval is drawn with probability proportional
  to its under-staffing in the current roster, and :data:`GAP_AGENTS` agents
  who could work a shift covering it are freed (when no interval is short,
  a random neighbourhood is drawn instead);
- *random*: :data:`FREE_AGENTS` agents drawn at random.

The search takes the time the full search leaves (see
:mod:`wfm.roster.search.cpsat`) and ends only

- at the deadline: the last step gets whatever is left, however short
  (there is no stop after a run of steps without improvement, and no step is
  skipped for being shorter than the others);
- in deterministic mode, when the steps' deterministic time adds up to the
  budget (so that runs are reproducible);
- when the roster is proven optimal: its objective reaches the proven bound,
  or a neighbourhood that frees every agent (the whole model, on small
  centres) is solved to optimality;
- on a stop request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.model import OBJECTIVE_SCALE, RosterModel
from wfm.roster.search.cpsat import SolutionTracker, use_light_presolve
from wfm.roster.search.stop import StopRequest

__all__ = [
    "FREE_AGENTS",
    "GAP_AGENTS",
    "GAP_SHARE",
    "STEP_AGENTS_PER_SECOND",
    "STEP_BASE_SECONDS",
    "STEP_DETERMINISTIC_SHARE",
    "STEP_MIN_SECONDS",
    "STEP_WORKERS",
    "Improvement",
    "improve",
]

FREE_AGENTS = 2
"""Agents re-optimised together in one random neighbourhood."""

GAP_AGENTS = 6
"""Agents freed together in a neighbourhood chosen where the gaps are."""

GAP_SHARE = 0.5
"""Share of the steps whose neighbourhood is chosen where the gaps are."""

STEP_WORKERS = 1
"""CP-SAT workers of one neighbourhood step."""

STEP_BASE_SECONDS = 1.5
STEP_AGENTS_PER_SECOND = 100.0
"""Wall-clock limit of one neighbourhood step: base + agents / this."""

STEP_MIN_SECONDS = 0.05
"""Shortest wall-clock limit worth a step: with less left (after the time the
last step took to build its model) the search returns."""

STEP_DETERMINISTIC_SHARE = 0.1
"""Deterministic limit of one step, as a share of its wall-clock limit
(deterministic mode only)."""


@dataclass(frozen=True, kw_only=True)
class Improvement:
    """The outcome of :func:`improve`.

    Attributes
    ----------
    solver
        A solver holding the best roster found (the one given if no step
        improved it).
    proven_optimal
        Whether that roster is proven optimal: its objective reached the
        bound given, or a step freeing every agent ended ``OPTIMAL``.
    """

    solver: cp_model.CpSolver
    proven_optimal: bool


def improve(
    rm: RosterModel,
    reader: cp_model.CpSolver,
    *,
    deadline: float,
    deterministic_budget: float | None,
    seed: int,
    tracker: SolutionTracker,
    bound: float,
    stop: StopRequest | None = None,
) -> Improvement:
    """Large-neighbourhood search: re-optimise a few agents at a time.

    Starting from the solution held by ``reader``, each step frees
    :data:`FREE_AGENTS` or :data:`GAP_AGENTS` agents (see the module
    docstring). Steps go on until the wall-clock ``deadline`` (the last one
    gets what is left) or, when ``deterministic_budget`` is given, until the
    steps' deterministic time adds up to it (so runs are reproducible); they
    end sooner only once the roster is proven optimal or ``stop`` is
    requested (it also ends the step under way). Each improvement is noted
    by ``tracker`` with ``bound`` (cost units).

    Returns
    -------
    Improvement
        The best roster's solver and whether it is proven optimal.
    """
    n_agents = len(rm.x)
    if n_agents == 0:
        return Improvement(solver=reader, proven_optimal=False)
    rng = np.random.default_rng(seed)
    values = list(reader.response_proto.solution)
    objective = reader.objective_value
    best = reader
    step_seconds = STEP_BASE_SECONDS + n_agents / STEP_AGENTS_PER_SECOND
    spent = 0.0
    floor = bound * OBJECTIVE_SCALE
    gaps = _Gaps(rm)
    building = 0.0  # wall-clock seconds the last step took to build its model
    while True:
        if objective <= floor + 0.5:
            return Improvement(solver=best, proven_optimal=True)  # nothing left to improve
        if deterministic_budget is not None and spent >= deterministic_budget:
            break
        if stop is not None and stop.requested:
            break
        if deadline - time.perf_counter() < building + STEP_MIN_SECONDS:
            break
        began = time.perf_counter()
        free = gaps.neighbourhood(values, rng) if rng.random() < GAP_SHARE else set()
        if not free:
            free = set(
                rng.choice(n_agents, size=min(FREE_AGENTS, n_agents), replace=False).tolist()
            )
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
        building = time.perf_counter() - began
        left = deadline - time.perf_counter()
        if left < STEP_MIN_SECONDS:
            break
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = STEP_WORKERS
        params.random_seed = seed
        params.max_time_in_seconds = min(step_seconds, left)
        if deterministic_budget is not None:
            params.max_deterministic_time = max(STEP_DETERMINISTIC_SHARE * step_seconds, 1e-3)
        use_light_presolve(params)
        if stop is None:
            status = solver.solve(model)
        else:
            with stop.watch(solver.stop_search):
                status = solver.solve(model)
        spent += solver.deterministic_time
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < objective:
            objective = solver.objective_value
            values = list(solver.response_proto.solution)
            best = solver
            tracker.record(objective / OBJECTIVE_SCALE, bound, value=solver.value)
        if status == cp_model.OPTIMAL and len(free) == n_agents:
            # every agent was free: the neighbourhood was the whole model
            return Improvement(solver=best, proven_optimal=True)
    return Improvement(solver=best, proven_optimal=False)


class _Gaps:
    """Under-staffing per interval of a solution, and the agents who could fill it."""

    def __init__(self, rm: RosterModel) -> None:
        self.rm = rm
        problem = rm.problem
        self.n_int = problem.n_intervals
        self.required = np.asarray(problem.required_scheduled, dtype=float)
        self.options = sorted(rm.option_count)
        self.count_index = [rm.option_count[o].index for o in self.options]
        self.starts = np.array([rm.options[o].start for o in self.options], dtype=np.int64)
        self.ends = np.minimum(
            np.array([rm.options[o].end for o in self.options], dtype=np.int64), self.n_int
        )
        self.breaks: list[tuple[int, int, int]] = [
            (var.index, p, min(p + group.duration, self.n_int))
            for group in rm.break_groups
            for p, var in group.counts.items()
            if p < self.n_int
        ]

    def shortage(self, values: list[int]) -> np.ndarray:
        """Agents short in each interval (>= 0)."""
        delta = np.zeros(self.n_int + 1)
        counts = np.array([values[i] for i in self.count_index], dtype=float)
        np.add.at(delta, self.starts, counts)
        np.add.at(delta, self.ends, -counts)
        for index, start, end in self.breaks:
            taken = values[index]
            if taken:
                delta[start] -= taken
                delta[end] += taken
        coverage = np.cumsum(delta)[: self.n_int]
        short: np.ndarray = np.clip(self.required - coverage, 0.0, None)
        return short

    def neighbourhood(self, values: list[int], rng: np.random.Generator) -> set[int]:
        """Up to :data:`GAP_AGENTS` agents able to cover an interval drawn by its shortage."""
        short = self.shortage(values)
        total = float(short.sum())
        if total <= 1e-9:
            return set()
        t = int(rng.choice(self.n_int, p=short / total))
        day = self.rm.problem.grid.day_of(t)
        days = [d for d in (day - 1, day) if d >= 0]
        rm = self.rm
        free: set[int] = set()
        for a in rng.permutation(len(rm.x)).tolist():
            if any(
                rm.options[o].start <= t < rm.options[o].end
                for d in days
                for o in rm.options_of_day(a, d)
            ):
                free.add(a)
                if len(free) >= GAP_AGENTS:
                    break
        return free
