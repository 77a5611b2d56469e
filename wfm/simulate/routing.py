"""The simulation logic of a multi-skill centre: one replication, event by event.

A replication draws its random inputs from its own seeded streams and then
runs the centre as a discrete-event simulation (what is simulated and the
routing rule are in :mod:`wfm.simulate.multiskill`). Skill-based routing and
chat concurrency make the order of service depend on the state of every
agent, so unlike the single-queue engine (:mod:`wfm.simulate.engine`) this
one keeps an event calendar:

* events are contact arrivals (in time order, drawn beforehand), ends of
  handling, and the starts and ends of each agent's spans of duty;
* every event at the same instant is applied first, then the agents who
  became available at it choose work in the order of the routing rule
  (idle longest first), then arrivals are routed;
* a contact whose patience (or its queue's open period) ends while it
  waits leaves at that moment; it is removed from its queue when an agent
  would otherwise take it (no agent sees it before), so abandonment needs
  no event of its own.

Random streams
--------------
Replication ``r`` spawns ``4 x len(queues)`` streams from
``numpy.random.SeedSequence(seed, spawn_key=(r,))``: the queue at position
``i`` of the :class:`~wfm.queues.QueueSet` draws its arrivals, handle times
and patience from streams ``4 i``, ``4 i + 1`` and ``4 i + 2``, and stream 3
draws the shrinkage. These are the streams of the single-queue engine for
the first queue, so a centre of one voice queue served by every agent gives
the single-queue simulator's calls, waits and agents, call for call, for the
same seed. A result depends on the seed and the replication number only
(never on the number of worker processes), and two problems with the same
demand see the same contacts (common random numbers).
"""

from __future__ import annotations

import heapq
import math
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wfm.errors import ValidationError
from wfm.queues import Channel
from wfm.simulate.engine import Replication, SimulationOptions, seconds_per_interval
from wfm.simulate.model import Shrinkage
from wfm.simulate.multiskill import MultiSkillProblem

