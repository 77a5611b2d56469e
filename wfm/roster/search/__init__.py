"""The phases of the roster search, in the order :func:`wfm.roster.solve.solve` runs them.

- :mod:`wfm.roster.search.greedy`: phase 1, a greedy constructive roster,
  completed by CP-SAT into the first roster.
- :mod:`wfm.roster.search.flow_start`: phase 2, the class-flow starting
  roster (SCIP, started from the greedy roster; limits of 40 s or more, not
  in deterministic mode), kept when it beats the greedy one.
- :mod:`wfm.roster.search.cpsat`: hints and their completion, phase 3,
  CP-SAT on the full model from the start, for a share of the time left,
  and phase 4, the objective-free fallback for all the time left when no
  phase found a roster.
- :mod:`wfm.roster.search.lns`: phase 5, a large-neighbourhood search on a
  few agents at a time (where the roster is short, or at random) for the
  rest of the time, ending early at the proven bound.
- :mod:`wfm.roster.search.stop`: the stop request (Ctrl-C) every phase obeys.

Each module names the share of the time limit its phase takes as a constant.
"""
