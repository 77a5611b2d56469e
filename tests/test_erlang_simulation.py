"""Erlang C and Erlang A against a discrete-event simulation of the queue.

The formulas of :mod:`wfm.erlang` are checked against an independent,
seeded simulation of the M/M/n (Erlang C) and M/M/n+M (Erlang A) queues
served first come, first served. With FCFS, a caller's wait is the
*virtual waiting time*: the time until the earliest of the servers frees up
after every earlier caller who did not abandon has been placed. A caller
whose patience is shorter than that wait abandons and takes no server. The
simulation therefore needs only a heap of server release times.

Tolerances come from batch means: the estimate must lie within four batch
standard errors (plus a small absolute floor) of the formula.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pytest

from wfm import erlang

CALLS = 200_000
WARM_UP = 10_000
BATCHES = 20


@dataclass(frozen=True)
class Observed:
    waits: np.ndarray  # per caller after warm-up, up to answer or abandonment
    answered: np.ndarray  # bool per caller


def simulate(
    *, traffic: float, agents: int, aht_seconds: float, patience_seconds: float, seed: int
) -> Observed:
    rng = np.random.default_rng(seed)
    rate = traffic / aht_seconds  # calls per second
    arrivals = np.cumsum(rng.exponential(1.0 / rate, CALLS))
    services = rng.exponential(aht_seconds, CALLS)
    patience = (
        rng.exponential(patience_seconds, CALLS)
        if np.isfinite(patience_seconds)
        else np.full(CALLS, np.inf)
    )
    free_at = [0.0] * agents  # release time of every server (a heap)
    waits = np.empty(CALLS)
    answered = np.empty(CALLS, dtype=bool)
    for i in range(CALLS):
        arrival = arrivals[i]
        wait = max(free_at[0] - arrival, 0.0)
        if wait > patience[i]:
            waits[i] = patience[i]
            answered[i] = False
            continue
        waits[i] = wait
        answered[i] = True
        heapq.heapreplace(free_at, arrival + wait + services[i])
    return Observed(waits=waits[WARM_UP:], answered=answered[WARM_UP:])


def batch_mean(values: np.ndarray) -> tuple[float, float]:
    """Mean and its batch-means standard error."""
    means = np.array([b.mean() for b in np.array_split(values, BATCHES)])
    return float(values.mean()), float(means.std(ddof=1) / np.sqrt(BATCHES))


def assert_close(values: np.ndarray, expected: float, floor: float) -> None:
    mean, se = batch_mean(values)
    assert abs(mean - expected) <= 4 * se + floor, (mean, expected, se)


@pytest.mark.parametrize(
    ("traffic", "agents", "within"),
    [(10.0, 14, 20.0), (50.0, 55, 20.0), (8.0, 9, 30.0)],
)
def test_erlang_c_matches_simulation(traffic: float, agents: int, within: float) -> None:
    aht = 180.0
    sim = simulate(
        traffic=traffic, agents=agents, aht_seconds=aht, patience_seconds=np.inf, seed=agents
    )
    assert sim.answered.all()
    assert_close(sim.waits > 0, float(erlang.erlang_c(traffic, agents)), 0.003)
    assert_close(
        sim.waits <= within,
        float(erlang.service_level(traffic, agents, aht_seconds=aht, answer_within_seconds=within)),
        0.003,
    )
    asa = float(erlang.average_speed_of_answer(traffic, agents, aht_seconds=aht))
    assert_close(sim.waits, asa, 0.02 * asa + 0.1)


@pytest.mark.parametrize(
    ("traffic", "agents", "patience"),
    [
        (100.0, 100, 120.0),  # critically loaded
        (100.0, 92, 120.0),  # fewer agents than the load: stable only with abandonment
        (20.0, 22, 60.0),
    ],
)
def test_erlang_a_matches_simulation(traffic: float, agents: int, patience: float) -> None:
    aht, within = 300.0, 20.0
    sim = simulate(
        traffic=traffic, agents=agents, aht_seconds=aht, patience_seconds=patience, seed=agents
    )
    assert_close(
        sim.waits > 0,
        float(
            erlang.erlang_a_wait_probability(
                traffic, agents, aht_seconds=aht, patience_seconds=patience
            )
        ),
        0.003,
    )
    assert_close(
        ~sim.answered,
        float(
            erlang.erlang_a_abandon_probability(
                traffic, agents, aht_seconds=aht, patience_seconds=patience
            )
        ),
        0.003,
    )
    assert_close(
        sim.answered & (sim.waits <= within),
        float(
            erlang.erlang_a_service_level(
                traffic,
                agents,
                aht_seconds=aht,
                patience_seconds=patience,
                answer_within_seconds=within,
            )
        ),
        0.003,
    )
    asa = float(
        erlang.erlang_a_average_speed_of_answer(
            traffic, agents, aht_seconds=aht, patience_seconds=patience
        )
    )
    answered_waits = sim.waits[sim.answered]
    assert_close(answered_waits, asa, 0.02 * asa + 0.1)
