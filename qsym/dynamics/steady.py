"""Closed-form steady states, solved with structure rather than brute force.

1. The generator splits into sectors (connected components of its coupling graph); only
   sectors that contain populations can carry the stationary state.  Sectors without
   populations decay (their decay rates are reported) and are zero in the steady state.
2. A population-only sector is a continuous-time Markov chain with rate matrix ``K``
   (Fogedby eqs. 2.3-2.4).  Its transitions are labelled by their transition frequencies
   ``omega_j``; if the levels can be given integer coordinates ``k_j`` (quanta of each
   frequency) such that each transition changes one coordinate by one and its rate depends
   only on that coordinate, the chain is a product of independent birth-death chains and

       pi(k) = prod_j pi_j(k_j),   pi_j(k+1)/pi_j(k) = up_j(k)/down_j(k+1)

   (for two coupled qubits this is Fogedby's eq. 3.45).  Otherwise the linear system
   ``K pi = 0, sum pi = 1`` is solved symbolically for that sector only.
3. Uniqueness: the chain's graph must have a single closed communicating class, and
   there must be a single population sector; otherwise the steady state depends on the
   initial state and :class:`NonUniqueSteadyStateError` is raised.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product as iproduct

import sympy as sp

from .master import tidy

__all__ = ["SteadyState", "steady_state", "NonUniqueSteadyStateError", "markov_steady_state"]


from ..errors import NonUniqueSteadyStateError


@dataclass(frozen=True)
class SteadyState:
    """Stationary state in the eigenbasis of ``H_S``.

    Attributes:
        rho: density matrix in the eigenbasis (levels 1..d).
        populations: its diagonal.
        method: how it was obtained (``"product of independent channels ..."`` etc.).
        factors: for product-form solutions, one ``(omega_j, (pi_j(0), pi_j(1), ...),
            (k_j of level 1, k_j of level 2, ...))`` per independent channel, so that
            ``rho_n = prod_j pi_j(k_j(n))`` (the structure of Fogedby eq. 3.45).
            ``{omega_j: (pi_j(0), pi_j(1), ...)}``.
        coherence_decay: for each coherence sector, the generator block and the statement
            of its decay.
    """

    rho: sp.ImmutableMatrix
    method: str
    factors: tuple = ()
    coherence_sectors: tuple = ()
    master_equation: object = None

    @property
    def populations(self) -> tuple[sp.Expr, ...]:
        return tuple(self.rho[i, i] for i in range(self.rho.shape[0]))

    def population(self, n: int) -> sp.Expr:
        """``rho_n`` with the paper's 1-based label."""
        return self.rho[n - 1, n - 1]

    def product_form(self, order=None) -> sp.Matrix:
        """``rho`` assembled as the Kronecker product of the per-channel distributions,
        ``diag(pi_a) (x) diag(pi_b) (x) ...`` in the channel ``order`` (default: as found),
        returned in the level order of the master equation."""
        if not self.factors:
            raise ValueError(f"this steady state has no product form (method: {self.method})")
        fac = list(self.factors)
        if order is not None:
            fac = [next(f for f in fac if f[0] == w) for w in order]
        P = sp.Matrix([[1]])
        for _, dist, _ in fac:
            P = sp.kronecker_product(P, sp.diag(*dist))
        dims = [len(d) for _, d, _ in fac]
        n = self.rho.shape[0]
        out = sp.zeros(n, n)
        for lev in range(n):
            idx = 0
            for (_, _, coords), dim in zip(fac, dims):
                idx = idx * dim + coords[lev]
            out[lev, lev] = P[idx, idx]
        return out

    def in_site_basis(self) -> sp.Matrix:
        U = self.master_equation.spectrum.unitary
        return U * self.rho * U.H

    def _repr_latex_(self):
        from ..latex import latex
        rows = [rf"\rho_{{{i + 1}}} &= {latex(p)}" for i, p in enumerate(self.populations)]
        return r"$\begin{aligned}" + r"\\ ".join(rows) + r"\end{aligned}$"


# ---------------------------------------------------------------------------------------
def _closed_classes(K: sp.Matrix, states: list[int]) -> list[set[int]]:
    """Closed communicating classes of the chain (edges where the rate is not identically 0)."""
    idx = {s: a for a, s in enumerate(states)}
    adj = {s: {t for t in states if t != s and K[idx[t], idx[s]] != 0} for s in states}
    reach = {}
    for s in states:
        seen, stack = {s}, [s]
        while stack:
            u = stack.pop()
            for v in adj[u]:
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
        reach[s] = seen
    classes = []
    for s in states:
        cls = {t for t in reach[s] if s in reach[t]}
        if reach[s] == cls and cls not in classes:
            classes.append(cls)
    return classes


