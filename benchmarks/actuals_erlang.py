"""Predicted vs actual service level on a real call log: Erlang C vs Erlang A.

On the Anonymous Bank log (1-14 February 1999, Brown et al. 2005), read with
the shipped mapping ``examples/call_logs/anonymous_bank_mapping.yaml``, per
30-minute interval (the interval of each call's arrival):

- actual: ``service_level`` of :func:`wfm.kpis.kpi_table` (answered within
  ``T`` over offered, abandoned calls counted as not answered in time);
- predicted from what actually happened in the interval: the offered calls,
  their AHT and the agents actually there, with Erlang C
  (:func:`wfm.erlang.service_level`) and Erlang A
  (:func:`wfm.erlang.erlang_a_service_level`) with the patience estimated
  from the whole log (total queue wait / abandonments, Brown et al. 2005).

The log has no log-in times, so "the agents actually there" is estimated
three ways (``--agents``), and the answer depends on it more than on the model:

- ``served``: distinct agents busy at some moment of the interval
  (``agents_served``), an upper bound: one short call makes a whole agent;
- ``on_duty``: each agent's services of a day merged into blocks wherever the
  idle gap is at most ``--gap-minutes``; the agent counts as on duty from the
  start to the end of a block, time-weighted over the interval;
- ``busy``: mean agents busy (``busy_seconds`` / interval seconds), a lower
  bound: agents never idle.

Both models give the service level per offered call, the same convention as
the actual figure. Reported: mean absolute error and bias (predicted -
actual) over the intervals with at least ``--min-calls`` offered calls, a
positive agent count and a known AHT; one row per agent count, threshold
``T`` and minimum.

Usage::

    python benchmarks/actuals_erlang.py [--data PATH] [--answer-within 20 60] [--min-calls 20]
        [--agents served on_duty busy] [--gap-minutes 5 15 30]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from wfm import erlang
from wfm.actuals import CallLogMapping, estimate_patience, read_call_log
from wfm.kpis import KpiSettings, kpi_table

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "anonymous_bank_1999" / "calls_1999-02-01_14.tsv"
MAPPING = ROOT / "examples" / "call_logs" / "anonymous_bank_mapping.yaml"
INTERVAL_MINUTES = 30


def agents_on_duty(contacts: pd.DataFrame, *, gap_minutes: float) -> pd.Series:
    """Time-weighted agents on duty per interval, from the service records alone.

    Each agent's services of a day are merged into blocks wherever the idle
    gap between the end of one and the start of the next is at most
    ``gap_minutes``; the agent counts as on duty from the start of a block to
    its end. The result is the mean number of agents on duty in the interval
    (on-duty seconds / interval seconds), indexed by ``interval_start``.
    """
    served = contacts[(contacts["outcome"] == "answered") & contacts["agent_id"].notna()]
    start = served["arrival"] + pd.to_timedelta(served["wait_seconds"], unit="s")
    end = start + pd.to_timedelta(served["handle_seconds"].fillna(0.0), unit="s")
    frame = pd.DataFrame({"agent": served["agent_id"], "start": start, "end": end})
    frame = frame.sort_values(["agent", "start"])
    gap = pd.Timedelta(minutes=gap_minutes)
    previous_end = frame.groupby("agent")["end"].cummax().groupby(frame["agent"]).shift(1)
    new_block = (
        previous_end.isna()
        | (frame["start"] - previous_end > gap)
        | (frame["start"].dt.normalize() != previous_end.dt.normalize())
    )
    frame["block"] = new_block.cumsum()
    blocks = frame.groupby("block").agg(start=("start", "min"), end=("end", "max"))
    step = pd.Timedelta(minutes=INTERVAL_MINUTES)
    seconds: dict[pd.Timestamp, float] = {}
    for lo, hi in zip(blocks["start"], blocks["end"], strict=True):
        cell = lo.floor(step)
        while cell < hi:
            overlap = (min(hi, cell + step) - max(lo, cell)).total_seconds()
            seconds[cell] = seconds.get(cell, 0.0) + overlap
            cell += step
    return pd.Series(seconds).sort_index() / step.total_seconds()


def predicted_vs_actual(
    contacts: pd.DataFrame,
    *,
    answer_within_seconds: float,
    patience_seconds: float,
    agents: str,
    gap_minutes: float = 15.0,
) -> pd.DataFrame:
    """Per interval: calls, AHT, agents, actual and predicted service levels.

    ``agents`` is the agent count given to the models: ``"served"`` (distinct
    agents busy in the interval, an upper bound), ``"busy"`` (mean agents
    busy, ``busy_seconds / interval seconds``, a lower bound) or ``"on_duty"``
    (:func:`agents_on_duty`).
    """
    settings = KpiSettings(
        interval_minutes=INTERVAL_MINUTES, answer_within_seconds=answer_within_seconds
    )
    table = kpi_table(contacts, period="interval", settings=settings)
    if agents == "served":
        table["agents"] = table["agents_served"].astype(float)
    elif agents == "busy":
        table["agents"] = table["busy_seconds"] / (60.0 * INTERVAL_MINUTES)
    else:
        duty = agents_on_duty(contacts, gap_minutes=gap_minutes)
        table["agents"] = table["interval_start"].map(duty).fillna(0.0).to_numpy()
    usable = (table["offered"] > 0) & (table["agents"] > 0) & table["aht_seconds"].notna()
    table = table[usable].reset_index(drop=True)
    traffic = erlang.traffic_erlangs(
        calls=table["offered"].to_numpy(dtype=float),
        aht_seconds=table["aht_seconds"].to_numpy(),
        interval_minutes=INTERVAL_MINUTES,
    )
    n = table["agents"].to_numpy(dtype=float)
    aht = table["aht_seconds"].to_numpy()
    table["erlang_c"] = erlang.service_level(
        traffic=traffic, agents=n, aht_seconds=aht, answer_within_seconds=answer_within_seconds
    )
    table["erlang_a"] = erlang.erlang_a_service_level(
        traffic=traffic,
        agents=n,
        aht_seconds=aht,
        patience_seconds=patience_seconds,
        answer_within_seconds=answer_within_seconds,
    )
    return table


def errors(table: pd.DataFrame, min_calls: int) -> dict[str, float]:
    """MAE and bias of each model over intervals with at least ``min_calls`` offered."""
    chosen = table[table["offered"] >= min_calls]
    actual = chosen["service_level"].to_numpy()
    out: dict[str, float] = {"intervals": float(len(chosen))}
    for model in ("erlang_c", "erlang_a"):
        diff = chosen[model].to_numpy() - actual
        out[f"{model}_mae"] = float(np.mean(np.abs(diff)))
        out[f"{model}_bias"] = float(np.mean(diff))
    out["actual_mean"] = float(actual.mean())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the bank call log (TSV)")
    parser.add_argument("--answer-within", type=float, nargs="+", default=[20.0, 60.0], metavar="T")
    parser.add_argument("--min-calls", type=int, nargs="+", default=[20], metavar="N")
    parser.add_argument(
        "--agents",
        nargs="+",
        choices=("served", "on_duty", "busy"),
        default=["served", "on_duty", "busy"],
        help="agent count given to the models (see predicted_vs_actual)",
    )
    parser.add_argument(
        "--gap-minutes",
        type=float,
        nargs="+",
        default=[5.0, 15.0, 30.0],
        help="idle gaps closing an on-duty block (one row each)",
    )
    args = parser.parse_args()
    log = read_call_log(args.data, CallLogMapping.from_yaml(MAPPING))
    contacts = log.contacts.drop(columns="line")
    patience = estimate_patience(contacts)
    print(
        f"{log.summary.rows_used} offered calls; patience {patience.patience_seconds:.1f} s "
        f"({patience.total_wait_seconds:.0f} s waited / {patience.abandoned} abandoned); "
        f"{INTERVAL_MINUTES}-minute intervals"
    )
    print()
    print(
        "| agents | T s | min calls | intervals | actual SL (mean) | Erlang C MAE "
        "| Erlang C bias | Erlang A MAE | Erlang A bias |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    runs = [
        (agents, gap)
        for agents in args.agents
        for gap in (args.gap_minutes if agents == "on_duty" else [0.0])
    ]
    for agents, gap in runs:
        label = f"on duty, gap {gap:g} min" if agents == "on_duty" else agents
        for within in args.answer_within:
            table = predicted_vs_actual(
                contacts,
                answer_within_seconds=within,
                patience_seconds=patience.patience_seconds,
                agents=agents,
                gap_minutes=gap,
            )
            for min_calls in args.min_calls:
                e = errors(table, min_calls)
                print(
                    f"| {label} | {within:g} | {min_calls} | {e['intervals']:.0f} "
                    f"| {e['actual_mean']:.3f} "
                    f"| {e['erlang_c_mae']:.3f} | {e['erlang_c_bias']:+.3f} "
                    f"| {e['erlang_a_mae']:.3f} | {e['erlang_a_bias']:+.3f} |"
                )


if __name__ == "__main__":
    main()
