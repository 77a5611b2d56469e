"""Queueing maths for contact centres: Erlang B, Erlang C and Erlang A.

Every function is pure and vectorised: arguments may be Python scalars or
numpy arrays and are broadcast against each other. When every argument is a
scalar the result is a Python ``float`` (or ``int`` for agent counts);
otherwise it is a numpy array of the broadcast shape.

Models
------
Erlang B (M/M/n/n)
    Calls that find every agent busy are lost.
Erlang C (M/M/n)
    Calls wait in an unbounded queue, first come first served, and never
    abandon. Stable only when ``agents > traffic``.
Erlang A (M/M/n+M)
    As Erlang C, but every waiting caller abandons after an exponentially
    distributed patience of mean ``patience_seconds``. Stable for any number of
    agents, including fewer agents than the traffic.

Units: ``traffic`` is the offered load in erlangs (calls x AHT / interval
length, see :func:`traffic_erlangs`); times are in seconds.

Arguments: only ``traffic`` and ``agents`` (only ``traffic`` for the
``agents_for_*`` and ``*_requirement`` searches, only ``calls`` for
:func:`traffic_erlangs`) are positional; every other argument is
keyword-only, so that two numbers (an AHT and a patience, say) can never be
swapped silently: ``erlang_a_service_level(10, 12, aht_seconds=180,
patience_seconds=20, answer_within_seconds=120)``.
:func:`erlang_c_metrics`, :func:`erlang_a_metrics`,
:func:`erlang_c_requirement` and :func:`erlang_a_requirement` give every
measure, or the integer and fractional requirement, from one evaluation.

Conventions for the edge cases (never an exception, never a NaN):

* **No traffic** (``traffic == 0``): nothing is blocked, waits or abandons:
  ``erlang_b = erlang_c = 0``, service level 1, ASA 0 s, occupancy 0, and 0
  agents are required, whatever the targets.
* **No agents** (``agents == 0``, traffic > 0): every call is blocked / waits:
  ``erlang_b = erlang_c = 1``, service level 0, ASA ``inf``, occupancy 1
  (zero capacity counts as saturated, so that a maximum-occupancy target is
  never met by zero agents while calls arrive).
* **Overload in Erlang C** (``agents <= traffic``): the queue grows without
  bound: P(wait) 1, service level 0, ASA ``inf``, occupancy 1.

Fractional agents: the continuous extension
-------------------------------------------
Agent counts may be real numbers. Erlang B is extended to real ``x >= 0`` by
the integral (Jagerman, "Some properties of the Erlang loss function", Bell
System Technical Journal 53, 1974)

.. math:: 1/B(a, x) = a \\int_0^\\infty e^{-a t} (1 + t)^x \\, dt
          = a^{-x} e^{a} \\Gamma(x + 1, a),

which equals the usual Erlang B at integer ``x``, is smooth and strictly
decreasing in ``x``, and satisfies the same recursion
``1/B(a, x) = 1 + (x / a) / B(a, x - 1)``. Erlang C, the service level, the
ASA and the Erlang A measures use the same formulas with this ``B``. The
fractional requirement (``agents_for_*_fractional``) is the real ``x`` where
the binding target is met exactly (found by a bracketed root search between
the integer minimum minus one and the integer minimum), so that requirements
can be summed across queues or intervals before rounding.

Numerics
--------
Erlang B is computed from the reciprocal recursion above, run only over the
last ``|x - a| + 9 sqrt(x) + 20`` steps (earlier terms are below ``1e-17`` of
the result), with an exact start from the incomplete gamma function when the
recursion reaches ``x < 1``, and from the closed form ``log(1/B) = a - x log a
+ log Gamma(x + 1)`` far in the tail (``x > a + 12 sqrt(a) + 30``). There are
no factorials, no big numbers and no Python loops over rows; results are
stable well beyond 100,000 agents. Offered loads above ``MAX_TRAFFIC``
(1e6 erlangs, a million agents on the phone) are rejected: that bounds the
work of one call of any function to a few seconds.

Targets are met with a relative tolerance of ``1e-9`` (a service level of
``0.8 * (1 - 1e-9)`` meets a target of 0.8), so that values equal up to
floating-point rounding count as met.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from wfm.errors import ValidationError

__all__ = [
    "AgentRequirement",
    "QueueMetrics",
    "agents_for_asa",
    "agents_for_erlang_a",
    "agents_for_erlang_a_fractional",
    "agents_for_erlang_c",
    "agents_for_erlang_c_fractional",
    "agents_for_service_level",
    "average_speed_of_answer",
    "checked_array",
    "erlang_a_abandon_probability",
    "erlang_a_average_speed_of_answer",
    "erlang_a_metrics",
    "erlang_a_occupancy",
    "erlang_a_requirement",
    "erlang_a_service_level",
    "erlang_a_wait_probability",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "erlang_c_requirement",
    "occupancy",
    "service_level",
    "traffic_erlangs",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: A float for scalar arguments, an array otherwise.
FloatResult = Any
#: An int for scalar arguments, an int64 array otherwise.
IntResult = Any

#: Relative tolerance with which targets are considered met.
TARGET_TOLERANCE = 1e-9

#: Largest offered load accepted, erlangs: far beyond any contact centre. The
#: Erlang B recursion runs over about ``12 sqrt(traffic)`` steps, so a typo such
#: as 1e20 would otherwise try to allocate hundreds of gigabytes.
MAX_TRAFFIC = 1e6

# --------------------------------------------------------------------------- result types


@dataclass(frozen=True, kw_only=True)
class QueueMetrics:
    """Every measure of a queue at a given number of agents, from one evaluation.

    Each field is a float when every argument was a scalar, otherwise an
    array of the broadcast shape. Definitions are those of the single-measure
    functions (:func:`service_level`, :func:`erlang_a_service_level`, ...).

    Attributes
    ----------
    wait_probability
        Probability that an arriving call waits.
    service_level
        Fraction of calls answered within the answer time (Erlang A: of
        offered calls, abandoned ones included).
    asa_seconds
        Average speed of answer, seconds (Erlang C: of all calls; Erlang A:
        of answered calls).
    occupancy
        Carried traffic divided by agents.
    abandon_probability
        Probability that an offered call abandons; ``None`` for Erlang C.
    """

    wait_probability: FloatResult
    service_level: FloatResult
    asa_seconds: FloatResult
    occupancy: FloatResult
    abandon_probability: FloatResult | None = None


@dataclass(frozen=True, kw_only=True)
class AgentRequirement:
    """The integer and the fractional requirement of one search.

    Attributes
    ----------
    agents
        Minimal integer agents meeting every target (int, or an int64 array).
    agents_fractional
        The continuous requirement, in ``(agents - 1, agents]`` (float or array).
    """

    agents: IntResult
    agents_fractional: FloatResult


# --------------------------------------------------------------------------- validation


def checked_array(
    name: str,
    value: Any,
    *,
    lower: float | None = None,
    lower_open: bool = False,
    upper: float | None = None,
    upper_open: bool = False,
    expected: str,
) -> FloatArray:
    """Convert ``value`` to a float array and check every element is finite and in range.

    The validation every function of this module applies to its arguments,
    public so that callers check their own arrays the same way.

    Parameters
    ----------
    name
        Argument name used in the error (``name[i]`` for element ``i``).
    value
        Scalar or array-like.
    lower, upper
        Bounds (``None`` for none); inclusive unless ``lower_open`` /
        ``upper_open``.
    expected
        What a valid value is, in words, for the error message.

    Returns
    -------
    numpy.ndarray
        ``value`` as a float64 array (0-d for a scalar).

    Raises
    ------
    ValidationError
        Naming the first bad element, its value and ``expected``.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(name, value, expected) from None
    bad = ~np.isfinite(arr)
    if lower is not None:
        bad |= (arr <= lower) if lower_open else (arr < lower)
    if upper is not None:
        bad |= (arr >= upper) if upper_open else (arr > upper)
    if bad.any():
        if arr.ndim == 0:
            raise ValidationError(name, value, expected)
        index = int(np.flatnonzero(bad.ravel())[0])
        raise ValidationError(f"{name}[{index}]", float(arr.ravel()[index]), expected)
    return arr


