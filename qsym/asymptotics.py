"""Named regimes of derived expressions.

Every regime returns a :class:`Limit`: the leading form, the order of the neglected terms
(relative to the leading form), the variable approaching the regime, and the plain limit
value.  ``verify_limit`` checks a Limit numerically with mpmath (so deep in a regime nothing
underflows or cancels): along a sequence approaching the regime, ``|full/leading - 1|`` must
vanish at the stated rate.

Regimes (all accept any expression of qsym's machinery; defined symbols are expanded):

* :func:`high_temperature` -- ``T_X = tau t_X``, ``tau -> oo``, series in ``1/tau``;
* :func:`low_temperature` -- ``T_X -> 0`` keeping the leading Boltzmann factors ``e^{-w/T}``;
* :func:`temperature_bias` -- ``T_A = T + Delta/2``, ``T_B = T - Delta/2``, ``Delta << T``,
  exponents expanded to first order in ``Delta`` (valid also when ``w Delta / T^2`` is O(1));
* :func:`weak_coupling` -- Taylor series in a coupling ``lambda -> 0``;
* :func:`weak_dissipation` -- series in ``epsilon / Gamma -> 0``;
* :func:`dispersive` -- series in ``coupling / detuning -> 0``;
* :func:`resonance` -- series in ``detuning / coupling -> 0``.

Relational assumptions (``w1 > w2``) are honoured by writing ``w1 = w2 + delta`` with a
positive ``delta`` before expanding, so ``sqrt((w1 - w2)^2)`` and ``atan2(., w1 - w2)`` take
their branch on the physical domain.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp

from .algebra.symbols import expand_definitions
from .baths import BoseOccupation, _Occupation, expand_occupations

__all__ = ["Limit", "high_temperature", "low_temperature", "temperature_bias", "weak_coupling",
           "weak_dissipation", "dispersive", "resonance", "verify_limit", "check_limit", "RegimeError"]


class RegimeError(ValueError):
    """The requested regime does not exist for this expression (variable absent, divergent,
    oscillating, exponentially small to all orders...)."""


@dataclass(frozen=True)
class Limit:
    """``full ~ leading * (1 + O(correction))`` as ``variable -> point``.

    Attributes:
        regime: its name (``"high temperature"``...).
        full: the expression the regime was taken of (as given).
        leading: the leading form (plus the requested number of further terms).
        correction: relative order of the neglected terms, in the regime's parameters.
        variable: the parameter that moves (``tau``, ``T``, ``lambda``, ``Delta``).
        point: where it goes (``0`` or ``oo``).
        value: the plain limit of ``full`` at the point (``0``, a finite value or ``oo``).
        scaling: ``(T_X, tau t_X)`` pairs for the high-temperature regime.
        introduced: new symbols the regime introduced, ``{Delta: omega_1 - omega_2}``;
            ``verify_limit`` computes their values from the original parameters.
    """

    regime: str
    full: sp.Expr
    leading: sp.Expr
    correction: sp.Expr
    variable: sp.Symbol
    point: object
    value: sp.Expr = None
    scaling: tuple = ()
    introduced: dict = field(default_factory=dict)

    def _repr_latex_(self):
        from .latex import latex
        return (rf"${latex(self.leading)}\left(1 + \mathcal{{O}}\left({latex(self.correction)}\right)\right)"
                rf"\quad (\text{{{self.regime}}}: {latex(self.variable)} \to {latex(self.point)})$")

    def __repr__(self):
        return f"Limit({self.regime}: {self.leading} * (1 + O({self.correction})) as {self.variable} -> {self.point})"


# ---- preparation -----------------------------------------------------------------------------
def _check_present(expr, symbols, what):
    missing = [s for s in symbols if s not in expr.free_symbols]
    if missing:
        raise RegimeError(
            f"{what}: the limit variable(s) {missing} do not appear in the expression (free symbols: "
            f"{sorted(map(str, expr.free_symbols))}); the limit would be the expression itself")


def _temps_of(expr):
    return sorted({f.temperature for f in sp.sympify(expr).atoms(_Occupation)}, key=str)


def _relation_substitutions(assumptions):
    """``a > b`` (symbols) -> ``a = b + delta_ab`` with ``delta_ab > 0``; returns (forward, back)."""
    fwd, back = {}, {}
    for rel in assumptions or ():
        rel = sp.sympify(rel)
        if not isinstance(rel, (sp.StrictGreaterThan, sp.GreaterThan, sp.StrictLessThan, sp.LessThan)):
            continue
        big, small = (rel.lhs, rel.rhs) if isinstance(rel, (sp.StrictGreaterThan, sp.GreaterThan)) else (rel.rhs, rel.lhs)
        if isinstance(big, sp.Symbol) and isinstance(small, sp.Symbol) and big not in fwd:
            d = sp.Symbol(f"delta_{big}{small}", positive=True)
            fwd[big] = small + d
            back[d] = big - small
    return fwd, back


def _rewrite_branches(e):
    """``atan2(y, x)`` with ``x > 0`` is ``atan(y/x)``; ``Abs`` of a positive expression is itself."""
    e = e.replace(lambda a: isinstance(a, sp.atan2) and a.args[1].is_positive, lambda a: sp.atan(a.args[0] / a.args[1]))
    e = e.replace(lambda a: isinstance(a, sp.Abs) and a.args[0].is_positive, lambda a: a.args[0])
    return e


def _prepare(expr, assumptions=(), *, lazy=False):
    """Definitions expanded (or, ``lazy``, left for the series engine to expand once each),
    relations ``a > b`` substituted as ``a = b + delta``, branches fixed.  Returns
    ``(expr, back, transform)``."""
    fwd, back = _relation_substitutions(assumptions)

    def transform(e):
        if fwd:
            e = e.xreplace(fwd)
        return _rewrite_branches(sp.expand_func(e))

    e = sp.sympify(expr)
    if not lazy:
        e = expand_definitions(e)
    return transform(e), back, transform


def _power_series(e, x, order, what, *, allow_negative=False, transform=None):
    """Terms ``[(power, coefficient)]`` of the series of ``e`` in ``x -> 0+``, lowest first,
    through ``order`` terms beyond the leading one plus the next non-vanishing power (for the
    correction); node-by-node series arithmetic (:mod:`qsym.series`)."""
    from .series import SeriesError, is_zero, power_series
    n = order + 3
    for _ in range(4):
        try:
            s = power_series(e, x, n, transform=transform)
        except SeriesError as exc:
            raise RegimeError(f"{what}: no asymptotic power series exists ({exc}); the expression oscillates, "
                              f"has a branch point or an essential singularity there") from exc
        terms = [(p, c) for p, c in s.terms() if not is_zero(c)]
        if len(terms) >= order + 2:
            break
        n += 4
    if not terms:
        raise RegimeError(f"{what}: the expression vanishes to all orders computed (exponentially small or "
                          f"identically zero); no power-law regime exists")
    if terms[0][0] < 0 and not allow_negative:
        raise RegimeError(f"{what}: the expression diverges like (small parameter)^{terms[0][0]}; "
                          f"the regime has no finite limit")
    if len(terms) < order + 2:  # no further term within the precision: the correction is beyond it
        terms.append((s.abs_prec, None))
    # only the kept coefficients are shown; the next one is needed for its power alone, and
    # tidying it can cost minutes (a weak-coupling current at order 1)
    return [(p, _tidy_coefficient(c) if c is not None and i <= order else c)
            for i, (p, c) in enumerate(terms)]


def _tidy_coefficient(c):
    """A kept coefficient in readable form: cancel, factor; ``simplify`` only when small."""
    c = sp.factor(sp.cancel(sp.together(c)))
    if sp.count_ops(c) < 80:
        s = sp.simplify(c)
        if sp.count_ops(s) <= sp.count_ops(c):
            c = s
    return c


def _value(powers):
    p0, c0 = powers[0]
    return c0 if p0 == 0 else (sp.S.Zero if p0 > 0 else sp.oo)


# ---- temperature regimes -----------------------------------------------------------------------
def high_temperature(expr, temperatures=None, order: int = 0, assumptions=()) -> Limit:
    """All given temperatures -> infinity together: ``T_X = tau t_X``, series in ``1/tau``.

    Occupations are expanded, ``n(w) = T/w - 1/2 + w/(12 T) + ...`` (Bose).  ``order``
    counts the terms kept beyond the leading one (0: leading only).  Growth in ``T`` (such as
    ``n ~ T/w``) is a valid leading form.
    """
    expr = sp.sympify(expr)
    temps = list(temperatures) if temperatures is not None else _temps_of(expand_definitions(expr))
    if not temps:
        raise RegimeError("high_temperature: the expression contains no temperature (no occupation n_X(w))")
    _, back, tf = _prepare(expr, assumptions, lazy=True)
    _check_present(expand_occupations(expand_definitions(expr)), temps, "high_temperature")
    x = sp.Symbol("epsilon", positive=True)  # epsilon = 1/tau
    tsym = {T: sp.Symbol(f"t_{str(T).split('_', 1)[-1]}" if "_" in str(T) else f"t{T}", positive=True)
            for T in temps}
    to_x = {T: t / x for T, t in tsym.items()}
    terms = _power_series(expr, x, order, "high_temperature", allow_negative=True,
                          transform=lambda e: expand_occupations(tf(e)).xreplace(to_x))
    tau = sp.Symbol("tau", positive=True)
    back_t = {t: T / tau for T, t in tsym.items()}
    kept = sp.Add(*[c * x**p for p, c in terms[: order + 1] if c is not None])
    lead = sp.factor(kept.xreplace({x: 1 / tau}).xreplace(back_t)).xreplace(back)
    nxt = terms[order + 1][0] if len(terms) > order + 1 else terms[min(order, len(terms) - 1)][0] + 1
    corr = tau ** (-(nxt - terms[0][0]))
    val = _value(terms)
    val = val.xreplace(back_t).xreplace(back) if val not in (sp.oo,) else val
    return Limit("high temperature", expr, lead, corr, tau, sp.oo, val,
                 tuple((T, tau * t) for T, t in tsym.items()))


def low_temperature(expr, temperatures=None, assumptions=()) -> Limit:
    """All temperatures -> 0 with ``n_X(w) = e^{-w/T_X} + O(e^{-2w/T_X})``: the leading
    exponentially small terms are kept (first order in every Boltzmann factor), added to the
    ``T = 0`` value when that is finite and non-zero.

    The relative correction is ``O(e^{-w_min/T_max})``, the largest neglected Boltzmann factor.
    """
    expr = sp.sympify(expr)
    full, back, tf = _prepare(expr, assumptions)
    occ = sorted(full.atoms(BoseOccupation), key=str)
    if not occ:
        raise RegimeError("low_temperature: the expression contains no Bose occupation n_X(w)")
    temps = _temps_of(full)
    if temperatures is not None:
        _check_present(full, list(temperatures), "low_temperature")
    eps = sp.Symbol("epsilon", positive=True)
    # n = y/(1 - y) with y = eps * exp(-w/T): expand in eps to the lowest non-vanishing order
    sub = {n: eps * sp.exp(-n.args[0] / n.temperature) / (1 - eps * sp.exp(-n.args[0] / n.temperature))
           for n in occ}
    e = full.xreplace(sub)
    from .series import is_zero, power_series
    terms = [(p, c) for p, c in power_series(e, eps, len(occ) + 3).terms() if not is_zero(c)]
    if not terms:
        raise RegimeError("low_temperature: the expression vanishes to every order in the Boltzmann factors")
    c0 = sp.simplify(terms[0][1]) if terms[0][0] == 0 else sp.S.Zero
    # the T = 0 value plus its leading thermal correction, or the lowest non-vanishing order
    kept = 2 if (c0 != 0 and len(terms) > 1) else 1
    lead = sp.Add(*[c for _, c in terms[:kept]])
    # relative order of the neglected terms, in powers of the largest Boltzmann factor
    m = (terms[kept][0] - terms[0][0]) if len(terms) > kept else None
    T = temps[0] if len(temps) == 1 else sp.Symbol("T_max", positive=True)
    w = _smallest([n.args[0] for n in occ], assumptions)
    lead = sp.factor_terms(sp.powsimp(sp.expand(sp.together(lead)), combine="exp")).xreplace(back)
    corr = sp.exp(-(m if m is not None else len(occ) + 3) * w / T).xreplace(back)
    return Limit("low temperature", expr, lead, corr, T, 0, c0.xreplace(back))


def _smallest(freqs, assumptions=()):
    """The smallest of the frequencies on the physical domain (compared at random points of
    it), or their ``Min`` when the order is not fixed."""
    from .series import _POINTS, _realise
    freqs = sorted(set(freqs), key=str)
    if len(freqs) == 1:
        return freqs[0]
    fwd, _ = _relation_substitutions(assumptions)
    while len(_POINTS) < 3:
        _POINTS.append({})
    vals = [[float(sp.N(_realise(_rewrite_branches(expand_definitions(f).xreplace(fwd)), p))) for f in freqs]
            for p in _POINTS]
    order = {min(range(len(freqs)), key=lambda i: v[i]) for v in vals}
    return freqs[order.pop()] if len(order) == 1 else sp.Min(*freqs)


def temperature_bias(expr, T_hot, T_cold, order: int = 1) -> Limit:
    """Small temperature bias: ``T_A = T + Delta/2``, ``T_B = T - Delta/2``, ``Delta -> 0``.

    Exponents ``-w/T_X`` are expanded to first order in ``Delta`` (their second-order term
    ``w Delta^2 / (4 T^3)`` is the neglected correction, so the form stays valid when
    ``w Delta / T^2`` is of order one, as in the low-temperature regime); everything else is
    expanded to ``order - 1`` in ``Delta``.
    """
    expr = sp.sympify(expr)
    full = expand_definitions(expr)
    _check_present(full, [T_hot, T_cold], "temperature_bias")
    T = sp.Symbol("T", positive=True)
    D = sp.Symbol("Delta", real=True)
    e = full.xreplace({T_hot: T + D / 2, T_cold: T - D / 2})
    exps = sorted(e.atoms(sp.exp), key=str)
    if not exps:
        raise RegimeError("temperature_bias: the expression has no Boltzmann factors exp(-w/T); "
                          "use weak_coupling(expr, Delta) after substituting T_A = T + Delta/2")
    dummies, corr_terms = {}, []
    for ex in exps:
        arg = ex.args[0]
        ser = sp.expand(sp.series(arg, D, 0, 3).removeO())
        first = ser.coeff(D, 0) + ser.coeff(D, 1) * D
        corr_terms.append(sp.Abs(ser.coeff(D, 2)))
        dummies[ex] = (sp.Dummy("E"), sp.exp(sp.expand(first)))
    rest = e.xreplace({ex: d for ex, (d, _) in dummies.items()})
    rest_ser = sp.series(rest, D, 0, order).removeO() if rest.has(D) else rest
    lead = rest_ser.xreplace({d: new for d, new in dummies.values()})
    lead = sp.simplify(sp.powsimp(sp.expand(lead), combine="exp"))
    lead = _cosh_form(lead, D)
    corr = sp.simplify((sp.Max(*corr_terms) if len(corr_terms) > 1 else corr_terms[0]) * D**2)
    value = sp.simplify(lead.subs(D, 0))
    return Limit("small temperature bias", expr, lead, corr, D, 0, value,
                 introduced={T: (T_hot + T_cold) / 2, D: T_hot - T_cold})


def _cosh_form(e, D):
    """``c (e^{a + b} + e^{a - b}) / 2 -> c e^a cosh(b)``: the paper's way of writing a bias."""
    try:
        c = sp.simplify(e.rewrite(sp.cosh))
        cand = sp.simplify(sp.powsimp(sp.expand(c.rewrite(sp.exp)), combine="exp") - sp.powsimp(sp.expand(e), combine="exp"))
        if cand == 0 and sp.count_ops(c) <= sp.count_ops(e):
            return c
    except Exception:  # noqa: BLE001 - keep the exponential form
        pass
    return e


