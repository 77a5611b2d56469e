"""Run roster benchmarks: one instance per fresh process, with measured metrics.

:func:`run_instance` starts a new Python process for every run, so that the
peak memory it reports (``ru_maxrss`` of the child) belongs to that run alone
and no run warms a cache for the next. The child builds the problem (from a
generated instance name, see :mod:`wfm.datasets.instances`, or from a scenario
file), solves it with :func:`wfm.roster.solve.solve` under the run's
:class:`~wfm.roster.options.SolverOptions` (default :data:`BENCHMARK_OPTIONS`:
2 workers, so that figures compare across machines), writes the roster files
to a scratch directory, re-reads them with the independent checker
(:func:`wfm.roster.checker.check_roster_files`) and reports one JSON record.

Metrics of a run (:class:`BenchmarkRun`)
----------------------------------------
``status``, ``objective``, ``best_bound``, ``relative_gap``
    As reported by the solver.
``first_solution_seconds``
    Time to the first feasible roster.
``within_1pct_seconds``
    First time the incumbent was within 1 % of the final objective (from
    ``RosterResult.solution_trace``).
``understaffing_agent_hours``, ``overstaffing_agent_hours``
    Agent-hours on the phone short of / beyond the requirement.
``lb_understaffing_agent_hours``, ``under_above_lb_agent_hours``, ``under_above_lb_pct``
    The lower bound on under-staffing and how far the roster is above it.
``service_level``
    Call-weighted weekly service level the roster achieves.
``paid_hours``, ``lb_paid_hours``
    Paid hours of the roster and the bound's minimum.
``hard_violations``
    Hard-rule violations the independent checker finds (should be 0).
``wall_time_seconds``, ``total_seconds``, ``build_seconds``
    Solver time, and the whole child run (build, bound, solve, checks) and
    the build alone.
``peak_memory_mb``
    Peak resident memory of the child process.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wfm.errors import ValidationError
from wfm.roster.options import SolverOptions

if TYPE_CHECKING:
    from wfm.roster.bounds.lp import LowerBound
    from wfm.roster.problem import RosterProblem
    from wfm.roster.result import RosterResult

__all__ = [
    "BENCHMARK_OPTIONS",
    "BenchmarkRun",
    "coverage_of",
    "evaluate_roster",
    "format_table",
    "resolve_instances",
    "run_instance",
    "runs_to_frame",
    "time_within",
    "write_results",
]

BENCHMARK_OPTIONS = SolverOptions(time_limit_seconds=60.0, workers=2, seed=0)
"""Solver options of a run unless told otherwise: 60 s, 2 workers, seed 0."""

_PROGRESS = "wfm-bench-progress "
_RESULT = "wfm-bench-result "


@dataclass(frozen=True, kw_only=True)
class BenchmarkRun:
    """Measured outcome of one benchmark run; see the module docstring for the metrics.

    ``error`` is set (and most metrics are ``None``) when the child failed.
    """

    instance: str
    agents: int | None
    interval_minutes: int | None
    seed: int
    workers: int
    time_limit_seconds: float
    status: str
    objective: float | None = None
    best_bound: float | None = None
    relative_gap: float | None = None
    first_solution_seconds: float | None = None
    within_1pct_seconds: float | None = None
    wall_time_seconds: float | None = None
    total_seconds: float | None = None
    build_seconds: float | None = None
    understaffing_agent_hours: float | None = None
    overstaffing_agent_hours: float | None = None
    lb_understaffing_agent_hours: float | None = None
    under_above_lb_agent_hours: float | None = None
    under_above_lb_pct: float | None = None
    service_level: float | None = None
    service_target_level: float | None = None
    paid_hours: float | None = None
    lb_paid_hours: float | None = None
    shifts: int | None = None
    hard_violations: int | None = None
    peak_memory_mb: float | None = None
    error: str | None = None
    per_agent_bound_agent_hours: float | None = None
    per_agent_bound_status: str | None = None
    per_agent_bound_seconds: float | None = None
    understaffing_bound_agent_hours: float | None = None
    understaffing_bound_kind: str | None = None
    under_above_bound_pct: float | None = None
    bound: float | None = None
    bound_kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary of every field (JSON-serialisable)."""
        return dataclasses.asdict(self)


