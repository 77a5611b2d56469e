"""Run the roster benchmark suite and refresh the results in the README.

Usage (from the repository root)::

    python benchmarks/run.py --suite quick      # about 8 minutes on 2 cores
    python benchmarks/run.py --suite full       # about 35 minutes on 2 cores

Each run is a fresh process (``wfm.benchmark.run_instance``). The suite writes
``benchmarks/results/<suite>_<part>.csv`` (one row per run, every metric),
replaces the matching tables in ``benchmarks/README.md`` and redraws
``benchmarks/scaling.png`` (needs matplotlib: ``pip install -e .[bench]``).

Parts of a suite:

``scaling``
    25, 50, 100, 200 and 500 agents, 15-minute grid, full features.
``scaling30``
    the same on a 30-minute grid (full suite only).
``variants``
    100 agents with one feature switched off at a time.
``determinism``
    the medium instance (100 agents) with seeds 0, 1, 2 on 1 and 2 workers,
    plus a repeat of seed 0 to show run-to-run differences at equal settings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wfm.benchmark import BenchmarkRun, format_table, run_instance, runs_to_frame
from wfm.datasets.instances import InstanceSpec, family
from wfm.roster.options import SolverOptions

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
README = HERE / "README.md"


@dataclass(frozen=True)
class Part:
    """One table of a suite: instances x seeds x workers at a time limit."""

    name: str
    specs: tuple[InstanceSpec, ...]
    time_limits: dict[int, float]  # by agents; key 0 is the default
    seeds: tuple[int, ...] = (0,)
    workers: tuple[int, ...] = (2,)
    repeat_first: bool = False

    def limit(self, spec: InstanceSpec) -> float:
        return self.time_limits.get(spec.agents, self.time_limits[0])


def _variants() -> tuple[InstanceSpec, ...]:
    base = InstanceSpec(agents=100)
    return tuple(s for s in family("variants") if s != base)


SUITES: dict[str, tuple[Part, ...]] = {
    "quick": (
        Part("scaling", family("scaling"), {0: 15.0, 100: 20.0, 200: 30.0, 500: 45.0}),
        Part("variants", _variants(), {0: 15.0}),
        Part(
            "determinism",
            family("medium"),
            {0: 15.0},
            seeds=(0, 1, 2),
            workers=(1, 2),
            repeat_first=True,
        ),
    ),
    "full": (
        Part("scaling", family("scaling"), {0: 60.0, 500: 120.0}),
        Part("scaling30", family("scaling30"), {0: 60.0, 500: 120.0}),
        Part("variants", _variants(), {0: 60.0}),
        Part(
            "determinism",
            family("medium"),
            {0: 60.0},
            seeds=(0, 1, 2),
            workers=(1, 2),
            repeat_first=True,
        ),
    ),
}

#: README table columns (field -> header).
COLUMNS: dict[str, str] = {
    "instance": "instance",
    "seed": "seed",
    "workers": "workers",
    "time_limit_seconds": "limit s",
    "status": "status",
    "first_solution_seconds": "first roster s",
    "within_1pct_seconds": "within 1% s",
    "total_seconds": "total s",
    "relative_gap": "gap",
    "understaffing_agent_hours": "under h",
    "lb_understaffing_agent_hours": "LB under h",
    "under_above_lb_pct": "above LB %",
    "overstaffing_agent_hours": "over h",
    "service_level": "SL",
    "paid_hours": "paid h",
    "lb_paid_hours": "LB paid h",
    "hard_violations": "hard viol.",
    "peak_memory_mb": "peak MB",
}


# -- README helpers (also used by the other benchmark scripts) -----------------------------------


def update_readme_section(key: str, text: str, readme: Path = README) -> None:
    """Replace what stands between ``<!-- begin:KEY -->`` and ``<!-- end:KEY -->``.

    The markers must already be in the README; a missing pair is reported on
    standard error and the README is left unchanged.
    """
    content = readme.read_text(encoding="utf-8")
    pattern = re.compile(
        rf"(<!-- begin:{re.escape(key)} -->\n)(.*?)(<!-- end:{re.escape(key)} -->)", re.DOTALL
    )
    if not pattern.search(content):
        print(f"README has no section {key!r}; not updated", file=sys.stderr)
        return
    new = pattern.sub(lambda m: m.group(1) + text.rstrip("\n") + "\n" + m.group(3), content)
    readme.write_text(new, encoding="utf-8")


def machine_description() -> str:
    """One line: CPU model, cores, memory, OS, Python, OR-Tools and pandas versions."""
    import ortools

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory} RAM, {platform.system()} "
        f"{platform.release().split('-')[0]}, Python {platform.python_version()}, "
        f"OR-Tools {ortools.__version__}, pandas {pd.__version__}"
    )


def git_revision() -> str:
    """Short commit hash of the working tree (``unknown`` outside git)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


# -- running -------------------------------------------------------------------------------------


