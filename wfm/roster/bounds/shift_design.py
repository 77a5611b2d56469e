"""Shift design: which shifts to open, and how many agents on each, per day.

Given the agents required in every slot of a horizon and a few shift types
(each a window of allowed starts, a range of lengths and a cost per agent),
choose shifts (start, length) and a whole number of agents on each shift for
every day, so that the cost of under- and over-staffing, of the distinct
shifts used and of the agent-shifts staffed is least. Without shift costs
this is the *minimum shift design* problem of Musliu, Schaerf & Slany, "Local
search for shift design", European Journal of Operational Research 153
(2004) and Di Gaspero et al., "The minimum shift design problem", Annals of
Operations Research 155 (2007): the aggregate, identity-free step between
per-interval staffing and a named roster, and so a relative of the roster's
lower bounds beside it in :mod:`wfm.roster.bounds`.

Objective
---------
``understaffing_per_agent_minute * slot_minutes * sum_t understaffing_t
+ overstaffing_per_agent_minute * slot_minutes * sum_t overstaffing_t
+ cost_per_distinct_shift * (number of distinct (start, length) shifts used)
+ sum_(shift, day) agents[shift, day] * agent_shift_cost(shift, day)``

where under- and over-staffing are in agents per slot, a distinct shift
counts once however many days it is staffed, and the cost of one agent on a
shift is its type's ``cost_per_agent_shift + cost_per_agent_hour * hours``
(the least such cost when several types allow that shift on that day; see
:meth:`ShiftDesignProblem.agent_shift_cost`). Every cost is in the same
cost units. With the default costs of 0 the last term vanishes and the
objective is the minimum shift design one: the fewest deviations and distinct
shifts; with unequal costs it is the cheapest cover. With a cyclic horizon (a
week repeated) a shift starting late on the last day covers the first slots
of the first day; otherwise its tail beyond the horizon covers nothing.

Model
-----
OR-Tools CP-SAT: one integer per (shift, day) for its agents, one boolean
per distinct shift linked by ``agents <= M * used`` (``M`` the most agents
required in a slot the shift covers, which no optimal solution exceeds), and
per-slot under- and over-staffing. Three additions make it fast without
changing its optimum:

* requirement-jump cuts: where the requirement rises (falls) at a clock
  time, either a used shift starts (ends) at that time or the slot pair
  deviates;
* the LP relaxation of that model, solved with GLOP, rounded up to the
  objective's step, as a lower bound constraint;
* a warm start: the model restricted to shifts that start and end at clock
  times where the requirement changes is solved first and hinted to the full
  one.

Examples
--------
>>> import numpy as np
>>> day = ShiftType(name="day", min_start=6, max_start=10, min_length=8, max_length=8)
>>> required = np.array([0] * 8 + [2] * 8 + [0] * 8)
>>> problem = ShiftDesignProblem(required_agents=required, slot_minutes=60, days=1,
...                              cyclic=False, shift_types=(day,), cost_per_distinct_shift=10)
>>> result = design_shifts(problem, time_limit_seconds=10, workers=1)
>>> result.status.value, result.objective
('OPTIMAL', 10.0)
>>> result.shifts[["start_time", "length_minutes", "day_0"]].to_dict("records")
[{'start_time': '08:00', 'length_minutes': 480, 'day_0': 2}]
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wfm.errors import ValidationError
from wfm.status import SolveStatus, relative_gap

if TYPE_CHECKING:
    from wfm.roster.problem import RosterProblem

__all__ = [
    "ShiftDesignProblem",
    "ShiftDesignResult",
    "ShiftType",
    "design_objective",
    "design_shifts",
    "shift_design_problem_from_roster",
]


def _whole(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


@dataclass(frozen=True, kw_only=True)
class ShiftType:
    """A family of shifts, on the slot grid, and what an agent on one costs.

    Parameters
    ----------
    name
        Label (``"morning"``).
    min_start, max_start
        First and last allowed start, in slots after midnight (inclusive).
    min_length, max_length
        Allowed lengths in slots (inclusive).
    start_step, length_step
        Spacing of allowed starts and lengths, in slots.
    days
        Horizon days (0-based) on which the type may start; ``None``: all.
    cost_per_agent_shift
        Fixed cost of one agent working one shift of this type (an allowance,
        a premium), in cost units; >= 0.
    cost_per_agent_hour
        Cost of one agent-hour on a shift of this type (the hourly rate,
        night or weekend premiums included), in cost units; >= 0. A shift of
        ``length`` slots costs ``length * slot_minutes / 60`` times this per
        agent.
    """

    name: str
    min_start: int
    max_start: int
    min_length: int
    max_length: int
    start_step: int = 1
    length_step: int = 1
    days: frozenset[int] | None = None
    cost_per_agent_shift: float = 0.0
    cost_per_agent_hour: float = 0.0

    def __post_init__(self) -> None:
        where = f"shift_types[{self.name!r}]"
        if not self.name:
            raise ValidationError("shift_type.name", self.name, "a non-empty name")
        for attr in ("min_start", "max_start", "min_length", "max_length"):
            if not _whole(getattr(self, attr)):
                raise ValidationError(f"{where}.{attr}", getattr(self, attr), "a whole number")
        if self.min_start < 0:
            raise ValidationError(f"{where}.min_start", self.min_start, "a slot >= 0")
        if self.max_start < self.min_start:
            raise ValidationError(
                f"{where}.max_start", self.max_start, f"a slot >= min_start ({self.min_start})"
            )
        if self.min_length < 1:
            raise ValidationError(f"{where}.min_length", self.min_length, "a length >= 1 slot")
        if self.max_length < self.min_length:
            raise ValidationError(
                f"{where}.max_length",
                self.max_length,
                f"a length >= min_length ({self.min_length})",
            )
        for attr in ("start_step", "length_step"):
            value = getattr(self, attr)
            if not (_whole(value) and value >= 1):
                raise ValidationError(f"{where}.{attr}", value, "a whole number of slots >= 1")
        for attr in ("cost_per_agent_shift", "cost_per_agent_hour"):
            value = getattr(self, attr)
            if not (_number(value) and value >= 0):
                raise ValidationError(f"{where}.{attr}", value, "a finite number >= 0")
        if self.days is not None:
            object.__setattr__(self, "days", frozenset(self.days))

    @property
    def starts(self) -> tuple[int, ...]:
        """Allowed starts, in slots after midnight."""
        return tuple(range(self.min_start, self.max_start + 1, self.start_step))

    @property
    def lengths(self) -> tuple[int, ...]:
        """Allowed lengths, in slots."""
        return tuple(range(self.min_length, self.max_length + 1, self.length_step))

    def allows(self, start: int, length: int, day: int | None = None) -> bool:
        """Whether shift ``(start, length)`` is of this type (on ``day``, if given)."""
        if start not in self.starts or length not in self.lengths:
            return False
        return day is None or self.days is None or day in self.days


@dataclass(frozen=True, kw_only=True, eq=False)
class ShiftDesignProblem:
    """Agents required per slot and shift types to cover them with.

    Parameters
    ----------
    required_agents
        Agents required in each slot of the horizon: ``days * slots_per_day``
        whole numbers >= 0, slot ``t`` starting ``t * slot_minutes`` after the
        horizon's start (day 0, 00:00).
    slot_minutes
        Slot length in minutes; divides 1440.
    shift_types
        The shift types (non-empty; names unique).
    days
        Days in the horizon.
    cyclic
        The horizon repeats (a week): shifts past its end wrap to its start.
    understaffing_per_agent_minute, overstaffing_per_agent_minute
        Cost of one agent-minute short of, or beyond, the requirement.
    cost_per_distinct_shift
        Cost of each distinct (start, length) shift used.
    """

    required_agents: np.ndarray
    slot_minutes: int
    shift_types: tuple[ShiftType, ...]
    days: int = 7
    cyclic: bool = True
    understaffing_per_agent_minute: float = 1.0
    overstaffing_per_agent_minute: float = 1.0
    cost_per_distinct_shift: float = 0.0

    def __post_init__(self) -> None:
        sm = self.slot_minutes
        if not (_whole(sm) and 1 <= sm <= 1440 and 1440 % sm == 0):
            raise ValidationError("slot_minutes", sm, "a whole number of minutes that divides 1440")
        if not (_whole(self.days) and self.days >= 1):
            raise ValidationError("days", self.days, "a whole number of days >= 1")
        raw = np.asarray(self.required_agents)
        expected_len = self.days * (1440 // sm)
        if raw.ndim != 1 or raw.size != expected_len:
            raise ValidationError(
                "required_agents",
                f"shape {raw.shape}",
                f"{expected_len} values (days {self.days} x {1440 // sm} slots per day)",
            )
        values = raw.astype(float) if raw.size else np.zeros(0)
        ok = np.isfinite(values) & (values >= 0) & (values == np.floor(values))
        if not ok.all():
            slot = int(np.flatnonzero(~ok)[0])
            raise ValidationError(f"required_agents[{slot}]", raw[slot], "a whole number >= 0")
        required = values.astype(np.int64)
        required.setflags(write=False)
        object.__setattr__(self, "required_agents", required)
        types = tuple(self.shift_types)
        if not types:
            raise ValidationError("shift_types", [], "at least one shift type")
        names = [t.name for t in types]
        if len(set(names)) != len(names):
            raise ValidationError("shift_types", names, "unique names")
        for t in types:
            where = f"shift_types[{t.name!r}]"
            if t.max_start >= self.slots_per_day:
                raise ValidationError(
                    f"{where}.max_start", t.max_start, f"a slot < {self.slots_per_day} (one day)"
                )
            if t.max_length > self.n_slots:
                raise ValidationError(
                    f"{where}.max_length", t.max_length, f"a length <= the horizon ({self.n_slots})"
                )
            if t.days is not None and not all(_whole(d) and 0 <= d < self.days for d in t.days):
                raise ValidationError(
                    f"{where}.days", sorted(t.days), f"days in 0..{self.days - 1}"
                )
        object.__setattr__(self, "shift_types", types)
        for attr in (
            "understaffing_per_agent_minute",
            "overstaffing_per_agent_minute",
            "cost_per_distinct_shift",
        ):
            value = getattr(self, attr)
            if not (_number(value) and value >= 0):
                raise ValidationError(attr, value, "a finite number >= 0")

    @property
    def slots_per_day(self) -> int:
        """Slots in one day."""
        return 1440 // self.slot_minutes

    @property
    def n_slots(self) -> int:
        """Slots in the horizon."""
        return self.days * self.slots_per_day

    def shifts(self) -> list[tuple[int, int, str]]:
        """Distinct ``(start, length, type name)`` shifts, in the first type allowing each."""
        seen: dict[tuple[int, int], str] = {}
        for t in self.shift_types:
            for start in t.starts:
                for length in t.lengths:
                    seen.setdefault((start, length), t.name)
        return [(s, length, name) for (s, length), name in sorted(seen.items())]

    def allowed_days(self, start: int, length: int) -> list[int]:
        """Days on which shift ``(start, length)`` may be staffed (any type allowing it)."""
        days: set[int] = set()
        for t in self.shift_types:
            if t.allows(start, length):
                days |= set(range(self.days)) if t.days is None else set(t.days)
        return sorted(days)

    def agent_shift_cost(self, start: int, length: int, day: int) -> float:
        """Cost of one agent on shift ``(start, length)`` on ``day``, in cost units.

        ``cost_per_agent_shift + cost_per_agent_hour * length * slot_minutes / 60``
        of the cheapest type that allows the shift on that day.

        Raises
        ------
        ValidationError
            If no shift type allows that shift on that day.
        """
        hours = length * self.slot_minutes / 60
        costs = [
            t.cost_per_agent_shift + t.cost_per_agent_hour * hours
            for t in self.shift_types
            if t.allows(start, length, day)
        ]
        if not costs:
            raise ValidationError(
                "shift", f"(start {start}, length {length}, day {day})", "a shift a type allows"
            )
        return min(costs)

    def covered_slots(self, start: int, length: int, day: int) -> np.ndarray:
        """Slots of the horizon covered by shift ``(start, length)`` on ``day``."""
        first = day * self.slots_per_day + start
        slots = np.arange(first, first + length)
        if self.cyclic:
            return slots % self.n_slots
        return slots[slots < self.n_slots]


@dataclass(frozen=True, kw_only=True)
class ShiftDesignResult:
    """A shift design and how good it is.

    Attributes
    ----------
    status
        Solver outcome.
    objective
        Objective of the design found (see the module docstring); ``None``
        without a solution.
    best_bound
        Proven lower bound on the objective.
    relative_gap
        :func:`wfm.status.relative_gap` of objective and bound; 0 when optimal.
    wall_time_seconds
        Solve time.
    shifts
        One row per distinct shift used: ``shift_type``, ``start_slot``,
        ``start_time`` (``HH:MM``), ``length_slots``, ``length_minutes``,
        ``day_0`` .. ``day_{days-1}`` (agents on that day) and
        ``total_agents``.
    coverage
        One row per slot: ``slot``, ``day``, ``time`` (``HH:MM``),
        ``required_agents``, ``agents`` (on shift), ``understaffing_agents``,
        ``overstaffing_agents``.
    understaffing_agent_minutes, overstaffing_agent_minutes
        Totals of under- and over-staffing.
    distinct_shifts
        Number of distinct shifts used.
    agent_shift_cost
        Cost of the agent-shifts staffed (the objective's last term).
    """

    status: SolveStatus
    objective: float | None
    best_bound: float | None
    relative_gap: float | None
    wall_time_seconds: float
    shifts: pd.DataFrame
    coverage: pd.DataFrame
    understaffing_agent_minutes: float | None
    overstaffing_agent_minutes: float | None
    distinct_shifts: int | None
    agent_shift_cost: float | None


_SHIFT_COLUMNS_BEFORE_DAYS = (
    "shift_type",
    "start_slot",
    "start_time",
    "length_slots",
    "length_minutes",
)
_COVERAGE_COLUMNS = (
    "slot",
    "day",
    "time",
    "required_agents",
    "agents",
    "understaffing_agents",
    "overstaffing_agents",
)


def design_objective(problem: ShiftDesignProblem, agents: np.ndarray) -> float:
    """Objective of a design given as an agents array.

    Parameters
    ----------
    problem
        The shift-design problem.
    agents
        ``agents[i, d]``: agents on the ``i``-th shift of
        :meth:`ShiftDesignProblem.shifts` on day ``d``; 0 where no type
        allows that shift on that day.

    Returns
    -------
    float
        The weighted under- and over-staffing, distinct-shift count and
        agent-shift cost.
    """
    shifts = problem.shifts()
    plan = np.asarray(agents)
    if plan.shape != (len(shifts), problem.days):
        raise ValidationError(
            "agents", f"shape {plan.shape}", f"shape ({len(shifts)}, {problem.days})"
        )
    cover = _coverage(problem, shifts, plan)
    diff = cover - problem.required_agents
    under = float(np.clip(-diff, 0, None).sum())
    over = float(np.clip(diff, 0, None).sum())
    used = int(np.count_nonzero(plan.sum(axis=1)))
    sm = problem.slot_minutes
    return (
        problem.understaffing_per_agent_minute * sm * under
        + problem.overstaffing_per_agent_minute * sm * over
        + problem.cost_per_distinct_shift * used
        + _agent_shift_cost(problem, shifts, plan)
    )


def _agent_shift_cost(
    problem: ShiftDesignProblem, shifts: Sequence[tuple[int, int, str]], agents: np.ndarray
) -> float:
    """Total cost of the agent-shifts of ``agents`` (as in :func:`design_objective`)."""
    total = 0.0
    for i, d in zip(*np.nonzero(agents), strict=True):
        start, length, _ = shifts[i]
        try:
            cost = problem.agent_shift_cost(start, length, int(d))
        except ValidationError:
            raise ValidationError(
                f"agents[{i}, {d}]", int(agents[i, d]), f"0 (no type allows that shift on day {d})"
            ) from None
        total += int(agents[i, d]) * cost
    return total


def _coverage(
    problem: ShiftDesignProblem, shifts: Sequence[tuple[int, int, str]], agents: np.ndarray
) -> np.ndarray:
    cover = np.zeros(problem.n_slots, dtype=np.int64)
    for i, (start, length, _) in enumerate(shifts):
        for d in range(problem.days):
            if agents[i, d]:
                np.add.at(cover, problem.covered_slots(start, length, d), int(agents[i, d]))
    return cover


def _scaled(weights: Sequence[float]) -> tuple[list[int], float]:
    """Integer weights proportional to ``weights`` (exact when they are decimals)."""
    for scale in (1, 10, 100, 1000, 10**4, 10**6):
        scaled = [w * scale for w in weights]
        if all(abs(s - round(s)) < 1e-9 for s in scaled):
            return [round(s) for s in scaled], float(scale)
    scale = 10**6
    return [round(w * scale) for w in weights], float(scale)


@dataclass(frozen=True)
class _Weights:
    """The objective's weights as integers (the model's cost units)."""

    understaffing: int
    overstaffing: int
    distinct_shift: int
    agent_shift: dict[tuple[int, int], int]
    """Per ``(shift index, day)`` staffable, the cost of one agent on it."""

    @property
    def step(self) -> int:
        """Greatest common divisor of the positive weights: every objective is a multiple."""
        positive = [
            w
            for w in (
                self.understaffing,
                self.overstaffing,
                self.distinct_shift,
                *self.agent_shift.values(),
            )
            if w > 0
        ]
        return math.gcd(*positive) if positive else 1


def _model_weights(
    problem: ShiftDesignProblem, shifts: Sequence[tuple[int, int, str]]
) -> tuple[_Weights, float]:
    """The objective's weights scaled to integers, and the scale."""
    sm = problem.slot_minutes
    keys = [
        (i, d) for i, (s, length, _) in enumerate(shifts) for d in problem.allowed_days(s, length)
    ]
    costs = [problem.agent_shift_cost(shifts[i][0], shifts[i][1], d) for i, d in keys]
    scaled, scale = _scaled(
        [
            problem.understaffing_per_agent_minute * sm,
            problem.overstaffing_per_agent_minute * sm,
            problem.cost_per_distinct_shift,
            *costs,
        ]
    )
    weights = _Weights(
        understaffing=scaled[0],
        overstaffing=scaled[1],
        distinct_shift=scaled[2],
        agent_shift=dict(zip(keys, scaled[3:], strict=True)),
    )
    return weights, scale


