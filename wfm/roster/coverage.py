"""Which horizon intervals each shift option covers, with its break windows.

Every model of the roster (the CP-SAT model, the LP bound, the column
generation and class-flow bounds, the class-flow starting roster) writes the
same coverage rows: an agent on shift option ``o`` counts in the intervals
``[start, end)`` of ``o`` that lie in the horizon, except where one of its
breaks sits; break ``k`` of ``o`` may start at any interval of its window
and then takes ``duration`` intervals. :func:`coverage_rows` lays this out
once per list of options, as flat arrays; :func:`add_cover_terms` writes
options into the coverage rows of a linear programme.

Layout of :class:`CoverageRows`
-------------------------------
Options are indexed as in :func:`wfm.roster.shifts.shift_options`. A
*window* is one (option, break rule) pair; a *candidate* is one allowed start
of one window. Windows of an option, and candidates of a window, are
contiguous, in rule order and start order:

* the windows of option ``o`` are ``option_windows[o]:option_windows[o + 1]``;
* the candidates of window ``w`` are
  ``window_candidates[w]:window_candidates[w + 1]``.

Interval ends are clipped to the horizon (a tail beyond it covers nothing),
so ``[candidate_start[c], candidate_end[c])`` is empty for a break that
starts after the horizon.

Examples
--------
>>> import datetime as dt
>>> import numpy as np
>>> import pandas as pd
>>> from wfm.roster.problem import (
...     Agent, BreakRule, Contract, RosterProblem, ShiftTemplate)
>>> from wfm.roster.shifts import shift_options
>>> day = dt.date(2026, 1, 5)
>>> template = ShiftTemplate(
...     name="day", earliest_start=dt.time(8), latest_start=dt.time(8), start_step_minutes=60,
...     min_length_minutes=240, length_step_minutes=60, breaks=(BreakRule(
...         name="tea", duration_minutes=60, earliest_start_after_minutes=60,
...         latest_start_after_minutes=120),))
>>> requirements = pd.DataFrame({
...     "interval_start": pd.date_range(pd.Timestamp(day), periods=24, freq="60min"),
...     "required_scheduled": np.ones(24)})
>>> problem = RosterProblem(
...     start_date=day, days=1, interval_minutes=60, requirements=requirements,
...     templates=(template,), contracts=(Contract(name="c"),),
...     agents=(Agent(agent_id="a", contract="c"),))
>>> rows = coverage_rows(problem, shift_options(problem))
>>> rows.covered(0)
range(8, 12)
>>> [rows.candidate_span(c) for c in rows.candidates(0)]
[range(9, 10), range(10, 11)]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wfm.roster.problem import RosterProblem
from wfm.roster.shifts import ShiftOption

__all__ = ["CoverageRows", "add_cover_terms", "coverage_rows"]


@dataclass(frozen=True, kw_only=True, eq=False)
class CoverageRows:
    """Covered intervals and break windows of a list of shift options (see the module).

    Attributes
    ----------
    n_intervals
        Intervals of the horizon.
    option_start, option_end
        ``(options,)``: the first interval each option covers and the first
        after it, clipped to the horizon.
    option_windows
        ``(options + 1,)``: offsets of each option's windows.
    window_option, window_rule, window_duration
        ``(windows,)``: the option of each window, the index of its break rule
        in the template's ``breaks`` and the break's length in intervals.
    window_candidates
        ``(windows + 1,)``: offsets of each window's candidates.
    candidate_start, candidate_end
        ``(candidates,)``: the intervals a break at that start would take,
        clipped to the horizon.
    candidate_window
        ``(candidates,)``: the window of each candidate.
    """

    n_intervals: int
    option_start: np.ndarray
    option_end: np.ndarray
    option_windows: np.ndarray
    window_option: np.ndarray
    window_rule: np.ndarray
    window_duration: np.ndarray
    window_candidates: np.ndarray
    candidate_start: np.ndarray
    candidate_end: np.ndarray
    candidate_window: np.ndarray

    @property
    def n_options(self) -> int:
        """Number of shift options."""
        return len(self.option_start)

    @property
    def n_windows(self) -> int:
        """Number of break windows (option, break rule)."""
        return len(self.window_option)

    def covered(self, option: int) -> range:
        """Horizon intervals an agent on ``option`` is on shift (breaks included)."""
        return range(int(self.option_start[option]), int(self.option_end[option]))

    def windows(self, option: int) -> range:
        """Indices of the break windows of ``option``, in rule order."""
        return range(int(self.option_windows[option]), int(self.option_windows[option + 1]))

    def candidates(self, window: int) -> range:
        """Indices of the candidate starts of ``window``, in start order."""
        return range(int(self.window_candidates[window]), int(self.window_candidates[window + 1]))

    def candidate_span(self, candidate: int) -> range:
        """Horizon intervals a break at ``candidate`` takes."""
        return range(int(self.candidate_start[candidate]), int(self.candidate_end[candidate]))

    def on_phone(self, options: Sequence[int], candidates: Sequence[int] = ()) -> np.ndarray:
        """Per horizon interval, how many of ``options`` are on shift and not on break.

        ``candidates`` are the break candidates taken (one per window of the
        options, or fewer: a break left out counts as worked).
        """
        n = self.n_intervals
        step = np.zeros(n + 1, dtype=float)
        np.add.at(step, self.option_start[list(options)], 1.0)
        np.add.at(step, self.option_end[list(options)], -1.0)
        np.add.at(step, self.candidate_start[list(candidates)], -1.0)
        np.add.at(step, self.candidate_end[list(candidates)], 1.0)
        out: np.ndarray = np.cumsum(step)[:n]
        return out


def coverage_rows(problem: RosterProblem, options: Sequence[ShiftOption]) -> CoverageRows:
    """Lay out the covered intervals and break windows of ``options`` (see the module).

    Parameters
    ----------
    problem
        The roster problem (for the horizon and the break lengths).
    options
        Shift options of ``problem``, usually
        :func:`wfm.roster.shifts.shift_options`.

    Returns
    -------
    CoverageRows
    """
    n = problem.n_intervals
    im = problem.interval_minutes
    durations = [[b.duration_minutes // im for b in t.breaks] for t in problem.templates]
    option_windows = [0]
    window_option: list[int] = []
    window_rule: list[int] = []
    window_duration: list[int] = []
    window_candidates = [0]
    starts: list[int] = []
    ends: list[int] = []
    for index, option in enumerate(options):
        for k, window in enumerate(option.break_starts):
            duration = durations[option.template][k]
            window_option.append(index)
            window_rule.append(k)
            window_duration.append(duration)
            starts.extend(min(p, n) for p in window)
            ends.extend(min(p + duration, n) for p in window)
            window_candidates.append(len(starts))
        option_windows.append(len(window_option))
    n_windows = len(window_option)

    def ints(values: Sequence[int]) -> np.ndarray:
        return np.asarray(values, dtype=np.int64)

    return CoverageRows(
        n_intervals=n,
        option_start=ints([min(o.start, n) for o in options]),
        option_end=ints([min(o.end, n) for o in options]),
        option_windows=ints(option_windows),
        window_option=ints(window_option),
        window_rule=ints(window_rule),
        window_duration=ints(window_duration),
        window_candidates=ints(window_candidates),
        candidate_start=ints(starts),
        candidate_end=ints(ends),
        candidate_window=np.repeat(
            np.arange(n_windows, dtype=np.int64), np.diff(ints(window_candidates))
        ),
    )


def add_cover_terms(
    solver: Any,
    rows: CoverageRows,
    counts: Mapping[int, Sequence[Any]],
    cover: Mapping[int, Any],
    *,
    new_break_count: Callable[[], Any],
    skip_free_windows: bool = True,
) -> None:
    """Write shift options into the coverage rows of a linear programme.

    For each option ``o`` of ``counts`` (in its order), the agents on it,
    ``sum(counts[o])``, count ``+1`` in every row of an interval ``o``
    covers; for each break window, a new constraint ``sum(counts[o]) =
    sum_p z_p`` shares them among new break counts ``z_p`` (one per
    candidate start), each counting ``-1`` in the rows of the intervals its
    break takes. Only intervals with a row in ``cover`` are written.

    Parameters
    ----------
    solver
        The linear solver (``pywraplp.Solver``: ``Constraint(lower, upper)``).
    rows
        The coverage rows of the options.
    counts
        Option index -> the variables counting agents on it (one, or one per
        class of agents).
    cover
        Interval -> its coverage constraint.
    new_break_count
        Returns a new variable ``>= 0`` for a break count.
    skip_free_windows
        Leave out a window as soon as one of its candidates takes no
        interval with a row (placing the break there costs no coverage), and
        the whole option's breaks when it covers no row. Bounds use this;
        with ``False`` every window is written.
    """
    for option, ys in counts.items():
        covered = [t for t in rows.covered(option) if t in cover]
        if not covered and skip_free_windows:
            continue
        for t in covered:
            for y in ys:
                cover[t].SetCoefficient(y, 1.0)
        for w in rows.windows(option):
            spans = []
            for c in rows.candidates(w):
                hit = [t for t in rows.candidate_span(c) if t in cover]
                if not hit and skip_free_windows:
                    break
                spans.append(hit)
            else:
                link = solver.Constraint(0.0, 0.0)
                for y in ys:
                    link.SetCoefficient(y, 1.0)
                for hit in spans:
                    z = new_break_count()
                    link.SetCoefficient(z, -1.0)
                    for t in hit:
                        cover[t].SetCoefficient(z, -1.0)
