"""Fogedby, "Heat currents in qubit systems" (arXiv:2301.13544), sec. III.B, IV.C.1 and
App. V.C: two coupled qubits, qubit 1 driven by reservoir A and qubit 2 by reservoir B.

Model (eqs. 3.16-3.18): ``H_S = omega_1/2 sigma_1^z + omega_2/2 sigma_2^z
+ lambda (sigma_1^+ sigma_2^- + sigma_1^- sigma_2^+)``, RWA couplings ``sigma_1^+ A + h.c.``
and ``sigma_2^+ B + h.c.``, with the paper's assumptions ``Delta omega > 0`` (omega_1 > omega_2)
and ``omega_pm > 0`` (lambda < sqrt(omega_1 omega_2)).

Derivation chain (all by qsym's engine, from the model only):
  spectrum by excitation-number blocks and a mixing angle (3.21-3.33)
  -> matrix elements of sigma^pm in the eigenbasis (5.19-5.20)
  -> Davies kernel per bath (3.34-3.43)
  -> stationary populations, found to factorise into independent omega_+ and omega_- channels
     (3.45-3.49)
  -> heat currents per channel, reduced to F [n_A - n_B] with F >= 0 (3.50-3.57)
  -> coherence sector: rho_23 is decoupled and decays at rate -C (IV.C.1).

Notation: the paper's alpha, beta, omega_pm are identified with the symbols qsym introduced
(checked in the records 3.29-3.33); A_{pm pm} and B_{pm pm} are transcribed from
3.34-3.41 and used only inside the published forms.  The paper's text lists the bare states
as "|-->, |+->, |+->, |++> with energies -omega_m, -Delta omega, Delta omega, omega_m": the
second must be |-+> (energy -Delta omega), as the record "III.B bare energies" shows.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

import qsym as qs

NAME = "fogedby-coupled-qubits"
TITLE = "Fogedby (2023), sec. III.B and IV.C.1: two coupled qubits between two heat reservoirs"
SEED = "003_15d3d9435f02ddbf.txt"

w1, w2, lam, TA, TB = qs.symbols("omega_1 omega_2 lambda T_A T_B", positive=True)


@lru_cache(maxsize=None)
def sites():
    return qs.qubits(2)


@lru_cache(maxsize=None)
def model() -> qs.OpenSystem:
    """Eqs. 3.16-3.18 with the paper's assumptions Delta omega > 0, omega_pm > 0."""
    q1, q2 = sites()
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz + lam * (q1.sp * q2.sm + q1.sm * q2.sp)
    A = qs.BosonicBath("A", temperature=TA)
    B = qs.BosonicBath("B", temperature=TB)
    return qs.OpenSystem(H, couplings=(qs.Coupling(q1.sm, A), qs.Coupling(q2.sm, B)),
                         assumptions=(w1 > w2, lam < sp.sqrt(w1 * w2)),
                         domain={lam: (0.05, 1.0)}, name="coupled qubits")


@lru_cache(maxsize=None)
def master_equation() -> qs.MasterEquation:
    """Eq. 2.2 with the secular kernel of eq. 5.2."""
    return qs.global_master_equation(model())


@lru_cache(maxsize=None)
def local_master_equation() -> qs.MasterEquation:
    """The local Lindblad equation of the same model, for comparison (sec. IV.C.2)."""
    return qs.local_master_equation(model())


@lru_cache(maxsize=None)
def steady_state() -> qs.SteadyState:
    return master_equation().steady_state()


def spectrum() -> qs.Spectrum:
    return master_equation().spectrum


def mixing():
    """``(theta, alpha, beta)`` introduced by the 2x2 block of the one-excitation sector."""
    (mix,) = spectrum().mixing
    return mix


def frequency(sign: str):
    """The named transition frequency ``omega_+`` or ``omega_-``."""
    for f in master_equation().frequencies:
        if f.name == f"omega_{sign}":
            return f
    raise KeyError(sign)


def channel_current(bath: str, sign: str) -> sp.Expr:
    """``q_pm^X`` (eqs. 3.53-3.57) as ``F [n_X - n_Y]``."""
    q = master_equation().heat_current(bath, steady_state(), by_channel=True)[frequency(sign)]
    F, diff = qs.flux_form(q)
    return sp.Mul(F, diff, evaluate=False)


