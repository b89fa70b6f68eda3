"""Cusumano & De Chiara, "Structured quantum collision models: generating coherence with
thermal resources": the two examples of sec. III and the thermodynamics of sec. IV, derived
with qsym's collision-model engine (:mod:`qsym.dynamics.collision`).

Model.  System qubit ``H_S = omega_S/2 sigma_S^z`` (eq. 39); each ancilla is two interacting
qubits ``H_E = omega_1/2 sigma_1^z + omega_2/2 sigma_2^z + kappa_12 (sigma_1^+ sigma_2^- + h.c.)``
(eq. 28) in the thermal state ``eta = e^{-beta H_E}/Z`` of the *full* ``H_E`` (eq. 41), which
has coherence in the bare basis.  Example 1 couples the system to each ancilla qubit,
``H_SE = alpha_1 (sigma_S^+ sigma_1^- + h.c.) + alpha_2 (sigma_S^+ sigma_2^- + h.c.)`` (eq. 40);
example 2 to the ancilla's one-excitation transition,
``H_SE = alpha sigma_S^+ sigma_E^- + alpha^* sigma_S^- sigma_E^+``, ``sigma_E^+ = |E_3><E_2|``
(eqs. 52-53).  Collision time ``dt``.

Derivation.  The engine expands ``Tr_E[U (rho (x) eta) U^dag]`` to ``O(dt^2)``: correlations
``<B>``, ``<B B'>``, ``<H_E B>`` in closed form from the ancilla's mixing-angle spectrum
(``c = cos(vartheta/2)``, ``s = sin(vartheta/2)``), the discrete master equation, its fixed point
(Cramer's rule on the 4x4 system), and ``Delta U``, ``dQ``, ``W_sw`` of one collision.  The
numeric side (:mod:`qsym.numeric.collision`) uses numeric matrices, ``eigh`` for ``eta`` and
``expm`` for the exact map.

Reading of the basis labels.  App. A (eq. A1) labels the bare states
``|E_1> = |dn dn>, |E_2> = |dn up>, |E_3> = |up dn>, |E_4> = |up up>`` (qubit 1 first); with these
labels the appendix's ``V`` (A8) and every correlation A10-A18, B1-B6 are right, but the
eigenvectors of eqs. 36-37 / A2-A5 are eigenvectors only with ``|E_2>`` and ``|E_3>``
exchanged.  Both readings are derived (``reading="A1"``, the literal one, adopted for the
records without a suffix; ``reading="swapped"``, ``|E_2> = |up dn>``, ``|E_3> = |dn up>``); the
records show which published equations hold under which.  The paper's figures are discussed in
:mod:`derivations.cusumano_figures`.

What the records show (``qsym verify cusumano-collision``; every verdict recomputed there):

* the labelling is decided by eqs. A8 and B3-B4 (hold under A1 only) against eqs. 36-37 / A2-A5
  (hold under the swapped labels only): the paper is internally inconsistent, and its
  correlations, hence every number it prints, follow A1.  Under A1 the coupling of eq. 52 is
  counter-rotating (``E_3 - E_2 = omega_1 - omega_2 = -omega_S`` at the paper's parameters) and
  the qubit's steady state is population-inverted; under the swapped labels it is near thermal
  (see :mod:`derivations.cusumano_figures`);
* the *structure* of eqs. 54, 56, B7-B10, C4, C5 and of C6 without its stray ``t`` holds under
  both readings (the reading's own correlations substituted); the first law (eq. 67) and
  ``W_sw = -dQ`` at the fixed point hold exactly;
* eq. 48 pairs ``g^{(+,-)}`` with ``D[sigma^+]`` and contradicts eq. 51: the corrected pairing is
  checked; B11-B14 are wrong (B11 has ``g^{(+,-)} omega_S^2`` for ``g^{(+,-)} + omega_S^2``; B14's last
  term must be ``omega_S^4 G - 2 omega_S^4 g^+ g^-``): the corrected forms are checked.

Parameters: ``kappa_12 < sqrt(omega_1 omega_2)`` keeps the paper's ordering
``E'_1 < E'_2 < E'_3 < E'_4`` (eqs. 31-34).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

import qsym as qs
from qsym.dynamics.collision import collision_model

from . import cusumano_published as pub

NAME = "cusumano-collision"
TITLE = "Cusumano & De Chiara: structured collision models (examples 1, 2 and their thermodynamics)"
SEED = "004_5ffc5efe42331fb3.txt"

wS, w1, w2, kappa, beta, dt = pub.wS, pub.w1, pub.w2, pub.kappa, pub.beta, pub.dt
alpha, alpha1, alpha2 = pub.alpha, pub.alpha1, pub.alpha2
bx, by, bz = sp.symbols("b_x b_y b_z", real=True)  # Bloch vector of the system state
READINGS = ("A1", "swapped")
ASSUMPTIONS = (kappa < sp.sqrt(w1 * w2),)
DOMAIN = {dt: (0.02, 0.3), bx: (-0.55, 0.55), by: (-0.55, 0.55), bz: (-0.55, 0.55)}


def sites():
    """System qubit ``S`` and ancilla qubits ``1``, ``2`` (qsym basis ``(|up>, |dn>)`` per qubit)."""
    return qs.qubits(3, names=["S", "1", "2"])


def bare_transition(reading: str = "A1"):
    """``(sigma_E^-, sigma_E^+) = (|E_2><E_3|, |E_3><E_2|)`` (eq. 53) under a labelling."""
    if reading not in READINGS:
        raise ValueError(f"argument `reading` must be one of {READINGS}, got {reading!r}")
    _, q1, q2 = sites()
    # A1: |E_2> = |dn up> (qubit 1 down), |E_3> = |up dn>: |E_2><E_3| = sigma_1^- sigma_2^+
    lower = q1.sm * q2.sp if reading == "A1" else q1.sp * q2.sm
    return lower, lower.dag()


def ancilla_hamiltonian():
    """Eq. 28."""
    _, q1, q2 = sites()
    return w1 / 2 * q1.sz + w2 / 2 * q2.sz + kappa * (q1.sp * q2.sm + q1.sm * q2.sp)


@lru_cache(maxsize=None)
def example1_model():
    """Eqs. 28, 39, 40, 41 (the couplings to each ancilla qubit; no labelling enters)."""
    S, q1, q2 = sites()
    pairs = [(alpha1 * S.sp, q1.sm, r"\sigma_1^-"), (alpha1 * S.sm, q1.sp, r"\sigma_1^+"),
             (alpha2 * S.sp, q2.sm, r"\sigma_2^-"), (alpha2 * S.sm, q2.sp, r"\sigma_2^+")]
    return collision_model(wS / 2 * S.sz, ancilla_hamiltonian(), pairs, system="S", dt=dt, beta=beta,
                           assumptions=ASSUMPTIONS, domain=DOMAIN, name="Cusumano example 1")


@lru_cache(maxsize=None)
def example2_model(reading: str = "A1"):
    """Eqs. 28, 39, 41, 52, 53 under a labelling of the bare states (``alpha`` real, as in the
    paper's figures)."""
    S, _, _ = sites()
    lower, upper = bare_transition(reading)
    pairs = [(alpha * S.sp, lower, r"\sigma_E^-"), (alpha * S.sm, upper, r"\sigma_E^+")]
    return collision_model(wS / 2 * S.sz, ancilla_hamiltonian(), pairs, system="S", dt=dt, beta=beta,
                           assumptions=ASSUMPTIONS, domain=DOMAIN, name=f"Cusumano example 2 [{reading}]")


def bloch_state(x=bx, y=by, z=bz) -> sp.Matrix:
    """``rho = (1 + x sigma_x + y sigma_y + z sigma_z)/2`` in the basis ``(|up>, |dn>)``."""
    return sp.Matrix([[(1 + z) / 2, (x - sp.I * y) / 2], [(x + sp.I * y) / 2, (1 - z) / 2]])


# ---- derived quantities ----------------------------------------------------------------------------
def bare_indices(reading: str = "A1") -> list[int]:
    """Positions of ``|E_1>..|E_4>`` in qsym's ancilla basis ``(|++>, |+->, |-+>, |-->)``
    (qubit 1 first, ``+`` = up)."""
    return [3, 2, 1, 0] if reading == "A1" else [3, 1, 2, 0]


def ancilla_levels():
    """``[(E'_k, |E'_k>)]`` from qsym's spectrum of ``H_E`` (levels by excitation number, the
    one-excitation 2x2 block solved with the mixing angle ``vartheta``)."""
    spec = example1_model().ancilla_spectrum
    return [(lv.energy, lv.vector) for lv in spec.levels]


def eigenvector_invariants(vectors, reading: str) -> sp.Matrix:
    """Phase-free content of ``|E'_2>``, ``|E'_3>``: ``|<E_2|E'_k>|^2``, ``|<E_3|E'_k>|^2`` and
    ``Re <E_2|E'_k><E'_k|E_3>`` for k = 2, 3; ``vectors[k]`` in the bare basis ``E_1..E_4``."""
    out = []
    for k in (1, 2):
        v = vectors[k]
        out += [sp.Abs(v[1]) ** 2, sp.Abs(v[2]) ** 2, sp.re(v[1] * sp.conjugate(v[2]))]
    return sp.Matrix(out)


def derived_eigenvectors(reading: str) -> list:
    idx = bare_indices(reading)
    return [sp.Matrix([vec[i] for i in idx]) for _, vec in ancilla_levels()]


def _published_columns(M) -> list:
    return [M[:, k] for k in range(4)]


def _invariant_targets(reading: str) -> list:
    from qsym.numeric.collision import AncillaProjector, AncillaWeight
    idx = bare_indices(reading)
    out = []
    for k in (1, 2):
        out += [AncillaWeight(k, idx[1]), AncillaWeight(k, idx[2]), AncillaProjector(k, idx[1], idx[2])]
    return out


def superoperator_of(f, d: int = 2) -> sp.Matrix:
    """Column-stacking matrix of a linear map given as ``f(rho)``."""
    from qsym.dynamics.collision import _superoperator
    return _superoperator(lambda E: sp.Matrix(f(E)).applyfunc(sp.expand), d)


def re_im(M) -> sp.Matrix:
    """Real parts of every element, then imaginary parts.  With only real symbols,
    ``Re e = (e + e|_{i -> -i})/2`` (much faster than ``sp.re`` on large expressions)."""
    els = [sp.expand(e) for e in sp.Matrix(M)]
    if all(x.is_real for e in els for x in qs.expand_definitions(e).free_symbols) and \
            not any(e.has(sp.conjugate, sp.Abs, sp.re, sp.im) for e in els):
        conj = [e.xreplace({sp.I: -sp.I}) for e in els]
        return sp.Matrix([sp.expand((e + c) / 2) for e, c in zip(els, conj)] +
                         [sp.expand((e - c) / (2 * sp.I)) for e, c in zip(els, conj)])
    return sp.Matrix([sp.re(e) for e in els] + [sp.im(e) for e in els])


def _map_targets(which="expanded"):
    from qsym.numeric.collision import MapElement
    rows = [(r, c) for r in range(4) for c in range(4)]  # row-major, as a Matrix iterates
    return [MapElement(r, c, "re", which) for r, c in rows] + [MapElement(r, c, "im", which) for r, c in rows]


def published_map_superoperator(reading_free_map: dict) -> sp.Matrix:
    """B7-B10 (``{"rho_11": ..}`` in ``rho_11, rho_12, rho_21, rho_22``) as a column-stacking matrix."""
    r21 = sp.conjugate(pub.r12)
    keys = {(0, 0): "rho_11", (1, 0): "rho_21", (0, 1): "rho_12", (1, 1): "rho_22"}
    unknowns = [pub.r11, r21, pub.r12, pub.r22]  # vec order (0,0), (1,0), (0,1), (1,1)
    M = sp.zeros(4)
    for col_pos, (i, j) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)]):
        e = sp.expand(reading_free_map[keys[(i, j)]])
        for col, u in enumerate(unknowns):
            M[col_pos, col] = e.coeff(u)
    return M


