"""Peer comparison: pyworkforce's scheduler and roster against wfm on the same week.

pyworkforce (https://github.com/rodrigo-arenas/pyworkforce, MIT) is a small
open-source Python library for the same path: Erlang C, shift-count
scheduling on CP-SAT (``MinAbsDifference``, ``MinRequiredResources``) and a
rostering model (``MinHoursRoster``). It is not a wfm dependency; install it
in a separate environment (from the repository root)::

    python -m venv .venv-peer
    .venv-peer/bin/pip install -r benchmarks/requirements-peer.txt -e .
    .venv-peer/bin/python benchmarks/peer_pyworkforce.py

Inputs
------
*Feature-matched* week: ``a100-i15-flex-nobrk-ft-s0`` from
:mod:`wfm.datasets.instances` without the agents' soft wishes (pyworkforce
cannot express preferred days off or start windows): 100 full-time agents,
8-hour shifts starting 07:00-12:00 every 15 minutes (21 shifts a day), no
breaks (pyworkforce cannot place breaks), contracts of 32-40 paid hours on
4-5 days with two consecutive days off and 11 h rest. Days of time off are
passed to pyworkforce as banned shifts.

pyworkforce is given what it can take: the per-interval requirements, the 21
shift coverage arrays, at most ``agents`` resources per interval, the agent
list, min 32 h a week and at most 3 days of rest (``max_resting``). It has no
notion of a maximum number of working days or hours, nor of consecutive days
off, so its rosters are checked by wfm's independent checker
(:func:`wfm.roster.checker.check_roster`) for what breaks the contracts.

Every roster (pyworkforce's and wfm's) is scored the same way by
:func:`wfm.benchmark.evaluate_roster`. The shift-count stage alone has no
names; its coverage is reported for reference (as if every counted shift were
worked). The last row solves wfm's full-featured week
(``a100-i15-flex-brk-mixed-s0``: breaks, part-timers, wishes), which
pyworkforce cannot express at all.

Writes ``benchmarks/results/peer_pyworkforce.csv`` and the README table.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm.benchmark import evaluate_roster, format_table
from wfm.datasets.instances import InstanceSpec, make_problem
from wfm.roster.problem import WEEKDAY_NAMES, RosterProblem

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import machine_description, update_readme_section  # noqa: E402

MATCHED = InstanceSpec(agents=100, breaks=False, contracts="full_time")
FULL = InstanceSpec(agents=100)


def matched_problem() -> RosterProblem:
    """The feature-matched week, without the agents' soft wishes."""
    problem = make_problem(MATCHED)
    agents = tuple(dataclasses.replace(a, preferences=()) for a in problem.agents)
    return dataclasses.replace(problem, agents=agents)


def shift_table(problem: RosterProblem) -> pd.DataFrame:
    """One row per (template, start, length) shift of the day: name, clock start, length.

    Only templates some agent may work are listed.
    """
    used = {name for a in problem.agents for name in (a.templates or ())}
    rows = []
    for template in problem.templates:
        if used and template.name not in used:
            continue
        if template.breaks:
            raise ValueError("pyworkforce cannot place breaks; use a week without breaks")
        for length in template.lengths_minutes:
            for start in template.start_minutes:
                rows.append(
                    {
                        "shift": f"{template.name}_{start // 60:02d}{start % 60:02d}_{length}",
                        "template": template.name,
                        "start_minutes": start,
                        "length_minutes": length,
                    }
                )
    return pd.DataFrame(rows)


def coverage_arrays(problem: RosterProblem, shifts: pd.DataFrame) -> dict[str, list[int]]:
    """pyworkforce's ``shifts_coverage``: per shift, 1 for each period of the day it covers."""
    per_day = problem.intervals_per_day
    im = problem.interval_minutes
    out: dict[str, list[int]] = {}
    for row in shifts.itertuples():
        first = row.start_minutes // im
        last = first + row.length_minutes // im
        if last > per_day:
            raise ValueError(f"shift {row.shift} crosses midnight; pyworkforce cannot model it")
        out[row.shift] = [1 if first <= p < last else 0 for p in range(per_day)]
    return out


def required_matrix(problem: RosterProblem) -> list[list[int]]:
    """Requirements as pyworkforce takes them: ``[day][period]`` whole agents (rounded up)."""
    req = np.ceil(problem.required_scheduled - 1e-9).astype(int)
    return req.reshape(problem.days, problem.intervals_per_day).tolist()