def _progress(prefix: str) -> object:
    def show(event: dict[str, float]) -> None:
        gap = event.get("relative_gap")
        print(
            f"  {prefix} {event['elapsed_seconds']:6.1f} s objective {event['objective']:.1f}"
            + ("" if gap is None else f" gap {gap:.3f}"),
            file=sys.stderr,
            flush=True,
        )

    return show


def run_part(part: Part, *, verbose: bool) -> list[BenchmarkRun]:
    """Run every (instance, workers, seed) of ``part`` in order."""
    plan: list[tuple[InstanceSpec, int, int]] = [
        (spec, w, s) for spec in part.specs for w in part.workers for s in part.seeds
    ]
    if part.repeat_first:
        plan += [(spec, w, part.seeds[0]) for spec in part.specs for w in part.workers]
    runs: list[BenchmarkRun] = []
    for k, (spec, workers, seed) in enumerate(plan, start=1):
        label = f"[{part.name} {k}/{len(plan)}] {spec.name} seed={seed} workers={workers}"
        print(f"{label} limit {part.limit(spec):.0f} s", file=sys.stderr, flush=True)
        run = run_instance(
            spec.name,
            SolverOptions(time_limit_seconds=part.limit(spec), workers=workers, seed=seed),
            progress=_progress(label) if verbose else None,  # type: ignore[arg-type]
        )
        outcome = run.error or (
            f"{run.status} first {run.first_solution_seconds} s, "
            f"under {run.understaffing_agent_hours} h (LB {run.lb_understaffing_agent_hours})"
        )
        print(f"{label}: {outcome}", file=sys.stderr, flush=True)
        runs.append(run)
    return runs


def spread_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Spread over seeds per worker count: min, max and max - min of key metrics."""
    rows = []
    for workers, group in frame.groupby("workers", sort=True):
        row: dict[str, object] = {"workers": int(workers), "runs": len(group)}
        for column, label in (
            ("objective", "objective"),
            ("understaffing_agent_hours", "under h"),
            ("first_solution_seconds", "first roster s"),
            ("relative_gap", "gap"),
        ):
            values = pd.to_numeric(group[column], errors="coerce").dropna()
            if values.empty:
                continue
            row[f"{label} min"] = float(values.min())
            row[f"{label} max"] = float(values.max())
            row[f"{label} spread"] = float(values.max() - values.min())
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=sorted(SUITES), default="quick")
    parser.add_argument(
        "--parts", nargs="+", help="run only these parts of the suite (default: all)"
    )
    parser.add_argument("--no-readme", action="store_true", help="do not touch README.md")
    parser.add_argument("--no-plot", action="store_true", help="do not redraw scaling.png")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every improvement")
    args = parser.parse_args(argv)

    parts = [p for p in SUITES[args.suite] if args.parts is None or p.name in args.parts]
    if not parts:
        parser.error(f"no part of suite {args.suite!r} matches {args.parts}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    machine = machine_description()
    print(f"machine: {machine}", file=sys.stderr)
    for part in parts:
        part_started = time.monotonic()
        frame = runs_to_frame(run_part(part, verbose=args.verbose))
        csv_path = RESULTS / f"{args.suite}_{part.name}.csv"
        frame.to_csv(csv_path, index=False, float_format="%.6g")
        minutes = (time.monotonic() - part_started) / 60
        print(format_table(frame, list(COLUMNS), headers=list(COLUMNS.values())))
        if not args.no_readme:
            table = format_table(
                frame, list(COLUMNS), headers=list(COLUMNS.values()), markdown=True
            )
            if part.name == "determinism":
                table += "\n\nSpread over the seeds (all runs of a worker count):\n\n"
                table += format_table(spread_table(frame), markdown=True, digits=2)
            footer = (
                f"\n\n`python benchmarks/run.py --suite {args.suite} --parts {part.name}` "
                f"({minutes:.1f} min, {dt.date.today():%Y-%m-%d}, commit {git_revision()}; "
                f"{machine})"
            )
            update_readme_section(f"{args.suite}-{part.name}", table + footer)
    total_minutes = (time.monotonic() - started) / 60
    print(f"suite {args.suite}: {total_minutes:.1f} min", file=sys.stderr)
    if not args.no_readme and args.parts is None:
        update_readme_section(
            f"{args.suite}-runtime",
            f"Last full run of `python benchmarks/run.py --suite {args.suite}`: "
            f"{total_minutes:.1f} min on {machine}.",
        )
    if not args.no_plot and any(p.name == "scaling" for p in parts):
        from plot_scaling import plot

        csvs = [RESULTS / f"{args.suite}_{n}.csv" for n in ("scaling", "scaling30")]
        csvs = [c for c in csvs if c.exists()]
        plot(*csvs, output=HERE / "scaling.png")
        if not args.no_readme:
            names = " ".join(f"benchmarks/results/{c.name}" for c in csvs)
            update_readme_section(
                "plot",
                "![Time and distance from optimal against agents](scaling.png)\n\n"
                f"Drawn from `{names}` (`python benchmarks/plot_scaling.py {names}`).",
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
