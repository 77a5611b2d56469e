"""Write ``actual.csv``: the example's Wednesday until 12:00, 15 % above forecast from 10:00.

Run from the repository root: ``python examples/intraday/make_actual.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wfm.scenario import load_scenario

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Write the file beside this script."""
    run = load_scenario(HERE.parent / "contact_center" / "scenario.yaml").pipeline()
    assert run.forecast is not None
    forecast = run.forecast
    stamps = pd.to_datetime(forecast["interval_start"])
    day = pd.Timestamp("2027-01-06")
    keep = (stamps >= day) & (stamps < day + pd.Timedelta(hours=12))
    calls = forecast.loc[keep, "calls"].astype(float)
    shocked = stamps[keep] >= day + pd.Timedelta(hours=10)
    calls[shocked.to_numpy()] *= 1.15
    out = pd.DataFrame({"interval_start": stamps[keep].dt.strftime("%Y-%m-%d %H:%M")})
    out["calls"] = calls.round().astype(int).to_numpy()
    out.to_csv(HERE / "actual.csv", index=False)


if __name__ == "__main__":
    main()
