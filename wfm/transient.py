"""Per-interval service with memory: the transient M(t)/M/s(t)(+M) queue.

Steady-state Erlang C/A treats every interval as if it had run for ever at
its own load: calls in service at an interval boundary, a queue left by an
understaffed stretch and the short dip of a break are forgotten. This module
solves the time-varying birth-death chain of the same queue instead, interval
after interval, carrying the distribution of the number of calls in the
system across boundaries.

Model
-----
Calls arrive as a Poisson process of constant rate within each interval
(``calls / interval length``); handle times are exponential with the
interval's mean (``aht_seconds``); with ``patience_seconds`` every waiting
caller abandons after an exponential patience of that mean (Erlang A), else
callers never abandon (Erlang C). The number of agents on the phone ``s`` is
constant within an interval and may be fractional (the departure rate is
``min(n, s) / aht``, the continuous interpolation between whole agents). The
state is ``n``, the calls in the system; its distribution solves the
Kolmogorov forward equations, whose generator is tridiagonal, by
uniformisation, on a window of states widened until its edges hold less
than ``1e-9`` of probability. A
queue is served first come first served; when agents leave, calls above the
new number of agents wait again (the chain cannot tell a call in hand from
a waiting one, so an agent going off duty hands the call back instead of
finishing it: slightly pessimistic where staffing drops).

An interval with no calls is *closed*, as in :mod:`wfm.simulate`: the queue
is cleared, and the next open interval starts from an empty system.

Measures (per interval, over the calls arriving in it)
------------------------------------------------------
By PASTA, arrivals in an interval see the time-average state distribution of
the interval. A call finding ``n`` in the system waits for ``n - s + 1``
departures (each at rate ``s / aht`` plus, for Erlang A, the abandonment of
the callers ahead), and abandons itself at rate ``1 / patience``; the waiting
time until answer is hypoexponential. With ``s`` held at the interval's value
during the wait:

``service_level``
    P(answered within ``answer_within_seconds``): calls answered in time over
    calls offered, the convention of :mod:`wfm.kpis` and :mod:`wfm.simulate`
    (and of :func:`wfm.erlang.erlang_a_service_level`).
``asa_seconds``
    Mean wait of the calls answered (``inf`` with no agents).
``occupancy``
    Time-average of busy agents over agents on the phone.
``abandon_probability``
    P(an offered call abandons) (Erlang A; 0 for Erlang C).

For long intervals of constant load these converge to the stationary Erlang
C/A figures of :mod:`wfm.erlang`.

Cost: O(states x uniformisation steps) per open interval, in blocks of 16
steps through a 16-step transition matrix, built by sixteen tridiagonal steps
from the identity (elementwise work, no matrix products: multi-threaded BLAS
products stalled on a busy machine, 3-22 s instead of 0.5 s); about 0.5 s for
a week of 15-minute intervals of the 68-agent example on one core, idle or
beside CPU-bound processes (see ``benchmarks/transient_under_load.py`` and
``benchmarks/interval_service.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from wfm.errors import ValidationError, WFMError

__all__ = ["MAX_STATES", "StateSpaceTooLarge", "TransientService", "transient_service"]

FloatArray = npt.NDArray[np.float64]

_BLOCK = 16  # uniformisation steps per block (a power of two)
_TAIL = 1e-9  # probability mass allowed at the edges of the solved window
_MIN_STATES = 32

#: Most queue states one interval is solved on (the work grows as their cube;
#: a normal interval of a 100-agent centre needs about 330): beyond it the
#: backlog of a grossly overloaded stretch would take minutes.
MAX_STATES = 1200


class StateSpaceTooLarge(WFMError):
    """The backlog grew past :data:`MAX_STATES` calls in the system in some interval."""


@dataclass(frozen=True, kw_only=True)
class TransientService:
    """Service per interval from the transient queue (see the module documentation).

    Attributes
    ----------
    service_level, asa_seconds, occupancy, abandon_probability
        Arrays of one value per interval; NaN in closed intervals (no calls).
    waiting_at_end
        Expected calls waiting (not in service) at the end of each interval:
        the backlog carried into the next one.
    """

    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray
    abandon_probability: FloatArray
    waiting_at_end: FloatArray


def _array(name: str, value: Any, n: int | None, *, positive: bool) -> FloatArray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(name, value, "numbers") from None
    if arr.ndim > 1:
        raise ValidationError(name, arr.shape, "a scalar or a 1-d array (one per interval)")
    if n is not None:
        if arr.ndim == 0:
            arr = np.full(n, float(arr))
        elif arr.shape != (n,):
            raise ValidationError(name, arr.shape, f"one value per interval ({n})")
    bad = ~np.isfinite(arr) | ((arr <= 0) if positive else (arr < 0))
    if bad.any():
        i = int(np.flatnonzero(np.atleast_1d(bad))[0])
        shown = float(np.atleast_1d(arr)[i])
        bound = "> 0" if positive else ">= 0"
        raise ValidationError(f"{name}[{i}]", shown, f"a finite number {bound}")
    return np.atleast_1d(arr)


def _poisson_weights(x: float, log_factorial: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Poisson(x) probabilities ``w_k`` and time-average weights ``P(N > k) / x``, k = 0..K."""
    k_max = math.ceil(x + 10.0 * math.sqrt(x) + 20.0)
    k = np.arange(k_max + 1)
    w = np.exp(-x + k * math.log(x) - log_factorial[: k_max + 1])
    above = np.cumsum(w[::-1])[::-1] - w
    return w, above / x


