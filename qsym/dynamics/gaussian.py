r"""Particle-conserving quadratic bosonic systems, exactly: the single-particle route.

Model.  ``H = sum_ij h_ij a_i^dag a_j`` with ``h`` Hermitian, the modes partitioned into
subsystems ``X`` (``H = sum_X H_X + H_I``, ``H_X = sum_{ij in X} h_ij a_i^dag a_j``), the
initial state a product of Gibbs states of the ``H_X`` at temperatures ``T_X``.  A Gaussian
state of such a system is fixed by its correlation matrix ``C_ij = <a_i^dag a_j>``.

Index convention (derived once, used everywhere).  Heisenberg:
``da_i/dt = i[H, a_i] = -i sum_j h_ij a_j``, so ``a(t) = U(t) a`` with ``U = e^{-iht}``, and

    C(t) = U^* C(0) U^T = e^{i h^T t} C(0) e^{-i h^T t},   dC/dt = i [h^T, C]      (G1)

-- the propagator acts through the *transpose* of ``h`` (``h^T = h^*`` differs from ``h``
when ``h`` is complex).  Energies are traces, ``<H_X> = sum_{ij in X} h_ij C_ij
= Tr[h_XX^T C_XX]`` (G2), and a Gibbs state has ``C = (e^{h^T/T} - 1)^{-1}`` (G3).

Reduced dynamics and the minimal-dissipation Hamiltonian.  With ``G(t) = U_SS(t)`` the block
of ``U`` on subsystem ``S`` and a product initial state,
``C_S(t) = G^* C_S(0) G^T + N(t)`` with ``N`` the part injected by the rest.  Differentiating
and eliminating ``C_S(0)`` gives the exact time-local generator (Colla-Breuer's
``L_t = dPhi_t/dt o Phi_t^{-1}``) on correlation matrices:

    dC_S/dt = X^* C_S + C_S X^T + (dN/dt - X^* N - N X^T),   X = (dG/dt) G^{-1}        (G4)

Split ``X = -i K - Gamma/2`` into anti-Hermitian and Hermitian parts; then
``dC_S/dt = i[K^T, C_S] - {Gamma^T, C_S}/2 + noise``, which is (G1) for the quadratic
Hamiltonian ``K_S(t) = sum_ij K_ij(t) a_i^dag a_j`` plus loss (rate matrix ``Gamma``) and gain
(the noise) dissipators whose jump operators ``a_i``, ``a_i^dag`` are traceless.  So the
canonical-form (minimal-dissipation) Hamiltonian is quadratic with single-particle matrix

    K(t) = i (X - X^dag)/2 = -(1/2i)[(dG/dt) G^{-1} - ((dG/dt) G^{-1})^dag]              (G5)

(``K = h_SS`` at ``t = 0``; for one mode ``K = -Im(dG/dt / G) = -d arg G/dt``).  The additive
constant that the canonical form leaves open is fixed so that ``K_S`` annihilates the vacuum,
as ``H_S`` does.  ``K`` is singular where ``G(t)`` is not invertible.  Minimal-dissipation
energetics (Colla & Breuer, PRA 105, 052216): ``U^md = Tr[K_S rho_S] = sum K_ij C_ij``,
``dQ^md = int Tr[K_S drho_S]``, ``dW^md = int Tr[dK_S rho_S]``.

Closed forms.  The propagator is built block by block of ``h`` (connected components): 1x1
blocks are phases, 2x2 blocks are solved with their detuning ``Delta``, coupling ``Gamma``
(twice the off-diagonal element) and Rabi frequency ``Omega = sqrt(Delta^2 + Gamma^2)``:
``e^{-iQt} = e^{-i qbar t}[cos(Omega t/2) - i sin(Omega t/2) (Q - qbar)/(Omega/2)]``.  Structured
couplings reduce to such blocks: :func:`uniform_blocks` replaces ``N_X`` modes with all-to-all
intra-coupling ``g_X`` and uniform inter-coupling ``gamma_XY`` by their symmetric (collective)
modes, which carry all the exchange, and the dark modes, which are decoupled; closed forms
then hold for any ``N_X``.  Time integrals of the minimal-dissipation heat are done along
``y = sin^2(Omega t/2)`` when every integrand depends on time only through ``y`` (then
``int_0^t K(y) dC/dy dy/dtau dtau`` is path independent).

Numerics: :mod:`qsym.numeric.gaussian` (single-particle, full ``h`` built from numeric
parameters, ``eigh``) and :mod:`qsym.numeric.fock` (Fock space, independent of (G1)-(G5)).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

from ..algebra.spectrum import hamiltonian_blocks
from ..algebra.symbols import DefinedSymbol, expand_definitions
from ..baths import bose_occupation

__all__ = ["QuadraticSystem", "UniformBlocks", "quadratic_system", "uniform_blocks", "EnergyAssignment",
           "check_correlation_matrix",
           "MinimalDissipation", "ClosedFormUnavailable", "QuadraticInputError"]


class QuadraticInputError(ValueError):
    """Invalid input to the quadratic engine (non-Hermitian ``h``, bad partition, temperature...)."""


class ClosedFormUnavailable(NotImplementedError):
    """The requested closed form is outside what the structured route can do (say why)."""


def _is_zero(e) -> bool:
    e = sp.sympify(e)
    if e == 0:
        return True
    if e.free_symbols:
        z = sp.simplify(expand_definitions(e))
        return z == 0
    return abs(complex(e)) < 1e-14


def _conj(e):
    """Complex conjugate; with only real symbols this is ``i -> -i`` (fast, no ``conjugate()``)."""
    e = sp.sympify(e)
    if all(s.is_real for s in expand_definitions(e).free_symbols):
        return e.xreplace({sp.I: -sp.I})
    return sp.conjugate(e)


def _dagger(M: sp.Matrix) -> sp.Matrix:
    return sp.Matrix(M).T.applyfunc(_conj)


def _check_hermitian(h: sp.Matrix, name: str = "h") -> None:
    if not h.is_square:
        raise QuadraticInputError(f"Argument `{name}` must be a square single-particle matrix, got shape {h.shape}")
    bad = [(i, j) for i in range(h.rows) for j in range(i, h.cols) if not _is_zero(h[i, j] - _conj(h[j, i]))]
    if bad:
        i, j = bad[0]
        raise QuadraticInputError(
            f"Argument `{name}` must be Hermitian (h_ij = conj(h_ji)); got h[{i},{j}] = {h[i, j]} but "
            f"conj(h[{j},{i}]) = {_conj(h[j, i])}. A particle-conserving H = sum h_ij a_i^dag a_j needs a Hermitian h.")


def _check_temperature(label, T) -> sp.Expr:
    T = sp.sympify(T)
    if T.is_number and not (T.is_positive):
        raise QuadraticInputError(f"Argument `temperatures[{label!r}]` must be > 0, got {T}")
    if T.is_nonpositive:
        raise QuadraticInputError(f"Argument `temperatures[{label!r}]` must be a positive symbol or number, got {T} "
                                  f"(declared non-positive)")
    if T.is_number is False and T.is_positive is None:
        raise QuadraticInputError(f"Argument `temperatures[{label!r}]` = {T} must be declared positive "
                                  f"(sympy.Symbol(..., positive=True)) so that the Gibbs state exists")
    return T


# ---- trigonometric tidying ---------------------------------------------------------------------------------
def _tidy(e, relations=()):
    """Polynomial normal form of a (rational) expression in ``sin(x), cos(x)``: ``cos^2 -> 1 - sin^2``
    and each ``relations`` entry ``(R, R2)`` reduces ``R^2 -> R2`` (``Omega^2 -> Delta^2 + Gamma^2``)."""
    e = sp.sympify(e)
    if e == 0:
        return e
    trig = sorted(e.atoms(sp.sin, sp.cos), key=str)
    args = sorted({f.args[0] for f in trig}, key=str)
    reps, back, gens = {}, {}, []
    for k, a in enumerate(args):
        s, c = sp.Dummy(f"s{k}"), sp.Dummy(f"c{k}")
        reps[sp.sin(a)], reps[sp.cos(a)] = s, c
        back[s], back[c] = sp.sin(a), sp.cos(a)
        gens.append((c, c**2 - 1 + s**2))
    rel = [(R, R**2 - R2) for R, R2 in relations]
    x = sp.together(e.xreplace(reps))
    num, den = sp.fraction(x)

    def reduce(p):
        p = sp.expand(p)
        for v, q in gens + rel:
            if p.has(v):
                p = sp.expand(sp.rem(sp.Poly(p, v), sp.Poly(q, v)).as_expr())
        return p
    num, den = reduce(num), reduce(den)
    out = sp.cancel(num / den) if sp.count_ops(num) + sp.count_ops(den) < 400 else num / den
    num, den = sp.fraction(out)
    if sp.count_ops(num) < 300:
        num, den = sp.factor(num), sp.factor(den)
    out = (num / den).xreplace(back)
    return _fold_relations(out, relations)


def _fold_relations(e, relations):
    """Write ``Delta^2 + Gamma^2`` back as ``Omega^2`` (the reverse of the reduction, for reading)."""
    for R, R2 in relations:
        e = e.subs(R2, R**2)
    return e


# ---- the system ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuadraticSystem:
    r"""A particle-conserving quadratic bosonic system in a basis of mode *classes*.

    Attributes:
        h: single-particle matrix (Hermitian) in the evolved basis.
        subsystems: ``((label, (mode indices...)), ...)`` covering every mode once.
        multiplicity: per mode class, how many identical decoupled copies it stands for (1, or
            ``N_X - 1`` for the dark modes of a uniform block; such classes must be decoupled).
        temperatures: ``((label, T_X), ...)``.
        structure: the :class:`UniformBlocks` description the basis came from (``None`` for an
            explicit ``h``); the numeric solver rebuilds the full matrix from it.
        time: the time symbol ``t``.
        mode_names: LaTeX names of the mode classes.
    """

    h: sp.ImmutableMatrix
    subsystems: tuple
    multiplicity: tuple
    temperatures: tuple
    structure: object = None
    time: sp.Symbol = sp.Symbol("t", positive=True)
    mode_names: tuple = ()
    assumptions: tuple = ()
    domain: tuple = ()
    name: str = "quadratic bosons"
    block_symbols: tuple = ()  # ((Delta, Gamma, Omega, qbar) per 2x2 block, in block order)
    initial: sp.ImmutableMatrix | None = None  # C(0) when given instead of the product Gibbs state
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    kind = "quadratic"
    baths: tuple = ()

    # -- the model interface used by sampling and verification ------------------------------------------------
    @property
    def model(self):
        return self

    @property
    def parameters(self) -> tuple:
        syms = set(expand_definitions(sp.Matrix(self.h)).free_symbols)
        for _, T in self.temperatures:
            syms |= sp.sympify(T).free_symbols
        for m in self.multiplicity:
            syms |= expand_definitions(sp.sympify(m)).free_symbols
        if self.structure is not None:
            syms |= set(self.structure.parameters)
        syms.add(self.time)
        syms |= {s for s, _ in self.domain}
        return tuple(sorted(syms, key=str))

    @property
    def dim(self) -> int:
        return self.h.rows

    def modes_of(self, X: str) -> tuple:
        for lab, idx in self.subsystems:
            if lab == X:
                return idx
        raise QuadraticInputError(f"Argument `subsystem` must be one of {[l for l, _ in self.subsystems]}, got {X!r}")

    def temperature(self, X: str):
        return dict(self.temperatures)[X]

    def numeric_solver(self):
        from ..numeric.gaussian import GaussianSolver
        return GaussianSolver(self)

    # -- spectrum ----------------------------------------------------------------------------------------------
    def blocks(self) -> list[list[int]]:
        """Connected components of ``h`` (the pieces the propagator factorises into)."""
        key = "blocks"
        if key not in self._cache:
            self._cache[key] = hamiltonian_blocks(sp.Matrix(self.h))
        return self._cache[key]

    def _block_symbols(self, k: int):
        return self.block_symbols[k] if k < len(self.block_symbols) else None

    def spectrum(self) -> list[tuple]:
        """``[(eigenvalue, multiplicity)]`` of the full single-particle matrix: 1x1 blocks (with
        the class multiplicity) and the two normal modes ``qbar +- Omega/2`` of every 2x2 block."""
        out = []
        two = 0
        for b in self.blocks():
            if len(b) == 1:
                out.append((self.h[b[0], b[0]], self.multiplicity[b[0]]))
            elif len(b) == 2:
                D, G, W, qbar = self._two_level_symbols(b, two)
                two += 1
                out += [(qbar - W / 2, 1), (qbar + W / 2, 1)]
            else:
                ev = sp.Matrix(self.h).extract(b, b).eigenvals()
                out += list(ev.items())
        return out

    def _two_level_symbols(self, b, k):
        """``(Delta, Gamma, Omega, qbar)`` of the 2x2 block ``b``: named symbols when supplied."""
        named = self._block_symbols(k)
        if named is not None:
            return named
        a, d, c = self.h[b[0], b[0]], self.h[b[1], b[1]], self.h[b[0], b[1]]
        sfx = "" if len([x for x in self.blocks() if len(x) == 2]) == 1 else f"_{k + 1}"
        D = DefinedSymbol(f"Delta{sfx}", a - d, real=True)
        G = DefinedSymbol(f"Gamma{sfx}", 2 * sp.sqrt(c * _conj(c)), nonnegative=True)
        W = DefinedSymbol(f"Omega{sfx}", sp.sqrt(D**2 + G**2), positive=True)
        return D, G, W, (a + d) / 2

    # -- initial state and evolution -----------------------------------------------------------------------------
    def initial_correlations(self) -> sp.Matrix:
        """Product of subsystem Gibbs states (G3): ``C_XX = n_X(h_XX^T)``, zero between subsystems
        (or the ``initial`` correlation matrix the system was built with)."""
        if self.initial is not None:
            return sp.Matrix(self.initial)
        C = sp.zeros(self.dim)
        for X, idx in self.subsystems:
            T = self.temperature(X)
            hX = sp.Matrix(self.h).extract(list(idx), list(idx))
            n = bose_occupation(X, T)
            if hX.is_diagonal():
                for k, i in enumerate(idx):
                    C[i, i] = n(hX[k, k])
            else:
                P, D = hX.T.diagonalize(normalize=True)
                CX = P * sp.diag(*[n(D[k, k]) for k in range(D.rows)]) * _dagger(P)
                for a, i in enumerate(idx):
                    for b_, j in enumerate(idx):
                        C[i, j] = sp.simplify(CX[a, b_])
        return C

    def propagator(self) -> sp.Matrix:
        """``U(t) = e^{-iht}`` block by block (closed form for blocks of size <= 2)."""
        if "U" in self._cache:
            return self._cache["U"]
        t = self.time
        U = sp.zeros(self.dim)
        two = 0
        for b in self.blocks():
            if len(b) == 1:
                U[b[0], b[0]] = sp.exp(-sp.I * self.h[b[0], b[0]] * t)
            elif len(b) == 2:
                D, G, W, qbar = self._two_level_symbols(b, two)
                two += 1
                c12 = self.h[b[0], b[1]]
                M = sp.Matrix([[D / 2, c12], [_conj(c12), -D / 2]]) * 2 / W
                phase = sp.exp(-sp.I * qbar * t)
                Ub = phase * (sp.cos(W * t / 2) * sp.eye(2) - sp.I * sp.sin(W * t / 2) * M)
                for a, i in enumerate(b):
                    for c, j in enumerate(b):
                        U[i, j] = Ub[a, c]
            else:
                raise ClosedFormUnavailable(
                    f"a connected block of h of size {len(b)} (modes {b}): closed forms need blocks of size <= 2; "
                    f"reduce structured couplings with qsym.dynamics.gaussian.uniform_blocks, or use the numeric "
                    f"solver (system.numeric_solver())")
        self._cache["U"] = U
        return U

    def _relations(self):
        rel = []
        two = 0
        for b in self.blocks():
            if len(b) == 2:
                D, G, W, _ = self._two_level_symbols(b, two)
                two += 1
                c12 = self.h[b[0], b[1]]
                rel.append((W, D**2 + G**2))
                if c12 != G / 2 and isinstance(G, DefinedSymbol):
                    # |c12|^2 in terms of Gamma, so that Omega^2 - Delta^2 -> Gamma^2
                    rel.append((G, 4 * c12 * _conj(c12)))
        return rel

    def correlations(self) -> sp.Matrix:
        """``C(t) = U^* C(0) U^T`` (G1), tidied (``cos^2 -> 1 - sin^2``, ``Omega^2 -> Delta^2 + Gamma^2``)."""
        if "C" in self._cache:
            return self._cache["C"]
        U = self.propagator()
        C0 = self.initial_correlations()
        C = U.applyfunc(_conj) * C0 * U.T
        C = C.applyfunc(lambda e: _tidy(sp.powsimp(sp.expand(e), combine="exp"), self._relations()))
        self._cache["C"] = C
        return C

    # -- energies (G2) ---------------------------------------------------------------------------------------------
    def energy(self, X: str, C: sp.Matrix | None = None) -> sp.Expr:
        """``<H_X>(t) = sum_{ij in X} h_ij C_ij`` (G2), each mode class weighted by its multiplicity."""
        C = self.correlations() if C is None else C
        idx = self.modes_of(X)
        return sp.Add(*[self._weight(i, j) * self.h[i, j] * C[i, j] for i in idx for j in idx])

    def _weight(self, i, j):
        return self.multiplicity[i] if i == j else 1

    def interaction_energy(self, C: sp.Matrix | None = None) -> sp.Expr:
        """``<H_I>(t) = sum over i, j in different subsystems of h_ij C_ij``."""
        C = self.correlations() if C is None else C
        owner = {i: X for X, idx in self.subsystems for i in idx}
        return sp.Add(*[self.h[i, j] * C[i, j] for i in range(self.dim) for j in range(self.dim)
                        if owner[i] != owner[j]])

    def energy_change(self, X: str) -> sp.Expr:
        """``Delta U~_X(t) = <H_X>(t) - <H_X>(0)`` (``X = "I"``: the interaction energy)."""
        key = ("dU", X)
        if key not in self._cache:
            U = self.interaction_energy() if X == "I" else self.energy(X)
            U0 = U.xreplace({self.time: 0})
            self._cache[key] = _tidy(sp.expand(U - sp.simplify(U0)), self._relations())
        return self._cache[key]

    def assignment(self, X: str) -> "EnergyAssignment":
        """First-law quantities of subsystem ``X`` in the bare, interaction and
        minimal-dissipation approaches."""
        self.modes_of(X)
        return EnergyAssignment(self, X)

    def minimal_dissipation(self, X: str) -> "MinimalDissipation":
        self.modes_of(X)
        return MinimalDissipation(self, X)

    def derivation_steps(self) -> tuple:
        """The model (``h``, the subsystems, the initial state), then the exact single-particle
        solution ``C(t) = U^* C(0) U^T`` (no approximation: the Hamiltonian is quadratic)."""
        from ..latex import latex
        from ..steps import Step, assumption_texts, positivity_text
        body = self._repr_latex_()[len(r"$\begin{gathered}"):-len(r"\end{gathered}$")]
        initial = ("initial correlation matrix given" if self.initial is not None else
                   "initial state: product of Gibbs states of the subsystems, " +
                   ", ".join(f"${X}$ at $T = {latex(T)}$" for X, T in self.temperatures))
        extra = ()
        if self.structure is not None:
            extra = ("uniform blocks reduced to collective modes (symmetric combinations) plus decoupled dark modes",)
        model = Step("model", f"Quadratic bosons: {self.name}", r"\begin{gathered}" + body + r"\end{gathered}", (),
                     assumption_texts(self.assumptions) + (initial,) + extra +
                     (positivity_text(self.h.free_symbols),))
        solution = Step("dynamics", "Exact single-particle propagation of the correlation matrix",
                        r"C_{ij}(t) = \langle a_i^\dagger a_j\rangle_t = \left(U^* C(0) U^T\right)_{ij},\quad U = e^{-iht}",
                        (), ("number-conserving quadratic Hamiltonian (Gaussian states stay Gaussian)",))
        return (model, solution)

    # -- rendering ---------------------------------------------------------------------------------------------
    def _repr_latex_(self):
        names = self.mode_names or tuple(f"a_{{{i + 1}}}" for i in range(self.dim))
        h = sp.latex(sp.Matrix(self.h))
        rows = [rf"H = \sum_{{ij}} h_{{ij}}\, a_i^\dagger a_j,\quad h = {h}",
                r"\text{modes: } " + ", ".join(names)]
        for k, m in enumerate(self.multiplicity):
            if m != 1:
                rows.append(rf"{names[k]}\ \text{{stands for }} {sp.latex(m)}\ \text{{decoupled modes}}")
        rows.append(", ".join(rf"T_{{{X}}} = {sp.latex(T)}" for X, T in self.temperatures))
        return r"$\begin{gathered}" + r" \\ ".join(rows) + r"\end{gathered}$"


def check_correlation_matrix(C, n: int, name: str = "initial") -> sp.ImmutableMatrix:
    """``C_ij = <a_i^dag a_j>`` of a state: ``n x n``, Hermitian, positive semidefinite (checked
    numerically where the entries are numbers)."""
    C = sp.ImmutableMatrix(C)
    if C.shape != (n, n):
        raise QuadraticInputError(f"Argument `{name}` must be a {n}x{n} correlation matrix (one row per mode), "
                                  f"got shape {C.shape}")
    bad = [(i, j) for i in range(n) for j in range(i, n) if not _is_zero(C[i, j] - _conj(C[j, i]))]
    if bad:
        i, j = bad[0]
        raise QuadraticInputError(f"Argument `{name}` must be Hermitian (C_ij = conj(C_ji) for C_ij = <a_i^dag a_j>); "
                                  f"got C[{i},{j}] = {C[i, j]}, C[{j},{i}] = {C[j, i]}")
    if not C.free_symbols:
        import numpy as np
        ev = np.linalg.eigvalsh(np.array(C.evalf(), dtype=complex))
        if ev.min() < -1e-12:
            raise QuadraticInputError(f"Argument `{name}` is not a state: C = <a^dag a> must be positive semidefinite, "
                                      f"but has eigenvalue {ev.min():.3g} (occupations cannot be negative)")
    return C


def quadratic_system(h, subsystems: dict, temperatures: dict | None = None, *, initial=None, time=None,
                     assumptions=(), domain=(), name: str = "quadratic bosons", mode_names=(), multiplicity=None,
                     structure=None, block_symbols=()) -> QuadraticSystem:
    """Build and validate a :class:`QuadraticSystem`.

    Args:
        h: Hermitian single-particle matrix (SymPy, entries may be symbolic).
        subsystems: ``{label: [mode indices]}``, disjoint, covering ``0..n-1``.
        temperatures: ``{label: T_X}`` with ``T_X > 0`` (declared positive if symbolic): the initial
            state is the product of the subsystems' Gibbs states.
        initial: instead of ``temperatures``, the initial correlation matrix ``C_ij = <a_i^dag a_j>``
            (Hermitian, positive semidefinite).
        time: the time symbol (default ``t``, positive).
        multiplicity: copies per mode class (default 1); a class with multiplicity != 1 must be decoupled.

    Raises:
        QuadraticInputError: non-Hermitian ``h``, a partition that overlaps or misses modes, a
            temperature that is not positive, a coupled mode class with multiplicity != 1.
    """
    h = sp.ImmutableMatrix(h)
    _check_hermitian(h)
    n = h.rows
    if not isinstance(subsystems, dict) or not subsystems:
        raise QuadraticInputError(f"Argument `subsystems` must be a dict {{label: [mode indices]}}, got {subsystems!r}")
    seen = []
    for X, idx in subsystems.items():
        seen += list(idx)
    missing = sorted(set(range(n)) - set(seen))
    dup = sorted({i for i in seen if seen.count(i) > 1})
    extra = sorted(set(seen) - set(range(n)))
    if missing or dup or extra:
        raise QuadraticInputError(
            f"Argument `subsystems` must partition the modes 0..{n - 1} (each exactly once); got {subsystems!r}: "
            + "; ".join(x for x in (f"missing {missing}" if missing else "", f"repeated {dup}" if dup else "",
                                   f"out of range {extra}" if extra else "") if x))
    if (temperatures is None) == (initial is None):
        raise QuadraticInputError("give exactly one of `temperatures` (product Gibbs state) and `initial` "
                                  "(a correlation matrix)")
    C0 = None
    if initial is not None:
        C0 = check_correlation_matrix(initial, n)
        temps = ()
    else:
        if set(temperatures) != set(subsystems):
            raise QuadraticInputError(f"Argument `temperatures` must give one temperature per subsystem "
                                      f"{sorted(subsystems)}, got keys {sorted(temperatures)}")
        temps = tuple((X, _check_temperature(X, temperatures[X])) for X in subsystems)
    mult = tuple(multiplicity) if multiplicity is not None else (sp.S.One,) * n
    for i, m in enumerate(mult):
        if m != 1 and any(not _is_zero(h[i, j]) for j in range(n) if j != i):
            raise QuadraticInputError(f"mode class {i} stands for {m} copies and must be decoupled, but h couples it")
    return QuadraticSystem(h, tuple((X, tuple(idx)) for X, idx in subsystems.items()), mult, temps, structure,
                           time or sp.Symbol("t", positive=True), tuple(mode_names), tuple(assumptions),
                           tuple(domain), name, tuple(block_symbols), C0)


# ---- structured couplings: collective modes ---------------------------------------------------------------
@dataclass(frozen=True)
class UniformBlocks:
    r"""``N_X`` modes per subsystem, on-site ``omega_X``, all-to-all intra-coupling ``g_X``
    (``h_XX = omega_X 1 + g_X (J - 1)``) and uniform inter-coupling ``gamma_XY``
    (``h_XY = gamma_XY J``), ``J`` the all-ones matrix.

    Reduction (equitable partition).  With the normalised symmetric vector ``e_X = (1,..,1)/sqrt(N_X)``,
    ``h_XX e_X = (omega_X + (N_X - 1) g_X) e_X`` (row sum), ``e_X^T h_XY e_Y = gamma_XY sqrt(N_X N_Y)``,
    and every vector of subsystem ``X`` orthogonal to ``e_X`` has ``h_XX v = (omega_X - g_X) v``,
    ``h_YX v = gamma J v = 0``: the ``N_X - 1`` dark modes are decoupled.  The collective matrix is
    ``nu_X = omega_X + (N_X - 1) g_X`` on the diagonal and ``gamma_XY sqrt(N_X N_Y)`` between subsystems.
    """

    labels: tuple
    sizes: tuple
    onsite: tuple
    intra: tuple
    inter: tuple  # ((X, Y, gamma_XY), ...)

    @property
    def parameters(self) -> tuple:
        syms = set()
        for e in list(self.sizes) + list(self.onsite) + list(self.intra) + [g for _, _, g in self.inter]:
            syms |= sp.sympify(e).free_symbols
        return tuple(sorted(syms, key=str))

    def row_sum(self, k: int):
        """``sum_j (h_XX)_ij = omega_X + (N_X - 1) g_X``: the symmetric mode's energy."""
        return self.onsite[k] + (self.sizes[k] - 1) * self.intra[k]

    def dark_energy(self, k: int):
        """Eigenvalue of ``h_XX`` on vectors orthogonal to ``(1,..,1)``: ``omega_X - g_X``."""
        return self.onsite[k] - self.intra[k]

    def coupling(self, X, Y):
        for a, b, g in self.inter:
            if {a, b} == {X, Y}:
                return g
        return sp.S.Zero

    def full_matrix(self, values: dict):
        """The full ``sum N_X``-dimensional numeric ``h`` and the index partition (numeric path:
        nothing of the reduction is used)."""
        import numpy as np
        v = {s: values[s] for s in self.parameters}
        num = lambda e: float(sp.sympify(e).xreplace(v)) if sp.sympify(e).free_symbols else float(e)  # noqa: E731
        sizes = []
        for k, N in enumerate(self.sizes):
            x = num(N)
            if abs(x - round(x)) > 1e-9 or round(x) < 1:
                raise QuadraticInputError(f"size N_{self.labels[k]} must be a positive integer, got {x}")
            sizes.append(int(round(x)))
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        h = np.zeros((offsets[-1], offsets[-1]))
        part = {}
        for k, X in enumerate(self.labels):
            a, b = offsets[k], offsets[k + 1]
            w, g = num(self.onsite[k]), num(self.intra[k])
            h[a:b, a:b] = g
            h[np.arange(a, b), np.arange(a, b)] = w
            part[X] = list(range(a, b))
        for X, Y, g in self.inter:
            i, j = self.labels.index(X), self.labels.index(Y)
            h[offsets[i]:offsets[i + 1], offsets[j]:offsets[j + 1]] = num(g)
            h[offsets[j]:offsets[j + 1], offsets[i]:offsets[i + 1]] = num(g)
        return h, part


