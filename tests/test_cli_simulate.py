"""``wfm simulate`` on a small roster directory: files, figures and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from wfm.cli import main


def write_roster_dir(directory: Path) -> None:
    day = pd.Timestamp("2027-01-04")
    roster = pd.DataFrame(
        {
            "agent_id": ["a", "b", "c"],
            "start": [day + pd.Timedelta(hours=8)] * 3,
            "end": [day + pd.Timedelta(hours=12)] * 3,
        }
    )
    breaks = pd.DataFrame(
        {
            "agent_id": ["a"],
            "start": [day + pd.Timedelta(hours=10)],
            "end": [day + pd.Timedelta(hours=10, minutes=15)],
        }
    )
    coverage = pd.DataFrame(
        {
            "interval_start": pd.date_range(day + pd.Timedelta(hours=8), periods=16, freq="15min"),
            "calls": 10.0,
            "aht_seconds": 180.0,
        }
    )
    directory.mkdir()
    roster.to_csv(directory / "roster.csv", index=False)
    breaks.to_csv(directory / "breaks.csv", index=False)
    coverage.to_csv(directory / "coverage.csv", index=False)


def test_simulate_writes_the_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_roster_dir(tmp_path / "out")
    code = main(
        [
            "simulate",
            str(tmp_path / "out"),
            "--target",
            "0.8/20",
            "--replications",
            "5",
            "--patience-seconds",
            "120",
            "-o",
            str(tmp_path / "sim"),
        ]
    )
    assert code == 0
    assert "replications   5" in capsys.readouterr().out
    summary = json.loads((tmp_path / "sim" / "summary.json").read_text())
    assert summary["replications"] == 5 and summary["patience"].startswith("exponential")
    intervals = pd.read_csv(tmp_path / "sim" / "intervals.csv")
    assert len(intervals) == 16 and {"service_level", "service_level_lower"} <= set(intervals)
    days = pd.read_csv(tmp_path / "sim" / "days.csv")
    assert list(days["replications"]) == [5]


def test_simulate_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_roster_dir(tmp_path / "out")
    code = main(
        ["simulate", str(tmp_path / "out"), "--shrinkage", "1.2", "-o", str(tmp_path / "s")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "shrinkage.rate" in err
    assert main(["simulate", str(tmp_path / "none"), "-o", str(tmp_path / "s")]) == 2
