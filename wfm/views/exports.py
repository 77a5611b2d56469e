"""Exports planners pass around: ``roster.xlsx`` with a week grid, Parquet tables.

The workbook has one sheet per table of the output directory plus
``week grid``: one row per agent, one column per day, each cell the shift
``HH:MM-HH:MM`` or empty on a day off. openpyxl is optional
(``pip install wfm[report]``).

:func:`write_parquet_tables` writes each CSV table of an output directory as
``NAME.parquet`` beside it (pyarrow, ``pip install wfm[parquet]``), with
time columns as timestamps, ids and HR columns as text exactly as in the
CSV, and the other columns as pandas reads them; plus ``week_grid.parquet``
and ``flagged_intervals.parquet`` of a roster output.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wfm.errors import WFMError
from wfm.views.tables import RosterOutput, flagged_intervals, read_with_text_columns

__all__ = [
    "PARQUET_TIME_COLUMNS",
    "week_grid",
    "write_parquet_tables",
    "write_view_parquet",
    "write_workbook",
]

#: Columns read as timestamps when a table is written as Parquet.
PARQUET_TIME_COLUMNS = ("interval_start", "start", "end", "ds", "timestamp")


def week_grid(output: RosterOutput) -> pd.DataFrame:
    """Agents x days: the shift ``HH:MM-HH:MM`` of each day, ``""`` on a day off.

    The first column is ``agent_id`` (then ``name``, ``team``, ``contract``
    when ``agents.csv`` gives them), then one column per day of the horizon
    named ``Mon 2027-01-04``, then ``paid_hours``.
    """
    roster = output.roster
    days = pd.date_range(
        output.coverage["interval_start"].min().normalize(),
        output.coverage["interval_start"].max().normalize(),
        freq="D",
    )
    agents = sorted(set(roster["agent_id"].astype(str)))
    info: pd.DataFrame | None = None
    if output.agents is not None:
        info = output.agents.astype({"agent_id": str}).set_index("agent_id")
        agents = sorted(set(agents) | set(info.index))
    dates = pd.to_datetime(roster["date"]).dt.normalize()
    cells = {
        (str(agent), day): f"{start:%H:%M}-{end:%H:%M}"
        for agent, day, start, end in zip(
            roster["agent_id"], dates, roster["start"], roster["end"], strict=True
        )
    }
    paid = roster.groupby(roster["agent_id"].astype(str))["paid_minutes"].sum() / 60.0
    rows = []
    for agent in agents:
        row: dict[str, object] = {"agent_id": agent}
        if info is not None:
            for column in ("name", "team", "contract"):
                if column in info.columns:
                    row[column] = info.at[agent, column] if agent in info.index else ""
        for day in days:
            row[day.strftime("%a %Y-%m-%d")] = cells.get((agent, day), "")
        row["paid_hours"] = float(paid.get(agent, 0.0))
        rows.append(row)
    return pd.DataFrame(rows)


def write_workbook(output: RosterOutput, path: str | Path) -> Path:
    """Write ``roster.xlsx``: the week grid first, then one sheet per table."""
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise WFMError("roster.xlsx needs openpyxl: pip install 'wfm[report]'") from exc
    target = Path(path)
    sheets: dict[str, pd.DataFrame] = {
        "week grid": week_grid(output),
        "roster": output.roster,
        "breaks": output.breaks,
        "coverage": output.coverage,
        "violations": output.violations,
        "summary": pd.DataFrame(
            {"field": list(output.summary), "value": [str(v) for v in output.summary.values()]}
        ),
    }
    if output.forecast is not None:
        sheets["forecast"] = output.forecast
    if output.agents is not None:
        sheets["agents"] = output.agents
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return target


def _parquet_engine() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise WFMError("Parquet tables need pyarrow: pip install 'wfm[parquet]'") from exc


def _text_columns(directory: Path) -> set[str]:
    """Columns kept as text: ids and the HR columns of ``agents.csv``."""
    keep = {"agent_id", "contract", "template", "rule", "break", "date"}
    agents = directory / "agents.csv"
    if agents.is_file():
        keep |= set(pd.read_csv(agents, nrows=0).columns)
    return keep


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in PARQUET_TIME_COLUMNS:
        if column not in out.columns or not pd.api.types.is_string_dtype(out[column]):
            continue
        try:
            stamps = pd.to_datetime(out[column].where(out[column] != "", None))
        except (ValueError, TypeError):
            continue  # e.g. offsets that change over the horizon: kept as text
        if pd.api.types.is_datetime64_any_dtype(stamps):
            out[column] = stamps
    return out


def write_parquet_tables(directory: str | Path, names: list[str] | None = None) -> list[Path]:
    """Write ``NAME.parquet`` beside each ``NAME.csv`` of ``directory``.

    Parameters
    ----------
    directory
        An output directory (of ``wfm roster``, ``wfm simulate``, ...).
    names
        The CSV files to convert (default: every ``*.csv`` there).

    Returns
    -------
    list of Path
        The Parquet files written, in the order of ``names``.
    """
    _parquet_engine()
    where = Path(directory)
    files = sorted(p.name for p in where.glob("*.csv")) if names is None else list(names)
    text = _text_columns(where)
    written: list[Path] = []
    for name in files:
        path = where / name
        if not path.is_file():
            continue
        frame = read_with_text_columns(path, text)
        target = path.with_suffix(".parquet")
        _typed(frame).to_parquet(target, index=False)
        written.append(target)
    return written


def write_view_parquet(output: RosterOutput, directory: str | Path) -> list[Path]:
    """``week_grid.parquet`` and ``flagged_intervals.parquet`` of a roster output."""
    _parquet_engine()
    where = Path(directory)
    written = []
    for name, frame in (
        ("week_grid", week_grid(output)),
        ("flagged_intervals", flagged_intervals(output)),
    ):
        target = where / f"{name}.parquet"
        frame.to_parquet(target, index=False)
        written.append(target)
    return written
