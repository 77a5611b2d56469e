"""Simulation and call-log actuals across clock changes, against independent truth.

Truth here is elapsed time counted in UTC by hand (``zoneinfo`` gives the
offsets), the naive simulation of the same roster where no clock changes,
and brute-force counts of calls per interval by instant.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.actuals import CallLogMapping, actuals_report, plan_vs_actual, read_call_log
from wfm.cli import main
from wfm.errors import DataError
from wfm.kpis import KpiSettings, kpi_table
from wfm.simulate import (
    AgentSchedule,
    Shrinkage,
    SimulationOptions,
    SimulationProblem,
    contacts_table,
    run_replications,
    run_simulation,
)
from wfm.timegrid import IntervalGrid, stamp_column_text

ZONE = "Europe/Stockholm"
HOUR = pd.Timedelta(hours=1)


def grid(first: dt.date, days: int, zone: str | None = ZONE) -> IntervalGrid:
    return IntervalGrid(start_date=first, days=days, interval_minutes=15, time_zone=zone)


def text(stamps: pd.Series | pd.DatetimeIndex) -> list[str]:
    """Timestamps as ``wfm roster`` writes them (``2027-03-28 03:00+02:00``)."""
    return stamp_column_text(pd.Series(stamps)).tolist()


def utc(stamp: str) -> pd.Timestamp:
    return pd.Timestamp(stamp).tz_convert("UTC")


# ----------------------------------------------------------------------------- simulation


def autumn_roster(
    calls: float = 6.0, *, quiet_change_day: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stockholm, 2027-10-30 to 11-01: shifts 00-09, 08-17, 15-24 each day, and the demand."""
    g = grid(dt.date(2027, 10, 30), 3)
    demand = pd.DataFrame({"interval_start": text(g.interval_starts), "calls": calls})
    demand["aht_seconds"] = 240.0
    if quiet_change_day:
        demand.loc[g.day_first[1] : g.day_first[2] - 1, "calls"] = 0.0
    shifts = []
    for day in range(3):
        for agent, (begin, end) in enumerate(((0, 9 * 60), (8 * 60, 17 * 60), (15 * 60, 1440))):
            start = g.stamp(g.clock_interval(day, begin) or 0)
            stop = g.stamp(g.clock_interval(day, end) or 0) if end < 1440 else g.day_start(day + 1)
            shifts.append((f"a{agent}", start, stop))
    roster = pd.DataFrame(shifts, columns=["agent_id", "start", "end"])
    roster["start"] = text(roster["start"])
    roster["end"] = text(roster["end"])
    return demand, roster


def naive(values: pd.Series) -> pd.Series:
    """Wall-clock times of timestamps with offsets (what the naive simulation sees)."""
    return pd.to_datetime(values.str[:16])


def test_a_25_hour_day_has_100_intervals_and_matches_the_naive_run_before_the_change() -> None:
    demand, roster = autumn_roster()
    problem = SimulationProblem(demand=demand, schedule=AgentSchedule.from_roster(roster))
    aware = run_simulation(problem, SimulationOptions(replications=3, seed=3))
    days = aware.days.set_index(aware.days["date"].dt.strftime("%Y-%m-%d"))
    per_day = aware.intervals.groupby(aware.intervals["interval_start"].dt.strftime("%Y-%m-%d"))
    assert per_day.size().to_dict() == {"2027-10-30": 96, "2027-10-31": 100, "2027-11-01": 96}
    # on-duty time is elapsed time: three 9-hour shifts, 00:00-09:00 lasting 10 on the long day
    assert days["on_duty_agent_hours"].tolist() == pytest.approx([27.0, 28.0, 27.0])


