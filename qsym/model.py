"""The frozen model every method consumes: system Hamiltonian, couplings to baths, extra
Lindblad dissipators that are not baths, and the physical domain of its parameters."""
from __future__ import annotations

from dataclasses import dataclass, replace
import warnings

import sympy as sp

from .algebra.operators import Operator
from .baths import Bath

__all__ = ["Coupling", "Dissipator", "OpenSystem", "replace"]

_FORMS = ("rwa", "hermitian")


@dataclass(frozen=True)
class Coupling:
    """System operator ``L`` coupled to ``bath``.

    ``form="rwa"`` (default): ``H_SB = L^dag X + L X^dag``, i.e. ``L`` is the operator that
    lowers the system energy (``sigma^-`` gives Fogedby's dipole coupling in the RWA,
    eqs. 3.2, 3.17).  ``form="hermitian"``: ``H_SB = S (X + X^dag)`` with ``S`` Hermitian.
    """

    operator: Operator
    bath: Bath
    form: str = "rwa"

    def __post_init__(self):
        if not isinstance(self.operator, Operator):
            raise TypeError(
                f"Argument `operator` of Coupling must be a qs Operator (e.g. q1.sm), "
                f"got {type(self.operator).__name__}")
        if not isinstance(self.bath, Bath):
            raise TypeError(f"Argument `bath` of Coupling must be a qs bath, got {type(self.bath).__name__}")
        if self.form not in _FORMS:
            raise ValueError(f"Argument `form` of Coupling must be one of {_FORMS}, got {self.form!r}")
        if self.form == "hermitian" and self.operator.is_hermitian() is False:
            raise ValueError(
                "Argument `operator` of a Coupling with form='hermitian' must be Hermitian; "
                "for a lowering operator such as sigma^- use form='rwa'")


def _check_jump_rate(name: str, k: int, rate) -> sp.Expr:
    try:
        rate = sp.sympify(rate)
    except (sp.SympifyError, TypeError):
        raise TypeError(f"Argument `jumps` of Dissipator {name!r}: the rate of jump {k} must be a SymPy "
                        f"expression or a number, got {rate!r}") from None
    if isinstance(rate, sp.MatrixBase) or not isinstance(rate, sp.Expr):
        raise TypeError(f"Argument `jumps` of Dissipator {name!r}: the rate of jump {k} must be a scalar, "
                        f"got {type(rate).__name__}")
    if rate.is_number and (rate.is_real is False or not rate.is_finite):
        raise ValueError(f"Argument `jumps` of Dissipator {name!r}: the rate of jump {k} must be a real "
                         f"rate >= 0, got {rate}")
    if rate.is_negative or (rate.is_number and rate < 0):
        raise ValueError(f"Argument `jumps` of Dissipator {name!r}: the rate of jump {k} must be >= 0 "
                         f"(a Lindblad rate), but is {rate}")
    if rate.is_nonnegative is None:
        warnings.warn(f"rate {rate} of jump {k} of Dissipator {name!r} is not known to be non-negative; "
                      f"declare its symbols positive (e.g. qs.symbols('epsilon', positive=True))", stacklevel=4)
    return rate