# ---- small-parameter regimes -------------------------------------------------------------------
def _small_parameter(expr, small, scale, order, regime, assumptions, *, introduce=None):
    expr = sp.sympify(expr)
    _, back, tf = _prepare(expr, assumptions, lazy=True)
    introduced, extra = {}, {}
    if introduce is not None:
        sym, definition = introduce
        # solve definition = sym for one of its symbols (the first with coefficient +1)
        target = next((s for s in sorted(definition.free_symbols, key=str)
                       if sp.diff(definition, s) == 1), None)
        if target is None:
            raise RegimeError(f"{regime}: cannot express {definition} as a new variable")
        extra[target] = sp.solve(sp.Eq(definition, sym), target)[0]
        introduced[sym] = definition
        # a relation w1 > w2 turned into delta > 0 is now sym > 0, which the symbol carries
        extra.update({d: sym for d, v in back.items() if sp.simplify(v - definition) == 0})

    def physical(e):
        e = tf(e)
        return _rewrite_branches(e.xreplace(extra)) if extra else e

    full = physical(expand_definitions(expr))
    _check_present(full, [small], regime)
    x = sp.Symbol("x_small", positive=True)
    to_x = {small: x * scale} if scale is not None else {small: x}
    terms = _power_series(expr, x, order, regime, transform=lambda e: physical(e).xreplace(to_x))
    ratio = small / scale if scale is not None else small
    # order by order, each coefficient factored: lambda^2 F_2 + lambda^4 F_4 reads better than
    # one factored fraction of the sum
    lead = sp.Add(*[c * ratio**p for p, c in terms[: order + 1] if c is not None]).xreplace(back)
    nxt = terms[order + 1][0] if len(terms) > order + 1 else terms[min(order, len(terms) - 1)][0] + 1
    corr = ratio ** (nxt - terms[0][0])
    val = _value(terms)
    full_out = full.xreplace(back) if introduce is not None else expr
    return Limit(regime, full_out, lead, corr.xreplace(back), small, 0,
                 val.xreplace(back) if val is not sp.oo else val, introduced=introduced)