def fixed_point_bloch(reading: str) -> dict:
    """``<sigma_x>, <sigma_y>, <sigma_z>`` at the fixed point of the O(dt^2) map (closed form)."""
    cmap = example2_model(reading).expanded_map(2)
    rho = cmap.fixed_point(explicit=True)
    return {"sx": rho[0, 1] + rho[1, 0], "sy": sp.I * (rho[0, 1] - rho[1, 0]), "sz": rho[0, 0] - rho[1, 1]}


def energy_changes(reading: str) -> dict:
    """``Delta U``, ``dQ``, ``W_sw`` of one collision to O(dt^2) from the Bloch state (eqs. 61-66)."""
    m = example2_model(reading)
    rho = bloch_state()
    return {"dU": m.energy_change(rho), "dQ": m.heat(rho), "Wsw": m.switching_work(rho)}


def _thermo_substitution(reading: str) -> dict:
    """The paper's ``s_z, rho_12, rho_21, eta_23`` in terms of the Bloch vector and the ancilla
    state (``eta_23 = <E_2|eta|E_3>`` under the reading)."""
    m = example2_model(reading)
    idx = bare_indices(reading)
    return {pub.sz: bz, pub.r12: (bx - sp.I * by) / 2, pub.eta23: m.eta[idx[1], idx[2]]}


