"""What :func:`wfm.roster.solve.solve` returns: a typed result, its summary, progress events.

The status of a roster is a :class:`wfm.status.SolveStatus` (``RosterStatus``
is the same enum under its older name); gaps are
:func:`wfm.status.relative_gap`; the lower bound is a
:class:`wfm.roster.bounds.lp.LowerBound`. Tables follow the layouts of
:mod:`wfm.roster.report`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from wfm.roster.bounds.column_generation import ColumnGenerationBound
from wfm.roster.bounds.lp import LowerBound
from wfm.roster.prechecks import Conflict
from wfm.status import SolveStatus
from wfm.timegrid import stamp_column_text

__all__ = ["PHASES", "ProgressEvent", "RosterResult", "RosterStatus", "RosterSummary"]

RosterStatus = SolveStatus
"""The status of a roster solve: :class:`wfm.status.SolveStatus` under the name users know."""


PHASES = (
    "published start",
    "greedy start",
    "class flow",
    "CP-SAT",
    "fallback",
    "LNS",
    "roster tables",
    "lower bound",
)
"""Names of the phases of :func:`wfm.roster.solve.solve`, in the order it may run them:
the published roster of a re-roster, the greedy constructive start, the class-flow
start, the full CP-SAT search, the objective-free fallback (only when no phase found a
roster), the large-neighbourhood search, then (after the search) the roster's tables and
the lower bounds of the summary (the LP, then the per-agent bound)."""


@dataclass(frozen=True, kw_only=True)
class ProgressEvent:
    """What the search reports while it runs (cost units, seconds from the call).

    ``kind`` is ``"solution"`` for an improving roster (the ``progress``
    callback of :func:`wfm.roster.solve.solve`) and ``"phase"`` when a
    search phase starts (its ``on_phase`` callback; ``phase`` is one of
    :data:`PHASES`); a phase event carries the best figures known so far,
    ``None`` before the first roster.
    ``best_bound`` and ``relative_gap`` are ``None`` while no bound is known
    (before CP-SAT reports one); ``understaffing_agent_hours`` is that of the
    roster, ``None`` where the phase does not measure it.
    """

    elapsed_seconds: float
    objective: float | None
    best_bound: float | None
    relative_gap: float | None
    phase: str = ""
    kind: Literal["solution", "phase"] = "solution"
    understaffing_agent_hours: float | None = None


@dataclass(frozen=True, kw_only=True)
class RosterSummary:
    """Headline figures of a roster; :meth:`to_dict` is the content of ``summary.json``.

    Hours are agent-hours on the horizon grid; ``service_level`` is
    call-weighted over the horizon (``None`` without calls or service
    settings); the ``lower_bound_*`` fields come from
    :func:`wfm.roster.bounds.lp.lower_bound` when it was computed;
    ``time_zone`` is the problem's IANA zone (``None`` on the naive grid), so
    that readers of the written tables need not infer it from their offsets.
    ``status`` is a :class:`~wfm.status.SolveStatus` (a ``str``: it is
    written to JSON as its value). With several queues
    (``RosterProblem.queues``), ``understaffing_agent_hours`` is summed over
    the voice and chat queues, ``overstaffing_agent_hours`` over them and
    the idle hours, and ``queues`` holds the per-queue figures of
    :func:`wfm.roster.report.queue_summary` (left out of :meth:`to_dict`
    without queues).

    ``best_bound`` and ``relative_gap`` are CP-SAT's. The best bounds known,
    from :mod:`wfm.roster.bounds.reported` when the bounds were computed
    (``None`` otherwise):

    * ``bound``: the largest valid lower bound on the objective (cost
      units), ``bound_kind`` which one (``"cp_sat"``, ``"lp"``,
      ``"column_generation"`` or ``"class_flow"``; the last three through the
      least cost of their under-staffing bound), ``bound_relative_gap`` the
      objective's :func:`wfm.status.relative_gap` against it;
    * ``understaffing_bound_agent_hours``: the largest valid lower bound on
      under-staffing (agent-hours), ``understaffing_bound_kind`` which one
      (``"lp"``, ``"column_generation"`` or ``"class_flow"``),
      ``understaffing_relative_gap`` the roster's under-staffing against it;
    * ``bound_seconds``: time spent on the bounds after the search.
    """

    status: SolveStatus
    objective: float | None
    best_bound: float | None
    relative_gap: float | None
    wall_time_seconds: float
    first_solution_seconds: float | None
    service_level: float | None
    service_target_level: float | None
    understaffing_agent_hours: float | None
    overstaffing_agent_hours: float | None
    paid_hours: float | None
    paid_cost: float | None
    shifts: int
    agents_working: int
    hours_beyond_horizon: float | None
    lower_bound_understaffing_agent_hours: float | None
    lower_bound_paid_hours: float | None
    workers: int
    seed: int
    time_limit_seconds: float
    time_zone: str | None = None
    queues: dict[str, dict[str, Any]] | None = None
    bound: float | None = None
    bound_kind: str | None = None
    bound_relative_gap: float | None = None
    understaffing_bound_agent_hours: float | None = None
    understaffing_bound_kind: str | None = None
    understaffing_relative_gap: float | None = None
    bound_seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary of the fields (``status`` as its value)."""
        out = asdict(self)
        out["status"] = self.status.value
        if self.queues is None:
            del out["queues"]
        return out


