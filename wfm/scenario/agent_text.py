"""Agents of a scenario, inline in YAML or from a CSV file, and their compact texts.

The compact texts are what an ``agents.csv`` cell holds (and what YAML
accepts too): availability ``"Mon-Fri 08:00-16:00; Sat 09:00-13:00"``, time off
``"2027-01-06; 2027-01-08 12:00..2027-01-09"``, preferences
``"template=early weight=2; day_off=2027-01-08"`` and pins
``"2027-01-04 template=early start=08:00; 2027-01-05 off"``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.errors import DataError, ScenarioError
from wfm.roster.problem import (
    Agent,
    AvailabilityWindow,
    Pin,
    PreferDayOff,
    Preference,
    PreferStartWindow,
    PreferTemplate,
    TimeOff,
)
from wfm.scenario.queue_section import parse_skills
from wfm.scenario.schema import (
    AGENT_KEYS,
    built,
    closest,
    existing_file,
    read_bool,
    read_date,
    read_datetime,
    read_int,
    read_list,
    read_mapping,
    read_number,
    read_text,
    read_time,
    read_weekdays,
)
from wfm.tables import read_csv_file

__all__ = ["DEFAULT_HR_COLUMNS", "parse_agents", "read_hr_columns"]

DEFAULT_HR_COLUMNS = ("name", "team")
"""HR columns an ``agents.csv`` may have without naming them in ``hr_columns``."""


def _entries(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _key_values(entry: str, where: str, known: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for token in entry.split():
        key, sep, val = token.partition("=")
        if not sep or not val:
            raise ScenarioError(where, entry, f"KEY=VALUE items with KEY in {', '.join(known)}")
        if key not in known:
            raise ScenarioError(where, key, f"a known key: {closest(key, known)}")
        out[key] = val
    return out


def _parse_window(text: str, where: str) -> tuple[dt.time, dt.time]:
    first, sep, last = text.partition("-")
    if not sep:
        raise ScenarioError(where, text, 'a time window "HH:MM-HH:MM"')
    return read_time(first, where), read_time(last, where)


def _availability(value: Any, where: str) -> tuple[AvailabilityWindow, ...]:
    out: list[AvailabilityWindow] = []
    if isinstance(value, str):
        for j, entry in enumerate(_entries(value)):
            ew = f"{where}[{j}]"
            parts = entry.split()
            if len(parts) != 2:
                raise ScenarioError(
                    ew, entry, 'an entry "DAYS HH:MM-HH:MM" (e.g. "Mon-Fri 08:00-14:00")'
                )
            days = read_weekdays(parts[0], ew)
            start, end = _parse_window(parts[1], ew)
            out.extend(AvailabilityWindow(weekday=d, start=start, end=end) for d in sorted(days))
        return tuple(out)
    for j, item in enumerate(read_list(value, where)):
        ew = f"{where}[{j}]"
        raw = read_mapping(
            item, ew, ("weekdays", "start", "end"), required=("weekdays", "start", "end")
        )
        days = read_weekdays(raw["weekdays"], f"{ew}.weekdays")
        start, end = read_time(raw["start"], f"{ew}.start"), read_time(raw["end"], f"{ew}.end")
        out.extend(AvailabilityWindow(weekday=d, start=start, end=end) for d in sorted(days))
    return tuple(out)


def _range_end(text: str, where: str) -> dt.datetime:
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text.strip()):
        return dt.datetime.combine(read_date(text, where), dt.time()) + dt.timedelta(days=1)
    return read_datetime(text, where)


def _range_start(text: str, where: str) -> dt.datetime:
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text.strip()):
        return dt.datetime.combine(read_date(text, where), dt.time())
    return read_datetime(text, where)


def _time_off(value: Any, where: str) -> tuple[TimeOff, ...]:
    items: list[Any] = _entries(value) if isinstance(value, str) else read_list(value, where)
    out: list[TimeOff] = []
    for j, item in enumerate(items):
        ew = f"{where}[{j}]"
        if isinstance(item, dict):
            raw = read_mapping(item, ew, ("start", "end"), required=("start", "end"))
            start = (
                _range_start(raw["start"], f"{ew}.start")
                if isinstance(raw["start"], str)
                else _datetime_or_day(raw["start"], f"{ew}.start", end=False)
            )
            end = (
                _range_end(raw["end"], f"{ew}.end")
                if isinstance(raw["end"], str)
                else _datetime_or_day(raw["end"], f"{ew}.end", end=True)
            )
        elif isinstance(item, str) and ".." in item:
            first, _, last = item.partition("..")
            start, end = _range_start(first, ew), _range_end(last, ew)
        else:
            day = read_date(item, ew)
            start = dt.datetime.combine(day, dt.time())
            end = start + dt.timedelta(days=1)
        out.append(built(ew, partial(TimeOff, start=start, end=end)))
    return tuple(out)


def _datetime_or_day(value: Any, where: str, *, end: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return read_datetime(value, where)
    day = read_date(value, where)
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(days=1 if end else 0)


def _preferences(value: Any, where: str) -> tuple[Preference, ...]:
    kinds = ("template", "start_window", "day_off")
    known = (*kinds, "weekdays", "weight")
    items: list[Any]
    if isinstance(value, str):
        items = [_key_values(e, f"{where}[{j}]", known) for j, e in enumerate(_entries(value))]
    else:
        items = read_list(value, where)
    out: list[Preference] = []
    for j, item in enumerate(items):
        ew = f"{where}[{j}]"
        raw = read_mapping(item, ew, known)
        given = [k for k in kinds if k in raw]
        if len(given) != 1:
            raise ScenarioError(ew, given or None, "exactly one of template, start_window, day_off")
        weight_raw = raw.get("weight", 1.0)
        if isinstance(weight_raw, str):
            try:
                weight_raw = float(weight_raw)
            except ValueError:
                pass
        weight = read_number(weight_raw, f"{ew}.weight", minimum=0.0)
        kind = given[0]
        if "weekdays" in raw and kind != "start_window":
            raise ScenarioError(
                f"{ew}.weekdays", raw["weekdays"], "weekdays only with start_window"
            )
        preference: Preference
        if kind == "template":
            preference = PreferTemplate(
                template=read_text(raw["template"], f"{ew}.template"), weight=weight
            )
        elif kind == "start_window":
            earliest, latest = _parse_window(
                read_text(raw["start_window"], f"{ew}.start_window"), f"{ew}.start_window"
            )
            if latest < earliest:
                raise ScenarioError(
                    f"{ew}.start_window",
                    raw["start_window"],
                    "an earliest start not after the latest start",
                )
            days = (
                read_weekdays(raw["weekdays"], f"{ew}.weekdays")
                if "weekdays" in raw
                else frozenset()
            )
            preference = PreferStartWindow(
                earliest=earliest, latest=latest, weekdays=days, weight=weight
            )
        else:
            preference = PreferDayOff(day=read_date(raw["day_off"], f"{ew}.day_off"), weight=weight)
        out.append(preference)
    return tuple(out)


def _pins(value: Any, where: str) -> tuple[Pin, ...]:
    known = ("day", "off", "template", "start", "length_minutes")
    items: list[Any] = []
    if isinstance(value, str):
        for j, entry in enumerate(_entries(value)):
            ew = f"{where}[{j}]"
            day, _, rest = entry.partition(" ")
            rest = rest.strip()
            if rest == "off":
                items.append({"day": day, "off": True})
                continue
            raw: dict[str, Any] = {"day": day}
            raw.update(_key_values(rest, ew, ("template", "start", "length_minutes")))
            if "length_minutes" in raw:
                text = raw["length_minutes"]
                raw["length_minutes"] = int(text) if text.isdigit() else text
            items.append(raw)
    else:
        items = read_list(value, where)
    out: list[Pin] = []
    for j, item in enumerate(items):
        ew = f"{where}[{j}]"
        raw = read_mapping(item, ew, known, required=("day",))
        args: dict[str, Any] = {"day": read_date(raw["day"], f"{ew}.day")}
        if "off" in raw:
            args["off"] = read_bool(raw["off"], f"{ew}.off")
        if raw.get("template") is not None:
            args["template"] = read_text(raw["template"], f"{ew}.template")
        if raw.get("start") is not None:
            args["start"] = read_time(raw["start"], f"{ew}.start")
        if raw.get("length_minutes") is not None:
            args["length_minutes"] = read_int(
                raw["length_minutes"], f"{ew}.length_minutes", minimum=1
            )
        out.append(built(ew, partial(Pin, **args)))
    return tuple(out)


def _agent(raw: dict[str, Any], where: str, note: str) -> Agent:
    """Build one agent from a mapping whose values are YAML values or CSV texts."""

    def at(key: str) -> str:
        return f"{where}.{key}{note}"

    try:
        args: dict[str, Any] = {
            "agent_id": read_text(
                str(raw["agent_id"]) if raw.get("agent_id") is not None else None, at("agent_id")
            ),
            "contract": read_text(raw.get("contract"), at("contract")),
        }
        templates = raw.get("templates")
        if templates is not None:
            names = (
                _entries(templates)
                if isinstance(templates, str)
                else read_list(templates, at("templates"))
            )
            args["templates"] = tuple(
                read_text(n, f"{where}.templates[{k}]{note}") for k, n in enumerate(names)
            )
            if not names:
                raise ScenarioError(at("templates"), templates, "at least one template name")
        if raw.get("availability") is not None:
            args["availability"] = _availability(raw["availability"], at("availability"))
        if raw.get("time_off") is not None:
            args["time_off"] = _time_off(raw["time_off"], at("time_off"))
        if raw.get("preferences") is not None:
            args["preferences"] = _preferences(raw["preferences"], at("preferences"))
        if raw.get("pins") is not None:
            args["pins"] = _pins(raw["pins"], at("pins"))
        if raw.get("cost_per_hour") is not None:
            args["cost_per_hour"] = read_number(
                _numeric(raw["cost_per_hour"]), at("cost_per_hour"), minimum=0.0
            )
        if raw.get("last_shift_end") is not None:
            args["last_shift_end"] = read_datetime(raw["last_shift_end"], at("last_shift_end"))
        for key in ("consecutive_days_worked_before", "days_off_before"):
            if raw.get(key) is not None:
                args[key] = read_int(_numeric(raw[key]), at(key), minimum=0)
        if raw.get("skills") is not None:
            args["skills"] = parse_skills(raw["skills"], f"{where}.skills")
    except ScenarioError as exc:
        if note and not exc.field.endswith(note):
            raise ScenarioError(exc.field + note, exc.value, exc.expected) from None
        raise
    return built(where, lambda: Agent(**args), note=note)


def _numeric(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return value
    return value


def parse_agents(value: Any, base: Path) -> tuple[tuple[Agent, ...], list[str]]:
    """The ``agents`` section: a list of mappings or ``{csv: PATH}``.

    Parameters
    ----------
    value
        The raw YAML value of the section.
    base
        Directory that a relative CSV path is resolved against.

    Returns
    -------
    tuple
        The agents and, per agent, the note that locates it in its source
        (``" (agents.csv line 3)"``; empty for inline agents), appended to the
        field of later errors about that agent.
    """
    if isinstance(value, dict):
        file, frame, hr = _agents_csv(value, base)
        frame = frame.drop(columns=list(hr))
        for column in ("agent_id", "contract"):
            if column not in frame.columns:
                raise ScenarioError(
                    f"agents.csv ({file.name})", list(frame.columns), f"a column {column!r}"
                )
        agents: list[Agent] = []
        notes: list[str] = []
        for i, row in enumerate(frame.to_dict("records")):
            raw: dict[str, Any] = {
                str(k): v.strip() for k, v in row.items() if isinstance(v, str) and v.strip()
            }
            note = f" ({file.name} line {i + 2})"
            agents.append(_agent(raw, f"agents[{i}]", note))
            notes.append(note)
        if not agents:
            raise ScenarioError(
                f"agents.csv ({file.name})", "a header only", "at least one agent row"
            )
        return tuple(agents), notes
    items = read_list(value, "agents")
    if not items:
        raise ScenarioError("agents", [], "at least one agent (a roster needs someone to roster)")
    inline: list[Agent] = []
    for i, item in enumerate(items):
        fields_ = read_mapping(item, f"agents[{i}]", AGENT_KEYS, required=("agent_id", "contract"))
        inline.append(_agent(fields_, f"agents[{i}]", ""))
    return tuple(inline), [""] * len(inline)


def _agents_csv(value: Any, base: Path) -> tuple[Path, pd.DataFrame, tuple[str, ...]]:
    """The agents CSV of ``{csv: PATH, hr_columns: [...]}`` as text, checked for unknown
    columns, and its HR columns (those of ``hr_columns``, default
    :data:`DEFAULT_HR_COLUMNS`, that the file has)."""
    spec = read_mapping(value, "agents", ("csv", "hr_columns"), required=("csv",))
    file = existing_file(spec["csv"], "agents.csv", base)
    declared: tuple[str, ...] = DEFAULT_HR_COLUMNS
    if spec.get("hr_columns") is not None:
        named = tuple(
            read_text(c, f"agents.hr_columns[{k}]")
            for k, c in enumerate(read_list(spec["hr_columns"], "agents.hr_columns"))
        )
        declared = (*DEFAULT_HR_COLUMNS, *(c for c in named if c not in DEFAULT_HR_COLUMNS))
        for k, column in enumerate(named):
            if column in AGENT_KEYS:
                raise ScenarioError(
                    f"agents.hr_columns[{k}]", column, "a column that is not an agent field"
                )
    try:
        frame = read_csv_file(
            file,
            what="a CSV file of agents with a header row",
            dtype=str,
            keep_default_na=False,
        )
    except DataError as exc:
        raise ScenarioError(f"agents.csv ({file.name})", exc.value, exc.expected) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    known = (*AGENT_KEYS, *declared)
    for column in frame.columns:
        if column not in known:
            raise ScenarioError(
                f"agents.csv ({file.name})",
                column,
                f"a known column: {closest(column, known)} (or one named in agents.hr_columns)",
            )
    return file, frame, tuple(c for c in declared if c in frame.columns)


def read_hr_columns(value: Any, base: Path) -> pd.DataFrame | None:
    """``agent_id`` and the HR columns of the ``agents`` section's CSV, as written there.

    ``None`` for inline agents or a CSV without HR columns. The values are
    text, unchanged (the roster outputs carry them through).
    """
    if not isinstance(value, dict):
        return None
    _, frame, hr = _agents_csv(value, base)
    if not hr:
        return None
    table = frame[["agent_id", *hr]].copy()
    table["agent_id"] = table["agent_id"].str.strip()
    return table.reset_index(drop=True)
