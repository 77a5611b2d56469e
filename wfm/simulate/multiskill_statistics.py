"""What a multi-skill simulation measures: per-queue KPI tables and a summary per queue.

Each replication's contacts become a contacts table with a ``queue`` column
(:func:`multiskill_contacts_table`, the layout of :mod:`wfm.kpis`); per queue,
:func:`wfm.simulate.statistics.replication_tables` turns it into the KPI
tables of every interval and day, with the queue's own answer time (its
policy's ``answer_within_seconds``; for e-mail the response deadline,
counted on the wait until an agent takes the item), and
:func:`wfm.simulate.statistics.week_tables` sums them into weeks. Across
replications (:attr:`MultiSkillResult.intervals`, ``days``, ``weeks``),
every measure of :data:`QUEUE_MEASURES` has its mean and 95 % interval
(``m_lower``, ``m_upper``), per ``queue`` and period, as in the single queue.

Summary per queue (:attr:`MultiSkillResult.queues`)
---------------------------------------------------
One row per queue, each measure over the whole horizon of a replication,
then its mean and 95 % interval across replications:

``offered``
    contacts arriving (voice, chat, e-mail).
``service_level``
    ``answered_within / offered`` with ``answered_within`` answered within
    ``answer_within_seconds`` (the convention of :mod:`wfm.erlang`; for chat
    the first response). ``service_level_pooled``: summed over all
    replications. ``share_of_weeks_meeting_target``: of the (replication,
    week) pairs, those whose service level reaches ``target_level``.
``asa_seconds``, ``abandon_rate``, ``queued_at_close``
    as in :mod:`wfm.kpis` (contacts still waiting at closing count as
    abandoned).
``within_deadline_share`` (e-mail)
    items whose reply was sent (wait plus handling) within
    ``response_hours``, over the items whose deadline falls inside the
    horizon (an item left unanswered counts as late).
``backlog_at_end`` (e-mail)
    items not taken by the end of the horizon.
``idle_agent_hours`` (outbound)
    idle on-duty hours of the agents holding the skill, inside the calling
    windows (the time outbound work could use); ``idle_agent_hours_per_day``
    that over the horizon's days.
``meets_target``
    the mean reaches the queue's target (``target_level`` for voice and
    chat, ``response_share`` for e-mail, ``outbound_hours_per_day`` of idle
    hours for outbound).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.errors import ValidationError
from wfm.kpis import KpiSettings, period_start
from wfm.queues import Channel, Queue
from wfm.simulate.engine import Replication, SimulationOptions
from wfm.simulate.multiskill import MultiSkillProblem
from wfm.simulate.routing import MultiSkillReplication, run_multiskill_replications
from wfm.simulate.statistics import (
    MEASURES,
    contacts_table,
    mean_confidence_interval,
    replication_tables,
    summarise_replications,
    week_tables,
)

__all__ = [
    "QUEUE_MEASURES",
    "QUEUE_SUMMARY_COLUMNS",
    "MultiSkillResult",
    "multiskill_contacts_table",
    "run_multiskill_simulation",
]

FloatArray = npt.NDArray[np.float64]

_AGENT_MEASURES = ("on_duty_agent_hours", "staffed_occupancy")

#: Measures per queue and period across replications (``m``, ``m_lower``, ``m_upper``):
#: those of the single queue but the agents' (agent time is the centre's, not a queue's).
QUEUE_MEASURES: tuple[str, ...] = tuple(m for m in MEASURES if m not in _AGENT_MEASURES)

_WITH_CI = (
    "offered",
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "queued_at_close",
    "within_deadline_share",
    "backlog_at_end",
    "idle_agent_hours",
)

#: Columns of the summary per queue.
QUEUE_SUMMARY_COLUMNS: tuple[str, ...] = (
    "queue",
    "channel",
    "replications",
    "answer_within_seconds",
    "target_level",
    "response_hours",
    "response_share",
    "outbound_hours_per_day",
    *(f"{m}{s}" for m in _WITH_CI for s in ("", "_lower", "_upper")),
    "service_level_pooled",
    "share_of_weeks_meeting_target",
    "idle_agent_hours_per_day",
    "meets_target",
)


def _answer_within(queue: Queue, default_seconds: float) -> float:
    """The answer time a queue's service level counts against."""
    if queue.channel is Channel.EMAIL:
        return float(queue.response_hours or 0.0) * 3600.0
    if queue.service is not None and queue.service.answer_within_seconds is not None:
        return float(queue.service.answer_within_seconds)
    return default_seconds


