"""``wfm forecast``: history CSV in, interval forecast CSV out.

Reads interval counts (or call records with ``--records``), backtests the
method(s), prints the backtest table and the chosen method, and writes the
forecast in the layout ``wfm requirements`` reads.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import re
import sys
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from wfm.cli.checks import MAX_FORECAST_DAYS, check_output_file, iso_date
from wfm.errors import ValidationError
from wfm.forecast import (
    METHODS,
    AutoForecaster,
    Forecaster,
    SeasonalNaive,
    backtest,
    make_forecaster,
    summarize_backtest,
)
from wfm.history import History, read_call_records, read_interval_counts

__all__ = ["read_special_days", "register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``forecast`` subcommand."""
    parser = subparsers.add_parser(
        "forecast",
        help="forecast calls and AHT per interval from history, with a backtest",
        description=(
            "Forecast calls and AHT per interval from a history CSV (interval counts, or "
            "call records with --records). Prints a rolling-origin backtest and the method "
            "chosen, and writes a forecast CSV that 'wfm requirements' reads."
        ),
    )
    parser.add_argument("history", type=Path, help="history CSV file")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="forecast CSV file to write ('-': standard output)",
    )
    parser.add_argument(
        "--start",
        help="first day to forecast, YYYY-MM-DD (default: the day after the history)",
    )
    parser.add_argument(
        "--days",
        type=int,
        default=7,
        help=f"days to forecast (default 7, at most {MAX_FORECAST_DAYS})",
    )
    parser.add_argument(
        "--interval",
        type=int,
        help="interval minutes of the forecast; may be coarser than the history "
        "(default: the history's grid; required with --records)",
    )
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="auto",
        help="forecasting method (default: auto, chosen by backtest WAPE)",
    )
    parser.add_argument(
        "--folds", type=int, default=3, help="backtest folds of --days days (default 3)"
    )
    parser.add_argument(
        "--special-days",
        type=Path,
        help="CSV with a 'date' column (excluded from fitting) and an optional "
        "'multiplier' column (applied to that date when it is forecast; 0 closes it)",
    )
    parser.add_argument(
        "--default-aht-seconds",
        type=float,
        help="AHT to use when the history has none",
    )
    parser.add_argument(
        "--records",
        action="store_true",
        help="the history holds one row per call (arrival time, handle seconds)",
    )
    parser.add_argument(
        "--timestamp-column",
        default="interval_start",
        help="interval-start column of interval counts (default interval_start)",
    )
    parser.add_argument(
        "--calls-column", default="calls", help="calls column of interval counts (default calls)"
    )
    parser.add_argument(
        "--aht-column",
        default="aht_seconds",
        help="AHT column of interval counts, seconds (default aht_seconds; optional)",
    )
    parser.add_argument(
        "--arrival-column",
        default="arrival_time",
        help="arrival-time column of call records (default arrival_time)",
    )
    parser.add_argument(
        "--handle-column",
        default="handle_seconds",
        help="handle-time column of call records, seconds (default handle_seconds)",
    )
    parser.add_argument(
        "--outcome-column",
        default=None,
        help="optional outcome column of call records (answered or abandoned)",
    )
    parser.set_defaults(func=run)


