"""Figures a theorist draws from a derivation (matplotlib, imported lazily).

Every helper returns the matplotlib ``Figure``; the plotted numbers are also attached as
``fig.qsym_data``, a :class:`FigureData` (curves by role, the fixed parameter values, and
figures of merit such as the max relative deviation or the observed slope), so a test or a
notebook can check what is drawn.

* :func:`closed_form_vs_numeric` -- the derived closed form as a line against one parameter,
  with markers from the independent numeric solver (``result.target.numeric``);
* :func:`current_vs_bias` -- heat current(s) against the bias ``Delta T``
  (``T_hot = T + Delta T/2``, ``T_cold = T - Delta T/2``);
* :func:`limit_vs_full` -- a :class:`qsym.asymptotics.Limit`: full expression and leading
  form on log-log axes, and the relative deviation with its slope against the stated order;
* :func:`trajectories` -- quantities against time, with optional numeric points.

Parameters not varied default to one random physical sample of the model (qsym's sampling,
seeded), with unspecified spectral functions ``g_X`` realised as random positive functions;
the values are printed on the figure and returned in ``FigureData.fixed``.
"""
from __future__ import annotations

import os
import sys
import textwrap
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import sympy as sp

__all__ = ["Curve", "FigureData", "closed_form_vs_numeric", "current_vs_bias", "limit_vs_full",
           "trajectories", "find_result", "result_parameters", "relative_deviation"]


# ---- data attached to every figure -------------------------------------------------------------
@dataclass
class Curve:
    """One plotted data set: ``role`` is ``"closed form"``, ``"numeric"``, ``"full"``,
    ``"leading"``, ``"deviation"``, ``"reference"`` or ``"series"``."""

    role: str
    label: str
    x: np.ndarray
    y: np.ndarray


@dataclass
class FigureData:
    """What a qsym figure shows (``fig.qsym_data``)."""

    kind: str
    xlabel: str
    ylabel: str
    curves: list = field(default_factory=list)
    fixed: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    def curve(self, role: str, label: str | None = None) -> Curve:
        """The first curve with this role (and label, when given)."""
        for c in self.curves:
            if c.role == role and (label is None or c.label == label):
                return c
        have = [(c.role, c.label) for c in self.curves]
        raise KeyError(f"no curve with role {role!r}" + (f" and label {label!r}" if label else "") +
                       f"; the figure has {have}")

    def curves_of(self, role: str) -> list:
        """Every curve with this role."""
        return [c for c in self.curves if c.role == role]


