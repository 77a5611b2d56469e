"""Many scenarios at once: each rostered into its own folder, one summary table.

:func:`batch` is the Python form of ``wfm batch``. Every scenario is read
and validated, and its demand run through forecast and staffing, in this
process before any roster is solved (a bad file stops the batch in one line
before any work). Each roster problem is then one task of the executor
(:mod:`wfm.sweep.executors`); as each finishes its files are written into
``OUTDIR/<scenario name>/`` (those of ``wfm roster``: ``roster.csv``,
``breaks.csv``, ``coverage.csv``, ``violations.csv``, ``summary.json``
and ``conflicts.csv`` when rules conflict, plus ``forecast.csv`` and
``requirements.csv``), and ``OUTDIR/summary.csv`` gets one row per scenario.
A scenario whose solve fails is reported in its row (``error``) while the
others go on.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.errors import ValidationError
from wfm.roster.problem import RosterProblem
from wfm.roster.result import RosterResult
from wfm.scenario import ScenarioRun, load_scenario
from wfm.sweep.executors import Executor, make_executor
from wfm.sweep.stages import where_am_i
from wfm.timegrid import stamp_text

__all__ = ["SUMMARY_COLUMNS", "BatchItem", "BatchOutcome", "BatchResult", "batch", "solve_item"]

#: Columns of ``summary.csv``.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "scenario",
    "folder",
    "path",
    "required_scheduled_agent_hours",
    "roster_status",
    "paid_hours",
    "paid_cost",
    "understaffing_agent_hours",
    "overstaffing_agent_hours",
    "service_level_rostered",
    "service_target_level",
    "solver_workers",
    "error",
    "wall_time_seconds",
    "worker",
)


@dataclass(frozen=True, kw_only=True, eq=False)
class BatchItem:
    """One scenario's roster problem, sent out as one task."""

    index: int
    problem: RosterProblem
    options: Any  # wfm.roster.options.SolverOptions


@dataclass(frozen=True, kw_only=True, eq=False)
class BatchOutcome:
    """What a task sends back: the roster or the error."""

    index: int
    result: RosterResult | None
    error: str | None
    wall_time_seconds: float
    worker: str


@dataclass(frozen=True, kw_only=True, eq=False)
class BatchResult:
    """The summary table (``summary.csv``, one row per scenario) and where it ran."""

    table: pd.DataFrame
    executor: str
    wall_time_seconds: float


def solve_item(item: BatchItem, shared: object = None) -> BatchOutcome:
    """Solve one scenario's roster where the task runs; an error comes back, never raised."""
    from wfm.roster.solve import solve

    start = time.perf_counter()
    worker = where_am_i()
    try:
        result = solve(item.problem, item.options)
    except Exception as exc:  # reported in the scenario's row, the others go on
        text = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        return BatchOutcome(
            index=item.index,
            result=None,
            error=text,
            wall_time_seconds=time.perf_counter() - start,
            worker=worker,
        )
    return BatchOutcome(
        index=item.index,
        result=result,
        error=None,
        wall_time_seconds=time.perf_counter() - start,
        worker=worker,
    )