def product_state_matrix() -> sp.Matrix:
    """Eq. 3.45 from the machinery: the steady-state solver found that the rate matrix splits
    into independent omega_+ and omega_- channels; the density matrix is the Kronecker
    product of their two-level distributions, ``diag(pi_+) (x) diag(pi_-)``."""
    return steady_state().product_form(order=(frequency("+"), frequency("-")))


# ---- transcriptions of the paper (for comparison only) --------------------------------
def _paper_symbols():
    th, al, be = mixing()
    wp, wm = frequency("+"), frequency("-")
    gA, gB = sp.Function("g_A", positive=True), sp.Function("g_B", positive=True)
    nA, nB = qs.bose_occupation("A", TA), qs.bose_occupation("B", TB)
    return al, be, wp, wm, gA, gB, nA, nB


def published_notation():
    """Eqs. 3.19-3.20 and 3.29-3.33 as printed."""
    wm_ = qs.DefinedSymbol("omega_m", (w1 + w2) / 2, positive=True)
    dw = qs.DefinedSymbol("Delta omega", (w1 - w2) / 2, positive=True)
    theta = sp.atan(2 * lam / (w1 - w2))
    return dict(omega_m=wm_, Delta=dw, theta=theta, alpha=sp.cos(theta / 2), beta=sp.sin(theta / 2),
                omega_p=wm_ + sp.sqrt(dw**2 + lam**2), omega_m_=wm_ - sp.sqrt(dw**2 + lam**2))


def published_rates():
    """Eqs. 3.34-3.41: ``A_{++}, A_{+-}, A_{-+}, A_{--}, B_{++}, ...`` as defined symbols."""
    al, be, wp, wm, gA, gB, nA, nB = _paper_symbols()
    D = qs.DefinedSymbol
    return dict(
        App=D("A_{++}", al**2 * gA(wp) * (1 + nA(wp)), positive=True),
        Apm=D("A_{+-}", be**2 * gA(wm) * (1 + nA(wm)), positive=True),
        Amp=D("A_{-+}", al**2 * gA(wp) * nA(wp), positive=True),
        Amm=D("A_{--}", be**2 * gA(wm) * nA(wm), positive=True),
        Bpp=D("B_{++}", be**2 * gB(wp) * (1 + nB(wp)), positive=True),
        Bpm=D("B_{+-}", al**2 * gB(wm) * (1 + nB(wm)), positive=True),
        Bmp=D("B_{-+}", be**2 * gB(wp) * nB(wp), positive=True),
        Bmm=D("B_{--}", al**2 * gB(wm) * nB(wm), positive=True),
    )


def published_kernel(bath: str) -> sp.Matrix:
    """Eqs. 3.42 (A) and 3.43 (B) as printed."""
    r = published_rates()
    X = bath
    pp, pm, mp, mm = r[f"{X}pp"], r[f"{X}pm"], r[f"{X}mp"], r[f"{X}mm"]
    return sp.Matrix([
        [-mp - mm, pm, pp, 0],
        [mm, -mp - pm, 0, pp],
        [mp, 0, -pp - mm, pm],
        [0, mp, mm, -pp - pm]])


def published_populations() -> list[sp.Expr]:
    """Eqs. 3.46-3.49 as printed."""
    r = published_rates()
    App, Apm, Amp, Amm = r["App"], r["Apm"], r["Amp"], r["Amm"]
    Bpp, Bpm, Bmp, Bmm = r["Bpp"], r["Bpm"], r["Bmp"], r["Bmm"]
    den = (App + Bpp + Amp + Bmp) * (Amm + Bmm + Apm + Bpm)
    return [(App + Bpp) * (Apm + Bpm) / den, (App + Bpp) * (Amm + Bmm) / den,
            (Amp + Bmp) * (Apm + Bpm) / den, (Amp + Bmp) * (Amm + Bmm) / den]


