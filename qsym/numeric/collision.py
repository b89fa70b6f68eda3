"""Independent numerics for collision models: numeric matrices, numeric thermal state
(``numpy.linalg.eigh``), ``scipy.linalg.expm`` for the exact collision unitary, the
truncated-Taylor map, fixed points from the eigenvector of eigenvalue 1 (no iteration),
trajectories and the thermodynamics of each collision (Cusumano & De Chiara sec. IV).

Nothing here uses the symbolic expansion of :mod:`qsym.dynamics.collision`: only the model's
input matrices ``h_S``, ``h_E``, ``(A_j, B_j)``, the collision time and the temperature.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import factorial

import numpy as np
import scipy.linalg as sla
import sympy as sp

from ..algebra.symbols import expand_definitions
from .targets import Target

__all__ = ["CollisionSolver", "CollisionResult", "CollisionStep", "von_neumann_entropy", "relative_entropy",
           "MapElement", "FixedPointElement", "FixedPointBloch", "CorrelationValue", "AncillaEnergy",
           "AncillaWeight", "AncillaProjector", "CollisionEnergyChange", "FixedPointEnergyChange",
           "EffectiveHamiltonianElement", "FirstLawResidual", "SteadyFirstLaw"]


def _num(M, values) -> np.ndarray:
    M = expand_definitions(sp.Matrix(M))
    subs = {s: values[s] for s in M.free_symbols}
    return np.array(M.evalf(30, subs=subs).tolist(), dtype=complex)


def von_neumann_entropy(rho: np.ndarray) -> float:
    p = np.linalg.eigvalsh((rho + rho.conj().T) / 2)
    p = p[p > 1e-300]
    return float(-np.sum(p * np.log(p)))


def relative_entropy(rho: np.ndarray, sigma: np.ndarray) -> float:
    """``S(rho || sigma) = Tr rho (log rho - log sigma)`` (sigma full rank)."""
    def logm(X):
        w, V = np.linalg.eigh((X + X.conj().T) / 2)
        return (V * np.log(np.clip(w, 1e-300, None))) @ V.conj().T
    return float(np.real(np.trace(rho @ (logm(rho) - logm(sigma)))))


def _ptrace(M, dS, dE, keep="S"):
    T = M.reshape(dS, dE, dS, dE)
    return np.einsum("ajbj->ab", T) if keep == "S" else np.einsum("jajb->ab", T)


def _superop(f, d):
    S = np.zeros((d * d, d * d), complex)
    for b in range(d):
        for a in range(d):
            E = np.zeros((d, d), complex)
            E[a, b] = 1
            S[:, b * d + a] = f(E).reshape(-1, order="F")
    return S


def _fixed_point(S, d):
    w, V = np.linalg.eig(S)
    i = int(np.argmin(np.abs(w - 1)))
    others = np.sort(np.abs(w - 1))
    if len(others) > 1 and others[1] < 1e-14:
        from ..dynamics.collision import CollisionError
        idx = np.flatnonzero(np.abs(w - 1) < 1e-12)
        space = [V[:, k].reshape(d, d, order="F") for k in idx]
        raise CollisionError(f"the collision map has a {len(space)}-dimensional space of fixed points at this "
                             f"sample (attached as `fixed_point_space`); give the initial state and iterate "
                             f"instead", fixed_point_space=space)
    if len(others) > 1 and others[1] < 1e-9:
        import warnings
        warnings.warn(f"the collision map relaxes slowly (second eigenvalue {others[1]:.1e} from 1): its fixed "
                      f"point is ill-conditioned at this sample", RuntimeWarning, stacklevel=3)
    rho = V[:, i].reshape(d, d, order="F")
    rho = rho / np.trace(rho)
    return (rho + rho.conj().T) / 2


@dataclass
class CollisionStep:
    """One collision: states before/after and its thermodynamics (exact)."""

    rho: np.ndarray
    rho_out: np.ndarray
    eta_out: np.ndarray
    delta_U: float
    heat: float
    switching_work: float
    entropy_production: float          # I(S:E') + D(eta' || eta)
    entropy_production_clausius: float  # Delta S_S - beta dQ (eq. 72)


@dataclass
class CollisionResult:
    """Numeric collision model at one parameter point."""

    hS: np.ndarray
    hE: np.ndarray
    hSE: np.ndarray
    eta: np.ndarray
    dt: float
    beta: float | None
    order: int
    pairs: list
    cache: dict = field(default_factory=dict)
    model: object = None
    values: dict | None = None

    @property
    def dS(self):
        return self.hS.shape[0]

    @property
    def dE(self):
        return self.hE.shape[0]

    @property
    def H(self):
        return np.kron(self.hS, np.eye(self.dE)) + np.kron(np.eye(self.dS), self.hE) + self.hSE

    @property
    def U(self):
        if "U" not in self.cache:
            self.cache["U"] = sla.expm(-1j * self.dt * self.H)
        return self.cache["U"]

    def exact_map(self, rho):
        U = self.U
        return _ptrace(U @ np.kron(rho, self.eta) @ U.conj().T, self.dS, self.dE, "S")

    def truncated_evolution(self, R, order):
        """``sum_{k+l<=order} (-i dt H)^k/k! R (i dt H)^l/l!``: the joint evolution of ``R``
        with ``U`` Taylor-truncated at ``O(dt^order)``."""
        H = self.H
        out = np.zeros_like(R, dtype=complex)
        Hk = [np.eye(H.shape[0], dtype=complex)]
        for _ in range(order):
            Hk.append(Hk[-1] @ H)
        for k in range(order + 1):
            for l in range(order + 1 - k):
                out += ((-1j * self.dt) ** k / factorial(k)) * ((1j * self.dt) ** l / factorial(l)) * Hk[k] @ R @ Hk[l]
        return out

    def expanded_map(self, rho, order=None):
        """The Taylor-truncated map: :meth:`truncated_evolution` of ``rho (x) eta``, traced."""
        order = self.order if order is None else order
        return _ptrace(self.truncated_evolution(np.kron(rho, self.eta), order), self.dS, self.dE, "S")

    def superoperator(self, which="expanded"):
        key = ("S", which)
        if key not in self.cache:
            f = self.exact_map if which == "exact" else self.expanded_map
            self.cache[key] = _superop(f, self.dS)
        return self.cache[key]

    def fixed_point(self, which="expanded"):
        """Eigenvector of eigenvalue 1 (trace 1).  When the map relaxes slowly (second
        eigenvalue within 1e-2 of 1) float64 resolves it only to ~1e-16/gap absolute, too coarse
        for small components such as a near-zero <sigma_z>: the
        truncated map's fixed point is then recomputed in mpmath at 40 digits."""
        key = ("fp", which)
        if key not in self.cache:
            S = self.superoperator(which)
            gap = np.sort(np.abs(np.linalg.eigvals(S) - 1))[1] if S.shape[0] > 1 else 1.0
            if which == "expanded" and gap < 1e-2 and self.model is not None:
                self.cache[key] = self._precise_fixed_point()
            else:
                self.cache[key] = _fixed_point(S, self.dS)
        return self.cache[key]

    def _precise_fixed_point(self, dps: int = 40):
        import mpmath
        m, vals = self.model, self.values
        with mpmath.workdps(dps):
            def mpm(M):
                M = expand_definitions(sp.Matrix(M))
                E = M.evalf(dps + 5, subs={s: vals[s] for s in M.free_symbols})
                return mpmath.matrix([[mpmath.mpmathify(complex(0)) + mpmath.mpc(sp.re(x), sp.im(x))
                                       for x in E.row(i)] for i in range(E.rows)])
            hS, hE = mpm(m.h_S), mpm(m.h_E)
            dS, dE = hS.rows, hE.rows

            def kron(A, B):
                K = mpmath.zeros(A.rows * B.rows, A.cols * B.cols)
                for i in range(A.rows):
                    for j in range(A.cols):
                        for k in range(B.rows):
                            for l in range(B.cols):
                                K[i * B.rows + k, j * B.cols + l] = A[i, j] * B[k, l]
                return K
            H = kron(hS, mpmath.eye(dE)) + kron(mpmath.eye(dS), hE)
            for A, B, _ in m.pairs:
                H += kron(mpm(A), mpm(B))
            if m.beta is not None:
                b = mpmath.mpf(str(sp.sympify(m.beta).evalf(dps + 5, subs=vals)))
                w, V = mpmath.eigh(hE)
                p = [mpmath.exp(-b * (w[k] - min(w))) for k in range(dE)]
                Z = sum(p)
                eta = mpmath.zeros(dE, dE)
                for k in range(dE):
                    v = V[:, k]
                    eta += (p[k] / Z) * (v * v.transpose_conj())
            else:
                eta = mpm(m.eta)
            dt = mpmath.mpf(str(expand_definitions(m.dt).evalf(dps + 5, subs=vals)))
            Hk = [mpmath.eye(H.rows)]
            for _ in range(self.order):
                Hk.append(Hk[-1] * H)
            coef = {(k, l): (-1j * dt) ** k / mpmath.factorial(k) * (1j * dt) ** l / mpmath.factorial(l)
                    for k in range(self.order + 1) for l in range(self.order + 1 - k)}
            S = mpmath.zeros(dS * dS, dS * dS)
            for b_ in range(dS):
                for a in range(dS):
                    E = mpmath.zeros(dS, dS)
                    E[a, b_] = 1
                    R = kron(E, eta)
                    out = mpmath.zeros(H.rows, H.rows)
                    for (k, l), c in coef.items():
                        out += c * (Hk[k] * R * Hk[l])
                    for j in range(dS):
                        for i in range(dS):
                            S[j * dS + i, b_ * dS + a] = sum(out[i * dE + q, j * dE + q] for q in range(dE))
            A = S - mpmath.eye(dS * dS)
            rhs = mpmath.zeros(dS * dS, 1)
            for col in range(dS * dS):
                A[0, col] = 1 if col % (dS + 1) == 0 else 0
            rhs[0] = 1
            x = mpmath.lu_solve(A, rhs)
            rho = np.array([[complex(x[j * dS + i]) for j in range(dS)] for i in range(dS)])
        return (rho + rho.conj().T) / 2

    def energy_changes(self, rho, order=None):
        """``(Delta U, delta Q, W_sw)`` of one collision from ``rho``: exact (``order=None``) or
        with the Taylor-truncated joint evolution to ``O(dt^order)``."""
        R = np.kron(rho, self.eta)
        Rp = self.U @ R @ self.U.conj().T if order is None else self.truncated_evolution(R, order)
        D = Rp - R
        dU = np.real(np.trace(np.kron(self.hS, np.eye(self.dE)) @ D))
        dQ = -np.real(np.trace(np.kron(np.eye(self.dS), self.hE) @ D))
        W = -np.real(np.trace(self.hSE @ D))
        return float(dU), float(dQ), float(W)

    def step(self, rho) -> CollisionStep:
        """One exact collision with its entropy production both ways (eqs. 70 and 72)."""
        R = np.kron(rho, self.eta)
        Rp = self.U @ R @ self.U.conj().T
        rho_out = _ptrace(Rp, self.dS, self.dE, "S")
        eta_out = _ptrace(Rp, self.dS, self.dE, "E")
        dU, dQ, W = self.energy_changes(rho)
        S = von_neumann_entropy
        mutual = S(rho_out) + S(eta_out) - S(rho) - S(self.eta)
        sigma = mutual + relative_entropy(eta_out, self.eta)
        clausius = S(rho_out) - S(rho) - (self.beta * dQ if self.beta is not None else np.nan)
        return CollisionStep(rho, rho_out, eta_out, dU, dQ, W, float(sigma), float(clausius))

    def trajectory(self, rho0, steps: int, which="exact", progress=None):
        """States after 0..steps collisions (exact map or the truncated one)."""
        out = [np.asarray(rho0, complex)]
        f = self.exact_map if which == "exact" else self.expanded_map
        it = range(steps)
        if progress or (progress is None and steps * self.dS * self.dE > 200000):
            try:
                from tqdm.auto import tqdm
                it = tqdm(it, desc="collisions")
            except ImportError:  # pragma: no cover
                pass
        for _ in it:
            out.append(f(out[-1]))
        return out


