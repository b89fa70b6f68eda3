"""Collision (repeated-interaction) models with structured ancillas.

A system ``S`` meets a fresh ancilla ``E`` in the state ``eta`` at every step; for a time
``dt`` they evolve with ``H = H_S + H_E + H_SE`` and the ancilla is discarded
(Cusumano & De Chiara, eqs. 13-16; Ciccarello et al., Phys. Rep. 954, 1 (2022)):

    Phi(rho) = Tr_E[U (rho (x) eta) U^dag],     U = exp(-i dt H).

Expanding ``U`` in ``dt`` (eq. 15) gives the map order by order,

    Phi_n(rho) = sum_{k + l = n} (-i)^k i^l / (k! l!) Tr_E[H^k (rho (x) eta) H^l],

and writing ``H = sum_m S_m (x) E_m`` with the pairs ``(H_S, 1)``, ``(1, H_E)`` and the
interaction's ``(A_j, B_j)``, the partial trace only needs the ancilla's correlations
``<W>_eta = Tr[W eta]`` of words ``W`` in ``{H_E, B_j}``:

    Tr_E[S_m1..S_mk E... (rho (x) eta) ...] = S_m1..S_mk rho S_n1..S_nl <E_n1..E_nl E_m1..E_mk>.

To second order this is the discrete master equation (eqs. 21-27)

    rho' = rho - i dt [H_S + sum_j <B_j> A_j, rho]
           + dt^2/2 sum_{m,n} <E_n E_m> D'[S_m, S_n](rho),   D'[X, Y]rho = 2 X rho Y - {Y X, rho},

with the first-order correlations ``<B_j>`` (non-zero when ``eta`` has coherence in the
eigenbasis of the operators ``B_j``, e.g. a thermal state of an *interacting* ancilla), the
second-order ones ``<B_k B_j>`` and the mixed ones ``<H_E B_j>``, ``<B_j H_E>`` of eq. 27.

Everything is derived symbolically with named placeholders for the correlations (so that the
fixed point, a linear solve of ``rho = Phi(rho)``, stays small) and their closed forms from
the ancilla's spectrum (mixing angles for 2x2 blocks, :func:`qsym.algebra.spectrum.spectrum`).
The independent numeric side is :mod:`qsym.numeric.collision`.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from math import factorial

import sympy as sp

from ..algebra.operators import Operator, Space
from ..algebra.spectrum import spectrum as _spectrum
from ..algebra.symbols import expand_definitions

__all__ = ["CollisionModel", "collision_model", "CollisionMap", "Correlation", "CollisionError",
           "l1_coherence", "partial_trace"]


class CollisionError(ValueError):
    """Bad input to a collision model (or a question it has no unique answer to)."""

    def __init__(self, message, *, fixed_point_space=None):
        super().__init__(message)
        self.fixed_point_space = fixed_point_space  # basis of the invariant matrices, when not unique


# ---- tensor helpers --------------------------------------------------------------------------
def _permutation(space: Space, system: tuple[str, ...]) -> list[int]:
    """Basis indices of ``space`` reordered so that the system's sites come first."""
    order = [space.index(n) for n in system] + [i for i, s in enumerate(space.sites) if s.name not in system]
    dims = [s.dim for s in space.sites]
    perm = []
    for new in itertools.product(*[range(dims[i]) for i in order]):
        old = [0] * len(dims)
        for pos, i in enumerate(order):
            old[i] = new[pos]
        idx = 0
        for i, d in enumerate(dims):
            idx = idx * d + old[i]
        perm.append(idx)
    return perm


def partial_trace(M: sp.Matrix, dS: int, dE: int, keep: str = "S") -> sp.Matrix:
    """``Tr_E`` (``keep="S"``) or ``Tr_S`` (``keep="E"``) of a matrix on ``S (x) E`` (S first)."""
    if keep == "S":
        return sp.Matrix(dS, dS, lambda a, b: sum(M[a * dE + k, b * dE + k] for k in range(dE)))
    return sp.Matrix(dE, dE, lambda a, b: sum(M[k * dE + a, k * dE + b] for k in range(dS)))


def l1_coherence(rho) -> sp.Expr:
    """``C_l1(rho) = sum_{i != j} |rho_ij|`` (Baumgratz et al.; Cusumano eq. 57)."""
    rho = sp.Matrix(rho)
    return sum(sp.Abs(rho[i, j]) for i in range(rho.rows) for j in range(rho.cols) if i != j)


# ---- correlations -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Correlation:
    """``<W>_eta = Tr[W eta]`` for a word ``W`` of ancilla operators (labels in ``word``)."""

    word: tuple[str, ...]
    symbol: sp.Symbol
    value: sp.Expr

    def _repr_latex_(self):
        return f"${sp.latex(self.symbol)} = {sp.latex(self.value)}$"


