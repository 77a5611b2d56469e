"""``wfm reroster``: change a published roster as little as the changes require.

Usage::

    wfm reroster examples/contact_center/scenario.yaml --published out/ \\
        --changes examples/reroster/changes.yaml -o out_rerostered/

Reads the scenario (its demand gives the published requirements), the
published ``roster.csv`` and ``breaks.csv`` from ``--published``, and the
changes file (:mod:`wfm.scenario.changes`: absences, new time off, agents
joining and leaving, revised requirements, locks, change prices); re-rosters
with :func:`wfm.roster.changes.reroster`; writes ``roster.csv``,
``breaks.csv``, ``coverage.csv``, ``violations.csv``, ``summary.json`` (with a
``changes`` section) and ``changes.csv`` (:data:`wfm.roster.changes.CHANGE_COLUMNS`)
into ``-o``, and prints a summary: shifts added, removed and moved, breaks
moved, paid hours changed, agents touched, and the new roster's service.
``--lock-before DATE`` adds to the file's locks. The LP lower bound of
``wfm roster`` is not computed (a re-roster is judged against the published
roster, and the bound would cost seconds). Exit codes are those of
``wfm roster``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.cli.checks import check_output_dir
from wfm.cli.roster import EXIT_CODES
from wfm.errors import ValidationError
from wfm.timegrid import stamp_text

__all__ = ["register", "run"]

_OUTPUT_FILES = (
    "roster.csv",
    "breaks.csv",
    "coverage.csv",
    "violations.csv",
    "summary.json",
    "changes.csv",
)


def register(subparsers: Any) -> None:
    """Add the ``reroster`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "reroster",
        help="re-roster a published roster after absences and other changes, minimal change",
        description=(
            "Re-roster a published roster (roster.csv and breaks.csv of a wfm roster run) "
            "after the changes of a YAML file (absences, time off, agents joining or "
            "leaving, revised requirements), keeping locked days exactly and pricing every "
            "other change; writes the new roster and changes.csv into OUTDIR."
        ),
    )
    parser.add_argument("scenario", metavar="SCENARIO.yaml", help="scenario file")
    parser.add_argument(
        "--published",
        required=True,
        metavar="DIR",
        help="directory holding the published roster.csv and breaks.csv",
    )
    parser.add_argument(
        "--changes", default=None, metavar="CHANGES.yaml", help="changes file (default: none)"
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUTDIR", help="directory for the output files"
    )
    parser.add_argument(
        "--lock-before",
        default=None,
        metavar="DATE",
        help="also lock every agent-day before DATE (YYYY-MM-DD): the days already worked",
    )
    parser.add_argument("--time-limit", type=float, default=None, metavar="S")
    parser.add_argument("--workers", type=int, default=None, metavar="N")
    parser.add_argument("--seed", type=int, default=None, metavar="K")
    parser.set_defaults(func=run)


def _lock_before(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError("--lock-before", text, "a date YYYY-MM-DD") from None


def run(args: argparse.Namespace) -> int:
    """Run ``wfm reroster``; see the module docstring."""
    from wfm.roster.changes import reroster
    from wfm.roster.published import read_published
    from wfm.scenario import load_scenario
    from wfm.scenario.changes import ChangesFile, load_changes

    out = Path(args.output)
    check_output_dir(out, option="-o", files=_OUTPUT_FILES)
    before = _lock_before(args.lock_before)
    published_dir = Path(args.published)
    roster_file = published_dir / "roster.csv"
    if not roster_file.is_file():
        raise ValidationError("--published", str(published_dir), "a directory with roster.csv")
    scenario = load_scenario(args.scenario)
    loaded = (
        load_changes(args.changes, time_zone=scenario.time_zone)
        if args.changes is not None
        else None
    )
    if loaded is None:
        from wfm.roster.changes import Locks, RosterChanges
        from wfm.roster.problem import ChangeWeights

        loaded = ChangesFile(changes=RosterChanges(), locks=Locks(), weights=ChangeWeights())
    locks = loaded.locks
    if before is not None:
        earlier = before if locks.before is None else max(before, locks.before)
        locks = dataclasses.replace(locks, before=earlier)
    flags = {"time_limit_seconds": args.time_limit, "workers": args.workers, "seed": args.seed}
    options = dataclasses.replace(
        scenario.solver, **{k: v for k, v in flags.items() if v is not None}
    )
    breaks_file = published_dir / "breaks.csv"
    roster = pd.read_csv(roster_file, dtype={"agent_id": str})
    breaks = pd.read_csv(breaks_file, dtype={"agent_id": str}) if breaks_file.is_file() else None
    published = read_published(roster, breaks, time_zone=scenario.time_zone)
    problem = scenario.pipeline().problem
    print(
        f"published roster: {len(published)} shifts of {roster['agent_id'].nunique()} agents; "
        f"re-rostering (time limit {options.time_limit_seconds:g} s, {options.workers} workers, "
        f"seed {options.seed})",
        file=sys.stderr,
        flush=True,
    )
    outcome = reroster(
        problem,
        published,
        loaded.changes,
        locks=locks,
        weights=loaded.weights,
        options=options,
        compute_bound=False,
    )
    result = outcome.result
    out.mkdir(parents=True, exist_ok=True)
    result.write(out)
    stamp_text(outcome.changes).to_csv(out / "changes.csv", index=False)
    summary_path = out / "summary.json"
    document = json.loads(summary_path.read_text())
    document["changes"] = outcome.summary.to_dict()
    summary_path.write_text(json.dumps(document, indent=2) + "\n")
    s, c = result.summary, outcome.summary
    rows = [
        ("status", s.status.value),
        ("shifts moved", f"{c.shifts_moved} (start, length or template changed)"),
        ("shifts added", str(c.shifts_added)),
        ("shifts removed", str(c.shifts_removed)),
        ("breaks moved", str(c.breaks_moved)),
        (
            "paid hours",
            f"{c.paid_hours_changed:+,.1f} net, {c.paid_hours_changed_abs:,.1f} changed",
        ),
        ("agents touched", f"{c.agents_touched} of {len(outcome.problem.agents)}"),
        ("locked", f"{c.locked_agent_days} agent-days"),
    ]
    if s.service_level is not None:
        rows.append(("service level", f"{100 * s.service_level:.1f}%"))
    if s.understaffing_agent_hours is not None:
        rows.append(("understaffing", f"{s.understaffing_agent_hours:,.1f} agent-hours"))
    rows += [("time", f"{s.wall_time_seconds:.1f} s"), ("output", str(out))]
    width = max(len(k) for k, _ in rows)
    print("\n".join(f"{k:<{width}}  {v}" for k, v in rows))
    if not s.status.has_solution:
        print(f"wfm reroster: no roster found ({s.status.value})", file=sys.stderr)
        for conflict in result.conflicts[:10]:
            who = f" [{conflict.agent_id}]" if conflict.agent_id else ""
            print(f"  {conflict.rule}{who}: {conflict.message}", file=sys.stderr)
    return EXIT_CODES[s.status.value]
