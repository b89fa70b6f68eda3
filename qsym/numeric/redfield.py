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

Also here:

* :class:`RedfieldSolver` -- ``solve(values, spectral)`` with the interface of
  :class:`NumericSolver`; what ``RedfieldMasterEquation.numeric_solver()`` returns, so that
  ``qs.verify`` / ``check_result`` check Redfield closed forms against this module.
* :func:`redfield_first_order` -- the steady state to first order in the dissipator by numeric
  perturbation theory (the counterpart of ``qs.first_order_steady_state``).
* Verification targets in the symbolic eigenbasis, with the numeric eigenvectors rephased onto
  the symbolic ones (:func:`gauged_eigenbasis`), so that phase-dependent quantities such as
  ``K_{11,23}`` or ``rho_23`` can be compared: :class:`KernelElementPart`,
  :class:`KernelNonzero`, :class:`KernelTrace`, :class:`GeneratorEntry`,
  :class:`SteadyStateEntry`, :class:`SignOf` (they work with the secular solver's results too).
* :func:`compare_secular_redfield`, :func:`secular_redfield_deviation` (parameter scans, with
  points where the secular approximation fails flagged and warned about) and
  :func:`plot_deviation_map`.
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
           "redfield_steady_state", "RedfieldResult", "compare_secular_redfield", "family_superoperator",
           "RedfieldSolver", "SiteDissipator", "FirstOrderState", "redfield_first_order", "gauged_eigenbasis",
           "KernelElementPart", "KernelNonzero", "KernelTrace", "GeneratorEntry", "SteadyStateEntry", "SignOf",
           "DeviationScan", "secular_redfield_deviation", "plot_deviation_map"]


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
    if d <= 16:  # dense Kronecker products are faster than scipy.sparse's for small systems
        I = np.eye(d, dtype=complex)
        PdL = P.conj().T @ Lam
        LdP = Lam.conj().T @ P
        S = np.kron(P.conj(), Lam) - np.kron(I, PdL) + np.kron(Lam.conj(), P) - np.kron(LdP.T, I)
        S = sps.csr_matrix(S)
        S.eliminate_zeros()
        return S
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
    if getattr(model, "dissipators", ()):
        raise NotImplementedError(
            f"the model has extra (non-bath) Lindblad dissipators {[D.name for D in model.dissipators]}; the "
            f"numeric Bloch-Redfield generator is implemented for bath couplings only")
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

    master = "redfield"

    @property
    def populations(self) -> np.ndarray:
        return np.real(np.diag(self.rho_eigenbasis)).copy()

    @property
    def entropy_production(self) -> float:
        return -sum(q / self.generator.temperatures[k] for k, q in self.heat_currents.items())

    # ---- the attributes the verification targets read (as NumericResult) -----------------
    @property
    def values(self) -> dict:
        return self.generator.values

    @property
    def H(self) -> np.ndarray:
        return self.generator.H

    @property
    def energies(self) -> np.ndarray:
        """Eigenvalues of ``H`` in ascending order (``numpy.linalg.eigh``)."""
        return self.generator.energies

    @property
    def eigenvectors(self) -> np.ndarray:
        """Columns: eigenvectors of ``H`` in the site basis, order of :attr:`energies`."""
        return self.generator.eigenvectors

    @property
    def temperatures(self) -> dict:
        return self.generator.temperatures

    def coherence(self, i: int, j: int) -> complex:
        """``<i|rho|j>`` in the (numeric, arbitrary-phase) eigenbasis, levels from 0 in
        ascending energy."""
        return complex(self.rho_eigenbasis[i, j])

    @property
    def dissipators(self) -> dict:
        """bath name -> :class:`SiteDissipator` (site basis; callable and ``.superoperator``)."""
        cache = self.__dict__.get("_dissipators")
        if cache is None:
            cache = {k: SiteDissipator(k, sps.csr_matrix(S), self.generator.dim)
                     for k, S in self.generator.dissipators.items()}
            object.__setattr__(self, "_dissipators", cache)
        return cache

    @property
    def liouvillian(self) -> sps.csr_matrix:
        """The full generator in the site basis (column stacking)."""
        return self.generator.liouvillian

    @property
    def rate_matrices(self) -> dict:
        """bath name -> population block ``K[n, p] = <n|D_X(|p><p|)|n>`` of the Redfield
        dissipator in the eigenbasis (order of :attr:`energies`): the Pauli rates, the same as
        the secular ones (Fogedby eqs. 3.42-3.43)."""
        d = self.generator.dim
        idx = np.arange(d) * (d + 1)
        return {k: np.real(S.toarray()[np.ix_(idx, idx)]) for k, S in self.generator.dissipators_eigenbasis.items()}

    @property
    def bohr_frequencies(self) -> np.ndarray:
        """Sorted distinct positive Bohr frequencies of the coupling operators."""
        fs = sorted({abs(float(w)) for fams in self.generator.families.values() for f in fams
                     for w, _, _ in f.components if w != 0})
        return np.array(fs)