def _word_latex(labels: tuple[str, ...]) -> str:
    return r"\langle " + " ".join(labels) + r"\rangle"


class CorrelationSymbol(sp.Symbol):
    """A placeholder for a correlation ``<W>_eta``; its name is its LaTeX (SymPy would split
    ``_`` and ``^`` of a plain symbol's name)."""

    def _latex(self, printer, exp=None):
        return rf"{self.name}^{{{exp}}}" if exp else self.name


# ---- the model -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CollisionModel:
    """System ``S`` + ancilla ``E`` with ``H_S``, ``H_E``, ``H_SE = sum_j A_j (x) B_j``, the
    ancilla state ``eta`` and the collision time ``dt``.  Build with :func:`collision_model`.

    Matrices are stored with the system's tensor factors first: ``h_S`` (``d_S x d_S``),
    ``h_E`` (``d_E x d_E``), ``pairs`` ``[(A_j, B_j, label_j)]`` and ``eta``.
    """

    h_S: sp.ImmutableMatrix
    h_E: sp.ImmutableMatrix
    pairs: tuple
    eta: sp.ImmutableMatrix
    dt: sp.Expr
    beta: sp.Expr | None
    system_space: Space
    ancilla_space: Space
    assumptions: tuple = ()
    domain: tuple = ()
    name: str = "collision model"
    ancilla_spectrum: object = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    # OpenSystem-like interface used by sampling/verification
    baths: tuple = ()

    @property
    def dS(self) -> int:
        return self.h_S.rows

    @property
    def dE(self) -> int:
        return self.h_E.rows

    @property
    def h_SE(self) -> sp.Matrix:
        return sum((sp.kronecker_product(A, B) for A, B, _ in self.pairs), sp.zeros(self.dS * self.dE))

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        syms = set(self.h_S.free_symbols) | set(self.h_E.free_symbols) | set(self.dt.free_symbols)
        for A, B, _ in self.pairs:
            syms |= A.free_symbols | B.free_symbols
        syms |= expand_definitions(sp.Matrix(self.eta)).free_symbols
        if self.beta is not None:
            syms |= sp.sympify(self.beta).free_symbols
        syms |= {s for s, _ in self.domain}  # e.g. the Bloch vector of a state the results depend on
        return tuple(sorted(syms, key=str))

    # ---- correlations -------------------------------------------------------------------------
    def _terms(self):
        """``[(S_m, E_m, label)]``: ``(H_S, 1)``, ``(1, H_E)`` and the interaction pairs."""
        out = [(sp.Matrix(self.h_S), None, "1"), (sp.eye(self.dS), sp.Matrix(self.h_E), "H_E")]
        out += [(sp.Matrix(A), sp.Matrix(B), lab) for A, B, lab in self.pairs]
        return out

    def correlation_value(self, ops: list) -> sp.Expr:
        """``Tr[E_1 ... E_k eta]`` in closed form (``None`` entries are identities); for a
        thermal ancilla ``sum_k e^{-beta E'_k} <E'_k|W|E'_k> / Z`` with ``Z`` a named symbol."""
        W = sp.eye(self.dE)
        for E in ops:
            if E is not None:
                W = W * E
        key = ("corr", sp.ImmutableMatrix(W))
        if key not in self._cache:
            spec = self.ancilla_spectrum
            if spec is not None and self.beta is not None:
                val = sum(sp.exp(-self.beta * lv.energy) * _simplify_scalar((lv.vector.H * W * lv.vector)[0, 0])
                          for lv in spec.levels) / self.partition_function
            else:
                val = _simplify_scalar((W * self.eta).trace())
            self._cache[key] = val
        return self._cache[key]

    @property
    def partition_function(self):
        """``Z = sum_k e^{-beta E'_k}`` of the ancilla, a named symbol with its definition."""
        from ..algebra.symbols import DefinedSymbol
        spec = self.ancilla_spectrum
        return DefinedSymbol("Z", sum(sp.exp(-self.beta * lv.energy) for lv in spec.levels), positive=True)

    def correlations(self, order: int = 2) -> list[Correlation]:
        """Every non-vanishing correlation ``<E_n1..E_nl E_m1..E_mk>`` with ``k + l <= order``
        that enters the expanded map (identities dropped; words of ``H_E`` alone commute with
        ``eta`` and cancel in the map, but enter the ancilla's energy)."""
        return list(self._correlation_table(order).values())

    def _correlation_table(self, order: int) -> dict:
        key = ("table", order)
        if key in self._cache:
            return self._cache[key]
        terms = self._terms()
        table: dict = {}
        for n in range(1, order + 1):
            for word in itertools.product(range(len(terms)), repeat=n):
                labels = tuple(terms[i][2] for i in word if terms[i][1] is not None)
                if labels and labels not in table:
                    table[labels] = self.correlation(labels, [terms[i][1] for i in word])
        self._cache[key] = table
        return table

    def correlation(self, labels: tuple, ops: list) -> Correlation:
        """The named correlation ``<ops>`` (labels as printed), cached."""
        table = self._cache.setdefault(("extra",), {})
        if labels not in table:
            val = self.correlation_value(ops)
            table[labels] = (Correlation(labels, sp.S.Zero, sp.S.Zero) if _is_zero(val)
                             else Correlation(labels, CorrelationSymbol(_word_latex(labels)), val))
        return table[labels]

    # ---- thermodynamics of one collision (Cusumano sec. IV, eqs. 59-66) --------------------------
    def expectation_change(self, X_S, X_E, rho, order: int = 2, *, explicit: bool = True) -> sp.Expr:
        """``Tr[(X_S (x) X_E)(U R U^dag - R)]`` for ``R = rho (x) eta`` to ``O(dt^order)``
        (``None`` for an identity factor).  Each term is
        ``(-i)^k i^l/(k! l!) dt^(k+l) Tr[X_S L rho R] <E_R X_E E_L>``."""
        terms = self._terms()
        d = self.dS
        rho = sp.Matrix(rho)
        XS = sp.eye(d) if X_S is None else sp.Matrix(X_S)
        xe = [] if X_E is None else [X_E]
        xe_label = () if X_E is None else (X_E[1],)
        total = sp.S.Zero
        used = {}
        for n in range(1, order + 1):
            for k in range(n + 1):
                l = n - k
                pref = (-sp.I) ** k * sp.I ** l / (factorial(k) * factorial(l)) * self.dt**n
                for left in itertools.product(range(len(terms)), repeat=k):
                    L = sp.eye(d)
                    for i in left:
                        L = L * terms[i][0]
                    for right in itertools.product(range(len(terms)), repeat=l):
                        ops = [terms[i][1] for i in right] + [x[0] for x in xe] + [terms[i][1] for i in left]
                        labels = tuple(terms[i][2] for i in right if terms[i][1] is not None) + xe_label + \
                            tuple(terms[i][2] for i in left if terms[i][1] is not None)
                        if labels:
                            c = self.correlation(labels, ops)
                            if c.symbol == 0:
                                continue
                            used[c.symbol] = c.value
                            cval = c.symbol
                        else:
                            cval = sp.S.One
                        R = sp.eye(d)
                        for i in right:
                            R = R * terms[i][0]
                        total += pref * cval * (XS * L * rho * R).trace()
        total = sp.expand(total)
        return total.xreplace(used) if explicit else total

    def energy_change(self, rho, order: int = 2, *, explicit: bool = True) -> sp.Expr:
        """``Delta U = Tr[H_S (rho' - rho)]`` to ``O(dt^order)`` (eqs. 60-61)."""
        return self.expectation_change(self.h_S, None, rho, order, explicit=explicit)

    def heat(self, rho, order: int = 2, *, explicit: bool = True) -> sp.Expr:
        """``delta Q = -Tr[H_E (eta' - eta)]`` to ``O(dt^order)`` (eqs. 62-63), positive into S."""
        return -self.expectation_change(None, (sp.Matrix(self.h_E), "H_E"), rho, order, explicit=explicit)

    def switching_work(self, rho, order: int = 2, *, explicit: bool = True) -> sp.Expr:
        """``W_sw = Tr[H_SE (R - U R U^dag)]`` to ``O(dt^order)`` (eqs. 65-66)."""
        return -sum((self.expectation_change(A, (sp.Matrix(B), lab), rho, order, explicit=explicit)
                     for A, B, lab in self.pairs), sp.S.Zero)

    def _repr_latex_(self):
        pieces = [rf"H_S = {sp.latex(self.h_S)}", rf"H_E = {sp.latex(self.h_E)}"]
        pieces.append(r"H_{SE} = " + " + ".join(rf"{sp.latex(A)} \otimes {lab}" for A, _, lab in self.pairs))
        pieces.append(rf"\delta t = {sp.latex(self.dt)}")
        return r"$\begin{gathered}" + r" \\ ".join(pieces) + r"\end{gathered}$"

    # ---- maps -----------------------------------------------------------------------------------
    def expanded_map(self, order: int = 2) -> "CollisionMap":
        """The collision map to ``O(dt^order)`` (eqs. 17-24), with named correlations."""
        if not isinstance(order, int) or order < 0:
            raise CollisionError(f"argument `order` of expanded_map must be a non-negative integer, got {order!r}")
        key = ("map", order)
        if key not in self._cache:
            self._cache[key] = _expand(self, order)
        return self._cache[key]

    def exact_map(self) -> sp.Matrix:
        """The exact collision superoperator (column stacking) in closed form, when every block
        of ``H`` (connected by its non-zero elements) has size <= 2; otherwise an error that
        points to the expanded map and the numeric map."""
        H = sp.kronecker_product(self.h_S, sp.eye(self.dE)) + sp.kronecker_product(sp.eye(self.dS), self.h_E) + self.h_SE
        from ..algebra.spectrum import hamiltonian_blocks
        blocks = hamiltonian_blocks(sp.Matrix(H))
        big = [b for b in blocks if len(b) > 2]
        if big:
            raise CollisionError(
                f"the exact collision map needs exp(-i dt H) in closed form, but H has a coupled block of "
                f"size {len(big[0])}; use expanded_map(order) (series in dt) or the numeric map "
                f"(qsym.numeric.collision.CollisionSolver)")
        U = sp.zeros(H.rows)
        for b in blocks:
            Ub = (-sp.I * self.dt * H.extract(b, b)).exp()
            for i, bi in enumerate(b):
                for j, bj in enumerate(b):
                    U[bi, bj] = Ub[i, j]
        return _superoperator(lambda r: partial_trace(U * sp.kronecker_product(r, self.eta) * U.H, self.dS, self.dE),
                              self.dS).applyfunc(sp.simplify)


