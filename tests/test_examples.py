"""The bundled example scenario loads, is sized sensibly and rosters end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from wfm.cli import main
from wfm.roster.checker import check_roster_files
from wfm.roster.problem import RosterProblem
from wfm.scenario import HistoryDemand, load_scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "contact_center" / "scenario.yaml"


@pytest.fixture(scope="module")
def problem() -> RosterProblem:
    return load_scenario(EXAMPLE).build_problem()


def test_example_scenario_describes_the_documented_week() -> None:
    scenario = load_scenario(EXAMPLE)
    assert isinstance(scenario.demand, HistoryDemand)
    assert scenario.demand.path.name == "history.csv"
    assert str(scenario.start_date) == "2027-01-04" and scenario.days == 7
    assert 55 <= len(scenario.agents) <= 75
    contracts = {a.contract for a in scenario.agents}
    assert contracts == {"full_time", "part_time", "weekend"}
    assert 3 <= len(scenario.templates) <= 4
    assert all(t.breaks for t in scenario.templates)
    # a few realistic agent details are present
    assert any(a.availability for a in scenario.agents)
    assert any(a.time_off for a in scenario.agents)
    assert any(a.preferences for a in scenario.agents)
    assert any(a.pins for a in scenario.agents)
    assert scenario.service is not None and scenario.service.level == pytest.approx(0.8)


def test_example_requirements_follow_opening_hours(problem: RosterProblem) -> None:
    req = pd.Series(problem.required_scheduled, index=problem.interval_starts)
    open_ = req[req > 0]
    weekday = open_[open_.index.day_of_week < 5]
    weekend = open_[open_.index.day_of_week >= 5]
    assert weekday.index.time.min().strftime("%H:%M") == "08:00"
    assert weekday.index.time.max().strftime("%H:%M") == "19:45"
    assert weekend.index.time.min().strftime("%H:%M") == "09:00"
    assert weekend.index.time.max().strftime("%H:%M") == "17:45"


def test_example_agent_pool_can_cover_the_requirement(problem: RosterProblem) -> None:
    # Agent-hours on the phone needed vs the most the contracts can give (paid
    # hours minus the paid breaks, about 0.5 h per 8 h): the pool must exceed it.
    needed = problem.required_scheduled.sum() * problem.interval_hours
    capacity = sum(problem.contract_of(a).max_hours_per_week for a in problem.agents)
    assert capacity * (7.5 / 8.0) > 1.05 * needed
    # ... and the contract minimums do not force a large surplus
    minimum = sum(problem.contract_of(a).min_hours_per_week for a in problem.agents)
    assert minimum < needed


@pytest.mark.slow
def test_example_rosters_end_to_end(tmp_path: Path, problem: RosterProblem) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "roster",
            str(EXAMPLE),
            "-o",
            str(out),
            "--time-limit",
            "6",
            "--workers",
            "2",
            "--quiet",
        ]
    )
    assert code == 0
    for name in (
        "roster.csv",
        "breaks.csv",
        "coverage.csv",
        "violations.csv",
        "summary.json",
        "forecast.csv",
        "requirements.csv",
    ):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] in ("OPTIMAL", "FEASIBLE")
    assert summary["service_level"] >= summary["service_target_level"] == pytest.approx(0.8)
    # the independent checker re-reads roster.csv/breaks.csv: no hard rule broken
    violations = check_roster_files(problem, out)
    assert violations.empty, violations.to_string()
    roster = pd.read_csv(out / "roster.csv")
    pinned = roster[(roster["agent_id"] == "F020") & (roster["date"] == "2027-01-04")]
    assert list(pinned["start"]) == ["2027-01-04 08:00"]
    assert list(pinned["template"]) == ["early"]
    assert not ((roster["agent_id"] == "F003") & (roster["date"] == "2027-01-06")).any()
