"""Per-agent lower bound on under-staffing by column generation.

The identity-free bound of :mod:`wfm.roster.bounds.lp` counts shifts without
asking which agent works them, so each agent's week is only limited through
sums over the pool. This module keeps the agents: a *column* is one agent's
whole week (at most one shift per day, with its breaks) obeying that agent's
hard rules, and the master LP mixes columns.

Agent classes
-------------
Agents with the same feasible weeks (:mod:`wfm.roster.bounds.classes`) form
one class of size ``n_c``.

Master LP (restricted to the columns found so far)
--------------------------------------------------
``min  h * sum_t s_t`` subject to

* ``s_t + sum_j cov_j[t] * lambda_j >= r_t`` for every interval with a
  requirement ``r_t > 0`` (``h`` is the interval length in hours);
* ``sum_{j in class c} lambda_j = n_c`` for every class;
* ``lambda >= 0``, ``s >= 0``,

where ``cov_j[t]`` is 1 where a shift of column ``j`` covers ``t`` and none
of its breaks does (the coverage rows of :mod:`wfm.roster.coverage`; tails
beyond the horizon cover nothing).

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
stops before optimality. The bound therefore stays valid however early the
time limit stops it (it is 0, the trivial bound, when not every class was
priced once). At convergence it equals the master LP optimum, the
LP relaxation of the per-agent (Dantzig-Wolfe) formulation, which is never
below the identity-free LP bound of :func:`wfm.roster.bounds.lp.lower_bound`.

Warm start
----------
The first multipliers are ``pi = h`` on every interval with a requirement,
or, when given, the duals of the identity-free LP's coverage rows
(``LowerBound.interval_duals``). Every aggregate constraint of that LP is
implied by the rules of each agent's week, so its Lagrangian function (the
coverage rows relaxed at the same ``pi``) minimises over a larger set than
the per-agent one, and at the LP's optimal duals it equals the LP bound: the
first per-agent bound is already at least the LP bound (up to the pricing
accuracy), and the column generation goes on from there.

Cost
----
The pricing work grows with the number of classes, not of agents: one
one-agent CP-SAT model per class, solved once per iteration; the master LP
has one row per interval with a requirement and one per class.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from wfm.errors import SolverError, ValidationError
from wfm.roster.bounds.classes import agent_classes
from wfm.roster.bounds.lp import LowerBound, bound_record
from wfm.roster.coverage import CoverageRows, coverage_rows
from wfm.roster.model import RosterModel, build_model
from wfm.roster.options import check_positive_number, check_whole_number
from wfm.roster.problem import RosterProblem
from wfm.roster.shifts import (
    AgentOption,
    ShiftOption,
    agent_options,
    check_agent_options,
    shift_options,
)
from wfm.status import SolveStatus

__all__ = ["METHOD", "WEEK_RULE_FAMILIES", "ColumnGenerationBound", "column_generation_bound"]

METHOD = "column-generation-lagrangian"

WEEK_RULE_FAMILIES = (
    "hours",
    "period_hours",
    "days",
    "consecutive_days",
    "days_off_block",
    "weekend_days",
    "rest",
    "option_rules",
)
"""Rule families of :mod:`wfm.roster.model` that shape one agent's week."""

SMOOTHING = 0.5
"""Weight of the best multipliers so far in the pricing point (Wentges smoothing):
the pricing problems are solved at ``SMOOTHING * best + (1 - SMOOTHING) *
master duals``, which steadies the duals of the first iterations."""

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
        A :class:`~wfm.status.SolveStatus`: ``OPTIMAL`` when the column
        generation converged; ``FEASIBLE`` when time or iterations ran out
        first (a valid bound, not the converged LP bound);
        ``INFEASIBLE`` when some agent has no week obeying the hard rules
        (the bound is then the trivial 0); ``MODEL_INVALID`` when the master
        LP stopped for another reason (the best bound so far stays valid).
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
    status: SolveStatus
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
        """The bound as a :class:`~wfm.roster.bounds.lp.LowerBound` (trivial paid hours)."""
        return LowerBound.of_understaffing(problem, self)

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary of the fields (JSON-serialisable; ``status`` as its value)."""
        return bound_record(self)


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
            single, families=WEEK_RULE_FAMILIES, options=options, allowed=[allowed]
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
        params.cp_model_probing_level = 0
        params.max_presolve_iterations = 1
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


def _option_values(rows: CoverageRows, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value of every option under duals ``pi``, and the cheapest candidate of each window.

    ``pi`` has one entry per horizon interval (0 where nothing is required).
    An option's value is the ``pi`` it covers minus, for each of its break
    windows, the least ``pi`` a break can take there; the candidate returned
    per window is the first reaching that least cost.
    """
    prefix = np.concatenate([[0.0], np.cumsum(pi)])
    values = prefix[rows.option_end] - prefix[rows.option_start]
    best_candidate = np.zeros(rows.n_windows, dtype=np.int64)
    if len(rows.candidate_start):
        cost = prefix[rows.candidate_end] - prefix[rows.candidate_start]
        least = np.minimum.reduceat(cost, rows.window_candidates[:-1])
        np.subtract.at(values, rows.window_option, least)
        # first candidate of each window reaching the least cost
        hit = cost <= least[rows.candidate_window] + 1e-12
        order = np.flatnonzero(hit)
        first = np.full(rows.n_windows, -1, dtype=np.int64)
        windows_hit = rows.candidate_window[order]
        # reversed assignment keeps the first hit per window
        first[windows_hit[::-1]] = order[::-1]
        best_candidate = first
    return values, best_candidate


