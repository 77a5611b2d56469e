"""``wfm intraday``: reforecast the rest of a day and re-place the breaks of published shifts.

Usage::

    wfm intraday examples/contact_center/scenario.yaml --published out/ \\
        --actual examples/intraday/actual.csv --now "2027-01-06 12:00" -o out_intraday/

Reads the scenario (its forecast), the published ``roster.csv`` and
``breaks.csv``, and the calls seen so far (``--actual``: ``interval_start``,
``calls``); reforecasts the rest of ``--now``'s day with
:func:`wfm.intraday.reforecast` (``--damping``, default: the validated rule
:func:`wfm.intraday.default_damping`), recomputes its
requirements with the scenario's service policy, re-places the breaks of the
published shifts with :func:`wfm.intraday.replace_breaks` (no shift moves, no
break moves before ``--now`` or outside its window) and writes
``roster.csv`` (unchanged), ``breaks.csv``, ``changes.csv`` (the shifts whose
breaks moved), ``coverage_before.csv`` and ``coverage_after.csv`` (against
the revised requirements) and ``suggestions.csv`` into ``-o``: overtime
extensions where the re-placed breaks still leave the rest of the day short
and voluntary time off where they leave a whole agent over
(:func:`wfm.intraday.suggest_vto_ot`, ``--max-extension`` minutes).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.cli.checks import check_output_dir
from wfm.errors import ValidationError
from wfm.timegrid import stamp_text

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``intraday`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "intraday",
        help="reforecast the rest of the day and re-place breaks of the published shifts",
        description=(
            "Reforecast the rest of a day from the calls seen so far and re-place the breaks "
            "and lunches of the published shifts within their windows (shifts never move)."
        ),
    )
    parser.add_argument("scenario", metavar="SCENARIO.yaml", help="scenario file")
    parser.add_argument("--published", required=True, metavar="DIR", help="roster.csv, breaks.csv")
    parser.add_argument("--actual", required=True, metavar="CSV", help="interval_start, calls")
    parser.add_argument("--now", required=True, metavar="'YYYY-MM-DD HH:MM'")
    parser.add_argument(
        "--damping",
        type=float,
        default=None,
        metavar="D",
        help="share of the observed deviation carried into the rest of the day, in [0, 1] "
        "(default: grows with the share of the day's calls seen, see wfm.intraday)",
    )
    parser.add_argument(
        "--max-extension",
        type=int,
        default=60,
        metavar="MIN",
        help="longest overtime extension suggested, in minutes (default 60)",
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR")
    parser.add_argument("--time-limit", type=float, default=20.0, metavar="S")
    parser.add_argument("--workers", type=int, default=1, metavar="N")
    parser.add_argument("--seed", type=int, default=0, metavar="K")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``wfm intraday``; see the module docstring."""
    from wfm.intraday import reforecast, replace_breaks, suggest_vto_ot
    from wfm.roster.options import SolverOptions
    from wfm.roster.problem import requirements_from_staffing
    from wfm.roster.published import read_published
    from wfm.scenario import load_scenario
    from wfm.staffing import requirements

    out = Path(args.output)
    check_output_dir(out, option="-o")
    try:
        now = pd.Timestamp(args.now)
    except ValueError:
        raise ValidationError("--now", args.now, 'a date-time "YYYY-MM-DD HH:MM"') from None
    published_dir = Path(args.published)
    if not (published_dir / "roster.csv").is_file():
        raise ValidationError("--published", str(published_dir), "a directory with roster.csv")
    scenario = load_scenario(args.scenario)
    pipeline = scenario.pipeline()
    if pipeline.forecast is None or scenario.service is None:
        raise ValidationError(
            "scenario", args.scenario, "a scenario with a forecast and a service section"
        )
    actual = pd.read_csv(args.actual)
    revised = reforecast(pipeline.forecast, actual, now=now, damping=args.damping)
    staffing = requirements(revised.drop(columns=["calls_forecast"]), policy=scenario.service)
    table = requirements_from_staffing(staffing, fractional=scenario.fractional_requirements)
    roster = pd.read_csv(published_dir / "roster.csv", dtype={"agent_id": str})
    breaks = pd.read_csv(published_dir / "breaks.csv", dtype={"agent_id": str})
    published = read_published(roster, breaks, time_zone=scenario.time_zone)
    options = SolverOptions(
        time_limit_seconds=args.time_limit, workers=args.workers, seed=args.seed
    )
    outcome = replace_breaks(
        pipeline.problem, published, roster, breaks, requirements=table, now=now, options=options
    )
    suggestions = suggest_vto_ot(
        outcome.problem,
        outcome.result.roster,
        outcome.result.breaks,
        now=now,
        max_extension_minutes=args.max_extension,
    )
    out.mkdir(parents=True, exist_ok=True)
    for frame, name in (
        (outcome.result.roster, "roster.csv"),
        (outcome.result.breaks, "breaks.csv"),
        (outcome.changes, "changes.csv"),
        (outcome.before, "coverage_before.csv"),
        (outcome.after, "coverage_after.csv"),
        (suggestions, "suggestions.csv"),
    ):
        stamp_text(frame).to_csv(out / name, index=False)
    end = now.normalize() + pd.Timedelta(days=1)
    before, after = outcome.understaffing_agent_hours(start=now, end=end)
    vto = suggestions[suggestions["kind"] == "vto"]
    ot = suggestions[suggestions["kind"] != "vto"]
    print(
        f"observed/forecast {revised.attrs['observed_ratio']:.3f}, factor "
        f"{revised.attrs['factor']:.3f} (damping {revised.attrs['damping']:.2f})\n"
        f"breaks moved {outcome.summary.breaks_moved} on "
        f"{len(outcome.changes)} shifts (no shift moved)\n"
        f"under-staffing {now:%H:%M}-24:00: {before:.2f} -> {after:.2f} agent-hours\n"
        f"suggested: {len(ot)} overtime extensions removing "
        f"{ot['understaffing_removed_agent_hours'].sum():.2f} agent-hours short, "
        f"{len(vto)} voluntary time off ({vto['minutes'].sum() / 60:.2f} hours)\n"
        f"output {out}"
    )
    print(
        f"wrote roster.csv, breaks.csv, changes.csv, coverage_*.csv, suggestions.csv to {out}",
        file=sys.stderr,
    )
    return 0
