r"""Colla, Vacchini & Smirne, "Local energy assignment for two interacting quantum thermal
reservoirs" (talk at ICE-10, 2025; arXiv:2510.06929): the two-reservoir model solved exactly by
qsym's quadratic engine (:mod:`qsym.dynamics.gaussian`), its energies in the bare, interaction
and minimal-dissipation assignments, the dispersive, near-resonant and weak-coupling regimes,
and the talk's recap statements classified by computation.

Model (slide "Interacting heat baths", with the uniform couplings of "Parameters and regimes").
Reservoir 1: ``N_1`` modes ``a_i``, ``h^(1) = omega_1 1 + g (J - 1)`` (on-site ``omega_1``,
all-to-all intra-coupling ``g``); reservoir 2 likewise with ``N_2``, ``omega_2`` and the same ``g``;
``g_ik = gamma`` for every pair (``J`` all-ones).  Initial state: product of the Gibbs states of
``H_1`` and ``H_2`` at ``T_1``, ``T_2``.  ``hbar = k_B = 1``.

Modelling assumptions (recorded because the slides leave them implicit):

* ``g > 0`` and ``omega_X > g`` for the main records: ``H_X`` is then positive (its Gibbs state
  exists) and ``nu_X`` is the *largest* eigenvalue of ``h^(X)``; the record ``nu_1 (either sign
  of g)`` checks the statement for ``g < 0`` too;
* the environment of subsystem 1 is subsystem 2 and vice versa ("applicable to both sides of
  the bipartition"); ``H_1``, ``H_2``, ``H_I`` do not depend on time, so ``dW~_X = 0`` and
  ``dQ~_X = Delta U~_X``;
* the minimal-dissipation Hamiltonian ``K_S(t)`` is the canonical-form Hamiltonian of the exact
  generator with traceless jump operators ``a_i``, ``a_i^dag``, its additive constant fixed so
  that ``K_S`` annihilates the vacuum (as ``H_S`` does); derived in
  :mod:`qsym.dynamics.gaussian` (eq. G5) as ``K = i (X - X^dag)/2``, ``X = dG/dt G^{-1}``;
* "weak-coupling heat" is the slides' ``dQ_S = int Tr{H_S drho_S}`` evaluated on the exact
  reduced state; "compatible with the weak-coupling limit" is read as: equal to it at leading
  order in ``Gamma -> 0`` (fixed ``t``);
* "dispersive limit" and "ultrastrong" are series in ``Gamma/Delta`` and ``Delta/Gamma`` at fixed
  ``t``, ``nu_1`` (so ``nu_2 = nu_1 - Delta``).

Derivation.  The uniform blocks reduce to the symmetric modes ``A_X = sum_i a_i/sqrt(N_X)``
(energies ``nu_X``, coupled with ``Gamma/2 = sqrt(N_1 N_2) gamma``) and ``N_X - 1`` decoupled dark
modes (energy ``omega_X - g``); the 2x2 block gives ``Omega = sqrt(Delta^2 + Gamma^2)``.  With
``C(t) = U^* C(0) U^T`` the energies, the assignments and ``K_S(t)`` follow in closed form for any
``N_1``, ``N_2``; the minimal-dissipation heat and work are integrated along ``sin^2(Omega t/2)``.
Numerics (:mod:`qsym.numeric.gaussian`): the full ``(N_1 + N_2)``-mode matrix from numbers,
``eigh``, quadrature; tests add Fock-space evolution (:mod:`qsym.numeric.fock`).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

import qsym as qs
from qsym.dynamics.gaussian import _tidy, uniform_blocks
from qsym.numeric.gaussian import (AssignmentQuantity, CollectiveDetuning, EffectiveCoupling, Eigenvalue,
                                   EnergyChange, EnergyConservation, FirstLawResidualMD, LargestEigenvalue,
                                   MDHamiltonian, MDQuantity, PropagatorNorm)

from . import colla_published as pub

NAME = "colla-reservoirs"
TITLE = "Colla, Vacchini & Smirne: energy assignment for two interacting bosonic reservoirs"
SEED = "000_a36ecc07ad4fb577.txt"

w1, w2, g, gamma = pub.w1, pub.w2, pub.g, pub.gamma
N1, N2 = pub.N1, pub.N2
T1, T2 = sp.symbols("T_1 T_2", positive=True)
t = sp.Symbol("t", positive=True)
g_any = sp.Symbol("g", real=True)  # the intra-coupling of either sign (the sign record)
# reduced parameters for the regimes: nu_1, Delta, Gamma independent, nu_2 = nu_1 - Delta
nu_r, D_r, G_r = sp.symbols("nu_1 Delta Gamma", positive=True)
DOMAIN = {w1: (0.5, 3.0), w2: (0.5, 3.0), g: (0.01, 0.2), gamma: (0.005, 0.2), N1: (2, 12), N2: (2, 12),
          T1: (0.3, 3.0), T2: (0.3, 3.0), t: (0.1, 10.0)}
APPROACHES = ("bare", "interaction", "minimal dissipation")


def _build(intra, domain, assumptions=(), name="Colla reservoirs"):
    return uniform_blocks({"1": N1, "2": N2}, {"1": w1, "2": w2}, {"1": intra, "2": intra}, {("1", "2"): gamma},
                          {"1": T1, "2": T2}, time=t, domain=tuple(domain.items()), assumptions=assumptions,
                          name=name, block_names=("Delta", "Gamma", "Omega"))


@lru_cache(maxsize=None)
def model():
    """The two reservoirs with ``g > 0`` (the slides' regime)."""
    return _build(g, DOMAIN)


@lru_cache(maxsize=None)
def model_any_sign():
    """The same with ``g`` of either sign (``|g| < 0.2``), ``nu_X > 0`` so that the Gibbs states exist."""
    dom = {**DOMAIN, g_any: (-0.2, 0.2)}
    dom.pop(g)
    nu1, nu2 = w1 + (N1 - 1) * g_any, w2 + (N2 - 1) * g_any
    return _build(g_any, dom, assumptions=(nu1 > 0.05, nu2 > 0.05), name="Colla reservoirs, g of either sign")


def named():
    """``(nu_1, nu_2, Delta, Gamma, Omega)`` as the engine named them."""
    m = model()
    D, G, W, _ = m.block_symbols[0]
    nu1, nu2 = m.h[0, 0], m.h[2, 2]
    return nu1, nu2, D, G, W


def reduced(e):
    """``e`` in the independent parameters ``(nu_1, Delta, Gamma)``: ``nu_2 = nu_1 - Delta``,
    ``Omega = sqrt(Delta^2 + Gamma^2)`` (for the regimes)."""
    nu1, nu2, D, G, W = named()
    return sp.sympify(e).xreplace({W: sp.sqrt(D_r**2 + G_r**2)}).xreplace({D: D_r, G: G_r}).xreplace(
        {nu2: nu_r - D_r}).xreplace({nu1: nu_r})


def peak_time():
    """``t* = pi/Omega``: ``sin^2(Omega t/2) = 1``, where ``|G(t)|^2`` is smallest."""
    return sp.pi / named()[4]


def at_peak(e):
    W = named()[4]
    return sp.sympify(e).xreplace({sp.sin(W * t / 2): 1, sp.cos(W * t / 2): 0})


def definitions():
    return named()


def assignment(X: str = "1"):
    """The engine's energy assignment of subsystem ``X`` of :func:`model` (every candidate
    definition of its energy change, side by side); a module-level function so that a notebook
    can cache it on disk (``qs.cache.memoize(assignment)``); derived in full here, so that the
    cached object carries every approach."""
    a = model().assignment(X)
    a.approaches()
    return a


# ---- regimes -------------------------------------------------------------------------------------------
def dispersive(e, order=0):
    return qs.dispersive(reduced(e), D_r, G_r, order=order)


def near_resonant(e, order=0):
    return qs.resonance(reduced(e), D_r, G_r, order=order)


def weak(e, order=0):
    return qs.weak_coupling(reduced(e), G_r, order=order)


def results() -> list[qs.Result]:
    m = model()
    nu1, nu2, D, G, W = named()
    out: list[qs.Result] = []
    R = qs.Result
    # -- leading quantities (slide "Parameters and regimes") --------------------------------------------
    out.append(R("nu_1", "Parameters", nu1, m, LargestEigenvalue("1"), pub.published_nu(1), latex_name=r"\nu_1",
                 note="energy of the symmetric mode of h^(1) (its row sum); numeric: the largest eigenvalue of the "
                      "full N_1 x N_1 matrix h^(1) (g > 0)"))
    out.append(R("nu_2", "Parameters", nu2, m, LargestEigenvalue("2"), pub.published_nu(2), latex_name=r"\nu_2"))
    ms = model_any_sign()
    alone = uniform_blocks({"1": N1}, {"1": w1}, {"1": g_any}, {}, {"1": T1}, time=t)  # h^(1) by itself
    spec1 = [e for e, mult in alone.spectrum()]
    out.append(R("nu_1 (either sign of g)", "Parameters", sp.Max(*spec1), ms, LargestEigenvalue("1"),
                 pub.published_nu(1).xreplace({g: g_any}), latex_name=r"\max\operatorname{spec} h^{(1)}",
                 note="the slide calls nu_1 the leading eigenvalue; the spectrum of h^(1) is nu_1 (symmetric mode) and "
                      "omega_1 - g (N_1 - 1 dark modes), so nu_1 leads only for g >= 0. Corrected statement: nu_1 is "
                      "the eigenvalue of the symmetric mode, the only one coupled to reservoir 2; for g < 0 the "
                      "largest eigenvalue is omega_1 - g"))
    out.append(R("Delta", "Parameters", D, m, CollectiveDetuning(), pub.published_detuning(), latex_name=r"\Delta",
                 note="detuning of the 2x2 collective block"))
    out.append(R("Gamma", "Parameters", G, m, EffectiveCoupling(), pub.published_effective_coupling(),
                 latex_name=r"\Gamma", note="twice the symmetric-mode coupling e_1^T h_12 e_2; numeric: "
                                            "sqrt(Omega^2 - Delta^2) from the splitting of the two normal modes "
                                            "with weight on the symmetric vectors"))
    for e, mult in m.spectrum():
        out.append(R(f"eigenvalue {sp.sstr(e)}", "spectrum", e, m, Eigenvalue(mult), None,
                     latex_name=r"\epsilon", note=f"multiplicity {mult} (checked against the numeric full matrix)"))
    # -- energies (slides "Interaction energy assignment", "Dispersive limit: Energies") -------------------
    dU = {X: m.energy_change(X) for X in ("1", "2", "I")}
    for X, lab in (("1", r"\Delta\tilde U_1"), ("2", r"\Delta\tilde U_2"), ("I", r"\Delta\tilde U_I")):
        out.append(R(f"Delta U~_{X}(t)", "Energies", dU[X], m, EnergyChange(X), None, latex_name=lab))
    out.append(R("energy conservation", "Two sets", _tidy(dU["1"] + dU["2"] + dU["I"]), m, EnergyConservation(), sp.S.Zero,
                 latex_name=r"\delta\tilde Q_1 + \delta\tilde Q_I + \delta\tilde Q_2",
                 note="dQ~_X = Delta U~_X for time-independent H_X; the slide's '= 0'"))
    # -- assignments for both sides of the bipartition ---------------------------------------------------
    tags = {"bare": "bare", "interaction": "int", "minimal dissipation": "md"}
    for X in ("1", "2"):
        a = m.assignment(X)
        q = a.approaches()
        for ap in APPROACHES:
            for k, sym in (("dU", r"\Delta U"), ("dQ", r"\delta Q"), ("dW", r"\delta W")):
                out.append(R(f"{k}^{tags[ap]}_{X}(t)", "Two sets" if ap != "minimal dissipation" else "Minimal dissipation",
                             q[ap][k], m, AssignmentQuantity(X, ap, k), None,
                             latex_name=rf"{sym}_{X}^{{\mathrm{{{tags[ap]}}}}}"))
        md = m.minimal_dissipation(X)
        out.append(R(f"K_{X}(t) on A_{X}", "Minimal dissipation", md.hamiltonian()[0, 0], m, MDHamiltonian(X), None,
                     latex_name=rf"K_{{{X}}}(t)", note="K_S(t) = sum K_ij a_i^dag a_j: its element on the symmetric "
                                                       "mode; the dark modes keep omega_X - g"))
        residual = _tidy(sp.expand(md.energy_change() - md.heat() - md.work()), m._relations())
        out.append(R(f"first law (md, {X})", "Minimal dissipation", residual, m,
                     FirstLawResidualMD(X), sp.S.Zero, latex_name=r"\Delta U^{md} - \delta Q^{md} - \delta W^{md}",
                     note="heat and work integrated separately (symbolically and numerically)"))
    md1 = m.minimal_dissipation("1")
    out.append(R("Tr[dK_1/dt rho_1]", "Minimal dissipation", md1.power(), m, MDQuantity("1", "power"), None,
                 latex_name=r"\mathrm{Tr}\{\dot K_1\rho_1\}"))
    out.append(R("dW^md_1 != 0 with constant H_1", "Minimal dissipation", md1.work(), m,
                 AssignmentQuantity("1", "minimal dissipation", "dW"), sp.S.Zero, relation="differs",
                 latex_name=r"\delta W_1^{md}", note="the slide: dW^md != 0 even if H_S(t) = H_S"))
    out.append(R("|det G_1(t)|^2", "Minimal dissipation peaks", md1.propagator_norm(), m, PropagatorNorm("1"), None,
                 latex_name=r"|\det G_1(t)|^2",
                 note="K_1(t) is singular where this vanishes: 1 - (Gamma/Omega)^2 sin^2(Omega t/2) = 0 needs "
                      "Delta = 0 and Omega t = pi (mod 2 pi); its minimum is (Delta/Omega)^2 at t* = pi/Omega"))
    # -- recap 1: the two sets are incompatible --------------------------------------------------------
    a1 = m.assignment("1")
    out.append(R("Delta U^int_1 vs Delta U^bare_1", "Recap 1", a1.interaction()["dU"], m,
                 AssignmentQuantity("1", "interaction", "dU"), a1.bare()["dU"], relation="differs",
                 latex_name=r"\Delta U_1^{int}", note="'two principal sets of definitions ... are incompatible': they "
                                                      "differ by Delta U~_I"))
    out.append(R("dW^int_1 vs dW^bare_1", "Recap 1", a1.interaction()["dW"], m,
                 AssignmentQuantity("1", "interaction", "dW"), a1.bare()["dW"], relation="differs",
                 latex_name=r"\delta W_1^{int}"))
    # -- regimes -----------------------------------------------------------------------------------------
    for X in ("1", "2", "I"):
        L = dispersive(dU[X])
        out.append(R(f"Delta U~_{X}, dispersive", "Dispersive limit", L.leading, m, None, None, limit=L,
                     latex_name=rf"\Delta\tilde U_{X}", note=f"leading order in Gamma/Delta; neglected O({L.correction})"))
        L = near_resonant(dU[X])
        out.append(R(f"Delta U~_{X}, near resonance", "Ultrastrong", L.leading, m, None, None, limit=L,
                     latex_name=rf"\Delta\tilde U_{X}", note=f"leading order in Delta/Gamma; neglected O({L.correction})"))
    LI, L1 = dispersive(dU["I"]), dispersive(dU["1"])
    out.append(R("Delta U~_I / Delta U~_1, dispersive", "Recap 2", sp.cancel(LI.leading / L1.leading), m, None,
                 sp.S.Zero, relation="differs", limit=[LI, L1], latex_name=r"\Delta\tilde U_I/\Delta\tilde U_1",
                 note="'non-negligible role of interaction energy also in the dispersive limit': the ratio of the "
                      "leading dispersive terms is -Delta/nu_1, of order one, not O(Gamma/Delta)"))
    Lk = dispersive(md1.hamiltonian()[0, 0], order=1)
    out.append(R("K_1, dispersive", "Dispersive limit", Lk.leading, m, None, None, limit=Lk, latex_name=r"K_1(t)"))
    # -- recap 3: weak coupling --------------------------------------------------------------------------
    Lwc = weak(dU["1"])      # the slides' weak-coupling heat int Tr{H_S drho_S} = Delta U~_1
    Lmd = weak(md1.heat())
    Lbare = weak(a1.bare()["dQ"])
    out.append(R("dQ^md_1, weak coupling", "Recap 3", Lmd.leading, m, None, Lwc.leading, limit=[Lmd, Lwc],
                 latex_name=r"\delta Q_1^{md}", note="leading order in Gamma -> 0 against the slides' weak-coupling "
                                                     "heat int Tr{H_S drho_S} (= Delta U~_1) at the same order"))
    out.append(R("dQ^bare_1 = dQ^int_1, weak coupling", "Recap 3", Lbare.leading, m, None, Lwc.leading,
                 relation="differs", limit=[Lbare, Lwc], latex_name=r"\delta Q_1^{bare}",
                 note="the bare and interaction heats are the same, -Delta U~_2; at leading order they carry nu_2 "
                      "where the weak-coupling heat carries nu_1"))
    # -- recap 4: unbounded work peaks ---------------------------------------------------------------------
    W_peak = at_peak(md1.work())
    Lp = near_resonant(D * W_peak)
    out.append(R("Delta dW^md_1(t*), Delta -> 0", "Recap 4", Lp.leading, m, None, sp.S.Zero, relation="differs",
                 limit=Lp, latex_name=r"\lim_{\Delta\to0}\Delta\,\delta W_1^{md}(\pi/\Omega)",
                 note="the md work at t* = pi/Omega grows like Gamma^2 n_2(nu_2)/(2 Delta): unbounded as Delta -> 0 "
                      "at any T_2 > 0 (at T_2 = 0 the peak is absent)"))
    Kp = _tidy(at_peak(md1.hamiltonian()[0, 0]), m._relations())
    out.append(R("K_1(t*)", "Minimal dissipation peaks", Kp, m, MDHamiltonian("1", at=peak_time()), None,
                 latex_name=r"K_1(\pi/\Omega)", note="height of the md frequency at the propagator's minimum"))
    return out
