"""Requirements per queue and channel (wfm.channels): voice, chat concurrency, e-mail backlog."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from wfm import erlang, staffing
from wfm.channels import (
    QUEUE_REQUIREMENT_COLUMNS,
    backlog,
    chat_session_aht_seconds,
    deadline_intervals,
    queue_requirements,
)
from wfm.errors import DataError, ValidationError
from wfm.queues import Channel, Queue, QueueSet
from wfm.service import ServicePolicy
from wfm.timegrid import IntervalGrid

SHRINKAGE = 0.3
POLICY = ServicePolicy.parse("0.8/20", shrinkage=SHRINKAGE)
START = pd.Timestamp("2024-01-01 00:00")


def _day(calls: list[float], aht: float = 240.0) -> pd.DataFrame:
    """One queue's forecast on a 30-minute grid, closed where there are no calls."""
    n = len(calls)
    return pd.DataFrame(
        {
            "interval_start": pd.date_range(START, periods=n, freq="30min"),
            "calls": np.asarray(calls, dtype=float),
            "aht_seconds": np.full(n, aht),
            "is_open": np.asarray(calls) > 0,
        }
    )


def _demand(**per_queue: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([f.assign(queue=name) for name, f in per_queue.items()], ignore_index=True)


def _volumes(n: int = 48, peak: float = 120.0) -> list[float]:
    t = np.arange(n)
    curve = peak * np.exp(-(((t - 26) / 7.0) ** 2))
    return [float(round(v, 1)) if 14 <= i < 44 else 0.0 for i, v in enumerate(curve)]


def test_one_voice_queue_gives_the_single_queue_figures() -> None:
    forecast = _day(_volumes())
    centre = QueueSet(queues=(Queue(name="sales", service=POLICY),), shrinkage=SHRINKAGE)
    table = queue_requirements(_demand(sales=forecast), centre)
    single = staffing.requirements(forecast, policy=POLICY)
    assert tuple(table.columns) == QUEUE_REQUIREMENT_COLUMNS
    assert (table["queue"] == "sales").all() and (table["channel"] == "voice").all()
    for column in QUEUE_REQUIREMENT_COLUMNS:
        if column in single.columns:
            pd.testing.assert_series_equal(
                table[column], single[column], check_names=False, check_index=False
            )
    assert (table["work_on_phone_agent_hours"] == 0).all()
    assert single["required_on_phone"].max() > 10  # a real day, not an empty one


def test_one_voice_queue_under_erlang_a_with_patience_per_interval() -> None:
    policy = ServicePolicy(
        level=0.8, answer_within_seconds=20, patience_seconds=120, shrinkage=SHRINKAGE
    )
    forecast = _day(_volumes()).assign(patience_seconds=90.0)
    centre = QueueSet(queues=(Queue(name="v", service=policy),), shrinkage=SHRINKAGE)
    table = queue_requirements(_demand(v=forecast), centre)
    single = staffing.requirements(forecast, policy=policy)
    np.testing.assert_array_equal(table["required_scheduled"], single["required_scheduled"])
    np.testing.assert_allclose(table["service_level"], single["service_level"])


def test_chat_with_one_session_is_voice() -> None:
    forecast = _day(_volumes())
    voice = QueueSet(queues=(Queue(name="q", service=POLICY),), shrinkage=SHRINKAGE)
    chat = QueueSet(
        queues=(Queue(name="q", channel=Channel.CHAT, service=POLICY, max_sessions=1),),
        shrinkage=SHRINKAGE,
    )
    a = queue_requirements(_demand(q=forecast), voice)
    b = queue_requirements(_demand(q=forecast), chat)
    assert (b["channel"] == "chat").all()
    pd.testing.assert_frame_equal(a.drop(columns="channel"), b.drop(columns="channel"))


@pytest.mark.parametrize("k", [2, 3, 4])
def test_chat_without_slowdown_needs_a_kth_of_the_agents(k: int) -> None:
    # without slowdown the slots needed are the voice agents; agents = ceil(slots / k)
    forecast = _day([50.0, 400.0, 2000.0, 8000.0])
    voice = QueueSet(queues=(Queue(name="q", service=POLICY),), shrinkage=SHRINKAGE)
    chat = QueueSet(
        queues=(Queue(name="q", channel=Channel.CHAT, service=POLICY, max_sessions=k),),
        shrinkage=SHRINKAGE,
    )
    v = queue_requirements(_demand(q=forecast), voice)["required_on_phone"].to_numpy()
    c = queue_requirements(_demand(q=forecast), chat)["required_on_phone"].to_numpy()
    np.testing.assert_array_equal(c, np.ceil(v / k).astype(int))
    # for large traffic the ratio tends to 1/k (the ceiling costs under one agent)
    assert abs(c[-1] * k / v[-1] - 1.0) < k / v[-1] + 1e-12
    assert v[-1] > 500


def _brute_force_slots(traffic: float, aht: float, *, level: float, within: float) -> int:
    n = 1
    while n <= traffic or (
        erlang.service_level(traffic, n, aht_seconds=aht, answer_within_seconds=within) < level
    ):
        n += 1
    return n


@pytest.mark.parametrize(
    ("k", "slowdown", "calls", "aht"),
    [(2, 0.1, 60.0, 300.0), (3, 0.25, 150.0, 200.0), (3, 0.0, 17.0, 420.0), (5, 0.5, 90.0, 120.0)],
)
def test_chat_slot_arithmetic_against_brute_force(
    k: int, slowdown: float, calls: float, aht: float
) -> None:
    policy = ServicePolicy.parse("0.9/60", shrinkage=SHRINKAGE)
    queue = Queue(
        name="chat",
        channel=Channel.CHAT,
        service=policy,
        max_sessions=k,
        session_slowdown=slowdown,
    )
    centre = QueueSet(queues=(queue,), shrinkage=SHRINKAGE)
    table = queue_requirements(_demand(chat=_day([calls], aht=aht)), centre, interval_minutes=30)
    row = table.iloc[0]
    session_aht = aht * (1 + slowdown * (k - 1))
    assert chat_session_aht_seconds(aht, queue=queue) == pytest.approx(session_aht)
    traffic = calls * session_aht / 1800.0
    assert row["traffic_erlangs"] == pytest.approx(traffic)
    slots = _brute_force_slots(traffic, session_aht, level=0.9, within=60.0)
    agents = math.ceil(slots / k)
    assert row["required_on_phone"] == agents
    assert row["required_scheduled"] == math.ceil(agents / (1 - SHRINKAGE) - 1e-9)
    assert row["service_level"] == pytest.approx(
        erlang.service_level(traffic, agents * k, aht_seconds=session_aht, answer_within_seconds=60)
    )
    assert row["service_level"] >= 0.9
    assert row["occupancy"] == pytest.approx(traffic / (agents * k))
    # the fractional requirement is the fractional slots over k, below the whole one
    assert agents - 1 < row["required_scheduled_fractional"] * (1 - SHRINKAGE) <= agents


def test_email_rows_carry_the_work_not_a_requirement() -> None:
    mail = Queue(name="mail", channel=Channel.EMAIL, response_hours=8)
    centre = QueueSet(queues=(Queue(name="v", service=POLICY), mail), shrinkage=SHRINKAGE)
    calls = [0.0, 30.0, 12.0]
    table = queue_requirements(
        _demand(v=_day([10.0, 20.0, 0.0]), mail=_day(calls, aht=360.0).drop(columns="is_open")),
        centre,
    )
    assert table["queue"].tolist() == ["v", "mail"] * 3  # by interval, in the set's order
    rows = table[table["queue"] == "mail"]
    work = np.asarray(calls) * 360.0 / 3600.0
    np.testing.assert_allclose(rows["work_on_phone_agent_hours"], work)
    np.testing.assert_allclose(rows["work_scheduled_agent_hours"], work / (1 - SHRINKAGE))
    assert (rows["required_scheduled"] == 0).all() and (rows["required_on_phone"] == 0).all()
    assert rows["service_level"].isna().all() and rows["occupancy"].isna().all()
    assert (table.loc[table["queue"] == "v", "work_scheduled_agent_hours"] == 0).all()


def _centre() -> QueueSet:
    return QueueSet(
        queues=(
            Queue(name="v", service=POLICY),
            Queue(name="out", channel=Channel.OUTBOUND, outbound_hours_per_day=4),
        ),
        shrinkage=SHRINKAGE,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.assign(queue=["v", "x", "v"]), r"demand\.queue\[row 1\]: got 'x'"),
        (lambda d: d.assign(queue=["v", "out", "v"]), r"demand\.queue\[row 1\]: got 'out'"),
        (lambda d: pd.concat([d, d.iloc[[0]]]), r"demand\[row 3\]"),
        (lambda d: d.drop(columns="aht_seconds"), r"demand: got .*aht_seconds"),
        (lambda d: d.assign(calls=[1.0, -2.0, 3.0]), r"demand\[queue 'v'\]\.calls\[row 1\]"),
        (
            lambda d: d.assign(interval_start=d["interval_start"].astype(str)),
            r"demand\.interval_start",
        ),
    ],
)
def test_bad_demand_is_named_in_one_line(change: object, field: str) -> None:
    demand = _demand(v=_day([5.0, 6.0, 7.0]))
    with pytest.raises(DataError, match=field) as info:
        queue_requirements(change(demand), _centre())  # type: ignore[operator]
    assert "\n" not in str(info.value) and "expected" in str(info.value)


