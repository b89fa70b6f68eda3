"""Independent numeric solver for Born-Markov-secular (Davies) master equations.

This module is the *numeric* half of qsym's symbolic/numeric cross-check.  It shares nothing
with the symbolic derivations except the model definition (:class:`qsym.model.OpenSystem`,
its operators and baths): the SymPy matrices are turned into numbers with
:func:`sympy.lambdify` (once per model, cached), and everything else -- diagonalisation,
Bohr-frequency decomposition, the Liouvillian, its null space, the steady state and the
heat currents -- is done here with NumPy/SciPy.

Physics implemented (hbar = k_B = 1):

* **Global master equation** (Breuer & Petruccione, *The Theory of Open Quantum Systems*,
  Sec. 3.3.1, eqs. 3.118-3.120 for the jump operators ``A(w) = sum_{E'-E=w} Pi(E) A Pi(E')``
  and eqs. 3.140-3.144 for the Davies generator): with ``H = sum_n E_n |n><n|`` and a
  bath coupled through ``A``, the dissipator is ``D(rho) = sum_w gamma(w) (A(w) rho A(w)^dag
  - 1/2 {A(w)^dag A(w), rho})`` where ``w`` runs over the Bohr frequencies (energy released
  into the bath).  Degenerate Bohr frequencies are merged into one jump operator.  The Lamb
  shift is neglected.
* **Coupling forms** (see :mod:`qsym.baths`): ``form="rwa"``, ``H_SB = L^dag X + L X^dag``:
  jumps ``L(w)`` with ``w > 0`` at the emission rate and ``L(w)^dag`` at the absorption rate;
  components of ``L`` with ``w <= 0`` are dropped (with a warning).  ``form="hermitian"``,
  ``H_SB = S (X + X^dag)``: every Bohr component ``S(w)`` with ``gamma(w) = g(w)(1+n(w))``
  for ``w > 0``, ``g(|w|) n(|w|)`` for ``w < 0`` and ``lim_{w->0+} g(w) n(w)`` for ``w = 0``
  (KMS detailed balance ``gamma(-w) = exp(-w/T) gamma(w)``, B&P eq. 3.156).  Bosonic baths:
  ``n(w) = 1/expm1(w/T)``; fermionic leads: ``1+n -> 1-f``, ``n -> f`` with the Fermi function
  ``f(w) = 1/(exp((w-mu)/T)+1)``; thermalizers (Diosi 2014, slide 2): ``1+n -> 1``,
  ``n -> exp(-w/T)`` (emission ``g(w)``, absorption ``g(w) exp(-w/T)``).
* **Extra dissipators** (:class:`qsym.model.Dissipator`, e.g. Diosi's incoherent coupling
  ``L^K_AB``, slides 3-4): the given jump operators and rates are added to the Liouvillian as
  they are (transformed to the working basis), with no Bohr decomposition.  They exchange no
  heat with any bath; the energy they inject, ``Tr[H D(rho)]``, is reported separately
  (``noise_energy_currents``) and enters the entropy production only through the baths'
  currents.
* **Local master equation**: the jump operators are the Bohr components of the coupling
  operator with respect to ``H_loc``, the projection of ``H`` onto sums of single-site
  operators (Hilbert-Schmidt projection computed with partial traces); the coherent part
  uses the full ``H`` (e.g. Hofer et al., New J. Phys. 19, 123037 (2017), eq. 8; Levy &
  Kosloff, EPL 107, 20004 (2014)).
* **Steady state**: null vector of the Liouvillian ``Lv = -i(I (x) H - H^T (x) I) + sum_X D_X``
  (column-stacking vectorisation, ``vec(A X B) = (B^T (x) A) vec X``) normalised to unit
  trace.  For the global equation it is computed in the energy eigenbasis, where the Davies
  generator decouples populations from coherences (B&P eq. 3.145, the Pauli master
  equation); populations-only blocks are solved with the subtraction-free
  Grassmann-Taksar-Heyman algorithm (Grassmann, Taksar & Heyman, Oper. Res. 33, 1107 (1985)),
  which gives every population to a few ulps of *relative* accuracy.
* **Heat currents** (positive into the system): ``q_X = Tr[H D_X(rho_ss)]`` for bosonic baths
  and ``q_X = Tr[H D_X(rho_ss)] - mu_X J_X`` for fermionic leads, ``J_X`` the particle
  current into the system; entropy production ``sigma = -sum_X q_X / T_X >= 0`` (Spohn's
  inequality, B&P Sec. 3.2.3 / Spohn, J. Math. Phys. 19, 1227 (1978)).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
import math
from typing import Callable, Mapping
import warnings

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla
from scipy.sparse.csgraph import connected_components
from scipy.special import expit
import sympy as sp
from sympy.core.function import AppliedUndef

from qsym.algebra.operators import Operator
from qsym.baths import UndefinedSpectrum, bath_kind
from qsym.model import OpenSystem

__all__ = [
    "NumericSolver", "NumericResult", "Dissipator", "Jump", "BohrComponent",
    "SecularityWarning", "NonUniqueSteadyStateError",
    "gibbs_state", "local_hamiltonian", "bohr_decomposition", "lindblad_superoperator",
    "steady_state",
]

_EPS = np.finfo(float).eps


from qsym.errors import NonUniqueSteadyStateError, SecularityWarning  # shared with the symbolic path


# ==========================================================================================
# Small numeric building blocks
# ==========================================================================================
def _check_hermitian(H: np.ndarray, name: str = "H", tol: float = 1e-12) -> np.ndarray:
    """Raise ``ValueError`` naming ``name`` if ``H`` is not Hermitian; return ``(H + H^dag)/2``."""
    H = np.asarray(H, dtype=complex)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"Argument `{name}` must be a square matrix, got shape {H.shape}")
    if not np.all(np.isfinite(H)):
        i, j = np.argwhere(~np.isfinite(H))[0]
        raise ValueError(f"Argument `{name}` has a non-finite entry {name}[{i},{j}] = {H[i, j]} "
                         f"at the given parameter values")
    diff = np.abs(H - H.conj().T)
    scale = max(1.0, float(np.abs(H).max(initial=0.0)))
    if diff.max(initial=0.0) > tol * scale:
        i, j = np.unravel_index(np.argmax(diff), diff.shape)
        raise ValueError(
            f"Argument `{name}` is not Hermitian at the given parameter values: "
            f"{name}[{i},{j}] = {H[i, j]:.6g} but conj({name}[{j},{i}]) = {np.conj(H[j, i]):.6g} "
            f"(max |{name} - {name}^dag| = {diff.max():.3g}); check that the parameters that "
            f"should be real were given real values")
    return 0.5 * (H + H.conj().T)


def gibbs_state(H: np.ndarray, T: float) -> np.ndarray:
    """Thermal state ``exp(-H/T)/Tr exp(-H/T)`` of a Hermitian matrix ``H`` at temperature ``T``
    (B&P eq. 3.154), computed in the eigenbasis with the ground energy subtracted so that it
    never overflows.

    Examples:
        >>> import numpy as np
        >>> rho = gibbs_state(np.diag([0.5, -0.5]), 1.0)
        >>> bool(np.isclose(rho[1, 1] / rho[0, 0], np.e))
        True
    """
    T = float(T)
    if not np.isfinite(T) or T <= 0:
        raise ValueError(f"Argument `T` of gibbs_state must be positive and finite, got {T}")
    H = _check_hermitian(H)
    E, V = np.linalg.eigh(H)
    w = np.exp(-(E - E[0]) / T)
    w /= w.sum()
    rho = (V * w) @ V.conj().T
    return 0.5 * (rho + rho.conj().T)


def local_hamiltonian(H: np.ndarray, dims) -> np.ndarray:
    """Hilbert-Schmidt projection of ``H`` onto ``span{1, A_k (x) 1_rest}``: the sum of its
    single-site parts, dropping every part that acts non-trivially on two or more sites.

    With ``h_k = Tr_{not k}[H] / (D/d_k)`` (``D`` the total, ``d_k`` the site dimension),
    ``H_loc = sum_k h_k (embedded) - (N-1) Tr[H]/D * 1``: the identity component is counted
    once, and all products of traceless local operators are removed.
    """
    H = np.asarray(H, dtype=complex)
    dims = [int(d) for d in dims]
    D = int(np.prod(dims))
    if H.shape != (D, D):
        raise ValueError(f"H has shape {H.shape} but the site dimensions {dims} give {D}")
    N = len(dims)
    if N == 1:
        return H.copy()
    T = H.reshape(dims + dims)
    out = -(N - 1) * np.trace(H) / D * np.eye(D, dtype=complex)
    for k in range(N):
        rows = list(range(N))
        cols = [N + j if j == k else j for j in range(N)]  # trace over all j != k
        hk = np.einsum(T, rows + cols, [k, N + k]) / (D / dims[k])
        left = np.eye(int(np.prod(dims[:k])), dtype=complex)
        right = np.eye(int(np.prod(dims[k + 1:])), dtype=complex)
        out += np.kron(np.kron(left, hk), right)
    return 0.5 * (out + out.conj().T)


def _chain_clusters(values: np.ndarray, tol: float) -> list[np.ndarray]:
    """Indices of ``values`` grouped into clusters of consecutive sorted values whose gaps
    are ``<= tol`` (single linkage; symmetric under ``values -> -values``)."""
    order = np.argsort(values, kind="stable")
    if len(order) == 0:
        return []
    breaks = np.nonzero(np.diff(values[order]) > tol)[0] + 1
    return np.split(order, breaks)


@dataclass(frozen=True, eq=False)
class BohrComponent:
    """One Bohr component ``A(w) = sum_{E_j - E_i ~ w} |i><i|A|j><j|`` (B&P eq. 3.118).

    ``transitions`` lists ``(j, i)`` level pairs (initial -> final, indices of the energies
    used for the decomposition); ``representative`` is the pair with the largest amplitude.
    """

    frequency: float
    operator: np.ndarray
    transitions: tuple
    representative: tuple
    amplitude: float


def bohr_decomposition(A: np.ndarray, energies: np.ndarray, tol: float,
                       amp_tol: float = 0.0) -> list[BohrComponent]:
    """Split ``A`` (given in the eigenbasis of ``energies``) into Bohr components.

    ``w = E_j - E_i`` is the energy *released* by the transition ``j -> i`` carried by the
    matrix element ``A[i, j]``.  Elements with ``|A[i,j]| <= amp_tol`` are ignored; Bohr
    frequencies within ``tol`` of each other (single linkage) form one component, whose
    frequency is the mean of its members (snapped to exactly 0 if within ``tol`` of 0).
    Returns the components sorted by frequency.
    """
    A = np.asarray(A, dtype=complex)
    E = np.asarray(energies, dtype=float)
    W = E[None, :] - E[:, None]
    mask = np.abs(A) > amp_tol
    idx = np.argwhere(mask)
    if len(idx) == 0:
        return []
    w = W[mask]
    comps = []
    for g in _chain_clusters(w, tol):
        rows, cols = idx[g, 0], idx[g, 1]
        J = np.zeros_like(A)
        J[rows, cols] = A[rows, cols]
        freq = float(np.mean(w[g]))
        if abs(freq) <= tol:
            freq = 0.0
        amps = np.abs(A[rows, cols])
        k = int(np.argmax(amps))
        comps.append(BohrComponent(freq, J, tuple((int(c), int(r)) for r, c in zip(rows, cols)),
                                   (int(cols[k]), int(rows[k])), float(amps[k])))
    return comps


@dataclass(frozen=True, eq=False)
class Jump:
    """A Lindblad term ``rate * (J rho J^dag - 1/2 {J^dag J, rho})``.

    ``frequency`` is the energy released into the bath (``> 0`` emission, ``< 0``
    absorption, ``0`` pure dephasing); ``operator`` is ``J`` in the basis of its owner.
    """

    frequency: float
    rate: float
    operator: np.ndarray


def _apply_jumps(jumps, rho: np.ndarray) -> np.ndarray:
    out = np.zeros_like(rho, dtype=complex)
    for jp in jumps:
        if jp.rate == 0.0:
            continue
        J = jp.operator
        JdJ = J.conj().T @ J
        out += jp.rate * (J @ rho @ J.conj().T - 0.5 * (JdJ @ rho + rho @ JdJ))
    return out


def lindblad_superoperator(H: np.ndarray | None, jumps, dim: int) -> sps.csr_matrix:
    """Sparse Lindblad generator in column-stacking convention (B&P eq. 3.66):
    ``-i (1 (x) H - H^T (x) 1) + sum_k rate_k (conj(J_k) (x) J_k - 1/2 (1 (x) J_k^dag J_k)
    - 1/2 ((J_k^dag J_k)^T (x) 1))``.  ``H=None`` gives the dissipator only.

    Small systems (``dim <= 16``) are assembled with dense Kronecker products (much faster than
    sparse ones at that size) and returned sparse."""
    if dim <= 16:
        I = np.eye(dim, dtype=complex)
        Ld = np.zeros((dim * dim, dim * dim), dtype=complex)
        if H is not None:
            Hd = np.asarray(H, dtype=complex)
            Ld -= 1j * (np.kron(I, Hd) - np.kron(Hd.T, I))
        for jp in jumps:
            if jp.rate == 0.0:
                continue
            J = np.asarray(jp.operator, dtype=complex)
            JdJ = J.conj().T @ J
            Ld += jp.rate * (np.kron(J.conj(), J) - 0.5 * np.kron(I, JdJ) - 0.5 * np.kron(JdJ.T, I))
        L = sps.csr_matrix(Ld)
        L.eliminate_zeros()
        return L
    I = sps.identity(dim, dtype=complex, format="csr")
    L = sps.csr_matrix((dim * dim, dim * dim), dtype=complex)
    if H is not None:
        Hs = sps.csr_matrix(np.asarray(H, dtype=complex))
        L = L - 1j * (sps.kron(I, Hs) - sps.kron(Hs.T, I))
    for jp in jumps:
        if jp.rate == 0.0:
            continue
        J = sps.csr_matrix(np.asarray(jp.operator, dtype=complex))
        JdJ = (J.conj().T @ J).tocsr()
        L = L + jp.rate * (sps.kron(J.conj(), J) - 0.5 * sps.kron(I, JdJ) - 0.5 * sps.kron(JdJ.T, I))
    L = sps.csr_matrix(L)
    L.eliminate_zeros()
    return L


@dataclass(frozen=True, eq=False)
class Dissipator:
    """The dissipator ``D_X`` of one bath in the site (product) basis: a sum of
    :class:`Jump` terms.  Call it on a density matrix, or use :attr:`superoperator`."""

    bath: str
    jumps: tuple
    dim: int

    def __call__(self, rho: np.ndarray) -> np.ndarray:
        return _apply_jumps(self.jumps, np.asarray(rho, dtype=complex))

    @cached_property
    def superoperator(self) -> sps.csr_matrix:
        """Column-stacking sparse superoperator of ``D_X``."""
        return lindblad_superoperator(None, self.jumps, self.dim)


# ==========================================================================================
# Steady state of a Liouvillian
# ==========================================================================================
def _gth_stationary(K: np.ndarray) -> np.ndarray | None:
    """Stationary vector of a rate matrix ``K`` (``K[n,p]`` = rate p -> n, ``n != p``) by the
    Grassmann-Taksar-Heyman state reduction: subtraction free, componentwise accurate.
    Returns ``None`` if the chain is reducible (some reduced outflow vanishes)."""
    n = K.shape[0]
    A = np.array(K.T, dtype=float)  # A[p, n] = rate p -> n
    np.fill_diagonal(A, 0.0)
    for k in range(n - 1, 0, -1):
        s = A[k, :k].sum()
        if not s > 0:
            return None
        A[:k, k] /= s
        A[:k, :k] += np.outer(A[:k, k], A[k, :k])
    pi = np.zeros(n)
    pi[0] = 1.0
    for k in range(1, n):
        pi[k] = pi[:k] @ A[:k, k]
    return pi / pi.sum()


def _block_nullity(M, thresh: float) -> int:
    m = M.shape[0]
    if m <= 1500:
        s = np.linalg.svd(M.toarray() if sps.issparse(M) else M, compute_uv=False)
        return int(np.sum(s <= thresh))
    # large block: eigenvalues nearest 0 by shift-invert (shift slightly right of the
    # spectrum, which lies in Re <= 0 for a Lindbladian)
    M = sps.csc_matrix(M)
    k = min(8, m - 2)
    while True:
        vals = spla.eigs(M, k=k, sigma=10 * thresh + 1e-300, return_eigenvectors=False)
        count = int(np.sum(np.abs(vals) <= thresh))
        if count < k or k >= m - 2:
            return count
        k = min(2 * k, m - 2)


def steady_state(L, dim: int, *, dissipative_scale: float | None = None,
                 nullspace_tol: float = 1e-10, allow_nonunique: bool = False):
    """Trace-one null vector of the Liouvillian ``L`` (``dim^2 x dim^2``, column stacking).

    The Liouvillian is split into the connected components of its sparsity graph (the
    invariant blocks, e.g. the population block of a Davies generator, B&P eq. 3.145); the
    null-space dimension is the number of singular values of the blocks below
    ``max(nullspace_tol * dissipative_scale, 1e3 * eps * ||L||_F)``.  The steady state is the
    solution of the block that contains the populations with one population equation
    replaced by the trace condition (Grassmann-Taksar-Heyman if the block holds populations
    only).  If the null space has dimension > 1 a :class:`NonUniqueSteadyStateError` is raised
    unless ``allow_nonunique``, in which case the state reached from the maximally mixed state
    (the spectral projection of ``1/dim`` on the null space) is returned.

    Returns ``(rho, nullspace_dim)`` with ``rho`` Hermitian, trace one.
    """
    L = sps.csr_matrix(L, dtype=complex)
    L.eliminate_zeros()
    n = dim * dim
    if L.shape != (n, n):
        raise ValueError(f"Liouvillian has shape {L.shape}, expected {(n, n)}")
    fro = float(spla.norm(L)) if L.nnz else 0.0
    ds = fro if dissipative_scale is None else float(dissipative_scale)
    thresh = max(nullspace_tol * ds, 1e3 * _EPS * fro, 1e-300)
    ncomp, labels = connected_components(L != 0, directed=True, connection="weak")
    diag = np.arange(dim) * (dim + 1)
    blocks = [np.nonzero(labels == c)[0] for c in range(ncomp)]
    nullities = [_block_nullity(L[b][:, b], thresh) for b in blocks]
    total = int(sum(nullities))
    diag_set = set(diag.tolist())
    with_pop = [i for i, b in enumerate(blocks) if diag_set.intersection(b.tolist())]
    if total > 1 and not allow_nonunique:
        raise NonUniqueSteadyStateError(
            f"the steady state is not unique: the Liouvillian has a {total}-dimensional null space, "
            f"so the long-time state depends on the initial state (typically a part of the system "
            f"that no bath reaches, or a conserved quantity); pass allow_nonunique=True to get the "
            f"state reached from the maximally mixed initial state")
    vec = np.zeros(n, dtype=complex)
    if total == 1 or (total == 0 and len(with_pop) == 1):
        cand = [i for i in with_pop if nullities[i] >= 1] or with_pop
        b = blocks[cand[0]]
        M = L[b][:, b]
        is_pop = np.isin(b, diag)
        x = None
        if is_pop.all():
            Md = M.toarray()
            if np.abs(Md.imag).max(initial=0.0) <= 1e-13 * np.abs(Md.real).max(initial=1e-300):
                x = _gth_stationary(Md.real)
        if x is None:
            r = int(np.nonzero(is_pop)[0][0])
            A = sps.lil_matrix(M)
            A[r, :] = is_pop.astype(complex)[None, :]
            rhs = np.zeros(len(b), dtype=complex)
            rhs[r] = 1.0
            if len(b) <= 64:
                x = np.linalg.solve(A.toarray(), rhs)
            else:
                x = spla.spsolve(sps.csc_matrix(A), rhs)
        vec[b] = x
    else:
        x0 = np.zeros(n, dtype=complex)
        x0[diag] = 1.0 / dim
        for i in with_pop:
            if nullities[i] == 0:
                continue
            b = blocks[i]
            M = L[b][:, b].toarray()
            U, s, Vh = np.linalg.svd(M)
            k = nullities[i]
            R = Vh[-k:].conj().T           # right null vectors
            Lf = U[:, -k:]                  # left null vectors: Lf^dag M = 0
            P0 = R @ np.linalg.solve(Lf.conj().T @ R, Lf.conj().T)
            vec[b] = P0 @ x0[b]
    rho = vec.reshape((dim, dim), order="F")
    rho = 0.5 * (rho + rho.conj().T)
    tr = np.trace(rho).real
    if not np.isfinite(tr) or tr == 0:
        raise NonUniqueSteadyStateError(
            "could not normalise the steady state (its trace vanishes); the Liouvillian null "
            f"space found numerically has dimension {total}")
    return rho / tr, total


# ==========================================================================================
# Compiling the model (SymPy -> NumPy), cached per model
# ==========================================================================================
def _lambdify(params, expr):
    return sp.lambdify(params, expr, modules="numpy", dummify=True)


@dataclass(frozen=True, eq=False)
class _CompiledBath:
    name: str
    kind: str            # "bosonic" | "fermionic"
    form: str            # "rwa" | "hermitian"
    op: Callable
    temperature: Callable
    mu: Callable | None
    g: Callable | None   # g(w, *params) for concrete spectra, None if a callable is required


@dataclass(frozen=True, eq=False)
class _CompiledDissipator:
    name: str
    jumps: tuple         # ((rate(*params), operator(*params)), ...)


@dataclass(frozen=True, eq=False)
class _CompiledModel:
    params: tuple
    dims: tuple
    H: Callable
    baths: tuple
    dissipators: tuple = ()


def _compile(model: OpenSystem) -> _CompiledModel:
    """Lambdified model, cached per (hashable) model."""
    try:
        return _compile_cached(model)
    except TypeError:  # unhashable model: compile without caching
        return _compile_uncached(model)


@lru_cache(maxsize=128)
def _compile_cached(model: OpenSystem) -> _CompiledModel:
    return _compile_uncached(model)


def _compile_uncached(model: OpenSystem) -> _CompiledModel:
    params = tuple(model.parameters)
    dims = tuple(s.dim for s in model.H.space.sites)
    Hf = _lambdify(params, model.H.matrix)
    baths = []
    w = sp.Dummy("w", positive=True)
    for c in model.couplings:
        bath = c.bath
        kind = bath_kind(bath, "the numeric solver")
        g = None
        if not isinstance(bath.spectral, UndefinedSpectrum):
            try:
                expr = sp.sympify(bath.spectral.expression(w, bath.name))
            except NotImplementedError:
                expr = None
            if expr is not None and not expr.atoms(AppliedUndef):
                extra = expr.free_symbols - {w} - set(params)
                if extra:
                    params_names = sorted(s.name for s in extra)
                    raise ValueError(f"spectral function of bath {bath.name!r} depends on symbols "
                                     f"{params_names} that are not model parameters")
                g = _lambdify((w,) + params, expr)
        mu = _lambdify(params, bath.chemical_potential) if kind == "fermionic" else None
        baths.append(_CompiledBath(bath.name, kind, c.form, _lambdify(params, c.operator.matrix),
                                   _lambdify(params, bath.temperature), mu, g))
    dissipators = tuple(
        _CompiledDissipator(D.name, tuple((_lambdify(params, rate), _lambdify(params, op.matrix)) for rate, op in D.jumps))
        for D in getattr(model, "dissipators", ()))
    return _CompiledModel(params, dims, Hf, tuple(baths), dissipators)


def _as_number(v, what: str):
    try:
        z = complex(v)
    except (TypeError, ValueError):
        raise TypeError(f"value of {what} must be a number, got {v!r}") from None
    return z.real if z.imag == 0 else z


def _resolve_values(params, values: Mapping) -> dict:
    """Numeric value for every parameter; symbols may be keyed by the Symbol or its name.
    Symbols that carry a ``definition`` (qsym DefinedSymbol) are evaluated from it if not
    given.  Raises ``KeyError`` naming every missing symbol."""
    by_name: dict[str, list] = {}
    for k in values:
        by_name.setdefault(k if isinstance(k, str) else getattr(k, "name", str(k)), []).append(k)
    out: dict = {}

    def lookup(s, stack=()):
        if s in out:
            return out[s]
        if s in values:
            out[s] = _as_number(values[s], f"symbol {s}")
            return out[s]
        keys = by_name.get(s.name, [])
        if len(keys) == 1:
            out[s] = _as_number(values[keys[0]], f"symbol {s}")
            return out[s]
        definition = getattr(s, "definition", None)
        if definition is not None and s not in stack:
            sub = {}
            for t in definition.free_symbols:
                v = lookup(t, stack + (s,))
                if v is None:
                    return None
                sub[t] = v
            out[s] = _as_number(complex(definition.xreplace(sub).evalf(17)), f"symbol {s}")
            return out[s]
        return None

    missing = [s for s in params if lookup(s) is None]
    if missing:
        raise KeyError(
            f"no numeric value given for the model parameter(s) {[s.name for s in missing]}; "
            f"`values` must map every symbol of model.parameters "
            f"({[s.name for s in params]}) to a number")
    return {s: out[s] for s in params}


# ==========================================================================================
# Rates
# ==========================================================================================
class _Rates:
    """Emission/absorption rates of one bath at numeric parameters."""

    def __init__(self, name, kind, T, mu, g):
        self.name, self.kind, self.T, self.mu, self._g = name, kind, T, mu, g

    def g(self, w: float) -> float:
        val = np.asarray(self._g(w))
        if np.iscomplexobj(val):
            if np.abs(val.imag).max(initial=0.0) > 1e-12 * max(1.0, np.abs(val.real).max(initial=0.0)):
                raise ValueError(f"spectral function of bath {self.name!r} returned the complex "
                                 f"value {val} at omega = {w:.6g}; it must be real and >= 0")
            val = val.real
        if val.size != 1:
            raise ValueError(f"spectral function of bath {self.name!r} returned an array of shape "
                             f"{val.shape} for the scalar omega = {w:.6g}")
        v = float(val.reshape(()))
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"spectral function of bath {self.name!r} returned {v!r} at "
                             f"omega = {w:.6g}; a spectral function must be finite and >= 0")
        return v

    def emission(self, w: float) -> float:
        """Rate of releasing energy ``w > 0``: ``g(1+n) = -g/expm1(-w/T)``, ``g(1-f)``, or ``g``
        for a thermalizer."""
        if self.kind == "thermalizer":
            return self.g(w)
        if self.kind == "bosonic":
            return self.g(w) * (-1.0 / math.expm1(-w / self.T))
        return self.g(w) * float(expit((w - self.mu) / self.T))

    def absorption(self, w: float) -> float:
        """Rate of absorbing energy ``w > 0``: ``g n = g/expm1(w/T)``, ``g f``, or
        ``g exp(-w/T)`` for a thermalizer."""
        if self.kind == "thermalizer":
            return self.g(w) * math.exp(-w / self.T)
        if self.kind == "bosonic":
            x = w / self.T
            # expm1 overflows above ~709.78; exp(-x) underflows to 0 past ~745 anyway
            return self.g(w) * math.exp(-x) / -math.expm1(-x) if x > 700 else self.g(w) / math.expm1(x)
        return self.g(w) * float(expit(-(w - self.mu) / self.T))

    def zero_frequency(self, scale: float) -> float:
        """``lim_{w->0+}`` of the absorption rate by Richardson extrapolation of values at
        ``w = h, h/2, h/4, ...`` (refined until two step sizes agree); raises ``ValueError``
        naming the bath if it diverges (e.g. a flat spectrum: ``g n ~ g T / w``)."""
        def estimate(h0):
            hs = h0 * 0.5 ** np.arange(6)
            vals = np.array([self.absorption(h) for h in hs])
            if not np.all(np.isfinite(vals)):
                raise ValueError(f"the zero-frequency (dephasing) rate of bath {self.name!r} is not "
                                 f"finite: g(w) n(w) = {vals[-1]} at w = {hs[-1]:.3g}")
            if vals[-1] > 2.0 * vals[0] and vals[-1] > 0:
                raise ValueError(
                    f"the zero-frequency (pure dephasing) rate lim_(w->0+) g(w) n(w) of bath "
                    f"{self.name!r} diverges (g n = {vals[0]:.4g} at w = {hs[0]:.3g} but "
                    f"{vals[-1]:.4g} at w = {hs[-1]:.3g}); the coupling operator has a "
                    f"zero-frequency component, so use a spectral function with g(w) -> 0 at least "
                    f"linearly (e.g. OhmicSpectrum) or remove the diagonal part of the coupling")
            R = [vals.tolist()]
            for m in range(1, len(hs)):
                prev = R[-1]
                R.append([prev[k] + (prev[k] - prev[k - 1]) / (2.0 ** m - 1) for k in range(1, len(prev))])
            return R[4][-1]

        h = 1e-3 * min(self.T, scale)
        est = estimate(h)
        for _ in range(6):
            h /= 8
            new = estimate(h)
            if abs(new - est) <= 1e-11 * max(abs(new), 1e-300):
                return max(new, 0.0)
            est = new
        return max(est, 0.0)


# ==========================================================================================
# Result
# ==========================================================================================
def _readonly(a):
    a = np.asarray(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class NumericResult:
    """Numeric steady state of an :class:`~qsym.model.OpenSystem` at given parameter values.

    Attributes:
        master: ``"global"`` or ``"local"``.
        values: the numeric value used for every model parameter.
        H: the numeric Hamiltonian (site/product basis).
        energies, eigenvectors: ``numpy.linalg.eigh(H)`` (ascending energies, columns).
        rho: steady state in the site/product basis.
        rho_eigenbasis: steady state in the eigenbasis of ``H``.
        populations: diagonal of ``rho_eigenbasis`` (order of ``energies``).
        heat_currents: bath name -> heat current into the system (``Tr[H D_X(rho)]``, minus
            ``mu_X`` times the particle current for a fermionic lead).
        energy_currents: bath name -> ``Tr[H D_X(rho)]``.
        particle_currents: bath name -> particle current into the system (fermionic leads with
            an RWA coupling; ``nan`` otherwise).
        temperatures: bath name -> numeric temperature.
        entropy_production: ``-sum_X q_X / T_X``.
        rate_matrices: (global only, else None) bath name -> Pauli rate matrix ``K`` in the
            eigenbasis: ``K[n,p]`` = rate ``p -> n``, diagonal = minus total outflow.
        bohr_frequencies: sorted distinct positive Bohr frequencies of the jump operators
            (of ``H`` for global, of ``H_loc`` for local).
        nullspace_dim: dimension of the numerically computed null space of the Liouvillian.
        liouvillian: sparse Liouvillian in the site basis (column stacking, coherent part with
            the full ``H``), built on first access.
        dissipators: bath name (and the name of each extra model dissipator) ->
            :class:`Dissipator` (site basis; callable and ``.superoperator``).
        H_local: ``H_loc`` for the local master equation, else None.
        noise_energy_currents: name of each extra model dissipator -> the energy it injects,
            ``Tr[H D(rho)]`` (zero for jumps that commute with ``H``).
    """

    master: str
    values: dict
    H: np.ndarray
    energies: np.ndarray
    eigenvectors: np.ndarray
    rho: np.ndarray
    rho_eigenbasis: np.ndarray
    populations: np.ndarray
    heat_currents: dict
    energy_currents: dict
    particle_currents: dict
    temperatures: dict
    entropy_production: float
    rate_matrices: dict | None
    bohr_frequencies: np.ndarray
    nullspace_dim: int
    dissipators: dict
    H_local: np.ndarray | None = None
    noise_energy_currents: dict = field(default_factory=dict)

    @cached_property
    def liouvillian(self) -> sps.csr_matrix:
        return lindblad_superoperator(self.H, [jp for D in self.dissipators.values() for jp in D.jumps],
                                      self.H.shape[0])

    def coherence(self, i: int, j: int) -> complex:
        """``<i|rho|j>`` in the eigenbasis of ``H`` (levels in ascending energy, from 0)."""
        return complex(self.rho_eigenbasis[i, j])

    def expectation(self, op) -> float | complex:
        """``Tr[rho op]`` for a site-basis matrix (or a qsym Operator, evaluated at
        :attr:`values`); real for a Hermitian ``op``."""
        if isinstance(op, Operator):
            M = op.matrix
            if M.free_symbols:
                M = M.xreplace({s: self.values[s] for s in M.free_symbols if s in self.values})
            op = np.array(M.evalf(17).tolist(), dtype=complex)
        op = np.asarray(op, dtype=complex)
        if op.shape != self.rho.shape:
            raise ValueError(f"operator has shape {op.shape}, the state has shape {self.rho.shape}")
        val = complex(np.trace(self.rho @ op))
        if np.allclose(op, op.conj().T, rtol=0, atol=1e-14 * max(1.0, np.abs(op).max())):
            return val.real
        return val


# ==========================================================================================
# Solver
# ==========================================================================================
class NumericSolver:
    """Numeric Born-Markov-secular steady-state solver for an :class:`OpenSystem`.

    Args:
        model: the model.
        master: ``"global"`` -- Davies generator in the eigenbasis of ``H``, one dissipator per
            bath (B&P eqs. 3.140-3.144); ``"local"`` -- jump operators from the Bohr
            decomposition of each coupling operator with respect to the local Hamiltonian
            ``H_loc`` (single-site parts of ``H``), rates at the local Bohr frequencies, and the
            coherent part with the full ``H``.
        degeneracy_tol: Bohr frequencies (and energies) closer than
            ``degeneracy_tol * max(1, E_max - E_min)`` are treated as equal.
        nullspace_tol: relative tolerance (w.r.t. the Frobenius norm of the dissipative part)
            below which a Liouvillian singular value counts as zero.

    Examples:
        >>> import sympy as sp
        >>> from qsym.algebra.operators import qubits
        >>> from qsym.baths import BosonicBath, FlatSpectrum
        >>> from qsym.model import OpenSystem, Coupling
        >>> w, T = sp.symbols("omega T", positive=True)
        >>> (q,) = qubits(1)
        >>> m = OpenSystem(w / 2 * q.sz, (Coupling(q.sm, BosonicBath("A", T, FlatSpectrum(0.01))),))
        >>> r = NumericSolver(m).solve({w: 1.0, T: 0.5})
        >>> bool(np.isclose(r.populations[0] / r.populations[1], np.exp(2.0), rtol=1e-13))
        True
    """

    def __init__(self, model: OpenSystem, master: str = "global", degeneracy_tol: float = 1e-9,
                 nullspace_tol: float = 1e-10):
        if not isinstance(model, OpenSystem):
            raise TypeError(f"Argument `model` must be a qsym OpenSystem, got {type(model).__name__}")
        if master not in ("global", "local"):
            raise ValueError(f"Argument `master` must be 'global' or 'local', got {master!r}")
        if not (degeneracy_tol > 0 and np.isfinite(degeneracy_tol)):
            raise ValueError(f"Argument `degeneracy_tol` must be positive, got {degeneracy_tol}")
        self.model = model
        self.master = master
        self.degeneracy_tol = float(degeneracy_tol)
        self.nullspace_tol = float(nullspace_tol)
        self._compiled = _compile(model)

    # --------------------------------------------------------------------------------------
    def _numeric_rates(self, cb: _CompiledBath, args, spectral: Mapping) -> _Rates:
        T = _as_number(cb.temperature(*args), f"temperature of bath {cb.name!r}")
        if isinstance(T, complex) or not np.isfinite(T) or T <= 0:
            raise ValueError(f"temperature of bath {cb.name!r} must be positive and finite, but is "
                             f"{T} at the given parameter values")
        mu = 0.0
        if cb.mu is not None:
            mu = _as_number(cb.mu(*args), f"chemical potential of bath {cb.name!r}")
            if isinstance(mu, complex) or not np.isfinite(mu):
                raise ValueError(f"chemical potential of bath {cb.name!r} must be real, got {mu}")
        if cb.name in spectral:
            fn = spectral[cb.name]
            if not callable(fn):
                raise TypeError(f"spectral[{cb.name!r}] must be a callable g(omega), got {type(fn).__name__}")
            g = fn
        elif cb.g is not None:
            gl = cb.g
            g = lambda w, _a=tuple(args): gl(w, *_a)  # noqa: E731
        else:
            raise ValueError(
                f"bath {cb.name!r} has an undefined spectral function g_{cb.name}(omega); pass "
                f"spectral={{{cb.name!r}: callable}} giving g_{cb.name}(omega) >= 0 for omega > 0")
        return _Rates(cb.name, cb.kind, float(T), float(mu), g)

    def solve(self, values: Mapping, spectral: Mapping | None = None, *,
              allow_nonunique: bool = False) -> NumericResult:
        """Steady state, currents and entropy production at numeric parameter ``values``.

        Args:
            values: ``{Symbol (or its name): number}`` for every symbol in
                ``model.parameters`` (``KeyError`` naming the missing ones otherwise).
            spectral: ``{bath name: g(omega)}``; required for baths with an
                :class:`~qsym.baths.UndefinedSpectrum`, optional (overriding) for the others.
            allow_nonunique: return the state reached from the maximally mixed state instead of
                raising :class:`NonUniqueSteadyStateError` when the null space is degenerate.
        """
        cm = self._compiled
        spectral = dict(spectral or {})
        names = [cb.name for cb in cm.baths]
        unknown = sorted(set(spectral) - set(names))
        if unknown:
            raise ValueError(f"`spectral` names unknown bath(s) {unknown}; the model has baths {names}")
        vals = _resolve_values(cm.params, values)
        args = [vals[s] for s in cm.params]

        H = _check_hermitian(np.array(cm.H(*args), dtype=complex).reshape(self.model.dim, self.model.dim), "H")
        d = H.shape[0]
        E, V = np.linalg.eigh(H)
        width = float(E[-1] - E[0])
        tol = self.degeneracy_tol * max(1.0, width)

        if self.master == "global":
            Eb, Vb, H_loc = E, V, None
        else:
            H_loc = local_hamiltonian(H, cm.dims)
            Eb, Vb = np.linalg.eigh(H_loc)
            tol = self.degeneracy_tol * max(1.0, float(Eb[-1] - Eb[0]), width)

        rates: dict[str, _Rates] = {}
        jumps_b: dict[str, list[Jump]] = {}
        comps_for_secular: dict[str, list[BohrComponent]] = {}
        pos_freqs: list[float] = []
        min_pos = [np.inf]
        for cb in cm.baths:
            rt = self._numeric_rates(cb, args, spectral)
            rates[cb.name] = rt
            A = np.array(cb.op(*args), dtype=complex).reshape(d, d)
            if not np.all(np.isfinite(A)):
                raise ValueError(f"coupling operator of bath {cb.name!r} has non-finite entries at "
                                 f"the given parameter values")
            if cb.form == "hermitian":
                A = _check_hermitian(A, f"coupling operator S of bath {cb.name!r} (form='hermitian')")
            Ab = Vb.conj().T @ A @ Vb
            amp_tol = 1e-10 * float(np.abs(Ab).max(initial=0.0))
            comps = bohr_decomposition(Ab, Eb, tol, amp_tol)
            for c in comps:
                if c.frequency > 0:
                    min_pos[0] = min(min_pos[0], c.frequency)
            jl: list[Jump] = []
            if cb.form == "rwa":
                dropped = [c for c in comps if c.frequency <= 0]
                kept = [c for c in comps if c.frequency > 0]
                # warn only for amplitudes that matter at the 1e-12 level of the rates
                loud = [c for c in dropped if c.amplitude > 1e-6 * float(np.abs(Ab).max(initial=0.0))]
                if loud:
                    big = max(loud, key=lambda c: c.amplitude)
                    j, i = big.representative
                    warnings.warn(
                        f"coupling to bath {cb.name!r} (form='rwa'): dropped {len(dropped)} Bohr "
                        f"component(s) of L that do not lower the energy (largest: transition "
                        f"{j}->{i} with omega = {big.frequency:.6g}, |<{i}|L|{j}>| = "
                        f"{big.amplitude:.3g}); in the RWA form L must lower the system energy -- "
                        f"use form='hermitian' for a coupling S (X + X^dag)", SecularityWarning, stacklevel=2)
                for c in kept:
                    jl.append(Jump(c.frequency, rt.emission(c.frequency), c.operator))
                    jl.append(Jump(-c.frequency, rt.absorption(c.frequency), c.operator.conj().T))
                comps_for_secular[cb.name] = kept
            else:
                for c in comps:
                    if c.frequency > 0:
                        r = rt.emission(c.frequency)
                    elif c.frequency < 0:
                        r = rt.absorption(-c.frequency)
                    else:
                        continue  # zero frequency handled below (needs the frequency scale)
                    jl.append(Jump(c.frequency, r, c.operator))
                comps_for_secular[cb.name] = comps
            pos_freqs += [c.frequency for c in comps_for_secular[cb.name] if c.frequency > 0]
            jumps_b[cb.name] = jl
        # zero-frequency (pure dephasing) components of Hermitian couplings
        scale0 = min(min_pos[0], 1.0) if np.isfinite(min_pos[0]) else 1.0
        for cb in cm.baths:
            if cb.form == "hermitian":
                for c in comps_for_secular[cb.name]:
                    if c.frequency == 0.0:
                        jumps_b[cb.name].append(Jump(0.0, rates[cb.name].zero_frequency(scale0), c.operator))

        self._check_secularity(comps_for_secular, jumps_b)
        extra_b = self._extra_jumps(args, d, V if self.master == "global" else None)
        if self.master == "local":
            # the working basis of the local equation is the site basis (H is not diagonal in
            # the eigenbasis of H_loc)
            jumps_b = {name: [Jump(jp.frequency, jp.rate, Vb @ jp.operator @ Vb.conj().T) for jp in jl]
                       for name, jl in jumps_b.items()}

        # ---- Liouvillian in the working basis and steady state --------------------------
        all_jumps_b = [jp for jl in jumps_b.values() for jp in jl] + [jp for jl in extra_b.values() for jp in jl]
        if self.master == "global":
            # coherent part with energies snapped onto their degeneracy clusters, so that
            # coherences between (numerically) degenerate levels are exactly stationary
            Es = E.copy()
            for g in _chain_clusters(E, tol):
                Es[g] = E[g].mean()
            Hw = np.diag(Es).astype(complex)
        else:
            Hw = H
        D_b = lindblad_superoperator(None, all_jumps_b, d)
        L_b = lindblad_superoperator(Hw, [], d) + D_b
        dscale = float(spla.norm(D_b)) if D_b.nnz else 0.0
        rho_w, nulldim = steady_state(L_b, d, dissipative_scale=dscale,
                                      nullspace_tol=self.nullspace_tol, allow_nonunique=allow_nonunique)

        if self.master == "global":
            rho_eig = rho_w
            rho = V @ rho_eig @ V.conj().T
            to_site = lambda J: V @ J @ V.conj().T  # noqa: E731
        else:
            rho = rho_w
            rho_eig = V.conj().T @ rho @ V
            to_site = lambda J: J  # noqa: E731
        rho = 0.5 * (rho + rho.conj().T)
        rho_eig = 0.5 * (rho_eig + rho_eig.conj().T)

        # ---- currents ----------------------------------------------------------------------
        energy_c, particle_c, heat_c, temps = {}, {}, {}, {}
        for cb in cm.baths:
            jl = jumps_b[cb.name]
            Dr = _apply_jumps(jl, rho_w)
            if self.master == "global":
                qE = float(np.real(np.sum((E - E.mean()) * np.diag(Dr))))
            else:
                qE = float(np.real(np.trace((H - np.trace(H).real / d * np.eye(d)) @ Dr)))
            rt = rates[cb.name]
            if cb.kind == "fermionic" and cb.form == "rwa":
                jn = 0.0
                for jp in jl:
                    if jp.rate == 0.0:
                        continue
                    occ = float(np.real(np.trace(jp.operator @ rho_w @ jp.operator.conj().T)))
                    jn += (1.0 if jp.frequency < 0 else -1.0) * jp.rate * occ
                q = qE - rt.mu * jn
            else:
                jn = float("nan")
                q = qE
            energy_c[cb.name], particle_c[cb.name], heat_c[cb.name] = qE, jn, q
            temps[cb.name] = rt.T
        # sigma = -sum_X q_X/T_X.  In a steady state the energy currents sum to zero exactly,
        # so subtracting (sum_X qE_X)/T_ref changes nothing analytically but removes the
        # catastrophic cancellation between q_A/T_A and q_B/T_B when T_A ~ T_B.
        # An extra (noise) dissipator may inject energy: sum_X qE_X = -sum_K Tr[H D_K(rho)], and the
        # subtracted term is restored from the directly computed noise power.
        noise_c = {}
        for name, jl in extra_b.items():
            Dr = _apply_jumps(jl, rho_w)
            if self.master == "global":
                noise_c[name] = float(np.real(np.sum((E - E.mean()) * np.diag(Dr))))
            else:
                noise_c[name] = float(np.real(np.trace((H - np.trace(H).real / d * np.eye(d)) @ Dr)))
        if heat_c:
            T_ref = max(temps.values())
            sigma = -sum(energy_c[n] * (1.0 / temps[n] - 1.0 / T_ref) for n in heat_c)
            sigma += sum((energy_c[n] - heat_c[n]) / temps[n] for n in heat_c)
            sigma += sum(noise_c.values()) / T_ref
        else:
            sigma = 0.0

        # ---- Pauli rate matrices (global) ----------------------------------------------------
        rate_mats = None
        if self.master == "global":
            rate_mats = {}
            for name, jl in jumps_b.items():
                K = np.zeros((d, d))
                for jp in jl:
                    K += jp.rate * np.abs(jp.operator) ** 2
                np.fill_diagonal(K, 0.0)
                K -= np.diag(K.sum(axis=0))
                rate_mats[name] = _readonly(K)

        # ---- site-basis dissipators and Liouvillian -------------------------------------------
        dissipators = {
            name: Dissipator(name, tuple(Jump(jp.frequency, jp.rate, _readonly(to_site(jp.operator)))
                                         for jp in jl), d)
            for name, jl in list(jumps_b.items()) + list(extra_b.items())}

        bohr = np.array(sorted(pos_freqs))
        if len(bohr):
            keep = np.concatenate(([True], np.diff(bohr) > tol))
            bohr = bohr[keep]

        return NumericResult(
            master=self.master, values=vals, H=_readonly(H), energies=_readonly(E),
            eigenvectors=_readonly(V), rho=_readonly(rho), rho_eigenbasis=_readonly(rho_eig),
            populations=_readonly(np.real(np.diag(rho_eig)).copy()),
            heat_currents=heat_c, energy_currents=energy_c, particle_currents=particle_c,
            temperatures=temps, entropy_production=float(sigma), rate_matrices=rate_mats,
            bohr_frequencies=_readonly(bohr), nullspace_dim=int(nulldim),
            dissipators=dissipators, H_local=None if H_loc is None else _readonly(H_loc),
            noise_energy_currents=noise_c)

    # --------------------------------------------------------------------------------------
    def _extra_jumps(self, args, d: int, V) -> dict:
        """Numeric jumps of the model's extra dissipators, in the working basis (eigenbasis ``V``
        of ``H`` for the global equation, site basis for the local one).  Jump frequency: nan
        (they are not Bohr components)."""
        out = {}
        for cd in self._compiled.dissipators:
            jl = []
            for k, (rate_f, op_f) in enumerate(cd.jumps):
                r = _as_number(rate_f(*args), f"rate of jump {k} of dissipator {cd.name!r}")
                if isinstance(r, complex) or not np.isfinite(r) or r < 0:
                    raise ValueError(f"the rate of jump {k} of dissipator {cd.name!r} must be a finite real "
                                     f"number >= 0, but is {r} at the given parameter values")
                J = np.array(op_f(*args), dtype=complex).reshape(d, d)
                if not np.all(np.isfinite(J)):
                    raise ValueError(f"jump operator {k} of dissipator {cd.name!r} has non-finite entries at "
                                     f"the given parameter values")
                if V is not None:
                    J = V.conj().T @ J @ V
                jl.append(Jump(float("nan"), float(r), J))
            out[cd.name] = jl
        return out

    def _check_secularity(self, comps: dict, jumps: dict) -> None:
        """Warn (:class:`SecularityWarning`) if two distinct Bohr frequencies of one bath are
        closer than the largest rate ``gamma(w) ||A(w)||^2``: the secular approximation needs
        ``|w - w'| >> rates`` (B&P Sec. 3.3.1, discussion after eq. 3.131)."""
        max_rate = 0.0
        for jl in jumps.values():
            for jp in jl:
                if jp.rate > 0:
                    max_rate = max(max_rate, jp.rate * np.linalg.norm(jp.operator, 2) ** 2)
        if max_rate == 0.0:
            return
        lvl = "levels" if self.master == "global" else "levels of H_loc"
        for name, cl in comps.items():
            best = None
            for a in range(len(cl)):
                for b in range(a + 1, len(cl)):
                    gap = abs(cl[a].frequency - cl[b].frequency)
                    if gap < max_rate and (best is None or gap < best[0]):
                        best = (gap, cl[a], cl[b])
            if best is not None:
                gap, ca, cb_ = best
                (ja, ia), (jb, ib) = ca.representative, cb_.representative
                warnings.warn(
                    f"bath {name!r}: transitions {ja}->{ia} (w={ca.frequency:.4f}) and {jb}->{ib} "
                    f"(w={cb_.frequency:.4f}) ({lvl} numbered from 0 in ascending energy) have Bohr "
                    f"frequencies only {gap:.3g} apart, less than the largest rate {max_rate:.3g}: "
                    f"the secular approximation is questionable; use a Bloch-Redfield master "
                    f"equation", SecularityWarning, stacklevel=3)
