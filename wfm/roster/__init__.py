"""Weekly roster of named agents on OR-Tools CP-SAT.

- :mod:`wfm.roster.problem`: the problem objects (templates, contracts, agents).
- :mod:`wfm.roster.shifts`: concrete shifts expanded from the templates.
"""

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
    ServiceSettings,
    ShiftTemplate,
    TimeOff,
    Weights,
    requirements_from_staffing,
)

__all__ = [
    "Agent",
    "AvailabilityWindow",
    "BreakRule",
    "Contract",
    "Pin",
    "PreferDayOff",
    "PreferStartWindow",
    "PreferTemplate",
    "RosterProblem",
    "Rule",
    "ServiceSettings",
    "ShiftTemplate",
    "TimeOff",
    "Weights",
    "requirements_from_staffing",
]
