"""Operators, structured spectra, defined symbols and occupations.

Every spectrum test evaluates the closed forms (after qs.expand_definitions) at seeded random
parameters and compares them with NumPy's independent diagonalisation of the same numeric
Hamiltonian: U^dag H U must be diagonal with the listed energies, U must be unitary, and the
energies must be the eigenvalues returned by numpy.linalg.eigvalsh.
"""
from __future__ import annotations

import pickle

import mpmath
import numpy as np
import pytest
import sympy as sp

import qsym as qs

w, w0, w1, w2, w3 = qs.symbols("omega omega_0 omega_1 omega_2 omega_3", positive=True)
wq, wc, g, lam, mu, x, T = qs.symbols("omega_q omega_c g lambda mu x T", positive=True)
phi = sp.Symbol("phi", real=True)

RNG_SEED = 20240611


# ---- helpers -------------------------------------------------------------------------------
def comm(A, B):
    return A * B - B * A


def anticomm(A, B):
    return A * B + B * A


def as_array(M, values) -> np.ndarray:
    """A SymPy matrix (defined symbols expanded) at numeric ``values``, evaluated with 30
    digits so that cancellations inside exact closed forms (small couplings) do not show."""
    M = qs.expand_definitions(sp.Matrix(M))
    syms = sorted(M.free_symbols, key=str)
    missing = [s for s in syms if s not in values]
    assert not missing, f"no value for {missing}"
    f = sp.lambdify(syms, M, "mpmath")
    with mpmath.workdps(30):
        out = f(*[mpmath.mpf(values[s]) for s in syms])
        return np.array([[complex(out[i, j]) for j in range(M.shape[1])] for i in range(M.shape[0])])


def as_numbers(exprs, values) -> np.ndarray:
    return np.array([complex(qs.expand_definitions(e).evalf(17, subs=values)) for e in exprs])


def log_uniform(rng, lo=0.3, hi=3.0):
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def check_diagonalises(H: qs.Operator, spec: qs.Spectrum, values: dict) -> None:
    """U^dag H U = diag(E) with the listed energies, U unitary, and E = eigvalsh(H)."""
    Hn = as_array(H.matrix, values)
    U = as_array(spec.unitary, values)
    E = as_numbers(spec.energies, values)
    assert np.allclose(E.imag, 0, atol=1e-12), "energies must be real"
    E = E.real
    scale = max(1.0, float(np.abs(Hn).max()))
    assert np.allclose(U.conj().T @ U, np.eye(len(E)), atol=1e-12), "eigenvectors are not orthonormal"
    D = U.conj().T @ Hn @ U
    assert np.allclose(D, np.diag(E), atol=1e-11 * scale), (
        f"U^dag H U is not diag(E): max deviation {np.abs(D - np.diag(E)).max():.3g}")
    assert np.allclose(np.sort(E), np.linalg.eigvalsh(Hn), atol=1e-11 * scale)


# ==========================================================================================
# Operators
# ==========================================================================================
def test_qubit_pauli_algebra():
    q1, q2 = qs.qubits(2)
    one = q1.identity
    for q in (q1, q2):
        assert comm(q.sp, q.sm) == q.sz                      # [sigma+, sigma-] = sigma_z
        assert comm(q.sz, q.sp) == 2 * q.sp                  # [sigma_z, sigma+] = 2 sigma+
        assert comm(q.sx, q.sy) == 2 * sp.I * q.sz           # [sigma_x, sigma_y] = 2 i sigma_z
        assert anticomm(q.sx, q.sy) == 0 * one
        for s in (q.sx, q.sy, q.sz):
            assert s * s == one
            assert s.is_hermitian() is True
        assert q.sp.is_hermitian() is False
        assert q.sp.dag() == q.sm
        assert q.n == (one + q.sz) / 2
        assert q.sp == (q.sx + sp.I * q.sy) / 2
    # operators on different qubits commute (no Jordan-Wigner string for qubits)
    for a in (q1.sp, q1.sm, q1.sz, q1.sx):
        for b in (q2.sp, q2.sm, q2.sz, q2.sy):
            assert comm(a, b) == 0 * one
    # conventions: basis (|+>, |->), |+> first, sigma+ = |+><-|, excitation numbers
    assert q1.sz.matrix == sp.diag(1, 1, -1, -1)
    assert q1.space.basis_labels() == ["++", "+-", "-+", "--"]
    assert q1.space.excitation_numbers() == [2, 1, 1, 0]
    ket_mm = sp.Matrix([0, 0, 0, 1])
    assert q1.sp.matrix * ket_mm == sp.Matrix([0, 1, 0, 0])  # sigma_1^+ |--> = |+->
    assert q2.sp.matrix * ket_mm == sp.Matrix([0, 0, 1, 0])  # sigma_2^+ |--> = |-+>


