"""Tests of the independent roster checker on hand-made roster tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from roster_helpers import (
    MONDAY,
    break_rule,
    requirement_frame,
    roster_frames,
    shift_rows,
    template,
)

from wfm.errors import DataError
from wfm.roster.checker import VIOLATION_COLUMNS, check_roster, check_roster_files
from wfm.roster.problem import (
    WEEKDAY_NAMES,
    Agent,
    AvailabilityWindow,
    Contract,
    Pin,
    RosterProblem,
    Rule,
    ShiftTemplate,
    TimeOff,
)

DAY = ShiftTemplate(
    name="day",
    earliest_start=dt.time(7),
    latest_start=dt.time(10),
    start_step_minutes=30,
    min_length_minutes=480,
    max_length_minutes=540,
    length_step_minutes=60,
    weekdays=frozenset(range(6)),
    breaks=(
        break_rule("break1", minutes=15, window=(90, 150)),
        break_rule("lunch", minutes=30, window=(180, 300), paid=False),
    ),
)
NIGHT = ShiftTemplate(
    name="night",
    earliest_start=dt.time(22),
    latest_start=dt.time(22),
    min_length_minutes=480,
)
CONTRACT = Contract(
    name="full",
    min_hours_per_week=0,
    max_hours_per_week=40,
    min_days_per_week=0,
    max_days_per_week=5,
    max_consecutive_days=5,
    min_consecutive_days_off=2,
    min_rest_hours=11,
    max_weekend_days=1,
)


def make_problem(*agents: Agent, soft: dict[Rule, float] | None = None) -> RosterProblem:
    return RosterProblem(
        start_date=MONDAY,
        requirements=requirement_frame(MONDAY, np.ones(7 * 96), 15),
        templates=(DAY, NIGHT),
        contracts=(CONTRACT, Contract(name="strict", min_hours_per_week=16, min_days_per_week=2)),
        agents=agents or (Agent(agent_id="a", contract="full"),),
        soft_rules=soft or {},
    )


def shift(
    agent: str,
    day: int,
    start: str,
    length_minutes: int = 480,
    template: str = "day",
    breaks: tuple[int, ...] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A roster row and its break rows; break starts in minutes after the shift start."""
    t = {"day": DAY, "night": NIGHT}[template]
    return shift_rows(t, agent, MONDAY + dt.timedelta(days=day), start, length_minutes, breaks)


def rules(problem: RosterProblem, *shifts: Any, **kwargs: Any) -> list[str]:
    roster, breaks = roster_frames(*shifts)
    out = check_roster(problem, roster, breaks, **kwargs)
    assert list(out.columns) == list(VIOLATION_COLUMNS)
    return sorted(out["rule"])


WEEK = [shift("a", d, "08:00") for d in range(4)]  # Mon-Thu, four days


def test_valid_roster_has_no_violation() -> None:
    assert rules(make_problem(), *WEEK) == []
    # overnight shift, the longer length, breaks at the last allowed starts
    assert rules(make_problem(), shift("a", 0, "22:00", template="night")) == []
    assert rules(make_problem(), shift("a", 0, "10:00", 540, breaks=(150, 300))) == []


def test_unknown_agent_and_template() -> None:
    assert rules(make_problem(), shift("zz", 0, "08:00")) == [
        "break_extra",
        "break_extra",
        "unknown_agent",
    ]
    row, _ = shift("a", 0, "08:00")
    row["template"] = "mystery"
    assert rules(make_problem(), (row, [])) == ["unknown_template"]


def test_agent_template_restriction() -> None:
    p = make_problem(Agent(agent_id="a", contract="full", templates=("night",)))
    assert rules(p, shift("a", 0, "08:00")) == ["agent_template"]


def test_shift_shape() -> None:
    p = make_problem()
    assert rules(p, shift("a", 0, "08:15")) == ["shift_start"]  # off the 30-minute step
    assert rules(p, shift("a", 0, "06:30")) == ["shift_start"]  # before earliest
    assert rules(p, shift("a", 0, "10:30")) == ["shift_start"]  # after latest
    assert rules(p, shift("a", 0, "08:00", 510)) == ["shift_length"]
    assert rules(p, shift("a", 0, "08:00", 600)) == ["shift_length"]
    assert rules(p, shift("a", 6, "08:00")) == ["shift_weekday"]  # Sunday
    row, brk = shift("a", 0, "08:00")
    row["date"] = "2026-01-04"  # the day before the horizon, start on another date
    for b in brk:
        b["date"] = "2026-01-04"
    # outside the horizon, not starting on its date, and (seen from that Sunday) a
    # 32-hour offset start, a Sunday start and a wrong weekday label
    assert rules(p, (row, brk)) == [
        "shift_day",
        "shift_day",
        "shift_record",
        "shift_start",
        "shift_weekday",
    ]


