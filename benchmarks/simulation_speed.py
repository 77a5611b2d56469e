"""Speed of :mod:`wfm.simulate` on the example roster, and what it says the roster gives.

Rosters the example scenario (``examples/contact_center/scenario.yaml``,
CP-SAT with a fixed seed, one worker and a deterministic-time limit, so the
roster is the same on every run), then simulates 100 weeks of it with the
scenario's 12 % shrinkage (per agent-interval), ``--repeats`` times with 1
and 2 worker processes, and prints the median wall time with the load
average beside it. It then prints the weekly service level with its 95 %
interval next to the roster's own (Erlang C) figure.

With ``--ciw`` (needs ``pip install ciw``) it also simulates the roster
without shrinkage in Ciw three ways: with ``Schedule(preemption=False)``,
with ``preemption="resume"``, and with one server per agent following the
agent's shifts and breaks (the node class of ``tests/test_simulate_ciw.py``),
next to ``wfm.simulate`` on the same roster.

Usage::

    python benchmarks/simulation_speed.py --repeats 3 --ciw
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import wfm
from wfm.simulate import (
    AgentSchedule,
    Shrinkage,
    SimulationOptions,
    SimulationProblem,
    run_simulation,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "contact_center" / "scenario.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--ciw", action="store_true", help="also compare with Ciw")
    parser.add_argument("--ciw-replications", type=int, default=20)
    args = parser.parse_args()

    scenario = wfm.load_scenario(SCENARIO)
    roster = wfm.solve(
        scenario.build_problem(),
        wfm.SolverOptions(time_limit_seconds=60, workers=1, seed=0, max_deterministic_time=5.0),
    )
    policy = scenario.service
    assert policy is not None and policy.level is not None
    coverage = roster.coverage
    demand = coverage[["interval_start", "calls", "aht_seconds"]]
    schedule = AgentSchedule.from_roster(roster.roster, roster.breaks)
    problem = SimulationProblem(
        demand=demand, schedule=schedule, shrinkage=Shrinkage(rate=policy.shrinkage)
    )
    print(
        f"example roster: {roster.status.name}, {len(roster.roster)} shifts, "
        f"{demand['calls'].sum():,.0f} calls forecast, reported service level "
        f"{100 * (roster.summary.service_level or 0):.1f}%"
    )
    result = None
    for workers in (1, 2):
        times = []
        for _ in range(args.repeats):
            load = os.getloadavg()[0]
            started = time.perf_counter()
            result = run_simulation(
                problem,
                SimulationOptions(replications=args.replications, seed=0, workers=workers),
                answer_within_seconds=policy.answer_within_seconds or 20.0,
                target_level=policy.level,
            )
            times.append(time.perf_counter() - started)
        print(
            f"{args.replications} weeks, {workers} worker(s): "
            f"median {statistics.median(times):.2f} s "
            f"of {args.repeats} runs ({', '.join(f'{t:.2f}' for t in times)}), "
            f"load average {load:.2f} before the last"
        )
    assert result is not None
    s = result.summary
    mean, low, high = s.service_level
    low_share, high_share = s.share_of_weeks_meeting_target_interval or (np.nan, np.nan)
    print(
        f"weekly service level simulated: {100 * mean:.1f}% [{100 * low:.1f}%, {100 * high:.1f}%] "
        f"({s.replications} replications, 12% shrinkage per agent-interval); weeks meeting "
        f"{100 * policy.level:.0f}%: {100 * (s.share_of_weeks_meeting_target or 0):.0f}% "
        f"[{100 * low_share:.0f}%, {100 * high_share:.0f}%]"
    )
    day = run_simulation(
        SimulationProblem(
            demand=demand, schedule=schedule, shrinkage=Shrinkage(rate=policy.shrinkage, unit="day")
        ),
        SimulationOptions(replications=args.replications, seed=0),
        target_level=policy.level,
    ).summary
    print(
        f"  with shrinkage per agent-day instead: {100 * day.service_level[0]:.1f}% "
        f"[{100 * day.service_level[1]:.1f}%, {100 * day.service_level[2]:.1f}%], weeks meeting "
        f"{100 * (day.share_of_weeks_meeting_target or 0):.0f}%"
    )
    if args.ciw:
        compare_with_ciw(roster, demand, schedule, args.ciw_replications)


def compare_with_ciw(roster, demand, schedule, replications: int) -> None:  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "tests"))
    import pandas as pd
    import test_simulate_ciw as ciw_model

    calls = demand["calls"].to_numpy(dtype=float)
    aht = demand["aht_seconds"].to_numpy(dtype=float)
    origin = pd.Timestamp(demand["interval_start"].iloc[0])
    duty = ciw_model.on_duty_sets(roster.roster, roster.breaks, origin, len(calls))
    counts = [len(d) for d in duty]
    ours = run_simulation(
        SimulationProblem(demand=demand, schedule=schedule),
        SimulationOptions(replications=100, seed=0),
        target_level=None,
    ).summary.service_level
    print("no shrinkage, weekly service level (95% interval):")
    print(
        f"  wfm.simulate (100 replications)   {100 * ours[0]:.2f}% "
        f"[{100 * ours[1]:.2f}%, {100 * ours[2]:.2f}%]"
    )
    for label, preemption, node in (
        ("Ciw, one server per agent", False, ciw_model.roster_node(duty)),
        ('Ciw, preemption="resume"', "resume", None),
        ("Ciw, preemption=False", False, None),
    ):
        started = time.perf_counter()
        sl = ciw_model.ciw_service_levels(
            calls=calls,
            aht=aht,
            counts=counts,
            replications=replications,
            preemption=preemption,
            node_class=node,
        )
        low, high = ciw_model.ci(sl)
        print(
            f"  {label:<33} {100 * sl.mean():.2f}% [{100 * low:.2f}%, {100 * high:.2f}%] "
            f"({replications} replications, {time.perf_counter() - started:.1f} s)"
        )


if __name__ == "__main__":
    main()
