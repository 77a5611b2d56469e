"""The rule registry: its shape, that the drivers obey it, and every labour rule verified alone.

Each labour rule has a :class:`RuleCase`: a tiny instance (two agents, two to
four days, a 60-minute grid) where the rule binds, a planted roster that
breaks it, one that keeps every rule, a soft penalty low enough to be worth
paying and, for rules with a precheck, an instance the precheck must find
impossible. :class:`rule_verifier.RuleVerifier` runs the checks (a)-(e) of its
module on them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest
from roster_helpers import (
    MONDAY,
    agents,
    contract,
    day,
    hour_profile,
    late_and_early,
    roster_frames,
    shift_rows,
    solve_tiny,
    tiny_problem,
)
from rule_verifier import Planted, RuleVerifier

from wfm.errors import ValidationError
from wfm.roster import checker, model, prechecks, rules
from wfm.roster.checker import check_roster
from wfm.roster.prechecks import Conflict, precheck
from wfm.roster.problem import Agent, AvailabilityWindow, Pin, RosterProblem, Rule, TimeOff
from wfm.roster.rules import RULES, Encoding, model_families, rule_unit
from wfm.status import SolveStatus

SATURDAY = dt.date(2026, 1, 10)


# -- the registry's shape ---------------------------------------------------------------


def test_every_labour_rule_has_exactly_one_unit() -> None:
    labour = [unit.rule for unit in RULES if unit.kind == "labour"]
    assert sorted(labour) == sorted(Rule)
    assert len({unit.name for unit in RULES}) == len(RULES)
    assert [u.name for u in RULES if u.kind == "structure"] == ["assignment", "breaks", "locks"]
    assert {u.name for u in RULES if u.kind == "objective"} == {
        "coverage",
        "queue_coverage",
        "paid_cost",
        "preferences",
        "fairness",
        "changes",
    }


def test_lookup_by_name_or_rule() -> None:
    assert rule_unit("min_rest") is rule_unit(Rule.MIN_REST)
    assert rule_unit(Rule.MIN_REST).model is model.add_rest
    assert rule_unit("breaks").checker is checker.check_breaks
    with pytest.raises(ValidationError, match=r"rule: got 'rest'.*min_rest"):
        rule_unit("rest")


def test_model_families_are_the_model_build_order() -> None:
    families = model_families()
    assert list(families) == ["assignment", *model.FAMILIES]
    assert list(families.values()) == [model.add_assignment, *model.FAMILIES.values()]
    for unit in RULES:
        assert families[unit.family] is unit.model


def test_every_encoding_lives_where_the_registry_says() -> None:
    owners = {
        "model": model,
        "precheck": prechecks,
        "checker": checker,
    }
    for unit in RULES:
        for part, path in unit.encodings.items():
            if path is None:
                continue
            module_name, _, name = path.rpartition(".")
            module = importlib.import_module(module_name)
            assert callable(getattr(module, name)), f"{unit.name}.{part}: {path}"
            if part in owners:
                assert module is owners[part], f"{unit.name}.{part}: {path}"
                assert name in owners[part].__all__, f"{path} is not public"


def test_labels_and_contract_fields() -> None:
    for unit in RULES:
        if unit.rule is not None:
            assert unit.name in unit.labels or unit.checker is None
        if unit.contract_field is not None:
            assert unit.contract_field in {f.name for f in dataclasses.fields(contract())}
    limits = {u.rule: u.contract_field for u in RULES if u.rule is not None}
    assert limits[Rule.MIN_REST] == "min_rest_hours"
    assert limits[Rule.PINS] is None


def test_units_validate_themselves() -> None:
    unit = rule_unit(Rule.MIN_REST)
    with pytest.raises(ValidationError, match="kind is 'labour'"):
        dataclasses.replace(unit, rule=None)
    with pytest.raises(ValidationError, match="rule's value"):
        dataclasses.replace(unit, name="rest")
    with pytest.raises(ValidationError, match="field of Contract"):
        dataclasses.replace(unit, contract_field="rest_hours")
    with pytest.raises(ValidationError, match="labels"):
        dataclasses.replace(unit, labels=())
    with pytest.raises(ValidationError, match="dotted path"):
        Encoding(function="capacities", how="caps")


# -- the drivers run what the registry names ---------------------------------------------


def _with_unit(monkeypatch: pytest.MonkeyPatch, **changes: object) -> None:
    planted = dataclasses.replace(rule_unit(Rule.MIN_REST), **changes)
    monkeypatch.setattr(
        rules, "RULES", tuple(planted if u.name == "min_rest" else u for u in RULES)
    )
    monkeypatch.setitem(rules._BY_NAME, "min_rest", planted)


def test_check_roster_runs_the_registered_checkers(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = tiny_problem(days=1)
    roster, breaks = roster_frames(shift_rows(problem.templates[0], "a0", MONDAY, "08:00"))
    assert check_roster(problem, roster, breaks).empty

    def always(week: checker.AgentWeek, report: checker.ViolationReport) -> None:
        report.add(Rule.MIN_REST, week.agent.agent_id, None, 1, "planted")

    _with_unit(monkeypatch, checker=always)
    found = check_roster(problem, roster, breaks)
    assert found[["rule", "agent_id", "detail"]].values.tolist() == [["min_rest", "a0", "planted"]]
    assert check_roster(problem, roster, breaks, rules=["breaks"]).empty
    with pytest.raises(ValidationError, match="rule"):
        check_roster(problem, roster, breaks, rules=["nonsense"])


def test_precheck_runs_the_registered_prechecks(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = tiny_problem(days=1, agent_list=agents(2))
    assert precheck(problem) == []

    def flag_everyone(
        problem: RosterProblem, reach: Sequence[prechecks.AgentReach]
    ) -> list[Conflict]:
        found = [Conflict(rule="min_rest", agent_id=r.agent.agent_id, message="x") for r in reach]
        return [*found, Conflict(rule="min_rest", agent_id=None, message="all")]

    _with_unit(monkeypatch, precheck=flag_everyone)
    # findings about the whole problem first, then agent by agent
    assert [c.agent_id for c in precheck(problem)] == [None, "a0", "a1"]


def test_every_registered_function_has_the_drivers_signature() -> None:
    for unit in RULES:
        assert list(inspect.signature(unit.model).parameters) == ["rm"]
        if unit.checker is not None:
            assert len(inspect.signature(unit.checker).parameters) == 2
        if unit.precheck is not None:
            assert list(inspect.signature(unit.precheck).parameters) == ["problem", "reach"]


# -- every labour rule alone ---------------------------------------------------------------


@dataclass(frozen=True)
class RuleCase:
    """A tiny instance on which one labour rule binds (the rule hard)."""

    problem: RosterProblem
    breaking: tuple[Planted, ...]
    amount: float
    keeping: tuple[Planted, ...]
    penalty: float
    impossible: RosterProblem | None = None


def _week(agent_id: str, *days: int, start: str = "08:00", **kwargs: object) -> list[Planted]:
    return [Planted(agent_id, d, start, **kwargs) for d in days]  # type: ignore[arg-type]


def _both_needed(days: int, *, on: Sequence[int] | None = None) -> object:
    """Two agents required 08:00-16:00 on ``on`` (default: every day)."""
    spans = [(d, 8, 16, 2.0) for d in (range(days) if on is None else on)]
    return hour_profile(days, spans)


def _min_hours() -> RuleCase:
    sixteen = [contract(min_hours_per_week=16)]
    monday_only = (AvailabilityWindow(weekday=0, start=dt.time(6), end=dt.time(18)),)
    return RuleCase(
        problem=tiny_problem(
            days=2, required=_both_needed(2, on=[0]), contracts=sixteen, agent_list=agents(2)
        ),
        breaking=(*_week("a0", 0), *_week("a1", 0, 1)),
        amount=8.0,
        keeping=(*_week("a0", 0, 1), *_week("a1", 0, 1)),
        penalty=0.5,
        impossible=tiny_problem(
            days=2,
            contracts=sixteen,
            agent_list=[Agent(agent_id="a0", contract="full", availability=monday_only)],
        ),
    )


def _max_hours() -> RuleCase:
    return RuleCase(
        problem=tiny_problem(
            days=2,
            required=_both_needed(2),
            contracts=[contract(max_hours_per_week=8)],
            agent_list=agents(2),
        ),
        breaking=(*_week("a0", 0, 1), *_week("a1", 0)),
        amount=8.0,
        keeping=(*_week("a0", 0), *_week("a1", 1)),
        penalty=2.0,
        impossible=tiny_problem(
            days=2,
            contracts=[contract(max_hours_per_week=8, min_days_per_week=2)],
            agent_list=agents(2),
        ),
    )


def _min_hours_per_period() -> RuleCase:
    # two weeks: 24 paid hours over the period, no weekly minimum
    return RuleCase(
        problem=tiny_problem(
            days=14,
            required=_both_needed(14, on=[0]),
            contracts=[contract(min_hours_per_period=24)],
            agent_list=agents(2),
        ),
        breaking=(*_week("a0", 0, 7), *_week("a1", 0, 1, 8)),
        amount=8.0,
        keeping=(*_week("a0", 0, 1, 7), *_week("a1", 0, 7, 8)),
        penalty=0.5,
    )


def _max_hours_per_period() -> RuleCase:
    # two weeks: 24 paid hours over the period although a week allows 168
    return RuleCase(
        problem=tiny_problem(
            days=14,
            required=_both_needed(14, on=[0, 1, 7, 8]),
            contracts=[contract(max_hours_per_period=24)],
            agent_list=agents(2),
        ),
        breaking=(*_week("a0", 0, 1, 7, 8), *_week("a1", 0)),
        amount=8.0,
        keeping=(*_week("a0", 0, 1, 7), *_week("a1", 0, 8)),
        penalty=2.0,
    )


def _min_days() -> RuleCase:
    away = Agent(agent_id="a0", contract="full", time_off=(TimeOff.whole_day(day(1)),))
    return RuleCase(
        problem=tiny_problem(
            days=3,
            required=_both_needed(3, on=[0]),
            contracts=[contract(min_days_per_week=2)],
            agent_list=agents(2),
        ),
        breaking=(*_week("a0", 0), *_week("a1", 0, 1)),
        amount=1.0,
        keeping=(*_week("a0", 0, 2), *_week("a1", 0, 1)),
        penalty=1.0,
        impossible=tiny_problem(
            days=3,
            contracts=[contract(min_days_per_week=3)],
            agent_list=[away, Agent(agent_id="a1", contract="full")],
        ),
    )


def _max_days() -> RuleCase:
    return RuleCase(
        problem=tiny_problem(
            days=3,
            required=_both_needed(3),
            contracts=[contract(max_days_per_week=2)],
            agent_list=agents(2),
        ),
        breaking=(*_week("a0", 0, 1, 2), *_week("a1", 0, 1)),
        amount=1.0,
        keeping=(*_week("a0", 0, 1), *_week("a1", 1, 2)),
        penalty=5.0,
    )


def _max_consecutive_days() -> RuleCase:
    # a1 worked two days just before the horizon: Monday would be its third in a row
    tired = Agent(agent_id="a1", contract="full", consecutive_days_worked_before=2)
    return RuleCase(
        problem=tiny_problem(
            days=3,
            required=_both_needed(3),
            contracts=[contract(max_consecutive_days=2)],
            agent_list=[Agent(agent_id="a0", contract="full"), tired],
        ),
        breaking=(*_week("a0", 0, 1, 2), *_week("a1", 1, 2)),
        amount=1.0,
        keeping=(*_week("a0", 0, 1), *_week("a1", 1, 2)),
        penalty=5.0,
    )


def _min_consecutive_days_off() -> RuleCase:
    two_off = [contract(min_consecutive_days_off=2)]
    pinned = Agent(agent_id="a0", contract="full", pins=(Pin(day=day(1)),))
    return RuleCase(
        problem=tiny_problem(
            days=4, required=_both_needed(4), contracts=two_off, agent_list=agents(2)
        ),
        breaking=(*_week("a0", 0, 2), *_week("a1", 0, 1)),
        amount=2.0,  # a missing block counts its length
        keeping=(*_week("a0", 0, 1), *_week("a1", 2, 3)),
        penalty=1.0,
        # a pin to work on Tuesday leaves no two days off together in three days
        impossible=tiny_problem(
            days=3, contracts=two_off, agent_list=[pinned, Agent(agent_id="a1", contract="full")]
        ),
    )


def _max_weekend_days() -> RuleCase:
    return RuleCase(
        problem=tiny_problem(
            days=2,
            start_date=SATURDAY,
            required=_both_needed(2),
            contracts=[contract(max_weekend_days=1)],
            agent_list=agents(2),
        ),
        breaking=(*_week("a0", 0, 1), *_week("a1", 0)),
        amount=1.0,
        keeping=(*_week("a0", 0), *_week("a1", 1)),
        penalty=5.0,
    )


def _min_rest() -> RuleCase:
    # late 15:00-23:00, early 07:00-15:00: a late then an early leaves 8 h of rest
    templates = late_and_early()
    required = hour_profile(2, [(0, 15, 23, 2.0), (1, 7, 15, 2.0)])
    return RuleCase(
        problem=tiny_problem(
            days=2,
            required=required,
            templates=templates,
            contracts=[contract(min_rest_hours=11)],
            agent_list=agents(2),
        ),
        breaking=(
            Planted("a0", 0, "15:00", template="late"),
            Planted("a0", 1, "07:00", template="early"),
            Planted("a1", 0, "15:00", template="late"),
        ),
        amount=3.0,
        keeping=(
            Planted("a0", 0, "15:00", template="late"),
            Planted("a1", 1, "07:00", template="early"),
        ),
        penalty=1.0,
    )


def _one_agent_restricted(a0: Agent, *, penalty: float) -> RuleCase:
    """a0 may not work Tuesday; a1 may work both days."""
    return RuleCase(
        problem=tiny_problem(
            days=2,
            required=_both_needed(2),
            agent_list=[a0, Agent(agent_id="a1", contract="full")],
        ),
        breaking=(*_week("a0", 1), *_week("a1", 0)),
        amount=1.0,
        keeping=(*_week("a0", 0), *_week("a1", 0, 1)),
        penalty=penalty,
    )


def _availability() -> RuleCase:
    monday_only = (AvailabilityWindow(weekday=0, start=dt.time(6), end=dt.time(18)),)
    return _one_agent_restricted(
        Agent(agent_id="a0", contract="full", availability=monday_only), penalty=50.0
    )


def _time_off() -> RuleCase:
    away = (TimeOff(start=dt.datetime(2026, 1, 6, 12), end=dt.datetime(2026, 1, 6, 14)),)
    return _one_agent_restricted(Agent(agent_id="a0", contract="full", time_off=away), penalty=50.0)


def _pins() -> RuleCase:
    off_tuesday = Agent(agent_id="a0", contract="full", pins=(Pin(day=day(1), off=True),))
    every_day = Agent(agent_id="a0", contract="full", pins=tuple(Pin(day=day(d)) for d in range(3)))
    return dataclasses.replace(
        _one_agent_restricted(off_tuesday, penalty=5.0),
        # three pinned working days, two allowed
        impossible=tiny_problem(
            days=3,
            contracts=[contract(max_days_per_week=2)],
            agent_list=[every_day, Agent(agent_id="a1", contract="full")],
        ),
    )


CASES: dict[Rule, Callable[[], RuleCase]] = {
    Rule.MIN_HOURS: _min_hours,
    Rule.MAX_HOURS: _max_hours,
    Rule.MIN_HOURS_PERIOD: _min_hours_per_period,
    Rule.MAX_HOURS_PERIOD: _max_hours_per_period,
    Rule.MIN_DAYS: _min_days,
    Rule.MAX_DAYS: _max_days,
    Rule.MAX_CONSECUTIVE_DAYS: _max_consecutive_days,
    Rule.MIN_CONSECUTIVE_DAYS_OFF: _min_consecutive_days_off,
    Rule.MAX_WEEKEND_DAYS: _max_weekend_days,
    Rule.MIN_REST: _min_rest,
    Rule.AVAILABILITY: _availability,
    Rule.TIME_OFF: _time_off,
    Rule.PINS: _pins,
}
LABOUR = [unit.rule for unit in RULES if unit.rule is not None]
WITH_PRECHECK = [unit.rule for unit in RULES if unit.rule is not None and unit.precheck]
VerifyRule = Callable[[str | Rule], RuleVerifier]


def test_every_labour_rule_has_a_case() -> None:
    assert set(CASES) == set(LABOUR)
    for rule in LABOUR:
        has_impossible = CASES[rule]().impossible is not None
        assert has_impossible == (rule in WITH_PRECHECK), rule


@pytest.mark.parametrize("rule", LABOUR, ids=lambda rule: rule.value)
def test_a_planted_breach_is_flagged_by_its_rule_alone(rule: Rule, verify_rule: VerifyRule) -> None:
    case = CASES[rule]()
    verify_rule(rule).breached_by(case.problem, case.breaking, amount=case.amount)


@pytest.mark.parametrize("rule", LABOUR, ids=lambda rule: rule.value)
def test_a_planted_valid_roster_is_flagged_by_no_rule(rule: Rule, verify_rule: VerifyRule) -> None:
    case = CASES[rule]()
    verify_rule(rule).obeyed_by(case.problem, case.keeping)


@pytest.mark.parametrize("rule", LABOUR, ids=lambda rule: rule.value)
def test_the_hard_rule_holds_and_the_bounds_stay_below(rule: Rule, verify_rule: VerifyRule) -> None:
    case = CASES[rule]()
    verifier = verify_rule(rule)
    optimum = verifier.hard_solve_obeys(case.problem)
    # the rule binds: breaking it would have covered more
    assert optimum.summary.understaffing_agent_hours > 0 or rule in (
        Rule.MIN_HOURS,
        Rule.MIN_HOURS_PERIOD,
        Rule.MIN_DAYS,
    )
    verifier.bounds_are_valid(case.problem, optimum)


@pytest.mark.parametrize("rule", LABOUR, ids=lambda rule: rule.value)
def test_the_soft_penalty_is_the_measured_breach(rule: Rule, verify_rule: VerifyRule) -> None:
    case = CASES[rule]()
    verify_rule(rule).soft_penalty_matches(case.problem, penalty=case.penalty)


@pytest.mark.parametrize("rule", WITH_PRECHECK, ids=lambda rule: rule.value)
def test_the_precheck_finds_only_what_is_impossible(rule: Rule, verify_rule: VerifyRule) -> None:
    case = CASES[rule]()
    assert case.impossible is not None
    assert precheck(case.problem) == []
    verify_rule(rule).precheck_is_sound(case.impossible)
    # the same instance becomes feasible once the rule is soft
    soft = dataclasses.replace(case.impossible, soft_rules={rule: 1.0})
    assert precheck(soft) == []
    assert solve_tiny(soft).status == SolveStatus.OPTIMAL


def test_verifier_refuses_a_structural_unit_as_soft() -> None:
    with pytest.raises(AssertionError, match="not a labour rule"):
        RuleVerifier.of("breaks").soft_penalty_matches(tiny_problem(), penalty=1.0)