__all__ = ["MultiSkillReplication", "run_multiskill_replications"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Streams per queue (arrivals, handle times, patience, and one the first
#: queue lends to the shrinkage), as in the single-queue engine.
_STREAMS_PER_QUEUE = 4
_SHRINKAGE_STREAM = 3

_COMPLETE, _OFF, _ON = 0, 1, 2


@dataclass(frozen=True, eq=False)
class MultiSkillReplication:
    """The contacts and agent time of one replication of a multi-skill centre.

    Attributes
    ----------
    index
        The replication number.
    contacts
        Every contact of every queue in arrival order, as a single-queue
        :class:`~wfm.simulate.engine.Replication` (``agent`` indexes the
        schedule's agents; ``queued_at_close`` is, for e-mail, the backlog
        left at the end of the horizon, whose ``wait_seconds`` run to it).
        ``on_duty_seconds`` is the centre's on-duty agent time per interval
        (after shrinkage); ``staffed_seconds`` is the same (time spent
        finishing contacts after going off duty is not counted).
    queue
        Per contact, the position of its queue in
        :attr:`MultiSkillProblem.inbound_queues`.
    response_seconds
        Per contact, wait plus handle time for answered contacts (when an
        e-mail's reply is sent), NaN otherwise.
    outbound_idle_seconds
        Per outbound queue (in the set's order) and interval: agent-seconds
        on duty without a contact in hand of the agents holding its skill,
        in intervals inside its calling windows.
    """

    index: int
    contacts: Replication
    queue: IntArray
    response_seconds: FloatArray
    outbound_idle_seconds: FloatArray


@dataclass(frozen=True, eq=False)
class _Compiled:
    """A problem in engine terms (picklable, shared by all replications)."""

    interval_seconds: float
    n_intervals: int
    set_size: int
    slot: tuple[int, ...]  # position of each inbound queue in the QueueSet
    is_chat: tuple[bool, ...]
    is_email: tuple[bool, ...]
    max_sessions: tuple[int, ...]
    slowdown: tuple[float, ...]
    patience_mean: tuple[float, ...]  # inf: never abandons
    calls: FloatArray  # (queues, intervals)
    aht: FloatArray
    close: FloatArray
    day_of_interval: IntArray
    n_days: int
    span_agent: IntArray
    span_start: FloatArray
    span_end: FloatArray
    n_agents: int
    skills: tuple[tuple[tuple[int, int, int], ...], ...]  # per agent: (priority, email, queue)
    tracks_idle: tuple[bool, ...]
    outbound_agents: tuple[tuple[bool, ...], ...]  # per outbound queue, per agent
    outbound_window: BoolArray  # (outbound queues, intervals)
    shrinkage: Shrinkage


def _compile(problem: MultiSkillProblem) -> _Compiled:
    interval_seconds = 60.0 * int(problem.interval_minutes or 0)
    problems = problem.queue_problems
    inbound = problem.inbound_queues
    first = problems[0]
    n_int = len(first.calls)
    positions = {name: i for i, name in enumerate(problem.queues.names)}
    inbound_index = {q.name: i for i, q in enumerate(inbound)}
    calls = np.vstack([p.calls for p in problems])
    aht = np.vstack([p.aht_seconds for p in problems])
    close = np.vstack(
        [
            p.closing_seconds if q.channel is not Channel.EMAIL else np.full(n_int, np.inf)
            for p, q in zip(problems, inbound, strict=True)
        ]
    )
    patience = tuple(
        float(p.patience.mean_seconds)
        if p.patience.distribution == "exponential" and p.patience.mean_seconds is not None
        else math.inf
        for p in problems
    )
    agents = problem.agent_ids
    agent_index = {a: j for j, a in enumerate(agents)}
    spans = problem.schedule.spans
    s_start, s_end = problem.schedule.elapsed_spans()
    origin = first.elapsed_starts[0]
    second = np.timedelta64(1, "s")
    horizon = n_int * interval_seconds
    start = np.clip((s_start - origin) / second, 0.0, horizon).astype(float)
    end = np.clip((s_end - origin) / second, 0.0, horizon).astype(float)
    keep = end > start
    span_agent = np.asarray([agent_index[a] for a in spans["agent_id"]], dtype=np.int64)[keep]
    outbound = [q for q in problem.queues.queues if q.channel is Channel.OUTBOUND]
    skills: list[tuple[tuple[int, int, int], ...]] = []
    tracks: list[bool] = []
    holders: list[list[bool]] = [[] for _ in outbound]
    for a in agents:
        own = problem.agent_skills(a)
        routed = [
            (
                s.priority,
                int(problem.queues.queue(s.queue).channel is Channel.EMAIL),
                inbound_index[s.queue],
            )
            for s in own
            if s.queue in inbound_index
        ]
        routed.sort(key=lambda x: (x[0], x[1], positions[inbound[x[2]].name]))
        skills.append(tuple(routed))
        names = {s.queue for s in own}
        for o, q in enumerate(outbound):
            holders[o].append(q.name in names)
        tracks.append(any(q.name in names for q in outbound))
    local = problem.interval_index
    wall = local.tz_localize(None) if local.tz is not None else local
    minutes = (wall.hour * 60 + wall.minute).to_numpy()
    weekday = wall.day_of_week.to_numpy()
    windows = np.zeros((len(outbound), n_int), dtype=bool)
    for o, q in enumerate(outbound):
        if not q.calling_windows:
            windows[o] = True
        for w in q.calling_windows:
            lo = w.start.hour * 60 + w.start.minute
            hi = w.end.hour * 60 + w.end.minute
            windows[o] |= (weekday == w.weekday) & (minutes >= lo) & (minutes < hi)
    days = first.day_of_interval
    return _Compiled(
        interval_seconds=interval_seconds,
        n_intervals=n_int,
        set_size=len(problem.queues.queues),
        slot=tuple(positions[q.name] for q in inbound),
        is_chat=tuple(q.channel is Channel.CHAT for q in inbound),
        is_email=tuple(q.channel is Channel.EMAIL for q in inbound),
        max_sessions=tuple(q.max_sessions for q in inbound),
        slowdown=tuple(q.session_slowdown for q in inbound),
        patience_mean=patience,
        calls=calls,
        aht=aht,
        close=close,
        day_of_interval=days,
        n_days=int(days[-1]) + 1,
        span_agent=span_agent,
        span_start=start[keep],
        span_end=end[keep],
        n_agents=len(agents),
        skills=tuple(skills),
        tracks_idle=tuple(tracks),
        outbound_agents=tuple(tuple(h) for h in holders),
        outbound_window=windows,
        shrinkage=problem.shrinkage,
    )


@dataclass(frozen=True, eq=False)
class _Draws:
    """The random inputs of one replication, every queue merged in arrival order."""

    arrival: FloatArray
    interval: IntArray
    queue: IntArray
    base_handle: FloatArray  # handle time of a contact served alone
    deadline: FloatArray
    span_agent: IntArray
    span_start: FloatArray
    span_end: FloatArray


def _subtract(
    start: FloatArray, end: FloatArray, cut_start: FloatArray, cut_end: FloatArray
) -> tuple[list[float], list[float]]:
    """Sorted, disjoint segments minus sorted, disjoint cuts."""
    out_s: list[float] = []
    out_e: list[float] = []
    c = 0
    for s, e in zip(start.tolist(), end.tolist(), strict=True):
        cursor = s
        while c < len(cut_end) and cut_end[c] <= cursor:
            c += 1
        k = c
        while k < len(cut_start) and cut_start[k] < e:
            if cut_start[k] > cursor:
                out_s.append(cursor)
                out_e.append(float(cut_start[k]))
            cursor = max(cursor, float(cut_end[k]))
            k += 1
        if cursor < e:
            out_s.append(cursor)
            out_e.append(e)
    return out_s, out_e


def _shrink(c: _Compiled, rng: np.random.Generator) -> tuple[IntArray, FloatArray, FloatArray]:
    """The spans of duty minus the units lost to shrinkage."""
    sh = c.shrinkage
    if sh.rate <= 0 or not c.n_agents:
        return c.span_agent, c.span_start, c.span_end
    width = c.interval_seconds
    if sh.unit == "interval":
        lost = rng.random((c.n_intervals, c.n_agents)) < sh.rate
    else:
        lost = (rng.random((c.n_days, c.n_agents)) < sh.rate)[c.day_of_interval]
    agents: list[int] = []
    starts: list[float] = []
    ends: list[float] = []
    for j in range(c.n_agents):
        mine = c.span_agent == j
        cut = np.flatnonzero(lost[:, j])
        cut_start: FloatArray = cut.astype(float) * width
        s, e = _subtract(c.span_start[mine], c.span_end[mine], cut_start, cut_start + width)
        agents.extend([j] * len(s))
        starts.extend(s)
        ends.extend(e)
    return (
        np.asarray(agents, dtype=np.int64),
        np.asarray(starts, dtype=float),
        np.asarray(ends, dtype=float),
    )


def _draw(c: _Compiled, seed: int, replication: int) -> _Draws:
    root = np.random.SeedSequence(seed, spawn_key=(replication,))
    streams = root.spawn(_STREAMS_PER_QUEUE * c.set_size)
    arrivals: list[FloatArray] = []
    intervals: list[IntArray] = []
    queues: list[IntArray] = []
    handles: list[FloatArray] = []
    deadlines: list[FloatArray] = []
    for q, slot in enumerate(c.slot):
        volume = np.random.default_rng(streams[_STREAMS_PER_QUEUE * slot])
        counts = volume.poisson(c.calls[q])
        interval = np.repeat(np.arange(c.n_intervals, dtype=np.int64), counts)
        n = len(interval)
        arrival = np.sort((interval + volume.random(n)) * c.interval_seconds)
        handle_rng = np.random.default_rng(streams[_STREAMS_PER_QUEUE * slot + 1])
        handle = c.aht[q][interval] * handle_rng.standard_exponential(n)
        mean = c.patience_mean[q]
        if math.isfinite(mean):
            patience_rng = np.random.default_rng(streams[_STREAMS_PER_QUEUE * slot + 2])
            patience = mean * patience_rng.standard_exponential(n)
        else:
            patience = np.full(n, np.inf)
        arrivals.append(arrival)
        intervals.append(interval)
        queues.append(np.full(n, q, dtype=np.int64))
        handles.append(handle)
        deadlines.append(np.minimum(arrival + patience, c.close[q][interval]))
    arrival = np.concatenate(arrivals)
    order = np.argsort(arrival, kind="stable")
    agent, start, end = _shrink(c, np.random.default_rng(streams[_SHRINKAGE_STREAM]))
    return _Draws(
        arrival=arrival[order],
        interval=np.concatenate(intervals)[order],
        queue=np.concatenate(queues)[order],
        base_handle=np.concatenate(handles)[order],
        deadline=np.concatenate(deadlines)[order],
        span_agent=agent,
        span_start=start,
        span_end=end,
    )


@dataclass(frozen=True, eq=False)
class _Served:
    start: FloatArray
    agent: IntArray
    handle: FloatArray
    idle_agent: IntArray
    idle_start: FloatArray
    idle_end: FloatArray


def _serve(c: _Compiled, d: _Draws) -> _Served:
    """Run the event loop of one replication (see the module docstring)."""
    n_agents = c.n_agents
    n_queues = len(c.slot)
    is_chat = c.is_chat
    max_sessions = c.max_sessions
    slowdown = c.slowdown
    skills = c.skills
    tracks = c.tracks_idle
    arrival = d.arrival.tolist()
    deadline = d.deadline.tolist()
    base = d.base_handle.tolist()
    cq = d.queue.tolist()
    n = len(arrival)
    start = [math.inf] * n
    agent = [-1] * n
    handle = [math.nan] * n
    on = [False] * n_agents
    single = [False] * n_agents
    sessions = [0] * n_agents
    last_end = [-math.inf] * n_agents
    stamp = [0] * n_agents
    idle_since = [math.nan] * n_agents
    idle_a: list[int] = []
    idle_s: list[float] = []
    idle_e: list[float] = []
    waiting: list[deque[int]] = [deque() for _ in range(n_queues)]
    available: list[list[tuple[int, int, float, int, int]]] = [[] for _ in range(n_queues)]
    events: list[tuple[float, int, int, int, int]] = []
    seq = 0
    for j, s, e in zip(
        d.span_agent.tolist(), d.span_start.tolist(), d.span_end.tolist(), strict=True
    ):
        events.append((s, seq, _ON, j, -1))
        events.append((e, seq + 1, _OFF, j, -1))
        seq += 2
    heapq.heapify(events)
    push = heapq.heappush
    pop = heapq.heappop

    def end_idle(j: int, t: float) -> None:
        since = idle_since[j]
        if since == since:  # not NaN
            if t > since:
                idle_a.append(j)
                idle_s.append(since)
                idle_e.append(t)
            idle_since[j] = math.nan

    def assign(k: int, j: int, t: float) -> None:
        nonlocal seq
        q = cq[k]
        end_idle(j, t)
        if is_chat[q]:
            sessions[j] += 1
            h = base[k] * (1.0 + slowdown[q] * (sessions[j] - 1))
        else:
            single[j] = True
            h = base[k]
        start[k] = t
        agent[k] = j
        handle[k] = h
        stamp[j] += 1
        push(events, (t + h, seq, _COMPLETE, j, k))
        seq += 1

    def offer(j: int) -> None:
        if not on[j] or single[j]:
            return
        s = sessions[j]
        for p, _, q in skills[j]:
            if s == 0 or (is_chat[q] and s < max_sessions[q]):
                push(available[q], (p, s, last_end[j], j, stamp[j]))

    def dispatch(j: int, t: float) -> None:
        if not on[j]:
            return
        while not single[j]:
            s = sessions[j]
            best: tuple[int, int, float] | None = None
            best_q = -1
            for p, e, q in skills[j]:
                if s > 0 and (not is_chat[q] or s >= max_sessions[q]):
                    continue
                w = waiting[q]
                while w and deadline[w[0]] < t:
                    w.popleft()
                if w:
                    key = (p, e, arrival[w[0]])
                    if best is None or key < best:
                        best, best_q = key, q
            if best is None:
                break
            assign(waiting[best_q].popleft(), j, t)
        if tracks[j] and not single[j] and sessions[j] == 0:
            idle_since[j] = t
        offer(j)

    def route(k: int, t: float) -> None:
        q = cq[k]
        heap = available[q]
        while heap:
            entry = heap[0]
            if entry[4] != stamp[entry[3]]:
                pop(heap)
                continue
            pop(heap)
            j = entry[3]
            assign(k, j, t)
            if is_chat[q]:
                offer(j)
            return
        waiting[q].append(k)

    a = 0
    inf = math.inf
    while True:
        te = events[0][0] if events else inf
        ta = arrival[a] if a < n else inf
        if te == inf and ta == inf:
            break
        if te <= ta:
            t = te
            freed: list[int] = []
            while events and events[0][0] == t:
                _, _, kind, j, k = pop(events)
                if kind == _COMPLETE:
                    if is_chat[cq[k]]:
                        sessions[j] -= 1
                    else:
                        single[j] = False
                    last_end[j] = t
                    stamp[j] += 1
                    freed.append(j)
                elif kind == _OFF:
                    on[j] = False
                    stamp[j] += 1
                    end_idle(j, t)
                else:
                    on[j] = True
                    stamp[j] += 1
                    freed.append(j)
            if len(freed) > 1:
                freed = sorted(set(freed), key=lambda j: (last_end[j], j))
            for j in freed:
                dispatch(j, t)
        else:
            route(a, ta)
            a += 1
    return _Served(
        start=np.asarray(start, dtype=float),
        agent=np.asarray(agent, dtype=np.int64),
        handle=np.asarray(handle, dtype=float),
        idle_agent=np.asarray(idle_a, dtype=np.int64),
        idle_start=np.asarray(idle_s, dtype=float),
        idle_end=np.asarray(idle_e, dtype=float),
    )


def _replicate(c: _Compiled, seed: int, replication: int) -> MultiSkillReplication:
    d = _draw(c, seed, replication)
    served = _serve(c, d)
    answered = served.agent >= 0
    horizon = c.n_intervals * c.interval_seconds
    email = np.asarray(c.is_email, dtype=bool)[d.queue]
    left = np.where(email, np.maximum(horizon, d.arrival), d.deadline)
    end_wait = np.where(answered, served.start, left)
    queued_at_close = ~answered & (email | (d.deadline >= c.close[d.queue, d.interval]))
    on_duty = seconds_per_interval(d.span_start, d.span_end, c.interval_seconds, c.n_intervals)
    idle = np.zeros((len(c.outbound_agents), c.n_intervals))
    for o, holders in enumerate(c.outbound_agents):
        mine = np.asarray(holders, dtype=bool)[served.idle_agent]
        seconds = seconds_per_interval(
            served.idle_start[mine], served.idle_end[mine], c.interval_seconds, c.n_intervals
        )
        idle[o] = np.where(c.outbound_window[o], seconds, 0.0)
    contacts = Replication(
        index=replication,
        arrival_seconds=d.arrival,
        interval=d.interval,
        wait_seconds=end_wait - d.arrival,
        answered=answered,
        queued_at_close=queued_at_close,
        handle_seconds=np.where(answered, served.handle, np.nan),
        agent=served.agent,
        on_duty_seconds=on_duty,
        staffed_seconds=on_duty.copy(),
    )
    return MultiSkillReplication(
        index=replication,
        contacts=contacts,
        queue=d.queue,
        response_seconds=np.where(answered, end_wait - d.arrival + served.handle, np.nan),
        outbound_idle_seconds=idle,
    )


def _run_batch(c: _Compiled, seed: int, replications: list[int]) -> list[MultiSkillReplication]:
    return [_replicate(c, seed, r) for r in replications]


def run_multiskill_replications(
    problem: MultiSkillProblem, options: SimulationOptions
) -> list[MultiSkillReplication]:
    """Run ``options.replications`` replications of a multi-skill ``problem``.

    Returns one :class:`MultiSkillReplication` per replication, in order;
    replication ``r`` depends only on the problem, the seed and ``r``.
    """
    if not isinstance(problem, MultiSkillProblem):
        raise ValidationError("problem", type(problem).__name__, "a MultiSkillProblem")
    if not isinstance(options, SimulationOptions):
        raise ValidationError("options", type(options).__name__, "a SimulationOptions")
    compiled = _compile(problem)
    reps = list(range(options.replications))
    workers = min(options.workers, options.replications, os.cpu_count() or 1)
    if workers <= 1:
        return _run_batch(compiled, options.seed, reps)
    size = math.ceil(len(reps) / workers)
    batches = [reps[i : i + size] for i in range(0, len(reps), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_run_batch, compiled, options.seed, b) for b in batches]
        return [rep for f in futures for rep in f.result()]
