"""Bounded neighbourhood steps: the sub-model of a few agents against the full model.

The truth is the full CP-SAT model itself: a step's roster, written back
into the full model's variables, is read back with every variable fixed
(``hinted_solution``), which CP-SAT accepts only if every constraint holds,
and its full objective must have dropped by exactly the drop the sub-model
reported. The roster tables are re-checked by the independent checker.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from ortools.sat.python import cp_model
from roster_helpers import break_rule, contract, day, hour_profile, template, tiny_problem

from wfm.datasets.instances import make_problem, parse_instance_name
from wfm.roster.checker import check_roster
from wfm.roster.model import RosterModel, build_model, fixed_agents
from wfm.roster.options import SolverOptions
from wfm.roster.problem import Agent, PreferDayOff, RosterProblem, Rule, Weights
from wfm.roster.report import extract_solution, roster_tables
from wfm.roster.search.cpsat import SolutionTracker, hinted_solution
from wfm.roster.search.greedy import greedy_start
from wfm.roster.search.lns import Limits, step


def _uneven_problem() -> RosterProblem:
    """Breaks placed per agent (windows that depend on the length), fairness, soft rules."""
    lunch = break_rule("lunch", minutes=60, window=(180, 300))
    flexible = template(
        "flex",
        earliest="07:00",
        latest="12:00",
        length_hours=4,
        max_length_hours=8,
        breaks=[lunch],
    )
    late = template("late", earliest="14:00", latest="15:00", length_hours=8)
    required = hour_profile(3, [(d, 7, 22, 2.0 + d % 2) for d in range(3)] + [(1, 10, 14, 2.0)])
    people = tuple(
        Agent(
            agent_id=f"a{i}",
            contract="full",
            preferences=(PreferDayOff(day=day(i % 3), weight=2.0),) if i % 2 else (),
        )
        for i in range(6)
    )
    return tiny_problem(
        days=3,
        required=required,
        templates=[flexible, late],
        contracts=[contract(max_hours_per_week=20.0, min_rest_hours=10.0)],
        agent_list=people,
        weights=Weights(fairness_late=3.0, fairness_weekend=2.0),
        soft_rules={Rule.MAX_HOURS: 5.0},
    )


def _instance() -> RosterProblem:
    return make_problem(parse_instance_name("a12-i15-flex-brk-mixed-s0"))


def _start(problem: RosterProblem) -> tuple[RosterModel, np.ndarray, float]:
    rm = build_model(problem)
    options = SolverOptions(time_limit_seconds=5.0, workers=1, seed=0)
    started = time.perf_counter()
    tracker = SolutionTracker(started, None)
    assert greedy_start(rm, options, started=started, tracker=tracker) is not None
    reader = hinted_solution(rm, 0)
    assert reader is not None
    return rm, np.asarray(reader.response_proto.solution, dtype=np.int64), reader.objective_value


def _read_back(rm: RosterModel, values: np.ndarray) -> cp_model.CpSolver | None:
    proto = rm.model.proto
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(range(len(values)))
    proto.solution_hint.values.extend(values.tolist())
    return hinted_solution(rm, 0)


@pytest.mark.parametrize("make", [_uneven_problem, _instance], ids=["per-agent-breaks", "a12"])
def test_sub_model_of_every_agent_is_the_full_model(make):
    problem = make()
    rm, values, objective = _start(problem)
    everyone = set(range(len(problem.agents)))
    sub = build_model(problem, agents=sorted(everyone), fixed=fixed_agents(rm, values, everyone))
    assert len(sub.model.proto.variables) == len(rm.model.proto.variables)
    assert len(sub.model.proto.constraints) == len(rm.model.proto.constraints)
    assert len(sub.shared) == len(rm.shared)
    # the same roster has the same objective in both
    assert _read_back(sub, values).objective_value == pytest.approx(objective)


@pytest.mark.parametrize("make", [_uneven_problem, _instance], ids=["per-agent-breaks", "a12"])
def test_step_drop_is_the_full_objective_drop_and_roster_stays_clean(make):
    problem = make()
    rm, values, objective = _start(problem)
    rng = np.random.default_rng(0)
    # a deterministic limit: the same steps whatever the load of the machine
    limits = Limits(seconds=60.0, deterministic_seconds=0.5, seed=0)
    improved = 0
    # most random sets of three agents cannot improve the greedy roster: up to 20 tries
    for _ in range(20):
        if improved == 3:
            break
        free = set(rng.choice(len(problem.agents), size=3, replace=False).tolist())
        found = step(rm, values, free, limits=limits)
        if found.values is None:
            continue
        improved += 1
        back = _read_back(rm, found.values)
        assert back is not None  # every constraint of the full model holds
        assert back.objective_value == pytest.approx(objective - found.drop)
        assert back.objective_value < objective
        # the agents not freed keep every shift
        for a in set(range(len(problem.agents))) - free:
            for var in rm.x[a].values():
                assert found.values[var.index] == values[var.index]
        values, objective = found.values, back.objective_value
        roster, breaks = roster_tables(problem, rm, extract_solution(rm, back.value))
        assert check_roster(problem, roster, breaks).empty
    assert improved > 0  # a greedy roster of these sizes is not locally optimal


def test_step_keeps_a_constraint_added_on_shared_variables() -> None:
    # the second stage of a lexicographic solve adds "under-staffing at most
    # stage 1's" after the build: a bounded step copies it into its sub-model
    problem = _instance()
    rm, values, _ = _start(problem)
    under = [t.amount for t in rm.terms if t.rule == "understaffing"]
    held = int(sum(values[v.index] for v in under))
    rm.model.add(cp_model.LinearExpr.sum(under) <= held)
    limits = Limits(seconds=60.0, deterministic_seconds=0.5, seed=0)
    rng = np.random.default_rng(2)
    for _ in range(4):
        free = set(rng.choice(len(problem.agents), size=3, replace=False).tolist())
        found = step(rm, values, free, limits=limits)
        if found.values is None:
            continue
        back = _read_back(rm, found.values)
        assert back is not None  # the added constraint holds too
        assert int(sum(found.values[v.index] for v in under)) <= held
        values = found.values