# ---- matplotlib ---------------------------------------------------------------------------------
def _pyplot():
    """``matplotlib.pyplot``, with the Agg backend when there is no display."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError("qsym.plot needs matplotlib: pip install qsym[notebooks]") from exc
    if "matplotlib.pyplot" not in sys.modules and not _has_display():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _has_display() -> bool:
    if os.environ.get("MPLBACKEND"):
        return True  # the user chose a backend
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _new_axes(ax, nrows=1, **kw):
    """``(figure, axes)``: the given axes (a pair when ``nrows == 2``) or new ones."""
    plt = _pyplot()
    if ax is not None:
        first = ax[0] if nrows > 1 else ax
        return first.figure, ax
    return plt.subplots(nrows, 1, **kw)


def _math(tex: str) -> str:
    return f"${tex}$" if tex else ""


# ---- looking things up --------------------------------------------------------------------------
def find_result(derivation: str, name: str):
    """The :class:`qsym.Result` called ``name`` of the derivation module ``derivation``
    (``qsym list`` names).  Raises ``KeyError`` listing the valid choices."""
    from derivations import registry
    reg = registry()
    if derivation not in reg:
        raise KeyError(f"unknown derivation {derivation!r}; valid choices: {sorted(reg)}")
    results = reg[derivation].results()
    for r in results:
        if r.name == name:
            return r
    raise KeyError(f"unknown result {name!r} of {derivation!r}; valid choices: {[r.name for r in results]}")


def _expanded(expr):
    from .algebra.symbols import expand_definitions
    from .baths import expand_occupations
    return expand_occupations(expand_definitions(sp.sympify(expr)))


def result_parameters(result, element: int | None = None) -> list:
    """The parameters the plotted closed form of ``result`` depends on (definitions and
    occupations expanded), sorted by name."""
    expr, _ = _form_and_target(result, element)
    return sorted(_expanded(expr).free_symbols, key=str)


def _form_and_target(result, element):
    """The scalar closed form of ``result`` (``element`` of a matrix) as compared with the numeric
    target (``target.prepare``), and that target (or None)."""
    if not all(hasattr(result, a) for a in ("derived", "me", "target", "name")):
        raise TypeError(f"Argument `result` must be a qsym.Result (from a derivation's results()), "
                        f"got {type(result).__name__}")
    derived, target = result.derived, result.target
    if isinstance(derived, sp.MatrixBase):
        n = len(derived)
        if element is None or not (0 <= int(element) < n):
            raise ValueError(f"Argument `element`: result {result.name!r} is a {derived.shape[0]}x{derived.shape[1]} "
                             f"matrix; expected an element index 0..{n - 1}, got {element!r}")
        derived = derived[int(element)]
        if isinstance(target, (list, tuple)):
            target = target[int(element)]
    elif element not in (None, 0):
        raise ValueError(f"Argument `element`: result {result.name!r} is a scalar; expected None, got {element!r}")
    if isinstance(target, (list, tuple)):
        target = target[0]
    if target is not None:
        derived = target.prepare(derived)
    return sp.sympify(derived), target


def _resolve(name_or_symbol, candidates, argument: str, what: str):
    """The symbol of ``candidates`` named ``name_or_symbol`` (a Symbol or its name)."""
    key = str(name_or_symbol)
    for s in candidates:
        if str(s) == key:
            return s
    raise ValueError(f"Argument `{argument}`: expected {what} (one of {[str(s) for s in candidates]}), "
                     f"got {key!r}")


def _check_range(rng, argument: str, *, positive: bool = False, symbol=None):
    """``(lo, hi)`` as floats with ``lo < hi`` (both > 0 when ``positive``)."""
    try:
        lo, hi = (float(v) for v in rng)
    except (TypeError, ValueError):
        raise ValueError(f"Argument `{argument}`: expected a pair (low, high) of numbers, got {rng!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"Argument `{argument}`: expected finite low < high, got ({lo:g}, {hi:g})")
    if positive and lo <= 0:
        why = f"{symbol} is positive" if symbol is not None else "log axes need positive values"
        raise ValueError(f"Argument `{argument}`: expected a positive range ({why}), got ({lo:g}, {hi:g})")
    return lo, hi


# ---- parameter values ---------------------------------------------------------------------------
def _sample(model, exprs, seed):
    """One physical sample of every parameter (floats) and the spectral realisations."""
    from .numeric.verify import sample_points
    if model is None:
        model = SimpleNamespace(parameters=(), baths=(), domain=(), assumptions=())
    samples, spectral = sample_points(model, exprs, 1, seed)
    return {s: float(v[0]) for s, v in samples.items()}, spectral


def _apply_fixed(values: dict, fixed, argument: str = "fixed") -> dict:
    """``values`` with the user's ``fixed`` entries (keys: symbols or names) substituted."""
    out = dict(values)
    for key, val in (fixed or {}).items():
        s = _resolve(key, sorted(values, key=str), argument, "a parameter of the model")
        try:
            v = float(val)
        except (TypeError, ValueError):
            raise ValueError(f"Argument `{argument}`: the value of {s} must be a number, got {val!r}") from None
        if not np.isfinite(v):
            raise ValueError(f"Argument `{argument}`: the value of {s} must be finite, got {v}")
        if s.is_positive and v <= 0:
            raise ValueError(f"Argument `{argument}`: {s} is positive, got {v:g}")
        if s.is_integer and v != round(v):
            raise ValueError(f"Argument `{argument}`: {s} is an integer, got {v:g}")
        out[s] = v
    return out


def _check_assumptions(model, values: dict, argument: str) -> None:
    """Every relation of ``model.assumptions`` holds at ``values`` (arrays allowed)."""
    for a in getattr(model, "assumptions", ()) or ():
        syms = sorted(a.free_symbols, key=str)
        if not all(s in values for s in syms):
            continue
        ok = np.asarray(sp.lambdify(syms, a, "numpy")(*[values[s] for s in syms]), bool)
        if not ok.all():
            raise ValueError(f"Argument `{argument}`: the values leave the model's physical domain "
                             f"(assumption {a} fails); narrow the range or change the fixed values")


def _fixed_text(fixed: dict, width: int = 80) -> str:
    """``omega_0 = 0.597, T_B = 2.19`` (spectral realisation parameters summarised)."""
    shown = [f"{_math(_latex(s))}$=${v:.4g}" for s, v in sorted(fixed.items(), key=lambda kv: str(kv[0]))
             if "__g" not in str(s)]
    baths = sorted({str(s).split("__g")[0].split("_", 1)[-1] for s in fixed if "__g" in str(s)})
    if baths:
        shown.append("random " + ", ".join(f"$g_{{{b}}}$" for b in baths))
    return "\n".join(textwrap.wrap(", ".join(shown), width)) if shown else ""


