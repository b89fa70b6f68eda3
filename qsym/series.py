"""Truncated power (Laurent) series of large derived expressions, node by node.

``sympy.series`` on a derived steady state (nested square roots, mixing angles, occupations
of shifted frequencies) is slow: it expands the whole tree before truncating.  Here each node
of the expression tree is expanded once, with *relative* precision, and combined with the
series arithmetic of its parent (Knuth, TAOCP vol. 2, sec. 4.7):

    x^v (c_0 + c_1 x + ... + c_{n-1} x^{n-1} + O(x^n)),   c_0 != 0.

Functions ``f(u)`` are composed through their Taylor coefficients at ``u_0`` (``f^{(k)}(u_0)/k!``),
which covers ``exp``, ``cos``, ``atan``, occupations ``n_X(w)`` and unspecified spectral
functions ``g_X(w)`` alike.  Whether a coefficient vanishes is decided symbolically when
SymPy can and otherwise at random points with 30-digit arithmetic (an identity that holds at
three random points of an analytic expression holds everywhere, up to probability zero).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from math import factorial

import sympy as sp

from .algebra.symbols import DefinedSymbol

__all__ = ["PowerSeries", "power_series", "SeriesError", "is_zero"]


class SeriesError(ValueError):
    """No power series exists (essential singularity, branch point, oscillation)."""


# ---- zero test ---------------------------------------------------------------------------------
_RNG = random.Random(12345)
_POINTS: list = []


def _realise(e, point):
    """``e`` at a random point: symbols -> values, undefined functions -> random smooth
    positive functions (so that derivatives of ``g_X`` are generic)."""
    from .algebra.symbols import expand_definitions
    from .baths import expand_occupations
    e = expand_occupations(expand_definitions(e).doit())  # defined symbols through their definitions
    funcs = {f.func for f in e.atoms(sp.core.function.AppliedUndef)}
    for fn in funcs:
        a, b = point.setdefault(("f", fn), (_RNG.uniform(0.5, 2), _RNG.uniform(-1, 1)))
        w = sp.Dummy("w")
        e = e.replace(fn, sp.Lambda(w, sp.Float(a, 30) * (1 + w) ** sp.Float(b, 30)))
    subs = {}
    for s in e.free_symbols:
        if s not in point:
            point[s] = _RNG.uniform(0.3, 3.0)
        subs[s] = sp.Float(point[s], 30)
    return e.doit().xreplace(subs)


class _Unsupported(Exception):
    pass


def _mp_funcs():
    import mpmath as mp
    return {sp.exp: mp.exp, sp.log: mp.log, sp.sin: mp.sin, sp.cos: mp.cos, sp.tan: mp.tan, sp.atan: mp.atan,
            sp.sinh: mp.sinh, sp.cosh: mp.cosh, sp.tanh: mp.tanh, sp.asin: mp.asin, sp.acos: mp.acos,
            sp.Abs: abs, sp.re: mp.re, sp.im: mp.im, sp.conjugate: mp.conj}


_MP_FUNCS = _mp_funcs()


def _undefined_realisation(fn, point):
    """``g(w) = a (1 + w)^b``: the random smooth positive function standing for ``fn``."""
    return point.setdefault(("f", fn), (_RNG.uniform(0.5, 2), _RNG.uniform(-1, 1)))


def _fast_value(e, point, memo):
    """``e`` at ``point`` in 30-digit mpmath, node by node with a memo (shared subtrees are
    evaluated once); the same realisation as :func:`_realise` (defined symbols through their
    definitions).  Raises ``_Unsupported`` for a node it does not know."""
    import mpmath as mp

    from .baths import BoltzmannFactor, BoseOccupation, FermiOccupation
    if e in memo:
        return memo[e]
    if e is sp.I:
        v = mp.mpc(0, 1)
    elif e.is_Number or e in (sp.pi, sp.E):
        v = mp.mpf(sp.Float(e, 30)._mpf_)
    elif isinstance(e, DefinedSymbol):
        v = _fast_value(e.definition, point, memo)
    elif e.is_Symbol:
        if e not in point:
            point[e] = _RNG.uniform(0.3, 3.0)
        v = mp.mpf(point[e])
    elif e.is_Add:
        v = mp.fsum(_fast_value(a, point, memo) for a in e.args)
    elif e.is_Mul:
        v = mp.fprod(_fast_value(a, point, memo) for a in e.args)
    elif e.is_Pow:
        b, x = e.args
        vb = _fast_value(b, point, memo)
        if x.is_Integer:
            v = vb ** int(x)
        else:
            v = mp.power(vb, _fast_value(x, point, memo))
    elif isinstance(e, (BoseOccupation, FermiOccupation, BoltzmannFactor)):
        w = _fast_value(e.args[0], point, memo)
        T = _fast_value(e.temperature, point, memo)
        if isinstance(e, BoseOccupation):
            v = 1 / mp.expm1(w / T)
        elif isinstance(e, FermiOccupation):
            v = 1 / (mp.exp((w - _fast_value(e.chemical_potential, point, memo)) / T) + 1)
        else:
            v = mp.exp(-w / T)
    elif isinstance(e, sp.core.function.AppliedUndef) and len(e.args) == 1:
        a, b = _undefined_realisation(e.func, point)
        v = mp.mpf(a) * (1 + _fast_value(e.args[0], point, memo)) ** mp.mpf(b)
    elif isinstance(e, sp.Derivative) and isinstance(e.expr, sp.core.function.AppliedUndef) \
            and len(e.expr.args) == 1 and e.expr.args[0].is_Symbol and len(e.variable_count) == 1 \
            and e.variable_count[0][0] == e.expr.args[0]:
        k = int(e.variable_count[0][1])
        a, b = _undefined_realisation(e.expr.func, point)
        w = _fast_value(e.expr.args[0], point, memo)
        v = mp.mpf(a) * mp.rf(mp.mpf(b) - k + 1, k) * (1 + w) ** (mp.mpf(b) - k)
    elif isinstance(e, sp.Subs):
        local = dict(point)
        for var, val in zip(e.variables, e.point):
            local[var] = _fast_value(val, point, memo)
        v = _fast_value(e.expr, local, {})  # own memo: the bound variables have other values
        for key, val in local.items():  # keep the realisations of functions met inside
            if isinstance(key, tuple):
                point.setdefault(key, val)
    elif e.func in _MP_FUNCS and len(e.args) == 1:
        v = _MP_FUNCS[e.func](_fast_value(e.args[0], point, memo))
    elif isinstance(e, sp.Function) and hasattr(mp, e.func.__name__):  # atan2, sign, ...
        v = getattr(mp, e.func.__name__)(*(_fast_value(a, point, memo) for a in e.args))
    else:
        raise _Unsupported(type(e).__name__)
    memo[e] = v
    return v


def _value_at(c, point):
    """``|c|`` at a random point, fast path first, else through SymPy's evaluation."""
    import mpmath as mp
    try:
        with mp.workdps(30):
            return abs(_fast_value(c, point, {}))
    except (_Unsupported, ZeroDivisionError, ValueError, TypeError):
        return abs(sp.N(_realise(c, point), 30))


