"""Tests of wfm.actuals: mapping, reading with row accounting, estimates, plan vs actual."""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wfm
from wfm.actuals import (
    CallLogMapping,
    actuals_report,
    estimate_handle_time,
    estimate_patience,
    patience_by_period,
    plan_vs_actual,
    read_call_log,
)
from wfm.errors import ValidationError
from wfm.kpis import KpiSettings

ROOT = Path(__file__).parents[1]
EXAMPLE_LOG = ROOT / "examples" / "call_logs" / "example_log.csv"
EXAMPLE_MAPPING = ROOT / "examples" / "call_logs" / "example_mapping.yaml"
BANK_MAPPING = ROOT / "examples" / "call_logs" / "anonymous_bank_mapping.yaml"
BANK_LOG = ROOT / ".." / "shared" / "data" / "anonymous_bank_1999" / "calls_1999-02-01_14.tsv"
needs_bank = pytest.mark.skipif(
    not BANK_LOG.exists(), reason="the Anonymous Bank call log is not in ../shared/data"
)


@pytest.fixture(scope="module")
def example() -> object:
    return read_call_log(EXAMPLE_LOG, CallLogMapping.from_yaml(EXAMPLE_MAPPING))


# ----------------------------------------------------------------------------- the example log
#
# examples/call_logs/example_log.csv, 16 rows (lines 2-17), date and time in two columns:
#   calls 1-8 and 14: offered on 2024-03-04; 15-16: offered on 2024-03-05
#   call 9: abandoned, never queued (queued = N): kept apart
#   call 10: label TEST: ignored
#   call 11: label TRANSFER: rejected (line 12); call 12: time 25:61:00: rejected (line 13)
#   call 13: wait -3: rejected (line 14)
#   call 14: answered with talk 0: used, handle time unknown


def test_every_row_of_the_example_is_accounted_for(example) -> None:
    s = example.summary
    assert s.rows_read == 16
    assert s.rows_used == 11
    assert dict(s.ignored) == {"TEST": 1}
    assert s.abandoned_before_queue == 1
    assert dict(s.rejected) == {
        "outcome label not in the mapping": 1,
        "unparsable arrival": 1,
        "negative wait seconds": 1,
    }
    assert s.rows_read == s.rows_used + 1 + 1 + 3
    assert s.answered_without_handle == 1
    rejected = example.rejected.set_index("line")
    assert rejected.loc[12, "value"] == "TRANSFER"
    assert rejected.loc[13, "reason"] == "unparsable arrival"
    assert rejected.loc[14, "column"] == "queue_wait"
    assert example.abandoned_before_queue["customer_id"].tolist() == ["c4"]
    assert example.contacts["line"].tolist() == [2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17]


def test_example_log_reads_date_and_time_columns_and_labels(example) -> None:
    c = example.contacts
    assert c["arrival"].iloc[0] == pd.Timestamp("2024-03-04 08:00:00")
    assert c["arrival"].iloc[-1] == pd.Timestamp("2024-03-05 09:10:00")
    assert c["outcome"].value_counts().to_dict() == {"answered": 7, "abandoned": 4}
    assert c["agent_id"].isna().sum() == 4  # NONE on every abandoned row
    assert c["customer_id"].isna().sum() == 4  # empty caller
    assert math.isnan(c.loc[c["line"] == 15, "handle_seconds"].iloc[0])  # talk 0


