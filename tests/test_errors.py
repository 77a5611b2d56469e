"""The error hierarchy and how errors show the value they received."""

from __future__ import annotations

import numpy as np
import pytest

from wfm import erlang
from wfm.errors import DataError, ScenarioError, SolverError, ValidationError, WFMError


def test_every_error_is_a_wfm_error_and_validation_is_a_value_error() -> None:
    for cls in (ValidationError, DataError, ScenarioError, SolverError):
        assert issubclass(cls, WFMError)
    assert issubclass(ValidationError, ValueError)


def test_message_names_field_value_and_expectation() -> None:
    err = ValidationError("aht_seconds", -3, "a number > 0")
    assert str(err) == "aht_seconds: got -3, expected a number > 0"
    assert (err.field, err.value, err.expected) == ("aht_seconds", -3, "a number > 0")


@pytest.mark.parametrize(
    ("value", "shown"),
    [(np.float64(-1.5), "-1.5"), (np.int64(-3), "-3"), (np.bool_(True), "True")],
)
def test_numpy_scalars_show_as_plain_numbers(value: object, shown: str) -> None:
    err = ValidationError("calls", value, "a number >= 0")
    assert str(err) == f"calls: got {shown}, expected a number >= 0"
    assert err.value is value  # the object itself is kept, only its display is plain


def test_long_values_are_shortened_in_the_message() -> None:
    err = ValidationError("agents", list(range(100)), "a short list")
    assert len(str(err)) < 150
    assert str(err).startswith("agents: got [0, 1, 2")


def test_library_error_on_a_numpy_scalar_reads_plainly() -> None:
    with pytest.raises(ValidationError) as info:
        erlang.traffic_erlangs(np.float64(-2.0), aht_seconds=180.0, interval_minutes=30)
    assert "np.float64" not in str(info.value)
