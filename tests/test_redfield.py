"""Bloch-Redfield (non-secular Born-Markov) master equation, symbolic and numeric.

Physics asserted: the numeric generator equals QuTiP's full (sec_cutoff=-1) Bloch-Redfield
tensor and an explicit double sum over Bohr components (B&P eq. 3.135); the symbolic kernel
equals the numeric generator element by element in the same eigenbasis; trace and
Hermiticity preservation; the structure of Fogedby eqs. 4.20-4.31 (populations couple to
rho_23 only without the secular approximation, and then also through K_22,23 and K_33,23);
the steady-state coherence rho_23 is first order in the rates and equals -i J/(2 lambda) with
J the excitation current; the Redfield steady state tends to the secular one as the
dissipation vanishes (state O(kappa), heat currents O(kappa^2)).
"""
from __future__ import annotations

from functools import lru_cache
import math

import numpy as np
import pytest
import scipy.special as ssp
import sympy as sp

import qsym as qs
from derivations import fogedby_coupled_qubits as fc
from qsym.dynamics.redfield import (RedfieldMasterEquation, bloch_redfield_master_equation,
                                    first_order_steady_state, lamb_shift_function)
from qsym.numeric.functions import spectral_realisation
from qsym.numeric.redfield import (_lamb_shift, compare_secular_redfield, redfield_generator,
                                   redfield_liouvillian, redfield_steady_state)
from qsym.numeric.solver import _Rates, bohr_decomposition

w, w1, w2, lam, TA, TB, kap, wc, a = qs.symbols("omega omega_1 omega_2 lambda T_A T_B kappa omega_c a",
                                                 positive=True)


# ---- models --------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def hermitian_qubits():
    """Fogedby's coupled qubits with Hermitian couplings sigma_x^(1), sigma_x^(2) (QuTiP's a_ops)."""
    q1, q2 = qs.qubits(2)
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz + lam * (q1.sp * q2.sm + q1.sm * q2.sp)
    A = qs.BosonicBath("A", TA, qs.OhmicSpectrum(kap, wc))
    B = qs.BosonicBath("B", TB, qs.OhmicSpectrum(kap, wc))
    return qs.OpenSystem(H, couplings=(qs.Coupling(q1.sx, A, "hermitian"), qs.Coupling(q2.sx, B, "hermitian")),
                         assumptions=(w1 > w2, lam < sp.sqrt(w1 * w2)), domain={lam: (0.05, 1.0)})


@lru_cache(maxsize=None)
def flat_qubits():
    """Fogedby's model (RWA couplings) with flat spectra g_X = kappa_X."""
    q1, q2 = qs.qubits(2)
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz + lam * (q1.sp * q2.sm + q1.sm * q2.sp)
    kA, kB = sp.symbols("kappa_A kappa_B", positive=True)
    return qs.OpenSystem(H, couplings=(qs.Coupling(q1.sm, qs.BosonicBath("A", TA, qs.FlatSpectrum(kA))),
                                       qs.Coupling(q2.sm, qs.BosonicBath("B", TB, qs.FlatSpectrum(kB)))))


@lru_cache(maxsize=None)
def ohmic_rwa_qubits():
    """Fogedby's model (RWA couplings) with Ohmic spectra (finite Lamb shifts)."""
    q1, q2 = qs.qubits(2)
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz + lam * (q1.sp * q2.sm + q1.sm * q2.sp)
    return qs.OpenSystem(H, couplings=(qs.Coupling(q1.sm, qs.BosonicBath("A", TA, qs.OhmicSpectrum(kap, wc))),
                                       qs.Coupling(q2.sm, qs.BosonicBath("B", TB, qs.OhmicSpectrum(kap, wc)))),
                         assumptions=(w1 > w2, lam < sp.sqrt(w1 * w2)), domain={lam: (0.05, 1.0)})


@lru_cache(maxsize=None)
def tilted_qubit():
    """A qubit whose bath B couples through sigma_z + a sigma_x: populations feed rho_12."""
    (q,) = qs.qubits(1)
    return qs.OpenSystem(w / 2 * q.sz, couplings=(
        qs.Coupling(q.sx, qs.BosonicBath("A", TA, qs.OhmicSpectrum(kap, wc)), "hermitian"),
        qs.Coupling(q.sz + a * q.sx, qs.BosonicBath("B", TB, qs.OhmicSpectrum(kap, wc)), "hermitian")))


