"""Fogedby, "Heat currents in qubit systems" (arXiv:2301.13544), sec. IV.C.2, eqs. 4.32-4.35:
the Levy-Kosloff coupled oscillators (Levy & Kosloff, EPL 107, 20004 (2014)).

Model (eq. 4.32): ``H_S = omega_1 a_1^dag a_1 + omega_2 a_2^dag a_2 + lambda (a_1 a_2^dag + a_1^dag a_2)``,
mode 1 coupled to bath A, mode 2 to bath B (RWA couplings ``a_1^dag A + h.c.``, ``a_2^dag B + h.c.``),
with ``omega_1 > omega_2`` and ``lambda < sqrt(omega_1 omega_2)`` (both normal-mode frequencies
positive) as for the coupled qubits.

Derivation chain (qsym's engine, from the model only; no Fock truncation in any closed form):
  the local Lindblad equation of the model (``qs.local_master_equation`` on truncated modes,
  eqs. 4.33-4.35) -> its jumps projected exactly onto ``a_i, a_i^dag``
  -> closed equations of the second moments ``M_ij = <a_i^dag a_j>`` from the adjoint generator
  -> stationary ``M`` by a rational linear solve -> ``q^X = <L_X^dag H_S>``
  -> ``q^A = F [n_A(omega_1) - n_B(omega_2)]`` with ``F`` free of the temperatures (the paper's
  statement) -> the window ``omega_2/omega_1 < T_B/T_A < 1`` where heat flows from cold to hot,
  with a solver-confirmed counterexample and a violated second-law certificate;
  and, for comparison, the global secular (Davies) equation in the normal-mode basis
  (mixing angle theta, ``alpha = cos(theta/2)``, ``beta = sin(theta/2)``, ``omega_pm``), whose
  currents ``q^X = sum_pm F_pm [n_X(omega_pm) - n_Y(omega_pm)]`` with ``F_pm >= 0`` carry a second-law
  certificate.

The numeric check of every closed form is :class:`qsym.dynamics.moments.FockSolver`: the same
model in a Fock space truncated at total excitation number K (chosen per point for a
truncation error below 1e-12 relative), numeric Bohr decomposition, Liouvillian null space.

The paper states for the oscillators only eqs. 4.32-4.35 and, in words, that ``q^A`` is
proportional to ``n_A(omega_1) - n_B(omega_2)`` (violating the second law) and that the
eigenbasis (global) treatment complies with the second law; those statements are transcribed in
the ``published_*`` functions and compared against.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

import qsym as qs
from qsym.baths import _Occupation, expand_occupations
from qsym.dynamics.bohr import sign_on_domain
from qsym.dynamics.moments import (ChannelCurrent, ColdToHot, EffectiveRate, EnergyBalance, FluxPrefactor,
                                   HeatCurrentSign, MomentDerivative, NormalModeFrequency, SecondMoment,
                                   moment_master_equation, quadratic_form, reference_state_occupations)
from qsym.numeric.targets import Target

NAME = "levy-kosloff-oscillators"
TITLE = "Fogedby (2023), sec. IV.C.2: Levy-Kosloff coupled oscillators, local vs global master equation"
SEED = "003_15d3d9435f02ddbf.txt"

w1, w2, lam, TA, TB = qs.symbols("omega_1 omega_2 lambda T_A T_B", positive=True)
DIM = 3  # Fock states per mode of the truncated *model*; only the form of H and L is read off it

# Sampling domain of the numeric checks: occupations n <= 0.4 keep the Fock cutoff moderate.
DOMAIN = {w1: (1.0, 2.0), w2: (1.0, 2.0), TA: (0.3, 0.8), TB: (0.3, 0.8), lam: (0.05, 0.5)}


@lru_cache(maxsize=None)
def sites():
    return qs.bosons(2, DIM)


@lru_cache(maxsize=None)
def model() -> qs.OpenSystem:
    """Eq. 4.32 with RWA couplings of mode 1 to bath A and mode 2 to bath B."""
    a1, a2 = sites()
    H = w1 * a1.ad * a1.a + w2 * a2.ad * a2.a + lam * (a1.a * a2.ad + a1.ad * a2.a)
    A = qs.BosonicBath("A", temperature=TA)
    B = qs.BosonicBath("B", temperature=TB)
    return qs.OpenSystem(H, couplings=(qs.Coupling(a1.a, A), qs.Coupling(a2.a, B)),
                         assumptions=(w1 > w2, lam < sp.sqrt(w1 * w2)), domain=DOMAIN,
                         name="Levy-Kosloff coupled oscillators")


@lru_cache(maxsize=None)
def qsym_local_master_equation() -> qs.MasterEquation:
    """Eqs. 4.33-4.35 as qsym derives them on the truncated modes (rates at the bare
    frequencies, coherent part with the full H_S)."""
    return qs.local_master_equation(model())


@lru_cache(maxsize=None)
def local_me():
    """The local equation in moment form: qsym's local master equation with its jumps projected
    (exactly) onto ``a_1, a_2, a_1^dag, a_2^dag``."""
    return moment_master_equation(qsym_local_master_equation())


@lru_cache(maxsize=None)
def global_me():
    """The global secular (Davies) equation in the normal-mode basis, in moment form."""
    return moment_master_equation(model(), "global")


@lru_cache(maxsize=None)
def local_steady_state():
    return local_me().steady_state()


@lru_cache(maxsize=None)
def global_steady_state():
    return global_me().steady_state()


def occupation_difference() -> sp.Expr:
    """``n_A(omega_1) - n_B(omega_2)``, built from the model's baths."""
    m = model()
    return m.bath("A").occupation(w1) - m.bath("B").occupation(w2)


