"""Tests of the ``wfm actuals`` command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from wfm.cli import main

ROOT = Path(__file__).parents[1]
EXAMPLE_LOG = ROOT / "examples" / "call_logs" / "example_log.csv"
EXAMPLE_MAPPING = ROOT / "examples" / "call_logs" / "example_mapping.yaml"
BANK_MAPPING = ROOT / "examples" / "call_logs" / "anonymous_bank_mapping.yaml"
BANK_LOG = ROOT / ".." / "shared" / "data" / "anonymous_bank_1999" / "calls_1999-02-01_14.tsv"
DAY_COLUMNS = [
    "date",
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_seconds",
    "longest_wait_seconds",
    "abandon_rate",
    "mean_time_to_abandon_seconds",
    "aht_seconds",
]


def test_example_log_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.csv"
    pd.DataFrame(
        {
            "interval_start": ["2024-03-04 08:00", "2024-03-04 08:30"],
            "calls": [5.0, 4.0],
            "aht_seconds": [150.0, 100.0],
            "required_on_phone": [3, 2],
            "service_level": [0.8, 0.5],
        }
    ).to_csv(plan, index=False)
    out = tmp_path / "out"
    code = main(
        [
            "actuals",
            str(EXAMPLE_LOG),
            "--mapping",
            str(EXAMPLE_MAPPING),
            "--interval",
            "30",
            "--answer-within",
            "20",
            "--plan",
            str(plan),
            "-o",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "16 rows: 11 used, 1 ignored, 1 abandoned before the queue, 3 rejected" in printed
    days = pd.read_csv(out / "days.csv")
    assert set(DAY_COLUMNS) <= set(days.columns)
    assert days.columns[0] == "date"
    assert days["date"].tolist() == ["2024-03-04", "2024-03-05"]
    assert days["offered"].tolist() == [9, 2]
    assert days.loc[0, "service_level"] == pytest.approx(4 / 9)
    intervals = pd.read_csv(out / "intervals.csv")
    assert intervals["interval_start"].iloc[0] == "2024-03-04 08:00"
    assert intervals["offered"].sum() == 11
    assert len(pd.read_csv(out / "rejected.csv")) == 3
    by_queue = pd.read_csv(out / "days_by_queue.csv").set_index(["date", "queue"])
    assert by_queue.loc[("2024-03-04", "sales"), "offered"] == 5  # calls 1, 2, 4, 6, 7
    assert by_queue.loc[("2024-03-04", "service"), "offered"] == 4  # calls 3, 5, 8, 14
    assert by_queue["offered"].sum() == 11
    assert pd.read_csv(out / "intervals_by_queue.csv")["offered"].sum() == 11
    patience = pd.read_csv(out / "patience_by_day.csv")
    assert patience["abandoned"].tolist() == [3, 1]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows"]["rows_read"] == 16
    assert summary["patience"]["abandoned"] == 4
    assert summary["handle_time"]["count"] == 6
    assert summary["plan"]["actual_only_intervals"] == 1  # 2024-03-05 09:00
    compared = pd.read_csv(out / "plan_vs_actual.csv")
    assert compared["match"].tolist() == ["both", "both", "actual_only"]
    assert (out / "plan_vs_actual_days.csv").exists()


@pytest.mark.skipif(
    not BANK_LOG.exists(), reason="the Anonymous Bank call log is not in ../shared/data"
)
def test_bank_log_with_the_shipped_mapping(tmp_path: Path) -> None:
    out = tmp_path / "bank"
    code = main(["actuals", str(BANK_LOG), "--mapping", str(BANK_MAPPING), "-o", str(out)])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    rows = summary["rows"]
    accounted = (
        rows["rows_used"]
        + sum(rows["ignored"].values())
        + rows["abandoned_before_queue"]
        + sum(rows["rejected"].values())
    )
    assert accounted == rows["rows_read"] == 17456
    assert summary["patience"]["patience_seconds"] > 0
    assert 1.0 < summary["handle_time"]["cv"] < 1.5


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--interval", "7"], "--interval: got 7"),
        (["--answer-within", "-1"], "--answer-within: got -1.0"),
        (["--mapping", "missing.yaml"], "missing.yaml"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    argv = ["actuals", str(EXAMPLE_LOG), "--mapping", str(EXAMPLE_MAPPING), "-o", str(tmp_path)]
    code = main(argv + extra)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and err.startswith("wfm actuals: error:")


def test_mapping_naming_a_missing_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        EXAMPLE_MAPPING.read_text(encoding="utf-8").replace("queue_wait", "queue_wiat"),
        encoding="utf-8",
    )
    code = main(["actuals", str(EXAMPLE_LOG), "--mapping", str(mapping), "-o", str(tmp_path)])
    assert code == 2
    assert "wait_seconds_column: got 'queue_wiat'" in capsys.readouterr().err
