r"""Figures for Razzoli et al.'s two oscillators in a common Ohmic bath
(:mod:`derivations.razzoli_synchronization`): the Pearson coefficient over coupling and temperature
for the joint and the independent configuration, the approach to the derived strong-coupling limit
``C_oo(T)``, the antiphase pole against its ``1/gamma_2`` series, the discretised bath converging to
the Langevin covariance, and equipartition at high temperature.

A library module (no ``NAME``/``results()``: the derivation registry ignores it).  The data
functions return numpy arrays / dicts; the ``plot_*`` functions draw them with matplotlib
(imported lazily) and return the figure.

Where the numbers come from:

* ``C`` over ``(gamma_2, T)``: :meth:`qsym.numeric.langevin.LangevinResult.matsubara_covariance`
  (``T sum_n chi(i|nu_n|)`` with ``chi`` inverted numerically, batched), ``n_terms`` chosen so that
  the last Matsubara frequency exceeds ``max(gamma_2, omega_A)`` by the factor ``ratio``
  (:func:`matsubara_terms`; the tail fit assumes ``nu_N >> gamma_2``: the error falls as
  ``(gamma_2/nu_N)^3``, ~1e-8 at the default ``ratio = 100``);
* ``C_oo(T)``: the derivation's closed form :func:`~derivations.razzoli_synchronization.strong_coupling`
  (lambdified with :func:`qsym.numeric.functions.to_numeric`), against the numeric strong-coupling
  Matsubara sum :meth:`~qsym.numeric.langevin.LangevinResult.strong_coupling_covariance` (numeric null
  space);
* the antiphase pole: :meth:`~qsym.numeric.langevin.LangevinResult.poles` (state-space eigenvalues,
  Newton-polished in mpmath) against :func:`~derivations.razzoli_synchronization.antiphase`;
* the discretised bath: :class:`qsym.numeric.discrete_bath.DiscretisedNetwork` (each bath as ``M``
  oscillators, the Gibbs state of the closed system from its normal modes) for a Drude bath, against
  the Langevin frequency integrals of :func:`~derivations.razzoli_synchronization.joint_drude`.

Parameters are dicts ``{name or symbol: value}`` with the names ``m, omega_A, omega_B`` (always),
``gamma_2, T, omega_D`` (where a function needs them).  :data:`DEFAULT` (``m = omega_A = 1``,
``omega_B = 0.6``) for the Ohmic sweeps, :data:`DRUDE` (plus ``gamma_2 = 1``, ``omega_D = 5``,
``T = 0.2``) for the discretised bath and equipartition.  Grids default to multiples of ``omega_A``.
"""
from __future__ import annotations

import time
from functools import lru_cache

import numpy as np
import sympy as sp

from qsym.algebra.symbols import expand_definitions
from qsym.dynamics.langevin import pearson as symbolic_pearson
from qsym.numeric.discrete_bath import DiscreteBath, DiscretisedNetwork, convergence_study, pearson
from qsym.numeric.functions import to_numeric
from qsym.numeric.langevin import LangevinResult, LangevinSolver

from . import razzoli_synchronization as rs

__all__ = ["DEFAULT", "DRUDE", "values", "matsubara_terms", "pearson_map", "plot_pearson_map",
           "c_inf_latex", "strong_coupling_pearson", "strong_coupling_approach", "plot_strong_coupling_approach",
           "series_coefficients", "series_latex", "pole_comparison", "plot_pole_comparison", "langevin_reference",
           "discretised_network", "discretisation_convergence", "plot_discretisation_convergence",
           "equipartition_check", "plot_equipartition"]

DEFAULT = dict(m=1.0, omega_A=1.0, omega_B=0.6)
"""Ohmic sweeps: ``wbar = sqrt((1 + 0.36)/2) = 0.8246``."""
DRUDE = dict(m=1.0, omega_A=1.0, omega_B=0.6, gamma_2=1.0, omega_D=5.0, T=0.2)
"""Drude-cut joint bath (discretised bath, equipartition of momenta)."""

_SYMBOLS = {"m": rs.m, "omega_A": rs.wA, "omega_B": rs.wB, "gamma_2": rs.gamma2, "T": rs.T, "omega_D": rs.wD}


