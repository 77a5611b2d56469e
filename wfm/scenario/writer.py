"""Writing a roster problem back as a scenario (YAML, requirements CSV, agents CSV)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from wfm.errors import ValidationError
from wfm.roster.options import SolverOptions
from wfm.roster.problem import (
    WEEKDAY_NAMES,
    Agent,
    BreakRule,
    Contract,
    Pin,
    Preference,
    PreferStartWindow,
    PreferTemplate,
    RosterProblem,
    ShiftTemplate,
    Weights,
)
from wfm.scenario.schema import (
    AGENT_KEYS,
    SOLVER_KEYS,
    hhmm,
    stamp,
    weekday_text,
)
from wfm.timegrid import stamp_text

__all__ = ["write_scenario"]


def _problem_document(
    problem: RosterProblem,
    *,
    name: str,
    solver: SolverOptions | Mapping[str, Any] | None,
    agents_csv: bool,
) -> tuple[dict[str, Any], pd.DataFrame | None]:
    doc: dict[str, Any] = {
        "name": name,
        "period": {"start": problem.start_date.isoformat(), "days": problem.days},
        "interval_minutes": problem.interval_minutes,
        **({"time_zone": problem.time_zone} if problem.time_zone is not None else {}),
        "demand": {"requirements": {"path": "requirements.csv", "column": "required_scheduled"}},
    }
    if problem.service is not None:
        # max_occupancy is left out: it only shapes staffing, which a
        # requirements demand does not run (and does not accept).
        s = problem.service
        service: dict[str, Any] = {}
        if s.level is not None:
            service["target"] = s.level
            service["answer_within_seconds"] = s.answer_within_seconds
        if s.max_asa_seconds is not None:
            service["max_asa_seconds"] = s.max_asa_seconds
        if s.max_abandon_rate is not None:
            service["max_abandon_rate"] = s.max_abandon_rate
        service["model"] = s.model
        if s.patience_seconds is not None:
            service["patience_seconds"] = s.patience_seconds
        service["shrinkage"] = s.shrinkage
        doc["service"] = service
    doc["templates"] = [_template_document(t) for t in problem.templates]
    doc["contracts"] = [
        {f.name: getattr(c, f.name) for f in fields(Contract)} for c in problem.contracts
    ]
    agents_frame: pd.DataFrame | None = None
    if agents_csv:
        doc["agents"] = {"csv": "agents.csv"}
        agents_frame = pd.DataFrame([_agent_row(a) for a in problem.agents], columns=AGENT_KEYS)
    else:
        doc["agents"] = [_agent_document(a) for a in problem.agents]
    if problem.soft_rules:
        doc["rules"] = {"soft": {rule.value: p for rule, p in problem.soft_rules.items()}}
    weights = {f.name: getattr(problem.weights, f.name) for f in fields(Weights)}
    weights["understaffing_growth"] = list(problem.weights.understaffing_growth)
    doc["weights"] = weights
    doc["fairness"] = {
        "weekend_days": [WEEKDAY_NAMES[d] for d in sorted(problem.weekend_days)],
        "late_shift_ends_after": hhmm(problem.late_shift_ends_after),
    }
    if solver is not None:
        options = solver if isinstance(solver, SolverOptions) else SolverOptions(**solver)
        doc["solver"] = {
            key: getattr(options, key)
            for key in SOLVER_KEYS
            if getattr(options, key) is not None and getattr(options, key) is not False
        }
    return doc, agents_frame


def _template_document(t: ShiftTemplate) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": t.name,
        "earliest_start": hhmm(t.earliest_start),
        "latest_start": hhmm(t.latest_start),
        "start_step_minutes": t.start_step_minutes,
        "min_length_minutes": t.min_length_minutes,
    }
    if t.max_length_minutes is not None:
        out["max_length_minutes"] = t.max_length_minutes
    out["length_step_minutes"] = t.length_step_minutes
    out["weekdays"] = weekday_text(t.weekdays)
    if t.breaks:
        out["breaks"] = [{f.name: getattr(b, f.name) for f in fields(BreakRule)} for b in t.breaks]
    return out


def _agent_document(a: Agent) -> dict[str, Any]:
    out: dict[str, Any] = {"agent_id": a.agent_id, "contract": a.contract}
    if a.templates is not None:
        out["templates"] = list(a.templates)
    if a.availability is not None:
        out["availability"] = [
            {"weekdays": WEEKDAY_NAMES[w.weekday], "start": hhmm(w.start), "end": hhmm(w.end)}
            for w in a.availability
        ]
    if a.time_off:
        out["time_off"] = [{"start": stamp(t.start), "end": stamp(t.end)} for t in a.time_off]
    if a.preferences:
        out["preferences"] = [_preference_document(p) for p in a.preferences]
    if a.pins:
        out["pins"] = [_pin_document(p) for p in a.pins]
    if a.cost_per_hour is not None:
        out["cost_per_hour"] = a.cost_per_hour
    if a.last_shift_end is not None:
        out["last_shift_end"] = stamp(a.last_shift_end)
    if a.consecutive_days_worked_before:
        out["consecutive_days_worked_before"] = a.consecutive_days_worked_before
    if a.days_off_before:
        out["days_off_before"] = a.days_off_before
    return out


def _preference_document(p: Preference) -> dict[str, Any]:
    if isinstance(p, PreferTemplate):
        return {"template": p.template, "weight": p.weight}
    if isinstance(p, PreferStartWindow):
        out: dict[str, Any] = {"start_window": f"{hhmm(p.earliest)}-{hhmm(p.latest)}"}
        if p.weekdays:
            out["weekdays"] = weekday_text(p.weekdays)
        out["weight"] = p.weight
        return out
    return {"day_off": p.day.isoformat(), "weight": p.weight}


def _pin_document(p: Pin) -> dict[str, Any]:
    out: dict[str, Any] = {"day": p.day.isoformat()}
    if p.off:
        out["off"] = True
    if p.template is not None:
        out["template"] = p.template
    if p.start is not None:
        out["start"] = hhmm(p.start)
    if p.length_minutes is not None:
        out["length_minutes"] = p.length_minutes
    return out


def _agent_row(a: Agent) -> dict[str, Any]:
    """One agents.csv row in the compact text forms."""
    row: dict[str, Any] = dict.fromkeys(AGENT_KEYS, "")
    row["agent_id"] = a.agent_id
    row["contract"] = a.contract
    if a.templates is not None:
        row["templates"] = ";".join(a.templates)
    if a.availability is not None:
        if not a.availability:
            raise ValidationError(
                f"agents[{a.agent_id!r}].availability", [], "at least one window for agents.csv"
            )
        row["availability"] = "; ".join(
            f"{WEEKDAY_NAMES[w.weekday]} {hhmm(w.start)}-{hhmm(w.end)}" for w in a.availability
        )
    row["time_off"] = "; ".join(f"{stamp(t.start)}..{stamp(t.end)}" for t in a.time_off)
    prefs: list[str] = []
    for pref in a.preferences:
        doc = _preference_document(pref)
        prefs.append(
            " ".join(f"{k}={v!r}" if k == "weight" else f"{k}={v}" for k, v in doc.items())
        )
    row["preferences"] = "; ".join(prefs)
    pins: list[str] = []
    for pin in a.pins:
        if pin.off:
            pins.append(f"{pin.day.isoformat()} off")
            continue
        doc = _pin_document(pin)
        doc.pop("day")
        pins.append(" ".join([pin.day.isoformat(), *(f"{k}={v}" for k, v in doc.items())]))
    row["pins"] = "; ".join(pins)
    if a.cost_per_hour is not None:
        row["cost_per_hour"] = repr(float(a.cost_per_hour))
    if a.last_shift_end is not None:
        row["last_shift_end"] = stamp(a.last_shift_end)
    row["consecutive_days_worked_before"] = a.consecutive_days_worked_before or ""
    row["days_off_before"] = a.days_off_before or ""
    return row


def write_scenario(
    problem: RosterProblem,
    directory: str | Path,
    *,
    name: str = "scenario",
    solver: SolverOptions | Mapping[str, Any] | None = None,
    agents_csv: bool = False,
) -> Path:
    """Write ``problem`` as a scenario that loads back into an equal problem.

    Parameters
    ----------
    problem
        The problem to write.
    directory
        Output directory (created if needed). It receives ``<name>.yaml``,
        ``requirements.csv`` and, with ``agents_csv``, ``agents.csv``.
    name
        Scenario name and YAML file stem.
    solver
        Solver options to record (a :class:`wfm.roster.options.SolverOptions`
        or a mapping of its fields); ``None`` leaves the section out
        (defaults apply). ``log_progress`` is not written.
    agents_csv
        Write the agents to ``agents.csv`` (compact text forms) instead of
        inline.

    Returns
    -------
    pathlib.Path
        Path of the YAML file.
    """
    if not re.match(r"^[A-Za-z0-9_.-]+$", name):
        raise ValidationError("name", name, "a file-name-safe name (letters, digits, _ . -)")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    doc, agents_frame = _problem_document(problem, name=name, solver=solver, agents_csv=agents_csv)
    req = problem.requirements
    columns = ["interval_start", "required_scheduled"] + [
        c for c in ("calls", "aht_seconds") if c in req.columns
    ]
    table = req.loc[:, columns].copy()
    # on the problem's grid: tz-aware (written with offsets) when it has a time zone
    positions = problem.grid.positions(table["interval_start"], "requirements.interval_start")
    table["interval_start"] = problem.interval_starts[positions.astype(np.int64)]
    stamp_text(table).to_csv(out / "requirements.csv", index=False)
    if agents_frame is not None:
        agents_frame.to_csv(out / "agents.csv", index=False)
    path = out / f"{name}.yaml"
    path.write_text(
        yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100),
        encoding="utf-8",
    )
    return path
