"""Tests of the ``wfm roster`` command on tiny scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from cli_helpers import tiny_scenario as _tiny

from wfm.cli import main
from wfm.roster.checker import check_roster_files
from wfm.scenario import load_scenario

FILES = ("roster.csv", "breaks.csv", "coverage.csv", "violations.csv", "summary.json")


def test_tiny_scenario_writes_every_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _tiny(tmp_path)
    out = tmp_path / "out"
    code = main(["roster", str(scenario), "-o", str(out), "--seed", "3", "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    for name in (*FILES, "requirements.csv"):
        assert (out / name).is_file(), name
    assert not (out / "forecast.csv").exists()  # demand was given as requirements
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] in ("OPTIMAL", "FEASIBLE")
    assert summary["seed"] == 3 and summary["workers"] == 1
    assert summary["time_limit_seconds"] == 10
    # the summary table on stdout, progress on stderr
    assert "status" in captured.out and summary["status"] in captured.out
    assert "service level" in captured.out and "vs target 80%" in captured.out
    assert "paid hours" in captured.out and "lower bound" in captured.out
    assert "objective" in captured.err and " s " in captured.err
    roster = pd.read_csv(out / "roster.csv")
    assert set(roster.columns) >= {"agent_id", "date", "template", "start", "end", "breaks"}
    # pin and time off respected; the independent checker finds no hard violation
    assert ((roster["agent_id"] == "A3") & (roster["start"] == "2027-01-04 08:00")).any()
    assert not ((roster["agent_id"] == "A2") & (roster["date"] == "2027-01-05")).any()
    problem = load_scenario(scenario).build_problem()
    assert check_roster_files(problem, out).empty
    coverage = pd.read_csv(out / "coverage.csv")
    assert len(coverage) == 2 * 96


def test_forecast_demand_writes_forecast_and_staffing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _tiny(tmp_path, demand="forecast")
    out = tmp_path / "out"
    assert main(["roster", str(scenario), "-o", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "objective" not in captured.err  # --quiet: no progress lines
    forecast = pd.read_csv(out / "forecast.csv")
    requirements = pd.read_csv(out / "requirements.csv")
    assert len(forecast) == len(requirements) == 2 * 96
    assert {"required_on_phone", "required_scheduled", "service_level"} <= set(requirements.columns)
    # 6 calls x 240 s per 15 min = 1.6 Erlangs. Erlang C by hand: 3 agents give
    # SL(20 s) = 1 - 0.2738 * exp(-1.4 * 20 / 240) = 0.756 < 0.8; 4 give 0.926
    busy = requirements["calls"] > 0
    assert (requirements.loc[busy, "required_scheduled"] == 4).all()
    assert (requirements.loc[~busy, "required_scheduled"] == 0).all()


def test_infeasible_scenario_exits_non_zero_with_conflicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _tiny(
        tmp_path,
        contracts=[{"name": "ft", "min_days_per_week": 3, "max_days_per_week": 5}],
    )
    code = main(["roster", str(scenario), "-o", str(tmp_path / "out"), "--time-limit", "5"])
    captured = capsys.readouterr()
    assert code == 1
    assert "no roster found (INFEASIBLE)" in captured.err
    assert "min_days_per_week" in captured.err or "min_days" in captured.err


def test_bad_scenario_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = _tiny(tmp_path)
    text = scenario.read_text().replace("contract: ft\n  pins", "contract: fx\n  pins")
    scenario.write_text(text)
    code = main(["roster", str(scenario), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0
    assert "agents[2].contract" in err and "'fx'" in err
    assert not (tmp_path / "out").exists()  # nothing written before validation passed


@pytest.mark.parametrize("option", [["--time-limit", "0"], ["--workers", "0"], ["--seed", "-1"]])
def test_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str]) -> None:
    scenario = _tiny(tmp_path)
    assert main(["roster", str(scenario), "-o", str(tmp_path / "out"), *option]) == 2
    assert option[0] in capsys.readouterr().err


def test_missing_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roster", str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "out")]) == 2
    assert "nope.yaml" in capsys.readouterr().err


# ----------------------------------------------------------------------------- regressions


def test_paid_hours_bound_is_not_shown_as_a_bound_of_a_less_covered_roster() -> None:
    from types import SimpleNamespace

    from wfm.cli.roster import _paid_hours_text

    def summary(under: float) -> Any:
        return SimpleNamespace(
            paid_hours=2178.0,
            lower_bound_paid_hours=2209.9,
            understaffing_agent_hours=under,
            lower_bound_understaffing_agent_hours=0.3,
        )

    # The bound holds for rosters with the least understaffing only. A roster with
    # 11.5 agent-hours short pays fewer hours than it; "lower bound 2,209.9" next
    # to 2,178.0 read as a contradiction.
    text = _paid_hours_text(summary(11.5))
    assert "lower bound" not in text
    assert (
        text
        == "2,178.0 (a roster with only 0.3 agent-hours of understaffing needs at least 2,209.9)"
    )
    assert _paid_hours_text(summary(0.3)) == "2,178.0 (lower bound 2,209.9)"


def test_requirement_line_counts_scheduled_agents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # problem.required_scheduled are agents to schedule (after shrinkage), not on the phone
    scenario = _tiny(
        tmp_path, service={"target": 0.8, "answer_within_seconds": 20, "shrinkage": 0.5}
    )
    assert main(["roster", str(scenario), "-o", str(tmp_path / "out"), "--time-limit", "5"]) == 0
    err = capsys.readouterr().err
    assert "agent-hours to schedule" in err and "on the phone" not in err


def test_many_conflicts_are_capped_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 44 identical lines (one per agent) buried the useful ones; the full list is
    # in summary.json
    import wfm.cli.roster as cli_roster

    monkeypatch.setattr(cli_roster, "MAX_CONFLICTS_SHOWN", 1)
    scenario = _tiny(
        tmp_path,
        contracts=[{"name": "ft", "min_hours_per_week": 30, "max_hours_per_week": 40}],
    )
    out = tmp_path / "out"
    assert main(["roster", str(scenario), "-o", str(out), "--time-limit", "5"]) == 1
    err = capsys.readouterr().err
    conflicts = json.loads((out / "summary.json").read_text())["conflicts"]
    assert len(conflicts) >= 2  # two days cannot give anyone 30 hours
    shown = [line for line in err.splitlines() if line.startswith("  min_hours_per_week")]
    assert len(shown) == 1
    assert f"... and {len(conflicts) - 1} more conflict" in err


def test_stale_forecast_is_removed_when_the_run_has_none(tmp_path: Path) -> None:
    out = tmp_path / "out"
    forecast_run = tmp_path / "a"
    forecast_run.mkdir()
    scenario = _tiny(forecast_run, demand="forecast")
    assert main(["roster", str(scenario), "-o", str(out), "--quiet", "--time-limit", "5"]) == 0
    assert (out / "forecast.csv").is_file()
    requirements_run = tmp_path / "b"
    requirements_run.mkdir()
    scenario = _tiny(requirements_run)
    assert main(["roster", str(scenario), "-o", str(out), "--quiet", "--time-limit", "5"]) == 0
    assert not (out / "forecast.csv").exists()  # it belonged to the first run
    assert (out / "requirements.csv").is_file()
