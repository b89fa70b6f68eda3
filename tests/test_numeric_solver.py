"""Tests of the independent numeric (Davies / local) master-equation solver.

Every test asserts physics: Gibbs states, closed-form single-qubit and resonant-level results,
energy conservation, the second law, positivity, and the errors raised for bad input.
"""
from __future__ import annotations

from functools import lru_cache
import math
import warnings

import numpy as np
import pytest
import scipy.linalg as sla
import sympy as sp
from hypothesis import given, settings, strategies as st, HealthCheck

from qsym.algebra.operators import fermions, qubits
from qsym.baths import (BosonicBath, FermionicBath, FlatSpectrum, LorentzianSpectrum,
                        OhmicSpectrum, UndefinedSpectrum)
from qsym.model import Coupling, OpenSystem
from qsym.numeric.solver import (NonUniqueSteadyStateError, NumericSolver, SecularityWarning,
                                 gibbs_state, local_hamiltonian)

w, w1, w2, w3 = sp.symbols("omega omega_1 omega_2 omega_3", positive=True)
TA, TB = sp.symbols("T_A T_B", positive=True)
kA, kB, cA, cB = sp.symbols("kappa_A kappa_B omega_cA omega_cB", positive=True)
lam, J = sp.symbols("lambda J", real=True)


# ---- helpers ------------------------------------------------------------------------------
def assert_valid_state(rho, atol=1e-12):
    assert abs(np.trace(rho) - 1) < 1e-12
    assert np.allclose(rho, rho.conj().T, rtol=0, atol=1e-14)
    assert np.linalg.eigvalsh(rho).min() >= -atol


def bose(wv, T):
    return 1.0 / math.expm1(wv / T)


def gross_flux(res, name):
    """sum_{n != p} |E_n - E_p| K[n,p] P_p: the scale of the energy flows through bath `name`."""
    K = res.rate_matrices[name].copy()
    np.fill_diagonal(K, 0.0)
    dE = np.abs(res.energies[:, None] - res.energies[None, :])
    return float(np.sum(dE * K * res.populations[None, :]))


def qubit_two_baths(spec_A=None, spec_B=None, form="rwa"):
    (q,) = qubits(1)
    A = BosonicBath("A", TA, spec_A or FlatSpectrum(kA))
    B = BosonicBath("B", TB, spec_B or FlatSpectrum(kB))
    op = q.sm if form == "rwa" else q.sx
    return q, OpenSystem(w / 2 * q.sz, (Coupling(op, A, form), Coupling(op, B, form)))


# ---- single qubit ------------------------------------------------------------------------
@pytest.mark.parametrize("spec", [FlatSpectrum(kA), OhmicSpectrum(kA, cA),
                                  LorentzianSpectrum(kA, 1.3, 0.4)])
@pytest.mark.parametrize("wv,T", [(1.0, 0.5), (2.7, 0.3), (0.5, 5.0)])
def test_single_qubit_one_bath_is_gibbs(spec, wv, T):
    (q,) = qubits(1)
    model = OpenSystem(w / 2 * q.sz, (Coupling(q.sm, BosonicBath("A", TA, spec)),))
    res = NumericSolver(model).solve({w: wv, TA: T, kA: 0.02, cA: 4.0})
    H = np.diag([wv / 2, -wv / 2])
    np.testing.assert_allclose(res.rho, gibbs_state(H, T), rtol=0, atol=1e-14)
    # detailed balance in the eigenbasis (ground state first): P_+/P_- = exp(-w/T)
    assert res.populations[1] / res.populations[0] == pytest.approx(math.exp(-wv / T), rel=1e-12)
    assert abs(res.heat_currents["A"]) <= 1e-15 * 0.02 * wv * (1 + bose(wv, T))
    assert abs(res.entropy_production) <= 1e-13
    assert res.nullspace_dim == 1
    np.testing.assert_allclose(res.bohr_frequencies, [wv], rtol=1e-15)


