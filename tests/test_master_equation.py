"""Global (Davies) and local master equations, steady states and thermodynamics.

Physics asserted: probability and Hermiticity preservation of the generator, a normalised
positive steady state, the first law (sum of heat currents = 0), the Gibbs state and vanishing
currents at equal temperatures, the second law (entropy production >= 0), heat flowing from hot
to cold (current = F [n_A - n_B] with F >= 0), and every closed form against the independent
numeric solver (qs.verify / NumericSolver) at seeded random parameters.
"""
from __future__ import annotations

from functools import lru_cache
import math

import numpy as np
import pytest
import sympy as sp

import qsym as qs
from qsym.numeric.solver import NumericSolver

w0, w1, w2, lam, TA, TB = qs.symbols("omega_0 omega_1 omega_2 lambda T_A T_B", positive=True)
wq, wc, g, kA, kB, cut = qs.symbols("omega_q omega_c g kappa_A kappa_B omega_cut", positive=True)
VERIFY_N = 200      # one batch of numeric solutions per model, shared by all verify calls (cached)
TOL = 1e-9


# ---- models ---------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def single_qubit():
    (q,) = qs.qubits(1)
    model = qs.OpenSystem(w0 / 2 * q.sz, couplings=(qs.Coupling(q.sm, qs.BosonicBath("A", TA)),
                                                     qs.Coupling(q.sm, qs.BosonicBath("B", TB))),
                          name="single qubit")
    return model


@lru_cache(maxsize=None)
def coupled_qubits():
    q1, q2 = qs.qubits(2)
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz + lam * (q1.sp * q2.sm + q1.sm * q2.sp)
    return qs.OpenSystem(H, couplings=(qs.Coupling(q1.sm, qs.BosonicBath("A", TA)),
                                       qs.Coupling(q2.sm, qs.BosonicBath("B", TB))),
                         assumptions=(w1 > w2, lam < sp.sqrt(w1 * w2)), domain={lam: (0.05, 1.0)},
                         name="coupled qubits")


MODELS = {"single qubit": single_qubit, "coupled qubits": coupled_qubits}


@lru_cache(maxsize=None)
def derived(name: str, equal_temperatures: bool = False):
    model = MODELS[name]()
    if equal_temperatures:
        model = model.with_temperatures(B=TA)
    me = qs.global_master_equation(model)
    return me, me.steady_state()


@pytest.fixture(params=list(MODELS))
def system(request):
    return request.param


# ---- numeric evaluation of closed forms at random samples -------------------------------------
def spectral_family(bath: str):
    """g_X(w) = k (w/c)^s exp(-w/c): a random positive spectral function with 3 parameters."""
    k, s, c = sp.symbols(f"k_{bath} s_{bath} c_{bath}", positive=True)
    wd = sp.Dummy("w", positive=True)
    return sp.Lambda(wd, k * (wd / c) ** s * sp.exp(-wd / c)), (k, s, c)


def draw_samples(model, n: int, seed: int, *, equal_T: bool = False) -> dict:
    """``n`` samples of the model parameters in the physical domain, plus spectral parameters.
    (Independent of qsym's sampler; assumptions of the coupled qubits enforced by construction.)"""
    rng = np.random.default_rng(seed)
    lu = lambda lo, hi: np.exp(rng.uniform(np.log(lo), np.log(hi), n))  # noqa: E731
    out = {}
    for s in model.parameters:
        if s in (lam,):
            continue
        out[s] = lu(0.3, 3.0)
    if w1 in out and w2 in out:
        a, b = out[w1], out[w2]
        out[w1], out[w2] = np.maximum(a, b) * 1.05, np.minimum(a, b)
    if lam in model.parameters:
        out[lam] = rng.uniform(0.05, 0.9, n) * np.sqrt(out[w1] * out[w2])
    if equal_T:
        out.pop(TB, None)
    for b in model.baths:
        if isinstance(b.spectral, qs.UndefinedSpectrum):
            _, (k, s, c) = spectral_family(b.name)
            out[k], out[s], out[c] = lu(0.005, 0.05), rng.uniform(0.0, 2.0, n), lu(0.5, 5.0)
    return out


