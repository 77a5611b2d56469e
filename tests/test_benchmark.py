"""Tests of the benchmark runner and the ``wfm bench`` CLI (smoke size only)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from wfm.benchmark import (
    BenchmarkRun,
    format_table,
    resolve_instances,
    run_instance,
    runs_to_frame,
    time_within,
    write_results,
)
from wfm.cli import main
from wfm.errors import ValidationError
from wfm.roster.options import SolverOptions

TINY = "a6-i30-fixed-nobrk-mixed-s0"


def test_time_within_one_percent() -> None:
    trace = [(0.5, 300.0), (1.0, 150.0), (2.0, 101.0), (5.0, 100.0)]
    assert time_within(trace, 100.0) == 2.0
    assert time_within(trace, 100.0, fraction=0.0) == 5.0
    assert time_within(trace, 100.0, fraction=2.0) == 0.5
    assert time_within([], 100.0) is None
    assert time_within(trace, None) is None
    # a zero objective needs the incumbent to reach zero
    assert time_within([(1.0, 0.5), (3.0, 0.0)], 0.0) == 3.0
    # negative objectives: within 1 % of |final|
    assert time_within([(1.0, -90.0), (2.0, -99.5), (4.0, -100.0)], -100.0) == 2.0


def test_format_table_text_and_markdown() -> None:
    frame = pd.DataFrame(
        {"instance": ["x", "yy"], "relative_gap": [0.01234, None], "paid_hours": [10.0, 2.25]}
    )
    text = format_table(frame, ["instance", "relative_gap", "paid_hours"])
    lines = text.splitlines()
    assert len(lines) == 3 and len({len(line) for line in lines}) == 1
    assert "0.012" in lines[1] and "-" in lines[2] and "2.2" in lines[2]
    md = format_table(frame, headers=["inst", "gap", "paid"], markdown=True)
    assert md.splitlines()[0] == "| inst | gap | paid |"
    assert md.splitlines()[1] == "|---|---|---|"
    with pytest.raises(ValidationError):
        format_table(frame, ["instance"], headers=["a", "b"])


def test_resolve_instances_checks_items(tmp_path: pytest.TempPathFactory) -> None:
    assert resolve_instances([TINY]) == [TINY]
    with pytest.raises(ValidationError, match="scenario"):
        resolve_instances(["missing.yaml"])
    with pytest.raises(ValidationError, match="instance"):
        resolve_instances(["not-an-instance"])


def test_run_instance_rejects_bad_settings() -> None:
    with pytest.raises(ValidationError, match="time_limit_seconds"):
        run_instance(TINY, SolverOptions(time_limit_seconds=0.0))
    with pytest.raises(ValidationError, match="workers"):
        run_instance(TINY, SolverOptions(workers=0))
    with pytest.raises(ValidationError, match="options"):
        run_instance(TINY, {"workers": 1})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tiny_run() -> tuple[BenchmarkRun, list[dict[str, float]]]:
    events: list[dict[str, float]] = []
    run = run_instance(
        TINY, SolverOptions(time_limit_seconds=10.0, workers=1, seed=0), progress=events.append
    )
    return run, events


def test_tiny_run_is_measured(tiny_run: tuple[BenchmarkRun, list[dict[str, float]]]) -> None:
    run, events = tiny_run
    assert run.error is None, run.error
    assert run.status in ("OPTIMAL", "FEASIBLE")
    assert run.agents == 6 and run.interval_minutes == 30 and run.workers == 1
    assert run.hard_violations == 0
    assert run.objective is not None and math.isfinite(run.objective)
    assert run.first_solution_seconds is not None and run.within_1pct_seconds is not None
    assert run.first_solution_seconds <= run.within_1pct_seconds + 1e-9
    assert run.understaffing_agent_hours is not None
    assert run.lb_understaffing_agent_hours is not None
    assert run.understaffing_agent_hours >= run.lb_understaffing_agent_hours - 1e-6
    assert run.paid_hours is not None and run.lb_paid_hours is not None
    assert run.peak_memory_mb is not None and run.peak_memory_mb > 10
    assert run.total_seconds is not None and run.wall_time_seconds is not None
    assert run.total_seconds >= run.wall_time_seconds
    # progress events arrive in order and end at the final objective
    assert events, "no progress event"
    assert [e["elapsed_seconds"] for e in events] == sorted(e["elapsed_seconds"] for e in events)
    assert events[-1]["objective"] == pytest.approx(run.objective)
    frame = runs_to_frame([run])
    assert list(frame.columns)[:3] == ["instance", "agents", "interval_minutes"]


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["bench", "--family", "tiny", "--time-limit", "10", "--workers", "1", "--json", "-q"]
    )
    records = json.loads(capsys.readouterr().out)
    assert code == 0
    assert len(records) == 1 and records[0]["instance"] == TINY
    assert records[0]["status"] in ("OPTIMAL", "FEASIBLE")
    assert records[0]["hard_violations"] == 0


def test_cli_deterministic_runs_repeat(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["bench", TINY, TINY, "--time-limit", "10", "--workers", "1", "--json", "-q"]
    code = main([*argv, "--max-deterministic-time", "0.2"])
    records = json.loads(capsys.readouterr().out)
    assert code == 0 and len(records) == 2
    assert records[0]["objective"] == records[1]["objective"]
    assert main([*argv[:2], "--max-deterministic-time", "0", "-q"]) == 2
    assert "max_deterministic_time" in capsys.readouterr().err


def test_cli_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench"]) == 2
    assert main(["bench", "nope.yaml"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("wfm bench: error:") for line in err)
    assert main(["bench", "--list"]) == 0
    assert "acceptance" in capsys.readouterr().out


def test_coverage_of_by_hand() -> None:
    from wfm.benchmark import coverage_of
    from wfm.datasets.instances import make_problem, parse_instance_name

    problem = make_problem(parse_instance_name(TINY))  # 30-minute grid from Monday 00:00
    roster = pd.DataFrame(
        {
            "start": ["2026-09-07 08:00", "2026-09-07 09:00", "2026-09-13 20:00"],
            "end": ["2026-09-07 16:00", "2026-09-07 17:00", "2026-09-14 04:00"],
        }
    )
    breaks = pd.DataFrame({"start": ["2026-09-07 12:00"], "end": ["2026-09-07 12:30"]})
    cov = coverage_of(problem, roster, breaks)
    assert cov.shape == (problem.n_intervals,)
    assert cov[15] == 0 and cov[16] == 1 and cov[18] == 2 and cov[24] == 1
    assert cov[31] == 2 and cov[32] == 1 and cov[33] == 1 and cov[34] == 0
    # the last shift runs past the end of the horizon: only 20:00-24:00 counts
    assert cov[-8:].tolist() == [1.0] * 8 and cov[-9] == 0
    assert cov.sum() == 16 + 16 - 1 + 8


def test_evaluate_roster_matches_the_solver_summary() -> None:
    from wfm.benchmark import evaluate_roster
    from wfm.datasets.instances import make_problem, parse_instance_name
    from wfm.roster.solve import solve

    problem = make_problem(parse_instance_name(TINY))
    result = solve(problem, SolverOptions(time_limit_seconds=10.0, workers=1, seed=0))
    assert result.objective is not None
    scored = evaluate_roster(problem, result.roster, result.breaks)
    summary = result.summary
    assert scored["hard_violations"] == 0 and scored["violated_rules"] == ""
    assert scored["understaffing_agent_hours"] == pytest.approx(summary.understaffing_agent_hours)
    assert scored["overstaffing_agent_hours"] == pytest.approx(summary.overstaffing_agent_hours)
    assert scored["paid_hours"] == pytest.approx(summary.paid_hours)
    assert scored["shifts"] == summary.shifts
    assert scored["service_level"] == pytest.approx(summary.service_level, abs=1e-9)
    # an empty roster: everything is under-staffed, and the checker sees the contract minimums
    empty = result.roster.iloc[0:0]
    nothing = evaluate_roster(problem, empty, None)
    required_hours = problem.required_scheduled.sum() * problem.interval_hours
    assert nothing["understaffing_agent_hours"] == pytest.approx(required_hours)
    assert nothing["paid_hours"] == 0 and nothing["hard_violations"] >= len(problem.agents)


def test_write_results_resolves_appends_and_skips(tmp_path: Path) -> None:
    first = pd.DataFrame({"run": [1], "seconds": [0.5]})
    second = pd.DataFrame({"run": [2], "seconds": [0.25]})
    written = write_results(first, "results/x.csv", root=tmp_path)
    assert written == tmp_path / "results" / "x.csv"
    write_results(second, "results/x.csv", root=tmp_path, append=True)
    assert pd.read_csv(written)["run"].tolist() == [1, 2]
    write_results(second, str(written), root=tmp_path / "elsewhere")  # absolute: root unused
    assert pd.read_csv(written)["run"].tolist() == [2]
    assert write_results(first, "-", root=tmp_path) is None
    assert sorted(p.name for p in tmp_path.rglob("*.csv")) == ["x.csv"]
