"""Progress of a roster solve on standard error, as a person can follow it.

:class:`SolveProgress` turns the :class:`~wfm.roster.result.ProgressEvent`
of :func:`wfm.roster.solve.solve` into one status line: the phase
(:data:`~wfm.roster.result.PHASES`), elapsed and remaining time, the best
objective, its bound and gap (a percentage), and the understaffing of the
best roster so far. A timer thread redraws it every
:data:`REFRESH_SECONDS` even when the solver reports nothing.

- On a terminal, with `rich <https://rich.readthedocs.io>`_ installed (the
  ``cli`` extra), the line is redrawn in place (``rich.live.Live``).
- Otherwise (a pipe, a CI log, ``TERM=dumb``, or without rich) it prints
  plain lines: one per phase start and per improving roster, and a
  heartbeat line after :data:`HEARTBEAT_SECONDS` without one.

:meth:`SolveProgress.finish` ends the display with :func:`final_line`, built
from the :class:`~wfm.roster.result.RosterSummary` with the same
:func:`figure` formatting as the summary table, so the last progress line
and the summary say the same figures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from wfm.roster.result import ProgressEvent, RosterSummary

__all__ = [
    "HEARTBEAT_SECONDS",
    "PREPARING",
    "REFRESH_SECONDS",
    "SolveProgress",
    "figure",
    "final_line",
    "gap_percent_text",
    "rich_available",
]

PREPARING = "preparing"
"""The phase shown before the search's first (the rules' checks and the model's build)."""

REFRESH_SECONDS = 0.5
"""Seconds between two redraws of the live line (and checks for a plain heartbeat)."""

HEARTBEAT_SECONDS = 2.0
"""Plain output prints a heartbeat line after this long without a line."""


def rich_available() -> bool:
    """Whether :mod:`rich` can be imported (the ``cli`` extra)."""
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


def figure(value: float | None, spec: str = ",.1f", suffix: str = "") -> str:
    """``value`` formatted with ``spec`` and ``suffix``; ``-`` for ``None``.

    The one formatting of the roster figures, in the summary and the
    progress lines alike.

    Examples
    --------
    >>> figure(1234.56)
    '1,234.6'
    >>> figure(None)
    '-'
    """
    return "-" if value is None else f"{value:{spec}}{suffix}"


def gap_percent_text(relative_gap: float | None) -> str:
    """A relative gap (a fraction) as a percentage with two decimals.

    Examples
    --------
    >>> gap_percent_text(0.0084)
    '0.84%'
    >>> gap_percent_text(None)
    '-'
    """
    return figure(None if relative_gap is None else 100 * relative_gap, ".2f", "%")


def final_line(summary: RosterSummary) -> str:
    """The last progress line: the status and the summary's own figures.

    Examples
    --------
    >>> from wfm.roster.result import RosterSummary
    >>> from wfm.status import SolveStatus
    >>> s = RosterSummary(status=SolveStatus.FEASIBLE, objective=1500.0, best_bound=1450.0,
    ...     relative_gap=1 / 30, wall_time_seconds=10.04, first_solution_seconds=0.4,
    ...     service_level=0.8, service_target_level=0.8, understaffing_agent_hours=12.5,
    ...     overstaffing_agent_hours=3.0, paid_hours=400.0, paid_cost=None, shifts=50,
    ...     agents_working=10, hours_beyond_horizon=0.0,
    ...     lower_bound_understaffing_agent_hours=None, lower_bound_paid_hours=None,
    ...     workers=2, seed=0, time_limit_seconds=10.0)
    >>> final_line(s).split("  ")  # doctest: +NORMALIZE_WHITESPACE
    ['done', 'FEASIBLE', '10.0 s', 'objective 1,500.0', 'bound 1,450.0', 'gap 3.33%',
     'understaffing 12.5 agent-hours']
    """
    return (
        f"done  {summary.status.value}  {summary.wall_time_seconds:.1f} s  "
        f"objective {figure(summary.objective)}  bound {figure(summary.best_bound)}  "
        f"gap {gap_percent_text(summary.relative_gap)}  "
        f"understaffing {figure(summary.understaffing_agent_hours)} agent-hours"
    )


