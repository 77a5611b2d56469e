"""Forecast quality against known truth: Poisson draws from known rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.errors import ValidationError
from wfm.forecast import AutoForecaster, SmoothedProfile, WeekdayProfile
from wfm.history import History, read_interval_counts

MONDAY = pd.Timestamp("2026-03-02")
SLOTS = 144  # 08:00-20:00 in 5-minute intervals


def _rate(scale: float = 1.0) -> np.ndarray:
    """A smooth intraday rate (calls per 5 minutes) with a midday peak."""
    t = (np.arange(SLOTS) + 0.5) / SLOTS
    return scale * (4.0 + 16.0 * np.sin(np.pi * t) ** 2)


def _history(
    weeks: int, *, seed: int = 0, scale_by_day: dict[int, float] | None = None
) -> tuple[History, np.ndarray]:
    """Monday-Friday Poisson counts; returns the history and the (days, SLOTS) true rates."""
    rng = np.random.default_rng(seed)
    rows = []
    rates = []
    for day in range(7 * weeks):
        date = MONDAY + pd.Timedelta(days=day)
        if date.day_of_week >= 5:
            continue
        rate = _rate((scale_by_day or {}).get(day, 1.0))
        rates.append(rate)
        calls = rng.poisson(rate)
        stamps = date + pd.Timedelta(hours=8) + pd.to_timedelta(5 * np.arange(SLOTS), unit="m")
        rows.append(pd.DataFrame({"interval_start": stamps, "calls": calls, "aht_seconds": 200.0}))
    return read_interval_counts(pd.concat(rows, ignore_index=True)), np.array(rates)


def _open_calls(forecast: pd.DataFrame) -> np.ndarray:
    return forecast.loc[forecast["is_open"], "calls"].to_numpy()


def test_smoothed_profile_is_closer_to_the_true_rate_than_the_raw_profile() -> None:
    history, _ = _history(4)
    start = MONDAY + pd.Timedelta(weeks=4)
    truth = np.tile(_rate(), 5)
    raw = WeekdayProfile(weeks=4).fit(history).predict(start, 5)
    smooth = SmoothedProfile(weeks=4, shape_weeks=4, decay=1.0, bandwidth_minutes=15.0)
    smoothed = smooth.fit(history).predict(start, 5)
    raw_error = np.abs(_open_calls(raw) - truth).mean()
    smoothed_error = np.abs(_open_calls(smoothed) - truth).mean()
    assert smoothed_error < 0.6 * raw_error
    # the smoothed shape keeps each day's volume
    np.testing.assert_allclose(smoothed["calls"].sum(), raw["calls"].sum(), rtol=1e-9)


def test_bandwidth_zero_and_no_pooling_reproduce_the_plain_mean() -> None:
    history, _ = _history(3)
    start = MONDAY + pd.Timedelta(weeks=3)
    plain = WeekdayProfile(weeks=3).fit(history).predict(start, 5)
    model = SmoothedProfile(
        weeks=3, shape_weeks=3, decay=1.0, bandwidth_minutes=0.0, weekday_pooling=0.0
    )
    same = model.fit(history).predict(start, 5)
    np.testing.assert_allclose(same["calls"], plain["calls"], rtol=1e-9, atol=1e-9)


def test_calibrated_band_covers_about_80_percent_of_held_out_intervals() -> None:
    history, _ = _history(12, seed=3)
    fit_part = history.data[history.data["interval_start"] < MONDAY + pd.Timedelta(weeks=10)]
    model = AutoForecaster(candidates=[SmoothedProfile()]).fit(read_interval_counts(fit_part))
    assert model.band_quantiles_ is not None
    low, high = model.band_quantiles_
    assert low < 0 < high
    forecast = model.predict(MONDAY + pd.Timedelta(weeks=10), 14)
    assert forecast.attrs["band_source"] == "backtest errors"
    merged = history.data.merge(forecast, on="interval_start", suffixes=("", "_forecast"))
    inside = (merged["calls"] >= merged["calls_lower"]) & (merged["calls"] <= merged["calls_upper"])
    assert len(merged) == 10 * SLOTS
    assert 0.72 <= inside.mean() <= 0.88


def test_a_spike_inside_a_day_is_excluded_and_listed() -> None:
    history, _ = _history(4, seed=5)
    data = history.data.copy()
    spike = MONDAY + pd.Timedelta(days=8, hours=12)  # Tuesday of week 2, 12:00
    data.loc[data["interval_start"] == spike, "calls"] += 300
    spiked = read_interval_counts(data)
    start = MONDAY + pd.Timedelta(weeks=4)
    target = start + pd.Timedelta(days=1, hours=12)
    model = SmoothedProfile(weeks=4, shape_weeks=4, weekday_pooling=0.0).fit(spiked)
    assert model.outliers_["interval_start"].tolist() == [spike]
    clean = model.predict(start, 5).set_index("interval_start")["calls"]
    kept = SmoothedProfile(weeks=4, shape_weeks=4, weekday_pooling=0.0, exclude_outliers=False)
    carried = kept.fit(spiked).predict(start, 5).set_index("interval_start")["calls"]
    auto = AutoForecaster(candidates=[SmoothedProfile(weeks=4, weekday_pooling=0.0)]).fit(spiked)
    assert auto.outliers_["interval_start"].tolist() == [spike]
    true_rate = _rate()[48]
    assert abs(clean[target] - true_rate) < 4.0
    assert carried[target] > true_rate + 30.0


def test_recent_level_follows_a_level_shift() -> None:
    # the last week runs at 70 % of the usual volume
    shift = {day: 0.7 for day in range(35, 42)}
    history, _ = _history(6, seed=7, scale_by_day=shift)
    start = MONDAY + pd.Timedelta(weeks=6)
    truth = 0.7 * np.tile(_rate(), 5).sum()
    steady = SmoothedProfile(weeks=6).fit(history).predict(start, 5)["calls"].sum()
    adapted = SmoothedProfile(weeks=6, level_days=5, level_weight=1.0).fit(history)
    moved = adapted.predict(start, 5)["calls"].sum()
    assert abs(moved - truth) < 0.5 * abs(steady - truth)


def test_recent_level_leaves_a_stable_series_nearly_unchanged() -> None:
    history, _ = _history(6, seed=9)
    start = MONDAY + pd.Timedelta(weeks=6)
    steady = SmoothedProfile(weeks=6).fit(history).predict(start, 5)["calls"].sum()
    adapted = SmoothedProfile(weeks=6, level_days=5).fit(history).predict(start, 5)["calls"].sum()
    assert adapted == pytest.approx(steady, rel=0.03)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bandwidth_minutes", -1.0),
        ("weekday_pooling", 1.5),
        ("level_days", -1),
        ("level_weight", 2.0),
        ("outlier_z", 0.0),
        ("exclude_outliers", "yes"),
    ],
)
def test_bad_smoothed_profile_parameters_name_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        SmoothedProfile(**{field: value})  # type: ignore[arg-type]
