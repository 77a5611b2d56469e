"""Tests of the bounds a solve reports (:mod:`wfm.roster.bounds.reported`).

The truth is the least under-staffing of tiny problems: by brute force over
every week of every agent (the enumeration of ``test_colgen``), or, for
multi-week and time-zone grids, a shortage-only roster proven optimal by
CP-SAT. A valid bound never exceeds it, however early the per-agent bound
stops.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from roster_helpers import agents, contract, template
from test_colgen import _shortage_only, brute_force_understaffing, random_problem

import wfm.roster.bounds.reported as reported
from wfm.errors import ValidationError
from wfm.roster.bounds.column_generation import column_generation_bound
from wfm.roster.bounds.lp import lower_bound
from wfm.roster.model import build_model
from wfm.roster.problem import RosterProblem
from wfm.roster.solve import SolverOptions, solve
from wfm.status import SolveStatus, relative_gap
from wfm.timegrid import IntervalGrid

OPTIONS = SolverOptions(time_limit_seconds=2.0, workers=1, seed=0)


def _check_summary(result: object, truth: float) -> None:
    """The reported bounds are valid for ``truth`` and consistent with the summary."""
    summary = result.summary  # type: ignore[attr-defined]
    best = summary.understaffing_bound_agent_hours
    assert best is not None and best <= truth + 1e-6
    assert best >= summary.lower_bound_understaffing_agent_hours - 1e-9
    assert summary.understaffing_bound_kind in ("lp", "column_generation")
    assert summary.understaffing_relative_gap == pytest.approx(
        relative_gap(summary.understaffing_agent_hours, best)
    )
    assert summary.bound_kind in ("cp_sat", "lp", "column_generation")
    assert summary.bound >= summary.best_bound - 1e-9
    assert summary.bound <= summary.objective + 1e-6
    assert summary.bound_relative_gap == pytest.approx(
        relative_gap(summary.objective, summary.bound)
    )
    data = summary.to_dict()
    for key in ("bound", "bound_kind", "understaffing_bound_agent_hours", "lower_bound_paid_hours"):
        assert key in data


@pytest.mark.parametrize("seed", range(12))
def test_reported_bound_never_exceeds_the_brute_force_optimum(seed: int) -> None:
    problem = random_problem(seed)
    truth = brute_force_understaffing(problem)
    result = solve(problem, OPTIONS)
    if not np.isfinite(truth):
        assert result.status == SolveStatus.INFEASIBLE
        return
    assert result.summary.understaffing_agent_hours >= truth - 1e-9
    _check_summary(result, truth)
    if result.status == SolveStatus.OPTIMAL:
        # the objective bound holds for the proven optimum too
        assert result.summary.bound <= result.objective + 1e-6


def test_the_per_agent_bound_is_reported_where_it_is_stronger() -> None:
    kinds = []
    for seed in range(24):
        problem = random_problem(seed)
        if not np.isfinite(brute_force_understaffing(problem)):
            continue
        result = solve(problem, OPTIONS)
        kinds.append(result.summary.understaffing_bound_kind)
        if result.summary.understaffing_bound_kind == "column_generation":
            per_agent = result.per_agent_bound
            assert per_agent is not None
            assert result.summary.understaffing_bound_agent_hours == pytest.approx(
                per_agent.understaffing_agent_hours
            )
            assert per_agent.understaffing_agent_hours > (
                result.lower_bound.understaffing_agent_hours  # type: ignore[union-attr]
            )
    assert "column_generation" in kinds and "lp" in kinds


@pytest.mark.parametrize("seed", range(8))
def test_warm_start_at_the_lp_duals_gives_at_least_the_lp_bound(seed: int) -> None:
    problem = random_problem(seed)
    truth = brute_force_understaffing(problem)
    if not np.isfinite(truth):
        return
    lp = lower_bound(problem)
    assert lp.status == SolveStatus.OPTIMAL and len(lp.interval_duals) == problem.n_intervals
    first = column_generation_bound(problem, initial_duals=lp.interval_duals, max_iterations=1)
    # one pricing at the LP duals: the Lagrangian bound there is the LP bound or more
    assert first.understaffing_agent_hours >= lp.understaffing_agent_hours - 1e-4
    assert first.understaffing_agent_hours <= truth + 1e-6
    cold = column_generation_bound(problem, time_limit_seconds=30.0)
    warm = column_generation_bound(
        problem, time_limit_seconds=30.0, initial_duals=lp.interval_duals
    )
    assert warm.status == cold.status == SolveStatus.OPTIMAL
    assert warm.understaffing_agent_hours == pytest.approx(cold.understaffing_agent_hours, abs=1e-4)


@pytest.mark.parametrize("seed", range(6))
def test_bound_stopped_early_is_still_valid(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    problem = random_problem(200 + seed)
    truth = brute_force_understaffing(problem)
    if not np.isfinite(truth):
        return
    # a tiny share of the limit: the per-agent bound stops after a pricing or two
    monkeypatch.setattr(reported, "PER_AGENT_BOUND_SHARE", 1e-4)
    monkeypatch.setattr(reported, "PER_AGENT_BOUND_MIN_SECONDS", 1e-3)
    result = solve(problem, OPTIONS)
    _check_summary(result, truth)
    for limit in (1e-3, 0.02):
        early = column_generation_bound(
            problem,
            time_limit_seconds=limit,
            initial_duals=lower_bound(problem).interval_duals,
            initial_weeks=[[] for _ in problem.agents],
        )
        assert early.understaffing_agent_hours <= truth + 1e-6


def _shortage_truth(problem: RosterProblem) -> float:
    """Least under-staffing, proven by a shortage-only CP-SAT solve."""
    result = solve(_shortage_only(problem), SolverOptions(time_limit_seconds=5.0, workers=1))
    assert result.status == SolveStatus.OPTIMAL
    under = result.summary.understaffing_agent_hours
    assert under is not None
    return under


def _two_week_problem() -> RosterProblem:
    days = 14
    rng = np.random.default_rng(3)
    required = np.zeros(days * 24)
    for d in range(days):
        required[d * 24 + 7 : d * 24 + 19] = rng.choice([1.0, 2.0, 3.0], size=12)
    from roster_helpers import tiny_problem

    return tiny_problem(
        days=days,
        required=required,
        templates=[template("early", "07:00"), template("late", "11:00")],
        contracts=[contract(max_days_per_week=4, max_consecutive_days=3, min_rest_hours=12.0)],
        agent_list=agents(3),
    )


def _dst_problem() -> RosterProblem:
    zone = "Europe/Berlin"
    first = dt.date(2027, 3, 27)  # the clocks go forward on the 28th: a 23-hour day
    grid = IntervalGrid(start_date=first, days=3, interval_minutes=60, time_zone=zone)
    starts = grid.interval_starts
    hour = np.asarray(starts.hour)
    required = np.where((hour >= 6) & (hour < 20), 2.0, 0.0)
    required[(hour >= 9) & (hour < 12)] = 3.0
    return RosterProblem(
        start_date=first,
        requirements=pd.DataFrame({"interval_start": starts, "required_scheduled": required}),
        templates=(template("early", "01:00", "04:00"), template("day", "09:00")),
        contracts=(contract(max_days_per_week=2, min_rest_hours=11.0),),
        agents=agents(3),
        days=3,
        interval_minutes=60,
        time_zone=zone,
    )


@pytest.mark.parametrize("make", [_two_week_problem, _dst_problem])
def test_bound_on_multi_week_and_time_zone_grids(make: object) -> None:
    problem = make()  # type: ignore[operator]
    truth = _shortage_truth(problem)
    assert truth > 0  # not trivial: the agents cannot cover everything
    _check_summary(solve(problem, OPTIONS), truth)
    per_agent = column_generation_bound(
        problem, time_limit_seconds=10.0, initial_duals=lower_bound(problem).interval_duals
    )
    assert per_agent.understaffing_agent_hours <= truth + 1e-6


def test_objective_bound_of_understaffing_prices_each_hour_at_the_least_weight() -> None:
    problem = random_problem(1)
    rm = build_model(problem)
    implied = reported.objective_bound_of_understaffing(rm, 2.0)
    weights = problem.weights
    least = weights.understaffing_per_agent_hour * min(weights.understaffing_growth)
    assert implied is not None
    assert implied <= 2.0 * least + 1e-9
    assert implied >= 2.0 * least - 1e-9 - problem.days * 7 * max(
        weights.fairness_weekend, weights.fairness_late
    )
    assert reported.objective_bound_of_understaffing(rm, 0.0) <= 0.0 + 1e-12


def test_best_bound_prefers_the_first_on_a_tie() -> None:
    assert reported.best_bound([("cp_sat", 10.0), ("lp", 10.0 + 1e-9)]) == (10.0, "cp_sat")
    assert reported.best_bound([("cp_sat", None), ("lp", 3.0)]) == (3.0, "lp")
    assert reported.best_bound([("cp_sat", 1.0), ("lp", 3.0)]) == (3.0, "lp")
    assert reported.best_bound([]) == (None, None)


def test_summaries_without_bounds_keep_their_layout() -> None:
    problem = random_problem(1)
    result = solve(problem, OPTIONS, compute_bound=False)
    summary = result.summary
    assert summary.bound is None and summary.understaffing_bound_kind is None
    assert summary.lower_bound_understaffing_agent_hours is None
    assert result.per_agent_bound is None


def test_bad_initial_duals_and_weeks_are_named() -> None:
    problem = random_problem(1)
    with pytest.raises(ValidationError, match="initial_duals"):
        column_generation_bound(problem, initial_duals=[0.5])
    with pytest.raises(ValidationError, match="initial_duals"):
        column_generation_bound(problem, initial_duals=[float("nan")] * problem.n_intervals)
    with pytest.raises(ValidationError, match="initial_weeks"):
        column_generation_bound(problem, initial_weeks=[[]] * (len(problem.agents) + 1))
    # the duals are not part of the record of the LP bound
    assert "interval_duals" not in lower_bound(problem).to_dict()
    lp = lower_bound(problem)
    assert replace(lp, interval_duals=()) == lp