def test_shift_record_consistency() -> None:
    p = make_problem()
    row, brk = shift("a", 0, "08:00")
    row["paid_minutes"] = 480  # lunch is unpaid: 450
    assert rules(p, (row, brk)) == ["shift_record"]
    row, brk = shift("a", 0, "08:00")
    row["length_minutes"] = 540
    row["weekday"] = "Tue"
    assert rules(p, (row, brk)) == ["shift_record", "shift_record"]


def test_breaks() -> None:
    p = make_problem()
    row, brk = shift("a", 0, "08:00")
    assert rules(p, (row, brk[:1])) == ["break_missing"]
    assert rules(p, (row, [*brk, brk[0]])) == ["break_extra", "break_overlap"]
    assert rules(p, shift("a", 0, "08:00", breaks=(75, 180))) == ["break_window"]  # too early
    assert rules(p, shift("a", 0, "08:00", breaks=(165, 180))) == ["break_window"]  # too late
    assert rules(p, shift("a", 0, "08:00", breaks=(100, 180))) == ["break_shape"]  # off grid
    # the last start of break1 and the first start of lunch
    assert rules(p, shift("a", 0, "08:00", breaks=(150, 180))) == []
    row, brk = shift("a", 0, "08:00")
    brk[1]["paid"] = True
    assert rules(p, (row, brk)) == ["break_shape"]
    row, brk = shift("a", 0, "08:00")
    brk[1]["end"] = "2026-01-05 12:00"  # lunch 11:00-12:00: 60 min, not 30
    assert rules(p, (row, brk)) == ["break_shape"]
    row, brk = shift("a", 0, "08:00")
    brk.append({**brk[0], "break": "nap"})
    assert "break_extra" in rules(p, (row, brk))


def test_break_at_shift_edge() -> None:
    # a 4-hour shift template whose lunch may start up to 4 h after the start:
    # only starts that end by the shift's end are valid
    short = template(
        "short", length_hours=4, breaks=[break_rule("lunch", minutes=30, window=(180, 240))]
    )
    p = RosterProblem(
        start_date=MONDAY,
        requirements=requirement_frame(MONDAY, np.ones(96), 15),
        templates=(short,),
        contracts=(Contract(name="full"),),
        agents=(Agent(agent_id="a", contract="full"),),
        days=1,
    )

    def one(offset: int) -> list[str]:
        row = {
            "agent_id": "a",
            "date": "2026-01-05",
            "template": "short",
            "start": "2026-01-05 08:00",
            "end": "2026-01-05 12:00",
        }
        b = pd.Timestamp("2026-01-05 08:00") + pd.Timedelta(minutes=offset)
        brk = {
            "agent_id": "a",
            "date": "2026-01-05",
            "break": "lunch",
            "start": f"{b:%Y-%m-%d %H:%M}",
            "end": f"{b + pd.Timedelta(minutes=30):%Y-%m-%d %H:%M}",
        }
        return sorted(check_roster(p, pd.DataFrame([row]), pd.DataFrame([brk]))["rule"])

    assert one(210) == []  # 11:30-12:00 ends exactly at the shift's end
    assert one(225) == ["break_window"]  # 11:45-12:15 spills out
    assert one(240) == ["break_window"]  # 12:00-12:30 after the end


def test_one_shift_per_day_and_overlap() -> None:
    p = make_problem()
    found = rules(p, shift("a", 0, "08:00"), shift("a", 0, "22:00", template="night"))
    assert "one_shift_per_day" in found
    assert Rule.MIN_REST.value in found
    assert "shift_overlap" not in found
    # two nights in a row do not overlap (and leave 16 h of rest)
    assert (
        rules(p, shift("a", 0, "22:00", template="night"), shift("a", 1, "22:00", template="night"))
        == []
    )
    # a Tuesday shift starting 05:00, while Monday's night runs to 06:00
    row, _ = shift("a", 1, "07:00")
    row["start"] = "2026-01-06 05:00"
    found = rules(p, shift("a", 0, "22:00", template="night"), (row, []))
    assert "shift_overlap" in found


