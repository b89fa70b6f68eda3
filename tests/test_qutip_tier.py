"""QuTiP tier: every derivation's steady states (or its closest QuTiP-computable quantity) from a
third, independent path -- QuTiP on the generator rebuilt by :func:`qsym.qutip_bridge.to_qutip` --
against qsym's own numeric solver AND the derived closed form, at a few random physical samples
(qsym's sampling, :func:`qsym.numeric.verify.sample_points`).

Agreement: max relative error <= 1e-8 (a vector of values -- a density matrix, the currents of one
sample -- is compared norm-wise, relative to its largest entry, so that a current that vanishes by
symmetry is not divided by itself).  Physics: trace 1, Hermitian, positive semidefinite, energy
balance ``sum_X q_X + sum_K P_K = 0`` (README "Conventions"), and at equal temperatures the Gibbs
state with zero currents (Davies equations).

Every derivation of the registry must be in ``CHECKS`` or in ``NOT_APPLICABLE`` (with the reason).
The max errors measured are collected in ``MEASURED`` and printed (``pytest -s``).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy as sp

qt = pytest.importorskip("qutip")

from derivations import registry  # noqa: E402
from qsym.numeric.functions import to_numeric  # noqa: E402
from qsym.numeric.verify import _callables, numeric_solver_for, sample_points  # noqa: E402
from qsym.qutip_bridge import to_qutip  # noqa: E402

TOL = 1e-8
N_SAMPLES = 3
SEED = 11
MEASURED: dict = {}

NOT_APPLICABLE = {
    "razzoli-synchronization": (
        "quantum Langevin equations of oscillators in continuous (Ohmic/Drude) Caldeira-Leggett baths at "
        "arbitrary, even strong coupling: the closed forms are frequency integrals of the susceptibility "
        "(covariances, poles, Pearson coefficients), not the steady state of a Lindblad/Redfield generator; a "
        "QuTiP model needs each bath discretised into many oscillators in Fock space (qsym.numeric.discrete_bath "
        "already does this exactly with Gaussian numerics), far beyond a cheap tier"),
}


# ==========================================================================================
# helpers
# ==========================================================================================
def _record(name: str, what: str, err: float) -> None:
    key = (name, what)
    MEASURED[key] = max(MEASURED.get(key, 0.0), float(err))


def _rel(a, b, floor=1e-300) -> float:
    """Norm-wise relative error ``max|a - b| / max(max|a|, max|b|, floor)``."""
    a, b = np.atleast_1d(np.asarray(a, complex)), np.atleast_1d(np.asarray(b, complex))
    den = max(np.abs(a).max(), np.abs(b).max(), floor)
    return float(np.abs(a - b).max() / den)


def _current_scale(sysq) -> float:
    """``||H|| sum_c ||C_c||^2``: the size a heat current ``Tr[H D(rho)]`` can have.  Currents that
    vanish (uncoupled sites) are compared relative to ``1e-6`` of it, not to their own round-off."""
    H = sysq.H.full()
    return float(np.linalg.norm(H, 2) * sum(np.linalg.norm(C.full(), 2) ** 2 for C in sysq.c_ops))


def _samples(model, exprs, n=N_SAMPLES, seed=SEED):
    samples, spec = sample_points(model, list(exprs), n, seed)
    return [{s: float(samples[s][k]) for s in samples} for k in range(n)], spec


def _compiled(closed: dict, spec) -> dict:
    return {k: to_numeric(e, spectral=spec) for k, e in closed.items()}


def _value(f, values) -> complex:
    return complex(np.asarray(f(values), complex))


def _assert_state(rho, psd=True, what="") -> None:
    """Trace one, Hermitian, positive semidefinite."""
    R = rho.full() if hasattr(rho, "full") else np.asarray(rho)
    assert abs(np.trace(R) - 1) < 1e-12, f"{what}: trace {np.trace(R)}"
    assert np.abs(R - R.conj().T).max() < 1e-12, f"{what}: not Hermitian"
    if psd:
        assert np.linalg.eigvalsh((R + R.conj().T) / 2).min() > -1e-12, f"{what}: not positive semidefinite"


def _assert_energy_balance(sysq, rho, what="") -> None:
    """``sum_X q_X + sum_K P_K = 0``: the steady state's energy is constant."""
    q, p = sysq.heat_currents(rho), sysq.noise_powers(rho)
    flows = list(q.values()) + list(p.values())
    scale = max(max(np.abs(flows), default=0.0), 1e-300)
    assert abs(sum(flows)) <= 1e-9 * scale + 1e-15, f"{what}: energy balance {sum(flows)} (currents {q}, noise {p})"


