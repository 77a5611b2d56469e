"""What one case of a sweep computes, wherever it runs: requirements, roster, simulation.

:func:`run_case` is the task a sweep sends out: it takes a
:class:`~wfm.sweep.cases.SweepCase` and the sweep's :class:`SweepInputs`
(shipped once), rebuilds the case's scenario from the base and the case's
changes, staffs the (scaled) forecast, and, by stage, rosters and simulates.
It never raises: an error of the case comes back in
:attr:`CaseResult.error`, so one failed case does not stop the others. No
solver state leaves the task, only the :class:`CaseResult`.

Determinism: a case's figures depend on its scenario, factors, seeds and
CP-SAT workers only, never on the process that ran it, provided the roster
solve is stopped by its deterministic limit
(``solver.max_deterministic_time``); with a wall-clock limit alone the
roster found depends on how loaded the machine is. The simulation uses the
sweep's seed in every case (common random numbers: the cases differ by
their settings, not by their luck).
"""

from __future__ import annotations

import dataclasses
import math
import socket
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import ValidationError
from wfm.roster.problem import RosterProblem
from wfm.roster.result import RosterResult
from wfm.scenario import ForecastDemand, Scenario
from wfm.status import SolveStatus
from wfm.sweep.cases import DemandTables, Stage, SweepCase, scale_agents

__all__ = [
    "MEASURE_COLUMNS",
    "CaseResult",
    "SimulationSettings",
    "SweepInputs",
    "run_case",
]

#: Longest error text kept for a failed case.
_ERROR_LIMIT = 300


@dataclass(frozen=True, kw_only=True)
class SimulationSettings:
    """How the simulate stage replays each case's roster.

    ``replications`` simulated weeks with ``seed`` (the same in every case),
    exponential handle times, the callers' patience and the shrinkage of the
    case's service policy.
    """

    replications: int = 20
    seed: int = 0

    def __post_init__(self) -> None:
        for name, low in (("replications", 2), ("seed", 0)):
            value = getattr(self, name)
            if not (isinstance(value, int) and not isinstance(value, bool) and value >= low):
                raise ValidationError(name, value, f"a whole number >= {low}")


@dataclass(frozen=True, kw_only=True, eq=False)
class SweepInputs:
    """What every case of a sweep shares, shipped once to each place cases run.

    Attributes
    ----------
    base
        The base scenario (solver workers per case already set).
    demands
        The demand tables, one per distinct demand setting of the cases.
    stage
        The stage every case stops after.
    simulation
        Settings of the simulate stage.
    """

    base: Scenario
    demands: tuple[DemandTables, ...]
    stage: Stage
    simulation: SimulationSettings = field(default_factory=SimulationSettings)


#: Columns of a case's figures in the results table, in order (units in the names).
MEASURE_COLUMNS: tuple[str, ...] = (
    "required_on_phone_agent_hours",
    "required_scheduled_agent_hours",
    "service_level_at_requirement",
    "roster_status",
    "paid_hours",
    "paid_cost",
    "understaffing_agent_hours",
    "overstaffing_agent_hours",
    "service_level_rostered",
    "service_level_simulated",
    "service_level_simulated_low",
    "service_level_simulated_high",
    "solver_workers",
    "error",
    "wall_time_seconds",
    "worker",
)