_END_MARGIN_SECONDS = 0.05
"""Time kept back from the limit of :func:`design_shifts` for CP-SAT's start-up and
the read-back of its answer."""

_MIN_SOLVE_SECONDS = 0.01
"""Shortest time a solve of :func:`design_shifts` is given (less is skipped, except the
final solve, which always runs to return the warm start or a first design)."""


def _solver(time_limit: float, workers: int, seed: int, log_progress: bool) -> Any:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = bool(log_progress)
    return solver


def _change_point_shifts(
    problem: ShiftDesignProblem, shifts: Sequence[tuple[int, int, str]]
) -> set[int]:
    """Shifts starting and ending at clock slots where the requirement changes on some day.

    A design with no deviation only needs coverage to change where the
    requirement does; restricting to these shifts gives a small model whose
    solution is a good starting point (a hint) for the full one.
    """
    spd = problem.slots_per_day
    required = problem.required_agents.astype(np.int64)
    previous = np.roll(required, 1)
    if not problem.cyclic and required.size:
        previous[0] = 0
    clocks = {int(t) % spd for t in np.flatnonzero(required != previous)}
    return {
        i
        for i, (start, length, _) in enumerate(shifts)
        if start % spd in clocks and (start + length) % spd in clocks
    }


class _CpBuilder:
    """Thin layer over a CP-SAT model so the same code can build an LP."""

    def __init__(self) -> None:
        from ortools.sat.python import cp_model

        self.model = cp_model.CpModel()
        self._sum = cp_model.LinearExpr.sum
        self.objective: Any = 0

    def new_int_var(self, low: int, high: int, name: str) -> Any:
        return self.model.new_int_var(low, high, name)

    def new_bool_var(self, name: str) -> Any:
        return self.model.new_bool_var(name)

    def add(self, constraint: Any) -> None:
        self.model.add(constraint)

    def total(self, items: Sequence[Any]) -> Any:
        return self._sum(list(items)) if items else 0

    def minimize(self, objective: Any) -> None:
        self.model.minimize(objective)


