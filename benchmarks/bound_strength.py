"""Strength of the under-staffing lower bounds on the acceptance weeks.

For each instance it prints and records:

* the identity-free LP bound (:func:`wfm.roster.bounds.lp.lower_bound`) and its time;
* the per-agent column generation bound
  (:func:`wfm.roster.bounds.column_generation.column_generation_bound`), its status, iterations
  and time;
* the class-flow integer programme (:func:`wfm.roster.bounds.class_flow.class_flow_bound`):
  its proven bound, the under-staffing of its best integer solution (when
  both agree and breaks of a template cannot overlap, as here, the least
  under-staffing any roster can have), status and time;
* optionally (``--solve``) the under-staffing of the roster found by
  :func:`wfm.roster.solve` (default 60 s, 2 workers, seed 0), and its gap to
  the stronger bound.

Usage (from the repository root)::

    python benchmarks/bound_strength.py                      # a50, a100, a200: bounds only
    python benchmarks/bound_strength.py --solve              # also a 60 s roster each
    python benchmarks/bound_strength.py --instances a25-i15-flex-brk-mixed-s0 \\
        --cg-time-limit 120 --flow-time-limit 300 --solve --solve-time-limit 60 --workers 2

Results go to ``benchmarks/results/bound_strength.csv`` (``--output`` to change).
Bounds run on one core; the rosters use ``--workers`` CP-SAT workers. Times are
wall-clock on whatever machine runs the script: run one benchmark at a time.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from wfm.datasets.instances import make_problem, parse_instance_name
from wfm.roster.bounds.class_flow import class_flow_bound
from wfm.roster.bounds.column_generation import column_generation_bound
from wfm.roster.bounds.lp import lower_bound
from wfm.roster.options import SolverOptions

HERE = Path(__file__).resolve().parent
DEFAULT_INSTANCES = (
    "a50-i15-flex-brk-mixed-s0",
    "a100-i15-flex-brk-mixed-s0",
    "a200-i15-flex-brk-mixed-s0",
)
COLUMNS = (
    "instance",
    "agents",
    "lp_bound_agent_hours",
    "lp_seconds",
    "cg_bound_agent_hours",
    "cg_master_lp_agent_hours",
    "cg_status",
    "cg_iterations",
    "cg_columns",
    "cg_agent_classes",
    "cg_seconds",
    "flow_bound_agent_hours",
    "flow_incumbent_agent_hours",
    "flow_status",
    "flow_seconds",
    "roster_understaffing_agent_hours",
    "roster_seconds",
    "gap_to_best_bound_agent_hours",
)


def measure(
    name: str,
    *,
    cg_time_limit: float,
    flow_time_limit: float,
    solve_roster: bool,
    solve_time_limit: float,
    workers: int,
    seed: int,
) -> dict[str, object]:
    """One row of the table for instance ``name``."""
    problem = make_problem(parse_instance_name(name))
    lp = lower_bound(problem)
    cg = column_generation_bound(problem, time_limit_seconds=cg_time_limit, seed=seed)
    flow = class_flow_bound(problem, time_limit_seconds=flow_time_limit)
    row: dict[str, object] = {
        "instance": name,
        "agents": len(problem.agents),
        "lp_bound_agent_hours": round(lp.understaffing_agent_hours, 4),
        "lp_seconds": round(lp.wall_time_seconds, 2),
        "cg_bound_agent_hours": round(cg.understaffing_agent_hours, 4),
        "cg_master_lp_agent_hours": round(cg.master_lp_agent_hours, 4),
        "cg_status": cg.status.value,
        "cg_iterations": cg.iterations,
        "cg_columns": cg.columns,
        "cg_agent_classes": cg.agent_classes,
        "cg_seconds": round(cg.wall_time_seconds, 2),
        "flow_bound_agent_hours": round(flow.understaffing_agent_hours, 4),
        "flow_incumbent_agent_hours": flow.incumbent_agent_hours,
        "flow_status": flow.status.value,
        "flow_seconds": round(flow.wall_time_seconds, 2),
        "roster_understaffing_agent_hours": None,
        "roster_seconds": None,
        "gap_to_best_bound_agent_hours": None,
    }
    if solve_roster:
        from wfm.roster.solve import solve

        began = time.perf_counter()
        result = solve(
            problem,
            SolverOptions(time_limit_seconds=solve_time_limit, workers=workers, seed=seed),
            compute_bound=False,
        )
        under = result.summary.understaffing_agent_hours
        row["roster_understaffing_agent_hours"] = under
        row["roster_seconds"] = round(time.perf_counter() - began, 2)
        if under is not None:
            best = max(
                lp.understaffing_agent_hours,
                cg.understaffing_agent_hours,
                flow.understaffing_agent_hours,
            )
            row["gap_to_best_bound_agent_hours"] = round(under - best, 4)
    return row


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--instances",
        nargs="+",
        default=list(DEFAULT_INSTANCES),
        help="instance names (see wfm.datasets.instances); default: a50, a100, a200",
    )
    parser.add_argument(
        "--cg-time-limit", type=float, default=300.0, help="column generation limit, s"
    )
    parser.add_argument(
        "--flow-time-limit", type=float, default=300.0, help="class-flow integer programme limit, s"
    )
    parser.add_argument("--solve", action="store_true", help="also solve each roster")
    parser.add_argument("--solve-time-limit", type=float, default=60.0, help="roster limit, s")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers of the roster")
    parser.add_argument("--seed", type=int, default=0, help="seed of CP-SAT")
    parser.add_argument(
        "--output",
        type=Path,
        default=HERE / "results" / "bound_strength.csv",
        help="CSV file written",
    )
    args = parser.parse_args(argv)
    rows = []
    for name in args.instances:
        row = measure(
            name,
            cg_time_limit=args.cg_time_limit,
            flow_time_limit=args.flow_time_limit,
            solve_roster=args.solve,
            solve_time_limit=args.solve_time_limit,
            workers=args.workers,
            seed=args.seed,
        )
        rows.append(row)
        print(
            f"{name}: LP {row['lp_bound_agent_hours']} ({row['lp_seconds']} s), "
            f"CG {row['cg_bound_agent_hours']} [{row['cg_status']}, "
            f"{row['cg_iterations']} it, {row['cg_seconds']} s], "
            f"flow {row['flow_bound_agent_hours']} / {row['flow_incumbent_agent_hours']} "
            f"[{row['flow_status']}, {row['flow_seconds']} s]"
            + (
                f", roster {row['roster_understaffing_agent_hours']} ({row['roster_seconds']} s)"
                if args.solve
                else ""
            ),
            flush=True,
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.output, index=False)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