class CollisionSolver:
    """Numeric counterpart of a :class:`qsym.dynamics.collision.CollisionModel`."""

    def __init__(self, model, order: int = 2):
        self.model = model
        self.order = order

    def solve(self, values, spectral=None) -> CollisionResult:
        m = self.model
        hS, hE = _num(m.h_S, values), _num(m.h_E, values)
        pairs = [(_num(A, values), _num(B, values)) for A, B, _ in m.pairs]
        hSE = sum(np.kron(A, B) for A, B in pairs)
        dt = float(expand_definitions(m.dt).evalf(subs=values))
        beta = None
        if m.beta is not None:
            beta = float(sp.sympify(m.beta).evalf(subs=values))
            w, V = np.linalg.eigh(hE)
            p = np.exp(-beta * (w - w.min()))
            eta = (V * (p / p.sum())) @ V.conj().T
        else:
            eta = _num(m.eta, values)
        return CollisionResult(hS, hE, hSE, eta, dt, beta, self.order, pairs, model=m, values=dict(values))


# ---- targets -----------------------------------------------------------------------------------
def _part(z, part):
    return float(np.real(z) if part == "re" else np.imag(z))


@dataclass(frozen=True)
class MapElement(Target):
    """``Re`` / ``Im`` of the superoperator element ``(row, col)`` (column stacking)."""

    row: int
    col: int
    part: str = "re"
    which: str = "expanded"

    def numeric(self, me, res, values):
        return _part(res.superoperator(self.which)[self.row, self.col], self.part)


