"""Quantum Langevin engine (qsym.dynamics.langevin, qsym.numeric.langevin): covariances against
the discretised bath (qsym.numeric.discrete_bath), the classical and strong-coupling limits,
the damping function against Kramers-Kronig, physics (uncertainty, equipartition, no
correlation without a common bath) and bad input."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp
from scipy import integrate

from qsym.dynamics.langevin import (CaldeiraLeggettBath, DivergentQuantityError, DrudeOhmic, LangevinInputError,
                                    Lorentzian, Ohmic, SpectralDensity, matsubara_sum, oscillator_network, pearson)
from qsym.numeric.discrete_bath import DiscreteBath, DiscretisedNetwork
from qsym.numeric.langevin import LangevinSolver, damping_from_density

wA, wB, lam, T, wD, m = sp.symbols("omega_A omega_B lambda T omega_D m", positive=True)


def drude_pair(weights=((1, 1),)):
    baths = [CaldeiraLeggettBath(f"b{k}", DrudeOhmic(lam, wD), T, w) for k, w in enumerate(weights)]
    return oscillator_network(["A", "B"], [1, 1], sp.diag(wA**2, wB**2), baths)


VALS = {wA: 1.0, wB: 0.6, lam: 0.8, wD: 6.0, T: 0.3}


def test_langevin_covariance_matches_discretised_bath_with_shrinking_error():
    """(L4) against the closed system with the bath as M oscillators: the error shrinks with M
    (order ~2 for momenta, faster for positions) and reaches 1e-6."""
    res = LangevinSolver(drude_pair()).solve(VALS)
    X, P = res.covariance("xx"), res.covariance("pp")
    J = lambda w: VALS[lam] * w / (1 + (w / VALS[wD]) ** 2)  # noqa: E731
    errs = []
    for M in (40, 80, 160, 320):
        net = DiscretisedNetwork([1.0, 1.0], np.diag([1.0, 0.36]),
                                 [DiscreteBath("b", J, VALS[T], (1.0, 1.0), scale=VALS[wD])], M)
        S = net.gibbs_covariance(VALS[T])
        errs.append(max(np.max(np.abs(S[:2, :2] - X)) / np.max(np.abs(X)), np.max(np.abs(S[2:, 2:] - P)) / np.max(np.abs(P))))
    assert all(b < a for a, b in zip(errs, errs[1:])), errs
    assert errs[-1] < 1e-5
    rate = np.log(errs[0] / errs[-1]) / np.log(8)
    assert rate > 1.8, (errs, rate)


def test_frequency_integral_and_matsubara_sum_agree():
    res = LangevinSolver(drude_pair()).solve(VALS)
    assert np.allclose(res.covariance("xx"), res.matsubara_covariance(), rtol=1e-9, atol=1e-12)


def test_uncertainty_and_positivity():
    res = LangevinSolver(drude_pair()).solve({**VALS, T: 0.05})
    X, P = res.covariance("xx"), res.covariance("pp")
    assert np.all(np.linalg.eigvalsh(X) > 0) and np.all(np.linalg.eigvalsh(P) > 0)
    for i in range(2):
        assert X[i, i] * P[i, i] >= 0.25  # Heisenberg (hbar = 1)
    assert X[0, 0] * P[0, 0] < 0.5     # near the ground state at low T: not far above the bound


def test_classical_limit_is_equipartition():
    net = drude_pair()
    cl = net.classical_covariance()
    assert sp.simplify(cl["xx"] - T * sp.diag(1 / wA**2, 1 / wB**2)) == sp.zeros(2)
    devs = []
    for Tv in (2.0, 4.0, 8.0):
        res = LangevinSolver(net).solve({**VALS, T: Tv})
        X, P = res.covariance("xx"), res.covariance("pp")
        devs.append(max(np.max(np.abs(X - Tv * np.diag([1.0, 1 / 0.36]))) / Tv,
                        np.max(np.abs(P - Tv * np.eye(2))) / Tv))
    assert devs[0] > devs[1] > devs[2]
    assert np.log(devs[0] / devs[2]) / np.log(4) > 1.7  # ~ 1/T^2


def test_strong_coupling_limit_is_approached():
    net = oscillator_network(["A", "B"], [1, 1], sp.diag(wA**2, wB**2), [CaldeiraLeggettBath("2", Ohmic(lam), T, (1, 1))])
    sc = net.strong_coupling_covariance("2")["xx"]
    vals = {wA: 1.0, wB: 0.6, T: 0.2}
    C_inf = float(pearson(sc).xreplace(vals))
    gaps = []
    for g in (10.0, 100.0, 1000.0):
        S = LangevinSolver(net).solve({**vals, lam: g}).matsubara_covariance(n_terms=40000)
        gaps.append(abs(S[0, 1] / np.sqrt(S[0, 0] * S[1, 1]) - C_inf))
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 2e-3
    C_T = [float(pearson(sc).xreplace({**vals, T: Tv})) for Tv in (0.02, 0.2, 2.0)]
    assert -1 < C_T[0] < C_T[1] < C_T[2] < 0  # anti-synchronization, strongest at low temperature
    assert float(sp.limit(pearson(sc), T, 0).xreplace(vals)) == pytest.approx(-1.0, abs=1e-14)


def test_no_correlation_without_a_common_bath():
    net = drude_pair(weights=((1, 0), (0, 1)))
    X = LangevinSolver(net).solve(VALS).covariance("xx")
    assert abs(X[0, 1]) < 1e-14 * X[0, 0]
    Xj = LangevinSolver(drude_pair()).solve(VALS).covariance("xx")
    assert Xj[0, 1] < -1e-3  # a common bath correlates them (antiphase)


def test_damping_functions_obey_kramers_kronig():
    d0, g0, w0 = 0.7, 0.4, 1.3
    for dens, J in ((DrudeOhmic(lam, wD), lambda w: 0.8 * w / (1 + (w / 6.0) ** 2)),
                    (Lorentzian(sp.Float(d0), sp.Float(w0), sp.Float(g0)),
                     lambda w: d0 * g0 * w / ((w0**2 - w**2) ** 2 + g0**2 * w**2))):
        g = sp.lambdify(sp.Symbol("omega", real=True), dens.damping().xreplace({lam: 0.8, wD: 6.0}), "numpy")
        for w in (0.3, 1.1, 2.7):
            assert abs(complex(g(w)) - damping_from_density(J, w)) < 1e-9 * abs(complex(g(w)))


def test_lorentzian_kernel_is_the_cosine_transform_of_J():
    d0, g0, w0 = 0.7, 0.4, 1.3
    d, p, g = sp.symbols("d omega_0 gamma_0", positive=True)
    dens = Lorentzian(d, p, g)
    kern = dens.kernel().xreplace({d: d0, p: w0, g: g0})
    k = sp.lambdify(sp.Symbol("t", nonnegative=True), kern, "numpy")
    for t in (0.5, 2.0):
        num = 2 / np.pi * integrate.quad(lambda w: d0 * g0 / ((w0**2 - w**2) ** 2 + g0**2 * w**2), 0, np.inf,
                                         weight="cos", wvar=t)[0]
        assert abs(complex(k(t)).real - num) < 1e-8


def test_matsubara_identity():
    s, w = sp.symbols("s w", positive=True)
    closed = matsubara_sum(1 / (s + w**2), s, T)
    vals = {w: 0.7, T: 0.4}
    direct = 2 * 0.4 * sum(1 / ((2 * np.pi * n * 0.4) ** 2 + 0.49) for n in range(1, 200000))
    assert float(closed.xreplace(vals)) == pytest.approx(direct, rel=1e-5)


# ---- bad input ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EvenDensity(SpectralDensity):
    def J(self, w=sp.Symbol("omega", real=True)):
        return self.strength * w**2

    def damping(self, w=sp.Symbol("omega", real=True)):
        return self.strength * w


@dataclass(frozen=True)
class NegativeDensity(SpectralDensity):
    def J(self, w=sp.Symbol("omega", real=True)):
        return -self.strength * w

    def damping(self, w=sp.Symbol("omega", real=True)):
        return -self.strength


def test_bad_input_is_named():
    good = CaldeiraLeggettBath("2", Ohmic(lam), T, (1, 1))
    with pytest.raises(LangevinInputError, match="masses"):
        oscillator_network(["A", "B"], [1, -1], sp.diag(wA**2, wB**2), [good])
    with pytest.raises(LangevinInputError, match="masses"):
        oscillator_network(["A", "B"], [1, sp.Symbol("mu")], sp.diag(wA**2, wB**2), [good])
    with pytest.raises(LangevinInputError, match="unstable"):
        oscillator_network(["A", "B"], [1, 1], sp.Matrix([[1, 2], [2, 1]]), [good])
    with pytest.raises(LangevinInputError, match="odd"):
        oscillator_network(["A", "B"], [1, 1], sp.diag(wA**2, wB**2), [CaldeiraLeggettBath("e", EvenDensity(lam), T, (1, 1))])
    with pytest.raises(LangevinInputError, match=">= 0"):
        oscillator_network(["A", "B"], [1, 1], sp.diag(wA**2, wB**2),
                           [CaldeiraLeggettBath("n", NegativeDensity(lam), T, (1, 1))])
    with pytest.raises(LangevinInputError, match="temperature"):
        oscillator_network(["A", "B"], [1, 1], sp.diag(wA**2, wB**2), [CaldeiraLeggettBath("2", Ohmic(lam), -1, (1, 1))])
    with pytest.raises(LangevinInputError, match="weights"):
        oscillator_network(["A", "B"], [1, 1], sp.diag(wA**2, wB**2), [CaldeiraLeggettBath("2", Ohmic(lam), T, (1,))])
    net = oscillator_network(["A", "B"], [1, 1], sp.diag(wA**2, wB**2), [good])
    res = LangevinSolver(net).solve({wA: 1.0, wB: 0.6, lam: 1.0, T: 0.5})
    with pytest.raises(DivergentQuantityError, match="Drude"):
        res.covariance("pp")
    with pytest.raises(LangevinInputError, match="every direction"):
        oscillator_network(["A"], [1], sp.Matrix([[wA**2]]),
                           [CaldeiraLeggettBath("2", Ohmic(lam), T, (1,))]).strong_coupling_covariance("2")
