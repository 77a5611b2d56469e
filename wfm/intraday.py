"""Intraday: reforecast the rest of the day and re-place breaks of published shifts.

During the day, the volume seen so far tells how far the forecast is off.
:func:`reforecast` scales the rest of the day's profile by the observed
ratio, damped: ``factor = 1 + damping * (observed / forecast - 1)`` over the
day's intervals before ``now`` (``damping`` 0 ignores the morning, 1 trusts
it fully). By default the damping grows with how much of the day has been
seen: ``damping = share / (share + DAMPING_HALF_SHARE)``, ``share`` the
forecast's calls before ``now`` over the day's, :data:`DAMPING_HALF_SHARE`
= 0.2 (a credibility weight: one half once a fifth of the day's calls are
in, 0.67 at 40 %, 0.8 at 80 %). Validated on the bank call centre's
five-minute history (March-June 2003, 45 held-out weekdays, the default
forecaster fitted on the weeks before; ``benchmarks/intraday_damping.py``):
the best fixed damping is 0.3 at 09:00, 0.5 at 10:00 and 0.8 from 12:00,
and the rule's interval WAPE of the rest of the day is within 0.02 points
of the best fixed damping at every cut time from 09:00 to 16:00 (7.15 % at
10:00 against 7.80 % without update, 7.19 % at 14:00 against 8.25 %). The
half share was chosen among 0.1, 0.15, 0.2 and 0.25 on those same days.

:func:`replace_breaks` then
moves the breaks and lunches of the published shifts within their windows
to close the new gaps: every shift stays as published (a hard constraint of
the roster model, ``Baseline.shifts_fixed``), breaks that started before
``now`` stay, and no break moves before ``now``; each moved break costs
``ChangeWeights.break_moved`` against the under- and over-staffing it
changes. The result holds the changed breaks and the coverage and service
before and after.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.errors import DataError, ValidationError
from wfm.roster.changes import ChangeSummary, change_summary, change_table
from wfm.roster.options import SolverOptions
from wfm.roster.problem import Baseline, ChangeWeights, PublishedShift, RosterProblem
from wfm.roster.report import coverage_table, scheduled_on_grid
from wfm.roster.result import RosterResult
from wfm.roster.solve import solve

__all__ = [
    "DAMPING_HALF_SHARE",
    "SUGGESTION_COLUMNS",
    "IntradayResult",
    "default_damping",
    "reforecast",
    "replace_breaks",
    "suggest_vto_ot",
]

DAMPING_HALF_SHARE = 0.2
"""Share of the day's forecast calls seen at which the default damping is one half."""


def default_damping(seen_share: float) -> float:
    """The validated damping once ``seen_share`` of the day's forecast calls are past.

    ``seen_share / (seen_share + DAMPING_HALF_SHARE)``; 0 before any call.
    """
    if not 0 <= seen_share <= 1:
        raise ValidationError("seen_share", seen_share, "a number in [0, 1]")
    return seen_share / (seen_share + DAMPING_HALF_SHARE) if seen_share > 0 else 0.0


