"""Caldeira-Leggett baths discretised into finitely many oscillators: exact Gaussian numerics.

This module is an *independent* numeric check of a quantum-Langevin treatment (susceptibility
plus fluctuation-dissipation theorem) of harmonic networks in Caldeira-Leggett baths.  It uses
nothing but numpy/scipy: every bath is replaced by ``M`` oscillators, the system plus all baths
form one closed quadratic Hamiltonian, and Gibbs states and the unitary evolution of that
Hamiltonian are computed exactly (normal modes).  hbar = k_B = 1 throughout.

Model
-----
``n`` system oscillators (masses ``m_l``, positions ``x``, momenta ``p``, potential
``x^T K x / 2``) and baths ``nu`` coupled through weight vectors ``g_nu``::

    H = sum_l p_l^2/(2 m_l) + x^T K x / 2
        + sum_nu sum_k [ P_k^2/(2 mu_k) + mu_k W_k^2/2 (X_k - c_k (g_nu.x)/(mu_k W_k^2))^2 ],
    J_nu(w) = (pi/2) sum_k c_k^2/(mu_k W_k) delta(w - W_k).

The counterterm (the square) keeps the static stiffness of the system equal to ``K``: the
Schur complement of the bath block of the full potential matrix is exactly ``K`` for every
discretisation, so the classical position covariance is exactly ``T K^{-1}``.

Discretisation (``mu_k = 1``, ``c_k^2 = (2/pi) W_k J(W_k) dW_k``, i.e. the quadrature
``int_0^inf dw f(w) ~ sum_k f(W_k) dW_k`` applied to ``J``):

* ``grid="tan"`` (default): midpoint rule in ``theta`` of the map ``w = w_c tan(theta)``,
  ``theta in (0, pi/2)``: ``theta_k = pi (k - 1/2)/(2M)``, ``W_k = w_c tan(theta_k)``,
  ``dW_k = w_c sec^2(theta_k) pi/(2M)``.  The whole half-line is covered, there is no
  truncation; ``w_c`` (``scale``) should be of the order of the bath cutoff (for a Drude
  bath ``w_c = w_D`` makes ``J(w)/w dw`` a constant times ``d theta``).  For spectral densities
  with ``J(w)/w`` an even rational function of ``w`` the integrands of the bath self-energy
  become smooth ``pi``-periodic functions of ``theta``, and the midpoint rule converges fast.
* ``grid="uniform"``: ``W_k = (k - 1/2) w_max/M``, ``dW_k = w_max/M`` (midpoint rule on
  ``[0, w_max]``; the spectral density beyond ``w_max`` is dropped: truncation error).

Full problem: coordinates ``q = (x_1..x_n, X^{(1)}_1..X^{(1)}_M, X^{(2)}_1.., ...)``,
``H = p^T Minv p/2 + q^T V q/2`` with::

    V_SS = K + sum_nu (sum_k c_k^2/W_k^2) g_nu g_nu^T,  V_{S,(nu,k)} = -c_k g_nu,
    V_{(nu,k),(nu,k)} = W_k^2,                           Minv = diag(1/m_1..1/m_n, 1, ..., 1).

Normal modes: ``Omega^2 = Minv^{1/2} V Minv^{1/2} = O diag(W^2) O^T``, computed once per network
and cached, by default as the SVD of a factor ``F Minv^{1/2}`` (``F^T F = V``) with LAPACK's
Jacobi SVD ``dgejsv`` (relative accuracy for the graded bath frequencies), optionally with
``numpy.linalg.eigh`` (faster, absolute accuracy only); see :meth:`DiscretisedNetwork.normal_modes`.

* Gibbs state at ``T``: ``<y y^T> = O diag(coth(W/2T)/(2W)) O^T``,
  ``<pi pi^T> = O diag(W coth(W/2T)/2) O^T`` for ``y = Minv^{-1/2} q``, ``pi = Minv^{1/2} p``.
  Implemented identically as ``<x x^T> = T S^{-1} + [O diag(coth(W/2T)/(2W) - T/W^2) O^T]_xx``
  with ``S`` the Schur complement of the bath block of ``V`` (= ``K`` by the counterterm): the
  classical part is summed in closed form, only a bounded remainder goes through the modes.
* Evolution: in normal modes ``xi(t) = cos(Wt) xi + sin(Wt)/W eta``,
  ``eta(t) = -W sin(Wt) xi + cos(Wt) eta``, i.e. ``S(t) = expm(A t)`` with
  ``A = [[0, Minv], [-V, 0]]`` for ``z = (q, p)``.  Only the ``2n`` system rows of ``S(t)``
  are formed (cost ``O(n N^2)`` per time for ``N = n + (number of baths) M`` coordinates).

Recurrences: a finite bath has a discrete spectrum; after ``t_rec = 2 pi / (smallest spacing
of the grid frequencies)`` the low-frequency bath modes rephase and energy flows back into
the system (for the tan grid the smallest spacing is the first one, ``~ pi w_c/(2M)``, so
``t_rec ~ 4 M / w_c``; for the uniform grid ``t_rec = 2 pi M / w_max``).  Results of
:meth:`DiscretisedNetwork.evolved_covariance` at ``t >~ t_rec`` say nothing about the
continuum; :meth:`DiscretisedNetwork.steady_covariance` warns there.

The tan grid's spacing grows with frequency, ``dW(w) = (w_c + w^2/w_c) pi/(2M)``: the bath
near frequency ``w`` rephases already at ``2 pi/dW(w)`` (:meth:`DiscreteBath.local_recurrence_time`).
These partial revivals of the weakly coupled high-frequency modes are small (relative
``~1e-6..1e-5`` in the momentum covariance for ``M = 400..1600``, ``w_c = w_D = 5``), but they
bound the accuracy of the evolved covariance at late times.

Discretisation error of the Gibbs state (tan grid).  The Gibbs covariance of the discrete
model equals the Matsubara sum ``T sum_n (K + nu_n^2 M + Sigma_M(nu_n))^{-1}`` with the bath
self-energy ``Sigma(nu) = nu^2 (2/pi) int dw J(w)/(w (w^2 + nu^2)) g g^T`` replaced by the midpoint
rule in ``theta``.  For ``J(w)/w`` rational in ``w^2`` the ``theta`` integrand is analytic and
periodic (exponential convergence) except at large ``nu``, where the dip of width ``w_c/nu``
near ``theta = pi/2`` is not resolved: for ``J(w) -> A/w`` (Drude: ``A = gamma w_D^2``),
``Sigma_M - Sigma ~ (A/nu)(1 - tanh(2 M w_c/nu)) g g^T``, and therefore (``M w_c`` large)::

    <p p^T>_M - <p p^T> ~ + pi A / (96 (M w_c)^2) g g^T,
    <x x^T>_M - <x x^T> ~ - 7 pi^3 A / (15360 (M w_c)^4) M^{-1} g g^T M^{-1},

(summed over the baths), i.e. orders 2 (momenta) and 4 (positions) in ``M``, depending on
``M w_c`` only, as long as
``w_c`` is small enough for the low-frequency structure to be resolved (checked in the tests).
The uniform grid converges exponentially in the spacing but has the truncation error of the
tail beyond ``w_max`` (for Drude ``<p^2>`` is low by ``~gamma w_D^2/(2 pi w_max^2)``).

Numerical conditioning: ``Omega^2`` has eigenvalues from ``~W_1^2`` to ``~W_M^2`` (ratio
``~(4M/pi)^4``); see :meth:`DiscretisedNetwork.normal_modes` for the accurate (Jacobi SVD)
and the fast (eigh) route.
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from scipy.linalg import lapack

__all__ = ["DiscreteBath", "DiscretisedNetwork", "RecurrenceWarning", "pearson", "convergence_study",
           "bath_grid"]


class RecurrenceWarning(UserWarning):
    """A time beyond the recurrence time of a finite (discretised) bath was requested."""


def _positive_number(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Argument `{name}` must be a positive number, got {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"Argument `{name}` must be a positive finite number, got {value!r}")
    return v


def _check_M(M) -> int:
    if isinstance(M, bool) or not isinstance(M, (int, np.integer)):
        raise ValueError(f"Argument `M` (bath oscillators per bath) must be an integer >= 1, got {M!r}")
    if M < 1:
        raise ValueError(f"Argument `M` (bath oscillators per bath) must be >= 1, got {M}")
    return int(M)


def bath_grid(grid: str, M: int, scale: float | None = None, w_max: float | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies ``W_k`` and quadrature weights ``dW_k`` (``k = 1..M``) of a bath grid.

    ``"tan"``: ``W_k = scale * tan(pi (k-1/2)/(2M))``, ``dW_k = scale * sec^2(...) * pi/(2M)``.
    ``"uniform"``: ``W_k = (k-1/2) w_max/M``, ``dW_k = w_max/M``.
    """
    M = _check_M(M)
    if grid == "tan":
        wc = _positive_number(scale, "scale")
        theta = np.pi * (np.arange(1, M + 1) - 0.5) / (2 * M)
        return wc * np.tan(theta), wc / np.cos(theta) ** 2 * (np.pi / (2 * M))
    if grid == "uniform":
        wm = _positive_number(w_max, "w_max")
        return (np.arange(1, M + 1) - 0.5) * (wm / M), np.full(M, wm / M)
    raise ValueError(f"Argument `grid` must be 'tan' or 'uniform', got {grid!r}")


