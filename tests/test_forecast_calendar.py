"""Calendar effects, public holidays, band width and the outlier switch, against known truth."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm import load_scenario
from wfm.errors import ScenarioError, ValidationError
from wfm.forecast import AutoForecaster, SmoothedProfile
from wfm.history import History, history_from_contacts, read_interval_counts

ROOT = Path(__file__).resolve().parents[1]
MONDAY = pd.Timestamp("2026-03-02")
SLOTS = 48  # 08:00-20:00 in 15-minute intervals
RATE = 20.0 + 30.0 * np.sin(np.pi * (np.arange(SLOTS) + 0.5) / SLOTS) ** 2  # calls per interval
DAY_CALLS = float(RATE.sum())


def _history(
    weeks: int,
    *,
    seed: int = 0,
    closed: set[int] = frozenset(),  # type: ignore[assignment]
    scale: dict[int, float] | None = None,
    day_noise: float = 0.0,
    start: pd.Timestamp = MONDAY,
) -> History:
    """Monday-Friday Poisson counts; ``closed`` day numbers are absent, ``scale`` multiplies."""
    rng = np.random.default_rng(seed)
    rows = []
    for day in range(7 * weeks):
        date = start + pd.Timedelta(days=day)
        if date.day_of_week >= 5 or day in closed:
            continue
        factor = (scale or {}).get(day, 1.0) * (1.0 + day_noise * rng.standard_normal())
        calls = rng.poisson(RATE * max(factor, 0.1))
        stamps = date + pd.Timedelta(hours=8) + pd.to_timedelta(15 * np.arange(SLOTS), unit="m")
        rows.append(pd.DataFrame({"interval_start": stamps, "calls": calls, "aht_seconds": 200.0}))
    return read_interval_counts(pd.concat(rows, ignore_index=True))


def _day_totals(forecast: pd.DataFrame) -> pd.Series:
    return forecast.groupby(forecast["interval_start"].dt.normalize())["calls"].sum()


# Mondays of weeks 2, 5, 8, 11 closed (one opening weekday each: a one-day closure)
CLOSED_MONDAYS = {7 * w for w in (2, 5, 8, 11)}
CATCH_UP = {d + 1: 1.3 for d in CLOSED_MONDAYS}  # the Tuesday after runs 30 % above


def test_catch_up_after_a_one_day_closure_is_learned_and_applied() -> None:
    history = _history(14, closed=CLOSED_MONDAYS, scale=CATCH_UP, seed=1)
    start = MONDAY + pd.Timedelta(weeks=14)
    closure = {start.date(): 0.0}  # the Monday of the forecast week is closed
    model = SmoothedProfile(calendar_effects=True, multipliers=closure).fit(history)
    assert model.day_effects_["after1_one"] == pytest.approx(np.log(1.3), abs=0.05)
    totals = _day_totals(model.predict(start, 5))
    assert totals.iloc[0] == 0
    assert totals.iloc[1] == pytest.approx(1.3 * DAY_CALLS, rel=0.06)  # Tuesday after
    assert totals.iloc[2] == pytest.approx(DAY_CALLS, rel=0.05)
    # a week without a closure: the usual Tuesday, not inflated by the catch-up days
    usual = _day_totals(model.predict(start + pd.Timedelta(weeks=1), 5))
    assert usual.iloc[1] == pytest.approx(DAY_CALLS, rel=0.04)
    plain = SmoothedProfile(multipliers=closure).fit(history)
    plain_tuesday = _day_totals(plain.predict(start, 5)).iloc[1]
    assert plain_tuesday < 1.15 * DAY_CALLS  # without the model the catch-up is missed
    assert plain_tuesday > usual.iloc[1]  # and the usual Tuesday is biased up by it


def test_no_after_effect_in_the_data_gives_none_in_the_forecast() -> None:
    history = _history(14, closed=CLOSED_MONDAYS, seed=2)
    start = MONDAY + pd.Timedelta(weeks=14)
    closure = {start.date(): 0.0}
    with_effects = SmoothedProfile(calendar_effects=True, multipliers=closure).fit(history)
    without = SmoothedProfile(multipliers=closure).fit(history)
    assert not any(key.startswith("after") for key in with_effects.day_effects_)
    a = _day_totals(with_effects.predict(start, 5))
    b = _day_totals(without.predict(start, 5))
    np.testing.assert_allclose(a.iloc[1:], b.iloc[1:], rtol=0.05)


def test_month_start_effect_only_where_the_data_show_it() -> None:
    weeks = 16
    days = [MONDAY + pd.Timedelta(days=d) for d in range(7 * weeks)]
    first_open = {}
    for d, date in enumerate(days):
        if date.day_of_week < 5:
            first_open.setdefault((date.year, date.month), d)
    boost = {d: 1.25 for d in first_open.values()}
    shown = SmoothedProfile(calendar_effects=True).fit(_history(weeks, scale=boost, seed=3))
    assert shown.day_effects_["month_first"] == pytest.approx(np.log(1.25), abs=0.06)
    none = SmoothedProfile(calendar_effects=True).fit(_history(weeks, seed=3))
    assert "month_first" not in none.day_effects_
    # 2026-07-01 (a Wednesday) is the first open day of July
    forecast = shown.predict("2026-06-29", 5)
    totals = _day_totals(forecast)
    assert totals.loc["2026-07-01"] / totals.loc["2026-06-30"] == pytest.approx(1.25, rel=0.08)


def test_public_holidays_by_country() -> None:
    pytest.importorskip("holidays")
    memorial_day = (pd.Timestamp("2026-05-25") - MONDAY).days
    juneteenth = (pd.Timestamp("2026-06-19") - MONDAY).days
    history = _history(17, closed={memorial_day, juneteenth}, seed=4)
    start = pd.Timestamp("2026-06-29")  # the week of 2026-07-03, Independence Day observed
    closed = AutoForecaster(holidays="US").fit(history).predict(start, 5)
    friday = closed["interval_start"].dt.normalize() == pd.Timestamp("2026-07-03")
    assert not closed.loc[friday, "is_open"].any() and closed.loc[friday, "calls"].sum() == 0
    assert closed.loc[~friday, "is_open"].sum() == 4 * SLOTS
    plain = AutoForecaster().fit(history).predict(start, 5)
    assert plain.loc[friday, "is_open"].sum() == SLOTS
    # open at half the usual volume on the history's holiday: forecast at about half
    half = _history(17, scale={memorial_day: 0.5, juneteenth: 0.5}, seed=4)
    model = SmoothedProfile(holidays="US").fit(half)
    assert model.holiday_factor_ == pytest.approx(0.5, abs=0.05)
    # one holiday closed, one open: the one the history has seen keeps its own share
    mixed = _history(17, closed={memorial_day}, scale={juneteenth: 0.5}, seed=4)
    seen = SmoothedProfile(holidays="US").fit(mixed)
    assert seen.holiday_factors_["Memorial Day"] == 0.0
    assert seen.holiday_factor_ == 0.0  # half of the history's holidays closed
    totals = _day_totals(model.predict(start, 5))
    assert totals.loc["2026-07-03"] / totals.loc["2026-07-02"] == pytest.approx(0.5, abs=0.06)
    # a user's multiplier of the date wins over the calendar
    given = SmoothedProfile(holidays="US", multipliers={"2026-07-03": 1.0}).fit(half)
    assert _day_totals(given.predict(start, 5)).loc["2026-07-03"] > 0.9 * DAY_CALLS


def test_unknown_holiday_country_is_refused() -> None:
    pytest.importorskip("holidays")
    with pytest.raises(ValidationError, match="holidays"):
        SmoothedProfile(holidays="XX")


def test_band_widens_with_day_level_error_and_keeps_its_coverage() -> None:
    noisy = _history(14, day_noise=0.12, seed=5)
    fit_part = noisy.data[noisy.data["interval_start"] < MONDAY + pd.Timedelta(weeks=10)]
    model = AutoForecaster(candidates=[SmoothedProfile()]).fit(read_interval_counts(fit_part))
    assert model.band_ is not None
    # the day-level error of a mean of recent days (sd 12 %) is about 12 %, never near 0
    assert 0.06 <= float(np.mean(model.band_.day_error)) <= 0.25
    forecast = model.predict(MONDAY + pd.Timedelta(weeks=10), 28)
    merged = noisy.data.merge(forecast, on="interval_start", suffixes=("", "_forecast"))
    inside = (merged["calls"] >= merged["calls_lower"]) & (merged["calls"] <= merged["calls_upper"])
    assert len(merged) == 20 * SLOTS
    assert 0.7 <= inside.mean() <= 0.9
    calm = _history(10, seed=5)
    plain = AutoForecaster(candidates=[SmoothedProfile()]).fit(calm)
    assert plain.band_ is not None
    assert float(np.mean(plain.band_.day_error)) < 0.03


def test_auto_outlier_switch_reaches_every_candidate_that_has_one() -> None:
    history = _history(6, seed=6)
    data = history.data.copy()
    spike = MONDAY + pd.Timedelta(days=15, hours=12)
    data.loc[data["interval_start"] == spike, "calls"] += 400
    spiked = read_interval_counts(data)
    on = AutoForecaster(candidates=[SmoothedProfile(weekday_pooling=0.0)]).fit(spiked)
    assert on.outliers_["interval_start"].tolist() == [spike]
    off = AutoForecaster(exclude_outliers=False).fit(spiked)
    assert off.outliers_.empty
    smoothed = [m for m in off.backtest_["method"].unique() if m.startswith("smoothed")]
    assert smoothed and all(m.endswith("_raw") for m in smoothed)
    strict = AutoForecaster(candidates=[SmoothedProfile()], outlier_z=50.0).fit(spiked)
    assert strict.best_.get_params()["outlier_z"] == 50.0
    assert strict.outliers_.empty  # 400 calls on a mean near 50 is not 50 sd out
    with pytest.raises(ValidationError, match="outlier_z"):
        AutoForecaster(outlier_z=0)


def test_history_from_contacts_counts_offered_and_times_answered() -> None:
    contacts = pd.DataFrame(
        {
            "arrival": pd.to_datetime(
                [
                    "2026-03-02 08:01",
                    "2026-03-02 08:14",
                    "2026-03-02 08:20",
                    "2026-03-02 08:59",
                    "2026-03-02 09:40",
                ]
            ),
            "wait_seconds": [1.0, 2.0, 3.0, 4.0, 5.0],
            "outcome": ["answered", "abandoned", "answered", "answered", "answered"],
            "handle_seconds": [100.0, np.nan, 300.0, np.nan, 50.0],
        }
    )
    history = history_from_contacts(contacts, interval_minutes=30)
    data = history.data.set_index("interval_start")
    assert data["calls"].tolist() == [3.0, 1.0, 0.0, 1.0]  # 08:00, 08:30, 09:00 (zero), 09:30
    assert data["aht_seconds"].iloc[0] == 200.0  # the abandoned call is not timed
    assert np.isnan(data["aht_seconds"].iloc[1])  # 08:59 answered without a handle time
    assert data["aht_seconds"].iloc[3] == 50.0
    assert any("without a handle time" in note for note in history.summary.notes)
    answered_only = history_from_contacts(contacts, interval_minutes=30, count_abandoned=False)
    assert answered_only.data["calls"].sum() == 4
    assert answered_only.summary.rows_read == 5


def test_scenario_names_the_holiday_country_among_the_forecaster_params(tmp_path: Path) -> None:
    pytest.importorskip("holidays")
    source = ROOT / "examples" / "contact_center"
    shutil.copytree(source, tmp_path / "centre")
    path = tmp_path / "centre" / "scenario.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    method: auto\n" in text
    path.write_text(
        text.replace("    method: auto\n", "    method: auto\n    params: {holidays: US}\n", 1)
    )
    assert load_scenario(path).demand.params == {"holidays": "US"}  # type: ignore[union-attr]
    path.write_text(
        text.replace("    method: auto\n", "    method: auto\n    params: {holidays: XX}\n", 1)
    )
    with pytest.raises(ScenarioError, match=r"demand\.history\.params\.holidays"):
        load_scenario(path)
