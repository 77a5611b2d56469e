"""The greedy roster given to the class-flow start as a flow: a valid flow of the same weeks."""

from __future__ import annotations

import time

import pytest
from ortools.linear_solver import pywraplp
from roster_helpers import agents, contract, template, tiny_problem

from wfm.errors import ValidationError
from wfm.roster.bounds.class_flow import add_class_flows
from wfm.roster.bounds.classes import agent_classes
from wfm.roster.model import build_model
from wfm.roster.problem import RosterProblem
from wfm.roster.search.flow_start import class_flow_roster, flow_hint
from wfm.roster.search.greedy import greedy_hint


def _problem() -> RosterProblem:
    required = [0.0] * (24 * 3)
    for d in range(3):
        required[d * 24 + 7 : d * 24 + 19] = [2.0] * 12
    return tiny_problem(
        days=3,
        required=required,
        templates=(template("early", earliest="07:00"), template("late", earliest="11:00")),
        contracts=(contract("full", max_days_per_week=2),),
        agent_list=agents(4),
    )


def test_flow_hint_of_the_greedy_roster_is_a_flow_of_its_weeks() -> None:
    problem = _problem()
    rm = build_model(problem)
    plan = greedy_hint(rm)
    solver = pywraplp.Solver.CreateSolver("SCIP")
    unbroken = [[ao for ao in mine if not ao.breaches] for mine in rm.agent_options]
    built = add_class_flows(
        problem,
        solver,
        lambda top: solver.IntVar(0.0, top, ""),
        agent_classes(problem, by_cost=True),
        rm.options,
        unbroken,
        200_000,
        time.perf_counter(),
        30.0,
    )
    assert isinstance(built, tuple)
    flows, _ = built
    hint = flow_hint(flows, plan, problem.days)
    assert hint is not None
    values = dict(zip(hint[0], hint[1], strict=True))
    for flow in flows:
        (first,) = flow.network.levels[0]
        out = sum(values[var] for var, _, _ in flow.leaving[(0, first)])
        assert out == len(flow.members)  # every member leaves the first state once
        for o, y in flow.count.items():
            worked = sum(o in plan[a] for a in flow.members)
            assert values[y] == worked
    # an option outside every group is not a path of the flows
    stranger = {a: list(v) for a, v in plan.items()}
    stranger[0] = [len(rm.options) + 5]
    assert flow_hint(flows, stranger, problem.days) is None


@pytest.mark.parametrize("work_seconds", [None, 5.0])
def test_class_flow_roster_started_from_the_greedy_roster_returns_whole_weeks(
    work_seconds: float | None,
) -> None:
    # with work_seconds, SCIP's limit counts CPU seconds and the wall clock is the outer limit
    problem = _problem()
    rm = build_model(problem)
    plan = class_flow_roster(
        problem,
        time_limit_seconds=10,
        work_seconds=work_seconds,
        options=rm.options,
        allowed=rm.agent_options,
        start=greedy_hint(rm),
    )
    assert plan is not None and set(plan) == set(range(len(problem.agents)))
    for week in plan.values():
        assert len({rm.options[o].day for o in week}) == len(week) <= 2


def test_class_flow_roster_work_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="work_seconds"):
        class_flow_roster(_problem(), work_seconds=0.0)