def is_zero(c) -> bool:
    """Whether ``c`` vanishes identically (symbolic, else 3 random 30-digit evaluations)."""
    c = sp.sympify(c)
    if c == 0:
        return True
    if c.is_zero is False:
        return False
    while len(_POINTS) < 3:
        _POINTS.append({})
    try:
        vals = [_value_at(c, p) for p in _POINTS]
        if all(getattr(v, "is_number", True) for v in vals):
            return all(v < 1e-18 for v in vals)
    except (TypeError, ValueError, ZeroDivisionError):
        pass
    return sp.simplify(c) == 0


# ---- series arithmetic -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PowerSeries:
    """``x^val (c_0 + c_1 x + ... + c_{n-1} x^{n-1} + O(x^n))`` with ``c_0 != 0``; the zero
    series (to precision ``prec`` absolute) has ``coeffs == ()``."""

    val: int
    coeffs: tuple
    prec: int  # relative precision n (absolute precision val + n)

    @property
    def abs_prec(self) -> int:
        return self.val + self.prec

    def terms(self):
        return [(self.val + k, c) for k, c in enumerate(self.coeffs) if c != 0]

    def constant(self):
        return self.coeffs[0] if self.val == 0 and self.coeffs else sp.S.Zero


def _norm(val, coeffs, prec):
    coeffs = list(coeffs)[:prec]
    k = 0
    while k < len(coeffs) and is_zero(coeffs[k]):
        k += 1
    if k == len(coeffs):
        return PowerSeries(val + prec, (), 0)
    rest = [sp.S.Zero if is_zero(c) and i > 0 else c for i, c in enumerate(coeffs[k:])]
    return PowerSeries(val + k, tuple(rest), prec - k)