def test_days_without_a_change_match_the_same_roster_simulated_as_naive() -> None:
    # no calls on the change day, so both runs draw the same calls for the other two
    # (a Poisson draw of mean 0 takes nothing from the stream), an hour apart in
    # elapsed time on 11-01 but at the same wall-clock times
    demand, roster = autumn_roster(calls=8.0, quiet_change_day=True)
    options = SimulationOptions(replications=3, seed=4)
    aware = run_simulation(
        SimulationProblem(demand=demand, schedule=AgentSchedule.from_roster(roster)), options
    )
    repeated = demand["interval_start"].str[:16].duplicated(keep="first")
    wall_demand = demand.loc[~repeated].assign(interval_start=naive(demand["interval_start"]))
    wall_roster = roster.assign(start=naive(roster["start"]), end=naive(roster["end"]))
    plain = run_simulation(
        SimulationProblem(demand=wall_demand, schedule=AgentSchedule.from_roster(wall_roster)),
        options,
    )
    columns = ["replication", "offered", "answered_within", "asa_seconds", "busy_seconds"]
    columns += ["on_duty_agent_seconds", "queued_at_close"]
    for day in ("2027-10-30", "2027-11-01"):
        a = aware.interval_kpis[aware.interval_kpis["interval_start"].dt.strftime("%F") == day]
        b = plain.interval_kpis[plain.interval_kpis["interval_start"].dt.strftime("%F") == day]
        assert len(a) == len(b) == 3 * 96
        assert a["offered"].sum() > 1000 and a["answered_within"].sum() > 0
        assert a["interval_start"].dt.strftime("%H:%M").tolist() == (
            b["interval_start"].dt.strftime("%H:%M").tolist()
        )
        pd.testing.assert_frame_equal(
            a[columns].reset_index(drop=True), b[columns].reset_index(drop=True)
        )
    assert len(plain.interval_kpis) == 3 * 3 * 96
    assert len(aware.interval_kpis) == 3 * (96 + 100 + 96)


def test_calls_in_the_repeated_autumn_hour_fall_in_the_right_run_of_it() -> None:
    demand, roster = autumn_roster()
    problem = SimulationProblem(demand=demand, schedule=AgentSchedule.from_roster(roster))
    origin = problem.interval_index[0]
    settings = KpiSettings(interval_minutes=15)
    starts_utc = [t.tz_convert("UTC") for t in problem.interval_index]
    repeated = [i for i, t in enumerate(problem.interval_index) if t.month == 10 and t.day == 31]
    repeated = [i for i in repeated if problem.interval_index[i].hour == 2]
    assert len(repeated) == 8  # 02:00-02:45 twice
    assert {str(problem.interval_index[i])[-6:] for i in repeated} == {"+02:00", "+01:00"}
    for rep in run_replications(problem, SimulationOptions(replications=3, seed=1)):
        contacts = contacts_table(rep, origin=origin, agent_ids=problem.schedule.agent_ids)
        table = kpi_table(contacts.drop(columns="queued_at_close"), settings=settings)
        table = table.set_index("interval_start")
        # brute force: each call's UTC instant against each interval's UTC span
        instants = [utc("2027-10-29 22:00Z") + pd.Timedelta(seconds=s) for s in rep.arrival_seconds]
        for i in repeated:
            lo = starts_utc[i]
            hi = lo + pd.Timedelta(minutes=15)
            expected = sum(lo <= t < hi for t in instants)
            assert expected > 0
            assert table.loc[problem.interval_index[i], "offered"] == expected


def test_a_22_to_07_shift_over_spring_serves_calls_in_its_8_elapsed_hours_only() -> None:
    g = grid(dt.date(2027, 3, 27), 2)
    demand = pd.DataFrame(
        {"interval_start": text(g.interval_starts), "calls": 3.0, "aht_seconds": 200.0}
    )
    roster = pd.DataFrame(
        {
            "agent_id": ["night"],
            "start": ["2027-03-27 22:00+01:00"],
            "end": ["2027-03-28 07:00+02:00"],
        }
    )
    breaks = pd.DataFrame(
        {
            "agent_id": ["night"],
            "start": ["2027-03-28 01:30+01:00"],
            "end": ["2027-03-28 03:00+02:00"],  # 30 elapsed minutes: 03:00 follows 01:59
        }
    )
    problem = SimulationProblem(demand=demand, schedule=AgentSchedule.from_roster(roster, breaks))
    on_from, on_to = utc("2027-03-27 21:00Z"), utc("2027-03-28 05:00Z")
    pause = (utc("2027-03-28 00:30Z"), utc("2027-03-28 01:00Z"))
    origin = utc("2027-03-26 23:00Z")
    answered = 0
    for rep in run_replications(problem, SimulationOptions(replications=3, seed=2)):
        # on-duty seconds per interval, brute force over the interval's UTC span
        for i, start in enumerate(g.interval_starts):
            lo = start.tz_convert("UTC")
            hi = lo + pd.Timedelta(minutes=15)
            on = max(pd.Timedelta(0), min(hi, on_to) - max(lo, on_from))
            on -= max(pd.Timedelta(0), min(hi, pause[1]) - max(lo, pause[0]))
            assert rep.on_duty_seconds[i] == pytest.approx(on.total_seconds())
        assert rep.on_duty_seconds.sum() == pytest.approx(7.5 * 3600)
        for k in np.flatnonzero(rep.answered):
            begun = origin + pd.Timedelta(seconds=rep.arrival_seconds[k] + rep.wait_seconds[k])
            assert on_from <= begun < on_to
            assert not pause[0] <= begun < pause[1]
            answered += 1
    assert answered > 50


