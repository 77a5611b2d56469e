"""One agent's week: shifts, breaks, paid hours and days off."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from wfm.errors import ValidationError

if TYPE_CHECKING:
    from wfm.views.tables import RosterOutput

__all__ = ["agent_details", "agent_title", "agent_week"]


def agent_week(output: RosterOutput, agent_id: str) -> pd.DataFrame:
    """The week of ``agent_id``, one row per day of the horizon.

    Columns: ``date, weekday, template, start, end, breaks, paid_hours``;
    a day off has empty shift columns and ``template`` ``"off"``.

    Raises
    ------
    wfm.errors.ValidationError
        When the agent has no shift in the roster and is not in ``agents.csv``.
    """
    roster = output.roster
    known = set(roster["agent_id"].astype(str))
    if output.agents is not None:
        known |= set(output.agents["agent_id"].astype(str))
    if agent_id not in known:
        raise ValidationError("agent", agent_id, "an agent_id of roster.csv or agents.csv")
    days = pd.date_range(
        output.coverage["interval_start"].min().normalize(),
        output.coverage["interval_start"].max().normalize(),
        freq="D",
    )
    mine = roster[roster["agent_id"].astype(str) == agent_id].copy()
    mine["day"] = pd.to_datetime(mine["date"])
    breaks = output.breaks[output.breaks["agent_id"].astype(str) == agent_id].copy()
    breaks["day"] = pd.to_datetime(breaks["date"])
    rows = []
    for day in days:
        shift = mine[mine["day"] == day]
        if shift.empty:
            rows.append(
                {
                    "date": day.strftime("%Y-%m-%d"),
                    "weekday": day.strftime("%a"),
                    "template": "off",
                    "start": "",
                    "end": "",
                    "breaks": "",
                    "paid_hours": 0.0,
                }
            )
            continue
        s = shift.iloc[0]
        on_day = breaks[breaks["day"] == day].sort_values("start")
        text = "; ".join(
            f"{b['break']} {b['start']:%H:%M}-{b['end']:%H:%M}" for _, b in on_day.iterrows()
        )
        rows.append(
            {
                "date": day.strftime("%Y-%m-%d"),
                "weekday": day.strftime("%a"),
                "template": str(s["template"]),
                "start": f"{s['start']:%H:%M}",
                "end": f"{s['end']:%H:%M}",
                "breaks": text,
                "paid_hours": float(s["paid_minutes"]) / 60.0,
            }
        )
    return pd.DataFrame(rows)


def agent_details(output: RosterOutput, agent_id: str) -> dict[str, str]:
    """The columns of ``agents.csv`` for ``agent_id`` besides the id (``contract``, HR
    columns such as ``name`` and ``team``), as written; empty without agents.csv."""
    if output.agents is None:
        return {}
    agents = output.agents.astype({"agent_id": str})
    rows = agents[agents["agent_id"] == agent_id]
    if rows.empty:
        return {}
    row = rows.iloc[0]
    return {
        str(c): "" if pd.isna(row[c]) else str(row[c]) for c in agents.columns if c != "agent_id"
    }


def agent_title(output: RosterOutput, agent_id: str) -> str:
    """``agent_id`` followed by its details, e.g. ``F001 (name Ann, team North, contract ft)``."""
    details = {k: v for k, v in agent_details(output, agent_id).items() if v}
    if not details:
        return agent_id
    return f"{agent_id} ({', '.join(f'{k} {v}' for k, v in details.items())})"
