"""Weekly roster of named agents on OR-Tools CP-SAT.

The map of the solver, in the order a problem flows through it::

    problem              wfm.roster.problem     templates, contracts, agents, rules
      -> shift options   wfm.roster.shifts      concrete shifts, once per problem
      -> coverage rows   wfm.roster.coverage    intervals and break windows per option
      -> rule families   wfm.roster.model       the CP-SAT model, a function per family
      -> search phases   wfm.roster.search      greedy, flow start, CP-SAT, LNS
      -> result, report  wfm.roster.result      RosterResult, RosterSummary
                         wfm.roster.report      roster, breaks, coverage, violations

    beside them:         wfm.roster.prechecks   pre-solve checks, explanations
                         wfm.roster.bounds      lower bounds (LP, column generation,
                                                class flow)
                         wfm.roster.checker     independent checker of a written roster

One module a line:

- :mod:`wfm.roster.problem`: the problem objects (templates, contracts, agents).
- :mod:`wfm.roster.shifts`: concrete shifts expanded from the templates, once per problem.
- :mod:`wfm.roster.coverage`: which intervals each shift option covers, with its break windows.
- :mod:`wfm.roster.model`: the CP-SAT model, one function per rule family.
- :mod:`wfm.roster.options`: :class:`SolverOptions` (time limit, workers, seed, determinism, log).
- :mod:`wfm.roster.solve`: :func:`solve`, running the search phases in order.
- :mod:`wfm.roster.search.greedy`: phase 1, the greedy constructive roster.
- :mod:`wfm.roster.search.flow_start`: phase 2, the class-flow starting roster.
- :mod:`wfm.roster.search.cpsat`: hints, their completion and phase 3, the full CP-SAT search.
- :mod:`wfm.roster.search.lns`: phase 4, the large-neighbourhood search.
- :mod:`wfm.roster.result`: the typed :class:`RosterResult` and its summary.
- :mod:`wfm.roster.report`: roster, breaks, coverage and violations tables.
- :mod:`wfm.roster.prechecks`: cheap pre-solve checks and infeasibility explanations.
- :mod:`wfm.roster.bounds.lp`: identity-free lower bound (LP relaxation).
- :mod:`wfm.roster.bounds.column_generation`: per-agent column generation bound.
- :mod:`wfm.roster.bounds.class_flow`: class-flow bound and the networks of agent classes.
- :mod:`wfm.roster.bounds.classes`: classes of interchangeable agents.
- :mod:`wfm.roster.checker`: independent checker of hard rules on a written roster.
- :mod:`wfm.roster.published`: a published roster read back, and hinted as the search's start.
- :mod:`wfm.roster.changes`: :func:`reroster`, minimal-change re-rostering, and the change table.
- :mod:`wfm.roster.allotment`: time-off allotments per day and half-day, requests granted in order.

Statuses are :class:`wfm.status.SolveStatus` (``RosterStatus`` is the same
enum) and gaps :func:`wfm.status.relative_gap`, for rosters and bounds alike.
"""

from wfm.roster.bounds.lp import LowerBound, lower_bound
from wfm.roster.changes import Locks, RosterChanges, reroster
from wfm.roster.checker import check_roster, check_roster_files
from wfm.roster.options import SolverOptions
from wfm.roster.prechecks import Conflict
from wfm.roster.problem import (
    Agent,
    AvailabilityWindow,
    BreakRule,
    Contract,
    Pin,
    PreferDayOff,
    PreferStartWindow,
    PreferTemplate,
    RosterProblem,
    Rule,
    ShiftTemplate,
    TimeOff,
    Weights,
    requirements_from_staffing,
)
from wfm.roster.result import ProgressEvent, RosterResult, RosterStatus, RosterSummary
from wfm.roster.solve import solve

__all__ = [
    "Agent",
    "AvailabilityWindow",
    "BreakRule",
    "Conflict",
    "Contract",
    "Locks",
    "LowerBound",
    "Pin",
    "PreferDayOff",
    "PreferStartWindow",
    "PreferTemplate",
    "ProgressEvent",
    "RosterChanges",
    "RosterProblem",
    "RosterResult",
    "RosterStatus",
    "RosterSummary",
    "Rule",
    "ShiftTemplate",
    "SolverOptions",
    "TimeOff",
    "Weights",
    "check_roster",
    "check_roster_files",
    "lower_bound",
    "requirements_from_staffing",
    "reroster",
    "solve",
]