@dataclass(frozen=True)
class Dissipator:
    """A Lindblad dissipator that is not a heat bath:

        D(rho) = sum_k gamma_k (J_k rho J_k^dag - {J_k^dag J_k, rho}/2),

    given by its jump operators ``J_k`` and rates ``gamma_k >= 0`` (``jumps=((gamma_1, J_1), ...)``),
    e.g. Diosi's incoherent resonant coupling (2014, slides 3-4)
    ``L^K_AB rho = eps (a^dag b rho b^dag a + a b^dag rho b a^dag - {n_A + n_B - 2 n_A n_B, rho}/2)``,
    i.e. ``Dissipator("K", ((eps, a.dag()*b), (eps, a*b.dag())))``: the average over white-noise
    couplings ``sqrt(eps) (xi(t) a^dag b + h.c.)``.

    It is added unchanged (no Bohr decomposition, no secular approximation) to the local and
    global master equations and to the numeric solver.  It is driven by noise, not by a
    reservoir: it has no temperature and exchanges no heat with any bath; the energy it injects,
    ``Tr[H D(rho)]`` (zero when every ``J_k`` commutes with ``H``), is work done by the noise.
    """

    name: str
    jumps: tuple = ()

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Argument `name` of Dissipator must be a non-empty string, got {self.name!r}")
        try:
            items = tuple(self.jumps)
        except TypeError:
            raise TypeError(f"Argument `jumps` of Dissipator {self.name!r} must be a sequence of "
                            f"(rate, Operator) pairs, got {type(self.jumps).__name__}") from None
        if not items:
            raise ValueError(f"Argument `jumps` of Dissipator {self.name!r} must hold at least one "
                             f"(rate, Operator) pair, got an empty sequence")
        out = []
        for k, item in enumerate(items):
            if not (isinstance(item, (tuple, list)) and len(item) == 2):
                raise TypeError(f"Argument `jumps` of Dissipator {self.name!r}: item {k} must be a "
                                f"(rate, Operator) pair, got {item!r}")
            rate, op = item
            if isinstance(rate, Operator) and not isinstance(op, Operator):
                raise TypeError(f"Argument `jumps` of Dissipator {self.name!r}: item {k} is (Operator, rate); "
                                f"the order is (rate, Operator), e.g. (eps, a.dag()*b)")
            if not isinstance(op, Operator):
                raise TypeError(f"Argument `jumps` of Dissipator {self.name!r}: the jump operator of item {k} "
                                f"must be a qs Operator, got {type(op).__name__}")
            out.append((_check_jump_rate(self.name, k, rate), op))
        spaces = {op.space for _, op in out}
        if len(spaces) > 1:
            raise ValueError(f"the jump operators of Dissipator {self.name!r} act on different spaces "
                             f"{sorted(s.names for s in spaces)}; build them from one call of qs.qubits/qs.fermions")
        object.__setattr__(self, "jumps", tuple(out))

    @property
    def space(self):
        return self.jumps[0][1].space

    def parameters(self) -> set[sp.Symbol]:
        syms: set = set()
        for rate, op in self.jumps:
            syms |= rate.free_symbols | op.free_symbols()
        return syms