@lru_cache(maxsize=None)
def local_currents() -> dict:
    me = local_me()
    return {b: me.heat_current(b, local_steady_state()) for b in me.bath_names}


@lru_cache(maxsize=None)
def global_channel_currents() -> dict:
    me = global_me()
    return {b: me.heat_current(b, global_steady_state(), by_channel=True) for b in me.bath_names}


@lru_cache(maxsize=None)
def global_currents() -> dict:
    me = global_me()
    return {b: me.heat_current(b, global_steady_state()) for b in me.bath_names}


@lru_cache(maxsize=None)
def flux_prefactor() -> sp.Expr:
    """``F = q^A / (n_A(omega_1) - n_B(omega_2))`` (cancelled)."""
    d = occupation_difference()
    F = sp.factor(sp.cancel(sp.together(local_currents()["A"] / d)))
    return F


def frequencies():
    """``(omega_-, omega_+)``: the named normal-mode frequencies of the global equation."""
    f = {s.name: s for s in global_me().frequencies}
    return f["omega_-"], f["omega_+"]


def mixing():
    """``(theta, alpha, beta)`` of the single-particle spectrum."""
    (mix,) = global_me().spectrum.mixing
    return mix


# ---- derived statements about the sign of the local current --------------------------------
def _positive(expr, why: str) -> str:
    """Establish ``expr > 0`` (SymPy's assumptions, else with ``omega_1 = omega_2 + delta``, which
    exposes squares of the detuning, else sampling on the model's domain); returns how."""
    if sp.sympify(expr).is_positive:
        return "from the symbols' assumptions"
    dlt = sp.Symbol("delta", real=True)

    def factor_positive(f):
        return f.is_positive or sp.expand(f.subs(w1, w2 + dlt)).is_positive

    num, den = sp.fraction(sp.factor(expr))
    if all(factor_positive(f) for f in sp.Mul.make_args(num) + sp.Mul.make_args(den)):
        return ("every factor positive by the symbols' assumptions, the denominator after writing "
                "omega_1 = omega_2 + delta (a sum of positive terms and delta^2)")
    sgn, how = sign_on_domain(expr, model())
    if sgn > 0:
        return how
    raise AssertionError(f"{why}: could not establish positivity of {expr}")