def _is_zero(v) -> bool:
    from ..series import is_zero
    return is_zero(v)


def _simplify_scalar(v):
    v = sp.expand(v)
    if sp.count_ops(v) < 300:
        s = sp.simplify(v)
        if sp.count_ops(s) <= sp.count_ops(v):
            return s
    return v


def _superoperator(f, d: int) -> sp.Matrix:
    """Matrix of the linear map ``f`` on ``d x d`` matrices (column stacking)."""
    S = sp.zeros(d * d)
    for b in range(d):
        for a in range(d):
            E = sp.zeros(d)
            E[a, b] = 1
            out = f(E)
            col = b * d + a
            for j in range(d):
                for i in range(d):
                    S[j * d + i, col] = out[i, j]
    return S


def _unvec(v, d: int) -> sp.Matrix:
    return sp.Matrix(d, d, lambda i, j: v[j * d + i])


# ---- expansion --------------------------------------------------------------------------------
@dataclass(frozen=True)
class CollisionMap:
    """``Phi = sum_n dt^n Phi_n`` to ``order``: superoperator matrices (column stacking) in
    terms of the correlation placeholders, their closed forms, and the Lindblad-like form."""

    model: CollisionModel
    order: int
    orders: tuple  # Phi_n matrices (without dt^n), placeholders inside
    correlations: tuple  # Correlation entries used
    effective_hamiltonian: sp.ImmutableMatrix  # H_S + sum_j <B_j> A_j (placeholders)
    dissipator_terms: tuple  # ((coefficient, X, Y), ...) of dt^2/2 sum c D'[X, Y]

    kind = "collision"

    @property
    def values(self) -> dict:
        """Placeholder -> closed form of every correlation used."""
        return {c.symbol: c.value for c in self.correlations if c.symbol != 0}

    @property
    def superoperator(self) -> sp.Matrix:
        dt = self.model.dt
        return sum((dt**n * M for n, M in enumerate(self.orders)), sp.zeros(self.model.dS**2))

    def explicit(self, M):
        """Substitute the correlations' closed forms into ``M`` (expression or matrix)."""
        return M.xreplace(self.values) if hasattr(M, "xreplace") else sp.sympify(M).xreplace(self.values)

    def apply(self, rho) -> sp.Matrix:
        """``Phi(rho)`` to the map's order (placeholders kept)."""
        d = self.model.dS
        rho = sp.Matrix(rho)
        v = self.superoperator * sp.Matrix([rho[i, j] for j in range(d) for i in range(d)])
        return _unvec(v, d).applyfunc(sp.expand)

    def fixed_point(self, explicit: bool = False) -> sp.Matrix:
        """``rho = Phi(rho)``, ``Tr rho = 1`` solved symbolically (with the correlations as
        placeholders unless ``explicit``).  The O(dt^0) identity is removed first: ``(Phi - 1)/dt``
        is solved, so the fixed point is that of the truncated discrete equation."""
        key = ("fixed", self.order)
        cache = self.model._cache
        if key not in cache:
            d = self.model.dS
            dt = self.model.dt
            G = sum((dt ** (n - 1) * M for n, M in enumerate(self.orders) if n >= 1), sp.zeros(d * d))
            # structure first: matrix elements that the generator never connects to the
            # populations relax to zero (their block must be non-singular), so only the sector
            # holding the populations is solved
            sector = _population_sector(G, d)
            Gs = G.extract(sector, sector)
            n = len(sector)
            # trace preservation makes the population rows dependent: replace the first by the
            # normalisation Tr rho = 1 and solve the square system by Cramer's rule, numerator
            # and denominator polynomials in the placeholders (cancelling is the slow path)
            A = sp.Matrix(Gs)
            diag = [k for k, idx in enumerate(sector) if idx % (d + 1) == 0]
            for col in range(n):
                A[diag[0], col] = 1 if col in diag else 0
            rhs = sp.zeros(n, 1)
            rhs[diag[0]] = 1
            den = _tidy_poly(A.det(method="berkowitz"))
            rest = [i for i in range(d * d) if i not in sector]
            if den == 0 or _is_zero(den) or (rest and _is_zero(G.extract(rest, rest).det(method="berkowitz"))):
                space = [_unvec(v, d) for v in G.xreplace(self.values).nullspace(simplify=True)]
                raise CollisionError(f"the fixed point of the collision map is not unique: rho = Phi(rho) has a "
                                     f"{len(space)}-dimensional solution space (attached as "
                                     f"`fixed_point_space`); give the initial state and iterate instead",
                                     fixed_point_space=space)
            nums = [sp.S.Zero] * (d * d)
            for k, i in enumerate(sector):
                Ai = sp.Matrix(A)
                Ai[:, k] = rhs
                nums[i] = _tidy_poly(Ai.det(method="berkowitz"))
            nums = _unvec(nums, d)
            cache[("fixed-parts", self.order)] = (nums, den)
            cache[key] = nums.applyfunc(lambda v: _ratio(v, den))
        rho = cache[key]
        return rho.xreplace(self.values) if explicit else rho

    def fixed_point_parts(self) -> tuple[sp.Matrix, sp.Expr]:
        """``(N, D)`` with fixed point ``N / D`` (Cramer's rule; placeholders kept): linear
        functionals of the fixed point vanish iff they vanish on the polynomial matrix ``N``."""
        self.fixed_point()
        return self.model._cache[("fixed-parts", self.order)]

    def lindblad_form_latex(self) -> str:
        """``rho' = rho - i dt [H_eff, rho] + dt^2/2 sum c D'[X, Y] rho`` in LaTeX."""
        if self.order < 2:
            return rf"\rho' = \rho - i\delta t[{sp.latex(self.effective_hamiltonian)}, \rho]"
        terms = " + ".join(rf"{sp.latex(c)}\,\mathcal{{D}}'[{sp.latex(X)}, {sp.latex(Y)}]"
                           for c, X, Y in self.dissipator_terms)
        return (rf"\rho' = \rho - i\,\delta t\,[{sp.latex(self.effective_hamiltonian)}, \rho] + "
                rf"\frac{{\delta t^2}}{{2}}\Big({terms}\Big)(\rho)")

    def derivation_steps(self) -> tuple:
        """The collision model (system, ancilla, interaction, fresh ancilla state each
        collision), then the map expanded in ``dt`` to this map's order (eqs. 15, 21-27)."""
        from ..latex import latex
        from ..steps import Step, assumption_texts, positivity_text
        m = self.model
        pairs = r",\ ".join(rf"{latex(A)}\otimes {label}" for A, B, label in m.pairs)
        model = Step("model", f"Collision model: {m.name}",
                     rf"H_S = {latex(m.h_S)},\quad H_E = {latex(m.h_E)},\quad H_{{SE}} = \sum_j A_j\otimes B_j:\ {pairs}",
                     (), assumption_texts(m.assumptions) + (
                         "each collision with a fresh ancilla in $\\eta$" + (
                             rf" $= e^{{-\beta H_E}}/Z$, $\beta = {latex(m.beta)}$" if m.beta is not None else ""),
                         "initial state $\\rho\\otimes\\eta$ (no system-ancilla correlations)",
                         positivity_text(m.h_S.free_symbols | m.h_E.free_symbols | {m.dt}))
                     )
        expansion = Step("dynamics", f"Collision map expanded in the collision time to order dt^{self.order}",
                         self.lindblad_form_latex(), ("truncation",),
                         (rf"$\delta t = {latex(m.dt)}$ small: $\|H\|\,\delta t \ll 1$",))
        return (model, expansion)

    def _repr_latex_(self):
        corr = r" \\ ".join(rf"{sp.latex(c.symbol)} = {sp.latex(c.value)}" for c in self.correlations if c.symbol != 0)
        return r"$\begin{gathered}" + self.lindblad_form_latex() + (r" \\ " + corr if corr else "") + r"\end{gathered}$"

    def numeric_solver(self):
        from ..numeric.collision import CollisionSolver
        return CollisionSolver(self.model, order=self.order)