def test_min_rest_across_midnight_and_before_horizon() -> None:
    p = make_problem()
    # Monday night 22:00-06:00, Tuesday 10:00 start: 4 h rest
    out = check_roster(
        p, *roster_frames(shift("a", 0, "22:00", template="night"), shift("a", 1, "10:00"))
    )
    rest = out[out["rule"] == Rule.MIN_REST.value]
    assert len(rest) == 1
    assert rest["amount"].iloc[0] == pytest.approx(7.0)
    assert rest["date"].iloc[0] == "2026-01-06"
    # Tuesday night start 22:00 after a Monday 08:00-16:00 shift: 30 h rest, fine
    assert rules(p, shift("a", 0, "08:00"), shift("a", 1, "22:00", template="night")) == []
    # last shift before the horizon ended Monday 00:30 -> a 08:00 start leaves 7.5 h
    q = make_problem(
        Agent(agent_id="a", contract="full", last_shift_end=dt.datetime(2026, 1, 5, 0, 30))
    )
    out = check_roster(q, *roster_frames(shift("a", 0, "08:00")))
    assert list(out["rule"]) == [Rule.MIN_REST.value]
    assert out["amount"].iloc[0] == pytest.approx(3.5)
    assert rules(q, shift("a", 0, "10:00")) == [Rule.MIN_REST.value]  # 9.5 h: still short
    assert out["hard"].all()


def test_min_rest_edge_is_allowed() -> None:
    q = make_problem(
        Agent(agent_id="a", contract="full", last_shift_end=dt.datetime(2026, 1, 4, 21, 0))
    )
    assert rules(q, shift("a", 0, "08:00")) == []  # exactly 11 h


def test_hours_and_days() -> None:
    p = make_problem()
    six = [shift("a", d, "08:00", 540) for d in range(6)]
    found = rules(p, *six)
    # 6 x 8.5 paid hours = 51 > 40; 6 days > 5; 6 in a row > 5; no 2-day block off (Sunday
    # alone); one weekend day (Saturday) is allowed
    assert found == sorted(
        [
            Rule.MAX_HOURS.value,
            Rule.MAX_DAYS.value,
            Rule.MAX_CONSECUTIVE_DAYS.value,
            Rule.MIN_CONSECUTIVE_DAYS_OFF.value,
        ]
    )
    out = check_roster(p, *roster_frames(*six))
    assert out.loc[out["rule"] == Rule.MAX_HOURS.value, "amount"].iloc[0] == pytest.approx(11.0)
    strict = make_problem(Agent(agent_id="a", contract="strict"))
    out = check_roster(strict, *roster_frames(shift("a", 0, "08:00")))
    assert sorted(out["rule"]) == [Rule.MIN_DAYS.value, Rule.MIN_HOURS.value]
    assert out.loc[out["rule"] == Rule.MIN_HOURS.value, "amount"].iloc[0] == pytest.approx(8.5)
    # the agent working nothing at all still breaks the minimums
    assert sorted(check_roster(strict, *roster_frames())["rule"]) == [
        Rule.MIN_DAYS.value,
        Rule.MIN_HOURS.value,
    ]


def test_consecutive_days_across_the_week_boundary() -> None:
    agent = Agent(agent_id="a", contract="full", consecutive_days_worked_before=3)
    p = make_problem(agent)
    # 3 before + Mon..Wed = 6 > 5: the Wednesday breaks the rule
    out = check_roster(p, *roster_frames(*[shift("a", d, "08:00") for d in range(3)]))
    assert list(out["rule"]) == [Rule.MAX_CONSECUTIVE_DAYS.value]
    assert list(out["date"]) == ["2026-01-07"]
    assert rules(p, *[shift("a", d, "08:00") for d in range(2)]) == []


def test_days_off_block_may_start_before_the_horizon() -> None:
    # Mon off, Tue-Fri on, Sat on, Sun off: longest block of days off is 1
    pattern = [shift("a", d, "08:00") for d in (1, 2, 3, 4)] + [shift("a", 5, "08:00")]
    out = check_roster(make_problem(), *roster_frames(*pattern))
    block = out[out["rule"] == Rule.MIN_CONSECUTIVE_DAYS_OFF.value]
    assert list(block["amount"]) == [2.0]  # a missing block counts its length
    # one day off just before the horizon joins Monday off: a block of two
    p = make_problem(Agent(agent_id="a", contract="full", days_off_before=1))
    assert Rule.MIN_CONSECUTIVE_DAYS_OFF.value not in rules(p, *pattern)
    # days off before the horizon alone do not make a block of this week
    worked_monday = [shift("a", d, "08:00") for d in (0, 2, 4)] + [
        shift("a", 6, "22:00", template="night")
    ]
    p = make_problem(Agent(agent_id="a", contract="full", days_off_before=3))
    assert Rule.MIN_CONSECUTIVE_DAYS_OFF.value in rules(p, *worked_monday)
    assert Rule.MIN_CONSECUTIVE_DAYS_OFF.value not in rules(p, *worked_monday[:3])  # Sat-Sun off


