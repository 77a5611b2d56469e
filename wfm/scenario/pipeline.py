"""A loaded scenario and its pipeline: demand -> (forecast -> staffing) -> roster problem."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wfm.errors import DataError, ValidationError
from wfm.queues import QueueSet
from wfm.risk import RiskTarget
from wfm.roster.options import SolverOptions
from wfm.roster.problem import (
    FORMER_COLUMN_NAMES,
    Agent,
    Contract,
    RosterProblem,
    Rule,
    ShiftTemplate,
    Weights,
    requirement_column,
    requirements_from_staffing,
)
from wfm.scenario.settings import (
    Demand,
    ForecastDemand,
    HistoryDemand,
    RequirementsDemand,
)
from wfm.service import ServicePolicy
from wfm.timegrid import parse_stamps

if TYPE_CHECKING:
    from wfm.history import History

__all__ = ["Scenario", "ScenarioRun"]


@dataclass(frozen=True, kw_only=True)
class ScenarioRun:
    """The tables of one run of a scenario's pipeline.

    Attributes
    ----------
    history
        The history read (history demand only).
    forecast
        The forecast of the week (history or forecast demand).
    staffing
        Output of :func:`wfm.staffing.requirements` (history or forecast demand).
    requirements
        Requirements in the roster layout (``interval_start``,
        ``required_scheduled``[, ``calls``, ``aht_seconds``]).
    problem
        The roster problem.
    notes
        Things about the demand worth a look that are not errors (days of
        the week with no row in the demand file, a column read under its
        name before 0.2).
    """

    history: History | None
    forecast: pd.DataFrame | None
    staffing: pd.DataFrame | None
    requirements: pd.DataFrame
    problem: RosterProblem
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, eq=False)
class Scenario:
    """A validated scenario; see the module docstring for the file format.

    Build it with :func:`load_scenario`. Everything the file says has been
    checked; :meth:`build_problem` only reads data files and computes.
    ``service`` is the service policy of the ``service`` section (``None``
    without one), used unchanged for staffing and for the roster problem;
    ``fractional_requirements`` is the section's ``fractional``: roster the
    fractional scheduled requirement instead of the integer one; ``risk``
    is the ``risk`` section (``None`` without one): roster with
    :func:`wfm.risk.roster_for_share` to meet the target in a share of weeks.
    ``agent_details`` holds ``agent_id`` and the HR columns of ``agents.csv``
    (``name``, ``team``, those of ``hr_columns``) as text, ``None`` without
    any; the roster outputs carry them through, unchanged.
    """

    name: str
    path: Path | None
    start_date: dt.date
    days: int
    interval_minutes: int
    demand: Demand
    service: ServicePolicy | None
    templates: tuple[ShiftTemplate, ...]
    contracts: tuple[Contract, ...]
    agents: tuple[Agent, ...]
    weights: Weights = field(default_factory=Weights)
    soft_rules: Mapping[Rule, float] = field(default_factory=dict)
    weekend_days: frozenset[int] = frozenset({5, 6})
    late_shift_ends_after: dt.time = dt.time(20, 0)
    solver: SolverOptions = field(default_factory=SolverOptions)
    description: str = ""
    fractional_requirements: bool = False
    time_zone: str | None = None
    risk: RiskTarget | None = None
    agent_details: pd.DataFrame | None = None
    queues: QueueSet | None = None

    # -- pipeline -------------------------------------------------------------
    def pipeline(self) -> ScenarioRun:
        """Run demand -> (forecast -> staffing) -> roster problem.

        Returns
        -------
        ScenarioRun
            The intermediate tables and the problem.

        Raises
        ------
        wfm.errors.DataError
            A data file has a bad row (the field names the file).
        """
        if self.queues is not None:
            return self._queue_pipeline()
        demand = self.demand
        history: History | None = None
        forecast: pd.DataFrame | None = None
        staffing: pd.DataFrame | None = None
        notes: tuple[str, ...] = ()
        if isinstance(demand, RequirementsDemand):
            requirements, notes = self._read_requirements(demand)
        else:
            if isinstance(demand, HistoryDemand):
                history, forecast = self._forecast_from_history(demand)
                notes += self._history_notes(history, demand)
            else:
                forecast = self._read_forecast(demand)
            staffing, requirements = self.requirements_from_forecast(forecast)
        if not isinstance(demand, HistoryDemand):
            notes += self._days_without_rows(requirements["interval_start"])
        problem = self.problem_from_requirements(requirements)
        return ScenarioRun(
            history=history,
            forecast=forecast,
            staffing=staffing,
            requirements=requirements,
            problem=problem,
            notes=notes,
        )

    def requirements_from_forecast(
        self, forecast: pd.DataFrame
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Staff a forecast of the period with the scenario's service policy.

        The step of :meth:`pipeline` after the forecast, for a forecast made
        or changed elsewhere (a what-if with more calls or a longer AHT, see
        :mod:`wfm.sweep`). With ``demand.forecast.default_aht_seconds`` the
        forecast has no ``aht_seconds`` column (one source of AHT).

        Parameters
        ----------
        forecast
            Forecast layout of :mod:`wfm.forecast` on the scenario's grid.

        Returns
        -------
        tuple of pandas.DataFrame
            The staffing table of :func:`wfm.staffing.requirements` and the
            requirements in the roster layout (``fractional`` as the
            ``service`` section says).

        Raises
        ------
        wfm.errors.ValidationError
            The demand is ``requirements`` (no service policy to staff with).
        wfm.errors.DataError
            A bad forecast row (the field names the demand file).
        """
        if self.service is None:
            raise ValidationError(
                "service",
                None,
                "a service section to staff a forecast with (demand is requirements)",
            )
        aht = self.demand.default_aht_seconds if isinstance(self.demand, ForecastDemand) else None
        staffing = self._staff(forecast, aht)
        return staffing, requirements_from_staffing(
            staffing, fractional=self.fractional_requirements
        )

    def _queue_pipeline(self) -> ScenarioRun:
        """Demand per queue -> requirements per queue (:mod:`wfm.channels`) -> problem."""
        demand = self.demand
        forecast: pd.DataFrame | None = None
        if isinstance(demand, ForecastDemand):
            forecast = self._read_forecast(demand)
            if "queue" not in forecast.columns:
                raise DataError(
                    f"demand.forecast ({demand.path.name})",
                    list(forecast.columns),
                    "a column 'queue' (the scenario has queues)",
                )
            if demand.default_aht_seconds is not None:
                forecast["aht_seconds"] = demand.default_aht_seconds
            staffing = self.queue_requirements_from_forecast(forecast)
        else:
            assert isinstance(demand, RequirementsDemand)  # history is refused on load
            staffing = self._read_queue_requirements(demand)
        notes = self._days_without_rows(staffing["interval_start"])
        problem = self.problem_from_requirements(staffing)
        return ScenarioRun(
            history=None,
            forecast=forecast,
            staffing=staffing,
            requirements=problem.requirements,
            problem=problem,
            notes=notes,
        )

    def queue_requirements_from_forecast(self, forecast: pd.DataFrame) -> pd.DataFrame:
        """Staff a demand-per-queue table with the scenario's queues (:mod:`wfm.channels`).

        Parameters
        ----------
        forecast
            ``interval_start, queue, calls, aht_seconds[, is_open]`` on the
            scenario's grid.

        Returns
        -------
        pandas.DataFrame
            The queue requirements table (``wfm.channels.QUEUE_REQUIREMENT_COLUMNS``).
        """
        from wfm.channels import queue_requirements

        assert self.queues is not None
        try:
            return queue_requirements(forecast, self.queues, interval_minutes=self.interval_minutes)
        except ValidationError as exc:
            raise self._data_error(exc) from None

    def _read_queue_requirements(self, demand: RequirementsDemand) -> pd.DataFrame:
        """A ready-made queue requirements file (the layout ``wfm.roster`` reads)."""
        frame = _read_csv(demand.path, "demand.requirements.path")
        where = f"demand.requirements ({demand.path.name})"
        for name in ("interval_start", "queue"):
            if name not in frame.columns:
                raise DataError(
                    where, list(frame.columns), f"a column {name!r} (the scenario has queues)"
                )
        if demand.column is not None:
            raise DataError(
                "demand.requirements.column",
                demand.column,
                "nothing with queues (the columns are required_scheduled and "
                "work_scheduled_agent_hours)",
            )
        frame["interval_start"] = _timestamps(frame["interval_start"], demand, self.time_zone)
        return frame

    def build_problem(self) -> RosterProblem:
        """The roster problem of the scenario (runs :meth:`pipeline`)."""
        return self.pipeline().problem

    def problem_from_requirements(self, requirements: pd.DataFrame) -> RosterProblem:
        """The roster problem of the scenario on the given requirements table.

        Parameters
        ----------
        requirements
            Requirements in the roster layout (``interval_start``,
            ``required_scheduled``[, ``calls``, ``aht_seconds``]); with
            ``queues``, the queue requirements table (``interval_start,
            queue, required_scheduled, work_scheduled_agent_hours``, ...).

        Returns
        -------
        RosterProblem
            The problem; a bad requirements row is a
            :class:`wfm.errors.DataError` naming the demand file.
        """
        demand: dict[str, Any] = (
            {"requirements": requirements}
            if self.queues is None
            else {"queues": self.queues, "queue_requirements": requirements}
        )
        try:
            return RosterProblem(
                start_date=self.start_date,
                **demand,
                templates=self.templates,
                contracts=self.contracts,
                agents=self.agents,
                days=self.days,
                interval_minutes=self.interval_minutes,
                weights=self.weights,
                soft_rules=self.soft_rules,
                weekend_days=self.weekend_days,
                late_shift_ends_after=self.late_shift_ends_after,
                service=self.service,
                time_zone=self.time_zone,
            )
        except DataError as exc:
            raise self._data_error(exc) from None

    def _days_without_rows(self, starts: pd.Series) -> tuple[str, ...]:
        """A note naming the days of the week that have no row in the demand file.

        Intervals absent from the requirements need no agents; a whole day
        absent is more often a truncated file than a closed day, so it is
        reported rather than passed over.
        """
        stamps = pd.to_datetime(starts)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)  # local wall-clock dates of the zone
        present = set(stamps.dt.date)
        days = (self.start_date + dt.timedelta(days=d) for d in range(self.days))
        missing = [day.isoformat() for day in days if day not in present]
        if not missing:
            return ()
        return (
            f"demand.{_demand_key(self.demand)} ({self.demand.path.name}) has no rows on "
            f"{', '.join(missing)}: rostered as closed (no agents needed)",
        )

    def _data_error(self, exc: ValidationError) -> DataError:
        source = _demand_key(self.demand)
        field = exc.field
        if not isinstance(self.demand, HistoryDemand):
            field = _row_to_line(field)  # the table rows are the file's data lines
        value = exc.value.item() if isinstance(exc.value, np.generic) else exc.value
        return DataError(f"demand.{source} ({self.demand.path.name}): {field}", value, exc.expected)

    def _forecast_from_history(self, demand: HistoryDemand) -> tuple[History, pd.DataFrame]:
        from wfm.forecast import make_forecaster
        from wfm.history import read_interval_counts

        try:
            history = read_interval_counts(
                demand.path,
                interval_minutes=self.interval_minutes,
                end=pd.Timestamp(self.start_date),
                time_zone=self.time_zone,
            )
            forecaster = make_forecaster(demand.method, **demand.forecaster_params())
            forecaster.fit(history)
            forecast = forecaster.predict(pd.Timestamp(self.start_date), self.days)
        except ValidationError as exc:
            raise self._data_error(exc) from None
        return history, forecast

    def _history_notes(self, history: History, demand: HistoryDemand) -> tuple[str, ...]:
        """Say which history rows the forecast left out: those on or after the period's start."""
        left_out = {
            reason: count
            for reason, count in history.summary.excluded.items()
            if reason.startswith("on or after")
        }
        return tuple(
            f"demand.history ({demand.path.name}): {count} rows {reason} left out: the "
            "forecast is fitted on the history before the planning period"
            for reason, count in left_out.items()
        )

    def _read_forecast(self, demand: ForecastDemand) -> pd.DataFrame:
        frame = _read_csv(demand.path, "demand.forecast.path")
        for column in ("interval_start", "calls"):
            if column not in frame.columns:
                raise DataError(
                    f"demand.forecast ({demand.path.name})",
                    list(frame.columns),
                    f"a column {column!r}",
                )
        if "aht_seconds" not in frame.columns and demand.default_aht_seconds is None:
            raise DataError(
                f"demand.forecast ({demand.path.name})",
                list(frame.columns),
                "a column 'aht_seconds' or demand.forecast.default_aht_seconds",
            )
        frame["interval_start"] = _timestamps(frame["interval_start"], self.demand, self.time_zone)
        _check_grid(frame["interval_start"], self.interval_minutes, self.demand)
        if "is_open" in frame.columns:
            frame["is_open"] = _booleans(frame["is_open"], self.demand)
        return frame

    def _staff(self, forecast: pd.DataFrame, aht_seconds: float | None) -> pd.DataFrame:
        from wfm.staffing import requirements

        assert self.service is not None  # checked on load
        kwargs: dict[str, Any] = {"policy": self.service, "interval_minutes": self.interval_minutes}
        if aht_seconds is not None:
            kwargs["aht_seconds"] = aht_seconds
        try:
            staffing: pd.DataFrame = requirements(forecast, **kwargs)
        except ValidationError as exc:
            raise self._data_error(exc) from None
        return staffing

    def _read_requirements(
        self, demand: RequirementsDemand
    ) -> tuple[pd.DataFrame, tuple[str, ...]]:
        """The requirements file in the roster layout, and a note if it has a former column name."""
        frame = _read_csv(demand.path, "demand.requirements.path")
        where = f"demand.requirements ({demand.path.name})"
        column = demand.column
        notes: tuple[str, ...] = ()
        if column is None:
            found = requirement_column(frame.columns, "required_scheduled")
            if found is None:
                former = " or ".join(repr(c) for c in FORMER_COLUMN_NAMES["required_scheduled"])
                raise DataError(
                    where,
                    list(frame.columns),
                    f"a column 'required_scheduled' (or demand.requirements.column; the former "
                    f"names {former} are read too)",
                )
            column, note = found
            if note is not None:
                notes = (f"{where}: {note}",)
        for name in ("interval_start", column):
            if name not in frame.columns:
                raise DataError(where, list(frame.columns), f"a column {name!r}")
        out = pd.DataFrame(
            {
                "interval_start": _timestamps(frame["interval_start"], demand, self.time_zone),
                "required_scheduled": frame[column],
            }
        )
        spacing = _coarser_spacing(out["interval_start"], self.interval_minutes)
        if spacing is not None:
            notes = (
                *notes,
                f"{where}: rows at least {spacing} minutes apart on the scenario's "
                f"{self.interval_minutes}-minute grid: the intervals between them need no "
                "agents (if the file is on a coarser grid, resample it or set interval_minutes)",
            )
        for extra in ("calls", "aht_seconds"):
            if extra in frame.columns and extra != column:
                out[extra] = frame[extra]
        return out, notes


