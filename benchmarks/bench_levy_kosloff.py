"""Benchmark: Levy-Kosloff coupled oscillators (Fogedby, arXiv:2301.13544, sec. IV.C.2, eqs.
4.32-4.35), closed forms from the second-moment equations vs truncated-Fock numeric solves.

Everything is measured side by side in one run (single-threaded BLAS) and printed as lines
``name: value unit``:

``derive_moments_local_symbolic`` / ``derive_moments_global_symbolic``
    Wall time, best of 3 with SymPy's cache cleared and a fresh model, of
    ``moment_master_equation(model, kind)`` -> moment equations -> closed-form stationary moments
    -> ``q^A``, ``q^B`` (for the global equation also per normal mode).
``lambdify_qA_local_compile``
    One-off cost of ``qs.to_numeric`` on the local ``q^A`` (spectral realisation
    ``g_X(w) = kappa_X (w/w_cX)^s_X exp(-w/w_cX)``).
``lambdified_qA_local_per_point`` / ``lambdified_qA_global_per_point``
    Time per point of the lambdified closed form, vectorised over 10**6 points drawn by
    ``sample_points`` over the model's domain; best of 3.
``fock_cutoff_local_1e-8`` / ``fock_cutoff_global_1e-8``
    The smallest fixed total-excitation cutoff K of :class:`qsym.dynamics.moments.FockSolver` for
    which ``q^A`` agrees with the closed form to 1e-8 relative at the first 30 sample points and
    at the hottest corner of the domain (the closed form is exact; this is the "same accuracy").
``fock_local_per_point_K`` / ``fock_global_per_point_K``
    Time per point of ``FockSolver(cutoff=K).solve`` at that K over 60 sample points (the same
    points as the closed form; spectral callables built beforehand).
``speedup_lambdified_vs_fock_local`` / ``..._global``
    Ratio of the per-point times.
``fock_adaptive_local_per_point``
    The verification setting (adaptive K, truncation error <= 1e-12) per point, 60 points.
``product_space_dim_1e-8`` / ``numeric_solver_local_per_point``
    qsym's general ``NumericSolver`` (per-mode truncation ``qs.bosons(2, dim)``, full Liouvillian)
    at the smallest ``dim`` reaching 1e-8 at the hottest corner, per point over 3 sample points,
    and ``speedup_lambdified_vs_numeric_solver``.
``max_rel_err_qA_local_vs_fock`` / ``max_rel_err_qA_global_vs_fock``
    ``qs.verify(qA, me, bath='A', n=200)`` (adaptive Fock solver).

Run: ``cd /work/main && OPENBLAS_NUM_THREADS=1 python benchmarks/bench_levy_kosloff.py``
(a few minutes; most of it the product-space NumericSolver).
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402
from sympy.core.cache import clear_cache as sympy_clear_cache  # noqa: E402

import qsym as qs  # noqa: E402
from qsym.dynamics.moments import FockSolver, moment_master_equation  # noqa: E402
from qsym.numeric.verify import _callables, sample_points  # noqa: E402

N_LAMBDIFIED = 10**6
N_SCAN = 30
N_FOCK = 60
N_PRODUCT = 3
N_VERIFY = 200
SEED = 1
REPEATS = 3
TARGET = 1e-8


def build_model(dim: int = 3):
    """Eq. 4.32 with baths A (mode 1) and B (mode 2), as in derivations/levy_kosloff_oscillators.py."""
    from derivations import levy_kosloff_oscillators as lk
    w1, w2, lam, TA, TB = lk.w1, lk.w2, lk.lam, lk.TA, lk.TB
    a1, a2 = qs.bosons(2, dim)
    H = w1 * a1.ad * a1.a + w2 * a2.ad * a2.a + lam * (a1.a * a2.ad + a1.ad * a2.a)
    return qs.OpenSystem(H, couplings=(qs.Coupling(a1.a, qs.BosonicBath("A", temperature=TA)),
                                       qs.Coupling(a2.a, qs.BosonicBath("B", temperature=TB))),
                         assumptions=(w1 > w2, lam < sp.sqrt(w1 * w2)), domain=lk.DOMAIN)


def emit(name: str, value, unit: str) -> None:
    if isinstance(value, float):
        value = f"{value:.4g}"
    print(f"{name}: {value} {unit}", flush=True)


def derive_once(kind: str):
    sympy_clear_cache()
    t0 = time.perf_counter()
    me = moment_master_equation(build_model(), kind)
    ss = me.steady_state()
    q = {b: me.heat_current(b, ss) for b in me.bath_names}
    if kind == "global":
        {b: me.heat_current(b, ss, by_channel=True) for b in me.bath_names}
    return time.perf_counter() - t0, me, q


def hottest_corner(model):
    from derivations import levy_kosloff_oscillators as lk
    return {lk.w1: 1.0 + 1e-3, lk.w2: 1.0, lk.lam: 0.5, lk.TA: 0.8, lk.TB: 0.3}


def point(samples, params, k, spectral):
    values = {s: float(samples[s][k]) for s in params}
    return values, _callables(spectral, values)


def fock_cutoff(model, master, f, samples, params, spectral, extra):
    """Smallest fixed K with |q_Fock/q_closed - 1| <= TARGET at the scan points."""
    pts = [point(samples, params, k, spectral) for k in range(N_SCAN)]
    pts.append(extra)
    ref = [float(np.real(f(v))) for v, _ in pts]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for K in range(4, 120):
            solver = FockSolver(model, master, cutoff=K)
            ok = True
            for (v, cal), r in zip(pts, ref):
                q = solver.solve(v, spectral=cal).heat_currents["A"]
                if abs(q / r - 1) > TARGET:
                    ok = False
                    break
            if ok:
                return K
    raise RuntimeError("no cutoff reached the target accuracy")


def per_point(solver, pts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solver.solve(*pts[0])  # warm-up (Fock space construction is cached per K)
        t0 = time.perf_counter()
        for v, cal in pts:
            solver.solve(v, spectral=cal)
    return (time.perf_counter() - t0) / len(pts)


def main() -> None:
    print("# Levy-Kosloff oscillators: closed forms by moments vs truncated-Fock numerics "
          f"(numpy {np.__version__}, sympy {sp.__version__}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS')})", flush=True)
    out = {}
    for kind in ("local", "global"):
        runs = [derive_once(kind) for _ in range(REPEATS)]
        emit(f"derive_moments_{kind}_symbolic", min(r[0] for r in runs), "s")
        out[kind] = runs[-1]
    model = out["local"][1].model
    qA = {k: out[k][2]["A"] for k in out}

    samples, spectral = sample_points(model, [qA["local"], qA["global"]], N_LAMBDIFIED, SEED)
    params = tuple(samples)
    t0 = time.perf_counter()
    f = {k: qs.to_numeric(qA[k], params, spectral=spectral) for k in ("local", "global")}
    emit("lambdify_qA_local_compile", (time.perf_counter() - t0) / 2, "s")
    t_lam = {}
    for k in ("local", "global"):
        best = np.inf
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            vals = np.asarray(f[k](samples), float)
            best = min(best, time.perf_counter() - t0)
        assert vals.shape == (N_LAMBDIFIED,) and np.all(np.isfinite(vals))
        t_lam[k] = best / N_LAMBDIFIED
        emit(f"lambdified_qA_{k}_per_point", t_lam[k], "s")

    # the hottest corner, with the realisation parameters of the first sample
    corner = {s: float(samples[s][0]) for s in params}
    corner.update(hottest_corner(model))
    extra = (corner, _callables(spectral, corner))
    pts = [point(samples, params, k, spectral) for k in range(N_FOCK)]
    for k in ("local", "global"):
        K = fock_cutoff(model, k, f[k], samples, params, spectral, extra)
        emit(f"fock_cutoff_{k}_1e-8", K, "excitations")
        t = per_point(FockSolver(model, k, cutoff=K), pts)
        emit(f"fock_{k}_per_point_K{K}", t, "s")
        emit(f"speedup_lambdified_vs_fock_{k}", t / t_lam[k], "x")
    emit("fock_adaptive_local_per_point", per_point(FockSolver(model, "local"), pts), "s")

    # qsym's general NumericSolver on a per-mode truncation
    ref = float(np.real(f["local"](corner)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for dim in range(6, 30, 2):
            m = build_model(dim)
            q = qs.NumericSolver(m, master="local").solve(corner, spectral=extra[1]).heat_currents["A"]
            if abs(q / ref - 1) <= TARGET:
                break
    emit("product_space_dim_1e-8", dim, "states per mode")
    t = per_point(qs.NumericSolver(m, master="local"), pts[:N_PRODUCT])
    emit("numeric_solver_local_per_point", t, "s")
    emit("speedup_lambdified_vs_numeric_solver", t / t_lam["local"], "x")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in ("local", "global"):
            rep = qs.verify(qA[k], out[k][1], bath="A", n=N_VERIFY)
            emit(f"max_rel_err_qA_{k}_vs_fock", f"{rep.max_rel_err:.3g}", "1")


if __name__ == "__main__":
    main()