def test_weekend_days() -> None:
    p = make_problem()
    night_sat = shift("a", 5, "22:00", template="night")
    night_sun = shift("a", 6, "22:00", template="night")
    assert rules(p, night_sat) == []
    out = check_roster(p, *roster_frames(night_sat, night_sun))
    assert list(out["rule"]) == [Rule.MAX_WEEKEND_DAYS.value]
    assert out["amount"].iloc[0] == 1


def test_availability() -> None:
    windows = (
        AvailabilityWindow(weekday=0, start=dt.time(8), end=dt.time(17)),
        AvailabilityWindow(weekday=1, start=dt.time(20), end=dt.time(7)),  # over midnight
    )
    p = make_problem(Agent(agent_id="a", contract="full", availability=windows))
    assert rules(p, shift("a", 0, "08:00")) == []  # 08:00-16:00 inside
    assert rules(p, shift("a", 0, "09:00", 540)) == [Rule.AVAILABILITY.value]  # ends 18:00
    assert rules(p, shift("a", 1, "22:00", template="night")) == []  # 22:00-06:00 inside
    assert rules(p, shift("a", 2, "08:00")) == [Rule.AVAILABILITY.value]  # no window Wednesday
    soft = make_problem(
        Agent(agent_id="a", contract="full", availability=windows), soft={Rule.AVAILABILITY: 5}
    )
    assert rules(soft, shift("a", 2, "08:00")) == []
    roster, breaks = roster_frames(shift("a", 2, "08:00"))
    out = check_roster(soft, roster, breaks, include_soft=True)
    assert list(out["rule"]) == [Rule.AVAILABILITY.value]
    assert not out["hard"].iloc[0]


def test_time_off() -> None:
    off = TimeOff(start=dt.datetime(2026, 1, 6, 5), end=dt.datetime(2026, 1, 6, 12))
    p = make_problem(Agent(agent_id="a", contract="full", time_off=(off,)))
    # Monday night 22:00-06:00 reaches into Tuesday's time off
    assert rules(p, shift("a", 0, "22:00", template="night")) == [Rule.TIME_OFF.value]
    assert rules(p, shift("a", 1, "08:00")) == [Rule.TIME_OFF.value]
    assert rules(p, shift("a", 0, "08:00")) == []
    whole = make_problem(
        Agent(agent_id="a", contract="full", time_off=(TimeOff.whole_day(MONDAY),))
    )
    assert rules(whole, shift("a", 0, "08:00")) == [Rule.TIME_OFF.value]


def test_pins() -> None:
    tuesday = MONDAY + dt.timedelta(days=1)
    pins = (
        Pin(day=MONDAY, off=True),
        Pin(day=tuesday, template="day", start=dt.time(9), length_minutes=480),
    )
    p = make_problem(Agent(agent_id="a", contract="full", pins=pins))
    assert rules(p, shift("a", 1, "09:00")) == []
    assert rules(p, shift("a", 0, "08:00"), shift("a", 1, "09:00")) == [Rule.PINS.value]
    assert rules(p) == [Rule.PINS.value]  # pinned to work Tuesday, no shift
    assert rules(p, shift("a", 1, "08:00")) == [Rule.PINS.value]  # wrong start
    assert rules(p, shift("a", 1, "09:00", 540)) == [Rule.PINS.value]  # wrong length


def test_shift_beyond_the_horizon_is_fine() -> None:
    # Sunday night 22:00 - Monday 06:00 of the next week
    assert rules(make_problem(), shift("a", 6, "22:00", template="night")) == []


def test_csv_round_trip(tmp_path: Path) -> None:
    problem = make_problem(Agent(agent_id="007", contract="full"))
    roster, breaks = roster_frames(
        shift("007", 0, "08:00"), shift("007", 1, "22:00", template="night")
    )
    roster.to_csv(tmp_path / "roster.csv", index=False)
    breaks.to_csv(tmp_path / "breaks.csv", index=False)
    assert len(check_roster_files(problem, tmp_path)) == 0
    bad = roster.copy()
    bad.loc[1, "start"] = "2026-01-06 22:15"
    bad.to_csv(tmp_path / "roster.csv", index=False)
    out = check_roster_files(problem, tmp_path)
    # 22:15-06:00 is 465 min: wrong start, wrong length, length_minutes and
    # paid_minutes disagree with it
    assert list(out["rule"]) == ["shift_length", "shift_record", "shift_record", "shift_start"]
    assert set(out["agent_id"]) == {"007"}


