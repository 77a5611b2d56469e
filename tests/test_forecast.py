"""Tests of wfm.forecast: forecasters, AHT, open hours, backtest without leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.errors import ValidationError
from wfm.forecast import (
    AutoForecaster,
    SeasonalNaive,
    SmoothedDailyProfile,
    SmoothedProfile,
    WeekdayProfile,
    backtest,
    make_forecaster,
    summarize_backtest,
)
from wfm.history import History, read_interval_counts
from wfm.service import ServicePolicy
from wfm.staffing import requirements

MONDAY = pd.Timestamp("2026-03-02")  # a Monday
WEEKDAY_LEVEL = np.array([1.0, 0.9, 0.85, 0.8, 0.75, 0.4, 0.0])  # Sunday closed


def _open_slots(weekday: int) -> np.ndarray:
    """15-minute slots of the day that are open: 08:00-18:00, Saturday 09:00-13:00."""
    if weekday == 6:
        return np.array([], dtype=int)
    if weekday == 5:
        return np.arange(36, 52)
    return np.arange(32, 72)


def _shape(slots: np.ndarray) -> np.ndarray:
    hours = slots / 4.0
    return 0.3 + np.exp(-(((hours - 11.0) / 2.0) ** 2))


def _rate(
    day: pd.Timestamp, slots: np.ndarray, peak: float, growth: float, week: int
) -> np.ndarray:
    return peak * WEEKDAY_LEVEL[day.day_of_week] * _shape(slots) * (1 + growth) ** week


def _planted(
    weeks: int,
    *,
    peak: float = 60.0,
    growth: float = 0.0,
    missing: tuple[str, ...] = (),
    seed: int = 0,
    noise: bool = True,
    aht: bool = True,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    gone = {pd.Timestamp(d) for d in missing}
    for k in range(7 * weeks):
        day = MONDAY + pd.Timedelta(days=k)
        if day in gone:
            continue
        slots = _open_slots(day.day_of_week)
        rate = _rate(day, slots, peak, growth, k // 7)
        calls = rng.poisson(rate) if noise else rate
        frame = pd.DataFrame(
            {
                "interval_start": day + pd.to_timedelta(slots * 15, unit="m"),
                "calls": calls.astype(float),
            }
        )
        if aht:
            frame["aht_seconds"] = 200.0 + 10.0 * (slots // 4)  # by clock hour
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def _history(frame: pd.DataFrame) -> History:
    return read_interval_counts(frame, interval_minutes=15)


# ----------------------------------------------------------------------------- layout


@pytest.mark.parametrize(
    "model",
    [SeasonalNaive(), WeekdayProfile(), SmoothedDailyProfile(), AutoForecaster()],
    ids=lambda m: type(m).__name__,
)
def test_forecast_layout_open_hours_and_aht(model: SeasonalNaive) -> None:
    history = _history(_planted(8))
    start = MONDAY + pd.Timedelta(weeks=8)
    out = model.fit(history).predict(start, 7)
    assert list(out.columns)[:4] == ["interval_start", "calls", "aht_seconds", "is_open"]
    assert len(out) == 7 * 96
    assert out["interval_start"].iloc[0] == start
    assert out["interval_start"].diff().iloc[1:].eq(pd.Timedelta(minutes=15)).all()
    assert out.attrs["interval_minutes"] == 15
    assert out.attrs["method"].startswith(model.method)
    assert out.attrs["aht_source"] == "history"
    assert (out["aht_seconds"] > 0).all()
    closed = out[~out["is_open"]]
    assert (closed["calls"] == 0).all()
    # learned open hours equal the planted ones
    for weekday in range(7):
        day = out[out["interval_start"].dt.day_of_week == weekday]
        slots = np.flatnonzero(day["is_open"].to_numpy())
        np.testing.assert_array_equal(slots, _open_slots(weekday))
    assert (out.loc[out["is_open"], "calls"] > 0).all()
    assert model.fit(history) is model


def test_fit_accepts_a_dataframe() -> None:
    frame = _planted(3)
    a = WeekdayProfile().fit(frame).predict(MONDAY + pd.Timedelta(weeks=3), 2)
    b = WeekdayProfile().fit(_history(frame)).predict(MONDAY + pd.Timedelta(weeks=3), 2)
    pd.testing.assert_frame_equal(a, b)


# ----------------------------------------------------------------------------- methods


def test_seasonal_naive_repeats_last_week_and_falls_back_over_missing_day() -> None:
    frame = _planted(4, missing=("2026-03-23",))  # the last Monday is absent
    model = SeasonalNaive().fit(_history(frame))
    out = model.predict(MONDAY + pd.Timedelta(weeks=4), 7)
    out = out.set_index("interval_start")
    # Tuesday: last week's Tuesday
    last_tuesday = frame.set_index("interval_start").loc["2026-03-24", "calls"]
    forecast_tuesday = out.loc["2026-03-31", "calls"]
    forecast_tuesday = forecast_tuesday[forecast_tuesday > 0]
    np.testing.assert_array_equal(forecast_tuesday.to_numpy(), last_tuesday.to_numpy())
    # Monday: last Monday missing, so two weeks back (not zero)
    two_back = frame.set_index("interval_start").loc["2026-03-16", "calls"]
    forecast_monday = out.loc["2026-03-30", "calls"]
    np.testing.assert_array_equal(
        forecast_monday[out.loc["2026-03-30", "is_open"]].to_numpy(), two_back.to_numpy()
    )


@pytest.mark.parametrize("statistic", ["mean", "median", "weighted"])
def test_weekday_profile_recovers_planted_profile(statistic: str) -> None:
    weeks = 8
    model = WeekdayProfile(weeks=weeks, statistic=statistic, decay=0.9)  # type: ignore[arg-type]
    frame = _planted(weeks, peak=200.0, seed=3)
    out = model.fit(_history(frame)).predict(MONDAY + pd.Timedelta(weeks=weeks), 7)
    for k in range(6):
        day = MONDAY + pd.Timedelta(days=k)
        slots = _open_slots(day.day_of_week)
        truth = _rate(day, slots, 200.0, 0.0, 0)
        got = out["calls"].to_numpy()[k * 96 + slots]
        # Poisson mean of 8 draws: relative s.d. about 1/sqrt(8 * rate) <= 5 %
        assert np.abs(got / truth - 1).max() < 0.25
        assert got.sum() == pytest.approx(truth.sum(), rel=0.03)


def test_weekday_profile_skips_missing_and_special_days() -> None:
    frame = _planted(6, noise=False, missing=("2026-04-06",))
    spiked = frame.copy()
    spiked.loc[spiked["interval_start"].dt.normalize() == "2026-03-30", "calls"] *= 50
    model = WeekdayProfile(weeks=2, special_days=["2026-03-30"])
    out = model.fit(_history(spiked)).predict("2026-04-13", 1)
    truth = _rate(pd.Timestamp("2026-04-13"), _open_slots(0), 60.0, 0.0, 0)
    got = out.loc[out["is_open"], "calls"].to_numpy()
    # Mondays 06 Apr (absent) and 30 Mar (special) are skipped, not read as 0 or spikes
    np.testing.assert_allclose(got, truth)


def test_smoothing_recovers_trend_and_weekly_pattern() -> None:
    weeks = 16
    growth = 0.02
    frame = _planted(weeks, noise=False, growth=growth)
    model = SmoothedDailyProfile(damping=1.0).fit(_history(frame))
    out = model.predict(MONDAY + pd.Timedelta(weeks=weeks), 7)
    for k in range(6):
        day = MONDAY + pd.Timedelta(weeks=weeks, days=k)
        truth = _rate(day, _open_slots(day.day_of_week), 60.0, growth, weeks).sum()
        got = out["calls"].to_numpy()[k * 96 : (k + 1) * 96].sum()
        assert got == pytest.approx(truth, rel=0.02)
    assert model.params_ is not None
    # a flat profile would miss the trend: last-4-weeks mean is about 3 % low
    flat = (
        WeekdayProfile(weeks=4).fit(_history(frame)).predict(MONDAY + pd.Timedelta(weeks=weeks), 7)
    )
    assert out["calls"].sum() > flat["calls"].sum() * 1.02


def test_smoothing_ignores_a_partial_last_day() -> None:
    weeks = 12
    frame = _planted(weeks, noise=False)
    cut = frame[frame["interval_start"] < MONDAY + pd.Timedelta(weeks=weeks - 1, days=4, hours=10)]
    model = SmoothedDailyProfile().fit(_history(cut))
    out = model.predict(MONDAY + pd.Timedelta(weeks=weeks - 1, days=5), 3)
    saturday = out["interval_start"].dt.day_of_week == 5
    truth = _rate(MONDAY + pd.Timedelta(days=5), _open_slots(5), 60.0, 0.0, 0).sum()
    assert out.loc[saturday, "calls"].sum() == pytest.approx(truth, rel=0.02)
    monday = out["interval_start"].dt.day_of_week == 0
    truth = _rate(MONDAY, _open_slots(0), 60.0, 0.0, 0).sum()
    assert out.loc[monday, "calls"].sum() == pytest.approx(truth, rel=0.02)


def test_auto_with_too_short_history_falls_back_to_smoothed_profile() -> None:
    model = AutoForecaster().fit(_history(_planted(1)))
    assert isinstance(model.best_, SmoothedProfile)
    assert model.backtest_.empty
    out = model.predict(MONDAY + pd.Timedelta(weeks=1), 7)
    assert out.loc[out["is_open"], "calls"].gt(0).all()


def test_smoothing_with_short_history_uses_weekday_means() -> None:
    frame = _planted(2, noise=False)
    out = SmoothedDailyProfile().fit(_history(frame)).predict(MONDAY + pd.Timedelta(weeks=2), 7)
    truth = _rate(MONDAY, _open_slots(0), 60.0, 0.0, 0)
    np.testing.assert_allclose(out.loc[out["is_open"], "calls"].to_numpy()[:40], truth)


def test_multipliers_scale_and_close_days() -> None:
    frame = _planted(4, noise=False)
    start = MONDAY + pd.Timedelta(weeks=4)
    plain = WeekdayProfile().fit(_history(frame)).predict(start, 3)
    scaled = (
        WeekdayProfile(multipliers={"2026-03-30": 2.0, "2026-03-31": 0.0})
        .fit(_history(frame))
        .predict(start, 3)
    )
    day = scaled["interval_start"].dt.normalize()
    np.testing.assert_allclose(
        scaled.loc[day == "2026-03-30", "calls"], 2 * plain.loc[day == "2026-03-30", "calls"]
    )
    assert not scaled.loc[day == "2026-03-31", "is_open"].any()
    assert (scaled.loc[day == "2026-03-31", "calls"] == 0).all()
    np.testing.assert_allclose(
        scaled.loc[day == "2026-04-01", "calls"], plain.loc[day == "2026-04-01", "calls"]
    )


def test_interval_band_covers_poisson_actuals() -> None:
    weeks = 8
    frame = _planted(weeks + 4, peak=40.0, seed=21)
    fit_part = frame[frame["interval_start"] < MONDAY + pd.Timedelta(weeks=weeks)]
    model = WeekdayProfile(weeks=weeks, interval_coverage=0.8).fit(_history(fit_part))
    out = model.predict(MONDAY + pd.Timedelta(weeks=weeks), 28)
    assert out.attrs["interval_coverage"] == 0.8
    assert 1.0 <= model.dispersion_ < 1.5  # Poisson data: dispersion near 1
    merged = out[out["is_open"]].merge(frame, on="interval_start", suffixes=("", "_actual"))
    assert len(merged) == 4 * (5 * 40 + 16)
    inside = (merged["calls_actual"] >= merged["calls_lower"]) & (
        merged["calls_actual"] <= merged["calls_upper"]
    )
    assert 0.72 <= inside.mean() <= 0.9
    assert (out["calls_lower"] <= out["calls"]).all() and (out["calls"] <= out["calls_upper"]).all()
    closed = out[~out["is_open"]]
    assert (closed[["calls_lower", "calls_upper"]] == 0).all().all()
    plain = WeekdayProfile(interval_coverage=None).fit(_history(fit_part)).predict("2026-04-27", 1)
    assert "calls_lower" not in plain.columns


def test_forecast_feeds_staffing_requirements() -> None:
    staffing = pytest.importorskip("wfm.staffing")
    out = AutoForecaster().fit(_history(_planted(6))).predict(MONDAY + pd.Timedelta(weeks=6), 7)
    from wfm.service import ServicePolicy

    req = staffing.requirements(out, policy=ServicePolicy.parse("0.8/20", shrinkage=0.3))
    assert len(req) == len(out)
    assert (req.loc[~req["is_open"], "required_scheduled"] == 0).all()
    assert (req.loc[out["calls"].to_numpy() > 5, "required_on_phone"] > 0).all()


# ----------------------------------------------------------------------------- AHT


def test_aht_is_call_weighted_with_fallback() -> None:
    frame = _planted(2, noise=False, aht=False)
    frame["aht_seconds"] = np.nan
    # one interval with two observations: 10 calls at 100 s and 30 calls at 300 s
    mon1 = frame["interval_start"] == MONDAY + pd.Timedelta(hours=10)
    mon2 = frame["interval_start"] == MONDAY + pd.Timedelta(days=7, hours=10)
    frame.loc[mon1, ["calls", "aht_seconds"]] = [10.0, 100.0]
    frame.loc[mon2, ["calls", "aht_seconds"]] = [30.0, 300.0]
    model = WeekdayProfile(min_aht_calls=20).fit(_history(frame))
    out = model.predict(MONDAY + pd.Timedelta(weeks=2), 7)
    aht = out.set_index("interval_start")["aht_seconds"]
    assert aht[MONDAY + pd.Timedelta(days=14, hours=10)] == pytest.approx(250.0)
    # every other interval falls back to the same value (only one known AHT)
    assert np.allclose(aht.to_numpy(), 250.0)
    # with a higher threshold the slot falls back to the hour, then overall: still 250
    thin = WeekdayProfile(min_aht_calls=1000).fit(_history(frame)).predict("2026-03-16", 1)
    assert np.allclose(thin["aht_seconds"], 250.0)


def test_aht_by_hour_recovered() -> None:
    out = WeekdayProfile().fit(_history(_planted(4))).predict(MONDAY + pd.Timedelta(weeks=4), 1)
    hour = out["interval_start"].dt.hour
    opened = out["is_open"]
    np.testing.assert_allclose(out.loc[opened, "aht_seconds"], 200.0 + 10.0 * hour[opened])


def test_history_without_aht_forecasts_volume_and_staffing_asks_for_aht() -> None:
    history = _history(_planted(3, aht=False))
    start = MONDAY + pd.Timedelta(weeks=3)
    calls_only = WeekdayProfile().fit(history).predict(start, 1)
    assert "aht_seconds" not in calls_only.columns
    assert calls_only.loc[calls_only["is_open"], "calls"].gt(0).all()
    assert calls_only.attrs["aht_source"].startswith("none")
    with pytest.raises(ValidationError, match="aht_seconds"):
        requirements(calls_only, policy=ServicePolicy())
    assert (
        requirements(calls_only, aht_seconds=300, policy=ServicePolicy())["traffic_erlangs"]
        .gt(0)
        .any()
    )
    out = WeekdayProfile(default_aht_seconds=300).fit(history).predict(start, 1)
    assert (out["aht_seconds"] == 300.0).all()
    assert "default_aht_seconds=300" in out.attrs["aht_source"]


# ----------------------------------------------------------------------------- backtest


def test_backtest_never_sees_the_future() -> None:
    frame = _planted(10, seed=5)
    models = [SeasonalNaive(), WeekdayProfile(), SmoothedDailyProfile(), AutoForecaster()]
    before = backtest(_history(frame), models, folds=3)
    spiked = frame.copy()
    last_week = spiked["interval_start"] >= MONDAY + pd.Timedelta(weeks=9)
    spiked.loc[last_week, "calls"] *= 1000  # a huge spike after the fold-3 cutoff
    after = backtest(_history(spiked), models, folds=3)
    cols = ["method", "chosen", "fold", "cutoff", "forecast_calls"]
    pd.testing.assert_frame_equal(before[cols], after[cols])
    # the actuals did change, so the spike was inside the scored horizon
    assert (after.loc[after["fold"] == 3, "actual_calls"] > before["actual_calls"].max()).all()
    # the history ends on the last open day (Saturday), folds are the 7-day blocks before it
    assert list(before["cutoff"].unique()) == [
        MONDAY + pd.Timedelta(weeks=w, days=-1) for w in (7, 8, 9)
    ]


def test_backtest_metrics_by_hand() -> None:
    frame = _planted(4, noise=False)
    # seasonal naive on a noise-free, trend-free history is exact
    exact = backtest(_history(frame), "seasonal_naive", folds=2)
    assert np.allclose(exact["wape"], 0.0)
    assert np.allclose(exact["bias"], 0.0)
    # double the last week: the forecast (the week before) is half the actual
    doubled = frame.copy()
    doubled.loc[doubled["interval_start"] >= MONDAY + pd.Timedelta(weeks=3), "calls"] *= 2
    scores = backtest(_history(doubled), "seasonal_naive", folds=1)
    assert scores["wape"].iloc[0] == pytest.approx(0.5)
    assert scores["bias"].iloc[0] == pytest.approx(-0.5)
    assert scores["daily_mape"].iloc[0] == pytest.approx(0.5)
    assert scores["intervals"].iloc[0] == 5 * 40 + 16


def test_backtest_end_aligns_folds_and_ignores_later_days() -> None:
    frame = _planted(6, seed=1)
    history = _history(frame)
    scores = backtest(history, "profile", folds=2, end=MONDAY + pd.Timedelta(weeks=5))
    assert list(scores["cutoff"]) == [MONDAY + pd.Timedelta(weeks=w) for w in (3, 4)]
    spiked = frame.copy()
    spiked.loc[spiked["interval_start"] >= MONDAY + pd.Timedelta(weeks=5), "calls"] *= 100
    again = backtest(_history(spiked), "profile", folds=2, end=MONDAY + pd.Timedelta(weeks=5))
    pd.testing.assert_frame_equal(scores, again)
    with pytest.raises(ValidationError, match="end"):
        backtest(history, "profile", end=MONDAY + pd.Timedelta(weeks=9))


def test_auto_picks_lowest_backtest_wape() -> None:
    history = _history(_planted(10, growth=0.03, seed=2))
    model = AutoForecaster(folds=3).fit(history)
    pooled = summarize_backtest(model.backtest_)
    assert model.best_.name == pooled.sort_values("wape")["method"].iloc[0]
    start = MONDAY + pd.Timedelta(weeks=10)
    ours = model.predict(start, 7)
    theirs = model.best_.predict(start, 7)
    np.testing.assert_allclose(ours["calls"], theirs["calls"])
    assert ours.attrs["method"] == f"auto:{model.best_.name}"


def test_auto_beats_seasonal_naive_on_noisy_data() -> None:
    history = _history(_planted(12, peak=30.0, seed=9))
    scores = summarize_backtest(
        backtest(history, [SeasonalNaive(), AutoForecaster()], folds=3)
    ).set_index("method")
    assert scores.loc["auto", "wape"] < 0.85 * scores.loc["seasonal_naive", "wape"]


# ----------------------------------------------------------------------------- validation


def test_bad_arguments() -> None:
    with pytest.raises(ValidationError, match="method"):
        make_forecaster("arima")
    with pytest.raises(ValidationError, match="profile parameter"):
        make_forecaster("profile", window=3)
    assert isinstance(make_forecaster("smoothing", damping=0.9), SmoothedDailyProfile)
    with pytest.raises(ValidationError, match="statistic"):
        WeekdayProfile(statistic="mode")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="multipliers"):
        WeekdayProfile(multipliers={"2026-03-30": -1.0})
    with pytest.raises(ValidationError, match="special_days"):
        WeekdayProfile(special_days=["not a date"])
    with pytest.raises(ValidationError, match="weeks"):
        WeekdayProfile(weeks=0)
    with pytest.raises(ValidationError, match="damping"):
        SmoothedDailyProfile(damping=0.0)


def test_predict_errors() -> None:
    history = _history(_planted(3))
    with pytest.raises(ValidationError, match="fit"):
        WeekdayProfile().predict("2026-03-23", 1)
    model = WeekdayProfile().fit(history)
    with pytest.raises(ValidationError, match="history's end"):
        model.predict("2026-03-20", 1)
    with pytest.raises(ValidationError, match="start"):
        model.predict("2026-03-23 08:00", 1)
    with pytest.raises(ValidationError, match="days"):
        model.predict("2026-03-23", 0)
    with pytest.raises(ValidationError, match="folds"):
        backtest(history, "profile", folds=5)


def test_clone_and_params() -> None:
    model = WeekdayProfile(weeks=6, statistic="median", special_days=["2026-03-02"])
    copy = model.clone()
    assert copy is not model
    assert copy.get_params() == model.get_params()
    assert model.clone(weeks=3).weeks == 3
    assert "WeekdayProfile(" in repr(model)


def test_backtest_of_no_forecaster_is_an_error() -> None:
    # used to return an empty table
    history = _history(_planted(3, noise=False))
    with pytest.raises(ValidationError, match="at least one forecaster"):
        backtest(history, [], folds=1)
    assert len(backtest(history, ["seasonal_naive"], folds=1)) == 1
