"""What happened beside what was planned: a simulation's bands and the actuals.

:func:`read_outcomes` reads the output directory of ``wfm simulate`` (its
``intervals.csv``: per interval the mean of each measure with a 95 %
interval ``m_lower``, ``m_upper`` over replications, see
:mod:`wfm.simulate.statistics`) and of ``wfm actuals`` (its
``intervals.csv``: the KPI table of :mod:`wfm.kpis`, ``offered``,
``answered_within``, ``service_level``, ...). Both have the same
per-interval layout, so :func:`plan_vs_outcomes` lays them beside the plan
(the roster's ``coverage.csv``: ``calls`` and the predicted
``service_level``) without glue:

``interval_start, planned_calls, planned_service_level,
simulated_offered, simulated_service_level, simulated_service_level_lower,
simulated_service_level_upper, actual_offered, actual_service_level``

(the simulated or actual columns only when that directory was given).
:func:`outcome_week` gives the week's service level of each side.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wfm.errors import ValidationError
from wfm.views.tables import read_time_column

if TYPE_CHECKING:
    from wfm.views.tables import RosterOutput

__all__ = [
    "ACTUALS_COLUMNS",
    "SIMULATION_COLUMNS",
    "Outcomes",
    "outcome_week",
    "plan_vs_outcomes",
    "read_outcomes",
]

#: Columns read from ``wfm simulate``'s ``intervals.csv``.
SIMULATION_COLUMNS = (
    "interval_start",
    "offered",
    "service_level",
    "service_level_lower",
    "service_level_upper",
)

#: Columns read from ``wfm actuals``'s ``intervals.csv``.
ACTUALS_COLUMNS = ("interval_start", "offered", "service_level")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Outcomes:
    """A simulation and/or the actuals of the roster's horizon.

    Parameters
    ----------
    simulation
        ``intervals.csv`` of ``wfm simulate`` (times parsed), or ``None``.
    simulation_summary
        Its ``summary.json``, or ``None``.
    actuals
        ``intervals.csv`` of ``wfm actuals`` (times parsed), or ``None``.
    actuals_summary
        Its ``summary.json``, or ``None``.
    """

    simulation: pd.DataFrame | None = None
    simulation_summary: dict[str, Any] | None = None
    actuals: pd.DataFrame | None = None
    actuals_summary: dict[str, Any] | None = None


def _read(directory: Path, option: str, columns: tuple[str, ...], made_by: str) -> pd.DataFrame:
    path = directory / "intervals.csv"
    if not path.is_file():
        raise ValidationError(option, str(directory), f"an output directory of {made_by}")
    frame = pd.read_csv(path)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"{option} intervals.csv columns", ", ".join(missing), f"present (as {made_by})"
        )
    frame["interval_start"] = read_time_column(
        frame["interval_start"], time_zone=None, where=f"{option} intervals.csv interval_start"
    )
    return frame


def _summary(directory: Path) -> dict[str, Any] | None:
    path = directory / "summary.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def read_outcomes(
    *, simulation: str | Path | None = None, actuals: str | Path | None = None
) -> Outcomes:
    """Read the output directories of ``wfm simulate`` and ``wfm actuals`` (either may be
    ``None``).

    Raises
    ------
    wfm.errors.ValidationError
        When a directory has no ``intervals.csv`` or it lacks a column.
    """
    sim = act = None
    sim_summary = act_summary = None
    if simulation is not None:
        where = Path(simulation)
        sim = _read(where, "--simulation", SIMULATION_COLUMNS, "'wfm simulate'")
        sim_summary = _summary(where)
    if actuals is not None:
        where = Path(actuals)
        act = _read(where, "--actuals", ACTUALS_COLUMNS, "'wfm actuals'")
        act_summary = _summary(where)
    return Outcomes(
        simulation=sim, simulation_summary=sim_summary, actuals=act, actuals_summary=act_summary
    )


def _naive(stamps: pd.Series) -> pd.Series:
    """Local wall-clock times, so that a plan with offsets meets a log without them."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        return stamps.dt.tz_localize(None)
    return stamps


