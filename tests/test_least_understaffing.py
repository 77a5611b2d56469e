"""The roster of least under-staffing (class flows by HiGHS): against brute force.

Truth is the brute-force least under-staffing over every roster obeying the
hard rules (``test_colgen.brute_force_understaffing``) on random 2-3 agent
weeks. The flows' plan must reach it, HiGHS must prove it, and the plan must
be a roster the CP-SAT model accepts, with the same under-staffing once its
breaks are placed.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from roster_helpers import contract, tiny_problem
from test_colgen import brute_force_understaffing, random_problem

from wfm.roster.model import build_model
from wfm.roster.options import SolverOptions
from wfm.roster.problem import Agent
from wfm.roster.search.cpsat import add_hint, complete_hint, hinted_solution
from wfm.roster.search.flow_start import least_understaffing_roster, understaffing_of
from wfm.roster.search.mip import MipSolution
from wfm.roster.search.stop import StopRequest
from wfm.roster.solve import solve
from wfm.status import SolveStatus


@pytest.mark.parametrize("seed", range(10))
def test_plan_reaches_the_brute_force_least_understaffing(seed: int) -> None:
    problem = random_problem(seed)
    truth = brute_force_understaffing(problem)
    least = least_understaffing_roster(problem, time_limit_seconds=30.0)
    if not np.isfinite(truth):
        # some agent has no week at all, or the agents cannot all have one
        assert least is None or (least.plan is None and not least.proven)
        return
    assert least is not None
    assert least.proven and least.plan is not None
    assert least.understaffing_agent_hours == pytest.approx(truth, abs=1e-6)
    assert least.bound_agent_hours <= truth + 1e-6
    rm = build_model(problem)
    add_hint(rm, least.plan)
    assert complete_hint(rm, time_limit=10.0, seed=0, deterministic_time=None) is not None
    reader = hinted_solution(rm, 0)
    assert reader is not None
    assert understaffing_of(rm, reader) == pytest.approx(truth, abs=1e-6)


@pytest.mark.parametrize("seed", range(10))
def test_without_an_integer_solution_the_lp_flows_are_rounded_into_weeks(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HiGHS finding nothing in time: the plan is the LP's flows rounded, whole weeks
    # the model accepts, never below the least under-staffing, with the LP's bound
    import wfm.roster.search.flow_start as flow_start_module

    def nothing(solver: object, **_: object) -> MipSolution:
        return MipSolution(
            status=SolveStatus.TIME_LIMIT_NO_SOLUTION,
            objective=None,
            bound=-math.inf,
            values=np.zeros(0),
            wall_time_seconds=0.0,
        )

    monkeypatch.setattr(flow_start_module, "solve_in_child", nothing)
    problem = random_problem(seed)
    truth = brute_force_understaffing(problem)
    if not np.isfinite(truth):
        return
    least = least_understaffing_roster(problem, time_limit_seconds=30.0)
    assert least is not None and least.plan is not None
    assert not least.proven and least.understaffing_agent_hours is None
    assert 0.0 <= least.bound_agent_hours <= truth + 1e-6
    assert sorted(least.plan) == list(range(len(problem.agents)))
    rm = build_model(problem)
    add_hint(rm, least.plan)
    assert complete_hint(rm, time_limit=10.0, seed=0, deterministic_time=None) is not None
    reader = hinted_solution(rm, 0)
    assert reader is not None and understaffing_of(rm, reader) >= truth - 1e-6


def test_largest_remainders_round_shares_to_their_total() -> None:
    from wfm.roster.bounds.class_flow import _largest_remainders

    rounded = _largest_remainders(np.array([1.5, 0.25, 2.25]), 4)
    assert rounded.tolist() == [2, 0, 2]
    assert _largest_remainders(np.array([0.5, 0.5]), 1).sum() == 1


def test_a_stop_requested_before_gives_nothing() -> None:
    stop = StopRequest()
    stop.request()
    began = time.perf_counter()
    assert least_understaffing_roster(random_problem(0), time_limit_seconds=30.0, stop=stop) is None
    assert time.perf_counter() - began < 5.0


def _short_cover() -> object:
    # 1.5 agents required 08:00-16:00 on two days, one agent who may work one day
    required = [0.0] * 48
    required[8:16] = [1.5] * 8
    required[32:40] = [1.5] * 8
    return tiny_problem(
        required=required,
        agent_list=(Agent(agent_id="a", contract="one"), Agent(agent_id="b", contract="full")),
        contracts=(contract("one", max_days_per_week=1), contract("full")),
    )


def test_lexicographic_solve_ends_early_at_the_proven_least_understaffing() -> None:
    # limits of 40 s or more use the flows: proven at once, the stage ends, and the
    # second stage proves its roster, so the solve returns long before its limit
    problem = _short_cover()
    truth = brute_force_understaffing(problem)
    options = SolverOptions(time_limit_seconds=40.0, workers=1, seed=0, lexicographic=True)
    result = solve(problem, options, compute_bound=False)
    assert result.summary.understaffing_agent_hours == pytest.approx(truth)
    assert result.status.value == "OPTIMAL"
    assert result.wall_time_seconds < 30.0