def counts_roster(
    problem: RosterProblem, shifts: pd.DataFrame, counts: dict[tuple[int, str], int]
) -> pd.DataFrame:
    """Anonymous roster of shift counts (agent ids ``count-k``), for coverage only."""
    rows = []
    info = shifts.set_index("shift")
    for (day, shift), n in counts.items():
        for k in range(n):
            rows.append(_row(problem, f"count-{k}", day, shift, info))
    return pd.DataFrame(rows)


def _row(problem: RosterProblem, agent: str, day: int, shift: str, info: pd.DataFrame) -> dict:
    start_minutes = int(info.loc[shift, "start_minutes"])
    length = int(info.loc[shift, "length_minutes"])
    date = problem.dates[day]
    start = pd.Timestamp(date) + pd.Timedelta(minutes=start_minutes)
    end = start + pd.Timedelta(minutes=length)
    return {
        "agent_id": agent,
        "date": date.isoformat(),
        "weekday": WEEKDAY_NAMES[date.weekday()],
        "template": str(info.loc[shift, "template"]),
        "start": start.strftime("%Y-%m-%d %H:%M"),
        "end": end.strftime("%Y-%m-%d %H:%M"),
        "length_minutes": length,
        "paid_minutes": length,
        "breaks": "",
    }


def banned_shifts(problem: RosterProblem, shifts: pd.DataFrame) -> list[dict[str, Any]]:
    """Time off as pyworkforce's banned shifts (every shift overlapping the time off)."""
    out = []
    for agent in problem.agents:
        for off in agent.time_off:
            for day, date in enumerate(problem.dates):
                for row in shifts.itertuples():
                    start = pd.Timestamp(date) + pd.Timedelta(minutes=row.start_minutes)
                    end = start + pd.Timedelta(minutes=row.length_minutes)
                    if start < pd.Timestamp(off.end) and pd.Timestamp(off.start) < end:
                        out.append({"resource": agent.agent_id, "shift": row.shift, "day": day})
    return out