class _LpBuilder:
    """The same interface over GLOP: the model's linear relaxation."""

    def __init__(self) -> None:
        from ortools.linear_solver import pywraplp

        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.objective: Any = 0

    def new_int_var(self, low: int, high: int, name: str) -> Any:
        return self.solver.NumVar(float(low), float(high), name)

    def new_bool_var(self, name: str) -> Any:
        return self.solver.NumVar(0.0, 1.0, name)

    def add(self, constraint: Any) -> None:
        self.solver.Add(constraint)

    def total(self, items: Sequence[Any]) -> Any:
        return self.solver.Sum(list(items)) if items else 0

    def minimize(self, objective: Any) -> None:
        self.solver.Minimize(objective)


def _relaxation_bound(
    problem: ShiftDesignProblem,
    shifts: Sequence[tuple[int, int, str]],
    keep: set[int] | None,
    weights: _Weights,
    cuts: bool,
    time_limit: float,
) -> int | None:
    """Lower bound on the (scaled, integral) objective from the LP relaxation.

    The same model with continuous variables is solved with GLOP; the design
    objective is a multiple of the weights' greatest common divisor, so the
    LP value rounds up to the next multiple. ``None`` if GLOP does not finish.
    """
    from ortools.linear_solver import pywraplp

    lp = _LpBuilder()
    _build_model(problem, shifts, keep, weights, cuts, model=lp)
    lp.solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    if lp.solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    value = lp.solver.Objective().Value()
    step = weights.step
    slack = 1e-6 * max(1.0, abs(value))
    return math.ceil((value - slack) / step) * step


