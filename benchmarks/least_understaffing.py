"""The least under-staffing of the class-flow model: HiGHS (the search's start) against SCIP.

For each acceptance week the same integer programme, the class flows with
the agent-hours short as objective, is solved twice on one core: by HiGHS in
a child process (:func:`wfm.roster.search.flow_start.least_understaffing_roster`,
what :func:`wfm.roster.solve` starts from) and by SCIP in process
(:func:`wfm.roster.bounds.class_flow.class_flow_bound`). Each row has the
proven bound, the best integer solution's under-staffing, whether it is
proven, the wall time and the load average before and after.

Usage (from the repository root; about 3 minutes)::

    python benchmarks/least_understaffing.py [--instances a50-i15-flex-brk-mixed-s0 ...] \\
        [--time-limit 120] [--output benchmarks/results/least_understaffing.csv]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from wfm.benchmark import write_results
from wfm.datasets.instances import make_problem, parse_instance_name
from wfm.roster.bounds.class_flow import class_flow_bound
from wfm.roster.search.flow_start import least_understaffing_roster

HERE = Path(__file__).resolve().parent
INSTANCES = (
    "a50-i15-flex-brk-mixed-s0",
    "a100-i15-flex-brk-mixed-s0",
    "a200-i15-flex-brk-mixed-s0",
)


def main(argv: Sequence[str] | None = None) -> int:
    """Solve each instance's least under-staffing with HiGHS and with SCIP."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", nargs="*", default=list(INSTANCES))
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--output", default="benchmarks/results/least_understaffing.csv")
    args = parser.parse_args(argv)
    rows: list[dict[str, object]] = []
    for name in args.instances:
        problem = make_problem(parse_instance_name(name))
        for solver in ("highs", "scip"):
            load_before = os.getloadavg()[0]
            began = time.perf_counter()
            if solver == "highs":
                least = least_understaffing_roster(problem, time_limit_seconds=args.time_limit)
                bound = None if least is None else least.bound_agent_hours
                best = None if least is None else least.understaffing_agent_hours
                proven = least is not None and least.proven
            else:
                flow = class_flow_bound(problem, time_limit_seconds=args.time_limit)
                bound = flow.understaffing_agent_hours
                best = flow.incumbent_agent_hours
                proven = flow.status.value == "OPTIMAL"
            seconds = time.perf_counter() - began
            row = {
                "instance": name,
                "solver": solver,
                "bound_agent_hours": bound,
                "best_agent_hours": best,
                "proven": proven,
                "seconds": round(seconds, 1),
                "load_before": round(load_before, 2),
                "load_after": round(os.getloadavg()[0], 2),
            }
            rows.append(row)
            print(row, flush=True)
    frame = pd.DataFrame(rows)
    write_results(frame, args.output, root=HERE.parent)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
