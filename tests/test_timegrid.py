"""Tests of the interval grid across clock changes, and of everything that reads or writes it.

The truth is computed independently of :mod:`wfm.timegrid` and of pandas'
time-zone code: with :mod:`zoneinfo` and plain UTC arithmetic. Four weeks:
one containing each 2027 change in Europe/Stockholm (28 March, 31 October)
and in America/New_York (14 March, 7 November).
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from roster_helpers import agents, contract, solve_tiny, template

from wfm.cli import main as report_main
from wfm.errors import DataError, ScenarioError, ValidationError
from wfm.forecast import make_forecaster
from wfm.history import read_call_records, read_interval_counts
from wfm.roster.checker import check_roster_files
from wfm.roster.problem import RosterProblem
from wfm.roster.shifts import shift_options
from wfm.scenario import load_scenario, write_scenario
from wfm.status import SolveStatus
from wfm.timegrid import IntervalGrid, parse_stamps, stamp_text
from wfm.views.tables import read_roster_output

UTC = dt.timezone.utc

#: (zone, the Monday starting the week, the date of the change, hours that day)
CHANGES = [
    ("Europe/Stockholm", dt.date(2027, 3, 22), dt.date(2027, 3, 28), 23),
    ("Europe/Stockholm", dt.date(2027, 10, 25), dt.date(2027, 10, 31), 25),
    ("America/New_York", dt.date(2027, 3, 8), dt.date(2027, 3, 14), 23),
    ("America/New_York", dt.date(2027, 11, 1), dt.date(2027, 11, 7), 25),
]
IDS = ["stockholm-spring", "stockholm-autumn", "new-york-spring", "new-york-autumn"]


def _midnight_utc(day: dt.date, zone: str) -> dt.datetime:
    """Local midnight of ``day`` as a UTC datetime (zoneinfo, no pandas)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


def _true_starts(first: dt.date, days: int, zone: str, minutes: int) -> list[dt.datetime]:
    """Every interval start of the local days, in UTC, by stepping elapsed time."""
    start = _midnight_utc(first, zone)
    end = _midnight_utc(first + dt.timedelta(days=days), zone)
    out = []
    t = start
    while t < end:
        out.append(t)
        t += dt.timedelta(minutes=minutes)
    return out


@pytest.mark.parametrize(("zone", "monday", "change", "hours"), CHANGES, ids=IDS)
def test_week_has_the_true_intervals_per_day(
    zone: str, monday: dt.date, change: dt.date, hours: int
) -> None:
    grid = IntervalGrid(start_date=monday, days=7, interval_minutes=15, time_zone=zone)
    counts = [grid.intervals_in_day(d) for d in range(7)]
    expected = [len(_true_starts(monday + dt.timedelta(days=d), 1, zone, 15)) for d in range(7)]
    assert counts == expected
    assert counts[(change - monday).days] == hours * 4  # 92 or 100
    assert sum(counts) == 6 * 96 + hours * 4
    truth = _true_starts(monday, 7, zone, 15)
    stamps = grid.interval_starts
    assert [s.to_pydatetime() for s in stamps.tz_convert("UTC")] == truth
    assert str(stamps.tz) == zone


def test_without_a_time_zone_the_grid_is_the_naive_one() -> None:
    grid = IntervalGrid(start_date=dt.date(2027, 3, 22), days=7, interval_minutes=15)
    assert grid.day_first == tuple(d * 96 for d in range(8))
    assert grid.interval_starts.tz is None
    assert grid.interval_starts[-1] == pd.Timestamp("2027-03-28 23:45")
    assert grid.clock_interval(6, 120) == 6 * 96 + 8


