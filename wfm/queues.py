"""Queues, channels and skills of a multi-skill contact centre.

A contact centre serves several *queues*: streams of contacts, each of one
*channel* with its own service policy and demand. An agent's *skills* say
which queues the agent may serve, each with a priority for routing.

Channels
--------
``voice``
    Inbound calls, staffed per interval by Erlang C or Erlang A
    (:mod:`wfm.erlang`) under the queue's :class:`~wfm.service.ServicePolicy`.
``chat``
    Inbound chats: an agent holds up to ``max_sessions`` sessions at once.
    Handling ``k`` sessions together slows each one down: a session's handle
    time is ``aht_seconds * (1 + session_slowdown * (k - 1))``. The service
    target is on the first response (the wait before an agent takes the chat).
``email``
    Deferrable work (e-mail, back office): no one waits on the line; each item
    must be answered within ``response_hours`` (``response_share`` of them,
    e.g. 95 %). Capacity may work ahead or behind within the deadline, so the
    requirement is cumulative over the horizon, not per interval.
``outbound``
    Calls the centre makes: a daily target of agent-hours on the phone
    (``outbound_hours_per_day``), worked inside the ``calling_windows`` when
    inbound work is slack (blending).

Voice and chat queues are *per-interval* queues (their requirement is met
interval by interval); e-mail and outbound are not.

Shrinkage
---------
A :class:`QueueSet` holds the centre's shrinkage: one share of scheduled time
lost to absence and training, the same whichever queue an agent serves. Every
voice and chat policy of the set carries that shrinkage, and the conversion
between scheduled agents and agents on the phone stays the one of
:mod:`wfm.service` (:func:`wfm.service.on_phone_agents`).

Routing
-------
An agent's :class:`Skill` for a queue has a ``priority`` (1 = first). A
contact arriving goes to an idle agent holding its skill at the best
priority (specialists first: an agent whose skill for this queue has the
lowest priority number), the longest idle among them; an agent who becomes
free takes the waiting contact of the queue of its best priority, the
longest waiting first within a priority.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from wfm.errors import ValidationError
from wfm.service import ServicePolicy

__all__ = [
    "CallingWindow",
    "Channel",
    "Queue",
    "QueueSet",
    "Skill",
    "skill_groups",
]

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def _finite(value: Any) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


class Channel(str, Enum):
    """The kind of contact a queue carries."""

    VOICE = "voice"
    CHAT = "chat"
    EMAIL = "email"
    OUTBOUND = "outbound"

    @property
    def per_interval(self) -> bool:
        """Whether the queue's requirement is met interval by interval (voice, chat)."""
        return self in (Channel.VOICE, Channel.CHAT)


@dataclass(frozen=True, kw_only=True)
class CallingWindow:
    """A weekly window of an outbound queue in which calls may be made (local clock).

    Parameters
    ----------
    weekday
        0 = Monday ... 6 = Sunday.
    start, end
        Clock times, ``start < end`` (a window does not cross midnight).
    """

    weekday: int
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if not (isinstance(self.weekday, int) and 0 <= self.weekday <= 6):
            raise ValidationError("calling_window.weekday", self.weekday, "a weekday 0-6")
        if not (isinstance(self.start, dt.time) and isinstance(self.end, dt.time)):
            raise ValidationError("calling_window.start", self.start, "clock times")
        if not self.start < self.end:
            raise ValidationError(
                "calling_window.end", self.end.isoformat(), f"after {self.start.isoformat()}"
            )


