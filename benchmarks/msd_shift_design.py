"""Minimum shift design benchmark: three instances with known optima.

The instances (``RandomExample1..3``) come from data set 1 of Musliu, Schaerf
& Slany, "Local search for shift design", EJOR 153 (2004), also used by
Di Gaspero et al., "The minimum shift design problem", Annals of Operations
Research 155 (2007), in the MiniZinc data format (``.dzn``) described in the
data folder's README, which also gives the objective and the optimal values.
Each instance is read, turned into a :class:`wfm.ShiftDesignProblem`
(cyclic week; weights: under- and over-staffing per agent-minute, a cost per
distinct shift, no cost per agent-shift) and solved with :func:`wfm.design_shifts`.
Acceptance: every instance solved to its known optimum within 60 s.

Usage::

    python benchmarks/msd_shift_design.py [--data PATH] [--time-limit 60] \\
        [--workers 2] [--seed 0] [--output benchmarks/results/msd_shift_design.txt]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
from pathlib import Path

import numpy as np
import ortools

from wfm.errors import DataError
from wfm.roster.bounds.shift_design import ShiftDesignProblem, ShiftType, design_shifts

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = "../shared/data/msd_shift_design"
INSTANCES = ("RandomExample1", "RandomExample2", "RandomExample3")

_STATEMENT = re.compile(r"(\w+)\s*=\s*([^;]*);")


def read_dzn(path: str | Path) -> dict[str, int | list[int]]:
    """Read a MiniZinc data file of integer scalars and one-dimensional arrays.

    ``%`` comments are ignored; every statement is ``name = value;`` with
    ``value`` an integer or ``[a, b, ...]``.
    """
    text = Path(path).read_text(encoding="utf-8")
    text = "\n".join(line.split("%", 1)[0] for line in text.splitlines())
    values: dict[str, int | list[int]] = {}
    for match in _STATEMENT.finditer(text):
        name, raw = match.group(1), match.group(2).strip()
        try:
            if raw.startswith("["):
                inner = raw.strip()[1:-1]
                values[name] = [int(item) for item in inner.split(",") if item.strip()]
            else:
                values[name] = int(raw)
        except ValueError:
            raise DataError(f"{Path(path).name}:{name}", raw, "an integer or [integers]") from None
    return values


def problem_from_dzn(values: dict[str, int | list[int]], name: str = "") -> ShiftDesignProblem:
    """The shift-design problem of a ``.dzn`` instance (see the data README)."""

    def scalar(key: str) -> int:
        value = values.get(key)
        if not isinstance(value, int):
            raise DataError(f"{name}:{key}", value, "an integer")
        return value

    def array(key: str) -> list[int]:
        value = values.get(key)
        if not isinstance(value, list):
            raise DataError(f"{name}:{key}", value, "an array of integers")
        return value

    n_types = scalar("shiftTypes")
    labels = ("morning", "day", "afternoon", "night")
    types = tuple(
        ShiftType(
            name=labels[i] if n_types == len(labels) else f"type{i}",
            min_start=array("minStart")[i],
            max_start=array("maxStart")[i],
            min_length=array("minLength")[i],
            max_length=array("maxLength")[i],
        )
        for i in range(n_types)
    )
    return ShiftDesignProblem(
        required_agents=np.array(array("demand")),
        slot_minutes=scalar("interval"),
        shift_types=types,
        days=scalar("days"),
        cyclic=True,
        understaffing_per_agent_minute=scalar("weightUnderCover"),
        overstaffing_per_agent_minute=scalar("weightOverCover"),
        cost_per_distinct_shift=scalar("weightShiftInstances"),
    )


def known_optima(readme: Path) -> dict[str, float]:
    """Optimal objectives from the README's table (``| name | slot | optimum | ...``)."""
    optima: dict[str, float] = {}
    if not readme.exists():
        return optima
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] in INSTANCES:
            try:
                optima[cells[0]] = float(cells[2])
            except ValueError:
                continue
    return optima


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0 when every instance reached its optimum in time."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        default=DEFAULT_DATA,
        help=f"folder with the .dzn files and README.md (default {DEFAULT_DATA}, "
        "relative to the repository root)",
    )
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT search threads")
    parser.add_argument("--seed", type=int, default=0, help="CP-SAT random seed")
    parser.add_argument(
        "--output",
        default="benchmarks/results/msd_shift_design.txt",
        help="where to write the table (relative to the repository root; '-' for none)",
    )
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not data.is_absolute():
        data = (ROOT / data).resolve()
    if not data.is_dir():
        print(f"data folder not found: {args.data}", file=sys.stderr)
        return 2
    optima = known_optima(data / "README.md")
    lines = [
        "Minimum shift design (Musliu, Schaerf & Slany 2004; Di Gaspero et al. 2007)",
        f"command: python benchmarks/msd_shift_design.py --data {args.data} "
        f"--time-limit {args.time_limit:g} --workers {args.workers} --seed {args.seed}",
        f"python {platform.python_version()}, ortools {ortools.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}, "
        f"load average at start {os.getloadavg()[0]:.1f}",
        "",
        f"{'instance':<16} {'slot':>5} {'optimum':>8} {'found':>8} {'bound':>8} "
        f"{'shifts':>6} {'under':>6} {'over':>6} {'status':<9} {'time_s':>7}  ok",
    ]
    all_ok = True
    for name in INSTANCES:
        path = data / f"{name}.dzn"
        if not path.exists():
            lines.append(f"{name:<16} missing")
            all_ok = False
            continue
        problem = problem_from_dzn(read_dzn(path), name)
        result = design_shifts(
            problem,
            time_limit_seconds=args.time_limit,
            workers=args.workers,
            seed=args.seed,
        )
        optimum = optima.get(name)
        ok = (
            optimum is not None
            and result.objective is not None
            and abs(result.objective - optimum) < 1e-6
            and result.status.value == "OPTIMAL"
            and result.wall_time_seconds <= 60.0
        )
        all_ok &= ok

        def show(value: float | int | None) -> str:
            return "-" if value is None else f"{value:g}"

        slot = problem.slot_minutes
        under = (
            None
            if result.understaffing_agent_minutes is None
            else result.understaffing_agent_minutes / slot
        )
        over = (
            None
            if result.overstaffing_agent_minutes is None
            else result.overstaffing_agent_minutes / slot
        )
        lines.append(
            f"{name:<16} {slot:>5} {show(optimum):>8} {show(result.objective):>8} "
            f"{show(result.best_bound):>8} {show(result.distinct_shifts):>6} "
            f"{show(under):>6} {show(over):>6} {result.status.value:<9} "
            f"{result.wall_time_seconds:>7.2f}  {'yes' if ok else 'NO'}"
        )
        print(lines[-1], flush=True)
    lines += [
        "",
        "under/over: agent-slots under/over-staffed; time_s: wall-clock seconds of design_shifts.",
        "acceptance (all three at their optimum, each within 60 s): "
        + ("PASS" if all_ok else "MISS"),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output != "-":
        out = Path(args.output)
        if not out.is_absolute():
            out = ROOT / out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