def _log_factorials(k_max: int) -> FloatArray:
    return np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, k_max + 1, dtype=np.float64)))))


def _step_rows(rows: FloatArray, diag: FloatArray, up: FloatArray, down: FloatArray) -> FloatArray:
    """``rows @ P`` for the tridiagonal uniformised matrix P (rows: states as columns)."""
    out = rows * diag
    out[:, 1:] += rows[:, :-1] * up[:-1]
    out[:, :-1] += rows[:, 1:] * down[1:]
    return out


def _advance(
    p: FloatArray,
    *,
    low: int,
    rate: float,
    servers: float,
    mu: float,
    theta: float,
    seconds: float,
) -> tuple[FloatArray, FloatArray]:
    """Distribution at the end of the interval and its time average, from ``p`` at the start.

    ``p[j]`` is the probability of ``low + j`` calls in the system; the window's
    edges reflect (its caller widens it until they hold no mass).
    """
    n = low + np.arange(p.size, dtype=np.float64)
    death = mu * np.minimum(n, servers) + theta * np.maximum(n - servers, 0.0)
    death[0] = 0.0
    birth = np.full(p.size, rate)
    birth[-1] = 0.0
    out_rate = birth + death
    lam = float(out_rate.max())
    if lam <= 0.0:
        return p.copy(), p.copy()
    x = lam * seconds
    w, u = _poisson_weights(x, _log_factorials(int(x + 10.0 * math.sqrt(x) + 21.0)))
    diag, up, down = 1.0 - out_rate / lam, birth / lam, death / lam
    # P^16 by sixteen tridiagonal steps from the identity: O(16 n^2) elementwise work, where
    # dense squarings cost O(4 n^3) in BLAS (whose threads stall on a busy machine)
    block = np.eye(p.size)
    for _ in range(_BLOCK):
        block = _step_rows(block, diag, up, down)
    blocks = -(-w.size // _BLOCK)
    weights = np.zeros((2, blocks * _BLOCK))
    weights[0, : w.size], weights[1, : u.size] = w, u
    weights = weights.reshape(2, blocks, _BLOCK).transpose(1, 0, 2).reshape(blocks, 2 * _BLOCK)
    acc = np.zeros((2 * _BLOCK, p.size))
    v = p
    for j in range(blocks):
        acc += weights[j][:, None] * v
        v = v @ block
    # Horner over the residues: sum_r acc_r P^r, for the end (row 0) and the average (row 1)
    rows = acc[[_BLOCK - 1, 2 * _BLOCK - 1]]
    for r in range(_BLOCK - 2, -1, -1):
        rows = _step_rows(rows, diag, up, down) + acc[[r, _BLOCK + r]]
    end = np.clip(rows[0], 0.0, None)
    avg = np.clip(rows[1], 0.0, None)
    return end / end.sum(), avg / avg.sum()


def _tagged(
    states: npt.NDArray[np.int64], *, servers: int, mu: float, theta: float, within: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For a call finding ``states`` calls in the system with ``servers`` whole agents.

    Returns P(answered within ``within``), P(answered) and E[wait; answered]
    (the wait times the indicator of being answered), per state.
    """
    k = np.maximum(states - servers + 1, 0)  # departures to wait for
    served_rate = servers * mu
    if served_rate <= 0.0:
        now = np.where(k == 0, 1.0, 0.0)
        return now, now.copy(), np.zeros(k.size)
    positions = np.arange(int(k.max()) + 1, dtype=np.float64)  # position 0 = answered
    nu = served_rate + positions * theta
    forward = served_rate + np.maximum(positions - 1.0, 0.0) * theta
    answered = served_rate / (served_rate + k * theta)
    inverse = np.concatenate(([0.0], np.cumsum(1.0 / nu[1:])))
    wait_answered = answered * inverse[k]
    if within <= 0.0 or positions.size == 1:
        return np.where(k == 0, 1.0, 0.0), answered, wait_answered
    lam = float(nu.max())
    y = lam * within
    w, _ = _poisson_weights(y, _log_factorials(int(y + 10.0 * math.sqrt(y) + 21.0)))
    g = np.zeros(positions.size)
    g[0] = 1.0
    total = w[0] * g
    stay = 1.0 - nu / lam
    move = forward / lam
    for weight in w[1:]:
        nxt = stay * g
        nxt[1:] += move[1:] * g[:-1]
        nxt[0] = 1.0
        g = nxt
        total += weight * g
    return total[k], answered, wait_answered


def _window(
    p: FloatArray, low: int, *, servers: float, up_rate: float, down_rate: float, seconds: float
) -> tuple[int, int]:
    """States ``[first, last)`` to solve an interval on: where ``p`` has mass, widened by the
    drift and a few standard deviations of the interval's arrivals and departures."""
    mass = np.flatnonzero(p > _TAIL * 1e-3)
    first = low + (int(mass[0]) if mass.size else 0)
    last = low + (int(mass[-1]) + 1 if mass.size else 1)
    spread = 1.5 * math.sqrt((up_rate + down_rate) * seconds) + 6.0
    drift = (up_rate - down_rate) * seconds
    first = max(0, int(first - spread - max(0.0, -drift)))
    last = math.ceil(max(last, servers + 1) + spread + max(0.0, drift))
    return first, max(last, first + _MIN_STATES)


def transient_service(
    calls: Any,
    *,
    aht_seconds: Any,
    agents_on_phone: Any,
    interval_minutes: float,
    answer_within_seconds: float,
    patience_seconds: Any = None,
) -> TransientService:
    """Per-interval service of a time-varying queue that remembers the previous intervals.

    Parameters
    ----------
    calls
        Expected calls offered per interval (1-d, >= 0), consecutive
        intervals in time order; 0 marks a closed interval.
    aht_seconds
        Mean handle time per interval (scalar or 1-d, > 0; ignored where
        there are no calls, NaN allowed there).
    agents_on_phone
        Agents on the phone per interval (scalar or 1-d, >= 0, may be
        fractional), e.g. ``ServicePolicy.on_phone(coverage_scheduled)``.
    interval_minutes
        Interval length in minutes (> 0).
    answer_within_seconds
        Answer-time threshold of the service level, seconds (>= 0).
    patience_seconds
        Mean patience (scalar or 1-d, > 0) for Erlang A, or ``None`` for
        Erlang C (callers never abandon).

    Returns
    -------
    TransientService
        One value per interval of each measure.

    Raises
    ------
    ValidationError
        For a bad argument, naming it and the first bad interval.

    Examples
    --------
    >>> out = transient_service([300.0] * 8, aht_seconds=240, agents_on_phone=85,
    ...                         interval_minutes=15, answer_within_seconds=20)
    >>> round(float(out.service_level[-1]), 3)  # Erlang C at 80 erlangs, 85 agents: 0.692
    0.692
    """
    c = _array("calls", calls, None, positive=False)
    n_int = c.size
    open_ = c > 0
    raw_aht = np.asarray(aht_seconds, dtype=np.float64)
    aht = np.full(n_int, float(raw_aht)) if raw_aht.ndim == 0 else raw_aht
    aht = _array(
        "aht_seconds",
        np.where(open_, aht, 1.0) if aht.shape == (n_int,) else aht,
        n_int,
        positive=True,
    )
    agents = _array("agents_on_phone", agents_on_phone, n_int, positive=False)
    if not (
        isinstance(interval_minutes, (int, float))
        and math.isfinite(interval_minutes)
        and interval_minutes > 0
    ):
        raise ValidationError("interval_minutes", interval_minutes, "a number of minutes > 0")
    if not (
        isinstance(answer_within_seconds, (int, float))
        and math.isfinite(answer_within_seconds)
        and answer_within_seconds >= 0
    ):
        raise ValidationError(
            "answer_within_seconds", answer_within_seconds, "a number of seconds >= 0"
        )
    if patience_seconds is None:
        theta = np.zeros(n_int)
    else:
        theta = 1.0 / _array("patience_seconds", patience_seconds, n_int, positive=True)
    seconds = 60.0 * float(interval_minutes)
    within = float(answer_within_seconds)

    nan = np.full(n_int, np.nan)
    sl, asa, occ, ab, backlog = nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy()
    p, low = np.ones(1), 0  # p[j]: probability of low + j calls in the system
    for i in range(n_int):
        if not open_[i]:
            p, low = np.ones(1), 0
            continue
        rate, mu, servers, th = c[i] / seconds, 1.0 / aht[i], float(agents[i]), float(theta[i])
        first, last = _window(
            p, low, servers=servers, up_rate=rate, down_rate=servers * mu, seconds=seconds
        )
        while True:
            if last - first > MAX_STATES:
                raise StateSpaceTooLarge(
                    f"interval {i}: the queue needs {last - first} states "
                    f"(more than {MAX_STATES}): a backlog that large is an overloaded stretch"
                )
            start = np.zeros(last - first)
            lo, hi = max(first, low), min(last, low + p.size)
            start[lo - first : hi - first] = p[lo - low : hi - low]
            end, avg = _advance(
                start, low=first, rate=rate, servers=servers, mu=mu, theta=th, seconds=seconds
            )
            # the window's edges reflect: widen it until they hold no mass
            top = end[-4:].sum() + avg[-4:].sum()
            bottom = end[:4].sum() + avg[:4].sum() if first > 0 else 0.0
            if max(top, bottom) < _TAIL:
                break
            width = (last - first) // 2
            if top >= _TAIL:
                last += width
            if bottom >= _TAIL:
                first = max(0, first - width)
        p, low = end, first
        states = first + np.arange(end.size)
        whole = math.floor(servers)
        frac = servers - whole
        in_time = np.zeros(end.size)
        answered = np.zeros(end.size)
        wait_answered = np.zeros(end.size)
        for s, share in ((whole, 1.0 - frac), (whole + 1, frac)):
            if share <= 0.0:
                continue
            t, a, wa = _tagged(states, servers=s, mu=mu, theta=th, within=within)
            in_time += share * t
            answered += share * a
            wait_answered += share * wa
        sl[i] = float(avg @ in_time)
        answered_share = float(avg @ answered)
        asa[i] = float(avg @ wait_answered) / answered_share if answered_share > 0 else np.inf
        ab[i] = 1.0 - answered_share
        occ[i] = float(avg @ np.minimum(states, servers)) / servers if servers > 0 else 1.0
        backlog[i] = float(end @ np.maximum(states - servers, 0.0))
    return TransientService(
        service_level=np.clip(sl, 0.0, 1.0),
        asa_seconds=asa,
        occupancy=occ,
        abandon_probability=np.clip(ab, 0.0, 1.0),
        waiting_at_end=backlog,
    )
