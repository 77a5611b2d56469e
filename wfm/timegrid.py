"""The interval grid of a planning horizon, in local time of an optional time zone.

A horizon is ``days`` calendar days from midnight of ``start_date`` on a grid
of ``interval_minutes``. Interval ``t`` is the ``t``-th interval of *elapsed*
time from the first midnight, so a shift of ``n`` intervals lasts (and is paid)
``n * interval_minutes`` real minutes wherever it falls.

Without a time zone (``time_zone=None``) clocks never change: every day has
``1440 // interval_minutes`` intervals, day ``d`` starts at interval
``d * 1440 // interval_minutes`` and timestamps are naive, exactly as before
time zones existed.

With an IANA time zone (``time_zone="Europe/Stockholm"``) the days are the
local calendar days: the day of a spring change is an hour shorter (92
intervals of 15 minutes), the day of an autumn change an hour longer (100),
and timestamps are tz-aware in that zone (written with their UTC offset).
Local clock times are placed on the grid by :meth:`IntervalGrid.clock_interval`:

* a clock time the spring change skips (02:00-02:59 on 2027-03-28 in
  Stockholm) does not exist: ``clock_interval`` returns ``None`` and a shift
  template's start there is dropped for that day (the start at the first
  clock time after the gap, e.g. 03:00, is the same instant and is kept when
  the template lists it);
* a clock time the autumn change repeats (02:00-02:59 on 2027-10-31) is read
  as its *first* occurrence, in summer time.

:func:`grid_positions` reads timestamps (tz-aware, with UTC offsets, or
naive local wall-clock time of the zone) onto the grid, and
:func:`localize_naive` is the one rule for naive timestamps of a zone.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import DataError, ValidationError

__all__ = [
    "IntervalGrid",
    "grid_positions",
    "localize_naive",
    "parse_stamps",
    "stamp_column_text",
    "stamp_text",
    "validate_time_zone",
]


def validate_time_zone(value: Any, field_name: str = "time_zone") -> str | None:
    """Check an IANA time-zone name (``None`` passes: no time zone).

    Raises
    ------
    ValidationError
        Naming ``field_name`` when ``value`` is not a known IANA name.
    """
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ValidationError(field_name, value, "an IANA time-zone name such as Europe/Stockholm")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            field_name, value, "an IANA time-zone name such as Europe/Stockholm"
        ) from None
    return value


def localize_naive(stamps: pd.Series, time_zone: str, field_name: str) -> pd.Series:
    """Naive local wall-clock timestamps of ``time_zone`` made tz-aware.

    A repeated autumn hour is resolved by the order of the rows (the first
    run of 02:00-02:59 is summer time, the second winter time), which needs
    the repeated hour present twice in time order; otherwise its times are
    read as summer time. A time the spring change skips is refused.

    Raises
    ------
    DataError
        Naming the first row whose time does not exist in ``time_zone``.
    """
    try:
        return stamps.dt.tz_localize(time_zone, ambiguous="infer", nonexistent="raise")
    except (ValueError, TypeError):  # pandas: AmbiguousTimeError etc. (ValueError kinds)
        pass
    aware = stamps.dt.tz_localize(
        time_zone, ambiguous=np.ones(len(stamps), dtype=bool), nonexistent="NaT"
    )
    missing = aware.isna() & stamps.notna()
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise DataError(
            f"{field_name}[row {row}]",
            str(stamps.iloc[row]),
            f"a local time that exists in {time_zone} (the clocks skip it)",
        )
    return aware


@dataclass(frozen=True, kw_only=True)
class IntervalGrid:
    """The elapsed-time intervals of ``days`` local calendar days.

    Parameters
    ----------
    start_date
        First local day of the horizon.
    days
        Number of calendar days.
    interval_minutes
        Grid size in minutes, dividing 1440.
    time_zone
        IANA name, or ``None`` for clocks that never change.
    """

    start_date: dt.date
    days: int
    interval_minutes: int
    time_zone: str | None = None

    def __post_init__(self) -> None:
        validate_time_zone(self.time_zone)
        if self.time_zone is not None:
            width = pd.Timedelta(minutes=self.interval_minutes)
            for d in range(self.days + 1):
                elapsed = self.day_start(d) - self.horizon_start
                if elapsed % width != pd.Timedelta(0):
                    raise ValidationError(
                        "time_zone",
                        self.time_zone,
                        f"clock changes on the {self.interval_minutes}-minute grid "
                        f"(the day {self.start_date + dt.timedelta(days=d)} starts off it)",
                    )

    @property
    def regular_intervals_per_day(self) -> int:
        """Intervals in a day without a clock change."""
        return 1440 // self.interval_minutes

    def day_start(self, day: int) -> pd.Timestamp:
        """Local midnight starting horizon day ``day`` (``day == days``: the horizon end)."""
        midnight = pd.Timestamp(self.start_date + dt.timedelta(days=day))
        if self.time_zone is None:
            return midnight
        return midnight.tz_localize(self.time_zone, ambiguous=True, nonexistent="shift_forward")

    @cached_property
    def horizon_start(self) -> pd.Timestamp:
        """First instant of the horizon."""
        return self.day_start(0)

    @cached_property
    def horizon_end(self) -> pd.Timestamp:
        """First instant after the horizon."""
        return self.day_start(self.days)

    @cached_property
    def day_first(self) -> tuple[int, ...]:
        """First interval of each day, then the number of intervals (``days + 1`` values)."""
        if self.time_zone is None:
            per_day = self.regular_intervals_per_day
            return tuple(d * per_day for d in range(self.days + 1))
        width = pd.Timedelta(minutes=self.interval_minutes)
        start = self.horizon_start
        return tuple(int((self.day_start(d) - start) // width) for d in range(self.days + 1))

    @property
    def n_intervals(self) -> int:
        """Intervals in the horizon."""
        return self.day_first[-1]

    def intervals_in_day(self, day: int) -> int:
        """Intervals of horizon day ``day`` (92 or 100 at 15 minutes on a change)."""
        return self.day_first[day + 1] - self.day_first[day]

    def day_of(self, interval: int) -> int:
        """Horizon day holding ``interval`` (clipped to the first and last day)."""
        day = bisect.bisect_right(self.day_first, interval) - 1
        return min(max(day, 0), self.days - 1)

    def stamp(self, interval: int) -> pd.Timestamp:
        """Start of ``interval`` (any integer: before or after the horizon too)."""
        start = self.horizon_start + pd.Timedelta(minutes=interval * self.interval_minutes)
        if self.time_zone is None:
            return start
        return start.tz_convert(self.time_zone)

    def wall_clock(self, interval: int) -> dt.datetime:
        """Naive local wall-clock time at the start of ``interval`` (any integer)."""
        if 0 <= interval <= self.n_intervals:
            return self._wall_clocks[interval]
        stamp = self.stamp(interval)
        out: dt.datetime = (stamp.tz_localize(None) if stamp.tzinfo else stamp).to_pydatetime()
        return out

    @cached_property
    def _wall_clocks(self) -> list[dt.datetime]:
        end = self.horizon_end if self.time_zone is None else self.horizon_end.tz_localize(None)
        starts = self.interval_starts
        if self.time_zone is not None:
            starts = starts.tz_localize(None)
        return [*starts.to_pydatetime(), end.to_pydatetime()]

    @cached_property
    def interval_starts(self) -> pd.DatetimeIndex:
        """Start of every interval of the horizon (tz-aware with a time zone)."""
        index = pd.date_range(
            self.horizon_start,
            periods=self.n_intervals,
            freq=pd.Timedelta(minutes=self.interval_minutes),
        )
        return index if self.time_zone is None else index.tz_convert(self.time_zone)

    def clock_interval(self, day: int, minutes: int) -> int | None:
        """Interval at local clock time ``minutes`` after midnight of day ``day``.

        ``None`` when that clock time does not exist (skipped by a spring
        change); a repeated autumn time is its first occurrence. ``minutes``
        must be on the grid and below 1440.
        """
        if self.time_zone is None:
            return self.day_first[day] + minutes // self.interval_minutes
        return self._clock_index.get((day, minutes))

    @cached_property
    def _clock_index(self) -> dict[tuple[int, int], int]:
        """``(day, clock minutes) -> interval`` of every interval; first occurrence kept."""
        out: dict[tuple[int, int], int] = {}
        minutes = self._clock_minutes
        for day in range(self.days):
            for t in range(self.day_first[day], self.day_first[day + 1]):
                out.setdefault((day, int(minutes[t])), t)
        return out

    @cached_property
    def _clock_minutes(self) -> np.ndarray:
        """Local clock minutes after midnight of every interval start."""
        stamps = self.interval_starts
        return np.asarray(stamps.hour * 60 + stamps.minute, dtype=np.int64)

    def clock_position(self, day: int, minutes: float) -> float:
        """Like :meth:`clock_interval` for any clock time; a skipped time moves to the gap's end."""
        if self.time_zone is None:
            return self.day_first[day] + minutes / self.interval_minutes
        wall = pd.Timestamp(self.start_date + dt.timedelta(days=day)) + pd.Timedelta(
            minutes=minutes
        )
        local = wall.tz_localize(self.time_zone, ambiguous=True, nonexistent="shift_forward")
        return float((local - self.horizon_start) / pd.Timedelta(minutes=self.interval_minutes))

    def clock_minutes(self, interval: int) -> int:
        """Local clock minutes after midnight at the start of ``interval``."""
        if self.time_zone is None:
            return (interval % self.regular_intervals_per_day) * self.interval_minutes
        if 0 <= interval < self.n_intervals:
            return int(self._clock_minutes[interval])
        stamp = self.stamp(interval)
        return stamp.hour * 60 + stamp.minute

    def positions(self, stamps: pd.Series, field_name: str) -> np.ndarray:
        """Interval positions (floats, not checked) of ``stamps``; see :func:`grid_positions`."""
        return grid_positions(
            stamps,
            origin=self.horizon_start,
            interval_minutes=self.interval_minutes,
            time_zone=self.time_zone,
            field_name=field_name,
        )


