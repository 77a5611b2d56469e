"""What-if sweeps and batches, run in this process (the dask runs are in test_sweep_dask.py)."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import wfm
from wfm.cli import main
from wfm.cli.sweep import parse_vary
from wfm.errors import ScenarioError, ValidationError
from wfm.scenario import load_scenario
from wfm.sweep import (
    SimulationSettings,
    build_cases,
    efficient_frontier,
    scale_agents,
    sweep,
)
from wfm.sweep import executors as executors_module

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "contact_center" / "scenario.yaml"

#: Columns that say where and how fast a case ran, not what it found.
RUN_COLUMNS = ["worker", "wall_time_seconds"]


def tiny_scenario(directory: Path, name: str = "tiny", **top: Any) -> Path:
    """A one-day, 10-hour scenario of 12 agents, solved to optimality in well under a second."""
    directory.mkdir(parents=True, exist_ok=True)
    stamps = pd.date_range("2027-01-04 08:00", periods=10, freq="60min")
    pd.DataFrame(
        {
            "interval_start": stamps.strftime("%Y-%m-%d %H:%M"),
            "calls": [20, 30, 40, 50, 40, 30, 40, 50, 30, 20],
            "aht_seconds": 240.0,
        }
    ).to_csv(directory / "forecast.csv", index=False)
    doc: dict[str, Any] = {
        "name": name,
        "period": {"start": "2027-01-04", "days": 1},
        "interval_minutes": 60,
        "demand": {"forecast": {"path": "forecast.csv"}},
        "service": {"target": 0.8, "answer_within_seconds": 20, "shrinkage": 0.1},
        "templates": [
            {
                "name": "t",
                "earliest_start": "08:00",
                "latest_start": "14:00",
                "start_step_minutes": 60,
                "min_length_minutes": 240,
                "max_length_minutes": 360,
                "length_step_minutes": 60,
            }
        ],
        "contracts": [
            {"name": "c", "max_hours_per_week": 40, "cost_per_hour": 20},
            {"name": "p", "max_hours_per_week": 20, "cost_per_hour": 15},
        ],
        "agents": [{"agent_id": f"a{i}", "contract": "c"} for i in range(9)]
        + [{"agent_id": f"p{i}", "contract": "p", "time_off": ["2027-01-04"]} for i in range(3)],
        "solver": {"time_limit_seconds": 5, "workers": 1, "seed": 0, "max_deterministic_time": 1},
        **top,
    }
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def what_it_found(table: pd.DataFrame) -> pd.DataFrame:
    """The table without the columns of where and how fast each case ran."""
    return table.drop(columns=RUN_COLUMNS)


# ----------------------------------------------------------------------------- overrides


def test_an_override_reads_as_the_same_entry_written_in_the_file(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path / "a")
    overridden = load_scenario(
        path,
        overrides={
            "service.target": 0.9,
            "weights.paid_hour": 3,
            "templates[0].latest_start": "12:00",
        },
    )
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["service"]["target"] = 0.9
    doc["weights"] = {"paid_hour": 3}
    doc["templates"][0]["latest_start"] = "12:00"
    edited = path.with_name("edited.yaml")
    edited.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    by_hand = load_scenario(edited)
    for field in dataclasses.fields(by_hand):
        if field.name not in ("path", "name"):
            assert getattr(overridden, field.name) == getattr(by_hand, field.name), field.name
    assert load_scenario(path).service.level == 0.8  # the file itself is untouched


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"service.targt": 0.9}, "service.targt", "did you mean 'target'"),
        ({"service.target": 1.5}, "service.target", "(0, 1)"),
        ({"templates[3].name": "x"}, "templates[3]", "list of 1 items"),
        ({"service.target.x": 1}, "service.target.x", "inside a mapping"),
        ({"solver.workers": 0}, "solver.workers", ">= 1"),
    ],
)
def test_a_bad_override_is_named_like_a_bad_file_entry(
    tmp_path: Path, overrides: dict[str, Any], field: str, expected: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tiny_scenario(tmp_path), overrides=overrides)
    assert info.value.field == field
    assert expected in str(info.value)


def test_vary_values_are_read_as_yaml() -> None:
    assert parse_vary(["service.target=0.75,0.8", "templates[0].weekdays='Mon-Fri,Sun',Mon"]) == {
        "service.target": [0.75, 0.8],
        "templates[0].weekdays": ["Mon-Fri,Sun", "Mon"],
    }
    assert parse_vary(["fairness.late_shift_ends_after=19:00"]) == {
        "fairness.late_shift_ends_after": ["19:00"]  # text, not YAML 1.1's 1140
    }
    for bad in (["service.target"], ["=0.8"], ["a=1", "a=2"], ["service.target=[0.8"]):
        with pytest.raises(ValidationError, match="--vary"):
            parse_vary(bad)


# ----------------------------------------------------------------------------- cases


def test_the_grid_is_every_combination_first_setting_slowest(tmp_path: Path) -> None:
    vary = {
        "service.target": [0.75, 0.8],
        "service.shrinkage": [0.1, 0.15],
        "aht_scale": [0.9, 1.0, 1.1],
    }
    _base, cases, demands = build_cases(tiny_scenario(tmp_path), vary)
    expected = list(itertools.product(*vary.values()))
    assert [tuple(c.settings.values()) for c in cases] == expected
    assert [c.index for c in cases] == list(range(12))
    # a case carries only what differs from the base: here the service policy, never the agents
    assert all(set(c.changes) <= {"service"} for c in cases)
    assert cases[0].changes["service"].level == 0.75
    assert cases[0].changes["service"].shrinkage == 0.1
    assert [c.aht_scale for c in cases[:3]] == [0.9, 1.0, 1.1]
    # the service settings do not change the demand: one forecast for all
    assert len(demands) == 1 and {c.demand_index for c in cases} == {0}


@pytest.mark.parametrize(
    ("vary", "stage", "expected"),
    [
        ({"aht_scale": [1.0, -1]}, "requirements", "vary aht_scale: got -1"),
        ({"calls_scale": [True]}, "requirements", "vary calls_scale: got True"),
        ({"agents_scale": [0.9]}, "requirements", "no agents_scale at the requirements stage"),
        ({"service.target": []}, "requirements", "at least one value"),
        ({"service.target": [0.8, 2]}, "roster", "vary service.target: got 2"),
        ({"service.target": [0.8]}, "forecast", "stage: got 'forecast'"),
    ],
)
def test_a_bad_case_is_refused_before_any_case_runs(
    tmp_path: Path, vary: dict[str, Any], stage: Any, expected: str
) -> None:
    with pytest.raises(ValidationError) as info:
        build_cases(tiny_scenario(tmp_path), vary, stage=stage)
    assert expected in str(info.value)


def test_scale_agents_keeps_the_first_of_each_contract_and_hires_plain_copies(
    tmp_path: Path,
) -> None:
    agents = load_scenario(tiny_scenario(tmp_path)).agents  # 9 of contract c, 3 of p
    fewer = scale_agents(agents, 0.5)
    assert [a.agent_id for a in fewer] == ["a0", "a1", "a2", "a3", "a4", "p0", "p1"]  # 4.5 -> 5
    more = scale_agents(agents, 1.5)
    by_contract = pd.Series([a.contract for a in more]).value_counts().to_dict()
    assert by_contract == {"c": 14, "p": 5}  # 13.5 -> 14, 4.5 -> 5
    hires = [a for a in more if "+" in a.agent_id]
    assert [a.agent_id for a in hires if a.contract == "p"] == ["p0+1", "p1+1"]
    assert all(a.time_off == () for a in hires)  # the original's time off is not copied
    assert scale_agents(agents, 0.01) == (agents[0], agents[9])  # one agent per contract stays


# ----------------------------------------------------------------------------- frontier


def test_efficient_frontier_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    table = pd.DataFrame(
        {
            "cost": rng.integers(0, 6, 60).astype(float),
            "service": rng.integers(0, 6, 60) / 5,
            "world": rng.integers(0, 3, 60),
        }
    )
    table.loc[[4, 9], "cost"] = np.nan
    found = efficient_frontier(table, cost="cost", service="service", groups=["world"])
    for i, row in table.iterrows():
        rivals = table[(table["world"] == row["world"]) & table["cost"].notna()]
        beaten = (
            (rivals["cost"] <= row["cost"])
            & (rivals["service"] >= row["service"])
            & ((rivals["cost"] < row["cost"]) | (rivals["service"] > row["service"]))
        ).any()
        assert found[i] == (not np.isnan(row["cost"]) and not beaten), i
    assert found.any()


# ----------------------------------------------------------------------------- sweeps


def test_requirements_sweep_equals_staffing_each_case_by_hand(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    vary = {"service.target": [0.8, 0.9], "aht_scale": [1.0, 1.2], "calls_scale": [1.0, 1.5]}
    result = sweep(path, vary, executor="serial")
    forecast = pd.read_csv(tmp_path / "forecast.csv", parse_dates=["interval_start"])
    for _, row in result.table.iterrows():
        case_forecast = forecast.assign(
            calls=forecast["calls"] * row["calls_scale"],
            aht_seconds=forecast["aht_seconds"] * row["aht_scale"],
        )
        policy = wfm.ServicePolicy(
            level=row["service.target"], answer_within_seconds=20, shrinkage=0.1
        )
        staffing = wfm.requirements(case_forecast, policy=policy, interval_minutes=60)
        assert row["required_scheduled_agent_hours"] == staffing["required_scheduled"].sum()
        assert row["required_on_phone_agent_hours"] == staffing["required_on_phone"].sum()
        weighted = (staffing["service_level"] * staffing["calls"]).sum() / staffing["calls"].sum()
        assert row["service_level_at_requirement"] == pytest.approx(weighted)
        assert row["service_level_at_requirement"] >= row["service.target"]
    assert result.table["error"].isna().all()
    # more calls or longer calls never need fewer agents
    grid = result.table.set_index(list(vary))["required_scheduled_agent_hours"]
    assert grid[0.8, 1.2, 1.0] >= grid[0.8, 1.0, 1.0]
    assert grid[0.9, 1.0, 1.5] >= grid[0.9, 1.0, 1.0]


def test_roster_sweep_figures_are_those_of_solving_the_case(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    result = sweep(path, {"agents_scale": [0.5, 1.0]}, stage="roster", executor="serial")
    for _, row in result.table.iterrows():
        scenario = load_scenario(path)
        scenario = dataclasses.replace(
            scenario, agents=scale_agents(scenario.agents, row["agents_scale"])
        )
        summary = wfm.solve(scenario.build_problem(), scenario.solver).summary
        assert row["roster_status"] == summary.status.value
        assert row["paid_hours"] == summary.paid_hours
        assert row["understaffing_agent_hours"] == summary.understaffing_agent_hours
        assert row["service_level_rostered"] == pytest.approx(summary.service_level)
        assert row["solver_workers"] == 1  # the scenario's, kept
    short = result.table.set_index("agents_scale")["understaffing_agent_hours"]
    assert short[0.5] > short[1.0]  # half the staff leaves intervals short


def test_a_failing_case_is_reported_and_the_others_finish(tmp_path: Path) -> None:
    # 10^6 times the calls is beyond the largest load Erlang staffing accepts
    result = sweep(tiny_scenario(tmp_path), {"calls_scale": [1.0, 1e6, 2.0]}, executor="serial")
    table = result.table.set_index("calls_scale")
    assert table.loc[1e6, "error"].startswith("DataError: demand.forecast")
    assert "calls_scale=1e+06" in table.loc[1e6, "error"]
    assert np.isnan(table.loc[1e6, "required_scheduled_agent_hours"])
    assert table.loc[[1.0, 2.0], "error"].isna().all()
    assert (table.loc[[1.0, 2.0], "required_scheduled_agent_hours"] > 0).all()
    assert list(result.failed["case"]) == [1]


def test_simulate_stage_uses_one_seed_for_every_case(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    settings = SimulationSettings(replications=4, seed=7)
    first = sweep(
        path,
        {"service.target": [0.8, 0.8]},
        stage="simulate",
        simulation=settings,
        executor="serial",
    )
    levels = first.table["service_level_simulated"]
    assert levels.notna().all() and levels.iloc[0] == levels.iloc[1]  # same case, same stream
    low, high = (
        first.table["service_level_simulated_low"],
        first.table["service_level_simulated_high"],
    )
    assert ((low <= levels) & (levels <= high)).all()


def test_without_dask_the_sweep_runs_serially_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(executors_module, "dask_available", lambda: False)
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    said: list[str] = []
    path = tiny_scenario(tmp_path)
    result = sweep(path, {"service.target": [0.8]}, stage="roster", notes=said.append)
    assert result.executor == "serial (this process)"
    assert any("dask.distributed is not installed" in text for text in said)
    assert result.table["roster_status"].notna().all()
    with pytest.raises(ValidationError, match="--scheduler"):
        sweep(tiny_scenario(tmp_path), {"service.target": [0.8]}, scheduler="tcp://127.0.0.1:1")


# ----------------------------------------------------------------------------- command line


def test_cli_sweep_writes_the_table_chart_and_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "sweep",
            str(tiny_scenario(tmp_path)),
            "--vary",
            "service.target=0.75,0.8,0.9",
            "--vary",
            "service.shrinkage=0.1,0.2",
            "--serial",
            "-o",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    table = pd.read_csv(out / "results.csv")
    assert len(table) == 6 and list(table.columns[:3]) == [
        "case",
        "service.target",
        "service.shrinkage",
    ]
    assert table["on_frontier"].dtype == bool
    assert (out / "frontier.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    info = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert info["decision"] == "service.target" and info["groups"] == ["service.shrinkage"]
    assert "[6/6] case 5 service.target=0.9 service.shrinkage=0.2" in captured.err
    assert "6 cases (requirements stage)" in captured.out


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--vary", "service.targt=0.8"], "vary service.targt: got 'targt'"),
        (["--vary", "aht_scale=0"], "vary aht_scale: got 0"),
        (["--vary", "service.target=0.8", "--time-limit", "-1"], "--time-limit: got -1"),
        (["--vary", "service.target=0.8", "--set", "solver.seed=1,2"], "--set"),
        (["--vary", "service.target=0.8", "--serial", "--scheduler", "tcp://h:1"], "--serial"),
    ],
)
def test_cli_sweep_bad_input_is_one_line_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], expected: str
) -> None:
    out = tmp_path / "out"
    assert main(["sweep", str(tiny_scenario(tmp_path)), *flags, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0], err
    assert not out.exists()


def test_cli_sweep_exit_code_1_when_a_case_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["sweep", str(tiny_scenario(tmp_path)), "--vary", "calls_scale=1,1e6", "--serial"]
    assert main([*args, "-o", str(out), "-q"]) == 1
    captured = capsys.readouterr()
    assert "FAILED DataError" in captured.err and "1 failed" in captured.out
    assert pd.read_csv(out / "results.csv")["error"].notna().sum() == 1


def test_cli_batch_rosters_each_scenario_into_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tiny_scenario(tmp_path / "north", name="north")
    second = tiny_scenario(
        tmp_path / "south", name="south", service={"target": 0.9, "answer_within_seconds": 20}
    )
    again = tiny_scenario(tmp_path / "north2", name="north")
    out = tmp_path / "batch"
    assert main(["batch", str(first), str(second), str(again), "--serial", "-o", str(out)]) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["folder"]) == ["north", "south", "north-2"]
    for folder, path in zip(summary["folder"], (first, second, again), strict=True):
        written = json.loads((out / folder / "summary.json").read_text(encoding="utf-8"))
        row = summary.set_index("folder").loc[folder]
        assert row["roster_status"] == written["status"]
        assert row["paid_hours"] == written["paid_hours"]
        assert (out / folder / "roster.csv").is_file()
        assert (out / folder / "requirements.csv").is_file()
        scenario = load_scenario(path)
        direct = wfm.solve(scenario.build_problem(), scenario.solver).summary
        assert row["paid_hours"] == direct.paid_hours
    assert "3 scenarios" in capsys.readouterr().out


def test_cli_batch_refuses_a_bad_scenario_before_any_solve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tiny_scenario(tmp_path / "good")
    bad = tiny_scenario(tmp_path / "bad", name="bad", solver={"workers": 0})
    out = tmp_path / "batch"
    assert main(["batch", str(good), str(bad), "--serial", "-o", str(out)]) == 2
    assert "solver.workers: got 0" in capsys.readouterr().err
    assert not out.exists()