@pytest.mark.parametrize("form", ["rwa", "hermitian"])
@pytest.mark.parametrize("Ta,Tb", [(2.0, 0.5), (0.4, 3.0), (1.0, 1.0001)])
def test_single_qubit_between_two_baths(form, Ta, Tb):
    q, model = qubit_two_baths(spec_B=OhmicSpectrum(kB, cB), form=form)
    wv, ka, kb, wc = 1.3, 0.01, 0.03, 5.0
    res = NumericSolver(model).solve({w: wv, TA: Ta, TB: Tb, kA: ka, kB: kb, cB: wc})
    assert_valid_state(res.rho)
    qA, qB = res.heat_currents["A"], res.heat_currents["B"]
    assert abs(qA + qB) <= 1e-10 * max(abs(qA), abs(qB))
    hot, cold = ("A", "B") if Ta > Tb else ("B", "A")
    assert res.heat_currents[hot] > 0 > res.heat_currents[cold]  # heat flows hot -> cold
    assert res.entropy_production > 0
    assert res.entropy_production == pytest.approx(-(qA / Ta + qB / Tb), rel=1e-14)
    # closed form: rates down g(1+n), up g n (sx in the Hermitian form gives the same jumps)
    gA, gB = ka, kb * wv * math.exp(-wv / wc)
    down = gA * (1 + bose(wv, Ta)) + gB * (1 + bose(wv, Tb))
    up = gA * bose(wv, Ta) + gB * bose(wv, Tb)
    p_exc = up / (up + down)
    assert res.populations[1] == pytest.approx(p_exc, rel=1e-12)
    qA_exact = wv * (gA * bose(wv, Ta) * (1 - p_exc) - gA * (1 + bose(wv, Ta)) * p_exc)
    assert qA == pytest.approx(qA_exact, rel=1e-9)
    # Pauli rate matrix of bath A (levels: 0 = |->, 1 = |+>)
    KA = res.rate_matrices["A"]
    assert KA[1, 0] == pytest.approx(gA * bose(wv, Ta), rel=1e-13)
    assert KA[0, 1] == pytest.approx(gA * (1 + bose(wv, Ta)), rel=1e-13)
    np.testing.assert_allclose(KA.sum(axis=0), 0, atol=1e-17)
    # the site-basis Liouvillian annihilates the steady state; D_X(rho) is traceless
    assert np.linalg.norm(res.liouvillian @ res.rho.reshape(-1, order="F")) < 1e-15
    assert abs(np.trace(res.dissipators["A"](res.rho))) < 1e-17
    assert np.trace(model.H.matrix.subs(w, wv).__array__().astype(complex)
                    @ res.dissipators["A"](res.rho)).real == pytest.approx(qA, rel=1e-12)
    assert res.expectation(q.sz) == pytest.approx(2 * p_exc - 1, rel=1e-12)
    assert res.coherence(0, 1) == 0


def test_values_by_name_and_undefined_spectrum_callable():
    (q,) = qubits(1)
    model = OpenSystem(w / 2 * q.sz, (Coupling(q.sm, BosonicBath("A", TA)),
                                      Coupling(q.sm, BosonicBath("B", TB, FlatSpectrum(kB)))))
    vals = {"omega": 1.1, "T_A": 0.7, "T_B": 2.0, "kappa_B": 0.02}
    r1 = NumericSolver(model).solve(vals, spectral={"A": lambda x: 0.02})
    flat = OpenSystem(w / 2 * q.sz, (Coupling(q.sm, BosonicBath("A", TA, FlatSpectrum(kB))),
                                     Coupling(q.sm, BosonicBath("B", TB, FlatSpectrum(kB)))))
    r2 = NumericSolver(flat).solve({w: 1.1, TA: 0.7, TB: 2.0, kB: 0.02})
    np.testing.assert_allclose(r1.rho, r2.rho, rtol=0, atol=1e-15)
    # an Ohmic callable is evaluated at the Bohr frequency only
    seen = []
    NumericSolver(model).solve(vals, spectral={"A": lambda x: seen.append(x) or 0.01 * x})
    assert seen and all(x == pytest.approx(1.1, rel=1e-15) for x in seen)


