"""Intraday: the damped reforecast, and breaks re-placed without moving a shift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from roster_helpers import (
    MONDAY,
    agents,
    break_rule,
    contract,
    hour_profile,
    requirement_frame,
    roster_frames,
    shift_rows,
    template,
    tiny_problem,
)

from wfm.errors import ValidationError
from wfm.intraday import default_damping, reforecast, replace_breaks
from wfm.roster.checker import check_roster
from wfm.roster.problem import Weights
from wfm.roster.published import read_published


def test_reforecast_scales_the_rest_of_the_day_by_the_damped_ratio() -> None:
    stamps = pd.date_range("2027-01-04", periods=48, freq="30min")
    forecast = pd.DataFrame({"interval_start": stamps, "calls": 10.0})
    actual = pd.DataFrame({"interval_start": stamps[:20], "calls": 12.0})  # +20 % until 10:00
    now = pd.Timestamp("2027-01-04 10:00")
    out = reforecast(forecast, actual, now=now, damping=0.5)
    assert out.attrs["observed_ratio"] == pytest.approx(1.2)
    assert out.attrs["factor"] == pytest.approx(1.1)
    assert (out["calls"].iloc[:20] == 12.0).all()
    assert out["calls"].iloc[20:].to_numpy() == pytest.approx(np.full(28, 11.0))
    assert (out["calls_forecast"] == 10.0).all()
    assert reforecast(forecast, actual, now=now, damping=0.0)["calls"].iloc[30] == 10.0
    with pytest.raises(ValidationError, match="damping"):
        reforecast(forecast, actual, now=now, damping=1.5)


def test_default_damping_grows_with_the_share_of_the_day_seen() -> None:
    # 48 half-hours: 10 calls each before 06:00 (12 intervals), 30 after -> 120 of 1200 by 06:00
    stamps = pd.date_range("2027-01-04", periods=48, freq="30min")
    plan = np.where(np.arange(48) < 12, 10.0, 30.0)
    forecast = pd.DataFrame({"interval_start": stamps, "calls": plan})
    actual = pd.DataFrame({"interval_start": stamps[:12], "calls": 13.0})  # ratio 1.3
    out = reforecast(forecast, actual, now=pd.Timestamp("2027-01-04 06:00"))
    share = 120 / 1200  # 0.1 -> damping 0.1 / (0.1 + 0.2) = 1/3
    assert out.attrs["damping"] == pytest.approx(share / (share + 0.2))
    assert out.attrs["factor"] == pytest.approx(1 + 0.3 / 3)
    assert out["calls"].iloc[12:].to_numpy() == pytest.approx(np.full(36, 30.0 * 1.1))
    assert default_damping(0.2) == pytest.approx(0.5) and default_damping(0.0) == 0.0
    assert default_damping(0.8) == pytest.approx(0.8)
    with pytest.raises(ValidationError, match="seen_share"):
        default_damping(1.5)


def _day():
    """Four agents 08:00-16:00, one 30-minute break starting 09:00-13:00, 30-minute grid."""
    shift = template(
        "day", earliest="08:00", length_hours=8, breaks=[break_rule(minutes=30, window=(60, 300))]
    )
    required = hour_profile(1, [(0, 8, 12, 3.0), (0, 12, 16, 2.0)])
    per_half_hour = np.repeat(required, 2)
    problem = tiny_problem(
        days=1,
        interval_minutes=30,
        required=per_half_hour,
        templates=[shift],
        contracts=[contract()],
        agent_list=agents(4),
        weights=Weights(fairness_weekend=0, fairness_late=0),
    )
    # published: breaks 10:00, 10:30, 11:00, 11:30 (fine for the plan: 3 of 4 on the phone)
    frames = roster_frames(
        *(shift_rows(shift, f"a{i}", MONDAY, "08:00", breaks=[120 + 30 * i]) for i in range(4))
    )
    return problem, per_half_hour, frames


def test_a_shock_from_ten_moves_breaks_not_shifts_and_closes_the_gap() -> None:
    problem, required, (roster, breaks) = _day()
    shocked = required.copy()
    shocked[20:] *= 1.15  # +15 % from 10:00
    revised = requirement_frame(MONDAY, shocked, 30)
    published = read_published(roster, breaks)
    now = pd.Timestamp(f"{MONDAY} 10:00")
    out = replace_breaks(problem, published, roster, breaks, requirements=revised, now=now)
    end = now + pd.Timedelta(hours=14)
    before, after = out.understaffing_agent_hours(start=now, end=end)
    assert before == pytest.approx(4 * 0.45 * 0.5)
    assert after < before
    # shifts exactly as published; every break inside its window and not before now
    new = out.result.roster
    assert list(new["start"].astype(str).str[:16]) == list(roster["start"])
    assert list(new["end"].astype(str).str[:16]) == list(roster["end"])
    assert check_roster(out.problem, new, out.result.breaks).empty
    starts = pd.to_datetime(out.result.breaks["start"])
    assert (starts >= now).all()
    assert out.summary.shifts_moved == out.summary.shifts_added == out.summary.shifts_removed == 0
    assert out.summary.breaks_moved >= 2


def test_breaks_already_taken_stay() -> None:
    problem, required, (roster, breaks) = _day()
    shocked = required.copy()
    shocked[20:] *= 1.15
    published = read_published(roster, breaks)
    now = pd.Timestamp(f"{MONDAY} 11:00")  # the 10:00 and 10:30 breaks have started
    out = replace_breaks(
        problem,
        published,
        roster,
        breaks,
        requirements=requirement_frame(MONDAY, shocked, 30),
        now=now,
    )
    got = out.result.breaks.set_index("agent_id")["start"].astype(str).str[:16]
    assert got["a0"] == f"{MONDAY} 10:00" and got["a1"] == f"{MONDAY} 10:30"
    assert (pd.to_datetime(got[["a2", "a3"]]) >= now).all()
