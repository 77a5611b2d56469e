"""Discrete-event simulation of a contact-centre queue over a roster or a staffing profile.

The simulator has three parts that never mix (as in Buist and L'Ecuyer's
ContactCenters):

    wfm.simulate.model        what is simulated: demand, agents' on-duty spans,
                              handle times, patience, shrinkage (validated)
    wfm.simulate.engine       what a replication is and how calls are served
    wfm.simulate.statistics   what is measured: per interval, day and week,
                              with confidence intervals over replications
"""

from __future__ import annotations

from wfm.simulate.engine import Replication, SimulationOptions, run_replications
from wfm.simulate.model import (
    AgentSchedule,
    HandleTimes,
    Patience,
    Shrinkage,
    SimulationProblem,
)
from wfm.simulate.statistics import (
    MEASURES,
    SimulationResult,
    SimulationSummary,
    contacts_table,
    mean_confidence_interval,
    run_simulation,
    student_t_quantile,
    wilson_interval,
)

__all__ = [
    "MEASURES",
    "AgentSchedule",
    "HandleTimes",
    "Patience",
    "Replication",
    "Shrinkage",
    "SimulationOptions",
    "SimulationProblem",
    "SimulationResult",
    "SimulationSummary",
    "contacts_table",
    "mean_confidence_interval",
    "run_replications",
    "run_simulation",
    "student_t_quantile",
    "wilson_interval",
]
