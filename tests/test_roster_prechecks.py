"""Pre-solve checks and explanations of infeasible rosters name the right rules."""

from __future__ import annotations

import datetime as dt

import numpy as np
from roster_helpers import (
    agents,
    break_rule,
    contract,
    day,
    late_and_early,
    solve_tiny,
    template,
    tiny_problem,
)

from wfm.roster.prechecks import Conflict, explain_infeasibility, precheck
from wfm.roster.problem import Agent, AvailabilityWindow, Pin, Rule, TimeOff
from wfm.roster.solve import RosterStatus


def rules_of(conflicts):
    return {(c.rule, c.agent_id) for c in conflicts}


def test_feasible_problem_has_no_findings():
    assert precheck(tiny_problem(days=2, agent_list=agents(2))) == []


def test_template_whose_breaks_cannot_fit():
    too_late = break_rule("lunch", window=(300, 360))
    problem = tiny_problem(templates=[template(length_hours=4, breaks=[too_late])])
    conflicts = precheck(problem)
    assert ("template_breaks", None) in rules_of(conflicts)
    assert "day" in conflicts[0].message and "lunch" not in conflicts[0].rule
    result = solve_tiny(problem)
    assert result.status == RosterStatus.INFEASIBLE
    assert result.roster.empty
    assert result.conflicts and result.conflicts[0].rule == "template_breaks"


def test_availability_cannot_reach_the_minimum_hours():
    window = (AvailabilityWindow(weekday=0, start=dt.time(6), end=dt.time(18)),)
    agent = Agent(agent_id="a0", contract="full", availability=window)
    problem = tiny_problem(days=2, agent_list=[agent], contracts=[contract(min_hours_per_week=16)])
    conflicts = precheck(problem)
    assert rules_of(conflicts) == {(Rule.MIN_HOURS.value, "a0")}
    assert "8" in conflicts[0].message and "16" in conflicts[0].message
    result = solve_tiny(problem)
    assert result.status == RosterStatus.INFEASIBLE
    assert rules_of(result.conflicts) == {(Rule.MIN_HOURS.value, "a0")}


def test_soft_rule_is_not_a_precheck_failure():
    window = (AvailabilityWindow(weekday=0, start=dt.time(6), end=dt.time(18)),)
    agent = Agent(agent_id="a0", contract="full", availability=window)
    problem = tiny_problem(
        days=2,
        agent_list=[agent],
        contracts=[contract(min_hours_per_week=16)],
        soft_rules={Rule.MIN_HOURS: 3.0},
    )
    assert precheck(problem) == []
    result = solve_tiny(problem)
    assert result.status == RosterStatus.OPTIMAL
    row = result.violations[result.violations["rule"] == Rule.MIN_HOURS.value]
    assert row[["amount", "penalty"]].to_numpy().tolist() == [[8.0, 24.0]]


def test_min_days_above_the_days_with_any_option():
    agent = Agent(agent_id="a0", contract="full", time_off=(TimeOff.whole_day(day(1)),))
    other = Agent(agent_id="a1", contract="full")
    problem = tiny_problem(
        days=3, agent_list=[agent, other], contracts=[contract(min_days_per_week=3)]
    )
    assert rules_of(precheck(problem)) == {(Rule.MIN_DAYS.value, "a0")}


def test_pin_on_a_day_without_any_allowed_shift():
    agent = Agent(
        agent_id="a0",
        contract="full",
        time_off=(TimeOff.whole_day(day(1)),),
        pins=(Pin(day=day(1)),),
    )
    problem = tiny_problem(days=2, agent_list=[agent])
    conflicts = precheck(problem)
    assert rules_of(conflicts) == {(Rule.PINS.value, "a0")}
    assert str(day(1)) in conflicts[0].message


def test_pins_beyond_the_contract():
    pins = tuple(Pin(day=day(d)) for d in range(3))
    agent = Agent(agent_id="a0", contract="full", pins=pins)
    problem = tiny_problem(
        days=3,
        agent_list=[agent],
        contracts=[contract(max_days_per_week=2, max_consecutive_days=2)],
    )
    conflicts = precheck(problem)
    assert {c.rule for c in conflicts} == {Rule.PINS.value}
    assert len(conflicts) == 2  # too many days and too long a run


