"""Reading and validating contact-centre history.

Two entry points, both returning a :class:`History`:

- :func:`read_interval_counts` reads interval counts (one row per interval:
  start timestamp, calls, optional AHT), from a CSV path or a DataFrame,
  optionally aggregated to a coarser interval;
- :func:`read_call_records` reads call-level records (one row per call:
  arrival time, handle seconds, optional outcome) and counts them per interval;
- :func:`history_from_contacts` counts the contacts layout of :mod:`wfm.kpis`
  (a call log read by :func:`wfm.actuals.read_call_log`) the same way.

Validation happens on entry, before any other work, and names the row, the
column and the value: unparsable timestamps, negative or non-numeric counts,
duplicate intervals, timestamps off the interval grid, mixed time zones.

Missing is not zero. A closed interval or a missing day (a bank holiday
absent from the file) stays absent from :attr:`History.data`; it is never
filled with zeros, and the days missing inside the history's span are listed
in :attr:`ReadSummary.missing_days`. Every input row is accounted for in
:attr:`History.summary` (rows read, rows used, rows excluded and why).

Row numbers in error messages: for a CSV file, ``line N`` is the line of the
file (the header is line 1); for a DataFrame, ``row N`` is the 0-based
position (``df.iloc[N]``).

History layout (:attr:`History.data`)
-------------------------------------
``interval_start``
    datetime64[ns], time-zone naive (local wall clock), sorted, unique, on
    the grid: a multiple of ``interval_minutes`` after midnight. Read with a
    ``time_zone`` (:func:`read_interval_counts`), tz-aware in that zone
    instead: the intervals are elapsed time, so a day with a clock change
    has 23 or 25 hours of them, and the repeated autumn hour appears twice
    (once per UTC offset).
``calls``
    float >= 0: calls offered in the interval.
``aht_seconds``
    float > 0, or NaN where unknown (no AHT column, or no handled call).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from wfm.errors import DataError, ValidationError
from wfm.tables import read_csv_file
from wfm.timegrid import localize_naive, validate_time_zone

__all__ = [
    "MAX_CALLS_PER_INTERVAL",
    "History",
    "ReadSummary",
    "aggregate",
    "history_from_contacts",
    "read_call_records",
    "read_interval_counts",
]

Source = str | os.PathLike[str] | pd.DataFrame

#: Most calls one interval of a history may hold: far beyond any contact
#: centre, and small enough that every sum and forecast of them stays finite.
MAX_CALLS_PER_INTERVAL = 1e7

_OFFSET_PATTERN = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$"


@dataclass(frozen=True, kw_only=True)
class ReadSummary:
    """What happened to every input row.

    Attributes
    ----------
    rows_read
        Data rows in the input (header excluded).
    rows_used
        Rows that contributed to :attr:`History.data`.
    excluded
        ``{reason: rows}`` for every row not used;
        ``rows_read == rows_used + sum(excluded.values())``.
    intervals
        Rows of the returned history (after aggregation).
    interval_minutes
        Interval length of the returned history.
    source_interval_minutes
        Interval length of the input grid (call records: ``None``).
    first_interval, last_interval
        First and last ``interval_start`` (``None`` if empty).
    missing_days
        Dates inside the history's span, on a weekday that occurs in the data,
        with no row at all (holidays, outages, gaps): left absent, not zero.
    has_aht
        Whether any AHT value is known.
    notes
        Further plain-words remarks (time zone dropped, zero rows added, ...).
    """

    rows_read: int
    rows_used: int
    excluded: Mapping[str, int] = field(default_factory=dict)
    intervals: int = 0
    interval_minutes: int = 0
    source_interval_minutes: int | None = None
    first_interval: pd.Timestamp | None = None
    last_interval: pd.Timestamp | None = None
    missing_days: tuple[dt.date, ...] = ()
    has_aht: bool = False
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [
            f"rows read: {self.rows_read}",
            f"rows used: {self.rows_used}",
        ]
        for reason, count in self.excluded.items():
            lines.append(f"rows excluded ({reason}): {count}")
        span = (
            f"{self.first_interval:%Y-%m-%d %H:%M} .. {self.last_interval:%Y-%m-%d %H:%M}"
            if self.first_interval is not None
            else "empty"
        )
        lines.append(f"intervals: {self.intervals} x {self.interval_minutes} min ({span})")
        if self.missing_days:
            days = ", ".join(d.isoformat() for d in self.missing_days)
            lines.append(f"missing days (left absent): {days}")
        lines.append(f"AHT in history: {'yes' if self.has_aht else 'no'}")
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)


@dataclass(frozen=True, kw_only=True)
class History:
    """Validated interval history.

    Attributes
    ----------
    data
        DataFrame in the history layout (see the module docstring).
    interval_minutes
        Interval length in minutes (divides 60).
    summary
        Account of the input rows, see :class:`ReadSummary`.
    """

    data: pd.DataFrame
    interval_minutes: int
    summary: ReadSummary

    @property
    def has_aht(self) -> bool:
        """Whether any interval has a known AHT."""
        return bool(self.data["aht_seconds"].notna().any())

    def aggregate(self, interval_minutes: int) -> History:
        """Return this history on a coarser grid; see :func:`aggregate`."""
        return aggregate(self, interval_minutes)


# ----------------------------------------------------------------------------- internals


def _where(is_file: bool, position: int) -> str:
    return f"line {position + 2}" if is_file else f"row {position}"


def _load(source: Source, columns: Sequence[str]) -> tuple[pd.DataFrame, bool]:
    if isinstance(source, pd.DataFrame):
        return source, False
    if not isinstance(source, (str, os.PathLike)):
        raise ValidationError("source", source, "a CSV path or a pandas DataFrame")
    frame = read_csv_file(
        source,
        what="a comma-separated file with a header row",
        dtype={c: "string" for c in columns},
        keep_default_na=True,
        skipinitialspace=True,
    )
    return frame, True


def _require_column(frame: pd.DataFrame, column: str, role: str) -> None:
    if column not in frame.columns:
        names = list(map(str, frame.columns))
        hint = ""
        if len(names) == 1:
            separator = next((sep for sep in (";", "\t", "|") if sep in names[0]), None)
            if separator is not None:
                hint = f" (the header holds {separator!r}: give a comma-separated file)"
        raise ValidationError(f"{role} column", column, f"one of the columns {names}{hint}")


def _check_interval(value: object, name: str = "interval_minutes") -> int:
    if (
        not isinstance(value, (int, np.integer))
        or isinstance(value, bool)
        or value < 1
        or 60 % int(value) != 0
    ):
        raise ValidationError(name, value, "a whole number of minutes dividing 60 (5, 15, 30, ...)")
    return int(value)


def _stamp_text(
    raw: pd.Series, column: str, is_file: bool, *, mixed: str
) -> tuple[pd.Series, pd.Series]:
    """Timestamp texts, stripped, and their UTC offsets (NaN where none).

    A missing value, or offsets on some rows but not all, is a DataError
    naming the row; ``mixed`` says what was expected in the latter case.
    """
    missing = raw.isna().to_numpy()
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise DataError(f"{column}[{_where(is_file, pos)}]", None, "a timestamp")
    if raw.dtype == object:
        raw = raw.map(lambda v: v if isinstance(v, str) else str(v))
    text = raw.astype("string").str.strip()
    offsets = text.str.extract(_OFFSET_PATTERN, expand=False)
    has_offset = offsets.notna().to_numpy()
    if has_offset.any() and not has_offset.all():
        with_pos = int(np.flatnonzero(has_offset)[0])
        without_pos = int(np.flatnonzero(~has_offset)[0])
        raise DataError(
            f"{column}[{_where(is_file, without_pos)}]",
            str(text.iloc[without_pos]),
            f"a time-zone offset like {_where(is_file, with_pos)} "
            f"({text.iloc[with_pos]!s}): {mixed}",
        )
    return text, offsets


def _parse_timestamps(
    raw: pd.Series,
    column: str,
    is_file: bool,
    timestamp_format: str | None,
    notes: list[str],
) -> np.ndarray:
    """Parse a timestamp column to naive datetime64[ns] (wall clock) or raise."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        notes.append(f"time zone {raw.dt.tz} dropped: local wall-clock time kept")
        parsed = raw.dt.tz_localize(None)
        values = parsed.to_numpy(dtype="datetime64[ns]")
    elif pd.api.types.is_datetime64_dtype(raw.dtype):
        values = raw.to_numpy(dtype="datetime64[ns]")
    else:
        text, offsets = _stamp_text(raw, column, is_file, mixed="mixed time zones")
        has_offset = offsets.notna().to_numpy()
        if has_offset.any():
            distinct = offsets.str.replace(":", "", regex=False).replace("Z", "+0000")
            first = distinct.iloc[0]
            differs = (distinct != first).to_numpy()
            if differs.any():
                pos = int(np.flatnonzero(differs)[0])
                raise DataError(
                    f"{column}[{_where(is_file, pos)}]",
                    str(text.iloc[pos]),
                    f"the time-zone offset of the first row ({offsets.iloc[0]}): mixed time "
                    "zones (give time_zone='Area/City' to read offsets across a clock change, "
                    "or local wall-clock times without offsets)",
                )
            notes.append(f"time-zone offset {offsets.iloc[0]} dropped: local wall-clock time kept")
            text = text.str.replace(r"\s*(Z|[+-]\d{2}(?::?\d{2})?)$", "", regex=True)
        parsed = pd.to_datetime(text, format=timestamp_format or "ISO8601", errors="coerce").astype(
            "datetime64[ns]"
        )
        bad = parsed.isna().to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            expected = (
                f"a timestamp in the format {timestamp_format!r}"
                if timestamp_format
                else "an ISO 8601 timestamp such as '2026-08-17 08:15'"
            )
            raise DataError(
                f"{column}[{_where(is_file, pos)}]",
                str(text.iloc[pos]),
                f"{expected} ({int(bad.sum())} unparsable rows)",
            )
        values = parsed.to_numpy(dtype="datetime64[ns]")
    nat = np.isnat(values)
    if nat.any():
        pos = int(np.flatnonzero(nat)[0])
        raise DataError(f"{column}[{_where(is_file, pos)}]", None, "a timestamp")
    return values


