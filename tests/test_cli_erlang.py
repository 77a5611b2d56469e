"""Tests of the ``wfm erlang`` and ``wfm requirements`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from wfm.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "forecast_week.csv"


def test_erlang_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        "erlang --calls 100 --aht-seconds 180 --interval-minutes 30 "
        "--target 0.8/20 --shrinkage 0.3".split()
    )
    out = capsys.readouterr().out
    assert code == 0
    summary = out.split("\n\n")[0].splitlines()
    lines = {line.split()[0]: line.split()[-1] for line in summary}
    assert lines["required_on_phone"] == "14"
    assert lines["required_scheduled"] == "20"
    assert lines["service_level"] == "0.88835"
    assert lines["wait_probability"] == "0.174132"
    assert "80% answered within 20 s" in out


def test_erlang_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["erlang", "--calls", "100", "--aht-seconds", "180", "--interval-minutes", "30", "--json"]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["required_on_phone"] == 14
    assert result["occupancy"] == pytest.approx(0.7142857, abs=1e-7)
    assert result["asa_seconds"] == pytest.approx(7.83594, abs=1e-5)
    assert [row["agents_on_phone"] for row in result["nearby"]] == [12, 13, 14, 15, 16]
    assert result["nearby"][1]["service_level"] < 0.8 <= result["nearby"][2]["service_level"]


def test_erlang_json_writes_infinite_asa_as_null(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        "erlang --calls 100 --aht-seconds 180 --interval-minutes 30 --agents 9 --json".split()
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["asa_seconds"] is None
    assert result["service_level"] == 0.0


def test_erlang_a(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        "erlang --calls 400 --aht-seconds 300 --interval-minutes 15 "
        "--model erlang_a --patience-seconds 120 --json".split()
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["model"] == "erlang_a"
    assert result["required_on_phone"] < result["traffic_erlangs"]
    assert 0 < result["abandon_probability"] < 1
    assert result["service_level"] >= 0.8


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["erlang", "--calls", "-5", "--aht-seconds", "180"], "--calls"),
        (["erlang", "--calls", "5", "--aht-seconds", "0"], "--aht-seconds"),
        (["erlang", "--calls", "5", "--aht-seconds", "180", "--target", "1.5/20"], "--target"),
        (["erlang", "--calls", "5", "--aht-seconds", "180", "--model", "erlang_a"], "patience"),
        (["erlang", "--calls", "5", "--aht-seconds", "180", "--shrinkage", "1"], "--shrinkage"),
    ],
)
def test_erlang_errors_are_one_line(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert needle in err and "Traceback" not in err


def test_requirements_writes_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "req.csv"
    code = main(
        ["requirements", str(EXAMPLE), "--target", "0.8/20", "--shrinkage", "0.3", "-o", str(out)]
    )
    assert code == 0
    assert "672 intervals" in capsys.readouterr().out
    req = pd.read_csv(out)
    assert len(req) == 672
    assert {"required_on_phone", "required_scheduled", "service_level", "is_open"} <= set(
        req.columns
    )
    open_rows = req[req["is_open"]]
    assert (open_rows["service_level"] >= 0.8 - 1e-9).all()
    assert (req.loc[~req["is_open"], "required_scheduled"] == 0).all()


def test_requirements_to_stdout_with_erlang_a(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "requirements",
            str(EXAMPLE),
            *"--model erlang_a --patience-seconds 90 --max-abandon-rate 0.05".split(),
            *"--min-agents 1 --max-occupancy 0.9".split(),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    header = text.splitlines()[0].split(",")
    assert "abandon_probability" in header
    assert len(text.splitlines()) == 673


def test_requirements_aht_default_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fc.csv"
    path.write_text("interval_start,calls\n2024-01-01T08:00,10\n2024-01-01T08:15,-2\n")
    assert main(["requirements", str(path), "--aht-seconds", "200"]) == 2
    err = capsys.readouterr().err
    assert "calls[line 3]" in err and len(err.strip().splitlines()) == 1
    path.write_text("interval_start,calls\n2024-01-01T08:00,10\nnot a time,3\n")
    assert main(["requirements", str(path), "--aht-seconds", "200"]) == 2
    assert "interval_start[line 3]" in capsys.readouterr().err
    path.write_text("interval_start,calls\n2024-01-01T08:00,10\n2024-01-01T08:15,12\n")
    assert main(["requirements", str(path)]) == 2
    assert "aht_seconds" in capsys.readouterr().err
    assert main(["requirements", str(path), "--aht-seconds", "200"]) == 0
    assert capsys.readouterr().out.count("\n") == 3
    assert main(["requirements", str(tmp_path / "missing.csv"), "--aht-seconds", "200"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_asa_only_target(capsys: pytest.CaptureFixture[str]) -> None:
    argv = "erlang --calls 100 --aht-seconds 180 --interval-minutes 30 --target none"
    code = main([*argv.split(), "--max-asa-seconds", "10", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["target"]["level"] is None
    assert result["required_on_phone"] == 14  # ASA 7.8 s at 14 agents, 17.1 s at 13
    assert main([*argv.split(), "--json"]) == 2
    assert "at least one" in capsys.readouterr().err


def test_target_none_without_any_other_target_is_one_readable_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # used to print the repr of an internal ServiceTarget object
    code = main(["erlang", "--calls", "100", "--aht-seconds", "180", "--target", "none"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--target: got 'none'" in err and "--max-asa-seconds" in err
    assert "ServiceTarget(" not in err


def test_hundred_percent_target_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["erlang", "--calls", "100", "--aht-seconds", "180", "--interval-minutes", "30"]
    assert main([*argv, "--target", "1.0/0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wfm erlang: error: --target: got '1.0/0'") and err.count("\n") == 1
    assert main([*argv, "--target", "0.99/0"]) == 0


def test_requirements_of_a_header_only_forecast_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # used to write an empty table and exit 0
    path = tmp_path / "forecast.csv"
    path.write_text("interval_start,calls,aht_seconds\n")
    out = tmp_path / "req.csv"
    assert main(["requirements", str(path), "--interval-minutes", "15", "-o", str(out)]) == 2
    assert "the file has a header only" in capsys.readouterr().err
    assert not out.exists()


def test_requirements_interval_longer_than_spacing_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "req.csv"
    argv = ["requirements", str(EXAMPLE), "--interval-minutes", "30", "-o", str(out)]
    assert main(argv) == 2
    assert "interval_start[line 3]" in capsys.readouterr().err


def test_target_line_is_not_rounded_up_to_a_hundred_percent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["erlang", "--calls", "100", "--aht-seconds", "180", "--target", "0.999999/0"]
    assert main([*argv, "--max-occupancy", "0.855"]) == 0
    out = capsys.readouterr().out
    assert "99.9999% answered within 0 s, occupancy <= 85.5%" in out
    assert "100%" not in out