def test_day_volume_factor_and_day_shrinkage_follow_local_days() -> None:
    g = grid(dt.date(2027, 10, 30), 3)
    demand = pd.DataFrame({"interval_start": g.interval_starts, "calls": 40.0})
    demand["aht_seconds"] = 60.0
    agents = pd.DataFrame(
        {
            "agent_id": [f"a{k}" for k in range(6)],
            "start": g.horizon_start,
            "end": g.horizon_end,
        }
    )
    problem = SimulationProblem(
        demand=demand,
        schedule=AgentSchedule(spans=agents),
        shrinkage=Shrinkage(rate=0.5, unit="day"),
        day_volume_cv=0.6,
    )
    result = run_simulation(problem, SimulationOptions(replications=6, seed=5))
    kpis = result.interval_kpis
    local_day = kpis["interval_start"].dt.strftime("%Y-%m-%d")
    # 00:00-01:00 local on the 31st is still the 30th in UTC
    first_hour = (local_day == "2027-10-31") & (kpis["interval_start"].dt.hour == 0)
    assert (kpis.loc[first_hour, "interval_start"].dt.tz_convert("UTC").dt.day == 30).all()
    differs = 0
    for _, own in kpis.groupby("replication"):
        day = own["interval_start"].dt.strftime("%Y-%m-%d")
        # shrinkage takes whole local days: the agents on duty are the same all day
        # (a lost day that starts during a call starts when the call ends: seconds)
        agents_on = np.round(own["on_duty_agent_seconds"] / 900.0)
        for _, count in agents_on.groupby(day):
            assert count.nunique() == 1
        long_day = own[day == "2027-10-31"]
        early = long_day["interval_start"].dt.hour == 0
        rate_early = long_day.loc[early, "offered"].mean()
        rate_rest = long_day.loc[~early, "offered"].mean()
        rate_before = own.loc[day == "2027-10-30", "offered"].mean()
        if abs(rate_rest / rate_before - 1) > 0.5:
            differs += 1
            # the first local hour follows its local day, not the UTC day before
            assert abs(rate_early / rate_rest - 1) < abs(rate_early / rate_before - 1)
    assert differs >= 2


def test_simulate_command_writes_the_local_grid_with_the_roster_offsets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demand, roster = autumn_roster()
    directory = tmp_path / "roster"
    directory.mkdir()
    roster.to_csv(directory / "roster.csv", index=False)
    pd.DataFrame(columns=["agent_id", "start", "end"]).to_csv(directory / "breaks.csv")
    demand.to_csv(directory / "coverage.csv", index=False)
    code = main(["simulate", str(directory), "-o", str(tmp_path / "sim"), "--replications", "3"])
    assert code == 0, capsys.readouterr().err
    intervals = pd.read_csv(tmp_path / "sim" / "intervals.csv", dtype={"interval_start": str})
    assert intervals["interval_start"].tolist() == demand["interval_start"].tolist()
    days = pd.read_csv(tmp_path / "sim" / "days.csv")
    assert days["date"].tolist() == ["2027-10-30", "2027-10-31", "2027-11-01"]
    assert days["on_duty_agent_hours"].tolist() == pytest.approx([27.0, 28.0, 27.0])
    weeks = pd.read_csv(tmp_path / "sim" / "weeks.csv")
    assert weeks["week_start"].tolist() == ["2027-10-30"]
    assert json.loads((tmp_path / "sim" / "summary.json").read_text())["weeks"] == 1


def test_simulate_command_takes_the_zone_the_roster_summary_names(tmp_path: Path) -> None:
    demand, roster = autumn_roster()
    days = {}
    for zone in (None, ZONE, "Asia/Tokyo"):
        directory = tmp_path / f"roster-{zone}".replace("/", "-")
        directory.mkdir()
        roster.to_csv(directory / "roster.csv", index=False)
        pd.DataFrame(columns=["agent_id", "start", "end"]).to_csv(directory / "breaks.csv")
        demand.to_csv(directory / "coverage.csv", index=False)
        if zone is not None:
            (directory / "summary.json").write_text(json.dumps({"time_zone": zone}))
        out = directory / "sim"
        assert main(["simulate", str(directory), "-o", str(out), "--replications", "2"]) == 0
        days[zone] = pd.read_csv(out / "days.csv")["date"].tolist()
    # the offsets alone and the zone they came from agree; another zone has other local days
    assert days[None] == days[ZONE] == ["2027-10-30", "2027-10-31", "2027-11-01"]
    assert days["Asia/Tokyo"] != days[ZONE]


