"""The cases of a sweep: every combination of the varied settings, each validated.

A *variation* is a setting and the values it takes: a YAML path of the
scenario (``service.target``, ``service.shrinkage``,
``solver.time_limit_seconds``, ``templates[0].latest_start``, ...) or one of
the what-if factors of :data:`SCALES`, which change the demand or the
headcount rather than an entry of the file:

``calls_scale``
    Calls of every interval of the forecast times this factor.
``aht_scale``
    AHT of every interval (or ``demand.forecast.default_aht_seconds``) times
    this factor.
``agents_scale``
    Headcount of every contract times this factor, rounded to the nearest
    whole agent: below 1 the first agents of each contract (in file order)
    stay, above 1 new hires join, each like an agent of the contract (same
    contract, templates, availability and cost per hour, without the
    original's time off, pins, preferences or days before the period), named
    ``<agent_id>+<n>``.

:func:`build_cases` reads the scenario once per case with the case's
entries set (:func:`wfm.scenario.load_scenario` with ``overrides``), so a
bad key or value is refused in one line, naming the setting, before any
case runs. A case carries only what differs from the base scenario (the
changed :class:`~wfm.scenario.Scenario` fields and the factors): the base
and its demand tables are shipped once to wherever the cases run.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from wfm.errors import ScenarioError, ValidationError
from wfm.roster.problem import Agent
from wfm.scenario import RequirementsDemand, Scenario, load_scenario

__all__ = [
    "SCALES",
    "STAGES",
    "DemandTables",
    "Stage",
    "SweepCase",
    "build_cases",
    "demand_fields",
    "scale_agents",
]

Stage = Literal["requirements", "roster", "simulate"]
#: The stages a sweep can stop after, in pipeline order.
STAGES: tuple[Stage, ...] = ("requirements", "roster", "simulate")

#: What-if factors that are not entries of the scenario file.
SCALES: tuple[str, ...] = ("calls_scale", "aht_scale", "agents_scale")

#: Largest number of cases of one sweep: a grid beyond it is more often a
#: typing slip (one value too many in each of five settings) than a plan.
MAX_CASES = 100_000

#: Scenario fields that decide the demand tables (forecast or requirements):
#: cases that agree on them share one forecast.
_DEMAND_FIELDS = ("demand", "start_date", "days", "interval_minutes", "time_zone")


def demand_fields(scenario: Scenario) -> tuple[Any, ...]:
    """The values of ``scenario`` that decide its demand tables (equal: one forecast)."""
    return tuple(getattr(scenario, name) for name in _DEMAND_FIELDS)


@dataclass(frozen=True, kw_only=True, eq=False)
class DemandTables:
    """The demand of cases that share their demand settings, computed once.

    ``forecast`` for history and forecast demand (staffed by each case with
    its own service policy), ``requirements`` (roster layout) for
    requirements demand; ``notes`` as :attr:`wfm.scenario.ScenarioRun.notes`.
    """

    forecast: pd.DataFrame | None
    requirements: pd.DataFrame | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SweepCase:
    """One case of a sweep: its settings and what it changes in the base scenario.

    Attributes
    ----------
    index
        Position in the grid (0-based; the first variation changes slowest).
    settings
        Each varied setting and its value in this case, as given.
    changes
        The :class:`~wfm.scenario.Scenario` fields that differ from the base
        scenario, validated.
    demand_index
        Which :class:`DemandTables` of the sweep's inputs this case uses.
    calls_scale, aht_scale, agents_scale
        The what-if factors (1: unchanged).
    """

    index: int
    settings: Mapping[str, Any]
    changes: Mapping[str, Any] = field(default_factory=dict)
    demand_index: int = 0
    calls_scale: float = 1.0
    aht_scale: float = 1.0
    agents_scale: float = 1.0

    def label(self) -> str:
        """``service.target=0.8 aht_scale=1.1``: the case's settings in one line."""
        return " ".join(f"{key}={value}" for key, value in self.settings.items()) or "base"


def scale_agents(agents: Sequence[Agent], factor: float) -> tuple[Agent, ...]:
    """The headcount of every contract times ``factor`` (see the module docstring).

    Parameters
    ----------
    agents
        The scenario's agents.
    factor
        Headcount factor > 0; each contract keeps at least one agent.

    Returns
    -------
    tuple of Agent
        The agents of each contract in file order, cut or extended.
    """
    if factor == 1.0:
        return tuple(agents)
    by_contract: dict[str, list[Agent]] = {}
    for agent in agents:
        by_contract.setdefault(agent.contract, []).append(agent)
    out: list[Agent] = []
    for members in by_contract.values():
        count = max(1, math.floor(len(members) * factor + 0.5))
        out.extend(members[:count])
        for n in range(count - len(members)):
            model = members[n % len(members)]
            out.append(
                Agent(
                    agent_id=f"{model.agent_id}+{n // len(members) + 1}",
                    contract=model.contract,
                    templates=model.templates,
                    availability=model.availability,
                    cost_per_hour=model.cost_per_hour,
                )
            )
    return tuple(out)


