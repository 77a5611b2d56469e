"""The ``queues`` and ``shrinkage`` sections of a scenario: a multi-skill centre.

A scenario with a ``queues`` list plans several queues at once (see
:mod:`wfm.queues` for channels, shrinkage and routing)::

    shrinkage: 0.12                # the centre's one shrinkage
    queues:
      - name: support
        channel: voice             # voice (default), chat, email or outbound
        service: {target: 0.8, answer_within_seconds: 20, patience_seconds: 600}
      - name: chat
        channel: chat
        max_sessions: 3
        session_slowdown: 0.25
        service: {target: 0.9, answer_within_seconds: 60}
      - name: email
        channel: email
        response_hours: 8
        response_share: 0.95
      - name: outbound
        channel: outbound
        outbound_hours_per_day: 30
        calling_windows: [{weekdays: Mon-Fri, start: "10:00", end: "18:00"}]

A queue's ``service`` takes the keys of the top-level ``service`` section
but ``shrinkage``, ``fractional`` and ``patience_from`` (the centre's
``shrinkage`` applies to every queue). With ``queues`` there is no
top-level ``service`` section, and the agents' ``skills`` say which queues
each agent serves: ``"support; chat:2"`` is support at priority 1 and chat
at priority 2 (a CSV cell or a YAML string; a YAML list of
``{queue, priority}`` mappings is read too). An agent without skills serves
every queue.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from wfm.errors import ScenarioError, ValidationError
from wfm.queues import CallingWindow, Channel, Queue, QueueSet, Skill
from wfm.scenario.schema import (
    built,
    read_int,
    read_list,
    read_mapping,
    read_number,
    read_text,
    read_time,
    read_weekdays,
    service_policy,
)
from wfm.service import ServicePolicy

__all__ = ["QUEUE_KEYS", "parse_queues", "parse_skills"]

QUEUE_KEYS = (
    "name",
    "channel",
    "service",
    "max_sessions",
    "session_slowdown",
    "response_hours",
    "response_share",
    "outbound_hours_per_day",
    "calling_windows",
)
_QUEUE_SERVICE_KEYS = (
    "target",
    "answer_within_seconds",
    "max_asa_seconds",
    "max_abandon_rate",
    "model",
    "patience_seconds",
    "max_occupancy",
)


def _service(value: Any, where: str, shrinkage: float) -> ServicePolicy:
    if isinstance(value, dict) and "shrinkage" in value:
        raise ScenarioError(
            f"{where}.shrinkage",
            value["shrinkage"],
            "nothing here: the centre's one shrinkage is the top-level shrinkage key",
        )
    raw = read_mapping(value, where, _QUEUE_SERVICE_KEYS)
    return service_policy(raw, where, shrinkage=shrinkage)


def _windows(value: Any, where: str) -> tuple[CallingWindow, ...]:
    windows: list[CallingWindow] = []
    for i, item in enumerate(read_list(value, where)):
        at = f"{where}[{i}]"
        raw = read_mapping(item, at, ("weekdays", "start", "end"), required=("start", "end"))
        days = (
            read_weekdays(raw["weekdays"], f"{at}.weekdays")
            if "weekdays" in raw
            else frozenset(range(7))
        )
        start = read_time(raw["start"], f"{at}.start")
        end = read_time(raw["end"], f"{at}.end")
        for day in sorted(days):
            windows.append(built(at, partial(CallingWindow, weekday=day, start=start, end=end)))
    return tuple(windows)


def parse_queues(queues_value: Any, shrinkage_value: Any) -> QueueSet:
    """The ``queues`` list and the top-level ``shrinkage``: the centre's :class:`QueueSet`.

    Parameters
    ----------
    queues_value
        The raw YAML value of ``queues``.
    shrinkage_value
        The raw YAML value of ``shrinkage`` (``None``: 0).

    Returns
    -------
    QueueSet
        The validated queues.
    """
    shrinkage = (
        0.0 if shrinkage_value is None else read_number(shrinkage_value, "shrinkage", minimum=0.0)
    )
    if shrinkage >= 1:
        raise ScenarioError("shrinkage", shrinkage, "a share in [0, 1)")
    items = read_list(queues_value, "queues")
    if not items:
        raise ScenarioError("queues", [], "at least one queue")
    queues: list[Queue] = []
    for i, item in enumerate(items):
        where = f"queues[{i}]"
        raw = read_mapping(item, where, QUEUE_KEYS, required=("name",))
        args: dict[str, Any] = {"name": read_text(raw["name"], f"{where}.name")}
        channel_text = read_text(raw.get("channel", "voice"), f"{where}.channel")
        try:
            channel = Channel(channel_text)
        except ValueError:
            raise ScenarioError(
                f"{where}.channel", channel_text, f"one of {', '.join(c.value for c in Channel)}"
            ) from None
        args["channel"] = channel
        if raw.get("service") is not None:
            args["service"] = _service(raw["service"], f"{where}.service", shrinkage)
        if "max_sessions" in raw:
            args["max_sessions"] = read_int(raw["max_sessions"], f"{where}.max_sessions", minimum=1)
        for key in ("session_slowdown", "response_hours", "response_share"):
            if raw.get(key) is not None:
                args[key] = read_number(raw[key], f"{where}.{key}", minimum=0.0)
        if raw.get("outbound_hours_per_day") is not None:
            args["outbound_hours_per_day"] = read_number(
                raw["outbound_hours_per_day"], f"{where}.outbound_hours_per_day", minimum=0.0
            )
        if raw.get("calling_windows") is not None:
            args["calling_windows"] = _windows(raw["calling_windows"], f"{where}.calling_windows")
        queues.append(built(where, partial(Queue, **args)))
    try:
        return QueueSet(queues=tuple(queues), shrinkage=shrinkage)
    except ValidationError as exc:
        raise ScenarioError(exc.field, exc.value, exc.expected) from None


def parse_skills(value: Any, where: str) -> tuple[Skill, ...]:
    """An agent's ``skills``: ``"support; chat:2"`` or a list of ``{queue, priority}``.

    Parameters
    ----------
    value
        The raw value (CSV text or YAML).
    where
        Field path for errors.

    Returns
    -------
    tuple of Skill
        The skills in the order given (checked against the queues later).
    """
    entries: list[tuple[str, Any]] = []
    if isinstance(value, str):
        for token in (t.strip() for t in value.split(";")):
            if token:
                name, _, rank = token.partition(":")
                entries.append((name.strip(), rank.strip() or 1))
    else:
        for k, item in enumerate(read_list(value, where)):
            raw = read_mapping(item, f"{where}[{k}]", ("queue", "priority"), required=("queue",))
            entries.append((read_text(raw["queue"], f"{where}[{k}].queue"), raw.get("priority", 1)))
    if not entries:
        raise ScenarioError(where, value, "at least one skill, e.g. 'support; chat:2'")
    skills: list[Skill] = []
    for k, (name, given) in enumerate(entries):
        priority: Any = given
        if isinstance(given, str):
            if not given.isdigit():
                raise ScenarioError(
                    f"{where}[{k}].priority", given, "a whole number >= 1 after the colon"
                )
            priority = int(given)
        level = read_int(priority, f"{where}[{k}].priority", minimum=1)
        skills.append(built(f"{where}[{k}]", partial(Skill, queue=name, priority=level)))
    return tuple(skills)
