"""Rosters that meet the service target in a chosen share of weeks (or days).

The roster's weekly service level is a mean over random weeks: a roster that
meets the target "on average" by a small margin misses it in a large share
of them (Poisson arrivals, random handle times, shrinkage and the day-level
error of the forecast). :func:`roster_for_share` asks for the target in a
share of simulated weeks (e.g. 0.9) with a simulation-checked adjustment
loop:

1. roster the requirement as it is (round 0, the plain roster);
2. simulate the roster (:func:`wfm.simulate.run_simulation`, ``replications``
   replications from ``seed``);
3. stop when the simulated share of weeks (days) meeting the target is at
   least the asked share, or after ``max_rounds`` raises;
4. otherwise add one scheduled agent to the requirement of every interval
   whose simulated service level, pooled over the simulated weeks (days)
   that miss the target, is below the target - if none is, to the tenth of
   the open intervals with the lowest such service level - and roster again
   (step 2).

Why a loop and not a quantile of demand: the shortfalls the simulation shows
are local (carry-over after understaffed stretches, breaks placed in
one-interval forecast dips that are not there), so a per-interval raise puts
the extra hours where the service is lost, where a quantile of the volume
raises every interval alike; and the loop reports a measured share, not an
assumed one. The raise also takes away the reward for breaks in such dips:
an interval whose simulated service is short gets a higher requirement, so
the next roster no longer gains by pausing agents there. (Both are design
arguments: a quantile-of-demand variant has not been measured against the
loop; ``benchmarks/README.md`` has the loop's figures on the example.)

The requirement only ever goes up, and by whole agents, so the loop ends
after at most ``max_rounds + 1`` solves. Everything is deterministic for
fixed solver options (seed, workers, deterministic time) and a fixed
simulation seed and replication count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from wfm.errors import ValidationError
from wfm.kpis import local_midnight, period_start
from wfm.roster.options import SolverOptions
from wfm.roster.problem import RosterProblem
from wfm.roster.result import ProgressEvent, RosterResult
from wfm.simulate import (
    AgentSchedule,
    HandleTimes,
    Patience,
    Shrinkage,
    SimulationOptions,
    SimulationProblem,
    SimulationResult,
    run_simulation,
)
from wfm.status import SolveStatus

__all__ = [
    "RiskResult",
    "RiskRound",
    "RiskTarget",
    "roster_for_share",
    "simulate_result",
    "simulate_roster",
]

Period = Literal["week", "day"]

#: Share of open intervals raised when none is below the target.
FALLBACK_RAISE_SHARE = 0.1


def _whole(name: str, value: Any, low: int) -> int:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
        raise ValidationError(name, value, f"a whole number >= {low}")
    return int(value)


@dataclass(frozen=True, kw_only=True)
class RiskTarget:
    """The share of weeks (or days) in which the service target must be met.

    Parameters
    ----------
    share
        Asked share of simulated weeks (days) whose service level is at
        least the policy's target, in (0, 1), e.g. 0.9.
    period
        ``"week"`` (default) or ``"day"``: what must meet the target.
    max_rounds
        Most raises of the requirement after the plain roster (>= 0).
    replications
        Simulated weeks per round (>= 2).
    seed
        Simulation seed (>= 0); the solver's seed is in the solver options.
    workers
        Simulation processes (>= 1); results do not depend on it.
    day_volume_cv
        Coefficient of variation of each day's volume around the forecast
        (forecast error; 0 = Poisson variance only).
    handle_cv
        Coefficient of variation of lognormal handle times; ``None`` for
        exponential handle times.
    """

    share: float
    period: Period = "week"
    max_rounds: int = 4
    replications: int = 40
    seed: int = 0
    workers: int = 1
    day_volume_cv: float = 0.0
    handle_cv: float | None = None

    def __post_init__(self) -> None:
        share = self.share
        if (
            not isinstance(share, int | float | np.integer | np.floating)
            or isinstance(share, bool)
            or not 0 < float(share) < 1
        ):
            raise ValidationError("share", share, "a share of weeks in (0, 1), e.g. 0.9")
        if self.period not in ("week", "day"):
            raise ValidationError("period", self.period, "'week' or 'day'")
        _whole("max_rounds", self.max_rounds, 0)
        _whole("replications", self.replications, 2)
        _whole("seed", self.seed, 0)
        _whole("workers", self.workers, 1)
        cv = self.day_volume_cv
        if not isinstance(cv, int | float) or isinstance(cv, bool) or not 0 <= cv < math.inf:
            raise ValidationError("day_volume_cv", cv, "a finite number >= 0")
        handle = self.handle_cv
        if handle is not None and (
            not isinstance(handle, int | float) or isinstance(handle, bool) or not handle > 0
        ):
            raise ValidationError("handle_cv", handle, "a number > 0 or None")


@dataclass(frozen=True, kw_only=True)
class RiskRound:
    """One round of the loop: a roster and what its simulation measured.

    ``share`` and ``share_interval`` (Wilson 95 %) are of simulated weeks
    (days) meeting the target; ``service_level`` is the mean weekly service
    level; ``required_agent_hours`` is the requirement rostered this round;
    ``raised_intervals`` is how many intervals the next round raises (0 in
    the last round).
    """

    round: int
    status: SolveStatus
    share: float
    share_interval: tuple[float, float]
    service_level: float
    paid_hours: float | None
    required_agent_hours: float
    raised_intervals: int


@dataclass(frozen=True, kw_only=True, eq=False)
class RiskResult:
    """The outcome of :func:`roster_for_share`.

    Attributes
    ----------
    target
        What was asked.
    met
        Whether the chosen roster's simulated share reached ``target.share``.
    roster
        The chosen roster: the first that met the share, else the one of the
        last round.
    plain
        The roster of round 0 (the requirement as given).
    problem
        The roster problem of the chosen roster (its raised requirement).
    simulation
        The simulation of the chosen roster.
    rounds
        Every round, in order.
    """

    target: RiskTarget
    met: bool
    roster: RosterResult
    plain: RosterResult
    problem: RosterProblem
    simulation: SimulationResult
    rounds: tuple[RiskRound, ...]

    @property
    def status(self) -> SolveStatus:
        """The solve status of the chosen roster."""
        return self.roster.status

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures: the target, whether it was met, paid hours and the rounds."""
        chosen = self.rounds[-1]
        return {
            "share_asked": self.target.share,
            "period": self.target.period,
            "met": self.met,
            "share": chosen.share,
            "share_interval": list(chosen.share_interval),
            "replications": self.target.replications,
            "seed": self.target.seed,
            "day_volume_cv": self.target.day_volume_cv,
            "handle_cv": self.target.handle_cv,
            "plain_share": self.rounds[0].share,
            "plain_share_interval": list(self.rounds[0].share_interval),
            "paid_hours": chosen.paid_hours,
            "plain_paid_hours": self.rounds[0].paid_hours,
            "rounds": [
                {
                    "round": r.round,
                    "status": r.status.value,
                    "share": r.share,
                    "share_interval": list(r.share_interval),
                    "service_level": r.service_level,
                    "paid_hours": r.paid_hours,
                    "required_agent_hours": r.required_agent_hours,
                    "raised_intervals": r.raised_intervals,
                }
                for r in self.rounds
            ],
        }


