"""Bad input gives an error or warning that names the argument, what was expected and what came.

Each test also checks the physics that makes the input bad (e.g. the non-unique steady state is
non-unique numerically too; near-degenerate Bohr frequencies really are closer than the rates).
"""
from __future__ import annotations

from functools import lru_cache
import warnings

import numpy as np
import pytest
import sympy as sp

import qsym as qs
from qsym.numeric.solver import NumericSolver

w0, w1, w2, w3, lam, TA, TB, kappa = qs.symbols("omega_0 omega_1 omega_2 omega_3 lambda T_A T_B kappa",
                                                 positive=True)


@lru_cache(maxsize=None)
def two_qubits():
    return qs.qubits(2)


def coupled_H(coupling=lam):
    q1, q2 = two_qubits()
    return w1 / 2 * q1.sz + w2 / 2 * q2.sz + coupling * (q1.sp * q2.sm + q1.sm * q2.sp)


def baths(spectral=None):
    kw = {} if spectral is None else {"spectral": spectral}
    return qs.BosonicBath("A", TA, **kw), qs.BosonicBath("B", TB, **kw)


# ==========================================================================================
# Model construction
# ==========================================================================================
def test_non_hermitian_hamiltonian():
    q1, q2 = two_qubits()
    A, _ = baths()
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz + lam * q1.sp * q2.sm   # h.c. forgotten
    assert H.is_hermitian() is False
    with pytest.raises(ValueError) as info:
        qs.OpenSystem(H, couplings=(qs.Coupling(q1.sm, A),))
    msg = str(info.value)
    assert "`H`" in msg and "Hermitian" in msg
    assert "H[1,2] = lambda" in msg and "conj(H[2,1]) = 0" in msg      # what came
    assert "q1.sm*q2.sp" in msg                                         # how to fix it
    # with the Hermitian conjugate the same model is accepted
    qs.OpenSystem(H + lam * q1.sm * q2.sp, couplings=(qs.Coupling(q1.sm, A),))


def test_undecidable_hermiticity_warns():
    q1, q2 = two_qubits()
    A, _ = baths()
    z = sp.Symbol("z")  # complex by default: z - conj(z) is not known to vanish
    with pytest.warns(UserWarning, match=r"could not decide whether `H` is Hermitian.*real or positive"):
        qs.OpenSystem(w1 / 2 * q1.sz + z * (q1.sp * q2.sm + q1.sm * q2.sp), couplings=(qs.Coupling(q1.sm, A),))


def test_coupling_operator_from_another_space():
    A, _ = baths()
    p1, p2 = qs.qubits(2, names=["x", "y"])
    with pytest.raises(ValueError) as info:
        qs.OpenSystem(coupled_H(), couplings=(qs.Coupling(p1.sm, A),))
    msg = str(info.value)
    assert "bath 'A'" in msg
    assert "('x', 'y')" in msg and "('1', '2')" in msg   # both site lists are named
    assert "sites" in msg


def test_coupling_operator_of_wrong_dimension():
    A, _ = baths()
    (r,) = qs.qubits(1, names=["r"])
    with pytest.raises(ValueError) as info:
        qs.OpenSystem(coupled_H(), couplings=(qs.Coupling(r.sm, A),))
    msg = str(info.value)
    assert "bath 'A'" in msg and "(2, 2)" in msg and "(4, 4)" in msg
    q1, _ = two_qubits()
    with pytest.raises(ValueError, match=r"Argument `matrix`.*size 4.*\('1', '2'\).*shape \(3, 3\)"):
        qs.Operator(sp.eye(3), q1.space)