def uniform_blocks(sizes: dict, onsite: dict, intra: dict, inter: dict, temperatures: dict, *, time=None,
                   assumptions=(), domain=(), name: str = "uniform blocks", collective_names=None,
                   block_names=None) -> QuadraticSystem:
    r"""Reduce uniformly coupled subsystems to collective (symmetric) and dark modes.

    Args:
        sizes: ``{X: N_X}`` (positive integer symbols or integers).
        onsite: ``{X: omega_X}``; intra: ``{X: g_X}`` (all-to-all within ``X``).
        inter: ``{(X, Y): gamma_XY}`` (every mode of X to every mode of Y).
        temperatures: ``{X: T_X}``.
        collective_names: ``{X: "nu_X"}`` names of the symmetric-mode energies (default ``nu_X``).
        block_names: names ``(Delta, Gamma, Omega)`` of the 2x2 collective block (two subsystems).

    Returns:
        A :class:`QuadraticSystem` on the basis ``(A_X, dark_X)`` per subsystem (dark classes
        with multiplicity ``N_X - 1``, dropped when ``N_X = 1``), ``structure`` = the
        :class:`UniformBlocks`, from which the numeric solver builds the full matrix.
    """
    labels = tuple(sizes)
    for X in labels:
        N = sp.sympify(sizes[X])
        if N.is_number and (not N.is_integer or N < 1):
            raise QuadraticInputError(f"Argument `sizes[{X!r}]` must be a positive integer, got {N}")
        if not N.is_number and not (N.is_integer and N.is_positive):
            raise QuadraticInputError(f"Argument `sizes[{X!r}]` = {N} must be declared a positive integer "
                                      f"(sympy.Symbol('N', integer=True, positive=True))")
    for d, what in ((onsite, "onsite"), (intra, "intra"), (temperatures, "temperatures")):
        if set(d) != set(labels):
            raise QuadraticInputError(f"Argument `{what}` must have one entry per subsystem {list(labels)}, got {sorted(d)}")
    for (X, Y) in inter:
        if X not in labels or Y not in labels or X == Y:
            raise QuadraticInputError(f"Argument `inter` keys must be pairs of different subsystems of {list(labels)}, "
                                      f"got {(X, Y)}")
    structure = UniformBlocks(labels, tuple(sp.sympify(sizes[X]) for X in labels),
                              tuple(sp.sympify(onsite[X]) for X in labels), tuple(sp.sympify(intra[X]) for X in labels),
                              tuple((X, Y, sp.sympify(g)) for (X, Y), g in inter.items()))
    names = collective_names or {X: f"nu_{X}" for X in labels}
    nu = {X: DefinedSymbol(names[X], structure.row_sum(k), real=True) for k, X in enumerate(labels)}
    order, mult, subs, mode_names = [], [], {}, []
    for k, X in enumerate(labels):
        idx = [len(order)]
        order.append(("A", X))
        mult.append(sp.S.One)
        mode_names.append(f"A_{{{X}}}")
        if structure.sizes[k] != 1:
            idx.append(len(order))
            order.append(("dark", X))
            mult.append(structure.sizes[k] - 1)
            mode_names.append(rf"b_{{{X}}}")
        subs[X] = idx
    n = len(order)
    h = sp.zeros(n)
    for a, (kind_a, X) in enumerate(order):
        kx = labels.index(X)
        h[a, a] = nu[X] if kind_a == "A" else structure.dark_energy(kx)
        for b, (kind_b, Y) in enumerate(order):
            if b != a and kind_a == kind_b == "A":
                ky = labels.index(Y)
                h[a, b] = structure.coupling(X, Y) * sp.sqrt(structure.sizes[kx] * structure.sizes[ky])
    block_symbols = ()
    if block_names is not None and len(labels) == 2:
        X, Y = labels
        Dn, Gn, Wn = block_names
        D = DefinedSymbol(Dn, nu[X] - nu[Y], real=True)
        c = h[0, subs[Y][0]]
        G = DefinedSymbol(Gn, 2 * c, positive=True) if sp.sympify(c).is_positive else \
            DefinedSymbol(Gn, 2 * sp.sqrt(c * _conj(c)), nonnegative=True)
        W = DefinedSymbol(Wn, sp.sqrt(D**2 + G**2), positive=True)
        h[0, subs[Y][0]] = h[subs[Y][0], 0] = G / 2 if sp.sympify(c).is_positive else c
        block_symbols = ((D, G, W, (nu[X] + nu[Y]) / 2),)
    return quadratic_system(h, subs, temperatures, time=time, assumptions=assumptions, domain=domain, name=name,
                            mode_names=mode_names, multiplicity=mult, structure=structure,
                            block_symbols=block_symbols)