def _folder_names(names: Sequence[str]) -> list[str]:
    """A folder per scenario: its name made safe, ``-2``, ``-3`` ... when names repeat."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "scenario"
        seen[safe] = seen.get(safe, 0) + 1
        out.append(safe if seen[safe] == 1 else f"{safe}-{seen[safe]}")
    return out


def _write_inputs(run: ScenarioRun, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if run.forecast is not None:
        stamp_text(run.forecast).to_csv(folder / "forecast.csv", index=False)
    else:
        (folder / "forecast.csv").unlink(missing_ok=True)
    table = run.staffing if run.staffing is not None else run.requirements
    stamp_text(table).to_csv(folder / "requirements.csv", index=False)


def batch(
    scenarios: Sequence[str | Path],
    output: str | Path,
    *,
    executor: str | Executor | None = "auto",
    scheduler: str | None = None,
    n_workers: int | None = None,
    time_limit_seconds: float | None = None,
    seed: int | None = None,
    solver_workers: int | None = None,
    progress: Callable[[int, int, str, dict[str, Any]], None] | None = None,
    notes: Callable[[str], None] | None = None,
) -> BatchResult:
    """Roster several scenarios, each into its own folder of ``output``.

    Parameters
    ----------
    scenarios
        Scenario YAML files (at least one).
    output
        Directory of the folders and of ``summary.csv``.
    executor, scheduler, n_workers
        Where the solves run (as for :func:`wfm.sweep.sweep`).
    time_limit_seconds, seed
        Override every scenario's solver settings.
    solver_workers
        CP-SAT workers per solve (default: cores // solves in parallel).
    progress
        Called after each scenario with (done, total, folder, summary row).
    notes
        Called with each note of a scenario's demand and of the executor.

    Returns
    -------
    BatchResult
        The summary table, also written to ``output/summary.csv``.
    """
    started = time.perf_counter()
    if not scenarios:
        raise ValidationError("scenarios", [], "at least one scenario file")
    flags: dict[str, Any] = {}
    if time_limit_seconds is not None:
        flags["time_limit_seconds"] = time_limit_seconds
    if seed is not None:
        flags["seed"] = seed
    loaded = [load_scenario(path) for path in scenarios]
    options = []
    for scenario in loaded:
        try:
            options.append(dataclasses.replace(scenario.solver, **flags))
        except ValidationError as exc:
            raise ValidationError(
                f"--{exc.field.replace('_', '-')}", exc.value, exc.expected
            ) from None
    out = Path(output)
    folders = _folder_names([s.name for s in loaded])
    runs = []
    for scenario, folder in zip(loaded, folders, strict=True):
        run = scenario.pipeline()
        for text in run.notes:
            if notes is not None:
                notes(f"{folder}: {text}")
        runs.append(run)
    runner = make_executor(executor, scheduler=scheduler, n_workers=n_workers)
    rows: dict[int, dict[str, Any]] = {}
    try:
        if getattr(runner, "note", None) and notes is not None:
            notes(str(getattr(runner, "note")))  # noqa: B009 - only SerialExecutor has it
        cap = runner.solver_workers()
        items = [
            BatchItem(
                index=i,
                problem=run.problem,
                options=dataclasses.replace(o, workers=solver_workers or min(o.workers, cap)),
            )
            for i, (run, o) in enumerate(zip(runs, options, strict=True))
        ]
        for i, run in enumerate(runs):
            _write_inputs(run, out / folders[i])

        def lost(item: BatchItem, message: str) -> BatchOutcome:
            return BatchOutcome(
                index=item.index, result=None, error=message, wall_time_seconds=0.0, worker=""
            )

        for outcome in runner.run(solve_item, None, items, on_lost=lost):
            i = outcome.index
            folder = out / folders[i]
            row = _row(loaded[i].name, folders[i], scenarios[i], runs[i], items[i], outcome)
            if outcome.result is not None:
                outcome.result.write(folder)
            rows[i] = row
            if progress is not None:
                progress(len(rows), len(items), folders[i], row)
        description = runner.description
    finally:
        if runner is not executor:
            runner.close()
    table = pd.DataFrame([rows[i] for i in sorted(rows)], columns=list(SUMMARY_COLUMNS))
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "summary.csv", index=False)
    return BatchResult(
        table=table, executor=description, wall_time_seconds=time.perf_counter() - started
    )


def _row(
    name: str,
    folder: str,
    path: str | Path,
    run: ScenarioRun,
    item: BatchItem,
    outcome: BatchOutcome,
) -> dict[str, Any]:
    problem = run.problem
    row: dict[str, Any] = {
        "scenario": name,
        "folder": folder,
        "path": str(path),
        "required_scheduled_agent_hours": float(
            problem.required_scheduled.sum() * problem.interval_hours
        ),
        "service_target_level": problem.service.level if problem.service else None,
        "solver_workers": item.options.workers,
        "error": outcome.error,
        "wall_time_seconds": outcome.wall_time_seconds,
        "worker": outcome.worker,
    }
    if outcome.result is not None:
        s = outcome.result.summary
        row.update(
            roster_status=s.status.value,
            paid_hours=s.paid_hours,
            paid_cost=s.paid_cost,
            understaffing_agent_hours=s.understaffing_agent_hours,
            overstaffing_agent_hours=s.overstaffing_agent_hours,
            service_level_rostered=s.service_level,
        )
    return row
