"""Tests of the per-agent (column generation) lower bound on under-staffing.

The truth is a brute-force enumeration written here from the problem objects
alone: every week of every agent that obeys the hard rules, every combination
of those weeks, the least under-staffing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import numpy as np
import pytest

from wfm.errors import ValidationError
from wfm.roster.bounds.class_flow import ClassFlowBound, class_flow_bound
from wfm.roster.bounds.classes import agent_classes
from wfm.roster.bounds.column_generation import ColumnGenerationBound, column_generation_bound
from wfm.roster.bounds.lp import LowerBound, lower_bound
from wfm.roster.options import SolverOptions
from wfm.roster.problem import (
    Agent,
    BreakRule,
    Contract,
    PreferDayOff,
    RosterProblem,
    Rule,
    ShiftTemplate,
    TimeOff,
)
from wfm.roster.search.flow_start import class_flow_roster
from wfm.roster.shifts import agent_options, shift_options
from wfm.status import SolveStatus

MONDAY = dt.date(2026, 1, 5)


def _requirements(values: np.ndarray) -> object:
    import pandas as pd

    starts = pd.date_range(pd.Timestamp(MONDAY), periods=len(values), freq="60min")
    return pd.DataFrame({"interval_start": starts, "required_scheduled": values})


def make_problem(
    required: np.ndarray,
    *,
    days: int,
    templates: tuple[ShiftTemplate, ...],
    contracts: tuple[Contract, ...],
    agents: tuple[Agent, ...],
    soft: dict[Rule, float] | None = None,
    start_date: dt.date = MONDAY,
) -> RosterProblem:
    return RosterProblem(
        start_date=start_date,
        requirements=_requirements(required),
        templates=templates,
        contracts=contracts,
        agents=agents,
        days=days,
        interval_minutes=60,
        soft_rules=soft or {},
    )


# -- brute force -----------------------------------------------------------------


def _day_shifts(
    problem: RosterProblem, day: int, agent: Agent
) -> list[tuple[int, int, float, np.ndarray]]:
    """(start, end, paid hours, coverage) of every shift of ``day``, one per break spot."""
    n = problem.n_intervals
    out = []
    weekday = problem.weekday_of(day)
    for t in problem.templates:
        if agent.templates is not None and t.name not in agent.templates:
            continue
        if weekday not in t.weekdays:
            continue
        top = t.max_length_minutes or t.min_length_minutes
        for length_min in range(t.min_length_minutes, top + 1, t.length_step_minutes):
            length = length_min // 60
            spots = [
                [
                    (k, b.duration_minutes // 60)
                    for k in range(
                        b.earliest_start_after_minutes // 60, b.latest_start_after_minutes // 60 + 1
                    )
                    if k + b.duration_minutes // 60 <= length
                ]
                for b in t.breaks
            ]
            if any(not s for s in spots):
                continue
            paid = (length_min - sum(b.duration_minutes for b in t.breaks if not b.paid)) / 60
            first = t.earliest_start.hour
            for h in range(first, t.latest_start.hour + 1, t.start_step_minutes // 60):
                start = 24 * day + h
                end = start + length
                begin = dt.datetime.combine(MONDAY, dt.time()) + dt.timedelta(hours=start)
                finish = begin + dt.timedelta(hours=length)
                if any(o.start < finish and begin < o.end for o in agent.time_off):
                    continue
                for placed in itertools.product(*spots):
                    cover = np.zeros(n)
                    cover[start : min(end, n)] = 1.0
                    for k, d in placed:
                        cover[start + k : min(start + k + d, n)] -= 1.0
                    out.append((start, end, paid, cover))
    return out


def _weeks(problem: RosterProblem, agent: Agent) -> np.ndarray:
    """Coverage of every week of ``agent`` obeying the hard rules (one row each)."""
    c = problem.contract_of(agent)
    hard = {r for r in Rule if not problem.is_soft(r)}
    weekend = [d for d in range(problem.days) if problem.weekday_of(d) in problem.weekend_days]
    per_day = [[None, *_day_shifts(problem, d, agent)] for d in range(problem.days)]
    rows = []
    for plan in itertools.product(*per_day):
        worked = [s is not None for s in plan]
        shifts = [s for s in plan if s is not None]
        paid = sum(s[2] for s in shifts)
        days = sum(worked)
        checks = {
            Rule.MIN_HOURS: paid >= c.min_hours_per_week,
            Rule.MAX_HOURS: paid <= c.max_hours_per_week,
            Rule.MIN_DAYS: days >= c.min_days_per_week,
            Rule.MAX_DAYS: days <= c.max_days_per_week,
            Rule.MAX_WEEKEND_DAYS: sum(worked[d] for d in weekend) <= c.max_weekend_days,
        }
        run = agent.consecutive_days_worked_before
        longest = 0
        for w in worked:
            run = run + 1 if w else 0
            longest = max(longest, run)
        checks[Rule.MAX_CONSECUTIVE_DAYS] = longest <= c.max_consecutive_days
        k = c.min_consecutive_days_off
        if k > 1:
            first = -min(agent.days_off_before, k - 1)
            checks[Rule.MIN_CONSECUTIVE_DAYS_OFF] = any(
                not any(worked[d] for d in range(max(s, 0), s + k))
                for s in range(first, problem.days - k + 1)
            )
        previous = None
        if agent.last_shift_end is not None:
            origin = dt.datetime.combine(MONDAY, dt.time())
            previous = (agent.last_shift_end - origin).total_seconds() / 3600
        rested = True
        for s in shifts:
            if previous is not None and s[0] - previous < c.min_rest_hours:
                rested = False
            previous = s[1]
        checks[Rule.MIN_REST] = rested
        if all(ok for rule, ok in checks.items() if rule in hard):
            rows.append(sum((s[3] for s in shifts), np.zeros(problem.n_intervals)))
    return np.unique(np.array(rows).reshape(-1, problem.n_intervals), axis=0)


def brute_force_understaffing(problem: RosterProblem) -> float:
    """Least agent-hours short over all rosters obeying the hard rules (inf if none)."""
    total = np.zeros((1, problem.n_intervals))
    for agent in problem.agents:
        weeks = _weeks(problem, agent)
        if len(weeks) == 0:
            return float("inf")
        total = np.unique(
            (total[:, None, :] + weeks[None, :, :]).reshape(-1, total.shape[1]), axis=0
        )
    short = np.clip(problem.required_scheduled[None, :] - total, 0.0, None).sum(axis=1)
    return float(short.min()) * problem.interval_hours


def random_problem(seed: int) -> RosterProblem:
    rng = np.random.default_rng(seed)
    days = int(rng.integers(2, 4))
    n_agents = int(rng.integers(2, 4)) if days == 2 else 2
    breaks: tuple[BreakRule, ...] = ()
    if rng.random() < 0.5:
        breaks = (
            BreakRule(
                name="b",
                duration_minutes=60,
                paid=bool(rng.random() < 0.5),
                earliest_start_after_minutes=60,
                latest_start_after_minutes=120,
            ),
        )
    first = int(rng.integers(6, 14))
    template = ShiftTemplate(
        name="t",
        earliest_start=dt.time(first),
        latest_start=dt.time(first + int(rng.integers(0, 2)) * 2),
        start_step_minutes=120,
        min_length_minutes=180,
        max_length_minutes=240 if rng.random() < 0.5 else None,
        length_step_minutes=60,
        breaks=breaks,
    )
    contract = Contract(
        name="c",
        min_hours_per_week=float(rng.choice([0, 0, 3])),
        max_hours_per_week=float(rng.choice([4, 8, 40])),
        min_days_per_week=int(rng.choice([0, 1])),
        max_days_per_week=int(rng.choice([1, 2, 3])),
        max_consecutive_days=int(rng.choice([1, 2, 6])),
        min_consecutive_days_off=int(rng.choice([0, 0, 2])),
        min_rest_hours=float(rng.choice([0, 12, 20])),
        max_weekend_days=int(rng.choice([0, 1, 2])),
    )
    agents = []
    for i in range(n_agents):
        before = int(rng.choice([0, 0, 1, 5]))
        last = None
        if rng.random() < 0.3:
            last = dt.datetime.combine(MONDAY, dt.time()) - dt.timedelta(
                hours=int(rng.integers(1, 8))
            )
        time_off: tuple[TimeOff, ...] = ()
        if rng.random() < 0.2:
            day = MONDAY + dt.timedelta(days=int(rng.integers(0, days)))
            time_off = (TimeOff.whole_day(day),)
        agents.append(
            Agent(
                agent_id=f"a{i}",
                contract="c",
                consecutive_days_worked_before=before,
                days_off_before=0 if before else int(rng.choice([0, 1])),
                last_shift_end=last,
                time_off=time_off,
                preferences=(PreferDayOff(day=MONDAY, weight=3.0),) if i == 0 else (),
            )
        )
    required = rng.choice([0.0, 0.0, 1.0, 1.0, 2.0, 3.0], size=days * 24)
    required[: 24 * days : 24] = 0.0
    soft: dict[Rule, float] = {}
    if rng.random() < 0.3:
        soft[[Rule.MAX_DAYS, Rule.MIN_REST, Rule.MAX_HOURS][int(rng.integers(0, 3))]] = 5.0
    return make_problem(
        required,
        days=days,
        templates=(template,),
        contracts=(contract,),
        agents=tuple(agents),
        soft=soft,
    )


# -- tests -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(24))
def test_bound_between_lp_bound_and_brute_force_optimum(seed: int) -> None:
    problem = random_problem(seed)
    truth = brute_force_understaffing(problem)
    result = column_generation_bound(problem, time_limit_seconds=30.0)
    if not np.isfinite(truth):
        # some agent has no week at all, or the agents cannot all have one
        assert result.status == SolveStatus.INFEASIBLE
        return
    assert result.status == SolveStatus.OPTIMAL
    assert result.understaffing_agent_hours <= truth + 1e-6
    lp = lower_bound(problem)
    assert lp.status == SolveStatus.OPTIMAL
    assert result.understaffing_agent_hours >= lp.understaffing_agent_hours - 1e-4
    assert result.master_lp_agent_hours == pytest.approx(result.understaffing_agent_hours, abs=1e-4)


@pytest.mark.parametrize("seed", range(6))
def test_bound_is_valid_when_stopped_early(seed: int) -> None:
    problem = random_problem(100 + seed)
    truth = brute_force_understaffing(problem)
    if not np.isfinite(truth):
        stopped = column_generation_bound(problem, max_iterations=1)
        assert stopped.status == SolveStatus.INFEASIBLE
        return
    full = column_generation_bound(problem, time_limit_seconds=30.0)
    for iterations in (1, 2):
        early = column_generation_bound(problem, time_limit_seconds=30.0, max_iterations=iterations)
        assert early.understaffing_agent_hours <= truth + 1e-6
        assert early.understaffing_agent_hours <= full.understaffing_agent_hours + 1e-6
        assert early.iterations <= iterations
        if early.status != SolveStatus.OPTIMAL:
            assert early.status == SolveStatus.FEASIBLE
            assert early.master_lp_agent_hours >= early.understaffing_agent_hours - 1e-9


def test_random_instances_are_not_trivial() -> None:
    # the generator must give bounds that are positive and sometimes above the LP bound
    stronger = 0
    positive = 0
    for seed in range(24):
        problem = random_problem(seed)
        result = column_generation_bound(problem, time_limit_seconds=30.0)
        lp = lower_bound(problem)
        positive += result.understaffing_agent_hours > 1e-6
        stronger += result.understaffing_agent_hours > lp.understaffing_agent_hours + 1e-3
    assert positive >= 12
    assert stronger >= 2


def _one_template(earliest: int, latest: int, hours: int = 8) -> ShiftTemplate:
    return ShiftTemplate(
        name="t",
        earliest_start=dt.time(earliest),
        latest_start=dt.time(latest),
        start_step_minutes=60,
        min_length_minutes=hours * 60,
        length_step_minutes=60,
    )


def _rest_problem() -> RosterProblem:
    """One agent, 12 h of rest, demand late on day 0 and early on day 1 (8 h each)."""
    required = np.zeros(48)
    required[16:24] = 1.0
    required[24:32] = 1.0
    contract = Contract(name="c", max_hours_per_week=100, max_days_per_week=7, min_rest_hours=12)
    return make_problem(
        required,
        days=2,
        templates=(_one_template(0, 16),),
        contracts=(contract,),
        agents=(Agent(agent_id="a", contract="c"),),
    )


def test_rest_between_days_is_per_agent() -> None:
    # one agent, late shift on day 0 and early shift on day 1 needed: 12 h of rest
    # allow only one of them; the identity-free bound lets the agent work both
    problem = _rest_problem()
    assert lower_bound(problem).understaffing_agent_hours == pytest.approx(0.0, abs=1e-7)
    result = column_generation_bound(problem, time_limit_seconds=30.0)
    assert result.status == SolveStatus.OPTIMAL
    assert result.understaffing_agent_hours == pytest.approx(8.0, abs=1e-4)
    assert brute_force_understaffing(problem) == pytest.approx(8.0)
    soft = column_generation_bound(
        replace(problem, soft_rules={Rule.MIN_REST: 1.0}), time_limit_seconds=30.0
    )
    # a soft rule never constrains the bound
    assert soft.understaffing_agent_hours == pytest.approx(0.0, abs=1e-4)


def test_interchangeable_agents_form_one_class() -> None:
    contract = Contract(name="c", max_hours_per_week=40, max_days_per_week=5)
    off = (TimeOff.whole_day(MONDAY),)
    agents = (
        Agent(agent_id="a", contract="c"),
        Agent(agent_id="b", contract="c", preferences=(PreferDayOff(day=MONDAY),)),
        Agent(agent_id="c", contract="c", time_off=off),
        Agent(agent_id="d", contract="c", cost_per_hour=3.0),
        Agent(agent_id="e", contract="c", consecutive_days_worked_before=2),
    )
    required = np.zeros(48)
    required[8:16] = 5.0
    required[32:40] = 5.0
    problem = make_problem(
        required,
        days=2,
        templates=(_one_template(8, 8),),
        contracts=(contract,),
        agents=agents,
    )
    assert agent_classes(problem) == [[0, 1, 3], [2], [4]]
    result = column_generation_bound(problem, time_limit_seconds=30.0)
    assert result.agent_classes == 3
    # five agents needed 08-16 on both days; agent c is off on Monday
    assert result.understaffing_agent_hours == pytest.approx(8.0, abs=1e-4)
    assert brute_force_understaffing(problem) == pytest.approx(8.0)


def test_infeasible_minimums_give_the_trivial_bound() -> None:
    contract = Contract(name="c", min_days_per_week=3, max_hours_per_week=100, max_days_per_week=7)
    problem = make_problem(
        np.ones(48),
        days=2,
        templates=(_one_template(8, 8),),
        contracts=(contract,),
        agents=(Agent(agent_id="a", contract="c"),),
    )
    result = column_generation_bound(problem, time_limit_seconds=30.0)
    assert result.status == SolveStatus.INFEASIBLE
    assert result.understaffing_agent_hours == 0.0


def test_no_requirement_means_zero() -> None:
    contract = Contract(name="c")
    problem = make_problem(
        np.zeros(24),
        days=1,
        templates=(_one_template(8, 8),),
        contracts=(contract,),
        agents=(Agent(agent_id="a", contract="c"),),
    )
    result = column_generation_bound(problem)
    assert result.status == SolveStatus.OPTIMAL
    assert result.understaffing_agent_hours == 0.0


def test_result_layout_and_conversion() -> None:
    contract = Contract(name="c", min_hours_per_week=8, max_hours_per_week=40, max_days_per_week=5)
    problem = make_problem(
        np.r_[np.zeros(8), np.full(8, 2.0), np.zeros(8)],
        days=1,
        templates=(_one_template(8, 8),),
        contracts=(contract,),
        agents=(Agent(agent_id="a", contract="c"),),
    )
    options = shift_options(problem)
    result = column_generation_bound(
        problem, options=options, allowed=agent_options(problem, options)
    )
    assert isinstance(result, ColumnGenerationBound)
    assert result.understaffing_agent_hours == pytest.approx(8.0, abs=1e-4)
    assert result.gap_agent_hours == pytest.approx(0.0, abs=1e-4)
    assert set(result.to_dict()) == {
        "understaffing_agent_hours",
        "master_lp_agent_hours",
        "status",
        "iterations",
        "columns",
        "agent_classes",
        "wall_time_seconds",
        "method",
    }
    lower = result.to_lower_bound(problem)
    assert isinstance(lower, LowerBound)
    assert lower.understaffing_agent_hours == result.understaffing_agent_hours
    assert lower.paid_hours == pytest.approx(8.0)
    assert lower.method == "column-generation-lagrangian"


def test_validation() -> None:
    contract = Contract(name="c")
    problem = make_problem(
        np.zeros(24),
        days=1,
        templates=(_one_template(8, 8),),
        contracts=(contract,),
        agents=(Agent(agent_id="a", contract="c"),),
    )
    with pytest.raises(ValidationError, match="time_limit_seconds"):
        column_generation_bound(problem, time_limit_seconds=0)
    with pytest.raises(ValidationError, match="time_limit_seconds"):
        column_generation_bound(problem, time_limit_seconds=float("nan"))
    with pytest.raises(ValidationError, match="max_iterations"):
        column_generation_bound(problem, max_iterations=0)
    with pytest.raises(ValidationError, match="seed"):
        column_generation_bound(problem, seed=-1)
    with pytest.raises(ValidationError, match="allowed"):
        column_generation_bound(problem, options=shift_options(problem), allowed=[])
    with pytest.raises(ValidationError, match="options"):
        column_generation_bound(problem, allowed=[[]])


# -- the class-flow model ---------------------------------------------------------


@pytest.mark.parametrize("seed", range(24))
def test_class_flow_integer_optimum_equals_brute_force(seed: int) -> None:
    # one break per shift: the integer model is exact
    problem = random_problem(seed)
    truth = brute_force_understaffing(problem)
    result = class_flow_bound(problem, time_limit_seconds=30.0)
    if not np.isfinite(truth):
        assert result.status == SolveStatus.INFEASIBLE
        assert result.understaffing_agent_hours == 0.0
        return
    assert result.status == SolveStatus.OPTIMAL
    assert result.understaffing_agent_hours == pytest.approx(truth, abs=1e-6)
    assert result.incumbent_agent_hours == pytest.approx(truth, abs=1e-6)


@pytest.mark.parametrize("seed", range(12))
def test_class_flow_relaxation_equals_column_generation(seed: int) -> None:
    problem = random_problem(200 + seed)
    relaxed = class_flow_bound(problem, integer=False)
    columns = column_generation_bound(problem, time_limit_seconds=30.0)
    assert relaxed.status == columns.status
    if relaxed.status == SolveStatus.OPTIMAL:
        assert relaxed.method == "class-flow-lp"
        assert relaxed.incumbent_agent_hours is None
        assert relaxed.understaffing_agent_hours == pytest.approx(
            columns.understaffing_agent_hours, abs=1e-4
        )


def test_class_flow_rest_and_limits() -> None:
    problem = _rest_problem()
    result = class_flow_bound(problem)
    assert isinstance(result, ClassFlowBound)
    assert result.status == SolveStatus.OPTIMAL
    assert result.understaffing_agent_hours == pytest.approx(8.0)
    assert result.states > 0 and result.arcs > 0 and result.agent_classes == 1
    lower = result.to_lower_bound(problem)
    assert lower.understaffing_agent_hours == result.understaffing_agent_hours
    assert lower.method == "class-flow-mip"
    assert set(result.to_dict()) == {
        "understaffing_agent_hours",
        "incumbent_agent_hours",
        "status",
        "states",
        "arcs",
        "agent_classes",
        "wall_time_seconds",
        "method",
    }
    too_big = class_flow_bound(problem, max_arcs=1)
    assert too_big.status == SolveStatus.MODEL_INVALID
    assert too_big.understaffing_agent_hours == 0.0
    with pytest.raises(ValidationError, match="max_arcs"):
        class_flow_bound(problem, max_arcs=0)
    with pytest.raises(ValidationError, match="time_limit_seconds"):
        class_flow_bound(problem, time_limit_seconds=-1)


# -- the class-flow starting roster ----------------------------------------------------


def _shortage_only(problem: RosterProblem) -> RosterProblem:
    from dataclasses import replace

    from wfm.roster.problem import Weights

    weights = Weights(
        understaffing_per_agent_hour=1.0,
        understaffing_growth=(1.0,),
        overstaffing_per_agent_hour=0.0,
        paid_hour=0.0,
        preference=0.0,
        fairness_weekend=0.0,
        fairness_late=0.0,
    )
    # no soft rules either: the brute force knows only hard ones
    return replace(problem, weights=weights, soft_rules={})


@pytest.mark.parametrize("seed", range(16))
def test_class_flow_roster_is_a_valid_optimal_start(seed: int) -> None:
    from ortools.sat.python import cp_model

    from wfm.roster.model import OBJECTIVE_SCALE, build_model

    problem = _shortage_only(random_problem(seed))
    truth = brute_force_understaffing(problem)
    plan = class_flow_roster(problem, time_limit_seconds=30.0)
    if not np.isfinite(truth):
        assert plan is None
        return
    assert plan is not None
    assert sorted(plan) == list(range(len(problem.agents)))
    options = shift_options(problem)
    rm = build_model(problem, options=options, allowed=agent_options(problem, options))
    for a, week in plan.items():
        days = [options[o].day for o in week]
        assert days == sorted(set(days))  # at most one shift a day, in day order
        for o, var in rm.x[a].items():
            rm.model.add(var == int(o in week))
    # the weeks obey every hard rule of the model, and with the best breaks
    # they reach the least under-staffing any roster can have
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30.0
    assert solver.solve(rm.model) == cp_model.OPTIMAL
    assert solver.objective_value / OBJECTIVE_SCALE == pytest.approx(truth, abs=1e-6)


def test_class_flow_roster_gives_up_on_huge_graphs() -> None:
    problem = random_problem(3)
    assert class_flow_roster(problem, max_arcs=1) is None
    with pytest.raises(ValidationError, match="time_limit_seconds"):
        class_flow_roster(problem, time_limit_seconds=0.0)


def test_agents_of_different_cost_share_a_bound_class_but_not_a_start_class() -> None:
    from dataclasses import replace

    problem = random_problem(1)
    first = problem.agents[0]
    twins = (first, replace(first, agent_id="twin", cost_per_hour=99.0))
    problem = replace(problem, agents=twins)
    assert agent_classes(problem) == [[0, 1]]
    assert agent_classes(problem, by_cost=True) == [[0], [1]]


@pytest.mark.parametrize("seed", [0, 2, 4])
def test_solve_uses_the_class_flow_start_under_a_long_limit(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wfm.roster.search.flow_start as flow_start_module
    from wfm.roster.solve import solve

    problem = _shortage_only(random_problem(seed))
    truth = brute_force_understaffing(problem)
    calls: list[int | None] = []
    original = flow_start_module.least_understaffing_roster

    def counted(*args: object, **kwargs: object) -> object:
        least = original(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(None if least is None or least.plan is None else len(least.plan))
        return least

    monkeypatch.setattr(flow_start_module, "least_understaffing_roster", counted)
    result = solve(problem, SolverOptions(time_limit_seconds=40.0, workers=1, seed=0))
    if not np.isfinite(truth):
        assert result.status.value == "INFEASIBLE"
        return
    assert calls == [len(problem.agents)]
    assert result.status.has_solution
    assert result.summary.understaffing_agent_hours == pytest.approx(truth, abs=1e-6)
    # the proven least under-staffing is the bound reported
    assert result.summary.understaffing_bound_kind in ("class_flow", "lp", "column_generation")
    assert result.summary.understaffing_bound_agent_hours == pytest.approx(truth, abs=1e-6)
    # in deterministic mode the start (which stops on wall-clock time) is skipped
    calls.clear()
    solve(
        problem,
        SolverOptions(time_limit_seconds=40.0, workers=1, max_deterministic_time=5.0),
    )
    assert calls == []