def evaluate(expr, samples: dict) -> np.ndarray:
    """Closed form (defined symbols and occupations expanded, g_X realised) at the samples."""
    spectral = {name: spectral_family(name)[0] for name in "ABCD"}
    e = qs.expand_occupations(qs.expand_definitions(expr))
    used = {f.func.__name__[2:] for f in e.atoms(sp.core.function.AppliedUndef)
            if f.func.__name__.startswith("g_")}
    f = qs.to_numeric(e, spectral={k: v for k, v in spectral.items() if k in used})
    n = len(next(iter(samples.values())))
    return np.real(np.asarray(f({p: samples[p] for p in f.params}), dtype=complex)) * np.ones(n)


def numeric_spectral(model, values: dict) -> dict:
    """Callables g_X(w) for the numeric solver, the same realisation as :func:`evaluate`."""
    out = {}
    for b in model.baths:
        if isinstance(b.spectral, qs.UndefinedSpectrum):
            _, (k, s, c) = spectral_family(b.name)
            kv, sv, cv = values[k], values[s], values[c]
            out[b.name] = lambda wv, kv=kv, sv=sv, cv=cv: kv * (wv / cv) ** sv * math.exp(-wv / cv)
    return out


def nonzero(expr) -> bool:
    return sp.simplify(expr) != 0


