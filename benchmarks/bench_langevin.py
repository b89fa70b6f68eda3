"""Benchmark of the quantum Langevin numerics on Razzoli's two oscillators in a common bath
(:mod:`derivations.razzoli_synchronization`, :mod:`derivations.razzoli_figures`).  Prints
``name: value unit`` lines.

Parameter point: :data:`derivations.razzoli_figures.DRUDE` (``m = omega_A = 1``, ``omega_B = 0.6``,
``gamma_2 = 1``, Drude cutoff ``omega_D = 5``, ``T = 0.2``; the cutoff makes the momentum covariance finite,
so all three routes give the full 4 x 4 covariance).

``langevin_solve``                     numbers into the network (``LangevinSolver.solve``: lambdified densities)
``langevin_integral_xx``               (a) ``<x x^T>`` by the frequency integral (L4) (adaptive quadrature split at
                                       the poles, epsrel 1e-11); ``..._xx_pp``: positions and momenta
``langevin_matsubara_xx``              (b) ``<x x^T>`` by the Matsubara sum (L5), 20000 terms + tail;
                                       ``..._vs_integral``: max relative difference to (a)
``discrete_M<M>_rel_error``            (c) Gibbs state of the system plus the bath as ``M`` oscillators (tan grid,
                                       scale omega_D; Jacobi SVD normal modes), ``M`` doubled from 10 until the
                                       max relative error of both blocks against (a) is <= 1e-6
``discrete_M_needed``, ``discrete_final_solve``  that ``M``, and the time of a fresh build + Gibbs covariance
                                       at it (all small timings: the best of 5 on fresh objects)
                                       (``..._eigh``: the same with ``numpy.linalg.eigh`` normal modes)
``discrete_vs_integral_time_ratio``    (c) / (a) (both give positions and momenta)
``strong_coupling_closed_form_*``      ``C_oo(T)`` of the derivation (closed form, lambdified): lambdify time and one
                                       evaluation (mean of 2000 calls), against ``strong_coupling_numeric_matsubara``
                                       (numeric null space + direct Matsubara sum, 20000 terms) and their difference
``antiphase_series_order<k>``          symbolic time of the weakly damped pole series in 1/gamma_2 to order k
                                       (``OscillatorNetwork.antiphase_pole_series``; order 8 is the derivation's)
``pearson_map_31x25_joint``            the default (gamma_2, T) map of C (775 Matsubara sums, up to 1.6e6 terms)

Run: ``python benchmarks/bench_langevin.py`` (well under a minute).
"""
from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402

TARGET = 1e-6
REPEAT = 5


def _best(run, setup, build=False):
    """Best of REPEAT wall times of ``run(setup())`` (``build``: the setup, e.g. building the
    discretised network, is timed too)."""
    best = np.inf
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        obj = setup()
        t1 = time.perf_counter()
        run(obj)
        best = min(best, time.perf_counter() - (t0 if build else t1))
    return best


def _rel(cov, ref):
    n = 2
    ex = np.max(np.abs(cov[:n, :n] - ref[:n, :n])) / np.max(np.abs(ref[:n, :n]))
    ep = np.max(np.abs(cov[n:, n:] - ref[n:, n:])) / np.max(np.abs(ref[n:, n:]))
    return float(max(ex, ep))


