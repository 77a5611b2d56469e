"""Default weights against the lexicographic objective: under-staffing left on the table.

Each acceptance week (``a50/a100/a200-i15-flex-brk-mixed-s0``) is solved
twice in a fresh process, 60 s, 2 workers, seed 0: with the default weights
(:class:`wfm.roster.Weights`) and with ``SolverOptions(lexicographic=True)``
(first the least under-staffing, then the weighted objective with it held).
The under-staffing of each roster is compared with the least any roster of
the week can have: the class-flow optimum proven by
:func:`wfm.roster.bounds.class_flow.class_flow_bound` (``PROVEN_MINIMUM``,
from ``python benchmarks/bound_strength.py``; ``--flow-time-limit S``
recomputes it). Acceptance: within 1 % (floor 1 agent-hour) with the
lexicographic option, within 3 % with the default weights.

With ``--busy N``, N CPU-bound processes (a busy loop each) run beside the
solves, to measure the quality on a loaded machine. The load average is
written before and after every run.

Usage (from the repository root; about 6 minutes)::

    python benchmarks/lexicographic.py [--busy 1] [--time-limit 60] \\
        [--output benchmarks/results/lexicographic.csv]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from wfm.benchmark import run_instance, write_results
from wfm.datasets.instances import make_problem, parse_instance_name
from wfm.roster.bounds.class_flow import class_flow_bound
from wfm.roster.options import SolverOptions

HERE = Path(__file__).resolve().parent

INSTANCES = (
    "a50-i15-flex-brk-mixed-s0",
    "a100-i15-flex-brk-mixed-s0",
    "a200-i15-flex-brk-mixed-s0",
)

PROVEN_MINIMUM = {
    "a50-i15-flex-brk-mixed-s0": 22.25,
    "a100-i15-flex-brk-mixed-s0": 45.00,
    "a200-i15-flex-brk-mixed-s0": 88.25,
}
"""Least under-staffing (agent-hours) of each week, the class-flow optimum proven
by SCIP (bound_strength table of benchmarks/README.md)."""

ALLOWED_SHARE = {"lexicographic": 0.01, "default": 0.03}
"""Acceptance: under-staffing above the minimum by at most this share (floor 1 h)."""


def _busy(n: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", "while True:\n    pass"]) for _ in range(n)]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison; return 0 when every row meets its acceptance."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--busy", type=int, default=0, help="CPU-bound processes beside")
    parser.add_argument("--instances", nargs="*", default=list(INSTANCES))
    parser.add_argument("--modes", nargs="*", default=["lexicographic", "default"])
    parser.add_argument(
        "--flow-time-limit",
        type=float,
        default=0.0,
        help="recompute the proven minimum with this SCIP limit (0: use PROVEN_MINIMUM)",
    )
    parser.add_argument("--output", default="benchmarks/results/lexicographic.csv")
    args = parser.parse_args(argv)
    rows: list[dict[str, object]] = []
    for name in args.instances:
        minimum = PROVEN_MINIMUM.get(name)
        if args.flow_time_limit > 0 or minimum is None:
            problem = make_problem(parse_instance_name(name))
            flow = class_flow_bound(problem, time_limit_seconds=max(args.flow_time_limit, 60.0))
            minimum = flow.understaffing_agent_hours if flow.status == "OPTIMAL" else None
        for mode in args.modes:
            options = SolverOptions(
                time_limit_seconds=args.time_limit,
                workers=args.workers,
                seed=args.seed,
                lexicographic=mode == "lexicographic",
            )
            busy = _busy(args.busy)
            load_before = os.getloadavg()[0]
            try:
                run = run_instance(name, options)
            finally:
                for child in busy:
                    child.kill()
                    child.wait()
            load_after = os.getloadavg()[0]
            under = run.understaffing_agent_hours
            above = None if under is None or minimum is None else under - minimum
            allowed = None if minimum is None else max(ALLOWED_SHARE[mode] * minimum, 1.0)
            row = {
                "instance": name,
                "mode": mode,
                "busy": args.busy,
                "status": run.error or run.status,
                "understaffing_agent_hours": under,
                "proven_minimum_agent_hours": minimum,
                "above_agent_hours": above,
                "above_pct": None if above is None or not minimum else 100 * above / minimum,
                "allowed_agent_hours": allowed,
                "passed": above is not None and allowed is not None and above <= allowed + 1e-9,
                "overstaffing_agent_hours": run.overstaffing_agent_hours,
                "paid_hours": run.paid_hours,
                "objective": run.objective,
                "first_solution_seconds": run.first_solution_seconds,
                "wall_time_seconds": run.wall_time_seconds,
                "hard_violations": run.hard_violations,
                "load_before": round(load_before, 2),
                "load_after": round(load_after, 2),
            }
            rows.append(row)
            print(
                f"{name} {mode:13s} busy {args.busy}: under {under} vs {minimum} "
                f"(above {above}, allowed {allowed}) paid {run.paid_hours} "
                f"over {run.overstaffing_agent_hours} obj {run.objective} "
                f"load {load_before:.1f}->{load_after:.1f} "
                f"{'pass' if row['passed'] else 'MISS'}",
                flush=True,
            )
            time.sleep(1.0)
    frame = pd.DataFrame(rows)
    write_results(frame, args.output, root=HERE.parent, append=True)
    return 0 if all(r["passed"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
