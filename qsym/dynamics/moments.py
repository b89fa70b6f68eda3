"""Closed second-moment equations for quadratic bosonic open systems (no Fock truncation).

A master equation

    d rho/dt = -i[H, rho] + sum_c Gamma_c (J_c rho J_c^dag - 1/2 {J_c^dag J_c, rho})

whose Hamiltonian is a number-conserving quadratic form ``H = sum_ij h_ij a_i^dag a_j`` and
whose jump operators are linear, ``J = sum_i u_i a_i`` (lowering) or ``J = sum_i v_i a_i^dag``
(raising), closes on the second moments ``M_ij = <a_i^dag a_j>``.  In the Heisenberg (adjoint)
picture (Breuer-Petruccione eq. 3.223)

    d<X>/dt = <L^dag X>,   L^dag X = i[H, X] + sum_c Gamma_c (J_c^dag X J_c - 1/2 {J_c^dag J_c, X}),

and ``L^dag(a_i^dag a_j)`` is again a combination of ``a_k^dag a_l`` and the identity, which
gives the linear system ``dM/dt = LL M + s`` (the Lyapunov-type equation of a Gaussian
number-conserving state).  Here the operator algebra is done symbolically with normal
ordering (``[a_i, a_j^dag] = delta_ij``), so nothing is truncated: the closed forms hold for
the infinite-dimensional oscillators.

Heat currents (positive from bath X into the system, Fogedby eqs. 2.11-2.12 / sec. IV.C.2):
``q^X = <L_X^dag H>``, with ``L_X^dag`` the adjoint dissipator of bath X only.

Two master equations are built from an :class:`~qsym.model.OpenSystem` on truncated bosonic
sites (``qs.bosons(N, dim)``, ``dim >= 3``; the truncated operators only carry the *form* of
``H`` and of the couplings, which are read off exactly and checked):

* ``"local"`` -- Fogedby eqs. 4.33-4.35 (Levy & Kosloff, EPL 107, 20004 (2014)): each
  coupling ``L = sum_i c_i a_i`` is split into Bohr components with respect to the local
  Hamiltonian ``sum_i h_ii a_i^dag a_i``; the component at local frequency ``w`` has emission
  rate ``g_X(w)(1 + n_X(w))`` and its adjoint the absorption rate ``g_X(w) n_X(w)``.
* ``"global"`` -- the secular (Davies) equation in the eigenbasis of ``H`` (Breuer-Petruccione
  eqs. 3.118, 3.140-3.144): with ``h = U diag(eps) U^dag`` (qsym's mixing-angle spectrum of
  the single-particle matrix) the normal modes ``d_k = sum_i conj(U_ik) a_i`` diagonalise
  ``H = sum_k eps_k d_k^dag d_k`` and ``a_i = sum_k U_ik d_k``; the coupling ``L`` has the Bohr
  components ``L(eps) = sum_{k: eps_k = eps} (sum_i c_i U_ik) d_k``, with rates
  ``g_X(eps)(1 + n_X(eps))`` and ``g_X(eps) n_X(eps)`` for ``L(eps)^dag``.

The same moment engine also accepts a qsym :class:`~qsym.dynamics.master.MasterEquation`
(e.g. :func:`qsym.local_master_equation` of the truncated model): its jump matrices are
projected onto the truncated ``a_i`` / ``a_i^dag`` and the projection must be exact.

The independent numeric check is :class:`FockSolver`: the same model in a Fock space
truncated at total excitation number ``K`` (chosen per parameter point so that the
truncation error is below ``tail`` relative), with its own numeric Bohr decomposition,
Liouvillian and null space -- it never uses the moment equations.
"""
from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Mapping

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla
import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra.operators import Operator, Site, Space
from ..algebra.spectrum import _is_zero
from ..algebra.spectrum import spectrum as symbolic_spectrum
from ..algebra.symbols import DefinedSymbol, expand_definitions
from ..baths import BosonicBath, UndefinedSpectrum, _Occupation
from ..errors import NonUniqueSteadyStateError
from ..model import OpenSystem
from ..numeric.targets import Target
from .bohr import name_frequencies, sign_on_domain

__all__ = [
    "LinearJump", "MomentMasterEquation", "MomentSteadyState", "moment_master_equation",
    "quadratic_form", "linear_form", "normal_order", "FockSolver", "FockResult",
    "SecondMoment", "MomentDerivative", "ChannelCurrent", "EffectiveRate", "EnergyBalance",
    "FluxPrefactor", "HeatCurrentSign", "ColdToHot", "NormalModeFrequency",
]

LOCAL_KIND = "local Lindblad (moments)"
GLOBAL_KIND = "global secular (Davies, moments)"


# ==========================================================================================
# Normal-ordered polynomials in a_i, a_i^dag
# ==========================================================================================
# A polynomial is {(creators, annihilators): coefficient} with both tuples sorted: the
# monomial a_{c1}^dag a_{c2}^dag ... a_{k1} a_{k2} ...  A letter of a word is (mode, dagger).

@lru_cache(maxsize=None)
def _order_word(word: tuple) -> tuple:
    """Normal order a word of letters ``(mode, is_dagger)`` with ``[a_i, a_j^dag] = delta_ij``.
    Returns ``((key, integer coefficient), ...)``."""
    for k in range(len(word) - 1):
        (m1, d1), (m2, d2) = word[k], word[k + 1]
        if not d1 and d2:  # a_m1 a_m2^dag = a_m2^dag a_m1 + delta
            swapped = word[:k] + (word[k + 1], word[k]) + word[k + 2:]
            out: dict = {}
            for key, c in _order_word(swapped):
                out[key] = out.get(key, 0) + c
            if m1 == m2:
                for key, c in _order_word(word[:k] + word[k + 2:]):
                    out[key] = out.get(key, 0) + c
            return tuple((key, c) for key, c in out.items() if c != 0)
    cre = tuple(sorted(m for m, d in word if d))
    ann = tuple(sorted(m for m, d in word if not d))
    return (((cre, ann), 1),)


def normal_order(word) -> dict:
    """``{(creators, annihilators): coefficient}`` of a product of ladder operators.

    Examples:
        >>> normal_order([(0, False), (0, True)])   # a a^dag = a^dag a + 1
        {((0,), (0,)): 1, ((), ()): 1}
    """
    return dict(_order_word(tuple((int(m), bool(d)) for m, d in word)))


def _word(key) -> tuple:
    cre, ann = key
    return tuple((m, True) for m in cre) + tuple((m, False) for m in ann)


def _mul(p: dict, q: dict) -> dict:
    out: dict = {}
    for k1, c1 in p.items():
        for k2, c2 in q.items():
            for k, c in _order_word(_word(k1) + _word(k2)):
                out[k] = out.get(k, 0) + c * c1 * c2
    return out


def _add(*ps, coeffs=None) -> dict:
    out: dict = {}
    for i, p in enumerate(ps):
        f = 1 if coeffs is None else coeffs[i]
        for k, c in p.items():
            out[k] = out.get(k, 0) + f * c
    return out


def _dag(p: dict) -> dict:
    """Hermitian conjugate: (a_c^dag ... a_k ...)^dag = a_k^dag ... a_c ... (already normal ordered)."""
    return {(ann, cre): sp.conjugate(c) for (cre, ann), c in p.items()}


def _clean(p: dict) -> dict:
    out = {}
    for k, c in p.items():
        c = sp.expand(c)
        if c != 0:
            out[k] = c
    return out


def _linear_poly(u, v) -> dict:
    p = {}
    for i, c in enumerate(u):
        if c != 0:
            p[((), (i,))] = sp.sympify(c)
    for i, c in enumerate(v):
        if c != 0:
            p[((i,), ())] = sp.sympify(c)
    return p


def _quadratic_poly(h) -> dict:
    n = h.shape[0]
    return {((i,), (j,)): h[i, j] for i in range(n) for j in range(n) if h[i, j] != 0}


# ==========================================================================================
# Reading the quadratic / linear form off truncated operators
# ==========================================================================================
def _boson_space(op: Operator, name: str) -> Space:
    space = op.space
    bad = [s for s in space.sites if s.kind != "boson"]
    if bad:
        raise ValueError(
            f"Argument `{name}` must act on bosonic modes only (qs.bosons), but its space has "
            f"{[(s.name, s.kind) for s in bad]}; the moment equations are for oscillators")
    small = [s for s in space.sites if s.dim < 3]
    if small:
        raise ValueError(
            f"Argument `{name}` lives on bosonic sites truncated to dim {[s.dim for s in small]}; "
            f"expected dim >= 3 (with 2 Fock states a^dag a and (a^dag a)^2 coincide, so the form "
            f"of the operator cannot be read off)")
    return space


def _strides(space: Space) -> list[int]:
    dims = [s.dim for s in space.sites]
    st = [1] * len(dims)
    for j in range(len(dims) - 2, -1, -1):
        st[j] = st[j + 1] * dims[j + 1]
    return st


def _truncated_ladders(space: Space) -> list[sp.Matrix]:
    from ..algebra.operators import BosonSite
    return [sp.Matrix(BosonSite(space, k).a.matrix) for k in range(len(space.sites))]