@dataclass(frozen=True, eq=False)
class SiteDissipator:
    """A bath's dissipator as a column-stacking superoperator in the site basis; callable on a
    density matrix like :class:`qsym.numeric.solver.Dissipator`."""

    bath: str
    superoperator: sps.csr_matrix
    dim: int

    def __call__(self, rho: np.ndarray) -> np.ndarray:
        v = np.asarray(rho, dtype=complex).reshape(-1, order="F")
        return (self.superoperator @ v).reshape((self.dim, self.dim), order="F")


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
# Solver object (the numeric counterpart used by qsym.verify / check_result)
# ==========================================================================================
class RedfieldSolver:
    """Numeric Bloch-Redfield steady-state solver with the interface of
    :class:`qsym.numeric.solver.NumericSolver`: ``solve(values, spectral=...)`` returns a
    :class:`RedfieldResult`, which carries the attributes qsym's verification targets read
    (``energies``, ``eigenvectors``, ``populations``, ``rho``, ``heat_currents``,
    ``entropy_production``, ``rate_matrices``, ``dissipators``, ``coherence``).

    This is what :meth:`qsym.RedfieldMasterEquation.numeric_solver` returns, so that
    ``qs.verify(expr, redfield_me, target)`` and :func:`qsym.derivation.check_result` check
    Redfield closed forms against numeric matrices only (see the module docstring).

    Args:
        model: the open system.
        lamb_shift: include the principal-value Lamb shifts (B&P eq. 3.138).
        degeneracy_tol: Bohr frequencies closer than ``degeneracy_tol * max(1, E_max - E_min)``
            form one component.
        nullspace_tol: relative tolerance of the null-space test (see
            :func:`qsym.numeric.solver.steady_state`).
    """

    master = "redfield"

    def __init__(self, model: OpenSystem, *, lamb_shift: bool = False, degeneracy_tol: float = 1e-9,
                 nullspace_tol: float = 1e-10):
        if not isinstance(model, OpenSystem):
            raise TypeError(f"Argument `model` must be a qsym OpenSystem, got {type(model).__name__}")
        if not (nullspace_tol > 0 and np.isfinite(nullspace_tol)):
            raise ValueError(f"Argument `nullspace_tol` must be positive, got {nullspace_tol}")
        self.model = model
        self.lamb_shift = bool(lamb_shift)
        self.degeneracy_tol = float(degeneracy_tol)
        self.nullspace_tol = float(nullspace_tol)
        self._ns = NumericSolver(model, degeneracy_tol=degeneracy_tol)

    def generator(self, values: Mapping, spectral: Mapping | None = None) -> RedfieldGenerator:
        """The numeric generator at ``values`` (see :func:`redfield_generator`)."""
        return redfield_generator(self.model, values, spectral, lamb_shift=self.lamb_shift,
                                  degeneracy_tol=self.degeneracy_tol, solver=self._ns)

    def solve(self, values: Mapping, spectral: Mapping | None = None) -> RedfieldResult:
        """Steady state and heat currents at ``values`` (see :func:`redfield_steady_state`)."""
        return redfield_steady_state(self.model, values, spectral, nullspace_tol=self.nullspace_tol,
                                     generator=self.generator(values, spectral))

    def first_order(self, values: Mapping, spectral: Mapping | None = None) -> "FirstOrderState":
        """The steady state to first order in the dissipator (see :func:`redfield_first_order`)."""
        return redfield_first_order(self.generator(values, spectral), degeneracy_tol=self.degeneracy_tol)


# ==========================================================================================
# Steady state to first order in g/E, by numeric perturbation theory
# ==========================================================================================
@dataclass(frozen=True, eq=False)
class FirstOrderState:
    """``rho^(0) + rho^(1)``: the Redfield steady state to first order in the dissipator.

    ``rho0_eigenbasis``, ``rho1_eigenbasis`` are in the numeric eigenbasis of
    ``generator.H`` (order of ``generator.energies``); ``rho`` is ``rho^(0) + rho^(1)`` in the
    site basis."""

    rho0_eigenbasis: np.ndarray
    rho1_eigenbasis: np.ndarray
    generator: RedfieldGenerator

    @property
    def rho_eigenbasis(self) -> np.ndarray:
        return self.rho0_eigenbasis + self.rho1_eigenbasis

    @property
    def rho(self) -> np.ndarray:
        V = self.generator.eigenvectors
        return V @ self.rho_eigenbasis @ V.conj().T


def redfield_first_order(gen: RedfieldGenerator, *, degeneracy_tol: float = 1e-9) -> FirstOrderState:
    """Steady state of ``L = L_0 + D`` to first order in ``D`` (numeric perturbation theory).

    ``L_0 = -i[H, .]`` is diagonal in the eigenbasis with eigenvalues ``-i w_ij``,
    ``w_ij = E_i - E_j``; its kernel ``N`` holds the populations (and the coherences of
    degenerate levels), ``R`` the rest.  Expanding ``rho = rho^(0) + rho^(1) + ...``:

    * ``D_NN rho^(0) = 0``, ``Tr rho^(0) = 1`` (for non-degenerate levels: the Pauli equation,
      Fogedby eqs. 2.3-2.4);
    * ``rho^(1)_R = D_RN rho^(0) / (i w)`` (Fogedby eqs. 4.30-4.31 at leading order);
    * ``D_NN rho^(1)_N = -D_NR rho^(1)_R``, ``Tr rho^(1)_N = 0`` (the next solvability condition).

    Built from the numeric generator only; :func:`qsym.first_order_steady_state` is its
    symbolic counterpart.  Raises :class:`~qsym.errors.NonUniqueSteadyStateError` if
    ``D_NN`` has a degenerate null space.
    """
    from qsym.errors import NonUniqueSteadyStateError
    d = gen.dim
    E = gen.energies
    D = sum((S.toarray() for S in gen.dissipators_eigenbasis.values()), np.zeros((d * d, d * d), complex))
    omega = (E[:, None] - E[None, :]).reshape(-1, order="F")
    tol = degeneracy_tol * max(1.0, float(E[-1] - E[0]))
    N = np.abs(omega) <= tol
    R = ~N
    pops = np.zeros(d * d, bool)
    pops[np.arange(d) * (d + 1)] = True
    DNN = D[np.ix_(N, N)]
    sv = np.linalg.svd(DNN, compute_uv=False)
    if len(sv) > 1 and sv[-2] <= 1e-10 * sv[0]:
        raise NonUniqueSteadyStateError(
            "the zeroth-order (secular) generator has a degenerate null space: the first-order steady "
            "state is not unique")
    tr = pops[N].astype(complex)[None, :]
    A = np.vstack([DNN, tr])
    x0 = None
    if pops[N].all() and np.abs(DNN.imag).max(initial=0.0) <= 1e-13 * np.abs(DNN.real).max(initial=1e-300):
        from qsym.numeric.solver import _gth_stationary  # populations only: componentwise accurate
        x0 = _gth_stationary(DNN.real)
    if x0 is None:
        b = np.zeros(A.shape[0], complex)
        b[-1] = 1.0
        x0 = np.linalg.lstsq(A, b, rcond=None)[0]
    x0 = np.asarray(x0, complex)
    rho0 = np.zeros(d * d, complex)
    rho0[N] = x0
    rho1 = np.zeros(d * d, complex)
    rho1[R] = (D[np.ix_(R, N)] @ x0) / (1j * omega[R])
    rhs = np.concatenate([-(D[np.ix_(N, R)] @ rho1[R]), [0.0]])
    rho1[N] = np.linalg.lstsq(A, rhs, rcond=None)[0]
    r0 = rho0.reshape((d, d), order="F")
    r1 = rho1.reshape((d, d), order="F")
    return FirstOrderState(0.5 * (r0 + r0.conj().T), 0.5 * (r1 + r1.conj().T), gen)