# ---- parameters ------------------------------------------------------------------------------------------
def values(params: dict, required=("m", "omega_A", "omega_B"), **extra) -> dict:
    """``{symbol: float}`` from ``params`` (keys: names as in :data:`DEFAULT` or the derivation's symbols)
    updated by ``extra`` (names); every name in ``required`` must be present, all values positive and
    ``omega_A > omega_B`` (the derivation's assumption)."""
    by_name = {str(k): v for k, v in params.items()}
    by_name.update(extra)
    unknown = sorted(set(by_name) - set(_SYMBOLS))
    if unknown:
        raise KeyError(f"argument `params` has unknown keys {unknown} (expected some of {list(_SYMBOLS)})")
    missing = [n for n in required if n not in by_name]
    if missing:
        raise KeyError(f"argument `params` lacks {missing}")
    out = {}
    for n, v in by_name.items():
        v = float(v)
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"argument `params[{n!r}]` must be positive and finite, got {v}")
        out[_SYMBOLS[n]] = v
    if out[rs.wA] <= out[rs.wB]:
        raise ValueError(f"the derivation assumes omega_A > omega_B, got {out[rs.wA]} <= {out[rs.wB]}")
    return out


def _names(vals: dict) -> dict:
    return {n: vals[s] for n, s in _SYMBOLS.items() if s in vals}


def matsubara_terms(gamma: float, T: float, omega: float, ratio: float = 100.0, minimum: int = 20000,
                    cap: int = 2_000_000) -> int:
    """Number of Matsubara terms with ``nu_N = 2 pi T N >= ratio * max(gamma, omega)`` (at least
    ``minimum``, the library default; at most ``cap``, memory)."""
    n = int(np.ceil(ratio * max(gamma, omega) / (2 * np.pi * T)))
    return int(min(cap, max(minimum, n)))


