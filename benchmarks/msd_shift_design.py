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
import math
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


def _number(text: str) -> int | float:
    """An integer token as ``int``, a decimal one (``4.8``, ``1e3``) as ``float``."""
    try:
        return int(text)
    except ValueError:
        value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def read_dzn(path: str | Path) -> dict[str, int | float | list[int | float]]:
    """Read a MiniZinc data file of numeric scalars and one-dimensional arrays.

    ``%`` comments are ignored; every statement is ``name = value;`` with
    ``value`` a number or ``[a, b, ...]``. Numbers are kept as given:
    integers as ``int``, decimals as ``float``. The DBAI data sets 2 and 3
    give ``minDuties`` and ``maxDuties`` (duties per employee and week,
    averages over the staff) as decimals such as ``4.8``; they are read as
    they are and, like every duties-per-week field, left out of the objective
    (see the data README). Whether a value must be whole is decided where it
    is used (:func:`problem_from_dzn`), not here.
    """
    text = Path(path).read_text(encoding="utf-8")
    text = "\n".join(line.split("%", 1)[0] for line in text.splitlines())
    values: dict[str, int | float | list[int | float]] = {}
    for match in _STATEMENT.finditer(text):
        name, raw = match.group(1), match.group(2).strip()
        try:
            if raw.startswith("["):
                inner = raw.strip()[1:-1]
                values[name] = [_number(item.strip()) for item in inner.split(",") if item.strip()]
            else:
                values[name] = _number(raw)
        except ValueError:
            raise DataError(f"{Path(path).name}:{name}", raw, "a number or [numbers]") from None
    return values


def problem_from_dzn(
    values: dict[str, int | float | list[int | float]], name: str = ""
) -> ShiftDesignProblem:
    """The shift-design problem of a ``.dzn`` instance (see the data README).

    The fields the design reads must be whole numbers: slot length, days,
    shift-type windows and the demand (workers required per slot; the DBAI
    instances give whole workers, and a fractional demand is refused rather
    than rounded, so that nothing given is changed). The weights may be any
    number >= 0. ``minDuties``, ``maxDuties``, ``avgMinutes`` and
    ``weightDutiesPerWeek`` are not read: the duties-per-week term is not part
    of the objective, so a fractional ``minDuties`` is fine.
    """

    def whole(key: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise DataError(f"{name}:{key}", value, "a whole number")
        return value

    def scalar(key: str) -> int:
        return whole(key, values.get(key))

    def weight(key: str) -> float:
        value = values.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise DataError(f"{name}:{key}", value, "a number >= 0")
        return float(value)

    def array(key: str) -> list[int]:
        value = values.get(key)
        if not isinstance(value, list):
            raise DataError(f"{name}:{key}", value, "an array of whole numbers")
        return [whole(f"{key}[{i}]", item) for i, item in enumerate(value)]

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
        understaffing_per_agent_minute=weight("weightUnderCover"),
        overstaffing_per_agent_minute=weight("weightOverCover"),
        cost_per_distinct_shift=weight("weightShiftInstances"),
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


def large_random_week() -> ShiftDesignProblem:
    """A week of 15-minute slots with random demand (0-29) and one wide shift type:
    2,400 shifts x 7 days, too large to finish in a few seconds (a test of the limit)."""
    wide = ShiftType(name="any", min_start=0, max_start=95, min_length=16, max_length=40)
    required = np.random.default_rng(3).integers(0, 30, size=7 * 96)
    return ShiftDesignProblem(
        required_agents=required, slot_minutes=15, shift_types=(wide,), cost_per_distinct_shift=50
    )


def overrun_rows(data: Path, limits: list[float], *, workers: int, seed: int) -> list[str]:
    """Wall time of :func:`design_shifts` beyond its limit, per instance and short limit."""
    problems = [
        (name, problem_from_dzn(read_dzn(data / f"{name}.dzn"), name))
        for name in INSTANCES
        if (data / f"{name}.dzn").exists()
    ]
    problems.append(("random-15min-week", large_random_week()))
    rows = [
        "",
        "time limit kept: wall-clock seconds beyond the limit (negative: ended before it)",
        f"{'instance':<18} {'limit_s':>7} {'time_s':>7} {'over_s':>7} status",
    ]
    worst = -math.inf
    for name, problem in problems:
        for limit in limits:
            result = design_shifts(problem, time_limit_seconds=limit, workers=workers, seed=seed)
            over = result.wall_time_seconds - limit
            worst = max(worst, over)
            rows.append(
                f"{name:<18} {limit:>7g} {result.wall_time_seconds:>7.2f} {over:>+7.2f} "
                f"{result.status.value}"
            )
    rows.append(f"largest overrun: {worst:+.2f} s")
    return rows


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
        "--short-limits",
        default="0.5,1,2",
        help="comma-separated short limits (seconds) at which the overrun of the limit is "
        "measured on each instance and on a large random week ('' for none)",
    )
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
        f"--time-limit {args.time_limit:g} --workers {args.workers} --seed {args.seed} "
        f"--short-limits {args.short_limits}",
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
    limits = [float(v) for v in args.short_limits.split(",") if v.strip()]
    if limits:
        lines += overrun_rows(data, limits, workers=args.workers, seed=args.seed)
        print("\n".join(lines[-(len(limits) * (len(INSTANCES) + 1) + 4) :]), flush=True)
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
