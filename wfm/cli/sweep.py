"""``wfm sweep``: every combination of some settings of a scenario, one row per case.

Example::

    wfm sweep examples/contact_center/scenario.yaml --vary service.target=0.75,0.8 \\
        --vary service.shrinkage=0.1,0.15 --vary aht_scale=0.9,1.0,1.1 -o sweep/

Each ``--vary KEY=V1,V2,...`` names a YAML path of the scenario or a factor
(``calls_scale``, ``aht_scale``, ``agents_scale``; see
:mod:`wfm.sweep.cases`) and its values, read as YAML (a comma separates
values; quote a value holding one: ``"'Mon-Fri,Sun'"``). Every case is
checked through the scenario loader before any runs. ``--stage`` stops each
case after the requirements (default), the roster or its simulation.
Writes ``results.csv`` (one row per case, layout in :mod:`wfm.sweep`),
``frontier.png`` (cost against service) and ``sweep.json`` into OUTDIR.

Cases run on dask.distributed when it is installed: a local cluster of one
single-threaded worker process per core (``--dask-workers N``), or the
running scheduler of ``--scheduler tcp://HOST:PORT`` (or
``DASK_SCHEDULER_ADDRESS``); ``--serial`` runs them in this process, as
happens with a note when dask is not installed. A line on standard error
follows each case as it finishes.

Exit codes: 0 every case ran; 1 some case failed (its error is in its row
and was printed); 2 bad input (one line naming the option or setting).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from wfm.cli.checks import check_output_dir
from wfm.errors import ValidationError

__all__ = ["add_executor_options", "executor_options", "parse_vary", "register", "run"]

#: Efficient cases printed at the end; the rest are in results.csv.
_SHOWN_ROWS = 20

_DESCRIPTION = (
    "What-if sweep: run every combination of the --vary settings of a scenario up to a stage "
    "(requirements, roster or simulate) and write results.csv (one row per case), "
    "frontier.png (cost against service) and sweep.json into OUTDIR. Cases run on a dask "
    "cluster when dask.distributed is installed, else one after another."
)


def add_executor_options(parser: argparse.ArgumentParser) -> None:
    """The options choosing where the cases run (shared with ``wfm batch``)."""
    group = parser.add_argument_group("where the cases run")
    group.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        default=None,
        help="a running dask scheduler (default: DASK_SCHEDULER_ADDRESS, else a local cluster)",
    )
    group.add_argument(
        "--dask-workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes of the local cluster, one thread each (default: the cores)",
    )
    group.add_argument(
        "--serial", action="store_true", help="run the cases one after another in this process"
    )
    group.add_argument(
        "--solver-workers",
        type=int,
        default=None,
        metavar="N",
        help="CP-SAT workers per case (default: cores // cases in parallel; 1 on a remote cluster)",
    )


def executor_options(args: argparse.Namespace) -> dict[str, Any]:
    """Check the executor options; the keyword arguments of :func:`wfm.sweep.sweep` they give."""
    if args.serial and args.scheduler:
        raise ValidationError("--serial", True, "not together with --scheduler")
    if args.dask_workers is not None and args.dask_workers < 1:
        raise ValidationError("--dask-workers", args.dask_workers, "a whole number >= 1")
    if args.solver_workers is not None and args.solver_workers < 1:
        raise ValidationError("--solver-workers", args.solver_workers, "a whole number >= 1")
    if args.scheduler is not None and "://" not in args.scheduler:
        raise ValidationError("--scheduler", args.scheduler, "an address tcp://HOST:PORT")
    return {
        "executor": "serial" if args.serial else "auto",
        "scheduler": args.scheduler,
        "n_workers": args.dask_workers,
        "solver_workers": args.solver_workers,
    }


def parse_vary(items: list[str], option: str = "--vary") -> dict[str, list[Any]]:
    """``["service.target=0.75,0.8"]`` -> ``{"service.target": [0.75, 0.8]}`` (values as YAML)."""
    from wfm.scenario.schema import read_yaml_value

    out: dict[str, list[Any]] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key or not text.strip():
            raise ValidationError(
                option, item, "KEY=VALUE[,VALUE...], e.g. service.target=0.8,0.85"
            )
        if key in out:
            raise ValidationError(option, item, f"each setting once ({key} is given twice)")
        try:
            values = read_yaml_value(f"[{text}]")
        except ValidationError as exc:
            raise ValidationError(option, item, exc.expected) from None
        if not isinstance(values, list) or not values:
            raise ValidationError(option, item, "a comma-separated list of values")
        out[key] = values
    return out


def register(subparsers: Any) -> None:
    """Add the ``sweep`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "sweep", help="what-if sweep over settings of a scenario", description=_DESCRIPTION
    )
    parser.add_argument("scenario", metavar="SCENARIO.yaml", help="scenario file")
    parser.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=V1,V2",
        help="a setting (YAML path such as service.target, or calls_scale, aht_scale, "
        "agents_scale) and its values; repeat for a grid",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an entry set in every case, e.g. solver.max_deterministic_time=2",
    )
    parser.add_argument(
        "--stage",
        choices=("requirements", "roster", "simulate"),
        default="requirements",
        help="the last stage of each case (default requirements)",
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR")
    parser.add_argument(
        "--time-limit", type=float, default=None, metavar="S", help="roster time limit per case"
    )
    parser.add_argument("--seed", type=int, default=None, metavar="K", help="roster search seed")
    parser.add_argument(
        "--max-deterministic-time",
        type=float,
        default=None,
        metavar="T",
        help="CP-SAT deterministic limit per case: the same rosters on any worker",
    )
    parser.add_argument(
        "--replications", type=int, default=20, metavar="N", help="simulated weeks per case"
    )
    parser.add_argument(
        "--simulation-seed", type=int, default=0, metavar="K", help="simulation seed (all cases)"
    )
    parser.add_argument(
        "--decision",
        default=None,
        metavar="KEY",
        help="the setting along each frontier line (default: the first --vary)",
    )
    add_executor_options(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no line per case")
    parser.set_defaults(func=run)


def _solver_overrides(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if args.time_limit is not None:
        if not (math.isfinite(args.time_limit) and args.time_limit > 0):
            raise ValidationError("--time-limit", args.time_limit, "a finite number of seconds > 0")
        out["solver.time_limit_seconds"] = args.time_limit
    if args.seed is not None:
        if args.seed < 0:
            raise ValidationError("--seed", args.seed, "a whole number >= 0")
        out["solver.seed"] = args.seed
    if args.max_deterministic_time is not None:
        if not (math.isfinite(args.max_deterministic_time) and args.max_deterministic_time > 0):
            raise ValidationError(
                "--max-deterministic-time", args.max_deterministic_time, "a number > 0"
            )
        out["solver.max_deterministic_time"] = args.max_deterministic_time
    return out


def _percent(value: Any) -> str:
    return "-" if value is None or value != value else f"{100 * value:.1f}%"


def _number(value: Any, spec: str = ",.1f") -> str:
    return "-" if value is None or value != value else f"{value:{spec}}"


def case_line(done: int, total: int, result: Any) -> str:
    """The progress line of a finished case."""
    from wfm.sweep.cases import SweepCase

    label = SweepCase(index=result.index, settings=result.settings).label()
    head = f"[{done:>{len(str(total))}}/{total}] case {result.index} {label}"
    if result.error is not None:
        return f"{head}: FAILED {result.error}"
    parts = [f"required {_number(result.required_scheduled_agent_hours)} agent-hours"]
    if result.roster_status is not None:
        parts.append(f"{result.roster_status.value} paid {_number(result.paid_hours)} h")
        parts.append(f"service {_percent(result.service_level_rostered)}")
    elif result.service_level_at_requirement is not None:
        parts.append(f"service {_percent(result.service_level_at_requirement)}")
    if result.service_level_simulated is not None:
        parts.append(f"simulated {_percent(result.service_level_simulated)}")
    parts.append(f"{result.wall_time_seconds:.1f} s on {result.worker}")
    return f"{head}: " + ", ".join(parts)


def run(args: argparse.Namespace) -> int:
    """Run ``wfm sweep``; see the module docstring."""
    from wfm.sweep import SimulationSettings, sweep

    if args.output == "-":
        raise ValidationError("-o/--output", args.output, "a directory for the results")
    vary = parse_vary(args.vary)
    overrides = {**parse_single(args.set), **_solver_overrides(args)}
    where = executor_options(args)
    try:
        simulation = SimulationSettings(replications=args.replications, seed=args.simulation_seed)
    except ValidationError as exc:
        flag = "--replications" if exc.field == "replications" else "--simulation-seed"
        raise ValidationError(flag, exc.value, exc.expected) from None
    out = Path(args.output)
    check_output_dir(out, option="-o", files=("results.csv", "frontier.png", "sweep.json"))
    err = sys.stderr

    def show(done: int, total: int, result: Any) -> None:
        if not args.quiet or result.error is not None:
            print(case_line(done, total, result), file=err, flush=True)

    result = sweep(
        args.scenario,
        vary,
        stage=args.stage,
        overrides=overrides,
        simulation=simulation,
        decision=args.decision,
        progress=show,
        notes=lambda text: print(f"note: {text}", file=err, flush=True),
        **where,
    )
    written = result.write(out)
    table = result.table
    failed = int(table["error"].notna().sum())
    print(
        f"{len(table)} cases ({result.stage} stage) in {result.wall_time_seconds:.1f} s, "
        f"{result.executor}; {failed} failed"
    )
    efficient = table[table["on_frontier"]]
    print(
        f"efficient cases ({result.cost_column} against {result.service_column}, "
        f"along {result.decision}): {len(efficient)} of {len(table)}"
    )
    shown = ["case", *result.varied, result.cost_column, result.service_column]
    print(efficient[shown].head(_SHOWN_ROWS).to_string(index=False))
    if len(efficient) > _SHOWN_ROWS:
        print(f"... and {len(efficient) - _SHOWN_ROWS} more (column on_frontier of results.csv)")
    print(f"wrote {', '.join(written)} to {out}")
    return 1 if failed else 0


def parse_single(items: list[str]) -> dict[str, Any]:
    """``["solver.seed=3"]`` -> ``{"solver.seed": 3}`` (``--set``: one value each)."""
    values = parse_vary(items, option="--set")
    out: dict[str, Any] = {}
    for key, items_ in values.items():
        if len(items_) != 1:
            raise ValidationError("--set", f"{key}={items_}", "one value (use --vary for several)")
        out[key] = items_[0]
    return out