@pytest.mark.parametrize("dim", [2, 3, 5])
def test_boson_commutator_with_truncation_edge(dim):
    (a,) = qs.bosons(1, dim)
    C = comm(a.a, a.ad).matrix
    expected = sp.eye(dim)
    expected[dim - 1, dim - 1] = -(dim - 1)  # [a, a^dag] = 1 - N |N-1><N-1| in the truncated space
    assert C == expected
    assert a.ad * a.a == a.n
    assert a.n.matrix == sp.diag(*range(dim))
    assert a.ad == a.a.dag()
    # a|k> = sqrt(k)|k-1>
    for k in range(1, dim):
        ket = sp.zeros(dim, 1)
        ket[k] = 1
        out = a.a.matrix * ket
        assert out[k - 1] == sp.sqrt(k) and sum(abs(v) for v in out) == sp.sqrt(k)


def test_two_bosons_commute_and_qubit_boson_sites():
    a, b = qs.bosons(2, 3)
    assert comm(a.a, b.ad) == 0 * a.identity
    assert comm(a.a, b.a) == 0 * a.identity
    q, c = qs.sites(qs.Site("q", "qubit", 2), qs.Site("c", "boson", 4))
    assert q.space.dim == 8
    assert comm(q.sp, c.a) == 0 * q.identity
    assert q.space.excitation_numbers() == [1, 2, 3, 4, 0, 1, 2, 3]


def test_jordan_wigner_canonical_anticommutation_three_modes():
    cs = qs.fermions(3)
    one = cs[0].identity
    zero = 0 * one
    for j, cj in enumerate(cs):
        for k, ck in enumerate(cs):
            assert anticomm(cj.c, ck.cd) == (one if j == k else zero), (j, k)
            assert anticomm(cj.c, ck.c) == zero, (j, k)
            assert anticomm(cj.cd, ck.cd) == zero, (j, k)
        assert cj.cd * cj.c == cj.n
        assert cj.c.dag() == cj.cd
    # without the string the modes would commute instead: check the string is really there
    local = qs.Operator(sp.kronecker_product(sp.eye(2), sp.Matrix([[0, 1], [0, 0]]), sp.eye(2)), cs[0].space)
    assert local != cs[1].c
    assert anticomm(cs[0].c, local) != zero


def test_site_validation():
    with pytest.raises(ValueError, match="unique"):
        qs.sites(qs.Site("a", "qubit", 2), qs.Site("a", "boson", 3))
    with pytest.raises(ValueError, match="kind"):
        qs.sites(qs.Site("a", "spin", 2))
    with pytest.raises(ValueError, match="dimension"):
        qs.bosons(1, 1)
    q1, _ = qs.qubits(2)
    with pytest.raises(KeyError, match="not in this space"):
        q1.space.index("7")


def test_operator_arithmetic():
    q1, q2 = qs.qubits(2)
    one = q1.identity
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz
    # SymPy scalars from the left and right, division, scalar shifts
    assert (w1 * q1.sz).matrix == w1 * q1.sz.matrix
    assert (q1.sz * w1) == (w1 * q1.sz)
    assert (q1.sz / 2).matrix == q1.sz.matrix / 2
    assert 2 + q1.sz == q1.sz + 2 == q1.sz + 2 * one
    assert 1 - q1.sz == -(q1.sz - 1) == 2 * (one - q1.n)
    sz = q1.sz
    assert sz + 0 is sz
    assert -q1.sz == (-1) * q1.sz
    # @ and * are both the operator product; products are associative but not commutative
    assert q1.sp @ q2.sm == q1.sp * q2.sm
    assert (q1.sp * q1.sm) * q1.sz == q1.sp * (q1.sm * q1.sz)
    assert q1.sp * q1.sm != q1.sm * q1.sp
    # (AB)^dag = B^dag A^dag, and the conjugate of a complex scalar
    A = lam * sp.exp(sp.I * phi) * q1.sp * q2.sm
    assert A.dag() == q2.sp * q1.sm * lam * sp.exp(-sp.I * phi)
    assert qs.dag(A) == A.dag()
    assert (A + A.dag()).is_hermitian() is True
    assert A.is_hermitian() is False
    # H commutes with the total excitation number
    assert comm(H + lam * (q1.sp * q2.sm + q1.sm * q2.sp), q1.n + q2.n) == 0 * one
    assert H.free_symbols() == {w1, w2}
    assert H.shape == (4, 4)
    # equality is by value and hash agrees with it
    assert hash(w1 / 2 * q1.sz + w2 / 2 * q2.sz) == hash(H)
    assert len({H, w1 / 2 * q1.sz + w2 / 2 * q2.sz}) == 1