def _build_model(
    problem: ShiftDesignProblem,
    shifts: Sequence[tuple[int, int, str]],
    keep: set[int] | None,
    weights: _Weights,
    cuts: bool,
    model: Any = None,
) -> tuple[Any, dict[tuple[int, int], Any], dict[int, Any]]:
    """The model over the shifts in ``keep`` (all when ``None``).

    ``model`` is a :class:`_CpBuilder` (default) or an :class:`_LpBuilder`.
    The coverage rows (per slot, the (shift, day) variables covering it) are
    built here from :meth:`ShiftDesignProblem.covered_slots`; shifts have no
    breaks, so every slot from start to end counts.
    """
    required = problem.required_agents
    n = problem.n_slots
    top = int(required.max()) if n else 0

    if model is None:
        model = _CpBuilder()
    x: dict[tuple[int, int], Any] = {}
    used: dict[int, Any] = {}
    covering: list[list[Any]] = [[] for _ in range(n)]
    for i, (start, length, _) in enumerate(shifts):
        if keep is not None and i not in keep:
            continue
        days = problem.allowed_days(start, length)
        for d in days:
            slots = problem.covered_slots(start, length, d)
            bound = int(required[slots].max()) if slots.size else 0
            if bound == 0:
                continue  # covers no requirement: never worth staffing
            var = model.new_int_var(0, bound, f"x_{start}_{length}_{d}")
            x[(i, d)] = var
            for t in slots.tolist():
                covering[t].append(var)
        staffed = [(x[(i, d)], d) for d in days if (i, d) in x]
        if staffed:
            u = model.new_bool_var(f"used_{start}_{length}")
            used[i] = u
            for var, d in staffed:
                bound = int(required[problem.covered_slots(start, length, d)].max())
                model.add(var <= bound * u)
            model.add(model.total([var for var, _ in staffed]) >= u)
    under_vars = []
    over_vars = []
    for t in range(n):
        cover = model.total(covering[t])
        s = model.new_int_var(0, int(required[t]), f"under_{t}")
        e = model.new_int_var(0, max(top * len(covering[t]), 0), f"over_{t}")
        model.add(cover - int(required[t]) == e - s)
        under_vars.append(s)
        over_vars.append(e)
    if cuts:
        _add_jump_cuts(model, problem, shifts, used, under_vars, over_vars)
    objective = (
        weights.understaffing * model.total(under_vars)
        + weights.overstaffing * model.total(over_vars)
        + weights.distinct_shift * model.total(list(used.values()))
    )
    priced = [(weights.agent_shift[key], var) for key, var in x.items()]
    if any(cost > 0 for cost, _ in priced):
        objective = objective + model.total([cost * var for cost, var in priced if cost > 0])
    model.minimize(objective)
    model.objective = objective
    return model, x, used


