"""Numeric Bloch-Redfield (non-secular Born-Markov) generator, independent of the SymPy path.

Like :mod:`qsym.numeric.solver`, this module shares nothing with the symbolic derivations but
the model definition: the model is lambdified (the solver's cached compilation), and
diagonalisation, Bohr decomposition, rates, the superoperator, its null vector and the heat
currents are computed with NumPy/SciPy.

Physics (hbar = k_B = 1; Breuer & Petruccione, *The Theory of Open Quantum Systems*,
eqs. 3.118, 3.135-3.138; Fogedby arXiv:2301.13544 eq. 5.2).  For ``H_I = sum_a A_a (x) B_a``
the Born-Markov equation *without* the secular approximation is, in the Schroedinger picture,

    d rho/dt = -i[H_S, rho] + sum_X D_X(rho),
    D_X(rho) = sum_{a,b} sum_{w,w'} Gamma_ab(w) [A_b(w) rho A_a(w')^dag - A_a(w')^dag A_b(w) rho] + h.c.,
    Gamma_ab(w) = int_0^inf ds e^{i w s} <B_a^dag(s) B_b(0)> = gamma_ab(w)/2 + i S_ab(w),

with ``A(w)`` the Bohr component of ``A`` that releases energy ``w`` (eq. 3.118).  Summing over
``w'`` first gives ``sum_w' A_a(w')^dag = A_a^dag``, so each bath contributes, per *family*
(``Lambda = sum_w Gamma(w) A(w)``, ``P = sum_w A(w)``),

    D(rho) = Lambda rho P^dag - P^dag Lambda rho + P rho Lambda^dag - rho Lambda^dag P.

Families per coupling form (same rates as the secular solver):

* ``form="hermitian"``, ``H_SB = S (X + X^dag)``: one family, ``P = S``, ``gamma(w) = g(w)(1+n(w))``
  for ``w > 0``, ``g(|w|) n(|w|)`` for ``w < 0`` and ``lim_{w->0+} g n`` at ``w = 0`` (QuTiP's
  ``bloch_redfield_tensor`` with ``a_op = S`` and this noise-power spectrum, ``sec_cutoff=-1``).
* ``form="rwa"``, ``H_SB = L^dag X + L X^dag``: only ``<X X^dag>`` and ``<X^dag X>`` are non-zero,
  giving an emission family (``P = L``, components ``L(w)``, ``w > 0``, ``gamma = g(1+n)``) and
  an absorption family (``P = L^dag``, components ``L(w)^dag``, ``gamma = g n``).  As in the
  secular solver, components of ``L`` that do not lower the energy are dropped (warning).
  Fermionic leads: ``1+n -> 1-f``, ``n -> f``.

The Lamb shift ``S(w) = (1/2pi) P int dv gamma(v)/(w - v)`` (B&P eq. 3.138) is included only on
request (``lamb_shift=True``; principal values by adaptive quadrature); it is dropped by default,
as in the paper.  Without the secular approximation the generator is not of Lindblad form: its
steady state can have (small) negative eigenvalues, reported by :func:`compare_secular_redfield`.

Superoperators use column stacking, ``vec(A X B) = (B^T (x) A) vec X``, as the numeric solver and
QuTiP do.
"""
from __future__ import annotations

from dataclasses import dataclass
import math
import sys
import time
from typing import Mapping
import warnings

import numpy as np
import scipy.integrate as si
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from qsym.errors import SecularityWarning
from qsym.model import OpenSystem
from qsym.numeric.solver import (NumericSolver, _check_hermitian, _resolve_values, bohr_decomposition,
                                 steady_state as _liouvillian_steady_state)

__all__ = ["RedfieldGenerator", "RedfieldFamily", "redfield_generator", "redfield_liouvillian",
           "redfield_steady_state", "RedfieldResult", "compare_secular_redfield", "family_superoperator"]


