"""The model of a simulated contact centre: demand, agents, handle times, patience, shrinkage.

Everything here is declarative and validated on construction; the engine
(:mod:`wfm.simulate.engine`) runs it and :mod:`wfm.simulate.statistics`
measures the result.

Demand layout
-------------
``interval_start``
    datetime64, increasing, on a grid of ``interval_minutes`` from local
    midnight (5-60, dividing an hour). Intervals missing between two rows
    get no calls. Time-zone naive (local wall clock, clocks that never
    change), or instants: tz-aware, or text with UTC offsets as ``wfm
    roster`` writes them across a clock change (``2027-03-28 03:00+02:00``),
    read by :func:`wfm.kpis.read_timestamps`. With instants the engine runs
    on elapsed time, a local day has 92 or 100 intervals of 15 minutes on a
    clock change, and the results are on the local clock.
``calls``
    float >= 0: expected calls offered in the interval (the mean of the
    Poisson arrivals).
``aht_seconds``
    float > 0 where ``calls > 0``: mean handle time of the calls that arrive
    in the interval (NaN allowed where there are no calls).

Any other column is ignored. A forecast, a requirements table and a
roster's ``coverage.csv`` all have this layout.

The centre is *open* during each maximal run of consecutive intervals with
``calls > 0``. At the end of an open run it stops taking calls and clears its
queue: a call still waiting then leaves unanswered (``queued_at_close``), so
no call of Erlang C's patient callers waits overnight.

Agent schedule layout
---------------------
``agent_id``
    str: the agent.
``start``, ``end``
    datetime64, ``start < end``: a span in which the agent is *on duty*
    (on shift and not on a break) and takes calls. An agent's spans do not
    overlap. Span boundaries are on whole minutes. Naive, or instants
    (tz-aware or with UTC offsets, kept in UTC), like the demand's; naive
    spans of a demand in a time zone are local times of it (a repeated
    autumn time is its first occurrence).

:meth:`AgentSchedule.from_roster` derives the spans from the roster and
break tables that ``wfm roster`` writes (each shift minus its breaks);
:meth:`AgentSchedule.from_staffing` from a number of agents per interval.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.errors import DataError, ValidationError
from wfm.kpis import read_timestamps

__all__ = [
    "SPAN_COLUMNS",
    "AgentSchedule",
    "HandleTimes",
    "Patience",
    "Shrinkage",
    "SimulationProblem",
]

# a UTC offset after the time of an ISO 8601 timestamp: "Z", "+02:00", "-0500"
_OFFSET = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"

#: Columns of an agent schedule.
SPAN_COLUMNS = ("agent_id", "start", "end")

FloatArray = npt.NDArray[np.float64]


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _sample(name: str, values: Any, *, allow_zero: bool) -> tuple[float, ...]:
    try:
        sample = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise ValidationError(name, values, "a sequence of numbers of seconds") from None
    if not sample:
        raise ValidationError(name, values, "a non-empty sample of seconds")
    low_ok = (lambda v: v >= 0.0) if allow_zero else (lambda v: v > 0.0)
    for i, v in enumerate(sample):
        if not (math.isfinite(v) and low_ok(v)):
            bound = ">= 0" if allow_zero else "> 0"
            raise ValidationError(f"{name}[{i}]", v, f"a finite number of seconds {bound}")
    if sum(sample) <= 0.0:
        raise ValidationError(name, values, "a sample with a positive mean")
    return sample


@dataclass(frozen=True, kw_only=True)
class HandleTimes:
    """Distribution of handle times; its mean is each interval's ``aht_seconds``.

    Parameters
    ----------
    distribution
        ``"exponential"`` (coefficient of variation 1, the Erlang
        assumption), ``"lognormal"`` (coefficient of variation ``cv``) or
        ``"empirical"`` (the shape of ``sample_seconds``).
    cv
        Coefficient of variation (standard deviation over mean, > 0) of the
        lognormal; ``None`` otherwise.
    sample_seconds
        Observed handle times (> 0) for ``"empirical"``. A call arriving in an
        interval with AHT ``m`` gets a value drawn uniformly from the sample
        times ``m / mean(sample)``: the sample gives the shape, the demand the
        mean (give the sample's own mean as AHT to use it unchanged).
    """

    distribution: Literal["exponential", "lognormal", "empirical"] = "exponential"
    cv: float | None = None
    sample_seconds: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        kind = self.distribution
        if kind not in ("exponential", "lognormal", "empirical"):
            raise ValidationError(
                "handle_times.distribution", kind, "'exponential', 'lognormal' or 'empirical'"
            )
        if kind == "lognormal":
            if not (_is_number(self.cv) and float(self.cv) > 0.0):  # type: ignore[arg-type]
                raise ValidationError(
                    "handle_times.cv", self.cv, "a coefficient of variation > 0 (e.g. 1.2)"
                )
            object.__setattr__(self, "cv", float(self.cv))  # type: ignore[arg-type]
        elif self.cv is not None:
            raise ValidationError("handle_times.cv", self.cv, f"None for '{kind}' handle times")
        if kind == "empirical":
            sample = _sample("handle_times.sample_seconds", self.sample_seconds, allow_zero=False)
            object.__setattr__(self, "sample_seconds", sample)
        elif self.sample_seconds:
            raise ValidationError(
                "handle_times.sample_seconds", "a sample", f"none for '{kind}' handle times"
            )

    @classmethod
    def exponential(cls) -> HandleTimes:
        """Exponential handle times (coefficient of variation 1)."""
        return cls(distribution="exponential")

    @classmethod
    def lognormal(cls, *, cv: float) -> HandleTimes:
        """Lognormal handle times with coefficient of variation ``cv``."""
        return cls(distribution="lognormal", cv=cv)

    @classmethod
    def empirical(cls, sample_seconds: Any) -> HandleTimes:
        """Handle times resampled from ``sample_seconds`` (rescaled to each interval's AHT)."""
        return cls(distribution="empirical", sample_seconds=tuple(sample_seconds))

    def describe(self) -> str:
        """A short readable name, e.g. ``"lognormal (cv 1.2)"``."""
        if self.distribution == "lognormal":
            return f"lognormal (cv {self.cv:g})"
        if self.distribution == "empirical":
            return f"empirical ({len(self.sample_seconds)} values)"
        return "exponential"


@dataclass(frozen=True, kw_only=True)
class Patience:
    """How long callers wait before hanging up.

    Parameters
    ----------
    distribution
        ``"none"`` (callers never abandon: Erlang C), ``"exponential"``
        (mean ``mean_seconds``: Erlang A) or ``"empirical"`` (drawn
        uniformly from ``sample_seconds``, used as given).
    mean_seconds
        Mean patience in seconds (> 0) for ``"exponential"``.
    sample_seconds
        Patience times (>= 0) for ``"empirical"``.
    """

    distribution: Literal["none", "exponential", "empirical"] = "none"
    mean_seconds: float | None = None
    sample_seconds: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        kind = self.distribution
        if kind not in ("none", "exponential", "empirical"):
            raise ValidationError(
                "patience.distribution", kind, "'none', 'exponential' or 'empirical'"
            )
        if kind == "exponential":
            mean = self.mean_seconds
            if not (_is_number(mean) and float(mean) > 0.0):  # type: ignore[arg-type]
                raise ValidationError(
                    "patience.mean_seconds", mean, "a mean patience in seconds > 0"
                )
            object.__setattr__(self, "mean_seconds", float(mean))  # type: ignore[arg-type]
        elif self.mean_seconds is not None:
            raise ValidationError(
                "patience.mean_seconds", self.mean_seconds, f"None for patience '{kind}'"
            )
        if kind == "empirical":
            sample = _sample("patience.sample_seconds", self.sample_seconds, allow_zero=True)
            object.__setattr__(self, "sample_seconds", sample)
        elif self.sample_seconds:
            raise ValidationError(
                "patience.sample_seconds", "a sample", f"none for patience '{kind}'"
            )

    @classmethod
    def none(cls) -> Patience:
        """Callers never abandon (Erlang C)."""
        return cls(distribution="none")

    @classmethod
    def exponential(cls, *, mean_seconds: float) -> Patience:
        """Exponential patience of mean ``mean_seconds`` (Erlang A)."""
        return cls(distribution="exponential", mean_seconds=mean_seconds)

    @classmethod
    def empirical(cls, sample_seconds: Any) -> Patience:
        """Patience drawn from ``sample_seconds``."""
        return cls(distribution="empirical", sample_seconds=tuple(sample_seconds))

    def describe(self) -> str:
        """A short readable name, e.g. ``"exponential (mean 120 s)"``."""
        if self.distribution == "exponential":
            return f"exponential (mean {self.mean_seconds:g} s)"
        if self.distribution == "empirical":
            return f"empirical ({len(self.sample_seconds)} values)"
        return "none (callers never abandon)"


@dataclass(frozen=True, kw_only=True)
class Shrinkage:
    """Scheduled time lost to absence, training and meetings, drawn at random.

    Shrinkage takes whole agents away, never fractions of one: in each
    replication every on-duty *unit* of every agent is lost independently
    with probability ``rate``. A lost unit is handled like a break: the agent
    finishes the call in hand and then takes no call until the unit ends. On
    average the agents on duty are ``scheduled * (1 - rate)``, the figure
    Erlang-based reports use, but with the variance of whole agents.

    Parameters
    ----------
    rate
        Probability in [0, 1) that a unit is lost.
    unit
        ``"interval"``: each agent's on-duty time in each demand interval
        (short absences, meetings, coaching); ``"day"``: each agent's whole
        day (absenteeism: an agent who does not come in).
    """

    rate: float = 0.0
    unit: Literal["interval", "day"] = "interval"

    def __post_init__(self) -> None:
        if not (_is_number(self.rate) and 0.0 <= float(self.rate) < 1.0):
            raise ValidationError("shrinkage.rate", self.rate, "a fraction in [0, 1)")
        object.__setattr__(self, "rate", float(self.rate))
        if self.unit not in ("interval", "day"):
            raise ValidationError("shrinkage.unit", self.unit, "'interval' or 'day'")


def _has_offsets(values: pd.Series) -> bool:
    """Whether a column holds tz-aware datetimes or text with UTC offsets."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return True
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return False
    sample = values.dropna()
    if any(getattr(v, "tzinfo", None) is not None for v in sample):
        return True
    return bool(sample.astype(str).str.strip().str.contains(_OFFSET, regex=True).any())


def _datetimes(
    frame: pd.DataFrame,
    column: str,
    table: str,
    *,
    time_zone: str | dt.tzinfo | None = None,
    instants_only: bool = False,
) -> pd.Series:
    """A column's timestamps: naive as before time zones, else tz-aware instants."""
    values = frame[column]
    if time_zone is not None or _has_offsets(values):
        stamps = read_timestamps(
            values, time_zone=time_zone, where=f"{table}.{column}", instants_only=instants_only
        )
        nat = stamps.isna().to_numpy()
        if nat.any():
            i = int(np.flatnonzero(nat)[0])
            raise DataError(
                f"{table}.{column}[row {i}]",
                None if pd.isna(values.iloc[i]) else str(values.iloc[i]),
                "a timestamp that exists on the local clock"
                if time_zone is not None
                else "a timestamp",
            )
        return stamps
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        try:
            values = pd.to_datetime(values)
        except (ValueError, TypeError):
            raise DataError(
                f"{table}.{column}", str(values.dtype), "datetimes (or timestamps as text)"
            ) from None
    nat = values.isna().to_numpy()
    if nat.any():
        i = int(np.flatnonzero(nat)[0])
        raise DataError(f"{table}.{column}[row {i}]", None, "a timestamp")
    return values.astype("datetime64[ns]")


def _require_columns(frame: Any, table: str, columns: tuple[str, ...]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(table, type(frame).__name__, "a pandas DataFrame")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(table, sorted(map(str, frame.columns)), f"the columns {', '.join(columns)}")


@dataclass(frozen=True, eq=False)
class AgentSchedule:
    """When each agent is on duty (layout in the module docstring).

    Build it with :meth:`from_roster`, :meth:`from_staffing` or directly from
    a spans table. The table is validated, sorted by agent and start, and
    kept in ``spans``.
    """

    spans: pd.DataFrame

    def __post_init__(self) -> None:
        spans = self.spans
        _require_columns(spans, "schedule", SPAN_COLUMNS)
        start = _datetimes(spans, "start", "schedule", instants_only=True)
        end = _datetimes(spans, "end", "schedule", instants_only=True)
        aware = isinstance(start.dtype, pd.DatetimeTZDtype)
        if aware != isinstance(end.dtype, pd.DatetimeTZDtype):
            raise DataError(
                "schedule.end",
                "tz-aware" if not aware else "naive",
                "times like schedule.start (both naive or both with UTC offsets)",
            )
        if aware:
            start, end = start.dt.tz_convert("UTC"), end.dt.tz_convert("UTC")
        agent = spans["agent_id"].astype(str)
        table = pd.DataFrame({"agent_id": agent.to_numpy(), "start": start.array, "end": end.array})
        bad = (table["end"] <= table["start"]).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"schedule.end[row {i}]", str(table["end"].iloc[i]), "a time after the start"
            )
        for column in ("start", "end"):
            stamps = _elapsed(table[column])
            off_minute = (stamps - stamps.astype("datetime64[m]")) != np.timedelta64(0, "ns")
            if off_minute.any():
                i = int(np.flatnonzero(off_minute)[0])
                raise DataError(
                    f"schedule.{column}[row {i}]",
                    str(table[column].iloc[i]),
                    "a time on a whole minute",
                )
        table = table.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
        same = table["agent_id"].to_numpy()[1:] == table["agent_id"].to_numpy()[:-1]
        starts, ends = _elapsed(table["start"]), _elapsed(table["end"])
        overlap = same & (starts[1:] < ends[:-1])
        if overlap.any():
            i = int(np.flatnonzero(overlap)[0]) + 1
            raise DataError(
                f"schedule.start[agent {table['agent_id'].iloc[i]}]",
                str(table["start"].iloc[i]),
                f"a time at or after the end of the agent's previous span "
                f"({table['end'].iloc[i - 1]}): an agent's spans do not overlap",
            )
        object.__setattr__(self, "spans", table)

    @property
    def is_aware(self) -> bool:
        """Whether the spans are instants (tz-aware, held in UTC) rather than naive times."""
        return isinstance(self.spans["start"].dtype, pd.DatetimeTZDtype)

    def elapsed_spans(self) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.datetime64]]:
        """Starts and ends as naive datetime64[ns]: UTC for instants, as given if naive.

        Differences between them (and with :attr:`SimulationProblem.elapsed_starts`)
        are elapsed time.
        """
        return _elapsed(self.spans["start"]), _elapsed(self.spans["end"])

    def localized(self, time_zone: str | dt.tzinfo) -> AgentSchedule:
        """Naive spans read as local times of ``time_zone`` (first occurrence when repeated).

        Raises
        ------
        DataError
            Naming the first span boundary the clocks skip.
        """
        if self.is_aware:
            return self
        out = self.spans.copy()
        for column in ("start", "end"):
            first = np.ones(len(out), dtype=bool)
            local = out[column].dt.tz_localize(time_zone, ambiguous=first, nonexistent="NaT")
            missing = local.isna().to_numpy()
            if missing.any():
                i = int(np.flatnonzero(missing)[0])
                raise DataError(
                    f"schedule.{column}[row {i}]",
                    str(out[column].iloc[i]),
                    f"a local time that exists in {time_zone} (the clocks skip it)",
                )
            out[column] = local
        return AgentSchedule(spans=out)

    @property
    def agent_ids(self) -> tuple[str, ...]:
        """The agents, sorted."""
        return tuple(pd.unique(self.spans["agent_id"]))

    @classmethod
    def from_roster(cls, roster: pd.DataFrame, breaks: pd.DataFrame | None = None) -> AgentSchedule:
        """Spans from a roster (one row per shift) minus its breaks.

        Parameters
        ----------
        roster
            ``agent_id``, ``start``, ``end`` per shift (the ``roster.csv``
            layout of ``wfm roster``; other columns are ignored).
        breaks
            ``agent_id``, ``start``, ``end`` per break or lunch (the
            ``breaks.csv`` layout); each lies within a shift of its agent.
        """
        _require_columns(roster, "roster", SPAN_COLUMNS)
        shifts = AgentSchedule(spans=roster[list(SPAN_COLUMNS)]).spans
        if breaks is None or not len(breaks):
            return cls(spans=shifts)
        _require_columns(breaks, "breaks", SPAN_COLUMNS)
        pauses = breaks[list(SPAN_COLUMNS)].copy()
        for column in ("start", "end"):
            stamps = _datetimes(pauses, column, "breaks", instants_only=True)
            if isinstance(stamps.dtype, pd.DatetimeTZDtype) != isinstance(
                shifts["start"].dtype, pd.DatetimeTZDtype
            ):
                raise DataError(
                    f"breaks.{column}",
                    "naive" if not isinstance(stamps.dtype, pd.DatetimeTZDtype) else "tz-aware",
                    "times like the roster's (both naive or both with UTC offsets)",
                )
            if isinstance(stamps.dtype, pd.DatetimeTZDtype):
                stamps = stamps.dt.tz_convert("UTC")
            pauses[column] = stamps
        pauses["agent_id"] = pauses["agent_id"].astype(str)
        rows: list[tuple[str, Any, Any]] = []
        by_agent = {a: g for a, g in pauses.groupby("agent_id", sort=False)}
        placed = np.zeros(len(pauses), dtype=bool)
        for agent, own in shifts.groupby("agent_id", sort=False):
            mine = by_agent.get(agent)
            for start, end in zip(own["start"], own["end"], strict=True):
                cursor = start
                if mine is not None:
                    inside = mine[(mine["start"] >= start) & (mine["end"] <= end)]
                    for pos, b_start, b_end in zip(
                        inside.index, inside["start"], inside["end"], strict=True
                    ):
                        if b_start < cursor:
                            raise DataError(
                                f"breaks.start[row {pos}]",
                                str(b_start),
                                f"a break of agent {agent} not overlapping another break",
                            )
                        if b_start > cursor:
                            rows.append((str(agent), cursor, b_start))
                        cursor = b_end
                        placed[pauses.index.get_loc(pos)] = True
                if cursor < end:
                    rows.append((str(agent), cursor, end))
        if not placed.all():
            i = int(np.flatnonzero(~placed)[0])
            raise DataError(
                f"breaks.start[row {i}]",
                str(pauses["start"].iloc[i]),
                f"a break within a shift of agent {pauses['agent_id'].iloc[i]}",
            )
        return cls(spans=pd.DataFrame(rows, columns=list(SPAN_COLUMNS)))

    @classmethod
    def from_staffing(
        cls,
        staffing: pd.DataFrame,
        *,
        column: str = "agents_on_phone",
        interval_minutes: int | None = None,
    ) -> AgentSchedule:
        """Spans from a number of agents on duty per interval.

        Agent ``k`` (``"agent_001"`` is ``k = 1``) is on duty in every
        interval with at least ``k`` agents, so a drop in staffing sends the
        highest-numbered agents off duty (each finishing the call in hand).

        Parameters
        ----------
        staffing
            ``interval_start`` and ``column`` (whole numbers >= 0), e.g. a
            requirements table; the number is of agents *on duty*, so use
            zero shrinkage with an on-the-phone column.
        column
            The column holding the agents.
        interval_minutes
            Interval length; inferred from the smallest step when ``None``.
        """
        _require_columns(staffing, "staffing", ("interval_start", column))
        stamps = _datetimes(staffing, "interval_start", "staffing")
        starts = _elapsed(stamps)
        width = _interval_width(starts, interval_minutes, "staffing", _wall(stamps))
        counts = pd.to_numeric(staffing[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(counts) | (counts < 0) | (counts != np.round(counts))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"{column}[row {i}]", staffing[column].iloc[i], "a whole number >= 0")
        n = counts.astype(np.int64)
        rows: list[tuple[str, Any, Any]] = []
        step = np.timedelta64(width, "m")
        for k in range(1, int(n.max(initial=0)) + 1):
            on = n >= k
            # runs of consecutive on-intervals (a gap in the grid ends a run)
            i = 0
            while i < len(on):
                if not on[i]:
                    i += 1
                    continue
                j = i
                while j + 1 < len(on) and on[j + 1] and starts[j + 1] == starts[j] + step:
                    j += 1
                rows.append((f"agent_{k:03d}", starts[i], starts[j] + step))
                i = j + 1
        spans = pd.DataFrame(rows, columns=list(SPAN_COLUMNS))
        if isinstance(stamps.dtype, pd.DatetimeTZDtype):  # elapsed times are UTC
            for column in ("start", "end"):
                spans[column] = pd.to_datetime(spans[column]).dt.tz_localize("UTC")
        return cls(spans=spans)


def _elapsed(stamps: pd.Series) -> npt.NDArray[np.datetime64]:
    """Naive datetime64[ns] values: UTC for tz-aware stamps, as they are for naive ones."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    out: npt.NDArray[np.datetime64] = stamps.astype("datetime64[ns]").to_numpy()
    return out


def _wall(stamps: pd.Series) -> npt.NDArray[np.datetime64]:
    """Naive datetime64[ns] local wall-clock values."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)
    out: npt.NDArray[np.datetime64] = stamps.astype("datetime64[ns]").to_numpy()
    return out


def _interval_width(
    starts: npt.NDArray[Any],
    interval_minutes: int | None,
    table: str,
    walls: npt.NDArray[Any] | None = None,
) -> int:
    """Validated interval length in minutes (given, or the smallest step).

    ``starts`` are elapsed (naive, or UTC), ``walls`` the local clock (default
    ``starts``) on which the grid runs from midnight.
    """
    steps = np.diff(starts) if len(starts) > 1 else np.array([], dtype="timedelta64[ns]")
    if (steps <= np.timedelta64(0, "ns")).any():
        i = int(np.flatnonzero(steps <= np.timedelta64(0, "ns"))[0]) + 1
        raise DataError(
            f"{table}.interval_start[row {i}]",
            str(starts[i]),
            "a time after the previous row's (sorted, no duplicates)",
        )
    if interval_minutes is None:
        if not len(steps):
            raise ValidationError(
                "interval_minutes", None, f"a value when {table} has a single row"
            )
        interval_minutes = int(steps.min() / np.timedelta64(1, "m"))
    if not (
        isinstance(interval_minutes, numbers.Integral)
        and 5 <= interval_minutes <= 60
        and 60 % interval_minutes == 0
    ):
        raise ValidationError(
            "interval_minutes", interval_minutes, "a whole number of minutes in 5-60 dividing 60"
        )
    width = np.timedelta64(int(interval_minutes), "m")
    walls = starts if walls is None else walls
    offsets = (walls - walls.astype("datetime64[D]")) % width
    if (offsets != np.timedelta64(0, "ns")).any():
        i = int(np.flatnonzero(offsets != np.timedelta64(0, "ns"))[0])
        raise DataError(
            f"{table}.interval_start[row {i}]",
            str(walls[i]),
            f"a start on the {interval_minutes}-minute grid from midnight",
        )
    return int(interval_minutes)


@dataclass(frozen=True, kw_only=True, eq=False)
class SimulationProblem:
    """One queue to simulate: demand, agents on duty and the callers' behaviour.

    Arrivals are a non-homogeneous Poisson process, constant within each
    interval at ``calls / interval length``; with ``day_volume_cv > 0`` every
    day's rate is multiplied by a gamma-distributed factor of mean 1 and that
    coefficient of variation, drawn per replication (forecast uncertainty).
    Calls are served first come, first served by the agents on duty; among
    several free agents the one idle longest (who finished a call earliest)
    takes the call. An agent going off duty finishes the call in hand first.

    Parameters
    ----------
    demand
        Calls and AHT per interval (layout in the module docstring).
    schedule
        When each agent is on duty.
    handle_times, patience, shrinkage
        Caller and agent behaviour; see the classes.
    day_volume_cv
        Coefficient of variation (>= 0) of the day-level volume factor.
    interval_minutes
        Interval length; inferred from the demand's smallest step when
        ``None``.
    time_zone
        IANA name: naive demand (and schedule) times are local times of it.
        ``None``: the demand's own zone when its times are instants (for
        text with UTC offsets, :func:`wfm.kpis.zone_for_offsets`; set here
        after construction), naive clocks that never change otherwise.
        With a zone the day-volume factor and day-level shrinkage are drawn
        per local calendar day.

    Raises
    ------
    ValidationError
        On construction, naming the field, the value and what was expected.
    """

    demand: pd.DataFrame
    schedule: AgentSchedule
    handle_times: HandleTimes = field(default_factory=HandleTimes)
    patience: Patience = field(default_factory=Patience)
    shrinkage: Shrinkage = field(default_factory=Shrinkage)
    day_volume_cv: float = 0.0
    interval_minutes: int | None = None
    time_zone: str | dt.tzinfo | None = None

    def __post_init__(self) -> None:
        if self.time_zone is not None:
            from wfm.timegrid import validate_time_zone

            if isinstance(self.time_zone, str):
                validate_time_zone(self.time_zone)
            elif not isinstance(self.time_zone, dt.tzinfo):
                raise ValidationError("time_zone", self.time_zone, "an IANA time-zone name")
        _require_columns(self.demand, "demand", ("interval_start", "calls", "aht_seconds"))
        if not isinstance(self.schedule, AgentSchedule):
            raise ValidationError("schedule", type(self.schedule).__name__, "an AgentSchedule")
        for name, kind in (
            ("handle_times", HandleTimes),
            ("patience", Patience),
            ("shrinkage", Shrinkage),
        ):
            if not isinstance(getattr(self, name), kind):
                raise ValidationError(name, getattr(self, name), f"a {kind.__name__}")
        if not (_is_number(self.day_volume_cv) and float(self.day_volume_cv) >= 0.0):
            raise ValidationError("day_volume_cv", self.day_volume_cv, "a number >= 0")
        stamps = _datetimes(self.demand, "interval_start", "demand", time_zone=self.time_zone)
        zone = getattr(stamps.dt, "tz", None)
        starts = _elapsed(stamps)
        if not len(starts):
            raise DataError("demand", "no rows", "at least one interval")
        width = _interval_width(starts, self.interval_minutes, "demand", _wall(stamps))
        if zone is None and self.schedule.is_aware:
            raise DataError(
                "schedule.start",
                "times with UTC offsets",
                "naive local times like the demand's interval_start (or a time_zone)",
            )
        if zone is not None and not self.schedule.is_aware:
            object.__setattr__(self, "schedule", self.schedule.localized(zone))
        calls = pd.to_numeric(self.demand["calls"], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(calls) | (calls < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"calls[row {i}]", self.demand["calls"].iloc[i], "a number >= 0")
        aht = pd.to_numeric(self.demand["aht_seconds"], errors="coerce").to_numpy(dtype=float)
        bad = (calls > 0) & ~(np.isfinite(aht) & (aht > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"aht_seconds[row {i}]",
                self.demand["aht_seconds"].iloc[i],
                "a number of seconds > 0 where calls > 0",
            )
        # the demand on its full grid: missing intervals get no calls
        step = np.timedelta64(width, "m")
        n_int = int((starts[-1] - starts[0]) // step) + 1
        grid = starts[0] + np.arange(n_int) * step
        slot = ((starts - starts[0]) // step).astype(np.int64)
        full_calls = np.zeros(n_int)
        full_aht = np.full(n_int, np.nan)
        full_calls[slot] = calls
        full_aht[slot] = np.where(calls > 0, aht, np.nan)
        object.__setattr__(self, "interval_minutes", width)
        object.__setattr__(self, "day_volume_cv", float(self.day_volume_cv))
        local: Any = grid
        if zone is not None:
            local = pd.DatetimeIndex(grid).tz_localize("UTC").tz_convert(zone)
            if self.time_zone is None:
                object.__setattr__(self, "time_zone", zone)
        object.__setattr__(
            self,
            "demand",
            pd.DataFrame({"interval_start": local, "calls": full_calls, "aht_seconds": full_aht}),
        )

    @property
    def is_aware(self) -> bool:
        """Whether the demand's intervals are instants of a time zone (or UTC offset)."""
        return isinstance(self.demand["interval_start"].dtype, pd.DatetimeTZDtype)

    @property
    def interval_index(self) -> pd.DatetimeIndex:
        """Start of every interval on the local clock (tz-aware with a time zone)."""
        return pd.DatetimeIndex(self.demand["interval_start"])

    @property
    def interval_starts(self) -> npt.NDArray[np.datetime64]:
        """Start of every interval of the horizon (the demand's full grid), naive.

        The local wall clock without a time zone; UTC with one, so that
        differences are elapsed time (the local clock is :attr:`interval_index`).
        """
        return _elapsed(self.demand["interval_start"])

    @property
    def elapsed_starts(self) -> npt.NDArray[np.datetime64]:
        """Same as :attr:`interval_starts`: naive times whose differences are elapsed time."""
        return self.interval_starts

    @property
    def day_of_interval(self) -> npt.NDArray[np.int64]:
        """Local calendar day of each interval, counted from the first interval's day."""
        walls = _wall(self.demand["interval_start"])
        days = walls.astype("datetime64[D]")
        out: npt.NDArray[np.int64] = (days - days[0]).astype(np.int64)
        return out

    @property
    def calls(self) -> FloatArray:
        """Expected calls per interval."""
        out: FloatArray = self.demand["calls"].to_numpy(dtype=float)
        return out

    @property
    def closing_seconds(self) -> FloatArray:
        """When the open run of each interval ends, in seconds from the first interval's start.

        An open run is a maximal run of consecutive intervals with ``calls >
        0``; NaN for intervals without calls.
        """
        calls = self.calls
        width = 60.0 * int(self.interval_minutes or 0)
        n = len(calls)
        close = np.full(n, np.nan)
        i = 0
        while i < n:
            if calls[i] <= 0:
                i += 1
                continue
            j = i
            while j + 1 < n and calls[j + 1] > 0:
                j += 1
            close[i : j + 1] = (j + 1) * width
            i = j + 1
        return close

    @property
    def aht_seconds(self) -> FloatArray:
        """Mean handle time per interval (NaN where no calls)."""
        out: FloatArray = self.demand["aht_seconds"].to_numpy(dtype=float)
        return out