@dataclass(frozen=True)
class FixedPointElement(Target):
    i: int
    j: int
    part: str = "re"
    which: str = "expanded"

    def numeric(self, me, res, values):
        return _part(res.fixed_point(self.which)[self.i, self.j], self.part)


_PAULI = {"x": np.array([[0, 1], [1, 0]], complex), "y": np.array([[0, -1j], [1j, 0]]),
          "z": np.array([[1, 0], [0, -1]], complex)}


@dataclass(frozen=True)
class FixedPointBloch(Target):
    """``<sigma_axis>`` of a qubit system at the fixed point."""

    axis: str
    which: str = "expanded"

    def numeric(self, me, res, values):
        return float(np.real(np.trace(_PAULI[self.axis] @ res.fixed_point(self.which))))


@dataclass(frozen=True)
class CorrelationValue(Target):
    """``Re``/``Im`` of ``factor * Tr[W eta]`` for a word of ancilla operators, by index into
    ``[H_E, B_1, B_2, ...]`` (0 = ``H_E``); ``factor`` a SymPy expression (e.g. ``alpha^2``)."""

    word: tuple
    part: str = "re"
    factor: object = 1

    def numeric(self, me, res, values):
        ops = [res.hE] + [B for _, B in res.pairs]
        W = np.eye(res.dE, dtype=complex)
        for i in self.word:
            W = W @ ops[i]
        f = complex(sp.sympify(self.factor).evalf(subs=values))
        return _part(f * np.trace(W @ res.eta), self.part)


