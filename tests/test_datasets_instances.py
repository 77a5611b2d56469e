"""Tests of the seeded benchmark instance families."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.datasets.instances import (
    FAMILIES,
    HORIZON_START,
    InstanceSpec,
    family,
    make_forecast,
    make_problem,
    parse_instance_name,
    pool_capacity_hours,
)
from wfm.errors import ValidationError
from wfm.roster.shifts import agent_options, shift_options

specs = st.builds(
    InstanceSpec,
    agents=st.integers(2, 2000),
    interval_minutes=st.sampled_from([15, 30]),
    starts=st.sampled_from(["flexible", "fixed"]),
    breaks=st.booleans(),
    contracts=st.sampled_from(["mixed", "full_time"]),
    seed=st.integers(0, 10_000),
    load=st.sampled_from([0.9, 0.5, 1.0, 1.25]),
)


@given(specs)
@settings(max_examples=200, deadline=None)
def test_name_round_trips(spec: InstanceSpec) -> None:
    assert parse_instance_name(spec.name) == spec


@pytest.mark.parametrize(
    "name",
    [
        "",
        "a10",
        "a10-i15-flex-brk-mixed",
        "a10-i20-flex-brk-mixed-s0",
        "b10-i15-flex-brk-mixed-s0",
        "a10-i15-flexible-brk-mixed-s0",
        "a10-i15-flex-brk-mixed-s0-x1",
        "a1-i15-flex-brk-mixed-s0",
    ],
)
def test_bad_names_are_rejected(name: str) -> None:
    with pytest.raises(ValidationError, match=r"instance|agents"):
        parse_instance_name(name)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"agents": 1}, "agents"),
        ({"agents": 10, "interval_minutes": 20}, "interval_minutes"),
        ({"agents": 10, "starts": "any"}, "starts"),
        ({"agents": 10, "contracts": "casual"}, "contracts"),
        ({"agents": 10, "seed": -1}, "seed"),
        ({"agents": 10, "load": 0.0}, "load"),
        ({"agents": 10, "load": float("nan")}, "load"),
    ],
)
def test_bad_specs_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        InstanceSpec(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_families_are_known_and_valid() -> None:
    assert {"tiny", "scaling", "variants", "acceptance", "medium", "peer"} <= set(FAMILIES)
    assert [s.agents for s in family("scaling")] == [25, 50, 100, 200, 500]
    assert [s.agents for s in family("acceptance")] == [50, 100, 200, 500]
    for spec in family("acceptance"):
        assert (spec.interval_minutes, spec.starts, spec.breaks) == (15, "flexible", True)
    with pytest.raises(ValidationError):
        family("nope")


def test_forecast_covers_opening_hours_of_one_week() -> None:
    fc = make_forecast(interval_minutes=30, seed=3)
    starts = pd.to_datetime(fc["interval_start"])
    assert starts.min() >= pd.Timestamp(HORIZON_START)
    assert starts.max() < pd.Timestamp(HORIZON_START) + pd.Timedelta(days=7)
    # default opening hours: 12 h on weekdays and 9 h at weekends, 30-minute slots
    assert len(fc) == 5 * 24 + 2 * 18
    assert (fc["calls"] > 0).all() and (fc["aht_seconds"] > 0).all()
    monday = fc[starts.dt.day_of_week == 0]["calls"].sum()
    sunday = fc[starts.dt.day_of_week == 6]["calls"].sum()
    assert sunday < 0.6 * monday


def test_same_spec_same_problem_other_seed_other_problem() -> None:
    spec = InstanceSpec(agents=20, interval_minutes=30, seed=4)
    a, b = make_problem(spec), make_problem(spec)
    pd.testing.assert_frame_equal(a.requirements, b.requirements)
    assert a.agents == b.agents and a.templates == b.templates and a.contracts == b.contracts
    c = make_problem(InstanceSpec(agents=20, interval_minutes=30, seed=5))
    assert not np.array_equal(a.required_scheduled, c.required_scheduled)


def test_capacity_by_hand() -> None:
    # 6 agents mixed: 4 full-time (40 h, no breaks: all on the phone) + 2 part-time (30 h)
    p = make_problem(InstanceSpec(agents=6, interval_minutes=30, starts="fixed", breaks=False))
    assert [a.contract for a in p.agents].count("part_time") == 2
    assert pool_capacity_hours(p) == pytest.approx(4 * 40 + 2 * 30)
    # with breaks: 8.5 h shifts, 8 h paid, 7.5 h on the phone
    q = make_problem(InstanceSpec(agents=6, interval_minutes=15, contracts="full_time"))
    assert pool_capacity_hours(q) == pytest.approx(6 * 40 * 7.5 / 8)


@pytest.mark.parametrize(
    "spec",
    [
        InstanceSpec(agents=40),
        InstanceSpec(agents=40, interval_minutes=30, starts="fixed", load=1.1),
        InstanceSpec(agents=30, breaks=False, contracts="full_time", load=0.7),
    ],
    ids=lambda s: s.name,
)
def test_demand_is_scaled_to_the_pool(spec: InstanceSpec) -> None:
    p = make_problem(spec)
    required = p.required_scheduled.sum() * p.interval_hours
    assert required == pytest.approx(spec.load * pool_capacity_hours(p), rel=0.01)
    assert p.service is not None and p.service.shrinkage == pytest.approx(0.1)
    assert p.start_date == HORIZON_START and p.start_date.weekday() == 0
    # demand only inside the default opening hours (08:00-20:00, weekends 09:00-18:00)
    times = pd.DatetimeIndex(p.interval_starts)[p.required_scheduled > 0]
    weekend = times.day_of_week >= 5
    hours = times.hour + times.minute / 60
    assert (hours[~weekend] >= 8).all() and (hours[~weekend] < 20).all()
    assert (hours[weekend] >= 9).all() and (hours[weekend] < 18).all()
    # every agent can work on at least as many days as their contract minimum
    options = shift_options(p)
    per_agent = agent_options(p, options)
    for agent, mine in zip(p.agents, per_agent, strict=True):
        days = {options[o.option].day for o in mine}
        assert len(days) >= p.contract_of(agent).min_days_per_week, agent.agent_id


def test_features_change_the_templates() -> None:
    flex = make_problem(InstanceSpec(agents=10))
    fixed = make_problem(InstanceSpec(agents=10, starts="fixed"))
    nobreak = make_problem(InstanceSpec(agents=10, breaks=False))
    full = {t.name: t for t in flex.templates}["full"]
    assert len(full.start_minutes) == (11 * 60 + 30 - 7 * 60) // 15 + 1
    assert len({t.name: t for t in fixed.templates}["full"].start_minutes) == 3
    assert [b.name for b in full.breaks] == ["break1", "lunch", "break2"]
    assert all(not t.breaks for t in nobreak.templates)
    for a in flex.agents:
        for off in a.time_off:
            assert off.start.date() >= HORIZON_START
            assert off.end.date() <= HORIZON_START + dt.timedelta(days=7)


def test_write_instance_loads_back(tmp_path: Path) -> None:
    scenario = pytest.importorskip("wfm.scenario")
    from wfm.datasets.instances import write_instance

    spec = InstanceSpec(agents=8, interval_minutes=30, starts="fixed", breaks=False)
    path = write_instance(spec, tmp_path)
    assert path.exists()
    back = scenario.load_scenario(path).build_problem()
    original = make_problem(spec)
    assert back.agents == original.agents
    assert back.templates == original.templates
    np.testing.assert_allclose(back.required_scheduled, original.required_scheduled)


def test_multi_week_instances_repeat_the_week_and_keep_their_name() -> None:
    spec = parse_instance_name("a10-i30-fixed-nobrk-mixed-s0-w2")
    assert spec.weeks == 2 and spec.name == "a10-i30-fixed-nobrk-mixed-s0-w2"
    assert parse_instance_name("a10-i30-fixed-nobrk-mixed-s0-l0.8-w3").weeks == 3
    one = make_problem(replace(spec, weeks=1))
    two = make_problem(spec)
    assert two.days == 14 and len(two.weeks) == 2
    per_week = len(one.required_scheduled)
    assert (two.required_scheduled[:per_week] == one.required_scheduled).all()
    assert (two.required_scheduled[per_week:] == one.required_scheduled).all()
    with pytest.raises(ValidationError):
        replace(spec, weeks=7)