def time_within(
    trace: Iterable[tuple[float, float]], final: float | None, fraction: float = 0.01
) -> float | None:
    """First time an incumbent was within ``fraction`` of ``final`` (minimisation).

    Parameters
    ----------
    trace
        ``(elapsed_seconds, objective)`` of each improving solution, in order.
    final
        Objective of the returned solution.
    fraction
        Relative tolerance; the threshold is ``final + fraction * |final|``
        (and at least ``final + 1e-9``).

    Returns
    -------
    float or None
        ``None`` when there is no trace or no final objective.
    """
    if final is None:
        return None
    threshold = final + max(fraction * abs(final), 1e-9)
    for elapsed, objective in trace:
        if objective <= threshold:
            return float(elapsed)
    return None


def resolve_instances(items: Sequence[str]) -> list[str]:
    """Check benchmark items: generated instance names or existing scenario files.

    Raises
    ------
    ValidationError
        For an item that is neither an existing file nor a valid instance name.
    """
    from wfm.datasets.instances import parse_instance_name

    out: list[str] = []
    for item in items:
        if Path(item).is_file():
            out.append(str(Path(item)))
        elif item.endswith((".yaml", ".yml")):
            raise ValidationError("scenario", item, "an existing scenario file")
        else:
            parse_instance_name(item)
            out.append(item)
    return out


def write_results(
    frame: pd.DataFrame, output: str, *, root: Path, append: bool = False
) -> Path | None:
    """Write a benchmark's rows as CSV to ``output``.

    Parameters
    ----------
    frame
        The rows.
    output
        The file; a relative path is taken from ``root`` (the repository),
        and ``"-"`` writes nothing.
    root
        Where relative paths start.
    append
        Keep the rows already in the file (they come first).

    Returns
    -------
    Path or None
        The file written (``None`` for ``"-"``).
    """
    if output == "-":
        return None
    out = Path(output)
    if not out.is_absolute():
        out = root / out
    out.parent.mkdir(parents=True, exist_ok=True)
    if append and out.exists():
        frame = pd.concat([pd.read_csv(out), frame], ignore_index=True)
    frame.to_csv(out, index=False)
    return out


