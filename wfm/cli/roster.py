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
``wfm report``); ``--parquet`` a ``NAME.parquet`` beside each ``NAME.csv``.
HR columns of the scenario's agents.csv (``name``, ``team``, those of
``agents.hr_columns``) are carried, as written, into ``agents.csv`` and
``roster.csv``. Progress is one line redrawn in place on a terminal, plain
lines otherwise (:mod:`wfm.cli.progress`); ``-q`` leaves nothing on standard
error but errors and the notes on the input. With
``--share-of-weeks P`` (or ``--share-of-days P``, or the scenario's ``risk``
section) the roster must meet the service target in that share of simulated
weeks (:func:`wfm.risk.roster_for_share`); ``risk.json`` then holds the
simulated share with its interval, the paid hours with and without the
option, and the rounds.

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
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from wfm.cli.checks import check_output_dir
from wfm.cli.progress import SolveProgress, gap_percent_text
from wfm.cli.progress import figure as _fmt
from wfm.cli.report import ROSTER_TABLES
from wfm.scenario import Scenario, ScenarioRun, load_scenario
from wfm.timegrid import stamp_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from wfm.risk import RiskTarget
    from wfm.roster.problem import RosterProblem
    from wfm.roster.result import ProgressEvent, RosterResult, RosterSummary
    from wfm.roster.solve import SolverOptions
    from wfm.views.tables import ServiceVerdict

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
        "--lexicographic",
        action="store_true",
        default=None,
        help="first the least under-staffing, then cost and wishes with it held (default: "
        "the scenario's solver.lexicographic, else the weighted objective alone)",
    )
    parser.add_argument(
        "--share-of-weeks",
        type=float,
        default=None,
        metavar="P",
        help="meet the service target in this share of simulated weeks, e.g. 0.9 (overrides "
        "the scenario's risk.share; writes risk.json)",
    )
    parser.add_argument(
        "--share-of-days",
        type=float,
        default=None,
        metavar="P",
        help="as --share-of-weeks, for days",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="also write report.html (offline charts) and roster.xlsx into OUTDIR",
    )
    parser.add_argument(
        "--parquet",
        action="store_true",
        help="also write each table as NAME.parquet beside NAME.csv (needs pyarrow)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing on stderr but errors and notes on the input (no progress); the "
        "summary stays on stdout",
    )
    parser.set_defaults(func=run)


def _check_options(args: argparse.Namespace) -> None:
    from wfm.errors import ValidationError

    if args.output == "-":
        # several tables are written: standard output cannot hold them, and a file named "-"
        # would surprise
        raise ValidationError(
            "-o/--output",
            args.output,
            "a directory (several tables are written; '-' is for one table)",
        )
    if args.time_limit is not None and not (math.isfinite(args.time_limit) and args.time_limit > 0):
        raise ValidationError("--time-limit", args.time_limit, "a finite number of seconds > 0")
    if args.workers is not None and args.workers < 1:
        raise ValidationError("--workers", args.workers, "a whole number >= 1")
    if args.seed is not None and args.seed < 0:
        raise ValidationError("--seed", args.seed, "a whole number >= 0")
    for flag, value in (
        ("--share-of-weeks", args.share_of_weeks),
        ("--share-of-days", args.share_of_days),
    ):
        if value is not None and not 0 < value < 1:
            raise ValidationError(flag, value, "a share in (0, 1), e.g. 0.9")
    if args.share_of_weeks is not None and args.share_of_days is not None:
        raise ValidationError(
            "--share-of-days", args.share_of_days, "not together with --share-of-weeks"
        )
    if args.max_deterministic_time is not None and not args.max_deterministic_time > 0:
        raise ValidationError(
            "--max-deterministic-time", args.max_deterministic_time, "a number > 0"
        )


def _agents_table(scenario: Scenario, run_: ScenarioRun) -> pd.DataFrame:
    """``agent_id, contract`` and the HR columns of the scenario's agents.csv, unchanged."""
    agents = pd.DataFrame(
        {
            "agent_id": [a.agent_id for a in run_.problem.agents],
            "contract": [a.contract for a in run_.problem.agents],
        }
    )
    details = scenario.agent_details
    if details is None:
        return agents
    hr = details.drop_duplicates("agent_id").set_index("agent_id")
    for column in hr.columns:
        agents[column] = agents["agent_id"].map(hr[column]).fillna("")
    return agents


def _add_hr_columns(path: Path, agents: pd.DataFrame) -> None:
    """Carry the HR columns of ``agents`` into the table at ``path`` (after ``agent_id``)."""
    hr = [c for c in agents.columns if c not in ("agent_id", "contract")]
    if not hr or not path.is_file():
        return
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    by_agent = agents.set_index("agent_id")
    at = list(table.columns).index("agent_id") + 1
    for k, column in enumerate(hr):
        table.insert(at + k, column, table["agent_id"].map(by_agent[column]).fillna(""))
    table.to_csv(path, index=False)