def _add_jump_cuts(
    model: Any,
    problem: ShiftDesignProblem,
    shifts: Sequence[tuple[int, int, str]],
    used: dict[int, Any],
    under_vars: list[Any],
    over_vars: list[Any],
) -> None:
    """Cuts linking requirement jumps to the clock times at which shifts start or end.

    Where the requirement rises by ``r > 0`` from slot ``t-1`` to slot ``t``
    (clock slot ``h``) and no used shift starts at ``h``, coverage cannot
    rise, so ``under_t + over_{t-1} >= r``; hence
    ``under_t + over_{t-1} + r * sum(used shifts starting at h) >= r``.
    Falls and shift ends give ``over_t + under_{t-1} + r * sum(used shifts
    ending at h) >= r``. In the linear relaxation each clock time with a jump
    then costs a distinct shift or a deviation, which makes the bound strong.
    """
    spd = problem.slots_per_day
    n = problem.n_slots
    required = problem.required_agents
    by_start: dict[int, list[Any]] = {}
    by_end: dict[int, list[Any]] = {}
    for i, u in used.items():
        start, length, _ = shifts[i]
        by_start.setdefault(start % spd, []).append(u)
        by_end.setdefault((start + length) % spd, []).append(u)

    def starting(h: int) -> Any:
        return model.total(by_start.get(h, []))

    def ending(h: int) -> Any:
        return model.total(by_end.get(h, []))

    for t in range(n):
        if t == 0 and not problem.cyclic:
            prev_required, prev_under, prev_over = 0, 0, 0
        else:
            p = (t - 1) % n
            prev_required, prev_under, prev_over = int(required[p]), under_vars[p], over_vars[p]
        rise = int(required[t]) - prev_required
        h = t % spd
        if rise > 0:
            model.add(under_vars[t] + prev_over + rise * starting(h) >= rise)
        elif rise < 0:
            model.add(over_vars[t] + prev_under - rise * ending(h) >= -rise)