def published_product_form() -> sp.Matrix:
    """Eqs. 3.44-3.45: ``(rho_+^A + rho_+^B) (x) (rho_-^A + rho_-^B) / sum_n rho_n`` with
    ``rho_pm^C = diag(C_{+pm}, C_{-pm})``."""
    r = published_rates()
    rp = sp.diag(r["App"], r["Amp"]) + sp.diag(r["Bpp"], r["Bmp"])
    rm = sp.diag(r["Apm"], r["Amm"]) + sp.diag(r["Bpm"], r["Bmm"])
    P = sp.kronecker_product(rp, rm)
    return P / P.trace()


def published_currents_AB(bath: str) -> sp.Expr:
    """Eqs. 3.50 (A) and 3.51 (B) as printed, in the A/B notation."""
    r = published_rates()
    _, _, wp, wm, *_ = _paper_symbols()
    App, Apm, Amp, Amm = r["App"], r["Apm"], r["Amp"], r["Amm"]
    Bpp, Bpm, Bmp, Bmm = r["Bpp"], r["Bpm"], r["Bmp"], r["Bmm"]
    if bath == "A":
        return ((Bpp * Amp - Bmp * App) / (App + Bpp + Amp + Bmp) * wp
                + (Bpm * Amm - Bmm * Apm) / (Amm + Bmm + Apm + Bpm) * wm)
    return ((App * Bmp - Amp * Bpp) / (App + Bpp + Amp + Bmp) * wp
            + (Apm * Bmm - Amm * Bpm) / (Amm + Bmm + Apm + Bpm) * wm)


def published_channel_current(bath: str, sign: str) -> sp.Expr:
    """Eqs. 3.53-3.54 (A) and 3.56-3.57 (B) as printed."""
    al, be, wp, wm, gA, gB, nA, nB = _paper_symbols()
    w = wp if sign == "+" else wm
    a2, b2 = (al**2, be**2) if sign == "+" else (be**2, al**2)
    F = (al * be) ** 2 * gA(w) * gB(w) * w / (a2 * gA(w) * (1 + 2 * nA(w)) + b2 * gB(w) * (1 + 2 * nB(w)))
    return F * (nA(w) - nB(w)) if bath == "A" else F * (nB(w) - nA(w))


def published_eigenvectors() -> list[sp.Matrix]:
    """Eqs. 3.21-3.24 in the product basis (|++>, |+->, |-+>, |-->), with the paper's
    alpha, beta (3.29-3.31)."""
    p = published_notation()
    al, be = p["alpha"], p["beta"]
    return [sp.Matrix([0, 0, 0, 1]), sp.Matrix([0, -be, al, 0]), sp.Matrix([0, al, be, 0]), sp.Matrix([1, 0, 0, 0])]


def published_energies() -> list[sp.Expr]:
    """Eqs. 3.25-3.28."""
    p = published_notation()
    R = sp.sqrt(p["Delta"] ** 2 + lam**2)
    return [-p["omega_m"], -R, R, p["omega_m"]]


def published_bare_energies() -> list[sp.Expr]:
    """Sec. III.B text: states |-->, |+->, |+->(sic), |++> with energies
    -omega_m, -Delta omega, Delta omega, omega_m -- read literally: E(|+->) = -Delta omega."""
    p = published_notation()
    return [-p["omega_m"], -p["Delta"], p["Delta"], p["omega_m"]]


def published_matrix_elements(which: int) -> sp.Matrix:
    """Eqs. 5.19-5.20: non-vanishing ``(sigma_which^+)_{pq}`` (1-based p, q)."""
    al, be, *_ = _paper_symbols()
    M = sp.zeros(4, 4)
    if which == 1:
        M[2, 0], M[3, 1], M[3, 2], M[1, 0] = al, al, be, -be
    else:
        M[1, 0], M[3, 2], M[2, 0], M[3, 1] = al, al, be, -be
    return M


def published_coherence_decay() -> sp.Expr:
    """Sec. IV.C.1: ``C = -(1/2) sum_{p,q = pm} (A_pq + B_pq)`` = K_{23,23}."""
    r = published_rates()
    return -sp.Rational(1, 2) * sp.Add(*r.values())


def definitions():
    th, al, be = mixing()
    return (th, al, be, frequency("+"), frequency("-"))