def _latex(expr) -> str:
    from .latex import latex
    return latex(expr)


def _result_label(result) -> str:
    return result.latex_name or _latex(sp.Symbol(result.name))


def _plain_fixed(fixed: dict) -> dict:
    return {str(s): float(v) for s, v in sorted(fixed.items(), key=lambda kv: str(kv[0]))}


# ---- closed form and numeric solver -------------------------------------------------------------
def _closed_form_values(expr, values: dict, spectral, variable, xs) -> np.ndarray:
    """The closed form at ``values`` with ``variable`` running over ``xs`` (vectorised)."""
    from .numeric.functions import to_numeric
    params = tuple(sorted(set(values) | {variable}, key=str))
    f = to_numeric(expr, params, spectral=spectral)
    v = dict(values)
    v[variable] = np.asarray(xs, float)
    with np.errstate(all="ignore"):
        y = np.asarray(f(v), dtype=complex)
    return np.real(y) * np.ones(len(xs))


def _numeric_values(me, target, values: dict, spectral, variable, xs) -> np.ndarray:
    """The independent numeric solver's value of ``target`` at each ``variable = x``."""
    from .numeric.verify import _callables, numeric_solver_for
    solver = numeric_solver_for(me)
    out = np.empty(len(xs))
    for k, x in enumerate(xs):
        v = dict(values)
        v[variable] = float(x)
        res = solver.solve(v, spectral=_callables(spectral, v))
        out[k] = float(np.real(target.numeric(me, res, v)))
    return out


def relative_deviation(closed, numeric, scale: float) -> np.ndarray:
    """``|c - n| / max(|c|, |n|, 1e-6 scale)``: relative, except where both values are below
    ``1e-6`` of the curve's largest magnitude ``scale`` (near a zero crossing), where the
    numeric solver's absolute accuracy is what can be compared."""
    c, n = np.asarray(closed, float), np.asarray(numeric, float)
    den = np.maximum(np.maximum(np.abs(c), np.abs(n)), max(1e-6 * scale, 1e-300))
    return np.abs(c - n) / den


def _grid(lo, hi, points, log, extra=(), integer=False):
    """``points`` abscissae on ``[lo, hi]`` (geometric when ``log``) joined with ``extra``;
    distinct integers for an integer parameter (mode numbers)."""
    xs = np.geomspace(lo, hi, points) if log else np.linspace(lo, hi, points)
    if integer:
        xs = np.unique(np.clip(np.rint(xs), np.ceil(lo), np.floor(hi)))
    return np.union1d(xs, np.asarray(extra, float))


def closed_form_vs_numeric(result, vary, values_range, fixed=None, *, points: int = 40, numeric_points: int = 8,
                           seed: int = 0, log: bool = False, element: int | None = None, ax=None):
    """The derived closed form of ``result`` as a line against the parameter ``vary``, with
    markers from the independent numeric solver (``result.target.numeric``).

    Args:
        result: a :class:`qsym.Result` (a matrix result needs ``element``).
        vary: the parameter on the x axis, a Symbol or its name; must be a free symbol of the
            closed form (definitions and occupations expanded).
        values_range: ``(low, high)`` of ``vary`` (positive for a positive symbol or ``log``).
        fixed: ``{symbol or name: value}`` for other parameters; the rest come from one random
            physical sample of the model (``seed``), spectral functions realised at random.
        points: closed-form grid size (the numeric abscissae are added to it).
        numeric_points: number of numeric-solver markers (0: none); a result without a numeric
            target gets none.
        log: logarithmic x axis and grid.
        ax: draw into these axes.

    Returns:
        The Figure; ``fig.qsym_data.info["max_rel_dev"]`` is the largest
        :func:`relative_deviation` between the closed form and the numeric points.
    """
    expr, target = _form_and_target(result, element)
    model = result.me.model
    free = sorted(_expanded(expr).free_symbols, key=str)
    variable = _resolve(vary, free, "vary", f"a free symbol of result {result.name!r}")
    lo, hi = _check_range(values_range, "values_range", positive=bool(log or variable.is_positive), symbol=variable)
    values, spectral = _sample(model, [expr], seed)
    values = _apply_fixed(values, fixed)
    integer = bool(variable.is_integer)
    if integer and np.floor(hi) < np.ceil(lo):
        raise ValueError(f"Argument `values_range`: {variable} is an integer; expected a range containing one, "
                         f"got ({lo:g}, {hi:g})")
    xs_num = _grid(lo, hi, numeric_points, log, integer=integer) if (target is not None and numeric_points > 0) \
        else np.empty(0)
    xs = _grid(lo, hi, points, log, xs_num, integer=integer)
    _check_assumptions(model, {**values, variable: xs}, "values_range")
    y = _closed_form_values(expr, values, spectral, variable, xs)
    data = FigureData("closed_form_vs_numeric", _math(_latex(variable)), _math(_result_label(result)),
                      fixed=_plain_fixed({s: v for s, v in values.items() if s != variable}))
    data.curves.append(Curve("closed form", "closed form", xs, y))
    data.info.update(result=result.name, equation=result.equation, variable=str(variable), seed=seed,
                     max_rel_dev=None, target=None if target is None else target.describe())
    if len(xs_num):
        yn = _numeric_values(result.me, target, values, spectral, variable, xs_num)
        data.curves.append(Curve("numeric", "numeric solver", xs_num, yn))
        scale = float(np.nanmax(np.abs(y))) if np.isfinite(y).any() else 1.0
        dev = relative_deviation(np.interp(xs_num, xs, y), yn, scale)
        data.info["max_rel_dev"] = float(np.max(dev))
    fig, ax = _new_axes(ax, figsize=(6.4, 4.4))
    _draw_closed_vs_numeric(ax, data, log, f"{result.name} (eq. {result.equation})")
    fig.qsym_data = data
    return fig