def simulate_roster(
    problem: RosterProblem,
    roster: RosterResult,
    target: RiskTarget,
    *,
    seed: int | None = None,
) -> SimulationResult:
    """Simulate a roster of ``problem`` as :func:`roster_for_share` does.

    Demand is the roster's coverage table (``calls``, ``aht_seconds``);
    the target, shrinkage (of whole agents per interval) and patience
    (Erlang A's) come from ``problem.service``; handle times, day volume
    error and replications from ``target``.

    Parameters
    ----------
    problem
        The roster problem (with a service policy and calls).
    roster
        A roster of it (OPTIMAL or FEASIBLE).
    target
        Replications, workers, handle times and day volume error.
    seed
        Simulation seed; ``None`` for ``target.seed`` (give another for an
        independent check).

    Returns
    -------
    SimulationResult
    """
    return simulate_result(
        problem,
        roster,
        replications=target.replications,
        seed=target.seed if seed is None else seed,
        workers=target.workers,
        day_volume_cv=target.day_volume_cv,
        handle_cv=target.handle_cv,
    )


def simulate_result(
    problem: RosterProblem,
    roster: RosterResult,
    *,
    replications: int,
    seed: int,
    workers: int = 1,
    day_volume_cv: float = 0.0,
    handle_cv: float | None = None,
) -> SimulationResult:
    """Simulate a roster of ``problem`` against the problem's service policy.

    Demand is the roster's coverage table (``calls``, ``aht_seconds``); the
    target, shrinkage (of whole agents per interval) and patience (Erlang
    A's) come from ``problem.service``; handle times are exponential, or
    lognormal with ``handle_cv``.
    """
    policy = problem.service
    if policy is None:
        raise ValidationError("service", None, "a service policy (target and answer time)")
    patience = (
        Patience.exponential(mean_seconds=policy.patience_seconds)
        if policy.patience_seconds is not None
        else Patience.none()
    )
    handle = HandleTimes.exponential() if handle_cv is None else HandleTimes.lognormal(cv=handle_cv)
    sim = SimulationProblem(
        demand=roster.coverage,
        schedule=AgentSchedule.from_roster(roster.roster, roster.breaks),
        handle_times=handle,
        patience=patience,
        shrinkage=Shrinkage(rate=policy.shrinkage, unit="interval"),
        day_volume_cv=day_volume_cv,
        interval_minutes=problem.interval_minutes,
    )
    options = SimulationOptions(replications=replications, seed=seed, workers=workers)
    return run_simulation(
        sim,
        options,
        answer_within_seconds=float(policy.answer_within_seconds or 20.0),
        target_level=policy.level,
    )


