"""Phase budgets: no solve hands back unused time with a roster it could still improve.

The truth here is a property of the search, not a recorded result: a solve
(or its neighbourhood search) either proves its roster optimal or uses its
wall-clock limit. Only lower bounds on elapsed time are asserted, which a
loaded machine cannot break (it only makes a solve slower).
"""

from __future__ import annotations

import time

import pytest
from test_roster_solve import week_problem

from wfm.roster.model import build_model
from wfm.roster.options import SolverOptions
from wfm.roster.search.cpsat import SolutionTracker, feasible_search
from wfm.roster.search.lns import GAP_AGENTS, improve
from wfm.roster.solve import solve
from wfm.status import SolveStatus

LIMIT_SECONDS = 3.0


@pytest.mark.parametrize("n_agents", [3, 5])
def test_solve_uses_its_limit_unless_the_roster_is_proven_optimal(n_agents: int) -> None:
    problem = week_problem(n_agents)
    result = solve(
        problem,
        SolverOptions(time_limit_seconds=LIMIT_SECONDS, workers=1, seed=0),
        compute_bound=False,
    )
    assert result.status.has_solution
    if result.status != SolveStatus.OPTIMAL:
        assert result.wall_time_seconds >= 0.9 * LIMIT_SECONDS, result.status
    else:
        assert result.best_bound == pytest.approx(result.objective)


def test_neighbourhood_search_runs_to_its_deadline_while_it_can_still_improve() -> None:
    # more agents than any neighbourhood frees, and a bound no roster reaches:
    # nothing can prove the roster optimal, so only the deadline may end the search
    n_agents = GAP_AGENTS + 2
    rm = build_model(week_problem(n_agents))
    started = time.perf_counter()
    tracker = SolutionTracker(started, None)
    options = SolverOptions(time_limit_seconds=5.0, workers=1, seed=0)
    status, reader, _ = feasible_search(
        rm, options, deadline=started + 5.0, deterministic_time=None, tracker=tracker
    )
    assert status == SolveStatus.FEASIBLE and reader is not None
    deadline = time.perf_counter() + 2.0
    improved = improve(
        rm,
        reader,
        deadline=deadline,
        deterministic_budget=None,
        seed=0,
        tracker=tracker,
        bound=float("-inf"),
    )
    assert not improved.proven_optimal
    assert time.perf_counter() >= deadline - 0.1
    assert improved.solver.objective_value <= reader.objective_value


def test_neighbourhood_search_stops_at_its_deterministic_budget() -> None:
    # deterministic mode: the budget of deterministic time ends the search, not the clock
    rm = build_model(week_problem(GAP_AGENTS + 2))
    started = time.perf_counter()
    tracker = SolutionTracker(started, None)
    options = SolverOptions(time_limit_seconds=5.0, workers=1, seed=0, max_deterministic_time=1.0)
    status, reader, _ = feasible_search(
        rm, options, deadline=started + 5.0, deterministic_time=1.0, tracker=tracker
    )
    assert status == SolveStatus.FEASIBLE and reader is not None
    runs = [
        improve(
            rm,
            reader,
            deadline=time.perf_counter() + 60.0,
            deterministic_budget=0.2,
            seed=0,
            tracker=tracker,
            bound=float("-inf"),
        )
        for _ in range(2)
    ]
    assert runs[0].solver.objective_value == runs[1].solver.objective_value
    assert not runs[0].proven_optimal