def _expand(model: CollisionModel, order: int) -> CollisionMap:
    terms = model._terms()
    table = model._correlation_table(order)
    d = model.dS
    used: dict = {}

    def coeff(word_ops):  # word of indices into terms: E_n... E_m...
        labels = tuple(terms[i][2] for i in word_ops if terms[i][1] is not None)
        if not labels:
            return sp.S.One
        c = table[labels]
        if c.symbol != 0:
            used[labels] = c
        return c.symbol

    rho_syms = [[sp.Symbol(f"r_{i}{j}") for j in range(d)] for i in range(d)]
    rho = sp.Matrix(rho_syms)
    orders = [sp.eye(d * d)]
    for n in range(1, order + 1):
        out = sp.zeros(d)
        for k in range(n + 1):
            l = n - k
            pref = (-sp.I) ** k * sp.I ** l / (factorial(k) * factorial(l))
            for left in itertools.product(range(len(terms)), repeat=k):
                L = sp.eye(d)
                for i in left:
                    L = L * terms[i][0]
                for right in itertools.product(range(len(terms)), repeat=l):
                    c = coeff(tuple(right) + tuple(left))
                    if c == 0:
                        continue
                    R = sp.eye(d)
                    for i in right:
                        R = R * terms[i][0]
                    out += pref * c * L * rho * R
        out = out.applyfunc(sp.expand)
        M = sp.zeros(d * d)
        flat = [rho_syms[i][j] for j in range(d) for i in range(d)]
        for j in range(d):
            for i in range(d):
                row = j * d + i
                for col, s in enumerate(flat):
                    M[row, col] = out[i, j].coeff(s)
        orders.append(M)
    # Lindblad-like presentation (first and second order)
    Heff = sp.Matrix(model.h_S)
    for A, B, lab in model.pairs:
        c = table.get((lab,))
        if c is not None and c.symbol != 0:
            Heff += c.symbol * sp.Matrix(A)
    diss = []
    if order >= 2:
        for m, n in itertools.product(range(len(terms)), repeat=2):
            c = coeff((n, m))
            X, Y = terms[m][0], terms[n][0]
            if c == 0 or (X == sp.eye(d) and Y == sp.eye(d)):
                continue
            diss.append((c, sp.ImmutableMatrix(X), sp.ImmutableMatrix(Y)))
    return CollisionMap(model, order, tuple(sp.ImmutableMatrix(M) for M in orders), tuple(used.values()),
                        sp.ImmutableMatrix(Heff), tuple(diss))


