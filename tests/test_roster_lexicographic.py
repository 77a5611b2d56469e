"""The lexicographic objective: least under-staffing first, then cost and wishes.

Truth on tiny weeks is by hand: one agent can cover the whole requirement,
so the least under-staffing is 0, and among the rosters without shortage the
cheapest uses the cheaper agent.
"""

from __future__ import annotations

import pytest
from roster_helpers import contract, tiny_problem

from wfm.errors import ValidationError
from wfm.roster.options import SolverOptions
from wfm.roster.problem import Agent, Weights
from wfm.roster.solve import shortage_first, solve


def _expensive_cover() -> tuple[Agent, ...]:
    # covering 0.3 agent for 8 hours saves 240 of shortage cost but costs 400 paid
    return (Agent(agent_id="dear", contract="full", cost_per_hour=50.0),)


def _options(lexicographic: bool, limit_seconds: float = 20.0) -> SolverOptions:
    return SolverOptions(
        time_limit_seconds=limit_seconds, workers=1, seed=0, lexicographic=lexicographic
    )


def _partial_requirement(days: int = 2) -> list[float]:
    required = [0.0] * (24 * days)
    for d in range(days):
        required[d * 24 + 8 : d * 24 + 16] = [0.3] * 8
    return required


def test_default_weights_leave_shortage_the_lexicographic_option_does_not() -> None:
    problem = tiny_problem(required=_partial_requirement(), agent_list=_expensive_cover())
    weighted = solve(problem, _options(False), compute_bound=False)
    first = solve(problem, _options(True), compute_bound=False)
    # the weighted optimum keeps both days short: 2 x 8 h x 0.3 agent
    assert weighted.summary.understaffing_agent_hours == pytest.approx(4.8)
    assert first.summary.understaffing_agent_hours == pytest.approx(0.0)
    assert first.summary.paid_hours == pytest.approx(16.0)
    assert first.status.has_solution and weighted.status.has_solution


def test_lexicographic_second_stage_takes_the_cheapest_cover() -> None:
    agents = (
        Agent(agent_id="dear", contract="full", cost_per_hour=50.0),
        Agent(agent_id="cheap", contract="full", cost_per_hour=2.0),
    )
    problem = tiny_problem(required=_partial_requirement(), agent_list=agents)
    result = solve(problem, _options(True), compute_bound=False)
    assert result.summary.understaffing_agent_hours == pytest.approx(0.0)
    assert set(result.roster["agent_id"]) == {"cheap"}
    assert result.summary.paid_cost == pytest.approx(2.0 * 16)


def test_lexicographic_shortage_is_the_least_when_cover_runs_out() -> None:
    # 1.5 agents required 08:00-16:00 but one agent: 0.5 short each hour at best
    required = [0.0] * 48
    required[8:16] = [1.5] * 8
    required[32:40] = [1.5] * 8
    problem = tiny_problem(required=required, agent_list=_expensive_cover())
    result = solve(problem, _options(True), compute_bound=False)
    assert result.summary.understaffing_agent_hours == pytest.approx(2 * 8 * 0.5)


@pytest.mark.parametrize("lexicographic", [False, True])
def test_a_run_that_ends_before_its_limit_has_proven_its_roster(lexicographic: bool) -> None:
    # no run hands back unused time with a roster it could still improve: ending
    # early is only allowed once the roster is proven optimal
    problem = tiny_problem(
        days=3,
        required=_partial_requirement(3),
        agent_list=(
            Agent(agent_id="a", contract="full"),
            Agent(agent_id="b", contract="part", cost_per_hour=3.0),
        ),
        contracts=(contract("full", max_days_per_week=2), contract("part")),
    )
    limit = 30.0
    result = solve(problem, _options(lexicographic, limit), compute_bound=False)
    assert result.status.has_solution
    if result.wall_time_seconds < limit - 1.0:
        assert result.status.value == "OPTIMAL"
    assert result.relative_gap == pytest.approx(0.0) or result.status.value != "OPTIMAL"


def test_shortage_first_weights_dominate_every_other_term() -> None:
    weights = shortage_first(Weights())
    assert weights.understaffing_growth == (1.0,)
    assert weights.understaffing_per_agent_hour == pytest.approx(100_000.0)
    assert weights.paid_hour == Weights().paid_hour


def test_lexicographic_must_be_a_bool() -> None:
    with pytest.raises(ValidationError, match="lexicographic"):
        SolverOptions(lexicographic=1)  # type: ignore[arg-type]
