"""Tests of the ``wfm forecast`` command."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from wfm.actuals import CallLogMapping, read_call_log
from wfm.cli import main
from wfm.datasets.history import synthetic_call_records, synthetic_history
from wfm.history import history_from_contacts

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
    assert main(args) == 0  # no AHT in history and no default: volume alone
    volume = _read_forecast(out)
    assert "aht_seconds" not in volume.columns
    assert volume["calls"].sum() > 0
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


def test_calls_only_forecast_then_requirements_ask_for_the_aht(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = synthetic_history(start="2026-01-05", weeks=5, interval_minutes=15, seed=2)
    src = tmp_path / "history.csv"
    history.drop(columns="aht_seconds").to_csv(src, index=False)
    out = tmp_path / "forecast.csv"
    assert main(["forecast", str(src), "-o", str(out)]) == 0
    assert "AHT: none" in capsys.readouterr().out
    assert main(["requirements", str(out)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "aht_seconds" in error
    assert (
        main(["requirements", str(out), "--aht-seconds", "240", "-o", str(tmp_path / "r.csv")]) == 0
    )


def test_forecast_from_a_call_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = ROOT / "examples" / "call_logs" / "example_log.csv"
    mapping = ROOT / "examples" / "call_logs" / "example_mapping.yaml"
    out = tmp_path / "forecast.csv"
    args = ["forecast", "--call-log", str(log), "--mapping", str(mapping), "-o", str(out)]
    assert main([*args, "--interval", "60", "--days", "2"]) == 0
    printed = capsys.readouterr().out
    assert f"history {log}" in printed
    forecast = _read_forecast(out)
    assert len(forecast) == 2 * 24
    assert (forecast["aht_seconds"] > 0).all()
    # the same counts as the interval table of 'wfm actuals', read with --calls-column
    actuals = tmp_path / "actuals"
    assert (
        main(
            ["actuals", str(log), "--mapping", str(mapping), "--interval", "60", "-o", str(actuals)]
        )
        == 0
    )
    again = tmp_path / "again.csv"
    table = ["forecast", str(actuals / "intervals.csv"), "--calls-column", "offered"]
    assert main([*table, "--interval", "60", "--days", "2", "-o", str(again)]) == 0
    capsys.readouterr()
    assert len(_read_forecast(again)) == 2 * 24
    # both count the same offered contacts per interval
    counted = history_from_contacts(
        read_call_log(log, CallLogMapping.from_yaml(mapping)).contacts, interval_minutes=60
    ).data.set_index("interval_start")["calls"]
    offered = pd.read_csv(actuals / "intervals.csv", parse_dates=["interval_start"])
    offered = offered.set_index("interval_start")["offered"]
    pd.testing.assert_series_equal(
        counted[counted > 0], offered.astype(float), check_names=False, check_index_type=False
    )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--mapping", "m.yaml"], "--mapping"),
        (["--keep-outliers", "--method", "profile"], "--method"),
        (["--outlier-z", "0"], "--outlier-z"),
        (["--keep-outliers", "--outlier-z", "4"], "--outlier-z"),
    ],
)
def test_option_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], field: str
) -> None:
    src = tmp_path / "history.csv"
    synthetic_history(start="2026-01-05", weeks=2, interval_minutes=60, seed=1).to_csv(
        src, index=False
    )
    assert main(["forecast", str(src), "-o", str(tmp_path / "f.csv"), *extra]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before reading
    assert len(captured.err.strip().splitlines()) == 1 and field in captured.err


def test_call_log_and_history_together_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["forecast", "h.csv", "--call-log", "log.csv", "--mapping", "m.yaml"]
    assert main([*args, "-o", str(tmp_path / "f.csv")]) == 2
    assert "exactly one" in capsys.readouterr().err


def test_outliers_listed_written_and_switched_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = synthetic_history(start="2026-01-05", weeks=6, interval_minutes=15, seed=3)
    spike = pd.Timestamp("2026-01-21 12:00")
    history.loc[history["interval_start"] == spike, "calls"] += 500
    src = tmp_path / "history.csv"
    history.to_csv(src, index=False)
    out = tmp_path / "forecast.csv"
    listed = tmp_path / "outliers.csv"
    method = ["--method", "smoothed_profile"]
    assert (
        main(["forecast", str(src), *method, "-o", str(out), "--outliers-output", str(listed)]) == 0
    )
    printed = capsys.readouterr().out
    assert "intraday outliers left out of fitting (> 5 sd from the fit): 1" in printed
    assert "2026-01-21 12:00" in printed
    table = pd.read_csv(listed, parse_dates=["interval_start"])
    assert table["interval_start"].tolist() == [spike]
    assert main(["forecast", str(src), *method, "-o", str(out), "--keep-outliers"]) == 0
    assert "kept in fitting" in capsys.readouterr().out


def test_holidays_country(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "history.csv"
    history = synthetic_history(start="2026-11-02", weeks=6, interval_minutes=60, seed=4)
    thanksgiving = history["interval_start"].dt.normalize() == pd.Timestamp("2026-11-26")
    history[~thanksgiving].to_csv(src, index=False)  # closed on the history's one holiday
    out = tmp_path / "forecast.csv"
    args = ["forecast", str(src), "-o", str(out), "--method", "profile"]
    if importlib.util.find_spec("holidays") is None:
        assert main([*args, "--holidays-country", "US"]) == 2
        assert "holidays" in capsys.readouterr().err
        return
    assert main([*args, "--holidays-country", "XX"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--holidays-country" in captured.err
    assert main([*args, "--start", "2026-12-21", "--holidays-country", "US"]) == 0
    forecast = _read_forecast(out)
    christmas = forecast["interval_start"].dt.normalize() == pd.Timestamp("2026-12-25")
    assert not forecast.loc[christmas, "is_open"].any()
    assert forecast.loc[~christmas & forecast["is_open"], "calls"].sum() > 0
