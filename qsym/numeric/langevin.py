"""Numeric quantum Langevin solver: susceptibility from numeric matrices, stationary covariances
by frequency integration (L4) and Matsubara sums (L5), poles from a state-space (Markovian)
embedding, the damping function from the spectral density alone (Kramers-Kronig).

Nothing of the symbolic derivation is reused but the spectral densities' numeric values
(``J`` and, for the covariance integrand, the damping function ``gamma(w)``, itself checked
against the Kramers-Kronig transform of ``J`` in :func:`damping_from_density`).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from scipy import integrate, linalg, special

from ..algebra.symbols import expand_definitions
from ..dynamics.langevin import DivergentQuantityError, DrudeOhmic, Lorentzian, nu_sym, w_sym
from .targets import Target, numeric_value

__all__ = ["LangevinSolver", "LangevinResult", "damping_from_density", "CovarianceElement", "PearsonCoefficient",
           "StrongCouplingCovariance", "StrongCouplingPearson", "PoleValue", "DampingValue", "SusceptibilityElement"]


_num = numeric_value


def _lamb(expr, var, values):
    e = expand_definitions(sp.sympify(expr))
    e = e.xreplace({s: values[s] for s in e.free_symbols if s != var and s in values})
    return sp.lambdify(var, e, "numpy")


def damping_from_density(J, w: float, upper: float = np.inf) -> complex:
    """``gamma(w)`` from ``J`` alone: ``Re = J(w)/w``, ``Im = (2w/pi) P int_0^oo J(v)/(v (w^2 - v^2)) dv``
    (Kramers-Kronig of (L2)-(L3))."""
    re = J(w) / w
    L = 20 * w + 50.0
    f = lambda v: -J(v) / (v * (v + w)) if v > 0 else -(J(1e-300) / 1e-300) / w  # noqa: E731
    with warnings.catch_warnings():  # the transform is judged by its comparison, not by quad's estimate
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        pv, _ = integrate.quad(f, 0.0, L, weight="cauchy", wvar=w, limit=400, epsabs=1e-14, epsrel=1e-12)
        tail, _ = integrate.quad(lambda v: J(v) / (v * (w * w - v * v)), L, upper, limit=400, epsabs=1e-14,
                                 epsrel=1e-12)
    return complex(re, 2 * w / np.pi * (pv + tail))


class LangevinSolver:
    """Numeric counterpart of an :class:`qsym.dynamics.langevin.OscillatorNetwork`."""

    def __init__(self, network):
        self.network = network

    def solve(self, values: dict, spectral=None) -> "LangevinResult":
        net = self.network
        M = np.diag([_num(m, values).real for m in net.masses])
        K = np.array([[_num(net.K[i, j], values).real for j in range(net.n)] for i in range(net.n)])
        baths = []
        for b in net.baths:
            g = np.array([_num(x, values).real for x in b.weights])
            d = b.density
            spec = {"J": _lamb(d.J(w_sym), w_sym, values), "gamma": _lamb(d.damping(w_sym), w_sym, values),
                    "gamma_im": _lamb(d.damping_imaginary(nu_sym), nu_sym, values), "kind": type(d).__name__,
                    "strength": _num(d.strength, values).real, "power": d.high_frequency_power}
            if isinstance(d, DrudeOhmic):
                spec["cutoff"] = _num(d.cutoff, values).real
            if isinstance(d, Lorentzian):
                spec.update(peak=_num(d.peak, values).real, width=_num(d.width, values).real)
            baths.append((g, _num(b.temperature, values).real, spec))
        return LangevinResult(M, K, baths, dict(values))


@dataclass
class LangevinResult:
    M: np.ndarray
    K: np.ndarray
    baths: list
    values: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def n(self):
        return len(self.M)

    def inverse_susceptibility(self, w: float) -> np.ndarray:
        A = self.K - w * w * self.M + 0j
        for g, _, spec in self.baths:
            A = A - 1j * w * complex(spec["gamma"](w)) * np.outer(g, g)
        return A

    def susceptibility(self, w: float) -> np.ndarray:
        return np.linalg.inv(self.inverse_susceptibility(w))

    # -- poles ---------------------------------------------------------------------------------------------
    def poles(self) -> np.ndarray:
        """Poles of ``chi(w)`` (lower half plane): ``w = i lambda`` for the eigenvalues ``lambda`` of the
        state-space matrix; Ohmic baths are memoryless, a Drude bath adds ``z' = -w_D z + l w_D g.x'``."""
        n = self.n
        Minv = np.linalg.inv(self.M)
        blocks_aux = [(g, spec) for g, _, spec in self.baths if spec["kind"] == "DrudeOhmic"]
        for g, _, spec in self.baths:
            if spec["kind"] not in ("Ohmic", "DrudeOhmic"):
                raise NotImplementedError(f"poles for a {spec['kind']} bath: embed it in auxiliary modes first")
        Gam = sum((spec["strength"] * np.outer(g, g) for g, _, spec in self.baths if spec["kind"] == "Ohmic"),
                  np.zeros((n, n)))
        m = len(blocks_aux)
        A = np.zeros((2 * n + m, 2 * n + m))
        A[:n, n:2 * n] = np.eye(n)
        A[n:2 * n, :n] = -Minv @ self.K
        A[n:2 * n, n:2 * n] = -Minv @ Gam
        for k, (g, spec) in enumerate(blocks_aux):
            wD, lam = spec["cutoff"], spec["strength"]
            A[n:2 * n, 2 * n + k] = -Minv @ g
            A[2 * n + k, n:2 * n] = lam * wD * g
            A[2 * n + k, 2 * n + k] = -wD
        poles = 1j * np.linalg.eigvals(A)
        if not blocks_aux:  # memoryless: polish each root of det(K - w^2 M - i w G) by Newton steps,
            poles = np.array([self._polish(p, Gam) for p in poles])  # since eig's error scales with ||A||
        return poles

    def _polish(self, p, Gam, steps: int = 8):
        """Newton on ``det A(w)``: ``w -> w - 1/Tr[A^{-1} A'(w)]``, ``A = K - w^2 M - i w G``."""
        for _ in range(steps):
            A = self.K - p * p * self.M - 1j * p * Gam
            dA = -2 * p * self.M - 1j * Gam
            try:
                step = 1 / np.trace(np.linalg.solve(A, dA))
            except np.linalg.LinAlgError:
                break
            if not np.isfinite(step):
                break
            p = p - step
            if abs(step) < 1e-16 * max(1.0, abs(p)):
                break
        # float64 resolves the root only to ~1e-16 ||A||: a weakly damped pole's small imaginary part
        # needs extended precision (three more Newton steps in mpmath, 40 digits)
        import mpmath
        with mpmath.workdps(40):
            K, M, G = (mpmath.matrix(X.tolist()) for X in (self.K, self.M, Gam))
            z = mpmath.mpc(p.real, p.imag)
            for _ in range(3):
                A = K - z * z * M - 1j * z * G
                dA = -2 * z * M - 1j * G
                try:
                    X = mpmath.inverse(A) * dA
                except ZeroDivisionError:
                    break
                tr = sum(X[i, i] for i in range(X.rows))
                if tr == 0:
                    break
                z = z - 1 / tr
            return complex(z)

    # -- covariances --------------------------------------------------------------------------------------
    def _check_convergent(self, kind: str):
        for g, _, spec in self.baths:
            p = spec["power"]
            # integrand ~ w^(p - 4) for xx, w^(p - 2) for pp at large w (coth -> 1, |chi|^2 ~ w^-4)
            expo = p - 4 if kind == "xx" else p - 2
            if expo >= -1:
                raise DivergentQuantityError(
                    f"the stationary {'momentum' if kind == 'pp' else 'position'} covariance diverges for a "
                    f"{spec['kind']} bath (J ~ w^{p}: integrand ~ w^{expo}); add a high-frequency cutoff "
                    f"(DrudeOhmic with cutoff omega_D)")

    def _integrand(self, w: float, kind: str) -> np.ndarray:
        chi = self.susceptibility(w)
        out = np.zeros((self.n, self.n))
        for g, T, spec in self.baths:
            J = float(np.real(spec["J"](w)))
            c = chi @ g
            out += (1 / np.tanh(w / (2 * T))) * J * np.real(np.outer(c, c.conj()))
        if kind == "pp":
            out = w * w * (self.M @ out @ self.M)
        return out / np.pi

    def covariance(self, kind: str = "xx", epsrel: float = 1e-11) -> np.ndarray:
        """(L4) by adaptive quadrature, the range split at the real parts of the poles."""
        key = ("cov", kind, epsrel)
        if key in self._cache:
            return self._cache[key]
        self._check_convergent(kind)
        try:
            marks = sorted({abs(p.real) for p in self.poles() if abs(p.real) > 1e-12})
        except NotImplementedError:
            marks = sorted(np.sqrt(np.abs(linalg.eigvalsh(self.K, self.M))))
        edges = [0.0] + marks + [2 * max(marks + [1.0])]
        total = np.zeros((self.n, self.n))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            for a, b in zip(edges[:-1], edges[1:]):
                val, _ = integrate.quad_vec(lambda w: self._integrand(max(w, 1e-300), kind), a, b, epsabs=1e-15,
                                            epsrel=epsrel, limit=4000)
                total += val
            val, _ = integrate.quad_vec(lambda w: self._integrand(w, kind), edges[-1], np.inf, epsabs=1e-15,
                                        epsrel=epsrel, limit=4000)
        total += val
        self._cache[key] = total
        return total

    def _auto_terms(self, T: float, n_terms):
        """Enough Matsubara terms that the last frequency is >= 100 x every scale of the problem
        (damping strengths, normal-mode frequencies): the fitted tail ``a/nu^2 + b/nu^3`` is then
        accurate; at least 20000, at most 2e6."""
        if n_terms is not None:
            return int(n_terms)
        scales = [np.sqrt(np.max(np.abs(linalg.eigvals(self.K, self.M))))]
        scales += [abs(spec["strength"]) / min(np.diag(self.M)) * float(np.dot(g, g)) for g, _, spec in self.baths]
        need = 100 * max(scales) / (2 * np.pi * T)
        return int(min(max(20000, np.ceil(need)), 2_000_000))

    def matsubara_covariance(self, n_terms: int | None = None) -> np.ndarray:
        """``<x x^T> = T sum_n chi(i|nu_n|)`` (L5, one temperature): direct sum to ``n_terms`` plus the
        tail of the asymptotic expansion ``chi(i nu) = M^-1/nu^2 - M^-1 G M^-1/nu^3 + ...``."""
        temps = {T for _, T, _ in self.baths}
        if len(temps) != 1:
            raise ValueError("the Matsubara form needs one temperature")
        T = temps.pop()
        return self._matsubara(self._chi_im, T, self._auto_terms(T, n_terms))

    def _chi_im(self, nu) -> np.ndarray:
        """``chi(i nu)`` for an array of ``nu`` (batched inverse), shape ``(len(nu), n, n)``."""
        nu = np.atleast_1d(np.asarray(nu, float))
        A = self.K[None] + (nu * nu)[:, None, None] * self.M[None]
        for g, _, spec in self.baths:
            gi = np.array([float(np.real(spec["gamma_im"](x))) for x in nu]) if nu.size < 50 else \
                np.real(np.broadcast_to(spec["gamma_im"](nu), nu.shape)).astype(float)
            A = A + (nu * gi)[:, None, None] * np.outer(g, g)[None]
        return np.linalg.inv(A)

    def _matsubara(self, chi, T, n_terms):
        """``T chi(0) + 2T sum_{n=1}^{N} chi(nu_n)`` plus the tail of ``chi ~ a/nu^2 + b/nu^3`` (``a``, ``b``
        fitted on the last two terms; ``sum_{n>N} n^-2 = psi_1(N+1)``, ``sum n^-3 = -psi_2(N+1)/2``)."""
        nus = 2 * np.pi * T * np.arange(1, n_terms + 1)
        vals = chi(nus)
        s = vals.sum(axis=0)
        v1, v2 = nus[-2], nus[-1]
        c1, c2 = vals[-2], vals[-1]
        b = (c2 * v2**2 - c1 * v1**2) / (1 / v2 - 1 / v1)
        a = c2 * v2**2 - b / v2
        k = 2 * np.pi * T
        tail2 = special.polygamma(1, n_terms + 1) / k**2
        tail3 = -special.polygamma(2, n_terms + 1) / 2 / k**3
        return T * chi(np.array([0.0]))[0] + 2 * T * (s + a * tail2 + b * tail3)

    def strong_coupling_covariance(self, bath_index: int, n_terms: int | None = None) -> np.ndarray:
        """(L6) numerically: ``T K^{-1} + 2T sum_{n>0} N (N^T (K + nu_n^2 M) N)^{-1} N^T`` with ``N`` a numeric
        orthonormal basis of ``ker g g^T`` (no symbolic step: a direct Matsubara sum with its tail)."""
        g, T, _ = self.baths[bath_index]
        n_terms = self._auto_terms(T, n_terms)
        key = ("strong", bath_index, n_terms)
        if key in self._cache:
            return self._cache[key]
        N = linalg.null_space(np.outer(g, g))
        Kr, Mr = N.T @ self.K @ N, N.T @ self.M @ N

        def chi(nu):
            A = Kr[None] + (nu * nu)[:, None, None] * Mr[None]
            return N[None] @ np.linalg.inv(A) @ N.T[None]
        out = self._matsubara(chi, T, n_terms)
        out = out - T * chi(np.array([0.0]))[0] + T * np.linalg.inv(self.K)  # the n = 0 term is T K^{-1}
        self._cache[key] = out
        return out


# ---- targets ------------------------------------------------------------------------------------------------
def _pearson(S, i=0, j=1):
    return float(S[i, j] / np.sqrt(S[i, i] * S[j, j]))


@dataclass(frozen=True)
class CovarianceElement(Target):
    i: int
    j: int
    kind: str = "xx"

    def numeric(self, me, res, values):
        return float(res.covariance(self.kind)[self.i, self.j])


@dataclass(frozen=True)
class PearsonCoefficient(Target):
    def numeric(self, me, res, values):
        return _pearson(res.covariance("xx"))


@dataclass(frozen=True)
class StrongCouplingCovariance(Target):
    i: int
    j: int
    bath_index: int = 0

    def numeric(self, me, res, values):
        return float(res.strong_coupling_covariance(self.bath_index)[self.i, self.j])


@dataclass(frozen=True)
class StrongCouplingPearson(Target):
    bath_index: int = 0

    def numeric(self, me, res, values):
        return _pearson(res.strong_coupling_covariance(self.bath_index))


@dataclass(frozen=True)
class PoleValue(Target):
    """Real or imaginary part of the numeric pole of ``chi`` nearest to ``near`` (the derived complex
    pole, an expression of the parameters)."""

    near: object
    part: str = "re"

    def numeric(self, me, res, values):
        p = res.poles()
        z = _num(self.near, values)
        k = int(np.argmin(np.abs(p - z)))
        return float(p[k].real if self.part == "re" else p[k].imag)


@dataclass(frozen=True)
class DampingValue(Target):
    """``Re`` / ``Im`` of ``gamma(w)`` of a bath from its spectral density alone (Kramers-Kronig)."""

    bath_index: int
    frequency: object
    part: str = "re"

    def numeric(self, me, res, values):
        _, _, spec = res.baths[self.bath_index]
        w = _num(self.frequency, values).real
        z = damping_from_density(lambda v: float(np.real(spec["J"](v))), w)
        return float(z.real if self.part == "re" else z.imag)


@dataclass(frozen=True)
class SusceptibilityElement(Target):
    i: int
    j: int
    frequency: object
    part: str = "re"

    def numeric(self, me, res, values):
        z = res.susceptibility(_num(self.frequency, values).real)[self.i, self.j]
        return float(z.real if self.part == "re" else z.imag)
