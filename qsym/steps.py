"""The steps of a derivation, as data: the model, each approximation made (Born, Markov,
secular, RWA, truncation, limit ...) and the assumptions each step used.

Every stage of the pipeline knows how it was obtained and says so through a
``derivation_steps()`` method returning a tuple of :class:`Step` (the model first, then the
stage's own step).  :func:`steps_of` collects the steps behind a list of
:class:`qsym.Result` (their ``me`` and ``limit``), without duplicates and in pipeline order,
so a derivation module needs no bookkeeping of its own; a module may add steps of its own by
defining ``steps()`` (returned after the collected ones).

A step renders as LaTeX (``_repr_latex_``) and as Markdown (:meth:`Step.markdown`).
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["Step", "APPROXIMATIONS", "steps_of", "model_step", "assumption_texts"]

#: the approximations a step may name (``Step.approximations`` draws from these)
APPROXIMATIONS = {
    "Born": "second order in the system-bath coupling; the bath stays in its thermal state",
    "Markov": "bath correlation time much shorter than the system's relaxation time",
    "secular": "Bohr frequencies resolved: |omega - omega'| much larger than the rates",
    "RWA": "rotating-wave coupling L^dag X + L X^dag (counter-rotating terms dropped)",
    "local": "inter-site coupling small against the site frequencies (dissipators of the uncoupled sites)",
    "truncation": "series truncated at a stated order",
    "limit": "leading order of an asymptotic regime, with the order of the correction",
    "no Lamb shift": "the bath-induced energy renormalisation is dropped",
    "counterterm": "Caldeira-Leggett counterterm: the bath does not renormalise the static potential",
}


@dataclass(frozen=True)
class Step:
    """One step of a derivation.

    Attributes:
        kind: ``"model"``, ``"master equation"``, ``"solution"``, ``"limit"``, ``"dynamics"`` ...
        title: one line, in words.
        statement: the step's equation(s), LaTeX math body (no ``$``), may be empty.
        approximations: names from :data:`APPROXIMATIONS` (empty: exact step).
        assumptions: what the step relied on, each a short text whose math is in ``$...$``.
        equations: ``((lhs_latex, expr), ...)``: the step's objects (Hamiltonian, coupling
            operators ...), typeset with line breaking by the report.
    """

    kind: str
    title: str
    statement: str = ""
    approximations: tuple = ()
    assumptions: tuple = ()
    equations: tuple = ()

    def __post_init__(self):
        unknown = [a for a in self.approximations if a not in APPROXIMATIONS]
        if unknown:
            raise ValueError(f"Step {self.title!r}: argument `approximations` must name entries of "
                             f"qsym.steps.APPROXIMATIONS {sorted(APPROXIMATIONS)}, got {unknown}")

    @property
    def exact(self) -> bool:
        return not self.approximations

    def approximation_text(self) -> str:
        return ", ".join(self.approximations) if self.approximations else "exact (no approximation)"

    def markdown(self) -> str:
        from .latex import latex
        lines = [f"**{self.title}** ({self.kind}; {self.approximation_text()})", ""]
        for lhs, expr in self.equations:
            lines += ["$$", f"{lhs} = {latex(expr)}", "$$", ""]
        if self.statement:
            lines += ["$$", self.statement, "$$", ""]
        lines += [f"- {a}" for a in self.assumptions]
        return "\n".join(lines)

    def _repr_latex_(self):
        from .latex import latex
        head = rf"\text{{{self.title}}}\quad [\text{{{self.approximation_text()}}}]"
        rows = [head] + [f"{lhs} = {latex(expr)}" for lhs, expr in self.equations]
        rows += [self.statement] if self.statement else []
        return r"$\begin{gathered}" + r"\\ ".join(rows) + r"\end{gathered}$"


def assumption_texts(assumptions) -> tuple:
    """``$w_1 > w_2$``-style texts of SymPy relations (strings are kept as they are)."""
    from .latex import latex
    return tuple(a if isinstance(a, str) else f"${latex(a)}$" for a in assumptions)


def positivity_text(symbols) -> str:
    """The symbols declared positive, as one assumption text."""
    from .latex import latex
    pos = sorted((s for s in symbols if getattr(s, "is_positive", False) and isinstance(s, sp.Symbol)), key=str)
    return ("$" + ", ".join(latex(s) for s in pos) + r" > 0$") if pos else ""


def model_step(model) -> Step:
    """The model of an :class:`qsym.OpenSystem`: ``H_S``, its couplings and baths."""
    from .latex import latex
    equations = [("H_S", model.H.matrix)]
    rows = []
    approximations = []
    assumptions = list(assumption_texts(model.assumptions))
    for c in model.couplings:
        b = c.bath
        if c.form == "rwa":
            rows.append(rf"H_{{S{b.name}}} = L_{{{b.name}}}^\dagger X_{{{b.name}}} + L_{{{b.name}}} X_{{{b.name}}}^\dagger")
            equations.append((f"L_{{{b.name}}}", c.operator.matrix))
            if "RWA" not in approximations:
                approximations.append("RWA")
        else:
            rows.append(rf"H_{{S{b.name}}} = S_{{{b.name}}}(X_{{{b.name}}} + X_{{{b.name}}}^\dagger)")
            equations.append((f"S_{{{b.name}}}", c.operator.matrix))
        assumptions.append(f"bath {b.name}: {type(b).__name__}, temperature ${latex(b.temperature)}$, "
                           f"spectral function {type(b.spectral).__name__}")
    for D in getattr(model, "dissipators", ()):
        assumptions.append(f"extra dissipator {D.name} (belongs to no bath)")
    pos = positivity_text(model.H.matrix.free_symbols)
    if pos:
        assumptions.append(pos)
    return Step("model", f"Model: {model.name}", r",\quad ".join(rows), tuple(approximations), tuple(assumptions),
                tuple(equations))


def limit_step(lim) -> Step:
    """A :class:`qsym.asymptotics.Limit`: regime, variable, point and the order of the correction."""
    from .latex import latex
    statement = (rf"{latex(lim.variable)} \to {latex(lim.point)}:\quad f = f_0\left(1 + "
                 rf"\mathcal{{O}}\left({latex(lim.correction)}\right)\right)")
    assumptions = tuple(f"${latex(k)} = {latex(v)}$ (introduced)" for k, v in (lim.introduced or {}).items())
    return Step("limit", f"Regime: {lim.regime}, {lim.variable} -> {lim.point}", statement, ("limit",), assumptions)


def stage_steps(stage) -> tuple:
    """The steps of one pipeline stage (its ``derivation_steps()``); a stage without that
    method is an engine defect, reported rather than skipped."""
    if not hasattr(stage, "derivation_steps"):
        raise TypeError(f"{type(stage).__name__} does not record its derivation steps; "
                        f"give it a `derivation_steps()` method returning qsym.steps.Step objects")
    return tuple(stage.derivation_steps())


def steps_of(results, extra=()) -> tuple:
    """The steps behind ``results`` (each ``Result.me`` and ``Result.limit``), each once, in
    pipeline order (models, then master equations / dynamics, then limits), then ``extra``."""
    seen, out = set(), []

    def add(step):
        if step not in seen:
            seen.add(step)
            out.append(step)
    stages = []
    for r in results:
        if r.me is not None and all(r.me is not s for s in stages):
            stages.append(r.me)
    for st in stages:
        for step in stage_steps(st):
            add(step)
    for r in results:
        lims = r.limit if isinstance(r.limit, (list, tuple)) else ([r.limit] if r.limit is not None else [])
        for lim in lims:
            add(limit_step(lim))
    for step in extra:
        add(step)
    return tuple(sorted(out, key=lambda s: s.kind == "limit"))  # stable: pipeline order, limits last


def condition_texts(conditions) -> tuple:
    """Texts of a stage's ``conditions`` (``(relation, how established)`` pairs)."""
    from .latex import latex
    out = []
    for rel, how in conditions:
        if isinstance(rel, sp.Symbol) and not rel.is_positive and str(rel).isalpha():
            out.append(f"{rel}: {how}")
        else:
            out.append(f"${latex(rel)}$ ({how})")
    return tuple(out)
