"""Levy-Kosloff coupled oscillators (Fogedby sec. IV.C.2, eqs. 4.32-4.35): closed second-moment
equations, their steady state and heat currents, checked against physics and against the
independent truncated-Fock solver."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy as sp

import qsym as qs
from derivations import levy_kosloff_oscillators as lk
from qsym.baths import _Occupation, expand_occupations
from qsym.dynamics.moments import (ChannelCurrent, FockSolver, LinearJump, MomentMasterEquation, SecondMoment,
                                   moment_master_equation, normal_order)
from qsym.numeric.functions import to_numeric
from qsym.numeric.verify import _callables, sample_points, verify

w1, w2, lam, TA, TB = lk.w1, lk.w2, lk.lam, lk.TA, lk.TB


def _numeric_matrix(M, me, n=40, seed=3):
    """Samples of a symbolic matrix over the model's domain, shape (n, d, d)."""
    samples, spectral = sample_points(me.model, list(M), n, seed)
    params = tuple(samples)
    out = np.empty((n,) + M.shape, complex)
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            f = to_numeric(M[i, j], params, spectral=spectral)
            out[:, i, j] = np.asarray(f(samples), complex) * np.ones(n)
    return out


def _point(me, values, extra_spectral=None):
    """A parameter point with the spectral realisation kappa=0.02, s=1, omega_c=2."""
    from qsym.numeric.functions import spectral_realisation
    vals, spectral = dict(values), {}
    for b in me.bath_names:
        lamb, rg = spectral_realisation(b)
        spectral[b] = lamb
        for s in rg:
            vals[s] = lk.SPECTRAL_PARAMS[str(s).split("_")[0]]
    return vals, spectral


def _closed(expr, vals, spectral):
    f = to_numeric(expr, tuple(vals), spectral=spectral)
    return complex(np.asarray(f(vals)))


# ---- the operator algebra -------------------------------------------------------------------
def test_normal_ordering_obeys_canonical_commutators():
    assert normal_order([(0, False), (0, True)]) == {((0,), (0,)): 1, ((), ()): 1}
    assert normal_order([(0, False), (1, True)]) == {((1,), (0,)): 1}
    # a a a^dag = a^dag a a + 2 a
    assert normal_order([(0, False), (0, False), (0, True)]) == {((0,), (0, 0)): 1, ((), (0,)): 2}


def test_local_moment_equations_have_damping_g_and_source_g_n():
    LL, s = lk.local_me().moment_equations
    gA, gB = sp.Function("g_A", positive=True), sp.Function("g_B", positive=True)
    nA = qs.bose_occupation("A", TA)
    # d<a1^dag a1>/dt = -g_A(w1) <a1^dag a1> - i lam (<a1^dag a2> - <a2^dag a1>) + g_A(w1) n_A(w1):
    # the net damping g(1+n) - g n = g does not depend on the temperature
    assert sp.simplify(LL[0, 0] + gA(w1)) == 0
    assert sp.simplify(s[0] - gA(w1) * nA(w1)) == 0
    assert sp.simplify(LL[3, 3] + gB(w2)) == 0
    assert sp.expand(LL[0, 1] + sp.I * lam) == 0 and sp.expand(LL[0, 2] - sp.I * lam) == 0


# ---- the steady state ---------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["local", "global"])
def test_moment_matrix_is_hermitian_and_positive_semidefinite(which):
    me = lk.local_me() if which == "local" else lk.global_me()
    M = (lk.local_steady_state() if which == "local" else lk.global_steady_state()).site_moments
    assert sp.simplify(expand_occupations(M[0, 1] - sp.conjugate(M[1, 0]))) == 0
    vals = _numeric_matrix(M, me)
    assert np.allclose(vals, np.conj(np.transpose(vals, (0, 2, 1))), rtol=0, atol=1e-14)
    ev = np.linalg.eigvalsh(vals)
    assert ev.min() >= -1e-14, ev.min()


def test_energy_balance_is_exact_for_both_master_equations():
    assert lk.local_me().energy_balance(lk.local_steady_state()) == 0
    assert lk.global_me().energy_balance(lk.global_steady_state()) == 0
    q = lk.local_currents()
    assert sp.cancel(sp.together(q["A"] + q["B"])) == 0


