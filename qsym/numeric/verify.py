"""``verify``: a closed form against the independent numeric solver at random samples."""
from __future__ import annotations

import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..algebra.symbols import expand_definitions
from .functions import spectral_realisation, to_numeric, undefined_spectral_functions
from .sampling import sample_parameters
from .targets import HeatCurrent, Target

__all__ = ["VerificationReport", "verify", "sample_points", "relative_error", "numeric_solver_for"]


@dataclass
class VerificationReport:
    """Outcome of :func:`verify`: max relative error over the samples, the worst sample,
    and timings (seconds per parameter point)."""

    target: str
    samples: int
    max_rel_err: float
    worst_sample: dict
    derived_at_worst: float
    numeric_at_worst: float
    time_closed_form: float
    time_numeric: float
    tol: float
    warnings: list = field(default_factory=list)
    precise_samples: int = 0  # samples re-checked at mpmath precision (float64 could not decide)

    @property
    def passed(self) -> bool:
        return bool(self.max_rel_err <= self.tol)

    def to_dict(self) -> dict:
        return dict(target=self.target, samples=self.samples, max_rel_err=self.max_rel_err,
                    worst_sample=self.worst_sample, derived_at_worst=self.derived_at_worst,
                    numeric_at_worst=self.numeric_at_worst, time_closed_form=self.time_closed_form,
                    time_numeric=self.time_numeric, passed=self.passed, warnings=self.warnings)

    def __repr__(self):
        return (f"VerificationReport({self.target}: max rel err {self.max_rel_err:.2e} over {self.samples} samples "
                f"({'PASS' if self.passed else 'FAIL'} at tol {self.tol:g}); closed form {self.time_closed_form:.2e} s/pt, "
                f"numeric solver {self.time_numeric:.2e} s/pt)")

    def _repr_html_(self):
        rows = "".join(f"<tr><td>{k}</td><td>{v:.6g}</td></tr>" for k, v in self.worst_sample.items())
        return (f"<b>{self.target}</b>: max relative error <b>{self.max_rel_err:.2e}</b> over {self.samples} samples "
                f"({'PASS' if self.passed else 'FAIL'}); worst sample:<table>{rows}</table>")


_SOLVER_CACHE: dict = {}  # (model id, master, seed, n, params) -> (model, [NumericResult], warnings)


def clear_cache() -> None:
    """Forget cached numeric solutions (they are reused across targets of one model)."""
    _SOLVER_CACHE.clear()


def relative_error(derived, numeric, zero_expected: bool = False) -> np.ndarray:
    """``|d - n| / max(|d|, |n|)``; absolute error when the value is expected to vanish."""
    d, n = np.asarray(derived, float), np.asarray(numeric, float)
    if zero_expected:
        return np.abs(d - n)
    den = np.maximum(np.maximum(np.abs(d), np.abs(n)), 1e-300)
    return np.abs(d - n) / den


def sample_points(model, exprs, n: int, seed: int = 0):
    """Samples of every model parameter and every symbol of ``exprs``, plus random positive
    realisations of unspecified spectral functions.  Returns ``(samples, spectral_lambdas)``."""
    syms = set(model.parameters)
    spectral, ranges = {}, {}
    for e in exprs:
        e = expand_definitions(e)
        syms |= {s for s in e.free_symbols}
        for name in undefined_spectral_functions(e):
            spectral.setdefault(name, None)
    for b in model.baths:
        if type(b.spectral).__name__ == "UndefinedSpectrum":
            spectral[b.name] = None
    for name in list(spectral):
        lam, rg = spectral_realisation(name)
        spectral[name] = lam
        ranges.update(rg)
        syms |= set(rg)
    domain = tuple(model.domain) + tuple(ranges.items())
    syms = sorted(syms, key=str)
    samples = sample_parameters(syms, n, seed=seed, domain=domain, assumptions=model.assumptions)
    return samples, spectral


def numeric_solver_for(me):
    """The independent numeric solver matching ``me``'s kind of master equation.

    A master-equation object may supply its own (``me.numeric_solver()``, returning an object
    whose ``solve(values, spectral=...)`` gives a result with the attributes the targets
    read); otherwise the numeric Lindblad solver is used, local or global after ``me.kind``.
    """
    make = getattr(me, "numeric_solver", None)
    if callable(make):
        return make()
    from .solver import NumericSolver
    return NumericSolver(me.model, master="local" if "local" in me.kind else "global")


