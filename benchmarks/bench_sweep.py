"""Benchmark: parameter sweeps with ``qsym.sweep`` (Fogedby's two coupled qubits, total heat
current q^A with flat spectral functions g_A = 0.01, g_B = 0.02; omega_1 = 2, omega_2 = 1,
lambda = 0.3 fixed).

Printed as lines ``name: value unit``:

``vectorised_sweep_1e6_first`` / ``vectorised_sweep_1e6``
    Wall time of ``sweep(q_A, {T_A: 1000 values, T_B: 1000 values, ...})``: 10^6 points,
    lambdification of the closed form included; the first call, and the best of 3 further calls
    (SymPy's cache then speeds up the lambdification).
``vectorised_points_per_s``
    10^6 / that time.
``naive_loop_1e6_extrapolated``
    The same closed form lambdified once (``qs.to_numeric``) and called point by point in a
    Python loop with scalar arguments on 20000 grid points, extrapolated to 10^6.
``speedup_vectorised_vs_naive_loop``
    Ratio of the two.
``numeric_serial_200`` / ``numeric_dask_200``
    ``sweep(NumericObservable(...), 20 x 10 grid)`` -- the independent numeric solver at 200
    points -- serially, and on a ``distributed.LocalCluster(n_workers=2, threads_per_worker=1,
    processes=True)`` through ``client.get_executor()`` after a warm-up sweep (each worker
    derives the model on its first call; that cold sweep is ``numeric_dask_200_cold``, the
    cluster start-up ``dask_cluster_start``).  Best of 3 each.
``speedup_dask_vs_serial``
    ``numeric_serial_200 / numeric_dask_200`` (on 2 cores shared with other work, and with
    ~3 ms per solve, scheduling overhead is a large part of the Dask time).
``max_abs_diff_dask_vs_serial``
    ``max |q_dask - q_serial|`` over the 200 points (0: the workers run the same float64
    operations).

Run: ``cd /work/main && python benchmarks/bench_sweep.py`` (about 15 s).
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import time  # noqa: E402

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

import qsym as qs  # noqa: E402
from derivations import fogedby_coupled_qubits as fcq  # noqa: E402
from qsym.sweep import NumericObservable, sweep  # noqa: E402

FIXED = {"omega_1": 2.0, "omega_2": 1.0, "lambda": 0.3}
FLAT = {"A": 0.01, "B": 0.02}
T_AXIS = np.linspace(0.4, 2.5, 1000)
N_NAIVE = 20000
REPEATS = 3


def emit(name: str, value, unit: str) -> None:
    if isinstance(value, float):
        value = f"{value:.4g}"
    print(f"{name}: {value} {unit}", flush=True)


def best_of(run, repeats: int = REPEATS):
    """(best wall time, last return value) of ``run()``."""
    best, out = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - t0)
    return best, out


def naive_loop_time(q_A, n: int) -> float:
    """Seconds for ``n`` scalar calls of the once-lambdified closed form over grid points."""
    f = qs.to_numeric(q_A, spectral={k: sp.Lambda(sp.Dummy("w"), sp.Float(v)) for k, v in FLAT.items()})
    names = [str(p) for p in f.params]
    rng = np.random.default_rng(0)
    points = [dict(FIXED, T_A=float(T_AXIS[i]), T_B=float(T_AXIS[j])) for i, j in rng.integers(0, 1000, (n, 2))]
    t0 = time.perf_counter()
    for p in points:
        f.func(*[p[k] for k in names])
    return time.perf_counter() - t0


def numeric_grid() -> dict:
    return {"T_A": np.linspace(0.5, 2.0, 20), "T_B": np.linspace(0.6, 1.9, 10)}


def observable() -> NumericObservable:
    return NumericObservable("fogedby-coupled-qubits", qs.HeatCurrent("A"), FIXED, spectral=FLAT)


def dask_timings(serial_values):
    """Cluster start, cold sweep, best warm sweep and the max difference to the serial run."""
    from distributed import Client, LocalCluster
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        t_start = time.perf_counter() - t0
        executor = client.get_executor()
        t_cold, _ = best_of(lambda: sweep(observable(), numeric_grid(), executor, progress=False), 1)
        t_warm, res = best_of(lambda: sweep(observable(), numeric_grid(), executor, progress=False))
    return t_start, t_cold, t_warm, float(np.max(np.abs(res.values - serial_values)))


def main() -> None:
    print(f"# qsym.sweep (numpy {np.__version__}, sympy {sp.__version__}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, {os.cpu_count()} cores)", flush=True)
    q_A = fcq.master_equation().heat_current("A", fcq.steady_state())

    # -- vectorised closed form, 10^6 points -----------------------------------------------------
    grid = {"T_A": T_AXIS, "T_B": T_AXIS, **FIXED}
    t_first, _ = best_of(lambda: sweep(q_A, grid, spectral=FLAT, progress=False), 1)
    emit("vectorised_sweep_1e6_first", t_first, "s")
    t_vec, res = best_of(lambda: sweep(q_A, grid, spectral=FLAT, progress=False))
    if res.points != 10**6 or not np.all(np.isfinite(res.values)):
        raise RuntimeError("the vectorised sweep did not give 10^6 finite values")
    emit("vectorised_sweep_1e6", t_vec, "s")
    emit("vectorised_points_per_s", res.points / t_vec, "points/s")
    t_naive = naive_loop_time(q_A, N_NAIVE) * (10**6 / N_NAIVE)
    emit("naive_loop_1e6_extrapolated", t_naive, "s")
    emit("speedup_vectorised_vs_naive_loop", t_naive / t_vec, "x")

    # -- numeric solver: serial vs Dask ------------------------------------------------------------
    sweep(observable(), {"T_A": [1.0], "T_B": [1.1]}, progress=False)   # derive the model in this process
    t_serial, ser = best_of(lambda: sweep(observable(), numeric_grid(), progress=False))
    emit("numeric_serial_200", t_serial, "s")
    try:
        t_start, t_cold, t_dask, diff = dask_timings(ser.values)
    except ImportError:
        print("numeric_dask_200: n/a (dask.distributed not installed)", flush=True)
        return
    emit("dask_cluster_start", t_start, "s")
    emit("numeric_dask_200_cold", t_cold, "s")
    emit("numeric_dask_200", t_dask, "s")
    emit("speedup_dask_vs_serial", t_serial / t_dask, "x")
    emit("max_abs_diff_dask_vs_serial", f"{diff:.3g}", "1")


if __name__ == "__main__":
    main()
