"""Phase 1 of the roster search: a greedy constructive roster, completed by CP-SAT.

:func:`greedy_hint` builds a roster agent by agent against the remaining
requirement (patterns of working days the day rules allow, then one option a
day that respects rest and paid hours, breaks where the requirement is
lowest), and improves it by taking every agent out and putting them back at
their best. :func:`greedy_start` hints it to the model and completes it with
CP-SAT (shifts fixed; break placement and bookkeeping solved): the first
roster of :func:`wfm.roster.solve.solve`.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from wfm.roster.model import RosterModel
from wfm.roster.options import SolverOptions
from wfm.roster.problem import RosterProblem
from wfm.roster.search.cpsat import (
    COMPLETION_DETERMINISTIC_SHARE,
    SolutionTracker,
    add_hint,
    complete_hint,
)
from wfm.roster.search.stop import StopRequest
from wfm.roster.shifts import last_shift_end_interval, rest_intervals

__all__ = ["GREEDY_COMPLETION_SHARE", "GREEDY_SHARE", "greedy_hint", "greedy_start"]

GREEDY_SHARE = 0.1
"""Share of the time limit the greedy heuristic's improving passes may take.
In deterministic mode the heuristic has no wall-clock budget (its rounds
alone end it), so that runs are reproducible."""

GREEDY_COMPLETION_SHARE = 0.75
"""Share of the time left that completing the greedy roster may take. It is
the first roster, which every later phase starts from, and on large centres
(thousands of agents) its completion takes tens of seconds; it ends as soon
as the break placement is proven best, so small problems take far less."""


def greedy_start(
    rm: RosterModel,
    solver_options: SolverOptions,
    *,
    started: float,
    tracker: SolutionTracker,
    stop: StopRequest | None = None,
) -> float | None:
    """Hint the greedy roster to ``rm`` and complete it into a feasible solution.

    The completion (CP-SAT with the hinted shifts fixed, see
    :func:`~wfm.roster.search.cpsat.complete_hint`) gets
    :data:`GREEDY_COMPLETION_SHARE` of the time left and,
    in deterministic mode,
    :data:`~wfm.roster.search.cpsat.COMPLETION_DETERMINISTIC_SHARE` of the
    deterministic limit. The completed roster is the first solution noted by
    ``tracker``.

    Parameters
    ----------
    rm
        The model of the roster problem.
    solver_options
        The solve's options.
    started
        :func:`time.perf_counter` at the start of the solve.
    tracker
        Notes the completed roster.
    stop
        Ends the heuristic's improving passes and the completion early.

    Returns
    -------
    float or None
        Objective of the completed roster (cost units), or ``None`` when the
        completion found none (the partial hint stays).
    """
    limit = solver_options.time_limit_seconds
    deterministic = solver_options.max_deterministic_time
    budget = math.inf if deterministic is not None else GREEDY_SHARE * limit
    add_hint(rm, greedy_hint(rm, time_budget_seconds=budget, stop=stop))
    completed = complete_hint(
        rm,
        time_limit=GREEDY_COMPLETION_SHARE * (limit - (time.perf_counter() - started)),
        seed=solver_options.seed,
        deterministic_time=None
        if deterministic is None
        else COMPLETION_DETERMINISTIC_SHARE * deterministic,
        stop=stop,
    )
    if completed is not None:
        # the completed greedy roster is a feasible roster: the first solution
        tracker.record(completed, None)
    return completed


def greedy_hint(
    rm: RosterModel,
    *,
    rounds: int = 3,
    time_budget_seconds: float = 10.0,
    stop: StopRequest | None = None,
) -> dict[int, list[int]]:
    """A quick roster built agent by agent against the remaining requirement.

    Agents with the fewest options go first. For each, the working days are
    chosen among the patterns the day rules allow (treating soft rules as
    hard) by the best option value of each day, then one option per day in
    date order respecting rest and paid-hour limits. The value of an option
    is the marginal drop of the convex shortage cost it brings (each
    interval capped at one agent) minus the over-staffing and paid cost it
    adds. Each break goes where the remaining requirement is lowest. Then,
    for up to ``rounds`` passes (and while ``time_budget_seconds`` lasts),
    every agent is taken out and put back at their best given the others
    (no more passes once ``stop`` is requested). Agents for whom no pattern fits get no shifts.

    Returns
    -------
    dict
        Agent index -> option indices assigned (possibly empty).
    """
    started = time.perf_counter()
    problem = rm.problem
    order = sorted(range(len(problem.agents)), key=lambda a: (len(rm.x[a]), a))
    state = _GreedyState(rm)
    for a in order:
        state.insert(a)
    for _ in range(rounds):
        for a in order:
            if time.perf_counter() - started > time_budget_seconds or (
                stop is not None and stop.requested
            ):
                return dict(state.plan)
            state.remove(a)
            state.insert(a)
    return dict(state.plan)


class _GreedyState:
    """Remaining requirement and the plan of the constructive heuristic."""

    def __init__(self, rm: RosterModel) -> None:
        self.rm = rm
        problem = rm.problem
        self.n_int = problem.n_intervals
        self.remaining = problem.required_scheduled.astype(float).copy()
        self.plan: dict[int, list[int]] = {}
        self.placed: dict[int, list[list[int]]] = {}
        self.patterns: dict[tuple[Any, ...], list[int]] = {}
        self.by_day: dict[int, list[list[int]]] = {}
        weights = problem.weights
        self.growth = np.asarray(weights.understaffing_growth, dtype=float)
        self.durations = [
            [b.duration_minutes // problem.interval_minutes for b in t.breaks]
            for t in problem.templates
        ]

    def _apply(self, o: int, sign: float, breaks: list[int]) -> None:
        opt = self.rm.options[o]
        self.remaining[opt.start : min(opt.end, self.n_int)] -= sign
        for j, p in enumerate(breaks):
            duration = self.durations[opt.template][j]
            self.remaining[p : min(p + duration, self.n_int)] += sign

    def remove(self, a: int) -> None:
        for o, breaks in zip(self.plan.get(a, []), self._breaks_of(a), strict=True):
            self._apply(o, -1.0, breaks)
        self.plan[a] = []
        self.placed[a] = []

    def _breaks_of(self, a: int) -> list[list[int]]:
        return [list(b) for b in self.placed.get(a, [])]

    def _gain(self) -> np.ndarray:
        problem = self.rm.problem
        weights = problem.weights
        rem = self.remaining
        k = np.clip(np.ceil(rem) - 1, 0, len(self.growth) - 1).astype(np.int64)
        short = np.clip(rem, 0.0, 1.0)
        value = weights.understaffing_per_agent_hour * self.growth[k] * short
        value -= weights.overstaffing_per_agent_hour * (1.0 - short)
        out: np.ndarray = value * problem.interval_hours
        return out

    def insert(self, a: int) -> None:
        rm = self.rm
        problem = rm.problem
        agent = problem.agents[a]
        contract = problem.contract_of(agent)
        if a not in self.by_day:
            clean = {ao.option for ao in rm.agent_options[a] if not ao.breaches}
            self.by_day[a] = [
                [o for o in rm.options_of_day(a, d) if o in clean] for d in range(problem.days)
            ]
        by_day = self.by_day[a]
        mine = [o for d in range(problem.days) for o in by_day[d]]
        if not mine:
            self.plan[a] = []
            self.placed[a] = []
            return
        prefix = np.concatenate([[0.0], np.cumsum(self._gain())])
        rate = problem.cost_per_hour_of(agent) * problem.weights.paid_hour
        starts = np.array([rm.options[o].start for o in mine], dtype=np.int64)
        ends = np.minimum([rm.options[o].end for o in mine], self.n_int).astype(np.int64)
        paid = np.array([rm.options[o].paid_minutes for o in mine], dtype=float)
        worth = prefix[ends] - prefix[starts] - rate * paid / 60.0
        values = dict(zip(mine, worth.tolist(), strict=True))
        best = [max((values[o] for o in by_day[d]), default=-math.inf) for d in range(problem.days)]
        pin_work = 0
        for pin in agent.pins:
            if not pin.off:
                pin_work |= 1 << (pin.day - problem.start_date).days
        avail_mask = sum(1 << d for d in range(problem.days) if by_day[d])
        key = (
            contract.name,
            agent.consecutive_days_worked_before,
            agent.days_off_before,
            pin_work,
            avail_mask,
        )
        if problem.days <= 7:
            if key not in self.patterns:
                self.patterns[key] = _day_patterns(problem, a, avail_mask, pin_work)
            patterns = sorted(
                self.patterns[key],
                key=lambda m: -sum(best[d] for d in range(problem.days) if m >> d & 1),
            )
        else:
            # 2**days patterns are too many over several weeks: the best ones, week by week
            patterns = _period_patterns(problem, a, avail_mask, pin_work, best)
        chosen: list[int] = []
        for mask in patterns[:8]:
            picked = _fill_pattern(rm, a, mask, by_day, values)
            if picked is not None:
                chosen = picked
                break
        placed: list[list[int]] = []
        for o in chosen:
            opt = rm.options[o]
            self._apply(o, 1.0, [])
            breaks: list[int] = []
            for j, window in enumerate(opt.break_starts):
                duration = self.durations[opt.template][j]
                p = min(
                    window,
                    key=lambda q: (
                        float(self.remaining[q : min(q + duration, self.n_int)].sum())
                        if q < self.n_int
                        else 0.0
                    ),
                )
                breaks.append(p)
                self.remaining[p : min(p + duration, self.n_int)] += 1.0
            placed.append(breaks)
        self.plan[a] = chosen
        self.placed[a] = placed


def _day_patterns(problem: RosterProblem, a: int, avail_mask: int, pin_work: int) -> list[int]:
    """Every day pattern of a horizon of one week that the agent's day rules allow."""
    week = range(problem.days)
    return [
        mask
        for mask in _week_masks(problem, a, week, avail_mask, pin_work)
        if _runs_fit(problem, a, mask, week) and _block_fits(problem, a, mask, week)
    ]


