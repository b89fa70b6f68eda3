"""Benchmark: quadratic bosons (Colla's two reservoirs), closed forms vs the numeric routes.

Prints ``name: value unit`` lines:

``gaussian_symbolic_energies``          qsym closed forms Delta U~_1, Delta U~_2, Delta U~_I (model built from scratch)
``gaussian_symbolic_md``                qsym closed forms K_1, Delta U^md_1, dQ^md_1, dW^md_1
``gaussian_sp_modes``                   N_1 + N_2 of the single-particle run
``gaussian_sp_setup``                   ``GaussianSolver.solve``: full matrix from numbers, ``eigh``, Gibbs C(0)
``gaussian_sp_energies_200``            ``energy_trajectories``: the three energies at 200 (+ t = 0) times
``gaussian_closed_form_lambdify``       lambdifying the three closed forms (``to_numeric``)
``gaussian_closed_form_energies_200``   evaluating them at the same 200 times
``gaussian_sp_vs_closed_max_rel_diff``  max pointwise relative difference of the two (three energies, 200 times);
                                        ``..._max_abs_diff_over_amplitude``: the same against each curve's largest
                                        value; ``gaussian_sp_expm1_route_rel_diff_at_worst_point``: the
                                        cancellation-free ``GaussianResult.energy_change`` at the worst point
``gaussian_md_propagator_N1000``        ``U(t)`` (2000 x 2000) at one time
``gaussian_md_hamiltonian_N1000``       ``K_1(t)`` at one time (propagator + 1000 x 1000 linear solve); the solve
                                        alone (``gaussian_md_linear_solve_N1000``); relative difference of the
                                        symmetric-mode element to the closed form
``gaussian_fock_*``                     Fock space (``qsym.numeric.fock``) for 4 modes (N_1 = N_2 = 2) at
                                        ``n_max`` = 16 and 18: kept dimension, thermal tail, seconds for the
                                        build plus the three energies at one time, the ratio to the
                                        single-particle route for the same system and the difference of the values
``gaussian_naive_*``                    ``sympy.Matrix.exp`` of ``-i h t`` for the symbolic 4 x 4 collective matrix
                                        and for the explicit 4-mode matrix (N_1 = N_2 = 2, symbols omega_X, g,
                                        gamma), each in a subprocess stopped after ``NAIVE_TIMEOUT`` (20 s)

Run: ``python benchmarks/bench_gaussian.py`` (about a minute, plus up to twice the naive timeout).
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
from scipy import linalg  # noqa: E402

NAIVE_TIMEOUT = float(os.environ.get("NAIVE_TIMEOUT", 20))
# N_1 = N_2 = 1000 with the collective parameters of colla_figures.DISPERSIVE (nu_1 = 1.1998, Delta = 0.2998,
# Gamma = 0.1): g and gamma scaled with N
LARGE = dict(omega_1=1.0, omega_2=0.7, g=2e-4, gamma=5e-5, N_1=1000, N_2=1000, T_1=1.0, T_2=0.5)
SMALL = dict(omega_1=1.0, omega_2=0.7, g=0.02, gamma=0.025, N_1=2, N_2=2, T_1=1.0, T_2=0.5)   # 4 modes, Gamma = 0.1
T_ONE = 7.3


def _naive_exp(which, queue):
    t = sp.Symbol("t", positive=True)
    if which == "collective":
        from derivations import colla_reservoirs as cr
        h = sp.Matrix(cr.model().h)
    else:
        w1, w2, g, gam = sp.symbols("omega_1 omega_2 g gamma", positive=True)
        h = sp.Matrix([[w1, g, gam, gam], [g, w1, gam, gam], [gam, gam, w2, g], [gam, gam, g, w2]])
    t0 = time.perf_counter()
    U = (-sp.I * t * h).exp()
    queue.put((time.perf_counter() - t0, sp.count_ops(U)))


def _run_naive(which):
    q = mp.Queue()
    p = mp.Process(target=_naive_exp, args=(which, q))
    p.start()
    p.join(NAIVE_TIMEOUT)
    if p.is_alive():
        p.terminate()
        p.join()
        return None
    return q.get()


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)))


def main():
    tick = time.perf_counter
    t = tick()
    from derivations import colla_figures as F
    from derivations import colla_reservoirs as cr
    from qsym.numeric.fock import FockEvolution
    from qsym.numeric.functions import to_numeric
    from qsym.numeric.gaussian import GaussianSolver, energy_trajectories
    m = cr.model()
    t = tick()
    closed = {X: m.energy_change(X) for X in ("1", "2", "I")}
    print(f"gaussian_symbolic_energies: {tick() - t:.3f} s")
    t = tick()
    md = m.minimal_dissipation("1")
    md.hamiltonian(), md.energy_change(), md.heat(), md.work()
    print(f"gaussian_symbolic_md: {tick() - t:.3f} s")

    # -- single-particle route, N_1 + N_2 = 2000 --------------------------------------------------------------
    vals = F.values(LARGE)
    c = F.collective(LARGE)
    # 200 times over two Rabi periods, at the midpoints of a uniform grid: never a multiple of 2 pi/Omega,
    # where every energy change vanishes and a relative difference would measure round-off (t = 0 added below)
    times = (np.arange(200) + 0.5) / 200 * 4 * np.pi / c["Omega"]
    print(f"gaussian_sp_modes: {LARGE['N_1'] + LARGE['N_2']} modes")
    t = tick()
    res = GaussianSolver(m).solve(vals)
    print(f"gaussian_sp_setup: {tick() - t:.3f} s")
    t = tick()
    traj = energy_trajectories(res, np.concatenate(([0.0], times)))
    num = {X: traj[X][1:] - traj[X][0] for X in ("1", "2", "I")}
    t_sp = tick() - t
    print(f"gaussian_sp_energies_200: {t_sp:.3f} s")
    t = tick()
    args = F._ARGS
    funcs = {X: to_numeric(closed[X], args).func for X in closed}
    print(f"gaussian_closed_form_lambdify: {tick() - t:.3f} s")
    t = tick()
    cf = {X: np.real(np.asarray(funcs[X](*[vals[s] for s in args[:-1]], times), complex)) for X in closed}
    t_cf = tick() - t
    print(f"gaussian_closed_form_energies_200: {t_cf:.2e} s")
    print(f"gaussian_sp_vs_closed_speed_ratio: {t_sp / t_cf:.0f} x")
    print(f"gaussian_sp_vs_closed_max_rel_diff: {max(_rel(num[X], cf[X]) for X in closed):.1e} rel")
    # energy_trajectories returns the absolute <H_X>(t) (~ 10^2 here); the changes are differences of those, so
    # where a change is small (~ 10^-5 near t = 0) its relative error is ~ 1e-16 <H_X> / change.  Against the
    # largest change, and through the cancellation-free route (res.energy_change, expm1 in the eigenbasis) at the
    # worst point:
    print(f"gaussian_sp_vs_closed_max_abs_diff_over_amplitude: "
          f"{max(np.max(np.abs(num[X] - cf[X])) / np.max(np.abs(cf[X])) for X in closed):.1e} rel")
    X, k = max(((X, int(np.argmax(np.abs(num[X] - cf[X]) / np.abs(cf[X])))) for X in closed),
               key=lambda p: abs(num[p[0]][p[1]] - cf[p[0]][p[1]]) / abs(cf[p[0]][p[1]]))
    print(f"gaussian_sp_expm1_route_rel_diff_at_worst_point: {_rel(res.energy_change(X, times[k]), cf[X][k]):.1e} rel")

    # -- md Hamiltonian, N_1 = 1000 ---------------------------------------------------------------------------
    t = tick()
    res.propagator(T_ONE)
    print(f"gaussian_md_propagator_N1000: {tick() - t:.3f} s")
    t = tick()
    K = res.md_hamiltonian("1", T_ONE)
    print(f"gaussian_md_hamiltonian_N1000: {tick() - t:.3f} s")
    # the linear solve inside it (G^T Y^T = B^T, G = U_11 of size 1000), timed on its own
    U = res.propagator(T_ONE)
    i1, i2 = res.partition["1"], res.partition["2"]
    G, B = U[np.ix_(i1, i1)], -1j * res.h[np.ix_(i1, i2)] @ U[np.ix_(i2, i1)]
    t = tick()
    linalg.solve(G.T, B.T)
    print(f"gaussian_md_linear_solve_N1000: {tick() - t:.3f} s")
    del U, G, B
    e = np.ones(LARGE["N_1"]) / np.sqrt(LARGE["N_1"])
    k_cf = F.closed_form("K", LARGE, [T_ONE])[0]
    print(f"gaussian_md_hamiltonian_vs_closed_rel_diff: {_rel(np.real(e @ K @ e), k_cf):.1e} rel")
    del res, K

    # -- Fock space, 4 modes ----------------------------------------------------------------------------------
    sv = F.values(SMALL)
    h, part = GaussianSolver(m).full_matrix(sv)
    temps = {"1": SMALL["T_1"], "2": SMALL["T_2"]}
    t = tick()
    small = GaussianSolver(m).solve(sv)
    sp_small = [small.energy_change(X, T_ONE) for X in ("1", "2", "I")]
    t_small = tick() - t
    print(f"gaussian_sp_4modes_setup_plus_one_time: {t_small:.2e} s")
    for n_max in (16, 18):
        t = tick()
        fe = FockEvolution(h, part, temps, n_max)
        E = [fe.energy("1", T_ONE), fe.energy("2", T_ONE), fe.interaction_energy(T_ONE)]
        t_f = tick() - t
        E0 = [fe.energy("1", 0.0), fe.energy("2", 0.0), fe.interaction_energy(0.0)]
        diff = max(abs((a - b) - s) for a, b, s in zip(E, E0, sp_small)) / max(abs(s) for s in sp_small)
        print(f"gaussian_fock_nmax{n_max}_dim: {fe.dim} states")
        print(f"gaussian_fock_nmax{n_max}_tail: {fe.tail:.1e} prob")
        print(f"gaussian_fock_nmax{n_max}_build_plus_one_time: {t_f:.3f} s")
        print(f"gaussian_fock_nmax{n_max}_vs_single_particle: {t_f / t_small:.0f} x")
        print(f"gaussian_fock_nmax{n_max}_energy_change_diff: {diff:.1e} rel")

    # -- naive SymPy ------------------------------------------------------------------------------------------
    for which in ("collective", "full4"):
        r = _run_naive(which)
        if r is None:
            print(f"gaussian_naive_exp_{which}: > {NAIVE_TIMEOUT:.0f} s")
        else:
            print(f"gaussian_naive_exp_{which}: {r[0]:.3f} s")
            print(f"gaussian_naive_exp_{which}_ops: {r[1]} ops")


if __name__ == "__main__":
    main()
