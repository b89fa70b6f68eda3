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
