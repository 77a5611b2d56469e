"""Validation of the roster problem objects and expansion of templates into shifts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from wfm.errors import DataError, ValidationError
from wfm.roster import (
    Agent,
    AvailabilityWindow,
    BreakRule,
    Contract,
    Pin,
    RosterProblem,
    Rule,
    ShiftTemplate,
    TimeOff,
    Weights,
    requirements_from_staffing,
)
from wfm.roster.shifts import agent_options, break_windows, shift_options

MONDAY = dt.date(2027, 1, 4)


def _requirements(days: int = 7, interval_minutes: int = 15, value: float = 1.0) -> pd.DataFrame:
    n = days * 1440 // interval_minutes
    return pd.DataFrame(
        {
            "interval_start": pd.date_range(
                pd.Timestamp(MONDAY), periods=n, freq=f"{interval_minutes}min"
            ),
            "required_scheduled": np.full(n, value),
        }
    )


def _template(**overrides: object) -> ShiftTemplate:
    params: dict[str, object] = {
        "name": "day",
        "earliest_start": dt.time(8),
        "latest_start": dt.time(9),
        "start_step_minutes": 30,
        "min_length_minutes": 480,
        "breaks": (
            BreakRule(
                name="lunch",
                duration_minutes=30,
                paid=False,
                earliest_start_after_minutes=180,
                latest_start_after_minutes=240,
            ),
        ),
    }
    params.update(overrides)
    return ShiftTemplate(**params)  # type: ignore[arg-type]


def _problem(agents: tuple[Agent, ...] | None = None, **overrides: object) -> RosterProblem:
    params: dict[str, object] = {
        "start_date": MONDAY,
        "requirements": _requirements(),
        "templates": (_template(),),
        "contracts": (Contract(name="ft"),),
        "agents": agents if agents is not None else (Agent(agent_id="a1", contract="ft"),),
    }
    params.update(overrides)
    return RosterProblem(**params)  # type: ignore[arg-type]


# -- validation -----------------------------------------------------------------


def test_error_names_field_value_and_expectation() -> None:
    with pytest.raises(ValidationError) as info:
        _problem(agents=(Agent(agent_id="a1", contract="part_time"),))
    message = str(info.value)
    assert "agents[0].contract" in message
    assert "'part_time'" in message
    assert "ft" in message
    assert info.value.field == "agents[0].contract"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"interval_minutes": 7}, "interval_minutes"),
        ({"interval_minutes": 90}, "interval_minutes"),
        ({"days": 0}, "days"),
        ({"soft_rules": {"no_such_rule": 1.0}}, "soft_rules"),
        ({"soft_rules": {"min_rest": -1.0}}, "soft_rules.min_rest"),
        ({"templates": ()}, "templates"),
        ({"templates": (_template(), _template())}, "templates[1].name"),
        ({"templates": (_template(start_step_minutes=20),)}, "templates[0].start_step_minutes"),
        ({"templates": (_template(earliest_start=dt.time(8, 5)),)}, "templates[0].earliest_start"),
    ],
)
def test_problem_rejects_bad_values(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        _problem(**overrides)
    assert info.value.field == field


def test_break_offsets_must_sit_on_the_grid() -> None:
    bad = _template(
        breaks=(
            BreakRule(
                name="b",
                duration_minutes=10,
                earliest_start_after_minutes=60,
                latest_start_after_minutes=120,
            ),
        )
    )
    with pytest.raises(ValidationError, match="duration_minutes"):
        _problem(templates=(bad,))


def test_dataclass_rules_checked_on_construction() -> None:
    with pytest.raises(ValidationError, match="max_hours_per_week"):
        Contract(name="c", min_hours_per_week=30, max_hours_per_week=20)
    with pytest.raises(ValidationError, match="latest_start"):
        _template(earliest_start=dt.time(10), latest_start=dt.time(9))
    with pytest.raises(ValidationError, match="latest_start_after_minutes"):
        BreakRule(
            name="b",
            duration_minutes=15,
            earliest_start_after_minutes=60,
            latest_start_after_minutes=30,
        )
    with pytest.raises(ValidationError, match="understaffing_growth"):
        Weights(understaffing_growth=(2.0, 1.0))
    with pytest.raises(ValidationError, match="days_off_before"):
        Agent(agent_id="a", contract="c", consecutive_days_worked_before=2, days_off_before=1)
    with pytest.raises(ValidationError, match="pin"):
        Pin(day=MONDAY, off=True, template="day")
    with pytest.raises(ValidationError, match=r"time_off\.end"):
        TimeOff(start=dt.datetime(2027, 1, 5, 10), end=dt.datetime(2027, 1, 5, 9))
    with pytest.raises(ValidationError, match=r"agents\['a'\].pins"):
        Agent(agent_id="a", contract="c", pins=(Pin(day=MONDAY, off=True), Pin(day=MONDAY)))


def test_pin_outside_horizon_is_rejected() -> None:
    agent = Agent(agent_id="a1", contract="ft", pins=(Pin(day=MONDAY - dt.timedelta(days=1)),))
    with pytest.raises(ValidationError, match=r"agents\[0\].pins\[0\].day"):
        _problem(agents=(agent,))


def test_requirements_rows_are_checked() -> None:
    req = _requirements()
    shifted = req.copy()
    shifted.loc[3, "interval_start"] = shifted.loc[3, "interval_start"] + pd.Timedelta(minutes=5)
    with pytest.raises(DataError, match=r"interval_start\[row 3\]"):
        _problem(requirements=shifted)
    negative = req.copy()
    negative.loc[10, "required_scheduled"] = -1.0
    with pytest.raises(DataError, match=r"required_scheduled\[row 10\]"):
        _problem(requirements=negative)
    outside = req.copy()
    outside.loc[0, "interval_start"] = pd.Timestamp(MONDAY) + pd.Timedelta(days=7)
    with pytest.raises(DataError, match="within the horizon"):
        _problem(requirements=outside)
    duplicated = pd.concat([req, req.iloc[[5]]], ignore_index=True)
    with pytest.raises(DataError, match="unique"):
        _problem(requirements=duplicated)
    with pytest.raises(DataError, match="required_scheduled"):
        _problem(requirements=req.drop(columns="required_scheduled"))


def test_missing_intervals_need_zero_agents_and_user_table_is_untouched() -> None:
    req = _requirements().iloc[::2].reset_index(drop=True)
    before = req.copy()
    problem = _problem(requirements=req)
    assert problem.required_scheduled.shape == (7 * 96,)
    assert problem.required_scheduled[0::2].tolist() == [1.0] * (7 * 48)
    assert problem.required_scheduled[1::2].sum() == 0.0
    pd.testing.assert_frame_equal(req, before)


def test_requirements_from_staffing_picks_the_scheduled_column() -> None:
    staffing = pd.DataFrame(
        {
            "interval_start": pd.date_range(pd.Timestamp(MONDAY), periods=2, freq="15min"),
            "calls": [10.0, 20.0],
            "aht_seconds": [300.0, 300.0],
            "required_scheduled": [3, 5],
            "required_scheduled_fractional": [2.4, 4.1],
        }
    )
    assert requirements_from_staffing(staffing)["required_scheduled"].tolist() == [3.0, 5.0]
    frac = requirements_from_staffing(staffing, fractional=True)
    assert frac["required_scheduled"].tolist() == [2.4, 4.1]
    assert list(frac.columns) == ["interval_start", "required_scheduled", "calls", "aht_seconds"]
    with pytest.raises(DataError):
        requirements_from_staffing(staffing.drop(columns="required_scheduled"))


def test_requirements_from_staffing_reads_the_names_before_0_2_with_a_warning() -> None:
    staffing = pd.DataFrame(
        {
            "interval_start": pd.date_range(pd.Timestamp(MONDAY), periods=2, freq="15min"),
            "agents_scheduled": [3, 5],
            "agents_scheduled_fractional": [2.4, 4.1],
        }
    )
    with pytest.warns(DeprecationWarning, match="'agents_scheduled' -> 'required_scheduled'"):
        whole = requirements_from_staffing(staffing)
    assert whole["required_scheduled"].tolist() == [3.0, 5.0]
    with pytest.warns(DeprecationWarning, match="'agents_scheduled_fractional' -> "):
        frac = requirements_from_staffing(staffing, fractional=True)
    assert frac["required_scheduled"].tolist() == [2.4, 4.1]


def test_the_roster_input_column_names_its_former_name() -> None:
    frame = _requirements().rename(columns={"required_scheduled": "required_agents"})
    with pytest.raises(DataError, match=r"renamed from 'required_agents' in 0\.2"):
        _problem(requirements=frame)


def test_service_must_be_a_service_policy() -> None:
    with pytest.raises(ValidationError) as info:
        _problem(service={"level": 0.8})
    assert info.value.field == "service"


# -- shift expansion --------------------------------------------------------------


def test_options_enumerate_starts_lengths_and_days() -> None:
    template = _template(max_length_minutes=540, length_step_minutes=60, weekdays=frozenset({0, 6}))
    problem = _problem(templates=(template,))
    options = shift_options(problem)
    # starts 08:00, 08:30, 09:00 x lengths 8 h, 9 h x Monday and Sunday
    assert len(options) == 3 * 2 * 2
    assert {o.day for o in options} == {0, 6}
    monday_first = options[0]
    assert (monday_first.start, monday_first.length) == (32, 32)
    assert monday_first.paid_minutes == 450
    assert monday_first.break_starts == (tuple(range(32 + 12, 32 + 17)),)
    sunday = [o for o in options if o.day == 6]
    assert min(o.start for o in sunday) == 6 * 96 + 32


def test_break_window_clipped_at_the_shift_edge() -> None:
    # a 15-minute break allowed 3:30-4:00 after start in a 4-hour shift: the
    # start at 4:00 would end after the shift, so only 3:30 and 3:45 remain
    rule = BreakRule(
        name="b",
        duration_minutes=15,
        earliest_start_after_minutes=210,
        latest_start_after_minutes=240,
    )
    template = _template(min_length_minutes=240, breaks=(rule,))
    assert break_windows(template, 240, 15) == ((14, 15),)
    # a lunch that cannot start before the shift ends leaves no option
    late = BreakRule(
        name="lunch",
        duration_minutes=30,
        earliest_start_after_minutes=240,
        latest_start_after_minutes=300,
    )
    assert break_windows(_template(min_length_minutes=240, breaks=(late,)), 240, 15) is None


def test_overnight_and_end_of_week_shifts_keep_their_tail() -> None:
    night = _template(
        name="night",
        earliest_start=dt.time(22),
        latest_start=dt.time(22),
        min_length_minutes=480,
        breaks=(),
    )
    problem = _problem(templates=(night,))
    options = shift_options(problem)
    last = max(options, key=lambda o: o.start)
    assert last.day == 6
    assert last.end > problem.n_intervals  # crosses the end of the horizon


def test_agent_options_respect_templates_availability_time_off_and_pins() -> None:
    early = _template(name="early")
    late = _template(name="late", earliest_start=dt.time(13), latest_start=dt.time(13), breaks=())
    agents = (
        Agent(agent_id="only_early", contract="ft", templates=("early",)),
        Agent(
            agent_id="mornings",
            contract="ft",
            availability=tuple(
                AvailabilityWindow(weekday=d, start=dt.time(7), end=dt.time(17)) for d in range(7)
            ),
        ),
        Agent(
            agent_id="off_tuesday",
            contract="ft",
            time_off=(TimeOff.whole_day(MONDAY + dt.timedelta(days=1)),),
        ),
        Agent(
            agent_id="pinned",
            contract="ft",
            pins=(
                Pin(day=MONDAY, template="late"),
                Pin(day=MONDAY + dt.timedelta(days=2), off=True),
            ),
        ),
    )
    problem = _problem(agents=agents, templates=(early, late))
    options = shift_options(problem)
    per_agent = agent_options(problem, options)

    def chosen(i: int) -> list[tuple[str, int, int]]:
        return [
            (
                problem.templates[options[a.option].template].name,
                options[a.option].day,
                options[a.option].start,
            )
            for a in per_agent[i]
        ]

    assert {name for name, _, _ in chosen(0)} == {"early"}
    # available 07:00-17:00: 8-hour shifts must start by 09:00, so no late shift
    assert {name for name, _, _ in chosen(1)} == {"early"}
    assert all(day != 1 for _, day, _ in chosen(2))
    pinned = chosen(3)
    assert {name for name, day, _ in pinned if day == 0} == {"late"}
    assert all(day != 2 for _, day, _ in pinned)
    assert all(not a.breaches for row in per_agent for a in row)


def test_soft_availability_lists_breaching_options() -> None:
    agent = Agent(
        agent_id="a",
        contract="ft",
        availability=(AvailabilityWindow(weekday=0, start=dt.time(8), end=dt.time(16, 30)),),
    )
    hard = _problem(agents=(agent,))
    soft = _problem(agents=(agent,), soft_rules={"availability": 10.0})
    hard_options = agent_options(hard)[0]
    soft_options = agent_options(soft)[0]
    assert len(hard_options) == 2  # Monday 08:00 and 08:30 (ends 16:30) fit 08:00-16:30
    assert len(soft_options) == len(shift_options(soft))
    assert sum(1 for a in soft_options if Rule.AVAILABILITY in a.breaches) == len(soft_options) - 2


def test_availability_window_past_midnight() -> None:
    window = AvailabilityWindow(weekday=4, start=dt.time(18), end=dt.time(2))
    assert (window.start_minutes, window.end_minutes) == (18 * 60, 26 * 60)
    whole = AvailabilityWindow(weekday=4, start=dt.time(0), end=dt.time(0))
    assert (whole.start_minutes, whole.end_minutes) == (0, 1440)
