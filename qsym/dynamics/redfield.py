"""Bloch-Redfield master equation: Born-Markov *without* the secular approximation.

In the eigenbasis of ``H_S`` and the Schroedinger picture (Breuer-Petruccione eqs. 3.135-3.138
with the interaction-picture phases ``e^{i(w'-w)t}`` absorbed into ``-i[H_S, rho]``; Fogedby
eq. 5.2), for ``H_I = sum_a A_a (x) B_a``:

    d rho/dt = -i[H_S, rho] + sum_X D_X(rho),
    D_X(rho) = sum_{a,b} sum_{w,w'} Gamma_ab(w) [A_b(w) rho A_a(w')^dag - A_a(w')^dag A_b(w) rho] + h.c.,
    Gamma_ab(w) = int_0^inf ds e^{iws} <B_a^dag(s) B_b(0)> = gamma_ab(w)/2 + i S_ab(w)      (3.137)

where ``A(w)`` is the Bohr component of ``A`` releasing the energy ``w`` (eq. 3.118).  The
secular (Davies) equation keeps only ``w = w'`` (eq. 3.140); here every pair is kept, which
couples populations to coherences between levels whose Bohr frequencies differ (for two coupled
qubits the ``A_p, B_p`` of Fogedby eqs. 4.26-4.31).

The correlation functions are those of the secular derivation (:mod:`qsym.dynamics.davies`):

* ``form="rwa"``, ``H_SB = L^dag X + L X^dag``: only ``<X(s) X^dag>`` (emission, ``A_b(w) = L(w)``,
  ``w > 0``, ``gamma = g(w)(1+n(w))``) and ``<X^dag(s) X>`` (absorption, ``A_b = L(w)^dag``,
  ``gamma = g(w) n(w)``) are non-zero (Fogedby eqs. 5.6-5.9): two *families* per bath, with
  ``sum_{w'} A_a(w') = L`` and ``L^dag`` respectively.
* ``form="hermitian"``, ``H_SB = S (X + X^dag)``: one family over all Bohr components of ``S``,
  ``gamma(w) = g(w)(1+n(w))`` for ``w > 0`` and ``g(|w|) n(|w|)`` for ``w < 0`` (KMS).

Each family is stored as :class:`RedfieldTerm` objects ``(J = A(w), P = sum_w' A(w'), Gamma(w))``
and the dissipator is ``sum_k Gamma_k (J_k rho P^dag - P^dag J_k rho) + h.c.``.  The Lamb shift
``S(w)`` (B&P eq. 3.138) is dropped unless ``lamb_shift=True``, in which case it enters as an
unspecified real function ``S_X(w)`` (hermitian) or ``S^e_X(w)``, ``S^a_X(w)`` (RWA emission /
absorption, ``w > 0`` the exchanged energy).

The generator is not of Lindblad form (not completely positive in general).

Fogedby's coupled qubits (sec. IV.C.1, eqs. 4.20-4.31), as derived here from eq. 5.2 without
the secular approximation: ``K_{pp,23} = K_{pp,32} = A_p`` and ``K_{23,pp} = K_{32,pp} = B_p`` are
non-zero, and ``C`` (the dissipative part of ``K_{23,23}``) is the paper's.  Beyond the printed
eqs. 4.21-4.22 and 4.24, eq. 5.2 also gives ``K_{22,23}, K_{33,23}`` (trace preservation needs
them: ``A_1 + A_4 = alpha beta [g_B(w_+) + g_B(w_-) - g_A(w_+) - g_A(w_-)]/2 != 0``) and
``K_{23,22}, K_{23,33}``.  The source ``sum_p B_p rho_p`` does not vanish out of equilibrium,
so ``rho_23`` does not decay to zero: to first order (:func:`first_order_steady_state`)

    rho_23 = sum_p K_{23,pp} rho_p / (i E_23) = -i (q^A_+/omega_+ + q^A_-/omega_-) / (2 lambda),

i.e. ``|rho_23| = J/(2 lambda)`` with ``J`` the excitation current through the system, of order
``g/E_23``.  It feeds back on the populations and heat currents only at relative order
``(g/E_23)^2`` (the currents see ``Re rho_23``), so the paper's conclusion that the currents
follow from the diagonal kernel holds to leading order, but its statement ``rho_23 -> 0`` holds
only in the secular approximation (classified in ``derivations/fogedby_offdiagonal.py``).

Tools for such classifications, for any master equation (secular or Redfield):
:func:`dissipative_kernel` (Fogedby's ``K`` of eq. 2.2), :func:`kernel_support` (the lists
4.20-4.25), :func:`real_coordinates` / :func:`real_generator` / :func:`real_form` (eqs.
4.26-4.31 as a real matrix in ``(rho_pp, Re rho_ij, Im rho_ij)``), :func:`split_real_imag`.
:meth:`RedfieldMasterEquation.numeric_solver` gives the independent numeric counterpart
(:class:`qsym.numeric.redfield.RedfieldSolver`) that ``qs.verify`` and ``check_result`` use.
"""
from __future__ import annotations

