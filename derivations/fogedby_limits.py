"""Fogedby, "Heat currents in qubit systems" (arXiv:2301.13544), sec. IV.A-IV.B: the limits
of the single-qubit and coupled-qubit results.

Every limit is taken by qsym's regime machinery (:mod:`qsym.asymptotics`) of a closed form
derived in :mod:`derivations.fogedby_single_qubit` / :mod:`derivations.fogedby_coupled_qubits`
(themselves checked against the numeric solver), and each regime's stated rate is checked
numerically in mpmath (``limit_check`` of the record).  Special cases that change the model
("turning off reservoir B", "identical reservoirs") are derived from the changed model, not by
editing formulas:

* ``g_B = 0``: the model without bath B;
* ``g_A = g_B = g``: both baths with the same flat spectral density ``g`` (at the single
  transition frequency of the qubit only ``g(omega_0)`` enters, so this is general).

Readings adopted:

* eqs. 4.10-4.11 give the qubits' density matrices without naming the basis; they are read in
  ascending energy (``|->``, ``|+>``), the convention of the paper's eq. 3.45 (checked in
  :mod:`derivations.fogedby_coupled_qubits`), in which they are the Gibbs states the text says
  they are;
* "``A_{pm pm} -> g_A(omega_pm) T_A / omega_pm``" (sec. IV.B.1) is read as: every rate
  ``A_{pq}`` of eqs. 3.34-3.37 tends to ``g_A(omega_q) T_A / omega_q`` (``q`` the channel),
  likewise ``B_{pq}``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

import qsym as qs
from qsym.asymptotics import (high_temperature, low_temperature, temperature_bias, weak_coupling)
from qsym.numeric.targets import HeatCurrent, Target, level_index

from . import fogedby_coupled_qubits as cq
from . import fogedby_single_qubit as sq

NAME = "fogedby-limits"
TITLE = "Fogedby (2023), sec. IV.A-B: high/low temperature, weak coupling and special cases"
SEED = "003_15d3d9435f02ddbf.txt"

w0, TA, TB = sq.w0, sq.TA, sq.TB
g = sp.Symbol("g", positive=True)


@dataclass(frozen=True)
class PopulationRatio(Target):
    """``rho_a / rho_b`` read off the numeric solver."""

    upper: int
    lower: int

    def numeric(self, me, res, values):
        p = res.populations
        return p[level_index(me, self.upper, res, values)] / p[level_index(me, self.lower, res, values)]

    def describe(self):
        return f"population ratio rho_{self.upper}/rho_{self.lower}"


@dataclass(frozen=True)
class VanishingHeatCurrent(HeatCurrent):
    """A heat current the derivation finds to be exactly zero (absolute error compared)."""

    zero_expected = True


# ---- the changed models ------------------------------------------------------------------------
@lru_cache(maxsize=None)
def single_qubit_bath_A_only():
    """Sec. IV.A: reservoir B turned off (``g_B = 0``): the qubit coupled to A only."""
    (q,) = qs.qubits(1)
    A = qs.BosonicBath("A", temperature=TA)
    m = qs.OpenSystem(w0 / 2 * q.sz, couplings=(qs.Coupling(q.sm, A),), name="single qubit, bath A only")
    return qs.global_master_equation(m)


@lru_cache(maxsize=None)
def single_qubit_identical_baths():
    """Sec. IV.A: identical reservoirs ``g_A = g_B = g``."""
    (q,) = qs.qubits(1)
    A = qs.BosonicBath("A", temperature=TA, spectral=qs.FlatSpectrum(g))
    B = qs.BosonicBath("B", temperature=TB, spectral=qs.FlatSpectrum(g))
    m = qs.OpenSystem(w0 / 2 * q.sz, couplings=(qs.Coupling(q.sm, A), qs.Coupling(q.sm, B)),
                      name="single qubit, identical reservoirs")
    return qs.global_master_equation(m)


@lru_cache(maxsize=None)
def coupled_qubits_bath_A_only():
    """Sec. IV.B.2: reservoir B quenched: qubit 1 coupled to A, qubit 2 to nothing."""
    H = cq.model().H
    A = qs.BosonicBath("A", temperature=TA)
    m = qs.OpenSystem(H, couplings=(qs.Coupling(cq.model().couplings[0].operator, A),),
                      assumptions=cq.model().assumptions, domain=cq.model().domain,
                      name="coupled qubits, bath A only")
    return qs.global_master_equation(m)


def ratio(me) -> sp.Expr:
    """``r = rho_+ / rho_-`` (eq. 4.1) of a single-qubit steady state."""
    ss = me.steady_state()
    return sp.factor(ss.population(sq.PLUS) / ss.population(sq.MINUS))


def _gibbs_ratio(e):
    return sp.simplify(qs.expand_occupations(e))


# ---- transcriptions (comparison only) --------------------------------------------------------------
def published_r():
    """Eq. 4.1."""
    gA, gB, nA, nB = sq.gA, sq.gB, sq.nA, sq.nB
    return (gA * nA + gB * nB) / (gA * (1 + nA) + gB * (1 + nB))


def published_high_T_currents():
    """Eqs. 4.2-4.3."""
    F = sp.Rational(1, 2) * sq.gA * sq.gB * w0 / (sq.gA * TA + sq.gB * TB)
    return F * (TA - TB), F * (TB - TA)


def published_low_T_currents():
    """Eqs. 4.4-4.5."""
    F = sq.gA * sq.gB * w0 / (sq.gA + sq.gB)
    eA, eB = sp.exp(-w0 / TA), sp.exp(-w0 / TB)
    return F * (eA - eB), F * (eB - eA)


def _cq_symbols():
    return cq._paper_symbols()


def published_channel_high_T(bath, sign):
    """Eqs. 4.12-4.15."""
    al, be, wp, wm, gA, gB, nA, nB = _cq_symbols()
    w = wp if sign == "+" else wm
    a2, b2 = (al**2, be**2) if sign == "+" else (be**2, al**2)
    F = sp.Rational(1, 2) * (al * be) ** 2 * gA(w) * gB(w) * w / (a2 * gA(w) * TA + b2 * gB(w) * TB)
    return F * (TA - TB) if bath == "A" else F * (TB - TA)


def published_channel_low_T(bath, sign):
    """Eqs. 4.16-4.19."""
    al, be, wp, wm, gA, gB, nA, nB = _cq_symbols()
    w = wp if sign == "+" else wm
    a2, b2 = (al**2, be**2) if sign == "+" else (be**2, al**2)
    F = (al * be) ** 2 * gA(w) * gB(w) * w / (a2 * gA(w) + b2 * gB(w))
    eA, eB = sp.exp(-w / TA), sp.exp(-w / TB)
    return F * (eA - eB) if bath == "A" else F * (eB - eA)


def published_lambda0_populations():
    """Eqs. 4.6-4.9 in the paper's A/B notation, at lambda = 0 as the text states."""
    r = cq.published_rates()
    App, Amp, Bpm, Bmm = r["App"], r["Amp"], r["Bpm"], r["Bmm"]
    den = (App + Amp) * (Bmm + Bpm)
    pops = [App * Bpm / den, App * Bmm / den, Amp * Bpm / den, Amp * Bmm / den]
    return [_at_lambda0(p) for p in pops]