def test_local_uncoupled_modes_are_thermal_with_their_own_bath():
    M = lk.local_steady_state().site_moments.subs(lam, 0)
    nA, nB = qs.bose_occupation("A", TA), qs.bose_occupation("B", TB)
    assert sp.simplify(M - sp.diag(nA(w1), nB(w2))) == sp.zeros(2, 2)
    assert sp.simplify(lk.local_currents()["A"].subs(lam, 0)) == 0


def test_equal_temperatures_give_gibbs_normal_modes_and_no_current_globally():
    T = sp.Symbol("T", positive=True)
    m = lk.model().with_temperatures(A=T, B=T)
    glo = moment_master_equation(m, "global")
    ss = glo.steady_state()
    for k, w in enumerate(glo.h[i, i] for i in range(2)):
        assert sp.simplify(expand_occupations(ss.moments[k, k]) - 1 / (sp.exp(w / T) - 1)) == 0
    assert ss.moments[0, 1] == 0 and ss.moments[1, 0] == 0
    for q in glo.heat_currents(ss).values():
        assert sp.simplify(expand_occupations(q)) == 0


def test_local_equal_temperatures_carry_current_unless_frequencies_are_equal():
    T = sp.Symbol("T", positive=True)
    loc = moment_master_equation(lk.model().with_temperatures(A=T, B=T), "local")
    qA = loc.heat_current("A")
    assert sp.simplify(expand_occupations(qA).subs(w2, w1)) == 0
    vals, spectral = _point(loc, {w1: 1.5, w2: 1.2, lam: 0.3, T: 0.6})
    # n(w1) < n(w2) at equal temperatures: heat leaves bath B and enters bath A
    assert _closed(qA, vals, spectral).real < -1e-6


# ---- closed forms vs the independent numeric solver ----------------------------------------------
def test_local_closed_forms_match_truncated_fock_solver():
    me, ss = lk.local_me(), lk.local_steady_state()
    M = ss.site_moments
    checks = [(M[0, 0], SecondMoment(0, 0)), (M[0, 1], SecondMoment(0, 1, "re")), (M[0, 1], SecondMoment(0, 1, "im")),
              (M[1, 1], SecondMoment(1, 1)), (lk.local_currents()["A"], qs.HeatCurrent("A")),
              (lk.local_currents()["B"], qs.HeatCurrent("B"))]
    for expr, tg in checks:
        rep = verify(expr, me, tg, n=6, seed=11)
        assert rep.max_rel_err <= 1e-8, rep


def test_global_closed_forms_match_truncated_fock_solver():
    me, ss = lk.global_me(), lk.global_steady_state()
    M = ss.site_moments
    checks = [(M[0, 0], SecondMoment(0, 0)), (M[0, 1], SecondMoment(0, 1, "re")), (M[1, 1], SecondMoment(1, 1))]
    for bath, parts in lk.global_channel_currents().items():
        checks += [(q, ChannelCurrent(bath, w)) for w, q in parts.items()]
    for expr, tg in checks:
        rep = verify(expr, me, tg, n=6, seed=11)
        assert rep.max_rel_err <= 1e-8, rep


@pytest.mark.parametrize("which", ["local", "global"])
def test_closed_form_matches_qsyms_own_numeric_solver_on_a_product_truncation(which):
    """At low temperature (occupations ~1e-3) a per-mode cutoff of 8 is exact to ~1e-20, so qsym's
    NumericSolver on the product space gives a second, unrelated numeric reference."""
    a1, a2 = qs.bosons(2, 8)
    H = w1 * a1.ad * a1.a + w2 * a2.ad * a2.a + lam * (a1.a * a2.ad + a1.ad * a2.a)
    m8 = qs.OpenSystem(H, couplings=(qs.Coupling(a1.a, qs.BosonicBath("A", temperature=TA)),
                                     qs.Coupling(a2.a, qs.BosonicBath("B", temperature=TB))))
    me = lk.local_me() if which == "local" else lk.global_me()
    q = (lk.local_currents() if which == "local" else lk.global_currents())["A"]
    vals, spectral = _point(me, {w1: 1.7, w2: 1.2, lam: 0.3, TA: 0.28, TB: 0.2})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = qs.NumericSolver(m8, master=which).solve(vals, spectral=_callables(spectral, vals))
    ref = _closed(q, vals, spectral).real
    assert abs(res.heat_currents["A"] - ref) <= 1e-8 * abs(ref)