@lru_cache(maxsize=None)
def redfield(name: str) -> RedfieldMasterEquation:
    model = {"fogedby": fc.model, "hermitian": hermitian_qubits, "tilted": tilted_qubit}[name]()
    return bloch_redfield_master_equation(model)


def fogedby_point(seed: int, kappa: float = 0.03):
    """Random parameters of Fogedby's model and the spectral realisations g_X(w) =
    kappa (w/c)^s exp(-w/c) standing in for the undefined g_A, g_B."""
    rng = np.random.default_rng(seed)
    w2v = rng.uniform(0.5, 1.5)
    vals = {fc.w1: w2v + rng.uniform(0.2, 1.0), fc.w2: w2v, fc.lam: rng.uniform(0.1, 0.5),
            fc.TA: rng.uniform(0.3, 3.0), fc.TB: rng.uniform(0.3, 3.0)}
    lams, gs = {}, {}
    for X in "AB":
        L, _ = spectral_realisation(X)
        k, c, s = sorted(L.expr.free_symbols - set(L.variables), key=lambda x: x.name)  # kappa, omegac, s
        sub = {k: kappa * rng.uniform(0.5, 1.5), c: rng.uniform(1.0, 4.0), s: rng.uniform(0.0, 2.0)}
        lams[X] = sp.Lambda(L.variables, L.expr.xreplace(sub))
        gs[X] = sp.lambdify(L.variables, lams[X].expr, "math")
    return vals, lams, gs


def ohmic_point(model, seed: int, kappa: float = 0.05):
    rng = np.random.default_rng(seed)
    vals = {s: rng.uniform(0.3, 3.0) for s in model.parameters}
    vals.update({kap: kappa, wc: rng.uniform(2.0, 5.0)})
    if w1 in vals:
        vals[w2] = rng.uniform(0.5, 1.5)
        vals[w1] = vals[w2] + rng.uniform(0.2, 1.0)
        vals[lam] = rng.uniform(0.1, 0.5)
    return vals


def numeric(expr, vals, lams=None):
    f = qs.to_numeric(expr, spectral=lams)
    return complex(f({s: vals[s] for s in f.params}))


def symbolic_generator(me, vals, lams=None, sub=None) -> np.ndarray:
    """The symbolic kernel K_{pp',qq'} as a column-stacking matrix (index p + d p'),
    lambdified once and evaluated at ``vals``."""
    d = me.dim
    M = sp.zeros(d * d, d * d)
    for ((p, pp), (q, qq)), v in me.kernel.items():
        M[p + d * pp, q + d * qq] = v.xreplace(sub) if sub else v
    f = qs.to_numeric(M, spectral=lams)
    return np.array(f({s: vals[s] for s in f.params}), dtype=complex)


def symbolic_unitary(me, vals) -> np.ndarray:
    """The symbolic eigenvectors (columns, level order) at numeric parameters."""
    U = sp.Matrix(me.spectrum.unitary)
    if not U.free_symbols:
        return np.array(U.evalf(17).tolist(), dtype=complex)
    f = qs.to_numeric(U)
    return np.array(f({s: vals[s] for s in f.params}), dtype=complex)


def in_symbolic_basis(me, L_site, vals) -> np.ndarray:
    """A site-basis superoperator in the symbolic eigenbasis: W^dag L W, W = conj(U) (x) U."""
    U = symbolic_unitary(me, vals)
    W = np.kron(U.conj(), U)
    return W.conj().T @ (L_site.toarray() if hasattr(L_site, "toarray") else L_site) @ W


def rel_max(A, B) -> float:
    return float(np.abs(A - B).max() / np.abs(B).max())


