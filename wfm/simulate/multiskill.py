"""The model of a simulated multi-skill centre: queues, demand per queue, agents and their skills.

Declarative and validated on construction, like :mod:`wfm.simulate.model`;
:mod:`wfm.simulate.routing` runs it and :mod:`wfm.simulate.multiskill_statistics`
measures the result.

Demand layout
-------------
One row per interval and queue (the demand-per-queue table of staffing):

``interval_start``
    datetime64 on a grid of ``interval_minutes`` from local midnight; naive,
    or instants (as in :mod:`wfm.simulate.model`).
``queue``
    name of a voice, chat or e-mail queue of the :class:`~wfm.queues.QueueSet`
    (outbound queues have no rows).
``calls``
    float >= 0: expected contacts arriving in the interval (Poisson mean).
``aht_seconds``
    float > 0 where ``calls > 0``: their mean handle time (for chat, of one
    session held alone).

Any other column is ignored. Every queue is put on the union of the
intervals of all rows; an interval without a row of a queue gets no
contacts of it. The horizon is that grid, from its first interval to the
end of its last: agents work only inside it, so give e-mail rows with
``calls = 0`` for the hours after the last items arrive in which the
backlog is worked.

What is simulated
-----------------
* Arrivals: per queue, Poisson within each interval at ``calls / interval
  length``; handle times exponential with mean ``aht_seconds``.
* Voice and chat: a queue is *open* during each maximal run of its
  intervals with ``calls > 0``; at the end of a run it stops taking
  contacts and a contact still waiting leaves (``queued_at_close``), as in
  the single queue. Callers of a queue whose policy is Erlang A abandon after
  an exponential patience of mean ``service.patience_seconds``; Erlang C
  callers never abandon.
* Chat: an agent holds up to the queue's ``max_sessions`` chat sessions at
  once (only chat: an agent with a session open takes no call or e-mail). A
  session's handle time is fixed when it starts, by the number of sessions
  ``k`` the agent holds then, this one included: ``aht_seconds * (1 +
  session_slowdown * (k - 1)) * E`` with ``E`` standard exponential. With
  ``session_slowdown = 0`` an agent is ``max_sessions`` independent servers.
* E-mail: items arrive like calls, never abandon and wait across the night
  (no closing); an item not taken by the end of the horizon is the
  *backlog* (``queued_at_close``). An item is answered when its handling
  ends (its reply is sent): ``wait + handle`` is its response time.
* Outbound: no contacts. The idle time of the agents holding an outbound
  skill, inside the queue's calling windows (an interval counts when its
  start lies in a window; no windows: every interval), is measured.

Agents and routing
------------------
The agents are those of the :class:`~wfm.simulate.model.AgentSchedule` (on
duty in its spans; an agent going off duty finishes the contacts in hand).
``skills[agent_id]`` lists the queues an agent serves with their priority
(:class:`wfm.queues.Skill`, 1 = first); an agent without an entry, or with
``None``, serves every queue at priority 1. Routing is the one of
:mod:`wfm.queues`:

* a contact arriving goes to an available agent holding its skill at the
  best priority (specialists first); among those the one with the fewest
  chat sessions open (for chat), then the one idle longest (whose last
  contact ended first; an agent who has had none first), then the first in
  the schedule's order. Without such an agent it waits in its queue;
* an agent who becomes available (a contact ends, or a span of duty
  begins) takes the waiting contact of its best priority, the longest
  waiting first among queues of the same priority; at equal priority voice
  and chat contacts go before e-mail. An agent with chat sessions open takes
  only chats (of its chat queues, up to their ``max_sessions``).

With one voice queue served by every agent this is first come, first
served with the longest-idle agent: the single-queue simulator's rule.

Shrinkage
---------
:class:`~wfm.simulate.model.Shrinkage` takes whole units (an agent's on-duty
time in an interval, or day) away with probability ``rate``; a lost unit is
off duty like a break (the agent finishes the contacts in hand). Unlike the
single-queue engine, lost time overlapped by a contact in hand is not taken
again after it. A roster's scheduled coverage holds the centre's shrinkage,
so simulate it with ``Shrinkage(rate=queues.shrinkage)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import DataError, ValidationError
from wfm.queues import Channel, Queue, QueueSet, Skill
from wfm.simulate.model import AgentSchedule, Patience, Shrinkage, SimulationProblem

__all__ = ["QUEUE_DEMAND_COLUMNS", "MultiSkillProblem"]

#: Required columns of the demand per queue.
QUEUE_DEMAND_COLUMNS = ("interval_start", "queue", "calls", "aht_seconds")


def queue_patience(queue: Queue) -> Patience:
    """The callers' patience of a queue: exponential for an Erlang A policy, else none."""
    service = queue.service
    if service is not None and service.model == "erlang_a":
        return Patience.exponential(mean_seconds=float(service.patience_seconds or 0.0))
    return Patience.none()


