"""The frozen model every method consumes: system Hamiltonian, couplings to baths, and the
physical domain of its parameters."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
import warnings

import sympy as sp

from .algebra.operators import Operator
from .baths import Bath

__all__ = ["Coupling", "OpenSystem", "replace"]

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
    """

    H: Operator
    couplings: tuple[Coupling, ...] = ()
    assumptions: tuple = ()
    domain: tuple = ()
    name: str = "system"

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

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        """All free symbols of the model, sorted by name."""
        syms = set(self.H.free_symbols())
        for c in self.couplings:
            syms |= c.operator.free_symbols() | c.bath.parameters()
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
            parts.append(rf"\text{{bath {c.bath.name}}}:\ T_{{{c.bath.name}}} = {latex(c.bath.temperature)}")
        return "$\\begin{gathered}" + r"\\ ".join(parts) + r"\end{gathered}$"
