"""Re-rostering the example week after two absences: wall time and what changed.

Publishes the roster of ``examples/contact_center/scenario.yaml`` (``wfm
roster``), then re-rosters it after ``examples/reroster/changes.yaml`` (two
absences, Monday and Tuesday locked) with ``wfm reroster``, and prints one
Markdown row: the time limit, the re-roster's wall time (the whole command,
from reading the files to writing them), the change summary and the new
roster's service. Run from the repository root::

    python benchmarks/reroster.py --time-limit 15 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from wfm.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "contact_center" / "scenario.yaml"
CHANGES = ROOT / "examples" / "reroster" / "changes.yaml"


def run(time_limit: float, workers: int, publish_limit: float) -> str:
    """Publish, re-roster, and return the Markdown row."""
    with tempfile.TemporaryDirectory() as tmp:
        published = Path(tmp) / "published"
        common = ["--workers", str(workers), "--seed", "0"]
        code = main(
            [
                "roster",
                str(SCENARIO),
                "-o",
                str(published),
                "--time-limit",
                str(publish_limit),
                *common,
                "-q",
            ]
        )
        if code != 0:
            raise SystemExit(f"wfm roster exited {code}")
        out = Path(tmp) / "rerostered"
        started = time.perf_counter()
        code = main(
            [
                "reroster",
                str(SCENARIO),
                "--published",
                str(published),
                "--changes",
                str(CHANGES),
                "-o",
                str(out),
                "--time-limit",
                str(time_limit),
                *common,
            ]
        )
        wall = time.perf_counter() - started
        if code != 0:
            raise SystemExit(f"wfm reroster exited {code}")
        summary = json.loads((out / "summary.json").read_text())
        before = json.loads((published / "summary.json").read_text())
    c = summary["changes"]
    load = os.getloadavg()[0]
    return (
        f"| {time_limit:g} | {wall:.1f} | {c['shifts_moved']} | {c['shifts_added']} | "
        f"{c['shifts_removed']} | {c['breaks_moved']} | {c['paid_hours_changed']:+.1f} | "
        f"{c['agents_touched']} | {100 * before['service_level']:.1f}% -> "
        f"{100 * summary['service_level']:.1f}% | {load:.1f} |"
    )


def main_() -> None:
    """Command line of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=15.0)
    parser.add_argument("--publish-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(
        "| time limit (s) | wall (s) | shifts moved | added | removed | breaks moved | "
        "paid hours | agents touched | service level | load |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print(run(args.time_limit, args.workers, args.publish_limit))


if __name__ == "__main__":
    main_()