def reforecast(
    forecast: pd.DataFrame,
    actual: pd.DataFrame,
    *,
    now: pd.Timestamp,
    damping: float | None = None,
) -> pd.DataFrame:
    """The day's forecast with its rest scaled by the damped observed ratio.

    Parameters
    ----------
    forecast
        ``interval_start``, ``calls`` (and any other columns, kept).
    actual
        ``interval_start``, ``calls`` observed (intervals before ``now`` are read).
    now
        Time of the reforecast: intervals starting before it are observed.
    damping
        In [0, 1]; ``None`` (default): :func:`default_damping` of the share
        of the day's forecast calls before ``now``; see the module docstring.

    Returns
    -------
    pandas.DataFrame
        ``forecast`` with ``calls`` replaced: the actual calls before ``now``
        on ``now``'s day, the forecast times the factor from ``now`` to the
        day's end; ``calls_forecast`` keeps the former values. The ratio, the
        damping used and the factor are in ``attrs``.
    """
    if damping is not None and not 0 <= damping <= 1:
        raise ValidationError("damping", damping, "a number in [0, 1]")
    for name, table in (("forecast", forecast), ("actual", actual)):
        for column in ("interval_start", "calls"):
            if column not in table.columns:
                raise DataError(name, list(table.columns), f"a column {column!r}")
    out = forecast.copy()
    stamps = pd.to_datetime(out["interval_start"])
    now = pd.Timestamp(now)
    day_start = now.normalize()
    day_end = day_start + pd.Timedelta(days=1)
    seen = actual.assign(interval_start=pd.to_datetime(actual["interval_start"]))
    seen = seen[(seen["interval_start"] >= day_start) & (seen["interval_start"] < now)]
    observed = seen.set_index("interval_start")["calls"].astype(float)
    morning = (stamps >= day_start) & (stamps < now)
    planned = float(out.loc[morning, "calls"].sum())
    ratio = float(observed.sum()) / planned if planned > 0 else 1.0
    rest = (stamps >= now) & (stamps < day_end)
    if damping is None:
        day_total = planned + float(out.loc[rest, "calls"].sum())
        damping = default_damping(planned / day_total if day_total > 0 else 0.0)
    factor = 1.0 + damping * (ratio - 1.0)
    out["calls_forecast"] = out["calls"].astype(float)
    calls = out["calls_forecast"].to_numpy(copy=True)
    calls[rest.to_numpy()] *= factor
    known = morning.to_numpy() & stamps.isin(observed.index).to_numpy()
    calls[known] = observed.reindex(stamps[known]).to_numpy(dtype=float)
    out["calls"] = calls
    out.attrs["observed_ratio"] = ratio
    out.attrs["damping"] = damping
    out.attrs["factor"] = factor
    return out


@dataclass(frozen=True, kw_only=True, eq=False)
class IntradayResult:
    """Breaks re-placed for the rest of the day.

    Attributes
    ----------
    result
        The roster with the re-placed breaks (shifts as published).
    problem
        The revised problem (requirements and the published roster as baseline).
    changes
        The change table (:data:`wfm.roster.changes.CHANGE_COLUMNS`): one
        ``breaks_moved`` row per shift whose breaks moved.
    summary
        Its totals.
    before, after
        Coverage tables (:mod:`wfm.roster.report` layout) of the published
        and of the re-placed breaks against the revised requirements.
    """

    result: RosterResult
    problem: RosterProblem
    changes: pd.DataFrame
    summary: ChangeSummary
    before: pd.DataFrame
    after: pd.DataFrame

    def understaffing_agent_hours(
        self, *, start: pd.Timestamp, end: pd.Timestamp
    ) -> tuple[float, float]:
        """Under-staffing (before, after) in agent-hours over ``[start, end)``."""
        out = []
        for table in (self.before, self.after):
            stamps = pd.to_datetime(table["interval_start"])
            keep = (stamps >= start) & (stamps < end)
            gap = table.loc[keep, "gap_scheduled"].to_numpy(dtype=float)
            hours = (stamps.iloc[1] - stamps.iloc[0]) / pd.Timedelta(hours=1)
            out.append(float(np.clip(-gap, 0, None).sum() * hours))
        return out[0], out[1]


def replace_breaks(
    problem: RosterProblem,
    published: tuple[PublishedShift, ...],
    roster: pd.DataFrame,
    breaks: pd.DataFrame,
    *,
    requirements: pd.DataFrame,
    now: pd.Timestamp,
    weights: ChangeWeights | None = None,
    options: SolverOptions | None = None,
) -> IntradayResult:
    """Re-place the breaks of the published shifts against revised requirements.

    Parameters
    ----------
    problem
        The problem the roster was published for.
    published, roster, breaks
        The published shifts (:func:`wfm.roster.published.read_published`) and
        the tables they were read from.
    requirements
        The revised requirements (e.g. staffing of a :func:`reforecast`).
    now
        Breaks starting before it stay; none moves before it.
    weights
        Change prices (default :class:`~wfm.roster.problem.ChangeWeights`;
        only ``break_moved`` matters, shifts cannot change).
    options
        Solver options (default: 10 s, one worker, seed 0).

    Returns
    -------
    IntradayResult
    """
    weights = ChangeWeights() if weights is None else weights
    options = SolverOptions(time_limit_seconds=10, workers=1) if options is None else options
    now = pd.Timestamp(now)
    agents = {a.agent_id for a in problem.agents}
    pairs = frozenset((a, d) for a in agents for d in problem.dates)
    taken = frozenset(
        (s.agent_id, s.day, b.name)
        for s in published
        for b in s.breaks
        if pd.Timestamp(b.start) < now
    )
    baseline = Baseline(
        shifts=published,
        agents=frozenset(agents),
        shifts_fixed=pairs,
        breaks_fixed=taken,
        breaks_not_before=now,
        weights=weights,
    )
    revised = dataclasses.replace(problem, requirements=requirements, baseline=baseline)
    result = solve(revised, options, compute_bound=False)
    before = coverage_table(revised, scheduled_on_grid(revised, roster, breaks))
    table = change_table(revised, result.roster, result.breaks)
    return IntradayResult(
        result=result,
        problem=revised,
        changes=table,
        summary=change_summary(table),
        before=before,
        after=result.coverage,
    )


