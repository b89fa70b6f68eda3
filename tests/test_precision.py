"""Deep in a regime float64 cannot decide: verify re-checks such samples in mpmath with the
arbitrary-precision solver, so a check never passes or fails on rounding."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

import qsym as qs
from qsym.numeric.precise import PreciseSolver
from qsym.numeric.solver import NumericSolver


def _deep_single_qubit():
    from derivations import fogedby_single_qubit as f
    m = f.model()
    deep = qs.OpenSystem(m.H, m.couplings, domain={f.TA: (0.001, 0.002), f.TB: (0.0005, 0.001), f.w0: (0.9, 1.1)},
                         name="single qubit, T/omega ~ 1e-3")
    return f, qs.global_master_equation(deep)


def test_underflowing_samples_are_rechecked_in_mpmath():
    f, me = _deep_single_qubit()
    q = me.heat_current("A", me.steady_state())
    rep = qs.verify(q, me, qs.HeatCurrent("A"), n=20, precision="auto")
    assert rep.precise_samples > 0  # e^{-w/T} < 1e-300 at these samples
    assert rep.passed and rep.max_rel_err < 1e-12
    assert rep.derived_at_worst != 0 or rep.numeric_at_worst != 0


def test_float64_only_would_compare_zeros():
    f, me = _deep_single_qubit()
    q = me.heat_current("A", me.steady_state())
    with np.errstate(all="ignore"):
        rep = qs.verify(q, me, qs.HeatCurrent("A"), n=20, precision="float64")
    assert rep.precise_samples == 0


@pytest.mark.parametrize("master", ["global", "local"])
def test_precise_solver_agrees_with_float64_solver(master):
    from derivations import fogedby_coupled_qubits as c
    W = sp.Dummy("w")
    spec_sp = {"A": sp.Lambda(W, sp.Rational(3, 100) * W), "B": sp.Lambda(W, sp.Rational(5, 100))}
    spec_np = {"A": lambda w: 0.03 * w, "B": lambda w: 0.05 + 0 * w}
    vals = {c.w1: 2.0, c.w2: 1.0, c.lam: 0.2, c.TA: 1.3, c.TB: 0.7}
    r = PreciseSolver(c.model(), master).solve(vals, spec_sp)
    n = NumericSolver(c.model(), master=master).solve(vals, spectral=spec_np)
    assert np.allclose([float(p) for p in r.populations], n.populations, rtol=1e-12, atol=0)
    for b in ("A", "B"):
        assert abs(float(r.heat_currents[b]) - n.heat_currents[b]) <= 1e-12 * abs(n.heat_currents[b])
    with mpmath.workdps(50):
        assert abs(sum(r.heat_currents.values())) < 1e-40  # energy balance at 50 digits
        assert abs(sum(r.populations) - 1) < 1e-40


def test_precise_solver_resolves_currents_below_float64_range():
    from derivations import fogedby_single_qubit as f
    W = sp.Dummy("w")
    spec = {"A": sp.Lambda(W, sp.Rational(1, 10)), "B": sp.Lambda(W, sp.Rational(1, 10))}
    vals = {f.w0: 1.0, f.TA: 0.001, f.TB: 0.0008}
    r = PreciseSolver(f.model(), "global", dps=40).solve(vals, spec)
    qA = r.heat_currents["A"]
    # closed form q^A = g^2 w (n_A - n_B)/(g(1+2n_A) + g(1+2n_B)) ~ (g w / 2) e^{-1000}
    with mpmath.workdps(40):
        TA, TB = mpmath.mpf(0.001), mpmath.mpf(0.0008)  # the binary doubles the solver received
        nA, nB = 1 / (mpmath.exp(1 / TA) - 1), 1 / (mpmath.exp(1 / TB) - 1)
        exact = mpmath.mpf("0.01") * (nA - nB) / (mpmath.mpf("0.1") * (2 + 2 * nA + 2 * nB))
        assert qA > 0 and abs(qA / exact - 1) < mpmath.mpf(10) ** -30
