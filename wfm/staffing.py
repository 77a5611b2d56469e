"""Staffing requirements per interval, from a forecast and a service policy.

:func:`requirements` turns a forecast (calls and AHT per interval) and a
:class:`wfm.service.ServicePolicy` into the number of agents required on the
phone and scheduled in each interval, with the service they would give;
:func:`performance` evaluates the service that a given number of agents on
the phone gives (the roster uses it to report what a roster achieves);
:func:`weekly_service_level` aggregates interval service levels. The queueing
maths is :mod:`wfm.erlang`'s public functions; the gross-up for shrinkage is
the policy's (:meth:`~wfm.service.ServicePolicy.scheduled_for`).

Forecast layout (input of :func:`requirements`)
-----------------------------------------------
``interval_start``
    datetime64 (time-zone naive or aware), unique and increasing.
``calls``
    float >= 0: calls offered in the interval.
``aht_seconds`` (optional)
    float > 0; when absent, the ``aht_seconds=`` argument applies to every
    row. May be NaN only in rows with no calls or closed rows.
``patience_seconds`` (optional, Erlang A only)
    float > 0: mean patience of the interval's callers, in place of the
    policy's ``patience_seconds`` (which stays the default of
    :class:`~wfm.service.ServicePolicy`); NaN allowed only in rows with no
    calls or closed rows. An error with an Erlang C policy.
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
``required_on_phone_fractional``
    Continuous requirement on the phone (continuous extension of Erlang B/C,
    see :mod:`wfm.erlang`); sum it across queues or intervals before rounding.
``required_on_phone``
    int: minimal number of agents on the phone meeting every target.
``required_scheduled_fractional``
    ``required_on_phone_fractional / (1 - shrinkage)``
    (:meth:`~wfm.service.ServicePolicy.scheduled_for_fractional`).
``required_scheduled``
    int: ``ceil(required_on_phone / (1 - shrinkage))``, with a ``1e-9``
    tolerance so that 14 / 0.7 gives 20
    (:meth:`~wfm.service.ServicePolicy.scheduled_for`).
``service_level``, ``asa_seconds``, ``occupancy``
    The service at ``required_on_phone`` (see :mod:`wfm.erlang` for the
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

``df.attrs`` holds ``interval_minutes``, ``service`` (the policy as a dict,
see :meth:`~wfm.service.ServicePolicy.to_dict`) and ``min_agents``.

Renamed in 0.2: ``agents_on_phone(_fractional)`` is now
``required_on_phone(_fractional)`` and ``agents_scheduled(_fractional)`` is
``required_scheduled(_fractional)``, so that no column name means both a
requirement and the coverage a roster gives (see :mod:`wfm.roster.report`).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm import erlang
from wfm.errors import DataError, ValidationError
from wfm.service import ServicePolicy
from wfm.transient import transient_service

__all__ = [
    "infer_interval_minutes",
    "performance",
    "required_on_phone",
    "requirements",
    "weekly_service_level",
]


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_policy(policy: Any) -> ServicePolicy:
    if not isinstance(policy, ServicePolicy):
        raise ValidationError(
            "policy",
            type(policy).__name__,
            "a wfm.ServicePolicy, e.g. ServicePolicy.parse('0.8/20', shrinkage=0.3)",
        )
    return policy


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


def infer_interval_minutes(starts: pd.Series) -> float:
    """Interval length in minutes: the most common spacing of sorted interval starts.

    Parameters
    ----------
    starts
        Interval starts (datetime64), increasing.

    Returns
    -------
    float
        Minutes.

    Raises
    ------
    ValidationError
        With fewer than two starts.
    """
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


def _patience_column(
    forecast: pd.DataFrame, policy: ServicePolicy, active: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64] | None:
    """The forecast's ``patience_seconds`` column, checked, or ``None`` without one."""
    if "patience_seconds" not in forecast.columns:
        return None
    if policy.model != "erlang_a":
        raise ValidationError(
            "patience_seconds",
            "a forecast column",
            "no such column with model erlang_c (callers never abandon); use model erlang_a",
        )
    patience = _numeric_column(forecast, "patience_seconds")
    bad = (np.isnan(patience) & active) | ~(
        np.isnan(patience) | (np.isfinite(patience) & (patience > 0))
    )
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _row_error(
            "patience_seconds",
            i,
            float(patience[i]),
            "a finite number of seconds > 0 (NaN allowed only where there are no calls or the "
            "centre is closed)",
        )
    return patience


