"""The sweep: validate every case, compute the shared demand once, run the cases, tabulate.

:func:`sweep` is the Python form of ``wfm sweep``. Its :class:`SweepResult`
holds the results table (one row per case, layout in :mod:`wfm.sweep`) and
writes it with the frontier chart (:meth:`SweepResult.write`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.errors import ValidationError
from wfm.roster.options import SolverOptions
from wfm.sweep.cases import STAGES, DemandTables, Stage, SweepCase, build_cases
from wfm.sweep.executors import SCHEDULER_ENVIRONMENT_VARIABLE, Executor, make_executor
from wfm.sweep.frontier import efficient_frontier, frontier_axes, write_frontier_chart
from wfm.sweep.stages import (
    MEASURE_COLUMNS,
    CaseResult,
    SimulationSettings,
    SweepInputs,
    failed_result,
    run_case,
)

__all__ = ["SweepResult", "sweep"]

#: Why ``executor="auto"`` runs a requirements-only sweep in this process: its
#: cases take milliseconds, and a local cluster's start-up and per-task
#: shipping cost more than two cores save (measured in benchmarks/README.md:
#: 500 cases in 14 s here, 19 s on a two-worker local cluster).
LOCAL_REQUIREMENTS_NOTE = (
    "requirements-only cases take milliseconds: they run in this process, where a local "
    "cluster would cost more than it saves (--dask-workers N or --scheduler to use one)"
)

#: Called after each case: (cases done, cases in all, the case's result).
Progress = Callable[[int, int, CaseResult], None]


@dataclass(frozen=True, kw_only=True, eq=False)
class SweepResult:
    """The outcome of a sweep.

    Attributes
    ----------
    table
        One row per case in grid order: ``case``, the varied settings, the
        figures of :data:`wfm.sweep.stages.MEASURE_COLUMNS` and
        ``on_frontier``.
    stage
        The stage the cases stopped after.
    varied
        The varied settings, in the order given.
    decision, groups
        The setting along each frontier line and the settings that make the
        groups (see :mod:`wfm.sweep.frontier`).
    cost_column, service_column
        The frontier's axes.
    executor
        Where the cases ran.
    notes
        Things worth a look that are not errors (demand notes, no dask).
    wall_time_seconds
        Time of the whole sweep.
    """

    table: pd.DataFrame
    stage: Stage
    varied: tuple[str, ...]
    decision: str
    groups: tuple[str, ...]
    cost_column: str
    service_column: str
    executor: str
    notes: tuple[str, ...]
    wall_time_seconds: float

    @property
    def failed(self) -> pd.DataFrame:
        """The rows of the cases that failed."""
        return self.table[self.table["error"].notna()]

    def write(self, directory: str | Path) -> list[str]:
        """Write ``results.csv``, ``sweep.json`` and ``frontier.png`` into ``directory``.

        The chart is left out, with a note in ``sweep.json``, when matplotlib
        is not installed or no case has both frontier figures.

        Returns
        -------
        list of str
            The names of the files written.
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        self.table.to_csv(out / "results.csv", index=False)
        written = ["results.csv"]
        chart_note = None
        chart = out / "frontier.png"
        if not self.table["on_frontier"].any():
            chart_note = "no frontier chart: no case has both a cost and a service level"
        else:
            try:
                write_frontier_chart(
                    self.table,
                    chart,
                    cost=self.cost_column,
                    service=self.service_column,
                    decision=self.decision,
                    groups=self.groups,
                    title=f"What if? {len(self.table)} cases, {self.stage} stage",
                )
                written.append("frontier.png")
            except ImportError:
                chart_note = (
                    "no frontier chart: matplotlib is not installed (pip install 'wfm[bench]')"
                )
        if chart_note is not None:
            chart.unlink(missing_ok=True)  # a chart left by an earlier sweep would mislead
        info = {
            "stage": self.stage,
            "varied": list(self.varied),
            "decision": self.decision,
            "groups": list(self.groups),
            "frontier": {"cost": self.cost_column, "service": self.service_column},
            "cases": len(self.table),
            "failed": int(self.table["error"].notna().sum()),
            "executor": self.executor,
            "notes": list(self.notes) + ([chart_note] if chart_note else []),
            "wall_time_seconds": self.wall_time_seconds,
        }
        (out / "sweep.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        written.append("sweep.json")
        return written


def sweep(
    scenario: str | Path,
    vary: Mapping[str, Sequence[Any]],
    *,
    stage: Stage = "requirements",
    executor: str | Executor | None = "auto",
    scheduler: str | None = None,
    n_workers: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    solver_workers: int | None = None,
    simulation: SimulationSettings | None = None,
    decision: str | None = None,
    progress: Progress | None = None,
    notes: Callable[[str], None] | None = None,
) -> SweepResult:
    """Run every combination of ``vary`` on a scenario up to ``stage``.

    Parameters
    ----------
    scenario
        The scenario YAML file.
    vary
        Each setting and its values: a YAML path of the scenario
        (``service.target``) or a factor of :data:`wfm.sweep.cases.SCALES`.
    stage
        ``requirements`` (Erlang staffing only), ``roster`` or ``simulate``.
    executor
        ``"auto"`` (dask when installed, else serial with a note; a
        requirements-only sweep without ``scheduler`` runs here, see
        :data:`LOCAL_REQUIREMENTS_NOTE`), ``"serial"``, ``"dask"`` or an
        executor object (:mod:`wfm.sweep.executors`).
    scheduler
        Address of a running dask scheduler (``tcp://HOST:PORT``); default
        ``DASK_SCHEDULER_ADDRESS``, else a local cluster.
    n_workers
        Worker processes of a local cluster (default: the cores).
    overrides
        Entries set in every case, e.g. ``{"solver.time_limit_seconds": 10}``.
    solver_workers
        CP-SAT workers per case; default: cores // cases in parallel (1 on a
        cluster elsewhere). Give it (with ``solver.max_deterministic_time``)
        to get the same rosters whichever executor runs the cases.
    simulation
        Replications and seed of the simulate stage.
    decision
        The setting along each frontier line (default: the first of ``vary``).
    progress
        Called after each case with (done, total, result).
    notes
        Called with each note (default: kept in the result only).

    Returns
    -------
    SweepResult
        The table and what is needed to write it.

    Raises
    ------
    wfm.errors.ValidationError
        A setting, value or option is refused, before any case runs.
    """
    started = time.perf_counter()
    if stage not in STAGES:
        raise ValidationError("stage", stage, f"one of {', '.join(STAGES)}")
    if solver_workers is not None and not (
        isinstance(solver_workers, int) and not isinstance(solver_workers, bool)
    ):
        raise ValidationError("solver_workers", solver_workers, "a whole number >= 1")
    if solver_workers is not None and solver_workers < 1:
        raise ValidationError("solver_workers", solver_workers, "a whole number >= 1")
    varied = tuple(vary)
    chosen = decision or (varied[0] if varied else "")
    if varied and chosen not in varied:
        raise ValidationError("decision", chosen, f"one of the varied settings {list(varied)}")
    base, cases, demand_scenarios = build_cases(
        scenario, vary, stage=stage, base_overrides=overrides
    )
    said: list[str] = []

    def note(text: str) -> None:
        said.append(text)
        if notes is not None:
            notes(text)

    demands = tuple(_demand_tables(s) for s in demand_scenarios)
    for tables in demands:
        for text in tables.notes:
            note(text)
    if (
        executor in (None, "auto")
        and stage == "requirements"
        and scheduler is None
        and n_workers is None
        and not os.environ.get(SCHEDULER_ENVIRONMENT_VARIABLE)
    ):
        executor = "serial"
        note(LOCAL_REQUIREMENTS_NOTE)
    runner = make_executor(executor, scheduler=scheduler, n_workers=n_workers)
    try:
        if getattr(runner, "note", None):
            note(str(getattr(runner, "note")))  # noqa: B009 - only SerialExecutor has it
        workers = solver_workers or min(base.solver.workers, runner.solver_workers())
        if workers != base.solver.workers and stage != "requirements":
            note(
                f"CP-SAT workers per case: {workers} (the scenario's {base.solver.workers} "
                f"for each case in parallel would exceed the cores; --solver-workers to choose)"
                if solver_workers is None
                else f"CP-SAT workers per case: {workers} (solver_workers)"
            )
        base = dataclasses.replace(base, solver=dataclasses.replace(base.solver, workers=workers))
        if "solver.workers" not in varied:
            cases = [_with_solver_workers(case, workers) for case in cases]
        inputs = SweepInputs(
            base=base,
            demands=demands,
            stage=stage,
            simulation=simulation or SimulationSettings(),
        )
        results: list[CaseResult] = []
        for result in runner.run(run_case, inputs, cases, on_lost=failed_result):
            results.append(result)
            if progress is not None:
                progress(len(results), len(cases), result)
        description = runner.description
    finally:
        if runner is not executor:
            runner.close()
    groups = tuple(k for k in varied if k != chosen)
    table = results_table(results, varied)
    cost, service = frontier_axes(stage, table)
    table["on_frontier"] = efficient_frontier(table, cost=cost, service=service, groups=groups)
    return SweepResult(
        table=table,
        stage=stage,
        varied=varied,
        decision=chosen,
        groups=groups,
        cost_column=cost,
        service_column=service,
        executor=description,
        notes=tuple(said),
        wall_time_seconds=time.perf_counter() - started,
    )


def results_table(results: Sequence[CaseResult], varied: Sequence[str]) -> pd.DataFrame:
    """One row per case in grid order (``case``, the settings, the figures)."""
    columns = ["case", *varied, *MEASURE_COLUMNS]
    rows = [r.row() for r in sorted(results, key=lambda r: r.index)]
    table = pd.DataFrame(rows, columns=columns)
    return table


def _demand_tables(scenario: Any) -> DemandTables:
    """Run the scenario's pipeline once: its forecast (or requirements) and notes."""
    run = scenario.pipeline()
    if run.forecast is not None:
        return DemandTables(forecast=run.forecast, requirements=None, notes=run.notes)
    return DemandTables(forecast=None, requirements=run.requirements, notes=run.notes)


def _with_solver_workers(case: SweepCase, workers: int) -> SweepCase:
    solver = case.changes.get("solver")
    if not isinstance(solver, SolverOptions):
        return case
    changes = dict(case.changes)
    changes["solver"] = dataclasses.replace(solver, workers=workers)
    return dataclasses.replace(case, changes=changes)