def test_defined_symbols_are_evaluated_from_their_definition():
    from qsym.algebra.symbols import DefinedSymbol
    x = sp.Symbol("x", positive=True)
    Om = DefinedSymbol("Omega", 2 * x, positive=True)
    (q,) = qubits(1)
    model = OpenSystem(Om / 2 * q.sz, (Coupling(q.sm, BosonicBath("A", TA, FlatSpectrum(0.01))),))
    res = NumericSolver(model).solve({x: 0.6, TA: 0.9})
    np.testing.assert_allclose(res.rho, gibbs_state(np.diag([0.6, -0.6]), 0.9), atol=1e-15)
    assert res.values[Om] == pytest.approx(1.2, rel=1e-15)


# ---- two coupled qubits: global Pauli rates from the closed-form dressed states ----------------
@pytest.mark.parametrize("wa,wb,lv", [(1.0, 1.6, 0.2), (2.0, 2.0, 0.1), (1.3, 0.7, 0.35)])
def test_two_coupled_qubits_global_matches_dressed_state_rates(wa, wb, lv):
    """|G> = |-->, |phi_+-> = single-excitation eigenstates (mixing angle theta with
    tan 2 theta = lam / delta), |E> = |++>; the matrix elements of sigma^-_1 and sigma^-_2 between
    them are cos/sin theta, which gives the Pauli rates independently of the solver."""
    a, b = qubits(2)
    model = OpenSystem(w1 / 2 * a.sz + w2 / 2 * b.sz + lam * (a.sp * b.sm + a.sm * b.sp),
                       (Coupling(a.sm, BosonicBath("A", TA, FlatSpectrum(kA))),
                        Coupling(b.sm, BosonicBath("B", TB, OhmicSpectrum(kB, cB)))))
    Ta, Tb, ka, kb, wc = 1.7, 0.45, 0.01, 0.03, 3.0
    res = NumericSolver(model).solve({w1: wa, w2: wb, lam: lv, TA: Ta, TB: Tb, kA: ka, kB: kb, cB: wc})
    s, dl = (wa + wb) / 2, (wa - wb) / 2
    Om = math.hypot(dl, lv)
    th = 0.5 * math.atan2(lv, dl)
    c, sn = math.cos(th), math.sin(th)
    E = np.array([-s, -Om, Om, s])  # G, phi_-, phi_+, E (ascending)
    np.testing.assert_allclose(res.energies, E, rtol=1e-14, atol=1e-15)
    # (initial, final, amplitude) of sigma^-_1 and sigma^-_2
    amps = {"A": [(2, 0, c), (1, 0, -sn), (3, 2, sn), (3, 1, c)],
            "B": [(2, 0, sn), (1, 0, c), (3, 2, c), (3, 1, -sn)]}
    spec = {"A": lambda x: ka, "B": lambda x: kb * x * math.exp(-x / wc)}
    temps = {"A": Ta, "B": Tb}
    K = {}
    for X in "AB":
        K[X] = np.zeros((4, 4))
        for i, f, amp in amps[X]:
            wv = E[i] - E[f]
            g, n = spec[X](wv), bose(wv, temps[X])
            K[X][f, i] += g * (1 + n) * amp**2
            K[X][i, f] += g * n * amp**2
        K[X] -= np.diag(K[X].sum(axis=0))
        np.testing.assert_allclose(res.rate_matrices[X], K[X], rtol=1e-12, atol=1e-18)
    Ktot = K["A"] + K["B"]
    P = sla.null_space(Ktot)[:, 0]
    P /= P.sum()
    np.testing.assert_allclose(res.populations, P, rtol=1e-10)
    for X in "AB":
        qx = float(E @ K[X] @ P)
        assert res.heat_currents[X] == pytest.approx(qx, rel=1e-9)
    np.testing.assert_allclose(np.abs(res.rho_eigenbasis - np.diag(P)), 0, atol=1e-15)


