"""``wfm roster``: run a scenario from demand to a weekly roster.

Example::

    wfm roster examples/contact_center/scenario.yaml -o out/

Reads and validates the scenario, runs history -> forecast -> requirements
(as the scenario says), solves the roster while showing progress on standard
error, writes ``roster.csv``, ``breaks.csv``, ``coverage.csv``,
``violations.csv``, ``summary.json`` plus ``forecast.csv`` (when the
scenario forecasts; a stale one is removed otherwise) and ``requirements.csv``
into the output directory, and prints a short summary.

Exit codes (:data:`EXIT_CODES`):

- 0: a roster was found (``OPTIMAL`` or ``FEASIBLE``);
- 1: the problem has no roster (``INFEASIBLE``; the conflicting rules are
  printed), or the model was invalid;
- 2: bad input (one line naming the field), as for every ``wfm`` command;
- 3: no roster was found within the time limit (``TIME_LIMIT_NO_SOLUTION``
  after the whole limit was spent);
- 130: interrupted (Ctrl-C, SIGINT): the search stops, the best roster
  found so far is written (status ``FEASIBLE``, or ``OPTIMAL`` if already
  proven) or, without one, the files with status ``TIME_LIMIT_NO_SOLUTION``
  and empty tables; standard error says which.

The solve runs in a worker thread while the main thread waits, so that the
SIGINT handler (which only asks the solve to stop, see
:class:`wfm.roster.search.stop.StopRequest`) runs at once; the previous
handler is put back when the solve ends.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from wfm.cli.checks import check_output_dir
from wfm.scenario import Scenario, ScenarioRun, load_scenario
from wfm.timegrid import stamp_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from wfm.roster.problem import RosterProblem
    from wfm.roster.result import ProgressEvent, RosterResult, RosterSummary
    from wfm.roster.solve import SolverOptions

__all__ = [
    "EXIT_CODES",
    "EXIT_INFEASIBLE",
    "EXIT_INTERRUPTED",
    "EXIT_ROSTER",
    "EXIT_TIME_LIMIT",
    "register",
    "run",
]

EXIT_ROSTER = 0
EXIT_INFEASIBLE = 1
EXIT_TIME_LIMIT = 3
EXIT_INTERRUPTED = 130
EXIT_CODES: dict[str, int] = {
    "OPTIMAL": EXIT_ROSTER,
    "FEASIBLE": EXIT_ROSTER,
    "INFEASIBLE": EXIT_INFEASIBLE,
    "MODEL_INVALID": EXIT_INFEASIBLE,
    "TIME_LIMIT_NO_SOLUTION": EXIT_TIME_LIMIT,
}
"""Exit code of ``wfm roster`` by the status of the roster (not interrupted)."""

#: Seconds between two checks of the waiting main thread.
_WAIT_SECONDS = 0.2

_DESCRIPTION = (
    "Build a weekly roster from a YAML scenario: forecast the week from history (or read a "
    "forecast or requirements), turn it into per-interval requirements with Erlang C/A, and "
    "roster the agents with CP-SAT. Writes roster.csv, breaks.csv, coverage.csv, "
    "violations.csv, summary.json, forecast.csv and requirements.csv into OUTDIR."
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
        "-q", "--quiet", action="store_true", help="do not show solver progress on stderr"
    )
    parser.set_defaults(func=run)


def _check_options(args: argparse.Namespace) -> None:
    from wfm.errors import ValidationError

    if args.time_limit is not None and not (math.isfinite(args.time_limit) and args.time_limit > 0):
        raise ValidationError("--time-limit", args.time_limit, "a finite number of seconds > 0")
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
    if run_.forecast is not None:
        _to_csv(run_.forecast, out / "forecast.csv")
        written.append("forecast.csv")
    else:
        # a forecast.csv left by an earlier run would pass for this run's forecast
        (out / "forecast.csv").unlink(missing_ok=True)
    table = run_.staffing if run_.staffing is not None else run_.requirements
    _to_csv(table, out / "requirements.csv")
    written.append("requirements.csv")
    return written


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    stamp_text(frame).to_csv(path, index=False)


def _fmt(value: float | None, spec: str = ",.1f", suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def _summary_lines(scenario: Scenario, result: RosterResult, out: Path) -> list[str]:
    s = result.summary
    rows: list[tuple[str, str]] = [("status", s.status.value)]
    if not s.shifts and s.objective is None:
        rows.append(("time", f"{s.wall_time_seconds:.1f} s"))
        rows.append(("output", str(out)))
        return _table(rows)
    if s.service_level is not None:
        target = s.service_target_level
        text = f"{100 * s.service_level:.1f}%"
        if target is not None:
            met = s.service_level >= target - 1e-9
            text += f" vs target {100 * target:.10g}% ({'meets' if met else 'BELOW'} target)"
        rows.append(("service level", text))
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


#: Files ``wfm roster`` may write into its output directory.
_OUTPUT_FILES = (
    "roster.csv",
    "breaks.csv",
    "coverage.csv",
    "violations.csv",
    "summary.json",
    "requirements.csv",
    "forecast.csv",
)


def run(args: argparse.Namespace) -> int:
    """Run ``wfm roster``; see the module docstring."""
    from wfm.status import SolveStatus

    _check_options(args)
    check_output_dir(Path(args.output), option="-o", files=_OUTPUT_FILES)
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
    result = _solve_until_done(
        problem, options, progress=None if args.quiet else _progress_printer(err)
    )
    result.write(out)
    print("\n".join(_summary_lines(scenario, result, out)))
    if args.quiet is False:
        files = ["roster.csv", "breaks.csv", "coverage.csv", "violations.csv", "summary.json"]
        print(f"wrote {', '.join(files + written)} to {out}", file=err)
    if result.interrupted:
        if result.status.has_solution:
            what = f"wrote the best roster found so far ({result.status.value})"
        else:
            what = f"no roster found before the stop ({result.status.value}); wrote the summary"
        print(f"wfm roster: interrupted: {what}", file=err)
        return EXIT_INTERRUPTED
    if result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return EXIT_ROSTER
    print(f"wfm roster: no roster found ({result.status.value})", file=err)
    for conflict in result.conflicts[:MAX_CONFLICTS_SHOWN]:
        who = f" [{conflict.agent_id}]" if conflict.agent_id else ""
        print(f"  {conflict.rule}{who}: {conflict.message}", file=err)
    hidden = len(result.conflicts) - MAX_CONFLICTS_SHOWN
    if hidden > 0:
        print(f"  ... and {_count(hidden, 'more conflict')} (all in summary.json)", file=err)
    if result.status == SolveStatus.TIME_LIMIT_NO_SOLUTION:
        print(
            f"  the whole time limit ({options.time_limit_seconds:g} s) was spent; "
            "a longer --time-limit may find one",
            file=err,
        )
    return EXIT_CODES[result.status.value]


def _solve_until_done(
    problem: RosterProblem,
    options: SolverOptions,
    *,
    progress: Callable[[ProgressEvent], None] | None,
) -> RosterResult:
    """Solve in a worker thread; SIGINT asks the solve to stop (see the module docstring)."""
    from wfm.roster.solve import StopRequest, solve

    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        # signal handlers can only be set from the main thread: solve right here
        return solve(problem, options, progress=progress)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = solve(problem, options, progress=progress, stop=stop)
        except BaseException as exc:  # re-raised in the main thread
            outcome["error"] = exc

    def on_sigint(signum: int, frame: Any) -> None:
        stop.request()  # sets a flag and stops the solve under way, nothing else

    worker = threading.Thread(target=work, name="wfm-roster-solve", daemon=True)
    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(_WAIT_SECONDS)
            if stop.requested:
                stop.request()  # again: reaches a solve that had not started at the first
    finally:
        signal.signal(signal.SIGINT, previous)
    if "error" in outcome:
        raise outcome["error"]
    result: RosterResult = outcome["result"]
    return result