from dataclasses import dataclass
import sympy as sp

from ..algebra.spectrum import spectrum as symbolic_spectrum
from ..model import OpenSystem
from .davies import global_master_equation
from .master import MasterEquation, tidy
from .steady import SteadyState

__all__ = ["RedfieldTerm", "RedfieldMasterEquation", "bloch_redfield_master_equation", "lamb_shift_function",
           "first_order_steady_state", "real_coordinates", "split_real_imag", "dissipative_kernel",
           "kernel_support", "real_form", "real_generator", "vanishes"]

KIND = "Bloch-Redfield (non-secular)"


@dataclass(frozen=True)
class RedfieldTerm:
    """One term ``Gamma (J rho P^dag - P^dag J rho) + h.c.`` of bath ``bath``'s dissipator
    (B&P eq. 3.135 summed over ``w'``).

    ``operator`` is ``J = A(w)`` and ``partner`` is ``P = sum_w' A(w')`` of its family
    (sparse ``{(m, n): amplitude}``, 0-based, eigenbasis); ``frequency`` is the energy ``w``
    released into the bath (negative for absorption); ``rate`` is ``gamma(w)`` (so that
    ``Gamma = rate/2 + i shift``); ``family`` is ``"emission"``, ``"absorption"`` or
    ``"hermitian"``.
    """

    bath: str
    family: str
    operator: tuple[tuple[tuple[int, int], sp.Expr], ...]
    partner: tuple[tuple[tuple[int, int], sp.Expr], ...]
    frequency: sp.Expr
    rate: sp.Expr
    shift: sp.Expr = sp.S.Zero

    @property
    def Gamma(self) -> sp.Expr:
        """``Gamma(w) = gamma(w)/2 + i S(w)`` (B&P eq. 3.137)."""
        return self.rate / 2 + sp.I * self.shift


def lamb_shift_function(bath: str, family: str):
    """The unspecified real Lamb-shift function of a family: ``S_X`` (hermitian, evaluated at
    the signed released energy), ``S^e_X`` / ``S^a_X`` (RWA emission / absorption, evaluated
    at the exchanged energy ``w > 0``).  Numerically (B&P eq. 3.138)
    ``S^e(w) = -(1/2pi) P int_0^inf g(v)(1+n(v))/(v-w) dv``,
    ``S^a(w) = (1/2pi) P int_0^inf g(v) n(v)/(v-w) dv`` and ``S(w) = S^e(w) + S^a(-w)``."""
    name = {"hermitian": f"S_{bath}", "emission": f"S^e_{bath}", "absorption": f"S^a_{bath}"}[family]
    return sp.Function(name, real=True)