# ==========================================================================================
# Building blocks
# ==========================================================================================
@dataclass(frozen=True, eq=False)
class RedfieldFamily:
    """One term ``Lambda rho P^dag - P^dag Lambda rho + h.c.`` of a bath's dissipator, in the
    eigenbasis of ``H``.

    ``kind`` is ``"hermitian"``, ``"emission"`` or ``"absorption"``; ``components`` lists
    ``(w, Gamma(w), A(w))`` (``w`` = energy released into the bath); ``P = sum_w A(w)`` and
    ``Lambda = sum_w Gamma(w) A(w)``.
    """

    bath: str
    kind: str
    components: tuple
    P: np.ndarray
    Lam: np.ndarray

    def apply(self, rho: np.ndarray) -> np.ndarray:
        P, Lam = self.P, self.Lam
        Pd = P.conj().T
        Ld = Lam.conj().T
        return Lam @ rho @ Pd - Pd @ (Lam @ rho) + P @ rho @ Ld - rho @ (Ld @ P)

    def jump_trace(self, rho: np.ndarray) -> float:
        """``Tr[Lambda rho P^dag + P rho Lambda^dag]``: the rate of jumps (bath quanta exchanged)
        of this family; for a secular family it is ``sum_w gamma(w) Tr[A(w) rho A(w)^dag]``."""
        return float(np.real(2.0 * np.trace(self.P.conj().T @ self.Lam @ rho)))


def family_superoperator(P: np.ndarray, Lam: np.ndarray) -> sps.csr_matrix:
    """Column-stacking superoperator of ``rho -> Lambda rho P^dag - P^dag Lambda rho
    + P rho Lambda^dag - rho Lambda^dag P`` (B&P eq. 3.135 after summing over ``w'``)."""
    d = P.shape[0]
    I = sps.identity(d, dtype=complex, format="csr")
    Ps, Ls = sps.csr_matrix(P), sps.csr_matrix(Lam)
    PdL = sps.csr_matrix(P.conj().T @ Lam)
    LdP = sps.csr_matrix(Lam.conj().T @ P)
    S = (sps.kron(Ps.conj(), Ls) - sps.kron(I, PdL) + sps.kron(Ls.conj(), Ps) - sps.kron(LdP.T, I))
    S = sps.csr_matrix(S)
    S.eliminate_zeros()
    return S


def _quad(f, a: float, b: float, **kw) -> float:
    """``int_a^b f``; on QUADPACK's roundoff warning retry once with a small absolute tolerance,
    and report a genuinely divergent integral as ``ValueError``."""
    opts = dict(limit=500, epsabs=0.0, epsrel=1e-10)
    opts.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("error", si.IntegrationWarning)
        try:
            return si.quad(f, a, b, **opts)[0]
        except si.IntegrationWarning:
            pass
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", si.IntegrationWarning)
            val, err = si.quad(f, a, b, **opts)
        if np.isfinite(val) and err <= 1e-8 * max(abs(val), 1e-300) + 1e-15:
            return val
        raise ValueError(f"the Lamb-shift integral over [{a:.4g}, {b:.4g}] does not converge (estimate "
                         f"{val:.4g} +- {err:.2g}); use a spectral function that decays at large frequency "
                         f"(e.g. OhmicSpectrum) or lamb_shift=False")


def _pv(f, c: float, lo: float = 0.0, kinks=()) -> float:
    """``P int_lo^inf f(v)/(v - c) dv`` (``lo`` may be ``-inf``; ``c`` not at a kink of ``f``).

    Cauchy-weighted QUADPACK on ``[c - a, c + a]`` with ``a`` half the distance from ``c`` to the
    nearest kink or finite end, regular quadrature elsewhere, split at the kinks."""
    ends = [x for x in (lo, *kinks) if np.isfinite(x) and x != c]
    cuts = sorted(x for x in kinks if x > lo)
    g = lambda v: f(v) / (v - c)  # noqa: E731

    def regular(a, b):
        pts = [a] + [x for x in cuts if a < x < b] + [b]
        return sum(_quad(g, u, v) for u, v in zip(pts[:-1], pts[1:]))

    if c <= lo:
        return regular(lo, np.inf)
    a = 0.5 * min((abs(c - x) for x in ends), default=max(abs(c), 1.0))
    mid = _quad(f, c - a, c + a, weight="cauchy", wvar=c)
    return regular(lo, c - a) + mid + regular(c + a, np.inf)


def _bath_functions(rt):
    """``(gamma_emission(u), gamma_absorption(u))`` for ``u > 0``: ``g(1+n)``, ``g n`` (bosonic,
    written with ``exp(-u/T)`` so that large ``u/T`` neither overflows nor loses digits) or
    ``g(1-f)``, ``g f`` (fermionic)."""
    if rt.kind != "bosonic":
        return rt.emission, rt.absorption

    def em(u):
        return rt.g(u) / -math.expm1(-u / rt.T)

    def ab(u):
        x = u / rt.T
        return 0.0 if x > 700 else rt.g(u) * math.exp(-x) / -math.expm1(-x)
    return em, ab


