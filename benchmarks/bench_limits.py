"""Benchmark: the named regimes of :mod:`qsym.asymptotics` on Fogedby's single qubit and
coupled qubits (arXiv:2301.13544, sec. IV.A-B) vs. the naive route ``sympy.series`` of the
fully expanded expression, and the cost of the numeric rate check ``qs.check_limit``.

Everything is measured side by side in one run (single-threaded BLAS) and printed as lines
``name: value unit``.  For every case ``<case>``:

``limit_<case>_qsym``
    Wall time of the qsym regime (``qs.high_temperature``, ``qs.low_temperature`` or
    ``qs.weak_coupling(..., order=0, assumptions=model.assumptions)``, as in
    ``derivations/fogedby_limits.py``) applied to the derived closed form.  The closed form is
    derived beforehand (its derivation is not timed: ``bench_steady_states.py`` times it) and
    SymPy's cache is cleared before every regime.  Interrupted after ``QSYM_TIMEOUT`` s
    (``signal.alarm``); then reported as ``>QSYM_TIMEOUT``.
``limit_<case>_naive_series``
    The naive route in a fresh subprocess (same closed form, derived there and not timed):
    ``qs.expand_definitions`` and ``qs.expand_occupations`` (``n(w) = 1/(e^{w/T} - 1)``), then
    ``sympy.series`` in the regime's variable to the order that gives the same information as
    qsym's Limit (leading term and the power of the first neglected term):
    high temperature ``T_X = t_X/s``, series in ``s -> 0``; low temperature ``T_X = t_X s``,
    series in ``s -> 0+``; weak coupling, series in ``lambda -> 0``.  Killed after
    ``NAIVE_TIMEOUT`` s (reported as ``>NAIVE_TIMEOUT``); an exception is reported as
    ``failed (<exception>)``.
``limit_<case>_speedup``
    ``naive / qsym`` (``>`` a lower bound when the naive route timed out; ``n/a`` when it failed
    or qsym timed out).
``check_limit_<case>`` / ``..._observed_rate`` / ``..._passed``
    Wall time of ``qs.check_limit(lim, values, spectral=...)`` at one random base point of the
    model's domain (unspecified ``g_X`` realised as random positive functions, as
    ``qsym.derivation.check_limit_at_samples`` does), its observed log-log rate of
    ``|full/leading - 1|`` against the stated correction (~1 when the stated order is tight)
    and its verdict.

Run: ``cd /work/main && PYTHONPATH=/work/main python benchmarks/bench_limits.py`` (about
10-20 minutes on a loaded 2-core machine, most of it the naive-SymPy timeouts).
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sympy as sp  # noqa: E402
from sympy.core.cache import clear_cache as sympy_clear_cache  # noqa: E402

import qsym as qs  # noqa: E402

QSYM_TIMEOUT = 120
NAIVE_TIMEOUT = 120.0
SEED = 3

# name, system, quantity, regime, sympy.series order n (terms s^0 .. s^(n-1))
CASES = [
    ("sq_high_T_qA", "sq", "qA", "high", 3),        # q ~ O(1) (1 + O(tau^-2))
    ("sq_low_T_qA", "sq", "qA", "low", 2),
    ("sq_high_T_rho+", "sq", "rho+", "high", 2),    # 1/2 (1 + O(1/tau))
    ("sq_low_T_rho+", "sq", "rho+", "low", 2),
    ("cq_weak_rho_1", "cq", "rho_1", "weak", 3),    # rho_n(0) (1 + O(lambda^2))
    ("cq_weak_rho_2", "cq", "rho_2", "weak", 3),
    ("cq_weak_rho_3", "cq", "rho_3", "weak", 3),
    ("cq_weak_rho_4", "cq", "rho_4", "weak", 3),
    ("cq_weak_qA+", "cq", "qA+", "weak", 5),        # lambda^2 (1 + O(lambda^2))
    ("cq_weak_qA-", "cq", "qA-", "weak", 5),
    ("cq_high_T_qA+", "cq", "qA+", "high", 3),
    ("cq_high_T_qA-", "cq", "qA-", "high", 3),
    ("cq_low_T_qA+", "cq", "qA+", "low", 2),
    ("cq_low_T_qA-", "cq", "qA-", "low", 2),
]
# qsym only (the default order of weak_coupling keeps one more term): documents its cost
EXTRA = [("cq_weak_qA+_order1", "cq", "qA+", "weak1", None)]


def emit(name: str, value, unit: str) -> None:
    if isinstance(value, float):
        value = f"{value:.4g}"
    print(f"{name}: {value} {unit}", flush=True)


def modules():
    from derivations import fogedby_coupled_qubits as cq
    from derivations import fogedby_single_qubit as sq
    return sq, cq


def quantity(system: str, what: str):
    """The derived closed form (and its master equation)."""
    sq, cq = modules()
    if system == "sq":
        me = sq.master_equation()
        if what == "qA":
            return sq.heat_current("A"), me
        return sq.steady_state().population(sq.PLUS), me
    me = cq.master_equation()
    if what.startswith("rho_"):
        return cq.steady_state().population(int(what[-1])), me
    return cq.channel_current("A", what[-1]), me


def regime(expr, system: str, kind: str):
    sq, cq = modules()
    if kind == "high":
        return qs.high_temperature(expr)
    if kind == "low":
        return qs.low_temperature(expr)
    order = 1 if kind == "weak1" else 0
    return qs.weak_coupling(expr, cq.lam, order=order, assumptions=cq.model().assumptions)


# ---- naive route (run in a subprocess) ------------------------------------------------------
def naive(case: str) -> None:
    name, system, what, kind, n = next(c for c in CASES if c[0] == case)
    sq, cq = modules()
    expr, _ = quantity(system, what)
    temps = (sq.TA, sq.TB) if system == "sq" else (cq.TA, cq.TB)
    s = sp.Symbol("s", positive=True)
    t0 = time.perf_counter()
    e = qs.expand_occupations(qs.expand_definitions(expr))
    if kind == "high":
        e = e.xreplace({T: sp.Symbol(f"t{str(T)[1:]}", positive=True) / s for T in temps})
        res = sp.series(e, s, 0, n)
    elif kind == "low":
        e = e.xreplace({T: sp.Symbol(f"t{str(T)[1:]}", positive=True) * s for T in temps})
        res = sp.series(e, s, 0, n, dir="+")
    else:
        res = sp.series(e, cq.lam, 0, n)
    dt = time.perf_counter() - t0
    print(f"TIME {dt!r} ops={sp.count_ops(res)}", flush=True)


def run_naive(case: str):
    """(seconds or None, status string)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        r = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--naive", case], capture_output=True,
                           text=True, timeout=NAIVE_TIMEOUT, env=env, cwd=str(ROOT))
    except subprocess.TimeoutExpired:
        return None, "timeout"
    for line in r.stdout.splitlines():
        if line.startswith("TIME "):
            return float(line.split()[1]), "ok"
    err = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    return None, f"failed ({err[-1].strip() if err else f'exit code {r.returncode}'})"