# ---- numeric generator vs QuTiP and vs an explicit double sum ---------------------------------
def qutip_spectrum(kv, cv, T):
    """Noise power S(w) of an Ohmic bath for a Hermitian coupling: g(w)(1+n(w)) for w > 0
    (emission; QuTiP evaluates S at E_row - E_col, the energy released), g(|w|)n(|w|) for w < 0.
    The argument must be called ``w``: QuTiP passes the frequency by that keyword (a function of
    another name would receive the time t = 0)."""
    def S(w):
        if w > 0:
            return kv * w * math.exp(-w / cv) / -math.expm1(-w / T)
        if w < 0:
            return kv * -w * math.exp(w / cv) / math.expm1(-w / T)
        return kv * T
    return S


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_numeric_generator_equals_qutip_bloch_redfield_tensor(seed):
    qutip = pytest.importorskip("qutip")
    model = hermitian_qubits()
    vals = ohmic_point(model, seed, kappa=0.08)
    L, H, _ = redfield_liouvillian(model, vals)
    q1, q2 = qs.qubits(2)
    dims = [[2, 2], [2, 2]]
    Q = lambda M: qutip.Qobj(np.asarray(M, dtype=complex), dims=dims)  # noqa: E731
    sx1, sx2 = (Q(np.array(op.matrix.tolist(), dtype=complex)) for op in (q1.sx, q2.sx))
    a_ops = [(sx1, qutip_spectrum(vals[kap], vals[wc], vals[TA])),
             (sx2, qutip_spectrum(vals[kap], vals[wc], vals[TB]))]
    Rq = qutip.bloch_redfield_tensor(Q(H), a_ops, sec_cutoff=-1, fock_basis=True)
    R = Rq.full()
    assert rel_max(L.toarray(), R) <= 1e-10
    # the same tensor, and the steady states, differ from the secular one (the test is sensitive)
    Rsec = qutip.bloch_redfield_tensor(Q(H), a_ops, sec_cutoff=0.1, fock_basis=True).full()
    assert rel_max(Rsec, R) > 1e-3
    rho_q = qutip.steadystate(Rq).full()
    res = redfield_steady_state(model, vals)
    assert np.abs(res.rho - rho_q).max() <= 1e-10
    ev = np.sort_complex(np.linalg.eigvals(L.toarray()))
    evq = np.sort_complex(np.linalg.eigvals(R))
    assert np.abs(np.sort(ev.real) - np.sort(evq.real)).max() <= 1e-10 * np.abs(ev).max()


def test_rwa_generator_is_the_double_sum_of_eq_3_135():
    """D(rho) = sum_{a,b} sum_{w,w'} Gamma_ab(w)[A_b(w) rho A_a(w')^dag - A_a(w')^dag A_b(w) rho] + h.c.
    with A_1 = L^dag (<X^dag X>: g n), A_2 = L (<X X^dag>: g(1+n)), written out term by term."""
    model = flat_qubits()
    kA, kB = sp.symbols("kappa_A kappa_B", positive=True)
    vals = {w1: 1.7, w2: 1.1, lam: 0.35, TA: 1.4, TB: 0.6, kA: 0.05, kB: 0.02}
    gen = redfield_generator(model, vals)
    E, V, d = gen.energies, gen.eigenvectors, 4
    for name, (op, T, kv) in {"A": (model.couplings[0].operator, 1.4, 0.05),
                              "B": (model.couplings[1].operator, 0.6, 0.02)}.items():
        Lop = V.conj().T @ np.array(op.matrix.tolist(), dtype=complex) @ V
        comps = [c for c in bohr_decomposition(Lop, E, 1e-9) if c.frequency > 0]
        n = lambda x, _T=T: 1.0 / math.expm1(x / _T)  # noqa: E731
        # per correlation function: the components A_b(w) with Gamma(w) = gamma(w)/2
        families = ([(c.operator, kv * (1 + n(c.frequency)) / 2) for c in comps],      # <X X^dag>
                    [(c.operator.conj().T, kv * n(c.frequency) / 2) for c in comps])   # <X^dag X>
        S = np.zeros((d * d, d * d), complex)
        for col in range(d * d):
            X = np.zeros(d * d, complex)
            X[col] = 1.0
            rho = X.reshape((d, d), order="F")
            out = np.zeros((d, d), complex)
            for parts in families:  # cross-correlations <X X>, <X^dag X^dag> vanish
                for Ab, G in parts:
                    for Aa, _ in parts:  # A_a(w') runs over all components of the same operator
                        t = G * (Ab @ rho @ Aa.conj().T - Aa.conj().T @ Ab @ rho)
                        out += t + np.conj(G) * (Aa @ rho @ Ab.conj().T - rho @ Ab.conj().T @ Aa)
            S[:, col] = out.reshape(-1, order="F")
        assert rel_max(gen.dissipators_eigenbasis[name].toarray(), S) <= 1e-13


