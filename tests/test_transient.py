"""The transient queue of wfm.transient against independent truth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import wfm
from wfm import erlang
from wfm.errors import DataError, ValidationError
from wfm.service import ServicePolicy
from wfm.simulate import AgentSchedule, SimulationOptions, SimulationProblem, run_simulation
from wfm.staffing import requirements
from wfm.transient import transient_service


def test_long_constant_intervals_converge_to_erlang_c():
    out = transient_service(
        [300.0] * 10,
        aht_seconds=240,
        agents_on_phone=85,
        interval_minutes=15,
        answer_within_seconds=20,
    )
    m = erlang.erlang_c_metrics(80.0, 85, aht_seconds=240, answer_within_seconds=20)
    # starts empty: the first interval is better than steady state, the last is at it
    assert out.service_level[0] > m.service_level + 0.1
    assert out.service_level[-1] == pytest.approx(m.service_level, abs=5e-3)
    assert out.asa_seconds[-1] == pytest.approx(m.asa_seconds, rel=0.03)
    assert out.occupancy[-1] == pytest.approx(m.occupancy, abs=2e-3)


def test_long_constant_intervals_converge_to_erlang_a_with_fractional_agents():
    out = transient_service(
        [300.0] * 12,
        aht_seconds=240,
        agents_on_phone=78.4,
        interval_minutes=15,
        answer_within_seconds=20,
        patience_seconds=120,
    )
    m = erlang.erlang_a_metrics(
        80.0, 78.4, aht_seconds=240, patience_seconds=120, answer_within_seconds=20
    )
    assert out.service_level[-1] == pytest.approx(m.service_level, abs=3e-3)
    assert out.asa_seconds[-1] == pytest.approx(m.asa_seconds, rel=0.02)
    assert out.abandon_probability[-1] == pytest.approx(m.abandon_probability, abs=2e-3)
    assert out.occupancy[-1] == pytest.approx(m.occupancy, abs=2e-3)


def _brute_force(calls, agents, aht, minutes, within, states=60, steps=3000):
    """Forward equations by small explicit Euler steps on a dense generator; SL by formula."""
    p = np.zeros(states)
    p[0] = 1.0
    n = np.arange(states)
    out = []
    for c, s in zip(calls, agents, strict=True):
        lam, mu = c / (60 * minutes), 1 / aht
        q = np.zeros((states, states))
        for i in range(states):
            if i + 1 < states:
                q[i, i + 1] = lam
            if i > 0:
                q[i, i - 1] = mu * min(i, s)
            q[i, i] = -q[i].sum()
        h = 60 * minutes / steps
        avg = np.zeros(states)
        for _ in range(steps):
            nxt = p + h * (p @ q)
            avg += 0.5 * h * (p + nxt)
            p = nxt
        avg /= 60 * minutes
        # a call finding i >= s waits for i - s + 1 departures at rate s*mu
        sl = 0.0
        for i in n:
            k = i - s + 1
            if k <= 0:
                sl += avg[i]
            else:
                x = s * mu * within
                tail = 1 - sum(math.exp(-x) * x**j / math.factorial(j) for j in range(k))
                sl += avg[i] * tail
        out.append(sl)
    return np.array(out)


def test_tiny_time_varying_chain_matches_brute_force():
    calls, agents = [20.0, 40.0, 10.0], [2, 1, 3]
    out = transient_service(
        calls, aht_seconds=60, agents_on_phone=agents, interval_minutes=15, answer_within_seconds=30
    )
    truth = _brute_force(calls, agents, 60, 15, 30)
    assert np.allclose(out.service_level, truth, atol=2e-3)


def test_backlog_of_an_understaffed_interval_sinks_the_next_one():
    calls = [150.0, 150.0, 150.0]
    out = transient_service(
        calls,
        aht_seconds=180,
        agents_on_phone=[34, 26, 34],
        interval_minutes=15,
        answer_within_seconds=20,
    )
    stationary = erlang.erlang_c_metrics(30.0, 34, aht_seconds=180, answer_within_seconds=20)
    assert out.waiting_at_end[1] > 10  # 26 agents for 30 erlangs: a queue builds
    assert out.service_level[2] < stationary.service_level - 0.2


@pytest.mark.slow
def test_matches_the_simulation_on_a_small_time_varying_day():
    starts = pd.date_range("2027-01-04 09:00", periods=6, freq="15min")
    calls = np.array([40.0, 80.0, 80.0, 60.0, 80.0, 40.0])
    agents = np.array([6, 8, 10, 5, 10, 6])  # a dip in the fourth interval
    demand = pd.DataFrame({"interval_start": starts, "calls": calls, "aht_seconds": 120.0})
    schedule = AgentSchedule.from_staffing(
        pd.DataFrame({"interval_start": starts, "agents": agents}), column="agents"
    )
    sim = run_simulation(
        SimulationProblem(demand=demand, schedule=schedule),
        SimulationOptions(replications=100, seed=1),
        answer_within_seconds=20,
        target_level=None,
    )
    simulated = sim.intervals["service_level_pooled"].to_numpy(dtype=float)
    out = transient_service(
        calls,
        aht_seconds=120,
        agents_on_phone=agents,
        interval_minutes=15,
        answer_within_seconds=20,
    )
    offered = sim.intervals["offered"].to_numpy(dtype=float) * 100
    half_width = 1.96 * np.sqrt(simulated * (1 - simulated) / offered) + 0.02
    assert np.all(np.abs(out.service_level - simulated) <= half_width + 0.03)
    stationary = erlang.erlang_c_metrics(
        calls * 120 / 900, agents, aht_seconds=120, answer_within_seconds=20
    ).service_level
    # the interval after the dip: the transient figure is the closer one
    assert abs(out.service_level[4] - simulated[4]) < abs(stationary[4] - simulated[4])


def test_closed_intervals_reset_and_are_nan():
    out = transient_service(
        [50.0, 0.0, 50.0],
        aht_seconds=[180, np.nan, 180],
        agents_on_phone=[5, 0, 12],
        interval_minutes=15,
        answer_within_seconds=20,
    )
    assert math.isnan(out.service_level[1])
    alone = transient_service(
        [50.0], aht_seconds=180, agents_on_phone=12, interval_minutes=15, answer_within_seconds=20
    )
    assert out.service_level[2] == pytest.approx(alone.service_level[0])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"calls": [-1.0]}, "calls[0]"),
        ({"agents_on_phone": [1.0, 2.0]}, "agents_on_phone"),
        ({"patience_seconds": 0.0}, "patience_seconds[0]"),
        ({"interval_minutes": 0}, "interval_minutes"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    args = {
        "calls": [10.0],
        "aht_seconds": 180,
        "agents_on_phone": 3,
        "interval_minutes": 15,
        "answer_within_seconds": 20,
    }
    args.update(kwargs)
    with pytest.raises(ValidationError) as info:
        transient_service(**args)
    assert info.value.field == field


def _forecast(**extra):
    return pd.DataFrame(
        {
            "interval_start": pd.date_range("2024-01-01 09:00", periods=3, freq="30min"),
            "calls": [100.0, 200.0, 0.0],
            **extra,
        }
    )


def test_requirements_take_a_patience_per_interval():
    policy = ServicePolicy(patience_seconds=120)
    assert policy.model == "erlang_a"
    scalar = requirements(_forecast(), policy=policy, aht_seconds=180)
    same = requirements(
        _forecast(patience_seconds=[120.0, 120.0, np.nan]), policy=policy, aht_seconds=180
    )
    assert same["required_on_phone"].tolist() == scalar["required_on_phone"].tolist()
    varied = requirements(
        _forecast(patience_seconds=[120.0, 30.0, np.nan]), policy=policy, aht_seconds=180
    )
    expected = erlang.erlang_a_requirement(
        200 * 180 / 1800,
        aht_seconds=180,
        patience_seconds=30,
        target=0.8,
        answer_within_seconds=20,
    )
    assert varied["required_on_phone"].iloc[1] == expected.agents
    assert varied["abandon_probability"].iloc[1] != scalar["abandon_probability"].iloc[1]


@pytest.mark.parametrize("bad", [-5.0, np.inf, np.nan])
def test_requirements_reject_a_bad_patience(bad):
    with pytest.raises(DataError, match=r"patience_seconds\[row 1\]"):
        requirements(
            _forecast(patience_seconds=[120.0, bad, np.nan]),
            policy=ServicePolicy(patience_seconds=120),
            aht_seconds=180,
        )
    with pytest.raises(ValidationError, match="erlang_c"):
        requirements(
            _forecast(patience_seconds=[120.0, 120.0, np.nan]),
            policy=ServicePolicy(),
            aht_seconds=180,
        )


def test_scenario_patience_from_an_actuals_summary_makes_erlang_a(tmp_path):
    import json

    import yaml

    example = wfm.__file__.rsplit("/wfm/", 1)[0] + "/examples/contact_center"
    doc = yaml.safe_load(open(f"{example}/scenario.yaml", encoding="utf-8"))
    doc["demand"]["history"]["path"] = f"{example}/history.csv"
    doc["agents"]["csv"] = f"{example}/agents.csv"
    doc["service"].pop("model")
    doc["service"]["patience_from"] = "actuals/summary.json"
    (tmp_path / "actuals").mkdir()
    (tmp_path / "actuals" / "summary.json").write_text(
        json.dumps({"patience": {"patience_seconds": 95.5}})
    )
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(doc))
    service = wfm.load_scenario(tmp_path / "s.yaml").service
    assert service is not None
    assert (service.model, service.patience_seconds) == ("erlang_a", 95.5)
    doc["service"]["model"] = "erlang_c"
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(wfm.errors.ScenarioError, match=r"service\.patience_from"):
        wfm.load_scenario(tmp_path / "s.yaml")


def test_a_backlog_beyond_the_state_cap_is_refused_not_solved_for_minutes() -> None:
    # no agents for 16 hours of 400 calls an interval: the queue grows past any cap
    from wfm.transient import MAX_STATES, StateSpaceTooLarge

    n = 64
    with pytest.raises(StateSpaceTooLarge, match=str(MAX_STATES)):
        transient_service(
            np.full(n, 400.0),
            aht_seconds=300.0,
            agents_on_phone=np.zeros(n),
            interval_minutes=15,
            answer_within_seconds=20.0,
        )
