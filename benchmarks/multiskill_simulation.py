"""Speed of the multi-skill simulator on a week of a centre of five queues and ~130 agents.

The centre (generated here from fixed numbers, no randomness): voice sales
in English, voice support in English and Swedish, chat (3 sessions, 20 %
slowdown per extra session) and e-mail (8-hour deadline), open 08:00-20:00
every day (weekends at 60 % of weekday volume), plus an outbound campaign
worked in windows on weekdays. Five skill groups:

    sales       sales_en 1, outbound 2
    support     support_en 1, email 2
    bilingual   support_sv 1, support_en 2
    chat        chat 1, email 2
    blended     sales_en 1, support_en 1, email 2

Each group's agents on duty per interval come from Erlang C on its
priority-1 queue (chat: ``N x k`` session slots, the staffing convention),
with the e-mail work spread over the day on the blended group; the schedule
is :meth:`wfm.simulate.AgentSchedule.from_staffing` per group. The script
runs the replications ``--repeats`` times, prints the median wall time of
the engine (draws and routing) and of the whole measurement (the per-queue
KPI tables), the contacts per second, the load average, and the per-queue
summary of the last run.

Usage::

    python benchmarks/multiskill_simulation.py --replications 5 --repeats 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import statistics
import time

import numpy as np
import pandas as pd

from wfm import erlang
from wfm.queues import CallingWindow, Queue, QueueSet, Skill
from wfm.service import ServicePolicy
from wfm.simulate import AgentSchedule, SimulationOptions
from wfm.simulate.multiskill import MultiSkillProblem
from wfm.simulate.multiskill_statistics import run_multiskill_simulation
from wfm.simulate.routing import run_multiskill_replications

START = pd.Timestamp("2027-03-01")  # a Monday
#: queue -> (peak contacts per 15 minutes, AHT seconds)
VOLUME = {
    "sales_en": (90.0, 240.0),
    "support_en": (120.0, 300.0),
    "support_sv": (55.0, 270.0),
    "chat": (75.0, 420.0),
    "email": (40.0, 360.0),
}
GROUPS = {
    "sales": ((("sales_en", 1), ("outbound", 2)), "sales_en"),
    "support": ((("support_en", 1), ("email", 2)), "support_en"),
    "bilingual": ((("support_sv", 1), ("support_en", 2)), "support_sv"),
    "chat": ((("chat", 1), ("email", 2)), "chat"),
    "blended": ((("sales_en", 1), ("support_en", 1), ("email", 2)), None),
}


def centre() -> QueueSet:
    windows = tuple(
        CallingWindow(weekday=d, start=dt.time(s), end=dt.time(e))
        for d in range(5)
        for s, e in ((10, 12), (14, 17))
    )
    return QueueSet(
        queues=(
            Queue(
                name="sales_en",
                service=ServicePolicy(level=0.8, answer_within_seconds=20, patience_seconds=120),
            ),
            Queue(
                name="support_en",
                service=ServicePolicy(level=0.7, answer_within_seconds=30, patience_seconds=180),
            ),
            Queue(
                name="support_sv",
                service=ServicePolicy(level=0.8, answer_within_seconds=20, patience_seconds=180),
            ),
            Queue(
                name="chat",
                channel="chat",
                service=ServicePolicy(level=0.9, answer_within_seconds=60),
                max_sessions=3,
                session_slowdown=0.2,
            ),
            Queue(name="email", channel="email", response_hours=8.0, response_share=0.95),
            Queue(
                name="outbound",
                channel="outbound",
                outbound_hours_per_day=20.0,
                calling_windows=windows,
            ),
        )
    )


def demand() -> pd.DataFrame:
    starts = pd.date_range(START, periods=7 * 96, freq="15min")
    hour = starts.hour + starts.minute / 60.0
    open_ = (hour >= 8) & (hour < 20)
    shape = np.where(open_, 0.55 + 0.45 * np.sin(np.pi * (hour - 8) / 12.0), 0.0)
    shape = shape * np.where(starts.day_of_week >= 5, 0.6, 1.0)
    frames = [
        pd.DataFrame(
            {"interval_start": starts, "queue": q, "calls": peak * shape, "aht_seconds": aht}
        )
        for q, (peak, aht) in VOLUME.items()
    ]
    return pd.concat(frames, ignore_index=True)


def staffing(
    queues: QueueSet, table: pd.DataFrame
) -> tuple[AgentSchedule, dict[str, tuple[Skill, ...]]]:
    wide = table.pivot(index="interval_start", columns="queue", values="calls")
    agents = {}
    for group, (_, queue) in GROUPS.items():
        if queue is None:
            continue
        q = queues.queue(queue)
        assert q.service is not None and q.service.level is not None
        calls = wide[queue].to_numpy()
        aht = VOLUME[queue][1] * (1 + q.session_slowdown * (q.max_sessions - 1))
        traffic = calls * aht / 900.0
        need = erlang.agents_for_service_level(
            traffic,
            aht_seconds=aht,
            target=q.service.level,
            answer_within_seconds=q.service.answer_within_seconds,
        )
        agents[group] = np.where(calls > 0, np.ceil(np.asarray(need) / q.max_sessions), 0)
    # the second-priority and blended capacity: e-mail work, plus a margin on the voice queues
    email_work = wide["email"].to_numpy() * VOLUME["email"][1] / 900.0
    agents["blended"] = np.where(wide["sales_en"].to_numpy() > 0, np.ceil(email_work + 2), 0)
    agents["support"] = np.maximum(agents["support"] - 4, 0)
    rows = []
    skills: dict[str, tuple[Skill, ...]] = {}
    for group, counts in agents.items():
        spans = AgentSchedule.from_staffing(
            pd.DataFrame({"interval_start": wide.index, "agents": counts.astype(int)}),
            column="agents",
            interval_minutes=15,
        ).spans
        spans["agent_id"] = group + "_" + spans["agent_id"].str.removeprefix("agent_")
        rows.append(spans)
        for a in spans["agent_id"].unique():
            skills[a] = tuple(Skill(queue=n, priority=p) for n, p in GROUPS[group][0])
    return AgentSchedule(spans=pd.concat(rows, ignore_index=True)), skills


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    queues = centre()
    table = demand()
    schedule, skills = staffing(queues, table)
    problem = MultiSkillProblem(queues=queues, demand=table, schedule=schedule, skills=skills)
    n_agents = len(problem.agent_ids)
    on = schedule.spans.assign(
        hours=(schedule.spans["end"] - schedule.spans["start"]).dt.total_seconds() / 3600.0
    )
    print(
        f"centre: {len(queues.queues)} queues, {n_agents} agents in {len(GROUPS)} groups, "
        f"{on['hours'].sum():,.0f} agent-hours on duty, "
        f"{table['calls'].sum():,.0f} contacts forecast in the week"
    )
    options = SimulationOptions(replications=args.replications, seed=args.seed)
    engine, whole = [], []
    contacts = 0
    result = None
    load = os.getloadavg()[0]
    for _ in range(args.repeats):
        started = time.perf_counter()
        reps = run_multiskill_replications(problem, options)
        engine.append(time.perf_counter() - started)
        contacts = sum(len(r.contacts.arrival_seconds) for r in reps)
        started = time.perf_counter()
        result = run_multiskill_simulation(problem, options)
        whole.append(time.perf_counter() - started)
    load = max(load, os.getloadavg()[0])
    e, w = statistics.median(engine), statistics.median(whole)
    print(
        f"engine: median {e:.2f} s of {args.repeats} ({', '.join(f'{t:.2f}' for t in engine)}), "
        f"{contacts:,} contacts in {args.replications} weeks, {contacts / e:,.0f} contacts/s"
    )
    print(
        f"with the per-queue KPI tables: median {w:.2f} s "
        f"({', '.join(f'{t:.2f}' for t in whole)}), "
        f"{contacts / w:,.0f} contacts/s; load average {load:.1f}"
    )
    assert result is not None
    summary = result.queues.set_index("queue")

    def ci(row: pd.Series, measure: str, scale: float = 100.0) -> str:
        mean, low, high = (row[f"{measure}{s}"] for s in ("", "_lower", "_upper"))
        if not math.isfinite(mean):
            return "-"
        return f"{scale * mean:.1f} [{scale * low:.1f}, {scale * high:.1f}]"

    print(
        "| queue | channel | target | service level % | ASA s | abandoned % "
        "| e-mail within 8 h % | idle h/day |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, row in summary.iterrows():
        target = (
            f"{row['target_level']:.0%}/{row['answer_within_seconds']:.0f}s"
            if math.isfinite(row["target_level"])
            else (
                f"{row['response_share']:.0%} in {row['response_hours']:.0f} h"
                if math.isfinite(row["response_share"])
                else f"{row['outbound_hours_per_day']:.0f} h/day"
            )
        )
        sl = ci(row, "service_level") if row["channel"] in ("voice", "chat") else "-"
        idle = f"{row['idle_agent_hours_per_day']:.1f}" if row["channel"] == "outbound" else "-"
        print(
            f"| {name} | {row['channel']} | {target} | {sl} | {ci(row, 'asa_seconds', 1.0)} | "
            f"{ci(row, 'abandon_rate')} | {ci(row, 'within_deadline_share')} | {idle} |"
        )


if __name__ == "__main__":
    main()
