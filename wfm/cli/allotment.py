"""``wfm allotment``: how many agents may be off each day, and which requests are granted.

Usage::

    wfm allotment examples/contact_center/scenario.yaml \\
        --requests examples/allotment/requests.csv -o out_allotment/

Reads the scenario (its demand gives the requirements), computes the
allotment of every day and half-day with :func:`wfm.roster.allotment.allotments`
(the most agents off while the requirement is covered as well as with no time
off), grants the requests of ``--requests`` in ``--order`` and writes
``allotment.csv``, ``requests.csv`` (granted or not, the reason of each
refusal) and ``granted_time_off.yaml``: the granted requests as a
``wfm reroster`` changes file (``time_off`` entries), so that a published
roster can take them in.

The requests CSV has the columns ``agent_id``, ``date`` (YYYY-MM-DD) and
optionally ``part`` (``day``, ``am``, ``pm``; default ``day``),
``requested_at`` (YYYY-MM-DD HH:MM) and ``seniority_years``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from wfm.cli.checks import check_output_dir
from wfm.errors import DataError, ValidationError

__all__ = ["read_requests", "register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``allotment`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "allotment",
        help="time-off allotments per day and half-day, and requests granted in order",
        description=(
            "Compute how many agents may be off on each day and half-day of the scenario's "
            "period while the requirement is still covered, grant time-off requests in order "
            "of seniority or request time, and write allotment.csv, requests.csv and "
            "granted_time_off.yaml into OUTDIR."
        ),
    )
    parser.add_argument("scenario", metavar="SCENARIO.yaml", help="scenario file")
    parser.add_argument("--requests", default=None, metavar="CSV", help="time-off requests")
    parser.add_argument(
        "--order",
        choices=("seniority", "request_time"),
        default="seniority",
        help="granting order (default: seniority, then the earlier request)",
    )
    parser.add_argument(
        "--parts",
        default="day,am,pm",
        metavar="LIST",
        help="windows to allot per date, from day, am, pm (default: all three)",
    )
    parser.add_argument(
        "--split", default="13:00", metavar="HH:MM", help="end of the am half (default 13:00)"
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUTDIR", help="directory for the output files"
    )
    parser.add_argument(
        "--time-limit", type=float, default=10.0, metavar="S", help="limit of each solve (10 s)"
    )
    parser.add_argument("--workers", type=int, default=1, metavar="N")
    parser.add_argument("--seed", type=int, default=0, metavar="K")
    parser.set_defaults(func=run)


def read_requests(path: Path) -> tuple[Any, ...]:
    """The time-off requests of a CSV file (see the module docstring)."""
    from wfm.roster.allotment import TimeOffRequest

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("agent_id", "date"):
        if column not in frame.columns:
            raise DataError(f"requests ({path.name})", list(frame.columns), f"a column {column!r}")
    out = []
    for row, record in enumerate(frame.to_dict("records")):
        where = f"requests ({path.name}) row {row + 2}"
        try:
            day = dt.date.fromisoformat(str(record["date"]).strip())
        except ValueError:
            raise DataError(f"{where}.date", record["date"], "a date YYYY-MM-DD") from None
        part = str(record.get("part") or "day").strip()
        if part not in ("day", "am", "pm"):
            raise DataError(f"{where}.part", part, "'day', 'am' or 'pm'")
        at_text = str(record.get("requested_at") or "").strip()
        try:
            at = dt.datetime.fromisoformat(at_text) if at_text else None
        except ValueError:
            raise DataError(
                f"{where}.requested_at", at_text, 'a date-time "YYYY-MM-DD HH:MM"'
            ) from None
        seniority_text = str(record.get("seniority_years") or "0").strip()
        try:
            seniority = float(seniority_text)
        except ValueError:
            raise DataError(f"{where}.seniority_years", seniority_text, "a number") from None
        out.append(
            TimeOffRequest(
                agent_id=str(record["agent_id"]).strip(),
                day=day,
                part=part,  # type: ignore[arg-type]
                requested_at=at,
                seniority_years=seniority,
            )
        )
    return tuple(out)


def run(args: argparse.Namespace) -> int:
    """Run ``wfm allotment``; see the module docstring."""
    from wfm.roster.allotment import allotments, window
    from wfm.scenario import load_scenario

    out = Path(args.output)
    check_output_dir(out, option="-o", files=("allotment.csv", "requests.csv"))
    try:
        split = dt.time.fromisoformat(args.split)
    except ValueError:
        raise ValidationError("--split", args.split, "a clock time HH:MM") from None
    parts = tuple(p.strip() for p in args.parts.split(",") if p.strip())
    requests = read_requests(Path(args.requests)) if args.requests is not None else ()
    scenario = load_scenario(args.scenario)
    problem = scenario.pipeline().problem
    print(
        f"allotting {problem.days} days x {len(parts)} windows for {len(problem.agents)} agents"
        f", {len(requests)} requests ({args.order} order)",
        file=sys.stderr,
        flush=True,
    )
    result = allotments(
        problem,
        requests,
        order=args.order,
        parts=parts,
        half_day_split=split,
        time_limit_seconds=args.time_limit,
        workers=args.workers,
        seed=args.seed,
    )
    out.mkdir(parents=True, exist_ok=True)
    result.allotment.to_csv(out / "allotment.csv", index=False)
    result.requests.to_csv(out / "requests.csv", index=False)
    entries = []
    for r in result.granted:
        off = window(problem, r.day, r.part, split)
        entries.append(
            {
                "agent": r.agent_id,
                "start": f"{off.start:%Y-%m-%d %H:%M}",
                "end": f"{off.end:%Y-%m-%d %H:%M}",
            }
        )
    (out / "granted_time_off.yaml").write_text(
        "# Granted time off, as a wfm reroster changes file\n"
        + yaml.safe_dump({"time_off": entries}, sort_keys=False)
    )
    table = result.allotment.pivot(index="date", columns="part", values="max_off")
    print(table.to_string())
    print(
        f"least under-staffing {result.understaffing_agent_hours:,.1f} agent-hours "
        f"({result.status.value}); requests granted "
        f"{int(result.requests['granted'].sum())} of {len(result.requests)}"
    )
    for row in result.requests[~result.requests["granted"]].to_dict("records"):
        print(f"  refused {row['agent_id']} {row['date']} {row['part']}: {row['reason']}")
    return 0