@lru_cache(maxsize=None)
def cold_to_hot_window():
    """Where the local current flows from the cold to the hot bath, derived:

    1. ``q^A = F [n_A(omega_1) - n_B(omega_2)]`` with ``F > 0`` (established below);
    2. ``n(x) = 1/(e^x - 1)`` is strictly decreasing in ``x = omega/T`` (``dn/dx < 0``), so
       ``sign(n_A(omega_1) - n_B(omega_2)) = sign(omega_2/T_B - omega_1/T_A)``;
    3. heat flows cold -> hot iff ``sign(q^A) != sign(T_A - T_B)``, i.e.
       ``(T_A - T_B)(omega_2/T_B - omega_1/T_A) < 0``; with ``r = T_B/T_A`` this is
       ``(1 - r)(omega_2 - omega_1 r) < 0``, a quadratic in ``r`` with positive leading coefficient:
       ``r`` strictly between its roots.

    Returns ``dict(r=T_B/T_A as a symbol, roots, interval, condition, F_positive, steps)``.
    """
    F = flux_prefactor()
    how_F = _positive(F, "flux prefactor F of the local current")
    x = sp.Symbol("x", positive=True)
    n = 1 / (sp.exp(x) - 1)
    dn = sp.diff(n, x)
    y = sp.Symbol("y", positive=True)  # y = e^x - 1 > 0 for x > 0
    assert sp.simplify(dn.subs(sp.exp(x), y + 1)).is_negative, dn
    r = sp.Symbol("r", positive=True)
    prod = sp.factor(((TA - TB) * (w2 / TB - w1 / TA)).subs(TB, r * TA) * TA * r / TA**2)
    poly = sp.Poly(sp.expand(prod), r)
    roots = sorted(sp.solve(poly.as_expr(), r), key=sp.default_sort_key)
    lead = poly.LC()
    assert lead.is_positive, lead  # negative strictly between the roots
    lo, hi = roots
    sgn, how = sign_on_domain(hi - lo, model())
    if sgn < 0:
        lo, hi = hi, lo
    interval = sp.Interval.open(lo, hi)
    ratio = TB / TA
    condition = sp.And(ratio > lo, ratio < hi)
    steps = [
        f"F = q^A/(n_A(omega_1) - n_B(omega_2)) > 0 ({how_F})",
        f"d/dx [1/(e^x - 1)] = {dn} < 0: occupations decrease with omega/T",
        f"sign(q^A) != sign(T_A - T_B)  <=>  {sp.factor(prod)} < 0 with r = T_B/T_A",
        f"roots r = {lo}, {hi}; leading coefficient {lead} > 0; {lo} < {hi} ({how})",
    ]
    return dict(r=r, roots=(lo, hi), interval=interval, condition=condition, F_positive=how_F, steps=steps)


def window_indicator() -> sp.Expr:
    """1 inside the derived cold -> hot window, 0 outside."""
    return sp.Piecewise((1, cold_to_hot_window()["condition"]), (0, True))


COUNTEREXAMPLE = {w1: 2.0, w2: 1.0, lam: 0.3, TA: 0.5, TB: 0.4}
SPECTRAL_PARAMS = {"kappa": 0.02, "s": 1.0, "omegac": 2.0}  # g_X(w) = kappa (w/omegac)^s exp(-w/omegac)


