"""solve(): typed result, tables, summary, files, progress, determinism."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from roster_helpers import agents, contract, hour_profile, requirement_frame, template, tiny_problem

from wfm.errors import ValidationError
from wfm.roster.options import SolverOptions
from wfm.roster.problem import BreakRule, RosterProblem, Weights
from wfm.roster.report import BREAK_COLUMNS, COVERAGE_COLUMNS, ROSTER_COLUMNS, VIOLATION_COLUMNS
from wfm.roster.solve import ProgressEvent, RosterResult, RosterStatus, RosterSummary, solve
from wfm.service import ServicePolicy
from wfm.staffing import performance, weekly_service_level

BREAKS = (
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
        latest_start_after_minutes=270,
    ),
)


def week_problem(n_agents: int = 6, *, with_calls: bool = False) -> RosterProblem:
    """A 15-minute week with flexible starts, breaks and two days off together."""
    per_day = 96
    rng = np.random.default_rng(7)
    hours = np.arange(7 * per_day) % per_day / 4
    shape = np.clip(np.sin((hours - 7) / 13 * np.pi), 0, None)
    required = np.round(shape * n_agents * 0.55 + rng.uniform(0, 0.3, size=hours.size), 2)
    required[(hours < 7) | (hours >= 20)] = 0.0
    frame = requirement_frame(dt.date(2026, 1, 5), required, 15)
    service = None
    if with_calls:
        frame["calls"] = required * 12.0
        frame["aht_seconds"] = 240.0
        service = ServicePolicy(level=0.8, answer_within_seconds=20, shrinkage=0.1)
    return RosterProblem(
        start_date=dt.date(2026, 1, 5),
        requirements=frame,
        templates=(
            template(
                "full",
                earliest="07:00",
                latest="11:30",
                length_hours=8.5,
                step_minutes=15,
                breaks=BREAKS,
            ),
        ),
        contracts=(
            contract(
                "ft",
                min_hours_per_week=24,
                max_hours_per_week=40,
                min_days_per_week=3,
                max_days_per_week=5,
                max_consecutive_days=5,
                min_consecutive_days_off=2,
                min_rest_hours=11,
                max_weekend_days=1,
            ),
        ),
        agents=agents(n_agents, "ft"),
        interval_minutes=15,
        service=service,
    )


@pytest.fixture(scope="module")
def week_result() -> tuple[RosterProblem, RosterResult]:
    problem = week_problem(with_calls=True)
    return problem, solve(
        problem,
        SolverOptions(time_limit_seconds=10.0, workers=2, seed=3, max_deterministic_time=0.2),
    )


def test_result_types_and_layouts(week_result):
    problem, result = week_result
    assert isinstance(result.status, RosterStatus)
    assert result.status.has_solution
    assert isinstance(result.summary, RosterSummary)
    assert list(result.roster.columns) == list(ROSTER_COLUMNS)
    assert list(result.breaks.columns) == list(BREAK_COLUMNS)
    assert list(result.coverage.columns)[: len(COVERAGE_COLUMNS)] == list(COVERAGE_COLUMNS)
    assert list(result.violations.columns) == list(VIOLATION_COLUMNS)
    assert len(result.coverage) == problem.n_intervals
    assert result.best_bound <= result.objective + 1e-9
    assert result.relative_gap == pytest.approx(
        abs(result.objective - result.best_bound) / max(1.0, abs(result.objective))
    )
    assert result.first_solution_seconds is not None
    assert result.first_solution_seconds <= result.wall_time_seconds
    assert result.solution_trace[-1][1] == pytest.approx(result.objective)
    assert result.roster["agent_id"].is_monotonic_increasing
    assert set(result.roster["weekday"]) <= {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
    # two breaks per shift, placed inside it
    assert len(result.breaks) == 2 * len(result.roster)
    assert result.roster["breaks"].str.contains("lunch").all()


def test_roster_obeys_the_contract(week_result):
    problem, result = week_result
    c = problem.contracts[0]
    for _agent_id, rows in result.roster.groupby("agent_id"):
        assert c.min_days_per_week <= len(rows) <= c.max_days_per_week
        assert c.min_hours_per_week * 60 <= rows["paid_minutes"].sum() <= c.max_hours_per_week * 60
        starts = rows["start"].sort_values().to_list()
        ends = rows["end"].sort_values().to_list()
        for end, nxt in zip(ends, starts[1:], strict=False):
            assert (nxt - end) >= pd.Timedelta(hours=c.min_rest_hours)
        weekend = sum(pd.Timestamp(d).weekday() >= 5 for d in rows["date"])
        assert weekend <= c.max_weekend_days
    assert (result.roster["paid_minutes"] == 8 * 60).all()


def test_independent_checker_finds_no_hard_violation(week_result, tmp_path):
    from wfm.roster.checker import check_roster, check_roster_files

    problem, result = week_result
    assert check_roster(problem, result.roster, result.breaks).empty
    result.write(tmp_path)
    assert check_roster_files(problem, tmp_path).empty


def test_infeasible_with_calls_reports_zero_service(tmp_path):
    problem = week_problem(2, with_calls=True)
    bad = RosterProblem(
        start_date=problem.start_date,
        requirements=problem.requirements,
        templates=problem.templates,
        contracts=(contract("ft", min_days_per_week=6, min_consecutive_days_off=2),),
        agents=problem.agents,
        interval_minutes=15,
        service=problem.service,
    )
    result = solve(bad, SolverOptions(time_limit_seconds=5.0, workers=1), compute_bound=False)
    assert result.status == RosterStatus.INFEASIBLE
    busy = result.coverage[result.coverage["calls"] > 0]
    assert (busy["service_level"] == 0).all()
    assert result.summary.service_level is None


def test_summary_is_consistent_with_the_tables(week_result):
    _, result = week_result
    s = result.summary
    assert s.paid_hours == pytest.approx(result.roster["paid_minutes"].sum() / 60)
    assert s.paid_cost == pytest.approx(s.paid_hours)
    gap = result.coverage["gap_scheduled"].to_numpy()
    assert s.understaffing_agent_hours == pytest.approx(np.clip(-gap, 0, None).sum() / 4)
    assert s.overstaffing_agent_hours == pytest.approx(np.clip(gap, 0, None).sum() / 4)
    assert s.shifts == len(result.roster)
    assert s.agents_working == result.roster["agent_id"].nunique()
    assert s.workers == 2 and s.seed == 3
    # the objective is the violations plus the paid cost
    assert result.objective == pytest.approx(
        result.violations["penalty"].sum() + s.paid_cost, abs=1e-6
    )
    under = result.violations[result.violations["rule"] == "understaffing"]["amount"].sum()
    assert under == pytest.approx(s.understaffing_agent_hours)


def test_service_level_comes_from_the_staffing_model(week_result):
    problem, result = week_result
    cov = result.coverage
    assert np.allclose(cov["coverage_on_phone"], cov["coverage_scheduled"] * 0.9)
    busy = cov[cov["calls"] > 0]
    stationary = performance(
        busy["calls"].to_numpy(),
        aht_seconds=busy["aht_seconds"].to_numpy(),
        agents_on_phone=busy["coverage_on_phone"].to_numpy(),
        interval_minutes=15,
        policy=problem.service,
    )
    assert np.allclose(busy["service_level_stationary"], stationary["service_level"])
    open_ = (cov["calls"] > 0).to_numpy()
    transient = performance(
        cov["calls"].to_numpy(),
        aht_seconds=np.where(open_, cov["aht_seconds"].to_numpy(), 1.0),
        agents_on_phone=cov["coverage_on_phone"].to_numpy(),
        interval_minutes=15,
        policy=problem.service,
        method="transient",
    )
    assert np.allclose(busy["service_level"], transient["service_level"].to_numpy()[open_])
    assert cov.loc[cov["calls"] == 0, "service_level_stationary"].isna().all()
    assert cov.loc[cov["calls"] == 0, "service_level"].isna().all()
    assert result.summary.service_level == pytest.approx(
        weekly_service_level(busy["calls"].to_numpy(), busy["service_level"].to_numpy())
    )
    assert result.summary.service_target_level == 0.8


def test_write_produces_the_documented_files(week_result, tmp_path):
    problem, result = week_result
    result.write(tmp_path / "out")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["breaks.csv", "coverage.csv", "roster.csv", "summary.json", "violations.csv"]
    roster = pd.read_csv(tmp_path / "out" / "roster.csv")
    assert list(roster.columns) == list(ROSTER_COLUMNS)
    assert roster["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert roster["start"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").all()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == result.status.value
    assert summary["paid_hours"] == pytest.approx(result.summary.paid_hours)
    assert set(result.summary.to_dict()) <= set(summary)
    coverage = pd.read_csv(tmp_path / "out" / "coverage.csv")
    assert len(coverage) == problem.n_intervals


def test_same_seed_and_deterministic_limit_give_the_same_roster(week_result):
    problem, first = week_result
    again = solve(
        problem,
        SolverOptions(time_limit_seconds=10.0, workers=2, seed=3, max_deterministic_time=0.2),
    )
    pd.testing.assert_frame_equal(first.roster, again.roster)
    pd.testing.assert_frame_equal(first.breaks, again.breaks)
    assert first.objective == again.objective


def test_single_worker_is_deterministic_too():
    problem = week_problem(4)
    runs = [
        solve(
            problem,
            SolverOptions(time_limit_seconds=10.0, workers=1, seed=1, max_deterministic_time=0.2),
            compute_bound=False,
        )
        for _ in range(2)
    ]
    pd.testing.assert_frame_equal(runs[0].roster, runs[1].roster)


def test_progress_events_improve():
    events: list[ProgressEvent] = []
    problem = week_problem(4)
    result = solve(
        problem,
        SolverOptions(time_limit_seconds=2.0, workers=1),
        progress=events.append,
        compute_bound=False,
    )
    assert events
    objectives = [e.objective for e in events]
    assert objectives == sorted(objectives, reverse=True)
    assert objectives[-1] == pytest.approx(result.objective)
    assert [(e.elapsed_seconds, e.objective) for e in events] == list(result.solution_trace)


def test_lower_bound_is_attached_and_below_the_roster(week_result):
    _, result = week_result
    lb = result.lower_bound
    assert lb is not None
    assert result.summary.lower_bound_understaffing_agent_hours == pytest.approx(
        lb.understaffing_agent_hours
    )
    assert lb.understaffing_agent_hours <= result.summary.understaffing_agent_hours + 1e-6


def test_infeasible_result_has_empty_tables_and_conflicts(tmp_path):
    problem = tiny_problem(days=1, contracts=[contract(min_days_per_week=2)])
    result = solve(problem, SolverOptions(time_limit_seconds=5.0, workers=1))
    assert result.status == RosterStatus.INFEASIBLE
    assert result.objective is None and result.roster.empty and result.breaks.empty
    assert list(result.roster.columns) == list(ROSTER_COLUMNS)
    assert result.conflicts
    assert len(result.coverage) == problem.n_intervals
    assert (result.coverage["coverage_scheduled"] == 0).all()
    result.write(tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "INFEASIBLE" and summary["conflicts"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"time_limit_seconds": 0}, "time_limit_seconds"),
        ({"workers": 0}, "workers"),
        ({"seed": -1}, "seed"),
        ({"max_deterministic_time": float("nan")}, "max_deterministic_time"),
    ],
)
def test_bad_arguments_are_named(kwargs, field):
    with pytest.raises(ValidationError) as info:
        solve(tiny_problem(), SolverOptions(**kwargs))
    assert info.value.field == field


def test_soft_terms_can_be_switched_off():
    # with no cost on over-staffing and paid hours, nothing but shortage matters
    problem = tiny_problem(
        days=1,
        required=hour_profile(1, [(0, 8, 16, 1.0)]),
        agent_list=agents(3),
        weights=Weights(overstaffing_per_agent_hour=0.0, paid_hour=0.0),
    )
    result = solve(problem, SolverOptions(time_limit_seconds=5.0, workers=1), compute_bound=False)
    assert result.objective == pytest.approx(0.0)
    assert result.summary.understaffing_agent_hours == 0.0