# ---- energy assignments ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnergyAssignment:
    r"""First-law quantities of subsystem ``S = X`` with ``E`` = the rest (Colla's slides
    "Interaction energy assignment", "Two popular sets of definitions").

    With time-independent ``H_X``: ``U~_X = Tr[H_X rho]``, ``dQ~_X = int Tr[H_X drho] = Delta U~_X``,
    ``dW~_X = int Tr[dH_X rho] = 0``.

    * bare: ``Delta U = Delta U~_S``, ``dQ = dQ~_S + dQ~_I``, ``dW = dW~_S - Delta U~_I``;
    * interaction: ``Delta U = Delta U~_S + Delta U~_I``, ``dQ = dQ~_S + dQ~_I``, ``dW = dW~_S``;
    * minimal dissipation: see :class:`MinimalDissipation`.
    """

    system: QuadraticSystem
    subsystem: str

    def tilde(self) -> dict:
        """``{"U_S", "U_I", "Q_S", "Q_I", "W_S", "W_I"}``: the changes ``Delta U~_X`` and the
        integrals ``dQ~_X``, ``dW~_X`` (``h`` does not depend on time, so ``dQ~_X = Delta U~_X``)."""
        s = self.system
        if s.time in expand_definitions(sp.Matrix(s.h)).free_symbols:
            raise ClosedFormUnavailable("time-dependent h (driving): dW~_X = int Tr[dH_X/dt rho] is not implemented")
        US, UI = s.energy_change(self.subsystem), s.energy_change("I")
        return {"U_S": US, "U_I": UI, "Q_S": US, "Q_I": UI, "W_S": sp.S.Zero, "W_I": sp.S.Zero}

    def bare(self) -> dict:
        x = self.tilde()
        return {"dU": x["U_S"], "dQ": x["Q_S"] + x["Q_I"], "dW": x["W_S"] - x["U_I"]}

    def interaction(self) -> dict:
        x = self.tilde()
        return {"dU": x["U_S"] + x["U_I"], "dQ": x["Q_S"] + x["Q_I"], "dW": x["W_S"]}

    def minimal_dissipation(self) -> dict:
        md = self.system.minimal_dissipation(self.subsystem)
        return {"dU": md.energy_change(), "dQ": md.heat(), "dW": md.work()}

    def approaches(self) -> dict:
        """``{"bare", "interaction", "minimal dissipation"}`` -> ``{"dU", "dQ", "dW"}``, derived
        once per object (kept with it, so a pickled assignment carries them)."""
        return self._approaches

    @cached_property
    def _approaches(self) -> dict:
        return {"bare": self.bare(), "interaction": self.interaction(), "minimal dissipation": self.minimal_dissipation()}

    def _repr_latex_(self):
        S = self.subsystem
        rows = []
        for name, q in self.approaches().items():
            for k, v in q.items():
                sym = {"dU": r"\Delta U", "dQ": r"\delta Q", "dW": r"\delta W"}[k]
                tag = {"bare": "bare", "interaction": "int", "minimal dissipation": "md"}[name]
                rows.append(rf"{sym}_{{{S}}}^{{\mathrm{{{tag}}}}}(t) &= {sp.latex(v)}")
        return r"$\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$"