def _state_label(space: Space, index: int) -> str:
    """``|n_1,n_2,...>`` for a product-basis index of bosonic sites."""
    occ = []
    for st in _strides(space):
        occ.append(index // st)
        index %= st
    return "|" + ",".join(map(str, occ)) + ">"


def _first_residual(R: sp.Matrix, space: Space):
    """``(i, j, R_ij)`` of the first non-zero element, or None."""
    for i in range(R.shape[0]):
        for j in range(R.shape[1]):
            if not _is_zero(R[i, j]):
                return i, j, sp.simplify(R[i, j])
    return None


def quadratic_form(H: Operator, name: str = "H") -> tuple[sp.Matrix, sp.Expr]:
    """``(h, c)`` with ``H = sum_ij h_ij a_i^dag a_j + c`` exactly on the truncated space.

    ``h_ij = <1_i|H|1_j> - delta_ij <0|H|0>`` is read off the one-excitation block and the
    reconstruction is compared element by element with ``H``.

    Raises:
        ValueError: naming ``name``, if ``H`` is not a number-conserving quadratic form (e.g.
            it contains ``(a^dag a)^2``, ``a^2`` or ``a + a^dag``), with the first offending
            matrix element.
    """
    if not isinstance(H, Operator):
        raise TypeError(f"Argument `{name}` must be a qs Operator, got {type(H).__name__}")
    space = _boson_space(H, name)
    N = len(space.sites)
    st = _strides(space)
    M = sp.Matrix(H.matrix)
    c = M[0, 0]
    h = sp.zeros(N, N)
    for i in range(N):
        for j in range(N):
            h[i, j] = sp.expand(M[st[i], st[j]] - (c if i == j else 0))
    a = _truncated_ladders(space)
    rebuilt = c * sp.eye(M.shape[0])
    for i in range(N):
        for j in range(N):
            if h[i, j] != 0:
                rebuilt += h[i, j] * a[i].T * a[j]
    bad = _first_residual(M - rebuilt, space)
    if bad is not None:
        i, j, r = bad
        bra, ket = _state_label(space, i), _state_label(space, j)
        raise ValueError(
            f"Argument `{name}` is not a number-conserving quadratic form sum_ij h_ij a_i^dag a_j + c: "
            f"the quadratic form read off the vacuum and one-excitation elements predicts "
            f"<{bra[1:-1]}|{name}|{ket[1:-1]}> = {sp.simplify(rebuilt[i, j])}, but {name} has "
            f"{sp.simplify(M[i, j])} (extra {r}); terms such as (a^dag a)^2, a^2 or a + a^dag do not close "
            f"the second-moment equations")
    return h, sp.expand(c)


def linear_form(L: Operator, name: str = "L") -> tuple[tuple, tuple]:
    """``(u, v)`` with ``L = sum_i u_i a_i + v_i a_i^dag`` exactly on the truncated space.

    Raises:
        ValueError: naming ``name``, if ``L`` is not linear in the ladder operators (e.g.
            ``a^2``, ``a^dag a`` or a constant), with the first offending matrix element.
    """
    if not isinstance(L, Operator):
        raise TypeError(f"Argument `{name}` must be a qs Operator, got {type(L).__name__}")
    space = _boson_space(L, name)
    N = len(space.sites)
    st = _strides(space)
    M = sp.Matrix(L.matrix)
    u = tuple(sp.expand(M[0, st[i]]) for i in range(N))
    v = tuple(sp.expand(M[st[i], 0]) for i in range(N))
    a = _truncated_ladders(space)
    rebuilt = sp.zeros(*M.shape)
    for i in range(N):
        rebuilt += u[i] * a[i] + v[i] * a[i].T
    bad = _first_residual(M - rebuilt, space)
    if bad is not None:
        i, j, r = bad
        bra, ket = _state_label(space, i), _state_label(space, j)
        raise ValueError(
            f"Argument `{name}` is not linear in the mode operators (sum_i u_i a_i + v_i a_i^dag): "
            f"the linear form read off its vacuum row and column predicts <{bra[1:-1]}|L|{ket[1:-1]}> = "
            f"{sp.simplify(rebuilt[i, j])}, but the operator has {sp.simplify(M[i, j])}; a jump operator "
            f"such as a^2 or a^dag a does not close the second-moment equations")
    return u, v


# ==========================================================================================
# The master equation in moment form
# ==========================================================================================
@dataclass(frozen=True)
class LinearJump:
    """One Lindblad term ``rate * D[J]`` with ``J = sum_k lowering_k b_k + raising_k b_k^dag``
    on the working modes ``b_k``; ``frequency`` is the energy released into ``bath`` per jump
    (negative for absorption)."""

    bath: str
    lowering: tuple
    raising: tuple
    rate: sp.Expr
    frequency: sp.Expr

    @property
    def poly(self) -> dict:
        return _linear_poly(self.lowering, self.raising)

    @property
    def weight(self) -> sp.Expr:
        """``rate * sum_k |coefficient_k|^2``: the rate of the normalised jump."""
        return sp.factor(self.rate * sum(c * sp.conjugate(c) for c in self.lowering + self.raising))


def _real_symbols(expr) -> bool:
    e = sp.sympify(expr)
    atoms = e.free_symbols | e.atoms(AppliedUndef) | e.atoms(_Occupation)
    return all(s.is_real for s in atoms)


def _abbreviate(exprs):
    """Replace spectral functions, occupations and radicals by real dummies (fast rational
    arithmetic); returns ``(new exprs, back-substitution)``."""
    atoms = set()
    for e in exprs:
        e = sp.sympify(e)
        atoms |= e.atoms(AppliedUndef) | e.atoms(_Occupation)
        atoms |= {p for p in e.atoms(sp.Pow) if not p.exp.is_Integer}
        atoms |= {f for f in e.atoms(sp.Function) if not isinstance(f, (AppliedUndef, _Occupation))}
    def dummy(k, a):
        if a.is_positive:
            return sp.Dummy(f"x{k}", positive=True)
        if a.is_real:
            return sp.Dummy(f"x{k}", real=True)
        return sp.Dummy(f"x{k}")
    fwd = {a: dummy(k, a) for k, a in enumerate(sorted(atoms, key=sp.default_sort_key))}
    back = {d: a for a, d in fwd.items()}
    return [sp.sympify(e).xreplace(fwd) for e in exprs], back


def _re_im(e):
    """Real and imaginary part of an expression whose symbols are real (I appears linearly
    after expansion)."""
    e = sp.expand(e)
    im = e.coeff(sp.I)
    re = sp.expand(e - sp.I * im)
    return re, im


def _factor_complex(e):
    """Factor the real and the imaginary part separately (factoring over the Gaussian
    rationals is very slow); plain ``factor`` when some symbol is not real."""
    e = sp.sympify(e)
    if e == 0:
        return e
    if not _real_symbols(e):
        return _fact(e)
    ab, back = _abbreviate([e])
    re, im = _re_im(ab[0])
    out = _fact(re, back)
    if im != 0:
        out = out + sp.I * _fact(im, back)
    return out


def _fact(e, back=None):
    e = sp.factor(sp.cancel(sp.together(e)))
    return e.xreplace(back) if back else e


@dataclass(frozen=True)
class MomentSteadyState:
    """The stationary second moments.

    Attributes:
        moments: ``<b_k^dag b_l>`` of the working modes (``me.modes``).
        site_moments: ``M_ij = <a_i^dag a_j>`` of the model's modes.
        method: how they were obtained.
    """

    moments: sp.ImmutableMatrix
    site_moments: sp.ImmutableMatrix
    method: str
    master_equation: object = None

    def _repr_latex_(self):
        from ..latex import latex
        me = self.master_equation
        rows = []
        names = me.site_modes if me is not None else None
        N = self.site_moments.shape[0]
        for i in range(N):
            for j in range(i, N):
                ai = names[i] if names else f"a_{i + 1}"
                aj = names[j] if names else f"a_{j + 1}"
                rows.append(rf"\langle {ai}^\dagger {aj}\rangle &= {latex(self.site_moments[i, j])}")
        return r"$\begin{aligned}" + r"\\ ".join(rows) + r"\end{aligned}$"


@dataclass(frozen=True)
class MomentMasterEquation:
    """A master equation with number-conserving quadratic ``H`` and linear jumps, solved by
    its closed second-moment equations (see the module docstring).

    Attributes:
        model: the :class:`OpenSystem` it was derived from (numeric checks rebuild it).
        kind: ``"local Lindblad (moments)"`` or ``"global secular (Davies, moments)"``.
        modes: LaTeX names of the working modes ``b_k`` (site modes for the local equation,
            normal modes for the global one).
        h: single-particle matrix in the working modes, ``H = sum h_kl b_k^dag b_l + const``.
        channels: the jump terms, each tagged with its bath.
        to_sites: ``U`` with ``a_i = sum_k U_ik b_k``.
        frequencies: named transition frequencies (``omega_pm``) introduced.
        conditions: relations the derivation relied on, with how each was established.
        spectrum: the single-particle spectrum used (global equation), else None.
    """

    model: OpenSystem
    kind: str
    modes: tuple
    h: sp.ImmutableMatrix
    channels: tuple
    to_sites: sp.ImmutableMatrix
    frequencies: tuple = ()
    conditions: tuple = ()
    spectrum: object = None
    site_modes: tuple = ()

    # ---- basics ---------------------------------------------------------------------------
    @property
    def n_modes(self) -> int:
        return self.h.shape[0]

    @property
    def bath_names(self) -> tuple:
        return tuple(c.bath.name for c in self.model.couplings)

    def channels_of(self, bath: str) -> tuple:
        if bath not in self.bath_names:
            raise KeyError(f"no bath named {bath!r}; this master equation has baths {self.bath_names}")
        return tuple(c for c in self.channels if c.bath == bath)

    @cached_property
    def _H(self) -> dict:
        return _quadratic_poly(self.h)

    # ---- adjoint generator ------------------------------------------------------------------
    def adjoint_dissipator(self, X: dict, channels=None) -> dict:
        """``sum_c Gamma_c (J_c^dag X J_c - 1/2 {J_c^dag J_c, X})`` on a normal-ordered
        polynomial ``X`` (the Heisenberg-picture dissipator, B&P eq. 3.223)."""
        out: dict = {}
        for ch in (self.channels if channels is None else channels):
            J = ch.poly
            Jd = _dag(J)
            JdJ = _mul(Jd, J)
            term = _add(_mul(_mul(Jd, X), J), _mul(JdJ, X), _mul(X, JdJ),
                        coeffs=(1, -sp.Rational(1, 2), -sp.Rational(1, 2)))
            out = _add(out, term, coeffs=(1, ch.rate))
        return _clean(out)

    def adjoint_generator(self, X: dict) -> dict:
        """``L^dag X = i[H, X] + sum_c ...`` on a normal-ordered polynomial ``X``."""
        comm = _add(_mul(self._H, X), _mul(X, self._H), coeffs=(sp.I, -sp.I))
        return _clean(_add(comm, self.adjoint_dissipator(X)))

    @cached_property
    def moment_equations(self) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix]:
        """``(LL, s)`` with ``d vec(N)/dt = LL vec(N) + s``, ``vec`` row-major over
        ``N_kl = <b_k^dag b_l>`` (index ``k*n + l``).

        Raises:
            ValueError: naming the channel, if ``L^dag(b_k^dag b_l)`` leaves the span of
                ``{b^dag b, 1}`` (a jump that mixes a and a^dag produces anomalous moments
                ``<b b>``, which this closure does not carry).
        """
        n = self.n_modes
        LL = sp.zeros(n * n, n * n)
        s = sp.zeros(n * n, 1)
        for k in range(n):
            for l in range(n):
                X = {((k,), (l,)): sp.S.One}
                for ch in self.channels:  # closure, channel by channel, for a precise error
                    for key in self.adjoint_dissipator(X, [ch]):
                        if not (len(key[0]) == len(key[1]) <= 1):
                            raise ValueError(
                                f"the jump operator of bath {ch.bath!r} (lowering coefficients "
                                f"{ch.lowering}, raising {ch.raising}) does not close the equations of "
                                f"<b^dag b>: L^dag({_key_text(((k,), (l,)), self.modes)}) contains the monomial "
                                f"{_key_text(key, self.modes)}; expected jumps that are purely "
                                f"lowering (sum c_i a_i) or purely raising (sum c_i a_i^dag)")
                for key, c in self.adjoint_generator(X).items():
                    if key == ((), ()):
                        s[k * n + l] += c
                    else:
                        (p,), (q,) = key
                        LL[k * n + l, p * n + q] += c
        return sp.ImmutableMatrix(LL), sp.ImmutableMatrix(s)

    def moment_derivative(self, site_moments) -> sp.Matrix:
        """``dM/dt`` (site basis) at given site moments ``M_ij = <a_i^dag a_j>``."""
        U = sp.Matrix(self.to_sites)
        n = self.n_modes
        Msite = sp.Matrix(site_moments)
        Nw = U.T * Msite * U.conjugate()  # N = U^T M conj(U)
        LL, s = self.moment_equations
        dN = LL * sp.Matrix(n * n, 1, list(Nw)) + s
        dN = sp.Matrix(n, n, list(dN))
        return (U.conjugate() * dN * U.T).applyfunc(sp.expand)

    # ---- steady state ---------------------------------------------------------------------
    def steady_state(self) -> MomentSteadyState:
        """Closed-form stationary moments: the linear system ``LL vec(N) + s = 0`` solved
        over the field of rational functions of the parameters (spectral functions,
        occupations and radicals abbreviated to symbols), Hermiticity used to work with
        ``n^2`` real unknowns, then factored.

        Raises:
            NonUniqueSteadyStateError: if ``LL`` is singular (e.g. a mode coupled to no bath).
        """
        return self._steady

    @cached_property
    def _steady(self) -> MomentSteadyState:
        n = self.n_modes
        LL, s = self.moment_equations
        real = all(_real_symbols(x) for x in list(LL) + list(s))
        if real:
            unknowns, Nsym = [], sp.zeros(n, n)
            for k in range(n):
                xk = sp.Dummy(f"x{k}{k}", real=True)
                unknowns.append(xk)
                Nsym[k, k] = xk
                for l in range(k + 1, n):
                    x, y = sp.Dummy(f"x{k}{l}", real=True), sp.Dummy(f"y{k}{l}", real=True)
                    unknowns += [x, y]
                    Nsym[k, l], Nsym[l, k] = x + sp.I * y, x - sp.I * y
            rhs = LL * sp.Matrix(n * n, 1, list(Nsym)) + s
            eqs = []
            for k in range(n):
                for l in range(k, n):
                    re, im = _re_im(rhs[k * n + l])
                    eqs.append(re)
                    if l != k:
                        eqs.append(im)
                    elif im != 0:
                        raise AssertionError("d<b^dag b>/dt has an imaginary part")
            method = ("linear solve of the real moment equations (Hermitian M: n^2 real unknowns) over "
                      "the rational-function field, spectral functions and occupations abbreviated")
        else:
            unknowns = [sp.Dummy(f"m{k}{l}") for k in range(n) for l in range(n)]
            Nsym = sp.Matrix(n, n, unknowns)
            eqs = list(LL * sp.Matrix(n * n, 1, unknowns) + s)
            method = "linear solve of the complex moment equations over the rational-function field"
        A, b = sp.linear_eq_to_matrix(eqs, unknowns)
        Aab, back = _abbreviate(list(A) + list(b))
        A2 = sp.Matrix(A.shape[0], A.shape[1], Aab[: A.shape[0] * A.shape[1]])
        b2 = sp.Matrix(b.shape[0], 1, Aab[A.shape[0] * A.shape[1]:])
        sol = _solve_linear(A2, b2)
        if sol is None:
            raise NonUniqueSteadyStateError(
                f"the moment equations of the {self.kind} equation are singular: the stationary second "
                f"moments are not unique (is every mode coupled, directly or through H, to a bath?)")
        vals = {u: _fact(x, back) for u, x in zip(unknowns, sol)}
        Nss = Nsym.xreplace(vals)
        if not real:
            Nss = Nss.applyfunc(_factor_complex)
        U = sp.Matrix(self.to_sites)
        if U == sp.eye(n):
            Msite = Nss
        else:
            Msite = (U.conjugate() * Nss * U.T).applyfunc(_factor_complex)
        return MomentSteadyState(sp.ImmutableMatrix(Nss), sp.ImmutableMatrix(Msite), method, self)

    # ---- thermodynamics -------------------------------------------------------------------
    def _expect(self, poly: dict, N) -> sp.Expr:
        tot = 0
        for key, c in poly.items():
            if key == ((), ()):
                tot += c
            else:
                (p,), (q,) = key
                tot += c * N[p, q]
        return tot

    def heat_current(self, bath: str, ss: MomentSteadyState | None = None, *, by_channel: bool = False):
        """``q^X = <L_X^dag H>`` in the steady state (heat from bath X into the system).

        With ``by_channel=True``: ``{omega: q^X_omega}``, one entry per Bohr frequency of the
        bath's jumps (for the global equation, per normal mode ``omega_pm``)."""
        ss = ss if ss is not None else self.steady_state()
        groups: dict = {}
        for ch in self.channels_of(bath):
            w = ch.frequency if ch.frequency.could_extract_minus_sign() is False else -ch.frequency
            groups.setdefault(w, []).append(ch)
        out = {}
        for w, chans in groups.items():
            poly = self.adjoint_dissipator(self._H, chans)
            out[w] = self._expect(poly, ss.moments)
        exprs = list(out.values())
        ab, back = _abbreviate(exprs)
        out = {w: _fact(e, back) for w, e in zip(out, ab)}
        if by_channel:
            return out
        ab, back = _abbreviate([sum(exprs)])
        return _fact(ab[0], back)

    def heat_currents(self, ss=None) -> dict:
        return {b: self.heat_current(b, ss) for b in self.bath_names}

    def entropy_production(self, ss=None) -> sp.Expr:
        """``sigma = -sum_X q^X / T_X``."""
        return sp.together(-sum(q / self.model.bath(b).temperature for b, q in self.heat_currents(ss).items()))

    def energy_balance(self, ss=None) -> sp.Expr:
        """``sum_X q^X``, cancelled in the abbreviated (rational) form; 0 in a steady state."""
        exprs = list(self.heat_currents(ss).values())
        ab, back = _abbreviate([sum(exprs)])
        return _fact(ab[0], back)

    # ---- numerics ----------------------------------------------------------------------------
    def numeric_solver(self, **kwargs) -> "FockSolver":
        """The independent truncated-Fock solver for this kind of equation (used by
        ``qs.verify`` / ``check_result`` through ``numeric_solver_for``)."""
        return FockSolver(self.model, master="local" if self.kind == LOCAL_KIND else "global", **kwargs)

    # ---- presentation --------------------------------------------------------------------------
    def equations_latex(self) -> str:
        """``d<b_k^dag b_l>/dt = ...`` for ``k <= l`` as an ``aligned`` block."""
        from ..latex import latex
        n = self.n_modes
        LL, s = self.moment_equations
        rows = []
        for k in range(n):
            for l in range(k, n):
                terms = []
                for p in range(n):
                    for q in range(n):
                        c = LL[k * n + l, p * n + q]
                        if c != 0:
                            terms.append(rf"\left({latex(sp.factor(c))}\right)\langle {self.modes[p]}^\dagger {self.modes[q]}\rangle")
                if s[k * n + l] != 0:
                    terms.append(latex(sp.factor(s[k * n + l])))
                rhs = " + ".join(terms) if terms else "0"
                rows.append(rf"\frac{{d}}{{dt}}\langle {self.modes[k]}^\dagger {self.modes[l]}\rangle &= {rhs}")
        return r"\begin{aligned}" + r"\\ ".join(rows) + r"\end{aligned}"

    def derivation_steps(self) -> tuple:
        """The model, the master equation (local or global, as :func:`master_equation_kind`
        says), and its closed second-moment equations (exact for quadratic H and linear jumps)."""
        from .master import master_equation_kind
        from ..steps import Step, condition_texts, model_step
        approximations, title = master_equation_kind(self.kind)
        return (model_step(self.model),
                Step("master equation", title, self.lindblad_latex(), approximations,
                     condition_texts(self.conditions)),
                Step("moments", "Closed equations of the second moments <b_k^dag b_l> (quadratic H, linear jumps)",
                     self.equations_latex(), (),
                     ("number-conserving quadratic $H$", "jump operators linear in the modes")))

    def lindblad_latex(self) -> str:
        """H_S in the modes and the Lindblad dissipators (rates, jump operators, frequencies) as an
        ``aligned`` block."""
        from ..latex import latex
        n = self.n_modes
        H = " + ".join(rf"{latex(self.h[k, l])}\,{self.modes[k]}^\dagger {self.modes[l]}"
                       for k in range(n) for l in range(n) if self.h[k, l] != 0)
        rows = [rf"H_S &= {H}", r"\dot\rho &= -i[H_S,\rho] + " +
                " + ".join(rf"\mathcal{{D}}_{{{b}}}[\rho]" for b in self.bath_names)]
        for ch in self.channels:
            J = " + ".join([rf"{latex(c)}\,{self.modes[k]}" for k, c in enumerate(ch.lowering) if c != 0] +
                           [rf"{latex(c)}\,{self.modes[k]}^\dagger" for k, c in enumerate(ch.raising) if c != 0])
            rows.append(rf"\mathcal{{D}}_{{{ch.bath}}} &\ni {latex(ch.rate)}\;\mathcal{{L}}\!\left[{J}\right]"
                        rf"\quad(\omega = {latex(ch.frequency)})")
        for f in self.frequencies:
            if isinstance(f, DefinedSymbol):
                rows.append(rf"{latex(f)} &= {latex(f.definition)}")
        return r"\begin{aligned}" + r"\\ ".join(rows) + r"\end{aligned}"

    def _repr_latex_(self):
        return rf"$\text{{{self.kind}}}\quad{self.lindblad_latex()}$"


