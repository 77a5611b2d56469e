"""Does the roster solver spend its budget? First roster, status and under-staffing.

Two instances, each solved once with the given limit, 2 workers, seed 0:

* ``quiet-week``: the example scenario's 68 agents and week
  (``examples/contact_center``) with at most 5 agents required per
  interval, the week on which the solver used to stop after a fifth of its
  limit with ``TIME_LIMIT_NO_SOLUTION``;
* ``a100-i15-flex-brk-mixed-s0`` from :mod:`wfm.datasets.instances`.

For each it records the status, the wall time, the time of the first roster,
the under-staffing (agent-hours) and the LP lower bound on it
(:func:`wfm.roster.bounds.lp.lower_bound`, not counted in the limit).

Usage (from the repository root)::

    python benchmarks/solver_budget.py                       # 30 s quiet week, 60 s a100
    python benchmarks/solver_budget.py --label after --output benchmarks/results/solver_budget.csv

The script uses the public API only, so the same file measures an older
checkout too (run it with that checkout first on ``PYTHONPATH``). Times are
wall-clock on whatever machine runs it: note the load average, run one
benchmark at a time.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.datasets.instances import make_problem, parse_instance_name
from wfm.roster.options import SolverOptions
from wfm.roster.problem import RosterProblem
from wfm.roster.solve import solve
from wfm.scenario import load_scenario

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "contact_center" / "scenario.yaml"
QUIET_CAP = 5.0
"""Most agents required per interval in the quiet week."""


def quiet_week() -> RosterProblem:
    """The example's agents and week with at most :data:`QUIET_CAP` agents required."""
    problem = load_scenario(EXAMPLE).pipeline().problem
    requirements = problem.requirements.copy()
    requirements["required_scheduled"] = np.minimum(requirements["required_scheduled"], QUIET_CAP)
    return dataclasses.replace(problem, requirements=requirements)


def run(*, label: str, quiet_seconds: float, a100_seconds: float, workers: int) -> pd.DataFrame:
    """Solve both instances once; one row each."""
    cases = [
        ("quiet-week", quiet_week(), quiet_seconds),
        (
            "a100-i15-flex-brk-mixed-s0",
            make_problem(parse_instance_name("a100-i15-flex-brk-mixed-s0")),
            a100_seconds,
        ),
    ]
    rows = []
    for name, problem, limit in cases:
        began = time.perf_counter()
        result = solve(problem, SolverOptions(time_limit_seconds=limit, workers=workers, seed=0))
        s = result.summary
        rows.append(
            {
                "label": label,
                "instance": name,
                "time_limit_seconds": limit,
                "status": s.status.value,
                "wall_seconds": round(s.wall_time_seconds, 1),
                "first_roster_seconds": None
                if s.first_solution_seconds is None
                else round(s.first_solution_seconds, 1),
                "understaffing_agent_hours": s.understaffing_agent_hours,
                "lp_bound_understaffing_agent_hours": s.lower_bound_understaffing_agent_hours,
                "call_seconds": round(time.perf_counter() - began, 1),
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
        )
        print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> None:
    """Command line of the benchmark (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="current")
    parser.add_argument("--quiet-seconds", type=float, default=30.0)
    parser.add_argument("--a100-seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output", type=Path, default=None, help="append the rows to this CSV")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    table = run(
        label=args.label,
        quiet_seconds=args.quiet_seconds,
        a100_seconds=args.a100_seconds,
        workers=args.workers,
    )
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.output, mode="a", header=not args.output.exists(), index=False)


if __name__ == "__main__":
    main()
