"""A plan (forecast, requirements or roster coverage) beside what happened."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.errors import DataError
from wfm.kpis import KpiSettings, kpi_table, period_start, read_timestamps
from wfm.tables import read_csv_file

__all__ = ["PLAN_COLUMNS", "PlanVsActual", "plan_vs_actual", "read_plan_csv"]


#: Plan columns read by :func:`plan_vs_actual`, by role, in order of preference.
#: Agents on the phone: a roster coverage's ``coverage_on_phone`` first, else a
#: requirements table's ``required_on_phone``.
PLAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "calls": ("calls",),
    "aht_seconds": ("aht_seconds",),
    "agents": ("coverage_on_phone", "required_on_phone"),
    "service_level": ("service_level",),
}


@dataclass(frozen=True, kw_only=True)
class PlanVsActual:
    """A plan beside what happened, per interval and per day.

    Attributes
    ----------
    intervals
        One row per interval of the plan or of the actuals: ``interval_start``,
        ``match`` (``"both"``, ``"plan_only"``: no contact arrived and no
        agent was busy, ``"actual_only"``: not in the plan), then
        ``forecast_calls``, ``actual_offered``, ``forecast_aht_seconds``,
        ``actual_aht_seconds``, ``planned_agents``, ``actual_agents_served``,
        ``predicted_service_level``, ``actual_service_level`` (columns of the
        plan it does not have are left out).
    days
        Per ``date``: the sums of calls and offered; AHT weighted by calls
        (forecast) and over answered contacts (actual); ``planned_agent_hours``
        and ``actual_agent_hours`` (agents x interval hours, the actual from
        agents served); predicted service level weighted by forecast calls
        and the actual day's service level.
    plan_only, actual_only
        Intervals found on one side only.
    agents_column
        The plan column read as planned agents (``None`` if none).
    """

    intervals: pd.DataFrame
    days: pd.DataFrame
    plan_only: int
    actual_only: int
    agents_column: str | None


def read_plan_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a forecast, requirements or coverage CSV for :func:`plan_vs_actual`.

    ``interval_start`` is parsed with :func:`wfm.kpis.read_timestamps`:
    naive text stays naive, timestamps with UTC offsets (one or several, as
    ``wfm`` writes a table across a clock change) become instants.

    Raises
    ------
    DataError
        No ``interval_start`` column, no rows, or a value that is not a
        timestamp (naming its line; the header is line 1).
    """
    frame = read_csv_file(path, what="a plan CSV file with a header row")
    if "interval_start" not in frame.columns:
        raise DataError("plan", sorted(map(str, frame.columns)), "an interval_start column")
    if frame.empty:
        raise DataError("plan", str(path), "at least one interval (the file has a header only)")
    raw = frame["interval_start"]
    stamps = read_timestamps(raw, where="interval_start")
    missing = stamps.isna().to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise DataError(f"interval_start[line {i + 2}]", raw.iloc[i], "an ISO 8601 timestamp")
    frame["interval_start"] = stamps
    return frame


def _calls_weighted(merged: pd.DataFrame, column: str, day: pd.Series) -> pd.Series:
    """Per day, the mean of ``column`` weighted by the forecast calls (NaN without calls)."""
    calls = merged["forecast_calls"]
    total = calls.groupby(day).sum(min_count=1)
    return (calls * merged[column]).groupby(day).sum(min_count=1) / total.where(total > 0)


def _plan_role(plan: pd.DataFrame, role: str) -> str | None:
    return next((c for c in PLAN_COLUMNS[role] if c in plan.columns), None)