def _key_text(key, modes) -> str:
    cre, ann = key
    plain = [m.replace("{", "").replace("}", "") for m in modes]
    return " ".join([f"{plain[m]}^dag" for m in cre] + [f"{plain[m]}" for m in ann]) or "1"


def _solve_linear(A: sp.Matrix, b: sp.Matrix):
    """Solve ``A x = b`` over the fraction field of the entries' polynomial ring
    (fraction-free LU in SymPy's DomainMatrix); None if ``A`` is singular."""
    from sympy.polys.matrices import DomainMatrix
    from sympy.polys.matrices.exceptions import DMNonInvertibleMatrixError
    try:
        dA = DomainMatrix.from_Matrix(A)
        db = DomainMatrix.from_Matrix(b)
        dA, db = dA.unify(db)
        K = dA.domain.get_field() if dA.domain.has_assoc_Field else dA.domain
        x = dA.convert_to(K).lu_solve(db.convert_to(K))
        return list(x.to_Matrix())
    except DMNonInvertibleMatrixError:
        return None
    except Exception:  # noqa: BLE001 - domain construction failed: plain SymPy
        if A.det() == 0:
            return None
        return list(A.LUsolve(b))


# ==========================================================================================
# Building the moment master equation
# ==========================================================================================
def _group_by_value(items, key):
    groups: list = []
    for it in items:
        w = key(it)
        for g in groups:
            if _is_zero(expand_definitions(g[0] - w)):
                g[1].append(it)
                break
        else:
            groups.append((w, [it]))
    return groups


