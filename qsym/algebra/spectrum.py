"""Symbolic eigendecomposition that exploits structure.

The Hamiltonian is permuted into blocks (connected components of its non-zero
off-diagonal elements in the product basis -- for RWA Hamiltonians these are the
excitation-number sectors).  Blocks of size 1 are trivial; blocks of size 2 are solved in
closed form with a mixing angle,

    [[a, c], [c*, d]]:  tan(theta) = 2|c|/(a - d),  alpha = cos(theta/2),  beta = sin(theta/2),
    E_pm = (a + d)/2 +- sqrt(((a - d)/2)^2 + |c|^2),
    |upper> = alpha |b0> + (c*/|c|) beta |b1>,   |lower> = -beta |b0> + (c*/|c|) alpha |b1>,

which for Fogedby's coupled qubits (eq. 3.16) is eqs. 3.21-3.31.  Larger blocks are solved
when their characteristic polynomial factors into pieces of degree <= 2; otherwise
:class:`NumericOnlyError` is raised.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .operators import Operator, Space
from .symbols import DefinedSymbol

__all__ = ["Spectrum", "Level", "spectrum", "NumericOnlyError", "hamiltonian_blocks"]


class NumericOnlyError(RuntimeError):
    """A block of the Hamiltonian has no closed-form eigendecomposition."""


@dataclass(frozen=True)
class Level:
    """One eigenstate: 1-based ``index`` (the paper's label), ``energy``, ``vector`` in the
    product basis, and the excitation number of its block (None if not conserved)."""

    index: int
    energy: sp.Expr
    vector: sp.ImmutableMatrix
    excitations: int | None


@dataclass(frozen=True)
class Spectrum:
    """Eigen-decomposition ``H = sum_n E_n |n><n|`` with the mixing-angle symbols it introduced."""

    levels: tuple[Level, ...]
    space: Space
    mixing: tuple[tuple[DefinedSymbol, DefinedSymbol, DefinedSymbol], ...]  # (theta, alpha, beta)

    @property
    def energies(self) -> tuple[sp.Expr, ...]:
        return tuple(l.energy for l in self.levels)

    @property
    def dim(self) -> int:
        return len(self.levels)

    @property
    def unitary(self) -> sp.ImmutableMatrix:
        """Columns are the eigenvectors, in level order."""
        return sp.ImmutableMatrix.hstack(*(l.vector for l in self.levels))

    @property
    def identities(self) -> tuple[sp.Expr, ...]:
        """Relations ``alpha^2 + beta^2 - 1 = 0`` obeyed by the mixing symbols."""
        return tuple(a**2 + b**2 - 1 for _, a, b in self.mixing)

    def in_eigenbasis(self, op) -> sp.ImmutableMatrix:
        """Matrix elements ``<m|op|n>`` (Fogedby eqs. 5.19-5.20 for sigma^pm)."""
        M = op.matrix if isinstance(op, Operator) else sp.Matrix(op)
        U = self.unitary
        return sp.ImmutableMatrix((U.H * M * U).applyfunc(sp.expand))

    def bohr_frequency(self, m: int, n: int) -> sp.Expr:
        """``E_m - E_n`` for 1-based level labels."""
        return self.levels[m - 1].energy - self.levels[n - 1].energy

    def _repr_latex_(self):
        from ..latex import latex
        rows = [rf"E_{{{l.index}}} &= {latex(l.energy)}" for l in self.levels]
        for th, a, b in self.mixing:
            rows.append(rf"{latex(a)} &= {latex(a.definition)},\quad {latex(b)} = {latex(b.definition)},"
                        rf"\quad {latex(th)} = {latex(th.definition)}")
        return r"$\begin{aligned}" + r"\\ ".join(rows) + r"\end{aligned}$"


def _is_zero(x) -> bool:
    x = sp.expand(x)
    if x.is_zero:
        return True
    return sp.simplify(x) == 0


def hamiltonian_blocks(H: sp.Matrix) -> list[list[int]]:
    """Connected components of the graph of non-zero off-diagonal elements of ``H``."""
    n = H.shape[0]
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if not _is_zero(H[i, j]):
                parent[find(i)] = find(j)
    comps: dict[int, list[int]] = {}
    for i in range(n):
        comps.setdefault(find(i), []).append(i)
    return list(comps.values())


def _mixing_symbols(k: int | None, a, c, d):
    sfx = "" if k is None else f"_{k}"
    modc = sp.Abs(c) if not c.is_nonnegative else c
    theta = DefinedSymbol(f"theta{sfx}", sp.atan2(2 * modc, a - d), nonnegative=True)
    pos = {"positive": True} if modc.is_positive else {"nonnegative": True}
    alpha = DefinedSymbol(f"alpha{sfx}", sp.cos(theta / 2), **pos)
    beta = DefinedSymbol(f"beta{sfx}", sp.sin(theta / 2), **pos)
    return theta, alpha, beta, modc


def _solve_2x2(B: sp.Matrix, k):
    a, c, d = B[0, 0], B[0, 1], B[1, 1]
    theta, alpha, beta, modc = _mixing_symbols(k, a, c, d)
    R = sp.sqrt(sp.factor_terms(sp.expand((a - d) / 2)) ** 2 + modc**2)
    mean = sp.expand((a + d) / 2)
    phase = sp.S.One if c.is_nonnegative else sp.conjugate(c) / modc
    upper = sp.Matrix([alpha, phase * beta])
    lower = sp.Matrix([-beta, phase * alpha])
    return [(mean - R, lower), (mean + R, upper)], (theta, alpha, beta)


def _solve_general(B: sp.Matrix, where: str):
    lam = sp.Dummy("E")
    poly = sp.Poly((B - lam * sp.eye(B.shape[0])).det(method="berkowitz"), lam)
    _, factors = sp.factor_list(poly.as_expr(), lam)
    out = []
    for fac, mult in factors:
        deg = sp.degree(fac, lam)
        if deg == 0:
            continue
        if deg > 2:
            raise NumericOnlyError(
                f"{where}: its characteristic polynomial has an irreducible factor of degree {deg}; "
                f"a closed-form eigendecomposition would need Cardano/Ferrari roots. This block is "
                f"numeric-only: use qsym.numeric.NumericSolver, or add structure (a symmetry) "
                f"that splits it")
        for root in sp.roots(sp.Poly(fac, lam), multiple=True):
            out.append(sp.simplify(root))
    out = list(dict.fromkeys(out))
    pairs = []
    for E in out:
        vecs = (B - E * sp.eye(B.shape[0])).applyfunc(sp.simplify).nullspace(simplify=True)
        if not vecs:
            raise NumericOnlyError(f"{where}: SymPy could not find the eigenvector of E = {E}")
        ortho = sp.GramSchmidt([sp.Matrix(v) for v in vecs], orthonormal=True)
        pairs.extend((E, v.applyfunc(sp.simplify)) for v in ortho)
    return pairs


def spectrum(H) -> Spectrum:
    """Eigendecomposition of ``H`` (an :class:`Operator`) by blocks.

    Levels are ordered by excitation number (when the space defines one), then by energy
    within each 2x2 block (lower first).  For Fogedby's coupled qubits this gives
    ``|1> = |-->``, ``|2> = -beta|+-> + alpha|-+>``, ``|3> = alpha|+-> + beta|-+>``,
    ``|4> = |++>`` (eqs. 3.21-3.24).

    Raises:
        NumericOnlyError: a block whose characteristic polynomial does not factor.
    """
    M = sp.Matrix(H.matrix)
    blocks = hamiltonian_blocks(M)
    exc = H.space.excitation_numbers()
    n = M.shape[0]

    def block_key(b):
        e = {exc[i] for i in b}
        return (min(e), -max(b))

    blocks.sort(key=block_key)
    n2 = sum(1 for b in blocks if len(b) == 2)
    levels: list[tuple] = []
    mixing = []
    k2 = 0
    for b in blocks:
        e = {exc[i] for i in b}
        excitations = e.pop() if len(e) == 1 else None
        B = M.extract(b, b)
        if len(b) == 1:
            pairs = [(sp.expand(B[0, 0]), sp.Matrix([1]))]
        elif len(b) == 2:
            k2 += 1
            pairs, mix = _solve_2x2(B, None if n2 == 1 else k2)
            mixing.append(mix)
        else:
            pairs = _solve_general(B, f"block {[H.space.basis_labels()[i] for i in b]} of H")
        for E, v in pairs:
            full = sp.zeros(n, 1)
            for pos, i in enumerate(b):
                full[i] = v[pos]
            levels.append((E, sp.ImmutableMatrix(full), excitations))
    lv = tuple(Level(i + 1, E, v, x) for i, (E, v, x) in enumerate(levels))
    return Spectrum(lv, H.space, tuple(mixing))