def split_real_imag(expr) -> tuple[sp.Expr, sp.Expr]:
    """``(Re expr, Im expr)`` of a kernel or steady-state expression whose symbols and
    functions are real (rates, occupations, mixing symbols, energies, real Lamb-shift
    functions).  Raises ``ValueError`` if SymPy cannot decide the split (an expression with a
    symbol of unknown reality), rather than returning ``re(...)``/``im(...)`` placeholders."""
    e = sp.sympify(expr)
    # function values and radicals (energies are eigenvalues of a Hermitian H, hence real)
    # are abbreviated to real symbols first, so that SymPy neither expands radicands nor
    # writes sqrt(x) as |x|^(1/2) (cos + i sin)(arg(x)/2)
    atoms = {a for a in e.atoms(sp.Function, sp.Pow) if not a.has(sp.I) and (
        (a.is_Pow and not a.exp.is_Integer and a.is_real is not False) or (a.is_Function and a.is_real))}
    fwd = {a: sp.Dummy(f"a{k}", real=True) for k, a in enumerate(sorted(atoms, key=str))}
    back = {v: k for k, v in fwd.items()}
    re, im = sp.expand(e.xreplace(fwd)).as_real_imag()
    if re.atoms(sp.re, sp.im) or im.atoms(sp.re, sp.im):
        raise ValueError(f"cannot split {expr} into real and imaginary parts: some of its symbols or "
                         f"functions are not known to be real; declare them real/positive")
    return sp.expand(re).xreplace(back), sp.expand(im).xreplace(back)


def real_coordinates(elements) -> tuple[tuple, ...]:
    """Real coordinates of a set of density-matrix elements (0-based ``(i, j)`` pairs, e.g. a
    sector of :meth:`MasterEquation.sectors`): ``("p", n)`` for a population ``rho_nn`` and
    ``("re", i, j)``, ``("im", i, j)`` (``i < j``) for ``rho_ij = x + i y``, ``rho_ji = x - i y``.

    With ``rho = sum_n rho_n |n><n| + sum_{i<j} x (|i><j| + |j><i|) + y (i|i><j| - i|j><i|)``
    the equations of motion of a Hermitian-preserving generator are real in these coordinates
    (Fogedby eqs. 4.26-4.31 for ``x = Re rho_23``, ``y = Im rho_23``)."""
    out = []
    for (i, j) in sorted({tuple(x) for x in elements}, key=lambda x: (x[0] != x[1], min(x), max(x))):
        if i == j:
            out.append(("p", i))
        else:
            a, b = min(i, j), max(i, j)
            if ("re", a, b) not in out:
                out += [("re", a, b), ("im", a, b)]
    return tuple(out)


def _coordinate_matrix(c) -> dict[tuple[int, int], sp.Expr]:
    """The matrix (sparse, eigenbasis) whose coefficient in ``rho`` is the coordinate ``c``."""
    if c[0] == "p":
        return {(c[1], c[1]): sp.S.One}
    _, i, j = c
    if c[0] == "re":
        return {(i, j): sp.S.One, (j, i): sp.S.One}
    if c[0] == "im":
        return {(i, j): sp.I, (j, i): -sp.I}
    raise ValueError(f"unknown coordinate {c!r}; use ('p', n), ('re', i, j) or ('im', i, j)")


def _read_coordinate(Y: dict, c) -> sp.Expr:
    """The coordinate ``c`` of a Hermitian matrix ``Y`` (sparse dict, eigenbasis)."""
    if c[0] == "p":
        return split_real_imag(Y.get((c[1], c[1]), 0))[0]
    re, im = split_real_imag(Y.get((c[1], c[2]), 0))
    return re if c[0] == "re" else im


_DISSIPATIVE_KERNELS: dict = {}  # id(me) -> (me, kernel): master equations are immutable


def dissipative_kernel(me) -> dict[tuple[tuple[int, int], tuple[int, int]], sp.Expr]:
    """Fogedby's dissipative kernel ``K_{pp',qq'}`` (eq. 2.2, without ``-i E_{pp'}``) of any
    master equation (secular, local or Bloch-Redfield): ``{((p, p'), (q, q')): value}``, 0-based
    (computed once per master equation)."""
    hit = _DISSIPATIVE_KERNELS.get(id(me))
    if hit is not None and hit[0] is me:
        return hit[1]
    K = {}
    for i in range(me.dim):
        for j in range(me.dim):
            for kl, v in me.dissipator_action(None, i, j).items():
                K[(kl, (i, j))] = v
    _DISSIPATIVE_KERNELS[id(me)] = (me, K)
    return K