def _time_order(stamps: pd.Series) -> np.ndarray:
    """Positions sorting timestamps by instant (text with offsets too); as given if unreadable."""
    try:
        instants = pd.to_datetime(stamps, utc=True)
    except (ValueError, TypeError):
        return np.arange(len(stamps))
    return np.argsort(instants.to_numpy(), kind="stable")


@dataclass(frozen=True, kw_only=True, eq=False)
class MultiSkillProblem:
    """Several queues served by agents with skills (layouts in the module docstring).

    Parameters
    ----------
    queues
        The centre's queues.
    demand
        Contacts and AHT per interval and queue.
    schedule
        When each agent is on duty.
    skills
        Each agent's skills by ``agent_id`` (``None`` or no entry: every
        queue at priority 1). Entries of agents not in the schedule are
        ignored (e.g. agents without a shift).
    shrinkage
        Random loss of whole agent-intervals or agent-days.
    interval_minutes
        Interval length; inferred from the demand's smallest step when
        ``None``.
    time_zone
        IANA name: naive demand times are local times of it (as in
        :class:`~wfm.simulate.model.SimulationProblem`).

    Raises
    ------
    ValidationError, DataError
        On construction, naming the field, the value and what was expected.
    """

    queues: QueueSet
    demand: pd.DataFrame
    schedule: AgentSchedule
    skills: Mapping[str, tuple[Skill, ...] | None] = field(default_factory=dict)
    shrinkage: Shrinkage = field(default_factory=Shrinkage)
    interval_minutes: int | None = None
    time_zone: str | dt.tzinfo | None = None
    _problems: tuple[SimulationProblem, ...] = field(init=False, repr=False, default=())

    def __post_init__(self) -> None:
        if not isinstance(self.queues, QueueSet):
            raise ValidationError("queues", type(self.queues).__name__, "a wfm.queues.QueueSet")
        if not isinstance(self.schedule, AgentSchedule):
            raise ValidationError("schedule", type(self.schedule).__name__, "an AgentSchedule")
        if not isinstance(self.shrinkage, Shrinkage):
            raise ValidationError("shrinkage", self.shrinkage, "a wfm.simulate.Shrinkage")
        if not isinstance(self.skills, Mapping):
            raise ValidationError(
                "skills", type(self.skills).__name__, "a mapping agent_id -> skills"
            )
        demand = self.demand
        if not isinstance(demand, pd.DataFrame):
            raise ValidationError("demand", type(demand).__name__, "a pandas DataFrame")
        missing = [c for c in QUEUE_DEMAND_COLUMNS if c not in demand.columns]
        if missing:
            raise DataError(
                "demand", sorted(map(str, demand.columns)), f"the columns {', '.join(missing)}"
            )
        names = self.queues.names
        queue_of = demand["queue"].astype(str)
        for i, name in enumerate(queue_of):
            if name not in names:
                raise DataError(f"demand.queue[row {i}]", name, f"one of {', '.join(names)}")
            if self.queues.queue(name).channel is Channel.OUTBOUND:
                raise DataError(
                    f"demand.queue[row {i}]",
                    name,
                    "a voice, chat or email queue (outbound has no demand)",
                )
        duplicated = pd.DataFrame(
            {"t": demand["interval_start"].astype(str), "q": queue_of}
        ).duplicated()
        if duplicated.any():
            i = int(np.flatnonzero(duplicated.to_numpy())[0])
            raise DataError(
                f"demand.interval_start[row {i}]",
                str(demand["interval_start"].iloc[i]),
                "one row per interval and queue",
            )
        # every inbound queue on the union of the demand's intervals
        starts = pd.unique(demand["interval_start"])
        union = pd.DataFrame({"interval_start": starts})
        problems: list[SimulationProblem] = []
        for q in self.queues.queues:
            if q.channel is Channel.OUTBOUND:
                continue
            own = demand.loc[
                queue_of.to_numpy() == q.name, ["interval_start", "calls", "aht_seconds"]
            ]
            table = union.merge(own, on="interval_start", how="left", sort=False)
            table["calls"] = table["calls"].fillna(0.0)
            table = table.iloc[_time_order(table["interval_start"])].reset_index(drop=True)
            try:
                problem = SimulationProblem(
                    demand=table,
                    schedule=self.schedule,
                    patience=queue_patience(q),
                    interval_minutes=self.interval_minutes,
                    time_zone=self.time_zone,
                )
            except ValidationError as error:  # DataError too: name the queue in the field
                raise type(error)(
                    f"demand[queue {q.name!r}].{error.field}", error.value, error.expected
                ) from None
            problems.append(problem)
        if not problems:
            raise ValidationError("queues", names, "at least one voice, chat or email queue")
        first = problems[0]
        object.__setattr__(self, "interval_minutes", first.interval_minutes)
        object.__setattr__(self, "schedule", first.schedule)
        if first.time_zone is not None:
            object.__setattr__(self, "time_zone", first.time_zone)
        object.__setattr__(self, "_problems", tuple(problems))
        agents = set(first.schedule.agent_ids)
        checked: dict[str, tuple[Skill, ...] | None] = {}
        for agent, skills in self.skills.items():
            key = str(agent)
            if key not in agents:
                continue
            if skills is None:
                checked[key] = None
                continue
            for s in skills:
                if not isinstance(s, Skill):
                    raise ValidationError(
                        f"skills[{key!r}]", type(s).__name__, "wfm.queues.Skill items"
                    )
            checked[key] = self.queues.check_skills(skills, where=f"skills[{key!r}]")
        object.__setattr__(self, "skills", checked)

    @property
    def queue_problems(self) -> tuple[SimulationProblem, ...]:
        """One single-queue problem per voice, chat and e-mail queue (set order), on one grid."""
        return self._problems

    @property
    def inbound_queues(self) -> tuple[Queue, ...]:
        """The voice, chat and e-mail queues, in the set's order."""
        return tuple(q for q in self.queues.queues if q.channel is not Channel.OUTBOUND)

    @property
    def agent_ids(self) -> tuple[str, ...]:
        """The agents, in the schedule's order."""
        return self.schedule.agent_ids

    def agent_skills(self, agent_id: str) -> tuple[Skill, ...]:
        """An agent's skills sorted by priority then queue order (every queue when not given)."""
        skills = self.skills.get(agent_id)
        if skills is None:
            return tuple(Skill(queue=name) for name in self.queues.names)
        return skills

    @property
    def interval_index(self) -> pd.DatetimeIndex:
        """Start of every interval on the local clock (tz-aware with a time zone)."""
        return self.queue_problems[0].interval_index

    def describe(self) -> dict[str, Any]:
        """Queues, channels and agents in a JSON-ready dictionary."""
        return {
            "queues": [{"name": q.name, "channel": q.channel.value} for q in self.queues.queues],
            "agents": len(self.agent_ids),
            "interval_minutes": self.interval_minutes,
            "shrinkage": f"{self.shrinkage.rate:g} per {self.shrinkage.unit}",
        }
