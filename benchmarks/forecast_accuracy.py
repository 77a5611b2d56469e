"""Forecast accuracy and speed benchmark.

Accuracy
    Weekly rolling-origin backtest over the last ``--folds`` weeks of the bank
    call-centre data (five-minute counts, March-June 2003; Weinberg, Brown &
    Stroud 2007, JASA 102(480)): every fold fits strictly before its cutoff
    and forecasts the next 7 days. Interval-level WAPE (pooled over folds),
    mean fold WAPE, daily-total MAPE and bias of every method, at the data's
    5-minute grid and aggregated to 15 minutes. The acceptance checks are
    auto's WAPE at least 20 % below seasonal naive's and no worse than the
    plain 4-week weekday-interval mean (``profile_mean_4w``).

    The data has three missing weekdays (2003-04-04, 2003-04-07, 2003-05-26);
    seasonal naive then uses the most recent earlier week with that weekday
    (two weeks back), interval by interval.

Speed
    Two years of synthetic 5-minute history open around the clock (about
    210,000 rows, :func:`wfm.datasets.history.synthetic_history`): read the
    CSV + fit the default (auto) forecaster + forecast 7 days, and a 6-fold
    backtest of all methods; median of ``--repeats`` runs.

Usage::

    python benchmarks/forecast_accuracy.py [--data PATH] [--folds 6] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from wfm.datasets.history import synthetic_history
from wfm.forecast import (
    AutoForecaster,
    Forecaster,
    SeasonalNaive,
    SmoothedDailyProfile,
    WeekdayProfile,
    backtest,
    summarize_backtest,
)
from wfm.history import History, read_interval_counts

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = "../shared/data/bank_calls_2003/bank_calls_2003_mar_jun.csv"


def _methods() -> list[Forecaster]:
    return [
        SeasonalNaive(),
        WeekdayProfile(weeks=4, statistic="mean"),
        WeekdayProfile(weeks=8, statistic="weighted", decay=0.8),
        WeekdayProfile(weeks=6, statistic="median"),
        SmoothedDailyProfile(),
        AutoForecaster(),
    ]


def _pct(value: float) -> str:
    return f"{100 * value:6.2f}%"


def _accuracy(
    history: History, folds: int, end: pd.Timestamp | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    scores = backtest(history, _methods(), horizon_days=7, folds=folds, end=end)
    return scores, summarize_backtest(scores).set_index("method")


def _report_accuracy(
    history: History, folds: int, label: str, end: pd.Timestamp | None = None
) -> list[str]:
    scores, pooled = _accuracy(history, folds, end)
    lines = [f"== {label}: {folds} weekly folds, {history.interval_minutes}-minute intervals =="]
    cutoffs = ", ".join(f"{c:%Y-%m-%d}" for c in scores["cutoff"].unique())
    lines.append(f"fold cutoffs (each forecasts the 7 days from it): {cutoffs}")
    chosen = scores.loc[scores["method"] == "auto", "chosen"].tolist()
    lines.append("auto chose per fold: " + ", ".join(chosen))
    lines.append(f"{'method':22s} {'WAPE':>8s} {'fold WAPE':>10s} {'day MAPE':>9s} {'bias':>8s}")
    for method, row in pooled.iterrows():
        lines.append(
            f"{method!s:22s} {_pct(row['wape']):>8s} {_pct(row['mean_fold_wape']):>10s} "
            f"{_pct(row['daily_mape']):>9s} {_pct(row['bias']):>8s}"
        )
    auto = pooled.loc["auto", "wape"]
    naive = pooled.loc["seasonal_naive", "wape"]
    mean4 = pooled.loc["profile_mean_4w", "wape"]
    gain = 1 - auto / naive
    lines.append(
        f"auto vs seasonal naive: WAPE {100 * auto:.2f}% vs {100 * naive:.2f}% "
        f"({100 * gain:.1f}% lower; target >= 20%: {'PASS' if gain >= 0.20 else 'FAIL'})"
    )
    lines.append(
        f"auto vs 4-week mean: WAPE {100 * auto:.2f}% vs {100 * mean4:.2f}% "
        f"(target auto <= mean: {'PASS' if auto <= mean4 else 'FAIL'})"
    )
    return lines


def _speed(repeats: int, folds: int) -> list[str]:
    frame = synthetic_history(
        start="2025-01-06",
        weeks=104,
        interval_minutes=5,
        seed=11,
        open_hours={d: ("00:00", "24:00") for d in range(7)},
        peak_calls=60.0,
    )
    fit_times = []
    backtest_times = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.csv"
        frame.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M", float_format="%.1f")
        for _ in range(repeats):
            t0 = time.perf_counter()
            history = read_interval_counts(path)
            model = AutoForecaster().fit(history)
            start = history.data["interval_start"].max().normalize() + pd.Timedelta(days=1)
            model.predict(start, 7)
            fit_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            backtest(history, _methods(), horizon_days=7, folds=folds)
            backtest_times.append(time.perf_counter() - t0)
    fit_median = statistics.median(fit_times)
    bt_median = statistics.median(backtest_times)
    return [
        f"== speed: {len(frame)} rows of synthetic 5-minute history (104 weeks, open 24/7) ==",
        f"read CSV + fit auto + 7-day forecast: median {fit_median:.2f} s over {repeats} runs "
        f"(target < 5 s: {'PASS' if fit_median < 5 else 'FAIL'})",
        f"{folds}-fold backtest of all {len(_methods())} methods (auto with its own 3-fold "
        f"selection inside every fold): median {bt_median:.2f} s over {repeats} runs "
        f"(target < 30 s: {'PASS' if bt_median < 30 else 'FAIL'})",
    ]


def main() -> None:
    """Run the benchmark and print its report."""
    parser = argparse.ArgumentParser(description="Forecast accuracy and speed benchmark.")
    parser.add_argument(
        "--data",
        default=DEFAULT_DATA,
        help=f"bank call counts CSV (default {DEFAULT_DATA}, relative to the repository root)",
    )
    parser.add_argument("--folds", type=int, default=6, help="weekly folds (default 6)")
    parser.add_argument("--repeats", type=int, default=5, help="speed runs (default 5)")
    parser.add_argument("--skip-speed", action="store_true", help="accuracy only")
    args = parser.parse_args()
    data = Path(args.data)
    if not data.is_absolute():
        data = (ROOT / data).resolve()
    lines = [
        "forecast accuracy benchmark",
        f"python {platform.python_version()}, pandas {pd.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}",
        "",
    ]
    history = read_interval_counts(data)
    lines.append(
        f"data: bank call centre 2003 (Weinberg, Brown & Stroud 2007), {history.summary.rows_read} "
        f"rows, missing weekdays: {', '.join(map(str, history.summary.missing_days))}"
    )
    lines += _report_accuracy(history, args.folds, "bank data")
    lines.append("")
    lines += _report_accuracy(history.aggregate(15), args.folds, "bank data")
    lines.append("")
    day_after = history.data["interval_start"].max().normalize() + pd.Timedelta(days=1)
    monday = day_after - pd.Timedelta(days=day_after.day_of_week)
    lines += _report_accuracy(
        history,
        args.folds,
        f"bank data, calendar weeks Monday-Sunday ending {monday:%Y-%m-%d}",
        end=monday,
    )
    if not args.skip_speed:
        lines.append("")
        lines += _speed(args.repeats, args.folds)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
