"""The KPI tables and model estimates of a call log, together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wfm.actuals.estimates import (
    HandleTimeEstimate,
    PatienceEstimate,
    estimate_handle_time,
    estimate_patience,
    patience_by_period,
)
from wfm.actuals.reader import CallLog, CallLogSummary
from wfm.kpis import KpiSettings, kpi_table, period_start

__all__ = ["ActualsReport", "actuals_report"]


@dataclass(frozen=True, kw_only=True)
class ActualsReport:
    """KPI tables and model estimates of a call log.

    Attributes
    ----------
    intervals, days, months
        :func:`wfm.kpis.kpi_table` per interval, day and month. ``days`` also
        has ``abandoned_before_queue`` (callers who hung up before queueing,
        not offered).
    intervals_by_queue, days_by_queue
        The same per interval and per day, split by ``queue``; ``None`` when
        the log has no queue column.
    patience
        :class:`PatienceEstimate` over the whole log.
    patience_by_interval, patience_by_day
        :func:`patience_by_period` per interval and per day, with the counts
        behind each estimate (NaN where nobody abandoned).
    handle_time
        :class:`HandleTimeEstimate` over the whole log.
    settings
        The :class:`wfm.kpis.KpiSettings` used.
    summary
        The log's :class:`CallLogSummary`.
    """

    intervals: pd.DataFrame
    days: pd.DataFrame
    months: pd.DataFrame
    intervals_by_queue: pd.DataFrame | None
    days_by_queue: pd.DataFrame | None
    patience: PatienceEstimate
    patience_by_interval: pd.DataFrame
    patience_by_day: pd.DataFrame
    handle_time: HandleTimeEstimate
    settings: KpiSettings
    summary: CallLogSummary

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary: settings, row accounting, estimates, totals."""
        offered = int(self.days["offered"].sum())
        within = int(self.days["answered_within"].sum())
        abandoned = int(self.days["abandoned"].sum())
        return {
            "settings": {
                "interval_minutes": self.settings.interval_minutes,
                "answer_within_seconds": self.settings.answer_within_seconds,
                "short_abandon_seconds": self.settings.short_abandon_seconds,
                "repeat_within_days": self.settings.repeat_within_days,
            },
            "rows": self.summary.to_dict(),
            "totals": {
                "offered": offered,
                "answered": int(self.days["answered"].sum()),
                "abandoned": abandoned,
                "abandoned_before_queue": int(self.days["abandoned_before_queue"].sum()),
                "service_level": within / offered if offered else None,
                "abandon_rate": abandoned / offered if offered else None,
            },
            "patience": self.patience.to_dict(),
            "handle_time": self.handle_time.to_dict(),
        }


def actuals_report(log: CallLog, *, settings: KpiSettings | None = None) -> ActualsReport:
    """KPI tables per interval, day and month and the model estimates of a call log.

    Parameters
    ----------
    log
        A :class:`CallLog` from :func:`read_call_log`.
    settings
        Thresholds and interval length; default :class:`wfm.kpis.KpiSettings()`
        with ``repeat_within_days=7`` when the log has customer ids.

    Returns
    -------
    ActualsReport
    """
    if settings is None:
        repeat = 7.0 if "customer_id" in log.contacts.columns else None
        settings = KpiSettings(repeat_within_days=repeat)
    contacts = log.contacts.drop(columns="line")
    days = kpi_table(contacts, period="day", settings=settings)
    early = log.abandoned_before_queue
    early_days = (
        period_start(early["arrival"], period="day").value_counts().rename("abandoned_before_queue")
        if len(early)
        else pd.Series(dtype=np.int64, name="abandoned_before_queue")
    )
    days = days.merge(early_days, how="outer", left_on="date", right_index=True)
    for col in days.columns:
        if pd.api.types.is_integer_dtype(days[col].dtype) or col == "abandoned_before_queue":
            days[col] = days[col].fillna(0).astype(np.int64)
    days = days.sort_values("date").reset_index(drop=True)
    has_queue = "queue" in contacts.columns
    return ActualsReport(
        intervals=kpi_table(contacts, period="interval", settings=settings),
        days=days,
        months=kpi_table(contacts, period="month", settings=settings),
        intervals_by_queue=(
            kpi_table(contacts, period="interval", settings=settings, by_queue=True)
            if has_queue
            else None
        ),
        days_by_queue=(
            kpi_table(contacts, period="day", settings=settings, by_queue=True)
            if has_queue
            else None
        ),
        patience=estimate_patience(contacts),
        patience_by_interval=patience_by_period(
            contacts, period="interval", interval_minutes=settings.interval_minutes
        ),
        patience_by_day=patience_by_period(contacts, period="day"),
        handle_time=estimate_handle_time(contacts),
        settings=settings,
        summary=log.summary,
    )