def _eig(sysq):
    E, V = np.linalg.eigh(sysq.H.full())
    return E, V


def _level(sysq, me, n, values) -> int:
    """Eigenstate index of the numeric ``H`` whose energy is symbolic level ``n`` (1-based)."""
    E, _ = _eig(sysq)
    En = _value(to_numeric(me.energies[n - 1]), values).real
    d = np.abs(E - En)
    i = int(np.argmin(d))
    assert d[i] < 1e-9 * max(1.0, np.abs(E).max()), f"level {n} (E = {En}) not among {E}"
    assert np.sort(d)[1] > 1e-7, f"level {n} is degenerate at this sample"
    return i


# ---- readers: one QuTiP number from a steady state -----------------------------------------
def heat(X):
    return lambda sysq, me, rho, values: sysq.heat_currents(rho)[X]


def population(n):
    def read(sysq, me, rho, values):
        _, V = _eig(sysq)
        v = V[:, _level(sysq, me, n, values)]
        return float(np.real(v.conj() @ rho.full() @ v))
    return read


def coherence(i, j):
    def read(sysq, me, rho, values):
        _, V = _eig(sysq)
        a, b = _level(sysq, me, i, values), _level(sysq, me, j, values)
        return abs(V[:, a].conj() @ rho.full() @ V[:, b])
    return read


def channel_heat(X, frequency):
    """``q_X`` carried by the collapse operators of ``X`` at ``|w| = frequency``: ``Tr[H D_c(rho)]``."""
    def read(sysq, me, rho, values):
        w = _value(to_numeric(frequency), values).real
        q = 0.0
        for C, src, wc in zip(sysq.c_ops, sysq.c_op_sources, sysq.c_op_frequencies):
            if src == X and abs(abs(wc) - w) < 1e-9 * max(1.0, w):
                D = C * rho * C.dag() - 0.5 * (C.dag() * C * rho + rho * C.dag() * C)
                q += float(np.real((sysq.H * D).tr()))
        return q
    return read


def entropy_production(sysq, me, rho, values):
    return sysq.entropy_production(rho)


def site_element(i, j):
    return lambda sysq, me, rho, values: complex(rho.full()[i, j])


def noise_power(K):
    return lambda sysq, me, rho, values: sysq.noise_powers(rho)[K]


def population_ratio(upper, lower):
    return lambda sysq, me, rho, values: (population(upper)(sysq, me, rho, values)
                                          / population(lower)(sysq, me, rho, values))


# ---- the generic steady-state check ---------------------------------------------------------
def check_steady(name, label, me, closed: dict, *, psd=True, numeric=True, gibbs_check=None, seed=SEED,
                 sampler=None):
    """QuTiP steady state of ``to_qutip(me)`` vs qsym's numeric solver (state and currents) and vs
    the closed forms ``closed = {key: (expr, reader, zero_expected)}``; physics on the way."""
    exprs = [e for e, _, _ in closed.values()]
    values_list, spec = sampler(me, exprs) if sampler else _samples(me.model, exprs, seed=seed)
    fs = _compiled({k: e for k, (e, _, _) in closed.items()}, spec)
    for values in values_list:
        sysq = to_qutip(me, values, spectral=spec)
        rho = sysq.steady_state()
        _assert_state(rho, psd, f"{name}/{label}")
        _assert_energy_balance(sysq, rho, f"{name}/{label}")
        q = sysq.heat_currents(rho)
        if numeric:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = numeric_solver_for(me).solve(values, spectral=_callables(spec, values))
            _record(name, f"{label}: rho, QuTiP vs qsym numeric", _rel(rho.full(), res.rho))
            _record(name, f"{label}: currents, QuTiP vs qsym numeric",
                    _rel([q[X] for X in sysq.baths], [res.heat_currents[X] for X in sysq.baths],
                         1e-6 * _current_scale(sysq)))
        for key, (expr, read, zero) in closed.items():
            zero = zero or sp.sympify(expr) == 0
            got, want = read(sysq, me, rho, values), _value(fs[key], values)
            err = abs(got - want) if zero else _rel(got, want)
            _record(name, f"{label}: {key}, QuTiP vs closed form" + (" (abs)" if zero else ""), err)
        if gibbs_check:
            gibbs_check(name, label, me, values, spec)