# ---- qsym route ------------------------------------------------------------------------------
class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def timed_regime(expr, system, kind):
    sympy_clear_cache()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(QSYM_TIMEOUT)
    t0 = time.perf_counter()
    try:
        lim = regime(expr, system, kind)
        return time.perf_counter() - t0, lim
    except _Timeout:
        return None, None
    finally:
        signal.alarm(0)


def base_point(lim, model, seed):
    """One random base point of the model's domain and the realised spectral functions
    (as ``qsym.derivation.check_limit_at_samples``)."""
    from qsym.numeric.verify import sample_points
    samples, spectral = sample_points(model, [lim.full, lim.leading], 1, seed)
    values = {s: float(samples[s][0]) for s in samples}
    lams = {name: lam.subs({s: values[s] for s in lam.free_symbols if s in values}) for name, lam in spectral.items()}
    values = {s: v for s, v in values.items() if "__g" not in str(s)}
    return values, lams


def main() -> None:
    import numpy as np
    print("# Fogedby limits (sec. IV.A-B): qsym regimes vs sympy.series of the expanded expression "
          f"(sympy {sp.__version__}, numpy {np.__version__}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS')}, timeouts qsym {QSYM_TIMEOUT} s, naive {NAIVE_TIMEOUT:g} s)",
          flush=True)
    warnings.simplefilter("ignore")
    # derive the closed forms once (not timed here)
    exprs = {}
    for name, system, what, kind, n in CASES + EXTRA:
        exprs[(system, what)] = exprs.get((system, what)) or quantity(system, what)
    limits = {}
    for name, system, what, kind, n in CASES + EXTRA:
        expr, me = exprs[(system, what)]
        t_q, lim = timed_regime(expr, system, kind)
        emit(f"limit_{name}_qsym", t_q if t_q is not None else f">{QSYM_TIMEOUT}", "s")
        if lim is not None:
            limits[name] = (lim, me)
        if n is None:
            continue
        t_n, status = run_naive(name)
        if status == "ok":
            emit(f"limit_{name}_naive_series", t_n, "s")
            emit(f"limit_{name}_speedup", t_n / t_q if t_q else "n/a", "x")
        elif status == "timeout":
            emit(f"limit_{name}_naive_series", f">{NAIVE_TIMEOUT:g}", "s")
            emit(f"limit_{name}_speedup", f">{NAIVE_TIMEOUT / t_q:.4g}" if t_q else "n/a", "x")
        else:
            emit(f"limit_{name}_naive_series", status, "s")
            emit(f"limit_{name}_speedup", "n/a", "x")
    # numeric rate check of every Limit obtained
    for k, (name, (lim, me)) in enumerate(limits.items()):
        values, lams = base_point(lim, me.model, SEED + k)
        t0 = time.perf_counter()
        res = qs.check_limit(lim, values, spectral=lams)
        emit(f"check_limit_{name}", time.perf_counter() - t0, "s")
        emit(f"check_limit_{name}_observed_rate", float(res["observed_rate"]), "1")
        emit(f"check_limit_{name}_passed", str(res["passed"]), "bool")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--naive":
        warnings.simplefilter("ignore")
        naive(sys.argv[2])
    else:
        main()
