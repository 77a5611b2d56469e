"""The bounds a solve reports: the best valid one known, and which it is.

After the search, :func:`wfm.roster.solve.solve` computes

1. the identity-free LP bound (:func:`wfm.roster.bounds.lp.lower_bound`);
2. the per-agent bound (:func:`wfm.roster.bounds.column_generation.column_generation_bound`),
   priced per class of interchangeable agents, started from the LP's duals
   and from the roster's weeks as first columns, for at most
   :data:`PER_AGENT_BOUND_SHARE` of the solve's time limit (its Lagrangian
   bound is valid whenever it stops). It is skipped when the roster already
   meets the LP bound on under-staffing.

Both bound the under-staffing (agent-hours short) of every roster obeying
the hard rules; the larger is the reported under-staffing bound, named by
its kind (``"lp"`` or ``"column_generation"``; the LP on a tie).

The objective (cost units) has CP-SAT's own proven bound. An under-staffing
bound ``U`` also bounds the objective when every term of the objective is a
non-negative multiple of a non-negative variable: each agent-hour short
costs at least the least under-staffing coefficient per agent-hour, so the
objective is at least that times ``U`` (less the rounding of the
requirement to the model's hundredths of an agent), plus the least value of
the other terms over their variables' domains where that is negative (the
fairness spreads, ``max - min``, which the domains alone do not show to be
non-negative). The reported objective
bound is the larger of the two, with its kind (``"cp_sat"``, ``"lp"`` or
``"column_generation"``; CP-SAT's on a tie).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from ortools.sat.python import cp_model_helper

from wfm.roster.bounds.column_generation import ColumnGenerationBound, column_generation_bound
from wfm.roster.bounds.lp import LowerBound, lower_bound, queue_relaxation
from wfm.roster.model import OBJECTIVE_SCALE, REQUIREMENT_SCALE, RosterModel
from wfm.roster.problem import RosterProblem
from wfm.roster.result import RosterSummary
from wfm.roster.shifts import AgentOption, ShiftOption
from wfm.status import SolveStatus, relative_gap

__all__ = [
    "BOUND_KINDS",
    "PER_AGENT_BOUND_MIN_SECONDS",
    "PER_AGENT_BOUND_SHARE",
    "ReportedBounds",
    "best_bound",
    "objective_bound_of_understaffing",
    "reported_bounds",
    "with_bounds",
]

PER_AGENT_BOUND_SHARE = 0.15
"""Share of the solve's ``time_limit_seconds`` the per-agent bound may take (after the search)."""

PER_AGENT_BOUND_MIN_SECONDS = 0.5
"""Least time given to the per-agent bound (short limits would leave it no time to price)."""

BOUND_KINDS = ("cp_sat", "lp", "column_generation", "class_flow")
"""Names of the bounds a summary may report."""

_TIE = 1e-6


@dataclass(frozen=True, kw_only=True)
class ReportedBounds:
    """The bounds computed after a search.

    Attributes
    ----------
    lp
        The identity-free LP bound.
    per_agent
        The per-agent (column generation) bound, ``None`` when skipped.
    understaffing_agent_hours
        The best valid lower bound on under-staffing known.
    understaffing_kind
        Which bound it is (``"lp"``, ``"column_generation"`` or, when the
        search proved it, ``"class_flow"``).
    wall_time_seconds
        Time spent on both.
    """

    lp: LowerBound
    per_agent: ColumnGenerationBound | None
    understaffing_agent_hours: float
    understaffing_kind: str
    wall_time_seconds: float


def best_bound(candidates: Sequence[tuple[str, float | None]]) -> tuple[float | None, str | None]:
    """The largest bound of ``(kind, value)`` pairs and its kind.

    ``None`` values are skipped; a later candidate replaces an earlier one
    only when larger by more than a relative ``1e-6`` (ties go to the first).
    """
    value: float | None = None
    kind: str | None = None
    for name, candidate in candidates:
        if candidate is None:
            continue
        if value is None or candidate > value + _TIE * max(1.0, abs(value)):
            value, kind = float(candidate), name
    return value, kind