@dataclass(frozen=True, kw_only=True)
class CaseResult:
    """The figures of one case (``None``: not computed at this stage, or the case failed).

    Attributes
    ----------
    index, settings
        As the case's.
    required_on_phone_agent_hours, required_scheduled_agent_hours
        The requirement summed over the period, on the phone and scheduled
        (after shrinkage), in agent-hours.
    service_level_at_requirement
        Call-weighted service level of the period when exactly the
        requirement is on the phone (Erlang, each interval alone).
    roster_status
        The roster's :class:`~wfm.status.SolveStatus` (roster and simulate
        stages).
    paid_hours, paid_cost, understaffing_agent_hours, overstaffing_agent_hours
        Of the roster (:class:`wfm.roster.RosterSummary`).
    service_level_rostered
        The roster's call-weighted service level (transient queue).
    service_level_simulated, service_level_simulated_low, service_level_simulated_high
        The simulated weekly service level and its 95 % interval.
    solver_workers
        CP-SAT workers of the case's roster solve.
    error
        ``"ErrorType: message"`` when the case failed, else ``None``.
    wall_time_seconds
        Time the case took where it ran.
    worker
        Where it ran (host and process), for the record only.
    """

    index: int
    settings: dict[str, Any]
    required_on_phone_agent_hours: float | None = None
    required_scheduled_agent_hours: float | None = None
    service_level_at_requirement: float | None = None
    roster_status: SolveStatus | None = None
    paid_hours: float | None = None
    paid_cost: float | None = None
    understaffing_agent_hours: float | None = None
    overstaffing_agent_hours: float | None = None
    service_level_rostered: float | None = None
    service_level_simulated: float | None = None
    service_level_simulated_low: float | None = None
    service_level_simulated_high: float | None = None
    solver_workers: int | None = None
    error: str | None = None
    wall_time_seconds: float = 0.0
    worker: str = ""

    @property
    def failed(self) -> bool:
        """Whether the case raised an error."""
        return self.error is not None

    def row(self) -> dict[str, Any]:
        """The case's row: ``case``, its settings, then :data:`MEASURE_COLUMNS`."""
        row: dict[str, Any] = {"case": self.index, **self.settings}
        for name in MEASURE_COLUMNS:
            value = getattr(self, name)
            row[name] = value.value if isinstance(value, SolveStatus) else value
        return row


def failed_result(case: SweepCase, error: BaseException | str, *, worker: str = "") -> CaseResult:
    """The result of a case that raised ``error`` (or was lost), with the error in one line."""
    if isinstance(error, BaseException):
        text = f"{type(error).__name__}: {error}"
    else:
        text = error
    text = " ".join(text.split())
    if len(text) > _ERROR_LIMIT:
        text = text[: _ERROR_LIMIT - 3] + "..."
    return CaseResult(index=case.index, settings=dict(case.settings), error=text, worker=worker)


def where_am_i() -> str:
    """``host:pid`` of this process."""
    import os

    return f"{socket.gethostname()}:{os.getpid()}"


def run_case(case: SweepCase, inputs: SweepInputs) -> CaseResult:
    """Compute one case up to the sweep's stage; errors come back in the result.

    Parameters
    ----------
    case
        The case (its changes to the base scenario and its factors).
    inputs
        The sweep's shared inputs.

    Returns
    -------
    CaseResult
        The case's figures, or its error.
    """
    start = time.perf_counter()
    worker = where_am_i()
    try:
        result = _compute(case, inputs)
    except Exception as exc:  # reported with the case, the others go on
        return dataclasses.replace(
            failed_result(case, exc, worker=worker),
            wall_time_seconds=time.perf_counter() - start,
        )
    return dataclasses.replace(result, wall_time_seconds=time.perf_counter() - start, worker=worker)


def case_scenario(case: SweepCase, base: Scenario) -> Scenario:
    """The scenario of ``case``: the base with the case's changes and headcount."""
    scenario = dataclasses.replace(base, **dict(case.changes)) if case.changes else base
    if case.agents_scale != 1.0:
        scenario = dataclasses.replace(
            scenario, agents=scale_agents(scenario.agents, case.agents_scale)
        )
    if case.aht_scale != 1.0 and isinstance(scenario.demand, ForecastDemand):
        default = scenario.demand.default_aht_seconds
        if default is not None:  # the forecast has no AHT column: scale the one AHT
            demand = dataclasses.replace(
                scenario.demand, default_aht_seconds=default * case.aht_scale
            )
            scenario = dataclasses.replace(scenario, demand=demand)
    return scenario


