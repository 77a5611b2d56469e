"""wfm: contact-centre workforce management.

The pipeline, one module per stage::

    wfm.history   -> read interval counts or call records, validated
    wfm.forecast  -> interval forecast of calls and AHT, with backtests
    wfm.erlang    -> queueing maths (Erlang B, C and A), vectorised
    wfm.staffing  -> per-interval requirements from a forecast and a service target
    wfm.roster    -> weekly roster of named agents on CP-SAT
    wfm.scenario  -> a YAML scenario that runs the whole path
"""

from __future__ import annotations

__version__ = "0.1.0"

from wfm.errors import DataError, ScenarioError, SolverError, ValidationError, WFMError

__all__ = [
    "DataError",
    "ScenarioError",
    "SolverError",
    "ValidationError",
    "WFMError",
    "__version__",
]