def _const(c, n):
    c = sp.sympify(c)
    if is_zero(c):
        return PowerSeries(10**6, (), 0)  # zero: infinite precision
    return PowerSeries(0, (c,) + (sp.S.Zero,) * (n - 1), n)


def _add(a: PowerSeries, b: PowerSeries) -> PowerSeries:
    if not a.coeffs and a.abs_prec >= 10**5:
        return b
    if not b.coeffs and b.abs_prec >= 10**5:
        return a
    absp = min(a.abs_prec, b.abs_prec)
    v = min(a.val, b.val) if (a.coeffs and b.coeffs) else (a.val if a.coeffs else b.val)
    v = min(v, absp)
    n = absp - v
    out = [sp.S.Zero] * n
    for s in (a, b):
        for k, c in enumerate(s.coeffs):
            i = s.val + k - v
            if 0 <= i < n:
                out[i] = out[i] + c
    # no expand: vanishing coefficients are found numerically (is_zero), and expanding large
    # coefficients dominated the cost (tidying happens once, on the kept coefficients)
    return _norm(v, out, n)


def _mul(a: PowerSeries, b: PowerSeries) -> PowerSeries:
    if not a.coeffs or not b.coeffs:
        z = a if not a.coeffs else b
        other = b if not a.coeffs else a
        return PowerSeries(z.abs_prec + (other.val if other.coeffs else 0), (), 0)
    n = min(a.prec, b.prec)
    out = [sp.S.Zero] * n
    for i in range(min(n, len(a.coeffs))):
        if a.coeffs[i] == 0:
            continue
        for j in range(min(n - i, len(b.coeffs))):
            if b.coeffs[j] != 0:
                out[i + j] += a.coeffs[i] * b.coeffs[j]
    return PowerSeries(a.val + b.val, tuple(out), n)


def _inv(a: PowerSeries) -> PowerSeries:
    if not a.coeffs:
        raise SeriesError("division by a series that vanishes to the working precision")
    n = a.prec
    c0 = a.coeffs[0]
    u = [c / c0 for c in a.coeffs]  # 1 + u1 x + ...
    out = [sp.S.One] + [sp.S.Zero] * (n - 1)
    for k in range(1, n):
        out[k] = -sp.Add(*[u[j] * out[k - j] for j in range(1, k + 1) if j < len(u)])
    return PowerSeries(-a.val, tuple(sp.together(c / c0) if k else 1 / c0 for k, c in enumerate(out)), n)


def _pow_int(a: PowerSeries, k: int) -> PowerSeries:
    if k < 0:
        return _pow_int(_inv(a), -k)
    out = _const(1, a.prec if a.coeffs else 1)
    base = a
    while k:
        if k & 1:
            out = _mul(out, base)
        k >>= 1
        if k:
            base = _mul(base, base)
    return out


