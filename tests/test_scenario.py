"""Tests of the YAML scenario loader, the pipeline it runs and write_scenario."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from wfm.errors import DataError, ScenarioError
from wfm.roster.options import SolverOptions
from wfm.roster.problem import (
    Agent,
    AvailabilityWindow,
    BreakRule,
    Contract,
    Pin,
    PreferDayOff,
    PreferStartWindow,
    PreferTemplate,
    RosterProblem,
    Rule,
    ShiftTemplate,
    TimeOff,
    Weights,
)
from wfm.scenario import (
    HistoryDemand,
    RequirementsDemand,
    load_scenario,
    write_scenario,
)
from wfm.service import ServicePolicy

START = dt.date(2027, 1, 4)
EXAMPLE_SCENARIO = (
    Path(__file__).resolve().parents[1] / "examples" / "contact_center" / "scenario.yaml"
)


def _requirements_csv(path: Path, days: int = 7) -> None:
    stamps = pd.date_range(pd.Timestamp(START), periods=days * 96, freq="15min")
    hour = stamps.hour + stamps.minute / 60
    open_ = (hour >= 8) & (hour < 20)
    frame = pd.DataFrame(
        {
            "interval_start": stamps.strftime("%Y-%m-%d %H:%M"),
            "required_scheduled": np.where(open_, 2.0, 0.0),
            "calls": np.where(open_, 10.0, 0.0),
            "aht_seconds": 300.0,
        }
    )
    frame.to_csv(path, index=False)


def _base() -> dict[str, Any]:
    return {
        "name": "tiny",
        "week": {"start": "2027-01-04", "days": 7},
        "interval_minutes": 15,
        "demand": {"requirements": {"path": "req.csv"}},
        "service": {"target": 0.8, "answer_within_seconds": 20, "shrinkage": 0.1},
        "templates": [
            {
                "name": "day",
                "earliest_start": "08:00",
                "latest_start": "10:00",
                "min_length_minutes": 480,
                "weekdays": "Mon-Fri",
                "breaks": [
                    {
                        "name": "lunch",
                        "duration_minutes": 30,
                        "paid": False,
                        "earliest_start_after_minutes": 180,
                        "latest_start_after_minutes": 300,
                    }
                ],
            },
            {
                "name": "weekend",
                "earliest_start": "09:00",
                "latest_start": "09:00",
                "min_length_minutes": 240,
                "weekdays": ["Sat", "Sun"],
            },
        ],
        "contracts": [
            {"name": "full_time", "max_hours_per_week": 40, "max_days_per_week": 5},
            {"name": "part_time", "max_hours_per_week": 20, "max_days_per_week": 3},
        ],
        "agents": [
            {"agent_id": "A1", "contract": "full_time"},
            {"agent_id": "A2", "contract": "full_time", "templates": ["day"]},
            {"agent_id": "A3", "contract": "part_time"},
        ],
    }


def _write(tmp_path: Path, doc: dict[str, Any], *, requirements: bool = True) -> Path:
    if requirements:
        _requirements_csv(tmp_path / "req.csv")
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _error(tmp_path: Path, doc: dict[str, Any]) -> ScenarioError:
    path = _write(tmp_path, doc)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


# ----------------------------------------------------------------------------- loading


def test_minimal_scenario_builds_the_problem(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, _base()))
    assert scenario.name == "tiny"
    assert scenario.start_date == START and scenario.days == 7
    assert isinstance(scenario.demand, RequirementsDemand)
    assert scenario.templates[0].weekdays == frozenset(range(5))
    assert scenario.templates[1].weekdays == frozenset({5, 6})
    assert scenario.templates[0].breaks[0] == BreakRule(
        name="lunch",
        duration_minutes=30,
        paid=False,
        earliest_start_after_minutes=180,
        latest_start_after_minutes=300,
    )
    assert scenario.agents[1].templates == ("day",)
    assert scenario.agents[0].templates is None
    assert scenario.solver == SolverOptions()
    problem = scenario.build_problem()
    assert isinstance(problem, RosterProblem)
    assert problem.required_scheduled.sum() == pytest.approx(2.0 * 48 * 7)
    assert problem.service is not None and problem.service.shrinkage == pytest.approx(0.1)
    assert problem.service.level == pytest.approx(0.8)


def test_unquoted_clock_time_is_read_as_time_not_sexagesimal(tmp_path: Path) -> None:
    path = _write(tmp_path, _base())
    text = path.read_text(encoding="utf-8").replace("latest_start: '10:00'", "latest_start: 10:00")
    assert "latest_start: 10:00" in text
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path).templates[0].latest_start == dt.time(10, 0)


@pytest.mark.parametrize(
    ("mutate", "field", "hint"),
    [
        (lambda d: d.update(nmae="x"), "nmae", "did you mean 'name'"),
        (
            lambda d: d["templates"][0].update(earliest_strat="08:00"),
            "templates[0].earliest_strat",
            "did you mean 'earliest_start'",
        ),
        (
            lambda d: d["templates"][0]["breaks"][0].update(duration="15"),
            "templates[0].breaks[0].duration",
            "did you mean 'duration_minutes'",
        ),
        (lambda d: d["week"].update(lenght=7), "week.lenght", "one of start, days"),
        (lambda d: d["agents"][2].update(contarct="x"), "agents[2].contarct", "'contract'"),
        (lambda d: d.update(solver={"time_limit": 5}), "solver.time_limit", "time_limit_seconds"),
        (lambda d: d.update(rules={"soft": {"min_rst": 5}}), "rules.soft.min_rst", "min_rest"),
    ],
)
def test_unknown_keys_are_errors_with_a_suggestion(
    tmp_path: Path, mutate: Any, field: str, hint: str
) -> None:
    doc = _base()
    mutate(doc)
    error = _error(tmp_path, doc)
    assert error.field == field
    assert hint in str(error)


@pytest.mark.parametrize(
    ("mutate", "field", "value"),
    [
        (lambda d: d.update(interval_minutes="fifteen"), "interval_minutes", "fifteen"),
        (lambda d: d.update(interval_minutes=7), "interval_minutes", 7),
        (
            lambda d: d["contracts"][0].update(max_days_per_week=4.5),
            "contracts[0].max_days_per_week",
            4.5,
        ),
        (
            lambda d: d["contracts"][1].update(max_hours_per_week="20h"),
            "contracts[1].max_hours_per_week",
            "20h",
        ),
        (lambda d: d.update(templates={"name": "day"}), "templates", {"name": "day"}),
        (
            lambda d: d["templates"][0]["breaks"][0].update(paid="no"),
            "templates[0].breaks[0].paid",
            "no",
        ),
        (lambda d: d["service"].update(target=80), "service.target", 80),
        (lambda d: d["week"].update(start="04/01/2027"), "week.start", "04/01/2027"),
        (
            lambda d: d["templates"][1].update(weekdays=["Sat", "Sunday", "Funday"]),
            "templates[1].weekdays",
            "Funday",
        ),
        (
            lambda d: d["templates"][0].update(min_length_minutes=470),
            "templates[0].min_length_minutes",
            470,
        ),
    ],
)
def test_wrong_types_and_values_name_the_yaml_path(
    tmp_path: Path, mutate: Any, field: str, value: Any
) -> None:
    doc = _base()
    mutate(doc)
    error = _error(tmp_path, doc)
    assert error.field == field
    assert error.value == value


@pytest.mark.parametrize("bad", ["25:00", "8h", "08:60", "morning", 8])
def test_bad_time_strings(tmp_path: Path, bad: Any) -> None:
    doc = _base()
    doc["templates"][0]["earliest_start"] = bad
    error = _error(tmp_path, doc)
    assert error.field == "templates[0].earliest_start"
    assert "HH:MM" in error.expected


def test_problem_dataclass_errors_come_out_with_the_yaml_path(tmp_path: Path) -> None:
    doc = _base()
    doc["templates"][0]["latest_start"] = "07:00"  # before earliest_start
    assert _error(tmp_path, doc).field == "templates[0].latest_start"
    doc = _base()
    doc["contracts"][1]["min_hours_per_week"] = 30  # above max 20
    assert _error(tmp_path, doc).field == "contracts[1].max_hours_per_week"
    doc = _base()
    doc["templates"][0]["breaks"][0]["latest_start_after_minutes"] = 60
    error = _error(tmp_path, doc)
    assert error.field == "templates[0].breaks[0].latest_start_after_minutes"
    doc = _base()
    doc["agents"][0]["days_off_before"] = 2
    doc["agents"][0]["consecutive_days_worked_before"] = 3
    assert _error(tmp_path, doc).field == "agents[0].days_off_before"


def test_unknown_contract_of_an_inline_agent(tmp_path: Path) -> None:
    doc = _base()
    doc["agents"][2]["contract"] = "part-time"
    error = _error(tmp_path, doc)
    assert error.field == "agents[2].contract"
    assert error.value == "part-time"
    assert "did you mean 'part_time'" in str(error)


def test_unknown_contract_in_the_agents_csv_names_line(tmp_path: Path) -> None:
    (tmp_path / "agents.csv").write_text(
        "agent_id,contract,templates\nA1,full_time,day;weekend\nA2,fulltime,\n", encoding="utf-8"
    )
    doc = _base()
    doc["agents"] = {"csv": "agents.csv"}
    error = _error(tmp_path, doc)
    assert error.field == "agents[1].contract (agents.csv line 3)"
    assert error.value == "fulltime"


def test_agents_csv_unknown_column(tmp_path: Path) -> None:
    (tmp_path / "agents.csv").write_text("agent_id,contract,skils\nA1,full_time,x\n")
    doc = _base()
    doc["agents"] = {"csv": "agents.csv"}
    error = _error(tmp_path, doc)
    assert error.value == "skils"
    assert "did you mean 'skills'" in str(error)  # an agent's skills (queues it serves)
    assert "agents.csv" in error.field


def test_unknown_template_and_pin_outside_the_week(tmp_path: Path) -> None:
    doc = _base()
    doc["agents"][0]["templates"] = ["day", "nite"]
    assert _error(tmp_path, doc).field == "agents[0].templates[1]"
    doc = _base()
    doc["agents"][0]["pins"] = [{"day": "2027-01-11", "off": True}]
    assert _error(tmp_path, doc).field == "agents[0].pins[0].day"


@pytest.mark.parametrize("where", ["demand", "agents"])
def test_missing_files(tmp_path: Path, where: str) -> None:
    doc = _base()
    if where == "demand":
        doc["demand"] = {"requirements": {"path": "nowhere.csv"}}
        field = "demand.requirements.path"
    else:
        doc["agents"] = {"csv": "no_agents.csv"}
        field = "agents.csv"
    error = _error(tmp_path, doc)
    assert error.field == field
    assert "existing file" in error.expected


def test_two_demand_sources_are_an_error(tmp_path: Path) -> None:
    doc = _base()
    doc["demand"]["history"] = {"path": "req.csv"}
    error = _error(tmp_path, doc)
    assert error.field == "demand"
    assert "exactly one" in error.expected
    doc = _base()
    doc["demand"] = {}
    assert _error(tmp_path, doc).field == "demand"


def test_service_rules(tmp_path: Path) -> None:
    doc = _base()
    doc["service"]["fractional"] = True  # meaningless without a staffing run
    assert _error(tmp_path, doc).field == "service.fractional"
    doc = _base()
    doc["service"]["model"] = "erlang_a"
    assert _error(tmp_path, doc).field == "service.patience_seconds"
    doc = _base()
    del doc["service"]["answer_within_seconds"]
    assert _error(tmp_path, doc).field == "service.answer_within_seconds"
    doc = _base()
    doc["service"] = {"max_asa_seconds": 30}
    problem = load_scenario(_write(tmp_path, doc)).build_problem()
    assert problem.service is not None and problem.service.level is None
    assert problem.service.max_asa_seconds == 30
    doc = _base()
    del doc["service"]
    assert load_scenario(_write(tmp_path, doc)).build_problem().service is None


def test_duplicate_keys_and_bad_yaml(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("name: a\nname: b\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="each key once"):
        load_scenario(path)
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="valid YAML"):
        load_scenario(path)


def test_requirements_rows_outside_the_week_name_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, _base())
    _requirements_csv(tmp_path / "req.csv", days=8)
    scenario = load_scenario(path)
    with pytest.raises(DataError) as info:
        scenario.build_problem()
    assert "demand.requirements (req.csv)" in info.value.field


# ----------------------------------------------------------------------------- agents


def test_compact_agent_forms_in_csv(tmp_path: Path) -> None:
    (tmp_path / "agents.csv").write_text(
        "agent_id,contract,templates,availability,time_off,preferences,pins,cost_per_hour,"
        "last_shift_end,consecutive_days_worked_before\n"
        'P1,part_time,day,"Mon-Wed 08:00-14:00; Sat 09:00-13:00",'
        '"2027-01-06; 2027-01-08 12:00..2027-01-08 18:00",'
        '"template=day weight=2; start_window=08:00-09:00 weekdays=Mon-Fri; day_off=2027-01-05",'
        '"2027-01-04 template=day start=08:00 length_minutes=480; 2027-01-07 off; 2027-01-05",'
        "21.5,2027-01-03 20:00,3\n",
        encoding="utf-8",
    )
    doc = _base()
    doc["agents"] = {"csv": "agents.csv"}
    (agent,) = load_scenario(_write(tmp_path, doc)).agents
    assert agent == Agent(
        agent_id="P1",
        contract="part_time",
        templates=("day",),
        availability=(
            AvailabilityWindow(weekday=0, start=dt.time(8), end=dt.time(14)),
            AvailabilityWindow(weekday=1, start=dt.time(8), end=dt.time(14)),
            AvailabilityWindow(weekday=2, start=dt.time(8), end=dt.time(14)),
            AvailabilityWindow(weekday=5, start=dt.time(9), end=dt.time(13)),
        ),
        time_off=(
            TimeOff.whole_day(dt.date(2027, 1, 6)),
            TimeOff(start=dt.datetime(2027, 1, 8, 12), end=dt.datetime(2027, 1, 8, 18)),
        ),
        preferences=(
            PreferTemplate(template="day", weight=2.0),
            PreferStartWindow(
                earliest=dt.time(8), latest=dt.time(9), weekdays=frozenset(range(5)), weight=1.0
            ),
            PreferDayOff(day=dt.date(2027, 1, 5), weight=1.0),
        ),
        pins=(
            Pin(day=dt.date(2027, 1, 4), template="day", start=dt.time(8), length_minutes=480),
            Pin(day=dt.date(2027, 1, 7), off=True),
            Pin(day=dt.date(2027, 1, 5)),
        ),
        cost_per_hour=21.5,
        last_shift_end=dt.datetime(2027, 1, 3, 20),
        consecutive_days_worked_before=3,
    )


def test_inline_agent_forms_and_time_off_ranges(tmp_path: Path) -> None:
    doc = _base()
    doc["agents"][0].update(
        availability=[{"weekdays": "Mon,Fri", "start": "08:00", "end": "00:00"}],
        time_off=[
            "2027-01-05",
            {"start": "2027-01-06", "end": "2027-01-07"},
            "2027-01-09..2027-01-10",
        ],
        preferences=[{"day_off": "2027-01-08", "weight": 3}],
        pins=[{"day": "2027-01-04", "template": "day"}],
    )
    agent = load_scenario(_write(tmp_path, doc)).agents[0]
    assert [w.weekday for w in agent.availability or ()] == [0, 4]
    assert agent.availability is not None and agent.availability[0].end_minutes == 1440
    days = [(t.start, t.end) for t in agent.time_off]
    assert days[0] == (dt.datetime(2027, 1, 5), dt.datetime(2027, 1, 6))
    assert days[1] == (dt.datetime(2027, 1, 6), dt.datetime(2027, 1, 8))  # end date inclusive
    assert days[2] == (dt.datetime(2027, 1, 9), dt.datetime(2027, 1, 11))
    assert agent.preferences == (PreferDayOff(day=dt.date(2027, 1, 8), weight=3.0),)
    assert agent.pins == (Pin(day=dt.date(2027, 1, 4), template="day"),)


def test_bad_compact_entries(tmp_path: Path) -> None:
    doc = _base()
    doc["agents"][0]["availability"] = "Mon-Fri 08:00"
    assert _error(tmp_path, doc).field == "agents[0].availability[0]"
    doc = _base()
    doc["agents"][0]["preferences"] = "template=day wieght=2"
    error = _error(tmp_path, doc)
    assert error.field == "agents[0].preferences[0]" and "weight" in str(error)


# ----------------------------------------------------------------------------- round trip


def _full_problem() -> RosterProblem:
    templates = (
        ShiftTemplate(
            name="early",
            earliest_start=dt.time(7, 45),
            latest_start=dt.time(10, 0),
            start_step_minutes=15,
            min_length_minutes=480,
            max_length_minutes=540,
            length_step_minutes=30,
            weekdays=frozenset(range(5)),
            breaks=(
                BreakRule(
                    name="break1",
                    duration_minutes=15,
                    earliest_start_after_minutes=90,
                    latest_start_after_minutes=150,
                ),
                BreakRule(
                    name="lunch",
                    duration_minutes=30,
                    paid=False,
                    earliest_start_after_minutes=210,
                    latest_start_after_minutes=300,
                ),
            ),
        ),
        ShiftTemplate(
            name="late",
            earliest_start=dt.time(12),
            latest_start=dt.time(13),
            min_length_minutes=420,
            weekdays=frozenset({0, 2, 4, 5, 6}),
        ),
    )
    contracts = (
        Contract(
            name="ft",
            min_hours_per_week=30.5,
            max_hours_per_week=40,
            min_days_per_week=3,
            max_days_per_week=5,
            max_consecutive_days=5,
            min_consecutive_days_off=2,
            min_rest_hours=11.5,
            max_weekend_days=1,
            cost_per_hour=22.25,
        ),
        Contract(name="pt"),
    )
    agents = (
        Agent(
            agent_id="X1",
            contract="ft",
            templates=("early", "late"),
            availability=(
                AvailabilityWindow(weekday=0, start=dt.time(7), end=dt.time(19)),
                AvailabilityWindow(weekday=5, start=dt.time(20), end=dt.time(2)),
            ),
            time_off=(
                TimeOff.whole_day(dt.date(2027, 1, 6)),
                TimeOff(start=dt.datetime(2027, 1, 7, 12, 30), end=dt.datetime(2027, 1, 7, 15)),
            ),
            preferences=(
                PreferTemplate(template="late", weight=0.3),
                PreferStartWindow(
                    earliest=dt.time(8), latest=dt.time(9, 15), weekdays=frozenset({1, 3})
                ),
                PreferStartWindow(earliest=dt.time(12), latest=dt.time(13)),
                PreferDayOff(day=dt.date(2027, 1, 9), weight=2.5),
            ),
            pins=(
                Pin(
                    day=dt.date(2027, 1, 4), template="early", start=dt.time(8), length_minutes=480
                ),
                Pin(day=dt.date(2027, 1, 5), off=True),
                Pin(day=dt.date(2027, 1, 8)),
            ),
            cost_per_hour=19.75,
            last_shift_end=dt.datetime(2027, 1, 3, 21, 15),
            consecutive_days_worked_before=2,
        ),
        Agent(agent_id="X2", contract="pt", days_off_before=3),
        Agent(agent_id="007", contract="pt", availability=()),
    )
    stamps = pd.date_range("2027-01-04 08:00", periods=40, freq="30min")
    requirements = pd.DataFrame(
        {
            "interval_start": stamps,
            "required_scheduled": np.linspace(0.1, 7.3, 40) / 3,
            "calls": np.arange(40) * 1.5,
            "aht_seconds": 280.0 + np.arange(40) / 7,
        }
    )
    return RosterProblem(
        start_date=START,
        requirements=requirements,
        templates=templates,
        contracts=contracts,
        agents=agents,
        days=7,
        interval_minutes=15,
        weights=Weights(
            understaffing_per_agent_hour=250,
            understaffing_growth=(1.0, 3.0),
            overstaffing_per_agent_hour=2.5,
            paid_hour=0.5,
            preference=2,
            fairness_weekend=1,
            fairness_late=0,
        ),
        soft_rules={Rule.MIN_REST: 50, Rule.TIME_OFF: 1000.0},
        weekend_days=frozenset({4, 5}),
        late_shift_ends_after=dt.time(19, 30),
        service=ServicePolicy(
            level=0.9,
            answer_within_seconds=30,
            max_asa_seconds=25,
            max_abandon_rate=0.05,
            model="erlang_a",
            patience_seconds=120,
            shrinkage=0.12,
        ),
    )


def _assert_same_problem(a: RosterProblem, b: RosterProblem) -> None:
    for name in (
        "start_date",
        "days",
        "interval_minutes",
        "templates",
        "contracts",
        "agents",
        "weights",
        "soft_rules",
        "weekend_days",
        "late_shift_ends_after",
        "service",
    ):
        assert getattr(a, name) == getattr(b, name), name
    for grid in ("required_scheduled", "calls"):
        np.testing.assert_array_equal(getattr(a, grid), getattr(b, grid))
    np.testing.assert_array_equal(a.aht_seconds, b.aht_seconds)  # NaN == NaN here


@pytest.mark.parametrize("agents_csv", [False, True])
def test_write_and_load_round_trip(tmp_path: Path, agents_csv: bool) -> None:
    problem = _full_problem()
    if agents_csv:
        # an empty availability cannot be written as a CSV cell (it means "always")
        problem = RosterProblem(
            **{
                **{k: getattr(problem, k) for k in ("start_date", "requirements", "templates")},
                "contracts": problem.contracts,
                "agents": problem.agents[:2],
                "weights": problem.weights,
                "soft_rules": problem.soft_rules,
                "weekend_days": problem.weekend_days,
                "late_shift_ends_after": problem.late_shift_ends_after,
                "service": problem.service,
            }
        )
    solver = SolverOptions(time_limit_seconds=12.5, workers=2, seed=7)
    path = write_scenario(
        problem, tmp_path / "out", name="full", solver=solver, agents_csv=agents_csv
    )
    assert path == tmp_path / "out" / "full.yaml"
    assert (tmp_path / "out" / "requirements.csv").is_file()
    assert (tmp_path / "out" / "agents.csv").is_file() == agents_csv
    scenario = load_scenario(path)
    assert scenario.solver == solver
    assert scenario.name == "full"
    _assert_same_problem(problem, scenario.build_problem())


def test_round_trip_without_service_or_solver(tmp_path: Path) -> None:
    base = _full_problem()
    problem = RosterProblem(
        start_date=base.start_date,
        requirements=base.requirements[["interval_start", "required_scheduled"]],
        templates=base.templates,
        contracts=base.contracts,
        agents=base.agents[1:],
        days=3,
    )
    scenario = load_scenario(write_scenario(problem, tmp_path))
    assert scenario.service is None
    assert scenario.solver == SolverOptions()
    _assert_same_problem(problem, scenario.build_problem())


# ----------------------------------------------------------------------------- pipeline


def _history_csv(path: Path) -> None:
    from wfm.datasets.history import synthetic_history

    history = synthetic_history(
        start="2026-11-09", weeks=8, interval_minutes=15, seed=3, peak_calls=20.0
    )
    history.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M")


def test_history_pipeline_is_deterministic(tmp_path: Path) -> None:
    _history_csv(tmp_path / "history.csv")
    doc = _base()
    doc["demand"] = {
        "history": {
            "path": "history.csv",
            "method": "profile",
            "special_days": ["2026-12-25"],
            "multipliers": {"2027-01-05": 1.5},
        }
    }
    doc["service"]["fractional"] = True
    path = _write(tmp_path, doc, requirements=False)
    scenario = load_scenario(path)
    assert isinstance(scenario.demand, HistoryDemand)
    run = scenario.pipeline()
    assert run.history is not None and run.forecast is not None and run.staffing is not None
    assert len(run.forecast) == 7 * 96
    assert run.forecast["interval_start"].min() == pd.Timestamp(START)
    # multiplier applied to Tuesday only
    day = run.forecast["interval_start"].dt.date
    tuesday = run.forecast.loc[day == dt.date(2027, 1, 5), "calls"].sum()
    assert tuesday > 0
    req = run.problem.required_scheduled
    assert (req >= 0).all() and req.max() > 0
    np.testing.assert_allclose(
        req, run.staffing["required_scheduled_fractional"].to_numpy(dtype=float)
    )
    again = load_scenario(path).pipeline()
    np.testing.assert_array_equal(req, again.problem.required_scheduled)


def test_forecast_demand_is_staffed(tmp_path: Path) -> None:
    stamps = pd.date_range(pd.Timestamp(START), periods=2 * 96, freq="15min")
    calls = np.where((stamps.hour >= 9) & (stamps.hour < 17), 30.0, 0.0)
    pd.DataFrame({"interval_start": stamps.strftime("%Y-%m-%d %H:%M"), "calls": calls}).to_csv(
        tmp_path / "fc.csv", index=False
    )
    doc = _base()
    doc["week"]["days"] = 2
    doc["demand"] = {"forecast": {"path": "fc.csv", "default_aht_seconds": 300}}
    run = load_scenario(_write(tmp_path, doc, requirements=False)).pipeline()
    assert run.staffing is not None
    req = run.problem.required_scheduled
    assert req.shape == (2 * 96,)
    assert (req[calls == 0] == 0).all()
    # 30 calls x 300 s per 15 min = 10 Erlangs: more than 10 on the phone, grossed up by 1/0.9
    assert (req[calls > 0] >= 11 / 0.9 - 1e-9).all()


def test_history_without_service_is_an_error(tmp_path: Path) -> None:
    _history_csv(tmp_path / "history.csv")
    doc = _base()
    doc["demand"] = {"history": {"path": "history.csv"}}
    del doc["service"]
    assert _error(tmp_path, doc).field == "service"
    doc["service"] = _base()["service"]
    doc["demand"]["history"]["method"] = "prophet"
    assert _error(tmp_path, doc).field == "demand.history.method"
    doc["demand"]["history"] = {"path": "history.csv", "params": {"weks": 3}}
    doc["demand"]["history"]["method"] = "profile"
    error = _error(tmp_path, doc)
    assert error.field == "demand.history.params.weks"


def test_forecaster_parameter_values_are_checked_on_load(tmp_path: Path) -> None:
    _history_csv(tmp_path / "history.csv")
    doc = _base()
    doc["demand"] = {"history": {"path": "history.csv", "method": "profile", "params": {}}}
    doc["demand"]["history"]["params"]["weeks"] = 0
    error = _error(tmp_path, doc)
    assert error.field == "demand.history.params.weeks"
    assert error.value == 0
    doc["demand"]["history"] = "history.csv"  # short form: just the path
    assert isinstance(load_scenario(_write(tmp_path, doc)).demand, HistoryDemand)


def test_module_docstring_example_loads(tmp_path: Path) -> None:
    import textwrap

    import wfm.scenario

    doc = wfm.scenario.__doc__ or ""
    block = doc.split(".. code-block:: yaml", 1)[1].split('"""', 1)[0]
    (tmp_path / "scenario.yaml").write_text(textwrap.dedent(block), encoding="utf-8")
    _history_csv(tmp_path / "history.csv")
    (tmp_path / "agents.csv").write_text(
        "agent_id,contract,availability\nA001,full_time,Mon-Fri 07:00-19:00\n", encoding="utf-8"
    )
    scenario = load_scenario(tmp_path / "scenario.yaml")
    assert scenario.templates[0].breaks[1].name == "lunch"
    assert scenario.soft_rules == {Rule.MIN_REST: 50.0}
    assert scenario.agents[0].availability is not None