def weak_coupling(expr, coupling, order: int = 1, assumptions=()) -> Limit:
    """``coupling -> 0``: Taylor series of the expression (definitions expanded) to ``order``
    terms beyond the leading one.  ``assumptions`` (e.g. the model's ``w1 > w2``) fix the
    branches of square roots and angles."""
    return _small_parameter(expr, coupling, None, order, "weak coupling", assumptions)


def weak_dissipation(expr, small, large, order: int = 1, assumptions=()) -> Limit:
    """``small / large -> 0`` (e.g. ``epsilon / Gamma``): series in the ratio to ``order``."""
    return _small_parameter(expr, small, large, order, "weak dissipation", assumptions)


def _detuning(detuning):
    detuning = sp.sympify(detuning)
    if isinstance(detuning, sp.Symbol):
        return detuning, None
    D = sp.Symbol("Delta", positive=True)
    return D, (D, detuning)


def dispersive(expr, detuning, coupling, order: int = 1, assumptions=()) -> Limit:
    """Dispersive regime ``|coupling| << detuning``: series in ``coupling / detuning``.

    ``detuning`` may be an expression such as ``omega_1 - omega_2`` (then a positive symbol
    ``Delta`` is introduced for it)."""
    D, intro = _detuning(detuning)
    return _small_parameter(expr, coupling, D, order, "dispersive", assumptions, introduce=intro)


