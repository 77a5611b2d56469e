"""Re-rostering a published roster: minimal change against brute force, locks, change table."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
from roster_helpers import (
    MONDAY,
    agents,
    break_rule,
    contract,
    day,
    hour_profile,
    roster_frames,
    shift_rows,
    template,
    tiny_problem,
)

from wfm.errors import ValidationError
from wfm.roster.changes import Locks, RosterChanges, change_table, reroster
from wfm.roster.checker import check_roster
from wfm.roster.options import SolverOptions
from wfm.roster.problem import AvailabilityWindow, Baseline, ChangeWeights, TimeOff, Weights
from wfm.roster.published import read_published
from wfm.roster.solve import solve

OPTIONS = SolverOptions(time_limit_seconds=20, workers=1, seed=0)
STARTS = (8, 9, 10)
DAYS = 3
SHIFT_HOURS = 8


def _three_agents() -> object:
    """Three agents working exactly two of three days, 8-hour shifts starting 08, 09 or 10."""
    required = hour_profile(DAYS, [(d, 8, 18, 1.0) for d in range(DAYS)] + [(1, 10, 16, 1.0)])
    return tiny_problem(
        days=DAYS,
        required=required,
        templates=[template("day", earliest="08:00", latest="10:00", length_hours=SHIFT_HOURS)],
        contracts=[contract(min_days_per_week=2, max_days_per_week=2)],
        agent_list=agents(3),
        weights=Weights(fairness_weekend=0, fairness_late=0),
    )


def _objective(problem, plan, published, weights: ChangeWeights) -> tuple[float, int]:
    """Cost of ``plan`` (agent -> {day: start hour}) and its count of changed agent-days.

    Written from the documented weights alone: under-staffing per agent-hour
    with its growth steps, over-staffing, paid hours, and the change prices.
    """
    w = problem.weights
    coverage = np.zeros(DAYS * 24)
    paid = 0.0
    change_cost = 0.0
    changed = 0
    for agent, days in plan.items():
        for d, h in days.items():
            coverage[d * 24 + h : d * 24 + h + SHIFT_HOURS] += 1
            paid += SHIFT_HOURS
        for d in range(DAYS):
            old, new = published[agent].get(d), days.get(d)
            if old == new:
                continue
            changed += 1
            if old is None or new is None:
                change_cost += weights.shift_added_or_removed
            else:
                change_cost += weights.start_moved + weights.start_moved_per_hour * abs(new - old)
    gap = coverage - problem.required_scheduled
    under = 0.0
    for short in np.clip(-gap, 0, None):
        for k, g in enumerate(w.understaffing_growth):
            step = short if k == len(w.understaffing_growth) - 1 else min(short, 1.0)
            under += step * g * w.understaffing_per_agent_hour
            short -= step
    over = np.clip(gap, 0, None).sum() * w.overstaffing_per_agent_hour
    return under + over + paid * w.paid_hour + change_cost, changed


def _allowed(problem, agent: str, d: int, h: int) -> bool:
    me = next(a for a in problem.agents if a.agent_id == agent)
    if me.availability is None:
        return True
    weekday = (MONDAY + dt.timedelta(days=d)).weekday()
    return any(
        w.weekday == weekday
        and w.start_minutes <= h * 60
        and (h + SHIFT_HOURS) * 60 <= w.end_minutes
        for w in me.availability
    )


def _plans(problem):
    """Every roster of the instance obeying its hard rules (two days each, availability)."""
    per_agent = {}
    for a in problem.agents:
        weeks = []
        for pair in itertools.combinations(range(DAYS), 2):
            for hours in itertools.product(STARTS, repeat=2):
                week = dict(zip(pair, hours, strict=True))
                if all(_allowed(problem, a.agent_id, d, h) for d, h in week.items()):
                    weeks.append(week)
        per_agent[a.agent_id] = weeks
    ids = list(per_agent)
    for combo in itertools.product(*(per_agent[i] for i in ids)):
        yield dict(zip(ids, combo, strict=False))


def _as_plan(roster: pd.DataFrame) -> dict[str, dict[int, int]]:
    plan: dict[str, dict[int, int]] = {}
    for row in roster.to_dict("records"):
        start = pd.Timestamp(row["start"])
        d = (start.date() - MONDAY).days
        plan.setdefault(str(row["agent_id"]), {})[d] = start.hour
    return plan


CHANGE_FIRST = ChangeWeights(
    shift_added_or_removed=10_000, start_moved=10_000, start_moved_per_hour=0, break_moved=0
)
"""Changes priced far above any coverage gain: the fewest changes come first."""


@pytest.mark.parametrize("weights", [ChangeWeights(), CHANGE_FIRST], ids=["default", "first"])
def test_one_availability_change_moves_only_what_must_move(weights: ChangeWeights) -> None:
    problem = _three_agents()
    first = solve(problem, OPTIONS, compute_bound=False)
    assert first.status.value == "OPTIMAL"
    published_plan = _as_plan(first.roster)
    # mid-week, the agent working Tuesday's 08:00 (or 09:00) shift can only start at 10:00
    agent = next(a for a, days in sorted(published_plan.items()) if days.get(1, 99) < 10)
    availability = tuple(
        AvailabilityWindow(weekday=w, start=dt.time(10 if w == 1 else 0), end=dt.time(0))
        for w in range(7)
    )
    changes = RosterChanges(availability={agent: availability})
    published = read_published(first.roster, first.breaks)
    out = reroster(
        problem, published, changes, weights=weights, options=OPTIONS, compute_bound=False
    )
    assert out.result.status.value == "OPTIMAL"
    changed_problem = out.problem
    scored = [
        _objective(changed_problem, plan, published_plan, weights)
        for plan in _plans(changed_problem)
    ]
    fewest = min(changed for _, changed in scored)
    best = min(cost for cost, _ in scored)
    fewest_at_best = min(changed for cost, changed in scored if cost <= best + 1e-6)
    assert fewest == 1  # the agent's Tuesday must move; nothing else must
    cost, changed = _objective(
        changed_problem, _as_plan(out.result.roster), published_plan, weights
    )
    assert cost == pytest.approx(best)
    assert cost == pytest.approx(out.result.objective)
    assert changed == fewest_at_best == len(out.changes)
    assert out.summary.shifts_moved == changed
    assert agent in set(out.changes["agent_id"])
    if weights is CHANGE_FIRST:
        assert changed == fewest
        assert list(out.changes["reason"]) == ["availability"]
    else:
        # default prices: a second move is worth it when it closes two agent-hours short
        assert changed <= fewest + 1


def _with_breaks():
    """Two agents, 8-hour shifts at 08:00 with a one-hour break 2-4 hours in, two days."""
    shift = template(
        "day",
        earliest="08:00",
        latest="09:00",
        length_hours=8,
        breaks=[break_rule(window=(120, 240))],
    )
    required = hour_profile(2, [(d, 8, 17, 1.0) for d in range(2)])
    problem = tiny_problem(
        days=2,
        required=required,
        templates=[shift],
        contracts=[contract()],
        agent_list=agents(2),
        weights=Weights(fairness_weekend=0, fairness_late=0),
    )
    # published: both at 08:00 on both days, breaks at 10:00 (a0) and 12:00 (a1)
    frames = roster_frames(
        *(
            shift_rows(shift, f"a{i}", day(d), "08:00", breaks=[120 if i == 0 else 240])
            for i in range(2)
            for d in range(2)
        )
    )
    return problem, shift, frames


def _pick(frame: pd.DataFrame, agent_id: str, date: dt.date) -> pd.DataFrame:
    return frame[(frame["agent_id"] == agent_id) & (frame["date"].astype(str) == str(date))]


def test_locked_shifts_and_breaks_stay_put_while_the_rest_moves() -> None:
    problem, _, (roster, breaks) = _with_breaks()
    published = read_published(roster, breaks)
    # revised requirements: two agents needed 09:00-11:00 and one 11:00-18:00
    revised = problem.requirements.copy()
    revised["required_scheduled"] = hour_profile(
        2, [(d, 9, 11, 2.0) for d in range(2)] + [(d, 11, 18, 1.0) for d in range(2)]
    )
    changes = RosterChanges(requirements=revised)
    free = reroster(problem, published, changes, options=OPTIONS, compute_bound=False)
    assert len(free.changes) > 0  # without locks, shifts and breaks move to the new profile
    assert free.summary.breaks_moved + free.summary.shifts_moved > 0
    locks = Locks(agents=frozenset({"a0"}), days=frozenset({day(0)}))
    locked = reroster(
        problem, published, changes, locks=locks, options=OPTIONS, compute_bound=False
    )
    assert locked.summary.locked_agent_days == 3
    kept = {("a0", day(0)), ("a0", day(1)), ("a1", day(0))}
    for frame, new in ((roster, locked.result.roster), (breaks, locked.result.breaks)):
        for agent_id, date in kept:
            before = _pick(frame, agent_id, date)[["start"]].astype(str).reset_index(drop=True)
            after = _pick(new, agent_id, date)[["start"]].map(
                lambda s: f"{pd.Timestamp(s):%Y-%m-%d %H:%M}"
            )
            assert before.equals(after.reset_index(drop=True)), (agent_id, date)
    assert not set(zip(locked.changes["agent_id"], locked.changes["date"], strict=False)) & {
        (a, d.isoformat()) for a, d in kept
    }
    assert check_roster(locked.problem, locked.result.roster, locked.result.breaks).empty
    # the checker sees a moved locked break
    moved = locked.result.breaks.copy()
    row = moved.index[(moved["agent_id"] == "a0") & (moved["date"].astype(str) == str(day(0)))][0]
    moved.loc[row, "start"] = pd.Timestamp(moved.loc[row, "start"]) + pd.Timedelta(hours=1)
    moved.loc[row, "end"] = pd.Timestamp(moved.loc[row, "end"]) + pd.Timedelta(hours=1)
    found = check_roster(locked.problem, locked.result.roster, moved, rules=["locks"])
    assert list(found["rule"]) == ["locked_break"]


def test_an_absence_removes_the_shift_and_reports_it() -> None:
    problem, _, (roster, breaks) = _with_breaks()
    published = read_published(roster, breaks)
    changes = RosterChanges(time_off={"a1": (TimeOff.whole_day(day(1)),)})
    out = reroster(problem, published, changes, options=OPTIONS, compute_bound=False)
    rows = out.changes.set_index(["agent_id", "date"])
    assert rows.loc[("a1", day(1).isoformat()), "change"] == "removed"
    assert rows.loc[("a1", day(1).isoformat()), "reason"] == "time_off"
    assert rows.loc[("a1", day(1).isoformat()), "paid_hours_changed"] == -8.0
    assert out.summary.shifts_removed == 1
    assert check_roster(out.problem, out.result.roster, out.result.breaks).empty


def test_a_lock_the_changes_forbid_is_refused_before_solving() -> None:
    problem, _, (roster, breaks) = _with_breaks()
    published = read_published(roster, breaks)
    changes = RosterChanges(time_off={"a1": (TimeOff.whole_day(day(1)),)})
    with pytest.raises(ValidationError, match=r"locks: got 'a1 on 2026-01-06'"):
        reroster(problem, published, changes, locks=Locks(before=day(2)), options=OPTIONS)
    with pytest.raises(ValidationError, match=r"changes.time_off: got 'zz'"):
        reroster(problem, published, RosterChanges(time_off={"zz": ()}), options=OPTIONS)


def test_change_table_kinds() -> None:
    problem, shift, (roster, breaks) = _with_breaks()
    published = read_published(roster, breaks)
    base = Baseline(shifts=published, agents=frozenset({"a0", "a1"}))
    import dataclasses

    with_base = dataclasses.replace(problem, baseline=base)
    new_roster, new_breaks = roster_frames(
        shift_rows(shift, "a0", day(0), "08:00", breaks=[120]),  # kept
        shift_rows(shift, "a0", day(1), "09:00", breaks=[120]),  # moved an hour later
        shift_rows(shift, "a1", day(0), "08:00", breaks=[180]),  # break moved
    )  # a1 day 1 removed
    table = change_table(with_base, new_roster, new_breaks)
    got = {(r["agent_id"], r["date"]): r for r in table.to_dict("records")}
    assert set(got) == {
        ("a0", day(1).isoformat()),
        ("a1", day(0).isoformat()),
        ("a1", day(1).isoformat()),
    }
    assert got[("a0", day(1).isoformat())]["change"] == "moved"
    assert got[("a0", day(1).isoformat())]["start_moved_minutes"] == 60
    assert got[("a1", day(0).isoformat())]["change"] == "breaks_moved"
    assert got[("a1", day(0).isoformat())]["breaks_moved"] == 1
    assert got[("a1", day(1).isoformat())]["change"] == "removed"
