"""Tests of the ``wfm reroster`` command and its changes file on a tiny scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_cli_roster import _tiny

from wfm.cli import main
from wfm.errors import ScenarioError
from wfm.scenario.changes import load_changes


def _published(tmp_path: Path) -> tuple[Path, Path]:
    scenario = _tiny(tmp_path)
    out = tmp_path / "published"
    assert main(["roster", str(scenario), "-o", str(out), "--workers", "1", "-q"]) == 0
    return scenario, out


def test_reroster_after_an_absence_writes_the_change_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, published = _published(tmp_path)
    roster = pd.read_csv(published / "roster.csv")
    monday = roster[roster["date"] == "2027-01-04"]
    absent = str(sorted(set(monday["agent_id"]) - {"A3"})[0])
    changes = tmp_path / "changes.yaml"
    changes.write_text(
        yaml.safe_dump(
            {"absences": [{"agent": absent, "dates": ["2027-01-04"]}], "locks": {"agents": ["A3"]}}
        )
    )
    out = tmp_path / "new"
    capsys.readouterr()
    code = main(
        [
            "reroster",
            str(scenario),
            "--published",
            str(published),
            "--changes",
            str(changes),
            "-o",
            str(out),
            "--workers",
            "1",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    table = pd.read_csv(out / "changes.csv")
    row = table[(table["agent_id"] == absent) & (table["date"] == "2027-01-04")]
    assert list(row["change"]) == ["removed"] and list(row["reason"]) == ["time_off"]
    assert "A3" not in set(table["agent_id"])  # locked
    new = pd.read_csv(out / "roster.csv")
    assert not ((new["agent_id"] == absent) & (new["date"] == "2027-01-04")).any()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["changes"]["shifts_removed"] >= 1
    assert summary["changes"]["locked_agent_days"] == 2
    assert "agents touched" in captured.out and "shifts removed" in captured.out


def test_changes_file_errors_name_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "changes.yaml"
    bad.write_text(yaml.safe_dump({"absences": [{"agent": "A1", "dates": ["monday"]}]}))
    with pytest.raises(ScenarioError, match=r"absences\[0\]\.dates\[0\]: got 'monday'"):
        load_changes(bad)
    bad.write_text(yaml.safe_dump({"absence": []}))
    with pytest.raises(ScenarioError, match="did you mean 'absences'"):
        load_changes(bad)
    bad.write_text(yaml.safe_dump({"weights": {"break_moved": -1}}))
    with pytest.raises(ScenarioError, match=r"weights\.break_moved: got -1"):
        load_changes(bad)


def test_unknown_agent_in_changes_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, published = _published(tmp_path)
    changes = tmp_path / "changes.yaml"
    changes.write_text(yaml.safe_dump({"leaving": ["ZZ"]}))
    args = ["reroster", str(scenario), "--published", str(published), "--changes", str(changes)]
    assert main([*args, "-o", str(tmp_path / "x")]) == 2
    assert "changes.leaving: got 'ZZ'" in capsys.readouterr().err


def test_the_example_changes_file_fits_the_example_scenario() -> None:
    from wfm.scenario import load_scenario

    root = Path(__file__).resolve().parents[1]
    scenario = load_scenario(root / "examples" / "contact_center" / "scenario.yaml")
    loaded = load_changes(root / "examples" / "reroster" / "changes.yaml")
    ids = {a.agent_id for a in scenario.agents}
    assert len(loaded.changes.time_off) == 2  # two absences
    assert set(loaded.changes.time_off) <= ids
    first = scenario.start_date
    for offs in loaded.changes.time_off.values():
        for off in offs:
            assert 0 <= (off.start.date() - first).days < scenario.days
    assert loaded.locks.before is not None and first < loaded.locks.before