def vanishes(me, v) -> bool:
    """Symbolic zero test for kernel elements and sources of ``me``: function values and
    radicals are abbreviated to symbols, the rational function is cancelled, and its
    numerator is reduced modulo ``alpha^2 + beta^2 - 1`` for each mixing angle."""
    v = sp.sympify(v)
    if v == 0:
        return True
    atoms = {a for a in v.atoms(sp.Function, sp.Pow) if not (a.is_Pow and a.exp.is_Integer)}
    e = sp.cancel(sp.together(v.xreplace({a: sp.Dummy() for a in atoms})))
    if e == 0:
        return True
    num = sp.numer(e)
    for _, al, be in me.spectrum.mixing:
        if num.has(al):
            num = sp.rem(sp.expand(num), al**2 + be**2 - 1, al)
    return sp.expand(num) == 0


def kernel_support(me, p: int, pp: int, *, dissipative: bool = True) -> tuple[tuple[int, int], ...]:
    """The ``(q, q')`` (1-based) with ``K_{pp',qq'} != 0`` in ``me``: the list of non-vanishing
    kernel elements of one row, as in Fogedby eqs. 4.20-4.25 (the dissipative kernel of eq.
    2.2 by default; ``dissipative=False`` includes ``-i E_{pp'}``).  Works for any master
    equation (secular or Bloch-Redfield)."""
    d = me.dim
    if not (1 <= p <= d and 1 <= pp <= d):
        raise ValueError(f"levels are labelled 1..{d}, got ({p}, {pp})")
    K = dissipative_kernel(me) if dissipative else me.kernel
    row = (p - 1, pp - 1)
    return tuple((q + 1, qq + 1) for (out, (q, qq)), v in sorted(K.items(), key=lambda kv: kv[0][1])
                 if out == row and not vanishes(me, v))


def real_form(kernel: dict, coordinates) -> sp.Matrix:
    """A generator given as ``{((p, p'), (q, q')): K}`` (0-based, ``d rho_pp'/dt = sum K
    rho_qq'``) in the real coordinates ``coordinates`` (see :func:`real_coordinates`): the real
    matrix ``M`` of ``dc_a/dt = sum_b M_ab c_b``.  Used for the derived equations and for the
    paper's eqs. 4.26-4.31 alike."""
    coords = tuple(coordinates)
    by_col: dict = {}
    for (out, inn), v in kernel.items():
        by_col.setdefault(inn, {})[out] = v
    M = sp.zeros(len(coords), len(coords))
    for b, cb in enumerate(coords):
        Y: dict = {}
        for ij, c in _coordinate_matrix(cb).items():
            for kl, v in by_col.get(ij, {}).items():
                Y[kl] = Y.get(kl, 0) + c * v
        for a, ca in enumerate(coords):
            M[a, b] = tidy(_read_coordinate(Y, ca))
    return M


def real_generator(me, coordinates, *, dissipative: bool = False) -> sp.Matrix:
    """The generator of ``me`` restricted to ``coordinates`` (see :func:`real_coordinates`) as
    the real matrix ``M`` of ``dc_a/dt = sum_b M_ab c_b`` -- Fogedby eqs. 4.26-4.31 for
    ``coordinates = real_coordinates([(0,0), (1,1), (2,2), (3,3), (1,2)])``, ``c = (rho_11,
    ..., rho_44, Re rho_23, Im rho_23)``.  ``dissipative=True`` drops ``-i[H_S, .]``.  Entries
    coupling to coordinates outside the list are not shown; pass a whole sector to get a
    closed set of equations."""
    return real_form(dissipative_kernel(me) if dissipative else me.kernel, coordinates)


