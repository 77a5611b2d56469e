"""The simulator against Ciw, the field's queueing library, as an independent engine.

Ciw's ``Schedule`` changes the number of servers; its two usual modes are not
the rule of a roster (an agent going on break finishes the call in hand):

- ``preemption=False`` takes every server off at each change and adds a fresh
  set, so calls in progress add capacity (the example week without shrinkage:
  99.7 % where the roster rule gives 98.5 %);
- ``preemption="resume"`` interrupts every call in progress at each change and
  hands the interrupted calls to the new set first: exact capacity, which
  differs from the roster rule whenever an agent leaves in a call (97.3 % on
  the same week; figures in ``benchmarks/README.md``).

So the example roster is checked against Ciw with one server per agent that
follows the agent's own shift and breaks (a small node class below: a
server leaving duty in a call finishes it), and ``preemption="resume"`` is
checked where it and the roster rule coincide: a staffing that never sends an
agent off duty, under time-varying arrivals.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ciw = pytest.importorskip("ciw")

import wfm  # noqa: E402
from wfm.simulate import (  # noqa: E402
    AgentSchedule,
    Shrinkage,
    SimulationOptions,
    SimulationProblem,
    run_simulation,
)

SCENARIO = Path(__file__).parents[1] / "examples" / "contact_center" / "scenario.yaml"
CELL = 900.0  # the roster's 15-minute grid, in seconds


@pytest.fixture(scope="module")
def example_week() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    problem = wfm.load_scenario(SCENARIO).build_problem()
    result = wfm.solve(
        problem,
        wfm.SolverOptions(time_limit_seconds=20, workers=1, seed=0, max_deterministic_time=1.0),
    )
    assert result.status.has_solution
    return result.roster, result.breaks, result.coverage


def on_duty_sets(
    roster: pd.DataFrame, breaks: pd.DataFrame, origin: pd.Timestamp, cells: int
) -> list[set[int]]:
    """Per 15-minute cell, the agents (numbered in sorted id order) on shift and not on break."""
    ids = sorted(roster["agent_id"].astype(str).unique())
    number = {a: k + 1 for k, a in enumerate(ids)}
    grid = np.zeros((cells, len(ids) + 1), dtype=int)

    def mark(frame: pd.DataFrame, sign: int) -> None:
        for a, s, e in zip(frame["agent_id"], frame["start"], frame["end"], strict=True):
            first = int((pd.Timestamp(s) - origin).total_seconds() // CELL)
            last = int((pd.Timestamp(e) - origin).total_seconds() // CELL)
            grid[max(first, 0) : min(last, cells), number[str(a)]] += sign

    mark(roster, 1)
    mark(breaks, -1)
    return [set(np.flatnonzero(row > 0).tolist()) for row in grid]


def roster_node(duty: list[set[int]]) -> type:
    """A Ciw node whose servers are agents following their own on-duty cells."""

    class RosterNode(ciw.Node):  # type: ignore[misc, name-defined]
        def create_starting_servers(self):  # type: ignore[no-untyped-def]
            # Ciw starts a schedule with no server and a first change at time 0
            self.cell = -1
            return []

        def change_shift(self):  # type: ignore[no-untyped-def]
            self.schedule.get_next_shift()
            self.next_shift_change = self.schedule.next_shift_change_date
            self.c = self.schedule.c
            self.cell += 1
            wanted = duty[self.cell] if self.cell < len(duty) else set()
            present = {s.id_number: s for s in self.servers}
            for k, server in present.items():
                if k in wanted:
                    server.offduty = False
                elif server.busy:
                    server.offduty = True  # finishes the call in hand, then leaves
                else:
                    self.kill_server(server)
            for k in sorted(wanted - set(present)):
                self.servers.append(self.simulation.ServerType(self, k, self.now))
            self.begin_service_if_possible_change_shift()

        def finish_service(self):  # type: ignore[no-untyped-def]
            # as Ciw's, but a server finishing while no agent is scheduled
            # (c == 0) also clears its end-of-service date
            ind = self.decide_between_simultaneous_individuals()
            self.change_customer_class(ind)
            next_node = self.next_node(ind)
            ind.destination = next_node.id_number
            ind.server.next_end_service_date = float("inf")
            if next_node.number_of_individuals < next_node.node_capacity:
                self.release(ind, next_node)
            else:
                self.block_individual(ind, next_node)

    return RosterNode


def ciw_service_levels(
    *,
    calls: np.ndarray,
    aht: np.ndarray,
    counts: list[int],
    replications: int,
    preemption: bool | str,
    node_class: type | None = None,
) -> np.ndarray:
    """Per replication: calls answered within 20 s over calls arrived."""
    ends = [(k + 1) * CELL for k in range(len(calls))]

    class Service(ciw.dists.Distribution):  # type: ignore[misc, name-defined]
        def sample(self, t=None, ind=None):  # type: ignore[no-untyped-def]
            i = min(int(ind.arrival_date // CELL), len(aht) - 1)
            return random.expovariate(1.0 / aht[i])

    out = []
    for seed in range(replications):
        ciw.seed(seed)
        network = ciw.create_network(
            arrival_distributions=[
                ciw.dists.PoissonIntervals(
                    rates=list(calls / CELL), endpoints=ends, max_sample_date=ends[-1]
                )
            ],
            service_distributions=[Service()],
            number_of_servers=[
                ciw.Schedule(numbers_of_servers=counts, shift_end_dates=ends, preemption=preemption)
            ],
        )
        sim = ciw.Simulation(network, node_class=node_class)
        sim.simulate_until_max_time(ends[-1] + 2 * 86400.0)
        first_start: dict[int, float] = {}
        arrived: dict[int, float] = {}
        for record in sim.get_all_records():
            if record.record_type in ("service", "interrupted service"):
                k = record.id_number
                arrived[k] = record.arrival_date
                first_start[k] = min(first_start.get(k, np.inf), record.service_start_date)
        waiting = sum(len(queue) for queue in sim.nodes[1].individuals)
        within = sum(1 for k in arrived if first_start[k] - arrived[k] <= 20.0)
        out.append(within / (len(arrived) + waiting))
    return np.asarray(out)


def ci(values: np.ndarray) -> tuple[float, float]:
    half = 2.093 * values.std(ddof=1) / np.sqrt(len(values))  # t(0.975, 19)
    return float(values.mean() - half), float(values.mean() + half)


def test_example_roster_week_within_ciw_interval(example_week) -> None:  # type: ignore[no-untyped-def]
    roster, breaks, coverage = example_week
    origin = pd.Timestamp(coverage["interval_start"].iloc[0])
    calls = coverage["calls"].to_numpy(dtype=float)
    aht = coverage["aht_seconds"].to_numpy(dtype=float)
    duty = on_duty_sets(roster, breaks, origin, len(calls))
    counts = [len(d) for d in duty]
    ciw_sl = ciw_service_levels(
        calls=calls,
        aht=aht,
        counts=counts,
        replications=20,
        preemption=False,
        node_class=roster_node(duty),
    )
    problem = SimulationProblem(
        demand=coverage[["interval_start", "calls", "aht_seconds"]],
        schedule=AgentSchedule.from_roster(roster, breaks),
        shrinkage=Shrinkage(rate=0.0),
    )
    ours = run_simulation(problem, SimulationOptions(replications=60, seed=0), target_level=None)
    low, high = ci(ciw_sl)
    assert low <= ours.summary.service_level[0] <= high, (ours.summary.service_level, low, high)


def test_constant_staffing_day_within_ciw_resume_interval() -> None:
    # arrivals vary through the day; 14 agents all day, so nobody leaves in a
    # call and preempt-resume is the roster rule
    hours = np.arange(48) / 4
    calls = 60.0 + 40.0 * np.sin(np.pi * hours / 12.0)
    aht = np.full(48, 180.0)
    starts = pd.date_range("2027-01-04 08:00", periods=48, freq="15min")
    demand = pd.DataFrame({"interval_start": starts, "calls": calls, "aht_seconds": aht})
    ciw_sl = ciw_service_levels(
        calls=calls, aht=aht, counts=[14] * 48, replications=20, preemption="resume"
    )
    problem = SimulationProblem(
        demand=demand, schedule=AgentSchedule.from_staffing(demand.assign(agents_on_phone=14))
    )
    ours = run_simulation(problem, SimulationOptions(replications=60, seed=0), target_level=None)
    low, high = ci(ciw_sl)
    assert low <= ours.summary.service_level[0] <= high, (ours.summary.service_level, low, high)