def test_operator_is_immutable():
    q1, q2 = qs.qubits(2)
    op = q1.sz
    with pytest.raises(AttributeError, match="immutable"):
        op.matrix = sp.zeros(4, 4)
    with pytest.raises(AttributeError):
        op.space = q1.space
    with pytest.raises(TypeError):
        op.matrix[0, 0] = 5
    # arithmetic returns new objects and leaves the operands untouched
    before = op.matrix
    _ = op + q2.sz
    _ = 3 * op
    assert op.matrix == before == sp.diag(1, 1, -1, -1)
    # the matrix handed to the constructor is copied
    M = sp.Matrix(sp.diag(1, 2, 3, 4))
    o = qs.Operator(M, q1.space)
    M[0, 0] = 99
    assert o.matrix[0, 0] == 1


def test_operator_space_mismatch_and_shape():
    q1, q2 = qs.qubits(2)
    (r,) = qs.qubits(1, names=["r"])
    with pytest.raises(ValueError, match=r"different spaces.*\('1', '2'\).*\('r',\)"):
        q1.sz + r.sz
    with pytest.raises(ValueError, match="different spaces"):
        q1.sz * r.sz
    with pytest.raises(ValueError, match=r"`matrix`.*size 4.*\(3, 3\)"):
        qs.Operator(sp.eye(3), q1.space)


# ==========================================================================================
# Spectra
# ==========================================================================================
def coupled_qubits_H():
    q1, q2 = qs.qubits(2)
    return w1 / 2 * q1.sz + w2 / 2 * q2.sz + lam * (q1.sp * q2.sm + q1.sm * q2.sp)


def test_spectrum_coupled_qubits_diagonalises_H():
    H = coupled_qubits_H()
    spec = qs.spectrum(H)
    assert [l.excitations for l in spec.levels] == [0, 1, 1, 2]
    assert len(spec.mixing) == 1
    th, al, be = spec.mixing[0]
    assert isinstance(al, qs.DefinedSymbol) and al.is_positive and be.is_positive
    # energies: -omega_m, -+sqrt(Delta^2 + lambda^2), omega_m (textbook two-level mixing)
    R = sp.sqrt(((w1 - w2) / 2) ** 2 + lam**2)
    ref = [-(w1 + w2) / 2, -R, R, (w1 + w2) / 2]
    for E, Er in zip(spec.energies, ref):
        assert sp.simplify(qs.expand_definitions(E) - Er) == 0
    assert spec.bohr_frequency(3, 2) == spec.energies[2] - spec.energies[1]
    rng = np.random.default_rng(RNG_SEED)
    for k in range(12):
        # both orderings of omega_1, omega_2 and couplings up to beyond resonance
        vals = {w1: log_uniform(rng), w2: log_uniform(rng), lam: log_uniform(rng, 0.01, 2.0)}
        check_diagonalises(H, spec, vals)
        ident = as_numbers(spec.identities, vals)
        assert np.allclose(ident, 0, atol=1e-13)
        # the paper's tan(theta) = 2 lambda / (omega_1 - omega_2), branch in (0, pi)
        th_n = complex(qs.expand_definitions(th).evalf(subs=vals)).real
        assert 0 < th_n < np.pi
        assert np.isclose(np.tan(th_n), 2 * vals[lam] / (vals[w1] - vals[w2]), rtol=1e-10)


