"""The self-contained HTML report of a roster output directory.

One file that opens offline: plotly.js is embedded once (about 3.5 MB)
and every figure is drawn by inline scripts; no CDN, no external style.
Plotly was chosen over Vega-Lite for its built-in zoom, hover and the
buttons the Gantt chart sorts with, at a similar inlined size.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from wfm.views.agent import agent_title, agent_week
from wfm.views.charts import (
    coverage_figure,
    forecast_figure,
    gantt_figure,
    import_plotly,
    outcome_figure,
    service_heatmap_figure,
)
from wfm.views.tables import flagged_intervals, service_verdict

if TYPE_CHECKING:
    from wfm.views.outcomes import Outcomes
    from wfm.views.tables import RosterOutput

__all__ = ["render_report", "report_figures", "write_report"]

_STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
th { background: #f0f0f0; }
.bad { color: #b00; font-weight: bold; }
.good { color: #080; font-weight: bold; }
section { margin-bottom: 2em; }
"""


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100.0 * value:.1f}%"


def _table(frame: pd.DataFrame, *, max_rows: int = 200) -> str:
    shown = frame.head(max_rows)
    text = shown.to_html(index=False, border=0, float_format=lambda v: f"{v:,.2f}")
    if len(frame) > max_rows:
        text += f"<p>... and {len(frame) - max_rows} more rows.</p>"
    return text


def _summary_section(output: RosterOutput) -> str:
    s = output.summary
    v = service_verdict(output)
    verdict = (
        '<span class="good">meets target</span>'
        if v.meets_target
        else '<span class="bad">does not meet target</span>'
    )
    rows = [
        ("status", str(s.get("status"))),
        (
            "service level (week)",
            f"{_pct(v.week_service_level)} vs target {_pct(v.target_level)}: {verdict}",
        ),
        (
            "intervals below target",
            f"{v.intervals_below_target} of {v.intervals_with_calls} "
            f"(worst {_pct(v.worst_interval_service_level)})",
        ),
        ("intervals overloaded", f"{v.intervals_overloaded} (agents on the phone <= traffic)"),
        ("lowest day", f"{v.lowest_day} at {_pct(v.lowest_day_service_level)}"),
    ]
    for key in (
        "understaffing_agent_hours",
        "understaffing_bound_agent_hours",
        "understaffing_bound_kind",
        "overstaffing_agent_hours",
        "paid_hours",
        "paid_cost",
        "shifts",
        "agents_working",
        "objective",
        "best_bound",
        "relative_gap",
    ):
        if key in s and key == "relative_gap":
            # a percentage, as in the roster summary and wfm bench
            gap = s[key]
            rows.append(("relative gap", "-" if gap is None else f"{100 * float(gap):.2f}%"))
        elif key in s:
            rows.append((key.replace("_", " "), _value(s[key])))
    body = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{val if k.startswith('service') else html.escape(val)}"
        "</td></tr>"
        for k, val in rows
    )
    return f"<table>{body}</table>"


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _settings_section(output: RosterOutput) -> str:
    keys = ("workers", "seed", "time_limit_seconds", "wall_time_seconds", "first_solution_seconds")
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(_value(output.summary[k]))}</td></tr>"
        for k in keys
        if k in output.summary
    )
    return (
        f"<table>{rows}<tr><th>output directory</th><td>{html.escape(output.directory.name)}"
        "</td></tr></table>"
    )


def _violations_section(output: RosterOutput) -> str:
    v = output.violations
    if v.empty:
        return "<p>No rule breached.</p>"
    by_rule = (
        v.groupby(["rule", "unit"], as_index=False)
        .agg(breaches=("rule", "size"), amount=("amount", "sum"), penalty=("penalty", "sum"))
        .sort_values("penalty", ascending=False)
    )
    return _table(by_rule)


def _agents_section(output: RosterOutput, agent_ids: list[str]) -> str:
    parts = []
    for agent_id in agent_ids:
        title = agent_title(output, agent_id)
        parts.append(f"<h3>{html.escape(title)}</h3>{_table(agent_week(output, agent_id))}")
    return "".join(parts)