def _product_form(K: sp.Matrix, labels: dict[tuple[int, int], sp.Expr]):
    """Try the decomposition into independent birth-death channels.

    ``labels[(t, s)]`` is the named transition frequency of the transition s -> t, signed
    by the energy it *adds* to the system (so ``labels[(t, s)] = -labels[(s, t)]``).
    Returns ``(coords, channels)`` or None.
    """
    n = K.shape[0]
    freqs = []
    for w in labels.values():
        key = w if (w.could_extract_minus_sign() is False) else -w
        if key not in freqs:
            freqs.append(key)
    dimn = len(freqs)
    coords = {0: (0,) * dimn}
    stack = [0]
    while stack:
        s = stack.pop()
        for t in range(n):
            if t == s or (K[t, s] == 0 and K[s, t] == 0):
                continue
            w = labels.get((t, s))
            if w is None:
                return None
            j = freqs.index(w if w in freqs else -w)
            step = 1 if w in freqs else -1
            c = list(coords[s])
            c[j] += step
            c = tuple(c)
            if t in coords:
                if coords[t] != c:
                    return None
            else:
                coords[t] = c
                stack.append(t)
    if len(coords) != n:
        return None
    lo = [min(c[j] for c in coords.values()) for j in range(dimn)]
    coords = {s: tuple(c[j] - lo[j] for j in range(dimn)) for s, c in coords.items()}
    if len(set(coords.values())) != n:
        return None
    ranges = [max(c[j] for c in coords.values()) + 1 for j in range(dimn)]
    box = set(iproduct(*(range(r) for r in ranges)))
    if set(coords.values()) != box:
        return None
    at = {c: s for s, c in coords.items()}
    channels = []
    for j in range(dimn):
        ups, downs = [], []
        for k in range(ranges[j] - 1):
            up_set, down_set = set(), set()
            for c in box:
                if c[j] != k:
                    continue
                c2 = tuple(x + (1 if i == j else 0) for i, x in enumerate(c))
                s, t = at[c], at[c2]
                up_set.add(sp.expand(K[t, s]))
                down_set.add(sp.expand(K[s, t]))
            if len(up_set) != 1 or len(down_set) != 1:
                return None
            ups.append(K[t, s])
            downs.append(K[s, t])
        # every transition must be along one coordinate (checked by construction) ...
        channels.append((freqs[j], ups, downs))
    for s in range(n):  # ... and no transitions beyond those
        for t in range(n):
            if t != s and K[t, s] != 0:
                diff = [a - b for a, b in zip(coords[t], coords[s])]
                if sorted(map(abs, diff)) != [0] * (dimn - 1) + [1]:
                    return None
    return coords, channels


def _birth_death(ups, downs) -> list[sp.Expr]:
    """Stationary distribution of a birth-death chain from detailed balance."""
    weights = [sp.S.One]
    for u, d in zip(ups, downs):
        weights.append(weights[-1] * u / d)
    if len(ups) == 1:  # two states: pi = (down, up)/(up + down), no nested fractions
        tot = tidy(ups[0] + downs[0])
        return [downs[0] / tot, ups[0] / tot]
    tot = sp.Add(*weights)
    return [sp.factor(w / tot) for w in weights]