def test_spectrum_jaynes_cummings_blocks_by_excitation_number():
    q, a = qs.sites(qs.Site("q", "qubit", 2), qs.Site("a", "boson", 3))
    H = wq / 2 * q.sz + wc * a.n + g * (q.sp * a.a + q.sm * a.ad)
    spec = qs.spectrum(H)
    assert [l.excitations for l in spec.levels] == [0, 1, 1, 2, 2, 3]
    assert len(spec.mixing) == 2
    assert [m[1].name for m in spec.mixing] == ["alpha_1", "alpha_2"]
    # textbook JC: E_{n,+-} = (n - 1/2) omega_c +- sqrt(Delta^2/4 + n g^2) in the n-excitation
    # sector {|+, n-1>, |-, n>}; |-,0> and the truncated |+,2> are uncoupled
    Delta = wq - wc
    ref = [-wq / 2]
    for n in (1, 2):
        Rn = sp.sqrt(Delta**2 / 4 + n * g**2)
        ref += [(n - sp.Rational(1, 2)) * wc - Rn, (n - sp.Rational(1, 2)) * wc + Rn]
    ref.append(wq / 2 + 2 * wc)
    rng = np.random.default_rng(RNG_SEED + 1)
    for k in range(12):
        vals = {wq: log_uniform(rng), wc: log_uniform(rng), g: log_uniform(rng, 0.01, 1.0)}
        check_diagonalises(H, spec, vals)
        assert np.allclose(as_numbers(spec.energies, vals).real, as_numbers(ref, vals).real, rtol=1e-12)
        assert np.allclose(as_numbers(spec.identities, vals), 0, atol=1e-13)
        # the n-photon mixing angle: tan(theta_n) = 2 g sqrt(n) / (omega_q - omega_c)
        for n, (th, _, _) in enumerate(spec.mixing, start=1):
            th_n = complex(qs.expand_definitions(th).evalf(subs=vals)).real
            assert np.isclose(np.sin(th_n) / np.cos(th_n),
                              2 * vals[g] * np.sqrt(n) / (vals[wq] - vals[wc]), rtol=1e-10)
            assert 0 < th_n < np.pi


def test_spectrum_complex_hopping_phase():
    q1, q2 = qs.qubits(2)
    c = lam * sp.exp(sp.I * phi)
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz + c * q1.sp * q2.sm + sp.conjugate(c) * q1.sm * q2.sp
    assert H.is_hermitian() is True
    spec = qs.spectrum(H)
    # the energies do not depend on the phase
    assert all(phi not in qs.expand_definitions(E).free_symbols for E in spec.energies)
    # ... the eigenvectors do
    assert any(phi in v.free_symbols for v in (l.vector for l in spec.levels))
    rng = np.random.default_rng(RNG_SEED + 2)
    for k in range(12):
        vals = {w1: log_uniform(rng), w2: log_uniform(rng), lam: log_uniform(rng, 0.01, 2.0),
                phi: float(rng.uniform(-np.pi, np.pi))}
        check_diagonalises(H, spec, vals)


@pytest.mark.parametrize("sign", ["real symbol J", "negative coupling -lambda"])
def test_spectrum_real_coupling_of_either_sign(sign):
    J = sp.Symbol("J", real=True)
    c = J if sign == "real symbol J" else -lam
    q1, q2 = qs.qubits(2)
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz + c * (q1.sp * q2.sm + q1.sm * q2.sp)
    spec = qs.spectrum(H)
    rng = np.random.default_rng(RNG_SEED + 4)
    for k in range(8):
        vals = {w1: log_uniform(rng), w2: log_uniform(rng), lam: log_uniform(rng, 0.01, 2.0),
                J: float(rng.uniform(-2.0, 2.0))}
        check_diagonalises(H, spec, {s: v for s, v in vals.items() if s in H.free_symbols()})


def test_spectrum_transverse_field_qubit_without_excitation_number():
    (q,) = qs.qubits(1)
    H = w0 / 2 * q.sz + lam / 2 * q.sx
    spec = qs.spectrum(H)
    assert [l.excitations for l in spec.levels] == [None, None]   # sigma_x mixes the sectors
    rng = np.random.default_rng(RNG_SEED + 5)
    for k in range(8):
        vals = {w0: log_uniform(rng), lam: log_uniform(rng, 0.01, 3.0)}
        check_diagonalises(H, spec, vals)
        E = as_numbers(spec.energies, vals).real
        assert np.allclose(E, [-0.5 * np.hypot(vals[w0], vals[lam]), 0.5 * np.hypot(vals[w0], vals[lam])])