SUGGESTION_COLUMNS = (
    "kind",
    "agent_id",
    "date",
    "start",
    "end",
    "minutes",
    "understaffing_removed_agent_hours",
    "overstaffing_removed_agent_hours",
    "shift_start",
    "shift_end",
)
"""Columns of :func:`suggest_vto_ot`'s table.

``kind`` is ``ot_end`` (stay ``minutes`` longer: from ``start`` = the shift's
end to ``end``), ``ot_start`` (come ``minutes`` earlier: from ``start`` to
``end`` = the shift's start) or ``vto`` (leave early: from ``start`` to
``end`` = the shift's end); ``shift_start``, ``shift_end`` are the shift as
it stands before the suggestion (an ``ot_start`` after an ``ot_end`` of the
same shift shows the extended end).
"""


def suggest_vto_ot(
    problem: RosterProblem,
    roster: pd.DataFrame,
    breaks: pd.DataFrame,
    *,
    now: pd.Timestamp,
    min_extension_minutes: int = 15,
    max_extension_minutes: int = 60,
    min_vto_minutes: int = 30,
) -> pd.DataFrame:
    """Overtime extensions where the rest of the day is short, voluntary time off where over.

    Coverage is that of ``roster`` and ``breaks`` (e.g. after
    :func:`replace_breaks`) against ``problem.requirements``, from the first
    interval starting at or after ``now`` to the end of ``now``'s day.

    Overtime first, greedily: among the shifts of the tables, each may stay
    longer (its end on or after ``now``) or, if it starts after ``now``,
    come earlier, by a whole number of intervals from
    ``min_extension_minutes`` to ``max_extension_minutes``, within the day;
    the extension must lie inside one of the agent's availability windows of
    the shift's weekday, overlap none of their time off, and keep the
    contract's ``min_rest_hours`` to the agent's previous and next shifts
    (the previous one or ``Agent.last_shift_end``). Each step takes the
    extension that removes the most under-staffing (fewest minutes on ties)
    and counts it against the coverage with the earlier suggestions applied,
    so each row's ``understaffing_removed_agent_hours`` is exact for the
    suggestions taken in order and their sum for all of them. Weekly maximum
    hours are not checked (overtime is by nature beyond them).

    Then voluntary time off: the shifts not extended, those ending nearest
    first, each leaving as early as every interval it leaves keeps coverage
    at or above the requirement (so no interval becomes under-staffed; its
    break intervals lose nothing) and none of them has overtime suggested
    (no one is sent home where another is asked to stay), for
    at least ``min_vto_minutes``, and never below the contract's
    ``min_hours_per_week`` (paid hours of the shift's week, when the horizon
    holds the whole week) or ``min_hours_per_period``. Coming back later
    (time off in the middle of a shift) is not suggested.

    Parameters
    ----------
    problem
        The problem (its requirements, grid, agents and contracts).
    roster, breaks
        The roster and break tables (:mod:`wfm.roster.report` layout).
    now
        Nothing is suggested before it.
    min_extension_minutes, max_extension_minutes
        Range of an overtime extension.
    min_vto_minutes
        Shortest voluntary time off suggested.

    Returns
    -------
    pandas.DataFrame
        One row per suggestion, in the order taken (:data:`SUGGESTION_COLUMNS`).
    """
    step = problem.interval_minutes
    if not 0 < min_extension_minutes <= max_extension_minutes:
        raise ValidationError(
            "min_extension_minutes",
            min_extension_minutes,
            f"a number of minutes in (0, max_extension_minutes = {max_extension_minutes}]",
        )
    sizes = [
        k for k in range(1, max_extension_minutes // step + 1) if k * step >= min_extension_minutes
    ]
    if not sizes:
        raise ValidationError(
            "max_extension_minutes",
            max_extension_minutes,
            f"at least one interval ({step} minutes) and at least min_extension_minutes",
        )
    if min_vto_minutes < 0:
        raise ValidationError("min_vto_minutes", min_vto_minutes, "a number of minutes >= 0")
    now = pd.Timestamp(now)
    n = problem.n_intervals
    hours = step / 60
    required = problem.required_scheduled
    coverage = scheduled_on_grid(problem, roster, breaks).astype(float)
    grid = problem.grid
    first = int(np.ceil(grid.positions(pd.Series([now]), "now")[0] - 1e-9))
    last = int(
        np.floor(grid.positions(pd.Series([now.normalize() + pd.Timedelta(days=1)]), "now")[0])
    )
    first, last = max(first, 0), min(last, n)
    if first >= last or roster.empty:
        return pd.DataFrame(columns=list(SUGGESTION_COLUMNS))
    table = roster.reset_index(drop=True)
    ids = table["agent_id"].astype(str).tolist()
    dates = [pd.Timestamp(d).date() for d in table["date"]]
    starts = pd.to_datetime(table["start"]).tolist()
    ends = pd.to_datetime(table["end"]).tolist()
    s_idx = np.rint(grid.positions(table["start"], "start")).astype(int).tolist()
    e_idx = np.rint(grid.positions(table["end"], "end")).astype(int).tolist()
    agents = {a.agent_id: a for a in problem.agents}
    contracts = {c.name: c for c in problem.contracts}
    delta = pd.Timedelta(minutes=step)

    def like(stamp: object, ref: pd.Timestamp) -> pd.Timestamp:
        """``stamp`` in ``ref``'s time zone (naive stamps are read as its local time)."""
        out = pd.Timestamp(stamp)  # type: ignore[arg-type]
        if ref.tzinfo is not None and out.tzinfo is None:
            return out.tz_localize(ref.tzinfo)
        if ref.tzinfo is None and out.tzinfo is not None:
            return out.tz_localize(None)
        return out

    def fits(row: int, begin: pd.Timestamp, finish: pd.Timestamp) -> bool:
        agent = agents.get(ids[row])
        if agent is None:
            return False
        midnight = like(dates[row], begin)
        if begin < midnight:
            return False
        if agent.availability is not None:
            lo = (begin - midnight) / pd.Timedelta(minutes=1)
            hi = (finish - midnight) / pd.Timedelta(minutes=1)
            if not any(
                w.weekday == dates[row].weekday() and w.start_minutes <= lo and hi <= w.end_minutes
                for w in agent.availability
            ):
                return False
        for off in agent.time_off:
            if like(off.start, begin) < finish and begin < like(off.end, begin):
                return False
        rest = pd.Timedelta(hours=contracts[agent.contract].min_rest_hours)
        previous = [ends[r] for r in range(len(ids)) if ids[r] == ids[row] and r != row]
        previous = [e for e in previous if e <= starts[row]]
        if agent.last_shift_end is not None:
            previous.append(like(agent.last_shift_end, begin))
        if previous and begin - max(previous) < rest:
            return False
        following = [
            starts[r]
            for r in range(len(ids))
            if ids[r] == ids[row] and r != row and starts[r] >= ends[row]
        ]
        return not (following and min(following) - finish < rest)

    rows: list[dict[str, object]] = []
    extended: set[int] = set()
    used: set[tuple[int, str]] = set()
    overtime = np.zeros(n, dtype=bool)
    while True:
        best: tuple[float, int, int, str, int, int] | None = None
        for row in range(len(ids)):
            for side in ("ot_end", "ot_start"):
                if (row, side) in used:
                    continue
                for k in sizes:
                    lo, hi = (
                        (e_idx[row], e_idx[row] + k)
                        if side == "ot_end"
                        else (
                            s_idx[row] - k,
                            s_idx[row],
                        )
                    )
                    if lo < first or hi > last:
                        continue
                    short = float(np.clip(required[lo:hi] - coverage[lo:hi], 0, 1).sum()) * hours
                    if short <= 1e-9 or (best is not None and (short, -k) <= (best[0], -best[1])):
                        continue
                    begin, finish = (
                        (starts[row], ends[row] + k * delta)
                        if side == "ot_end"
                        else (starts[row] - k * delta, ends[row])
                    )
                    if fits(row, begin, finish):
                        best = (short, k, row, side, lo, hi)
        if best is None:
            break
        short, k, row, side, lo, hi = best
        coverage[lo:hi] += 1
        overtime[lo:hi] = True
        used.add((row, side))
        extended.add(row)
        shift_start, shift_end = starts[row], ends[row]
        if side == "ot_end":
            begin, finish = ends[row], ends[row] + k * delta
            ends[row], e_idx[row] = finish, hi
        else:
            begin, finish = starts[row] - k * delta, starts[row]
            starts[row], s_idx[row] = begin, lo
        rows.append(
            {
                "kind": side,
                "agent_id": ids[row],
                "date": dates[row],
                "start": begin,
                "end": finish,
                "minutes": k * step,
                "understaffing_removed_agent_hours": short,
                "overstaffing_removed_agent_hours": 0.0,
                "shift_start": shift_start,
                "shift_end": shift_end,
            }
        )

    # voluntary time off: who is counted where, and paid minutes per interval
    on = np.zeros((len(ids), n), dtype=np.int64)
    paid = np.zeros((len(ids), n), dtype=np.int64)
    for row in range(len(ids)):
        on[row, max(s_idx[row], 0) : min(e_idx[row], n)] = 1
    paid[:] = on
    b_table = breaks.reset_index(drop=True)
    if len(b_table):
        b_first = np.rint(grid.positions(b_table["start"], "start")).astype(int)
        b_last = np.rint(grid.positions(b_table["end"], "end")).astype(int)
        b_day = [pd.Timestamp(d).date() for d in b_table["date"]]
        where = {(ids[r], dates[r]): r for r in range(len(ids))}
        for j in range(len(b_table)):
            row_of = where.get((str(b_table["agent_id"].iloc[j]), b_day[j]))
            if row_of is None:
                continue
            lo, hi = max(int(b_first[j]), 0), min(int(b_last[j]), n)
            on[row_of, lo:hi] = 0
            if not bool(b_table["paid"].iloc[j]):
                paid[row_of, lo:hi] = 0
    paid_minutes = table["paid_minutes"].to_numpy(dtype=float) if "paid_minutes" in table else None
    order = sorted(
        (r for r in range(len(ids)) if r not in extended),
        key=lambda r: (ends[r], ids[r]),
    )
    for row in order:
        lo_bound = max(first, s_idx[row])
        end = e_idx[row]
        if end > last or end <= lo_bound:
            continue
        begin_idx = end
        while begin_idx > lo_bound and (
            on[row, begin_idx - 1] == 0
            or (
                coverage[begin_idx - 1] - 1 >= required[begin_idx - 1] - 1e-9
                and not overtime[begin_idx - 1]
            )
        ):
            begin_idx -= 1
        agent = agents.get(ids[row])
        if agent is not None and paid_minutes is not None:
            contract = contracts[agent.contract]
            mine = [r for r in range(len(ids)) if ids[r] == ids[row]]
            slack = float(paid_minutes[mine].sum()) - contract.min_hours_per_period * 60
            week = (dates[row] - problem.start_date).days // 7
            if 7 * (week + 1) <= problem.days:
                in_week = [r for r in mine if (dates[r] - problem.start_date).days // 7 == week]
                slack = min(
                    slack,
                    float(paid_minutes[in_week].sum()) - contract.min_hours_per_week * 60,
                )
            while begin_idx < end and paid[row, begin_idx:end].sum() * step > slack + 1e-9:
                begin_idx += 1
        if (end - begin_idx) * step < max(min_vto_minutes, 1):
            continue
        removed = float(on[row, begin_idx:end].sum()) * hours
        coverage[begin_idx:end] -= on[row, begin_idx:end]
        rows.append(
            {
                "kind": "vto",
                "agent_id": ids[row],
                "date": dates[row],
                "start": starts[row] + (begin_idx - s_idx[row]) * delta,
                "end": ends[row],
                "minutes": (end - begin_idx) * step,
                "understaffing_removed_agent_hours": 0.0,
                "overstaffing_removed_agent_hours": removed,
                "shift_start": starts[row],
                "shift_end": ends[row],
            }
        )
    return pd.DataFrame(rows, columns=list(SUGGESTION_COLUMNS))
