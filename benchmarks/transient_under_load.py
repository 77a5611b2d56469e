"""Time the transient queue of a roster's week idle and beside CPU-bound processes.

The coverage table of every roster gets its ``service_level`` from
:func:`wfm.transient.transient_service`. Its cost on a busy machine decides
how far a roster run goes past its time limit (the table is built after the
search). This script times it on one week's ``coverage.csv`` (written by
``wfm roster``) with 0, 1 and 2 extra CPU-bound processes on the machine.

Usage::

    wfm roster examples/contact_center/scenario.yaml -o out/
    python benchmarks/transient_under_load.py out/coverage.csv --repeats 5
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time

import pandas as pd

from wfm.transient import transient_service


def _burn() -> None:  # pragma: no cover - runs in a child process until terminated
    while True:
        pass


def _times(coverage: pd.DataFrame, repeats: int) -> list[float]:
    calls = coverage["calls"].to_numpy(dtype=float)
    aht = coverage["aht_seconds"].fillna(300.0).to_numpy(dtype=float)
    on_phone = coverage["coverage_on_phone"].to_numpy(dtype=float)
    out = []
    for _ in range(repeats):
        begin = time.perf_counter()
        transient_service(
            calls,
            aht_seconds=aht,
            agents_on_phone=on_phone,
            interval_minutes=15,
            answer_within_seconds=20.0,
        )
        out.append(time.perf_counter() - begin)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("coverage", help="coverage.csv of a 15-minute roster week")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    coverage = pd.read_csv(args.coverage)
    print("| extra CPU-bound processes | median s | min s | max s | load average |")
    print("| --- | --- | --- | --- | --- |")
    for extra in (0, 1, 2):
        burners = [multiprocessing.Process(target=_burn, daemon=True) for _ in range(extra)]
        for b in burners:
            b.start()
        time.sleep(1.0)
        times = _times(coverage, args.repeats)
        load = os.getloadavg()[0]
        for b in burners:
            b.terminate()
        print(
            f"| {extra} | {statistics.median(times):.2f} | {min(times):.2f} | "
            f"{max(times):.2f} | {load:.2f} |"
        )


if __name__ == "__main__":
    main()