def parse_stamps(column: pd.Series, time_zone: str | None, *, where: str) -> pd.Series:
    """Timestamps of a table column (ISO 8601 text or datetimes; NaT where unreadable).

    Without a time zone the column is parsed as it is (tz-aware when it has
    one UTC offset, naive otherwise). With one, timestamps carrying UTC
    offsets, one or several (a table across a clock change has two), are
    converted to the zone and naive ones are read as its local time
    (:func:`localize_naive`; a skipped local time is a
    :class:`wfm.errors.DataError` naming ``where`` and the row).
    """
    if time_zone is None:
        return pd.to_datetime(column, errors="coerce", format="ISO8601")
    mixed = _has_mixed_offsets(column)
    stamps = pd.to_datetime(column, errors="coerce", format="ISO8601", utc=mixed)
    if getattr(stamps.dt, "tz", None) is None:
        return localize_naive(stamps, time_zone, where)
    return stamps.dt.tz_convert(time_zone)


def stamp_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its datetime columns as ``YYYY-MM-DD HH:MM`` text (``+HH:MM`` if tz-aware).

    The one format of written tables: naive timestamps as before time
    zones, tz-aware ones with their UTC offset, e.g. ``2027-03-28 03:00+02:00``,
    which :func:`parse_stamps` and pandas read back to the same instants.
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = stamp_column_text(out[column])
    return out


