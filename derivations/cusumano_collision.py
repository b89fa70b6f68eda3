"""Cusumano & De Chiara, "Structured quantum collision models: generating coherence with
thermal resources": the two examples of sec. III and the thermodynamics of sec. IV, derived
with qsym's collision-model engine (:mod:`qsym.dynamics.collision`).

Model.  System qubit ``H_S = omega_S/2 sigma_S^z`` (eq. 39); each ancilla is two interacting
qubits ``H_E = omega_1/2 sigma_1^z + omega_2/2 sigma_2^z + kappa_12 (sigma_1^+ sigma_2^- + h.c.)``
(eq. 28) in the thermal state ``eta = e^{-beta H_E}/Z`` of the *full* ``H_E`` (eq. 41), which
has coherence in the bare basis.  Example 1 couples the system to each ancilla qubit,
``H_SE = alpha_1 (sigma_S^+ sigma_1^- + h.c.) + alpha_2 (sigma_S^+ sigma_2^- + h.c.)`` (eq. 40);
example 2 to the ancilla's one-excitation transition,
``H_SE = alpha sigma_S^+ sigma_E^- + alpha^* sigma_S^- sigma_E^+``, ``sigma_E^+ = |E_3><E_2|``
(eqs. 52-53).  Collision time ``dt``.

Derivation.  The engine expands ``Tr_E[U (rho (x) eta) U^dag]`` to ``O(dt^2)``: correlations
``<B>``, ``<B B'>``, ``<H_E B>`` in closed form from the ancilla's mixing-angle spectrum
(``c = cos(vartheta/2)``, ``s = sin(vartheta/2)``), the discrete master equation, its fixed point
(Cramer's rule on the 4x4 system), and ``Delta U``, ``dQ``, ``W_sw`` of one collision.  The
numeric side (:mod:`qsym.numeric.collision`) uses numeric matrices, ``eigh`` for ``eta`` and
``expm`` for the exact map.

Reading of the basis labels.  App. A (eq. A1) labels the bare states
``|E_1> = |dn dn>, |E_2> = |dn up>, |E_3> = |up dn>, |E_4> = |up up>`` (qubit 1 first); with these
labels the appendix's ``V`` (A8) and every correlation A10-A18, B1-B6 are right, but the
eigenvectors of eqs. 36-37 / A2-A5 are eigenvectors only with ``|E_2>`` and ``|E_3>``
exchanged.  Both readings are derived (``reading="A1"``, the literal one, adopted for the
records without a suffix; ``reading="swapped"``, ``|E_2> = |up dn>``, ``|E_3> = |dn up>``); the
records show which published equations hold under which.  The paper's figures are discussed in
:mod:`derivations.cusumano_figures`.

Parameters: ``kappa_12 < sqrt(omega_1 omega_2)`` keeps the paper's ordering
``E'_1 < E'_2 < E'_3 < E'_4`` (eqs. 31-34).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

import qsym as qs
from qsym.dynamics.collision import collision_model

from . import cusumano_published as pub

NAME = "cusumano-collision"
TITLE = "Cusumano & De Chiara: structured collision models (examples 1, 2 and their thermodynamics)"
SEED = "004_5ffc5efe42331fb3.txt"

wS, w1, w2, kappa, beta, dt = pub.wS, pub.w1, pub.w2, pub.kappa, pub.beta, pub.dt
alpha, alpha1, alpha2 = pub.alpha, pub.alpha1, pub.alpha2
bx, by, bz = sp.symbols("b_x b_y b_z", real=True)  # Bloch vector of the system state
READINGS = ("A1", "swapped")
ASSUMPTIONS = (kappa < sp.sqrt(w1 * w2),)
DOMAIN = {dt: (0.02, 0.3), bx: (-0.55, 0.55), by: (-0.55, 0.55), bz: (-0.55, 0.55)}


def sites():
    """System qubit ``S`` and ancilla qubits ``1``, ``2`` (qsym basis ``(|up>, |dn>)`` per qubit)."""
    return qs.qubits(3, names=["S", "1", "2"])


def bare_transition(reading: str = "A1"):
    """``(sigma_E^-, sigma_E^+) = (|E_2><E_3|, |E_3><E_2|)`` (eq. 53) under a labelling."""
    if reading not in READINGS:
        raise ValueError(f"argument `reading` must be one of {READINGS}, got {reading!r}")
    _, q1, q2 = sites()
    # A1: |E_2> = |dn up> (qubit 1 down), |E_3> = |up dn>: |E_2><E_3| = sigma_1^- sigma_2^+
    lower = q1.sm * q2.sp if reading == "A1" else q1.sp * q2.sm
    return lower, lower.dag()


def ancilla_hamiltonian():
    """Eq. 28."""
    _, q1, q2 = sites()
    return w1 / 2 * q1.sz + w2 / 2 * q2.sz + kappa * (q1.sp * q2.sm + q1.sm * q2.sp)


@lru_cache(maxsize=None)
def example1_model():
    """Eqs. 28, 39, 40, 41 (the couplings to each ancilla qubit; no labelling enters)."""
    S, q1, q2 = sites()
    pairs = [(alpha1 * S.sp, q1.sm, r"\sigma_1^-"), (alpha1 * S.sm, q1.sp, r"\sigma_1^+"),
             (alpha2 * S.sp, q2.sm, r"\sigma_2^-"), (alpha2 * S.sm, q2.sp, r"\sigma_2^+")]
    return collision_model(wS / 2 * S.sz, ancilla_hamiltonian(), pairs, system="S", dt=dt, beta=beta,
                           assumptions=ASSUMPTIONS, domain=DOMAIN, name="Cusumano example 1")


@lru_cache(maxsize=None)
def example2_model(reading: str = "A1"):
    """Eqs. 28, 39, 41, 52, 53 under a labelling of the bare states (``alpha`` real, as in the
    paper's figures)."""
    S, _, _ = sites()
    lower, upper = bare_transition(reading)
    pairs = [(alpha * S.sp, lower, r"\sigma_E^-"), (alpha * S.sm, upper, r"\sigma_E^+")]
    return collision_model(wS / 2 * S.sz, ancilla_hamiltonian(), pairs, system="S", dt=dt, beta=beta,
                           assumptions=ASSUMPTIONS, domain=DOMAIN, name=f"Cusumano example 2 [{reading}]")


def bloch_state(x=bx, y=by, z=bz) -> sp.Matrix:
    """``rho = (1 + x sigma_x + y sigma_y + z sigma_z)/2`` in the basis ``(|up>, |dn>)``."""
    return sp.Matrix([[(1 + z) / 2, (x - sp.I * y) / 2], [(x + sp.I * y) / 2, (1 - z) / 2]])