def resonance(expr, detuning, coupling, order: int = 1, assumptions=()) -> Limit:
    """Near resonance ``|detuning| << coupling``: series in ``detuning / coupling``."""
    D, intro = _detuning(detuning)
    if intro is not None:
        lim = _small_parameter(expr, D, coupling, order, "resonance", (), introduce=intro)
        return lim
    return _small_parameter(expr, D, coupling, order, "resonance", assumptions)


# ---- numeric check ---------------------------------------------------------------------------------
def _mp_values(lim: Limit, values: dict, dps: int) -> dict:
    v = {k: sp.Float(val, dps) for k, val in values.items()}
    for sym, definition in lim.introduced.items():
        if sym not in v:
            missing = definition.free_symbols - set(v)
            if missing:
                raise ValueError(f"verify_limit: `values` must give {sym} or {sorted(map(str, missing))}")
            v[sym] = sp.Float(sp.N(definition.xreplace(v), dps), dps)
    return v


def _numeric(e, v, dps):
    r = sp.N(e.xreplace(v), dps)
    if r.free_symbols:
        raise ValueError(f"verify_limit: no value given for {sorted(map(str, r.free_symbols))}")
    return r


def verify_limit(lim: Limit, values: dict, *, steps=(1e1, 1e2, 1e3, 1e4), dps: int = 60, spectral=None):
    """Deviations ``|full/leading - 1|`` along ``steps`` into the regime and their observed
    log-log slope against the stated correction (see ``_deviations``); ~1 when the stated
    order is tight."""
    d, c = _deviations(lim, values, steps, dps, spectral)
    return d, _slope(d, c)