def test_days_off_block_that_cannot_fit():
    problem = tiny_problem(days=1, contracts=[contract(min_consecutive_days_off=2)])
    assert rules_of(precheck(problem)) == {(Rule.MIN_CONSECUTIVE_DAYS_OFF.value, "a0")}
    # a day off just before the horizon makes it fit
    agent = Agent(agent_id="a0", contract="full", days_off_before=1)
    problem = tiny_problem(
        days=1, agent_list=[agent], contracts=[contract(min_consecutive_days_off=2)]
    )
    assert precheck(problem) == []


def test_min_days_leave_no_room_for_the_days_off_block():
    problem = tiny_problem(
        days=4, contracts=[contract(min_days_per_week=3, min_consecutive_days_off=2)]
    )
    assert (Rule.MIN_DAYS.value, "a0") in rules_of(precheck(problem))


def test_explanation_names_the_conflicting_day_rules():
    # 3 working days in 4 without two in a row: impossible, but no single check sees it
    problem = tiny_problem(
        days=4,
        agent_list=agents(2),
        contracts=[contract(min_days_per_week=2, max_consecutive_days=1)],
    )
    assert precheck(problem) == []
    assert solve_tiny(problem).status == RosterStatus.OPTIMAL
    bad = Agent(agent_id="bad", contract="tight")
    problem = tiny_problem(
        days=4,
        agent_list=[*agents(2), bad],
        contracts=[
            contract(min_days_per_week=2, max_consecutive_days=1),
            contract("tight", min_days_per_week=3, max_consecutive_days=1),
        ],
    )
    assert precheck(problem) == []
    result = solve_tiny(problem)
    assert result.status == RosterStatus.INFEASIBLE
    assert rules_of(result.conflicts) == {
        (Rule.MIN_DAYS.value, "bad"),
        (Rule.MAX_CONSECUTIVE_DAYS.value, "bad"),
    }
    message = next(c.message for c in result.conflicts if c.rule == Rule.MIN_DAYS.value)
    assert "max_consecutive_days" in message


def test_explanation_names_rest_against_pins():
    templates = late_and_early()
    agent = Agent(
        agent_id="a0",
        contract="full",
        pins=(Pin(day=day(0), template="late"), Pin(day=day(1), template="early")),
    )
    problem = tiny_problem(
        days=2, templates=templates, agent_list=[agent], contracts=[contract(min_rest_hours=11)]
    )
    assert precheck(problem) == []
    conflicts = explain_infeasibility(problem, time_limit_seconds=10.0)
    assert rules_of(conflicts) == {(Rule.MIN_REST.value, "a0"), (Rule.PINS.value, "a0")}
    assert all(isinstance(c, Conflict) for c in conflicts)
    result = solve_tiny(problem)
    assert result.status == RosterStatus.INFEASIBLE
    assert rules_of(result.conflicts) == rules_of(conflicts)
    # soft rest resolves it and reports the breach
    soft = tiny_problem(
        days=2,
        templates=templates,
        agent_list=[agent],
        contracts=[contract(min_rest_hours=11)],
        soft_rules={Rule.MIN_REST: 1.0},
    )
    result = solve_tiny(soft)
    assert result.status == RosterStatus.OPTIMAL
    rest = result.violations[result.violations["rule"] == Rule.MIN_REST.value]
    assert rest["amount"].tolist() == [3.0]


def test_explanation_names_availability_against_min_days_and_hours():
    # availability on Monday only, min 1 day but max 0 weekend... weekend days only
    window = tuple(AvailabilityWindow(weekday=w, start=dt.time(6), end=dt.time(18)) for w in (5, 6))
    agent = Agent(agent_id="a0", contract="full", availability=window)
    saturday = dt.date(2026, 1, 10)
    problem = tiny_problem(
        days=3,
        start_date=saturday,
        agent_list=[agent],
        contracts=[contract(min_days_per_week=1, max_weekend_days=0)],
        required=np.zeros(72),
    )
    assert precheck(problem) == []
    result = solve_tiny(problem)
    assert result.status == RosterStatus.INFEASIBLE
    assert rules_of(result.conflicts) == {
        (Rule.MIN_DAYS.value, "a0"),
        (Rule.MAX_WEEKEND_DAYS.value, "a0"),
        (Rule.AVAILABILITY.value, "a0"),
    }