# ----------------------------------------------------------------------------- actuals


def autumn_log() -> tuple[pd.DataFrame, list[pd.Timestamp]]:
    """One answered call every 5 minutes from local midnight 10-31 to 11-01, with offsets."""
    instants = list(pd.date_range("2027-10-30 22:00Z", "2027-10-31 22:55Z", freq="5min"))
    local = pd.DatetimeIndex(instants).tz_convert(ZONE)
    frame = pd.DataFrame(
        {
            "start": [t.strftime("%Y-%m-%d %H:%M:%S%z") for t in local],
            "wait": "4",
            "talk": "100",
            "result": "OK",
            "agent": "x",
        }
    )
    return frame, instants


def mapping(**kwargs: object) -> CallLogMapping:
    return CallLogMapping(
        arrival_column="start",
        wait_seconds_column="wait",
        handle_seconds_column="talk",
        outcome_column="result",
        answered_labels=("OK",),
        abandoned_labels=("GONE",),
        agent_id_column="agent",
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_log_across_the_autumn_change_gives_100_intervals_that_day() -> None:
    frame, instants = autumn_log()
    log = read_call_log(frame, mapping())
    assert log.summary.rows_used == len(instants) == 25 * 12
    assert [t.tz_convert("UTC") for t in log.contacts["arrival"]] == instants
    report = actuals_report(log, settings=KpiSettings(interval_minutes=15))
    day = report.intervals["interval_start"].dt.strftime("%Y-%m-%d")
    assert (day == "2027-10-31").sum() == 100
    assert (report.intervals["offered"] == 3).all()
    assert report.days["offered"].tolist() == [300]
    hour_two = report.intervals[report.intervals["interval_start"].dt.hour == 2]
    assert sorted({str(t)[-6:] for t in hour_two["interval_start"]}) == ["+01:00", "+02:00"]
    assert len(hour_two) == 8

    # the same log as naive local times, with the zone in the mapping: same instants
    naive_frame = frame.assign(start=[s[:19] for s in frame["start"]])
    local = read_call_log(naive_frame, mapping(time_zone=ZONE))
    assert [t.tz_convert("UTC") for t in local.contacts["arrival"]] == instants


def test_plan_vs_actual_matches_the_plans_intervals_by_instant() -> None:
    frame, _ = autumn_log()
    log = read_call_log(frame, mapping(time_zone=ZONE))
    g = grid(dt.date(2027, 10, 31), 1)
    plan = pd.DataFrame({"interval_start": text(g.interval_starts), "calls": 3.0})
    compared = plan_vs_actual(
        plan, log.contacts.drop(columns="line"), settings=KpiSettings(interval_minutes=15)
    )
    assert len(compared.intervals) == 100
    assert (compared.intervals["match"] == "both").all()
    assert (compared.intervals["actual_offered"] == 3).all()
    assert compared.days["forecast_calls"].tolist() == [300.0]
    assert compared.days["actual_offered"].tolist() == [300]


def test_kpi_intervals_of_the_two_runs_of_the_repeated_hour() -> None:
    contacts = pd.DataFrame(
        {
            "arrival": pd.to_datetime(
                ["2027-10-31 02:10+02:00", "2027-10-31 02:10+01:00", "2027-10-31 02:20+01:00"],
                utc=True,
            ).tz_convert(ZONE),
            "wait_seconds": [1.0, 30.0, 2.0],
            "outcome": ["answered"] * 3,
            "handle_seconds": [60.0] * 3,
        }
    )
    table = kpi_table(contacts, settings=KpiSettings(interval_minutes=15))
    assert text(table["interval_start"]) == [
        "2027-10-31 02:00+02:00",
        "2027-10-31 02:00+01:00",
        "2027-10-31 02:15+01:00",
    ]
    assert table["offered"].tolist() == [1, 1, 1]
    assert table["answered_within"].tolist() == [1, 0, 1]


def test_actuals_command_across_the_autumn_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame, _ = autumn_log()
    frame.to_csv(tmp_path / "calls.csv", index=False)
    (tmp_path / "map.yaml").write_text(
        "arrival: start\nwait_seconds: wait\nhandle_seconds: talk\n"
        "outcome: {column: result, answered: [OK], abandoned: [GONE]}\nagent_id: agent\n"
    )
    g = grid(dt.date(2027, 10, 31), 1)
    plan = pd.DataFrame({"interval_start": text(g.interval_starts), "calls": 3.0})
    plan.to_csv(tmp_path / "plan.csv", index=False)
    out = tmp_path / "out"
    files = ["--mapping", str(tmp_path / "map.yaml"), "--plan", str(tmp_path / "plan.csv")]
    code = main(
        ["actuals", str(tmp_path / "calls.csv"), *files, "-o", str(out), "--interval", "15"]
    )
    assert code == 0, capsys.readouterr().err
    intervals = pd.read_csv(out / "intervals.csv", dtype={"interval_start": str})
    assert intervals["interval_start"].tolist() == plan["interval_start"].tolist()
    assert (intervals["offered"] == 3).all()
    compared = pd.read_csv(out / "plan_vs_actual.csv", dtype={"interval_start": str})
    assert compared["interval_start"].tolist() == plan["interval_start"].tolist()
    assert (compared["match"] == "both").all()
    days = pd.read_csv(out / "days.csv", dtype={"date": str})
    assert days["date"].tolist() == ["2027-10-31"] and days["offered"].tolist() == [300]
    assert pd.read_csv(out / "plan_vs_actual_days.csv", dtype={"date": str})["date"].tolist() == [
        "2027-10-31"
    ]


@pytest.mark.slow
def test_risk_loop_in_a_time_zone_raises_what_the_naive_loop_raises() -> None:
    # the test_risk instance (open 08:00-16:00) moved onto the spring change in Stockholm:
    # the clocks change at night, so the loop must see the same shortfalls
    import dataclasses
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import test_risk

    from wfm.risk import roster_for_share

    base = test_risk.small_problem()
    moved = pd.to_datetime(base.requirements["interval_start"]) + pd.Timedelta(
        days=(dt.date(2027, 3, 27) - test_risk.DAY).days
    )
    plain = dataclasses.replace(
        base,
        start_date=dt.date(2027, 3, 27),
        requirements=base.requirements.assign(interval_start=moved),
    )
    zoned = dataclasses.replace(
        plain,
        time_zone=ZONE,
        requirements=plain.requirements.assign(
            interval_start=plain.requirements["interval_start"].dt.tz_localize(ZONE)
        ),
    )
    rounds = []
    for problem in (plain, zoned):
        found = roster_for_share(problem, test_risk.TARGET, options=test_risk.OPTIONS)
        rounds.append([(r.share, r.raised_intervals) for r in found.rounds])
    assert rounds[0][0][1] > 0  # the plain loop raises something in its first round
    assert rounds[1] == rounds[0]


def test_naive_local_times_with_a_time_zone_are_the_same_instants_as_offsets() -> None:
    g = grid(dt.date(2027, 3, 27), 2)
    demand = pd.DataFrame(
        {"interval_start": text(g.interval_starts), "calls": 4.0, "aht_seconds": 200.0}
    )
    roster = pd.DataFrame(
        {"agent_id": ["n", "d"], "start": ["2027-03-27 22:00+01:00", "2027-03-28 06:00+02:00"]}
    )
    roster["end"] = ["2027-03-28 07:00+02:00", "2027-03-28 14:00+02:00"]
    options = SimulationOptions(replications=2, seed=9)
    with_offsets = run_simulation(
        SimulationProblem(demand=demand, schedule=AgentSchedule.from_roster(roster)), options
    )
    local = run_simulation(
        SimulationProblem(
            demand=demand.assign(interval_start=naive(demand["interval_start"])),
            schedule=AgentSchedule.from_roster(
                roster.assign(start=naive(roster["start"]), end=naive(roster["end"]))
            ),
            time_zone=ZONE,
        ),
        options,
    )
    assert len(local.intervals) == 96 + 92
    pd.testing.assert_frame_equal(
        local.interval_kpis.assign(interval_start=text(local.interval_kpis["interval_start"])),
        with_offsets.interval_kpis.assign(
            interval_start=text(with_offsets.interval_kpis["interval_start"])
        ),
    )


def test_offsets_on_one_side_only_are_named() -> None:
    g = grid(dt.date(2027, 3, 27), 1)
    demand = pd.DataFrame({"interval_start": g.interval_starts.tz_localize(None), "calls": 1.0})
    demand["aht_seconds"] = 100.0
    roster = pd.DataFrame(
        {"agent_id": ["a"], "start": ["2027-03-27 08:00+01:00"], "end": ["2027-03-27 12:00+01:00"]}
    )
    with pytest.raises(DataError, match=r"schedule\.start"):
        SimulationProblem(demand=demand, schedule=AgentSchedule.from_roster(roster))
    mixed = roster.assign(end=["2027-03-27 12:00"])
    with pytest.raises(DataError, match=r"schedule\.end"):
        AgentSchedule.from_roster(mixed)
