"""``wfm roster``: run a scenario from demand to a weekly roster.

Example::

    wfm roster examples/contact_center/scenario.yaml -o out/

Reads and validates the scenario, runs history -> forecast -> requirements
(as the scenario says), solves the roster while showing progress on standard
error, writes ``roster.csv``, ``breaks.csv``, ``coverage.csv``,
``violations.csv``, ``summary.json``, ``agents.csv`` (agent and contract)
plus ``history.csv`` and ``forecast.csv`` (when the
scenario forecasts; a stale one is removed otherwise) and ``requirements.csv``
into the output directory, and prints a short summary: the week's service
level says "meets target" only when no interval is overloaded, and is
followed by the intervals below target or overloaded and the weakest day.
``--report`` also writes ``report.html`` and ``roster.xlsx`` (see
``wfm report``).
Exit code 0 when a roster was found (OPTIMAL or FEASIBLE), 1 when not (the
conflicts found are printed), 2 on bad input.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from wfm.scenario import Scenario, ScenarioRun, load_scenario

if TYPE_CHECKING:
    from wfm.roster.result import ProgressEvent, RosterResult, RosterSummary
    from wfm.views.tables import ServiceVerdict

__all__ = ["register", "run"]

_DESCRIPTION = (
    "Build a weekly roster from a YAML scenario: forecast the week from history (or read a "
    "forecast or requirements), turn it into per-interval requirements with Erlang C/A, and "
    "roster the agents with CP-SAT. Writes roster.csv, breaks.csv, coverage.csv, "
    "violations.csv, summary.json, agents.csv, history.csv, forecast.csv and requirements.csv "
    "into OUTDIR (with --report also report.html and roster.xlsx)."
)


#: Conflicts printed when no roster is found; the rest are in summary.json.
MAX_CONFLICTS_SHOWN = 10


def register(subparsers: Any) -> None:
    """Add the ``roster`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "roster",
        help="build a weekly roster from a YAML scenario",
        description=_DESCRIPTION,
    )
    parser.add_argument("scenario", metavar="SCENARIO.yaml", help="scenario file")
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUTDIR", help="directory for the output files"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="S",
        help="solver time limit in seconds (default: the scenario's, else 60)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="CP-SAT search workers (default: the scenario's, else the machine's cores)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="K",
        help="random seed of the search (default: the scenario's, else 0)",
    )
    parser.add_argument(
        "--max-deterministic-time",
        type=float,
        default=None,
        metavar="T",
        help="limit in CP-SAT deterministic time units, for reproducible runs",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="also write report.html (offline charts) and roster.xlsx into OUTDIR",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="do not show solver progress on stderr"
    )
    parser.set_defaults(func=run)


def _check_options(args: argparse.Namespace) -> None:
    from wfm.errors import ValidationError

    if args.output == "-":
        # several tables are written: standard output cannot hold them, and a file named "-"
        # would surprise
        raise ValidationError("-o/--output", args.output, "a directory for the output tables")
    if args.time_limit is not None and not args.time_limit > 0:
        raise ValidationError("--time-limit", args.time_limit, "a number of seconds > 0")
    if args.workers is not None and args.workers < 1:
        raise ValidationError("--workers", args.workers, "a whole number >= 1")
    if args.seed is not None and args.seed < 0:
        raise ValidationError("--seed", args.seed, "a whole number >= 0")
    if args.max_deterministic_time is not None and not args.max_deterministic_time > 0:
        raise ValidationError(
            "--max-deterministic-time", args.max_deterministic_time, "a number > 0"
        )


def _progress_printer(stream: Any) -> Any:
    def show(event: ProgressEvent) -> None:
        bound = "-" if event.best_bound is None else f"{event.best_bound:,.1f}"
        gap = "-" if event.relative_gap is None else f"{100 * event.relative_gap:.2f}%"
        print(
            f"  {event.elapsed_seconds:7.1f} s   objective {event.objective:,.1f}   "
            f"bound {bound}   gap {gap}",
            file=stream,
            flush=True,
        )

    return show


def _write_tables(run_: ScenarioRun, out: Path) -> list[str]:
    written: list[str] = []
    agents = pd.DataFrame(
        {
            "agent_id": [a.agent_id for a in run_.problem.agents],
            "contract": [a.contract for a in run_.problem.agents],
        }
    )
    _to_csv(agents, out / "agents.csv")
    written.append("agents.csv")
    if run_.forecast is not None:
        _to_csv(run_.forecast, out / "forecast.csv")
        written.append("forecast.csv")
    else:
        # a forecast.csv left by an earlier run would pass for this run's forecast
        (out / "forecast.csv").unlink(missing_ok=True)
    if run_.history is not None:
        _to_csv(run_.history.data, out / "history.csv")
        written.append("history.csv")
    else:
        (out / "history.csv").unlink(missing_ok=True)
    table = run_.staffing if run_.staffing is not None else run_.requirements
    _to_csv(table, out / "requirements.csv")
    written.append("requirements.csv")
    return written


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M")


def _fmt(value: float | None, spec: str = ",.1f", suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def _summary_lines(
    scenario: Scenario, result: RosterResult, out: Path, verdict: ServiceVerdict | None = None
) -> list[str]:
    s = result.summary
    rows: list[tuple[str, str]] = [("status", s.status.value)]
    if not s.shifts and s.objective is None:
        rows.append(("time", f"{s.wall_time_seconds:.1f} s"))
        rows.append(("output", str(out)))
        return _table(rows)
    if s.service_level is not None:
        rows.extend(_service_rows(s, verdict))
    rows.append(
        (
            "understaffing",
            f"{_fmt(s.understaffing_agent_hours)} agent-hours"
            f" (lower bound {_fmt(s.lower_bound_understaffing_agent_hours)})",
        )
    )
    rows.append(("overstaffing", f"{_fmt(s.overstaffing_agent_hours)} agent-hours"))
    rows.append(("paid hours", _paid_hours_text(s)))
    rows.append(("paid cost", _fmt(s.paid_cost, ",.2f")))
    rows.append(("shifts", f"{s.shifts} by {s.agents_working} of {len(scenario.agents)} agents"))
    rows.append(
        (
            "objective",
            f"{_fmt(s.objective)} (bound {_fmt(s.best_bound)}, gap "
            f"{_fmt(None if s.relative_gap is None else 100 * s.relative_gap, '.2f', '%')})",
        )
    )
    rows.append(
        (
            "time",
            f"{s.wall_time_seconds:.1f} s (first roster after "
            f"{_fmt(s.first_solution_seconds, '.1f', ' s')})",
        )
    )
    rows.append(("output", str(out)))
    return _table(rows)


def _service_rows(s: RosterSummary, verdict: ServiceVerdict | None) -> list[tuple[str, str]]:
    """The week's service level, and what it hides interval by interval.

    "meets target" is said only when the week meets the target and no interval
    is overloaded (agents on the phone not above the offered traffic).
    """
    assert s.service_level is not None
    target = s.service_target_level
    text = f"{100 * s.service_level:.1f}%"
    if target is not None:
        met = s.service_level >= target - 1e-9
        if verdict is not None:
            met = met and verdict.intervals_overloaded == 0
        text += f" vs target {100 * target:.10g}% ({'meets' if met else 'BELOW'} target)"
    rows = [("service level", text)]
    if verdict is None or verdict.intervals_with_calls == 0:
        return rows
    worst = _fmt(
        None
        if verdict.worst_interval_service_level is None
        else 100 * verdict.worst_interval_service_level,
        ".1f",
        "%",
    )
    rows.append(
        (
            "weak intervals",
            f"{verdict.intervals_below_target} of {verdict.intervals_with_calls} below target "
            f"(worst {worst}), {verdict.intervals_overloaded} overloaded",
        )
    )
    day_level = _fmt(
        None
        if verdict.lowest_day_service_level is None
        else 100 * verdict.lowest_day_service_level,
        ".1f",
        "%",
    )
    rows.append(("lowest day", f"{verdict.lowest_day} at {day_level}"))
    return rows


def _paid_hours_text(s: RosterSummary) -> str:
    """Paid hours and the bound, said so that a roster below the bound reads right.

    The paid-hours bound holds for rosters with the least understaffing; a
    roster with more understaffing may well pay fewer hours than it.
    """
    text = _fmt(s.paid_hours)
    bound, least = s.lower_bound_paid_hours, s.lower_bound_understaffing_agent_hours
    if bound is None or least is None:
        return text
    under = s.understaffing_agent_hours
    if under is not None and under > least + 1e-6:
        return (
            f"{text} (a roster with only {_fmt(least)} agent-hours of understaffing "
            f"needs at least {_fmt(bound)})"
        )
    return f"{text} (lower bound {_fmt(bound)})"


def _table(rows: list[tuple[str, str]]) -> list[str]:
    width = max(len(name) for name, _ in rows)
    return [f"{name:<{width}}  {value}" for name, value in rows]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def run(args: argparse.Namespace) -> int:
    """Run ``wfm roster``; see the module docstring."""
    from wfm.roster.solve import solve
    from wfm.status import SolveStatus

    _check_options(args)
    scenario = load_scenario(args.scenario)
    flags = {
        "time_limit_seconds": args.time_limit,
        "workers": args.workers,
        "seed": args.seed,
        "max_deterministic_time": args.max_deterministic_time,
    }
    # the flags given override the scenario's solver options
    options = dataclasses.replace(
        scenario.solver, **{k: v for k, v in flags.items() if v is not None}
    )
    out = Path(args.output)
    err = sys.stderr
    print(
        f"scenario {scenario.name}: {scenario.start_date} + {scenario.days} days, "
        f"{_count(len(scenario.agents), 'agent')}, {_count(len(scenario.templates), 'template')}",
        file=err,
    )
    pipeline = scenario.pipeline()
    problem = pipeline.problem
    for note in pipeline.notes:
        print(f"note: {note}", file=err)
    out.mkdir(parents=True, exist_ok=True)
    written = _write_tables(pipeline, out)
    print(
        f"requirements: {problem.required_scheduled.sum() * problem.interval_hours:,.1f} "
        f"agent-hours to schedule; solving (time limit {options.time_limit_seconds:g} s, "
        f"{options.workers} workers, seed {options.seed})",
        file=err,
        flush=True,
    )
    result = solve(problem, options, progress=None if args.quiet else _progress_printer(err))
    result.write(out)
    verdict = None
    if result.summary.shifts:
        from wfm.views.tables import read_roster_output, service_verdict

        verdict = service_verdict(read_roster_output(out))
    print("\n".join(_summary_lines(scenario, result, out, verdict)))
    files = ["roster.csv", "breaks.csv", "coverage.csv", "violations.csv", "summary.json"]
    if args.report and result.summary.shifts:
        from wfm.cli.report import write_views

        write_views(out, html=None, xlsx=True, agent_ids=None)
        files += ["report.html", "roster.xlsx"]
    if args.quiet is False:
        print(f"wrote {', '.join(files + written)} to {out}", file=err)
    if result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return 0
    print(f"wfm roster: no roster found ({result.status.value})", file=err)
    for conflict in result.conflicts[:MAX_CONFLICTS_SHOWN]:
        who = f" [{conflict.agent_id}]" if conflict.agent_id else ""
        print(f"  {conflict.rule}{who}: {conflict.message}", file=err)
    hidden = len(result.conflicts) - MAX_CONFLICTS_SHOWN
    if hidden > 0:
        print(f"  ... and {_count(hidden, 'more conflict')} (all in summary.json)", file=err)
    return 1