def _compose(f, a: PowerSeries, n: int) -> PowerSeries:
    """``f(a)`` for a unary function ``f`` (a callable on Exprs) by Taylor composition."""
    if a.coeffs and a.val < 0 and f(sp.Symbol("u")).func is sp.exp:
        c0 = a.coeffs[0]
        negative = c0.is_negative if c0.is_negative is not None else bool(sp.N(_realise(c0, _POINTS[0] if _POINTS else {})) < 0)
        if negative:  # exp(-c/x^k): smaller than every power of x
            return PowerSeries(10**6, (), 0)
    if a.coeffs and a.val < 0:
        raise SeriesError(f"{f(sp.Symbol('u'))} of a series diverging like x^{a.val}: essential singularity")
    u0 = a.constant()
    delta = _add(a, _const(-u0, n)) if u0 != 0 else a
    t = sp.Dummy("t")
    ft = f(t)
    out = _const(ft.subs(t, u0), n)
    if not delta.coeffs:
        return out
    power = _const(1, n)
    for k in range(1, n):
        power = _mul(power, delta)
        if power.val >= n or not power.coeffs:
            break
        dk = sp.diff(ft, t, k).subs(t, u0) / factorial(k)
        if not is_zero(dk):
            out = _add(out, _mul(_const(dk, n), power))
    return out


def power_series(expr, x: sp.Symbol, n: int = 6, *, transform=None, _memo=None) -> PowerSeries:
    """Series of ``expr`` in ``x -> 0+`` with ``n`` terms of relative precision.

    Defined symbols are expanded through their definitions, each once (``transform`` is
    applied to the expression and to every definition, e.g. to substitute ``w1 = w2 + d``).
    Raises :class:`SeriesError` where no power series exists.
    """
    memo = {} if _memo is None else _memo
    tf = transform or (lambda a: a)
    e = tf(sp.sympify(expr))

    dep: dict = {}

    def depends(e):
        if e.has(x):
            return True
        for d in e.atoms(DefinedSymbol):
            if d not in dep:
                dep[d] = False  # guards against cyclic definitions
                dep[d] = depends(tf(d.definition))
            if dep[d]:
                return True
        return False

    def rec(e):
        if e in memo:
            return memo[e]
        if not depends(e):
            r = _const(e, n)
        elif e == x:
            r = PowerSeries(1, (sp.S.One,) + (sp.S.Zero,) * (n - 1), n)
        elif isinstance(e, DefinedSymbol):
            r = rec(tf(e.definition))
        elif e.is_Add:
            r = _const(0, n)
            for t in e.args:
                r = _add(r, rec(t))
        elif e.is_Mul:
            r = _const(1, n)
            for t in e.args:
                r = _mul(r, rec(t))
        elif e.is_Pow:
            b, p = e.args
            if p.has(x):
                r = _compose(sp.exp, rec(p * sp.log(b)), n)
            elif p.is_Integer:
                r = _pow_int(rec(b), int(p))
            else:
                s = rec(b)
                if not s.coeffs:
                    raise SeriesError(f"{e}: fractional power of a vanishing series")
                if s.val * p != int(s.val * p):
                    raise SeriesError(f"{e}: branch point at x = 0 (fractional power x^{s.val * p})")
                c0 = s.coeffs[0]
                unit = PowerSeries(0, tuple(c / c0 for c in s.coeffs), s.prec)
                r = _compose(lambda t: (1 + t) ** p, _add(unit, _const(-1, n)), n)
                r = _mul(r, _const(c0 ** p, n))
                r = PowerSeries(r.val + int(s.val * p), r.coeffs, r.prec) if r.coeffs else r
        elif isinstance(e, sp.atan) and rec(e.args[0]).coeffs and rec(e.args[0]).val < 0:
            a = rec(e.args[0])  # atan(u) = sign(u) pi/2 - atan(1/u) for |u| -> oo
            sgn = 1 if (a.coeffs[0].is_positive or (a.coeffs[0].is_positive is None and
                                                     sp.N(_realise(a.coeffs[0], _POINTS[0] if _POINTS else {})) > 0)) else -1
            r = _add(_const(sgn * sp.pi / 2, n), _mul(_const(-1, n), _compose(sp.atan, _inv(a), n)))
        elif isinstance(e, sp.Function) and len(e.args) == 1:
            func = e.func
            r = _compose(lambda t: func(t), rec(e.args[0]), n)
        else:
            raise SeriesError(f"no series rule for {type(e).__name__} ({e})")
        memo[e] = r
        return r

    return rec(e)