# ==========================================================================================
# Verification targets in the symbolic eigenbasis (phases fixed by the symbolic eigenvectors)
# ==========================================================================================
_UNITARY_CACHE: dict = {}  # id(spectrum) -> (spectrum, params, lambdified unitary)


def _symbolic_unitary(me, values) -> np.ndarray:
    import sympy as sp
    from qsym.algebra.symbols import expand_definitions
    spec = me.spectrum
    hit = _UNITARY_CACHE.get(id(spec))
    if hit is None or hit[0] is not spec:
        U = expand_definitions(sp.Matrix(spec.unitary))
        params = tuple(sorted(U.free_symbols, key=str))
        hit = (spec, params, sp.lambdify(params, U, "numpy"))
        _UNITARY_CACHE[id(spec)] = hit
    _, params, f = hit
    by_name = {getattr(k, "name", str(k)): v for k, v in values.items()}
    args = [values[p] if p in values else by_name[p.name] for p in params]
    return np.array(f(*args), dtype=complex)


def gauged_eigenbasis(me, res, values) -> tuple[np.ndarray, np.ndarray]:
    """``(V, E)``: the numeric eigenvectors of ``res`` (columns) in the order of ``me``'s
    levels, each multiplied by the phase that makes it equal to the symbolic eigenvector
    ``me.spectrum.levels[n].vector`` at ``values``, and the numeric energies in that order.

    In this basis phase-dependent quantities (``rho_23``, ``K_{11,23}``) are those of the
    symbolic derivation.  Raises ``AssertionError`` if a symbolic eigenvector is not (up to a
    phase) the numeric eigenvector of the same energy -- an independent check of the spectrum."""
    from qsym.numeric.targets import level_index
    per = res.__dict__.setdefault("_gauge", {}) if hasattr(res, "__dict__") else {}
    key = id(me.spectrum)
    if key in per and per[key][0] is me.spectrum:
        return per[key][1:]
    U = _symbolic_unitary(me, values)
    d = U.shape[0]
    V = np.zeros((d, d), complex)
    E = np.zeros(d)
    for n in range(1, d + 1):
        i = level_index(me, n, res, values)
        v = np.asarray(res.eigenvectors[:, i], complex)
        ov = complex(U[:, n - 1].conj() @ v)
        if abs(abs(ov) - 1.0) > 1e-7:
            raise AssertionError(f"the symbolic eigenvector of level {n} has overlap {abs(ov):.3g} with the numeric "
                                 f"eigenvector of the same energy (expected 1)")
        V[:, n - 1] = v * (ov.conjugate() / abs(ov))
        E[n - 1] = float(res.energies[i])
    per[key] = (me.spectrum, V, E)
    return V, E


def _gauged_dissipator(me, res, values) -> tuple[np.ndarray, np.ndarray]:
    """Dense superoperator of ``sum_X D_X`` in the gauged eigenbasis (column stacking) and the
    energies."""
    V, E = gauged_eigenbasis(me, res, values)
    cache = getattr(res, "__dict__", {}).get("_gauged_D")
    if cache is not None and cache[0] is me.spectrum:
        return cache[1], E
    d = V.shape[0]
    S = np.zeros((d * d, d * d), complex)
    for D in res.dissipators.values():
        Sd = D.superoperator
        S += Sd.toarray() if sps.issparse(Sd) else np.asarray(Sd)
    W = np.kron(V.conj(), V)
    S = W.conj().T @ S @ W
    try:
        object.__setattr__(res, "_gauged_D", (me.spectrum, S))
    except (AttributeError, TypeError):
        pass
    return S, E


def _part(v: complex, part: str) -> float:
    if part == "re":
        return float(np.real(v))
    if part == "im":
        return float(np.imag(v))
    raise ValueError(f"part must be 're' or 'im', got {part!r}")


