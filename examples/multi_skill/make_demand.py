"""Build the multi-skill example's demand per queue from the Anonymous Bank call log.

The example centre's voice, chat and e-mail queues take their intraday
volume curves, day totals and handle times from the call types of the
"Anonymous Bank" log (Brown et al. 2005, "Statistical analysis of a
telephone call center: a queueing-science perspective", JASA 100:36-50;
1-14 February 1999, 17,456 calls), scaled to a centre of about 120 agents:

========== ===================================== ===========================
queue      curve and day totals from type        handle time
========== ===================================== ===========================
support    PS (regular service)                  PS mean talk time
support_en PS curve, 12 % of support's volume    PE (regular, English) mean
sales      NW (prospective customers)            NW mean
sales_en   NW curve, 12 % of sales' volume       NW mean x PE/PS
chat       IN (internet support) day totals,     IN mean
           PS curve (IN has 10 calls a day)
email      TT (call-back requests left in the    assumed 360 s (a call-back
           queue: work done later)               is not an e-mail)
========== ===================================== ===========================

The bank works Sunday to Thursday, and Friday mornings; the example's week
is Monday to Saturday: the bank's Sunday to Thursday become Monday to
Friday, its Friday becomes Saturday. Each queue's curve is the mean over the
log's days of that weekday class (Sunday-Thursday or Friday), per 15
minutes, smoothed over three intervals; calls outside the centre's hours
(08:00-22:00 Monday to Friday, 08:00-14:00 Saturday) are left out.

The log also shows how cross-trained a real centre is: printed at the end,
the sets of call types the bank's agents each answered (most of its 24
agents took three or four types; one took regular service alone), which is
why the example's teams hold two or three skills each.

Run (the log is the shared data set's ``calls_1999-02-01_14.tsv``)::

    python examples/multi_skill/make_demand.py LOG -o examples/multi_skill/demand.csv
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

WEEK_START = dt.date(2027, 2, 1)  # a Monday
INTERVAL_MINUTES = 15
#: Volume scale of the bank's call types to the example centre.
SCALE = {"support": 5.0, "support_en": 0.6, "sales": 5.0, "sales_en": 0.6, "chat": 40.0}
EMAIL_SCALE = 15.0
EMAIL_AHT_SECONDS = 360.0
OPEN = {"weekday": (dt.time(8), dt.time(22)), "saturday": (dt.time(8), dt.time(14))}


def _read(path: Path) -> pd.DataFrame:
    log = pd.read_csv(path, sep="\t", dtype={"date": str})
    log = log[log["outcome"] != "PHANTOM"].copy()
    day = pd.to_datetime(log["date"], format="%y%m%d")
    clock = pd.to_timedelta(log["vru_entry"])
    log["day"] = day.dt.date
    log["minute"] = (clock.dt.total_seconds() // 60).astype(int)
    return log


def _curves(log: pd.DataFrame, call_type: str) -> dict[str, np.ndarray]:
    """Mean calls per 15-minute interval of the day, per weekday class of the bank."""
    per_day = 1440 // INTERVAL_MINUTES
    rows = log[log["type"] == call_type]
    result: dict[str, np.ndarray] = {}
    days = pd.Series(sorted(set(log["day"])))
    weekday = days.map(lambda d: d.weekday())
    for name, members in (("weekday", {6, 0, 1, 2, 3}), ("saturday", {4})):
        chosen = set(days[weekday.isin(members)])
        counts = np.zeros(per_day)
        slot = rows.loc[rows["day"].isin(chosen), "minute"] // INTERVAL_MINUTES
        np.add.at(counts, slot.to_numpy(), 1.0)
        counts /= len(chosen)
        smooth = np.convolve(np.r_[counts[-1], counts, counts[0]], np.ones(3) / 3, "valid")
        result[name] = smooth
    return result


def _mean_talk(log: pd.DataFrame, call_type: str) -> float:
    answered = log[(log["type"] == call_type) & (log["outcome"] == "AGENT") & (log["ser_time"] > 0)]
    return float(answered["ser_time"].mean())


def _day_totals(log: pd.DataFrame, call_type: str) -> dict[str, float]:
    rows = log[log["type"] == call_type]
    days = pd.Series(sorted(set(log["day"])))
    totals = rows.groupby("day").size().reindex(days, fill_value=0)
    weekday = days.map(lambda d: d.weekday()).to_numpy()
    return {
        "weekday": float(totals[np.isin(weekday, [6, 0, 1, 2, 3])].mean()),
        "saturday": float(totals[weekday == 4].mean()),
    }


def build(log_path: Path) -> pd.DataFrame:
    """The week's demand per queue: ``interval_start, queue, calls, aht_seconds``."""
    log = _read(log_path)
    ps, nw, intr, tt = (_curves(log, t) for t in ("PS", "NW", "IN", "TT"))
    aht = {t: _mean_talk(log, t) for t in ("PS", "PE", "NW", "IN")}
    chat_curve = {
        k: ps[k] / ps[k].sum() * _day_totals(log, "IN")[k] for k in ("weekday", "saturday")
    }
    del intr
    queues = {
        "support": (ps, SCALE["support"], aht["PS"]),
        "support_en": (ps, SCALE["support_en"], aht["PE"]),
        "sales": (nw, SCALE["sales"], aht["NW"]),
        "sales_en": (nw, SCALE["sales_en"], aht["NW"] * aht["PE"] / aht["PS"]),
        "chat": (chat_curve, SCALE["chat"], aht["IN"]),
        "email": (tt, EMAIL_SCALE, EMAIL_AHT_SECONDS),
    }
    per_day = 1440 // INTERVAL_MINUTES
    rows = []
    for offset in range(6):
        day = WEEK_START + dt.timedelta(days=offset)
        kind = "saturday" if day.weekday() == 5 else "weekday"
        opens, closes = OPEN[kind]
        first = (opens.hour * 60 + opens.minute) // INTERVAL_MINUTES
        last = (closes.hour * 60 + closes.minute) // INTERVAL_MINUTES
        for queue, (curve, scale, handle) in queues.items():
            for slot in range(first, min(last, per_day)):
                start = dt.datetime.combine(day, dt.time()) + dt.timedelta(
                    minutes=slot * INTERVAL_MINUTES
                )
                rows.append(
                    {
                        "interval_start": start,
                        "queue": queue,
                        "calls": round(float(curve[kind][slot] * scale), 2),
                        "aht_seconds": round(handle, 1),
                    }
                )
    return pd.DataFrame(rows)


def observed_skill_sets(log_path: Path, *, min_calls: int = 10) -> pd.Series:
    """How many of the bank's agents served each set of call types (>= ``min_calls`` each)."""
    log = _read(log_path)
    answered = log[(log["outcome"] == "AGENT") & (log["server"] != "NO_SERVER")]
    counts = pd.crosstab(answered["server"], answered["type"])
    sets = counts.apply(
        lambda row: " ".join(t for t in counts.columns if row[t] >= min_calls), axis=1
    )
    return sets[sets != ""].value_counts()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="calls_1999-02-01_14.tsv of the Anonymous Bank")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    demand = build(args.log)
    demand.to_csv(args.output, index=False, date_format="%Y-%m-%d %H:%M")
    totals = (
        demand.assign(work_hours=demand["calls"] * demand["aht_seconds"] / 3600)
        .groupby("queue")[["calls", "work_hours"]]
        .sum()
    )
    print(totals.round(1).to_string())
    print("\nthe bank's agents by the call types each answered (10 calls or more of each):")
    print(observed_skill_sets(args.log).to_string())


if __name__ == "__main__":
    main()
