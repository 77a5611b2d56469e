"""Plotly figures of a roster output: coverage, Gantt, service heat map, forecast, and the
plan beside a simulation's bands and the actuals.

Each function takes a :class:`wfm.views.tables.RosterOutput` and returns a
``plotly.graph_objects.Figure``; :mod:`wfm.views.page` puts them on one page.
Plotly is imported here only, and only when a figure is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from wfm.errors import WFMError

if TYPE_CHECKING:
    from wfm.views.outcomes import Outcomes
    from wfm.views.tables import RosterOutput

__all__ = [
    "coverage_figure",
    "forecast_figure",
    "gantt_figure",
    "import_plotly",
    "outcome_figure",
    "service_heatmap_figure",
]

#: Weeks of history drawn under the forecast, each shifted onto the planned week.
HISTORY_WEEKS_SHOWN = 4

_UNDER = "rgba(214, 39, 40, 0.35)"
_OVER = "rgba(44, 160, 44, 0.30)"


def import_plotly() -> Any:
    """Return ``plotly.graph_objects``, or say how to install it."""
    try:
        import plotly.graph_objects as go
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise WFMError("the report needs plotly: pip install 'wfm[report]'") from exc
    return go


def _buttons(buttons: list[dict[str, Any]], *, active: int = 0) -> dict[str, Any]:
    """A row of buttons above the plot, left-aligned under the title; ``active`` is lit."""
    return {
        "type": "buttons",
        "active": active,
        "direction": "right",
        "buttons": buttons,
        "x": 0.0,
        "xanchor": "left",
        "y": 1.0,
        "yanchor": "bottom",
        "pad": {"b": 8},
    }


def coverage_figure(output: RosterOutput) -> Any:
    """Scheduled coverage against the requirement per interval, under/over shaded."""
    go = import_plotly()
    c = output.coverage
    where = _x_of(c["interval_start"])
    required = c["required_scheduled"].astype(float).round(2)
    covered = c["coverage_scheduled"].astype(float).round(2)
    fig = go.Figure()
    # shade between requirement and coverage: the lower curve first, then fill to it
    fig.add_trace(
        go.Scatter(**where, y=required, line={"width": 0}, showlegend=False, hoverinfo="skip")
    )
    fig.add_trace(
        go.Scatter(
            **where,
            y=covered.where(covered < required, required),
            fill="tonexty",
            fillcolor=_UNDER,
            line={"width": 0},
            name="under-staffed",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(**where, y=required, line={"width": 0}, showlegend=False, hoverinfo="skip")
    )
    fig.add_trace(
        go.Scatter(
            **where,
            y=covered.where(covered > required, required),
            fill="tonexty",
            fillcolor=_OVER,
            line={"width": 0},
            name="over-staffed",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            **where,
            y=required,
            name="required (scheduled)",
            line={"color": "black", "width": 1.5, "shape": "hv"},
        )
    )
    fig.add_trace(
        go.Scatter(
            **where,
            y=covered,
            name="coverage (scheduled)",
            line={"color": "#1f77b4", "width": 1.5, "shape": "hv"},
        )
    )
    days = sorted(c["interval_start"].dt.normalize().unique())
    buttons = [
        {"label": "week", "method": "relayout", "args": [{"xaxis.autorange": True}]},
        *(
            {
                "label": pd.Timestamp(day).strftime("%a %d"),
                "method": "relayout",
                "args": [
                    {
                        "xaxis.range": [
                            pd.Timestamp(day).isoformat(),
                            (pd.Timestamp(day) + pd.Timedelta(days=1)).isoformat(),
                        ]
                    }
                ],
            }
            for day in days
        ),
    ]
    fig.update_layout(
        title="Coverage against requirement per interval (agents scheduled)",
        yaxis_title="agents",
        hovermode="x unified",
        updatemenus=[_buttons(buttons)],
        height=420,
        margin={"t": 110},
    )
    return fig


def _agent_order(output: RosterOutput) -> dict[str, list[str]]:
    roster = output.roster
    first = roster.sort_values("start").groupby("agent_id").first()
    minutes = first["start"].dt.hour * 60 + first["start"].dt.minute
    orders = {
        "agent": sorted(roster["agent_id"].unique()),
        "start": list(minutes.sort_values(kind="stable").index),
    }
    groups: dict[str, pd.Series] = {"template": first["template"]}
    if output.agents is not None:
        info = output.agents.set_index("agent_id")
        for column in ("contract", "team"):
            if column in info.columns:
                groups[column] = info[column].reindex(first.index).fillna("")
    for name, keys in groups.items():
        frame = pd.DataFrame({"key": keys.astype(str), "minutes": minutes})
        orders[name] = list(frame.sort_values(["key", "minutes"], kind="stable").index)
    return orders


def gantt_figure(output: RosterOutput) -> Any:
    """The roster as agents x time: shifts as bars, breaks and lunches marked on them.

    Buttons sort the agents by id, first start time, template, and by contract
    and team when ``agents.csv`` gives them.
    """
    go = import_plotly()
    roster, breaks = output.roster, output.breaks
    fig = go.Figure()
    for template, shifts in roster.groupby("template"):
        fig.add_trace(
            go.Bar(
                y=shifts["agent_id"],
                x=(shifts["end"] - shifts["start"]).dt.total_seconds() * 1000.0,
                base=shifts["start"],
                orientation="h",
                name=f"shift: {template}",
                customdata=shifts[["date", "paid_minutes"]],
                hovertemplate="%{y} %{base|%a %H:%M}; paid %{customdata[1]} min<extra></extra>",
            )
        )
    for paid, rows in breaks.groupby("paid"):
        fig.add_trace(
            go.Bar(
                y=rows["agent_id"],
                x=(rows["end"] - rows["start"]).dt.total_seconds() * 1000.0,
                base=rows["start"],
                orientation="h",
                name="paid break" if bool(paid) else "unpaid break / lunch",
                marker={"color": "#ffffff" if bool(paid) else "#444444"},
                customdata=rows[["break"]],
                hovertemplate="%{y} %{customdata[0]} %{base|%a %H:%M}<extra></extra>",
            )
        )
    orders = _agent_order(output)
    buttons = [
        {
            "label": f"sort by {name}",
            "method": "relayout",
            "args": [{"yaxis.categoryarray": order[::-1], "yaxis.categoryorder": "array"}],
        }
        for name, order in orders.items()
    ]
    agents = len(orders["agent"])
    fig.update_layout(
        title="Roster (agents x time); breaks in white, unpaid breaks and lunches in grey",
        barmode="overlay",
        xaxis={"type": "date"},
        yaxis={
            "categoryorder": "array",
            "categoryarray": orders["start"][::-1],
            "tickfont": {"size": 9},
        },
        # the chart opens sorted by first start, so that button is the lit one
        updatemenus=[_buttons(buttons, active=list(orders).index("start"))],
        height=max(400, 14 * agents + 160),
        margin={"t": 110},
        bargap=0.25,
    )
    return fig


def service_heatmap_figure(output: RosterOutput) -> Any:
    """Service level per interval as a day x time-of-day heat map (open intervals only)."""
    go = import_plotly()
    c = output.coverage[output.coverage["calls"] > 0]
    day = c["interval_start"].dt.strftime("%Y-%m-%d %a")
    time = c["interval_start"].dt.strftime("%H:%M")
    grid = pd.DataFrame({"day": day, "time": time, "sl": c["service_level"].fillna(0.0)})
    table = grid.pivot(index="day", columns="time", values="sl").sort_index()
    target = output.target_level
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy() * 100.0,
            x=list(table.columns),
            y=list(table.index),
            colorscale="RdYlGn",
            zmin=0.0 if target is None else max(0.0, 100.0 * target - 30.0),
            zmax=100.0,
            colorbar={"title": "SL %"},
            hovertemplate="%{y} %{x}: %{z:.1f}%<extra></extra>",
        )
    )
    convention = "share of calls answered within the answer time (Erlang model)"
    fig.update_layout(
        title=f"Service level per interval ({convention})",
        yaxis={"autorange": "reversed"},
        height=360,
    )
    return fig


def forecast_figure(output: RosterOutput) -> Any:
    """Forecast calls per interval with its band, over the same hours of the last weeks.

    ``None`` when the run did not forecast.
    """
    go = import_plotly()
    if output.forecast is None:
        return None
    # two decimals of a call are plenty on a chart and keep the page small
    f = output.forecast.copy()
    numbers = f.select_dtypes("number").columns
    f[numbers] = f[numbers].round(2)
    fig = go.Figure()
    if {"calls_lower", "calls_upper"} <= set(f.columns):
        fig.add_trace(
            go.Scatter(
                x=f["interval_start"],
                y=f["calls_upper"],
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=f["interval_start"],
                y=f["calls_lower"],
                line={"width": 0},
                fill="tonexty",
                fillcolor="rgba(31, 119, 180, 0.2)",
                name="forecast band",
            )
        )
    history = output.history
    if history is not None:
        calls = history.set_index("interval_start")["calls"].round(2)
        for weeks in range(1, HISTORY_WEEKS_SHOWN + 1):
            same = calls.reindex(f["interval_start"] - pd.Timedelta(days=7 * weeks))
            if same.notna().any():
                fig.add_trace(
                    go.Scatter(
                        x=f["interval_start"],
                        y=same.to_numpy(),
                        name=f"history, {weeks} week{'s' if weeks > 1 else ''} before",
                        line={"width": 1, "color": f"rgba(90, 90, 90, {0.9 - 0.18 * weeks:.2f})"},
                    )
                )
    fig.add_trace(
        go.Scatter(
            x=f["interval_start"], y=f["calls"], name="forecast calls", line={"color": "#1f77b4"}
        )
    )
    fig.update_layout(
        title="Forecast calls per interval with its band, over the same hours of past weeks",
        yaxis_title="calls",
        height=360,
        hovermode="x unified",
    )
    return fig


def _x_of(stamps: pd.Series) -> dict[str, Any]:
    """``x0`` and ``dx`` (milliseconds) for evenly spaced times, else ``x``: one array
    less per trace keeps the self-contained page small."""
    steps = stamps.diff().dropna().unique()
    if len(stamps) > 1 and len(steps) == 1:
        return {
            "x0": stamps.iloc[0].strftime("%Y-%m-%d %H:%M:%S"),
            "dx": pd.Timedelta(steps[0]).total_seconds() * 1000.0,
        }
    return {"x": stamps}


def _band(stamps: pd.Series, lower: pd.Series, upper: pd.Series) -> tuple[list[Any], list[Any]]:
    """One closed polygon per run of intervals with both bounds (``None`` between runs), so
    the band is not drawn across the closed hours."""
    known = (lower.notna() & upper.notna()).to_numpy()
    xs: list[Any] = []
    ys: list[Any] = []
    start = None
    for i in range(len(known) + 1):
        if i < len(known) and known[i]:
            start = i if start is None else start
            continue
        if start is not None:
            times = [f"{ts:%Y-%m-%d %H:%M}" for ts in stamps.iloc[start:i]]
            xs += [*times, *reversed(times), None]
            ys += [*upper.iloc[start:i], *reversed(list(lower.iloc[start:i])), None]
            start = None
    return xs, ys


def outcome_figure(output: RosterOutput, outcomes: Outcomes) -> Any:
    """Plan vs simulation vs actuals per interval: service level (top), calls (bottom).

    The simulation's 95 % interval over replications is the shaded band;
    the plan's level is the roster's predicted one (``coverage.csv``); the
    target is the dashed line. Intervals without calls are left out of the
    service levels.
    """
    import_plotly()
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from wfm.views.outcomes import plan_vs_outcomes

    t = plan_vs_outcomes(output, outcomes)
    where = _x_of(t["interval_start"])
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        row_heights=[0.6, 0.4],
        subplot_titles=("service level %", "calls per interval"),
    )

    def level(column: str, calls: str) -> Any:
        return (t[column] * 100.0).where(t[calls] > 0).round(1)

    if "simulated_service_level" in t.columns:
        band_x, band_y = _band(
            t["interval_start"],
            # a t interval may pass 0 % or 100 %; a service level cannot
            level("simulated_service_level_lower", "planned_calls").clip(0.0, 100.0),
            level("simulated_service_level_upper", "planned_calls").clip(0.0, 100.0),
        )
        fig.add_trace(
            go.Scatter(
                x=band_x,
                y=band_y,
                fill="toself",
                fillcolor="rgba(255, 127, 14, 0.25)",
                line={"width": 0},
                name="simulated 95% interval",
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
    # (level column, its calls, calls column, legend names, colour, extra line style)
    series: list[tuple[str, str, str, str, str, str, dict[str, Any]]] = [
        (
            "planned_service_level",
            "planned_calls",
            "planned_calls",
            "plan (predicted)",
            "forecast calls",
            "#1f77b4",
            {},
        )
    ]
    if "simulated_service_level" in t.columns:
        series.insert(
            0,
            (
                "simulated_service_level",
                "planned_calls",
                "simulated_offered",
                "simulated (mean)",
                "simulated calls",
                "#ff7f0e",
                {},
            ),
        )
    if "actual_service_level" in t.columns:
        series.append(
            (
                "actual_service_level",
                "actual_offered",
                "actual_offered",
                "actual",
                "actual calls",
                "black",
                {"mode": "lines+markers", "marker": {"size": 3}},
            )
        )
    for column, calls, offered, name, calls_name, colour, style in series:
        fig.add_trace(
            go.Scatter(
                **where,
                y=level(column, calls),
                name=name,
                line={"color": colour, "width": 1.5},
                **style,
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                **where,
                y=t[offered].round(1),
                name=calls_name,
                line={"color": colour, "width": 1},
                showlegend=False,
            ),
            row=2,
            col=1,
        )
    target = output.target_level
    if target is not None:
        fig.add_hline(
            y=100.0 * target, line={"dash": "dash", "color": "#d62728", "width": 1}, row=1, col=1
        )
    fig.update_layout(
        title="Plan vs simulation vs actuals (target dashed)",
        height=520,
        hovermode="x unified",
    )
    return fig