def required_on_phone(
    traffic: Any, *, aht_seconds: Any, policy: ServicePolicy, patience_seconds: Any = None
) -> erlang.AgentRequirement:
    """Agents required on the phone to meet every target of ``policy``, integer and fractional.

    The queueing search of :func:`requirements`, for offered loads given
    directly (scalars or arrays; no closed intervals, no ``min_agents``).

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    aht_seconds
        Average handling time in seconds (> 0).
    policy
        The service policy: its targets, model (and patience) and occupancy
        cap are used (its shrinkage is not: see
        :meth:`~wfm.service.ServicePolicy.scheduled_for`).
    patience_seconds
        Mean patience per element (Erlang A), in place of the policy's
        scalar; ``None`` for the policy's.

    Returns
    -------
    wfm.erlang.AgentRequirement
        From :func:`wfm.erlang.erlang_c_requirement` or
        :func:`wfm.erlang.erlang_a_requirement`.

    Examples
    --------
    >>> from wfm.service import ServicePolicy
    >>> required_on_phone(10.0, aht_seconds=180, policy=ServicePolicy()).agents
    14
    """
    policy = _check_policy(policy)
    targets: dict[str, Any] = {
        "aht_seconds": aht_seconds,
        "target": policy.level,
        "answer_within_seconds": policy.answer_within_seconds,
        "asa_seconds": policy.max_asa_seconds,
        "max_occupancy": policy.max_occupancy,
    }
    if policy.model == "erlang_c":
        return erlang.erlang_c_requirement(traffic, **targets)
    return erlang.erlang_a_requirement(
        traffic,
        patience_seconds=policy.patience_seconds if patience_seconds is None else patience_seconds,
        max_abandon_rate=policy.max_abandon_rate,
        **targets,
    )


def _metrics(
    traffic: Any, agents: Any, aht: Any, policy: ServicePolicy, patience: Any = None
) -> dict[str, npt.NDArray[np.float64]]:
    """Service columns at ``agents`` on the phone (flattened to 1-d arrays).

    The service level uses the policy's answer time, or 0 s (the fraction of
    calls answered at once) when it has no service-level target.
    """
    within = policy.answer_within_seconds if policy.answer_within_seconds is not None else 0.0
    if policy.model == "erlang_c":
        m = erlang.erlang_c_metrics(traffic, agents, aht_seconds=aht, answer_within_seconds=within)
    else:
        m = erlang.erlang_a_metrics(
            traffic,
            agents,
            aht_seconds=aht,
            patience_seconds=policy.patience_seconds if patience is None else patience,
            answer_within_seconds=within,
        )
    columns = {
        "service_level": m.service_level,
        "asa_seconds": m.asa_seconds,
        "occupancy": m.occupancy,
    }
    if m.abandon_probability is not None:
        columns["abandon_probability"] = m.abandon_probability
    return {k: np.asarray(v, dtype=np.float64).ravel() for k, v in columns.items()}