def gibbs(energies: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Textbook Gibbs populations exp(-E_n/T)/Z (rows = levels)."""
    x = -(energies - energies.min(axis=0)) / T
    p = np.exp(x)
    return p / p.sum(axis=0)


# ==========================================================================================
# Generator structure
# ==========================================================================================
def test_rate_matrix_conserves_probability(system):
    me, _ = derived(system)
    d = me.dim
    for bath in (None,) + me.bath_names:
        K = me.rate_matrix(bath)
        for p in range(d):
            assert sp.simplify(sum(K[:, p])) == 0, (bath, p)
            for n in range(d):
                if n != p:  # rates are non-negative: products of g > 0, occupations > 0, |amp|^2
                    assert K[n, p] == 0 or K[n, p].is_nonnegative, (bath, n, p, K[n, p])
    # the population block of the full generator (built from the dissipators, not from the rates)
    # is the Pauli rate matrix, and the full generator is trace preserving for every input
    K = me.rate_matrix()
    for p in range(d):
        for q in range(d):
            assert sp.simplify(me.kernel_element(p + 1, p + 1, q + 1, q + 1) - K[p, q]) == 0
    for q in range(d):
        for qq in range(d):
            tr = sum(me.kernel.get(((p, p), (q, qq)), 0) for p in range(d))
            assert sp.simplify(tr) == 0, (q, qq)


def test_generator_preserves_hermiticity(system):
    """L(X^dag) = L(X)^dag  <=>  K_{kl,ij} = conj(K_{lk,ji})."""
    me, _ = derived(system)
    K = me.kernel
    assert K, "empty generator"
    for ((k, l), (i, j)), v in K.items():
        partner = K.get(((l, k), (j, i)), sp.S.Zero)
        assert sp.simplify(v - sp.conjugate(partner)) == 0, ((k, l), (i, j))


def test_rates_match_numeric_solver(system):
    me, _ = derived(system)
    d = me.dim
    checked = 0
    for bath in me.bath_names:
        K = me.rate_matrix(bath)
        for m in range(d):
            for n in range(d):
                if m != n and K[m, n] != 0:
                    rep = qs.verify(K[m, n], me, qs.Rate(bath, m + 1, n + 1), n=VERIFY_N)
                    assert rep.max_rel_err <= TOL, rep
                    checked += 1
    assert checked == {"single qubit": 4, "coupled qubits": 16}[system]


# ==========================================================================================
# Steady state
# ==========================================================================================
def test_steady_state_normalised_hermitian_positive(system):
    me, ss = derived(system)
    d = me.dim
    assert sp.simplify(sum(ss.populations) - 1) == 0
    rho = sp.Matrix(ss.rho)
    assert (rho - rho.H).applyfunc(sp.simplify).is_zero_matrix
    # secular equation, non-degenerate levels: no coherences survive
    assert all(rho[i, j] == 0 for i in range(d) for j in range(d) if i != j)
    smp = draw_samples(me.model, 64, seed=11)
    P = np.array([evaluate(p, smp) for p in ss.populations])
    assert np.all(P > 0) and np.all(P < 1)
    assert np.allclose(P.sum(axis=0), 1, rtol=0, atol=1e-13)


def test_steady_state_matches_numeric_solver(system):
    me, ss = derived(system)
    for n in range(1, me.dim + 1):
        rep = qs.verify(ss.population(n), me, qs.Population(n), n=VERIFY_N)
        assert rep.max_rel_err <= TOL, rep
    for bath in me.bath_names:
        q = me.heat_current(bath, ss)
        rep = qs.verify(q, me, bath=bath, n=VERIFY_N)
        assert rep.max_rel_err <= TOL, rep


def test_first_law_energy_balance(system):
    me, ss = derived(system)
    assert qs.energy_balance(me, ss) == 0
    qs_ = qs.heat_currents(me, ss)
    assert set(qs_) == set(me.bath_names)
    assert all(nonzero(q) for q in qs_.values())   # not trivially zero


def test_heat_flows_from_hot_to_cold_and_second_law(system):
    me, ss = derived(system)
    qA, qB = me.heat_current("A", ss), me.heat_current("B", ss)
    sigma = qs.entropy_production(me, ss)
    smp = draw_samples(me.model, 200, seed=12)
    qa, qb, sg = evaluate(qA, smp), evaluate(qB, smp), evaluate(sigma, smp)
    hot_A = smp[TA] > smp[TB]
    scale = np.abs(qa).max()
    assert scale > 0
    assert np.all(qa[hot_A] > 0) and np.all(qa[~hot_A] < 0)   # heat enters from the hotter bath
    assert np.allclose(qa + qb, 0, rtol=0, atol=1e-12 * scale)
    assert np.all(sg >= -1e-14 * np.abs(sg).max())
    assert np.all(sg[np.abs(smp[TA] / smp[TB] - 1) > 0.05] > 0)  # strictly positive out of equilibrium
    # Spohn's sigma = -sum q/T against the numeric solver's entropy production
    rep = qs.verify(sigma, me, qs.EntropyProduction(), n=VERIFY_N)
    assert rep.max_rel_err <= TOL, rep


def test_equal_temperatures_give_gibbs_state_and_no_current(system):
    me, ss = derived(system, equal_temperatures=True)
    assert me.model.bath("B").temperature == TA
    smp = draw_samples(me.model, 64, seed=13, equal_T=True)
    assert TB not in smp
    E = np.array([evaluate(e, smp) for e in me.energies])
    # the energies are the eigenvalues of the numeric Hamiltonian (independent check)
    Hf = sp.lambdify(sorted(me.model.H.free_symbols(), key=str), me.model.H.matrix, "numpy")
    for k in range(5):
        Hn = np.array(Hf(*[smp[s][k] for s in sorted(me.model.H.free_symbols(), key=str)]), dtype=float)
        assert np.allclose(np.sort(E[:, k]), np.linalg.eigvalsh(Hn), atol=1e-12)
    P = np.array([evaluate(p, smp) for p in ss.populations])
    assert np.allclose(P, gibbs(E, smp[TA]), rtol=1e-11, atol=0)
    for bath in me.bath_names:
        q = me.heat_current(bath, ss)
        assert sp.simplify(qs.expand_occupations(q)) == 0, bath
    # and the Gibbs state is what the numeric solver finds
    rep = qs.verify(ss.population(1), me, qs.Population(1), n=50)
    assert rep.max_rel_err <= TOL, rep


def test_equal_temperature_currents_vanish_only_at_equal_temperatures(system):
    """Control for the previous test: with T_B free the same currents are non-zero."""
    me, ss = derived(system)
    q = me.heat_current("A", ss)
    assert sp.simplify(qs.expand_occupations(q)) != 0


# ==========================================================================================
# Flux form q = F [n_A - n_B]
# ==========================================================================================
def test_flux_form_single_qubit():
    me, ss = derived("single qubit")
    nA, nB = qs.bose_occupation("A", TA)(w0), qs.bose_occupation("B", TB)(w0)
    qA = me.heat_current("A", ss)
    F, diff = qs.flux_form(qA)
    assert F.is_nonnegative is True
    assert sp.expand(diff - (nA - nB)) == 0
    assert sp.simplify(F * diff - qA) == 0
    assert not F.atoms(qs.baths._Occupation) - {nA, nB} and F.has(w0)
    # q^B = -q^A = F [n_B - n_A]: same non-negative prefactor, heat enters from the hotter bath
    qB = me.heat_current("B", ss)
    FB, diffB = qs.flux_form(qB)
    assert FB.is_nonnegative is True
    assert sp.expand(diffB - (nB - nA)) == 0
    assert sp.simplify(FB * diffB - qB) == 0
    assert sp.simplify(FB - F) == 0


def test_flux_form_coupled_qubits_per_channel():
    me, ss = derived("coupled qubits")
    wm, wp = me.frequencies
    assert {str(wm), str(wp)} == {"omega_-", "omega_+"}
    for bath, sign in (("A", 1), ("B", -1)):
        chans = me.heat_current(bath, ss, by_channel=True)
        assert set(chans) == {wm, wp}
        assert sp.simplify(sum(chans.values()) - me.heat_current(bath, ss)) == 0
        for wj, qj in chans.items():
            F, diff = qs.flux_form(qj)
            nA, nB = qs.bose_occupation("A", TA)(wj), qs.bose_occupation("B", TB)(wj)
            assert F.is_nonnegative is True
            assert sp.expand(diff - sign * (nA - nB)) == 0
            assert sp.simplify(F * diff - qj) == 0
            rep = qs.verify(qj, me, qs.ChannelHeatCurrent(bath, wj), n=VERIFY_N)
            assert rep.max_rel_err <= TOL, rep
    # the total current has two different occupation differences: no single flux form
    with pytest.raises(ValueError, match="n_X"):
        qs.flux_form(me.heat_current("A", ss))


# ==========================================================================================
# Jaynes-Cummings: qubit + truncated boson, one bath each
# ==========================================================================================
@lru_cache(maxsize=None)
def jaynes_cummings():
    """Resonant JC model (omega_q = omega_c = omega): its 8 dressed transition frequencies
    omega + {+-1, +-sqrt2, +-(sqrt2 +- 1)} g stay >= 0.41 g apart, so the secular approximation
    holds on the whole domain (off resonance, dispersive shifts bring lines arbitrarily close)."""
    q, a = qs.sites(qs.Site("q", "qubit", 2), qs.Site("a", "boson", 3))
    H = wc / 2 * q.sz + wc * a.n + g * (q.sp * a.a + q.sm * a.ad)
    model = qs.OpenSystem(H, couplings=(qs.Coupling(q.sm, qs.BosonicBath("A", TA, qs.FlatSpectrum(kA))),
                                        qs.Coupling(a.a, qs.BosonicBath("B", TB, qs.FlatSpectrum(kB)))),
                          domain={g: (0.08, 0.2), wc: (1.0, 1.5), kA: (0.0005, 0.002), kB: (0.0005, 0.002),
                                  TA: (0.3, 1.5), TB: (0.3, 1.5)},
                          name="Jaynes-Cummings")
    return model, qs.global_master_equation(model)


def test_jaynes_cummings_rates_and_stationarity_vs_numeric():
    model, me = jaynes_cummings()
    assert me.dim == 6
    assert len(me.frequencies) == 8   # 8 distinct dressed transition frequencies
    K = me.rate_matrix()
    # rates of a few transitions against the numeric Pauli matrices
    for bath, m, n in (("A", 1, 2), ("A", 2, 1), ("B", 1, 3), ("B", 4, 6), ("A", 2, 4), ("B", 5, 2)):
        expr = me.rate_matrix(bath)[m - 1, n - 1]
        assert expr != 0
        rep = qs.verify(expr, me, qs.Rate(bath, m, n), n=40)
        assert rep.max_rel_err <= TOL, rep
    # the numeric steady state is annihilated by the symbolic Pauli rate matrix
    rng = np.random.default_rng(21)
    Kf = sp.lambdify(sorted(model.parameters, key=str),
                     qs.expand_occupations(qs.expand_definitions(K)), "numpy")
    solver = NumericSolver(model)
    for _ in range(8):
        vals = {s: float(np.exp(rng.uniform(*np.log(model.domain_of(s) or (0.3, 3.0)))))
                for s in model.parameters}
        res = solver.solve(vals)
        Kn = np.array(Kf(*[vals[s] for s in sorted(model.parameters, key=str)]), dtype=float)
        E_sym = np.array([complex(qs.expand_definitions(e).evalf(subs=vals)).real for e in me.energies])
        order = np.argsort(E_sym)
        assert np.allclose(E_sym[order], res.energies, atol=1e-12)
        p = np.empty(6)
        p[order] = res.populations
        assert np.abs(Kn @ p).max() <= 1e-12 * np.abs(Kn).max()


def test_conditions_record_the_domain_that_was_sampled():
    model, me = jaynes_cummings()
    sampled = [how for _, how in me.conditions if "sampled points" in how]
    assert sampled, me.conditions
    for how in sampled:
        assert "default ranges" not in how, how
        assert "omega_c" in how and "g" in how


@pytest.mark.slow
def test_jaynes_cummings_steady_state_vs_numeric():
    model, me = jaynes_cummings()
    ss = me.steady_state()
    rep = qs.verify(ss.population(2), me, qs.Population(2), n=50)
    assert rep.max_rel_err <= TOL, rep
    rep = qs.verify(me.heat_current("A", ss), me, bath="A", n=50)
    assert rep.max_rel_err <= TOL, rep


# ==========================================================================================
# Hermitian coupling S (X + X^dag)
# ==========================================================================================
@lru_cache(maxsize=None)
def hermitian_qubit(S_name: str = "sx"):
    (q,) = qs.qubits(1)
    S = {"sx": q.sx, "sx+sz": q.sx + q.sz}[S_name]
    model = qs.OpenSystem(w0 / 2 * q.sz, couplings=(
        qs.Coupling(S, qs.BosonicBath("A", TA, qs.OhmicSpectrum(kA, cut)), form="hermitian"),),
        domain={kA: (0.005, 0.05)})
    return model


def test_hermitian_coupling_rates_and_gibbs_steady_state():
    model = hermitian_qubit("sx")
    me = qs.global_master_equation(model)
    K = me.rate_matrix("A")
    # sigma_x drives both directions with the Ohmic KMS rates
    assert K[0, 1] != 0 and K[1, 0] != 0
    assert sp.simplify(qs.expand_occupations(K[1, 0] / K[0, 1]) - sp.exp(-w0 / TA)) == 0
    for m, n in ((1, 2), (2, 1)):
        rep = qs.verify(K[m - 1, n - 1], me, qs.Rate("A", m, n), n=100)
        assert rep.max_rel_err <= TOL, rep
    ss = me.steady_state()
    assert sp.simplify(sum(ss.populations) - 1) == 0
    for n in (1, 2):
        rep = qs.verify(ss.population(n), me, qs.Population(n), n=100)
        assert rep.max_rel_err <= TOL, rep
    # a single bath thermalises the qubit: Gibbs populations, no current
    p_up = qs.expand_occupations(ss.population(2))
    assert sp.simplify(p_up - sp.exp(-w0 / TA) / (1 + sp.exp(-w0 / TA))) == 0
    assert me.heat_current("A", ss) == 0


def test_hermitian_coupling_with_zero_frequency_component():
    model = hermitian_qubit("sx+sz")
    res = NumericSolver(model).solve({w0: 1.0, TA: 0.7, kA: 0.01, cut: 2.0})
    assert res.nullspace_dim == 1
    me = qs.global_master_equation(model)
    # the pure-dephasing channel has rate kappa * T_A
    deph = [c for c in me.channels if c.frequency == 0]
    assert len(deph) == 1
    assert sp.simplify(deph[0].rate - kA * TA) == 0
    rep = qs.verify(me.kernel_element(1, 2, 1, 2), me, qs.KernelElement(1, 2, 1, 2), n=50)
    assert rep.max_rel_err <= TOL, rep
    ss = me.steady_state()
    rep = qs.verify(ss.population(2), me, qs.Population(2), n=50)
    assert rep.max_rel_err <= TOL, rep


# ==========================================================================================
# Local master equation (channels only; its symbolic steady state is too slow for the suite)
# ==========================================================================================
def test_local_master_equation_channels_at_bare_frequencies():
    model = coupled_qubits()
    ml = qs.local_master_equation(model)
    assert ml.kind == "local Lindblad"
    nA, nB = qs.bose_occupation("A", TA), qs.bose_occupation("B", TB)
    gA, gB = sp.Function("g_A", positive=True), sp.Function("g_B", positive=True)
    for bath, wb, n_, g_ in (("A", w1, nA, gA), ("B", w2, nB, gB)):
        chans = ml.channels_of(bath)
        assert sorted(map(str, (c.frequency for c in chans))) == sorted([str(wb), str(-wb)])
        for c in chans:
            expected = g_(wb) * (1 + n_(wb)) if c.frequency == wb else g_(wb) * n_(wb)
            assert sp.expand(c.rate - expected) == 0, (bath, c)
            # each jump flips only the qubit coupled to this bath: two transitions per jump
            assert len(c.operator) == 2
            assert not any(lam in sp.sympify(a).free_symbols for _, a in c.operator)
    # the coherent part keeps the full H (with the flip-flop coupling)
    assert lam in ml.hamiltonian.free_symbols
    assert lam not in set().union(*(sp.sympify(E).free_symbols for E in ml.energies))


def test_local_dissipators_match_numeric_solver():
    """D_X(rho) from the symbolic local channels equals the numeric local solver's D_X(rho)
    on random density matrices."""
    model = coupled_qubits()
    ml = qs.local_master_equation(model)
    U = sp.Matrix(ml.spectrum.unitary)
    solver = NumericSolver(model, master="local")
    smp = draw_samples(model, 4, seed=31)
    rng = np.random.default_rng(32)
    for k in range(4):
        vals = {s: float(v[k]) for s, v in smp.items()}
        res = solver.solve({s: vals[s] for s in model.parameters}, spectral=numeric_spectral(model, vals))
        X = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
        rho = X @ X.conj().T
        rho /= np.trace(rho)
        for bath in ml.bath_names:
            D = np.zeros((4, 4), complex)
            for c in ml.channels_of(bath):
                J = np.array((U * c.matrix(4) * U.H).evalf(), dtype=complex)
                rate = float(evaluate(c.rate, {s: np.array([v]) for s, v in vals.items()})[0])
                JdJ = J.conj().T @ J
                D += rate * (J @ rho @ J.conj().T - 0.5 * (JdJ @ rho + rho @ JdJ))
            Dn = res.dissipators[bath](rho)
            assert np.abs(D).max() > 0
            assert np.allclose(D, Dn, rtol=0, atol=1e-12 * np.abs(Dn).max()), bath


def test_phase_dependent_kernel_elements_in_the_derivations_gauge():
    """K_{34,12} carries the phase of V_3^* V_4 V_1 V_2^*: it is read in the symbolic
    eigenvectors' phase convention (numeric eigenvectors rephased, overlaps checked)."""
    from derivations import fogedby_coupled_qubits as fcq
    me = fcq.master_equation()
    for p, pp, q, qq in [(3, 4, 1, 2), (1, 3, 2, 4), (2, 4, 1, 3)]:
        k = me.kernel_element(p, pp, q, qq)
        assert k != 0
        rep = qs.verify(k, me, qs.KernelElement(p, pp, q, qq), n=30)
        assert rep.max_rel_err <= TOL, rep