def test_queues_on_different_grids_are_refused() -> None:
    centre = QueueSet(
        queues=(Queue(name="a", service=POLICY), Queue(name="b", service=POLICY)),
        shrinkage=SHRINKAGE,
    )
    demand = _demand(a=_day([5.0, 6.0, 7.0]), b=_day([5.0, 6.0]))
    with pytest.raises(DataError, match=r"demand\[queue 'b'\]: got '2 intervals'"):
        queue_requirements(demand, centre)
    grid = IntervalGrid(start_date=dt.date(2024, 1, 2), days=1, interval_minutes=30)
    with pytest.raises(DataError, match=r"demand\.interval_start: .*48 intervals of the grid"):
        queue_requirements(_demand(a=_day([1.0] * 48), b=_day([1.0] * 48)), centre, grid=grid)
    on_grid = _day([1.0] * 48).assign(interval_start=grid.interval_starts)
    table = queue_requirements(_demand(a=on_grid, b=on_grid), centre, grid=grid)
    assert len(table) == 96
    with pytest.raises(ValidationError, match="interval_minutes"):
        queue_requirements(_demand(a=on_grid, b=on_grid), centre, grid=grid, interval_minutes=15)


def test_backlog_cleared_within_its_deadline_by_hand() -> None:
    # 3 agent-hours arrive, then 1, later 2; one agent-hour of capacity per interval
    work = [3.0, 1.0, 0.0, 0.0, 2.0, 0.0]
    capacity = [1.0] * 6
    r = backlog(work, capacity, deadline_intervals=2)
    np.testing.assert_allclose(r.backlog_agent_hours, [2, 2, 1, 0, 1, 0])
    np.testing.assert_allclose(r.done_agent_hours, [1, 1, 1, 1, 1, 1])
    np.testing.assert_allclose(r.late_agent_hours, 0.0)
    # due inside the horizon: the work of intervals 0-3 (4 agent-hours), all on time
    assert r.due_agent_hours == pytest.approx(4.0)
    assert r.share_within_deadline == pytest.approx(1.0)
    # one interval less: interval 0's work is 1 h late at the end of interval 1, then
    # interval 1's hour is late at the end of 2; the last 2 h are on time
    r = backlog(work, capacity, deadline_intervals=1)
    np.testing.assert_allclose(r.late_agent_hours, [0, 1, 1, 0, 0, 0])
    assert r.due_agent_hours == pytest.approx(6.0)
    assert r.on_time_agent_hours == pytest.approx(4.0)
    assert r.share_within_deadline == pytest.approx(4 / 6)


