"""Check one rule unit alone, across every encoding, on tiny instances.

The idea of Timefold's ``ConstraintVerifier``: a rule is tested on its own,
positive and negative, on instances of two or three agents and a few days.
A :class:`RuleVerifier` takes one unit of :data:`wfm.roster.rules.RULES` and
checks that its encodings agree:

(a) :meth:`~RuleVerifier.breached_by`: a planted roster breaking the rule is
    flagged by that rule's checker, by the expected amount (in the rule's
    unit), and by no other rule's checker; :meth:`~RuleVerifier.obeyed_by`:
    a planted roster keeping it is flagged by none;
(b) :meth:`~RuleVerifier.hard_solve_obeys`: with the rule hard, ``solve``
    never returns a roster the checker flags;
(c) :meth:`~RuleVerifier.soft_penalty_matches`: with the rule soft, the
    model charges the penalty per unit of exactly the breach the checker
    measures, agent by agent and day by day;
(d) :meth:`~RuleVerifier.precheck_is_sound`: an instance the rule's
    precheck calls impossible is infeasible for the CP-SAT model, and every
    week the flagged agent could work breaks a hard rule for the checker;
(e) :meth:`~RuleVerifier.bounds_are_valid`: the LP bound and the class-flow
    bound never exceed the under-staffing of the optimum.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import pytest
from ortools.sat.python import cp_model
from roster_helpers import roster_frames, shift_rows, solve_tiny

from wfm.roster.bounds.class_flow import class_flow_bound
from wfm.roster.bounds.lp import lower_bound
from wfm.roster.checker import check_roster
from wfm.roster.model import build_model
from wfm.roster.prechecks import Conflict, agent_reach, precheck
from wfm.roster.problem import RosterProblem, Rule
from wfm.roster.rules import RULES, RuleUnit, rule_unit
from wfm.roster.shifts import ShiftOption, agent_options, shift_options
from wfm.roster.solve import RosterResult
from wfm.status import SolveStatus

MAX_WEEKS = 5000
"""Most weeks of one agent the brute force of :meth:`RuleVerifier.precheck_is_sound` tries."""


@dataclass(frozen=True)
class Planted:
    """One shift of a hand-made roster.

    ``day`` counts from the problem's start date; ``start`` is a clock time;
    ``template`` defaults to the problem's first template, ``length_minutes``
    to the template's shortest length, ``breaks`` (minutes after the start)
    to each break's earliest start.
    """

    agent_id: str
    day: int
    start: str
    template: str | None = None
    length_minutes: int | None = None
    breaks: tuple[int, ...] | None = None


def planted_roster(
    problem: RosterProblem, shifts: Sequence[Planted]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The roster and breaks tables of ``shifts``."""
    templates = {t.name: t for t in problem.templates}
    rows = [
        shift_rows(
            templates[s.template] if s.template is not None else problem.templates[0],
            s.agent_id,
            problem.dates[s.day],
            s.start,
            s.length_minutes,
            s.breaks,
        )
        for s in shifts
    ]
    return roster_frames(*rows)


def _option_rows(
    problem: RosterProblem, agent_id: str, option: ShiftOption, break_starts: Sequence[int]
) -> tuple[dict[str, object], list[dict[str, object]]]:
    im = problem.interval_minutes
    clock = (option.start - option.day * problem.intervals_per_day) * im
    return shift_rows(
        problem.templates[option.template],
        agent_id,
        problem.dates[option.day],
        f"{clock // 60:02d}:{clock % 60:02d}",
        option.length * im,
        [(p - option.start) * im for p in break_starts],
    )