@dataclass(frozen=True)
class RedfieldMasterEquation(MasterEquation):
    """A Bloch-Redfield master equation (see the module docstring).

    ``channels`` are the secular (Davies) jump channels of the same model, kept for
    information: they give the population-to-population block (``rate_matrix``), which the
    secular and the Redfield equations share.  The generator (``kernel``,
    ``generator_action``, ``dissipator_action``) is built from ``terms``.
    """

    terms: tuple[RedfieldTerm, ...] = ()

    def terms_of(self, bath: str) -> tuple[RedfieldTerm, ...]:
        if bath not in self.bath_names:
            raise KeyError(f"no bath named {bath!r}; this master equation has baths {self.bath_names}")
        return tuple(t for t in self.terms if t.bath == bath)

    def dissipator_action(self, bath: str | None, i: int, j: int) -> dict[tuple[int, int], sp.Expr]:
        """``D_X(|i><j|)`` as ``{(k, l): coefficient}`` (0-based), for one bath or all (None):

            sum_k Gamma_k (J_k |i><j| P_k^dag - P_k^dag J_k |i><j|)
                + conj(Gamma_k) (P_k |i><j| J_k^dag - |i><j| J_k^dag P_k)

        (B&P eq. 3.135 summed over ``w'``; Fogedby eq. 5.2)."""
        out: dict[tuple[int, int], sp.Expr] = {}

        def add(k, l, v):
            out[(k, l)] = out.get((k, l), 0) + v

        terms = self.terms if bath is None else self.terms_of(bath)
        for t in terms:
            G = t.Gamma
            Gc = sp.conjugate(G)
            J, P = dict(t.operator), dict(t.partner)
            Jcol = [(m, a) for (m, n), a in J.items() if n == i]   # J|i>
            Pcol_j = [(m, a) for (m, n), a in P.items() if n == j]  # P|j>
            Pcol_i = [(m, a) for (m, n), a in P.items() if n == i]  # P|i>
            Jcol_j = [(m, a) for (m, n), a in J.items() if n == j]  # J|j>
            # J|i><j|P^dag
            for k, a in Jcol:
                for l, b in Pcol_j:
                    add(k, l, G * a * sp.conjugate(b))
            # P|i><j|J^dag
            for k, a in Pcol_i:
                for l, b in Jcol_j:
                    add(k, l, Gc * a * sp.conjugate(b))
            # -P^dag J |i><j| : (P^dag J)_{k i} = sum_m conj(P_{m k}) J_{m i}
            for (m, k), p in P.items():
                for m2, a in Jcol:
                    if m2 == m:
                        add(k, j, -G * sp.conjugate(p) * a)
            # -|i><j| J^dag P : (J^dag P)_{j l} = sum_m conj(J_{m j}) P_{m l}
            for (m, l), p in P.items():
                for m2, b in Jcol_j:
                    if m2 == m:
                        add(i, l, -Gc * sp.conjugate(b) * p)
        out = {kl: tidy(sp.expand(v)) for kl, v in out.items()}
        return {kl: v for kl, v in out.items() if v != 0}

    @property
    def dissipative_kernel(self) -> dict[tuple[tuple[int, int], tuple[int, int]], sp.Expr]:
        """Fogedby's dissipative kernel ``K_{pp',qq'}`` of eq. 2.2 (the generator without
        ``-i E_{pp'}``): ``{((p, p'), (q, q')): value}``, 0-based."""
        return dissipative_kernel(self)

    def dissipative_kernel_element(self, p, pp, q, qq) -> sp.Expr:
        """``K_{pp',qq'}`` of Fogedby eq. 2.2 (dissipative part only), 1-based labels."""
        return self.dissipative_kernel.get(((p - 1, pp - 1), (q - 1, qq - 1)), sp.S.Zero)

    def _vanishes(self, v) -> bool:
        return vanishes(self, v)

    def kernel_support(self, p: int, pp: int, *, dissipative: bool = True) -> tuple[tuple[int, int], ...]:
        """See :func:`kernel_support` (Fogedby eqs. 4.20-4.25)."""
        return kernel_support(self, p, pp, dissipative=dissipative)

    def real_generator(self, coordinates, *, dissipative: bool = False) -> sp.Matrix:
        """See :func:`real_generator` (Fogedby eqs. 4.26-4.31)."""
        return real_generator(self, coordinates, dissipative=dissipative)

    def numeric_solver(self, **kwargs):
        """The independent numeric counterpart used by :func:`qsym.verify` and
        :func:`qsym.derivation.check_result` (via ``numeric_solver_for``): a
        :class:`qsym.numeric.redfield.RedfieldSolver` of the same model, built from numeric
        matrices only (no Lamb shift, as this equation when built with ``lamb_shift=False``).

        Raises ``ValueError`` for an equation with Lamb shifts: its closed forms contain the
        unspecified functions ``S_X(w)``, which random samples cannot realise consistently
        with the principal-value integrals of the numeric generator."""
        if any(t.shift != 0 for t in self.terms):
            raise ValueError("this Bloch-Redfield equation carries the unspecified Lamb-shift functions S_X(w): "
                             "its closed forms cannot be checked at random samples. Build it with "
                             "lamb_shift=False, or use qsym.numeric.redfield.RedfieldSolver(model, lamb_shift=True) "
                             "directly with concrete spectral functions")
        from ..numeric.redfield import RedfieldSolver
        return RedfieldSolver(self.model, **kwargs)

    def apply(self, rho, bath: str | None = None, *, basis: str = "eigen"):
        """``L(rho)`` with the Bloch-Redfield dissipator (``bath=None``: ``-i[H_S, rho] +
        sum_X D_X(rho)``; else one bath's ``D_X(rho)``); ``rho`` a Matrix in the eigenbasis."""
        if basis != "eigen":
            raise NotImplementedError("the Bloch-Redfield apply() works in the eigenbasis (basis='eigen')")
        R = sp.Matrix(rho)
        d = self.dim
        if R.shape != (d, d):
            raise ValueError(f"Argument `rho` must be a {d}x{d} Matrix in the eigenbasis, got shape {R.shape}")
        out = sp.zeros(d, d)
        for i in range(d):
            for j in range(d):
                if R[i, j] == 0:
                    continue
                act = self.generator_action(i, j) if bath is None else self.dissipator_action(bath, i, j)
                for (k, l), v in act.items():
                    out[k, l] += v * R[i, j]
        return sp.ImmutableMatrix(out.applyfunc(sp.expand))

    def adjoint(self, X, bath: str | None = None, *, basis: str = "eigen"):
        """Heisenberg-picture generator, ``Tr[X L(rho)] = Tr[L^dag(X) rho]``:
        ``(L^dag X)_{q'q} = sum_{pp'} X_{p'p} K_{pp',qq'}`` (eigenbasis Matrix)."""
        if basis != "eigen":
            raise NotImplementedError("the Bloch-Redfield adjoint() works in the eigenbasis (basis='eigen')")
        M = sp.Matrix(X)
        d = self.dim
        if M.shape != (d, d):
            raise ValueError(f"Argument `X` must be a {d}x{d} Matrix in the eigenbasis, got shape {M.shape}")
        out = sp.zeros(d, d)
        for q in range(d):
            for qq in range(d):
                act = self.generator_action(q, qq) if bath is None else self.dissipator_action(bath, q, qq)
                out[qq, q] = sum((M[pp, p] * v for (p, pp), v in act.items()), sp.S.Zero)
        return sp.ImmutableMatrix(out.applyfunc(sp.expand))

    def current_operator(self, bath: str, *, basis: str = "eigen"):
        """Heat-current operator ``J_X = D_X^dag(H_S)`` with the Bloch-Redfield dissipator."""
        self.terms_of(bath)
        return self.adjoint(sp.diag(*self.energies), bath, basis=basis)

    def heat_current(self, bath: str, ss=None, *, by_channel: bool = False):
        """``q^X = Tr[H_S D_X(rho_ss)]`` (Fogedby eqs. 2.11-2.12) with the Redfield dissipator.
        A split by channel is not defined once coherences carry energy."""
        if by_channel:
            raise NotImplementedError(
                "the Bloch-Redfield dissipator mixes transition frequencies (terms with w != w'), so "
                "the heat current has no split by channel; use by_channel=False")
        return super().heat_current(bath, ss)

    def derivation_steps(self) -> tuple:
        """The model, then the Bloch-Redfield equation: Born and Markov, no secular
        approximation; the Lamb shift is kept when the terms carry shift functions."""
        from ..steps import Step, condition_texts, model_step
        with_shift = any(t.shift != 0 for t in self.terms)
        approximations = ("Born", "Markov") if with_shift else ("Born", "Markov", "no Lamb shift")
        statement = (r"\dot\rho = -i[H_S,\rho] + \sum_X\sum_{\omega,\omega'}\Gamma_X(\omega)\left(A(\omega)\rho "
                     r"A^\dagger(\omega') - A^\dagger(\omega')A(\omega)\rho\right) + \mathrm{h.c.},\quad"
                     r"\Gamma_X(\omega) = \tfrac12\gamma_X(\omega)" + (r" + iS_X(\omega)" if with_shift else "") + "")
        return (model_step(self.model),
                Step("master equation", "Bloch-Redfield master equation (no secular approximation; B&P eq. 3.135)",
                     statement, approximations, condition_texts(self.conditions)))

    def _repr_latex_(self):
        from ..latex import latex

        def op(elems):
            return " + ".join(rf"{latex(a)}\,|{m + 1}\rangle\langle {n + 1}|" for (m, n), a in elems)

        rows = [r"\dot\rho &= -i[H_S,\rho] + " + " + ".join(rf"\mathcal{{D}}_{{{b}}}[\rho]" for b in self.bath_names)]
        for t in self.terms:
            rows.append(rf"\mathcal{{D}}_{{{t.bath}}} &\ni \Gamma\,\big(J\rho P^\dagger - P^\dagger J\rho\big)"
                        rf" + \mathrm{{h.c.}},\ \Gamma = {latex(t.Gamma)},\ J = {op(t.operator)},\ "
                        rf"P = {op(t.partner)}\quad(\omega = {latex(t.frequency)})")
        for f in self.frequencies:
            if hasattr(f, "definition"):
                rows.append(rf"{latex(f)} &= {latex(f.definition)}")
        return r"$\begin{aligned}" + r"\\ ".join(rows) + r"\end{aligned}$"