def plan_vs_actual(
    plan: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    settings: KpiSettings | None = None,
) -> PlanVsActual:
    """Lay a forecast, requirements or roster coverage beside the actuals.

    Parameters
    ----------
    plan
        One row per interval with ``interval_start`` and any of ``calls``,
        ``aht_seconds``, agents (first found of
        :data:`PLAN_COLUMNS` ``["agents"]``) and ``service_level``: a
        forecast, a requirements table or a roster's coverage table.
    contacts
        Contacts layout of :mod:`wfm.kpis` for the same period. With tz-aware
        arrivals the plan's intervals are matched by instant: its
        ``interval_start`` with UTC offsets (or tz-aware) is converted to the
        contacts' zone, naive ones are local times of it; days are local
        calendar days. With naive arrivals a plan with offsets keeps its
        wall-clock times.
    settings
        KPI settings; ``interval_minutes`` must be the plan's interval.

    Returns
    -------
    PlanVsActual

    Raises
    ------
    DataError
        No ``interval_start``, duplicate or off-grid starts, non-numeric plan
        values.
    """
    settings = KpiSettings() if settings is None else settings
    if not isinstance(plan, pd.DataFrame) or "interval_start" not in plan.columns:
        raise DataError("plan", type(plan).__name__, "a table with an interval_start column")
    arrival = contacts.get("arrival") if isinstance(contacts, pd.DataFrame) else None
    aware = isinstance(getattr(arrival, "dtype", None), pd.DatetimeTZDtype)
    zone = arrival.dt.tz if aware and arrival is not None else None
    if zone is None:
        starts = pd.to_datetime(plan["interval_start"], errors="coerce")
        if isinstance(starts.dtype, pd.DatetimeTZDtype):
            starts = starts.dt.tz_localize(None)
        starts = starts.astype("datetime64[ns]")
    else:
        starts = read_timestamps(plan["interval_start"], time_zone=zone, where="interval_start")
    if starts.isna().any():
        pos = int(np.flatnonzero(starts.isna().to_numpy())[0])
        raise DataError(
            f"interval_start[row {pos}]",
            plan["interval_start"].iloc[pos],
            "a timestamp" if zone is None else f"a timestamp that exists in {zone}",
        )
    minutes = settings.interval_minutes
    wall = starts if zone is None else starts.dt.tz_localize(None)
    off = (wall != wall.dt.floor(f"{minutes}min")).to_numpy()
    if off.any():
        pos = int(np.flatnonzero(off)[0])
        raise DataError(
            f"interval_start[row {pos}]",
            str(starts.iloc[pos]),
            f"a start on the {minutes}-minute grid (the actuals' interval)",
        )
    dup = starts.duplicated().to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        raise DataError(f"interval_start[row {pos}]", str(starts.iloc[pos]), "each start once")
    names = {
        "calls": "forecast_calls",
        "aht_seconds": "forecast_aht_seconds",
        "agents": "planned_agents",
        "service_level": "predicted_service_level",
    }
    mine = pd.DataFrame({"interval_start": starts.to_numpy() if zone is None else starts.array})
    for role, out_name in names.items():
        column = _plan_role(plan, role)
        if column is None:
            continue
        values = pd.to_numeric(plan[column], errors="coerce")
        bad = (values.isna() & plan[column].notna()).to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise DataError(f"{column}[row {pos}]", plan[column].iloc[pos], "a number")
        mine[out_name] = values.to_numpy(dtype=float)
    actual = kpi_table(contacts, period="interval", settings=settings)
    theirs = pd.DataFrame(
        {
            "interval_start": actual["interval_start"],
            "actual_offered": actual["offered"],
            "actual_answered": actual["answered"],
            "actual_answered_within": actual["answered_within"],
            "actual_aht_seconds": actual["aht_seconds"],
            "actual_service_level": actual["service_level"],
        }
    )
    if "agents_served" in actual.columns:
        theirs["actual_agents_served"] = actual["agents_served"]
    merged = mine.merge(theirs, on="interval_start", how="outer", indicator="match")
    merged["match"] = (
        merged["match"]
        .astype(str)
        .map({"both": "both", "left_only": "plan_only", "right_only": "actual_only"})
    )
    merged = merged.sort_values("interval_start").reset_index(drop=True)
    counts = ["actual_offered", "actual_answered", "actual_answered_within"]
    if "actual_agents_served" in merged.columns:
        counts.append("actual_agents_served")
    merged[counts] = merged[counts].fillna(0).astype(np.int64)
    order = ["interval_start", "match"] + [
        c
        for c in (
            "forecast_calls",
            "actual_offered",
            "forecast_aht_seconds",
            "actual_aht_seconds",
            "planned_agents",
            "actual_agents_served",
            "predicted_service_level",
            "actual_service_level",
        )
        if c in merged.columns
    ]
    intervals = merged[order]

    hours = minutes / 60.0
    day_key = period_start(merged["interval_start"], period="day").rename("date")
    grouped = merged.groupby(day_key)
    days = pd.DataFrame(index=grouped.size().index)
    actual_days = kpi_table(contacts, period="day", settings=settings).set_index("date")
    if "forecast_calls" in merged.columns:
        days["forecast_calls"] = grouped["forecast_calls"].sum(min_count=1)
    days["actual_offered"] = grouped["actual_offered"].sum()
    if "forecast_aht_seconds" in merged.columns and "forecast_calls" in merged.columns:
        days["forecast_aht_seconds"] = _calls_weighted(merged, "forecast_aht_seconds", day_key)
    days["actual_aht_seconds"] = actual_days["aht_seconds"].reindex(days.index)
    if "planned_agents" in merged.columns:
        days["planned_agent_hours"] = grouped["planned_agents"].sum(min_count=1) * hours
    if "actual_agents_served" in merged.columns:
        days["actual_agent_hours"] = grouped["actual_agents_served"].sum() * hours
    if "predicted_service_level" in merged.columns and "forecast_calls" in merged.columns:
        days["predicted_service_level"] = _calls_weighted(
            merged, "predicted_service_level", day_key
        )
    days["actual_service_level"] = actual_days["service_level"].reindex(days.index)
    days = days.reset_index()
    return PlanVsActual(
        intervals=intervals,
        days=days,
        plan_only=int((merged["match"] == "plan_only").sum()),
        actual_only=int((merged["match"] == "actual_only").sum()),
        agents_column=_plan_role(plan, "agents"),
    )
