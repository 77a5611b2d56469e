"""``wfm batch``: roster several scenarios, each into its own folder, with one summary.

Example::

    wfm batch examples/contact_center/scenario.yaml \\
        examples/contact_center/scenario_14_days.yaml -o batch/ --time-limit 30

Every scenario is read and validated, and its demand forecast and staffed,
before any roster is solved; each roster is then one task, on the same
executors as ``wfm sweep`` (a local dask cluster when dask.distributed is
installed, ``--scheduler``, or ``--serial``). As each finishes, its files
(those of ``wfm roster``, see :mod:`wfm.sweep.batch`) go to
``OUTDIR/<scenario name>/`` and a line is printed; ``OUTDIR/summary.csv``
has one row per scenario.

Exit codes: 0 every scenario has a roster; 1 some scenario failed or has no
roster (see its row); 2 bad input.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from wfm.cli.checks import check_output_dir
from wfm.cli.sweep import add_executor_options, executor_options
from wfm.errors import ValidationError

__all__ = ["register", "run"]

_DESCRIPTION = (
    "Roster several scenarios (sites, queues, weeks), each into OUTDIR/<name>/ with the files "
    "of 'wfm roster', and write OUTDIR/summary.csv with one row per scenario. The solves run "
    "on a dask cluster when dask.distributed is installed, else one after another."
)


def register(subparsers: Any) -> None:
    """Add the ``batch`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "batch", help="roster several scenarios, one summary", description=_DESCRIPTION
    )
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO.yaml", help="scenario files")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR")
    parser.add_argument(
        "--time-limit", type=float, default=None, metavar="S", help="roster time limit of each"
    )
    parser.add_argument("--seed", type=int, default=None, metavar="K", help="roster search seed")
    add_executor_options(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no line per scenario")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``wfm batch``; see the module docstring."""
    from wfm.sweep import batch

    if args.output == "-":
        raise ValidationError("-o/--output", args.output, "a directory for the folders")
    if args.time_limit is not None and not (math.isfinite(args.time_limit) and args.time_limit > 0):
        raise ValidationError("--time-limit", args.time_limit, "a finite number of seconds > 0")
    if args.seed is not None and args.seed < 0:
        raise ValidationError("--seed", args.seed, "a whole number >= 0")
    where = executor_options(args)
    for path in args.scenarios:
        if not Path(path).is_file():
            raise ValidationError("SCENARIO.yaml", path, "an existing scenario file")
    out = Path(args.output)
    check_output_dir(out, option="-o", files=("summary.csv",))
    err = sys.stderr

    def show(done: int, total: int, folder: str, row: dict[str, Any]) -> None:
        head = f"[{done:>{len(str(total))}}/{total}] {folder}"
        if row["error"] is not None:
            print(f"{head}: FAILED {row['error']}", file=err, flush=True)
        elif not args.quiet:
            level = row.get("service_level_rostered")
            service = "-" if level is None else f"{100 * level:.1f}%"
            print(
                f"{head}: {row.get('roster_status')} paid {row.get('paid_hours') or 0:,.1f} h, "
                f"service {service}, {row['wall_time_seconds']:.1f} s on {row['worker']}",
                file=err,
                flush=True,
            )

    result = batch(
        args.scenarios,
        out,
        time_limit_seconds=args.time_limit,
        seed=args.seed,
        progress=show,
        notes=lambda text: print(f"note: {text}", file=err, flush=True),
        **where,
    )
    table = result.table
    shown = table[
        ["scenario", "folder", "roster_status", "paid_hours", "service_level_rostered", "error"]
    ]
    print(shown.astype(object).where(shown.notna(), "-").to_string(index=False))
    print(f"{len(table)} scenarios in {result.wall_time_seconds:.1f} s, {result.executor}")
    print(f"wrote summary.csv and {len(table)} folders to {out}")
    ok = table["roster_status"].isin(["OPTIMAL", "FEASIBLE"]) & table["error"].isna()
    return 0 if bool(ok.all()) else 1