def _traffic(value: Any, name: str = "traffic") -> FloatArray:
    return checked_array(
        name,
        value,
        lower=0.0,
        upper=MAX_TRAFFIC,
        expected=f"a finite number >= 0 (erlangs), at most {MAX_TRAFFIC:.0e}",
    )


def _agents(value: Any) -> FloatArray:
    return checked_array("agents", value, lower=0.0, expected="a finite number >= 0")


def _positive(name: str, value: Any) -> FloatArray:
    return checked_array(name, value, lower=0.0, lower_open=True, expected="a finite number > 0")


def _nonnegative(name: str, value: Any) -> FloatArray:
    return checked_array(name, value, lower=0.0, expected="a finite number >= 0")


def _probability_target(name: str, value: Any) -> FloatArray:
    return checked_array(
        name, value, lower=0.0, lower_open=True, upper=1.0, expected="a number in (0, 1]"
    )


def _level_target(value: Any) -> FloatArray:
    # A service level of 1 is never reached while calls arrive: some calls always wait.
    return checked_array(
        "target",
        value,
        lower=0.0,
        lower_open=True,
        upper=1.0,
        upper_open=True,
        expected="a number in (0, 1): no finite number of agents answers every call in time",
    )


def _is_scalar(*values: Any) -> bool:
    return all(np.ndim(v) == 0 for v in values)


def _float_out(result: FloatArray, scalar: bool) -> FloatResult:
    return float(result) if scalar else result


def _int_out(result: IntArray, scalar: bool) -> IntResult:
    return int(result) if scalar else result


# --------------------------------------------------------------------------- special functions

# Lanczos approximation of the gamma function, g = 7, nine coefficients
# (the widely published set, e.g. Press et al., Numerical Recipes, 3rd ed., 6.1,
# and Godfrey's tables); relative error about 1e-15 for arguments >= 0.5.
_LANCZOS_G = 7.0
_LANCZOS_COEF = (
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
)
_HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)


def _lgamma(z: FloatArray) -> FloatArray:
    """log Gamma(z) for z >= 0.5, vectorised."""
    zm1 = z - 1.0
    series = np.full_like(zm1, _LANCZOS_COEF[0])
    for i, coef in enumerate(_LANCZOS_COEF[1:], start=1):
        series += coef / (zm1 + i)
    t = zm1 + _LANCZOS_G + 0.5
    result: FloatArray = _HALF_LOG_TWO_PI + (zm1 + 0.5) * np.log(t) - t + np.log(series)
    return result


def _inv_erlang_b_fractional(a: FloatArray, f: FloatArray) -> FloatArray:
    """1/B(a, f) = a**-f e**a Gamma(f + 1, a) for 0 < f < 1 and a > 0."""
    out = np.empty_like(a)
    s = f + 1.0
    small = a < 5.0
    if small.any():
        # Series for the lower incomplete gamma: gamma(s, a) = e^-a a^s sum a^k / (s)_(k+1).
        aa, ss, ff = a[small], s[small], f[small]
        term = 1.0 / ss
        total = term.copy()
        for k in range(1, 80):
            term = term * aa / (ss + k)
            total += term
        out[small] = np.exp(np.log(aa) * -ff + aa + _lgamma(ss)) - aa * total
    big = ~small
    if big.any():
        # Continued fraction for the upper incomplete gamma (modified Lentz),
        # Gamma(s, a) = e^-a a^s h, hence 1/B = a h.
        aa, ss = a[big], s[big]
        tiny = 1e-300
        b = aa + 1.0 - ss
        c = np.full_like(aa, 1.0 / tiny)
        d = 1.0 / b
        h = d.copy()
        live = np.arange(aa.size)
        for i in range(1, 400):
            an = -i * (i - ss[live])
            b[live] += 2.0
            dl = an * d[live] + b[live]
            dl = np.where(np.abs(dl) < tiny, tiny, dl)
            cl = b[live] + an / c[live]
            cl = np.where(np.abs(cl) < tiny, tiny, cl)
            dl = 1.0 / dl
            delta = dl * cl
            h[live] *= delta
            d[live], c[live] = dl, cl
            live = live[np.abs(delta - 1.0) >= 4e-16]
            if live.size == 0:
                break
        out[big] = aa * h
    return out


def _recurse_up(a: FloatArray, x: FloatArray, steps: IntArray, start: FloatArray) -> FloatArray:
    """Apply ``R(y) = 1 + (y / a) R(y - 1)`` for y = x - steps + 1, ..., x from R = start.

    Rows are sorted by their number of steps so that, at each step, the rows
    still recursing form a prefix of the arrays (no masking, no copies).
    Returns ``log R``; rows that overflow are redone in log space.
    """
    log_r = np.log(start)
    if steps.size == 0 or int(steps.max()) == 0:
        return log_r
    order = np.argsort(-steps, kind="stable")
    k_sorted = steps[order]
    kmax = int(k_sorted[0])
    x_sorted = x[order]
    inv_a = 1.0 / a[order]
    r = start[order].copy()
    offsets = kmax - np.arange(1, kmax + 1)
    counts = np.searchsorted(-k_sorted, -offsets, side="left")
    with np.errstate(over="ignore", invalid="ignore"):
        for offset, count in zip(offsets.tolist(), counts.tolist(), strict=True):
            head = r[:count]
            head *= (x_sorted[:count] - offset) * inv_a[:count]
            head += 1.0
        overflow = ~(r < 1e300)
        log_sorted = np.log(r)
        if overflow.any():
            rows = np.flatnonzero(overflow)
            xs, la, kk = x_sorted[rows], np.log(a[order][rows]), k_sorted[rows]
            lr = np.log(start[order][rows])
            for offset in range(kmax - 1, -1, -1):
                live = kk > offset
                y = xs - offset
                step = np.logaddexp(0.0, np.log(np.where(live, y, 1.0)) - la + lr)
                lr = np.where(live, step, lr)
            log_sorted[rows] = lr
    log_r[order] = log_sorted
    return log_r


def _log_inv_erlang_b(a: FloatArray, x: FloatArray) -> FloatArray:
    """log(1/B(a, x)) for a > 0, x >= 0 (1-d arrays of equal length)."""
    out = np.zeros_like(a)
    far = x > a + 12.0 * np.sqrt(a) + 30.0
    if far.any():
        af, xf = a[far], x[far]
        out[far] = af - xf * np.log(af) + _lgamma(xf + 1.0)
    near = ~far
    if near.any():
        an, xn = a[near], x[near]
        whole = np.floor(xn)
        frac = xn - whole
        need = np.ceil(np.maximum(xn - an, 0.0) + 9.0 * np.sqrt(xn) + 20.0)
        bottom = need >= whole
        steps = np.where(bottom, whole, need).astype(np.int64)
        start = np.ones_like(an)
        exact = bottom & (frac > 0.0)
        if exact.any():
            # The start value 1/B(a, frac) <= 1 + 1/a enters the result with weight
            # prod_{i < m} (x - i) / a; skip the exact start where that is below e^-40.
            xe, fe, ae = xn[exact], frac[exact], an[exact]
            log_weight = _lgamma(xe + 1.0) - _lgamma(fe + 1.0) - whole[exact] * np.log(ae)
            exact[np.flatnonzero(exact)[log_weight + np.log1p(1.0 / ae) < -40.0]] = False
        if exact.any():
            start[exact] = _inv_erlang_b_fractional(an[exact], frac[exact])
        out[near] = _recurse_up(an, xn, steps, start)
    return out


# --------------------------------------------------------------------------- Erlang B / C