def _couplings(model: OpenSystem):
    out = []
    for c in model.couplings:
        if not isinstance(c.bath, BosonicBath):
            raise ValueError(
                f"bath {c.bath.name!r} is a {type(c.bath).__name__}; the moment equations need bosonic "
                f"baths (rates g(w)(1+n(w)), g(w)n(w))")
        try:
            u, v = linear_form(c.operator, "operator")
        except ValueError as e:
            raise ValueError(f"Coupling to bath {c.bath.name!r}: {e}") from None
        if c.form == "rwa":
            if any(x != 0 for x in v):
                raise ValueError(
                    f"Argument `operator` of the RWA Coupling to bath {c.bath.name!r} must lower the "
                    f"energy (sum_i c_i a_i), but it has a^dag components {v}; pass the lowering part or "
                    f"use form='hermitian' for S = sum_i (c_i a_i + h.c.)")
        else:
            if any(sp.simplify(vi - sp.conjugate(ui)) != 0 for ui, vi in zip(u, v)):
                raise ValueError(
                    f"Argument `operator` of the Hermitian Coupling to bath {c.bath.name!r} must be "
                    f"sum_i (c_i a_i + conj(c_i) a_i^dag); got a coefficients {u}, a^dag coefficients {v}")
        out.append((c, u))
    return out


def _mode_names(space: Space) -> tuple:
    names = []
    for k, s in enumerate(space.sites):
        m = s.name
        names.append(f"a_{{{m[1:]}}}" if m.startswith("a") and m[1:].isdigit() else rf"a_{{\mathrm{{{m}}}}}")
    return tuple(names)


def _positive(w, model, what: str):
    sgn, how = sign_on_domain(w, model)
    if sgn <= 0:
        raise ValueError(
            f"{what} has frequency {w}, which is not positive on the domain ({how}); a bath of "
            f"positive-frequency modes needs it > 0 -- add an assumption (e.g. lambda < sqrt(omega_1 omega_2)) "
            f"or narrow the domain")
    return (sp.StrictGreaterThan(w, 0), how)


def _local(model: OpenSystem) -> MomentMasterEquation:
    h, _ = quadratic_form(model.H, "H")
    N = h.shape[0]
    chans, conds = [], []
    for c, u in _couplings(model):
        bath = c.bath
        modes = [i for i in range(N) if u[i] != 0]
        for w, grp in _group_by_value(modes, lambda i: h[i, i]):
            cond = _positive(w, model, f"the local Bohr component of the coupling to bath {bath.name!r} "
                                       f"(modes {[i + 1 for i in grp]})")
            if cond[0] is not sp.true:
                conds.append(cond)
            low = tuple(u[i] if i in grp else sp.S.Zero for i in range(N))
            up = tuple(sp.conjugate(x) for x in low)
            zero = tuple(sp.S.Zero for _ in range(N))
            chans.append(LinearJump(bath.name, low, zero, bath.emission_rate(w), w))
            chans.append(LinearJump(bath.name, zero, up, bath.absorption_rate(w), -w))
    names = _mode_names(model.H.space)
    return MomentMasterEquation(model, LOCAL_KIND, names, sp.ImmutableMatrix(h), tuple(chans),
                                sp.ImmutableMatrix(sp.eye(N)), (), tuple(conds), None, names)


