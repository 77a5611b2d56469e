"""Pre-solve checks and explanations of infeasible rosters.

:func:`precheck` looks for inputs that make the roster impossible before any
model is solved, using only the shift options each agent may work. It runs
the precheck of every rule unit of :mod:`wfm.roster.rules` that has one, in
the registry's order, and lists the findings of the whole problem first, then
those of each agent in problem order. Each precheck names only its own rule:

:func:`precheck_template_breaks`
    a template whose breaks fit no allowed length (``template_breaks``);
:func:`precheck_min_hours`, :func:`precheck_max_hours`
    an agent whose options cannot reach the contract's minimum hours, or
    whose shortest allowed week already pays more than the maximum;
:func:`precheck_min_days`
    fewer days with an allowed shift than the minimum, or a minimum that
    leaves no room for the block of consecutive days off;
:func:`precheck_min_consecutive_days_off`
    a block of days off that cannot fit in the horizon or between the
    pinned working days;
:func:`precheck_pins`
    a pin to work on a day without an allowed shift, or pinned working days
    beyond the contract's days, run of days or hours.

Each finding is a :class:`Conflict` naming the rule and the agent.

:func:`explain_infeasibility` is used when CP-SAT proves the full model
infeasible: it rebuilds the model with one enforcement literal per (hard rule
family, agent), solves it under those assumptions and reads back a set of
literals sufficient for infeasibility, shrunk by deletion while time allows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from ortools.sat.python import cp_model

from wfm.roster.problem import Agent, Contract, RosterProblem, Rule
from wfm.roster.shifts import (
    AgentOption,
    ShiftOption,
    agent_options,
    break_windows,
    shift_options,
)

__all__ = [
    "AgentReach",
    "Conflict",
    "Precheck",
    "agent_reach",
    "explain_infeasibility",
    "precheck",
    "precheck_max_hours",
    "precheck_min_consecutive_days_off",
    "precheck_min_days",
    "precheck_min_hours",
    "precheck_pins",
    "precheck_template_breaks",
]


@dataclass(frozen=True)
class Conflict:
    """A rule that takes part in making the roster infeasible.

    Attributes
    ----------
    rule
        A :class:`~wfm.roster.problem.Rule` value, or a structural rule name
        (``"template_breaks"``, ``"structure"``, ``"unknown"``).
    agent_id
        The agent concerned; ``None`` for rules about the whole problem.
    message
        Plain-words explanation.
    """

    rule: str
    agent_id: str | None
    message: str


@dataclass(frozen=True)
class AgentReach:
    """What the shift options one agent may work can reach: the facts of every precheck.

    Attributes
    ----------
    problem, agent
        The problem and the agent.
    options
        The shift options the agent may work (templates, availability, time
        off and pins applied where hard).
    """

    problem: RosterProblem
    agent: Agent
    options: tuple[ShiftOption, ...]

    @property
    def contract(self) -> Contract:
        """The agent's contract."""
        return self.problem.contract_of(self.agent)

    @cached_property
    def days_with_options(self) -> list[int]:
        """Horizon days with at least one allowed option, ascending."""
        return sorted({o.day for o in self.options})

    @cached_property
    def max_paid_by_day(self) -> dict[int, int]:
        """Longest paid minutes of an allowed option, per day with options."""
        return {
            d: max(o.paid_minutes for o in self.options if o.day == d)
            for d in self.days_with_options
        }

    @cached_property
    def min_paid_by_day(self) -> dict[int, int]:
        """Shortest paid minutes of an allowed option, per day with options."""
        return {
            d: min(o.paid_minutes for o in self.options if o.day == d)
            for d in self.days_with_options
        }

    @cached_property
    def pinned_work_days(self) -> list[int]:
        """Horizon days the agent is pinned to work, ascending."""
        start = self.problem.start_date
        return sorted((pin.day - start).days for pin in self.agent.pins if not pin.off)

    def weeks(self) -> list[tuple[str, range, AgentReach]]:
        """Per calendar week of the period: a label for messages, its days, the week's reach.

        The label is empty for a one-week horizon, else ``" in the week
        <first>..<last>"``; the week's reach keeps the options starting in it.
        """
        problem = self.problem
        out: list[tuple[str, range, AgentReach]] = []
        for days in problem.weeks:
            label = ""
            if len(problem.weeks) > 1:
                label = f" in the week {problem.dates[days.start]}..{problem.dates[days.stop - 1]}"
            mine = tuple(o for o in self.options if o.day in days)
            out.append((label, days, AgentReach(problem=problem, agent=self.agent, options=mine)))
        return out

    def conflict(self, rule: Rule, text: str) -> Conflict:
        """A :class:`Conflict` of ``rule`` for this agent, ``text`` after the agent's name."""
        who = self.agent.agent_id
        return Conflict(rule=rule.value, agent_id=who, message=f"agent {who}: {text}")