def test_coupling_arguments_are_checked():
    q1, _ = two_qubits()
    A, _ = baths()
    with pytest.raises(ValueError, match=r"form='hermitian' must be Hermitian.*sigma\^- use form='rwa'"):
        qs.Coupling(q1.sm, A, form="hermitian")
    with pytest.raises(ValueError, match=r"`form`.*\('rwa', 'hermitian'\).*'dipole'"):
        qs.Coupling(q1.sm, A, form="dipole")
    with pytest.raises(TypeError, match=r"`operator`.*qs Operator.*ImmutableDenseMatrix"):
        qs.Coupling(q1.sm.matrix, A)
    with pytest.raises(ValueError, match=r"bath names.*unique.*\['A', 'A'\]"):
        qs.OpenSystem(coupled_H(), couplings=(qs.Coupling(q1.sm, A), qs.Coupling(two_qubits()[1].sm, A)))
    with pytest.raises(ValueError, match=r"`assumptions`.*relations.*omega_1"):
        qs.OpenSystem(coupled_H(), couplings=(qs.Coupling(q1.sm, A),), assumptions=(w1,))


@pytest.mark.parametrize("T", [-1, 0, sp.Symbol("T_neg", negative=True), -TA])
def test_non_positive_temperature(T):
    with pytest.raises(ValueError) as info:
        qs.BosonicBath("A", T)
    msg = str(info.value)
    assert "`temperature`" in msg and "bath 'A'" in msg and "positive" in msg
    assert f"is {T}" in msg


def test_undecidable_temperature_warns_positive_true():
    T = sp.Symbol("T")
    with pytest.warns(UserWarning) as rec:
        bath = qs.BosonicBath("A", T)
    msg = str(rec[0].message)
    assert "temperature T" in msg and "bath 'A'" in msg and "positive=True" in msg
    assert bath.temperature == T
    # a positive symbol gives no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        qs.BosonicBath("A", TA)


def test_numeric_temperature_must_be_positive_at_the_sample():
    q1, _ = two_qubits()
    T = sp.Symbol("T", real=True)
    with pytest.warns(UserWarning, match="positive=True"):
        bath = qs.BosonicBath("A", T, qs.FlatSpectrum(0.01))
    m = qs.OpenSystem(coupled_H(), couplings=(qs.Coupling(q1.sm, bath),))
    with pytest.raises(ValueError, match=r"temperature of bath 'A' must be positive.*-1\.0"):
        NumericSolver(m).solve({w1: 1.0, w2: 0.5, lam: 0.1, T: -1.0})


def test_bath_arguments_are_checked():
    with pytest.raises(ValueError, match=r"`name`.*non-empty string.*''"):
        qs.BosonicBath("", TA)
    with pytest.raises(TypeError, match=r"`spectral` of bath 'A'.*SpectralFunction.*function"):
        qs.BosonicBath("A", TA, spectral=lambda w: w)


def test_spectral_function_at_negative_frequency():
    A, _ = baths()
    with pytest.raises(qs.NegativeFrequencyError) as info:
        A.spectral_function(-w1)
    msg = str(info.value)
    assert "g_A" in msg and "omega > 0" in msg and "omega = -omega_1" in msg
    assert isinstance(info.value, ValueError)
    with pytest.raises(qs.NegativeFrequencyError, match=r"n_A.*omega = -2"):
        A.occupation(-2)
    Ohm = qs.BosonicBath("C", TA, qs.OhmicSpectrum(kappa, 3))
    with pytest.raises(qs.NegativeFrequencyError, match="g_C"):
        Ohm.emission_rate(-w0)


# ==========================================================================================
# Derivations
# ==========================================================================================
def test_energy_raising_coupling_in_rwa_form():
    (q,) = qs.qubits(1)
    A = qs.BosonicBath("A", TA)
    model = qs.OpenSystem(w0 / 2 * q.sz, couplings=(qs.Coupling(q.sp, A),))   # sigma^+ instead of sigma^-
    with pytest.warns(qs.SecularityWarning) as rec:
        me = qs.global_master_equation(model)
    msg = " ".join(str(r.message) for r in rec)
    assert "bath 'A'" in msg and "energy-raising" in msg and "omega = -omega_0" in msg
    assert "sigma^-" in msg and "form='hermitian'" in msg
    # the raising component cannot be driven: bath A does nothing, the state is not fixed
    assert me.channels_of("A") == ()
    with pytest.raises(qs.NonUniqueSteadyStateError):
        me.steady_state()
    # the correct lowering operator gives both directions and no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        me_ok = qs.global_master_equation(qs.OpenSystem(w0 / 2 * q.sz, couplings=(qs.Coupling(q.sm, A),)))
    assert sorted(str(c.frequency) for c in me_ok.channels) == ["-omega_0", "omega_0"]