@dataclass(frozen=True, kw_only=True)
class Queue:
    """One stream of contacts with its channel and service policy.

    Parameters
    ----------
    name
        Unique name (letters, digits, ``_ . -``), used in demand tables,
        skills and outputs.
    channel
        See the module docstring.
    service
        The service policy: required for voice and chat (for chat its target
        is on the first response), ``None`` for e-mail and outbound.
    max_sessions
        Chat only: sessions an agent may hold at once (>= 1); 1 elsewhere.
    session_slowdown
        Chat only: share by which each extra session slows every session's
        handle time (>= 0).
    response_hours
        E-mail only (required there): the response deadline in hours (> 0).
    response_share
        E-mail only: share of items to answer within the deadline, in (0, 1].
    outbound_hours_per_day
        Outbound only (required there): agent-hours on the phone per day.
    calling_windows
        Outbound only: when calls may be made; empty means whenever the
        centre has agents on shift.
    """

    name: str
    channel: Channel = Channel.VOICE
    service: ServicePolicy | None = None
    max_sessions: int = 1
    session_slowdown: float = 0.0
    response_hours: float | None = None
    response_share: float = 1.0
    outbound_hours_per_day: float | None = None
    calling_windows: tuple[CallingWindow, ...] = ()

    def __post_init__(self) -> None:
        where = f"queues[{self.name!r}]"
        if not (isinstance(self.name, str) and _NAME.match(self.name)):
            raise ValidationError("queue.name", self.name, "letters, digits, '_', '.' or '-'")
        try:
            channel = Channel(self.channel)
        except ValueError:
            raise ValidationError(
                f"{where}.channel", self.channel, f"one of {', '.join(c.value for c in Channel)}"
            ) from None
        object.__setattr__(self, "channel", channel)
        object.__setattr__(self, "calling_windows", tuple(self.calling_windows))
        if channel.per_interval:
            if not isinstance(self.service, ServicePolicy):
                raise ValidationError(
                    f"{where}.service",
                    type(self.service).__name__,
                    f"a wfm.ServicePolicy for a {channel.value} queue",
                )
        elif self.service is not None:
            raise ValidationError(
                f"{where}.service",
                "a policy",
                f"None for a {channel.value} queue (its target is "
                + ("response_hours)" if channel is Channel.EMAIL else "outbound_hours_per_day)"),
            )
        ms = self.max_sessions
        if not (isinstance(ms, int) and not isinstance(ms, bool) and ms >= 1):
            raise ValidationError(f"{where}.max_sessions", ms, "a whole number >= 1")
        if channel is not Channel.CHAT and ms != 1:
            raise ValidationError(f"{where}.max_sessions", ms, "1 outside chat queues")
        sd = self.session_slowdown
        if not (_finite(sd) and sd >= 0):
            raise ValidationError(f"{where}.session_slowdown", sd, "a number >= 0")
        if channel is not Channel.CHAT and sd != 0:
            raise ValidationError(f"{where}.session_slowdown", sd, "0 outside chat queues")
        object.__setattr__(self, "session_slowdown", float(sd))
        self._check_email(where, channel)
        self._check_outbound(where, channel)

    def _check_email(self, where: str, channel: Channel) -> None:
        rh = self.response_hours
        share = self.response_share
        if channel is Channel.EMAIL:
            if not (_finite(rh) and float(rh) > 0):  # type: ignore[arg-type]
                raise ValidationError(
                    f"{where}.response_hours", rh, "a deadline in hours > 0 for an email queue"
                )
            object.__setattr__(self, "response_hours", float(rh))  # type: ignore[arg-type]
        elif rh is not None:
            raise ValidationError(f"{where}.response_hours", rh, "None outside email queues")
        if not (_finite(share) and 0 < share <= 1):
            raise ValidationError(f"{where}.response_share", share, "a share in (0, 1]")
        if channel is not Channel.EMAIL and share != 1:
            raise ValidationError(f"{where}.response_share", share, "1 outside email queues")
        object.__setattr__(self, "response_share", float(share))

    def _check_outbound(self, where: str, channel: Channel) -> None:
        hours = self.outbound_hours_per_day
        if channel is Channel.OUTBOUND:
            if not (_finite(hours) and float(hours) >= 0):  # type: ignore[arg-type]
                raise ValidationError(
                    f"{where}.outbound_hours_per_day",
                    hours,
                    "agent-hours >= 0 per day for an outbound queue",
                )
            object.__setattr__(self, "outbound_hours_per_day", float(hours))  # type: ignore[arg-type]
        else:
            if hours is not None:
                raise ValidationError(
                    f"{where}.outbound_hours_per_day", hours, "None outside outbound queues"
                )
            if self.calling_windows:
                raise ValidationError(
                    f"{where}.calling_windows",
                    len(self.calling_windows),
                    "no calling windows outside outbound queues",
                )
        for w in self.calling_windows:
            if not isinstance(w, CallingWindow):
                raise ValidationError(
                    f"{where}.calling_windows", type(w).__name__, "wfm.queues.CallingWindow items"
                )