def _callables(spectral, values):
    out = {}
    for name, lam in spectral.items():
        e = lam.expr.subs({s: values[s] for s in lam.expr.free_symbols if s in values})
        out[name] = sp.lambdify(lam.variables, e, "numpy")
    return out


def verify(expr, me, target: Target | None = None, *, bath: str | None = None, n: int = 200,
           seed: int = 0, tol: float = 1e-9, progress: bool | None = None, precision: str = "auto",
           dps: int = 50, max_precise: int = 40) -> VerificationReport:
    """Compare the closed form ``expr`` with the independent numeric solver.

    Args:
        expr: the derived closed form (may contain defined symbols such as ``alpha``).
        me: the :class:`MasterEquation` it was derived from (its ``model`` is rebuilt
            numerically; its ``kind`` selects the numeric master equation).
        target: what to compare with (default: ``HeatCurrent(bath)``).
        n: number of seeded random samples over the model's physical domain.
        tol: relative tolerance for ``passed``.
        precision: ``"auto"`` re-checks every sample where float64 fails (non-finite, or an
            error above ``tol``: underflow of ``e^{-w/T}``, cancellation in ``1 + 2n``) with the
            closed form in mpmath and the arbitrary-precision solver
            (:class:`qsym.numeric.precise.PreciseSolver`) at ``dps`` digits, so a check never
            passes or fails on rounding; ``"mpmath"`` does so at every sample; ``"float64"``
            never.  Available for the Lindblad (global/local) equations of small systems.

    Returns:
        A :class:`VerificationReport` with the max relative error, the worst sample and
        the time per point of the lambdified closed form and of the numeric solver.
    """
    if target is None:
        if bath is None:
            raise ValueError("verify needs `target` (e.g. qs.Population(2)) or `bath` for a heat current")
        target = HeatCurrent(bath)
    model = me.model
    expr = target.prepare(expr)
    samples, spectral = sample_points(model, [expr], n, seed)
    params = tuple(samples)
    t0 = time.perf_counter()
    f = to_numeric(expr, params, spectral=spectral)
    derived = np.real(np.asarray(f(samples), dtype=complex)) * np.ones(n)
    t_cf = (time.perf_counter() - t0) / n
    key = (id(model), me.kind, seed, n, params)
    cached = _SOLVER_CACHE.get(key)
    if cached is None or cached[0] is not model:
        cached = (model, [None] * n, [], [0.0])
        _SOLVER_CACHE[key] = cached
    results, caught, solve_time = cached[1], cached[2], cached[3]
    solver = None
    numeric = np.empty(n)
    show = progress if progress is not None else (n >= 2000 and sys.stderr.isatty())
    t0 = time.perf_counter()
    for k in range(n):
        values = {s: float(samples[s][k]) for s in params}
        if results[k] is None:
            solver = solver or numeric_solver_for(me)
            t1 = time.perf_counter()
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                results[k] = solver.solve(values, spectral=_callables(spectral, values))
            solve_time[0] += time.perf_counter() - t1
            caught.extend(str(x.message) for x in w)
        numeric[k] = target.numeric(me, results[k], values)
        if show and k % max(1, n // 50) == 0:
            print(f"\rverify {target.describe()}: {k + 1}/{n}", end="", file=sys.stderr)
    if show:
        print(file=sys.stderr)
    t_num = solve_time[0] / n  # time of the numeric solves (reused across targets of one model)
    err = relative_error(derived, numeric, target.zero_expected)
    precise = 0
    if precision not in ("auto", "mpmath", "float64"):
        raise ValueError(f"Argument `precision` must be 'auto', 'mpmath' or 'float64', got {precision!r}")
    if precision != "float64" and _precise_available(me):
        # float64 cannot decide where a check fails, or where a value that should not vanish
        # underflowed (both sides 0 would "agree" on rounding alone)
        tiny = np.zeros(n, bool)
        if not target.zero_expected and sp.sympify(expr) != 0:
            tiny = (np.abs(derived) < 1e-250) | (np.abs(numeric) < 1e-250)
        redo = np.arange(n) if precision == "mpmath" else np.flatnonzero(~(err <= tol) | tiny)
        if precision == "auto" and len(redo) > max_precise:  # the worst first; the count is reported
            redo = redo[np.argsort(-np.nan_to_num(err[redo], nan=np.inf))][:max_precise]
        if len(redo):
            err, derived, numeric = _recheck_precisely(expr, me, target, samples, spectral, params, redo,
                                                       err, derived, numeric, dps, caught)
            precise = len(redo)
    elif precision != "float64":
        # no arbitrary-precision solver for this kind of model: where float64 fails, evaluate the
        # closed form itself in mpmath (a cancelling closed form loses digits in float64; the
        # numeric solver's own accuracy is then what is compared)
        redo = np.flatnonzero(~(err <= min(tol, 1e-11)))
        redo = redo[np.argsort(-np.nan_to_num(err[redo], nan=np.inf))][:max_precise]
        if len(redo):
            err, derived = _closed_form_precisely(expr, target, samples, spectral, params, redo, err, derived,
                                                  numeric, dps)
            precise = len(redo)
    worst = int(np.argmax(err))
    return VerificationReport(
        target=target.describe(), samples=n, max_rel_err=float(err[worst]),
        worst_sample={str(s): float(samples[s][worst]) for s in params},
        derived_at_worst=float(derived[worst]), numeric_at_worst=float(numeric[worst]),
        time_closed_form=t_cf, time_numeric=t_num, tol=tol, warnings=sorted(set(caught))[:5],
        precise_samples=precise)


def _precise_available(me) -> bool:
    return (getattr(me, "numeric_solver", None) is None and me.model.dim <= 8
            and ("local" in me.kind or "global" in me.kind or "Davies" in me.kind))


def _closed_form_precisely(expr, target, samples, spectral, params, redo, err, derived, numeric, dps):
    """The closed form in mpmath at the samples ``redo`` (the numeric values are kept)."""
    import mpmath

    from ..baths import expand_occupations
    from .functions import substitute_spectral
    e = substitute_spectral(expand_occupations(expand_definitions(expr)), spectral)
    f_mp = sp.lambdify(params, e, "mpmath")
    err, derived = err.copy(), derived.copy()
    with mpmath.workdps(dps):
        for k in redo:
            d = float(mpmath.re(f_mp(*[mpmath.mpf(float(samples[s][k])) for s in params])))
            derived[k] = d
            err[k] = float(relative_error([d], [numeric[k]], target.zero_expected)[0])
    return err, derived


def _recheck_precisely(expr, me, target, samples, spectral, params, redo, err, derived, numeric, dps, caught):
    """Closed form (mpmath) and :class:`PreciseSolver` at the samples ``redo``."""
    import mpmath

    from ..baths import expand_occupations
    from .precise import PreciseSolver

    from .functions import substitute_spectral
    e = substitute_spectral(expand_occupations(expand_definitions(expr)), spectral)
    f_mp = sp.lambdify(params, e, "mpmath")
    solver = PreciseSolver(me.model, master="local" if "local" in me.kind else "global", dps=dps)
    err, derived, numeric = err.copy(), derived.astype(object), numeric.astype(object)
    with mpmath.workdps(dps):
        for k in redo:
            values = {s: float(samples[s][k]) for s in params}
            lams = {name: lam.subs({s: values[s] for s in lam.free_symbols if s in values})
                    for name, lam in spectral.items()}
            try:
                d = mpmath.re(f_mp(*[mpmath.mpf(values[s]) for s in params]))
                res = solver.solve(values, lams)
                v = target.numeric(me, res, values)
            except (AttributeError, NotImplementedError, ValueError) as exc:
                caught.append(f"mpmath re-check unavailable at sample {k}: {exc}")
                continue
            d, v = mpmath.mpf(d), mpmath.re(mpmath.mpmathify(v))
            if target.zero_expected:
                err[k] = float(abs(d - v))
            else:
                den = max(abs(d), abs(v), mpmath.mpf(10) ** (-dps * 3))
                err[k] = float(abs(d - v) / den)
            derived[k], numeric[k] = d, v
    return err, derived, numeric
