"""Staffing requirements per interval, from a forecast and a service target.

:func:`requirements` turns a forecast (calls and AHT per interval) into the
number of agents needed on the phone and scheduled in each interval, with
the service they would give; :func:`performance` evaluates the service that a
given number of agents gives (the roster uses it to report what a roster
achieves); :func:`weekly_service_level` aggregates interval service levels.

Forecast layout (input of :func:`requirements`)
-----------------------------------------------
``interval_start``
    datetime64 (time-zone naive or aware), unique and increasing.
``calls``
    float >= 0: calls offered in the interval.
``aht_seconds`` (optional)
    float > 0; when absent, the ``aht_seconds=`` argument applies to every
    row. May be NaN only in rows with no calls or closed rows.
``is_open`` (optional)
    bool; ``False`` means the centre is closed: 0 agents, and the service
    metrics of an interval with no calls (service level 1, ASA 0, occupancy 0).
    A closed row must have 0 calls.
Any other column (e.g. ``calls_lower``) is carried through untouched.

Requirements layout (output of :func:`requirements`)
----------------------------------------------------
One row per input row, same order and index:

``interval_start``, ``calls``, ``aht_seconds``
    As in the input (``aht_seconds`` filled from the argument when the input
    has no such column).
``traffic_erlangs``
    ``calls * aht_seconds / (60 * interval_minutes)`` (0 where AHT is NaN).
``agents_on_phone_fractional``
    Continuous requirement on the phone (continuous extension of Erlang B/C,
    see :mod:`wfm.erlang`); sum it across queues or intervals before rounding.
``agents_on_phone``
    int: minimal number of agents on the phone meeting every target.
``agents_scheduled_fractional``
    ``agents_on_phone_fractional / (1 - shrinkage)``.
``agents_scheduled``
    int: ``ceil(agents_on_phone / (1 - shrinkage))``, with a ``1e-9``
    tolerance so that 14 / 0.7 gives 20.
``service_level``, ``asa_seconds``, ``occupancy``
    The service at ``agents_on_phone`` (see :mod:`wfm.erlang` for the
    definitions; Erlang A ASA is the mean wait of answered calls). When the
    target has no service-level part, ``service_level`` uses a 0-second
    threshold (the fraction of calls answered at once).
``abandon_probability``
    Erlang A only: probability that an offered call abandons.
``is_open``
    bool, ``True`` where the input has no such column.
then every other input column, in input order.

``min_agents`` applies to open intervals only, whether or not calls are
forecast: an open interval has at least ``min_agents`` agents on the phone
(integer and fractional requirement alike); closed intervals have 0.

``df.attrs`` holds ``interval_minutes``, ``model``, ``shrinkage``,
``target`` (a dict, see :meth:`ServiceTarget.to_dict`), ``patience_seconds``
and ``min_agents``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm import erlang
from wfm.errors import DataError, ValidationError

__all__ = [
    "MODELS",
    "ServiceTarget",
    "performance",
    "requirements",
    "weekly_service_level",
]

Model = Literal["erlang_c", "erlang_a"]
#: Queueing models understood by :func:`requirements` and :func:`performance`.
MODELS: tuple[str, ...] = ("erlang_c", "erlang_a")

_SCHEDULE_TOLERANCE = 1e-9


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True, kw_only=True)
class ServiceTarget:
    """Service target of a queue; every given part must be met.

    Parameters
    ----------
    level
        Service-level target in (0, 1): the fraction of calls answered within
        ``answer_within_seconds``. ``None`` for no service-level target.
    answer_within_seconds
        Answer-time threshold of the service level, seconds (>= 0); given
        exactly when ``level`` is.
    max_asa_seconds
        Maximum average speed of answer in seconds (> 0), or ``None``.
    max_abandon_rate
        Maximum probability that a call abandons, in (0, 1], or ``None``
        (Erlang A only).

    Raises
    ------
    ValidationError
        On construction, if a part is out of range or no target is given.

    Examples
    --------
    >>> ServiceTarget.parse("80%/20").to_dict()["level"]
    0.8
    """

    level: float | None = 0.8
    answer_within_seconds: float | None = 20.0
    max_asa_seconds: float | None = None
    max_abandon_rate: float | None = None

    def __post_init__(self) -> None:
        if self.level is not None and not (_finite(self.level) and 0.0 < self.level < 1.0):
            # 1.0 is out: some calls always wait, so no number of agents reaches it.
            raise ValidationError(
                "level",
                self.level,
                "a number in (0, 1), e.g. 0.8: no finite number of agents answers every call "
                "in time",
            )
        within = self.answer_within_seconds
        if within is not None and not (_finite(within) and within >= 0.0):
            raise ValidationError("answer_within_seconds", within, "a number of seconds >= 0")
        if (self.level is None) != (within is None):
            raise ValidationError(
                "answer_within_seconds",
                within,
                "a value exactly when level is given (level and answer time go together)",
            )
        asa = self.max_asa_seconds
        if asa is not None and not (_finite(asa) and asa > 0.0):
            raise ValidationError("max_asa_seconds", asa, "a number of seconds > 0, or None")
        ab = self.max_abandon_rate
        if ab is not None and not (_finite(ab) and 0.0 < ab <= 1.0):
            raise ValidationError("max_abandon_rate", ab, "a number in (0, 1], or None")
        if self.level is None and asa is None and ab is None:
            raise ValidationError(
                "target", self, "at least one of level, max_asa_seconds, max_abandon_rate"
            )
        for name in ("level", "answer_within_seconds", "max_asa_seconds", "max_abandon_rate"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, float(value))

    @classmethod
    def parse(cls, text: str) -> ServiceTarget:
        """Parse ``"LEVEL/SECONDS"``, e.g. ``"0.8/20"``, ``"80%/20"`` or ``"0.9/15s"``.

        Parameters
        ----------
        text
            Service level as a fraction or a percentage with ``%``, a slash,
            and the answer time in seconds (an optional ``s`` suffix).

        Returns
        -------
        ServiceTarget
            With ``level`` and ``answer_within_seconds`` set.

        Raises
        ------
        ValidationError
            If the text does not have that form or a value is out of range.
        """
        expected = "LEVEL/SECONDS such as 0.8/20 or 80%/20"
        if not isinstance(text, str):
            raise ValidationError("target", text, expected)
        match = re.fullmatch(r"\s*([0-9.]+)\s*(%?)\s*/\s*([0-9.]+)\s*s?\s*", text)
        if match is None:
            raise ValidationError("target", text, expected)
        try:
            level = float(match.group(1))
            within = float(match.group(3))
        except ValueError:
            raise ValidationError("target", text, expected) from None
        if match.group(2):
            level /= 100.0
        return cls(level=level, answer_within_seconds=within)

    def to_dict(self) -> dict[str, float | None]:
        """Return the target as a plain dict (JSON-friendly)."""
        return asdict(self)


def _coerce_target(target: ServiceTarget | str | Mapping[str, Any]) -> ServiceTarget:
    if isinstance(target, ServiceTarget):
        return target
    if isinstance(target, str):
        return ServiceTarget.parse(target)
    if isinstance(target, Mapping):
        try:
            return ServiceTarget(**dict(target))
        except TypeError:
            raise ValidationError(
                "target",
                dict(target),
                "keys among level, answer_within_seconds, max_asa_seconds, max_abandon_rate",
            ) from None
    raise ValidationError("target", target, "a ServiceTarget, a 'LEVEL/SECONDS' string or a dict")


def _check_model(model: str, patience_seconds: float | None, target: ServiceTarget) -> None:
    if model not in MODELS:
        raise ValidationError("model", model, f"one of {', '.join(MODELS)}")
    if model == "erlang_a":
        if patience_seconds is None or not (_finite(patience_seconds) and patience_seconds > 0):
            raise ValidationError(
                "patience_seconds", patience_seconds, "a number of seconds > 0 for model erlang_a"
            )
    else:
        if patience_seconds is not None:
            raise ValidationError(
                "patience_seconds", patience_seconds, "None for model erlang_c (no abandonment)"
            )
        if target.max_abandon_rate is not None:
            raise ValidationError(
                "target.max_abandon_rate",
                target.max_abandon_rate,
                "None for model erlang_c (no abandonment); use model erlang_a",
            )


def _row_error(column: str, index: int, value: Any, expected: str) -> DataError:
    return DataError(f"{column}[row {index}]", value, expected)


def _numeric_column(frame: pd.DataFrame, column: str) -> npt.NDArray[np.float64]:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    raw = frame[column].to_numpy()
    unparsable = np.isnan(values) & pd.notna(raw)
    if unparsable.any():
        i = int(np.flatnonzero(unparsable)[0])
        raise _row_error(column, i, raw[i], "a number")
    return values


def _infer_interval_minutes(starts: pd.Series) -> float:
    if len(starts) < 2:
        raise ValidationError(
            "interval_minutes",
            None,
            "an explicit value: it cannot be inferred from fewer than two intervals",
        )
    steps = starts.diff().dropna().dt.total_seconds().to_numpy() / 60.0
    values, counts = np.unique(steps, return_counts=True)
    return float(values[np.argmax(counts)])


def _validate_forecast(
    forecast: pd.DataFrame, aht_seconds: float | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_], bool]:
    """Check the forecast; return calls, AHT, is_open and whether AHT came from the argument."""
    if not isinstance(forecast, pd.DataFrame):
        raise ValidationError("forecast", type(forecast).__name__, "a pandas DataFrame")
    missing = [c for c in ("interval_start", "calls") if c not in forecast.columns]
    if missing:
        raise DataError(
            "forecast", sorted(map(str, forecast.columns)), f"columns {', '.join(missing)}"
        )
    starts = forecast["interval_start"]
    if not (
        pd.api.types.is_datetime64_any_dtype(starts.dtype)
        or isinstance(starts.dtype, pd.DatetimeTZDtype)
    ):
        raise DataError(
            "interval_start", str(starts.dtype), "a datetime64 column (parse timestamps first)"
        )
    nat = starts.isna().to_numpy()
    if nat.any():
        i = int(np.flatnonzero(nat)[0])
        raise _row_error("interval_start", i, None, "a timestamp")
    step = starts.diff().to_numpy()[1:]
    not_after = step <= np.timedelta64(0, "ns")
    if not_after.any():
        i = int(np.flatnonzero(not_after)[0]) + 1
        same = step[i - 1] == np.timedelta64(0)
        what = "the same timestamp as the previous row" if same else "an earlier timestamp"
        raise _row_error(
            "interval_start",
            i,
            str(starts.iloc[i]),
            f"a timestamp after the previous row's (got {what}; sort, no duplicates)",
        )
    calls = _numeric_column(forecast, "calls")
    bad = ~np.isfinite(calls) | (calls < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _row_error("calls", i, float(calls[i]), "a finite number >= 0")
    if "is_open" in forecast.columns:
        raw_open = forecast["is_open"]
        if not pd.api.types.is_bool_dtype(raw_open.dtype):
            values = raw_open.to_numpy()
            ok = np.array([isinstance(v, (bool, np.bool_)) for v in values], dtype=bool)
            if not ok.all():
                i = int(np.flatnonzero(~ok)[0])
                shown = values[i].item() if isinstance(values[i], np.generic) else values[i]
                raise _row_error("is_open", i, shown, "True or False")
        is_open = raw_open.to_numpy(dtype=bool)
        # Calls offered while closed would be staffed with nobody and reported
        # as a perfect service level: a contradiction, not something to drop.
        closed_calls = ~is_open & (calls > 0)
        if closed_calls.any():
            i = int(np.flatnonzero(closed_calls)[0])
            raise _row_error(
                "calls",
                i,
                float(calls[i]),
                f"0 in a closed interval (is_open is False; {int(closed_calls.sum())} closed "
                "rows have calls): set is_open to True or the calls to 0",
            )
    else:
        is_open = np.ones(len(forecast), dtype=bool)
    from_argument = "aht_seconds" not in forecast.columns
    if from_argument:
        if aht_seconds is None:
            raise ValidationError(
                "aht_seconds", None, "a number > 0 (the forecast has no aht_seconds column)"
            )
        if not (_finite(aht_seconds) and aht_seconds > 0):
            raise ValidationError("aht_seconds", aht_seconds, "a number of seconds > 0")
        aht = np.full(len(forecast), float(aht_seconds))
    else:
        aht = _numeric_column(forecast, "aht_seconds")
        needed = is_open & (calls > 0)
        bad = (np.isnan(aht) & needed) | ~(np.isnan(aht) | (np.isfinite(aht) & (aht > 0)))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise _row_error(
                "aht_seconds",
                i,
                float(aht[i]),
                "a finite number > 0 (NaN allowed only where there are no calls or the centre "
                "is closed)",
            )
    return calls, aht, is_open, from_argument


def _staffing_maths(
    traffic: npt.NDArray[np.float64],
    aht: npt.NDArray[np.float64],
    target: ServiceTarget,
    model: str,
    patience_seconds: float | None,
    max_occupancy: float | None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Integer and fractional requirements on flat arrays (no validation)."""
    size = traffic.size

    def full(value: float | None) -> npt.NDArray[np.float64] | None:
        return None if value is None else np.full(size, float(value))

    level, within = full(target.level), full(target.answer_within_seconds)
    asa, occ = full(target.max_asa_seconds), full(max_occupancy)
    if model == "erlang_c":
        whole = erlang._erlang_c_search(traffic, aht, level, within, asa, occ)
        frac = erlang._erlang_c_fractional(traffic, aht, level, within, asa, occ, whole)
    else:
        patience = np.full(size, float(patience_seconds or 0.0))
        ab = full(target.max_abandon_rate)
        whole = erlang._erlang_a_search(traffic, aht, patience, level, within, ab, occ, asa)
        frac = erlang._erlang_a_fractional(
            traffic, aht, patience, level, within, ab, occ, asa, whole
        )
    return whole, frac


