"""HiGHS in a child process: answers against brute force, infeasibility, and a stop."""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest
from ortools.linear_solver import pywraplp

from wfm.roster.search.mip import solve_in_child
from wfm.roster.search.stop import StopRequest
from wfm.status import SolveStatus


def _knapsack(values: list[int], weights: list[int], capacity: int) -> tuple[object, list[object]]:
    solver = pywraplp.Solver.CreateSolver("GLOP")
    take = [solver.IntVar(0.0, 1.0, "") for _ in values]
    row = solver.Constraint(0.0, float(capacity))
    objective = solver.Objective()
    for x, value, weight in zip(take, values, weights, strict=True):
        row.SetCoefficient(x, float(weight))
        objective.SetCoefficient(x, -float(value))  # a minimisation
    objective.SetMinimization()
    return solver, take


@pytest.mark.parametrize("seed", range(4))
def test_child_solves_a_knapsack_to_the_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 30, size=10).tolist()
    weights = rng.integers(1, 20, size=10).tolist()
    capacity = int(sum(weights) // 2)
    best = max(
        sum(v for v, t in zip(values, pick, strict=True) if t)
        for pick in itertools.product((0, 1), repeat=10)
        if sum(w for w, t in zip(weights, pick, strict=True) if t) <= capacity
    )
    solver, take = _knapsack(values, weights, capacity)
    solved = solve_in_child(solver, time_limit_seconds=30.0)
    assert solved.status == SolveStatus.OPTIMAL
    assert solved.objective == pytest.approx(-best)
    assert solved.bound == pytest.approx(-best, abs=1e-6)
    chosen = [round(solved.values[x.index()]) for x in take]  # type: ignore[attr-defined]
    assert sum(w for w, t in zip(weights, chosen, strict=True) if t) <= capacity
    assert sum(v for v, t in zip(values, chosen, strict=True) if t) == best


def test_values_keep_the_order_of_the_variables_when_kinds_interleave() -> None:
    # continuous, integer, continuous, integer and an unused variable: the MPS text
    # lists integer columns first, so a value read by position would be another's
    solver = pywraplp.Solver.CreateSolver("GLOP")
    kinds = [False, True, False, True, False, True]
    tops = [1.5, 3.0, 2.5, 4.0, 0.5, 2.0]
    prices = [-1.0, -2.0, -3.0, -4.0, -5.0, -6.0]
    xs = [
        solver.IntVar(0.0, top, "") if integer else solver.NumVar(0.0, top, "")
        for integer, top in zip(kinds, tops, strict=True)
    ]
    unused = solver.NumVar(0.0, 1.0, "")
    row = solver.Constraint(0.0, 100.0)
    for x in xs:
        row.SetCoefficient(x, 1.0)
    for x, price in zip(xs, prices, strict=True):
        solver.Objective().SetCoefficient(x, price)
    solver.Objective().SetMinimization()
    solved = solve_in_child(solver, time_limit_seconds=10.0)
    assert solved.status == SolveStatus.OPTIMAL
    # every variable at its upper bound: the optimum of independent negative prices
    assert solved.values[[x.index() for x in xs]] == pytest.approx(tops)
    assert solved.values[unused.index()] == pytest.approx(0.0)
    assert solved.objective == pytest.approx(sum(p * t for p, t in zip(prices, tops, strict=True)))


def test_child_reports_an_infeasible_model() -> None:
    solver = pywraplp.Solver.CreateSolver("GLOP")
    x = solver.IntVar(0.0, 1.0, "")
    row = solver.Constraint(2.0, 3.0)
    row.SetCoefficient(x, 1.0)
    solver.Objective().SetCoefficient(x, 1.0)
    solved = solve_in_child(solver, time_limit_seconds=10.0)
    assert solved.status == SolveStatus.INFEASIBLE
    assert solved.objective is None
    assert len(solved.values) == 0


def _market_split(n_rows: int = 4, n_columns: int = 40) -> object:
    # Cornuejols and Dawande's market split: hard for branch and bound
    rng = np.random.default_rng(7)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    xs = [solver.IntVar(0.0, 1.0, "") for _ in range(n_columns)]
    objective = solver.Objective()
    for _ in range(n_rows):
        a = rng.integers(0, 100, size=n_columns)
        rhs = float(a.sum() // 2)
        row = solver.Constraint(rhs, rhs)
        over = solver.NumVar(0.0, solver.infinity(), "")
        under = solver.NumVar(0.0, solver.infinity(), "")
        for x, coefficient in zip(xs, a.tolist(), strict=True):
            row.SetCoefficient(x, float(coefficient))
        row.SetCoefficient(over, -1.0)
        row.SetCoefficient(under, 1.0)
        objective.SetCoefficient(over, 1.0)
        objective.SetCoefficient(under, 1.0)
    objective.SetMinimization()
    return solver


def test_a_stop_request_kills_the_child_at_once() -> None:
    stop = StopRequest()
    solver = _market_split()
    began = time.perf_counter()
    timer = threading.Timer(1.0, stop.request)
    timer.start()
    try:
        solved = solve_in_child(solver, time_limit_seconds=120.0, stop=stop)
    finally:
        timer.cancel()
    assert time.perf_counter() - began < 10.0  # not HiGHS's 120 s
    assert solved.status == SolveStatus.TIME_LIMIT_NO_SOLUTION
    assert len(solved.values) == 0


def test_a_time_limit_keeps_the_best_solution_and_a_valid_bound() -> None:
    solver = _market_split()
    solved = solve_in_child(solver, time_limit_seconds=2.0)
    assert solved.wall_time_seconds < 2.0 + 5.0
    assert solved.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    assert solved.objective is not None and solved.bound <= solved.objective + 1e-6