def _zoned_timestamps(
    raw: pd.Series,
    column: str,
    is_file: bool,
    timestamp_format: str | None,
    time_zone: str,
) -> pd.Series:
    """Parse a timestamp column to tz-aware timestamps of ``time_zone`` or raise.

    tz-aware values and UTC offsets (which may differ between rows: a file
    across a clock change has two) are converted to the zone; naive values
    are local wall-clock time of the zone (the repeated autumn hour resolved
    by row order, see :func:`wfm.timegrid.localize_naive`).
    """
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        return raw.dt.tz_convert(time_zone).reset_index(drop=True)
    if pd.api.types.is_datetime64_dtype(raw.dtype):
        naive = raw.astype("datetime64[ns]").reset_index(drop=True)
        return localize_naive(naive, time_zone, column)
    text, offsets = _stamp_text(raw, column, is_file, mixed="all rows with an offset or none")
    text = text.reset_index(drop=True)
    has_offset = offsets.notna().to_numpy()
    parsed = pd.to_datetime(
        text, format=timestamp_format or "ISO8601", errors="coerce", utc=bool(has_offset.any())
    )
    bad = parsed.isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{column}[{_where(is_file, pos)}]",
            str(text.iloc[pos]),
            "an ISO 8601 timestamp such as '2026-08-17 08:15' or '2026-08-17 08:15+02:00'",
        )
    if has_offset.any():
        return parsed.dt.tz_convert(time_zone)
    return localize_naive(parsed.astype("datetime64[ns]"), time_zone, column)