def equal_temperature_gibbs(name, label, me, values, spec):
    """All baths at the temperature of the first: the Davies steady state is the Gibbs state
    ``e^{-H/T}/Z`` and every heat current vanishes."""
    first = me.model.couplings[0].bath
    model = me.model.with_temperatures(**{c.bath.name: first.temperature for c in me.model.couplings[1:]})
    sysq = to_qutip(model, values, spectral=spec, master="global")
    rho = sysq.steady_state()
    T = sysq.temperatures[first.name]
    E, V = _eig(sysq)
    p = np.exp(-(E - E[0]) / T)
    gibbs = (V * (p / p.sum())) @ V.conj().T
    _record(name, f"{label}: equal T, QuTiP vs Gibbs", _rel(rho.full(), gibbs))
    q = sysq.heat_currents(rho)
    scale = max(abs(x) for x in sysq.heat_currents(qt.Qobj(V[:, [0]] @ V[:, [0]].conj().T, dims=rho.dims)).values())
    _record(name, f"{label}: equal T, |q_X| / |q_X(ground state)|", max(abs(x) for x in q.values()) / scale)


def _assert_measured(name):
    bad = {k: v for k, v in MEASURED.items() if k[0] == name and not v <= TOL}
    for (n, what), v in sorted(MEASURED.items()):
        if n == name:
            print(f"{n}: {what}: max error {v:.2e}")
    assert not bad, f"errors above {TOL}: {bad}"
    assert any(k[0] == name for k in MEASURED), f"{name}: nothing was compared"


# ==========================================================================================
# per derivation
# ==========================================================================================
def fogedby_single_qubit():
    from derivations import fogedby_single_qubit as sq
    import qsym as qs
    me, ss = sq.master_equation(), sq.steady_state()
    closed = {"q^A": (me.heat_current("A", ss), heat("A"), False),
              "q^B": (me.heat_current("B", ss), heat("B"), False),
              "rho_+": (ss.population(sq.PLUS), population(sq.PLUS), False),
              "rho_-": (ss.population(sq.MINUS), population(sq.MINUS), False),
              "sigma": (qs.entropy_production(me, ss), entropy_production, False)}
    check_steady(sq.NAME, "global", me, closed, gibbs_check=equal_temperature_gibbs)


def fogedby_coupled_qubits():
    from derivations import fogedby_coupled_qubits as fc
    import qsym as qs
    me, ss = fc.master_equation(), fc.steady_state()
    closed = {f"rho_{n}": (ss.population(n), population(n), False) for n in range(1, 5)}
    closed.update({f"q^{X}": (me.heat_current(X, ss), heat(X), False) for X in "AB"})
    for X in "AB":
        for s, q in me.heat_current(X, ss, by_channel=True).items():
            closed[f"q^{X}_{s}"] = (q, channel_heat(X, s), False)
    closed["|rho_23|"] = (sp.Abs(ss.rho[1, 2]), coherence(2, 3), True)
    closed["sigma"] = (qs.entropy_production(me, ss), entropy_production, False)
    check_steady(fc.NAME, "global", me, closed, gibbs_check=equal_temperature_gibbs)
    # the local equation: QuTiP vs the numeric solver only (its closed-form steady state takes ~15 s)
    check_steady(fc.NAME, "local", fc.local_master_equation(), {})