def design_shifts(
    problem: ShiftDesignProblem,
    *,
    time_limit_seconds: float = 60.0,
    workers: int | None = None,
    seed: int = 0,
    log_progress: bool = False,
    cuts: bool = True,
    warm_start: bool = True,
) -> ShiftDesignResult:
    """Choose shifts and agents per day on CP-SAT.

    Parameters
    ----------
    problem
        The shift-design problem.
    time_limit_seconds
        Wall-clock limit of the whole call: the warm start, the LP bounds and
        the final solve share it, each given what is left when it starts (the
        LP bound is skipped when building it would use up the time). Only a
        model build that alone takes longer than the limit overruns it.
    workers
        CP-SAT search threads (``num_workers``); ``None``: the machine's
        cores (:func:`os.cpu_count`).
    seed
        CP-SAT random seed.
    log_progress
        Print the CP-SAT search log.
    cuts
        Add the requirement-jump cuts (see :func:`_add_jump_cuts`); they are
        valid for every design and speed up the proof of optimality.
    warm_start
        First solve, for a quarter of the time limit at most, the model
        restricted to shifts that start and end where the requirement
        changes (see :func:`_change_point_shifts`), and hint its solution to
        the full model. The result is still optimal over all shifts.

    Returns
    -------
    ShiftDesignResult
        The best design found, with the proven bound and gap.

    Raises
    ------
    ValidationError
        If a solver setting is out of range.
    """
    if workers is None:
        workers = os.cpu_count() or 1
    if not (_number(time_limit_seconds) and time_limit_seconds > 0):
        raise ValidationError("time_limit_seconds", time_limit_seconds, "a positive number")
    if not (_whole(workers) and workers >= 1):
        raise ValidationError("workers", workers, "a whole number >= 1")
    if not (_whole(seed) and seed >= 0):
        raise ValidationError("seed", seed, "a whole number >= 0")
    from ortools.sat.python import cp_model

    began = time.perf_counter()
    deadline = began + float(time_limit_seconds)

    def left() -> float:
        # what is left of the limit, less a margin for CP-SAT's start-up and read-back
        return deadline - time.perf_counter() - _END_MARGIN_SECONDS

    shifts = problem.shifts()
    required = problem.required_agents
    n = problem.n_slots
    sm = problem.slot_minutes
    weights, scale = _model_weights(problem, shifts)
    hint: dict[tuple[int, int], int] | None = None

    def lp_bound_within(keep: set[int] | None, share: float, build_seconds: float) -> int | None:
        # the LP is built like the model (about ``build_seconds``), then GLOP gets a share
        # of what is left after that; no LP when the build alone would use up the time
        room = left() - build_seconds
        if room < max(2.0 * build_seconds, _MIN_SOLVE_SECONDS):
            return None
        return _relaxation_bound(problem, shifts, keep, weights, cuts, share * room)

    if warm_start:
        keep = _change_point_shifts(problem, shifts)
        if 0 < len(keep) < len(shifts):
            built = time.perf_counter()
            model, x, _ = _build_model(problem, shifts, keep, weights, cuts)
            lp_bound = lp_bound_within(keep, 0.1, time.perf_counter() - built)
            if lp_bound is not None:
                model.add(model.objective >= lp_bound)
            if left() > _MIN_SOLVE_SECONDS:
                solver = _solver(0.25 * left(), workers, seed, log_progress)
                code = solver.solve(model.model)
                if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    hint = {key: int(solver.value(var)) for key, var in x.items()}
    built = time.perf_counter()
    model, x, _ = _build_model(problem, shifts, None, weights, cuts)
    lp_bound = lp_bound_within(None, 0.25, time.perf_counter() - built)
    if lp_bound is not None:
        model.add(model.objective >= lp_bound)
    if hint is not None:
        for key, var in x.items():
            model.model.add_hint(var, hint.get(key, 0))
    solver = _solver(max(left(), _MIN_SOLVE_SECONDS), workers, seed, log_progress)
    code = solver.solve(model.model)
    wall = time.perf_counter() - began
    status = {
        cp_model.OPTIMAL: SolveStatus.OPTIMAL,
        cp_model.FEASIBLE: SolveStatus.FEASIBLE,
        cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
        cp_model.MODEL_INVALID: SolveStatus.MODEL_INVALID,
    }.get(code, SolveStatus.TIME_LIMIT_NO_SOLUTION)
    shift_columns = [
        *_SHIFT_COLUMNS_BEFORE_DAYS,
        *[f"day_{d}" for d in range(problem.days)],
        "total_agents",
    ]
    solved = status.has_solution
    if not solved and hint is not None and status == SolveStatus.TIME_LIMIT_NO_SOLUTION:
        # the full model ran out of time before re-finding the warm start: keep it
        status = SolveStatus.FEASIBLE
    elif not solved:
        return ShiftDesignResult(
            status=status,
            objective=None,
            best_bound=None,
            relative_gap=None,
            wall_time_seconds=wall,
            shifts=pd.DataFrame(columns=shift_columns),
            coverage=pd.DataFrame(columns=list(_COVERAGE_COLUMNS)),
            understaffing_agent_minutes=None,
            overstaffing_agent_minutes=None,
            distinct_shifts=None,
            agent_shift_cost=None,
        )
    plan = np.zeros((len(shifts), problem.days), dtype=np.int64)
    for (i, d), var in x.items():
        plan[i, d] = solver.value(var) if solved else (hint or {}).get((i, d), 0)
    cover = _coverage(problem, shifts, plan)
    diff = cover - required
    under = np.clip(-diff, 0, None)
    over = np.clip(diff, 0, None)
    objective = design_objective(problem, plan)
    best_bound: float | None = None
    gap: float | None = None
    if solved:
        best_bound = min(float(solver.best_objective_bound) / scale, objective)
        if status == SolveStatus.OPTIMAL:
            best_bound = objective
        gap = relative_gap(objective, best_bound)
    rows = []
    for i, (start, length, name) in enumerate(shifts):
        if plan[i].sum() == 0:
            continue
        minutes = start * sm
        rows.append(
            {
                "shift_type": name,
                "start_slot": start,
                "start_time": f"{minutes // 60:02d}:{minutes % 60:02d}",
                "length_slots": length,
                "length_minutes": length * sm,
                **{f"day_{d}": int(plan[i, d]) for d in range(problem.days)},
                "total_agents": int(plan[i].sum()),
            }
        )
    slots = np.arange(n)
    minutes_of_day = (slots % problem.slots_per_day) * sm
    coverage = pd.DataFrame(
        {
            "slot": slots,
            "day": slots // problem.slots_per_day,
            "time": [f"{m // 60:02d}:{m % 60:02d}" for m in minutes_of_day],
            "required_agents": required,
            "agents": cover,
            "understaffing_agents": under,
            "overstaffing_agents": over,
        },
        columns=list(_COVERAGE_COLUMNS),
    )
    return ShiftDesignResult(
        status=status,
        objective=objective,
        best_bound=best_bound,
        relative_gap=gap,
        wall_time_seconds=wall,
        shifts=pd.DataFrame(rows, columns=shift_columns),
        coverage=coverage,
        understaffing_agent_minutes=float(under.sum()) * sm,
        overstaffing_agent_minutes=float(over.sum()) * sm,
        distinct_shifts=len(rows),
        agent_shift_cost=_agent_shift_cost(problem, shifts, plan),
    )