def scaled_forecast(forecast: pd.DataFrame, case: SweepCase) -> pd.DataFrame:
    """The forecast with the case's calls and AHT factors applied (bands scale with calls)."""
    if case.calls_scale == 1.0 and (case.aht_scale == 1.0 or "aht_seconds" not in forecast):
        return forecast
    out = forecast.copy()
    for column in ("calls", "calls_lower", "calls_upper"):
        if column in out.columns:
            out[column] = out[column] * case.calls_scale
    if "aht_seconds" in out.columns:
        out["aht_seconds"] = out["aht_seconds"] * case.aht_scale
    return out


def _compute(case: SweepCase, inputs: SweepInputs) -> CaseResult:
    scenario = case_scenario(case, inputs.base)
    demand: DemandTables = inputs.demands[case.demand_index]
    staffing: pd.DataFrame | None = None
    if demand.forecast is not None:
        try:
            staffing, requirements = scenario.requirements_from_forecast(
                scaled_forecast(demand.forecast, case)
            )
        except ValidationError as exc:
            if case.calls_scale == 1.0 and case.aht_scale == 1.0:
                raise
            scales = f"calls_scale={case.calls_scale:g}, aht_scale={case.aht_scale:g}"
            raise type(exc)(f"{exc.field} (scaled by {scales})", exc.value, exc.expected) from None
    else:
        assert demand.requirements is not None
        requirements = demand.requirements
    hours = scenario.interval_minutes / 60.0
    figures: dict[str, Any] = {
        "required_scheduled_agent_hours": float(requirements["required_scheduled"].sum() * hours)
    }
    if staffing is not None:
        figures["required_on_phone_agent_hours"] = float(
            staffing["required_on_phone"].sum() * hours
        )
        figures["service_level_at_requirement"] = _call_weighted(
            staffing["service_level"], staffing["calls"]
        )
    if inputs.stage != "requirements":
        figures.update(_roster(scenario, requirements, inputs))
    return CaseResult(index=case.index, settings=dict(case.settings), **figures)


def _roster(scenario: Scenario, requirements: pd.DataFrame, inputs: SweepInputs) -> dict[str, Any]:
    from wfm.roster.solve import solve

    problem = scenario.problem_from_requirements(requirements)
    result = solve(problem, scenario.solver)
    s = result.summary
    figures: dict[str, Any] = {
        "roster_status": s.status,
        "paid_hours": s.paid_hours,
        "paid_cost": s.paid_cost,
        "understaffing_agent_hours": s.understaffing_agent_hours,
        "overstaffing_agent_hours": s.overstaffing_agent_hours,
        "service_level_rostered": s.service_level,
        "solver_workers": scenario.solver.workers,
    }
    if inputs.stage == "simulate" and s.status.has_solution:
        figures.update(_simulate(problem, result, inputs.simulation))
    return figures


def _simulate(
    problem: RosterProblem, result: RosterResult, settings: SimulationSettings
) -> dict[str, Any]:
    from wfm.risk import simulate_result

    if problem.service is None:
        raise ValidationError("service", None, "a service section to simulate the roster against")
    measured = simulate_result(
        problem, result, replications=settings.replications, seed=settings.seed, workers=1
    )
    mean, low, high = measured.summary.service_level
    return {
        "service_level_simulated": float(mean),
        "service_level_simulated_low": float(low),
        "service_level_simulated_high": float(high),
    }


def _call_weighted(levels: pd.Series, calls: pd.Series) -> float | None:
    values = levels.to_numpy(dtype=float)
    weights = calls.to_numpy(dtype=float)
    use = np.isfinite(values) & (weights > 0)
    total = float(weights[use].sum())
    if total <= 0 or not math.isfinite(total):
        return None
    return float((values[use] * weights[use]).sum() / total)
