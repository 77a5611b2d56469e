"""The scenario's ``queues`` and ``shrinkage`` sections and the agents' skills."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from wfm.errors import ScenarioError
from wfm.queues import Channel, Skill
from wfm.scenario import load_scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "multi_skill" / "scenario.yaml"


def _document() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def _load(tmp_path: Path, document: dict[str, Any]) -> Any:
    for name in ("demand.csv", "agents.csv"):
        (tmp_path / name).write_bytes((EXAMPLE.parent / name).read_bytes())
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return load_scenario(path)


def _error(tmp_path: Path, document: dict[str, Any]) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        _load(tmp_path, document)
    return info.value


def test_example_queues_and_skills() -> None:
    scenario = load_scenario(EXAMPLE)
    assert scenario.queues is not None and scenario.service is None
    assert scenario.queues.shrinkage == 0.12
    chat = scenario.queues.queue("chat")
    assert chat.channel is Channel.CHAT and chat.max_sessions == 3
    assert chat.service is not None and chat.service.shrinkage == 0.12
    outbound = scenario.queues.queue("outbound")
    assert [w.weekday for w in outbound.calling_windows] == [0, 1, 2, 3, 4]
    back_office = scenario.agents[-1]  # the last team: the back office
    assert back_office.skills is not None
    assert [(s.queue, s.priority) for s in back_office.skills] == [
        ("email", 1),
        ("chat", 2),
        ("support", 3),
    ]


def test_inline_skills_as_a_list(tmp_path: Path) -> None:
    doc = _document()
    doc["agents"] = [
        {
            "agent_id": "X1",
            "contract": "full_time",
            "skills": [{"queue": "chat"}, {"queue": "email", "priority": 2}],
        }
    ]
    scenario = _load(tmp_path, doc)
    assert scenario.agents[0].skills == (Skill(queue="chat"), Skill(queue="email", priority=2))


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        (lambda d: d.update(service={"target": 0.8, "answer_within_seconds": 20}), "service", None),
        (lambda d: d["queues"][4].update(channel="fax"), "queues[4].channel", "fax"),
        (lambda d: d["queues"][5].pop("response_hours"), "queues[5].response_hours", None),
        (lambda d: d["queues"][0].update(max_sessions=2), "queues[0].max_sessions", 2),
        (lambda d: d["queues"][1].update(name="support"), "queues", "support"),
        (lambda d: d.update(shrinkage=1.2), "shrinkage", 1.2),
        (
            lambda d: d["queues"][0]["service"].update(shrinkage=0.2),
            "queues[0].service.shrinkage",
            None,
        ),
        (
            lambda d: d["queues"][6]["calling_windows"][0].update(start="19:00"),
            "queues[6].calling_windows[0].end",
            "18:00:00",
        ),
        (lambda d: d.update(demand={"history": {"path": "demand.csv"}}), "demand.history", None),
    ],
)
def test_bad_queue_sections_name_the_field(
    tmp_path: Path, change: Any, field: str, value: Any
) -> None:
    doc = copy.deepcopy(_document())
    change(doc)
    error = _error(tmp_path, doc)
    assert error.field == field
    if value is not None:
        assert value == error.value or str(value) in str(error)


def test_shrinkage_without_queues_is_refused(tmp_path: Path) -> None:
    doc = _document()
    del doc["queues"]
    doc["service"] = {"target": 0.8, "answer_within_seconds": 20}
    error = _error(tmp_path, doc)
    assert error.field == "shrinkage"


def test_skills_must_name_queues(tmp_path: Path) -> None:
    (tmp_path / "agents.csv").write_text(
        "agent_id,contract,skills\nA1,full_time,support; chta:2\n", encoding="utf-8"
    )
    doc = _document()
    (tmp_path / "demand.csv").write_bytes((EXAMPLE.parent / "demand.csv").read_bytes())
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.field == "agents[0].skills[1].queue (agents.csv line 2)"
    assert info.value.value == "chta" and "chat" in str(info.value)
    (tmp_path / "agents.csv").write_text(
        "agent_id,contract,skills\nA1,full_time,support:first\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.field.startswith("agents[0].skills[0].priority")