def test_skipped_and_repeated_clock_times() -> None:
    grid = IntervalGrid(
        start_date=dt.date(2027, 3, 28), days=1, interval_minutes=15, time_zone="Europe/Stockholm"
    )
    assert grid.clock_interval(0, 2 * 60) is None  # 02:00 does not exist
    assert grid.clock_interval(0, 2 * 60 + 45) is None
    assert grid.clock_interval(0, 3 * 60) == 8  # 03:00 is two elapsed hours after midnight
    autumn = IntervalGrid(
        start_date=dt.date(2027, 10, 31), days=1, interval_minutes=15, time_zone="Europe/Stockholm"
    )
    first = autumn.clock_interval(0, 2 * 60)
    assert first == 8 and autumn.stamp(first).utcoffset() == dt.timedelta(hours=2)
    assert autumn.clock_interval(0, 3 * 60) == 16  # after both runs of 02:00-02:59


def test_bad_time_zone_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="time_zone"):
        IntervalGrid(
            start_date=dt.date(2027, 1, 4), days=1, interval_minutes=15, time_zone="Mars/Olympus"
        )


# ----------------------------------------------------------------------------- roster


def _two_day_problem(zone: str, first: dt.date) -> RosterProblem:
    """The day before a change and the change day, 1 agent needed at all times."""
    starts = [pd.Timestamp(t) for t in _true_starts(first, 2, zone, 15)]
    requirements = pd.DataFrame({"interval_start": starts, "required_scheduled": 1.0})
    return RosterProblem(
        start_date=first,
        days=2,
        interval_minutes=15,
        time_zone=zone,
        requirements=requirements,
        templates=(
            template("night", earliest="22:00", length_hours=8, step_minutes=15),
            template("early", earliest="02:00", length_hours=8, step_minutes=15),
            template("day", earliest="14:00", length_hours=8, step_minutes=15),
        ),
        contracts=(contract(),),
        agents=agents(4),
    )


@pytest.mark.parametrize(("zone", "monday", "change", "hours"), CHANGES, ids=IDS)
def test_roster_across_a_change_pays_and_covers_elapsed_time(
    tmp_path: Path, zone: str, monday: dt.date, change: dt.date, hours: int
) -> None:
    first = change - dt.timedelta(days=1)
    problem = _two_day_problem(zone, first)
    assert problem.n_intervals == 96 + hours * 4
    assert problem.grid.day_first == (0, 96, 96 + hours * 4)

    options = shift_options(problem)
    early = problem.template_index["early"]
    early_days = {o.day for o in options if o.template == early}
    # a 02:00 start is skipped by the spring change, the first 02:00 in autumn
    assert early_days == ({0} if hours == 23 else {0, 1})
    for o in options:
        begin = problem.grid.stamp(o.start)
        assert begin.date() == first + dt.timedelta(days=o.day)
        assert o.length * 15 == o.paid_minutes == 480

    night = problem.template_index["night"]
    (eve,) = [o for o in options if o.template == night and o.day == 0]
    # 22:00 + 8 elapsed hours: 07:00 after a spring change, 05:00 after an autumn one
    assert problem.grid.stamp(eve.end).hour == 6 + (24 - hours)

    result = solve_tiny(problem)
    assert result.status is SolveStatus.OPTIMAL
    assert len(result.roster) > 0
    result.write(tmp_path)
    roster = pd.read_csv(tmp_path / "roster.csv")
    coverage = pd.read_csv(tmp_path / "coverage.csv")
    begin = pd.to_datetime(roster["start"], utc=True)
    end = pd.to_datetime(roster["end"], utc=True)
    # paid by elapsed time: the 8-hour night over the spring change ends at 07:00
    elapsed = ((end - begin) / pd.Timedelta(minutes=1)).to_numpy()
    assert np.array_equal(elapsed, roster["paid_minutes"].to_numpy(dtype=float))
    assert np.array_equal(elapsed, roster["length_minutes"].to_numpy(dtype=float))
    assert roster["start"].str.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d[+-]\d\d:\d\d$").all()

    # coverage: brute force from the written shifts, interval by interval in UTC
    stamps = pd.to_datetime(coverage["interval_start"], utc=True)
    assert [s.to_pydatetime() for s in stamps] == _true_starts(first, 2, zone, 15)
    horizon_end = _midnight_utc(first + dt.timedelta(days=2), zone)
    counted = [
        int(((begin <= s) & (s < end) & (s < pd.Timestamp(horizon_end))).sum()) for s in stamps
    ]
    assert coverage["coverage_scheduled"].tolist() == counted

    # the summary names the zone, so readers of the tables need not infer it
    assert json.loads((tmp_path / "summary.json").read_text())["time_zone"] == zone

    # the independent checker reads the offsets and measures elapsed time too
    violations = check_roster_files(problem, tmp_path)
    assert violations.empty, violations.to_string()

    # the planner's view reads the same instants, in the roster's zone, and draws them
    view = read_roster_output(tmp_path)
    assert view.roster["start"].dt.tz_convert("UTC").tolist() == begin.tolist()
    assert str(view.coverage["interval_start"].dt.tz) == zone
    assert len(view.coverage) == len(coverage)
    assert report_main(["report", str(tmp_path)]) == 0