@dataclass(frozen=True)
class OpenSystem:
    """An open quantum system: Hamiltonian ``H``, couplings to baths, and the physical domain.

    Args:
        H: the system Hamiltonian (a Hermitian :class:`Operator`).
        couplings: one :class:`Coupling` per bath (bath names must be unique).
        assumptions: relations the parameters obey (``w1 > w2``, ``lam < sqrt(w1*w2)``);
            numeric checks draw samples that satisfy them and derivations may rely on them.
        domain: ``{symbol: (low, high)}`` sampling ranges for numeric checks, overriding the
            defaults (positive symbols log-uniform in [0.3, 3]).
        name: a label for printing.
        dissipators: extra Lindblad :class:`Dissipator` terms that are not baths (e.g. Diosi's
            incoherent coupling ``L^K_AB``); their names must differ from the bath names.
    """

    H: Operator
    couplings: tuple[Coupling, ...] = ()
    assumptions: tuple = ()
    domain: tuple = ()
    name: str = "system"
    dissipators: tuple = ()

    def __post_init__(self):
        if not isinstance(self.H, Operator):
            raise TypeError(f"Argument `H` must be a qs Operator, got {type(self.H).__name__}")
        herm = self.H.is_hermitian()
        if herm is False:
            bad = [(i, j) for i in range(self.H.shape[0]) for j in range(self.H.shape[1])
                   if sp.simplify(self.H.matrix[i, j] - sp.conjugate(self.H.matrix[j, i])) != 0]
            i, j = bad[0]
            raise ValueError(
                f"Argument `H` must be Hermitian, but H[{i},{j}] = {self.H.matrix[i, j]} while "
                f"conj(H[{j},{i}]) = {sp.conjugate(self.H.matrix[j, i])}; add the Hermitian "
                f"conjugate of the offending term (e.g. lam*(q1.sp*q2.sm + q1.sm*q2.sp)), or "
                f"declare the symbols real")
        if herm is None:
            warnings.warn("could not decide whether `H` is Hermitian; declare its symbols real or positive",
                          stacklevel=2)
        couplings = tuple(self.couplings)
        names = [c.bath.name for c in couplings]
        if len(set(names)) != len(names):
            raise ValueError(f"bath names in `couplings` must be unique, got {names}")
        for c in couplings:
            if not isinstance(c, Coupling):
                raise TypeError(f"`couplings` must hold qs.Coupling objects, got {type(c).__name__}")
            if c.operator.space != self.H.space:
                if c.operator.shape != self.H.shape:
                    raise ValueError(
                        f"coupling operator for bath {c.bath.name!r} has shape {c.operator.shape} "
                        f"but H has shape {self.H.shape}; build both from the same sites")
                raise ValueError(
                    f"coupling operator for bath {c.bath.name!r} acts on sites {c.operator.space.names}, "
                    f"unknown to H, whose sites are {self.H.space.names}")
        object.__setattr__(self, "couplings", couplings)
        if isinstance(self.dissipators, Dissipator):
            raise TypeError("Argument `dissipators` must be a sequence of qs Dissipator objects; wrap the single "
                            "one in a tuple: dissipators=(D,)")
        dissipators = tuple(self.dissipators)
        for D in dissipators:
            if not isinstance(D, Dissipator):
                raise TypeError(f"Argument `dissipators` must hold qs Dissipator objects, got {type(D).__name__}")
            if D.space != self.H.space:
                raise ValueError(
                    f"the jump operators of Dissipator {D.name!r} act on sites {D.space.names} "
                    f"(dimension {D.space.dim}), but H acts on sites {self.H.space.names} "
                    f"(dimension {self.H.space.dim}); build both from the same sites")
        all_names = names + [D.name for D in dissipators]
        if len(set(all_names)) != len(all_names):
            raise ValueError(f"the names of baths and dissipators must be unique, got baths {names} and "
                             f"dissipators {[D.name for D in dissipators]}")
        object.__setattr__(self, "dissipators", dissipators)
        object.__setattr__(self, "assumptions", tuple(sp.sympify(a) for a in self.assumptions))
        dom = self.domain.items() if isinstance(self.domain, dict) else self.domain
        object.__setattr__(self, "domain", tuple((s, (float(lo), float(hi))) for s, (lo, hi) in dom))
        for a in self.assumptions:
            if a in (sp.true, sp.false) or not isinstance(a, sp.core.relational.Relational):
                raise ValueError(f"Argument `assumptions` must hold relations like w1 > w2, got {a}")

    # ------------------------------------------------------------------------------------
    @property
    def dim(self) -> int:
        return self.H.space.dim

    @property
    def baths(self) -> tuple[Bath, ...]:
        return tuple(c.bath for c in self.couplings)

    def bath(self, name: str) -> Bath:
        for c in self.couplings:
            if c.bath.name == name:
                return c.bath
        raise KeyError(f"no bath named {name!r}; this model has baths {[c.bath.name for c in self.couplings]}")

    def coupling(self, name: str) -> Coupling:
        for c in self.couplings:
            if c.bath.name == name:
                return c
        raise KeyError(f"no bath named {name!r}; this model has baths {[c.bath.name for c in self.couplings]}")

    def dissipator(self, name: str) -> Dissipator:
        for D in self.dissipators:
            if D.name == name:
                return D
        raise KeyError(f"no dissipator named {name!r}; this model has dissipators "
                       f"{[D.name for D in self.dissipators]}")

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        """All free symbols of the model, sorted by name."""
        syms = set(self.H.free_symbols())
        for c in self.couplings:
            syms |= c.operator.free_symbols() | c.bath.parameters()
        for D in self.dissipators:
            syms |= D.parameters()
        return tuple(sorted(syms, key=lambda s: s.name))

    def domain_of(self, symbol) -> tuple[float, float] | None:
        for s, rng in self.domain:
            if s == symbol:
                return rng
        return None

    def with_temperatures(self, **temps) -> "OpenSystem":
        """A copy with some bath temperatures replaced, e.g. ``model.with_temperatures(B=T_A)``."""
        new = []
        for c in self.couplings:
            if c.bath.name in temps:
                c = replace(c, bath=replace(c.bath, temperature=temps[c.bath.name]))
            new.append(c)
        return replace(self, couplings=tuple(new))

    def _repr_latex_(self):
        from .latex import latex
        parts = [r"H_S = " + latex(self.H.matrix)]
        for c in self.couplings:
            T, name = c.bath.temperature, rf"T_{{{c.bath.name}}}"
            shown = name if latex(T) == name else rf"{name} = {latex(T)}"  # not "T_A = T_A"
            parts.append(rf"\text{{bath {c.bath.name}}}:\ {shown}")
        for D in self.dissipators:
            terms = ",\\ ".join(rf"{latex(r)}\ \text{{on}}\ {latex(op.matrix)}" for r, op in D.jumps)
            parts.append(rf"\text{{dissipator {D.name}}}:\ {terms}")
        return "$\\begin{gathered}" + r"\\ ".join(parts) + r"\end{gathered}$"
