"""Speed of the Erlang staffing searches of :mod:`wfm.erlang`.

Workloads (synthetic, seeded):

* Erlang C, one year of 15-minute intervals (35,040 rows): a daily curve
  with morning and afternoon peaks of about 400 calls per 15 minutes, a
  weekly pattern and Poisson noise; AHT 300 s; target 80 % within 20 s.
  Minimal integer agents per row.
* Erlang A, one week (the first 672 rows of that year), patience 120 s,
  same target.

Each timing is the median of ``--repeats`` runs. If the optional peer
package ``pyworkforce`` is importable (install it in a separate virtual
environment next to this package, e.g. ``pip install pyworkforce -e .``; it
is not a dependency of ``wfm``), its ``ErlangC`` is timed on the same rows,
and the answers are compared row by row. ``pyworkforce`` rejects intervals
with no calls; those rows (0 agents in ``wfm``) are left out of its run. Its
Python loops are slow, so by default it is timed on a subset of
``--peer-rows`` rows per repeat and the time is scaled to the year (the
answers are compared on the whole year, in one extra run).

Usage::

    python benchmarks/erlang_speed.py --repeats 5 --seed 2024
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from wfm import erlang

INTERVALS_PER_DAY = 96
YEAR_ROWS = 365 * INTERVALS_PER_DAY
WEEK_ROWS = 7 * INTERVALS_PER_DAY
AHT_SECONDS = 300.0
INTERVAL_MINUTES = 15.0
TARGET = 0.8
ANSWER_WITHIN_SECONDS = 20.0
PATIENCE_SECONDS = 120.0


def year_of_calls(seed: int) -> np.ndarray:
    """Calls per 15-minute interval for one year: daily curve, weekly pattern, noise."""
    rng = np.random.default_rng(seed)
    slot = np.arange(YEAR_ROWS)
    hour = (slot % INTERVALS_PER_DAY) / 4.0
    day = slot // INTERVALS_PER_DAY
    daily = (
        0.78 * np.exp(-0.5 * ((hour - 10.5) / 1.7) ** 2)
        + 0.62 * np.exp(-0.5 * ((hour - 15.0) / 2.2) ** 2)
        + 0.02
    )
    weekly = np.array([1.0, 0.95, 0.92, 0.92, 0.9, 0.55, 0.35])[day % 7]
    seasonal = 1.0 + 0.08 * np.sin(2 * np.pi * day / 365.0)
    mean = 440.0 * daily * weekly * seasonal
    return rng.poisson(mean).astype(np.float64)


def median_seconds(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time of ``repeats`` calls, and the last result."""
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def pyworkforce_agents(calls: np.ndarray) -> np.ndarray:
    """Minimal agents per row with pyworkforce's ErlangC (0 where there are no calls)."""
    from pyworkforce.queuing import ErlangC

    out = np.zeros(calls.size, dtype=np.int64)
    for i, c in enumerate(calls.tolist()):
        if c <= 0:
            continue
        model = ErlangC(
            transactions=c,
            aht=AHT_SECONDS / 60.0,
            asa=ANSWER_WITHIN_SECONDS / 60.0,
            interval=INTERVAL_MINUTES,
        )
        out[i] = model.required_positions(service_level=TARGET)["raw_positions"]
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measure")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the synthetic year")
    parser.add_argument(
        "--peer-rows",
        type=int,
        default=4 * WEEK_ROWS,
        help="rows of the year timed per pyworkforce repeat (scaled to the year)",
    )
    args = parser.parse_args(argv)

    calls = year_of_calls(args.seed)
    traffic = erlang.traffic_erlangs(
        calls, aht_seconds=AHT_SECONDS, interval_minutes=INTERVAL_MINUTES
    )
    print("wfm Erlang speed benchmark")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"seed {args.seed}, repeats {args.repeats} (median wall time)")
    print(
        f"year: {calls.size} rows of {INTERVAL_MINUTES:g} min, calls max {calls.max():.0f}, "
        f"mean {calls.mean():.1f}, zero-call rows {int((calls == 0).sum())}; "
        f"AHT {AHT_SECONDS:g} s; target {TARGET:.0%} in {ANSWER_WITHIN_SECONDS:g} s"
    )
    print()

    def wfm_c() -> Any:
        return erlang.agents_for_service_level(
            traffic,
            aht_seconds=AHT_SECONDS,
            target=TARGET,
            answer_within_seconds=ANSWER_WITHIN_SECONDS,
        )

    t_c, agents_c = median_seconds(wfm_c, args.repeats)
    print(f"wfm Erlang C minimal agents, year ({calls.size} rows): {t_c:.4f} s")

    def wfm_c_fractional() -> Any:
        return erlang.agents_for_erlang_c_fractional(
            traffic,
            aht_seconds=AHT_SECONDS,
            target=TARGET,
            answer_within_seconds=ANSWER_WITHIN_SECONDS,
        )

    t_cf, frac_c = median_seconds(wfm_c_fractional, args.repeats)
    consistent = bool(np.all(np.ceil(frac_c - 1e-9) == agents_c))
    print(
        f"wfm Erlang C fractional requirement, year: {t_cf:.4f} s "
        f"(ceil equals the integer answer on every row: {consistent})"
    )

    week = traffic[:WEEK_ROWS]

    def wfm_a() -> Any:
        return erlang.agents_for_erlang_a(
            week,
            aht_seconds=AHT_SECONDS,
            patience_seconds=PATIENCE_SECONDS,
            target=TARGET,
            answer_within_seconds=ANSWER_WITHIN_SECONDS,
        )

    t_a, agents_a = median_seconds(wfm_a, args.repeats)
    print(
        f"wfm Erlang A minimal agents, week ({week.size} rows, patience "
        f"{PATIENCE_SECONDS:g} s): {t_a:.4f} s"
    )
    below = int((agents_a < np.ceil(week)).sum())
    print(f"  Erlang A rows staffed below the offered load (stable in M/M/n+M): {below}")
    print()

    try:
        import pyworkforce
    except ImportError:
        print("pyworkforce: not importable, peer comparison skipped")
        return 0
    version = getattr(pyworkforce, "__version__", "unknown version")
    try:
        from importlib.metadata import version as dist_version

        version = dist_version("pyworkforce")
    except Exception:  # the version is informative only
        pass
    subset = calls[: min(args.peer_rows, calls.size)]
    t_peer_subset, _ = median_seconds(lambda: pyworkforce_agents(subset), args.repeats)
    t_peer_year = t_peer_subset * calls.size / subset.size
    print(
        f"pyworkforce {version} ErlangC, {subset.size} rows: {t_peer_subset:.3f} s "
        f"-> scaled to the year: {t_peer_year:.2f} s"
    )
    start = time.perf_counter()
    peer_agents = pyworkforce_agents(calls)
    t_peer_full = time.perf_counter() - start
    print(f"pyworkforce ErlangC, whole year, one run: {t_peer_full:.2f} s")
    print(f"speed ratio (pyworkforce year / wfm year): {t_peer_full / t_c:.0f}x")
    diff = peer_agents - agents_c
    differ = np.flatnonzero(diff)
    print(
        f"answers: {calls.size - differ.size} of {calls.size} rows identical, {differ.size} differ"
    )
    if differ.size:
        values, counts = np.unique(diff[differ], return_counts=True)
        detail = ", ".join(f"{v:+d} agents: {c} rows" for v, c in zip(values, counts, strict=True))
        print(f"  pyworkforce minus wfm: {detail}")
        i = int(differ[0])
        a = float(traffic[i])
        lower = int(min(agents_c[i], peer_agents[i]))
        sl = erlang.service_level(
            a, lower, aht_seconds=AHT_SECONDS, answer_within_seconds=ANSWER_WITHIN_SECONDS
        )
        print(
            f"  e.g. row {i}: {calls[i]:.0f} calls = {a:.3f} erlangs; wfm {agents_c[i]}, "
            f"pyworkforce {peer_agents[i]}; service level at {lower} agents = {sl:.5f}"
        )
    has_erlang_a = hasattr(pyworkforce, "ErlangA") or hasattr(
        __import__("pyworkforce.queuing", fromlist=["queuing"]), "ErlangA"
    )
    if not has_erlang_a:
        print(f"pyworkforce {version} has no Erlang A model: Erlang A peer comparison skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