def column_generation_bound(
    problem: RosterProblem,
    *,
    time_limit_seconds: float = 60.0,
    max_iterations: int | None = None,
    seed: int = 0,
    options: list[ShiftOption] | None = None,
    allowed: list[list[AgentOption]] | None = None,
    initial_duals: Sequence[float] | np.ndarray | None = None,
    initial_weeks: Sequence[Sequence[int]] | None = None,
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
    initial_duals
        First multipliers, one per horizon interval (agent-hours per agent,
        clipped to ``[0, interval_hours]``), e.g. the LP bound's
        ``interval_duals``; ``None`` or empty: ``interval_hours`` everywhere.
    initial_weeks
        Optional first columns: per agent, the option indices of a week it
        can work (e.g. a roster's), added to the master LP of the agent's
        class before its first solve, with the breaks placed best for the
        first multipliers. They steady the first master duals; the bound
        itself is Lagrangian and does not rest on them.

    Returns
    -------
    ColumnGenerationBound
        The bound and how it was reached.

    Raises
    ------
    ValidationError
        If ``time_limit_seconds`` is not a positive number, ``max_iterations``
        is not a whole number >= 1 (or ``None``), ``seed`` is not a whole
        number >= 0, ``allowed`` does not match the agents / ``options``, or
        ``initial_duals`` is not empty and not one finite number per interval,
        or ``initial_weeks`` does not have one entry per agent.
    SolverError
        If OR-Tools' GLOP linear solver is not available.
    """
    check_positive_number("time_limit_seconds", time_limit_seconds)
    check_whole_number(
        "max_iterations",
        max_iterations,
        minimum=1,
        optional=True,
        expected="a whole number >= 1 or None",
    )
    check_whole_number("seed", seed, minimum=0)
    check_agent_options(problem, options, allowed)
    start_pi = _check_duals(problem, initial_duals)
    if initial_weeks is not None and len(initial_weeks) != len(problem.agents):
        raise ValidationError(
            "initial_weeks", f"{len(initial_weeks)} weeks", f"one per agent ({len(problem.agents)})"
        )
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
        bound: float, master: float, status: SolveStatus, iterations: int, columns: int
    ) -> ColumnGenerationBound:
        return ColumnGenerationBound(
            understaffing_agent_hours=float(max(0.0, bound)),
            master_lp_agent_hours=float(max(0.0, master)),
            status=status,
            iterations=iterations,
            columns=columns,
            agent_classes=n_classes,
            wall_time_seconds=time.perf_counter() - began,
        )

    if len(rows) == 0:
        return result(0.0, 0.0, SolveStatus.OPTIMAL, 0, 0)

    pricers: list[_Pricer] = []
    for members in classes:
        if time.perf_counter() >= deadline:
            # not every class can be priced: only the trivial bound holds
            return result(0.0, 0.0, SolveStatus.FEASIBLE, 0, 0)
        pricers.append(_Pricer(problem, members[0], options, allowed[members[0]]))
    sizes = np.array([len(members) for members in classes], dtype=float)
    rows_of = coverage_rows(problem, options)
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

    def add_column(
        c: int,
        week: tuple[int, ...],
        chosen_break: np.ndarray,
        reference: np.ndarray,
        sigma: np.ndarray | None,
    ) -> bool:
        """Add the week with its breaks as a column unless already there.

        Returns whether it is new and prices out at the master duals
        ``reference``, ``sigma`` (always, before the first master LP).
        """
        nonlocal n_columns
        spots = tuple(int(chosen_break[w]) for o in week for w in rows_of.windows(o))
        key = (week, spots)
        if key in seen[c]:
            return False
        seen[c].add(key)
        coverage = rows_of.on_phone(week, spots)
        var = solver.NumVar(0.0, inf, "")
        convexity[c].SetCoefficient(var, 1.0)
        for t in rows[coverage[rows] != 0].tolist():
            cover[t].SetCoefficient(var, float(coverage[t]))
        n_columns += 1
        if sigma is None:
            return True
        worth = float(coverage[rows] @ reference[rows])
        return worth + sigma[c] > 1e-9 * max(1.0, abs(sigma[c]))

    scale = _VALUE_SCALE / hours
    days = problem.days

    def price_all(
        pi: np.ndarray, sigma: np.ndarray | None, reference: np.ndarray
    ) -> tuple[float, bool, bool]:
        """Price every class at ``pi``; add the weeks found as columns.

        Returns (bound at ``pi``, all pricing optimal, some new column prices
        out at the master duals ``reference``, ``sigma``).
        """
        values, chosen_break = _option_values(rows_of, pi)
        scaled = np.rint(values * scale)
        total_w = 0.0
        exact = True
        added = False

        def run(pricer: _Pricer) -> tuple[str, float, list[tuple[int, ...]]]:
            left = deadline - time.perf_counter()
            return pricer.price(scaled, time_limit=left, seed=seed)

        for c, pricer in enumerate(pricers):
            status, upper, weeks = run(pricer)
            if status == "infeasible":
                raise _Infeasible
            if status != "optimal":
                exact = False
            if not math.isfinite(upper):
                return -math.inf, False, added
            # every week's true value is at most (integer value + days / 2) / scale
            total_w += sizes[c] * (upper + 0.5 * days) / scale
            for week in weeks:
                added = add_column(c, week, chosen_break, reference, sigma) or added
        bound = float(pi[rows] @ required[rows]) - total_w
        return bound, exact, added

    first = np.zeros(n, dtype=float)
    if start_pi is None:
        first[rows] = hours
    else:
        first[rows] = start_pi[rows]
    best = 0.0
    try:
        bound, _, _ = price_all(first, None, first)
    except _Infeasible:
        return result(0.0, 0.0, SolveStatus.INFEASIBLE, 0, n_columns)
    best = max(best, bound)
    if initial_weeks is not None:
        _, first_breaks = _option_values(rows_of, first)
        for c, members in enumerate(classes):
            for week in {tuple(sorted(int(o) for o in initial_weeks[a])) for a in members}:
                add_column(c, week, first_breaks, first, None)
    center = first  # the multipliers of the best bound: the stability centre
    master = math.inf
    iterations = 0
    status = SolveStatus.FEASIBLE

    def converged() -> bool:
        return master - best <= 1e-6 * max(1.0, master)

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
                SolveStatus.FEASIBLE
                if time.perf_counter() >= deadline
                else SolveStatus.MODEL_INVALID
            )
            break
        master = float(objective.Value())
        pi = np.zeros(n, dtype=float)
        pi[rows] = np.clip([cover[t].dual_value() for t in rows.tolist()], 0.0, hours)
        sigma = np.array([row.dual_value() for row in convexity], dtype=float)
        if converged():
            status = SolveStatus.OPTIMAL
            break
        # price at a point between the best multipliers and the master duals
        # (Wentges smoothing); when that finds no column the master wants,
        # price at the master duals themselves before concluding
        points = [SMOOTHING * center + (1.0 - SMOOTHING) * pi, pi] if SMOOTHING > 0 else [pi]
        added = exact = False
        for point in points:
            if time.perf_counter() >= deadline:
                break
            try:
                bound, exact, added = price_all(point, sigma, pi)
            except _Infeasible:  # pragma: no cover - found by the first pricing already
                return result(0.0, 0.0, SolveStatus.INFEASIBLE, iterations, n_columns)
            if bound > best:
                best, center = bound, point
            if added or converged():
                break
        if converged():
            status = SolveStatus.OPTIMAL
            break
        if time.perf_counter() >= deadline:
            break
        if not added:
            # no column prices out at the master duals: the master is optimal
            # up to the pricing accuracy
            if exact:
                status = SolveStatus.OPTIMAL
            break
    return result(best, master if math.isfinite(master) else best, status, iterations, n_columns)


def _check_duals(
    problem: RosterProblem, duals: Sequence[float] | np.ndarray | None
) -> np.ndarray | None:
    """``duals`` as an array clipped to ``[0, interval_hours]`` (``None`` when absent)."""
    if duals is None or len(duals) == 0:
        return None
    values = np.asarray(duals, dtype=float)
    if values.shape != (problem.n_intervals,) or not np.isfinite(values).all():
        raise ValidationError(
            "initial_duals",
            f"{len(values)} values",
            f"one finite number per horizon interval ({problem.n_intervals})",
        )
    return np.clip(values, 0.0, problem.interval_hours)


class _Infeasible(Exception):
    """Some agent class has no week obeying the hard rules."""
