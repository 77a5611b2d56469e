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

    ``auto_previous`` is the default before the smoothed profiles were added
    (auto choosing among the first five methods only). The ``_cal`` row is
    the smoothed profile with calendar effects (days after closures, month
    start, middle and end, learned from the history before each cutoff).

Poisson noise floor
    The expected WAPE of a forecast that knew each interval's true mean
    ``lambda``: sum of E|X - lambda| over sum of lambda, with X Poisson. Each
    interval's ``lambda`` is estimated by its own observed count (plug-in)
    and E|X - lambda| = 2 exp(-lambda) lambda^(k+1) / k!, k = floor(lambda),
    is exact for the Poisson distribution. Simulating Poisson counts from
    the kernel-smoothed actuals shows the plug-in estimate is low by about
    0.1 % of itself at 5 minutes on these weeks. Every method's ratio to the
    floor is reported, and the acceptance check: auto's excess over 1.0 at
    least a quarter smaller than ``auto_previous``'s.

Band coverage
    Share of the open, observed intervals of the held-out folds inside the
    80 % band of auto's forecast (fitted before each cutoff): the band
    calibrated on auto's own inner-backtest errors, and the dispersion band
    of the same winning method, at 5 and 15 minutes; the calibrated band's
    coverage by day of the horizon and by 4-hour block of the day. Target
    75-85 %.

Anonymous Bank
    The call log of 1-14 February 1999 (Brown et al. 2005), counted per 30
    and 60 minutes (every offered call, answered or abandoned): the second
    week forecast from the first alone, auto against seasonal naive.

    The data has three missing weekdays (2003-04-04, 2003-04-07, 2003-05-26);
    seasonal naive then uses the most recent earlier week with that weekday
    (two weeks back), interval by interval.

Speed
    Two years of synthetic 5-minute history open around the clock (about
    210,000 rows, :func:`wfm.datasets.history.synthetic_history`): read the
    CSV + fit the default (auto) forecaster + forecast 7 days, and a 6-fold
    backtest of all methods; median of ``--repeats`` runs.

Usage::

    python benchmarks/forecast_accuracy.py [--data PATH] [--call-log PATH] [--folds 6] [--repeats 5]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.actuals import CallLogMapping, read_call_log
from wfm.datasets.history import synthetic_history
from wfm.forecast import (
    AutoForecaster,
    Forecaster,
    SeasonalNaive,
    SmoothedDailyProfile,
    SmoothedProfile,
    WeekdayProfile,
    backtest,
    summarize_backtest,
)
from wfm.history import History, history_from_contacts, read_interval_counts

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = "../shared/data/bank_calls_2003/bank_calls_2003_mar_jun.csv"
DEFAULT_CALL_LOG = "../shared/data/anonymous_bank_1999/calls_1999-02-01_14.tsv"
MAPPING = ROOT / "examples" / "call_logs" / "anonymous_bank_mapping.yaml"


class _PreviousAuto(AutoForecaster):
    """The default before the smoothed profiles: auto over the first five methods."""

    method = "auto_previous"


def _previous_candidates() -> list[Forecaster]:
    return [
        SeasonalNaive(),
        WeekdayProfile(weeks=4, statistic="mean"),
        WeekdayProfile(weeks=8, statistic="weighted", decay=0.8),
        WeekdayProfile(weeks=6, statistic="median"),
        SmoothedDailyProfile(),
    ]


def _methods() -> list[Forecaster]:
    return [
        *_previous_candidates(),
        SmoothedProfile(),
        SmoothedProfile(weekday_pooling=0.0),
        SmoothedProfile(weekday_pooling=0.0, calendar_effects=True),
        _PreviousAuto(candidates=_previous_candidates()),
        AutoForecaster(),
    ]


def poisson_mean_absolute_deviation(mean: np.ndarray) -> np.ndarray:
    """E|X - mean| for X Poisson with the given means (exact)."""
    lam = np.asarray(mean, dtype=float)
    k = np.floor(lam)
    log_factorial = np.vectorize(math.lgamma)(k + 1) if lam.size else lam
    safe = np.where(lam > 0, lam, 1.0)
    value = 2.0 * np.exp((k + 1) * np.log(safe) - lam - log_factorial)
    return np.where(lam > 0, value, 0.0)


