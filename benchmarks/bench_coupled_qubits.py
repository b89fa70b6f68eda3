"""Benchmark: Fogedby's two coupled qubits between two heat reservoirs (arXiv:2301.13544,
sec. III.B), symbolic derivation vs. lambdified closed form vs. numeric solver vs. naive SymPy.

Everything is measured side by side in one run (single-threaded BLAS) and printed as lines
``name: value unit``:

``derive_coupled_qubits_symbolic``
    Wall time of the full symbolic derivation from scratch, best of 3: build the model with the
    public API exactly as in ``derivations/fogedby_coupled_qubits.py`` -> ``qs.global_master_equation``
    -> ``steady_state`` -> ``heat_current('A', by_channel=True)`` and total ``heat_current('A')``
    -> ``qs.flux_form`` of every channel.  SymPy's global cache is cleared before every repetition
    and a new model object is built, so nothing is reused between repetitions.
``lambdify_qA_compile``
    One-off cost of ``qs.to_numeric`` on the total q^A (spectral realisation
    ``g_X(w) = kappa_X (w/w_cX)^s_X exp(-w/w_cX)`` for the undefined g_A, g_B).
``lambdified_qA_per_point``
    Time per parameter point of the lambdified total q^A evaluated vectorised over 10**6 points
    drawn by ``qsym.numeric.verify.sample_points`` (model domain and assumptions
    omega_1 > omega_2, lambda < sqrt(omega_1 omega_2)); best of 3.
``numeric_solver_per_point``
    Time per point of ``NumericSolver(model).solve(values, spectral=callables)`` over the first
    300 of the same samples (compilation and the construction of the spectral callables excluded).
``speedup_lambdified_vs_numeric``
    The ratio of the two per-point times.
``structured_steady_state``
    qsym's structure-exploiting closed-form steady state, ``me.steady_state()`` on a freshly
    derived master equation whose kernel has not been built yet (so the kernel construction is
    included), best of 3 with SymPy's cache cleared.
``naive_sympy_LUsolve_only`` / ``naive_sympy_steady_state``
    A naive SymPy route: the full 16x16 Liouvillian of the same Davies master equation in the
    eigenbasis assembled from ``me.kernel`` (kernel construction excluded -- this favours the naive
    route), first row replaced by the trace condition, ``Matrix.LUsolve`` and then ``simplify`` of
    the four populations.  Run in a subprocess with a 120 s timeout; the first line is the
    LU solve alone (unsimplified, not a usable closed form), the second the whole route.
``speedup_structured_vs_naive``
    ``naive_sympy_steady_state / structured_steady_state`` (a lower bound ``>`` on timeout).
``qutip_steadystate_per_point``
    ``qutip.steadystate`` of the same Lindblad generator per point, if QuTiP is installed.
``max_rel_err_qA_vs_numeric``
    ``qs.verify(qA, me, bath='A', n=200).max_rel_err`` (closed form vs. numeric solver).

Run: ``cd /work/main && PYTHONPATH=/work/main python benchmarks/bench_coupled_qubits.py``
(about 2.5 minutes, most of it the naive-SymPy timeout).
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402
from sympy.core.cache import clear_cache as sympy_clear_cache  # noqa: E402

import qsym as qs  # noqa: E402
from qsym.numeric.solver import NumericSolver  # noqa: E402
from qsym.numeric.verify import sample_points  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
N_LAMBDIFIED = 10**6
N_NUMERIC = 300
N_VERIFY = 200
SEED = 1
NAIVE_TIMEOUT = 120.0
REPEATS = 3

MODEL_SOURCE = '''
import sympy as sp
import qsym as qs

def build_model():
    """Eqs. 3.16-3.18 of Fogedby (2023), as in derivations/fogedby_coupled_qubits.py."""
    w1, w2, lam, TA, TB = qs.symbols("omega_1 omega_2 lambda T_A T_B", positive=True)
    q1, q2 = qs.qubits(2)
    H = w1 / 2 * q1.sz + w2 / 2 * q2.sz + lam * (q1.sp * q2.sm + q1.sm * q2.sp)
    A = qs.BosonicBath("A", temperature=TA)
    B = qs.BosonicBath("B", temperature=TB)
    return qs.OpenSystem(H, couplings=(qs.Coupling(q1.sm, A), qs.Coupling(q2.sm, B)),
                         assumptions=(w1 > w2, lam < sp.sqrt(w1 * w2)),
                         domain={lam: (0.05, 1.0)}, name="coupled qubits")
'''
exec(MODEL_SOURCE)  # defines build_model (shared verbatim with the naive subprocess)

NAIVE_SOURCE = MODEL_SOURCE + '''
import time

me = qs.global_master_equation(build_model())
K = me.kernel                       # {((p, p'), (q, q')): K_{pp',qq'}}, 0-based
d = me.dim
t0 = time.perf_counter()
L = sp.zeros(d * d, d * d)          # d vec(rho)/dt = L vec(rho), vec index p*d + p'
for ((p, pp), (q, qq)), v in K.items():
    L[p * d + pp, q * d + qq] += v
b = sp.zeros(d * d, 1)
for j in range(d * d):              # replace the first equation by Tr rho = 1
    L[0, j] = 0
for p in range(d):
    L[0, p * d + p] = 1
b[0] = 1
x = L.LUsolve(b)
print(f"LU {time.perf_counter() - t0!r}", flush=True)
pops = [sp.simplify(x[p * d + p]) for p in range(d)]
print(f"TOTAL {time.perf_counter() - t0!r}", flush=True)
'''


def emit(name: str, value, unit: str) -> None:
    if isinstance(value, float):
        value = f"{value:.4g}"
    print(f"{name}: {value} {unit}", flush=True)


def derive_once():
    """The whole symbolic chain from a fresh model; returns (wall time, me, qA)."""
    sympy_clear_cache()
    t0 = time.perf_counter()
    model = build_model()  # noqa: F821 (defined by exec above)
    me = qs.global_master_equation(model)
    ss = me.steady_state()
    by_channel = me.heat_current("A", ss, by_channel=True)
    qA = me.heat_current("A", ss)
    forms = {w: qs.flux_form(q) for w, q in by_channel.items()}
    dt = time.perf_counter() - t0
    assert len(forms) == 2
    return dt, me, qA


def structured_steady_state_once() -> float:
    sympy_clear_cache()
    me = qs.global_master_equation(build_model())  # noqa: F821
    t0 = time.perf_counter()
    me.steady_state()
    return time.perf_counter() - t0


def spectral_callables(spectral, values):
    """Plain NumPy g_X(w) with the realisation parameters fixed at ``values`` (the same
    helper ``qs.verify`` uses)."""
    from qsym.numeric.verify import _callables
    return _callables(spectral, values)


def naive_sympy():
    """(LU-only time or None, total time or None on timeout)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        r = subprocess.run([sys.executable, "-c", textwrap.dedent(NAIVE_SOURCE)], capture_output=True,
                           text=True, timeout=NAIVE_TIMEOUT, env=env, cwd=str(ROOT))
        out, timed_out = r.stdout, False
        if r.returncode != 0:
            raise RuntimeError(f"naive SymPy subprocess failed:\n{r.stderr}")
    except subprocess.TimeoutExpired as exc:
        out, timed_out = exc.stdout or "", True
        if isinstance(out, bytes):
            out = out.decode()
    lu = total = None
    for line in out.splitlines():
        key, _, val = line.partition(" ")
        if key == "LU":
            lu = float(val)
        elif key == "TOTAL":
            total = float(val)
    return lu, (None if timed_out else total)