# ---- construction ----------------------------------------------------------------------------------
def _check_hermitian(M: sp.Matrix, what: str) -> None:
    D = (M - M.H).applyfunc(lambda e: sp.simplify(expand_definitions(e)))
    if not D.is_zero_matrix:
        raise CollisionError(f"Argument `{what}` must be Hermitian, but {what} - {what}^dag = {D.tolist()} "
                             f"is not zero; add the Hermitian conjugate terms")


def _local_part(M: sp.Matrix, dS: int, dE: int, keep: str, what: str) -> sp.Matrix:
    """``m`` with ``M = m (x) 1`` (keep S) or ``1 (x) m`` (keep E); an error otherwise."""
    if keep == "S":
        m = partial_trace(M, dS, dE, "S") / dE
        back = sp.kronecker_product(m, sp.eye(dE))
    else:
        m = partial_trace(M, dS, dE, "E") / dS
        back = sp.kronecker_product(sp.eye(dS), m)
    if not (M - back).applyfunc(sp.expand).is_zero_matrix:
        where = "the ancilla" if keep == "S" else "the system"
        raise CollisionError(f"Argument `{what}` must act on {'the system' if keep == 'S' else 'the ancilla'} "
                             f"sites only, but it also acts on {where}'s sites; move those terms to H_SE")
    return m.applyfunc(sp.expand)