def _instants(aware: pd.Series) -> np.ndarray:
    """UTC instants of tz-aware timestamps as naive datetime64[ns]."""
    return aware.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def _parse_numbers(raw: pd.Series, column: str, is_file: bool) -> np.ndarray:
    """Parse a numeric column to float; NaN where empty; raise on text."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.to_numpy(dtype=float, na_value=np.nan)
    numbers = pd.to_numeric(raw, errors="coerce")
    bad = (numbers.isna() & raw.notna()).to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(f"{column}[{_where(is_file, pos)}]", raw.iloc[pos], "a number")
    return numbers.to_numpy(dtype=float, na_value=np.nan)


def _minute_of_day(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (minute of day, has a seconds part) of datetime64 values."""
    since_midnight = values - values.astype("datetime64[D]")
    minute = (since_midnight // np.timedelta64(1, "m")).astype(np.int64)
    has_seconds = since_midnight % np.timedelta64(1, "m") != np.timedelta64(0, "ns")
    return minute, has_seconds


def _as_datetime64(value: object, name: str, time_zone: str | None = None) -> np.datetime64:
    """A period bound: naive (wall clock), or with a zone its UTC instant (naive)."""
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise ValidationError(name, value, "a date or timestamp such as '2026-08-17'") from None
    if stamp is pd.NaT:
        raise ValidationError(name, value, "a date or timestamp such as '2026-08-17'")
    if time_zone is None:
        if stamp.tzinfo is not None:
            raise ValidationError(name, value, "a date or timestamp without a time zone")
        return np.datetime64(stamp.to_datetime64(), "ns")
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(time_zone, ambiguous=True, nonexistent="shift_forward")
    return np.datetime64(stamp.tz_convert("UTC").tz_localize(None).to_datetime64(), "ns")


def _period_mask(
    values: np.ndarray, start: object, end: object, time_zone: str | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    before = np.zeros(values.shape, dtype=bool)
    after = np.zeros(values.shape, dtype=bool)
    excluded: dict[str, int] = {}
    if start is not None:
        start_ts = _as_datetime64(start, "start", time_zone)
        before = values < start_ts
        if before.any():
            excluded[f"before start {_bound_text(start_ts, time_zone)}"] = int(before.sum())
    if end is not None:
        end_ts = _as_datetime64(end, "end", time_zone)
        after = values >= end_ts
        if after.any():
            excluded[f"on or after end {_bound_text(end_ts, time_zone)}"] = int(after.sum())
    return before, after, excluded


def _bound_text(value: np.datetime64, time_zone: str | None) -> str:
    stamp = pd.Timestamp(value)
    if time_zone is None:
        return str(stamp)
    return str(stamp.tz_localize("UTC").tz_convert(time_zone))


def _missing_days(interval_start: pd.Series) -> tuple[dt.date, ...]:
    if interval_start.empty:
        return ()
    days = pd.DatetimeIndex(interval_start.dt.normalize().unique())
    span = pd.date_range(days.min(), days.max(), freq="D")
    weekdays = set(days.day_of_week.tolist())
    absent = span.difference(days)
    return tuple(d.date() for d in absent if d.day_of_week in weekdays)


def _floor_local(stamps: pd.Series, interval_minutes: int) -> pd.Series:
    """Start of the interval holding each timestamp, on the local clock's grid.

    Naive timestamps are floored; tz-aware ones lose the same local minutes
    (so a 02:45+01:00 after an autumn change stays apart from 02:45+02:00).
    """
    if getattr(stamps.dt, "tz", None) is None:
        return stamps.dt.floor(f"{interval_minutes}min")
    wall = stamps.dt.tz_localize(None)
    return stamps - (wall - wall.dt.floor(f"{interval_minutes}min"))


def _aggregate_frame(frame: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    bucket = _floor_local(frame["interval_start"], interval_minutes)
    aht = frame["aht_seconds"]
    known = aht.notna() & (frame["calls"] > 0)
    work = pd.DataFrame(
        {
            "interval_start": bucket,
            "calls": frame["calls"],
            "handled": frame["calls"].where(known, 0.0),
            "seconds": (frame["calls"] * aht).where(known, 0.0),
        }
    )
    grouped = work.groupby("interval_start", sort=True).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        aht_out = np.where(grouped["handled"] > 0, grouped["seconds"] / grouped["handled"], np.nan)
    starts = pd.DatetimeIndex(grouped.index)
    return pd.DataFrame(
        {
            "interval_start": starts if starts.tz else starts.to_numpy("datetime64[ns]"),
            "calls": grouped["calls"].to_numpy(dtype=float),
            "aht_seconds": aht_out.astype(float),
        }
    )


def _finish(
    data: pd.DataFrame,
    *,
    rows_read: int,
    rows_used: int,
    excluded: Mapping[str, int],
    interval_minutes: int,
    source_interval_minutes: int | None,
    notes: Sequence[str],
) -> History:
    data = data.sort_values("interval_start", kind="stable").reset_index(drop=True)
    summary = ReadSummary(
        rows_read=rows_read,
        rows_used=rows_used,
        excluded=dict(excluded),
        intervals=len(data),
        interval_minutes=interval_minutes,
        source_interval_minutes=source_interval_minutes,
        first_interval=data["interval_start"].iloc[0] if len(data) else None,
        last_interval=data["interval_start"].iloc[-1] if len(data) else None,
        missing_days=_missing_days(data["interval_start"]),
        has_aht=bool(data["aht_seconds"].notna().any()),
        notes=tuple(notes),
    )
    return History(data=data, interval_minutes=interval_minutes, summary=summary)


# ----------------------------------------------------------------------------- public


def read_interval_counts(
    source: Source,
    *,
    interval_minutes: int | None = None,
    timestamp_column: str = "interval_start",
    calls_column: str = "calls",
    aht_column: str | None = "aht_seconds",
    timestamp_format: str | None = None,
    start: str | dt.date | pd.Timestamp | None = None,
    end: str | dt.date | pd.Timestamp | None = None,
    missing_calls: Literal["error", "exclude"] = "error",
    time_zone: str | None = None,
) -> History:
    """Read interval counts from a CSV file or a DataFrame.

    Parameters
    ----------
    source
        Path of a CSV file with a header row, or a DataFrame.
    interval_minutes
        Interval length wanted. ``None``: the input's own grid, inferred as
        the most common gap between consecutive intervals of a day. A
        multiple of the input grid aggregates (calls summed, AHT
        call-weighted), e.g. 5-minute input read at 15 minutes. Finer than
        the input grid is an error.
    timestamp_column, calls_column, aht_column
        Column names. The AHT column is optional: if absent (or
        ``aht_column=None``) AHT is unknown (NaN).
    timestamp_format
        ``strftime`` format of the timestamps; ``None`` means ISO 8601
        (``2026-08-17 08:15``, ``2026-08-17T08:15:00``). A uniform UTC
        offset is accepted and dropped (wall-clock time kept); offsets that
        differ between rows, or that only some rows carry, are an error.
    start, end
        Optional period ``[start, end)``; rows outside it are excluded and
        counted in the summary.
    missing_calls
        What to do with a row whose count is empty: ``"error"`` (default)
        or ``"exclude"`` it (counted in the summary; the interval stays
        absent, it is not read as zero).
    time_zone
        IANA time zone of the centre (``None``: as described above). With a
        zone, timestamps with UTC offsets (also several: a file across a
        clock change) or tz-aware values are converted to it, naive ones are
        its local time; the grid is checked on the local clock, intervals are
        elapsed time and ``interval_start`` is tz-aware. ``start``/``end``
        without a zone are local times of it.

    Returns
    -------
    History
        Validated history on the grid; see the module docstring.

    Raises
    ------
    DataError
        Naming the row, column and value: unparsable timestamp, count or AHT;
        negative or infinite count; AHT <= 0; duplicate interval; timestamp
        off the interval grid; mixed time zones.
    ValidationError
        For a bad argument (unknown column, interval length, ...).
    """
    if missing_calls not in ("error", "exclude"):
        raise ValidationError("missing_calls", missing_calls, "'error' or 'exclude'")
    target = None if interval_minutes is None else _check_interval(interval_minutes)
    string_columns = [timestamp_column]
    frame, is_file = _load(source, string_columns)
    _require_column(frame, timestamp_column, "timestamp")
    _require_column(frame, calls_column, "calls")
    use_aht = aht_column is not None and aht_column in frame.columns
    notes: list[str] = []
    rows_read = len(frame)

    validate_time_zone(time_zone)
    aware: pd.Series | None = None
    if time_zone is None:
        stamps = _parse_timestamps(
            frame[timestamp_column], timestamp_column, is_file, timestamp_format, notes
        )
        wall = stamps
    else:
        aware = _zoned_timestamps(
            frame[timestamp_column], timestamp_column, is_file, timestamp_format, time_zone
        )
        stamps = _instants(aware)  # elapsed time: duplicates and gaps across a change
        wall = aware.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")

    def shown(pos: int) -> str:
        return str(pd.Timestamp(stamps[pos]) if aware is None else aware.iloc[pos])

    calls = _parse_numbers(frame[calls_column], calls_column, is_file)
    aht = (
        _parse_numbers(frame[aht_column], str(aht_column), is_file)
        if use_aht
        else np.full(rows_read, np.nan)
    )
    if aht_column is not None and not use_aht:
        notes.append(f"no {aht_column!r} column: AHT unknown")

    bad = np.isinf(calls) | (calls < 0) | (calls > MAX_CALLS_PER_INTERVAL)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{calls_column}[{_where(is_file, pos)}]",
            float(calls[pos]),
            f"a count >= 0 and at most {MAX_CALLS_PER_INTERVAL:.0e} in one interval",
        )
    empty = np.isnan(calls)
    if empty.any() and missing_calls == "error":
        pos = int(np.flatnonzero(empty)[0])
        raise DataError(
            f"{calls_column}[{_where(is_file, pos)}]",
            None,
            f"a count >= 0 ({int(empty.sum())} rows without a count; "
            "missing_calls='exclude' leaves them out)",
        )
    bad = ~np.isnan(aht) & ~(aht > 0) | np.isinf(aht)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{aht_column}[{_where(is_file, pos)}]", float(aht[pos]), "seconds > 0 or empty"
        )

    minute, has_seconds = _minute_of_day(wall)
    before, after, excluded = _period_mask(stamps, start, end, time_zone)
    keep = ~before & ~after
    if empty.any():
        dropped = empty & keep
        if dropped.any():
            excluded["calls missing (interval left absent)"] = int(dropped.sum())
        keep &= ~empty

    # Duplicates (among all rows, so an error names both).
    order = np.argsort(stamps, kind="stable")
    sorted_stamps = stamps[order]
    dup = np.flatnonzero(sorted_stamps[1:] == sorted_stamps[:-1])
    if dup.size:
        first, second = sorted((int(order[dup[0]]), int(order[dup[0] + 1])))
        raise DataError(
            f"{timestamp_column}[{_where(is_file, second)}]",
            shown(second),
            f"one row per interval (same interval as {_where(is_file, first)})",
        )

    # Grid of the input.
    if has_seconds.any():
        pos = int(np.flatnonzero(has_seconds)[0])
        raise DataError(
            f"{timestamp_column}[{_where(is_file, pos)}]",
            shown(pos),
            "an interval start on whole minutes",
        )
    day = sorted_stamps.astype("datetime64[D]")
    gaps = np.diff(sorted_stamps) // np.timedelta64(1, "m")
    same_day = day[1:] == day[:-1]
    gaps = gaps[same_day]
    if gaps.size:
        values, counts = np.unique(gaps, return_counts=True)
        native = int(values[np.argmax(counts)])
        if native < 1 or 60 % native != 0:
            native = int(np.gcd.reduce(minute))
            native = max(native, 1)
        if 60 % native != 0:
            raise DataError(
                timestamp_column,
                f"{native}-minute spacing",
                "interval starts on a grid dividing the hour (5, 10, 15, 30, 60 minutes)",
            )
    elif len(minute) > 1 and np.all(minute == 0):
        raise DataError(
            timestamp_column,
            "one row per day at 00:00 (daily totals)",
            "interval counts, several rows a day on the interval grid: a day's total "
            "cannot be spread over its intervals",
        )
    elif target is not None:
        native = target
    else:
        raise ValidationError(
            "interval_minutes",
            None,
            "the interval length: it cannot be inferred without two intervals on one day",
        )
    if target is not None and target < native:
        # The data might be sparse on a finer grid: accept it only if some rows of a day
        # are that close. Data whose rows are never closer than ``native`` minutes
        # (e.g. 15-minute counts read at 5 minutes) would otherwise turn two in three
        # intervals into closed ones and pile each count into one short interval.
        if gaps.size and int(gaps.min()) <= target and np.all(minute % target == 0):
            native = target
        else:
            raise ValidationError(
                "interval_minutes", target, f"a multiple of the data's {native}-minute grid"
            )
    off = minute % native != 0
    if off.any():
        pos = int(np.flatnonzero(off)[0])
        raise DataError(
            f"{timestamp_column}[{_where(is_file, pos)}]",
            shown(pos),
            f"a start on the {native}-minute grid (a multiple of {native} minutes after midnight)",
        )
    if target is not None and target % native != 0:
        raise ValidationError(
            "interval_minutes", target, f"a multiple of the data's {native}-minute grid"
        )
    out_minutes = target if target is not None else native

    kept = stamps[keep] if aware is None else aware[keep].reset_index(drop=True).dt.as_unit("ns")
    data = pd.DataFrame(
        {
            "interval_start": kept,
            "calls": calls[keep].astype(float),
            "aht_seconds": aht[keep].astype(float),
        }
    )
    if out_minutes != native:
        data = _aggregate_frame(data, out_minutes)
        notes.append(f"aggregated from {native}-minute to {out_minutes}-minute intervals")
    return _finish(
        data,
        rows_read=rows_read,
        rows_used=int(keep.sum()),
        excluded=excluded,
        interval_minutes=out_minutes,
        source_interval_minutes=native,
        notes=notes,
    )


def read_call_records(
    source: Source,
    *,
    interval_minutes: int,
    arrival_column: str = "arrival_time",
    handle_column: str | None = "handle_seconds",
    outcome_column: str | None = None,
    answered: Sequence[str] = ("answered",),
    abandoned: Sequence[str] = ("abandoned",),
    count_abandoned: bool = True,
    zero_fill: Literal["within_day", "none"] = "within_day",
    timestamp_format: str | None = None,
    start: str | dt.date | pd.Timestamp | None = None,
    end: str | dt.date | pd.Timestamp | None = None,
    time_zone: str | None = None,
) -> History:
    """Count call-level records (one row per call) per interval.

    Parameters
    ----------
    source
        Path of a CSV file with a header row, or a DataFrame.
    interval_minutes
        Interval length (minutes dividing 60). A call belongs to the interval
        its arrival falls in (``[start, start + interval)``).
    arrival_column
        Arrival timestamps (any second of the day).
    handle_column
        Handle time in seconds (>= 0) of answered calls; ignored for
        abandoned calls (may be empty there). ``None``: AHT unknown.
    outcome_column
        Optional outcome column; every value must be in ``answered`` or
        ``abandoned``. Without it every call counts as answered.
    answered, abandoned
        Outcome values meaning answered / abandoned.
    count_abandoned
        Count abandoned calls in ``calls`` (offered load, the default) or
        exclude them (counted in the summary). They never enter the AHT.
    zero_fill
        Intervals without any call cannot be told apart from closed ones in
        call records. ``"within_day"`` (default) adds zero-call intervals
        between the first and the last interval with a call of each day
        (the number added is noted in the summary); ``"none"`` adds nothing.
    timestamp_format, start, end, time_zone
        As for :func:`read_interval_counts` (with a zone, calls fall in the
        intervals of the local clock's grid, elapsed time across a change).

    Returns
    -------
    History
        ``calls`` = number of counted calls, ``aht_seconds`` = mean handle
        time of the answered calls (NaN if none).

    Raises
    ------
    DataError
        Unparsable arrival time, non-numeric or negative handle time, answered
        call without a handle time, unknown outcome, mixed time zones.
    """
    minutes = _check_interval(interval_minutes)
    if zero_fill not in ("within_day", "none"):
        raise ValidationError("zero_fill", zero_fill, "'within_day' or 'none'")
    frame, is_file = _load(source, [arrival_column])
    _require_column(frame, arrival_column, "arrival")
    if handle_column is not None:
        _require_column(frame, handle_column, "handle")
    if outcome_column is not None:
        _require_column(frame, outcome_column, "outcome")
    notes: list[str] = []
    rows_read = len(frame)
    validate_time_zone(time_zone)
    aware: pd.Series | None = None
    if time_zone is None:
        stamps = _parse_timestamps(
            frame[arrival_column], arrival_column, is_file, timestamp_format, notes
        )
    else:
        aware = _zoned_timestamps(
            frame[arrival_column], arrival_column, is_file, timestamp_format, time_zone
        )
        stamps = _instants(aware)
    handle = (
        _parse_numbers(frame[handle_column], handle_column, is_file)
        if handle_column is not None
        else np.full(rows_read, np.nan)
    )
    if outcome_column is not None:
        outcome = frame[outcome_column].astype("string").str.strip()
        is_answered = outcome.isin(list(answered)).to_numpy(dtype=bool, na_value=False)
        is_abandoned = outcome.isin(list(abandoned)).to_numpy(dtype=bool, na_value=False)
        unknown = ~is_answered & ~is_abandoned
        if unknown.any():
            pos = int(np.flatnonzero(unknown)[0])
            raise DataError(
                f"{outcome_column}[{_where(is_file, pos)}]",
                frame[outcome_column].iloc[pos],
                f"one of {[*answered, *abandoned]}",
            )
    else:
        is_answered = np.ones(rows_read, dtype=bool)
        is_abandoned = np.zeros(rows_read, dtype=bool)
    if handle_column is not None:
        bad = is_answered & (np.isnan(handle) | np.isinf(handle) | (handle < 0))
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            value = None if np.isnan(handle[pos]) else float(handle[pos])
            raise DataError(
                f"{handle_column}[{_where(is_file, pos)}]",
                value,
                "handle seconds >= 0 for an answered call",
            )
    before, after, excluded = _period_mask(stamps, start, end, time_zone)
    keep = ~before & ~after
    if not count_abandoned:
        drop = keep & is_abandoned
        if drop.any():
            excluded["abandoned (count_abandoned=False)"] = int(drop.sum())
        keep &= ~is_abandoned
    elif (keep & is_abandoned).any():
        notes.append(
            f"{int((keep & is_abandoned).sum())} abandoned calls counted in calls, not in AHT"
        )
    arrivals = pd.Series(stamps[keep]) if aware is None else aware[keep].reset_index(drop=True)
    bucket = _floor_local(arrivals.dt.as_unit("ns"), minutes)
    answered_kept = is_answered[keep] & ~np.isnan(handle[keep])
    work = pd.DataFrame(
        {
            "interval_start": bucket,
            "calls": np.ones(int(keep.sum())),
            "handled": answered_kept.astype(float),
            "seconds": np.where(answered_kept, handle[keep], 0.0),
        }
    )
    grouped = work.groupby("interval_start", sort=True).sum()
    index = pd.DatetimeIndex(grouped.index)
    if zero_fill == "within_day" and len(grouped):
        days = index.normalize()
        first = pd.Series(index, index=days).groupby(level=0).min()
        last = pd.Series(index, index=days).groupby(level=0).max()
        # elapsed steps: a day with a clock change has its 23 or 25 hours
        spans = [
            pd.date_range(a, b, freq=f"{minutes}min") for a, b in zip(first, last, strict=True)
        ]
        full = spans[0].append(spans[1:]) if len(spans) > 1 else spans[0]
        added = len(full) - len(index)
        grouped = grouped.reindex(full, fill_value=0.0)
        if added:
            notes.append(
                f"{added} zero-call intervals added between the first and last call of a day "
                "(zero_fill='within_day')"
            )
        index = full
    with np.errstate(invalid="ignore", divide="ignore"):
        aht = np.where(grouped["handled"] > 0, grouped["seconds"] / grouped["handled"], np.nan)
    data = pd.DataFrame(
        {
            "interval_start": index if index.tz is not None else index.to_numpy("datetime64[ns]"),
            "calls": grouped["calls"].to_numpy(dtype=float),
            "aht_seconds": aht.astype(float),
        }
    )
    return _finish(
        data,
        rows_read=rows_read,
        rows_used=int(keep.sum()),
        excluded=excluded,
        interval_minutes=minutes,
        source_interval_minutes=None,
        notes=notes,
    )


def history_from_contacts(
    contacts: pd.DataFrame,
    *,
    interval_minutes: int,
    count_abandoned: bool = True,
    zero_fill: Literal["within_day", "none"] = "within_day",
) -> History:
    """Count offered contacts per interval, as :func:`read_call_records` does.

    Parameters
    ----------
    contacts
        The contacts layout of :mod:`wfm.kpis` (``arrival``, ``outcome``,
        ``handle_seconds``, ...), e.g. :attr:`wfm.actuals.CallLog.contacts`.
    interval_minutes
        Interval length (minutes dividing 60).
    count_abandoned
        Count abandoned contacts in ``calls`` (offered load, the default).
    zero_fill
        As for :func:`read_call_records`.

    Returns
    -------
    History
        ``calls`` = contacts arriving in the interval, ``aht_seconds`` = mean
        handle time of its answered contacts with a known handle time (NaN
        if none). Answered contacts without a handle time count as calls
        and are left out of the AHT (said in the summary's notes).
    """
    for column in ("arrival", "outcome", "handle_seconds"):
        if column not in contacts.columns:
            raise ValidationError(
                "contacts columns", list(map(str, contacts.columns)), f"a column {column!r}"
            )
    handle = pd.to_numeric(contacts["handle_seconds"], errors="coerce").to_numpy(dtype=float)
    answered = (contacts["outcome"].astype(str) == "answered").to_numpy()
    timed = answered & np.isfinite(handle)
    # answered without a handle time: counted, not timed (the reader's
    # "abandoned" label keeps a row out of the AHT)
    outcome = np.where(timed, "answered", "untimed")
    frame = pd.DataFrame(
        {
            "arrival_time": contacts["arrival"].to_numpy(),
            "handle_seconds": np.where(timed, handle, np.nan),
            "outcome": outcome,
        }
    )
    history = read_call_records(
        frame,
        interval_minutes=interval_minutes,
        outcome_column="outcome",
        answered=("answered",),
        abandoned=("untimed",),
        count_abandoned=True,
        zero_fill=zero_fill,
    )
    untimed = int((answered & ~timed).sum())
    abandoned = int((~answered).sum())
    notes = [n for n in history.summary.notes if "abandoned calls counted" not in n]
    if abandoned:
        notes.append(f"{abandoned} abandoned contacts counted in calls, not in AHT")
    if untimed:
        notes.append(f"{untimed} answered contacts without a handle time counted, not timed")
    if not count_abandoned and abandoned:
        drop = ~answered
        kept = frame.loc[~drop]
        counted = read_call_records(
            kept,
            interval_minutes=interval_minutes,
            outcome_column="outcome",
            answered=("answered",),
            abandoned=("untimed",),
            zero_fill=zero_fill,
        )
        excluded = {"abandoned (count_abandoned=False)": abandoned}
        return dataclasses.replace(
            counted,
            summary=dataclasses.replace(
                counted.summary,
                rows_read=len(frame),
                excluded=excluded,
                notes=tuple(n for n in notes if not n.startswith(f"{abandoned} abandoned")),
            ),
        )
    return dataclasses.replace(
        history, summary=dataclasses.replace(history.summary, notes=tuple(notes))
    )


def aggregate(history: History, interval_minutes: int) -> History:
    """Aggregate a history to a coarser grid.

    Calls are summed; AHT is the call-weighted mean of the known AHT values.

    Parameters
    ----------
    history
        History to aggregate.
    interval_minutes
        A multiple of ``history.interval_minutes`` that divides 60.

    Returns
    -------
    History
        A new history; its summary keeps the row account of the original.
    """
    minutes = _check_interval(interval_minutes)
    if minutes % history.interval_minutes != 0:
        raise ValidationError(
            "interval_minutes",
            interval_minutes,
            f"a multiple of the history's {history.interval_minutes}-minute grid",
        )
    if minutes == history.interval_minutes:
        return history
    data = _aggregate_frame(history.data, minutes)
    old = history.summary
    summary = dataclasses.replace(
        old,
        intervals=len(data),
        interval_minutes=minutes,
        first_interval=data["interval_start"].iloc[0] if len(data) else None,
        last_interval=data["interval_start"].iloc[-1] if len(data) else None,
        notes=(
            *old.notes,
            f"aggregated from {history.interval_minutes}-minute to {minutes}-minute intervals",
        ),
    )
    return History(data=data, interval_minutes=minutes, summary=summary)
