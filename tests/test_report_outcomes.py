"""The report with a simulation's bands and the actuals beside the plan."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import tiny_scenario

from wfm.cli import main
from wfm.views.outcomes import outcome_week, plan_vs_outcomes, read_outcomes
from wfm.views.tables import read_roster_output

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "examples" / "call_logs" / "example_mapping.yaml"


@pytest.fixture(scope="module")
def roster_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("outcomes")
    out = base / "out"
    assert (
        main(["roster", str(tiny_scenario(base)), "-o", str(out), "-q", "--time-limit", "5"]) == 0
    )
    return out


def _call_log(path: Path, seed: int = 7) -> pd.DataFrame:
    """Calls on both days of the tiny scenario, 08:00-16:00, in the example log's layout."""
    rng = np.random.default_rng(seed)
    n = 300
    arrival = pd.Timestamp("2027-01-04 08:00") + pd.to_timedelta(
        rng.integers(0, 8 * 3600, n), unit="s"
    )
    arrival = arrival + pd.to_timedelta(rng.integers(0, 2, n), unit="D")
    wait = rng.integers(0, 60, n)
    abandoned = rng.random(n) < 0.1
    log = pd.DataFrame(
        {
            "call": np.arange(1, n + 1),
            "day": arrival.strftime("%d/%m/%Y"),
            "time": arrival.strftime("%H:%M:%S"),
            "queue_wait": wait,
            "talk": np.where(abandoned, 0, rng.integers(60, 400, n)),
            "result": np.where(abandoned, "ABANDONED", "ANSWERED"),
            "agent": np.where(abandoned, "NONE", "A"),
            "caller": [f"c{k}" for k in range(n)],
            "skill": "sales",
            "queued": "Y",
        }
    )
    log.to_csv(path, index=False)
    return log.assign(arrival=arrival, abandoned=abandoned)


def test_simulate_report_shows_the_bands(
    roster_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("plotly")
    sim = tmp_path / "sim"
    argv = ["simulate", str(roster_dir), "-o", str(sim), "--target", "0.8/20"]
    assert main([*argv, "--replications", "5", "--seed", "1", "--report"]) == 0
    assert "report.html" in capsys.readouterr().out
    html = (sim / "report.html").read_text(encoding="utf-8")
    assert 'id="chart-plan-vs-actual"' in html and "simulated 95% interval" in html
    assert (sim / "report.html").stat().st_size < 5_000_000
    output, outcomes = read_roster_output(roster_dir), read_outcomes(simulation=sim)
    week = outcome_week(output, outcomes).set_index("source")
    summary = json.loads((sim / "summary.json").read_text())
    level, low, high = summary["service_level"]
    row = week.loc["simulation"]
    assert (row["service_level"], row["service_level_lower"], row["service_level_upper"]) == (
        level,
        low,
        high,
    )
    # the plan's week: forecast calls and their calls-weighted predicted level
    coverage = pd.read_csv(roster_dir / "coverage.csv")
    busy = coverage[coverage["calls"] > 0]
    assert week.loc["plan", "calls"] == pytest.approx(coverage["calls"].sum())
    assert week.loc["plan", "service_level"] == pytest.approx(
        (busy["service_level"] * busy["calls"]).sum() / busy["calls"].sum()
    )
    table = plan_vs_outcomes(output, outcomes)
    assert len(table) == len(coverage)
    known = table.dropna(subset=["simulated_service_level"])
    assert len(known) == (coverage["calls"] > 0).sum()  # every open interval has a band
    assert (known["simulated_service_level_lower"] <= known["simulated_service_level"]).all()
    assert (known["simulated_service_level"] <= known["simulated_service_level_upper"]).all()


def test_actuals_report_lays_what_happened_beside_the_plan(
    roster_dir: Path, tmp_path: Path
) -> None:
    pytest.importorskip("plotly")
    log = _call_log(tmp_path / "log.csv")
    act = tmp_path / "act"
    argv = ["actuals", str(tmp_path / "log.csv"), "--mapping", str(MAPPING), "-o", str(act)]
    argv += ["--interval", "15", "--answer-within", "20"]
    assert main([*argv, "--plan", str(roster_dir / "coverage.csv"), "--report"]) == 0
    html = (act / "report.html").read_text(encoding="utf-8")
    assert 'id="chart-plan-vs-actual"' in html and "actuals" in html
    output, outcomes = read_roster_output(roster_dir), read_outcomes(actuals=act)
    table = plan_vs_outcomes(output, outcomes)
    # offered per interval, counted from the generated log
    counts = log["arrival"].dt.floor("15min").value_counts()
    expected = table["interval_start"].map(counts).fillna(0).to_numpy()
    np.testing.assert_array_equal(table["actual_offered"].to_numpy(), expected)
    # the week's actual service level: answered within 20 s over offered
    week = outcome_week(output, outcomes).set_index("source")
    in_time = ((~log["abandoned"]) & (log["queue_wait"] <= 20)).sum()
    assert week.loc["actuals", "calls"] == len(log)
    assert week.loc["actuals", "service_level"] == pytest.approx(in_time / len(log))


def test_actuals_report_needs_a_roster_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _call_log(tmp_path / "log.csv")
    argv = ["actuals", str(tmp_path / "log.csv"), "--mapping", str(MAPPING)]
    assert main([*argv, "-o", str(tmp_path / "act"), "--report"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--plan ROSTERDIR/coverage.csv" in err
    assert not (tmp_path / "act" / "intervals.csv").exists()


def test_report_refuses_a_directory_that_is_no_simulation(
    roster_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(roster_dir), "--simulation", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--simulation" in err
