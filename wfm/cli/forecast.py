"""``wfm forecast``: history CSV in, interval forecast CSV out.

Reads interval counts (or call records with ``--records``, or a call log
with ``--call-log`` and ``--mapping``), backtests the method(s), prints the
backtest table, the chosen method and the intraday outliers left out of
fitting, and writes the forecast in the layout ``wfm requirements`` reads.
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
from wfm.history import History, history_from_contacts, read_call_records, read_interval_counts

__all__ = ["read_special_days", "register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``forecast`` subcommand."""
    parser = subparsers.add_parser(
        "forecast",
        help="forecast calls and AHT per interval from history, with a backtest",
        description=(
            "Forecast calls and AHT per interval from a history CSV (interval counts, or "
            "call records with --records) or a call log (--call-log with --mapping). Prints a "
            "rolling-origin backtest, the method chosen and the intraday outliers left out of "
            "fitting, and writes a forecast CSV that 'wfm requirements' reads."
        ),
    )
    parser.add_argument(
        "history",
        type=Path,
        nargs="?",
        help="history CSV file (interval counts, call records with --records, or the "
        "intervals.csv of 'wfm actuals' with --calls-column offered); not with --call-log",
    )
    parser.add_argument(
        "--call-log",
        type=Path,
        help="forecast from a call log (one row per contact) read with --mapping, counted "
        "per --interval minutes (default 30)",
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar="MAP.yaml",
        help="columns and labels of the --call-log (as for 'wfm actuals')",
    )
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
        help="AHT to use when the history has none (without it, such a history gives a "
        "volume-only forecast; 'wfm requirements --aht-seconds' then supplies the AHT)",
    )
    parser.add_argument(
        "--holidays-country",
        metavar="CC[-SUB]",
        help="public holidays of this country (and region, e.g. US, DE-BY) from the optional "
        "'holidays' package: left out of fitting, forecast closed unless the history shows "
        "them open, and their after-effects learned",
    )
    parser.add_argument(
        "--keep-outliers",
        action="store_true",
        help="do not exclude intraday outliers (spikes) from fitting",
    )
    parser.add_argument(
        "--outlier-z",
        type=float,
        help="outlier threshold in standard deviations from the fitted value (default 5)",
    )
    parser.add_argument(
        "--outliers-output",
        type=Path,
        help="CSV file to write the intraday outliers left out of fitting to",
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
    if args.call_log is not None:
        from wfm.actuals import CallLogMapping, read_call_log

        log = read_call_log(args.call_log, CallLogMapping.from_yaml(args.mapping))
        return history_from_contacts(
            log.contacts, interval_minutes=30 if args.interval is None else args.interval
        )
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
    if (args.history is None) == (args.call_log is None):
        raise ValidationError(
            "history", args.history, "either a history CSV or --call-log LOG (exactly one)"
        )
    if args.call_log is not None and args.mapping is None:
        raise ValidationError("--mapping", None, "a mapping YAML file (needed with --call-log)")
    if args.mapping is not None and args.call_log is None:
        raise ValidationError("--mapping", str(args.mapping), "only with --call-log")
    if args.call_log is not None and args.records:
        raise ValidationError("--records", True, "not with --call-log")
    if args.outlier_z is not None and not (math.isfinite(args.outlier_z) and args.outlier_z > 0):
        raise ValidationError("--outlier-z", args.outlier_z, "a number > 0")
    if args.outlier_z is not None and args.keep_outliers:
        raise ValidationError("--outlier-z", args.outlier_z, "not with --keep-outliers")
    outlier_methods = ("auto", "smoothed_profile")
    if (args.keep_outliers or args.outlier_z is not None) and args.method not in outlier_methods:
        raise ValidationError(
            "--method",
            args.method,
            f"one of {list(outlier_methods)} (the methods that exclude intraday outliers)",
        )
    check_output_file(args.output, option="--output")
    if args.outliers_output is not None:
        check_output_file(args.outliers_output, option="--outliers-output")
    special: list[pd.Timestamp] = []
    multipliers: dict[pd.Timestamp, float] = {}
    if args.special_days is not None:
        special, multipliers = read_special_days(args.special_days)
    start: pd.Timestamp | None = None
    if args.start is not None:
        start = pd.Timestamp(iso_date(args.start, option="--start"))
    if args.holidays_country is not None:
        try:  # the calendar is checked before any reading or fitting
            SeasonalNaive(holidays=args.holidays_country)
        except ValidationError as exc:
            raise ValidationError("--holidays-country", exc.value, exc.expected) from None
    history = _read(args)
    source = args.history if args.call_log is None else args.call_log
    print(f"history {source}:")
    print("  " + str(history.summary).replace("\n", "\n  "))
    if history.data.empty:
        raise ValidationError("history", str(source), "at least one usable interval")
    last = history.data["interval_start"].max().normalize()
    if start is None:
        start = last + pd.Timedelta(days=1)
    common: dict[str, Any] = {
        "special_days": special,
        "multipliers": multipliers or None,
        "default_aht_seconds": args.default_aht_seconds,
        "holidays": args.holidays_country,
    }
    outliers: dict[str, Any] = {}
    if args.keep_outliers:
        outliers["exclude_outliers"] = False
    if args.outlier_z is not None:
        outliers["outlier_z"] = args.outlier_z
    model: Forecaster
    if args.method == "auto":
        model = AutoForecaster(folds=args.folds, horizon_days=args.days, **common, **outliers)
        model.fit(history)
        scores = model.backtest_
    else:
        model = make_forecaster(args.method, **common, **outliers)
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
    _print_outliers(model, args)
    out = forecast.copy()
    out["interval_start"] = out["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    out.to_csv(args.output if table is None else table, index=False, float_format="%.4f")
    open_calls = forecast.loc[forecast["is_open"], "calls"].sum()
    print(
        f"wrote {len(out)} intervals ({int(forecast['is_open'].sum())} open, "
        f"{open_calls:.0f} calls) for {start:%Y-%m-%d} + {args.days} days to {args.output}"
    )
    return 0


def _print_outliers(model: Forecaster, args: argparse.Namespace) -> None:
    """Say which intraday outliers the fitted method left out, and write them if asked."""
    fitted = model.best_ if isinstance(model, AutoForecaster) else model
    found: pd.DataFrame | None = getattr(fitted, "outliers_", None)
    if args.keep_outliers:
        print("intraday outliers: kept in fitting (--keep-outliers)")
    elif found is None:
        print(f"intraday outliers: not detected by {fitted.name}")
    else:
        z = 5.0 if args.outlier_z is None else args.outlier_z
        print(f"intraday outliers left out of fitting (> {z:g} sd from the fit): {len(found)}")
        shown = found.head(_OUTLIERS_SHOWN).copy()
        if len(shown):
            shown["interval_start"] = shown["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
            shown["expected_calls"] = shown["expected_calls"].round(1)
            print("  " + shown.to_string(index=False).replace("\n", "\n  "))
            if len(found) > _OUTLIERS_SHOWN:
                print(f"  ... and {len(found) - _OUTLIERS_SHOWN} more")
    if args.outliers_output is not None:
        table = (
            found
            if found is not None
            else pd.DataFrame(columns=["interval_start", "calls", "expected_calls"])
        )
        table.to_csv(
            args.outliers_output, index=False, date_format="%Y-%m-%d %H:%M", float_format="%.4f"
        )
        print(f"wrote {len(table)} outliers to {args.outliers_output}")


#: Outliers listed on the screen (all go to --outliers-output).
_OUTLIERS_SHOWN = 10
