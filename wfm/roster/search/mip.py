"""Integer programmes solved by HiGHS in a child process that can be stopped.

HiGHS proves the least under-staffing of the class-flow model
(:mod:`wfm.roster.bounds.class_flow`) faster and more evenly than SCIP on
the acceptance weeks (figures in ``benchmarks/README.md``, "Least
under-staffing by HiGHS"). Through OR-Tools it cannot be interrupted
(``InterruptSolve`` is not supported for it, neither through ``pywraplp``
nor through MathOpt), and a roster search must end when asked to. So
:func:`solve_in_child` hands the model over as MPS text to a child Python
process that imports only OR-Tools and NumPy and solves it through MathOpt
(which, unlike OR-Tools' ``MPModelRequest`` route, keeps HiGHS's best
solution when its time limit ends it), and kills that process when a stop
is requested or when its outer wall-clock limit passes. HiGHS's own time
limit, a little shorter, is what ends it normally, with its best solution
and proven bound.

HiGHS's branch and bound is serial, so a second CPU-bound process on a
2-core machine leaves it a core (the roster search waits for it meanwhile).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wfm.roster.search.stop import StopRequest
from wfm.status import SolveStatus

__all__ = ["CHILD_START_SECONDS", "MipSolution", "solve_in_child"]

CHILD_START_SECONDS = 2.0
"""Margin of the outer wall-clock limit over HiGHS's own limit: the child's start
(importing OR-Tools and reading the model) and the writing of its answer."""

_CHILD = """
import datetime, json, sys
import numpy as np
from ortools.math_opt.io.python import mps_converter
from ortools.math_opt.python import mathopt, model
with open(sys.argv[1]) as text:
    problem = model.Model.from_model_proto(mps_converter.mps_to_model_proto(text.read()))
params = mathopt.SolveParameters(time_limit=datetime.timedelta(seconds=float(sys.argv[3])))
result = mathopt.solve(problem, mathopt.SolverType.HIGHS, params=params)
found = result.has_primal_feasible_solution()
if found:
    # the MPS text lists integer columns first: each value goes back to its index
    values = np.zeros(int(sys.argv[4]))
    for variable, value in result.variable_values().items():
        values[int(variable.name[1:])] = value
    np.save(sys.argv[2] + ".npy", values)
answer = {
    "reason": result.termination.reason.name,
    "found": found,
    "objective": result.objective_value() if found else None,
    "bound": result.termination.objective_bounds.dual_bound,
}
with open(sys.argv[2], "w") as out:
    out.write(json.dumps(answer))
"""


@dataclass(frozen=True, kw_only=True)
class MipSolution:
    """What the child's solve of an integer programme gave.

    Attributes
    ----------
    status
        ``OPTIMAL`` (proven), ``FEASIBLE`` (a solution, not proven),
        ``TIME_LIMIT_NO_SOLUTION`` (none in time, or stopped on request:
        nothing is kept), ``INFEASIBLE`` or ``MODEL_INVALID`` (the child
        failed).
    objective
        The best solution's objective (``None`` without one).
    bound
        The proven lower bound of the minimisation (``-inf`` when none).
    values
        One value per variable of the model, in the order of
        ``solver.variables()`` (empty without a solution).
    wall_time_seconds
        Seconds from the call to the answer, the child's start included.
    """

    status: SolveStatus
    objective: float | None
    bound: float
    values: np.ndarray
    wall_time_seconds: float


def solve_in_child(
    solver: Any,
    *,
    time_limit_seconds: float,
    stop: StopRequest | None = None,
) -> MipSolution:
    """Solve the minimisation held by the ``pywraplp`` ``solver`` with HiGHS in a child process.

    Parameters
    ----------
    solver
        A ``pywraplp.Solver`` holding the model (its own backend is not
        used); it is handed over as MPS text, so a solution hint is not
        passed on.
    time_limit_seconds
        HiGHS's limit; the child is killed :data:`CHILD_START_SECONDS` later
        if it has not answered.
    stop
        Kills the child when requested (checked every 0.1 s).

    Returns
    -------
    MipSolution
        The status, objective, proven bound and variable values.
    """
    began = time.perf_counter()
    n_variables = solver.NumVariables()
    empty = np.zeros(0)

    def answer(
        status: SolveStatus,
        objective: float | None = None,
        bound: float = -math.inf,
        values: np.ndarray = empty,
    ) -> MipSolution:
        return MipSolution(
            status=status,
            objective=objective,
            bound=bound,
            values=values,
            wall_time_seconds=time.perf_counter() - began,
        )

    with tempfile.TemporaryDirectory(prefix="wfm-mip-") as folder:
        asked = Path(folder) / "model.mps"
        answered = Path(folder) / "answer.json"
        # obfuscated names (V<index>, C<index>): the child maps each column back to its index
        asked.write_text(solver.ExportModelAsMpsFormat(False, True))
        limit = repr(max(time_limit_seconds, 0.01))
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(asked), str(answered), limit, str(n_variables)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        outer = began + time_limit_seconds + CHILD_START_SECONDS
        try:
            while True:
                try:
                    code = child.wait(timeout=0.1)
                    break
                except subprocess.TimeoutExpired:
                    if (stop is not None and stop.requested) or time.perf_counter() > outer:
                        return answer(SolveStatus.TIME_LIMIT_NO_SOLUTION)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        if code != 0 or not answered.exists():
            return answer(SolveStatus.MODEL_INVALID)
        told = json.loads(answered.read_text())
        values = np.load(f"{answered}.npy") if told["found"] else empty
    bound = -math.inf if told["bound"] is None else float(told["bound"])
    if told["reason"] in ("INFEASIBLE", "INFEASIBLE_OR_UNBOUNDED"):
        return answer(SolveStatus.INFEASIBLE)
    if not told["found"] or len(values) != n_variables:
        if told["reason"] in ("NO_SOLUTION_FOUND", "FEASIBLE"):
            return answer(SolveStatus.TIME_LIMIT_NO_SOLUTION, bound=bound)
        return answer(SolveStatus.MODEL_INVALID)
    objective = float(told["objective"])
    if told["reason"] == "OPTIMAL":
        return answer(
            SolveStatus.OPTIMAL,
            objective=objective,
            bound=bound if math.isfinite(bound) else objective,
            values=values,
        )
    return answer(SolveStatus.FEASIBLE, objective=objective, bound=bound, values=values)