def stamp_column_text(values: pd.Series) -> pd.Series:
    """One column of timestamps as text in the format of :func:`stamp_text`."""
    if not len(values):
        return values.astype(object)
    stamps = pd.to_datetime(values)
    text = stamps.dt.strftime("%Y-%m-%d %H:%M")
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        offset = stamps.dt.strftime("%z")
        text = text + offset.str[:3] + ":" + offset.str[3:]
    return text


def grid_positions(
    stamps: pd.Series,
    *,
    origin: pd.Timestamp,
    interval_minutes: int,
    time_zone: str | None,
    field_name: str,
) -> np.ndarray:
    """Elapsed intervals from ``origin`` of each timestamp (float; NaN where missing).

    Without a time zone, tz-aware timestamps keep their local wall-clock time
    (as before time zones existed). With one, tz-aware timestamps (or UTC
    offsets) are converted to it, and naive ones are read as its local time
    (:func:`localize_naive`).
    """
    width = pd.Timedelta(minutes=interval_minutes)
    if time_zone is None:
        parsed = pd.to_datetime(stamps, errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        return np.asarray(((parsed - origin) / width).to_numpy(dtype=float))
    parsed = parse_stamps(stamps, time_zone, where=field_name)
    return np.asarray(((parsed - origin) / width).to_numpy(dtype=float))


def _has_mixed_offsets(stamps: pd.Series) -> bool:
    """Whether ``stamps`` are strings or datetimes carrying more than one UTC offset."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(stamps):
        return False
    offsets: set[object] = set()
    for value in stamps.dropna():
        if isinstance(value, dt.datetime):
            offsets.add(value.utcoffset())
        else:
            text = str(value)
            tail = text[-6:]
            offsets.add(tail if tail[:1] in "+-" and ":" in tail else text.endswith("Z"))
        if len(offsets) > 1:
            return True
    return False