def test_example_days_match_hand_counts(example) -> None:
    report = actuals_report(example, settings=KpiSettings(answer_within_seconds=20))
    days = report.days.set_index("date")
    monday = days.loc[pd.Timestamp("2024-03-04")]
    assert (monday["offered"], monday["answered"], monday["abandoned"]) == (9, 6, 3)
    # answered within 20 s: calls 1 (0 s), 2 (20 s), 7 (10 s), 14 (15 s)
    assert monday["answered_within"] == 4
    assert monday["service_level"] == pytest.approx(4 / 9)
    assert monday["asa_seconds"] == pytest.approx((0 + 20 + 21 + 60 + 10 + 15) / 6)
    assert monday["longest_wait_seconds"] == 60
    assert monday["mean_time_to_abandon_seconds"] == pytest.approx((4 + 5 + 40) / 3)
    assert monday["aht_seconds"] == pytest.approx((100 + 200 + 50 + 300 + 120) / 5)
    assert monday["abandoned_before_queue"] == 1
    tuesday = days.loc[pd.Timestamp("2024-03-05")]
    assert (tuesday["offered"], tuesday["short_abandoned"]) == (2, 1)
    assert tuesday["abandoned_before_queue"] == 0
    summary = report.to_dict()
    assert summary["totals"]["offered"] == 11
    assert summary["rows"]["rows_read"] == 16


def test_patience_and_handle_time_estimates_of_the_example(example) -> None:
    contacts = example.contacts.drop(columns="line")
    patience = estimate_patience(contacts)
    waits = 0 + 20 + 21 + 4 + 5 + 60 + 10 + 40 + 15 + 2 + 1
    assert patience.total_wait_seconds == waits
    assert patience.abandoned == 4
    assert patience.contacts == 11
    assert patience.patience_seconds == pytest.approx(waits / 4)
    handle = estimate_handle_time(contacts)
    known = np.array([100, 200, 50, 300, 120, 30], dtype=float)
    assert handle.count == 6
    assert handle.mean_seconds == pytest.approx(known.mean())
    assert handle.cv == pytest.approx(known.std(ddof=1) / known.mean())
    assert handle.log_mean == pytest.approx(np.log(known).mean())
    assert handle.log_std == pytest.approx(np.log(known).std(ddof=1))
    s = handle.log_std
    assert handle.lognormal_mean_seconds == pytest.approx(math.exp(handle.log_mean + s * s / 2))


def test_patience_per_day_with_its_counts(example) -> None:
    per_day = patience_by_period(example.contacts, period="day").set_index("date")
    monday = per_day.loc[pd.Timestamp("2024-03-04")]
    assert (monday["contacts"], monday["abandoned"]) == (9, 3)
    assert monday["patience_seconds"] == pytest.approx(
        (0 + 20 + 21 + 4 + 5 + 60 + 10 + 40 + 15) / 3
    )
    strict = patience_by_period(example.contacts, period="day", min_abandoned=2)
    assert strict["patience_seconds"].isna().tolist() == [False, True]  # Tuesday: 1 abandon


def test_lognormal_fit_recovers_known_parameters() -> None:
    rng = np.random.default_rng(3)
    handle = rng.lognormal(mean=5.0, sigma=0.9, size=20_000)
    contacts = pd.DataFrame(
        {
            "arrival": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(20_000), unit="s"),
            "wait_seconds": 0.0,
            "outcome": "answered",
            "handle_seconds": handle,
        }
    )
    fit = estimate_handle_time(contacts)
    assert fit.log_mean == pytest.approx(5.0, abs=0.03)
    assert fit.log_std == pytest.approx(0.9, abs=0.02)
    assert fit.cv == pytest.approx(math.sqrt(math.expm1(0.81)), rel=0.05)


def test_patience_recovers_an_exponential_patience() -> None:
    # Waits are min(patience, time to answer); the estimator undoes the censoring.
    rng = np.random.default_rng(11)
    n = 50_000
    patience = rng.exponential(120.0, n)
    answer_after = rng.exponential(60.0, n)
    wait = np.minimum(patience, answer_after)
    answered = answer_after <= patience
    contacts = pd.DataFrame(
        {
            "arrival": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), unit="s"),
            "wait_seconds": wait,
            "outcome": np.where(answered, "answered", "abandoned"),
            "handle_seconds": np.where(answered, 100.0, np.nan),
        }
    )
    assert estimate_patience(contacts).patience_seconds == pytest.approx(120.0, rel=0.03)


# ----------------------------------------------------------------------------- plan vs actual


