"""Regenerate ``examples/contact_center/history.csv`` deterministically.

Twenty weeks of 15-minute history ending Sunday 2027-01-03, so that the week
to plan is Monday 2027-01-04 .. Sunday 2027-01-10. Open Monday-Friday
08:00-20:00 and Saturday-Sunday 09:00-18:00; closed on 2026-12-25,
2026-12-26 and 2027-01-01 (those days are absent).

Usage::

    python examples/make_history.py [--output PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from wfm.datasets.history import synthetic_history

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Write the example history CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=HERE / "contact_center" / "history.csv",
        help="where to write the CSV (default: examples/contact_center/history.csv)",
    )
    args = parser.parse_args()
    history = synthetic_history(
        start="2026-08-17",
        weeks=20,
        interval_minutes=15,
        seed=2027,
        peak_calls=95.0,
        holidays=("2026-12-25", "2026-12-26", "2027-01-01"),
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    history.to_csv(args.output, index=False, date_format="%Y-%m-%d %H:%M", float_format="%.1f")
    print(f"wrote {len(history)} rows to {args.output}")


if __name__ == "__main__":
    main()
