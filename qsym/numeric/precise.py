"""An arbitrary-precision (mpmath) version of the numeric Lindblad solver, for the samples
where float64 cannot decide: deep in a regime ``e^{-w/T}`` underflows at ``T/w ~ 1e-3`` and
currents of order ``e^{-w/T}`` are lost in the rounding of O(1) populations.

Independent of the symbolic path like :class:`qsym.numeric.solver.NumericSolver`: numeric
matrices from numeric parameter values, numeric diagonalisation (``mpmath.eighe``), numeric
Bohr decomposition, the Liouvillian as a dense ``mpmath`` matrix and its null space with the
trace condition (LU solve).  Covers the global (Davies) and local Lindblad equations with any
bath kind qsym has (rates from the bath's own ``emission_rate``/``absorption_rate``) and the
model's extra dissipators.  Meant for small systems (``d <= 8``).
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from ..algebra.symbols import expand_definitions
from ..baths import expand_occupations
from ..model import OpenSystem
from .functions import substitute_spectral

__all__ = ["PreciseSolver", "PreciseResult"]


@dataclass(frozen=True, eq=False)
class PreciseResult:
    """Steady state at ``dps`` digits; the attributes the targets read (``energies`` as float
    for level matching, everything else as mpmath numbers)."""

    master: str
    values: dict
    energies: np.ndarray
    energies_mp: list
    populations: list
    rho_eigenbasis: object
    heat_currents: dict
    temperatures: dict
    entropy_production: object
    rate_matrices: dict | None
    dps: int

    def coherence(self, i, j):
        return self.rho_eigenbasis[i, j]


def _to_mp(v):
    """A SymPy number as an mpmath number without passing through float64."""
    v = sp.N(v, mpmath.mp.dps)
    re, im = v.as_real_imag()

    def real(x):
        x = sp.Float(x, mpmath.mp.dps)
        return mpmath.mpf(x._mpf_)

    return mpmath.mpc(real(re), real(im)) if im != 0 else real(re)


def _mp_matrix(M: sp.Matrix, subs: dict) -> mpmath.matrix:
    d = M.shape[0]
    out = mpmath.matrix(d, d)
    for i in range(d):
        for j in range(M.shape[1]):
            e = M[i, j]
            if e != 0:
                out[i, j] = _to_mp(e.xreplace(subs))
    return out


def _dagger(A):
    return A.transpose_conj()


class PreciseSolver:
    """``PreciseSolver(model, master="global"|"local", dps=50).solve(values, spectral)``;
    ``spectral`` maps a bath name (or ``g_X``) to a SymPy ``Lambda`` with numeric parameters."""

    def __init__(self, model: OpenSystem, master: str = "global", dps: int = 50):
        if master not in ("global", "local"):
            raise ValueError(f"Argument `master` must be 'global' or 'local', got {master!r}")
        if model.dim > 8:
            raise ValueError(f"PreciseSolver is meant for small systems (dimension <= 8), got {model.dim}")
        self.model, self.master, self.dps = model, master, dps

    # ---- helpers ---------------------------------------------------------------------------
    def _subs(self, values):
        return {s: sp.Float(v, self.dps) for s, v in values.items()}

    def _rate(self, bath, kind, w, subs, spectral):
        x = sp.Dummy("w", positive=True)
        e = bath.emission_rate(x) if kind == "emission" else bath.absorption_rate(x)
        e = expand_occupations(expand_definitions(e))
        e = substitute_spectral(e, spectral, self.dps)
        missing = sorted(f.func.__name__ for f in e.atoms(sp.core.function.AppliedUndef))
        if missing:
            raise ValueError(f"PreciseSolver: no realisation given for the spectral function(s) {missing}")
        e = e.xreplace(subs).xreplace({x: sp.Float(w, self.dps)})
        return mpmath.re(_to_mp(e))

    def _components(self, A, E, tol):
        """Bohr components of ``A`` (eigenbasis): ``{w: matrix}`` with ``w = E_n - E_m`` the
        energy released by ``n -> m``."""
        d = len(E)
        comps: list = []
        for m in range(d):
            for n in range(d):
                if abs(A[m, n]) > tol:
                    w = E[n] - E[m]
                    for c in comps:
                        if abs(c[0] - w) <= tol * max(1, abs(w)):
                            c[1][m, n] = A[m, n]
                            break
                    else:
                        M = mpmath.matrix(d, d)
                        M[m, n] = A[m, n]
                        comps.append([w, M])
        return comps

    # ---- solve -------------------------------------------------------------------------------
    def solve(self, values, spectral=None) -> PreciseResult:
        spectral = spectral or {}
        with mpmath.workdps(self.dps):
            subs = self._subs(values)
            H = _mp_matrix(sp.Matrix(expand_definitions(self.model.H.matrix)), subs)
            E, V = mpmath.eighe(H)
            E = [mpmath.re(e) for e in E]
            order = sorted(range(len(E)), key=lambda k: E[k])
            E = [E[k] for k in order]
            d = len(E)
            Vs = mpmath.matrix(d, d)
            for j, k in enumerate(order):
                for i in range(d):
                    Vs[i, j] = V[i, k]
            V = Vs
            tol = mpmath.mpf(10) ** (-(self.dps // 2))
            if self.master == "local":
                from ..dynamics.local import local_hamiltonian
                Hl = _mp_matrix(sp.Matrix(expand_definitions(local_hamiltonian(self.model.H).matrix)), subs)
                El, Vl = mpmath.eighe(Hl)
                El = [mpmath.re(e) for e in El]
                Bd, Eb = Vl, El
            else:
                Bd, Eb = V, E
            jumps: dict = {}
            temps = {}
            rate_mats = {} if self.master == "global" else None
            for c in self.model.couplings:
                b = c.bath
                temps[b.name] = mpmath.re(_to_mp(sp.sympify(b.temperature).xreplace(subs)))
                A = _dagger(Bd) * _mp_matrix(sp.Matrix(expand_definitions(c.operator.matrix)), subs) * Bd
                js = []
                for w, M in self._components(A, Eb, tol):
                    if w > tol:
                        js.append((self._rate(b, "emission", w, subs, spectral), M))
                        if c.form == "rwa":
                            js.append((self._rate(b, "absorption", w, subs, spectral), _dagger(M)))
                    elif w < -tol:
                        if c.form != "rwa":
                            js.append((self._rate(b, "absorption", -w, subs, spectral), M))
                    elif c.form != "rwa":
                        raise NotImplementedError("PreciseSolver: zero-frequency (dephasing) components")
                # jumps in the eigenbasis of H
                T = _dagger(V) * Bd
                jumps[b.name] = [(g, T * M * _dagger(T)) for g, M in js]
            for D in getattr(self.model, "dissipators", ()) or ():
                jumps[D.name] = [(mpmath.re(_to_mp(sp.sympify(g).xreplace(subs))),
                                  _dagger(V) * _mp_matrix(sp.Matrix(op.matrix), subs) * V) for g, op in D.jumps]
            Hd = mpmath.diag(E)
            L = self._liouvillian(Hd, [j for js in jumps.values() for j in js], d)
            rho = self._null_vector(L, d)
            pops = [mpmath.re(rho[i, i]) for i in range(d)]
            q = {}
            for c in self.model.couplings:
                Dr = self._dissipate(jumps[c.bath.name], rho)
                q[c.bath.name] = mpmath.re(sum(E[i] * Dr[i, i] for i in range(d)))
                if rate_mats is not None:
                    K = mpmath.matrix(d, d)
                    for g, J in jumps[c.bath.name]:
                        for m in range(d):
                            for n in range(d):
                                if m != n:
                                    K[m, n] += g * abs(J[m, n]) ** 2
                    for n in range(d):
                        K[n, n] = -sum(K[m, n] for m in range(d) if m != n)
                    rate_mats[c.bath.name] = K
            sigma = -sum(q[k] / temps[k] for k in q)
            return PreciseResult(self.master, dict(values), np.array([float(e) for e in E]), E, pops, rho, q,
                                 temps, sigma, rate_mats, self.dps)

    @staticmethod
    def _dissipate(js, rho):
        d = rho.rows
        out = mpmath.matrix(d, d)
        for g, J in js:
            Jd = _dagger(J)
            JdJ = Jd * J
            out += g * (J * rho * Jd - (JdJ * rho + rho * JdJ) / 2)
        return out

    @staticmethod
    def _liouvillian(H, js, d):
        """Row-major vectorisation: ``vec(A X B) = (A kron B^T) vec(X)``."""
        n = d * d
        L = mpmath.matrix(n, n)
        I = mpmath.eye(d)

        def kron(A, B):
            K = mpmath.matrix(n, n)
            for i in range(d):
                for j in range(d):
                    if A[i, j] != 0:
                        for k in range(d):
                            for m in range(d):
                                if B[k, m] != 0:
                                    K[i * d + k, j * d + m] = A[i, j] * B[k, m]
            return K

        L += -1j * (kron(H, I) - kron(I, H.T))
        for g, J in js:
            Jd = _dagger(J)
            JdJ = Jd * J
            L += g * (kron(J, J.conjugate()) - kron(JdJ, I) / 2 - kron(I, JdJ.T) / 2)
        return L

    @staticmethod
    def _null_vector(L, d):
        n = d * d
        M = L.copy()
        b = mpmath.matrix(n, 1)
        for j in range(n):  # replace the first row by the trace condition
            M[0, j] = 1 if j % (d + 1) == 0 else 0
        b[0] = 1
        x = mpmath.lu_solve(M, b)
        rho = mpmath.matrix(d, d)
        for i in range(d):
            for j in range(d):
                rho[i, j] = x[i * d + j]
        return rho
