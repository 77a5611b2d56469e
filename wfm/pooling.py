"""Multi-skill staffing: agents required per skill group, each agent counted once.

Agents of a skill group serve every queue of the group. Staffing each queue
alone (:func:`wfm.channels.queue_requirements`) counts an agent who can take
two queues twice, and misses what pooling saves: one queue of the summed
traffic needs fewer agents than the two queues apart (the economies of scale
of the Erlang C queue; with square-root staffing the spare capacity grows
like the square root of the load, Borst, Mandelbaum & Reiman 2004,
Operations Research 52(1)). :func:`pooled_requirements` finds, per
interval, the cheapest number of agents of each group, by a linear
programme in the spirit of the staffing step of Bhulai, Koole & Pot (2008),
"Simple methods for shift scheduling in multiskill call centers",
Manufacturing & Service Operations Management 10(3), with per-queue Erlang
requirements standing in for the simulation of Cezik & L'Ecuyer (2008),
"Staffing multiskill call centers via linear programming and simulation",
Management Science 54(2).

The programme (one per interval)
--------------------------------
Variables ``x_g >= 0``: agents on the phone of group ``g`` (fractional).
Minimise ``sum_g cost_g x_g`` subject to, for every set ``S`` of the
interval's per-interval queues (voice and chat), *the agents of the groups
able to serve some queue of S are at least the pooled requirement of S*::

    sum_{g : g serves a queue of S} x_g >= R(S)

since contacts of ``S`` can only be answered by those agents, and at best
they act as one pool. Every set is used up to six per-interval queues;
beyond, the single queues, each group's queues and the set of all of them.
A group may be capped to a share of the interval's agents (``max_shares``):
``x_g <= share_g * sum_h x_h``. The constraints are necessary conditions, so
the answer is a lower estimate of what a routing policy achieves; the
simulation of the multi-skill roster is the check.

The pooled requirement ``R(S)`` (convention)
--------------------------------------------
- Voice queues of ``S`` are merged into one queue: traffic the sum of their
  ``traffic_erlangs``, AHT the merged stream's mean handle time ``sum(calls x
  aht) / sum(calls)`` (the traffic-weighted mean of the AHTs per call), and
  the strictest target among them: the most agents that any of their
  policies asks of the merged queue (:func:`wfm.staffing.required_on_phone`,
  fractional; with each policy's own patience for Erlang A). A single queue
  keeps its own requirement from the table (its per-interval patience
  included). Merging under the strictest target can cost more than staffing
  the queues apart when a strict small queue meets a lax large one; the
  gain is then negative, and says so.
- Chat queues of ``S`` add their own requirement (agents, at full
  concurrency: see :mod:`wfm.channels`): a chat agent's slots are not
  pooled with calls.
- E-mail and outbound queues are not per-interval queues: they do not enter
  the programme (the roster spreads their work over the agents' slack).

Outputs
-------
:class:`PoolingResult`: ``groups`` (one row per interval and group:
``interval_start, group, required_on_phone, required_scheduled_fractional``;
``group`` is the group's queue names joined by ``+``), ``by_interval``
(``interval_start, separate_on_phone, pooled_on_phone``) and a
:class:`PoolingSummary` of agent-hours with each queue staffed alone (sum of
the single requirements) against the programme's.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from ortools.linear_solver import pywraplp

from wfm import staffing
from wfm.errors import DataError, SolverError, ValidationError
from wfm.queues import Channel, QueueSet
from wfm.service import ServicePolicy, on_phone_agents, scheduled_agents_fractional

__all__ = [
    "ALL_SUBSETS_UP_TO",
    "POOLED_GROUP_COLUMNS",
    "PoolingResult",
    "PoolingSummary",
    "group_label",
    "pooled_requirement",
    "pooled_requirements",
    "queue_subsets",
]

#: Up to this many per-interval queues, every set of them is a constraint.
ALL_SUBSETS_UP_TO = 6

#: Columns of :attr:`PoolingResult.groups`.
POOLED_GROUP_COLUMNS: tuple[str, ...] = (
    "interval_start",
    "group",
    "required_on_phone",
    "required_scheduled_fractional",
)

FloatArray = npt.NDArray[np.float64]

_NEEDED = ("interval_start", "queue", "calls", "aht_seconds", "traffic_erlangs")


def group_label(group: Sequence[str]) -> str:
    """The name of a skill group: its queue names joined by ``+`` (``"chat+sales"``)."""
    return "+".join(group)


@dataclass(frozen=True, kw_only=True)
class PoolingSummary:
    """Agent-hours with each queue staffed alone against the pooled programme.

    Attributes
    ----------
    separate_on_phone_agent_hours, separate_scheduled_agent_hours
        Sum over intervals and per-interval queues of each queue's own
        (fractional) requirement, on the phone and scheduled.
    pooled_on_phone_agent_hours, pooled_scheduled_agent_hours
        Sum over intervals and groups of the programme's agents.
    pooling_gain_scheduled_agent_hours
        Separate minus pooled, scheduled.
    pooling_gain_percent
        The gain as a percentage of the separate agent-hours (0 when they are 0).
    """

    separate_on_phone_agent_hours: float
    separate_scheduled_agent_hours: float
    pooled_on_phone_agent_hours: float
    pooled_scheduled_agent_hours: float
    pooling_gain_scheduled_agent_hours: float
    pooling_gain_percent: float


@dataclass(frozen=True, kw_only=True)
class PoolingResult:
    """Agents per interval and skill group (see the module documentation)."""

    groups: pd.DataFrame
    by_interval: pd.DataFrame
    summary: PoolingSummary
    subsets: tuple[tuple[str, ...], ...]


def queue_subsets(
    queues: Sequence[str], groups: Sequence[Sequence[str]]
) -> tuple[tuple[str, ...], ...]:
    """The sets of per-interval queues constrained by the programme.

    Every non-empty set when there are at most :data:`ALL_SUBSETS_UP_TO`
    queues; otherwise each queue alone, each group's queues among them, and
    all of them. Each set keeps the order of ``queues``.

    Examples
    --------
    >>> queue_subsets(["a", "b"], [("a",), ("a", "b")])
    (('a',), ('b',), ('a', 'b'))
    """
    names = list(queues)
    if len(names) <= ALL_SUBSETS_UP_TO:
        return tuple(
            subset for r in range(1, len(names) + 1) for subset in itertools.combinations(names, r)
        )
    chosen: list[tuple[str, ...]] = [(q,) for q in names]
    for g in groups:
        subset = tuple(q for q in names if q in g)
        if subset:
            chosen.append(subset)
    chosen.append(tuple(names))
    return tuple(dict.fromkeys(chosen))


def pooled_requirement(
    table: pd.DataFrame, queues: QueueSet, subset: Sequence[str]
) -> npt.NDArray[np.float64]:
    """Pooled requirement on the phone of a set of per-interval queues, per interval.

    Parameters
    ----------
    table
        A queue requirements table (:func:`wfm.channels.queue_requirements`).
    queues
        The centre's queues.
    subset
        Names of per-interval (voice, chat) queues of the set.

    Returns
    -------
    numpy.ndarray
        Fractional agents on the phone per interval (in the table's interval
        order), by the convention of the module documentation.
    """
    _, singles, calls, aht, traffic = _by_interval(table, queues)
    return _pooled([tuple(subset)], queues, singles, calls, aht, traffic)[0]


def _by_interval(
    table: pd.DataFrame, queues: QueueSet
) -> tuple[
    pd.Series,
    dict[str, npt.NDArray[np.float64]],
    dict[str, npt.NDArray[np.float64]],
    dict[str, npt.NDArray[np.float64]],
    dict[str, npt.NDArray[np.float64]],
]:
    """Interval starts and, per per-interval queue, single requirement, calls, AHT, traffic."""
    if not isinstance(table, pd.DataFrame):
        raise ValidationError("queue_requirements", type(table).__name__, "a pandas DataFrame")
    missing = [c for c in (*_NEEDED, "required_scheduled_fractional") if c not in table.columns]
    if missing:
        raise DataError(
            "queue_requirements",
            sorted(map(str, table.columns)),
            f"columns {', '.join(missing)} (the table of wfm.channels.queue_requirements)",
        )
    starts = pd.Series(
        table["interval_start"].drop_duplicates().sort_values().to_numpy(), name="interval_start"
    )
    singles: dict[str, npt.NDArray[np.float64]] = {}
    calls: dict[str, npt.NDArray[np.float64]] = {}
    aht: dict[str, npt.NDArray[np.float64]] = {}
    traffic: dict[str, npt.NDArray[np.float64]] = {}
    for name in table["queue"].drop_duplicates():
        if name not in queues.names:
            raise DataError("queue_requirements.queue", name, f"one of {', '.join(queues.names)}")
        if not queues.queue(name).channel.per_interval:
            continue
        rows = table[table["queue"] == name].sort_values("interval_start")
        if len(rows) != len(starts) or (rows["interval_start"].to_numpy() != starts).any():
            raise DataError(
                f"queue_requirements[queue {name!r}]",
                f"{len(rows)} intervals",
                f"one row in each of the table's {len(starts)} intervals",
            )
        singles[name] = np.asarray(
            on_phone_agents(
                rows["required_scheduled_fractional"].to_numpy(dtype=np.float64),
                shrinkage=queues.shrinkage,
            ),
            dtype=np.float64,
        )
        calls[name] = rows["calls"].to_numpy(dtype=np.float64)
        aht[name] = rows["aht_seconds"].to_numpy(dtype=np.float64)
        traffic[name] = rows["traffic_erlangs"].to_numpy(dtype=np.float64)
    return starts, singles, calls, aht, traffic


def _pooled(
    subsets: Sequence[Sequence[str]],
    queues: QueueSet,
    singles: dict[str, npt.NDArray[np.float64]],
    calls: dict[str, npt.NDArray[np.float64]],
    aht: dict[str, npt.NDArray[np.float64]],
    traffic: dict[str, npt.NDArray[np.float64]],
) -> npt.NDArray[np.float64]:
    """Pooled requirement of each subset per interval, shape ``(len(subsets), intervals)``.

    The merged voice queues of every subset are staffed in one vectorised
    call per distinct policy.
    """
    n = len(next(iter(singles.values()))) if singles else 0
    need = np.zeros((len(subsets), n))
    merged: dict[ServicePolicy, list[tuple[int, npt.NDArray[np.bool_], FloatArray, FloatArray]]]
    merged = {}
    for i, subset in enumerate(subsets):
        for name in subset:
            if name not in singles:
                raise ValidationError(
                    "subset", name, f"a per-interval queue of the table ({', '.join(singles)})"
                )
        voice = [q for q in subset if queues.queue(q).channel is Channel.VOICE]
        for q in subset:
            if queues.queue(q).channel is Channel.CHAT:
                need[i] += singles[q]
        if len(voice) == 1:
            need[i] += singles[voice[0]]
        if len(voice) < 2:
            continue
        load = np.sum([traffic[q] for q in voice], axis=0)
        volume = np.sum([calls[q] for q in voice], axis=0)
        work = np.sum([calls[q] * np.nan_to_num(aht[q]) for q in voice], axis=0)
        active = (load > 0) & (volume > 0)
        merged_aht = work[active] / volume[active]
        for q in voice:
            policy = queues.queue(q).service
            assert policy is not None  # voice queues always have one
            merged.setdefault(policy, []).append((i, active, load[active], merged_aht))
    voice_need = np.zeros_like(need)
    for policy, parts in merged.items():
        loads = np.concatenate([p[2] for p in parts])
        if not loads.size:
            continue
        found = staffing.required_on_phone(
            loads, aht_seconds=np.concatenate([p[3] for p in parts]), policy=policy
        )
        agents = np.asarray(found.agents_fractional, dtype=np.float64).ravel()
        at = 0
        for i, active, load, _ in parts:
            row = voice_need[i]
            row[active] = np.maximum(row[active], agents[at : at + load.size])
            at += load.size
    return need + voice_need


def _check_design(
    groups: Sequence[Sequence[str]],
    queues: QueueSet,
    costs: Sequence[float] | None,
    max_shares: Sequence[float | None] | None,
) -> tuple[list[tuple[str, ...]], list[float], list[float | None]]:
    if isinstance(groups, (str, bytes)) or not isinstance(groups, Sequence) or not groups:
        raise ValidationError("groups", groups, "a non-empty sequence of tuples of queue names")
    order = {name: i for i, name in enumerate(queues.names)}
    design: list[tuple[str, ...]] = []
    for i, group in enumerate(groups):
        if isinstance(group, str) or not isinstance(group, Sequence) or not group:
            raise ValidationError(f"groups[{i}]", group, "a non-empty tuple of queue names")
        for name in group:
            if name not in order:
                raise ValidationError(f"groups[{i}]", name, f"one of {', '.join(queues.names)}")
        if len(set(group)) != len(group):
            raise ValidationError(f"groups[{i}]", tuple(group), "each queue at most once")
        key = tuple(sorted(group, key=order.__getitem__))
        if key in design:
            raise ValidationError(f"groups[{i}]", tuple(group), "groups with different queues")
        design.append(key)
    if costs is None:
        weights = [1.0] * len(design)
    else:
        weights = [float(c) for c in costs]
        if len(weights) != len(design):
            raise ValidationError("costs", len(weights), f"one cost per group ({len(design)})")
        for i, c in enumerate(weights):
            if not (math.isfinite(c) and c > 0):
                raise ValidationError(f"costs[{i}]", c, "a cost > 0 per agent")
    if max_shares is None:
        shares: list[float | None] = [None] * len(design)
    else:
        shares = list(max_shares)
        if len(shares) != len(design):
            raise ValidationError(
                "max_shares", len(shares), f"one share (or None) per group ({len(design)})"
            )
        for i, s in enumerate(shares):
            if s is not None and not (math.isfinite(float(s)) and 0 < float(s) <= 1):
                raise ValidationError(f"max_shares[{i}]", s, "a share in (0, 1], or None")
    return design, weights, shares


def pooled_requirements(
    queue_requirements: pd.DataFrame,
    queues: QueueSet,
    groups: Sequence[Sequence[str]],
    *,
    costs: Sequence[float] | None = None,
    max_shares: Sequence[float | None] | None = None,
    interval_minutes: float | None = None,
) -> PoolingResult:
    """Agents required per interval and skill group, each agent counted once.

    Parameters
    ----------
    queue_requirements
        The table of :func:`wfm.channels.queue_requirements`.
    queues
        The centre's queues (policies, channels, shrinkage).
    groups
        Skill groups, each a tuple of queue names (e.g. the groups of
        :func:`wfm.queues.skill_groups`).
    costs
        Cost per agent of each group (> 0); 1 each by default.
    max_shares
        Per group, the largest share of the interval's agents it may hold, or
        ``None`` for no cap.
    interval_minutes
        Interval length, for the agent-hours; the table's
        ``attrs["interval_minutes"]`` when omitted.

    Returns
    -------
    PoolingResult

    Raises
    ------
    ValidationError
        For a bad design (unknown queue, repeated group, bad cost or share),
        a per-interval queue with demand that no group serves, or shares that
        leave an interval without a feasible staffing.

    Examples
    --------
    >>> import pandas as pd
    >>> from wfm.channels import queue_requirements
    >>> from wfm.queues import Queue, QueueSet
    >>> from wfm.service import ServicePolicy
    >>> p = ServicePolicy.parse("0.8/20")
    >>> centre = QueueSet(queues=(Queue(name="a", service=p), Queue(name="b", service=p)))
    >>> demand = pd.DataFrame({"interval_start": [pd.Timestamp("2024-01-01 09:00")] * 2,
    ...     "queue": ["a", "b"], "calls": [100.0, 100.0], "aht_seconds": [180.0, 180.0]})
    >>> table = queue_requirements(demand, centre, interval_minutes=30)
    >>> result = pooled_requirements(table, centre, [("a", "b")])
    >>> round(result.summary.pooling_gain_percent, 1)
    8.3
    """
    if not isinstance(queues, QueueSet):
        raise ValidationError("queues", type(queues).__name__, "a wfm.queues.QueueSet")
    design, weights, shares = _check_design(groups, queues, costs, max_shares)
    starts, singles, calls, aht, traffic = _by_interval(queue_requirements, queues)
    minutes = interval_minutes
    if minutes is None:
        minutes = queue_requirements.attrs.get("interval_minutes")
    if minutes is None or not (math.isfinite(float(minutes)) and float(minutes) > 0):
        raise ValidationError(
            "interval_minutes", minutes, "a number of minutes > 0 (the table has none in attrs)"
        )
    hours = float(minutes) / 60.0
    per_interval = [q for q in queues.names if q in singles]
    for q in per_interval:
        if singles[q].max(initial=0.0) > 0 and not any(q in g for g in design):
            raise ValidationError(
                "groups", [group_label(g) for g in design], f"a group serving {q!r}"
            )
    subsets = queue_subsets(per_interval, design)
    need = _pooled(subsets, queues, singles, calls, aht, traffic)

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with OR-Tools
        raise SolverError("the GLOP linear solver of OR-Tools is not available")
    x = [solver.NumVar(0.0, solver.infinity(), f"x{g}") for g in range(len(design))]
    rows = []
    for s in subsets:
        row = solver.Constraint(0.0, solver.infinity())
        for g, group in enumerate(design):
            if any(q in group for q in s):
                row.SetCoefficient(x[g], 1.0)
        rows.append(row)
    for g, share in enumerate(shares):
        if share is not None:
            cap = solver.Constraint(-solver.infinity(), 0.0)
            for h in range(len(design)):
                cap.SetCoefficient(x[h], (1.0 if h == g else 0.0) - float(share))
    objective = solver.Objective()
    for g, w in enumerate(weights):
        objective.SetCoefficient(x[g], w)
    objective.SetMinimization()

    agents = np.zeros((len(starts), len(design)))
    for t in range(len(starts)):
        if not (need[:, t] > 0).any():
            continue
        for row, value in zip(rows, need[:, t], strict=True):
            row.SetLb(float(value))
        status = solver.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise ValidationError(
                "max_shares",
                list(shares),
                f"shares leaving a feasible staffing in the interval {starts.iloc[t]}",
            )
        agents[t] = [max(v.solution_value(), 0.0) for v in x]

    labels = [group_label(g) for g in design]
    groups_table = pd.DataFrame(
        {
            "interval_start": np.repeat(starts.to_numpy(), len(design)),
            "group": labels * len(starts),
            "required_on_phone": agents.ravel(),
            "required_scheduled_fractional": np.asarray(
                scheduled_agents_fractional(agents.ravel(), shrinkage=queues.shrinkage)
            ),
        }
    )
    separate = (
        np.sum([singles[q] for q in per_interval], axis=0)
        if per_interval
        else np.zeros(len(starts))
    )
    pooled = agents.sum(axis=1)
    by_interval = pd.DataFrame(
        {"interval_start": starts, "separate_on_phone": separate, "pooled_on_phone": pooled}
    )
    separate_hours = float(separate.sum()) * hours
    pooled_hours = float(pooled.sum()) * hours
    separate_scheduled = float(
        scheduled_agents_fractional(separate_hours, shrinkage=queues.shrinkage)
    )
    pooled_scheduled = float(scheduled_agents_fractional(pooled_hours, shrinkage=queues.shrinkage))
    gain = separate_scheduled - pooled_scheduled
    summary = PoolingSummary(
        separate_on_phone_agent_hours=separate_hours,
        separate_scheduled_agent_hours=separate_scheduled,
        pooled_on_phone_agent_hours=pooled_hours,
        pooled_scheduled_agent_hours=pooled_scheduled,
        pooling_gain_scheduled_agent_hours=gain,
        pooling_gain_percent=100.0 * gain / separate_scheduled if separate_scheduled else 0.0,
    )
    return PoolingResult(
        groups=groups_table, by_interval=by_interval, summary=summary, subsets=subsets
    )