def _share(sim: SimulationResult, period: Period) -> tuple[float, tuple[float, float]]:
    s = sim.summary
    if period == "week":
        share, interval = s.share_of_weeks_meeting_target, s.share_of_weeks_meeting_target_interval
    else:
        share, interval = s.share_of_days_meeting_target, s.share_of_days_meeting_target_interval
    assert share is not None and interval is not None  # the policy has a target level
    return float(share), (float(interval[0]), float(interval[1]))


def _shortfall(problem: RosterProblem, sim: SimulationResult, period: Period) -> np.ndarray:
    """Boolean per requirements row: the intervals whose requirement goes up by one.

    An interval is raised when its service level, pooled over the simulated
    weeks (days) that miss the target, is below the target: the intervals
    where the missing periods lose their service.
    """
    assert problem.service is not None
    level = problem.service.level
    assert level is not None
    intervals = sim.interval_kpis
    stamps = pd.to_datetime(intervals["interval_start"])
    zone = getattr(stamps.dt, "tz", None)
    days = period_start(stamps, period="day")  # local days (23/25 hours on a clock change)
    if period == "day":
        own = days
        periods = sim.day_kpis.assign(key=pd.to_datetime(sim.day_kpis["date"]))
    else:
        wall = days if zone is None else days.dt.tz_localize(None)
        first = wall.min()
        weeks = pd.to_timedelta(((wall - first).dt.days // 7) * 7, unit="D")
        own = local_midnight(first + weeks, zone)
        periods = sim.week_kpis.assign(key=pd.to_datetime(sim.week_kpis["week_start"]))
    sl = periods["service_level"].to_numpy(dtype=float)
    missed = periods.loc[np.isfinite(sl) & (sl < level), ["replication", "key"]]
    rows = pd.MultiIndex.from_arrays([intervals["replication"], own])
    in_missed = (
        rows.isin(pd.MultiIndex.from_frame(missed))
        if len(missed)
        else np.ones(len(intervals), dtype=bool)
    )
    chosen = intervals[in_missed]
    sums = chosen.groupby("interval_start")[["answered_within", "offered"]].sum()
    pooled = sums["answered_within"] / sums["offered"].where(sums["offered"] > 0)
    pooled.index = pd.DatetimeIndex(pooled.index)
    starts = pd.to_datetime(problem.requirements["interval_start"])
    if getattr(starts.dt, "tz", None) is not None and zone is None:
        starts = starts.dt.tz_localize(None)
    elif zone is not None:  # the simulation ran on the requirements' instants
        starts = starts.dt.tz_convert(zone)
    values = pooled.reindex(pd.DatetimeIndex(starts)).to_numpy(dtype=float)
    open_ = np.isfinite(values)
    short = open_ & (values < level - 1e-12)
    if not short.any() and open_.any():
        k = max(1, math.ceil(FALLBACK_RAISE_SHARE * int(open_.sum())))
        order = np.argsort(np.where(open_, values, np.inf), kind="stable")[:k]
        short[order] = True
    return short


def roster_for_share(
    problem: RosterProblem,
    target: RiskTarget,
    *,
    options: SolverOptions | None = None,
    solve: Callable[..., RosterResult] | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    on_round: Callable[[RiskRound], None] | None = None,
) -> RiskResult:
    """Roster ``problem`` so that the target is met in ``target.share`` of simulated weeks.

    Parameters
    ----------
    problem
        The roster problem; it needs a service policy with a target level and
        ``calls`` and ``aht_seconds`` in its requirements (the demand that is
        simulated).
    target
        The asked share and the simulation settings.
    options
        Solver options of every round (default ``SolverOptions()``); give
        ``seed``, ``workers`` and ``max_deterministic_time`` for a
        reproducible run.
    solve
        The roster solver (default :func:`wfm.roster.solve.solve`).
    progress
        Passed to the solver.
    on_round
        Called with each round once it is simulated.

    Returns
    -------
    RiskResult

    Raises
    ------
    wfm.errors.ValidationError
        No service target or no calls to simulate (before any solve).
    """
    if not isinstance(target, RiskTarget):
        raise ValidationError("target", type(target).__name__, "a RiskTarget")
    policy = problem.service
    if policy is None or policy.level is None:
        raise ValidationError(
            "service.target", None, "a service target level to meet in a share of weeks"
        )
    if not {"calls", "aht_seconds"} <= set(problem.requirements.columns):
        raise ValidationError(
            "requirements",
            list(problem.requirements.columns),
            "columns 'calls' and 'aht_seconds' (the demand to simulate)",
        )
    if solve is None:
        from wfm.roster.solve import solve as default_solve

        solve = default_solve
    options = SolverOptions() if options is None else options
    rounds: list[RiskRound] = []
    current = problem
    plain: RosterResult | None = None
    for k in range(target.max_rounds + 1):
        result = solve(current, options, progress=progress)
        if plain is None:
            plain = result
        required_hours = float(current.required_scheduled.sum() * current.interval_hours)
        if result.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            raise ValidationError(
                f"roster (round {k})",
                result.status.value,
                "a roster (OPTIMAL or FEASIBLE); give more agents or time",
            )
        sim = simulate_roster(current, result, target)
        share, interval = _share(sim, target.period)
        met = share >= target.share - 1e-12
        last = met or k == target.max_rounds
        raise_mask = np.zeros(len(current.requirements), dtype=bool) if last else None
        if raise_mask is None:
            raise_mask = _shortfall(current, sim, target.period)
        record = RiskRound(
            round=k,
            status=result.status,
            share=share,
            share_interval=interval,
            service_level=sim.summary.service_level[0],
            paid_hours=result.summary.paid_hours,
            required_agent_hours=required_hours,
            raised_intervals=int(raise_mask.sum()),
        )
        rounds.append(record)
        if on_round is not None:
            on_round(record)
        if last:
            return RiskResult(
                target=target,
                met=met,
                roster=result,
                plain=plain,
                problem=current,
                simulation=sim,
                rounds=tuple(rounds),
            )
        raised = current.requirements.copy()
        raised["required_scheduled"] = raised["required_scheduled"].to_numpy(
            dtype=float
        ) + raise_mask.astype(float)
        current = replace(current, requirements=raised)
    raise AssertionError("unreachable: the last round returns")