def _lamb_shift(rt, kind: str, w: float) -> float:
    """``S(w) = (1/2 pi) P int dv gamma(v)/(w - v)`` for the correlation function of ``kind``
    (B&P eq. 3.138); ``w`` is the energy released by the component."""
    em_, ab_ = _bath_functions(rt)
    em = lambda u: em_(u) if u > 0 else 0.0  # noqa: E731
    ab = lambda u: ab_(u) if u > 0 else 0.0  # noqa: E731
    if kind == "emission":      # gamma(v) = g(v)(1+n(v)) on v > 0
        return -_pv(em, w) / (2 * math.pi)
    if kind == "absorption":    # gamma(v) = g(-v) n(-v) on v < 0; w < 0 here
        return _pv(ab, -w) / (2 * math.pi)
    if w == 0.0:                # the g n/v singularities of the two sides cancel
        return -_quad(lambda u: rt.g(u) / u if u > 0 else 0.0, 0.0, np.inf) / (2 * math.pi)
    # gamma on the whole line, continuous at 0 (g n -> lim g n from both sides)
    gam = lambda v: em_(v) if v > 0 else (ab_(-v) if v < 0 else 0.5 * (em_(1e-300) + ab_(1e-300)))  # noqa: E731
    return -_pv(gam, w, -np.inf, (0.0,)) / (2 * math.pi)


# ==========================================================================================
# The generator
# ==========================================================================================
@dataclass(frozen=True, eq=False)
class RedfieldGenerator:
    """The numeric Bloch-Redfield generator at one parameter point.

    Attributes:
        values: numeric value of every model parameter.
        H: Hamiltonian (site basis); ``energies``, ``eigenvectors``: ``numpy.linalg.eigh(H)``.
        families: bath name -> tuple of :class:`RedfieldFamily` (eigenbasis).
        liouvillian_eigenbasis: ``-i[diag(E), .] + sum_X D_X`` (column stacking, eigenbasis).
        dissipators_eigenbasis: bath name -> superoperator of ``D_X`` (eigenbasis).
        temperatures, kinds, chemical_potentials, forms: per bath.
    """

    values: dict
    H: np.ndarray
    energies: np.ndarray
    eigenvectors: np.ndarray
    families: dict
    liouvillian_eigenbasis: sps.csr_matrix
    dissipators_eigenbasis: dict
    temperatures: dict
    kinds: dict
    chemical_potentials: dict
    forms: dict

    @property
    def dim(self) -> int:
        return self.H.shape[0]

    def _to_site(self, S) -> sps.csr_matrix:
        V = self.eigenvectors
        W = np.kron(V.conj(), V)  # vec(V X V^dag) = (conj(V) (x) V) vec X
        M = W @ (S.toarray() if sps.issparse(S) else S) @ W.conj().T
        return sps.csr_matrix(M)

    @property
    def liouvillian(self) -> sps.csr_matrix:
        """The generator in the site (product) basis."""
        return self._to_site(self.liouvillian_eigenbasis)

    @property
    def dissipators(self) -> dict:
        """bath name -> superoperator of ``D_X`` in the site basis."""
        return {k: self._to_site(v) for k, v in self.dissipators_eigenbasis.items()}

    def dissipate(self, bath: str, rho_eig: np.ndarray) -> np.ndarray:
        """``D_X(rho)`` for ``rho`` in the eigenbasis (result in the eigenbasis)."""
        out = np.zeros((self.dim, self.dim), complex)
        for fam in self.families[bath]:
            out += fam.apply(rho_eig)
        return out


