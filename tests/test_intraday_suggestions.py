"""VTO and overtime suggestions, counted against the tables by hand on tiny days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from roster_helpers import (
    MONDAY,
    agents,
    break_rule,
    contract,
    roster_frames,
    shift_rows,
    template,
    tiny_problem,
)

from wfm.errors import ValidationError
from wfm.intraday import SUGGESTION_COLUMNS, suggest_vto_ot
from wfm.roster.problem import Agent, AvailabilityWindow, RosterProblem, Weights

STEP = pd.Timedelta(minutes=30)
SHIFT = template(
    "day", earliest="08:00", length_hours=8, breaks=[break_rule(minutes=30, window=(60, 300))]
)


def _counted(roster: pd.DataFrame, breaks: pd.DataFrame, days: int = 1) -> np.ndarray:
    """Agents on shift and not on break per half-hour, counted stamp by stamp."""
    stamps = pd.date_range(pd.Timestamp(MONDAY), periods=48 * days, freq=STEP)
    out = np.zeros(len(stamps))
    for i, t in enumerate(stamps):
        for _, r in roster.iterrows():
            if pd.Timestamp(r["start"]) <= t < pd.Timestamp(r["end"]):
                away = any(
                    b["agent_id"] == r["agent_id"]
                    and pd.Timestamp(b["start"]) <= t < pd.Timestamp(b["end"])
                    for _, b in breaks.iterrows()
                )
                out[i] += not away
    return out


def _under_hours(required: np.ndarray, counted: np.ndarray, first: int, last: int) -> float:
    return float(np.clip(required[first:last] - counted[first:last], 0, None).sum() * 0.5)


def _apply(roster: pd.DataFrame, breaks: pd.DataFrame, row: pd.Series) -> pd.DataFrame:
    """The roster with one suggestion applied (a VTO cuts the shift and its later breaks)."""
    out = roster.copy()
    mine = out["agent_id"] == row["agent_id"]
    if row["kind"] == "ot_end":
        out.loc[mine, "end"] = f"{row['end']:%Y-%m-%d %H:%M}"
    elif row["kind"] == "ot_start":
        out.loc[mine, "start"] = f"{row['start']:%Y-%m-%d %H:%M}"
    else:
        out.loc[mine, "end"] = f"{row['start']:%Y-%m-%d %H:%M}"
    return out


def _problem(required: np.ndarray, agent_list: tuple[Agent, ...], days: int = 1) -> RosterProblem:
    return tiny_problem(
        days=days,
        interval_minutes=30,
        required=required,
        templates=[SHIFT],
        contracts=[contract(), contract("rested", min_rest_hours=15.5)],
        agent_list=agent_list,
        weights=Weights(fairness_weekend=0, fairness_late=0),
    )


def test_overtime_removes_exactly_what_it_claims_and_respects_availability_and_rest() -> None:
    # two days; on Monday 3 agents 08:00-16:00, the requirement runs on to 18:00
    required = np.zeros(96)
    required[16:32] = 2.0  # 08:00-16:00: 2 needed, 3 on shift (one on break at a time)
    required[32:36] = 1.0  # 16:00-18:00: 1 needed, nobody on shift
    required[14:16] = 1.0  # 07:00-08:00: 1 needed, nobody yet
    late_window = tuple(
        AvailabilityWindow(weekday=d, start=dt.time(7), end=dt.time(16, 30)) for d in range(7)
    )
    agent_list = (
        Agent(agent_id="a0", contract="full", availability=late_window),  # up to 16:30 only
        Agent(agent_id="a1", contract="rested"),  # 15.5 h rest to Tuesday 08:00
        Agent(agent_id="a2", contract="full"),
    )
    problem = _problem(required, agent_list, days=2)
    tuesday = MONDAY + dt.timedelta(days=1)
    roster, breaks = roster_frames(
        shift_rows(SHIFT, "a0", MONDAY, "08:00", breaks=[120]),
        shift_rows(SHIFT, "a1", MONDAY, "08:00", breaks=[150]),
        shift_rows(SHIFT, "a2", MONDAY, "08:00", breaks=[180]),
        shift_rows(SHIFT, "a1", tuesday, "08:00", breaks=[120]),
    )
    now = pd.Timestamp(f"{MONDAY} 06:00")
    out = suggest_vto_ot(problem, roster, breaks, now=now)
    assert list(out.columns) == list(SUGGESTION_COLUMNS)
    ot = out[out["kind"].str.startswith("ot")]
    assert len(ot)
    current = roster
    for _, row in ot.iterrows():
        before = _under_hours(required, _counted(current, breaks, 2), 12, 48)
        current = _apply(current, breaks, row)
        after = _under_hours(required, _counted(current, breaks, 2), 12, 48)
        assert before - after == pytest.approx(row["understaffing_removed_agent_hours"])
        assert 15 <= row["minutes"] <= 60
        if row["agent_id"] == "a0":
            assert row["end"] <= pd.Timestamp(f"{MONDAY} 16:30")
        if row["agent_id"] == "a1":  # rest to Tuesday 08:00 at least 15.5 h
            assert row["end"] <= pd.Timestamp(f"{MONDAY} 16:30")
    # brute force: no single feasible extension removes more than the first suggestion
    best = 0.0
    base = _counted(roster, breaks, 2)
    limits = {"a0": pd.Timestamp(f"{MONDAY} 16:30"), "a1": pd.Timestamp(f"{MONDAY} 16:30")}
    for agent in ("a0", "a1", "a2"):
        for k in (1, 2):
            end = pd.Timestamp(f"{MONDAY} 16:00") + k * STEP
            if end <= limits.get(agent, end):
                gain = float(np.clip(required[32 : 32 + k] - base[32 : 32 + k], 0, 1).sum() * 0.5)
                best = max(best, gain)
            gain = float(np.clip(required[16 - k : 16] - base[16 - k : 16], 0, 1).sum() * 0.5)
            best = max(best, gain)
    assert ot["understaffing_removed_agent_hours"].iloc[0] == pytest.approx(best)
    # all of it: 07:00-08:00 and 16:00-18:00 closed (a2 can stay the full hour)
    assert _under_hours(required, _counted(current, breaks, 2), 12, 48) == pytest.approx(
        _under_hours(required, base, 12, 48) - ot["understaffing_removed_agent_hours"].sum()
    )
    assert (ot["start"] >= now).all()
    for _, leave in out[out["kind"] == "vto"].iterrows():  # nobody leaves where overtime is asked
        assert not ((ot["start"] < leave["end"]) & (leave["start"] < ot["end"])).any()


def test_vto_never_leaves_an_interval_short_and_keeps_the_minimum_hours() -> None:
    required = np.zeros(48)
    required[16:24] = 3.0  # 08:00-12:00: 3 of 4 (one on break at a time)
    required[24:32] = 1.0  # 12:00-16:00: 1 needed, 4 on shift
    agent_list = (
        *agents(3),
        Agent(agent_id="a-min", contract="minimum"),  # ends with the others, comes first
    )
    problem = tiny_problem(
        days=1,
        interval_minutes=30,
        required=required,
        templates=[SHIFT],
        contracts=[contract(), contract("minimum", min_hours_per_period=7.5)],
        agent_list=agent_list,
        weights=Weights(fairness_weekend=0, fairness_late=0),
    )
    roster, breaks = roster_frames(
        *(
            shift_rows(SHIFT, name, MONDAY, "08:00", breaks=[120 + 30 * i])
            for i, name in enumerate(["a0", "a1", "a2", "a-min"])
        )
    )
    now = pd.Timestamp(f"{MONDAY} 11:00")
    out = suggest_vto_ot(problem, roster, breaks, now=now)
    vto = out[out["kind"] == "vto"]
    assert len(vto) and (out["kind"] == "vto").all()
    current = roster
    for _, row in vto.iterrows():
        before = _counted(current, breaks)
        current = _apply(current, breaks, row)
        after = _counted(current, breaks)
        short = required - after > 1e-9
        assert not (short & ~(required - before > 1e-9)).any()  # nothing new short
        over_before = np.clip(before - required, 0, None)[22:48].sum() * 0.5
        over_after = np.clip(after - required, 0, None)[22:48].sum() * 0.5
        assert over_before - over_after == pytest.approx(row["overstaffing_removed_agent_hours"])
        assert row["start"] >= now and row["minutes"] >= 30
    # 12:00-16:00 needs one agent: a0 and a1 go at 12:00, a2 stays, a-min goes at 15:30
    assert _counted(current, breaks)[24:32].min() >= 1
    assert (_counted(current, breaks)[22:32] >= required[22:32]).all()
    # a-min must keep 7.5 paid hours of 8: 30 minutes early, not more
    assert vto.loc[vto["agent_id"] == "a-min", "minutes"].tolist() == [30]


@pytest.mark.parametrize("limit", ["availability", "rest"])
def test_an_extension_stops_where_availability_or_rest_ends(limit: str) -> None:
    required = np.zeros(96)
    required[16:36] = 1.0  # 08:00-18:00 on Monday
    window = tuple(
        AvailabilityWindow(weekday=d, start=dt.time(7), end=dt.time(16, 30)) for d in range(7)
    )
    agent = (
        Agent(agent_id="a0", contract="full", availability=window)
        if limit == "availability"
        else Agent(agent_id="a0", contract="rested")  # 15.5 h to Tuesday 08:00
    )
    problem = _problem(required, (agent,), days=2)
    roster, breaks = roster_frames(
        shift_rows(SHIFT, "a0", MONDAY, "08:00", breaks=[120]),
        shift_rows(SHIFT, "a0", MONDAY + dt.timedelta(days=1), "08:00", breaks=[120]),
    )
    out = suggest_vto_ot(problem, roster, breaks, now=pd.Timestamp(f"{MONDAY} 12:00"))
    assert out[["kind", "minutes"]].values.tolist() == [["ot_end", 30]]
    assert out["understaffing_removed_agent_hours"].iloc[0] == pytest.approx(0.5)


def test_nothing_to_suggest_on_a_day_that_fits_and_bad_ranges_are_refused() -> None:
    required = np.zeros(48)
    required[16:32] = 1.0
    problem = _problem(required, agents(1))
    roster, breaks = roster_frames(shift_rows(SHIFT, "a0", MONDAY, "08:00", breaks=[120]))
    now = pd.Timestamp(f"{MONDAY} 09:00")
    # the break 10:00-10:30 leaves the interval short; overtime cannot fill it
    out = suggest_vto_ot(problem, roster, breaks, now=now)
    assert out.empty
    with pytest.raises(ValidationError, match="max_extension_minutes"):
        suggest_vto_ot(
            problem, roster, breaks, now=now, min_extension_minutes=15, max_extension_minutes=20
        )
