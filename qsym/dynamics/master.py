"""The master-equation object shared by every Lindblad-form generator.

Form (Fogedby eqs. 2.1-2.2, Breuer-Petruccione eq. 3.140):

    d rho/dt = -i[H_S, rho] + sum_X D_X(rho),
    D_X(rho) = sum_k Gamma_k (J_k rho J_k^dag - 1/2 {J_k^dag J_k, rho}),

one dissipator per bath so that each bath's heat current ``q^X = Tr[H_S D_X(rho_ss)]`` is
available (positive = heat flowing *into* the system), plus the model's extra
:class:`qsym.model.Dissipator` terms (noise, not baths: e.g. Diosi's incoherent coupling
``L^K_AB``), each tagged with its own name.

The Heisenberg-picture (adjoint) generator ``L^dag`` is defined by ``Tr[X L(rho)] = Tr[L^dag(X) rho]``:

    L^dag X = i[H_S, X] + sum_k Gamma_k (J_k^dag X J_k - 1/2 {J_k^dag J_k, X}),

and ``J_X = D_X^dag(H_S)`` is the heat-current operator of bath ``X`` (Diosi 2014, slide 2:
``J = L^* H``), with ``Tr[J_X rho_ss] = q^X``.  Everything is written in the
eigenbasis ``|n>`` of ``H_S`` (levels labelled 1..d as in :func:`qsym.spectrum`).
Vectorisation convention for matrices of the generator: an element ``rho_{ij}`` is indexed by
the pair ``(i, j)``; the numeric solver uses column stacking.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from ..algebra.spectrum import Spectrum
from ..model import OpenSystem

__all__ = ["JumpChannel", "MasterEquation", "tidy", "dissipator_channels"]


def tidy(expr):
    """Collect a sum of rates by spectral-function factors and factor the coefficients, so
    that ``a^2 g n + a^2 g (1 + n)`` prints as ``a^2 g (1 + 2n)`` (the paper's grouping)."""
    expr = sp.sympify(expr)
    if expr == 0:
        return expr
    e = sp.expand(expr, deep=False)
    gs = sorted({f for f in e.atoms(sp.core.function.AppliedUndef)}, key=str)
    if not gs:
        return sp.factor_terms(e)
    c = sp.collect(e, gs, evaluate=False)
    return sp.Add(*[k * sp.factor(v) for k, v in c.items()])


@dataclass(frozen=True)
class JumpChannel:
    """One Lindblad term ``Gamma J rho J^dag - ...`` of bath ``bath``.

    ``operator`` is ``J`` in the eigenbasis (sparse: ``{(m, n): amplitude}`` for ``|m><n|``,
    0-based); ``frequency`` is the energy the system *releases* into the bath in each of its
    transitions (negative for absorption); ``rate`` is ``Gamma``.
    """

    bath: str
    operator: tuple[tuple[tuple[int, int], sp.Expr], ...]
    frequency: sp.Expr
    rate: sp.Expr

    @property
    def elements(self) -> dict[tuple[int, int], sp.Expr]:
        return dict(self.operator)

    def matrix(self, d: int) -> sp.Matrix:
        M = sp.zeros(d, d)
        for (m, n), a in self.operator:
            M[m, n] = a
        return M


def dissipator_channels(model: OpenSystem, spec: Spectrum) -> list[JumpChannel]:
    """Jump channels of the model's extra :class:`~qsym.model.Dissipator` terms in the
    eigenbasis of ``spec`` (the working basis of the master equation), added unchanged: no Bohr
    decomposition and no secular approximation (Diosi 2014, slides 3-4, ``L^K_AB``).

    A channel's ``frequency`` is the energy released by its transitions when they all share one
    Bohr frequency (0 for Diosi's resonant coupling), and ``nan`` otherwise."""
    from ..algebra.spectrum import _is_zero
    E = spec.energies
    out = []
    for D in model.dissipators:
        for rate, op in D.jumps:
            J = spec.in_eigenbasis(op)
            elems = tuple(((m, n), J[m, n]) for n in range(J.shape[1]) for m in range(J.shape[0])
                          if not _is_zero(J[m, n]))
            if not elems:
                continue
            ws = []
            for (m, n), _ in elems:
                w = sp.simplify(E[n] - E[m])
                if not any(_is_zero(w - w0) for w0 in ws):
                    ws.append(w)
            freq = ws[0] if len(ws) == 1 else sp.nan
            out.append(JumpChannel(D.name, elems, freq, rate))
    return out


def master_equation_kind(kind: str) -> tuple[tuple, str]:
    """``(approximations, title)`` of a master equation of the given ``kind``."""
    if "Redfield" in kind:
        return ("Born", "Markov", "no Lamb shift"), "Bloch-Redfield master equation (no secular approximation)"
    if "local" in kind:
        return (("Born", "Markov", "secular", "local", "no Lamb shift"),
                "Local Lindblad master equation: Bohr components of each coupling with respect to the site Hamiltonian")
    return (("Born", "Markov", "secular", "no Lamb shift"),
            "Global Born-Markov secular (Davies) master equation in the eigenbasis of H_S")


@dataclass(frozen=True)
class MasterEquation:
    """A Lindblad master equation in the eigenbasis of ``H_S``.

    Attributes:
        model: the :class:`OpenSystem` it was derived from.
        spectrum: the eigendecomposition used.
        channels: all jump channels, each tagged with its bath.
        kind: ``"global secular (Davies)"``, ``"local"``, ...
        frequencies: named transition frequencies (``omega_+`` etc.) used in the rates.
        conditions: relations the derivation relied on (e.g. ``omega_- > 0``) with how each
            was established.
    """

    model: OpenSystem
    spectrum: Spectrum
    channels: tuple[JumpChannel, ...]
    kind: str
    frequencies: tuple[sp.Symbol, ...] = ()
    conditions: tuple[tuple[sp.Basic, str], ...] = ()
    hamiltonian: sp.ImmutableMatrix | None = None  # H in the eigenbasis used for -i[H, rho]

    # ---- basic data -------------------------------------------------------------------
    @property
    def dim(self) -> int:
        return self.spectrum.dim

    @property
    def energies(self) -> tuple[sp.Expr, ...]:
        return self.spectrum.energies

    @property
    def bath_names(self) -> tuple[str, ...]:
        return tuple(c.bath.name for c in self.model.couplings)

    @property
    def dissipator_names(self) -> tuple[str, ...]:
        """Names of the model's extra (non-bath) dissipators."""
        return tuple(D.name for D in getattr(self.model, "dissipators", ()))

    def channels_of(self, bath: str) -> tuple[JumpChannel, ...]:
        """Channels of one bath or of one extra dissipator (by name)."""
        if bath not in self.bath_names and bath not in self.dissipator_names:
            extra = f" and dissipators {self.dissipator_names}" if self.dissipator_names else ""
            raise KeyError(f"no bath named {bath!r}; this master equation has baths {self.bath_names}{extra}")
        return tuple(c for c in self.channels if c.bath == bath)

    def _H(self) -> sp.Matrix:
        if self.hamiltonian is not None:
            return sp.Matrix(self.hamiltonian)
        return sp.diag(*self.energies)

    # ---- generator ----------------------------------------------------------------------
    def dissipator_action(self, bath: str | None, i: int, j: int) -> dict[tuple[int, int], sp.Expr]:
        """``D_X(|i><j|)`` as ``{(k, l): coefficient}`` (0-based), for one bath or all (None)."""
        out: dict[tuple[int, int], sp.Expr] = {}

        def add(k, l, v):
            out[(k, l)] = out.get((k, l), 0) + v

        chans = self.channels if bath is None else self.channels_of(bath)
        for ch in chans:
            J = ch.elements
            by_col: dict[int, list] = {}
            for (m, n), a in J.items():
                by_col.setdefault(n, []).append((m, a))
            # J |i><j| J^dag
            for k, a in by_col.get(i, []):
                for l, b in by_col.get(j, []):
                    add(k, l, ch.rate * a * sp.conjugate(b))
            # J^dag J restricted: (J^dag J)_{k i} = sum_m conj(J_{m k}) J_{m i}
            JdJ: dict[tuple[int, int], sp.Expr] = {}
            for (m, n), a in J.items():
                for (m2, n2), b in J.items():
                    if m == m2:
                        JdJ[(n, n2)] = JdJ.get((n, n2), 0) + sp.conjugate(a) * b
            for (k, n2), v in JdJ.items():
                if n2 == i:
                    add(k, j, -ch.rate * v / 2)
                if k == j:
                    add(i, n2, -ch.rate * v / 2)
        out = {kl: sp.expand(v, deep=False) for kl, v in out.items()}
        return {kl: v for kl, v in out.items() if v != 0}

    def generator_action(self, i: int, j: int) -> dict[tuple[int, int], sp.Expr]:
        """Full generator ``-i[H, |i><j|] + sum_X D_X(|i><j|)``."""
        out = dict(self.dissipator_action(None, i, j))
        H = self._H()
        d = self.dim
        for k in range(d):
            if H[k, i] != 0:
                out[(k, j)] = out.get((k, j), 0) - sp.I * H[k, i]
            if H[j, k] != 0:
                out[(i, k)] = out.get((i, k), 0) + sp.I * H[j, k]
        return {kl: v for kl, v in ((kl, sp.expand(v, deep=False)) for kl, v in out.items()) if v != 0}

    @cached_property
    def kernel(self) -> dict[tuple[tuple[int, int], tuple[int, int]], sp.Expr]:
        """Fogedby's ``K_{pp',qq'}`` plus the coherent part: ``{((p,p'), (q,q')): value}``,
        0-based, such that ``d rho_{pp'}/dt = sum K_{pp',qq'} rho_{qq'}`` (eq. 2.2)."""
        K = {}
        d = self.dim
        for i in range(d):
            for j in range(d):
                for kl, v in self.generator_action(i, j).items():
                    K[(kl, (i, j))] = v
        return K

    def kernel_element(self, p, pp, q, qq) -> sp.Expr:
        """``K_{pp',qq'}`` with 1-based level labels (the paper's)."""
        return self.kernel.get(((p - 1, pp - 1), (q - 1, qq - 1)), sp.S.Zero)

    def sectors(self) -> list[list[tuple[int, int]]]:
        """Connected components of the generator's coupling graph on matrix elements.

        For the secular (Davies) equation these are (sub-)sectors of equal Bohr frequency;
        populations are closed among themselves unless levels are degenerate."""
        d = self.dim
        parent = {(i, j): (i, j) for i in range(d) for j in range(d)}

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for (a, b) in self.kernel:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
        comps: dict = {}
        for x in parent:
            comps.setdefault(find(x), []).append(x)
        return sorted((sorted(c) for c in comps.values()), key=lambda c: c[0])

    def rate_matrix(self, bath: str | None = None) -> sp.Matrix:
        """Pauli rate matrix ``K_{np} = K_{nn,pp}`` (Fogedby eqs. 2.3, 3.8-3.11, 3.42-3.43):
        ``K_{np}`` is the rate ``p -> n`` for ``n != p`` and ``K_{nn} = -sum_{m != n} K_{mn}``."""
        d = self.dim
        K = sp.zeros(d, d)
        chans = self.channels if bath is None else self.channels_of(bath)
        for ch in chans:
            for (m, n), a in ch.operator:
                if m != n:
                    K[m, n] += ch.rate * a * sp.conjugate(a)
        K = K.applyfunc(tidy)
        for p in range(d):  # conservation of probability, kept as a sum of the rates
            K[p, p] = -sp.Add(*[K[k, p] for k in range(d) if k != p])
        return K

    # ---- Schroedinger and Heisenberg pictures ------------------------------------------
    def _as_eigen_matrix(self, X, argname: str) -> sp.Matrix:
        from ..algebra.operators import Operator
        d = self.dim
        if isinstance(X, Operator):
            if X.space != self.model.H.space:
                raise ValueError(f"Argument `{argname}` acts on sites {X.space.names}, but the model's H acts on "
                                 f"{self.model.H.space.names}; build both from the same sites")
            return sp.Matrix(self.spectrum.in_eigenbasis(X))
        if isinstance(X, sp.MatrixBase):
            if X.shape != (d, d):
                raise ValueError(f"Argument `{argname}` must be a {d}x{d} matrix in the eigenbasis of the master "
                                 f"equation (or a qs Operator in the site basis), got shape {X.shape}")
            return sp.Matrix(X)
        raise TypeError(f"Argument `{argname}` must be a qs Operator (site basis) or a SymPy Matrix "
                        f"(eigenbasis of the master equation), got {type(X).__name__}")

    def _output(self, M: sp.Matrix, basis: str):
        from ..algebra.operators import Operator
        if basis == "eigen":
            return sp.ImmutableMatrix(M.applyfunc(sp.expand))
        U = sp.Matrix(self.spectrum.unitary)
        return Operator((U * M * U.H).applyfunc(sp.expand), self.model.H.space)

    def _check_basis(self, basis):
        if basis not in ("eigen", "site"):
            raise ValueError(f"Argument `basis` must be 'eigen' (a Matrix in the eigenbasis of the master "
                             f"equation) or 'site' (a qs Operator in the product basis), got {basis!r}")

    def _chans(self, bath):
        return self.channels if bath is None else self.channels_of(bath)

    def apply(self, rho, bath: str | None = None, *, basis: str = "eigen"):
        """``L(rho)`` (``bath=None``: the whole generator ``-i[H_S, rho] + sum_X D_X(rho)``
        including extra dissipators) or one bath's/dissipator's ``D_X(rho)``.

        ``rho``: a qs Operator (site basis) or a Matrix in the eigenbasis.  Returns a Matrix in the
        eigenbasis (``basis="eigen"``) or an Operator in the site basis (``basis="site"``)."""
        self._check_basis(basis)
        R = self._as_eigen_matrix(rho, "rho")
        d = self.dim
        out = sp.zeros(d, d)
        if bath is None:
            H = self._H()
            out += -sp.I * (H * R - R * H)
        for ch in self._chans(bath):
            J = ch.matrix(d)
            JdJ = J.H * J
            out += ch.rate * (J * R * J.H - (JdJ * R + R * JdJ) / 2)
        return self._output(out, basis)

    def adjoint(self, X, bath: str | None = None, *, basis: str = "eigen"):
        """Heisenberg-picture generator ``L^dag(X)``, defined by ``Tr[X L(rho)] = Tr[L^dag(X) rho]``:

            L^dag X = i[H_S, X] + sum_k Gamma_k (J_k^dag X J_k - {J_k^dag J_k, X}/2)

        for ``bath=None`` (the whole generator, extra dissipators included), or only the
        dissipator of one bath / extra dissipator (``D_X^dag``, no commutator) -- Diosi's ``L^*``
        (2014, slides 2 and 5).

        ``X``: a qs Operator (site basis) or a Matrix in the eigenbasis.  Returns a Matrix in the
        eigenbasis (``basis="eigen"``) or an Operator in the site basis (``basis="site"``)."""
        self._check_basis(basis)
        M = self._as_eigen_matrix(X, "X")
        d = self.dim
        out = sp.zeros(d, d)
        if bath is None:
            H = self._H()
            out += sp.I * (H * M - M * H)
        for ch in self._chans(bath):
            J = ch.matrix(d)
            JdJ = J.H * J
            out += ch.rate * (J.H * M * J - (JdJ * M + M * JdJ) / 2)
        return self._output(out, basis)

    def current_operator(self, bath: str, *, basis: str = "eigen"):
        """Heat-current operator of ``bath``: ``J_X = D_X^dag(H_S)`` (Diosi 2014, slide 2:
        ``J = L^* H``; slide 5: ``J_A = L_A^* H_A``).

        ``Tr[J_X rho_ss]`` equals :func:`qsym.thermo.heat_current` ``q^X = Tr[H_S D_X(rho_ss)]``
        (heat flowing from the bath into the system) by duality.  ``H_S`` is the full system
        Hamiltonian in the working basis (for the local equation it includes the inter-site
        coupling)."""
        if bath not in self.bath_names and bath not in self.dissipator_names:
            self.channels_of(bath)  # raises the KeyError naming the baths
        return self.adjoint(self._H(), bath, basis=basis)

    def expectation(self, X, ss) -> sp.Expr:
        """``Tr[X rho]`` for ``X`` (Operator in the site basis or Matrix in the eigenbasis) and a
        steady state ``ss`` (:class:`SteadyState` or a Matrix in the eigenbasis)."""
        M = self._as_eigen_matrix(X, "X")
        rho = getattr(ss, "rho", ss)
        rho = sp.Matrix(rho)
        if rho.shape != M.shape:
            raise ValueError(f"Argument `ss` must be a steady state of this {self.dim}-level master equation, "
                             f"got shape {rho.shape}")
        return sp.expand((M * rho).trace())

    # ---- stages -------------------------------------------------------------------------
    def steady_state(self, **kwargs):
        """Closed-form steady state (see :func:`qsym.dynamics.steady.steady_state`)."""
        from .steady import steady_state
        return steady_state(self, **kwargs)

    def heat_current(self, bath: str, ss=None, *, by_channel: bool = False):
        """Heat current from ``bath`` into the system, ``q^X = Tr[H_S D_X(rho_ss)]``
        (Fogedby eqs. 2.11-2.12).  See :func:`qsym.thermo.heat_current`."""
        from ..thermo import heat_current
        return heat_current(self, bath, ss if ss is not None else self.steady_state(), by_channel=by_channel)

    def derivation_steps(self) -> tuple:
        """The model, then this master equation with its approximations and the conditions it
        relied on (see :mod:`qsym.steps`)."""
        from ..latex import master_equation_latex
        from ..steps import Step, condition_texts, model_step
        approximations, title = master_equation_kind(self.kind)
        statement = master_equation_latex(self)
        return (model_step(self.model),
                Step("master equation", title, statement, approximations, condition_texts(self.conditions)))

    def _repr_latex_(self):
        from ..latex import master_equation_latex
        return "$" + master_equation_latex(self) + "$"