def shift_design_problem_from_roster(
    problem: RosterProblem,
    *,
    understaffing_per_agent_minute: float = 1.0,
    overstaffing_per_agent_minute: float = 1.0,
    cost_per_distinct_shift: float = 0.0,
) -> ShiftDesignProblem:
    """Shift-design view of a :class:`~wfm.roster.problem.RosterProblem`.

    The requirement is the roster's ``required_scheduled`` rounded *up* to whole
    agents; each template becomes a shift type on the roster's interval grid
    (its starts, lengths and weekdays; no cost per agent-shift, since the
    roster prices agents, not templates). The horizon is not cyclic. Breaks
    are not placed: a template's shift covers every interval from its start
    to its end, so the design is optimistic where breaks fall in busy times.

    Parameters
    ----------
    problem
        The roster problem.
    understaffing_per_agent_minute, overstaffing_per_agent_minute, cost_per_distinct_shift
        Weights of the design objective.

    Returns
    -------
    ShiftDesignProblem
        One slot per roster interval.
    """
    im = problem.interval_minutes
    types = []
    for template in problem.templates:
        starts = [m // im for m in template.start_minutes]
        lengths = [m // im for m in template.lengths_minutes]
        types.append(
            ShiftType(
                name=template.name,
                min_start=starts[0],
                max_start=starts[-1],
                start_step=template.start_step_minutes // im,
                min_length=lengths[0],
                max_length=lengths[-1],
                length_step=template.length_step_minutes // im,
                days=frozenset(
                    d for d in range(problem.days) if problem.weekday_of(d) in template.weekdays
                ),
            )
        )
    required = np.ceil(np.asarray(problem.required_scheduled, dtype=float) - 1e-9).astype(np.int64)
    return ShiftDesignProblem(
        required_agents=required,
        slot_minutes=im,
        shift_types=tuple(types),
        days=problem.days,
        cyclic=False,
        understaffing_per_agent_minute=understaffing_per_agent_minute,
        overstaffing_per_agent_minute=overstaffing_per_agent_minute,
        cost_per_distinct_shift=cost_per_distinct_shift,
    )