def multiskill_contacts_table(
    replication: MultiSkillReplication, problem: MultiSkillProblem
) -> pd.DataFrame:
    """The contacts table of one replication, every queue, in arrival order.

    Columns of :func:`wfm.simulate.contacts_table` (``arrival, wait_seconds,
    outcome, handle_seconds, agent_id, queued_at_close``) and ``queue`` (its
    name) and ``response_seconds`` (wait plus handling of answered contacts).
    """
    table = contacts_table(
        replication.contacts, origin=problem.interval_index[0], agent_ids=problem.agent_ids
    )
    names = np.asarray([q.name for q in problem.inbound_queues], dtype=object)
    table.insert(0, "queue", names[replication.queue])
    table["response_seconds"] = replication.response_seconds
    return table


def _subset(rep: Replication, keep: npt.NDArray[np.bool_]) -> Replication:
    """The contacts of one queue (agent time zeroed: it is the centre's, not the queue's)."""
    zero = np.zeros_like(rep.on_duty_seconds)
    return replace(
        rep,
        arrival_seconds=rep.arrival_seconds[keep],
        interval=rep.interval[keep],
        wait_seconds=rep.wait_seconds[keep],
        answered=rep.answered[keep],
        queued_at_close=rep.queued_at_close[keep],
        handle_seconds=rep.handle_seconds[keep],
        agent=rep.agent[keep],
        on_duty_seconds=zero,
        staffed_seconds=zero,
    )


def _triple(values: list[float]) -> tuple[float, float, float]:
    mean, lower, upper, _ = mean_confidence_interval(np.asarray(values, dtype=float)[:, None])
    return float(mean[0]), float(lower[0]), float(upper[0])