def _draw_closed_vs_numeric(ax, data: FigureData, log: bool, title: str) -> None:
    line = data.curve("closed form")
    ax.plot(line.x, line.y, "-", color="C0", label="closed form (derived)")
    for c in data.curves_of("numeric"):
        ax.plot(c.x, c.y, "o", color="C3", mfc="none", label="numeric solver")
    if log:
        ax.set_xscale("log")
        _plain_minor_ticks(ax)
    ax.set_xlabel(data.xlabel)
    ax.set_ylabel(data.ylabel)
    sub = _fixed_text({sp.Symbol(k): v for k, v in data.fixed.items()})
    if data.info.get("max_rel_dev") is not None:
        sub += f"\nmax rel. deviation {data.info['max_rel_dev']:.1e}"
    elif not data.curves_of("numeric"):
        sub += "\n(no numeric target: closed form only)"
    ax.set_title(title + ("\n" + sub if sub else ""), fontsize=8)
    ax.axhline(0, color="0.8", lw=0.6, zorder=0)
    ax.legend(fontsize=8)
    ax.figure.tight_layout()


# ---- heat current against temperature bias ------------------------------------------------------
def current_vs_bias(result_or_results, T_hot, T_cold, bias_range=None, fixed=None, *, T: float | None = None,
                    points: int = 41, numeric_points: int = 5, seed: int = 0, ax=None):
    """Heat current(s) against the bias ``Delta T``: ``T_hot = T + Delta T/2``,
    ``T_cold = T - Delta T/2`` at fixed mean temperature ``T``.

    Args:
        result_or_results: a :class:`qsym.Result` or a list of them (one model's currents).
        T_hot, T_cold: the two temperature symbols (or names); both must be free symbols of
            every result.
        bias_range: ``(low, high)`` of ``Delta T`` (default ``(-T, T)``); ``|Delta T| < 2T`` keeps
            both temperatures positive.  A range containing 0 shows the zero crossing.
        fixed: other parameter values (the rest: one random physical sample, ``seed``).
        T: mean temperature (default: the sample's ``(T_hot + T_cold)/2``).
        numeric_points: numeric-solver markers per result (0: none).

    Returns:
        The Figure; ``fig.qsym_data.info`` has ``T``, ``at_zero_bias`` (each closed form at
        ``Delta T = 0``) and ``max_rel_dev`` per result.
    """
    results = list(result_or_results) if isinstance(result_or_results, (list, tuple)) else [result_or_results]
    if not results:
        raise ValueError("Argument `result_or_results`: expected a Result or a non-empty list of Results, got []")
    forms = [_form_and_target(r, None) for r in results]
    model = results[0].me.model
    free = sorted(set().union(*[_expanded(e).free_symbols for e, _ in forms]), key=str)
    hot = _resolve(T_hot, free, "T_hot", "a temperature of the results")
    cold = _resolve(T_cold, free, "T_cold", "a temperature of the results")
    if hot == cold:
        raise ValueError(f"Arguments `T_hot` and `T_cold` must differ, got {hot} for both")
    for r, (e, _) in zip(results, forms):
        missing = [s for s in (hot, cold) if s not in _expanded(e).free_symbols]
        if missing:
            raise ValueError(f"Argument `result_or_results`: result {r.name!r} does not depend on {missing}")
    values, spectral = _sample(model, [e for e, _ in forms], seed)
    values = _apply_fixed(values, fixed)
    T = 0.5 * (values[hot] + values[cold]) if T is None else float(T)
    if not T > 0:
        raise ValueError(f"Argument `T`: expected a positive mean temperature, got {T}")
    lo, hi = _check_range(bias_range if bias_range is not None else (-T, T), "bias_range")
    if max(abs(lo), abs(hi)) >= 2 * T:
        raise ValueError(f"Argument `bias_range`: |Delta T| must stay below 2T = {2 * T:g} (both temperatures "
                         f"positive), got ({lo:g}, {hi:g})")
    dT = sp.Symbol("Delta_T", real=True)
    base = {s: v for s, v in values.items() if s not in (hot, cold)}
    base[sp.Symbol("T__mean", positive=True)] = T
    data = FigureData("current_vs_bias", r"$\Delta T$", "heat current", fixed=_plain_fixed(base))
    data.info.update(T=T, T_hot=str(hot), T_cold=str(cold), at_zero_bias={}, max_rel_dev={})
    xs_num = np.linspace(lo, hi, numeric_points) if numeric_points > 0 else np.empty(0)
    xs = _grid(lo, hi, points, False, np.concatenate([xs_num, [0.0] if lo < 0 < hi else []]))
    for r, (e, target) in zip(results, forms):
        biased = _expanded(e).xreplace({hot: T + dT / 2, cold: T - dT / 2})
        vals = {s: v for s, v in values.items() if s not in (hot, cold)}
        y = _closed_form_values(biased, vals, spectral, dT, xs)
        label = _math(_result_label(r))
        data.curves.append(Curve("closed form", label, xs, y))
        if 0.0 in xs:
            data.info["at_zero_bias"][r.name] = float(y[np.searchsorted(xs, 0.0)])
        if target is not None and len(xs_num):
            yn = _numeric_bias(r.me, target, values, spectral, hot, cold, T, xs_num)
            data.curves.append(Curve("numeric", label, xs_num, yn))
            scale = float(np.nanmax(np.abs(y)))
            data.info["max_rel_dev"][r.name] = float(np.max(relative_deviation(np.interp(xs_num, xs, y), yn, scale)))
    fig, ax = _new_axes(ax, figsize=(6.4, 4.4))
    _draw_bias(ax, data, hot, cold)
    fig.qsym_data = data
    return fig