@dataclass(frozen=True)
class EffectiveHamiltonianElement(Target):
    """``(sum_j Tr[B_j eta] A_j)_{ij}``: the first-order (mean-field) drive of the ancillas."""

    i: int
    j: int
    part: str = "re"

    def numeric(self, me, res, values):
        H = sum(np.trace(B @ res.eta) * A for A, B in res.pairs)
        return _part(H[self.i, self.j], self.part)


@dataclass(frozen=True)
class AncillaProjector(Target):
    """``Re <n|E'_k><E'_k|m>`` (phase-free) of the ``k``-th eigenvector of ``H_E``."""

    k: int
    n: int
    m: int

    def numeric(self, me, res, values):
        w, V = np.linalg.eigh(res.hE)
        return float(np.real(V[self.n, self.k] * np.conj(V[self.m, self.k])))


@dataclass(frozen=True)
class AncillaEnergy(Target):
    """The ``k``-th smallest eigenvalue of ``H_E`` (numeric ``eigvalsh``)."""

    k: int

    def numeric(self, me, res, values):
        return float(np.linalg.eigvalsh(res.hE)[self.k])


@dataclass(frozen=True)
class AncillaWeight(Target):
    """``|<n|E'_k>|^2``: weight of bare state ``n`` in the ``k``-th eigenvector (phase-free)."""

    k: int
    n: int

    def numeric(self, me, res, values):
        w, V = np.linalg.eigh(res.hE)
        return float(abs(V[self.n, self.k]) ** 2)


def _bloch_state(values, symbols):
    x, y, z = (float(values[s]) for s in symbols)
    return 0.5 * (np.eye(2) + x * _PAULI["x"] + y * _PAULI["y"] + z * _PAULI["z"])


@dataclass(frozen=True)
class CollisionEnergyChange(Target):
    """``Delta U``, ``dQ`` or ``W_sw`` of one collision from the qubit state with Bloch vector
    given by the symbols ``bloch`` (sampled), with the joint evolution truncated at
    ``O(dt^order)`` (``order=None``: exact)."""

    quantity: str
    bloch: tuple
    order: int | None = 2

    def numeric(self, me, res, values):
        dU, dQ, W = res.energy_changes(_bloch_state(values, self.bloch), self.order)
        return {"dU": dU, "dQ": dQ, "Wsw": W}[self.quantity]


@dataclass(frozen=True)
class FixedPointEnergyChange(Target):
    """``Delta U``, ``dQ`` or ``W_sw`` of a collision from the fixed point of the truncated map."""

    quantity: str
    order: int = 2

    def numeric(self, me, res, values):
        dU, dQ, W = res.energy_changes(res.fixed_point("expanded"), self.order)
        return {"dU": dU, "dQ": dQ, "Wsw": W}[self.quantity]


@dataclass(frozen=True)
class FirstLawResidual(Target):
    """``Delta U - dQ - W_sw`` of one exact collision (``order=None``) from a Bloch state: zero
    by conservation of ``H_S + H_E + H_SE`` (Cusumano eq. 67)."""

    bloch: tuple
    order: int | None = None
    zero_expected = True

    def numeric(self, me, res, values):
        dU, dQ, W = res.energy_changes(_bloch_state(values, self.bloch), self.order)
        return dU - dQ - W


@dataclass(frozen=True)
class SteadyFirstLaw(Target):
    """``W_sw + dQ`` at the fixed point of the truncated map (= ``Delta U`` there, zero)."""

    order: int = 2
    zero_expected = True

    def numeric(self, me, res, values):
        dU, dQ, W = res.energy_changes(res.fixed_point("expanded"), self.order)
        return W + dQ


@dataclass(frozen=True)
class VanishingCorrelation(CorrelationValue):
    """A correlation the derivation finds to be zero (compared in absolute error)."""

    zero_expected = True
