"""Numeric single-particle evolution of particle-conserving quadratic bosons.

Independent of the symbolic path of :mod:`qsym.dynamics.gaussian`: the *full* single-particle
matrix is built from numeric parameters (for a :class:`UniformBlocks` structure: all
``sum_X N_X`` modes, no collective reduction), diagonalised with ``eigh``; ``C(t)`` follows
from ``U = V e^{-iEt} V^dag`` as ``U^* C(0) U^T``; the minimal-dissipation Hamiltonian from
``G = U_SS``, ``dG/dt = (-i h U)_SS`` and a linear solve; heats and works by adaptive
quadrature (``scipy.integrate.quad``) of their integrands.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from scipy import integrate, linalg

from ..algebra.symbols import expand_definitions
from .targets import Target, numeric_value

__all__ = ["GaussianSolver", "GaussianResult", "bose_matrix", "EnergyChange", "CollectiveCorrelation",
           "EnergyConservation", "FirstLawResidualMD", "CollectiveDetuning", "PropagatorNorm",
           "Eigenvalue", "LargestEigenvalue", "EffectiveCoupling", "AssignmentQuantity", "MDHamiltonian",
           "MDQuantity", "energy_trajectories"]


def bose_matrix(h: np.ndarray, T: float) -> np.ndarray:
    """``C = (e^{h^T/T} - 1)^{-1}`` (Gibbs correlation matrix, ``C_ij = <a_i^dag a_j>``)."""
    if T <= 0:
        raise ValueError(f"Argument `T` must be > 0, got {T}")
    w, V = np.linalg.eigh(h.T)
    if w.min() <= 0:
        raise ValueError(f"the Gibbs state needs a positive single-particle matrix; lowest eigenvalue {w.min():.3g}")
    return (V * (1.0 / np.expm1(w / T))) @ V.conj().T


class GaussianSolver:
    """Numeric counterpart of a :class:`qsym.dynamics.gaussian.QuadraticSystem`."""

    def __init__(self, system):
        self.system = system

    def full_matrix(self, values: dict):
        s = self.system
        if s.structure is not None:
            return s.structure.full_matrix(values)
        if any(m != 1 for m in s.multiplicity):
            raise ValueError("an explicit h with mode multiplicities needs its structure to be rebuilt numerically")
        H = expand_definitions(sp.Matrix(s.h))
        v = {k: values[k] for k in H.free_symbols}
        h = np.array(H.xreplace(v).evalf(), dtype=complex)
        if np.allclose(h.imag, 0):
            h = h.real
        return h, {X: list(idx) for X, idx in s.subsystems}

    def solve(self, values: dict, spectral=None) -> "GaussianResult":
        s = self.system
        h, part = self.full_matrix(values)
        if s.initial is not None:
            C0 = expand_definitions(sp.Matrix(s.initial))
            C0 = np.array(C0.xreplace({k: values[k] for k in C0.free_symbols}).evalf(), dtype=complex)
            return GaussianResult(h, part, {}, initial=C0)
        temps = {X: numeric_value(T, values).real for X, T in s.temperatures}
        return GaussianResult(h, part, temps)


@dataclass
class GaussianResult:
    """Numeric evolution of one parameter point.  ``C_ij = <a_i^dag a_j>``, ``U = e^{-iht}``."""

    h: np.ndarray
    partition: dict
    temperatures: dict
    _eig: tuple = field(default=None, repr=False)
    _md_cache: dict = field(default_factory=dict, repr=False)
    initial: np.ndarray | None = None

    def __post_init__(self):
        E, V = np.linalg.eigh(self.h)
        self._eig = (E, V)
        if self.initial is not None:
            self.C0 = np.asarray(self.initial, complex)
            return
        self.C0 = np.zeros_like(self.h, dtype=complex)
        for X, idx in self.partition.items():
            self.C0[np.ix_(idx, idx)] = bose_matrix(self.h[np.ix_(idx, idx)], self.temperatures[X])

    @property
    def eigenvalues(self) -> np.ndarray:
        return self._eig[0]

    def propagator(self, t: float) -> np.ndarray:
        E, V = self._eig
        return (V * np.exp(-1j * E * t)) @ V.conj().T

    def correlations(self, t: float) -> np.ndarray:
        U = self.propagator(t)
        return U.conj() @ self.C0 @ U.T

    def correlations_derivative(self, C: np.ndarray) -> np.ndarray:
        """``dC/dt = i [h^T, C]``."""
        hT = self.h.T
        return 1j * (hT @ C - C @ hT)

    # -- energies --------------------------------------------------------------------------------------
    def _block(self, M, X, Y=None):
        return M[np.ix_(self.partition[X], self.partition[Y or X])]

    def energy(self, X: str, t: float, C=None) -> float:
        C = self.correlations(t) if C is None else C
        return float(np.real(np.sum(self._block(self.h, X) * self._block(C, X))))

    def interaction_energy(self, t: float, C=None) -> float:
        C = self.correlations(t) if C is None else C
        return float(np.real(np.sum(self._interaction_matrix() * C)))

    def _interaction_matrix(self) -> np.ndarray:
        M = self.h.copy()
        for idx in self.partition.values():
            M[np.ix_(idx, idx)] = 0
        return M

    def _energy_matrix(self, X: str) -> np.ndarray:
        if X == "I":
            return self._interaction_matrix()
        if X == "total":
            return self.h
        M = np.zeros_like(self.h)
        idx = self.partition[X]
        M[np.ix_(idx, idx)] = self.h[np.ix_(idx, idx)]
        return M

    def correlation_change(self, t: float) -> np.ndarray:
        """``C(t) - C(0)`` without cancellation: in the eigenbasis of ``h``,
        ``C~_mn(t) - C~_mn(0) = expm1(i (E_m - E_n) t) C~0_mn`` (``C = V^* C~ V^T``)."""
        E, V = self._eig
        Ct0 = V.T @ self.C0 @ V.conj()
        return V.conj() @ (np.expm1(1j * np.subtract.outer(E, E) * t) * Ct0) @ V.T

    def energy_change(self, X: str, t: float) -> float:
        """``Delta U~_X(t) = sum_ij (h_X)_ij (C(t) - C(0))_ij``; ``X = "I"`` for the interaction
        energy, ``"total"`` for ``<H>``.  In the eigenbasis of ``h`` this is
        ``sum_mn F_mn expm1(i (E_m - E_n) t)`` with ``F = (V^dag h_X V) o C~0`` computed once per ``X``:
        ``O(N^2)`` per time, and a small change of a large energy keeps its relative precision."""
        key = ("F", X)
        if key not in self._md_cache:
            E, V = self._eig
            Ct0 = V.T @ self.C0 @ V.conj()
            self._md_cache[key] = (V.conj().T @ self._energy_matrix(X) @ V) * Ct0
        E = self._eig[0]
        return float(np.real(np.sum(self._md_cache[key] * np.expm1(1j * np.subtract.outer(E, E) * t))))

    # -- collective quantities -----------------------------------------------------------------------
    def symmetric_vector(self, X: str) -> np.ndarray:
        v = np.zeros(len(self.h))
        idx = self.partition[X]
        v[idx] = 1 / np.sqrt(len(idx))
        return v

    # -- minimal dissipation ---------------------------------------------------------------------------
    def md_hamiltonian(self, X: str, t: float) -> np.ndarray:
        """``K = i (X - X^dag)/2``, ``X = dG/dt G^{-1}``, ``G = U_SS``, ``dG/dt = (-i h U)_SS``."""
        return self.h[np.ix_(self.partition[X], self.partition[X])] + self.md_hamiltonian_shift(X, t)

    def md_hamiltonian_shift(self, X: str, t: float) -> np.ndarray:
        """``K(t) - h_SS``: with ``(hU)_SS = h_SS G + h_SE U_ES``, ``X = -i h_SS + Y``,
        ``Y = -i h_SE U_ES G^{-1}``, so ``K - h_SS = i (Y - Y^dag)/2`` (no cancellation)."""
        U = self.propagator(t)
        idx = self.partition[X]
        rest = [i for i in range(len(self.h)) if i not in set(idx)]
        G = U[np.ix_(idx, idx)]
        if np.linalg.svd(G, compute_uv=False).min() < 1e-12:  # G is a block of a unitary: ||G|| <= 1
            raise np.linalg.LinAlgError(f"G(t) = U_SS(t) is singular at t = {t}: the minimal-dissipation "
                                        f"Hamiltonian does not exist there")
        B = -1j * self.h[np.ix_(idx, rest)] @ U[np.ix_(rest, idx)]
        Y = linalg.solve(G.T, B.T).T
        return 1j * (Y - Y.conj().T) / 2

    def md_energy(self, X: str, t: float) -> float:
        K = self.md_hamiltonian(X, t)
        C = self._block(self.correlations(t), X)
        return float(np.real(np.sum(K * C)))

    def md_energy_change(self, X: str, t: float) -> float:
        """``U^md(t) - U^md(0) = sum (K(t) - h_SS) C(t) + sum h_SS (C(t) - C(0))`` (``K(0) = h_SS``)."""
        dK = self.md_hamiltonian_shift(X, t)
        C = self._block(self.correlations(t), X)
        dC = self._block(self.correlation_change(t), X)
        hS = self._block(self.h, X)
        return float(np.real(np.sum(dK * C) + np.sum(hS * dC)))

    def md_power(self, X: str, t: float) -> float:
        """``Tr[dK_S/dt rho_S]`` with ``dK/dt = i (dY/dt - dY/dt^dag)/2`` (no finite differences):
        ``Y = -i h_SE U_ES G^{-1}``, ``dY/dt = -h_SE [h_ES G + h_EE U_ES - U_ES G^{-1} (h_SS G + h_SE U_ES)] G^{-1}``."""
        U = self.propagator(t)
        idx = self.partition[X]
        rest = [i for i in range(len(self.h)) if i not in set(idx)]
        S, E = np.ix_(idx, idx), np.ix_(rest, idx)
        G, UES = U[S], U[E]
        hSE, hES, hEE, hSS = (self.h[np.ix_(idx, rest)], self.h[np.ix_(rest, idx)], self.h[np.ix_(rest, rest)],
                              self.h[S])
        Gi = np.linalg.inv(G)
        inner = hES @ G + hEE @ UES - UES @ Gi @ (hSS @ G + hSE @ UES)
        Yd = -hSE @ inner @ Gi
        Kd = 1j * (Yd - Yd.conj().T) / 2
        C = self._block(self.correlations(t), X)
        return float(np.real(np.sum(Kd * C)))

    def md_heat(self, X: str, t: float, epsrel: float = 1e-12, with_error: bool = False):
        """``dQ^md = int_0^t Tr[K_S drho_S/dtau] dtau`` by adaptive quadrature (``with_error``: also
        the quadrature's error estimate)."""
        idx = self.partition[X]

        def f(tau):
            K = self.md_hamiltonian(X, tau)
            Cd = self.correlations_derivative(self.correlations(tau))[np.ix_(idx, idx)]
            return float(np.real(np.sum(K * Cd)))
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", integrate.IntegrationWarning)
            val, err = integrate.quad(f, 0.0, t, epsabs=1e-14, epsrel=epsrel, limit=2000)
        if caught and err > 1e-10 * max(abs(val), 1e-300):
            warnings.warn(f"md heat of {X!r} at t = {t}: quadrature error estimate {err:.2g} for value {val:.6g}")
        return (val, err) if with_error else val

    def md_work(self, X: str, t: float, epsrel: float = 1e-12, with_error: bool = False):
        """``dW^md = int_0^t Tr[dK_S/dtau rho_S] dtau`` by adaptive quadrature of :meth:`md_power`."""
        import warnings
        with warnings.catch_warnings():  # an oscillating integrand with a small net value: the estimate is
            warnings.simplefilter("ignore", integrate.IntegrationWarning)  # judged in absolute terms by its users
            val, err = integrate.quad(lambda tau: self.md_power(X, tau), 0.0, t, epsabs=1e-14, epsrel=epsrel,
                                      limit=2000)
        return (val, err) if with_error else val

    def md_quantities(self, X: str, t: float) -> dict:
        """``Delta U^md``, ``dQ^md`` (quadrature of ``Tr[K drho]``) and ``dW^md``, each computed on its
        own; ``"dW_quadrature"`` is the quadrature of ``Tr[dK rho]`` (it checks the first law).  The
        reported ``dW`` is whichever of the quadrature and ``Delta U^md - dQ^md`` has the smaller
        error estimate (the difference cancels when the work is small against the heat; the
        quadrature of an oscillating power loses relative precision over many periods).  Cached."""
        key = (X, float(t))
        if key not in self._md_cache:
            dU = self.md_energy_change(X, t)
            dQ, eQ = self.md_heat(X, t, with_error=True)
            dWq, eW = self.md_work(X, t, with_error=True)
            e_diff = eQ + 1e-15 * (abs(dU) + abs(dQ))
            self._md_cache[key] = {"dU": dU, "dQ": dQ, "dW": dWq if eW < e_diff else dU - dQ, "dW_quadrature": dWq}
        return self._md_cache[key]

    def assignment(self, X: str, approach: str, t: float) -> dict:
        """First-law quantities of ``X`` (definitions of Colla's slides, evaluated numerically)."""
        if approach == "minimal dissipation":
            return self.md_quantities(X, t)
        US, UI = self.energy_change(X, t), self.energy_change("I", t)
        QS, QI = US, UI  # int_0^t Tr[H_X drho] with time-independent H_X
        if approach == "bare":
            return {"dU": US, "dQ": QS + QI, "dW": -UI}
        if approach == "interaction":
            return {"dU": US + UI, "dQ": QS + QI, "dW": 0.0}
        raise ValueError(f"Argument `approach` must be 'bare', 'interaction' or 'minimal dissipation', got {approach!r}")


def energy_trajectories(res: GaussianResult, times, subsystems=None) -> dict:
    """``{X: <H_X>(t_k)}`` and ``"I"`` at many times in ``O(N^2)`` per time: in the eigenbasis of
    ``h``, ``Tr[M C(t)] = sum_mn F_mn e^{i(E_m - E_n)t}`` with ``F`` precomputed (``C~ = V^T C V^*``).
    These are absolute energies: a change much smaller than the energy itself loses relative
    precision when differenced; :meth:`GaussianResult.energy_change` computes changes without
    cancellation (``expm1``)."""
    E, V = res._eig
    # C(t) = V^* e^{iEt} C~0 e^{-iEt} V^T with C~0 = V^T C0 V^*
    Ct0 = V.T @ res.C0 @ V.conj()
    subsystems = list(res.partition) if subsystems is None else subsystems
    out = {}
    mats = {}
    for X in subsystems:
        M = np.zeros_like(res.h)
        idx = res.partition[X]
        M[np.ix_(idx, idx)] = res.h[np.ix_(idx, idx)]
        mats[X] = M
    mats["I"] = res.h - sum(mats[X] for X in res.partition) if set(subsystems) == set(res.partition) else None
    times = np.asarray(times, float)
    for X, M in mats.items():
        if M is None:
            continue
        # sum_ij M_ij C_ij(t) = sum_mn (V^dag M V)_mn C~0_mn e^{i(E_m - E_n)t} = p^T F p^*,  p = e^{iEt}
        F = (V.conj().T @ M @ V) * Ct0
        P = np.exp(1j * np.outer(times, E))
        out[X] = np.real(np.einsum("km,mn,kn->k", P, F, P.conj(), optimize=True))
    return out


# ---- targets ---------------------------------------------------------------------------------------------
def _t(me, values):
    return float(values[me.model.time])


_eval = numeric_value


@dataclass(frozen=True)
class EnergyChange(Target):
    """``Delta U~_X(t)`` (``X = "I"``: interaction energy)."""

    subsystem: str

    def numeric(self, me, res, values):
        return res.energy_change(self.subsystem, _t(me, values))


@dataclass(frozen=True)
class EnergyConservation(Target):
    """``Delta <H>(t)`` (expected to vanish: compared in absolute terms)."""

    zero_expected = True

    def numeric(self, me, res, values):
        return res.energy_change("total", _t(me, values))


@dataclass(frozen=True)
class FirstLawResidualMD(Target):
    """``Delta U^md - dQ^md - dW^md`` with heat and work integrated separately (expected 0)."""

    subsystem: str
    zero_expected = True

    def numeric(self, me, res, values):
        q = res.md_quantities(self.subsystem, _t(me, values))
        return q["dU"] - q["dQ"] - q["dW_quadrature"]


@dataclass(frozen=True)
class CollectiveDetuning(Target):
    """``e_X^T h e_X - e_Y^T h e_Y`` of the symmetric vectors (numbers only)."""

    X: str = "1"
    Y: str = "2"

    def numeric(self, me, res, values):
        eX, eY = res.symmetric_vector(self.X), res.symmetric_vector(self.Y)
        return float(eX @ res.h @ eX - eY @ res.h @ eY)


@dataclass(frozen=True)
class PropagatorNorm(Target):
    """``|det G(t)|^2``, ``G = U_SS``."""

    subsystem: str

    def numeric(self, me, res, values):
        U = res.propagator(_t(me, values))
        idx = res.partition[self.subsystem]
        return float(abs(np.linalg.det(U[np.ix_(idx, idx)])) ** 2)


@dataclass(frozen=True)
class CollectiveCorrelation(Target):
    """``<A_X^dag A_Y>(t)`` of the symmetric modes ``A_X = sum_i a_i / sqrt(N_X)``."""

    X: str
    Y: str
    part: str = "re"

    def numeric(self, me, res, values):
        C = res.correlations(_t(me, values))
        z = res.symmetric_vector(self.X) @ C @ res.symmetric_vector(self.Y)
        return float(np.real(z) if self.part == "re" else np.imag(z))


@dataclass(frozen=True)
class Eigenvalue(Target):
    """The numeric eigenvalue of the full ``h`` nearest to the derived one; ``nan`` unless its
    numeric multiplicity equals the derived one (evaluated at the sample)."""

    multiplicity: object = 1

    def prepare(self, derived):
        object.__setattr__(self, "_derived", derived)
        return derived

    def numeric(self, me, res, values):
        d = _eval(self._derived, values).real
        m = int(round(_eval(self.multiplicity, values).real))
        E = res.eigenvalues
        i = int(np.argmin(np.abs(E - d)))
        near = np.sum(np.abs(E - E[i]) < 1e-9 * max(1.0, abs(E[i])))
        return float(E[i]) if near == m else float("nan")


@dataclass(frozen=True)
class LargestEigenvalue(Target):
    """Largest eigenvalue of ``h_XX`` (the subsystem's own single-particle matrix)."""

    subsystem: str

    def numeric(self, me, res, values):
        idx = res.partition[self.subsystem]
        return float(np.linalg.eigvalsh(res.h[np.ix_(idx, idx)]).max())


@dataclass(frozen=True)
class EffectiveCoupling(Target):
    """``sqrt(Omega^2 - Delta^2)`` from numbers only: ``Omega`` the splitting of the two
    eigenvectors of the full ``h`` with weight on the symmetric modes, ``Delta`` the difference
    of the symmetric-mode energies ``e_X^T h e_X``."""

    X: str = "1"
    Y: str = "2"

    def numeric(self, me, res, values):
        E, V = res._eig
        eX, eY = res.symmetric_vector(self.X), res.symmetric_vector(self.Y)
        w = np.abs(V.T @ eX) ** 2 + np.abs(V.T @ eY) ** 2
        top = np.argsort(-w)[:2]
        Om = abs(E[top[0]] - E[top[1]])
        D = eX @ res.h @ eX - eY @ res.h @ eY
        return float(np.sqrt(max(Om**2 - D**2, 0.0)))


@dataclass(frozen=True)
class AssignmentQuantity(Target):
    """``dU``, ``dQ`` or ``dW`` of subsystem ``X`` in an approach (numeric definitions)."""

    subsystem: str
    approach: str
    quantity: str

    def numeric(self, me, res, values):
        return res.assignment(self.subsystem, self.approach, _t(me, values))[self.quantity]


@dataclass(frozen=True)
class MDHamiltonian(Target):
    """``e_X^T K(t) e_X``: the minimal-dissipation Hamiltonian on the symmetric mode of ``X``
    (at the sampled ``t``, or at the time ``at``, an expression of the parameters)."""

    subsystem: str
    at: object = None

    def numeric(self, me, res, values):
        tau = _t(me, values) if self.at is None else _eval(self.at, values).real
        K = res.md_hamiltonian(self.subsystem, tau)
        idx = res.partition[self.subsystem]
        e = np.ones(len(idx)) / np.sqrt(len(idx))
        return float(np.real(e @ K @ e))


@dataclass(frozen=True)
class MDQuantity(Target):
    """Minimal-dissipation ``U`` (``"U"``), ``"power"`` = Tr[dK/dt rho_S]."""

    subsystem: str
    quantity: str

    def numeric(self, me, res, values):
        t = _t(me, values)
        if self.quantity == "U":
            return res.md_energy(self.subsystem, t)
        if self.quantity == "power":
            return res.md_power(self.subsystem, t)
        raise ValueError(f"unknown md quantity {self.quantity!r}")