def _numeric_bias(me, target, values, spectral, hot, cold, T, xs):
    """Numeric-solver values at ``T_hot = T + x/2``, ``T_cold = T - x/2``."""
    from .numeric.verify import _callables, numeric_solver_for
    solver = numeric_solver_for(me)
    out = np.empty(len(xs))
    for k, x in enumerate(xs):
        v = dict(values)
        v[hot], v[cold] = T + x / 2, T - x / 2
        res = solver.solve(v, spectral=_callables(spectral, v))
        out[k] = float(np.real(target.numeric(me, res, v)))
    return out


def _draw_bias(ax, data: FigureData, hot, cold) -> None:
    for k, c in enumerate(data.curves_of("closed form")):
        ax.plot(c.x, c.y, "-", color=f"C{k}", label=c.label)
        for m in data.curves_of("numeric"):
            if m.label == c.label:
                ax.plot(m.x, m.y, "o", color=f"C{k}", mfc="none", label=f"{c.label} (numeric solver)")
    ax.axhline(0, color="0.6", lw=0.7, zorder=0)
    ax.axvline(0, color="0.6", lw=0.7, ls=":", zorder=0)
    T = data.info["T"]
    ax.set_xlabel(rf"$\Delta T$   (${_latex(hot)} = T + \Delta T/2$, ${_latex(cold)} = T - \Delta T/2$, $T$ = {T:.4g})")
    ax.set_ylabel(data.ylabel)
    sub = _fixed_text({sp.Symbol(k): v for k, v in data.fixed.items() if k != "T__mean"})
    ax.set_title("heat current vs temperature bias" + ("\n" + sub if sub else ""), fontsize=8)
    ax.legend(fontsize=8)
    ax.figure.tight_layout()


# ---- a regime against the full expression -------------------------------------------------------
def _limit_of(limit, element):
    """``(Limit, model, label)`` from a Limit or a Result carrying ``.limit``."""
    if hasattr(limit, "derived") and hasattr(limit, "limit"):
        result = limit
        lims = result.limit
        if lims is None:
            raise ValueError(f"Argument `limit`: result {result.name!r} has no `.limit` (it is not a regime)")
        if isinstance(lims, (list, tuple)):
            k = 0 if element is None else int(element)
            if not 0 <= k < len(lims):
                raise ValueError(f"Argument `element`: result {result.name!r} has {len(lims)} limits; "
                                 f"expected 0..{len(lims) - 1}, got {element!r}")
            lims = lims[k]
        return lims, result.me.model, _result_label(result)
    if not all(hasattr(limit, a) for a in ("full", "leading", "variable", "correction", "regime")):
        raise TypeError(f"Argument `limit` must be a qsym.asymptotics.Limit or a Result with `.limit`, "
                        f"got {type(limit).__name__}")
    return limit, None, ""


