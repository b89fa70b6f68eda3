"""Named regimes: the leading forms and the rates stated for their corrections, checked with
verify_limit (mpmath, so that deep in a regime nothing underflows or cancels)."""
from __future__ import annotations

import pytest
import sympy as sp

import qsym as qs
from qsym.asymptotics import RegimeError, high_temperature, low_temperature, verify_limit, weak_coupling

W = sp.Dummy("w")


def _single():
    from derivations import fogedby_single_qubit as f
    spec = {f.gA.func: sp.Lambda(W, sp.Rational(3, 100)), f.gB.func: sp.Lambda(W, sp.Rational(5, 100))}
    return f, spec


def _rho_plus(f):
    return f.steady_state().population(f.PLUS)


@pytest.mark.parametrize("which", ["qA", "rho_plus"])
def test_high_temperature_rate(which):
    f, spec = _single()
    expr = f.heat_current("A") if which == "qA" else _rho_plus(f)
    lim = high_temperature(expr)
    devs, rate = verify_limit(lim, {f.w0: 1.0, f.TA: 2.0, f.TB: 1.0}, spectral=spec)
    assert devs[-1] < devs[0] * 1e-2
    assert abs(rate - 1) < 0.05, (rate, lim.correction)


@pytest.mark.parametrize("which", ["qA", "rho_plus"])
def test_low_temperature_keeps_boltzmann_factors_and_rate(which):
    f, spec = _single()
    expr = f.heat_current("A") if which == "qA" else _rho_plus(f)
    lim = low_temperature(expr)
    assert lim.leading.has(sp.exp) and lim.leading != 0
    devs, rate = verify_limit(lim, {f.w0: 1.0, f.TA: 1.0, f.TB: 0.5}, steps=(2, 4, 8, 16, 32), spectral=spec)
    assert devs[-1] < 1e-10  # at T/omega ~ 1/64 float64 would underflow the currents' differences
    assert abs(rate - 1) < 0.1, rate


def test_low_temperature_current_is_fogedby_4_4_form():
    f, _ = _single()
    lead = low_temperature(f.heat_current("A")).leading
    published = f.gA * f.gB * f.w0 / (f.gA + f.gB) * (sp.exp(-f.w0 / f.TA) - sp.exp(-f.w0 / f.TB))
    assert sp.simplify(lead - published) == 0


def test_regime_errors_name_the_problem():
    f, _ = _single()
    with pytest.raises(RegimeError, match="do not appear"):
        weak_coupling(f.heat_current("A"), sp.Symbol("lambda", positive=True))
    with pytest.raises(RegimeError, match="no temperature"):
        high_temperature(f.w0**2)
    with pytest.raises(RegimeError, match="no Bose occupation"):
        low_temperature(f.w0**2)


# ---- every regime: the stated rate on two independent expressions -----------------------------
from qsym.asymptotics import (check_limit, dispersive, resonance, temperature_bias,  # noqa: E402
                              weak_dissipation)


def _coupled():
    from derivations import fogedby_coupled_qubits as c
    spec = {"A": sp.Lambda(W, sp.Rational(3, 100) * W), "B": sp.Lambda(W, sp.Rational(5, 100))}
    vals = {c.w1: 2.0, c.w2: 1.0, c.lam: 0.2, c.TA: 1.3, c.TB: 0.7}
    return c, spec, vals


def _assert_rate(res, tight=True):
    assert res["passed"], res
    if tight:
        assert abs(res["observed_rate"] - 1) < 0.1, res


@pytest.mark.parametrize("which", ["alpha2", "rho_1", "q_A_plus"])
def test_weak_coupling_rate(which):
    c, spec, vals = _coupled()
    th, al, be = c.mixing()
    expr = {"alpha2": al**2, "rho_1": c.steady_state().population(1),
            "q_A_plus": c.channel_current("A", "+")}[which]
    lim = weak_coupling(expr, c.lam, order=0, assumptions=c.model().assumptions)
    assert lim.correction == c.lam**2
    _assert_rate(check_limit(lim, vals, spectral=spec))


@pytest.mark.parametrize("sign", ["+", "-"])
def test_weak_coupling_channel_current_vanishes_like_lambda_squared(sign):
    c, spec, vals = _coupled()
    lim = weak_coupling(c.channel_current("A", sign), c.lam, order=0, assumptions=c.model().assumptions)
    assert lim.value == 0
    assert sp.degree(sp.factor(lim.leading).as_numer_denom()[0], c.lam) == 2