def _operator_decomposition(M: sp.Matrix, dS: int, dE: int):
    """``M = sum_{ab} |a><b| (x) B_ab`` with ``B_ab = <a|M|b>`` (non-zero blocks only)."""
    out = []
    for a in range(dS):
        for b in range(dS):
            B = M.extract(list(range(a * dE, (a + 1) * dE)), list(range(b * dE, (b + 1) * dE)))
            if not B.applyfunc(sp.expand).is_zero_matrix:
                A = sp.zeros(dS)
                A[a, b] = 1
                out.append((sp.ImmutableMatrix(A), sp.ImmutableMatrix(B), f"B_{{{a + 1}{b + 1}}}"))
    return out


def collision_model(H_S: Operator, H_E: Operator, H_SE, *, system, dt, beta=None, temperature=None, eta=None,
                    assumptions=(), domain=(), name: str = "collision model",
                    mixing_names=("vartheta", "c", "s")) -> CollisionModel:
    """Build a :class:`CollisionModel` from operators on one joint space.

    Args:
        H_S, H_E: Hermitian operators acting only on the system / ancilla sites.
        H_SE: the interaction, an Operator (decomposed as ``sum_ab |a><b| (x) <a|H_SE|b>``) or a
            list of ``(A, B, label)`` / ``(A, B)`` pairs of Operators (``A`` on the system sites,
            ``B`` on the ancilla sites) whose sum is Hermitian -- the paper's ``A_S^{(k,j)} (x) B^{(j)}``.
        system: names of the system's sites (the others are the ancilla's).
        dt: the collision time (positive).
        beta / temperature: the ancilla is thermal, ``eta = e^{-beta H_E}/Z`` of the *full*
            ``H_E`` (so it may have coherence in the bare basis); or give ``eta`` (a matrix on the
            ancilla, trace 1).
        mixing_names: names of the ancilla's mixing-angle symbols (angle, cos, sin).
    """
    for arg, op in (("H_S", H_S), ("H_E", H_E)):
        if not isinstance(op, Operator):
            raise CollisionError(f"Argument `{arg}` must be a qsym Operator, got {type(op).__name__}")
    space = H_S.space
    if H_E.space != space:
        raise CollisionError(f"Arguments `H_S` and `H_E` must act on one joint space (build all sites with one "
                             f"qs.qubits/qs.sites call); got {space.names} and {H_E.space.names}")
    system = (system,) if isinstance(system, str) else tuple(system)
    for s in system:
        if s not in space.names:
            raise CollisionError(f"Argument `system` names site {s!r}, which is not in the space {space.names}")
    if len(system) == len(space.names):
        raise CollisionError("Argument `system` lists every site; the ancilla needs at least one site")
    dt = sp.sympify(dt)
    if dt.is_positive is False or dt.is_zero or (dt.is_number and not dt > 0):
        raise CollisionError(f"Argument `dt` (collision time) must be positive, got {dt}")
    given = [n for n, v in (("beta", beta), ("temperature", temperature), ("eta", eta)) if v is not None]
    if len(given) != 1:
        raise CollisionError(f"give the ancilla state once: `beta` or `temperature` (thermal state of H_E) or "
                             f"`eta`; got {given or 'none of them'}")
    if temperature is not None:
        temperature = sp.sympify(temperature)
        if temperature.is_positive is False or (temperature.is_number and not temperature > 0):
            raise CollisionError(f"Argument `temperature` must be positive, got {temperature}")
        beta = 1 / temperature
    if beta is not None:
        beta = sp.sympify(beta)
        if beta.is_positive is False or (beta.is_number and not beta > 0):
            raise CollisionError(f"Argument `beta` (inverse temperature) must be positive, got {beta}")
    perm = _permutation(space, system)
    sys_sites = tuple(space.sites[space.index(n)] for n in system)
    anc_sites = tuple(s for s in space.sites if s.name not in system)
    S_space, E_space = Space(sys_sites), Space(anc_sites)
    dS, dE = S_space.dim, E_space.dim

    def ordered(op: Operator, what: str) -> sp.Matrix:
        if not isinstance(op, Operator):
            raise CollisionError(f"Argument `{what}` must be a qsym Operator, got {type(op).__name__}")
        if op.space != space:
            raise CollisionError(f"Argument `{what}` acts on the space {op.space.names}, expected {space.names}")
        M = sp.Matrix(op.matrix)
        return M.extract(perm, perm)

    HS = ordered(H_S, "H_S")
    HE = ordered(H_E, "H_E")
    _check_hermitian(HS, "H_S")
    _check_hermitian(HE, "H_E")
    hS = _local_part(HS, dS, dE, "S", "H_S")
    hE = _local_part(HE, dS, dE, "E", "H_E")
    if isinstance(H_SE, Operator):
        M = ordered(H_SE, "H_SE")
        _check_hermitian(M, "H_SE")
        pairs = _operator_decomposition(M, dS, dE)
    else:
        pairs, total = [], sp.zeros(dS * dE)
        for j, item in enumerate(H_SE):
            A, B = item[0], item[1]
            label = item[2] if len(item) > 2 else f"B_{{{j + 1}}}"
            a = _local_part(ordered(A, f"H_SE[{j}][0]"), dS, dE, "S", f"H_SE[{j}][0]")
            b = _local_part(ordered(B, f"H_SE[{j}][1]"), dS, dE, "E", f"H_SE[{j}][1]")
            pairs.append((sp.ImmutableMatrix(a), sp.ImmutableMatrix(b), label))
            total += sp.kronecker_product(a, b)
        _check_hermitian(total, "H_SE")
        labels = [p[2] for p in pairs]
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            raise CollisionError(f"Argument `H_SE`: the labels of the ancilla operators must be distinct (they "
                                 f"name the correlations), got {dup} more than once")
    spec = None
    if eta is None:
        E_op = Operator(hE, E_space)
        spec = _spectrum(E_op)
        spec = _rename_mixing(spec, mixing_names)
        weights = [sp.exp(-beta * lv.energy) for lv in spec.levels]
        Z = sum(weights)
        eta_m = sum((w * lv.vector * lv.vector.H for w, lv in zip(weights, spec.levels)), sp.zeros(dE)) / Z
    else:
        eta_m = sp.Matrix(eta.matrix if isinstance(eta, Operator) else eta)
        if eta_m.shape != (dE, dE):
            raise CollisionError(f"Argument `eta` must be a {dE}x{dE} matrix on the ancilla, got shape {eta_m.shape}")
        tr = sp.simplify(expand_definitions(eta_m.trace()))
        if tr != 1:
            raise CollisionError(f"Argument `eta` must have trace 1, got {tr}")
        _check_hermitian(eta_m, "eta")
        if not expand_definitions(eta_m).free_symbols:
            ev = [complex(v) for v in sp.Matrix(eta_m).evalf().eigenvals(multiple=True)]
            if min(v.real for v in ev) < -1e-12:
                raise CollisionError(f"Argument `eta` must be positive semidefinite (a state), but has eigenvalue "
                                     f"{min(v.real for v in ev):.3g}")
    return CollisionModel(sp.ImmutableMatrix(hS), sp.ImmutableMatrix(hE), tuple(pairs), sp.ImmutableMatrix(eta_m), dt,
                          beta, S_space, E_space, tuple(assumptions),
                          tuple(domain.items()) if isinstance(domain, dict) else tuple(domain), name, spec)


