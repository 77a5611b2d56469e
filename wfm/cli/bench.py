"""``wfm bench``: time the roster solver on generated weeks or scenario files.

Each run happens in a fresh process (see :mod:`wfm.benchmark`); progress goes
to standard error, the results table to standard output (``--json`` or
``--csv`` for machines, ``--output`` to also save a CSV file).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from wfm.benchmark import BenchmarkRun, format_table, resolve_instances, run_instance, runs_to_frame
from wfm.datasets.instances import FAMILIES, family
from wfm.errors import ValidationError
from wfm.roster.options import SolverOptions

__all__ = ["TABLE_COLUMNS", "register", "run"]

#: Columns of the printed table and their headers.
TABLE_COLUMNS: dict[str, str] = {
    "instance": "instance",
    "seed": "seed",
    "workers": "workers",
    "status": "status",
    "first_solution_seconds": "first_s",
    "within_1pct_seconds": "1%_s",
    "wall_time_seconds": "solve_s",
    "relative_gap": "gap",
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
    def show(event: dict[str, float]) -> None:
        gap = event.get("relative_gap")
        gap_text = "-" if gap is None else f"{gap:.3f}"
        print(
            f"{prefix} {event['elapsed_seconds']:7.1f} s  objective {event['objective']:.1f}"
            f"  gap {gap_text}",
            file=sys.stderr,
            flush=True,
        )

    return show


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
        print(format_table(frame, list(TABLE_COLUMNS), headers=list(TABLE_COLUMNS.values())))
        for r in runs:
            if r.error:
                print(f"{r.instance}: {r.error}")
    return 1 if any(r.error for r in runs) else 0