def read_special_days(path: Path) -> tuple[list[pd.Timestamp], dict[pd.Timestamp, float]]:
    """Read a special-days CSV: ``date`` and optional ``multiplier`` columns.

    Parameters
    ----------
    path
        CSV file with a header.

    Returns
    -------
    tuple
        (every listed date, ``{date: multiplier}`` for rows with a multiplier).
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ValidationError(
            str(path), "an empty file", "a CSV file with a 'date' column"
        ) from None
    if "date" not in frame.columns:
        raise ValidationError(f"{path} columns", list(frame.columns), "a 'date' column")
    days: list[pd.Timestamp] = []
    multipliers: dict[pd.Timestamp, float] = {}
    for i, row in frame.iterrows():
        line = int(i) + 2  # type: ignore[call-overload]
        text = row["date"].strip()
        try:
            # ISO only: 05/01/2027 would silently be read as the 1st of May
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            day = pd.Timestamp(text)
        except ValueError:
            raise ValidationError(f"{path} line {line} date", row["date"], "YYYY-MM-DD") from None
        if day is pd.NaT or day != day.normalize():
            raise ValidationError(f"{path} line {line} date", row["date"], "YYYY-MM-DD")
        days.append(day)
        text = str(row.get("multiplier", "")).strip()
        if text:
            try:
                factor = float(text)
            except ValueError:
                factor = math.nan
            if not math.isfinite(factor) or factor < 0:
                raise ValidationError(f"{path} line {line} multiplier", text, "a number >= 0")
            multipliers[day] = factor
    return days, multipliers


def _read(args: argparse.Namespace) -> History:
    if args.records:
        if args.interval is None:
            raise ValidationError("--interval", None, "interval minutes (needed with --records)")
        return read_call_records(
            args.history,
            interval_minutes=args.interval,
            arrival_column=args.arrival_column,
            handle_column=args.handle_column,
            outcome_column=args.outcome_column,
        )
    return read_interval_counts(
        args.history,
        interval_minutes=args.interval,
        timestamp_column=args.timestamp_column,
        calls_column=args.calls_column,
        aht_column=args.aht_column,
    )


def _table(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for column in ("wape", "mean_fold_wape", "daily_mape", "bias"):
        if column in shown:
            # undefined (no actual calls in the fold) shows as "-", not "nan%"
            shown[column] = shown[column].map(
                lambda v: f"{100 * v:6.2f}%" if math.isfinite(v) else "-"
            )
    for column in ("actual_calls", "forecast_calls"):
        if column in shown:
            shown[column] = shown[column].map(lambda v: f"{v:.0f}")
    if "cutoff" in shown:
        shown["cutoff"] = shown["cutoff"].dt.strftime("%Y-%m-%d")
    return shown.to_string(index=False)


def run(args: argparse.Namespace) -> int:
    """Run ``wfm forecast``; return the exit code.

    With ``-o -`` the forecast CSV goes to standard output and everything
    else the command prints (the backtest, the method) to standard error.
    """
    if str(args.output) == "-":
        table = sys.stdout
        with contextlib.redirect_stdout(sys.stderr):
            return _run(args, table)
    return _run(args, None)


def _run(args: argparse.Namespace, table: TextIO | None) -> int:
    if not 1 <= args.days <= MAX_FORECAST_DAYS:
        raise ValidationError("--days", args.days, f"an integer from 1 to {MAX_FORECAST_DAYS}")
    if args.folds < 1:
        raise ValidationError("--folds", args.folds, "an integer >= 1")
    check_output_file(args.output, option="--output")
    special: list[pd.Timestamp] = []
    multipliers: dict[pd.Timestamp, float] = {}
    if args.special_days is not None:
        special, multipliers = read_special_days(args.special_days)
    start: pd.Timestamp | None = None
    if args.start is not None:
        start = pd.Timestamp(iso_date(args.start, option="--start"))
    history = _read(args)
    print(f"history {args.history}:")
    print("  " + str(history.summary).replace("\n", "\n  "))
    if history.data.empty:
        raise ValidationError("history", str(args.history), "at least one usable interval")
    last = history.data["interval_start"].max().normalize()
    if start is None:
        start = last + pd.Timedelta(days=1)
    common: dict[str, Any] = {
        "special_days": special,
        "multipliers": multipliers or None,
        "default_aht_seconds": args.default_aht_seconds,
    }
    if not history.has_aht and args.default_aht_seconds is None:
        raise ValidationError(
            "--default-aht-seconds", None, "seconds > 0: the history has no AHT column or values"
        )
    model: Forecaster
    if args.method == "auto":
        model = AutoForecaster(folds=args.folds, horizon_days=args.days, **common)
        model.fit(history)
        scores = model.backtest_
    else:
        model = make_forecaster(args.method, **common)
        model.fit(history)
        first = history.data["interval_start"].min().normalize()
        n_days = (last - first).days + 1
        folds = min(args.folds, (n_days - 7) // args.days)
        scores = (
            backtest(history, [SeasonalNaive(**common), model], horizon_days=args.days, folds=folds)
            if folds >= 1
            else pd.DataFrame()
        )
    if len(scores):
        print(f"\nbacktest ({args.days}-day folds, fit strictly before each cutoff):")
        run_folds = int(scores["fold"].nunique())
        if run_folds < args.folds:
            print(f"  note: {run_folds} folds, not {args.folds}: the history is too short for more")
        print(_table(scores.drop(columns=["chosen", "train_days"])))
        print("\npooled over folds:")
        print(_table(summarize_backtest(scores)))
    else:
        print("\nbacktest: history too short for one fold; no score")
    forecast = model.predict(start, args.days)
    print(f"\nmethod: {forecast.attrs['method']}")
    print(f"AHT: {forecast.attrs['aht_source']}")
    out = forecast.copy()
    out["interval_start"] = out["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    out.to_csv(args.output if table is None else table, index=False, float_format="%.4f")
    open_calls = forecast.loc[forecast["is_open"], "calls"].sum()
    print(
        f"wrote {len(out)} intervals ({int(forecast['is_open'].sum())} open, "
        f"{open_calls:.0f} calls) for {start:%Y-%m-%d} + {args.days} days to {args.output}"
    )
    return 0
