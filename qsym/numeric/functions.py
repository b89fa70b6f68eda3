"""Closed forms -> fast numeric functions (NumPy, common-subexpression elimination)."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from ..algebra.symbols import expand_definitions
from ..baths import expand_occupations

__all__ = ["to_numeric", "NumericFunction", "spectral_realisation", "undefined_spectral_functions",
           "substitute_spectral"]


def undefined_spectral_functions(expr) -> dict[str, type]:
    """``{bath_name: g_X}`` for every undefined spectral function ``g_X(.)`` in ``expr``."""
    out = {}
    for f in sp.sympify(expr).atoms(AppliedUndef):
        name = f.func.__name__
        if name.startswith("g_"):
            out[name[2:]] = f.func
    return out


def substitute_spectral(expr, spectral, dps: int | None = None):
    """Replace every unspecified spectral function ``g_X(w)`` of ``expr`` by its realisation
    ``spectral[X]`` (keys: bath names ``"X"``, names ``"g_X"`` or the function classes), a SymPy
    ``Lambda``.  With ``dps``, the realisation's Float parameters are raised to that precision
    (15-digit Floats would put a ~1e-17 floor under arbitrary-precision evaluations)."""
    by_name = {}
    for k, lam in spectral.items():
        name = str(getattr(k, "__name__", k))
        if dps is not None:
            lam = lam.xreplace({f: sp.Float(f, dps) for f in lam.atoms(sp.Float)})
        by_name[name if name.startswith("g_") else f"g_{name}"] = lam
    expr = sp.sympify(expr)
    for f in sorted(expr.atoms(AppliedUndef), key=str):
        if f.func.__name__ in by_name:
            expr = expr.replace(f.func, by_name[f.func.__name__])
    return expr


def spectral_realisation(bath_name: str):
    """A positive family standing in for an unspecified ``g_X``:
    ``g_X(w) = kappa_X (w/w_cX)^s_X exp(-w/w_cX)`` with its three parameter symbols and
    their sampling ranges (weak coupling, sub- to super-Ohmic)."""
    k, s, c = sp.symbols(f"kappa_{bath_name}__g s_{bath_name}__g omegac_{bath_name}__g", positive=True)
    w = sp.Dummy("w", positive=True)
    lam = sp.Lambda(w, k * (w / c) ** s * sp.exp(-w / c))
    ranges = {k: (0.005, 0.05), s: (0.0, 2.0), c: (0.5, 5.0)}
    return lam, ranges


@dataclass
class NumericFunction:
    """A lambdified closed form with a fixed argument order ``params``."""

    expr: sp.Expr
    params: tuple[sp.Symbol, ...]
    func: object

    def __call__(self, values: dict):
        missing = [p for p in self.params if p not in values]
        if missing:
            raise KeyError(f"values missing for parameters {missing}")
        return self.func(*[values[p] for p in self.params])


def to_numeric(expr, params=None, *, spectral: dict | None = None) -> NumericFunction:
    """Lambdify ``expr`` after expanding defined symbols (alpha, omega_+ ...) and
    occupations (as ``1/expm1(w/T)``); undefined spectral functions ``g_X`` are replaced by
    ``spectral[X]`` (a SymPy ``Lambda``).  Argument order: ``params`` (default: sorted free
    symbols).  Uses ``cse=True``."""
    e = expand_occupations(expand_definitions(expr), expm1_form=True)
    if e.has(sp.coth):  # numpy has no coth; lambdify's exponential form overflows at large arguments
        e = e.replace(sp.coth, lambda x: 1 / sp.tanh(x))
    for name, g in undefined_spectral_functions(e).items():
        if spectral is None or name not in spectral:
            raise ValueError(
                f"the expression contains the unspecified spectral function g_{name}; pass "
                f"spectral={{'{name}': Lambda(w, ...)}} or give the bath a concrete spectrum")
        e = e.replace(g, spectral[name])
    if params is None:
        params = tuple(sorted(e.free_symbols, key=str))
    else:
        params = tuple(params)
        extra = e.free_symbols - set(params)
        if extra:
            raise ValueError(f"expression depends on {sorted(map(str, extra))}, not in `params`")
    f = sp.lambdify(params, e, modules="numpy", cse=True)
    return NumericFunction(e, params, f)
