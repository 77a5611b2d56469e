"""Wall time of ``wfm sweep`` in one process against a two-worker dask LocalCluster.

Two sweeps of the example scenario (``examples/contact_center/scenario.yaml``):

- ``roster``: 48 cases (``service.target`` 0.75/0.8/0.85/0.9 x
  ``service.shrinkage`` 0.1/0.15 x ``aht_scale`` 0.9/1.0/1.1 x
  ``agents_scale`` 1.0/1.1), requirements and roster, a 10 s roster limit
  and one CP-SAT worker per case;
- ``requirements``: 500 cases (10 targets x 5 shrinkages x 10 AHT factors),
  Erlang staffing only.

Each runs serially (``executor="serial"``) and on a fresh LocalCluster of
two single-threaded worker processes (started inside the timing: what a
user waits for). Printed per run: wall time, the sum of the cases' own
times, speed-up (serial wall / cluster wall) and the overhead per case,
``(wall x parallel workers - sum of case times) / cases``: the
worker-seconds per case spent outside the cases (start-up, shipping,
scheduling, the idle tail). The load average is printed before and after,
since the machine may be shared. Results go to
``benchmarks/results/sweep.json`` and the 48-case tables to
``benchmarks/results/sweep_roster_{serial,cluster}.csv``.

Usage::

    python benchmarks/sweep.py                 # both sweeps (about 13 minutes on 2 cores)
    python benchmarks/sweep.py --only requirements
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np

from wfm.sweep import DaskExecutor, sweep

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "contact_center" / "scenario.yaml"
RESULTS = ROOT / "benchmarks" / "results"

ROSTER_GRID: dict[str, list[Any]] = {
    "service.target": [0.75, 0.8, 0.85, 0.9],
    "service.shrinkage": [0.1, 0.15],
    "aht_scale": [0.9, 1.0, 1.1],
    "agents_scale": [1.0, 1.1],
}
REQUIREMENTS_GRID: dict[str, list[Any]] = {
    "service.target": [round(x, 3) for x in np.linspace(0.7, 0.95, 10)],
    "service.shrinkage": [0.05, 0.1, 0.15, 0.2, 0.25],
    "aht_scale": [round(x, 3) for x in np.linspace(0.8, 1.25, 10)],
}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _run(name: str, grid: dict[str, list[Any]], stage: str, executor: str) -> dict[str, Any]:
    load_before = _load()
    start = time.perf_counter()
    if executor == "serial":
        result = sweep(
            SCENARIO,
            grid,
            stage=stage,  # type: ignore[arg-type]
            executor="serial",
            overrides={"solver.time_limit_seconds": 10},
            solver_workers=1,
        )
        workers = 1
    else:
        with DaskExecutor(n_workers=2) as cluster:
            result = sweep(
                SCENARIO,
                grid,
                stage=stage,  # type: ignore[arg-type]
                executor=cluster,
                overrides={"solver.time_limit_seconds": 10},
                solver_workers=1,
            )
        workers = 2
    wall = time.perf_counter() - start
    table = result.table
    inside = float(table["wall_time_seconds"].sum())
    cases = len(table)
    row = {
        "sweep": name,
        "executor": executor,
        "cases": cases,
        "failed": int(table["error"].notna().sum()),
        "wall_seconds": wall,
        "case_seconds_sum": inside,
        "overhead_per_case_seconds": (wall * workers - inside) / cases,
        "load_before": load_before,
        "load_after": _load(),
    }
    if stage == "roster":
        row["rosters"] = int(table["roster_status"].isin(["OPTIMAL", "FEASIBLE"]).sum())
        table.to_csv(RESULTS / f"sweep_roster_{executor}.csv", index=False)
    print(json.dumps(row), flush=True)
    row["_table"] = table
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("roster", "requirements"), default=None)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    plan = [("requirements", REQUIREMENTS_GRID, "requirements"), ("roster", ROSTER_GRID, "roster")]
    for name, grid, stage in plan:
        if args.only and name != args.only:
            continue
        pair = [_run(name, grid, stage, executor) for executor in ("serial", "cluster")]
        serial, cluster = pair
        speedup = serial["wall_seconds"] / cluster["wall_seconds"]
        for row in pair:
            row["speedup"] = speedup if row is cluster else 1.0
        if stage == "roster":
            a, b = serial["_table"], cluster["_table"]
            same = (a["paid_hours"] == b["paid_hours"]) & (
                a["understaffing_agent_hours"] == b["understaffing_agent_hours"]
            )
            cluster["same_roster_figures_as_serial"] = int(same.sum())
            cluster["mean_abs_paid_hours_difference"] = float(
                (a["paid_hours"] - b["paid_hours"]).abs().mean()
            )
        rows.extend(pair)
    for row in rows:
        row.pop("_table", None)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    info = {
        "commit": commit,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "rows": rows,
    }
    out = RESULTS / ("sweep.json" if args.only is None else f"sweep_{args.only}.json")
    out.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print()
    print(
        "| sweep | run | cases | wall (s) | sum of case times (s) | speed-up "
        "| overhead per case (s) | load before / after |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['sweep']} | {row['executor']} | {row['cases']} | {row['wall_seconds']:.1f} "
            f"| {row['case_seconds_sum']:.1f} | {row['speedup']:.2f} "
            f"| {row['overhead_per_case_seconds']:.3f} "
            f"| {row['load_before']} / {row['load_after']} |"
        )
    print(f"\ncommit {commit}; {info['machine']}; wrote {out}")


if __name__ == "__main__":
    main()
