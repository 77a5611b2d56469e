"""Cost against service: the efficient frontier of a sweep and its chart.

A case is *efficient* when no other case of its group costs no more and
serves at least as well, one of the two strictly. The group holds the cases
that differ only by the *decision* (by default the first varied setting,
e.g. ``service.target``): the other settings (shrinkage, AHT, ...) describe
the world the decision is taken in, so cases of different worlds are never
compared.

The chart is a PNG drawn with matplotlib (``pip install 'wfm[bench]'``): one
line per group through its cases in order of cost, efficient cases filled,
dominated ones hollow, each labelled with its decision value. A static image
was chosen over an interactive Plotly page because a frontier is a handful
of points that planners paste into a slide or an e-mail, because it shows in
the README as it is, and because a self-contained Plotly page weighs about
5 MB where this PNG is about 100 KB.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.errors import ValidationError
from wfm.sweep.cases import Stage

__all__ = ["efficient_frontier", "frontier_axes", "write_frontier_chart"]

_AXES: dict[str, tuple[str, str]] = {
    "requirements": ("required_scheduled_agent_hours", "service_level_at_requirement"),
    "roster": ("paid_cost", "service_level_rostered"),
    "simulate": ("paid_cost", "service_level_simulated"),
}

_LABELS = {
    "required_scheduled_agent_hours": "required agent-hours (scheduled)",
    "paid_cost": "paid cost",
    "paid_hours": "paid hours",
    "service_level_at_requirement": "service level at the requirement",
    "service_level_rostered": "service level of the roster",
    "service_level_simulated": "simulated service level",
}


def frontier_axes(stage: Stage, table: pd.DataFrame | None = None) -> tuple[str, str]:
    """The cost and service columns of a stage's frontier.

    At the roster stages the cost is ``paid_cost``, or ``paid_hours`` when a
    case has no paid cost.
    """
    cost, service = _AXES[stage]
    if cost == "paid_cost" and table is not None and "paid_cost" in table:
        rostered = table["paid_hours"].notna()
        if table.loc[rostered, "paid_cost"].isna().any():
            cost = "paid_hours"
    return cost, service


def efficient_frontier(
    table: pd.DataFrame, *, cost: str, service: str, groups: Sequence[str] = ()
) -> pd.Series:
    """Which rows are efficient within their group (see the module docstring).

    Parameters
    ----------
    table
        One row per case.
    cost, service
        Column to minimise and column to maximise.
    groups
        Columns whose values define the groups (none: one group).

    Returns
    -------
    pandas.Series of bool
        On the table's index; a row without both figures is not efficient.
    """
    for column in (cost, service, *groups):
        if column not in table.columns:
            raise ValidationError(
                "frontier", column, f"a column of the table {list(table.columns)}"
            )
    efficient = pd.Series(False, index=table.index)
    keys = list(groups)
    parts = table.groupby(keys, sort=False, dropna=False) if keys else [((), table)]
    for _, part in parts:
        c = pd.to_numeric(part[cost], errors="coerce").to_numpy(dtype=float)
        s = pd.to_numeric(part[service], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(c) & np.isfinite(s)
        # dominated[i]: some j costs no more and serves no worse, one strictly
        no_worse = (c[None, :] <= c[:, None]) & (s[None, :] >= s[:, None])
        better = (c[None, :] < c[:, None]) | (s[None, :] > s[:, None])
        dominated = (no_worse & better & ok[None, :]).any(axis=1)
        efficient.loc[part.index] = ok & ~dominated
    return efficient


def write_frontier_chart(
    table: pd.DataFrame,
    path: str | Path,
    *,
    cost: str,
    service: str,
    decision: str,
    groups: Sequence[str] = (),
    title: str = "",
) -> Path:
    """Draw cost against service, one line per group, as a PNG at ``path``.

    ``table`` needs the ``on_frontier`` column (:func:`efficient_frontier`).

    Raises
    ------
    ImportError
        matplotlib is not installed (``pip install 'wfm[bench]'``).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    data = table[pd.to_numeric(table[cost], errors="coerce").notna()]
    data = data[pd.to_numeric(data[service], errors="coerce").notna()]
    fig, ax = plt.subplots(figsize=(10, 5.2), dpi=110)
    keys = list(groups)
    parts = list(data.groupby(keys, sort=False, dropna=False)) if keys else [((), data)]
    colours = plt.get_cmap("tab10")
    for n, (values, part) in enumerate(parts):
        values = values if isinstance(values, tuple) else (values,)
        label = ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=True)) or "all cases"
        part = part.sort_values(cost)
        colour = colours(n % 10)
        x = part[cost].to_numpy(dtype=float)
        y = 100 * part[service].to_numpy(dtype=float)
        ax.plot(x, y, "-", color=colour, alpha=0.6, label=label)
        on = part["on_frontier"].to_numpy(dtype=bool)
        ax.scatter(x[on], y[on], color=colour, s=36, zorder=3)
        ax.scatter(x[~on], y[~on], facecolors="white", edgecolors=colour, s=36, zorder=3)
        for xi, yi, value in zip(x, y, part[decision], strict=True):
            ax.annotate(f"{value}", (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.set_xlabel(_LABELS.get(cost, cost))
    ax.set_ylabel(f"{_LABELS.get(service, service)} (%)")
    ax.set_title(title or f"Cost against service, labelled by {decision}", fontsize=11)
    ax.grid(alpha=0.3)
    fig.text(
        0.99,
        0.01,
        "filled: efficient in its line (nothing cheaper serves as well); hollow: dominated",
        ha="right",
        va="bottom",
        fontsize=7,
        color="0.35",
    )
    if len(parts) > 1 or keys:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