def main():
    tick = time.perf_counter
    from derivations import razzoli_figures as F
    from derivations import razzoli_synchronization as rs
    from qsym.numeric.langevin import LangevinSolver

    params = F.DRUDE
    vals = F.values(params, required=("m", "omega_A", "omega_B", "gamma_2", "omega_D", "T"))
    solver = LangevinSolver(rs.joint_drude())
    solver.solve(vals)  # warm-up (first lambdify)

    # -- (a) frequency integral, (b) Matsubara sum (best of REPEAT, each on a fresh result: no cache) ------------
    t = tick()
    res = solver.solve(vals)
    print(f"langevin_solve: {tick() - t:.4f} s")
    t_xx = _best(lambda r: r.covariance("xx"), lambda: solver.solve(vals))
    print(f"langevin_integral_xx: {t_xx:.4f} s")
    t_a = _best(lambda r: (r.covariance("xx"), r.covariance("pp")), lambda: solver.solve(vals))
    print(f"langevin_integral_xx_pp: {t_a:.4f} s")
    X, P = res.covariance("xx"), res.covariance("pp")
    ref = np.zeros((4, 4))
    ref[:2, :2], ref[2:, 2:] = X, P
    t_b = _best(lambda r: r.matsubara_covariance(), lambda: solver.solve(vals))
    print(f"langevin_matsubara_xx: {t_b:.4f} s")
    Xm = solver.solve(vals).matsubara_covariance()
    print(f"langevin_matsubara_vs_integral: {np.max(np.abs(Xm - X)) / np.max(np.abs(X)):.1e} rel")
    print(f"langevin_integral_vs_matsubara_time_ratio: {t_xx / t_b:.1f} x")

    # -- (c) discretised bath, M doubled until 1e-6 ------------------------------------------------------------
    M = 10
    while True:
        err = _rel(F.discretised_network(params, M).gibbs_covariance(vals[rs.T]), ref)
        print(f"discrete_M{M}_rel_error: {err:.2e} rel")
        if err <= TARGET or M >= 10240:
            break
        M *= 2
    print(f"discrete_M_needed: {M} oscillators")
    t_c = _best(lambda net: net.gibbs_covariance(vals[rs.T]), lambda: F.discretised_network(params, M), build=True)
    cov = F.discretised_network(params, M).gibbs_covariance(vals[rs.T])
    print(f"discrete_final_solve: {t_c:.4f} s")
    print(f"discrete_final_rel_error: {_rel(cov, ref):.2e} rel")
    t_e = _best(lambda net: net.gibbs_covariance(vals[rs.T]), lambda: F.discretised_network(params, M, method="eigh"),
                build=True)
    cov_e = F.discretised_network(params, M, method="eigh").gibbs_covariance(vals[rs.T])
    print(f"discrete_final_solve_eigh: {t_e:.4f} s")
    print(f"discrete_final_rel_error_eigh: {_rel(cov_e, ref):.2e} rel")
    print(f"discrete_vs_integral_time_ratio: {t_c / t_a:.2f} x")

    # -- strong coupling: closed form vs numeric Matsubara ----------------------------------------------------------
    Tsc = vals[rs.T]
    sc_vals = {**{k: v for k, v in params.items() if k in ("m", "omega_A", "omega_B")}}
    t = tick()
    F._c_inf_function()
    print(f"strong_coupling_closed_form_lambdify: {tick() - t:.4f} s")
    n_eval = 2000
    t = tick()
    for _ in range(n_eval):
        c_closed = float(F.strong_coupling_pearson([Tsc], sc_vals)[0])
    t_closed = (tick() - t) / n_eval
    print(f"strong_coupling_closed_form_eval: {t_closed:.2e} s")
    ohm = LangevinSolver(rs.joint())
    sc_point = {**F.values(sc_vals), rs.gamma2: 1.0, rs.T: Tsc}
    t_num = _best(lambda r: r.strong_coupling_covariance(0), lambda: ohm.solve(sc_point))
    S = ohm.solve(sc_point).strong_coupling_covariance(0)
    print(f"strong_coupling_numeric_matsubara: {t_num:.4f} s")
    print(f"strong_coupling_numeric_vs_closed_time_ratio: {t_num / t_closed:.0f} x")
    print(f"strong_coupling_numeric_vs_closed_diff: {abs(F.pearson(S) - c_closed):.1e} abs")

    # -- symbolic: the 1/gamma_2 series -----------------------------------------------------------------------------
    net = rs.joint()
    for order in (4, rs.SERIES_ORDER):
        t = tick()
        net.antiphase_pole_series("2", order=order, parameter=rs.gamma2)
        print(f"antiphase_series_order{order}: {tick() - t:.2f} s")

    # -- the (gamma_2, T) map ------------------------------------------------------------------------------------------
    d = F.pearson_map(config="joint", progress=False)
    print(f"pearson_map_31x25_joint: {d['seconds']:.2f} s")


if __name__ == "__main__":
    main()