def _check_scale(key: str, value: Any, *, stage: Stage, base: Scenario) -> float:
    where = f"vary {key}"
    if not (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    ):
        raise ValidationError(where, value, "a factor > 0, e.g. 1.1 for 10% more")
    if key == "agents_scale" and stage == "requirements":
        raise ValidationError(
            where, value, "no agents_scale at the requirements stage (agents are rostered later)"
        )
    if key != "agents_scale" and isinstance(base.demand, RequirementsDemand):
        raise ValidationError(
            where,
            value,
            f"no {key} when demand is requirements (agents are given, no calls to scale)",
        )
    return float(value)


def build_cases(
    path: str | Path,
    vary: Mapping[str, Sequence[Any]],
    *,
    stage: Stage = "requirements",
    base_overrides: Mapping[str, Any] | None = None,
) -> tuple[Scenario, list[SweepCase], list[Scenario]]:
    """The base scenario and every case of the grid ``vary``, validated.

    Parameters
    ----------
    path
        The scenario YAML file.
    vary
        Each setting (a YAML path or a name of :data:`SCALES`) and its values,
        at least one each. The grid is their product, the first setting
        changing slowest.
    stage
        The stage the sweep stops after (``agents_scale`` needs a roster).
    base_overrides
        Entries set in every case (as ``overrides`` of
        :func:`wfm.scenario.load_scenario`), e.g. the solver's time limit.

    Returns
    -------
    tuple
        The base scenario (with ``base_overrides``), the cases, and one
        scenario per distinct demand setting (that of its first case), whose
        pipeline gives the demand tables of the cases with that
        ``demand_index``.

    Raises
    ------
    wfm.errors.ValidationError
        A setting or value is refused (``vary service.target: got 1.5,
        expected ...``), or the grid is empty or too large.
    """
    if stage not in STAGES:
        raise ValidationError("stage", stage, f"one of {', '.join(STAGES)}")
    if not vary:
        raise ValidationError("vary", dict(vary), "at least one setting and its values")
    keys = list(vary)
    values: list[list[Any]] = []
    total = 1
    for key in keys:
        items = list(vary[key])
        if not items:
            raise ValidationError(f"vary {key}", items, "at least one value")
        values.append(items)
        total *= len(items)
    if total > MAX_CASES:
        raise ValidationError("vary", f"{total:,} cases", f"at most {MAX_CASES:,} cases")
    fixed = dict(base_overrides or {})
    base = _load(path, fixed, keys)
    entry_keys = [k for k in keys if k not in SCALES]
    loaded: dict[tuple[Any, ...], Scenario] = {}
    cases: list[SweepCase] = []
    demand_scenarios: list[Scenario] = []
    demand_keys: list[tuple[Any, ...]] = []
    for index, combo in enumerate(itertools.product(*values)):
        settings = dict(zip(keys, combo, strict=True))
        entries = tuple((k, _hashable(settings[k])) for k in entry_keys)
        if entries not in loaded:
            loaded[entries] = _load(path, fixed | {k: settings[k] for k in entry_keys}, keys)
        scenario = loaded[entries]
        scales = {
            k: _check_scale(k, settings[k], stage=stage, base=scenario)
            for k in SCALES
            if k in settings
        }
        changes = {
            f.name: getattr(scenario, f.name)
            for f in dataclasses.fields(Scenario)
            if not _same(getattr(scenario, f.name), getattr(base, f.name))
        }
        demand_key = demand_fields(scenario)
        for position, known in enumerate(demand_keys):
            if _same(known, demand_key):
                demand_index = position
                break
        else:
            demand_keys.append(demand_key)
            demand_scenarios.append(scenario)
            demand_index = len(demand_keys) - 1
        if "agents_scale" in scales:
            _check_agents(scenario, scales["agents_scale"])
        cases.append(
            SweepCase(
                index=index,
                settings=settings,
                changes=changes,
                demand_index=demand_index,
                **scales,
            )
        )
    return base, cases, demand_scenarios


def _load(path: str | Path, overrides: Mapping[str, Any], varied: Sequence[str]) -> Scenario:
    """Load with ``overrides``; an error on a varied entry names it as ``vary KEY``."""
    try:
        return load_scenario(path, overrides=overrides)
    except ScenarioError as exc:
        for key in varied:
            if exc.field == key or exc.field.startswith((f"{key}.", f"{key}[")):
                raise ValidationError(f"vary {exc.field}", exc.value, exc.expected) from None
        raise


def _check_agents(scenario: Scenario, factor: float) -> None:
    """Build the problem on empty requirements with the scaled agents: every cross-check now."""
    empty = pd.DataFrame(
        {
            "interval_start": pd.Series([], dtype="datetime64[ns]"),
            "required_scheduled": pd.Series([], dtype=float),
        }
    )
    scaled = dataclasses.replace(scenario, agents=scale_agents(scenario.agents, factor))
    try:
        scaled.problem_from_requirements(empty)
    except ValidationError as exc:
        raise ValidationError(
            "vary agents_scale", factor, f"a headcount the roster accepts ({exc})"
        ) from None


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # values without a plain equality
        return a is b
