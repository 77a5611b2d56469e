"""``wfm actuals``: what happened, from an ACD call log.

Example::

    wfm actuals calls.tsv --mapping examples/call_logs/anonymous_bank_mapping.yaml \\
        --interval 30 --answer-within 20 -o out/

Reads the log through the mapping (every row accounted for), and writes into
OUTDIR ``intervals.csv``, ``days.csv`` and ``months.csv`` (the KPI tables of
:mod:`wfm.kpis`), ``intervals_by_queue.csv`` and ``days_by_queue.csv`` when
the log has a queue, ``rejected.csv`` (every rejected row with its line and
reason), ``patience_by_day.csv`` (the estimate per day with its counts),
``summary.json`` (settings, row accounting, totals, the patience and
handle-time estimates); with ``--plan FILE`` also ``plan_vs_actual.csv`` and
``plan_vs_actual_days.csv``; with ``--report`` (and ``--plan
ROSTERDIR/coverage.csv``) also ``report.html``: the roster's report with
what happened beside the plan. Exit code 0, or 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from wfm.actuals import CallLogMapping, actuals_report, plan_vs_actual, read_call_log
from wfm.cli.checks import check_output_dir
from wfm.errors import ValidationError
from wfm.kpis import KpiSettings
from wfm.timegrid import stamp_text

__all__ = ["register", "run"]

_DESCRIPTION = (
    "Read an ACD call log (one row per contact) through a YAML mapping of its columns and "
    "labels, and write the service actually given per interval, day and month: offered, "
    "answered, abandoned, service level, ASA, longest wait, abandonment, AHT, agents and "
    "occupancy, repeat contacts; plus the patience and handle-time estimates and the account "
    "of every row. --plan lays a forecast, requirements or coverage CSV beside the actuals."
)


def register(subparsers: Any) -> None:
    """Add the ``actuals`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "actuals",
        help="service actually given, from a call log",
        description=_DESCRIPTION,
    )
    parser.add_argument("calls", metavar="CALLS", help="call log: one row per contact")
    parser.add_argument(
        "--mapping", required=True, metavar="MAP.yaml", help="columns and labels of the log"
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUTDIR", help="directory for the output files"
    )
    parser.add_argument(
        "--interval", type=int, default=30, metavar="MIN", help="interval minutes (default 30)"
    )
    parser.add_argument(
        "--answer-within",
        type=float,
        default=20.0,
        metavar="S",
        help="service-level threshold in seconds (default 20)",
    )
    parser.add_argument(
        "--short-abandon",
        type=float,
        default=5.0,
        metavar="S",
        help="abandoned in less than S seconds is a short abandon (default 5; 0: none)",
    )
    parser.add_argument(
        "--repeat-days",
        type=float,
        default=7.0,
        metavar="D",
        help="repeat contacts within D days, when the log has customer ids (default 7)",
    )
    parser.add_argument(
        "--plan",
        default=None,
        metavar="FILE",
        help="forecast, requirements or roster coverage CSV with interval_start",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="also write OUTDIR/report.html: the roster's report with what happened beside the "
        "plan (needs --plan ROSTERDIR/coverage.csv of 'wfm roster')",
    )
    parser.set_defaults(func=run)


def _flag_error(exc: ValidationError) -> ValidationError:
    flags = {
        "interval_minutes": "--interval",
        "answer_within_seconds": "--answer-within",
        "short_abandon_seconds": "--short-abandon",
        "repeat_within_days": "--repeat-days",
    }
    return ValidationError(flags.get(exc.field, exc.field), exc.value, exc.expected)


#: Files ``wfm actuals`` may write into its output directory.
_FILES = (
    "intervals.csv",
    "days.csv",
    "months.csv",
    "rejected.csv",
    "patience_by_day.csv",
    "intervals_by_queue.csv",
    "days_by_queue.csv",
    "plan_vs_actual.csv",
    "plan_vs_actual_days.csv",
    "summary.json",
    "report.html",
)


def _report_roster_dir(args: argparse.Namespace) -> Path:
    """The roster output directory of ``--plan`` for ``--report``, checked before any work."""
    from wfm.views.tables import read_roster_output

    plan = None if args.plan is None else Path(args.plan)
    if plan is None or plan.name != "coverage.csv" or not (plan.parent / "summary.json").is_file():
        raise ValidationError(
            "--report", "without a roster's plan", "--plan ROSTERDIR/coverage.csv of 'wfm roster'"
        )
    read_roster_output(plan.parent)  # every table the report needs
    return plan.parent


def run(args: argparse.Namespace) -> int:
    """Run ``wfm actuals``; return the exit code."""
    try:
        settings = KpiSettings(
            interval_minutes=args.interval,
            answer_within_seconds=args.answer_within,
            short_abandon_seconds=args.short_abandon,
            repeat_within_days=args.repeat_days,
        )
    except ValidationError as exc:
        raise _flag_error(exc) from None
    check_output_dir(Path(args.output), option="--output", files=_FILES)
    roster_dir = _report_roster_dir(args) if args.report else None
    mapping = CallLogMapping.from_yaml(args.mapping)
    plan = None
    if args.plan is not None:
        from wfm.actuals import read_plan_csv

        plan = read_plan_csv(args.plan)
    log = read_call_log(args.calls, mapping)
    if log.contacts.empty:
        if len(log.rejected):
            first = log.rejected.iloc[0]
            raise ValidationError(
                f"{args.calls} line {first['line']} {first['column']}",
                first["value"],
                f"a usable row: all {len(log.rejected)} rows rejected, the first as "
                f"{first['reason']} (see the mapping {args.mapping})",
            )
        raise ValidationError(
            str(args.calls), "no contacts", "at least one answered or abandoned call"
        )
    if "customer_id" not in log.contacts.columns:
        settings = KpiSettings(
            interval_minutes=settings.interval_minutes,
            answer_within_seconds=settings.answer_within_seconds,
            short_abandon_seconds=settings.short_abandon_seconds,
        )
    report = actuals_report(log, settings=settings)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    stamp_text(report.intervals).to_csv(out / "intervals.csv", index=False)
    report.days.to_csv(out / "days.csv", index=False, date_format="%Y-%m-%d")
    report.months.to_csv(out / "months.csv", index=False, date_format="%Y-%m")
    log.rejected.to_csv(out / "rejected.csv", index=False)
    report.patience_by_day.to_csv(out / "patience_by_day.csv", index=False, date_format="%Y-%m-%d")
    summary = report.to_dict()
    written = ["intervals.csv", "days.csv", "months.csv", "rejected.csv", "patience_by_day.csv"]
    if report.intervals_by_queue is not None and report.days_by_queue is not None:
        stamp_text(report.intervals_by_queue).to_csv(out / "intervals_by_queue.csv", index=False)
        report.days_by_queue.to_csv(out / "days_by_queue.csv", index=False, date_format="%Y-%m-%d")
        written += ["intervals_by_queue.csv", "days_by_queue.csv"]
    if plan is not None:
        compared = plan_vs_actual(plan, log.contacts.drop(columns="line"), settings=settings)
        stamp_text(compared.intervals).to_csv(out / "plan_vs_actual.csv", index=False)
        compared.days.to_csv(out / "plan_vs_actual_days.csv", index=False, date_format="%Y-%m-%d")
        written += ["plan_vs_actual.csv", "plan_vs_actual_days.csv"]
        summary["plan"] = {
            "source": args.plan,
            "plan_only_intervals": compared.plan_only,
            "actual_only_intervals": compared.actual_only,
            "agents_column": compared.agents_column,
        }
    with open(out / "summary.json", "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2)
        handle.write("\n")
    written.append("summary.json")
    if roster_dir is not None:
        from wfm.cli.report import write_views

        write_views(roster_dir, html=out / "report.html", xlsx=False, agent_ids=None, actuals=out)
        written.append("report.html")
    rows = log.summary
    totals = summary["totals"]
    sl = totals["service_level"]
    patience = report.patience.patience_seconds
    print(
        f"{rows.rows_read} rows: {rows.rows_used} used, {sum(rows.ignored.values())} ignored, "
        f"{rows.abandoned_before_queue} abandoned before the queue, "
        f"{sum(rows.rejected.values())} rejected"
    )
    print(
        f"offered {totals['offered']}, answered {totals['answered']}, "
        f"abandoned {totals['abandoned']}; service level "
        f"{'-' if sl is None else f'{sl:.3f}'} within {settings.answer_within_seconds:g} s; "
        f"patience {patience:.0f} s; AHT {report.handle_time.mean_seconds:.0f} s "
        f"(CV {report.handle_time.cv:.2f})"
    )
    print(f"wrote {', '.join(written)} to {out}")
    return 0
