r"""Figures for Colla, Vacchini & Smirne's two interacting bosonic reservoirs
(:mod:`derivations.colla_reservoirs`): energies and the three energy assignments against time,
the dispersive limit and its rate, the minimal-dissipation work peaks near resonance, and the
talk's recap statements with computed statuses.

A library module (no ``NAME``/``results()``: the derivation registry ignores it).  The data
functions return numpy arrays / dicts; the ``plot_*`` functions draw them with matplotlib
(imported lazily) and return the figure.

Where the numbers come from:

* curves: the derivation's closed forms (``model().energy_change``, ``model().assignment(X)``,
  ``model().minimal_dissipation(X)``), lambdified with :func:`qsym.numeric.functions.to_numeric`
  (defined symbols ``nu_X, Delta, Gamma, Omega`` and the occupations expanded);
* markers: the independent single-particle route :class:`qsym.numeric.gaussian.GaussianSolver`
  -- the full ``(N_1 + N_2)``-mode matrix built from numbers, ``eigh``, the md Hamiltonian by a
  linear solve and the md heat by quadrature -- at a dozen times;
* regimes: the derivation's :func:`~derivations.colla_reservoirs.dispersive` and
  :func:`~derivations.colla_reservoirs.near_resonant` limits (in the reduced parameters
  ``nu_1, Delta, Gamma``), with those parameters computed from the model parameters;
* recap: :func:`qsym.derivation.check_result` on the records of
  :func:`~derivations.colla_reservoirs.results` labelled ``"Recap ..."``.

Parameters are dicts ``{name or symbol: value}`` for ``omega_1, omega_2, g, gamma, N_1, N_2, T_1,
T_2`` (``N_X`` integers).  Two sets are provided: :data:`DISPERSIVE` (``Delta = 0.3``,
``Gamma = 0.1``) and :data:`ULTRASTRONG` (``Delta = 0.01``, ``Gamma = 0.2``).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from qsym.algebra.symbols import expand_definitions
from qsym.numeric.functions import to_numeric
from qsym.numeric.gaussian import GaussianSolver

from . import colla_published as pub
from . import colla_reservoirs as cr

__all__ = ["DISPERSIVE", "ULTRASTRONG", "PARAMETER_SETS", "APPROACHES", "values", "collective", "with_detuning",
           "closed_form", "assignment_traces", "dispersive_comparison", "dispersive_rate", "md_work_peaks",
           "recap_records", "recap_table", "plot_assignment_traces", "plot_dispersive", "plot_md_work_peaks"]

DISPERSIVE = dict(omega_1=1.0, omega_2=0.7, g=0.02, gamma=0.005, N_1=10, N_2=10, T_1=1.0, T_2=0.5)
"""``nu_1 = 1.18, nu_2 = 0.88``: ``Delta = 0.3``, ``Gamma = 2 sqrt(N_1 N_2) gamma = 0.1`` (Gamma/Delta = 1/3)."""
ULTRASTRONG = dict(omega_1=1.0, omega_2=0.99, g=0.02, gamma=0.01, N_1=10, N_2=10, T_1=1.0, T_2=0.5)
"""``Delta = 0.01``, ``Gamma = 0.2`` (Delta/Gamma = 0.05: the slides' ultrastrong regime, Delta << Gamma)."""
PARAMETER_SETS = {"dispersive": DISPERSIVE, "ultrastrong": ULTRASTRONG}
APPROACHES = cr.APPROACHES
TAGS = {"bare": "bare", "interaction": "int", "minimal dissipation": "md"}
QUANTITIES = ("dU", "dQ", "dW")

_SYMBOLS = {"omega_1": cr.w1, "omega_2": cr.w2, "g": cr.g, "gamma": cr.gamma, "N_1": cr.N1, "N_2": cr.N2,
            "T_1": cr.T1, "T_2": cr.T2}
_ARGS = tuple(_SYMBOLS.values()) + (cr.t,)          # argument order of the lambdified closed forms
_REDUCED = (cr.nu_r, cr.D_r, cr.G_r, cr.T1, cr.T2, cr.t)


# ---- parameters ------------------------------------------------------------------------------------------
def values(params: dict) -> dict:
    """``{symbol: float}`` (``N_X`` as int) from ``params`` keyed by names (``"omega_1"``) or by the
    derivation's symbols; every one of ``omega_1, omega_2, g, gamma, N_1, N_2, T_1, T_2`` is required."""
    by_name = {str(k): v for k, v in params.items()}
    missing = [n for n in _SYMBOLS if n not in by_name]
    if missing:
        raise KeyError(f"argument `params` lacks {missing} (needs {list(_SYMBOLS)})")
    extra = sorted(set(by_name) - set(_SYMBOLS))
    if extra:
        raise KeyError(f"argument `params` has unknown keys {extra} (expected {list(_SYMBOLS)})")
    out = {}
    for n, s in _SYMBOLS.items():
        v = by_name[n]
        if n.startswith("N_"):
            if int(v) != v or v < 1:
                raise ValueError(f"argument `params[{n!r}]` must be a positive integer, got {v}")
            out[s] = int(v)
        else:
            out[s] = float(v)
    return out


def _names(vals: dict) -> dict:
    return {n: vals[s] for n, s in _SYMBOLS.items()}


def collective(params: dict) -> dict:
    """``nu_1, nu_2, Delta, Gamma, Omega`` and ``t_star = pi/Omega`` evaluated from the derivation's
    defined symbols (:func:`colla_reservoirs.named`) at ``params``."""
    vals = values(params)
    out = {}
    for name, s in zip(("nu_1", "nu_2", "Delta", "Gamma", "Omega"), cr.named()):
        e = expand_definitions(s)
        out[name] = float(e.xreplace({k: vals[k] for k in e.free_symbols}))
    out["t_star"] = float(np.pi / out["Omega"])
    return out


def with_detuning(params: dict, ratio: float) -> dict:
    """``params`` with ``omega_2`` moved so that ``Delta = ratio * Gamma`` (``nu_1``, ``Gamma`` kept)."""
    p = _names(values(params))
    c = collective(p)
    nu2 = c["nu_1"] - ratio * c["Gamma"]
    p["omega_2"] = float(nu2 - (p["N_2"] - 1) * p["g"])
    if p["omega_2"] - p["g"] <= 0:
        raise ValueError(f"Delta/Gamma = {ratio}: the dark modes of reservoir 2 would have energy "
                         f"{p['omega_2'] - p['g']:.3g} <= 0 (no Gibbs state)")
    return p


def _title(params: dict) -> str:
    c = collective(params)
    return (rf"$\Delta={c['Delta']:.3g}$, $\Gamma={c['Gamma']:.3g}$ ($\Gamma/\Delta={c['Gamma'] / c['Delta']:.3g}$), "
            rf"$T_1={values(params)[cr.T1]:g}$, $T_2={values(params)[cr.T2]:g}$")


# ---- closed forms -> numbers -------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _expr(kind: str, X: str = "1", approach: str | None = None, quantity: str | None = None):
    m = cr.model()
    if kind == "tilde":
        return m.energy_change(X)
    if kind == "assignment":
        return m.assignment(X).approaches()[approach][quantity]
    md = m.minimal_dissipation(X)
    if kind == "K":
        return md.hamiltonian()[0, 0]
    if kind == "power":
        return md.power()
    if kind == "md_work":
        return md.work()
    raise ValueError(f"unknown closed form {kind!r}")


@lru_cache(maxsize=None)
def _numeric(kind: str, X: str = "1", approach: str | None = None, quantity: str | None = None):
    return to_numeric(_expr(kind, X, approach, quantity), _ARGS).func


def closed_form(kind: str, params: dict, times, X: str = "1", approach: str | None = None,
                quantity: str | None = None) -> np.ndarray:
    """A closed form of the derivation at ``params`` and ``times`` (real array).  ``kind``:
    ``"tilde"`` (``Delta U~_X``, ``X`` in 1, 2, I), ``"assignment"`` (``approach``, ``quantity``
    in dU, dQ, dW), ``"K"`` (``K_X(t)`` on the symmetric mode), ``"power"`` (``Tr[dK_X/dt rho_X]``),
    ``"md_work"`` (``dW^md_X``)."""
    vals = values(params)
    t = np.asarray(times, float)
    f = _numeric(kind, X, approach, quantity)
    out = np.asarray(f(*[vals[s] for s in _ARGS[:-1]], t), complex)
    return np.real(out) * np.ones_like(t)


def _numeric_times(times, n):
    """``n`` points of ``times`` at the fractions ``(k + 1/2)/n`` of its index range: never the first
    point, where every change vanishes, nor (for the default grids) ``t*`` or a full Rabi period,
    where some quantities vanish identically and a relative comparison would measure round-off."""
    times = np.asarray(times, float)
    idx = np.unique(np.round((np.arange(n) + 0.5) / n * (len(times) - 1)).astype(int))
    return times[idx]


def _rel(closed, numeric, scale):
    """max |closed - numeric| / max(|closed|, |numeric|); points where both are below 1e-9 of the
    curve's scale (zeros of the curve) are measured against that floor."""
    closed, numeric = np.asarray(closed, float), np.asarray(numeric, float)
    den = np.maximum(np.maximum(np.abs(closed), np.abs(numeric)), 1e-9 * scale)
    den = np.where(den > 0, den, 1.0)
    return float(np.max(np.abs(closed - numeric) / den))


# ---- 1. energies and assignments ---------------------------------------------------------------------------
def assignment_traces(params: dict = DISPERSIVE, times=None, subsystem: str = "1", n_numeric: int = 12) -> dict:
    """``Delta U~_1, Delta U~_2, Delta U~_I`` and the bare / interaction / minimal-dissipation
    ``dU, dQ, dW`` of ``subsystem`` against time, from the closed forms; the same from
    :class:`GaussianSolver` at ``n_numeric`` of the times.

    Returns ``{"t", "tilde": {X: array}, "closed": {approach: {q: array}}, "numeric": {"t",
    "tilde", "assignment"}, "max_rel_diff": {label: float}, "collective", "params", "subsystem"}``
    (``times`` default: two Rabi periods ``4 pi/Omega``, 601 points).
    """
    if subsystem not in ("1", "2"):
        raise ValueError(f"argument `subsystem` must be '1' or '2', got {subsystem!r}")
    c = collective(params)
    times = np.linspace(0.0, 4 * np.pi / c["Omega"], 601) if times is None else np.asarray(times, float)
    tilde = {X: closed_form("tilde", params, times, X) for X in ("1", "2", "I")}
    closed = {ap: {q: closed_form("assignment", params, times, subsystem, ap, q) for q in QUANTITIES}
              for ap in APPROACHES}
    tn = _numeric_times(times, n_numeric)
    res = GaussianSolver(cr.model()).solve(values(params))
    ntilde = {X: np.array([res.energy_change(X, float(x)) for x in tn]) for X in tilde}
    nassign = {ap: {q: np.empty(len(tn)) for q in QUANTITIES} for ap in APPROACHES}
    for k, x in enumerate(tn):
        for ap in APPROACHES:
            a = res.assignment(subsystem, ap, float(x))
            for q in QUANTITIES:
                nassign[ap][q][k] = a[q]
    diff = {}
    for X in tilde:
        diff[f"Delta U~_{X}"] = _rel(closed_form("tilde", params, tn, X), ntilde[X], np.max(np.abs(tilde[X])))
    for ap in APPROACHES:
        for q in QUANTITIES:
            diff[f"{q}^{TAGS[ap]}_{subsystem}"] = _rel(closed_form("assignment", params, tn, subsystem, ap, q),
                                                      nassign[ap][q], np.max(np.abs(closed[ap][q])))
    return {"t": times, "tilde": tilde, "closed": closed,
            "numeric": {"t": tn, "tilde": ntilde, "assignment": nassign},
            "max_rel_diff": diff, "collective": c, "params": _names(values(params)), "subsystem": subsystem}


def plot_assignment_traces(data: dict):
    """2x2: the tilde energies; ``dU``, ``dQ``, ``dW`` of the three approaches (lines: closed
    forms; markers: numeric single-particle evolution of the full matrix)."""
    import matplotlib.pyplot as plt
    S = data["subsystem"]
    t, tn = data["t"], data["numeric"]["t"]
    fig, ax = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    for X, col in zip(("1", "2", "I"), ("C0", "C1", "C2")):
        ax[0, 0].plot(t, data["tilde"][X], color=col, label=rf"$\Delta\tilde U_{X}$")
        ax[0, 0].plot(tn, data["numeric"]["tilde"][X], "o", color=col, ms=4, mfc="none")
    ax[0, 0].set_title(r"$\Delta\tilde U_X(t)$")
    sym = {"dU": r"\Delta U", "dQ": r"\delta Q", "dW": r"\delta W"}
    styles = {"bare": ("C0", "-", "o"), "interaction": ("C3", "--", "s"), "minimal dissipation": ("C2", "-", "^")}
    for a, q in zip((ax[0, 1], ax[1, 0], ax[1, 1]), QUANTITIES):
        for ap in APPROACHES:
            col, ls, mk = styles[ap]
            a.plot(t, data["closed"][ap][q], ls, color=col, label=rf"${sym[q]}_{S}^{{\mathrm{{{TAGS[ap]}}}}}$")
            a.plot(tn, data["numeric"]["assignment"][ap][q], mk, color=col, ms=4, mfc="none")
        a.set_title(rf"${sym[q]}_{S}(t)$")
    for a in ax.flat:
        a.axhline(0, color="k", lw=0.5)
        a.legend(fontsize=8)
    for a in ax[1]:
        a.set_xlabel("t")
    worst = max(data["max_rel_diff"].values())
    fig.suptitle(_title(data["params"]) + f"; markers: GaussianSolver (full {data['params']['N_1'] + data['params']['N_2']}"
                 f"-mode matrix), max rel. diff {worst:.1e}", fontsize=10)
    fig.tight_layout()
    return fig


# ---- 2. dispersive limit -------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _dispersive_limit(X: str):
    return cr.dispersive(cr.model().energy_change(X))


@lru_cache(maxsize=None)
def _dispersive_leading(X: str):
    return to_numeric(_dispersive_limit(X).leading, _REDUCED).func


def _reduced_args(params, times):
    c, v = collective(params), values(params)
    return (c["nu_1"], c["Delta"], c["Gamma"], v[cr.T1], v[cr.T2], np.asarray(times, float))


def _leading(X, params, times):
    t = np.asarray(times, float)
    return np.real(np.asarray(_dispersive_leading(X)(*_reduced_args(params, t)), complex)) * np.ones_like(t)


def _stated_exponent(L) -> int:
    """The power of ``Gamma`` in the Limit's stated relative correction (``Gamma^2/Delta^2`` -> 2)."""
    return int(sp.Poly(sp.numer(sp.together(L.correction)), cr.G_r).degree())


def dispersive_rate(params: dict = DISPERSIVE, t: float | None = None, ratios=None) -> dict:
    """Relative deviation ``|full/leading - 1|`` of ``Delta U~_1`` and ``Delta U~_I`` at the fixed
    time ``t`` (default ``1.5/Delta``) as ``Gamma/Delta`` varies (``gamma`` moved, ``Delta``
    kept), and the log-log slope fitted to it (the stated rate: :func:`_stated_exponent`)."""
    c = collective(params)
    t = 1.5 / c["Delta"] if t is None else float(t)
    ratios = np.geomspace(1e-3, 0.3, 12) if ratios is None else np.asarray(ratios, float)
    p = _names(values(params))
    dev = {"1": np.empty(len(ratios)), "I": np.empty(len(ratios))}
    for k, r in enumerate(ratios):
        q = dict(p, gamma=float(r * c["Delta"] / (2 * np.sqrt(p["N_1"] * p["N_2"]))))
        for X in dev:
            full = closed_form("tilde", q, [t], X)[0]
            dev[X][k] = abs(full / _leading(X, q, [t])[0] - 1)
    slope = {X: float(np.polyfit(np.log(ratios), np.log(dev[X]), 1)[0]) for X in dev}
    return {"ratio": ratios, "t": t, "deviation": dev, "slope": slope,
            "stated": {X: str(_dispersive_limit(X).correction) for X in dev},
            "stated_exponent": {X: _stated_exponent(_dispersive_limit(X)) for X in dev}}


def dispersive_comparison(params: dict = DISPERSIVE, times=None, t_fixed: float | None = None, ratios=None) -> dict:
    """``Delta U~_1``, ``Delta U~_I``: the full closed form against the leading dispersive form
    (:func:`colla_reservoirs.dispersive`, ``nu_1, Delta, Gamma`` from ``params``), their relative
    deviation against time, and (``"rate"``) :func:`dispersive_rate` at ``t_fixed``."""
    c = collective(params)
    times = np.linspace(0.0, 4 * np.pi / c["Delta"], 601) if times is None else np.asarray(times, float)
    full = {X: closed_form("tilde", params, times, X) for X in ("1", "I")}
    lead = {X: _leading(X, params, times) for X in ("1", "I")}
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = {X: np.abs(full[X] - lead[X]) / np.max(np.abs(full[X])) for X in full}
    return {"t": times, "full": full, "leading": lead, "deviation": dev,
            "leading_latex": {X: sp.latex(_dispersive_limit(X).leading) for X in full},
            "rate": dispersive_rate(params, t_fixed, ratios), "collective": c, "params": _names(values(params))}


def plot_dispersive(data: dict):
    """(a) full vs leading dispersive ``Delta U~_1``, ``Delta U~_I``; (b) their difference over the
    largest value against time; (c) ``|full/leading - 1|`` at a fixed time against ``Gamma/Delta``
    (log-log) with a line of the stated slope."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
    t = data["t"]
    for X, col in (("1", "C0"), ("I", "C2")):
        ax[0].plot(t, data["full"][X], color=col, label=rf"$\Delta\tilde U_{X}$ full")
        ax[0].plot(t, data["leading"][X], "--", color="k" if X == "1" else "0.5", lw=1,
                   label=rf"$\Delta\tilde U_{X}$ leading dispersive")
        ax[1].plot(t, data["deviation"][X], color=col, label=rf"$\Delta\tilde U_{X}$")
    ax[0].set(xlabel="t", title="(a) full closed form vs leading order in $\\Gamma/\\Delta$")
    ax[1].set(xlabel="t", title="(b) |full - leading| / max|full|")
    r = data["rate"]
    for X, col, mk in (("1", "C0", "o"), ("I", "C2", "s")):
        ax[2].loglog(r["ratio"], r["deviation"][X], mk, color=col, mfc="none",
                     label=rf"$\Delta\tilde U_{X}$: slope {r['slope'][X]:.2f} (stated $O({sp.latex(sp.sympify(r['stated'][X]))})$)")
    n = r["stated_exponent"]["1"]
    ref = r["deviation"]["1"][-1] * (r["ratio"] / r["ratio"][-1]) ** n
    ax[2].loglog(r["ratio"], ref, "k:", lw=1, label=rf"$\propto(\Gamma/\Delta)^{n}$")
    ax[2].set(xlabel=r"$\Gamma/\Delta$", ylabel=r"$|\mathrm{full}/\mathrm{leading}-1|$",
              title=rf"(c) at fixed $t={r['t']:.3g}$ ($\Delta$ fixed, $\gamma$ varied)")
    for a in ax:
        a.legend(fontsize=8)
    fig.suptitle("Dispersive limit: " + _title(data["params"]), fontsize=10)
    fig.tight_layout()
    return fig


# ---- 3. minimal-dissipation work peaks -------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _peak_limit():
    """``lim_{Delta->0} Delta dW^md_1(t*)`` (the derivation's record 'Delta dW^md_1(t*), Delta -> 0')."""
    D = cr.named()[2]
    return cr.near_resonant(D * cr.at_peak(cr.model().minimal_dissipation("1").work()))


@lru_cache(maxsize=None)
def _peak_leading():
    return to_numeric(_peak_limit().leading, _REDUCED).func


def peak_asymptote(params: dict) -> float:
    """The derived asymptote of ``dW^md_1(t*)``: (leading of ``Delta dW^md_1(t*)`` as ``Delta -> 0``) / Delta,
    i.e. ``Gamma^2 n_2(nu_1) / (2 Delta)``, at ``params``."""
    args = _reduced_args(params, [0.0])
    return float(np.real(complex(np.asarray(_peak_leading()(*args)).ravel()[0]))) / args[1]


def md_work_peaks(params: dict = ULTRASTRONG, times=None, ratios=(0.3, 0.1, 0.03), sweep=None,
                  n_numeric: int = 12, n_numeric_sweep: int = 5) -> dict:
    """``K_1(t)`` (symmetric mode), ``dW^md_1(t)`` and ``Tr[dK_1/dt rho_1]`` for ``Delta/Gamma`` in
    ``ratios`` (``Gamma`` of ``params``, ``omega_2`` moved); markers from :class:`GaussianSolver`
    (``K`` by the linear solve, the power in closed matrix form, ``dW`` = ``Delta U^md`` minus the
    quadrature of the heat).  Second part: ``max_t dW^md_1`` over one period (and ``dW^md_1(t*)``)
    against ``Delta`` for ``Delta/Gamma`` in ``sweep``, with the derived asymptote
    :func:`peak_asymptote` and ``n_numeric_sweep`` numeric values at ``t*``.

    ``times``: default ``t* x linspace(0, 2, 2001)`` per detuning (contains ``t*``)."""
    out = {"curves": [], "params": _names(values(params))}
    for r in ratios:
        p = with_detuning(params, r)
        c = collective(p)
        ts = c["t_star"] * np.linspace(0.0, 2.0, 2001) if times is None else np.asarray(times, float)
        cur = {"ratio": float(r), "t": ts, "collective": c, "params": p,
               "K": closed_form("K", p, ts), "md_work": closed_form("md_work", p, ts), "power": closed_form("power", p, ts)}
        tn = _numeric_times(ts, n_numeric)
        res = GaussianSolver(cr.model()).solve(values(p))
        e = np.ones(p["N_1"]) / np.sqrt(p["N_1"])
        cur["numeric"] = {"t": tn,
                          "K": np.array([float(np.real(e @ res.md_hamiltonian("1", float(x)) @ e)) for x in tn]),
                          "power": np.array([res.md_power("1", float(x)) for x in tn]),
                          "md_work": np.array([res.assignment("1", "minimal dissipation", float(x))["dW"] for x in tn])}
        cur["max_rel_diff"] = {k: _rel(closed_form(k, p, tn), cur["numeric"][k], np.max(np.abs(cur[k])))
                               for k in ("K", "power", "md_work")}
        cur["peak"] = float(closed_form("md_work", p, [c["t_star"]])[0])
        out["curves"].append(cur)
    sweep = np.geomspace(1e-3, 1.0, 25) if sweep is None else np.asarray(sweep, float)
    D, mx, at, asym = (np.empty(len(sweep)) for _ in range(4))
    for k, r in enumerate(sweep):
        p = with_detuning(params, r)
        c = collective(p)
        ts = c["t_star"] * np.linspace(0.0, 2.0, 4001)
        D[k] = c["Delta"]
        mx[k] = np.max(closed_form("md_work", p, ts))
        at[k] = closed_form("md_work", p, [c["t_star"]])[0]
        asym[k] = peak_asymptote(p)
    pick = np.unique(np.round(np.linspace(0, len(sweep) - 1, n_numeric_sweep)).astype(int)) if n_numeric_sweep else []
    num = []
    for k in pick:
        p = with_detuning(params, sweep[k])
        res = GaussianSolver(cr.model()).solve(values(p))
        num.append((D[k], res.assignment("1", "minimal dissipation", collective(p)["t_star"])["dW"]))
    small = D <= np.sort(D)[min(5, len(D) - 1)]
    out["sweep"] = {"ratio": sweep, "Delta": D, "max_work": mx, "work_at_t_star": at, "asymptote": asym,
                    "asymptote_latex": sp.latex(_peak_limit().leading / cr.D_r),
                    "slope_small_Delta": float(np.polyfit(np.log(D[small]), np.log(mx[small]), 1)[0]),
                    "numeric": {"Delta": np.array([x for x, _ in num]), "work_at_t_star": np.array([y for _, y in num])}}
    return out


def plot_md_work_peaks(data: dict):
    """(a) ``K_1(t)``, (b) ``Tr[dK_1/dt rho_1]`` (symlog), (c) ``dW^md_1(t)`` for the detunings,
    ``t*`` dotted; (d) ``max_t dW^md_1`` vs ``Delta`` (log-log) with the derived asymptote."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(2, 2, figsize=(12, 8))
    cols = plt.cm.viridis(np.linspace(0, 0.85, len(data["curves"])))
    for col, cur in zip(cols, data["curves"]):
        lab = rf"$\Delta/\Gamma={cur['ratio']:g}$"
        for a, k in zip((ax[0, 0], ax[0, 1], ax[1, 0]), ("K", "power", "md_work")):
            a.plot(cur["t"], cur[k], color=col, lw=1.2, label=lab)
            a.plot(cur["numeric"]["t"], cur["numeric"][k], "o", color=col, ms=4, mfc="none")
            a.axvline(cur["collective"]["t_star"], color=col, ls=":", lw=0.8)
    ax[0, 0].set(xlabel="t", title=r"(a) $K_1(t)$ on the symmetric mode")
    ax[0, 1].set(xlabel="t", title=r"(b) $\mathrm{Tr}\{\dot K_1\rho_1\}$")
    ax[0, 1].set_yscale("symlog", linthresh=1e-3)
    ax[1, 0].set(xlabel="t", title=r"(c) $\delta W_1^{md}(t)$; dotted: $t^*=\pi/\Omega$")
    s = data["sweep"]
    ax[1, 1].loglog(s["Delta"], s["max_work"], "-", color="C0", label=r"$\max_t\,\delta W_1^{md}$ (closed form)")
    ax[1, 1].loglog(s["Delta"], s["asymptote"], "k--", lw=1, label=rf"derived asymptote ${s['asymptote_latex']}$")
    ax[1, 1].loglog(s["numeric"]["Delta"], s["numeric"]["work_at_t_star"], "o", color="C3", mfc="none",
                    label=r"GaussianSolver $\delta W_1^{md}(t^*)$")
    ax[1, 1].set(xlabel=r"$\Delta$", title=rf"(d) peak work vs detuning (slope {s['slope_small_Delta']:.3f} at small $\Delta$)")
    for a in ax.flat:
        a.legend(fontsize=8)
    c0 = data["curves"][0]["collective"]
    fig.suptitle(rf"Minimal-dissipation work peaks: $\Gamma={c0['Gamma']:.3g}$, $\nu_1={c0['nu_1']:.3g}$, "
                 rf"$T_1={data['params']['T_1']:g}$, $T_2={data['params']['T_2']:g}$; markers: GaussianSolver", fontsize=10)
    fig.tight_layout()
    return fig


# ---- 4. recap ---------------------------------------------------------------------------------------------------
def recap_records(n: int = 200, seed: int = 0) -> list[dict]:
    """``check_result`` on every record of :func:`colla_reservoirs.results` whose equation label
    starts with ``"Recap"``: ``{"index", "statement", "record", "status", "numeric_ok", "relation"}``
    (``index``: the number in the label, the statement of :data:`colla_published.RECAP` it checks)."""
    from qsym.derivation import check_result
    out = []
    for r in cr.results():
        if not r.equation.startswith("Recap"):
            continue
        k = int(r.equation.split()[1])
        rec = check_result(cr.NAME, r, n=n, seed=seed)
        out.append({"index": k, "statement": pub.RECAP[k - 1], "record": r.name, "status": rec.status,
                    "numeric_ok": bool(rec.numeric_ok), "relation": r.relation})
    return out


def recap_table(n: int = 200, seed: int = 0, records: list[dict] | None = None) -> str:
    """Markdown table, one row per statement of :data:`colla_published.RECAP`: the records that
    check it, their computed statuses, and ``supported`` when every record is ``match`` with its
    numeric check passed."""
    recs = recap_records(n, seed) if records is None else records
    lines = ["| # | statement (slide \"Recap & outlook\") | records | status | verdict |", "|---|---|---|---|---|"]
    for k, statement in enumerate(pub.RECAP, 1):
        rs = [r for r in recs if r["index"] == k]
        names = "<br>".join(f"`{r['record']}`" + (" (claims a difference)" if r["relation"] == "differs" else "")
                            for r in rs)
        stats = "<br>".join(r["status"] + ("" if r["numeric_ok"] else " (numeric check failed)") for r in rs)
        verdict = ("supported" if all(r["status"] == "match" and r["numeric_ok"] for r in rs) else "not supported") \
            if rs else "no record"
        lines.append(f"| {k} | {statement} | {names} | {stats} | {verdict} |")
    return "\n".join(lines)