def run_instance(
    instance: str,
    options: SolverOptions | None = None,
    *,
    check: bool = True,
    output_directory: str | Path | None = None,
    progress: Callable[[dict[str, float]], None] | None = None,
    timeout_seconds: float | None = None,
) -> BenchmarkRun:
    """Solve one instance in a fresh Python process and measure it.

    Parameters
    ----------
    instance
        A generated instance name (``a100-i15-flex-brk-mixed-s0``) or the path
        of a scenario YAML file.
    options
        Solver options (they override a scenario's own; default
        :data:`BENCHMARK_OPTIONS`).
    check
        Re-read the written roster with the independent checker.
    output_directory
        Keep the roster files here (default: a scratch directory, removed).
    progress
        Called with ``{"elapsed_seconds", "objective", "best_bound",
        "relative_gap", "phase", "kind"}`` (see
        :class:`~wfm.roster.result.ProgressEvent`) at each phase start and on
        each improving solution.
    timeout_seconds
        Kill the child after this long (default: 3 x the time limit + 300 s).

    Returns
    -------
    BenchmarkRun
        With ``error`` set when the child failed or timed out.

    Raises
    ------
    ValidationError
        If ``options`` is not a :class:`~wfm.roster.options.SolverOptions`.
    """
    if options is None:
        options = BENCHMARK_OPTIONS
    if not isinstance(options, SolverOptions):
        raise ValidationError("options", options, "a SolverOptions")
    time_limit_seconds = float(options.time_limit_seconds)
    request = {
        "instance": instance,
        "options": dataclasses.asdict(options),
        "check": check,
        "output_directory": None if output_directory is None else str(output_directory),
    }
    limit = timeout_seconds if timeout_seconds is not None else 3 * time_limit_seconds + 300
    command = [sys.executable, "-m", "wfm.benchmark", json.dumps(request)]
    base: dict[str, Any] = {
        "instance": _label(instance),
        "agents": None,
        "interval_minutes": None,
        "seed": options.seed,
        "workers": options.workers,
        "time_limit_seconds": time_limit_seconds,
    }
    started = time.monotonic()
    record: dict[str, Any] | None = None
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as child:
        assert child.stdout is not None
        try:
            for line in child.stdout:
                if line.startswith(_PROGRESS) and progress is not None:
                    progress(json.loads(line[len(_PROGRESS) :]))
                elif line.startswith(_RESULT):
                    record = json.loads(line[len(_RESULT) :])
                if time.monotonic() - started > limit:
                    child.kill()
                    break
            child.wait(timeout=max(1.0, limit - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        stderr = child.stderr.read() if child.stderr is not None else ""
    if record is None:
        last = [line for line in stderr.strip().splitlines() if line.strip()]
        message = last[-1] if last else f"child exited with code {child.returncode}"
        if time.monotonic() - started > limit:
            message = f"killed after {limit:.0f} s"
        return BenchmarkRun(**base, status="ERROR", error=message)
    return BenchmarkRun(**{**base, **record})


def _label(instance: str) -> str:
    path = Path(instance)
    return path.stem if path.suffix in (".yaml", ".yml") else instance


def _load_problem(instance: str) -> RosterProblem:
    path = Path(instance)
    if path.suffix in (".yaml", ".yml"):
        from wfm.scenario import load_scenario

        return load_scenario(path).build_problem()
    from wfm.datasets.instances import make_problem, parse_instance_name

    return make_problem(parse_instance_name(instance))


def _none_if_nan(value: Any) -> float | None:
    if value is None:
        return None
    x = float(value)
    return None if math.isnan(x) else x


def measure(
    problem: RosterProblem,
    result: RosterResult,
    *,
    hard_violations: int | None,
    lower: LowerBound | None = None,
) -> dict[str, Any]:
    """Benchmark metrics of a solved problem (see the module docstring).

    ``lower`` is a :class:`wfm.roster.bounds.lp.LowerBound` used when the
    result carries none (for example when the solver found no roster).
    """
    summary = result.summary
    under = _none_if_nan(summary.understaffing_agent_hours)
    if result.lower_bound is not None:
        lower = result.lower_bound
    lb = None if lower is None else lower.understaffing_agent_hours
    lb_paid = None if lower is None else lower.paid_hours
    above = None if under is None or lb is None else under - lb
    pct = None if above is None or lb is None else 100.0 * above / max(lb, 1.0)
    return {
        "agents": len(problem.agents),
        "interval_minutes": problem.interval_minutes,
        "status": result.status.value,
        "objective": _none_if_nan(result.objective),
        "best_bound": _none_if_nan(result.best_bound),
        "relative_gap": _none_if_nan(result.relative_gap),
        "first_solution_seconds": _none_if_nan(result.first_solution_seconds),
        "within_1pct_seconds": time_within(result.solution_trace, result.objective),
        "wall_time_seconds": float(result.wall_time_seconds),
        "understaffing_agent_hours": under,
        "overstaffing_agent_hours": _none_if_nan(summary.overstaffing_agent_hours),
        "lb_understaffing_agent_hours": _none_if_nan(lb),
        "under_above_lb_agent_hours": above,
        "under_above_lb_pct": pct,
        "service_level": _none_if_nan(summary.service_level),
        "service_target_level": _none_if_nan(summary.service_target_level),
        "paid_hours": _none_if_nan(summary.paid_hours),
        "lb_paid_hours": _none_if_nan(lb_paid),
        "shifts": None if summary.shifts is None else int(summary.shifts),
        "hard_violations": hard_violations,
        **_best_bounds(result),
    }


def _best_bounds(result: RosterResult) -> dict[str, Any]:
    """The per-agent bound and the best bounds the summary reports."""
    summary = result.summary
    per_agent = result.per_agent_bound
    under = _none_if_nan(summary.understaffing_agent_hours)
    best = _none_if_nan(summary.understaffing_bound_agent_hours)
    return {
        "per_agent_bound_agent_hours": None
        if per_agent is None
        else per_agent.understaffing_agent_hours,
        "per_agent_bound_status": None if per_agent is None else per_agent.status.value,
        "per_agent_bound_seconds": None if per_agent is None else per_agent.wall_time_seconds,
        "understaffing_bound_agent_hours": best,
        "understaffing_bound_kind": summary.understaffing_bound_kind,
        "under_above_bound_pct": None
        if under is None or best is None
        else 100.0 * (under - best) / max(best, 1.0),
        "bound": _none_if_nan(summary.bound),
        "bound_kind": summary.bound_kind,
    }


def _child(request: dict[str, Any]) -> int:
    """Body of the child process: build, solve, check, print one JSON record."""
    from wfm.roster.solve import solve

    started = time.perf_counter()
    problem = _load_problem(request["instance"])
    build_seconds = time.perf_counter() - started

    def report(event: Any) -> None:
        payload = {
            "elapsed_seconds": float(event.elapsed_seconds),
            "objective": _none_if_nan(event.objective),
            "phase": event.phase,
            "kind": event.kind,
            "best_bound": _none_if_nan(event.best_bound),
            "relative_gap": _none_if_nan(event.relative_gap),
        }
        print(_PROGRESS + json.dumps(payload), flush=True)

    result = solve(problem, SolverOptions(**request["options"]), progress=report, on_phase=report)
    violations: int | None = None
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(request["output_directory"] or scratch)
        has_roster = result.objective is not None
        if has_roster and (request["check"] or request["output_directory"]):
            result.write(directory)
        if has_roster and request["check"]:
            try:
                from wfm.roster.checker import check_roster_files
            except ImportError:  # pragma: no cover - checker not installed
                violations = None
            else:
                violations = len(check_roster_files(problem, directory))
    lower = None
    if result.lower_bound is None:
        from wfm.roster.bounds.lp import lower_bound

        lower = lower_bound(problem)
    record = measure(problem, result, hard_violations=violations, lower=lower)
    record["build_seconds"] = build_seconds
    record["total_seconds"] = time.perf_counter() - started
    record["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(_RESULT + json.dumps(record), flush=True)
    return 0


def coverage_of(
    problem: RosterProblem, roster: pd.DataFrame, breaks: pd.DataFrame | None = None
) -> np.ndarray:
    """Agents on shift and not on break in every horizon interval.

    Parameters
    ----------
    problem
        The problem whose grid is used.
    roster, breaks
        Tables in the layout of ``roster.csv`` / ``breaks.csv`` (only
        ``start`` and ``end`` are read; strings or timestamps). Parts of a
        shift or break outside the horizon are ignored; times are floored to
        the grid.

    Returns
    -------
    numpy.ndarray
        Float array of length ``problem.n_intervals``.
    """
    n = problem.n_intervals
    delta = np.zeros(n + 1, dtype=float)
    origin = pd.Timestamp(problem.start_date)
    step = pd.Timedelta(minutes=problem.interval_minutes)

    def add(table: pd.DataFrame | None, sign: float) -> None:
        if table is None or len(table) == 0:
            return
        starts = (pd.to_datetime(table["start"]) - origin) // step
        ends = (pd.to_datetime(table["end"]) - origin) // step
        lo = np.clip(starts.to_numpy(dtype=np.int64), 0, n)
        hi = np.clip(ends.to_numpy(dtype=np.int64), 0, n)
        keep = hi > lo
        np.add.at(delta, lo[keep], sign)
        np.add.at(delta, hi[keep], -sign)

    add(roster, 1.0)
    add(breaks, -1.0)
    return np.cumsum(delta)[:n]


def evaluate_roster(
    problem: RosterProblem,
    roster: pd.DataFrame,
    breaks: pd.DataFrame | None = None,
    *,
    check: bool = True,
) -> dict[str, Any]:
    """Score a roster from any source the same way: coverage, service, pay, rules.

    Parameters
    ----------
    problem
        The problem the roster is for.
    roster, breaks
        Tables in the layout of ``roster.csv`` and ``breaks.csv``
        (``paid_minutes`` is needed in ``roster``).
    check
        Count hard-rule violations with the independent checker.

    Returns
    -------
    dict
        ``understaffing_agent_hours``, ``overstaffing_agent_hours`` (on-phone
        agents against ``required_scheduled``), ``service_level`` (call-weighted
        over the week with :func:`wfm.staffing.performance`, ``method="transient"``
        as in the coverage table; ``None`` without
        calls or service policy), ``paid_hours``, ``shifts``,
        ``agents_working``, ``hard_violations`` and ``violated_rules`` (count
        per rule, as text; both ``None`` unless ``check``).
    """
    scheduled = coverage_of(problem, roster, breaks)
    gap = scheduled - problem.required_scheduled
    hours = problem.interval_hours
    service_level: float | None = None
    calls = problem.calls
    if problem.service is not None and calls.sum() > 0:
        from wfm.staffing import performance, weekly_service_level

        open_ = (calls > 0) & np.isfinite(problem.aht_seconds)
        service = problem.service
        # the coverage table's figure: the transient queue over the whole horizon
        perf = performance(
            np.where(open_, calls, 0.0),
            aht_seconds=np.where(open_, problem.aht_seconds, 1.0),
            agents_on_phone=service.on_phone(scheduled),
            interval_minutes=problem.interval_minutes,
            policy=service,
            method="transient",
        )
        service_level = float(
            weekly_service_level(calls[open_], perf["service_level"].to_numpy(dtype=float)[open_])
        )
    violations: int | None = None
    rules: str | None = None
    if check:
        from wfm.roster.checker import check_roster

        found = check_roster(problem, roster, breaks)
        violations = len(found)
        counts = found["rule"].value_counts(sort=False).sort_index() if len(found) else None
        rules = "" if counts is None else ", ".join(f"{r} x{n}" for r, n in counts.items())
    paid = pd.to_numeric(roster["paid_minutes"]).sum() / 60.0 if len(roster) else 0.0
    return {
        "understaffing_agent_hours": float(np.clip(-gap, 0, None).sum() * hours),
        "overstaffing_agent_hours": float(np.clip(gap, 0, None).sum() * hours),
        "service_level": service_level,
        "paid_hours": float(paid),
        "shifts": len(roster),
        "agents_working": int(roster["agent_id"].nunique()) if len(roster) else 0,
        "hard_violations": violations,
        "violated_rules": rules,
    }


def runs_to_frame(runs: Iterable[BenchmarkRun]) -> pd.DataFrame:
    """One row per run, one column per :class:`BenchmarkRun` field."""
    rows = [run.to_dict() for run in runs]
    columns = [f.name for f in dataclasses.fields(BenchmarkRun)]
    return pd.DataFrame(rows, columns=columns)


def _cell(value: Any, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def format_table(
    frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    headers: Sequence[str] | None = None,
    markdown: bool = False,
    digits: int = 1,
) -> str:
    """Render ``frame`` as an aligned text table or a Markdown table.

    Parameters
    ----------
    frame
        Rows to show.
    columns
        Columns to show, in order (default: all).
    headers
        Header labels (default: the column names).
    markdown
        Markdown pipe table instead of aligned text.
    digits
        Decimals of floats; ``relative_gap``, ``service_level`` and
        ``service_target_level`` always get 3 decimals, and whole-number
        counts (``hard_violations``, ``shifts``, ``seed``, ...) none.
    """
    columns = list(frame.columns) if columns is None else list(columns)
    headers = list(columns) if headers is None else list(headers)
    if len(headers) != len(columns):
        raise ValidationError("headers", len(headers), f"{len(columns)} labels")
    precise = {"relative_gap", "service_level", "service_target_level"}
    counts = {"hard_violations", "shifts", "shift_days", "agents", "seed", "workers", "runs"}

    def cell(column: str, value: Any) -> str:
        value = _python(value)
        if column in counts and isinstance(value, float) and value.is_integer():
            value = int(value)
        return _cell(value, 3 if column in precise else digits)

    body = [[cell(c, frame[c].iloc[i]) for c in columns] for i in range(len(frame))]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[k]) for r in body)) for k, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in body]
    return "\n".join(lines)


def _python(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m wfm.benchmark",
        description="Child process of a benchmark run (used by wfm bench).",
    )
    parser.add_argument("request", help="JSON request written by run_instance")
    args = parser.parse_args(argv)
    return _child(json.loads(args.request))


if __name__ == "__main__":
    sys.exit(_main())