Precheck = Callable[[RosterProblem, Sequence[AgentReach]], list[Conflict]]
"""A rule's precheck: the conflicts of that rule, from the problem and every agent's reach."""


def agent_reach(
    problem: RosterProblem,
    options: list[ShiftOption],
    allowed: list[list[AgentOption]],
) -> tuple[AgentReach, ...]:
    """The :class:`AgentReach` of every agent, in problem order."""
    return tuple(
        AgentReach(
            problem=problem,
            agent=agent,
            options=tuple(options[ao.option] for ao in mine),
        )
        for agent, mine in zip(problem.agents, allowed, strict=True)
    )


def _hard(problem: RosterProblem, rule: Rule) -> bool:
    return not problem.is_soft(rule)


# -- one precheck per rule unit ----------------------------------------------------


def precheck_template_breaks(problem: RosterProblem, reach: Sequence[AgentReach]) -> list[Conflict]:
    """Templates whose breaks cannot fit in any of their allowed lengths."""
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
    return conflicts


def precheck_pins(problem: RosterProblem, reach: Sequence[AgentReach]) -> list[Conflict]:
    """Hard pins to work on a day without an allowed shift or beyond the hard contract.

    Pinned working days are checked against ``max_days_per_week`` (in each
    week), ``max_consecutive_days`` (with the days worked before the
    horizon) and, with their shortest allowed shifts, ``max_hours_per_week``
    (in each week), each where that rule is hard.
    """
    conflicts: list[Conflict] = []
    if not _hard(problem, Rule.PINS):
        return conflicts
    for r in reach:
        contract, pinned_work = r.contract, r.pinned_work_days
        for day in pinned_work:
            if day not in r.max_paid_by_day:
                conflicts.append(
                    r.conflict(
                        Rule.PINS,
                        f"pinned to work on {problem.dates[day]} but no "
                        "allowed shift fits that day (templates, availability, time off)",
                    )
                )
        for label, days, _ in r.weeks():
            pinned_week = [d for d in pinned_work if d in days]
            if len(pinned_week) > contract.max_days_per_week and _hard(problem, Rule.MAX_DAYS):
                conflicts.append(
                    r.conflict(
                        Rule.PINS,
                        f"{len(pinned_week)} pinned working days{label} exceed "
                        f"max_days_per_week ({contract.max_days_per_week})",
                    )
                )
            pinned_paid = sum(r.min_paid_by_day.get(d, 0) for d in pinned_week)
            if pinned_paid > contract.max_hours_per_week * 60 + 1e-9 and _hard(
                problem, Rule.MAX_HOURS
            ):
                conflicts.append(
                    r.conflict(
                        Rule.PINS,
                        f"pinned shifts{label} need at least {pinned_paid / 60:g} paid "
                        f"hours, above max_hours_per_week ({contract.max_hours_per_week:g})",
                    )
                )
        run = r.agent.consecutive_days_worked_before
        longest = 0
        for day in range(problem.days):
            run = run + 1 if day in pinned_work else 0
            longest = max(longest, run)
        if longest > contract.max_consecutive_days and _hard(problem, Rule.MAX_CONSECUTIVE_DAYS):
            conflicts.append(
                r.conflict(
                    Rule.PINS,
                    f"pinned working days make a run of {longest} days, "
                    f"above max_consecutive_days ({contract.max_consecutive_days})",
                )
            )
    return conflicts


def _block_starts(r: AgentReach, days: range, k: int) -> range:
    """Starts of the candidate blocks of ``k`` days off of the week ``days`` (they end in it)."""
    first = -min(r.agent.days_off_before, k - 1)
    return range(max(first, days.start - k + 1), days.stop - k + 1)


def precheck_min_days(problem: RosterProblem, reach: Sequence[AgentReach]) -> list[Conflict]:
    """A hard minimum of days above the days of a week with an allowed shift, or above the
    days a hard block of consecutive days off leaves in it."""
    conflicts: list[Conflict] = []
    if not _hard(problem, Rule.MIN_DAYS):
        return conflicts
    for r in reach:
        contract = r.contract
        k = contract.min_consecutive_days_off
        for label, days, week in r.weeks():
            if len(week.days_with_options) < contract.min_days_per_week:
                conflicts.append(
                    r.conflict(
                        Rule.MIN_DAYS,
                        f"min_days_per_week is {contract.min_days_per_week} but "
                        f"only {len(week.days_with_options)} days{label} have an allowed shift "
                        "(templates, availability, time off, pins)",
                    )
                )
            if k > 1 and _hard(problem, Rule.MIN_CONSECUTIVE_DAYS_OFF):
                starts = _block_starts(r, days, k)
                # the block's days inside the week, at the least
                inside = min(
                    (min(s + k, days.stop) - max(s, days.start) for s in starts), default=k
                )
                room = len(days) - inside
                if starts and contract.min_days_per_week > room:
                    conflicts.append(
                        r.conflict(
                            Rule.MIN_DAYS,
                            f"min_days_per_week ({contract.min_days_per_week}) "
                            f"leaves no room for {k} consecutive days off "
                            f"(min_consecutive_days_off) in {len(days)} days{label}",
                        )
                    )
    return conflicts


