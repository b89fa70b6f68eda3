r"""Transcriptions (only) of what Razzoli's talk "Quantum thermal machines with dynamical
couplings" (ICE-10, 2025; seed ``002_987ee4ab359acf89.txt``; Carrega et al., AVS Quantum Sci. 6,
025001 (2024); Razzoli et al., Quantum Sci. Technol. 9, 045032 (2024)) states about the
bath-induced synchronization of two oscillators.  Nothing is derived here; this module defines no
``NAME``.

* Working medium: two uncoupled oscillators ``H_l = p_l^2/(2m) + m w_l^2 x_l^2/2``, ``l = A, B``,
  ``w_A != w_B``.
* Reservoir 2: Ohmic, ``J_2(w) = m gamma_2 w``, static coupling, common to both oscillators,
  bilinear in positions with the counterterm, which "(i) avoids renormalizations of the
  characteristic frequencies of the QHOs; (ii) cancels the direct coupling among them".
* Slide "Synchronization": Pearson coefficient ``C = <dx_A dx_B>/sqrt(<dx_A^2><dx_B^2>)``;
  "at low temperature and strong coupling: emergence of a weakly-damped mode with the two QHOs
  oscillating at frequency ``wbar = sqrt((w_A^2 + w_B^2)/2)`` in antiphase"; "C -> 0: no
  synchronization"; "C -> -1: anti-synchronization" (at low temperature and strong coupling);
  "two otherwise independent QHOs synchronize through coupling to the common bath nu = 2".
* Configurations: joint (both oscillators coupled to common baths) and independent (each with its
  own baths: "no correlations").
"""
from __future__ import annotations

import sympy as sp

wA, wB = sp.symbols("omega_A omega_B", positive=True)


def published_antiphase_frequency():
    """``wbar = sqrt((w_A^2 + w_B^2)/2)``."""
    return sp.sqrt((wA**2 + wB**2) / 2)


PUBLISHED_C_LOW_T_STRONG = -1   # "C -> -1: anti-synchronization"
PUBLISHED_C_NO_SYNC = 0         # "C -> 0: no synchronization" (independent configuration: "no correlations")