def test_fock_cutoff_is_converged_at_the_hottest_corner():
    vals, spectral = _point(lk.global_me(), {w1: 1.02, w2: 1.0, lam: 0.5, TA: 0.8, TB: 0.3})
    cal = _callables(spectral, vals)
    for master, extra in (("global", 20), ("local", 4)):
        auto = FockSolver(lk.model(), master).solve(vals, spectral=cal)
        more = FockSolver(lk.model(), master, cutoff=auto.cutoff + extra).solve(vals, spectral=cal)
        qa, qb = auto.heat_currents["A"], more.heat_currents["A"]
        assert abs(qa - qb) <= 1e-10 * abs(qb), (master, auto.cutoff, qa, qb)


# ---- the paper's statements and the second law ------------------------------------------------------
def test_local_current_is_temperature_free_prefactor_times_occupation_difference():
    F = lk.flux_prefactor()
    assert not F.atoms(_Occupation) and not ({TA, TB} & F.free_symbols)
    assert sp.cancel(sp.together(F * lk.occupation_difference() - lk.local_currents()["A"])) == 0
    assert lk.cold_to_hot_window()["F_positive"].startswith("every factor positive")  # proved, not sampled
    assert (_numeric_matrix(sp.Matrix([F]), lk.local_me(), n=200).real > 0).all()


def test_second_law_certificate_holds_globally_and_is_violated_locally():
    g = lk.global_certificate()
    assert g.status == "holds"
    assert all(F.is_nonnegative for ts in g.terms.values() for F, _ in ts)
    assert len(g.terms["A"]) == 2  # omega_- and omega_+
    c = lk.local_certificate()
    assert c.status == "violated"
    ce = c.counterexample
    assert ce["sigma_numeric_solver"] < 0 and ce["sigma_closed_form"] < 0
    assert abs(ce["sigma_numeric_solver"] - ce["sigma_closed_form"]) <= 1e-8 * abs(ce["sigma_closed_form"])
    p = ce["parameters"]
    hot = "A" if p["T_A"] > p["T_B"] else "B"
    assert ce["heat_currents"][hot] < 0  # the hot bath absorbs heat


def test_cold_to_hot_window_and_solver_confirmed_counterexample():
    win = lk.cold_to_hot_window()
    assert win["interval"] == sp.Interval.open(w2 / w1, 1)
    cx = lk.cold_to_hot_counterexample()
    assert cx["inside_window"] and cx["cold_to_hot"]
    for b in ("A", "B"):
        assert abs(cx["q_numeric_solver"][b] - cx["q_closed_form"][b]) <= 1e-8 * abs(cx["q_closed_form"][b])
    assert cx["q_numeric_solver"]["A"] < 0 < cx["q_numeric_solver"]["B"]  # T_A > T_B, yet heat enters A
    # just outside the window (T_B/T_A = 0.4 < omega_2/omega_1 = 0.5) heat flows from hot to cold
    vals, spectral = _point(lk.local_me(), {w1: 2.0, w2: 1.0, lam: 0.3, TA: 0.75, TB: 0.3})
    assert lk.window_indicator().subs({w1: 2.0, w2: 1.0, TA: 0.75, TB: 0.3}) == 0
    res = lk.local_me().numeric_solver().solve(vals, spectral=_callables(spectral, vals))
    assert res.heat_currents["A"] > 0 and res.entropy_production > 0


def test_local_moment_equation_from_qsym_master_equation_equals_model_route():
    a = moment_master_equation(qs.local_master_equation(lk.model()))
    b = moment_master_equation(lk.model(), "local")
    assert a.channels == b.channels and a.h == b.h and a.kind == b.kind