def _global(model: OpenSystem) -> MomentMasterEquation:
    h, _ = quadratic_form(model.H, "H")
    couplings = _couplings(model)
    N = h.shape[0]
    space1 = Space((Site("single-particle", "boson", N),))
    spec = symbolic_spectrum(Operator(h, space1))
    eps = [lv.energy for lv in spec.levels]
    U = sp.Matrix(spec.unitary)
    conds = []
    for k, e in enumerate(eps):
        cond = _positive(e, model, f"normal mode {k + 1} of H")
        if cond[0] is not sp.true:
            conds.append(cond)
    distinct = [g[0] for g in _group_by_value(eps, lambda e: e)]
    names = name_frequencies(distinct, model)

    def named(e):
        for w, s in names.items():
            if _is_zero(expand_definitions(w - e)):
                return s
        raise AssertionError(e)

    eps_named = [named(e) for e in eps]
    chans = []
    for c, u in couplings:
        bath = c.bath
        wcoef = [sp.expand(sum(u[i] * U[i, k] for i in range(N))) for k in range(N)]
        for w, ks in _group_by_value(range(N), lambda k: eps_named[k]):
            low = tuple(wcoef[k] if k in ks else sp.S.Zero for k in range(N))
            if all(_is_zero(expand_definitions(x)) for x in low):
                continue
            up = tuple(sp.conjugate(x) for x in low)
            zero = tuple(sp.S.Zero for _ in range(N))
            chans.append(LinearJump(bath.name, low, zero, bath.emission_rate(w), w))
            chans.append(LinearJump(bath.name, zero, up, bath.absorption_rate(w), -w))
    labels = []
    for k, e in enumerate(eps_named):
        lab = str(e.name).split("_", 1)[1] if isinstance(e, DefinedSymbol) and "_" in e.name else str(k + 1)
        labels.append(f"d_{{{lab}}}")
    freqs = tuple(dict.fromkeys(e for e in eps_named if isinstance(e, DefinedSymbol)))
    return MomentMasterEquation(model, GLOBAL_KIND, tuple(labels), sp.ImmutableMatrix(sp.diag(*eps_named)),
                                tuple(chans), sp.ImmutableMatrix(U), freqs, tuple(conds), spec,
                                _mode_names(model.H.space))


def _from_master_equation(me) -> MomentMasterEquation:
    """Project the jump matrices of a qsym MasterEquation onto the truncated ``a_i, a_i^dag``."""
    model = me.model
    space = model.H.space
    _boson_space(model.H, "me.model.H")
    V = sp.Matrix(me.spectrum.unitary)  # eigenbasis -> product basis
    Hsite = V * sp.Matrix(me._H()) * V.H
    h, _ = quadratic_form(Operator(Hsite.applyfunc(sp.expand), space), "H of the master equation")
    N = h.shape[0]
    chans = []
    for idx, ch in enumerate(me.channels):
        J = V * ch.matrix(me.dim) * V.H
        try:
            u, v = linear_form(Operator(J.applyfunc(sp.expand), space),
                               f"jump operator of channel {idx} (bath {ch.bath!r}, omega = {ch.frequency})")
        except ValueError as e:
            raise ValueError(
                f"{e}. The {me.kind!r} equation of this truncated model has a jump that is not linear in "
                f"the truncated a_i, a_i^dag (for the global equation the top Fock sectors of a "
                f"truncated space have spurious Bohr frequencies); build the moment equation from the "
                f"model instead: moment_master_equation(model, 'global')") from None
        chans.append(LinearJump(ch.bath, tuple(u), tuple(v), ch.rate, ch.frequency))
    names = _mode_names(space)
    kind = LOCAL_KIND if "local" in me.kind else GLOBAL_KIND
    return MomentMasterEquation(model, kind, names, sp.ImmutableMatrix(h), tuple(chans),
                                sp.ImmutableMatrix(sp.eye(N)), tuple(me.frequencies), tuple(me.conditions),
                                None, names)


def moment_master_equation(source, kind: str | None = None) -> MomentMasterEquation:
    """The moment form of a master equation.

    Args:
        source: an :class:`OpenSystem` on truncated bosonic sites (``qs.bosons(N, dim)`` with
            ``dim >= 3``), whose ``H`` is a number-conserving quadratic form and whose coupling
            operators are linear in the ladder operators; or a qsym ``MasterEquation`` of such
            a model (its jumps are projected onto the truncated ``a_i, a_i^dag``, exactly).
        kind: ``"local"`` (Fogedby eqs. 4.33-4.35) or ``"global"`` (secular Davies equation in
            the normal-mode basis); required for a model, ignored for a master equation.

    Raises:
        ValueError: naming the argument, for a non-quadratic ``H``, a non-linear coupling or
            jump, a non-bosonic bath or site, or an unknown ``kind``.
    """
    if isinstance(source, OpenSystem):
        if kind not in ("local", "global"):
            raise ValueError(f"Argument `kind` must be 'local' or 'global' for a model, got {kind!r}")
        return _local(source) if kind == "local" else _global(source)
    if hasattr(source, "channels") and hasattr(source, "spectrum") and hasattr(source, "model"):
        return _from_master_equation(source)
    raise TypeError(f"Argument `source` must be a qs.OpenSystem or a qs.MasterEquation, got {type(source).__name__}")


# ==========================================================================================
# Independent numeric solver: truncated Fock space, numeric Liouvillian, null space
# ==========================================================================================
def _fock_states(N: int, K: int) -> list[tuple]:
    """Occupation tuples of ``N`` modes with total number ``<= K``, ordered by total number."""
    out = []
    for n in range(K + 1):
        for s in itertools.product(range(n + 1), repeat=N):
            if sum(s) == n:
                out.append(s)
    return out


@lru_cache(maxsize=32)
def _fock_space(N: int, K: int):
    states = _fock_states(N, K)
    idx = {s: i for i, s in enumerate(states)}
    D = len(states)
    ops = []
    for i in range(N):
        r, c, v = [], [], []
        for s, j in idx.items():
            if s[i] > 0:
                t = list(s)
                t[i] -= 1
                r.append(idx[tuple(t)])
                c.append(j)
                v.append(math.sqrt(s[i]))
        ops.append(sps.csr_matrix((v, (r, c)), shape=(D, D), dtype=complex))
    total = np.array([sum(s) for s in states])
    return states, ops, total


def _cluster(values: np.ndarray, tol: float) -> list[np.ndarray]:
    order = np.argsort(values, kind="stable")
    if len(order) == 0:
        return []
    breaks = np.nonzero(np.diff(values[order]) > tol)[0] + 1
    return np.split(order, breaks)


@dataclass
class FockResult:
    """What the truncated-Fock solver found at one parameter point (read by the targets)."""

    master: str
    values: dict
    cutoff: int
    dim: int
    h: np.ndarray
    moments: np.ndarray
    heat_currents: dict
    channel_currents: dict
    channel_rates: dict
    entropy_production: float
    temperatures: dict
    single_particle_energies: np.ndarray
    reference_derivative: np.ndarray | None = None
    trace_error: float = 0.0
    extras: dict = field(default_factory=dict)


