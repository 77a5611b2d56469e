"""Turn a solved roster model into tables: roster, breaks, coverage, violations.

The coverage table is recomputed from the roster and break tables (not read
from the model). The service of each interval is that of the transient queue
(:func:`wfm.staffing.performance` with ``method="transient"``, see
:mod:`wfm.transient`): calls in service and calls waiting carry over from one
interval to the next, so a break in a one-interval dip or the backlog of an
understaffed stretch shows in the intervals it affects. The steady-state
Erlang figure of each interval on its own is kept beside it as
``service_level_stationary``. When a grossly overloaded roster (or none at
all) lets the backlog pass :data:`wfm.transient.MAX_STATES` calls, the
transient queue is not solved and ``service_level`` holds the stationary
figures (both columns then agree). Layouts:

``roster``
    One row per worked shift, sorted by agent then start: ``agent_id``,
    ``date`` (the day the shift starts), ``weekday``, ``template``,
    ``start``, ``end`` (may be after the horizon), ``length_minutes``,
    ``paid_minutes``, ``breaks`` (readable, e.g.
    ``"break1 10:00-10:15 paid; lunch 12:30-13:00 unpaid"``).
``breaks``
    One row per placed break: ``agent_id``, ``date``, ``break``, ``start``,
    ``end``, ``paid``.
``coverage``
    One row per horizon interval: ``interval_start``, ``required_scheduled``
    (the requirement), ``coverage_scheduled`` (agents on shift, not on
    break), ``gap_scheduled`` (coverage - requirement), ``calls``,
    ``aht_seconds``, ``coverage_on_phone`` (``ServicePolicy.on_phone`` of the
    coverage: scheduled * (1 - shrinkage)), ``service_level``,
    ``asa_seconds``, ``occupancy`` (and ``abandon_probability`` for Erlang A)
    at that coverage, from the transient queue (service level: calls answered
    within the policy's answer time over calls offered in the interval);
    ``service_level_stationary``, the steady-state Erlang C/A service level of
    the interval alone (the figure before 0.3); service columns are NaN where
    there are no calls or no service policy. The roster's weekly
    ``service_level`` (``summary.json``) is the call-weighted mean of the
    ``service_level`` column. Renamed in 0.2: ``required_agents`` -> ``required_scheduled``,
    ``scheduled_agents`` -> ``coverage_scheduled``, ``gap_agents`` ->
    ``gap_scheduled``, ``agents_on_phone`` -> ``coverage_on_phone``. With
    several queues its ``required_scheduled`` is the derived one-queue
    requirement (:meth:`RosterProblem.aggregate_requirement
    <wfm.roster.problem.RosterProblem.aggregate_requirement>`) and the
    queues' own figures are in ``coverage_by_queue``.
``coverage_by_queue`` (with ``RosterProblem.queues``)
    One row per horizon interval and queue (interval order, then the set's
    queue order): ``interval_start``, ``queue``, ``channel``,
    ``required_scheduled`` (voice and chat; 0 for e-mail and outbound),
    ``coverage_scheduled`` (scheduled agents the roster allocates to the
    queue, fractional), ``coverage_on_phone`` (that times one minus the
    centre's shrinkage, :func:`wfm.service.on_phone_agents`),
    ``understaffing_agent_hours`` and ``overstaffing_agent_hours`` (voice
    and chat; 0 elsewhere), ``backlog_agent_hours`` (e-mail: work arrived
    and not done at the end of the interval) and ``late_agent_hours``
    (e-mail: the part of it past its deadline; see
    :mod:`wfm.roster.queues_model`), NaN for other channels, and
    ``service_level`` of voice and chat queues with ``calls`` and
    ``aht_seconds`` in ``queue_requirements`` (the transient queue of
    :func:`interval_service` under the queue's own policy on the allocated
    agents on the phone; a chat queue as ``max_sessions`` slots per agent
    with the slowed session handle time), NaN elsewhere.
``violations``
    One row per soft term that cost something: ``rule``, ``agent_id``,
    ``date``, ``amount``, ``unit``, ``penalty`` (cost units). Under- and
    over-staffing are summed per date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wfm.channels import chat_session_aht_seconds
from wfm.errors import SolverError
from wfm.queues import Channel
from wfm.roster.model import OBJECTIVE_SCALE, RosterModel
from wfm.roster.problem import WEEKDAY_NAMES, RosterProblem
from wfm.roster.queues_model import IDLE, calling_days, deadline_intervals
from wfm.service import ServicePolicy, on_phone_agents

__all__ = [
    "BREAK_COLUMNS",
    "COVERAGE_COLUMNS",
    "QUEUE_COVERAGE_COLUMNS",
    "ROSTER_COLUMNS",
    "VIOLATION_COLUMNS",
    "Solution",
    "coverage_table",
    "extract_solution",
    "interval_service",
    "queue_coverage_table",
    "queue_summary",
    "roster_tables",
    "scheduled_on_grid",
    "violations_table",
]

ROSTER_COLUMNS = (
    "agent_id",
    "date",
    "weekday",
    "template",
    "start",
    "end",
    "length_minutes",
    "paid_minutes",
    "breaks",
)
BREAK_COLUMNS = ("agent_id", "date", "break", "start", "end", "paid")
COVERAGE_COLUMNS = (
    "interval_start",
    "required_scheduled",
    "coverage_scheduled",
    "gap_scheduled",
    "calls",
    "aht_seconds",
    "coverage_on_phone",
    "service_level",
    "asa_seconds",
    "occupancy",
    "service_level_stationary",
)
VIOLATION_COLUMNS = ("rule", "agent_id", "date", "amount", "unit", "penalty")
QUEUE_COVERAGE_COLUMNS = (
    "interval_start",
    "queue",
    "channel",
    "required_scheduled",
    "coverage_scheduled",
    "coverage_on_phone",
    "understaffing_agent_hours",
    "overstaffing_agent_hours",
    "backlog_agent_hours",
    "late_agent_hours",
    "service_level",
)


@dataclass(frozen=True)
class Solution:
    """A roster in model terms.

    Attributes
    ----------
    shifts
        Per agent index, the option indices worked, by start.
    breaks
        (agent index, option index) -> absolute start interval of each of
        the template's breaks, in rule order.
    """

    shifts: dict[int, list[int]]
    breaks: dict[tuple[int, int], list[int]]


def extract_solution(rm: RosterModel, value: Callable[[Any], int]) -> Solution:
    """Read the shifts and break starts of a solved model.

    ``value`` evaluates a variable of the model in the solution (e.g.
    ``solver.value``). Aggregated break counts are handed to the day's
    shifts of the template in start order, which respects every shift's
    window when the counts meet the model's prefix conditions.
    """
    shifts: dict[int, list[int]] = {}
    for a, xa in enumerate(rm.x):
        chosen = [o for o, var in xa.items() if value(var)]
        shifts[a] = sorted(chosen, key=lambda o: rm.options[o].start)
    owner: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for a, chosen in shifts.items():
        for o in chosen:
            opt = rm.options[o]
            owner.setdefault((opt.day, opt.template), []).append((a, o))
    placed: dict[tuple[int, int], list[int]] = {
        (a, o): [-1] * len(rm.options[o].break_starts) for a, c in shifts.items() for o in c
    }
    for group in rm.break_groups:
        j = group.rule_index
        if group.agent_index is not None:
            starts = [p for p, var in group.counts.items() if value(var)]
            if not starts:
                continue
            a = group.agent_index
            mine = [
                o
                for o in shifts[a]
                if rm.options[o].day == group.day and rm.options[o].template == group.template
            ]
            if len(mine) != 1 or len(starts) != 1:
                raise SolverError(f"inconsistent break placement for agent index {a}")
            placed[(a, mine[0])][j] = starts[0]
            continue
        holders = sorted(
            owner.get((group.day, group.template), []),
            key=lambda ao: (rm.options[ao[1]].break_starts[j][0], ao[1], ao[0]),
        )
        points = [p for p in sorted(group.counts) for _ in range(int(value(group.counts[p])))]
        if len(points) != len(holders):
            raise SolverError("break counts do not match the shifts worked")
        for (a, o), p in zip(holders, points, strict=True):
            if p not in rm.options[o].break_starts[j]:
                raise SolverError("aggregated breaks could not be matched to shifts")
            placed[(a, o)][j] = p
    return Solution(shifts=shifts, breaks=placed)


def _stamp(problem: RosterProblem, interval: int) -> pd.Timestamp:
    """Start of ``interval``: naive, or tz-aware in the problem's time zone."""
    return problem.grid.stamp(interval)


