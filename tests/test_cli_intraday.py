"""Tests of the ``wfm intraday`` command on a tiny forecast scenario."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_cli_roster import _tiny

from wfm.cli import main
from wfm.intraday import SUGGESTION_COLUMNS


def test_intraday_replaces_breaks_and_keeps_every_shift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _tiny(tmp_path, demand="forecast")
    published = tmp_path / "published"
    assert main(["roster", str(scenario), "-o", str(published), "--workers", "1", "-q"]) == 0
    stamps = pd.date_range("2027-01-04", periods=48, freq="15min")
    calls = [6.0 * 1.15 if s.hour >= 10 else 6.0 if 8 <= s.hour else 0.0 for s in stamps]
    actual = tmp_path / "actual.csv"
    pd.DataFrame({"interval_start": stamps.strftime("%Y-%m-%d %H:%M"), "calls": calls}).to_csv(
        actual, index=False
    )
    out = tmp_path / "intraday"
    args = ["--published", str(published), "--actual", str(actual), "-o", str(out)]
    code = main(["intraday", str(scenario), *args, "--now", "2027-01-04 12:00"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    before = pd.read_csv(published / "roster.csv")
    after = pd.read_csv(out / "roster.csv")
    assert list(after["start"]) == list(before["start"]) and list(after["end"]) == list(
        before["end"]
    )
    for name in ("breaks.csv", "changes.csv", "coverage_before.csv", "coverage_after.csv"):
        assert (out / name).is_file()
    suggestions = pd.read_csv(out / "suggestions.csv")
    assert list(suggestions.columns) == list(SUGGESTION_COLUMNS)
    assert set(suggestions["kind"]) <= {"vto", "ot_end", "ot_start"}
    assert (pd.to_datetime(suggestions["start"]) >= pd.Timestamp("2027-01-04 12:00")).all()
    moved = pd.read_csv(out / "breaks.csv")
    old = pd.read_csv(published / "breaks.csv")
    taken = pd.to_datetime(old["start"]) < pd.Timestamp("2027-01-04 12:00")
    assert set(old.loc[taken, "start"]) <= set(moved["start"])  # breaks taken stay
    assert "factor" in captured.out and "under-staffing" in captured.out
    assert "suggested:" in captured.out
