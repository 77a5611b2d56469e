"""Tests of shift design (minimum shift design on CP-SAT)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from wfm.errors import DataError, ValidationError
from wfm.roster.bounds.shift_design import (
    ShiftDesignProblem,
    ShiftDesignResult,
    ShiftType,
    design_objective,
    design_shifts,
    shift_design_problem_from_roster,
)
from wfm.roster.problem import Agent, Contract, RosterProblem, ShiftTemplate
from wfm.status import SolveStatus

ROOT = Path(__file__).resolve().parents[1]
MSD_DATA = ROOT.parent / "shared" / "data" / "msd_shift_design"


def one_day(required: list[int], **kwargs: object) -> ShiftDesignProblem:
    """A one-day, hourly problem with a single 'day' type (start 6-10, 8 hours)."""
    settings: dict[str, object] = {
        "slot_minutes": 60,
        "days": 1,
        "cyclic": False,
        "cost_per_distinct_shift": 10.0,
        "shift_types": (
            ShiftType(name="day", min_start=6, max_start=10, min_length=8, max_length=8),
        ),
    }
    settings.update(kwargs)
    return ShiftDesignProblem(required_agents=np.array(required), **settings)  # type: ignore[arg-type]


def test_single_shift_covers_a_block_exactly() -> None:
    required = [0] * 8 + [2] * 8 + [0] * 8  # two agents 08:00-16:00
    result = design_shifts(one_day(required), time_limit_seconds=10, workers=1)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(10.0)  # one distinct shift, no deviation
    assert result.best_bound == pytest.approx(10.0)
    assert result.relative_gap == pytest.approx(0.0)
    assert result.distinct_shifts == 1
    row = result.shifts.iloc[0]
    assert (row["shift_type"], row["start_time"], row["length_minutes"]) == ("day", "08:00", 480)
    assert row["day_0"] == 2 and row["total_agents"] == 2
    assert result.understaffing_agent_minutes == 0 and result.overstaffing_agent_minutes == 0
    assert list(result.coverage["agents"]) == required


def test_deviation_versus_an_extra_shift() -> None:
    # 1 agent 08-16 and 1 more 09-17: two shifts (cost 2 x w) or one shift with
    # deviation; with w = 10 per shift and 60 per agent-hour, two shifts win
    required = [0] * 8 + [1] + [2] * 7 + [1] + [0] * 7
    result = design_shifts(one_day(required), time_limit_seconds=10, workers=1)
    assert result.objective == pytest.approx(20.0)
    assert result.distinct_shifts == 2
    # with an expensive distinct shift, one shift of 2 agents 08-16 and 1 h under
    # at 16:00 plus 1 h over at 08:00 is cheaper: 120 + 200 < 2 x 200
    dear = one_day(required, cost_per_distinct_shift=200.0)
    result = design_shifts(dear, time_limit_seconds=10, workers=1)
    assert result.distinct_shifts == 1
    assert result.objective == pytest.approx(200.0 + 60.0 * 2)
    assert result.understaffing_agent_minutes == 60 and result.overstaffing_agent_minutes == 60


def test_objective_formula() -> None:
    problem = one_day(
        [0] * 8 + [1] * 8 + [0] * 8,
        understaffing_per_agent_minute=2.0,
        overstaffing_per_agent_minute=3.0,
    )
    shifts = problem.shifts()
    assert [(s, length) for s, length, _ in shifts] == [(h, 8) for h in range(6, 11)]
    plan = np.zeros((len(shifts), 1), dtype=int)
    plan[0, 0] = 1  # 06:00-14:00: 2 h over (06, 07), 2 h under (14, 15)
    assert design_objective(problem, plan) == pytest.approx(2 * 60 * 2 + 3 * 60 * 2 + 10)
    plan[4, 0] = 2  # plus 2 x 10:00-18:00
    cover = np.zeros(24)
    cover[6:14] += 1
    cover[10:18] += 2
    need = np.array(problem.required_agents, dtype=float)
    expected = (
        2 * 60 * np.clip(need - cover, 0, None).sum()
        + 3 * 60 * np.clip(cover - need, 0, None).sum()
        + 10 * 2
    )
    assert design_objective(problem, plan) == pytest.approx(expected)
    with pytest.raises(ValidationError, match="agents"):
        design_objective(problem, np.zeros((2, 1)))


def night_problem(cyclic: bool) -> ShiftDesignProblem:
    required = np.zeros(48, dtype=int)
    required[0:6] = 1  # Monday 00:00-06:00
    required[24 + 22 : 48] = 1  # Tuesday 22:00-24:00
    return ShiftDesignProblem(
        required_agents=required,
        slot_minutes=60,
        days=2,
        cyclic=cyclic,
        cost_per_distinct_shift=1.0,
        shift_types=(
            ShiftType(name="night", min_start=22, max_start=22, min_length=8, max_length=8),
        ),
    )


def test_cyclic_wrap() -> None:
    wrapped = design_shifts(night_problem(cyclic=True), time_limit_seconds=10, workers=1)
    # Tuesday 22:00 + 8 h wraps to Monday 00:00-06:00 of the same (repeated) week
    assert wrapped.objective == pytest.approx(1.0)
    assert wrapped.shifts[["day_0", "day_1"]].values.tolist() == [[0, 1]]
    flat = design_shifts(night_problem(cyclic=False), time_limit_seconds=10, workers=1)
    # without the wrap Monday 00:00-06:00 cannot be covered: 6 agent-hours under
    assert flat.objective == pytest.approx(1.0 + 6 * 60)
    assert flat.understaffing_agent_minutes == 6 * 60
    problem = night_problem(cyclic=True)
    assert problem.covered_slots(22, 8, 1).tolist() == [46, 47, 0, 1, 2, 3, 4, 5]
    assert night_problem(cyclic=False).covered_slots(22, 8, 1).tolist() == [46, 47]


def cost_of_one_agent(problem: ShiftDesignProblem, start: int, length: int, day: int) -> float:
    """Least cost of one agent on a shift, over the types allowing it that day (from the types)."""
    hours = length * problem.slot_minutes / 60
    return min(
        t.cost_per_agent_shift + t.cost_per_agent_hour * hours
        for t in problem.shift_types
        if start in t.starts and length in t.lengths and (t.days is None or day in t.days)
    )


def brute_force(problem: ShiftDesignProblem, top: int) -> float:
    """Least objective over every plan with 0..top agents on each (shift, day)."""
    shifts = problem.shifts()
    columns = []
    for start, length, _ in shifts:
        for d in problem.allowed_days(start, length):
            col = np.zeros(problem.n_slots, dtype=int)
            np.add.at(col, problem.covered_slots(start, length, d), 1)
            columns.append((start, length, col, cost_of_one_agent(problem, start, length, d)))
    cover_matrix = np.array([c for _, _, c, _ in columns])
    agent_cost = np.array([c for _, _, _, c in columns])
    distinct = sorted({(s, length) for s, length, _, _ in columns})
    owner = np.array([distinct.index((s, length)) for s, length, _, _ in columns])
    choices = np.array(list(itertools.product(range(top + 1), repeat=len(columns))))
    cover = choices @ cover_matrix
    diff = cover - problem.required_agents[None, :]
    sm = problem.slot_minutes
    cost = problem.understaffing_per_agent_minute * sm * np.clip(-diff, 0, None).sum(axis=1)
    cost = cost + problem.overstaffing_per_agent_minute * sm * np.clip(diff, 0, None).sum(axis=1)
    used = np.zeros((len(choices), len(distinct)), dtype=bool)
    for j in range(len(distinct)):
        used[:, j] = choices[:, owner == j].sum(axis=1) > 0
    cost = cost + problem.cost_per_distinct_shift * used.sum(axis=1)
    cost = cost + choices @ agent_cost
    return float(cost.min())


@pytest.mark.parametrize("seed", range(6))
def test_matches_brute_force_with_and_without_cuts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cyclic = bool(seed % 2)
    problem = ShiftDesignProblem(
        required_agents=rng.integers(0, 3, size=12),
        slot_minutes=240,  # 6 slots a day, 2 days
        days=2,
        cyclic=cyclic,
        understaffing_per_agent_minute=float(rng.integers(1, 4)),
        overstaffing_per_agent_minute=float(rng.integers(1, 4)),
        cost_per_distinct_shift=float(rng.choice([0, 100, 400, 1000])),
        shift_types=(
            ShiftType(name="early", min_start=0, max_start=1, min_length=2, max_length=3),
            ShiftType(name="late", min_start=3, max_start=3, min_length=2, max_length=3),
        ),
    )
    truth = brute_force(problem, top=2)
    for cuts, warm in ((True, True), (False, False), (True, False)):
        result = design_shifts(
            problem, time_limit_seconds=20, workers=1, seed=0, cuts=cuts, warm_start=warm
        )
        assert result.status is SolveStatus.OPTIMAL
        assert result.objective == pytest.approx(truth)
        assert result.best_bound == pytest.approx(truth)


def random_priced_problem(seed: int) -> ShiftDesignProblem:
    """A small random cover: 8 slots, 2-4 shift types of unequal costs, <= 8 (shift, day)s."""
    rng = np.random.default_rng(1000 + seed)
    days = 1 + seed % 2
    slot_minutes = 180 if days == 1 else 360  # 8 or 4 slots a day: 8 slots in all
    per_day = 1440 // slot_minutes
    while True:
        types = []
        for k in range(2 + seed % 3):
            first = int(rng.integers(0, per_day))
            shortest = int(rng.integers(1, 4))
            wide_start = bool(rng.integers(0, 2))
            types.append(
                ShiftType(
                    name=f"type{k}",
                    min_start=first,
                    max_start=min(first + int(wide_start), per_day - 1),
                    min_length=shortest,
                    max_length=shortest + int(not wide_start),
                    days=None if days == 1 or rng.integers(0, 2) else frozenset({k % days}),
                    cost_per_agent_shift=float(rng.choice([0, 50, 200, 500])),
                    cost_per_agent_hour=float(rng.choice([0, 5, 10, 30])),
                )
            )
        problem = ShiftDesignProblem(
            required_agents=rng.integers(0, 3, size=days * per_day),
            slot_minutes=slot_minutes,
            days=days,
            cyclic=bool(rng.integers(0, 2)),
            understaffing_per_agent_minute=float(rng.integers(1, 4)),
            overstaffing_per_agent_minute=float(rng.integers(0, 3)),
            cost_per_distinct_shift=float(rng.choice([0, 100, 400])),
            shift_types=tuple(types),
        )
        columns = sum(len(problem.allowed_days(s, length)) for s, length, _ in problem.shifts())
        costs = {(t.cost_per_agent_shift, t.cost_per_agent_hour) for t in types}
        if columns <= 8 and len(costs) == len(types):
            return problem


@pytest.mark.parametrize("seed", range(20))
def test_priced_shifts_match_brute_force(seed: int) -> None:
    problem = random_priced_problem(seed)
    # no optimal plan staffs a (shift, day) beyond the most agents required in its slots
    truth = brute_force(problem, top=int(problem.required_agents.max()))
    result = design_shifts(problem, time_limit_seconds=20, workers=1, seed=0)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(truth)
    assert result.best_bound == pytest.approx(truth)
    plan = np.zeros((len(problem.shifts()), problem.days), dtype=int)
    index = {(s, length): i for i, (s, length, _) in enumerate(problem.shifts())}
    for row in result.shifts.itertuples():
        for d in range(problem.days):
            plan[index[(int(row.start_slot), int(row.length_slots))], d] = getattr(row, f"day_{d}")
    assert design_objective(problem, plan) == pytest.approx(truth)
    expected_cost = sum(
        plan[i, d] * cost_of_one_agent(problem, s, length, d)
        for i, (s, length, _) in enumerate(problem.shifts())
        for d in range(problem.days)
        if plan[i, d]
    )
    assert result.agent_shift_cost == pytest.approx(expected_cost)


def test_cheapest_cover_is_not_the_fewest_shifts() -> None:
    # two agents 08:00-16:00: one long shift (fewest shifts) or two short ones
    required = [0] * 8 + [2] * 8 + [0] * 8
    long_shift = ShiftType(
        name="long", min_start=8, max_start=8, min_length=8, max_length=8, cost_per_agent_hour=30
    )
    short_shift = ShiftType(
        name="short",
        min_start=8,
        max_start=12,
        start_step=4,
        min_length=4,
        max_length=4,
        cost_per_agent_hour=10,
    )
    free = tuple(replace(t, cost_per_agent_hour=0.0) for t in (long_shift, short_shift))
    unpriced = one_day(required, shift_types=free)
    fewest = design_shifts(unpriced, time_limit_seconds=10, workers=1)
    assert fewest.status is SolveStatus.OPTIMAL
    assert fewest.shifts["shift_type"].tolist() == ["long"]
    assert fewest.objective == pytest.approx(10.0) and fewest.agent_shift_cost == 0

    priced = one_day(required, shift_types=(long_shift, short_shift))
    cheapest = design_shifts(priced, time_limit_seconds=10, workers=1)
    assert cheapest.status is SolveStatus.OPTIMAL
    # 2 x 8 h x 30 + 10 = 490 for the long shift; 4 x 4 h x 10 + 2 x 10 = 180 for the short ones
    assert cheapest.objective == pytest.approx(180.0)
    assert cheapest.agent_shift_cost == pytest.approx(160.0)
    assert cheapest.shifts[["shift_type", "start_time", "day_0"]].values.tolist() == [
        ["short", "08:00", 2],
        ["short", "12:00", 2],
    ]
    assert cheapest.understaffing_agent_minutes == 0 and cheapest.overstaffing_agent_minutes == 0
    assert brute_force(priced, top=2) == pytest.approx(180.0)


def test_agent_shift_cost_takes_the_cheapest_type_of_the_day() -> None:
    weekday = ShiftType(
        name="weekday", min_start=8, max_start=8, min_length=8, max_length=8, cost_per_agent_hour=20
    )
    weekend = replace(
        weekday,
        name="weekend",
        days=frozenset({1}),
        cost_per_agent_shift=15,
        cost_per_agent_hour=25,
    )
    problem = ShiftDesignProblem(
        required_agents=np.zeros(48), slot_minutes=60, days=2, shift_types=(weekday, weekend)
    )
    assert problem.agent_shift_cost(8, 8, 0) == pytest.approx(160.0)
    assert problem.agent_shift_cost(8, 8, 1) == pytest.approx(160.0)  # min(160, 15 + 200)
    only_weekend = ShiftDesignProblem(
        required_agents=np.zeros(48), slot_minutes=60, days=2, shift_types=(weekend,)
    )
    assert only_weekend.agent_shift_cost(8, 8, 1) == pytest.approx(215.0)
    with pytest.raises(ValidationError, match="shift"):
        only_weekend.agent_shift_cost(8, 8, 0)
    with pytest.raises(ValidationError, match=r"agents\[0, 0\]"):
        design_objective(only_weekend, np.array([[1, 0]]))
    assert design_objective(only_weekend, np.array([[0, 2]])) == pytest.approx(2 * 215 + 2 * 8 * 60)


def test_weekday_restricted_types() -> None:
    required = np.zeros(48, dtype=int)
    required[8:16] = 1
    required[24 + 8 : 24 + 16] = 1
    only_first = ShiftType(
        name="day", min_start=8, max_start=8, min_length=8, max_length=8, days=frozenset({0})
    )
    problem = ShiftDesignProblem(
        required_agents=required, slot_minutes=60, days=2, cyclic=False, shift_types=(only_first,)
    )
    assert problem.allowed_days(8, 8) == [0]
    result = design_shifts(problem, time_limit_seconds=10, workers=1)
    assert result.understaffing_agent_minutes == 8 * 60


def test_validation() -> None:
    kind = ShiftType(name="d", min_start=0, max_start=2, min_length=1, max_length=2)
    with pytest.raises(ValidationError, match="required_agents"):
        ShiftDesignProblem(
            required_agents=np.zeros(5), slot_minutes=60, days=1, shift_types=(kind,)
        )
    with pytest.raises(ValidationError, match=r"required_agents\[3\]"):
        ShiftDesignProblem(
            required_agents=np.array([0, 0, 0, 1.5] + [0] * 20),
            slot_minutes=60,
            days=1,
            shift_types=(kind,),
        )
    with pytest.raises(ValidationError, match="slot_minutes"):
        ShiftDesignProblem(
            required_agents=np.zeros(24), slot_minutes=7, days=1, shift_types=(kind,)
        )
    with pytest.raises(ValidationError, match="max_start"):
        ShiftType(name="d", min_start=3, max_start=2, min_length=1, max_length=2)
    with pytest.raises(ValidationError, match="max_length"):
        ShiftType(name="d", min_start=0, max_start=2, min_length=3, max_length=2)
    for cost, value in (("cost_per_agent_hour", -1), ("cost_per_agent_shift", np.nan)):
        with pytest.raises(ValidationError, match=cost):
            replace(kind, **{cost: value})
    late = ShiftType(name="late", min_start=20, max_start=30, min_length=1, max_length=2)
    with pytest.raises(ValidationError, match="max_start"):
        ShiftDesignProblem(
            required_agents=np.zeros(24), slot_minutes=60, days=1, shift_types=(late,)
        )
    with pytest.raises(ValidationError, match="overstaffing_per_agent_minute"):
        ShiftDesignProblem(
            required_agents=np.zeros(24),
            slot_minutes=60,
            days=1,
            shift_types=(kind,),
            overstaffing_per_agent_minute=-1,
        )
    problem = ShiftDesignProblem(
        required_agents=np.zeros(24), slot_minutes=60, days=1, shift_types=(kind,)
    )
    with pytest.raises(ValidationError, match="time_limit_seconds"):
        design_shifts(problem, time_limit_seconds=0)
    with pytest.raises(ValidationError, match="workers"):
        design_shifts(problem, workers=0)
    # nothing to cover: nothing opened
    result = design_shifts(problem, time_limit_seconds=5, workers=1)
    assert result.objective == 0 and result.distinct_shifts == 0 and result.shifts.empty


def test_from_roster_problem() -> None:
    monday = dt.date(2026, 1, 5)
    starts = pd.date_range(pd.Timestamp(monday), periods=2 * 96, freq="15min")
    required = np.where((starts.hour >= 9) & (starts.hour < 17), 1.2, 0.0)
    template = ShiftTemplate(
        name="day",
        earliest_start=dt.time(8),
        latest_start=dt.time(10),
        start_step_minutes=30,
        min_length_minutes=480,
        max_length_minutes=540,
        length_step_minutes=60,
        weekdays=frozenset({0}),
    )
    roster = RosterProblem(
        start_date=monday,
        requirements=pd.DataFrame({"interval_start": starts, "required_scheduled": required}),
        templates=(template,),
        contracts=(Contract(name="c"),),
        agents=(Agent(agent_id="a", contract="c"),),
        days=2,
    )
    design = shift_design_problem_from_roster(roster, cost_per_distinct_shift=1.0)
    assert design.slot_minutes == 15 and design.days == 2 and not design.cyclic
    assert int(design.required_agents.max()) == 2  # 1.2 agents rounded up
    kind = design.shift_types[0]
    assert (kind.min_start, kind.max_start, kind.start_step) == (32, 40, 2)
    assert kind.lengths == (32, 36)
    assert kind.days == frozenset({0})
    result = design_shifts(design, time_limit_seconds=10, workers=1)
    # Monday covered exactly by 2 x 09:00-17:00; Tuesday has no allowed shift
    assert result.shifts["start_time"].tolist() == ["09:00"]
    assert result.understaffing_agent_minutes == 2 * 8 * 60


def _benchmark_module() -> ModuleType:
    path = ROOT / "benchmarks" / "msd_shift_design.py"
    spec = importlib.util.spec_from_file_location("msd_shift_design", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dzn_reader(tmp_path: Path) -> None:
    bench = _benchmark_module()
    path = tmp_path / "tiny.dzn"
    path.write_text(
        "% a comment\ninterval = 60;\ndays = 1;\n"
        "demand = [" + ",".join(["0"] * 8 + ["1"] * 8 + ["0"] * 8) + "];\n"
        "shiftTypes = 1;\nminStart = [6];\nmaxStart = [10];\nminLength = [8];\n"
        "maxLength = [8];\nweightUnderCover = 1;\nweightOverCover = 1;\n"
        "weightShiftInstances = 60;\n",
        encoding="utf-8",
    )
    values = bench.read_dzn(path)
    assert values["interval"] == 60 and values["minStart"] == [6]
    problem = bench.problem_from_dzn(values, "tiny")
    assert problem.n_slots == 24 and problem.cyclic
    assert design_shifts(problem, time_limit_seconds=5, workers=1).objective == pytest.approx(60)


def test_dzn_reader_keeps_fractional_duties_and_refuses_fractional_demand(
    tmp_path: Path,
) -> None:
    # data sets 2 and 3 of the DBAI collection give minDuties as a decimal
    bench = _benchmark_module()
    demand = ["0"] * 8 + ["2"] * 8 + ["0"] * 8
    body = (
        "interval = 60;\ndays = 1;\nshiftTypes = 1;\nminStart = [6];\nmaxStart = [10];\n"
        "minLength = [8];\nmaxLength = [8];\nminDuties = 4.8;\nmaxDuties = 5.2;\n"
        "weightUnderCover = 1;\nweightOverCover = 1;\nweightShiftInstances = 2.5;\n"
    )
    path = tmp_path / "fractional.dzn"
    path.write_text(body + "demand = [" + ",".join(demand) + "];\n", encoding="utf-8")
    values = bench.read_dzn(path)
    assert values["minDuties"] == 4.8 and isinstance(values["minDuties"], float)
    assert values["maxDuties"] == 5.2 and values["interval"] == 60
    problem = bench.problem_from_dzn(values, "fractional")
    assert problem.cost_per_distinct_shift == 2.5
    assert design_shifts(problem, time_limit_seconds=5, workers=1).objective == pytest.approx(2.5)
    demand[10] = "1.5"
    path.write_text(body + "demand = [" + ",".join(demand) + "];\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"demand\[10\].*1\.5.*whole number"):
        bench.problem_from_dzn(bench.read_dzn(path), "fractional")
    path.write_text(body + "demand = [1, x];\n", encoding="utf-8")
    with pytest.raises(DataError, match="demand"):
        bench.read_dzn(path)


@pytest.mark.skipif(
    not (MSD_DATA / "RandomExample1.dzn").exists(),
    reason="minimum shift design data (../shared/data/msd_shift_design) not present",
)
def test_random_example_1_reaches_its_optimum() -> None:
    bench = _benchmark_module()
    optima = bench.known_optima(MSD_DATA / "README.md")
    assert optima["RandomExample1"] == 480
    problem = bench.problem_from_dzn(bench.read_dzn(MSD_DATA / "RandomExample1.dzn"))
    assert problem.slot_minutes == 60 and problem.n_slots == 168
    result = design_shifts(problem, time_limit_seconds=60, workers=2, seed=0)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(480)
    assert result.distinct_shifts == 8
    plan = np.array([[row[f"day_{d}"] for d in range(7)] for row in _plan_rows(problem, result)])
    assert design_objective(problem, plan) == pytest.approx(480)


def _plan_rows(problem: ShiftDesignProblem, result: ShiftDesignResult) -> list[dict[str, int]]:
    """Rows of a full plan (every distinct shift of the problem) from a result."""
    used = {(int(r.start_slot), int(r.length_slots)): r for r in result.shifts.itertuples()}
    rows = []
    for start, length, _ in problem.shifts():
        r = used.get((start, length))
        rows.append({f"day_{d}": 0 if r is None else int(getattr(r, f"day_{d}")) for d in range(7)})
    return rows


def test_module_docstring_example() -> None:
    import doctest

    import wfm.roster.bounds.shift_design

    outcome = doctest.testmod(wfm.roster.bounds.shift_design)
    assert outcome.attempted > 0 and outcome.failed == 0
