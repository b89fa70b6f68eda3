"""Quadratic bosons (qsym.dynamics.gaussian): closed forms against the numeric single-particle
evolution of the full matrix (up to N_1 + N_2 = 2000 modes) and against Fock-space evolution
(qsym.numeric.fock, small systems); physics of the energy assignments; bad input."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from qsym.algebra.symbols import expand_definitions
from qsym.baths import expand_occupations
from qsym.dynamics.gaussian import (ClosedFormUnavailable, QuadraticInputError, quadratic_system,
                                    uniform_blocks)
from qsym.numeric.gaussian import GaussianSolver, bose_matrix, energy_trajectories

w1, w2, g, gam, T1, T2 = sp.symbols("omega_1 omega_2 g gamma T_1 T_2", positive=True)
N1, N2 = sp.symbols("N_1 N_2", integer=True, positive=True)
t = sp.Symbol("t", positive=True)


@pytest.fixture(scope="module")
def colla():
    return uniform_blocks({"1": N1, "2": N2}, {"1": w1, "2": w2}, {"1": g, "2": g}, {("1", "2"): gam},
                          {"1": T1, "2": T2}, time=t, block_names=("Delta", "Gamma", "Omega"))


def value(expr, vals):
    e = expand_occupations(expand_definitions(sp.sympify(expr)))
    return complex(e.xreplace({s: vals[s] for s in e.free_symbols}).evalf(30))


def random_point(rng, n1, n2, time=None):
    return {w1: rng.uniform(0.5, 3), w2: rng.uniform(0.5, 3), g: rng.uniform(0.01, 0.2), gam: rng.uniform(0.005, 0.2),
            T1: rng.uniform(0.3, 3), T2: rng.uniform(0.3, 3), N1: n1, N2: n2,
            t: rng.uniform(0.1, 10) if time is None else time}


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


# ---- closed forms vs the numeric single-particle evolution of the full matrix ----------------------------
@pytest.mark.parametrize("n1,n2", [(1, 1), (3, 7), (40, 25)])
def test_energies_and_assignments_match_numeric_single_particle(colla, n1, n2):
    rng = np.random.default_rng(n1 * 100 + n2)
    a1, a2 = colla.assignment("1"), colla.assignment("2")
    worst = 0.0
    for _ in range(4):
        vals = random_point(rng, n1, n2)
        res = GaussianSolver(colla).solve(vals)
        for X in ("1", "2", "I"):
            worst = max(worst, rel(value(colla.energy_change(X), vals).real, res.energy_change(X, float(vals[t]))))
        for X, a in (("1", a1), ("2", a2)):
            for ap, q in a.approaches().items():
                num = res.assignment(X, ap, float(vals[t]))
                for k in ("dU", "dQ", "dW"):
                    worst = max(worst, rel(value(q[k], vals).real, num[k]) if abs(num[k]) > 1e-14 else abs(num[k]))
    assert worst <= 1e-10, worst


def test_largest_system_2000_modes(colla):
    """N_1 + N_2 = 2000: energies at many times and K_1 on the symmetric mode (closed form vs numeric)."""
    # couplings scaled with N so that the collective modes stay thermally populated
    # (nu_X = omega_X + (N_X - 1) g ~ 2, Gamma = 2 sqrt(N_1 N_2) gamma ~ 1)
    vals = {w1: 1.3, w2: 0.9, g: 8e-4, gam: 5e-4, T1: 1.6, T2: 0.7, N1: 1200, N2: 800, t: 3.3}
    res = GaussianSolver(colla).solve(vals)
    assert res.h.shape == (2000, 2000)
    times = np.linspace(0.0, 20.0, 9)
    traj = energy_trajectories(res, times)  # absolute energies (fast route)
    for X in ("1", "2", "I"):
        f = sp.lambdify(t, expand_occupations(expand_definitions(colla.energy_change(X))).xreplace(
            {k: v for k, v in vals.items() if k != t}), "mpmath")
        d = [float(sp.re(f(tau))) for tau in times[1:]]
        amp = max(abs(x) for x in d)  # relative to the oscillation amplitude (some times sit on its zeros)
        for k, tau in enumerate(times[1:], 1):
            assert abs(d[k - 1] - res.energy_change(X, tau)) <= 1e-10 * amp  # changes without cancellation
            assert abs(d[k - 1] - (traj[X][k] - traj[X][0])) <= 1e-9 * max(abs(traj[X][0]), amp)
    K = res.md_hamiltonian("1", 3.3)
    e = np.ones(1200) / np.sqrt(1200)
    assert rel(value(colla.minimal_dissipation("1").hamiltonian()[0, 0], vals).real, float(np.real(e @ K @ e))) <= 1e-10
    # the dark modes keep omega_1 - g: K on a vector orthogonal to the symmetric one
    v = np.zeros(1200)
    v[0], v[1] = 1 / np.sqrt(2), -1 / np.sqrt(2)
    assert abs(np.real(v @ K @ v) - (vals[w1] - vals[g])) < 1e-9


def test_spectrum_and_leading_quantities(colla):
    rng = np.random.default_rng(3)
    for n1, n2 in ((2, 5), (9, 4)):
        vals = random_point(rng, n1, n2)
        res = GaussianSolver(colla).solve(vals)
        derived = []
        for e, m in colla.spectrum():
            derived += [value(e, vals).real] * int(value(m, vals).real)
        assert np.allclose(np.sort(derived), res.eigenvalues, rtol=1e-12, atol=1e-12)


# ---- the index convention: complex h ------------------------------------------------------------------------
def test_transpose_convention_with_complex_coupling():
    """C(t) = U^* C0 U^T (propagator through h^T): for a complex coupling the other ordering is
    wrong, and the numeric Fock-space evolution sides with the derived one."""
    a, b, c, phi = sp.symbols("a b c phi", positive=True)
    h = sp.Matrix([[a, c * sp.exp(sp.I * phi)], [c * sp.exp(-sp.I * phi), b]])
    C0 = sp.Matrix([[sp.Rational(3, 10), sp.Rational(1, 10) * sp.I], [-sp.Rational(1, 10) * sp.I, sp.Rational(1, 5)]])
    s = quadratic_system(h, {"1": [0], "2": [1]}, initial=C0, time=t)
    vals = {a: 1.3, b: 0.8, c: 0.35, phi: 0.7, t: 1.9}
    C = np.array([[value(s.correlations()[i, j], vals) for j in range(2)] for i in range(2)])
    hn = np.array(h.xreplace(vals).evalf(), complex)
    from scipy.linalg import expm
    U = expm(-1j * hn * vals[t])
    C0n = np.array(C0.evalf(), complex)
    right = U.conj() @ C0n @ U.T
    wrong = U @ C0n @ U.conj().T
    assert np.allclose(C, right, atol=1e-12)
    assert not np.allclose(C, wrong, atol=1e-3)
    fock = pytest.importorskip("qsym.numeric.fock")
    # Fock space from the Gibbs product instead (initial C0 of a state is Gaussian; use temperatures)
    sG = quadratic_system(h, {"1": [0], "2": [1]}, {"1": T1, "2": T2}, time=t)
    vals.update({T1: 0.9, T2: 0.4})
    CG = np.array([[value(sG.correlations()[i, j], vals) for j in range(2)] for i in range(2)])
    ev = fock.FockEvolution(hn, {"1": [0], "2": [1]}, {"1": 0.9, "2": 0.4}, n_max=40)
    assert np.allclose(CG, ev.correlation_matrix(vals[t]), atol=1e-10)


# ---- Fock space (independent of G1-G5) ---------------------------------------------------------------------
@pytest.mark.parametrize("n1,n2", [(1, 1), (2, 1), (2, 2)])
def test_closed_forms_match_fock_space(colla, n1, n2):
    fock = pytest.importorskip("qsym.numeric.fock")
    rng = np.random.default_rng(11 + n1 + n2)
    vals = random_point(rng, n1, n2, time=2.3)
    vals.update({T1: 0.6, T2: 0.35, w1: 1.4, w2: 1.1})  # small occupations: a modest n_max is exact to 1e-12
    res = GaussianSolver(colla).solve(vals)
    n_max = {2: 40, 3: 24, 4: 18}[n1 + n2]
    ev = fock.FockEvolution(res.h, res.partition, res.temperatures, n_max=n_max)
    assert ev.tail < 1e-12
    tau = float(vals[t])
    for X in ("1", "2"):
        d = value(colla.energy_change(X), vals).real
        assert abs(d - (ev.energy(X, tau) - ev.energy(X, 0.0))) < 1e-10
    dI = value(colla.energy_change("I"), vals).real
    assert abs(dI - (ev.interaction_energy(tau) - ev.interaction_energy(0.0))) < 1e-10
    # the symmetric-mode correlation <A_1^dag A_2>(t)
    C = ev.correlation_matrix(tau)
    e1, e2 = res.symmetric_vector("1"), res.symmetric_vector("2")
    d12 = value(colla.correlations()[0, 2], vals)  # basis (A_1, dark_1, A_2, dark_2)
    assert abs(d12 - e1 @ C @ e2) < 1e-10


@pytest.mark.parametrize("n1,n2", [(1, 1), (2, 1), (1, 2)])
def test_minimal_dissipation_hamiltonian_matches_fock_canonical_form(colla, n1, n2):
    """K_S(t) of G5 against the Hamiltonian part of the canonical form of L_t = dPhi/dt Phi^-1,
    computed in Fock space (environment in its vacuum: the reduced map is exact)."""
    fock = pytest.importorskip("qsym.numeric.fock")
    rng = np.random.default_rng(5 * n1 + n2)
    vals = random_point(rng, n1, n2, time=1.7)
    res = GaussianSolver(colla).solve(vals)
    red = fock.ReducedDynamics(res.h, res.partition, "1", n_max=3)
    Kf = red.canonical_hamiltonian(1.7)
    k, c, resid = red.number_conserving_form(Kf)
    assert resid < 1e-9
    K_num = res.md_hamiltonian("1", 1.7)
    assert np.allclose(k, K_num, atol=1e-9)
    e = np.ones(n1) / np.sqrt(n1)
    assert abs(np.real(e @ k @ e) - value(colla.minimal_dissipation("1").hamiltonian()[0, 0], vals).real) < 1e-9


# ---- physics ---------------------------------------------------------------------------------------------
def test_correlation_matrix_stays_a_state(colla):
    rng = np.random.default_rng(2)
    C = colla.correlations()
    for _ in range(5):
        vals = random_point(rng, 3, 4)
        M = np.array([[value(C[i, j], vals) for j in range(C.cols)] for i in range(C.rows)])
        assert np.allclose(M, M.conj().T, atol=1e-14)
        assert np.linalg.eigvalsh(M).min() > -1e-14


def test_energy_conservation_and_direction_of_flow(colla):
    total = sp.simplify(expand_definitions(colla.energy_change("1") + colla.energy_change("2") + colla.energy_change("I")))
    assert total == 0
    rng = np.random.default_rng(4)
    for _ in range(10):
        vals = random_point(rng, 4, 6)
        nu1 = vals[w1] + 3 * vals[g]
        nu2 = vals[w2] + 5 * vals[g]
        n1, n2 = 1 / np.expm1(nu1 / vals[T1]), 1 / np.expm1(nu2 / vals[T2])
        dU1 = value(colla.energy_change("1"), vals).real
        # the symmetric mode of reservoir 1 loses quanta iff it is the more occupied one
        assert np.sign(dU1) == -np.sign(n1 - n2) or abs(dU1) < 1e-14


def test_no_exchange_when_collective_occupations_agree(colla):
    """n_1(nu_1) = n_2(nu_2) (e.g. nu_1/T_1 = nu_2/T_2): no quanta move, so the bare and interaction
    energies stay put and the md heat vanishes; the md energy still changes, all of it work
    (K_S(t) moves while rho_S does not: the slides' emergent work protocol)."""
    vals = {w1: 1.2, w2: 0.7, g: 0.1, gam: 0.08, N1: 3, N2: 5, t: 4.1, T1: 0.7}
    nu1, nu2 = 1.2 + 0.2, 0.7 + 0.4
    vals[T2] = 0.7 * nu2 / nu1
    for X in ("1", "2", "I"):
        assert abs(value(colla.energy_change(X), vals)) < 1e-14
    md = colla.assignment("1").minimal_dissipation()
    assert abs(value(md["dQ"], vals)) < 1e-13
    assert abs(value(md["dU"], vals)) > 1e-3
    assert abs(value(md["dW"] - md["dU"], vals)) < 1e-13


def test_gibbs_product_is_stationary_without_coupling():
    s = uniform_blocks({"1": 3, "2": 2}, {"1": w1, "2": w2}, {"1": g, "2": g}, {("1", "2"): 0}, {"1": T1, "2": T1},
                       time=t)
    for X in ("1", "2", "I"):
        assert s.energy_change(X) == 0


def test_minimal_dissipation_structure(colla):
    md = colla.minimal_dissipation("1")
    K = md.hamiltonian()
    # K(0) = h_SS
    assert sp.simplify(expand_definitions(K.xreplace({t: 0}) - colla.h.extract([0, 1], [0, 1]))) == sp.zeros(2)
    # first law with heat and work integrated separately
    res = sp.expand(md.energy_change() - md.heat() - md.work())
    rng = np.random.default_rng(9)
    for _ in range(5):
        vals = random_point(rng, 5, 3)
        assert abs(value(res, vals)) < 1e-12
    # the propagator norm reaches (Delta/Omega)^2 at t* = pi/Omega: singular only at resonance
    D, G, W, _ = colla.block_symbols[0]
    at_peak = md.propagator_norm().xreplace({sp.sin(W * t / 2): 1})
    assert sp.simplify(expand_definitions(at_peak - D**2 / W**2)) == 0


def test_singular_minimal_dissipation_hamiltonian_is_reported():
    """At exact resonance G(t) vanishes at t = pi/Omega: the numeric K refuses with a clear error."""
    s = uniform_blocks({"1": 1, "2": 1}, {"1": w1, "2": w2}, {"1": g, "2": g}, {("1", "2"): gam}, {"1": T1, "2": T2},
                       time=t)
    vals = {w1: 1.0, w2: 1.0, g: 0.1, gam: 0.2, T1: 1.0, T2: 0.5, t: 1.0}
    res = GaussianSolver(s).solve(vals)
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        res.md_hamiltonian("1", np.pi / 0.4)


def test_numeric_gibbs_correlations():
    h = np.array([[1.0, 0.3], [0.3, 1.5]])
    C = bose_matrix(h, 0.8)
    w, V = np.linalg.eigh(h)
    assert np.allclose(C, V @ np.diag(1 / np.expm1(w / 0.8)) @ V.T)


# ---- bad input ------------------------------------------------------------------------------------------
def test_bad_input_is_named():
    a, b, c = sp.symbols("a b c", positive=True)
    with pytest.raises(QuadraticInputError, match="Hermitian"):
        quadratic_system(sp.Matrix([[a, c], [2 * c, b]]), {"1": [0], "2": [1]}, {"1": T1, "2": T2})
    with pytest.raises(QuadraticInputError, match="partition"):
        quadratic_system(sp.Matrix([[a, c], [c, b]]), {"1": [0]}, {"1": T1})
    with pytest.raises(QuadraticInputError, match="partition"):
        quadratic_system(sp.Matrix([[a, c], [c, b]]), {"1": [0, 1], "2": [1]}, {"1": T1, "2": T2})
    with pytest.raises(QuadraticInputError, match="temperatures"):
        quadratic_system(sp.Matrix([[a, c], [c, b]]), {"1": [0], "2": [1]}, {"1": -1, "2": T2})
    with pytest.raises(QuadraticInputError, match="positive"):
        quadratic_system(sp.Matrix([[a, c], [c, b]]), {"1": [0], "2": [1]}, {"1": sp.Symbol("T"), "2": T2})
    with pytest.raises(QuadraticInputError, match="Hermitian"):
        quadratic_system(sp.Matrix([[a, c], [c, b]]), {"1": [0], "2": [1]},
                         initial=sp.Matrix([[0.5, 0.1], [0.2, 0.3]]))
    with pytest.raises(QuadraticInputError, match="not a state"):
        quadratic_system(sp.Matrix([[a, c], [c, b]]), {"1": [0], "2": [1]},
                         initial=sp.Matrix([[0.5, 0], [0, -0.3]]))
    with pytest.raises(QuadraticInputError, match="2x2"):
        quadratic_system(sp.Matrix([[a, c], [c, b]]), {"1": [0], "2": [1]}, initial=sp.eye(3))
    with pytest.raises(QuadraticInputError, match="positive integer"):
        uniform_blocks({"1": sp.Rational(5, 2)}, {"1": w1}, {"1": g}, {}, {"1": T1})
    with pytest.raises(QuadraticInputError, match="positive integer"):
        uniform_blocks({"1": sp.Symbol("N")}, {"1": w1}, {"1": g}, {}, {"1": T1})
    with pytest.raises(ValueError, match="T"):
        bose_matrix(np.eye(2), 0.0)


def test_three_mode_block_says_what_to_do():
    a, c = sp.symbols("a c", positive=True)
    h = sp.Matrix([[a, c, 0], [c, a, c], [0, c, a]])
    s = quadratic_system(h, {"1": [0], "2": [1, 2]}, {"1": T1, "2": T2})
    with pytest.raises(ClosedFormUnavailable, match="numeric solver"):
        s.correlations()


def test_minimal_dissipation_energetics_from_fock_space(colla):
    """U^md and dQ^md built from Fock-space objects only: K(t) from the canonical form of the exact
    reduced map (qsym.numeric.fock.ReducedDynamics) and C(t) from the Fock evolution; the heat by
    Simpson quadrature of sum K_ij dC_ij/dt on a fine grid."""
    fock = pytest.importorskip("qsym.numeric.fock")
    from scipy.integrate import simpson
    vals = {w1: 1.3, w2: 1.1, g: 0.1, gam: 0.12, T1: 0.7, T2: 0.45, N1: 1, N2: 1, t: 2.1}
    res = GaussianSolver(colla).solve(vals)
    red = fock.ReducedDynamics(res.h, res.partition, "1", n_max=3)
    ev = fock.FockEvolution(res.h, res.partition, res.temperatures, n_max=45)
    idx = res.partition["1"]

    def k_of(tau):
        return red.number_conserving_form(red.canonical_hamiltonian(tau))[0]

    def C_of(tau):
        return ev.correlation_matrix(tau)[np.ix_(idx, idx)]
    tau = float(vals[t])
    dU = float(np.real(np.sum(k_of(tau) * C_of(tau)) - np.sum(k_of(0.0) * C_of(0.0))))
    md = colla.assignment("1").minimal_dissipation()
    assert abs(dU - value(md["dU"], vals).real) < 1e-9
    grid = np.linspace(0.0, tau, 801)
    h = 1e-5
    integrand = [float(np.real(np.sum(k_of(s) * (C_of(s + h) - C_of(s - h)) / (2 * h)))) for s in grid]
    dQ = simpson(integrand, x=grid)
    assert abs(dQ - value(md["dQ"], vals).real) < 1e-7 * max(1.0, abs(dQ))
