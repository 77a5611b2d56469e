"""Staffing for several queues: requirements per interval and queue, by channel.

:func:`queue_requirements` turns the demand of a centre with several queues
(calls and AHT per interval and queue) and its :class:`wfm.queues.QueueSet`
into one requirements table, one row per interval and queue;
:func:`backlog` measures how deferrable work (e-mail) is answered by the
capacity given to it. The single-queue maths is :mod:`wfm.staffing`'s (and
through it :mod:`wfm.erlang`'s); shrinkage is converted only by
:func:`wfm.service.scheduled_agents_fractional`.

Channels
--------
``voice``
    :func:`wfm.staffing.requirements` on the queue's rows with the queue's
    policy: one voice queue gives exactly the single-queue figures.
``chat`` (the *full concurrency* approximation)
    An agent holding ``k = max_sessions`` sessions is ``k`` session slots,
    and every session is slowed as if the agent always held ``k``: the
    session handle time is ``AHT_k = aht_seconds * (1 + session_slowdown * (k
    - 1))``. The first-response wait is the wait for a free slot, so the
    queue is Erlang C (or A) with ``N * k`` servers, traffic ``calls * AHT_k /
    interval`` and service time ``AHT_k``; the policy's target applies to that
    wait. The slots needed are :func:`wfm.staffing.requirements` on the
    chat rows with ``AHT_k``; agents = ``ceil(slots / k)`` (fractional:
    ``slots_fractional / k``), and the service columns are those of ``k x
    agents`` slots. With ``k = 1`` this is voice. The approximation is
    pessimistic when agents often hold fewer than ``k`` sessions (their
    sessions are then faster than ``AHT_k``) and optimistic in that a slot is
    taken the moment it frees (no agent refuses a further chat). Its
    ``occupancy`` is the share of slots busy.
``email``
    No per-interval requirement (``required_*`` = 0, service columns NaN):
    the work of the items arriving in the interval, ``calls x aht_seconds /
    3600`` agent-hours on the phone (``work_on_phone_agent_hours``) and
    grossed up by the centre's shrinkage (``work_scheduled_agent_hours``).
    The capacity may work ahead or behind within the deadline
    (:func:`backlog`, and the roster's cumulative constraint).
``outbound``
    Not in the demand nor in the requirements (its target is in hours per
    day, :attr:`wfm.queues.Queue.outbound_hours_per_day`).

Demand layout (input of :func:`queue_requirements`)
---------------------------------------------------
One row per interval and queue: ``interval_start`` (datetime64, naive or
tz-aware), ``queue`` (a name of the set), ``calls`` (>= 0), ``aht_seconds``
(> 0, NaN allowed where there are no calls or the interval is closed),
optional ``is_open`` (bool) and, for voice queues under Erlang A, optional
``patience_seconds`` (as in :mod:`wfm.staffing`). Every voice, chat and
e-mail queue of the set has one row in every interval of the same grid; no
outbound rows. Other columns are ignored.

Queue requirements layout (output), :data:`QUEUE_REQUIREMENT_COLUMNS`
-----------------------------------------------------------------------
One row per interval and queue, sorted by interval then by the queue order of
the set: ``interval_start, queue, channel, calls, aht_seconds,
traffic_erlangs`` (chat: with ``AHT_k``), ``required_on_phone`` (int),
``required_scheduled`` (int, whole agents per queue, as in the single-queue
table), ``required_scheduled_fractional``, ``work_on_phone_agent_hours``,
``work_scheduled_agent_hours``, ``service_level, asa_seconds, occupancy``
(at the whole requirement; SL(T) is the share of contacts answered within
the policy's answer time, as in :mod:`wfm.staffing`). ``df.attrs`` holds
``interval_minutes`` and ``queues`` (a description of the set); nothing
relies on them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm import staffing
from wfm.errors import DataError, ValidationError
from wfm.queues import Channel, Queue, QueueSet
from wfm.service import SCHEDULE_TOLERANCE, scheduled_agents_fractional
from wfm.timegrid import IntervalGrid

__all__ = [
    "QUEUE_REQUIREMENT_COLUMNS",
    "BacklogResult",
    "backlog",
    "chat_session_aht_seconds",
    "deadline_intervals",
    "queue_requirements",
]

#: Columns of the queue requirements table, in order.
QUEUE_REQUIREMENT_COLUMNS: tuple[str, ...] = (
    "interval_start",
    "queue",
    "channel",
    "calls",
    "aht_seconds",
    "traffic_erlangs",
    "required_on_phone",
    "required_scheduled",
    "required_scheduled_fractional",
    "work_on_phone_agent_hours",
    "work_scheduled_agent_hours",
    "service_level",
    "asa_seconds",
    "occupancy",
)

_DEMAND_COLUMNS = ("interval_start", "queue", "calls", "aht_seconds")


def chat_session_aht_seconds(aht_seconds: Any, *, queue: Queue) -> Any:
    """Session handle time of a chat queue at full concurrency.

    ``aht_seconds * (1 + session_slowdown * (max_sessions - 1))``; the AHT
    itself for any other queue (``max_sessions`` is 1 there).

    Parameters
    ----------
    aht_seconds
        Handle time of one chat handled alone (scalar or array).
    queue
        The queue (its ``max_sessions`` and ``session_slowdown``).

    Returns
    -------
    float or numpy.ndarray
        Session handle time in seconds, of the shape of ``aht_seconds``.

    Examples
    --------
    >>> from wfm.queues import Channel, Queue
    >>> from wfm.service import ServicePolicy
    >>> chat = Queue(name="chat", channel=Channel.CHAT, service=ServicePolicy(),
    ...              max_sessions=3, session_slowdown=0.25)
    >>> chat_session_aht_seconds(200.0, queue=chat)
    300.0
    """
    factor = 1.0 + queue.session_slowdown * (queue.max_sessions - 1)
    result = np.asarray(aht_seconds, dtype=np.float64) * factor
    return float(result) if result.ndim == 0 else result


def _check_demand(
    demand: Any, queues: QueueSet, grid: IntervalGrid | None
) -> tuple[pd.DataFrame, pd.Series]:
    """Check the demand table; return it and its interval starts (the grid)."""
    if not isinstance(queues, QueueSet):
        raise ValidationError("queues", type(queues).__name__, "a wfm.queues.QueueSet")
    if not isinstance(demand, pd.DataFrame):
        raise ValidationError("demand", type(demand).__name__, "a pandas DataFrame")
    missing = [c for c in _DEMAND_COLUMNS if c not in demand.columns]
    if missing:
        raise DataError("demand", sorted(map(str, demand.columns)), f"columns {', '.join(missing)}")
    starts = demand["interval_start"]
    if not (
        pd.api.types.is_datetime64_any_dtype(starts.dtype)
        or isinstance(starts.dtype, pd.DatetimeTZDtype)
    ):
        raise DataError(
            "demand.interval_start", str(starts.dtype), "a datetime64 column (parse timestamps)"
        )
    if starts.isna().any():
        i = int(np.flatnonzero(starts.isna().to_numpy())[0])
        raise DataError(f"demand.interval_start[row {i}]", None, "a timestamp")
    names = demand["queue"].to_numpy()
    for i, name in enumerate(names):
        if not isinstance(name, str) or name not in queues.names:
            raise DataError(f"demand.queue[row {i}]", name, f"one of {', '.join(queues.names)}")
        if queues.queue(name).channel is Channel.OUTBOUND:
            raise DataError(
                f"demand.queue[row {i}]",
                name,
                "no rows for an outbound queue (its target is outbound_hours_per_day)",
            )
    duplicated = demand.duplicated(["interval_start", "queue"]).to_numpy()
    if duplicated.any():
        i = int(np.flatnonzero(duplicated)[0])
        raise DataError(
            f"demand[row {i}]",
            f"{demand['queue'].iloc[i]} at {starts.iloc[i]}",
            "one row per interval and queue (this pair is repeated)",
        )
    times = pd.Series(starts.drop_duplicates().sort_values().to_numpy(), name="interval_start")
    if grid is not None:
        expected = pd.Series(grid.interval_starts, name="interval_start")
        if len(expected) != len(times) or not (expected.to_numpy() == times.to_numpy()).all():
            raise DataError(
                "demand.interval_start",
                f"{len(times)} intervals from {times.iloc[0] if len(times) else None}",
                f"the {grid.n_intervals} intervals of the grid from {expected.iloc[0]}",
            )
    for q in queues.queues:
        if q.channel is Channel.OUTBOUND:
            continue
        have = demand.loc[demand["queue"] == q.name, "interval_start"]
        if len(have) != len(times):
            raise DataError(
                f"demand[queue {q.name!r}]",
                f"{len(have)} intervals",
                f"a row in each of the {len(times)} intervals of the demand (one grid for "
                "every voice, chat and email queue)",
            )
    return demand, times


def _per_queue_forecast(rows: pd.DataFrame, queue: Queue) -> pd.DataFrame:
    keep = ["interval_start", "calls", "aht_seconds"]
    if "is_open" in rows.columns:
        keep.append("is_open")
    if "patience_seconds" in rows.columns:
        if queue.channel is not Channel.VOICE:
            if rows["patience_seconds"].notna().any():
                raise DataError(
                    f"demand.patience_seconds[queue {queue.name!r}]",
                    "values",
                    f"NaN for a {queue.channel.value} queue (its policy's patience applies)",
                )
        else:
            keep.append("patience_seconds")
    return rows[keep].sort_values("interval_start").reset_index(drop=True)


def _voice_or_chat(
    forecast: pd.DataFrame, queue: Queue, *, shrinkage: float, interval_minutes: float
) -> pd.DataFrame:
    policy = queue.service
    assert policy is not None  # a per-interval queue always has one (Queue checks it)
    k = queue.max_sessions
    if queue.channel is Channel.CHAT:
        forecast = forecast.assign(
            aht_seconds=chat_session_aht_seconds(
                forecast["aht_seconds"].to_numpy(dtype=np.float64), queue=queue
            )
        )
    found = staffing.requirements(forecast, policy=policy, interval_minutes=interval_minutes)
    if k == 1:
        return found
    slots = found["required_on_phone"].to_numpy(dtype=np.int64)
    agents = np.ceil(slots / k - SCHEDULE_TOLERANCE).astype(np.int64)
    agents_fractional = found["required_on_phone_fractional"].to_numpy(dtype=np.float64) / k
    is_open = found["is_open"].to_numpy(dtype=bool)
    service = staffing.performance(
        np.where(is_open, found["calls"].to_numpy(dtype=np.float64), 0.0),
        aht_seconds=np.where(np.isfinite(found["aht_seconds"]), found["aht_seconds"], 1.0),
        agents_on_phone=(agents * k).astype(np.float64),
        interval_minutes=interval_minutes,
        policy=policy,
    )
    out = found.copy()
    out["required_on_phone"] = agents
    out["required_on_phone_fractional"] = agents_fractional
    out["required_scheduled"] = policy.scheduled_for(agents)
    out["required_scheduled_fractional"] = scheduled_agents_fractional(
        agents_fractional, shrinkage=shrinkage
    )
    for column in ("service_level", "asa_seconds", "occupancy"):
        out[column] = service[column].to_numpy()
    return out


def _email(forecast: pd.DataFrame, *, shrinkage: float, interval_minutes: float) -> pd.DataFrame:
    calls = pd.to_numeric(forecast["calls"], errors="coerce").to_numpy(dtype=np.float64)
    aht = pd.to_numeric(forecast["aht_seconds"], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(calls) | (calls < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"calls[row {i}]", forecast["calls"].iloc[i], "a finite number >= 0")
    bad = (calls > 0) & ~(np.isfinite(aht) & (aht > 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"aht_seconds[row {i}]",
            forecast["aht_seconds"].iloc[i],
            "a finite number > 0 where there are items",
        )
    if "is_open" in forecast.columns:
        closed = ~forecast["is_open"].astype(bool).to_numpy() & (calls > 0)
        if closed.any():
            i = int(np.flatnonzero(closed)[0])
            raise DataError(f"calls[row {i}]", float(calls[i]), "0 in a closed interval")
    work = np.where(calls > 0, calls * np.where(calls > 0, aht, 0.0), 0.0) / 3600.0
    zeros = np.zeros(len(forecast), dtype=np.int64)
    return pd.DataFrame(
        {
            "interval_start": forecast["interval_start"],
            "calls": calls,
            "aht_seconds": aht,
            "traffic_erlangs": work * 60.0 / interval_minutes,
            "required_on_phone": zeros,
            "required_scheduled": zeros,
            "required_scheduled_fractional": np.zeros(len(forecast)),
            "work_on_phone_agent_hours": work,
            "work_scheduled_agent_hours": scheduled_agents_fractional(work, shrinkage=shrinkage),
            "service_level": np.nan,
            "asa_seconds": np.nan,
            "occupancy": np.nan,
        }
    )


def _interval_minutes(times: pd.Series, given: float | None, grid: IntervalGrid | None) -> float:
    if grid is not None:
        if given is not None and float(given) != grid.interval_minutes:
            raise ValidationError(
                "interval_minutes", given, f"None or the grid's {grid.interval_minutes}"
            )
        return float(grid.interval_minutes)
    if given is not None:
        if not (isinstance(given, (int, float)) and math.isfinite(given) and given > 0):
            raise ValidationError("interval_minutes", given, "a number of minutes > 0")
        return float(given)
    return staffing.infer_interval_minutes(times)


def queue_requirements(
    demand: pd.DataFrame,
    queues: QueueSet,
    *,
    interval_minutes: float | None = None,
    grid: IntervalGrid | None = None,
) -> pd.DataFrame:
    """Requirements per interval and queue of a centre with several queues.

    Parameters
    ----------
    demand
        Demand layout (see the module documentation).
    queues
        The centre's queues, their policies and its shrinkage.
    interval_minutes
        Interval length; the grid's, or inferred from the most common spacing
        of the demand's interval starts, when omitted.
    grid
        When given, the demand's intervals must be exactly the grid's.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`QUEUE_REQUIREMENT_COLUMNS` (see the module
        documentation).

    Raises
    ------
    ValidationError
        For a bad argument.
    DataError
        For a bad demand table: an unknown queue, an outbound queue's row, a
        repeated (interval, queue) pair, a queue missing intervals, a grid
        mismatch or a bad value, naming the field, the value and what was
        expected.

    Examples
    --------
    >>> import pandas as pd
    >>> from wfm.queues import Channel, Queue, QueueSet
    >>> from wfm.service import ServicePolicy
    >>> policy = ServicePolicy.parse("0.8/20", shrinkage=0.3)
    >>> centre = QueueSet(queues=(Queue(name="sales", service=policy),
    ...     Queue(name="chat", channel=Channel.CHAT, service=policy, max_sessions=2)),
    ...     shrinkage=0.3)
    >>> demand = pd.DataFrame({"interval_start": [pd.Timestamp("2024-01-01 09:00")] * 2,
    ...     "queue": ["sales", "chat"], "calls": [100.0, 100.0], "aht_seconds": [180.0, 180.0]})
    >>> table = queue_requirements(demand, centre, interval_minutes=30)
    >>> table[["queue", "required_on_phone", "required_scheduled"]].to_numpy().tolist()
    [['sales', 14, 20], ['chat', 7, 10]]
    """
    demand, times = _check_demand(demand, queues, grid)
    minutes = _interval_minutes(times, interval_minutes, grid)
    order = {name: i for i, name in enumerate(queues.names)}
    parts: list[pd.DataFrame] = []
    for q in queues.queues:
        if q.channel is Channel.OUTBOUND:
            continue
        forecast = _per_queue_forecast(demand[demand["queue"] == q.name], q)
        try:
            if q.channel is Channel.EMAIL:
                table = _email(forecast, shrinkage=queues.shrinkage, interval_minutes=minutes)
            else:
                table = _voice_or_chat(
                    forecast, q, shrinkage=queues.shrinkage, interval_minutes=minutes
                )
                table["work_on_phone_agent_hours"] = 0.0
                table["work_scheduled_agent_hours"] = 0.0
        except DataError as error:
            # rows are counted within the queue's own rows, in time order
            raise DataError(
                f"demand[queue {q.name!r}].{error.field}", error.value, error.expected
            ) from None
        table["queue"] = q.name
        table["channel"] = q.channel.value
        parts.append(table[list(QUEUE_REQUIREMENT_COLUMNS)])
    out = pd.concat(parts, ignore_index=True)
    out["_order"] = out["queue"].map(order)
    out = out.sort_values(["interval_start", "_order"], kind="stable").drop(columns="_order")
    out = out.reset_index(drop=True)
    for column in ("required_on_phone", "required_scheduled"):
        out[column] = out[column].astype(np.int64)
    out.attrs = {
        "interval_minutes": minutes,
        "queues": {
            "shrinkage": queues.shrinkage,
            "queues": [
                {"name": q.name, "channel": q.channel.value, "max_sessions": q.max_sessions}
                for q in queues.queues
            ],
        },
    }
    return out


@dataclass(frozen=True, kw_only=True)
class BacklogResult:
    """Deferrable work answered first in, first out by a given capacity.

    Attributes
    ----------
    done_agent_hours
        Work finished in each interval.
    backlog_agent_hours
        Work arrived and not finished at the end of each interval.
    late_agent_hours
        Work past its deadline and not finished at the end of each interval.
    due_agent_hours
        Work whose deadline falls inside the horizon.
    on_time_agent_hours
        Of that work, the part finished by its deadline.
    share_within_deadline
        ``on_time_agent_hours / due_agent_hours`` (NaN when nothing is due).
    """

    done_agent_hours: npt.NDArray[np.float64]
    backlog_agent_hours: npt.NDArray[np.float64]
    late_agent_hours: npt.NDArray[np.float64]
    due_agent_hours: float
    on_time_agent_hours: float
    share_within_deadline: float


def _hours_array(name: str, value: Any) -> npt.NDArray[np.float64]:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 1:
        raise ValidationError(name, array.shape, "a 1-d sequence of agent-hours per interval")
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValidationError(f"{name}[{i}]", float(array[i]), "agent-hours >= 0")
    return array


def deadline_intervals(queue: Queue, *, interval_minutes: float) -> int:
    """An e-mail queue's response deadline in whole intervals, for :func:`backlog`.

    ``floor(response_hours * 60 / interval_minutes)`` (a deadline between two
    interval ends is held to the earlier one).

    Examples
    --------
    >>> from wfm.queues import Channel, Queue
    >>> deadline_intervals(Queue(name="mail", channel=Channel.EMAIL, response_hours=8),
    ...                    interval_minutes=30)
    16
    """
    if queue.channel is not Channel.EMAIL or queue.response_hours is None:
        raise ValidationError("queue", queue.name, "an email queue (with response_hours)")
    if not (isinstance(interval_minutes, (int, float)) and interval_minutes > 0):
        raise ValidationError("interval_minutes", interval_minutes, "a number of minutes > 0")
    return math.floor(queue.response_hours * 60.0 / interval_minutes + 1e-9)


def backlog(
    work_agent_hours: Sequence[float] | npt.NDArray[np.float64],
    capacity_agent_hours: Sequence[float] | npt.NDArray[np.float64],
    *,
    deadline_intervals: int,
) -> BacklogResult:
    """FIFO backlog of deferrable work and the share answered within its deadline.

    Work is fluid: the work arriving in interval ``s`` may be worked from
    interval ``s`` on (as the roster's cumulative constraint allows), oldest
    work first; it is on time when finished by the end of interval ``s +
    deadline_intervals`` (the deadline counted from the end of the interval
    it arrived in, the roster's convention: ``late[t] = arrived(t -
    deadline) - done(t)``). Capacity unused for want of work is lost.

    Parameters
    ----------
    work_agent_hours
        Work arriving per interval (agent-hours on the phone, >= 0).
    capacity_agent_hours
        Agent-hours given to the work per interval (>= 0), same length.
    deadline_intervals
        Deadline in whole intervals (>= 0), e.g. 16 for 8 hours of 30-minute
        intervals.

    Returns
    -------
    BacklogResult

    Examples
    --------
    >>> r = backlog([4.0, 0.0, 0.0], [1.0, 2.0, 2.0], deadline_intervals=1)
    >>> r.backlog_agent_hours.tolist(), r.share_within_deadline
    ([3.0, 1.0, 0.0], 0.75)
    """
    work = _hours_array("work_agent_hours", work_agent_hours)
    capacity = _hours_array("capacity_agent_hours", capacity_agent_hours)
    if work.shape != capacity.shape:
        raise ValidationError(
            "capacity_agent_hours", capacity.shape, f"the shape of work_agent_hours {work.shape}"
        )
    d = deadline_intervals
    if not (isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0):
        raise ValidationError("deadline_intervals", d, "a whole number of intervals >= 0")
    d = int(d)
    arrived = np.cumsum(work)
    done_cum = np.zeros_like(arrived)
    finished = 0.0
    for t in range(len(work)):
        finished = min(float(arrived[t]), finished + float(capacity[t]))
        done_cum[t] = finished
    before = np.concatenate(([0.0], arrived[:-1]))  # work arrived before interval s
    n = len(work)
    due_idx = np.arange(n - d) if d < n else np.arange(0)
    on_time = np.clip(done_cum[due_idx + d] - before[due_idx], 0.0, work[due_idx])
    due = float(work[due_idx].sum())
    on_time_total = float(on_time.sum())
    arrived_by_deadline = np.concatenate((np.zeros(min(d, n)), arrived[: max(n - d, 0)]))
    return BacklogResult(
        done_agent_hours=np.diff(np.concatenate(([0.0], done_cum))),
        backlog_agent_hours=arrived - done_cum,
        late_agent_hours=np.maximum(arrived_by_deadline - done_cum, 0.0),
        due_agent_hours=due,
        on_time_agent_hours=on_time_total,
        share_within_deadline=on_time_total / due if due > 0 else math.nan,
    )
