"""Intraday break re-placement on the example's Wednesday after a +15 % shock from 10:00.

Publishes the example week (``solve``, ``--time-limit`` seconds, 2 workers,
seed 0), then on Wednesday 2027-01-06 lets the calls run 15 % above the
forecast from 10:00 to the end of the day. At ``--now`` (default 12:00) the
day is reforecast from what was seen (:func:`wfm.intraday.reforecast`,
its default damping or ``--damping``), its requirements recomputed with the scenario's service
policy, and the breaks of the published shifts re-placed
(:func:`wfm.intraday.replace_breaks`). Prints one Markdown row: the
under-staffing from ``now`` to the day's end against the true (+15 %)
requirement, with the published breaks and with the re-placed ones, the
breaks moved and the day's service level before and after; then the
overtime and voluntary time off suggested after the re-placement
(:func:`wfm.intraday.suggest_vto_ot`, against the reforecast's
requirement): the overtime's agent-hours, the under-staffing it claims to
remove, the true under-staffing with the re-placed breaks and the overtime
applied, and the VTO suggested. Run from the
repository root::

    python benchmarks/intraday.py --time-limit 30
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.intraday import reforecast, replace_breaks, suggest_vto_ot
from wfm.roster.options import SolverOptions
from wfm.roster.problem import requirements_from_staffing
from wfm.roster.published import read_published
from wfm.roster.report import coverage_table, scheduled_on_grid
from wfm.roster.solve import solve
from wfm.scenario import load_scenario
from wfm.staffing import requirements

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "contact_center" / "scenario.yaml"
DAY = pd.Timestamp("2027-01-06")
SHOCK_FROM = DAY + pd.Timedelta(hours=10)


def _requirements(scenario, forecast: pd.DataFrame) -> pd.DataFrame:
    staffing = requirements(forecast, policy=scenario.service)
    return requirements_from_staffing(staffing, fractional=scenario.fractional_requirements)


def _under(table: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    stamps = pd.to_datetime(table["interval_start"])
    keep = (stamps >= start) & (stamps < end)
    gap = table.loc[keep, "gap_scheduled"].to_numpy(dtype=float)
    return float(np.clip(-gap, 0, None).sum() * 0.25)


def _service(table: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    stamps = pd.to_datetime(table["interval_start"])
    keep = (stamps >= start) & (stamps < end) & (table["calls"] > 0)
    calls = table.loc[keep, "calls"].to_numpy(dtype=float)
    sl = table.loc[keep, "service_level"].to_numpy(dtype=float)
    return float((calls * sl).sum() / calls.sum())


def main() -> None:
    """Command line of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--now", default="12:00")
    parser.add_argument("--damping", type=float, default=None, help="default: the library's rule")
    args = parser.parse_args()
    scenario = load_scenario(SCENARIO)
    run = scenario.pipeline()
    problem = run.problem
    assert run.forecast is not None
    options = SolverOptions(time_limit_seconds=args.time_limit, workers=2, seed=0)
    first = solve(problem, options, compute_bound=False)
    roster, breaks = first.roster, first.breaks
    published = read_published(roster, breaks)
    forecast = run.forecast.copy()
    stamps = pd.to_datetime(forecast["interval_start"])
    shock = (stamps >= SHOCK_FROM) & (stamps < DAY + pd.Timedelta(days=1))
    truth = forecast.copy()
    truth.loc[shock, "calls"] = truth.loc[shock, "calls"] * 1.15
    now = DAY + pd.Timedelta(hours=int(args.now[:2]), minutes=int(args.now[3:5]))
    actual = truth[(stamps >= DAY) & (stamps < now)][["interval_start", "calls"]]
    revised = reforecast(forecast, actual, now=now, damping=args.damping)
    started = time.perf_counter()
    out = replace_breaks(
        problem,
        published,
        roster,
        breaks,
        requirements=_requirements(scenario, revised.drop(columns=["calls_forecast"])),
        now=now,
        options=SolverOptions(time_limit_seconds=20, workers=2, seed=0),
    )
    wall = time.perf_counter() - started
    started = time.perf_counter()
    suggestions = suggest_vto_ot(out.problem, out.result.roster, out.result.breaks, now=now)
    suggest_wall = time.perf_counter() - started
    ot = suggestions[suggestions["kind"] != "vto"]
    vto = suggestions[suggestions["kind"] == "vto"]
    extended = out.result.roster.copy()
    extended["start"] = pd.to_datetime(extended["start"])
    extended["end"] = pd.to_datetime(extended["end"])
    for _, row in ot.iterrows():
        mine = (extended["agent_id"] == row["agent_id"]) & (
            extended["date"].astype(str) == str(row["date"])
        )
        side = "end" if row["kind"] == "ot_end" else "start"
        extended.loc[mine, side] = row["end"] if side == "end" else row["start"]
    truth_problem = dataclasses.replace(
        problem, requirements=_requirements(scenario, truth), baseline=None
    )
    end = DAY + pd.Timedelta(days=1)
    before = coverage_table(truth_problem, scheduled_on_grid(truth_problem, roster, breaks))
    after = coverage_table(
        truth_problem, scheduled_on_grid(truth_problem, out.result.roster, out.result.breaks)
    )
    with_ot = coverage_table(
        truth_problem, scheduled_on_grid(truth_problem, extended, out.result.breaks)
    )
    moved = out.summary.breaks_moved
    print(
        "| now | damping | factor | under-staffing now-24:00, published breaks (agent-h) | "
        "re-placed | breaks moved | service now-24:00 before -> after | wall (s) | "
        "OT suggested (shifts, agent-h) | claimed removed | re-placed + OT (true) | "
        "VTO suggested (shifts, h) | suggest wall (s) | load |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {args.now} | {revised.attrs['damping']:.2f} | {revised.attrs['factor']:.3f} | "
        f"{_under(before, now, end):.2f} | {_under(after, now, end):.2f} | {moved} | "
        f"{100 * _service(before, now, end):.1f}% -> {100 * _service(after, now, end):.1f}% | "
        f"{wall:.1f} | {len(ot)}, {ot['minutes'].sum() / 60:.2f} | "
        f"{ot['understaffing_removed_agent_hours'].sum():.2f} | {_under(with_ot, now, end):.2f} | "
        f"{len(vto)}, {vto['minutes'].sum() / 60:.2f} | {suggest_wall:.2f} | "
        f"{os.getloadavg()[0]:.1f} |"
    )


if __name__ == "__main__":
    main()