def _at_lambda0(e):
    e = qs.expand_definitions(e).subs(cq.lam, 0)
    # omega_1 > omega_2 (the paper's Delta omega > 0): sqrt(Delta omega^2) = Delta omega
    d = sp.Symbol("d", positive=True)
    return sp.simplify(e.subs(cq.w1, cq.w2 + d)).subs(d, cq.w1 - cq.w2)


def published_subsystem_states():
    """Eqs. 4.10-4.11 as printed (read in ascending energy, ``(|->, |+>)``)."""
    gA, gB = sp.Function("g_A", positive=True), sp.Function("g_B", positive=True)
    nA, nB = qs.bose_occupation("A", TA), qs.bose_occupation("B", TB)
    w1, w2 = cq.w1, cq.w2
    rA = sp.Matrix([[gA(w1) * (1 + nA(w1)), 0], [0, gA(w1) * nA(w1)]]) / (gA(w1) * (1 + 2 * nA(w1)))
    rB = sp.Matrix([[gB(w2) * (1 + nB(w2)), 0], [0, gB(w2) * nB(w2)]]) / (gB(w2) * (1 + 2 * nB(w2)))
    return rA, rB


# ---- derived pieces ------------------------------------------------------------------------------
def _partial_trace(rho: sp.Matrix, keep: int) -> sp.Matrix:
    """Reduced 2x2 state of qubit ``keep`` (0 or 1) from a 4x4 state in the product basis."""
    R = sp.zeros(2, 2)
    for a in range(2):
        for b in range(2):
            R[a, b] = sum(rho[2 * a + k, 2 * b + k] if keep == 0 else rho[2 * k + a, 2 * k + b] for k in range(2))
    return R


