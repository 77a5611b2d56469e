"""wfm: contact-centre workforce management.

The pipeline, one module per stage::

    wfm.history       read interval counts or call records, validated
    wfm.forecast      interval forecast of calls and AHT, with backtests
    wfm.erlang        queueing maths (Erlang B, C and A), vectorised
    wfm.service       the service policy: targets, queueing model, shrinkage
    wfm.staffing      per-interval requirements from a forecast and a service policy
    wfm.simulate      discrete-event simulation of a roster's week, with confidence intervals
    wfm.roster        weekly roster of named agents on CP-SAT, its bound and checker
      .bounds         lower bounds, and shift design: which shifts, how many agents on each
    wfm.scenario      a YAML scenario that runs the whole path
    wfm.kpis          service statistics of contacts per interval, day and month
    wfm.actuals       call logs read into contacts; patience, handle times, plan vs actual
    wfm.datasets      seeded synthetic history and roster instance families
    wfm.benchmark     running and measuring roster instances

The most used names are re-exported here.
"""

from __future__ import annotations

__version__ = "0.1.0"

from wfm.actuals import CallLogMapping, actuals_report, plan_vs_actual, read_call_log
from wfm.erlang import (
    AgentRequirement,
    QueueMetrics,
    agents_for_asa,
    agents_for_erlang_a,
    agents_for_erlang_a_fractional,
    agents_for_erlang_c,
    agents_for_erlang_c_fractional,
    agents_for_service_level,
    average_speed_of_answer,
    erlang_a_abandon_probability,
    erlang_a_average_speed_of_answer,
    erlang_a_metrics,
    erlang_a_occupancy,
    erlang_a_requirement,
    erlang_a_service_level,
    erlang_a_wait_probability,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    erlang_c_requirement,
    occupancy,
    service_level,
    traffic_erlangs,
)
from wfm.errors import DataError, ScenarioError, SolverError, ValidationError, WFMError
from wfm.forecast import (
    AutoForecaster,
    SeasonalNaive,
    SmoothedDailyProfile,
    WeekdayProfile,
    backtest,
    make_forecaster,
)
from wfm.history import History, read_call_records, read_interval_counts
from wfm.kpis import KpiSettings, kpi_table
from wfm.roster import (
    Agent,
    AvailabilityWindow,
    BreakRule,
    Contract,
    Pin,
    PreferDayOff,
    PreferStartWindow,
    PreferTemplate,
    RosterProblem,
    RosterResult,
    RosterStatus,
    Rule,
    ShiftTemplate,
    SolverOptions,
    TimeOff,
    Weights,
    check_roster,
    lower_bound,
    requirements_from_staffing,
    solve,
)
from wfm.roster.bounds.shift_design import ShiftDesignProblem, design_shifts
from wfm.scenario import Scenario, load_scenario, write_scenario
from wfm.service import ServicePolicy
from wfm.simulate import (
    AgentSchedule,
    SimulationOptions,
    SimulationProblem,
    SimulationResult,
    run_simulation,
)
from wfm.staffing import performance, requirements, weekly_service_level
from wfm.status import SolveStatus

__all__ = [
    "Agent",
    "AgentRequirement",
    "AgentSchedule",
    "AutoForecaster",
    "AvailabilityWindow",
    "BreakRule",
    "CallLogMapping",
    "Contract",
    "DataError",
    "History",
    "KpiSettings",
    "Pin",
    "PreferDayOff",
    "PreferStartWindow",
    "PreferTemplate",
    "QueueMetrics",
    "RosterProblem",
    "RosterResult",
    "RosterStatus",
    "Rule",
    "Scenario",
    "ScenarioError",
    "SeasonalNaive",
    "ServicePolicy",
    "ShiftDesignProblem",
    "ShiftTemplate",
    "SimulationOptions",
    "SimulationProblem",
    "SimulationResult",
    "SmoothedDailyProfile",
    "SolveStatus",
    "SolverError",
    "SolverOptions",
    "TimeOff",
    "ValidationError",
    "WFMError",
    "WeekdayProfile",
    "Weights",
    "__version__",
    "actuals_report",
    "agents_for_asa",
    "agents_for_erlang_a",
    "agents_for_erlang_a_fractional",
    "agents_for_erlang_c",
    "agents_for_erlang_c_fractional",
    "agents_for_service_level",
    "average_speed_of_answer",
    "backtest",
    "check_roster",
    "design_shifts",
    "erlang_a_abandon_probability",
    "erlang_a_average_speed_of_answer",
    "erlang_a_metrics",
    "erlang_a_occupancy",
    "erlang_a_requirement",
    "erlang_a_service_level",
    "erlang_a_wait_probability",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "erlang_c_requirement",
    "kpi_table",
    "load_scenario",
    "lower_bound",
    "make_forecaster",
    "occupancy",
    "performance",
    "plan_vs_actual",
    "read_call_log",
    "read_call_records",
    "read_interval_counts",
    "requirements",
    "requirements_from_staffing",
    "run_simulation",
    "service_level",
    "solve",
    "traffic_erlangs",
    "weekly_service_level",
    "write_scenario",
]
