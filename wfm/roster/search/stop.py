"""A request to stop a roster solve early (Ctrl-C), safe to make from a signal handler.

:class:`StopRequest` is passed to :func:`wfm.roster.solve.solve`; every phase
of :mod:`wfm.roster.search` checks :attr:`StopRequest.requested` before it
starts, and each running solve registers its stop function with
:meth:`StopRequest.watch` (CP-SAT's ``stop_search``, SCIP's
``InterruptSolve``), so that :meth:`StopRequest.request` ends the search
under way. ``request`` only sets a flag and calls those stop functions,
which are safe to call from another thread; it may be called again and
again (a caller that waits for the solve may repeat it, which also covers a
solve that had not yet started when the first request came).

Every CP-SAT solve of the search sets ``catch_sigint_signal = False``
(:func:`wfm.roster.search.cpsat.use_light_presolve`): the solver installs no
SIGINT handler of its own, so the caller's handler stays in place.

Examples
--------
>>> stop = StopRequest()
>>> stopped = []
>>> with stop.watch(lambda: stopped.append(True)):
...     stop.request()
>>> stop.requested, stopped
(True, [True])
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["StopRequest"]


class StopRequest:
    """A flag that stops the search phases, and the stop functions of the solves running."""

    def __init__(self) -> None:
        self._requested = False
        self._stoppers: list[Callable[[], None]] = []

    @property
    def requested(self) -> bool:
        """Whether a stop was requested."""
        return self._requested

    def request(self) -> None:
        """Ask the solve to stop: set the flag and stop the solves running now."""
        self._requested = True
        for stop in tuple(self._stoppers):
            stop()

    @contextmanager
    def watch(self, stop: Callable[[], None]) -> Iterator[None]:
        """Register ``stop`` while the block runs (called at once if a stop was requested)."""
        self._stoppers.append(stop)
        try:
            if self._requested:
                stop()
            yield
        finally:
            self._stoppers.remove(stop)