@lru_cache(maxsize=None)
def cold_to_hot_counterexample() -> dict:
    """An explicit point inside the window (``T_B/T_A = 0.8``, ``omega_2/omega_1 = 0.5``): A is the
    hot bath, yet the closed form and the independent Fock solver both give ``q^A < 0`` and
    ``q^B > 0`` (heat leaves the cold bath B and enters the hot bath A)."""
    from qsym.numeric.functions import spectral_realisation, to_numeric
    from qsym.numeric.verify import _callables
    values = dict(COUNTEREXAMPLE)
    spectral = {}
    for b in ("A", "B"):
        lamb, rg = spectral_realisation(b)
        spectral[b] = lamb
        for s in rg:
            values[s] = SPECTRAL_PARAMS[str(s).split("_")[0]]
    q = local_currents()
    closed = {}
    for b in ("A", "B"):
        f = to_numeric(q[b], tuple(values), spectral=spectral)
        closed[b] = float(np.real(f(values)))
    solver = local_me().numeric_solver()
    res = solver.solve(values, spectral=_callables(spectral, values))
    inside = bool(window_indicator().subs({k: v for k, v in values.items() if k in (w1, w2, TA, TB)}) == 1)
    return dict(parameters={str(k): v for k, v in values.items()}, inside_window=inside,
                q_closed_form=closed, q_numeric_solver=dict(res.heat_currents), cutoff=res.cutoff,
                entropy_production_numeric=res.entropy_production,
                cold_to_hot=bool(res.heat_currents["B"] > 0 and closed["B"] > 0 and
                                 COUNTEREXAMPLE[TB] < COUNTEREXAMPLE[TA]))


# ---- second-law certificates ------------------------------------------------------------------
@lru_cache(maxsize=None)
def local_certificate():
    """``violated``: the local currents are proportional to occupations at different
    frequencies; the most negative closed-form sigma on the domain is confirmed by the solver."""
    me = local_me()
    q = local_currents()
    sigma = me.entropy_production(local_steady_state())
    return qs.second_law_certificate(me, currents=dict(q), sigma=sigma, n=2000)


@lru_cache(maxsize=None)
def global_certificate():
    """``holds``: every normal-mode current is ``F_pm [n_A(omega_pm) - n_B(omega_pm)]``, ``F_pm >= 0``."""
    me = global_me()
    return qs.second_law_certificate(me, currents={b: dict(v) for b, v in global_channel_currents().items()},
                                     sigma=me.entropy_production(global_steady_state()))


@lru_cache(maxsize=None)
def global_current_sign(bath: str = "A") -> sp.Expr:
    """``sign q^X`` of the global equation, from its certificate: ``q^X = sum_k F_k [n_X(w_k) -
    n_Y(w_k)]`` with ``F_k >= 0``, and ``n(w) = 1/(e^{w/T} - 1)`` strictly increasing in ``T``
    (``dn/dT = w e^{w/T}/(T^2 (e^{w/T}-1)^2) > 0``), so every bracket has the sign of
    ``T_X - T_Y``."""
    cert = global_certificate()
    if cert.status != "holds":
        raise AssertionError(f"global certificate: {cert}")
    w, T = sp.symbols("w T", positive=True)
    y = sp.Symbol("y", positive=True)  # y = e^{w/T} - 1 > 0
    dndT = sp.diff(1 / (sp.exp(w / T) - 1), T)
    assert sp.simplify(dndT.subs(sp.exp(w / T), y + 1)).is_positive, dndT
    signs = set()
    for F, diff in cert.terms[bath]:
        assert F.is_nonnegative
        pos = [t for t in diff.args if isinstance(t, _Occupation)][0]
        neg = [-t for t in diff.args if not isinstance(t, _Occupation)][0]
        signs.add(sp.sign(pos.temperature - neg.temperature))
    (sg,) = signs  # every channel has the sign of the same temperature difference
    return sg


# ---- transcriptions of the paper (for comparison only) ---------------------------------------
def published_single_particle_matrix() -> sp.Matrix:
    """Eq. 4.32 as the matrix ``h`` of ``H_S = sum_ij h_ij a_i^dag a_j``."""
    return sp.Matrix([[w1, lam], [lam, w2]])