@dataclass(frozen=True, kw_only=True, eq=False)
class MultiSkillResult:
    """Everything a multi-skill simulation measured (layouts in the module docstring).

    Attributes
    ----------
    interval_kpis, day_kpis, week_kpis
        Per replication (``replication``), ``queue`` and period: the KPI
        tables of :mod:`wfm.kpis` with the simulation's columns.
    intervals, days, weeks
        Per ``queue`` and period: means and 95 % intervals of
        :data:`QUEUE_MEASURES` across replications, ``replications`` and
        ``replications_with_calls``, ``service_level_pooled``.
    queues
        The summary per queue (:data:`QUEUE_SUMMARY_COLUMNS`).
    agents
        Per interval, the centre's agents on duty: ``on_duty_agent_hours``
        (mean and 95 % interval) and ``agents_on_duty``.
    outbound
        Per outbound queue and local day: ``idle_agent_hours`` (mean and 95 %
        interval) and the queue's ``outbound_hours_per_day``.
    replications, seed, wall_time_seconds
        The run.
    """

    interval_kpis: pd.DataFrame
    day_kpis: pd.DataFrame
    week_kpis: pd.DataFrame
    intervals: pd.DataFrame
    days: pd.DataFrame
    weeks: pd.DataFrame
    queues: pd.DataFrame
    agents: pd.DataFrame
    outbound: pd.DataFrame
    replications: int
    seed: int
    wall_time_seconds: float

    def write(self, directory: str | Path) -> list[str]:
        """Write ``queue_intervals.csv``, ``queue_days.csv``, ``queue_weeks.csv``,
        ``queues.csv``, ``agents.csv``, ``outbound.csv`` and ``summary.json``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        files = {
            "queue_intervals.csv": self.intervals,
            "queue_days.csv": self.days,
            "queue_weeks.csv": self.weeks,
            "queues.csv": self.queues,
            "agents.csv": self.agents,
            "outbound.csv": self.outbound,
        }
        for name, table in files.items():
            frame = table
            if "interval_start" in frame.columns and isinstance(
                frame["interval_start"].dtype, pd.DatetimeTZDtype
            ):
                from wfm.timegrid import stamp_text

                frame = stamp_text(frame)
            for column in ("date", "week_start"):
                if column in frame.columns and isinstance(frame[column].dtype, pd.DatetimeTZDtype):
                    frame = frame.assign(**{column: frame[column].dt.strftime("%Y-%m-%d")})
            frame.to_csv(out / name, index=False, date_format="%Y-%m-%d %H:%M")
        summary = {
            "replications": self.replications,
            "seed": self.seed,
            "wall_time_seconds": self.wall_time_seconds,
            "queues": [
                {
                    k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                    for k, v in row.items()
                }
                for row in self.queues.to_dict(orient="records")
            ],
        }
        (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
        return [*files, "summary.json"]


def run_multiskill_simulation(
    problem: MultiSkillProblem,
    options: SimulationOptions | None = None,
    *,
    default_answer_within_seconds: float = 20.0,
    short_abandon_seconds: float = 0.0,
) -> MultiSkillResult:
    """Simulate a multi-skill centre and measure every queue per interval, day and week.

    Parameters
    ----------
    problem
        What to simulate.
    options
        Replications, seed and worker processes (default
        ``SimulationOptions()``: 100 replications, seed 0, one process).
    default_answer_within_seconds
        Answer time of a voice or chat queue whose policy has no service-level
        target (only an ASA or abandonment limit).
    short_abandon_seconds
        Abandons quicker than this are ``short_abandoned`` (0: none).

    Returns
    -------
    MultiSkillResult
    """
    started = time.perf_counter()
    options = SimulationOptions() if options is None else options
    if not isinstance(problem, MultiSkillProblem):
        raise ValidationError("problem", type(problem).__name__, "a MultiSkillProblem")
    for name, value in (
        ("default_answer_within_seconds", default_answer_within_seconds),
        ("short_abandon_seconds", short_abandon_seconds),
    ):
        if (
            not (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            )
            or value < 0
        ):
            raise ValidationError(name, value, "a finite number of seconds >= 0")
    reps = run_multiskill_replications(problem, options)
    grid = problem.interval_index
    minutes = int(problem.interval_minutes or 0)
    inbound = problem.inbound_queues
    n = options.replications
    horizon = len(grid) * minutes * 60.0
    first_date = pd.Timestamp(period_start(pd.Series(grid[:1]), period="day").iloc[0])
    interval_parts: list[pd.DataFrame] = []
    day_parts: list[pd.DataFrame] = []
    week_parts: list[pd.DataFrame] = []
    rows: list[dict[str, Any]] = []
    for qi, queue in enumerate(inbound):
        within = _answer_within(queue, float(default_answer_within_seconds))
        settings = KpiSettings(
            interval_minutes=minutes,
            answer_within_seconds=within,
            short_abandon_seconds=float(short_abandon_seconds),
        )
        q_int: list[pd.DataFrame] = []
        q_day: list[pd.DataFrame] = []
        measured: dict[str, list[float]] = {k: [] for k in _WITH_CI}
        pooled = [0, 0]
        for rep in reps:
            keep = rep.queue == qi
            sub = _subset(rep.contacts, keep)
            contacts = contacts_table(sub, origin=grid[0], agent_ids=problem.agent_ids)
            intervals, days = replication_tables(
                sub, contacts, interval_starts=grid, settings=settings
            )
            q_int.append(intervals.assign(replication=rep.index))
            q_day.append(days.assign(replication=rep.index))
            offered = int(keep.sum())
            answered = sub.answered
            wait = sub.wait_seconds
            in_time = int(np.sum(answered & (wait <= within)))
            pooled[0] += in_time
            pooled[1] += offered
            measured["offered"].append(offered)
            measured["service_level"].append(in_time / offered if offered else math.nan)
            measured["asa_seconds"].append(
                float(wait[answered].mean()) if answered.any() else math.nan
            )
            measured["abandon_rate"].append(float(np.mean(~answered)) if offered else math.nan)
            measured["queued_at_close"].append(float(sub.queued_at_close.sum()))
            if queue.channel is Channel.EMAIL:
                deadline = within
                due = sub.arrival_seconds + deadline <= horizon
                response = rep.response_seconds[keep]
                done = answered & (np.nan_to_num(response, nan=math.inf) <= deadline)
                measured["within_deadline_share"].append(
                    float(np.sum(done & due) / due.sum()) if due.any() else math.nan
                )
                measured["backlog_at_end"].append(float(sub.queued_at_close.sum()))
            else:
                measured["within_deadline_share"].append(math.nan)
                measured["backlog_at_end"].append(math.nan)
            measured["idle_agent_hours"].append(math.nan)
        per_int = pd.concat(q_int, ignore_index=True)
        per_day = pd.concat(q_day, ignore_index=True)
        per_week = week_tables(per_day, first_date)
        for part, table in (
            (interval_parts, per_int),
            (day_parts, per_day),
            (week_parts, per_week),
        ):
            part.append(
                table.drop(
                    columns=["on_duty_agent_seconds", "staffed_agent_seconds", "staffed_occupancy"]
                ).assign(queue=queue.name)
            )
        level = queue.service.level if queue.service is not None else None
        sl_week = per_week["service_level"].to_numpy(dtype=float)
        defined = np.isfinite(sl_week)
        share_weeks = (
            float(np.mean(sl_week[defined] >= level))
            if level is not None and defined.any()
            else math.nan
        )
        row = _summary_row(queue, n, measured)
        row["answer_within_seconds"] = within
        row["service_level_pooled"] = pooled[0] / pooled[1] if pooled[1] else math.nan
        row["share_of_weeks_meeting_target"] = share_weeks
        rows.append(row)
    outbound_rows, outbound_days = _outbound(problem, reps, grid, n)
    rows.extend(outbound_rows)
    order = {name: i for i, name in enumerate(problem.queues.names)}
    queues = pd.DataFrame(rows)
    queues = queues.iloc[np.argsort([order[q] for q in queues["queue"]], kind="stable")]
    queues = queues.reindex(columns=list(QUEUE_SUMMARY_COLUMNS)).reset_index(drop=True)
    interval_kpis = _queue_first(pd.concat(interval_parts, ignore_index=True))
    day_kpis = _queue_first(pd.concat(day_parts, ignore_index=True))
    week_kpis = _queue_first(pd.concat(week_parts, ignore_index=True))
    return MultiSkillResult(
        interval_kpis=interval_kpis,
        day_kpis=day_kpis,
        week_kpis=week_kpis,
        intervals=_per_queue(interval_kpis, "interval_start", n),
        days=_per_queue(day_kpis, "date", n),
        weeks=_per_queue(week_kpis, "week_start", n),
        queues=queues,
        agents=_agents(reps, grid, minutes),
        outbound=outbound_days,
        replications=n,
        seed=options.seed,
        wall_time_seconds=time.perf_counter() - started,
    )


def _queue_first(table: pd.DataFrame) -> pd.DataFrame:
    columns = ["queue", "replication"] + [
        c for c in table.columns if c not in ("queue", "replication")
    ]
    return table[columns]


def _summary_row(
    queue: Queue, replications: int, measured: dict[str, list[float]]
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "queue": queue.name,
        "channel": queue.channel.value,
        "replications": replications,
        "answer_within_seconds": math.nan,
        "target_level": (
            queue.service.level
            if queue.service is not None and queue.service.level is not None
            else math.nan
        ),
        "response_hours": queue.response_hours if queue.response_hours is not None else math.nan,
        "response_share": queue.response_share if queue.channel is Channel.EMAIL else math.nan,
        "outbound_hours_per_day": (
            queue.outbound_hours_per_day if queue.outbound_hours_per_day is not None else math.nan
        ),
    }
    for measure, values in measured.items():
        mean, lower, upper = _triple(values)
        row[measure], row[f"{measure}_lower"], row[f"{measure}_upper"] = mean, lower, upper
    if queue.channel is Channel.EMAIL:
        target, value = row["response_share"], row["within_deadline_share"]
    elif queue.channel is Channel.OUTBOUND:
        target, value = row["outbound_hours_per_day"], row.get("idle_agent_hours_per_day", math.nan)
    else:
        target, value = row["target_level"], row["service_level"]
    row["meets_target"] = (
        bool(value >= target) if math.isfinite(target) and math.isfinite(value) else None
    )
    return row


def _per_queue(per_replication: pd.DataFrame, key: str, replications: int) -> pd.DataFrame:
    """Means and 95 % intervals per queue and period."""
    parts = []
    for name, table in per_replication.groupby("queue", sort=False):
        summary = summarise_replications(
            table.assign(on_duty_agent_seconds=0.0, staffed_occupancy=math.nan),
            key,
            replications,
        )
        summary = summary.drop(
            columns=[f"{m}{s}" for m in _AGENT_MEASURES for s in ("", "_lower", "_upper")]
        )
        summary.insert(0, "queue", name)
        parts.append(summary)
    return pd.concat(parts, ignore_index=True)


def _agents(
    reps: list[MultiSkillReplication], grid: pd.DatetimeIndex, minutes: int
) -> pd.DataFrame:
    """The centre's on-duty agent-hours per interval across replications."""
    hours = np.vstack([r.contacts.on_duty_seconds for r in reps]) / 3600.0
    mean, lower, upper, _ = mean_confidence_interval(hours)
    return pd.DataFrame(
        {
            "interval_start": grid,
            "on_duty_agent_hours": mean,
            "on_duty_agent_hours_lower": lower,
            "on_duty_agent_hours_upper": upper,
            "agents_on_duty": mean / (minutes / 60.0),
        }
    )


