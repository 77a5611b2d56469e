"""Exports planners pass around: ``roster.xlsx`` with a week grid.

The workbook has one sheet per table of the output directory plus
``week grid``: one row per agent, one column per day, each cell the shift
``HH:MM-HH:MM`` or empty on a day off. openpyxl is optional
(``pip install wfm[report]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from wfm.errors import WFMError

if TYPE_CHECKING:
    from wfm.views.tables import RosterOutput

__all__ = ["week_grid", "write_workbook"]


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
