"""Time-off allotments: how many agents may be off while the service target still holds.

The allotment of a day (or half-day) is the largest number of agents that
can be given time off for it while a roster obeying every hard rule still
covers the requirement as well as the best roster without any time off.
It is computed with the roster model itself (:func:`wfm.roster.model.build_model`
with the coverage and labour families), not a rule of thumb:

1. CP-SAT minimises the under-staffing of the period (``U*``; zero when the
   requirement can be met, which is what "the service target can still be
   met" means, since the requirement is the staffing the target needs);
2. for each window, CP-SAT maximises the number of agents off in it, with
   the under-staffing at most ``U*``. An agent is off in a window when no
   shift of theirs overlaps it: exactly what a granted time off of that
   window enforces (:class:`~wfm.roster.problem.TimeOff`).

Requests (:class:`TimeOffRequest`) are then granted in the configured
order (``"seniority"``: most senior first, then the earlier request;
``"request_time"``: earliest first). Each is granted when a roster exists
with every request granted so far and this one off, the under-staffing at
most ``U*``; otherwise it is refused with its reason. Granted requests are
written back as time off (:func:`grant`).

Windows
-------
``day``: the date from midnight to midnight; ``am``: midnight to
``half_day_split``; ``pm``: ``half_day_split`` to midnight. A half-day off
forbids any shift overlapping that half (a full-timer's 8-hour shift then
cannot be worked that day; a short shift in the other half can).

Tables
------
``allotment``: ``date``, ``part`` (``day``/``am``/``pm``), ``max_off``
(agents that may be off: the best found), ``bound`` (CP-SAT's proven upper
bound; equal to ``max_off`` when proven), ``agents`` (able to work then),
``status``. ``requests``: the requests with ``order`` (rank in the granting
order), ``granted`` (bool) and ``reason`` (empty when granted).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from ortools.sat.python import cp_model

from wfm.errors import ValidationError
from wfm.roster.model import RosterModel, build_model
from wfm.roster.options import SolverOptions
from wfm.roster.problem import Agent, RosterProblem, TimeOff
from wfm.roster.search.cpsat import complete_hint, hinted_solution
from wfm.status import SolveStatus

__all__ = [
    "ALLOTMENT_COLUMNS",
    "REQUEST_COLUMNS",
    "AllotmentResult",
    "TimeOffRequest",
    "allotments",
    "grant",
    "window",
]

Part = Literal["day", "am", "pm"]
Order = Literal["seniority", "request_time"]

ALLOTMENT_COLUMNS = ("date", "part", "max_off", "bound", "agents", "status")
REQUEST_COLUMNS = (
    "agent_id",
    "date",
    "part",
    "requested_at",
    "seniority_years",
    "order",
    "granted",
    "reason",
)

_FAMILIES = (
    "coverage",
    "queue_coverage",
    "hours",
    "period_hours",
    "days",
    "consecutive_days",
    "days_off_block",
    "weekend_days",
    "rest",
    "option_rules",
)
"""Model families of the allotment: coverage and every rule (no costs, wishes or fairness)."""


@dataclass(frozen=True, kw_only=True)
class TimeOffRequest:
    """An agent's request for a day or half-day off.

    Parameters
    ----------
    agent_id
        The agent.
    day
        The date asked for.
    part
        ``"day"``, ``"am"`` or ``"pm"`` (see the module docstring).
    requested_at
        When the request was made (orders ``"request_time"`` and breaks seniority ties).
    seniority_years
        The agent's seniority (orders ``"seniority"``: most senior first).
    """

    agent_id: str
    day: dt.date
    part: Part = "day"
    requested_at: dt.datetime | None = None
    seniority_years: float = 0.0

    def __post_init__(self) -> None:
        if self.part not in ("day", "am", "pm"):
            raise ValidationError(
                f"requests[{self.agent_id!r}, {self.day}].part", self.part, "'day', 'am' or 'pm'"
            )


@dataclass(frozen=True, kw_only=True, eq=False)
class AllotmentResult:
    """Allotments of the period and the requests granted against them.

    Attributes
    ----------
    allotment, requests
        The tables of the module docstring.
    understaffing_agent_hours
        ``U*``: the least under-staffing of the period with no time off (the
        level every granted request keeps).
    status
        How ``U*`` was found (``OPTIMAL``: proven least).
    granted
        The granted requests, in granting order.
    """

    allotment: pd.DataFrame
    requests: pd.DataFrame
    understaffing_agent_hours: float
    status: SolveStatus
    granted: tuple[TimeOffRequest, ...]


def window(problem: RosterProblem, day: dt.date, part: Part, split: dt.time) -> TimeOff:
    """The time off of ``part`` of ``day`` (see the module docstring)."""
    midnight = dt.datetime.combine(day, dt.time())
    middle = dt.datetime.combine(day, split)
    end = midnight + dt.timedelta(days=1)
    start, stop = {"day": (midnight, end), "am": (midnight, middle), "pm": (middle, end)}[part]
    return TimeOff(start=start, end=stop)


def _overlapping(rm: RosterModel, agent: int, off: TimeOff) -> list[Any]:
    grid = rm.problem.grid
    out = []
    for o, var in rm.x[agent].items():
        opt = rm.options[o]
        if off.start < grid.wall_clock(opt.end) and grid.wall_clock(opt.start) < off.end:
            out.append(var)
    return out


def _off_literal(rm: RosterModel, agent: int, off: TimeOff) -> Any:
    """A Boolean that, when true, forbids every shift of ``agent`` overlapping ``off``."""
    lit = rm.model.new_bool_var("")
    for var in _overlapping(rm, agent, off):
        rm.model.add_implication(lit, var.Not())
    return lit


NEIGHBOURS = 12
"""Agents freed with the requesting one in the first, local check of a request."""


def _local_check(
    rm: RosterModel, agent: int, off: TimeOff, day: dt.date, seconds: float, seed: int
) -> Any:
    """Try the request in a neighbourhood of the roster at hand; the CP-SAT status.

    Every agent keeps their hinted shifts (fixed) but ``agent`` (whose
    shifts overlapping ``off`` are fixed off) and :data:`NEIGHBOURS` others
    able to work ``day`` (first those off that day in the hint, who can come
    in; of the agent's contract first). On success the solution becomes the
    complete hint; otherwise the hint is restored. ``INFEASIBLE`` here proves
    nothing about the whole model.
    """
    problem = rm.problem
    proto = rm.model.proto
    saved = (list(proto.solution_hint.vars), list(proto.solution_hint.values))
    values = dict(zip(saved[0], saved[1], strict=True))
    d = (day - problem.start_date).days
    me = problem.agents[agent]

    def working(a: int) -> bool:
        w = rm.works[a][d]
        return not isinstance(w, int) and bool(values.get(w.index, 0))

    others = sorted(
        (a for a in range(len(problem.agents)) if a != agent and rm.options_of_day(a, d)),
        key=lambda a: (working(a), problem.agents[a].contract != me.contract, a),
    )
    free = set(others[:NEIGHBOURS])
    hint_vars: list[int] = []
    hint_values: list[int] = []
    banned = {var.index for var in _overlapping(rm, agent, off)}
    for a, xa in enumerate(rm.x):
        if a in free:
            continue
        for var in xa.values():
            if a == agent and var.index not in banned:
                continue
            hint_vars.append(var.index)
            hint_values.append(0 if var.index in banned else int(values.get(var.index, 0)))
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(hint_vars)
    proto.solution_hint.values.extend(hint_values)
    solver = _solver(seconds, 1, seed)
    solver.parameters.fix_variables_to_their_hinted_value = True
    code = solver.solve(rm.model)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        _hint(rm, solver)
    else:
        proto.clear_solution_hint()
        proto.solution_hint.vars.extend(saved[0])
        proto.solution_hint.values.extend(saved[1])
    return code


def _works_in(rm: RosterModel, agent: int, off: TimeOff) -> bool:
    """Whether the model's (complete) hint has ``agent`` on a shift overlapping ``off``."""
    proto = rm.model.proto
    values = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
    return any(values.get(var.index, 0) for var in _overlapping(rm, agent, off))


def _status(code: Any) -> SolveStatus:
    if code == cp_model.OPTIMAL:
        return SolveStatus.OPTIMAL
    if code == cp_model.FEASIBLE:
        return SolveStatus.FEASIBLE
    if code == cp_model.INFEASIBLE:
        return SolveStatus.INFEASIBLE
    return SolveStatus.TIME_LIMIT_NO_SOLUTION


def _solver(seconds: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.catch_sigint_signal = False
    return solver


def _hint(rm: RosterModel, solver: cp_model.CpSolver) -> None:
    proto = rm.model.proto
    values = list(solver.response_proto.solution)
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(range(len(values)))
    proto.solution_hint.values.extend(values)


def allotments(
    problem: RosterProblem,
    requests: tuple[TimeOffRequest, ...] = (),
    *,
    order: Order = "seniority",
    parts: tuple[Part, ...] = ("day", "am", "pm"),
    half_day_split: dt.time = dt.time(13, 0),
    time_limit_seconds: float = 10.0,
    workers: int = 1,
    seed: int = 0,
) -> AllotmentResult:
    """The allotment of every day (and half-day) of the period, and the requests granted.

    Parameters
    ----------
    problem
        The roster problem (its agents' existing time off and pins hold).
    requests
        Time-off requests to grant in ``order``.
    order
        ``"seniority"`` or ``"request_time"`` (see the module docstring).
    parts
        Windows to allot per date.
    half_day_split
        Clock time between the ``am`` and ``pm`` halves.
    time_limit_seconds
        CP-SAT time limit of each solve (the least under-staffing, each
        window's allotment, each request).
    workers, seed
        CP-SAT workers and seed of every solve.

    Returns
    -------
    AllotmentResult

    Raises
    ------
    ValidationError
        A request names an unknown agent, or ``order`` or ``parts`` is unknown.
    """
    if order not in ("seniority", "request_time"):
        raise ValidationError("order", order, "'seniority' or 'request_time'")
    for p in parts:
        if p not in ("day", "am", "pm"):
            raise ValidationError("parts", p, "'day', 'am' or 'pm'")
    index = {a.agent_id: i for i, a in enumerate(problem.agents)}
    for i, r in enumerate(requests):
        if r.agent_id not in index:
            raise ValidationError(f"requests[{i}].agent_id", r.agent_id, "an agent of the problem")
    rm = build_model(problem, families=_FAMILIES)
    model = rm.model
    under_terms = [t for t in rm.terms if t.rule == "understaffing"]
    under = cp_model.LinearExpr.sum([t.amount for t in under_terms]) if under_terms else 0
    scale = under_terms[0].amount_scale if under_terms else 0.0
    model.minimize(under)
    _start(rm, time_limit_seconds=time_limit_seconds, workers=workers, seed=seed)
    solver = _solver(time_limit_seconds, workers, seed)
    code = solver.solve(model)
    status = _status(code)
    if status.has_solution:
        least = round(solver.objective_value)
        _hint(rm, solver)
    else:
        # the search found nothing better in time: the completed start stands
        reader = hinted_solution(rm, seed)
        if reader is None:
            raise ValidationError(
                "problem", f"no roster ({status.value})", "a problem with a roster to allot against"
            )
        status = SolveStatus.FEASIBLE
        least = round(reader.objective_value)
        _hint(rm, reader)
    model.add(under <= least)
    rows: list[dict[str, Any]] = []
    limits: dict[tuple[dt.date, str], int] = {}
    for date in problem.dates:
        for part in parts:
            off = window(problem, date, part, half_day_split)
            lits = [_off_literal(rm, a, off) for a in range(len(problem.agents))]
            able = sum(1 for a in range(len(problem.agents)) if _overlapping(rm, a, off))
            # agents idle in the window in the roster at hand may be off: a first allotment
            hinted = sum(1 for a in range(len(lits)) if not _works_in(rm, a, off))
            model.maximize(cp_model.LinearExpr.sum(lits))
            code = solver.solve(model)
            found = _status(code)
            best = max(round(solver.objective_value), hinted) if found.has_solution else hinted
            bound = round(solver.best_objective_bound) if found.has_solution else len(lits)
            if not found.has_solution:
                found = SolveStatus.FEASIBLE
            # agents who cannot work the window at all are off anyway: not an allotment
            idle = len(lits) - able
            limits[(date, part)] = best - idle
            rows.append(
                {
                    "date": date.isoformat(),
                    "part": part,
                    "max_off": best - idle,
                    "bound": bound - idle,
                    "agents": able,
                    "status": found.value,
                }
            )
    allotment = pd.DataFrame(rows, columns=list(ALLOTMENT_COLUMNS))
    model.clear_objective()
    ranked = _ranked(requests, order)
    granted: list[TimeOffRequest] = []
    request_rows: list[dict[str, Any]] = []
    taken: dict[tuple[dt.date, str], int] = {}
    for rank, r in enumerate(ranked, start=1):
        reason = ""
        if not problem.dates[0] <= r.day <= problem.dates[-1]:
            reason = "outside the planning period"
        else:
            off = window(problem, r.day, r.part, half_day_split)
            agent = index[r.agent_id]
            lit = _off_literal(rm, agent, off)
            # the roster at hand keeps every earlier grant: if it has the agent off, grant at once
            code = cp_model.FEASIBLE
            if _works_in(rm, agent, off):
                code = _local_check(rm, agent, off, r.day, time_limit_seconds, seed)
                if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    model.clear_assumptions()
                    model.add_assumptions([lit])
                    code = solver.solve(model)
                    model.clear_assumptions()
                    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                        _hint(rm, solver)
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                # granted for good: the agent's shifts overlapping the window are gone
                for var in _overlapping(rm, agent, off):
                    model.add(var == 0)
                granted.append(r)
                key = (r.day, r.part)
                taken[key] = taken.get(key, 0) + 1
            elif code == cp_model.INFEASIBLE:
                reason = _refusal(problem, r, taken, limits)
            else:
                reason = f"not decided within {time_limit_seconds:g} s (refused to be safe)"
        request_rows.append(
            {
                "agent_id": r.agent_id,
                "date": r.day.isoformat(),
                "part": r.part,
                "requested_at": None if r.requested_at is None else r.requested_at.isoformat(" "),
                "seniority_years": r.seniority_years,
                "order": rank,
                "granted": not reason,
                "reason": reason,
            }
        )
    model.clear_assumptions()
    table = pd.DataFrame(request_rows, columns=list(REQUEST_COLUMNS))
    return AllotmentResult(
        allotment=allotment,
        requests=table,
        understaffing_agent_hours=least * scale,
        status=status,
        granted=tuple(granted),
    )


def _start(rm: RosterModel, *, time_limit_seconds: float, workers: int, seed: int) -> None:
    """Hint the model with the roster solver's least under-staffed roster, completed.

    :func:`wfm.roster.solve.solve` (greedy start, CP-SAT, neighbourhood
    search) with every cost but under-staffing at zero finds a roster far
    faster than CP-SAT alone on this model; its shifts are hinted and the
    breaks completed (:func:`wfm.roster.search.cpsat.complete_hint`).
    """
    from wfm.roster.solve import solve

    problem = rm.problem
    weights = dataclasses.replace(
        problem.weights,
        paid_hour=0.0,
        overstaffing_per_agent_hour=0.0,
        preference=0.0,
        fairness_weekend=0.0,
        fairness_late=0.0,
    )
    options = SolverOptions(time_limit_seconds=time_limit_seconds, workers=workers, seed=seed)
    found = solve(dataclasses.replace(problem, weights=weights), options, compute_bound=False)
    if not found.status.has_solution or not len(found.roster):
        return
    index = {a.agent_id: i for i, a in enumerate(problem.agents)}
    starts = problem.grid.positions(found.roster["start"], "roster.start")
    im = problem.interval_minutes
    chosen: dict[int, set[tuple[int, int, int]]] = {}
    for row, start in zip(found.roster.to_dict("records"), starts, strict=True):
        key = (
            problem.template_index[str(row["template"])],
            int(start),
            int(row["length_minutes"]) // im,
        )
        chosen.setdefault(index[str(row["agent_id"])], set()).add(key)
    for a, xa in enumerate(rm.x):
        mine = chosen.get(a, set())
        for o, var in xa.items():
            opt = rm.options[o]
            rm.model.add_hint(var, (opt.template, opt.start, opt.length) in mine)
    complete_hint(rm, time_limit=time_limit_seconds, seed=seed, deterministic_time=None)


def _ranked(requests: tuple[TimeOffRequest, ...], order: Order) -> list[TimeOffRequest]:
    far = dt.datetime.max

    def when(r: TimeOffRequest) -> dt.datetime:
        return r.requested_at if r.requested_at is not None else far

    if order == "seniority":
        return sorted(requests, key=lambda r: (-r.seniority_years, when(r)))
    return sorted(requests, key=when)


def _refusal(
    problem: RosterProblem,
    request: TimeOffRequest,
    taken: dict[tuple[dt.date, str], int],
    limits: dict[tuple[dt.date, str], int],
) -> str:
    key = (request.day, request.part)
    limit = limits.get(key)
    if limit is not None and taken.get(key, 0) >= limit:
        return f"allotment of {request.day} ({request.part}) reached: {limit} off"
    return (
        "the service target cannot be kept with this agent off as well "
        "(their skills, contract or the requests granted before)"
    )


def grant(problem: RosterProblem, result: AllotmentResult, *, split: dt.time) -> RosterProblem:
    """``problem`` with every granted request of ``result`` added to its agent's time off.

    ``split`` is the ``half_day_split`` the allotment was computed with.
    """
    extra: dict[str, list[TimeOff]] = {}
    for r in result.granted:
        extra.setdefault(r.agent_id, []).append(window(problem, r.day, r.part, split))
    agents: list[Agent] = [
        dataclasses.replace(a, time_off=a.time_off + tuple(extra[a.agent_id]))
        if a.agent_id in extra
        else a
        for a in problem.agents
    ]
    return dataclasses.replace(problem, agents=tuple(agents))
