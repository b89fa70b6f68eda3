"""What a closed form is compared with: quantities read off the independent numeric solver.

Each target turns one :class:`qsym.numeric.solver.NumericResult` (computed from numeric
matrices only) into a number.  Symbolic level labels are matched to numeric eigenstates by
energy, using nothing of the symbolic derivation but the level's energy expression.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..algebra.symbols import expand_definitions

__all__ = ["Target", "HeatCurrent", "ChannelHeatCurrent", "Population", "Rate", "Energy", "Coherence",
           "MatrixElementSquared", "EntropyProduction", "ProjectorElement", "KernelElement", "TransitionFrequency", "level_index",
           "Vanishing", "vanishing_aware"]


def numeric_value(expr, values) -> complex:
    """``expr`` (defined symbols expanded) at the numeric ``values``, as a complex number."""
    e = expand_definitions(sp.sympify(expr))
    return complex(sp.sympify(e.xreplace({s: values[s] for s in e.free_symbols})).evalf())


def _value(expr, values) -> float:
    return numeric_value(expr, values).real


def level_index(me, n: int, res, values) -> int:
    """Index of the numeric eigenstate that corresponds to symbolic level ``n`` (1-based)."""
    E = _value(me.energies[n - 1], values)
    dist = np.abs(res.energies - E)
    i = int(np.argmin(dist))
    scale = max(1.0, float(np.max(np.abs(res.energies))))
    if dist[i] > 1e-8 * scale:
        raise AssertionError(f"symbolic level {n} (E = {E}) has no numeric eigenvalue (nearest {res.energies[i]})")
    others = np.sort(dist)[1] if len(dist) > 1 else np.inf
    if others < 1e-8 * scale:
        raise ValueError(f"symbolic level {n} is degenerate at this sample; compare invariants instead")
    return i


class Target:
    kind = "absolute-or-relative"
    zero_expected = False

    def prepare(self, derived):
        """The closed form as compared with :meth:`numeric` (identity by default)."""
        return derived

    def numeric(self, me, res, values) -> float:  # pragma: no cover - interface
        raise NotImplementedError

    def describe(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class HeatCurrent(Target):
    bath: str

    def numeric(self, me, res, values):
        return res.heat_currents[self.bath]

    def describe(self):
        return f"heat current q^{self.bath}"


@dataclass(frozen=True)
class ChannelHeatCurrent(Target):
    """Part of ``q^X`` carried by transitions of frequency ``frequency`` (a named symbol)."""

    bath: str
    frequency: sp.Expr

    def numeric(self, me, res, values):
        w = _value(self.frequency, values)
        K = res.rate_matrices[self.bath]
        E = res.energies
        p = res.populations
        q = 0.0
        for n in range(len(E)):
            for m in range(len(E)):
                if n != m and abs(abs(E[n] - E[m]) - w) < 1e-9 * max(1.0, abs(w)):
                    q += (E[n] - E[m]) * K[n, m] * p[m]
        return q

    def describe(self):
        return f"q^{self.bath} at {self.frequency}"


@dataclass(frozen=True)
class Population(Target):
    level: int

    def numeric(self, me, res, values):
        return res.populations[level_index(me, self.level, res, values)]

    def describe(self):
        return f"population rho_{self.level}"


@dataclass(frozen=True)
class Rate(Target):
    """Pauli kernel element ``K^X_{mn}`` (rate n -> m for m != n)."""

    bath: str
    m: int
    n: int

    def numeric(self, me, res, values):
        i = level_index(me, self.m, res, values)
        j = level_index(me, self.n, res, values)
        return res.rate_matrices[self.bath][i, j]

    def describe(self):
        return f"K^{self.bath}_{self.m}{self.n}"


@dataclass(frozen=True)
class Energy(Target):
    """The ``rank``-th smallest symbolic energy vs the ``rank``-th numeric eigenvalue."""

    level: int

    def numeric(self, me, res, values):
        Es = [_value(E, values) for E in me.energies]
        rank = sorted(range(len(Es)), key=lambda k: Es[k]).index(self.level - 1)
        return float(np.sort(res.energies)[rank])

    def describe(self):
        return f"energy E_{self.level}"


@dataclass(frozen=True)
class Coherence(Target):
    """``|<i|rho_ss|j>|`` in the eigenbasis (expected 0 for the secular steady state)."""

    i: int
    j: int
    zero_expected = True

    def numeric(self, me, res, values):
        a = level_index(me, self.i, res, values)
        b = level_index(me, self.j, res, values)
        return abs(res.coherence(a, b))

    def describe(self):
        return f"|rho_{self.i}{self.j}|"


@dataclass(frozen=True)
class MatrixElementSquared(Target):
    """``|<m|A|n>|^2`` with numeric eigenvectors (phase-independent)."""

    operator: object
    m: int
    n: int

    def prepare(self, derived):
        return sp.expand(derived * sp.conjugate(derived))

    def numeric(self, me, res, values):
        A = np.array(sp.lambdify(sorted(self.operator.free_symbols(), key=str), self.operator.matrix, "numpy")(
            *[values[s] for s in sorted(self.operator.free_symbols(), key=str)]), dtype=complex) \
            if self.operator.free_symbols() else np.array(self.operator.matrix.tolist(), dtype=complex)
        i = level_index(me, self.m, res, values)
        j = level_index(me, self.n, res, values)
        V = res.eigenvectors
        return abs(V[:, i].conj() @ A @ V[:, j]) ** 2

    def describe(self):
        return f"|<{self.m}|A|{self.n}>|^2"


@dataclass(frozen=True)
class EntropyProduction(Target):
    def numeric(self, me, res, values):
        return res.entropy_production

    def describe(self):
        return "entropy production"


@dataclass(frozen=True)
class ProjectorElement(Target):
    """``<a|n><n|b>`` (product basis, 0-based a, b) for eigenstate ``n`` -- phase-free."""

    level: int
    a: int
    b: int

    def numeric(self, me, res, values):
        i = level_index(me, self.level, res, values)
        v = res.eigenvectors[:, i]
        return float(np.real(v[self.a] * np.conj(v[self.b])))

    def describe(self):
        return f"|{self.level}><{self.level}| element ({self.a},{self.b})"


@dataclass(frozen=True)
class KernelElement(Target):
    """Dissipative kernel element ``Re K_{pp',qq'}`` in the eigenbasis (Fogedby eq. 2.2),
    read off the numeric Liouvillian."""

    p: int
    pp: int
    q: int
    qq: int

    def numeric(self, me, res, values):
        levels = (self.p, self.pp, self.q, self.qq)
        if sorted((self.p, self.qq)) == sorted((self.pp, self.q)):
            # V_p^* V_p' V_q V_q'^* carries no net phase: any numeric eigenvectors will do
            idx = [level_index(me, k, res, values) for k in levels]
            V = res.eigenvectors
        else:
            # phase-dependent: read it in the symbolic derivation's phase convention (the
            # numeric eigenvectors, each multiplied by a phase; their overlap is checked)
            from .redfield import gauged_eigenbasis
            V, _ = gauged_eigenbasis(me, res, values)
            idx = [k - 1 for k in levels]
        d = V.shape[0]
        X = np.outer(V[:, idx[2]], V[:, idx[3]].conj())
        out = np.zeros((d, d), complex)
        for D in res.dissipators.values():
            out += D(X)
        return float(np.real(V[:, idx[0]].conj() @ out @ V[:, idx[1]]))

    def describe(self):
        return f"K_{self.p}{self.pp},{self.q}{self.qq}"


@dataclass(frozen=True)
class TransitionFrequency(Target):
    """``E_m - E_n`` from the numeric eigenvalues (levels matched by energy rank)."""

    m: int
    n: int

    def numeric(self, me, res, values):
        return Energy(self.m).numeric(me, res, values) - Energy(self.n).numeric(me, res, values)

    def describe(self):
        return f"E_{self.m} - E_{self.n}"


@dataclass(frozen=True)
class Vanishing(Target):
    """``target`` where the derivation gives exactly zero: compared in absolute error (a
    relative error of 0 against numeric round-off ~1e-17 would be 1)."""

    target: Target
    zero_expected = True

    def numeric(self, me, res, values):
        return self.target.numeric(me, res, values)

    def describe(self):
        return f"{self.target.describe()} (= 0)"


def vanishing_aware(derived, targets):
    """``targets`` with each one whose derived element is identically zero wrapped in
    :class:`Vanishing` (``derived``: an Expr or Matrix aligned with ``targets``)."""
    els = list(derived) if isinstance(derived, sp.MatrixBase) else [derived]
    tg = list(targets) if isinstance(targets, (list, tuple)) else [targets]
    out = [Vanishing(t) if (t is not None and sp.sympify(e) == 0) else t for e, t in zip(els, tg)]
    return out if isinstance(targets, (list, tuple)) else out[0]
