r"""Razzoli et al. (ICE-10 talk; Carrega et al. 2024, Razzoli et al. 2024): two oscillators in a
common Ohmic Caldeira-Leggett bath at arbitrary coupling -- susceptibility, the weakly damped
antiphase mode at strong coupling, and bath-induced (anti-)synchronization, by qsym's quantum
Langevin engine (:mod:`qsym.dynamics.langevin`).

Model.  ``H_l = p_l^2/(2m) + m w_l^2 x_l^2/2`` (``l = A, B``, no direct coupling), reservoir 2 with
``J_2(w) = m gamma_2 w`` coupled to ``x_A + x_B`` (weights ``(1, 1)``, joint configuration) with the
counterterm, temperature ``T``.  Independent configuration: two separate Ohmic baths, weights
``(1, 0)`` and ``(0, 1)``, same ``gamma_2`` and ``T``.  The weakly coupled, periodically driven
reservoir 1 of the slides is left out (its contribution vanishes with its coupling; the driven
machine is a later issue).

Modelling assumptions: equal masses ``m``; static couplings ``g_2^{(l)} = 1``; the stationary state
of the Langevin equation (reached for any ``gamma_2 > 0``); "strong coupling" is the limit
``gamma_2 -> oo`` at fixed ``T``; "low temperature" is ``T -> 0`` after it.

Derivation.  The engine builds ``chi(w) = [K - w^2 M - i w m gamma_2 D]^{-1}`` (``D = (1,1)(1,1)^T``),
its characteristic polynomial, the underdamped poles as series in ``1/gamma_2`` from the non-zero
roots of the leading coefficient (``2 w^2 = w_A^2 + w_B^2``), and the strong-coupling covariance
(L6): ``T K^{-1}`` plus the quantum correction of the mode constrained to ``ker D`` (the antiphase
direction ``(1, -1)/sqrt 2``, frequency ``wbar``), summed over Matsubara frequencies in closed form.
Numerics (:mod:`qsym.numeric.langevin`): numeric poles of the state-space matrix, the covariance by
frequency integration and Matsubara sums, the strong-coupling limit from a numeric null space,
and (tests) the discretised bath (:mod:`qsym.numeric.discrete_bath`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp
from scipy import integrate, linalg

import qsym as qs
from qsym.dynamics.langevin import CaldeiraLeggettBath, DrudeOhmic, Ohmic, oscillator_network, pearson
from qsym.numeric.langevin import (DampingValue, PearsonCoefficient, PoleValue,
                                   StrongCouplingCovariance, StrongCouplingPearson, SusceptibilityElement)
from qsym.numeric.targets import Target

from . import razzoli_published as pub

NAME = "razzoli-synchronization"
TITLE = "Razzoli et al.: two oscillators in a common Ohmic bath -- antiphase mode and synchronization"
SEED = "002_987ee4ab359acf89.txt"

wA, wB = pub.wA, pub.wB
m, gamma2, T, wD = sp.symbols("m gamma_2 T omega_D", positive=True)
w = sp.Symbol("omega", positive=True)  # a sampled real frequency (susceptibility records)
SERIES_ORDER = 8
BASE = {wA: (0.6, 2.0), wB: (0.3, 1.5), m: (0.5, 2.0), T: (0.05, 2.0), w: (0.1, 3.0)}
ASSUMPTIONS = (wA > wB + 0.05,)


def _network(baths, gamma_range, name, assumptions=ASSUMPTIONS):
    dom = {**BASE, gamma2: gamma_range}
    return oscillator_network(["A", "B"], [m, m], sp.diag(m * wA**2, m * wB**2), baths, assumptions=assumptions,
                              domain=tuple(dom.items()), name=name)


@lru_cache(maxsize=None)
def joint(gamma_range=(0.05, 20.0), assumptions=ASSUMPTIONS):
    """Joint configuration: reservoir 2 common to A and B."""
    return _network([CaldeiraLeggettBath("2", Ohmic(m * gamma2), T, (1, 1))], gamma_range, "joint", assumptions)


@lru_cache(maxsize=None)
def independent(gamma_range=(0.05, 20.0)):
    """Independent configuration: each oscillator with its own Ohmic bath."""
    return _network([CaldeiraLeggettBath("2A", Ohmic(m * gamma2), T, (1, 0)),
                     CaldeiraLeggettBath("2B", Ohmic(m * gamma2), T, (0, 1))], gamma_range, "independent")


@lru_cache(maxsize=None)
def joint_drude():
    """Joint configuration with a Drude cutoff ``w_D`` (momenta converge)."""
    dom = {**BASE, gamma2: (0.05, 5.0), wD: (3.0, 30.0)}
    return oscillator_network(["A", "B"], [m, m], sp.diag(m * wA**2, m * wB**2),
                              [CaldeiraLeggettBath("2", DrudeOhmic(m * gamma2, wD), T, (1, 1))],
                              assumptions=ASSUMPTIONS, domain=tuple(dom.items()), name="joint, Drude")


@lru_cache(maxsize=None)
def antiphase():
    """``{"root", "series", "symbol"}`` of the weakly damped pole, series in ``1/(m gamma_2)``."""
    (out,) = joint().antiphase_pole_series("2", order=SERIES_ORDER, parameter=gamma2)
    return out


@lru_cache(maxsize=None)
def strong_coupling():
    return joint().strong_coupling_covariance("2", mode_names=[r"\bar{\omega}"])


def definitions():
    return ()


@dataclass(frozen=True)
class ZeroTemperatureStrongPearson(Target):
    """``C`` of (L6) at ``T = 0`` numerically: ``<x x^T> = (1/pi) int_0^oo chi_oo(i nu) d nu`` with
    ``chi_oo = N (N^T (K + nu^2 M) N)^{-1} N^T`` from a numeric null space (quadrature)."""

    def numeric(self, me, res, values):
        g = res.baths[0][0]
        N = linalg.null_space(np.outer(g, g))
        f = lambda nu: (N @ np.linalg.inv(N.T @ (res.K + nu * nu * res.M) @ N) @ N.T).ravel()  # noqa: E731
        S = integrate.quad_vec(f, 0, np.inf, epsabs=1e-15, epsrel=1e-12)[0].reshape(res.n, res.n) / np.pi
        return float(S[0, 1] / np.sqrt(S[0, 0] * S[1, 1]))


@dataclass(frozen=True)
class ClassicalPearson(Target):
    """``C`` of the classical covariance ``T chi(0)`` with ``chi(0)`` inverted numerically."""

    zero_expected = True

    def numeric(self, me, res, values):
        S = np.linalg.inv(res.inverse_susceptibility(0.0).real)
        return float(S[0, 1] / np.sqrt(S[0, 0] * S[1, 1]))


def _independent_cross_integrand():
    """``[chi J g g^T chi^dag]_{AB}`` summed over the independent baths (the integrand of (L4))."""
    net = independent()
    chi = net.susceptibility(w)
    total = sp.S.Zero
    for b in net.baths:
        g = sp.Matrix(b.weights)
        c = chi * g
        total += b.density.J(w) * c[0] * sp.conjugate(c[1])
    return sp.simplify(total)


def results() -> list[qs.Result]:
    R = qs.Result
    out = []
    J = joint()
    # -- bath and response ----------------------------------------------------------------------------
    Jd = joint_drude()
    gd = Jd.baths[0].density.damping(w)
    for part, f in (("re", sp.re), ("im", sp.im)):
        out.append(R(f"gamma(w), Drude, {part}", "L3", sp.simplify(f(sp.expand_complex(gd))), Jd,
                     DampingValue(0, w, part), None, latex_name=r"\gamma(\omega)",
                     note="damping function of J = m gamma_2 w/(1 + w^2/w_D^2); numeric: Kramers-Kronig of J alone"))
    chi = J.susceptibility(w)
    for part, f in (("re", sp.re), ("im", sp.im)):
        out.append(R(f"chi_AB(w), {part}", "L3", sp.simplify(f(sp.expand_complex(chi[0, 1]))), J,
                     SusceptibilityElement(0, 1, w, part), None, latex_name=r"\chi_{AB}(\omega)",
                     note="bath-induced cross response (no direct coupling: the counterterm removes it)"))
    # -- antiphase mode ---------------------------------------------------------------------------------
    ap = antiphase()
    wbar = strong_coupling()["modes"][0][0]  # the DefinedSymbol bar-omega of the constrained mode
    series = ap["series"].xreplace({ap["symbol"]: wbar})
    strong = joint((1e5, 1e6))
    out.append(R("wbar (antiphase frequency)", "Synchronization", ap["root"], strong, PoleValue(ap["root"], "re"),
                 pub.published_antiphase_frequency(), latex_name=r"\bar\omega",
                 note="the non-zero root of the leading coefficient (in gamma_2) of the characteristic polynomial; "
                      "numeric: the pole of chi at gamma_2 in [1e5, 1e6] (corrections O(1/gamma_2^2))"))
    strong_series = joint((10.0, 1000.0), ASSUMPTIONS + (gamma2 >= 10 * wA,))
    for part, f in (("re", sp.re), ("im", sp.im)):
        out.append(R(f"antiphase pole, {part} (1/gamma_2 series)", "Synchronization",
                     sp.simplify(f(sp.expand_complex(series))), strong_series, PoleValue(series, part), None,
                     latex_name=r"\omega_{-}", note=f"series to order {SERIES_ORDER} in 1/(m gamma_2); numeric poles at "
                                                   f"gamma_2 in [10, 1000] with gamma_2 >= 10 omega_A"))
    # -- strong coupling and synchronization -------------------------------------------------------------
    sc = strong_coupling()["xx"]
    for (i, j), lab in (((0, 0), "AA"), ((0, 1), "AB"), ((1, 1), "BB")):
        out.append(R(f"<x x>_oo, {lab}", "L6", sc[i, j], J, StrongCouplingCovariance(i, j), None,
                     latex_name=rf"\langle x_{lab[0]} x_{lab[1]}\rangle_\infty",
                     note="gamma_2 -> oo: T K^-1 plus the antiphase mode's quantum correction (Matsubara sum in closed "
                          "form); numeric: numeric null space and a direct Matsubara sum"))
    C_inf = pearson(sc)
    out.append(R("C_oo(T)", "Synchronization", C_inf, J, StrongCouplingPearson(), None, latex_name=r"C_\infty(T)",
                 note="strong-coupling limit of the Pearson coefficient at finite temperature (derived closed form)"))
    C_low = sp.simplify(sp.limit(C_inf, T, 0))
    out.append(R("C_oo(T -> 0)", "Synchronization", C_low, J, ZeroTemperatureStrongPearson(),
                 sp.S(pub.PUBLISHED_C_LOW_T_STRONG), latex_name=r"\lim_{T\to0} C_\infty",
                 note="'C -> -1: anti-synchronization' at low temperature and strong coupling"))
    out.append(R("C_oo != 0 (common bath synchronizes)", "Synchronization", C_inf, J, StrongCouplingPearson(),
                 sp.S.Zero, relation="differs", latex_name=r"C_\infty(T)",
                 note="'two otherwise independent QHOs synchronize through coupling to the common bath'"))
    cl = J.classical_covariance()["xx"]
    out.append(R("C classical (joint)", "Synchronization", sp.simplify(pearson(cl)), J, ClassicalPearson(), None,
                 latex_name=r"C_{cl}", note="high-temperature limit T chi(0) = T K^-1: no correlation at any gamma_2 "
                                            "(the counterterm leaves no static coupling), so C_oo -> 0 at high T too"))
    cross = _independent_cross_integrand()
    out.append(R("C, independent configuration", "Synchronization", cross, independent(), PearsonCoefficient(),
                 sp.S(pub.PUBLISHED_C_NO_SYNC), latex_name=r"C_{indep}",
                 note="separate baths: the AB element of the integrand of (L4) vanishes identically, so C = 0 "
                      "('no correlations'); numeric: the full frequency integral"))
    return out
