"""The 14- and 28-day versions of the example contact centre.

A roster of the period's hard rules (shifts, breaks and every labour rule,
without the coverage objective) found by CP-SAT on the model must have no
violation for the independent checker, which applies the contracts'
``*_per_week`` limits to each calendar week of the period. A part of the
agents keeps the search short; every contract and template is among them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from wfm.roster.checker import check_roster
from wfm.roster.model import build_model
from wfm.roster.problem import RosterProblem
from wfm.roster.report import extract_solution, roster_tables
from wfm.scenario import load_scenario

FOLDER = Path(__file__).resolve().parents[1] / "examples" / "contact_center"
HARD_FAMILIES = (
    "breaks",
    "hours",
    "period_hours",
    "days",
    "consecutive_days",
    "days_off_block",
    "weekend_days",
    "rest",
    "option_rules",
)


def _some_agents(problem: RosterProblem) -> RosterProblem:
    by_contract: dict[str, list[object]] = {}
    for agent in problem.agents:
        by_contract.setdefault(agent.contract, []).append(agent)
    chosen = [a for agents in by_contract.values() for a in agents[:3]]
    return dataclasses.replace(problem, agents=tuple(chosen))  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize("days", [14, 28])
def test_a_roster_of_the_period_breaks_no_rule_of_any_week(days: int) -> None:
    full = load_scenario(FOLDER / f"scenario_{days}_days.yaml").build_problem()
    assert len(full.weeks) == days // 7
    problem = _some_agents(full)
    assert {a.contract for a in problem.agents} == {c.name for c in problem.contracts}
    rm = build_model(problem, families=HARD_FAMILIES)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = 60.0
    solver.parameters.stop_after_first_solution = True
    assert solver.solve(rm.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    roster, breaks = roster_tables(problem, rm, extract_solution(rm, solver.value))
    assert len(roster) > 0
    found = check_roster(problem, roster, breaks)
    assert found.empty, found.head().to_dict("records")
    # the full-time agents work in every week: limits per week, not per period
    worked = roster.assign(week=[(d - full.start_date).days // 7 for d in roster["date"]])
    full_time = worked[worked["agent_id"].isin([a.agent_id for a in problem.agents[:3]])]
    assert full_time.groupby("agent_id")["week"].nunique().min() == days // 7