def subsystem_states_at_lambda0():
    """The steady state at ``lambda -> 0`` in the product basis, reduced to each qubit and
    ordered by ascending energy (qsym's qubit basis is ``(|+>, |->)``)."""
    me, ss = cq.master_equation(), cq.steady_state()
    assm = cq.model().assumptions
    U = me.spectrum.unitary
    lims = {}

    def at0(e):
        e = sp.sympify(e)
        if e == 0 or cq.lam not in qs.expand_definitions(e).free_symbols:
            return qs.expand_definitions(e)
        L = weak_coupling(e, cq.lam, order=0, assumptions=assm)
        lims[e] = L
        return L.value

    U0 = sp.Matrix(U).applyfunc(at0)
    rho0 = sp.diag(*[at0(ss.population(n)) for n in range(1, 5)])
    rho_site = (U0 * rho0 * U0.T).applyfunc(sp.simplify)
    flip = sp.Matrix([[0, 1], [1, 0]])
    return [flip * _partial_trace(rho_site, k) * flip for k in (0, 1)], list(lims.values())


def definitions():
    return cq.definitions()


def results() -> list[qs.Result]:
    R = qs.Result
    out: list[qs.Result] = []
    # ================= single qubit (sec. IV.A) ==================================================
    me1 = sq.master_equation()
    r = ratio(me1)
    out.append(R("r", "4.1", r, me1, PopulationRatio(sq.PLUS, sq.MINUS), published_r(), latex_name="r"))
    meA = single_qubit_bath_A_only()
    rA = _gibbs_ratio(ratio(meA))
    out.append(R("r (g_B = 0)", "IV.A.1", rA, meA, PopulationRatio(sq.PLUS, sq.MINUS), sp.exp(-w0 / TA),
                 latex_name=r"r|_{g_B=0}", note="derived from the model without bath B: the Boltzmann ratio"))
    meg = single_qubit_identical_baths()
    rg = sp.factor(qs.expand_definitions(ratio(meg)))
    nA, nB = qs.bose_occupation("A", TA)(w0), qs.bose_occupation("B", TB)(w0)
    out.append(R("r (g_A = g_B)", "IV.A.1", rg, meg, PopulationRatio(sq.PLUS, sq.MINUS),
                 (nA + nB) / (2 + nA + nB), latex_name=r"r|_{g_A=g_B}",
                 note="derived from the model with identical (flat, g) reservoirs"))
    hi = high_temperature(rg, order=1)
    Tm = (TA + TB) / 2
    out.append(R("r (identical baths, high T)", "IV.A.1", hi.leading, meg, None, 1 - w0 / Tm, latex_name="r",
                 limit=hi, note=f"to first order in 1/T, relative correction O({hi.correction})"))
    lo = low_temperature(rg)
    out.append(R("r (identical baths, low T)", "IV.A.1", lo.leading, meg, None,
                 (sp.exp(-w0 / TA) + sp.exp(-w0 / TB)) / 2, latex_name="r", limit=lo,
                 note=f"relative correction O({lo.correction})"))
    bias = temperature_bias(lo.leading, TA, TB)
    Tsym, Dsym = list(bias.introduced)
    back = {Tsym: Tm, Dsym: TA - TB}
    published_bias = sp.exp(-w0 / Tsym) * sp.cosh(2 * w0 / Dsym)
    out.append(R("r (low T, bias Delta = T_A - T_B)", "IV.A.1", bias.leading.xreplace(back), meg, None,
                 published_bias.xreplace(back), latex_name=r"r", limit=bias,
                 note=(f"derived: r -> {sp.sstr(bias.leading)} with T = (T_A+T_B)/2, Delta = T_A - T_B, "
                       f"relative correction O({sp.sstr(bias.correction)}) (exponents to first order in Delta); "
                       "published exp(-omega_0/T) cosh(2 omega_0/Delta) has the argument inverted: the corrected "
                       "form is exp(-omega_0/T) cosh(omega_0 Delta/(2 T^2))")))
    ss1 = sq.steady_state()
    for n, name in ((sq.PLUS, "rho_+"), (sq.MINUS, "rho_-")):
        e = ss1.population(n)
        h = high_temperature(e)
        out.append(R(f"{name} (high T)", "IV.A.1", h.value, me1, None, sp.Rational(1, 2), latex_name=name, limit=h,
                     note="equal population at high temperature"))
        lw = low_temperature(e)
        out.append(R(f"{name} (low T)", "IV.A.1", lw.value, me1, None, sp.S.Zero if n == sq.PLUS else sp.S.One,
                     latex_name=name, limit=lw, note=f"T -> 0 value; leading correction {sp.sstr(lw.leading)}"))
    qAp, qBp = published_high_T_currents()
    for bath, pub, eq in (("A", qAp, "4.2"), ("B", qBp, "4.3")):
        h = high_temperature(sq.heat_current(bath))
        out.append(R(f"q^{bath} (high T)", eq, h.leading, me1, None, pub, latex_name=f"q^{bath}", limit=h,
                     note=f"relative correction O({h.correction})"))
    qAl, qBl = published_low_T_currents()
    for bath, pub, eq in (("A", qAl, "4.4"), ("B", qBl, "4.5")):
        lw = low_temperature(sq.heat_current(bath))
        out.append(R(f"q^{bath} (low T)", eq, lw.leading, me1, None, pub, latex_name=f"q^{bath}", limit=lw,
                     note=f"relative correction O({sp.sstr(lw.correction)})"))
    qA0 = meA.heat_current("A")
    out.append(R("q^A (g_B = 0)", "IV.A.2", qA0, meA, VanishingHeatCurrent("A"), sp.S.Zero, latex_name="q^A",
                 note="derived from the model without bath B"))
    # ================= coupled qubits (sec. IV.B) ================================================
    me2, ss2 = cq.master_equation(), cq.steady_state()
    assm = cq.model().assumptions
    rates = cq.published_rates()
    _, _, wp, wm, gA, gB, _, _ = _cq_symbols()
    named = {"A": [("App", 1, 3, "+"), ("Apm", 1, 2, "-"), ("Amp", 3, 1, "+"), ("Amm", 2, 1, "-")],
             "B": [("Bpp", 1, 3, "+"), ("Bpm", 1, 2, "-"), ("Bmp", 3, 1, "+"), ("Bmm", 2, 1, "-")]}
    for bath, T, gX in (("A", TA, gA), ("B", TB, gB)):
        K = me2.rate_matrix(bath)
        lims = [high_temperature(K[m - 1, n - 1], temperatures=[T]) for _, m, n, _ in named[bath]]
        pub = [gX(wp if s == "+" else wm) * T / (wp if s == "+" else wm) for *_, s in named[bath]]
        out.append(R(f"{bath}_(pm pm) (high T)", "IV.B.1", sp.Matrix([L.leading for L in lims]), me2, None,
                     sp.Matrix(pub), latex_name=f"{bath}_{{\\pm\\pm}}", limit=lims,
                     note=(f"rates {', '.join(rates[k].name for k, *_ in named[bath])}; derived leading forms keep "
                           "the squared mixing amplitudes (alpha^2 or beta^2) of eqs. 3.34-3.41, which the "
                           "published statement drops; it holds only for lambda -> 0 on the channels with alpha^2")))
    pops = [ss2.population(n) for n in range(1, 5)]
    his = [high_temperature(p) for p in pops]
    out.append(R("rho_n (high T)", "IV.B.1", sp.Matrix([h.value for h in his]), me2, None,
                 sp.Matrix([sp.Rational(1, 4)] * 4), latex_name=r"\rho_n", limit=his))
    los = [low_temperature(p) for p in pops]
    out.append(R("rho_n (low T)", "IV.B.1", sp.Matrix([L.value for L in los]), me2, None,
                 sp.Matrix([1, 0, 0, 0]), latex_name=r"\rho_n", limit=los))
    # lambda -> 0
    zero_rates = [("Apm", "A", 1, 2), ("Amm", "A", 2, 1), ("Bpp", "B", 1, 3), ("Bmp", "B", 3, 1)]
    wl = [weak_coupling(me2.rate_matrix(b)[m - 1, n - 1], cq.lam, order=0, assumptions=assm)
          for _, b, m, n in zero_rates]
    out.append(R("A_{+-}, A_{--}, B_{++}, B_{-+} (lambda = 0)", "IV.B.1", sp.Matrix([L.value for L in wl]), me2, None,
                 sp.zeros(4, 1), latex_name=r"A_{+-}, A_{--}, B_{++}, B_{-+}", limit=wl,
                 note="each vanishes like lambda^2 (it carries beta^2)"))
    wp0 = [weak_coupling(p, cq.lam, order=0, assumptions=assm) for p in pops]
    for n, (L, pub) in enumerate(zip(wp0, published_lambda0_populations()), start=1):
        out.append(R(f"rho_{n} (lambda = 0)", f"4.{5 + n}", L.value, me2, None, pub, latex_name=rf"\rho_{n}", limit=L))
    (rhoA, rhoB), lims0 = subsystem_states_at_lambda0()
    pA, pB = published_subsystem_states()
    out.append(R("rho^A (lambda = 0)", "4.10", rhoA, me2, None, pA, latex_name=r"\rho^A", limit=lims0,
                 note="partial trace of the lambda -> 0 steady state, basis (|->, |+>)"))
    out.append(R("rho^B (lambda = 0)", "4.11", rhoB, me2, None, pB, latex_name=r"\rho^B", limit=lims0,
                 note="partial trace of the lambda -> 0 steady state, basis (|->, |+>)"))
    th, al, be = cq.mixing()
    La = weak_coupling(al, cq.lam, order=0, assumptions=assm)
    Lb = weak_coupling(be, cq.lam, order=0, assumptions=assm)
    out.append(R("alpha (lambda = 0)", "IV.B.2", La.value, me2, None, sp.S.One, latex_name=r"\alpha", limit=La))
    out.append(R("beta (lambda = 0)", "IV.B.2", Lb.value, me2, None, sp.S.One, latex_name=r"\beta", limit=Lb,
                 note=("derived beta = sin(theta/2) -> 0 (beta ~ lambda/(omega_1 - omega_2)): the uncoupled "
                       "eigenstates are the bare states; the text's 'beta = 1' must read beta = 0")))
    for bath in ("A", "B"):
        # q^X = q^X_+ + q^X_- (eqs. 3.52, 3.55): the regime of each channel, summed
        Lq = [weak_coupling(cq.channel_current(bath, s), cq.lam, order=0, assumptions=assm) for s in "+-"]
        out.append(R(f"q^{bath} (lambda = 0)", "IV.B.2", Lq[0].value + Lq[1].value, me2, None, sp.S.Zero,
                     latex_name=f"q^{bath}", limit=Lq,
                     note=f"vanishes like lambda^2: q^{bath} ~ {sp.sstr(Lq[0].leading + Lq[1].leading)}"))
    meA2 = coupled_qubits_bath_A_only()
    out.append(R("q^A (g_B = 0, coupled)", "IV.B.2", sp.simplify(meA2.heat_current("A")), meA2,
                 VanishingHeatCurrent("A"), sp.S.Zero, latex_name="q^A", note="derived from the model without bath B"))
    for bath, sign, eq in (("A", "+", "4.12"), ("A", "-", "4.13"), ("B", "+", "4.14"), ("B", "-", "4.15")):
        h = high_temperature(cq.channel_current(bath, sign))
        out.append(R(f"q^{bath}_{sign} (high T)", eq, h.leading, me2, None, published_channel_high_T(bath, sign),
                     latex_name=f"q^{bath}_{sign}", limit=h, note=f"relative correction O({h.correction})"))
    for bath, sign, eq in (("A", "+", "4.16"), ("A", "-", "4.17"), ("B", "+", "4.18"), ("B", "-", "4.19")):
        lw = low_temperature(cq.channel_current(bath, sign))
        out.append(R(f"q^{bath}_{sign} (low T)", eq, lw.leading, me2, None, published_channel_low_T(bath, sign),
                     latex_name=f"q^{bath}_{sign}", limit=lw, note=f"relative correction O({sp.sstr(lw.correction)})"))
    return out