def _keys(plan: pd.Series, other: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Merge keys of the plan's and an outcome's intervals: the instants when both carry
    UTC offsets (the two runs of a repeated autumn hour stay apart), else wall-clock times."""
    if all(isinstance(s.dtype, pd.DatetimeTZDtype) for s in (plan, other)):
        return plan.dt.tz_convert("UTC"), other.dt.tz_convert("UTC")
    return _naive(plan), _naive(other)


def plan_vs_outcomes(output: RosterOutput, outcomes: Outcomes) -> pd.DataFrame:
    """The plan's intervals with the simulated and actual figures beside them (layout in the
    module docstring); intervals of the plan only, in its order."""
    coverage = output.coverage
    plan_starts = coverage["interval_start"]
    table = pd.DataFrame(
        {
            "interval_start": _naive(plan_starts),
            "planned_calls": coverage["calls"].to_numpy(dtype=float),
            "planned_service_level": coverage["service_level"].to_numpy(dtype=float),
        }
    )
    beside = []
    if outcomes.simulation is not None:
        sim = outcomes.simulation
        beside.append(
            (
                sim["interval_start"],
                {
                    "simulated_offered": sim["offered"],
                    "simulated_service_level": sim["service_level"],
                    "simulated_service_level_lower": sim["service_level_lower"],
                    "simulated_service_level_upper": sim["service_level_upper"],
                },
            )
        )
    if outcomes.actuals is not None:
        act = outcomes.actuals
        beside.append(
            (
                act["interval_start"],
                {"actual_offered": act["offered"], "actual_service_level": act["service_level"]},
            )
        )
    for starts, columns in beside:
        key, other_key = _keys(plan_starts, starts)
        table["_key"] = key.to_numpy()
        other = pd.DataFrame({"_key": other_key.to_numpy(), **columns})
        table = table.merge(other, on="_key", how="left").drop(columns="_key")
    if outcomes.actuals is not None:
        table["actual_offered"] = table["actual_offered"].fillna(0.0)
    return table


def _weighted(levels: pd.Series, weights: pd.Series) -> float | None:
    keep = np.isfinite(levels.to_numpy(dtype=float)) & (weights.to_numpy(dtype=float) > 0)
    total = float(weights[keep].sum())
    if total <= 0:
        return None
    return float(np.dot(levels[keep], weights[keep]) / total)


def outcome_week(output: RosterOutput, outcomes: Outcomes) -> pd.DataFrame:
    """The horizon's service level and calls, side by side.

    One row per side (``plan``, ``simulation``, ``actuals``): ``source,
    calls, service_level, service_level_lower, service_level_upper``. The
    plan's level is weighted by forecast calls; the simulation's is the
    weekly mean with its 95 % interval from its ``summary.json`` (weighted
    by simulated calls without one); the actual level is answered in time
    over offered (weighted by offered calls without ``answered_within``).
    """
    table = plan_vs_outcomes(output, outcomes)
    rows: list[dict[str, Any]] = [
        {
            "source": "plan",
            "calls": float(table["planned_calls"].sum()),
            "service_level": _weighted(table["planned_service_level"], table["planned_calls"]),
            "service_level_lower": None,
            "service_level_upper": None,
        }
    ]
    if outcomes.simulation is not None:
        level: Any = _weighted(table["simulated_service_level"], table["simulated_offered"])
        low = high = None
        triple = (outcomes.simulation_summary or {}).get("service_level")
        if isinstance(triple, list) and len(triple) == 3:
            level, low, high = triple
        rows.append(
            {
                "source": "simulation",
                "calls": float(table["simulated_offered"].sum()),
                "service_level": level,
                "service_level_lower": low,
                "service_level_upper": high,
            }
        )
    if outcomes.actuals is not None:
        act = outcomes.actuals
        level = _weighted(table["actual_service_level"], table["actual_offered"])
        if "answered_within" in act.columns:
            inside = table[["interval_start"]].merge(
                pd.DataFrame(
                    {
                        "interval_start": _naive(act["interval_start"]),
                        "answered_within": act["answered_within"],
                    }
                ),
                on="interval_start",
                how="left",
            )
            offered = float(table["actual_offered"].sum())
            if offered > 0:
                level = float(inside["answered_within"].fillna(0.0).sum()) / offered
        rows.append(
            {
                "source": "actuals",
                "calls": float(table["actual_offered"].sum()),
                "service_level": level,
                "service_level_lower": None,
                "service_level_upper": None,
            }
        )
    return pd.DataFrame(rows)
