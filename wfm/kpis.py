"""Service statistics of contacts: the per-period KPI table.

One table layout for what happened to contacts, whoever produced them: a call
log read by :mod:`wfm.actuals`, or a simulation. A plan, a simulated week and
the real week therefore line up column by column.

Contacts layout (input)
-----------------------
One row per contact offered to the queue (rows a reader ignores, such as
phantom calls, are already removed):

``arrival``
    datetime64: when the contact arrived. Time-zone naive (local wall clock,
    clocks that never change), or tz-aware (instants, with a time zone or a
    fixed UTC offset: :func:`read_timestamps`). A contact belongs to the
    period (interval, day, month) of its arrival, on the local clock of its
    zone: with a time zone a day is a local calendar day (23 or 25 hours on
    a clock change, 92 or 100 intervals of 15 minutes) and the two runs of a
    repeated autumn hour are two sets of intervals.
``wait_seconds``
    float >= 0: time in queue until answered or abandoned.
``outcome``
    ``"answered"`` or ``"abandoned"``.
``handle_seconds``
    float > 0 for answered contacts, NaN for abandoned ones. An answered
    contact may also carry NaN when the log did not record its handle time;
    it then counts as answered but is left out of AHT and busy time.
optional ``queue``
    queue or call type (text); ``by_queue=True`` splits every period by it.
optional ``agent_id``
    who answered (text; missing for abandoned contacts or unknown agents).
optional ``customer_id``
    caller identity (text; missing when the caller was not identified).
optional ``priority``, ``vru_seconds``
    carried along, not used here.

KPI table (output of :func:`kpi_table`)
---------------------------------------
One row per period (and queue with ``by_queue=True``), sorted. The period
column is ``interval_start`` (datetime64, on a grid of ``interval_minutes``
from local midnight), ``date`` (datetime64 at local midnight) or ``month``
(datetime64, first day of the month at local midnight); tz-aware in the
contacts' zone when their arrivals are, and sorted by instant. Counts are
integers; every rate or mean is NaN when its denominator is zero (an
interval with no answered contact has no ASA; an interval with nothing
offered has no service level).

``offered``
    contacts arriving in the period.
``answered``, ``abandoned``
    of those, answered and abandoned (``offered == answered + abandoned``).
``short_abandoned``
    abandoned with ``wait_seconds < short_abandon_seconds`` (0 disables).
``answered_within``
    answered with ``wait_seconds <= answer_within_seconds``.
``service_level``
    the default convention: ``answered_within / offered``. An abandoned
    contact never counts as answered in time, whenever it hung up; this is
    the convention of :mod:`wfm.erlang` (Erlang C and Erlang A service level
    per offered call).
``service_level_of_answered``
    ``answered_within / answered`` (abandoned contacts ignored).
``service_level_excluding_short_abandons``
    ``answered_within / (offered - short_abandoned)``.
``asa_seconds``
    mean ``wait_seconds`` of answered contacts (zero waits included).
``longest_wait_seconds``
    largest ``wait_seconds`` of any offered contact, answered or abandoned.
``abandon_rate``
    ``abandoned / offered``.
``mean_time_to_abandon_seconds``
    mean ``wait_seconds`` of abandoned contacts.
``aht_seconds``
    mean ``handle_seconds`` of answered contacts with a known handle time.
``handled_seconds``
    sum of those handle times (attributed to the arrival's period).

With an ``agent_id`` column, also:

``agents_served``
    distinct agents busy on a contact at some moment of the period. Busy
    means from answer (``arrival + wait_seconds``) to the end of handling
    (``+ handle_seconds``), so a call crossing an interval boundary makes its
    agent count in both intervals, whichever interval the call arrived in.
``busy_seconds``
    agent seconds spent handling inside the period (the overlap of each
    contact's handling with the period).
``occupancy``
    ``busy_seconds / (sum over the period's intervals of agents_served x
    interval seconds)``. An approximation: a call log has no log-in times,
    so an agent counts as available for a whole interval once busy in it.
    Day and month rows sum busy and available seconds over their intervals
    (of ``interval_minutes``), so occupancy means the same at every period.

With a ``customer_id`` column and ``repeat_within_days`` set, also:

``identified_contacts``
    contacts with a known customer.
``repeat_contacts``
    identified contacts whose customer had an *answered* contact that arrived
    in the ``repeat_within_days`` x 24 h before this one (the usual proxy for
    contacts the first answer did not resolve). Contacts in the first
    ``repeat_within_days`` of the log cannot see all of their past: they are
    counted all the same (left-censoring, a slight undercount there).
``repeat_contact_rate``
    ``repeat_contacts / identified_contacts``.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from wfm.errors import DataError, ValidationError

__all__ = [
    "CONTACT_COLUMNS",
    "OPTIONAL_CONTACT_COLUMNS",
    "OUTCOMES",
    "PERIOD_COLUMNS",
    "KpiSettings",
    "Period",
    "kpi_table",
    "local_midnight",
    "period_start",
    "read_timestamps",
    "validate_contacts",
    "zone_for_offsets",
]

#: Required columns of the contacts layout.
CONTACT_COLUMNS: tuple[str, ...] = ("arrival", "wait_seconds", "outcome", "handle_seconds")
#: Optional columns of the contacts layout.
OPTIONAL_CONTACT_COLUMNS: tuple[str, ...] = (
    "queue",
    "agent_id",
    "customer_id",
    "priority",
    "vru_seconds",
)
#: The outcome labels of the contacts layout.
OUTCOMES: tuple[str, ...] = ("answered", "abandoned")

Period = Literal["interval", "day", "month"]
#: The period column of the KPI table, per period.
PERIOD_COLUMNS: dict[str, str] = {"interval": "interval_start", "day": "date", "month": "month"}

_NS_PER_SECOND = 1_000_000_000

#: A UTC offset after the time of an ISO 8601 timestamp: "Z", "+02:00", "-0500", "+02".
_OFFSET = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$"

#: IANA names never taken for a zone matching offsets (not a place's clock).
_NOT_PLACES = frozenset({"Factory", "localtime", "posixrules"})


@dataclass(frozen=True, kw_only=True)
class KpiSettings:
    """How contacts are counted into KPIs.

    Attributes
    ----------
    interval_minutes
        Interval length in minutes (5 to 60, dividing 60): the grid of
        interval rows, and of the available time behind ``occupancy`` at
        every period.
    answer_within_seconds
        Service-level threshold ``T``: answered with ``wait_seconds <= T``
        counts as answered in time.
    short_abandon_seconds
        Abandoned with ``wait_seconds`` strictly below this is a short
        abandon (0: none is).
    repeat_within_days
        Window for repeat contacts in days (> 0), or ``None`` for no repeat
        columns.
    """

    interval_minutes: int = 30
    answer_within_seconds: float = 20.0
    short_abandon_seconds: float = 5.0
    repeat_within_days: float | None = None

    def __post_init__(self) -> None:
        m = self.interval_minutes
        if (
            not isinstance(m, (int, np.integer))
            or isinstance(m, bool)
            or not 5 <= m <= 60
            or 60 % int(m) != 0
        ):
            raise ValidationError(
                "interval_minutes", m, "a whole number of minutes from 5 to 60 dividing 60"
            )
        for name in ("answer_within_seconds", "short_abandon_seconds"):
            value = getattr(self, name)
            if not _is_real(value) or not math.isfinite(value) or value < 0:
                raise ValidationError(name, value, "a finite number of seconds >= 0")
        days = self.repeat_within_days
        if days is not None and (not _is_real(days) or not math.isfinite(days) or days <= 0):
            raise ValidationError("repeat_within_days", days, "a number of days > 0, or None")


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


# ----------------------------------------------------------------------------- time zones


TimeZone = str | dt.tzinfo


def _offsets_minutes(text: pd.Series) -> np.ndarray:
    """UTC offset in minutes written after the time of each text (NaN where none)."""
    found = text.astype("string").str.strip().str.extract(_OFFSET, expand=False)
    out = np.full(len(text), np.nan)
    for i, value in enumerate(found.to_numpy(dtype=object)):
        if value is None or value is pd.NA:
            continue
        if value == "Z":
            out[i] = 0.0
            continue
        digits = value[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
        out[i] = minutes if value[0] == "+" else -minutes
    return out


def zone_for_offsets(
    instants: pd.Series | pd.DatetimeIndex, offsets_minutes: np.ndarray, *, where: str
) -> dt.tzinfo:
    """A time zone whose UTC offset at each instant is the one given.

    One offset: that fixed offset (``UTC+02:00``). Several (the timestamps
    cross a clock change): the first IANA zone with the same offset at every
    instant, names without a region first (``CET``, ``EST5EDT``), then in
    alphabetical order. Any such zone puts every given instant on the same
    local clock, so the choice does not change a result on those instants.

    Raises
    ------
    DataError
        Naming ``where`` when no zone has those offsets at those instants.
    """
    index = pd.DatetimeIndex(instants)
    if index.tz is None:
        index = index.tz_localize("UTC")
    index = index.tz_convert("UTC")
    given = np.asarray(offsets_minutes, dtype=float)
    distinct = sorted(set(given[np.isfinite(given)].tolist()))
    if len(distinct) <= 1:
        return dt.timezone(dt.timedelta(minutes=distinct[0] if distinct else 0.0))
    order = np.argsort(index.asi8, kind="stable")
    index, given = index[order], given[order]
    change = np.flatnonzero(np.diff(given) != 0)
    probe = np.unique(np.concatenate([[0, len(given) - 1], change, change + 1]))
    utc_wall = index.tz_localize(None)

    def matches(zone: zoneinfo.ZoneInfo, rows: np.ndarray) -> bool:
        local = index[rows].tz_convert(zone).tz_localize(None)
        minutes = (local - utc_wall[rows]) / pd.Timedelta(minutes=1)
        return bool(np.array_equal(np.asarray(minutes, dtype=float), given[rows]))

    names = sorted(zoneinfo.available_timezones() - _NOT_PLACES, key=lambda n: ("/" in n, n))
    everything = np.arange(len(given))
    for name in names:
        zone = zoneinfo.ZoneInfo(name)
        if matches(zone, probe) and matches(zone, everything):
            return zone
    shown = ", ".join(_offset_text(m) for m in distinct)
    raise DataError(
        where,
        f"UTC offsets {shown}",
        "offsets of one time zone (no IANA zone has them at these times; give the time zone)",
    )


def _offset_text(minutes: float) -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(int(abs(minutes)), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _localize(stamps: pd.Series, zone: TimeZone) -> pd.Series:
    """Naive local times of ``zone`` made tz-aware (NaT where the clocks skip the time).

    A repeated autumn hour is resolved by the order of the rows when it
    appears twice in time order, otherwise as its first occurrence (summer
    time), the rule of :func:`wfm.timegrid.localize_naive`.
    """
    try:
        return stamps.dt.tz_localize(zone, ambiguous="infer", nonexistent="NaT")
    except (ValueError, TypeError):
        first = np.ones(len(stamps), dtype=bool)
        return stamps.dt.tz_localize(zone, ambiguous=first, nonexistent="NaT")


def read_timestamps(
    values: pd.Series,
    *,
    time_zone: TimeZone | None = None,
    where: str,
    instants_only: bool = False,
) -> pd.Series:
    """Timestamps of a column: naive as they are, with UTC offsets as instants.

    * Naive datetimes, or text without offsets: naive (local wall clock),
      exactly as before time zones; with ``time_zone`` they are local times
      of it (a time the spring change skips becomes NaT).
    * Tz-aware datetimes, or text with UTC offsets (one or several, as in a
      table across a clock change): the same instants, converted to
      ``time_zone`` when given, else to :func:`zone_for_offsets` of the
      offsets (text; in UTC with ``instants_only``, which skips the search
      for a zone) or kept in their own zone (datetimes).

    Unreadable values become NaT (the caller names the row).

    Raises
    ------
    DataError
        Text mixing timestamps with and without offsets and no ``time_zone``
        to read the naive ones (naming the first naive row of ``where``).
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        out = values if time_zone is None else values.dt.tz_convert(time_zone)
        return out.dt.as_unit("ns")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values.astype("datetime64[ns]")
        return out if time_zone is None else _localize(out, time_zone).dt.as_unit("ns")
    text = values.map(lambda v: v if isinstance(v, str) or _missing(v) else str(v)).astype("string")
    offsets = _offsets_minutes(text)
    has = np.isfinite(offsets)
    if not has.any():
        naive = pd.to_datetime(text, errors="coerce", format="ISO8601").astype("datetime64[ns]")
        return naive if time_zone is None else _localize(naive, time_zone).dt.as_unit("ns")
    filled = text.notna().to_numpy(dtype=bool) & (text.str.strip() != "").fillna(False).to_numpy()
    naive_rows = filled & ~has
    if naive_rows.any() and time_zone is None:
        i = int(np.flatnonzero(naive_rows)[0])
        raise DataError(
            f"{where}[row {i}]",
            str(text.iloc[i]),
            "a timestamp with a UTC offset like the other rows (or a time zone for local times)",
        )
    aware = pd.to_datetime(text.where(has), errors="coerce", format="ISO8601", utc=True)
    aware = aware.dt.as_unit("ns")
    zone = time_zone
    if zone is None and instants_only:
        zone = "UTC"
    elif zone is None:
        known = aware.notna().to_numpy()
        zone = zone_for_offsets(aware[known], offsets[known], where=where)
    out = aware.dt.tz_convert(zone)
    if naive_rows.any():
        naive = pd.to_datetime(text.where(naive_rows), errors="coerce", format="ISO8601")
        local = _localize(naive.astype("datetime64[ns]"), zone).dt.as_unit("ns")
        out = out.where(~naive_rows, local)
    return out


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _wall_clock(stamps: pd.Series) -> pd.Series:
    """Local wall-clock times (naive) of tz-aware ``stamps``; naive ones as they are."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        return stamps.dt.tz_localize(None)
    return stamps


def local_midnight(days: pd.Series, zone: TimeZone | None) -> pd.Series:
    """The first instant of each local calendar day (``days``: naive dates at midnight).

    Naive without ``zone``; in a zone where the clocks skip midnight, the
    first instant after the gap.
    """
    if zone is None:
        return days
    first = np.ones(len(days), dtype=bool)
    return days.dt.tz_localize(zone, ambiguous=first, nonexistent="shift_forward")


def _utc_ns(stamps: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch: of the instant (tz-aware) or of the wall clock (naive)."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return np.asarray(stamps.astype("datetime64[ns]").to_numpy().astype(np.int64))


# ----------------------------------------------------------------------------- validation


def _row_error(column: str, position: int, value: Any, expected: str) -> DataError:
    return DataError(f"{column}[row {position}]", value, expected)


def validate_contacts(contacts: pd.DataFrame) -> pd.DataFrame:
    """Check a contacts table and return a normalised copy.

    Parameters
    ----------
    contacts
        Table in the contacts layout (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        A copy with ``arrival`` as datetime64[ns], the seconds as float,
        ``outcome`` and the optional id columns as text (missing ids as
        ``pd.NA``), the index reset, rows in the input order. A tz-aware
        ``arrival`` keeps its zone.

    Raises
    ------
    DataError
        A required column is missing, or a row breaks the layout; the error
        names the column, the row (0-based position) and the value.
    """
    if not isinstance(contacts, pd.DataFrame):
        raise ValidationError("contacts", type(contacts).__name__, "a pandas DataFrame")
    missing = [c for c in CONTACT_COLUMNS if c not in contacts.columns]
    if missing:
        raise DataError(
            "contacts columns",
            list(map(str, contacts.columns)),
            f"the columns {list(CONTACT_COLUMNS)} (missing {missing})",
        )
    out = contacts.reset_index(drop=True).copy()
    arrival = out["arrival"]
    if isinstance(arrival.dtype, pd.DatetimeTZDtype):
        out["arrival"] = arrival.dt.as_unit("ns")
    elif not pd.api.types.is_datetime64_dtype(arrival.dtype):
        raise DataError("arrival", str(arrival.dtype), "a datetime64 column")
    else:
        out["arrival"] = arrival.astype("datetime64[ns]")
    nat = out["arrival"].isna().to_numpy()
    if nat.any():
        raise _row_error("arrival", int(np.flatnonzero(nat)[0]), None, "a timestamp")

    outcome = out["outcome"].astype("string")
    bad = ~outcome.isin(OUTCOMES).fillna(False).to_numpy(dtype=bool)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise _row_error("outcome", pos, out["outcome"].iloc[pos], f"one of {list(OUTCOMES)}")
    out["outcome"] = outcome
    answered = (outcome == "answered").to_numpy(dtype=bool)

    for column in ("wait_seconds", "handle_seconds"):
        raw = out[column]
        if not pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_bool_dtype(raw.dtype):
            raise DataError(column, str(raw.dtype), "a numeric column of seconds")
        out[column] = raw.astype(float)
    wait = out["wait_seconds"].to_numpy()
    bad = ~(np.isfinite(wait) & (wait >= 0))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise _row_error("wait_seconds", pos, float(wait[pos]), "a finite number of seconds >= 0")
    handle = out["handle_seconds"].to_numpy()
    bad = answered & ~(np.isnan(handle) | (np.isfinite(handle) & (handle > 0)))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise _row_error(
            "handle_seconds",
            pos,
            float(handle[pos]),
            "seconds > 0 for an answered contact (NaN if not recorded)",
        )
    bad = ~answered & ~np.isnan(handle)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise _row_error("handle_seconds", pos, float(handle[pos]), "NaN for an abandoned contact")
    for column in ("queue", "agent_id", "customer_id"):
        if column in out.columns:
            out[column] = out[column].astype("string")
    return out


# ----------------------------------------------------------------------------- the table


def period_start(stamps: pd.Series, *, period: Period, interval_minutes: int = 30) -> pd.Series:
    """The start of the period holding each timestamp.

    Parameters
    ----------
    stamps
        datetime64 values: naive (local wall clock) or tz-aware.
    period
        ``"interval"`` (floor to ``interval_minutes`` from midnight), ``"day"``
        (midnight) or ``"month"`` (midnight of the first day), on the local
        clock. For tz-aware stamps the start is an instant of the same zone:
        an interval's start is the stamp minus its wall-clock minutes into
        the interval (so a stamp in the second run of a repeated autumn hour
        falls in the second run's interval), and a day starts at its local
        midnight.
    interval_minutes
        Interval length for ``period="interval"``.

    Returns
    -------
    pandas.Series
        datetime64 period starts, aligned with ``stamps``.
    """
    zone = getattr(stamps.dt, "tz", None)
    if zone is None:
        if period == "interval":
            return stamps.dt.floor(f"{interval_minutes}min")
        if period == "day":
            return stamps.dt.normalize()
        return stamps.dt.to_period("M").dt.to_timestamp()
    wall = _wall_clock(stamps)
    if period == "interval":
        return stamps - (wall - wall.dt.floor(f"{interval_minutes}min"))
    if period == "day":
        return local_midnight(wall.dt.normalize(), zone)
    return local_midnight(wall.dt.to_period("M").dt.to_timestamp().astype(wall.dtype), zone)


def _busy_pieces(contacts: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    """Split each answered contact's handling over the intervals it touches.

    Returns one row per (contact, interval touched): ``interval_start``,
    ``agent_id``, ``busy_seconds`` and ``queue`` when present.
    """
    has_agent = (contacts["outcome"] == "answered") & contacts["agent_id"].notna()
    served = contacts.loc[has_agent.to_numpy(dtype=bool)]
    step = interval_minutes * 60 * _NS_PER_SECOND
    zone = getattr(served["arrival"].dt, "tz", None)
    # tz-aware: the local grid is the UTC grid shifted by the zone's offset
    # modulo the interval (the same for every offset of a zone whose clock
    # changes by whole intervals, checked in kpi_table)
    shift = 0 if zone is None or not len(served) else int(_grid_shifts(served["arrival"], step)[0])
    start = (
        _utc_ns(served["arrival"])
        + shift
        + np.round(served["wait_seconds"].to_numpy() * _NS_PER_SECOND).astype(np.int64)
    )
    length = np.round(np.nan_to_num(served["handle_seconds"].to_numpy()) * _NS_PER_SECOND).astype(
        np.int64
    )
    end = start + length
    first = start // step
    # the last interval touched: the one holding the final instant of handling
    last = np.maximum(first, (end - 1) // step)
    count = (last - first + 1).astype(np.int64)
    row = np.repeat(np.arange(len(served)), count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    bin_index = first[row] + offset
    lo = np.maximum(start[row], bin_index * step)
    hi = np.minimum(end[row], (bin_index + 1) * step)
    starts = pd.Series(pd.to_datetime(bin_index * step - shift))
    if zone is not None:
        starts = starts.dt.tz_localize("UTC").dt.tz_convert(zone)
    pieces = pd.DataFrame(
        {
            "interval_start": starts.to_numpy() if zone is None else starts.array,
            "agent_id": served["agent_id"].to_numpy()[row],
            "busy_seconds": np.maximum(hi - lo, 0) / _NS_PER_SECOND,
        }
    )
    if "queue" in served.columns:
        pieces["queue"] = served["queue"].to_numpy()[row]
    return pieces


def _grid_shifts(stamps: pd.Series, step_ns: int) -> np.ndarray:
    """Per tz-aware stamp, its UTC offset in nanoseconds modulo the interval."""
    wall = _wall_clock(stamps).astype("datetime64[ns]").to_numpy().astype(np.int64)
    return np.asarray((wall - _utc_ns(stamps)) % step_ns)


def _repeat_flags(contacts: pd.DataFrame, within_days: float) -> np.ndarray:
    """Whether each contact follows an answered contact of its customer within the window."""
    flags = np.zeros(len(contacts), dtype=bool)
    known = contacts["customer_id"].notna().to_numpy(dtype=bool)
    if not known.any():
        return flags
    window = np.int64(round(within_days * 86400 * _NS_PER_SECOND))
    frame = pd.DataFrame(
        {
            "position": np.flatnonzero(known),
            "customer": contacts["customer_id"].to_numpy()[known],
            "t": _utc_ns(contacts["arrival"])[known],
            "answered": (contacts["outcome"].to_numpy()[known] == "answered"),
        }
    ).sort_values(["customer", "t", "position"], kind="stable")
    # time of the latest answered contact strictly before each contact, per customer
    answered_t = frame["t"].where(frame["answered"])
    previous = answered_t.groupby(frame["customer"]).shift(1)
    previous = previous.groupby(frame["customer"]).ffill()
    gap = frame["t"] - previous
    hit = (gap <= window).to_numpy(dtype=bool) & previous.notna().to_numpy(dtype=bool)
    flags[frame["position"].to_numpy()[hit]] = True
    return flags


def _safe_ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    num = numerator.astype(float)
    den = denominator.astype(float)
    return (num / den.where(den > 0)).astype(float)


def kpi_table(
    contacts: pd.DataFrame,
    *,
    period: Period = "interval",
    settings: KpiSettings | None = None,
    by_queue: bool = False,
    interval_starts: Sequence[Any] | pd.DatetimeIndex | None = None,
) -> pd.DataFrame:
    """Aggregate contacts into the KPI table of one period length.

    Parameters
    ----------
    contacts
        Table in the contacts layout (see the module docstring).
    period
        ``"interval"`` (rows per ``settings.interval_minutes``), ``"day"`` or
        ``"month"``.
    settings
        Thresholds and the interval grid; default :class:`KpiSettings()`.
    by_queue
        Split each period by the ``queue`` column.
    interval_starts
        With ``period="interval"``: interval starts that must appear as rows
        even with no contact (offered 0, rates NaN), e.g. every open interval
        of a plan. Intervals with contacts are always present.

    Returns
    -------
    pandas.DataFrame
        The KPI table (see the module docstring), one row per period with at
        least one contact arriving or an agent busy (plus ``interval_starts``).

    Raises
    ------
    DataError, ValidationError
        Bad contacts table, settings or arguments.
    """
    settings = KpiSettings() if settings is None else settings
    if not isinstance(settings, KpiSettings):
        raise ValidationError("settings", settings, "a wfm.kpis.KpiSettings")
    if period not in PERIOD_COLUMNS:
        raise ValidationError("period", period, f"one of {list(PERIOD_COLUMNS)}")
    table = validate_contacts(contacts)
    if by_queue and "queue" not in table.columns:
        raise ValidationError("by_queue", True, "a contacts table with a 'queue' column")
    if interval_starts is not None and period != "interval":
        raise ValidationError("interval_starts", "given", "only with period='interval'")
    minutes = settings.interval_minutes
    key = PERIOD_COLUMNS[period]
    keys = [key, "queue"] if by_queue else [key]
    zone = getattr(table["arrival"].dt, "tz", None)
    if zone is not None and len(table):
        shifts = _grid_shifts(table["arrival"], minutes * 60 * _NS_PER_SECOND)
        if (shifts != shifts[0]).any():
            raise ValidationError(
                "interval_minutes",
                minutes,
                f"an interval on which the clock changes of {zone} fall (its UTC offsets "
                "differ by a part of it)",
            )

    answered = table["outcome"] == "answered"
    abandoned = ~answered
    wait = table["wait_seconds"]
    handle = table["handle_seconds"]
    frame = pd.DataFrame(
        {
            key: period_start(table["arrival"], period=period, interval_minutes=minutes),
            "offered": 1,
            "answered": answered.astype(int),
            "abandoned": abandoned.astype(int),
            "short_abandoned": (abandoned & (wait < settings.short_abandon_seconds)).astype(int),
            "answered_within": (answered & (wait <= settings.answer_within_seconds)).astype(int),
            "answered_wait": wait.where(answered),
            "abandoned_wait": wait.where(abandoned),
            "wait": wait,
            "handled": handle.where(answered),
        }
    )
    if by_queue:
        frame["queue"] = table["queue"]
    grouped = frame.groupby(keys, sort=True, dropna=False)
    out = grouped[["offered", "answered", "abandoned", "short_abandoned", "answered_within"]].sum()
    out["service_level"] = _safe_ratio(out["answered_within"], out["offered"])
    out["service_level_of_answered"] = _safe_ratio(out["answered_within"], out["answered"])
    out["service_level_excluding_short_abandons"] = _safe_ratio(
        out["answered_within"], out["offered"] - out["short_abandoned"]
    )
    out["asa_seconds"] = grouped["answered_wait"].mean()
    out["longest_wait_seconds"] = grouped["wait"].max()
    out["abandon_rate"] = _safe_ratio(out["abandoned"], out["offered"])
    out["mean_time_to_abandon_seconds"] = grouped["abandoned_wait"].mean()
    out["aht_seconds"] = grouped["handled"].mean()
    out["handled_seconds"] = grouped["handled"].sum(min_count=0)

    if "agent_id" in table.columns:
        pieces = _busy_pieces(table, minutes)
        pieces[key] = period_start(
            pieces["interval_start"], period=period, interval_minutes=minutes
        )
        by_period = pieces.groupby(keys, sort=True, dropna=False)
        agents = by_period["agent_id"].nunique()
        busy = by_period["busy_seconds"].sum()
        # available seconds: each (interval, agent) pair counts one interval
        pairs = pieces.drop_duplicates([*keys, "interval_start", "agent_id"])
        available = pairs.groupby(keys, sort=True, dropna=False).size() * (minutes * 60.0)
        agent_stats = pd.DataFrame(
            {"agents_served": agents, "busy_seconds": busy, "available": available}
        )
        out = out.join(agent_stats, how="outer")
        out["agents_served"] = out["agents_served"].fillna(0).astype(int)
        out["busy_seconds"] = out["busy_seconds"].fillna(0.0)
        out["occupancy"] = _safe_ratio(out["busy_seconds"], out["available"].fillna(0.0))
        out = out.drop(columns="available")

    if "customer_id" in table.columns and settings.repeat_within_days is not None:
        frame["identified_contacts"] = table["customer_id"].notna().astype(int).to_numpy()
        frame["repeat_contacts"] = _repeat_flags(table, settings.repeat_within_days).astype(int)
        repeats = frame.groupby(keys, sort=True, dropna=False)[
            ["identified_contacts", "repeat_contacts"]
        ].sum()
        out = out.join(repeats, how="left")
        out["repeat_contact_rate"] = _safe_ratio(
            out["repeat_contacts"].fillna(0), out["identified_contacts"].fillna(0)
        )

    if interval_starts is not None:
        wanted = _wanted_starts(interval_starts, zone)
        wall = wanted if wanted.tz is None else wanted.tz_localize(None)
        off_grid = wall != wall.floor(f"{minutes}min")
        if off_grid.any():
            raise ValidationError(
                "interval_starts",
                str(wanted[off_grid][0]),
                f"starts on the {minutes}-minute grid from midnight",
            )
        if by_queue:
            queues = table["queue"].dropna().unique()
            index = pd.MultiIndex.from_product([wanted, queues], names=keys)
        else:
            index = pd.Index(wanted, name=key)
        out = out.reindex(out.index.union(index))

    out = out.reset_index()
    counts = [
        c
        for c in (
            "offered",
            "answered",
            "abandoned",
            "short_abandoned",
            "answered_within",
            "agents_served",
            "identified_contacts",
            "repeat_contacts",
        )
        if c in out.columns
    ]
    out[counts] = out[counts].fillna(0).astype(np.int64)
    for column in ("handled_seconds", "busy_seconds"):
        if column in out.columns:
            out[column] = out[column].fillna(0.0)
    if zone is None:
        out[key] = out[key].astype("datetime64[ns]")
    else:
        out[key] = pd.DatetimeIndex(out[key]).tz_convert(zone).as_unit("ns")
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def _wanted_starts(interval_starts: Any, zone: Any) -> pd.DatetimeIndex:
    """``interval_starts`` as an index in the contacts' zone (naive with naive contacts)."""
    if isinstance(interval_starts, pd.DatetimeIndex):
        wanted = interval_starts
    else:
        wanted = pd.DatetimeIndex(pd.to_datetime(list(interval_starts)))
    if (wanted.tz is None) != (zone is None):
        raise ValidationError(
            "interval_starts",
            "tz-aware" if wanted.tz is not None else "naive",
            "timestamps like the contacts' arrivals (both naive or both tz-aware)",
        )
    if zone is None:
        return pd.DatetimeIndex(wanted.astype("datetime64[ns]"))
    return wanted.tz_convert(zone).as_unit("ns")