def _coordinate_vector(c, d: int) -> np.ndarray:
    X = np.zeros((d, d), complex)
    if c[0] == "p":
        X[c[1], c[1]] = 1.0
    elif c[0] in ("re", "im"):
        _, i, j = c
        X[i, j], X[j, i] = (1.0, 1.0) if c[0] == "re" else (1j, -1j)
    else:
        raise ValueError(f"unknown coordinate {c!r}; use ('p', n), ('re', i, j) or ('im', i, j) (0-based)")
    return X.reshape(-1, order="F")


def _read(Y: np.ndarray, c) -> float:
    if c[0] == "p":
        return float(np.real(Y[c[1], c[1]]))
    return _part(Y[c[1], c[2]], c[0])


from qsym.numeric.targets import Target  # noqa: E402  (after the solver: targets import nothing from here)


@dataclass(frozen=True)
class KernelElementPart(Target):
    """``Re`` or ``Im`` of Fogedby's ``K_{pp',qq'}`` (eq. 2.2; 1-based levels) read off the
    numeric generator in the gauged eigenbasis (:func:`gauged_eigenbasis`): dissipative part,
    plus ``-i E_{pp'}`` on the diagonal if ``coherent``.  Works with the secular
    (:class:`NumericResult`) and the Redfield (:class:`RedfieldResult`) solvers."""

    p: int
    pp: int
    q: int
    qq: int
    part: str = "re"
    coherent: bool = False
    zero_expected: bool = False

    def value(self, me, res, values) -> complex:
        S, E = _gauged_dissipator(me, res, values)
        d = len(E)
        a, b = (self.p - 1) + d * (self.pp - 1), (self.q - 1) + d * (self.qq - 1)
        v = complex(S[a, b])
        if self.coherent and a == b:
            v += -1j * (E[self.p - 1] - E[self.pp - 1])
        return v

    def numeric(self, me, res, values):
        return _part(self.value(me, res, values), self.part)

    def describe(self):
        return f"{self.part} K_{self.p}{self.pp},{self.q}{self.qq}"


@dataclass(frozen=True)
class KernelNonzero(Target):
    """``1`` if ``|K_{pp',qq'}|`` (dissipative, 1-based) exceeds ``rel_tol`` times the largest
    element of the numeric dissipator, else ``0``: whether the element belongs to the list
    of non-vanishing kernel elements (Fogedby eqs. 4.20-4.25)."""

    p: int
    pp: int
    q: int
    qq: int
    rel_tol: float = 1e-9

    def numeric(self, me, res, values):
        S, _ = _gauged_dissipator(me, res, values)
        d = int(round(np.sqrt(S.shape[0])))
        v = S[(self.p - 1) + d * (self.pp - 1), (self.q - 1) + d * (self.qq - 1)]
        return 1.0 if abs(v) > self.rel_tol * np.abs(S).max() else 0.0

    def describe(self):
        return f"[K_{self.p}{self.pp},{self.q}{self.qq} != 0]"


@dataclass(frozen=True)
class KernelTrace(Target):
    """``sum_p K_{pp,qq'}`` (1-based): zero for a trace-preserving generator."""

    q: int
    qq: int
    part: str = "re"
    zero_expected: bool = True

    def numeric(self, me, res, values):
        S, E = _gauged_dissipator(me, res, values)
        d = len(E)
        col = (self.q - 1) + d * (self.qq - 1)
        return _part(sum(S[p + d * p, col] for p in range(d)), self.part)

    def describe(self):
        return f"sum_p K_pp,{self.q}{self.qq}"


@dataclass(frozen=True)
class GeneratorEntry(Target):
    """Entry ``M_ab`` of the generator in real coordinates (``dc_a/dt = sum_b M_ab c_b``;
    coordinates as :func:`qsym.dynamics.redfield.real_coordinates`, 0-based), read off the
    numeric generator in the gauged eigenbasis: Fogedby eqs. 4.26-4.31 entry by entry."""

    row: tuple
    col: tuple
    dissipative: bool = False
    zero_expected: bool = False

    def numeric(self, me, res, values):
        S, E = _gauged_dissipator(me, res, values)
        d = len(E)
        x = _coordinate_vector(self.col, d)
        y = S @ x
        if not self.dissipative:
            y = y - 1j * (E[:, None] - E[None, :]).reshape(-1, order="F") * x
        return _read(y.reshape((d, d), order="F"), self.row)

    def describe(self):
        return f"M[{self.row}, {self.col}]"


@dataclass(frozen=True)
class SteadyStateEntry(Target):
    """A real coordinate of the steady state in the gauged eigenbasis (``("p", n)``,
    ``("re", i, j)``, ``("im", i, j)``, 0-based).  ``order=1``: of the first-order state
    ``rho^(0) + rho^(1)`` of :func:`redfield_first_order` (Redfield solver only), the
    numeric counterpart of :func:`qsym.first_order_steady_state`."""

    coordinate: tuple
    order: int | None = None
    zero_expected: bool = False

    def numeric(self, me, res, values):
        V, _ = gauged_eigenbasis(me, res, values)
        if self.order is None:
            rho = res.rho
        elif self.order == 1:
            gen = getattr(res, "generator", None)
            if not isinstance(gen, RedfieldGenerator):
                raise TypeError("SteadyStateEntry(order=1) needs a Bloch-Redfield result (RedfieldSolver)")
            fo = res.__dict__.get("_first_order")
            if fo is None:
                fo = redfield_first_order(gen)
                object.__setattr__(res, "_first_order", fo)
            rho = fo.rho
        else:
            raise ValueError(f"order must be None (exact) or 1, got {self.order!r}")
        return _read(V.conj().T @ rho @ V, self.coordinate)

    def describe(self):
        c = self.coordinate
        name = f"rho_{c[1] + 1}{c[1] + 1}" if c[0] == "p" else f"{c[0]} rho_{c[1] + 1}{c[2] + 1}"
        return name + ("" if self.order is None else f" (order {self.order})")


