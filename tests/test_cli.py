"""The command-line dispatcher: every subcommand is registered and errors stay one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wfm.cli import COMMANDS, build_parser, main


def test_every_pipeline_command_is_registered() -> None:
    parser = build_parser()
    help_text = parser.format_help()
    for name in COMMANDS:
        assert name in help_text
        # each subcommand parses its own --help and exits 0
        with pytest.raises(SystemExit) as info:
            parser.parse_args([name, "--help"])
        assert info.value.code == 0


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_missing_file_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["requirements", "no-such-forecast.csv", "--target", "0.8/20"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no-such-forecast.csv" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_module_entry_point_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wfm", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("wfm ")
