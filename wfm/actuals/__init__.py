"""What actually happened: call logs, their KPIs, model estimates and plan vs actual.

Modules: ``mapping`` (:class:`CallLogMapping`), ``reader``
(:func:`read_call_log`), ``estimates`` (patience, handle times), ``report``
(:func:`actuals_report`), ``plan`` (:func:`plan_vs_actual`).

A contact centre's ACD call log (one row per contact) is read through a
:class:`CallLogMapping` from the file's own columns and labels into the
contacts layout of :mod:`wfm.kpis`; every row is accounted for in a
:class:`CallLogSummary`. From the contacts:

- :func:`actuals_report` gives the KPI tables per interval, day and month
  (:func:`wfm.kpis.kpi_table`) with the model estimates below;
- :func:`estimate_patience` and :func:`patience_by_period` estimate the mean
  patience of callers (Brown et al. 2005), the input of Erlang A;
- :func:`estimate_handle_time` summarises the handle-time distribution (mean,
  coefficient of variation, a lognormal fit);
- :func:`plan_vs_actual` lays a forecast, requirements or roster coverage
  table beside the actuals of the same intervals and days
  (:func:`read_plan_csv` reads one from a file).

Clock changes
-------------
Arrivals with UTC offsets keep their instants, and a ``time_zone`` in the
mapping puts naive ones on that zone's clock; the KPI tables are then on the
local clock (tz-aware): a day of an autumn change has 100 intervals of 15
minutes, the two runs of its repeated hour are separate intervals, and a
plan's intervals are matched by instant. Naive logs are read as before.

Which contacts count
--------------------
Following the usual ACD convention, a contact is *offered* when it reached the
agents' queue. A caller who hung up inside the voice-response unit (VRU)
before queueing was never offered: when the mapping names a ``queued`` column,
abandoned rows whose value there says "never queued" are kept apart in
:attr:`CallLog.abandoned_before_queue` and counted per day as
``abandoned_before_queue``, never in ``offered`` or ``abandoned``. An answered
row counts as offered whether or not it queued (routed straight to an agent
means a wait of zero).

Row accounting
--------------
Every data row of the log is exactly one of: *used* (a row of
:attr:`CallLog.contacts`), *ignored* by its outcome label (e.g. ``PHANTOM``),
*abandoned before the queue* (see above), or *rejected* with a reason and its
line (the header is line 1): an outcome label the mapping does not list, an
unparsable arrival, a missing, non-numeric or negative wait, handle or VRU
time. Rejected rows are listed in :attr:`CallLog.rejected`; nothing is dropped
silently. An answered row whose handle time is 0 (the log rounds to whole
seconds, or did not record it) is used with ``handle_seconds`` NaN: it counts
as answered and is left out of AHT; the summary counts such rows.
"""

from __future__ import annotations

from wfm.actuals.estimates import (
    HandleTimeEstimate,
    PatienceEstimate,
    estimate_handle_time,
    estimate_patience,
    patience_by_period,
)
from wfm.actuals.mapping import CallLogMapping
from wfm.actuals.plan import PLAN_COLUMNS, PlanVsActual, plan_vs_actual, read_plan_csv
from wfm.actuals.reader import CallLog, CallLogSummary, read_call_log
from wfm.actuals.report import ActualsReport, actuals_report

__all__ = [
    "PLAN_COLUMNS",
    "ActualsReport",
    "CallLog",
    "CallLogMapping",
    "CallLogSummary",
    "HandleTimeEstimate",
    "PatienceEstimate",
    "PlanVsActual",
    "actuals_report",
    "estimate_handle_time",
    "estimate_patience",
    "patience_by_period",
    "plan_vs_actual",
    "read_call_log",
    "read_plan_csv",
]