@dataclass(frozen=True)
class SignOf(Target):
    """``sign`` of another target's numeric value (for statements such as ``C < 0``)."""

    inner: Target

    def numeric(self, me, res, values):
        return float(np.sign(self.inner.numeric(me, res, values)))

    def describe(self):
        return f"sign({self.inner.describe()})"


# ==========================================================================================
# Secular vs non-secular scan
# ==========================================================================================
class _Progress:
    """A progress bar: tqdm if installed, else a counter on stderr (at most about 20 lines, at
    most two per second, and always the last one)."""

    def __init__(self, n: int, show: bool, desc: str):
        self.n, self.show, self.desc = n, show, desc
        self.k = 0
        self.t0 = self.last = time.perf_counter()
        self.bar = None
        if show:
            try:
                from tqdm.auto import tqdm
                self.bar = tqdm(total=n, desc=desc, file=sys.stderr)
            except ImportError:
                self.bar = None

    def update(self, info: str = "") -> None:
        self.k += 1
        if not self.show:
            return
        if self.bar is not None:
            self.bar.update(1)
            if info:
                self.bar.set_postfix_str(info, refresh=False)
            return
        every = max(1, self.n // 20)
        now = time.perf_counter()
        if self.k == self.n or (self.k % every == 0 and now - self.last >= 0.5):
            self.last = now
            el = now - self.t0
            eta = el / self.k * (self.n - self.k)
            print(f"{self.desc}: {self.k}/{self.n} points, {el:.1f} s elapsed, ~{eta:.1f} s left"
                  + (f", {info}" if info else ""), file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _as_value(v, key):
    if callable(v):
        return v
    a = np.asarray(v)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise TypeError(f"scan value of {key!r} must be a number, a 1-D array of numbers or a callable of the "
                        f"point, got {type(v).__name__}")
    if a.ndim > 1:
        raise ValueError(f"scan value of {key!r} must be a number or a 1-D array, got shape {a.shape}")
    if a.ndim == 1 and len(a) == 0:
        raise ValueError(f"scan array of {key!r} is empty")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"scan value of {key!r} contains non-finite numbers")
    return a


def _scan_points(scan, mesh: bool):
    """``(points, axes, shape)``.  ``scan``: a list of ``{key: number}`` dicts (shape ``(n,)``,
    no axes), or ``{key: number | 1-D array | callable(point) -> number}``: arrays are the
    axes (Cartesian product in insertion order if ``mesh``, else zipped), callables are
    evaluated per point after the axes and the numbers, in insertion order (e.g.
    ``omega_1: lambda v: v[omega_2] + v["Delta"]`` for a scan in the detuning)."""
    if isinstance(scan, Mapping):
        if not scan:
            raise ValueError("`scan` is empty")
        vals = {k: _as_value(v, k) for k, v in scan.items()}
        arrays = [(k, v) for k, v in vals.items() if not callable(v) and v.ndim == 1]
        scalars = {k: v.item() for k, v in vals.items() if not callable(v) and v.ndim == 0}
        funcs = [(k, v) for k, v in vals.items() if callable(v)]
        if mesh:
            shape = tuple(len(v) for _, v in arrays) or (1,)
            idx = list(np.ndindex(*shape)) if arrays else [(0,)]
            base = [{k: v[i[a]] for a, (k, v) in enumerate(arrays)} for i in idx] if arrays else [{}]
        else:
            lengths = {len(v) for _, v in arrays}
            if len(lengths) > 1:
                raise ValueError(f"with mesh=False the arrays of `scan` must have equal lengths, got "
                                 f"{ {str(k): len(v) for k, v in arrays} }")
            n = lengths.pop() if lengths else 1
            shape = (n,)
            base = [{k: v[i] for k, v in arrays} for i in range(n)]
        pts = []
        for b in base:
            p = {**scalars, **{k: float(v) for k, v in b.items()}}
            for k, f in funcs:
                try:
                    p[k] = float(f(p))
                except Exception as exc:
                    raise ValueError(f"scan callable for {k!r} failed at {p}: {exc}") from exc
            pts.append(p)
        return pts, tuple((k, np.asarray(v, float)) for k, v in arrays), shape
    try:
        pts = list(scan)
    except TypeError:
        raise TypeError(f"`scan` must be a dict or a list of dicts, got {type(scan).__name__}") from None
    if not pts:
        raise ValueError("`scan` is empty")
    for p in pts:
        if not isinstance(p, Mapping):
            raise TypeError(f"`scan` must be a list of {{symbol: value}} dicts or a dict of arrays, "
                            f"got an element of type {type(p).__name__}")
    return pts, (), (len(pts),)


def _points(scan) -> list:
    return _scan_points(scan, mesh=False)[0]


def _family_gap_and_rate(gen: RedfieldGenerator) -> tuple[float, float, float]:
    """``(min_bohr_gap, max_rate, secularity_ratio)`` of the generator's families.

    The secular approximation drops the terms that pair two Bohr components ``A(w)``,
    ``A(w')`` of one family; they rotate at ``|w - w'|`` and are negligible only if that is
    much larger than the rates ``gamma(w) ||A(w)||^2`` of the family (B&P Sec. 3.3.1, eq. 3.135
    vs 3.140).  ``secularity_ratio`` is the smallest, over families with two or more
    components, of (smallest gap of the family) / (largest rate of the family) (``inf``
    without such families); ``min_bohr_gap`` and ``max_rate`` are the smallest gap and the
    largest rate over all families.  For Fogedby's qubits the relative error of the secular
    currents is about ``ratio^-2`` (1% at ratio 10)."""
    gap, rate, ratio = np.inf, 0.0, np.inf
    for fams in gen.families.values():
        for f in fams:
            ws = sorted(float(w) for w, _, _ in f.components)
            r = max((2.0 * float(np.real(G)) * float(np.linalg.norm(A, 2)) ** 2 for _, G, A in f.components),
                    default=0.0)
            rate = max(rate, r)
            if len(ws) > 1:
                g = float(np.min(np.diff(ws)))
                gap = min(gap, g)
                if r > 0:
                    ratio = min(ratio, g / r)
    return gap, rate, ratio


def _compare_point(ns: NumericSolver, model, vals, spectral, lamb_shift: bool, heat_floor: float) -> dict:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SecularityWarning)
        sec = ns.solve(vals, spectral)
    sec_warn = [str(w.message) for w in caught if issubclass(w.category, SecularityWarning)]
    for w in caught:  # anything else is passed on
        if not issubclass(w.category, SecularityWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecularityWarning)
        red = redfield_steady_state(model, vals, spectral, lamb_shift=lamb_shift, solver=ns)
    ev = np.linalg.eigvalsh(red.rho - sec.rho)
    norm1 = float(np.abs(ev).sum())
    hd = {}
    for b, qs_ in sec.heat_currents.items():
        qr = red.heat_currents[b]
        hd[b] = abs(qr - qs_) / abs(qs_) if abs(qs_) > heat_floor else abs(qr - qs_)
    R = red.rho_eigenbasis
    offd = np.abs(R - np.diag(np.diag(R)))
    gap, rate, ratio = _family_gap_and_rate(red.generator)
    return dict(values=dict(sec.values), rho_deviation=norm1 / float(np.abs(np.linalg.eigvalsh(sec.rho)).sum()),
                trace_distance=0.5 * norm1, max_coherence=float(offd.max(initial=0.0)),
                heat_secular=dict(sec.heat_currents), heat_redfield=dict(red.heat_currents),
                heat_deviation=hd, min_eigenvalue=red.min_eigenvalue, min_bohr_gap=gap, max_rate=rate,
                secularity_ratio=ratio, secular_warnings=sec_warn)


