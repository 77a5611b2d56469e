"""What a simulation measures: the KPI table per replication, and means with confidence intervals.

Each replication's calls become a contacts table (the layout of
:mod:`wfm.kpis`, the same as a call log read by :mod:`wfm.actuals`), and
:func:`wfm.kpis.kpi_table` turns it into the per-interval and per-day KPI
tables, so a simulated week and a real one line up column by column. The
simulation adds what only it knows, per interval and day:

``on_duty_agent_seconds``
    agent-seconds on duty (on shift, not on a break, not lost to shrinkage).
``staffed_agent_seconds``
    on-duty time plus the time agents spent finishing a call after going off
    duty.
``staffed_occupancy``
    ``busy_seconds / staffed_agent_seconds``: the share of staffed time in
    calls (``occupancy`` of :mod:`wfm.kpis` is the call-log approximation,
    kept for comparison with actuals).
``queued_at_close``
    calls still waiting when their open period ended; they count as
    ``abandoned`` (their wait runs to the closing time).

Across replications (:attr:`SimulationResult.intervals`, ``days``,
``weeks``) every measure ``m`` of :data:`MEASURES` has its mean ``m`` and a
95 % confidence interval ``m_lower``, ``m_upper`` (Student t over the
replications in which it is defined: an interval's service level only where
calls arrived, its ASA only where some were answered); ``replications`` is
the number of replications run and ``replications_with_calls`` those with
calls in the row. ``service_level_pooled`` is ``sum(answered_within) /
sum(offered)`` over all replications: the probability that a call is
answered in time, which is what an Erlang formula predicts.

With a time zone (demand times that are instants) the rows are on the
local clock of the demand, tz-aware: intervals in elapsed order (a repeated
autumn hour gives two sets of rows, a day of a clock change 92 or 100
intervals of 15 minutes), days and weeks from local midnights (23- and
25-hour days). :meth:`SimulationResult.write` gives interval starts their
UTC offsets (:func:`wfm.timegrid.stamp_text`) and days their local date.

Weeks are the 7-day periods from the first day of the demand. A week (or
day) meets the target when its service level is at least ``target_level``;
the share of weeks meeting it comes with a 95 % Wilson score interval.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.errors import ValidationError
from wfm.kpis import KpiSettings, kpi_table, local_midnight, period_start
from wfm.simulate.engine import Replication, SimulationOptions, run_replications
from wfm.simulate.model import SimulationProblem

__all__ = [
    "MEASURES",
    "SimulationResult",
    "SimulationSummary",
    "contacts_table",
    "mean_confidence_interval",
    "replication_tables",
    "run_simulation",
    "student_t_quantile",
    "summarise_replications",
    "week_tables",
    "wilson_interval",
]

FloatArray = npt.NDArray[np.float64]

#: Measures summarised across replications, per interval, day and week.
MEASURES: tuple[str, ...] = (
    "offered",
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "longest_wait_seconds",
    "staffed_occupancy",
    "on_duty_agent_hours",
    "queued_at_close",
)

_COUNTS = ("offered", "answered", "abandoned", "short_abandoned", "answered_within")
_SECONDS = ("handled_seconds", "busy_seconds", "on_duty_agent_seconds", "staffed_agent_seconds")

# two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom
_T975 = (
    12.7062047,
    4.3026527,
    3.1824463,
    2.7764451,
    2.5705818,
    2.4469119,
    2.3646243,
    2.3060041,
    2.2621572,
    2.2281389,
    2.2009852,
    2.1788128,
    2.1603687,
    2.1447867,
    2.1314495,
    2.1199053,
    2.1098155,
    2.1009220,
    2.0930241,
    2.0859634,
    2.0796138,
    2.0738731,
    2.0686576,
    2.0638986,
    2.0595386,
    2.0555294,
    2.0518305,
    2.0484071,
    2.0452296,
    2.0422725,
)
_Z975 = 1.959963984540054


def student_t_quantile(degrees_of_freedom: Any) -> Any:
    """The 97.5 % quantile of Student's t (half-width factor of a 95 % interval).

    Exact to 7 digits for 1-30 degrees of freedom (tabulated), and from the
    Cornish-Fisher expansion to four terms above (error below 1e-6).

    Parameters
    ----------
    degrees_of_freedom
        Whole number(s) >= 1 (scalar or array); NaN for less.
    """
    nu = np.asarray(degrees_of_freedom, dtype=float)
    z = _Z975
    with np.errstate(divide="ignore", invalid="ignore"):
        big = (
            z
            + (z**3 + z) / (4 * nu)
            + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * nu**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * nu**3)
            + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * nu**4)
        )
    table = np.asarray(_T975)
    if nu.ndim == 0:
        if not nu >= 1:
            return float("nan")
        return float(_T975[int(nu) - 1]) if nu <= 30 else float(big)
    small = table[np.clip(np.nan_to_num(nu, nan=1.0), 1, 30).astype(np.int64) - 1]
    out = np.where(nu > 30, big, small)
    return np.where(nu >= 1, out, np.nan)


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion (NaN, NaN for no trials)."""
    if trials <= 0:
        return (float("nan"), float("nan"))
    z = _Z975
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    )
    return (max(0.0, centre - half), min(1.0, centre + half))


