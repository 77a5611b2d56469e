"""Tests of wfm.history: reading, validation, aggregation, call records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.errors import DataError, ValidationError
from wfm.history import History, aggregate, read_call_records, read_interval_counts


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(text)
    return path


def _frame(stamps: list[str], calls: list[float], aht: list[float] | None = None) -> pd.DataFrame:
    data: dict[str, object] = {"interval_start": stamps, "calls": calls}
    if aht is not None:
        data["aht_seconds"] = aht
    return pd.DataFrame(data)


# ----------------------------------------------------------------------------- reading


def test_reads_csv_and_accounts_for_every_row(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "interval_start,calls,aht_seconds\n"
        "2026-08-17 08:00,10,300\n"
        "2026-08-17 08:15,0,\n"
        "2026-08-17 08:30,7,280.5\n",
    )
    history = read_interval_counts(path)
    assert isinstance(history, History)
    assert history.interval_minutes == 15
    assert history.data["calls"].tolist() == [10.0, 0.0, 7.0]
    assert np.isnan(history.data["aht_seconds"].iloc[1])
    assert history.data["aht_seconds"].iloc[2] == 280.5
    s = history.summary
    assert (s.rows_read, s.rows_used, dict(s.excluded)) == (3, 3, {})
    assert s.has_aht
    assert "rows read: 3" in str(s)


def test_missing_day_is_reported_not_filled() -> None:
    # Mon 17, Wed 19, Mon 24, Tue 25: Tuesday 18 is missing; Thu-Sun never open
    stamps = ["2026-08-17 08:00", "2026-08-19 08:00", "2026-08-24 08:00", "2026-08-25 08:00"]
    history = read_interval_counts(_frame(stamps, [1, 2, 3, 4]), interval_minutes=15)
    assert len(history.data) == 4  # not filled with zeros
    assert history.summary.missing_days == (dt.date(2026, 8, 18),)
    assert "2026-08-18" in str(history.summary)


def test_custom_column_names_and_no_aht() -> None:
    frame = pd.DataFrame({"ts": ["2026-08-17 08:00", "2026-08-17 08:30"], "n": [4, 5]})
    history = read_interval_counts(frame, timestamp_column="ts", calls_column="n")
    assert history.interval_minutes == 30
    assert not history.has_aht
    assert history.data["aht_seconds"].isna().all()
    assert any("aht_seconds" in note for note in history.summary.notes)


def test_unsorted_input_is_sorted() -> None:
    history = read_interval_counts(
        _frame(["2026-08-17 08:15", "2026-08-17 08:00"], [2, 1]), interval_minutes=15
    )
    assert history.data["calls"].tolist() == [1.0, 2.0]


def test_uniform_offset_is_dropped_with_a_note() -> None:
    stamps = ["2026-08-17T08:00:00+02:00", "2026-08-17T08:15:00+02:00"]
    history = read_interval_counts(_frame(stamps, [1, 2]))
    assert history.data["interval_start"].iloc[0] == pd.Timestamp("2026-08-17 08:00")
    assert any("+02:00" in note for note in history.summary.notes)


def test_tz_aware_dataframe_column_kept_as_wall_clock() -> None:
    stamps = pd.date_range("2026-08-17 08:00", periods=2, freq="15min", tz="Europe/Paris")
    history = read_interval_counts(pd.DataFrame({"interval_start": stamps, "calls": [1, 2]}))
    assert history.data["interval_start"].iloc[0] == pd.Timestamp("2026-08-17 08:00")
    assert history.data["interval_start"].dt.tz is None


# ----------------------------------------------------------------------------- validation


def test_unparsable_timestamp_names_line_and_value(tmp_path: Path) -> None:
    path = _write(tmp_path, "interval_start,calls\n2026-08-17 08:00,1\nnot a time,2\n")
    with pytest.raises(DataError) as info:
        read_interval_counts(path)
    assert info.value.field == "interval_start[line 3]"
    assert info.value.value == "not a time"


def test_negative_count_names_row() -> None:
    with pytest.raises(DataError) as info:
        read_interval_counts(_frame(["2026-08-17 08:00", "2026-08-17 08:15"], [1, -3]))
    assert info.value.field == "calls[row 1]"
    assert info.value.value == -3


def test_non_numeric_count(tmp_path: Path) -> None:
    path = _write(tmp_path, "interval_start,calls\n2026-08-17 08:00,1\n2026-08-17 08:15,x\n")
    with pytest.raises(DataError, match=r"calls\[line 3\]"):
        read_interval_counts(path)


def test_bad_aht_rejected() -> None:
    with pytest.raises(DataError, match=r"aht_seconds\[row 0\]"):
        read_interval_counts(_frame(["2026-08-17 08:00"], [1], [0.0]), interval_minutes=15)


def test_duplicate_interval_names_both_rows() -> None:
    stamps = ["2026-08-17 08:00", "2026-08-17 08:15", "2026-08-17 08:00"]
    with pytest.raises(DataError) as info:
        read_interval_counts(_frame(stamps, [1, 2, 3]))
    assert info.value.field == "interval_start[row 2]"
    assert "row 0" in info.value.expected


def test_off_grid_timestamp() -> None:
    stamps = ["2026-08-17 08:00", "2026-08-17 08:15", "2026-08-17 08:30", "2026-08-17 08:37"]
    with pytest.raises(DataError) as info:
        read_interval_counts(_frame(stamps, [1, 2, 3, 4]))
    assert info.value.field == "interval_start[row 3]"
    assert "15-minute grid" in info.value.expected


def test_seconds_are_off_grid() -> None:
    with pytest.raises(DataError, match="whole minutes"):
        read_interval_counts(_frame(["2026-08-17 08:00:30"], [1]), interval_minutes=15)


def test_mixed_offsets_rejected() -> None:
    stamps = ["2026-08-17T08:00:00+01:00", "2026-08-17T08:15:00+02:00"]
    with pytest.raises(DataError, match="mixed time zones") as info:
        read_interval_counts(_frame(stamps, [1, 2]))
    assert info.value.field == "interval_start[row 1]"


def test_offset_on_some_rows_only_rejected() -> None:
    stamps = ["2026-08-17 08:00", "2026-08-17T08:15:00Z"]
    with pytest.raises(DataError, match="mixed time zones") as info:
        read_interval_counts(_frame(stamps, [1, 2]))
    assert info.value.field == "interval_start[row 0]"


def test_missing_count_error_or_excluded() -> None:
    frame = _frame(["2026-08-17 08:00", "2026-08-17 08:15"], [1.0, np.nan])
    with pytest.raises(DataError, match=r"calls\[row 1\]"):
        read_interval_counts(frame)
    history = read_interval_counts(frame, missing_calls="exclude", interval_minutes=15)
    assert len(history.data) == 1
    assert history.summary.rows_used == 1
    assert sum(history.summary.excluded.values()) == 1


def test_missing_column_and_bad_arguments() -> None:
    frame = _frame(["2026-08-17 08:00"], [1])
    with pytest.raises(ValidationError, match="calls column"):
        read_interval_counts(frame, calls_column="volume")
    with pytest.raises(ValidationError, match="interval_minutes"):
        read_interval_counts(frame, interval_minutes=7)
    with pytest.raises(ValidationError, match="missing_calls"):
        read_interval_counts(frame, missing_calls="zero")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="source"):
        read_interval_counts(42)  # type: ignore[arg-type]


def test_interval_needed_when_it_cannot_be_inferred() -> None:
    daily = _frame(["2026-08-17 08:00", "2026-08-18 08:00"], [1, 2])
    with pytest.raises(ValidationError, match="cannot be inferred"):
        read_interval_counts(daily)
    assert read_interval_counts(daily, interval_minutes=60).interval_minutes == 60


def test_interval_finer_than_data_rejected() -> None:
    stamps = ["2026-08-17 08:00", "2026-08-17 08:30", "2026-08-17 09:00"]
    with pytest.raises(ValidationError, match="30-minute grid"):
        read_interval_counts(_frame(stamps, [1, 2, 3]), interval_minutes=20)


def test_period_filter_accounts_for_rows() -> None:
    stamps = [f"2026-08-{d} 08:00" for d in (17, 18, 19, 20)]
    history = read_interval_counts(
        _frame(stamps, [1, 2, 3, 4]), interval_minutes=15, start="2026-08-18", end="2026-08-20"
    )
    assert history.data["calls"].tolist() == [2.0, 3.0]
    s = history.summary
    assert s.rows_read == s.rows_used + sum(s.excluded.values()) == 4
    assert len(s.excluded) == 2


# ----------------------------------------------------------------------------- aggregation


def test_aggregate_five_to_fifteen_by_hand() -> None:
    stamps = [f"2026-08-17 08:{m:02d}" for m in (0, 5, 10, 15, 20)]
    frame = _frame(stamps, [10, 20, 30, 5, 0], [100.0, 200.0, np.nan, 400.0, np.nan])
    history = read_interval_counts(frame, interval_minutes=15)
    assert history.interval_minutes == 15
    assert history.summary.source_interval_minutes == 5
    assert history.data["calls"].tolist() == [60.0, 5.0]
    # call-weighted over the rows with a known AHT: (10*100 + 20*200) / 30
    assert history.data["aht_seconds"].iloc[0] == pytest.approx(5000.0 / 30.0)
    assert history.data["aht_seconds"].iloc[1] == pytest.approx(400.0)
    again = aggregate(read_interval_counts(frame), 15)
    pd.testing.assert_frame_equal(again.data, history.data)


@settings(max_examples=30, deadline=None)
@given(
    counts=st.lists(st.integers(0, 500), min_size=1, max_size=60),
    target=st.sampled_from([10, 15, 30, 60]),
)
def test_aggregation_conserves_calls(counts: list[int], target: int) -> None:
    stamps = pd.date_range("2026-08-17 07:00", periods=len(counts), freq="5min")
    frame = pd.DataFrame({"interval_start": stamps, "calls": counts})
    fine = read_interval_counts(frame, interval_minutes=5)
    coarse = fine.aggregate(target)
    assert coarse.data["calls"].sum() == pytest.approx(sum(counts))
    minutes = coarse.data["interval_start"].dt.hour * 60 + coarse.data["interval_start"].dt.minute
    assert (minutes % target == 0).all()
    assert coarse.data["interval_start"].is_unique


# ----------------------------------------------------------------------------- records


def _records() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "arrival_time": [
                "2026-08-17 08:01:10",
                "2026-08-17 08:14:59",
                "2026-08-17 08:15:00",
                "2026-08-17 08:50:00",
                "2026-08-17 08:52:00",
                "2026-08-18 09:00:00",
            ],
            "handle_seconds": [100.0, 200.0, np.nan, 300.0, 500.0, 60.0],
            "outcome": ["answered", "answered", "abandoned", "answered", "answered", "answered"],
        }
    )


def test_call_records_counts_by_hand() -> None:
    history = read_call_records(_records(), interval_minutes=15, outcome_column="outcome")
    data = history.data.set_index("interval_start")
    assert data.loc["2026-08-17 08:00", "calls"] == 2
    assert data.loc["2026-08-17 08:00", "aht_seconds"] == pytest.approx(150.0)
    assert data.loc["2026-08-17 08:15", "calls"] == 1  # abandoned: counted, no AHT
    assert np.isnan(data.loc["2026-08-17 08:15", "aht_seconds"])
    assert data.loc["2026-08-17 08:30", "calls"] == 0  # zero-filled inside the day
    assert data.loc["2026-08-17 08:45", "calls"] == 2
    assert data.loc["2026-08-17 08:45", "aht_seconds"] == pytest.approx(400.0)
    assert data.loc["2026-08-18 09:00", "calls"] == 1
    # nothing filled outside a day's first..last call, nor between days
    assert len(history.data) == 5
    assert history.summary.rows_read == history.summary.rows_used == 6


def test_call_records_without_abandoned_and_without_fill() -> None:
    history = read_call_records(
        _records(),
        interval_minutes=60,
        outcome_column="outcome",
        count_abandoned=False,
        zero_fill="none",
    )
    assert history.data["calls"].tolist() == [4.0, 1.0]
    s = history.summary
    assert s.rows_used == 5
    assert s.rows_read == s.rows_used + sum(s.excluded.values())


def test_call_records_validation() -> None:
    bad_outcome = _records().assign(outcome=["answered"] * 5 + ["transferred"])
    with pytest.raises(DataError, match=r"outcome\[row 5\]"):
        read_call_records(bad_outcome, interval_minutes=15, outcome_column="outcome")
    no_handle = _records()
    no_handle.loc[1, "handle_seconds"] = np.nan
    with pytest.raises(DataError, match=r"handle_seconds\[row 1\]"):
        read_call_records(no_handle, interval_minutes=15, outcome_column="outcome")
    negative = _records()
    negative.loc[3, "handle_seconds"] = -1.0
    with pytest.raises(DataError, match=r"handle_seconds\[row 3\]"):
        read_call_records(negative, interval_minutes=15, outcome_column="outcome")
    garbled = _records()
    garbled.loc[4, "arrival_time"] = "yesterday"
    with pytest.raises(DataError, match=r"arrival_time\[row 4\]"):
        read_call_records(garbled, interval_minutes=15, outcome_column="outcome")
    with pytest.raises(ValidationError, match="interval_minutes"):
        read_call_records(_records(), interval_minutes=0)


# ----------------------------------------------------------------------------- regressions


def test_empty_file_is_a_data_error(tmp_path: Path) -> None:
    # was a pandas EmptyDataError traceback
    path = _write(tmp_path, "")
    with pytest.raises(DataError, match="expected a comma-separated file with a header row"):
        read_interval_counts(path)
    with pytest.raises(DataError, match="header row"):
        read_call_records(path, interval_minutes=15)


def test_semicolon_file_gets_a_hint(tmp_path: Path) -> None:
    path = _write(tmp_path, "interval_start;calls\n2026-08-17 08:00;10\n2026-08-17 08:15;12\n")
    with pytest.raises(ValidationError, match="give a comma-separated file"):
        read_interval_counts(path)


def test_coarse_counts_are_not_read_as_sparse_finer_data() -> None:
    # 15-minute counts read at 5 minutes used to pass: two in three 5-minute
    # intervals became closed and each count was piled into one 5-minute slot.
    stamps = [f"2026-08-17 {h:02d}:{m:02d}" for h in (8, 9) for m in (0, 15, 30, 45)]
    frame = _frame(stamps, [10.0] * len(stamps))
    with pytest.raises(ValidationError, match="15-minute grid"):
        read_interval_counts(frame, interval_minutes=5)
    # data that does have rows 5 minutes apart is sparse 5-minute data: kept as is
    # (most gaps here are 15 minutes, one is 5)
    sparse_stamps = ["2026-08-17 08:00", "2026-08-17 08:05", "2026-08-17 08:20", "2026-08-17 08:35"]
    history = read_interval_counts(_frame(sparse_stamps, [1, 2, 3, 4]), interval_minutes=5)
    assert history.interval_minutes == 5
    assert history.data["calls"].tolist() == [1.0, 2.0, 3.0, 4.0]