def _outbound(
    problem: MultiSkillProblem,
    reps: list[MultiSkillReplication],
    grid: pd.DatetimeIndex,
    replications: int,
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """Summary rows and the per-day table of the outbound queues."""
    outbound = [q for q in problem.queues.queues if q.channel is Channel.OUTBOUND]
    local_days = period_start(pd.Series(grid), period="day")
    dates = pd.DatetimeIndex(pd.unique(local_days))
    day_of = pd.Index(dates).get_indexer(pd.DatetimeIndex(local_days))
    rows: list[dict[str, Any]] = []
    days: list[pd.DataFrame] = []
    for o, queue in enumerate(outbound):
        per_day = np.zeros((len(reps), len(dates)))
        for i, rep in enumerate(reps):
            per_day[i] = (
                np.bincount(day_of, weights=rep.outbound_idle_seconds[o], minlength=len(dates))
                / 3600.0
            )
        mean, lower, upper, _ = mean_confidence_interval(per_day)
        days.append(
            pd.DataFrame(
                {
                    "queue": queue.name,
                    "date": dates,
                    "idle_agent_hours": mean,
                    "idle_agent_hours_lower": lower,
                    "idle_agent_hours_upper": upper,
                    "outbound_hours_per_day": queue.outbound_hours_per_day,
                }
            )
        )
        measured: dict[str, list[float]] = {k: [math.nan] * len(reps) for k in _WITH_CI}
        measured["idle_agent_hours"] = per_day.sum(axis=1).tolist()
        row = _summary_row(queue, replications, measured)
        row["idle_agent_hours_per_day"] = row["idle_agent_hours"] / len(dates)
        target = row["outbound_hours_per_day"]
        row["meets_target"] = bool(row["idle_agent_hours_per_day"] >= target)
        rows.append(row)
    columns = [
        "queue",
        "date",
        "idle_agent_hours",
        "idle_agent_hours_lower",
        "idle_agent_hours_upper",
        "outbound_hours_per_day",
    ]
    table = pd.concat(days, ignore_index=True) if days else pd.DataFrame(columns=columns)
    return rows, table
