"""Draw ``benchmarks/scaling.png``: solve times and optimality gaps against agents.

Usage (from the repository root; needs matplotlib, ``pip install -e .[bench]``)::

    python benchmarks/plot_scaling.py [benchmarks/results/quick_scaling.csv ...]

With several CSV files (for example the 15- and 30-minute scaling runs) each
is drawn as its own series, labelled by the file name.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def plot(*csv_paths: Path, output: Path = HERE / "scaling.png") -> Path:
    """Plot the scaling results of ``csv_paths`` into ``output`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    markers = "os^vD"
    for k, path in enumerate(csv_paths):
        frame = pd.read_csv(path).sort_values("agents")
        tag = path.stem
        m = markers[k % len(markers)]
        left.plot(
            frame["agents"], frame["first_solution_seconds"], f"-{m}", label=f"first roster ({tag})"
        )
        left.plot(
            frame["agents"],
            frame["within_1pct_seconds"],
            f"--{m}",
            label=f"within 1% of final ({tag})",
        )
        left.plot(frame["agents"], frame["total_seconds"], f":{m}", label=f"whole run ({tag})")
        right.plot(
            frame["agents"], 100 * frame["relative_gap"], f"-{m}", label=f"CP-SAT gap % ({tag})"
        )
        right.plot(
            frame["agents"],
            frame["under_above_lb_pct"],
            f"--{m}",
            label=f"under-staffing above LP bound % ({tag})",
        )
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    sizes = sorted({int(a) for path in csv_paths for a in pd.read_csv(path)["agents"]})
    for axis in (left, right):
        axis.set_xscale("log")
        axis.set_xticks(sizes)
        axis.xaxis.set_major_formatter(ScalarFormatter())
        axis.xaxis.set_minor_formatter(NullFormatter())
        axis.set_xlabel("agents")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    left.set_yscale("log")
    left.yaxis.set_major_formatter(ScalarFormatter())
    left.yaxis.set_minor_formatter(NullFormatter())
    low, high = left.get_ylim()
    left.set_yticks([t for t in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500) if low <= t <= high])
    left.set_ylabel("seconds")
    left.set_title("Time (2 workers)")
    right.set_ylabel("%")
    right.set_title("Distance from optimal at the time limit")
    fig.tight_layout()
    fig.savefig(output, dpi=110)
    plt.close(fig)
    return output


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "csv",
        nargs="*",
        type=Path,
        default=[HERE / "results" / "quick_scaling.csv"],
        help="scaling result CSV files (default: results/quick_scaling.csv)",
    )
    parser.add_argument("-o", "--output", type=Path, default=HERE / "scaling.png")
    args = parser.parse_args(argv)
    print(plot(*args.csv, output=args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