def test_bad_tables_raise() -> None:
    p = make_problem()
    roster, breaks = roster_frames(shift("a", 0, "08:00"))
    with pytest.raises(DataError, match="roster"):
        check_roster(p, roster.drop(columns=["end"]), breaks)
    roster.loc[0, "start"] = "not a time"
    with pytest.raises(DataError, match=r"roster.start\[row 0\]"):
        check_roster(p, roster, breaks)


@pytest.mark.parametrize("seed", range(4))
def test_random_rosters_from_the_shift_expansion_are_well_formed(seed: int) -> None:
    """Shifts and breaks drawn from ``shift_options`` pass every structural check."""
    from wfm.roster.shifts import agent_options, shift_options

    rng = np.random.default_rng(seed)
    agents = [Agent(agent_id=f"a{i}", contract="full") for i in range(5)]
    agents.append(Agent(agent_id="n", contract="full", templates=("night",)))
    p = make_problem(*agents)
    options = shift_options(p)
    allowed = agent_options(p, options)
    per_day = p.intervals_per_day
    origin = pd.Timestamp(MONDAY)
    im = p.interval_minutes

    def stamp(interval: int) -> str:
        return f"{origin + pd.Timedelta(minutes=interval * im):%Y-%m-%d %H:%M}"

    shifts = []
    for agent, mine in zip(p.agents, allowed, strict=True):
        days = sorted(rng.choice(7, size=3, replace=False).tolist())
        for day in days:
            choices = [a.option for a in mine if options[a.option].day == day]
            if not choices:
                continue
            o = options[int(rng.choice(choices))]
            template = p.templates[o.template]
            for _ in range(50):
                placed = [int(rng.choice(w)) for w in o.break_starts]
                spans = [
                    set(range(s, s + b.duration_minutes // im))
                    for s, b in zip(placed, template.breaks, strict=True)
                ]
                if all(not (x & y) for i, x in enumerate(spans) for y in spans[i + 1 :]):
                    break
            date = MONDAY + dt.timedelta(days=day)
            row = {
                "agent_id": agent.agent_id,
                "date": date.isoformat(),
                "weekday": WEEKDAY_NAMES[date.weekday()],
                "template": template.name,
                "start": stamp(o.start),
                "end": stamp(o.end),
                "length_minutes": o.length * im,
                "paid_minutes": o.paid_minutes,
                "breaks": "",
            }
            brk = [
                {
                    "agent_id": agent.agent_id,
                    "date": date.isoformat(),
                    "break": b.name,
                    "start": stamp(s),
                    "end": stamp(s + b.duration_minutes // im),
                    "paid": b.paid,
                }
                for s, b in zip(placed, template.breaks, strict=True)
            ]
            shifts.append((row, brk))
            assert o.start // per_day == day
    out = check_roster(p, *roster_frames(*shifts))
    labour = {r.value for r in Rule}
    structural = out[~out["rule"].isin(labour | {"shift_overlap"})]
    assert structural.empty, structural.to_dict("records")
    assert len(shifts) >= 12


def test_day_first_timestamps_are_refused_not_guessed() -> None:
    # "01/05/2027 08:00" used to be parsed month-first (with a pandas warning)
    p = make_problem()
    roster, breaks = roster_frames(shift("a", 0, "08:00"))
    day = str(roster.loc[0, "date"])
    y, m, d = day[:10].split("-")
    roster.loc[0, "start"] = f"{d}/{m}/{y} 08:00"
    with pytest.raises(DataError, match=r"roster.start\[row 0\].*YYYY-MM-DD HH:MM"):
        check_roster(p, roster, breaks)
    # parsed datetimes are fine as they are
    roster, breaks = roster_frames(shift("a", 0, "08:00"))
    roster["start"] = pd.to_datetime(roster["start"])
    roster["end"] = pd.to_datetime(roster["end"])
    assert check_roster(p, roster, breaks).empty


def test_file_errors_name_the_line_and_empty_files(tmp_path: Path) -> None:
    problem = make_problem()
    roster, breaks = roster_frames(shift("a", 0, "08:00"), shift("a", 1, "08:00"))
    roster.loc[1, "start"] = "not a time"  # table row 1 is line 3 of roster.csv
    roster.to_csv(tmp_path / "roster.csv", index=False)
    breaks.to_csv(tmp_path / "breaks.csv", index=False)
    with pytest.raises(DataError, match=r"roster.start\[line 3\]: got 'not a time'"):
        check_roster_files(problem, tmp_path)
    (tmp_path / "roster.csv").write_text("")  # was a pandas EmptyDataError traceback
    with pytest.raises(DataError, match=r"roster\.csv: got 'an empty file'"):
        check_roster_files(problem, tmp_path)