@dataclass(frozen=True, kw_only=True)
class Skill:
    """An agent's ability to serve a queue.

    Parameters
    ----------
    queue
        Name of a :class:`Queue`.
    priority
        Routing priority of this skill for the agent, 1 = first (>= 1).
    """

    queue: str
    priority: int = 1

    def __post_init__(self) -> None:
        if not (isinstance(self.queue, str) and self.queue):
            raise ValidationError("skill.queue", self.queue, "a queue name")
        p = self.priority
        if not (isinstance(p, int) and not isinstance(p, bool) and p >= 1):
            raise ValidationError(f"skills[{self.queue!r}].priority", p, "a whole number >= 1")


@dataclass(frozen=True, kw_only=True)
class QueueSet:
    """The queues of a centre and its one shrinkage.

    Parameters
    ----------
    queues
        At least one queue; names unique.
    shrinkage
        Share of scheduled time lost to absence and training, in [0, 1);
        every voice and chat policy must carry the same value.
    """

    queues: tuple[Queue, ...]
    shrinkage: float = 0.0

    def __post_init__(self) -> None:
        queues = tuple(self.queues)
        object.__setattr__(self, "queues", queues)
        if not queues:
            raise ValidationError("queues", [], "at least one queue")
        names = [q.name for q in queues]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ValidationError("queues", name, "unique queue names")
            seen.add(name)
        s = self.shrinkage
        if not (_finite(s) and 0 <= s < 1):
            raise ValidationError("shrinkage", s, "a fraction in [0, 1)")
        object.__setattr__(self, "shrinkage", float(s))
        for q in queues:
            if q.service is not None and q.service.shrinkage != self.shrinkage:
                raise ValidationError(
                    f"queues[{q.name!r}].service.shrinkage",
                    q.service.shrinkage,
                    f"the centre's shrinkage {self.shrinkage:g} (one shrinkage for every queue)",
                )

    @property
    def names(self) -> tuple[str, ...]:
        """Queue names in order."""
        return tuple(q.name for q in self.queues)

    def queue(self, name: str) -> Queue:
        """The queue called ``name``."""
        for q in self.queues:
            if q.name == name:
                return q
        raise ValidationError("queue", name, f"one of {', '.join(self.names)}")

    def check_skills(self, skills: Iterable[Skill], *, where: str) -> tuple[Skill, ...]:
        """Validate an agent's skills against the set: known queues, each at most once.

        Parameters
        ----------
        skills
            The agent's skills.
        where
            Field path used in the error (e.g. ``"agents['a1'].skills"``).

        Returns
        -------
        tuple of Skill
            The skills, sorted by priority then queue order.
        """
        order = {name: i for i, name in enumerate(self.names)}
        result = tuple(skills)
        if not result:
            raise ValidationError(where, [], "at least one skill")
        seen: set[str] = set()
        for s in result:
            if s.queue not in order:
                raise ValidationError(f"{where}.queue", s.queue, f"one of {', '.join(self.names)}")
            if s.queue in seen:
                raise ValidationError(where, s.queue, "each queue at most once")
            seen.add(s.queue)
        return tuple(sorted(result, key=lambda s: (s.priority, order[s.queue])))


def skill_groups(skills: Sequence[tuple[Skill, ...]]) -> tuple[list[tuple[str, ...]], list[int]]:
    """Group agents by the set of queues they serve.

    Parameters
    ----------
    skills
        Each agent's skills (in agent order).

    Returns
    -------
    groups, membership
        ``groups[g]`` is the sorted tuple of queue names of group ``g`` (in
        order of first appearance); ``membership[a]`` is agent ``a``'s group.
    """
    index: dict[tuple[str, ...], int] = {}
    groups: list[tuple[str, ...]] = []
    membership: list[int] = []
    for agent_skills in skills:
        key = tuple(sorted(s.queue for s in agent_skills))
        if key not in index:
            index[key] = len(groups)
            groups.append(key)
        membership.append(index[key])
    return groups, membership
