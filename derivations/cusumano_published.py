r"""Transcriptions (only) of the published equations of Cusumano & De Chiara, "Structured
quantum collision models: generating coherence with thermal resources"
(seed ``004_5ffc5efe42331fb3.txt``): Secs. III.A, III.B, IV and Appendices A, B, C.

Nothing here is derived.  Every ``published_*`` function reproduces what is printed,
typos included, so that an independent derivation from the Hamiltonians can be compared
against it.  Where the print is ambiguous the literal reading is implemented and the other
plausible reading, if any, is offered as ``..._alternative()``.  This module deliberately
defines no ``NAME``/``results()`` so that the derivation registry does not pick it up.

Model (hbar = 1)
----------------
* eq. 28, ancilla = two coupled TLS:
  ``H_E = w1/2 s1^z + w2/2 s2^z + kappa_12 (s1^+ s2^- + s1^- s2^+)``,
  ``s^\pm = (s^x \pm i s^y)/2``; eq. 30: ``x = (w1+w2)/2``, ``y = (w1-w2)/2``.
* eq. 39, system: ``H_S = wS/2 s_S^z``.
* eq. 40 (Example 1): ``H_SE = alpha_1 (s_S^+ s_1^- + s_S^- s_1^+) + alpha_2 (s_S^+ s_2^- + s_S^- s_2^+)``.
* eq. 41: ``eta_E = exp(-beta H_E)/Z``, ``Z = Tr exp(-beta H_E)``.
* eq. 52 (Example 2): ``H_SE = alpha s_S^+ s_E^- + alpha^* s_S^- s_E^+`` with
  eq. 53: ``s_E^+ = |E_3><E_2|``, ``s_E^- = |E_2><E_3|`` (bare levels).
* Collision unitary eq. 14, ``U = exp[-i dt (H_S + H_E + H_SE)]``, expanded to dt^2 (eq. 15).

Basis conventions used by the matrix-valued transcriptions: system basis ``(|up>, |down>)``,
``sigma^z = diag(1, -1)``, ``sigma^+ = |up><down|``, so ``rho_11`` is the excited (up)
population (this is what makes B7-B10 follow from eq. 56; the paper never states it).
Ancilla bare basis: eq. A1, ``(|E_1>,..,|E_4>) = (|dd>, |du>, |ud>, |uu>)``, first slot =
qubit 1 (inferred from the operator actions written in A10, A11, A15).

Paper parameters (Figs. 3-8): ``dt = 0.1, wS = 1, w1 = 0.5, w2 = 1.5, kappa_12 = 0.3``
(Figs. 3c,d/4b/8b vary kappa_12; Fig. 5/7 sweep it), ``alpha = 0.1`` (Fig. 3, and Fig. 6 via
"same parameters ... in Fig. 3") or ``alpha = 0.2`` (Figs. 4, 5, 7), initial state thermal at
``beta_S = 1``; Fig. 7 does not state dt; Fig. 8 states only kappa_12 / beta.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

I = sp.I

# ---- shared symbols ----------------------------------------------------------------------
wS, w1, w2, kappa, beta, dt = sp.symbols("omega_S omega_1 omega_2 kappa_12 beta delta_t", positive=True)
alpha = sp.Symbol("alpha", positive=True)      # Example 2 coupling (the paper's figures use real alpha)
alpha1, alpha2 = sp.symbols("alpha_1 alpha_2", positive=True)   # Example 1 couplings
x = (w1 + w2) / 2          # eq. 30
y = (w1 - w2) / 2          # eq. 30
r11, r22 = sp.symbols("rho_11 rho_22", real=True)
r12 = sp.Symbol("rho_12")            # complex; rho_21 = conjugate(rho_12)
r21 = sp.conjugate(r12)
eta23 = sp.Symbol("eta_23"); eta32 = sp.conjugate(eta23)    # ancilla coherences in C5, C6
sz = sp.Symbol("s_z", real=True)     # <sigma_S^z> appearing in C4-C6

# placeholders for the Example-2 constants (B1-B4); gm is NOT tied to conjugate(gp) here
gp, gm, gmp, gpm = sp.symbols("g_+ g_- g_{-+} g_{+-}")
E32 = sp.Symbol("E_3 - E_2")         # C5, C6 placeholder
t_stray = sp.Symbol("t")             # the stray "t" printed in C6

# eqs. 31-34
E1p = -x
E2p = -sp.sqrt(y**2 + kappa**2)
E3p = sp.sqrt(y**2 + kappa**2)
E4p = x

# system operators, basis (|up>, |down>)
SZ = sp.Matrix([[1, 0], [0, -1]])
SP = sp.Matrix([[0, 1], [0, 0]])
SM = sp.Matrix([[0, 0], [1, 0]])
SX = sp.Matrix([[0, 1], [1, 0]])
SY = sp.Matrix([[0, -I], [I, 0]])
ID2 = sp.eye(2)


def _dag(A: sp.Matrix) -> sp.Matrix:
    return A.conjugate().T


def published_D(A: sp.Matrix, rho: sp.Matrix) -> sp.Matrix:
    r"""Eq. 49: ``\mathcal{D}[\hat A](\cdot) = 2\hat A\cdot\hat A^\dagger - \{\hat A^\dagger\hat A,\cdot\}``."""
    Ad = _dag(A)
    return 2 * A * rho * Ad - (Ad * A * rho + rho * Ad * A)


def published_Dprime(A: sp.Matrix, B: sp.Matrix, rho: sp.Matrix) -> sp.Matrix:
    r"""Eq. 50: ``\mathcal{D}'[\hat A,\hat B](\cdot) = 2\hat A\cdot\hat B - \{\hat B\hat A,\cdot\}``
    (no daggers, as printed)."""
    return 2 * A * rho * B - (B * A * rho + rho * B * A)


# ---- Sec. III.A: spectrum ------------------------------------------------------------------
def published_energies() -> sp.Matrix:
    r"""Eqs. 31-34: ``E'_1 = -x``, ``E'_2 = -\sqrt{y^2+\kappa_{12}^2}``,
    ``E'_3 = +\sqrt{y^2+\kappa_{12}^2}``, ``E'_4 = +x`` (x, y of eq. 30)."""
    return sp.Matrix([E1p, E2p, E3p, E4p])


def published_characteristic_polynomial(lam) -> sp.Expr:
    r"""Eq. 29: ``\lambda^4 - \lambda^2(x^2+y^2+\kappa_{12}^2) + x^2(y^2+\kappa_{12}^2) = 0``
    (returns the left-hand side)."""
    return lam**4 - lam**2 * (x**2 + y**2 + kappa**2) + x**2 * (y**2 + kappa**2)


def _main_text_vector(E) -> list:
    pref = (E - y) / sp.sqrt((E - y) ** 2 + kappa**2)
    return [0, pref * (kappa / (E - y)), pref * 1, 0]


def published_eigenvectors_main_text() -> sp.Matrix:
    r"""Eqs. 35-38; column k = |E'_k> in the bare basis (|E_1>,..,|E_4>).

    ``|E'_1> = |E_1>``, ``|E'_4> = |E_4>``,
    ``|E'_2> = \frac{E_2-y}{\sqrt{(E_2-y)^2+\kappa_{12}^2}}(\frac{\kappa_{12}}{E_2-y}|E_2> + |E_3>)``,
    ``|E'_3> = \frac{E_3-y}{\sqrt{(E_3-y)^2+\kappa_{12}^2}}(\frac{\kappa_{12}}{E_3-y}|E_2> + |E_3>)``.

    Ambiguity: eqs. 36-37 print ``E_2``, ``E_3`` (unprimed) inside the coefficients; the
    natural reading, used here, is the eigenvalues ``E'_2``, ``E'_3`` (eqs. 32-33), which
    makes these coincide with A3/A4 + A6.  The bare-energy reading is
    :func:`published_eigenvectors_main_text_alternative`.
    """
    M = sp.zeros(4, 4)
    M[0, 0] = 1
    M[3, 3] = 1
    for k, E in ((1, E2p), (2, E3p)):
        M[:, k] = sp.Matrix(_main_text_vector(E))
    return M


def published_eigenvectors_main_text_alternative() -> sp.Matrix:
    r"""Eqs. 35-38 with the unprimed ``E_2``, ``E_3`` read literally as the *bare* energies of
    eq. 28 under the A1 labels (``E_2 = -y``, ``E_3 = +y``).  Since ``E_3 - y = 0`` the printed
    product ``0/\kappa \cdot (\kappa/0 ...)`` is undefined; the multiplied-through form
    ``(\kappa|E_2> + (E-y)|E_3>)/\sqrt{(E-y)^2+\kappa^2}`` is used.  Not believed to be intended."""
    M = sp.zeros(4, 4)
    M[0, 0] = 1
    M[3, 3] = 1
    for k, E in ((1, -y), (2, y)):
        N = sp.sqrt((E - y) ** 2 + kappa**2)
        M[1, k] = kappa / N
        M[2, k] = (E - y) / N
    return M


# ---- App. A: mixing coefficients, eigenbasis, V ----------------------------------------------
def published_mixing_coefficients() -> dict:
    r"""Eq. A6:
    ``a_- = \kappa_{12}/\sqrt{\kappa_{12}^2+(E'_2-y)^2}``, ``b_- = (E'_2-y)/\sqrt{\kappa_{12}^2+(E'_2-y)^2}``,
    ``a_+ = \kappa_{12}/\sqrt{\kappa_{12}^2+(E'_3-y)^2}``, ``b_+ = (E'_3-y)/\sqrt{\kappa_{12}^2+(E'_3-y)^2}``.
    All real for real parameters."""
    N2 = sp.sqrt(kappa**2 + (E2p - y) ** 2)
    N3 = sp.sqrt(kappa**2 + (E3p - y) ** 2)
    return {"a_minus": kappa / N2, "b_minus": (E2p - y) / N2,
            "a_plus": kappa / N3, "b_plus": (E3p - y) / N3}


def published_eigenvectors_appendix() -> sp.Matrix:
    r"""Eqs. A2-A5; column k = |E'_k> in the bare basis of A1:
    ``|E'_1> = |E_1>``, ``|E'_2> = (a_-|E_2> + b_-|E_3>)``, ``|E'_3> = (a_+|E_2> + b_+|E_3>)``,
    ``|E'_4> = |E_4>``.

    Note: this places a_± on |E_2> and b_± on |E_3>; the matrix V of eq. A8 (with
    ``|E'_k> = \sum_i V_{ik}|E_i>``, A7) does the opposite (row 2 of A8 is (0, b_-, b_+, 0)),
    see :func:`published_V`.  A1 labels ``|E_2> = |\downarrow\uparrow>``,
    ``|E_3> = |\uparrow\downarrow>``."""
    c = published_mixing_coefficients()
    M = sp.zeros(4, 4)
    M[0, 0] = 1
    M[3, 3] = 1
    M[1, 1], M[2, 1] = c["a_minus"], c["b_minus"]
    M[1, 2], M[2, 2] = c["a_plus"], c["b_plus"]
    return M


def published_V() -> sp.Matrix:
    r"""Eq. A8 as printed:
    ``V = [[1,0,0,0],[0,b_-,b_+,0],[0,a_-,a_+,0],[0,0,0,1]]`` with (A7)
    ``|E'_k> = \sum_i V_{ik}|E_i>`` (column k = |E'_k>).

    Inconsistent with A3/A4 (a_± and b_± swapped between |E_2> and |E_3>); the g's of
    A10-A16 and B1-B4 are the ones obtained from this V (e.g. A11 has |b_\pm|^2 for the
    projector |E_1><E_1| + |E_2><E_2|)."""
    c = published_mixing_coefficients()
    return sp.Matrix([[1, 0, 0, 0],
                      [0, c["b_minus"], c["b_plus"], 0],
                      [0, c["a_minus"], c["a_plus"], 0],
                      [0, 0, 0, 1]])


def published_bare_basis() -> list:
    r"""Eq. A1: ``|E_1> = |\downarrow\downarrow>``, ``|E_2> = |\downarrow\uparrow>``,
    ``|E_3> = |\uparrow\downarrow>``, ``|E_4> = |\uparrow\uparrow>``.

    The first arrow is qubit 1 (operator actions in A10: sigma_1^+ |E_1> -> |E_3>,
    |E_2> -> |E_4>; A11: sigma_1^- sigma_1^+ = |E_1><E_1| + |E_2><E_2|; A15:
    sigma_1^- sigma_2^+ = |E_2><E_3|).  With eq. 28 the bare energies are then
    ``(-x, -y, +y, +x)``."""
    return ["|↓↓>", "|↓↑>", "|↑↓>", "|↑↑>"]


def published_partition_function() -> sp.Expr:
    r"""Eqs. 41/A9: ``Z = \sum_k e^{-\beta E'_k}``."""
    return sum(sp.exp(-beta * E) for E in (E1p, E2p, E3p, E4p))


# ---- Example 1 -----------------------------------------------------------------------------
def published_g_example1() -> dict:
    r"""Eqs. A10-A18 (Example 1), with Z of :func:`published_partition_function` and a_±, b_±
    of A6.  Note the A-appendix g's include the couplings alpha_1, alpha_2 (eqs. 42-47 do not).

    * A10: ``g_1^{(\pm)} = g_2^{(\pm)} = 0``.
    * A11: ``g_{11}^{(+,-)} = \frac{\alpha_1^2}{Z}(e^{-\beta E'_1} + |b_-|^2 e^{-\beta E'_2} + |b_+|^2 e^{-\beta E'_3})``.
    * A12: ``g_{11}^{(-,+)} = \frac{\alpha_1^2}{Z}(|a_-|^2 e^{-\beta E'_2} + |a_+|^2 e^{-\beta E'_3} + e^{-\beta E'_4})``.
    * A13: ``g_{22}^{(+,-)} = \frac{\alpha_2^2}{Z}(e^{-\beta E'_1} + |a_-|^2 e^{-\beta E'_2} + |a_+|^2 e^{-\beta E'_3})``.
    * A14: ``g_{22}^{(-,+)} = \frac{\alpha_2^2}{Z}(|b_-|^2 e^{-\beta E'_2} + |b_+|^2 e^{-\beta E'_3} + e^{-\beta E'_4})``.
    * A15: ``g_{12}^{(+,-)} = \alpha_1\alpha_2^* Tr[\sigma_1^-\sigma_2^+\eta] = \frac{\alpha_1\alpha_2}{Z}(e^{-\beta E'_2} a_- b_-^* + e^{-\beta E'_3} a_+ b_+^*)``
      (prints alpha_1 alpha_2^* then alpha_1 alpha_2; immaterial for real couplings).
    * A16: ``g_{12}^{(-,+)} = \alpha_1^*\alpha_2 Tr[\sigma_1^+\sigma_2^+\eta] = \frac{\alpha_1\alpha_2}{Z}(e^{-\beta E'_2} b_- a_-^* + e^{-\beta E'_3} b_+ a_+^*)``
      (the middle trace prints sigma_1^+ sigma_2^+ although eq. 45 defines it with
      sigma_1^+ sigma_2^-; the final closed form is transcribed).
    * A17, A18: ``g_{12}^{(+,+)} = g_{12}^{(-,-)} = 0``.
    """
    c = published_mixing_coefficients()
    am, bm, ap, bp = c["a_minus"], c["b_minus"], c["a_plus"], c["b_plus"]
    Z = published_partition_function()
    e1, e2, e3, e4 = (sp.exp(-beta * E) for E in (E1p, E2p, E3p, E4p))
    A = sp.Abs
    C = sp.conjugate
    return {
        "g1+": sp.Integer(0), "g1-": sp.Integer(0), "g2+": sp.Integer(0), "g2-": sp.Integer(0),
        "g11(+-)": alpha1**2 / Z * (e1 + A(bm) ** 2 * e2 + A(bp) ** 2 * e3),
        "g11(-+)": alpha1**2 / Z * (A(am) ** 2 * e2 + A(ap) ** 2 * e3 + e4),
        "g22(+-)": alpha2**2 / Z * (e1 + A(am) ** 2 * e2 + A(ap) ** 2 * e3),
        "g22(-+)": alpha2**2 / Z * (A(bm) ** 2 * e2 + A(bp) ** 2 * e3 + e4),
        "g12(+-)": alpha1 * alpha2 / Z * (e2 * am * C(bm) + e3 * ap * C(bp)),
        "g12(-+)": alpha1 * alpha2 / Z * (e2 * bm * C(am) + e3 * bp * C(ap)),
        "g12(++)": sp.Integer(0),
        "g12(--)": sp.Integer(0),
    }


def _example1_sums(g: dict | None = None) -> tuple[sp.Expr, sp.Expr]:
    """(sum_ij g_ij^(+,-), sum_ij g_ij^(-,+)) = g11 + g12 + g21 + g22 with g21 = conj(g12)."""
    g = g or published_g_example1()
    s_pm = g["g11(+-)"] + g["g12(+-)"] + sp.conjugate(g["g12(+-)"]) + g["g22(+-)"]
    s_mp = g["g11(-+)"] + g["g12(-+)"] + sp.conjugate(g["g12(-+)"]) + g["g22(-+)"]
    return s_pm, s_mp


def published_steady_state_example1(g: dict | None = None) -> sp.Matrix:
    r"""Eq. 51: ``\rho_S^{steady} = \frac{1}{\sum_{i,j,\pm} g_{ij}^{(\pm,\mp)}}
    diag(\sum_{i,j} g_{ij}^{(-,+)}, \sum_{i,j} g_{ij}^{(+,-)})``.

    The sums are taken as ``g_11 + g_12 + g_21 + g_22`` with ``g_21 = conj(g_12)``
    (eqs. 44-45), using the A11-A16 closed forms (or ``g`` if given, same keys).
    Row/column 1 is |up> (see module docstring); note that the steady state of eq. 48 as
    printed is ``diag(S^{(+,-)}, S^{(-,+)})/S`` under that convention (compare numerically)."""
    s_pm, s_mp = _example1_sums(g)
    return sp.Matrix([[s_mp, 0], [0, s_pm]]) / (s_pm + s_mp)


def published_master_equation_example1(g: dict | None = None) -> Callable[[sp.Matrix], sp.Matrix]:
    r"""Eq. 48 (with D of eq. 49): returns ``f(rho) = rho_S(i+1)``,

    ``\rho(i+1) = \rho - i\delta t[H_S,\rho] + \frac{\delta t^2}{2}[\sum_{ij} g_{ij}^{(+,-)} D[\sigma_S^+](\rho)
    \ \sum_{ij} g_{ij}^{(-,+)} D[\sigma_S^-](\rho) + \frac{\omega_S^2}{4} D[\sigma_S^z](\rho)]``.

    Printed issues: the '+' between the first two sums is missing (read as '+'); the
    summation indices i,j clash with the collision index i; the text says "interaction
    picture" yet keeps ``-i dt [H_S, rho]`` (kept).  ``H_S = wS/2 diag(1,-1)`` in the basis
    (|up>, |down>), rho_11 = excited.  Sums as in :func:`published_steady_state_example1`."""
    s_pm, s_mp = _example1_sums(g)
    H = wS / 2 * SZ

    def f(rho: sp.Matrix) -> sp.Matrix:
        return (rho - I * dt * (H * rho - rho * H)
                + dt**2 / 2 * (s_pm * published_D(SP, rho) + s_mp * published_D(SM, rho)
                               + wS**2 / 4 * published_D(SZ, rho)))
    return f


# ---- Example 2 -----------------------------------------------------------------------------
def published_g_example2() -> dict:
    r"""Eqs. B1-B6 (Example 2), Z of eq. A9, a_±, b_± of A6 (alpha real).

    * B1: ``g^{(+)} = \alpha Tr[\sigma_E^+\eta] = \frac{\alpha}{Z}[e^{-\beta E'_2} a_- b_-^* + e^{-\beta E'_3} a_+ b_+^*]``
    * B2: ``g^{(-)} = \frac{\alpha^*}{Z}[e^{-\beta E'_2} a_-^* b_- + e^{-\beta E'_3} a_+^* b_+] = g^{(+)*}``
    * B3: ``g^{(-,+)} = \frac{|\alpha|^2}{Z}[e^{-\beta E'_2}|a_-|^2 + e^{-\beta E'_3}|a_+|^2]``
    * B4: ``g^{(+,-)} = \frac{|\alpha|^2}{Z}[e^{-\beta E'_2}|b_-|^2 + e^{-\beta E'_3}|b_+|^2]``
    * B5, B6: ``g^{(+,+)} = g^{(-,-)} = 0``.

    Ambiguity: eq. 55 defines ``g^{(+)} = Tr[\sigma_E^+\eta]`` without alpha, while B1 (and
    hence eqs. 54, 56, B7-B14, C4-C6) include it; B1 is transcribed."""
    c = published_mixing_coefficients()
    am, bm, ap, bp = c["a_minus"], c["b_minus"], c["a_plus"], c["b_plus"]
    Z = published_partition_function()
    e2, e3 = sp.exp(-beta * E2p), sp.exp(-beta * E3p)
    C, A = sp.conjugate, sp.Abs
    return {
        "g+": alpha / Z * (e2 * am * C(bm) + e3 * ap * C(bp)),
        "g-": C(alpha) / Z * (e2 * C(am) * bm + e3 * C(ap) * bp),
        "g(-+)": A(alpha) ** 2 / Z * (e2 * A(am) ** 2 + e3 * A(ap) ** 2),
        "g(+-)": A(alpha) ** 2 / Z * (e2 * A(bm) ** 2 + e3 * A(bp) ** 2),
        "g(++)": sp.Integer(0),
        "g(--)": sp.Integer(0),
    }


def _subs_example2() -> dict:
    g = published_g_example2()
    return {gp: g["g+"], gm: g["g-"], gmp: g["g(-+)"], gpm: g["g(+-)"]}


def published_map_example2_symbolic() -> dict:
    r"""Eqs. B7-B10 with placeholder symbols ``g_+, g_-, g_{-+}, g_{+-}``:

    * B7: ``\rho_{11} \to \rho_{11} + \delta t^2(g^{(-,+)}\rho_{22} - g^{(+,-)}\rho_{11}) + \frac{\delta t^2}{2}\omega_S(g^{(+)}\rho_{12} + g^{(-)}\rho_{21}) + i\delta t(g^{(+)}\rho_{12} - g^{(-)}\rho_{21})``
    * B8: ``\rho_{22} \to \rho_{22} - \delta t^2(g^{(-,+)}\rho_{22} - g^{(+,-)}\rho_{11}) - \frac{\delta t^2}{2}\omega_S(g^{(+)}\rho_{12} + g^{(-)}\rho_{21}) - i\delta t(g^{(+)}\rho_{12} - g^{(-)}\rho_{21})``
    * B9: ``\rho_{12} \to \rho_{12} + \frac{\delta t^2}{2}\omega_S g^{(-)}(\rho_{11}-\rho_{22}) + i\delta t g^{(-)}(\rho_{11}-\rho_{22}) - i\delta t\omega_S\rho_{12} - \frac{\delta t^2}{2}\rho_{12}(g^{(+,-)} + g^{(-,+)} + \omega_S^2)``
    * B10: ``\rho_{21} \to \rho_{21} + \frac{\delta t^2}{2}\omega_S g^{(+)}(\rho_{11}-\rho_{22}) - i\delta t g^{(+)}(\rho_{11}-\rho_{22}) + i\delta t\omega_S\rho_{21} - \frac{\delta t^2}{2}\rho_{21}(g^{(+,-)} + g^{(-,+)} + \omega_S^2)``

    (Checked, not corrected: these equal eq. 56 entrywise only when g_+ = g_-, i.e. real alpha.)
    """
    d = r11 - r22
    return {
        "rho_11": r11 + dt**2 * (gmp * r22 - gpm * r11) + dt**2 / 2 * wS * (gp * r12 + gm * r21)
        + I * dt * (gp * r12 - gm * r21),
        "rho_22": r22 - dt**2 * (gmp * r22 - gpm * r11) - dt**2 / 2 * wS * (gp * r12 + gm * r21)
        - I * dt * (gp * r12 - gm * r21),
        "rho_12": r12 + dt**2 / 2 * wS * gm * d + I * dt * gm * d - I * dt * wS * r12
        - dt**2 / 2 * r12 * (gpm + gmp + wS**2),
        "rho_21": r21 + dt**2 / 2 * wS * gp * d - I * dt * gp * d + I * dt * wS * r21
        - dt**2 / 2 * r21 * (gpm + gmp + wS**2),
    }


def published_map_example2() -> dict:
    """Eqs. B7-B10 with the B1-B4 closed forms substituted."""
    s = _subs_example2()
    return {k: v.subs(s) for k, v in published_map_example2_symbolic().items()}


def published_master_equation_example2(symbolic: bool = False) -> Callable[[sp.Matrix], sp.Matrix]:
    r"""Eq. 56 (D, D' of eqs. 49, 50): returns ``f(rho) = rho_S(i+1)``,

    ``\rho(i+1) = \rho - i\delta t[H_S + g^{(-)}\sigma_S^+ + g^{(+)}\sigma_S^-, \rho]
    + \frac{\delta t^2}{2}[\frac{\omega_S^2}{4}D[\sigma^z] + g^{(+,-)}D[\sigma^-] + g^{(-,+)}D[\sigma^+]
    + \frac{g^{(+)}\omega_S}{2}D'[\sigma^-,\sigma^z] + \frac{g^{(-)}\omega_S}{2}D'[\sigma^z,\sigma^-]
    + \frac{g^{(-)}\omega_S}{2}D'[\sigma^+,\sigma^z] + \frac{g^{(+)}\omega_S}{2}D'[\sigma^z,\sigma^+]](\rho)``.

    ``symbolic=True`` uses the placeholders g_+, g_-, g_{-+}, g_{+-}; otherwise B1-B4.
    Basis (|up>, |down>), ``H_S = wS/2 diag(1,-1)``."""
    s = {gp: gp, gm: gm, gmp: gmp, gpm: gpm} if symbolic else _subs_example2()
    Gp, Gm, Gmp, Gpm = s[gp], s[gm], s[gmp], s[gpm]
    H = wS / 2 * SZ + Gm * SP + Gp * SM
    D, Dp = published_D, published_Dprime

    def f(rho: sp.Matrix) -> sp.Matrix:
        diss = (wS**2 / 4 * D(SZ, rho) + Gpm * D(SM, rho) + Gmp * D(SP, rho)
                + Gp * wS / 2 * Dp(SM, SZ, rho) + Gm * wS / 2 * Dp(SZ, SM, rho)
                + Gm * wS / 2 * Dp(SP, SZ, rho) + Gp * wS / 2 * Dp(SZ, SP, rho))
        return rho - I * dt * (H * rho - rho * H) + dt**2 / 2 * diss
    return f


def published_L1_generator_example2(symbolic: bool = False) -> sp.Matrix:
    r"""Eq. 54, first line: the operator in ``\mathcal{L}_1 = -i[g^{(+)}\sigma_S^- + g^{(-)}\sigma_S^+, \rho_S]``
    (printed without a factor dt).  ``symbolic=True``: placeholders; else B1, B2."""
    s = {gp: gp, gm: gm} if symbolic else _subs_example2()
    return s[gp] * SM + s[gm] * SP


def published_effective_hamiltonian(symbolic: bool = False) -> sp.Matrix:
    r"""Eqs. 54 (second line) / after 55: ``H_S^{eff} = Re\{g^{(+)}\}\sigma_S^x + Im\{g^{(+)}\}\sigma_S^y``.
    ``symbolic=True``: placeholder g_+; else B1 (real for real alpha, so Im = 0)."""
    g = gp if symbolic else published_g_example2()["g+"]
    return sp.re(g) * SX + sp.im(g) * SY


def published_steady_state_example2_symbolic() -> dict:
    r"""Eqs. B11-B14 with placeholders (G = g^{(-,+)} + g^{(+,-)} only as a reading aid):

    * B11: ``<\sigma_z> = (g^{(-,+)} - g^{(+,-)})[4\omega_S^2 + \delta t^2(g^{(-,+)} + g^{(+,-)}\omega_S^2)^2]/K``
      -- transcribed exactly as printed (``g^{(+,-)}\omega_S^2``, dimensionally inhomogeneous;
      B12/B13 have ``+ \omega_S^2`` as a separate summand).
    * B12: ``<\sigma_x> = (g^{(-,+)} - g^{(+,-)})\, 2 Re[g^{(-)}(4\omega_S + 2i\delta t(g^{(-,+)}+g^{(+,-)}) + \delta t^2\omega_S(g^{(-,+)}+g^{(+,-)}+\omega_S^2))]/K``
    * B13: ``<\sigma_y> = -(g^{(-,+)} - g^{(+,-)})\, 2 Im[\ldots\ same\ \ldots]/K``
    * B14: ``K = 8g^{(-)}g^{(+)}(G - \omega_S^2) + 4\omega_S^2 G + \delta t^2 G[G^2 + 2\omega_S^2(G - g^{(-)}g^{(+)}) + \omega_S^4(1 - 2g^{(-)}g^{(+)})]``
      (also dimensionally inhomogeneous in the last bracket; transcribed as printed).
    """
    G = gmp + gpm
    K = (8 * gm * gp * (G - wS**2) + 4 * wS**2 * G
         + dt**2 * G * (G**2 + 2 * wS**2 * (G - gm * gp) + wS**4 * (1 - 2 * gm * gp)))
    bracket = gm * (4 * wS + 2 * I * dt * (gmp + gpm) + dt**2 * wS * (gmp + gpm + wS**2))
    return {
        "sz": (gmp - gpm) * (4 * wS**2 + dt**2 * (gmp + gpm * wS**2) ** 2) / K,
        "sx": (gmp - gpm) * 2 * sp.re(bracket) / K,
        "sy": -(gmp - gpm) * 2 * sp.im(bracket) / K,
        "K": K,
    }


def published_steady_state_example2() -> dict:
    """Eqs. B11-B14 with the B1-B4 closed forms substituted."""
    s = _subs_example2()
    return {k: v.subs(s) for k, v in published_steady_state_example2_symbolic().items()}


def published_l1_coherence(sx_val, sy_val) -> sp.Expr:
    r"""Eq. 58: ``C_{\ell_1}(\rho_S) = |<\sigma_x> + i<\sigma_y>|`` (eq. 57: ``\sum_{i\ne j}|\rho_{ij}|``;
    note for a qubit eq. 57 gives ``2|\rho_{12}| = |<\sigma_x> + i<\sigma_y>|``)."""
    return sp.Abs(sx_val + I * sy_val)


# ---- App. C: thermodynamics of Example 2 ----------------------------------------------------
def _bracket():
    return sz * (gpm + gmp) + (gpm - gmp)


def _subs_thermo() -> dict:
    s = _subs_example2()
    s[E32] = 2 * y          # bare E_3 - E_2 under A1 labels: (+y) - (-y) = w1 - w2
    return s


def published_delta_U_symbolic() -> sp.Expr:
    r"""Eq. C4 (placeholders): ``\Delta U = -\frac{\delta t^2}{2}\omega_S[<\sigma_S^z>(g^{(+,-)}+g^{(-,+)}) + (g^{(+,-)}-g^{(-,+)})]
    + \frac{\delta t^2}{2}\omega_S^2(g^{(+)}\rho_{12} + g^{(-)}\rho_{21}) + i\delta t\omega_S(g^{(+)}\rho_{12} - g^{(-)}\rho_{21})``."""
    return (-dt**2 / 2 * wS * _bracket() + dt**2 / 2 * wS**2 * (gp * r12 + gm * r21)
            + I * dt * wS * (gp * r12 - gm * r21))


def published_delta_U() -> sp.Expr:
    """Eq. C4 with B1-B4 substituted."""
    return published_delta_U_symbolic().subs(_subs_thermo())


def published_heat_symbolic() -> sp.Expr:
    r"""Eq. C5 (placeholders): ``\delta Q = -\frac{\delta t^2}{2}(E_3 - E_2)[<\sigma_S^z>(g^{(+,-)}+g^{(-,+)}) + (g^{(+,-)}-g^{(-,+)})]
    + \frac{\delta t^2}{2}\kappa_{12}|\alpha|^2(\eta_{23} + \eta_{32})``.

    ``E_3 - E_2`` is the symbol ``E32`` ("the energy difference E_3 - E_2 in the structured
    ancilla", Sec. IV.B; the print does not say bare or dressed).  ``eta_23`` is not defined
    in the paper; the natural reading is the bare-basis element ``<E_2|eta_E|E_3>`` of the
    ancilla state (kept as a symbol everywhere)."""
    return -dt**2 / 2 * E32 * _bracket() + dt**2 / 2 * kappa * sp.Abs(alpha) ** 2 * (eta23 + eta32)


def published_heat() -> sp.Expr:
    """Eq. C5 with B1-B4 substituted and ``E_3 - E_2`` = bare difference under the A1 labels
    (eq. 28: E_2 = -y, E_3 = +y, so E_3 - E_2 = w1 - w2).  Under swapped labels it would be
    w2 - w1; eta_23 stays a symbol."""
    return published_heat_symbolic().subs(_subs_thermo())


def published_switching_work_symbolic() -> sp.Expr:
    r"""Eq. C6 (placeholders), literal, including the stray ``t``:
    ``W_{sw} = \frac{\delta t^2}{2}(E_3 - E_2 - \omega_S)[<\sigma_S^z>(g^{(+,-)}+g^{(-,+)}) + (g^{(+,-)}-g^{(-,+)})]
    - \frac{\delta t^2}{2}\kappa_{12}|\alpha|^2(\eta_{23}+\eta_{32}) + \frac{\delta t^2}{2}\omega_S^2(g^{(+)}\rho_{12} + g^{(-)}\rho_{21})
    + i\delta t\,\omega_S\, t\,(g^{(+)}\rho_{12} - g^{(-)}\rho_{21})``; ``t`` is the symbol ``t_stray``.
    Without it (``t = 1``) C6 equals C4 - C5, i.e. C3."""
    return (dt**2 / 2 * (E32 - wS) * _bracket() - dt**2 / 2 * kappa * sp.Abs(alpha) ** 2 * (eta23 + eta32)
            + dt**2 / 2 * wS**2 * (gp * r12 + gm * r21) + I * dt * wS * t_stray * (gp * r12 - gm * r21))


def published_switching_work() -> sp.Expr:
    """Eq. C6 literal (stray ``t`` kept) with B1-B4 and bare ``E_3 - E_2 = w1 - w2`` substituted."""
    return published_switching_work_symbolic().subs(_subs_thermo())


def published_switching_work_alternative_symbolic() -> sp.Expr:
    """Eq. C6 (placeholders) with the stray ``t`` dropped (``i dt wS (g+ rho12 - g- rho21)``)."""
    return published_switching_work_symbolic().subs(t_stray, 1)


def published_switching_work_alternative() -> sp.Expr:
    """Eq. C6 without the stray ``t``, B1-B4 and bare ``E_3 - E_2 = w1 - w2`` substituted."""
    return published_switching_work_alternative_symbolic().subs(_subs_thermo())


def published_first_law_at_steady_state_symbolic(stray_t: bool = True) -> sp.Expr:
    r"""Sec. IV.B: "after the reaching of the steady state [the first law] simply becomes
    ``W_{sw} = -\delta Q``"; returned as ``W_{sw} + \delta Q`` (C6 + C5, placeholders), which
    the paper states is 0 at the steady state.  ``stray_t=False`` uses C6 without ``t``."""
    W = published_switching_work_symbolic() if stray_t else published_switching_work_alternative_symbolic()
    return W + published_heat_symbolic()


def published_first_law_at_steady_state(stray_t: bool = True) -> sp.Expr:
    """Sec. IV.B ``W_sw + dQ`` (= 0 claimed at steady state) with B1-B4, bare E_3 - E_2 substituted."""
    return published_first_law_at_steady_state_symbolic(stray_t).subs(_subs_thermo())


# ---- claims made about the figures --------------------------------------------------------
CLAIMS = [
    {"figure": "3a", "quantity": "<sigma_z>(n), beta sweep, alpha=0.1, kappa=0.3",
     "claim": "the population tends to equilibrate towards the steady state value, which is not simply the "
              "thermal population, as the steady state also has coherence"},
    {"figure": "3a", "quantity": "<sigma_z>(n) at beta = beta_S = 1",
     "claim": "This observation in particular justifies the behavior of the population for the case "
              "beta = beta_S, which without the creation of coherence should just be a line."},
    {"figure": "3b", "quantity": "C_l1(n), beta sweep, alpha=0.1",
     "claim": "One can observe how the amount of coherence is maximal when the system and the environment "
              "have the same temperature."},
    {"figure": "3c,3d", "quantity": "steady <sigma_z> and C_l1 vs kappa_12 at beta=1",
     "claim": "there is a small difference in the equilibrium populations, due to the fact that the amount of "
              "coherence created is different. Moreover, one can observe that the stronger the interaction "
              "between the two TLSs composing the ancilla, the greater the amount of coherence created."},
    {"figure": "3 (text)", "quantity": "C_l1(n) transient",
     "claim": "one can observe oscillations in the value of C_l1(rho_S). These oscillations are slowly "
              "suppressed as the system reaches its steady state."},
    {"figure": "3 (text)", "quantity": "steady C_l1 vs kappa_12",
     "claim": "the total amount of coherence available to system S is strongly dependent on the amount of "
              "coherence in the ancillae, ultimately depending on the value of kappa_12."},
    {"figure": "III.B (text)", "quantity": "steady <sigma_x>, <sigma_y>, <sigma_z> (B11-B13)",
     "claim": "the coherence is non null in the steady state, as both <sigma_x> and <sigma_y> are non-zero. "
              "Moreover, ... the equilibrium populations will not simply be the thermal populations"},
    {"figure": "4a", "quantity": "<sigma_z>(n), beta sweep, alpha=0.2",
     "claim": "while going towards its steady state value, <sigma_z> oscillates due to the presence of the "
              "unitary term."},
    {"figure": "4b", "quantity": "<sigma_z>(n), kappa sweep, beta=1, alpha=0.2",
     "claim": "the amplitude of the oscillations of <sigma_z> is larger for larger values of kappa_12."},
    {"figure": "5a", "quantity": "steady C_l1 vs kappa_12, several beta, alpha=0.2",
     "claim": "in general the amount of coherence generated in the steady state is larger for lower "
              "temperatures. However ... for large values of kappa_12 ... the amount of coherence reaches a "
              "steady value independently of the temperature."},
    {"figure": "5a", "quantity": "peak of steady C_l1 in kappa_12",
     "claim": "for specific values of kappa_12 the amount of coherence is larger. / one can observe a peak in "
              "C_l1(rho_S) for specific values of kappa_12 and beta."},
    {"figure": "5b", "quantity": "steady C_l1 vs beta, kappa_12 <~ 1",
     "claim": "for values of kappa_12 <~ 1 one has larger values of C_l1(rho_S) for larger values of kappa_12 "
              "/ for kappa_12 <~ 1 it can be observed that the steady state coherence goes to zero as beta "
              "grows large."},
    {"figure": "5b", "quantity": "steady C_l1 as beta -> infinity, kappa_12 >~ 1",
     "claim": "for values of kappa_12 >~ 1, in the limit of very large beta, the coherence reaches always the "
              "same steady value. The case kappa_12 ~= 1 represents the border between the two scenarios, "
              "where the coherence, in the limit of large beta reaches the higher value."},
    {"figure": "6", "quantity": "Delta U, dQ, W_sw transients (Fig. 3 parameters, alpha=0.1)",
     "claim": "as both the internal energy change and the switching work depend on the coherences in system S, "
              "one can observe oscillations in these quantities. Conversely, heat does not oscillate, as it "
              "only depends on the populations of S and the ancilla matrix elements."},
    {"figure": "IV.B (text)", "quantity": "Delta U at steady state",
     "claim": "After reaching the steady state, the variation of internal energy Delta U becomes identically "
              "zero."},
    {"figure": "7a", "quantity": "steady W_sw and dQ vs kappa_12, several beta, alpha=0.2",
     "claim": "the work cost for having coherence in the steady state is always equal to the heat dissipated "
              "into the environment. Moreover, the amount of work is proportional to the amount of coherence "
              "created in system S."},
    {"figure": "7 (text)", "quantity": "sign of steady W_sw; W_sw = -dQ",
     "claim": "at the steady state, a positive non-null amount of work is injected into the system in order to "
              "keep the steady state coherence. This energy is then exactly dissipated as heat into the thermal "
              "bath. ... which after the reaching of the steady state simply becomes W_sw = -dQ."},
    {"figure": "7b", "quantity": "steady W_sw vs beta, several kappa_12",
     "claim": "the work cost is higher for lower temperatures, that is, for larger amounts of coherence."},
    {"figure": "IV.B (text)", "quantity": "first term of C6",
     "claim": "The first term in the switching work is simply due to the mismatch of the energy difference "
              "E_3 - E_2 in the structured ancilla and the system's energy separation omega_S"},
    {"figure": "8", "quantity": "entropy production Sigma(i)",
     "claim": "this quantity is always positive, in fulfillment of the second principle of thermodynamics, and "
              "... it does never get to zero, since even at the steady state work has to be injected"},
    {"figure": "8a", "quantity": "steady Sigma vs beta, kappa_12=0.3",
     "claim": "at the steady state (for large n) the entropy variation is larger for larger values of the "
              "coherence in the steady state."},
    {"figure": "8b", "quantity": "steady Sigma vs kappa_12, beta=1",
     "claim": "the entropy increase is larger for larger values of the coherence in the steady state."},
    {"figure": "III.A (text)", "quantity": "Example 1 steady state (eq. 51)",
     "claim": "the system will simply reach thermal equilibrium at the steady state, without the formation of "
              "any coherence."},
    {"figure": "III.A (text)", "quantity": "eigenvectors at w1 = w2",
     "claim": "If the two TLS have the same frequency, i.e. w1 = w2, then |E'_2> and |E'_3> become a singlet "
              "and a triplet state with zero magnetization respectively."},
]

PAPER_PARAMETERS = {dt: sp.Rational(1, 10), wS: 1, w1: sp.Rational(1, 2), w2: sp.Rational(3, 2),
                    kappa: sp.Rational(3, 10)}