def published_local_rates(bath: str) -> sp.Matrix:
    """Eqs. 4.34 (A) and 4.35 (B): ``[emission, absorption]`` rates of ``a_1`` (``a_2``)."""
    gA, gB = sp.Function("g_A", positive=True), sp.Function("g_B", positive=True)
    nA, nB = qs.bose_occupation("A", TA), qs.bose_occupation("B", TB)
    if bath == "A":
        return sp.Matrix([gA(w1) * (1 + nA(w1)), gA(w1) * nA(w1)])
    return sp.Matrix([gB(w2) * (1 + nB(w2)), gB(w2) * nB(w2)])


def published_energy_balance() -> sp.Expr:
    """Sec. II / IV: ``q^A + q^B = 0``."""
    return sp.S.Zero


def published_proportionality() -> sp.Matrix:
    """Sec. IV.C.2: "the current q^A turns out to be proportional to n_A(omega_1) - n_B(omega_2)",
    i.e. ``q^A/(n_A(omega_1) - n_B(omega_2))`` does not depend on the temperatures:
    ``[d/dT_A, d/dT_B]`` of it vanish."""
    return sp.Matrix([0, 0])


def published_global_sign() -> sp.Expr:
    """Sec. IV.C.2 (and the intro of sec. IV): the eigenbasis (global) treatment yields "a current
    in compliance with the second law": heat flows from the hotter bath into the system,
    ``sign q^A = sign(T_A - T_B)``."""
    return sp.sign(TA - TB)


# ---- numeric targets specific to this derivation ----------------------------------------------
class SingleParticleElement(Target):
    """``h_ij`` as the Fock solver reads it off the numeric model."""

    def __init__(self, i, j):
        self.i, self.j = i, j

    def numeric(self, me, res, values):
        return float(np.real(res.h[self.i, self.j]))

    def describe(self):
        return f"h_{self.i + 1}{self.j + 1}"


class NormalModeOccupation(Target):
    """``<d_k^dag d_k>`` of the ``k``-th lowest numeric normal mode (from the numeric moments and
    the numeric eigenvectors of ``h``)."""

    def __init__(self, k):
        self.k = k

    def numeric(self, me, res, values):
        e, U = np.linalg.eigh(res.h)
        N = U.T @ res.moments @ U.conj()
        return float(np.real(N[self.k - 1, self.k - 1]))

    def describe(self):
        return f"<d_{self.k}^dag d_{self.k}>"


def _moment_targets(M, cls, **kw):
    """Re M_11, Re M_12, Im M_12, Re M_22 (... for N modes) and their targets."""
    from qsym.dynamics.moments import _re_im
    n = M.shape[0]
    vals, tgs = [], []
    for i in range(n):
        for j in range(i, n):
            re, im = _re_im(M[i, j])
            parts = [("re", re)] + ([("im", im)] if i != j else [])
            for part, v in parts:
                v = sp.factor(v) if v != 0 else v
                vals.append(v)
                tgs.append(cls(i, j, part, zero_expected=(v == 0), split=False))
    return sp.Matrix(vals), tgs


def definitions():
    th, al, be = mixing()
    return (th, al, be) + frequencies()