@pytest.mark.parametrize("master", ["global", "local"])
def test_steady_state_is_long_time_limit(master):
    a, b = qubits(2)
    model = OpenSystem(w1 / 2 * a.sz + w2 / 2 * b.sz + lam * (a.sp * b.sm + a.sm * b.sp) + J * a.sz * b.sz,
                       (Coupling(a.sm, BosonicBath("A", TA, FlatSpectrum(kA))),
                        Coupling(b.sm, BosonicBath("B", TB, FlatSpectrum(kB)))))
    res = NumericSolver(model, master).solve({w1: 1.0, w2: 1.1, lam: 0.3, J: 0.05, TA: 2.0, TB: 0.6,
                                              kA: 0.05, kB: 0.04})
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    rho0 = X @ X.conj().T
    rho0 /= np.trace(rho0)
    Lv = res.liouvillian.toarray()
    rho_t = (sla.expm(Lv * 3000.0) @ rho0.reshape(-1, order="F")).reshape(4, 4, order="F")
    np.testing.assert_allclose(rho_t, res.rho, rtol=0, atol=1e-10)
    assert_valid_state(res.rho)
    if master == "local":  # first law with the full H: sum_X Tr[H D_X(rho)] = i Tr[H [H, rho]] = 0
        q = res.heat_currents
        assert abs(q["A"] + q["B"]) <= 1e-10 * abs(q["A"])


# ---- Hermitian coupling with a pure-dephasing component --------------------------------------
def test_zero_frequency_dephasing_rate_and_divergence():
    (q,) = qubits(1)
    relax = Coupling(q.sm, BosonicBath("A", TA, FlatSpectrum(kA)))
    deph = OpenSystem(w / 2 * q.sz + lam * q.sx, (relax, Coupling(q.sz, BosonicBath("B", TB, OhmicSpectrum(kB, cB)), "hermitian")))
    res = NumericSolver(deph).solve({w: 1.0, lam: 0.0, TA: 1.0, TB: 0.8, kA: 0.01, kB: 0.03, cB: 2.0})
    zero = [jp for jp in res.dissipators["B"].jumps if jp.frequency == 0.0]
    assert len(zero) == 1
    # lim_{w->0} kappa w exp(-w/wc) n(w) = kappa T
    assert zero[0].rate == pytest.approx(0.03 * 0.8, rel=1e-9)
    # pure dephasing commutes with H: no heat flows through B, and rho is Gibbs of bath A
    assert abs(res.heat_currents["B"]) < 1e-16
    np.testing.assert_allclose(res.rho, gibbs_state(np.diag([0.5, -0.5]), 1.0), atol=1e-14)

    flat = OpenSystem(w / 2 * q.sz, (relax, Coupling(q.sz, BosonicBath("B", TB, FlatSpectrum(kB)), "hermitian")))
    with pytest.raises(ValueError, match=r"'B'.*diverges"):
        NumericSolver(flat).solve({w: 1.0, TA: 1.0, TB: 0.8, kA: 0.01, kB: 0.03})


# ---- fermionic resonant level ----------------------------------------------------------------
def test_resonant_level_between_two_leads():
    (c,) = fermions(1)
    eps, muL, muR = sp.symbols("epsilon mu_L mu_R", real=True)
    L = FermionicBath("L", TA, FlatSpectrum(kA), chemical_potential=muL)
    R = FermionicBath("R", TB, FlatSpectrum(kB), chemical_potential=muR)
    model = OpenSystem(eps * c.n, (Coupling(c.c, L), Coupling(c.c, R)))
    v = {eps: 0.8, muL: 1.2, muR: 0.1, TA: 0.5, TB: 0.9, kA: 0.02, kB: 0.05}
    res = NumericSolver(model).solve(v)
    fL = 1 / (math.exp((0.8 - 1.2) / 0.5) + 1)
    fR = 1 / (math.exp((0.8 - 0.1) / 0.9) + 1)
    p = (0.02 * fL + 0.05 * fR) / 0.07
    assert res.expectation(c.n) == pytest.approx(p, rel=1e-13)
    jL = 0.02 * (fL - p)
    assert res.particle_currents["L"] == pytest.approx(jL, rel=1e-11)
    assert res.particle_currents["R"] == pytest.approx(-jL, rel=1e-11)
    assert res.energy_currents["L"] == pytest.approx(0.8 * jL, rel=1e-11)
    assert res.heat_currents["L"] == pytest.approx((0.8 - 1.2) * jL, rel=1e-11)
    assert res.entropy_production > 0