def traffic_erlangs(calls: Any, *, aht_seconds: Any, interval_minutes: Any) -> FloatResult:
    """Offered load in erlangs.

    Parameters
    ----------
    calls
        Calls offered in the interval (>= 0).
    aht_seconds
        Average handling time in seconds (> 0).
    interval_minutes
        Interval length in minutes (> 0).

    Returns
    -------
    float or numpy.ndarray
        ``calls * aht_seconds / (60 * interval_minutes)``.

    Examples
    --------
    >>> traffic_erlangs(100, aht_seconds=180, interval_minutes=30)
    10.0
    """
    c = checked_array("calls", calls, lower=0.0, expected="a finite number >= 0")
    h = _positive("aht_seconds", aht_seconds)
    m = _positive("interval_minutes", interval_minutes)
    result = c * h / (60.0 * m)
    return _float_out(result, _is_scalar(calls, aht_seconds, interval_minutes))


def _erlang_c_from(a: FloatArray, n: FloatArray) -> FloatArray:
    """Erlang C on flat arrays (any a >= 0, n >= 0)."""
    out = np.zeros_like(a)
    busy = a > 0
    over = busy & (n <= a)
    out[over] = 1.0
    stable = busy & (n > a)
    if stable.any():
        aa, nn = a[stable], n[stable]
        with np.errstate(over="ignore"):
            r = np.exp(_log_inv_erlang_b(aa, nn))
            out[stable] = nn / (r * (nn - aa) + aa)
    return out


def erlang_b(traffic: Any, agents: Any) -> FloatResult:
    """Erlang B blocking probability (M/M/n/n).

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    agents
        Number of servers (>= 0); fractional values use the continuous extension
        described in the module documentation.

    Returns
    -------
    float or numpy.ndarray
        Probability that an arriving call finds every agent busy and is lost;
        0 when ``traffic == 0``, 1 when ``agents == 0`` and ``traffic > 0``.

    Examples
    --------
    >>> round(erlang_b(10, 10), 6)
    0.214582
    """
    a = _traffic(traffic)
    n = _agents(agents)
    a_b, n_b = np.broadcast_arrays(a, n)
    flat_a, flat_n = a_b.ravel(), n_b.ravel()
    out = np.zeros(flat_a.shape)
    busy = flat_a > 0
    if busy.any():
        out[busy] = np.exp(-_log_inv_erlang_b(flat_a[busy], flat_n[busy]))
    return _float_out(out.reshape(a_b.shape), _is_scalar(traffic, agents))


def erlang_c(traffic: Any, agents: Any) -> FloatResult:
    """Erlang C probability that an arriving call waits (M/M/n).

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    agents
        Number of agents (>= 0, may be fractional: continuous extension).

    Returns
    -------
    float or numpy.ndarray
        ``n B / (n - a (1 - B))`` with ``B`` the Erlang B probability when
        ``agents > traffic``; 1 when ``0 < traffic >= agents``; 0 when
        ``traffic == 0``.

    Examples
    --------
    >>> round(erlang_c(10, 14), 7)
    0.1741319
    """
    a = _traffic(traffic)
    n = _agents(agents)
    a_b, n_b = np.broadcast_arrays(a, n)
    out = _erlang_c_from(a_b.ravel(), n_b.ravel()).reshape(a_b.shape)
    return _float_out(out, _is_scalar(traffic, agents))