def test_plan_vs_actual_matches_intervals_and_reports_the_unmatched(example) -> None:
    plan = pd.DataFrame(
        {
            "interval_start": ["2024-03-04 07:30", "2024-03-04 08:00", "2024-03-04 08:30"],
            "calls": [2.0, 5.0, 4.0],
            "aht_seconds": [150.0, 150.0, 100.0],
            "required_on_phone": [1, 3, 2],
            "service_level": [0.9, 0.8, 0.5],
        }
    )
    result = plan_vs_actual(plan, example.contacts, settings=KpiSettings(interval_minutes=30))
    rows = result.intervals.set_index("interval_start")
    assert rows.loc[pd.Timestamp("2024-03-04 07:30"), "match"] == "plan_only"
    assert rows.loc[pd.Timestamp("2024-03-04 07:30"), "actual_offered"] == 0
    eight = rows.loc[pd.Timestamp("2024-03-04 08:00")]
    assert eight["match"] == "both"
    assert (eight["forecast_calls"], eight["actual_offered"]) == (5.0, 6)
    assert eight["planned_agents"] == 3
    assert eight["actual_agents_served"] == 2  # A and B; C starts at 08:30
    assert eight["actual_service_level"] == pytest.approx(2 / 6)
    # 2024-03-05 09:00 has contacts and no plan row
    assert rows.loc[pd.Timestamp("2024-03-05 09:00"), "match"] == "actual_only"
    assert (result.plan_only, result.actual_only) == (1, 1)
    assert result.agents_column == "required_on_phone"
    monday = result.days.set_index("date").loc[pd.Timestamp("2024-03-04")]
    assert monday["forecast_calls"] == 11
    assert monday["actual_offered"] == 9
    assert monday["forecast_aht_seconds"] == pytest.approx((2 * 150 + 5 * 150 + 4 * 100) / 11)
    assert monday["predicted_service_level"] == pytest.approx((2 * 0.9 + 5 * 0.8 + 4 * 0.5) / 11)
    assert monday["actual_service_level"] == pytest.approx(4 / 9)
    assert monday["planned_agent_hours"] == pytest.approx((1 + 3 + 2) * 0.5)


def test_plan_off_the_grid_or_duplicated_is_refused(example) -> None:
    with pytest.raises(ValidationError, match=r"interval_start\[row 0\]"):
        plan_vs_actual(pd.DataFrame({"interval_start": ["2024-03-04 08:10"]}), example.contacts)
    with pytest.raises(ValidationError, match=r"interval_start\[row 1\].*each start once"):
        plan_vs_actual(
            pd.DataFrame({"interval_start": ["2024-03-04 08:00", "2024-03-04 08:00"]}),
            example.contacts,
        )


