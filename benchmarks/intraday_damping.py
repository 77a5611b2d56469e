"""The damping of :func:`wfm.intraday.reforecast`, validated on the bank's five-minute history.

For each held-out week of the bank call-centre data (five-minute counts,
March-June 2003; Weinberg, Brown & Stroud 2007, JASA 102(480)), the default
forecaster (:class:`wfm.forecast.AutoForecaster`) is fitted once on every
day before the week's Monday and forecasts the week. For each weekday of
the week, the day is observed up to each cut time (``--cuts``, default
09:00, 10:00, 12:00, 14:00, 16:00), and the rest of the day is reforecast with
:func:`wfm.intraday.reforecast` at every damping 0, 0.1, ..., 1. Scored over
the rest of the day (the intervals from the cut to the day's end), pooled
over the days: the interval WAPE (sum of absolute errors over the sum of
the calls) and the WAPE of the rest's total (sum over days of the absolute
error of the rest's total over the sum of the totals). Prints, per cut time,
the WAPE at every damping, and one Markdown row: the best damping and the
WAPE at 0 (no update), with the default rule (``damping=None``:
``share / (share + DAMPING_HALF_SHARE)`` of the day's forecast calls seen)
and at the best. Run from the repository root::

    python benchmarks/intraday_damping.py [--weeks 10] [--cuts 09:00 12:00]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.forecast import AutoForecaster
from wfm.history import read_interval_counts
from wfm.intraday import DAMPING_HALF_SHARE, reforecast

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = "../shared/data/bank_calls_2003/bank_calls_2003_mar_jun.csv"
DAMPINGS = tuple(round(0.1 * k, 1) for k in range(11))
RULE = -1.0  # key of the default rule (damping None) in the tables


def _errors(
    forecast: pd.DataFrame, actual: pd.DataFrame, now: pd.Timestamp
) -> dict[float, tuple[float, float, float]]:
    """Per damping: (sum |error| of the rest's intervals, |error| of its total, its calls)."""
    end = now.normalize() + pd.Timedelta(days=1)
    truth = actual[(actual["interval_start"] >= now) & (actual["interval_start"] < end)]
    truth = truth.set_index("interval_start")["calls"].astype(float)
    seen = actual[actual["interval_start"] < now]
    out = {}
    for damping in (*DAMPINGS, RULE):
        revised = reforecast(forecast, seen, now=now, damping=None if damping == RULE else damping)
        rest = revised.set_index("interval_start")["calls"].reindex(truth.index).fillna(0.0)
        error = rest.to_numpy() - truth.to_numpy()
        out[damping] = (
            float(np.abs(error).sum()),
            abs(float(error.sum())),
            float(truth.sum()),
        )
    return out


def main() -> None:
    """Command line of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--weeks", type=int, default=10, help="held-out weeks (default 10)")
    parser.add_argument("--cuts", nargs="+", default=["09:00", "10:00", "12:00", "14:00", "16:00"])
    args = parser.parse_args()
    data_path = Path(args.data)
    if not data_path.is_absolute():
        data_path = (ROOT / data_path).resolve()
    load = os.getloadavg()[0]
    started = time.perf_counter()
    history = read_interval_counts(data_path)
    data = history.data
    last = data["interval_start"].max().normalize() + pd.Timedelta(days=1)
    # held-out weeks from Mondays; the last one may be partial (the data ends on a Monday)
    monday = last - pd.Timedelta(days=last.day_of_week)
    if monday == last:
        monday -= pd.Timedelta(days=7)
    totals: dict[str, dict[float, np.ndarray]] = {
        cut: {d: np.zeros(3) for d in (*DAMPINGS, RULE)} for cut in args.cuts
    }
    days = 0
    for k in range(args.weeks - 1, -1, -1):
        cutoff = monday - pd.Timedelta(days=7 * k)
        train = read_interval_counts(data[data["interval_start"] < cutoff])
        forecast = AutoForecaster().fit(train).predict(cutoff, 7)
        forecast = forecast[["interval_start", "calls"]]
        for offset in range(7):
            day = cutoff + pd.Timedelta(days=offset)
            actual = data[
                (data["interval_start"] >= day)
                & (data["interval_start"] < day + pd.Timedelta(days=1))
            ]
            if actual.empty:
                continue
            days += 1
            day_forecast = forecast[
                (forecast["interval_start"] >= day)
                & (forecast["interval_start"] < day + pd.Timedelta(days=1))
            ]
            for cut in args.cuts:
                now = day + pd.Timedelta(hours=int(cut[:2]), minutes=int(cut[3:5]))
                for damping, parts in _errors(day_forecast, actual, now).items():
                    totals[cut][damping] += np.array(parts)
    wall = time.perf_counter() - started
    print(
        f"{days} held-out weekdays in the last {args.weeks} weeks; "
        f"wall {wall:.0f} s, load {load:.1f}"
    )
    print("interval WAPE of the rest of the day by damping:")
    print("cut   " + " ".join(f"{d:6.1f}" for d in DAMPINGS) + "   rule")
    for cut in args.cuts:
        row = totals[cut]
        cells = (f"{100 * row[d][0] / row[d][2]:5.2f}%" for d in (*DAMPINGS, RULE))
        print(f"{cut} " + " ".join(cells))
    print("WAPE of the rest's total by damping:")
    for cut in args.cuts:
        row = totals[cut]
        cells = (f"{100 * row[d][1] / row[d][2]:5.2f}%" for d in (*DAMPINGS, RULE))
        print(f"{cut} " + " ".join(cells))
    print()
    print(
        "| cut | best damping | interval WAPE at 0 | default rule "
        f"(half share {DAMPING_HALF_SHARE:g}) | at best | total's WAPE at 0 | default rule | "
        "at best | days |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for cut in args.cuts:
        row = totals[cut]
        wape = {d: row[d][0] / row[d][2] for d in (*DAMPINGS, RULE)}
        total = {d: row[d][1] / row[d][2] for d in (*DAMPINGS, RULE)}
        best = min(DAMPINGS, key=lambda d: wape[d])
        default = RULE
        print(
            f"| {cut} | {best:g} | {100 * wape[0.0]:.2f}% | {100 * wape[default]:.2f}% | "
            f"{100 * wape[best]:.2f}% | {100 * total[0.0]:.2f}% | {100 * total[default]:.2f}% | "
            f"{100 * total[best]:.2f}% | {days} |"
        )


if __name__ == "__main__":
    main()
