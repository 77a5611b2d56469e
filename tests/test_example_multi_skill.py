"""The multi-skill example: its demand is the script's, and it rosters and simulates end to end."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.cli import main
from wfm.roster.checker import check_roster_files
from wfm.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "examples" / "multi_skill"
EXAMPLE = FOLDER / "scenario.yaml"
BANK_LOG = ROOT.parent / "shared" / "data" / "anonymous_bank_1999" / "calls_1999-02-01_14.tsv"


def test_example_is_a_realistic_multi_skill_centre() -> None:
    scenario = load_scenario(EXAMPLE)
    assert scenario.queues is not None
    channels = {q.channel.value for q in scenario.queues.queues}
    assert channels == {"voice", "chat", "email", "outbound"}
    assert 100 <= len(scenario.agents) <= 150
    groups = {tuple(sorted(s.queue for s in a.skills or ())) for a in scenario.agents}
    assert 4 <= len(groups) <= 6
    # every inbound queue is some team's first skill
    first = {a.skills[0].queue for a in scenario.agents if a.skills}
    inbound = {q.name for q in scenario.queues.queues if q.channel.value != "outbound"}
    assert inbound <= first


@pytest.mark.skipif(not BANK_LOG.exists(), reason="the Anonymous Bank call log is not present")
def test_demand_is_what_the_script_builds_from_the_bank_log() -> None:
    spec = importlib.util.spec_from_file_location("make_demand", FOLDER / "make_demand.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build(BANK_LOG)
    stored = pd.read_csv(FOLDER / "demand.csv", parse_dates=["interval_start"])
    assert list(built["queue"]) == list(stored["queue"])
    assert (built["interval_start"] == stored["interval_start"]).all()
    np.testing.assert_allclose(built["calls"], stored["calls"], atol=0.006)
    np.testing.assert_allclose(built["aht_seconds"], stored["aht_seconds"], atol=0.06)


def test_example_rosters_and_simulates_per_queue(tmp_path: Path) -> None:
    out, sim = tmp_path / "out", tmp_path / "sim"
    code = main(
        ["roster", str(EXAMPLE), "-o", str(out), "--time-limit", "12", "--workers", "2", "-q"]
    )
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    scenario = load_scenario(EXAMPLE)
    assert scenario.queues is not None
    assert set(summary["queues"]) >= set(scenario.queues.names)
    by_queue = pd.read_csv(out / "coverage_by_queue.csv")
    assert set(by_queue["queue"]) == set(scenario.queues.names)
    # the independent checker: no hard rule broken, each agent allocated at most once
    violations = check_roster_files(scenario.build_problem(), out)
    assert violations.empty, violations.to_string()
    per_interval = by_queue.groupby("interval_start")["coverage_scheduled"].sum()
    coverage = pd.read_csv(out / "coverage.csv").set_index("interval_start")
    scheduled = coverage["coverage_scheduled"].reindex(per_interval.index)
    assert (per_interval <= scheduled + 1e-6).all()
    code = main(
        [
            "simulate",
            str(out),
            "--scenario",
            str(EXAMPLE),
            "--replications",
            "2",
            "-o",
            str(sim),
        ]
    )
    assert code == 0
    queues = pd.read_csv(sim / "queues.csv")
    assert list(queues["queue"]) == list(scenario.queues.names)
    voice = queues[queues["channel"] == "voice"]
    assert (voice["offered"] > 0).all()
    assert ((voice["service_level"] >= 0) & (voice["service_level"] <= 1)).all()