def _warn_questionable(rows, flags, secular_tol: float) -> None:
    k = int(np.sum(flags))
    if not k:
        return
    worst = min((r for r, f in zip(rows, flags) if f), key=lambda r: r["secularity_ratio"])
    at = ", ".join(f"{getattr(s, 'name', s)}={v:.4g}" for s, v in worst["values"].items())
    warnings.warn(
        f"secular approximation invalid at {k} of {len(rows)} scan points: two Bohr frequencies of one "
        f"family are closer than {secular_tol:g} x its largest rate (worst: gap/rate = "
        f"{worst['secularity_ratio']:.3g} at {at}); the secular steady state and currents there are NOT an "
        f"approximation of the Born-Markov dynamics (the Bloch-Redfield values are). These points are "
        f"flagged in `secular_questionable`", SecularityWarning, stacklevel=3)


def compare_secular_redfield(model: OpenSystem, scan, spectral: Mapping | None = None, *,
                             lamb_shift: bool = False, progress: bool | None = None,
                             heat_floor: float = 0.0, secular_tol: float = 10.0) -> list[dict]:
    """Secular (Davies, :class:`NumericSolver`) vs Bloch-Redfield steady states over a scan.

    Args:
        model: the open system.
        scan: a list of ``{symbol: value}`` points, or ``{symbol: array or scalar}`` (zipped).
        spectral: ``{bath: g(omega)}`` as for :meth:`NumericSolver.solve`.
        lamb_shift: include the Lamb shift in the Redfield generator.
        progress: progress bar on stderr (default: for scans of 20 points or more).
        heat_floor: heat currents with ``|q_secular| <= heat_floor`` get an absolute instead of a
            relative deviation (e.g. at equal temperatures).
        secular_tol: points with ``secularity_ratio < secular_tol`` are flagged
            (``secular_questionable``) and reported in one :class:`SecularityWarning`; the default
            10 stands for the ``>>`` of the secular condition (for Fogedby's qubits at resonance a
            gap of 1.6 rates already gives a 57% error of the secular current).

    Returns:
        One dict per point: ``values``; ``rho_deviation`` = ``||rho_R - rho_S||_1 / ||rho_S||_1``
        (trace norm, site basis) and ``trace_distance`` = ``||rho_R - rho_S||_1 / 2``;
        ``max_coherence`` = largest ``|rho_R|_{ij}`` (i != j, eigenbasis); ``heat_secular``,
        ``heat_redfield`` and ``heat_deviation`` (``|q_R - q_S|/|q_S|`` per bath);
        ``min_eigenvalue`` of ``rho_R``; ``min_bohr_gap`` (smallest ``|w - w'|`` of two Bohr
        components of one family -- the pairs the secular approximation drops), ``max_rate``
        (largest ``gamma(w) ||A(w)||^2``), ``secularity_ratio`` (smallest gap / largest rate of a
        family, see :func:`_family_gap_and_rate`), ``secular_warnings`` (the secular solver's
        SecularityWarning messages) and ``secular_questionable`` (ratio below ``secular_tol`` or
        a solver warning).
    """
    pts = _points(scan)
    if not (secular_tol > 0):
        raise ValueError(f"Argument `secular_tol` must be positive, got {secular_tol}")
    n = len(pts)
    show = (n >= 20) if progress is None else bool(progress)
    ns = NumericSolver(model)
    bar = _Progress(n, show, "compare_secular_redfield")
    out = []
    try:
        for vals in pts:
            row = _compare_point(ns, model, vals, spectral, lamb_shift, heat_floor)
            row["secular_questionable"] = bool(row["secularity_ratio"] < secular_tol or row["secular_warnings"])
            out.append(row)
            bar.update(f"last rho deviation {row['rho_deviation']:.3g}")
    finally:
        bar.close()
    _warn_questionable(out, [r["secular_questionable"] for r in out], secular_tol)
    return out


