"""Exact Fock-space evolution of quadratic, particle-conserving bosonic Hamiltonians.

This module is an *independent* numerical check of single-particle (correlation-matrix)
treatments of quadratic bosonic models.  It uses NumPy/SciPy only and never the single-particle
propagator: everything is computed from many-body matrices in a truncated Fock space.

Physics (hbar = k_B = 1).  Modes ``a_0 .. a_{N-1}``, Hamiltonian

    H = sum_ij h_ij a_i^dag a_j,        h Hermitian (N x N, possibly complex).

The modes are split into subsystems, ``partition = {"1": [0, 1], "2": [2, 3]}``, and the initial
state is the product of the Gibbs states of each subsystem's own Hamiltonian
``H_X = sum_{i,j in X} h_ij a_i^dag a_j`` at temperature ``T_X``:

    rho0 = prod_X exp(-H_X / T_X) / Z_X       (T_X = 0: the vacuum of X).

``H`` and ``rho0`` both conserve the total number ``N_tot``, so ``rho(t) = e^{-iHt} rho0 e^{iHt}``
is block diagonal in the sectors of fixed ``N_tot``.  :class:`FockEvolution` keeps the sectors
``N_tot = 0 .. n_max``, diagonalises ``H`` in each of them, and evolves each block exactly.  The
only approximation is dropping the sectors above ``n_max`` from ``rho0``; their weight
``tail = Pr[N_tot > n_max]`` is computed from the exact number distribution of ``rho0`` (a sum of
independent geometric variables, one per normal mode of each ``h_XX``).  Expectation values are
returned *renormalised* by the kept weight ``Tr[rho0 restricted]`` by default; pass
``renormalize=False`` for the raw truncated values.

Conventions: ``C_ij = <a_i^dag a_j>`` (so ``C`` is Hermitian and ``C_ii`` are occupations);
superoperators act on column-stacked vectors, ``vec(rho)[i + j d] = rho[i, j]``, so that
``vec(A rho B) = (B^T kron A) vec(rho)``.

:class:`ReducedDynamics` gives the exact reduced dynamical map of one subsystem ``S`` when all
other subsystems start in their vacuum: particles can then only leave ``S``, so the map restricted
to the states of ``S`` with at most ``n_max`` particles is exact (no truncation error), and so are
its derivative, time-local generator and the Hamiltonian part of the generator's canonical
(Hall-Cresser-Li-Andersson) form.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import ceil, log

import numpy as np
import scipy.linalg as sla

__all__ = [
    "FockEvolution",
    "ReducedDynamics",
    "SingularMapError",
    "fock_correlations",
    "truncation_study",
    "thermal_tail",
    "required_n_max",
    "fock_basis",
]

_HERMITIAN_RTOL = 1e-12
_COND_LIMIT = 1e12


class SingularMapError(ValueError):
    """The dynamical map is (nearly) singular, so the time-local generator does not exist."""


# ==========================================================================================
# Input validation
# ==========================================================================================
def _validate_h(h) -> np.ndarray:
    """Return ``h`` Hermitian (real dtype if it is real), or raise ValueError naming ``h``."""
    try:
        arr = np.asarray(h, dtype=complex)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"`h` must be a numeric square matrix; received {h!r}") from exc
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(f"`h` must be a non-empty square matrix; received shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("`h` must have finite entries; received non-finite values")
    dev = np.abs(arr - arr.conj().T)
    scale = max(1.0, float(np.max(np.abs(arr))))
    if np.max(dev) > _HERMITIAN_RTOL * scale:
        i, j = np.unravel_index(np.argmax(dev), dev.shape)
        raise ValueError(f"`h` must be Hermitian; received h[{i},{j}] = {arr[i, j]} but "
                         f"conj(h[{j},{i}]) = {np.conj(arr[j, i])}")
    arr = (arr + arr.conj().T) / 2
    return arr.real.copy() if not np.any(arr.imag) else arr


def _validate_partition(partition, n_modes: int) -> dict:
    """Return ``{key: list of mode indices}``; raise ValueError naming ``partition``."""
    if not isinstance(partition, dict) or not partition:
        raise ValueError(f"`partition` must be a non-empty dict {{name: [mode indices]}}; received {partition!r}")
    owner: dict[int, object] = {}
    clean = {}
    for key, modes in partition.items():
        try:
            modes_list = [int(m) for m in modes]
            ok = all(int(m) == m and not isinstance(m, bool) for m in modes)
        except (TypeError, ValueError):
            ok = False
        if not ok or not modes_list:
            raise ValueError(f"`partition[{key!r}]` must be a non-empty list of integer mode indices; "
                             f"received {modes!r}")
        for m in modes_list:
            if not 0 <= m < n_modes:
                raise ValueError(f"`partition[{key!r}]` contains mode {m}, outside 0..{n_modes - 1} "
                                 f"(h is {n_modes} x {n_modes}); received {partition!r}")
            if m in owner:
                where = "twice in" if owner[m] == key else f"in both {owner[m]!r} and"
                raise ValueError(f"`partition` must be disjoint: mode {m} appears {where} {key!r}; "
                                 f"received {partition!r}")
            owner[m] = key
        clean[key] = modes_list
    missing = sorted(set(range(n_modes)) - set(owner))
    if missing:
        raise ValueError(f"`partition` must cover every mode 0..{n_modes - 1}; modes {missing} are missing; "
                         f"received {partition!r}")
    return clean


def _validate_temperatures(temperatures, partition: dict) -> dict:
    """Return ``{key: float T >= 0}`` for every subsystem; raise ValueError naming ``temperatures``."""
    if not isinstance(temperatures, dict):
        raise ValueError(f"`temperatures` must be a dict {{subsystem: T}}; received {temperatures!r}")
    if set(temperatures) != set(partition):
        raise ValueError(f"`temperatures` must have exactly the subsystems of `partition` "
                         f"{sorted(map(str, partition))}; received keys {sorted(map(str, temperatures))}")
    clean = {}
    for key in partition:
        T = temperatures[key]
        try:
            Tf = float(T)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"`temperatures[{key!r}]` must be a real number >= 0; received {T!r}") from exc
        if not np.isfinite(Tf) or Tf < 0:
            raise ValueError(f"`temperatures[{key!r}]` must be finite and >= 0; received {T!r}")
        clean[key] = Tf
    return clean


def _validate_n_max(n_max) -> int:
    if isinstance(n_max, bool) or not isinstance(n_max, (int, np.integer)) or n_max < 1:
        raise ValueError(f"`n_max` must be an integer >= 1; received {n_max!r}")
    return int(n_max)


def _validate_positive_blocks(h: np.ndarray, partition: dict) -> dict:
    """Return the eigenvalues of each ``h_XX``; raise ValueError if one is not positive definite."""
    eps = {}
    for key, modes in partition.items():
        e = np.linalg.eigvalsh(h[np.ix_(modes, modes)])
        if e[0] <= 0:
            raise ValueError(f"`h` block of subsystem {key!r} (modes {modes}) must be positive definite for "
                             f"its Gibbs state to exist; lowest eigenvalue {e[0]:.6g}")
        eps[key] = e
    return eps


# ==========================================================================================
# Fock bases and number-conserving operators
# ==========================================================================================
@lru_cache(maxsize=None)
def _sector_basis_cached(n_modes: int, n: int) -> np.ndarray:
    """All occupation vectors of ``n_modes`` modes with total number ``n`` (stars and bars)."""
    slots = n + n_modes - 1
    rows = []
    for bars in combinations(range(slots), n_modes - 1):
        edges = (-1,) + bars + (slots,)
        rows.append([edges[k + 1] - edges[k] - 1 for k in range(n_modes)])
    out = np.array(rows, dtype=np.int64).reshape(-1, n_modes)
    out.setflags(write=False)
    return out


def fock_basis(n_modes: int, n: int) -> np.ndarray:
    """Occupation vectors of the sector with ``n`` particles in ``n_modes`` modes.

    Args:
        n_modes: Number of modes (>= 1).
        n: Total particle number (>= 0).

    Returns:
        Read-only int array of shape ``(comb(n + n_modes - 1, n_modes - 1), n_modes)``.
    """
    return _sector_basis_cached(int(n_modes), int(n))


class _Lookup:
    """Index of occupation vectors (rows of ``basis``) by integer code."""

    def __init__(self, basis: np.ndarray, base: int):
        self.base = base
        self.weights = base ** np.arange(basis.shape[1] - 1, -1, -1, dtype=np.int64)
        codes = basis @ self.weights
        self.order = np.argsort(codes)
        self.codes = codes[self.order]

    def __call__(self, occ: np.ndarray) -> np.ndarray:
        q = occ @ self.weights
        pos = np.searchsorted(self.codes, q)
        if np.any(pos >= len(self.codes)) or np.any(self.codes[np.minimum(pos, len(self.codes) - 1)] != q):
            raise KeyError("occupation vector not in basis")
        return self.order[pos]


def _hopping(basis: np.ndarray, lookup: _Lookup, i: int, j: int):
    """Nonzero entries of ``a_i^dag a_j`` within one sector: ``A[dst, src] = amp``."""
    src = np.nonzero(basis[:, j] > 0)[0]
    new = basis[src].copy()
    nj = new[:, j].copy()
    new[:, j] -= 1
    new[:, i] += 1
    amp = np.sqrt(nj * new[:, i].astype(float))
    return src, lookup(new), amp


def _sector_hamiltonian(h: np.ndarray, basis: np.ndarray, lookup: _Lookup) -> np.ndarray:
    """Matrix of ``sum_ij h_ij a_i^dag a_j`` in one fixed-number sector."""
    d, m = basis.shape
    H = np.zeros((d, d), dtype=float if np.isrealobj(h) else complex)
    for i in range(m):
        for j in range(m):
            if h[i, j] != 0:
                src, dst, amp = _hopping(basis, lookup, i, j)
                H[dst, src] += h[i, j] * amp
    return (H + H.conj().T) / 2


@dataclass
class _Sector:
    """One sector of fixed total number: basis, eigen-decomposition of ``H``."""
    n: int
    basis: np.ndarray
    lookup: _Lookup
    energies: np.ndarray
    vectors: np.ndarray

    def propagator_columns(self, t: float, cols: np.ndarray, derivative: bool = False) -> np.ndarray:
        """Columns ``cols`` of ``e^{-iHt}`` (or of ``d/dt e^{-iHt} = -iH e^{-iHt}``)."""
        phase = np.exp(-1j * self.energies * t)
        if derivative:
            phase = -1j * self.energies * phase
        return self.vectors @ (phase[:, None] * self.vectors[cols].conj().T)


def _build_sectors(h: np.ndarray, n_max: int) -> list[_Sector]:
    n_modes = h.shape[0]
    sectors = []
    for n in range(n_max + 1):
        basis = fock_basis(n_modes, n)
        lookup = _Lookup(basis, n_max + 2)
        E, V = sla.eigh(_sector_hamiltonian(h, basis, lookup), driver="evr")
        sectors.append(_Sector(n, basis, lookup, E, V))
    return sectors


# ==========================================================================================
# Thermal number distribution (exact) and truncation tail
# ==========================================================================================
def _geometric_ratios(eps: dict, temperatures: dict) -> np.ndarray:
    """``q_k = exp(-eps_k / T_X)`` for every normal mode of every subsystem (0 at T = 0)."""
    qs = []
    for key, e in eps.items():
        T = temperatures[key]
        qs.extend(np.exp(-e / T) if T > 0 else np.zeros_like(e))
    return np.asarray(qs, dtype=float)


def _tail_from_ratios(qs: np.ndarray, n_max: int) -> float:
    """``Pr[sum_k n_k > n_max]`` for independent ``Pr[n_k = n] = (1 - q_k) q_k^n``.

    Summed directly over ``n_max < n <= M`` (no ``1 - sum`` cancellation), with
    ``q_max^(M - n_max) < 1e-80`` so that the neglected remainder is negligible.
    """
    qs = qs[qs > 0]
    if qs.size == 0:
        return 0.0
    qmax = float(qs.max())
    extra = 64 + 2 * ceil(40 * log(10) / -log(qmax)) + 4 * qs.size
    M = min(n_max + extra, 10_000_000)
    P = np.zeros(M + 1)
    P[0] = 1.0
    for q in qs:                     # convolve with (1 - q) q^n: y[n] = (1 - q) x[n] + q y[n-1]
        y = (1.0 - q) * P
        for n in range(1, M + 1):
            y[n] += q * y[n - 1]
        P = y
    return float(np.sum(P[n_max + 1:]))


def thermal_tail(h, partition: dict, temperatures: dict, n_max: int) -> float:
    """Weight of the product Gibbs state in the sectors ``N_tot > n_max`` (exact).

    Args:
        h: Hermitian single-particle matrix (N x N).
        partition: ``{name: [mode indices]}``, disjoint and covering ``0..N-1``.
        temperatures: ``{name: T >= 0}``.
        n_max: Largest kept total number.

    Returns:
        ``Pr[N_tot > n_max]`` in ``rho0``.
    """
    h = _validate_h(h)
    partition = _validate_partition(partition, h.shape[0])
    temperatures = _validate_temperatures(temperatures, partition)
    eps = _validate_positive_blocks(h, partition)
    return _tail_from_ratios(_geometric_ratios(eps, temperatures), _validate_n_max(n_max))


def required_n_max(h, partition: dict, temperatures: dict, tol: float = 1e-13, n_cap: int = 500) -> int:
    """Smallest ``n_max >= 1`` whose dropped weight ``thermal_tail`` is below ``tol``.

    Raises:
        ValueError: if no ``n_max <= n_cap`` reaches ``tol``.
    """
    h = _validate_h(h)
    partition = _validate_partition(partition, h.shape[0])
    temperatures = _validate_temperatures(temperatures, partition)
    qs = _geometric_ratios(_validate_positive_blocks(h, partition), temperatures)
    for n in range(1, n_cap + 1):
        if _tail_from_ratios(qs, n) < tol:
            return n
    raise ValueError(f"`tol` = {tol!r} is not reached with n_max <= n_cap = {n_cap}")


# ==========================================================================================
# Product Gibbs state in the sectors of fixed total number
# ==========================================================================================
def _subsystem_gibbs_blocks(h_XX: np.ndarray, eps: np.ndarray, T: float, n_max: int):
    """Per subsystem number ``n``: basis lookup and block of ``exp(-H_X/T)/Z_X`` (vacuum at T=0)."""
    m = h_XX.shape[0]
    logZ_inv = float(np.sum(np.log1p(-np.exp(-eps / T)))) if T > 0 else 0.0
    out = []
    for n in range(n_max + 1):
        basis = fock_basis(m, n)
        lookup = _Lookup(basis, n_max + 2)
        if T == 0:
            block = np.eye(1) if n == 0 else np.zeros((len(basis), len(basis)))
        else:
            E, V = np.linalg.eigh(_sector_hamiltonian(h_XX, basis, lookup))
            w = np.exp(-E / T + logZ_inv)
            block = (V * w) @ V.conj().T
        out.append((lookup, block))
    return out


def _product_state_in_sector(basis: np.ndarray, partition: dict, gibbs: dict) -> np.ndarray:
    """Matrix of ``prod_X rho_X`` in one sector of fixed total number."""
    d = len(basis)
    rho = np.ones((d, d), dtype=complex)
    for key, modes in partition.items():
        occ = basis[:, modes]
        nX = occ.sum(axis=1)
        factor = np.zeros((d, d), dtype=complex)
        for v in np.unique(nX):
            rows = np.nonzero(nX == v)[0]
            lookup, block = gibbs[key][v]
            idx = lookup(occ[rows])
            factor[np.ix_(rows, rows)] = block[np.ix_(idx, idx)]
        rho *= factor
    return rho


# ==========================================================================================
# Exact evolution of the product Gibbs state
# ==========================================================================================
class FockEvolution:
    """Exact evolution of a product of subsystem Gibbs states in truncated Fock space.

    ``rho(t) = e^{-iHt} rho0 e^{iHt}`` with ``H = sum_ij h_ij a_i^dag a_j`` and
    ``rho0 = prod_X exp(-H_X/T_X)/Z_X``, keeping the sectors of total number ``0..n_max``.  Each
    sector is diagonalised, so the evolution of the kept blocks is exact; the only error is the
    dropped weight ``tail`` of ``rho0``.

    Expectation values are renormalised by the kept weight ``kept_weight = Tr[rho0 restricted]``
    (``= 1 - tail`` up to rounding) unless ``renormalize=False`` is passed, which returns the
    raw truncated values ``Tr[rho_trunc(t) O]``.

    Attributes:
        h: Hermitian single-particle matrix (complex ndarray).
        partition: ``{name: [mode indices]}``.
        temperatures: ``{name: T}``.
        n_max: Largest kept total number.
        dim: Dimension of the kept Fock space, ``comb(n_max + N, N)``.
        tail: Exact ``Pr[N_tot > n_max]`` in ``rho0`` (from the geometric number distributions).
        kept_weight: ``Tr[rho0 restricted]`` computed from the kept matrices.
    """

    def __init__(self, h, partition: dict, temperatures: dict, n_max: int):
        """Build the kept sectors and the initial state.

        Args:
            h: Hermitian N x N matrix, ``H = sum_ij h_ij a_i^dag a_j``.
            partition: ``{name: [mode indices]}``, disjoint, covering ``0..N-1``.
            temperatures: ``{name: T >= 0}`` for every subsystem (0 means vacuum).
            n_max: Largest kept total particle number (>= 1).

        Raises:
            ValueError: bad ``h``, ``partition``, ``temperatures`` or ``n_max``, or a block
                ``h_XX`` that is not positive definite.
        """
        self.h = _validate_h(h)
        self.n_modes = self.h.shape[0]
        self.partition = _validate_partition(partition, self.n_modes)
        self.temperatures = _validate_temperatures(temperatures, self.partition)
        self.n_max = _validate_n_max(n_max)
        eps = _validate_positive_blocks(self.h, self.partition)
        self.tail = _tail_from_ratios(_geometric_ratios(eps, self.temperatures), self.n_max)
        self._sectors = _build_sectors(self.h, self.n_max)
        self.dim = sum(len(s.basis) for s in self._sectors)
        self._init_state(eps)
        self._hops = [self._sector_hops(s) for s in self._sectors]

    def _init_state(self, eps: dict) -> None:
        """``rho0`` per sector, stored in the eigenbasis of ``H`` (``R_n = V^dag rho0_n V``)."""
        gibbs = {key: _subsystem_gibbs_blocks(self.h[np.ix_(modes, modes)], eps[key],
                                              self.temperatures[key], self.n_max)
                 for key, modes in self.partition.items()}
        self._rho0_eig = []
        self.sector_weights = np.zeros(self.n_max + 1)
        for s in self._sectors:
            rho0 = _product_state_in_sector(s.basis, self.partition, gibbs)
            self.sector_weights[s.n] = float(np.trace(rho0).real)
            self._rho0_eig.append(s.vectors.conj().T @ rho0 @ s.vectors)
        self.kept_weight = float(np.sum(self.sector_weights))

    def _sector_hops(self, s: _Sector):
        return {(i, j): _hopping(s.basis, s.lookup, i, j)
                for i in range(self.n_modes) for j in range(self.n_modes)}

    def _evolved_eigen(self, t: float):
        """Yield ``(sector, R_n(t))`` with ``R_n(t) = V^dag rho_n(t) V`` (raw)."""
        for s, R in zip(self._sectors, self._rho0_eig):
            phase = np.exp(-1j * s.energies * float(t))
            yield s, phase[:, None] * R * phase.conj()[None, :]

    def _sector_states(self, t: float):
        """Yield ``rho_n(t)`` (raw, Fock basis) for every kept sector."""
        for s, M in self._evolved_eigen(t):
            yield s.vectors @ M @ s.vectors.conj().T

    def _scale(self, renormalize: bool) -> float:
        return 1.0 / self.kept_weight if renormalize else 1.0

    def density_matrix(self, t: float, renormalize: bool = True):
        """Full truncated density matrix at time ``t``.

        Returns:
            ``(basis, rho)``: ``basis`` is the list of occupation tuples (sector by sector,
            ``N_tot = 0..n_max``) and ``rho`` the ``dim x dim`` block-diagonal matrix, divided by
            ``kept_weight`` if ``renormalize``.
        """
        basis = [tuple(int(x) for x in row) for s in self._sectors for row in s.basis]
        rho = np.zeros((self.dim, self.dim), dtype=complex)
        start = 0
        for block in self._sector_states(t):
            stop = start + len(block)
            rho[start:stop, start:stop] = block
            start = stop
        return basis, rho * self._scale(renormalize)

    def correlation_matrix(self, t: float, renormalize: bool = True) -> np.ndarray:
        """Correlation matrix ``C_ij(t) = <a_i^dag a_j>(t) = Tr[rho(t) a_i^dag a_j]``.

        Args:
            t: Time.
            renormalize: Divide by ``kept_weight`` (default) or return raw truncated values.

        Returns:
            Hermitian ``N x N`` complex array.
        """
        C = np.zeros((self.n_modes, self.n_modes), dtype=complex)
        for (s, M), hops in zip(self._evolved_eigen(t), self._hops):
            VM = s.vectors @ M            # rho[a, b] = VM[a, :] . conj(V[b, :]); only a few entries needed
            Vc = s.vectors.conj()
            for (i, j), (src, dst, amp) in hops.items():
                C[i, j] += np.dot(np.einsum("kb,kb->k", VM[src], Vc[dst]), amp)
        return C * self._scale(renormalize)

    def energy(self, X, t: float, renormalize: bool = True) -> float:
        """``<H_X>(t) = sum_{i,j in X} h_ij C_ij(t)`` for subsystem ``X``."""
        if X not in self.partition:
            raise ValueError(f"`X` must be one of the subsystems {list(self.partition)}; received {X!r}")
        modes = self.partition[X]
        C = self.correlation_matrix(t, renormalize)
        return float(np.sum(self.h[np.ix_(modes, modes)] * C[np.ix_(modes, modes)]).real)

    def total_energy(self, t: float, renormalize: bool = True) -> float:
        """``<H>(t) = sum_ij h_ij C_ij(t)``."""
        return float(np.sum(self.h * self.correlation_matrix(t, renormalize)).real)

    def interaction_energy(self, t: float, renormalize: bool = True) -> float:
        """``<H - sum_X H_X>(t)``: the inter-subsystem blocks of ``h`` contracted with ``C``."""
        C = self.correlation_matrix(t, renormalize)
        mask = np.ones(self.h.shape, dtype=bool)
        for modes in self.partition.values():
            mask[np.ix_(modes, modes)] = False
        return float(np.sum((self.h * C)[mask]).real)


def fock_correlations(h, partition: dict, temperatures: dict, times, n_max: int,
                      renormalize: bool = True) -> np.ndarray:
    """``C_ij(t) = <a_i^dag a_j>(t)`` at each time, from :class:`FockEvolution`.

    Returns:
        Complex array of shape ``(len(times), N, N)``.
    """
    ev = FockEvolution(h, partition, temperatures, n_max)
    return np.array([ev.correlation_matrix(t, renormalize) for t in np.atleast_1d(times)])


def truncation_study(h, partition: dict, temperatures: dict, t: float, n_values) -> list[dict]:
    """Convergence of ``C(t)`` with the cutoff.

    Args:
        h, partition, temperatures: as for :class:`FockEvolution`.
        t: Time.
        n_values: Cutoffs to try (sorted ascending in the output).

    Returns:
        One dict per cutoff with keys ``n_max``, ``dim``, ``tail``, ``kept_weight``, ``C``
        (renormalised), ``C_raw`` and ``diff_to_largest`` (max |C - C of the largest cutoff|).
    """
    rows = []
    for n in sorted(set(_validate_n_max(n) for n in n_values)):
        ev = FockEvolution(h, partition, temperatures, n)
        C_raw = ev.correlation_matrix(t, renormalize=False)
        rows.append({"n_max": n, "dim": ev.dim, "tail": ev.tail, "kept_weight": ev.kept_weight,
                     "C": C_raw / ev.kept_weight, "C_raw": C_raw})
    for row in rows:
        row["diff_to_largest"] = float(np.max(np.abs(row["C"] - rows[-1]["C"])))
    return rows


# ==========================================================================================
# Reduced dynamics of one subsystem with the others in the vacuum
# ==========================================================================================
def _canonical_hamiltonian_from_generator(L: np.ndarray, d: int) -> np.ndarray:
    """Hamiltonian part ``K`` (traceless) of the canonical form of a generator ``L`` (column stacking).

    With an orthonormal Hermitian basis ``G_0 = 1/sqrt(d)``, ``G_k`` traceless, and
    ``L(rho) = sum_ab c_ab G_a rho G_b^dag``, one has ``c_k0 = Tr[(conj(G_0) kron G_k)^dag L]
    = Tr[G_k^dag Y] / sqrt(d)`` with ``Y_ik = sum_j L[j d + i, j d + k]`` (a partial trace of
    the superoperator).  Completeness of ``{G_a}`` then gives
    ``F = (1/sqrt d) sum_{k>=1} c_k0 G_k = (Y - Tr(Y)/d) / d`` without building the basis, and
    ``K = (F^dag - F) / (2i)``.
    """
    Y = np.einsum("jijk->ik", L.reshape(d, d, d, d))
    F = (Y - np.trace(Y) / d * np.eye(d)) / d
    return (F.conj().T - F) / 2j


class ReducedDynamics:
    """Exact reduced dynamical map of subsystem ``S`` when every other subsystem starts at T = 0.

    The environment (all modes outside ``S``) starts in its vacuum, the ``T = 0`` Gibbs state
    (stationary under any number-conserving ``H_E``, so positivity of ``h_EE`` is not required
    here).  Since ``H`` conserves the total number, the number of particles in ``S`` can only
    decrease, and the map ``Phi_t(rho_S) = Tr_E[e^{-iHt} (rho_S x |0><0|_E) e^{iHt}]`` restricted
    to the states of ``S`` with at most ``n_max`` particles is exact: there is no truncation error.

    Conventions: ``basis`` lists the occupation tuples of ``S``'s modes, in the order of
    ``partition[system]``, sector by sector (``0..n_max`` particles); superoperators use column
    stacking, ``vec(rho)[i + j d] = rho[i, j]``; the canonical ``K`` is the operator of ``S`` such
    that the Hamiltonian part of ``L_t`` is ``-i[K, rho]``; ``k_ij`` multiplies
    ``a_i^dag a_j`` with ``i, j`` positions in ``partition[system]``.

    Attributes:
        h, partition, system, n_max: the inputs (validated).
        modes: ``partition[system]``.
        basis: list of occupation tuples of ``S`` (length ``dim``).
        dim: ``comb(n_max + n_S, n_S)``.
    """

    def __init__(self, h, partition: dict, system, n_max: int):
        """Build the sectors of the full model and the bookkeeping of ``S`` and the environment.

        Raises:
            ValueError: bad ``h``, ``partition``, ``system`` or ``n_max``.
        """
        self.h = _validate_h(h)
        self.partition = _validate_partition(partition, self.h.shape[0])
        if system not in self.partition:
            raise ValueError(f"`system` must be one of the subsystems {list(self.partition)}; received {system!r}")
        self.system = system
        self.n_max = _validate_n_max(n_max)
        self.modes = list(self.partition[system])
        self.env_modes = [m for m in range(self.h.shape[0]) if m not in self.modes]
        s_bases = [fock_basis(len(self.modes), n) for n in range(self.n_max + 1)]
        self._s_basis = np.vstack(s_bases)
        self.basis = [tuple(int(x) for x in row) for row in self._s_basis]
        self.dim = len(self.basis)
        self._s_lookup = _Lookup(self._s_basis, self.n_max + 2)
        n_env = len(self.env_modes)
        e_basis = np.vstack([fock_basis(max(n_env, 1), n) for n in range(self.n_max + 1 if n_env else 1)])
        self._d_env = len(e_basis)
        self._e_lookup = _Lookup(e_basis, self.n_max + 2)
        self._sectors = _build_sectors(self.h, self.n_max)
        self._layout = [self._sector_layout(s) for s in self._sectors]

    def _sector_layout(self, s: _Sector):
        """Rows of a sector as (S index, E index); columns with E in the vacuum as S indices."""
        row_s = self._s_lookup(s.basis[:, self.modes])
        if self.env_modes:
            occ_e = s.basis[:, self.env_modes]
            row_e = self._e_lookup(occ_e)
            cols = np.nonzero(occ_e.sum(axis=1) == 0)[0]
        else:
            row_e = np.zeros(len(s.basis), dtype=np.int64)
            cols = np.arange(len(s.basis))
        return row_s, row_e, cols, row_s[cols]

    def _psi(self, t: float, derivative: bool = False) -> np.ndarray:
        """``Psi[m, e, s] = <s, e| e^{-iHt} |m, 0_E>`` (or its time derivative)."""
        d = self.dim
        Psi = np.zeros((d, self._d_env, d), dtype=complex)
        for s, (row_s, row_e, cols, col_m) in zip(self._sectors, self._layout):
            U = s.propagator_columns(float(t), cols, derivative)
            Psi[col_m[:, None], row_e[None, :], row_s[None, :]] = U.T
        return Psi

    def _superop(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        """Matrix of ``|m><n| -> sum_e A[m, e, :] B[n, e, :]^dag`` in column stacking."""
        d = self.dim
        T = np.tensordot(A, B.conj(), axes=([1], [1]))      # [m, s, n, z]
        return T.transpose(3, 1, 2, 0).reshape(d * d, d * d)  # row z*d + s, column n*d + m

    def map(self, t: float) -> np.ndarray:
        """Superoperator ``Phi_t`` on ``S``'s truncated space (``dim^2 x dim^2``, column stacking)."""
        Psi = self._psi(t)
        return self._superop(Psi, Psi)

    def map_derivative(self, t: float) -> np.ndarray:
        """``d Phi_t / dt`` from the exact generator ``-i[H, .]`` of the full model (no differences)."""
        Psi, dPsi = self._psi(t), self._psi(t, derivative=True)
        return self._superop(dPsi, Psi) + self._superop(Psi, dPsi)

    def generator(self, t: float) -> np.ndarray:
        """Time-local generator ``L_t = (d Phi_t/dt) Phi_t^{-1}``.

        Raises:
            SingularMapError: if ``cond(Phi_t) > 1e12`` (the generator does not exist at ``t``).
        """
        Phi = self.map(t)
        cond = np.linalg.cond(Phi)
        if not np.isfinite(cond) or cond > _COND_LIMIT:
            raise SingularMapError(f"the map Phi_t of subsystem {self.system!r} is (nearly) singular at t = {t!r} "
                                   f"(condition number {cond:.3g} > {_COND_LIMIT:.0e}); the time-local generator "
                                   f"L_t = dPhi/dt Phi_t^-1 does not exist there")
        return np.linalg.solve(Phi.T, self.map_derivative(t).T).T

    def canonical_hamiltonian(self, t: float) -> np.ndarray:
        """Traceless ``K`` with Hamiltonian part ``-i[K, rho]`` in the canonical form of ``L_t``.

        Hall-Cresser-Li-Andersson form: with ``G_0 = 1/sqrt(d)``, ``G_k`` traceless Hermitian and
        orthonormal, ``L(rho) = sum_ab c_ab G_a rho G_b^dag``, ``F = (1/sqrt d) sum_{k>=1} c_k0 G_k``,
        ``K = (F^dag - F)/(2i)`` (computed without building the basis, see
        ``_canonical_hamiltonian_from_generator``).  Returned in the basis ``self.basis``.
        """
        return _canonical_hamiltonian_from_generator(self.generator(t), self.dim)

    def hopping_operator(self, i: int, j: int) -> np.ndarray:
        """``a_i^dag a_j`` on ``S``'s truncated space (``i, j`` positions in ``partition[system]``)."""
        A = np.zeros((self.dim, self.dim), dtype=complex)
        src, dst, amp = _hopping(self._s_basis, self._s_lookup, i, j)
        A[dst, src] = amp
        return A

    def number_conserving_form(self, K: np.ndarray):
        """Least-squares fit ``K = sum_ij k_ij a_i^dag a_j + c 1`` on ``S``'s truncated space.

        Args:
            K: ``dim x dim`` operator in the basis ``self.basis``.

        Returns:
            ``(k, c, residual)``: ``k`` is ``n_S x n_S`` complex (``k_ij`` multiplies
            ``a_i^dag a_j``), ``c`` a complex scalar, ``residual`` the Frobenius norm of
            ``K - fit``.
        """
        K = np.asarray(K, dtype=complex)
        if K.shape != (self.dim, self.dim):
            raise ValueError(f"`K` must be {self.dim} x {self.dim}; received shape {K.shape}")
        m = len(self.modes)
        ops = [self.hopping_operator(i, j) for i in range(m) for j in range(m)] + [np.eye(self.dim)]
        design = np.stack([op.ravel() for op in ops], axis=1)
        coef, *_ = np.linalg.lstsq(design, K.ravel(), rcond=None)
        residual = float(np.linalg.norm(design @ coef - K.ravel()))
        return coef[:-1].reshape(m, m), complex(coef[-1]), residual