# ---- local master equation -------------------------------------------------------------------
def test_local_hamiltonian_projection():
    a, b = qubits(2)
    Hs = w1 / 2 * a.sz + w2 / 2 * b.sz + lam * (a.sp * b.sm + a.sm * b.sp) + J * a.sz * b.sz + 3 * a.sx * 0 + 0.7
    sub = {w1: 1.0, w2: 1.7, lam: 0.3, J: 0.2}
    H = np.array(Hs.matrix.subs(sub).evalf().tolist(), dtype=complex)
    Hloc = np.array((w1 / 2 * a.sz + w2 / 2 * b.sz + 0.7).matrix.subs(sub).evalf().tolist(), dtype=complex)
    np.testing.assert_allclose(local_hamiltonian(H, [2, 2]), Hloc, atol=1e-15)


@pytest.mark.parametrize("master", ["global", "local"])
def test_uncoupled_sites_thermalise_separately(master):
    a, b = qubits(2)
    model = OpenSystem(w1 / 2 * a.sz + w2 / 2 * b.sz + lam * (a.sp * b.sm + a.sm * b.sp),
                       (Coupling(a.sm, BosonicBath("A", TA, FlatSpectrum(kA))),
                        Coupling(b.sm, BosonicBath("B", TB, FlatSpectrum(kB)))))
    for wv2 in (1.7, 1.0):  # also exactly degenerate sites
        res = NumericSolver(model, master).solve({w1: 1.0, w2: wv2, lam: 0.0, TA: 0.6, TB: 2.5,
                                                  kA: 0.01, kB: 0.02})
        expected = np.kron(gibbs_state(np.diag([0.5, -0.5]), 0.6),
                           gibbs_state(np.diag([wv2 / 2, -wv2 / 2]), 2.5))
        np.testing.assert_allclose(res.rho, expected, rtol=0, atol=1e-14)
        assert abs(res.heat_currents["A"]) < 1e-16 and abs(res.heat_currents["B"]) < 1e-16
        assert (res.rate_matrices is None) == (master == "local")


# ---- property-based: qubit chains --------------------------------------------------------------
@lru_cache(maxsize=None)
def chain_model(n, zz, specA, specB):
    qs = qubits(n)
    ws = (w1, w2, w3)[:n]
    lams = sp.symbols(f"lambda_1:{n}", real=True)
    H = sum((ws[i] / 2 * qs[i].sz for i in range(1, n)), ws[0] / 2 * qs[0].sz)
    for i in range(n - 1):
        H = H + lams[i] * (qs[i].sp * qs[i + 1].sm + qs[i].sm * qs[i + 1].sp)
        if zz:
            H = H + J * qs[i].sz * qs[i + 1].sz
    spec = {"flat": lambda k, c: FlatSpectrum(k), "ohmic": lambda k, c: OhmicSpectrum(k, c)}
    baths = (Coupling(qs[0].sm, BosonicBath("A", TA, spec[specA](kA, cA))),
             Coupling(qs[-1].sm, BosonicBath("B", TB, spec[specB](kB, cB))))
    return OpenSystem(H, baths), ws, lams


@st.composite
def chains(draw, equal_temperatures=False):
    n = draw(st.sampled_from([2, 3]))
    zz = draw(st.booleans())
    specA, specB = draw(st.sampled_from(["flat", "ohmic"])), draw(st.sampled_from(["flat", "ohmic"]))
    model, ws, lams = chain_model(n, zz, specA, specB)
    freq = [draw(st.floats(0.5, 3.0)) for _ in ws]
    # keep every lowering transition of sigma^- energy-lowering (RWA coupling stays valid)
    lam_max = min(0.4, 0.25 * min(freq))
    vals = dict(zip(ws, freq))
    vals.update({l: draw(st.floats(0.05, lam_max)) for l in lams})
    vals[J] = draw(st.floats(-0.1, 0.1)) * min(freq) if zz else 0.0
    vals[TA] = draw(st.floats(0.3, 5.0))
    vals[TB] = vals[TA] if equal_temperatures else draw(st.floats(0.3, 5.0))
    vals.update({kA: draw(st.floats(0.001, 0.05)), kB: draw(st.floats(0.001, 0.05)),
                 cA: draw(st.floats(2.0, 10.0)), cB: draw(st.floats(2.0, 10.0))})
    return model, {s: v for s, v in vals.items() if s in model.parameters}