@dataclass(frozen=True, eq=False)
class DeviationScan:
    """Result of :func:`secular_redfield_deviation`: per-point rows and arrays of shape
    ``shape`` (one axis per array-valued entry of the scan).

    Attributes:
        axes: ``((key, values), ...)`` of the scanned parameters (empty for a list of points).
        shape: shape of the arrays.
        rows: the per-point dicts of :func:`compare_secular_redfield`.
        secular_tol: the threshold of ``secular_questionable``.
    """

    axes: tuple
    shape: tuple
    rows: tuple
    secular_tol: float

    def _arr(self, key, bath=None) -> np.ndarray:
        vals = [r[key] if bath is None else r[key][bath] for r in self.rows]
        return np.asarray(vals, dtype=float if key != "secular_questionable" else bool).reshape(self.shape)

    @property
    def baths(self) -> tuple:
        return tuple(self.rows[0]["heat_secular"]) if self.rows else ()

    @property
    def trace_distance(self) -> np.ndarray:
        """``||rho_Redfield - rho_secular||_1 / 2``."""
        return self._arr("trace_distance")

    @property
    def max_coherence(self) -> np.ndarray:
        return self._arr("max_coherence")

    @property
    def min_eigenvalue(self) -> np.ndarray:
        return self._arr("min_eigenvalue")

    @property
    def secularity_ratio(self) -> np.ndarray:
        """Smallest Bohr-frequency gap of a family over its largest rate."""
        return self._arr("secularity_ratio")

    @property
    def secular_questionable(self) -> np.ndarray:
        return self._arr("secular_questionable")

    def heat_deviation(self, bath: str | None = None) -> np.ndarray:
        """``|q_R - q_S| / |q_S|`` of one bath (default: the first)."""
        return self._arr("heat_deviation", self._bath(bath))

    def heat(self, bath: str | None = None, which: str = "redfield") -> np.ndarray:
        if which not in ("redfield", "secular"):
            raise ValueError(f"which must be 'redfield' or 'secular', got {which!r}")
        return self._arr(f"heat_{which}", self._bath(bath))

    def _bath(self, bath):
        if bath is None:
            return self.baths[0]
        if bath not in self.baths:
            raise KeyError(f"no bath named {bath!r}; the scan has baths {self.baths}")
        return bath

    def plot(self, quantity: str = "trace_distance", **kwargs):
        """:func:`plot_deviation_map` of this scan."""
        return plot_deviation_map(self, quantity, **kwargs)


def secular_redfield_deviation(model: OpenSystem, scan, spectral: Mapping | None = None, *, mesh: bool = True,
                               lamb_shift: bool = False, progress: bool | None = None,
                               heat_floor: float = 0.0, secular_tol: float = 10.0) -> DeviationScan:
    """Deviation of the secular (Davies) from the Bloch-Redfield steady state and heat currents
    over a parameter scan, e.g. in the coupling ``lambda`` and the detuning
    ``Delta omega = omega_1 - omega_2`` of Fogedby's coupled qubits (sec. IV.C.1).

    The secular approximation needs distinct Bohr frequencies of one coupling to differ by much
    more than the rates (B&P Sec. 3.3.1).  For the coupled qubits ``omega_+ - omega_- =
    sqrt((omega_1 - omega_2)^2 + 4 lambda^2)``: at resonance ``omega_1 = omega_2`` and
    ``lambda -> 0`` the two frequencies become degenerate and the secular steady state stays
    at a finite distance from the Redfield one (which tends to two qubits each at its bath's
    temperature), while off resonance the deviation vanishes with the rates.  Points where a
    family's Bohr gap is below ``secular_tol`` times its largest rate are flagged in ``secular_questionable``
    and reported in one :class:`SecularityWarning`; the numbers are kept (they are what the
    secular equation predicts) but are not an approximation of the dynamics there.

    Args:
        model: the open system.
        scan: ``{key: number | 1-D array | callable(point)}`` (see :func:`_scan_points`; array
            entries are the axes, combined as a Cartesian product if ``mesh`` else zipped), or a
            list of ``{symbol: value}`` points.  Keys are model symbols or names; other keys
            (e.g. ``"Delta"``) may be used by the callables.
        spectral: ``{bath: g(omega)}`` for undefined spectral functions.
        mesh: Cartesian product (True) or zip (False) of the array entries.
        lamb_shift: include principal-value Lamb shifts in the Redfield generator.
        progress: progress bar (tqdm if installed, else a counter on stderr); default for
            scans of 20 points or more.
        heat_floor: absolute instead of relative current deviation where ``|q_S| <= heat_floor``.
        secular_tol: threshold of ``gap / rate`` below which the secular equation is flagged
            (default 10: the secular condition is ``gap >> rate``; about 1% error of the currents).

    Returns:
        A :class:`DeviationScan` (``trace_distance``, ``heat_deviation(bath)``, ``heat(bath,
        which)``, ``max_coherence``, ``min_eigenvalue``, ``secularity_ratio``,
        ``secular_questionable``, ``rows``, ``plot()``).
    """
    if not isinstance(model, OpenSystem):
        raise TypeError(f"Argument `model` must be a qsym OpenSystem, got {type(model).__name__}")
    if not (secular_tol > 0):
        raise ValueError(f"Argument `secular_tol` must be positive, got {secular_tol}")
    pts, axes, shape = _scan_points(scan, mesh)
    n = len(pts)
    show = (n >= 20) if progress is None else bool(progress)
    ns = NumericSolver(model)
    bar = _Progress(n, show, "secular_redfield_deviation")
    rows = []
    try:
        for vals in pts:
            row = _compare_point(ns, model, vals, spectral, lamb_shift, heat_floor)
            row["secular_questionable"] = bool(row["secularity_ratio"] < secular_tol or row["secular_warnings"])
            row["point"] = dict(vals)
            rows.append(row)
            bar.update(f"trace distance {row['trace_distance']:.3g}")
    finally:
        bar.close()
    _warn_questionable(rows, [r["secular_questionable"] for r in rows], secular_tol)
    return DeviationScan(axes, shape, tuple(rows), float(secular_tol))


