"""Scenarios shared by the tests of the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

__all__ = ["tiny_scenario"]


def tiny_scenario(tmp_path: Path, *, demand: str = "requirements", **changes: Any) -> Path:
    """Two days, 3 agents, demand 08:00-16:00 of 2 agents on the phone."""
    stamps = pd.date_range("2027-01-04", periods=2 * 96, freq="15min")
    busy = (stamps.hour >= 8) & (stamps.hour < 16)
    frame = pd.DataFrame({"interval_start": stamps.strftime("%Y-%m-%d %H:%M")})
    if demand == "requirements":
        frame["required_scheduled"] = np.where(busy, 2.0, 0.0)
        frame["calls"] = np.where(busy, 12.0, 0.0)
        frame["aht_seconds"] = 240.0
        source: dict[str, Any] = {"requirements": {"path": "req.csv"}}
    else:
        frame["calls"] = np.where(busy, 6.0, 0.0)
        frame["aht_seconds"] = 240.0
        source = {"forecast": {"path": "req.csv"}}
    frame.to_csv(tmp_path / "req.csv", index=False)
    doc: dict[str, Any] = {
        "name": "tiny",
        "week": {"start": "2027-01-04", "days": 2},
        "demand": source,
        "service": {"target": 0.8, "answer_within_seconds": 20, "shrinkage": 0.0},
        "templates": [
            {
                "name": "day",
                "earliest_start": "08:00",
                "latest_start": "09:00",
                "min_length_minutes": 480,
                "breaks": [
                    {
                        "name": "lunch",
                        "duration_minutes": 30,
                        "paid": False,
                        "earliest_start_after_minutes": 180,
                        "latest_start_after_minutes": 300,
                    }
                ],
            }
        ],
        "contracts": [{"name": "ft", "max_hours_per_week": 40, "max_days_per_week": 5}],
        "agents": [
            {"agent_id": "A1", "contract": "ft"},
            {"agent_id": "A2", "contract": "ft", "time_off": ["2027-01-05"]},
            {"agent_id": "A3", "contract": "ft", "pins": [{"day": "2027-01-04", "start": "08:00"}]},
        ],
        "solver": {"time_limit_seconds": 10, "workers": 1, "seed": 0},
    }
    doc.update(changes)
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path