def bloch_redfield_master_equation(model: OpenSystem, lamb_shift: bool = False, spectrum=None) -> RedfieldMasterEquation:
    """Derive the Bloch-Redfield (non-secular Born-Markov) master equation of ``model``.

    Steps: the spectrum of ``H_S``; each coupling operator in the eigenbasis and its Bohr
    decomposition with named transition frequencies and per-component rates (shared with
    :func:`qsym.global_master_equation`, i.e. :func:`qsym.dynamics.bohr.decompose`,
    ``sign_on_domain`` and ``name_frequencies``); then, instead of pairing each ``A(w)`` with
    itself (secular, B&P eq. 3.140), each ``A(w)`` is paired with the whole family
    ``P = sum_w' A(w')`` (B&P eq. 3.135; Fogedby eq. 5.2).

    Args:
        model: the open system.
        lamb_shift: include ``i S(w)`` in ``Gamma(w)`` as unspecified real functions (see
            :func:`lamb_shift_function`); off by default, as in Fogedby (sec. V.A).
        spectrum: a precomputed :func:`qsym.spectrum` of ``model.H``.

    Returns:
        A :class:`RedfieldMasterEquation` of kind ``"Bloch-Redfield (non-secular)"``.
    """
    if getattr(model, "dissipators", ()):
        raise NotImplementedError(
            f"the model has extra (non-bath) Lindblad dissipators {[D.name for D in model.dissipators]}; the "
            f"Bloch-Redfield equation is implemented for bath couplings only")
    spec = spectrum if spectrum is not None else symbolic_spectrum(model.H)
    sec = global_master_equation(model, spec)
    terms: list[RedfieldTerm] = []
    for c in model.couplings:
        name = c.bath.name
        chans = [ch for ch in sec.channels if ch.bath == name]
        if c.form == "hermitian":
            fams = {"hermitian": chans}
        else:
            fams = {"emission": [ch for ch in chans if not ch.frequency.could_extract_minus_sign()],
                    "absorption": [ch for ch in chans if ch.frequency.could_extract_minus_sign()]}
        for fam, members in fams.items():
            P: dict = {}
            for ch in members:
                for mn, a in ch.operator:
                    P[mn] = P.get(mn, 0) + a
            partner = tuple((mn, a) for mn, a in sorted(P.items()) if a != 0)
            for ch in members:
                shift = sp.S.Zero
                if lamb_shift:
                    S = lamb_shift_function(name, fam)
                    shift = S(-ch.frequency) if fam == "absorption" else S(ch.frequency)
                terms.append(RedfieldTerm(name, fam, ch.operator, partner, ch.frequency, ch.rate, shift))
    conditions = tuple(cd for cd in sec.conditions if cd[0] != sp.Symbol("secular"))
    conditions += ((sp.Symbol("Born-Markov"),
                    "weak coupling (Born) and rates g(omega)(1+2n(omega)) small compared with the inverse "
                    "bath correlation time (Markov); unlike the secular equation, distinct Bohr frequencies "
                    "need not differ by more than the rates. The generator is not completely positive and is "
                    "second order in the coupling: steady-state coherences O(g/E) are meaningful, corrections "
                    "O((g/E)^2) to populations and currents are of the order of neglected higher-order terms; "
                    "check numerically with qsym.numeric.redfield.compare_secular_redfield"),)
    return RedfieldMasterEquation(model, spec, tuple(sec.channels), KIND, sec.frequencies, conditions,
                                  None, tuple(terms))


