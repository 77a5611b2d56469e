"""The phases of the roster search, in the order :func:`wfm.roster.solve.solve` runs them.

- :mod:`wfm.roster.search.greedy`: phase 1, a greedy constructive roster,
  completed by CP-SAT into the first roster.
- :mod:`wfm.roster.search.flow_start`: phase 2, the class-flow starting
  roster (SCIP; limits of 40 s or more, not in deterministic mode), kept when
  it beats the greedy one.
- :mod:`wfm.roster.search.cpsat`: hints and their completion, and phase 3,
  CP-SAT on the full model from the start, for a share of the time left.
- :mod:`wfm.roster.search.lns`: phase 4, a large-neighbourhood search on two
  agents at a time for the rest of the time.

Each module names the share of the time limit its phase takes as a constant.
"""