# ---- symbolic kernel vs numeric generator ----------------------------------------------------
@pytest.mark.parametrize("seed", [3, 4, 5])
def test_symbolic_kernel_equals_numeric_generator_fogedby(seed):
    me = redfield("fogedby")
    vals, lams, gs = fogedby_point(seed)
    L_site, _, _ = redfield_liouvillian(me.model, vals, gs)
    assert rel_max(symbolic_generator(me, vals, lams), in_symbolic_basis(me, L_site, vals)) <= 1e-10


@pytest.mark.parametrize("name", ["hermitian", "tilted"])
def test_symbolic_kernel_equals_numeric_generator_hermitian_couplings(name):
    me = redfield(name)
    vals = ohmic_point(me.model, 7)
    vals.setdefault(a, 0.6)
    L_site, _, _ = redfield_liouvillian(me.model, vals)
    assert rel_max(symbolic_generator(me, vals), in_symbolic_basis(me, L_site, vals)) <= 1e-10


def test_lamb_shift_enters_as_gamma_over_2_plus_i_S():
    """With lamb_shift=True the symbolic kernel carries S^e_X(w), S^a_X(w); with the numeric
    generator's principal values substituted it equals the numeric generator."""
    me = bloch_redfield_master_equation(ohmic_rwa_qubits(), lamb_shift=True)
    vals = ohmic_point(me.model, 11)
    gen = redfield_generator(me.model, vals, lamb_shift=True)
    shifts = [(lamb_shift_function(X, f.kind), abs(wv), G.imag)
              for X, fams in gen.families.items() for f in fams for wv, G, _ in f.components]
    sub = {}
    for v in me.kernel.values():
        for fn in v.atoms(sp.core.function.AppliedUndef):
            if fn.func.__name__.startswith("S^") and fn not in sub:
                wv = numeric(fn.args[0], vals).real
                match = [S for F, ww, S in shifts if F == fn.func and abs(ww - wv) < 1e-12]
                assert len(match) == 1
                sub[fn] = sp.Float(match[0], 17)
    assert len(sub) == 8  # S^e, S^a of two baths at omega_+ and omega_-
    Ls = symbolic_generator(me, vals, sub=sub)
    Ln = in_symbolic_basis(me, gen.liouvillian, vals)
    assert rel_max(Ls, Ln) <= 1e-10
    L0 = redfield_generator(me.model, vals).liouvillian
    assert np.abs(gen.liouvillian - L0).max() > 1e-3 * np.abs(L0).max()  # the shift matters


def test_lamb_shift_principal_value_closed_form():
    """Ohmic bath at T -> 0: S^e(w) = -(kappa/2pi) [c - w e^{-w/c} Ei(w/c)] (B&P eq. 3.138)."""
    kv, cv, T = 0.1, 2.0, 1e-6  # thermal correction ~ kappa T^2 pi^2 / (12 pi w)
    rt = _Rates("A", "bosonic", T, 0.0, lambda x: kv * x * math.exp(-x / cv))
    for wv in (0.3, 1.0, 2.5):
        exact = -kv / (2 * math.pi) * (cv - wv * math.exp(-wv / cv) * ssp.expi(wv / cv))
        assert _lamb_shift(rt, "emission", wv) == pytest.approx(exact, rel=1e-8)
    # Hermitian coupling at w = 0 (the g n / v singularities of the two parts cancel): continuous
    rt = _Rates("A", "bosonic", 0.7, 0.0, lambda x: kv * x * math.exp(-x / cv))
    S0 = _lamb_shift(rt, "hermitian", 0.0)
    assert S0 == pytest.approx(-kv * cv / (2 * math.pi), rel=1e-10)  # -(1/2pi) int g(v)/v dv
    for eps in (1e-3, -1e-3):
        assert _lamb_shift(rt, "hermitian", eps) == pytest.approx(S0, rel=2e-2)


