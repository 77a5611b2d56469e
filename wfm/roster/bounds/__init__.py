"""Lower bounds and aggregate, identity-free models of the roster, beside the search.

Every roster obeying the hard rules costs at least what the bounds say, so
they measure how far a roster of :func:`wfm.roster.solve.solve` can still be
from the best one.

- :mod:`wfm.roster.bounds.lp`: the identity-free LP relaxation of shift
  covering (GLOP), bounds on under-staffing and paid hours; computed by
  every solve (``RosterResult.lower_bound``).
- :mod:`wfm.roster.bounds.column_generation`: per-agent weeks as columns,
  Farley's Lagrangian bound on under-staffing.
- :mod:`wfm.roster.bounds.class_flow`: one flow network per class of
  agents, an exact integer model of under-staffing (SCIP) or its LP; its
  networks also give the class-flow starting roster
  (:mod:`wfm.roster.search.flow_start`).
- :mod:`wfm.roster.bounds.classes`: the classes of interchangeable agents.
- :mod:`wfm.roster.bounds.shift_design`: shift design, which shifts and how
  many agents on each, at the least cost.

All report a :class:`wfm.status.SolveStatus`; the roster bounds write the
coverage rows of :mod:`wfm.roster.coverage`.
"""