def redfield_generator(model: OpenSystem, values: Mapping, spectral: Mapping | None = None, *,
                       lamb_shift: bool = False, degeneracy_tol: float = 1e-9,
                       solver: NumericSolver | None = None) -> RedfieldGenerator:
    """Numeric Bloch-Redfield generator of ``model`` at ``values`` (see the module docstring).

    Args:
        model: the open system.
        values: ``{Symbol or name: number}`` for every model parameter.
        spectral: ``{bath name: g(omega)}`` for baths with an undefined spectrum (overrides
            the others), as for :meth:`NumericSolver.solve`.
        lamb_shift: include ``i S(w)`` in ``Gamma(w)`` (principal-value quadrature).
        degeneracy_tol: Bohr frequencies closer than ``degeneracy_tol * max(1, E_max - E_min)``
            form one component.
    """
    ns = solver if solver is not None else NumericSolver(model, degeneracy_tol=degeneracy_tol)
    cm = ns._compiled
    spectral = dict(spectral or {})
    names = [cb.name for cb in cm.baths]
    unknown = sorted(set(spectral) - set(names))
    if unknown:
        raise ValueError(f"`spectral` names unknown bath(s) {unknown}; the model has baths {names}")
    vals = _resolve_values(cm.params, values)
    args = [vals[s] for s in cm.params]
    d = model.dim
    H = _check_hermitian(np.array(cm.H(*args), dtype=complex).reshape(d, d), "H")
    E, V = np.linalg.eigh(H)
    tol = degeneracy_tol * max(1.0, float(E[-1] - E[0]))
    comps_all, rates = {}, {}
    min_pos = np.inf
    for cb in cm.baths:
        rt = ns._numeric_rates(cb, args, spectral)
        rates[cb.name] = rt
        A = np.array(cb.op(*args), dtype=complex).reshape(d, d)
        if not np.all(np.isfinite(A)):
            raise ValueError(f"coupling operator of bath {cb.name!r} has non-finite entries at the given values")
        if cb.form == "hermitian":
            A = _check_hermitian(A, f"coupling operator S of bath {cb.name!r} (form='hermitian')")
        Ab = V.conj().T @ A @ V
        amp_tol = 1e-10 * float(np.abs(Ab).max(initial=0.0))
        comps = bohr_decomposition(Ab, E, tol, amp_tol)
        comps_all[cb.name] = comps
        min_pos = min([min_pos] + [c.frequency for c in comps if c.frequency > 0])
    scale0 = min(min_pos, 1.0) if np.isfinite(min_pos) else 1.0

    families, diss = {}, {}
    for cb in cm.baths:
        rt, comps = rates[cb.name], comps_all[cb.name]
        emission, absorption = _bath_functions(rt)

        def Gamma(kind, w, gamma):
            return 0.5 * gamma + (1j * _lamb_shift(rt, kind, w) if lamb_shift else 0.0)

        fams = []
        if cb.form == "hermitian":
            items = []
            for c in comps:
                if c.frequency > 0:
                    g = emission(c.frequency)
                elif c.frequency < 0:
                    g = absorption(-c.frequency)
                else:
                    g = rt.zero_frequency(scale0)
                items.append((c.frequency, Gamma("hermitian", c.frequency, g), c.operator))
            fams.append(("hermitian", items))
        else:
            kept = [c for c in comps if c.frequency > 0]
            dropped = [c for c in comps if c.frequency <= 0]
            big = max((c.amplitude for c in comps), default=0.0)
            loud = [c for c in dropped if c.amplitude > 1e-6 * big]
            if loud:
                warnings.warn(f"coupling to bath {cb.name!r} (form='rwa'): dropped {len(dropped)} Bohr "
                              f"component(s) of L that do not lower the energy; use form='hermitian' for "
                              f"a coupling S (X + X^dag)", SecularityWarning, stacklevel=2)
            fams.append(("emission", [(c.frequency, Gamma("emission", c.frequency, emission(c.frequency)),
                                       c.operator) for c in kept]))
            fams.append(("absorption", [(-c.frequency, Gamma("absorption", -c.frequency, absorption(c.frequency)),
                                         c.operator.conj().T) for c in kept]))
        out = []
        for kind, items in fams:
            if not items:
                continue
            P = sum(op for _, _, op in items)
            Lam = sum(G * op for _, G, op in items)
            out.append(RedfieldFamily(cb.name, kind, tuple(items), P, Lam))
        families[cb.name] = tuple(out)
        S = sps.csr_matrix((d * d, d * d), dtype=complex)
        for f in out:
            S = S + family_superoperator(f.P, f.Lam)
        diss[cb.name] = sps.csr_matrix(S)

    I = sps.identity(d, dtype=complex, format="csr")
    Hd = sps.diags(E.astype(complex), format="csr")
    L = -1j * (sps.kron(I, Hd) - sps.kron(Hd, I))  # H diagonal: H^T = H
    for S in diss.values():
        L = L + S
    L = sps.csr_matrix(L)
    L.eliminate_zeros()
    return RedfieldGenerator(
        values=vals, H=H, energies=E, eigenvectors=V, families=families, liouvillian_eigenbasis=L,
        dissipators_eigenbasis=diss, temperatures={k: r.T for k, r in rates.items()},
        kinds={k: r.kind for k, r in rates.items()}, chemical_potentials={k: r.mu for k, r in rates.items()},
        forms={cb.name: cb.form for cb in cm.baths})


