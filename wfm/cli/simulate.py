"""``wfm simulate``: simulate a roster's week, replication by replication.

Example::

    wfm roster examples/contact_center/scenario.yaml -o out/
    wfm simulate out/ --scenario examples/contact_center/scenario.yaml \\
        --replications 100 --seed 0 -o sim/

Reads ``roster.csv``, ``breaks.csv`` and ``coverage.csv`` (its ``calls`` and
``aht_seconds`` are the demand) from the roster directory, takes the service
target, shrinkage and patience from the scenario (or the options, which win),
simulates, writes ``intervals.csv``, ``days.csv``, ``weeks.csv`` and
``summary.json`` and prints the weekly figures with their 95 % intervals;
``--report`` also writes ``report.html``: the roster's report (``wfm
report``) with the plan beside the simulated 95 % bands.

With a scenario that has ``queues`` (a multi-skill centre), the demand per
queue is the scenario's, each agent serves the queues of its skills
(routing of :mod:`wfm.queues`), the centre's shrinkage applies, and the
output is the per-queue tables of :mod:`wfm.simulate.multiskill_statistics`
(``queue_intervals.csv``, ``queue_days.csv``, ``queue_weeks.csv``,
``queues.csv``, ``agents.csv``, ``outbound.csv``, ``summary.json``); a line
per queue shows its service with the 95 % interval.
Exit code 0, or 2 on bad input (one line naming the field).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.cli.checks import check_output_dir
from wfm.errors import ValidationError
from wfm.tables import read_csv_file

__all__ = ["register", "run"]

_DESCRIPTION = (
    "Simulate the week of a roster written by 'wfm roster': Poisson arrivals at the forecast "
    "rate, first come first served, agents following their shifts and breaks (finishing the "
    "call in hand), random shrinkage of whole agents. Writes intervals.csv, days.csv, "
    "weeks.csv and summary.json with means and 95%% confidence intervals."
)


def register(subparsers: Any) -> None:
    """Add the ``simulate`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "simulate", help="simulate a roster's week", description=_DESCRIPTION
    )
    parser.add_argument("roster_dir", metavar="ROSTERDIR", help="output directory of wfm roster")
    parser.add_argument("-o", "--output", required=True, metavar="SIMDIR", help="output directory")
    parser.add_argument("--scenario", metavar="SCENARIO.yaml", help="service settings from here")
    parser.add_argument("--target", metavar="LEVEL/SECONDS", help="service target, e.g. 0.8/20")
    parser.add_argument("--shrinkage", type=float, metavar="RATE", help="share of time lost")
    parser.add_argument(
        "--shrinkage-unit",
        choices=("interval", "day"),
        default="interval",
        help="what shrinkage takes away: an agent's interval or whole day (default interval)",
    )
    parser.add_argument(
        "--patience-seconds", type=float, metavar="S", help="mean exponential patience"
    )
    parser.add_argument(
        "--handle-cv",
        type=float,
        metavar="CV",
        help="lognormal handle times with this coefficient of variation (default exponential)",
    )
    parser.add_argument(
        "--day-volume-cv", type=float, default=0.0, metavar="CV", help="day volume uncertainty"
    )
    parser.add_argument("--replications", type=int, default=100, metavar="N")
    parser.add_argument("--seed", type=int, default=0, metavar="K")
    parser.add_argument("--workers", type=int, default=1, metavar="N")
    parser.add_argument(
        "--report",
        action="store_true",
        help="also write SIMDIR/report.html: the roster's report with the simulated 95%% bands",
    )
    parser.set_defaults(func=run)


def _read(path: Path, dates: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise ValidationError(str(path), "missing", "a file written by 'wfm roster'")
    return read_csv_file(path, what="a table written by 'wfm roster'", parse_dates=dates)


def _roster_time_zone(directory: Path) -> str | None:
    """The roster's time zone as its ``summary.json`` names it (``None`` if it names none)."""
    path = directory / "summary.json"
    if not path.is_file():
        return None
    try:
        zone = json.loads(path.read_text()).get("time_zone")
    except (ValueError, AttributeError):
        raise ValidationError(str(path), "unreadable", "the JSON written by 'wfm roster'") from None
    return zone if isinstance(zone, str) else None


def _service(args: argparse.Namespace) -> tuple[float | None, float, float, float | None]:
    """Target level, answer-within seconds, shrinkage and patience: scenario, then options."""
    level: float | None = None
    within = 20.0
    shrinkage = 0.0
    patience: float | None = None
    if args.scenario:
        from wfm.scenario import load_scenario

        policy = load_scenario(args.scenario).service
        if policy is not None:
            level = policy.level
            within = policy.answer_within_seconds or within
            shrinkage = policy.shrinkage
            patience = policy.patience_seconds
    if args.target:
        from wfm.service import ServicePolicy

        parsed = ServicePolicy.parse(args.target)
        level, within = parsed.level, float(parsed.answer_within_seconds or within)
    if args.shrinkage is not None:
        shrinkage = args.shrinkage
    if args.patience_seconds is not None:
        patience = args.patience_seconds
    return level, within, shrinkage, patience


def _run_queues(args: argparse.Namespace, scenario: Any) -> int:
    """``wfm simulate`` of a multi-skill roster: every queue of the scenario."""
    for option in ("target", "shrinkage", "patience_seconds", "handle_cv", "report"):
        if getattr(args, option) not in (None, False):
            raise ValidationError(
                f"--{option.replace('_', '-')}",
                getattr(args, option),
                "nothing with a scenario of several queues (each queue's service is in it)",
            )
    if args.day_volume_cv:
        raise ValidationError(
            "--day-volume-cv", args.day_volume_cv, "0 with a scenario of several queues"
        )
    from wfm.simulate import (
        AgentSchedule,
        MultiSkillProblem,
        Shrinkage,
        SimulationOptions,
        run_multiskill_simulation,
    )

    try:
        options = SimulationOptions(
            replications=args.replications, seed=args.seed, workers=args.workers
        )
    except ValidationError as exc:
        raise ValidationError(f"--{exc.field.replace('_', '-')}", exc.value, exc.expected) from None
    directory = Path(args.roster_dir)
    roster = _read(directory / "roster.csv", ["start", "end"])
    breaks = _read(directory / "breaks.csv", ["start", "end"])
    run_ = scenario.pipeline()
    queues = scenario.queues
    problem = MultiSkillProblem(
        queues=queues,
        demand=run_.forecast,
        schedule=AgentSchedule.from_roster(roster, breaks),
        skills={a.agent_id: a.skills for a in scenario.agents},
        shrinkage=Shrinkage(rate=queues.shrinkage, unit=args.shrinkage_unit),
        interval_minutes=scenario.interval_minutes,
        time_zone=_roster_time_zone(directory),
    )
    result = run_multiskill_simulation(problem, options)
    written = result.write(args.output)
    print(f"replications   {result.replications} (seed {result.seed})")
    for row in result.queues.to_dict("records"):
        print(f"{row['queue']:<14} {_queue_line(row)}")
    print(f"time           {result.wall_time_seconds:.1f} s")
    print(f"wrote {', '.join(written)} to {args.output}")
    return 0


def _queue_line(row: Mapping[Hashable, Any]) -> str:
    """One queue's simulated service, with its 95 % interval and the target."""

    def pct(key: str) -> str:
        return (
            f"{100 * row[key]:.1f}% [{100 * row[key + '_lower']:.1f}%, "
            f"{100 * row[key + '_upper']:.1f}%]"
        )

    verdict = "meets" if row["meets_target"] else "misses"
    if row["channel"] == "email":
        return (
            f"{pct('within_deadline_share')} answered within {row['response_hours']:g} h "
            f"(target {100 * row['response_share']:.0f}%: {verdict})"
        )
    if row["channel"] == "outbound":
        return (
            f"{row['idle_agent_hours_per_day']:.1f} idle agent-hours a day in the calling "
            f"windows (target {row['outbound_hours_per_day']:g} h: {verdict})"
        )
    return (
        f"{pct('service_level')} within {row['answer_within_seconds']:g} s, "
        f"abandoned {100 * row['abandon_rate']:.1f}% "
        f"(target {100 * row['target_level']:.0f}%: {verdict})"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``wfm simulate``; return the exit code."""
    check_output_dir(Path(args.output), option="--output")
    if args.report:
        from wfm.views.tables import read_roster_output

        read_roster_output(args.roster_dir)  # every table the report needs, before any work
    from wfm.simulate import (
        AgentSchedule,
        HandleTimes,
        Patience,
        Shrinkage,
        SimulationOptions,
        SimulationProblem,
        run_simulation,
    )

    if args.scenario:
        from wfm.scenario import load_scenario

        scenario = load_scenario(args.scenario)
        if scenario.queues is not None:
            return _run_queues(args, scenario)
    level, within, shrinkage, patience = _service(args)
    try:
        options = SimulationOptions(
            replications=args.replications, seed=args.seed, workers=args.workers
        )
    except ValidationError as exc:
        option = f"--{exc.field.replace('_', '-')}"
        raise ValidationError(option, exc.value, exc.expected) from None
    handle = (
        HandleTimes.exponential()
        if args.handle_cv is None
        else HandleTimes.lognormal(cv=args.handle_cv)
    )
    callers = Patience.none() if patience is None else Patience.exponential(mean_seconds=patience)
    lost = Shrinkage(rate=shrinkage, unit=args.shrinkage_unit)
    directory = Path(args.roster_dir)
    roster = _read(directory / "roster.csv", ["start", "end"])
    breaks = _read(directory / "breaks.csv", ["start", "end"])
    coverage = _read(directory / "coverage.csv", ["interval_start"])
    problem = SimulationProblem(
        demand=coverage,
        schedule=AgentSchedule.from_roster(roster, breaks),
        handle_times=handle,
        patience=callers,
        shrinkage=lost,
        day_volume_cv=args.day_volume_cv,
        time_zone=_roster_time_zone(directory),
    )
    result = run_simulation(problem, options, answer_within_seconds=within, target_level=level)
    written = result.write(args.output)
    s = result.summary

    def show(triple: Any, percent: bool = True) -> str:
        mean, low, high = triple
        if percent:
            return f"{100 * mean:.1f}% [{100 * low:.1f}%, {100 * high:.1f}%]"
        return f"{mean:.1f} [{low:.1f}, {high:.1f}]"

    print(f"replications   {s.replications} (seed {s.seed}), {s.calls_per_week:,.0f} calls a week")
    print(f"service level  {show(s.service_level)} within {within:g} s (95% interval)")
    print(f"ASA            {show(s.asa_seconds, percent=False)} s")
    print(f"abandoned      {show(s.abandon_rate)}")
    print(f"occupancy      {show(s.staffed_occupancy)}")
    if s.share_of_weeks_meeting_target is not None and s.share_of_weeks_meeting_target_interval:
        low, high = s.share_of_weeks_meeting_target_interval
        print(
            f"weeks meeting  {100 * s.share_of_weeks_meeting_target:.0f}% "
            f"[{100 * low:.0f}%, {100 * high:.0f}%] of {s.replications * s.weeks} "
            f"(target {100 * (level or 0):.0f}%)"
        )
    print(f"time           {s.wall_time_seconds:.1f} s")
    if args.report:
        from wfm.cli.report import write_views

        out = Path(args.output)
        write_views(directory, html=out / "report.html", xlsx=False, agent_ids=None, simulation=out)
        written = [*written, "report.html"]
    print(f"wrote {', '.join(written)} to {args.output}")
    return 0
