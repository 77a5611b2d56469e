"""Read a roster output directory and judge its service level honestly.

The tables are the ones :meth:`wfm.roster.result.RosterResult.write` writes;
each is checked for the columns the views use before any work starts.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import ValidationError, WFMError
from wfm.kpis import read_timestamps

__all__ = [
    "REQUIRED_COLUMNS",
    "RosterOutput",
    "ServiceVerdict",
    "flagged_intervals",
    "read_roster_output",
    "read_time_column",
    "read_with_text_columns",
    "service_verdict",
]

#: Columns each table must have; optional tables are read only when present.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "roster.csv": ("agent_id", "date", "template", "start", "end", "paid_minutes"),
    "breaks.csv": ("agent_id", "date", "break", "start", "end", "paid"),
    "coverage.csv": (
        "interval_start",
        "required_scheduled",
        "coverage_scheduled",
        "coverage_on_phone",
        "calls",
        "aht_seconds",
        "service_level",
    ),
    "violations.csv": ("rule", "amount", "unit", "penalty"),
    "forecast.csv": ("interval_start", "calls"),
    "history.csv": ("interval_start", "calls"),
    "agents.csv": ("agent_id",),
}

_TIMES = {
    "roster.csv": ("start", "end"),
    "breaks.csv": ("start", "end"),
    "coverage.csv": ("interval_start",),
    "forecast.csv": ("interval_start",),
    "history.csv": ("interval_start",),
}
_OPTIONAL = ("forecast.csv", "history.csv", "agents.csv")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RosterOutput:
    """The tables of one roster output directory.

    Parameters
    ----------
    directory
        Where the tables were read from.
    roster, breaks, coverage, violations
        The written tables, times parsed.
    summary
        ``summary.json`` as a dictionary.
    forecast
        ``forecast.csv`` when the run forecast the week, else ``None``.
    history
        ``history.csv`` (the history the forecast was fitted on) when the run
        read one, else ``None``.
    agents
        ``agents.csv`` (``agent_id`` plus ``contract`` and HR columns such as
        ``name``, ``team``) when present, else ``None``.
    """

    directory: Path
    roster: pd.DataFrame
    breaks: pd.DataFrame
    coverage: pd.DataFrame
    violations: pd.DataFrame
    summary: dict[str, Any]
    forecast: pd.DataFrame | None = None
    history: pd.DataFrame | None = None
    agents: pd.DataFrame | None = None

    @property
    def interval_minutes(self) -> float:
        """Length of one interval of ``coverage`` in minutes."""
        starts = self.coverage["interval_start"]
        if len(starts) < 2:
            return 15.0
        return float((starts.iloc[1] - starts.iloc[0]).total_seconds() / 60.0)

    @property
    def target_level(self) -> float | None:
        """The service-level target of the run, if it had one."""
        value = self.summary.get("service_target_level")
        return None if value is None else float(value)


def read_with_text_columns(path: Path, text: frozenset[str] | set[str]) -> pd.DataFrame:
    """A written CSV table whose columns in ``text`` (ids, HR columns) stay text as written.

    Those columns keep every value as it stands (``007`` stays ``007``, an
    empty cell stays empty); the other columns are parsed as pandas does,
    an empty cell being missing.
    """
    header = pd.read_csv(path, nrows=0).columns
    return pd.read_csv(
        path,
        dtype={c: str for c in header if c in text},
        keep_default_na=False,
        na_values={c: [""] for c in header if c not in text},
    )


def _read_table(
    directory: Path,
    name: str,
    *,
    required: bool,
    text: frozenset[str] = frozenset(),
    time_zone: str | None = None,
) -> pd.DataFrame | None:
    """Read ``name``; columns in ``text`` (ids, HR columns) stay text as written; times with
    UTC offsets are instants in ``time_zone`` (the roster's), naive ones stay naive."""
    path = directory / name
    if not path.exists():
        if required:
            raise ValidationError(
                "OUTDIR", str(directory), f"a roster output directory with {name}"
            )
        return None
    if name == "agents.csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    else:
        frame = read_with_text_columns(path, text)
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in frame.columns]
    if missing:
        raise ValidationError(f"{name} columns", ", ".join(missing), "present")
    for column in _TIMES.get(name, ()):
        frame[column] = read_time_column(
            frame[column], time_zone=time_zone, where=f"{name} {column}"
        )
    return frame


def read_time_column(values: pd.Series, *, time_zone: str | None, where: str) -> pd.Series:
    """A written time column: naive as written, or with UTC offsets (two across a clock
    change) the same instants in ``time_zone`` (:func:`wfm.kpis.read_timestamps`)."""
    try:
        stamps = read_timestamps(values, time_zone=time_zone, where=where)
    except WFMError:
        raise
    except (ValueError, TypeError) as exc:
        raise ValidationError(where, "unparseable", "date-times") from exc
    bad = stamps.isna() & values.notna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise ValidationError(f"{where}[row {row}]", values.iloc[row], "a date-time")
    return stamps


