"""Fogedby, "Heat currents in qubit systems" (arXiv:2301.13544), sec. IV.C.1: the off-diagonal
density-matrix elements of the two coupled qubits, classified against BOTH the secular (Davies)
kernel and the non-secular Bloch-Redfield kernel (Lamb shifts off, as in the paper).

Model: :func:`derivations.fogedby_coupled_qubits.model` (eqs. 3.16-3.18).  Master equations
(derived by qsym from the model only):

* secular: ``qs.global_master_equation`` (eq. 2.2 with the secular kernel, eqs. 3.42-3.43);
* Bloch-Redfield: ``qs.bloch_redfield_master_equation`` (B&P eq. 3.135; Fogedby eq. 5.2 read
  without the secular approximation), numeric counterpart
  :class:`qsym.numeric.redfield.RedfieldSolver`.

Statements classified (eqs. 4.20-4.31 and the text around them): the lists of non-vanishing
kernel elements 4.20-4.25; the symmetries ``K_{pp,23} = K_{pp,32} = A_p``, ``K_{23,pp} =
K_{32,pp} = B_p``, ``K_{23,23} = K_{32,32} = C``, ``E_23 = -E_32 = E``; the equations of motion
4.26-4.31 (compared as real 6x6 matrices in ``(rho_11, ..., rho_44, Re rho_23, Im rho_23)``);
``C = -(1/2) sum (A_pq + B_pq) < 0``; and the conclusion ``rho_23 -> 0`` in the steady state.

Findings (each confirmed by the numeric solvers, see the records' notes):

* Secular kernel: ``rho_23`` is decoupled (``A_p = B_p = 0``), so 4.20, 4.23-4.26, 4.29-4.31
  list couplings that vanish; ``C < 0`` and ``rho_23 -> 0`` hold.
* Bloch-Redfield kernel: ``A_p``, ``B_p`` are non-zero as the paper says, but the lists
  4.21, 4.22, 4.24, 4.25 and eqs. 4.27, 4.28, 4.30, 4.31 omit ``K_{22,23}, K_{33,23}`` (trace
  conservation needs them: ``A_1 + A_4 != 0``) and ``K_{23,22}, K_{23,33}``.  The source
  ``B_p rho_p`` keeps ``rho_23`` finite: to first order in ``g/E``
  ``rho_23 = -i (q^A_+/omega_+ + q^A_-/omega_-) / (2 lambda)``, i.e. ``|rho_23| = J/(2 lambda)``
  with ``J`` the excitation current through the qubits -- the conclusion ``rho_23 -> 0`` is
  false; what survives is that the populations (and currents) are the secular ones up to
  relative corrections ``O((g/E)^2)``.
* Eq. 5.2 as printed evaluates the rates of its anticommutator terms at ``E_pl`` (the Bohr
  frequency of the operator *not* acting on ``rho``), B&P eq. 3.135 at ``E_ql``: the two agree
  on all secular elements and on ``A_p, B_p``, differ in ``K_{22,23}, K_{23,22}, ...`` -- which
  are non-zero in both, so the lists are incomplete either way.

``published_*`` functions transcribe the paper and are used only for comparison.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

import qsym as qs
from derivations import fogedby_coupled_qubits as fc
from qsym.dynamics.redfield import (dissipative_kernel, kernel_support, real_coordinates, real_form,
                                    real_generator, split_real_imag)
from qsym.numeric.redfield import (GeneratorEntry, KernelElementPart, KernelNonzero, KernelTrace, SignOf,
                                   SteadyStateEntry, gauged_eigenbasis, redfield_steady_state)

NAME = "fogedby-offdiagonal"
TITLE = "Fogedby (2023), sec. IV.C.1: off-diagonal elements, secular vs Bloch-Redfield kernel"
SEED = "003_15d3d9435f02ddbf.txt"

ROWS = {"4.20": (1, 1), "4.21": (2, 2), "4.22": (3, 3), "4.23": (4, 4), "4.24": (2, 3), "4.25": (3, 2)}
COLUMNS = tuple((q, qq) for q in range(1, 5) for qq in range(1, 5))
#: real coordinates of eqs. 4.26-4.31: (rho_11, rho_22, rho_33, rho_44, Re rho_23, Im rho_23)
COORDS = real_coordinates([(0, 0), (1, 1), (2, 2), (3, 3), (1, 2)])
COORD_NAMES = ("rho_11", "rho_22", "rho_33", "rho_44", "Re rho_23", "Im rho_23")


# ---- master equations -------------------------------------------------------------------
def secular() -> qs.MasterEquation:
    """Eq. 2.2 with the secular (Davies) kernel."""
    return fc.master_equation()


@lru_cache(maxsize=None)
def redfield() -> qs.RedfieldMasterEquation:
    """Eq. 2.2 with the Bloch-Redfield kernel (no secular approximation, no Lamb shift)."""
    return qs.bloch_redfield_master_equation(fc.model())


@lru_cache(maxsize=None)
def first_order() -> qs.SteadyState:
    """Redfield steady state to first order in g/E (secular populations + rho_23^(1))."""
    return qs.first_order_steady_state(redfield(), fc.steady_state())


def master_equations():
    return (("secular", secular()), ("Redfield", redfield()))


# ---- transcriptions of the paper (for comparison only) --------------------------------
def published_nonvanishing() -> dict:
    """Eqs. 4.20-4.25: the non-vanishing ``K_{pp',qq'}`` of each row, as printed."""
    return {(1, 1): ((1, 1), (2, 2), (3, 3), (2, 3), (3, 2)),
            (2, 2): ((1, 1), (2, 2), (4, 4)),
            (3, 3): ((1, 1), (3, 3), (4, 4)),
            (4, 4): ((2, 2), (3, 3), (4, 4), (2, 3), (3, 2)),
            (2, 3): ((1, 1), (4, 4), (2, 3)),
            (3, 2): ((1, 1), (4, 4), (3, 2))}


def published_energy_E() -> sp.Expr:
    """``E = E_23 = E_2 - E_3`` with eqs. 3.26-3.27."""
    E = fc.published_energies()
    return E[1] - E[2]


def published_equations_of_motion(A: dict, B: dict) -> dict:
    """Eqs. 4.26-4.31 as a kernel ``{((p,p'),(q,q')): coefficient}`` (0-based).

    The population block is eqs. 3.42 + 3.43 (which the paper's ``K_{nn,pp}`` are); ``C`` is the
    paper's ``-(1/2) sum (A_pq + B_pq)`` and ``E = E_23``; ``A_p``, ``B_p`` (p = 1, 4) are given
    no closed form in the paper, so they are passed in (the Bloch-Redfield values)."""
    Kpop = fc.published_kernel("A") + fc.published_kernel("B")
    C = fc.published_coherence_decay()
    E = published_energy_E()
    K = {((n, n), (p, p)): Kpop[n, p] for n in range(4) for p in range(4) if Kpop[n, p] != 0}
    for p in (1, 4):
        K[((p - 1, p - 1), (1, 2))] = A[p]      # A_p (rho_23 + rho_32), eqs. 4.26, 4.29
        K[((p - 1, p - 1), (2, 1))] = A[p]
        K[((1, 2), (p - 1, p - 1))] = B[p]      # B_1 rho_11 + B_4 rho_44, eqs. 4.30, 4.31
        K[((2, 1), (p - 1, p - 1))] = B[p]
    K[((1, 2), (1, 2))] = C - sp.I * E          # (d/dt + iE - C) rho_23, eq. 4.30
    K[((2, 1), (2, 1))] = C + sp.I * E          # (d/dt - iE - C) rho_32, eq. 4.31
    return K


def published_eq_5_2(p: int, pp: int, q: int, qq: int) -> sp.Expr:
    """``K_{pp',qq'}`` of eq. 5.2 as printed (1-based), summed over both baths, with the
    matrix elements 5.19-5.20 (``S^1 = sigma^+``, ``S^2 = sigma^- = (sigma^+)^T``), the bath
    correlations 5.13-5.14 and ``E_42 = E_31 = omega_+``, ``E_43 = E_21 = omega_-`` (3.32-3.33):

        K = -d_{p'q'} 1/2 sum S^a_pl S^b_lq D^ab(E_pl) - d_pq 1/2 sum S^a_q'l S^b_lp' D^ab(E_p'l)
            + 1/2 sum S^b_pq S^a_q'p' [D^ab(E_q'p') + D^ab(E_qp)].
    """
    al, be, wp, wm, gA, gB, nA, nB = fc._paper_symbols()
    bohr = {(3, 1): (wp, 1), (2, 0): (wp, 1), (3, 2): (wm, 1), (1, 0): (wm, 1)}  # 0-based E_ij > 0
    p, pp, q, qq = p - 1, pp - 1, q - 1, qq - 1

    def D(a, b, i, j, g, n):
        """D^ab(E_ij) of eqs. 5.13-5.14 for a pair (i, j) joined by sigma^pm."""
        if (i, j) in bohr:
            w, sign = bohr[(i, j)]
        elif (j, i) in bohr:
            w, sign = bohr[(j, i)]
            sign = -sign
        else:
            raise AssertionError(f"levels {i + 1}, {j + 1} are not joined by sigma^pm")
        if (a, b) == (1, 2):
            return g(w) * (1 + n(w)) if sign > 0 else sp.S.Zero
        return g(w) * n(w) if sign < 0 else sp.S.Zero   # D^21(-w) = g(w) n(w), w > 0

    total = sp.S.Zero
    for which, g, n in ((1, gA, nA), (2, gB, nB)):
        Sp = fc.published_matrix_elements(which)
        S = {1: Sp, 2: Sp.T}
        for a, b in ((1, 2), (2, 1)):
            for l in range(4):
                if pp == qq and S[a][p, l] * S[b][l, q] != 0:
                    total -= S[a][p, l] * S[b][l, q] * D(a, b, p, l, g, n) / 2
                if p == q and S[a][qq, l] * S[b][l, pp] != 0:
                    total -= S[a][qq, l] * S[b][l, pp] * D(a, b, pp, l, g, n) / 2
            if S[b][p, q] * S[a][qq, pp] != 0:
                total += S[b][p, q] * S[a][qq, pp] * (D(a, b, qq, pp, g, n) + D(a, b, q, p, g, n)) / 2
    return sp.expand(total)


# ---- helpers ------------------------------------------------------------------------------
def _real(expr) -> sp.Expr:
    """The real part of a derived expression, after checking it has no imaginary part."""
    re, im = split_real_imag(expr)
    if im != 0:
        raise AssertionError(f"expected a real expression, found imaginary part {im}")
    return re


def _lbl(row, cols) -> str:
    return ", ".join(f"K_{row[0]}{row[1]},{q}{qq}" for q, qq in cols) or "none"


@lru_cache(maxsize=None)
def first_order_convergence() -> tuple:
    """First-order rho_23 and populations vs the full numeric Redfield steady state at one
    point of the model, with the spectral functions scaled by ``eps``: ``((eps, rel. deviation of
    rho_23, max rel. deviation of the populations, |rho_23^(1)|), ...)``.  First order: the
    rho_23 deviation is O(g/E), the population deviation O((g/E)^2)."""
    me, fo = redfield(), first_order()
    vals = {fc.w1: 1.6, fc.w2: 1.0, fc.lam: 0.3, fc.TA: 2.0, fc.TB: 0.6}
    w = sp.Dummy("w", positive=True)
    out = []
    for eps in (1.0, 0.1, 0.01):
        lams = {"A": sp.Lambda(w, 0.04 * eps * w / 2 * sp.exp(-w / 2)),
                "B": sp.Lambda(w, 0.03 * eps * sp.exp(-w / 3))}
        gs = {k: sp.lambdify(w, L.expr, "math") for k, L in lams.items()}
        res = redfield_steady_state(me.model, vals, gs)
        V, _ = gauged_eigenbasis(me, res, vals)
        R = V.conj().T @ res.rho @ V

        def num(e):
            f = qs.to_numeric(e, spectral=lams)
            return complex(f({s: vals[s] for s in f.params}))
        r23 = num(fo.rho[1, 2])
        pops = np.array([num(fo.rho[n, n]).real for n in range(4)])
        out.append((eps, abs(R[1, 2] - r23) / abs(r23), float(np.max(np.abs(np.real(np.diag(R)) - pops) / pops)),
                    abs(r23)))
    return tuple(out)


def definitions():
    return fc.definitions()


# ---- results ------------------------------------------------------------------------------
def results() -> list[qs.Result]:
    R = qs.Result
    out: list[qs.Result] = []
    rf = redfield()
    pub = published_nonvanishing()
    # A_p, B_p: the Bloch-Redfield values (the paper defines them by the symmetries only)
    A = {p: _real(rf.dissipative_kernel_element(p, p, 2, 3)) for p in (1, 4)}
    B = {p: _real(rf.dissipative_kernel_element(2, 3, p, p)) for p in (1, 4)}
    trace_gap = sp.expand(A[1] + A[4])

    for tag, me in master_equations():
        Kd = dissipative_kernel(me)   # Fogedby's K of eq. 2.2 (no -i E_pp')

        def K(p, pp, q, qq, _Kd=Kd):
            return _Kd.get(((p - 1, pp - 1), (q - 1, qq - 1)), sp.S.Zero)
        # -- 4.20-4.25: lists of non-vanishing elements ---------------------------------------
        for eq, row in ROWS.items():
            have = kernel_support(me, *row)
            derived = sp.Matrix([[1 if c in have else 0 for c in COLUMNS]])
            published = sp.Matrix([[1 if c in pub[row] else 0 for c in COLUMNS]])
            missing = [c for c in have if c not in pub[row]]
            extra = [c for c in pub[row] if c not in have]
            note = f"derived non-vanishing: {_lbl(row, have)}."
            if missing:
                note += f" Missing from the paper's list: {_lbl(row, missing)} (non-zero, see the records below)."
            if extra:
                note += f" Listed but zero in the {tag} kernel: {_lbl(row, extra)}."
            if missing or extra:
                note += f" Corrected {eq}: K_{row[0]}{row[1]},qq' = ({_lbl(row, have)})."
            if tag == "Redfield" and row in ((2, 2), (3, 3)):
                note += (" Trace conservation needs them: sum_p K_pp,23 = 0, but the paper's A_1 + A_4 = "
                         f"{sp.factor(trace_gap)} != 0.")
            out.append(R(f"K_{row[0]}{row[1]},qq' != 0 [{tag}]", eq, derived, me,
                         [KernelNonzero(*row, *c) for c in COLUMNS], published,
                         latex_name=rf"[K_{{{row[0]}{row[1]},qq'}} \neq 0]",
                         note=note + " (indicator over qq' = 11, 12, ..., 44; numeric: |K| > 1e-9 max|K|)"))
        # -- symmetries ------------------------------------------------------------------------
        def parts(elems):
            re_im = [split_real_imag(K(*e)) for e in elems]
            return sp.Matrix([r for r, _ in re_im] + [i for _, i in re_im])

        def targets(elems, derived):
            keys = [(e, pt) for pt in ("re", "im") for e in elems]   # the order of parts()
            return [KernelElementPart(*e, part=pt, zero_expected=(v == 0)) for (e, pt), v in zip(keys, derived)]

        for name, lhs, rhs, note in (
                ("K_pp,32 = K_pp,23 = A_p (p = 1, 4)", [(1, 1, 3, 2), (4, 4, 3, 2)], [(1, 1, 2, 3), (4, 4, 2, 3)],
                 "A_p"),
                ("K_32,pp = K_23,pp = B_p (p = 1, 4)", [(3, 2, 1, 1), (3, 2, 4, 4)], [(2, 3, 1, 1), (2, 3, 4, 4)],
                 "B_p")):
            d_, p_ = parts(lhs), parts(rhs)
            zero = all(v == 0 for v in d_)
            txt = (f"holds trivially in the secular kernel: {note} = 0 (rho_23 is decoupled)" if zero else
                   f"holds; {note} != 0 (also K_22,32 = K_22,23, K_33,32 = K_33,23 and K_32,22 = K_23,22, "
                   f"K_32,33 = K_23,33, which the paper omits)")
            out.append(R(f"{name} [{tag}]", "IV.C.1", d_, me, targets(lhs, d_), p_,
                         note=txt + "; real and imaginary parts"))
        C_pub = fc.published_coherence_decay()
        d_ = parts([(2, 3, 2, 3), (3, 2, 3, 2)])
        out.append(R(f"K_23,23 = K_32,32 = C [{tag}]", "IV.C.1", d_, me, targets([(2, 3, 2, 3), (3, 2, 3, 2)], d_),
                     sp.Matrix([C_pub, C_pub, 0, 0]),
                     note="dissipative part (eq. 2.2 without -iE_pp'); real and imaginary parts; C as printed"))
        E = me.energies
        out.append(R(f"E_23 = -E_32 = E [{tag}]", "IV.C.1", sp.Matrix([E[1] - E[2], -(E[2] - E[1])]), me,
                     [qs.TransitionFrequency(2, 3)] * 2, sp.Matrix([published_energy_E()] * 2),
                     note="E = E_2 - E_3 = -2 sqrt(Delta omega^2 + lambda^2) < 0 (eqs. 3.26-3.27)"))
        # -- C < 0 -----------------------------------------------------------------------------
        C = _real(K(2, 3, 2, 3))
        out.append(R(f"C = -(1/2) sum (A_pq + B_pq) [{tag}]", "IV.C.1", C, me, KernelElementPart(2, 3, 2, 3), C_pub,
                     latex_name="C", note="C = dissipative part of K_23,23; the same in both kernels"))
        neg = (-C).is_positive
        if not neg:
            raise AssertionError(f"qsym could not show C < 0 for the {tag} kernel: C = {C}")
        out.append(R(f"C < 0 [{tag}]", "IV.C.1", sp.S.NegativeOne, me, SignOf(KernelElementPart(2, 3, 2, 3)),
                     sp.S.NegativeOne, latex_name=r"\mathrm{sign}\,C",
                     note="derived sign: -C is a sum of products of positive factors alpha^2, beta^2, g_X(omega_pm), "
                          "(1 + 2 n_X(omega_pm)) (SymPy: (-C).is_positive = True); numeric: sign of Re K_23,23"))
        # -- equations of motion 4.26-4.31 ------------------------------------------------------
        M = real_generator(me, COORDS)
        Mp = real_form(published_equations_of_motion(A, B), COORDS)
        for eqs, rows in (("4.26-4.29", range(4)), ("4.30-4.31", range(4, 6))):
            rows = list(rows)
            d_ = M.extract(rows, list(range(6)))
            p_ = Mp.extract(rows, list(range(6)))
            tg = [GeneratorEntry(COORDS[a], COORDS[b], zero_expected=(M[a, b] == 0)) for a in rows for b in range(6)]
            diff = [(COORD_NAMES[a], COORD_NAMES[b]) for a in rows for b in range(6)
                    if (M[a, b] == 0) != (Mp[a, b] == 0)]
            note = ("real form: d(rho_11..rho_44, Re rho_23, Im rho_23)/dt = M (...); paper's A_p, B_p taken as "
                    "the Bloch-Redfield K_pp,23, K_23,pp (no closed form printed), C and E as printed. ")
            if diff:
                note += "entries zero in one and not the other (row d/dt, column): " + "; ".join(
                    f"({a}, {b})" for a, b in diff) + ". "
            if tag == "secular":
                note += ("Corrected (secular): A_p = B_p = 0, rho_23 obeys (d/dt + iE - C) rho_23 = 0 and decouples "
                         "from the populations.")
            else:
                note += ("Corrected (Redfield): add 2 K_22,23 Re rho_23 to d rho_22/dt and 2 K_33,23 Re rho_23 to "
                         "d rho_33/dt (4.27-4.28), and K_23,22 rho_22 + K_23,33 rho_33 to the source of 4.30-4.31.")
            out.append(R(f"eqs. {eqs} [{tag}]", eqs, d_, me, tg, p_, note=note))
        # -- the conclusion rho_23 -> 0 -----------------------------------------------------------
        if tag == "secular":
            r23 = fc.steady_state().rho[1, 2]
            d_ = sp.Matrix(split_real_imag(r23))
            out.append(R("rho_23 -> 0 (steady state) [secular]", "IV.C.1", d_, me,
                         [SteadyStateEntry(("re", 1, 2), zero_expected=True),
                          SteadyStateEntry(("im", 1, 2), zero_expected=True)], sp.Matrix([0, 0]),
                         latex_name=r"\rho_{23}",
                         note="holds: K_23,pp = 0, rho_23 decays at rate -C > 0 (Re, Im of the steady-state rho_23)"))
        else:
            fo = first_order()
            re23, im23 = split_real_imag(fo.rho[1, 2])
            conv = first_order_convergence()
            cv = ", ".join(f"{dev:.1e} at g x {eps:g}" for eps, dev, _, _ in conv)
            cp = ", ".join(f"{dp:.1e}" for _, _, dp, _ in conv)
            out.append(R("rho_23 -> 0 (steady state) [Redfield, 1st order]", "IV.C.1", sp.Matrix([re23, im23]), me,
                         [SteadyStateEntry(("re", 1, 2), order=1, zero_expected=(re23 == 0)),
                          SteadyStateEntry(("im", 1, 2), order=1)], sp.Matrix([0, 0]), latex_name=r"\rho_{23}",
                         note=("false without the secular approximation: the source B_1 rho_1 + B_4 rho_4 + "
                               "K_23,22 rho_2 + K_23,33 rho_3 != 0 out of equilibrium keeps rho_23 = "
                               "sum_p K_23,pp rho_p / (i E) + O((g/E)^2) != 0 (purely imaginary in the paper's phase "
                               "convention). Corrected statement: rho_23 -> "
                               "-i (q^A_+/omega_+ + q^A_-/omega_-)/(2 lambda) "
                               "= O(g/E), which vanishes only at T_A = T_B; it does not feed the populations at first "
                               "order (Re rho_23 = 0). Checked against the first-order term of the numeric Redfield "
                               f"steady state (numeric perturbation theory); vs the full numeric steady state the "
                               f"relative deviation is {cv} (O(g/E))")))
            wp, wm = fc.frequency("+"), fc.frequency("-")
            J = -(fc.channel_current("A", "+") / wp + fc.channel_current("A", "-") / wm) / (2 * fc.lam)
            out.append(R("Im rho_23 = -J/(2 lambda) [Redfield, 1st order]", "IV.C.1", J, me,
                         SteadyStateEntry(("im", 1, 2), order=1), None, latex_name=r"\mathrm{Im}\,\rho_{23}",
                         note="J = q^A_+/omega_+ + q^A_-/omega_- is the excitation (quantum) current from A through "
                              "the qubits to B (eqs. 3.53-3.54): the coherence carries the current between the qubits"))
            out.append(R("rho_p (1st order) = eqs. 3.46-3.49 [Redfield]", "3.46-3.49",
                         sp.Matrix([fo.rho[n, n] for n in range(4)]), me,
                         [SteadyStateEntry(("p", n), order=1) for n in range(4)],
                         sp.Matrix(fc.published_populations()),
                         note=("what survives of the conclusion: to first order the Redfield populations are the "
                               "secular ones (the coherences enter d rho_pp/dt through Re rho_23 = 0). Relative "
                               f"deviation from the full numeric Redfield populations: {cp} at g x "
                               f"{', '.join(str(c[0]) for c in conv)} (O((g/E)^2))")))
    # -- the elements missing from 4.21-4.22, 4.24-4.25 (Bloch-Redfield) ----------------------------
    for eq, elems in (("4.21", [(2, 2, 2, 3), (2, 2, 3, 2)]), ("4.22", [(3, 3, 2, 3), (3, 3, 3, 2)]),
                      ("4.24", [(2, 3, 2, 2), (2, 3, 3, 3)]), ("4.25", [(3, 2, 2, 2), (3, 2, 3, 3)])):
        vals = [rf.dissipative_kernel_element(*e) for e in elems]
        d_ = sp.Matrix([_real(v) for v in vals])
        names = ", ".join(f"K_{a}{b},{c}{d}" for a, b, c, d in elems)
        if eq in ("4.21", "4.22"):
            vals_txt = f"{names.replace(', ', ' = ')} = {sp.factor(d_[0])}"
            why = "trace conservation: sum_p K_pp,23 = 0 needs K_22,23 + K_33,23 = -(A_1 + A_4) != 0"
        else:
            vals_txt = "; ".join(f"K_{a}{b},{c}{d} = {sp.factor(v)}" for (a, b, c, d), v in zip(elems, d_))
            why = "the populations rho_2, rho_3 feed rho_23 too: the source of 4.30 is sum_{p=1..4} K_23,pp rho_p"
        out.append(R(f"{names} (omitted in {eq}) [Redfield]", eq, d_, rf, [KernelElementPart(*e) for e in elems],
                     sp.zeros(len(elems), 1),
                     latex_name=", ".join(f"K_{{{a}{b},{c}{d}}}" for a, b, c, d in elems),
                     note=f"{eq} lists the non-vanishing elements and omits these; derived {vals_txt}, non-zero "
                          f"({why}). Corrected: add them to {eq}"))
    # -- trace conservation and eq. 5.2 as printed (Bloch-Redfield) ------------------------------
    tr = sp.expand(sum(rf.dissipative_kernel_element(p, p, 2, 3) for p in range(1, 5)))
    out.append(R("sum_p K_pp,23 (trace) [Redfield]", "4.26-4.29", tr, rf, KernelTrace(2, 3), trace_gap,
                 latex_name=r"\sum_p K_{pp,23}",
                 note="d(sum_p rho_pp)/dt from eqs. 4.26-4.29 is (A_1 + A_4)(rho_23 + rho_32) != 0: the printed "
                      "equations do not conserve the trace; with K_22,23 and K_33,23 restored the sum vanishes"))
    for name, elems, note in (
            ("K_nn,pp, C, A_p, B_p: eq. 5.2 as printed vs Bloch-Redfield",
             [(n, n, p, p) for n in range(1, 5) for p in range(1, 5)]
             + [(2, 3, 2, 3), (1, 1, 2, 3), (4, 4, 2, 3), (2, 3, 1, 1), (2, 3, 4, 4)],
             "eq. 5.2 as printed (with 5.13-5.14, 5.19-5.20) gives the population block 3.42 + 3.43, C and the "
             "sandwich-type couplings A_p, B_p of B&P eq. 3.135 (Bloch-Redfield): the paper's A_p, B_p are the "
             "Bloch-Redfield ones"),
            ("K_22,23, K_23,22, ...: eq. 5.2 as printed vs Bloch-Redfield",
             [(2, 2, 2, 3), (3, 3, 2, 3), (2, 3, 2, 2), (2, 3, 3, 3)],
             "eq. 5.2 as printed evaluates the rates of its anticommutator terms at E_pl, the Bohr frequency of the "
             "operator not acting on rho; B&P eq. 3.135 (and Redfield's tensor) at E_ql, the frequency of the "
             "operator acting on rho first. The two agree on every secular element and on A_p, B_p, C; they differ "
             "here -- but eq. 5.2 as printed gives these elements non-zero too (and is also trace preserving), so "
             "the lists 4.21-4.22, 4.24-4.25 are incomplete with either reading")):
        d_ = sp.Matrix([_real(rf.dissipative_kernel_element(*e)) for e in elems])
        p_ = sp.Matrix([published_eq_5_2(*e) for e in elems])
        out.append(R(name, "5.2", d_, rf, [KernelElementPart(*e, zero_expected=(v == 0)) for e, v in zip(elems, d_)],
                     p_, note=note))
    return out