def _limit_base(lim, model, fixed, seed):
    """Base values of every parameter the regime needs except its variable (and the symbols
    the regime introduced, which follow from the others)."""
    from .asymptotics import _temps_of
    exprs = [lim.full, lim.leading, lim.correction]
    values, spectral = _sample(model, exprs, seed)
    drop = {lim.variable, *lim.introduced}
    values = {s: v for s, v in values.items() if s not in drop}
    values = _apply_fixed(values, fixed)
    temps = _temps_of(lim.full) or _temps_of(_definitions(lim.full))
    return values, spectral, temps


def _definitions(e):
    from .algebra.symbols import expand_definitions
    return expand_definitions(e)


def _limit_point(lim, base: dict, x, temps) -> dict:
    """Parameter values at the abscissa ``x`` (the regime's variable, as ``check_limit`` moves
    it: ``tau`` scales every temperature, a low temperature scales them so that the largest is
    ``x``, anything else is set to ``x``)."""
    v = dict(base)
    if lim.regime == "high temperature":
        for T, _ in lim.scaling:
            v[T] = x * base[T]
    elif lim.regime == "low temperature":
        top = max(base[T] for T in temps)
        for T in temps:
            v[T] = base[T] * x / top
    v[lim.variable] = x
    return v


def _limit_values(lim, base, spectral, temps, xs, dps):
    """``(full, leading, |correction|)`` along ``xs`` in ``dps``-digit arithmetic."""
    import mpmath

    from .asymptotics import _full_value, _mp_values, _numeric
    from .numeric.functions import substitute_spectral
    full, lead, corr = (_expanded(e) for e in (lim.full, lim.leading, lim.correction))
    if spectral:
        full, lead = substitute_spectral(full, spectral, dps), substitute_spectral(lead, spectral, dps)
    out = np.empty((3, len(xs)), dtype=object)
    with mpmath.workdps(dps):
        for k, x in enumerate(xs):
            v = _mp_values(lim, _limit_point(lim, base, x, temps), dps)
            v[lim.variable] = sp.Float(x, dps)
            out[0, k] = _full_value(full, lim, v, dps)
            out[1, k] = _numeric(lead, v, dps)
            out[2, k] = abs(_numeric(corr, v, dps))
    return out


def _slope(x, y) -> float:
    ok = (np.asarray(x) > 0) & (np.asarray(y) > 0) & np.isfinite(x) & np.isfinite(y)
    return float(np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0]) if ok.sum() >= 2 else float("nan")


def limit_vs_full(limit, range, fixed=None, *, model=None, element: int | None = None, points: int = 40,
                  seed: int = 0, dps: int | None = None, ax=None):
    """A regime (:class:`qsym.asymptotics.Limit`) against its full expression.

    Top panel: ``|full|`` and ``|leading|`` against the regime's variable on log-log axes.
    Bottom panel: the relative deviation ``|full/leading - 1|`` with the stated order
    ``|correction|`` (scaled to meet it at the deepest point) and the fitted slopes.

    Args:
        limit: a Limit, or a :class:`qsym.Result` with ``.limit`` (its model is then used for
            the sample; a list of limits needs ``element``).
        range: ``(low, high)`` of the variable, positive (``tau`` for high temperature, the
            largest temperature for low temperature, the small parameter otherwise).
        fixed: other parameter values (the rest: one random physical sample, ``seed``).
        model: the model whose domain is sampled (default: the Result's, else plain ranges).
        dps: working precision (default 60; 160 at low temperature), so deviations far below
            1e-16 are resolved.

    Returns:
        The Figure; ``fig.qsym_data.info`` has ``observed_slope`` (log deviation against log
        variable, over the half of the range nearest the limit point), ``stated_slope`` (of the
        stated correction), ``rate`` (log deviation against log correction: ~1) and ``exact``.
    """
    lim, rmodel, label = _limit_of(limit, element)
    model = model if model is not None else rmodel
    lo, hi = _check_range(range, "range", positive=True)
    dps = dps or (160 if lim.regime == "low temperature" else 60)
    base, spectral, temps = _limit_base(lim, model, fixed, seed)
    xs = np.geomspace(lo, hi, points)
    _check_limit_range(lim, base, temps, hi)
    vals = _limit_values(lim, base, spectral, temps, xs, dps)
    full = np.array([float(sp.re(v)) for v in vals[0]])
    lead = np.array([float(sp.re(v)) for v in vals[1]])
    dev = np.array([float(abs(f / l - 1)) if l != 0 else np.inf for f, l in zip(vals[0], vals[1])])
    corr = np.array([float(c) for c in vals[2]])
    data = FigureData("limit_vs_full", _variable_label(lim, temps), _math(label) if label else "value",
                      fixed=_plain_fixed(base))
    data.curves += [Curve("full", "full", xs, full), Curve("leading", "leading", xs, lead),
                    Curve("deviation", "|full/leading - 1|", xs, dev)]
    _limit_info(data, lim, xs, dev, corr, dps)
    fig, axes = _new_axes(ax, nrows=2, figsize=(6.4, 6.4), sharex=True)
    _draw_limit(axes, data, lim)
    fig.qsym_data = data
    return fig


