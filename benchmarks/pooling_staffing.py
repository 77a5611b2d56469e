"""Pooling gain of multi-skill staffing on a real day of five call types.

The day: the mean Sunday-Thursday of the Anonymous Bank log (1-14 February
1999, Brown et al. 2005; the centre's working days), read with the shipped
mapping ``examples/call_logs/anonymous_bank_mapping.yaml``: per call type
``PS`` (regular), ``PE`` (regular in English), ``IN`` (internet support),
``NE`` (stock exchange) and ``NW`` (prospective customers), the calls offered
(answered or abandoned in the queue) per 30-minute interval from 07:00 to
24:00, averaged over the ten working days, and the mean talk time of the
type's answered calls over the fortnight as its AHT. Call-back requests
(``TT``) are left out. Every type is a voice queue at 80 % answered within
20 s (Erlang C), 30 % shrinkage.

Designs of skill groups (``wfm.pooling.pooled_requirements``, one LP per
interval, every set of the five queues constrained):

- ``specialists``: one group per type (the sum of singles; gain 0);
- ``specialists + 20 % generalists``: those and a group serving all five
  types, at most 20 % of each interval's agents;
- ``pairs``: ``PS+PE`` (the regular service in both languages), ``IN+NE``
  (internet and stock exchange) and ``NW`` alone;
- ``as in the log``: the groups of the types each agent actually served in
  the fortnight (``wfm.queues.skill_groups`` on the served types);
- ``all generalists``: one group serving every type (the merged queue).

Reported per design and volume scale: agent-hours scheduled with each queue
staffed alone and by the LP, the pooling gain, and the median wall time
of ``--repeats`` runs.

Usage::

    python benchmarks/pooling_staffing.py [--data PATH] [--scale 1 4] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pandas as pd

from wfm.actuals import CallLogMapping, read_call_log
from wfm.channels import queue_requirements
from wfm.pooling import pooled_requirements
from wfm.queues import Queue, QueueSet, Skill, skill_groups
from wfm.service import ServicePolicy

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "anonymous_bank_1999" / "calls_1999-02-01_14.tsv"
MAPPING = ROOT / "examples" / "call_logs" / "anonymous_bank_mapping.yaml"
TYPES = ("PS", "PE", "IN", "NE", "NW")
INTERVAL_MINUTES = 30
SHRINKAGE = 0.3
OPEN_HOURS = (7, 24)
DAY = pd.Timestamp("1999-02-15")  # the mean working day is laid on one date


def mean_working_day(contacts: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, float]]:
    """Demand of the mean Sunday-Thursday (long table) and the AHT of each type."""
    offered = contacts[contacts["queue"].isin(TYPES)].copy()
    weekday = offered["arrival"].dt.day_of_week  # Monday = 0, Sunday = 6
    offered = offered[weekday.isin([6, 0, 1, 2, 3])]
    days = offered["arrival"].dt.normalize().nunique()
    answered = offered[offered["outcome"] == "answered"]
    aht = {t: float(answered.loc[answered["queue"] == t, "handle_seconds"].mean()) for t in TYPES}
    step = pd.Timedelta(minutes=INTERVAL_MINUTES)
    clock = offered["arrival"] - offered["arrival"].dt.normalize()
    offered["slot"] = (clock // step).astype(int)
    counts = offered.groupby(["queue", "slot"]).size()
    first, last = (h * 60 // INTERVAL_MINUTES for h in OPEN_HOURS)
    rows = []
    for t in TYPES:
        for slot in range(first, last):
            rows.append(
                {
                    "interval_start": DAY + slot * step,
                    "queue": t,
                    "calls": float(counts.get((t, slot), 0)) / days,
                    "aht_seconds": aht[t],
                }
            )
    return pd.DataFrame(rows), aht


def log_groups(contacts: pd.DataFrame) -> list[tuple[str, ...]]:
    """Skill groups of the agents, from the types each one served."""
    served = contacts[(contacts["outcome"] == "answered") & contacts["queue"].isin(TYPES)]
    served = served[served["agent_id"].notna()]
    skills = [
        tuple(Skill(queue=q) for q in sorted(set(types)))
        for _, types in served.groupby("agent_id")["queue"]
    ]
    groups, _ = skill_groups(skills)
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the bank call log (TSV)")
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0, 4.0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per row (median wall time)")
    args = parser.parse_args()
    contacts = read_call_log(args.data, CallLogMapping.from_yaml(MAPPING)).contacts
    demand, aht = mean_working_day(contacts)
    policy = ServicePolicy.parse("0.8/20", shrinkage=SHRINKAGE)
    centre = QueueSet(
        queues=tuple(Queue(name=t, service=policy) for t in TYPES), shrinkage=SHRINKAGE
    )
    from_log = log_groups(contacts)
    everyone = [TYPES]
    specialists = [(t,) for t in TYPES]
    designs = [
        ("specialists", specialists, None),
        ("specialists + 20 % generalists", [*specialists, TYPES], [*[None] * 5, 0.2]),
        ("pairs PS+PE, IN+NE, NW", [("PS", "PE"), ("IN", "NE"), ("NW",)], None),
        (f"as in the log ({len(from_log)} groups)", from_log, None),
        ("all generalists", everyone, None),
    ]
    hours = INTERVAL_MINUTES / 60.0
    alone = queue_requirements(demand, centre, interval_minutes=INTERVAL_MINUTES)
    print("Each type alone on the mean working day (x1):")
    print()
    print(
        "| type | calls | AHT s | work agent-hours on the phone | scheduled agent-hours "
        "(fractional) | scheduled agent-hours (whole agents) |"
    )
    print("|---|---|---|---|---|---|")
    for t in TYPES:
        rows = alone[alone["queue"] == t]
        print(
            f"| {t} | {rows['calls'].sum():.0f} | {aht[t]:.0f} "
            f"| {rows['traffic_erlangs'].sum() * hours:.1f} "
            f"| {rows['required_scheduled_fractional'].sum() * hours:.1f} "
            f"| {rows['required_scheduled'].sum() * hours:.1f} |"
        )
    print()
    print(
        "| volume | design | separate scheduled agent-hours | pooled | gain agent-hours "
        "| gain % | median wall s |"
    )
    print("|---|---|---|---|---|---|---|")
    for scale in args.scale:
        scaled = demand.assign(calls=demand["calls"] * scale)
        table = queue_requirements(scaled, centre, interval_minutes=INTERVAL_MINUTES)
        for label, groups, shares in designs:
            walls = []
            for _ in range(args.repeats):
                began = time.perf_counter()
                result = pooled_requirements(table, centre, groups, max_shares=shares)
                walls.append(time.perf_counter() - began)
            wall = statistics.median(walls)
            s = result.summary
            print(
                f"| x{scale:g} | {label} | {s.separate_scheduled_agent_hours:.1f} "
                f"| {s.pooled_scheduled_agent_hours:.1f} "
                f"| {s.pooling_gain_scheduled_agent_hours:.1f} "
                f"| {s.pooling_gain_percent:.1f} | {wall:.2f} |"
            )
    print()
    print("groups as in the log: " + "; ".join("+".join(g) for g in from_log))


if __name__ == "__main__":
    main()
