"""The simulation logic: what one replication is, and how calls are served.

A replication draws its random inputs (day volume factors, arrivals, handle
times, patience, shrinkage) from its own seeded streams and then serves the
calls in arrival order. With first-come-first-served routing this order is
exact, so no event calendar is needed:

* Each agent ``j`` has a *next free on-duty instant* ``free_on_duty[j]``: the
  first instant, at or after the end of their last call, at which they are
  on duty. ``next_on_duty[j](t)`` is the first on-duty instant at or after
  ``t``; both come from a table over a grid fine enough for every span
  boundary (the demand interval, or a divisor of it).
* Call ``k`` (arrival ``a``, deadline ``d = min(a + patience, close)``) could
  start with agent ``j`` at ``max(free_on_duty[j], next_on_duty[j](a))``.
  The call starts at the earliest of these, ``s``, if ``s <= d``: the agent
  who gives it (ties: the one whose last call ended first, i.e. idle
  longest; then the lowest index) is busy until ``s + handle`` and then free
  again at ``next_on_duty[j](s + handle)``. An agent going off duty in the
  middle of a call finishes it first. If ``s > d`` the call leaves at ``d``
  without taking an agent (it abandoned, or was still queued at closing).
* Starts are non-decreasing in arrival order, so every earlier call has been
  placed when a call is served: the result is the FCFS queue's, call for
  call (a plain event-by-event loop in the tests gives the same times).

Times are elapsed seconds from the first interval's start (with a time zone
the demand and the spans are instants, taken in UTC), so a clock change
neither adds nor removes time; days (of the day-volume factor and of
day-level shrinkage) are the demand's local calendar days.

All replications of a batch advance call by call together in arrays of shape
``(replications, agents)``, which is what makes a week of a 68-agent centre
take milliseconds per replication. Each replication uses only its own random
streams (``numpy.random.SeedSequence(seed, spawn_key=(replication,))``), so a
result depends on the seed and the replication number only, never on the
batching or on the number of worker processes. Two problems with the same
demand, handle-time and patience distributions and seed see the same calls
(common random numbers), whatever their schedules.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.errors import ValidationError
from wfm.simulate.model import HandleTimes, Patience, Shrinkage, SimulationProblem

__all__ = ["Replication", "SimulationOptions", "run_replications", "seconds_per_interval"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
T = TypeVar("T")

#: Random streams of a replication, by name (their order is part of the
#: reproducibility promise: a new stream goes at the end).
_STREAMS = ("volume", "handle_times", "patience", "shrinkage")

#: Largest batch table (replications x grid cells x agents) held at once.
_MAX_BATCH_CELLS = 6_000_000


@dataclass(frozen=True, kw_only=True)
class SimulationOptions:
    """How many replications to run, from which seed, on how many processes.

    Parameters
    ----------
    replications
        Independent replications of the horizon (>= 2 for confidence
        intervals).
    seed
        Seed (>= 0); replication ``r`` uses the streams of
        ``SeedSequence(seed, spawn_key=(r,))``.
    workers
        Worker processes (>= 1). Results do not depend on it.
    """

    replications: int = 100
    seed: int = 0
    workers: int = 1

    def __post_init__(self) -> None:
        for name, low in (("replications", 1), ("seed", 0), ("workers", 1)):
            value = getattr(self, name)
            if not (isinstance(value, int | np.integer) and not isinstance(value, bool)) or (
                value < low
            ):
                raise ValidationError(name, value, f"a whole number >= {low}")


@dataclass(frozen=True, eq=False)
class Replication:
    """The calls and agent time of one replication.

    Times are seconds from the start of the first demand interval. Per call
    (in arrival order): ``arrival_seconds``, ``interval`` (index of the
    arrival's interval), ``wait_seconds`` (until answer, abandonment or
    closing), ``answered``, ``queued_at_close`` (still waiting when its open
    period ended), ``handle_seconds`` (NaN if not answered), ``agent`` (index
    into the schedule's agents, -1 if not answered). Per interval:
    ``on_duty_seconds`` (agent-seconds on duty after shrinkage) and
    ``staffed_seconds``
    (on duty plus time spent finishing a call after going off duty).
    """

    index: int
    arrival_seconds: FloatArray
    interval: IntArray
    wait_seconds: FloatArray
    answered: BoolArray
    queued_at_close: BoolArray
    handle_seconds: FloatArray
    agent: IntArray
    on_duty_seconds: FloatArray
    staffed_seconds: FloatArray


@dataclass(frozen=True, eq=False)
class _Compiled:
    """A problem in engine terms (picklable, shared by all replications)."""

    interval_seconds: float
    n_intervals: int
    cell_seconds: float
    cells_per_interval: int
    calls: FloatArray
    aht: FloatArray
    close: FloatArray
    day_of_interval: IntArray
    n_days: int
    on_duty: BoolArray  # (cells, agents)
    handle_times: HandleTimes
    patience: Patience
    shrinkage: Shrinkage
    day_volume_cv: float


def _compile(problem: SimulationProblem) -> _Compiled:
    width = int(problem.interval_minutes or 0)
    interval_seconds = 60.0 * width
    starts = problem.elapsed_starts  # naive; UTC with a time zone: elapsed time
    origin = starts[0]
    n_int = len(starts)
    calls = problem.calls
    aht = problem.aht_seconds
    close = problem.closing_seconds  # end of the open run of every interval
    days = problem.day_of_interval  # local calendar days
    spans = problem.schedule.spans
    agents = list(pd.unique(spans["agent_id"]))
    index = {a: k for k, a in enumerate(agents)}
    minute = np.timedelta64(1, "m")
    span_start, span_end = problem.schedule.elapsed_spans()
    first = ((span_start - origin) / minute).astype(np.int64)
    last = ((span_end - origin) / minute).astype(np.int64)
    horizon = n_int * width
    first = np.clip(first, 0, horizon)
    last = np.clip(last, 0, horizon)
    cell = width
    for value in np.concatenate([first, last]):
        cell = math.gcd(cell, int(value))
    cell = max(cell, 1)
    n_cells = horizon // cell
    on = np.zeros((n_cells, max(len(agents), 1)), dtype=bool)
    for a, f, e in zip(spans["agent_id"], first, last, strict=True):
        if e > f:
            on[f // cell : e // cell, index[a]] = True
    if not agents:
        on = on[:, :0]
    return _Compiled(
        interval_seconds=interval_seconds,
        n_intervals=n_int,
        cell_seconds=60.0 * cell,
        cells_per_interval=width // cell,
        calls=calls,
        aht=aht,
        close=close,
        day_of_interval=days,
        n_days=int(days[-1]) + 1,
        on_duty=on,
        handle_times=problem.handle_times,
        patience=problem.patience,
        shrinkage=problem.shrinkage,
        day_volume_cv=problem.day_volume_cv,
    )


@dataclass(frozen=True, eq=False)
class _Draws:
    """The random inputs of one replication."""

    arrival: FloatArray
    interval: IntArray
    handle: FloatArray
    deadline: FloatArray
    on_duty: BoolArray
    lost: BoolArray | None


def _generators(seed: int, replication: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(seed, spawn_key=(replication,)).spawn(len(_STREAMS))
    return {name: np.random.default_rng(s) for name, s in zip(_STREAMS, children, strict=True)}


def _draw(c: _Compiled, seed: int, replication: int) -> _Draws:
    rng = _generators(seed, replication)
    mean = c.calls
    cv = c.day_volume_cv
    if cv > 0:
        factor = rng["volume"].gamma(1.0 / cv**2, cv**2, size=c.n_days)
        mean = mean * factor[c.day_of_interval]
    counts = rng["volume"].poisson(mean)
    interval = np.repeat(np.arange(c.n_intervals, dtype=np.int64), counts)
    n = len(interval)
    arrival = np.sort((interval + rng["volume"].random(n)) * c.interval_seconds)
    aht = c.aht[interval]
    ht = c.handle_times
    if ht.distribution == "exponential":
        handle = aht * rng["handle_times"].standard_exponential(n)
    elif ht.distribution == "lognormal":
        sigma2 = math.log1p(float(ht.cv or 0.0) ** 2)
        z = rng["handle_times"].standard_normal(n)
        handle = aht * np.exp(math.sqrt(sigma2) * z - sigma2 / 2.0)
    else:
        sample = np.asarray(ht.sample_seconds)
        handle = aht * sample[rng["handle_times"].integers(len(sample), size=n)] / sample.mean()
    pt = c.patience
    if pt.distribution == "none":
        patience = np.full(n, np.inf)
    elif pt.distribution == "exponential":
        patience = float(pt.mean_seconds or 0.0) * rng["patience"].standard_exponential(n)
    else:
        sample = np.asarray(pt.sample_seconds)
        patience = sample[rng["patience"].integers(len(sample), size=n)]
    deadline = np.minimum(arrival + patience, c.close[interval])
    on = c.on_duty
    lost_on = None
    sh = c.shrinkage
    if sh.rate > 0 and on.shape[1]:
        gen = rng["shrinkage"]
        if sh.unit == "interval":
            lost = gen.random((c.n_intervals, on.shape[1])) < sh.rate
            lost_cells = np.repeat(lost, c.cells_per_interval, axis=0)
        else:
            lost = gen.random((c.n_days, on.shape[1])) < sh.rate
            day_of_cell = np.repeat(c.day_of_interval, c.cells_per_interval)
            lost_cells = lost[day_of_cell]
        lost_on = on & lost_cells
        on = on & ~lost_cells
    return _Draws(
        arrival=arrival,
        interval=interval,
        handle=handle,
        deadline=deadline,
        on_duty=on,
        lost=lost_on,
    )


@dataclass(frozen=True, eq=False)
class _Duty:
    """Lookup tables of one replication's on-duty time, per grid cell and agent.

    Every table has one extra row past the horizon (off duty for ever).

    ``next_on[c, j]``
        The start of cell ``c`` if agent ``j`` is on duty in it, else the start
        of their next on-duty cell (inf if none): ``max(t, next_on[cell(t), j])``
        is the first on-duty instant at or after ``t``.
    ``next_off[c, j]``
        The start of the first off-duty cell at or after ``c`` (for an on-duty
        cell, the end of its run).
    ``lost_start[c, j]``, ``lost_cells[c, j]``
        The first cell and the length in cells of the latest run of time lost
        to shrinkage that begins at or before cell ``c`` (-1 and 0 if none);
        ``None`` without shrinkage.
    """

    on: BoolArray
    next_on: FloatArray
    next_off: FloatArray
    lost_start: npt.NDArray[np.int32] | None
    lost_cells: npt.NDArray[np.int32] | None


def _duty(c: _Compiled, on: BoolArray, lost: BoolArray | None) -> _Duty:
    n_cells, n_agents = on.shape
    start = np.arange(n_cells + 1, dtype=float)[:, None] * c.cell_seconds
    pad = np.zeros((1, n_agents), dtype=bool)
    duty = np.vstack([on, pad])
    next_on = np.where(duty, start, np.inf)
    next_on = np.minimum.accumulate(next_on[::-1], axis=0)[::-1]
    next_off = np.where(duty, np.inf, start)
    next_off = np.minimum.accumulate(next_off[::-1], axis=0)[::-1]
    lost_start = lost_cells = None
    if lost is not None:
        gone = np.vstack([lost, pad])
        index = np.arange(n_cells + 1, dtype=np.int64)[:, None]
        begins = gone & ~np.vstack([pad, gone[:-1]])
        latest = np.maximum.accumulate(np.where(begins, index, -1), axis=0)
        kept = np.where(gone, n_cells + 1, index)
        next_kept = np.minimum.accumulate(kept[::-1], axis=0)[::-1]
        safe = np.maximum(latest, 0)
        length = np.take_along_axis(next_kept, safe, axis=0) - safe
        lost_start = latest.astype(np.int32)
        lost_cells = np.where(latest >= 0, length, 0).astype(np.int32)
    return _Duty(
        on=on,
        next_on=np.ascontiguousarray(next_on),
        next_off=np.ascontiguousarray(next_off),
        lost_start=lost_start,
        lost_cells=lost_cells,
    )


def _away_until(
    call_start: FloatArray,
    done: FloatArray,
    lost_start: npt.NDArray[np.int32],
    lost_cells: npt.NDArray[np.int32],
    cell_seconds: float,
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """End of the call or of the lost time it delayed, and whether it delayed one.

    ``lost_start``/``lost_cells`` are the tables' values at the cell of
    ``done``: a run of lost time that began during the call is taken in full
    after it, from ``done``.
    """
    delayed = (lost_start >= 0) & (lost_start * cell_seconds > call_start)
    until = np.where(delayed, done + lost_cells * cell_seconds, done)
    return until, delayed


def _serve(
    arrival: FloatArray,
    arrival_cell: IntArray,
    deadline: FloatArray,
    handle: FloatArray,
    duty: list[_Duty],
    cell_seconds: float,
) -> tuple[FloatArray, IntArray]:
    """Serve a batch of replications in arrival order (see the module docstring).

    ``arrival``, ``arrival_cell``, ``deadline`` and ``handle`` have shape
    ``(replications, calls)`` (padded with ``arrival = inf``,
    ``deadline = -inf``); ``duty`` holds each replication's tables. Returns
    the start time and the agent per call (agent -1 for calls not answered).
    """
    n_rep, n_calls = arrival.shape
    rows_per_rep, n_agents = duty[0].next_on.shape
    table = np.concatenate([d.next_on for d in duty])
    shrink = duty[0].lost_start is not None
    if shrink:
        lost_start = np.concatenate([d.lost_start for d in duty if d.lost_start is not None])
        lost_cells = np.concatenate([d.lost_cells for d in duty if d.lost_cells is not None])
    base = np.arange(n_rep, dtype=np.int64) * rows_per_rep
    rows = arrival_cell + base[:, None]
    last_row = rows_per_rep - 1
    free_on_duty = np.maximum(table[base], 0.0)
    finished = np.full((n_rep, n_agents), -np.inf)
    start = np.empty((n_rep, n_calls))
    agent = np.full((n_rep, n_calls), -1, dtype=np.int64)
    reps = np.arange(n_rep)
    inf = np.inf
    for k in range(n_calls):
        a = arrival[:, k]
        candidate = np.maximum(table[rows[:, k]], free_on_duty)
        np.maximum(candidate, a[:, None], out=candidate)
        first = candidate.min(axis=1)
        who = np.where(candidate == first[:, None], finished, inf).argmin(axis=1)
        served = first <= deadline[:, k]
        start[:, k] = first
        if not served.any():
            continue
        r = reps[served]
        j = who[served]
        begun = first[served]
        done = begun + handle[served, k]
        finished[r, j] = done
        row = base[served] + np.minimum((done // cell_seconds).astype(np.int64), last_row)
        if shrink:
            done, _ = _away_until(begun, done, lost_start[row, j], lost_cells[row, j], cell_seconds)
            row = base[served] + np.minimum((done // cell_seconds).astype(np.int64), last_row)
        free_on_duty[r, j] = np.maximum(done, table[row, j])
        agent[served, k] = j
    return start, agent


def seconds_per_interval(
    begin: FloatArray, end: FloatArray, interval_seconds: float, n_intervals: int
) -> FloatArray:
    """Total length of the segments ``[begin, end]`` falling in each interval."""
    edges = np.arange(n_intervals + 1, dtype=float) * interval_seconds
    keep = end > begin
    b = np.sort(begin[keep])
    e = np.sort(end[keep])

    def covered(points: FloatArray) -> FloatArray:
        # sum over segments of (t - point)+ for the sorted points
        count = np.searchsorted(points, edges, side="left")
        prefix = np.concatenate([[0.0], np.cumsum(points)])
        out: FloatArray = edges * count - prefix[count]
        return out

    total = covered(b) - covered(e)
    out: FloatArray = np.diff(total)
    return out


def _agent_time(
    c: _Compiled, duty: _Duty, start: FloatArray, handle: FloatArray, agent: IntArray
) -> tuple[FloatArray, FloatArray]:
    """On-duty and staffed agent-seconds per interval of one replication."""
    n_int = c.n_intervals
    cs = c.cell_seconds
    per_cell = duty.on.sum(axis=1).astype(float) * cs
    on_duty = per_cell.reshape(n_int, c.cells_per_interval).sum(axis=1)
    answered = agent >= 0
    s = start[answered]
    e = s + handle[answered]
    j = agent[answered]
    last = duty.next_on.shape[0] - 1

    def cell_of(t: FloatArray) -> IntArray:
        out: IntArray = np.minimum((t // cs).astype(np.int64), last)
        return out

    if duty.lost_start is not None and duty.lost_cells is not None:
        # lost time taken after the call that delayed it: the agent is away
        # from the call's end, over time the static tables count as on duty
        row = cell_of(e)
        until, delayed = _away_until(s, e, duty.lost_start[row, j], duty.lost_cells[row, j], cs)
        resume = ((duty.lost_start[row, j] + duty.lost_cells[row, j]) * cs).astype(np.float64)
        away_from = np.maximum(e, resume)[delayed]
        run_end = duty.next_off[cell_of(resume[delayed]), j[delayed]]
        away_to = np.minimum(until[delayed], run_end)
        on_duty = on_duty - seconds_per_interval(away_from, away_to, c.interval_seconds, n_int)
    # time in a call while off duty: from the end of the on-duty run to the
    # call's end or the agent's return, whichever is first, and again after
    # each return while the call lasts
    over_b: list[FloatArray] = []
    over_e: list[FloatArray] = []
    cursor = s
    while len(cursor):
        run_end = duty.next_off[cell_of(cursor), j]
        beyond = e > run_end
        if not beyond.any():
            break
        e, j, run_end = e[beyond], j[beyond], run_end[beyond]
        back = duty.next_on[cell_of(run_end), j]
        over_b.append(run_end)
        over_e.append(np.minimum(e, back))
        returns = e > back
        cursor, e, j = back[returns], e[returns], j[returns]
    if over_b:
        overrun = seconds_per_interval(
            np.concatenate(over_b), np.concatenate(over_e), c.interval_seconds, n_int
        )
    else:
        overrun = np.zeros(n_int)
    return on_duty, on_duty + overrun


def _run_batch(
    c: _Compiled, seed: int, replications: list[int], observe: Callable[[Replication], T] | None
) -> list[Any]:
    draws = [_draw(c, seed, r) for r in replications]
    n_rep = len(draws)
    width = max((len(d.arrival) for d in draws), default=0)
    arrival = np.full((n_rep, width), np.inf)
    deadline = np.full((n_rep, width), -np.inf)
    handle = np.zeros((n_rep, width))
    cells = np.zeros((n_rep, width), dtype=np.int64)
    for i, d in enumerate(draws):
        n = len(d.arrival)
        arrival[i, :n] = d.arrival
        deadline[i, :n] = d.deadline
        handle[i, :n] = d.handle
        cells[i, :n] = (d.arrival // c.cell_seconds).astype(np.int64)
    duty = [_duty(c, d.on_duty, d.lost) for d in draws]
    if c.on_duty.shape[1]:
        start, agent = _serve(arrival, cells, deadline, handle, duty, c.cell_seconds)
    else:
        start = np.full((n_rep, width), np.inf)
        agent = np.full((n_rep, width), -1, dtype=np.int64)
    out: list[Any] = []
    for i, (r, d) in enumerate(zip(replications, draws, strict=True)):
        n = len(d.arrival)
        ag = agent[i, :n]
        st = start[i, :n]
        answered = ag >= 0
        end_wait = np.where(answered, st, d.deadline)
        queued_at_close = ~answered & (d.deadline >= c.close[d.interval])
        on_duty, staffed = _agent_time(c, duty[i], st, d.handle, ag)
        rep = Replication(
            index=r,
            arrival_seconds=d.arrival,
            interval=d.interval,
            wait_seconds=end_wait - d.arrival,
            answered=answered,
            queued_at_close=queued_at_close,
            handle_seconds=np.where(answered, d.handle, np.nan),
            agent=ag,
            on_duty_seconds=on_duty,
            staffed_seconds=staffed,
        )
        out.append(rep if observe is None else observe(rep))
    return out


def _batches(c: _Compiled, replications: int, workers: int) -> list[list[int]]:
    per_rep = max(c.on_duty.size, 1)
    size = max(1, min(_MAX_BATCH_CELLS // per_rep, math.ceil(replications / workers)))
    return [list(range(i, min(i + size, replications))) for i in range(0, replications, size)]


def run_replications(
    problem: SimulationProblem,
    options: SimulationOptions,
    *,
    observe: Callable[[Replication], T] | None = None,
) -> list[Any]:
    """Run ``options.replications`` replications of ``problem``.

    Returns one :class:`Replication` per replication, in replication order,
    or what ``observe`` (a picklable function, run in the worker process)
    makes of each;
    the result depends only on the problem, the seed and the number of
    replications asked (replication ``r`` is the same in a run of ``r + 1``
    or of 1000 replications).
    """
    if not isinstance(problem, SimulationProblem):
        raise ValidationError("problem", type(problem).__name__, "a SimulationProblem")
    if not isinstance(options, SimulationOptions):
        raise ValidationError("options", type(options).__name__, "a SimulationOptions")
    compiled = _compile(problem)
    workers = min(options.workers, options.replications, os.cpu_count() or 1)
    batches = _batches(compiled, options.replications, workers)
    if workers <= 1 or len(batches) == 1:
        results = [_run_batch(compiled, options.seed, b, observe) for b in batches]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_run_batch, compiled, options.seed, b, observe) for b in batches]
            results = [f.result() for f in futures]
    return [rep for batch in results for rep in batch]
