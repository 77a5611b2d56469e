"""Tests of the ``wfm forecast`` command."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from wfm.cli import main
from wfm.datasets.history import synthetic_call_records, synthetic_history

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "contact_center" / "history.csv"
FORECAST_COLUMNS = [
    "interval_start",
    "calls",
    "aht_seconds",
    "is_open",
    "calls_lower",
    "calls_upper",
]


def _read_forecast(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, parse_dates=["interval_start"])


def test_example_forecast(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "forecast.csv"
    code = main(["forecast", str(EXAMPLE), "--start", "2027-01-04", "--days", "7", "-o", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "backtest" in printed and "seasonal_naive" in printed
    assert "method: auto:" in printed
    forecast = _read_forecast(out)
    assert list(forecast.columns) == FORECAST_COLUMNS
    assert len(forecast) == 7 * 96
    assert forecast["interval_start"].iloc[0] == pd.Timestamp("2027-01-04")
    assert (forecast["aht_seconds"] > 0).all()
    assert forecast["is_open"].dtype == bool
    assert (forecast.loc[~forecast["is_open"], "calls"] == 0).all()
    weekday_open = forecast[forecast["interval_start"].dt.day_of_week == 0]["is_open"]
    assert weekday_open.sum() == 48  # 08:00-20:00
    assert 80 <= forecast["calls"].max() <= 115


def test_coarser_interval_default_aht_and_method(tmp_path: Path) -> None:
    history = synthetic_history(start="2026-01-05", weeks=6, interval_minutes=5, seed=1)
    src = tmp_path / "history.csv"
    history.drop(columns="aht_seconds").to_csv(src, index=False)
    out = tmp_path / "forecast.csv"
    args = ["forecast", str(src), "--interval", "15", "--method", "profile", "-o", str(out)]
    assert main(args) == 2  # no AHT in history and no default
    assert main([*args, "--default-aht-seconds", "300"]) == 0
    forecast = _read_forecast(out)
    assert len(forecast) == 7 * 96
    assert (forecast["aht_seconds"] == 300).all()
    assert forecast["interval_start"].iloc[0] == pd.Timestamp("2026-02-16")


def test_records_and_special_days(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = synthetic_call_records(start="2026-01-05", weeks=3, seed=2)
    src = tmp_path / "calls.csv"
    records.to_csv(src, index=False)
    special = tmp_path / "special.csv"
    special.write_text("date,multiplier\n2026-01-07,\n2026-01-27,0\n")
    out = tmp_path / "forecast.csv"
    code = main(
        [
            "forecast",
            str(src),
            "--records",
            "--outcome-column",
            "outcome",
            "--interval",
            "30",
            "--special-days",
            str(special),
            "-o",
            str(out),
        ]
    )
    assert code == 0
    forecast = _read_forecast(out)
    assert len(forecast) == 7 * 48
    closed_day = forecast[forecast["interval_start"].dt.normalize() == "2026-01-27"]
    assert not closed_day["is_open"].any()
    assert "abandoned calls counted" in capsys.readouterr().out


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:15,-1\n")
    assert main(["forecast", str(bad), "-o", str(tmp_path / "f.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "calls[line 3]" in err
    assert main(["forecast", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "f.csv")]) == 2
    assert main(["forecast", str(EXAMPLE), "--records", "-o", str(tmp_path / "f.csv")]) == 2


@pytest.mark.skipif(
    importlib.util.find_spec("wfm.cli.requirements") is None, reason="wfm requirements not present"
)
def test_forecast_feeds_requirements(tmp_path: Path) -> None:
    forecast = tmp_path / "forecast.csv"
    assert main(["forecast", str(EXAMPLE), "--start", "2027-01-04", "-o", str(forecast)]) == 0
    requirements = tmp_path / "requirements.csv"
    assert main(["requirements", str(forecast), "-o", str(requirements)]) == 0
    assert requirements.exists()


# ----------------------------------------------------------------------------- regressions


@pytest.mark.parametrize("start", ["2027-13-01", "tomorrow"])
def test_unparsable_start_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start: str
) -> None:
    # was a pandas DateParseError traceback
    code = main(["forecast", str(EXAMPLE), "--start", start, "-o", str(tmp_path / "f.csv")])
    assert code == 2
    err = capsys.readouterr().err
    expected = "a date YYYY-MM-DD, e.g. 2027-01-04"
    assert err == f"wfm forecast: error: --start: got '{start}', expected {expected}\n"


def test_history_without_rows_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # header only: was an AttributeError traceback (NaT has no normalize)
    path = tmp_path / "history.csv"
    path.write_text("interval_start,calls,aht_seconds\n")
    assert main(["forecast", str(path), "--interval", "15", "-o", str(tmp_path / "f.csv")]) == 2
    assert "at least one usable interval" in capsys.readouterr().err
    path.write_text("")
    assert main(["forecast", str(path), "-o", str(tmp_path / "f.csv")]) == 2
    assert "expected a comma-separated file with a header row" in capsys.readouterr().err
    assert not (tmp_path / "f.csv").exists()


def test_interval_finer_than_the_history_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "f.csv"
    assert main(["forecast", str(EXAMPLE), "--interval", "5", "-o", str(out)]) == 2
    assert "a multiple of the data's 15-minute grid" in capsys.readouterr().err
    assert not out.exists()


def test_special_days_need_iso_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 05/01/2027 used to be read silently as 1 May 2027 (US order)
    special = tmp_path / "special.csv"
    special.write_text("date,multiplier\n05/01/2027,0\n")
    argv = ["forecast", str(EXAMPLE), "--special-days", str(special), "-o", str(tmp_path / "f")]
    assert main(argv) == 2
    assert "line 2 date: got '05/01/2027', expected YYYY-MM-DD" in capsys.readouterr().err
    special.write_text("")
    assert main(argv) == 2
    assert "expected a CSV file with a 'date' column" in capsys.readouterr().err


def test_undefined_backtest_errors_show_as_dash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.read_csv(EXAMPLE)
    frame["calls"] = 0  # a history of zero-call days: WAPE and bias are undefined
    path = tmp_path / "zero.csv"
    frame.to_csv(path, index=False)
    argv = ["forecast", str(path), "--default-aht-seconds", "300", "-o", str(tmp_path / "f.csv")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "nan" not in out
    assert "wrote 672 intervals (312 open, 0 calls)" in out


@pytest.mark.parametrize("method", ["auto", "profile"])
def test_fewer_folds_than_asked_are_announced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], method: str
) -> None:
    # 20 weeks of history allow 19 one-week folds; 100 were cut to 19 without a word
    argv = ["forecast", str(EXAMPLE), "--folds", "100", "--method", method]
    assert main([*argv, "-o", str(tmp_path / "f.csv")]) == 0
    out = capsys.readouterr().out
    assert "note: 19 folds, not 100" in out
