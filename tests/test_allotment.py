"""Time-off allotments against brute force, and requests granted in the configured order."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from roster_helpers import MONDAY, contract, day, hour_profile, template, tiny_problem

from wfm.errors import ValidationError
from wfm.roster.allotment import TimeOffRequest, allotments, grant
from wfm.roster.options import SolverOptions
from wfm.roster.problem import Agent
from wfm.roster.solve import solve

DAYS = 2
SPLIT = dt.time(13, 0)
WINDOWS = {"day": (0, 24), "am": (0, 13), "pm": (13, 24)}
# per agent: the shifts of one day (start hour, length hours)
FULL = [(h, 8) for h in (8, 9, 10)]
PART = [(h, 4) for h in range(8, 15)]


def _problem():
    required = hour_profile(DAYS, [(0, 9, 17, 1.0), (0, 12, 16, 1.0), (1, 8, 16, 1.0)])
    return tiny_problem(
        days=DAYS,
        required=required,
        templates=[
            template("full", earliest="08:00", latest="10:00", length_hours=8),
            template("part", earliest="08:00", latest="14:00", length_hours=4),
        ],
        contracts=[contract(min_days_per_week=1, max_days_per_week=2)],
        agent_list=[
            Agent(agent_id="a0", contract="full", templates=("full",)),
            Agent(agent_id="a1", contract="full", templates=("full",)),
            Agent(agent_id="a2", contract="full", templates=("part",)),
        ],
    )


SHIFTS = {"a0": FULL, "a1": FULL, "a2": PART}


def _rosters():
    """Every roster: per agent and day a shift or None, each agent working at least one day."""
    ids = list(SHIFTS)
    choices = [[None, *SHIFTS[a]] for a in ids]
    per_day = list(itertools.product(*choices))
    for days in itertools.product(per_day, repeat=DAYS):
        if all(any(days[d][i] is not None for d in range(DAYS)) for i in range(len(ids))):
            yield {a: [days[d][i] for d in range(DAYS)] for i, a in enumerate(ids)}


def _under(problem, roster) -> float:
    cover = np.zeros(DAYS * 24)
    for shifts in roster.values():
        for d, s in enumerate(shifts):
            if s is not None:
                cover[d * 24 + s[0] : d * 24 + s[0] + s[1]] += 1
    return float(np.clip(problem.required_scheduled - cover, 0, None).sum())


def _off(shift, part) -> bool:
    low, high = WINDOWS[part]
    return shift is None or not (shift[0] < high and low < shift[0] + shift[1])


def _truth(problem):
    rosters = list(_rosters())
    unders = [_under(problem, r) for r in rosters]
    least = min(unders)
    good = [r for r, u in zip(rosters, unders, strict=True) if u <= least + 1e-9]
    return least, good


def test_allotment_equals_brute_force() -> None:
    problem = _problem()
    least, good = _truth(problem)
    result = allotments(problem, time_limit_seconds=10)
    assert result.understaffing_agent_hours == pytest.approx(least)
    got = {(r["date"], r["part"]): r for r in result.allotment.to_dict("records")}
    for d in range(DAYS):
        for part in WINDOWS:
            truth = max(sum(_off(r[a][d], part) for a in r) for r in good)
            row = got[(day(d).isoformat(), part)]
            assert row["max_off"] == truth, (d, part)
            assert row["bound"] == truth and row["status"] == "OPTIMAL"
    # the half-days differ: the part-timer can take a morning off and still work the afternoon
    assert got[(day(0).isoformat(), "am")]["max_off"] >= got[(day(0).isoformat(), "day")]["max_off"]


def _requests() -> tuple[TimeOffRequest, ...]:
    at = dt.datetime(2025, 12, 1, 9)
    return (
        TimeOffRequest(agent_id="a0", day=day(0), requested_at=at, seniority_years=1),
        TimeOffRequest(
            agent_id="a1", day=day(0), requested_at=at + dt.timedelta(hours=1), seniority_years=9
        ),
        TimeOffRequest(
            agent_id="a2", day=day(0), requested_at=at - dt.timedelta(hours=1), seniority_years=4
        ),
        TimeOffRequest(agent_id="a2", day=day(1), part="pm", requested_at=at, seniority_years=4),
    )


@pytest.mark.parametrize("order", ["seniority", "request_time"])
def test_requests_are_granted_in_order(order: str) -> None:
    problem = _problem()
    _, good = _truth(problem)
    requests = _requests()
    result = allotments(problem, requests, order=order, time_limit_seconds=10)
    if order == "seniority":
        ranked = sorted(requests, key=lambda r: (-r.seniority_years, r.requested_at))
    else:
        ranked = sorted(requests, key=lambda r: r.requested_at)
    # greedy over the brute-force rosters in the same order
    granted: list[TimeOffRequest] = []
    for r in ranked:
        trial = [*granted, r]
        if any(
            all(_off(x[q.agent_id][(q.day - MONDAY).days], q.part) for q in trial) for x in good
        ):
            granted.append(r)
    assert list(result.granted) == granted
    first = "a1" if order == "seniority" else "a2"  # the most senior, or the earliest request
    assert [(r.agent_id, r.day) for r in granted if r.day == day(0)] == [(first, day(0))]
    table = result.requests.sort_values("order")
    assert [(r["agent_id"], r["date"], r["part"]) for r in table.to_dict("records")] == [
        (r.agent_id, r.day.isoformat(), r.part) for r in ranked
    ]
    assert table["granted"].sum() == len(granted) < len(requests)
    assert (table.loc[~table["granted"], "reason"] != "").all()
    # written back: the roster of the granted problem keeps every granted request off
    solved = solve(
        grant(problem, result, split=SPLIT), SolverOptions(time_limit_seconds=10, workers=1)
    )
    for r in granted:
        rows = solved.roster[(solved.roster["agent_id"] == r.agent_id)]
        assert not (rows["date"].astype(str) == r.day.isoformat()).any() or r.part != "day"
    assert solved.summary.understaffing_agent_hours == pytest.approx(
        result.understaffing_agent_hours
    )


def test_request_for_unknown_agent_is_refused_before_solving() -> None:
    with pytest.raises(ValidationError, match=r"requests\[0\]\.agent_id: got 'zz'"):
        allotments(_problem(), (TimeOffRequest(agent_id="zz", day=day(0)),))