class FockSolver:
    """Steady state of the model's local or global master equation in a Fock space truncated at
    total excitation number ``K``, from numeric matrices only.

    * The numeric ``h`` and coupling vectors are read off the model's (numeric) truncated
      matrices and the reconstruction is checked; ``H = sum h_ij a_i^dag a_j`` is then built on
      the number-truncated space, where every excitation sector is complete.
    * local: the local Hamiltonian is qsym's numeric Hilbert-Schmidt projection of ``H`` onto
      single-site operators; the couplings are Bohr-decomposed numerically with respect to it
      (rates ``g(w)(1+n(w))``, ``g(w) n(w)``); the Liouvillian (column stacking) is restricted to
      the U(1)-invariant block ``N_ket = N_bra`` and its null vector found by sparse LU with the
      trace condition.
    * global: ``H`` is diagonalised numerically sector by sector; the couplings are
      Bohr-decomposed in its eigenbasis (B&P eq. 3.118); for non-degenerate levels the Davies
      populations decouple (B&P eq. 3.145) and the Pauli rate equation is solved by sparse LU.
    * ``K`` is the smallest cutoff with ``(K+1) P(N > K) <= tail * nbar`` for the negative-binomial
      bound of the total number distribution (``nbar`` the largest bath occupation at the jump
      frequencies, which bounds every normal-mode occupation of the steady state).
    * heat currents ``q^X = Tr[H D_X(rho)]``, entropy production ``-sum_X q^X/T_X``.
    """

    def __init__(self, model: OpenSystem, master: str = "local", *, tail: float = 1e-12,
                 cutoff: int | None = None, max_cutoff: int = 120, max_size: int = 40000,
                 reference_occupations=None):
        if master not in ("local", "global"):
            raise ValueError(f"Argument `master` must be 'local' or 'global', got {master!r}")
        self.model = model
        self.master = master
        self.tail = float(tail)
        self.cutoff = cutoff
        self.max_cutoff = int(max_cutoff)
        self.max_size = int(max_size)
        space = model.H.space
        _boson_space(model.H, "model.H")
        self.dims = [s.dim for s in space.sites]
        self.N = len(self.dims)
        self.reference_occupations = (tuple(reference_occupations) if reference_occupations is not None
                                      else reference_state_occupations(self.N))
        params = tuple(model.parameters)
        self.params = params
        self._H = sp.lambdify(params, model.H.matrix, "numpy")
        self._L = [sp.lambdify(params, c.operator.matrix, "numpy") for c in model.couplings]
        self._T = [sp.lambdify(params, c.bath.temperature, "numpy") for c in model.couplings]
        w = sp.Symbol("w", positive=True)
        self._g = []
        for c in model.couplings:
            if not isinstance(c.bath, BosonicBath):
                raise ValueError(f"bath {c.bath.name!r} must be a BosonicBath for the Fock solver")
            if isinstance(c.bath.spectral, UndefinedSpectrum):
                self._g.append(None)
            else:
                self._g.append(sp.lambdify((w,) + params, c.bath.spectral.expression(w, c.bath.name), "numpy"))

    # ---- numeric model data ------------------------------------------------------------------
    def _data(self, values, spectral):
        vals = {}
        for s in self.params:
            if s in values:
                vals[s] = float(values[s])
            elif str(s) in values:
                vals[s] = float(values[str(s)])
            else:
                raise KeyError(f"values missing for parameter {s}")
        args = [vals[s] for s in self.params]
        D0 = int(np.prod(self.dims))
        H0 = np.array(self._H(*args), dtype=complex).reshape(D0, D0)
        st = [int(np.prod(self.dims[k + 1:])) for k in range(self.N)]
        h = np.array([[H0[st[i], st[j]] - (H0[0, 0] if i == j else 0) for j in range(self.N)]
                      for i in range(self.N)])
        a_small = []
        for k in range(self.N):
            a = np.diag(np.sqrt(np.arange(1, self.dims[k])), 1)
            m = np.eye(1)
            for j in range(self.N):
                m = np.kron(m, a if j == k else np.eye(self.dims[j]))
            a_small.append(m)
        rebuilt = H0[0, 0] * np.eye(D0) + sum(h[i, j] * a_small[i].conj().T @ a_small[j]
                                              for i in range(self.N) for j in range(self.N))
        scale = max(1.0, float(np.abs(H0).max()))
        if np.abs(rebuilt - H0).max() > 1e-10 * scale:
            raise ValueError("model.H is not a number-conserving quadratic form at these parameter values")
        baths = []
        spectral = dict(spectral or {})
        for c, Lf, Tf, gf in zip(self.model.couplings, self._L, self._T, self._g):
            L0 = np.array(Lf(*args), dtype=complex).reshape(D0, D0)
            u = np.array([L0[0, st[i]] for i in range(self.N)])
            v = np.array([L0[st[i], 0] for i in range(self.N)])
            rebuilt = sum(u[i] * a_small[i] + v[i] * a_small[i].conj().T for i in range(self.N))
            if np.abs(rebuilt - L0).max() > 1e-10 * max(1.0, float(np.abs(L0).max())):
                raise ValueError(f"coupling operator of bath {c.bath.name!r} is not linear in a_i, a_i^dag")
            T = float(Tf(*args))
            if c.bath.name in spectral:
                g = spectral[c.bath.name]
            elif gf is not None:
                g = (lambda gf_: (lambda x: gf_(x, *args)))(gf)
            else:
                raise ValueError(f"bath {c.bath.name!r} has an undefined spectral function; pass "
                                 f"spectral={{{c.bath.name!r}: callable}}")
            baths.append((c, u, v, T, g))
        return vals, H0, h, baths

    @staticmethod
    def _rates(g, T, w):
        n = 1.0 / math.expm1(w / T)
        gw = float(g(w))
        return gw * (1.0 + n), gw * n, n

    def _choose_cutoff(self, nbar: float) -> int:
        if self.cutoff is not None:
            return int(self.cutoff)
        for K in range(2, self.max_cutoff + 1):
            if (K + 1) * _nbinom_tail(K, self.N, nbar) <= self.tail * max(nbar, 1e-300):
                return K
        warnings.warn(f"Fock cutoff capped at {self.max_cutoff} (mean occupation bound {nbar:.3g}); "
                      f"the truncation error may exceed {self.tail:g}", stacklevel=3)
        return self.max_cutoff

    # ---- solve -------------------------------------------------------------------------------
    def solve(self, values: Mapping, spectral: Mapping | None = None) -> FockResult:
        vals, H0, h, baths = self._data(values, spectral)
        eps = np.linalg.eigvalsh(0.5 * (h + h.conj().T))
        if self.master == "local":
            from ..numeric.solver import local_hamiltonian
            Hl = local_hamiltonian(H0, self.dims)
            st = [int(np.prod(self.dims[k + 1:])) for k in range(self.N)]
            hloc = np.array([[Hl[st[i], st[j]] - (Hl[0, 0] if i == j else 0) for j in range(self.N)]
                             for i in range(self.N)])
            return self._solve_local(vals, h, hloc, baths, eps)

        return self._solve_global(vals, h, baths, eps)

    def _jumps(self, baths, E, ops_in_basis, tol):
        """Bohr components (B&P eq. 3.118) of each coupling in a basis with energies ``E``:
        ``{bath: [(w, rate, J)]}`` (w released into the bath; J sparse) and the jump rates."""
        jumps, rates_out, nmax = {}, {}, 0.0
        for (c, u, v, T, g), A in zip(baths, ops_in_basis):
            A = sps.coo_matrix(A)
            amp = np.abs(A.data)
            keep = amp > 1e-12 * (amp.max() if amp.size else 1.0)
            r, cidx, d = A.row[keep], A.col[keep], A.data[keep]
            w = E[cidx] - E[r]
            jl, rl = [], []
            for grp in _cluster(w, tol):
                freq = float(np.mean(w[grp]))
                J = sps.csr_matrix((d[grp], (r[grp], cidx[grp])), shape=A.shape)
                if freq > tol:
                    em, ab, n = self._rates(g, T, freq)
                    jl.append((freq, em, J))
                    if c.form == "rwa":
                        jl.append((-freq, ab, J.conj().T.tocsr()))
                    # |<0|J|one excitation>|^2 summed: the rate of the normalised jump
                    weight = float(np.sum(np.abs(d[grp][r[grp] == 0]) ** 2))
                    rl.append((freq, em * weight, ab * weight))
                    nmax = max(nmax, n)
                elif freq < -tol and c.form == "hermitian":
                    em, ab, n = self._rates(g, T, -freq)
                    jl.append((freq, ab, J))
                    nmax = max(nmax, n)
                elif c.form == "rwa":
                    warnings.warn(f"coupling to bath {c.bath.name!r}: dropped a Bohr component with "
                                  f"w = {freq:.4g} <= 0 (RWA)", stacklevel=3)
            jumps[c.bath.name] = jl
            rates_out[c.bath.name] = rl
        return jumps, rates_out, nmax

    def _nbar(self, freqs, baths) -> float:
        """Largest bath occupation at the single-particle frequencies: bounds every stationary
        normal-mode occupation (the sources of the moment equations are g n, the damping g)."""
        nb = 0.0
        for c, u, v, T, g in baths:
            for w in np.atleast_1d(freqs):
                if w > 0:
                    nb = max(nb, 1.0 / math.expm1(w / T))
        return nb

    def _check_size(self, K: int, size: int, what: str) -> None:
        if size > self.max_size:
            raise ValueError(
                f"the Fock solver would need a {what} of dimension {size} (cutoff K = {K} for {self.N} modes), "
                f"more than max_size = {self.max_size}; sample lower temperatures (smaller occupations), pass a "
                f"smaller `cutoff`, or raise `max_size`")

    def _solve_local(self, vals, h, hloc, baths, eps) -> FockResult:
        N = self.N
        K = self._choose_cutoff(self._nbar(np.real(np.diag(hloc)), baths))
        self._check_size(K, sum(math.comb(n + N - 1, N - 1) ** 2 for n in range(K + 1)),
                         "U(1) block of the Liouvillian")
        states, a, total = _fock_space(N, K)
        D = len(states)
        H = sum(h[i, j] * (a[i].conj().T @ a[j]) for i in range(N) for j in range(N) if h[i, j] != 0)
        H = sps.csr_matrix(H)
        Eloc = np.array([sum(np.real(hloc[i, i]) * s[i] for i in range(N)) for s in states])
        tol = 1e-9 * max(1.0, float(np.max(np.abs(Eloc))))
        ops = [sum(u[i] * a[i] + v[i] * a[i].conj().T for i in range(N)) for (c, u, v, T, g) in baths]
        jumps, rates, _ = self._jumps(baths, Eloc, ops, tol)
        # U(1) block: |x><y| with N(x) = N(y); every jump changes N by exactly +-1
        for jl in jumps.values():
            for _, _, J in jl:
                Jc = sps.coo_matrix(J)
                dn = np.unique(total[Jc.row] - total[Jc.col])
                if len(dn) > 1:
                    raise ValueError("a local jump operator does not change the excitation number by a fixed amount")
        I = sps.identity(D, dtype=complex, format="csr")
        Lv = -1j * (sps.kron(I, H) - sps.kron(H.T, I))
        diss = {}
        for name, jl in jumps.items():
            Db = sps.csr_matrix((D * D, D * D), dtype=complex)
            for _, rate, J in jl:
                JdJ = (J.conj().T @ J).tocsr()
                Db = Db + rate * (sps.kron(J.conj(), J) - 0.5 * sps.kron(I, JdJ) - 0.5 * sps.kron(JdJ.T, I))
            diss[name] = Db
            Lv = Lv + Db
        Lv = sps.csr_matrix(Lv)
        ii, jj = np.meshgrid(np.arange(D), np.arange(D), indexing="ij")  # rho_ij <-> vec index j*D + i
        mask = (total[ii] == total[jj])
        blk = (jj * D + ii)[mask]
        Lb = Lv[blk][:, blk].tocsc()
        rho = _null_vector(Lb, blk, D)
        return self._finish(vals, h, hloc, rho, H, a, jumps, rates, baths, eps, K, D)

    def _solve_global(self, vals, h, baths, eps) -> FockResult:
        N = self.N
        K = self._choose_cutoff(self._nbar(eps, baths))
        self._check_size(K, math.comb(K + N, N), "Pauli rate matrix")
        states, a, total = _fock_space(N, K)
        D = len(states)
        H = sps.csr_matrix(sum(h[i, j] * (a[i].conj().T @ a[j]) for i in range(N) for j in range(N) if h[i, j] != 0))
        E, V = _sector_eigh(H, total, K)
        width = float(E.max() - E.min())
        tol = 1e-9 * max(1.0, width)
        ops = []
        for (c, u, v, T, g) in baths:
            L = sum(u[i] * a[i] + v[i] * a[i].conj().T for i in range(N))
            ops.append((V.conj().T @ L @ V).tocsr())
        jumps, rates, _ = self._jumps(baths, E, ops, tol)
        rho = _davies_steady_state(E, total, K, [jp for jl in jumps.values() for jp in jl], tol)
        rhoT = sps.csr_matrix(rho.T)
        M = np.empty((N, N), complex)
        for i in range(N):
            for j in range(N):
                M[i, j] = _trace_product(V.conj().T @ (a[i].conj().T @ a[j]) @ V, rhoT)
        heat, chan = _currents(jumps, sps.diags(E).astype(complex).tocsr(), rhoT)
        temps = {c.bath.name: T for (c, u, v, T, g) in baths}
        ref = self._reference_derivative(vals, h, baths, "global")
        return FockResult("global", vals, K, D, h, M, heat, chan, rates, _sigma(heat, temps), temps, eps, ref,
                          float(abs(rho.diagonal().sum() - 1.0)))

    def _finish(self, vals, h, hloc, rho, H, a, jumps, rates, baths, eps, K, D) -> FockResult:
        N = self.N
        rhoT = sps.csr_matrix(rho.T)
        M = np.empty((N, N), complex)
        for i in range(N):
            for j in range(N):
                M[i, j] = _trace_product(a[i].conj().T @ a[j], rhoT)  # Tr(rho a_i^dag a_j)
        heat, chan = _currents(jumps, H, rhoT)
        temps = {c.bath.name: T for (c, u, v, T, g) in baths}
        ref = self._reference_derivative(vals, h, baths, "local", hloc)
        return FockResult("local", vals, K, D, h, M, heat, chan, rates, _sigma(heat, temps), temps, eps, ref,
                          float(abs(np.trace(rho) - 1.0)))

    def _reference_derivative(self, vals, h, baths, master, hloc=None):
        """``dM/dt = Tr[a_i^dag a_j L(rho_ref)]`` at the reference product of thermal states with
        occupations :func:`reference_state_occupations` (checks the moment equations
        themselves, away from the steady state), with this solver's own generator."""
        N = self.N
        nu = np.array([float(x) for x in self.reference_occupations])
        r = nu.max() / (1 + nu.max())
        K = 4
        while (K + 1) ** N * r ** K > 1e-16 and K < 60:
            K += 1
        states, a, total = _fock_space(N, K)
        D = len(states)
        pr = np.array([np.prod([(nu[i] / (1 + nu[i])) ** s[i] / (1 + nu[i]) for i in range(N)]) for s in states])
        rho = sps.diags(pr / pr.sum()).astype(complex).tocsr()
        H = sps.csr_matrix(sum(h[i, j] * (a[i].conj().T @ a[j]) for i in range(N) for j in range(N) if h[i, j] != 0))
        if master == "local":
            Eb = np.array([sum(np.real(hloc[i, i]) * s[i] for i in range(N)) for s in states])
            V = sps.identity(D, dtype=complex, format="csr")
        else:
            Eb, V = _sector_eigh(H, total, K)
        ops = [(V.conj().T @ sum(u[i] * a[i] + v[i] * a[i].conj().T for i in range(N)) @ V).tocsr()
               for (c, u, v, T, g) in baths]
        tol = 1e-9 * max(1.0, float(np.ptp(Eb)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jumps, _, _ = self._jumps(baths, Eb, ops, tol)
        rb = (V.conj().T @ rho @ V).tocsr()
        Hb = sps.diags(Eb).astype(complex).tocsr() if master == "global" else H
        Lr = -1j * (Hb @ rb - rb @ Hb)
        for jl in jumps.values():
            for _, rate, J in jl:
                JdJ = (J.conj().T @ J).tocsr()
                Lr = Lr + rate * (J @ rb @ J.conj().T - 0.5 * (JdJ @ rb + rb @ JdJ))
        LrT = sps.csr_matrix((V @ Lr @ V.conj().T).T)
        out = np.empty((N, N), complex)
        for i in range(N):
            for j in range(N):
                out[i, j] = _trace_product(a[i].conj().T @ a[j], LrT)
        return out


def _davies_steady_state(E, total, K, jumps, tol) -> sps.csr_matrix:
    """Stationary state of the Davies generator ``sum_j rate_j D[J_j]`` (eigenbasis, energies ``E``;
    the coherent part vanishes on the block below) on the block of populations and coherences
    between degenerate levels of one excitation sector: the generator maps ``|m><n|`` with
    ``E_m = E_n`` into that block (B&P eq. 3.145), and coherences between sectors never feed it.
    Without degeneracies this is the Pauli rate equation.  Sparse LU with the trace condition and
    two steps of iterative refinement."""
    D = len(E)
    pairs = []
    for n in range(K + 1):
        idx = np.nonzero(total == n)[0]
        for grp in _cluster(E[idx], tol):
            g = idx[grp]
            pairs += [(int(m), int(k)) for m in g for k in g]
    index = {p: k for k, p in enumerate(pairs)}
    rows, cols, data = [], [], []
    for jp in jumps:
        rate, J = jp[1], sps.csc_matrix(jp[2])
        if rate == 0.0:
            continue
        JdJ = sps.csc_matrix(J.conj().T @ J)
        JdJr = sps.csr_matrix(JdJ)
        colJ = [(J.indices[J.indptr[c]:J.indptr[c + 1]], J.data[J.indptr[c]:J.indptr[c + 1]]) for c in range(D)]
        for k, (m, n) in enumerate(pairs):
            rm, am = colJ[m]
            rn, an = colJ[n]
            for r1, x1 in zip(rm, am):  # J |m><n| J^dag
                for r2, x2 in zip(rn, an):
                    t = index.get((int(r1), int(r2)))
                    if t is not None:
                        rows.append(t), cols.append(k), data.append(rate * x1 * np.conj(x2))
            for r1, x1 in zip(JdJ.indices[JdJ.indptr[m]:JdJ.indptr[m + 1]], JdJ.data[JdJ.indptr[m]:JdJ.indptr[m + 1]]):
                t = index.get((int(r1), n))  # -1/2 J^dag J |m><n|
                if t is not None:
                    rows.append(t), cols.append(k), data.append(-0.5 * rate * x1)
            for c1, x1 in zip(JdJr.indices[JdJr.indptr[n]:JdJr.indptr[n + 1]], JdJr.data[JdJr.indptr[n]:JdJr.indptr[n + 1]]):
                t = index.get((m, int(c1)))  # -1/2 |m><n| J^dag J
                if t is not None:
                    rows.append(t), cols.append(k), data.append(-0.5 * rate * x1)
    nb = len(pairs)
    G = sps.csr_matrix((data, (rows, cols)), shape=(nb, nb), dtype=complex).tolil()
    diag = [k for k, (m, n) in enumerate(pairs) if m == n]
    G[diag[0], :] = 0.0
    for k in diag:
        G[diag[0], k] = 1.0
    G = G.tocsc()
    b = np.zeros(nb, complex)
    b[diag[0]] = 1.0
    lu = spla.splu(G)
    x = lu.solve(b)
    for _ in range(2):  # iterative refinement
        x = x + lu.solve(b - G @ x)
    pr = np.array([p[0] for p in pairs])
    pc = np.array([p[1] for p in pairs])
    rho = sps.csr_matrix((x, (pr, pc)), shape=(D, D))
    return (rho + rho.conj().T) * 0.5


def _trace_product(X, YT) -> complex:
    """``Tr(X Y)`` from ``X`` and ``Y^T`` (sparse)."""
    return complex(sps.csr_matrix(X).multiply(YT).sum())


def _currents(jumps, H, rhoT):
    """``q^X = Tr[H D_X(rho)] = sum_j rate_j Tr[(J^dag H J - 1/2 {J^dag J, H}) rho]``, total and per
    Bohr frequency."""
    heat, chan = {}, {}
    for name, jl in jumps.items():
        q, per = 0.0, {}
        for w, rate, J in jl:
            JdJ = J.conj().T @ J
            Y = J.conj().T @ H @ J - 0.5 * (JdJ @ H + H @ JdJ)
            dq = float(np.real(rate * _trace_product(Y, rhoT)))
            per[abs(w)] = per.get(abs(w), 0.0) + dq
            q += dq
        heat[name], chan[name] = q, per
    return heat, chan


def _sector_eigh(H, total, K):
    """Eigen-decomposition of a number-conserving ``H`` sector by sector: ``(E, V)`` with ``V``
    sparse block-diagonal (columns eigenvectors, same index order as the Fock states)."""
    D = H.shape[0]
    E = np.empty(D)
    rows, cols, data = [], [], []
    H = sps.csr_matrix(H)
    for n in range(K + 1):
        idx = np.nonzero(total == n)[0]
        blk = H[idx][:, idx].toarray()
        e, vec = np.linalg.eigh(0.5 * (blk + blk.conj().T))
        E[idx] = e
        rr, cc = np.meshgrid(idx, idx, indexing="ij")
        rows.append(rr.ravel())
        cols.append(cc.ravel())
        data.append(vec.ravel())
    V = sps.csr_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=(D, D))
    return E, V


def _nbinom_tail(K: int, N: int, nbar: float) -> float:
    """``P(X > K)`` for the total of ``N`` independent geometric (thermal) occupations of mean
    ``nbar``: ``sum_{k > K} C(k+N-1, N-1) (1-r)^N r^k`` with ``r = nbar/(1+nbar)``, summed
    directly (no cancellation)."""
    r = nbar / (1.0 + nbar)
    if r == 0.0:
        return 0.0
    tot, k = 0.0, K + 1
    while True:
        t = math.comb(k + N - 1, N - 1) * (1 - r) ** N * r ** k
        tot += t
        if t < 1e-18 * tot or k > K + 10000:
            return tot
        k += 1


def reference_state_occupations(N: int) -> tuple:
    """Occupations ``nu_i = 1/10, 1/20, 1/30, ...`` (``1/(10 i)``) of the reference product of
    thermal states at which ``dM/dt`` is compared (exact rationals, shared by both sides)."""
    return tuple(sp.Rational(1, 10 * (i + 1)) for i in range(N))


def _sigma(heat: dict, temps: dict) -> float:
    if not heat:
        return 0.0
    Tref = max(temps.values())
    return float(-sum(q * (1.0 / temps[b] - 1.0 / Tref) for b, q in heat.items()))


def _null_vector(Lb, blk, D) -> np.ndarray:
    """Trace-one null vector of the block Liouvillian (sparse LU, one population equation
    replaced by the trace condition, one step of iterative refinement)."""
    n = Lb.shape[0]
    diag_pos = np.nonzero(blk // D == blk % D)[0]
    A = Lb.tolil()
    r0 = diag_pos[0]
    A[r0, :] = 0
    A[r0, diag_pos] = 1.0
    A = A.tocsc()
    b = np.zeros(n, complex)
    b[r0] = 1.0
    lu = spla.splu(A)
    x = lu.solve(b)
    x = x + lu.solve(b - A @ x)
    rho = np.zeros((D, D), complex)
    rho[blk % D, blk // D] = x
    rho = 0.5 * (rho + rho.conj().T)
    return rho


# ==========================================================================================
# Targets read off FockResult
# ==========================================================================================
def _num(expr, values) -> float:
    e = expand_definitions(sp.sympify(expr))
    return float(complex(e.evalf(subs={s: values[s] for s in e.free_symbols})).real)


@dataclass(frozen=True)
class SecondMoment(Target):
    """``Re`` or ``Im`` of ``M_ij = <a_i^dag a_j>`` (0-based site indices); the closed form is
    split into its real and imaginary part unless ``split=False``."""

    i: int
    j: int
    part: str = "re"
    zero_expected: bool = False
    split: bool = True  # False: the closed form given is already the real/imaginary part

    def prepare(self, derived):
        if not self.split:
            return derived
        re, im = _re_im(derived)
        return re if self.part == "re" else im

    def numeric(self, me, res, values):
        m = res.moments[self.i, self.j]
        return float(m.real if self.part == "re" else m.imag)

    def describe(self):
        return f"{self.part} <a_{self.i + 1}^dag a_{self.j + 1}>"


@dataclass(frozen=True)
class MomentDerivative(Target):
    """``Re``/``Im`` of ``dM_ij/dt`` at the reference state (see
    :func:`reference_state_occupations`), from the numeric generator."""

    i: int
    j: int
    part: str = "re"
    zero_expected: bool = False
    split: bool = True  # False: the closed form given is already the real/imaginary part

    def prepare(self, derived):
        if not self.split:
            return derived
        re, im = _re_im(derived)
        return re if self.part == "re" else im

    def numeric(self, me, res, values):
        m = res.reference_derivative[self.i, self.j]
        return float(m.real if self.part == "re" else m.imag)

    def describe(self):
        return f"{self.part} d<a_{self.i + 1}^dag a_{self.j + 1}>/dt at the reference state"


@dataclass(frozen=True)
class ChannelCurrent(Target):
    """Part of ``q^X`` carried by the jumps at Bohr frequency ``frequency`` (numeric jumps
    matched by frequency)."""

    bath: str
    frequency: sp.Expr

    def numeric(self, me, res, values):
        w = _num(self.frequency, values)
        per = res.channel_currents[self.bath]
        key = min(per, key=lambda x: abs(x - w))
        if abs(key - w) > 1e-7 * max(1.0, w):
            raise AssertionError(f"no numeric jump of bath {self.bath} at w = {w} (have {sorted(per)})")
        return per[key]

    def describe(self):
        return f"q^{self.bath} at {self.frequency}"


@dataclass(frozen=True)
class EffectiveRate(Target):
    """``rate * |<0|J|1>|^2`` of the emission (``direction="down"``) or absorption jump of bath
    ``bath`` at ``frequency``, from the numeric Bohr decomposition."""

    bath: str
    frequency: sp.Expr
    direction: str = "down"

    def numeric(self, me, res, values):
        w = _num(self.frequency, values)
        cands = [r for r in res.channel_rates[self.bath] if abs(r[0] - w) <= 1e-7 * max(1.0, w)]
        if not cands:
            raise AssertionError(f"no numeric jump of bath {self.bath} at w = {w}")
        return cands[0][1] if self.direction == "down" else cands[0][2]

    def describe(self):
        return f"{'emission' if self.direction == 'down' else 'absorption'} rate of bath {self.bath} at {self.frequency}"


@dataclass(frozen=True)
class EnergyBalance(Target):
    """``sum_X q^X`` (expected 0)."""

    zero_expected = True

    def numeric(self, me, res, values):
        return float(sum(res.heat_currents.values()))

    def describe(self):
        return "sum_X q^X"


@dataclass(frozen=True)
class FluxPrefactor(Target):
    """``q^X / (n_X(w_X) - n_Y(w_Y))`` with the numeric current and the occupations of
    ``difference`` (an expression ``n_X(w) - n_Y(w')``) evaluated at the sample."""

    bath: str
    difference: sp.Expr

    def numeric(self, me, res, values):
        from ..baths import expand_occupations
        d = _num(expand_occupations(self.difference), values)
        return res.heat_currents[self.bath] / d

    def describe(self):
        return f"q^{self.bath} / ({self.difference})"


@dataclass(frozen=True)
class HeatCurrentSign(Target):
    """``sign(q^X)`` from the numeric solver."""

    bath: str

    def numeric(self, me, res, values):
        return float(np.sign(res.heat_currents[self.bath]))

    def describe(self):
        return f"sign q^{self.bath}"


@dataclass(frozen=True)
class ColdToHot(Target):
    """1 if the numeric solver has heat entering the system from the colder bath (heat flowing
    from cold to hot), else 0."""

    def numeric(self, me, res, values):
        cold = min(res.temperatures, key=res.temperatures.get)
        return 1.0 if res.heat_currents[cold] > 0 else 0.0

    def describe(self):
        return "heat flows cold -> hot"


@dataclass(frozen=True)
class NormalModeFrequency(Target):
    """``k``-th smallest eigenvalue (1-based) of the numeric single-particle matrix ``h``."""

    k: int

    def numeric(self, me, res, values):
        return float(np.sort(res.single_particle_energies)[self.k - 1])

    def describe(self):
        return f"normal-mode frequency {self.k}"