@dataclass
class _State:
    """What the display knows of the solve under way (guarded by the display's lock)."""

    started: float
    time_limit_seconds: float
    phase: str = PREPARING
    objective: float | None = None
    best_bound: float | None = None
    relative_gap: float | None = None
    understaffing_agent_hours: float | None = None
    improvements: int = 0

    def line(self, now: float) -> str:
        elapsed = now - self.started
        left = max(self.time_limit_seconds - elapsed, 0.0)
        if self.objective is None:
            return f"{self.phase}  {elapsed:.1f} s, {left:.1f} s left  no roster yet"
        return (
            f"{self.phase}  {elapsed:.1f} s, {left:.1f} s left  "
            f"objective {figure(self.objective)}  bound {figure(self.best_bound)}  "
            f"gap {gap_percent_text(self.relative_gap)}  "
            f"understaffing {figure(self.understaffing_agent_hours)} agent-hours"
        )


class SolveProgress:
    """Shows the progress of roster solves on ``stream`` (see the module docstring).

    Parameters
    ----------
    stream
        Where to write (standard error for ``wfm roster``).
    live
        Redraw one line in place; default: when ``stream`` is a terminal
        (not ``TERM=dumb``) and :mod:`rich` is installed. ``True`` without
        rich raises :class:`ImportError`.
    clock
        Seconds, monotonic (:func:`time.perf_counter`).

    Examples
    --------
    ::

        display = SolveProgress(sys.stderr)
        with display.solve(time_limit_seconds=60) as show:
            result = solve(problem, options, progress=show)
            display.finish(result.summary)
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        live: bool | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.stream = stream
        self.clock = clock
        self._console: Any = None
        if live is None or live:
            if rich_available():
                from rich.console import Console

                console = Console(file=stream, highlight=False, soft_wrap=False)
                if live or (console.is_terminal and not console.is_dumb_terminal):
                    self._console = console
            elif live:
                raise ImportError("a live progress line needs rich: pip install 'wfm[cli]'")
        self._lock = threading.Lock()
        self._state: _State | None = None
        self._live: Any = None
        self._last_print = 0.0

    @property
    def live(self) -> bool:
        """Whether the line is redrawn in place."""
        return self._console is not None

    @contextmanager
    def solve(self, *, time_limit_seconds: float) -> Iterator[Callable[[ProgressEvent], None]]:
        """Show one solve: yields the ``progress`` callback to pass to it.

        The timer thread runs while the ``with`` block does; the display
        ends at its exit (with :meth:`finish`'s line if it was called).
        """
        state = _State(started=self.clock(), time_limit_seconds=time_limit_seconds)
        stop = threading.Event()
        with self._lock:
            self._state = state
            self._last_print = state.started
            if self._console is not None:
                from rich.live import Live

                self._live = Live(
                    self._render(state.line(state.started)),
                    console=self._console,
                    auto_refresh=False,
                    transient=False,
                    redirect_stdout=False,
                    redirect_stderr=False,
                )
                self._live.start(refresh=True)
        timer = threading.Thread(target=self._beat, args=(stop,), name="wfm-progress", daemon=True)
        timer.start()
        try:
            yield self._on_event
        finally:
            stop.set()
            timer.join()
            with self._lock:
                if self._live is not None:
                    self._live.stop()
                    self._live = None
                self._state = None

    def finish(self, summary: RosterSummary) -> None:
        """End the display under way with :func:`final_line` of ``summary``."""
        text = final_line(summary)
        with self._lock:
            self._state = None  # no redraw after this
            if self._live is not None:
                self._live.update(self._render(text), refresh=True)
            else:
                self._print(text)

    def _on_event(self, event: ProgressEvent) -> None:
        with self._lock:
            state = self._state
            if state is None:
                return
            if event.phase:
                state.phase = event.phase
            if event.objective is not None:
                state.objective = event.objective
                state.best_bound = event.best_bound
                state.relative_gap = event.relative_gap
                state.understaffing_agent_hours = event.understaffing_agent_hours
            if event.kind == "solution":
                state.improvements += 1
            self._show(state, heartbeat=False)

    def _beat(self, stop: threading.Event) -> None:
        while not stop.wait(REFRESH_SECONDS):
            with self._lock:
                if self._state is not None:
                    self._show(self._state, heartbeat=True)

    def _show(self, state: _State, *, heartbeat: bool) -> None:
        now = self.clock()
        line = state.line(now)
        if self._live is not None:
            self._live.update(self._render(line), refresh=True)
        elif not heartbeat or now - self._last_print >= HEARTBEAT_SECONDS:
            self._print(line)

    def _print(self, text: str) -> None:
        self._last_print = self.clock()
        print(f"  {text}", file=self.stream, flush=True)

    def _render(self, line: str) -> Any:
        from rich.text import Text

        phase, _, rest = line.partition("  ")
        text = Text("  ")
        text.append(phase, style="bold cyan")
        text.append("  " + rest)
        return text