@dataclass(frozen=True, kw_only=True, eq=False)
class RosterResult:
    """The outcome of :func:`wfm.roster.solve.solve`.

    Objective and bound are in cost units (see :mod:`wfm.roster.model`);
    ``relative_gap`` is :func:`wfm.status.relative_gap` of the two. The
    tables follow the layouts of :mod:`wfm.roster.report` and are empty
    (with their columns) when there is no roster. ``interrupted`` is set
    when a stop request (Ctrl-C) ended the solve before its limit.
    ``coverage_by_queue`` is the per-queue table of a problem with queues
    (``None`` without).
    ``lower_bound`` is the LP bound and ``per_agent_bound`` the column
    generation bound computed after the search (``None`` when not computed
    or skipped; see :mod:`wfm.roster.bounds.reported`).
    """

    status: SolveStatus
    objective: float | None
    best_bound: float | None
    relative_gap: float | None
    wall_time_seconds: float
    first_solution_seconds: float | None
    solution_trace: tuple[tuple[float, float], ...]
    roster: pd.DataFrame
    breaks: pd.DataFrame
    coverage: pd.DataFrame
    violations: pd.DataFrame
    summary: RosterSummary
    conflicts: tuple[Conflict, ...] = ()
    lower_bound: LowerBound | None = None
    interrupted: bool = False
    coverage_by_queue: pd.DataFrame | None = None
    per_agent_bound: ColumnGenerationBound | None = None

    def write(self, directory: str | Path) -> None:
        """Write ``roster.csv``, ``breaks.csv``, ``coverage.csv``, ``violations.csv``,
        ``summary.json``, with queues ``coverage_by_queue.csv``, and, when rules
        conflict, ``conflicts.csv`` (``rule, agent_id, message``) into ``directory``.

        ``summary.json`` holds :meth:`RosterSummary.to_dict`, the
        ``conflicts`` and ``interrupted``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        roster = self.roster.copy()
        for column in ("start", "end"):
            roster[column] = _format_stamps(roster[column])
        roster["date"] = roster["date"].map(str)
        roster.to_csv(out / "roster.csv", index=False)
        breaks = self.breaks.copy()
        for column in ("start", "end"):
            breaks[column] = _format_stamps(breaks[column])
        breaks["date"] = breaks["date"].map(str)
        breaks.to_csv(out / "breaks.csv", index=False)
        coverage = self.coverage.copy()
        coverage["interval_start"] = _format_stamps(coverage["interval_start"])
        coverage.to_csv(out / "coverage.csv", index=False)
        by_queue = out / "coverage_by_queue.csv"
        if self.coverage_by_queue is not None:
            table = self.coverage_by_queue.copy()
            table["interval_start"] = _format_stamps(table["interval_start"])
            table.to_csv(by_queue, index=False)
        elif by_queue.is_file():
            by_queue.unlink()  # a stale one of an earlier run would mislead
        self.violations.to_csv(out / "violations.csv", index=False)
        summary = self.summary.to_dict()
        summary["conflicts"] = [asdict(c) for c in self.conflicts]
        summary["interrupted"] = self.interrupted
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        conflicts = out / "conflicts.csv"
        if self.conflicts:
            pd.DataFrame(
                [asdict(c) for c in self.conflicts], columns=["rule", "agent_id", "message"]
            ).to_csv(conflicts, index=False)
        elif conflicts.is_file():
            conflicts.unlink()  # a stale one of an earlier run would mislead


def _format_stamps(column: pd.Series) -> pd.Series:
    """``YYYY-MM-DD HH:MM``, with the UTC offset when the problem has a time zone."""
    return stamp_column_text(column)