def fogedby_limits():
    from derivations import fogedby_limits as fl
    for label, me in (("bath A only", fl.single_qubit_bath_A_only()),
                      ("identical baths", fl.single_qubit_identical_baths())):
        check_steady(fl.NAME, label, me, {"r": (fl.ratio(me), population_ratio(2, 1), False)},
                     gibbs_check=equal_temperature_gibbs if len(me.model.couplings) > 1 else None)
    me = fl.coupled_qubits_bath_A_only()
    ss = me.steady_state()
    closed = {"q^A (g_B = 0)": (me.heat_current("A", ss), heat("A"), True)}
    closed.update({f"rho_{n}": (ss.population(n), population(n), False) for n in range(1, 5)})
    check_steady(fl.NAME, "coupled, bath A only", me, closed, gibbs_check=_single_bath_gibbs)


def _single_bath_gibbs(name, label, me, values, spec):
    """One bath: the steady state is its Gibbs state."""
    sysq = to_qutip(me, values, spectral=spec)
    rho = sysq.steady_state()
    E, V = _eig(sysq)
    p = np.exp(-(E - E[0]) / sysq.temperatures[sysq.baths[0]])
    _record(name, f"{label}: QuTiP vs Gibbs", _rel(rho.full(), (V * (p / p.sum())) @ V.conj().T))


def fogedby_offdiagonal():
    from derivations import fogedby_offdiagonal as fo
    from derivations import fogedby_coupled_qubits as fc
    me_s, ss = fo.secular(), fc.steady_state()
    closed = {"Re rho_23 (secular)": (sp.re(ss.rho[1, 2]), coherence(2, 3), True)}
    check_steady(fo.NAME, "secular", me_s, closed)
    # Bloch-Redfield: QuTiP's steady state of the Redfield tensor vs qsym's RedfieldSolver; the
    # closed forms are first order in g/E, checked against QuTiP's own first-order state below
    check_steady(fo.NAME, "Bloch-Redfield", fo.redfield(), {}, psd=False)
    check_redfield_first_order(fo)


def check_redfield_first_order(fo):
    """``rho^(1)_ij = (D rho^(0))_ij / (i (E_i - E_j))`` for ``i != j`` with ``rho^(0)`` the
    diagonal null vector of the population block of QuTiP's Redfield tensor (Fogedby eqs.
    4.30-4.31 with the source kept; qsym.first_order_steady_state), in the eigenbasis."""
    me, first = fo.redfield(), fo.first_order()
    closed = {"Im rho_23^(1)": sp.im(first.rho[1, 2]), "Re rho_23^(1)": sp.re(first.rho[1, 2])}
    closed.update({f"rho_{n}^(0)": first.rho[n - 1, n - 1] for n in range(1, 5)})
    values_list, spec = _samples(me.model, list(closed.values()))
    fs = _compiled(closed, spec)
    for values in values_list:
        sysq = to_qutip(me, values, spectral=spec)
        E, V = _eig(sysq)
        d = len(E)
        U = np.kron(V.T, V.conj().T)             # vec(V^dag X V) = (V^T (x) V^dag) vec X
        R = U @ sum(sysq.dissipators.values()).full() @ U.conj().T
        idx = [i * d + i for i in range(d)]
        K = R[np.ix_(idx, idx)].real
        A = K.copy()
        A[0, :] = 1.0
        p0 = np.linalg.solve(A, np.eye(d)[0])
        src = R[:, idx] @ p0
        rho1 = np.zeros((d, d), complex)
        for i in range(d):
            for j in range(d):
                if i != j:
                    rho1[i, j] = src[j * d + i] / (1j * (E[i] - E[j]))
        # phase convention of the derivation: the eigenvectors' relative phase fixed by <1_2 0_1|.|2>
        a, b = _level(sysq, me, 2, values), _level(sysq, me, 3, values)
        Vs = _gauge(V, me, values, sysq)
        r23 = Vs[:, a].conj() @ (V @ rho1 @ V.conj().T) @ Vs[:, b]
        for key, got in (("Im rho_23^(1)", r23.imag), ("Re rho_23^(1)", r23.real)):
            want = _value(fs[key], values).real
            zero = key.startswith("Re")
            _record(fo.NAME, f"Redfield 1st order: {key}, QuTiP vs closed form" + (" (abs)" if zero else ""),
                    abs(got - want) if zero else _rel(got, want))
        for n in range(1, 5):
            got = p0[_level(sysq, me, n, values)]
            _record(fo.NAME, f"Redfield 1st order: rho_{n}^(0), QuTiP vs closed form",
                    _rel(got, _value(fs[f"rho_{n}^(0)"], values).real))