def _published_thermo(f, reading: str):
    """A published energy (C4-C6, placeholder form) with the state and the derived
    placeholders of the reading substituted."""
    s = _thermo_substitution(reading)
    g = derived_placeholders(reading)
    e = f()
    e = e.xreplace({sp.conjugate(pub.r12): (bx + sp.I * by) / 2, sp.conjugate(pub.eta23): sp.conjugate(s[pub.eta23])})
    return e.xreplace(s).xreplace(g)


def derived_placeholders(reading: str) -> dict:
    """The paper's symbols ``g^{(+)}, g^{(-)}, g^{(-,+)}, g^{(+,-)}, E_3 - E_2, eta_23`` as derived
    under a labelling (correlations of the thermal ancilla, bare energy difference, ancilla
    coherence): substituted into the published *structure* of eqs. 56, B7-B14, C4-C6 so that
    each reading is tested on its own footing."""
    m = example2_model(reading)
    lower, upper = (sp.Matrix(b) for _, b, _ in m.pairs)
    idx = bare_indices(reading)
    return {pub.gp: alpha * m.correlation_value([upper]), pub.gm: alpha * m.correlation_value([lower]),
            pub.gmp: alpha**2 * m.correlation_value([upper, lower]),
            pub.gpm: alpha**2 * m.correlation_value([lower, upper]),
            pub.E32: m.h_E[idx[2], idx[2]] - m.h_E[idx[1], idx[1]], pub.eta23: m.eta[idx[1], idx[2]]}


