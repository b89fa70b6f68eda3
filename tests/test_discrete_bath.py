"""Discretised Caldeira-Leggett baths (qsym.numeric.discrete_bath) against continuum results
computed here, independently: the quantum-Langevin/FDT integral (scipy quad) and the Matsubara sum
(partial fractions + digamma in mpmath) for Drude baths; classical equipartition; bath-induced
cross-correlations; exact evolution against expm; relaxation to the Gibbs state and a two-bath
non-equilibrium steady state (heat current); bad input."""
from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
import pytest
from scipy import integrate, linalg

from qsym.numeric.discrete_bath import (DiscreteBath, DiscretisedNetwork, RecurrenceWarning, bath_grid,
                                        convergence_study, pearson)


def drude(gamma, wD):
    return lambda w: gamma * w / (1 + (w / wD) ** 2)


# ----------------------------------------------------------------------------- continuum references
# A bath is (gamma, wD, g[, T]): J(w) = gamma w/(1 + w^2/wD^2), gamma_hat(w) = gamma/(1 - i w/wD).

def chi(w, masses, K, baths):
    A = np.asarray(K, complex) - w ** 2 * np.diag(masses)
    for b in baths:
        gam, wD, g = b[:3]
        A = A - 1j * w * gam / (1 - 1j * w / wD) * np.outer(g, g)
    return np.linalg.inv(A)


def _split_points(masses, K, baths):
    s = 1 / np.sqrt(np.asarray(masses, float))
    wres = np.sqrt(np.linalg.eigvalsh(s[:, None] * np.asarray(K, float) * s[None, :]))
    wDs = [b[1] for b in baths]
    return sorted(set([0.0] + [f * w for w in wres for f in (0.5, 0.8, 1.0, 1.25, 2.0)]
                      + [f * max(wDs) for f in (0.1, 1.0, 10.0)]))


def _quad(f, pts):
    val = sum(integrate.quad(f, a, b, epsabs=1e-15, epsrel=1e-13, limit=500)[0] for a, b in zip(pts[:-1], pts[1:]))
    return val + integrate.quad(f, pts[-1], np.inf, epsabs=1e-15, epsrel=1e-13, limit=500)[0]


def continuum_fdt(masses, K, baths, T):
    """<x x^T> = (1/pi) int_0^inf coth(w/2T) Im chi(w) dw, <p p^T> = M [(1/pi) int w^2 coth Im chi] M."""
    masses = np.asarray(masses, float)
    n = masses.size
    pts = _split_points(masses, K, baths)
    out = np.zeros((2 * n, 2 * n))
    for i in range(n):
        for j in range(i, n):
            for blk, pw in ((0, 0), (1, 2)):
                def f(w, i=i, j=j, pw=pw):
                    w = max(w, 1e-12)
                    return w ** pw / np.tanh(w / (2 * T)) * chi(w, masses, K, baths)[i, j].imag
                v = _quad(f, pts) / np.pi * (masses[i] * masses[j] if blk else 1.0)
                out[blk * n + i, blk * n + j] = out[blk * n + j, blk * n + i] = v
    return out


def continuum_ness(masses, K, baths):
    """Quantum Langevin steady state with baths at different temperatures (b[3]):
    S(w) = chi N chi^dag, N = sum_b J_b coth(w/2T_b) g_b g_b^T; <x_i x_j> = (1/pi) int Re S_ij,
    <p_i p_j> = m_i m_j (1/pi) int w^2 Re S_ij, <x_i p_j>_sym = -(m_j/pi) int w Im S_ij."""
    masses = np.asarray(masses, float)
    n = masses.size
    pts = _split_points(masses, K, baths)

    def S(w):
        w = max(w, 1e-12)
        c = chi(w, masses, K, baths)
        N = sum(drude(gam, wD)(w) / np.tanh(w / (2 * Tb)) * np.outer(g, g) for gam, wD, g, Tb in baths)
        return c @ N @ c.conj().T

    out = np.zeros((2 * n, 2 * n))
    for i in range(n):
        for j in range(n):
            out[i, j] = _quad(lambda w: S(w)[i, j].real, pts) / np.pi
            out[n + i, n + j] = masses[i] * masses[j] * _quad(lambda w: w ** 2 * S(w)[i, j].real, pts) / np.pi
            out[i, n + j] = out[n + j, i] = -masses[j] * _quad(lambda w: w * S(w)[i, j].imag, pts) / np.pi
    return out