def _slope(d, c):
    ok = (d > 0) & (c > 0)
    return float(np.polyfit(np.log(c[ok]), np.log(d[ok]), 1)[0]) if ok.sum() >= 2 else float("nan")


def _deviations(lim, values, steps, dps, spectral):
    """Check ``full / leading -> 1`` at the stated rate, with ``dps``-digit arithmetic.

    ``values`` fixes every parameter (the regime variable's starting value included, or the
    parameters its definition needs); the regime variable is then moved along ``steps``:
    ``T_X -> s T_X`` (high temperature), ``T_X -> T_X / s`` (low temperature), and
    ``v -> v / s`` for a variable going to 0.  Returns ``(deviations, observed_rate)``: the
    log-log slope of ``|full/leading - 1|`` against the stated correction must be ~1.
    """
    full = expand_occupations(expand_definitions(lim.full))
    correction = expand_occupations(expand_definitions(lim.correction))
    lead = expand_occupations(expand_definitions(lim.leading))
    if spectral:
        from .numeric.functions import substitute_spectral
        full, lead = substitute_spectral(full, spectral, dps), substitute_spectral(lead, spectral, dps)
    devs, corrs = [], []
    with mpmath.workdps(dps):
        base = _mp_values(lim, values, dps)
        for s in steps:
            v = dict(base)
            sF = sp.Float(s, dps)
            if lim.regime == "high temperature":
                for T, _ in lim.scaling:
                    v[T] = sF * base[T]
                corr = correction.xreplace({lim.variable: sF})
            elif lim.regime == "low temperature":
                temps = _temps_of(lim.full) or _temps_of(expand_definitions(lim.full))
                for T in temps:
                    v[T] = base[T] / sF
                corr = correction.xreplace({**v, lim.variable: max(v[T] for T in temps)})
            else:
                v[lim.variable] = base[lim.variable] / sF
                corr = correction.xreplace(v)
            fv = _full_value(full, lim, v, dps)
            lv = _numeric(lead, v, dps)
            devs.append(abs(fv / lv - 1))
            corrs.append(abs(_numeric(corr, v, dps)))
    d = np.array([float(x) for x in devs])
    c = np.array([float(x) for x in corrs])
    return d, c