def redfield_liouvillian(model: OpenSystem, values: Mapping, spectral: Mapping | None = None, *,
                         lamb_shift: bool = False):
    """``(L, H, {bath: D_X})``: the Bloch-Redfield generator ``L = -i[H, .] + sum_X D_X`` and
    each bath's dissipator as sparse column-stacking superoperators in the site (product)
    basis of ``model``, and the numeric Hamiltonian ``H``.  See :func:`redfield_generator`
    for the eigenbasis versions."""
    gen = redfield_generator(model, values, spectral, lamb_shift=lamb_shift)
    return gen.liouvillian, gen.H, gen.dissipators


# ==========================================================================================
# Steady state and currents
# ==========================================================================================
@dataclass(frozen=True, eq=False)
class RedfieldResult:
    """Steady state of the Bloch-Redfield equation.

    Attributes:
        rho, rho_eigenbasis: steady state in the site basis / eigenbasis of ``H``.
        energy_currents: bath -> ``Tr[H D_X(rho)]`` (positive into the system).
        particle_currents: bath -> particle current into the system (fermionic RWA leads,
            from the jump terms of the emission and absorption families), else ``nan``.
        heat_currents: bath -> energy current minus ``mu_X`` times particle current.
        min_eigenvalue: smallest eigenvalue of ``rho`` (can be < 0: Redfield is not CP).
        generator: the :class:`RedfieldGenerator`.
    """

    rho: np.ndarray
    rho_eigenbasis: np.ndarray
    energy_currents: dict
    particle_currents: dict
    heat_currents: dict
    min_eigenvalue: float
    nullspace_dim: int
    generator: RedfieldGenerator

    @property
    def populations(self) -> np.ndarray:
        return np.real(np.diag(self.rho_eigenbasis)).copy()

    @property
    def entropy_production(self) -> float:
        return -sum(q / self.generator.temperatures[k] for k, q in self.heat_currents.items())


def redfield_steady_state(model: OpenSystem, values: Mapping, spectral: Mapping | None = None, *,
                          lamb_shift: bool = False, nullspace_tol: float = 1e-10,
                          generator: RedfieldGenerator | None = None,
                          solver: NumericSolver | None = None) -> RedfieldResult:
    """Steady state and heat currents ``q_X = Tr[H D_X(rho_ss)]`` of the Bloch-Redfield equation.

    The null vector is found in the eigenbasis (where the generator's blocks are sparsest) by
    the numeric solver's :func:`~qsym.numeric.solver.steady_state`; raises
    :class:`~qsym.errors.NonUniqueSteadyStateError` for a degenerate null space.
    """
    gen = generator if generator is not None else redfield_generator(model, values, spectral,
                                                                     lamb_shift=lamb_shift, solver=solver)
    d = gen.dim
    Dtot = sum(gen.dissipators_eigenbasis.values(), sps.csr_matrix((d * d, d * d), dtype=complex))
    dscale = float(spla.norm(Dtot)) if Dtot.nnz else 0.0
    rho_e, nulldim = _liouvillian_steady_state(gen.liouvillian_eigenbasis, d, dissipative_scale=dscale,
                                               nullspace_tol=nullspace_tol)
    rho_e = 0.5 * (rho_e + rho_e.conj().T)
    V = gen.eigenvectors
    rho = V @ rho_e @ V.conj().T
    rho = 0.5 * (rho + rho.conj().T)
    E = gen.energies
    eq, pc, hq = {}, {}, {}
    for name, fams in gen.families.items():
        Dr = gen.dissipate(name, rho_e)
        qE = float(np.real(np.sum((E - E.mean()) * np.diag(Dr))))
        jn = float("nan")
        q = qE
        if gen.kinds[name] == "fermionic" and gen.forms[name] == "rwa":
            jn = 0.0
            for f in fams:
                jn += (1.0 if f.kind == "absorption" else -1.0) * f.jump_trace(rho_e)
            q = qE - gen.chemical_potentials[name] * jn
        eq[name], pc[name], hq[name] = qE, jn, q
    return RedfieldResult(rho=rho, rho_eigenbasis=rho_e, energy_currents=eq, particle_currents=pc,
                          heat_currents=hq, min_eigenvalue=float(np.linalg.eigvalsh(rho_e)[0]),
                          nullspace_dim=int(nulldim), generator=gen)


