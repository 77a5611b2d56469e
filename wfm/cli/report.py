"""``wfm report``: the planner's view of a roster output directory.

Example::

    wfm roster examples/contact_center/scenario.yaml -o out/
    wfm report out/ --xlsx --agent F001

Reads the tables ``wfm roster -o OUTDIR`` wrote and writes
``OUTDIR/report.html`` (one self-contained file that opens offline: coverage
against requirement, the roster as a Gantt chart, the service-level heat map
with the intervals below target or overloaded, the forecast with its band,
summary, violations by rule, an agent's week and the run's settings);
``--xlsx`` also writes ``OUTDIR/roster.xlsx`` (one sheet per table and a week
grid agent x day); ``--simulation SIMDIR`` and ``--actuals ACTDIR`` (output directories of
``wfm simulate`` and ``wfm actuals``) add the plan beside the simulated 95 %
bands and what happened; ``--images DIR`` writes each chart as PNG and SVG (headless Chromium, see
:mod:`wfm.views.images`); ``--parquet`` writes each table as ``NAME.parquet`` (with
the week grid and the flagged intervals); ``--agent ID`` prints that agent's
week on standard output.
Exit code 0, or 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["ROSTER_TABLES", "register", "run", "write_views"]

#: The CSV tables of a roster output directory that ``--parquet`` converts.
ROSTER_TABLES = (
    "roster.csv",
    "breaks.csv",
    "coverage.csv",
    "violations.csv",
    "conflicts.csv",
    "requirements.csv",
    "forecast.csv",
    "history.csv",
    "agents.csv",
)


def register(subparsers: Any) -> None:
    """Add the ``report`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "report",
        help="write an offline HTML report (and roster.xlsx) of a roster output directory",
        description=__doc__.split("\n\n")[2].replace("\n", " ") if __doc__ else None,
    )
    parser.add_argument("outdir", metavar="OUTDIR", help="output directory of `wfm roster -o`")
    parser.add_argument(
        "--html",
        metavar="FILE",
        default=None,
        help="where to write the HTML report (default OUTDIR/report.html)",
    )
    parser.add_argument(
        "--xlsx", action="store_true", help="also write OUTDIR/roster.xlsx with the week grid"
    )
    parser.add_argument(
        "--parquet",
        action="store_true",
        help="also write each table of OUTDIR as NAME.parquet, with week_grid.parquet and "
        "flagged_intervals.parquet (needs pyarrow)",
    )
    parser.add_argument(
        "--images",
        metavar="DIR",
        default=None,
        help="also write each chart as PNG and SVG into DIR, drawn by a headless Chromium",
    )
    parser.add_argument(
        "--image-format",
        choices=("png", "svg", "both"),
        default="both",
        help="formats of --images (default both)",
    )
    parser.add_argument(
        "--simulation",
        metavar="SIMDIR",
        default=None,
        help="output directory of `wfm simulate`: its 95%% bands beside the plan",
    )
    parser.add_argument(
        "--actuals",
        metavar="ACTDIR",
        default=None,
        help="output directory of `wfm actuals`: what happened beside the plan",
    )
    parser.add_argument(
        "--agent",
        action="append",
        default=None,
        metavar="ID",
        help="print this agent's week and show it in the report (repeatable)",
    )
    parser.set_defaults(func=run)


def write_views(
    outdir: Path,
    *,
    html: Path | None,
    xlsx: bool,
    agent_ids: list[str] | None,
    simulation: Path | None = None,
    actuals: Path | None = None,
    images: Path | None = None,
    image_formats: tuple[str, ...] = ("png", "svg"),
) -> list[Path]:
    """Write the report of ``outdir`` (with a simulation's and the actuals' figures when
    given), the workbook, the chart images; return the files written.

    Every input is read before the first file is written.
    """
    from wfm.views.agent import agent_week
    from wfm.views.exports import write_workbook
    from wfm.views.outcomes import read_outcomes
    from wfm.views.page import write_report
    from wfm.views.tables import read_roster_output

    output = read_roster_output(outdir)
    for agent_id in agent_ids or []:
        agent_week(output, agent_id)  # bad ids are reported before any file is written
    outcomes = None
    if simulation is not None or actuals is not None:
        outcomes = read_outcomes(simulation=simulation, actuals=actuals)
    written = [
        write_report(output, html or outdir / "report.html", agent_ids=agent_ids, outcomes=outcomes)
    ]
    if images is not None:
        from wfm.views.images import write_chart_images

        written += write_chart_images(output, images, formats=image_formats, outcomes=outcomes)
    if xlsx:
        written.append(write_workbook(output, outdir / "roster.xlsx"))
    return written


def run(args: argparse.Namespace) -> int:
    """Run ``wfm report``; see the module docstring."""
    from wfm.views.agent import agent_title, agent_week
    from wfm.views.tables import read_roster_output

    outdir = Path(args.outdir)
    if args.images is not None:
        from wfm.cli.checks import check_output_dir
        from wfm.errors import ValidationError
        from wfm.views.images import find_browser

        check_output_dir(Path(args.images), option="--images")
        if find_browser() is None:
            raise ValidationError(
                "--images",
                args.images,
                "a headless Chromium to draw with (apt-get install chromium, or WFM_BROWSER)",
            )
    written = write_views(
        outdir,
        html=None if args.html is None else Path(args.html),
        xlsx=args.xlsx,
        agent_ids=args.agent,
        simulation=None if args.simulation is None else Path(args.simulation),
        actuals=None if args.actuals is None else Path(args.actuals),
        images=None if args.images is None else Path(args.images),
        image_formats=("png", "svg") if args.image_format == "both" else (args.image_format,),
    )
    if args.parquet:
        from wfm.views.exports import write_parquet_tables, write_view_parquet

        written += write_parquet_tables(outdir, list(ROSTER_TABLES))
        written += write_view_parquet(read_roster_output(outdir), outdir)
    if args.agent:
        output = read_roster_output(outdir)
        for agent_id in args.agent:
            print(f"agent {agent_title(output, agent_id)}")
            print(agent_week(output, agent_id).to_string(index=False))
    print(f"wrote {', '.join(str(p) for p in written)}", file=sys.stderr)
    return 0
