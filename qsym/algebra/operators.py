"""Operators on a tensor product of named sites: qubits, truncated bosonic modes and
fermionic modes (Jordan-Wigner).

Conventions:
    * qubit basis ordering ``(|+>, |->)`` (excited first), ``sigma^z = diag(1, -1)``,
      ``sigma^+ = |+><-|`` -- the Pauli basis of Fogedby (2023) and of QuTiP;
    * bosonic mode truncated to Fock states ``|0>, ..., |N-1>``;
    * fermionic mode ``(|1>, |0>)`` ordering is *not* used: ``|0>, |1>`` with ``c = |0><1|``
      and the Jordan-Wigner string ``prod_{j<k} (-1)^{n_j}`` over earlier fermionic sites;
    * sites are ordered as created; the first site is the leftmost tensor factor.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import sympy as sp

__all__ = [
    "Site", "Space", "Operator", "QubitSite", "BosonSite", "FermionSite",
    "qubits", "bosons", "fermions", "sites", "tensor", "dag",
]


@dataclass(frozen=True, slots=True)
class Site:
    """One tensor factor: a name, a kind (``qubit``, ``boson``, ``fermion``) and a dimension."""

    name: str
    kind: str
    dim: int


@dataclass(frozen=True, slots=True)
class Space:
    """The tensor product of named sites an operator acts on."""

    sites: tuple[Site, ...]

    @property
    def dim(self) -> int:
        return reduce(lambda a, b: a * b.dim, self.sites, 1)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sites)

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"site {name!r} is not in this space; its sites are {self.names}") from None

    def basis_labels(self) -> list[str]:
        """Product-basis labels, e.g. ``'+-'`` for qubit 1 up, qubit 2 down."""
        labels = [""]
        for s in self.sites:
            local = ["+", "-"] if s.kind == "qubit" else [str(k) for k in range(s.dim)]
            labels = [a + (b if s.kind == "qubit" else f"|{b}") for a in labels for b in local]
        return labels

    def excitation_numbers(self) -> list[int]:
        """Number of excitations of each product-basis state (qubit |+> counts 1, boson |k> counts k)."""
        nums = [0]
        for s in self.sites:
            local = [1, 0] if s.kind == "qubit" else list(range(s.dim))
            nums = [a + b for a in nums for b in local]
        return nums


def tensor(*mats: sp.Matrix) -> sp.Matrix:
    """Kronecker product of SymPy matrices, leftmost factor first."""
    return reduce(lambda a, b: sp.kronecker_product(a, b), mats)


class Operator:
    """A SymPy matrix together with the :class:`Space` it acts on.

    Supports ``+``, ``-``, ``*`` (scalar or operator product), ``@``, ``.dag()``; SymPy
    scalars multiply from the left (``omega/2 * q.sz``).
    """

    _op_priority = 20.0
    __slots__ = ("matrix", "space")

    def __init__(self, matrix, space: Space):
        m = sp.ImmutableMatrix(matrix)
        if m.shape != (space.dim, space.dim):
            raise ValueError(
                f"Argument `matrix` must be a square matrix of size {space.dim} for the space "
                f"{space.names}, but has shape {m.shape}.")
        object.__setattr__(self, "matrix", m)
        object.__setattr__(self, "space", space)

    def __setattr__(self, *_):
        raise AttributeError("Operator is immutable")

    def __reduce__(self):  # immutable with __slots__: rebuild through the constructor (disk cache)
        return (type(self), (self.matrix, self.space))

    # -- algebra ---------------------------------------------------------------------
    def _check_space(self, other: "Operator", what: str) -> None:
        if other.space != self.space:
            raise ValueError(
                f"cannot {what} operators on different spaces: {self.space.names} and "
                f"{other.space.names}; build all operators from one call of qs.qubits/qs.sites")

    def __add__(self, other):
        if isinstance(other, Operator):
            self._check_space(other, "add")
            return Operator(self.matrix + other.matrix, self.space)
        other = sp.sympify(other)
        if other == 0:
            return self
        return Operator(self.matrix + other * sp.eye(self.space.dim), self.space)

    __radd__ = __add__

    def __neg__(self):
        return Operator(-self.matrix, self.space)

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        if isinstance(other, Operator):
            self._check_space(other, "multiply")
            return Operator(self.matrix * other.matrix, self.space)
        return Operator(self.matrix * sp.sympify(other), self.space)

    def __rmul__(self, other):
        return Operator(sp.sympify(other) * self.matrix, self.space)

    __matmul__ = __mul__

    def __truediv__(self, other):
        return Operator(self.matrix / sp.sympify(other), self.space)

    def dag(self) -> "Operator":
        """Hermitian conjugate."""
        return Operator(self.matrix.H, self.space)

    def __eq__(self, other):
        return isinstance(other, Operator) and self.space == other.space and self.matrix == other.matrix

    def __hash__(self):
        return hash((self.matrix, self.space))

    @property
    def shape(self):
        return self.matrix.shape

    def is_hermitian(self) -> bool | None:
        """True/False when decidable, None when SymPy cannot decide."""
        diff = (self.matrix - self.matrix.H).applyfunc(sp.simplify)
        return diff.is_zero_matrix

    def free_symbols(self) -> set[sp.Symbol]:
        return self.matrix.free_symbols

    def _repr_latex_(self):
        from ..latex import latex
        return "$" + latex(self.matrix) + "$"

    def __repr__(self):
        return f"Operator({self.matrix.tolist()!r}, sites={self.space.names})"


def dag(op: Operator) -> Operator:
    """Hermitian conjugate of an operator."""
    return op.dag()


# ---- single-site matrices --------------------------------------------------------------
def _qubit_local():
    sz = sp.Matrix([[1, 0], [0, -1]])
    sp_ = sp.Matrix([[0, 1], [0, 0]])  # |+><-|
    sm = sp_.T
    sx = sp.Matrix([[0, 1], [1, 0]])
    sy = sp.Matrix([[0, -sp.I], [sp.I, 0]])
    return dict(sz=sz, sp=sp_, sm=sm, sx=sx, sy=sy, n=sp.Matrix([[1, 0], [0, 0]]))


def _boson_local(dim: int):
    a = sp.zeros(dim, dim)
    for k in range(1, dim):
        a[k - 1, k] = sp.sqrt(k)
    return dict(a=a, ad=a.T, n=sp.diag(*range(dim)))


def _fermion_local():
    c = sp.Matrix([[0, 1], [0, 0]])  # basis (|0>, |1>): c|1> = |0>
    return dict(c=c, cd=c.T, n=sp.Matrix([[0, 0], [0, 1]]), parity=sp.Matrix([[1, 0], [0, -1]]))


class _SiteHandle:
    """Operators of one site embedded in the full space."""

    def __init__(self, space: Space, index: int):
        self.space = space
        self.index = index
        self.site = space.sites[index]

    @property
    def name(self) -> str:
        return self.site.name

    def embed(self, local: sp.Matrix, string: sp.Matrix | None = None) -> Operator:
        """Embed a single-site matrix; ``string`` (if given) acts on every earlier site of the
        same kind (Jordan-Wigner)."""
        factors = []
        for j, s in enumerate(self.space.sites):
            if j == self.index:
                factors.append(local)
            elif j < self.index and string is not None and s.kind == self.site.kind:
                factors.append(string)
            else:
                factors.append(sp.eye(s.dim))
        return Operator(tensor(*factors), self.space)

    @property
    def identity(self) -> Operator:
        return Operator(sp.eye(self.space.dim), self.space)

    def __repr__(self):
        return f"<{self.site.kind} site {self.name!r} of {self.space.names}>"


class QubitSite(_SiteHandle):
    """A qubit: ``sz``, ``sp`` (sigma^+), ``sm`` (sigma^-), ``sx``, ``sy``, ``n = (1+sz)/2``."""

    def __getattr__(self, item):
        local = _qubit_local()
        if item in local:
            return self.embed(local[item])
        raise AttributeError(item)


class BosonSite(_SiteHandle):
    """A bosonic mode truncated to ``dim`` Fock states: ``a``, ``ad``, ``n``."""

    def __getattr__(self, item):
        local = _boson_local(self.site.dim)
        if item in local:
            return self.embed(local[item])
        raise AttributeError(item)


class FermionSite(_SiteHandle):
    """A fermionic mode with Jordan-Wigner strings: ``c``, ``cd``, ``n``.

    ``c_k = (prod_{j<k} (-1)^{n_j}) c_k^{local}`` so that ``{c_j, c_k^dag} = delta_jk``.
    """

    def __getattr__(self, item):
        local = _fermion_local()
        if item in ("c", "cd"):
            return self.embed(local[item], string=local["parity"])
        if item == "n":
            return self.embed(local["n"])
        raise AttributeError(item)


_HANDLES = {"qubit": QubitSite, "boson": BosonSite, "fermion": FermionSite}


def sites(*specs: Site) -> tuple[_SiteHandle, ...]:
    """Build a space from :class:`Site` specs and return one handle per site."""
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"site names must be unique, got {names}")
    for s in specs:
        if s.kind not in _HANDLES:
            raise ValueError(f"site kind must be one of {sorted(_HANDLES)}, got {s.kind!r}")
        if s.dim < 2:
            raise ValueError(f"site {s.name!r} must have dimension >= 2, got {s.dim}")
    space = Space(tuple(specs))
    return tuple(_HANDLES[s.kind](space, i) for i, s in enumerate(specs))


def qubits(n: int, names=None) -> tuple[QubitSite, ...]:
    """``n`` qubits named ``'1'..'n'`` (or ``names``) in one tensor-product space.

    Examples:
        >>> q1, q2 = qubits(2)
        >>> (q1.sp * q2.sm).matrix.shape
        (4, 4)
    """
    names = names or [str(k + 1) for k in range(n)]
    return sites(*(Site(str(nm), "qubit", 2) for nm in names))


def bosons(n: int, dim: int, names=None) -> tuple[BosonSite, ...]:
    """``n`` bosonic modes truncated to ``dim`` Fock states."""
    names = names or [f"a{k + 1}" for k in range(n)]
    return sites(*(Site(str(nm), "boson", dim) for nm in names))


def fermions(n: int, names=None) -> tuple[FermionSite, ...]:
    """``n`` fermionic modes (Jordan-Wigner ordered as listed)."""
    names = names or [f"c{k + 1}" for k in range(n)]
    return sites(*(Site(str(nm), "fermion", 2) for nm in names))