def test_requirements_read_tz_aware_with_offsets_and_naive_local_alike() -> None:
    zone, first = "Europe/Stockholm", dt.date(2027, 10, 30)
    truth = [pd.Timestamp(t) for t in _true_starts(first, 2, zone, 15)]
    required = np.arange(len(truth), dtype=float) % 5
    aware = pd.DataFrame({"interval_start": truth, "required_scheduled": required})
    local = [t.tz_convert(zone) for t in truth]
    offsets = pd.DataFrame(
        {
            "interval_start": [t.isoformat(sep=" ") for t in local],
            "required_scheduled": required,
        }
    )
    naive = pd.DataFrame(
        {"interval_start": [t.tz_localize(None) for t in local], "required_scheduled": required}
    )
    base = _two_day_problem(zone, first)
    arrays = [
        RosterProblem(
            start_date=first,
            days=2,
            interval_minutes=15,
            time_zone=zone,
            requirements=frame,
            templates=base.templates,
            contracts=base.contracts,
            agents=base.agents,
        ).required_scheduled
        for frame in (aware, offsets, naive)
    ]
    for values in arrays:
        assert np.array_equal(values, required)


def test_requirement_at_a_skipped_local_time_is_refused() -> None:
    base = _two_day_problem("Europe/Stockholm", dt.date(2027, 3, 27))
    frame = pd.DataFrame(
        {"interval_start": [pd.Timestamp("2027-03-28 02:30")], "required_scheduled": [1.0]}
    )
    with pytest.raises(DataError, match="the clocks skip it"):
        RosterProblem(
            start_date=base.start_date,
            days=2,
            interval_minutes=15,
            time_zone="Europe/Stockholm",
            requirements=frame,
            templates=base.templates,
            contracts=base.contracts,
            agents=base.agents,
        )


# ----------------------------------------------------------------------------- history


@pytest.mark.parametrize(("zone", "monday", "change", "hours"), CHANGES, ids=IDS)
def test_history_across_a_change_is_read_and_round_trips(
    tmp_path: Path, zone: str, monday: dt.date, change: dt.date, hours: int
) -> None:
    truth = pd.DatetimeIndex(_true_starts(monday, 7, zone, 15)).tz_convert(zone)
    calls = np.arange(len(truth), dtype=float) % 17
    frame = pd.DataFrame({"interval_start": truth, "calls": calls, "aht_seconds": 200.0})
    with_offsets = tmp_path / "history.csv"
    frame.assign(interval_start=[t.isoformat(sep=" ") for t in truth]).to_csv(
        with_offsets, index=False
    )
    naive_local = tmp_path / "naive.csv"
    frame.assign(interval_start=truth.tz_localize(None).strftime("%Y-%m-%d %H:%M")).to_csv(
        naive_local, index=False
    )
    read = [read_interval_counts(source, time_zone=zone) for source in (with_offsets, naive_local)]
    read.append(read_interval_counts(frame, time_zone=zone))
    for history in read:
        data = history.data
        assert history.interval_minutes == 15
        assert len(data) == 6 * 96 + hours * 4
        assert (data["interval_start"].reset_index(drop=True) == pd.Series(truth)).all()
        assert np.array_equal(data["calls"].to_numpy(), calls)
    hourly = read_interval_counts(with_offsets, time_zone=zone, interval_minutes=60)
    per_day = hourly.data.groupby(hourly.data["interval_start"].dt.date).size()
    assert per_day[change] == hours
    assert hourly.data["calls"].sum() == calls.sum()