def _unit_fifo(work: list[int], capacity: list[int], deadline: int) -> tuple[int, int]:
    """Whole units of work served one by one, oldest first: (units due, units on time)."""
    waiting: list[int] = []  # arrival interval of each unit
    finished: list[tuple[int, int]] = []
    for t, (w, c) in enumerate(zip(work, capacity, strict=True)):
        waiting.extend([t] * w)
        for _ in range(min(c, len(waiting))):
            finished.append((waiting.pop(0), t))
    n = len(work)
    due = sum(w for s, w in enumerate(work) if s + deadline < n)
    on_time = sum(1 for s, t in finished if s + deadline < n and t <= s + deadline)
    return due, on_time


def test_backlog_matches_unit_by_unit_fifo() -> None:
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(3, 12))
        work = rng.integers(0, 6, n).tolist()
        capacity = rng.integers(0, 5, n).tolist()
        deadline = int(rng.integers(0, 4))
        r = backlog(work, capacity, deadline_intervals=deadline)
        due, on_time = _unit_fifo(work, capacity, deadline)
        assert r.due_agent_hours == pytest.approx(due)
        assert r.on_time_agent_hours == pytest.approx(on_time)


def test_backlog_checks_its_arguments() -> None:
    with pytest.raises(ValidationError, match=r"work_agent_hours\[1\]: got -1.0"):
        backlog([1.0, -1.0], [1.0, 1.0], deadline_intervals=1)
    with pytest.raises(ValidationError, match="capacity_agent_hours"):
        backlog([1.0, 1.0], [1.0], deadline_intervals=1)
    with pytest.raises(ValidationError, match="deadline_intervals"):
        backlog([1.0], [1.0], deadline_intervals=-1)
    assert math.isnan(backlog([1.0], [1.0], deadline_intervals=3).share_within_deadline)