def _axis_label(key) -> str:
    import sympy as sp
    if isinstance(key, sp.Basic):
        return f"${sp.latex(key)}$"
    return str(key)


def plot_deviation_map(scan: DeviationScan, quantity: str = "trace_distance", *, bath: str | None = None,
                       ax=None, log: bool = True, mark_secular: bool = True, cmap: str = "viridis",
                       xscale: str | None = None, yscale: str | None = None):
    """Plot a :class:`DeviationScan`: a line (one axis) or a colour map (two axes) of
    ``quantity`` -- ``"trace_distance"``, ``"heat_deviation"`` (of ``bath``),
    ``"max_coherence"`` or ``"secularity_ratio"`` -- with the points where the secular
    approximation is invalid marked (red crosses; on a map, the contour ``gap/rate =
    secular_tol`` and hatching).  Needs matplotlib (optional dependency).  Returns the axes."""
    try:
        import matplotlib.pyplot as plt
        from matplotlib.colors import LogNorm
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plot_deviation_map needs matplotlib (pip install matplotlib)") from exc
    if not isinstance(scan, DeviationScan):
        raise TypeError(f"Argument `scan` must be a DeviationScan (from secular_redfield_deviation), "
                        f"got {type(scan).__name__}")
    getters = {"trace_distance": lambda: scan.trace_distance, "heat_deviation": lambda: scan.heat_deviation(bath),
               "max_coherence": lambda: scan.max_coherence, "secularity_ratio": lambda: scan.secularity_ratio}
    if quantity not in getters:
        raise ValueError(f"quantity must be one of {sorted(getters)}, got {quantity!r}")
    Z = getters[quantity]()
    label = {"trace_distance": r"$\frac{1}{2}\|\rho_R - \rho_S\|_1$",
             "heat_deviation": rf"$|q_R - q_S|/|q_S|$ (bath {scan._bath(bath)})",
             "max_coherence": r"$\max_{i\neq j}|\rho^R_{ij}|$", "secularity_ratio": "Bohr gap / rate"}[quantity]
    bad = scan.secular_questionable
    if len(scan.axes) not in (1, 2):
        raise ValueError(f"plot_deviation_map needs a scan with one or two array axes, got {len(scan.axes)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))

    def auto(v):
        v = np.asarray(v, float)
        return "log" if np.all(v > 0) and v.max() / v.min() > 100 else "linear"

    if len(scan.axes) == 1:
        (kx, x), = scan.axes
        ax.plot(x, Z, "o-", ms=3, label=label)
        if mark_secular and bad.any():
            ax.plot(x[bad], Z[bad], "x", color="red", ms=8, label="secular approximation invalid")
        ax.set_xscale(xscale or auto(x))
        if log and np.all(Z > 0):
            ax.set_yscale("log")
        ax.set_xlabel(_axis_label(kx))
        ax.set_ylabel(label)
        ax.legend(fontsize=8)
        return ax
    (kx, x), (ky, y) = scan.axes
    Zp = np.where(Z > 0, Z, np.nan) if log else Z
    norm = None
    if log and np.isfinite(Zp).any():
        norm = LogNorm(vmin=np.nanmin(Zp), vmax=np.nanmax(Zp))
    m = ax.pcolormesh(x, y, Zp.T, shading="nearest", cmap=cmap, norm=norm)
    plt.colorbar(m, ax=ax, label=label)
    if mark_secular:
        ratio = scan.secularity_ratio
        if np.isfinite(ratio).any() and len(x) > 1 and len(y) > 1:
            r = np.where(np.isfinite(ratio), ratio, np.nanmax(np.where(np.isfinite(ratio), ratio, np.nan)) * 10)
            try:
                ax.contour(x, y, r.T, levels=[scan.secular_tol], colors="white", linestyles="--", linewidths=1.2)
            except (ValueError, TypeError):
                pass
        if bad.any():
            ax.contourf(x, y, bad.T.astype(float), levels=[0.5, 1.5], colors="none", hatches=["//"])
            ax.plot([], [], color="white", ls="--", label=f"Bohr gap = {scan.secular_tol:g} x rate")
            ax.fill([], [], fill=False, hatch="//", label="secular approximation invalid")
            ax.legend(fontsize=8, loc="upper right")
    ax.set_xscale(xscale or auto(x))
    ax.set_yscale(yscale or auto(y))
    ax.set_xlabel(_axis_label(kx))
    ax.set_ylabel(_axis_label(ky))
    return ax