def first_order_steady_state(me: RedfieldMasterEquation, secular=None) -> SteadyState:
    """Steady state of the Bloch-Redfield equation to first order in ``g/E``.

    Perturbation theory in the dissipator ``D`` (``L = L_0 + D``, ``L_0 = -i[H_S, .]``), with
    ``rho = rho^(0) + rho^(1) + ...`` and ``rho^(k) = O((g/E)^k)``:

    * ``rho^(0)``: the populations of the secular (Davies) steady state (the Redfield and
      secular population blocks coincide; Fogedby eqs. 2.3-2.4, 3.45-3.49);
    * ``rho^(1)`` on the coherences of non-degenerate levels, from ``d rho_ij/dt = 0`` at
      leading order (Fogedby eqs. 4.30-4.31 with the source ``B_p rho_p`` kept and ``C``
      of higher order):

          rho_ij^(1) = sum_p K_{ij,pp} rho_p^(0) / (i (E_i - E_j));

    * ``rho^(1)`` on the populations, from the next solvability condition
      ``sum_q K_{pp,qq} delta_q = -sum_{ij} K_{pp,ij} rho_ij^(1)``, ``sum_q delta_q = 0``.  For
      Fogedby's coupled qubits the source vanishes (``K_{pp,23} = K_{pp,32}`` and
      ``rho_32^(1) = -rho_23^(1)``), so the populations are secular up to ``O((g/E)^2)``.

    ``secular``: the secular steady state (computed from ``me.channels`` if omitted).
    Raises ``ValueError`` for a coherence between degenerate levels fed by the populations.
    """
    if secular is None:
        sec_me = MasterEquation(me.model, me.spectrum, me.channels, "global secular (Davies)",
                                me.frequencies, me.conditions)
        secular = sec_me.steady_state()
    d = me.dim
    rho = sp.Matrix(secular.rho)
    if any(rho[i, j] != 0 for i in range(d) for j in range(d) if i != j):
        raise ValueError("the zeroth-order state must be diagonal in the eigenbasis (a secular steady state "
                         "of non-degenerate levels)")
    E = me.energies
    coh = {}
    for i in range(d):
        for j in range(d):
            if i == j:
                continue
            src = sp.Add(*[me.kernel.get(((i, j), (p, p)), 0) * rho[p, p] for p in range(d)])
            if me._vanishes(src):
                continue
            dE = sp.simplify(E[i] - E[j])
            if dE == 0:
                raise ValueError(f"levels {i + 1} and {j + 1} are degenerate: the coherence rho_{i + 1}{j + 1} is "
                                 f"not small and has no first-order expression; solve the full sector")
            coh[(i, j)] = src / (sp.I * dE)
    # first-order populations: K_pop delta = -s, sum delta = 0
    s = [sp.Add(*[me.kernel.get(((p, p), ij), 0) * v for ij, v in coh.items()]) for p in range(d)]
    method = ("first order in g/E: secular populations and coherences rho_ij = sum_p K_{ij,pp} rho_p / "
              "(i (E_i - E_j))")
    if all(me._vanishes(x) for x in s):
        method += "; the coherences do not feed the populations at first order (sum_ij K_{pp,ij} rho_ij = 0)"
    else:
        from .steady import _fraction_free_solve
        K = me.rate_matrix()
        A = sp.Matrix(K)
        A[0, :] = sp.ones(1, d)
        b = sp.Matrix([-x for x in s])
        b[0] = 0
        delta = _fraction_free_solve(A, b)
        for p in range(d):
            rho[p, p] = rho[p, p] + delta[p]
        method += "; first-order population shifts from sum_q K_pq delta_q = -sum_ij K_{pp,ij} rho_ij"
    for (i, j), v in coh.items():
        rho[i, j] = v
    return SteadyState(sp.ImmutableMatrix(rho), method, (), (), me)