def _check_limit_range(lim, base, temps, hi) -> None:
    if lim.regime == "small temperature bias":
        T_of = [d for s, d in lim.introduced.items() if str(s) == "T"]
        if T_of:
            T = float(T_of[0].xreplace({s: base[s] for s in T_of[0].free_symbols if s in base}))
            if hi >= 2 * T:
                raise ValueError(f"Argument `range`: the bias must stay below 2T = {2 * T:g} (both "
                                 f"temperatures positive), got high = {hi:g}")


def _variable_label(lim, temps) -> str:
    if lim.regime == "high temperature":
        ts = ", ".join(_latex(T) for T, _ in lim.scaling)
        return rf"$\tau$   (${ts}$ $\to$ $\tau\times$ base values)"
    return _math(_latex(lim.variable))


def _limit_info(data: FigureData, lim, xs, dev, corr, dps) -> None:
    """Slopes over the half of the range nearest the limit point."""
    half = slice(None, len(xs) // 2) if lim.point == 0 else slice(len(xs) - len(xs) // 2, None)
    exact = bool(np.all(dev < 10.0 ** (-(dps - 15))))
    scale = dev[half][-1 if lim.point != 0 else 0] / corr[half][-1 if lim.point != 0 else 0] \
        if corr[half].size and np.all(corr > 0) else np.nan
    data.curves.append(Curve("reference", f"O({sp.sstr(lim.correction)})", xs, corr * scale))
    data.info.update(regime=lim.regime, variable=str(lim.variable), point=str(lim.point),
                     correction=sp.sstr(lim.correction), exact=exact,
                     observed_slope=_slope(xs[half], dev[half]), stated_slope=_slope(xs[half], corr[half]),
                     rate=_slope(corr[half], dev[half]), dps=dps)


def _plain_minor_ticks(ax) -> None:
    """No labels on minor log ticks (they collide on short ranges)."""
    from matplotlib.ticker import NullFormatter
    ax.xaxis.set_minor_formatter(NullFormatter())


def _draw_limit(axes, data: FigureData, lim) -> None:
    top, bottom = axes
    full, lead = data.curve("full"), data.curve("leading")
    top.plot(full.x, np.abs(full.y), "-", color="C0", label="full")
    top.plot(lead.x, np.abs(lead.y), "--", color="C1", label=f"leading ({lim.regime})")
    top.set_xscale("log")
    top.set_yscale("log")
    top.set_ylabel("|" + data.ylabel + "|" if data.ylabel.startswith("$") else data.ylabel)
    top.legend(fontsize=8)
    sub = _fixed_text({sp.Symbol(k): v for k, v in data.fixed.items()})
    top.set_title(f"{lim.regime}: {lim.variable} -> {lim.point}" + ("\n" + sub if sub else ""), fontsize=8)
    dev, ref = data.curve("deviation"), data.curve("reference")
    info = data.info
    ok = dev.y > 0
    bottom.plot(dev.x[ok], dev.y[ok], "o-", ms=3, color="C3", label=r"$|\mathrm{full}/\mathrm{leading} - 1|$")
    if np.isfinite(ref.y).all() and (ref.y > 0).all():
        bottom.plot(ref.x, ref.y, ":", color="k", label=_math(r"\mathcal{O}(" + _latex(lim.correction) + ")"))
    bottom.set_xscale("log")
    _plain_minor_ticks(bottom)
    if ok.any():
        bottom.set_yscale("log")
    bottom.set_xlabel(data.xlabel)
    bottom.set_ylabel("relative deviation")
    note = "leading form exact" if info["exact"] else \
        (f"slope: observed {info['observed_slope']:.3g}, stated {info['stated_slope']:.3g}; "
         f"d log(deviation) / d log(correction) = {info['rate']:.3g}")
    bottom.set_title(note, fontsize=8)
    bottom.legend(fontsize=8)
    bottom.figure.tight_layout()


# ---- trajectories -------------------------------------------------------------------------------
def _series_values(label, spec, t, time_symbol, values):
    """An array of ``len(t)`` from an array, a callable ``f(t)`` or a SymPy expression in
    ``time_symbol`` (other symbols from ``values``)."""
    if isinstance(spec, sp.Basic):
        if time_symbol is None:
            raise ValueError(f"Argument `series[{label!r}]` is a SymPy expression; pass `time_symbol`")
        from .numeric.functions import to_numeric
        vals = {sp.Symbol(str(k)) if isinstance(k, str) else k: v for k, v in (values or {}).items()}
        vals = {next((s for s in _expanded(spec).free_symbols if str(s) == str(k)), k): v for k, v in vals.items()}
        vals[time_symbol] = t
        missing = sorted(str(s) for s in _expanded(spec).free_symbols if s not in vals)
        if missing:
            raise ValueError(f"Argument `values`: expected values for {missing} (in series[{label!r}]), "
                             f"got {sorted(map(str, vals))}")
        f = to_numeric(spec, tuple(vals))
        y = np.real(np.asarray(f(vals), complex)) * np.ones(len(t))
    elif callable(spec):
        y = np.asarray(spec(t), float)
    else:
        y = np.asarray(spec, float)
    if y.shape != t.shape:
        raise ValueError(f"Argument `series[{label!r}]`: expected {len(t)} values (one per time), got shape {y.shape}")
    return y


def trajectories(t, series: dict, *, numeric: dict | None = None, time_symbol=None, values: dict | None = None,
                 xlabel: str = "$t$", ylabel: str = "", title: str = "", ax=None):
    """Quantities against time.

    Args:
        t: increasing times (1-d, at least 2).
        series: ``{label: values}`` with values an array of ``len(t)``, a callable ``f(t)``, or a
            SymPy expression in ``time_symbol`` with its other symbols in ``values``.
        numeric: optional ``{label: (times, values)}`` drawn as markers (in the colour of the
            series of the same label).
        xlabel, ylabel, title: axis labels (LaTeX in ``$...$``).

    Returns:
        The Figure; ``fig.qsym_data`` holds every series and numeric set.
    """
    t = np.asarray(t, float)
    if t.ndim != 1 or len(t) < 2 or not np.all(np.isfinite(t)) or not np.all(np.diff(t) > 0):
        raise ValueError(f"Argument `t`: expected at least 2 finite increasing times, got {np.shape(t)} values")
    if not isinstance(series, dict) or not series:
        raise ValueError(f"Argument `series`: expected a non-empty dict {{label: values}}, got {type(series).__name__}")
    if time_symbol is not None and isinstance(time_symbol, str):
        time_symbol = next((s for spec in series.values() if isinstance(spec, sp.Basic)
                            for s in _expanded(spec).free_symbols if str(s) == time_symbol), sp.Symbol(time_symbol))
    data = FigureData("trajectories", xlabel, ylabel)
    for label, spec in series.items():
        data.curves.append(Curve("series", str(label), t, _series_values(label, spec, t, time_symbol, values)))
    for label, pair in (numeric or {}).items():
        try:
            tn, yn = (np.asarray(a, float) for a in pair)
        except (TypeError, ValueError):
            raise ValueError(f"Argument `numeric[{label!r}]`: expected a pair (times, values), got {pair!r}") from None
        if tn.shape != yn.shape or tn.ndim != 1:
            raise ValueError(f"Argument `numeric[{label!r}]`: times and values must be 1-d of equal length, "
                             f"got {tn.shape} and {yn.shape}")
        data.curves.append(Curve("numeric", str(label), tn, yn))
    fig, ax = _new_axes(ax, figsize=(6.4, 4.4))
    _draw_trajectories(ax, data, title)
    fig.qsym_data = data
    return fig


def _draw_trajectories(ax, data: FigureData, title: str) -> None:
    colours = {}
    for k, c in enumerate(data.curves_of("series")):
        colours[c.label] = f"C{k}"
        ax.plot(c.x, c.y, "-", color=colours[c.label], label=c.label)
    for c in data.curves_of("numeric"):
        col = colours.setdefault(c.label, f"C{len(colours)}")
        ax.plot(c.x, c.y, "o", color=col, mfc="none", label=f"{c.label} (numeric)")
    ax.axhline(0, color="0.85", lw=0.6, zorder=0)
    ax.set_xlabel(data.xlabel)
    ax.set_ylabel(data.ylabel)
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
