"""Multi-skill staffing by skill group (wfm.pooling): two-queue instances with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm import staffing
from wfm.channels import queue_requirements
from wfm.errors import ValidationError
from wfm.pooling import ALL_SUBSETS_UP_TO, pooled_requirement, pooled_requirements, queue_subsets
from wfm.queues import Channel, Queue, QueueSet
from wfm.service import ServicePolicy

SHRINKAGE = 0.25
POLICY = ServicePolicy.parse("0.8/20", shrinkage=SHRINKAGE)
STARTS = pd.date_range("2024-01-01 08:00", periods=6, freq="30min")
CALLS_A = np.array([20.0, 60.0, 150.0, 240.0, 90.0, 0.0])
CALLS_B = np.array([35.0, 30.0, 80.0, 100.0, 140.0, 0.0])


def _forecast(calls: np.ndarray, aht: float) -> pd.DataFrame:
    return pd.DataFrame({"interval_start": STARTS, "calls": calls, "aht_seconds": aht})


def _two_voice(
    policy_a: ServicePolicy = POLICY, policy_b: ServicePolicy = POLICY, aht_b: float = 300.0
) -> tuple[QueueSet, pd.DataFrame]:
    centre = QueueSet(
        queues=(Queue(name="a", service=policy_a), Queue(name="b", service=policy_b)),
        shrinkage=SHRINKAGE,
    )
    demand = pd.concat(
        [
            _forecast(CALLS_A, 200.0).assign(queue="a"),
            _forecast(CALLS_B, aht_b).assign(queue="b"),
        ],
        ignore_index=True,
    )
    return centre, queue_requirements(demand, centre)


def _single(calls: np.ndarray, aht: float, policy: ServicePolicy = POLICY) -> np.ndarray:
    """Fractional requirement on the phone of one queue, by the single-queue staffing."""
    table = staffing.requirements(_forecast(calls, aht), policy=policy)
    return table["required_on_phone_fractional"].to_numpy()


def _merged(policy: ServicePolicy = POLICY, aht_b: float = 300.0) -> np.ndarray:
    """The merged queue of a and b: summed calls, the mean handle time per call."""
    calls = CALLS_A + CALLS_B
    aht = np.where(calls > 0, (CALLS_A * 200.0 + CALLS_B * aht_b) / np.maximum(calls, 1), 1.0)
    merged = pd.DataFrame({"interval_start": STARTS, "calls": calls, "aht_seconds": aht})
    return staffing.requirements(merged, policy=policy)["required_on_phone_fractional"].to_numpy()


def _agents(result: pd.DataFrame, group: str) -> np.ndarray:
    return result.loc[result["group"] == group, "required_on_phone"].to_numpy()


def test_specialists_only_is_the_sum_of_singles() -> None:
    centre, table = _two_voice()
    result = pooled_requirements(table, centre, [("a",), ("b",)])
    a, b = _single(CALLS_A, 200.0), _single(CALLS_B, 300.0)
    np.testing.assert_allclose(_agents(result.groups, "a"), a, atol=1e-7)
    np.testing.assert_allclose(_agents(result.groups, "b"), b, atol=1e-7)
    assert result.summary.pooling_gain_scheduled_agent_hours == pytest.approx(0.0, abs=1e-6)
    assert result.summary.separate_on_phone_agent_hours == pytest.approx((a + b).sum() / 2)


def test_full_cross_training_is_erlang_of_the_merged_queue() -> None:
    centre, table = _two_voice()
    result = pooled_requirements(table, centre, [("a", "b")])
    pooled = _merged()
    np.testing.assert_allclose(_agents(result.groups, "a+b"), pooled, atol=1e-7)
    separate = _single(CALLS_A, 200.0) + _single(CALLS_B, 300.0)
    s = result.summary
    assert s.pooled_on_phone_agent_hours == pytest.approx(pooled.sum() / 2)
    assert s.pooling_gain_scheduled_agent_hours == pytest.approx(
        (separate - pooled).sum() / 2 / (1 - SHRINKAGE)
    )
    assert s.pooling_gain_percent > 0
    np.testing.assert_allclose(
        result.groups["required_scheduled_fractional"],
        result.groups["required_on_phone"] / (1 - SHRINKAGE),
    )


def test_two_identical_queues_pooled_are_one_queue_of_twice_the_calls() -> None:
    # the exact identity: two identical Poisson streams merged are one Erlang C queue
    # of the summed rate; the pooled requirement is that queue's, and the saving is
    # the economies of scale of Erlang C (it grows with the load in agents, shrinks in %)
    centre = QueueSet(
        queues=(Queue(name="a", service=POLICY), Queue(name="b", service=POLICY)),
        shrinkage=SHRINKAGE,
    )
    calls = np.array([10.0, 40.0, 160.0, 640.0, 2560.0, 0.0])
    demand = pd.concat(
        [_forecast(calls, 240.0).assign(queue=q) for q in ("a", "b")], ignore_index=True
    )
    table = queue_requirements(demand, centre)
    result = pooled_requirements(table, centre, [("a", "b")])
    one = _single(calls, 240.0)
    twice = _single(2 * calls, 240.0)
    np.testing.assert_allclose(_agents(result.groups, "a+b"), twice, atol=1e-7)
    saving = 2 * one - twice
    open_ = calls > 0
    assert (saving[open_] > 0).all()
    assert (np.diff(saving[open_] / (2 * one[open_])) < 0).all()  # relative gain falls


def test_a_generalist_group_covers_the_specialists_gaps() -> None:
    # Hand LP: x_a + x_ab >= a, x_b + x_ab >= b, x_a + x_b + x_ab >= p, with p < a + b.
    # At cost 1.1 per generalist the optimum is x_ab = a + b - p generalists (the
    # pooling gain, when it is below min(a, b)), x_a = p - b, x_b = p - a: p agents.
    centre, table = _two_voice()
    result = pooled_requirements(table, centre, [("a",), ("b",), ("a", "b")], costs=[1, 1, 1.1])
    a, b, p = _single(CALLS_A, 200.0), _single(CALLS_B, 300.0), _merged()
    open_ = CALLS_A + CALLS_B > 0
    assert ((a + b - p)[open_] < np.minimum(a, b)[open_]).all()  # the case computed by hand
    np.testing.assert_allclose(_agents(result.groups, "a+b"), a + b - p, atol=1e-6)
    np.testing.assert_allclose(_agents(result.groups, "a"), p - b, atol=1e-6)
    np.testing.assert_allclose(_agents(result.groups, "b"), p - a, atol=1e-6)
    np.testing.assert_allclose(result.by_interval["pooled_on_phone"], p, atol=1e-6)


def test_generalists_dearer_than_the_gain_are_not_used() -> None:
    # a generalist replaces at most one specialist of each queue (cost 2): at cost 2.5
    # the specialists alone are cheapest
    centre, table = _two_voice()
    result = pooled_requirements(table, centre, [("a",), ("b",), ("a", "b")], costs=[1, 1, 2.5])
    np.testing.assert_allclose(_agents(result.groups, "a+b"), 0.0, atol=1e-7)
    assert result.summary.pooling_gain_scheduled_agent_hours == pytest.approx(0.0, abs=1e-6)


def test_each_agent_is_counted_once_per_interval() -> None:
    centre, table = _two_voice()
    design = [("a",), ("b",), ("a", "b")]
    result = pooled_requirements(table, centre, design, max_shares=[None, None, 0.2])
    groups = result.groups
    assert len(groups) == len(STARTS) * len(design)
    assert not groups.duplicated(["interval_start", "group"]).any()
    totals = groups.groupby("interval_start")["required_on_phone"].sum().to_numpy()
    np.testing.assert_allclose(totals, result.by_interval["pooled_on_phone"])
    a, b, p = _single(CALLS_A, 200.0), _single(CALLS_B, 300.0), _merged()
    # every agent once: the group totals lie between the pooled queue and the singles
    assert (totals >= p - 1e-6).all() and (totals <= a + b + 1e-6).all()
    # each constraint holds in the answer, and the cap on the generalists too
    ab = _agents(groups, "a+b")
    assert (ab <= 0.2 * totals + 1e-6).all()
    assert (_agents(groups, "a") + ab >= a - 1e-6).all()
    assert (_agents(groups, "b") + ab >= b - 1e-6).all()
    assert result.subsets == (("a",), ("b",), ("a", "b"))


def test_strictest_target_of_merged_voice_queues() -> None:
    strict = ServicePolicy.parse("0.9/10", shrinkage=SHRINKAGE)
    centre, table = _two_voice(policy_b=strict)
    merged = pooled_requirement(table, centre, ["a", "b"])
    np.testing.assert_allclose(merged, np.maximum(_merged(), _merged(strict)))
    assert (merged[:-1] > _merged()[:-1]).all()


def test_chat_agents_are_not_pooled_with_calls() -> None:
    chat = Queue(name="c", channel=Channel.CHAT, service=POLICY, max_sessions=3)
    centre = QueueSet(queues=(Queue(name="a", service=POLICY), chat), shrinkage=SHRINKAGE)
    demand = pd.concat(
        [
            _forecast(CALLS_A, 200.0).assign(queue="a"),
            _forecast(CALLS_B, 300.0).assign(queue="c"),
        ],
        ignore_index=True,
    )
    table = queue_requirements(demand, centre)
    result = pooled_requirements(table, centre, [("a", "c")])
    singles = table["required_scheduled_fractional"].to_numpy() * (1 - SHRINKAGE)
    per_interval = singles.reshape(-1, 2).sum(axis=1)
    np.testing.assert_allclose(_agents(result.groups, "a+c"), per_interval, atol=1e-7)


def test_email_queues_stay_out_of_the_programme() -> None:
    mail = Queue(name="m", channel=Channel.EMAIL, response_hours=4)
    centre = QueueSet(queues=(Queue(name="a", service=POLICY), mail), shrinkage=SHRINKAGE)
    demand = pd.concat(
        [
            _forecast(CALLS_A, 200.0).assign(queue="a"),
            _forecast(CALLS_B, 300.0).assign(queue="m"),
        ],
        ignore_index=True,
    )
    result = pooled_requirements(queue_requirements(demand, centre), centre, [("a", "m"), ("m",)])
    np.testing.assert_allclose(_agents(result.groups, "a+m"), _single(CALLS_A, 200.0), atol=1e-7)
    np.testing.assert_allclose(_agents(result.groups, "m"), 0.0)


def test_subsets_beyond_six_queues() -> None:
    names = [f"q{i}" for i in range(ALL_SUBSETS_UP_TO + 1)]
    subsets = queue_subsets(names, [("q0", "q1"), ("q2",), ("q9",)])
    assert subsets == (*((q,) for q in names), ("q0", "q1"), tuple(names))
    assert len(queue_subsets(names[:-1], [])) == 2**ALL_SUBSETS_UP_TO - 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"groups": [("a", "z")]}, r"groups\[0\]: got 'z'"),
        ({"groups": [("a", "b"), ("b", "a")]}, r"groups\[1\]"),
        ({"groups": [("a",)]}, r"groups: .*a group serving 'b'"),
        ({"groups": [("a",), ("b",)], "costs": [1, 0]}, r"costs\[1\]: got 0"),
        ({"groups": [("a",), ("b",)], "max_shares": [None, 1.5]}, r"max_shares\[1\]"),
        ({"groups": [("a", "b")], "max_shares": [0.5]}, r"max_shares: .*feasible"),
    ],
)
def test_bad_designs_are_named(kwargs: dict[str, object], field: str) -> None:
    centre, table = _two_voice()
    with pytest.raises(ValidationError, match=field):
        pooled_requirements(table, centre, **kwargs)  # type: ignore[arg-type]
