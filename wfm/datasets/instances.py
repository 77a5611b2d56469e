"""Seeded families of weekly roster problems for benchmarks and tests.

Every instance is built the same way a user would build one:

1. eight weeks of synthetic history (:func:`wfm.datasets.history.synthetic_history`),
2. a seasonal-average forecast of the benchmark week (mean calls and
   call-weighted handle time per weekday and time of day),
3. per-interval staffing from :func:`wfm.staffing.requirements` (Erlang C,
   80 % of calls answered within 20 s, 10 % shrinkage the roster does not place),
4. a :class:`~wfm.roster.problem.RosterProblem` with shift templates, contracts
   and named agents.

The call volume is scaled so that the required on-phone agent-hours are a
chosen multiple (``load``, default 0.9) of what the agent pool can deliver at
most. Because demand peaks within the day and the week while shifts have set
lengths and agents set days, a pool loaded at 0.9 of its hours is still a
little short at the peaks, as most centres are. Only the seed and the
:class:`InstanceSpec` fields decide the result, so an instance is identified
by its name (for example ``a100-i15-flex-brk-mixed-s0``).

Instance features
-----------------
``starts``
    ``"flexible"``: a start every interval in the template's window;
    ``"fixed"``: three start times two to three hours apart.
``breaks``
    With breaks, full-time shifts last 8.5 h with a 15-minute paid break, a
    30-minute unpaid lunch and a second 15-minute paid break (30-minute
    breaks on a 30-minute grid); part-time shifts have one paid break.
    Without breaks, full-time shifts last 8 h. The latest full-time start
    ends at closing time (20:00).
``contracts``
    ``"full_time"``: every agent works 32-40 paid hours on 4-5 days;
    ``"mixed"``: 30 % of the agents are part-timers (16-30 h, 4-6 h shifts,
    some not available at weekends).
    Every contract requires two consecutive days off and 11 h of rest.

About one agent in six has a soft wish (a preferred day off or a preferred
start window) and one in twenty has a day of time off.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from wfm.datasets.history import synthetic_history
from wfm.errors import ValidationError
from wfm.roster.problem import (
    Agent,
    AvailabilityWindow,
    BreakRule,
    Contract,
    PreferDayOff,
    Preference,
    PreferStartWindow,
    RosterProblem,
    ShiftTemplate,
    TimeOff,
    requirements_from_staffing,
)
from wfm.service import ServicePolicy

__all__ = [
    "FAMILIES",
    "HORIZON_START",
    "InstanceSpec",
    "family",
    "make_forecast",
    "make_problem",
    "parse_instance_name",
    "pool_capacity_hours",
    "write_instance",
]

#: First day (a Monday) of every generated week.
HORIZON_START = dt.date(2026, 9, 7)

#: Service target of every generated instance.
SERVICE_LEVEL = 0.8
ANSWER_WITHIN_SECONDS = 20.0
#: Shrinkage not placed by the roster (absence, training, meetings).
SHRINKAGE = 0.10
#: Share of part-timers in the mixed pool.
PART_TIME_SHARE = 0.30
#: Weeks of synthetic history behind the seasonal-average forecast.
HISTORY_WEEKS = 8


@dataclass(frozen=True, kw_only=True)
class InstanceSpec:
    """Recipe of one generated roster problem.

    Parameters
    ----------
    agents
        Size of the agent pool (>= 2).
    interval_minutes
        Grid: 15 or 30 minutes.
    starts
        ``"flexible"`` (a start every interval in the window) or ``"fixed"``
        (three start times per template).
    breaks
        Whether shifts carry breaks and a lunch.
    contracts
        ``"mixed"`` (70 % full-time, 30 % part-time) or ``"full_time"``.
    seed
        Seed of the history, the agents' wishes and the time off.
    load
        Required on-phone agent-hours divided by the most the pool can give
        (> 0; above 1 the week is short-staffed whatever the roster).
    weeks
        Weeks of the planning period, 1 to 6: the benchmark week's
        requirements repeated on each (the agents' wishes and time off stay
        in the first week).
    """

    agents: int
    interval_minutes: int = 15
    starts: Literal["flexible", "fixed"] = "flexible"
    breaks: bool = True
    contracts: Literal["mixed", "full_time"] = "mixed"
    seed: int = 0
    load: float = 0.9
    weeks: int = 1

    def __post_init__(self) -> None:
        if not (isinstance(self.agents, int) and not isinstance(self.agents, bool)):
            raise ValidationError("agents", self.agents, "a whole number >= 2")
        if self.agents < 2:
            raise ValidationError("agents", self.agents, "a whole number >= 2")
        if self.interval_minutes not in (15, 30):
            raise ValidationError("interval_minutes", self.interval_minutes, "15 or 30")
        if self.starts not in ("flexible", "fixed"):
            raise ValidationError("starts", self.starts, "'flexible' or 'fixed'")
        if not isinstance(self.breaks, bool):
            raise ValidationError("breaks", self.breaks, "True or False")
        if self.contracts not in ("mixed", "full_time"):
            raise ValidationError("contracts", self.contracts, "'mixed' or 'full_time'")
        if not (isinstance(self.seed, int) and not isinstance(self.seed, bool) and self.seed >= 0):
            raise ValidationError("seed", self.seed, "a whole number >= 0")
        if not (
            isinstance(self.load, (int, float))
            and not isinstance(self.load, bool)
            and math.isfinite(self.load)
            and 0 < self.load <= 3
        ):
            raise ValidationError("load", self.load, "a number in (0, 3]")
        if not (
            isinstance(self.weeks, int)
            and not isinstance(self.weeks, bool)
            and 1 <= self.weeks <= 6
        ):
            raise ValidationError("weeks", self.weeks, "a whole number of weeks in [1, 6]")

    @property
    def name(self) -> str:
        """Identifier such as ``a100-i15-flex-brk-mixed-s0`` (``-l0.95`` if load differs,
        ``-w4`` for a period of 4 weeks)."""
        parts = [
            f"a{self.agents}",
            f"i{self.interval_minutes}",
            "flex" if self.starts == "flexible" else "fixed",
            "brk" if self.breaks else "nobrk",
            "mixed" if self.contracts == "mixed" else "ft",
            f"s{self.seed}",
        ]
        if self.load != 0.9:
            parts.append(f"l{self.load:g}")
        if self.weeks != 1:
            parts.append(f"w{self.weeks}")
        return "-".join(parts)


def parse_instance_name(name: str) -> InstanceSpec:
    """Inverse of :attr:`InstanceSpec.name`.

    Raises
    ------
    ValidationError
        When ``name`` is not of the form
        ``a<agents>-i<15|30>-<flex|fixed>-<brk|nobrk>-<mixed|ft>-s<seed>[-l<load>][-w<weeks>]``.
    """
    expected = "a name like 'a100-i15-flex-brk-mixed-s0' (optionally '-l0.95', '-w4')"
    parts = name.split("-")
    try:
        if len(parts) not in (6, 7, 8):
            raise ValueError
        a, i, st, br, co, s = parts[:6]
        if not (a[0] == "a" and i[0] == "i" and s[0] == "s"):
            raise ValueError
        if st not in ("flex", "fixed") or br not in ("brk", "nobrk") or co not in ("mixed", "ft"):
            raise ValueError
        load = 0.9
        weeks = 1
        rest = parts[6:]
        if rest and rest[0][0] == "l":
            load = float(rest.pop(0)[1:])
        if rest and rest[0][0] == "w":
            weeks = int(rest.pop(0)[1:])
        if rest:
            raise ValueError
        return InstanceSpec(
            agents=int(a[1:]),
            interval_minutes=int(i[1:]),
            starts="flexible" if st == "flex" else "fixed",
            breaks=br == "brk",
            contracts="mixed" if co == "mixed" else "full_time",
            seed=int(s[1:]),
            load=load,
            weeks=weeks,
        )
    except (ValueError, IndexError):
        raise ValidationError("instance", name, expected) from None


def _sizes(sizes: tuple[int, ...], **kwargs: Any) -> tuple[InstanceSpec, ...]:
    return tuple(InstanceSpec(agents=n, **kwargs) for n in sizes)


_SCALING = (25, 50, 100, 200, 500)

#: Named families: name -> (description, instances).
FAMILIES: Mapping[str, tuple[str, tuple[InstanceSpec, ...]]] = {
    "tiny": (
        "one 6-agent week, 30-minute grid, fixed starts, no breaks (smoke test)",
        (InstanceSpec(agents=6, interval_minutes=30, starts="fixed", breaks=False),),
    ),
    "scaling": (
        "25-500 agents, 15-minute grid, flexible starts, breaks, mixed contracts",
        _sizes(_SCALING),
    ),
    "scaling30": (
        "25-500 agents, 30-minute grid, flexible starts, breaks, mixed contracts",
        _sizes(_SCALING, interval_minutes=30),
    ),
    "variants": (
        "100 agents: each feature switched off in turn (fixed starts, no breaks, "
        "full-time only, 30-minute grid) and everything off",
        (
            InstanceSpec(agents=100),
            InstanceSpec(agents=100, starts="fixed"),
            InstanceSpec(agents=100, breaks=False),
            InstanceSpec(agents=100, contracts="full_time"),
            InstanceSpec(agents=100, interval_minutes=30),
            InstanceSpec(agents=100, starts="fixed", breaks=False, contracts="full_time"),
        ),
    ),
    "acceptance": (
        "the roster acceptance weeks: 50, 100, 200, 500 agents, 15-minute grid, "
        "flexible starts, breaks, two-days-off contracts",
        _sizes((50, 100, 200, 500)),
    ),
    "medium": (
        "the medium instance used for seed/worker variance: 100 agents, full features",
        (InstanceSpec(agents=100),),
    ),
    "peer": (
        "the feature-matched peer comparison input: 100 full-time agents, flexible starts, "
        "no breaks, 15-minute grid",
        (InstanceSpec(agents=100, breaks=False, contracts="full_time"),),
    ),
}


def family(name: str) -> tuple[InstanceSpec, ...]:
    """The instances of the named family (see :data:`FAMILIES`).

    Raises
    ------
    ValidationError
        For an unknown family name.
    """
    if name not in FAMILIES:
        raise ValidationError("family", name, f"one of {', '.join(FAMILIES)}")
    return FAMILIES[name][1]


# -- building blocks -----------------------------------------------------------------------------


def _templates(spec: InstanceSpec) -> tuple[ShiftTemplate, ShiftTemplate]:
    im = spec.interval_minutes
    short_break = max(15, im)
    if spec.breaks:
        full_length = 510
        full_breaks: tuple[BreakRule, ...] = (
            BreakRule(
                name="break1",
                duration_minutes=short_break,
                paid=True,
                earliest_start_after_minutes=90,
                latest_start_after_minutes=150,
            ),
            BreakRule(
                name="lunch",
                duration_minutes=30,
                paid=False,
                earliest_start_after_minutes=210,
                latest_start_after_minutes=300,
            ),
            BreakRule(
                name="break2",
                duration_minutes=short_break,
                paid=True,
                earliest_start_after_minutes=360,
                latest_start_after_minutes=420,
            ),
        )
        part_breaks: tuple[BreakRule, ...] = (
            BreakRule(
                name="break1",
                duration_minutes=short_break,
                paid=True,
                earliest_start_after_minutes=90,
                latest_start_after_minutes=180,
            ),
        )
    else:
        full_length = 480
        full_breaks = ()
        part_breaks = ()
    # the latest full-time shift ends at closing time (20:00)
    latest = (20 * 60 - full_length) // 60, (20 * 60 - full_length) % 60
    if spec.starts == "flexible":
        full_window = (dt.time(7, 0), dt.time(*latest), im)
        part_window = (dt.time(8, 0), dt.time(16, 0), im)
    else:
        first = 20 * 60 - full_length - 240
        full_window = (dt.time(first // 60, first % 60), dt.time(*latest), 120)
        part_window = (dt.time(8, 0), dt.time(14, 0), 180)
    full = ShiftTemplate(
        name="full",
        earliest_start=full_window[0],
        latest_start=full_window[1],
        start_step_minutes=full_window[2],
        min_length_minutes=full_length,
        breaks=full_breaks,
    )
    part = ShiftTemplate(
        name="part",
        earliest_start=part_window[0],
        latest_start=part_window[1],
        start_step_minutes=part_window[2],
        min_length_minutes=240,
        max_length_minutes=360,
        length_step_minutes=60,
        breaks=part_breaks,
    )
    return full, part


def _contracts() -> tuple[Contract, Contract]:
    full = Contract(
        name="full_time",
        min_hours_per_week=32.0,
        max_hours_per_week=40.0,
        min_days_per_week=4,
        max_days_per_week=5,
        max_consecutive_days=6,
        min_consecutive_days_off=2,
        min_rest_hours=11.0,
        max_weekend_days=2,
        cost_per_hour=1.0,
    )
    part = Contract(
        name="part_time",
        min_hours_per_week=16.0,
        max_hours_per_week=30.0,
        min_days_per_week=3,
        max_days_per_week=5,
        max_consecutive_days=6,
        min_consecutive_days_off=2,
        min_rest_hours=11.0,
        max_weekend_days=2,
        cost_per_hour=1.0,
    )
    return full, part


def _on_phone_hours(template: ShiftTemplate, length_minutes: int) -> float:
    return (length_minutes - sum(b.duration_minutes for b in template.breaks)) / 60.0


def pool_capacity_hours(problem: RosterProblem) -> float:
    """Most on-phone agent-hours the pool can give in the week (an upper estimate).

    For each agent: the most paid hours their contract allows (capped by the
    days allowed times the longest paid shift of their templates), converted
    to on-phone hours with the on-phone share of that longest shift.
    """
    total = 0.0
    templates = {t.name: t for t in problem.templates}
    for agent in problem.agents:
        contract = problem.contract_of(agent)
        names = agent.templates if agent.templates is not None else tuple(templates)
        best_paid = 0.0
        best_ratio = 0.0
        for name in names:
            template = templates[name]
            length = max(template.lengths_minutes)
            paid = (length - template.unpaid_break_minutes()) / 60.0
            if paid > best_paid:
                best_paid = paid
                best_ratio = _on_phone_hours(template, length) / paid if paid > 0 else 0.0
        days = min(contract.max_days_per_week, problem.days)
        paid_hours = min(contract.max_hours_per_week, days * best_paid)
        total += paid_hours * best_ratio
    return total


def _agents(spec: InstanceSpec, rng: np.random.Generator) -> tuple[Agent, ...]:
    n_part = round(PART_TIME_SHARE * spec.agents) if spec.contracts == "mixed" else 0
    width = max(3, len(str(spec.agents)))
    weekday_windows = tuple(
        AvailabilityWindow(weekday=d, start=dt.time(6, 0), end=dt.time(23, 0)) for d in range(5)
    )
    agents: list[Agent] = []
    for k in range(spec.agents):
        part_time = k >= spec.agents - n_part
        availability = None
        if part_time and rng.random() < 0.3:
            availability = weekday_windows
        preferences: tuple[Preference, ...] = ()
        draw = rng.random()
        if draw < 0.10:
            day = HORIZON_START + dt.timedelta(days=int(rng.integers(0, 7)))
            preferences = (PreferDayOff(day=day, weight=5.0),)
        elif draw < 0.17:
            if rng.random() < 0.5:
                preferences = (
                    PreferStartWindow(earliest=dt.time(7, 0), latest=dt.time(9, 0), weight=2.0),
                )
            else:
                preferences = (
                    PreferStartWindow(earliest=dt.time(10, 0), latest=dt.time(16, 0), weight=2.0),
                )
        time_off: tuple[TimeOff, ...] = ()
        if rng.random() < 0.05:
            day = HORIZON_START + dt.timedelta(days=int(rng.integers(0, 5)))
            time_off = (TimeOff.whole_day(day),)
        agents.append(
            Agent(
                agent_id=f"A{k + 1:0{width}d}",
                contract="part_time" if part_time else "full_time",
                templates=("part",) if part_time else ("full",),
                availability=availability,
                preferences=preferences,
                time_off=time_off,
            )
        )
    return tuple(agents)


def make_forecast(*, interval_minutes: int = 15, seed: int = 0) -> pd.DataFrame:
    """Seasonal-average forecast of the benchmark week from synthetic history.

    Draws :data:`HISTORY_WEEKS` weeks of :func:`synthetic_history` (default
    centre shape, peak of 95 calls per 15 minutes) ending the day before
    :data:`HORIZON_START`, then averages calls per weekday and time of day
    and weights handle times by calls.

    Returns
    -------
    pandas.DataFrame
        ``interval_start`` (the open intervals of the benchmark week),
        ``calls`` (float, expected calls) and ``aht_seconds``.
    """
    first = HORIZON_START - dt.timedelta(weeks=HISTORY_WEEKS)
    history = synthetic_history(
        start=first, weeks=HISTORY_WEEKS, interval_minutes=interval_minutes, seed=seed
    )
    stamps = pd.to_datetime(history["interval_start"])
    offset = (stamps - pd.Timestamp(first)) % pd.Timedelta(weeks=1)
    calls = history["calls"].astype(float)
    handled = calls * history["aht_seconds"].fillna(0.0)
    grouped = pd.DataFrame({"offset": offset, "calls": calls, "handled": handled}).groupby(
        "offset", sort=True
    )
    mean_calls = grouped["calls"].sum() / HISTORY_WEEKS
    sum_calls = grouped["calls"].sum()
    aht = (grouped["handled"].sum() / sum_calls.where(sum_calls > 0)).fillna(
        float(handled.sum() / max(calls.sum(), 1.0))
    )
    return pd.DataFrame(
        {
            "interval_start": pd.Timestamp(HORIZON_START) + mean_calls.index,
            "calls": mean_calls.to_numpy(dtype=float),
            "aht_seconds": aht.to_numpy(dtype=float),
        }
    ).reset_index(drop=True)


#: The service policy of every generated instance: staffing and the report use it.
SERVICE = ServicePolicy(
    level=SERVICE_LEVEL,
    answer_within_seconds=ANSWER_WITHIN_SECONDS,
    model="erlang_c",
    shrinkage=SHRINKAGE,
)


def _staffing(forecast: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    from wfm.staffing import requirements

    return requirements(
        forecast.assign(is_open=True), policy=SERVICE, interval_minutes=interval_minutes
    )


def make_problem(spec: InstanceSpec) -> RosterProblem:
    """Build the roster problem of ``spec`` (deterministic).

    The forecast of :func:`make_forecast` is scaled by a factor found by a
    few secant steps so that the required on-phone agent-hours equal
    ``spec.load`` times :func:`pool_capacity_hours` (within 0.5 %).

    Returns
    -------
    RosterProblem
        ``7 * spec.weeks`` days from :data:`HORIZON_START` (the week's
        requirements repeated), with ``service`` set so the roster's service
        level can be reported.
    """
    rng = np.random.default_rng([spec.seed, spec.agents, spec.interval_minutes])
    templates = _templates(spec)
    contracts = _contracts()
    agents = _agents(spec, rng)
    service = SERVICE
    base = make_forecast(interval_minutes=spec.interval_minutes, seed=spec.seed)
    skeleton = RosterProblem(
        start_date=HORIZON_START,
        requirements=pd.DataFrame({"interval_start": [], "required_scheduled": []}),
        templates=templates,
        contracts=contracts,
        agents=agents,
        interval_minutes=spec.interval_minutes,
        service=service,
    )
    target_hours = spec.load * pool_capacity_hours(skeleton)
    hours_per_interval = spec.interval_minutes / 60.0

    def required_hours(scale: float) -> tuple[float, pd.DataFrame]:
        forecast = base.assign(calls=base["calls"] * scale)
        staffing = _staffing(forecast, spec.interval_minutes)
        table = requirements_from_staffing(staffing)
        return float(table["required_scheduled"].sum()) * hours_per_interval, table

    # Required hours grow a little less than proportionally with volume (economies of
    # scale): a proportional first guess, then secant steps.
    s0 = 1.0
    h0, table = required_hours(s0)
    s1 = s0 * target_hours / max(h0, 1e-9)
    h1, table = required_hours(s1)
    for _ in range(8):
        if abs(h1 - target_hours) <= 0.005 * target_hours or h1 == h0:
            break
        s2 = max(s1 + (target_hours - h1) * (s1 - s0) / (h1 - h0), 1e-6)
        s0, h0 = s1, h1
        s1 = s2
        h1, table = required_hours(s1)
    if spec.weeks > 1:
        table = pd.concat(
            [
                table.assign(interval_start=table["interval_start"] + pd.Timedelta(weeks=k))
                for k in range(spec.weeks)
            ],
            ignore_index=True,
        )
    return replace(skeleton, requirements=table, days=7 * spec.weeks)


def write_instance(
    spec: InstanceSpec,
    directory: str | Path,
    *,
    time_limit_seconds: float = 60.0,
    workers: int = 2,
    seed: int = 0,
) -> Path:
    """Write ``spec`` as a scenario runnable with ``wfm roster``.

    The scenario goes to its own folder ``directory/<instance name>/`` (the
    YAML file and its ``requirements.csv``), with the given solver settings.

    Returns
    -------
    pathlib.Path
        Path of the scenario YAML file, named after the instance.
    """
    from wfm.scenario import write_scenario

    return write_scenario(
        make_problem(spec),
        Path(directory) / spec.name,
        name=spec.name,
        solver={"time_limit_seconds": time_limit_seconds, "workers": workers, "seed": seed},
    )