def reported_bounds(
    problem: RosterProblem,
    *,
    time_limit_seconds: float,
    seed: int,
    understaffing_agent_hours: float | None,
    weeks: Sequence[Sequence[int]] | None = None,
    options: list[ShiftOption] | None = None,
    allowed: list[list[AgentOption]] | None = None,
    known: tuple[str, float] | None = None,
) -> ReportedBounds:
    """The LP bound, then the per-agent bound within ``PER_AGENT_BOUND_SHARE`` of the limit.

    Parameters
    ----------
    problem
        The roster problem.
    time_limit_seconds
        The solve's limit; the per-agent bound gets
        ``max(PER_AGENT_BOUND_SHARE * time_limit_seconds, PER_AGENT_BOUND_MIN_SECONDS)``.
    seed
        CP-SAT seed of the pricing problems.
    understaffing_agent_hours
        The roster's under-staffing: when the LP bound already meets it, the
        per-agent bound is skipped.
    weeks
        The roster's weeks (per agent, option indices), the first columns.
    options, allowed
        Precomputed shift options and allowed options per agent.
    known
        ``(kind, agent-hours)``, a bound on the under-staffing the search
        proved (the class-flow start's, ``"class_flow"``): a candidate too,
        and when the roster meets it the per-agent bound is skipped.
    """
    began = time.perf_counter()
    # with queues, both bounds are of the one-queue relaxation (a bound on the
    # summed under-staffing of the per-interval queues; see wfm.roster.bounds.lp)
    problem = queue_relaxation(problem)
    lp = lower_bound(problem, options=options, allowed=allowed)
    per_agent: ColumnGenerationBound | None = None
    floor = (
        lp.understaffing_agent_hours
        if known is None
        else max(lp.understaffing_agent_hours, known[1])
    )
    settled = understaffing_agent_hours is not None and (
        understaffing_agent_hours <= floor + _TIE * max(1.0, understaffing_agent_hours)
    )
    if not settled and lp.status != SolveStatus.INFEASIBLE:
        per_agent = column_generation_bound(
            problem,
            time_limit_seconds=max(
                PER_AGENT_BOUND_SHARE * time_limit_seconds, PER_AGENT_BOUND_MIN_SECONDS
            ),
            seed=seed,
            options=options,
            allowed=allowed,
            initial_duals=lp.interval_duals,
            initial_weeks=weeks,
        )
    value, kind = best_bound(
        [
            ("lp", lp.understaffing_agent_hours),
            (
                "column_generation",
                None if per_agent is None else per_agent.understaffing_agent_hours,
            ),
            *([] if known is None else [known]),
        ]
    )
    assert value is not None and kind is not None  # the LP is always a candidate
    return ReportedBounds(
        lp=lp,
        per_agent=per_agent,
        understaffing_agent_hours=value,
        understaffing_kind=kind,
        wall_time_seconds=time.perf_counter() - began,
    )


def objective_bound_of_understaffing(
    rm: RosterModel, understaffing_agent_hours: float
) -> float | None:
    """Lower bound on ``rm``'s objective (cost units) implied by an under-staffing bound.

    The objective is the sum of the terms of ``rm``. Each under-staffing
    term is a non-negative multiple of a non-negative variable, so together
    they cost at least the least of their coefficients per agent-hour times
    the under-staffing (less the rounding of the requirement to the model's
    hundredths of an agent); every other term is at least its least value
    over the variables' domains (interval arithmetic, 0 for the penalties
    of :mod:`wfm.roster.model`). ``None`` when an under-staffing term is not
    of that form or there is none.
    """
    variables = rm.model.proto.variables
    per_hour: float | None = None
    others = 0.0
    for term in rm.terms:
        flat = cp_model_helper.FlatIntExpr(term.objective)
        coefs = list(flat.coeffs)
        domains = [(variables[v.index].domain[0], variables[v.index].domain[-1]) for v in flat.vars]
        if term.rule == "understaffing":
            if len(coefs) != 1 or coefs[0] < 0 or domains[0][0] < 0 or flat.offset < 0:
                return None
            if not term.amount_scale > 0:
                return None
            cost = coefs[0] / term.amount_scale
            per_hour = cost if per_hour is None else min(per_hour, cost)
            continue
        others += flat.offset + sum(
            c * (low if c >= 0 else high) for c, (low, high) in zip(coefs, domains, strict=True)
        )
    if per_hour is None:
        return None
    problem = rm.problem
    required = problem.required_scheduled.astype(float)
    if problem.queues is not None:
        # the under-staffing terms are per queue, on each queue's requirement
        required = np.concatenate(
            [
                problem.queue_series[q.name]["required_scheduled"].astype(float)
                for q in problem.queues.queues
                if q.channel.per_interval
            ]
        )
    rounded = np.rint(required * REQUIREMENT_SCALE) / REQUIREMENT_SCALE
    slack = float(np.clip(required - rounded, 0.0, None).sum() * problem.interval_hours)
    under = max(0.0, understaffing_agent_hours - slack) * per_hour
    return (under + min(others, 0.0)) / OBJECTIVE_SCALE


def with_bounds(
    summary: RosterSummary, bounds: ReportedBounds, *, rm: RosterModel
) -> RosterSummary:
    """``summary`` with the LP fields and the best bounds of ``bounds`` filled in.

    ``rm`` is the model whose objective ``summary.objective`` is (its
    CP-SAT bound is ``summary.best_bound``).
    """
    under = bounds.understaffing_agent_hours
    implied = objective_bound_of_understaffing(rm, under)
    bound, kind = best_bound([("cp_sat", summary.best_bound), (bounds.understaffing_kind, implied)])
    return replace(
        summary,
        lower_bound_understaffing_agent_hours=float(bounds.lp.understaffing_agent_hours),
        lower_bound_paid_hours=float(bounds.lp.paid_hours),
        bound=bound,
        bound_kind=kind,
        bound_relative_gap=None
        if summary.objective is None or bound is None
        else relative_gap(summary.objective, bound),
        understaffing_bound_agent_hours=under,
        understaffing_bound_kind=bounds.understaffing_kind,
        understaffing_relative_gap=None
        if summary.understaffing_agent_hours is None
        else relative_gap(summary.understaffing_agent_hours, under),
        bound_seconds=bounds.wall_time_seconds,
    )
