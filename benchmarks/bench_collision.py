"""Benchmark: collision models (Cusumano & De Chiara, example 2), measured side by side.

Prints ``name: value unit`` lines:

``collision_symbolic_map``            derive the O(dt^2) map of example 2 (correlations in closed form)
``collision_symbolic_fixed_point``    its closed-form fixed point (qsym: population sector, Cramer's rule)
``collision_naive_fixed_point``       the same with ``sympy.solve`` on the full 4x4 system and the
                                      correlations substituted (the naive route), stopped after a timeout
``collision_numeric_fixed_point_eig`` numeric fixed point: eigenvector of eigenvalue 1 of the exact map
``collision_numeric_fixed_point_iterate`` iterating the exact map from the thermal state until
                                      successive states differ by < 1e-10 (and the number of collisions)
``collision_eig_speedup``             iterate / eig
``collision_closed_form_eval``        evaluating the lambdified closed-form fixed point, per point

Run: ``python benchmarks/bench_collision.py`` (about a minute plus the naive timeout).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

NAIVE_TIMEOUT = float(os.environ.get("NAIVE_TIMEOUT", 120))
VALUES_KEYS = dict(wS=1.0, w1=0.5, w2=1.5, kappa=0.3, beta=1.0, alpha=0.2, dt=0.1)


def _values(cc):
    return {getattr(cc, k): v for k, v in VALUES_KEYS.items()}


def _naive(queue):
    from derivations import cusumano_collision as cc
    m = cc.example2_model("A1")
    M = m.expanded_map(2)
    S = M.explicit(M.superoperator)
    x = sp.symbols("x0:4")
    eqs = list((S - sp.eye(4)) * sp.Matrix(x)) + [x[0] + x[3] - 1]
    t = time.perf_counter()
    sol = sp.solve(eqs, x, dict=True)
    queue.put((time.perf_counter() - t, len(sol)))


def main():
    from derivations import cusumano_collision as cc
    from qsym.numeric.collision import CollisionSolver

    t = time.perf_counter()
    m = cc.example2_model("A1")
    M = m.expanded_map(2)
    print(f"collision_symbolic_map: {time.perf_counter() - t:.3f} s")
    t = time.perf_counter()
    M.fixed_point()
    t_fp = time.perf_counter() - t
    print(f"collision_symbolic_fixed_point: {t_fp:.3f} s")
    explicit = M.fixed_point(explicit=True)

    q = mp.Queue()
    p = mp.Process(target=_naive, args=(q,))
    t = time.perf_counter()
    p.start()
    p.join(NAIVE_TIMEOUT)
    if p.is_alive():
        p.terminate()
        print(f"collision_naive_fixed_point: >{NAIVE_TIMEOUT:.0f} s")
        print(f"collision_fixed_point_speedup: >{NAIVE_TIMEOUT / t_fp:.0f} x")
        naive = None
    else:
        naive, nsol = q.get()
        print(f"collision_naive_fixed_point: {naive:.3f} s")

    vals = _values(cc)
    res = CollisionSolver(m).solve(vals)
    S = res.superoperator("exact")
    reps = 200
    t = time.perf_counter()
    for _ in range(reps):
        w, V = np.linalg.eig(S)
        v = V[:, np.argmin(abs(w - 1))]
        rho_eig = v.reshape(2, 2, order="F") / (v[0] + v[3])
    t_eig = (time.perf_counter() - t) / reps
    print(f"collision_numeric_fixed_point_eig: {t_eig:.2e} s")
    rho = (np.diag([np.exp(-0.5), np.exp(0.5)]) / (np.exp(-0.5) + np.exp(0.5))).reshape(-1, order="F").astype(complex)
    t = time.perf_counter()
    n = 0
    while True:
        new = S @ rho
        n += 1
        if np.abs(new - rho).max() < 1e-10:
            break
        rho = new
    t_it = time.perf_counter() - t
    print(f"collision_numeric_fixed_point_iterate: {t_it:.3f} s")
    print(f"collision_numeric_fixed_point_iterate_collisions: {n} collisions")
    # successive states within 1e-10 is not the fixed point within 1e-10: the map relaxes slowly
    print(f"collision_iterate_vs_eig_difference: {np.abs(new.reshape(2, 2, order='F') - rho_eig).max():.1e} abs")
    print(f"collision_eig_speedup: {t_it / t_eig:.0f} x")
    f = sp.lambdify(list(vals), qs_expand(explicit[0, 0]), "numpy")
    args = [np.full(10000, v) for v in vals.values()]
    t = time.perf_counter()
    f(*args)
    print(f"collision_closed_form_eval: {(time.perf_counter() - t) / 10000:.2e} s/pt")
    if naive is not None:
        print(f"collision_fixed_point_speedup: {naive / t_fp:.1f} x")


def qs_expand(e):
    import qsym as qs
    return qs.expand_definitions(e)


if __name__ == "__main__":
    main()