class _Progress:
    """A compact progress line (``label: 10% 20% ... 100% (7.1 s)``), shown only once the sweep has run
    longer than ``after`` seconds (``show=True``: always, ``False``: never)."""

    def __init__(self, label: str, total: int, show: bool | None = None, after: float = 2.0):
        self.label, self.total, self.show, self.after = label, max(1, total), show, after
        self.t0, self.next, self.started = time.perf_counter(), 10, False

    def __call__(self, done: int):
        if self.show is False:
            return
        pct = 100 * done // self.total
        if pct < self.next:
            return
        if not self.started and (self.show or time.perf_counter() - self.t0 > self.after):
            self.started = True
            print(f"{self.label}:", end="", flush=True)
        if self.started:
            print(f" {pct}%", end="", flush=True)
        self.next = 10 * (pct // 10) + 10

    def close(self):
        if self.started:
            print(f" ({time.perf_counter() - self.t0:.1f} s)", flush=True)
        return time.perf_counter() - self.t0


def _with_temperature(res: LangevinResult, T: float) -> LangevinResult:
    """``res`` with every bath at temperature ``T`` (susceptibility unchanged: ``M``, ``K`` and the
    spectral densities do not depend on ``T``); saves re-lambdifying the network per temperature."""
    baths = [(g, float(T), spec) for g, _, spec in res.baths]
    return LangevinResult(res.M, res.K, baths, {**res.values, rs.T: float(T)})


# ---- 1. Pearson coefficient over (gamma_2, T) ---------------------------------------------------------------
def _network(config: str):
    if config == "joint":
        return rs.joint()
    if config == "independent":
        return rs.independent()
    raise ValueError(f"argument `config` must be 'joint' or 'independent', got {config!r}")


def pearson_map(gammas=None, temps=None, config: str = "joint", params: dict = DEFAULT, ratio: float = 100.0,
                progress: bool | None = None) -> dict:
    """``C = <x_A x_B>/sqrt(<x_A^2><x_B^2>)`` on the grid ``gammas x temps`` from the numeric Matsubara
    covariance of the ``config`` network ("joint": one common bath; "independent": one bath each).

    Defaults: ``gamma_2/omega_A`` log-spaced ``1e-2 .. 1e3`` (31 points), ``T/omega_A`` log-spaced
    ``1e-2 .. 1e1`` (25 points).  Returns ``{"gamma", "T", "C"`` (shape ``(len(T), len(gamma))``),
    ``"cov"`` (shape ``(len(T), len(gamma), 2, 2)``), ``"max_abs_C", "n_terms_max", "seconds", "config",
    "params"}``."""
    vals = values(params)
    wA = vals[rs.wA]
    gammas = wA * np.geomspace(1e-2, 1e3, 31) if gammas is None else np.asarray(gammas, float)
    temps = wA * np.geomspace(1e-2, 1e1, 25) if temps is None else np.asarray(temps, float)
    solver = LangevinSolver(_network(config))
    C = np.empty((len(temps), len(gammas)))
    cov = np.empty((len(temps), len(gammas), 2, 2))
    nmax = 0
    bar = _Progress(f"pearson_map[{config}] {len(gammas)}x{len(temps)}", C.size, progress)
    for j, g in enumerate(gammas):
        res = solver.solve({**vals, rs.gamma2: float(g), rs.T: float(temps[0])})
        for i, Tv in enumerate(temps):
            n = matsubara_terms(g, Tv, wA, ratio)
            nmax = max(nmax, n)
            S = _with_temperature(res, Tv).matsubara_covariance(n_terms=n)
            cov[i, j] = S
            C[i, j] = pearson(S)
            bar(j * len(temps) + i + 1)
    secs = bar.close()
    return {"gamma": gammas, "T": temps, "C": C, "cov": cov, "max_abs_C": float(np.max(np.abs(C))),
            "n_terms_max": nmax, "seconds": secs, "config": config, "params": _names(vals)}


def plot_pearson_map(joint: dict, independent: dict):
    """Two panels (joint, independent): colour map of ``C`` over ``(gamma_2, T)`` on one scale
    ``[-1, 0]``, read as on the slides (``C -> -1``: anti-synchronization; ``C -> 0``: none); contours
    of the joint map, and the derived strong-coupling limit ``C_oo(T)`` in a strip on the right."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize
    fig, ax = plt.subplots(1, 2, figsize=(13, 5.0), sharey=True)
    fig.subplots_adjust(top=0.88, wspace=0.25)
    norm = Normalize(-1.0, 0.0)
    cmap = plt.get_cmap("magma")
    for a, d, title in ((ax[0], joint, "joint: one common bath"), (ax[1], independent, "independent: one bath each")):
        mesh = a.pcolormesh(d["gamma"], d["T"], d["C"], shading="nearest", cmap=cmap, norm=norm)
        a.set(xscale="log", yscale="log", xlabel=r"$\gamma_2$", title=f"{title}  (max $|C|$ = {d['max_abs_C']:.2g})")
    cs = ax[0].contour(joint["gamma"], joint["T"], joint["C"], levels=[-0.9, -0.5, -0.1, -0.01], colors="w",
                       linewidths=0.8, linestyles="solid")
    ax[0].clabel(cs, fontsize=7, fmt="%g")
    ax[0].set_ylabel(r"$T$")
    vals = values(joint["params"])
    Tc = joint["T"]
    Cinf = strong_coupling_pearson(Tc, joint["params"])
    ax0 = ax[0].inset_axes([1.0, 0.0, 0.04, 1.0], sharey=ax[0])
    ax0.pcolormesh([0, 1], Tc, np.repeat(Cinf[:, None], 2, axis=1), shading="nearest", cmap=cmap, norm=norm)
    ax0.set_xticks([])
    ax0.tick_params(labelleft=False)
    ax0.yaxis.set_label_position("right")
    ax0.set_ylabel(r"derived $C_\infty(T)$", fontsize=8)
    zero = "every point exactly 0" if independent["max_abs_C"] == 0 else f"max |C| = {independent['max_abs_C']:.1e}"
    ax[1].text(0.5, 0.5, f"C computed on {independent['C'].size} points:\n{zero}", transform=ax[1].transAxes,
               ha="center", va="center", fontsize=10)
    cb = fig.colorbar(mesh, ax=ax, fraction=0.03, pad=0.03, ticks=[-1, -0.75, -0.5, -0.25, 0])
    cb.ax.set_yticklabels(["-1: anti-sync.", "-0.75", "-0.5", "-0.25", "0: none"])
    cb.set_label(r"Pearson $C=\langle x_Ax_B\rangle/\sqrt{\langle x_A^2\rangle\langle x_B^2\rangle}$")
    fig.suptitle(rf"Ohmic bath, $m={vals[rs.m]:g}$, $\omega_A={vals[rs.wA]:g}$, $\omega_B={vals[rs.wB]:g}$; "
                 "numeric Matsubara sums (strip: derived $C_\\infty(T)$)", fontsize=10, y=0.99)
    return fig


# ---- 2. strong coupling -----------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _c_inf_expr():
    return symbolic_pearson(rs.strong_coupling()["xx"])


@lru_cache(maxsize=None)
def _c_inf_function():
    # coth as 1/tanh: lambdify writes coth as a ratio of exponentials, which overflows for T << wbar
    e = expand_definitions(_c_inf_expr()).replace(sp.coth, lambda a: 1 / sp.tanh(a))
    return to_numeric(e, (rs.m, rs.wA, rs.wB, rs.T)).func


@lru_cache(maxsize=None)
def c_inf_latex() -> str:
    """LaTeX of the derived ``C_oo(T)`` (simplified; a few seconds)."""
    return sp.latex(sp.simplify(_c_inf_expr()))


def strong_coupling_pearson(temps, params: dict = DEFAULT) -> np.ndarray:
    """The derived closed form ``C_oo(T)`` (strong-coupling limit of ``C``) at ``temps``."""
    vals = values(params)
    t = np.asarray(temps, float)
    out = np.asarray(_c_inf_function()(vals[rs.m], vals[rs.wA], vals[rs.wB], t), float)
    return out * np.ones_like(t)


def strong_coupling_approach(gammas=None, T: float = 0.1, params: dict = DEFAULT, ratio: float = 100.0,
                             temps=None, progress: bool | None = None) -> dict:
    """``C(gamma_2)`` at temperature ``T`` (numeric Matsubara covariance) against the derived limit
    ``C_oo(T)``; ``|C - C_oo|`` and its observed rate: the local log-log slope over the last decade and a
    least-squares fit ``gamma_2 (C - C_oo) = a + b ln(gamma_2/omega_A)`` over the largest half of the
    grid (``b != 0``: ``|C - C_oo| ~ ln(gamma_2)/gamma_2``; ``b = 0``: ``~ 1/gamma_2``).  Also
    ``C_oo`` over ``temps`` from the closed form and from the numeric strong-coupling Matsubara sum
    (numeric null space), the check that the closed form is what the numerics give.

    Defaults: ``gamma_2/omega_A`` log-spaced ``1e-1 .. 1e4`` (21 points), ``T/omega_A`` for the
    ``C_oo`` curve log-spaced ``1e-3 .. 1e1`` (41 points, numeric markers at 9 of them)."""
    vals = values(params)
    wA = vals[rs.wA]
    gammas = wA * np.geomspace(1e-1, 1e4, 21) if gammas is None else np.asarray(gammas, float)
    temps = wA * np.geomspace(1e-3, 1e1, 41) if temps is None else np.asarray(temps, float)
    solver = LangevinSolver(rs.joint())
    bar = _Progress(f"strong_coupling_approach T={T:g}", len(gammas), progress)
    C = np.empty(len(gammas))
    for k, g in enumerate(gammas):
        res = solver.solve({**vals, rs.gamma2: float(g), rs.T: float(T)})
        C[k] = pearson(res.matsubara_covariance(n_terms=matsubara_terms(g, T, wA, ratio)))
        bar(k + 1)
    bar.close()
    C_inf = float(strong_coupling_pearson([T], params)[0])
    diff = C - C_inf
    ad = np.abs(diff)
    big = gammas >= gammas[-1] / 10
    slope = float(np.polyfit(np.log(gammas[big]), np.log(ad[big]), 1)[0]) if big.sum() >= 2 else float("nan")
    half = np.arange(len(gammas)) >= len(gammas) // 2
    b, a = np.polyfit(np.log(gammas[half] / wA), gammas[half] * diff[half], 1)
    fit_resid = float(np.max(np.abs(a + b * np.log(gammas[half] / wA) - gammas[half] * diff[half])
                             / np.abs(gammas[half] * diff[half])))
    # C_oo(T): closed form vs numeric strong-coupling Matsubara sum
    curve = strong_coupling_pearson(temps, params)
    pick = np.unique(np.round(np.linspace(0, len(temps) - 1, 9)).astype(int))
    res = solver.solve({**vals, rs.gamma2: 1.0, rs.T: float(temps[0])})
    num = np.array([pearson(_with_temperature(res, temps[k]).strong_coupling_covariance(0)) for k in pick])
    return {"gamma": gammas, "T": float(T), "C": C, "C_inf": C_inf, "diff": diff, "slope_last_decade": slope,
            "fit": {"a": float(a), "b": float(b), "max_rel_residual": fit_resid}, "fit_gamma": gammas[half],
            "rate": "ln(gamma)/gamma" if abs(b) > 0.05 * abs(a + b * np.log(gammas[-1] / wA)) else "1/gamma",
            "curve": {"T": temps, "C_inf": curve, "T_numeric": temps[pick], "C_inf_numeric": num,
                      "max_abs_diff": float(np.max(np.abs(num - curve[pick])))},
            "params": _names(vals)}


def plot_strong_coupling_approach(data: dict):
    """(a) ``C(gamma_2)`` with the derived ``C_oo(T)``; (b) ``|C - C_oo|`` log-log with the fitted
    ``(a + b ln gamma_2)/gamma_2`` and a ``1/gamma_2`` guide; (c) ``C_oo(T)``: closed form (line) and
    numeric strong-coupling Matsubara sum (markers)."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
    g = data["gamma"]
    ax[0].semilogx(g, data["C"], "o-", ms=3, label="numeric (Matsubara sum)")
    ax[0].axhline(data["C_inf"], color="k", ls="--", lw=1, label=rf"derived $C_\infty(T)={data['C_inf']:.4f}$")
    ax[0].set(xlabel=r"$\gamma_2$", ylabel="$C$", title=rf"(a) $C(\gamma_2)$ at $T={data['T']:g}$")
    a, b = data["fit"]["a"], data["fit"]["b"]
    wA = data["params"]["omega_A"]
    ax[1].loglog(g, np.abs(data["diff"]), "o", ms=4, mfc="none", label=r"$|C-C_\infty|$")
    gf = data["fit_gamma"]
    ax[1].loglog(gf, np.abs(a + b * np.log(gf / wA)) / gf, "C3-", lw=1,
                 label=rf"fit $({a:.3g}+{b:.3g}\ln\gamma_2)/\gamma_2$")
    ax[1].loglog(g, np.abs(data["diff"][-1]) * g[-1] / g, "k:", lw=1, label=r"$\propto 1/\gamma_2$")
    ax[1].set(xlabel=r"$\gamma_2$", title=f"(b) approach: slope {data['slope_last_decade']:.3f} over the last decade")
    cur = data["curve"]
    ax[2].semilogx(cur["T"], cur["C_inf"], "k-", label=r"closed form $C_\infty(T)$")
    ax[2].semilogx(cur["T_numeric"], cur["C_inf_numeric"], "o", color="C1", mfc="none",
                   label=f"numeric null space + Matsubara (max diff {cur['max_abs_diff']:.1e})")
    ax[2].axhline(-1, color="0.5", lw=0.8, ls=":")
    ax[2].set(xlabel="$T$", ylabel=r"$C_\infty$", title=r"(c) strong-coupling limit: $C_\infty\to-1$ as $T\to0$")
    for x in ax:
        x.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ---- 3. antiphase pole --------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _series(order: int):
    """``(root, symbol, (c_0, ..., c_order))``: the antiphase pole ``sum_k c_k gamma_2^{-k}`` with the
    coefficients written in ``symbol`` standing for ``root = wbar`` (as the engine returns them)."""
    if order == rs.SERIES_ORDER:
        ap = rs.antiphase()
    else:
        (ap,) = rs.joint().antiphase_pole_series("2", order=order, parameter=rs.gamma2)
    cs = [sp.S.Zero] * (order + 1)
    for term in sp.Add.make_args(ap["series"]):
        c, e = term.as_coeff_exponent(rs.gamma2)
        if c.has(rs.gamma2) or not (e.is_integer and 0 <= -e <= order):
            raise ValueError(f"unexpected term of the 1/gamma_2 series: {term}")
        cs[int(-e)] += c
    return ap["root"], ap["symbol"], tuple(cs)


def series_coefficients(params: dict = DEFAULT, order: int = rs.SERIES_ORDER) -> np.ndarray:
    """Complex ``c_k`` of the antiphase pole ``w_- = sum_k c_k/gamma_2^k`` at ``params`` (``c_0 = wbar``)."""
    vals = values(params)
    root, sym, cs = _series(order)
    return np.array([complex(sp.N(c.xreplace({sym: root}).xreplace(vals), 20)) for c in cs])


def series_latex(order: int = 3, full_order: int = rs.SERIES_ORDER) -> str:
    """LaTeX of the terms up to ``gamma_2^{-order}`` of the series computed to ``full_order``."""
    _, sym, cs = _series(full_order)
    wbar = sp.Symbol(r"\bar\omega", positive=True)
    terms = [sp.factor(cs[k].xreplace({sym: wbar})) / rs.gamma2**k for k in range(order + 1)]
    return " ".join(("" if k == 0 or sp.latex(t).startswith("-") else "+ ") + sp.latex(t)
                    for k, t in enumerate(terms)) + rf" + O(\gamma_2^{{-{order + 1}}})"


def _mp(c):
    """A SymPy number (evaluated) as an mpmath ``mpc`` at the current precision."""
    import mpmath
    re, im = sp.re(c), sp.im(c)
    return mpmath.mpc(re._to_mpmath(mpmath.mp.prec), im._to_mpmath(mpmath.mp.prec))


@lru_cache(maxsize=None)
def _characteristic_polynomial():
    z = sp.Symbol("z")
    return z, rs.joint().characteristic_polynomial(z)


def _refine_pole(vals: dict, gamma: float, guess: complex, dps: int):
    """The root of the characteristic polynomial of :func:`~derivations.razzoli_synchronization.joint`
    (parameters substituted exactly as binary floats) nearest ``guess``, to ``dps`` digits (mpmath)."""
    import mpmath
    z, P = _characteristic_polynomial()
    sub = {**{k: sp.Float(v, dps) for k, v in vals.items()}, rs.gamma2: sp.Float(gamma, dps)}
    coeffs = [sp.N(c.xreplace(sub), dps) for c in sp.Poly(P, z).all_coeffs()]
    with mpmath.workdps(dps):
        cf = [_mp(c) for c in coeffs]
        return mpmath.findroot(lambda x: mpmath.polyval(cf, x), mpmath.mpc(guess.real, guess.imag))


def pole_comparison(gammas=None, params: dict = DEFAULT, order: int = rs.SERIES_ORDER, truncations=None,
                    dps: int = 50) -> dict:
    """The numeric antiphase pole (the pole of ``chi`` nearest ``wbar``, from
    :meth:`~qsym.numeric.langevin.LangevinResult.poles`) against the ``1/gamma_2`` series (order ``order``)
    and its truncations at orders ``truncations`` (default ``0..order``).

    The double-precision pole resolves the series only to ~1e-16, which the full series reaches already
    at ``gamma_2 = 10 omega_A``; to see the truncation errors of every order the pole is also refined to
    ``dps`` digits (Newton/secant on the characteristic polynomial of the network in mpmath, started at the
    numeric pole) and the series summed at that precision; ``dps=None`` skips this.

    Defaults: ``gamma_2/omega_A`` log-spaced ``10 .. 1e3`` (13 points; the series' regime
    ``gamma_2 >= 10 omega_A``).  Returns ``{"gamma", "pole"`` (double), ``"pole_refined"`` (complex, rounded),
    ``"double_vs_refined"``, ``"series"``, ``"truncated": {k: complex array}``, ``"error": {k: |series_k -
    pole|}`` (against the refined pole, else the double one), ``"error_re", "error_im", "rel_error_im"``
    (full series vs the double pole), ``"slopes": {k: log-log slope of error_k above the floor}``,
    ``"floor", "wbar", "coefficients", "params"}``."""
    import mpmath
    vals = values(params)
    wA = vals[rs.wA]
    gammas = wA * np.geomspace(10.0, 1e3, 13) if gammas is None else np.asarray(gammas, float)
    truncations = tuple(range(order + 1)) if truncations is None else tuple(truncations)
    cs = series_coefficients(params, order)
    solver = LangevinSolver(rs.joint())
    poles = np.empty(len(gammas), complex)
    for k, g in enumerate(gammas):
        p = solver.solve({**vals, rs.gamma2: float(g), rs.T: 1.0}).poles()
        poles[k] = p[np.argmin(np.abs(p - cs[0]))]
    trunc = {K: sum(cs[j] * gammas ** (-float(j)) for j in range(K + 1)) for K in truncations}
    full = sum(cs[j] * gammas ** (-float(j)) for j in range(order + 1))
    if dps:
        root, sym, csym = _series(order)
        sub = {k: sp.Float(v, dps) for k, v in vals.items()}
        with mpmath.workdps(dps):
            cmp_ = [sp.N(c.xreplace({sym: root}).xreplace(sub), dps) for c in csym]
            cmp_ = [_mp(c) for c in cmp_]
            refined = [_refine_pole(vals, float(g), poles[k], dps) for k, g in enumerate(gammas)]
            err = {}
            for K in truncations:
                err[K] = np.array([float(abs(sum(cmp_[j] * mpmath.mpf(float(g)) ** (-j) for j in range(K + 1)) - r))
                                   for g, r in zip(gammas, refined)])
            ref = np.array([complex(r) for r in refined])
        floor = float(10.0 ** (-dps + 5))
    else:
        ref = poles
        err = {K: np.abs(trunc[K] - poles) for K in truncations}
        floor = 1e-14
    slopes = {}
    for K, e in err.items():
        ok = e > floor
        slopes[K] = float(np.polyfit(np.log(gammas[ok]), np.log(e[ok]), 1)[0]) if ok.sum() >= 3 else float("nan")
    return {"gamma": gammas, "pole": poles, "pole_refined": ref, "double_vs_refined": np.abs(poles - ref),
            "series": full, "truncated": trunc, "error": err,
            "error_re": np.abs(full.real - poles.real), "error_im": np.abs(full.imag - poles.imag),
            "rel_error_im": np.abs(full.imag - poles.imag) / np.abs(poles.imag), "slopes": slopes, "floor": floor,
            "wbar": float(cs[0].real), "coefficients": cs, "order": order, "dps": dps, "params": _names(vals)}


def plot_pole_comparison(data: dict):
    """(a) ``Re w_- - wbar`` and (b) ``-Im w_-`` (damping rate) against ``gamma_2``: numeric poles
    (markers), the series (line) and its leading term; (c) ``|series_k - pole|`` for the truncation
    orders ``k`` (against the extended-precision pole; dotted: double precision)."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
    g, p, s, c = data["gamma"], data["pole"], data["series"], data["coefficients"]
    ax[0].loglog(g, p.real - data["wbar"], "o", mfc="none", label=r"numeric $\mathrm{Re}\,\omega_- - \bar\omega$")
    ax[0].loglog(g, s.real - data["wbar"], "-", color="C1", label=f"series (order {data['order']})")
    ax[0].loglog(g, (c[2].real) / g**2, "k:", lw=1, label=rf"$c_2/\gamma_2^2$, $c_2={c[2].real:.4g}$")
    ax[0].set(xlabel=r"$\gamma_2$", title=rf"(a) real part $\to\bar\omega={data['wbar']:.6f}$")
    ax[1].loglog(g, -p.imag, "o", mfc="none", label=r"numeric $-\mathrm{Im}\,\omega_-$")
    ax[1].loglog(g, -s.imag, "-", color="C1", label="series")
    ax[1].loglog(g, -c[1].imag / g, "k:", lw=1,
                 label=r"$\frac{(\omega_A^2-\omega_B^2)^2}{8(\omega_A^2+\omega_B^2)\gamma_2}$")
    ax[1].set(xlabel=r"$\gamma_2$", title=r"(b) damping rate $\sim 1/\gamma_2$")
    cols = plt.cm.viridis(np.linspace(0, 0.9, len(data["error"])))
    for col, (K, e) in zip(cols, data["error"].items()):
        ax[2].loglog(g, np.maximum(e, data["floor"]), "o-", ms=3, color=col,
                     label=f"order {K}: slope {data['slopes'][K]:.2f}")
    ax[2].axhline(np.finfo(float).eps * data["wbar"], color="0.5", ls=":", lw=1)
    ref = f"{data['dps']}-digit pole" if data["dps"] else "double-precision pole"
    ax[2].set(xlabel=r"$\gamma_2$", title=f"(c) |truncated series - {ref}|")
    for x in ax:
        x.legend(fontsize=7)
    fig.tight_layout()
    return fig


# ---- 4. discretised bath ------------------------------------------------------------------------------------
def _drude_values(params: dict) -> dict:
    return values(params, required=("m", "omega_A", "omega_B", "gamma_2", "omega_D", "T"))


def langevin_reference(params: dict = DRUDE, method: str = "integral") -> np.ndarray:
    """4 x 4 covariance (``x_A, x_B, p_A, p_B``) of the Drude-cut joint network
    (:func:`~derivations.razzoli_synchronization.joint_drude`) by the Langevin frequency integrals (L4)
    (``method="matsubara"``: positions by the Matsubara sum, momenta still by the integral)."""
    vals = _drude_values(params)
    res = LangevinSolver(rs.joint_drude()).solve(vals)
    out = np.zeros((4, 4))
    out[:2, :2] = res.matsubara_covariance() if method == "matsubara" else res.covariance("xx")
    out[2:, 2:] = res.covariance("pp")
    return out


def discretised_network(params: dict, M: int, method: str = "jacobi") -> DiscretisedNetwork:
    """The joint Drude bath ``J = m gamma_2 w/(1 + w^2/w_D^2)`` as ``M`` oscillators (tan grid, scale
    ``w_D``), coupled to ``x_A + x_B`` with the counterterm."""
    vals = _drude_values(params)
    mm, lam, wD = vals[rs.m], vals[rs.m] * vals[rs.gamma2], vals[rs.wD]
    J = lambda w: lam * w / (1 + (w / wD) ** 2)  # noqa: E731
    K = np.diag([mm * vals[rs.wA] ** 2, mm * vals[rs.wB] ** 2])
    return DiscretisedNetwork([mm, mm], K, [DiscreteBath("2", J, vals[rs.T], (1.0, 1.0), scale=wD)], M, method=method)


def discretisation_convergence(Ms=None, params: dict = DRUDE, target: float = 1e-6) -> dict:
    """Gibbs covariance of the discretised bath for each ``M`` against the Langevin covariance:
    relative errors of the position and momentum blocks (max abs difference / largest entry), their
    orders, the predicted leading errors of :mod:`qsym.numeric.discrete_bath` (momenta
    ``+pi A/(96 (M w_D)^2)``, positions ``-7 pi^3 A/(15360 (M w_D)^4)/m^2`` on every element of
    ``g g^T``, ``A = m gamma_2 w_D^2``), and the first ``M`` of the list with both relative errors
    ``<= target``.  Defaults: ``M = 10, 20, ..., 640``."""
    vals = _drude_values(params)
    Ms = [10 * 2**k for k in range(7)] if Ms is None else [int(M) for M in Ms]
    t = time.perf_counter()
    ref = langevin_reference(params)
    t_ref = time.perf_counter() - t
    rows = convergence_study(lambda M: discretised_network(params, M), Ms, vals[rs.T], reference=ref)
    M_arr = np.array([r["M"] for r in rows])
    rel_x, rel_p = np.array([r["rel_x"] for r in rows]), np.array([r["rel_p"] for r in rows])
    err = np.maximum(rel_x, rel_p)
    ok = np.nonzero(err <= target)[0]
    A = vals[rs.m] * vals[rs.gamma2] * vals[rs.wD] ** 2
    wc = vals[rs.wD]
    pred_p = np.pi * A / (96 * (M_arr * wc) ** 2) / np.max(np.abs(ref[2:, 2:]))
    pred_x = 7 * np.pi**3 * A / (15360 * (M_arr * wc) ** 4) / vals[rs.m] ** 2 / np.max(np.abs(ref[:2, :2]))
    return {"M": M_arr, "rel_x": rel_x, "rel_p": rel_p, "error": err, "order_x": [r["order_x"] for r in rows],
            "order_p": [r["order_p"] for r in rows], "predicted_x": pred_x, "predicted_p": pred_p,
            "seconds": np.array([r["seconds"] for r in rows]), "reference": ref, "reference_seconds": t_ref,
            "target": target, "M_needed": int(M_arr[ok[0]]) if len(ok) else None,
            "pearson_langevin": pearson(ref), "pearson_discrete": pearson(rows[-1]["cov"]), "params": _names(vals)}


def plot_discretisation_convergence(data: dict):
    """Relative error of the discretised-bath covariance (positions, momenta) against ``M`` (log-log)
    with the predicted leading errors and the target."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    M = data["M"]
    ax.loglog(M, data["rel_p"], "o", color="C0", mfc="none", label=r"momenta $\langle pp\rangle$")
    ax.loglog(M, data["predicted_p"], "-", color="C0", lw=1, label=r"predicted $\pi A/(96 (M\omega_D)^2)$")
    ax.loglog(M, data["rel_x"], "s", color="C3", mfc="none", label=r"positions $\langle xx\rangle$")
    ax.loglog(M, data["predicted_x"], "-", color="C3", lw=1, label=r"predicted $7\pi^3A/(15360 (M\omega_D)^4)$")
    ax.axhline(data["target"], color="k", ls=":", lw=1)
    Mn = data["M_needed"]
    p = data["params"]
    ax.set(xlabel="M (bath oscillators)", ylabel="max |discrete - Langevin| / max |Langevin|",
           title=rf"Drude $\omega_D={p['omega_D']:g}$, $\gamma_2={p['gamma_2']:g}$, $T={p['T']:g}$: "
                 f"{data['target']:g} reached at M = {Mn}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ---- 5. equipartition ---------------------------------------------------------------------------------------
def equipartition_check(params: dict = DRUDE, temps=None) -> dict:
    """Langevin covariance (frequency integrals, Drude-cut joint network) at increasing ``T`` against the
    classical limit ``T K^{-1}`` (positions) and ``T M`` (momenta): relative deviations
    ``max|X - T K^{-1}|/max|T K^{-1}|`` and the same for ``P``, and their log-log slopes (expected
    ``-2``; ``last_slope_*``: between the two highest temperatures), and ``C`` (-> 0 as ``T`` grows).  Default
    ``T/omega_A = 1, 2, 4, ..., 32``."""
    vals = _drude_values(params)
    temps = vals[rs.wA] * 2.0 ** np.arange(6) if temps is None else np.asarray(temps, float)
    solver = LangevinSolver(rs.joint_drude())
    base = solver.solve({**vals, rs.T: float(temps[0])})
    Kinv, Mm = np.linalg.inv(base.K), base.M
    dx, dp, cx = np.empty(len(temps)), np.empty(len(temps)), np.empty(len(temps))
    for k, Tv in enumerate(temps):
        r = _with_temperature(base, Tv)
        X, P = r.covariance("xx"), r.covariance("pp")
        dx[k] = np.max(np.abs(X - Tv * Kinv)) / np.max(np.abs(Tv * Kinv))
        dp[k] = np.max(np.abs(P - Tv * Mm)) / np.max(np.abs(Tv * Mm))
        cx[k] = pearson(X)
    sx = float(np.polyfit(np.log(temps), np.log(dx), 1)[0])
    sp_ = float(np.polyfit(np.log(temps), np.log(dp), 1)[0])
    lx = float(np.log(dx[-1] / dx[-2]) / np.log(temps[-1] / temps[-2]))
    lp = float(np.log(dp[-1] / dp[-2]) / np.log(temps[-1] / temps[-2]))
    return {"T": temps, "dev_x": dx, "dev_p": dp, "slope_x": sx, "slope_p": sp_, "last_slope_x": lx,
            "last_slope_p": lp, "pearson": cx, "params": _names(vals)}


def plot_equipartition(data: dict):
    """Relative deviations from ``T K^{-1}`` and ``T M`` against ``T`` (log-log) with a ``T^{-2}`` guide."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    T = data["T"]
    ax.loglog(T, data["dev_x"], "o-", label=rf"$\langle xx\rangle$ vs $TK^{{-1}}$: slope {data['slope_x']:.2f}")
    ax.loglog(T, data["dev_p"], "s-", label=rf"$\langle pp\rangle$ vs $TM$: slope {data['slope_p']:.2f}")
    ax.loglog(T, data["dev_x"][0] * (T / T[0]) ** -2, "k:", lw=1, label=r"$\propto T^{-2}$")
    ax.set(xlabel="$T$", ylabel="relative deviation", title="equipartition at high temperature (Drude cutoff)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
