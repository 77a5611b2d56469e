"""The coverage rows of shift options: arrays against a direct reading of the options."""

from __future__ import annotations

import doctest

import numpy as np

import wfm.roster.coverage
from wfm.datasets.instances import make_problem, parse_instance_name
from wfm.roster.coverage import add_cover_terms, coverage_rows
from wfm.roster.shifts import shift_options


def _problem():  # type: ignore[no-untyped-def]
    return make_problem(parse_instance_name("a25-i30-flex-brk-mixed-s0"))


def test_rows_match_the_options() -> None:
    problem = _problem()
    options = shift_options(problem)
    rows = coverage_rows(problem, options)
    n = problem.n_intervals
    durations = [
        [b.duration_minutes // problem.interval_minutes for b in t.breaks]
        for t in problem.templates
    ]
    assert rows.n_options == len(options)
    assert rows.n_windows == sum(len(o.break_starts) for o in options)
    for index, option in enumerate(options):
        assert list(rows.covered(index)) == list(range(option.start, min(option.end, n)))
        windows = list(rows.windows(index))
        assert len(windows) == len(option.break_starts)
        for k, (w, starts) in enumerate(zip(windows, option.break_starts, strict=True)):
            assert rows.window_option[w] == index
            assert rows.window_rule[w] == k
            duration = durations[option.template][k]
            assert rows.window_duration[w] == duration
            spans = [list(rows.candidate_span(c)) for c in rows.candidates(w)]
            assert spans == [list(range(p, min(p + duration, n))) for p in starts]
            assert all(rows.candidate_window[c] == w for c in rows.candidates(w))


def test_on_phone_counts_shifts_minus_breaks() -> None:
    problem = _problem()
    options = shift_options(problem)
    rows = coverage_rows(problem, options)
    week = [o for o in range(len(options)) if rows.windows(o)][:3]
    taken = [rows.candidates(w)[-1] for o in week for w in rows.windows(o)]
    expected = np.zeros(problem.n_intervals)
    for o in week:
        expected[list(rows.covered(o))] += 1
    for c in taken:
        expected[list(rows.candidate_span(c))] -= 1
    np.testing.assert_array_equal(rows.on_phone(week, taken), expected)
    np.testing.assert_array_equal(rows.on_phone([]), np.zeros(problem.n_intervals))


class _Row:
    def __init__(self) -> None:
        self.coefficients: dict[object, float] = {}

    def SetCoefficient(self, var: object, value: float) -> None:
        self.coefficients[var] = value


def test_add_cover_terms_writes_shift_and_breaks() -> None:
    problem = _problem()
    options = shift_options(problem)
    rows = coverage_rows(problem, options)
    o = next(o for o in range(len(options)) if len(rows.windows(o)) == 3)
    cover = {t: _Row() for t in range(problem.n_intervals)}
    breaks: list[str] = []

    class _Solver:
        def __init__(self) -> None:
            self.links: list[_Row] = []

        def Constraint(self, lower: float, upper: float) -> _Row:
            assert lower == upper == 0.0
            self.links.append(_Row())
            return self.links[-1]

    def new_break_count() -> str:
        breaks.append(f"z{len(breaks)}")
        return breaks[-1]

    solver = _Solver()
    add_cover_terms(solver, rows, {o: ["y"]}, cover, new_break_count=new_break_count)
    assert len(solver.links) == 3
    assert len(breaks) == sum(len(rows.candidates(w)) for w in rows.windows(o))
    for t in rows.covered(o):
        assert cover[t].coefficients["y"] == 1.0
    first = rows.candidates(rows.windows(o)[0])[0]
    for t in rows.candidate_span(first):
        assert cover[t].coefficients["z0"] == -1.0
    # without rows where the breaks could go, the breaks are free and left out
    only_first = {t: _Row() for t in rows.covered(o)[:1]}
    solver = _Solver()
    add_cover_terms(solver, rows, {o: ["y"]}, only_first, new_break_count=new_break_count)
    assert solver.links == []
    # unless every window is wanted
    add_cover_terms(
        solver,
        rows,
        {o: ["y"]},
        only_first,
        new_break_count=new_break_count,
        skip_free_windows=False,
    )
    assert len(solver.links) == 3


def test_doctest() -> None:
    assert doctest.testmod(wfm.roster.coverage).failed == 0
