"""Tests of wfm.staffing: requirements layout, performance."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm import erlang, staffing
from wfm.errors import DataError, ValidationError
from wfm.service import ServicePolicy
from wfm.staffing import performance, requirements, weekly_service_level

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "forecast_week.csv"
#: 80 % of calls answered within 20 s, Erlang C, no shrinkage.
POLICY = ServicePolicy()

LAYOUT = [
    "interval_start",
    "calls",
    "aht_seconds",
    "traffic_erlangs",
    "required_on_phone_fractional",
    "required_on_phone",
    "required_scheduled_fractional",
    "required_scheduled",
    "service_level",
    "asa_seconds",
    "occupancy",
]


def _forecast(calls: list[float], **extra: object) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "interval_start": pd.date_range("2024-03-04 08:00", periods=len(calls), freq="30min"),
            "calls": calls,
        }
    )
    for name, values in extra.items():
        frame[name] = values
    return frame


# --------------------------------------------------------------------------- requirements


def test_classic_case_with_shrinkage() -> None:
    policy = ServicePolicy.parse("0.8/20", shrinkage=0.3)
    req = requirements(_forecast([100.0, 100.0]), policy=policy, aht_seconds=180)
    row = req.iloc[0]
    assert row["traffic_erlangs"] == pytest.approx(10.0)
    assert row["required_on_phone"] == 14
    assert row["required_scheduled"] == 20  # 14 / 0.7 = 20 exactly, not 21
    assert row["service_level"] == pytest.approx(0.88835, abs=1e-5)
    assert row["asa_seconds"] == pytest.approx(7.83594, abs=1e-5)
    assert row["occupancy"] == pytest.approx(0.7142857, abs=1e-7)
    assert 13 < row["required_on_phone_fractional"] <= 14
    assert row["required_scheduled_fractional"] == pytest.approx(
        row["required_on_phone_fractional"] / 0.7
    )
    assert req.attrs["interval_minutes"] == 30.0
    assert req.attrs["service"]["level"] == 0.8
    assert req.attrs["service"]["shrinkage"] == 0.3
    assert req.attrs["service"]["model"] == "erlang_c"
    assert ServicePolicy.from_dict(req.attrs["service"]) == policy


def test_layout_order_types_and_carried_columns() -> None:
    fc = _forecast([10.0, 0.0, 25.0], calls_lower=[8.0, 0.0, 20.0], aht_seconds=[200, 210, 220])
    fc.index = [10, 11, 12]
    req = requirements(fc, policy=ServicePolicy(level=0.9, answer_within_seconds=15))
    assert list(req.columns) == [*LAYOUT, "is_open", "calls_lower"]
    assert list(req.index) == [10, 11, 12]
    assert req["required_on_phone"].dtype == np.int64
    assert req["required_scheduled"].dtype == np.int64
    assert req["calls_lower"].tolist() == [8.0, 0.0, 20.0]
    assert req["aht_seconds"].tolist() == [200.0, 210.0, 220.0]
    assert req["is_open"].tolist() == [True, True, True]
    assert req.loc[11, "required_on_phone"] == 0
    assert req.loc[11, "service_level"] == 1.0
    expected = erlang.agents_for_service_level(
        25.0 * 220 / 1800, aht_seconds=220, target=0.9, answer_within_seconds=15
    )
    assert req.loc[12, "required_on_phone"] == expected
    assert not req.drop(columns=["interval_start"]).isna().any().any()


def test_closed_intervals_and_min_agents() -> None:
    fc = _forecast([50.0, 0.0, 0.0, 0.0], is_open=[True, False, True, False])
    req = requirements(fc, policy=POLICY, aht_seconds=300, min_agents=3)
    assert req["required_on_phone"].tolist()[1:] == [0, 3, 0]
    assert req["required_on_phone_fractional"].tolist()[1:] == [0.0, 3.0, 0.0]
    closed = req.iloc[1]
    assert (closed["service_level"], closed["asa_seconds"], closed["occupancy"]) == (1.0, 0, 0)
    assert req.iloc[0]["required_on_phone"] >= 3


def test_erlang_a_model_adds_abandonment() -> None:
    fc = _forecast([400.0, 200.0])
    req = requirements(
        fc,
        policy=ServicePolicy(
            level=0.8,
            answer_within_seconds=20,
            max_abandon_rate=0.05,
            model="erlang_a",
            patience_seconds=120,
        ),
        aht_seconds=300,
        interval_minutes=15,
    )
    assert "abandon_probability" in req.columns
    traffic = erlang.traffic_erlangs(400, aht_seconds=300, interval_minutes=15)
    n = erlang.agents_for_erlang_a(
        traffic,
        aht_seconds=300,
        patience_seconds=120,
        target=0.8,
        answer_within_seconds=20,
        max_abandon_rate=0.05,
    )
    assert req.iloc[0]["required_on_phone"] == n
    assert req.iloc[0]["abandon_probability"] <= 0.05
    assert req.attrs["service"]["patience_seconds"] == 120


def test_asa_and_occupancy_targets() -> None:
    fc = _forecast([100.0, 300.0])
    req = requirements(
        fc,
        policy=ServicePolicy(
            level=None, answer_within_seconds=None, max_asa_seconds=10, max_occupancy=0.85
        ),
        aht_seconds=180,
    )
    traffic = req["traffic_erlangs"].to_numpy()
    assert req["required_on_phone"].tolist() == list(
        erlang.agents_for_asa(traffic, aht_seconds=180, asa_seconds=10, max_occupancy=0.85)
    )
    assert (req["occupancy"] <= 0.85 + 1e-12).all()


def test_fractional_sum_never_exceeds_rounded_sum() -> None:
    fc = pd.read_csv(EXAMPLE, parse_dates=["interval_start"])
    req = requirements(fc, policy=ServicePolicy.parse("0.8/20", shrinkage=0.25))
    assert len(req) == 672
    frac = req["required_on_phone_fractional"].to_numpy()
    whole = req["required_on_phone"].to_numpy()
    assert np.all(frac <= whole + 1e-9) and np.all(frac > whole - 1 - 1e-9)
    assert math.ceil(frac.sum()) <= whole.sum()
    closed = ~req["is_open"]
    assert closed.any() and (req.loc[closed, "required_scheduled"] == 0).all()
    assert (req.loc[~closed, "service_level"] >= 0.8 - 1e-9).all()
    assert req.attrs["interval_minutes"] == 15.0


def test_interval_minutes_inferred_from_most_common_spacing() -> None:
    starts = pd.to_datetime(["2024-01-01 08:00", "2024-01-01 08:15", "2024-01-01 12:00"])
    starts = starts.append(pd.to_datetime(["2024-01-01 12:15", "2024-01-01 12:30"]))
    fc = pd.DataFrame({"interval_start": starts, "calls": [5.0] * 5})
    req = requirements(fc, policy=POLICY, aht_seconds=120)
    assert req.attrs["interval_minutes"] == 15.0


def test_time_zone_aware_timestamps_are_kept() -> None:
    fc = _forecast([10.0, 12.0])
    fc["interval_start"] = fc["interval_start"].dt.tz_localize("Europe/Paris")
    req = requirements(fc, policy=POLICY, aht_seconds=120)
    assert str(req["interval_start"].dt.tz) == "Europe/Paris"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda f: f.drop(columns=["calls"]), "forecast"),
        (lambda f: f.assign(calls=[1.0, float("nan"), 3.0]), "calls[row 1]"),
        (lambda f: f.assign(calls=[1.0, 2.0, -3.0]), "calls[row 2]"),
        (lambda f: f.assign(calls=["1", "x", "3"]), "calls[row 1]"),
        (lambda f: f.assign(aht_seconds=[100.0, 0.0, 100.0]), "aht_seconds[row 1]"),
        (lambda f: f.assign(aht_seconds=[100.0, float("nan"), 100.0]), "aht_seconds[row 1]"),
        (lambda f: f.iloc[[0, 0, 2]].reset_index(drop=True), "interval_start[row 1]"),
        (lambda f: f.iloc[[0, 2, 1]].reset_index(drop=True), "interval_start[row 2]"),
        (lambda f: f.assign(interval_start=["a", "b", "c"]), "interval_start"),
        (lambda f: f.assign(is_open=[True, "no", False]), "is_open[row 1]"),
    ],
)
def test_bad_forecast_rows_raise_data_error(mutate: object, field: str) -> None:
    fc = _forecast([1.0, 2.0, 3.0], aht_seconds=[100.0, 100.0, 100.0])
    with pytest.raises(DataError) as info:
        requirements(mutate(fc), policy=POLICY)  # type: ignore[operator]
    assert info.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_agents": -1}, "min_agents"),
        ({"min_agents": 1.5}, "min_agents"),
        ({"interval_minutes": 0}, "interval_minutes"),
        ({"policy": "0.8/20"}, "policy"),
        ({"policy": {"level": 0.8, "answer_within_seconds": 20}}, "policy"),
    ],
)
def test_bad_arguments_raise_validation_error(kwargs: dict[str, object], field: str) -> None:
    # The policy's own fields are checked when it is built (tests/test_service.py).
    args: dict[str, object] = {"policy": POLICY, "aht_seconds": 180.0, **kwargs}
    with pytest.raises(ValidationError) as info:
        requirements(_forecast([1.0, 2.0]), **args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_aht_sources_are_exclusive_and_required() -> None:
    with pytest.raises(ValidationError, match="aht_seconds"):
        requirements(_forecast([1.0, 2.0]), policy=POLICY)
    with pytest.raises(ValidationError, match="one or the other"):
        requirements(_forecast([1.0, 2.0], aht_seconds=[90, 90]), policy=POLICY, aht_seconds=90)
    with pytest.raises(ValidationError, match="interval_minutes"):
        requirements(_forecast([1.0]), policy=POLICY, aht_seconds=90)
    one = requirements(_forecast([1.0]), policy=POLICY, aht_seconds=90, interval_minutes=15)
    assert one.attrs["interval_minutes"] == 15.0


# --------------------------------------------------------------------------- performance


def test_performance_matches_erlang_functions() -> None:
    perf = performance(
        [100, 100, 0],
        aht_seconds=180,
        agents_on_phone=[14, 9, 0],
        interval_minutes=30,
        policy=POLICY,
    )
    assert list(perf.columns) == ["service_level", "asa_seconds", "occupancy"]
    assert perf["service_level"].tolist()[0] == pytest.approx(0.88835, abs=1e-5)
    assert perf.iloc[1].tolist() == [0.0, math.inf, 1.0]
    assert perf.iloc[2].tolist() == [1.0, 0.0, 0.0]


def test_performance_fractional_agents_lie_between_neighbours() -> None:
    agents = np.linspace(11, 16, 51)
    perf = performance(
        100, aht_seconds=180, agents_on_phone=agents, interval_minutes=30, policy=POLICY
    )
    sl = perf["service_level"].to_numpy()
    assert np.all(np.diff(sl) > 0)
    assert sl[30] == pytest.approx(
        erlang.service_level(10.0, 14, aht_seconds=180, answer_within_seconds=20)
    )


def test_performance_erlang_a() -> None:
    perf = performance(
        [400, 400],
        aht_seconds=300,
        agents_on_phone=[120, 130.5],
        interval_minutes=15,
        policy=ServicePolicy(model="erlang_a", patience_seconds=120),
    )
    columns = ["service_level", "asa_seconds", "occupancy", "abandon_probability"]
    assert list(perf.columns) == columns
    assert perf["abandon_probability"].iloc[0] > perf["abandon_probability"].iloc[1] > 0
    traffic = erlang.traffic_erlangs(400, aht_seconds=300, interval_minutes=15)
    assert perf["service_level"].iloc[0] == pytest.approx(
        erlang.erlang_a_service_level(
            traffic, 120, aht_seconds=300, patience_seconds=120, answer_within_seconds=20
        )
    )


def test_weekly_service_level() -> None:
    assert weekly_service_level([100, 300], [0.9, 0.7]) == pytest.approx(0.75)
    assert weekly_service_level([0, 0], [0.2, 0.4]) == 1.0
    assert weekly_service_level([], []) == 1.0
    with pytest.raises(ValidationError):
        weekly_service_level([1, 2], [0.5])
    with pytest.raises(ValidationError):
        weekly_service_level([1, -2], [0.5, 0.5])
    with pytest.raises(ValidationError):
        weekly_service_level([1, 2], [0.5, 1.5])


# --------------------------------------------------------------------------- regressions


@pytest.mark.parametrize("text", ["1.0/0", "100%/20", "1/20"])
def test_service_level_of_one_is_rejected(text: str) -> None:
    # No finite number of agents answers every call in time; before, 1.0/0 gave
    # 35 agents for 10 erlangs and reported a service level of "1".
    with pytest.raises(ValidationError, match=r"level: got 1\.0, expected a number in \(0, 1\)"):
        ServicePolicy.parse(text)
    with pytest.raises(ValidationError, match="level"):
        ServicePolicy(level=1.0, answer_within_seconds=0)


def test_unsorted_forecast_error_reads_as_a_sentence() -> None:
    frame = _forecast([10.0, 20.0, 30.0])
    frame.loc[2, "interval_start"] = frame.loc[0, "interval_start"]
    with pytest.raises(DataError, match="got an earlier timestamp; sort"):
        requirements(frame, policy=POLICY, aht_seconds=180.0)
    frame.loc[2, "interval_start"] = frame.loc[1, "interval_start"]
    with pytest.raises(DataError, match="got the same timestamp as the previous row"):
        requirements(frame, policy=POLICY, aht_seconds=180.0)


def test_interval_longer_than_the_spacing_is_refused() -> None:
    # A 15-minute forecast read as 30-minute intervals used to halve every
    # interval's traffic (peak 53 agents became 37 on the example week).
    fc = pd.DataFrame(
        {
            "interval_start": pd.date_range("2024-03-04 08:00", periods=4, freq="15min"),
            "calls": [100.0, 100.0, 100.0, 100.0],
        }
    )
    with pytest.raises(DataError, match=r"interval_start\[row 1\].*overlap"):
        requirements(fc, policy=POLICY, aht_seconds=180, interval_minutes=30)
    inferred = requirements(fc, policy=POLICY, aht_seconds=180)
    explicit = requirements(fc, policy=POLICY, aht_seconds=180, interval_minutes=15)
    assert inferred["required_on_phone"].tolist() == explicit["required_on_phone"].tolist()
    assert inferred["traffic_erlangs"].iloc[0] == pytest.approx(100 * 180 / 900)


def test_is_open_error_shows_a_plain_value() -> None:
    frame = _forecast([10.0, 20.0], is_open=np.array([1, 0]))
    with pytest.raises(DataError, match=r"is_open\[row 0\]: got 1, expected True or False"):
        requirements(frame, policy=POLICY, aht_seconds=180.0)


def test_absurd_calls_name_the_forecast_row() -> None:
    frame = _forecast([100.0, 1e20, 50.0])
    with pytest.raises(DataError, match=r"calls\[row 1\]: got 1e\+20.*at most 1e\+06 erlangs"):
        requirements(frame, policy=POLICY, aht_seconds=180.0)


def test_calls_in_a_closed_interval_are_an_error() -> None:
    # 50 calls offered while closed used to get 0 agents and service level 1
    fc = _forecast([50.0, 50.0, 0.0], is_open=[True, False, False])
    with pytest.raises(DataError, match=r"calls\[row 1\]: got 50\.0, expected 0 in a closed"):
        requirements(fc, policy=POLICY, aht_seconds=300)


def test_required_on_phone_is_the_search_of_requirements() -> None:
    policy = ServicePolicy(model="erlang_a", patience_seconds=120, max_abandon_rate=0.05)
    fc = _forecast([400.0, 200.0, 0.0])
    req = requirements(fc, policy=policy, aht_seconds=300, interval_minutes=15)
    traffic = req["traffic_erlangs"].to_numpy()[:2]
    found = staffing.required_on_phone(traffic, aht_seconds=300, policy=policy)
    assert found.agents.tolist() == req["required_on_phone"].tolist()[:2]
    np.testing.assert_array_equal(
        found.agents_fractional, req["required_on_phone_fractional"].to_numpy()[:2]
    )
    assert staffing.required_on_phone(10.0, aht_seconds=180, policy=POLICY).agents == 14