@dataclass(frozen=True)
class MinimalDissipation:
    r"""The exact generator of subsystem ``S`` (G4) and its minimal-dissipation Hamiltonian (G5)."""

    system: QuadraticSystem
    subsystem: str

    @property
    def modes(self):
        return list(self.system.modes_of(self.subsystem))

    def single_particle_propagator(self) -> sp.Matrix:
        """``G(t) = U_SS(t)``."""
        U = self.system.propagator()
        return U.extract(self.modes, self.modes)

    def log_derivative(self) -> sp.Matrix:
        """``X(t) = dG/dt G^{-1}`` (G4)."""
        G = self.single_particle_propagator()
        t = self.system.time
        Gi = G.inv() if not G.is_diagonal() else sp.diag(*[1 / G[k, k] for k in range(G.rows)])
        return (G.diff(t) * Gi).applyfunc(lambda e: sp.powsimp(sp.expand(e), combine="exp"))

    def hamiltonian(self) -> sp.Matrix:
        """``K(t) = i (X - X^dag)/2`` (G5), tidied; ``K_S(t) = sum_ij K_ij a_i^dag a_j``."""
        key = ("K", self.subsystem)
        c = self.system._cache
        if key not in c:
            X = self.log_derivative()
            K = (sp.I * (X - _dagger(X)) / 2)
            rel = self.system._relations()
            c[key] = K.applyfunc(lambda e: _partial_fractions(
                _tidy(sp.powsimp(sp.expand(sp.together(e)), combine="exp"), rel), rel))
        return c[key]

    def decay_matrix(self) -> sp.Matrix:
        """``Gamma(t) = -(X + X^dag)`` (G4): loss rates of the canonical form (negative eigenvalues:
        information backflow)."""
        X = self.log_derivative()
        return (-(X + _dagger(X))).applyfunc(lambda e: _tidy(sp.expand(sp.together(e)), self.system._relations()))

    def propagator_norm(self) -> sp.Expr:
        """``|det G(t)|^2``: ``K`` is singular exactly where it vanishes."""
        G = self.single_particle_propagator()
        d = G.det()
        return _tidy(sp.powsimp(sp.expand(d * _conj(d)), combine="exp"), self.system._relations())

    def _weights(self):
        s = self.system
        return [[s._weight(i, j) for j in self.modes] for i in self.modes]

    def energy(self) -> sp.Expr:
        """``U^md(t) = Tr[K_S rho_S] = sum_ij K_ij C_ij``."""
        K = self.hamiltonian()
        C = self.system.correlations().extract(self.modes, self.modes)
        w = self._weights()
        n = len(self.modes)
        return sp.Add(*[w[a][b] * K[a, b] * C[a, b] for a in range(n) for b in range(n)])

    def energy_change(self) -> sp.Expr:
        key = ("dUmd", self.subsystem)
        c = self.system._cache
        if key not in c:
            U = self.energy()
            rel = self.system._relations()
            c[key] = _partial_fractions(_tidy(sp.expand(U - U.xreplace({self.system.time: 0})), rel), rel)
        return c[key]

    def heat(self) -> sp.Expr:
        """``dQ^md(t) = int_0^t sum_ij K_ij dC_ij/dtau dtau``, integrated along ``y = sin^2(Omega t/2)``."""
        return self._stieltjes("dQmd", integrand="K", measure="C")

    def work(self) -> sp.Expr:
        """``dW^md(t) = int_0^t Tr[dK_S/dtau rho_S] dtau = int sum_ij C_ij dK_ij``, integrated on its
        own (along ``y = sin^2(Omega t/2)``), so that the first law ``Delta U^md = dQ^md + dW^md``
        is a check, not a definition."""
        return self._stieltjes("dWmd", integrand="C", measure="K")

    def _stieltjes(self, key: str, integrand: str, measure: str) -> sp.Expr:
        """``sum_ij w_ij int_0^t f_ij d(g_ij)`` with ``(f, g) = (K, C)`` (heat) or ``(C, K)`` (work), cached."""
        key = (key, self.subsystem)
        c = self.system._cache
        if key not in c:
            mats = {"K": self.hamiltonian(), "C": self.system.correlations().extract(self.modes, self.modes)}
            f, g = mats[integrand], mats[measure]
            w = self._weights()
            t, rel = self.system.time, self.system._relations()
            n = len(self.modes)
            c[key] = sp.Add(*[w[a][b] * _path_integral(f[a, b], g[a, b], t, rel)
                              for a in range(n) for b in range(n) if g[a, b].has(t) and not _is_zero(f[a, b])])
        return c[key]

    def power(self) -> sp.Expr:
        """``Tr[dK_S/dt rho_S](t)``: the integrand of the work (its peaks are the slides' work peaks)."""
        K = self.hamiltonian()
        C = self.system.correlations().extract(self.modes, self.modes)
        w = self._weights()
        t = self.system.time
        n = len(self.modes)
        return sp.Add(*[w[a][b] * sp.diff(K[a, b], t) * C[a, b] for a in range(n) for b in range(n)])

    def _repr_latex_(self):
        K = self.hamiltonian()
        return (r"$\begin{aligned}K_S(t) &= \sum_{ij} K_{ij}(t)\, a_i^\dagger a_j,\quad K(t) = "
                + sp.latex(K) + r"\end{aligned}$")


