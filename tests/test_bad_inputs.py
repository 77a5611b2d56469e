"""Every bad input of the catalogue ends in one clean line naming what is wrong.

The catalogue is ``tests/bad_inputs.py``. A case passes when the command
exits with the stated code, prints no traceback, and (for errors) ends its
standard error with one ``wfm <command>: error: ...`` line of bounded length
that names each of the case's words; an infeasible roster (exit code 1)
names the rules in conflict in its explanation. Cases marked ``isolated`` (hostile YAML,
huge magnitudes) run in a child process under a 1 GB address-space limit
and a time limit, so a hang or a memory blow-up fails the test instead of
the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bad_inputs import CASES, Case

from wfm.cli import main

MEMORY_LIMIT_BYTES = 1 << 30
TIME_LIMIT_SECONDS = 60
LONGEST_LINE = 400


def _run_isolated(argv: list[str], cwd: Path) -> tuple[int, str]:
    runner = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT_BYTES}, {MEMORY_LIMIT_BYTES}))
        from wfm.cli import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-c", runner, *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT_SECONDS,
        check=False,
    )
    return done.returncode, done.stderr


def test_catalogue_is_large_and_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = case.build(tmp_path)
    if case.isolated:
        code, err = _run_isolated(argv, tmp_path)
    else:
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse refuses its own arguments this way
            code = int(exit_.code or 0)
        err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert code == case.exit_code, f"exit {code}, expected {case.exit_code}: {err[-600:]}"
    if case.exit_code == 0:  # legitimate, but what looks odd is said
        for word in case.names:
            assert word.lower() in err.lower(), f"{word!r} not said in: {err[-600:]}"
        return
    if case.exit_code == 1:  # an infeasible roster: the explanation names the rules in conflict
        for word in case.names:
            assert word.lower() in err.lower(), f"{word!r} not named in: {err}"
        if argv[0] == "roster":  # and conflicts.csv lists them
            written = (Path(argv[argv.index("-o") + 1]) / "conflicts.csv").read_text()
            for word in case.names:
                assert word.lower() in written.lower(), written
        return
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "no message on standard error"
    last = lines[-1]
    assert last.startswith("wfm"), last
    assert len(last) <= LONGEST_LINE, f"{len(last)} characters: {last[:200]}..."
    for word in case.names:
        assert word.lower() in last.lower(), f"{word!r} not named in: {last}"