def qutip_per_point(model, samples, spectral, n: int):
    """Per-point time of qutip.steadystate on the Lindblad generator the numeric solver builds."""
    import qutip  # noqa: F401  (ImportError handled by the caller)
    solver = NumericSolver(model)
    params = tuple(samples)
    Ls = []
    for k in range(n):
        values = {s: float(samples[s][k]) for s in params}
        L = solver.solve(values, spectral=spectral_callables(spectral, values)).liouvillian
        d = model.dim
        Ls.append(qutip.Qobj(L.toarray(), dims=[[[d], [d]], [[d], [d]]], superrep="super"))
    t0 = time.perf_counter()
    for L in Ls:
        qutip.steadystate(L)
    return (time.perf_counter() - t0) / n


def main() -> None:
    print("# Fogedby coupled qubits: qsym symbolic/lambdified vs numeric solver vs naive SymPy "
          f"(numpy {np.__version__}, sympy {sp.__version__}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS')})", flush=True)

    # -- 1. symbolic derivation, best of 3 --------------------------------------------------
    runs = [derive_once() for _ in range(REPEATS)]
    t_derive = min(r[0] for r in runs)
    _, me, qA = runs[-1]
    model = me.model
    emit("derive_coupled_qubits_symbolic", t_derive, "s")

    # -- 2. lambdified closed form over 10**6 points ---------------------------------------
    samples, spectral = sample_points(model, [qA], N_LAMBDIFIED, SEED)
    params = tuple(samples)
    t0 = time.perf_counter()
    f = qs.to_numeric(qA, params, spectral=spectral)
    emit("lambdify_qA_compile", time.perf_counter() - t0, "s")
    best = np.inf
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        vals = f(samples)
        best = min(best, time.perf_counter() - t0)
    vals = np.asarray(vals, dtype=float)
    if vals.shape != (N_LAMBDIFIED,) or not np.all(np.isfinite(vals)):
        raise RuntimeError("lambdified q^A did not give finite values at all samples")
    t_lam = best / N_LAMBDIFIED
    emit("lambdified_qA_per_point", t_lam, "s")

    # -- 3. numeric solver on the first 300 of the same samples ----------------------------
    solver = NumericSolver(model)
    points = []
    for k in range(N_NUMERIC):
        values = {s: float(samples[s][k]) for s in params}
        points.append((values, spectral_callables(spectral, values)))
    solver.solve(*points[0])  # warm-up
    q_num = np.empty(N_NUMERIC)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        for k, (values, callables) in enumerate(points):
            q_num[k] = solver.solve(values, spectral=callables).heat_currents["A"]
        t_num = (time.perf_counter() - t0) / N_NUMERIC
    emit("numeric_solver_per_point", t_num, "s")
    err = np.max(np.abs(vals[:N_NUMERIC] - q_num) / np.maximum(np.abs(q_num), 1e-300))
    if not err < 1e-8:  # sanity check only; the reported accuracy figure is from qs.verify below
        print(f"warning: lambdified and numeric q^A differ by {err:.2e} (relative)", file=sys.stderr)
    emit("speedup_lambdified_vs_numeric", t_num / t_lam, "x")

    # -- 4. structured vs naive steady state --------------------------------------------------
    t_struct = min(structured_steady_state_once() for _ in range(REPEATS))
    emit("structured_steady_state", t_struct, "s")
    lu, total = naive_sympy()
    emit("naive_sympy_LUsolve_only", lu if lu is not None else f">{NAIVE_TIMEOUT:g}", "s")
    if total is None:
        emit("naive_sympy_steady_state", f">{NAIVE_TIMEOUT:g}", "s")
        emit("speedup_structured_vs_naive", f">{NAIVE_TIMEOUT / t_struct:.4g}", "x")
    else:
        emit("naive_sympy_steady_state", total, "s")
        emit("speedup_structured_vs_naive", total / t_struct, "x")

    # -- 5. QuTiP (optional) ---------------------------------------------------------------------
    try:
        emit("qutip_steadystate_per_point", qutip_per_point(model, samples, spectral, 100), "s")
    except ImportError:
        print("qutip_steadystate_per_point: n/a (qutip not installed)", flush=True)

    # -- 6. accuracy of the closed form ----------------------------------------------------------
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = qs.verify(qA, me, bath="A", n=N_VERIFY)
    emit("max_rel_err_qA_vs_numeric", f"{rep.max_rel_err:.3g}", "1")


if __name__ == "__main__":
    main()
