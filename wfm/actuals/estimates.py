"""Estimates for the queueing models: callers' patience and the handle-time distribution."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import ValidationError
from wfm.kpis import PERIOD_COLUMNS, KpiSettings, Period, period_start, validate_contacts

__all__ = [
    "HandleTimeEstimate",
    "PatienceEstimate",
    "estimate_handle_time",
    "estimate_patience",
    "patience_by_period",
]


@dataclass(frozen=True, kw_only=True)
class PatienceEstimate:
    """Mean patience of callers, estimated from waits and abandonments.

    ``patience_seconds = total_wait_seconds / abandoned``: the maximum
    likelihood estimate of an exponential patience when answered callers'
    waits are censored observations of it (Brown et al. 2005, JASA 100:36-50,
    section 5). NaN when nobody abandoned.

    Attributes
    ----------
    patience_seconds
        The estimate, in seconds.
    total_wait_seconds
        Seconds waited by every offered contact (answered and abandoned).
    abandoned
        Contacts that abandoned.
    contacts
        Offered contacts behind the estimate.
    """

    patience_seconds: float
    total_wait_seconds: float
    abandoned: int
    contacts: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (NaN as ``None``)."""
        return _json_ready(self)


def _json_ready(estimate: Any) -> dict[str, Any]:
    """The fields of an estimate, with NaN and infinities as ``None``."""
    out: dict[str, Any] = {}
    for f in fields(estimate):
        value = getattr(estimate, f.name)
        out[f.name] = None if isinstance(value, float) and not math.isfinite(value) else value
    return out


def estimate_patience(contacts: pd.DataFrame) -> PatienceEstimate:
    """Estimate the mean patience of the callers in a contacts table.

    Parameters
    ----------
    contacts
        Contacts layout of :mod:`wfm.kpis`.

    Returns
    -------
    PatienceEstimate
        With the counts behind the estimate.
    """
    table = validate_contacts(contacts)
    abandoned = int((table["outcome"] == "abandoned").sum())
    total = float(table["wait_seconds"].sum())
    return PatienceEstimate(
        patience_seconds=total / abandoned if abandoned else math.nan,
        total_wait_seconds=total,
        abandoned=abandoned,
        contacts=len(table),
    )


def patience_by_period(
    contacts: pd.DataFrame,
    *,
    period: Period = "interval",
    interval_minutes: int = 30,
    min_abandoned: int = 1,
) -> pd.DataFrame:
    """Patience estimates per interval, day or month, with their counts.

    Parameters
    ----------
    contacts
        Contacts layout of :mod:`wfm.kpis`.
    period
        ``"interval"``, ``"day"`` or ``"month"`` (the period of the arrival).
    interval_minutes
        Interval length for ``period="interval"``.
    min_abandoned
        Periods with fewer abandonments get ``patience_seconds`` NaN: the
        data does not support an estimate there.

    Returns
    -------
    pandas.DataFrame
        The period column (as in :func:`wfm.kpis.kpi_table`), ``contacts``,
        ``abandoned``, ``total_wait_seconds``, ``patience_seconds``.
    """
    if not isinstance(min_abandoned, int) or isinstance(min_abandoned, bool) or min_abandoned < 1:
        raise ValidationError("min_abandoned", min_abandoned, "a whole number >= 1")
    if period not in PERIOD_COLUMNS:
        raise ValidationError("period", period, f"one of {list(PERIOD_COLUMNS)}")
    minutes = KpiSettings(interval_minutes=interval_minutes).interval_minutes
    table = validate_contacts(contacts)
    key = PERIOD_COLUMNS[period]
    frame = pd.DataFrame(
        {
            key: period_start(table["arrival"], period=period, interval_minutes=minutes),
            "contacts": 1,
            "abandoned": (table["outcome"] == "abandoned").astype(np.int64),
            "total_wait_seconds": table["wait_seconds"],
        }
    )
    out = frame.groupby(key, sort=True).sum().reset_index()
    enough = out["abandoned"] >= min_abandoned
    out["patience_seconds"] = (out["total_wait_seconds"] / out["abandoned"]).where(enough)
    return out


@dataclass(frozen=True, kw_only=True)
class HandleTimeEstimate:
    """The handle-time distribution of answered contacts.

    Attributes
    ----------
    count
        Answered contacts with a known handle time.
    mean_seconds
        Their mean handle time (the AHT).
    cv
        Coefficient of variation: sample standard deviation (ddof 1) / mean.
        1 for exponential handle times.
    log_mean, log_std
        Mean and sample standard deviation of ``ln(handle_seconds)``: the
        lognormal fit by the moments of the log (``mu``, ``sigma``).
    lognormal_mean_seconds, lognormal_cv
        Mean ``exp(mu + sigma^2 / 2)`` and CV ``sqrt(exp(sigma^2) - 1)`` of
        the fitted lognormal, to set beside the sample's.
    """

    count: int
    mean_seconds: float
    cv: float
    log_mean: float
    log_std: float
    lognormal_mean_seconds: float
    lognormal_cv: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (NaN as ``None``)."""
        return _json_ready(self)


def estimate_handle_time(contacts: pd.DataFrame) -> HandleTimeEstimate:
    """Mean, coefficient of variation and a lognormal fit of handle times.

    Parameters
    ----------
    contacts
        Contacts layout of :mod:`wfm.kpis`; answered contacts with a known
        ``handle_seconds`` are used.

    Returns
    -------
    HandleTimeEstimate
        NaN figures when fewer than two handle times are known.
    """
    table = validate_contacts(contacts)
    h = table["handle_seconds"].to_numpy()
    h = h[(table["outcome"] == "answered").to_numpy(dtype=bool) & np.isfinite(h)]
    if len(h) < 2:
        nan = math.nan
        mean = float(h.mean()) if len(h) else nan
        return HandleTimeEstimate(
            count=len(h),
            mean_seconds=mean,
            cv=nan,
            log_mean=nan,
            log_std=nan,
            lognormal_mean_seconds=nan,
            lognormal_cv=nan,
        )
    logs = np.log(h)
    mu, sigma = float(logs.mean()), float(logs.std(ddof=1))
    return HandleTimeEstimate(
        count=len(h),
        mean_seconds=float(h.mean()),
        cv=float(h.std(ddof=1) / h.mean()),
        log_mean=mu,
        log_std=sigma,
        lognormal_mean_seconds=math.exp(mu + sigma**2 / 2),
        lognormal_cv=math.sqrt(math.expm1(sigma**2)),
    )
