"""Interval forecasts of call volume and AHT, and rolling-origin backtests.

Forecasters follow the scikit-learn convention: the constructor only stores
its parameters, :meth:`Forecaster.fit` learns from a history and returns the
forecaster, learned state ends in ``_``, and :meth:`Forecaster.predict`
returns a DataFrame in the forecast layout below.

Methods
-------
:class:`SeasonalNaive` (``"seasonal_naive"``)
    Same weekday and interval of the last week; the baseline.
:class:`WeekdayProfile` (``"profile"``)
    Mean, median or recency-weighted mean of the same weekday-interval over
    the last ``weeks`` observed days of that weekday.
:class:`SmoothedDailyProfile` (``"smoothing"``)
    Daily totals by Holt-Winters exponential smoothing (additive trend,
    additive or multiplicative weekly seasonality, parameters chosen by a
    small grid search on one-step errors), split over the day by a
    weekday-specific intraday profile.
:class:`SmoothedProfile` (``"smoothed_profile"``)
    Recency-weighted weekday day totals (optionally moved toward the recent
    level) split by an intraday shape smoothed across neighbouring intervals
    and pooled over weekdays with the same open hours; intraday outliers
    (spikes) are excluded from fitting and listed in ``outliers_``.
:class:`AutoForecaster` (``"auto"``, the default)
    Chooses among candidate forecasters by a rolling-origin backtest on the
    history (lowest pooled interval-level WAPE) and refits the winner; its
    80 % band is calibrated on the winner's out-of-sample errors.

Missing days, special days and open hours
-----------------------------------------
Days absent from the history (holidays, outages) and ``special_days`` are
never read as zero-call days: they are left out of fitting, and every method
falls back to the most recent earlier occurrence of the same weekday.

Open hours are learned from the history: an interval of the week (weekday,
time of day) is *open* if it has a row in at least one of the last
``open_weeks`` (default 4) calendar weeks of the history, on a day not listed
in ``special_days``. Closed intervals are forecast with ``is_open`` False and
``calls`` 0. ``multipliers`` scale the forecast calls of given future dates;
a multiplier of 0 closes the whole day.

Calendar effects and public holidays
------------------------------------
:class:`SmoothedProfile` with ``calendar_effects`` learns how the day
totals of the first three open days after a closure (of one opening weekday,
or of several), the last open day before one, the first and the last open
day of the month and the first open day from the 15th differ from the same
weekday one and two weeks either side; an effect is kept (``day_effects_``,
log ratios) only when it is more than two standard errors from zero, so it
vanishes where the history shows none. Kept effects are divided out of the
history's day totals before fitting and applied to the forecast days in the
same position; closures in the forecast come from multipliers of 0 and
closed public holidays.

``holidays`` names a country (``"US"``) or a country and region
(``"DE-BY"``) of the optional ``holidays`` package. Its holidays in the
history are left out of fitting like special days; in the forecast a
holiday takes the share of a usual day it took in the history under the same
name (``holiday_factors_``), else ``holiday_factor_``: 0 (closed) when at
least half of the history's holidays were closed or it has none, else the
median share of the open ones. A user's multiplier of the date wins.

AHT
---
Per weekday-interval, the call-weighted mean AHT of the last ``aht_weeks``
weeks; where fewer than ``min_aht_calls`` calls with a known AHT support it,
fall back to the same weekday and clock hour, then the clock hour over all
weekdays, then the overall mean of those weeks, then of the whole history.
A history without any AHT (``aht_seconds`` all NaN) forecasts volume
alone: without ``default_aht_seconds`` the forecast has no ``aht_seconds``
column, and :func:`wfm.staffing.requirements` then asks for one;
``df.attrs["aht_source"]`` says which was used.

Forecast layout (output of :meth:`Forecaster.predict`)
------------------------------------------------------
``interval_start``
    datetime64[ns], every interval of the requested days, closed ones too.
    From a tz-aware history (:func:`wfm.history.read_interval_counts` with
    a ``time_zone``), tz-aware in that zone: the days are local days (92 or
    100 intervals of 15 minutes on a clock change) and every interval takes
    the forecast of its weekday and *local clock* slot, so both runs of a
    repeated autumn hour get that clock hour's forecast. In fitting, the
    repeated hour keeps its first (summer-time) run.
``calls``
    float >= 0; 0 where closed.
``aht_seconds``
    float > 0 everywhere (closed intervals get the fallback value); absent
    when the history has no AHT and no ``default_aht_seconds`` is given.
``is_open``
    bool.
``calls_lower``, ``calls_upper``
    float >= 0, a central band of ``interval_coverage`` (default 80 %)
    around ``calls``; absent when ``interval_coverage`` is None.

``df.attrs`` holds ``interval_minutes``, ``method``, ``aht_source`` and
``interval_coverage``.
"""

from __future__ import annotations

import datetime as dt
import inspect
import itertools
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd

from wfm.errors import ValidationError
from wfm.history import History, read_interval_counts
from wfm.timegrid import IntervalGrid

__all__ = [
    "METHODS",
    "AutoForecaster",
    "Forecaster",
    "SeasonalNaive",
    "SmoothedDailyProfile",
    "SmoothedProfile",
    "WeekdayProfile",
    "backtest",
    "make_forecaster",
    "summarize_backtest",
]

DateLike = str | dt.date | pd.Timestamp

#: Method names accepted by :func:`make_forecaster` and the CLI.
METHODS: tuple[str, ...] = ("auto", "seasonal_naive", "profile", "smoothing", "smoothed_profile")


# ----------------------------------------------------------------------------- panel