def requirements(
    forecast: pd.DataFrame,
    *,
    policy: ServicePolicy,
    aht_seconds: float | None = None,
    interval_minutes: float | None = None,
    min_agents: int = 0,
) -> pd.DataFrame:
    """Agents required per interval, on the phone and scheduled, to meet a service policy.

    Parameters
    ----------
    forecast
        Forecast layout (see the module documentation).
    policy
        The service targets, queueing model, shrinkage and occupancy cap.
    aht_seconds
        AHT for every row when the forecast has no ``aht_seconds`` column.
        Giving both is an error (one source of AHT, never silently ignored).
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
    >>> from wfm.service import ServicePolicy
    >>> fc = pd.DataFrame({"interval_start": pd.date_range("2024-01-01 09:00", periods=2,
    ...                    freq="30min"), "calls": [100.0, 0.0]})
    >>> policy = ServicePolicy.parse("0.8/20", shrinkage=0.3)
    >>> req = requirements(fc, policy=policy, aht_seconds=180)
    >>> req[["required_on_phone", "required_scheduled"]].to_numpy().tolist()
    [[14, 20], [0, 0]]
    """
    policy = _check_policy(policy)
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
        else infer_interval_minutes(forecast["interval_start"])
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

    if len(forecast) >= 2:
        # every start on the grid of the first: a row between two interval starts
        # would be staffed as a whole interval of its own
        offset = (
            forecast["interval_start"] - forecast["interval_start"].iloc[0]
        ).dt.total_seconds()
        steps = offset.to_numpy() / (60.0 * minutes)
        off = np.abs(steps - np.round(steps)) > 1e-6
        if off.any():
            i = int(np.flatnonzero(off)[0])
            raise _row_error(
                "interval_start",
                i,
                str(forecast["interval_start"].iloc[i]),
                f"a start on the {minutes:g}-minute grid of the first row "
                f"({forecast['interval_start'].iloc[0]}): rows of another interval length "
                "cannot be staffed as these",
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
    patience = _patience_column(forecast, policy, active)
    whole = np.zeros(len(forecast), dtype=np.int64)
    frac = np.zeros(len(forecast))
    if active.any():
        found = required_on_phone(
            traffic[active],
            aht_seconds=aht[active],
            policy=policy,
            patience_seconds=None if patience is None else patience[active],
        )
        whole[active], frac[active] = found.agents, found.agents_fractional
    whole = np.where(is_open, np.maximum(whole, min_agents), 0)
    frac = np.where(is_open, np.maximum(frac, float(min_agents)), 0.0)

    # Service at the integer requirement; closed rows get the metrics of zero calls.
    load = np.where(is_open, traffic, 0.0)
    metrics = _metrics(
        load,
        whole.astype(np.float64),
        np.where(usable, aht, 1.0),
        policy,
        None if patience is None else np.where(active, patience, 1.0),
    )

    out = pd.DataFrame(index=forecast.index)
    out["interval_start"] = forecast["interval_start"]
    out["calls"] = calls
    out["aht_seconds"] = aht
    out["traffic_erlangs"] = traffic
    out["required_on_phone_fractional"] = frac
    out["required_on_phone"] = whole.astype(np.int64)
    out["required_scheduled_fractional"] = policy.scheduled_for_fractional(frac)
    out["required_scheduled"] = policy.scheduled_for(whole)
    for name, values in metrics.items():
        out[name] = values
    out["is_open"] = is_open
    used = set(out.columns)
    for column in forecast.columns:
        if column not in used:
            out[column] = forecast[column]
    out.attrs = {
        "interval_minutes": minutes,
        "service": policy.to_dict(),
        "min_agents": int(min_agents),
    }
    return out


def performance(
    calls: Any,
    *,
    aht_seconds: Any,
    agents_on_phone: Any,
    interval_minutes: float,
    policy: ServicePolicy,
    method: Literal["stationary", "transient"] = "stationary",
) -> pd.DataFrame:
    """Service given by a number of agents on the phone, per interval.

    Parameters
    ----------
    calls
        Calls offered per interval (scalar or array, >= 0).
    aht_seconds
        AHT in seconds (scalar or array, > 0).
    agents_on_phone
        Agents on the phone (scalar or array, >= 0), e.g.
        ``policy.on_phone(scheduled)``. Fractional counts are evaluated with
        the continuous extension of Erlang B (see :mod:`wfm.erlang`), which is
        smooth and monotone between integers.
    interval_minutes
        Interval length in minutes (> 0).
    policy
        The service policy; its model (and patience) and its
        ``answer_within_seconds`` are used (the answer time defines the
        service level; without one, ``service_level`` is the fraction answered
        at once, i.e. a 0-second threshold).
    method
        ``"stationary"``: steady-state Erlang C/A of each element on its own
        (any broadcast shape). ``"transient"``: the arrays are consecutive
        intervals in time order (1-d, 0 calls marking a closed interval) and
        each interval's service is that of the time-varying queue, which
        carries calls in service and waiting calls across interval
        boundaries (:func:`wfm.transient.transient_service`).

    Returns
    -------
    pandas.DataFrame
        One row per broadcast element (flattened), columns ``service_level``,
        ``asa_seconds``, ``occupancy`` and, for Erlang A,
        ``abandon_probability``.
    """
    policy = _check_policy(policy)
    if method == "transient":
        within = policy.answer_within_seconds if policy.answer_within_seconds is not None else 0.0
        found = transient_service(
            calls,
            aht_seconds=aht_seconds,
            agents_on_phone=agents_on_phone,
            interval_minutes=interval_minutes,
            answer_within_seconds=within,
            patience_seconds=policy.patience_seconds if policy.model == "erlang_a" else None,
        )
        columns = {
            "service_level": found.service_level,
            "asa_seconds": found.asa_seconds,
            "occupancy": found.occupancy,
        }
        if policy.model == "erlang_a":
            columns["abandon_probability"] = found.abandon_probability
        return pd.DataFrame(columns)
    if method != "stationary":
        raise ValidationError("method", method, "'stationary' or 'transient'")
    traffic = erlang.traffic_erlangs(
        calls, aht_seconds=aht_seconds, interval_minutes=interval_minutes
    )
    return pd.DataFrame(_metrics(traffic, agents_on_phone, aht_seconds, policy))


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
    c = erlang.checked_array("calls", calls, lower=0.0, expected="a finite number >= 0")
    s = erlang.checked_array(
        "service_level", service_level, lower=0.0, upper=1.0, expected="a number in [0, 1]"
    )
    if c.shape != s.shape:
        raise ValidationError("service_level", s.shape, f"the shape of calls {c.shape}")
    total = float(c.sum())
    if total == 0.0:
        return 1.0
    return float(np.clip((c * s).sum() / total, 0.0, 1.0))