def read_roster_output(directory: str | Path) -> RosterOutput:
    """Read and validate the tables of ``wfm roster -o DIRECTORY``.

    Raises
    ------
    wfm.errors.ValidationError
        When the directory is missing a table or a table a column.
    """
    where = Path(directory)
    if not where.is_dir():
        raise ValidationError("OUTDIR", str(where), "an existing directory")
    summary_path = where / "summary.json"
    if not summary_path.exists():
        raise ValidationError("OUTDIR", str(where), "a roster output directory with summary.json")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    zone = summary.get("time_zone") if isinstance(summary, dict) else None
    zone = zone if isinstance(zone, str) else None
    agents = _read_table(where, "agents.csv", required=False)
    # ids and HR columns stay text: a team "007" is not the number 7
    text = frozenset({"agent_id", *([] if agents is None else agents.columns)})
    tables = {
        name: agents
        if name == "agents.csv"
        else _read_table(where, name, required=name not in _OPTIONAL, text=text, time_zone=zone)
        for name in REQUIRED_COLUMNS
    }

    def table(name: str) -> pd.DataFrame:
        frame = tables[name]
        assert frame is not None
        return frame

    return RosterOutput(
        directory=where,
        roster=table("roster.csv"),
        breaks=table("breaks.csv"),
        coverage=table("coverage.csv"),
        violations=table("violations.csv"),
        summary=summary,
        forecast=tables["forecast.csv"],
        history=tables["history.csv"],
        agents=tables["agents.csv"],
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ServiceVerdict:
    """What the weekly service level hides.

    Parameters
    ----------
    week_service_level
        Calls-weighted service level of the week (``None`` without calls).
    target_level
        The target, or ``None``.
    intervals_with_calls
        Intervals with forecast calls.
    intervals_below_target
        Intervals with calls whose service level is below the target.
    intervals_overloaded
        Intervals where the agents on the phone do not exceed the offered
        traffic (calls x AHT / interval length, in Erlangs): the queue grows
        without bound there, whatever the service level says.
    worst_interval_service_level
        The lowest service level of an interval with calls.
    lowest_day, lowest_day_service_level
        The day with the lowest calls-weighted service level, and that level.
    """

    week_service_level: float | None
    target_level: float | None
    intervals_with_calls: int
    intervals_below_target: int
    intervals_overloaded: int
    worst_interval_service_level: float | None
    lowest_day: str | None
    lowest_day_service_level: float | None

    @property
    def meets_target(self) -> bool:
        """True only when the week meets the target and no interval is overloaded."""
        if self.target_level is None or self.week_service_level is None:
            return False
        return (
            self.week_service_level >= self.target_level - 1e-9 and self.intervals_overloaded == 0
        )


def _annotated(coverage: pd.DataFrame, *, interval_minutes: float) -> pd.DataFrame:
    frame = coverage.copy()
    frame["traffic_erlangs"] = frame["calls"] * frame["aht_seconds"] / (60.0 * interval_minutes)
    has_calls = frame["calls"] > 0
    frame["overloaded"] = has_calls & (frame["coverage_on_phone"] <= frame["traffic_erlangs"])
    frame["has_calls"] = has_calls
    return frame


def flagged_intervals(output: RosterOutput) -> pd.DataFrame:
    """Intervals with calls below the target or overloaded, worst first.

    Columns: ``interval_start, calls, traffic_erlangs, required_scheduled,
    coverage_scheduled, coverage_on_phone, service_level, below_target,
    overloaded``.
    """
    frame = _annotated(output.coverage, interval_minutes=output.interval_minutes)
    target = output.target_level
    level = frame["service_level"].fillna(0.0)
    below = frame["has_calls"] & (level < (target if target is not None else -1.0) - 1e-9)
    frame["below_target"] = below
    keep = frame[below | frame["overloaded"]].sort_values(["service_level", "interval_start"])
    columns = [
        "interval_start",
        "calls",
        "traffic_erlangs",
        "required_scheduled",
        "coverage_scheduled",
        "coverage_on_phone",
        "service_level",
        "below_target",
        "overloaded",
    ]
    return keep[columns].reset_index(drop=True)


def service_verdict(output: RosterOutput) -> ServiceVerdict:
    """Judge the roster's service level interval by interval and day by day."""
    frame = _annotated(output.coverage, interval_minutes=output.interval_minutes)
    with_calls = frame[frame["has_calls"]].copy()
    with_calls["service_level"] = with_calls["service_level"].fillna(0.0)
    flags = flagged_intervals(output)
    if with_calls.empty:
        return ServiceVerdict(
            week_service_level=None,
            target_level=output.target_level,
            intervals_with_calls=0,
            intervals_below_target=0,
            intervals_overloaded=0,
            worst_interval_service_level=None,
            lowest_day=None,
            lowest_day_service_level=None,
        )
    weights = with_calls["calls"].to_numpy(dtype=float)
    levels = with_calls["service_level"].to_numpy(dtype=float)
    with_calls["answered_in_time"] = weights * levels
    by_day = with_calls.groupby(with_calls["interval_start"].dt.date)[
        ["answered_in_time", "calls"]
    ].sum()
    day_levels = by_day["answered_in_time"] / by_day["calls"]
    lowest = day_levels.idxmin()
    return ServiceVerdict(
        week_service_level=float(np.dot(weights, levels) / weights.sum()),
        target_level=output.target_level,
        intervals_with_calls=len(with_calls),
        intervals_below_target=int(flags["below_target"].sum()),
        intervals_overloaded=int(flags["overloaded"].sum()),
        worst_interval_service_level=float(levels.min()),
        lowest_day=pd.Timestamp(lowest).strftime("%a %Y-%m-%d"),
        lowest_day_service_level=float(day_levels.min()),
    )