def results() -> list[qs.Result]:
    R = qs.Result
    loc, glo = local_me(), global_me()
    sl, sg = local_steady_state(), global_steady_state()
    out: list[qs.Result] = []
    # -- eq. 4.32 ---------------------------------------------------------------------------
    h, _ = quadratic_form(model().H, "H")
    out.append(R("h (H_S = a^dag h a)", "4.32", h, loc, [SingleParticleElement(i, j) for i in range(2) for j in range(2)],
                 published_single_particle_matrix(), latex_name="h",
                 note="single-particle matrix read off the truncated model and checked element by element"))
    # -- eqs. 4.34-4.35: the local rates ---------------------------------------------------------
    for bath, eq, w in (("A", "4.34", w1), ("B", "4.35", w2)):
        chans = loc.channels_of(bath)
        down = [c.weight for c in chans if c.frequency == w]
        up = [c.weight for c in chans if c.frequency == -w]
        out.append(R(f"K^{bath} rates (local)", eq, sp.Matrix([down[0], up[0]]), loc,
                     [EffectiveRate(bath, w, "down"), EffectiveRate(bath, w, "up")], published_local_rates(bath),
                     latex_name=rf"\Gamma^{{{bath}}}_\downarrow,\Gamma^{{{bath}}}_\uparrow",
                     note="from qs.local_master_equation on the truncated modes, jumps projected onto a_i; "
                          "numeric: the Fock solver's own Bohr decomposition w.r.t. the local Hamiltonian"))
    # -- moment equations (derived from eq. 4.33) ----------------------------------------------
    nu = reference_state_occupations(2)
    dM = loc.moment_derivative(sp.diag(*nu))
    v, tg = _moment_targets(dM, MomentDerivative)
    out.append(R("dM/dt (local) at reference state", "4.33", v, loc, tg, None, latex_name=r"\dot M",
                 note=f"moment equations of the local ME evaluated at the product of thermal states with "
                      f"occupations {tuple(map(str, nu))}; numeric: Tr[a_i^dag a_j L(rho_ref)] with the Fock "
                      f"solver's generator"))
    v, tg = _moment_targets(sl.site_moments, SecondMoment)
    out.append(R("M (local steady state)", "IV.C.2", v, loc, tg, None, latex_name=r"\langle a_i^\dagger a_j\rangle",
                 note="[Re M11, Re M12, Im M12, Re M22]; " + sl.method))
    # -- local currents ---------------------------------------------------------------------------
    q = local_currents()
    d = occupation_difference()
    F = flux_prefactor()
    out.append(R("q^A (local)", "IV.C.2", sp.Mul(F, d, evaluate=False), loc, qs.HeatCurrent("A"), None,
                 latex_name=r"q^A_{\mathrm{local}}", note="q^A = <L_A^dag H_S> with the stationary moments"))
    out.append(R("q^B (local)", "IV.C.2", q["B"], loc, qs.HeatCurrent("B"), None, latex_name=r"q^B_{\mathrm{local}}"))
    out.append(R("q^A + q^B (local)", "IV (2.10)", loc.energy_balance(sl), loc, EnergyBalance(),
                 published_energy_balance(), latex_name="q^A + q^B"))
    out.append(R("F = q^A/(n_A(w1) - n_B(w2))", "IV.C.2", F, loc, FluxPrefactor("A", d), None, latex_name="F",
                 note=f"F > 0 ({cold_to_hot_window()['F_positive']})"))
    Fx = expand_occupations(F)
    dF = sp.Matrix([sp.simplify(sp.diff(Fx, TA)), sp.simplify(sp.diff(Fx, TB))])
    free = not (F.atoms(_Occupation) or ({TA, TB} & F.free_symbols))
    out.append(R("q^A prop. to n_A(w1) - n_B(w2)", "IV.C.2", dF, loc, None, published_proportionality(),
                 latex_name=r"\partial_{T_A,T_B} F",
                 note=("the derived prefactor F is free of T_A, T_B and of the occupations" if free else
                       "the derived prefactor depends on the temperatures") +
                      ": the paper's statement is checked by differentiating F"))
    cert = local_certificate()
    sigma_l = loc.entropy_production(sl)
    ce = cert.counterexample or {}
    out.append(R("sigma (local)", "IV.C.2", sigma_l, loc, qs.EntropyProduction(), None, latex_name=r"\sigma_{\mathrm{local}}",
                 note=f"second-law certificate: {cert.status} ({cert.reason}); counterexample "
                      f"{ce.get('parameters')}: sigma closed form {ce.get('sigma_closed_form')}, "
                      f"numeric solver {ce.get('sigma_numeric_solver')}"))
    win = cold_to_hot_window()
    cx = cold_to_hot_counterexample()
    out.append(R("cold->hot window (local)", "IV.C.2", window_indicator(), loc, ColdToHot(), None,
                 latex_name=r"\mathbb{1}[\text{cold}\to\text{hot}]",
                 note=f"heat flows from cold to hot iff {win['roots'][0]} < T_B/T_A < {win['roots'][1]} "
                      f"({'; '.join(win['steps'])}). Counterexample {cx['parameters']}: closed form q = "
                      f"{cx['q_closed_form']}, Fock solver (K = {cx['cutoff']}) q = {cx['q_numeric_solver']}"))
    # -- global (Davies) equation in the normal-mode basis ----------------------------------------
    wm, wp = frequencies()
    out.append(R("omega_-, omega_+ (normal modes)", "IV.C.2", sp.Matrix([wm.definition, wp.definition]), glo,
                 [NormalModeFrequency(1), NormalModeFrequency(2)], None, latex_name=r"\omega_\mp"))
    rates, tg = [], []
    for bath in ("A", "B"):
        for w in (wm, wp):
            for c in glo.channels_of(bath):
                if c.frequency == w:
                    rates.append(c.weight)
                    tg.append(EffectiveRate(bath, w, "down"))
                elif c.frequency == -w:
                    rates.append(c.weight)
                    tg.append(EffectiveRate(bath, w, "up"))
    out.append(R("global rates", "IV.C.2", sp.Matrix(rates), glo, tg, None, latex_name=r"\Gamma^X_{\pm}",
                 note="rate x |<0|J|1>|^2 of every normal-mode jump (emission/absorption at omega_-, omega_+); "
                      "numeric: Bohr decomposition in the numeric eigenbasis of H_S"))
    out.append(R("N (global, normal modes)", "IV.C.2", sp.Matrix([sg.moments[0, 0], sg.moments[1, 1]]), glo,
                 [NormalModeOccupation(1), NormalModeOccupation(2)], None, latex_name=r"\langle d_\mp^\dagger d_\mp\rangle",
                 note="coherence <d_-^dag d_+> = " + str(sg.moments[0, 1])))
    v, tg = _moment_targets(sg.site_moments, SecondMoment)
    out.append(R("M (global steady state)", "IV.C.2", v, glo, tg, None, latex_name=r"\langle a_i^\dagger a_j\rangle_{\mathrm{global}}"))
    dMg = glo.moment_derivative(sp.diag(*nu))
    v, tg = _moment_targets(dMg, MomentDerivative)
    out.append(R("dM/dt (global) at reference state", "IV.C.2", v, glo, tg, None, latex_name=r"\dot M_{\mathrm{global}}"))
    qc = global_channel_currents()
    for bath in ("A", "B"):
        for w, lab in ((wm, "-"), (wp, "+")):
            Fw, dw = qs.flux_form(qc[bath][w])
            out.append(R(f"q^{bath}_{lab} (global)", "IV.C.2", sp.Mul(Fw, dw, evaluate=False), glo,
                         ChannelCurrent(bath, w), None, latex_name=f"q^{bath}_{lab}"))
    qg = global_currents()
    out.append(R("q^A (global)", "IV.C.2", qg["A"], glo, qs.HeatCurrent("A"), None, latex_name=r"q^A_{\mathrm{global}}"))
    out.append(R("q^A + q^B (global)", "IV (2.10)", glo.energy_balance(sg), glo, EnergyBalance(),
                 published_energy_balance(), latex_name="q^A + q^B"))
    gcert = global_certificate()
    out.append(R("sign q^A (global)", "IV.C.2", global_current_sign("A"), glo, HeatCurrentSign("A"), published_global_sign(),
                 latex_name=r"\mathrm{sign}\,q^A",
                 note=f"from the second-law certificate ({gcert.status}: {gcert.reason}) and dn/dT > 0; "
                      f"numeric: sign of the Fock solver's q^A"))
    out.append(R("sigma (global)", "IV.C.2", glo.entropy_production(sg), glo, qs.EntropyProduction(), None,
                 latex_name=r"\sigma_{\mathrm{global}}", note=f"certificate: {gcert.status}"))
    return out