def _write_tables(run_: ScenarioRun, out: Path, agents: pd.DataFrame) -> list[str]:
    written: list[str] = []
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
    stamp_text(frame).to_csv(path, index=False)


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
            f"{_fmt(s.understaffing_agent_hours)} agent-hours (lower bound {_bound_text(s)})",
        )
    )
    rows.append(("overstaffing", f"{_fmt(s.overstaffing_agent_hours)} agent-hours"))
    rows.extend(_queue_rows(s))
    rows.append(("paid hours", _paid_hours_text(s)))
    rows.append(("paid cost", _fmt(s.paid_cost, ",.2f")))
    rows.append(("shifts", f"{s.shifts} by {s.agents_working} of {len(scenario.agents)} agents"))
    rows.append(
        (
            "objective",
            f"{_fmt(s.objective)} (bound {_fmt(s.best_bound)}, gap "
            f"{gap_percent_text(s.relative_gap)}{_best_objective_bound_text(s)})",
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


def _queue_rows(s: RosterSummary) -> list[tuple[str, str]]:
    """A line per queue of a multi-skill roster (``summary.json``'s ``queues``)."""
    rows: list[tuple[str, str]] = []
    for name, q in (s.queues or {}).items():
        channel = q.get("channel")
        if channel in ("voice", "chat"):
            level = q.get("service_level")
            service = "" if level is None else f", service {100 * level:.1f}%"
            text = (
                f"{channel}: {_fmt(q.get('understaffing_agent_hours'))} agent-hours short, "
                f"{_fmt(q.get('overstaffing_agent_hours'))} over{service}"
            )
        elif channel == "email":
            text = (
                f"email: {_fmt(q.get('work_agent_hours'))} agent-hours of work, "
                f"{_fmt(q.get('late_agent_hours'))} done late, "
                f"{_fmt(q.get('backlog_end_agent_hours'))} left at the end"
            )
        elif channel == "outbound":
            text = (
                f"outbound: {_fmt(q.get('outbound_hours'))} of "
                f"{_fmt(q.get('outbound_target_hours'))} agent-hours "
                f"({_fmt(q.get('outbound_shortfall_agent_hours'))} short on its days)"
            )
        else:
            if not q.get("coverage_scheduled_agent_hours"):
                continue
            text = f"{_fmt(q.get('coverage_scheduled_agent_hours'))} agent-hours idle"
        rows.append((f"  {name}", text))
    return rows


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


def _bound_text(s: RosterSummary) -> str:
    """The best under-staffing bound and its kind (the LP bound alone in older summaries)."""
    if s.understaffing_bound_agent_hours is None:
        return _fmt(s.lower_bound_understaffing_agent_hours)
    kind = (s.understaffing_bound_kind or "").replace("_", " ")
    return f"{_fmt(s.understaffing_bound_agent_hours)}, {kind}"


def _best_objective_bound_text(s: RosterSummary) -> str:
    """``; best bound ...`` when a bound beats CP-SAT's own, else nothing."""
    if s.bound is None or s.bound_kind in (None, "cp_sat"):
        return ""
    kind = (s.bound_kind or "").replace("_", " ")
    return f"; best bound {_fmt(s.bound)} ({kind}), gap {gap_percent_text(s.bound_relative_gap)}"


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


def _risk_target(scenario: Scenario, args: argparse.Namespace) -> RiskTarget | None:
    """The scenario's ``risk`` section with the share flags applied, or ``None``."""
    from wfm.errors import ValidationError
    from wfm.risk import RiskTarget

    share, period = args.share_of_weeks, "week"
    period_: Literal["week", "day"] = "week"
    if args.share_of_days is not None:
        period_ = "day"
        share, period = args.share_of_days, "day"
    if share is None:
        return scenario.risk
    if scenario.service is None or scenario.service.level is None:
        flag = "--share-of-weeks" if period == "week" else "--share-of-days"
        raise ValidationError(flag, share, "a scenario with a service target")
    base = scenario.risk if scenario.risk is not None else RiskTarget(share=share)
    return dataclasses.replace(base, share=share, period=period_)


def _solve_for_share(
    problem: RosterProblem,
    risk: RiskTarget,
    options: SolverOptions,
    display: SolveProgress | None,
    out: Path,
) -> tuple[RosterResult, list[str]]:
    """Roster with :func:`wfm.risk.roster_for_share`; write ``risk.json``; the summary lines."""
    import json

    from wfm.risk import RiskRound, roster_for_share

    def show(r: RiskRound) -> None:
        if display is None:
            return  # --quiet
        print(
            f"round {r.round}: {_share_text(r.share, r.share_interval)} of {risk.period}s meet "
            f"the target, paid {_fmt(r.paid_hours)} h; raising {r.raised_intervals} intervals",
            file=sys.stderr,
            flush=True,
        )

    def solve_each(problem_: RosterProblem, options_: SolverOptions, **kwargs: Any) -> RosterResult:
        # each round's solve stops on Ctrl-C like a plain one
        return _solve_shown(problem_, options_, display)

    found = roster_for_share(problem, risk, options=options, solve=solve_each, on_round=show)
    (out / "risk.json").write_text(json.dumps(found.to_dict(), indent=2) + "\n")
    first, last = found.rounds[0], found.rounds[-1]
    asked = f"{100 * risk.share:.10g}%"
    rows = [
        (
            f"{risk.period}s meeting",
            f"{_share_text(last.share, last.share_interval)} simulated (asked {asked}; "
            f"{'met' if found.met else 'NOT met'} after {_count(len(found.rounds) - 1, 'raise')})",
        ),
        (
            "without option",
            f"{_share_text(first.share, first.share_interval)}, paid {_fmt(first.paid_hours)} h",
        ),
    ]
    return found.roster, _table(rows)


def _share_text(share: float, interval: tuple[float, float]) -> str:
    return f"{100 * share:.0f}% [{100 * interval[0]:.0f}%, {100 * interval[1]:.0f}%]"


#: Files ``wfm roster`` may write into its output directory.
_OUTPUT_FILES = (
    *ROSTER_TABLES,
    "summary.json",
    "risk.json",
    "report.html",
    "roster.xlsx",
    *(f"{name[:-4]}.parquet" for name in ROSTER_TABLES),
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
        "lexicographic": args.lexicographic,
    }
    # the flags given override the scenario's solver options
    options = dataclasses.replace(
        scenario.solver, **{k: v for k, v in flags.items() if v is not None}
    )
    out = Path(args.output)
    err = sys.stderr

    def say(text: str) -> None:
        if not args.quiet:
            print(text, file=err, flush=True)

    say(
        f"scenario {scenario.name}: {scenario.start_date} + {scenario.days} days, "
        f"{_count(len(scenario.agents), 'agent')}, {_count(len(scenario.templates), 'template')}"
    )
    pipeline = scenario.pipeline()
    problem = pipeline.problem
    for note in pipeline.notes:
        # shown under --quiet too: a note says what of the input was left out
        print(f"note: {note}", file=err)
    out.mkdir(parents=True, exist_ok=True)
    agents = _agents_table(scenario, pipeline)
    written = _write_tables(pipeline, out, agents)
    say(
        f"requirements: {problem.required_scheduled.sum() * problem.interval_hours:,.1f} "
        f"agent-hours to schedule; solving (time limit {options.time_limit_seconds:g} s, "
        f"{options.workers} workers, seed {options.seed})"
    )
    display = None if args.quiet else SolveProgress(err)
    risk = _risk_target(scenario, args)
    risk_lines: list[str] = []
    if risk is None:
        result = _solve_shown(problem, options, display)
    else:
        result, risk_lines = _solve_for_share(problem, risk, options, display, out)
        written.append("risk.json")
    result.write(out)
    _add_hr_columns(out / "roster.csv", agents)
    verdict = None
    if result.summary.shifts:
        from wfm.views.tables import read_roster_output, service_verdict

        verdict = service_verdict(read_roster_output(out))
    print("\n".join(_summary_lines(scenario, result, out, verdict)))
    if risk_lines:
        print("\n".join(risk_lines))
    files = ["roster.csv", "breaks.csv", "coverage.csv", "violations.csv", "summary.json"]
    if result.coverage_by_queue is not None:
        files.insert(3, "coverage_by_queue.csv")
    if args.report and result.summary.shifts:
        from wfm.cli.report import write_views

        write_views(out, html=None, xlsx=True, agent_ids=None)
        files += ["report.html", "roster.xlsx"]
    if args.parquet:
        from wfm.views.exports import write_parquet_tables

        tables = [f for f in files + written if f.endswith(".csv")]
        if (out / "conflicts.csv").is_file():
            tables.append("conflicts.csv")
        files += [p.name for p in write_parquet_tables(out, tables)]
    say(f"wrote {', '.join(files + written)} to {out}")
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


def _solve_shown(
    problem: RosterProblem, options: SolverOptions, display: SolveProgress | None
) -> RosterResult:
    """Solve, showing the progress on ``display`` (none when ``None``) until the summary."""
    if display is None:
        return _solve_until_done(problem, options, progress=None)
    with display.solve(time_limit_seconds=options.time_limit_seconds) as show:
        result = _solve_until_done(problem, options, progress=show)
        display.finish(result.summary)
    return result


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
        return solve(problem, options, progress=progress, on_phase=progress)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = solve(
                problem, options, progress=progress, stop=stop, on_phase=progress
            )
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