@pytest.mark.parametrize("which", ["beta2", "q_A_plus"])
def test_dispersive_rate(which):
    c, spec, vals = _coupled()
    th, al, be = c.mixing()
    expr = be**2 if which == "beta2" else c.channel_current("A", "+")
    lim = dispersive(expr, c.w1 - c.w2, c.lam, order=1 if which == "beta2" else 0,
                     assumptions=c.model().assumptions)
    assert sp.Symbol("Delta", positive=True) in lim.correction.free_symbols
    _assert_rate(check_limit(lim, {**vals, c.lam: 0.1}, spectral=spec))


@pytest.mark.parametrize("which", ["beta2", "omega_minus"])
def test_resonance_rate(which):
    c, spec, vals = _coupled()
    th, al, be = c.mixing()
    expr = be**2 if which == "beta2" else c.frequency("-")
    lim = resonance(expr, c.w1 - c.w2, c.lam, order=1)
    _assert_rate(check_limit(lim, {c.w1: 1.05, c.w2: 1.0, c.lam: 0.3}), tight=False)
    assert sp.simplify(lim.value - (be**2 if which == "beta2" else 0)) != sp.nan


def test_resonance_mixing_is_maximal():
    c, _, _ = _coupled()
    th, al, be = c.mixing()
    assert resonance(be**2, c.w1 - c.w2, c.lam, order=0).value == sp.Rational(1, 2)


def _diosi_current():
    from derivations import diosi_thermalizers as d
    return d, d.current("incoherent", "A")


@pytest.mark.parametrize("which", ["current", "ratio"])
def test_weak_dissipation_rate(which):
    G, eps, w, T1, T2 = sp.symbols("Gamma epsilon omega T_1 T_2", positive=True)
    if which == "current":  # Diosi's incoherent-coupling current, derived in derivations.diosi_thermalizers
        d, J = _diosi_current()
        G = next(s for s in J.free_symbols if s.name.startswith("gamma_A"))  # relaxation rate of A
        small = next(s for s in J.free_symbols if s.name in ("epsilon", "varepsilon"))
        syms = sorted(qs.expand_occupations(qs.expand_definitions(J)).free_symbols, key=str)
        vals = {s: 0.7 + 0.3 * k for k, s in enumerate(syms)}  # distinct: T_A != T_B
        vals.update({small: 0.3})
        lim = weak_dissipation(J, small, G, order=0)
    else:
        expr = eps * G / (G**2 + 4 * eps**2 + eps * G)
        lim = weak_dissipation(expr, eps, G, order=0)
        vals = {G: 1.0, eps: 0.3}
        small = eps
    _assert_rate(check_limit(lim, vals))
    assert lim.variable == small


@pytest.mark.parametrize("which", ["r", "qA"])
def test_temperature_bias_rate(which):
    f, spec = _single()
    if which == "r":
        from derivations import fogedby_limits as fl
        expr = low_temperature(fl.ratio(fl.single_qubit_identical_baths())).leading
    else:
        expr = low_temperature(f.heat_current("A")).leading
    lim = temperature_bias(expr, f.TA, f.TB)
    _assert_rate(check_limit(lim, {f.w0: 1.0, f.TA: 0.22, f.TB: 0.18}, spectral=spec))


def test_regimes_refuse_what_does_not_exist():
    lam, w = sp.symbols("lambda omega", positive=True)
    with pytest.raises(RegimeError, match="diverges"):
        weak_coupling(w / lam + 1, lam)
    with pytest.raises(RegimeError, match="oscillat|essential"):
        weak_coupling(sp.sin(1 / lam), lam)
    with pytest.raises(RegimeError, match="vanishes to all orders"):
        weak_coupling(sp.exp(-w / lam), lam)
    with pytest.raises(RegimeError, match="do not appear"):
        dispersive(w**2, sp.Symbol("Delta", positive=True), lam)
    with pytest.raises(RegimeError, match="do not appear"):
        weak_dissipation(w**2, lam, w)
    f, _ = _single()
    with pytest.raises(RegimeError, match="do not appear"):
        temperature_bias(f.w0, f.TA, f.TB)
