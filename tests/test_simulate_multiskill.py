"""The multi-skill simulator against independent truth.

- one voice queue served by every agent gives the single-queue simulator's
  calls, waits and agents, call for call, for the same seed;
- steady state: one queue with constant staffing, two queues with their own
  specialists, a generalist pool (= the merged queue) and chat sessions
  without slowdown (= N x k servers) lie within the 95 % interval of Erlang C;
- e-mail: a backlog cleared within its deadline, and one that is not;
- routing rules checked contact by contact on 1-3 agent instances:
  specialists first, a freed agent's priority-1 queue first, voice before
  e-mail at equal priority, no call taken while a chat session is open, the
  chat slowdown fixed by the sessions held at the start.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from wfm import erlang
from wfm.errors import DataError, ValidationError
from wfm.queues import CallingWindow, Queue, QueueSet, Skill
from wfm.service import ServicePolicy
from wfm.simulate import (
    AgentSchedule,
    Patience,
    SimulationOptions,
    SimulationProblem,
    mean_confidence_interval,
    run_replications,
    run_simulation,
)
from wfm.simulate.multiskill import MultiSkillProblem
from wfm.simulate.multiskill_statistics import (
    QUEUE_SUMMARY_COLUMNS,
    multiskill_contacts_table,
    run_multiskill_simulation,
)
from wfm.simulate.routing import MultiSkillReplication, run_multiskill_replications

DAY = pd.Timestamp("2027-01-04")  # a Monday


def grid(hours: float, start: str = "08:00") -> pd.DatetimeIndex:
    return pd.date_range(DAY + pd.Timedelta(start + ":00"), periods=round(hours * 4), freq="15min")


def demand(**queues: tuple[float, float]) -> pd.DataFrame:
    """Constant demand per queue over 24 hours: name=(calls per 15 minutes, AHT seconds)."""
    starts = grid(24, "00:00")
    return pd.concat(
        [
            pd.DataFrame({"interval_start": starts, "queue": q, "calls": c, "aht_seconds": a})
            for q, (c, a) in queues.items()
        ],
        ignore_index=True,
    )


def spans(agents: dict[str, tuple[str, str]]) -> AgentSchedule:
    rows = [
        (a, DAY + pd.Timedelta(s + ":00"), DAY + pd.Timedelta(e + ":00"))
        for a, (s, e) in agents.items()
    ]
    return AgentSchedule(spans=pd.DataFrame(rows, columns=["agent_id", "start", "end"]))


def all_day(names: list[str]) -> AgentSchedule:
    rows = [(a, DAY, DAY + pd.Timedelta(days=1)) for a in names]
    return AgentSchedule(spans=pd.DataFrame(rows, columns=["agent_id", "start", "end"]))


def voice(name: str, **policy: float) -> Queue:
    return Queue(name=name, service=ServicePolicy(**policy))  # type: ignore[arg-type]


def chat_queue(*, sessions: int, slowdown: float = 0.0) -> Queue:
    policy = ServicePolicy(level=0.9, answer_within_seconds=60.0)
    return Queue(
        name="chat",
        channel="chat",
        service=policy,
        max_sessions=sessions,
        session_slowdown=slowdown,
    )


def pooled_levels(
    reps: list[MultiSkillReplication], queues: tuple[int, ...], within: float
) -> np.ndarray:
    """Per replication: share of the contacts of ``queues`` answered within ``within`` s."""
    out = []
    for rep in reps:
        mine = np.isin(rep.queue, queues)
        c = rep.contacts
        hit = c.answered[mine] & (c.wait_seconds[mine] <= within)
        out.append(hit.mean())
    return np.asarray(out)


def assert_within_ci(values: np.ndarray, truth: float, slack: float = 0.005) -> None:
    mean, _, upper, _ = mean_confidence_interval(values[:, None])
    half = float(upper[0] - mean[0])
    assert abs(float(mean[0]) - truth) <= half + slack, (float(mean[0]), truth, half)


# ---------------------------------------------------- the single-queue simulator


@pytest.mark.parametrize("patience", [None, 90.0])
def test_one_voice_queue_is_the_single_queue_simulator(patience: float | None) -> None:
    starts = grid(6)
    calls = np.where(np.arange(len(starts)) < 12, 22.0, 14.0)
    single = pd.DataFrame({"interval_start": starts, "calls": calls, "aht_seconds": 210.0})
    roster = pd.DataFrame(
        [
            (f"a{k}", DAY + pd.Timedelta(hours=8 + (k % 3) * 0.5), DAY + pd.Timedelta(hours=14))
            for k in range(9)
        ],
        columns=["agent_id", "start", "end"],
    )
    breaks = pd.DataFrame(
        [
            (
                f"a{k}",
                DAY + pd.Timedelta(hours=10, minutes=15 * (k % 4)),
                DAY + pd.Timedelta(hours=10, minutes=15 * (k % 4) + 15),
            )
            for k in range(9)
        ],
        columns=["agent_id", "start", "end"],
    )
    schedule = AgentSchedule.from_roster(roster, breaks)
    kind = Patience.none() if patience is None else Patience.exponential(mean_seconds=patience)
    options = SimulationOptions(replications=4, seed=11)
    old = run_replications(
        SimulationProblem(demand=single, schedule=schedule, patience=kind), options
    )
    policy = {} if patience is None else {"patience_seconds": patience}
    queues = QueueSet(queues=(voice("calls", **policy),))
    problem = MultiSkillProblem(
        queues=queues, demand=single.assign(queue="calls"), schedule=schedule
    )
    new = run_multiskill_replications(problem, options)
    for a, b in zip(old, new, strict=True):
        c = b.contacts
        assert len(a.arrival_seconds) == len(c.arrival_seconds) > 300
        np.testing.assert_array_equal(a.arrival_seconds, c.arrival_seconds)
        np.testing.assert_array_equal(a.agent, c.agent)
        np.testing.assert_array_equal(a.answered, c.answered)
        np.testing.assert_array_equal(a.queued_at_close, c.queued_at_close)
        np.testing.assert_allclose(a.wait_seconds, c.wait_seconds, rtol=0, atol=1e-9)
        np.testing.assert_allclose(a.on_duty_seconds, c.on_duty_seconds)
    assert any(not r.answered.all() for r in old) == (patience is not None)
    # and the per-interval tables of the two simulators agree
    result = run_multiskill_simulation(problem, SimulationOptions(replications=2, seed=11))
    reference = run_simulation(
        SimulationProblem(demand=single, schedule=schedule, patience=kind),
        SimulationOptions(replications=2, seed=11),
        target_level=None,
    )
    for column in ("offered", "service_level", "asa_seconds", "abandon_rate"):
        np.testing.assert_allclose(
            result.intervals[column].to_numpy(dtype=float),
            reference.intervals[column].to_numpy(dtype=float),
            equal_nan=True,
        )


# ------------------------------------------------------- steady state (Erlang C)


def test_single_queue_with_constant_staffing_is_erlang_c() -> None:
    agents = [f"a{k}" for k in range(10)]
    problem = MultiSkillProblem(
        queues=QueueSet(queues=(voice("v"),)),
        demand=demand(v=(40.0, 180.0)),  # 8 erlangs
        schedule=all_day(agents),
    )
    reps = run_multiskill_replications(problem, SimulationOptions(replications=12, seed=3))
    truth = float(erlang.service_level(8.0, 10, aht_seconds=180.0, answer_within_seconds=20.0))
    assert_within_ci(pooled_levels(reps, (0,), 20.0), truth)


def test_two_queues_with_their_own_specialists_are_two_erlang_c_systems() -> None:
    names = [f"a{k}" for k in range(6)] + [f"b{k}" for k in range(8)]
    skills = {n: (Skill(queue="A" if n[0] == "a" else "B"),) for n in names}
    problem = MultiSkillProblem(
        queues=QueueSet(queues=(voice("A"), voice("B"))),
        demand=demand(A=(18.0, 200.0), B=(18.0, 300.0)),  # 4 and 6 erlangs
        schedule=all_day(names),
        skills=skills,
    )
    reps = run_multiskill_replications(problem, SimulationOptions(replications=12, seed=4))
    for q, (traffic, n, aht) in enumerate([(4.0, 6, 200.0), (6.0, 8, 300.0)]):
        truth = float(erlang.service_level(traffic, n, aht_seconds=aht, answer_within_seconds=20.0))
        assert_within_ci(pooled_levels(reps, (q,), 20.0), truth)
    # no specialist ever serves the other queue
    for rep in reps:
        served = rep.contacts.agent >= 0
        first_b = 6
        assert np.all((rep.contacts.agent[served] >= first_b) == (rep.queue[served] == 1))


def test_a_generalist_pool_is_the_merged_queue() -> None:
    names = [f"g{k}" for k in range(11)]
    problem = MultiSkillProblem(
        queues=QueueSet(queues=(voice("A"), voice("B"))),
        demand=demand(A=(15.0, 240.0), B=(18.75, 240.0)),  # 4 + 5 erlangs
        schedule=all_day(names),
    )
    reps = run_multiskill_replications(problem, SimulationOptions(replications=12, seed=5))
    merged = float(erlang.service_level(9.0, 11, aht_seconds=240.0, answer_within_seconds=20.0))
    assert_within_ci(pooled_levels(reps, (0, 1), 20.0), merged)
    # the pooling gain: the merged queue beats a split of the same agents (5 + 6)
    split = (
        15.0 * float(erlang.service_level(4.0, 5, aht_seconds=240.0, answer_within_seconds=20.0))
        + 18.75 * float(erlang.service_level(5.0, 6, aht_seconds=240.0, answer_within_seconds=20.0))
    ) / 33.75
    assert pooled_levels(reps, (0, 1), 20.0).mean() > split + 0.05


def test_chat_sessions_without_slowdown_are_n_times_k_servers() -> None:
    chat = chat_queue(sessions=3)
    problem = MultiSkillProblem(
        queues=QueueSet(queues=(chat,)),
        demand=demand(chat=(30.0, 300.0)),  # 10 erlangs of sessions
        schedule=all_day([f"c{k}" for k in range(4)]),
    )
    reps = run_multiskill_replications(problem, SimulationOptions(replications=12, seed=6))
    truth = float(erlang.service_level(10.0, 12, aht_seconds=300.0, answer_within_seconds=60.0))
    assert_within_ci(pooled_levels(reps, (0,), 60.0), truth)
    alone = float(erlang.service_level(10.0, 4 * 2, aht_seconds=300.0, answer_within_seconds=60.0))
    assert truth - alone > 0.1  # the test separates 3 sessions from 2


# ----------------------------------------------------------------------- e-mail


def email_problem(agents: int) -> MultiSkillProblem:
    starts = grid(12)  # 08:00-20:00, items arrive 08:00-12:00
    calls = np.where(np.arange(len(starts)) < 16, 10.0, 0.0)  # 13.3 agent-hours of work
    mail = Queue(name="mail", channel="email", response_hours=8.0, response_share=0.95)
    table = pd.DataFrame(
        {"interval_start": starts, "queue": "mail", "calls": calls, "aht_seconds": 300.0}
    )
    return MultiSkillProblem(
        queues=QueueSet(queues=(mail,)),
        demand=table,
        schedule=spans({f"m{k}": ("08:00", "16:00") for k in range(agents)}),
    )


def test_an_email_backlog_is_cleared_within_its_deadline() -> None:
    result = run_multiskill_simulation(email_problem(2), SimulationOptions(replications=6, seed=7))
    row = result.queues.set_index("queue").loc["mail"]
    assert row["within_deadline_share_lower"] == row["within_deadline_share_upper"] == 1.0
    assert row["backlog_at_end"] == 0.0 and row["meets_target"]
    # a backlog did build up: in the morning items waited
    assert row["asa_seconds"] > 1800.0


def test_an_email_backlog_beyond_capacity_is_late_and_left_over() -> None:
    problem = email_problem(1)
    reps = run_multiskill_replications(problem, SimulationOptions(replications=4, seed=7))
    for rep in reps:
        c = rep.contacts
        # one agent works at most 8 hours (plus the item in hand at 16:00)
        assert np.nansum(c.handle_seconds) <= 8 * 3600 + np.nanmax(c.handle_seconds)
        assert c.queued_at_close.sum() == (~c.answered).sum() > 0
        assert np.all(c.wait_seconds[~c.answered] == 12 * 3600 - c.arrival_seconds[~c.answered])
    result = run_multiskill_simulation(problem, SimulationOptions(replications=4, seed=7))
    row = result.queues.set_index("queue").loc["mail"]
    assert row["within_deadline_share"] < 0.95 and not row["meets_target"]
    assert row["backlog_at_end_lower"] > 0


# ---------------------------------------------------------------------- routing


def busy_at(rep: MultiSkillReplication, agent: int, t: float) -> bool:
    c = rep.contacts
    mine = c.agent == agent
    s = c.arrival_seconds[mine] + c.wait_seconds[mine]
    e = s + c.handle_seconds[mine]
    return bool(np.any((s < t) & (t < e)))


def waiting_at(rep: MultiSkillReplication, queue: int, t: float) -> bool:
    c = rep.contacts
    mine = rep.queue == queue
    a = c.arrival_seconds[mine]
    left = a + c.wait_seconds[mine]
    return bool(np.any((a < t) & (t < left)))


def test_a_specialist_is_chosen_before_a_generalist() -> None:
    skills = {"s": (Skill(queue="A"),), "g": (Skill(queue="B"), Skill(queue="A", priority=2))}
    table = demand(A=(2.0, 60.0), B=(0.0, 60.0))
    problem = MultiSkillProblem(
        queues=QueueSet(queues=(voice("A"), voice("B"))),
        demand=table,
        schedule=all_day(["g", "s"]),
        skills=skills,
    )
    s, g = problem.agent_ids.index("s"), problem.agent_ids.index("g")
    reps = run_multiskill_replications(problem, SimulationOptions(replications=2, seed=8))
    by_g = 0
    for rep in reps:
        c = rep.contacts
        start = c.arrival_seconds + c.wait_seconds
        assert (c.agent == s).sum() > 100
        for k in np.flatnonzero(c.agent == g):
            by_g += 1
            assert busy_at(rep, s, start[k])  # the generalist only when the specialist is busy
    assert by_g > 0


def test_a_freed_agent_takes_its_priority_one_queue_first() -> None:
    skills = {"g": (Skill(queue="A"), Skill(queue="B", priority=2))}
    table = demand(A=(6.0, 120.0), B=(6.0, 120.0))  # 1.6 erlangs on one agent
    problem = MultiSkillProblem(
        queues=QueueSet(
            queues=(voice("A", patience_seconds=300.0), voice("B", patience_seconds=300.0))
        ),
        demand=table,
        schedule=all_day(["g"]),
        skills=skills,
    )
    reps = run_multiskill_replications(problem, SimulationOptions(replications=2, seed=9))
    waited_b = 0
    for rep in reps:
        c = rep.contacts
        start = c.arrival_seconds + c.wait_seconds
        for k in np.flatnonzero(c.answered & (rep.queue == 1)):
            assert not waiting_at(rep, 0, start[k])
            waited_b += c.wait_seconds[k] > 0
        # within a queue, first come first served
        a = c.answered & (rep.queue == 0)
        assert np.all(np.diff(start[a]) >= 0)
    assert waited_b > 50


def test_voice_goes_before_email_at_equal_priority_and_chat_blocks_calls() -> None:
    chat = chat_queue(sessions=2)
    mail = Queue(name="mail", channel="email", response_hours=4.0)
    queues = QueueSet(queues=(voice("v", patience_seconds=200.0), chat, mail))
    table = demand(v=(8.0, 150.0), chat=(5.0, 200.0), mail=(4.0, 240.0))
    problem = MultiSkillProblem(queues=queues, demand=table, schedule=all_day(["x", "y", "z"]))
    reps = run_multiskill_replications(problem, SimulationOptions(replications=2, seed=10))
    for rep in reps:
        c = rep.contacts
        start = c.arrival_seconds + c.wait_seconds
        ends = start + c.handle_seconds
        for k in np.flatnonzero(c.answered & (rep.queue == 2)):
            assert not waiting_at(rep, 0, start[k]) and not waiting_at(rep, 1, start[k])
        for j in range(3):
            calls = np.flatnonzero((c.agent == j) & (rep.queue == 0))
            chats = np.flatnonzero((c.agent == j) & (rep.queue == 1))
            assert len(calls) and len(chats)
            for k in calls:  # no call starts while the agent holds a chat session
                assert not np.any((start[chats] < start[k]) & (start[k] < ends[chats]))
            # never more than max_sessions chats at once
            events = np.concatenate([start[chats], ends[chats]])
            steps = np.concatenate([np.ones(len(chats)), -np.ones(len(chats))])
            order = np.lexsort((steps, events))  # an end before a start at the same instant
            assert np.cumsum(steps[order]).max() == 2


def test_the_chat_slowdown_is_fixed_by_the_sessions_held_at_the_start() -> None:
    def run(slowdown: float) -> MultiSkillReplication:
        chat = chat_queue(sessions=3, slowdown=slowdown)
        problem = MultiSkillProblem(
            queues=QueueSet(queues=(chat,)),
            demand=demand(chat=(6.0, 200.0)),
            schedule=all_day(["only"]),
        )
        return run_multiskill_replications(problem, SimulationOptions(replications=1, seed=12))[0]

    alone, slowed = run(0.0), run(0.5)
    c0, c = alone.contacts, slowed.contacts
    both = c0.answered & c.answered  # same contacts, same base handle times
    ratio = c.handle_seconds[both] / c0.handle_seconds[both]
    start = c.arrival_seconds + c.wait_seconds
    ends = start + c.handle_seconds
    held = np.array(
        [np.sum((start < start[k]) & (start[k] < ends)) + 1 for k in np.flatnonzero(both)]
    )
    np.testing.assert_allclose(ratio, 1.0 + 0.5 * (held - 1))
    assert set(held) == {1, 2, 3}


def test_outbound_idle_hours_inside_the_calling_window() -> None:
    window = CallingWindow(weekday=0, start=dt.time(10), end=dt.time(12))
    out = Queue(
        name="out", channel="outbound", outbound_hours_per_day=1.0, calling_windows=(window,)
    )
    queues = QueueSet(queues=(voice("v"), out))
    table = demand(v=(0.0, 60.0))  # nothing to answer: every on-duty minute is idle
    skills = {"o": (Skill(queue="v"), Skill(queue="out", priority=2)), "p": (Skill(queue="v"),)}
    problem = MultiSkillProblem(
        queues=queues,
        demand=table,
        schedule=spans({"o": ("09:00", "11:30"), "p": ("08:00", "17:00")}),
        skills=skills,
    )
    result = run_multiskill_simulation(problem, SimulationOptions(replications=2, seed=1))
    row = result.queues.set_index("queue").loc["out"]
    assert row["idle_agent_hours"] == pytest.approx(1.5)  # 10:00-11:30 of agent o
    assert row["meets_target"]
    assert result.outbound["idle_agent_hours"].sum() == pytest.approx(1.5)


# ------------------------------------------------------------------ the tables


def test_tables_per_queue_and_their_columns() -> None:
    chat = chat_queue(sessions=2)
    mail = Queue(name="mail", channel="email", response_hours=2.0)
    queues = QueueSet(queues=(voice("v", patience_seconds=120.0), chat, mail))
    starts = grid(4)
    table = pd.concat(
        [
            pd.DataFrame({"interval_start": starts, "queue": q, "calls": c, "aht_seconds": 180.0})
            for q, c in (("v", 10.0), ("chat", 6.0), ("mail", 3.0))
        ]
    )
    skills = {
        "a": (Skill(queue="v"), Skill(queue="mail", priority=2)),
        "b": None,
        "c": (Skill(queue="chat"),),
    }
    problem = MultiSkillProblem(
        queues=queues,
        demand=table,
        schedule=spans({k: ("08:00", "12:00") for k in "abcd"}),
        skills=skills,
    )
    options = SimulationOptions(replications=3, seed=2)
    result = run_multiskill_simulation(problem, options)
    assert list(result.queues.columns) == list(QUEUE_SUMMARY_COLUMNS)
    assert list(result.queues["queue"]) == ["v", "chat", "mail"]
    assert set(result.intervals["queue"]) == {"v", "chat", "mail"}
    assert len(result.intervals) == 3 * len(starts)
    reps = run_multiskill_replications(problem, options)
    contacts = multiskill_contacts_table(reps[0], problem)
    assert {"queue", "arrival", "wait_seconds", "outcome", "handle_seconds", "agent_id"} <= set(
        contacts
    )
    counts = contacts.groupby("queue").size()
    first = result.interval_kpis[result.interval_kpis["replication"] == 0]
    assert first.groupby("queue")["offered"].sum().reindex(counts.index).tolist() == counts.tolist()
    assert set(contacts.loc[contacts["queue"] == "chat", "agent_id"].dropna()) <= {"b", "c", "d"}
    # replication r does not depend on how many are run
    more = run_multiskill_replications(problem, SimulationOptions(replications=4, seed=2))
    np.testing.assert_array_equal(more[2].contacts.wait_seconds, reps[2].contacts.wait_seconds)
    for name in ("v", "chat"):
        row = result.queues.set_index("queue").loc[name]
        assert row["service_level_lower"] <= row["service_level"] <= row["service_level_upper"]
        assert math.isnan(row["within_deadline_share"])


def test_bad_input_names_the_field() -> None:
    queues = QueueSet(
        queues=(voice("v"), Queue(name="o", channel="outbound", outbound_hours_per_day=1.0))
    )
    schedule = all_day(["a"])
    with pytest.raises(DataError, match=r"demand.queue\[row 0\]"):
        MultiSkillProblem(queues=queues, demand=demand(w=(1.0, 60.0)), schedule=schedule)
    with pytest.raises(DataError, match="outbound has no demand"):
        MultiSkillProblem(queues=queues, demand=demand(o=(1.0, 60.0)), schedule=schedule)
    with pytest.raises(ValidationError, match=r"skills\['a'\].queue"):
        MultiSkillProblem(
            queues=queues,
            demand=demand(v=(1.0, 60.0)),
            schedule=schedule,
            skills={"a": (Skill(queue="x"),)},
        )
    bad = demand(v=(1.0, 60.0)).assign(aht_seconds=-1.0)
    with pytest.raises(DataError, match=r"demand\[queue 'v'\].aht_seconds\[row 0\]"):
        MultiSkillProblem(queues=queues, demand=bad, schedule=schedule)
    with pytest.raises(DataError, match="one row per interval and queue"):
        MultiSkillProblem(
            queues=queues, demand=pd.concat([demand(v=(1.0, 60.0))] * 2), schedule=schedule
        )


@pytest.mark.parametrize("unit", ["interval", "day"])
def test_shrinkage_takes_whole_units_off_duty(unit: str) -> None:
    from wfm.simulate import Shrinkage

    names = [f"a{k}" for k in range(20)]
    problem = MultiSkillProblem(
        queues=QueueSet(queues=(voice("v"),)),
        demand=demand(v=(10.0, 180.0)),
        schedule=all_day(names),
        shrinkage=Shrinkage(rate=0.25, unit=unit),  # type: ignore[arg-type]
    )
    reps = run_multiskill_replications(problem, SimulationOptions(replications=3, seed=13))
    per_interval = np.vstack([r.contacts.on_duty_seconds for r in reps]) / 900.0
    assert np.all(per_interval == np.round(per_interval))  # whole agents
    assert per_interval.mean() == pytest.approx(20 * 0.75, rel=0.08)
    if unit == "day":  # one draw per agent and day: the same agents all day
        assert np.all(per_interval == per_interval[:, :1])


def test_the_result_does_not_depend_on_the_worker_count() -> None:
    problem = MultiSkillProblem(
        queues=QueueSet(queues=(voice("A"), chat_queue(sessions=2))),
        demand=demand(A=(6.0, 180.0), chat=(4.0, 240.0)),
        schedule=all_day(["x", "y", "z"]),
    )
    one = run_multiskill_replications(problem, SimulationOptions(replications=3, seed=21))
    two = run_multiskill_replications(
        problem, SimulationOptions(replications=3, seed=21, workers=2)
    )
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a.contacts.wait_seconds, b.contacts.wait_seconds)
        np.testing.assert_array_equal(a.contacts.agent, b.contacts.agent)
        np.testing.assert_array_equal(a.queue, b.queue)