def _demand_key(demand: Demand) -> str:
    if isinstance(demand, HistoryDemand):
        return "history"
    if isinstance(demand, ForecastDemand):
        return "forecast"
    return "requirements"


def _read_csv(path: Path, where: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{where} ({path.name})", str(exc).strip(), "a CSV file") from None


def _timestamps(column: pd.Series, demand: Demand, time_zone: str | None) -> pd.Series:
    """The ``interval_start`` column parsed; with a time zone, tz-aware in that zone.

    With a zone, timestamps with UTC offsets (one or several: a file across a
    clock change has two) are converted to it and naive ones are read as its
    local time (:func:`wfm.timegrid.localize_naive`).
    """
    where = f"demand.{_demand_key(demand)} ({demand.path.name}): interval_start"
    # ISO only, as the history reader: "05/01/2027 08:00" would be read month-first
    stamps = parse_stamps(column, time_zone, where=where)
    bad = stamps.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(
            f"{where}[line {row + 2}]", column.iloc[row], "a timestamp YYYY-MM-DD HH:MM"
        )
    return stamps


def _check_grid(stamps: pd.Series, interval_minutes: int, demand: Demand) -> None:
    """A forecast file on a coarser grid than the scenario's is an error.

    Intervals absent from the table need no agents, so a 30-minute forecast
    read on a 15-minute grid would silently leave every other interval
    unstaffed. (A requirements file may list only the intervals that need
    agents; one whose rows are never neighbours gets a note instead.)
    """
    spacing = _coarser_spacing(stamps, interval_minutes)
    if spacing is not None:
        raise DataError(
            f"demand.{_demand_key(demand)} ({demand.path.name}): interval_start",
            f"rows at least {spacing} minutes apart",
            f"a row per {interval_minutes}-minute interval (interval_minutes of the scenario); "
            "set interval_minutes to the file's grid or resample the file",
        )


def _coarser_spacing(stamps: pd.Series, interval_minutes: int) -> int | None:
    """The least spacing of rows within a day when it exceeds ``interval_minutes``, else None."""
    if len(stamps) < 2:
        return None
    ordered = stamps.sort_values()
    naive = ordered.dt.tz_localize(None) if ordered.dt.tz is not None else ordered
    local_days = naive.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    # elapsed time between rows: a tz-aware column spans its clock changes exactly
    elapsed = ordered.dt.tz_convert("UTC").dt.tz_localize(None) if ordered.dt.tz else ordered
    values = elapsed.to_numpy(dtype="datetime64[ns]")
    same_day = local_days[1:] == local_days[:-1]
    gaps = (values[1:] - values[:-1])[same_day] // pd.Timedelta(minutes=1).to_timedelta64()
    gaps = gaps[gaps > 0]
    if gaps.size and int(gaps.min()) > interval_minutes:
        return int(gaps.min())
    return None


def _row_to_line(field: str) -> str:
    """``calls[row 40]`` (0-based table row) -> ``calls[line 42]`` (line of the CSV file)."""
    return re.sub(r"\[row (\d+)\]", lambda m: f"[line {int(m.group(1)) + 2}]", field)


def _booleans(column: pd.Series, demand: Demand) -> pd.Series:
    if column.dtype == bool:
        return column
    mapping = {"true": True, "false": False, "1": True, "0": False}
    values = column.astype(str).str.strip().str.lower().map(mapping)
    bad = values.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(
            f"demand.{_demand_key(demand)} ({demand.path.name}): is_open[line {row + 2}]",
            column.iloc[row],
            "True or False",
        )
    return values.astype(bool)
