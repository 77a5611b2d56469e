"""Planning periods of several weeks: per-week limits and rules across week boundaries.

Each rule is checked on a two-week instance of two agents (60-minute grid),
positive and negative, with :class:`rule_verifier.RuleVerifier`: a planted
roster breaking the rule in one week is flagged for that week alone (its
row carries the week's first date), a roster that would break the limit if
it were applied to the whole horizon is kept, the hard rule holds in the
optimum, the soft penalty is the measured breach and both bounds stay below
the optimum.
"""

from __future__ import annotations

import datetime as dt

import pytest
from roster_helpers import (
    MONDAY,
    agents,
    contract,
    day,
    hour_profile,
    late_and_early,
    solve_tiny,
    tiny_problem,
)
from rule_verifier import Planted, RuleVerifier

from wfm.errors import ValidationError
from wfm.roster.checker import check_roster
from wfm.roster.prechecks import precheck
from wfm.roster.problem import Agent, Rule, TimeOff
from wfm.status import SolveStatus

WEEKS = 2
DAYS = 7 * WEEKS


def _needed(on: list[int], agents_needed: float = 2.0) -> object:
    """``agents_needed`` agents required 08:00-16:00 on the days ``on``."""
    return hour_profile(DAYS, [(d, 8, 16, agents_needed) for d in on])


def _shifts(agent_id: str, *days: int, start: str = "08:00", **kwargs: object) -> list[Planted]:
    return [Planted(agent_id, d, start, **kwargs) for d in days]  # type: ignore[arg-type]


def _verify_all(
    rule: Rule,
    problem: object,
    *,
    breaking: list[Planted],
    amount: float,
    dates: set[str],
    keeping: list[Planted],
    penalty: float,
) -> None:
    verifier = RuleVerifier.of(rule)
    flagged = verifier.breached_by(problem, breaking, amount=amount)  # type: ignore[arg-type]
    assert set(flagged["date"]) == dates
    verifier.obeyed_by(problem, keeping)  # type: ignore[arg-type]
    optimum = verifier.hard_solve_obeys(problem)  # type: ignore[arg-type]
    assert optimum.summary.understaffing_agent_hours > 0
    verifier.bounds_are_valid(problem, optimum)  # type: ignore[arg-type]
    verifier.soft_penalty_matches(problem, penalty=penalty)  # type: ignore[arg-type]


def test_weeks_of_the_period_start_on_the_start_day() -> None:
    problem = tiny_problem(days=14, start_date=day(2))
    assert problem.weeks == (range(0, 7), range(7, 14))
    assert [problem.week_of(d) for d in (0, 6, 7, 13)] == [0, 0, 1, 1]
    assert tiny_problem(days=3).weeks == (range(0, 3),)
    assert len(tiny_problem(days=42).weeks) == 6


@pytest.mark.parametrize("days", [0, 8, 13, 43, 49])
def test_a_period_is_one_week_or_whole_weeks(days: int) -> None:
    with pytest.raises(ValidationError) as info:
        tiny_problem(days=days)
    assert info.value.field == "days"


def test_max_hours_per_week_holds_in_each_week() -> None:
    problem = tiny_problem(
        days=DAYS,
        required=_needed([0, 1, 7, 8]),
        contracts=[contract(max_hours_per_week=8)],
        agent_list=agents(2),
    )
    _verify_all(
        Rule.MAX_HOURS,
        problem,
        breaking=[*_shifts("a0", 0, 1), *_shifts("a1", 0, 7)],
        amount=8.0,
        dates={MONDAY.isoformat()},
        # 16 hours in the period, 8 in each week: kept
        keeping=[*_shifts("a0", 0, 7), *_shifts("a1", 1, 8)],
        penalty=2.0,
    )


def test_min_days_per_week_holds_in_each_week() -> None:
    problem = tiny_problem(
        days=DAYS,
        required=_needed([0, 7]),
        contracts=[contract(min_days_per_week=2)],
        agent_list=agents(2),
    )
    verifier = RuleVerifier.of(Rule.MIN_DAYS)
    # four days in the period, but one in the second week
    flagged = verifier.breached_by(
        problem,
        [*_shifts("a0", 0, 1, 2, 7), *_shifts("a1", 0, 1, 7, 8)],
        amount=1.0,
    )
    assert set(flagged["date"]) == {day(7).isoformat()}
    verifier.obeyed_by(problem, [*_shifts("a0", 0, 1, 7, 8), *_shifts("a1", 0, 1, 7, 8)])
    optimum = verifier.hard_solve_obeys(problem)
    verifier.bounds_are_valid(problem, optimum)


def test_max_days_per_week_holds_in_each_week() -> None:
    problem = tiny_problem(
        days=DAYS,
        required=_needed([0, 1, 2, 7, 8, 9]),
        contracts=[contract(max_days_per_week=2)],
        agent_list=agents(2),
    )
    _verify_all(
        Rule.MAX_DAYS,
        problem,
        breaking=[*_shifts("a0", 7, 8, 9), *_shifts("a1", 0, 1)],
        amount=1.0,
        dates={day(7).isoformat()},
        keeping=[*_shifts("a0", 0, 1, 7, 8), *_shifts("a1", 1, 2, 8, 9)],
        penalty=5.0,
    )


def test_max_weekend_days_holds_in_each_week() -> None:
    weekend = [5, 6, 12, 13]
    problem = tiny_problem(
        days=DAYS,
        required=_needed(weekend),
        contracts=[contract(max_weekend_days=1)],
        agent_list=agents(2),
    )
    _verify_all(
        Rule.MAX_WEEKEND_DAYS,
        problem,
        breaking=[*_shifts("a0", 12, 13), *_shifts("a1", 5)],
        amount=1.0,
        dates={day(7).isoformat()},
        keeping=[*_shifts("a0", 5, 12), *_shifts("a1", 6, 13)],
        penalty=5.0,
    )