@pytest.mark.filterwarnings("ignore:coupling to bath 'A' \\(form='rwa'\\)")
def test_energy_raising_coupling_numeric_warning_category():
    (q,) = qs.qubits(1)
    model = qs.OpenSystem(w0 / 2 * q.sz, couplings=(qs.Coupling(q.sp, qs.BosonicBath("A", TA, qs.FlatSpectrum(0.01))),))
    with pytest.warns(qs.SecularityWarning, match="dropped"):
        NumericSolver(model).solve({w0: 1.0, TA: 1.0}, allow_nonunique=True)


def test_non_unique_steady_state_without_interaction():
    q1, q2 = two_qubits()
    A = qs.BosonicBath("A", TA, qs.FlatSpectrum(kappa))
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz        # no interaction: qubit 2 is never reached by a bath
    model = qs.OpenSystem(H, couplings=(qs.Coupling(q1.sm, A),))
    me = qs.global_master_equation(model)
    with pytest.raises(qs.NonUniqueSteadyStateError) as info:
        me.steady_state()
    msg = str(info.value)
    assert "not unique" in msg and "initial state" in msg
    assert "[1, 3]" in msg and "[2, 4]" in msg    # the two disconnected groups of levels
    # the same with the coupling written but set to zero literally
    me0 = qs.global_master_equation(qs.OpenSystem(coupled_H(0), couplings=(qs.Coupling(q1.sm, A),)))
    with pytest.raises(qs.NonUniqueSteadyStateError, match="not unique"):
        me0.steady_state()
    # the numeric solver agrees: a two-dimensional null space
    solver = NumericSolver(model)
    vals = {w1: 1.3, w2: 0.7, TA: 0.9, kappa: 0.01}
    with pytest.raises(qs.NonUniqueSteadyStateError, match="not unique"):
        solver.solve(vals)
    assert solver.solve(vals, allow_nonunique=True).nullspace_dim == 2


def test_bohr_frequency_sign_changes_over_the_domain():
    q1, q2 = two_qubits()
    A, B = baths()
    model = qs.OpenSystem(coupled_H(), couplings=(qs.Coupling(q1.sm, A), qs.Coupling(q2.sm, B)),
                          assumptions=(w1 > w2,), domain={lam: (0.05, 3.0)})    # no lam < sqrt(w1 w2)
    with pytest.raises(ValueError) as info:
        qs.global_master_equation(model)
    msg = str(info.value)
    assert "changes across the parameter domain" in msg
    assert "positive at {" in msg and "negative at {" in msg and "'lambda'" in msg
    assert "Add the assumption" in msg and "assumptions=[" in msg
    # the sign really changes: omega_- = omega_m - sqrt(Delta^2 + lam^2) at the two quoted points
    wm = (w1 + w2) / 2 - sp.sqrt(((w1 - w2) / 2) ** 2 + lam**2)
    assert wm.subs({w1: 2.0, w2: 1.0, lam: 0.1}) > 0 and wm.subs({w1: 2.0, w2: 1.0, lam: 2.0}) < 0
    # with the assumption the derivation goes through
    ok = qs.OpenSystem(coupled_H(), couplings=(qs.Coupling(q1.sm, A), qs.Coupling(q2.sm, B)),
                       assumptions=(w1 > w2, lam < sp.sqrt(w1 * w2)), domain={lam: (0.05, 3.0)})
    assert len(qs.global_master_equation(ok).frequencies) == 2


def test_contradictory_assumptions():
    q1, q2 = two_qubits()
    A, B = baths()
    model = qs.OpenSystem(coupled_H(), couplings=(qs.Coupling(q1.sm, A), qs.Coupling(q2.sm, B)),
                          assumptions=(w1 > w2, w2 > w1))
    with pytest.raises(ValueError, match=r"could not draw .* samples satisfying the assumptions.*omega_2 > omega_1"):
        qs.global_master_equation(model)