def precheck_min_hours(problem: RosterProblem, reach: Sequence[AgentReach]) -> list[Conflict]:
    """A hard minimum of paid hours in a week above its longest allowed shifts on usable days."""
    conflicts: list[Conflict] = []
    if not _hard(problem, Rule.MIN_HOURS):
        return conflicts
    for r in reach:
        contract = r.contract
        if contract.min_hours_per_week <= 0:
            continue
        for label, _, week in r.weeks():
            usable = min(contract.max_days_per_week, len(week.days_with_options))
            if not _hard(problem, Rule.MAX_DAYS):
                usable = len(week.days_with_options)
            best = sum(sorted(week.max_paid_by_day.values(), reverse=True)[:usable])
            if best < contract.min_hours_per_week * 60 - 1e-9:
                conflicts.append(
                    r.conflict(
                        Rule.MIN_HOURS,
                        f"at most {best / 60:g} paid hours are reachable{label} "
                        f"(allowed shifts on at most {usable} days) but "
                        f"min_hours_per_week is {contract.min_hours_per_week:g}",
                    )
                )
    return conflicts


def precheck_max_hours(problem: RosterProblem, reach: Sequence[AgentReach]) -> list[Conflict]:
    """A hard maximum of paid hours below the shortest shifts of the hard minimum of days
    in a week."""
    conflicts: list[Conflict] = []
    if not (_hard(problem, Rule.MAX_HOURS) and _hard(problem, Rule.MIN_DAYS)):
        return conflicts
    for r in reach:
        contract = r.contract
        for label, _, week in r.weeks():
            if not 0 < contract.min_days_per_week <= len(week.days_with_options):
                continue
            least = sum(sorted(week.min_paid_by_day.values())[: contract.min_days_per_week])
            if least > contract.max_hours_per_week * 60 + 1e-9:
                conflicts.append(
                    r.conflict(
                        Rule.MAX_HOURS,
                        f"the shortest {contract.min_days_per_week} shifts{label} "
                        f"(min_days_per_week) already pay {least / 60:g} hours, above "
                        f"max_hours_per_week ({contract.max_hours_per_week:g})",
                    )
                )
    return conflicts


def precheck_min_consecutive_days_off(
    problem: RosterProblem, reach: Sequence[AgentReach]
) -> list[Conflict]:
    """A hard block of consecutive days off that cannot fit in a week or, with hard
    pins, between the pinned working days."""
    conflicts: list[Conflict] = []
    if not _hard(problem, Rule.MIN_CONSECUTIVE_DAYS_OFF):
        return conflicts
    for r in reach:
        k = r.contract.min_consecutive_days_off
        if k <= 1:
            continue
        for label, days, _ in r.weeks():
            starts = _block_starts(r, days, k)
            if not starts:
                conflicts.append(
                    r.conflict(
                        Rule.MIN_CONSECUTIVE_DAYS_OFF,
                        f"a block of {k} consecutive days off cannot fit in "
                        f"a horizon of {problem.days} days",
                    )
                )
            elif _hard(problem, Rule.PINS):
                pinned = set(r.pinned_work_days)
                if not any(not any(d in pinned for d in range(max(s, 0), s + k)) for s in starts):
                    conflicts.append(
                        r.conflict(
                            Rule.MIN_CONSECUTIVE_DAYS_OFF,
                            f"pinned working days leave no block of {k} consecutive "
                            f"days off{label}",
                        )
                    )
    return conflicts


# -- the pre-solve pass ------------------------------------------------------------


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
        Findings about the whole problem first, then each agent's in problem
        order; within them, in the order of :data:`wfm.roster.rules.RULES`.
    """
    # the registry names this module's prechecks, so it is read when called
    from wfm.roster.rules import RULES

    if options is None:
        options = shift_options(problem)
    per_agent = allowed if allowed is not None else agent_options(problem, options)
    reach = agent_reach(problem, options, per_agent)
    found = [
        c for unit in RULES if unit.precheck is not None for c in unit.precheck(problem, reach)
    ]
    position = {agent.agent_id: i for i, agent in enumerate(problem.agents)}
    return sorted(found, key=lambda c: -1 if c.agent_id is None else position[c.agent_id])


_GUARDED = tuple(Rule)
"""Order of the explained rules of one agent: that of :class:`Rule`."""


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


def _rule_detail(rule: Rule, contract: Contract) -> str:
    from wfm.roster.rules import rule_unit

    attr = rule_unit(rule).contract_field
    value = None if attr is None else getattr(contract, attr)
    if value is None:
        return ""
    return f" ({value:g})"
