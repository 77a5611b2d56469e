"""Tests of wfm.erlang against independent truth.

Truth used here: published worked values, the textbook sum formulas in exact
rational arithmetic, the incomplete gamma function of mpmath (continuous
extension), a direct birth-death chain of M/M/n+M solved with mpmath
(Erlang A), and brute-force scans over agent counts.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm import erlang as e
from wfm.errors import ValidationError

# --------------------------------------------------------------------------- published values


def test_classic_worked_case() -> None:
    # 100 calls per 30 minutes, AHT 180 s, target 80 % in 20 s.
    traffic = e.traffic_erlangs(100, aht_seconds=180, interval_minutes=30)
    assert traffic == pytest.approx(10.0, abs=1e-12)
    assert (
        e.agents_for_service_level(traffic, aht_seconds=180, target=0.8, answer_within_seconds=20)
        == 14
    )
    assert e.erlang_c(traffic, 14) == pytest.approx(0.1741319, abs=1e-7)
    assert e.service_level(traffic, 14, aht_seconds=180, answer_within_seconds=20) == pytest.approx(
        0.88835, abs=1e-5
    )
    assert e.average_speed_of_answer(traffic, 14, aht_seconds=180) == pytest.approx(
        7.83594, abs=1e-5
    )
    assert e.occupancy(traffic, 14) == pytest.approx(0.7142857, abs=1e-7)
    assert (
        e.agents_for_service_level(traffic, aht_seconds=180, target=0.8, answer_within_seconds=20)
        == 14
    )
    assert e.service_level(traffic, 13, aht_seconds=180, answer_within_seconds=20) < 0.8


def test_erlang_b_table_value() -> None:
    # Erlang B table: 10 erlangs on 10 trunks block 21.46 % of calls.
    assert e.erlang_b(10, 10) == pytest.approx(0.214582, abs=1e-6)


# --------------------------------------------------------------------------- exact sums


def _exact_b(a: Fraction, n: int) -> Fraction:
    terms = [Fraction(1)]
    for k in range(1, n + 1):
        terms.append(terms[-1] * a / k)
    return terms[-1] / sum(terms)


def _exact_c(a: Fraction, n: int) -> Fraction:
    terms = [Fraction(1)]
    for k in range(1, n + 1):
        terms.append(terms[-1] * a / k)
    top = terms[-1] * n / (n - a)
    return top / (sum(terms[:-1]) + top)


@pytest.mark.parametrize(
    ("a", "n"),
    [
        (Fraction(1, 2), 1),
        (Fraction(3), 5),
        (Fraction(27, 4), 9),
        (Fraction(10), 14),
        (Fraction(47, 2), 30),
        (Fraction(50), 60),
        (Fraction(1, 100), 3),
    ],
)
def test_erlang_b_and_c_match_exact_sums(a: Fraction, n: int) -> None:
    assert e.erlang_b(float(a), n) == pytest.approx(float(_exact_b(a, n)), rel=1e-12)
    assert e.erlang_c(float(a), n) == pytest.approx(float(_exact_c(a, n)), rel=1e-12)


def test_vectorised_matches_exact_over_a_grid() -> None:
    traffic = np.array([0.5, 2.0, 7.25, 19.0, 33.5])
    agents = np.arange(0, 45)
    got = e.erlang_b(traffic[:, None], agents[None, :])
    assert got.shape == (5, 45)
    for i, a in enumerate(traffic):
        for n in (0, 1, 7, 20, 44):
            assert got[i, n] == pytest.approx(float(_exact_b(Fraction(a), n)), rel=1e-11)


@pytest.mark.parametrize(
    ("a", "x"),
    [
        (0.3, 0.5),
        (2.0, 0.7),
        (2.6, 0.1),
        (5.0, 3.3),
        (100.0, 110.5),
        (1000.0, 1050.25),
        (50.0, 200.3),
        (1e-3, 0.4),
        (2.4, 0.9),
    ],
)
def test_continuous_erlang_b_matches_incomplete_gamma(a: float, x: float) -> None:
    # 1/B(a, x) = a^-x e^a Gamma(x + 1, a)
    mp.mp.dps = 30
    ref = 1 / (mp.mpf(a) ** (-x) * mp.e ** mp.mpf(a) * mp.gammainc(x + 1, mp.mpf(a)))
    assert e.erlang_b(a, x) == pytest.approx(float(ref), rel=1e-11)


def test_continuous_erlang_b_interpolates_monotonically() -> None:
    x = np.linspace(0, 30, 601)
    b = e.erlang_b(12.5, x)
    assert np.all(np.diff(b) < 0)
    whole = e.erlang_b(12.5, np.arange(31))
    assert np.allclose(b[::20], whole, rtol=1e-12)


# --------------------------------------------------------------------------- Erlang A


def _chain_truth(
    a: float, n: int, aht: float, patience: float, within: float
) -> tuple[float, float, float, float]:
    """P(wait), P(abandon), SL, ASA of answered calls from the M/M/n+M chain.

    The stationary law is computed directly from the birth-death balance
    equations; a caller finding j others waiting is answered after the sum of
    exponential stages of rates n mu + m theta (m = j..0), unless its own
    exponential patience runs out first.
    """
    mp.mp.dps = 40
    lam, mu, th = mp.mpf(a) / aht, mp.mpf(1) / aht, mp.mpf(1) / patience
    pi = [mp.mpf(1)]
    for k in range(1, n + 300):
        pi.append(pi[-1] * lam / (k * mu if k <= n else n * mu + (k - n) * th))
    total = mp.fsum(pi)
    pi = [p / total for p in pi]
    p_wait = mp.fsum(pi[n:])
    p_ab = th * mp.fsum((k - n) * pi[k] for k in range(n, len(pi))) / lam
    sl, waited = 1 - p_wait, mp.mpf(0)
    for j in range(len(pi) - n):
        p = pi[n + j]
        if p < mp.mpf(10) ** -25:
            break
        rates = [n * mu + m * th for m in range(j + 1)]
        for m, rate in enumerate(rates):
            weight = mp.fprod(r / (r - rate) for k, r in enumerate(rates) if k != m)
            sl += p * weight * rate * (1 - mp.e ** (-(rate + th) * within)) / (rate + th)
            waited += p * weight * rate / (rate + th) ** 2
    return float(p_wait), float(p_ab), float(sl), float(waited / (1 - p_ab))


@pytest.mark.parametrize(
    ("a", "n", "aht", "patience", "within"),
    [
        (3.0, 3, 180, 60, 20),
        (4.0, 2, 300, 120, 30),
        (2.5, 5, 100, 300, 15),
        (6.0, 4, 60, 30, 10),
        (1.0, 1, 200, 1000, 60),
        (0.5, 2, 120, 50, 0),
    ],
)
def test_erlang_a_matches_birth_death_chain(
    a: float, n: int, aht: float, patience: float, within: float
) -> None:
    p_wait, p_ab, sl, asa = _chain_truth(a, n, aht, patience, within)
    assert e.erlang_a_wait_probability(
        a, n, aht_seconds=aht, patience_seconds=patience
    ) == pytest.approx(p_wait, abs=1e-12)
    assert e.erlang_a_abandon_probability(
        a, n, aht_seconds=aht, patience_seconds=patience
    ) == pytest.approx(p_ab, abs=1e-12)
    assert e.erlang_a_service_level(
        a, n, aht_seconds=aht, patience_seconds=patience, answer_within_seconds=within
    ) == pytest.approx(sl, abs=1e-12)
    assert e.erlang_a_average_speed_of_answer(
        a, n, aht_seconds=aht, patience_seconds=patience
    ) == pytest.approx(asa, rel=1e-10)
    occ = e.erlang_a_occupancy(a, n, aht_seconds=aht, patience_seconds=patience)
    assert occ == pytest.approx(a * (1 - p_ab) / n, rel=1e-12)


def test_erlang_a_true_minimum_in_overload_case() -> None:
    # 400 calls / 15 min, AHT 300 s, patience 120 s: fewer agents than erlangs.
    traffic = e.traffic_erlangs(400, aht_seconds=300, interval_minutes=15)
    n = e.agents_for_erlang_a(
        traffic, aht_seconds=300, patience_seconds=120, target=0.8, answer_within_seconds=20
    )
    scan = e.erlang_a_service_level(
        traffic, np.arange(0, 200), aht_seconds=300, patience_seconds=120, answer_within_seconds=20
    )
    first = int(np.flatnonzero(scan >= 0.8)[0])
    assert n == first
    assert n < traffic  # Erlang A is stable below the offered load
    ab = e.agents_for_erlang_a(
        traffic, aht_seconds=300, patience_seconds=120, max_abandon_rate=0.05
    )
    scan_ab = e.erlang_a_abandon_probability(
        traffic, np.arange(0, 200), aht_seconds=300, patience_seconds=120
    )
    assert ab == int(np.flatnonzero(scan_ab <= 0.05)[0])


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(0.05, 60.0),
    patience=st.floats(5.0, 2000.0),
    aht=st.floats(20.0, 900.0),
    level=st.floats(0.3, 0.97),
    within=st.floats(0.0, 120.0),
    abandon=st.one_of(st.none(), st.floats(0.01, 0.5)),
    occ=st.one_of(st.none(), st.floats(0.5, 1.0)),
    asa=st.one_of(st.none(), st.floats(1.0, 200.0)),
)
def test_erlang_a_minimum_equals_brute_force_scan(
    a: float,
    patience: float,
    aht: float,
    level: float,
    within: float,
    abandon: float | None,
    occ: float | None,
    asa: float | None,
) -> None:
    targets = {
        "target": level,
        "answer_within_seconds": within,
        "max_abandon_rate": abandon,
        "max_occupancy": occ,
        "asa_seconds": asa,
    }
    n = e.agents_for_erlang_a(a, aht_seconds=aht, patience_seconds=patience, **targets)
    grid = np.arange(0, int(2 * a) + 200)
    ok = e.erlang_a_service_level(
        a, grid, aht_seconds=aht, patience_seconds=patience, answer_within_seconds=within
    ) >= level * (1 - 1e-9)
    if abandon is not None:
        ok &= e.erlang_a_abandon_probability(
            a, grid, aht_seconds=aht, patience_seconds=patience
        ) <= abandon * (1 + 1e-9)
    if occ is not None:
        ok &= e.erlang_a_occupancy(a, grid, aht_seconds=aht, patience_seconds=patience) <= occ * (
            1 + 1e-9
        )
    if asa is not None:
        ok &= e.erlang_a_average_speed_of_answer(
            a, grid, aht_seconds=aht, patience_seconds=patience
        ) <= asa * (1 + 1e-9)
    assert n == int(np.flatnonzero(ok)[0])
    frac = e.agents_for_erlang_a_fractional(
        a, aht_seconds=aht, patience_seconds=patience, **targets
    )
    assert n - 1 < frac <= n + 1e-9


@settings(max_examples=30, deadline=None)
@given(a=st.floats(0.1, 80.0), extra=st.integers(1, 15), aht=st.floats(30.0, 600.0))
def test_erlang_a_tends_to_erlang_c_as_patience_grows(a: float, extra: int, aht: float) -> None:
    n = math.ceil(a + 0.5) + extra - 1  # at least half an agent of spare capacity
    patience = aht * 1e7
    assert e.erlang_a_wait_probability(
        a, n, aht_seconds=aht, patience_seconds=patience
    ) == pytest.approx(e.erlang_c(a, n), rel=1e-4, abs=1e-9)
    assert e.erlang_a_service_level(
        a, n, aht_seconds=aht, patience_seconds=patience, answer_within_seconds=20
    ) == pytest.approx(e.service_level(a, n, aht_seconds=aht, answer_within_seconds=20), abs=1e-4)
    assert e.erlang_a_average_speed_of_answer(
        a, n, aht_seconds=aht, patience_seconds=patience
    ) == pytest.approx(e.average_speed_of_answer(a, n, aht_seconds=aht), rel=1e-3, abs=1e-6)
    assert e.erlang_a_abandon_probability(a, n, aht_seconds=aht, patience_seconds=patience) < 1e-4


def test_erlang_a_less_patience_means_more_abandonment() -> None:
    patience = np.array([10.0, 60.0, 300.0, 3000.0])
    ab = e.erlang_a_abandon_probability(20.0, 20, aht_seconds=180, patience_seconds=patience)
    assert np.all(np.diff(ab) < 0)
    assert np.all((ab > 0) & (ab < 1))


# --------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(a=st.floats(0.01, 300.0), aht=st.floats(10.0, 1200.0), within=st.floats(0.0, 300.0))
def test_service_level_increases_with_agents(a: float, aht: float, within: float) -> None:
    agents = np.arange(0, int(a) + 60)
    sl = e.service_level(a, agents, aht_seconds=aht, answer_within_seconds=within)
    assert np.all(np.diff(sl) >= -1e-15)
    assert np.all((sl >= 0) & (sl <= 1))
    asa = e.average_speed_of_answer(a, agents, aht_seconds=aht)
    finite = asa[np.isfinite(asa)]
    assert np.all(np.isinf(asa[: asa.size - finite.size]))  # inf only while overloaded
    assert np.all(np.diff(finite) <= 1e-12 * np.maximum(finite[1:], 1.0))


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(0.0, 400.0),
    aht=st.floats(10.0, 1200.0),
    level=st.floats(0.05, 0.999),
    within=st.floats(0.0, 300.0),
    occ=st.one_of(st.none(), st.floats(0.3, 1.0)),
)
def test_minimal_agents_are_minimal(
    a: float, aht: float, level: float, within: float, occ: float | None
) -> None:
    n = e.agents_for_service_level(
        a, aht_seconds=aht, target=level, answer_within_seconds=within, max_occupancy=occ
    )

    def meets(k: int) -> bool:
        if a == 0:
            return True
        good = bool(
            e.service_level(a, k, aht_seconds=aht, answer_within_seconds=within)
            >= level * (1 - 1e-9)
        )
        if occ is not None:
            good &= bool(e.occupancy(a, k) <= occ * (1 + 1e-9))
        return good

    assert meets(n)
    if a == 0:
        assert n == 0
    else:
        assert not meets(n - 1)
        frac = e.agents_for_erlang_c_fractional(
            a, aht_seconds=aht, target=level, answer_within_seconds=within, max_occupancy=occ
        )
        assert max(n - 1, a) <= frac <= n + 1e-9


@settings(max_examples=40, deadline=None)
@given(a=st.floats(0.01, 400.0), aht=st.floats(10.0, 1200.0), asa=st.floats(0.5, 600.0))
def test_minimal_agents_for_asa_are_minimal(a: float, aht: float, asa: float) -> None:
    n = e.agents_for_asa(a, aht_seconds=aht, asa_seconds=asa)
    assert e.average_speed_of_answer(a, n, aht_seconds=aht) <= asa * (1 + 1e-9)
    assert e.average_speed_of_answer(a, n - 1, aht_seconds=aht) > asa * (1 + 1e-9)


def test_fractional_requirement_meets_target_exactly() -> None:
    traffic = np.array([0.7, 3.2, 10.0, 57.9, 133.3])
    frac = e.agents_for_erlang_c_fractional(
        traffic, aht_seconds=180, target=0.8, answer_within_seconds=20
    )
    assert np.allclose(
        e.service_level(traffic, frac, aht_seconds=180, answer_within_seconds=20), 0.8, atol=1e-8
    )
    whole = e.agents_for_service_level(
        traffic, aht_seconds=180, target=0.8, answer_within_seconds=20
    )
    assert np.all(np.ceil(frac - 1e-9) == whole)
    # Aggregating before rounding never needs more agents than rounding each row.
    assert math.ceil(frac.sum()) <= whole.sum()
    frac_asa = e.agents_for_erlang_c_fractional(traffic, aht_seconds=180, asa_seconds=15.0)
    assert np.allclose(
        e.average_speed_of_answer(traffic, frac_asa, aht_seconds=180), 15.0, rtol=1e-7
    )


def test_vectorised_year_matches_scalar_calls() -> None:
    rng = np.random.default_rng(7)
    traffic = rng.gamma(2.0, 20.0, size=300)
    traffic[::17] = 0.0
    many = e.agents_for_service_level(
        traffic, aht_seconds=300, target=0.8, answer_within_seconds=20
    )
    one_by_one = [
        e.agents_for_service_level(float(t), aht_seconds=300, target=0.8, answer_within_seconds=20)
        for t in traffic[:40]
    ]
    assert many.dtype == np.int64
    assert many[:40].tolist() == one_by_one


# --------------------------------------------------------------------------- edge cases


def test_zero_traffic_is_defined() -> None:
    assert (
        e.agents_for_service_level(0.0, aht_seconds=300, target=0.8, answer_within_seconds=20) == 0
    )
    assert e.agents_for_asa(0.0, aht_seconds=300, asa_seconds=10) == 0
    assert (
        e.agents_for_erlang_a(
            0.0, aht_seconds=300, patience_seconds=60, target=0.8, answer_within_seconds=20
        )
        == 0
    )
    assert e.erlang_b(0.0, 0) == 0.0
    assert e.erlang_c(0.0, 0) == 0.0
    assert e.service_level(0.0, 0, aht_seconds=300, answer_within_seconds=20) == 1.0
    assert e.average_speed_of_answer(0.0, 0, aht_seconds=300) == 0.0
    assert e.occupancy(0.0, 5) == 0.0
    assert (
        e.erlang_a_service_level(
            0.0, 0, aht_seconds=300, patience_seconds=60, answer_within_seconds=20
        )
        == 1.0
    )
    assert e.erlang_a_abandon_probability(0.0, 3, aht_seconds=300, patience_seconds=60) == 0.0
    assert e.erlang_a_average_speed_of_answer(0.0, 3, aht_seconds=300, patience_seconds=60) == 0.0
    assert (
        e.agents_for_erlang_c_fractional(0.0, aht_seconds=300, target=0.8, answer_within_seconds=20)
        == 0
    )


@pytest.mark.parametrize("agents", [0, 3, 9, 10, 10.0])
def test_overload_in_erlang_c(agents: float) -> None:
    assert e.erlang_c(10.0, agents) == 1.0
    assert e.service_level(10.0, agents, aht_seconds=180, answer_within_seconds=20) == 0.0
    assert e.average_speed_of_answer(10.0, agents, aht_seconds=180) == math.inf
    assert e.occupancy(10.0, agents) == 1.0


def test_no_agents() -> None:
    assert e.erlang_b(5.0, 0) == 1.0
    assert e.erlang_a_wait_probability(5.0, 0, aht_seconds=180, patience_seconds=60) == 1.0
    assert e.erlang_a_abandon_probability(5.0, 0, aht_seconds=180, patience_seconds=60) == 1.0
    assert (
        e.erlang_a_service_level(
            5.0, 0, aht_seconds=180, patience_seconds=60, answer_within_seconds=20
        )
        == 0.0
    )
    assert (
        e.erlang_a_average_speed_of_answer(5.0, 0, aht_seconds=180, patience_seconds=60) == math.inf
    )
    assert e.erlang_a_occupancy(5.0, 0, aht_seconds=180, patience_seconds=60) == 1.0


def test_no_nan_anywhere_on_an_extreme_grid() -> None:
    traffic = np.array([0.0, 1e-12, 1e-3, 0.5, 1.0, 50.0, 1e3, 1e5])[:, None]
    agents = np.array([0, 0.5, 1, 2, 10, 60, 999, 1001, 1e5, 1.2e5])[None, :]
    for values in (
        e.erlang_b(traffic, agents),
        e.erlang_c(traffic, agents),
        e.service_level(traffic, agents, aht_seconds=300, answer_within_seconds=20),
        e.average_speed_of_answer(traffic, agents, aht_seconds=300),
        e.occupancy(traffic, agents),
        e.erlang_a_wait_probability(traffic, agents, aht_seconds=300, patience_seconds=120),
        e.erlang_a_abandon_probability(traffic, agents, aht_seconds=300, patience_seconds=120),
        e.erlang_a_service_level(
            traffic, agents, aht_seconds=300, patience_seconds=120, answer_within_seconds=20
        ),
        e.erlang_a_average_speed_of_answer(traffic, agents, aht_seconds=300, patience_seconds=120),
    ):
        assert values.shape == (8, 10)
        assert not np.isnan(values).any()
        assert (values >= 0).all()


def test_hundred_thousand_agents() -> None:
    traffic = 99_000.0
    n = e.agents_for_service_level(traffic, aht_seconds=300, target=0.8, answer_within_seconds=20)
    assert traffic < n < traffic + 200
    assert e.service_level(traffic, n, aht_seconds=300, answer_within_seconds=20) >= 0.8
    assert e.service_level(traffic, n - 1, aht_seconds=300, answer_within_seconds=20) < 0.8
    mp.mp.dps = 30
    ref = 1 / (mp.mpf(traffic) ** (-n) * mp.e ** mp.mpf(traffic) * mp.gammainc(n + 1, traffic))
    assert e.erlang_b(traffic, n) == pytest.approx(float(ref), rel=1e-9)
    big = e.erlang_b(1e5, np.array([1e5, 1.01e5, 1.2e5]))
    assert np.all(np.isfinite(big)) and big[0] > big[1] > big[2] >= 0
    na = e.agents_for_erlang_a(
        traffic, aht_seconds=300, patience_seconds=120, target=0.8, answer_within_seconds=20
    )
    assert (
        e.erlang_a_service_level(
            traffic, na, aht_seconds=300, patience_seconds=120, answer_within_seconds=20
        )
        >= 0.8
    )
    assert (
        e.erlang_a_service_level(
            traffic, na - 1, aht_seconds=300, patience_seconds=120, answer_within_seconds=20
        )
        < 0.8
    )


def test_scalars_in_scalars_out_and_broadcasting() -> None:
    assert isinstance(e.erlang_c(10, 14), float)
    assert isinstance(
        e.agents_for_service_level(10, aht_seconds=180, target=0.8, answer_within_seconds=20), int
    )
    out = e.service_level(
        np.array([5.0, 10.0]), np.array([[8], [14]]), aht_seconds=180, answer_within_seconds=20
    )
    assert out.shape == (2, 2)
    agents = e.agents_for_erlang_a(
        [1.0, 5.0], aht_seconds=180, patience_seconds=[60.0, 600.0], max_abandon_rate=0.1
    )
    assert agents.shape == (2,) and agents.dtype == np.int64


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: e.traffic_erlangs(-1, aht_seconds=180, interval_minutes=30), "calls"),
        (lambda: e.traffic_erlangs(float("nan"), aht_seconds=180, interval_minutes=30), "calls"),
        (lambda: e.traffic_erlangs([1, 2, -3], aht_seconds=180, interval_minutes=30), "calls[2]"),
        (lambda: e.traffic_erlangs(10, aht_seconds=0, interval_minutes=30), "aht_seconds"),
        (lambda: e.traffic_erlangs(10, aht_seconds=180, interval_minutes=-15), "interval_minutes"),
        (lambda: e.erlang_c(-1.0, 3), "traffic"),
        (lambda: e.erlang_c(1.0, -3), "agents"),
        (lambda: e.service_level(1.0, 3, aht_seconds=-5, answer_within_seconds=20), "aht_seconds"),
        (
            lambda: e.agents_for_service_level(
                10, aht_seconds=180, target=1.5, answer_within_seconds=20
            ),
            "target",
        ),
        (
            lambda: e.agents_for_service_level(
                10, aht_seconds=180, target=0.0, answer_within_seconds=20
            ),
            "target",
        ),
        (
            lambda: e.agents_for_service_level(
                10, aht_seconds=180, target=0.8, answer_within_seconds=-1
            ),
            "answer_within_seconds",
        ),
        (
            lambda: e.agents_for_service_level(
                10, aht_seconds=180, target=0.8, answer_within_seconds=20, max_occupancy=1.2
            ),
            "max_occupancy",
        ),
        (lambda: e.agents_for_asa(10, aht_seconds=180, asa_seconds=0), "asa_seconds"),
        (
            lambda: e.agents_for_erlang_a(
                10, aht_seconds=180, patience_seconds=0, max_abandon_rate=0.1
            ),
            "patience_seconds",
        ),
        (lambda: e.agents_for_erlang_a(10, aht_seconds=180, patience_seconds=60), "target"),
        (
            lambda: e.agents_for_erlang_a(10, aht_seconds=180, patience_seconds=60, target=0.8),
            "answer_within_seconds",
        ),
        (
            lambda: e.erlang_a_service_level(
                1, 1, aht_seconds=180, patience_seconds=math.inf, answer_within_seconds=20
            ),
            "patience_seconds",
        ),
        (lambda: e.erlang_b("ten", 3), "traffic"),
    ],
)
def test_bad_input_names_the_argument(call: object, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[operator]
    assert info.value.field == field
    assert field in str(info.value) and "expected" in str(info.value)


@pytest.mark.parametrize("level", [1.0, 1.5])
def test_service_level_target_of_one_is_rejected(level: float) -> None:
    # Some calls always wait (P(wait) > 0 for any finite number of agents), so a
    # level of 1 is never reached; it must not be "met" by floating-point rounding.
    assert 0.0 < e.erlang_c(10.0, 30) < 1e-6
    with pytest.raises(ValidationError, match=r"target: got .*\(0, 1\)"):
        e.agents_for_service_level(10.0, aht_seconds=180.0, target=level, answer_within_seconds=0.0)
    with pytest.raises(ValidationError, match=r"\(0, 1\)"):
        e.agents_for_erlang_c_fractional(
            10.0, aht_seconds=180.0, target=level, answer_within_seconds=20.0
        )
    with pytest.raises(ValidationError, match=r"\(0, 1\)"):
        e.agents_for_erlang_a(
            10.0,
            aht_seconds=180.0,
            patience_seconds=120.0,
            target=level,
            answer_within_seconds=20.0,
        )
    # just below 1 is a legitimate (if expensive) target
    assert (
        e.agents_for_service_level(10.0, aht_seconds=180.0, target=0.999, answer_within_seconds=0.0)
        > 20
    )


def test_absurd_traffic_is_refused_not_allocated() -> None:
    # 1e20 calls used to try to allocate ~300 GiB in the Erlang B recursion
    with pytest.raises(ValidationError, match=r"traffic: got 2e\+16.*at most 1e\+06"):
        e.agents_for_service_level(2e16, aht_seconds=180.0, target=0.8, answer_within_seconds=20.0)
    with pytest.raises(ValidationError, match=r"traffic\[1\]"):
        e.erlang_c(np.array([10.0, 2e16]), 20.0)
    with pytest.raises(ValidationError, match="traffic"):
        e.agents_for_erlang_a(
            2e16, aht_seconds=180.0, patience_seconds=60.0, target=0.8, answer_within_seconds=20.0
        )
    # the largest accepted load still works
    assert e.erlang_b(e.MAX_TRAFFIC, 10) == pytest.approx(1.0 - 10 / e.MAX_TRAFFIC, rel=1e-9)


# --------------------------------------------------------------------------- keyword safety


def test_swapped_positional_numbers_are_impossible() -> None:
    # erlang_a_service_level(traffic, agents, aht, patience, within) and
    # service_level(traffic, agents, aht, within) used to take positional arguments in
    # different orders, so this call silently returned 0.905 instead of 0.826.
    import wfm

    with pytest.raises(TypeError):
        wfm.erlang_a_service_level(10, 12, 180, 20, 120)  # type: ignore[misc]
    right = wfm.erlang_a_service_level(
        10, 12, aht_seconds=180, patience_seconds=120, answer_within_seconds=20
    )
    assert right == pytest.approx(0.826, abs=1e-3)
    for call in (
        lambda: e.traffic_erlangs(100, 180, 30),
        lambda: e.service_level(10, 14, 180, 20),
        lambda: e.average_speed_of_answer(10, 14, 180),
        lambda: e.agents_for_service_level(10, 180, 0.8, 20),
        lambda: e.agents_for_asa(10, 180, 10),
        lambda: e.agents_for_erlang_c(10, 180, target=0.8, answer_within_seconds=20),
        lambda: e.agents_for_erlang_a(10, 180, 60, max_abandon_rate=0.1),
        lambda: e.erlang_a_wait_probability(10, 12, 180, 60),
        lambda: e.erlang_c_metrics(10, 14, 180),
        lambda: e.erlang_c_requirement(10, 180, target=0.8, answer_within_seconds=20),
    ):
        with pytest.raises(TypeError):
            call()  # type: ignore[call-arg, misc]


# --------------------------------------------------------------------------- one-pass functions


def test_metrics_equal_the_single_measure_functions() -> None:
    traffic = np.array([0.0, 3.0, 10.0, 10.0, 25.0])
    agents = np.array([0.0, 5.0, 14.0, 9.0, 27.5])
    m = e.erlang_c_metrics(traffic, agents, aht_seconds=180, answer_within_seconds=20)
    np.testing.assert_array_equal(m.wait_probability, e.erlang_c(traffic, agents))
    np.testing.assert_array_equal(
        m.service_level,
        e.service_level(traffic, agents, aht_seconds=180, answer_within_seconds=20),
    )
    np.testing.assert_array_equal(
        m.asa_seconds, e.average_speed_of_answer(traffic, agents, aht_seconds=180)
    )
    np.testing.assert_array_equal(m.occupancy, e.occupancy(traffic, agents))
    assert m.abandon_probability is None
    a = e.erlang_a_metrics(
        traffic, agents, aht_seconds=180, patience_seconds=90, answer_within_seconds=20
    )
    times = {"aht_seconds": 180, "patience_seconds": 90}
    np.testing.assert_allclose(
        a.wait_probability, e.erlang_a_wait_probability(traffic, agents, **times)
    )
    np.testing.assert_allclose(
        a.service_level,
        e.erlang_a_service_level(traffic, agents, answer_within_seconds=20, **times),
    )
    np.testing.assert_allclose(
        a.asa_seconds, e.erlang_a_average_speed_of_answer(traffic, agents, **times)
    )
    np.testing.assert_allclose(a.occupancy, e.erlang_a_occupancy(traffic, agents, **times))
    np.testing.assert_allclose(
        a.abandon_probability, e.erlang_a_abandon_probability(traffic, agents, **times)
    )
    scalar = e.erlang_c_metrics(10, 14, aht_seconds=180)
    assert isinstance(scalar.service_level, float)
    assert scalar.service_level == pytest.approx(1 - e.erlang_c(10, 14))  # answered at once


def test_requirement_equals_the_two_searches() -> None:
    traffic = np.array([0.0, 0.7, 10.0, 57.9, 133.3])
    c_targets = {
        "aht_seconds": 180,
        "target": 0.8,
        "answer_within_seconds": 20,
        "max_occupancy": 0.9,
    }
    c = e.erlang_c_requirement(traffic, **c_targets)
    np.testing.assert_array_equal(c.agents, e.agents_for_erlang_c(traffic, **c_targets))
    np.testing.assert_array_equal(
        c.agents_fractional, e.agents_for_erlang_c_fractional(traffic, **c_targets)
    )
    a_targets = {"aht_seconds": 300, "patience_seconds": 120, "max_abandon_rate": 0.05}
    a = e.erlang_a_requirement(traffic, asa_seconds=30, **a_targets)
    np.testing.assert_array_equal(
        a.agents, e.agents_for_erlang_a(traffic, asa_seconds=30, **a_targets)
    )
    np.testing.assert_array_equal(
        a.agents_fractional,
        e.agents_for_erlang_a_fractional(traffic, asa_seconds=30, **a_targets),
    )
    one = e.erlang_c_requirement(10, aht_seconds=180, target=0.8, answer_within_seconds=20)
    assert (one.agents, isinstance(one.agents_fractional, float)) == (14, True)