def markov_steady_state(K: sp.Matrix, labels=None) -> tuple[list[sp.Expr], str, tuple]:
    """Stationary distribution of a rate matrix ``K`` (columns sum to zero).

    Uses the product/birth-death structure when ``labels`` allow it, else a symbolic
    linear solve with the trace row.  Raises :class:`NonUniqueSteadyStateError` when the
    chain has more than one closed class.
    """
    n = K.shape[0]
    classes = _closed_classes(K, list(range(n)))
    if len(classes) != 1:
        raise NonUniqueSteadyStateError(
            f"the population dynamics has {len(classes)} closed classes of levels "
            f"{[sorted(i + 1 for i in c) for c in classes]}: the steady state is not unique and depends "
            f"on the initial state (a level or group of levels no bath connects to the rest)")
    if labels:
        pf = _product_form(K, labels)
        if pf is not None:
            coords, channels = pf
            dists = [_birth_death(u, d) for _, u, d in channels]
            pops = [sp.Mul(*[dists[j][coords[s][j]] for j in range(len(channels))]) for s in range(n)]
            # each factor: (frequency, its distribution, the coordinate of every level in it)
            factors = tuple((w, tuple(dj), tuple(coords[s][j] for s in range(n)))
                            for j, ((w, _, _), dj) in enumerate(zip(channels, dists)))
            return pops, (f"product of {len(channels)} independent birth-death channel(s) "
                          f"({', '.join(str(w) for w, _, _ in channels)})"), factors
    # each rate k_{mn} becomes one symbol: the stationary weights are then polynomials in the
    # rates (sums over spanning trees, Kirchhoff's matrix-tree theorem), which fraction-free
    # elimination produces without expression swell
    A = sp.zeros(n, n)
    back = {}
    for m in range(n):
        for p in range(n):
            if m != p and K[m, p] != 0:
                k = sp.Dummy(f"k{m}{p}", positive=True)
                back[k] = K[m, p]
                A[m, p] = k
                A[p, p] -= k
    A[0, :] = sp.ones(1, n)
    b = sp.zeros(n, 1)
    b[0] = 1
    sol = _fraction_free_solve(A, b)
    return ([tidy_fraction(x.xreplace(back)) for x in sol],
            "fraction-free symbolic solve of K pi = 0 with the trace row", ())


def _fraction_free_solve(A: sp.Matrix, b: sp.Matrix) -> list[sp.Expr]:
    """Solve ``A x = b`` over a polynomial ring by fraction-free (Bareiss) elimination and
    return each ``x_i`` as ``factor(num_i) / factor(den)`` with the common content cancelled:
    no nested fractions and no multivariate gcds inside the elimination."""
    from sympy.polys.matrices import DomainMatrix
    dA = DomainMatrix.from_Matrix(A)
    db = DomainMatrix.from_Matrix(b).convert_to(dA.domain)
    dA, db = dA.unify(db)
    num, den = dA.solve_den(db)
    K = dA.domain
    nums = list(num.to_Matrix())
    den_e = sp.factor(K.to_sympy(den) if not isinstance(den, sp.Basic) else den)
    return [sp.cancel(sp.factor(x) / den_e) if x != 0 else sp.S.Zero for x in nums]


def sector_block(me, sec) -> sp.Matrix:
    """The generator restricted to one sector: ``M[a, b] = K_{sec[a], sec[b]}``."""
    idx = {x: a for a, x in enumerate(sec)}
    M = sp.zeros(len(sec), len(sec))
    for (out, inn), v in me.kernel.items():
        if out in idx and inn in idx:
            M[idx[out], idx[inn]] += v
    return M


def _abbreviate(M: sp.Matrix):
    """Replace every non-polynomial atom (rates g(w)n(w), sqrt's) by a plain symbol so the
    linear solve runs on a rational function field; returns (matrix, back-substitution)."""
    atoms = set()
    for x in M:
        atoms |= {a for a in sp.sympify(x).atoms(sp.Function, sp.Pow) if not (a.is_Pow and a.exp.is_Integer)}
    back, fwd = {}, {}
    for k, a in enumerate(sorted(atoms, key=str)):
        s = sp.Dummy(f"x{k}", real=True)
        fwd[a], back[s] = s, a
    return M.xreplace(fwd), back


