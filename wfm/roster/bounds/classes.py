"""Classes of interchangeable agents: agents whose feasible weeks are the same.

Agents with the same contract, templates, availability, time off, pins and
history before the horizon (days worked or off in a row, end of the last
shift) can work exactly the same weeks; the column generation and class-flow
bounds (:mod:`wfm.roster.bounds`) and the class-flow starting roster
(:mod:`wfm.roster.search.flow_start`) model one class at a time, with as many
units as it has agents. Preferences do not matter for under-staffing; where
paid hours are priced, the cost per hour splits classes too.
"""

from __future__ import annotations

from typing import Any

from wfm.roster.problem import Agent, RosterProblem

__all__ = ["agent_classes"]


def _class_key(agent: Agent) -> tuple[Any, ...]:
    return (
        agent.contract,
        agent.templates,
        agent.availability,
        agent.time_off,
        agent.pins,
        agent.last_shift_end,
        agent.consecutive_days_worked_before,
        agent.days_off_before,
    )


def agent_classes(problem: RosterProblem, *, by_cost: bool = False) -> list[list[int]]:
    """Groups of agents whose feasible weeks are the same.

    Agents are grouped by contract, templates, availability, time off, pins
    and history before the horizon (days worked or off in a row, end of the
    last shift); with ``by_cost`` also by their cost per paid hour (needed
    where paid hours are priced, as in :func:`class_flow_roster`).

    Returns
    -------
    list of list of int
        Agent indices (in problem order) per class; classes ordered by their
        first agent.
    """
    groups: dict[tuple[Any, ...], list[int]] = {}
    for index, agent in enumerate(problem.agents):
        key = _class_key(agent)
        if by_cost:
            key += (problem.cost_per_hour_of(agent),)
        groups.setdefault(key, []).append(index)
    return list(groups.values())