def _gauge(V, me, values, sysq):
    """Numeric eigenvectors with the phases of the symbolic ones (``me.spectrum.unitary``)."""
    Us = np.array(to_numeric(sp.Matrix(me.spectrum.unitary))(values), complex)
    out = V.copy()
    E = np.linalg.eigvalsh(sysq.H.full())
    for n in range(1, len(E) + 1):
        i = _level(sysq, me, n, values)
        ov = Us[:, n - 1].conj() @ V[:, i]
        assert abs(abs(ov) - 1) < 1e-9
        out[:, i] = V[:, i] * np.conj(ov) / abs(ov)
    return out


def diosi_thermalizers():
    from derivations import diosi_thermalizers as d
    cases = [("single", {}), ("uncoupled", {}), ("coherent", {}), ("incoherent", {}),
             ("incoherent", {"resonant": False})]
    for which, kw in cases:
        me, ss = d.master_equation(which, **kw), d.steady_state(which, **kw)
        R = ss.in_site_basis()
        closed = {f"rho[{i},{j}]": (R[i, j], site_element(i, j), False)
                  for i in range(R.rows) for j in range(R.cols) if R[i, j] != 0}
        closed.update({f"q^{X}": (me.heat_current(X, ss), heat(X), which == "single") for X in me.bath_names})
        closed.update({f"P_{K}": (me.expectation(me.current_operator(K), ss), noise_power(K), kw.get("resonant", True))
                       for K in me.dissipator_names})
        check_steady(d.NAME, f"{which} {kw or ''}".strip(), me, closed)


def levy_kosloff_oscillators():
    from derivations import levy_kosloff_oscillators as lk
    for label, me, ss, q in (("local", lk.local_me(), lk.local_steady_state(), lk.local_currents()),
                             ("global", lk.global_me(), lk.global_steady_state(), lk.global_currents())):
        M = ss.site_moments
        closed = {f"q^{X}": (q[X], heat(X), False) for X in me.bath_names}
        closed.update({f"<a_{i + 1}^dag a_{j + 1}>": (M[i, j], _moment(i, j), False)
                       for i in range(M.rows) for j in range(M.cols)})
        check_steady(lk.NAME, label, me, closed, numeric=False, sampler=_levy_samples)
        _fock_vs_qutip(lk.NAME, label, me, M)


def _levy_samples(me, exprs):
    """qsym's samples of the model's domain; of 3 N_SAMPLES drawn, the N_SAMPLES with the smallest
    thermal occupation of the softest normal mode (the truncated Fock space grows as ``K^2``)."""
    values_list, spec = _samples(me.model, exprs, n=3 * N_SAMPLES)

    def occupation(v):
        byname = {s.name: x for s, x in v.items()}
        eps = np.linalg.eigvalsh([[byname["omega_1"], byname["lambda"]], [byname["lambda"], byname["omega_2"]]])[0]
        return 1 / np.expm1(eps / max(byname["T_A"], byname["T_B"]))
    return sorted(values_list, key=occupation)[:N_SAMPLES], spec


def _moment(i, j):
    return lambda sysq, me, rho, values: complex((rho * sysq.modes[i].dag() * sysq.modes[j]).tr())