# ---- corrected forms (ours, not the paper's): each is checked against the derivation -----------
def corrected_master_equation_example1():
    """Eq. 48 with the two sums exchanged: ``D[sigma_S^+]`` carries ``sum_ij g_ij^{(-,+)}``
    (absorption, ancilla excited) and ``D[sigma_S^-]`` carries ``sum_ij g_ij^{(+,-)}``."""
    g = pub.published_g_example1()
    swapped = dict(g)
    for a, b in (("g11(+-)", "g11(-+)"), ("g22(+-)", "g22(-+)"), ("g12(+-)", "g12(-+)")):
        swapped[a], swapped[b] = g[b], g[a]
    return pub.published_master_equation_example1(swapped)


def corrected_steady_state_example2() -> dict:
    """B11-B14 with ``(g^{(-,+)} + g^{(+,-)} + omega_S^2)^2`` in B11 and
    ``K = 8 g^+ g^- (G - omega_S^2) + 4 omega_S^2 G + dt^2 {G [G^2 + 2 omega_S^2 (G - g^+ g^-) + omega_S^4]
    - 2 omega_S^4 g^+ g^-}`` (``G = g^{(-,+)} + g^{(+,-)}``) in place of B14's
    ``dt^2 G omega_S^4 (1 - 2 g^+ g^-)``; placeholders as in the paper."""
    gp, gm, gmp, gpm = pub.gp, pub.gm, pub.gmp, pub.gpm
    G = gmp + gpm
    K = (8 * gm * gp * (G - wS**2) + 4 * wS**2 * G
         + dt**2 * (G * (G**2 + 2 * wS**2 * (G - gm * gp) + wS**4) - 2 * wS**4 * gm * gp))
    bracket = gm * (4 * wS + 2 * sp.I * dt * G + dt**2 * wS * (G + wS**2))
    return {"sz": (gmp - gpm) * (4 * wS**2 + dt**2 * (G + wS**2) ** 2) / K,
            "sx": (gmp - gpm) * 2 * sp.re(bracket) / K, "sy": -(gmp - gpm) * 2 * sp.im(bracket) / K, "K": K}


