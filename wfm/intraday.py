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
    "IntradayResult",
    "default_damping",
    "reforecast",
    "replace_breaks",
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