def _fock_vs_qutip(name, label, me, M):
    """QuTiP (excitation-restricted space) vs qsym's FockSolver: currents and second moments."""
    values_list, spec = _levy_samples(me, list(M))
    for values in values_list:
        sysq = to_qutip(me, values, spectral=spec)
        rho = sysq.steady_state()
        res = numeric_solver_for(me).solve(values, spectral=_callables(spec, values))
        q = sysq.heat_currents(rho)
        _record(name, f"{label}: currents, QuTiP vs qsym FockSolver",
                _rel([q[X] for X in sysq.baths], [res.heat_currents[X] for X in sysq.baths]))
        n = len(sysq.modes)
        Mq = np.array([[_moment(i, j)(sysq, me, rho, values) for j in range(n)] for i in range(n)])
        _record(name, f"{label}: <a^dag a>, QuTiP vs qsym FockSolver", _rel(Mq, res.moments))


def cusumano_collision():
    """Fixed point of the O(dt^2) collision map: null vector of its generator (Phi - 1)/dt built
    with QuTiP, vs qsym's CollisionSolver and the closed-form Bloch vector."""
    from derivations import cusumano_collision as cc
    from qsym.numeric.collision import CollisionSolver
    pauli = {"sx": qt.sigmax(), "sy": qt.sigmay(), "sz": qt.sigmaz()}
    for reading in cc.READINGS:
        cmap = cc.example2_model(reading).expanded_map(2)
        closed = cc.fixed_point_bloch(reading)
        values_list, spec = _samples(cmap.model, list(closed.values()))
        fs = _compiled(closed, spec)
        for values in values_list:
            sysq = to_qutip(cmap, values)
            rho = sysq.steady_state()
            _assert_state(rho, psd=False, what=f"collision {reading}")
            res = CollisionSolver(cmap.model).solve(values)
            _record(cc.NAME, f"{reading}: fixed point, QuTiP vs qsym numeric", _rel(rho.full(), res.fixed_point("expanded")))
            # the fixed point of the exact map is O(dt^2)-close: a physical state nearby
            assert np.linalg.eigvalsh(rho.full()).min() > -0.05
            for k, P in pauli.items():
                # qsym's qubit basis is (|+>, |->) with sigma^z = diag(1, -1), QuTiP's sigmaz likewise
                _record(cc.NAME, f"{reading}: <{k}>, QuTiP vs closed form",
                        _rel(float(np.real((P * rho).tr())), _value(fs[k], values).real))


def colla_reservoirs():
    """Single-particle propagator from ``qutip.sesolve`` in the one-excitation sector of the Fock
    space of all ``N_1 + N_2`` modes (``H = sum h_ij a_i^dag a_j`` with ``qutip.enr_destroy``), then
    ``C(t) = U^* C(0) U^T`` (Wick) and ``Delta U~_X(t) = sum_{ij in X} h_ij (C(t) - C(0))_ij``; vs
    qsym.numeric.gaussian and the closed forms."""
    from derivations import colla_reservoirs as co
    from qsym.numeric.gaussian import GaussianSolver
    m = co.model()
    closed = {X: m.energy_change(X) for X in ("1", "2", "I")}
    values_list, spec = _samples(m, list(closed.values()))
    fs = _compiled(closed, spec)
    for values in values_list:
        v = {s.name: x for s, x in values.items()}
        N1, N2 = int(round(v["N_1"])), int(round(v["N_2"]))
        h, blocks = _colla_h(v, N1, N2)
        t = v["t"]
        U = _propagator_sesolve(h, t)
        C0 = np.zeros_like(h)
        for X, idx, T in (("1", blocks["1"], v["T_1"]), ("2", blocks["2"], v["T_2"])):
            e, W = np.linalg.eigh(h[np.ix_(idx, idx)])
            C0[np.ix_(idx, idx)] = ((W / np.expm1(e / T)) @ W.conj().T).T
        Ct = U.conj() @ C0 @ U.T
        dC = Ct - C0
        res = GaussianSolver(m).solve(values)
        for X in ("1", "2", "I"):
            if X == "I":
                i1, i2 = blocks["1"], blocks["2"]
                dU = np.sum(h[np.ix_(i1, i2)] * dC[np.ix_(i1, i2)]) + np.sum(h[np.ix_(i2, i1)] * dC[np.ix_(i2, i1)])
            else:
                idx = blocks[X]
                dU = np.sum(h[np.ix_(idx, idx)] * dC[np.ix_(idx, idx)])
            dU = float(np.real(dU))
            _record(co.NAME, f"Delta U~_{X}(t), QuTiP vs qsym Gaussian", _rel(dU, res.energy_change(X, t)))
            _record(co.NAME, f"Delta U~_{X}(t), QuTiP vs closed form", _rel(dU, _value(fs[X], values).real))


