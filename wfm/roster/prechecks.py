"""Pre-solve checks and explanations of infeasible rosters.

:func:`precheck` looks for inputs that make the roster impossible before any
model is solved, using only the shift options each agent may work: a
template whose breaks fit no length, an agent whose options cannot reach the
contract's minimum hours or days, pins that contradict availability or the
contract, a days-off block that cannot fit, ... Each finding is a
:class:`Conflict` naming the rule and the agent.

:func:`explain_infeasibility` is used when CP-SAT proves the full model
infeasible: it rebuilds the model with one enforcement literal per (hard rule
family, agent), solves it under those assumptions and reads back a set of
literals sufficient for infeasibility, shrunk by deletion while time allows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from wfm.roster.problem import RosterProblem, Rule
from wfm.roster.shifts import (
    AgentOption,
    ShiftOption,
    agent_options,
    break_windows,
    shift_options,
)

__all__ = ["Conflict", "explain_infeasibility", "precheck"]


@dataclass(frozen=True)
class Conflict:
    """A rule that takes part in making the roster infeasible.

    Attributes
    ----------
    rule
        A :class:`~wfm.roster.problem.Rule` value, or a structural rule name
        (``"template_breaks"``, ``"one_shift_per_day"``, ``"no_option"``).
    agent_id
        The agent concerned; ``None`` for rules about the whole problem.
    message
        Plain-words explanation.
    """

    rule: str
    agent_id: str | None
    message: str


def _hard(problem: RosterProblem, rule: Rule) -> bool:
    return not problem.is_soft(rule)


def precheck(
    problem: RosterProblem,
    options: list[ShiftOption] | None = None,
    allowed: list[list[AgentOption]] | None = None,
) -> list[Conflict]:
    """Cheap checks that prove a problem infeasible before solving.

    Only hard rules are checked. An empty list means nothing impossible was
    found (the problem may still be infeasible through rules interacting).

    Parameters
    ----------
    problem
        The roster problem.
    options, allowed
        Precomputed :func:`~wfm.roster.shifts.shift_options` and
        :func:`~wfm.roster.shifts.agent_options` of them.

    Returns
    -------
    list of Conflict
    """
    if options is None:
        options = shift_options(problem)
    conflicts: list[Conflict] = []
    im = problem.interval_minutes
    for template in problem.templates:
        if template.breaks and all(
            break_windows(template, length, im) is None for length in template.lengths_minutes
        ):
            conflicts.append(
                Conflict(
                    rule="template_breaks",
                    agent_id=None,
                    message=(
                        f"template {template.name!r}: its breaks cannot fit in any allowed "
                        f"length ({', '.join(str(x) for x in template.lengths_minutes)} minutes)"
                    ),
                )
            )
    per_agent = allowed if allowed is not None else agent_options(problem, options)
    for a, agent in enumerate(problem.agents):
        contract = problem.contract_of(agent)
        who = agent.agent_id
        mine = [options[ao.option] for ao in per_agent[a]]
        days_with = sorted({o.day for o in mine})
        max_paid_by_day = {d: max(o.paid_minutes for o in mine if o.day == d) for d in days_with}
        min_paid_by_day = {d: min(o.paid_minutes for o in mine if o.day == d) for d in days_with}
        pinned_work = sorted(
            (pin.day - problem.start_date).days for pin in agent.pins if not pin.off
        )
        if _hard(problem, Rule.PINS):
            for day in pinned_work:
                if day not in max_paid_by_day:
                    conflicts.append(
                        Conflict(
                            rule=Rule.PINS.value,
                            agent_id=who,
                            message=(
                                f"agent {who}: pinned to work on {problem.dates[day]} but no "
                                "allowed shift fits that day (templates, availability, time off)"
                            ),
                        )
                    )
            if len(pinned_work) > contract.max_days_per_week and _hard(problem, Rule.MAX_DAYS):
                conflicts.append(
                    Conflict(
                        rule=Rule.PINS.value,
                        agent_id=who,
                        message=(
                            f"agent {who}: {len(pinned_work)} pinned working days exceed "
                            f"max_days_per_week ({contract.max_days_per_week})"
                        ),
                    )
                )
            run = agent.consecutive_days_worked_before
            longest = 0
            for day in range(problem.days):
                run = run + 1 if day in pinned_work else 0
                longest = max(longest, run)
            if longest > contract.max_consecutive_days and _hard(
                problem, Rule.MAX_CONSECUTIVE_DAYS
            ):
                conflicts.append(
                    Conflict(
                        rule=Rule.PINS.value,
                        agent_id=who,
                        message=(
                            f"agent {who}: pinned working days make a run of {longest} days, "
                            f"above max_consecutive_days ({contract.max_consecutive_days})"
                        ),
                    )
                )
            pinned_paid = sum(min_paid_by_day.get(d, 0) for d in pinned_work)
            if pinned_paid > contract.max_hours_per_week * 60 + 1e-9 and _hard(
                problem, Rule.MAX_HOURS
            ):
                conflicts.append(
                    Conflict(
                        rule=Rule.PINS.value,
                        agent_id=who,
                        message=(
                            f"agent {who}: pinned shifts need at least {pinned_paid / 60:g} paid "
                            f"hours, above max_hours_per_week ({contract.max_hours_per_week:g})"
                        ),
                    )
                )
        if _hard(problem, Rule.MIN_DAYS) and len(days_with) < contract.min_days_per_week:
            conflicts.append(
                Conflict(
                    rule=Rule.MIN_DAYS.value,
                    agent_id=who,
                    message=(
                        f"agent {who}: min_days_per_week is {contract.min_days_per_week} but "
                        f"only {len(days_with)} days have an allowed shift "
                        "(templates, availability, time off, pins)"
                    ),
                )
            )
        if _hard(problem, Rule.MIN_HOURS) and contract.min_hours_per_week > 0:
            usable = min(contract.max_days_per_week, len(days_with))
            if not _hard(problem, Rule.MAX_DAYS):
                usable = len(days_with)
            best = sum(sorted(max_paid_by_day.values(), reverse=True)[:usable])
            if best < contract.min_hours_per_week * 60 - 1e-9:
                conflicts.append(
                    Conflict(
                        rule=Rule.MIN_HOURS.value,
                        agent_id=who,
                        message=(
                            f"agent {who}: at most {best / 60:g} paid hours are reachable "
                            f"(allowed shifts on at most {usable} days) but "
                            f"min_hours_per_week is {contract.min_hours_per_week:g}"
                        ),
                    )
                )
        if (
            _hard(problem, Rule.MAX_HOURS)
            and _hard(problem, Rule.MIN_DAYS)
            and contract.min_days_per_week > 0
            and len(days_with) >= contract.min_days_per_week
        ):
            least = sum(sorted(min_paid_by_day.values())[: contract.min_days_per_week])
            if least > contract.max_hours_per_week * 60 + 1e-9:
                conflicts.append(
                    Conflict(
                        rule=Rule.MAX_HOURS.value,
                        agent_id=who,
                        message=(
                            f"agent {who}: the shortest {contract.min_days_per_week} shifts "
                            f"(min_days_per_week) already pay {least / 60:g} hours, above "
                            f"max_hours_per_week ({contract.max_hours_per_week:g})"
                        ),
                    )
                )
        k = contract.min_consecutive_days_off
        if k > 1 and _hard(problem, Rule.MIN_CONSECUTIVE_DAYS_OFF):
            first = -min(agent.days_off_before, k - 1)
            if first > problem.days - k:
                conflicts.append(
                    Conflict(
                        rule=Rule.MIN_CONSECUTIVE_DAYS_OFF.value,
                        agent_id=who,
                        message=(
                            f"agent {who}: a block of {k} consecutive days off cannot fit in "
                            f"a horizon of {problem.days} days"
                        ),
                    )
                )
            elif _hard(problem, Rule.PINS):
                pinned = set(pinned_work)
                if not any(
                    not any(d in pinned for d in range(max(s, 0), s + k))
                    for s in range(first, problem.days - k + 1)
                ):
                    conflicts.append(
                        Conflict(
                            rule=Rule.MIN_CONSECUTIVE_DAYS_OFF.value,
                            agent_id=who,
                            message=(
                                f"agent {who}: pinned working days leave no block of {k} "
                                "consecutive days off"
                            ),
                        )
                    )
            if (
                first <= problem.days - k
                and _hard(problem, Rule.MIN_DAYS)
                and contract.min_days_per_week > problem.days - k + max(-first, 0)
            ):
                conflicts.append(
                    Conflict(
                        rule=Rule.MIN_DAYS.value,
                        agent_id=who,
                        message=(
                            f"agent {who}: min_days_per_week ({contract.min_days_per_week}) "
                            f"leaves no room for {k} consecutive days off "
                            f"(min_consecutive_days_off) in {problem.days} days"
                        ),
                    )
                )
    return conflicts


_GUARDED = (
    Rule.MIN_HOURS,
    Rule.MAX_HOURS,
    Rule.MIN_DAYS,
    Rule.MAX_DAYS,
    Rule.MAX_CONSECUTIVE_DAYS,
    Rule.MIN_CONSECUTIVE_DAYS_OFF,
    Rule.MIN_REST,
    Rule.MAX_WEEKEND_DAYS,
    Rule.AVAILABILITY,
    Rule.TIME_OFF,
    Rule.PINS,
)


def _solve_with(
    model: cp_model.CpModel, assumptions: list[cp_model.IntVar], time_limit: float, seed: int
) -> tuple[int, list[int]]:
    model.clear_assumptions()
    model.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(time_limit, 0.05)
    # presolve may report literals outside the assumptions (OR-Tools issue #5141)
    solver.parameters.cp_model_presolve = False
    status = solver.solve(model)
    core = (
        list(solver.sufficient_assumptions_for_infeasibility())
        if status == cp_model.INFEASIBLE
        else []
    )
    return int(status), core


def explain_infeasibility(
    problem: RosterProblem,
    *,
    time_limit_seconds: float = 10.0,
    seed: int = 0,
    options: list[ShiftOption] | None = None,
) -> list[Conflict]:
    """Name hard rules that together make ``problem`` infeasible.

    The model is rebuilt with every hard rule family of every agent guarded
    by an assumption literal. The literals CP-SAT reports as sufficient for
    infeasibility are then shrunk by deletion (drop one, re-solve; keep it
    dropped if still infeasible) within the time limit.

    Returns
    -------
    list of Conflict
        One per (rule, agent) in the infeasible set; a single
        ``"structure"`` conflict if the model is infeasible without any
        labour rule (shapes of shifts and breaks alone), or an
        ``"unknown"`` one if the time limit was too short to tell.
    """
    from wfm.roster.model import build_model

    deadline = time.monotonic() + time_limit_seconds
    rm = build_model(problem, explain=True, options=options)
    guards = dict(rm.guards)
    by_index = {var.index: key for key, var in guards.items()}
    assumptions = list(guards.values())
    rm.model.clear_objective()
    status, core = _solve_with(rm.model, assumptions, deadline - time.monotonic(), seed)
    if status != cp_model.INFEASIBLE:
        return [
            Conflict(
                rule="unknown",
                agent_id=None,
                message=(
                    "the roster is infeasible but the conflicting rules could not be "
                    "isolated within the time limit"
                ),
            )
        ]
    kept = [guards[by_index[i]] for i in core if i in by_index]
    if not kept:
        return [
            Conflict(
                rule="structure",
                agent_id=None,
                message="no roster exists even without the labour rules (shift and break shapes)",
            )
        ]
    # deletion-based shrinking while time allows
    i = 0
    while i < len(kept) and len(kept) > 1:
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            break
        trial = kept[:i] + kept[i + 1 :]
        status, _ = _solve_with(rm.model, trial, min(remaining, 2.0), seed)
        if status == cp_model.INFEASIBLE:
            kept = trial
        else:
            i += 1
    keys = sorted((by_index[v.index] for v in kept), key=lambda k: (k[1], _GUARDED.index(k[0])))
    names = [f"{rule.value} of {problem.agents[a].agent_id}" for rule, a in keys]
    out: list[Conflict] = []
    for rule, a in keys:
        agent = problem.agents[a]
        others = [n for n in names if n != f"{rule.value} of {agent.agent_id}"]
        contract = problem.contract_of(agent)
        detail = _rule_detail(rule, contract)
        message = f"agent {agent.agent_id}: {rule.value}{detail} cannot be met"
        if others:
            message += " together with " + ", ".join(others)
        out.append(Conflict(rule=rule.value, agent_id=agent.agent_id, message=message))
    return out


def _rule_detail(rule: Rule, contract: object) -> str:
    attr = {
        Rule.MIN_HOURS: "min_hours_per_week",
        Rule.MAX_HOURS: "max_hours_per_week",
        Rule.MIN_DAYS: "min_days_per_week",
        Rule.MAX_DAYS: "max_days_per_week",
        Rule.MAX_CONSECUTIVE_DAYS: "max_consecutive_days",
        Rule.MIN_CONSECUTIVE_DAYS_OFF: "min_consecutive_days_off",
        Rule.MIN_REST: "min_rest_hours",
        Rule.MAX_WEEKEND_DAYS: "max_weekend_days",
    }.get(rule)
    if attr is None:
        return ""
    return f" ({getattr(contract, attr):g})"