def _runs_fit(problem: RosterProblem, a: int, mask: int, week: range) -> bool:
    """Runs of working days up to the end of ``week`` within ``max_consecutive_days``."""
    agent = problem.agents[a]
    most = problem.contract_of(agent).max_consecutive_days
    run = agent.consecutive_days_worked_before
    for d in range(week.stop):
        run = run + 1 if mask >> d & 1 else 0
        if run > most:
            return False
    return True


def _block_fits(problem: RosterProblem, a: int, mask: int, week: range) -> bool:
    """A block of ``min_consecutive_days_off`` days off ending in ``week``.

    It may start in the week before or, for the first week, within the days
    off just before the horizon.
    """
    agent = problem.agents[a]
    k = problem.contract_of(agent).min_consecutive_days_off
    if k <= 1:
        return True
    before = min(agent.days_off_before, k - 1) if week.start == 0 else 0
    for end in week:
        first = end - k + 1
        if first >= -before and not any(mask >> d & 1 for d in range(max(first, 0), end + 1)):
            return True
    return False


def _week_masks(
    problem: RosterProblem, a: int, week: range, avail_mask: int, pin_work: int
) -> list[int]:
    """Working days of one calendar week (as horizon bit masks) its weekly limits allow."""
    c = problem.contract_of(problem.agents[a])
    weekend = [d for d in week if problem.weekday_of(d) in problem.weekend_days]
    week_bits = sum(1 << d for d in week)
    out: list[int] = []
    for local in range(1 << len(week)):
        mask = local << week.start
        if mask & ~avail_mask or (mask & pin_work) != (pin_work & week_bits):
            continue
        n = bin(mask).count("1")
        if n < c.min_days_per_week or n > c.max_days_per_week:
            continue
        if sum(mask >> d & 1 for d in weekend) > c.max_weekend_days:
            continue
        out.append(mask)
    return out


