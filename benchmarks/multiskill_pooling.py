"""Pooling gain of multi-skill rostering: one roster of every queue against one per queue.

The multi-skill example (``examples/multi_skill/``) is rostered two ways,
with the same agents, templates, contracts, demand and solver settings:

``pooled``
    One problem with every queue: each agent's time goes to any queue of
    its skills (``wfm.roster`` with ``queues``).
``split``
    One single-skill problem per queue with an agent whose first skill it is
    (the agents split by primary skill), each solved alone with an equal
    share of the time limit (the limits add up to the pooled one). The
    outbound queue is no agent's first skill: it is worked only by blending
    and is left out of the split rosters (its shortfall is reported).

Both use the lexicographic objective (least under-staffing first, then paid
hours, then the rest), so the comparison is of paid hours at the least
under-staffing each can reach: the pooling gain is the paid hours the split
needs beyond the pooled roster, next to what each leaves short. With
``--scale 2 4`` the centre is copied (agents and volumes times k) to measure
solve and first-roster times at larger sizes.

Run::

    python benchmarks/multiskill_pooling.py --time-limit 120 --workers 2 --scale 1 2 4
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.channels import queue_requirements
from wfm.queues import Channel, QueueSet
from wfm.roster import SolverOptions, solve
from wfm.roster.problem import RosterProblem
from wfm.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "multi_skill" / "scenario.yaml"


def _scaled(problem: RosterProblem, demand: pd.DataFrame, k: int) -> RosterProblem:
    """The centre copied ``k`` times: agents repeated under new ids, volumes times ``k``."""
    if k == 1:
        return problem
    assert problem.queues is not None
    agents = tuple(
        dataclasses.replace(a, agent_id=f"{a.agent_id}_{copy}")
        for copy in range(k)
        for a in problem.agents
    )
    queues = QueueSet(
        queues=tuple(
            dataclasses.replace(q, outbound_hours_per_day=q.outbound_hours_per_day * k)
            if q.channel is Channel.OUTBOUND and q.outbound_hours_per_day is not None
            else q
            for q in problem.queues.queues
        ),
        shrinkage=problem.queues.shrinkage,
    )
    scaled_demand = demand.assign(calls=demand["calls"] * k)
    table = queue_requirements(scaled_demand, queues, interval_minutes=problem.interval_minutes)
    return dataclasses.replace(
        problem,
        agents=agents,
        queues=queues,
        queue_requirements=table,
        requirements=pd.DataFrame(),
    )


def _split(problem: RosterProblem) -> list[tuple[str, RosterProblem]]:
    """One single-skill problem per queue, with the agents whose first skill it is."""
    assert problem.queues is not None and problem.queue_requirements is not None
    parts: list[tuple[str, RosterProblem]] = []
    for queue in problem.queues.queues:
        members = tuple(
            dataclasses.replace(a, skills=(dataclasses.replace(a.skills[0], priority=1),))
            for a in problem.agents
            if a.skills and a.skills[0].queue == queue.name
        )
        if not members:
            continue
        one = QueueSet(queues=(queue,), shrinkage=problem.queues.shrinkage)
        table = problem.queue_requirements[problem.queue_requirements["queue"] == queue.name]
        parts.append(
            (
                queue.name,
                dataclasses.replace(
                    problem,
                    agents=members,
                    queues=one,
                    queue_requirements=table.reset_index(drop=True),
                    requirements=pd.DataFrame(),
                ),
            )
        )
    return parts


def _figures(result: Any) -> dict[str, Any]:
    s = result.summary
    per_queue = s.queues or {}
    return {
        "status": str(s.status.value),
        "paid_hours": s.paid_hours,
        "understaffing_agent_hours": s.understaffing_agent_hours,
        "first_solution_seconds": s.first_solution_seconds,
        "wall_time_seconds": s.wall_time_seconds,
        "queues": per_queue,
    }


def run(
    *, scale: int, time_limit_seconds: float, workers: int, seed: int, split: bool
) -> dict[str, Any]:
    """Roster the example pooled (and split), return the figures of each."""
    scenario = load_scenario(EXAMPLE)
    run_ = scenario.pipeline()
    assert run_.forecast is not None
    problem = _scaled(run_.problem, run_.forecast, scale)
    options = SolverOptions(
        time_limit_seconds=time_limit_seconds, workers=workers, seed=seed, lexicographic=True
    )
    started = time.perf_counter()
    pooled = solve(problem, options)
    out: dict[str, Any] = {
        "scale": scale,
        "agents": len(problem.agents),
        "pooled": _figures(pooled) | {"elapsed_seconds": time.perf_counter() - started},
    }
    if split:
        parts = _split(problem)
        share = time_limit_seconds / len(parts)
        figures = {}
        for name, part in parts:
            result = solve(part, dataclasses.replace(options, time_limit_seconds=share))
            figures[name] = _figures(result) | {"agents": len(part.agents)}
        out["split"] = figures
        out["split_paid_hours"] = sum(f["paid_hours"] or 0.0 for f in figures.values())
        out["split_understaffing_agent_hours"] = sum(
            f["understaffing_agent_hours"] or 0.0 for f in figures.values()
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=int, nargs="+", default=[1])
    parser.add_argument("-o", "--output", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    for k in args.scale:
        result = run(
            scale=k,
            time_limit_seconds=args.time_limit,
            workers=args.workers,
            seed=args.seed,
            split=k == 1,
        )
        result["load_average"] = os.getloadavg()
        rows.append(result)
        print(json.dumps(result, indent=1, default=str))
    if args.output is not None:
        args.output.write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
