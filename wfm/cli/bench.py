"""``wfm bench``: time the roster solver on generated weeks or scenario files.

Each run happens in a fresh process (see :mod:`wfm.benchmark`); progress goes
to standard error, the results table to standard output (``--json`` or
``--csv`` for machines, ``--output`` to also save a CSV file).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from wfm.benchmark import BenchmarkRun, format_table, resolve_instances, run_instance, runs_to_frame
from wfm.datasets.instances import FAMILIES, family
from wfm.errors import ValidationError
from wfm.roster.options import SolverOptions

__all__ = ["TABLE_COLUMNS", "progress_line", "register", "run"]

#: Columns of the printed table and their headers (the gap as a percentage, as everywhere
#: on screen; the CSV and JSON keep ``relative_gap``, a fraction).
TABLE_COLUMNS: dict[str, str] = {
    "instance": "instance",
    "seed": "seed",
    "workers": "workers",
    "status": "status",
    "first_solution_seconds": "first_s",
    "within_1pct_seconds": "1%_s",
    "wall_time_seconds": "solve_s",
    "gap_percent": "gap_%",
    "understaffing_agent_hours": "under_h",
    "lb_understaffing_agent_hours": "lb_under_h",
    "overstaffing_agent_hours": "over_h",
    "service_level": "SL",
    "paid_hours": "paid_h",
    "hard_violations": "hard_viol",
    "peak_memory_mb": "mem_MB",
}


def register(subparsers: Any) -> None:
    """Add the ``bench`` subcommand."""
    parser = subparsers.add_parser(
        "bench",
        help="benchmark the roster solver on generated weeks or scenario files",
        description=(
            "Solve generated benchmark weeks (a family with --family, or instance names "
            "such as a100-i15-flex-brk-mixed-s0) or scenario YAML files, each in a fresh "
            "process, and print status, gap, time to the first roster and to within 1% of "
            "the final objective, under-staffing against its lower bound, service level, "
            "paid hours, hard-rule violations found by the independent checker and peak memory."
        ),
    )
    parser.add_argument(
        "instances",
        nargs="*",
        help="scenario YAML files and/or generated instance names",
    )
    parser.add_argument("--family", help="a named family of generated instances (see --list)")
    parser.add_argument("--list", action="store_true", help="list the instance families and exit")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="solver time limit per run in seconds (default 60); the time limit, workers "
        "and seeds given here override a scenario's own solver settings",
    )
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[2], help="CP-SAT workers (default 2)"
    )
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0], help="solver seeds (default 0)"
    )
    parser.add_argument(
        "--max-deterministic-time",
        type=float,
        default=None,
        metavar="T",
        help="limit in CP-SAT deterministic time units, for reproducible runs",
    )
    parser.add_argument(
        "--no-check",
        action="store_true",
        help="skip re-reading each roster with the independent checker",
    )
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print JSON records instead")
    form.add_argument("--csv", action="store_true", help="print CSV instead")
    parser.add_argument("-o", "--output", type=Path, help="also write the results as CSV here")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(func=run)


def _progress_printer(prefix: str) -> Any:
    """Print each progress event as a line; the gap is a percentage, as in ``wfm roster``."""

    def show(event: dict[str, Any]) -> None:
        print(f"{prefix} {progress_line(event)}", file=sys.stderr, flush=True)

    return show


def progress_line(event: dict[str, Any]) -> str:
    """One line for a progress event of :func:`wfm.benchmark.run_instance`.

    Examples
    --------
    >>> progress_line({"elapsed_seconds": 2.0, "objective": 120.0, "best_bound": 90.0,
    ...                "relative_gap": 0.25, "phase": "CP-SAT", "kind": "solution"})
    '    2.0 s  CP-SAT  objective 120.0  bound 90.0  gap 25.00%'
    >>> progress_line({"elapsed_seconds": 0.1, "objective": None, "best_bound": None,
    ...                "relative_gap": None, "phase": "greedy start", "kind": "phase"})
    '    0.1 s  greedy start starts'
    """
    phase = event.get("phase") or ""
    time_text = f"{event['elapsed_seconds']:7.1f} s"
    if event.get("kind") == "phase":
        if event.get("objective") is None:
            return f"{time_text}  {phase} starts"
        head = f"{time_text}  {phase} starts:  "
    else:
        head = f"{time_text}  {phase}  " if phase else f"{time_text}  "
    objective, bound, gap = (
        event.get("objective"),
        event.get("best_bound"),
        event.get("relative_gap"),
    )
    return (
        f"{head}objective {_fmt(objective, '.1f')}  bound {_fmt(bound, '.1f')}"
        f"  gap {_fmt(None if gap is None else 100 * gap, '.2f', '%')}"
    )


def _percent(fraction: Any) -> str:
    if fraction is None or fraction != fraction:  # NaN: no gap
        return "-"
    return _fmt(100 * float(fraction), ".2f")


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:{spec}}{suffix}"


def run(args: argparse.Namespace) -> int:
    """Run the benchmark described by ``args``; exit code 1 if a run failed."""
    if args.list:
        for name, (description, specs) in FAMILIES.items():
            print(f"{name:11s} {description}")
            for spec in specs:
                print(f"{'':11s}   {spec.name}")
        return 0
    items = list(args.instances)
    if args.family is not None:
        items = [spec.name for spec in family(args.family)] + items
    if not items:
        raise ValidationError("instances", [], "scenario files, instance names or --family")
    items = resolve_instances(items)
    if any(w < 1 for w in args.workers):
        raise ValidationError("--workers", args.workers, "whole numbers >= 1")
    if any(s < 0 for s in args.seeds):
        raise ValidationError("--seeds", args.seeds, "whole numbers >= 0")
    plan = [(item, w, s) for item in items for w in args.workers for s in args.seeds]
    runs: list[BenchmarkRun] = []
    for k, (item, workers, seed) in enumerate(plan, start=1):
        prefix = (
            f"[{k}/{len(plan)}] {Path(item).stem if item.endswith(('.yaml', '.yml')) else item}"
        )
        prefix += f" seed={seed} workers={workers}"
        if not args.quiet:
            print(f"{prefix}: building and solving ...", file=sys.stderr, flush=True)
        options = SolverOptions(
            time_limit_seconds=args.time_limit,
            workers=workers,
            seed=seed,
            max_deterministic_time=args.max_deterministic_time,
        )
        result = run_instance(
            item,
            options,
            check=not args.no_check,
            progress=None if args.quiet else _progress_printer(prefix),
        )
        if not args.quiet:
            outcome = result.error if result.error else result.status
            print(f"{prefix}: {outcome}", file=sys.stderr, flush=True)
        runs.append(result)
    frame = runs_to_frame(runs)
    if args.output is not None:
        frame.to_csv(args.output, index=False)
    if args.json:
        print(json.dumps([r.to_dict() for r in runs], indent=2))
    elif args.csv:
        print(frame.to_csv(index=False), end="")
    else:
        shown = frame.assign(gap_percent=[_percent(g) for g in frame["relative_gap"]])
        print(format_table(shown, list(TABLE_COLUMNS), headers=list(TABLE_COLUMNS.values())))
        for r in runs:
            if r.error:
                print(f"{r.instance}: {r.error}")
    return 1 if any(r.error for r in runs) else 0
