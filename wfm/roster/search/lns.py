"""Phase 5 of the roster search: a large-neighbourhood search on a few agents at a time.

From the best roster so far, each step frees a few agents and lets CP-SAT
(one worker, started from the current roster) improve them for a short
time, together with every break placed by count (templates whose breaks
are aggregated, see :mod:`wfm.roster.model`) and the shared bookkeeping.
The step's model is a sub-model (:func:`wfm.roster.model.build_model` with
``agents``): the freed agents' variables and rules, and the other agents'
shifts, own breaks and fairness counts as constants
(:func:`wfm.roster.model.fixed_agents`), so its size, and the cost of a
step, does not grow with the agents of the roster. Its objective is the
full objective less the constant penalties of the fixed agents, so a lower
sub-model objective is the same drop of the full one. Improvements are
kept; at the end the best roster is read back through the full model
(every variable fixed), which also re-checks it. A model with constraints
added after it was built on other than shared variables falls back to
steps on the whole model with the fixed agents' shifts fixed. Two kinds of
neighbourhood alternate (seeded):

- *where the gaps are*: an interval is drawn with probability proportional
  to its under-staffing in the current roster, and :data:`GAP_AGENTS` agents
  who could work a shift covering it are freed (when no interval is short,
  a random neighbourhood is drawn instead);
- *random*: :data:`FREE_AGENTS` agents drawn at random.

With several queues (``RosterProblem.queues``) every step is on the whole
model: a sub-model's constants are the centre's coverage, not each skill
group's.

The search takes the time the full search leaves (see
:mod:`wfm.roster.search.cpsat`) and ends only

- at the deadline (less the read-back's time): the last step gets whatever
  is left, however short (there is no stop after a run of steps without
  improvement, and no step is skipped for being shorter than the others);
- in deterministic mode, when the steps' deterministic time adds up to the
  budget (so that runs are reproducible);
- when the roster is proven optimal: its objective reaches the proven bound,
  or a neighbourhood that frees every agent (the whole model, on small
  centres) is solved to optimality;
- on a stop request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.model import OBJECTIVE_SCALE, RosterModel, build_model, fixed_agents
from wfm.roster.search.cpsat import SolutionTracker, hinted_solution, use_light_presolve
from wfm.roster.search.stop import StopRequest

__all__ = [
    "FREE_AGENTS",
    "GAP_AGENTS",
    "GAP_SHARE",
    "READBACK_SECONDS_PER_VARIABLE",
    "STEP_AGENTS_PER_SECOND",
    "STEP_BASE_SECONDS",
    "STEP_DETERMINISTIC_SHARE",
    "STEP_MIN_SECONDS",
    "STEP_WORKERS",
    "Improvement",
    "Limits",
    "Step",
    "improve",
    "step",
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
"""Wall-clock limit of one neighbourhood step: base + freed agents / this (its
sub-model does not grow with the roster's agents)."""

READBACK_SECONDS_PER_VARIABLE = 5e-6
"""Time kept at the end for reading the best roster back through the full
model, per variable of that model."""

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
    values = np.asarray(reader.response_proto.solution, dtype=np.int64)
    objective = reader.objective_value
    improved = False
    proven = False
    spent = 0.0
    floor = bound * OBJECTIVE_SCALE
    gaps = _Gaps(rm)
    bounded = rm.problem.queues is None and _extra_constraints(rm) is not None
    readback = READBACK_SECONDS_PER_VARIABLE * len(values) if bounded else 0.0
    building = 0.0  # wall-clock seconds the last step took to build its model
    while True:
        if objective <= floor + 0.5:
            proven = True  # nothing left to improve
            break
        if deterministic_budget is not None and spent >= deterministic_budget:
            break
        if stop is not None and stop.requested:
            break
        if deadline - time.perf_counter() - readback < building + STEP_MIN_SECONDS:
            break
        free = gaps.neighbourhood(values, rng) if rng.random() < GAP_SHARE else set()
        if not free:
            free = set(
                rng.choice(n_agents, size=min(FREE_AGENTS, n_agents), replace=False).tolist()
            )
        step_seconds = STEP_BASE_SECONDS + (len(free) if bounded else n_agents) / (
            STEP_AGENTS_PER_SECOND
        )
        left = deadline - time.perf_counter() - readback
        limits = Limits(
            seconds=max(min(step_seconds, left), STEP_MIN_SECONDS),
            deterministic_seconds=None
            if deterministic_budget is None
            else max(STEP_DETERMINISTIC_SHARE * step_seconds, 1e-3),
            seed=seed,
        )
        run = step if bounded else _full_step
        began = time.perf_counter()
        found = run(rm, values, free, limits=limits, stop=stop)
        building = max(0.0, time.perf_counter() - began - found.wall_time_seconds)
        spent += found.deterministic_time
        if found.values is not None and found.drop > 0:
            objective -= found.drop
            values = found.values
            improved = True
            tracker.record(objective / OBJECTIVE_SCALE, bound, value=_reader(values))
        if found.optimal and len(free) == n_agents:
            proven = True  # every agent was free: the neighbourhood was the whole model
            break
    if not improved:
        return Improvement(solver=reader, proven_optimal=proven)
    _hint_all(rm, values)
    back = hinted_solution(rm, seed)
    return Improvement(solver=reader if back is None else back, proven_optimal=proven)


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Limits and seed of one neighbourhood step's CP-SAT solve.

    Attributes
    ----------
    seconds
        Wall-clock limit.
    deterministic_seconds
        Deterministic limit (``None``: none).
    seed
        CP-SAT's random seed.
    """

    seconds: float
    deterministic_seconds: float | None
    seed: int


@dataclass(frozen=True, kw_only=True)
class Step:
    """The outcome of one neighbourhood step.

    Attributes
    ----------
    values
        The new solution of the full model (one value per variable), or
        ``None`` when the step found nothing better than the roster it
        started from.
    drop
        How much lower its objective is (objective units, ``> 0`` with
        ``values``).
    deterministic_time
        CP-SAT's deterministic time of the step.
    optimal
        Whether the step's model was solved to optimality (the freed agents
        cannot do better, the others fixed).
    wall_time_seconds
        CP-SAT's wall-clock time of the step (without building its model).
    """

    values: np.ndarray | None
    drop: float
    deterministic_time: float
    optimal: bool = False
    wall_time_seconds: float = 0.0


def _reader(values: np.ndarray) -> Callable[[Any], int]:
    """Reads a variable of the full model from ``values``."""
    return lambda var: int(values[var.index])


def _hint_all(rm: RosterModel, values: np.ndarray) -> None:
    _hint_values(rm.model, values)


def _hint_values(model: cp_model.CpModel, values: np.ndarray) -> float:
    """Make ``values`` the complete hint of ``model``; returns their objective."""
    proto = model.proto
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(range(len(values)))
    proto.solution_hint.values.extend(values.tolist())
    objective = proto.objective
    coeffs = np.asarray(objective.coeffs, dtype=np.int64)
    return float(objective.offset + np.dot(coeffs, values[list(objective.vars)]))


def _solve(
    model: cp_model.CpModel, limits: Limits, stop: StopRequest | None
) -> tuple[cp_model.CpSolver, bool, bool]:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = STEP_WORKERS
    params.random_seed = limits.seed
    params.max_time_in_seconds = limits.seconds
    if limits.deterministic_seconds is not None:
        params.max_deterministic_time = limits.deterministic_seconds
    use_light_presolve(params)
    if stop is None:
        status = solver.solve(model)
    else:
        with stop.watch(solver.stop_search):
            status = solver.solve(model)
    return solver, status in (cp_model.OPTIMAL, cp_model.FEASIBLE), status == cp_model.OPTIMAL


def _extra_constraints(rm: RosterModel) -> list[int] | None:
    """Constraints added to ``rm.model`` after it was built, if a sub-model can copy them.

    ``None`` when one of them is not linear or reads a variable of an agent.
    """
    proto = rm.model.proto
    shared = set(rm.shared.tolist())
    extra = list(range(rm.built_constraints, len(proto.constraints)))
    for c in extra:
        constraint = proto.constraints[c]
        if not constraint.has_linear() or len(constraint.enforcement_literal):
            return None
        if any(v not in shared for v in constraint.linear.vars):
            return None
    return extra


def step(
    rm: RosterModel,
    values: np.ndarray,
    free: set[int],
    *,
    limits: Limits,
    stop: StopRequest | None = None,
) -> Step:
    """Re-optimise the agents ``free`` of the roster ``values`` on their sub-model.

    The sub-model holds the freed agents' variables and the shared ones
    (option and break counts, coverage, fairness), the other agents being
    constants; it is solved from the roster, and its solution is written
    back into a copy of ``values``.

    Returns
    -------
    Step
    """
    problem = rm.problem
    sub = build_model(
        problem,
        options=rm.options,
        allowed=rm.agent_options,
        agents=sorted(free),
        fixed=fixed_agents(rm, values, free),
    )
    n_sub = len(sub.model.proto.variables)
    mapping = np.full(n_sub, -1, dtype=np.int64)
    if len(sub.shared) != len(rm.shared):
        raise RuntimeError("the sub-model's shared variables do not match the full model's")
    mapping[sub.shared] = rm.shared
    for a in free:
        if len(sub.owned[a]) != len(rm.owned[a]):
            raise RuntimeError(f"the sub-model's variables of agent {a} do not match")
        mapping[sub.owned[a]] = rm.owned[a]
    proto = sub.model.proto
    position = {int(v): i for i, v in enumerate(rm.shared.tolist())}
    for c in _extra_constraints(rm) or []:
        copy = proto.constraints.add()
        copy.copy_from(rm.model.proto.constraints[c])
        mapped = [int(sub.shared[position[v]]) for v in copy.linear.vars]
        copy.linear.vars.clear()
        copy.linear.vars.extend(mapped)
    before = _hint_values(sub.model, values[mapping])
    solver, ok, optimal = _solve(sub.model, limits, stop)
    if not ok or solver.objective_value >= before:
        return _no_step(solver, optimal)
    out = values.copy()
    out[mapping] = np.asarray(solver.response_proto.solution, dtype=np.int64)
    return Step(
        values=out,
        drop=before - solver.objective_value,
        deterministic_time=solver.deterministic_time,
        optimal=optimal,
        wall_time_seconds=solver.wall_time,
    )


def _full_step(
    rm: RosterModel,
    values: np.ndarray,
    free: set[int],
    *,
    limits: Limits,
    stop: StopRequest | None = None,
) -> Step:
    """One step on the whole model, the agents outside ``free`` keeping their shifts."""
    model = rm.model.clone()
    for a in range(len(rm.x)):
        if a in free:
            continue
        for var in rm.x[a].values():
            if values[var.index]:
                model.add(var == 1)
        for w in rm.works[a]:
            if not isinstance(w, int):
                model.add(w == int(values[w.index]))
    before = _hint_values(model, values)
    solver, ok, optimal = _solve(model, limits, stop)
    if not ok or solver.objective_value >= before:
        return _no_step(solver, optimal)
    return Step(
        values=np.asarray(solver.response_proto.solution, dtype=np.int64),
        drop=before - solver.objective_value,
        deterministic_time=solver.deterministic_time,
        optimal=optimal,
        wall_time_seconds=solver.wall_time,
    )


def _no_step(solver: cp_model.CpSolver, optimal: bool) -> Step:
    """A step that found nothing better than the roster it started from."""
    return Step(
        values=None,
        drop=0.0,
        deterministic_time=solver.deterministic_time,
        optimal=optimal,
        wall_time_seconds=solver.wall_time,
    )


class _Gaps:
    """Under-staffing per interval of a solution, and the agents who could fill it."""

    def __init__(self, rm: RosterModel) -> None:
        self.rm = rm
        problem = rm.problem
        self.n_int = problem.n_intervals
        self.required = np.asarray(problem.required_scheduled, dtype=float)
        self.options = sorted(rm.option_count)
        self.count_index = np.array(
            [rm.option_count[o].index for o in self.options], dtype=np.int64
        )
        self.starts = np.array([rm.options[o].start for o in self.options], dtype=np.int64)
        self.ends = np.minimum(
            np.array([rm.options[o].end for o in self.options], dtype=np.int64), self.n_int
        )
        breaks = [
            (var.index, p, min(p + group.duration, self.n_int))
            for group in rm.break_groups
            for p, var in group.counts.items()
            if p < self.n_int
        ]
        self.break_index = np.array([b[0] for b in breaks], dtype=np.int64)
        self.break_start = np.array([b[1] for b in breaks], dtype=np.int64)
        self.break_end = np.array([b[2] for b in breaks], dtype=np.int64)

    def shortage(self, values: np.ndarray) -> np.ndarray:
        """Agents short in each interval (>= 0)."""
        delta = np.zeros(self.n_int + 1)
        counts = values[self.count_index].astype(float)
        np.add.at(delta, self.starts, counts)
        np.add.at(delta, self.ends, -counts)
        taken = values[self.break_index].astype(float)
        np.add.at(delta, self.break_start, -taken)
        np.add.at(delta, self.break_end, taken)
        coverage = np.cumsum(delta)[: self.n_int]
        short: np.ndarray = np.clip(self.required - coverage, 0.0, None)
        return short

    def neighbourhood(self, values: np.ndarray, rng: np.random.Generator) -> set[int]:
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
