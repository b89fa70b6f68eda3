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
only in the secular approximation.
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
           "first_order_steady_state"]

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

    def heat_current(self, bath: str, ss=None, *, by_channel: bool = False):
        """``q^X = Tr[H_S D_X(rho_ss)]`` (Fogedby eqs. 2.11-2.12) with the Redfield dissipator.
        A split by channel is not defined once coherences carry energy."""
        if by_channel:
            raise NotImplementedError(
                "the Bloch-Redfield dissipator mixes transition frequencies (terms with w != w'), so "
                "the heat current has no split by channel; use by_channel=False")
        return super().heat_current(bath, ss)

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

    Write ``rho = rho^(0) + rho^(1)``: the populations are those of the secular (Davies) steady
    state (the Redfield and secular population blocks coincide, and the coherences feed back
    on the populations only at relative order ``(g/E)^2``), and every coherence of
    non-degenerate levels follows from ``d rho_ij/dt = 0`` at leading order,

        rho_ij^(1) = sum_p K_{ij,pp} rho_p^(0) / (i (E_i - E_j)),

    (Fogedby eqs. 4.30-4.31 with the source ``B_p rho_p`` kept and ``C`` of higher order).
    ``secular``: the secular steady state (computed from ``me.channels`` if omitted).
    Raises ``ValueError`` for a coherence between degenerate levels fed by the populations.
    """
    if secular is None:
        sec_me = MasterEquation(me.model, me.spectrum, me.channels, "global secular (Davies)",
                                me.frequencies, me.conditions)
        secular = sec_me.steady_state()
    d = me.dim
    rho = sp.Matrix(secular.rho)
    E = me.energies
    for i in range(d):
        for j in range(d):
            if i == j:
                continue
            src = sp.Add(*[me.kernel.get(((i, j), (p, p)), 0) * rho[p, p] for p in range(d)])
            if src == 0:
                continue
            dE = sp.simplify(E[i] - E[j])
            if dE == 0:
                raise ValueError(f"levels {i + 1} and {j + 1} are degenerate: the coherence rho_{i + 1}{j + 1} is "
                                 f"not small and has no first-order expression; solve the full sector")
            rho[i, j] = src / (sp.I * dE)
    return SteadyState(sp.ImmutableMatrix(rho), "first order in g/E: secular populations and coherences "
                       "rho_ij = sum_p K_{ij,pp} rho_p / (i (E_i - E_j))", (), (), me)