def test_numeric_near_degenerate_bohr_frequencies_warn():
    q1, q2 = two_qubits()
    k = sp.Symbol("kappa", positive=True)
    model = qs.OpenSystem(coupled_H(), couplings=(qs.Coupling(q1.sm, qs.BosonicBath("A", TA, qs.FlatSpectrum(k))),
                                                  qs.Coupling(q2.sm, qs.BosonicBath("B", TB, qs.FlatSpectrum(k)))))
    vals = {w1: 1.0 + 1e-4, w2: 1.0, lam: 1e-4, k: 0.5, TA: 1.0, TB: 0.5}
    with pytest.warns(qs.SecularityWarning) as rec:
        res = NumericSolver(model).solve(vals)
    msgs = [str(r.message) for r in rec if issubclass(r.category, qs.SecularityWarning)]
    assert any("bath 'A'" in m for m in msgs)
    msg = msgs[0]
    assert "transitions" in msg and "->" in msg and "secular approximation is questionable" in msg
    # what came: the split of omega_+ - omega_- = 2 sqrt(Delta^2 + lam^2) and the rate scale
    split = 2 * np.sqrt((1e-4 / 2) ** 2 + 1e-4**2)
    assert f"{split:.3g}" in msg
    assert np.isclose(np.diff(res.bohr_frequencies)[0], split, rtol=1e-6)
    # well separated lines (lam = 0.2, small kappa) give no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", qs.SecularityWarning)
        NumericSolver(model).solve({**vals, lam: 0.2, k: 0.01})


# ==========================================================================================
# Verification entry points
# ==========================================================================================
@lru_cache(maxsize=None)
def single_qubit_me():
    (q,) = qs.qubits(1)
    A, B = baths()
    model = qs.OpenSystem(w0 / 2 * q.sz, couplings=(qs.Coupling(q.sm, A), qs.Coupling(q.sm, B)))
    me = qs.global_master_equation(model)
    return me, me.steady_state()


def test_verify_without_target_or_bath():
    me, ss = single_qubit_me()
    with pytest.raises(ValueError) as info:
        qs.verify(ss.population(1), me)
    msg = str(info.value)
    assert "`target`" in msg and "`bath`" in msg and "Population" in msg
    # given a bath it verifies the heat current
    rep = qs.verify(me.heat_current("A", ss), me, bath="A", n=20)
    assert rep.max_rel_err <= 1e-9


def test_to_numeric_with_undefined_spectral_function():
    me, ss = single_qubit_me()
    rate_A = me.rate_matrix("A")[1, 0]
    assert rate_A.has(sp.Function("g_A", positive=True)(w0))
    with pytest.raises(ValueError) as info:
        qs.to_numeric(rate_A)
    msg = str(info.value)
    assert "g_A" in msg and "spectral=" in msg and "'A'" in msg
    # with a realisation of g_A it evaluates to g n at the sample
    wd = sp.Dummy("w")
    f = qs.to_numeric(rate_A, spectral={"A": sp.Lambda(wd, 0.02 * wd)})
    val = f({w0: 1.5, TA: 0.8})
    assert np.isclose(val, 0.02 * 1.5 / np.expm1(1.5 / 0.8), rtol=1e-13)
    # undefined g in the numeric solver is named too
    with pytest.raises(ValueError, match=r"bath 'A' has an undefined spectral function g_A"):
        NumericSolver(me.model).solve({w0: 1.0, TA: 1.0, TB: 0.5})


def test_missing_parameter_values_are_named():
    me, _ = single_qubit_me()
    with pytest.raises(KeyError) as info:
        NumericSolver(me.model).solve({w0: 1.0}, spectral={"A": lambda w: 0.01, "B": lambda w: 0.01})
    msg = str(info.value)
    assert "parameter(s) ['T_A', 'T_B']" in msg          # exactly the missing ones
    assert "['T_A', 'T_B', 'omega_0']" in msg             # and what was expected
    with pytest.raises(KeyError, match=r"no bath named 'C'.*\['A', 'B'\]"):
        me.model.bath("C")
    with pytest.raises(KeyError, match=r"no bath named 'C'"):
        me.channels_of("C")