def test_service_level_of_one_is_named_at_its_yaml_key(tmp_path: Path) -> None:
    # 100% within 0 s cannot be staffed; it used to be "met" by rounding.
    doc = _base()
    doc["service"]["target"] = 1.0
    doc["service"]["answer_within_seconds"] = 0
    error = _error(tmp_path, doc)
    assert error.field == "service.target" and error.value == 1.0
    assert "(0, 1)" in str(error)


def _forecast_doc(tmp_path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(tmp_path / "fc.csv", index=False)
    doc = _base()
    doc["week"]["days"] = 2
    doc["demand"] = {"forecast": {"path": "fc.csv", "default_aht_seconds": 300}}
    return _write(tmp_path, doc, requirements=False)


def test_coarser_forecast_file_is_an_error(tmp_path: Path) -> None:
    # A 30-minute forecast in a 15-minute scenario used to staff only every
    # other interval (absent intervals need no agents): half the demand dropped.
    stamps = pd.date_range(pd.Timestamp(START), periods=2 * 48, freq="30min")
    calls = np.where((stamps.hour >= 9) & (stamps.hour < 17), 30.0, 0.0)
    frame = pd.DataFrame({"interval_start": stamps.strftime("%Y-%m-%d %H:%M"), "calls": calls})
    with pytest.raises(DataError, match="rows at least 30 minutes apart") as info:
        load_scenario(_forecast_doc(tmp_path, frame)).pipeline()
    assert info.value.field == "demand.forecast (fc.csv): interval_start"


def test_forecast_row_errors_name_the_file_line(tmp_path: Path) -> None:
    stamps = pd.date_range(pd.Timestamp(START), periods=2 * 96, freq="15min")
    frame = pd.DataFrame(
        {"interval_start": stamps.strftime("%Y-%m-%d %H:%M"), "calls": np.full(2 * 96, 5.0)}
    )
    frame.loc[40, "calls"] = -1.0  # data row 40 is line 42 of the file (header is line 1)
    with pytest.raises(DataError) as info:
        load_scenario(_forecast_doc(tmp_path, frame)).pipeline()
    assert info.value.field == "demand.forecast (fc.csv): calls[line 42]"
    assert (tmp_path / "fc.csv").read_text().splitlines()[41].endswith(",-1.0")


def test_forecast_timestamps_must_be_iso(tmp_path: Path) -> None:
    # "04/01/2027 00:00" was read month-first (1 April) without a word
    stamps = pd.date_range(pd.Timestamp(START), periods=2 * 96, freq="15min")
    frame = pd.DataFrame(
        {"interval_start": stamps.strftime("%d/%m/%Y %H:%M"), "calls": np.full(2 * 96, 5.0)}
    )
    with pytest.raises(DataError, match="YYYY-MM-DD HH:MM") as info:
        load_scenario(_forecast_doc(tmp_path, frame)).pipeline()
    assert info.value.field == "demand.forecast (fc.csv): interval_start[line 2]"


def test_service_target_as_a_percentage_gets_a_hint(tmp_path: Path) -> None:
    doc = _base()
    doc["service"]["target"] = 80
    error = _error(tmp_path, doc)
    assert error.field == "service.target"
    assert "e.g. 0.8 for 80%" in str(error)


def test_days_without_demand_rows_are_noted(tmp_path: Path) -> None:
    # the requirements span 2027-01-04 08:00 .. 2027-01-05 03:30 of a 7-day week
    run = load_scenario(write_scenario(_full_problem(), tmp_path)).pipeline()
    # one note for the absent days, one for rows every 30 minutes on a 15-minute grid
    assert len(run.notes) == 2
    assert "rows at least 30 minutes apart" in run.notes[0]
    note = run.notes[1]
    assert "demand.requirements (requirements.csv)" in note
    assert "2027-01-06, 2027-01-07, 2027-01-08, 2027-01-09, 2027-01-10" in note
    assert "2027-01-04" not in note and "2027-01-05" not in note
    # the week is rostered as given: absent intervals need no agents
    assert run.problem.required_scheduled[run.problem.intervals_per_day * 2 :].sum() == 0


def test_a_week_with_rows_on_every_day_has_no_notes() -> None:
    run = load_scenario(EXAMPLE_SCENARIO).pipeline()
    assert run.notes == ()


@pytest.mark.parametrize("former", ["required_agents", "agents_scheduled"])
def test_requirements_file_with_a_column_name_before_0_2_is_read_with_a_note(
    tmp_path: Path, former: str
) -> None:
    path = _write(tmp_path, _base())
    req = pd.read_csv(tmp_path / "req.csv").rename(columns={"required_scheduled": former})
    req.to_csv(tmp_path / "req.csv", index=False)
    run = load_scenario(path).pipeline()
    assert run.problem.required_scheduled.sum() == pytest.approx(2.0 * 48 * 7)
    assert len(run.notes) == 1
    assert "demand.requirements (req.csv)" in run.notes[0]
    assert f"{former!r} -> 'required_scheduled'" in run.notes[0]
    req.drop(columns=former).to_csv(tmp_path / "req.csv", index=False)
    with pytest.raises(DataError, match="a column 'required_scheduled'"):
        load_scenario(path).pipeline()


def test_service_section_is_one_service_policy(tmp_path: Path) -> None:
    doc = _base()
    doc["service"]["max_asa_seconds"] = 40
    scenario = load_scenario(_write(tmp_path, doc))
    expected = ServicePolicy(level=0.8, answer_within_seconds=20, max_asa_seconds=40, shrinkage=0.1)
    assert scenario.service == expected
    assert scenario.build_problem().service is scenario.service  # travels unchanged
    doc["service"]["shrinkage"] = 1.5
    error = _error(tmp_path, doc)
    assert (error.field, error.value) == ("service.shrinkage", 1.5)
    assert "a fraction in [0, 1)" in str(error)


# ----------------------------------------------------------------------------- periods


def test_a_period_of_whole_weeks_is_read_from_period_or_week(tmp_path: Path) -> None:
    doc = _base()
    del doc["week"]
    doc["period"] = {"start": "2027-01-04", "days": 14}
    doc["contracts"][0]["max_hours_per_period"] = 72
    doc["contracts"][1]["max_hours_per_period"] = None
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    _requirements_csv(tmp_path / "req.csv", days=14)
    scenario = load_scenario(path)
    problem = scenario.build_problem()
    assert problem.days == 14 and problem.weeks == (range(0, 7), range(7, 14))
    full, part = problem.contracts
    assert full.max_hours_per_period == 72 and part.max_hours_per_period is None
    # the older key still reads the same period
    doc["week"] = doc.pop("period")
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert load_scenario(path).days == 14


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(period={"start": "2027-01-04", "days": 14}), "week"),
        (lambda d: d["week"].update(days=10), "week.days"),
        (lambda d: d.update(period=d.pop("week") | {"days": 49}), "period.days"),
        (lambda d: d.pop("week"), "period"),
    ],
)
def test_bad_periods_name_the_key(tmp_path: Path, change: Any, field: str) -> None:
    doc = _base()
    change(doc)
    assert _error(tmp_path, doc).field == field


def test_the_multi_week_examples_read_with_their_weeks() -> None:
    folder = EXAMPLE_SCENARIO.parent
    for days in (14, 28):
        scenario = load_scenario(folder / f"scenario_{days}_days.yaml")
        assert scenario.days == days
        assert scenario.start_date == load_scenario(EXAMPLE_SCENARIO).start_date


def test_solver_lexicographic_is_read_checked_and_written(tmp_path: Path) -> None:
    doc = _base()
    doc["solver"] = {"lexicographic": True, "time_limit_seconds": 9}
    scenario = load_scenario(_write(tmp_path, doc))
    assert scenario.solver.lexicographic is True
    assert scenario.solver.time_limit_seconds == 9
    doc["solver"] = {"lexicographic": "yes"}
    error = _error(tmp_path, doc)
    assert error.field == "solver.lexicographic"
    problem = scenario.build_problem()
    path = write_scenario(problem, tmp_path / "out", name="lex", solver=scenario.solver)
    assert load_scenario(path).solver == scenario.solver