def test_min_hours_per_week_holds_in_each_week() -> None:
    problem = tiny_problem(
        days=DAYS,
        required=_needed([0, 7]),
        contracts=[contract(min_hours_per_week=16)],
        agent_list=agents(2),
    )
    verifier = RuleVerifier.of(Rule.MIN_HOURS)
    flagged = verifier.breached_by(
        problem, [*_shifts("a0", 0, 1, 2, 7), *_shifts("a1", 0, 1, 7, 8)], amount=8.0
    )
    assert set(flagged["date"]) == {day(7).isoformat()}
    verifier.obeyed_by(problem, [*_shifts("a0", 0, 1, 7, 8), *_shifts("a1", 0, 1, 7, 8)])
    optimum = verifier.hard_solve_obeys(problem)
    verifier.bounds_are_valid(problem, optimum)


def test_days_off_block_may_run_across_the_week_boundary() -> None:
    problem = tiny_problem(
        days=DAYS,
        required=_needed(list(range(DAYS))),
        contracts=[contract(min_consecutive_days_off=2)],
        agent_list=agents(2),
    )
    works = [d for d in range(DAYS) if d not in (6, 7)]
    _verify_all(
        Rule.MIN_CONSECUTIVE_DAYS_OFF,
        problem,
        # Sunday and Monday off: the block ends in the second week, the first has none
        breaking=[*_shifts("a0", *works), *_shifts("a1", 0, 1, 2, 3, 4, 7, 8, 9, 10, 11)],
        amount=2.0,
        dates={MONDAY.isoformat()},
        # Saturday to Monday off: Sat-Sun ends in the first week, Sun-Mon in the second
        keeping=[
            *_shifts("a0", 0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13),
            *_shifts("a1", 0, 1, 2, 3, 4, 7, 8, 9, 10, 11),
        ],
        penalty=1.0,
    )


def test_consecutive_days_run_across_the_week_boundary() -> None:
    problem = tiny_problem(
        days=DAYS,
        required=_needed(list(range(3, 10))),
        contracts=[contract(max_consecutive_days=5)],
        agent_list=agents(2),
    )
    _verify_all(
        Rule.MAX_CONSECUTIVE_DAYS,
        problem,
        breaking=[*_shifts("a0", *range(3, 10)), *_shifts("a1", 3)],
        amount=2.0,
        dates={day(8).isoformat(), day(9).isoformat()},
        keeping=[*_shifts("a0", *range(3, 8)), *_shifts("a1", *range(5, 10))],
        penalty=5.0,
    )


def test_rest_holds_across_the_week_boundary() -> None:
    problem = tiny_problem(
        days=DAYS,
        required=hour_profile(DAYS, [(6, 15, 23, 2.0), (7, 7, 15, 2.0)]),
        templates=late_and_early(),
        contracts=[contract(min_rest_hours=11)],
        agent_list=agents(2),
    )
    _verify_all(
        Rule.MIN_REST,
        problem,
        breaking=[
            Planted("a0", 6, "15:00", template="late"),
            Planted("a0", 7, "07:00", template="early"),
            Planted("a1", 6, "15:00", template="late"),
        ],
        amount=3.0,
        dates={day(7).isoformat()},
        keeping=[
            Planted("a0", 6, "15:00", template="late"),
            Planted("a1", 7, "07:00", template="early"),
        ],
        penalty=1.0,
    )


def test_carried_in_night_shift_and_run_constrain_the_first_days() -> None:
    # a0 ended a night shift at 06:00 on the first day after 5 days in a row
    night = dt.datetime.combine(MONDAY, dt.time(6))
    tired = Agent(
        agent_id="a0",
        contract="full",
        last_shift_end=night,
        consecutive_days_worked_before=5,
    )
    problem = tiny_problem(
        days=DAYS,
        required=_needed([0, 1]),
        templates=[*late_and_early()],
        contracts=[contract(min_rest_hours=11, max_consecutive_days=6)],
        agent_list=[tired, Agent(agent_id="a1", contract="full")],
    )
    result = solve_tiny(problem)
    assert result.status == SolveStatus.OPTIMAL
    found = check_roster(problem, result.roster, result.breaks, include_soft=True)
    assert found.empty, found.to_dict("records")
    mine = result.roster[result.roster["agent_id"] == "a0"]
    starts = {str(s)[:16] for s in mine["start"]}
    # no early start 1 h after the night shift, and not both of the first two days
    assert f"{MONDAY} 07:00" not in starts
    assert len({str(d)[:10] for d in mine["date"]} & {str(day(0)), str(day(1))}) <= 1


def test_precheck_finds_a_week_without_enough_days() -> None:
    away = Agent(
        agent_id="a0",
        contract="full",
        time_off=tuple(TimeOff.whole_day(day(d)) for d in range(8, 14)),
    )
    problem = tiny_problem(
        days=DAYS,
        contracts=[contract(min_days_per_week=2)],
        agent_list=[away, Agent(agent_id="a1", contract="full")],
    )
    conflicts = precheck(problem)
    assert [(c.rule, c.agent_id) for c in conflicts] == [(Rule.MIN_DAYS.value, "a0")]
    assert f"in the week {day(7)}..{day(13)}" in conflicts[0].message
    # one week of the same agent alone is fine: the minimum is per week
    assert precheck(tiny_problem(days=7, contracts=[contract(min_days_per_week=2)])) == []
