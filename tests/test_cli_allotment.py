"""Tests of the ``wfm allotment`` command on a tiny scenario."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_cli_roster import _tiny

from wfm.cli import main
from wfm.scenario.changes import load_changes


def test_allotment_writes_tables_and_the_granted_time_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _tiny(tmp_path)
    requests = tmp_path / "requests.csv"
    requests.write_text(
        "agent_id,date,part,requested_at,seniority_years\n"
        "A1,2027-01-04,day,2026-12-01 09:00,2\n"
        "A2,2027-01-04,day,2026-12-01 08:00,5\n"
        "A3,2027-01-05,pm,2026-12-02 08:00,1\n"
    )
    out = tmp_path / "out"
    args = ["--requests", str(requests), "-o", str(out), "--time-limit", "3"]
    code = main(["allotment", str(scenario), *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    allotment = pd.read_csv(out / "allotment.csv")
    assert len(allotment) == 2 * 3 and set(allotment["part"]) == {"day", "am", "pm"}
    table = pd.read_csv(out / "requests.csv").sort_values("order")
    assert list(table["agent_id"]) == ["A2", "A1", "A3"]  # most senior first
    granted = load_changes(out / "granted_time_off.yaml").changes.time_off
    assert set(granted) == set(table.loc[table["granted"], "agent_id"])
    assert (table.loc[~table["granted"], "reason"].astype(str) != "").all()
    assert "requests granted" in captured.out


def test_bad_request_row_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = _tiny(tmp_path)
    requests = tmp_path / "requests.csv"
    requests.write_text("agent_id,date,part\nA1,2027-01-04,evening\n")
    code = main(["allotment", str(scenario), "--requests", str(requests), "-o", str(tmp_path)])
    assert code == 2
    assert "row 2.part: got 'evening'" in capsys.readouterr().err