def first_law_residual(reading: str) -> sp.Expr:
    """``Delta U - dQ - W_sw`` to O(dt^2) with the correlations as placeholders, expanded (eq. 67)."""
    m = example2_model(reading)
    rho = bloch_state()
    return sp.expand(m.energy_change(rho, explicit=False) - m.heat(rho, explicit=False)
                     - m.switching_work(rho, explicit=False))


def definitions():
    return ()


def results() -> list[qs.Result]:
    from qsym.numeric.collision import (AncillaEnergy, CollisionEnergyChange, CorrelationValue,
                                        EffectiveHamiltonianElement, FirstLawResidual, FixedPointBloch,
                                        FixedPointElement, SteadyFirstLaw, VanishingCorrelation)
    from qsym.numeric.targets import vanishing_aware

    def R(name, eq, derived, me, target, published, **kw):
        tg = vanishing_aware(derived, target) if target is not None else None
        return qs.Result(name, eq, derived, me, tg, published, **kw)
    out = []
    m1 = example1_model()
    map1 = m1.expanded_map(2)
    # -- ancilla spectrum (eqs. 29-38, A2-A8) ------------------------------------------------------
    E = sp.Matrix([e for e, _ in ancilla_levels()])
    out.append(R("E'_k", "31-34", E, map1, [AncillaEnergy(k) for k in range(4)], pub.published_energies(),
                 latex_name="E'_k", note="qsym's spectrum of H_E (eq. 28); levels ordered as the paper's for "
                                          "kappa_12 < sqrt(omega_1 omega_2)"))
    lam = sp.Symbol("lambda")
    charpoly = sp.expand((sp.Matrix(m1.h_E) - lam * sp.eye(4)).det())
    out.append(R("characteristic polynomial", "29", charpoly, map1, None,
                 pub.published_characteristic_polynomial(lam), latex_name=r"\det(H_E - \lambda)"))
    for reading in READINGS:
        inv = eigenvector_invariants(derived_eigenvectors(reading), reading)
        tg = _invariant_targets(reading)
        for label, eq, M in (("|E'_k> (main text)", "35-38", pub.published_eigenvectors_main_text()),
                             ("|E'_k> (appendix)", "A2-A6", pub.published_eigenvectors_appendix()),
                             ("V", "A8", pub.published_V())):
            out.append(R(f"{label} [{reading}]", eq, inv, map1, tg,
                         eigenvector_invariants(_published_columns(M), reading),
                         latex_name=r"|\langle E_n|E'_k\rangle|^2",
                         note=f"phase-free content of |E'_2>, |E'_3>: weights on |E_2>, |E_3> and "
                              f"Re <E_2|E'_k><E'_k|E_3>, bare labels read as '{reading}'. Where it "
                              f"mismatches, the corrected statement is the same vectors with |E_2> and |E_3> "
                              f"exchanged (the record of the other reading)"))
    # -- example 1 (App. A, eqs. 48, 51) -------------------------------------------------------------
    # pairs of example 1: B_1 = sigma_1^-, B_2 = sigma_1^+, B_3 = sigma_2^-, B_4 = sigma_2^+ (alpha in A)
    B = [None] + [sp.Matrix(b) for _, b, _ in m1.pairs]
    g1 = pub.published_g_example1()
    spec1 = {"g1+": ((2,), alpha1), "g1-": ((1,), alpha1), "g2+": ((4,), alpha2), "g2-": ((3,), alpha2),
             "g11(+-)": ((1, 2), alpha1**2), "g11(-+)": ((2, 1), alpha1**2),
             "g22(+-)": ((3, 4), alpha2**2), "g22(-+)": ((4, 3), alpha2**2),
             "g12(+-)": ((1, 4), alpha1 * alpha2), "g12(-+)": ((2, 3), alpha1 * alpha2),
             "g12(++)": ((1, 3), alpha1 * alpha2), "g12(--)": ((2, 4), alpha1 * alpha2)}
    eqs1 = {"g1+": "A10", "g1-": "A10", "g2+": "A10", "g2-": "A10", "g11(+-)": "A11", "g11(-+)": "A12",
            "g22(+-)": "A13", "g22(-+)": "A14", "g12(+-)": "A15", "g12(-+)": "A16", "g12(++)": "A17",
            "g12(--)": "A18"}
    for key, (word, factor) in spec1.items():
        val = factor * m1.correlation_value([B[i] for i in word])
        tgt = (VanishingCorrelation if _is_zero(val) else CorrelationValue)(word, "re", factor)
        out.append(R(f"{key} (example 1)", eqs1[key], val, map1, tgt, g1[key], latex_name=key,
                     note="Tr[... eta] as printed in the equation's middle member, eta thermal of the full H_E"))
    D1 = superoperator_of(lambda r: map1.apply(r).xreplace(map1.values))
    P1 = superoperator_of(pub.published_master_equation_example1())
    out.append(R("discrete master equation (example 1)", "48", re_im(D1), map1, _map_targets(), re_im(P1),
                 latex_name=r"\rho_S(i+1)", note="the O(dt^2) collision map, as a superoperator (column "
                                                 "stacking, Re then Im); published g's of A11-A16. Corrected "
                                                 "form: next record (sums of g^(+-) and g^(-+) exchanged)"))
    out.append(R("discrete master equation (example 1), corrected", "48 (corrected)", re_im(D1), map1,
                 _map_targets(), re_im(superoperator_of(corrected_master_equation_example1())),
                 latex_name=r"\rho_S(i+1)", note="eq. 48 with the sums of g^(+-) and g^(-+) exchanged "
                                                 "(corrected_master_equation_example1): the printed pairing drives "
                                                 "the qubit away from the state of eq. 51"))
    fp1 = map1.fixed_point(explicit=True)
    out.append(R("steady state (example 1)", "51", sp.Matrix([fp1[0, 0], fp1[1, 1], sp.re(fp1[0, 1])]), map1,
                 [FixedPointElement(0, 0), FixedPointElement(1, 1), FixedPointElement(0, 1)],
                 sp.Matrix([pub.published_steady_state_example1()[0, 0], pub.published_steady_state_example1()[1, 1],
                            sp.re(pub.published_steady_state_example1()[0, 1])]),
                 latex_name=r"\hat\rho_S^{steady}", note="fixed point of the O(dt^2) map (rho_11 = up)"))
    # -- example 2 (App. B, eqs. 54-56) and thermodynamics (App. C) -----------------------------------
    for reading in READINGS:
        m2 = example2_model(reading)
        map2 = m2.expanded_map(2)
        sfx = f" [{reading}]"
        B2 = [None] + [sp.Matrix(b) for _, b, _ in m2.pairs]  # B_1 = sigma_E^-, B_2 = sigma_E^+
        g2 = pub.published_g_example2()
        spec2 = {"g+": ((2,), alpha, "B1"), "g-": ((1,), alpha, "B2"), "g(-+)": ((2, 1), alpha**2, "B3"),
                 "g(+-)": ((1, 2), alpha**2, "B4"), "g(++)": ((2, 2), alpha**2, "B5"), "g(--)": ((1, 1), alpha**2, "B6")}
        for key, (word, factor, eq) in spec2.items():
            val = factor * m2.correlation_value([B2[i] for i in word])
            tgt = (VanishingCorrelation if _is_zero(val) else CorrelationValue)(word, "re", factor)
            out.append(R(f"{key}{sfx}", eq, val, map2, tgt, g2[key], latex_name=f"g_{{E}}^{{{key[1:]}}}",
                         note="alpha Tr[sigma_E^+- eta] or alpha^2 Tr[sigma_E sigma_E eta] of the thermal ancilla; "
                              "the printed closed forms use the A1 labels (A8), so they hold under A1 only"))
        gsub = derived_placeholders(reading)
        struct = "published structure with g^(+-), g^(-+), g^(+), g^(-) (and E_3 - E_2, eta_23) as derived under the reading"
        Hmf = sp.Matrix(map2.effective_hamiltonian - m2.h_S).xreplace(map2.values)
        out.append(R(f"L_1 drive{sfx}", "54", re_im(Hmf), map2,
                     [EffectiveHamiltonianElement(i, j, p) for p in ("re", "im") for i in range(2) for j in range(2)],
                     re_im(pub.published_L1_generator_example2(symbolic=True).xreplace(gsub)),
                     latex_name=r"\sum_j \langle B_j\rangle A_j",
                     note="first-order (mean-field) drive of the ancilla coherence; " + struct))
        D2 = superoperator_of(lambda r: map2.apply(r).xreplace(map2.values))
        P56 = superoperator_of(pub.published_master_equation_example2(symbolic=True)).xreplace(gsub)
        out.append(R(f"discrete master equation{sfx}", "56", re_im(D2), map2, _map_targets(), re_im(P56),
                     latex_name=r"\rho_S(i+1)", note=struct))
        PB = published_map_superoperator(pub.published_map_example2_symbolic()).xreplace(gsub)
        out.append(R(f"one-step map{sfx}", "B7-B10", re_im(D2), map2, _map_targets(), re_im(PB),
                     latex_name=r"\rho_S(i+1)", note=struct))
        bl = fixed_point_bloch(reading)
        pss = {k: v.xreplace(gsub) for k, v in pub.published_steady_state_example2_symbolic().items()}
        for ax, eq in (("sz", "B11"), ("sx", "B12"), ("sy", "B13")):
            out.append(R(f"<sigma_{ax[1]}> steady{sfx}", eq, sp.re(bl[ax]) if ax != "sz" else bl[ax], map2,
                         FixedPointBloch(ax[1]), pss[ax], latex_name=rf"\langle\sigma_{ax[1]}\rangle",
                         note="fixed point of the O(dt^2) map, Cramer's rule on the correlation placeholders. "
                              "Corrected form: the record 'corrected K' below (B11 with (G + omega_S^2)^2, B14's "
                              "last term omega_S^4 G - 2 omega_S^4 g^+ g^-, G = g^(-+) + g^(+-))"))
        css = {k: v.xreplace(gsub) for k, v in corrected_steady_state_example2().items()}
        for ax, eq in (("sz", "B11"), ("sx", "B12"), ("sy", "B13")):
            out.append(R(f"<sigma_{ax[1]}> steady, corrected K{sfx}", f"{eq} (corrected)",
                         sp.re(bl[ax]) if ax != "sz" else bl[ax], map2, FixedPointBloch(ax[1]), css[ax],
                         latex_name=rf"\langle\sigma_{ax[1]}\rangle",
                         note="B11-B14 with (G + omega_S^2)^2 in B11 and the dt^2 omega_S^4 term of K = "
                              "omega_S^4 G - 2 omega_S^4 g^+ g^- (corrected_steady_state_example2)"))
        en = energy_changes(reading)
        bloch = (bx, by, bz)
        for q, eq, f in (("dU", "C4", pub.published_delta_U_symbolic), ("dQ", "C5", pub.published_heat_symbolic),
                         ("Wsw", "C6", pub.published_switching_work_symbolic),
                         ("Wsw", "C6 (no stray t)", pub.published_switching_work_alternative_symbolic)):
            out.append(R(f"{q} per collision{sfx}" + (" (C6 without t)" if "stray" in eq else ""), eq.split()[0],
                         sp.re(sp.expand(en[q])), map2, CollisionEnergyChange(q, bloch, 2),
                         _published_thermo(f, reading), latex_name={"dU": r"\Delta U", "dQ": r"\delta Q",
                                                                   "Wsw": "W_{sw}"}[q],
                         note="to O(dt^2) from the state with Bloch vector (b_x, b_y, b_z); s_z = b_z, "
                              "rho_12 = (b_x - i b_y)/2, eta_23 = <E_2|eta|E_3>; C6 as printed has a stray "
                              "factor t (a sampled symbol): the corrected C6 is the same without it"))
        out.append(R(f"first law{sfx}", "67", first_law_residual(reading), map2,
                     FirstLawResidual(bloch), sp.S.Zero, latex_name=r"\Delta U - \delta Q - W_{sw}",
                     note="exact identity of one collision (numeric: exact evolution)"))
        N, D = map2.fixed_point_parts()
        steady = sp.expand(m2.switching_work(N, explicit=False) + m2.heat(N, explicit=False))  # = D (W + Q)
        out.append(R(f"W_sw = -dQ at the fixed point{sfx}", "IV.B", steady / D, map2,
                     SteadyFirstLaw(), sp.S.Zero, latex_name=r"W_{sw} + \delta Q",
                     note="at the fixed point of the O(dt^2) map, Delta U = 0, so the switching work is "
                          "dissipated as heat"))
    return out


def _is_zero(v) -> bool:
    from qsym.series import is_zero
    return is_zero(qs.expand_definitions(v))