def _full_value(full, lim, v, dps):
    """The full expression at ``v``; for regimes that introduced variables (``T``, ``Delta``)
    the original parameters are recovered from them."""
    if lim.regime == "small temperature bias":
        (T, _), (D, dd) = list(lim.introduced.items())
        hot, cold = [s for s in dd.free_symbols]
        hot, cold = (hot, cold) if sp.diff(dd, hot) == 1 else (cold, hot)
        v = {**v, hot: v[T] + v[D] / 2, cold: v[T] - v[D] / 2}
    elif lim.introduced:
        for sym, definition in lim.introduced.items():
            target = next(s for s in sorted(definition.free_symbols, key=str) if sp.diff(definition, s) == 1)
            rest = definition - target
            v = {**v, target: v[sym] - rest.xreplace(v)}
    return _numeric(full, v, dps)


def _low_temperature_steps(lim, values, targets=(5, 10, 20, 40, 80)):
    """Scale factors ``s`` (``T -> T/s``) at which the largest neglected Boltzmann factor is
    ``e^{-5}, ..., e^{-80}``: deep in the regime whatever the starting point."""
    c = lim.correction.xreplace({lim.variable: max(values[T] for T in _temps_of(lim.full))})
    c = c.xreplace({k: sp.Float(v, 30) for k, v in values.items()})
    x0 = float(-sp.log(sp.N(expand_definitions(c), 30)))
    return tuple(t / x0 for t in targets) if x0 > 0 else (2, 4, 8, 16, 32)


def check_limit(lim: Limit, values: dict, *, steps=None, dps: int | None = None, spectral=None,
                rate_tol: float = 0.1) -> dict:
    """``verify_limit`` with a verdict.

    Passed when the deviation ``|full/leading - 1|`` vanishes at least at the stated rate:
    the log-log slope against the stated correction over the three deepest steps is
    ``>= 1 - rate_tol`` (``O(.)`` is a bound; the observed slope is reported, ~1 when the
    stated order is tight), or when the deviation is below ``10^{-(dps-15)}`` at every step
    (the leading form is exact).  Low-temperature steps go to ``e^{-80}``, with 120 digits.
    """
    low = lim.regime == "low temperature"
    dps = dps or (160 if low else 60)
    if steps is None:
        steps = _low_temperature_steps(lim, values) if low else (1e1, 1e2, 1e3, 1e4)
    d, c = _deviations(lim, values, steps, dps, spectral)
    exact = bool(np.all(d < 10.0 ** (-(dps - 15))))
    r3 = _slope(d[-3:], c[-3:])
    passed = exact or (np.isfinite(r3) and r3 >= 1 - rate_tol and d[-1] < d[0])
    return {"deviations": d.tolist(), "observed_rate": r3, "exact": exact, "passed": bool(passed)}
