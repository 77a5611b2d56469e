"""Tests of wfm.service: the ServicePolicy and its scheduled <-> on-the-phone conversion."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from wfm.errors import ValidationError
from wfm.service import ServicePolicy

# --------------------------------------------------------------------------- construction


def test_parse_forms() -> None:
    assert ServicePolicy.parse("0.8/20") == ServicePolicy(level=0.8, answer_within_seconds=20)
    assert ServicePolicy.parse("80%/20") == ServicePolicy(level=0.8, answer_within_seconds=20)
    assert ServicePolicy.parse(" 0.9 / 15s ") == ServicePolicy(level=0.9, answer_within_seconds=15)
    assert ServicePolicy.parse("0.8/20", shrinkage=0.3, model="erlang_a", patience_seconds=60) == (
        ServicePolicy(shrinkage=0.3, model="erlang_a", patience_seconds=60)
    )
    assert ServicePolicy().to_dict() == {
        "level": 0.8,
        "answer_within_seconds": 20.0,
        "max_asa_seconds": None,
        "max_abandon_rate": None,
        "model": "erlang_c",
        "patience_seconds": None,
        "shrinkage": 0.0,
        "max_occupancy": None,
    }


@pytest.mark.parametrize("text", ["0.8", "1.5/20", "0/20", "abc/20", "0.8/-3", "", "0.8/20/3"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValidationError):
        ServicePolicy.parse(text)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"level": 1.2}, "level"),
        ({"level": float("nan")}, "level"),
        ({"level": 0.8, "answer_within_seconds": None}, "answer_within_seconds"),
        ({"answer_within_seconds": -1.0}, "answer_within_seconds"),
        ({"max_asa_seconds": 0.0}, "max_asa_seconds"),
        ({"max_abandon_rate": 1.5}, "max_abandon_rate"),
        ({"level": None, "answer_within_seconds": None}, "target"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"shrinkage": -0.1}, "shrinkage"),
        ({"shrinkage": True}, "shrinkage"),
        ({"max_occupancy": 0.0}, "max_occupancy"),
        ({"model": "erlang_x"}, "model"),
        ({"model": "erlang_a"}, "patience_seconds"),
        ({"model": "erlang_a", "patience_seconds": 0.0}, "patience_seconds"),
        ({"model": "erlang_c", "patience_seconds": 60.0}, "patience_seconds"),
        ({"max_abandon_rate": 0.1}, "max_abandon_rate"),
    ],
)
def test_validated_on_construction(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        ServicePolicy(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_one_wording_per_rule() -> None:
    with pytest.raises(
        ValidationError, match=r"shrinkage: got 1\.0, expected a fraction in \[0, 1\)"
    ):
        ServicePolicy(shrinkage=1.0)
    with pytest.raises(ValidationError, match="a number of seconds > 0 for model erlang_a"):
        ServicePolicy(model="erlang_a")
    with pytest.raises(ValidationError, match="one of erlang_c, erlang_a"):
        ServicePolicy(model="erlang_x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"e\.g\. 0\.8 for 80%"):
        ServicePolicy(level=80)


def test_is_frozen_and_numbers_become_floats() -> None:
    policy = ServicePolicy(level=0.9, answer_within_seconds=15, shrinkage=0)
    assert isinstance(policy.answer_within_seconds, float) and isinstance(policy.shrinkage, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.level = 0.5  # type: ignore[misc]
    with pytest.raises(ValidationError, match="shrinkage"):
        dataclasses.replace(policy, shrinkage=2.0)


def test_dict_round_trip_through_json() -> None:
    policy = ServicePolicy(
        level=None,
        answer_within_seconds=None,
        max_abandon_rate=0.05,
        max_asa_seconds=30,
        model="erlang_a",
        patience_seconds=120,
        shrinkage=0.25,
        max_occupancy=0.9,
    )
    assert ServicePolicy.from_dict(json.loads(json.dumps(policy.to_dict()))) == policy
    assert ServicePolicy.from_dict({"shrinkage": 0.1}) == ServicePolicy(shrinkage=0.1)
    with pytest.raises(ValidationError) as info:
        ServicePolicy.from_dict({"target": 0.8})
    assert info.value.field == "service" and info.value.value == ["target"]


# --------------------------------------------------------------------------- conversion


def test_on_phone_and_its_inverses() -> None:
    policy = ServicePolicy(shrinkage=0.3)
    assert policy.scheduled_for(14) == 20  # 14 / 0.7 = 20 exactly, not 21
    assert policy.scheduled_for(14.5) == 21
    assert policy.scheduled_for_fractional(14.0) == pytest.approx(20.0)
    assert policy.on_phone(20) == pytest.approx(14.0)
    assert isinstance(policy.scheduled_for(14), int)
    assert isinstance(policy.on_phone(20), float)
    whole = np.array([0, 1, 7, 14, 100])
    scheduled = policy.scheduled_for(whole)
    assert scheduled.dtype == np.int64
    assert np.all(policy.on_phone(scheduled) >= whole - 1e-9)
    assert np.all(policy.on_phone(scheduled - 1) < whole)
    np.testing.assert_allclose(policy.on_phone(policy.scheduled_for_fractional(whole)), whole)


def test_no_shrinkage_is_the_identity() -> None:
    policy = ServicePolicy()
    values = np.array([0.0, 2.5, 13.0])
    np.testing.assert_array_equal(policy.on_phone(values), values)
    np.testing.assert_array_equal(policy.scheduled_for_fractional(values), values)
    assert policy.scheduled_for(values).tolist() == [0, 3, 13]


def test_model_defaults_to_erlang_a_exactly_when_a_patience_is_known():
    assert ServicePolicy().model == "erlang_c"
    policy = ServicePolicy(patience_seconds=90)
    assert (policy.model, policy.patience_seconds) == ("erlang_a", 90.0)
    assert ServicePolicy.from_dict(policy.to_dict()) == policy