def continuum_matsubara(masses, K, baths, T, dps=50):
    """<x x^T> = T sum_{n in Z} chi(i|nu_n|), <p p^T> = T sum_n M chi(i|nu_n|) (K + Sigma(|nu_n|)),
    Sigma(nu) = sum_b nu gamma_b wD_b/(wD_b + nu) g_b g_b^T.  The summands are rational in nu: the
    sum over n >= 1 is done exactly, sum_j r_j/(nu - z_j) -> -sum_j (r_j/nu_1) psi(1 - z_j/nu_1)
    (sum_j r_j = 0), with the poles z_j the roots of det(chi^{-1}) prod_b (wD_b + nu)^n."""
    with mp.workdps(dps):
        n = len(masses)
        Mm = mp.diag([mp.mpf(m) for m in masses])
        Km = mp.matrix([[mp.mpf(K[i][j]) for j in range(n)] for i in range(n)])
        bs = [(mp.mpf(g), mp.mpf(wD), mp.matrix([[mp.mpf(a) * mp.mpf(b) for b in gv] for a in gv]))
              for g, wD, gv in (b[:3] for b in baths)]

        def Sig(nu):
            S = mp.zeros(n, n)
            for g, wD, G in bs:
                S += nu * g * wD / (wD + nu) * G
            return S

        def fx(nu):
            return mp.inverse(Km + nu ** 2 * Mm + Sig(nu))

        def fp(nu):
            return Mm * fx(nu) * (Km + Sig(nu))

        def P(nu):
            v = mp.det(Km + nu ** 2 * Mm + Sig(nu))
            for _g, wD, _G in bs:
                v *= (wD + nu) ** n
            return v

        deg = n * (2 + len(bs))
        R = 2 * max([mp.mpf(1)] + [b[1] for b in bs] + [mp.sqrt(mp.mpf(K[i][i]) / masses[i]) for i in range(n)])
        N = deg + 1
        vals = [P(R * mp.expj(2 * mp.pi * k / N)) for k in range(N)]
        coeffs = [mp.re(sum(vals[k] * mp.expj(-2 * mp.pi * k * j / N) for k in range(N)) / N / R ** j)
                  for j in range(N)]
        roots = mp.polyroots(coeffs[::-1], maxsteps=500, extraprec=4 * dps)
        eps = mp.mpf(10) ** (-dps // 2)
        nu1 = 2 * mp.pi * mp.mpf(T)
        res = np.zeros((2 * n, 2 * n))
        for blk, f in ((0, fx), (1, fp)):
            S, rsum = mp.zeros(n, n), mp.zeros(n, n)
            for z in roots:
                r = (f(z + eps) * eps - f(z - eps) * eps) / 2  # residue at the simple pole z
                rsum += r
                S += -(r / nu1) * mp.digamma(1 - z / nu1)
            assert mp.mnorm(rsum, 1) < mp.mpf(10) ** (-dps // 3)
            total = f(mp.mpf(0)) + 2 * S
            for i in range(n):
                for j in range(n):
                    res[blk * n + i, blk * n + j] = float(mp.re(mp.mpf(T) * total[i, j]))
        return res


SINGLE = dict(masses=[1.0], K=[[1.0]], baths=[(0.5, 5.0, [1.0])], T=0.5)            # w0=1, gamma=0.5, wD=5
STRONG = dict(masses=[1.0, 1.0], K=[[1.0, 0.0], [0.0, 0.36]], baths=[(10.0, 50.0, [1.0, 1.0])], T=0.2)


@pytest.fixture(scope="module")
def ref_single():
    return continuum_matsubara(**SINGLE)


@pytest.fixture(scope="module")
def ref_strong():
    return continuum_matsubara(**STRONG)


def network(case, M, wc, method="jacobi", T=None):
    T = case["T"] if T is None else T
    baths = [DiscreteBath(f"b{i}", drude(g, wD), T, tuple(w), scale=wc) for i, (g, wD, w) in enumerate(case["baths"])]
    return DiscretisedNetwork(case["masses"], case["K"], baths, M, method=method)


# ----------------------------------------------------------------------------- 1. continuum references
@pytest.mark.parametrize("case", [SINGLE, STRONG,
                                  dict(masses=[1.0, 2.0], K=[[1.0, 0.2], [0.2, 0.8]],
                                       baths=[(0.3, 4.0, [1.0, 0.0]), (0.7, 9.0, [0.5, 1.0])], T=0.35)])
def test_fdt_and_matsubara_references_agree(case):
    a, b = continuum_fdt(**case), continuum_matsubara(**case)
    assert np.max(np.abs(a - b)) < 1e-10 * np.max(np.abs(b))


def test_single_drude_oscillator_converges_with_orders_4_and_2(ref_single):
    """w_c = 1: x converges as M^-4, p as M^-2, monotonically, with the predicted leading
    coefficients  Delta<p^2> = pi A/(96 (M w_c)^2),  Delta<x^2> = -7 pi^3 A/(15360 (M w_c)^4)  (A = gamma wD^2)."""
    wc, A = 1.0, 0.5 * 5.0 ** 2
    rows = convergence_study(lambda M: network(SINGLE, M, wc), [50, 100, 200, 400, 800], SINGLE["T"],
                             reference=ref_single)
    ex, ep = [r["err_x"] for r in rows], [r["err_p"] for r in rows]
    assert all(a > b for a, b in zip(ex, ex[1:])) and all(a > b for a, b in zip(ep, ep[1:]))
    assert all(3.9 < r["order_x"] < 4.1 for r in rows[1:])
    assert all(1.99 < r["order_p"] < 2.01 for r in rows[1:])
    for r in rows[:3]:  # the x error reaches ~4e-13 at M = 800: roundoff level for the coefficient
        dx = r["cov"][0, 0] - ref_single[0, 0]
        assert dx * (r["M"] * wc) ** 4 == pytest.approx(-7 * math.pi ** 3 * A / 15360, rel=0.02)
    for r in rows:
        dp = r["cov"][1, 1] - ref_single[1, 1]
        assert dp * (r["M"] * wc) ** 2 == pytest.approx(math.pi * A / 96, rel=0.01)
    assert rows[-1]["rel_x"] < 1e-12 and rows[-1]["rel_p"] < 1e-6


def test_single_drude_oscillator_1e6_with_tan_grid_at_wD(ref_single):
    """w_c = w_D = 5: M = 140 reaches 1e-6 relative (<p^2> limits; <x^2> is at 1e-12), M = 130 does not."""
    ok = network(SINGLE, 140, 5.0).gibbs_covariance(0.5)
    rel = np.abs(np.diag(ok) - np.diag(ref_single)) / np.diag(ref_single)
    assert rel[1] < 1e-6 and rel[0] < 1e-11
    bad = network(SINGLE, 130, 5.0).gibbs_covariance(0.5)
    assert abs(bad[1, 1] / ref_single[1, 1] - 1) > 1e-6


def test_strong_common_bath_two_oscillators(ref_strong):
    """w_A = 1, w_B = 0.6, gamma = 10, wD = 50, T = 0.2, common bath (1, 1), w_c = wD: every entry
    within 1e-6 relative at M = 251; Delta p = pi gamma wD^2/(96 (M w_c)^2) on all four p entries."""
    wc, M = 50.0, 251
    cov = network(STRONG, M, wc).gibbs_covariance(STRONG["T"])
    nz = ref_strong != 0
    assert np.max(np.abs(cov - ref_strong)[nz] / np.abs(ref_strong[nz])) < 1e-6
    assert np.all(cov[~nz] == 0)
    dp = cov[2:, 2:] - ref_strong[2:, 2:]
    assert np.allclose(dp * (M * wc) ** 2, math.pi * 10 * 50.0 ** 2 / 96, rtol=0.01)
    assert np.max(np.abs(cov[:2, :2] - ref_strong[:2, :2])) < 1e-12
    assert pearson(cov) == pytest.approx(pearson(ref_strong), abs=1e-12)
    assert pearson(cov) < -0.25  # strong bath-induced anticorrelation of x_A and x_B


def test_uniform_grid_is_truncation_limited(ref_single):
    """Uniform grid: the spacing error is exponentially small (~exp(-4 pi^2 T/dW)), <p^2> is low by the
    missing Drude tail gamma wD^2/(2 pi w_max^2) beyond w_max (relative correction ~1.7/w_max)."""
    for wm in (200.0, 400.0):
        baths = [DiscreteBath("b", drude(0.5, 5.0), 0.5, (1.0,), grid="uniform", w_max=wm)]
        c1 = DiscretisedNetwork([1.0], [[1.0]], baths, int(wm)).gibbs_covariance(0.5)
        c2 = DiscretisedNetwork([1.0], [[1.0]], baths, int(1.5 * wm)).gibbs_covariance(0.5)
        assert np.max(np.abs(c1 - c2)) < 1e-8
        assert (c1[1, 1] - ref_single[1, 1]) * wm ** 2 == pytest.approx(-0.5 * 25 / (2 * math.pi), rel=0.01)


def test_both_eigensolvers_agree_on_gibbs(ref_single):
    a = network(SINGLE, 300, 5.0, "jacobi").gibbs_covariance(0.5)
    b = network(SINGLE, 300, 5.0, "eigh").gibbs_covariance(0.5)
    assert np.max(np.abs(a - b)) < 1e-10


# ----------------------------------------------------------------------------- 2. equipartition
def test_high_temperature_equipartition_with_counterterm():
    """x -> T K^{-1} (not T (K - Gamma(0) g g^T)^{-1}: the counterterm) and p -> T M, with relative
    deviations O(1/T^2), from coth(u) = 1/u + u/3 - u^3/45 + ...:
    T (x - T K^{-1}) = M^{-1}/12 - M^{-1} V_SS M^{-1}/(720 T^2) + O(T^-4),
    T (p - T M) = V_SS/12 - (V Minv V)_SS/(720 T^2) + O(T^-4)."""
    masses = np.array([1.0, 2.0])
    K = np.array([[1.0, 0.3], [0.3, 0.8]])
    baths = [DiscreteBath("common", drude(0.4, 3.0), 1.0, (1.0, 0.5), scale=3.0),
             DiscreteBath("B", drude(0.2, 2.0), 1.0, (0.0, 1.0), scale=2.0)]
    net = DiscretisedNetwork(masses, K, baths, 40)
    Kinv = np.linalg.inv(K)
    rel = {}
    for T in (50.0, 100.0, 200.0):
        c = net.gibbs_covariance(T)
        xx, pp = c[:2, :2], c[2:, 2:]
        rel[T] = (np.max(np.abs(xx - T * Kinv)) / np.max(np.abs(T * Kinv)),
                  np.max(np.abs(pp - T * np.diag(masses))) / np.max(np.abs(T * np.diag(masses))))
        Mi, VSS = np.diag(1 / masses), net.V[:2, :2]
        VMV = net.V @ net.Minv @ net.V
        assert np.allclose(T * (xx - T * Kinv), Mi / 12 - Mi @ VSS @ Mi / (720 * T ** 2), rtol=0, atol=1e-8)
        assert np.allclose(T * (pp - T * np.diag(masses)), VSS / 12 - VMV[:2, :2] / (720 * T ** 2), rtol=1e-3, atol=0)
    for k in (0, 1):
        assert rel[50.0][k] / rel[100.0][k] == pytest.approx(4, rel=0.01)
        assert rel[100.0][k] / rel[200.0][k] == pytest.approx(4, rel=0.01)
    assert np.allclose(net.static_stiffness(), K, rtol=0, atol=1e-13)
    F = net.potential_factor()
    assert np.max(np.abs(F.T @ F - net.V)) < 1e-13 * np.max(np.abs(net.V))


# ----------------------------------------------------------------------------- 3. cross-correlations
def test_common_bath_correlates_separate_baths_do_not():
    K = np.diag([1.0, 0.36])
    T, J = 0.5, drude(0.5, 5.0)
    common = DiscretisedNetwork([1, 1], K, [DiscreteBath("c", J, T, (1, 1), scale=5.0)], 200).gibbs_covariance(T)
    ref = continuum_matsubara([1.0, 1.0], K.tolist(), [(0.5, 5.0, [1.0, 1.0])], T)
    assert pearson(common) < -5e-3  # weak bath (gamma = 0.5): small, but far above roundoff
    assert abs(common[0, 1] / ref[0, 1] - 1) < 1e-10
    sep = DiscretisedNetwork([1, 1], K, [DiscreteBath("a", J, T, (1, 0), scale=5.0),
                                         DiscreteBath("b", J, T, (0, 1), scale=5.0)], 200).gibbs_covariance(T)
    assert abs(sep[0, 1]) < 1e-15 and abs(sep[2, 3]) < 1e-14
    ref_sep = continuum_matsubara([1.0, 1.0], K.tolist(), [(0.5, 5.0, [1.0, 0.0]), (0.5, 5.0, [0.0, 1.0])], T)
    assert np.max(np.abs(sep - ref_sep)) < 1e-6


def test_vanishing_coupling_gives_bare_gibbs_state():
    w, m, T = np.array([1.0, 0.6]), np.array([1.0, 1.5]), 0.3
    K = np.diag(m * w ** 2)
    bare = np.diag(np.concatenate([1 / np.tanh(w / (2 * T)) / (2 * m * w), m * w / np.tanh(w / (2 * T)) / 2]))
    for g in ((1e-8, 1e-8), (0.0, 0.0)):
        net = DiscretisedNetwork(m, K, [DiscreteBath("c", drude(10.0, 50.0), T, g, scale=50.0)], 100)
        assert np.max(np.abs(net.gibbs_covariance(T) - bare)) < 1e-13
        ground = np.diag(np.concatenate([1 / (2 * m * w), m * w / 2]))
        assert np.max(np.abs(net.evolved_covariance(0.0) - ground)) < 1e-15  # default sigma_S0
        # the bare Gibbs state, put in contact with the (decoupled) bath at the same T, stays put
        assert np.max(np.abs(net.evolved_covariance(7.3, bare) - bare)) < 1e-12


# ----------------------------------------------------------------------------- 4. evolution
def _sigma0_example():
    # a valid (uncertainty-respecting) squeezed, correlated system state
    r = np.array([[0.9, 0.1, 0.05, 0.0], [0.1, 0.7, 0.0, -0.02], [0.05, 0.0, 0.8, 0.1], [0.0, -0.02, 0.1, 0.6]])
    return r


@pytest.mark.parametrize("method", ["jacobi", "eigh"])
def test_evolution_matches_expm(method):
    masses = np.array([1.0, 1.7])
    K = np.array([[1.0, 0.2], [0.2, 0.5]])
    baths = [DiscreteBath("hot", drude(0.6, 3.0), 2.0, (1.0, 0.3), scale=3.0),
             DiscreteBath("cold", drude(0.4, 2.0), 0.2, (0.0, 1.0), grid="uniform", w_max=8.0)]
    net = DiscretisedNetwork(masses, K, baths, 7, method=method)
    sig = _sigma0_example()
    N = net.dim
    A = np.block([[np.zeros((N, N)), net.Minv], [-net.V, np.zeros((N, N))]])
    sigma0 = np.zeros((2 * N, 2 * N))
    idx = np.r_[0:2, N:N + 2]
    sigma0[np.ix_(idx, idx)] = sig
    for b, sl in zip(baths, net.bath_slices):
        W = net.bath_frequencies[baths.index(b)]
        coth = 1 / np.tanh(W / (2 * b.temperature))
        sigma0[sl, sl] = np.diag(coth / (2 * W))
        sigma0[N + sl.start:N + sl.stop, N + sl.start:N + sl.stop] = np.diag(W * coth / 2)
    assert np.allclose(net.initial_covariance(sig), sigma0, rtol=0, atol=1e-15)
    assert np.max(np.abs(net.evolved_covariance(0.0, sig) - sig)) < 1e-13
    for t in (0.37, 3.7, 12.0):
        S = linalg.expm(A * t)
        full = S @ sigma0 @ S.T
        assert np.max(np.abs(net.evolved_covariance(t, sig) - full[np.ix_(idx, idx)])) < 1e-11


def test_equal_temperatures_relax_to_gibbs_state(ref_single):
    net = network(SINGLE, 400, 5.0)
    G = net.gibbs_covariance(0.5)
    assert net.recurrence_time == pytest.approx(2 * np.pi / np.diff(net.bath_frequencies[0][:2])[0])
    assert net.recurrence_time > 300
    for t in (40.0, 60.0):
        E = net.steady_covariance(t)
        assert abs(E[0, 0] / G[0, 0] - 1) < 1e-6
        assert abs(E[1, 1] / G[1, 1] - 1) < 3e-6
        assert abs(E[0, 1]) < 1e-6
        assert abs(E[0, 0] / ref_single[0, 0] - 1) < 1e-6 and abs(E[1, 1] / ref_single[1, 1] - 1) < 1e-5
    early = net.evolved_covariance(5.0)
    assert abs(early[0, 0] / G[0, 0] - 1) > 1e-3  # not yet relaxed: the comparison is not trivial


def test_two_temperatures_give_a_steady_state_with_heat_current():
    K = np.array([[1.0, 0.1], [0.1, 0.36]])
    spec = [(0.5, 5.0, [1.0, 0.0], 1.0), (0.5, 5.0, [0.0, 1.0], 0.25)]
    net = DiscretisedNetwork([1.0, 1.0], K, [DiscreteBath(f"b{i}", drude(g, wD), Tb, tuple(w), scale=wD)
                                             for i, (g, wD, w, Tb) in enumerate(spec)], 400)
    E40, E60 = net.steady_covariance(40.0), net.steady_covariance(60.0)
    ref = continuum_ness([1.0, 1.0], K, spec)
    scale = np.max(np.abs(ref))
    assert np.max(np.abs(E60 - E40)) < 5e-6 * scale
    assert np.max(np.abs(E60 - ref)) < 5e-6 * scale
    assert np.max(np.abs(E60[:2, :2] - ref[:2, :2])) < 1e-6 * scale
    # heat current from the hot to the cold side: <x_A p_B> = -<x_B p_A> != 0
    assert abs(E60[0, 3]) > 0.05 and E60[0, 3] == pytest.approx(-E60[1, 2], rel=1e-5)
    # not an equilibrium state at any of the two temperatures
    for T in (1.0, 0.25):
        assert np.max(np.abs(E60 - net.gibbs_covariance(T))) > 1e-2


def test_recurrence_warning_and_local_recurrence_time():
    net = network(SINGLE, 50, 5.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.steady_covariance(0.5 * net.recurrence_time)
    with pytest.warns(RecurrenceWarning, match="recurrence time"):
        net.steady_covariance(1.1 * net.recurrence_time)
    b = net.baths[0]
    assert b.local_recurrence_time(50, 0.0) == pytest.approx(net.recurrence_time, rel=2e-3)
    assert b.local_recurrence_time(50, 20.0) < 0.1 * net.recurrence_time


# ----------------------------------------------------------------------------- helpers and API
def test_grids_and_helpers():
    W, dW = bath_grid("tan", 64, scale=2.0)
    assert np.sum(dW * 2.0 / (4.0 + W ** 2)) == pytest.approx(np.pi / 2, rel=1e-14)  # exact for this map
    W, dW = bath_grid("uniform", 10, w_max=5.0)
    assert np.allclose(W, np.arange(0.25, 5.0, 0.5)) and np.allclose(dW, 0.5)
    assert pearson(np.array([[4.0, -1.0], [-1.0, 1.0]])) == pytest.approx(-0.5)
    rows = convergence_study(lambda M: network(SINGLE, M, 5.0), [40, 20, 80], 0.5)
    assert [r["M"] for r in rows] == [20, 40, 80] and rows[-1]["err_x"] == 0 and rows[0]["order_x"] is None
    # against the largest M, an M^-2 error gives the apparent order log2((1/20^2 - 1/80^2)/(1/40^2 - 1/80^2))
    assert rows[1]["order_p"] == pytest.approx(math.log2(5), abs=0.01)
    b = DiscreteBath("b", drude(1, 1), 1.0, [1, 0], scale=1.0)
    assert b.weights == (1.0, 0.0) and hash(b) is not None


# ----------------------------------------------------------------------------- 5. bad input
GOOD_BATH = DiscreteBath("b", drude(0.5, 5.0), 0.5, (1.0, 1.0), scale=5.0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(masses=[1.0, 0.0]), "`masses` must be positive"),
    (dict(masses=[1.0, -2.0]), "`masses` must be positive"),
    (dict(K=[[1.0, 0.2], [0.1, 1.0]]), "`K` must be symmetric"),
    (dict(K=[[1.0, 2.0], [2.0, 1.0]]), r"unstable network: the potential must be positive definite, lowest eigenvalue -1"),
    (dict(K=[[1.0]]), r"`K` must be 2 x 2"),
    (dict(M=0), "`M`.*>= 1"),
    (dict(M=2.5), "`M`.*integer"),
    (dict(baths=[DiscreteBath("b", drude(0.5, 5.0), 0.5, (1.0,), scale=5.0)]), "`weights` of bath 'b' must have length 2"),
    (dict(baths=[DiscreteBath("b", lambda w: 0.5 * w * np.cos(w), 0.5, (1.0, 1.0), scale=5.0)]),
     "`J` of bath 'b' must be >= 0; it is negative on the grid"),
    (dict(baths=[GOOD_BATH, GOOD_BATH]), "names must be distinct"),
    (dict(method="lu"), "`method`"),
])
def test_bad_network_input(kwargs, match):
    args = dict(masses=[1.0, 1.0], K=np.eye(2), baths=[GOOD_BATH], M=10) | kwargs
    with pytest.raises(ValueError, match=match):
        DiscretisedNetwork(**args)


@pytest.mark.parametrize("kwargs, match", [
    (dict(temperature=0.0), "`temperature`"),
    (dict(temperature=-1.0), "`temperature`"),
    (dict(weights=()), "`weights`"),
    (dict(weights=[[1.0, 0.0]]), "`weights`"),
    (dict(scale=None), "`scale`"),
    (dict(grid="log"), "`grid`"),
    (dict(grid="uniform"), "`w_max`"),
    (dict(J=1.0), "`J`"),
])
def test_bad_bath_input(kwargs, match):
    args = dict(name="b", J=drude(0.5, 5.0), temperature=0.5, weights=(1.0,), scale=5.0) | kwargs
    with pytest.raises(ValueError, match=match):
        DiscreteBath(**args)


def test_bad_call_input():
    net = network(SINGLE, 10, 5.0)
    for T in (0.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="`T`"):
            net.gibbs_covariance(T)
    with pytest.raises(ValueError, match="`T`"):
        convergence_study(lambda M: network(SINGLE, M, 5.0), [10], 0.0)
    with pytest.raises(ValueError, match="`sigma_S0`"):
        net.evolved_covariance(1.0, np.eye(3))
    with pytest.raises(ValueError, match="uncertainty"):
        net.evolved_covariance(1.0, np.diag([0.1, 0.1]))
    with pytest.raises(ValueError, match="`t_relax`"):
        net.steady_covariance(-1.0)
    with pytest.raises(ValueError, match="`reference`"):
        convergence_study(lambda M: network(SINGLE, M, 5.0), [10], 0.5, reference=np.eye(4))
    with pytest.raises(ValueError, match="`M`"):
        convergence_study(lambda M: network(SINGLE, M, 5.0), [0], 0.5)