def solve_quietly(model, vals, master):
    with warnings.catch_warnings():
        # nearly degenerate Bohr frequencies occur for some draws; the Davies generator is still
        # a valid (if questionable) Lindbladian, and these tests check its properties
        warnings.simplefilter("ignore", SecularityWarning)
        # weakly hybridised multi-excitation states can make a tiny component of sigma^- raise
        # the energy; it is dropped (RWA) with a UserWarning, which is tested elsewhere
        warnings.filterwarnings("ignore", message=r".*do not lower the energy", category=UserWarning)
        return NumericSolver(model, master).solve(vals)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains())
def test_chain_global_properties(case):
    model, vals = case
    res = solve_quietly(model, vals, "global")
    assert_valid_state(res.rho)
    assert res.nullspace_dim == 1
    q = res.heat_currents
    gross = sum(gross_flux(res, x) for x in q)
    assert abs(q["A"] + q["B"]) <= 1e-10 * max(abs(q["A"]), abs(q["B"])) + 1e-13 * gross
    assert res.entropy_production >= -1e-12
    # populations are stationary under the Pauli master equation of both baths
    K = res.rate_matrices["A"] + res.rate_matrices["B"]
    assert np.abs(K @ res.populations).max() <= 1e-13 * np.abs(K).max()
    if vals[TA] != vals[TB]:  # heat flows from the hotter to the colder bath (or not at all)
        hot = "A" if vals[TA] > vals[TB] else "B"
        assert q[hot] >= -1e-13 * gross


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains())
def test_chain_local_properties(case):
    model, vals = case
    res = solve_quietly(model, vals, "local")
    assert_valid_state(res.rho)
    assert res.nullspace_dim == 1
    assert res.rate_matrices is None
    assert np.linalg.norm(res.liouvillian @ res.rho.reshape(-1, order="F")) < 1e-13


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(equal_temperatures=True))
def test_chain_equal_temperatures_is_gibbs(case):
    model, vals = case
    res = solve_quietly(model, vals, "global")
    np.testing.assert_allclose(res.rho, gibbs_state(res.H, vals[TA]), rtol=0, atol=1e-9)
    for x in ("A", "B"):
        assert abs(res.heat_currents[x]) <= 1e-9 * gross_flux(res, x) + 1e-300
    assert abs(res.entropy_production) <= 1e-12


# ---- warnings ---------------------------------------------------------------------------------
def test_secularity_warning_names_transitions():
    a, b = qubits(2)
    model = OpenSystem(w1 / 2 * a.sz + w2 / 2 * b.sz,
                       (Coupling(a.sm + b.sm, BosonicBath("A", TA, FlatSpectrum(kA))),))
    with pytest.warns(SecularityWarning, match=r"transitions \d->\d \(w=1\.0\d+\) and \d->\d.*Bloch-Redfield"):
        NumericSolver(model).solve({w1: 1.0, w2: 1.0005, TA: 1.0, kA: 0.05})
    with warnings.catch_warnings():  # well separated frequencies: no warning
        warnings.simplefilter("error", SecularityWarning)
        NumericSolver(model).solve({w1: 1.0, w2: 1.5, TA: 1.0, kA: 0.05})


def test_rwa_drops_energy_raising_components_with_warning():
    (q,) = qubits(1)
    A = BosonicBath("A", TA, FlatSpectrum(kA))
    model = OpenSystem(w / 2 * q.sz, (Coupling(q.sx, A),))
    with pytest.warns(UserWarning, match=r"bath 'A'.*dropped 1"):
        res = NumericSolver(model).solve({w: 1.0, TA: 0.5, kA: 0.01})
    rwa = NumericSolver(OpenSystem(w / 2 * q.sz, (Coupling(q.sm, A),))).solve({w: 1.0, TA: 0.5, kA: 0.01})
    np.testing.assert_allclose(res.rho, rwa.rho, atol=1e-15)


