"""SolverOptions, the one status of rosters and bounds, and shift options once per problem."""

from __future__ import annotations

import dataclasses
import doctest
import json
import os

import pytest
from roster_helpers import tiny_problem

import wfm
import wfm.roster.options
from wfm.errors import ValidationError
from wfm.roster.bounds.lp import lower_bound
from wfm.roster.options import SolverOptions
from wfm.roster.result import RosterStatus
from wfm.roster.shifts import shift_options
from wfm.status import SolveStatus


def test_defaults_use_the_machine_cores() -> None:
    options = SolverOptions()
    assert options.workers == (os.cpu_count() or 1)
    assert options.time_limit_seconds == 60.0 and options.seed == 0
    assert options.max_deterministic_time is None and not options.deterministic
    assert SolverOptions(max_deterministic_time=5.0).deterministic


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_limit_seconds": 0}, "time_limit_seconds"),
        ({"time_limit_seconds": float("inf")}, "time_limit_seconds"),
        ({"time_limit_seconds": True}, "time_limit_seconds"),
        ({"workers": 0}, "workers"),
        ({"workers": 1.5}, "workers"),
        ({"seed": -1}, "seed"),
        ({"max_deterministic_time": 0.0}, "max_deterministic_time"),
        ({"log_progress": "yes"}, "log_progress"),
    ],
)
def test_bad_values_are_named(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        SolverOptions(**changes)  # type: ignore[arg-type]
    assert info.value.field == field
    # replacing a field validates again
    with pytest.raises(ValidationError):
        dataclasses.replace(SolverOptions(), **changes)


def test_options_are_frozen_and_keyword_only() -> None:
    options = SolverOptions(workers=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.workers = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        SolverOptions(10.0)  # type: ignore[misc]


def test_solve_takes_only_solver_options() -> None:
    with pytest.raises(ValidationError, match="options"):
        wfm.solve(tiny_problem(), {"workers": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        wfm.solve(tiny_problem(), time_limit_seconds=5.0)  # type: ignore[call-arg]


def test_one_status_for_rosters_and_bounds() -> None:
    assert RosterStatus is SolveStatus is wfm.RosterStatus is wfm.SolveStatus
    problem = tiny_problem()
    result = wfm.solve(problem, SolverOptions(time_limit_seconds=5.0, workers=1))
    assert isinstance(result.status, SolveStatus)
    assert isinstance(result.summary.status, SolveStatus)
    assert result.summary.status == result.status.value  # a str
    assert json.loads(json.dumps(result.summary.to_dict()))["status"] == result.status.value
    assert result.lower_bound is not None
    assert isinstance(result.lower_bound.status, SolveStatus)
    assert result.lower_bound.to_dict()["status"] == "OPTIMAL"


def test_shift_options_are_expanded_once_per_problem() -> None:
    problem = tiny_problem()
    first = shift_options(problem)
    assert shift_options(problem) is first
    other = dataclasses.replace(problem)
    assert shift_options(other) is not first
    assert shift_options(other) == first
    # a bound on its own reads the same options
    assert lower_bound(problem).status == SolveStatus.OPTIMAL
    assert shift_options(problem) is first


def test_doctest() -> None:
    assert doctest.testmod(wfm.roster.options).failed == 0
