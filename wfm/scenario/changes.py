"""The changes file of ``wfm reroster``: what changed since a roster was published.

A YAML file, every section optional::

    absences:                 # whole days an agent will not work
      - {agent: F001, dates: [2027-01-06]}
    time_off:                 # new time off, as date-times [start, end)
      - {agent: P003, start: "2027-01-07 12:00", end: "2027-01-07 18:00"}
    leaving: [F044]           # agents who left: their shifts are removed
    joining:                  # new agents, in the scenario's agents layout
      csv: new_agents.csv
    requirements: revised.csv # revised requirements (interval_start, required_scheduled)
    locks:                    # agent-days kept exactly as published
      before: 2027-01-06      # every date before this one
      agents: [F002]          # every date of these agents
      days: [2027-01-10]      # every agent on these dates
    weights:                  # prices of the changes (ChangeWeights; defaults shown)
      shift_added_or_removed: 100
      start_moved: 20
      start_moved_per_hour: 5
      length_changed: 20
      length_changed_per_hour: 5
      template_changed: 10
      break_moved: 2

Relative paths are read from the changes file's folder. Every value is
checked before any work starts; a bad one is a
:class:`~wfm.errors.ScenarioError` naming its place (``absences[0].dates[1]``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.errors import ScenarioError
from wfm.roster.changes import Locks, RosterChanges
from wfm.roster.problem import ChangeWeights, TimeOff
from wfm.scenario.agent_text import parse_agents
from wfm.scenario.schema import (
    built,
    existing_file,
    read_date,
    read_datetime,
    read_list,
    read_mapping,
    read_number,
    read_text,
    read_yaml,
)
from wfm.timegrid import parse_stamps

__all__ = ["CHANGE_KEYS", "ChangesFile", "load_changes"]

CHANGE_KEYS = ("absences", "time_off", "leaving", "joining", "requirements", "locks", "weights")
"""Top-level keys of a changes file."""


@dataclass(frozen=True, kw_only=True, eq=False)
class ChangesFile:
    """A validated changes file: the changes, the locks and the change prices."""

    changes: RosterChanges
    locks: Locks
    weights: ChangeWeights


def _agent_id(value: Any, where: str) -> str:
    return read_text(value if not isinstance(value, int) else str(value), where)


def _requirements(value: Any, base: Path, time_zone: str | None) -> pd.DataFrame:
    file = existing_file(value, "requirements", base)
    frame = pd.read_csv(file)
    for column in ("interval_start", "required_scheduled"):
        if column not in frame.columns:
            raise ScenarioError(
                f"requirements ({file.name})", list(frame.columns), f"a column {column!r}"
            )
    stamps = parse_stamps(frame["interval_start"].astype(str), time_zone, where="requirements")
    if stamps.isna().any():
        row = int(stamps.isna().to_numpy().nonzero()[0][0])
        raise ScenarioError(
            f"requirements ({file.name}).interval_start[row {row}]",
            frame["interval_start"].iloc[row],
            "a timestamp",
        )
    frame["interval_start"] = stamps
    return frame


def load_changes(path: str | Path, *, time_zone: str | None = None) -> ChangesFile:
    """Read and validate a changes file (see the module docstring).

    Parameters
    ----------
    path
        The YAML file.
    time_zone
        The scenario's time zone (naive times of revised requirements are its local time).

    Returns
    -------
    ChangesFile

    Raises
    ------
    ScenarioError
        A key is unknown or a value is malformed; the field names its place.
    """
    file = Path(path)
    base = file.parent
    document = read_yaml(file)
    top = read_mapping({} if document is None else document, "", CHANGE_KEYS)
    time_off: dict[str, list[TimeOff]] = {}
    for i, item in enumerate(read_list(top.get("absences") or [], "absences")):
        where = f"absences[{i}]"
        spec = read_mapping(item, where, ("agent", "dates"), required=("agent", "dates"))
        agent = _agent_id(spec["agent"], f"{where}.agent")
        for j, day in enumerate(read_list(spec["dates"], f"{where}.dates")):
            date = read_date(day, f"{where}.dates[{j}]")
            time_off.setdefault(agent, []).append(TimeOff.whole_day(date))
    for i, item in enumerate(read_list(top.get("time_off") or [], "time_off")):
        where = f"time_off[{i}]"
        keys = ("agent", "start", "end")
        spec = read_mapping(item, where, keys, required=keys)
        agent = _agent_id(spec["agent"], f"{where}.agent")
        start = read_datetime(spec["start"], f"{where}.start")
        end = read_datetime(spec["end"], f"{where}.end")
        entry: TimeOff = built(where, lambda: TimeOff(start=start, end=end))  # noqa: B023
        time_off.setdefault(agent, []).append(entry)
    leaving = frozenset(
        _agent_id(a, f"leaving[{i}]")
        for i, a in enumerate(read_list(top.get("leaving") or [], "leaving"))
    )
    joining: tuple[Any, ...] = ()
    if top.get("joining") is not None:
        joining, _ = parse_agents(top["joining"], base)
    requirements = None
    if top.get("requirements") is not None:
        requirements = _requirements(top["requirements"], base, time_zone)
    locks = Locks()
    if top.get("locks") is not None:
        spec = read_mapping(top["locks"], "locks", ("before", "agents", "days"))
        locks = Locks(
            before=None
            if spec.get("before") is None
            else read_date(spec["before"], "locks.before"),
            agents=frozenset(
                _agent_id(a, f"locks.agents[{i}]")
                for i, a in enumerate(read_list(spec.get("agents") or [], "locks.agents"))
            ),
            days=frozenset(
                read_date(d, f"locks.days[{i}]")
                for i, d in enumerate(read_list(spec.get("days") or [], "locks.days"))
            ),
        )
    weights = ChangeWeights()
    if top.get("weights") is not None:
        names = tuple(f.name for f in dataclasses.fields(ChangeWeights))
        spec = read_mapping(top["weights"], "weights", names)
        weights = ChangeWeights(
            **{k: read_number(v, f"weights.{k}", minimum=0) for k, v in spec.items()}
        )
    changes = RosterChanges(
        time_off={k: tuple(v) for k, v in time_off.items()},
        requirements=requirements,
        joining=tuple(joining),
        leaving=leaving,
    )
    return ChangesFile(changes=changes, locks=locks, weights=weights)
