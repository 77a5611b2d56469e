"""Planning periods of 1, 2 and 4 weeks of the 100-agent benchmark family.

For each period (:class:`wfm.datasets.instances.InstanceSpec` ``weeks``: the
benchmark week's requirements repeated, contract limits per calendar week) it
prints and records:

* the roster of :func:`wfm.roster.solve` (default 60 s, 2 workers, seed 0):
  its status, the time to the first roster, its under-staffing and the hard
  violations the independent checker finds in it;
* the identity-free LP bound and the class-flow bound on under-staffing
  (each with its own time limit, default 60 s) and the roster's gap to the
  stronger one.

Usage (from the repository root)::

    python benchmarks/multi_week.py                       # 1, 2, 4 weeks at 60 s
    python benchmarks/multi_week.py --weeks 1 2 --time-limit 30

Results go to ``benchmarks/results/multi_week.csv`` (``--output`` to change).
Times are wall-clock on whatever machine runs the script: run one benchmark
at a time and note the load average.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from wfm.datasets.instances import make_problem, parse_instance_name
from wfm.roster.bounds.class_flow import class_flow_bound
from wfm.roster.bounds.lp import lower_bound
from wfm.roster.checker import check_roster
from wfm.roster.options import SolverOptions
from wfm.roster.solve import solve

HERE = Path(__file__).resolve().parent
BASE = "a100-i15-flex-brk-mixed-s0"


def run(
    weeks: int, *, time_limit_seconds: float, bound_seconds: float, workers: int
) -> dict[str, object]:
    """One period: the roster, its checker violations and both bounds."""
    spec = replace(parse_instance_name(BASE), weeks=weeks)
    problem = make_problem(spec)
    options = SolverOptions(time_limit_seconds=time_limit_seconds, workers=workers, seed=0)
    began = time.perf_counter()
    result = solve(problem, options, compute_bound=False)
    solve_seconds = time.perf_counter() - began
    summary = result.summary
    violations = None
    if result.roster is not None and len(result.roster):
        violations = len(check_roster(problem, result.roster, result.breaks))
    began = time.perf_counter()
    lp = lower_bound(problem, time_limit_seconds=bound_seconds)
    lp_seconds = time.perf_counter() - began
    began = time.perf_counter()
    flow = class_flow_bound(problem, time_limit_seconds=bound_seconds)
    flow_seconds = time.perf_counter() - began
    best = max(lp.understaffing_agent_hours, flow.understaffing_agent_hours)
    under = summary.understaffing_agent_hours
    return {
        "instance": spec.name,
        "weeks": weeks,
        "days": problem.days,
        "status": summary.status.value,
        "solve_seconds": round(solve_seconds, 1),
        "first_roster_seconds": summary.first_solution_seconds,
        "understaffing_agent_hours": under,
        "checker_hard_violations": violations,
        "lp_bound_agent_hours": round(lp.understaffing_agent_hours, 2),
        "lp_status": lp.status.value,
        "lp_seconds": round(lp_seconds, 1),
        "flow_bound_agent_hours": round(flow.understaffing_agent_hours, 2),
        "flow_status": flow.status.value,
        "flow_seconds": round(flow_seconds, 1),
        "gap_to_best_bound_agent_hours": None if under is None else round(under - best, 2),
        "time_limit_seconds": time_limit_seconds,
        "workers": workers,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the periods given on the command line and write the results table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weeks", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--bound-time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output", type=Path, default=HERE / "results" / "multi_week.csv")
    args = parser.parse_args(argv)
    rows = []
    for weeks in args.weeks:
        row = run(
            weeks,
            time_limit_seconds=args.time_limit,
            bound_seconds=args.bound_time_limit,
            workers=args.workers,
        )
        print(row, flush=True)
        rows.append(row)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(args.output, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