def test_spectrum_three_level_block_that_factors():
    """A 3x3 block (two modes with two quanta) whose characteristic polynomial factors into
    linear * quadratic: solved in closed form by the general path."""
    a, b = qs.bosons(2, 3)
    H = w1 * a.n + w2 * b.n + g * (a.ad * b.a + a.a * b.ad)
    spec = qs.spectrum(H)
    assert [l.excitations for l in spec.levels] == [0, 1, 1, 2, 2, 2, 3, 3, 4]
    rng = np.random.default_rng(RNG_SEED + 3)
    for k in range(6):
        vals = {w1: log_uniform(rng), w2: log_uniform(rng), g: log_uniform(rng, 0.01, 1.0)}
        check_diagonalises(H, spec, vals)
        # normal modes: the two-quantum energies are sums of two normal-mode frequencies
        R = np.sqrt(((vals[w1] - vals[w2]) / 2) ** 2 + vals[g] ** 2)
        nu = np.array([(vals[w1] + vals[w2]) / 2 - R, (vals[w1] + vals[w2]) / 2 + R])
        two = np.sort(as_numbers(spec.energies[3:6], vals).real)
        assert np.allclose(two, np.sort([2 * nu[0], nu[0] + nu[1], 2 * nu[1]]), rtol=1e-12)


def test_spectrum_irreducible_cubic_is_numeric_only():
    r1, r2, r3 = qs.qubits(3)
    H = (w1 / 2 * r1.sz + w2 / 2 * r2.sz + w3 / 2 * r3.sz
         + lam * (r1.sp * r2.sm + r1.sm * r2.sp) + mu * (r2.sp * r3.sm + r2.sm * r3.sp))
    with pytest.raises(qs.NumericOnlyError) as info:
        qs.spectrum(H)
    msg = str(info.value)
    assert "numeric-only" in msg
    assert "degree 3" in msg
    assert "NumericSolver" in msg
    # it names the offending block (the one-excitation sector) in the product basis
    assert "'+--'" in msg and "'-+-'" in msg and "'--+'" in msg


def test_spectrum_of_a_diagonal_hamiltonian_needs_no_mixing():
    q1, q2 = qs.qubits(2)
    spec = qs.spectrum(w1 / 2 * q1.sz + w2 / 2 * q2.sz)
    assert spec.mixing == ()
    assert spec.unitary.T * spec.unitary == sp.eye(4)
    assert sorted(spec.energies, key=lambda e: e.subs({w1: 2, w2: 1})) == [
        -(w1 + w2) / 2, -w1 / 2 + w2 / 2, w1 / 2 - w2 / 2, (w1 + w2) / 2]


# ==========================================================================================
# Defined symbols
# ==========================================================================================
def test_defined_symbols_expand_recursively():
    a = qs.DefinedSymbol("a", 2 * x, positive=True)
    b = qs.DefinedSymbol("b", a + 1, positive=True)
    assert qs.expand_definitions(b**2) == (2 * x + 1) ** 2
    assert qs.expand_definitions(sp.Matrix([[a, 1], [0, b]])) == sp.Matrix([[2 * x, 1], [0, 2 * x + 1]])
    assert a.is_positive and isinstance(a, sp.Symbol)
    assert a.definition == 2 * x
    # results keep the short notation until expanded
    assert (b - a).free_symbols == {a, b}
    assert qs.expand_definitions(b - a) == 1


def test_defined_symbols_identity_and_pickling():
    a1 = qs.DefinedSymbol("a", 2 * x, positive=True)
    a2 = qs.DefinedSymbol("a", 3 * x, positive=True)
    assert a1 != a2                      # same name, different definitions
    assert a1 == qs.DefinedSymbol("a", 2 * x, positive=True)
    assert a1 != sp.Symbol("a", positive=True)
    assert sp.simplify(a1 - a2) != 0
    back = pickle.loads(pickle.dumps(a1))
    assert back == a1 and back.definition == 2 * x and back.is_positive


def test_symbols_carry_assumptions():
    w_, T_ = qs.symbols("w_ T_", positive=True)
    assert (w_ / T_).is_positive
    assert sp.sqrt(w_**2) == w_
    assert qs.symbols("z").is_positive is None