def mean_confidence_interval(
    values: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Mean, lower and upper 95 % bounds (Student t) and count over axis 0, NaNs skipped.

    Parameters
    ----------
    values
        One row per replication; NaN where the measure is undefined in a
        replication. The bounds are NaN with fewer than two defined values.
    """
    n = np.sum(np.isfinite(values), axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.nansum(values, axis=0)
        mean = np.where(n > 0, total / n, np.nan)
        dev = np.where(np.isfinite(values), values - mean, 0.0)
        sd = np.sqrt(np.sum(dev**2, axis=0) / (n - 1))
        half = student_t_quantile(n - 1) * sd / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return mean, mean - half, mean + half, n


@dataclass(frozen=True)
class _Context:
    """What turns a replication into its KPI tables (picklable for workers)."""

    origin: pd.Timestamp
    interval_minutes: int
    agent_ids: tuple[str, ...]
    interval_starts: pd.DatetimeIndex
    settings: KpiSettings


def contacts_table(
    replication: Replication, *, origin: Any, agent_ids: tuple[str, ...] | list[str]
) -> pd.DataFrame:
    """The contacts table (layout of :mod:`wfm.kpis`) of one replication.

    Columns ``arrival``, ``wait_seconds``, ``outcome``, ``handle_seconds``,
    ``agent_id`` and the simulation's ``queued_at_close`` (bool).

    Parameters
    ----------
    replication
        One replication of :func:`wfm.simulate.run_replications`.
    origin
        The first demand interval's start (time zero of the replication);
        tz-aware for a demand in a time zone, and then the arrivals are
        instants of its zone.
    agent_ids
        The schedule's agents (``AgentSchedule.agent_ids``).
    """
    stamp = pd.Timestamp(origin)
    zone = stamp.tzinfo
    if zone is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    start = np.datetime64(stamp.to_datetime64(), "ns")
    arrival: Any = start + np.round(replication.arrival_seconds * 1e9).astype("timedelta64[ns]")
    if zone is not None:
        arrival = pd.DatetimeIndex(arrival).tz_localize("UTC").tz_convert(zone)
    ids = np.asarray([*agent_ids, None], dtype=object)
    return pd.DataFrame(
        {
            "arrival": arrival,
            "wait_seconds": replication.wait_seconds,
            "outcome": np.where(replication.answered, "answered", "abandoned"),
            "handle_seconds": replication.handle_seconds,
            "agent_id": ids[replication.agent],
            "queued_at_close": replication.queued_at_close,
        }
    )


def _observe(replication: Replication, *, context: _Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Interval and day KPI tables of one replication, with the simulation's columns."""
    contacts = contacts_table(replication, origin=context.origin, agent_ids=context.agent_ids)
    return replication_tables(
        replication,
        contacts,
        interval_starts=context.interval_starts,
        settings=context.settings,
    )


def replication_tables(
    replication: Replication,
    contacts: pd.DataFrame,
    *,
    interval_starts: pd.DatetimeIndex,
    settings: KpiSettings,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Interval and day KPI tables of one replication, with the simulation's columns.

    Parameters
    ----------
    replication
        The replication (its per-interval agent time and calls queued at
        closing).
    contacts
        Its contacts table (:func:`contacts_table`, extra columns allowed).
    interval_starts
        Every interval of the horizon, on the local clock.
    settings
        Thresholds and interval length of :func:`wfm.kpis.kpi_table`.

    Returns
    -------
    intervals, days
        The KPI tables of :mod:`wfm.kpis` on every interval and local day of
        the horizon, with ``on_duty_agent_seconds``, ``staffed_agent_seconds``,
        ``queued_at_close`` and ``staffed_occupancy``.
    """
    grid = pd.DatetimeIndex(interval_starts)
    kept = contacts[[c for c in contacts.columns if c not in ("queued_at_close", "queue")]]
    intervals = kpi_table(kept, settings=settings, interval_starts=grid)
    intervals = intervals.set_index("interval_start").reindex(grid)
    intervals.index.name = "interval_start"
    for column in (*_COUNTS, "agents_served"):
        intervals[column] = intervals[column].fillna(0).astype(np.int64)
    for column in ("handled_seconds", "busy_seconds"):
        intervals[column] = intervals[column].fillna(0.0)
    closing = np.bincount(
        replication.interval[replication.queued_at_close], minlength=len(grid)
    ).astype(np.int64)
    intervals["on_duty_agent_seconds"] = replication.on_duty_seconds
    intervals["staffed_agent_seconds"] = replication.staffed_seconds
    intervals["queued_at_close"] = closing
    with np.errstate(invalid="ignore", divide="ignore"):
        intervals["staffed_occupancy"] = intervals["busy_seconds"] / intervals[
            "staffed_agent_seconds"
        ].where(intervals["staffed_agent_seconds"] > 0)
    intervals = intervals.reset_index()
    days = kpi_table(kept, period="day", settings=settings)
    local_days = period_start(pd.Series(grid), period="day")
    dates = pd.DatetimeIndex(pd.unique(local_days))
    days = days.set_index("date").reindex(dates)
    days.index.name = "date"
    for column in (*_COUNTS, "agents_served"):
        days[column] = days[column].fillna(0).astype(np.int64)
    for column in ("handled_seconds", "busy_seconds"):
        days[column] = days[column].fillna(0.0)
    per_day = intervals.groupby(local_days.to_numpy() if grid.tz is None else local_days.array)
    for column in ("on_duty_agent_seconds", "staffed_agent_seconds", "queued_at_close"):
        days[column] = per_day[column].sum().reindex(dates).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        days["staffed_occupancy"] = days["busy_seconds"] / days["staffed_agent_seconds"].where(
            days["staffed_agent_seconds"] > 0
        )
    days = days.reset_index()
    return intervals, days


def week_tables(days: pd.DataFrame, first_date: pd.Timestamp) -> pd.DataFrame:
    """Per replication and 7-day week from the first day: counts summed, rates recomputed.

    Parameters
    ----------
    days
        Day tables of :func:`replication_tables` with a ``replication`` column.
    first_date
        The horizon's first local day (midnight, in the days' zone).
    """
    zone = getattr(days["date"].dt, "tz", None)
    wall = days["date"] if zone is None else days["date"].dt.tz_localize(None)
    first_wall = first_date if zone is None else first_date.tz_localize(None)
    week = ((wall - first_wall).dt.days // 7).to_numpy()
    week_start = pd.Series(first_wall + pd.to_timedelta(week * 7, unit="D"), index=days.index)
    frame = days.assign(
        week_start=local_midnight(week_start, zone),
        answered_wait=days["asa_seconds"].fillna(0.0) * days["answered"],
        abandoned_wait=days["mean_time_to_abandon_seconds"].fillna(0.0) * days["abandoned"],
    )
    grouped = frame.groupby(["replication", "week_start"], sort=True)
    sums = grouped[
        [*_COUNTS, *_SECONDS, "queued_at_close", "answered_wait", "abandoned_wait"]
    ].sum()
    out = sums[[*_COUNTS]].copy()
    out["days"] = grouped.size()

    def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
        return num.astype(float) / den.astype(float).where(den > 0)

    out["service_level"] = ratio(sums["answered_within"], sums["offered"])
    out["asa_seconds"] = ratio(sums["answered_wait"], sums["answered"])
    out["longest_wait_seconds"] = grouped["longest_wait_seconds"].max()
    out["abandon_rate"] = ratio(sums["abandoned"], sums["offered"])
    out["mean_time_to_abandon_seconds"] = ratio(sums["abandoned_wait"], sums["abandoned"])
    out["aht_seconds"] = ratio(sums["handled_seconds"], sums["answered"])
    for column in (*_SECONDS, "queued_at_close"):
        out[column] = sums[column]
    out["staffed_occupancy"] = ratio(sums["busy_seconds"], sums["staffed_agent_seconds"])
    return out.reset_index()


def summarise_replications(
    per_replication: pd.DataFrame, key: str, replications: int
) -> pd.DataFrame:
    """Means and 95 % intervals of :data:`MEASURES` per ``key`` across replications.

    Parameters
    ----------
    per_replication
        Tables of :func:`replication_tables` (or :func:`week_tables`) with a
        ``replication`` column, one row per replication and ``key``.
    key
        The period column (``interval_start``, ``date`` or ``week_start``).
    replications
        Replications run.
    """
    table = per_replication.assign(
        on_duty_agent_hours=per_replication["on_duty_agent_seconds"] / 3600.0
    )
    rows = pd.Index(pd.unique(table[key]), name=key)
    out = pd.DataFrame(index=rows)
    out["replications"] = replications
    offered = table.pivot(index="replication", columns=key, values="offered").reindex(columns=rows)
    out["replications_with_calls"] = (offered > 0).sum(axis=0).to_numpy()
    for measure in MEASURES:
        wide = table.pivot(index="replication", columns=key, values=measure).reindex(columns=rows)
        mean, lower, upper, _ = mean_confidence_interval(wide.to_numpy(dtype=float))
        out[measure] = mean
        out[f"{measure}_lower"] = lower
        out[f"{measure}_upper"] = upper
    sums = table.groupby(key, sort=False)[["answered_within", "offered"]].sum().reindex(rows)
    out["service_level_pooled"] = sums["answered_within"] / sums["offered"].where(
        sums["offered"] > 0
    )
    return out.reset_index()


@dataclass(frozen=True, kw_only=True)
class SimulationSummary:
    """Headline figures of a simulation, each over ``replications`` replications.

    ``service_level``, ``asa_seconds``, ``abandon_rate``, ``staffed_occupancy``
    and ``queued_at_close`` are the weekly means with their 95 % intervals
    (``(mean, lower, upper)``); the shares are of weeks (days) whose service
    level is at least ``target_level``, with Wilson 95 % intervals.
    """

    replications: int
    seed: int
    weeks: int
    answer_within_seconds: float
    target_level: float | None
    service_level: tuple[float, float, float]
    service_level_pooled: float
    asa_seconds: tuple[float, float, float]
    abandon_rate: tuple[float, float, float]
    staffed_occupancy: tuple[float, float, float]
    queued_at_close: tuple[float, float, float]
    calls_per_week: float
    share_of_weeks_meeting_target: float | None
    share_of_weeks_meeting_target_interval: tuple[float, float] | None
    share_of_days_meeting_target: float | None
    share_of_days_meeting_target_interval: tuple[float, float] | None
    handle_times: str
    patience: str
    shrinkage: str
    day_volume_cv: float
    wall_time_seconds: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (tuples become lists, NaN becomes None)."""

        def clean(value: Any) -> Any:
            if isinstance(value, tuple | list):
                return [clean(v) for v in value]
            if isinstance(value, float) and not math.isfinite(value):
                return None
            return value

        return {k: clean(v) for k, v in asdict(self).items()}


@dataclass(frozen=True, kw_only=True, eq=False)
class SimulationResult:
    """Everything a simulation measured (layouts in the module docstring).

    Attributes
    ----------
    interval_kpis, day_kpis, week_kpis
        Per replication (column ``replication``) and period: the KPI table of
        :mod:`wfm.kpis` with the simulation's columns.
    intervals, days, weeks
        Across replications: means and 95 % intervals per period.
    summary
        The headline figures.
    """

    interval_kpis: pd.DataFrame
    day_kpis: pd.DataFrame
    week_kpis: pd.DataFrame
    intervals: pd.DataFrame
    days: pd.DataFrame
    weeks: pd.DataFrame
    summary: SimulationSummary

    def write(self, directory: str | Path) -> list[str]:
        """Write ``intervals.csv``, ``days.csv``, ``weeks.csv`` and ``summary.json``.

        Interval starts as ``YYYY-MM-DD HH:MM``, with their UTC offset in a
        time zone (:func:`wfm.timegrid.stamp_text`); days and weeks as their
        local date ``YYYY-MM-DD``.
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        intervals = self.intervals
        if isinstance(intervals["interval_start"].dtype, pd.DatetimeTZDtype):
            from wfm.timegrid import stamp_text

            intervals = stamp_text(intervals)
        intervals.to_csv(out / "intervals.csv", index=False, date_format="%Y-%m-%d %H:%M")
        _local_dates(self.days, "date").to_csv(
            out / "days.csv", index=False, date_format="%Y-%m-%d"
        )
        _local_dates(self.weeks, "week_start").to_csv(
            out / "weeks.csv", index=False, date_format="%Y-%m-%d"
        )
        (out / "summary.json").write_text(json.dumps(self.summary.to_dict(), indent=2) + "\n")
        return ["intervals.csv", "days.csv", "weeks.csv", "summary.json"]


def _local_dates(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """``table`` with a tz-aware day column as local dates ``YYYY-MM-DD`` (naive: as it is)."""
    if not isinstance(table[column].dtype, pd.DatetimeTZDtype):
        return table
    return table.assign(**{column: table[column].dt.strftime("%Y-%m-%d")})


def _check_threshold(name: str, value: Any, *, upper: float | None = None) -> float:
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or float(value) < 0:
        raise ValidationError(name, value, "a finite number >= 0")
    if upper is not None and not 0 < float(value) < upper:
        raise ValidationError(name, value, f"a number in (0, {upper:g})")
    return float(value)


def run_simulation(
    problem: SimulationProblem,
    options: SimulationOptions | None = None,
    *,
    answer_within_seconds: float = 20.0,
    target_level: float | None = 0.8,
    short_abandon_seconds: float = 0.0,
) -> SimulationResult:
    """Simulate ``problem`` and measure it per interval, day and week.

    Parameters
    ----------
    problem
        What to simulate.
    options
        Replications, seed and worker processes (default
        ``SimulationOptions()``: 100 replications, seed 0, one process).
    answer_within_seconds
        Service-level threshold: answered within it counts as in time.
    target_level
        Service-level target in (0, 1) for the shares of weeks and days
        meeting it, or ``None``.
    short_abandon_seconds
        Abandons quicker than this are ``short_abandoned`` (0: none).

    Returns
    -------
    SimulationResult
    """
    started = time.perf_counter()
    options = SimulationOptions() if options is None else options
    within = _check_threshold("answer_within_seconds", answer_within_seconds)
    short = _check_threshold("short_abandon_seconds", short_abandon_seconds)
    level = (
        None if target_level is None else _check_threshold("target_level", target_level, upper=1)
    )
    if not isinstance(problem, SimulationProblem):
        raise ValidationError("problem", type(problem).__name__, "a SimulationProblem")
    grid = problem.interval_index
    minutes = int(problem.interval_minutes or 0)
    settings = KpiSettings(
        interval_minutes=minutes, answer_within_seconds=within, short_abandon_seconds=short
    )
    context = _Context(
        origin=grid[0],
        interval_minutes=minutes,
        agent_ids=problem.schedule.agent_ids,
        interval_starts=grid,
        settings=settings,
    )
    observed = run_replications(problem, options, observe=partial(_observe, context=context))
    interval_kpis = pd.concat(
        [t[0].assign(replication=r) for r, t in enumerate(observed)], ignore_index=True
    )
    day_kpis = pd.concat(
        [t[1].assign(replication=r) for r, t in enumerate(observed)], ignore_index=True
    )
    first_date = pd.Timestamp(period_start(pd.Series(grid[:1]), period="day").iloc[0])
    week_kpis = week_tables(day_kpis, first_date)
    n = options.replications
    seconds = 60.0 * minutes
    intervals = summarise_replications(interval_kpis, "interval_start", n)
    hours = seconds / 3600.0
    position = list(intervals.columns).index("on_duty_agent_hours_upper") + 1
    intervals.insert(position, "agents_on_duty", intervals["on_duty_agent_hours"] / hours)
    days = summarise_replications(day_kpis, "date", n)
    weeks = summarise_replications(week_kpis, "week_start", n)

    def triple(measure: str) -> tuple[float, float, float]:
        mean, lower, upper, _ = mean_confidence_interval(week_kpis[[measure]].to_numpy(dtype=float))
        return (float(mean[0]), float(lower[0]), float(upper[0]))

    def share(table: pd.DataFrame) -> tuple[float | None, tuple[float, float] | None]:
        if level is None:
            return None, None
        sl = table["service_level"].to_numpy(dtype=float)
        defined = np.isfinite(sl)
        hits = int(np.sum(sl[defined] >= level))
        trials = int(defined.sum())
        return (hits / trials if trials else float("nan")), wilson_interval(hits, trials)

    week_share, week_ci = share(week_kpis)
    day_share, day_ci = share(day_kpis)
    totals = week_kpis[["answered_within", "offered"]].sum()
    summary = SimulationSummary(
        replications=n,
        seed=options.seed,
        weeks=int(week_kpis["week_start"].nunique()),
        answer_within_seconds=within,
        target_level=level,
        service_level=triple("service_level"),
        service_level_pooled=float(totals["answered_within"] / max(int(totals["offered"]), 1)),
        asa_seconds=triple("asa_seconds"),
        abandon_rate=triple("abandon_rate"),
        staffed_occupancy=triple("staffed_occupancy"),
        queued_at_close=triple("queued_at_close"),
        calls_per_week=float(week_kpis["offered"].mean()),
        share_of_weeks_meeting_target=week_share,
        share_of_weeks_meeting_target_interval=week_ci,
        share_of_days_meeting_target=day_share,
        share_of_days_meeting_target_interval=day_ci,
        handle_times=problem.handle_times.describe(),
        patience=problem.patience.describe(),
        shrinkage=f"{problem.shrinkage.rate:g} per {problem.shrinkage.unit}",
        day_volume_cv=problem.day_volume_cv,
        wall_time_seconds=time.perf_counter() - started,
    )
    return SimulationResult(
        interval_kpis=interval_kpis,
        day_kpis=day_kpis,
        week_kpis=week_kpis,
        intervals=intervals,
        days=days,
        weeks=weeks,
        summary=summary,
    )