# ---- bad input ----------------------------------------------------------------------------------
def test_missing_parameter_value():
    _, model = qubit_two_baths()
    with pytest.raises(KeyError, match="T_B"):
        NumericSolver(model).solve({w: 1.0, TA: 1.0, kA: 0.01, kB: 0.01})


def test_missing_spectral_callable():
    (q,) = qubits(1)
    model = OpenSystem(w / 2 * q.sz, (Coupling(q.sm, BosonicBath("hot", TA, UndefinedSpectrum())),))
    with pytest.raises(ValueError, match="bath 'hot'.*spectral"):
        NumericSolver(model).solve({w: 1.0, TA: 1.0})
    with pytest.raises(ValueError, match="unknown bath"):
        NumericSolver(model).solve({w: 1.0, TA: 1.0}, spectral={"hot": abs, "cold": abs})


def test_bad_spectral_callable_values():
    (q,) = qubits(1)
    model = OpenSystem(w / 2 * q.sz, (Coupling(q.sm, BosonicBath("A", TA)),))
    with pytest.raises(ValueError, match=r"bath 'A'.*omega = 1\.3"):
        NumericSolver(model).solve({w: 1.3, TA: 1.0}, spectral={"A": lambda x: -0.1})
    with pytest.raises(ValueError, match=r"bath 'A'.*nan"):
        NumericSolver(model).solve({w: 1.3, TA: 1.0}, spectral={"A": lambda x: float("nan")})


def test_nonunique_steady_state():
    a, b = qubits(2)
    model = OpenSystem(w1 / 2 * a.sz + w2 / 2 * b.sz,
                       (Coupling(a.sm, BosonicBath("A", TA, FlatSpectrum(kA))),))
    v = {w1: 1.0, w2: 1.4, TA: 0.5, kA: 0.02}
    for master in ("global", "local"):
        with pytest.raises(NonUniqueSteadyStateError, match=r"initial state.*|2-dimensional"):
            NumericSolver(model, master).solve(v)
        with pytest.raises(NonUniqueSteadyStateError, match="2-dimensional"):
            NumericSolver(model, master).solve(v)
        res = NumericSolver(model, master).solve(v, allow_nonunique=True)
        assert res.nullspace_dim == 2
        expected = np.kron(gibbs_state(np.diag([0.5, -0.5]), 0.5), np.eye(2) / 2)
        np.testing.assert_allclose(res.rho, expected, atol=1e-13)


def test_nonpositive_temperature_value():
    _, model = qubit_two_baths()
    for T in (-1.0, 0.0):
        with pytest.raises(ValueError, match=rf"bath 'B'.*{T}"):
            NumericSolver(model).solve({w: 1.0, TA: 1.0, TB: T, kA: 0.01, kB: 0.01})


def test_non_hermitian_numeric_hamiltonian():
    (q,) = qubits(1)
    x, y = sp.symbols("x y")  # not declared real: the model cannot decide hermiticity
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = OpenSystem(x * q.sp + y * q.sm + q.sz,
                           (Coupling(q.sm, BosonicBath("A", TA, FlatSpectrum(0.01))),))
    with pytest.raises(ValueError, match="`H` is not Hermitian"):
        NumericSolver(model).solve({x: 0.3, y: 0.5, TA: 1.0})
    with warnings.catch_warnings():  # sigma^- has a zero-frequency part in the tilted eigenbasis
        warnings.simplefilter("ignore", UserWarning)
        res = NumericSolver(model).solve({x: 0.3, y: 0.3, TA: 1.0})
    assert_valid_state(res.rho)


def test_bad_master_argument():
    _, model = qubit_two_baths()
    with pytest.raises(ValueError, match="master"):
        NumericSolver(model, master="redfield")
