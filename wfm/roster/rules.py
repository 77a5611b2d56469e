"""Rules as units: one registry entry per rule family naming every encoding of it.

A contract rule such as minimum rest is written down in several places: the
CP-SAT model adds its constraints (or its penalty when soft), the pre-solve
checks look for instances it makes impossible, the independent checker
measures its breaches on a written roster, the shift expansion drops the
options it forbids, and the lower bounds relax it in their own terms. A
:class:`RuleUnit` names all of them, so that a rule can be read, changed and
tested as one thing.

The registry is the truth, not a comment: :func:`wfm.roster.checker.check_roster`
runs the ``checker`` of every unit of :data:`RULES`, and
:func:`wfm.roster.prechecks.precheck` runs every ``precheck``, in this order.
:func:`model_families` lists the model builders in build order (that of
:data:`RULES`, the first unit of each family placing it); the order fixes the
variables of the model and so the search, and must stay as it is for
reproducible rosters.

Kinds of units
--------------
``"structure"``
    Always hard: the shape of shifts and breaks (``assignment``, ``breaks``).
``"labour"``
    The :class:`~wfm.roster.problem.Rule` values: hard by default, soft when
    listed in ``RosterProblem.soft_rules`` (breach priced per unit of
    :attr:`Rule.unit <wfm.roster.problem.Rule.unit>`).
``"objective"``
    Terms of the objective that no roster can break: coverage, paid cost,
    preferences and fairness.

The lower bounds are not driven by the registry: they encode the rules as
aggregate capacities inside a few functions. Their entries (:class:`Encoding`)
name those functions by their dotted path and say in a line what they do, and
a test resolves every path, so the registry cannot fall behind them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from wfm.errors import ValidationError
from wfm.roster import checker, model, prechecks
from wfm.roster.checker import RuleChecker
from wfm.roster.model import PenaltyTerm, RosterModel
from wfm.roster.prechecks import Precheck
from wfm.roster.problem import Contract, Rule

__all__ = [
    "RULES",
    "Encoding",
    "ModelBuilder",
    "RuleKind",
    "RuleUnit",
    "model_families",
    "qualified_name",
    "rule_unit",
]

ModelBuilder = Callable[[RosterModel], list[PenaltyTerm]]
"""A rule family's CP-SAT builder: adds its constraints, returns its penalty terms."""

RuleKind = Literal["structure", "labour", "objective"]
"""What a unit is: always hard, a labour rule that may be soft, or an objective term."""