def _by_agent_and_date(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    sums = frame.groupby(["agent_id", "date"])["amount"].sum()
    return {key: round(float(value), 6) for key, value in sums.items()}


class RuleVerifier:
    """The checks (a)-(e) of the module docstring for one rule unit."""

    def __init__(self, unit: RuleUnit) -> None:
        self.unit = unit

    @classmethod
    def of(cls, name: str | Rule) -> RuleVerifier:
        """The verifier of the unit named ``name``."""
        return cls(rule_unit(name))

    @property
    def rule(self) -> Rule:
        """The unit's labour rule (soft-able)."""
        assert self.unit.rule is not None, f"{self.unit.name} is not a labour rule"
        return self.unit.rule

    # (a) -----------------------------------------------------------------------------
    def breached_by(
        self, problem: RosterProblem, shifts: Sequence[Planted], *, amount: float
    ) -> pd.DataFrame:
        """The rule's checker, and only it, flags ``shifts``; its rows total ``amount``."""
        roster, breaks = planted_roster(problem, shifts)
        found = check_roster(problem, roster, breaks, include_soft=True)
        others = found[~found["rule"].isin(self.unit.labels)]
        assert others.empty, f"other rules flag the planted roster: {others.to_dict('records')}"
        mine = found[found["rule"] == self.unit.name]
        assert not mine.empty, f"{self.unit.name}: the planted breach is not flagged"
        assert mine["amount"].sum() == pytest.approx(amount)
        hard = self.unit.rule is None or not problem.is_soft(self.unit.rule)
        assert (mine["hard"] == hard).all()
        alone = check_roster(problem, roster, breaks, include_soft=True, rules=[self.unit.name])
        pd.testing.assert_frame_equal(alone, found)
        for other in RULES:
            if other is self.unit or other.checker is None:
                continue
            flagged = check_roster(problem, roster, breaks, include_soft=True, rules=[other.name])
            assert flagged.empty, f"{other.name} flags a breach of {self.unit.name}"
        return mine

    def obeyed_by(self, problem: RosterProblem, shifts: Sequence[Planted]) -> None:
        """No checker flags ``shifts``."""
        roster, breaks = planted_roster(problem, shifts)
        found = check_roster(problem, roster, breaks, include_soft=True)
        assert found.empty, found.to_dict("records")

    # (b) -----------------------------------------------------------------------------
    def hard_solve_obeys(self, problem: RosterProblem) -> RosterResult:
        """With the rule hard, the optimal roster breaks no rule at all."""
        assert self.unit.rule is None or not problem.is_soft(self.unit.rule)
        result = solve_tiny(problem)
        assert result.status == SolveStatus.OPTIMAL, result.conflicts
        found = check_roster(problem, result.roster, result.breaks, include_soft=True)
        assert found.empty, found.to_dict("records")
        return result

    # (c) -----------------------------------------------------------------------------
    def soft_penalty_matches(self, problem: RosterProblem, *, penalty: float) -> RosterResult:
        """With the rule soft at ``penalty``, the model's charge is the checker's breach.

        The instance must make breaking the rule worth its penalty: a soft
        breach the optimum does not take proves nothing.
        """
        soft_rules = {**problem.soft_rules, self.rule: penalty}
        soft = dataclasses.replace(problem, soft_rules=soft_rules)
        result = solve_tiny(soft)
        assert result.status == SolveStatus.OPTIMAL, result.conflicts
        charged = result.violations[result.violations["rule"] == self.unit.name]
        assert not charged.empty, f"{self.unit.name}: the optimum does not break the soft rule"
        assert set(charged["unit"]) == {self.rule.unit}
        assert charged["penalty"].to_numpy() == pytest.approx(penalty * charged["amount"])
        measured = check_roster(soft, result.roster, result.breaks, include_soft=True)
        assert measured[measured["hard"]].empty, measured.to_dict("records")
        mine = measured[measured["rule"] == self.unit.name]
        assert set(measured["rule"]) == {self.unit.name}
        assert _by_agent_and_date(charged) == _by_agent_and_date(mine)
        return result

    # (d) -----------------------------------------------------------------------------
    def precheck_is_sound(self, problem: RosterProblem) -> list[Conflict]:
        """The rule's precheck finds the instance impossible, and it is.

        Every conflict of :func:`precheck` must come from this unit. The
        CP-SAT model (built without the prechecks) must be infeasible, and
        every week of a flagged agent over all shift options (agents aside),
        with every placement of its breaks, must break a hard rule for the
        checker.
        """
        assert self.unit.precheck is not None, f"{self.unit.name} has no precheck"
        options = shift_options(problem)
        allowed = agent_options(problem, options)
        mine = self.unit.precheck(problem, agent_reach(problem, options, allowed))
        assert mine, f"{self.unit.name}: the precheck finds nothing"
        assert all(c.rule in self.unit.labels for c in mine)
        conflicts = precheck(problem, options, allowed)
        assert {c.rule for c in conflicts} <= set(self.unit.labels), conflicts
        assert {(c.rule, c.agent_id) for c in mine} == {(c.rule, c.agent_id) for c in conflicts}
        rm = build_model(problem, options=options, allowed=allowed)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 10.0
        assert solver.solve(rm.model) == cp_model.INFEASIBLE
        for agent_id in sorted({c.agent_id for c in mine if c.agent_id is not None}):
            self._every_week_breaks_a_hard_rule(problem, agent_id, options)
        return conflicts

    def _every_week_breaks_a_hard_rule(
        self, problem: RosterProblem, agent_id: str, options: list[ShiftOption]
    ) -> None:
        placed = [(o, starts) for o in options for starts in itertools.product(*o.break_starts)]
        per_day = [[None] + [p for p in placed if p[0].day == d] for d in range(problem.days)]
        weeks = 1
        for choices in per_day:
            weeks *= len(choices)
        assert weeks <= MAX_WEEKS, f"{weeks} weeks: the instance is too large for brute force"
        for week in itertools.product(*per_day):
            rows = [_option_rows(problem, agent_id, o, starts) for o, starts in filter(None, week)]
            found = check_roster(problem, *roster_frames(*rows))
            assert not found[found["agent_id"] == agent_id].empty, (
                f"a week of {agent_id} breaks no hard rule: {[r[0]['start'] for r in rows]}"
            )

    # (e) -----------------------------------------------------------------------------
    def bounds_are_valid(self, problem: RosterProblem, optimum: RosterResult) -> None:
        """Neither lower bound exceeds the optimum's under-staffing."""
        reached = optimum.summary.understaffing_agent_hours
        lp = lower_bound(problem, time_limit_seconds=10.0)
        assert lp.status == SolveStatus.OPTIMAL
        assert lp.understaffing_agent_hours <= reached + 1e-6
        flow = class_flow_bound(problem, time_limit_seconds=10.0)
        assert flow.status == SolveStatus.OPTIMAL
        assert flow.understaffing_agent_hours <= reached + 1e-6