@dataclass(frozen=True)
class _Panel:
    """History as a day x interval-of-day matrix (NaN where absent)."""

    first_day: np.datetime64  # datetime64[D]
    interval_minutes: int
    calls: np.ndarray  # (n_days, n_slots) float, NaN where no row
    aht: np.ndarray  # (n_days, n_slots) float, NaN where unknown
    time_zone: str | None = None  # of a tz-aware history; slots are local clock times

    @property
    def n_days(self) -> int:
        return int(self.calls.shape[0])

    @property
    def n_slots(self) -> int:
        return int(self.calls.shape[1])

    @property
    def weekday(self) -> np.ndarray:
        days = self.first_day + np.arange(self.n_days)
        # 1970-01-01 was a Thursday (weekday 3).
        return ((days.astype(np.int64) + 3) % 7).astype(np.int64)

    @property
    def end_day(self) -> np.datetime64:
        """First day after the panel."""
        return self.first_day + np.timedelta64(self.n_days, "D")

    def head(self, n_days: int) -> _Panel:
        """The first ``n_days`` days (strictly before day ``n_days``)."""
        return _Panel(
            self.first_day,
            self.interval_minutes,
            self.calls[:n_days],
            self.aht[:n_days],
            self.time_zone,
        )

    def without(self, days: Iterable[np.datetime64]) -> _Panel:
        """Mask the given days as absent."""
        index = [
            int((d - self.first_day) // np.timedelta64(1, "D"))
            for d in days
            if self.first_day <= d < self.end_day
        ]
        if not index:
            return self
        calls = self.calls.copy()
        aht = self.aht.copy()
        calls[index] = np.nan
        aht[index] = np.nan
        return _Panel(self.first_day, self.interval_minutes, calls, aht, self.time_zone)


def _panel(history: History) -> _Panel:
    data = history.data
    minutes = history.interval_minutes
    n_slots = 1440 // minutes
    starts = data["interval_start"]
    tz = getattr(starts.dt, "tz", None)
    time_zone = None if tz is None else str(tz)
    if tz is not None:
        # seasonality by local clock time: the repeated autumn hour keeps its
        # first (summer-time) occurrence; the skipped spring hour stays absent
        wall = starts.dt.tz_localize(None)
        first_seen = ~wall.duplicated(keep="first").to_numpy()
        data = data.loc[first_seen]
        starts = wall.loc[first_seen]
    stamps = starts.to_numpy(dtype="datetime64[ns]")
    if stamps.size == 0:
        raise ValidationError("history", "0 intervals", "at least one interval")
    days = stamps.astype("datetime64[D]")
    first = days.min()
    day_idx = ((days - first) // np.timedelta64(1, "D")).astype(np.int64)
    slot = (((stamps - days) // np.timedelta64(1, "m")) // minutes).astype(np.int64)
    n_days = int(day_idx.max()) + 1
    calls = np.full((n_days, n_slots), np.nan)
    aht = np.full((n_days, n_slots), np.nan)
    calls[day_idx, slot] = data["calls"].to_numpy(dtype=float)
    aht[day_idx, slot] = data["aht_seconds"].to_numpy(dtype=float)
    return _Panel(first, minutes, calls, aht, time_zone)


def _as_history(history: History | pd.DataFrame) -> History:
    if isinstance(history, History):
        return history
    if isinstance(history, pd.DataFrame):
        tz = getattr(history["interval_start"].dt, "tz", None) if len(history) else None
        return read_interval_counts(history, time_zone=None if tz is None else str(tz))
    raise ValidationError("history", type(history).__name__, "a wfm.history.History or DataFrame")


def _as_day(value: object, name: str, *, normalize: bool = False) -> np.datetime64:
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise ValidationError(name, value, "a date such as '2027-01-04'") from None
    if stamp is pd.NaT or stamp.tzinfo is not None:
        raise ValidationError(name, value, "a date (no time zone)")
    if normalize:
        stamp = stamp.normalize()
    if stamp != stamp.normalize():
        raise ValidationError(name, value, "a date (midnight, no time zone)")
    return np.datetime64(stamp.date(), "D")


def _check_positive_int(value: object, name: str, minimum: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValidationError(name, value, f"an integer >= {minimum}")
    return int(value)


# ----------------------------------------------------------------------------- base


class Forecaster:
    """Base class of the forecasters (not used directly).

    Parameters
    ----------
    special_days
        Dates excluded from fitting (holidays, outages, campaign days): read
        as absent, never as zero. Also excluded from backtest scoring.
    multipliers
        ``{date: factor}`` applied to the forecast calls of future dates
        (factor >= 0; 0 closes the day).
    default_aht_seconds
        AHT used when the history has no AHT at all.
    open_weeks
        Recent calendar weeks from which open hours are learned.
    aht_weeks
        Recent calendar weeks from which AHT is learned.
    min_aht_calls
        Calls (with known AHT) needed before a weekday-interval AHT is
        trusted; below it the fallback chain is used.
    holidays
        Public holidays of a country or a country and region (``"US"``,
        ``"DE-BY"``) from the optional ``holidays`` package; see the module
        docstring. ``None``: none.
    interval_coverage
        Central coverage of the ``calls_lower`` / ``calls_upper`` columns
        (0.8: the 10 % and 90 % quantiles); ``None`` leaves them out. The
        band is ``calls +/- z * sqrt(dispersion * calls)``, floored at 0,
        with ``dispersion`` (>= 1, Poisson = 1) the pooled ratio of the
        week-to-week variance of each weekday-interval to its mean over the
        last ``aht_weeks`` weeks (``dispersion_``), ``z`` the normal quantile.
    """

    #: Short method name used in ``df.attrs["method"]`` and backtests.
    method: str = "base"

    def __init__(
        self,
        *,
        special_days: Iterable[DateLike] = (),
        multipliers: Mapping[DateLike, float] | None = None,
        default_aht_seconds: float | None = None,
        open_weeks: int = 4,
        aht_weeks: int = 8,
        min_aht_calls: float = 100.0,
        interval_coverage: float | None = 0.8,
        holidays: str | None = None,
    ) -> None:
        self.special_days = tuple(special_days)
        self.multipliers = dict(multipliers) if multipliers is not None else None
        self.default_aht_seconds = default_aht_seconds
        self.open_weeks = open_weeks
        self.aht_weeks = aht_weeks
        self.min_aht_calls = min_aht_calls
        self.interval_coverage = interval_coverage
        self.holidays = holidays
        self._validate_base()

    # -- parameters ------------------------------------------------------------

    def _validate_base(self) -> None:
        self._special()
        for day, factor in (self.multipliers or {}).items():
            _as_day(day, "multipliers")
            if (
                not isinstance(factor, (int, float, np.number))
                or isinstance(factor, bool)
                or not math.isfinite(float(factor))
                or factor < 0
            ):
                raise ValidationError(f"multipliers[{day}]", factor, "a finite factor >= 0")
        if self.default_aht_seconds is not None and not (
            isinstance(self.default_aht_seconds, (int, float, np.number))
            and math.isfinite(float(self.default_aht_seconds))
            and self.default_aht_seconds > 0
        ):
            raise ValidationError("default_aht_seconds", self.default_aht_seconds, "seconds > 0")
        _check_positive_int(self.open_weeks, "open_weeks")
        _check_positive_int(self.aht_weeks, "aht_weeks")
        if not self.min_aht_calls >= 0:
            raise ValidationError("min_aht_calls", self.min_aht_calls, "a number >= 0")
        if self.interval_coverage is not None and not 0 < self.interval_coverage < 1:
            raise ValidationError(
                "interval_coverage", self.interval_coverage, "a probability in (0, 1) or None"
            )
        if self.holidays is not None:
            _holiday_calendar(self.holidays)

    def get_params(self) -> dict[str, Any]:
        """Constructor parameters, as given."""
        names = [
            p.name
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
        ]
        return {name: getattr(self, name) for name in names}

    def clone(self, **overrides: Any) -> Forecaster:
        """A new unfitted forecaster with the same (or overridden) parameters."""
        params = self.get_params()
        params.update(overrides)
        return type(self)(**params)

    @property
    def name(self) -> str:
        """Readable method name including its main parameters."""
        return self.method

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    # -- fitting ---------------------------------------------------------------

    def fit(self, history: History | pd.DataFrame) -> Forecaster:
        """Learn from a history.

        Parameters
        ----------
        history
            A :class:`wfm.history.History`, or a DataFrame in the history
            layout (validated with :func:`wfm.history.read_interval_counts`).

        Returns
        -------
        Forecaster
            ``self``.
        """
        self._fit_panel(_panel(_as_history(history)))
        return self

    def _special(self) -> list[np.datetime64]:
        return [_as_day(d, "special_days", normalize=True) for d in self.special_days]

    def _holiday_days(self, first: np.datetime64, end: np.datetime64) -> list[np.datetime64]:
        """Public holidays of ``holidays`` from ``first`` to before ``end``."""
        if self.holidays is None:
            return []
        return list(_holidays_between(self.holidays, first, end))

    def _holiday_factor(self, day: np.datetime64) -> float:
        """Share of a usual day's calls forecast for a public holiday (0: closed)."""
        names = _holidays_between(self.holidays or "", day, day + np.timedelta64(1, "D"))
        own = [self.holiday_factors_[n] for n in names.values() if n in self.holiday_factors_]
        return own[0] if own else self.holiday_factor_

    def _timeline(
        self, until: np.datetime64, *, known_ahead: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Days and statuses from the history's first month to the month of ``until``.

        Days after the history are open on opening weekdays (closed where a
        multiplier of 0 or a closed public holiday says so) when
        ``known_ahead``, else unknown; opening weekdays before the history are
        unknown.
        """
        first = self.history_start_.astype("datetime64[M]").astype("datetime64[D]")
        last = (until.astype("datetime64[M]") + 1).astype("datetime64[D]")
        days = np.arange(first, last, dtype="datetime64[D]")
        weekday = ((days.astype(np.int64) + 3) % 7).astype(np.int64)
        normal = np.asarray(self.open_.any(axis=1))[weekday]
        status = np.where(normal, _UNKNOWN, _NOT_OPEN).astype(np.int8)
        lead = int((self.history_start_ - first) // np.timedelta64(1, "D"))
        status[lead : lead + self.day_status_.size] = self.day_status_
        if known_ahead:
            ahead = days >= self.history_end_
            status[ahead & normal] = _OPEN
            closed = [
                _as_day(d, "multipliers") for d, f in (self.multipliers or {}).items() if f == 0
            ]
            given = {_as_day(d, "multipliers") for d in self.multipliers or {}}
            closed += [
                d
                for d in self._holiday_days(self.history_end_, last)
                if d not in given and self._holiday_factor(d) == 0
            ]
            for day in closed:
                index = int((day - first) // np.timedelta64(1, "D"))
                if 0 <= index < days.size and day >= self.history_end_ and normal[index]:
                    status[index] = _CLOSED
        return days, status

    def _fit_panel(self, panel: _Panel) -> None:
        holidays = self._holiday_days(panel.first_day, panel.end_day)
        masked = panel.without(self._special() + holidays)
        self.interval_minutes_ = panel.interval_minutes
        self.time_zone_ = panel.time_zone
        self.history_end_ = panel.end_day
        self.history_start_ = panel.first_day
        self.open_ = _learn_open(masked, self.open_weeks)
        self.day_status_ = _day_status(panel, np.asarray(self.open_.any(axis=1)))
        self.holiday_factor_, self.holiday_factors_ = _learn_holiday_factors(
            panel,
            masked,
            _holidays_between(self.holidays, panel.first_day, panel.end_day)
            if self.holidays is not None
            else {},
            self.day_status_,
        )
        self.dispersion_ = _learn_dispersion(masked, self.aht_weeks)
        self._fit_calls(masked)
        self._fit_aht(masked)

    def _fit_calls(self, panel: _Panel) -> None:
        raise NotImplementedError

    def _predict_calls(self, days: np.ndarray) -> np.ndarray:
        """Raw calls (n_days x n_slots) for the given datetime64[D] days."""
        raise NotImplementedError

    def _fit_aht(self, panel: _Panel) -> None:
        self.aht_, self.aht_source_ = _learn_aht(
            panel,
            aht_weeks=self.aht_weeks,
            min_calls=self.min_aht_calls,
            default=self.default_aht_seconds,
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "open_"):
            raise ValidationError(type(self).__name__, "unfitted", "fit(history) before predict")

    def _forecast_matrix(self, start: np.datetime64, days: int) -> tuple[np.ndarray, np.ndarray]:
        """(calls, is_open) matrices for ``days`` days from ``start``, multipliers applied."""
        self._check_fitted()
        dates = start + np.arange(days)
        weekday = ((dates.astype(np.int64) + 3) % 7).astype(np.int64)
        is_open = self.open_[weekday].copy()
        calls = np.nan_to_num(self._predict_calls(dates), nan=0.0)
        calls = np.clip(calls, 0.0, None)
        given = {_as_day(day, "multipliers") for day in self.multipliers or {}}
        for holiday in self._holiday_days(start, start + np.timedelta64(days, "D")):
            if holiday in given:  # the user's multiplier of that date wins
                continue
            index = int((holiday - start) // np.timedelta64(1, "D"))
            share = self._holiday_factor(holiday)
            calls[index] *= share
            if share == 0:
                is_open[index] = False
        if self.multipliers:
            for day, factor in self.multipliers.items():
                index = int((_as_day(day, "multipliers") - start) // np.timedelta64(1, "D"))
                if 0 <= index < days:
                    calls[index] *= float(factor)
                    if factor == 0:
                        is_open[index] = False
        calls = np.where(is_open, calls, 0.0)
        return calls, is_open

    def predict(self, start: DateLike, days: int = 7) -> pd.DataFrame:
        """Forecast whole days from ``start``.

        Parameters
        ----------
        start
            First day to forecast (a date); after the last day of the
            fitted history.
        days
            Number of days.

        Returns
        -------
        pandas.DataFrame
            Forecast layout (see the module docstring): ``interval_start``,
            ``calls``, ``aht_seconds``, ``is_open``; ``attrs`` carry
            ``interval_minutes``, ``method`` and ``aht_source``.
        """
        self._check_fitted()
        first = _as_day(start, "start")
        n_days = _check_positive_int(days, "days")
        if first < self.history_end_:
            last = pd.Timestamp(self.history_end_ - np.timedelta64(1, "D")).date()
            raise ValidationError("start", str(start), f"a date after the history's end ({last})")
        calls, is_open = self._forecast_matrix(first, n_days)
        dates = first + np.arange(n_days)
        weekday = ((dates.astype(np.int64) + 3) % 7).astype(np.int64)
        minutes = self.interval_minutes_
        grid = IntervalGrid(
            start_date=pd.Timestamp(first).date(),
            days=n_days,
            interval_minutes=minutes,
            time_zone=self.time_zone_,
        )
        stamps = pd.Series(grid.interval_starts)
        # each interval takes the forecast of its day and local clock slot: a
        # skipped spring hour has no interval, a repeated autumn hour two
        wall = stamps.dt.tz_localize(None) if self.time_zone_ is not None else stamps
        day = ((wall.dt.normalize() - pd.Timestamp(first)) // pd.Timedelta(days=1)).to_numpy()
        slot = ((wall.dt.hour * 60 + wall.dt.minute) // minutes).to_numpy()
        flat = calls[day, slot]
        columns: dict[str, Any] = {"interval_start": stamps, "calls": flat}
        if self.aht_ is not None:
            # without it the forecast is volume only; staffing asks for an AHT
            columns["aht_seconds"] = self.aht_[weekday[day], slot]
        columns["is_open"] = is_open[day, slot]
        out = pd.DataFrame(columns)
        if self.interval_coverage is not None:
            band: _Band | None = getattr(self, "band_", None)
            if band is not None:
                # calibrated on out-of-sample errors scaled by sqrt(forecast),
                # by day of the horizon and time of day
                ahead = ((dates - self.history_end_) // np.timedelta64(1, "D")).astype(np.int64)
                scale = np.where(flat > 0, band.scale(flat, ahead[day], slot), 0.0)
                lower = flat + band.quantiles[0] * scale
                upper = flat + band.quantiles[1] * scale
                out.attrs["band_source"] = "backtest errors"
            else:
                z = NormalDist().inv_cdf(0.5 + self.interval_coverage / 2)
                half = z * np.sqrt(self.dispersion_ * flat)
                lower, upper = flat - half, flat + half
                out.attrs["band_source"] = "dispersion"
            out["calls_lower"] = np.clip(lower, 0.0, None)
            out["calls_upper"] = upper
            out.attrs["interval_coverage"] = self.interval_coverage
        out.attrs["interval_minutes"] = minutes
        out.attrs["method"] = self.name
        out.attrs["aht_source"] = self.aht_source_
        return out


def _recent_days(panel: _Panel, weeks: int) -> slice:
    return slice(max(0, panel.n_days - 7 * weeks), panel.n_days)


def _learn_open(panel: _Panel, open_weeks: int) -> np.ndarray:
    """(7, n_slots) bool: interval of the week seen in the last ``open_weeks`` weeks."""
    window = _recent_days(panel, open_weeks)
    seen = ~np.isnan(panel.calls[window])
    weekday = panel.weekday[window]
    open_ = np.zeros((7, panel.n_slots), dtype=bool)
    for w in range(7):
        rows = seen[weekday == w]
        if rows.size:
            open_[w] = rows.any(axis=0)
    return open_


def _learn_dispersion(panel: _Panel, weeks: int) -> float:
    """Pooled variance-to-mean ratio of weekday-intervals over recent weeks (>= 1)."""
    window = _recent_days(panel, weeks)
    calls = panel.calls[window]
    weekday = panel.weekday[window]
    variance = 0.0
    mean = 0.0
    for w in range(7):
        rows = calls[weekday == w]
        seen = ~np.isnan(rows)
        ok = seen.sum(axis=0) >= 2
        if not ok.any():
            continue
        block = rows[:, ok]
        with np.errstate(invalid="ignore"):
            variance += float(np.nansum(np.nanvar(block, axis=0, ddof=1)))
            mean += float(np.nansum(np.nanmean(block, axis=0)))
    return max(1.0, variance / mean) if mean > 0 else 1.0


def _learn_aht(
    panel: _Panel, *, aht_weeks: int, min_calls: float, default: float | None
) -> tuple[np.ndarray | None, str]:
    """(7, n_slots) AHT with the documented fallback chain, and its source."""
    known = ~np.isnan(panel.aht) & (np.nan_to_num(panel.calls) > 0)
    if not known.any():
        if default is None:
            return None, "none: history has no AHT and no default_aht_seconds"
        return (
            np.full((7, panel.n_slots), float(default)),
            f"default_aht_seconds={float(default):g} (history has no AHT)",
        )
    weights = np.where(known, panel.calls, 0.0)
    seconds = np.where(known, panel.calls * np.nan_to_num(panel.aht), 0.0)
    overall_all = seconds.sum() / weights.sum()
    window = _recent_days(panel, aht_weeks)
    w = weights[window]
    s = seconds[window]
    weekday = panel.weekday[window]
    n_slots = panel.n_slots
    slots_per_hour = max(1, 60 // panel.interval_minutes)
    hour_of_slot = np.arange(n_slots) // slots_per_hour
    cw = np.zeros((7, n_slots))
    cs = np.zeros((7, n_slots))
    for d in range(7):
        sel = weekday == d
        cw[d] = w[sel].sum(axis=0)
        cs[d] = s[sel].sum(axis=0)
    # weekday x hour
    to_hour = np.zeros((n_slots, 24))
    to_hour[np.arange(n_slots), hour_of_slot] = 1.0
    hw = cw @ to_hour
    hs = cs @ to_hour
    # hour over all weekdays
    aw = hw.sum(axis=0)
    as_ = hs.sum(axis=0)
    overall = cs.sum() / cw.sum() if cw.sum() > 0 else overall_all
    with np.errstate(invalid="ignore", divide="ignore"):
        level_slot = cs / cw
        level_wh = (hs / hw)[:, hour_of_slot]
        level_h = np.broadcast_to((as_ / aw)[hour_of_slot], (7, n_slots))
    out = np.full((7, n_slots), overall)
    out = np.where(np.broadcast_to(aw[hour_of_slot] >= min_calls, (7, n_slots)), level_h, out)
    out = np.where(hw[:, hour_of_slot] >= min_calls, level_wh, out)
    out = np.where(cw >= min_calls, level_slot, out)
    out = np.where(np.isfinite(out) & (out > 0), out, overall)
    return out, "history"


# ----------------------------------------------------------------------------- calendar

#: Day statuses of the calendar timeline.
_UNKNOWN, _NOT_OPEN, _CLOSED, _OPEN = -1, 0, 1, 2


def _holiday_calendar(spec: str, years: Sequence[int] = ()) -> Any:
    """The ``holidays`` library calendar of ``"CC"`` or ``"CC-SUBDIVISION"``."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValidationError("holidays", spec, "a country code such as 'US' or 'DE-BY'")
    try:
        import holidays as holidays_lib
    except ImportError:
        raise ValidationError(
            "holidays",
            spec,
            "the optional 'holidays' package installed (pip install 'wfm[holidays]')",
        ) from None
    country, _, subdiv = spec.strip().partition("-")
    try:
        return holidays_lib.country_holidays(
            country.upper(), subdiv=subdiv.upper() or None, years=list(years)
        )
    except NotImplementedError:
        raise ValidationError(
            "holidays", spec, "a country code the holidays library knows, e.g. 'US' or 'DE-BY'"
        ) from None


def _holidays_between(
    spec: str, first: np.datetime64, end: np.datetime64
) -> dict[np.datetime64, str]:
    """Holiday dates of ``spec`` from ``first`` to before ``end``, with their names
    (an observed day carries the holiday's own name)."""
    start = pd.Timestamp(first).date()
    stop = pd.Timestamp(end).date()
    if not spec or stop <= start:
        return {}
    calendar = _holiday_calendar(spec, range(start.year, stop.year + 1))
    return {
        np.datetime64(d, "D"): str(name).replace(" (observed)", "")
        for d, name in sorted(calendar.items())
        if start <= d < stop
    }


def _day_status(panel: _Panel, weekday_open: np.ndarray) -> np.ndarray:
    """Per day of ``panel``: not an opening weekday, closed (absent) or open."""
    present = ~np.all(np.isnan(panel.calls), axis=1)
    normal = weekday_open[panel.weekday]
    return np.where(~normal, _NOT_OPEN, np.where(present, _OPEN, _CLOSED)).astype(np.int8)


def _neighbour_baseline(totals: np.ndarray, plain: np.ndarray) -> np.ndarray:
    """Median of the same weekday's totals one and two weeks either side (NaN if none).

    Only days in ``plain`` (complete days without a calendar context) count.
    """
    n = totals.size
    usable = np.where(plain, totals, np.nan)
    stack = np.full((4, n), np.nan)
    for row, lag in enumerate((-14, -7, 7, 14)):
        src = np.arange(n) + lag
        ok = (src >= 0) & (src < n)
        stack[row, ok] = usable[src[ok]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN
        return np.asarray(np.nanmedian(stack, axis=0))


def _learn_holiday_factors(
    panel: _Panel, masked: _Panel, holidays: Mapping[np.datetime64, str], status: np.ndarray
) -> tuple[float, dict[str, float]]:
    """Share of a usual day's calls on public holidays, overall and per holiday name.

    A holiday absent from the history (on an opening weekday) counts 0, one
    present its calls over the median of its weekday one and two weeks
    either side. Per name: the mean over that holiday's occurrences. Overall
    (holidays the history has not seen): 0 (closed) when at least half of
    the history's holidays were closed or the history has none, else the
    median share of the open ones.
    """
    totals = np.where(np.isnan(masked.calls).all(axis=1), np.nan, np.nansum(masked.calls, axis=1))
    baseline = _neighbour_baseline(totals, ~np.isnan(totals))
    by_name: dict[str, list[float]] = {}
    for day, name in holidays.items():
        index = int((day - panel.first_day) // np.timedelta64(1, "D"))
        if status[index] == _CLOSED:
            by_name.setdefault(name, []).append(0.0)
        elif status[index] == _OPEN and np.isfinite(baseline[index]) and baseline[index] > 0:
            by_name.setdefault(name, []).append(
                float(np.nansum(panel.calls[index]) / baseline[index])
            )
    shares = [v for values in by_name.values() for v in values]
    factors = {name: float(np.mean(values)) for name, values in by_name.items()}
    opened = [v for v in shares if v > 0]
    if not shares or len(opened) <= len(shares) / 2:
        return 0.0, factors
    return float(np.median(opened)), factors


#: Open days after a closure that may carry its after-effect.
_AFTER_DAYS = 3


def _calendar_keys(first_day: np.datetime64, status: np.ndarray) -> list[tuple[str, ...]]:
    """Calendar contexts of every day of a timeline starting at ``first_day``.

    ``status`` holds one of ``_UNKNOWN``, ``_NOT_OPEN`` (a weekday the centre
    does not open), ``_CLOSED`` (an opening weekday it was closed) and
    ``_OPEN`` per day. An open day gets ``after<k>_one`` / ``after<k>_multi``
    when it is the k-th open day (k <= 3) after a closure of one or of several
    opening weekdays, ``before1_one`` / ``before1_multi`` when the next
    opening weekday starts such a closure, and ``month_first``,
    ``month_last`` and ``mid_month`` (the first open day on or after the
    15th) when every opening weekday that decides it is known.
    """
    n = status.size
    keys: list[list[str]] = [[] for _ in range(n)]
    ops = np.flatnonzero(status != _NOT_OPEN)
    # after a closure
    run = 0
    since = -1  # open days since the last closure; -1: none known
    kind = ""
    for i in ops:
        st = status[i]
        if st == _UNKNOWN:
            run, since = 0, -1
        elif st == _CLOSED:
            run += 1
        else:
            if run:
                kind = "one" if run == 1 else "multi"
                since = 0
                run = 0
            if since >= 0:
                since += 1
                if since <= _AFTER_DAYS:
                    keys[i].append(f"after{since}_{kind}")
    # before a closure
    for a, b in itertools.pairwise(ops):
        if status[a] == _OPEN and status[b] == _CLOSED:
            length = 0
            j = int(np.searchsorted(ops, b))
            while j < ops.size and status[ops[j]] == _CLOSED:
                length += 1
                j += 1
            if j < ops.size:  # the closure ends inside the timeline
                keys[a].append("before1_one" if length == 1 else "before1_multi")
    # month
    days = first_day + np.arange(n)
    month = days.astype("datetime64[M]")
    dom = (days - month.astype("datetime64[D]")).astype(np.int64) + 1
    op_month = month[ops]
    for m in np.unique(op_month):
        idx = ops[op_month == m]
        st = status[idx]
        opened = np.flatnonzero(st == _OPEN)
        if not opened.size:
            continue
        if days[0] <= m.astype("datetime64[D]") and np.all(st[: opened[0]] == _CLOSED):
            keys[idx[opened[0]]].append("month_first")
        month_end = (m + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
        if days[-1] >= month_end and np.all(st[opened[-1] + 1 :] == _CLOSED):
            keys[idx[opened[-1]]].append("month_last")
        mid = np.flatnonzero(dom[idx] >= 15)
        later = [k for k in mid if st[k] == _OPEN]
        if later and np.all(st[mid[0] : later[0]] == _CLOSED):
            keys[idx[later[0]]].append("mid_month")
    return [tuple(k) for k in keys]


def _learn_day_effects(
    totals: np.ndarray, keys: Sequence[tuple[str, ...]], *, min_z: float
) -> dict[str, float]:
    """Log day-total effect of each calendar context that the history shows.

    Each complete day's total is compared with the median of its weekday one
    and two weeks either side (days without a context only); a context keeps
    the mean log ratio of its days when that is more than ``min_z`` standard
    errors from 0 (the spread of the days without a context, robustly
    estimated); otherwise it has no effect.
    """
    plain = ~np.isnan(totals) & np.array([not k for k in keys], dtype=bool)
    baseline = _neighbour_baseline(totals, plain)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_ratio = np.log(totals / baseline)
    usable = np.isfinite(log_ratio)
    noise = log_ratio[usable & plain]
    if noise.size < 10:
        return {}
    spread = 1.4826 * float(np.median(np.abs(noise - np.median(noise))))
    if spread <= 0:
        return {}
    values: dict[str, list[float]] = {}
    for i in np.flatnonzero(usable & ~plain).tolist():
        for key in keys[i]:
            values.setdefault(key, []).append(float(log_ratio[i]))
    effects: dict[str, float] = {}
    for key, vals in sorted(values.items()):
        mean = float(np.mean(vals))
        if abs(mean) > min_z * spread / math.sqrt(len(vals)):
            effects[key] = mean
    return effects


def _effect_factor(keys: Sequence[tuple[str, ...]], effects: Mapping[str, float]) -> np.ndarray:
    """Multiplicative day factor of each day's contexts."""
    return np.exp(np.array([sum(effects.get(k, 0.0) for k in ks) for ks in keys], dtype=float))


# ----------------------------------------------------------------------------- methods


def _weekday_rows(panel: _Panel, weekday: int) -> np.ndarray:
    """Rows (days) of ``panel`` of the given weekday with at least one value."""
    sel = (panel.weekday == weekday) & ~np.all(np.isnan(panel.calls), axis=1)
    return panel.calls[sel]


class SeasonalNaive(Forecaster):
    """Same weekday and interval of the most recent observed week.

    For a target day the forecast is the last observed day of the same
    weekday (one week back for a 7-day horizon). Where that day is missing
    (holiday absent from the history, or a special day) or lacks the
    interval, the next older week is used, interval by interval (two weeks
    back, three, ...). Beyond one week the last week is repeated.

    Parameters
    ----------
    **kwargs
        Common parameters of :class:`Forecaster`.
    """

    method = "seasonal_naive"

    def __init__(
        self,
        *,
        special_days: Iterable[DateLike] = (),
        multipliers: Mapping[DateLike, float] | None = None,
        default_aht_seconds: float | None = None,
        open_weeks: int = 4,
        aht_weeks: int = 8,
        min_aht_calls: float = 100.0,
        interval_coverage: float | None = 0.8,
        holidays: str | None = None,
    ) -> None:
        super().__init__(
            special_days=special_days,
            multipliers=multipliers,
            default_aht_seconds=default_aht_seconds,
            open_weeks=open_weeks,
            aht_weeks=aht_weeks,
            min_aht_calls=min_aht_calls,
            interval_coverage=interval_coverage,
            holidays=holidays,
        )

    def _fit_calls(self, panel: _Panel) -> None:
        last = np.full((7, panel.n_slots), np.nan)
        for w in range(7):
            rows = _weekday_rows(panel, w)
            if rows.size:
                filled = pd.DataFrame(rows).ffill().to_numpy()
                last[w] = filled[-1]
        self.last_week_ = last

    def _predict_calls(self, days: np.ndarray) -> np.ndarray:
        weekday = ((days.astype(np.int64) + 3) % 7).astype(np.int64)
        return np.asarray(self.last_week_[weekday])


class WeekdayProfile(Forecaster):
    """Weekday x interval profile over the last ``weeks`` observed weeks.

    For each weekday, the last ``weeks`` days of that weekday present in the
    history (missing and special days skipped) are combined interval by
    interval (NaN-aware).

    Parameters
    ----------
    weeks
        Number of past occurrences of each weekday to use.
    statistic
        ``"mean"``, ``"median"`` or ``"weighted"`` (weights ``decay**age``,
        age 0 = most recent).
    decay
        Recency decay of ``"weighted"``, in (0, 1].
    **kwargs
        Common parameters of :class:`Forecaster`.
    """

    method = "profile"

    def __init__(
        self,
        *,
        weeks: int = 4,
        statistic: Literal["mean", "median", "weighted"] = "mean",
        decay: float = 0.8,
        special_days: Iterable[DateLike] = (),
        multipliers: Mapping[DateLike, float] | None = None,
        default_aht_seconds: float | None = None,
        open_weeks: int = 4,
        aht_weeks: int = 8,
        min_aht_calls: float = 100.0,
        interval_coverage: float | None = 0.8,
        holidays: str | None = None,
    ) -> None:
        self.weeks = weeks
        self.statistic = statistic
        self.decay = decay
        _check_positive_int(weeks, "weeks")
        if statistic not in ("mean", "median", "weighted"):
            raise ValidationError("statistic", statistic, "'mean', 'median' or 'weighted'")
        if not 0 < decay <= 1:
            raise ValidationError("decay", decay, "a number in (0, 1]")
        super().__init__(
            special_days=special_days,
            multipliers=multipliers,
            default_aht_seconds=default_aht_seconds,
            open_weeks=open_weeks,
            aht_weeks=aht_weeks,
            min_aht_calls=min_aht_calls,
            interval_coverage=interval_coverage,
            holidays=holidays,
        )

    @property
    def name(self) -> str:
        """E.g. ``profile_mean_4w``."""
        return f"profile_{self.statistic}_{self.weeks}w"

    def _fit_calls(self, panel: _Panel) -> None:
        profile = np.full((7, panel.n_slots), np.nan)
        for w in range(7):
            rows = _weekday_rows(panel, w)[-self.weeks :]
            if not rows.size:
                continue
            present = ~np.isnan(rows)
            with np.errstate(invalid="ignore", divide="ignore"):
                if self.statistic == "median":
                    ok = present.any(axis=0)
                    profile[w, ok] = np.nanmedian(rows[:, ok], axis=0)
                else:
                    age = np.arange(rows.shape[0])[::-1]
                    weight = (
                        self.decay**age if self.statistic == "weighted" else np.ones(age.size)
                    )[:, None] * present
                    profile[w] = np.nansum(rows * weight, axis=0) / weight.sum(axis=0)
        self.profile_ = profile

    def _predict_calls(self, days: np.ndarray) -> np.ndarray:
        weekday = ((days.astype(np.int64) + 3) % 7).astype(np.int64)
        return np.asarray(self.profile_[weekday])


def _kernel_matrix(n_slots: int, *, bandwidth_slots: float) -> np.ndarray:
    """(n_slots, n_slots) Gaussian weights between intervals of the day."""
    if bandwidth_slots <= 0:
        return np.eye(n_slots)
    offset = np.arange(n_slots)[:, None] - np.arange(n_slots)[None, :]
    return np.exp(-0.5 * (offset / bandwidth_slots) ** 2)


def _smooth_shape(shape: np.ndarray, mask: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Kernel-smoothed proportions over the open intervals ``mask``, summing to 1.

    Nadaraya-Watson smoothing: closed intervals carry no weight, so no volume
    leaks past the opening or closing time.
    """
    weight = mask.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        smoothed = (kernel @ (shape * weight)) / (kernel @ weight)
    smoothed = np.where(mask & np.isfinite(smoothed), smoothed, 0.0)
    total = smoothed.sum()
    return smoothed / total if total > 0 else smoothed


class SmoothedProfile(Forecaster):
    """Day totals by weekday times a smoothed intraday shape.

    For each weekday the forecast day total is the recency-weighted mean
    (weights ``decay**age``) of its last ``weeks`` complete observed days,
    optionally moved toward the recent level; it is split over the day by an
    intraday shape that is smoothed across neighbouring intervals (a Gaussian
    kernel of standard deviation ``bandwidth_minutes``, renormalised inside
    the open hours) and pooled with the other weekdays that share the same
    open hours (weight ``weekday_pooling`` for the pooled shape). Smoothing
    trades a little bias at sharp peaks for much less noise: with ``n``
    days behind a weekday profile, each raw 5-minute proportion carries the
    Poisson noise of about ``n`` intervals' calls, the smoothed one that of
    several times more.

    Recent level
        With ``level_days`` > 0, the day totals are multiplied by
        ``1 + level_weight * (r - 1)``, where ``r`` is the ratio of the last
        ``level_days`` complete days' calls to what the weekday totals of the
        days before them predict for them (a level shift shows up within
        ``level_days`` days). The backtest of :class:`AutoForecaster`
        decides whether this helps: it is one candidate among others.

    Outliers inside a day
        With ``exclude_outliers`` (default), every interval of the history
        more than ``outlier_z`` standard deviations (Poisson, scaled by the
        dispersion) above or below its fitted value, and by more than
        ``outlier_min_calls`` calls, is excluded and the model refitted once
        (spikes from an outage callback, a campaign, a broken feed).
        ``outliers_`` lists them (``interval_start, calls, expected_calls``).

    Parameters
    ----------
    weeks
        Past occurrences of each weekday behind its day total.
    decay
        Recency weight of the day totals, in (0, 1].
    shape_weeks
        Past occurrences of each weekday behind its intraday shape.
    bandwidth_minutes
        Standard deviation of the intraday smoothing kernel (0: none).
    weekday_pooling
        Weight in [0, 1] of the shape of the weekdays with the same open
        hours (0: own weekday only, 1: the pooled shape alone).
    level_days
        Recent complete days for the level adjustment (0: none).
    level_weight
        Share of the measured level change applied, in [0, 1].
    calendar_effects
        Learn and apply the calendar effects of the module docstring.
    exclude_outliers
        Detect and exclude intraday outliers before fitting.
    outlier_z
        Threshold in standard deviations.
    outlier_min_calls
        Smallest absolute deviation (calls) that counts as an outlier.
    **kwargs
        Common parameters of :class:`Forecaster`.
    """

    method = "smoothed_profile"

    def __init__(
        self,
        *,
        weeks: int = 12,
        decay: float = 0.9,
        shape_weeks: int = 12,
        bandwidth_minutes: float = 5.0,
        weekday_pooling: float = 0.5,
        level_days: int = 0,
        level_weight: float = 0.5,
        exclude_outliers: bool = True,
        outlier_z: float = 5.0,
        outlier_min_calls: float = 10.0,
        calendar_effects: bool = False,
        special_days: Iterable[DateLike] = (),
        multipliers: Mapping[DateLike, float] | None = None,
        default_aht_seconds: float | None = None,
        open_weeks: int = 4,
        aht_weeks: int = 8,
        min_aht_calls: float = 100.0,
        interval_coverage: float | None = 0.8,
        holidays: str | None = None,
    ) -> None:
        self.weeks = weeks
        self.decay = decay
        self.shape_weeks = shape_weeks
        self.bandwidth_minutes = bandwidth_minutes
        self.weekday_pooling = weekday_pooling
        self.level_days = level_days
        self.level_weight = level_weight
        self.exclude_outliers = exclude_outliers
        self.outlier_z = outlier_z
        self.outlier_min_calls = outlier_min_calls
        self.calendar_effects = calendar_effects
        if not isinstance(calendar_effects, bool):
            raise ValidationError("calendar_effects", calendar_effects, "True or False")
        _check_positive_int(weeks, "weeks")
        _check_positive_int(shape_weeks, "shape_weeks")
        if not 0 < decay <= 1:
            raise ValidationError("decay", decay, "a number in (0, 1]")
        if not (isinstance(bandwidth_minutes, (int, float)) and bandwidth_minutes >= 0):
            raise ValidationError("bandwidth_minutes", bandwidth_minutes, "minutes >= 0")
        if not 0 <= weekday_pooling <= 1:
            raise ValidationError("weekday_pooling", weekday_pooling, "a number in [0, 1]")
        _check_positive_int(level_days, "level_days", minimum=0)
        if not 0 <= level_weight <= 1:
            raise ValidationError("level_weight", level_weight, "a number in [0, 1]")
        if not isinstance(exclude_outliers, bool):
            raise ValidationError("exclude_outliers", exclude_outliers, "True or False")
        if not outlier_z > 0:
            raise ValidationError("outlier_z", outlier_z, "a number > 0")
        if not outlier_min_calls >= 0:
            raise ValidationError("outlier_min_calls", outlier_min_calls, "calls >= 0")
        super().__init__(
            special_days=special_days,
            multipliers=multipliers,
            default_aht_seconds=default_aht_seconds,
            open_weeks=open_weeks,
            aht_weeks=aht_weeks,
            min_aht_calls=min_aht_calls,
            interval_coverage=interval_coverage,
            holidays=holidays,
        )

    @property
    def name(self) -> str:
        """E.g. ``smoothed_8w_bw15_pool0.5`` (``_level5x0.5`` with a level adjustment)."""
        level = f"_level{self.level_days}x{self.level_weight:g}" if self.level_days else ""
        raw = "" if self.exclude_outliers else "_raw"
        calendar = "_cal" if self.calendar_effects else ""
        return (
            f"smoothed_{self.weeks}w_d{self.decay:g}_s{self.shape_weeks}w_bw{self.bandwidth_minutes:g}"
            f"_pool{self.weekday_pooling:g}{level}{calendar}{raw}"
        )

    def _fit_calls(self, panel: _Panel) -> None:
        level, totals, shape = self._fit_once(panel)
        factor = np.ones(panel.n_days)
        self.day_effects_: dict[str, float] = {}
        if self.calendar_effects:
            days, status = self._timeline(panel.end_day - np.timedelta64(1, "D"), known_ahead=False)
            lead = int((panel.first_day - days[0]) // np.timedelta64(1, "D"))
            keys = _calendar_keys(days[0], status)[lead : lead + panel.n_days]
            self.day_effects_ = _learn_day_effects(totals, keys, min_z=2.0)
            if self.day_effects_:
                factor = _effect_factor(keys, self.day_effects_)
                level, totals, shape = self._fit_once(panel, factor)
        outliers = pd.DataFrame(columns=["interval_start", "calls", "expected_calls"])
        if self.exclude_outliers:
            expected = factor[:, None] * level[panel.weekday][:, None] * shape[panel.weekday]
            spread = np.sqrt(self.dispersion_ * np.maximum(expected, 1.0))
            deviation = np.abs(panel.calls - expected)
            flagged = (
                ~np.isnan(panel.calls)
                & (deviation > self.outlier_z * spread)
                & (deviation > self.outlier_min_calls)
            )
            if flagged.any():
                day, slot = np.nonzero(flagged)
                stamps = (panel.first_day + day).astype("datetime64[ns]") + (
                    slot * panel.interval_minutes
                ).astype("timedelta64[m]")
                outliers = pd.DataFrame(
                    {
                        "interval_start": stamps,
                        "calls": panel.calls[day, slot],
                        "expected_calls": expected[day, slot],
                    }
                )
                calls = panel.calls.copy()
                calls[flagged] = expected[flagged]
                panel = _Panel(panel.first_day, panel.interval_minutes, calls, panel.aht)
                level, totals, shape = self._fit_once(panel, factor)
        self.outliers_ = outliers
        self.shape_ = shape
        self.day_total_ = self._recent_level(panel, level, totals, factor)

    def _fit_once(
        self, panel: _Panel, factor: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Weekday totals (7,), complete-day totals (n_days, NaN if not) and shape (7, n_slots).

        ``factor`` (n_days,) divides the day totals behind the weekday totals
        (calendar effects); the complete-day totals are returned as observed.
        """
        n_slots = panel.n_slots
        weekday = panel.weekday
        seen = ~np.isnan(panel.calls)
        counts = seen.sum(axis=1)
        typical = np.zeros(7)
        for w in range(7):
            rows = counts[(weekday == w) & (counts > 0)]
            typical[w] = float(np.median(rows)) if rows.size else 0.0
        complete = (counts > 0) & (counts >= 0.9 * typical[weekday])
        totals = np.where(complete, np.nansum(panel.calls, axis=1), np.nan)
        kernel = _kernel_matrix(
            n_slots, bandwidth_slots=self.bandwidth_minutes / panel.interval_minutes
        )
        raw = np.zeros((7, n_slots))
        days_used = np.zeros(7)
        level = np.full(7, np.nan)
        for w in range(7):
            every = np.flatnonzero((weekday == w) & complete)
            sel = every[-self.weeks :]
            if not sel.size:
                continue
            block = panel.calls[every[-self.shape_weeks :]]
            raw[w] = np.nansum(block, axis=0) / max(np.nansum(block), 1e-12)
            days_used[w] = min(every.size, self.shape_weeks)
            weight = self.decay ** np.arange(sel.size)[::-1]
            usual = totals[sel] if factor is None else totals[sel] / factor[sel]
            level[w] = float(np.sum(weight * usual) / weight.sum())
        mask = self.open_ if self.open_.shape[1] == n_slots else raw > 0
        shape = np.zeros((7, n_slots))
        for w in range(7):
            if days_used[w] == 0:
                continue
            peers = [
                v
                for v in range(7)
                if v != w and days_used[v] > 0 and np.array_equal(mask[v], mask[w])
            ]
            own = raw[w]
            if peers and self.weekday_pooling > 0:
                pooled = np.average(raw[peers], axis=0, weights=days_used[peers])
                own = (1 - self.weekday_pooling) * own + self.weekday_pooling * pooled
            shape[w] = _smooth_shape(own, mask[w] | (own > 0), kernel)
        return np.nan_to_num(level, nan=0.0), totals, shape

    def _recent_level(
        self, panel: _Panel, level: np.ndarray, totals: np.ndarray, factor: np.ndarray
    ) -> np.ndarray:
        """Weekday totals moved toward the level of the last ``level_days`` days."""
        if self.level_days == 0:
            return level
        recent = np.flatnonzero(~np.isnan(totals))[-self.level_days :]
        if recent.size == 0 or recent[0] < 7:
            return level
        cut = int(recent[0])
        before_level, _, _ = self._fit_once(panel.head(cut), factor[:cut])
        before = before_level[panel.weekday[recent]] * factor[recent]
        if before.sum() <= 0:
            return level
        ratio = float(totals[recent].sum() / before.sum())
        return level * (1 + self.level_weight * (ratio - 1))

    def _predict_calls(self, days: np.ndarray) -> np.ndarray:
        weekday = ((days.astype(np.int64) + 3) % 7).astype(np.int64)
        totals = self.day_total_[weekday]
        if self.day_effects_:
            timeline, status = self._timeline(days.max(), known_ahead=True)
            keys = _calendar_keys(timeline[0], status)
            index = ((days - timeline[0]) // np.timedelta64(1, "D")).astype(np.int64)
            totals = totals * _effect_factor([keys[i] for i in index], self.day_effects_)
        return np.asarray(totals[:, None] * self.shape_[weekday])


_ALPHAS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7)
_BETAS = (0.0, 0.02, 0.1)
_GAMMAS = (0.05, 0.1, 0.2, 0.4)


class SmoothedDailyProfile(Forecaster):
    """Holt-Winters daily totals split by a weekday intraday profile.

    The daily totals of the open weekdays form a series with period ``m`` =
    number of open weekdays (5 for a Monday-Friday centre); a missing day
    keeps its slot in the series and is skipped by the recursion (the state
    is carried with the one-step forecast). Holt-Winters with additive,
    damped trend and additive or multiplicative seasonality (Hyndman &
    Athanasopoulos, *Forecasting: Principles and Practice*, section 8.3) is
    run for every combination of the smoothing grid at once (vectorised), and
    the combination with the lowest mean absolute one-step error after two
    seasons of warm-up wins. Days with fewer than 90 % of the intervals their
    weekday usually has (a history cut mid-day, an outage) count as missing
    days. The forecast day total is split over the day by
    the intraday proportions of that weekday over its last ``profile_weeks``
    observed days. With fewer than three seasons of history the daily total
    is the mean of the last ``profile_weeks`` observed days of the weekday.

    Parameters
    ----------
    seasonal
        ``"auto"`` (both kinds in the grid), ``"additive"`` or
        ``"multiplicative"``.
    profile_weeks
        Past occurrences of each weekday in the intraday profile.
    damping
        Trend damping factor ``phi`` in (0, 1].
    alphas, betas, gammas
        Smoothing grids of level, trend and season.
    **kwargs
        Common parameters of :class:`Forecaster`.
    """

    method = "smoothing"

    def __init__(
        self,
        *,
        seasonal: Literal["auto", "additive", "multiplicative"] = "auto",
        profile_weeks: int = 6,
        damping: float = 0.98,
        alphas: Sequence[float] = _ALPHAS,
        betas: Sequence[float] = _BETAS,
        gammas: Sequence[float] = _GAMMAS,
        special_days: Iterable[DateLike] = (),
        multipliers: Mapping[DateLike, float] | None = None,
        default_aht_seconds: float | None = None,
        open_weeks: int = 4,
        aht_weeks: int = 8,
        min_aht_calls: float = 100.0,
        interval_coverage: float | None = 0.8,
        holidays: str | None = None,
    ) -> None:
        self.seasonal = seasonal
        self.profile_weeks = profile_weeks
        self.damping = damping
        self.alphas = tuple(alphas)
        self.betas = tuple(betas)
        self.gammas = tuple(gammas)
        if seasonal not in ("auto", "additive", "multiplicative"):
            raise ValidationError("seasonal", seasonal, "'auto', 'additive' or 'multiplicative'")
        _check_positive_int(profile_weeks, "profile_weeks")
        if not 0 < damping <= 1:
            raise ValidationError("damping", damping, "a number in (0, 1]")
        for grid_name, grid in (("alphas", self.alphas), ("betas", self.betas)):
            if not grid or any(not 0 <= g <= 1 for g in grid):
                raise ValidationError(grid_name, grid, "a non-empty list of numbers in [0, 1]")
        if not self.gammas or any(not 0 <= g <= 1 for g in self.gammas):
            raise ValidationError("gammas", self.gammas, "a non-empty list of numbers in [0, 1]")
        super().__init__(
            special_days=special_days,
            multipliers=multipliers,
            default_aht_seconds=default_aht_seconds,
            open_weeks=open_weeks,
            aht_weeks=aht_weeks,
            min_aht_calls=min_aht_calls,
            interval_coverage=interval_coverage,
            holidays=holidays,
        )

    def _fit_calls(self, panel: _Panel) -> None:
        n_slots = panel.n_slots
        seen = (~np.isnan(panel.calls)).sum(axis=1)
        weekday = panel.weekday
        open_days = sorted({int(w) for w in weekday[seen > 0]})
        # A day is complete when it has at least 90 % of the intervals its weekday
        # usually has (median over the history); partial days (history cut in the
        # middle of a day, outages) keep their slot in the series but as missing.
        typical = np.zeros(7)
        for w in open_days:
            typical[w] = float(np.median(seen[(weekday == w) & (seen > 0)]))
        present_day = (seen > 0) & (seen >= 0.9 * typical[weekday])
        totals = np.where(present_day, np.nansum(panel.calls, axis=1), np.nan)
        self.open_weekdays_ = tuple(open_days)
        # Intraday proportions and fallback day totals per weekday.
        proportions = np.zeros((7, n_slots))
        mean_total = np.zeros(7)
        for w in open_days:
            sel = np.flatnonzero((weekday == w) & present_day)[-self.profile_weeks :]
            block = panel.calls[sel]
            proportions[w] = np.nansum(block, axis=0) / max(np.nansum(block), 1e-12)
            mean_total[w] = float(np.mean(totals[sel]))
        self.proportions_ = proportions
        self.mean_total_ = mean_total
        m = len(open_days)
        series_idx = np.flatnonzero(np.isin(weekday, open_days))
        if series_idx.size:
            # Drop leading absent days so the series starts with an observation.
            first_obs = int(np.flatnonzero(present_day[series_idx])[0])
            series_idx = series_idx[first_obs:]
        y = totals[series_idx]
        self.series_last_day_ = int(series_idx[-1]) if series_idx.size else -1
        self.series_first_day_ = panel.first_day
        self.params_: dict[str, Any] | None = None
        if m == 0 or np.count_nonzero(~np.isnan(y)) < 3 * m or m < 2:
            self.state_ = None
            return
        kinds = (False, True) if self.seasonal == "auto" else (self.seasonal == "multiplicative",)
        grid = np.array(
            [
                (a, b, g, float(k))
                for a in self.alphas
                for b in self.betas
                for g in self.gammas
                for k in kinds
            ]
        )
        alpha, beta, gamma, mult = (grid[:, i] for i in range(4))
        is_mult = mult > 0.5
        level, trend, season, score = _holt_winters(y, m, alpha, beta, gamma, is_mult, self.damping)
        best = int(np.nanargmin(score)) if np.isfinite(score).any() else 0
        self.params_ = {
            "alpha": float(alpha[best]),
            "beta": float(beta[best]),
            "gamma": float(gamma[best]),
            "seasonal": "multiplicative" if is_mult[best] else "additive",
            "mae": float(score[best]),
        }
        # season position of the next series element
        self.state_ = (
            float(level[best]),
            float(trend[best]),
            season[best].copy(),
            bool(is_mult[best]),
        )
        # season column j holds the weekday of series element j (t % m == j)
        self.day_position_ = {int(weekday[series_idx[j]]): j for j in range(m)}
        self.series_len_ = int(y.size)

    def _predict_calls(self, days: np.ndarray) -> np.ndarray:
        weekday = ((days.astype(np.int64) + 3) % 7).astype(np.int64)
        totals = np.zeros(days.size)
        open_days = self.open_weekdays_
        if self.state_ is None:
            totals = self.mean_total_[weekday]
        else:
            level, trend, season, is_mult = self.state_
            m = len(open_days)
            first_series_day = self.series_first_day_ + np.timedelta64(
                self.series_last_day_ + 1, "D"
            )
            phi = self.damping
            for i, day in enumerate(days):
                w = int(weekday[i])
                if w not in self.day_position_:
                    continue
                # steps ahead in the open-weekday series
                span = int((day - first_series_day) // np.timedelta64(1, "D")) + 1
                whole, rest = divmod(span, 7)
                extra = sum(
                    1
                    for k in range(rest)
                    if int((first_series_day + np.timedelta64(k, "D")).astype(np.int64) + 3) % 7
                    in self.day_position_
                )
                h = whole * m + extra
                damp = phi * (1 - phi**h) / (1 - phi) if phi < 1 else float(h)
                s = season[self.day_position_[w]]
                base = level + damp * trend
                totals[i] = base * s if is_mult else base + s
        totals = np.clip(totals, 0.0, None)
        return totals[:, None] * self.proportions_[weekday]


def _holt_winters(
    y: np.ndarray,
    m: int,
    alpha: np.ndarray,
    beta: np.ndarray,
    gamma: np.ndarray,
    is_mult: np.ndarray,
    phi: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run Holt-Winters for K parameter sets at once.

    Returns final level (K,), trend (K,), seasonal indices ordered by season
    position (K, m) and the mean absolute one-step error after ``2 m`` steps.
    """
    k = alpha.size
    first = y[:m]
    second = y[m : 2 * m]
    l0 = np.nanmean(first)
    l1 = np.nanmean(second) if np.isfinite(second).any() else l0
    b0 = (l1 - l0) / m
    add_season = np.nan_to_num(first - l0, nan=0.0)
    mult_season = np.nan_to_num(first / l0 if l0 > 0 else np.ones(m), nan=1.0)
    season = np.where(is_mult[:, None], mult_season[None, :], add_season[None, :])
    level = np.full(k, l0)
    trend = np.full(k, b0)
    abs_err = np.zeros(k)
    n_err = 0
    for t in range(y.size):
        pos = t % m
        s = season[:, pos]
        base = level + phi * trend
        yhat = np.where(is_mult, base * s, base + s)
        obs = y[t]
        if np.isnan(obs):
            new_level = base
            season_new = s
        else:
            if t >= 2 * m:
                abs_err += np.abs(obs - yhat)
                n_err += 1
            safe_s = np.where(np.abs(s) > 1e-9, s, 1e-9)
            deseason = np.where(is_mult, obs / safe_s, obs - s)
            new_level = alpha * deseason + (1 - alpha) * base
            safe_l = np.where(np.abs(new_level) > 1e-9, new_level, 1e-9)
            season_new = np.where(
                is_mult,
                gamma * (obs / safe_l) + (1 - gamma) * s,
                gamma * (obs - new_level) + (1 - gamma) * s,
            )
            trend = beta * (new_level - level) + (1 - beta) * phi * trend
        if np.isnan(obs):
            trend = phi * trend
        level = new_level
        season[:, pos] = season_new
    score = abs_err / max(n_err, 1)
    return level, trend, season, score


#: Fewest out-of-sample intervals behind a calibrated band.
_MIN_BAND_INTERVALS = 200
#: Hours of the day per time-of-day block of the calibrated band's dispersion.
_BAND_BLOCK_HOURS = 2
#: Weight (in folds) of the pooled day-level error behind each horizon day's.
_BAND_HORIZON_PRIOR_FOLDS = 3.0

#: Out-of-sample errors of one backtest fold: forecast, actual, day of the
#: horizon (0 = first day) and interval of the day, one entry per scored interval.
_FoldErrors = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class _Band:
    """A calibrated band: ``calls + q * sqrt(max(calls, 1) + (day_error * calls) ** 2)``.

    ``quantiles`` are the (lower, upper) quantiles of the standardised errors;
    ``day_error`` (one per day of the horizon) is the relative day-level error
    of the forecast, so the band widens with the forecast where day-level
    error outweighs the counting noise (busy intervals, far horizons).
    """

    quantiles: tuple[float, float]
    day_error: np.ndarray  # (horizon_days,)
    dispersion: np.ndarray  # (n_slots,)

    def scale(self, calls: np.ndarray, horizon_day: np.ndarray, slot: np.ndarray) -> np.ndarray:
        c = self.day_error[np.clip(horizon_day, 0, self.day_error.size - 1)]
        phi = self.dispersion[slot]
        return np.asarray(np.sqrt(phi * np.maximum(calls, 1.0) + (c * calls) ** 2))


def _day_errors(errors: Sequence[_FoldErrors], horizon_days: int) -> np.ndarray:
    """Relative day-level error per day of the horizon, beyond the counting noise.

    For every fold and day, ``r = sum(actual) / sum(forecast) - 1``; the
    excess of ``r**2`` over its Poisson share ``1 / sum(forecast)`` is
    averaged per horizon day, each moved toward the mean over all days with
    the weight of ``_BAND_HORIZON_PRIOR_FOLDS`` folds.
    """
    excess: list[list[float]] = [[] for _ in range(horizon_days)]
    for forecast, actual, day, _ in errors:
        for h in np.unique(day):
            sel = day == h
            f = float(forecast[sel].sum())
            if f <= 0 or h >= horizon_days:
                continue
            r = float(actual[sel].sum()) / f - 1.0
            excess[int(h)].append(r * r - 1.0 / f)
    every = [v for values in excess for v in values]
    if not every:
        return np.zeros(horizon_days)
    pooled = max(0.0, float(np.mean(every)))
    k = _BAND_HORIZON_PRIOR_FOLDS
    out = np.array(
        [max(0.0, (float(np.sum(v)) + k * pooled) / (len(v) + k)) for v in excess], dtype=float
    )
    return np.sqrt(out)


def _calibrated_band(
    errors: Sequence[_FoldErrors], coverage: float | None, *, horizon_days: int, n_slots: int
) -> _Band | None:
    """Band from a backtest's out-of-sample errors (``None`` below ``_MIN_BAND_INTERVALS``).

    The day-level error per day of the horizon (:func:`_day_errors`) sets how
    the band's width grows with the forecast; the quantiles of the errors
    standardised by that width, pooled over every open interval of the
    folds, set its coverage. The lower quantile is at most 0 and the upper at
    least 0, so the band always contains the forecast.
    """
    if coverage is None or not errors:
        return None
    forecast = np.concatenate([e[0] for e in errors])
    if forecast.size < _MIN_BAND_INTERVALS:
        return None
    actual = np.concatenate([e[1] for e in errors])
    horizon = np.concatenate([e[2] for e in errors])
    slot = np.concatenate([e[3] for e in errors])
    day_error = _day_errors(errors, horizon_days)
    # counting noise beyond Poisson per block of the day, after the day-level part
    c = day_error[np.clip(horizon, 0, horizon_days - 1)]
    noise = (actual - forecast) ** 2 - (c * forecast) ** 2
    dispersion = np.ones(n_slots)
    slots_per_block = max(1, (_BAND_BLOCK_HOURS * n_slots) // 24)
    block = slot // slots_per_block
    for b in np.unique(block):
        sel = block == b
        if sel.sum() >= _MIN_BAND_INTERVALS // 4:
            ratio = float(noise[sel].sum() / np.maximum(forecast[sel], 1.0).sum())
            dispersion[b * slots_per_block : (b + 1) * slots_per_block] = max(1.0, ratio)
    band = _Band((0.0, 0.0), day_error, dispersion)
    scaled = (actual - forecast) / band.scale(forecast, horizon, slot)
    low, high = np.quantile(scaled, [0.5 - coverage / 2, 0.5 + coverage / 2])
    return _Band((min(float(low), 0.0), max(float(high), 0.0)), day_error, dispersion)


def _default_candidates() -> list[Forecaster]:
    return [
        SeasonalNaive(),
        WeekdayProfile(weeks=4, statistic="mean"),
        WeekdayProfile(weeks=8, statistic="weighted", decay=0.8),
        WeekdayProfile(weeks=6, statistic="median"),
        SmoothedDailyProfile(),
        SmoothedProfile(),
        SmoothedProfile(weekday_pooling=0.0),
        SmoothedProfile(bandwidth_minutes=15.0),
        SmoothedProfile(level_days=5, calendar_effects=True),
        SmoothedProfile(calendar_effects=True),
        SmoothedProfile(weekday_pooling=0.0, calendar_effects=True),
    ]


class AutoForecaster(Forecaster):
    """Pick the best candidate by a rolling-origin backtest, then refit it.

    Each candidate is backtested on the history with ``folds`` folds of
    ``horizon_days`` days (fit strictly before each cutoff); the candidate
    with the lowest pooled interval-level WAPE (total absolute error over
    total calls, all folds) is refitted on the whole history. Candidates
    receive this forecaster's common parameters (special days, multipliers,
    AHT and open-hours settings). If the history is too short for one fold
    (less than ``horizon_days + 7`` days) the first candidate that is a
    :class:`SmoothedProfile` (else a :class:`WeekdayProfile`, else the first
    candidate) is used unscored.

    The ``calls_lower`` / ``calls_upper`` band is calibrated on the winner's
    own out-of-sample errors in that backtest: the quantiles of
    ``(actual - forecast) / sqrt(forecast)`` over every open interval of the
    folds (``band_quantiles_``), shifted by how those of the same day of the
    horizon and of the same 4-hour block of the day differ from them (where
    each group holds at least 200 intervals; ``band_``), so that the band
    covers ``interval_coverage`` of held-out intervals at every horizon and
    time of day; without a backtest of at least 200 intervals the
    dispersion band of :class:`Forecaster` is used (``attrs["band_source"]``
    says which). ``outliers_`` lists the intervals the winner excluded as
    intraday outliers (empty for methods that detect none).

    Parameters
    ----------
    candidates
        Forecasters to choose from (default: seasonal naive, 4-week mean
        profile, 8-week weighted profile, 6-week median profile, smoothing,
        and six :class:`SmoothedProfile` settings: the default, without
        weekday pooling, a 15-minute bandwidth, and with calendar effects:
        a 5-day recent level, the default, without weekday pooling; where
        the history shows no calendar effect those reduce to the same
        settings without).
    folds
        Backtest folds (reduced when the history is short).
    horizon_days
        Days per fold.
    exclude_outliers
        Switch the intraday outlier exclusion of every candidate that has
        one (:class:`SmoothedProfile`) on or off; ``None`` keeps each
        candidate's own setting (on by default).
    outlier_z
        Outlier threshold (standard deviations) of those candidates;
        ``None`` keeps theirs (5 by default).
    **kwargs
        Common parameters of :class:`Forecaster`.
    """

    method = "auto"

    def __init__(
        self,
        *,
        candidates: Sequence[Forecaster] | None = None,
        folds: int = 3,
        horizon_days: int = 7,
        exclude_outliers: bool | None = None,
        outlier_z: float | None = None,
        special_days: Iterable[DateLike] = (),
        multipliers: Mapping[DateLike, float] | None = None,
        default_aht_seconds: float | None = None,
        open_weeks: int = 4,
        aht_weeks: int = 8,
        min_aht_calls: float = 100.0,
        interval_coverage: float | None = 0.8,
        holidays: str | None = None,
    ) -> None:
        self.candidates = None if candidates is None else list(candidates)
        self.folds = folds
        self.horizon_days = horizon_days
        self.exclude_outliers = exclude_outliers
        self.outlier_z = outlier_z
        if exclude_outliers is not None and not isinstance(exclude_outliers, bool):
            raise ValidationError("exclude_outliers", exclude_outliers, "True, False or None")
        number = isinstance(outlier_z, (int, float)) and not isinstance(outlier_z, bool)
        if outlier_z is not None and not (number and outlier_z > 0):
            raise ValidationError("outlier_z", outlier_z, "a number > 0 or None")
        _check_positive_int(folds, "folds")
        _check_positive_int(horizon_days, "horizon_days")
        for i, c in enumerate(self.candidates or []):
            if not isinstance(c, Forecaster) or isinstance(c, AutoForecaster):
                raise ValidationError(f"candidates[{i}]", c, "a non-auto wfm.forecast.Forecaster")
        if self.candidates is not None and not self.candidates:
            raise ValidationError("candidates", [], "at least one forecaster")
        super().__init__(
            special_days=special_days,
            multipliers=multipliers,
            default_aht_seconds=default_aht_seconds,
            open_weeks=open_weeks,
            aht_weeks=aht_weeks,
            min_aht_calls=min_aht_calls,
            interval_coverage=interval_coverage,
            holidays=holidays,
        )

    @property
    def name(self) -> str:
        """``auto:<winner>`` once fitted, else ``auto``."""
        best = getattr(self, "best_", None)
        return f"auto:{best.name}" if best is not None else "auto"

    def _prepared(self) -> list[Forecaster]:
        common = {
            "special_days": self.special_days,
            "multipliers": self.multipliers,
            "default_aht_seconds": self.default_aht_seconds,
            "open_weeks": self.open_weeks,
            "aht_weeks": self.aht_weeks,
            "min_aht_calls": self.min_aht_calls,
            "interval_coverage": self.interval_coverage,
            "holidays": self.holidays,
        }
        pool = self.candidates if self.candidates is not None else _default_candidates()
        outliers: dict[str, Any] = {}
        if self.exclude_outliers is not None:
            outliers["exclude_outliers"] = self.exclude_outliers
        if self.outlier_z is not None:
            outliers["outlier_z"] = self.outlier_z
        prepared = []
        for c in pool:
            extra = {k: v for k, v in outliers.items() if k in c.get_params()}
            prepared.append(c.clone(**common, **extra))
        return prepared

    def _fit_panel(self, panel: _Panel) -> None:
        candidates = self._prepared()
        folds = min(self.folds, (panel.n_days - 7) // self.horizon_days)
        errors: dict[str, list[_FoldErrors]] = {}
        if folds >= 1:
            scores = _backtest_panel(
                panel, candidates, horizon_days=self.horizon_days, folds=folds, errors=errors
            )
            self.backtest_ = scores
            pooled = summarize_backtest(scores)
            order = {c.name: i for i, c in enumerate(candidates)}
            pooled = pooled.assign(order=pooled["method"].map(order)).sort_values(
                ["wape", "order"], kind="stable"
            )
            winner = candidates[int(pooled["order"].iloc[0])]
        else:
            self.backtest_ = pd.DataFrame()
            smoothed = [c for c in candidates if isinstance(c, SmoothedProfile)]
            profiles = [c for c in candidates if isinstance(c, WeekdayProfile)]
            winner = (smoothed or profiles or candidates)[0]
        winner._fit_panel(panel)
        band = _calibrated_band(
            errors.get(winner.name, []),
            self.interval_coverage,
            horizon_days=self.horizon_days,
            n_slots=panel.n_slots,
        )
        self.band_ = band
        self.band_quantiles_ = None if band is None else band.quantiles
        self.outliers_ = getattr(
            winner,
            "outliers_",
            pd.DataFrame(columns=["interval_start", "calls", "expected_calls"]),
        )
        self.best_ = winner
        self.method_ = winner.name
        self.interval_minutes_ = winner.interval_minutes_
        self.time_zone_ = winner.time_zone_
        self.history_end_ = winner.history_end_
        self.history_start_ = winner.history_start_
        self.day_status_ = winner.day_status_
        self.holiday_factor_ = winner.holiday_factor_
        self.holiday_factors_ = winner.holiday_factors_
        self.open_ = winner.open_
        self.dispersion_ = winner.dispersion_
        self.aht_ = winner.aht_
        self.aht_source_ = winner.aht_source_

    def _predict_calls(self, days: np.ndarray) -> np.ndarray:
        return self.best_._predict_calls(days)


# ----------------------------------------------------------------------------- factory


def make_forecaster(method: str = "auto", **params: Any) -> Forecaster:
    """Build a forecaster by method name.

    Parameters
    ----------
    method
        ``"auto"`` (:class:`AutoForecaster`), ``"seasonal_naive"``
        (:class:`SeasonalNaive`), ``"profile"`` (:class:`WeekdayProfile`),
        ``"smoothing"`` (:class:`SmoothedDailyProfile`) or
        ``"smoothed_profile"`` (:class:`SmoothedProfile`).
    **params
        Constructor parameters of that class.

    Returns
    -------
    Forecaster
        An unfitted forecaster.
    """
    classes: dict[str, type[Forecaster]] = {
        "auto": AutoForecaster,
        "seasonal_naive": SeasonalNaive,
        "profile": WeekdayProfile,
        "smoothing": SmoothedDailyProfile,
        "smoothed_profile": SmoothedProfile,
    }
    if method not in classes:
        raise ValidationError("method", method, f"one of {list(classes)}")
    cls = classes[method]
    accepted = set(inspect.signature(cls.__init__).parameters) - {"self"}
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise ValidationError(f"{method} parameter", unknown[0], f"one of {sorted(accepted)}")
    return cls(**params)


# ----------------------------------------------------------------------------- backtest


def _score(
    forecast: np.ndarray, actual: np.ndarray
) -> tuple[float, float, float, int, float, float]:
    present = ~np.isnan(actual)
    a = np.where(present, actual, 0.0)
    f = np.where(present, forecast, 0.0)
    total = a.sum()
    abs_err = np.abs(f - a).sum()
    day_present = present.any(axis=1)
    day_a = a.sum(axis=1)[day_present]
    day_f = f.sum(axis=1)[day_present]
    ok = day_a > 0
    mape = float(np.mean(np.abs(day_f[ok] - day_a[ok]) / day_a[ok])) if ok.any() else math.nan
    wape = float(abs_err / total) if total > 0 else math.nan
    bias = float((f.sum() - total) / total) if total > 0 else math.nan
    return wape, mape, bias, int(present.sum()), float(total), float(f.sum())


def _backtest_panel(
    panel: _Panel,
    forecasters: Sequence[Forecaster],
    *,
    horizon_days: int,
    folds: int,
    step_days: int | None = None,
    special: Sequence[np.datetime64] = (),
    end_index: int | None = None,
    errors: dict[str, list[_FoldErrors]] | None = None,
) -> pd.DataFrame:
    step = horizon_days if step_days is None else step_days
    n_end = panel.n_days if end_index is None else end_index
    cutoffs = [n_end - horizon_days - step * (folds - 1 - k) for k in range(folds)]
    if cutoffs[0] < 7:
        raise ValidationError(
            "folds",
            folds,
            f"at most {max(0, (n_end - horizon_days - 7) // step + 1)} folds of "
            f"{horizon_days} days for a history of {n_end} days "
            "(each fold needs a week of earlier history)",
        )
    scoring = panel.without(special)
    rows: list[dict[str, Any]] = []
    for fold, cut in enumerate(cutoffs, start=1):
        train = panel.head(cut)
        cutoff_day = panel.first_day + np.timedelta64(cut, "D")
        actual = scoring.calls[cut : cut + horizon_days]
        for forecaster in forecasters:
            model = forecaster.clone()
            model._fit_panel(train)
            calls, _ = model._forecast_matrix(cutoff_day, horizon_days)
            wape, mape, bias, n, total, predicted = _score(calls[: actual.shape[0]], actual)
            if errors is not None:
                scored = ~np.isnan(actual) & (calls[: actual.shape[0]] > 0)
                day, slot = np.nonzero(scored)
                errors.setdefault(model.name, []).append(
                    (calls[: actual.shape[0]][scored], actual[scored], day, slot)
                )
            rows.append(
                {
                    "method": model.method if isinstance(model, AutoForecaster) else model.name,
                    "chosen": model.name,
                    "fold": fold,
                    "cutoff": pd.Timestamp(cutoff_day),
                    "train_days": cut,
                    "wape": wape,
                    "daily_mape": mape,
                    "bias": bias,
                    "intervals": n,
                    "actual_calls": total,
                    "forecast_calls": predicted,
                }
            )
    out = pd.DataFrame(rows)
    out.attrs["interval_minutes"] = panel.interval_minutes
    out.attrs["horizon_days"] = horizon_days
    return out


def backtest(
    history: History | pd.DataFrame,
    forecaster: Forecaster | str | Sequence[Forecaster | str] = "auto",
    *,
    horizon_days: int = 7,
    folds: int = 3,
    step_days: int | None = None,
    end: DateLike | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest: fit before each cutoff, forecast, score.

    The last fold ends with the history; cutoffs are ``step_days`` apart
    (default ``horizon_days``). Each fold fits a fresh clone of every
    forecaster on the history *strictly before* its cutoff (the future is
    never seen) and forecasts ``horizon_days`` days from the cutoff. Scores
    use the intervals present in the history (absent days, e.g. holidays,
    and the forecasters' ``special_days`` are not scored).

    Parameters
    ----------
    history
        History (or a DataFrame in the history layout).
    forecaster
        A forecaster, a method name, or a sequence of them.
    horizon_days
        Days forecast per fold.
    folds
        Number of folds.
    step_days
        Days between cutoffs (default ``horizon_days``).
    end
        Day after the last fold (default: the day after the history's last
        day), e.g. a Monday for folds of calendar weeks. Days from ``end`` on
        are neither used nor scored.

    Returns
    -------
    pandas.DataFrame
        One row per fold and method: ``method``, ``chosen`` (for auto: the
        method it picked), ``fold``, ``cutoff``, ``train_days``, ``wape``
        (interval-level sum |F - A| / sum A), ``daily_mape`` (mean over days
        of |F_day - A_day| / A_day), ``bias`` (sum (F - A) / sum A),
        ``intervals``, ``actual_calls``, ``forecast_calls``.
    """
    hist = _as_history(history)
    _check_positive_int(horizon_days, "horizon_days")
    _check_positive_int(folds, "folds")
    if step_days is not None:
        _check_positive_int(step_days, "step_days")
    items: list[Forecaster | str] = (
        [forecaster] if isinstance(forecaster, (Forecaster, str)) else list(forecaster)
    )
    if not items:
        raise ValidationError("forecaster", [], "at least one forecaster or method name")
    models = [make_forecaster(f) if isinstance(f, str) else f for f in items]
    for i, m in enumerate(models):
        if not isinstance(m, Forecaster):
            raise ValidationError(f"forecaster[{i}]", m, "a wfm.forecast.Forecaster or name")
    special = sorted({d for m in models for d in m._special()})
    panel = _panel(hist)
    end_index = None
    if end is not None:
        end_day = _as_day(end, "end")
        end_index = int((end_day - panel.first_day) // np.timedelta64(1, "D"))
        if not 0 < end_index <= panel.n_days:
            last = pd.Timestamp(panel.end_day - np.timedelta64(1, "D")).date()
            raise ValidationError(
                "end", str(end), f"a date after the history's first day, at most {last} + 1 day"
            )
    return _backtest_panel(
        panel,
        models,
        horizon_days=horizon_days,
        folds=folds,
        step_days=step_days,
        special=special,
        end_index=end_index,
    )


def summarize_backtest(scores: pd.DataFrame) -> pd.DataFrame:
    """Pool a :func:`backtest` table per method.

    Parameters
    ----------
    scores
        Output of :func:`backtest`.

    Returns
    -------
    pandas.DataFrame
        One row per method, in first-seen order: ``method``, ``folds``,
        ``wape`` (pooled over all folds: sum |F - A| / sum A),
        ``mean_fold_wape``, ``daily_mape`` (mean over folds) and ``bias``
        (pooled).
    """
    rows = []
    for method, group in scores.groupby("method", sort=False):
        actual = group["actual_calls"].sum()
        abs_err = (group["wape"] * group["actual_calls"]).sum()
        rows.append(
            {
                "method": method,
                "folds": len(group),
                "wape": float(abs_err / actual) if actual > 0 else math.nan,
                "mean_fold_wape": float(group["wape"].mean()),
                "daily_mape": float(group["daily_mape"].mean()),
                "bias": float((group["forecast_calls"].sum() - actual) / actual)
                if actual > 0
                else math.nan,
            }
        )
    return pd.DataFrame(rows)