# ----------------------------------------------------------------------------- mapping


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
arrival: start
wait_seconds: wait
handle_seconds: talk
outcome: {column: result, answered: [OK], abandoned: [LOST]}
"""


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (GOOD.replace("wait_seconds: wait\n", ""), "wait_seconds"),
        (GOOD + "colour: red\n", "colour"),
        (GOOD.replace("answered: [OK]", "answered: [OK], ignored: [OK]"), "outcome.ignored"),
        (GOOD.replace("[OK]", "[]"), "outcome.answered"),
        (GOOD + "agent_id: {column: agent, nobody: [X]}\n", "agent_id.nobody"),
        (GOOD.replace("arrival: start", "arrival: {date: d, time: t}"), "arrival.date_format"),
        (GOOD.replace("arrival: start", "arrival: {column: s, time: t}"), "arrival.column"),
        (GOOD + "queued: {not_queued: [N]}\n", "queued.column"),
    ],
)
def test_mapping_errors_name_the_yaml_key(tmp_path: Path, text: str, key: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ValidationError) as info:
        CallLogMapping.from_yaml(path)
    assert info.value.field == f"{path}: {key}"


def test_mapping_reads_values_as_written(tmp_path: Path) -> None:
    text = (
        GOOD
        + "customer_id: {column: cid, unidentified: [0]}\n"
        + "queued: {column: q, not_queued: [0:00:00]}\n"
    )
    mapping = CallLogMapping.from_yaml(_write(tmp_path, text))
    assert mapping.unidentified_customer_labels == ("0",)
    assert mapping.not_queued_labels == ("0:00:00",)  # not YAML 1.1's sexagesimal 0


def _simple_mapping() -> CallLogMapping:
    return CallLogMapping(
        separator=";",
        arrival_column="start",
        wait_seconds_column="wait",
        handle_seconds_column="talk",
        outcome_column="result",
        answered_labels=("OK",),
        abandoned_labels=("LOST",),
    )


def test_mapping_from_keywords_and_a_missing_column() -> None:
    mapping = CallLogMapping(
        arrival_column="start",
        wait_seconds_column="wait",
        handle_seconds_column="talk",
        outcome_column="result",
        answered_labels=("OK",),
        abandoned_labels="LOST",  # type: ignore[arg-type]
    )
    assert mapping.abandoned_labels == ("LOST",)
    frame = pd.DataFrame(
        {
            "start": ["2024-01-01 08:00:00", "2024-01-01 08:01:00"],
            "wait": ["3", "7"],
            "talk": ["40", ""],
            "result": ["OK", "LOST"],
        }
    )
    log = read_call_log(frame, mapping)
    assert log.summary.rows_used == 2
    assert log.contacts["outcome"].tolist() == ["answered", "abandoned"]
    with pytest.raises(ValidationError, match="wait_seconds_column: got 'wait'"):
        read_call_log(frame.drop(columns="wait"), mapping)


def test_missing_handle_time_of_an_answered_row_is_rejected() -> None:
    mapping = _simple_mapping()
    frame = pd.DataFrame(
        {"start": ["2024-01-01 08:00:00"], "wait": ["3"], "talk": ["n/a"], "result": ["OK"]}
    )
    log = read_call_log(frame, mapping)
    assert log.summary.rows_used == 0
    assert log.rejected["line"].tolist() == [0]  # DataFrame rows: 0-based position
    assert log.rejected["reason"].iloc[0].startswith("missing or non-numeric handle seconds")


# ----------------------------------------------------------------------------- the bank log


@pytest.fixture(scope="module")
def bank() -> object:
    if not BANK_LOG.exists():
        pytest.skip("the Anonymous Bank call log is not in ../shared/data")
    return read_call_log(BANK_LOG, CallLogMapping.from_yaml(BANK_MAPPING))


def _raw_bank_counts() -> tuple[int, Counter[tuple[str, str]], Counter[str]]:
    """Per-day counts straight from the file with the csv module, by the documented rules."""
    counts: Counter[tuple[str, str]] = Counter()
    fates: Counter[str] = Counter()
    rows = 0
    with open(BANK_LOG, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            rows += 1
            day = f"19{row['date'][:2]}-{row['date'][2:4]}-{row['date'][4:]}"
            if row["outcome"] == "PHANTOM":
                fates["ignored"] += 1
            elif int(row["vru_time"]) < 0:
                fates["rejected"] += 1
            elif row["outcome"] == "HANG" and row["q_start"] == "0:00:00":
                fates["before_queue"] += 1
                counts[(day, "before_queue")] += 1
            else:
                fates["used"] += 1
                counts[(day, "offered")] += 1
                kind = "answered" if row["outcome"] == "AGENT" else "abandoned"
                counts[(day, kind)] += 1
                if kind == "answered" and int(row["q_time"]) <= 20:
                    counts[(day, "within")] += 1
    return rows, counts, fates


@needs_bank
def test_bank_log_every_row_accounted_for(bank) -> None:
    rows, _, fates = _raw_bank_counts()
    s = bank.summary
    assert s.rows_read == rows == 17456
    assert s.rows_used == fates["used"]
    assert sum(s.ignored.values()) == fates["ignored"] == 143
    assert s.abandoned_before_queue == fates["before_queue"]
    assert sum(s.rejected.values()) == fates["rejected"]
    assert dict(s.rejected) == {"negative VRU seconds": fates["rejected"]}
    assert s.rows_used + 143 + s.abandoned_before_queue + fates["rejected"] == rows


@needs_bank
def test_bank_log_days_equal_independent_counts(bank) -> None:
    _, counts, _ = _raw_bank_counts()
    days = actuals_report(bank, settings=KpiSettings(interval_minutes=30)).days
    days = days[days["offered"] > 0]  # a day after the log holds only a call in service
    assert len(days) == 14
    for _, row in days.iterrows():
        day = row["date"].strftime("%Y-%m-%d")
        assert row["offered"] == counts[(day, "offered")], day
        assert row["answered"] == counts[(day, "answered")], day
        assert row["abandoned"] == counts[(day, "abandoned")], day
        assert row["answered_within"] == counts[(day, "within")], day
        assert row["abandoned_before_queue"] == counts[(day, "before_queue")], day


@needs_bank
def test_bank_log_offered_equal_pandas_value_counts(bank) -> None:
    raw = pd.read_csv(BANK_LOG, sep="\t", dtype=str)
    keep = (
        (raw["outcome"] != "PHANTOM")
        & (raw["vru_time"].astype(int) >= 0)
        & ~((raw["outcome"] == "HANG") & (raw["q_start"] == "0:00:00"))
    )
    expected = raw.loc[keep, "type"].value_counts().sort_index()
    table = actuals_report(bank).intervals
    assert int(table["offered"].sum()) == int(expected.sum())
    got = bank.contacts["queue"].value_counts().sort_index()
    assert got.to_dict() == expected.to_dict()


def test_blank_line_is_a_rejected_row_and_lines_stay_true(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "start;wait;talk;result\n2024-01-01 08:00:00;3;40;OK\n\n2024-01-01 08:05:00;-2;40;OK\n",
        encoding="utf-8",
    )
    log = read_call_log(path, _simple_mapping())
    assert log.summary.rows_read == 3
    assert log.summary.rows_used == 1
    assert log.rejected[["line", "reason"]].values.tolist() == [
        [3, "outcome label not in the mapping"],
        [4, "negative wait seconds"],
    ]


def test_utc_offsets_keep_their_instants_and_naive_rows_among_them_are_rejected() -> None:
    frame = pd.DataFrame(
        {
            "start": ["2024-01-15", "2024-01-15T08:00:00+02:00", "2024-01-15 09:00+02:00"],
            "wait": ["1", "2", "3"],
            "talk": ["10", "20", "30"],
            "result": ["OK", "OK", "OK"],
        }
    )
    log = read_call_log(frame, _simple_mapping())
    # the date alone has no offset to place it among arrivals with offsets
    assert [str(t) for t in log.contacts["arrival"]] == [
        "2024-01-15 08:00:00+02:00",
        "2024-01-15 09:00:00+02:00",
    ]
    assert log.rejected[["line", "column", "value"]].values.tolist() == [[0, "start", "2024-01-15"]]
    assert log.summary.rows_read == 3 and log.summary.rows_used == 2


def test_plan_vs_actual_reads_a_requirements_table(example) -> None:
    forecast = pd.DataFrame(
        {
            "interval_start": pd.date_range("2024-03-04 08:00", periods=2, freq="30min"),
            "calls": [6.0, 3.0],
            "aht_seconds": [180.0, 180.0],
        }
    )
    policy = wfm.ServicePolicy(level=0.8, answer_within_seconds=20)
    required = wfm.requirements(forecast, policy=policy)
    result = plan_vs_actual(required, example.contacts)
    assert result.agents_column == "required_on_phone"
    rows = result.intervals.set_index("interval_start")
    assert rows["planned_agents"].tolist()[:2] == required["required_on_phone"].tolist()
    assert rows["predicted_service_level"].tolist()[:2] == required["service_level"].tolist()
    assert rows.loc[pd.Timestamp("2024-03-04 08:30"), "actual_offered"] == 3