@dataclass(frozen=True)
class DiscreteBath:
    """One Caldeira-Leggett bath, to be discretised into ``M`` oscillators.

    ``J``: spectral density, a callable vectorised over numpy arrays, ``J(w) >= 0``.
    ``temperature``: the bath's temperature (used by the product initial state of
    :meth:`DiscretisedNetwork.evolved_covariance`).
    ``weights``: coupling vector ``g`` (length ``n``), stored as a tuple of floats; the bath
    couples to ``g . x``.  ``(1, 1)``: common bath of two oscillators; ``(1, 0)``: bath of the
    first oscillator only.
    ``scale``: ``w_c`` of the tan grid; ``grid``: ``"tan"`` or ``"uniform"``;
    ``w_max``: upper end of the uniform grid.
    """
    name: str
    J: Callable
    temperature: float
    weights: tuple
    scale: float | None = None
    grid: str = "tan"
    w_max: float | None = None

    def __post_init__(self):
        if not callable(self.J):
            raise ValueError(f"Argument `J` of bath {self.name!r} must be callable, got {self.J!r}")
        object.__setattr__(self, "temperature", _positive_number(self.temperature, "temperature"))
        g = np.asarray(self.weights, dtype=float)
        if g.ndim != 1 or g.size == 0 or not np.all(np.isfinite(g)):
            raise ValueError(f"Argument `weights` of bath {self.name!r} must be a non-empty 1-d finite "
                             f"vector, got {self.weights!r}")
        object.__setattr__(self, "weights", tuple(float(v) for v in g))
        if self.grid == "tan":
            object.__setattr__(self, "scale", _positive_number(self.scale, "scale"))
        elif self.grid == "uniform":
            object.__setattr__(self, "w_max", _positive_number(self.w_max, "w_max"))
        else:
            raise ValueError(f"Argument `grid` of bath {self.name!r} must be 'tan' or 'uniform', got {self.grid!r}")

    @property
    def weight_vector(self) -> np.ndarray:
        return np.array(self.weights, dtype=float)

    def discretise(self, M: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(W_k, dW_k, c_k)`` with ``c_k = sqrt((2/pi) W_k J(W_k) dW_k)`` (``mu_k = 1``)."""
        W, dW = bath_grid(self.grid, M, self.scale, self.w_max)
        with np.errstate(all="ignore"):
            Jw = np.broadcast_to(np.asarray(self.J(W), dtype=float), W.shape)
        if not np.all(np.isfinite(Jw)):
            raise ValueError(f"Argument `J` of bath {self.name!r} is not finite on the grid "
                             f"(first bad frequency {W[~np.isfinite(Jw)][0]:.6g})")
        if np.any(Jw < 0):
            k = int(np.argmin(Jw))
            raise ValueError(f"Argument `J` of bath {self.name!r} must be >= 0; it is negative on the grid, "
                             f"J({W[k]:.6g}) = {Jw[k]:.6g}")
        return W, dW, np.sqrt(2.0 / np.pi * W * Jw * dW)

    def local_recurrence_time(self, M: int, w) -> np.ndarray:
        """``2 pi / dW(w)`` with the local grid spacing ``dW(w)`` at frequency ``w``: the time after
        which the bath modes near ``w`` rephase (``4M/(w_c + w^2/w_c)`` for the tan grid,
        ``2 pi M/w_max`` for the uniform grid)."""
        M = _check_M(M)
        w = np.asarray(w, dtype=float)
        if self.grid == "tan":
            return 2 * np.pi / ((self.scale + w ** 2 / self.scale) * np.pi / (2 * M))
        return np.full_like(w, 2 * np.pi * M / self.w_max)

    def recurrence_time(self, M: int) -> float:
        """``2 pi / min_k (W_{k+1} - W_k)`` (``inf`` for ``M = 1``)."""
        W, _ = bath_grid(self.grid, M, self.scale, self.w_max)
        return math.inf if W.size < 2 else 2 * np.pi / float(np.min(np.diff(W)))


def _coth(x: np.ndarray) -> np.ndarray:
    return 1.0 / np.tanh(x)


def _quantum_remainder(W: np.ndarray, T: float) -> np.ndarray:
    """``coth(W/2T)/(2W) - T/W^2`` without cancellation (series ``1/(12T) - W^2/(720 T^3) + ...``
    for small ``W/T``)."""
    x = W / (2 * T)
    out = np.empty_like(x)
    small = x < 0.1
    xs = x[small]
    # (coth x - 1/x)/(4 T x) = (x/3 - x^3/45 + 2x^5/945 - x^7/4725 + 2 x^9/93555)/(4 T x)
    x2 = xs * xs
    out[small] = (1 / 3 - x2 / 45 + 2 * x2 ** 2 / 945 - x2 ** 3 / 4725 + 2 * x2 ** 4 / 93555) / (4 * T)
    xl = x[~small]
    out[~small] = (1 / np.tanh(xl) - 1 / xl) / (4 * T * xl)
    return out


class DiscretisedNetwork:
    """System network plus discretised baths as one closed quadratic Hamiltonian.

    Attributes: ``masses`` (n), ``K`` (n x n), ``baths``, ``M``, ``n``, ``dim`` (number of
    coordinates ``n + len(baths) M``), ``V`` (dim x dim potential matrix), ``Minv`` (dim x dim
    inverse mass matrix, diagonal; ``inverse_masses`` is its diagonal), ``bath_frequencies``,
    ``bath_couplings``, ``bath_slices`` (per bath), ``recurrence_time`` (``2 pi/`` smallest grid
    spacing, minimum over the baths), ``method`` (``"jacobi"`` or ``"eigh"``, see :meth:`normal_modes`).
    """

    def __init__(self, masses, K, baths: Sequence[DiscreteBath], M: int, method: str = "jacobi"):
        m = np.atleast_1d(np.asarray(masses, dtype=float))
        if m.ndim != 1 or m.size == 0 or not np.all(np.isfinite(m)):
            raise ValueError(f"Argument `masses` must be a non-empty 1-d finite vector, got {masses!r}")
        if np.any(m <= 0):
            raise ValueError(f"Argument `masses` must be positive, got {m.tolist()}")
        n = m.size
        K = np.atleast_2d(np.asarray(K, dtype=float))
        if K.shape != (n, n):
            raise ValueError(f"Argument `K` must be {n} x {n} (one row per mass), got shape {K.shape}")
        if not np.all(np.isfinite(K)):
            raise ValueError("Argument `K` must be finite")
        scaleK = float(np.max(np.abs(K))) or 1.0
        if np.max(np.abs(K - K.T)) > 1e-12 * scaleK:
            raise ValueError(f"Argument `K` must be symmetric; max |K - K^T| = {np.max(np.abs(K - K.T)):.3g}")
        K = (K + K.T) / 2
        lam = float(np.linalg.eigvalsh(K)[0])
        if lam <= 0:
            raise ValueError(f"Argument `K`: unstable network: the potential must be positive definite, "
                             f"lowest eigenvalue {lam:.6g}")
        M = _check_M(M)
        if method not in ("jacobi", "eigh"):
            raise ValueError(f"Argument `method` must be 'jacobi' or 'eigh', got {method!r}")
        baths = list(baths)
        for b in baths:
            if not isinstance(b, DiscreteBath):
                raise ValueError(f"Argument `baths` must hold DiscreteBath objects, got {b!r}")
            if len(b.weights) != n:
                raise ValueError(f"Argument `weights` of bath {b.name!r} must have length {n} (one per "
                                 f"oscillator), got {len(b.weights)}")
        names = [b.name for b in baths]
        if len(set(names)) != len(names):
            raise ValueError(f"Argument `baths`: bath names must be distinct, got {names}")

        self.masses, self.K, self.baths, self.M, self.n, self.method = m, K, baths, M, n, method
        self.dim = n + len(baths) * M
        V = np.zeros((self.dim, self.dim))
        V[:n, :n] = K
        self.bath_frequencies, self.bath_couplings, self.bath_slices = [], [], []
        for i, b in enumerate(baths):
            W, dW, c = b.discretise(M)
            g = b.weight_vector
            sl = slice(n + i * M, n + (i + 1) * M)
            V[:n, :n] += float(np.sum(c ** 2 / W ** 2)) * np.outer(g, g)  # counterterm
            V[:n, sl] = -np.outer(g, c)
            V[sl, :n] = V[:n, sl].T
            V[sl, sl] = np.diag(W ** 2)
            self.bath_frequencies.append(W)
            self.bath_couplings.append(c)
            self.bath_slices.append(sl)
        self.V = V
        self.inverse_masses = np.concatenate([1.0 / m, np.ones(len(baths) * M)])
        self.recurrence_time = min((b.recurrence_time(M) for b in baths), default=math.inf)
        self._modes = None

    @property
    def Minv(self) -> np.ndarray:
        """Full inverse mass matrix ``diag(1/m_1..1/m_n, 1, ..., 1)`` (dim x dim; the vector is
        ``inverse_masses``)."""
        return np.diag(self.inverse_masses)

    # ------------------------------------------------------------------ normal modes
    def potential_factor(self) -> np.ndarray:
        """Square factor ``F`` with ``F^T F = V`` read off the Hamiltonian (no cancellation):
        rows ``R`` (``R^T R = K``, Cholesky) on ``x``, and one row per bath oscillator,
        ``W_k X_k - (c_k/W_k) g . x``."""
        n, N = self.n, self.dim
        F = np.zeros((N, N))
        F[:n, :n] = np.linalg.cholesky(self.K).T
        for b, W, c, sl in zip(self.baths, self.bath_frequencies, self.bath_couplings, self.bath_slices):
            F[sl, :n] = -np.outer(c / W, b.weight_vector)
            F[sl, sl] = np.diag(W)
        return F

    def normal_modes(self) -> tuple[np.ndarray, np.ndarray]:
        """``(W, O)``: normal-mode frequencies (ascending) and orthogonal eigenvectors of
        ``Omega^2 = Minv^{1/2} V Minv^{1/2}`` (cached).

        ``method="jacobi"`` (default): ``W`` and ``O`` are the singular values and right singular
        vectors of ``F Minv^{1/2}`` (``F`` from :meth:`potential_factor`), computed by LAPACK's
        preconditioned one-sided Jacobi SVD ``dgejsv`` with ``JOBA='C'``, which keeps *relative*
        accuracy under the column/row grading of this matrix (bath frequencies from ``~pi w_c/(4M)``
        to ``~4 M w_c/pi``).  ``method="eigh"``: ``numpy.linalg.eigh`` of ``Omega^2`` (about 10x faster
        for large ``M``, but backward stable only in the absolute sense: eigenvalue errors
        ``~eps W_max^2`` spoil the low bath modes, e.g. relative errors ``1e-3`` of the lowest
        eigenvalues at ``M = 1600``, ``w_c = 5``; harmless for the Gibbs state, visible as a drift
        ``~1e-6`` of the evolved covariance at ``t ~ 200``)."""
        if self._modes is None:
            s = np.sqrt(self.inverse_masses)
            if self.method == "eigh":
                W2, O = np.linalg.eigh(s[:, None] * self.V * s[None, :])
                if W2[0] <= 0:
                    raise ValueError(f"unstable network: the potential must be positive definite, lowest eigenvalue "
                                     f"of the full problem {W2[0]:.6g} (numerically lost; use method='jacobi')")
                W = np.sqrt(W2)
            else:
                G = self.potential_factor() * s[None, :]
                sva, _u, O, work, _iwork, info = lapack.dgejsv(G, joba=0, jobu=3, jobv=0, jobr=0, jobt=0, jobp=0)
                if info != 0:
                    raise np.linalg.LinAlgError(f"dgejsv failed (info = {info}); try method='eigh'")
                W = sva * (work[0] / work[1])
                order = np.argsort(W)
                W, O = W[order], O[:, order]
                if not W[0] > 0:
                    raise ValueError(f"unstable network: lowest normal-mode frequency {W[0]:.6g}")
            self._modes = (W, O)
        return self._modes

    def _assemble(self, xx, pp, xp=None) -> np.ndarray:
        n = self.n
        cov = np.zeros((2 * n, 2 * n))
        cov[:n, :n] = (xx + xx.T) / 2
        cov[n:, n:] = (pp + pp.T) / 2
        if xp is not None:
            cov[:n, n:] = xp
            cov[n:, :n] = xp.T
        return cov

    def gibbs_covariance(self, T: float) -> np.ndarray:
        """System block (order ``x_1..x_n, p_1..p_n``) of the symmetrised covariance of the full
        Gibbs state ``exp(-H/T)/Z`` of system plus discretised baths (exact for the discrete model)."""
        T = _positive_number(T, "T")
        W, O = self.normal_modes()
        n = self.n
        s = np.sqrt(self.inverse_masses[:n])
        OS = O[:n, :]
        # <y y^T> = O f(W^2) O^T with f = coth(W/2T)/(2W) = T/W^2 + g(W^2): the classical part
        # T Omega^{-2} is summed exactly (system block of V^{-1}, see static_stiffness) and only the
        # bounded remainder g goes through the eigenvectors (f itself would amplify the absolute
        # eigenvalue errors ~eps*W_max^2 of the low modes by 1/W^4).
        xx = T * np.linalg.inv(self.static_stiffness())
        xx = xx + (OS * _quantum_remainder(W, T)) @ OS.T * np.outer(s, s)
        pp = (OS * (W * _coth(W / (2 * T)) / 2)) @ OS.T / np.outer(s, s)
        return self._assemble(xx, pp)

    def static_stiffness(self) -> np.ndarray:
        """Schur complement ``V_SS - V_SB V_BB^{-1} V_BS`` of the full potential matrix, computed
        from ``V`` (the bath block is diagonal); the counterterm makes it equal to ``K``."""
        n = self.n
        dB = np.diag(self.V)[n:]
        VSB = self.V[:n, n:]
        return self.V[:n, :n] - (VSB / dB) @ VSB.T

    def bare_covariance(self, T: float | None = None) -> np.ndarray:
        """Covariance of the bare system (no baths) in its Gibbs state at ``T`` (ground state for
        ``T=None``), order ``x`` then ``p``."""
        s = 1 / np.sqrt(self.masses)
        w2, U = np.linalg.eigh(s[:, None] * self.K * s[None, :])
        w = np.sqrt(w2)
        f = np.ones_like(w) if T is None else _coth(w / (2 * _positive_number(T, "T")))
        xx = (U * (f / (2 * w))) @ U.T * np.outer(s, s)
        pp = (U * (w * f / 2)) @ U.T / np.outer(s, s)
        return self._assemble(xx, pp)

    def _system_propagator(self, t: float) -> np.ndarray:
        """The ``2n`` system rows of ``S(t) = expm(A t)``, ``A = [[0, Minv], [-V, 0]]``, as a
        ``2n x 2 dim`` matrix acting on ``z = (q, p)``."""
        W, O = self.normal_modes()
        n, N = self.n, self.dim
        s = np.sqrt(self.inverse_masses)
        sS = s[:n]
        OS = O[:n, :]
        c, sn = np.cos(W * t), np.sin(W * t)
        Phi = np.empty((2 * n, 2 * N))
        Phi[:n, :N] = ((OS * c) @ O.T) * sS[:, None] / s[None, :]            # x <- q
        Phi[:n, N:] = ((OS * (sn / W)) @ O.T) * sS[:, None] * s[None, :]     # x <- p
        Phi[n:, :N] = -((OS * (W * sn)) @ O.T) / sS[:, None] / s[None, :]    # p <- q
        Phi[n:, N:] = ((OS * c) @ O.T) / sS[:, None] * s[None, :]            # p <- p
        return Phi

    def initial_covariance(self, sigma_S0=None) -> np.ndarray:
        """Full ``2 dim x 2 dim`` symmetrised covariance (order ``q`` then ``p``) of the product state:
        system in ``sigma_S0`` (default: bare-system ground state), every bath oscillator in the
        Gibbs state of its own Hamiltonian ``P^2/2 + W^2 X^2/2`` at the bath's temperature."""
        n, N = self.n, self.dim
        if sigma_S0 is None:
            sig = self.bare_covariance(None)
        else:
            sig = np.asarray(sigma_S0, dtype=float)
            if sig.shape != (2 * n, 2 * n) or not np.all(np.isfinite(sig)):
                raise ValueError(f"Argument `sigma_S0` must be a finite {2 * n} x {2 * n} matrix, got shape {sig.shape}")
            if np.max(np.abs(sig - sig.T)) > 1e-12 * max(1.0, float(np.max(np.abs(sig)))):
                raise ValueError("Argument `sigma_S0` must be symmetric (the symmetrised covariance)")
            # uncertainty principle: sigma + i Omega/2 >= 0
            Jm = np.block([[np.zeros((n, n)), np.eye(n)], [-np.eye(n), np.zeros((n, n))]])
            lmin = float(np.linalg.eigvalsh(sig + 0.5j * Jm)[0])
            if lmin < -1e-10 * max(1.0, float(np.max(np.abs(sig)))):
                raise ValueError(f"Argument `sigma_S0` violates the uncertainty principle (sigma + i Omega/2 has "
                                 f"eigenvalue {lmin:.3g} < 0)")
        diag = np.zeros(2 * N)
        for b, W, sl in zip(self.baths, self.bath_frequencies, self.bath_slices):
            cth = _coth(W / (2 * b.temperature))
            diag[sl] = cth / (2 * W)
            diag[N + sl.start:N + sl.stop] = W * cth / 2
        sigma = np.diag(diag)
        idx = np.r_[0:n, N:N + n]
        sigma[np.ix_(idx, idx)] = sig
        return sigma

    def evolved_covariance(self, t: float, sigma_S0=None) -> np.ndarray:
        """Symmetrised system covariance (``2n x 2n``, order ``x`` then ``p``) at time ``t`` after
        the product initial state of :meth:`initial_covariance`, evolved exactly with the full
        quadratic Hamiltonian.  Meaningful for the continuum only for ``t < recurrence_time``."""
        t = float(t)
        if not math.isfinite(t):
            raise ValueError(f"Argument `t` must be finite, got {t!r}")
        sigma0 = self.initial_covariance(sigma_S0)
        n, N = self.n, self.dim
        Phi = self._system_propagator(t)
        idx = np.r_[0:n, N:N + n]
        d = np.diag(sigma0).copy()
        d[idx] = 0.0
        cov = (Phi * d) @ Phi.T
        cov += Phi[:, idx] @ sigma0[np.ix_(idx, idx)] @ Phi[:, idx].T
        return (cov + cov.T) / 2

    def steady_covariance(self, t_relax: float, sigma_S0=None) -> np.ndarray:
        """:meth:`evolved_covariance` at ``t_relax``, a time long enough for relaxation but shorter than
        the recurrence time (warns with :class:`RecurrenceWarning` otherwise).  With the tan grid,
        the bath near frequency ``w`` already rephases at ``4M/(w_c + w^2/w_c)``
        (:meth:`DiscreteBath.local_recurrence_time`); keep ``t_relax`` below it for the highest
        frequencies that matter (e.g. revivals ``~2e-5`` in ``<p^2>`` at ``t = 80`` for ``M = 400``,
        ``w_c = w_D = 5``, ``w_0 = 1``)."""
        t_relax = _positive_number(t_relax, "t_relax")
        if t_relax >= self.recurrence_time:
            warnings.warn(f"t_relax = {t_relax:.6g} is beyond the recurrence time {self.recurrence_time:.6g} of the "
                          f"discretised baths (M = {self.M}): the finite bath returns energy; increase M",
                          RecurrenceWarning, stacklevel=2)
        return self.evolved_covariance(t_relax, sigma_S0)


def pearson(cov, i: int = 0, j: int = 1) -> float:
    """``<dx_i dx_j> / sqrt(<dx_i^2> <dx_j^2>)`` from a (symmetrised) covariance matrix."""
    cov = np.asarray(cov, dtype=float)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise ValueError(f"Argument `cov` must be a square matrix, got shape {cov.shape}")
    for name, k in (("i", i), ("j", j)):
        if not (0 <= k < cov.shape[0]):
            raise ValueError(f"Argument `{name}` must index the covariance (0..{cov.shape[0] - 1}), got {k}")
    if cov[i, i] <= 0 or cov[j, j] <= 0:
        raise ValueError(f"Argument `cov`: variances must be positive, got {cov[i, i]}, {cov[j, j]}")
    return float(cov[i, j] / math.sqrt(cov[i, i] * cov[j, j]))


def convergence_study(build: Callable[[int], DiscretisedNetwork], Ms: Sequence[int], T: float,
                      reference=None) -> list[dict]:
    """Gibbs covariance of ``build(M)`` at ``T`` for each ``M`` and its difference to ``reference``
    (a ``2n x 2n`` covariance, order ``x`` then ``p``) or, if ``reference`` is None, to the largest ``M``.

    Each entry: ``M``, ``cov``, ``x`` and ``p`` blocks, ``err_x``/``err_p`` (max absolute
    difference of the block), ``rel_x``/``rel_p`` (divided by the largest absolute entry of the
    reference block), ``order_x``/``order_p`` (``log(err_prev/err)/log(M/M_prev)``, None for the
    first ``M``), ``seconds`` (building plus Gibbs covariance)."""
    T = _positive_number(T, "T")
    Ms = [_check_M(M) for M in Ms]
    if not Ms:
        raise ValueError("Argument `Ms` must not be empty")
    rows = []
    for M in sorted(Ms):
        t0 = time.perf_counter()
        net = build(M)
        cov = net.gibbs_covariance(T)
        rows.append({"M": M, "cov": cov, "n": net.n, "seconds": time.perf_counter() - t0})
    n = rows[-1]["n"]
    ref = rows[-1]["cov"] if reference is None else np.asarray(reference, dtype=float)
    if ref.shape != (2 * n, 2 * n):
        raise ValueError(f"Argument `reference` must be {2 * n} x {2 * n}, got shape {ref.shape}")
    prev = None
    for r in rows:
        cov = r["cov"]
        r["x"], r["p"] = cov[:n, :n], cov[n:, n:]
        r["err_x"] = float(np.max(np.abs(cov[:n, :n] - ref[:n, :n])))
        r["err_p"] = float(np.max(np.abs(cov[n:, n:] - ref[n:, n:])))
        r["rel_x"] = r["err_x"] / float(np.max(np.abs(ref[:n, :n])))
        r["rel_p"] = r["err_p"] / float(np.max(np.abs(ref[n:, n:])))
        for key in ("x", "p"):
            if prev is None or r[f"err_{key}"] <= 0 or prev[f"err_{key}"] <= 0:
                r[f"order_{key}"] = None
            else:
                r[f"order_{key}"] = math.log(prev[f"err_{key}"] / r[f"err_{key}"]) / math.log(r["M"] / prev["M"])
        prev = r
    return rows
