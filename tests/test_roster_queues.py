"""Rostering several queues: allocation, each agent counted once, e-mail backlog, outbound.

Tiny instances (one day, one-hour grid, 1-3 agents on fixed shifts) whose
answers follow by hand from the queues' requirements; the problem with one
voice queue given as a queue set is checked against the same problem
without queues.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pytest
from roster_helpers import MONDAY, break_rule, contract, requirement_frame, template, tiny_problem

from wfm.errors import DataError, ValidationError
from wfm.queues import CallingWindow, Channel, Queue, QueueSet, Skill
from wfm.roster.bounds.lp import lower_bound, queue_relaxation
from wfm.roster.checker import check_queue_allocation
from wfm.roster.model import build_model
from wfm.roster.options import SolverOptions
from wfm.roster.problem import Agent, RosterProblem, ShiftTemplate, Weights
from wfm.roster.queues_model import calling_days, hint_allocation
from wfm.roster.report import QUEUE_COVERAGE_COLUMNS
from wfm.roster.result import RosterResult
from wfm.roster.search.cpsat import SolutionTracker, add_hint, complete_hint
from wfm.roster.search.greedy import greedy_start
from wfm.roster.solve import solve
from wfm.service import ServicePolicy
from wfm.status import SolveStatus

POLICY = ServicePolicy(level=0.8, answer_within_seconds=20)
HOURS = 24
OPTIONS = SolverOptions(time_limit_seconds=5.0, workers=1, seed=1)


def voice(name: str) -> Queue:
    return Queue(name=name, channel=Channel.VOICE, service=POLICY)


def email(name: str = "mail", *, response_hours: float = 4.0) -> Queue:
    return Queue(name=name, channel=Channel.EMAIL, response_hours=response_hours)


def profile(spans: Sequence[tuple[int, int, float]]) -> np.ndarray:
    """Per hour of one day: ``value`` in each ``[first, end)`` span."""
    out = np.zeros(HOURS)
    for first, end, value in spans:
        out[first:end] += value
    return out


def queue_table(
    required: Mapping[str, np.ndarray], work: Mapping[str, np.ndarray] | None = None
) -> pd.DataFrame:
    """The queue requirements layout, built by hand: one row per hour and queue."""
    starts = pd.date_range(pd.Timestamp(MONDAY), periods=HOURS, freq="h")
    frames = []
    for name, values in required.items():
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": starts,
                    "queue": name,
                    "required_scheduled": values,
                    "work_scheduled_agent_hours": 0.0,
                }
            )
        )
    for name, values in (work or {}).items():
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": starts,
                    "queue": name,
                    "required_scheduled": 0.0,
                    "work_scheduled_agent_hours": values,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def agent(agent_id: str, queues: Sequence[str] | None, templates: Sequence[str]) -> Agent:
    skills = None if queues is None else tuple(Skill(queue=q) for q in queues)
    return Agent(agent_id=agent_id, contract="full", templates=tuple(templates), skills=skills)


def problem_with_queues(
    queues: Sequence[Queue],
    table: pd.DataFrame,
    agent_list: Sequence[Agent],
    *,
    starts: Mapping[str, tuple[str, float]],
    must_work: bool = False,
    weights: Weights | None = None,
    templates: Sequence[ShiftTemplate] | None = None,
) -> RosterProblem:
    """One Monday on a 1-hour grid; ``starts``: template name -> (start, hours)."""
    if templates is None:
        templates = [template(name, earliest=s, length_hours=h) for name, (s, h) in starts.items()]
    return RosterProblem(
        start_date=MONDAY,
        templates=tuple(templates),
        contracts=(contract(min_days_per_week=1 if must_work else 0),),
        agents=tuple(agent_list),
        days=1,
        interval_minutes=60,
        weights=weights or Weights(),
        queues=QueueSet(queues=tuple(queues)),
        queue_requirements=table,
    )


def solved(problem: RosterProblem) -> RosterResult:
    result = solve(problem, OPTIONS)
    assert result.status == SolveStatus.OPTIMAL
    assert result.coverage_by_queue is not None
    return result


def queue_rows(result: RosterResult, queue: str) -> pd.DataFrame:
    table = result.coverage_by_queue
    assert table is not None
    return table[table["queue"] == queue].reset_index(drop=True)


def start_hour(result: RosterResult, agent_id: str) -> int:
    rows = result.roster[result.roster["agent_id"] == agent_id]
    assert len(rows) == 1
    return int(pd.Timestamp(rows["start"].iloc[0]).hour)


# -- allocation ---------------------------------------------------------------------


def generalist_problem() -> RosterProblem:
    """q1's specialist covers 08-16, q2's only 08-12; the generalist starts 08:00 or 12:00."""
    table = queue_table({"q1": profile([(8, 16, 1)]), "q2": profile([(8, 16, 1)])})
    return problem_with_queues(
        [voice("q1"), voice("q2")],
        table,
        [
            agent("s1", ["q1"], ["long"]),
            agent("s2", ["q2"], ["early"]),
            agent("g", None, ["early", "late"]),
        ],
        starts={"long": ("08:00", 8), "early": ("08:00", 4), "late": ("12:00", 4)},
    )


def test_a_generalist_covers_the_specialist_gap() -> None:
    # q1's specialist covers 08-16, q2's only 08-12; the generalist may start at
    # 08:00 or 12:00 (4 h): only 12:00 on q2 leaves nothing short
    result = solved(generalist_problem())
    assert start_hour(result, "g") == 12
    q2 = queue_rows(result, "q2")
    assert q2["coverage_scheduled"].iloc[8:16].tolist() == [1.0] * 8
    assert result.summary.understaffing_agent_hours == pytest.approx(0.0)
    # 16 paid hours at cost 1, nothing short, nothing over
    assert result.objective == pytest.approx(16.0)
    assert result.summary.queues is not None
    assert result.summary.queues["q2"]["understaffing_agent_hours"] == pytest.approx(0.0)
    assert list(result.coverage_by_queue.columns) == list(QUEUE_COVERAGE_COLUMNS)  # type: ignore[union-attr]


def one_generalist_two_queues() -> RosterProblem:
    """One generalist who must work 08-12, one agent required on each of two queues then."""
    table = queue_table({"q1": profile([(8, 12, 1)]), "q2": profile([(8, 12, 1)])})
    return problem_with_queues(
        [voice("q1"), voice("q2")],
        table,
        [agent("g", None, ["early"])],
        starts={"early": ("08:00", 4)},
        must_work=True,
    )


def test_each_agent_counts_once_per_interval() -> None:
    # one generalist 08-12 and one agent required on each of two queues: 4 short, not 0
    problem = one_generalist_two_queues()
    result = solved(problem)
    by_queue = result.coverage_by_queue
    assert by_queue is not None
    per_interval = by_queue.groupby("interval_start")["coverage_scheduled"].sum().to_numpy()
    np.testing.assert_allclose(per_interval, result.coverage["coverage_scheduled"].to_numpy())
    assert result.summary.understaffing_agent_hours == pytest.approx(4.0)
    queues = result.summary.queues
    assert queues is not None
    short = queues["q1"]["understaffing_agent_hours"] + queues["q2"]["understaffing_agent_hours"]  # type: ignore[operator]
    assert short == pytest.approx(4.0)
    # and the LP bound of the relaxation is no more than what the roster proves possible
    assert result.lower_bound is not None
    assert result.lower_bound.understaffing_agent_hours <= 4.0 + 1e-6
    assert result.best_bound is not None and result.objective is not None
    assert result.best_bound <= result.objective + 1e-6


def test_the_greedy_start_is_completed_with_the_allocation_solved() -> None:
    problem = generalist_problem()
    rm = build_model(problem)
    tracker = SolutionTracker(time.perf_counter(), None, None)
    completed = greedy_start(rm, OPTIONS, started=time.perf_counter(), tracker=tracker)
    assert completed is not None
    assert completed >= solved(problem).objective - 1e-6  # type: ignore[operator]


def test_a_hinted_roster_gets_the_best_allocation_for_its_shifts() -> None:
    # the email instance beyond its deadline: one shift, so the completion is the optimum
    problem = email_problem("14:00")
    rm = build_model(problem)
    add_hint(rm, {0: list(rm.x[0])})
    assert hint_allocation(rm)
    completed = complete_hint(rm, time_limit=5.0, seed=1, deterministic_time=None)
    assert completed == pytest.approx(solved(problem).objective)


def test_lexicographic_solve_holds_the_least_shortage_with_queues() -> None:
    result = solve(generalist_problem(), dataclasses.replace(OPTIONS, lexicographic=True))
    assert result.status.has_solution
    assert result.summary.understaffing_agent_hours == pytest.approx(0.0)


def test_checker_flags_an_agent_counted_twice() -> None:
    problem = one_generalist_two_queues()
    result = solved(problem)
    assert result.coverage_by_queue is not None
    assert check_queue_allocation(
        problem, result.roster, result.breaks, result.coverage_by_queue
    ).empty
    doubled = result.coverage_by_queue.copy()
    doubled.loc[
        doubled["interval_start"] == pd.Timestamp(f"{MONDAY} 09:00"), "coverage_scheduled"
    ] = 1.0
    found = check_queue_allocation(problem, result.roster, result.breaks, doubled)
    assert found["rule"].tolist() == ["queue_allocation"]
    assert found["amount"].iloc[0] == pytest.approx(1.0)


def test_skills_limit_the_allocation() -> None:
    # the only agent serves q1; q2's requirement stays short however idle the agent is
    table = queue_table({"q1": profile([(8, 10, 1)]), "q2": profile([(10, 12, 1)])})
    problem = problem_with_queues(
        [voice("q1"), voice("q2")],
        table,
        [agent("s1", ["q1"], ["early"])],
        starts={"early": ("08:00", 4)},
        must_work=True,
    )
    result = solved(problem)
    q2 = queue_rows(result, "q2")
    assert q2["coverage_scheduled"].sum() == 0.0
    assert result.summary.understaffing_agent_hours == pytest.approx(2.0)
    assert check_queue_allocation(
        problem,
        result.roster,
        result.breaks,
        result.coverage_by_queue,  # type: ignore[arg-type]
    ).empty


# -- e-mail backlog -------------------------------------------------------------------


def email_problem(shift_start: str, *, arrives: int = 8) -> RosterProblem:
    work = np.zeros(HOURS)
    work[arrives] = 1.0  # one agent-hour of e-mail arrives 08:00-09:00
    return problem_with_queues(
        [email(response_hours=4.0)],
        queue_table({}, {"mail": work}),
        [agent("m", ["mail"], ["shift"])],
        starts={"shift": (shift_start, 4)},
        must_work=True,
    )


def test_email_worked_later_within_its_deadline_is_not_late() -> None:
    # due by 13:00 (4 h from the end of its arrival hour); the agent works 10-14
    result = solved(email_problem("10:00"))
    mail = queue_rows(result, "mail")
    assert mail["late_agent_hours"].sum() == pytest.approx(0.0)
    assert mail["coverage_scheduled"].iloc[10:13].sum() == pytest.approx(1.0)
    figures = result.summary.queues["mail"]  # type: ignore[index]
    assert figures["late_agent_hours"] == pytest.approx(0.0)
    assert figures["backlog_end_agent_hours"] == pytest.approx(0.0)
    # 4 paid hours and 3 idle hours at the over-staffing weight 5
    assert result.objective == pytest.approx(4.0 + 3 * 5.0)


def test_email_beyond_its_deadline_is_late_by_hand() -> None:
    # the agent works 14-18: the work due by 13:00 is overdue at the end of
    # 12:00-13:00 and 13:00-14:00 (1 agent-hour each), done in 14:00-15:00
    result = solved(email_problem("14:00"))
    mail = queue_rows(result, "mail")
    np.testing.assert_allclose(mail["late_agent_hours"].iloc[11:16], [0.0, 1.0, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(mail["backlog_agent_hours"].iloc[7:16], [0, 1, 1, 1, 1, 1, 1, 0, 0])
    figures = result.summary.queues["mail"]  # type: ignore[index]
    assert figures["late_agent_hours"] == pytest.approx(1.0)
    assert figures["overdue_agent_hour_hours"] == pytest.approx(2.0)
    # 4 paid hours, 3 idle hours at 5, 2 overdue agent-hour-hours at 10
    assert result.objective == pytest.approx(4.0 + 3 * 5.0 + 2 * 10.0)


def test_email_is_not_worked_before_it_arrives() -> None:
    # work arrives 12:00-13:00, after the agent's 08-12 shift: nothing can be done
    result = solved(email_problem("08:00", arrives=12))
    mail = queue_rows(result, "mail")
    assert mail["coverage_scheduled"].sum() == 0.0
    assert result.summary.queues["mail"]["backlog_end_agent_hours"] == pytest.approx(1.0)  # type: ignore[index]


# -- outbound -------------------------------------------------------------------------


def outbound_problem(window: tuple[str, str], hours_per_day: float) -> RosterProblem:
    out = Queue(
        name="out",
        channel=Channel.OUTBOUND,
        outbound_hours_per_day=hours_per_day,
        calling_windows=(
            CallingWindow(
                weekday=MONDAY.weekday(),
                start=dt.time.fromisoformat(window[0]),
                end=dt.time.fromisoformat(window[1]),
            ),
        ),
    )
    return problem_with_queues(
        [voice("q1"), out],
        queue_table({"q1": profile([(8, 12, 1)])}),
        [agent("b", ["q1", "out"], ["day"])],
        starts={"day": ("08:00", 8)},
        must_work=True,
    )


def test_outbound_target_met_inside_the_calling_window_only() -> None:
    result = solved(outbound_problem(("14:00", "16:00"), 2.0))
    out = queue_rows(result, "out")
    assert out["coverage_scheduled"].tolist()[12:16] == [0.0, 0.0, 1.0, 1.0]
    assert out["coverage_scheduled"].sum() == pytest.approx(2.0)
    figures = result.summary.queues["out"]  # type: ignore[index]
    assert figures["outbound_hours"] == pytest.approx(2.0)
    assert figures["outbound_shortfall_agent_hours"] == pytest.approx(0.0)
    # 8 paid hours; 12:00-14:00 idle on q1 (over-staffed 2 agent-hours at 5)
    assert result.objective == pytest.approx(8.0 + 2 * 5.0)


def test_outbound_short_when_the_window_is_too_narrow() -> None:
    result = solved(outbound_problem(("15:00", "16:00"), 2.0))
    figures = result.summary.queues["out"]  # type: ignore[index]
    assert figures["outbound_hours"] == pytest.approx(1.0)
    assert figures["outbound_shortfall_agent_hours"] == pytest.approx(1.0)
    # 8 paid, 3 hours over on q1 at 5, 1 hour short of the target at 20
    assert result.objective == pytest.approx(8.0 + 3 * 5.0 + 20.0)


def test_outbound_target_holds_only_on_days_with_a_calling_window() -> None:
    problem = outbound_problem(("14:00", "16:00"), 2.0)
    out = problem.queues.queue("out")  # type: ignore[union-attr]
    assert calling_days(problem, out) == [0]
    tuesday_only = dataclasses.replace(
        out,
        calling_windows=(
            CallingWindow(weekday=(MONDAY.weekday() + 1) % 7, start=dt.time(14), end=dt.time(16)),
        ),
    )
    queues = dataclasses.replace(
        problem.queues,
        queues=(problem.queues.queues[0], tuesday_only),  # type: ignore[union-attr]
    )
    quiet = dataclasses.replace(problem, queues=queues)
    assert calling_days(quiet, tuesday_only) == []
    figures = solved(quiet).summary.queues["out"]  # type: ignore[index]
    assert figures["outbound_target_hours"] == 0.0
    assert figures["outbound_shortfall_agent_hours"] == 0.0


# -- one queue: today's model -----------------------------------------------------------


def test_one_voice_queue_as_a_queue_set_solves_as_without_queues() -> None:
    required = np.zeros(2 * HOURS)
    required[7:13] = 1.0
    required[9:17] = required[9:17] + 1.0
    required[24 + 10 : 24 + 20] = 1.5
    calls = np.where(required > 0, 40.0, 0.0)
    plain = tiny_problem(
        days=2,
        required=required,
        templates=[template("e", earliest="07:00", latest="10:00", length_hours=6)],
        agent_list=[Agent(agent_id=f"a{i}", contract="full") for i in range(3)],
        contracts=[contract()],
        service=POLICY,
    )
    plain = dataclasses.replace(
        plain, requirements=plain.requirements.assign(calls=calls, aht_seconds=180.0)
    )
    table = requirement_frame(MONDAY, required, 60).assign(
        queue="v", work_scheduled_agent_hours=0.0, calls=calls, aht_seconds=180.0
    )
    with_queue = dataclasses.replace(
        plain,
        requirements=pd.DataFrame(),
        queues=QueueSet(queues=(voice("v"),)),
        queue_requirements=table,
    )
    np.testing.assert_allclose(with_queue.required_scheduled, plain.required_scheduled)
    a = solve(plain, OPTIONS)
    b = solve(with_queue, OPTIONS)
    assert a.status == b.status == SolveStatus.OPTIMAL
    assert b.objective == pytest.approx(a.objective)
    assert b.summary.understaffing_agent_hours == pytest.approx(a.summary.understaffing_agent_hours)
    assert a.lower_bound is not None and b.lower_bound is not None
    assert b.lower_bound.understaffing_agent_hours == pytest.approx(
        a.lower_bound.understaffing_agent_hours
    )
    assert a.coverage_by_queue is None
    assert "queues" not in a.summary.to_dict()
    # the queue's service, from its own policy on its allocated agents, is the one-queue figure
    assert b.coverage_by_queue is not None
    np.testing.assert_allclose(
        b.coverage_by_queue["service_level"].to_numpy(dtype=float),
        a.coverage["service_level"].to_numpy(dtype=float),
        equal_nan=True,
    )
    assert np.isfinite(a.coverage["service_level"]).sum() == (calls > 0).sum()


def test_relaxation_drops_email_and_sums_the_interval_queues() -> None:
    work = np.zeros(HOURS)
    work[8] = 3.0
    table = queue_table({"q1": profile([(8, 12, 1)]), "q2": profile([(9, 10, 2)])}, {"mail": work})
    problem = problem_with_queues(
        [voice("q1"), voice("q2"), email()],
        table,
        [agent("g", None, ["early"])],
        starts={"early": ("08:00", 4)},
    )
    # the heuristics' requirement counts the e-mail as it arrives, the bound's does not
    np.testing.assert_allclose(
        problem.required_scheduled, profile([(8, 12, 1), (9, 10, 2), (8, 9, 3)])
    )
    relaxed = queue_relaxation(problem)
    assert relaxed.queues is None
    np.testing.assert_allclose(relaxed.required_scheduled, profile([(8, 12, 1), (9, 10, 2)]))
    result = solved(problem)
    bound = lower_bound(problem)
    assert bound.understaffing_agent_hours <= result.summary.understaffing_agent_hours + 1e-6  # type: ignore[operator]


def test_written_outputs_hold_the_queue_table(tmp_path: pytest.TempPathFactory) -> None:
    problem = one_generalist_two_queues()
    result = solved(problem)
    result.write(tmp_path)  # type: ignore[arg-type]
    written = pd.read_csv(tmp_path / "coverage_by_queue.csv")  # type: ignore[operator]
    assert list(written.columns) == list(QUEUE_COVERAGE_COLUMNS)
    assert len(written) == 2 * HOURS
    summary = json.loads((tmp_path / "summary.json").read_text())  # type: ignore[operator]
    assert set(summary["queues"]) == {"q1", "q2", "(idle)"}


# -- validation -------------------------------------------------------------------------


def base_kwargs() -> dict[str, object]:
    return {
        "start_date": MONDAY,
        "templates": (template("early", earliest="08:00", length_hours=4),),
        "contracts": (contract(),),
        "agents": (agent("g", None, ["early"]),),
        "days": 1,
        "interval_minutes": 60,
        "queues": QueueSet(queues=(voice("q1"), voice("q2"))),
    }


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"queue_requirements": queue_table({"q3": profile([])})}, DataError, "queue"),
        (
            {"queue_requirements": queue_table({"q1": profile([])}).drop(columns="queue")},
            DataError,
            "queue_requirements",
        ),
        (
            {"queue_requirements": pd.concat([queue_table({"q1": profile([])})] * 2)},
            DataError,
            "interval_start",
        ),
        (
            {"queue_requirements": queue_table({"q1": profile([(3, 4, -1)])})},
            DataError,
            "required_scheduled",
        ),
        (
            {
                "queue_requirements": queue_table({"q1": profile([])}),
                "agents": (agent("g", ["q9"], ["early"]),),
            },
            ValidationError,
            "skills",
        ),
        (
            {
                "queue_requirements": queue_table({"q1": profile([])}),
                "requirements": requirement_frame(MONDAY, profile([]), 60),
            },
            ValidationError,
            "requirements",
        ),
        ({"queue_requirements": None}, ValidationError, "queue_requirements"),
    ],
)
def test_bad_queue_inputs_are_named(
    change: dict[str, object], error: type[Exception], field: str
) -> None:
    kwargs = {**base_kwargs(), **change}
    with pytest.raises(error) as caught:
        RosterProblem(**kwargs)  # type: ignore[arg-type]
    assert field in str(caught.value)
    assert "\n" not in str(caught.value)


def test_outbound_queues_have_no_requirement_rows() -> None:
    kwargs = base_kwargs()
    kwargs["queues"] = QueueSet(
        queues=(
            voice("q1"),
            Queue(name="out", channel=Channel.OUTBOUND, outbound_hours_per_day=1.0),
        )
    )
    kwargs["queue_requirements"] = queue_table({"out": profile([])})
    with pytest.raises(DataError, match="outbound"):
        RosterProblem(**kwargs)  # type: ignore[arg-type]


def test_queue_requirements_without_queues_are_refused() -> None:
    kwargs = base_kwargs()
    kwargs["queues"] = None
    kwargs["requirements"] = requirement_frame(MONDAY, profile([]), 60)
    kwargs["queue_requirements"] = queue_table({"q1": profile([])})
    with pytest.raises(ValidationError, match="queue_requirements"):
        RosterProblem(**kwargs)  # type: ignore[arg-type]


def test_breaks_of_several_skill_groups_keep_each_group_exact() -> None:
    # every shift takes a one-hour break; with two skill groups breaks are placed per
    # agent, so the allocation always matches who is on the phone in the written tables
    table = queue_table({"q1": profile([(8, 16, 1)]), "q2": profile([(9, 15, 1)])})
    lunch = break_rule("lunch", minutes=60, window=(120, 300))
    templates = (
        template("long", earliest="08:00", length_hours=8, breaks=[lunch]),
        template("mid", earliest="09:00", length_hours=6, breaks=[lunch]),
    )
    problem = problem_with_queues(
        [voice("q1"), voice("q2")],
        table,
        [agent("s1", ["q1"], ["long"]), agent("g1", None, ["mid"]), agent("g2", None, ["mid"])],
        starts={},
        templates=templates,
    )
    result = solved(problem)
    by_queue = result.coverage_by_queue
    assert by_queue is not None
    assert check_queue_allocation(problem, result.roster, result.breaks, by_queue).empty
    per_interval = by_queue.groupby("interval_start")["coverage_scheduled"].sum().to_numpy()
    np.testing.assert_allclose(per_interval, result.coverage["coverage_scheduled"].to_numpy())
    # s1 alone on q1 leaves its lunch hour short unless a generalist covers it
    q1 = queue_rows(result, "q1")
    assert q1["coverage_scheduled"].iloc[8:16].min() >= 1.0 - 1e-9
