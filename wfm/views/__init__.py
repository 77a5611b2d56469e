"""The planner's view of a written roster: charts, an offline HTML page, exports.

Everything here reads the tables that ``wfm roster -o OUTDIR`` writes
(``roster.csv``, ``breaks.csv``, ``coverage.csv``, ``violations.csv``,
``summary.json`` and, when present, ``forecast.csv`` and ``agents.csv``), so it
works on any roster output directory:

- :mod:`wfm.views.tables`: read and validate an output directory; the
  service verdict (intervals below target or overloaded, the weakest day);
- :mod:`wfm.views.charts`: the Plotly figures;
- :mod:`wfm.views.page`: the self-contained HTML report;
- :mod:`wfm.views.exports`: ``roster.xlsx`` with the agent x day week grid,
  the Parquet tables;
- :mod:`wfm.views.agent`: one agent's week;
- :mod:`wfm.views.outcomes`: the plan beside a simulation's bands and the
  actuals (the output directories of ``wfm simulate`` and ``wfm actuals``);
- :mod:`wfm.views.images`: each chart as PNG and SVG, drawn by a headless
  Chromium.

Plotly and openpyxl are optional (``pip install wfm[report]``), pyarrow too
(``pip install wfm[parquet]``).
"""

from __future__ import annotations

from wfm.views.tables import RosterOutput, ServiceVerdict, read_roster_output, service_verdict

__all__ = ["RosterOutput", "ServiceVerdict", "read_roster_output", "service_verdict"]
