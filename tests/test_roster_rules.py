"""Each rule family of the roster model on 1-3 agent instances with known answers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from ortools.sat.python import cp_model
from roster_helpers import (
    MONDAY,
    agents,
    break_rule,
    contract,
    day,
    hour_profile,
    late_and_early,
    solve_tiny,
    template,
    tiny_problem,
)

from wfm.roster.model import OBJECTIVE_SCALE, build_model
from wfm.roster.problem import (
    Agent,
    AvailabilityWindow,
    Pin,
    PreferDayOff,
    PreferStartWindow,
    PreferTemplate,
    Rule,
    TimeOff,
    Weights,
)
from wfm.roster.solve import RosterStatus


def run(problem):
    result = solve_tiny(problem)
    assert result.status == RosterStatus.OPTIMAL, result.conflicts
    return result


def worked_days(result, agent_id="a0"):
    rows = result.roster[result.roster["agent_id"] == agent_id]
    return sorted(rows["date"].tolist())


def starts_of(result, agent_id=None):
    frame = (
        result.roster if agent_id is None else result.roster[result.roster["agent_id"] == agent_id]
    )
    return sorted(pd.to_datetime(frame["start"]).dt.strftime("%Y-%m-%d %H:%M"))


# -- coverage -----------------------------------------------------------------------------
def _two_for_two_hours(**kwargs):
    """Two agents, two one-hour shifts (08:00 or 09:00), two agents needed 08:00-10:00."""
    return tiny_problem(
        days=1,
        required=hour_profile(1, [(0, 8, 10, 2.0)]),
        templates=[template(earliest="08:00", latest="09:00", length_hours=1)],
        agent_list=agents(2),
        **kwargs,
    )


def test_convex_understaffing_spreads_the_shortage():
    # two one-hour shifts for 2 + 2 required: 1 short in each hour (100 + 100) beats
    # 2 short in one hour (100 + 200)
    problem = _two_for_two_hours()
    result = run(problem)
    assert starts_of(result) == ["2026-01-05 08:00", "2026-01-05 09:00"]
    assert result.objective == pytest.approx(200 + 2)
    under = result.violations[result.violations["rule"] == "understaffing"]
    assert under["amount"].sum() == pytest.approx(2.0)
    assert under["penalty"].sum() == pytest.approx(200.0)


def test_linear_understaffing_would_not_care():
    # with a flat growth the two placements cost the same; the objective says so
    problem = _two_for_two_hours(weights=Weights(understaffing_growth=(1.0,)))
    assert run(problem).objective == pytest.approx(200 + 2)


def test_fractional_requirement_is_covered_when_worth_it():
    required = hour_profile(1, [(0, 8, 16, 0.5)])
    problem = tiny_problem(days=1, required=required)
    result = run(problem)
    # working: 8 paid hours + 8 * 0.5 over at 5  = 28 ; not working: 8 * 0.5 * 100 = 400
    assert len(result.roster) == 1
    assert result.objective == pytest.approx(8 + 20)
    cheap = tiny_problem(
        days=1, required=required, weights=Weights(understaffing_per_agent_hour=1.0)
    )
    result = run(cheap)
    assert len(result.roster) == 0
    assert result.objective == pytest.approx(4.0)
    assert result.summary.understaffing_agent_hours == pytest.approx(4.0)


def test_overstaffing_and_paid_hours_keep_idle_agents_home():
    problem = tiny_problem(days=2, agent_list=agents(3))
    result = run(problem)
    assert len(result.roster) == 2
    assert result.summary.paid_hours == pytest.approx(16.0)
    assert result.summary.overstaffing_agent_hours == pytest.approx(0.0)


# -- breaks -------------------------------------------------------------------------------
def test_break_window_at_the_shift_edge():
    # a 4 h shift with a 1 h break starting exactly 3 h in: it ends with the shift
    edge = break_rule(window=(180, 180))
    problem = tiny_problem(
        days=1,
        required=hour_profile(1, [(0, 8, 12, 1.0)]),
        templates=[template(length_hours=4, breaks=[edge])],
    )
    result = run(problem)
    assert result.breaks["start"].dt.strftime("%H:%M").tolist() == ["11:00"]
    assert result.breaks["end"].dt.strftime("%H:%M").tolist() == ["12:00"]
    coverage = result.coverage.set_index(result.coverage["interval_start"].dt.hour)
    assert coverage.loc[11, "coverage_scheduled"] == 0
    assert coverage.loc[10, "coverage_scheduled"] == 1


def test_break_window_clipped_by_the_shift_end():
    # window 2-4 h after the start, but a 1 h break must end by the 4 h shift's end
    rule = break_rule(window=(120, 240))
    # heavy demand at 10:00 and 11:00 pushes the break as late as it may go
    required = hour_profile(1, [(0, 8, 12, 1.0), (0, 10, 11, 3.0)])
    problem = tiny_problem(
        days=1, required=required, templates=[template(length_hours=4, breaks=[rule])]
    )
    result = run(problem)
    assert result.breaks["start"].dt.strftime("%H:%M").tolist() == ["11:00"]


def test_aggregated_breaks_are_matched_inside_their_windows():
    rule = break_rule(window=(60, 120))
    problem = tiny_problem(
        days=1,
        required=hour_profile(1, [(0, 8, 14, 2.0)]),
        templates=[template(earliest="08:00", latest="10:00", length_hours=4, breaks=[rule])],
        agent_list=agents(3),
    )
    rm = build_model(problem)
    assert all(g.agent_index is None for g in rm.break_groups)
    result = run(problem)
    merged = result.breaks.merge(
        result.roster[["agent_id", "start"]], on="agent_id", suffixes=("", "_shift")
    )
    offset = (merged["start"] - merged["start_shift"]) / pd.Timedelta(hours=1)
    assert offset.between(1, 2).all()
    _assert_model_coverage_matches(problem, result)


def test_overlapping_break_windows_never_overlap_in_a_shift():
    rules = [break_rule("b1", window=(60, 180)), break_rule("b2", window=(60, 180))]
    # demand only in hours 1 and 2 of the shift: both breaks would like hour 3
    required = hour_profile(1, [(0, 8, 11, 1.0)])
    problem = tiny_problem(
        days=1, required=required, templates=[template(length_hours=5, breaks=rules)]
    )
    rm = build_model(problem)
    assert all(g.agent_index == 0 for g in rm.break_groups)
    result = run(problem)
    hours = sorted(result.breaks["start"].dt.hour.tolist())
    assert len(hours) == 2 and hours[0] != hours[1]
    assert set(hours) <= {9, 10, 11}


def _assert_model_coverage_matches(problem, result):
    scheduled = result.coverage["coverage_scheduled"].to_numpy()
    starts = result.roster["start"]
    expected = np.zeros(problem.n_intervals, dtype=int)
    for s, e in zip(starts, result.roster["end"], strict=True):
        first = int(
            (s - pd.Timestamp(problem.start_date)) / pd.Timedelta(minutes=problem.interval_minutes)
        )
        last = int(
            (e - pd.Timestamp(problem.start_date)) / pd.Timedelta(minutes=problem.interval_minutes)
        )
        expected[first : min(last, problem.n_intervals)] += 1
    for s, e in zip(result.breaks["start"], result.breaks["end"], strict=True):
        first = int(
            (s - pd.Timestamp(problem.start_date)) / pd.Timedelta(minutes=problem.interval_minutes)
        )
        last = int(
            (e - pd.Timestamp(problem.start_date)) / pd.Timedelta(minutes=problem.interval_minutes)
        )
        expected[first : min(last, problem.n_intervals)] -= 1
    np.testing.assert_array_equal(scheduled, expected)


# -- shifts over midnight and past the horizon ---------------------------------------------
def test_overnight_shift_covers_the_next_morning():
    required = hour_profile(2, [(0, 22, 24, 1.0), (1, 0, 6, 1.0)])
    problem = tiny_problem(
        days=2, required=required, templates=[template(earliest="22:00", length_hours=8)]
    )
    result = run(problem)
    assert worked_days(result) == [day(0)]
    assert result.roster["end"].iloc[0] == pd.Timestamp("2026-01-06 06:00")
    assert result.summary.understaffing_agent_hours == pytest.approx(0.0)
    assert result.summary.hours_beyond_horizon == pytest.approx(0.0)


def test_shift_crossing_the_end_of_the_horizon_counts_only_inside():
    required = hour_profile(1, [(0, 22, 24, 1.0)])
    problem = tiny_problem(
        days=1, required=required, templates=[template(earliest="22:00", length_hours=8)]
    )
    result = run(problem)
    assert len(result.roster) == 1
    assert result.summary.hours_beyond_horizon == pytest.approx(6.0)
    assert len(result.coverage) == 24
    assert result.coverage["coverage_scheduled"].sum() == 2
    # 8 paid hours, 2 covered; no over-staffing is charged for the tail
    assert result.objective == pytest.approx(8.0)


def test_late_shift_counts_against_the_next_day_rest():
    # late shift day 0 ends 23:00, early shift day 1 starts 07:00: 8 h of rest
    templates = late_and_early()
    required = hour_profile(2, [(0, 15, 23, 1.0), (1, 7, 15, 1.0)])
    strict = tiny_problem(
        days=2, required=required, templates=templates, contracts=[contract(min_rest_hours=11)]
    )
    result = run(strict)
    assert len(result.roster) == 1
    assert result.summary.understaffing_agent_hours == pytest.approx(8.0)
    loose = tiny_problem(
        days=2, required=required, templates=templates, contracts=[contract(min_rest_hours=8)]
    )
    assert len(run(loose).roster) == 2


def test_soft_rest_reports_the_missing_hours():
    templates = late_and_early()
    required = hour_profile(2, [(0, 15, 23, 1.0), (1, 7, 15, 1.0)])
    problem = tiny_problem(
        days=2,
        required=required,
        templates=templates,
        contracts=[contract(min_rest_hours=11)],
        soft_rules={Rule.MIN_REST: 10.0},
    )
    result = run(problem)
    assert len(result.roster) == 2
    rest = result.violations[result.violations["rule"] == "min_rest"]
    assert rest["amount"].tolist() == [pytest.approx(3.0)]
    assert rest["penalty"].tolist() == [pytest.approx(30.0)]
    assert rest["date"].tolist() == [day(1).isoformat()]


def test_rest_after_the_last_shift_before_the_horizon():
    required = hour_profile(2, [(0, 7, 15, 1.0), (1, 7, 15, 1.0)])
    tired = Agent(agent_id="a0", contract="full", last_shift_end=dt.datetime(2026, 1, 4, 23, 0))
    problem = tiny_problem(
        days=2,
        required=required,
        templates=[template(earliest="07:00")],
        contracts=[contract(min_rest_hours=11)],
        agent_list=[tired],
    )
    assert worked_days(run(problem)) == [day(1)]


def test_rest_family_alone_forbids_the_close_pair():
    templates = late_and_early()
    problem = tiny_problem(days=2, templates=templates, contracts=[contract(min_rest_hours=11)])
    rm = build_model(problem, families=["rest"])
    late = next(o for o in rm.x[0] if rm.options[o].day == 0 and rm.options[o].template == 0)
    early = next(o for o in rm.x[0] if rm.options[o].day == 1 and rm.options[o].template == 1)
    rm.model.add(rm.x[0][late] == 1)
    rm.model.add(rm.x[0][early] == 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(rm.model) == cp_model.INFEASIBLE
    # the other order (early day 0, late day 1) is fine
    rm = build_model(problem, families=["rest"])
    early0 = next(o for o in rm.x[0] if rm.options[o].day == 0 and rm.options[o].template == 1)
    late1 = next(o for o in rm.x[0] if rm.options[o].day == 1 and rm.options[o].template == 0)
    rm.model.add(rm.x[0][early0] == 1)
    rm.model.add(rm.x[0][late1] == 1)
    assert solver.solve(rm.model) == cp_model.OPTIMAL


# -- hours and days ----------------------------------------------------------------------
def test_min_hours_forces_an_unneeded_shift():
    required = hour_profile(2, [(0, 8, 16, 1.0)])
    problem = tiny_problem(days=2, required=required, contracts=[contract(min_hours_per_week=16)])
    assert worked_days(run(problem)) == [day(0), day(1)]


def test_max_hours_caps_the_week_and_soft_max_hours_reports_the_excess():
    problem = tiny_problem(days=2, contracts=[contract(max_hours_per_week=8)])
    result = run(problem)
    assert len(result.roster) == 1
    soft = tiny_problem(
        days=2, contracts=[contract(max_hours_per_week=8)], soft_rules={Rule.MAX_HOURS: 2.0}
    )
    result = run(soft)
    assert len(result.roster) == 2
    row = result.violations[result.violations["rule"] == "max_hours_per_week"]
    assert row[["amount", "penalty"]].to_numpy().tolist() == [[8.0, 16.0]]
    assert row["agent_id"].tolist() == ["a0"]


def test_min_and_max_days():
    required = hour_profile(3, [(0, 8, 16, 1.0)])
    problem = tiny_problem(days=3, required=required, contracts=[contract(min_days_per_week=2)])
    assert len(run(problem).roster) == 2
    busy = tiny_problem(days=3, contracts=[contract(max_days_per_week=2)])
    assert len(run(busy).roster) == 2


def test_soft_min_days_costs_per_missing_day():
    required = np.zeros(3 * 24)
    problem = tiny_problem(
        days=3,
        required=required,
        contracts=[contract(min_days_per_week=3)],
        soft_rules={Rule.MIN_DAYS: 5.0},
    )
    result = run(problem)
    # a shift costs 8 paid hours, a missing day 5: better to miss all three
    assert len(result.roster) == 0
    row = result.violations[result.violations["rule"] == "min_days_per_week"]
    assert row[["amount", "penalty"]].to_numpy().tolist() == [[3.0, 15.0]]


# -- consecutive days and days off ----------------------------------------------------------
@pytest.mark.parametrize(("before", "count"), [(0, 3), (3, 3), (4, 2), (5, 2), (6, 2), (7, 2)])
def test_consecutive_days_across_the_week_boundary(before, count):
    problem = tiny_problem(
        days=3,
        contracts=[contract(max_consecutive_days=6)],
        agent_list=[Agent(agent_id="a0", contract="full", consecutive_days_worked_before=before)],
    )
    worked = {(d - MONDAY).days for d in worked_days(run(problem))}
    assert len(worked) == count
    run_length = before
    for d in range(3):
        run_length = run_length + 1 if d in worked else 0
        assert run_length <= 6
    if before >= 6:
        assert 0 not in worked


def test_two_days_off_together():
    problem = tiny_problem(days=4, contracts=[contract(min_consecutive_days_off=2)])
    days = worked_days(run(problem))
    off = sorted(set(day(d) for d in range(4)) - set(days))
    assert len(days) == 2
    assert (off[1] - off[0]).days == 1


def test_days_off_block_may_start_before_the_horizon():
    problem = tiny_problem(
        days=4,
        contracts=[contract(min_consecutive_days_off=2)],
        agent_list=[Agent(agent_id="a0", contract="full", days_off_before=1)],
    )
    assert worked_days(run(problem)) == [day(1), day(2), day(3)]


def test_weekend_days_limit():
    # Monday start, 7 days: demand every day, at most one weekend day
    problem = tiny_problem(days=7, contracts=[contract(max_weekend_days=1)])
    days = worked_days(run(problem))
    assert len(days) == 6
    assert sum(d.weekday() >= 5 for d in days) == 1


def test_weekend_days_follow_the_problem_weekend():
    problem = tiny_problem(days=7, contracts=[contract(max_weekend_days=0)], weekend_days={4})
    days = worked_days(run(problem))
    assert [d.weekday() for d in days] == [0, 1, 2, 3, 5, 6]


# -- availability, time off, pins ---------------------------------------------------------
def test_availability_limits_the_days_and_soft_availability_is_priced():
    window = (AvailabilityWindow(weekday=0, start=dt.time(6), end=dt.time(18)),)
    agent = Agent(agent_id="a0", contract="full", availability=window)
    problem = tiny_problem(days=2, agent_list=[agent])
    assert worked_days(run(problem)) == [day(0)]
    soft = tiny_problem(days=2, agent_list=[agent], soft_rules={Rule.AVAILABILITY: 50.0})
    result = run(soft)
    assert worked_days(result) == [day(0), day(1)]
    row = result.violations[result.violations["rule"] == "availability"]
    assert row[["date", "amount", "penalty"]].to_numpy().tolist() == [
        [day(1).isoformat(), 1.0, 50.0]
    ]


def test_availability_window_over_midnight():
    window = (AvailabilityWindow(weekday=0, start=dt.time(20), end=dt.time(7)),)
    agent = Agent(agent_id="a0", contract="full", availability=window)
    required = hour_profile(2, [(0, 22, 24, 1.0), (1, 0, 6, 1.0)])
    problem = tiny_problem(
        days=2, required=required, agent_list=[agent], templates=[template(earliest="22:00")]
    )
    assert worked_days(run(problem)) == [day(0)]


def test_time_off_blocks_overlapping_shifts():
    agent = Agent(agent_id="a0", contract="full", time_off=(TimeOff.whole_day(day(1)),))
    problem = tiny_problem(days=2, agent_list=[agent])
    assert worked_days(run(problem)) == [day(0)]


def test_pins_fix_days_off_and_shifts():
    agent = Agent(
        agent_id="a0",
        contract="full",
        pins=(Pin(day=day(0), off=True), Pin(day=day(2), template="late")),
    )
    required = hour_profile(3, [(0, 8, 16, 1.0), (1, 8, 16, 1.0)])
    problem = tiny_problem(
        days=3,
        required=required,
        agent_list=[agent],
        templates=[template("day"), template("late", earliest="14:00")],
    )
    result = run(problem)
    assert worked_days(result) == [day(1), day(2)]
    assert result.roster["template"].tolist() == ["day", "late"]


# -- soft wishes ----------------------------------------------------------------------------
def _idle(days=2, **kwargs):
    return tiny_problem(
        days=days,
        required=np.zeros(days * 24),
        contracts=[contract(min_days_per_week=1, max_days_per_week=1)],
        **kwargs,
    )


def test_preferred_day_off():
    agent = Agent(agent_id="a0", contract="full", preferences=(PreferDayOff(day=day(0), weight=3),))
    assert worked_days(run(_idle(agent_list=[agent]))) == [day(1)]


def test_preferred_template_and_start_window():
    templates = [
        template("early", earliest="06:00"),
        template("mid", earliest="09:00", latest="11:00"),
    ]
    agent = Agent(
        agent_id="a0", contract="full", preferences=(PreferTemplate(template="mid", weight=2),)
    )
    result = run(_idle(days=1, agent_list=[agent], templates=templates))
    assert result.roster["template"].tolist() == ["mid"]
    agent = Agent(
        agent_id="a0",
        contract="full",
        preferences=(PreferStartWindow(earliest=dt.time(10), latest=dt.time(10, 30), weight=2),),
    )
    result = run(_idle(days=1, agent_list=[agent], templates=templates))
    assert starts_of(result) == ["2026-01-05 10:00"]
    # 8 paid hours and 8 agent-hours over at 5; the wish is met
    assert result.objective == pytest.approx(8.0 + 40.0)


def test_broken_preference_is_reported():
    agent = Agent(agent_id="a0", contract="full", preferences=(PreferDayOff(day=day(0), weight=3),))
    problem = tiny_problem(days=1, agent_list=[agent])
    result = run(problem)
    row = result.violations[result.violations["rule"] == "preference"]
    assert row[["agent_id", "date", "amount", "penalty"]].to_numpy().tolist() == [
        ["a0", day(0).isoformat(), 1.0, 3.0]
    ]


# -- fairness -----------------------------------------------------------------------------
def test_weekend_fairness_shares_the_weekend():
    saturday = dt.date(2026, 1, 10)
    problem = tiny_problem(
        days=2,
        start_date=saturday,
        agent_list=agents(2),
        contracts=[contract(max_weekend_days=2)],
        weights=Weights(fairness_weekend=10.0, fairness_late=0.0),
    )
    result = run(problem)
    assert sorted(result.roster["agent_id"].value_counts().tolist()) == [1, 1]
    assert result.objective == pytest.approx(16.0)


def test_late_fairness_shares_the_late_shifts():
    templates = [template("late", earliest="14:00"), template("early", earliest="06:00")]
    required = hour_profile(
        2, [(0, 14, 22, 1.0), (1, 14, 22, 1.0), (0, 6, 14, 1.0), (1, 6, 14, 1.0)]
    )
    problem = tiny_problem(
        days=2,
        required=required,
        templates=templates,
        agent_list=agents(2),
        weights=Weights(fairness_weekend=0.0, fairness_late=10.0),
    )
    result = run(problem)
    late = result.roster[result.roster["template"] == "late"]
    assert sorted(late["agent_id"].value_counts().tolist()) == [1, 1]
    assert result.violations[result.violations["rule"] == "fairness_late"].empty


def test_objective_scale_is_exact_for_whole_weights():
    problem = tiny_problem(days=1)
    rm = build_model(problem)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(rm.model) == cp_model.OPTIMAL
    assert solver.objective_value == 8 * OBJECTIVE_SCALE