def _partial_fractions(e, relations):
    """``e`` as polynomial + partial fractions in ``sin^2`` of its single angle (reads as
    ``K = qbar + Delta Omega^2 / (2 (Omega^2 - Gamma^2 sin^2))``)."""
    trig = {f.args[0] for f in sp.sympify(e).atoms(sp.sin, sp.cos)}
    if len(trig) != 1 or sp.sympify(e).has(sp.cos):
        return e
    th = trig.pop()
    y = sp.Dummy("y")
    rel = {R**2: R2 for R, R2 in relations}
    x = sp.cancel(sp.expand(e.xreplace({sp.sin(th): sp.sqrt(y)}).xreplace(rel)))
    if x.has(sp.sqrt(y)):
        return e
    parts = sp.Add.make_args(sp.apart(x, y))
    return _fold_relations(sp.Add(*[sp.factor(p) for p in parts]).xreplace({y: sp.sin(th) ** 2}), relations)


def _path_integral(k, c, t, relations):
    """``int_0^t k(tau) dc/dtau dtau`` when ``k`` and ``c`` depend on time only through
    ``y = sin^2(Omega t / 2)`` (one frequency): then the integral is ``F(y(t)) - F(y(0))`` with
    ``F' = k dc/dy``, path independent even though ``y`` is not monotonic."""
    trig = (sp.sympify(k).atoms(sp.sin, sp.cos) | sp.sympify(c).atoms(sp.sin, sp.cos))
    args = {f.args[0] for f in trig}
    if len(args) != 1:
        raise ClosedFormUnavailable(f"the minimal-dissipation heat integrand has {len(args)} angular arguments "
                                    f"{sorted(map(str, args))}; the closed-form route needs one (a 2x2 block); use "
                                    f"the numeric solver")
    theta = args.pop()
    s, cc, y = sp.Dummy("s"), sp.Dummy("c"), sp.Dummy("y", nonnegative=True)

    def in_y(e):
        e = _tidy(e, relations).xreplace({sp.sin(theta): s, sp.cos(theta): cc})
        num, den = sp.fraction(sp.together(e))
        out = []
        for p in (num, den):
            p = sp.expand(p)
            p = sp.expand(sp.rem(sp.Poly(p, cc), sp.Poly(cc**2 - 1 + s**2, cc)).as_expr())
            if p.has(cc) or p.has(t) or any(m % 2 for (m,) in sp.Poly(p, s).monoms()):
                raise ClosedFormUnavailable("the minimal-dissipation heat integrand does not depend on time only "
                                            "through sin^2(Omega t/2); use the numeric solver")
            out.append(p.xreplace({s: sp.sqrt(y)}))
        return out[0] / out[1]
    ky, cy = in_y(k), in_y(c)
    f = sp.cancel(ky * sp.diff(cy, y))
    f = _tidy(f, relations) if relations else f
    rel = {R**2: R2 for R, R2 in relations}
    f = sp.apart(sp.cancel(sp.expand(f.xreplace(rel))), y)
    F = sp.integrate(f, y)
    Y = sp.sin(theta) ** 2
    out = sp.expand(F.xreplace({y: Y}) - F.xreplace({y: 0}))
    return _fold_relations(_pair_logs(out, rel, Y), relations)


def _pair_logs(e, rel, Y):
    """``c log A - c log B -> c log(A/B)`` (the bounds of a definite integral), the rest collected in ``Y``."""
    logs = sorted(e.atoms(sp.log), key=str)
    e = sp.collect(e, logs, evaluate=False)
    rest = e.pop(sp.S.One, sp.S.Zero)
    coeff = {L: sp.cancel(sp.expand(c).xreplace(rel)) for L, c in e.items()}
    out, used = [], set()
    for a in logs:
        for b in logs:
            if a in used or b in used or a == b or a not in coeff or b not in coeff:
                continue
            if sp.cancel(coeff[a] + coeff[b]) == 0:
                ratio = sp.factor(sp.cancel(a.args[0] / b.args[0]))
                out.append(sp.factor(coeff[a]) * sp.log(ratio))
                used |= {a, b}
    out += [sp.factor(coeff[L]) * L for L in logs if L in coeff and L not in used]
    rest = sp.collect(sp.expand(rest), Y, sp.factor)
    return rest + sp.Add(*out)
