"""Weekly roster of named agents on OR-Tools CP-SAT.

- :mod:`wfm.roster.problem`: the problem objects (templates, contracts, agents).
- :mod:`wfm.roster.shifts`: concrete shifts expanded from the templates.
- :mod:`wfm.roster.model`: the CP-SAT model, one function per rule family.
- :mod:`wfm.roster.solve`: :func:`solve` and its typed :class:`RosterResult`.
- :mod:`wfm.roster.report`: roster, breaks, coverage and violations tables.
- :mod:`wfm.roster.prechecks`: cheap pre-solve checks and infeasibility explanations.
- :mod:`wfm.roster.bound`: identity-free lower bound (LP relaxation).
- :mod:`wfm.roster.checker`: independent checker of hard rules on a written roster.
"""

from wfm.roster.bound import LowerBound, lower_bound
from wfm.roster.checker import check_roster, check_roster_files
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
from wfm.roster.solve import (
    Conflict,
    ProgressEvent,
    RosterResult,
    RosterStatus,
    RosterSummary,
    solve,
)

__all__ = [
    "Agent",
    "AvailabilityWindow",
    "BreakRule",
    "Conflict",
    "Contract",
    "LowerBound",
    "Pin",
    "PreferDayOff",
    "PreferStartWindow",
    "PreferTemplate",
    "ProgressEvent",
    "RosterProblem",
    "RosterResult",
    "RosterStatus",
    "RosterSummary",
    "Rule",
    "ShiftTemplate",
    "TimeOff",
    "Weights",
    "check_roster",
    "check_roster_files",
    "lower_bound",
    "requirements_from_staffing",
    "solve",
]