def _colla_h(v, N1, N2):
    """The model of derivations.colla_reservoirs: ``h^(X) = omega_X 1 + g (J - 1)``, every
    inter-reservoir pair coupled with ``gamma``."""
    N = N1 + N2
    h = np.zeros((N, N))
    i1, i2 = list(range(N1)), list(range(N1, N))
    for idx, w in ((i1, v["omega_1"]), (i2, v["omega_2"])):
        h[np.ix_(idx, idx)] = v["g"] * (np.ones((len(idx), len(idx))) - np.eye(len(idx))) + w * np.eye(len(idx))
    h[np.ix_(i1, i2)] = v["gamma"]
    h[np.ix_(i2, i1)] = v["gamma"]
    return h, {"1": i1, "2": i2}


def _propagator_sesolve(h, t):
    """``U_ij = <1_i| e^{-iHt} |1_j>`` from ``qutip.sesolve`` of each one-excitation Fock state."""
    N = h.shape[0]
    a = qt.enr_destroy([2] * N, 1)
    H = sum(h[i, j] * a[i].dag() * a[j] for i in range(N) for j in range(N) if h[i, j] != 0)
    vac = qt.enr_fock([2] * N, 1, [0] * N)
    ones = [a[j].dag() * vac for j in range(N)]
    opts = {"method": "vern9", "atol": 1e-14, "rtol": 1e-13, "nsteps": 10**6}
    U = np.zeros((N, N), complex)
    for j in range(N):
        psi = qt.sesolve(H, ones[j], [0.0, t], options=opts).states[-1]
        for i in range(N):
            U[i, j] = ones[i].overlap(psi)
    return U


CHECKS = {
    "fogedby-single-qubit": fogedby_single_qubit,
    "fogedby-coupled-qubits": fogedby_coupled_qubits,
    "fogedby-limits": fogedby_limits,
    "fogedby-offdiagonal": fogedby_offdiagonal,
    "diosi-thermalizers": diosi_thermalizers,
    "levy-kosloff-oscillators": levy_kosloff_oscillators,
    "cusumano-collision": cusumano_collision,
    "colla-reservoirs": colla_reservoirs,
}


# ==========================================================================================
# tests
# ==========================================================================================
def test_every_derivation_is_covered_or_declared():
    names = set(registry())
    missing = sorted(n for n in names if (n in CHECKS) == (n in NOT_APPLICABLE))
    assert not missing, (f"derivations {missing} must be in exactly one of CHECKS (a QuTiP cross-check) or "
                         f"NOT_APPLICABLE (with the reason) of tests/test_qutip_tier.py")
    assert all(isinstance(r, str) and len(r) > 40 for r in NOT_APPLICABLE.values())
    assert not (set(CHECKS) | set(NOT_APPLICABLE)) - names, "entries for derivations no longer in the registry"


@pytest.mark.parametrize("name", sorted(registry()))
def test_qutip_tier(name):
    if name in NOT_APPLICABLE:
        pytest.skip(f"not applicable: {NOT_APPLICABLE[name]}")
    if name not in CHECKS:
        pytest.fail(f"derivation {name!r} has no QuTiP cross-check and is not declared not applicable")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        CHECKS[name]()
    _assert_measured(name)