def _rename_mixing(spec, names):
    """The spectrum with its mixing symbols renamed (``alpha``/``beta`` would clash with a
    coupling or an inverse temperature)."""
    from ..algebra.symbols import DefinedSymbol
    if not spec.mixing:
        return spec
    sub = {}
    for k, (th, a, b) in enumerate(spec.mixing):
        sfx = "" if len(spec.mixing) == 1 else f"_{k + 1}"
        th2 = DefinedSymbol(f"{names[0]}{sfx}", th.definition, nonnegative=True)
        a2 = DefinedSymbol(f"{names[1]}{sfx}", sp.cos(th2 / 2), **_pos(a))
        b2 = DefinedSymbol(f"{names[2]}{sfx}", sp.sin(th2 / 2), **_pos(b))
        sub.update({th: th2, a: a2, b: b2})
    from ..algebra.spectrum import Level, Spectrum
    levels = tuple(Level(lv.index, lv.energy.xreplace(sub), sp.ImmutableMatrix(lv.vector.xreplace(sub)), lv.excitations)
                   for lv in spec.levels)
    mixing = tuple((sub[t], sub[a], sub[b]) for t, a, b in spec.mixing)
    return Spectrum(levels, spec.space, mixing)


def _pos(sym) -> dict:
    return {"positive": True} if sym.is_positive else {"nonnegative": True}


