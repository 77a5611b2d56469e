"""Per-interval service level: reported by the roster vs simulated, stationary vs transient.

Two rostered weeks:

* the example scenario (``examples/contact_center/scenario.yaml``; CP-SAT with
  seed 0, one worker and a deterministic-time limit, so the roster is the same
  on every run), Erlang C, 12 % shrinkage;
* the benchmark week ``a100-i15-flex-brk-mixed-s0`` of
  :mod:`wfm.datasets.instances`, solved the same way.

Each roster's ``coverage`` table gives two figures per interval:
``service_level_stationary`` (steady-state Erlang at the interval's own load
and staffing) and ``service_level`` (the transient queue of
:mod:`wfm.transient`, which carries calls and backlog across intervals). The
roster is then simulated with :mod:`wfm.simulate` (Poisson arrivals,
exponential handle times, the policy's patience if any, shrinkage per
agent-interval, ``--replications`` weeks, seed 0), and the script prints the
RMS and largest absolute difference, over intervals with calls, between each
figure and the simulated probability of answer in time
(``service_level_pooled``: answered within the threshold over offered, across
replications). It also times :func:`wfm.transient.transient_service` on each
week (median of ``--repeats``) with the load average.

Usage::

    python benchmarks/interval_service.py --replications 200
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

import wfm
from wfm.datasets.instances import make_problem, parse_instance_name
from wfm.roster.problem import RosterProblem
from wfm.simulate import (
    AgentSchedule,
    Patience,
    Shrinkage,
    SimulationOptions,
    SimulationProblem,
    run_simulation,
)
from wfm.transient import transient_service

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "contact_center" / "scenario.yaml"
INSTANCE = "a100-i15-flex-brk-mixed-s0"
OPTIONS = wfm.SolverOptions(time_limit_seconds=60, workers=1, seed=0, max_deterministic_time=5.0)


def compare(label: str, problem: RosterProblem, replications: int, repeats: int) -> None:
    """Roster ``problem``, simulate the roster and print the per-interval errors."""
    policy = problem.service
    assert policy is not None
    roster = wfm.solve(problem, OPTIONS)
    coverage = roster.coverage
    demand = coverage[["interval_start", "calls", "aht_seconds"]]
    patience = (
        Patience.exponential(mean_seconds=policy.patience_seconds)
        if policy.patience_seconds is not None
        else Patience.none()
    )
    sim = run_simulation(
        SimulationProblem(
            demand=demand,
            schedule=AgentSchedule.from_roster(roster.roster, roster.breaks),
            patience=patience,
            shrinkage=Shrinkage(rate=policy.shrinkage),
        ),
        SimulationOptions(replications=replications, seed=0),
        answer_within_seconds=policy.answer_within_seconds or 0.0,
        target_level=None,
    )
    simulated = (
        sim.intervals.set_index("interval_start")["service_level_pooled"]
        .reindex(pd.to_datetime(coverage["interval_start"]))
        .to_numpy(dtype=float)
    )
    calls = coverage["calls"].to_numpy(dtype=float)
    ok = (calls > 0) & np.isfinite(simulated)
    print(
        f"{label}: {roster.status.name}, {len(roster.roster)} shifts, {int(ok.sum())} intervals "
        f"with calls, {replications} simulated weeks; weekly service level reported "
        f"{100 * (roster.summary.service_level or 0):.1f}%, simulated "
        f"{100 * sim.summary.service_level_pooled:.1f}%"
    )
    for column in ("service_level_stationary", "service_level"):
        reported = coverage[column].to_numpy(dtype=float)
        diff = 100 * (reported[ok] - simulated[ok])
        print(
            f"  {column:<26} RMS {np.sqrt(np.mean(diff**2)):5.2f} pp, "
            f"max |error| {np.abs(diff).max():5.1f} pp, mean {diff.mean():+5.2f} pp"
        )
    on_phone = coverage["coverage_on_phone"].to_numpy(dtype=float)
    aht = coverage["aht_seconds"].to_numpy(dtype=float)
    times = []
    for _ in range(repeats):
        load = os.getloadavg()[0]
        started = time.perf_counter()
        transient_service(
            calls,
            aht_seconds=aht,
            agents_on_phone=on_phone,
            interval_minutes=problem.interval_minutes,
            answer_within_seconds=policy.answer_within_seconds or 0.0,
            patience_seconds=policy.patience_seconds,
        )
        times.append(time.perf_counter() - started)
    print(
        f"  transient_service on the week ({len(calls)} intervals): median "
        f"{statistics.median(times):.3f} s of {repeats}, load average {load:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    scenario = wfm.load_scenario(SCENARIO)
    compare("example", scenario.build_problem(), args.replications, args.repeats)
    compare(INSTANCE, make_problem(parse_instance_name(INSTANCE)), args.replications, args.repeats)


if __name__ == "__main__":
    main()