def _solve_hermitian_sector(me, sec) -> dict:
    """Solve ``L rho = 0, Tr rho = 1`` on one sector using Hermiticity: unknowns are the
    populations and the real and imaginary parts of ``rho_ij`` (i < j), so the linear
    algebra runs over a real rational-function field instead of Q(i)(x, ...)."""
    idx = {x: a for a, x in enumerate(sec)}
    M = sector_block(me, sec)
    M, back = _abbreviate(M)
    unknowns = []  # (kind, i, j)
    for (i, j) in sec:
        if i == j:
            unknowns.append(("p", i, j))
        elif i < j:
            unknowns += [("x", i, j), ("y", i, j)]
    syms = [sp.Dummy(f"{k}{i}{j}", real=True) for k, i, j in unknowns]
    val = {}
    for (k, i, j), v in zip(unknowns, syms):
        if k == "p":
            val[(i, i)] = v
        elif k == "x":
            val[(i, j)] = val.get((i, j), 0) + v
            val[(j, i)] = val.get((j, i), 0) + v
        else:
            val[(i, j)] = val.get((i, j), 0) + sp.I * v
            val[(j, i)] = val.get((j, i), 0) - sp.I * v
    eqs = []
    for (a, b) in sec:
        if a > b:
            continue
        row = sp.expand(sum(M[idx[(a, b)], idx[x]] * val[x] for x in sec))
        re, im = row.as_real_imag()
        eqs.append(sp.expand(re))
        if a != b:
            eqs.append(sp.expand(im))
    trace = sum(val[(i, i)] for (i, j) in sec if i == j) - 1
    eqs = [trace] + eqs[1:]
    A, rhs = sp.linear_eq_to_matrix(eqs, syms)
    from sympy.polys.matrices import DomainMatrix
    dA = DomainMatrix.from_Matrix(A)
    db = DomainMatrix.from_Matrix(rhs).convert_to(dA.domain)
    num, den = dA.solve_den(db)  # fraction-free (Bareiss): no gcds of multivariate polynomials
    den = sp.factor(dA.domain.to_sympy(den))
    nums = dict(zip(syms, num.to_Matrix()))

    def real_fraction(sym):
        # numerator and denominator are real polynomials: factor over Q, never over Q(i)
        n = sp.factor(nums[sym])
        return sp.cancel(n / den) if n != 0 else sp.S.Zero

    parts = {sym: real_fraction(sym) for sym in syms}
    out = {}
    for x in sec:
        v = sp.expand(val[x]).xreplace(parts)
        out[x] = tidy_fraction(v.xreplace(back)) if v != 0 else sp.S.Zero
    return out


def tidy_fraction(x):
    num, den = sp.fraction(sp.together(x))
    return tidy(num) / tidy(den)


def _transition_labels(me) -> dict[tuple[int, int], sp.Expr]:
    """Signed named frequency of each population transition s -> t (energy added)."""
    labels = {}
    for ch in me.channels:
        for (m, n), _ in ch.operator:
            if m != n:
                # channel frequency = energy released; energy added to system = -frequency
                labels[(m, n)] = -ch.frequency
    return labels


def steady_state(me, *, allow_nonunique: bool = False) -> SteadyState:
    """Closed-form steady state of a master equation (see module docstring).

    Raises:
        NonUniqueSteadyStateError: if the stationary state depends on the initial state.
    """
    d = me.dim
    sectors = me.sectors()
    pop_sectors = [s for s in sectors if any(i == j for i, j in s)]
    if len(pop_sectors) != 1 and not allow_nonunique:
        raise NonUniqueSteadyStateError(
            f"the generator splits into {len(pop_sectors)} independent sectors containing populations "
            f"(levels {[sorted({i + 1 for i, j in s if i == j}) for s in pop_sectors]}): the steady state is "
            f"not unique and depends on the initial state")
    rho = sp.zeros(d, d)
    method = ""
    factors = ()
    for sec in pop_sectors:
        if all(i == j for i, j in sec):
            states = sorted(i for i, _ in sec)
            K = me.rate_matrix().extract(states, states)
            lab = {(states.index(t), states.index(s)): w for (t, s), w in _transition_labels(me).items()
                   if t in states and s in states}
            pops, method, factors = markov_steady_state(K, lab)
            for s, p in zip(states, pops):
                rho[s, s] = p
        else:
            method = "symbolic linear solve of the population-coherence sector (real form)"
            for (i, j), v in _solve_hermitian_sector(me, sec).items():
                rho[i, j] = v
    coh = tuple(_coherence_sector(me, s) for s in sectors if s not in pop_sectors)
    return SteadyState(sp.ImmutableMatrix(rho), method, factors, coh, me)


def _coherence_sector(me, sec):
    """Generator block of a sector without populations; its steady part is zero when the
    block is non-singular.  Returns ``(elements, block, statement)``."""
    M = sector_block(me, sec)
    if len(sec) == 1:
        (i, j), = sec
        rate = -tidy(me.dissipator_action(None, i, j).get((i, j), sp.S.Zero))
        pos = rate.is_positive
        stmt = (f"rho_{i + 1}{j + 1} decays at rate {rate}" +
                (" > 0" if pos else " (positivity not decided symbolically)"))
    else:
        stmt = f"block of {len(sec)} coherences; decays if all eigenvalues of the block have negative real part"
    return tuple(sec), sp.ImmutableMatrix(M), stmt
