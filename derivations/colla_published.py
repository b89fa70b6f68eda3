r"""Transcriptions (only) of what Colla's talk "Local energy assignment for two interacting
quantum thermal reservoirs" (ICE-10, 2025; seed ``000_a36ecc07ad4fb577.txt``; paper
arXiv:2510.06929) prints.  Nothing here is derived; this module defines no ``NAME``, so the
registry does not pick it up.

The slides give the model, the definitions and a few closed forms:

* slide "Interacting heat baths": ``H = sum_ij h^(1)_ij a_i^dag a_j + sum_kl h^(2)_kl b_k^dag b_l
  + sum_ik g_ik (a_i^dag b_k + b_k^dag a_i)``;
* slide "Parameters and regimes": "leading subsystem eigenvalues ``nu_1 = omega_1 + (N_1 - 1) g``",
  "effective detuning ``Delta = nu_1 - nu_2``", "effective coupling strength
  ``Gamma = 2 sqrt(N_1 N_2) gamma``", dispersive regime ``Delta >> Gamma``, ultrastrong ``Delta << Gamma``;
* slide "Weak-coupling quantum thermodynamics": ``dQ_S(t) = int_0^t Tr{H_S drho_S}``;
* slide "Two popular sets of definitions": ``dQ~_S + dQ~_I + dQ~_E = 0``; the interaction and
  bare approaches (implemented in :class:`qsym.dynamics.gaussian.EnergyAssignment`, their
  definitions being the model of the energetics, not results);
* slide "Minimal dissipation thermodynamics": ``dW^md_S(t) = int Tr{dK_S rho_S} != 0`` even if
  ``H_S(t) = H_S``;
* slide "Recap & outlook": the statements in :data:`RECAP`.

The figures (energies vs time, dispersive limit, work peaks) carry no formulas.
"""
from __future__ import annotations

import sympy as sp

w1, w2, g, gamma = sp.symbols("omega_1 omega_2 g gamma", positive=True)
N1, N2 = sp.symbols("N_1 N_2", integer=True, positive=True)


def published_nu(k: int):
    """Slide "Parameters and regimes": ``nu_1 = omega_1 + (N_1 - 1) g`` (``nu_2`` likewise)."""
    w, N = (w1, N1) if k == 1 else (w2, N2)
    return w + (N - 1) * g


def published_detuning():
    """``Delta = nu_1 - nu_2``."""
    return published_nu(1) - published_nu(2)


def published_effective_coupling():
    """``Gamma = 2 sqrt(N_1 N_2) gamma``."""
    return 2 * sp.sqrt(N1 * N2) * gamma


RECAP = (
    "Two principal set of definitions for first law quantities are incompatible",
    "Non-negligible role of interaction energy also in the dispersive limit",
    "Only minimal dissipation heat compatible with the weak-coupling limit",
    "Unbounded work peaks predicted in the minimal dissipation definitions",
)
