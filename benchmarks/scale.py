"""Large centres: time to the first roster, memory and quality from 200 to 5,000 agents.

Each week ``a<N>-i15-flex-brk-mixed-s0`` is solved in a fresh process
(:func:`wfm.benchmark.run_instance`, 2 workers, seed 0) and re-read by the
independent checker. The table has the time to the first roster, the model
build, the peak memory of the child, the under-staffing against the LP bound
and against the best under-staffing bound reported with the roster (the
per-agent column-generation bound computed after the search, for at most 15 %
of the limit, when it beats the LP; its value, status and time are columns
too), and the status. The growth of the time to the first
roster with the agents is summarised by the exponent ``b`` of a least-squares
fit ``first = c * agents**b`` on a log-log scale (``b <= 1``: no faster than
linear). The load average is written before and after each run.

Usage (from the repository root; about 10 minutes)::

    python benchmarks/scale.py [--agents 200 500 1000 2000 5000] \\
        [--time-limit 60] [--large-time-limit 120] [--busy 0] \\
        [--output benchmarks/results/scale.csv]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.benchmark import run_instance, write_results
from wfm.roster.options import SolverOptions

HERE = Path(__file__).resolve().parent


def fitted_exponent(agents: Sequence[float], seconds: Sequence[float]) -> float | None:
    """Slope of ``log(seconds)`` on ``log(agents)`` (``None`` with fewer than two points)."""
    pairs = [(a, s) for a, s in zip(agents, seconds, strict=True) if a > 0 and s and s > 0]
    if len(pairs) < 2:
        return None
    x = np.log([a for a, _ in pairs])
    y = np.log([s for _, s in pairs])
    slope, _ = np.polyfit(x, y, 1)
    return float(slope)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sizes; print the table and the fitted exponent."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, nargs="*", default=[200, 500, 1000, 2000, 5000])
    parser.add_argument("--time-limit", type=float, default=60.0, help="below 2,000 agents")
    parser.add_argument("--large-time-limit", type=float, default=120.0, help="2,000 and more")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--busy", type=int, default=0, help="CPU-bound processes beside")
    parser.add_argument("--output", default="benchmarks/results/scale.csv")
    args = parser.parse_args(argv)
    rows: list[dict[str, object]] = []
    for n in args.agents:
        name = f"a{n}-i15-flex-brk-mixed-s{args.seed}"
        limit = args.large_time_limit if n >= 2000 else args.time_limit
        options = SolverOptions(time_limit_seconds=limit, workers=args.workers, seed=args.seed)
        busy = [
            subprocess.Popen([sys.executable, "-c", "while True:\n    pass"])
            for _ in range(args.busy)
        ]
        before = os.getloadavg()[0]
        try:
            run = run_instance(name, options, timeout_seconds=limit + 600)
        finally:
            for child in busy:
                child.kill()
                child.wait()
        after = os.getloadavg()[0]
        row = {
            "agents": n,
            "seed": args.seed,
            "time_limit_seconds": limit,
            "status": run.error or run.status,
            "first_solution_seconds": run.first_solution_seconds,
            "build_seconds": run.build_seconds,
            "wall_time_seconds": run.wall_time_seconds,
            "understaffing_agent_hours": run.understaffing_agent_hours,
            "lb_understaffing_agent_hours": run.lb_understaffing_agent_hours,
            "under_above_lb_pct": run.under_above_lb_pct,
            "per_agent_bound_agent_hours": run.per_agent_bound_agent_hours,
            "per_agent_bound_status": run.per_agent_bound_status,
            "per_agent_bound_seconds": run.per_agent_bound_seconds,
            "understaffing_bound_kind": run.understaffing_bound_kind,
            "under_above_bound_pct": run.under_above_bound_pct,
            "hard_violations": run.hard_violations,
            "peak_memory_mb": run.peak_memory_mb,
            "busy": args.busy,
            "load_before": round(before, 2),
            "load_after": round(after, 2),
        }
        rows.append(row)
        print(row, flush=True)
    frame = pd.DataFrame(rows)
    exponent = fitted_exponent(frame["agents"].tolist(), frame["first_solution_seconds"].tolist())
    print(f"time to first roster ~ agents^{exponent if exponent is None else round(exponent, 2)}")
    write_results(frame, args.output, root=HERE.parent)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