# ---- generator properties ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["fogedby", "tilted"])
def test_trace_and_hermiticity_preservation(name):
    me = redfield(name)
    d = me.dim
    alpha_beta = {}
    if me.spectrum.mixing:
        (_, al, be), = me.spectrum.mixing
        alpha_beta = {al**2: 1 - be**2}
    for q in range(d):
        for qq in range(d):
            tr = sp.expand(sum(me.kernel.get(((p, p), (q, qq)), 0) for p in range(d)))
            assert sp.expand(tr.subs(alpha_beta)) == 0
            for p in range(d):
                for pp in range(d):
                    v = me.kernel.get(((p, pp), (q, qq)), 0)
                    vc = me.kernel.get(((pp, p), (qq, q)), 0)
                    assert sp.expand(vc - sp.conjugate(v)) == 0


# ---- Fogedby sec. IV.C.1 ------------------------------------------------------------------------
def test_fogedby_eqs_4_20_to_4_31_structure():
    me, sec = redfield("fogedby"), fc.master_equation()
    K = me.kernel_element
    # one sector holds the populations and rho_23, rho_32 (the secular one: populations only)
    assert [(1, 1), (2, 2), (3, 3), (4, 4), (2, 3), (3, 2)] in [
        sorted(((i + 1, j + 1) for i, j in s_), key=lambda x: (x[0] != x[1], x)) for s_ in me.sectors()]
    assert [(0, 0), (1, 1), (2, 2), (3, 3)] in sec.sectors()
    # populations couple to rho_23 only without the secular approximation (4.20, 4.23)
    for p in (1, 4):
        assert K(p, p, 2, 3) != 0 and sec.kernel_element(p, p, 2, 3) == 0
        assert sp.expand(K(p, p, 2, 3) - K(p, p, 3, 2)) == 0                  # A_p
        assert K(2, 3, p, p) != 0 and sp.expand(K(2, 3, p, p) - K(3, 2, p, p)) == 0  # B_p
    # C: the dissipative part of K_23,23 is the paper's, as in the secular equation
    E = me.energies
    C = sp.expand(K(2, 3, 2, 3) + sp.I * (E[1] - E[2]))
    assert sp.expand(C - sp.expand(sec.kernel_element(2, 3, 2, 3) + sp.I * (E[1] - E[2]))) == 0
    assert numeric(C - fc.published_coherence_decay(), *fogedby_point(0)[:2]) == pytest.approx(0, abs=1e-14)
    # beyond 4.21-4.22, 4.24: eq. 5.2 also gives K_22,23, K_33,23 (needed for the trace:
    # A_1 + A_4 != 0) and K_23,22, K_23,33
    vals, lams, _ = fogedby_point(1)
    A1, A4 = numeric(K(1, 1, 2, 3), vals, lams), numeric(K(4, 4, 2, 3), vals, lams)
    assert abs(A1 + A4) > 1e-3 * abs(A1)
    for args in ((2, 2, 2, 3), (3, 3, 2, 3), (2, 3, 2, 2), (2, 3, 3, 3)):
        assert abs(numeric(K(*args), vals, lams)) > 1e-2 * abs(A1)


def test_rho23_first_order_is_the_excitation_current():
    """rho_23 = sum_p K_23,pp rho_p / (i E_23) = -i (q^A_+/omega_+ + q^A_-/omega_-) / (2 lambda):
    it does not vanish (contrary to sec. IV.C.1) and carries the current between the qubits."""
    me = redfield("fogedby")
    ss = first_order_steady_state(me, fc.steady_state())
    wp, wm = fc.frequency("+"), fc.frequency("-")
    ch = fc.master_equation().heat_current("A", fc.steady_state(), by_channel=True)
    claim = -sp.I * (ch[wp] / wp + ch[wm] / wm) / (2 * fc.lam)
    for seed in (0, 1, 2):
        vals, lams, gs = fogedby_point(seed)
        r23 = numeric(ss.rho[1, 2], vals, lams)
        assert abs(r23) > 1e-4 or vals[fc.TA] == vals[fc.TB]
        assert abs(r23 - numeric(claim, vals, lams)) <= 1e-12 * abs(r23)
        # ... and it is the leading order of the numeric Redfield steady state
        res = redfield_steady_state(me.model, vals, gs)
        U = symbolic_unitary(me, vals)
        R = U.conj().T @ res.rho @ U
        assert abs(R[1, 2] - r23) <= 0.1 * abs(r23)


