"""Tests of wfm.datasets.history and of the bundled example history."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.datasets.history import synthetic_call_records, synthetic_history
from wfm.errors import ValidationError
from wfm.history import read_call_records, read_interval_counts

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "contact_center" / "history.csv"


def test_seeded_and_deterministic() -> None:
    a = synthetic_history(start="2026-08-17", weeks=2, seed=4)
    b = synthetic_history(start="2026-08-17", weeks=2, seed=4)
    c = synthetic_history(start="2026-08-17", weeks=2, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert not a["calls"].equals(c["calls"])


def test_open_hours_holidays_and_layout() -> None:
    df = synthetic_history(
        start="2026-08-17", weeks=3, holidays=["2026-08-19"], interval_minutes=30, seed=1
    )
    assert list(df.columns) == ["interval_start", "calls", "aht_seconds"]
    assert df["interval_start"].is_monotonic_increasing and df["interval_start"].is_unique
    assert (df["interval_start"].dt.normalize() != pd.Timestamp("2026-08-19")).all()
    minutes = df["interval_start"].dt.hour * 60 + df["interval_start"].dt.minute
    weekend = df["interval_start"].dt.day_of_week >= 5
    assert minutes[~weekend].min() == 8 * 60 and minutes[~weekend].max() == 19 * 60 + 30
    assert minutes[weekend].min() == 9 * 60 and minutes[weekend].max() == 17 * 60 + 30
    assert (df["calls"] >= 0).all()
    assert df["aht_seconds"].isna().eq(df["calls"] == 0).all()
    # the generator's history passes validation unchanged
    history = read_interval_counts(df)
    assert history.interval_minutes == 30
    assert history.summary.missing_days == (pd.Timestamp("2026-08-19").date(),)


def test_structure_matches_parameters() -> None:
    weeks = 30
    df = synthetic_history(
        start="2026-01-05", weeks=weeks, seed=2, peak_calls=95.0, trend_per_week=0.0, day_noise=0.0
    )
    ts = df["interval_start"]
    last = df[ts >= ts.max().normalize() - pd.Timedelta(weeks=26)]
    monday = last[last["interval_start"].dt.day_of_week == 0]
    by_slot = monday.groupby(monday["interval_start"].dt.time)["calls"].mean()
    assert 88 <= by_slot.max() <= 102  # expected peak 95 per 15 minutes
    weekday = last[last["interval_start"].dt.day_of_week < 5]["calls"].mean()
    weekend = last[last["interval_start"].dt.day_of_week >= 5]["calls"].mean()
    assert 0.35 <= weekend / weekday <= 0.6
    hourly = df.groupby(ts.dt.hour).apply(
        lambda g: np.average(g["aht_seconds"].fillna(0), weights=g["calls"]),
        include_groups=False,
    )
    assert 280 <= hourly.min() <= 300 and 320 <= hourly.max() <= 340
    assert hourly.iloc[-1] > hourly.iloc[0]


def test_trend_grows_volume() -> None:
    df = synthetic_history(start="2026-01-05", weeks=20, seed=3, trend_per_week=0.02)
    weekly = df.groupby(df["interval_start"].dt.to_period("W"))["calls"].sum()
    ratio = weekly.iloc[-4:].mean() / weekly.iloc[:4].mean()
    assert ratio == pytest.approx(1.02**16, rel=0.05)


def test_call_records_aggregate_to_history() -> None:
    records = synthetic_call_records(start="2026-08-17", weeks=1, seed=7, abandon_rate=0.1)
    counts = synthetic_history(start="2026-08-17", weeks=1, seed=7, interval_minutes=5)
    assert len(records) == counts["calls"].sum()
    assert set(records["outcome"]) == {"answered", "abandoned"}
    assert records.loc[records["outcome"] == "abandoned", "handle_seconds"].isna().all()
    history = read_call_records(
        records, interval_minutes=5, outcome_column="outcome", zero_fill="none"
    )
    merged = counts[counts["calls"] > 0].merge(history.data, on="interval_start")
    assert len(merged) == (counts["calls"] > 0).sum()
    np.testing.assert_array_equal(merged["calls_x"], merged["calls_y"])


def test_bad_parameters() -> None:
    with pytest.raises(ValidationError, match="weeks"):
        synthetic_history(start="2026-08-17", weeks=0)
    with pytest.raises(ValidationError, match="start"):
        synthetic_history(start="2026-08-17 08:00", weeks=1)
    with pytest.raises(ValidationError, match="interval_minutes"):
        synthetic_history(start="2026-08-17", weeks=1, interval_minutes=7)
    with pytest.raises(ValidationError, match="open_hours"):
        synthetic_history(start="2026-08-17", weeks=1, open_hours={0: ("18:00", "08:00")})
    with pytest.raises(ValidationError, match="abandon_rate"):
        synthetic_call_records(start="2026-08-17", weeks=1, abandon_rate=1.5)


def test_bundled_example_history() -> None:
    assert EXAMPLE.stat().st_size < 1_000_000
    history = read_interval_counts(EXAMPLE)
    data = history.data
    assert history.interval_minutes == 15
    assert data["interval_start"].min() == pd.Timestamp("2026-08-17 08:00")
    assert data["interval_start"].max().normalize() == pd.Timestamp("2027-01-03")
    assert {str(d) for d in history.summary.missing_days} == {
        "2026-12-25",
        "2026-12-26",
        "2027-01-01",
    }
    assert history.has_aht
    assert 280 <= data["aht_seconds"].median() <= 340


def test_example_regenerates_identically(tmp_path: Path) -> None:
    out = tmp_path / "history.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "make_history.py"), "--output", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == EXAMPLE.read_bytes()


@pytest.mark.parametrize("seed", [-1, 1.5, True, "1"])
def test_bad_seed_is_a_validation_error(seed: object) -> None:
    # -1 used to escape as numpy's bare ValueError "expected non-negative integer"
    with pytest.raises(ValidationError, match="seed"):
        synthetic_history(start="2026-01-05", weeks=1, seed=seed)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="seed"):
        synthetic_call_records(start="2026-01-05", weeks=1, seed=seed)  # type: ignore[arg-type]