def test_history_with_two_offsets_still_needs_a_zone(tmp_path: Path) -> None:
    zone = "Europe/Stockholm"
    truth = pd.DatetimeIndex(_true_starts(dt.date(2027, 10, 31), 1, zone, 60)).tz_convert(zone)
    path = tmp_path / "history.csv"
    pd.DataFrame({"interval_start": [t.isoformat() for t in truth], "calls": 1.0}).to_csv(
        path, index=False
    )
    with pytest.raises(DataError, match="mixed time zones"):
        read_interval_counts(path)
    assert len(read_interval_counts(path, time_zone=zone).data) == 25


def test_forecast_over_a_change_keeps_the_local_clock_profile() -> None:
    zone = "America/New_York"
    starts = pd.DatetimeIndex(_true_starts(dt.date(2027, 9, 6), 56, zone, 30)).tz_convert(zone)
    wall = starts.tz_localize(None)
    calls = np.where((wall.hour >= 8) & (wall.hour < 18), 10.0 + wall.hour, 0.0)
    history = read_interval_counts(
        pd.DataFrame({"interval_start": starts, "calls": calls, "aht_seconds": 180.0}),
        time_zone=zone,
    )
    forecast = make_forecaster("seasonal_naive").fit(history).predict("2027-11-01", 7)
    stamps = forecast["interval_start"]
    assert str(stamps.dt.tz) == zone
    assert stamps.groupby(stamps.dt.date).size().tolist() == [48] * 6 + [50]
    local = stamps.dt.tz_localize(None)
    expected = np.where((local.dt.hour >= 8) & (local.dt.hour < 18), 10.0 + local.dt.hour, 0.0)
    assert np.array_equal(forecast["calls"].to_numpy(), expected)


# ----------------------------------------------------------------------------- scenario


def _scenario(tmp_path: Path, zone: str | None) -> Path:
    first = dt.date(2027, 3, 22)
    stamps = pd.DatetimeIndex(_true_starts(first, 7, "Europe/Stockholm", 15)).tz_convert(
        "Europe/Stockholm"
    )
    hour = stamps.hour
    pd.DataFrame(
        {
            "interval_start": [t.isoformat(sep=" ") for t in stamps],
            "required_scheduled": np.where((hour >= 8) & (hour < 16), 1.0, 0.0),
        }
    ).to_csv(tmp_path / "req.csv", index=False)
    doc = {
        "name": "dst",
        "week": {"start": first.isoformat(), "days": 7},
        "interval_minutes": 15,
        "demand": {"requirements": {"path": "req.csv"}},
        "templates": [
            {
                "name": "day",
                "earliest_start": "08:00",
                "latest_start": "08:00",
                "min_length_minutes": 480,
            }
        ],
        "contracts": [{"name": "full", "max_hours_per_week": 40, "max_days_per_week": 5}],
        "agents": [{"agent_id": "A1", "contract": "full"}],
    }
    if zone is not None:
        doc["time_zone"] = zone
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_scenario_time_zone_and_round_trip(tmp_path: Path) -> None:
    problem = load_scenario(_scenario(tmp_path, "Europe/Stockholm")).build_problem()
    assert problem.time_zone == "Europe/Stockholm"
    assert problem.n_intervals == 6 * 96 + 92
    out = tmp_path / "written"
    again = load_scenario(write_scenario(problem, out, name="dst")).build_problem()
    assert again.time_zone == problem.time_zone
    assert again.interval_starts.equals(problem.interval_starts)
    assert np.array_equal(again.required_scheduled, problem.required_scheduled)
    assert pd.read_csv(out / "requirements.csv")["interval_start"].iloc[-1] == (
        "2027-03-28 23:45+02:00"
    )


