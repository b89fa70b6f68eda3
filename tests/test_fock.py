"""Exact Fock-space evolution of quadratic bosonic models (:mod:`qsym.numeric.fock`).

Every expectation is computed here independently of the module: single-particle propagators
``U = expm(-i h t)``, Bose matrices ``inv(expm(h^T/T) - 1)``, number distributions by direct
convolution, ladder operators built from the occupation basis, and the canonical form with an
explicit generalised Gell-Mann basis.

1. ``rho(t)`` is a state (trace 1, Hermitian, positive); the total energy is conserved; the
   energy splits into subsystem and interaction parts, and energy really flows.
2. Uncoupled product Gibbs states are stationary; equal temperatures give the Bose matrix of
   ``h``; the full Gibbs state of a coupled ``h`` (one subsystem) is stationary too.
3. Truncation: the dropped weight ``tail`` equals the exact number distribution and the kept
   trace; the error of ``C(t)`` against a larger cutoff decreases monotonically.
4. ``C(t) = conj(U) C0 U^T`` to 1e-10 for random complex ``h`` (2+1 and 2+2 modes).
5. Reduced dynamics with the environment in the vacuum: trace preservation, complete
   positivity, vacuum fixed point, exact derivative; the canonical Hamiltonian is number
   conserving with ``k = i(X - X^dag)/2``, ``X = dG/dt G^-1``, and the whole generator is the
   Lindblad form with rates ``gamma = -(X + X^dag)``; a singular map raises.
6. Bad input raises ValueError naming the argument and what was received.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from qsym.numeric.fock import (FockEvolution, ReducedDynamics, SingularMapError, fock_correlations,
                               required_n_max, thermal_tail, truncation_study)


# ==========================================================================================
# Independent reference quantities
# ==========================================================================================
def rand_unitary(rng, m):
    q, r = np.linalg.qr(rng.normal(size=(m, m)) + 1j * rng.normal(size=(m, m)))
    return q * (np.diag(r) / abs(np.diag(r)))


def random_model(rng, sizes, coupling=0.3, freqs=(1.0, 3.0), temps=(0.3, 1.5)):
    """Complex Hermitian ``h`` whose blocks have eigenvalues in ``freqs``; random temperatures."""
    n = sum(sizes)
    h = np.zeros((n, n), dtype=complex)
    partition, temperatures, start = {}, {}, 0
    for k, m in enumerate(sizes):
        modes = list(range(start, start + m))
        start += m
        W = rand_unitary(rng, m)
        h[np.ix_(modes, modes)] = W @ np.diag(rng.uniform(*freqs, m)) @ W.conj().T
        partition[f"X{k}"] = modes
        temperatures[f"X{k}"] = rng.uniform(*temps)
    V = coupling * (rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))
    for modes in partition.values():
        V[np.ix_(modes, modes)] = 0
    h = h + (V + V.conj().T) / 2
    return (h + h.conj().T) / 2, partition, temperatures


def bose(hx, T):
    """``<a_i^dag a_j>`` of the Gibbs state of ``hx`` at temperature ``T`` (vacuum at T = 0)."""
    if T == 0:
        return np.zeros(hx.shape, dtype=complex)
    return np.linalg.inv(expm(hx.T / T) - np.eye(len(hx)))


def initial_C(h, partition, temperatures):
    C0 = np.zeros(h.shape, dtype=complex)
    for key, modes in partition.items():
        C0[np.ix_(modes, modes)] = bose(h[np.ix_(modes, modes)], temperatures[key])
    return C0


def propagated_C(h, C0, t):
    U = expm(-1j * h * t)
    return U.conj() @ C0 @ U.T


def number_distribution(h, partition, temperatures, n_top):
    """``Pr[N_tot = n]``, ``n = 0..n_top``, convolving truncated geometric distributions."""
    P = np.zeros(n_top + 1)
    P[0] = 1.0
    for key, modes in partition.items():
        for e in np.linalg.eigvalsh(h[np.ix_(modes, modes)]):
            T = temperatures[key]
            q = np.exp(-e / T) if T > 0 else 0.0
            P = np.convolve(P, (1 - q) * q ** np.arange(n_top + 1))[:n_top + 1]
    return P


def draw_model(seed, sizes, n_cap, real=False):
    """First random model (from ``seed``) whose tail < 1e-13 needs ``n_max <= n_cap``.

    Draws that are too hot for the cap are rejected (documented bias towards cold draws).
    ``real=True`` keeps the real part of ``h`` (the module's real-arithmetic path).
    """
    rng = np.random.default_rng(seed)
    for _ in range(500):
        h, partition, temperatures = random_model(rng, sizes)
        h = h.real if real else h
        n = required_n_max(h, partition, temperatures, tol=1e-13)
        if n <= n_cap:
            return h, partition, temperatures, n
    raise RuntimeError("no admissible draw")


# ==========================================================================================
# 1. States and energy
# ==========================================================================================
@pytest.fixture(scope="module")
def three_mode():
    h, partition, temperatures = random_model(np.random.default_rng(7), (2, 1), coupling=0.5)
    temperatures = {"X0": 1.0, "X1": 0.5}
    return h, partition, temperatures, FockEvolution(h, partition, temperatures, n_max=9)


@pytest.mark.parametrize("t", [0.0, 0.4, 1.3, 5.0])
def test_density_matrix_is_a_state(three_mode, t):
    _, _, _, ev = three_mode
    basis, rho = ev.density_matrix(t)
    assert len(basis) == ev.dim == rho.shape[0] == 220          # comb(9 + 3, 3)
    assert abs(np.trace(rho) - 1) < 1e-12
    assert np.max(np.abs(rho - rho.conj().T)) < 1e-12
    assert np.linalg.eigvalsh(rho).min() > -1e-12
    _, raw = ev.density_matrix(t, renormalize=False)
    assert abs(np.trace(raw) - ev.kept_weight) < 1e-12 and abs(np.trace(raw) - (1 - ev.tail)) < 1e-12
    # the density matrix reproduces the correlation matrix (independent ladder operators)
    a = [ladder(basis, i) for i in range(3)]
    C = np.array([[np.trace(rho @ a[i].conj().T @ a[j]) for j in range(3)] for i in range(3)])
    assert np.max(np.abs(C - ev.correlation_matrix(t))) < 1e-12


def test_energy_is_conserved_and_flows(three_mode):
    h, partition, _, ev = three_mode
    times = np.linspace(0, 8, 9)
    E = np.array([ev.total_energy(t) for t in times])
    assert np.max(np.abs(E - E[0])) < 1e-12 * max(1.0, abs(E[0]))
    E_raw = np.array([ev.total_energy(t, renormalize=False) for t in times])
    assert np.max(np.abs(E_raw - E_raw[0])) < 1e-12 * max(1.0, abs(E[0]))
    for t in times[1:4]:
        parts = sum(ev.energy(X, t) for X in partition) + ev.interaction_energy(t)
        assert abs(parts - ev.total_energy(t)) < 1e-12
        C = ev.correlation_matrix(t)
        assert abs(ev.energy("X1", t) - (h[2, 2] * C[2, 2]).real) < 1e-13
    assert abs(ev.energy("X0", 0.0) - ev.energy("X0", 2.0)) > 1e-3      # heat really flows


# ==========================================================================================
# 2. Stationary cases
# ==========================================================================================
def test_uncoupled_product_gibbs_is_stationary():
    h, partition, temperatures = random_model(np.random.default_rng(3), (2, 2), coupling=0.0)
    temperatures = {"X0": 0.4, "X1": 0.7}
    ev = FockEvolution(h, partition, temperatures, n_max=6)
    _, rho0 = ev.density_matrix(0.0)
    C0 = ev.correlation_matrix(0.0)
    for t in (0.3, 2.2, 11.0):
        assert np.max(np.abs(ev.density_matrix(t)[1] - rho0)) < 1e-12
        assert np.max(np.abs(ev.correlation_matrix(t) - C0)) < 1e-12
    assert abs(ev.interaction_energy(1.0)) < 1e-14


def test_equal_temperatures_uncoupled_give_bose_matrix():
    h, partition, _ = random_model(np.random.default_rng(4), (2, 1), coupling=0.0)
    T = 0.6
    temperatures = {key: T for key in partition}
    n = required_n_max(h, partition, temperatures, tol=1e-14)
    ev = FockEvolution(h, partition, temperatures, n_max=n)
    for t in (0.0, 1.7):
        assert np.max(np.abs(ev.correlation_matrix(t) - bose(h, T))) < 1e-11


def test_full_gibbs_state_of_coupled_h_is_stationary():
    h, _, _ = random_model(np.random.default_rng(5), (2, 1), coupling=0.4)
    partition, temperatures = {"all": [0, 1, 2]}, {"all": 0.5}
    n = required_n_max(h, partition, temperatures, tol=1e-14)
    ev = FockEvolution(h, partition, temperatures, n_max=n)
    for t in (0.0, 0.9, 4.0):
        assert np.max(np.abs(ev.correlation_matrix(t) - bose(h, 0.5))) < 1e-11
    assert abs(ev.interaction_energy(0.3)) < 1e-14                       # no other subsystem


def test_zero_temperature_subsystem_is_vacuum():
    h, partition, _ = random_model(np.random.default_rng(6), (2, 1), coupling=0.4)
    temperatures = {"X0": 0.5, "X1": 0.0}
    n = required_n_max(h, partition, temperatures, tol=1e-14)
    ev = FockEvolution(h, partition, temperatures, n_max=n)
    C = ev.correlation_matrix(0.0)
    assert np.max(np.abs(C[2, :])) < 1e-15 and np.max(np.abs(C[:, 2])) < 1e-15
    C0 = initial_C(h, partition, temperatures)
    assert np.max(np.abs(ev.correlation_matrix(1.2) - propagated_C(h, C0, 1.2))) < 1e-11


# ==========================================================================================
# 3. Truncation
# ==========================================================================================
def test_tail_matches_number_distribution():
    h, partition, _ = random_model(np.random.default_rng(8), (2, 1), coupling=0.3)
    temperatures = {"X0": 1.4, "X1": 0.9}
    P = number_distribution(h, partition, temperatures, 400)
    for n_max in (2, 5, 9):
        ev = FockEvolution(h, partition, temperatures, n_max)
        assert ev.tail == pytest.approx(P[n_max + 1:].sum(), rel=1e-10)
        assert ev.tail == pytest.approx(thermal_tail(h, partition, temperatures, n_max), rel=1e-14)
        assert abs(ev.kept_weight - (1 - ev.tail)) < 1e-13
        assert np.max(np.abs(ev.sector_weights - P[:n_max + 1])) < 1e-13    # sector by sector
    assert required_n_max(h, partition, temperatures, 1e-8) == np.argmax(np.cumsum(P[::-1])[::-1] < 1e-8) - 1


def test_truncation_error_decreases_monotonically():
    h, partition, _ = random_model(np.random.default_rng(9), (2, 1), coupling=0.6)
    temperatures = {"X0": 1.2, "X1": 0.8}
    rows = truncation_study(h, partition, temperatures, 1.5, [2, 4, 6, 8, 10, 12, 24])
    diffs = [r["diff_to_largest"] for r in rows[:-1]]
    tails = [r["tail"] for r in rows]
    assert all(a > b for a, b in zip(diffs, diffs[1:])), diffs
    assert all(a > b for a, b in zip(tails, tails[1:])), tails
    assert diffs[0] > 1e-2 and diffs[-1] < 1e-3                         # truncation visibly matters
    for r in rows:
        assert r["dim"] == (r["n_max"] + 1) * (r["n_max"] + 2) * (r["n_max"] + 3) // 6
        assert abs(r["kept_weight"] - (1 - r["tail"])) < 1e-13
        assert np.max(np.abs(r["C_raw"] / r["kept_weight"] - r["C"])) < 1e-15
    # against the exact single-particle result: the error is of the order of the dropped weight
    exact = propagated_C(h, initial_C(h, partition, temperatures), 1.5)
    errs = [np.max(np.abs(r["C"] - exact)) for r in rows]
    assert all(a > b for a, b in zip(errs, errs[1:])), errs
    for r, err in zip(rows, errs):
        assert err < 10 * (r["n_max"] + 1) * r["tail"] + 1e-12


# ==========================================================================================
# 4. Agreement with the single-particle propagator
# ==========================================================================================
@pytest.mark.parametrize("sizes, n_cap, seed, real", [((2, 1), 40, 11, False), ((2, 1), 40, 12, False),
                                                      ((2, 1), 40, 14, True), ((2, 1), 40, 17, False),
                                                      ((2, 2), 15, 13, False),
                                                      ((2, 2), 15, 15, True)])
def test_correlations_match_single_particle_propagator(sizes, n_cap, seed, real):
    h, partition, temperatures, n = draw_model(seed, sizes, n_cap, real)
    times = [0.37, 1.9, 6.1]
    Cs = fock_correlations(h, partition, temperatures, times, n)
    assert thermal_tail(h, partition, temperatures, n) < 1e-13
    C0 = initial_C(h, partition, temperatures)
    for t, C in zip(times, Cs):
        assert np.max(np.abs(C - propagated_C(h, C0, t))) < 1e-10
        assert np.max(np.abs(C - C.conj().T)) < 1e-13
    assert np.max(np.abs(Cs[0] - C0)) > 1e-3                             # the state really evolves


# ==========================================================================================
# 5. Reduced dynamics and its canonical generator
# ==========================================================================================
def ladder(basis, i):
    """Annihilation operator of mode ``i`` on a list of occupation tuples (zero outside it)."""
    index = {occ: k for k, occ in enumerate(basis)}
    a = np.zeros((len(basis), len(basis)))
    for k, occ in enumerate(basis):
        if occ[i] > 0:
            low = occ[:i] + (occ[i] - 1,) + occ[i + 1:]
            a[index[low], k] = np.sqrt(occ[i])
    return a


def spre(A):
    return np.kron(np.eye(len(A)), A)


def spost(B):
    return np.kron(B.T, np.eye(len(B)))


def lindblad_form(k, gamma, a):
    """``-i[sum k_ij a_i^dag a_j, .] + sum gamma_ij (a_j . a_i^dag - {a_i^dag a_j, .}/2)``."""
    m = len(a)
    K = sum(k[i, j] * a[i].conj().T @ a[j] for i in range(m) for j in range(m))
    L = -1j * (spre(K) - spost(K))
    for i in range(m):
        for j in range(m):
            A = a[i].conj().T @ a[j]
            L = L + gamma[i, j] * (spre(a[j]) @ spost(a[i].conj().T) - 0.5 * (spre(A) + spost(A)))
    return L


def single_particle_X(h, modes, t):
    U = expm(-1j * h * t)
    G = U[np.ix_(modes, modes)]
    dG = (-1j * h @ U)[np.ix_(modes, modes)]
    return dG @ np.linalg.inv(G), G


def gell_mann(d):
    """Orthonormal Hermitian basis ``G_0 = 1/sqrt(d)``, then traceless ``G_k``."""
    G = [np.eye(d) / np.sqrt(d)]
    for j in range(d):
        for k in range(j + 1, d):
            S = np.zeros((d, d), dtype=complex)
            S[j, k] = S[k, j] = 1 / np.sqrt(2)
            A = np.zeros((d, d), dtype=complex)
            A[j, k], A[k, j] = -1j / np.sqrt(2), 1j / np.sqrt(2)
            G += [S, A]
    for l in range(1, d):
        D = np.zeros((d, d), dtype=complex)
        D[np.arange(l), np.arange(l)] = 1
        D[l, l] = -l
        G.append(D / np.sqrt(l * (l + 1)))
    return G


@pytest.fixture(scope="module", params=["one_mode", "two_modes"])
def reduced(request):
    rng = np.random.default_rng(21)
    if request.param == "one_mode":
        h, _, _ = random_model(rng, (1, 2), coupling=0.5)
        partition, n_max = {"S": [0], "E": [1, 2]}, 4
    else:
        h, _, _ = random_model(rng, (2, 2), coupling=0.5)
        partition, n_max = {"E": [0, 2], "S": [3, 1]}, 3                  # non-contiguous, unsorted S
    return h, partition, ReducedDynamics(h, partition, "S", n_max)


def test_reduced_map_is_cptp_and_fixes_vacuum(reduced):
    _, _, rd = reduced
    d = rd.dim
    vec_id = np.eye(d).reshape(-1, order="F")
    vac = np.zeros((d, d))
    vac[0, 0] = 1
    assert rd.basis[0] == (0,) * len(rd.modes)
    for t in (0.5, 2.3):
        Phi = rd.map(t)
        assert np.max(np.abs(vec_id @ Phi - vec_id)) < 1e-12                      # trace preserving
        assert np.max(np.abs(Phi @ vac.reshape(-1, order="F") - vac.reshape(-1, order="F"))) < 1e-13
        choi = Phi.reshape(d, d, d, d).transpose(1, 3, 0, 2).reshape(d * d, d * d)  # [(s,m),(z,n)]
        assert np.linalg.eigvalsh((choi + choi.conj().T) / 2).min() > -1e-12       # CP
        fd = (rd.map(t + 1e-5) - rd.map(t - 1e-5)) / 2e-5          # O(1e-10 |d^3 Phi/dt^3|) error
        assert np.max(np.abs(rd.map_derivative(t) - fd)) < 1e-6
    assert np.max(np.abs(rd.map(0.0) - np.eye(d * d))) < 1e-13


def test_canonical_hamiltonian_is_single_particle(reduced):
    h, partition, rd = reduced
    a = [ladder(rd.basis, i) for i in range(len(rd.modes))]
    for t in (0.0, 0.7, 1.9):
        X, G = single_particle_X(h, partition["S"], t)
        K = rd.canonical_hamiltonian(t)
        assert abs(np.trace(K)) < 1e-10 and np.max(np.abs(K - K.conj().T)) < 1e-10
        k, c, residual = rd.number_conserving_form(K)
        assert residual < 1e-9
        assert np.max(np.abs(k - 1j * (X - X.conj().T) / 2)) < 1e-9
        # the whole generator is the Lindblad form with gamma = -(X + X^dag)
        L = rd.generator(t)
        assert np.max(np.abs(L - lindblad_form(k, -(X + X.conj().T), a))) < 1e-9
        if len(rd.modes) == 1:                      # scalar formulas
            r = X[0, 0]
            assert abs(k[0, 0] + r.imag) < 1e-9
            n_op = a[0].T @ a[0]
            D = spre(a[0]) @ spost(a[0].T) - 0.5 * (spre(n_op) + spost(n_op))
            ref = -1j * k[0, 0] * (spre(n_op) - spost(n_op)) - 2 * r.real * D
            assert np.max(np.abs(L - ref)) < 1e-9


def canonical_K_explicit(L, d):
    """HCLA Hamiltonian part from the explicit basis: ``L = sum_ab c_ab (conj(G_b) kron G_a)``."""
    G = gell_mann(d)
    c_k0 = [np.trace(np.kron(G[0].conj(), Gk).conj().T @ L) for Gk in G[1:]]
    F = sum(c * Gk for c, Gk in zip(c_k0, G[1:])) / np.sqrt(d)
    return (F.conj().T - F) / 2j


def test_canonical_hamiltonian_against_explicit_basis():
    rng = np.random.default_rng(22)
    # the explicit construction recovers the Hamiltonian of a known Lindbladian (traceless jump)
    d = 5
    H = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    H = H + H.conj().T
    A = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    A -= np.trace(A) / d * np.eye(d)
    AdA = A.conj().T @ A
    L = -1j * (spre(H) - spost(H)) + spre(A) @ spost(A.conj().T) - 0.5 * (spre(AdA) + spost(AdA))
    assert np.max(np.abs(canonical_K_explicit(L, d) - (H - np.trace(H) / d * np.eye(d)))) < 1e-12
    # ... and agrees with the module's basis-free formula on an actual reduced generator
    h, _, _ = random_model(rng, (2, 1), coupling=0.7)
    rd = ReducedDynamics(h, {"S": [0, 1], "E": [2]}, "S", n_max=2)
    K_ref = canonical_K_explicit(rd.generator(0.8), rd.dim)
    assert np.max(np.abs(rd.canonical_hamiltonian(0.8) - K_ref)) < 1e-12


def test_generator_raises_where_the_map_is_singular():
    w, c = 1.3, 0.4
    h = np.array([[w, c], [c, w]])
    rd = ReducedDynamics(h, {"S": [0], "E": [1]}, "S", n_max=3)
    t_star = np.pi / (2 * c)
    _, G = single_particle_X(h, [0], t_star)
    assert abs(G[0, 0]) < 1e-15
    with pytest.raises(SingularMapError, match=r"singular at t = 3\.92699") as info:
        rd.generator(t_star)
    assert isinstance(info.value, ValueError)
    k, _, _ = rd.number_conserving_form(rd.canonical_hamiltonian(0.8 * t_star))   # fine away from t*
    assert abs(k[0, 0] - w) < 1e-9                                      # resonant: k = w


# ==========================================================================================
# 6. Bad input
# ==========================================================================================
GOOD_H = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, 0.2], [0.1, 0.2, 1.8]])
GOOD_P = {"A": [0, 1], "B": [2]}
GOOD_T = {"A": 0.5, "B": 0.7}


@pytest.mark.parametrize("kwargs, pattern", [
    ({"h": GOOD_H + np.triu(np.ones((3, 3)), 1) * 1j}, r"`h` must be Hermitian; received h\[0,1\] = \(0\.3\+1j\)"),
    ({"h": np.ones((2, 3))}, r"`h` must be a non-empty square matrix; received shape \(2, 3\)"),
    ({"partition": {"A": [0, 1], "B": [1, 2]}}, r"`partition` must be disjoint: mode 1 appears in both 'A' and 'B'"),
    ({"partition": {"A": [0, 1]}, "temperatures": {"A": 0.5}},
     r"`partition` must cover every mode 0\.\.2; modes \[2\] are missing; received \{'A': \[0, 1\]\}"),
    ({"partition": {"A": [0, 1], "B": [3]}}, r"`partition\['B'\]` contains mode 3, outside 0\.\.2"),
    ({"temperatures": {"A": 0.5, "B": -0.2}}, r"`temperatures\['B'\]` must be finite and >= 0; received -0\.2"),
    ({"temperatures": {"A": 0.5}}, r"`temperatures` must have exactly the subsystems"),
    ({"n_max": 0}, r"`n_max` must be an integer >= 1; received 0"),
    ({"n_max": 2.5}, r"`n_max` must be an integer >= 1; received 2\.5"),
    ({"h": GOOD_H - np.diag([0, 0, 2.0])}, r"subsystem 'B' \(modes \[2\]\) must be positive definite.*lowest eigenvalue -0\.2"),
])
def test_bad_input_names_argument(kwargs, pattern):
    args = {"h": GOOD_H, "partition": GOOD_P, "temperatures": GOOD_T, "n_max": 3, **kwargs}
    with pytest.raises(ValueError, match=pattern):
        FockEvolution(args["h"], args["partition"], args["temperatures"], args["n_max"])


def test_bad_input_reduced_dynamics():
    with pytest.raises(ValueError, match=r"`system` must be one of the subsystems \['A', 'B'\]; received 'C'"):
        ReducedDynamics(GOOD_H, GOOD_P, "C", 3)
    with pytest.raises(ValueError, match=r"`n_max` must be an integer >= 1; received -1"):
        ReducedDynamics(GOOD_H, GOOD_P, "A", -1)
    rd = ReducedDynamics(GOOD_H, GOOD_P, "A", 2)
    with pytest.raises(ValueError, match=r"`K` must be 6 x 6; received shape \(3, 3\)"):
        rd.number_conserving_form(np.eye(3))
    ev = FockEvolution(GOOD_H, GOOD_P, GOOD_T, 3)
    with pytest.raises(ValueError, match=r"`X` must be one of the subsystems \['A', 'B'\]; received 'Z'"):
        ev.energy("Z", 0.0)
