"""Named regimes of derived expressions: high and low temperature, weak coupling.

Each regime returns a :class:`Limit`: the leading form, the order of the neglected terms
(relative to the leading form) and the variable approaching the regime; ``verify_limit``
checks it numerically (with mpmath, so deep in a regime nothing underflows or cancels):
along a sequence approaching the regime, ``|full/limit - 1|`` must vanish at the stated rate.
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from .algebra.symbols import expand_definitions
from .baths import BoseOccupation, _Occupation

__all__ = ["Limit", "high_temperature", "low_temperature", "weak_coupling", "verify_limit", "RegimeError"]


class RegimeError(ValueError):
    """The requested regime does not exist for this expression (variable absent, divergent...)."""


@dataclass(frozen=True)
class Limit:
    """``expr ~ leading * (1 + O(correction))`` as ``variable -> point``.

    ``scaling`` maps every parameter that moves with the regime to its expression in the
    ``variable`` (e.g. ``T_A -> tau t_A``); ``correction`` is the relative order of the
    neglected terms, in the same variable.
    """

    regime: str
    full: sp.Expr
    leading: sp.Expr
    correction: sp.Expr
    variable: sp.Symbol
    point: object
    scaling: tuple = ()

    def _repr_latex_(self):
        from .latex import latex
        return (rf"${latex(self.leading)}\left(1 + \mathcal{{O}}\left({latex(self.correction)}\right)\right)"
                rf"\quad ({self.regime})$")


def _check_present(expr, symbols, what):
    missing = [s for s in symbols if s not in expr.free_symbols]
    if missing:
        raise RegimeError(
            f"{what}: the limit variable(s) {missing} do not appear in the expression (free symbols: "
            f"{sorted(map(str, expr.free_symbols))}); the limit would be the expression itself")


def _temps_of(expr):
    return sorted({f.temperature for f in sp.sympify(expr).atoms(_Occupation)}, key=str)


def high_temperature(expr, temperatures=None, order: int = 0) -> Limit:
    """All given temperatures -> infinity together: ``T_X = tau * t_X``, series in ``1/tau``.

    Occupations are expanded, ``n(w) = T/w - 1/2 + w/(12 T) + ...``.  ``order`` counts the
    terms kept beyond the leading one (0: leading only).
    """
    expr = sp.sympify(expr)
    temps = list(temperatures) if temperatures is not None else _temps_of(expr)
    if not temps:
        raise RegimeError("high_temperature: the expression contains no temperature (no occupation n_X(w))")
    full = sp.expand_func(expand_definitions(expr))
    from .baths import expand_occupations
    full = expand_occupations(full)
    _check_present(full, temps, "high_temperature")
    x = sp.Symbol("epsilon", positive=True)  # epsilon = 1/tau
    tsym = {T: sp.Symbol(f"t_{str(T).split('_', 1)[-1]}" if "_" in str(T) else f"t{T}", positive=True)
            for T in temps}
    e = full.xreplace({T: t / x for T, t in tsym.items()})
    ser = sp.expand(sp.series(e, x, 0, order + 6).removeO())
    if ser.has(sp.zoo, sp.oo, sp.nan) or ser == 0:
        raise RegimeError("high_temperature: the series in 1/T does not exist (divergent) or vanishes")
    powers = sorted({t.as_coeff_exponent(x)[1] for t in sp.Add.make_args(ser)})
    coeff = {p: sp.simplify(sum(t for t in sp.Add.make_args(ser) if t.as_coeff_exponent(x)[1] == p)) for p in powers}
    powers = [p for p in powers if coeff[p] != 0]
    kept = sp.Add(*[coeff[p] for p in powers[: order + 1]])
    tau = sp.Symbol("tau", positive=True)
    nxt = powers[order + 1] if len(powers) > order + 1 else powers[-1] + 1
    back = {t: T / tau for T, t in tsym.items()}
    lead = sp.factor(sp.simplify(kept.xreplace({x: 1 / tau}).xreplace(back)))
    corr = tau ** (-(nxt - powers[0]))
    return Limit("high temperature", expr, lead, corr, tau, sp.oo, tuple((T, tau * t) for T, t in tsym.items()))


def low_temperature(expr, temperatures=None) -> Limit:
    """All given temperatures -> 0: ``n_X(w) = e^{-w/T_X} + O(e^{-2w/T_X})``; the leading
    exponentially small terms are kept (first order in every Boltzmann factor).

    The relative correction is ``O(e^{-w_min/T_max})``: the largest neglected Boltzmann factor.
    """
    expr = sp.sympify(expr)
    full = expand_definitions(expr)
    occ = sorted(full.atoms(BoseOccupation), key=str)
    if not occ:
        raise RegimeError("low_temperature: the expression contains no Bose occupation n_X(w)")
    eps = sp.Symbol("epsilon", positive=True)
    # n = y/(1 - y) with y = eps * exp(-w/T): expand in eps to the lowest non-vanishing order
    sub = {n: eps * sp.exp(-n.args[0] / n.temperature) / (1 - eps * sp.exp(-n.args[0] / n.temperature))
           for n in occ}
    e = full.xreplace(sub)
    ser = sp.series(e, eps, 0, 3).removeO()
    ser = sp.expand(ser)
    c0 = sp.simplify(ser.coeff(eps, 0))
    c1 = ser.coeff(eps, 1)
    if c0 != 0:
        lead = c0 + c1  # a finite T=0 value plus its leading thermal correction
    else:
        lead = c1
    if sp.simplify(lead) == 0:
        raise RegimeError("low_temperature: the leading exponentially small terms cancel; go to higher order")
    T = max(_temps_of(expr), key=str) if len(_temps_of(expr)) == 1 else sp.Symbol("T_max", positive=True)
    w = min((n.args[0] for n in occ), key=str)
    lead = sp.factor_terms(sp.powsimp(sp.expand(sp.together(lead)), combine="exp"))
    return Limit("low temperature", expr, lead, sp.exp(-w / T), T, 0)


def weak_coupling(expr, coupling, order: int = 1) -> Limit:
    """``coupling -> 0``: Taylor series of the expression (definitions expanded) to ``order``
    terms beyond the leading one."""
    expr = sp.sympify(expr)
    full = expand_definitions(expr)
    _check_present(full, [coupling], "weak_coupling")
    ser = sp.series(full, coupling, 0, order + 8).removeO()
    if ser.has(sp.zoo, sp.oo, sp.nan):
        raise RegimeError(f"weak_coupling: no power series in {coupling} (divergent)")
    ser = sp.expand(ser)
    powers = sorted({t.as_coeff_exponent(coupling)[1] for t in sp.Add.make_args(ser)})
    low = powers[0]
    kept = sum(ser.coeff(coupling, p) * coupling**p if p != 0 else ser.subs(coupling, 0) for p in powers[: order + 1])
    corr = coupling ** (powers[order + 1] - low) if len(powers) > order + 1 else coupling ** (order + 1)
    return Limit("weak coupling", expr, sp.simplify(kept), corr, coupling, 0)


def verify_limit(lim: Limit, values: dict, *, steps=(1e1, 1e2, 1e3, 1e4), dps: int = 60, spectral=None):
    """Check ``full / leading -> 1`` at the stated rate, with ``dps``-digit arithmetic.

    ``values`` fixes every other parameter; the regime variable is moved along ``steps``
    (tau for high temperature, 1/T for low temperature, 1/coupling for weak coupling).
    Returns ``(deviations, observed_rate)``: the observed log-log slope of ``|ratio - 1|``
    against the stated correction must be ~1.
    """
    from .baths import expand_occupations
    full = expand_occupations(expand_definitions(lim.full))
    lead = expand_occupations(expand_definitions(lim.leading))
    if spectral:
        for g, lam in spectral.items():
            full, lead = full.replace(g, lam), lead.replace(g, lam)
    devs, corrs = [], []
    with mpmath.workdps(dps):
        for s in steps:
            v = {k: sp.Float(val, dps) for k, val in values.items()}
            if lim.regime == "high temperature":
                for T, _ in lim.scaling:
                    v[T] = sp.Float(s, dps) * sp.Float(values[T], dps)
                corr = lim.correction.xreplace({lim.variable: sp.Float(s, dps)})
            elif lim.regime == "low temperature":
                for T in _temps_of(lim.full):
                    v[T] = sp.Float(values[T], dps) / sp.Float(s, dps)
                corr = lim.correction.xreplace({**v, lim.variable: max(v[T] for T in _temps_of(lim.full))})
            else:
                v[lim.variable] = sp.Float(values.get(lim.variable, 1), dps) / sp.Float(s, dps)
                corr = lim.correction.xreplace(v)
            f = sp.N(full.xreplace(v), dps)
            l_ = sp.N(lead.xreplace(v), dps)
            devs.append(abs(f / l_ - 1))
            corrs.append(abs(sp.N(corr, dps)))
    d = np.array([float(x) for x in devs])
    c = np.array([float(x) for x in corrs])
    ok = (d > 0) & (c > 0)
    rate = float(np.polyfit(np.log(c[ok]), np.log(d[ok]), 1)[0]) if ok.sum() >= 2 else float("nan")
    return d, rate