# ==========================================================================================
# Secular vs non-secular scan
# ==========================================================================================
def _points(scan) -> list:
    if isinstance(scan, Mapping):
        lengths = {len(np.atleast_1d(v)) for v in scan.values() if np.ndim(v) > 0}
        if len(lengths) > 1:
            raise ValueError(f"the arrays of `scan` must have equal lengths, got {sorted(lengths)}")
        n = lengths.pop() if lengths else 1
        return [{k: (np.atleast_1d(v)[i] if np.ndim(v) > 0 else v) for k, v in scan.items()} for i in range(n)]
    pts = list(scan)
    for p in pts:
        if not isinstance(p, Mapping):
            raise TypeError(f"`scan` must be a list of {{symbol: value}} dicts or a dict of arrays, "
                            f"got an element of type {type(p).__name__}")
    return pts


def compare_secular_redfield(model: OpenSystem, scan, spectral: Mapping | None = None, *,
                             lamb_shift: bool = False, progress: bool | None = None,
                             heat_floor: float = 0.0) -> list[dict]:
    """Secular (Davies, :class:`NumericSolver`) vs Bloch-Redfield steady states over a scan.

    Args:
        model: the open system.
        scan: a list of ``{symbol: value}`` points, or ``{symbol: array or scalar}`` (zipped).
        spectral: ``{bath: g(omega)}`` as for :meth:`NumericSolver.solve`.
        lamb_shift: include the Lamb shift in the Redfield generator.
        progress: print progress to stderr (default: for scans of 20 points or more).
        heat_floor: heat currents with ``|q_secular| <= heat_floor`` get an absolute instead of a
            relative deviation (e.g. at equal temperatures).

    Returns:
        One dict per point: ``values``; ``rho_deviation`` = ``||rho_R - rho_S||_1 / ||rho_S||_1``
        (trace norm, site basis); ``max_coherence`` = largest ``|rho_R|_{ij}`` (i != j,
        eigenbasis); ``heat_secular``, ``heat_redfield`` and ``heat_deviation``
        (``|q_R - q_S|/|q_S|`` per bath); ``min_eigenvalue`` of ``rho_R``; ``min_bohr_gap``
        (smallest difference of distinct positive Bohr frequencies of the couplings, the
        quantity the secular approximation compares with the rates) and ``max_rate``.
    """
    pts = _points(scan)
    n = len(pts)
    show = (n >= 20) if progress is None else bool(progress)
    ns = NumericSolver(model)
    out = []
    t0 = time.perf_counter()
    every = max(1, n // 20)
    for k, vals in enumerate(pts):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecularityWarning)
            sec = ns.solve(vals, spectral)
            red = redfield_steady_state(model, vals, spectral, lamb_shift=lamb_shift, solver=ns)
        dev = float(np.abs(np.linalg.eigvalsh(red.rho - sec.rho)).sum()) / float(
            np.abs(np.linalg.eigvalsh(sec.rho)).sum())
        hd = {}
        for b, qs_ in sec.heat_currents.items():
            qr = red.heat_currents[b]
            hd[b] = abs(qr - qs_) / abs(qs_) if abs(qs_) > heat_floor else abs(qr - qs_)
        R = red.rho_eigenbasis
        offd = np.abs(R - np.diag(np.diag(R)))
        bohr = np.array(sorted(sec.bohr_frequencies))
        gap = float(np.min(np.diff(bohr))) if len(bohr) > 1 else float("inf")
        rate = max((abs(G) for fams in red.generator.families.values() for f in fams
                    for _, G, _ in f.components), default=0.0)
        out.append(dict(values=dict(sec.values), rho_deviation=dev, max_coherence=float(offd.max(initial=0.0)),
                        heat_secular=dict(sec.heat_currents), heat_redfield=dict(red.heat_currents),
                        heat_deviation=hd, min_eigenvalue=red.min_eigenvalue, min_bohr_gap=gap,
                        max_rate=2.0 * float(rate)))
        if show and ((k + 1) % every == 0 or k + 1 == n):
            el = time.perf_counter() - t0
            eta = el / (k + 1) * (n - k - 1)
            print(f"compare_secular_redfield: {k + 1}/{n} points, {el:.1f} s elapsed, ~{eta:.1f} s left, "
                  f"last rho deviation {dev:.3g}", file=sys.stderr, flush=True)
    return out