def results() -> list[qs.Result]:
    me, ss, spec = master_equation(), steady_state(), spectrum()
    q1, q2 = sites()
    out: list[qs.Result] = []
    R = qs.Result
    p = published_notation()
    th, al, be = mixing()
    # -- bare energies (text of sec. III.B) --------------------------------------------------
    H = model().H.matrix
    bare = [H[3, 3], H[1, 1], H[2, 2], H[0, 0]]  # |-->, |+->, |-+>, |++>
    out.append(R("bare energies", "III.B text", sp.Matrix(bare), me, None, sp.Matrix(published_bare_energies()),
                 note="the text lists |+-> twice; read literally it gives E(|+->) = -Delta omega, but "
                      "H_S|+-> = +Delta omega |+->: the second state must be |-+>"))
    # -- spectrum ----------------------------------------------------------------------------
    for n, (E, Ep) in enumerate(zip(spec.energies, published_energies()), start=1):
        out.append(R(f"E_{n}", f"3.{24 + n}", E, me, qs.Energy(n), Ep, latex_name=f"E_{n}"))
    for n, (lev, vp) in enumerate(zip(spec.levels, published_eigenvectors()), start=1):
        P = lev.vector * lev.vector.T
        Pp = vp * vp.T
        tg = [qs.ProjectorElement(n, a, b) for a in range(4) for b in range(4)]
        out.append(R(f"|{n}><{n}|", f"3.{20 + n}", P, me, tg, Pp, latex_name=rf"|{n}\rangle\langle{n}|",
                     note="compared as projectors, which are independent of the eigenvectors' phases"))
    # |<+-|3>|^2 = alpha^2 and |<-+|3>|^2 = beta^2 give the numeric check of the mixing angle
    out.append(R("alpha^2", "3.29-3.31", al.definition**2, me, qs.ProjectorElement(3, 1, 1), p["alpha"] ** 2,
                 latex_name=r"\alpha^2"))
    out.append(R("beta^2", "3.29-3.31", be.definition**2, me, qs.ProjectorElement(3, 2, 2), p["beta"] ** 2,
                 latex_name=r"\beta^2"))
    out.append(R("omega_+", "3.32", frequency("+").definition, me, qs.TransitionFrequency(4, 2), p["omega_p"],
                 latex_name=r"\omega_+", note="omega_+ = E_42 = E_31"))
    out.append(R("omega_-", "3.33", frequency("-").definition, me, qs.TransitionFrequency(4, 3), p["omega_m_"],
                 latex_name=r"\omega_-", note="omega_- = E_43 = E_21"))
    # -- matrix elements ---------------------------------------------------------------------
    for which, q in ((1, q1), (2, q2)):
        M = spec.in_eigenbasis(q.sp)
        tg = [qs.MatrixElementSquared(q.sp, a + 1, b + 1) for a in range(4) for b in range(4)]
        out.append(R(f"sigma_{which}^+ matrix elements", "5.19-5.20", M, me, tg, published_matrix_elements(which),
                     latex_name=rf"(\sigma_{which}^+)_{{pq}}",
                     note="numeric check on |<p|sigma^+|q>|^2 (phase-free); signs compared with the paper's phase convention"))
    # -- kernel --------------------------------------------------------------------------------
    rates = published_rates()
    named = {"A": [("App", 1, 3), ("Apm", 1, 2), ("Amp", 3, 1), ("Amm", 2, 1)],
             "B": [("Bpp", 1, 3), ("Bpm", 1, 2), ("Bmp", 3, 1), ("Bmm", 2, 1)]}
    labels = {"App": "3.34", "Apm": "3.35", "Amp": "3.36", "Amm": "3.37",
              "Bpp": "3.38", "Bpm": "3.39", "Bmp": "3.40", "Bmm": "3.41"}
    for bath in ("A", "B"):
        K = me.rate_matrix(bath)
        for key, m, n in named[bath]:
            sym = rates[key]
            out.append(R(sym.name, labels[key], K[m - 1, n - 1], me, qs.Rate(bath, m, n), sym.definition,
                         latex_name=sym.name, note=f"the rate {n} -> {m} of bath {bath}"))
        tg = [qs.Rate(bath, a + 1, b + 1) for a in range(4) for b in range(4)]
        out.append(R(f"K^{bath}", "3.42" if bath == "A" else "3.43", K, me, tg, published_kernel(bath),
                     latex_name=f"K^{bath}"))
    # -- populations ---------------------------------------------------------------------------
    pops = published_populations()
    for n in range(1, 5):
        out.append(R(f"rho_{n}", f"3.{45 + n}", ss.population(n), me, qs.Population(n), pops[n - 1],
                     latex_name=rf"\rho_{n}"))
    tg = [qs.Population(a + 1) if a == b else qs.Coherence(a + 1, b + 1) for a in range(4) for b in range(4)]
    out.append(R("rho (product form)", "3.45", product_state_matrix(), me, tg, published_product_form(),
                 latex_name=r"\rho", note=f"solver: {ss.method}"))
    # -- currents ------------------------------------------------------------------------------
    for bath, eq in (("A", "3.50"), ("B", "3.51")):
        q = me.heat_current(bath, ss)
        out.append(R(f"q^{bath} (A,B notation)", eq, q, me, qs.HeatCurrent(bath), published_currents_AB(bath),
                     latex_name=f"q^{bath}"))
    qA_sum = sp.Add(channel_current("A", "+"), channel_current("A", "-"), evaluate=False)
    out.append(R("q^A = q^A_+ + q^A_-", "3.52", qA_sum, me, qs.HeatCurrent("A"),
                 published_channel_current("A", "+") + published_channel_current("A", "-"), latex_name="q^A"))
    qB_sum = sp.Add(channel_current("B", "+"), channel_current("B", "-"), evaluate=False)
    out.append(R("q^B = q^B_+ + q^B_-", "3.55", qB_sum, me, qs.HeatCurrent("B"),
                 published_channel_current("B", "+") + published_channel_current("B", "-"), latex_name="q^B"))
    for bath, sign, eq in (("A", "+", "3.53"), ("A", "-", "3.54"), ("B", "+", "3.56"), ("B", "-", "3.57")):
        out.append(R(f"q^{bath}_{sign}", eq, channel_current(bath, sign), me,
                     qs.ChannelHeatCurrent(bath, frequency(sign)), published_channel_current(bath, sign),
                     latex_name=f"q^{bath}_{sign}"))
    # -- off-diagonal elements (IV.C.1) --------------------------------------------------------
    C = me.kernel_element(2, 3, 2, 3) + sp.I * (spec.energies[1] - spec.energies[2])
    out.append(R("C = K_23,23", "IV.C.1", sp.expand(C), me, qs.KernelElement(2, 3, 2, 3), published_coherence_decay(),
                 latex_name="C", note="dissipative part of K_{23,23} in the secular equation"))
    out.append(R("rho_23 (steady state)", "IV.C.1", ss.rho[1, 2], me, qs.Coherence(2, 3), sp.S.Zero,
                 latex_name=r"\rho_{23}",
                 note="secular equation: rho_23 is decoupled from the populations (K_{11,23} = K_{23,11} = 0) "
                      "and decays at rate -C, so it vanishes in the steady state. The couplings A_p, B_p of "
                      "eqs. 4.26-4.31 exist only without the secular approximation (Bloch-Redfield, issue 3)."))
    # -- thermodynamics beyond the paper's equations ------------------------------------------
    sigma = qs.entropy_production(me, ss)
    out.append(R("sigma", "sec. IV (second law)", sigma, me, qs.EntropyProduction(), None, latex_name=r"\sigma",
                 note="sigma = -q^A/T_A - q^B/T_B = q^A (1/T_B - 1/T_A) >= 0 since F >= 0 and n_A - n_B has the sign of T_A - T_B"))
    loc = local_master_equation()
    q_loc = loc.heat_current("A", loc.steady_state())
    F, diff = qs.flux_form(q_loc)
    out.append(R("q^A (local ME)", "IV.C.2", sp.Mul(F, diff, evaluate=False), loc, qs.HeatCurrent("A"), None,
                 latex_name=r"q^A_{\mathrm{local}}",
                 note="local Lindblad equation (rates at the bare frequencies): the current is proportional to "
                      "n_A(omega_1) - n_B(omega_2), so it can flow from cold to hot when omega_1 != omega_2 "
                      "(the inconsistency discussed in sec. IV.C.2 for oscillators)"))
    return out