def _c_metrics(
    a: FloatArray, n: FloatArray, aht: FloatArray, within: FloatArray | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Erlang C P(wait), service level, ASA and occupancy on flat arrays."""
    pw = _erlang_c_from(a, n)
    gap = n - a
    stable = gap > 0
    idle = a == 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if within is None:
            sl = np.where(idle, 1.0, 0.0)
        else:
            sl = np.where(
                stable, 1.0 - pw * np.exp(-np.where(stable, gap, 0.0) * within / aht), 0.0
            )
            sl = np.where(idle, 1.0, sl)
        asa = np.where(stable, pw * aht / np.where(stable, gap, 1.0), np.inf)
        asa = np.where(idle, 0.0, asa)
        occ = np.where(stable, a / np.where(stable, n, 1.0), 1.0)
        occ = np.where(idle, 0.0, occ)
    return pw, np.clip(sl, 0.0, 1.0), asa, occ


def service_level(
    traffic: Any, agents: Any, *, aht_seconds: Any, answer_within_seconds: Any
) -> FloatResult:
    """Erlang C service level: fraction of calls answered within a target time.

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    agents
        Number of agents (>= 0, may be fractional).
    aht_seconds
        Average handling time in seconds (> 0).
    answer_within_seconds
        Target answer time in seconds (>= 0).

    Returns
    -------
    float or numpy.ndarray
        ``1 - C exp(-(n - a) T / AHT)`` for ``n > a``; 0 when overloaded
        (``0 < a >= n``); 1 when ``traffic == 0``.

    Examples
    --------
    >>> round(service_level(10, 14, aht_seconds=180, answer_within_seconds=20), 5)
    0.88835
    """
    a, n, h, t = np.broadcast_arrays(
        _traffic(traffic),
        _agents(agents),
        _positive("aht_seconds", aht_seconds),
        _nonnegative("answer_within_seconds", answer_within_seconds),
    )
    sl = _c_metrics(a.ravel(), n.ravel(), h.ravel(), t.ravel())[1].reshape(a.shape)
    return _float_out(sl, _is_scalar(traffic, agents, aht_seconds, answer_within_seconds))


def average_speed_of_answer(traffic: Any, agents: Any, *, aht_seconds: Any) -> FloatResult:
    """Erlang C average speed of answer (mean wait of all calls), in seconds.

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    agents
        Number of agents (>= 0, may be fractional).
    aht_seconds
        Average handling time in seconds (> 0).

    Returns
    -------
    float or numpy.ndarray
        ``C AHT / (n - a)`` seconds for ``n > a``; ``inf`` when overloaded;
        0 when ``traffic == 0``. Never negative.

    Examples
    --------
    >>> round(average_speed_of_answer(10, 14, aht_seconds=180), 5)
    7.83594
    """
    a, n, h = np.broadcast_arrays(
        _traffic(traffic), _agents(agents), _positive("aht_seconds", aht_seconds)
    )
    asa = _c_metrics(a.ravel(), n.ravel(), h.ravel(), None)[2].reshape(a.shape)
    return _float_out(asa, _is_scalar(traffic, agents, aht_seconds))


def occupancy(traffic: Any, agents: Any) -> FloatResult:
    """Erlang C agent occupancy: the fraction of time an agent is busy.

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    agents
        Number of agents (>= 0, may be fractional).

    Returns
    -------
    float or numpy.ndarray
        ``traffic / agents`` when ``agents > traffic``; 1 when overloaded or
        when ``agents == 0 < traffic``; 0 when ``traffic == 0``.

    Examples
    --------
    >>> round(occupancy(10, 14), 7)
    0.7142857
    """
    a, n = np.broadcast_arrays(_traffic(traffic), _agents(agents))
    flat_a, flat_n = a.ravel(), n.ravel()
    occ = _c_metrics(flat_a, flat_n, np.ones_like(flat_a), None)[3].reshape(a.shape)
    return _float_out(occ, _is_scalar(traffic, agents))


def erlang_c_metrics(
    traffic: Any, agents: Any, *, aht_seconds: Any, answer_within_seconds: Any = 0.0
) -> QueueMetrics:
    """Erlang C wait probability, service level, ASA and occupancy in one pass.

    Parameters
    ----------
    traffic, agents, aht_seconds
        As for :func:`service_level`.
    answer_within_seconds
        Answer-time threshold of the service level in seconds (>= 0); the
        default 0 gives the fraction of calls answered at once.

    Returns
    -------
    QueueMetrics
        As :func:`erlang_c`, :func:`service_level`,
        :func:`average_speed_of_answer` and :func:`occupancy` would give;
        ``abandon_probability`` is ``None``.

    Examples
    --------
    >>> m = erlang_c_metrics(10, 14, aht_seconds=180, answer_within_seconds=20)
    >>> round(m.service_level, 5), round(m.asa_seconds, 5)
    (0.88835, 7.83594)
    """
    a, n, h, t = np.broadcast_arrays(
        _traffic(traffic),
        _agents(agents),
        _positive("aht_seconds", aht_seconds),
        _nonnegative("answer_within_seconds", answer_within_seconds),
    )
    pw, sl, asa, occ = _c_metrics(a.ravel(), n.ravel(), h.ravel(), t.ravel())
    scalar = _is_scalar(traffic, agents, aht_seconds, answer_within_seconds)
    return QueueMetrics(
        wait_probability=_float_out(pw.reshape(a.shape), scalar),
        service_level=_float_out(sl.reshape(a.shape), scalar),
        asa_seconds=_float_out(asa.reshape(a.shape), scalar),
        occupancy=_float_out(occ.reshape(a.shape), scalar),
    )


# --------------------------------------------------------------------------- searches


def _met_low(value: FloatArray, target: FloatArray) -> npt.NDArray[np.bool_]:
    """value >= target, up to the relative tolerance."""
    return np.asarray(value >= target * (1.0 - TARGET_TOLERANCE))


def _met_high(value: FloatArray, limit: FloatArray) -> npt.NDArray[np.bool_]:
    """value <= limit, up to the relative tolerance."""
    return np.asarray(value <= limit * (1.0 + TARGET_TOLERANCE))


def _solve_increasing(
    func: Callable[[FloatArray, IntArray], FloatArray],
    lo: FloatArray,
    hi: FloatArray,
    goal: FloatArray,
) -> FloatArray:
    """Root of ``func(x) = goal`` on ``[lo, hi]`` for increasing ``func``, per row.

    ``func(x, rows)`` evaluates the rows ``rows`` at ``x``. Rows where the goal
    is already met at ``lo`` return ``lo``. Illinois variant of regula falsi,
    vectorised; stops when the bracket is below ``1e-10`` agents wide.
    """
    rows_all = np.arange(lo.size)
    x_lo, x_hi = lo.astype(np.float64), hi.astype(np.float64)
    f_lo = func(x_lo, rows_all) - goal
    f_hi = func(x_hi, rows_all) - goal
    result = x_hi.copy()
    met_lo = f_lo >= 0
    result[met_lo] = x_lo[met_lo]
    active = np.flatnonzero(~met_lo & (x_hi - x_lo > 1e-10))
    side = np.zeros(lo.size, dtype=np.int8)
    for _ in range(200):
        if active.size == 0:
            break
        a_lo, a_hi, fa_lo, fa_hi = x_lo[active], x_hi[active], f_lo[active], f_hi[active]
        denom = fa_hi - fa_lo
        with np.errstate(divide="ignore", invalid="ignore"):
            x_new = a_hi - fa_hi * (a_hi - a_lo) / denom
        bad = ~np.isfinite(x_new) | (x_new <= a_lo) | (x_new >= a_hi)
        x_new = np.where(bad, 0.5 * (a_lo + a_hi), x_new)
        f_new = func(x_new, active) - goal[active]
        up = f_new >= 0
        # f(x_new) >= 0 replaces the upper end; halve the kept end's value twice in a row.
        s = side[active]
        x_hi[active] = np.where(up, x_new, a_hi)
        f_hi[active] = np.where(up, f_new, np.where(s == -1, fa_hi * 0.5, fa_hi))
        x_lo[active] = np.where(up, a_lo, x_new)
        f_lo[active] = np.where(up, np.where(s == 1, fa_lo * 0.5, fa_lo), f_new)
        side[active] = np.where(up, 1, -1)
        width = x_hi[active] - x_lo[active]
        done = (width <= 1e-10) | (np.abs(f_new) <= 1e-11 * np.maximum(np.abs(goal[active]), 1.0))
        result[active] = np.where(done & ~up, x_new, x_hi[active])
        active = active[~done]
    return result


def _check_occupancy_arg(max_occupancy: Any) -> FloatArray | None:
    if max_occupancy is None:
        return None
    return _probability_target("max_occupancy", max_occupancy)


def _erlang_c_search(
    a: FloatArray,
    aht: FloatArray,
    target: FloatArray | None,
    within: FloatArray | None,
    asa: FloatArray | None,
    max_occ: FloatArray | None,
) -> IntArray:
    """Minimal integer agents meeting every given Erlang C target (flat arrays)."""
    result = np.zeros(a.shape, dtype=np.int64)
    rows = np.flatnonzero(a > 0)
    if rows.size == 0:
        return result
    aa = a[rows]
    n = np.floor(aa) + 1.0
    if max_occ is not None:
        n = np.maximum(n, np.ceil(aa / max_occ[rows] * (1.0 - TARGET_TOLERANCE)))
        n = np.maximum(n, np.floor(aa) + 1.0)
    with np.errstate(over="ignore"):
        r = np.exp(_log_inv_erlang_b(aa, n))
    hh = aht[rows]
    tt = None if target is None else target[rows]
    ww = None if within is None else within[rows]
    qq = None if asa is None else asa[rows]
    idx = np.arange(rows.size)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while idx.size:
            a_i, n_i, r_i = aa[idx], n[idx], r[idx]
            gap = n_i - a_i
            pw = n_i / (r_i * gap + a_i)
            ok = np.ones(idx.size, dtype=bool)
            if tt is not None and ww is not None:
                ok &= _met_low(1.0 - pw * np.exp(-gap * ww[idx] / hh[idx]), tt[idx])
            if qq is not None:
                ok &= _met_high(pw * hh[idx] / gap, qq[idx])
            result[rows[idx[ok]]] = n_i[ok].astype(np.int64)
            idx = idx[~ok]
            n_next = n[idx] + 1.0
            r[idx] = 1.0 + n_next / aa[idx] * r[idx]
            n[idx] = n_next
    return result


def _erlang_c_fractional(
    a: FloatArray,
    aht: FloatArray,
    target: FloatArray | None,
    within: FloatArray | None,
    asa: FloatArray | None,
    max_occ: FloatArray | None,
    whole: IntArray,
) -> FloatArray:
    """Continuous requirement given the integer minimum ``whole`` (flat arrays)."""
    out = np.zeros(a.shape)
    rows = np.flatnonzero(a > 0)
    if rows.size == 0:
        return out
    aa, hh = a[rows], aht[rows]
    hi = whole[rows].astype(np.float64)
    lo = np.maximum(hi - 1.0, aa)
    best = np.zeros(rows.size)
    if target is not None and within is not None:
        ww = within[rows]

        def sl_at(x: FloatArray, sub: IntArray) -> FloatArray:
            return _c_metrics(aa[sub], x, hh[sub], ww[sub])[1]

        best = np.maximum(best, _solve_increasing(sl_at, lo, hi, target[rows]))
    if asa is not None:

        def inv_asa_at(x: FloatArray, sub: IntArray) -> FloatArray:
            with np.errstate(divide="ignore"):
                return 1.0 / _c_metrics(aa[sub], x, hh[sub], None)[2]

        best = np.maximum(best, _solve_increasing(inv_asa_at, lo, hi, 1.0 / asa[rows]))
    if max_occ is not None:
        best = np.maximum(best, aa / max_occ[rows])
    out[rows] = np.minimum(np.maximum(best, np.nextafter(aa, np.inf)), hi)
    return out


def _c_targets(
    traffic: Any,
    aht_seconds: Any,
    target: Any,
    answer_within_seconds: Any,
    asa_seconds: Any,
    max_occupancy: Any,
) -> tuple[
    tuple[int, ...],
    bool,
    FloatArray,
    FloatArray,
    FloatArray | None,
    FloatArray | None,
    FloatArray | None,
    FloatArray | None,
]:
    """Validate and broadcast the Erlang C requirement arguments to flat arrays."""
    if target is None and asa_seconds is None:
        raise ValidationError(
            "target", None, "a service-level target and/or asa_seconds (at least one target)"
        )
    if (target is None) != (answer_within_seconds is None):
        raise ValidationError(
            "answer_within_seconds",
            answer_within_seconds,
            "a value exactly when a service-level target is given",
        )
    given: list[Any] = [traffic, aht_seconds, target, answer_within_seconds, asa_seconds]
    given.append(max_occupancy)
    arrays: list[FloatArray | None] = [
        _traffic(traffic),
        _positive("aht_seconds", aht_seconds),
        None if target is None else _level_target(target),
        None
        if answer_within_seconds is None
        else _nonnegative("answer_within_seconds", answer_within_seconds),
        None if asa_seconds is None else _positive("asa_seconds", asa_seconds),
        _check_occupancy_arg(max_occupancy),
    ]
    present = [arr for arr in arrays if arr is not None]
    shape = np.broadcast_shapes(*(arr.shape for arr in present))
    flat = [None if arr is None else np.broadcast_to(arr, shape).ravel() for arr in arrays]
    scalar = _is_scalar(*(v for v in given if v is not None))
    a, h = flat[0], flat[1]
    assert a is not None and h is not None
    return shape, scalar, a, h, flat[2], flat[3], flat[4], flat[5]


def agents_for_erlang_c(
    traffic: Any,
    *,
    aht_seconds: Any,
    target: Any = None,
    answer_within_seconds: Any = None,
    asa_seconds: Any = None,
    max_occupancy: Any = None,
) -> IntResult:
    """Minimal integer number of agents meeting every given Erlang C target.

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    aht_seconds
        Average handling time in seconds (> 0).
    target
        Service-level target in (0, 1); requires ``answer_within_seconds``.
    answer_within_seconds
        Answer-time target in seconds (>= 0) of the service level.
    asa_seconds
        Maximum average speed of answer in seconds (> 0).
    max_occupancy
        Maximum occupancy in (0, 1].

    Returns
    -------
    int or numpy.ndarray
        The smallest ``n`` with ``n > traffic`` meeting every given target
        (0 when ``traffic == 0``).

    Raises
    ------
    ValidationError
        If an argument is out of range or no target is given.
    """
    shape, scalar, a, h, t, w, q, o = _c_targets(
        traffic, aht_seconds, target, answer_within_seconds, asa_seconds, max_occupancy
    )
    result = _erlang_c_search(a, h, t, w, q, o).reshape(shape)
    return _int_out(result, scalar)


def agents_for_erlang_c_fractional(
    traffic: Any,
    *,
    aht_seconds: Any,
    target: Any = None,
    answer_within_seconds: Any = None,
    asa_seconds: Any = None,
    max_occupancy: Any = None,
) -> FloatResult:
    """Continuous (fractional) Erlang C requirement meeting every given target.

    Same arguments as :func:`agents_for_erlang_c`. The result is the smallest
    real ``x`` at which every target is met under the continuous extension of
    Erlang B/C (see the module documentation); it lies in ``(n - 1, n]`` where
    ``n`` is the integer requirement, and above ``traffic``. Sum these before
    rounding when aggregating queues or intervals.

    Returns
    -------
    float or numpy.ndarray
        Fractional agents (0 when ``traffic == 0``).
    """
    return erlang_c_requirement(
        traffic,
        aht_seconds=aht_seconds,
        target=target,
        answer_within_seconds=answer_within_seconds,
        asa_seconds=asa_seconds,
        max_occupancy=max_occupancy,
    ).agents_fractional


def erlang_c_requirement(
    traffic: Any,
    *,
    aht_seconds: Any,
    target: Any = None,
    answer_within_seconds: Any = None,
    asa_seconds: Any = None,
    max_occupancy: Any = None,
) -> AgentRequirement:
    """Integer and fractional Erlang C requirement from one search.

    Same arguments as :func:`agents_for_erlang_c`; the fractional part is
    searched from the integer one, so this costs no more than
    :func:`agents_for_erlang_c_fractional` alone.

    Returns
    -------
    AgentRequirement
        ``agents`` as :func:`agents_for_erlang_c`, ``agents_fractional`` as
        :func:`agents_for_erlang_c_fractional`.

    Examples
    --------
    >>> r = erlang_c_requirement(10, aht_seconds=180, target=0.8, answer_within_seconds=20)
    >>> r.agents, 13 < r.agents_fractional <= 14
    (14, True)
    """
    shape, scalar, a, h, t, w, q, o = _c_targets(
        traffic, aht_seconds, target, answer_within_seconds, asa_seconds, max_occupancy
    )
    whole = _erlang_c_search(a, h, t, w, q, o)
    frac = _erlang_c_fractional(a, h, t, w, q, o, whole)
    return AgentRequirement(
        agents=_int_out(whole.reshape(shape), scalar),
        agents_fractional=_float_out(frac.reshape(shape), scalar),
    )


def agents_for_service_level(
    traffic: Any,
    *,
    aht_seconds: Any,
    target: Any,
    answer_within_seconds: Any,
    max_occupancy: Any = None,
) -> IntResult:
    """Minimal Erlang C agents so that ``target`` of calls wait at most ``answer_within_seconds``.

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    aht_seconds
        Average handling time in seconds (> 0).
    target
        Service-level target in (0, 1), e.g. 0.8.
    answer_within_seconds
        Answer-time target in seconds (>= 0), e.g. 20.
    max_occupancy
        Optional maximum occupancy in (0, 1].

    Returns
    -------
    int or numpy.ndarray
        Minimal agent count (0 when ``traffic == 0``).

    Examples
    --------
    >>> agents_for_service_level(10, aht_seconds=180, target=0.8, answer_within_seconds=20)
    14
    """
    return agents_for_erlang_c(
        traffic,
        aht_seconds=aht_seconds,
        target=target,
        answer_within_seconds=answer_within_seconds,
        max_occupancy=max_occupancy,
    )


def agents_for_asa(
    traffic: Any, *, aht_seconds: Any, asa_seconds: Any, max_occupancy: Any = None
) -> IntResult:
    """Minimal Erlang C agents so that the average speed of answer is at most ``asa_seconds``.

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    aht_seconds
        Average handling time in seconds (> 0).
    asa_seconds
        Maximum average speed of answer in seconds (> 0).
    max_occupancy
        Optional maximum occupancy in (0, 1].

    Returns
    -------
    int or numpy.ndarray
        Minimal agent count (0 when ``traffic == 0``).

    Examples
    --------
    >>> agents_for_asa(10, aht_seconds=180, asa_seconds=10)
    14
    """
    return agents_for_erlang_c(
        traffic, aht_seconds=aht_seconds, asa_seconds=asa_seconds, max_occupancy=max_occupancy
    )


# --------------------------------------------------------------------------- Erlang A


def _kummer_sums(
    s: FloatArray, z: FloatArray, *, moments: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Sums of ``t_j = prod_{i=1..j} z / (s + i)`` (``t_0 = 1``) for s >= 0, z >= 0.

    Returns ``log S0``, ``S1 / S0`` and ``SH / S0`` with ``S0 = sum t_j``,
    ``S1 = sum j t_j`` and ``SH = sum t_j h_j``, ``h_j = sum_{i=1..j} 1 / (s + i)``
    (the last two only when ``moments``). ``S0`` is Kummer's function
    ``M(1, s + 1, z)``. Terms are summed in blocks, in log space with a running
    scale, until the remaining tail is below ``1e-17`` of the sum.
    """
    size = s.size
    log_s0 = np.zeros(size)
    mean_j = np.zeros(size)
    mean_h = np.zeros(size)
    active = np.flatnonzero(z > 0)
    if active.size == 0:
        return log_s0, mean_j, mean_h
    count = active.size
    done_terms = np.zeros(count)
    log_t = np.zeros(count)
    scale = np.zeros(count)
    acc0 = np.ones(count)
    acc1 = np.zeros(count)
    acch = np.zeros(count)
    harm = np.zeros(count)
    block = 32
    while active.size:
        ss = s[active][:, None]
        zz = z[active][:, None]
        j = done_terms[:, None] + np.arange(1, block + 1)
        lt = log_t[:, None] + np.cumsum(np.log(zz) - np.log(ss + j), axis=1)
        new_scale = np.maximum(scale, lt.max(axis=1))
        shrink = np.exp(scale - new_scale)
        weights = np.exp(lt - new_scale[:, None])
        acc0 = acc0 * shrink + weights.sum(axis=1)
        if moments:
            hj = harm[:, None] + np.cumsum(1.0 / (ss + j), axis=1)
            acc1 = acc1 * shrink + (weights * j).sum(axis=1)
            acch = acch * shrink + (weights * hj).sum(axis=1)
            harm = hj[:, -1]
        scale = new_scale
        log_t = lt[:, -1]
        done_terms = done_terms + block
        ratio = z[active] / (s[active] + done_terms + 1.0)
        # The remaining terms shrink at least geometrically by ``ratio`` once it is below 1.
        with np.errstate(divide="ignore"):
            tail = log_t - np.log1p(-np.minimum(ratio, 1.0))
        finished = (ratio < 1.0) & (tail < scale + np.log(acc0) - 40.0)
        if finished.any():
            rows = active[finished]
            log_s0[rows] = scale[finished] + np.log(acc0[finished])
            if moments:
                mean_j[rows] = acc1[finished] / acc0[finished]
                mean_h[rows] = acch[finished] / acc0[finished]
            keep = ~finished
            active = active[keep]
            done_terms, log_t, scale = done_terms[keep], log_t[keep], scale[keep]
            acc0, acc1, acch, harm = acc0[keep], acc1[keep], acch[keep], harm[keep]
        block = min(block * 2, 2048)
    return log_s0, mean_j, mean_h


def _a_metrics(
    a: FloatArray,
    n: FloatArray,
    aht: FloatArray,
    patience: FloatArray,
    within: FloatArray | None,
    *,
    want_asa: bool = True,
) -> dict[str, FloatArray]:
    """Erlang A measures on flat arrays (a >= 0, n >= 0)."""
    size = a.size
    pw = np.zeros(size)
    pab = np.zeros(size)
    sl = np.ones(size)
    asa = np.zeros(size)
    occ = np.zeros(size)
    rows = np.flatnonzero(a > 0)
    if rows.size:
        aa, nn, hh, pp = a[rows], n[rows], aht[rows], patience[rows]
        x = nn * pp / hh  # n mu / theta
        y = aa * pp / hh  # lambda / theta
        log_r = _log_inv_erlang_b(aa, nn)
        log_s0, mean_j, mean_h = _kummer_sums(x, y, moments=True)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            ratio = np.exp(log_r - log_s0) * -np.expm1(-log_r)
            p_wait = 1.0 / (1.0 + ratio)
            p_ab = np.where(nn > 0, np.clip(p_wait * mean_j / y, 0.0, 1.0), 1.0)
            pw[rows] = p_wait
            pab[rows] = p_ab
            served = 1.0 - p_ab
            occ[rows] = np.where(
                nn > 0, np.minimum(aa * served / np.where(nn > 0, nn, 1.0), 1.0), 1.0
            )
            if want_asa:
                waited = p_wait * x * mean_h * pp / y
                asa[rows] = np.where(served > 0, waited / np.where(served > 0, served, 1.0), np.inf)
            if within is not None:
                ww = within[rows]
                theta_t = ww / pp
                log_a2 = _kummer_sums(x + 1.0, y * np.exp(-theta_t), moments=False)[0]
                term1 = (x / y) * -np.expm1(-log_s0)
                term2 = (x / (x + 1.0)) * np.exp(
                    -(x + 1.0) * theta_t + y * -np.expm1(-theta_t) + log_a2 - log_s0
                )
                answered_after_wait = np.clip(term1 - term2, 0.0, 1.0)
                sl[rows] = np.clip(1.0 - p_wait * (1.0 - answered_after_wait), 0.0, 1.0)
    return {
        "wait_probability": pw,
        "abandon_probability": pab,
        "service_level": sl,
        "asa_seconds": asa,
        "occupancy": occ,
    }


def _a_inputs(
    traffic: Any,
    agents: Any,
    aht_seconds: Any,
    patience_seconds: Any,
    answer_within_seconds: Any = None,
) -> tuple[tuple[int, ...], FloatArray, FloatArray, FloatArray, FloatArray, FloatArray | None]:
    arrays = [
        _traffic(traffic),
        _agents(agents),
        _positive("aht_seconds", aht_seconds),
        checked_array(
            "patience_seconds",
            patience_seconds,
            lower=0.0,
            lower_open=True,
            expected="a finite number > 0 (use Erlang C for infinite patience)",
        ),
    ]
    if answer_within_seconds is not None:
        arrays.append(_nonnegative("answer_within_seconds", answer_within_seconds))
    full = np.broadcast_arrays(*arrays)
    w = full[4].ravel() if len(full) > 4 else None
    return full[0].shape, full[0].ravel(), full[1].ravel(), full[2].ravel(), full[3].ravel(), w


def erlang_a_wait_probability(
    traffic: Any, agents: Any, *, aht_seconds: Any, patience_seconds: Any
) -> FloatResult:
    """Erlang A (M/M/n+M) probability that an arriving call has to wait.

    Uses Mandelbaum & Zeltyn's formula (Zeltyn & Mandelbaum, "The M/M/n+G
    queue: summary of performance measures", 2005)
    ``P(W > 0) = A B / (1 + (A - 1) B)``, with ``B`` the Erlang B probability
    and ``A = A(n mu / theta, lambda / theta)`` Kummer's function
    ``sum_j prod_{i<=j} y / (x + i)``.

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    agents
        Number of agents (>= 0, may be fractional; may be below ``traffic``).
    aht_seconds
        Average handling time in seconds (> 0).
    patience_seconds
        Mean patience of a waiting caller in seconds (> 0, finite).

    Returns
    -------
    float or numpy.ndarray
        Probability in [0, 1]; 0 when ``traffic == 0``, 1 when ``agents == 0``.
    """
    shape, a, n, h, p, _ = _a_inputs(traffic, agents, aht_seconds, patience_seconds)
    out = _a_metrics(a, n, h, p, None, want_asa=False)["wait_probability"].reshape(shape)
    return _float_out(out, _is_scalar(traffic, agents, aht_seconds, patience_seconds))


def erlang_a_abandon_probability(
    traffic: Any, agents: Any, *, aht_seconds: Any, patience_seconds: Any
) -> FloatResult:
    """Erlang A probability that an offered call abandons before being answered.

    Per offered call: ``P(Ab) = P(W > 0) (1 - 1/rho + 1/(rho A))`` with
    ``rho = traffic / agents`` (Mandelbaum & Zeltyn); computed from the mean
    queue length seen by waiting callers, which avoids the cancellation of
    that formula at light load.

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    agents
        Number of agents (>= 0, may be fractional).
    aht_seconds
        Average handling time in seconds (> 0).
    patience_seconds
        Mean patience in seconds (> 0, finite).

    Returns
    -------
    float or numpy.ndarray
        Probability in [0, 1]; 0 when ``traffic == 0``, 1 when ``agents == 0``.
    """
    shape, a, n, h, p, _ = _a_inputs(traffic, agents, aht_seconds, patience_seconds)
    out = _a_metrics(a, n, h, p, None, want_asa=False)["abandon_probability"].reshape(shape)
    return _float_out(out, _is_scalar(traffic, agents, aht_seconds, patience_seconds))


def erlang_a_service_level(
    traffic: Any,
    agents: Any,
    *,
    aht_seconds: Any,
    patience_seconds: Any,
    answer_within_seconds: Any,
) -> FloatResult:
    """Erlang A service level: fraction of offered calls answered within a target time.

    Definition (per offered call): ``P(answered and wait <= T)``. Calls
    answered at once count as answered within ``T``; a call that abandons
    never counts, whether it abandoned before or after ``T``; the
    denominator is every offered call, abandoned ones included. This follows
    the per-offered-call convention of Mandelbaum & Zeltyn's Erlang-A
    measures (``P(W > 0)``, ``P(Ab)`` are per arrival), and is stricter than
    "answered within T among answered calls". Computed in closed form as

    ``SL = 1 - P(W > 0) + P(W > 0) [gamma(x+1, y) - gamma(x+1, y e^{-theta T})]
    / (y gamma(x, y))``

    with ``x = n mu / theta``, ``y = lambda / theta``, ``mu = 1 / AHT``,
    ``theta = 1 / patience`` and ``gamma`` the lower incomplete gamma function
    (derived by summing, over the queue position found on arrival, the
    probability that the service clock beats the caller's patience clock
    before ``T``).

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    agents
        Number of agents (>= 0, may be fractional).
    aht_seconds
        Average handling time in seconds (> 0).
    patience_seconds
        Mean patience in seconds (> 0, finite).
    answer_within_seconds
        Answer-time target in seconds (>= 0).

    Returns
    -------
    float or numpy.ndarray
        Fraction in [0, 1]; 1 when ``traffic == 0``, 0 when ``agents == 0``.
    """
    shape, a, n, h, p, w = _a_inputs(
        traffic, agents, aht_seconds, patience_seconds, answer_within_seconds
    )
    out = _a_metrics(a, n, h, p, w, want_asa=False)["service_level"].reshape(shape)
    scalar = _is_scalar(traffic, agents, aht_seconds, patience_seconds, answer_within_seconds)
    return _float_out(out, scalar)


def erlang_a_average_speed_of_answer(
    traffic: Any, agents: Any, *, aht_seconds: Any, patience_seconds: Any
) -> FloatResult:
    """Erlang A average speed of answer: mean wait of answered calls, in seconds.

    ``E[W | answered]``, including the zero waits of calls answered at once
    (abandoned calls are excluded; their mean wait is part of
    ``P(Ab) patience`` = the mean wait of all calls, by Little's law).

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    agents
        Number of agents (>= 0, may be fractional).
    aht_seconds
        Average handling time in seconds (> 0).
    patience_seconds
        Mean patience in seconds (> 0, finite).

    Returns
    -------
    float or numpy.ndarray
        Seconds; 0 when ``traffic == 0``; ``inf`` when ``agents == 0`` (no call
        is ever answered).
    """
    shape, a, n, h, p, _ = _a_inputs(traffic, agents, aht_seconds, patience_seconds)
    out = _a_metrics(a, n, h, p, None)["asa_seconds"].reshape(shape)
    return _float_out(out, _is_scalar(traffic, agents, aht_seconds, patience_seconds))


def erlang_a_occupancy(
    traffic: Any, agents: Any, *, aht_seconds: Any, patience_seconds: Any
) -> FloatResult:
    """Erlang A occupancy: carried traffic divided by agents.

    Carried traffic is ``traffic * (1 - P(Ab))``: abandoned calls take no
    agent time.

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    agents
        Number of agents (>= 0, may be fractional).
    aht_seconds
        Average handling time in seconds (> 0).
    patience_seconds
        Mean patience in seconds (> 0, finite).

    Returns
    -------
    float or numpy.ndarray
        Fraction in [0, 1]; 0 when ``traffic == 0``; 1 when ``agents == 0 < traffic``.
    """
    shape, a, n, h, p, _ = _a_inputs(traffic, agents, aht_seconds, patience_seconds)
    out = _a_metrics(a, n, h, p, None, want_asa=False)["occupancy"].reshape(shape)
    return _float_out(out, _is_scalar(traffic, agents, aht_seconds, patience_seconds))


def erlang_a_metrics(
    traffic: Any,
    agents: Any,
    *,
    aht_seconds: Any,
    patience_seconds: Any,
    answer_within_seconds: Any = 0.0,
) -> QueueMetrics:
    """Every Erlang A (M/M/n+M) measure in one pass.

    Parameters
    ----------
    traffic, agents, aht_seconds, patience_seconds
        As for :func:`erlang_a_service_level`.
    answer_within_seconds
        Answer-time threshold of the service level in seconds (>= 0); the
        default 0 gives the fraction of offered calls answered at once.

    Returns
    -------
    QueueMetrics
        As :func:`erlang_a_wait_probability`,
        :func:`erlang_a_service_level`,
        :func:`erlang_a_average_speed_of_answer`, :func:`erlang_a_occupancy`
        and :func:`erlang_a_abandon_probability` would give.
    """
    shape, a, n, h, p, w = _a_inputs(
        traffic, agents, aht_seconds, patience_seconds, answer_within_seconds
    )
    m = _a_metrics(a, n, h, p, w)
    scalar = _is_scalar(traffic, agents, aht_seconds, patience_seconds, answer_within_seconds)

    def out(key: str) -> FloatResult:
        return _float_out(m[key].reshape(shape), scalar)

    return QueueMetrics(
        wait_probability=out("wait_probability"),
        service_level=out("service_level"),
        asa_seconds=out("asa_seconds"),
        occupancy=out("occupancy"),
        abandon_probability=out("abandon_probability"),
    )


def _a_meets(
    a: FloatArray,
    n: FloatArray,
    aht: FloatArray,
    patience: FloatArray,
    target: FloatArray | None,
    within: FloatArray | None,
    max_ab: FloatArray | None,
    max_occ: FloatArray | None,
    asa: FloatArray | None,
) -> npt.NDArray[np.bool_]:
    m = _a_metrics(a, n, aht, patience, within, want_asa=asa is not None)
    ok = np.ones(a.size, dtype=bool)
    if asa is not None:
        ok &= _met_high(m["asa_seconds"], asa)
    if target is not None:
        ok &= _met_low(m["service_level"], target)
    if max_ab is not None:
        ok &= _met_high(m["abandon_probability"], max_ab)
    if max_occ is not None:
        ok &= _met_high(m["occupancy"], max_occ)
    return ok


def _erlang_a_search(
    a: FloatArray,
    aht: FloatArray,
    patience: FloatArray,
    target: FloatArray | None,
    within: FloatArray | None,
    max_ab: FloatArray | None,
    max_occ: FloatArray | None,
    asa: FloatArray | None = None,
) -> IntArray:
    """Minimal integer agents for Erlang A: galloping then bisection, vectorised.

    Every target is monotone in the number of agents, so the smallest count
    meeting all of them is found by bracketing. The search starts from a count
    known to fail: answered calls need agent time, so ``n`` must exceed
    ``traffic * max(target, 1 - max_abandon_rate)``.
    """
    result = np.zeros(a.size, dtype=np.int64)
    rows = np.flatnonzero(a > 0)
    if rows.size == 0:
        return result

    def pick(arr: FloatArray | None, sub: IntArray) -> FloatArray | None:
        return None if arr is None else arr[sub]

    aa = a[rows]
    floor_share = np.zeros(rows.size)
    if target is not None:
        floor_share = np.maximum(floor_share, target[rows] * (1.0 - TARGET_TOLERANCE))
    if max_ab is not None:
        floor_share = np.maximum(floor_share, 1.0 - max_ab[rows] * (1.0 + TARGET_TOLERANCE))
    lo = np.maximum(np.floor(aa * (floor_share - 1e-9)) - 1.0, -1.0)
    hi = np.full(rows.size, np.inf)
    step = np.ones(rows.size)

    def meets(sub: IntArray, n: FloatArray) -> npt.NDArray[np.bool_]:
        full = rows[sub]
        return _a_meets(
            a[full],
            n,
            aht[full],
            patience[full],
            pick(target, full),
            pick(within, full),
            pick(max_ab, full),
            pick(max_occ, full),
            pick(asa, full),
        )

    searching = np.arange(rows.size)
    while searching.size:  # gallop: lo + 1, lo + 2, lo + 4, ... until a count meets
        cand = lo[searching] + step[searching]
        ok = meets(searching, cand)
        hi[searching[ok]] = cand[ok]
        fail = searching[~ok]
        lo[fail] = cand[~ok]
        step[fail] *= 2.0
        searching = fail
    narrowing = np.flatnonzero(hi - lo > 1)
    while narrowing.size:  # bisection: lo fails, hi meets
        mid = np.floor(0.5 * (lo[narrowing] + hi[narrowing]))
        ok = meets(narrowing, mid)
        hi[narrowing[ok]] = mid[ok]
        lo[narrowing[~ok]] = mid[~ok]
        narrowing = narrowing[hi[narrowing] - lo[narrowing] > 1]
    result[rows] = hi.astype(np.int64)
    return result


def _erlang_a_fractional(
    a: FloatArray,
    aht: FloatArray,
    patience: FloatArray,
    target: FloatArray | None,
    within: FloatArray | None,
    max_ab: FloatArray | None,
    max_occ: FloatArray | None,
    asa: FloatArray | None,
    whole: IntArray,
) -> FloatArray:
    out = np.zeros(a.size)
    rows = np.flatnonzero(a > 0)
    if rows.size == 0:
        return out
    aa, hh, pp = a[rows], aht[rows], patience[rows]
    hi = whole[rows].astype(np.float64)
    lo = np.maximum(hi - 1.0, 0.0)
    best = lo.copy()

    def measure(key: str, x: FloatArray, sub: IntArray) -> FloatArray:
        ww = None if within is None or key != "service_level" else within[rows][sub]
        m = _a_metrics(aa[sub], x, hh[sub], pp[sub], ww, want_asa=key == "asa_seconds")
        return m[key]

    if target is not None:
        best = np.maximum(
            best,
            _solve_increasing(
                lambda x, sub: measure("service_level", x, sub), lo, hi, target[rows]
            ),
        )
    if max_ab is not None:
        best = np.maximum(
            best,
            _solve_increasing(
                lambda x, sub: -measure("abandon_probability", x, sub), lo, hi, -max_ab[rows]
            ),
        )
    if max_occ is not None:
        best = np.maximum(
            best,
            _solve_increasing(lambda x, sub: -measure("occupancy", x, sub), lo, hi, -max_occ[rows]),
        )
    if asa is not None:

        def inv_asa(x: FloatArray, sub: IntArray) -> FloatArray:
            with np.errstate(divide="ignore"):
                return 1.0 / measure("asa_seconds", x, sub)

        best = np.maximum(best, _solve_increasing(inv_asa, lo, hi, 1.0 / asa[rows]))
    out[rows] = np.minimum(best, hi)
    return out


def _a_targets(
    traffic: Any,
    aht_seconds: Any,
    patience_seconds: Any,
    target: Any,
    answer_within_seconds: Any,
    max_abandon_rate: Any,
    max_occupancy: Any,
    asa_seconds: Any,
) -> tuple[tuple[int, ...], bool, list[FloatArray | None]]:
    if target is None and max_abandon_rate is None and asa_seconds is None:
        raise ValidationError(
            "target",
            None,
            "a service-level target, max_abandon_rate and/or asa_seconds (at least one target)",
        )
    if (target is None) != (answer_within_seconds is None):
        raise ValidationError(
            "answer_within_seconds",
            answer_within_seconds,
            "a value exactly when a service-level target is given",
        )
    given = [traffic, aht_seconds, patience_seconds, target, answer_within_seconds]
    given += [max_abandon_rate, max_occupancy, asa_seconds]
    arrays: list[FloatArray | None] = [
        _traffic(traffic),
        _positive("aht_seconds", aht_seconds),
        checked_array(
            "patience_seconds",
            patience_seconds,
            lower=0.0,
            lower_open=True,
            expected="a finite number > 0 (use Erlang C for infinite patience)",
        ),
        None if target is None else _level_target(target),
        None
        if answer_within_seconds is None
        else _nonnegative("answer_within_seconds", answer_within_seconds),
        None
        if max_abandon_rate is None
        else _probability_target("max_abandon_rate", max_abandon_rate),
        _check_occupancy_arg(max_occupancy),
        None if asa_seconds is None else _positive("asa_seconds", asa_seconds),
    ]
    shape = np.broadcast_shapes(*(arr.shape for arr in arrays if arr is not None))
    flat = [None if arr is None else np.broadcast_to(arr, shape).ravel() for arr in arrays]
    return shape, _is_scalar(*(v for v in given if v is not None)), flat


def agents_for_erlang_a(
    traffic: Any,
    *,
    aht_seconds: Any,
    patience_seconds: Any,
    target: Any = None,
    answer_within_seconds: Any = None,
    max_abandon_rate: Any = None,
    max_occupancy: Any = None,
    asa_seconds: Any = None,
) -> IntResult:
    """Minimal integer agents meeting every given Erlang A (M/M/n+M) target.

    Parameters
    ----------
    traffic
        Offered load in erlangs (>= 0).
    aht_seconds
        Average handling time in seconds (> 0).
    patience_seconds
        Mean patience of waiting callers in seconds (> 0, finite).
    target
        Service-level target in (0, 1) (see :func:`erlang_a_service_level` for
        the per-offered-call definition); requires ``answer_within_seconds``.
    answer_within_seconds
        Answer-time target in seconds (>= 0).
    max_abandon_rate
        Maximum probability that an offered call abandons, in (0, 1].
    max_occupancy
        Maximum occupancy (carried traffic / agents) in (0, 1].
    asa_seconds
        Maximum average speed of answer of answered calls, in seconds (> 0);
        see :func:`erlang_a_average_speed_of_answer`.

    Returns
    -------
    int or numpy.ndarray
        The true minimum (may be below ``traffic``); 0 when ``traffic == 0``.

    Raises
    ------
    ValidationError
        If an argument is out of range, or none of ``target``,
        ``max_abandon_rate`` and ``asa_seconds`` is given.
    """
    shape, scalar, f = _a_targets(
        traffic,
        aht_seconds,
        patience_seconds,
        target,
        answer_within_seconds,
        max_abandon_rate,
        max_occupancy,
        asa_seconds,
    )
    a, h, p = f[0], f[1], f[2]
    assert a is not None and h is not None and p is not None
    result = _erlang_a_search(a, h, p, f[3], f[4], f[5], f[6], f[7]).reshape(shape)
    return _int_out(result, scalar)


def agents_for_erlang_a_fractional(
    traffic: Any,
    *,
    aht_seconds: Any,
    patience_seconds: Any,
    target: Any = None,
    answer_within_seconds: Any = None,
    max_abandon_rate: Any = None,
    max_occupancy: Any = None,
    asa_seconds: Any = None,
) -> FloatResult:
    """Continuous (fractional) Erlang A requirement meeting every given target.

    Same arguments as :func:`agents_for_erlang_a`; the result is the smallest
    real agent count at which every target is met under the continuous
    extension, in ``(n - 1, n]`` for the integer requirement ``n``.

    Returns
    -------
    float or numpy.ndarray
        Fractional agents (0 when ``traffic == 0``).
    """
    return erlang_a_requirement(
        traffic,
        aht_seconds=aht_seconds,
        patience_seconds=patience_seconds,
        target=target,
        answer_within_seconds=answer_within_seconds,
        max_abandon_rate=max_abandon_rate,
        max_occupancy=max_occupancy,
        asa_seconds=asa_seconds,
    ).agents_fractional


def erlang_a_requirement(
    traffic: Any,
    *,
    aht_seconds: Any,
    patience_seconds: Any,
    target: Any = None,
    answer_within_seconds: Any = None,
    max_abandon_rate: Any = None,
    max_occupancy: Any = None,
    asa_seconds: Any = None,
) -> AgentRequirement:
    """Integer and fractional Erlang A requirement from one search.

    Same arguments as :func:`agents_for_erlang_a`; the fractional part is
    searched from the integer one, so this costs no more than
    :func:`agents_for_erlang_a_fractional` alone.

    Returns
    -------
    AgentRequirement
        ``agents`` as :func:`agents_for_erlang_a`, ``agents_fractional`` as
        :func:`agents_for_erlang_a_fractional`.
    """
    shape, scalar, f = _a_targets(
        traffic,
        aht_seconds,
        patience_seconds,
        target,
        answer_within_seconds,
        max_abandon_rate,
        max_occupancy,
        asa_seconds,
    )
    a, h, p = f[0], f[1], f[2]
    assert a is not None and h is not None and p is not None
    whole = _erlang_a_search(a, h, p, f[3], f[4], f[5], f[6], f[7])
    frac = _erlang_a_fractional(a, h, p, f[3], f[4], f[5], f[6], f[7], whole)
    return AgentRequirement(
        agents=_int_out(whole.reshape(shape), scalar),
        agents_fractional=_float_out(frac.reshape(shape), scalar),
    )