def test_scenario_rejects_an_unknown_time_zone(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="time_zone"):
        load_scenario(_scenario(tmp_path, "Europe/Stokholm"))


@pytest.mark.parametrize(("zone", "monday", "change", "hours"), CHANGES, ids=IDS)
def test_written_timestamps_read_back_to_the_same_instants(
    zone: str, monday: dt.date, change: dt.date, hours: int
) -> None:
    grid = IntervalGrid(start_date=change, days=1, interval_minutes=15, time_zone=zone)
    text = stamp_text(pd.DataFrame({"interval_start": grid.interval_starts}))["interval_start"]
    assert text.str.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d[+-]\d\d:\d\d$").all()
    back = parse_stamps(text, zone, where="interval_start")
    assert pd.DatetimeIndex(back).equals(grid.interval_starts)
    positions = grid.positions(text, "interval_start")
    assert np.array_equal(positions, np.arange(hours * 4))


def test_call_records_across_the_autumn_change_fill_the_25_hours() -> None:
    zone = "Europe/Stockholm"
    # one call in the middle of every 15 minutes of the 25-hour day, written with offsets
    truth = _true_starts(dt.date(2027, 10, 31), 1, zone, 15)
    arrivals = [
        pd.Timestamp(t + dt.timedelta(minutes=7)).tz_convert(zone).isoformat(sep=" ") for t in truth
    ]
    records = pd.DataFrame({"arrival_time": arrivals, "handle_seconds": 100.0})
    history = read_call_records(records, interval_minutes=15, time_zone=zone)
    assert len(history.data) == 100
    in_utc = history.data["interval_start"].dt.tz_convert("UTC")
    assert [s.to_pydatetime() for s in in_utc] == truth
    assert (history.data["calls"] == 1.0).all()


def test_scenario_from_a_history_with_offsets_across_a_change(tmp_path: Path) -> None:
    zone = "America/New_York"
    # from 2026-10-12 over the autumn change (1 November 2026) to the week before the spring one
    first = dt.date(2026, 10, 12)
    days = (dt.date(2027, 3, 8) - first).days
    starts = pd.DatetimeIndex(_true_starts(first, days, zone, 15)).tz_convert(zone)
    assert len(starts) == days * 96 + 4
    hour = starts.hour
    pd.DataFrame(
        {
            "interval_start": [t.isoformat(sep=" ") for t in starts],
            "calls": np.where((hour >= 8) & (hour < 16), 20.0, 0.0),
            "aht_seconds": 240.0,
        }
    ).to_csv(tmp_path / "history.csv", index=False)
    path = _scenario(tmp_path, zone)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["week"]["start"] = "2027-03-08"  # its Sunday is the spring change
    doc["demand"] = {"history": {"path": "history.csv", "method": "seasonal_naive"}}
    doc["service"] = {"target": 0.8, "answer_within_seconds": 20}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    run = load_scenario(path).pipeline()
    assert run.history is not None and len(run.history.data) == len(starts)
    assert run.forecast is not None and len(run.forecast) == 6 * 96 + 92
    problem = run.problem
    assert problem.n_intervals == 6 * 96 + 92
    local_hour = problem.interval_starts.hour
    open_ = (local_hour >= 8) & (local_hour < 16)
    assert (problem.required_scheduled[open_] > 0).all()
    assert (problem.required_scheduled[~open_] == 0).all()
