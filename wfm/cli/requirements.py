"""``wfm requirements``: staffing requirements per interval from a forecast CSV.

Example::

    wfm requirements examples/forecast_week.csv --target 0.8/20 --shrinkage 0.3 -o req.csv
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from wfm import staffing
from wfm.cli.checks import check_output_file
from wfm.cli.erlang import add_policy_options, policy_from_args
from wfm.errors import DataError
from wfm.tables import read_csv_file

__all__ = ["read_forecast_csv", "register", "run"]

_DESCRIPTION = (
    "Turn a forecast CSV (interval_start, calls, optional aht_seconds and is_open) into "
    "per-interval staffing requirements: agents on the phone meeting the service target, "
    "agents to schedule after shrinkage, and the service they give."
)


def register(subparsers: Any) -> None:
    """Add the ``requirements`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "requirements",
        help="per-interval agent requirements from a forecast CSV",
        description=_DESCRIPTION,
    )
    parser.add_argument("forecast", metavar="FORECAST.csv", help="forecast CSV file")
    parser.add_argument(
        "-o",
        "--output",
        default=None,
        help="write the requirements CSV here ('-' or none: standard output)",
    )
    add_policy_options(parser)
    parser.add_argument(
        "--aht-seconds",
        type=float,
        default=None,
        help="AHT for every interval when the CSV has no aht_seconds column",
    )
    parser.add_argument(
        "--interval-minutes",
        type=float,
        default=None,
        help="interval length (default: the most common spacing of interval_start)",
    )
    parser.add_argument(
        "--min-agents",
        type=int,
        default=0,
        help="minimum agents on the phone in every open interval (default 0)",
    )
    parser.set_defaults(func=run)


def read_forecast_csv(path: str) -> pd.DataFrame:
    """Read a forecast CSV and parse ``interval_start`` into timestamps.

    Parameters
    ----------
    path
        CSV file with at least ``interval_start`` and ``calls``.

    Returns
    -------
    pandas.DataFrame
        The table with ``interval_start`` as datetime64 (time-zone aware when
        the timestamps carry one common offset).

    Raises
    ------
    DataError
        If ``interval_start`` is missing or a value cannot be parsed.
    """
    frame = read_csv_file(path, what="a forecast CSV file with a header row")
    if "interval_start" not in frame.columns:
        raise DataError("forecast", sorted(map(str, frame.columns)), "an interval_start column")
    if frame.empty:
        raise DataError("forecast", path, "at least one interval (the file has a header only)")
    raw = frame["interval_start"]
    try:
        parsed = pd.to_datetime(raw, format="ISO8601")
    except (ValueError, TypeError):
        parsed = None
    if parsed is None or parsed.isna().any():
        for i, value in enumerate(raw.tolist()):
            try:
                ok = not pd.isna(pd.to_datetime(value, format="ISO8601"))
            except (ValueError, TypeError):
                ok = False
            if not ok:
                # CSV line number: the header is line 1.
                raise DataError(f"interval_start[line {i + 2}]", value, "an ISO 8601 timestamp")
        raise DataError(
            "interval_start", "mixed time zones", "timestamps with one common UTC offset"
        )
    frame["interval_start"] = parsed
    return frame


def _summary(req: pd.DataFrame, output: str) -> str:
    minutes = float(req.attrs["interval_minutes"])
    open_rows = req["is_open"].to_numpy(dtype=bool)
    hours = float(req["required_scheduled"].sum()) * minutes / 60.0
    weekly = staffing.weekly_service_level(
        req["calls"].to_numpy()[open_rows], req["service_level"].to_numpy()[open_rows]
    )
    peak = int(req["required_scheduled"].max()) if len(req) else 0
    return (
        f"wrote {len(req)} intervals to {output} ({int(open_rows.sum())} open): "
        f"peak {peak} agents scheduled, {hours:.1f} scheduled agent-hours, "
        f"call-weighted service level {weekly:.3f}"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``wfm requirements``; return the exit code."""
    policy = policy_from_args(args)
    if args.output is not None:
        check_output_file(Path(args.output), option="--output")
    forecast = read_forecast_csv(args.forecast)
    try:
        req = staffing.requirements(
            forecast,
            policy=policy,
            aht_seconds=args.aht_seconds,
            interval_minutes=args.interval_minutes,
            min_agents=args.min_agents,
        )
    except DataError as exc:
        # Name the line of the file (header = line 1) rather than the table row.
        field = re.sub(r"\[row (\d+)\]", lambda m: f"[line {int(m.group(1)) + 2}]", exc.field)
        raise DataError(field, exc.value, exc.expected) from None
    if args.output is None or args.output == "-":
        req.to_csv(sys.stdout, index=False)
        return 0
    req.to_csv(args.output, index=False)
    print(_summary(req, args.output))
    return 0