def _period_patterns(
    problem: RosterProblem,
    a: int,
    avail_mask: int,
    pin_work: int,
    best: list[float],
    *,
    beam: int = 32,
    keep: int = 8,
) -> list[int]:
    """The most valuable day patterns of a period of several weeks, by beam search.

    Week by week, each kept partial pattern is extended by every working-day
    mask the week's own limits allow; the extension must keep runs of working
    days within ``max_consecutive_days`` (counting the days worked before the
    horizon) and hold a days-off block ending in that week (it may start in
    the week before, or in the days off before the horizon). The ``beam``
    partial patterns of most value (sum of each day's best option) go on.
    """
    partial: list[tuple[float, int]] = [(0.0, 0)]
    for week in problem.weeks:
        masks = _week_masks(problem, a, week, avail_mask, pin_work)
        worth = {m: sum(best[d] for d in week if m >> d & 1) for m in masks}
        grown: list[tuple[float, int]] = []
        for value, prefix in partial:
            for m in masks:
                mask = prefix | m
                if not (_runs_fit(problem, a, mask, week) and _block_fits(problem, a, mask, week)):
                    continue
                grown.append((value + worth[m], mask))
        grown.sort(key=lambda t: -t[0])
        partial = grown[:beam]
        if not partial:
            return []
    return [mask for _, mask in partial[:keep]]