def test_three_mode_chain_local_and_degenerate_global():
    """N modes: a 3-site chain (local), and a uniform chain whose equally spaced normal modes make
    levels of one excitation sector degenerate (global; the Fock solver keeps their coherences)."""
    w, w3 = sp.symbols("omega omega_3", positive=True)
    b1, b2, b3 = qs.bosons(3, 3)
    A = qs.BosonicBath("A", temperature=TA, spectral=qs.FlatSpectrum(sp.Rational(1, 50)))
    B = qs.BosonicBath("B", temperature=TB, spectral=qs.FlatSpectrum(sp.Rational(1, 30)))
    hop = lam * (b1.a * b2.ad + b1.ad * b2.a + b2.a * b3.ad + b2.ad * b3.a)
    dom = {TA: (0.15, 0.25), TB: (0.15, 0.25), lam: (0.05, 0.3)}
    m = qs.OpenSystem(w1 * b1.ad * b1.a + w2 * b2.ad * b2.a + w3 * b3.ad * b3.a + hop,
                      couplings=(qs.Coupling(b1.a, A), qs.Coupling(b3.a, B)),
                      domain={**dom, w1: (1, 2), w2: (1, 2), w3: (1, 2)})
    loc = moment_master_equation(m, "local")
    assert loc.energy_balance() == 0
    assert verify(loc.heat_current("A"), loc, bath="A", n=2, seed=5).max_rel_err <= 1e-8
    mu = qs.OpenSystem(w * (b1.ad * b1.a + b2.ad * b2.a + b3.ad * b3.a) + hop,
                       couplings=(qs.Coupling(b1.a, A), qs.Coupling(b3.a, B)), assumptions=(lam < w / 2,),
                       domain={**dom, w: (1, 2)})
    glo = moment_master_equation(mu, "global")
    assert len(glo.frequencies) == 2 and glo.n_modes == 3  # omega_pm = omega +- sqrt(2) lambda, and omega
    cert = qs.second_law_certificate(glo, currents={b: glo.heat_current(b, by_channel=True) for b in "AB"},
                                     sigma=glo.entropy_production())
    assert cert.status == "holds"
    assert verify(glo.heat_current("A"), glo, bath="A", n=2, seed=5).max_rel_err <= 1e-8


# ---- bad input ----------------------------------------------------------------------------------------
def _model(H, L1, L2, **kw):
    return qs.OpenSystem(H, couplings=(qs.Coupling(L1, qs.BosonicBath("A", temperature=TA), **kw),
                                       qs.Coupling(L2, qs.BosonicBath("B", temperature=TB))))


def test_bad_input_raises_clear_errors():
    a1, a2 = qs.bosons(2, 3)
    H = w1 * a1.ad * a1.a + w2 * a2.ad * a2.a + lam * (a1.a * a2.ad + a1.ad * a2.a)
    kerr = H + lam * a1.ad * a1.a * a1.ad * a1.a
    with pytest.raises(ValueError, match=r"`H` is not a number-conserving quadratic form"):
        moment_master_equation(_model(kerr, a1.a, a2.a), "local")
    with pytest.raises(ValueError, match=r"not linear in the mode operators"):
        moment_master_equation(_model(H, a1.a * a1.a, a2.a), "local")
    with pytest.raises(ValueError, match=r"must lower the energy"):
        moment_master_equation(_model(H, a1.a + a1.ad, a2.a), "global")
    with pytest.raises(ValueError, match=r"`kind` must be 'local' or 'global'"):
        moment_master_equation(_model(H, a1.a, a2.a), "secular")
    c1, c2 = qs.bosons(2, 2)
    with pytest.raises(ValueError, match=r"expected dim >= 3"):
        moment_master_equation(_model(w1 * c1.ad * c1.a + w2 * c2.ad * c2.a, c1.a, c2.a), "local")
    q1, q2 = qs.qubits(2)
    with pytest.raises(ValueError, match=r"bosonic modes only"):
        moment_master_equation(_model(w1 / 2 * q1.sz + w2 / 2 * q2.sz, q1.sm, q2.sm), "local")
    strong = qs.OpenSystem(H, couplings=(qs.Coupling(a1.a, qs.BosonicBath("A", temperature=TA)),
                                         qs.Coupling(a2.a, qs.BosonicBath("B", temperature=TB))),
                           domain={lam: (3, 4), w1: (1, 2), w2: (1, 2)})
    with pytest.raises(ValueError, match=r"normal mode 1 of H has frequency"):
        moment_master_equation(strong, "global")
    # a jump that mixes a and a^dag does not close the <a^dag a> equations
    loc = lk.local_me()
    mixed = LinearJump("A", (1, 0), (0, 1), sp.Symbol("gamma", positive=True), w1)  # a_1 + a_2^dag (two-mode squeezing-like)
    bad = MomentMasterEquation(loc.model, loc.kind, loc.modes, loc.h, loc.channels + (mixed,), loc.to_sites)
    with pytest.raises(ValueError, match=r"bath 'A'.*does not close the equations"):
        bad.moment_equations