def test_an_email_backlog_from_the_demand_cleared_within_its_deadline() -> None:
    # 2 h deadline on 30-minute intervals: 4 intervals; 60 items of 6 minutes (6 h of
    # work) at 09:00, worked by 2 agents on the phone (1 agent-hour per interval)
    mail = Queue(name="mail", channel=Channel.EMAIL, response_hours=2.25)
    centre = QueueSet(queues=(mail,), shrinkage=SHRINKAGE)
    demand = _day([60.0, 0, 0, 0, 0, 0, 0, 0], aht=360.0).drop(columns="is_open")
    table = queue_requirements(demand.assign(queue="mail"), centre)
    d = deadline_intervals(mail, interval_minutes=30)
    assert d == 4
    work = table["work_on_phone_agent_hours"].to_numpy()
    r = backlog(work, np.full(8, 1.0), deadline_intervals=d)
    # done by the end of interval 4: 5 of the 6 agent-hours; the last is 1 h late
    assert r.on_time_agent_hours == pytest.approx(5.0)
    np.testing.assert_allclose(r.late_agent_hours, [0, 0, 0, 0, 1, 0, 0, 0])
    r = backlog(work, np.full(8, 1.5), deadline_intervals=d)
    assert r.share_within_deadline == pytest.approx(1.0)
    np.testing.assert_allclose(r.backlog_agent_hours, [4.5, 3, 1.5, 0, 0, 0, 0, 0])
    with pytest.raises(ValidationError, match="queue"):
        deadline_intervals(Queue(name="v", service=POLICY), interval_minutes=30)