def _fill_pattern(
    rm: RosterModel,
    a: int,
    mask: int,
    by_day: list[list[int]],
    values: dict[int, float],
) -> list[int] | None:
    problem = rm.problem
    agent = problem.agents[a]
    c = problem.contract_of(agent)
    rest = rest_intervals(problem, c.min_rest_hours)
    days = [d for d in range(problem.days) if mask >> d & 1]
    low = c.min_hours_per_week * 60
    high = c.max_hours_per_week * 60
    min_paid = {d: min(rm.options[o].paid_minutes for o in by_day[d]) for d in days}
    max_paid = {d: max(rm.options[o].paid_minutes for o in by_day[d]) for d in days}
    latest_start = {d: max(rm.options[o].start for o in by_day[d]) for d in days}
    last_end: float = -math.inf
    before = last_shift_end_interval(problem, agent)
    if before is not None:
        last_end = before
    period_high = math.inf if c.max_hours_per_period is None else c.max_hours_per_period * 60
    week_paid = [0] * len(problem.weeks)
    paid = 0
    picked: list[int] = []
    for i, d in enumerate(days):
        later = days[i + 1 :]
        week = problem.week_of(d)
        later_in_week = [e for e in later if problem.week_of(e) == week]
        need_low = low - sum(max_paid[e] for e in later_in_week)
        need_high = high - sum(min_paid[e] for e in later_in_week)
        best_o = None
        best_v = -math.inf
        for o in by_day[d]:
            opt = rm.options[o]
            if opt.start < last_end + rest:
                continue
            p = week_paid[week] + opt.paid_minutes
            if p < need_low - 1e-9 or p > need_high + 1e-9:
                continue
            if paid + opt.paid_minutes > period_high + 1e-9:
                continue
            if later and opt.end + rest > latest_start[later[0]]:
                continue
            if values[o] > best_v:
                best_v = values[o]
                best_o = o
        if best_o is None:
            return None
        picked.append(best_o)
        paid += rm.options[best_o].paid_minutes
        week_paid[week] += rm.options[best_o].paid_minutes
        last_end = rm.options[best_o].end
    if paid < c.min_hours_per_period * 60 - 1e-9:
        return None
    return picked
