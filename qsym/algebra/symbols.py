"""Symbols with physical assumptions, and symbols that carry their own definition.

Conventions (used throughout qsym): hbar = k_B = 1, so frequencies are energies and
temperatures are energies.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["symbols", "DefinedSymbol", "expand_definitions", "defined_symbols_in"]


def symbols(names: str, **assumptions) -> tuple[sp.Symbol, ...] | sp.Symbol:
    """Create SymPy symbols with physical assumptions (``positive=True`` for
    frequencies, temperatures and rates).

    Examples:
        >>> w1, T = symbols("omega_1 T", positive=True)
        >>> (w1 / T).is_positive
        True
    """
    return sp.symbols(names, **assumptions)


class DefinedSymbol(sp.Symbol):
    """A symbol that stands for an expression, e.g. ``alpha = cos(theta/2)`` or
    ``omega_+ = omega_m + sqrt(Delta^2 + lambda^2)``.

    Results are kept in terms of such symbols so that they read in a paper's notation;
    :func:`expand_definitions` substitutes them (recursively) for numerics.  Two defined
    symbols with the same name but different definitions are different symbols.
    """

    __slots__ = ("definition",)

    def __new__(cls, name: str, definition, **assumptions):
        obj = sp.Symbol.__xnew__(cls, name, **assumptions)
        obj.definition = sp.sympify(definition)
        return obj

    def __getnewargs_ex__(self):
        return ((self.name, self.definition), self.assumptions0)

    def _hashable_content(self):
        return super()._hashable_content() + (self.definition,)

    def __reduce_ex__(self, protocol):
        return (_rebuild_defined, (self.name, self.definition, self.assumptions0))


def _rebuild_defined(name, definition, assumptions):
    return DefinedSymbol(name, definition, **assumptions)


def defined_symbols_in(expr) -> set[DefinedSymbol]:
    """All defined symbols in ``expr``, including those inside other definitions."""
    found: set[DefinedSymbol] = set()
    stack = [sp.sympify(expr)]
    while stack:
        e = stack.pop()
        for s in e.atoms(DefinedSymbol):
            if s not in found:
                found.add(s)
                stack.append(s.definition)
    return found


def expand_definitions(expr):
    """Replace every :class:`DefinedSymbol` by its definition, recursively.

    Works on expressions and matrices.

    Examples:
        >>> x = symbols("x", positive=True)
        >>> a = DefinedSymbol("a", 2 * x, positive=True)
        >>> b = DefinedSymbol("b", a + 1, positive=True)
        >>> expand_definitions(b**2)
        (2*x + 1)**2
    """
    expr = sp.sympify(expr)
    for _ in range(50):
        atoms = expr.atoms(DefinedSymbol)
        if not atoms:
            return expr
        expr = expr.xreplace({s: s.definition for s in atoms})
    raise RecursionError("definitions of DefinedSymbols are cyclic")