def _noise_floor(history: History, scores: pd.DataFrame) -> float:
    """Plug-in Poisson noise floor (WAPE) of the scored days of the folds."""
    data = history.data
    horizon = pd.Timedelta(days=int(scores.attrs["horizon_days"]))
    counts = []
    for cutoff in scores["cutoff"].unique():
        inside = (data["interval_start"] >= cutoff) & (data["interval_start"] < cutoff + horizon)
        counts.append(data.loc[inside, "calls"].to_numpy(dtype=float))
    actual = np.concatenate(counts)
    return float(poisson_mean_absolute_deviation(actual).sum() / actual.sum())


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
    floor = _noise_floor(history, scores)
    lines.append(f"Poisson noise floor of these weeks: WAPE {_pct(floor)}")
    lines.append(
        f"{'method':40s} {'WAPE':>8s} {'/floor':>7s} {'fold WAPE':>10s} {'day MAPE':>9s} "
        f"{'bias':>8s}"
    )
    for method, row in pooled.iterrows():
        lines.append(
            f"{method!s:40s} {_pct(row['wape']):>8s} {row['wape'] / floor:7.3f} "
            f"{_pct(row['mean_fold_wape']):>10s} {_pct(row['daily_mape']):>9s} "
            f"{_pct(row['bias']):>8s}"
        )
    previous = pooled.loc["auto_previous", "wape"] / floor
    now = pooled.loc["auto", "wape"] / floor
    cut = 1 - (now - 1) / (previous - 1)
    lines.append(
        f"auto vs auto_previous, ratio to the floor: {now:.3f} vs {previous:.3f} (excess over "
        f"1.0 {100 * cut:.1f}% smaller; target >= 25%: {'PASS' if cut >= 0.25 else 'FAIL'})"
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


def _band_coverage(history: History, folds: int) -> list[str]:
    """Coverage of auto's 80 % band on the held-out folds, overall and by group."""
    data = history.data
    last = data["interval_start"].max().normalize() + pd.Timedelta(days=1)
    hits: dict[str, list[pd.DataFrame]] = {"backtest errors": [], "dispersion": []}
    for k in range(folds, 0, -1):
        cutoff = last - pd.Timedelta(days=7 * k)
        train = read_interval_counts(data[data["interval_start"] < cutoff])
        actual = data[
            (data["interval_start"] >= cutoff)
            & (data["interval_start"] < cutoff + pd.Timedelta(days=7))
        ]
        model = AutoForecaster().fit(train)
        for label, forecast in (
            ("backtest errors", model.predict(cutoff, 7)),
            ("dispersion", model.best_.predict(cutoff, 7)),
        ):
            merged = actual.merge(forecast, on="interval_start", suffixes=("", "_forecast"))
            merged = merged[merged["is_open"]]
            hit = (merged["calls"] >= merged["calls_lower"]) & (
                merged["calls"] <= merged["calls_upper"]
            )
            stamps = merged["interval_start"]
            hits[label].append(
                pd.DataFrame(
                    {
                        "hit": hit.to_numpy(),
                        "day": ((stamps - cutoff) // pd.Timedelta(days=1)).to_numpy() + 1,
                        "block": (stamps.dt.hour // 4).to_numpy(),
                    }
                )
            )
    lines = [
        f"80% band coverage of auto on {folds} held-out weeks ({history.interval_minutes} min):"
    ]
    tables = {label: pd.concat(parts) for label, parts in hits.items()}
    for label, table in tables.items():
        share = table["hit"].mean()
        verdict = "PASS" if 0.75 <= share <= 0.85 else "FAIL"
        lines.append(
            f"  band from {label:15s} {100 * share:5.1f}% of {len(table)} intervals "
            f"(target 75-85%: {verdict})"
        )
    calibrated = tables["backtest errors"]
    by_day = calibrated.groupby("day")["hit"].agg(["mean", "size"])
    lines.append(
        "  calibrated band by day of the horizon: "
        + ", ".join(f"day {d} {100 * r['mean']:.1f}%" for d, r in by_day.iterrows())
    )
    by_block = calibrated.groupby("block")["hit"].agg(["mean", "size"])
    lines.append(
        "  calibrated band by time of day: "
        + ", ".join(
            f"{4 * b:02d}-{4 * b + 4:02d}h {100 * r['mean']:.1f}% ({int(r['size'])})"
            for b, r in by_block.iterrows()
        )
    )
    return lines


def _call_log_weeks(path: Path) -> list[str]:
    """Second week of the Anonymous Bank log forecast from the first."""
    contacts = read_call_log(path, CallLogMapping.from_yaml(MAPPING)).contacts
    first = contacts["arrival"].min().normalize()
    second = first + pd.Timedelta(days=7)
    lines = [
        f"== Anonymous Bank call log: week from {second:%Y-%m-%d} forecast from the week before =="
    ]
    for minutes in (30, 60):
        # as `wfm forecast --call-log LOG --mapping MAP --interval minutes` counts it
        data = history_from_contacts(contacts, interval_minutes=minutes).data
        train = read_interval_counts(data[data["interval_start"] < second])
        actual = data[data["interval_start"] >= second]
        wape = {}
        for model in (SeasonalNaive(), AutoForecaster()):
            forecast = model.fit(train).predict(second, 7)
            merged = actual.merge(forecast, on="interval_start", how="left", suffixes=("", "_f"))
            error = (merged["calls_f"].fillna(0.0) - merged["calls"]).abs().sum()
            wape[model.method] = error / merged["calls"].sum()
        gain = 1 - wape["auto"] / wape["seasonal_naive"]
        lines.append(
            f"{minutes} min: auto WAPE {_pct(wape['auto'])} vs seasonal naive "
            f"{_pct(wape['seasonal_naive'])} ({100 * gain:.1f}% lower; target auto < naive: "
            f"{'PASS' if gain > 0 else 'FAIL'})"
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
    fit_times: list[float] = []
    previous_times: list[float] = []
    fit_cpu: list[float] = []
    previous_cpu: list[float] = []
    backtest_times = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.csv"
        frame.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M", float_format="%.1f")
        for _ in range(repeats):
            for times, cpu, model in (
                (fit_times, fit_cpu, AutoForecaster()),
                (previous_times, previous_cpu, _PreviousAuto(candidates=_previous_candidates())),
            ):
                t0 = time.perf_counter()
                c0 = time.process_time()
                history = read_interval_counts(path)
                model.fit(history)
                start = history.data["interval_start"].max().normalize() + pd.Timedelta(days=1)
                model.predict(start, 7)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            t0 = time.perf_counter()
            backtest(history, _methods(), horizon_days=7, folds=folds)
            backtest_times.append(time.perf_counter() - t0)
    fit_median = statistics.median(fit_times)
    previous_median = statistics.median(previous_times)
    bt_median = statistics.median(backtest_times)
    ratio = fit_median / previous_median
    return [
        f"== speed: {len(frame)} rows of synthetic 5-minute history (104 weeks, open 24/7) ==",
        f"read CSV + fit auto + 7-day forecast: median {fit_median:.2f} s over {repeats} runs "
        f"(target < 5 s: {'PASS' if fit_median < 5 else 'FAIL'})",
        f"the same with auto_previous: median {previous_median:.2f} s; ratio {ratio:.2f} "
        f"(target <= 2: {'PASS' if ratio <= 2 else 'FAIL'})",
        f"CPU time of the same (less sensitive to other work on the machine): auto median "
        f"{statistics.median(fit_cpu):.2f} s (target <= 1 s: "
        f"{'PASS' if statistics.median(fit_cpu) <= 1 else 'FAIL'}), auto_previous "
        f"{statistics.median(previous_cpu):.2f} s",
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
    parser.add_argument(
        "--call-log",
        default=DEFAULT_CALL_LOG,
        help=f"Anonymous Bank call log (default {DEFAULT_CALL_LOG}, relative to the repository)",
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
        f"load average at start: {os.getloadavg()[0]:.2f}",
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
    lines += _band_coverage(history, args.folds)
    lines.append("")
    lines += _report_accuracy(history.aggregate(15), args.folds, "bank data")
    lines += _band_coverage(history.aggregate(15), args.folds)
    lines.append("")
    day_after = history.data["interval_start"].max().normalize() + pd.Timedelta(days=1)
    monday = day_after - pd.Timedelta(days=day_after.day_of_week)
    lines += _report_accuracy(
        history,
        args.folds,
        f"bank data, calendar weeks Monday-Sunday ending {monday:%Y-%m-%d}",
        end=monday,
    )
    lines.append("")
    call_log = Path(args.call_log)
    if not call_log.is_absolute():
        call_log = (ROOT / call_log).resolve()
    lines += _call_log_weeks(call_log)
    if not args.skip_speed:
        lines.append("")
        lines += _speed(args.repeats, args.folds)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
