"""Phase 4 of the roster search: a large-neighbourhood search on two agents at a time.

From the best roster so far, each step fixes every other agent's days and
shifts, frees two agents chosen at random (seeded) together with every
break placement and the bookkeeping, and lets CP-SAT (one worker, started
from the current roster) improve that neighbourhood for a short time.
Improvements are kept. It takes the time the full search leaves (see
:mod:`wfm.roster.search.cpsat`).
"""

from __future__ import annotations

import time

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.model import OBJECTIVE_SCALE, RosterModel
from wfm.roster.search.cpsat import SolutionTracker, use_light_presolve
from wfm.roster.search.stop import StopRequest

__all__ = [
    "FREE_AGENTS",
    "STEP_AGENTS_PER_SECOND",
    "STEP_BASE_SECONDS",
    "STEP_DETERMINISTIC_SHARE",
    "STEP_WORKERS",
    "improve",
]

FREE_AGENTS = 2
"""Agents re-optimised together in one neighbourhood."""

STEP_WORKERS = 1
"""CP-SAT workers of one neighbourhood step."""

STEP_BASE_SECONDS = 1.5
STEP_AGENTS_PER_SECOND = 100.0
"""Wall-clock limit of one neighbourhood step: base + agents / this."""

STEP_DETERMINISTIC_SHARE = 0.1
"""Deterministic limit of one step, as a share of its wall-clock limit
(deterministic mode only)."""


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
) -> cp_model.CpSolver:
    """Large-neighbourhood search: re-optimise two agents at a time.

    Starting from the solution held by ``reader``, each step frees
    :data:`FREE_AGENTS` agents (see the module docstring). Steps stop at the
    wall-clock ``deadline`` or, when ``deterministic_budget`` is given, once
    the steps' deterministic time adds up to it (so runs are reproducible).
    Each improvement is noted by ``tracker`` with ``bound`` (cost units).
    A request of ``stop`` ends the step under way and the search.

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
    step_seconds = STEP_BASE_SECONDS + n_agents / STEP_AGENTS_PER_SECOND
    spent = 0.0
    while True:
        left = deadline - time.perf_counter()
        if left < 0.5 * step_seconds:
            break
        if deterministic_budget is not None and spent >= deterministic_budget:
            break
        if stop is not None and stop.requested:
            break
        free = set(rng.choice(n_agents, size=min(FREE_AGENTS, n_agents), replace=False).tolist())
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
    return best