def _metrics(
    traffic: npt.NDArray[np.float64],
    agents: npt.NDArray[np.float64],
    aht: npt.NDArray[np.float64],
    within: float,
    model: str,
    patience_seconds: float | None,
) -> dict[str, npt.NDArray[np.float64]]:
    w = np.full(traffic.size, within)
    if model == "erlang_c":
        _, sl, asa, occ = erlang._c_metrics(traffic, agents, aht, w)
        return {"service_level": sl, "asa_seconds": asa, "occupancy": occ}
    patience = np.full(traffic.size, float(patience_seconds or 0.0))
    m = erlang._a_metrics(traffic, agents, aht, patience, w)
    return {
        "service_level": m["service_level"],
        "asa_seconds": m["asa_seconds"],
        "occupancy": m["occupancy"],
        "abandon_probability": m["abandon_probability"],
    }


def requirements(
    forecast: pd.DataFrame,
    *,
    target: ServiceTarget | str | Mapping[str, Any],
    aht_seconds: float | None = None,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    model: Model | str = "erlang_c",
    patience_seconds: float | None = None,
    interval_minutes: float | None = None,
    min_agents: int = 0,
) -> pd.DataFrame:
    """Agents needed per interval to meet a service target.

    Parameters
    ----------
    forecast
        Forecast layout (see the module documentation).
    target
        A :class:`ServiceTarget`, a ``"LEVEL/SECONDS"`` string or a dict of
        its fields.
    aht_seconds
        AHT for every row when the forecast has no ``aht_seconds`` column.
        Giving both is an error (one source of AHT, never silently ignored).
    shrinkage
        Fraction of scheduled time not available for calls, in [0, 1).
    max_occupancy
        Optional maximum occupancy in (0, 1].
    model
        ``"erlang_c"`` (no abandonment) or ``"erlang_a"`` (needs
        ``patience_seconds``).
    patience_seconds
        Mean caller patience in seconds, for ``model="erlang_a"``.
    interval_minutes
        Interval length; inferred from the most common spacing of
        ``interval_start`` when omitted.
    min_agents
        Minimum agents on the phone in every open interval (int >= 0).

    Returns
    -------
    pandas.DataFrame
        Requirements layout (see the module documentation).

    Raises
    ------
    ValidationError
        For a bad argument.
    DataError
        For a bad forecast row, naming the column, the row and the value.

    Examples
    --------
    >>> import pandas as pd
    >>> fc = pd.DataFrame({"interval_start": pd.date_range("2024-01-01 09:00", periods=2,
    ...                    freq="30min"), "calls": [100.0, 0.0]})
    >>> req = requirements(fc, target="0.8/20", aht_seconds=180, shrinkage=0.3)
    >>> req[["agents_on_phone", "agents_scheduled"]].to_numpy().tolist()
    [[14, 20], [0, 0]]
    """
    tgt = _coerce_target(target)
    _check_model(str(model), patience_seconds, tgt)
    if not (_finite(shrinkage) and 0.0 <= shrinkage < 1.0):
        raise ValidationError("shrinkage", shrinkage, "a fraction in [0, 1)")
    if max_occupancy is not None and not (_finite(max_occupancy) and 0 < max_occupancy <= 1):
        raise ValidationError("max_occupancy", max_occupancy, "a number in (0, 1], or None")
    if isinstance(min_agents, bool) or not isinstance(min_agents, (int, np.integer)):
        raise ValidationError("min_agents", min_agents, "an integer >= 0")
    if min_agents < 0:
        raise ValidationError("min_agents", min_agents, "an integer >= 0")
    if interval_minutes is not None and not (_finite(interval_minutes) and interval_minutes > 0):
        raise ValidationError("interval_minutes", interval_minutes, "a number of minutes > 0")
    calls, aht, is_open, aht_from_argument = _validate_forecast(forecast, aht_seconds)
    if not aht_from_argument and aht_seconds is not None:
        raise ValidationError(
            "aht_seconds",
            aht_seconds,
            "None when the forecast has an aht_seconds column (give one or the other)",
        )
    minutes = (
        float(interval_minutes)
        if interval_minutes is not None
        else _infer_interval_minutes(forecast["interval_start"])
    )
    if interval_minutes is not None and len(forecast) >= 2:
        # Intervals longer than the spacing of their starts would overlap (and
        # spread each interval's calls over too long a time).
        spacing = forecast["interval_start"].diff().dt.total_seconds().to_numpy()[1:] / 60.0
        short = spacing < minutes * (1.0 - 1e-9)
        if short.any():
            i = int(np.flatnonzero(short)[0]) + 1
            raise _row_error(
                "interval_start",
                i,
                str(forecast["interval_start"].iloc[i]),
                f"a start at least interval_minutes={minutes:g} after the previous row's "
                f"(it is {spacing[i - 1]:g} min after it: intervals would overlap)",
            )

    usable = np.isfinite(aht)
    traffic = np.where(usable, calls * np.where(usable, aht, 1.0) / (60.0 * minutes), 0.0)
    too_big = traffic > erlang.MAX_TRAFFIC
    if too_big.any():
        i = int(np.flatnonzero(too_big)[0])
        raise _row_error(
            "calls",
            i,
            float(calls[i]),
            f"a count giving at most {erlang.MAX_TRAFFIC:.0e} erlangs "
            f"(got {traffic[i]:.3g} with AHT {aht[i]:g} s)",
        )
    active = is_open & (traffic > 0)
    aht_active = aht[active]
    whole = np.zeros(len(forecast), dtype=np.int64)
    frac = np.zeros(len(forecast))
    if active.any():
        w, f = _staffing_maths(
            traffic[active], aht_active, tgt, str(model), patience_seconds, max_occupancy
        )
        whole[active], frac[active] = w, f
    whole = np.where(is_open, np.maximum(whole, min_agents), 0)
    frac = np.where(is_open, np.maximum(frac, float(min_agents)), 0.0)

    # Service at the integer requirement; closed rows get the metrics of zero calls.
    within = tgt.answer_within_seconds if tgt.answer_within_seconds is not None else 0.0
    load = np.where(is_open, traffic, 0.0)
    metrics = _metrics(
        load,
        whole.astype(np.float64),
        np.where(usable, aht, 1.0),
        within,
        str(model),
        patience_seconds,
    )

    keep = 1.0 - shrinkage
    out = pd.DataFrame(index=forecast.index)
    out["interval_start"] = forecast["interval_start"]
    out["calls"] = calls
    out["aht_seconds"] = aht
    out["traffic_erlangs"] = traffic
    out["agents_on_phone_fractional"] = frac
    out["agents_on_phone"] = whole.astype(np.int64)
    out["agents_scheduled_fractional"] = frac / keep
    out["agents_scheduled"] = np.ceil(whole / keep - _SCHEDULE_TOLERANCE).astype(np.int64)
    for name, values in metrics.items():
        out[name] = values
    out["is_open"] = is_open
    used = set(out.columns)
    for column in forecast.columns:
        if column not in used:
            out[column] = forecast[column]
    out.attrs = {
        "interval_minutes": minutes,
        "model": str(model),
        "shrinkage": float(shrinkage),
        "target": tgt.to_dict(),
        "patience_seconds": patience_seconds,
        "min_agents": int(min_agents),
    }
    return out


