"""Fogedby, "Heat currents in qubit systems" (arXiv:2301.13544), sec. III.A and App. V.B:
a single qubit driven by two heat reservoirs.

Model (eqs. 3.1-3.7): ``H_S = omega_0/2 sigma^z``, RWA couplings ``sigma^+ A + sigma^- A^dag``
and ``sigma^+ B + sigma^- B^dag`` to bosonic baths with spectral functions ``g_{A,B}(omega)``
(left unspecified) and temperatures ``T_{A,B}``.

Derivation: qsym's global Born-Markov secular master equation of this model gives the
Pauli kernel (3.8-3.11); its stationary distribution with the trace condition gives the
populations (3.12-3.13); ``q^X = Tr[H_S D_X(rho)]`` gives the currents (3.14-3.15).  The
paper's expressions are transcribed in the ``published_*`` functions for comparison only.

Level labels: qsym orders levels by excitation number, so level 1 = ``|->`` and level 2 =
``|+>``; the paper's ``rho_+`` is qsym's ``rho_2``.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

import qsym as qs

NAME = "fogedby-single-qubit"
TITLE = "Fogedby (2023), sec. III.A: a single qubit between two heat reservoirs"
SEED = "003_15d3d9435f02ddbf.txt"

w0, TA, TB = qs.symbols("omega_0 T_A T_B", positive=True)
PLUS, MINUS = 2, 1  # qsym level labels of |+> and |->


@lru_cache(maxsize=None)
def model() -> qs.OpenSystem:
    """Eqs. 3.1-3.3: ``H_S = omega_0 sigma^z / 2`` with RWA couplings to baths A and B."""
    (q,) = qs.qubits(1)
    H = w0 / 2 * q.sz
    A = qs.BosonicBath("A", temperature=TA)
    B = qs.BosonicBath("B", temperature=TB)
    return qs.OpenSystem(H, couplings=(qs.Coupling(q.sm, A), qs.Coupling(q.sm, B)), name="single qubit")


@lru_cache(maxsize=None)
def master_equation() -> qs.MasterEquation:
    """Eq. 2.2 with the kernel of eq. 5.3: global secular Born-Markov equation."""
    return qs.global_master_equation(model())


@lru_cache(maxsize=None)
def steady_state() -> qs.SteadyState:
    """Eqs. 2.3-2.4: stationary populations with the trace condition."""
    return master_equation().steady_state()


def kernel(bath: str) -> sp.Matrix:
    """Eqs. 3.8-3.11: ``K^X`` in the paper's order ``(+, -)``."""
    K = master_equation().rate_matrix(bath)
    order = [PLUS - 1, MINUS - 1]
    return K.extract(order, order)


def heat_current(bath: str) -> sp.Expr:
    """Eqs. 3.14-3.15, written as ``F [n_X - n_Y]`` with ``F >= 0`` (sec. IV)."""
    q = master_equation().heat_current(bath, steady_state())
    F, diff = qs.flux_form(q)
    return sp.Mul(F, diff, evaluate=False)


# ---- transcriptions of the paper (for comparison only) --------------------------------
gA, gB = sp.Function("g_A", positive=True)(w0), sp.Function("g_B", positive=True)(w0)
nA, nB = qs.bose_occupation("A", TA)(w0), qs.bose_occupation("B", TB)(w0)


def published_kernel(bath: str) -> sp.Matrix:
    """Eqs. 3.8-3.11 as printed, rows/columns (+, -)."""
    g, n = (gA, nA) if bath == "A" else (gB, nB)
    return sp.Matrix([[-g * (1 + n), g * n], [g * (1 + n), -g * n]])


def published_populations() -> tuple[sp.Expr, sp.Expr]:
    """Eqs. 3.12-3.13 as printed: ``(rho_+, rho_-)``."""
    den = gA * (1 + 2 * nA) + gB * (1 + 2 * nB)
    return (gA * nA + gB * nB) / den, (gA * (1 + nA) + gB * (1 + nB)) / den


def published_currents() -> tuple[sp.Expr, sp.Expr]:
    """Eqs. 3.14-3.15 as printed: ``(q^A, q^B)``."""
    F = gA * gB * w0 / (gA * (1 + 2 * nA) + gB * (1 + 2 * nB))
    return F * (nA - nB), F * (nB - nA)


def definitions():
    return ()


def results() -> list[qs.Result]:
    me, ss = master_equation(), steady_state()
    out = []
    idx = {0: PLUS, 1: MINUS}
    for bath in ("A", "B"):
        K, Kp = kernel(bath), published_kernel(bath)
        labels = {(0, 0): "3.8", (1, 0): "3.9", (0, 1): "3.10", (1, 1): "3.11"}
        for (i, j), eq in labels.items():
            s = lambda k: "+" if k == 0 else "-"
            out.append(qs.Result(
                f"K^{bath}_{s(i)}{s(j)}", eq, K[i, j], me, qs.Rate(bath, idx[i], idx[j]), Kp[i, j],
                latex_name=rf"K^{{{bath}}}_{{{s(i)},{s(j)}}}"))
    rp, rm = published_populations()
    out.append(qs.Result("rho_+", "3.12", ss.population(PLUS), me, qs.Population(PLUS), rp, latex_name=r"\rho_+"))
    out.append(qs.Result("rho_-", "3.13", ss.population(MINUS), me, qs.Population(MINUS), rm, latex_name=r"\rho_-"))
    qa, qb = published_currents()
    out.append(qs.Result("q^A", "3.14", heat_current("A"), me, qs.HeatCurrent("A"), qa, latex_name="q^A"))
    out.append(qs.Result("q^B", "3.15", heat_current("B"), me, qs.HeatCurrent("B"), qb, latex_name="q^B"))
    out.append(qs.Result("sigma", "sec. IV (second law)", qs.entropy_production(me, ss), me, qs.EntropyProduction(),
                         None, latex_name=r"\sigma", note="entropy production -q^A/T_A - q^B/T_B"))
    return out