def test_heat_current_through_thermo_uses_the_redfield_dissipator():
    me = redfield("fogedby")
    ss = first_order_steady_state(me, fc.steady_state())
    qA = me.heat_current("A", ss)
    with pytest.raises(NotImplementedError):
        me.heat_current("A", ss, by_channel=True)
    vals, lams, gs = fogedby_point(4)
    rho = np.array([[numeric(ss.rho[i, j], vals, lams) for j in range(4)] for i in range(4)])
    gen = redfield_generator(me.model, vals, gs)
    U = symbolic_unitary(me, vals)
    rho_site = U @ rho @ U.conj().T
    rho_e = gen.eigenvectors.conj().T @ rho_site @ gen.eigenvectors
    q_num = float(np.real(np.sum(gen.energies * np.diag(gen.dissipate("A", rho_e)))))
    assert numeric(qA, vals, lams).real == pytest.approx(q_num, rel=1e-10)


def test_symbolic_steady_state_with_coherences_tilted_qubit():
    """steady_state() goes through the population-coherence sector; it equals the numeric
    Redfield steady state, and so do the heat currents Tr[H D_X(rho)]."""
    me = redfield("tilted")
    ss = me.steady_state()
    assert "coherence" in ss.method and ss.rho[0, 1] != 0
    qA = me.heat_current("A", ss)
    qB = me.heat_current("B", ss)
    for seed in (0, 1):
        vals = ohmic_point(me.model, seed)
        vals[a] = 0.6
        res = redfield_steady_state(me.model, vals)
        U = symbolic_unitary(me, vals)
        R = U.conj().T @ res.rho @ U
        S = np.array([[numeric(ss.rho[i, j], vals) for j in range(2)] for i in range(2)])
        assert np.abs(S - R).max() <= 1e-11
        assert numeric(qA, vals).real == pytest.approx(res.heat_currents["A"], rel=1e-9)
        assert numeric(qA + qB, vals).real == pytest.approx(0, abs=1e-14)


# ---- secular limit ---------------------------------------------------------------------------------
def test_redfield_tends_to_secular_at_weak_dissipation(capsys):
    model = flat_qubits()
    kA, kB = sp.symbols("kappa_A kappa_B", positive=True)
    base = {w1: 1.3, w2: 1.0, lam: 0.2, TA: 2.0, TB: 0.5}
    rows = compare_secular_redfield(model, {**base, kA: np.array([1e-2, 1e-3]), kB: np.array([7e-3, 7e-4])},
                                    progress=True)
    assert "2/2 points" in capsys.readouterr().err
    r1, r2 = rows
    assert r1["rho_deviation"] > 1e-3 and 5 < r1["rho_deviation"] / r2["rho_deviation"] < 20
    for b in "AB":  # heat currents: corrections O((g/E)^2)
        assert r1["heat_deviation"][b] / r2["heat_deviation"][b] > 50
    assert r2["max_coherence"] > 1e-4 and r2["min_eigenvalue"] > 0


def test_single_transition_redfield_is_secular_including_chemical_work():
    """With a single Bohr frequency there is no pair w != w': Redfield = Davies, and the
    particle current read off the jump terms gives the solver's heat = energy - mu J."""
    wv, TL, TR = qs.symbols("omega T_L T_R", positive=True)
    mu = qs.symbols("mu", real=True)
    (c,) = qs.fermions(1)
    m = qs.OpenSystem(wv * c.n, (
        qs.Coupling(c.c, qs.FermionicBath("L", TL, qs.FlatSpectrum(kap), chemical_potential=mu)),
        qs.Coupling(c.c, qs.FermionicBath("R", TR, qs.FlatSpectrum(kap)))))
    (row,) = compare_secular_redfield(m, [{wv: 1.0, TL: 1.0, TR: 0.4, kap: 0.1, mu: 0.5}])
    assert row["rho_deviation"] <= 1e-14 and row["max_coherence"] == 0
    for b in "LR":
        assert row["heat_redfield"][b] == pytest.approx(row["heat_secular"][b], rel=1e-12)
    assert abs(row["heat_redfield"]["L"] + row["heat_redfield"]["R"]) > 1e-3  # chemical work
