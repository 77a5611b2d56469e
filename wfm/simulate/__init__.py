"""Discrete-event simulation of a contact-centre queue over a roster or a staffing profile.

The simulator has three parts that never mix (as in Buist and L'Ecuyer's
ContactCenters):

    wfm.simulate.model        what is simulated: demand, agents' on-duty spans,
                              handle times, patience, shrinkage (validated)
    wfm.simulate.engine       what a replication is and how calls are served
    wfm.simulate.statistics   what is measured: per interval, day and week,
                              with confidence intervals over replications

and, for a centre of several queues served by agents with skills, the same
three parts again:

    wfm.simulate.multiskill             queues, demand per queue, agents' skills
    wfm.simulate.routing                skill-based routing, chat sessions and an
                                        e-mail backlog, event by event
    wfm.simulate.multiskill_statistics  per-queue KPI tables and a summary per queue
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
from wfm.simulate.multiskill import QUEUE_DEMAND_COLUMNS, MultiSkillProblem
from wfm.simulate.multiskill_statistics import (
    QUEUE_SUMMARY_COLUMNS,
    MultiSkillResult,
    multiskill_contacts_table,
    run_multiskill_simulation,
)
from wfm.simulate.routing import MultiSkillReplication, run_multiskill_replications
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
    "QUEUE_DEMAND_COLUMNS",
    "QUEUE_SUMMARY_COLUMNS",
    "AgentSchedule",
    "HandleTimes",
    "MultiSkillProblem",
    "MultiSkillReplication",
    "MultiSkillResult",
    "Patience",
    "Replication",
    "Shrinkage",
    "SimulationOptions",
    "SimulationProblem",
    "SimulationResult",
    "SimulationSummary",
    "contacts_table",
    "mean_confidence_interval",
    "multiskill_contacts_table",
    "run_multiskill_replications",
    "run_multiskill_simulation",
    "run_replications",
    "run_simulation",
    "student_t_quantile",
    "wilson_interval",
]