def roster_tables(
    problem: RosterProblem, rm: RosterModel, solution: Solution
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``roster`` and ``breaks`` tables of a solution (layouts in the module docstring)."""
    im = problem.interval_minutes
    rows: list[dict[str, Any]] = []
    break_rows: list[dict[str, Any]] = []
    for a, chosen in solution.shifts.items():
        agent = problem.agents[a]
        for o in chosen:
            opt = rm.options[o]
            template = problem.templates[opt.template]
            date = problem.dates[opt.day]
            parts: list[tuple[int, str]] = []
            for j, rule in enumerate(template.breaks):
                p = solution.breaks[(a, o)][j]
                start = _stamp(problem, p)
                end = start + pd.Timedelta(minutes=rule.duration_minutes)
                break_rows.append(
                    {
                        "agent_id": agent.agent_id,
                        "date": date,
                        "break": rule.name,
                        "start": start,
                        "end": end,
                        "paid": bool(rule.paid),
                    }
                )
                parts.append(
                    (
                        p,
                        f"{rule.name} {start:%H:%M}-{end:%H:%M} "
                        f"{'paid' if rule.paid else 'unpaid'}",
                    )
                )
            rows.append(
                {
                    "agent_id": agent.agent_id,
                    "date": date,
                    "weekday": WEEKDAY_NAMES[date.weekday()],
                    "template": template.name,
                    "start": _stamp(problem, opt.start),
                    "end": _stamp(problem, opt.end),
                    "length_minutes": opt.length * im,
                    "paid_minutes": opt.paid_minutes,
                    "breaks": "; ".join(text for _, text in sorted(parts)),
                }
            )
    roster = pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))
    if len(roster):
        roster = roster.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
    breaks = pd.DataFrame(break_rows, columns=list(BREAK_COLUMNS))
    if len(breaks):
        breaks = breaks.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
    return roster, breaks


def scheduled_on_grid(
    problem: RosterProblem, roster: pd.DataFrame, breaks: pd.DataFrame
) -> np.ndarray:
    """Agents on shift and not on break per horizon interval, from the tables."""
    n_int = problem.n_intervals
    step = np.zeros(n_int + 1, dtype=np.int64)

    def add(frame: pd.DataFrame, sign: int) -> None:
        if not len(frame):
            return
        first = problem.grid.positions(frame["start"], "start").astype(np.int64)
        last = problem.grid.positions(frame["end"], "end").astype(np.int64)
        first = np.clip(first, 0, n_int)
        last = np.clip(last, 0, n_int)
        np.add.at(step, first, sign)
        np.add.at(step, last, -sign)

    add(roster, 1)
    add(breaks, -1)
    out: np.ndarray = np.cumsum(step)[:n_int]
    return out


def coverage_table(problem: RosterProblem, scheduled: np.ndarray) -> pd.DataFrame:
    """Coverage and expected service per interval (layout in the module docstring)."""
    required = problem.required_scheduled
    calls = problem.calls
    aht = problem.aht_seconds
    frame = pd.DataFrame(
        {
            "interval_start": problem.interval_starts,
            "required_scheduled": required,
            "coverage_scheduled": scheduled.astype(np.int64),
            "gap_scheduled": scheduled - required,
            "calls": calls,
            "aht_seconds": aht,
        }
    )
    service = problem.service
    on_phone = service.on_phone(scheduled) if service is not None else scheduled.astype(float)
    frame["coverage_on_phone"] = on_phone
    for column in ("service_level", "asa_seconds", "occupancy"):
        frame[column] = np.nan
    if service is not None and service.model == "erlang_a":
        frame["abandon_probability"] = np.nan
    if service is None:
        return frame
    figures = interval_service(
        calls, aht, on_phone, interval_minutes=problem.interval_minutes, policy=service
    )
    frame["service_level_stationary"] = np.nan
    for column in figures.columns:
        frame[column] = figures[column].to_numpy(dtype=float)
    return frame


def interval_service(
    calls: np.ndarray,
    aht_seconds: np.ndarray,
    on_phone: np.ndarray,
    *,
    interval_minutes: int,
    policy: ServicePolicy,
) -> pd.DataFrame:
    """Service per interval of one queue at ``on_phone`` agents (the coverage table's figures).

    Parameters
    ----------
    calls, aht_seconds, on_phone
        Per horizon interval: calls offered, AHT (NaN: unknown), agents on
        the phone (fractional allowed).
    interval_minutes
        Interval length.
    policy
        The queue's service policy.

    Returns
    -------
    pandas.DataFrame
        One row per interval: ``service_level``, ``asa_seconds``,
        ``occupancy`` (and ``abandon_probability`` for Erlang A) of the
        transient queue (the stationary figures when its backlog is too
        large), ``service_level_stationary``; NaN where there are no calls
        or no AHT.
    """
    n = len(calls)
    columns = ["service_level", "asa_seconds", "occupancy"]
    if policy.model == "erlang_a":
        columns.append("abandon_probability")
    frame = pd.DataFrame({c: np.full(n, np.nan) for c in [*columns, "service_level_stationary"]})
    mask = (calls > 0) & np.isfinite(aht_seconds)
    if not mask.any():
        return frame
    from wfm.staffing import performance

    stationary = performance(
        calls[mask],
        aht_seconds=aht_seconds[mask],
        agents_on_phone=on_phone[mask],
        interval_minutes=interval_minutes,
        policy=policy,
    )
    frame.loc[mask, "service_level_stationary"] = stationary["service_level"].to_numpy(float)
    from wfm.transient import StateSpaceTooLarge

    # nobody on shift: nothing is answered and nothing carries over
    figures = stationary
    if np.any(on_phone > 0):
        try:
            figures = performance(
                np.where(mask, calls, 0.0),
                aht_seconds=np.where(mask, aht_seconds, 1.0),
                agents_on_phone=on_phone,
                interval_minutes=interval_minutes,
                policy=policy,
                method="transient",
            ).loc[mask]
        except StateSpaceTooLarge:
            # a grossly overloaded roster: the backlog is too large for the
            # transient queue; the stationary figures stand in (service near 0 there)
            pass
    for column in columns:
        if column in figures.columns:
            frame.loc[mask, column] = figures[column].to_numpy(dtype=float)
    return frame


def violations_table(
    problem: RosterProblem, rm: RosterModel, value: Callable[[Any], int]
) -> pd.DataFrame:
    """Every reported soft term with a positive penalty, summed per rule, agent and date."""
    totals: dict[tuple[str, int | None, int | None, str], list[float]] = {}
    for term in rm.terms:
        if not term.report:
            continue
        cost = value(term.objective)
        if cost <= 0:
            continue
        key = (term.rule, term.agent_index, term.day, term.unit)
        acc = totals.setdefault(key, [0.0, 0.0])
        acc[0] += value(term.amount) * term.amount_scale
        acc[1] += cost / OBJECTIVE_SCALE
    rows = []
    for (rule, agent, day, unit), (amount, penalty) in totals.items():
        rows.append(
            {
                "rule": rule,
                "agent_id": "" if agent is None else problem.agents[agent].agent_id,
                "date": "" if day is None else problem.dates[day].isoformat(),
                "amount": round(amount, 6),
                "unit": unit,
                "penalty": round(penalty, 6),
            }
        )
    frame = pd.DataFrame(rows, columns=list(VIOLATION_COLUMNS))
    if len(frame):
        frame = frame.sort_values(["rule", "agent_id", "date"], kind="stable").reset_index(
            drop=True
        )
    return frame


def queue_coverage_table(
    problem: RosterProblem, allocated: Mapping[str, np.ndarray]
) -> pd.DataFrame:
    """The ``coverage_by_queue`` table (layout in the module docstring).

    Parameters
    ----------
    problem
        A problem with ``queues``.
    allocated
        Per queue name, the scheduled agents allocated per horizon interval
        (:func:`wfm.roster.queues_model.allocated_coverage`).
    """
    queues = problem.queues
    if queues is None:
        raise SolverError("queue_coverage_table needs a problem with queues")
    hours = problem.interval_hours
    n = problem.n_intervals
    frames = []
    for order, queue in enumerate(queues.queues):
        series = problem.queue_series[queue.name]
        covered = np.asarray(allocated.get(queue.name, np.zeros(n)), dtype=float)
        on_phone = np.asarray(on_phone_agents(covered, shrinkage=queues.shrinkage), dtype=float)
        required = np.zeros(n)
        under = np.zeros(n)
        over = np.zeros(n)
        backlog = np.full(n, np.nan)
        late = np.full(n, np.nan)
        service = np.full(n, np.nan)
        if queue.channel.per_interval:
            required = series["required_scheduled"]
            under = np.clip(required - covered, 0, None) * hours
            over = np.clip(covered - required, 0, None) * hours
            if "calls" in series and "aht_seconds" in series and queue.service is not None:
                k = queue.max_sessions
                slowed = chat_session_aht_seconds(series["aht_seconds"], queue=queue)
                service = interval_service(
                    series["calls"],
                    slowed,
                    on_phone * k,
                    interval_minutes=problem.interval_minutes,
                    policy=queue.service,
                )["service_level"].to_numpy(dtype=float)
        elif queue.channel is Channel.EMAIL:
            arrived = np.cumsum(series["work_scheduled_agent_hours"])
            done = np.cumsum(covered) * hours
            backlog = np.clip(arrived - done, 0, None)
            due = deadline_intervals(problem, queue)
            owed = np.concatenate([np.zeros(due), arrived])[:n]
            late = np.clip(owed - done, 0, None)
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": problem.interval_starts,
                    "queue": queue.name,
                    "channel": queue.channel.value,
                    "required_scheduled": required,
                    "coverage_scheduled": covered,
                    "coverage_on_phone": on_phone,
                    "understaffing_agent_hours": under,
                    "overstaffing_agent_hours": over,
                    "backlog_agent_hours": backlog,
                    "late_agent_hours": late,
                    "service_level": service,
                    "_t": np.arange(n),
                    "_q": order,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True).sort_values(["_t", "_q"], kind="stable")
    return table.drop(columns=["_t", "_q"]).reset_index(drop=True)


def queue_summary(
    problem: RosterProblem, table: pd.DataFrame, *, idle_agent_hours: float = 0.0
) -> dict[str, dict[str, float | str | None]]:
    """Per-queue figures of a roster, the ``queues`` entry of ``summary.json``.

    Every queue has ``channel``, ``required_scheduled_agent_hours`` and
    ``coverage_scheduled_agent_hours``. Voice and chat add
    ``understaffing_agent_hours``, ``overstaffing_agent_hours`` and
    ``service_level`` (call-weighted over the intervals with calls, ``None``
    without). E-mail adds ``work_agent_hours`` (arrived in the horizon),
    ``late_agent_hours`` (work done after its deadline or overdue at the
    horizon's end, served first come first served), ``overdue_agent_hour_hours``
    (overdue work times the hours it stays overdue: what the objective
    prices) and ``backlog_end_agent_hours``. Outbound adds ``outbound_hours``,
    ``outbound_target_hours`` (per day times the days a calling window
    opens) and
    ``outbound_shortfall_agent_hours`` (summed over days). The entry
    ``"(idle)"`` holds the hours of agents with no voice or chat skill and
    nothing to do.
    """
    queues = problem.queues
    if queues is None:
        return {}
    hours = problem.interval_hours
    out: dict[str, dict[str, float | str | None]] = {}
    for queue in queues.queues:
        rows = table[table["queue"] == queue.name]
        covered = rows["coverage_scheduled"].to_numpy(dtype=float)
        entry: dict[str, float | str | None] = {
            "channel": queue.channel.value,
            "required_scheduled_agent_hours": float(rows["required_scheduled"].sum() * hours),
            "coverage_scheduled_agent_hours": float(covered.sum() * hours),
        }
        series = problem.queue_series[queue.name]
        if queue.channel.per_interval:
            entry["understaffing_agent_hours"] = float(rows["understaffing_agent_hours"].sum())
            entry["overstaffing_agent_hours"] = float(rows["overstaffing_agent_hours"].sum())
            level = rows["service_level"].to_numpy(dtype=float)
            calls = series.get("calls", np.zeros(len(rows)))
            ok = (calls > 0) & np.isfinite(level)
            entry["service_level"] = (
                float((calls[ok] * level[ok]).sum() / calls[ok].sum()) if ok.any() else None
            )
        elif queue.channel is Channel.EMAIL:
            work = series["work_scheduled_agent_hours"]
            arrived = np.cumsum(work)
            done = np.cumsum(covered) * hours
            due = deadline_intervals(problem, queue)
            late = 0.0
            for s in np.flatnonzero(work > 0).tolist():
                u = s + due
                if u >= len(done):
                    continue  # due after the horizon: still in the backlog, not late
                late += float(np.clip(arrived[s] - done[u], 0.0, work[s]))
            entry["work_agent_hours"] = float(work.sum())
            entry["late_agent_hours"] = late
            entry["overdue_agent_hour_hours"] = float(rows["late_agent_hours"].sum() * hours)
            entry["backlog_end_agent_hours"] = float(rows["backlog_agent_hours"].iloc[-1])
        else:
            target = float(queue.outbound_hours_per_day or 0.0)
            day = np.array([problem.grid.day_of(t) for t in range(problem.n_intervals)])
            per_day = np.bincount(day, weights=covered * hours, minlength=problem.days)
            entry["outbound_hours"] = float(per_day.sum())
            days = calling_days(problem, queue)
            entry["outbound_target_hours"] = target * len(days)
            entry["outbound_shortfall_agent_hours"] = float(
                np.clip(target - per_day[days], 0, None).sum()
            )
        out[queue.name] = entry
    out[IDLE] = {"channel": None, "coverage_scheduled_agent_hours": float(idle_agent_hours)}
    return out