def run_pyworkforce(
    problem: RosterProblem, *, time_limit: float, workers: int
) -> list[dict[str, Any]]:
    """pyworkforce's two schedulers, each followed by its roster; one record per stage."""
    from pyworkforce.rostering import MinHoursRoster
    from pyworkforce.scheduling import MinAbsDifference, MinRequiredResources

    shifts = shift_table(problem)
    coverage = coverage_arrays(problem, shifts)
    required = required_matrix(problem)
    n_agents = len(problem.agents)
    contract = problem.contracts[0]
    records: list[dict[str, Any]] = []
    plan: list[tuple[type, int, str]] = [
        (MinAbsDifference, n_agents, ""),
        (MinRequiredResources, n_agents, ""),
    ]
    while plan:
        scheduler_cls, cap, note = plan.pop(0)
        name = scheduler_cls.__name__ + note
        scheduler = scheduler_cls(
            num_days=problem.days,
            periods=problem.intervals_per_day,
            shifts_coverage=coverage,
            required_resources=required,
            max_period_concurrency=cap,
            max_shift_concurrency=cap,
            max_search_time=float(time_limit),
            num_search_workers=workers,
        )
        started = time.perf_counter()
        solution = scheduler.solve()
        seconds = time.perf_counter() - started
        status = solution["status"]
        counts = {
            (int(r["day"]), str(r["shift"])): int(r["resources"])
            for r in solution["resources_shifts"]
            if r["day"] >= 0 and r["resources"] > 0
        }
        record: dict[str, Any] = {
            "method": f"pyworkforce {name} (shift counts, no names)",
            "input": MATCHED.name,
            "status": status,
            "wall_seconds": seconds,
            "shift_days": sum(counts.values()),
        }
        if counts:
            record |= evaluate_roster(
                problem, counts_roster(problem, shifts, counts), None, check=False
            )
        records.append(record)
        print(_line(record), file=sys.stderr, flush=True)
        if status == "INFEASIBLE" and not note:
            # full coverage needs more agents at once than the pool has: show what it asks for
            plan.insert(0, (scheduler_cls, 10 * n_agents, " (at-once cap lifted)"))
        if not counts:
            continue
        required_per_shift = {
            s: [counts.get((d, s), 0) for d in range(problem.days)] for s in shifts["shift"]
        }
        roster_model = MinHoursRoster(
            num_days=problem.days,
            resources=[a.agent_id for a in problem.agents],
            shifts=list(shifts["shift"]),
            shifts_hours=[int(x) // 60 for x in shifts["length_minutes"]],
            min_working_hours=int(contract.min_hours_per_week),
            banned_shifts=banned_shifts(problem, shifts),
            max_resting=problem.days - contract.min_days_per_week,
            required_resources=required_per_shift,
            max_search_time=float(time_limit),
            num_search_workers=workers,
        )
        started = time.perf_counter()
        roster_solution = roster_model.solve()
        seconds = time.perf_counter() - started
        info = shifts.set_index("shift")
        assigned = [
            r for r in roster_solution["resource_shifts"] if r["day"] is not None and r["day"] >= 0
        ]
        roster = pd.DataFrame(
            [_row(problem, r["resource"], int(r["day"]), r["shift"], info) for r in assigned]
        )
        record = {
            "method": f"pyworkforce {name} + MinHoursRoster",
            "input": MATCHED.name,
            "status": roster_solution["status"],
            "wall_seconds": seconds,
            "shift_days": len(roster),
        }
        if len(roster):
            record |= evaluate_roster(problem, roster, None, check=True)
        records.append(record)
        print(_line(record), file=sys.stderr, flush=True)
    return records


def run_wfm(
    problem: RosterProblem, label: str, *, time_limit: float, workers: int, seed: int
) -> dict[str, Any]:
    """wfm's roster on ``problem``, scored like the others."""
    from wfm.roster.options import SolverOptions
    from wfm.roster.solve import solve

    started = time.perf_counter()
    result = solve(
        problem, SolverOptions(time_limit_seconds=time_limit, workers=workers, seed=seed)
    )
    seconds = time.perf_counter() - started
    record: dict[str, Any] = {
        "method": "wfm solve",
        "input": label,
        "status": result.status.value,
        "wall_seconds": seconds,
        "shift_days": len(result.roster),
    }
    if len(result.roster):
        record |= evaluate_roster(problem, result.roster, result.breaks, check=True)
    if result.lower_bound is not None:
        record["lb_understaffing_agent_hours"] = result.lower_bound.understaffing_agent_hours
    print(_line(record), file=sys.stderr, flush=True)
    return record


def _line(record: dict[str, Any]) -> str:
    return ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items()
    )


COLUMNS = {
    "method": "method",
    "input": "input",
    "status": "status",
    "wall_seconds": "wall s",
    "shift_days": "shifts",
    "understaffing_agent_hours": "under h",
    "lb_understaffing_agent_hours": "LB under h",
    "overstaffing_agent_hours": "over h",
    "service_level": "SL",
    "paid_hours": "paid h",
    "hard_violations": "hard viol.",
    "violated_rules": "rules broken (checker)",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)

    problem = matched_problem()
    started = time.monotonic()
    records = run_pyworkforce(problem, time_limit=args.time_limit, workers=args.workers)
    records.append(
        run_wfm(
            problem,
            MATCHED.name,
            time_limit=args.time_limit,
            workers=args.workers,
            seed=args.seed,
        )
    )
    records.append(
        run_wfm(
            make_problem(FULL),
            FULL.name,
            time_limit=args.time_limit,
            workers=args.workers,
            seed=args.seed,
        )
    )
    frame = pd.DataFrame(records)
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame = frame.loc[:, [*COLUMNS, *[c for c in frame.columns if c not in COLUMNS]]]
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    frame.to_csv(results / "peer_pyworkforce.csv", index=False, float_format="%.6g")
    print(format_table(frame, list(COLUMNS), headers=list(COLUMNS.values())))
    minutes = (time.monotonic() - started) / 60
    if not args.no_readme:
        update_readme_section(
            "peer",
            format_table(frame, list(COLUMNS), headers=list(COLUMNS.values()), markdown=True)
            + f"\n\n`.venv-peer/bin/python benchmarks/peer_pyworkforce.py --time-limit "
            f"{args.time_limit:g} --workers {args.workers}` ({minutes:.1f} min; pyworkforce "
            f"{version('pyworkforce')}; {machine_description()})",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
