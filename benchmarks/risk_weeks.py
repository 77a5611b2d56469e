"""Share of simulated weeks meeting the target, with and without the risk option.

Rosters the example scenario (``examples/contact_center/scenario.yaml``,
CP-SAT with a fixed seed, one worker and a deterministic-time limit, so the
same roster on every run) plainly and with :func:`wfm.risk.roster_for_share`
at the asked share, then simulates both rosters again with a different seed
(an independent check of the share the loop reports) and prints the share
of weeks meeting the target with its Wilson 95 % interval, the mean weekly
service level and the paid hours of each, the rounds, and the load average.

Usage::

    python benchmarks/risk_weeks.py --share 0.9 --replications 40 --check-replications 100
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import wfm
from wfm.risk import RiskTarget, roster_for_share, simulate_roster

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "contact_center" / "scenario.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--share", type=float, default=0.9)
    parser.add_argument("--period", choices=("week", "day"), default="week")
    parser.add_argument("--replications", type=int, default=40)
    parser.add_argument("--check-replications", type=int, default=100)
    parser.add_argument("--check-seed", type=int, default=1000)
    parser.add_argument("--day-volume-cv", type=float, default=0.0)
    parser.add_argument("--max-rounds", type=int, default=4)
    parser.add_argument("--deterministic-time", type=float, default=5.0)
    args = parser.parse_args()

    scenario = wfm.load_scenario(SCENARIO)
    problem = scenario.build_problem()
    options = wfm.SolverOptions(
        time_limit_seconds=120, workers=1, seed=0, max_deterministic_time=args.deterministic_time
    )
    target = RiskTarget(
        share=args.share,
        period=args.period,
        replications=args.replications,
        max_rounds=args.max_rounds,
        seed=0,
        day_volume_cv=args.day_volume_cv,
    )
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    result = roster_for_share(
        problem,
        target,
        options=options,
        on_round=lambda r: print(
            f"  round {r.round}: share {100 * r.share:.0f}% "
            f"[{100 * r.share_interval[0]:.0f}%, {100 * r.share_interval[1]:.0f}%], "
            f"SL {100 * r.service_level:.1f}%, paid {r.paid_hours:,.1f} h, "
            f"required {r.required_agent_hours:,.1f} agent-h, raising {r.raised_intervals}",
            flush=True,
        ),
    )
    wall = time.perf_counter() - started
    check = RiskTarget(
        share=args.share,
        period=args.period,
        replications=args.check_replications,
        day_volume_cv=args.day_volume_cv,
    )
    print(
        f"check: {args.check_replications} replications from seed {args.check_seed}, "
        f"target {100 * (problem.service.level or 0):.0f}% per {args.period}, "
        f"day volume cv {args.day_volume_cv:g}"
    )
    print(f"| roster | share of {args.period}s meeting target [95%] | weekly SL | paid hours |")
    print("|---|---|---|---|")
    for name, roster, prob in (
        ("plain", result.plain, problem),
        (f"share {args.share:g} ({len(result.rounds) - 1} raises)", result.roster, result.problem),
    ):
        s = simulate_roster(prob, roster, check, seed=args.check_seed).summary
        if args.period == "week":
            share, ci = s.share_of_weeks_meeting_target, s.share_of_weeks_meeting_target_interval
        else:
            share, ci = s.share_of_days_meeting_target, s.share_of_days_meeting_target_interval
        assert share is not None and ci is not None
        print(
            f"| {name} | {100 * share:.0f}% [{100 * ci[0]:.0f}%, {100 * ci[1]:.0f}%] "
            f"| {100 * s.service_level[0]:.1f}% | {roster.summary.paid_hours:,.1f} |"
        )
    print(
        f"met: {result.met}; loop wall time {wall:.0f} s; load average {load_before:.2f} "
        f"before, {os.getloadavg()[0]:.2f} after"
    )


if __name__ == "__main__":
    main()