_DOTTED = re.compile(r"^[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_CONTRACT_FIELDS = frozenset(f.name for f in dataclasses.fields(Contract))


@dataclass(frozen=True, kw_only=True)
class Encoding:
    """Where and how one part of the library encodes a rule outside the registry's drivers.

    Attributes
    ----------
    function
        Dotted path of the function holding the encoding
        (``"wfm.roster.bounds.lp._capacities"``); ``None`` when that part leaves
        the rule out.
    how
        One line: what the function does for this rule, or why it may leave
        the rule out.
    """

    function: str | None
    how: str

    def __post_init__(self) -> None:
        if self.function is not None and not _DOTTED.match(self.function):
            raise ValidationError(
                "encoding.function",
                self.function,
                "a dotted path such as 'wfm.roster.bounds.lp.lower_bound'",
            )
        if not self.how:
            raise ValidationError("encoding.how", self.how, "a one-line description")


_NOT_ENCODED = Encoding(function=None, how="not encoded")


@dataclass(frozen=True, kw_only=True)
class RuleUnit:
    """One rule family and every place it is encoded.

    Attributes
    ----------
    name
        The unit's name: the :class:`~wfm.roster.problem.Rule` value for
        labour rules (``"min_rest"``), a plain name otherwise (``"breaks"``).
    kind
        ``"structure"``, ``"labour"`` or ``"objective"`` (see the module docstring).
    rule
        The :class:`~wfm.roster.problem.Rule` member of a labour rule; ``None`` otherwise.
    description
        What the rule asks, in one or two sentences.
    family
        Name of the model family (``build_model(families=...)``); units
        sharing a builder share it.
    model
        The CP-SAT builder in :mod:`wfm.roster.model`.
    precheck
        The pre-solve check in :mod:`wfm.roster.prechecks`, or ``None``.
    checker
        The independent check in :mod:`wfm.roster.checker`, or ``None`` for
        objective terms (nothing to break).
    shift_options
        How :mod:`wfm.roster.shifts` encodes it while expanding shifts (by
        default: not at all).
    lp_bound
        How the identity-free LP bound encodes it.
    class_flow
        How the per-class flow network (bound and starting roster) encodes it.
    contract_field
        The :class:`~wfm.roster.problem.Contract` field holding the rule's
        limit, or ``None``.
    labels
        The names under which the checker reports its rows and the precheck
        its conflicts (``"min_rest"`` and ``"shift_overlap"``, ...); for a
        labour rule built by :func:`_labour`, its value by default.
    """

    name: str
    kind: RuleKind
    rule: Rule | None = None
    description: str
    family: str
    model: ModelBuilder
    precheck: Precheck | None = None
    checker: RuleChecker | None = None
    shift_options: Encoding = _NOT_ENCODED
    lp_bound: Encoding
    class_flow: Encoding
    contract_field: str | None = None
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = f"rules[{self.name!r}]"
        if self.kind not in ("structure", "labour", "objective"):
            raise ValidationError(
                f"{where}.kind", self.kind, "'structure', 'labour' or 'objective'"
            )
        if (self.kind == "labour") != (self.rule is not None):
            raise ValidationError(
                f"{where}.rule", self.rule, "a Rule exactly when the kind is 'labour'"
            )
        if self.rule is not None and self.rule.value != self.name:
            raise ValidationError(
                f"{where}.name", self.name, f"the rule's value {self.rule.value!r}"
            )
        if self.contract_field is not None and self.contract_field not in _CONTRACT_FIELDS:
            raise ValidationError(
                f"{where}.contract_field", self.contract_field, "a field of Contract"
            )
        if self.checker is not None and not self.labels:
            raise ValidationError(
                f"{where}.labels", self.labels, "the names the checker reports its rows under"
            )
        object.__setattr__(self, "labels", tuple(self.labels))

    @property
    def encodings(self) -> dict[str, str | None]:
        """Dotted path of every encoding, by part (``None`` where the part leaves it out)."""
        return {
            "model": qualified_name(self.model),
            "precheck": None if self.precheck is None else qualified_name(self.precheck),
            "checker": None if self.checker is None else qualified_name(self.checker),
            "shift_options": self.shift_options.function,
            "lp_bound": self.lp_bound.function,
            "class_flow": self.class_flow.function,
        }


def qualified_name(function: Callable[..., Any]) -> str:
    """Dotted path of ``function`` (``"wfm.roster.model.add_rest"``)."""
    return f"{function.__module__}.{function.__qualname__}"


def _labour(
    rule: Rule,
    *,
    description: str,
    family: str,
    model: ModelBuilder,
    checker: RuleChecker,
    lp_bound: Encoding,
    class_flow: Encoding,
    precheck: Precheck | None = None,
    shift_options: Encoding = _NOT_ENCODED,
    contract_field: str | None = None,
    labels: tuple[str, ...] | None = None,
) -> RuleUnit:
    """The unit of a labour rule: named after it, its rows labelled with its value."""
    return RuleUnit(
        name=rule.value,
        kind="labour",
        rule=rule,
        description=description,
        family=family,
        model=model,
        precheck=precheck,
        checker=checker,
        shift_options=shift_options,
        lp_bound=lp_bound,
        class_flow=class_flow,
        contract_field=contract_field,
        labels=(rule.value,) if labels is None else labels,
    )


_CAPACITIES = "wfm.roster.bounds.lp._capacities"
_MAX_DAYS_WORKED = "wfm.roster.bounds.lp._max_days_worked"
_LP = "wfm.roster.bounds.lp.lower_bound"
_NETWORK = "wfm.roster.bounds.class_flow.class_network"
_FLOW_BOUND = "wfm.roster.bounds.class_flow.class_flow_bound"
_AGENT_OPTIONS = "wfm.roster.shifts.agent_options"

RULES: tuple[RuleUnit, ...] = (
    RuleUnit(
        name="assignment",
        kind="structure",
        description=(
            "Shifts are the templates' shifts (start, length, weekday, the agent's templates); "
            "at most one shift per agent and day."
        ),
        family="assignment",
        model=model.add_assignment,
        checker=checker.check_assignment,
        shift_options=Encoding(
            function="wfm.roster.shifts.shift_options",
            how="expands every template into its starts, lengths and weekdays",
        ),
        lp_bound=Encoding(
            function=_CAPACITIES,
            how="shifts of a day (and of a day and template) at most the agents able to work it",
        ),
        class_flow=Encoding(
            function=_NETWORK, how="one layer per day: a day off or one allowed option"
        ),
        labels=(
            "agent_template",
            "shift_day",
            "shift_start",
            "shift_weekday",
            "shift_length",
            "shift_record",
            "one_shift_per_day",
        ),
    ),
    RuleUnit(
        name="breaks",
        kind="structure",
        description=(
            "Every shift takes each break of its template once, inside its window and the "
            "shift, without two breaks overlapping."
        ),
        family="breaks",
        model=model.add_breaks,
        precheck=prechecks.precheck_template_breaks,
        checker=checker.check_breaks,
        shift_options=Encoding(
            function="wfm.roster.shifts.break_windows",
            how="allowed break starts per length; lengths where the breaks cannot fit are dropped",
        ),
        lp_bound=Encoding(
            function=_LP,
            how="a break variable per allowed start, summing to the shift; breaks may overlap",
        ),
        class_flow=Encoding(
            function=_FLOW_BOUND, how="break counts per allowed start, as in the LP bound"
        ),
        labels=(
            "template_breaks",
            "break_missing",
            "break_extra",
            "break_shape",
            "break_window",
            "break_overlap",
        ),
    ),
    RuleUnit(
        name="coverage",
        kind="objective",
        description=(
            "Under-staffing (convex per agent short) and over-staffing of every interval "
            "against the requirement."
        ),
        family="coverage",
        model=model.add_coverage,
        lp_bound=Encoding(
            function=_LP, how="coverage rows with a shortage variable; stage 1 minimises shortage"
        ),
        class_flow=Encoding(
            function=_FLOW_BOUND, how="coverage rows on the classes' option counts"
        ),
    ),
    RuleUnit(
        name="queue_coverage",
        kind="objective",
        description=(
            "With several queues: each agent's coverage allocated once per interval across "
            "the queues of its skills; per-interval queues' under- and over-staffing, e-mail "
            "work overdue past its deadline, outbound hours short of the daily target."
        ),
        family="queue_coverage",
        model=model.add_queue_coverage,
        lp_bound=Encoding(
            function=_LP,
            how=(
                "relaxed to one queue: the per-interval queues' summed requirement, skills, "
                "e-mail and outbound dropped"
            ),
        ),
        class_flow=Encoding(
            function="wfm.roster.search.flow_start.class_flow_roster",
            how="the starting roster covers the aggregate requirement (a heuristic, no bound)",
        ),
    ),
    RuleUnit(
        name="paid_cost",
        kind="objective",
        description="Paid hours at each agent's cost per hour times weights.paid_hour.",
        family="paid_cost",
        model=model.add_paid_cost,
        lp_bound=Encoding(function=_LP, how="stage 2 minimises paid hours at the least shortage"),
        class_flow=Encoding(
            function="wfm.roster.search.flow_start.class_flow_roster",
            how="the starting roster prices paid hours at each class's cost",
        ),
    ),
    _labour(
        Rule.MIN_HOURS,
        description="Paid hours in each week of the period at least the contract's minimum.",
        family="hours",
        model=model.add_hours_per_week,
        precheck=prechecks.precheck_min_hours,
        checker=checker.check_min_hours,
        lp_bound=Encoding(
            function=_CAPACITIES,
            how="total paid hours at least the sum of the minimums of every week",
        ),
        class_flow=Encoding(
            function=_NETWORK,
            how="states count paid minutes of the week; week ends reach the minimum",
        ),
        contract_field="min_hours_per_week",
    ),
    _labour(
        Rule.MAX_HOURS,
        description="Paid hours in each week of the period at most the contract's maximum.",
        family="hours",
        model=model.add_hours_per_week,
        precheck=prechecks.precheck_max_hours,
        checker=checker.check_max_hours,
        lp_bound=Encoding(
            function=_CAPACITIES,
            how="each agent's most paid hours capped by the maximum of each week",
        ),
        class_flow=Encoding(
            function=_NETWORK,
            how="arcs that would pass the week's maximum paid minutes are left out",
        ),
        contract_field="max_hours_per_week",
    ),
    _labour(
        Rule.MIN_HOURS_PERIOD,
        description="Paid hours in the whole planning period at least the contract's minimum.",
        family="period_hours",
        model=model.add_hours_per_period,
        checker=checker.check_min_hours_per_period,
        lp_bound=Encoding(
            function=_CAPACITIES, how="total paid hours at least the sum of the minimums"
        ),
        class_flow=Encoding(
            function=None,
            how="not encoded: the per-week states leave the period's total out (a relaxation)",
        ),
        contract_field="min_hours_per_period",
    ),
    _labour(
        Rule.MAX_HOURS_PERIOD,
        description="Paid hours in the whole planning period at most the contract's maximum.",
        family="period_hours",
        model=model.add_hours_per_period,
        checker=checker.check_max_hours_per_period,
        lp_bound=Encoding(
            function=_CAPACITIES, how="each agent's most paid hours capped by the maximum"
        ),
        class_flow=Encoding(
            function=None,
            how="not encoded: the per-week states leave the period's total out (a relaxation)",
        ),
        contract_field="max_hours_per_period",
    ),
    _labour(
        Rule.MIN_DAYS,
        description="Days with a shift in each week of the period at least the contract's minimum.",
        family="days",
        model=model.add_days_per_week,
        precheck=prechecks.precheck_min_days,
        checker=checker.check_min_days,
        lp_bound=Encoding(
            function=_CAPACITIES, how="all shifts at least the sum of the minimums of every week"
        ),
        class_flow=Encoding(function=_NETWORK, how="week ends have worked the minimum days"),
        contract_field="min_days_per_week",
    ),
    _labour(
        Rule.MAX_DAYS,
        description="Days with a shift in each week of the period at most the contract's maximum.",
        family="days",
        model=model.add_days_per_week,
        checker=checker.check_max_days,
        lp_bound=Encoding(
            function=_MAX_DAYS_WORKED,
            how="each agent's most days worked capped by the maximum of each week",
        ),
        class_flow=Encoding(function=_NETWORK, how="no working arc beyond the maximum days"),
        contract_field="max_days_per_week",
    ),
    _labour(
        Rule.MAX_CONSECUTIVE_DAYS,
        description=(
            "Runs of working days at most the contract's maximum, across week boundaries "
            "and counting the days worked just before the horizon."
        ),
        family="consecutive_days",
        model=model.add_consecutive_days,
        checker=checker.check_max_consecutive_days,
        lp_bound=Encoding(
            function=_MAX_DAYS_WORKED, how="the days-worked programme tracks the current run"
        ),
        class_flow=Encoding(function=_NETWORK, how="states keep the run of working days"),
        contract_field="max_consecutive_days",
    ),
    _labour(
        Rule.MIN_CONSECUTIVE_DAYS_OFF,
        description=(
            "In each week, a block of at least that many consecutive days off ending in it, "
            "which may begin in the week before or the days off just before the horizon."
        ),
        family="days_off_block",
        model=model.add_days_off_block,
        precheck=prechecks.precheck_min_consecutive_days_off,
        checker=checker.check_min_consecutive_days_off,
        lp_bound=Encoding(
            function=_MAX_DAYS_WORKED, how="the days-worked programme needs the block done"
        ),
        class_flow=Encoding(
            function=_NETWORK, how="states count days off until the week's block; week ends have it"
        ),
        contract_field="min_consecutive_days_off",
    ),
    _labour(
        Rule.MAX_WEEKEND_DAYS,
        description=(
            "Working days among the problem's weekend days in each week at most the "
            "contract's limit."
        ),
        family="weekend_days",
        model=model.add_weekend_days,
        checker=checker.check_max_weekend_days,
        lp_bound=Encoding(
            function=_CAPACITIES,
            how="weekend shifts at most the sum of the agents' limits of every week",
        ),
        class_flow=Encoding(function=_NETWORK, how="states count weekend days worked in the week"),
        contract_field="max_weekend_days",
    ),
    _labour(
        Rule.MIN_REST,
        description=(
            "Rest from the end of one shift to the start of the next at least the contract's "
            "minimum, across week boundaries and from the last shift before the horizon; "
            "shifts never overlap."
        ),
        family="rest",
        model=model.add_rest,
        checker=checker.check_min_rest,
        lp_bound=Encoding(
            function=None, how="not encoded: the identity-free relaxation ignores rest"
        ),
        class_flow=Encoding(
            function=_NETWORK,
            how="states keep the last shift's end; closer or overlapping starts are left out",
        ),
        contract_field="min_rest_hours",
        labels=(Rule.MIN_REST.value, "shift_overlap"),
    ),
    _labour(
        Rule.AVAILABILITY,
        description="Every shift lies inside one of the agent's weekly availability windows.",
        family="option_rules",
        model=model.add_option_rules,
        checker=checker.check_availability,
        shift_options=Encoding(
            function=_AGENT_OPTIONS,
            how="options outside the windows are dropped (hard) or marked as breaches (soft)",
        ),
        lp_bound=Encoding(
            function=_CAPACITIES, how="only the agents' allowed options count in the capacities"
        ),
        class_flow=Encoding(function=_NETWORK, how="arcs only for the class's allowed options"),
    ),
    _labour(
        Rule.TIME_OFF,
        description="No shift overlaps the agent's time off.",
        family="option_rules",
        model=model.add_option_rules,
        checker=checker.check_time_off,
        shift_options=Encoding(
            function=_AGENT_OPTIONS,
            how="options overlapping time off are dropped (hard) or marked as breaches (soft)",
        ),
        lp_bound=Encoding(
            function=_CAPACITIES, how="only the agents' allowed options count in the capacities"
        ),
        class_flow=Encoding(function=_NETWORK, how="arcs only for the class's allowed options"),
    ),
    _labour(
        Rule.PINS,
        description=(
            "Pinned days off stay off; pinned working days get a shift of the pinned "
            "template, start and length."
        ),
        family="option_rules",
        model=model.add_option_rules,
        precheck=prechecks.precheck_pins,
        checker=checker.check_pins,
        shift_options=Encoding(
            function=_AGENT_OPTIONS,
            how="options against a pin are dropped (hard) or marked as breaches (soft)",
        ),
        lp_bound=Encoding(
            function=_CAPACITIES, how="shifts of a day at least the agents pinned to work it"
        ),
        class_flow=Encoding(function=_NETWORK, how="pinned working days have no day-off arc"),
    ),
    RuleUnit(
        name="preferences",
        kind="objective",
        description="Preferred templates, start windows and days off, each at its weight.",
        family="preferences",
        model=model.add_preferences,
        lp_bound=Encoding(function=None, how="not encoded: wishes cost no coverage"),
        class_flow=Encoding(function=None, how="not encoded: left to the roster solver"),
    ),
    RuleUnit(
        name="fairness",
        kind="objective",
        description=(
            "Spread (most minus fewest) of weekend days and of late shifts across the agents."
        ),
        family="fairness",
        model=model.add_fairness,
        lp_bound=Encoding(function=None, how="not encoded: fairness costs no coverage"),
        class_flow=Encoding(function=None, how="not encoded: left to the roster solver"),
    ),
    RuleUnit(
        name="locks",
        kind="structure",
        description=(
            "Locked agent-days of a published roster (the problem's baseline) keep their "
            "published shift and every break of it, or their day off."
        ),
        family="changes",
        model=model.add_changes,
        checker=checker.check_locks,
        lp_bound=Encoding(
            function=None, how="not encoded: the bound relaxes the locks (it stays a bound)"
        ),
        class_flow=Encoding(function=None, how="not encoded: the published start keeps them"),
        labels=("locked_shift", "locked_break"),
    ),
    RuleUnit(
        name="changes",
        kind="objective",
        description=(
            "Every change from a published roster priced: shifts added or removed, starts "
            "moved, lengths and templates changed, breaks moved (ChangeWeights)."
        ),
        family="changes",
        model=model.add_changes,
        lp_bound=Encoding(function=None, how="not encoded: changes cost no coverage"),
        class_flow=Encoding(function=None, how="not encoded: left to the roster solver"),
    ),
)
"""Every rule unit, in the model's build order."""

_BY_NAME: dict[str, RuleUnit] = {unit.name: unit for unit in RULES}
if len(_BY_NAME) != len(RULES):  # pragma: no cover - a registry typo
    raise ValidationError("rules", [u.name for u in RULES], "unique unit names")


def rule_unit(name: str | Rule) -> RuleUnit:
    """The unit named ``name`` (a unit name or a :class:`~wfm.roster.problem.Rule`).

    Raises
    ------
    ValidationError
        If no unit has that name.
    """
    key = name.value if isinstance(name, Rule) else name
    unit = _BY_NAME.get(key)
    if unit is None:
        raise ValidationError("rule", name, f"one of {', '.join(_BY_NAME)}")
    return unit


def model_families() -> dict[str, ModelBuilder]:
    """The model builders by family name, in build order (:func:`add_assignment` first)."""
    families: dict[str, ModelBuilder] = {}
    for unit in RULES:
        families.setdefault(unit.family, unit.model)
    return families
