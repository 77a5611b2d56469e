"""Tests of the roster lower bound (LP relaxation of shift covering)."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest

from wfm.errors import ValidationError
from wfm.roster.bounds.lp import LowerBound, lower_bound
from wfm.roster.problem import (
    Agent,
    BreakRule,
    Contract,
    Pin,
    RosterProblem,
    Rule,
    ShiftTemplate,
    TimeOff,
)
from wfm.roster.shifts import agent_options, shift_options
from wfm.status import SolveStatus

MONDAY = dt.date(2026, 1, 5)


def requirements(
    profile: dict[tuple[int, int], float], days: int, interval: int = 60
) -> pd.DataFrame:
    """Requirements with ``profile[(day, hour_interval)] = agents``, zero elsewhere."""
    per_day = 1440 // interval
    starts = pd.date_range(pd.Timestamp(MONDAY), periods=days * per_day, freq=f"{interval}min")
    values = np.zeros(len(starts))
    for (day, slot), agents in profile.items():
        values[day * per_day + slot] = agents
    return pd.DataFrame({"interval_start": starts, "required_scheduled": values})


def nine_to_five(day: int, agents: float = 1.0) -> dict[tuple[int, int], float]:
    return {(day, h): agents for h in range(9, 17)}


def problem(
    profile: dict[tuple[int, int], float],
    *,
    days: int = 1,
    agents: int | list[Agent] = 1,
    template: ShiftTemplate | None = None,
    contract: Contract | None = None,
    soft: dict[Rule, float] | None = None,
) -> RosterProblem:
    template = template or ShiftTemplate(
        name="day",
        earliest_start=dt.time(9),
        latest_start=dt.time(9),
        start_step_minutes=60,
        min_length_minutes=480,
        length_step_minutes=60,
    )
    contract = contract or Contract(name="c", max_hours_per_week=100, max_days_per_week=7)
    if isinstance(agents, int):
        agents = [Agent(agent_id=f"a{i}", contract=contract.name) for i in range(agents)]
    return RosterProblem(
        start_date=MONDAY,
        requirements=requirements(profile, days),
        templates=(template,),
        contracts=(contract,),
        agents=tuple(agents),
        days=days,
        interval_minutes=60,
        soft_rules=soft or {},
    )


# -- bounds known by hand -------------------------------------------------------


def test_no_agents_means_all_demand_is_short() -> None:
    lb = lower_bound(problem(nine_to_five(0, 2.0), agents=0))
    assert lb.status == SolveStatus.OPTIMAL
    assert lb.understaffing_agent_hours == pytest.approx(16.0)
    assert lb.paid_hours == pytest.approx(0.0)
    assert lb.method == "lp-relaxation-glop"


def test_one_agent_covers_one_shift() -> None:
    lb = lower_bound(problem(nine_to_five(0), agents=1))
    assert lb.understaffing_agent_hours == pytest.approx(0.0, abs=1e-7)
    assert lb.paid_hours == pytest.approx(8.0)


def test_day_capacity_limits_fractional_cover() -> None:
    # two agents needed, one agent exists: at most one shift on the day
    lb = lower_bound(problem(nine_to_five(0, 2.0), agents=1))
    assert lb.understaffing_agent_hours == pytest.approx(8.0)
    assert lb.paid_hours == pytest.approx(8.0)


def test_fractional_requirement() -> None:
    # 1.5 agents needed, 1 agent: 0.5 short for 8 hours
    lb = lower_bound(problem(nine_to_five(0, 1.5), agents=1))
    assert lb.understaffing_agent_hours == pytest.approx(4.0)


def test_break_inside_demand_is_short() -> None:
    lunch = BreakRule(
        name="lunch",
        duration_minutes=60,
        paid=False,
        earliest_start_after_minutes=180,
        latest_start_after_minutes=300,
    )
    template = ShiftTemplate(
        name="day",
        earliest_start=dt.time(9),
        latest_start=dt.time(9),
        start_step_minutes=60,
        min_length_minutes=480,
        length_step_minutes=60,
        breaks=(lunch,),
    )
    lb = lower_bound(problem(nine_to_five(0), template=template))
    assert lb.understaffing_agent_hours == pytest.approx(1.0)
    assert lb.paid_hours == pytest.approx(7.0)
    # demand only in the morning: the lunch can go where nobody is needed
    morning = {(0, h): 1.0 for h in range(9, 12)}
    lb = lower_bound(problem(morning, template=template))
    assert lb.understaffing_agent_hours == pytest.approx(0.0, abs=1e-7)


def test_breaks_spread_fractionally_over_two_agents() -> None:
    # two agents, two needed 9-17, one 1-hour break each: 2 hours short
    lunch = BreakRule(
        name="lunch",
        duration_minutes=60,
        earliest_start_after_minutes=180,
        latest_start_after_minutes=300,
    )
    template = ShiftTemplate(
        name="day",
        earliest_start=dt.time(9),
        latest_start=dt.time(9),
        start_step_minutes=60,
        min_length_minutes=480,
        length_step_minutes=60,
        breaks=(lunch,),
    )
    lb = lower_bound(problem(nine_to_five(0, 2.0), agents=2, template=template))
    assert lb.understaffing_agent_hours == pytest.approx(2.0)
    assert lb.paid_hours == pytest.approx(16.0)


def test_tail_beyond_horizon_covers_nothing() -> None:
    late = ShiftTemplate(
        name="late",
        earliest_start=dt.time(20),
        latest_start=dt.time(20),
        start_step_minutes=60,
        min_length_minutes=480,
        length_step_minutes=60,
    )
    # demand 20:00-24:00 on the last (only) day; shift 20:00-04:00
    lb = lower_bound(problem({(0, h): 1.0 for h in range(20, 24)}, template=late))
    assert lb.understaffing_agent_hours == pytest.approx(0.0, abs=1e-7)
    assert lb.paid_hours == pytest.approx(8.0)


def test_max_hours_caps_total_paid_time() -> None:
    demand = {**nine_to_five(0), **nine_to_five(1)}
    contract = Contract(name="c", max_hours_per_week=8, max_days_per_week=7)
    lb = lower_bound(problem(demand, days=2, contract=contract))
    assert lb.understaffing_agent_hours == pytest.approx(8.0)
    soft = lower_bound(problem(demand, days=2, contract=contract, soft={Rule.MAX_HOURS: 1.0}))
    assert soft.understaffing_agent_hours == pytest.approx(0.0, abs=1e-7)


def test_max_days_caps_shifts() -> None:
    demand = {k: v for d in range(3) for k, v in nine_to_five(d).items()}
    contract = Contract(name="c", max_hours_per_week=100, max_days_per_week=2)
    lb = lower_bound(problem(demand, days=3, contract=contract))
    assert lb.understaffing_agent_hours == pytest.approx(8.0)


def test_max_consecutive_days_counts_days_worked_before() -> None:
    demand = {k: v for d in range(7) for k, v in nine_to_five(d).items()}
    contract = Contract(
        name="c",
        max_hours_per_week=100,
        max_days_per_week=7,
        max_consecutive_days=6,
        max_weekend_days=2,
    )
    fresh = [Agent(agent_id="a", contract="c")]
    tired = [Agent(agent_id="a", contract="c", consecutive_days_worked_before=6)]
    assert lower_bound(
        problem(demand, days=7, contract=contract, agents=fresh)
    ).understaffing_agent_hours == pytest.approx(8.0)
    # day 0 must be off, then six days in a row are fine
    assert lower_bound(
        problem(demand, days=7, contract=contract, agents=tired)
    ).understaffing_agent_hours == pytest.approx(8.0)
    tired5 = [Agent(agent_id="a", contract="c", consecutive_days_worked_before=3)]
    # 3 before: days 0-2 worked, then one off, then 3 more: 6 of 7 at best
    assert lower_bound(
        problem(demand, days=7, contract=contract, agents=tired5)
    ).understaffing_agent_hours == pytest.approx(8.0)


def test_consecutive_days_off_block() -> None:
    demand = {k: v for d in range(7) for k, v in nine_to_five(d).items()}
    contract = Contract(
        name="c",
        max_hours_per_week=100,
        max_days_per_week=7,
        max_consecutive_days=7,
        min_consecutive_days_off=3,
        max_weekend_days=2,
    )
    lb = lower_bound(problem(demand, days=7, contract=contract))
    assert lb.understaffing_agent_hours == pytest.approx(24.0)
    # two days off before the horizon: one more off day completes the block
    before = [Agent(agent_id="a", contract="c", days_off_before=2)]
    lb = lower_bound(problem(demand, days=7, contract=contract, agents=before))
    assert lb.understaffing_agent_hours == pytest.approx(8.0)


def test_weekend_limit() -> None:
    # 2026-01-10 is a Saturday: days 5 and 6 of the week are the weekend
    demand = {k: v for d in (5, 6) for k, v in nine_to_five(d).items()}
    contract = Contract(name="c", max_hours_per_week=100, max_days_per_week=7, max_weekend_days=1)
    lb = lower_bound(problem(demand, days=7, contract=contract))
    assert lb.understaffing_agent_hours == pytest.approx(8.0)


def test_pins_and_time_off() -> None:
    off = [Agent(agent_id="a", contract="c", pins=(Pin(day=MONDAY, off=True),))]
    assert lower_bound(problem(nine_to_five(0), agents=off)).understaffing_agent_hours == (
        pytest.approx(8.0)
    )
    away = [
        Agent(
            agent_id="a",
            contract="c",
            time_off=(TimeOff(start=dt.datetime(2026, 1, 5, 16), end=dt.datetime(2026, 1, 5, 18)),),
        )
    ]
    assert lower_bound(problem(nine_to_five(0), agents=away)).understaffing_agent_hours == (
        pytest.approx(8.0)
    )
    soft = lower_bound(problem(nine_to_five(0), agents=away, soft={Rule.TIME_OFF: 1.0}))
    assert soft.understaffing_agent_hours == pytest.approx(0.0, abs=1e-7)
    # a pin to work on a day without demand still costs paid hours
    pinned = [Agent(agent_id="a", contract="c", pins=(Pin(day=MONDAY + dt.timedelta(days=1)),))]
    lb = lower_bound(problem(nine_to_five(0), days=2, agents=pinned))
    assert lb.paid_hours == pytest.approx(16.0)


def test_min_hours_raise_paid_bound() -> None:
    contract = Contract(name="c", min_hours_per_week=20, max_hours_per_week=40, max_days_per_week=7)
    lb = lower_bound(problem(nine_to_five(0), days=3, contract=contract))
    assert lb.understaffing_agent_hours == pytest.approx(0.0, abs=1e-7)
    # the relaxation may use 2.5 shifts: exactly the contract minimum
    assert lb.paid_hours == pytest.approx(20.0)


def test_unmeetable_minimums_are_reported_infeasible() -> None:
    contract = Contract(name="c", min_days_per_week=3, max_hours_per_week=100, max_days_per_week=7)
    lb = lower_bound(problem(nine_to_five(0), days=2, contract=contract))
    assert lb.status == SolveStatus.INFEASIBLE
    assert lb.understaffing_agent_hours == 0.0


def test_validation() -> None:
    p = problem(nine_to_five(0))
    with pytest.raises(ValidationError, match="time_limit_seconds"):
        lower_bound(p, time_limit_seconds=0)
    with pytest.raises(ValidationError, match="allowed"):
        lower_bound(p, options=shift_options(p), allowed=[])


def test_precomputed_options_give_the_same_bound() -> None:
    p = problem(nine_to_five(0, 2.0), agents=3)
    options = shift_options(p)
    a = lower_bound(p)
    b = lower_bound(p, options=options, allowed=agent_options(p, options))
    assert a.understaffing_agent_hours == pytest.approx(b.understaffing_agent_hours)
    assert a.paid_hours == pytest.approx(b.paid_hours)
    assert isinstance(a, LowerBound)
    assert set(a.to_dict()) == {
        "understaffing_agent_hours",
        "paid_hours",
        "status",
        "wall_time_seconds",
        "method",
    }


# -- against brute force on tiny rosters ------------------------------------------


def brute_force(p: RosterProblem) -> tuple[float, float]:
    """Least under-staffing, then least paid hours, over every roster.

    Enumerates, for every agent and day, "off" or one allowed option with every
    placement of its breaks, and keeps rosters meeting the contract's hard
    hour and day limits (the rules of these tiny instances).
    """
    options = shift_options(p)
    allowed = agent_options(p, options)
    n = p.n_intervals
    required = p.required_scheduled
    per_agent: list[list[tuple[np.ndarray, float, int]]] = []
    for a_index, agent in enumerate(p.agents):
        contract = p.contract_of(agent)
        choices: list[list[tuple[np.ndarray, float, int]]] = [[] for _ in range(p.days)]
        for a in allowed[a_index]:
            o = options[a.option]
            durations = [
                b.duration_minutes // p.interval_minutes for b in p.templates[o.template].breaks
            ]
            for placement in itertools.product(*o.break_starts):
                cover = np.zeros(n)
                cover[o.start : min(o.end, n)] = 1
                spans = [set(range(s, s + d)) for s, d in zip(placement, durations, strict=True)]
                if any(x & y for x, y in itertools.combinations(spans, 2)):
                    continue
                for span in spans:
                    for t in span:
                        if t < n:
                            cover[t] = 0
                choices[o.day].append((cover, o.paid_minutes / 60.0, 1))
        weeks: list[tuple[np.ndarray, float, int]] = []
        for pick in itertools.product(*[[None, *c] for c in choices]):
            worked = [c for c in pick if c is not None]
            hours = sum(c[1] for c in worked)
            days = len(worked)
            if not (contract.min_hours_per_week <= hours <= contract.max_hours_per_week):
                continue
            if not (contract.min_days_per_week <= days <= contract.max_days_per_week):
                continue
            cover = sum((c[0] for c in worked), np.zeros(n))
            weeks.append((cover, hours, days))
        per_agent.append(weeks)
    best = (np.inf, np.inf)
    for roster in itertools.product(*per_agent):
        cover = sum((w[0] for w in roster), np.zeros(n))
        short = float(np.clip(required - cover, 0, None).sum()) * p.interval_hours
        paid = sum(w[1] for w in roster)
        best = min(best, (round(short, 9), paid))
    return best


@pytest.mark.parametrize("seed", range(8))
def test_bound_never_exceeds_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    template = ShiftTemplate(
        name="t",
        earliest_start=dt.time(8),
        latest_start=dt.time(10),
        start_step_minutes=60,
        min_length_minutes=240,
        max_length_minutes=300,
        length_step_minutes=60,
        breaks=(
            BreakRule(
                name="b",
                duration_minutes=60,
                paid=bool(rng.integers(2)),
                earliest_start_after_minutes=60,
                latest_start_after_minutes=180,
            ),
        ),
    )
    contract = Contract(
        name="c",
        min_hours_per_week=float(rng.integers(0, 4)),
        max_hours_per_week=float(rng.integers(4, 9)),
        max_days_per_week=int(rng.integers(1, 3)),
    )
    days = 2
    profile = {
        (d, h): float(rng.integers(0, 3)) + (0.5 if rng.random() < 0.2 else 0.0)
        for d in range(days)
        for h in range(8, 15)
    }
    p = problem(profile, days=days, agents=2, template=template, contract=contract)
    lb = lower_bound(p)
    assert lb.status == SolveStatus.OPTIMAL
    short, paid = brute_force(p)
    assert lb.understaffing_agent_hours <= short + 1e-6
    if lb.understaffing_agent_hours >= short - 1e-6:
        # same under-staffing: the paid-hours bound applies to the optimum
        assert lb.paid_hours <= paid + 1e-6
    assert lb.paid_hours >= 2 * contract.min_hours_per_week - 1e-9


@pytest.mark.parametrize("seed", range(3))
def test_more_agents_never_raise_the_bound(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    template = ShiftTemplate(
        name="t",
        earliest_start=dt.time(6),
        latest_start=dt.time(14),
        start_step_minutes=60,
        min_length_minutes=240,
        max_length_minutes=480,
        length_step_minutes=120,
        breaks=(
            BreakRule(
                name="b",
                duration_minutes=60,
                earliest_start_after_minutes=120,
                latest_start_after_minutes=240,
            ),
        ),
    )
    contract = Contract(name="c", max_hours_per_week=30, max_days_per_week=4, max_weekend_days=1)
    profile = {(d, h): float(rng.integers(0, 6)) for d in range(7) for h in range(6, 22)}
    previous = np.inf
    for n_agents in (0, 1, 3, 6, 12):
        lb = lower_bound(
            problem(profile, days=7, agents=n_agents, template=template, contract=contract)
        )
        assert lb.status == SolveStatus.OPTIMAL
        assert lb.understaffing_agent_hours <= previous + 1e-6
        previous = lb.understaffing_agent_hours
    assert previous < float(sum(profile.values()))


def test_template_groups_limit_who_can_work_what() -> None:
    # early shifts are needed on both days, but only the part-timer (8 h a week)
    # may work them; the full-timer may only work late shifts
    early = ShiftTemplate(
        name="early",
        earliest_start=dt.time(6),
        latest_start=dt.time(6),
        start_step_minutes=60,
        min_length_minutes=480,
        length_step_minutes=60,
    )
    late = ShiftTemplate(
        name="late",
        earliest_start=dt.time(14),
        latest_start=dt.time(14),
        start_step_minutes=60,
        min_length_minutes=480,
        length_step_minutes=60,
    )
    part = Contract(name="part", max_hours_per_week=8, max_days_per_week=7)
    full = Contract(name="full", max_hours_per_week=100, max_days_per_week=7)
    demand = {(d, h): 1.0 for d in range(2) for h in range(6, 14)}
    p = RosterProblem(
        start_date=MONDAY,
        requirements=requirements(demand, 2),
        templates=(early, late),
        contracts=(part, full),
        agents=(
            Agent(agent_id="p", contract="part"),
            Agent(agent_id="f", contract="full", templates=("late",)),
        ),
        days=2,
        interval_minutes=60,
    )
    lb = lower_bound(p)
    assert lb.understaffing_agent_hours == pytest.approx(8.0)
    assert brute_force(p)[0] == pytest.approx(8.0)


def test_hard_pin_to_an_impossible_day_is_infeasible() -> None:
    # pinned to work Monday, but on time off all Monday: no roster obeys both
    agent = Agent(
        agent_id="a",
        contract="c",
        pins=(Pin(day=MONDAY),),
        time_off=(TimeOff.whole_day(MONDAY),),
    )
    lb = lower_bound(problem(nine_to_five(0), agents=[agent]))
    assert lb.status == SolveStatus.INFEASIBLE
    soft = lower_bound(problem(nine_to_five(0), agents=[agent], soft={Rule.PINS: 1.0}))
    assert soft.status == SolveStatus.OPTIMAL
    assert soft.understaffing_agent_hours == pytest.approx(8.0)


def test_soft_rules_never_raise_the_bound() -> None:
    demand = {k: v for d in range(7) for k, v in nine_to_five(d, 2.0).items()}
    contract = Contract(
        name="c",
        max_hours_per_week=24,
        max_days_per_week=3,
        max_consecutive_days=2,
        min_consecutive_days_off=2,
        max_weekend_days=0,
    )
    hard = lower_bound(problem(demand, days=7, agents=2, contract=contract))
    previous = hard.understaffing_agent_hours
    soft: dict[Rule, float] = {}
    for rule in (Rule.MAX_HOURS, Rule.MAX_DAYS, Rule.MAX_WEEKEND_DAYS, Rule.MAX_CONSECUTIVE_DAYS):
        soft[rule] = 1.0
        lb = lower_bound(problem(demand, days=7, agents=2, contract=contract, soft=dict(soft)))
        assert lb.understaffing_agent_hours <= previous + 1e-6
        previous = lb.understaffing_agent_hours
    assert hard.understaffing_agent_hours == pytest.approx(112.0 - 2 * 24.0)
    assert previous < hard.understaffing_agent_hours
