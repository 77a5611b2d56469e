"""What-if sweeps and batches of scenarios, serially or on dask.distributed.

A *sweep* runs every combination of some settings of one scenario
(``service.target`` 0.75 and 0.8, ``service.shrinkage`` 0.1 and 0.15,
``aht_scale`` 0.9, 1.0 and 1.1: twelve cases) up to a stage
(``requirements``, ``roster`` or ``simulate``) and tabulates one row per
case; a *batch* rosters several scenarios, each into its own folder.

    cases       the grid, each case validated through the scenario loader
    stages      what one case computes (the task sent to a worker)
    executors   where cases run: serially, or on a dask cluster
    frontier    cost against service: efficient cases and the chart
    run         :func:`sweep` and :class:`SweepResult`
    batch       :func:`batch`

Results table (``results.csv``)
-------------------------------
``case`` (grid position), one column per varied setting (named as given,
e.g. ``service.target``), then ``required_on_phone_agent_hours``,
``required_scheduled_agent_hours`` (the requirement over the period),
``service_level_at_requirement`` (Erlang, the requirement exactly on the
phone), ``roster_status`` (:class:`wfm.status.SolveStatus`), ``paid_hours``,
``paid_cost``, ``understaffing_agent_hours``, ``overstaffing_agent_hours``,
``service_level_rostered`` (the roster's, transient queue),
``service_level_simulated`` with ``_low`` and ``_high`` (95 % interval),
``solver_workers``, ``error`` (empty unless the case failed),
``wall_time_seconds``, ``worker`` (host:pid, for the record) and
``on_frontier``. A figure a stage does not reach is empty.

Determinism
-----------
Requirements and simulations are the same wherever a case runs. A roster
is the same for the same problem, seed, CP-SAT workers and deterministic
limit (``solver.max_deterministic_time``, e.g. ``--max-deterministic-time``);
with only a wall-clock limit, what CP-SAT finds in the time depends on the
machine's load, serially as much as on a cluster. So the sweep records
``solver_workers`` per case, and ``solver_workers=`` (``--solver-workers``)
fixes it for runs that must agree across executors.
"""

from wfm.sweep.batch import BatchResult, batch
from wfm.sweep.cases import SCALES, STAGES, SweepCase, build_cases, scale_agents
from wfm.sweep.executors import DaskExecutor, SerialExecutor, dask_available, make_executor
from wfm.sweep.frontier import efficient_frontier, write_frontier_chart
from wfm.sweep.run import SweepResult, sweep
from wfm.sweep.stages import CaseResult, SimulationSettings

__all__ = [
    "SCALES",
    "STAGES",
    "BatchResult",
    "CaseResult",
    "DaskExecutor",
    "SerialExecutor",
    "SimulationSettings",
    "SweepCase",
    "SweepResult",
    "batch",
    "build_cases",
    "dask_available",
    "efficient_frontier",
    "make_executor",
    "scale_agents",
    "sweep",
    "write_frontier_chart",
]
