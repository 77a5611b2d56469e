"""Queues, channels and skills: validation of the multi-skill building blocks."""

from __future__ import annotations

import datetime as dt

import pytest

from wfm.errors import ValidationError
from wfm.queues import CallingWindow, Channel, Queue, QueueSet, Skill, skill_groups
from wfm.roster.problem import Agent
from wfm.service import ServicePolicy, on_phone_agents, scheduled_agents_fractional


def test_channel_kinds() -> None:
    assert Channel.VOICE.per_interval and Channel.CHAT.per_interval
    assert not Channel.EMAIL.per_interval and not Channel.OUTBOUND.per_interval


def test_queue_fields_belong_to_their_channel() -> None:
    policy = ServicePolicy(level=0.8, answer_within_seconds=20)
    Queue(name="chat", channel="chat", service=policy, max_sessions=3, session_slowdown=0.1)
    with pytest.raises(ValidationError, match="max_sessions"):
        Queue(name="v", service=policy, max_sessions=2)
    with pytest.raises(ValidationError, match="service"):
        Queue(name="v")
    with pytest.raises(ValidationError, match="response_hours"):
        Queue(name="mail", channel=Channel.EMAIL)
    with pytest.raises(ValidationError, match="service"):
        Queue(name="mail", channel=Channel.EMAIL, service=policy, response_hours=8)
    Queue(name="mail", channel=Channel.EMAIL, response_hours=8, response_share=0.95)
    out = Queue(
        name="out",
        channel="outbound",
        outbound_hours_per_day=6,
        calling_windows=(CallingWindow(weekday=0, start=dt.time(9), end=dt.time(17)),),
    )
    assert out.outbound_hours_per_day == 6.0
    with pytest.raises(ValidationError, match="calling_windows"):
        Queue(
            name="v",
            service=policy,
            calling_windows=(CallingWindow(weekday=0, start=dt.time(9), end=dt.time(17)),),
        )
    with pytest.raises(ValidationError, match="channel"):
        Queue(name="x", channel="fax")


def test_queue_set_has_one_shrinkage_and_unique_names() -> None:
    p = ServicePolicy(level=0.8, answer_within_seconds=20, shrinkage=0.3)
    qs = QueueSet(queues=(Queue(name="a", service=p), Queue(name="b", service=p)), shrinkage=0.3)
    assert qs.names == ("a", "b")
    with pytest.raises(ValidationError, match="shrinkage"):
        QueueSet(queues=(Queue(name="a", service=p),), shrinkage=0.2)
    with pytest.raises(ValidationError, match="unique"):
        QueueSet(queues=(Queue(name="a", service=p), Queue(name="a", service=p)), shrinkage=0.3)


def test_skills_checked_sorted_and_grouped() -> None:
    p = ServicePolicy(level=0.8, answer_within_seconds=20)
    qs = QueueSet(queues=(Queue(name="en", service=p), Queue(name="sv", service=p)))
    skills = qs.check_skills((Skill(queue="sv", priority=2), Skill(queue="en")), where="agents")
    assert [s.queue for s in skills] == ["en", "sv"]
    with pytest.raises(ValidationError, match="queue"):
        qs.check_skills((Skill(queue="de"),), where="agents")
    with pytest.raises(ValidationError, match="at most once"):
        qs.check_skills((Skill(queue="en"), Skill(queue="en", priority=2)), where="agents")
    with pytest.raises(ValidationError, match="priority"):
        Skill(queue="en", priority=0)
    groups, membership = skill_groups(
        [(Skill(queue="sv"),), (Skill(queue="sv"), Skill(queue="en")), (Skill(queue="sv"),)]
    )
    assert groups == [("sv",), ("en", "sv")] and membership == [0, 1, 0]
    agent = Agent(agent_id="a", contract="c", skills=[Skill(queue="en")])
    assert agent.skills == (Skill(queue="en"),)


def test_one_conversion_of_shrinkage() -> None:
    policy = ServicePolicy(level=0.8, answer_within_seconds=20, shrinkage=0.3)
    assert on_phone_agents(20, shrinkage=0.3) == pytest.approx(policy.on_phone(20))
    assert scheduled_agents_fractional(14, shrinkage=0.3) == pytest.approx(20.0)
    assert policy.scheduled_for(14) == 20
