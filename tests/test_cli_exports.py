"""Exports: HR columns carried through, Parquet tables, ``-o -`` for one table only."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import tiny_scenario

from wfm.cli import main

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "examples" / "contact_center" / "history.csv"
LOGS = ROOT / "examples" / "call_logs"

#: HR columns as an HR system would export them: a leading zero and a comma to keep.
AGENTS_CSV = """agent_id,contract,name,team,site,time_off
A1,ft,"Okafor, Ada",007,Leeds,
A2,ft,Bea Lund,012,York,2027-01-05
A3,ft,Cy Park,007,Leeds,
"""


def _hr_scenario(tmp_path: Path, *, header: str | None = None) -> Path:
    text = AGENTS_CSV if header is None else AGENTS_CSV.replace(AGENTS_CSV.split("\n")[0], header)
    (tmp_path / "agents.csv").write_text(text, encoding="utf-8")
    return tiny_scenario(tmp_path, agents={"csv": "agents.csv", "hr_columns": ["site"]})


def test_hr_columns_reach_every_output_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyarrow")
    pytest.importorskip("plotly")
    out = tmp_path / "out"
    argv = ["roster", str(_hr_scenario(tmp_path)), "-o", str(out), "-q", "--time-limit", "5"]
    assert main([*argv, "--report", "--parquet"]) == 0
    given = pd.read_csv(tmp_path / "agents.csv", dtype=str, keep_default_na=False)
    hr = given[["agent_id", "name", "team", "site"]]
    agents = pd.read_csv(out / "agents.csv", dtype=str, keep_default_na=False)
    assert list(agents.columns) == ["agent_id", "contract", "name", "team", "site"]
    pd.testing.assert_frame_equal(agents[hr.columns], hr)
    roster = pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)
    assert list(roster.columns[:4]) == ["agent_id", "name", "team", "site"]
    joined = roster[["agent_id"]].merge(hr, on="agent_id", how="left")
    pd.testing.assert_frame_equal(roster[hr.columns].reset_index(drop=True), joined)
    # Parquet: the same text, times as timestamps
    parquet = pd.read_parquet(out / "roster.parquet")
    assert list(parquet["team"]) == list(roster["team"])
    assert pd.api.types.is_datetime64_any_dtype(parquet["start"])
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "agents.parquet").astype(str), agents.astype(str)
    )
    # the week grid, the agent view and the Gantt's sort by team
    grid = pd.read_excel(out / "roster.xlsx", sheet_name="week grid", dtype=str)
    assert list(grid.loc[grid["agent_id"] == "A1", "team"]) == ["007"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "sort by team" in html
    assert main(["report", str(out), "--agent", "A1"]) == 0
    assert (
        "agent A1 (contract ft, name Okafor, Ada, team 007, site Leeds)" in capsys.readouterr().out
    )


def test_parquet_tables_match_the_csv(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "out"
    scenario = tiny_scenario(tmp_path)
    assert main(["roster", str(scenario), "-o", str(out), "-q", "--time-limit", "5"]) == 0
    assert not list(out.glob("*.parquet"))  # only when asked
    assert main(["report", str(out), "--parquet"]) == 0
    for name in ("roster", "breaks", "coverage", "violations", "requirements", "agents"):
        csv = pd.read_csv(out / f"{name}.csv")
        parquet = pd.read_parquet(out / f"{name}.parquet")
        assert list(parquet.columns) == list(csv.columns), name
        assert len(parquet) == len(csv), name
    coverage = pd.read_parquet(out / "coverage.parquet")
    assert coverage["interval_start"].iloc[1] - coverage["interval_start"].iloc[0] == pd.Timedelta(
        minutes=15
    )
    grid = pd.read_parquet(out / "week_grid.parquet")
    assert set(grid["agent_id"]) == {"A1", "A2", "A3"}
    assert (out / "flagged_intervals.parquet").is_file()


def test_unknown_agent_column_is_still_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _hr_scenario(tmp_path, header="agent_id,contract,nmae,team,site,time_off")
    assert main(["roster", str(scenario), "-o", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nmae" in err and "name" in err


def test_dash_writes_one_table_to_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["forecast", str(HISTORY), "--start", "2027-01-04", "--days", "2", "-o", "-"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    forecast = pd.read_csv(io.StringIO(captured.out))
    assert list(forecast.columns[:3]) == ["interval_start", "calls", "aht_seconds"]
    assert len(forecast) == 2 * 96
    assert "method:" in captured.err  # what the command says goes to stderr
    (tmp_path / "f.csv").write_text(captured.out, encoding="utf-8")
    assert main(["requirements", "f.csv", "-o", "-"]) == 0
    requirements = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(requirements) == 2 * 96 and "required_scheduled" in requirements.columns
    assert not os.path.exists(tmp_path / "-")  # no file named "-"


@pytest.mark.parametrize(
    "argv",
    [
        ["roster", "SCENARIO", "-o", "-"],
        ["simulate", "ROSTERDIR", "-o", "-"],
        [
            "actuals",
            str(LOGS / "example_log.csv"),
            "--mapping",
            str(LOGS / "example_mapping.yaml"),
            "-o",
            "-",
        ],
    ],
)
def test_dash_is_refused_where_several_tables_are_written(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tiny_scenario(tmp_path)
    argv = [str(scenario) if a == "SCENARIO" else a for a in argv]
    argv = [str(tmp_path) if a == "ROSTERDIR" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "'-' is for one table" in err
    assert not (tmp_path / "-").exists()
