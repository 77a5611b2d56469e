"""Seeded synthetic contact-centre history.

:func:`synthetic_history` draws interval counts with the structure a real
centre shows: a weekly pattern (busy Monday, quiet weekend), a two-peak
intraday shape (late morning and early afternoon), a slow multiplicative
trend, day-to-day level noise, Poisson noise per interval, an average handle
time that rises through the day, per-weekday opening hours and closed days
(holidays) that are simply absent from the output.

:func:`synthetic_call_records` expands the same model into one row per call
(arrival time, handle seconds, outcome), for exercising
:func:`wfm.history.read_call_records`.

Both are deterministic for a given ``seed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from wfm.errors import ValidationError

__all__ = [
    "DEFAULT_OPEN_HOURS",
    "DEFAULT_WEEKDAY_FACTORS",
    "synthetic_call_records",
    "synthetic_history",
]

#: Opening hours per weekday (0 = Monday): ``(open, close)`` as ``"HH:MM"``;
#: the last interval starts one interval before ``close``.
DEFAULT_OPEN_HOURS: Mapping[int, tuple[str, str]] = {
    0: ("08:00", "20:00"),
    1: ("08:00", "20:00"),
    2: ("08:00", "20:00"),
    3: ("08:00", "20:00"),
    4: ("08:00", "20:00"),
    5: ("09:00", "18:00"),
    6: ("09:00", "18:00"),
}

#: Volume of each weekday (0 = Monday) relative to the busiest day.
DEFAULT_WEEKDAY_FACTORS: tuple[float, ...] = (1.0, 0.95, 0.92, 0.93, 0.88, 0.46, 0.42)

_ALLOWED_INTERVALS = (5, 10, 15, 30, 60)


def _minutes(text: str, field: str) -> int:
    try:
        hours, minutes = (int(part) for part in text.split(":"))
    except (ValueError, AttributeError):
        raise ValidationError(field, text, "a clock time 'HH:MM'") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 1440:
        raise ValidationError(field, text, "a clock time between 00:00 and 24:00")
    return hours * 60 + minutes


def _intraday_shape(hours: np.ndarray) -> np.ndarray:
    """Unnormalised arrival-rate shape over the clock (hours since midnight)."""
    return (
        0.12
        + np.exp(-(((hours - 10.75) / 1.7) ** 2))
        + 0.85 * np.exp(-(((hours - 14.5) / 2.0) ** 2))
        + 0.25 * np.exp(-(((hours - 18.5) / 1.5) ** 2))
    )


def _hourly_aht(hours: np.ndarray, mean: float, amplitude: float) -> np.ndarray:
    """Mean handle time by clock hour: lowest in the morning, highest at night."""
    hour = np.floor(hours)
    return mean + amplitude * np.sin(2.0 * np.pi * (hour - 12.0) / 24.0)


def _check_params(
    start: object,
    weeks: object,
    interval_minutes: object,
    peak_calls: object,
    weekday_factors: Sequence[float],
    trend_per_week: float,
    day_noise: float,
    aht_mean_seconds: float,
    aht_hourly_amplitude_seconds: float,
    aht_cv: float,
) -> pd.Timestamp:
    try:
        first = pd.Timestamp(start)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise ValidationError("start", start, "a date such as '2026-08-17'") from None
    if first != first.normalize() or first.tzinfo is not None:
        raise ValidationError("start", start, "a date at midnight, without a time zone")
    if not isinstance(weeks, int) or isinstance(weeks, bool) or weeks < 1:
        raise ValidationError("weeks", weeks, "an integer >= 1")
    if interval_minutes not in _ALLOWED_INTERVALS:
        raise ValidationError("interval_minutes", interval_minutes, "one of 5, 10, 15, 30, 60")
    if not isinstance(peak_calls, (int, float)) or not peak_calls > 0:
        raise ValidationError("peak_calls", peak_calls, "a number > 0 (calls per 15 minutes)")
    if len(weekday_factors) != 7 or any(not f >= 0 for f in weekday_factors):
        raise ValidationError("weekday_factors", weekday_factors, "seven numbers >= 0")
    if not trend_per_week > -0.5:
        raise ValidationError("trend_per_week", trend_per_week, "a number > -0.5")
    if not 0 <= day_noise < 1:
        raise ValidationError("day_noise", day_noise, "a number in [0, 1)")
    if not aht_mean_seconds > 0:
        raise ValidationError("aht_mean_seconds", aht_mean_seconds, "a number > 0")
    if not 0 <= aht_hourly_amplitude_seconds < aht_mean_seconds:
        raise ValidationError(
            "aht_hourly_amplitude_seconds",
            aht_hourly_amplitude_seconds,
            "a number >= 0 and below aht_mean_seconds",
        )
    if not aht_cv > 0:
        raise ValidationError("aht_cv", aht_cv, "a number > 0")
    return first


def _grid(
    first: pd.Timestamp,
    weeks: int,
    interval_minutes: int,
    open_hours: Mapping[int, tuple[str, str]],
    holidays: Iterable[object],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (day index, minute of day, weekday) of every open interval."""
    slots_per_day = 1440 // interval_minutes
    slot_minutes = np.arange(slots_per_day) * interval_minutes
    open_mask = np.zeros((7, slots_per_day), dtype=bool)
    for weekday, hours in open_hours.items():
        if weekday not in range(7):
            raise ValidationError("open_hours", weekday, "weekday keys 0 (Monday) .. 6 (Sunday)")
        opens = _minutes(hours[0], f"open_hours[{weekday}]")
        closes = _minutes(hours[1], f"open_hours[{weekday}]")
        if closes <= opens:
            raise ValidationError(f"open_hours[{weekday}]", hours, "closing after opening")
        open_mask[weekday] = (slot_minutes >= opens) & (slot_minutes + interval_minutes <= closes)
    dates = pd.date_range(first, periods=7 * weeks, freq="D")
    closed: set[pd.Timestamp] = set()
    for day in holidays:
        try:
            closed.add(pd.Timestamp(day).normalize())  # type: ignore[arg-type]
        except (ValueError, TypeError):
            raise ValidationError("holidays", day, "dates such as '2026-12-25'") from None
    keep_day = np.array([d not in closed for d in dates])
    weekdays = dates.day_of_week.to_numpy()
    mask = open_mask[weekdays] & keep_day[:, None]
    day_idx, slot_idx = np.nonzero(mask)
    return day_idx, slot_minutes[slot_idx], weekdays[day_idx]