def _tidy_poly(p):
    """A polynomial (a determinant) expanded; factored only when small enough for it to be quick."""
    p = sp.expand(p)
    if sp.count_ops(p) <= 200 and not p.has(sp.I):  # factoring over Q(i) is the slow path
        return sp.factor(p)
    return sp.factor_terms(p)


def _ratio(num, den):
    """``num/den``, cancelled when that is cheap (real polynomials of moderate size)."""
    if num == 0:
        return sp.S.Zero
    if not (num.has(sp.I) or den.has(sp.I)) and sp.count_ops(num) + sp.count_ops(den) < 2000:
        return sp.factor(sp.cancel(num / den))
    return num / den


def _population_sector(G: sp.Matrix, d: int) -> list[int]:
    """Indices (column stacking) of the matrix elements connected to the populations by the
    generator ``G`` (non-zero entries in either direction): the connected components of its
    symmetrised pattern (:func:`qsym.algebra.spectrum.hamiltonian_blocks`)."""
    from ..algebra.spectrum import hamiltonian_blocks
    n = G.rows
    linked = sp.Matrix(n, n, lambda i, j: 1 if (sp.expand(G[i, j]) != 0 or sp.expand(G[j, i]) != 0) else 0)
    populations = {k * (d + 1) for k in range(d)}
    return sorted(i for block in hamiltonian_blocks(linked) if populations & set(block) for i in block)
