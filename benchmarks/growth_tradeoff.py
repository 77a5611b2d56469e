"""The default weights' trade-off: how much shortage the growth of its cost keeps.

For each acceptance week and each pricing of the shortage (the cost of the
first agent-hour short in an interval and the growth for the next agents),
the identity-free part of the roster objective is minimised over the class
flows: convex shortage, over-staffing and paid hours
(:func:`wfm.roster.bounds.class_flow.coverage_cost_flows`, the
objective of :func:`wfm.roster.search.flow_start.class_flow_roster`), solved
by HiGHS in a child process (:func:`wfm.roster.search.mip.solve_in_child`).
Each row has the agent-hours short of the best solution, its objective, the
proven bound, whether it is proven, the wall time and the load average. Set
against the least under-staffing (22.25 / 45.00 / 88.25 agent-hours), it
shows what a pricing gives up for the spread of the shortage, whatever the
search.

Usage (from the repository root; about 90 s per row)::

    python benchmarks/growth_tradeoff.py [--instances a50-i15-flex-brk-mixed-s0 ...] \\
        [--pricings 100:1,2,4,8 300:1,2,4,8 ...] [--time-limit 90] \\
        [--output benchmarks/results/growth_tradeoff.csv]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from ortools.linear_solver import pywraplp

from wfm.benchmark import write_results
from wfm.datasets.instances import make_problem, parse_instance_name
from wfm.roster.bounds.class_flow import coverage_cost_flows
from wfm.roster.problem import RosterProblem
from wfm.roster.search.mip import solve_in_child
from wfm.roster.shifts import agent_options, shift_options
from wfm.status import SolveStatus

HERE = Path(__file__).resolve().parent
INSTANCES = ("a50-i15-flex-brk-mixed-s0",)
PRICINGS = (
    "100:1,2,4,8",
    "300:1,2,4,8",
    "1000:1,2,4,8",
    "100:1,1.5,2.25,3.375",
    "100:1,1.1,1.2,1.3",
)


def _priced(problem: RosterProblem, pricing: str) -> RosterProblem:
    """``problem`` with the shortage priced as ``PRICE:G1,G2,...``."""
    price, growth = pricing.split(":")
    weights = dataclasses.replace(
        problem.weights,
        understaffing_per_agent_hour=float(price),
        understaffing_growth=tuple(float(g) for g in growth.split(",")),
    )
    return dataclasses.replace(problem, weights=weights)


def coverage_optimum(problem: RosterProblem, *, time_limit_seconds: float) -> dict[str, object]:
    """Minimise the class flows' coverage cost with HiGHS; the shortage of its best solution."""
    began = time.perf_counter()
    options = shift_options(problem)
    allowed = agent_options(problem, options)
    solver = pywraplp.Solver.CreateSolver("GLOP")  # holds the model; HiGHS solves it
    built = coverage_cost_flows(
        problem,
        solver,
        lambda top: solver.IntVar(0.0, top, ""),
        options,
        allowed,
        max_arcs=200_000,
        began=began,
        time_limit_seconds=time_limit_seconds,
    )
    if isinstance(built, SolveStatus):
        raise SystemExit(f"the class flows were not built: {built}")
    _, cost = built
    solved = solve_in_child(solver, time_limit_seconds=time_limit_seconds)
    short = None
    if solved.status.has_solution:
        short = problem.interval_hours * sum(float(solved.values[v.index()]) for v in cost.short)
    return {
        "status": solved.status.value,
        "understaffing_agent_hours": None if short is None else round(short, 2),
        "objective": solved.objective,
        "bound": solved.bound if math.isfinite(solved.bound) else None,
        "seconds": round(time.perf_counter() - began, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """One coverage-cost optimum per instance and pricing."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", nargs="*", default=list(INSTANCES))
    parser.add_argument("--pricings", nargs="*", default=list(PRICINGS))
    parser.add_argument("--time-limit", type=float, default=90.0)
    parser.add_argument("--output", default="benchmarks/results/growth_tradeoff.csv")
    args = parser.parse_args(argv)
    rows: list[dict[str, object]] = []
    for name in args.instances:
        base = make_problem(parse_instance_name(name))
        for pricing in args.pricings:
            load_before = os.getloadavg()[0]
            row: dict[str, object] = {"instance": name, "pricing": pricing}
            row |= coverage_optimum(_priced(base, pricing), time_limit_seconds=args.time_limit)
            row["load_before"] = round(load_before, 2)
            row["load_after"] = round(os.getloadavg()[0], 2)
            rows.append(row)
            print(row, flush=True)
    frame = pd.DataFrame(rows)
    write_results(frame, args.output, root=HERE.parent)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
