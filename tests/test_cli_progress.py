"""Progress of ``wfm roster`` as a person sees it: live in a pseudo-terminal, plain in a pipe."""

from __future__ import annotations

import doctest
import io
import itertools
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import tiny_scenario

import wfm.cli.bench
import wfm.cli.progress
from wfm.cli import main
from wfm.cli.progress import PREPARING, REFRESH_SECONDS, SolveProgress
from wfm.roster.result import PHASES, ProgressEvent

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "contact_center" / "scenario.yaml"

#: Control sequences (CSI ..., OSC ...) of a terminal, removed before reading the lines.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
_FIGURES = re.compile(
    r"objective (?P<objective>\S+)  bound (?P<bound>\S+)  gap (?P<gap>\S+)  "
    r"understaffing (?P<under>\S+) agent-hours"
)
_ELAPSED = re.compile(r"^(?P<phase>.+?)  (?P<elapsed>[\d.]+) s, [\d.]+ s left  ")


def _summary_figures(stdout: str) -> dict[str, str]:
    """Objective, bound, gap and understaffing as the summary table prints them."""
    rows = dict(line.split(None, 1) for line in stdout.splitlines() if line.strip())
    objective = re.fullmatch(r"(\S+) \(bound (\S+), gap (\S+)\)", rows["objective"].strip())
    under = re.match(r"(\S+) agent-hours", rows["understaffing"].strip())
    assert objective is not None and under is not None
    return {
        "objective": objective.group(1),
        "bound": objective.group(2),
        "gap": objective.group(3),
        "under": under.group(1),
        "time": rows["time"].split()[0],
        "status": rows["status"].strip(),
    }


def _assert_final_equals_summary(final: str, stdout: str) -> None:
    summary = _summary_figures(stdout)
    figures = _FIGURES.search(final)
    assert figures is not None, final
    assert figures.groupdict() == {k: summary[k] for k in ("objective", "bound", "gap", "under")}
    assert final.split()[:3] == ["done", summary["status"], summary["time"]]
    assert summary["gap"].endswith("%")  # a percentage, as in the progress lines


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_live_progress_in_a_pseudo_terminal(tmp_path: Path) -> None:
    """The example solved for 6 s with standard error on a pty: rich redraws one line."""
    pytest.importorskip("rich")
    import pty

    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="220", TERM="xterm")
    env.pop("NO_COLOR", None)
    argv = [sys.executable, "-m", "wfm", "roster", str(EXAMPLE), "-o", str(tmp_path / "out")]
    argv += ["--time-limit", "6", "--workers", "2", "--seed", "1"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    received = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    stdout = process.stdout.read().decode() if process.stdout else ""
    assert process.wait() == 0
    screen = received.decode()
    assert "\x1b[" in screen  # drawn by a terminal library, in place
    frames = [
        f.strip()
        for f in re.split(r"[\r\n]+", _ESCAPES.sub("", screen))
        if _ELAPSED.match(f.strip()) or f.strip().startswith("done  ")
    ]
    progress = [f for f in frames if not f.startswith("done")]
    # the phases the search ran, by name, in order
    shown = list(dict.fromkeys(m.group("phase") for f in progress if (m := _ELAPSED.match(f))))
    if shown[0] == PREPARING:  # the rules' checks and the model's build
        shown = shown[1:]
    assert shown[:2] == ["greedy start", "CP-SAT"] or shown[:3] == [
        "greedy start",
        "class flow",
        "CP-SAT",
    ]
    assert set(shown) <= set(PHASES) and "LNS" in shown
    # heartbeat: redraws with the same figures and a later time (the solver said nothing)
    beats = 0
    for before, after in itertools.pairwise(progress):
        a, b = _ELAPSED.match(before), _ELAPSED.match(after)
        assert a is not None and b is not None
        # the figures (or "no roster yet") after the times
        fa, fb = before[a.end() :], after[b.end() :]
        if fa == fb and a.group("phase") == b.group("phase"):
            beats += float(b.group("elapsed")) > float(a.group("elapsed"))
    assert beats >= 3
    # the last line drawn is the summary's figures
    assert frames[-1].startswith("done")
    _assert_final_equals_summary(frames[-1], stdout)
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["status"] in stdout


def test_plain_lines_when_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tiny_scenario(tmp_path)
    assert main(["roster", str(scenario), "-o", str(tmp_path / "out"), "--time-limit", "5"]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.err  # no control sequences in a pipe or a log
    lines = [line.strip() for line in captured.err.splitlines() if line.startswith("  ")]
    assert lines[0].startswith("greedy start") and lines[0].endswith("no roster yet")
    assert all(line.endswith((" agent-hours", "no roster yet")) for line in lines)
    assert any(line.startswith("CP-SAT") for line in lines)
    _assert_final_equals_summary(lines[-1], captured.out)


def test_quiet_prints_nothing_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tiny_scenario(tmp_path)
    argv = ["roster", str(scenario), "-o", str(tmp_path / "out"), "--time-limit", "5", "-q"]
    assert main([*argv, "--report"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "objective" in captured.out  # the summary is the command's output


def test_plain_heartbeat_after_two_silent_seconds() -> None:
    """Plain display on a fake clock: the timer prints a line only after 2 s without one."""
    now = [0.0]
    stream = io.StringIO()
    display = SolveProgress(stream, live=False, clock=lambda: now[0])
    assert not display.live
    with display.solve(time_limit_seconds=10) as show:
        show(
            ProgressEvent(
                elapsed_seconds=0.0,
                objective=None,
                best_bound=None,
                relative_gap=None,
                phase="greedy start",
                kind="phase",
            )
        )
        now[0] = 1.0
        show(
            ProgressEvent(
                elapsed_seconds=1.0,
                objective=200.0,
                best_bound=150.0,
                relative_gap=0.25,
                phase="CP-SAT",
                understaffing_agent_hours=3.0,
            )
        )
        now[0] = 2.9  # 1.9 s after the last line: no heartbeat yet
        time.sleep(3 * REFRESH_SECONDS)
        assert len(stream.getvalue().splitlines()) == 2
        now[0] = 3.5
        for _ in range(100):  # the timer thread prints within a refresh
            if len(stream.getvalue().splitlines()) == 3:
                break
            time.sleep(0.1)
    lines = stream.getvalue().splitlines()
    assert lines == [
        "  greedy start  0.0 s, 10.0 s left  no roster yet",
        "  CP-SAT  1.0 s, 9.0 s left  objective 200.0  bound 150.0  gap 25.00%  "
        "understaffing 3.0 agent-hours",
        "  CP-SAT  3.5 s, 6.5 s left  objective 200.0  bound 150.0  gap 25.00%  "
        "understaffing 3.0 agent-hours",
    ]


@pytest.mark.parametrize("module", [wfm.cli.progress, wfm.cli.bench])
def test_docstring_examples(module: object) -> None:
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert tried > 0 and failures == 0


def test_bench_prints_the_gap_as_a_percentage(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["bench", "--family", "tiny", "--time-limit", "2", "--workers", "1", "--seeds", "0"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    header = captured.out.splitlines()[0].split()
    assert "gap_%" in header and "gap" not in header
    assert re.search(r"gap (\d+\.\d\d%|-)", captured.err)
