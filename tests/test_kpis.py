"""Tests of wfm.kpis against hand computations and brute-force counts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from wfm.errors import DataError, ValidationError
from wfm.kpis import KpiSettings, kpi_table, validate_contacts

NAN = float("nan")


def _contacts(rows: list[tuple[str, float, str, float, str | None, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "arrival": pd.to_datetime([r[0] for r in rows]),
            "wait_seconds": [r[1] for r in rows],
            "outcome": [r[2] for r in rows],
            "handle_seconds": [r[3] for r in rows],
            "agent_id": pd.array([r[4] for r in rows], dtype="string"),
            "customer_id": pd.array([r[5] for r in rows], dtype="string"),
        }
    )


# Ten contacts, 30-minute intervals, T = 20 s, short abandons under 5 s.
#   08:00 interval: 6 contacts
#     a1 answered wait 0    handle 100  agent A  customer c1
#     a2 answered wait 20   handle 200  agent B  customer c2   (exactly T: in time)
#     a3 answered wait 21   handle 50   agent A  customer c1   (late; repeat of a1)
#     b1 abandoned wait 4                          customer c3 (short)
#     b2 abandoned wait 5                                       (not short: 5 is not < 5)
#     a4 answered wait 60   handle 300  agent C, arrives 08:29:00, answered 08:30:00,
#        so all its 300 s of handling are in the 08:30 interval
#   08:30 interval: 2 contacts (08:30:00 is the boundary: it belongs to 08:30)
#     a5 answered wait 10   handle 120  agent A  customer c2  (repeat of a2)
#     b3 abandoned wait 40                          customer c1 (repeat: a3 answered before)
#   next day 09:00: 2 contacts
#     a6 answered wait 2    handle 30   agent B  customer c1  (more than a day after a3: no)
#     b4 abandoned wait 1
HAND = _contacts(
    [
        ("2024-03-04 08:00:00", 0.0, "answered", 100.0, "A", "c1"),
        ("2024-03-04 08:05:00", 20.0, "answered", 200.0, "B", "c2"),
        ("2024-03-04 08:10:00", 21.0, "answered", 50.0, "A", "c1"),
        ("2024-03-04 08:12:00", 4.0, "abandoned", NAN, None, "c3"),
        ("2024-03-04 08:20:00", 5.0, "abandoned", NAN, None, None),
        ("2024-03-04 08:29:00", 60.0, "answered", 300.0, "C", None),
        ("2024-03-04 08:30:00", 10.0, "answered", 120.0, "A", "c2"),
        ("2024-03-04 08:45:00", 40.0, "abandoned", NAN, None, "c1"),
        ("2024-03-05 09:00:00", 2.0, "answered", 30.0, "B", "c1"),
        ("2024-03-05 09:10:00", 1.0, "abandoned", NAN, None, None),
    ]
)
SETTINGS = KpiSettings(
    interval_minutes=30, answer_within_seconds=20, short_abandon_seconds=5, repeat_within_days=1
)


def test_interval_table_matches_hand_computation() -> None:
    table = kpi_table(HAND, settings=SETTINGS).set_index("interval_start")
    first = table.loc[pd.Timestamp("2024-03-04 08:00")]
    assert first["offered"] == 6
    assert first["answered"] == 4
    assert first["abandoned"] == 2
    assert first["short_abandoned"] == 1
    assert first["answered_within"] == 2  # waits 0 and 20
    assert first["service_level"] == pytest.approx(2 / 6)
    assert first["service_level_of_answered"] == pytest.approx(2 / 4)
    assert first["service_level_excluding_short_abandons"] == pytest.approx(2 / 5)
    assert first["asa_seconds"] == pytest.approx((0 + 20 + 21 + 60) / 4)
    assert first["longest_wait_seconds"] == 60
    assert first["abandon_rate"] == pytest.approx(2 / 6)
    assert first["mean_time_to_abandon_seconds"] == pytest.approx(4.5)
    assert first["aht_seconds"] == pytest.approx((100 + 200 + 50 + 300) / 4)
    # handling inside 08:00-08:30: a1 100, a2 200, a3 50; a4 starts at 08:30:00
    assert first["busy_seconds"] == pytest.approx(350)
    assert first["agents_served"] == 2  # A and B
    assert first["occupancy"] == pytest.approx(350 / (2 * 1800))
    assert first["identified_contacts"] == 4
    assert first["repeat_contacts"] == 1  # a3
    assert first["repeat_contact_rate"] == pytest.approx(1 / 4)

    second = table.loc[pd.Timestamp("2024-03-04 08:30")]
    assert second["offered"] == 2
    assert second["answered_within"] == 1
    assert second["service_level"] == pytest.approx(0.5)
    assert second["longest_wait_seconds"] == 40
    assert second["mean_time_to_abandon_seconds"] == 40
    assert second["agents_served"] == 2  # C (a4's handling) and A
    assert second["busy_seconds"] == pytest.approx(300 + 120)
    assert second["repeat_contacts"] == 2  # a5 after a2, b3 after a3

    third = table.loc[pd.Timestamp("2024-03-05 09:00")]
    assert (third["offered"], third["answered"], third["abandoned"]) == (2, 1, 1)
    assert third["short_abandoned"] == 1
    assert third["service_level_excluding_short_abandons"] == pytest.approx(1.0)
    assert third["repeat_contacts"] == 0
    assert len(table) == 3


def test_daily_and_monthly_tables_sum_the_intervals() -> None:
    days = kpi_table(HAND, period="day", settings=SETTINGS).set_index("date")
    monday = days.loc[pd.Timestamp("2024-03-04")]
    assert (monday["offered"], monday["answered"], monday["abandoned"]) == (8, 5, 3)
    assert monday["answered_within"] == 3
    assert monday["service_level"] == pytest.approx(3 / 8)
    assert monday["asa_seconds"] == pytest.approx((0 + 20 + 21 + 60 + 10) / 5)
    assert monday["agents_served"] == 3
    # available time: (A, B) in 08:00 and (C, A) in 08:30 -> 4 agent-intervals
    assert monday["occupancy"] == pytest.approx((350 + 420) / (4 * 1800))
    months = kpi_table(HAND, period="month", settings=SETTINGS)
    assert len(months) == 1
    assert months.loc[0, "month"] == pd.Timestamp("2024-03-01")
    assert months.loc[0, "offered"] == 10
    assert months.loc[0, "longest_wait_seconds"] == 60


def test_interval_with_no_contact_is_a_row_of_zeros_and_nans() -> None:
    starts = pd.date_range("2024-03-04 07:30", periods=3, freq="30min")
    table = kpi_table(HAND, settings=SETTINGS, interval_starts=starts)
    empty = table.set_index("interval_start").loc[pd.Timestamp("2024-03-04 07:30")]
    assert empty["offered"] == 0 and empty["agents_served"] == 0
    for column in ("service_level", "asa_seconds", "abandon_rate", "aht_seconds", "occupancy"):
        assert math.isnan(empty[column])
    assert len(table) == 4  # 07:30 added; the other two given starts already had contacts


def test_by_queue_splits_each_period() -> None:
    contacts = HAND.assign(queue=["q1", "q2"] * 5)
    table = kpi_table(contacts, period="day", settings=SETTINGS, by_queue=True)
    assert list(table.columns[:2]) == ["date", "queue"]
    assert table["offered"].sum() == 10
    monday_q1 = table[(table["date"] == "2024-03-04") & (table["queue"] == "q1")].iloc[0]
    assert monday_q1["offered"] == 4  # rows 0, 2, 4, 6


def test_without_optional_columns_there_are_no_agent_or_repeat_columns() -> None:
    table = kpi_table(HAND.drop(columns=["agent_id", "customer_id"]))
    assert "agents_served" not in table.columns
    assert "repeat_contact_rate" not in table.columns
    assert "repeat_contacts" not in kpi_table(HAND).columns  # repeat_within_days not set


def test_counts_match_a_plain_loop_on_a_random_log() -> None:
    rng = np.random.default_rng(7)
    n = 400
    arrival = pd.Timestamp("2024-01-01 07:00") + pd.to_timedelta(
        np.sort(rng.uniform(0, 3 * 86400, n)), unit="s"
    )
    outcome = np.where(rng.random(n) < 0.8, "answered", "abandoned")
    wait = rng.exponential(25, n).round(0)
    handle = np.where(outcome == "answered", rng.lognormal(5, 0.7, n).round(0) + 1, np.nan)
    agent = np.where(outcome == "answered", rng.choice(list("ABCDE"), n), None)
    contacts = pd.DataFrame(
        {
            "arrival": arrival,
            "wait_seconds": wait,
            "outcome": outcome,
            "handle_seconds": handle,
            "agent_id": agent,
        }
    )
    settings = KpiSettings(interval_minutes=15, answer_within_seconds=20)
    table = kpi_table(contacts, settings=settings).set_index("interval_start")
    step = 15 * 60
    epoch = pd.Timestamp("2024-01-01")
    expected: dict[pd.Timestamp, dict[str, float]] = {}
    busy: dict[tuple[pd.Timestamp, str], float] = {}
    for t, w, o, h, a in zip(arrival, wait, outcome, handle, agent, strict=True):
        seconds = (t - epoch).total_seconds()
        key = epoch + pd.Timedelta(seconds=seconds // step * step)
        row = expected.setdefault(key, {"offered": 0, "answered_within": 0, "abandoned": 0})
        row["offered"] += 1
        row["answered_within"] += int(o == "answered" and w <= 20)
        row["abandoned"] += int(o == "abandoned")
        if o == "answered":
            start, end = seconds + w, seconds + w + h
            k = start // step
            while k * step < end:
                overlap = min(end, (k + 1) * step) - max(start, k * step)
                cell = (epoch + pd.Timedelta(seconds=k * step), str(a))
                busy[cell] = busy.get(cell, 0.0) + overlap
                k += 1
    for key, row in expected.items():
        for column, value in row.items():
            assert table.loc[key, column] == value, (key, column)
    for key in {k for k, _ in busy}:
        agents = [a for k, a in busy if k == key]
        total = sum(v for (k, _), v in busy.items() if k == key)
        assert table.loc[key, "agents_served"] == len(agents)
        assert table.loc[key, "busy_seconds"] == pytest.approx(total)
        assert table.loc[key, "occupancy"] == pytest.approx(total / (len(agents) * step))


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("outcome", "dropped", "outcome[row 3]"),
        ("wait_seconds", -1.0, "wait_seconds[row 3]"),
        ("handle_seconds", 0.0, "handle_seconds[row 0]"),
    ],
)
def test_bad_rows_are_named(column: str, value: object, field: str) -> None:
    bad = HAND.copy()
    bad[column] = bad[column].astype(object)
    row = 0 if field.endswith("[row 0]") else 3
    bad.loc[row, column] = value
    if column != "outcome":
        bad[column] = bad[column].astype(float)
    with pytest.raises(DataError) as info:
        validate_contacts(bad)
    assert info.value.field == field


def test_handle_time_on_an_abandoned_contact_is_refused() -> None:
    bad = HAND.copy()
    bad.loc[3, "handle_seconds"] = 10.0
    with pytest.raises(DataError, match=r"handle_seconds\[row 3\]"):
        validate_contacts(bad)


def test_missing_column_and_bad_settings() -> None:
    with pytest.raises(DataError, match="wait_seconds"):
        kpi_table(HAND.drop(columns="wait_seconds"))
    with pytest.raises(ValidationError, match="interval_minutes"):
        KpiSettings(interval_minutes=7)
    with pytest.raises(ValidationError, match="answer_within_seconds"):
        KpiSettings(answer_within_seconds=-1)
    with pytest.raises(ValidationError, match="by_queue"):
        kpi_table(HAND, by_queue=True)
    with pytest.raises(ValidationError, match="period"):
        kpi_table(HAND, period="week")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="interval_starts"):
        kpi_table(HAND, interval_starts=[pd.Timestamp("2024-03-04 08:10")])