def report_figures(output: RosterOutput, outcomes: Outcomes | None = None) -> list[tuple[str, Any]]:
    """The report's charts as ``(title, plotly figure)``, in page order; a chart the
    output has no data for (the forecast of a run without one, the plan vs actual
    without ``outcomes``) is left out."""
    figures = [
        ("coverage", coverage_figure(output)),
        ("roster", gantt_figure(output)),
        ("service level", service_heatmap_figure(output)),
        ("forecast", forecast_figure(output)),
    ]
    if outcomes is not None and (outcomes.simulation is not None or outcomes.actuals is not None):
        figures.append(("plan vs actual", outcome_figure(output, outcomes)))
    return [(title, fig) for title, fig in figures if fig is not None]


def _outcome_section(output: RosterOutput, outcomes: Outcomes | None) -> str:
    if outcomes is None or (outcomes.simulation is None and outcomes.actuals is None):
        return ""
    from wfm.views.outcomes import outcome_week

    week = outcome_week(output, outcomes)
    rows = "".join(
        f"<tr><td>{html.escape(str(r.source))}</td><td>{r.calls:,.0f}</td>"
        f"<td>{_pct(_number(r.service_level))}</td>"
        f"<td>{_interval(_number(r.service_level_lower), _number(r.service_level_upper))}</td></tr>"
        for r in week.itertuples()
    )
    return (
        "<section><h2>Plan vs simulation vs actuals</h2><table><tr><th>source</th>"
        "<th>calls</th><th>service level</th><th>95% interval</th></tr>"
        f"{rows}</table></section>"
    )


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _interval(low: float | None, high: float | None) -> str:
    return "-" if low is None or high is None else f"[{_pct(low)}, {_pct(high)}]"


def render_report(
    output: RosterOutput,
    *,
    agent_ids: list[str] | None = None,
    outcomes: Outcomes | None = None,
) -> str:
    """The report as one HTML document with plotly.js inlined once.

    Parameters
    ----------
    output
        The tables of a roster output directory.
    agent_ids
        Agents whose week is shown as a table; ``None`` shows the first
        agent of the roster.
    outcomes
        A simulation and/or actuals of the horizon
        (:func:`wfm.views.outcomes.read_outcomes`): adds the plan vs
        actual chart and the week's figures side by side.
    """
    import_plotly()
    import plotly.io as pio

    figures = report_figures(output, outcomes)
    charts = []
    first = True
    for title, fig in figures:
        div = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=first,
            div_id=f"chart-{title.replace(' ', '-')}",
            config={"displaylogo": False},
        )
        first = False
        charts.append(f'<section class="chart">{div}</section>')
    if agent_ids is None:
        agent_ids = sorted(output.roster["agent_id"].astype(str).unique())[:1]
    flags = flagged_intervals(output)
    flags_html = (
        "<p>None.</p>"
        if flags.empty
        else _table(
            flags.assign(service_level=flags["service_level"] * 100.0).rename(
                columns={"service_level": "service_level_percent"}
            )
        )
    )
    name = html.escape(str(output.summary.get("scenario", output.directory.name)))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>wfm roster report: {name}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Roster report: {name}</h1>"
        f"<section><h2>Summary</h2>{_summary_section(output)}</section>"
        + _outcome_section(output, outcomes)
        + "".join(charts)
        + f"<section><h2>Intervals below target or overloaded</h2>{flags_html}</section>"
        f"<section><h2>Violations by rule</h2>{_violations_section(output)}</section>"
        f"<section><h2>Agent view</h2>{_agents_section(output, agent_ids)}</section>"
        f"<section><h2>Run settings</h2>{_settings_section(output)}</section>"
        "</body></html>"
    )


def write_report(
    output: RosterOutput,
    path: str | Path,
    *,
    agent_ids: list[str] | None = None,
    outcomes: Outcomes | None = None,
) -> Path:
    """Write :func:`render_report` to ``path`` and return the path."""
    target = Path(path)
    target.write_text(
        render_report(output, agent_ids=agent_ids, outcomes=outcomes), encoding="utf-8"
    )
    return target