def synthetic_history(
    *,
    start: str | dt.date | pd.Timestamp,
    weeks: int,
    interval_minutes: int = 15,
    seed: int = 0,
    peak_calls: float = 95.0,
    weekday_factors: Sequence[float] = DEFAULT_WEEKDAY_FACTORS,
    open_hours: Mapping[int, tuple[str, str]] = DEFAULT_OPEN_HOURS,
    trend_per_week: float = 0.004,
    day_noise: float = 0.04,
    holidays: Iterable[str | dt.date | pd.Timestamp] = (),
    aht_mean_seconds: float = 310.0,
    aht_hourly_amplitude_seconds: float = 25.0,
    aht_cv: float = 0.8,
    include_aht: bool = True,
) -> pd.DataFrame:
    """Draw a seeded interval-count history of a contact centre.

    Parameters
    ----------
    start
        First day (midnight, no time zone).
    weeks
        Number of whole weeks (``7 * weeks`` calendar days).
    interval_minutes
        Interval length: 5, 10, 15, 30 or 60.
    seed
        Seed of the random generator; the output is a function of all arguments.
    peak_calls
        Expected calls per 15 minutes at the busiest interval of the busiest
        weekday in the *last* week (scaled by ``interval_minutes / 15`` for
        other interval lengths). Earlier weeks are lower by the trend.
    weekday_factors
        Seven volume factors, Monday first, relative to the busiest day.
    open_hours
        ``{weekday: ("HH:MM", "HH:MM")}``; an interval is open when it lies
        wholly inside the hours. Weekdays not listed are closed.
    trend_per_week
        Multiplicative growth per week (0.004 is about 23 % a year).
    day_noise
        Standard deviation of a log-normal day-level factor (0 disables it).
    holidays
        Closed dates: absent from the output.
    aht_mean_seconds, aht_hourly_amplitude_seconds
        Mean handle time over the day and the amplitude of its rise through
        the day (by clock hour: lowest around 06:00, highest around 18:00).
    aht_cv
        Coefficient of variation of individual handle times; the observed
        interval AHT is the mean of ``calls`` gamma-distributed handle times.
    include_aht
        Add the ``aht_seconds`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``interval_start`` (datetime64, every open interval, sorted),
        ``calls`` (int64 >= 0) and, if ``include_aht``, ``aht_seconds`` (float,
        rounded to 0.1 s, at least 1 s; NaN where ``calls`` is 0: no call handled).
        Closed intervals and holidays are absent.

    Examples
    --------
    >>> df = synthetic_history(start="2026-08-17", weeks=2, seed=1)
    >>> list(df.columns)
    ['interval_start', 'calls', 'aht_seconds']
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValidationError("seed", seed, "an integer >= 0")
    first = _check_params(
        start,
        weeks,
        interval_minutes,
        peak_calls,
        weekday_factors,
        trend_per_week,
        day_noise,
        aht_mean_seconds,
        aht_hourly_amplitude_seconds,
        aht_cv,
    )
    day_idx, minute, weekday = _grid(first, weeks, interval_minutes, open_hours, holidays)
    rng = np.random.default_rng(seed)
    hours = (minute + interval_minutes / 2.0) / 60.0
    all_hours = (np.arange(0, 1440, 1) + 0.5) / 60.0
    busiest = max(weekday_factors) if max(weekday_factors) > 0 else 1.0
    open_minutes = [
        (_minutes(o, "open_hours"), _minutes(c, "open_hours"))
        for w, (o, c) in open_hours.items()
        if weekday_factors[w] == busiest
    ]
    if open_minutes:
        lo, hi = open_minutes[0]
        peak_shape = float(_intraday_shape(all_hours[lo:hi]).max())
    else:
        peak_shape = float(_intraday_shape(all_hours).max())
    n_days = 7 * weeks
    week_of_day = np.arange(n_days) // 7
    trend = (1.0 + trend_per_week) ** (week_of_day - (weeks - 1))
    level = trend * np.exp(rng.normal(0.0, day_noise, n_days) - day_noise**2 / 2.0)
    factors = np.asarray(weekday_factors, dtype=float)
    rate = (
        peak_calls
        * (interval_minutes / 15.0)
        * (factors[weekday] / busiest)
        * (_intraday_shape(hours) / peak_shape)
        * level[day_idx]
    )
    calls = rng.poisson(rate).astype(np.int64)
    timestamps = (
        first
        + pd.to_timedelta(day_idx, unit="D")
        + pd.to_timedelta(minute.astype(np.int64), unit="m")
    )
    out = pd.DataFrame({"interval_start": timestamps, "calls": calls})
    if include_aht:
        mean = _hourly_aht(hours, aht_mean_seconds, aht_hourly_amplitude_seconds)
        shape = np.maximum(calls, 1) / aht_cv**2
        observed = rng.gamma(shape, mean / shape)
        out["aht_seconds"] = np.where(calls > 0, np.maximum(np.round(observed, 1), 1.0), np.nan)
    return out


def synthetic_call_records(
    *,
    start: str | dt.date | pd.Timestamp,
    weeks: int,
    seed: int = 0,
    abandon_rate: float = 0.05,
    **history_params: object,
) -> pd.DataFrame:
    """Draw one row per call from the :func:`synthetic_history` model.

    Counts are drawn on a 5-minute grid, each call gets a uniform arrival
    second inside its interval, a gamma handle time around the hour's mean and
    an outcome.

    Parameters
    ----------
    start, weeks, seed
        As for :func:`synthetic_history`.
    abandon_rate
        Probability that a call is abandoned (``outcome == "abandoned"``,
        ``handle_seconds`` NaN).
    **history_params
        Further keyword arguments of :func:`synthetic_history` (not
        ``interval_minutes`` or ``include_aht``).

    Returns
    -------
    pandas.DataFrame
        Columns ``arrival_time`` (datetime64, sorted), ``handle_seconds``
        (float, NaN for abandoned calls) and ``outcome`` (``"answered"`` or
        ``"abandoned"``).
    """
    if not 0 <= abandon_rate < 1:
        raise ValidationError("abandon_rate", abandon_rate, "a probability in [0, 1)")
    for name in ("interval_minutes", "include_aht"):
        if name in history_params:
            raise ValidationError(name, history_params[name], "not set for call records")
    counts = synthetic_history(
        start=start,
        weeks=weeks,
        interval_minutes=5,
        seed=seed,
        include_aht=False,
        **history_params,  # type: ignore[arg-type]
    )
    rng = np.random.default_rng([seed, 1])
    n = counts["calls"].to_numpy()
    starts = np.repeat(counts["interval_start"].to_numpy(), n)
    offsets = rng.integers(0, 300, size=starts.size)
    arrival = starts + offsets.astype("timedelta64[s]")
    aht_mean = float(history_params.get("aht_mean_seconds", 310.0))  # type: ignore[arg-type]
    amplitude = float(history_params.get("aht_hourly_amplitude_seconds", 25.0))  # type: ignore[arg-type]
    cv = float(history_params.get("aht_cv", 0.8))  # type: ignore[arg-type]
    arrival_index = pd.DatetimeIndex(arrival)
    hours = arrival_index.hour.to_numpy() + arrival_index.minute.to_numpy() / 60.0
    mean = _hourly_aht(hours, aht_mean, amplitude)
    shape = 1.0 / cv**2
    handle = np.maximum(np.round(rng.gamma(shape, mean / shape), 1), 1.0)
    abandoned = rng.random(starts.size) < abandon_rate
    handle[abandoned] = np.nan
    out = pd.DataFrame(
        {
            "arrival_time": arrival_index,
            "handle_seconds": handle,
            "outcome": np.where(abandoned, "abandoned", "answered"),
        }
    )
    return out.sort_values("arrival_time", kind="stable").reset_index(drop=True)