# ==========================================================================================
# Occupations and spectral functions
# ==========================================================================================
def test_bose_occupation_rewrite_and_positivity():
    TA = sp.Symbol("T_A", positive=True)
    nA = qs.bose_occupation("A", TA)
    assert nA is qs.bose_occupation("A", TA)  # cached: one function per bath and temperature
    assert nA(w).rewrite(sp.exp) == 1 / (sp.exp(w / TA) - 1)
    assert qs.expand_occupations(1 + nA(w)) == 1 + 1 / (sp.exp(w / TA) - 1)
    assert nA(w).is_positive is True
    assert nA(w).is_real is True
    assert nA(sp.Symbol("y", real=True)).is_positive is None
    # detailed balance: (1 + n)/n = exp(w/T)
    assert sp.simplify(qs.expand_occupations((1 + nA(w)) / nA(w)) - sp.exp(w / TA)) == 0
    # the derivative is that of the Planck function
    # (written in the occupation itself, dn/dw = -n(1+n)/T)
    assert sp.simplify(qs.expand_occupations(nA(w).diff(w)) - sp.diff(1 / (sp.exp(w / TA) - 1), w)) == 0
    assert nA(w).diff(w) == -nA(w) * (1 + nA(w)) / TA
    # numeric value against the Planck function at a few points
    for wv, Tv in ((0.3, 0.5), (2.0, 1.7), (5.0, 0.4)):
        val = float(qs.expand_occupations(nA(w)).subs({w: wv, TA: Tv}))
        assert np.isclose(val, 1 / np.expm1(wv / Tv), rtol=1e-13)
    # expm1 form evaluates to the same numbers
    f = sp.lambdify((w, TA), qs.expand_occupations(nA(w), expm1_form=True), "numpy")
    assert np.isclose(f(1e-6, 1.0), 1 / np.expm1(1e-6), rtol=1e-12)


def test_fermi_occupation_particle_hole_symmetry():
    TL = sp.Symbol("T_L", positive=True)
    f = qs.fermi_occupation("L", TL)
    assert f(-w).is_positive is True  # defined at every real energy
    assert sp.simplify(qs.expand_occupations(f(w) + f(-w)) - 1) == 0
    for wv, Tv in ((0.3, 0.5), (2.0, 1.7)):
        assert np.isclose(float(qs.expand_occupations(f(w)).subs({w: wv, TL: Tv})), 1 / (np.exp(wv / Tv) + 1))
    # derivatives in closed form (f' = -f(1-f)/T, x' = -x/T) equal those of the functions
    x = qs.boltzmann_factor("L", TL)
    for occ, full in ((f(w), 1 / (sp.exp(w / TL) + 1)), (x(w), sp.exp(-w / TL))):
        d = qs.expand_occupations(occ.diff(w, 2)) - sp.diff(full, w, 2)
        assert abs(complex(d.subs({w: 0.7, TL: 0.4}))) < 1e-12


def test_negative_frequency_raises():
    TA = sp.Symbol("T_A", positive=True)
    nA = qs.bose_occupation("A", TA)
    with pytest.raises(qs.NegativeFrequencyError, match="omega > 0"):
        nA(-w)
    with pytest.raises(qs.NegativeFrequencyError):
        nA(-2)
    bath = qs.BosonicBath("A", TA)
    with pytest.raises(qs.NegativeFrequencyError, match="g_A"):
        bath.spectral_function(-w)
    # positive and undecidable-sign frequencies are accepted
    assert bath.spectral_function(w).func.__name__ == "g_A"
    assert sp.expand(bath.emission_rate(w) - bath.absorption_rate(w)) == bath.spectral_function(w)
    kappa, cut = sp.symbols("kappa omega_cut", positive=True)
    ohm = qs.BosonicBath("B", TA, qs.OhmicSpectrum(kappa, cut))
    assert ohm.spectral_function(w) == kappa * w * sp.exp(-w / cut)
    with pytest.raises(qs.NegativeFrequencyError):
        ohm.spectral_function(-1)


def test_eigenoperators_sum_to_the_coupling_operator():
    """A = sum_omega A(omega) (eigenbasis), each A(omega) lowering the energy by omega."""
    w1, w2, lam = qs.symbols("omega_1 omega_2 lambda", positive=True)
    q1, q2 = qs.qubits(2)
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz + lam * (q1.sp * q2.sm + q1.sm * q2.sp)
    spec = qs.spectrum(H)
    parts = qs.eigenoperators(spec, q1.sm)
    assert len(parts) == 2  # omega_+ and omega_-
    total = sum(parts.values(), sp.zeros(4, 4))
    assert (total - spec.in_eigenbasis(q1.sm)).applyfunc(sp.expand).is_zero_matrix
    Hd = sp.diag(*spec.energies)
    for w, Aw in parts.items():  # [H, A(w)] = -w A(w)
        comm = (Hd * Aw - Aw * Hd + w * Aw).applyfunc(sp.simplify)
        assert comm.is_zero_matrix
