"""Does ``--time-limit T`` bound the wall time of ``wfm roster``?

For each generated week of the scaling family (25-500 agents) the instance is
written as a scenario, then ``wfm roster SCENARIO --time-limit T --workers 2``
runs as a fresh process and its wall time is measured from outside, start of
the process to exit, so Python start-up, reading, the model build, every
search phase, the bound and the writing of the tables are all counted.

Usage (from the repository root)::

    python benchmarks/time_limit.py --time-limits 5 20 --sizes 25 50 100 200 500

Prints one row per run (instance, T, wall seconds, overhead = wall - T,
status) and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wfm.datasets.instances import family, write_instance


def _run(scenario: Path, out: Path, time_limit: float, workers: int) -> tuple[float, str]:
    begin = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "wfm",
            "roster",
            str(scenario),
            "-o",
            str(out),
            "--time-limit",
            str(time_limit),
            "--workers",
            str(workers),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - begin
    status = "?"
    summary = out / "summary.json"
    if summary.exists():
        status = json.loads(summary.read_text(encoding="utf-8")).get("status", "?")
    elif done.returncode != 0:
        status = f"exit {done.returncode}"
    return wall, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limits", type=float, nargs="+", default=[5.0, 20.0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200, 500])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    specs = [s for s in family("scaling") if s.agents in set(args.sizes)]
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'instance':32s} {'T (s)':>6s} {'wall (s)':>9s} {'overhead (s)':>13s}  status")
    with tempfile.TemporaryDirectory() as tmp:
        for spec in specs:
            scenario = write_instance(spec, tmp, workers=args.workers)
            for limit in args.time_limits:
                out = Path(tmp) / f"{spec.name}-out-{limit:g}"
                wall, status = _run(scenario, out, limit, args.workers)
                print(f"{spec.name:32s} {limit:6.0f} {wall:9.1f} {wall - limit:13.1f}  {status}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