def performance(
    calls: Any,
    aht_seconds: Any,
    agents_on_phone: Any,
    *,
    interval_minutes: float,
    target: ServiceTarget | str | Mapping[str, Any],
    model: Model | str = "erlang_c",
    patience_seconds: float | None = None,
) -> pd.DataFrame:
    """Service given by a number of agents on the phone, per interval.

    Parameters
    ----------
    calls
        Calls offered per interval (scalar or array, >= 0).
    aht_seconds
        AHT in seconds (scalar or array, > 0).
    agents_on_phone
        Agents on the phone (scalar or array, >= 0). Fractional counts are
        evaluated with the continuous extension of Erlang B (see
        :mod:`wfm.erlang`), which is smooth and monotone between integers.
    interval_minutes
        Interval length in minutes (> 0).
    target
        The service target; only its ``answer_within_seconds`` is used (it
        defines the service level; without one, ``service_level`` is the
        fraction answered at once, i.e. a 0-second threshold).
    model
        ``"erlang_c"`` or ``"erlang_a"`` (needs ``patience_seconds``).
    patience_seconds
        Mean caller patience in seconds, for Erlang A.

    Returns
    -------
    pandas.DataFrame
        One row per broadcast element (flattened), columns ``service_level``,
        ``asa_seconds``, ``occupancy`` and, for Erlang A,
        ``abandon_probability``.
    """
    tgt = _coerce_target(target)
    _check_model(str(model), patience_seconds, tgt)
    within = tgt.answer_within_seconds if tgt.answer_within_seconds is not None else 0.0
    a = erlang.traffic_erlangs(calls, aht_seconds, interval_minutes)
    n = erlang._agents(agents_on_phone)
    h = erlang._positive("aht_seconds", aht_seconds)
    a_b, n_b, h_b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), n, h)
    metrics = _metrics(
        a_b.ravel(),
        n_b.ravel(),
        h_b.ravel(),
        within,
        str(model),
        patience_seconds,
    )
    return pd.DataFrame(metrics)


def weekly_service_level(calls: Any, service_level: Any) -> float:
    """Call-weighted mean service level over intervals.

    Parameters
    ----------
    calls
        Calls offered per interval (>= 0).
    service_level
        Service level per interval, in [0, 1].

    Returns
    -------
    float
        ``sum(calls * service_level) / sum(calls)``; defined as 1.0 when there
        are no calls at all (nothing was answered late).

    Examples
    --------
    >>> weekly_service_level([100, 300], [0.9, 0.7])
    0.75
    """
    c = erlang._as_array("calls", calls, lower=0.0, expected="a finite number >= 0")
    s = erlang._as_array(
        "service_level", service_level, lower=0.0, upper=1.0, expected="a number in [0, 1]"
    )
    if c.shape != s.shape:
        raise ValidationError("service_level", s.shape, f"the shape of calls {c.shape}")
    total = float(c.sum())
    if total == 0.0:
        return 1.0
    return float(np.clip((c * s).sum() / total, 0.0, 1.0))
