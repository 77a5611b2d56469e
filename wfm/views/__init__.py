"""The planner's view of a written roster: charts, an offline HTML page, exports.

Everything here reads the tables that ``wfm roster -o OUTDIR`` writes
(``roster.csv``, ``breaks.csv``, ``coverage.csv``, ``violations.csv``,
``summary.json`` and, when present, ``forecast.csv`` and ``agents.csv``), so it
works on any roster output directory:

- :mod:`wfm.views.tables`: read and validate an output directory; the
  service verdict (intervals below target or overloaded, the weakest day);
- :mod:`wfm.views.charts`: the Plotly figures;
- :mod:`wfm.views.page`: the self-contained HTML report;
- :mod:`wfm.views.exports`: ``roster.xlsx`` with the agent x day week grid;
- :mod:`wfm.views.agent`: one agent's week.

Plotly and openpyxl are optional (``pip install wfm[report]``).
"""

from __future__ import annotations

from wfm.views.tables import RosterOutput, ServiceVerdict, read_roster_output, service_verdict

__all__ = ["RosterOutput", "ServiceVerdict", "read_roster_output", "service_verdict"]
