"""Benchmark: closed-form steady states derived from the model, for every system of the
derivations, and the independent numeric solver per parameter point.

Printed as lines ``name: value unit`` (single-threaded BLAS):

``derive_steady_state_<system>``
    Wall time from scratch, best of ``REPEATS``: the derivation module's ``lru_cache``s are
    cleared (so the model itself is rebuilt) and SymPy's global cache too, then the master
    equation and its closed-form steady state are derived:

    * ``fogedby_single_qubit`` -- ``sq.steady_state()`` (global Davies equation);
    * ``fogedby_coupled_qubits`` -- ``cq.steady_state()`` (global Davies equation; two
      independent omega_+ / omega_- channels);
    * ``diosi_incoherent`` -- ``diosi_thermalizers.steady_state("incoherent")`` (local
      thermalizers plus the noise dissipator L^K_AB, omega_A = omega_B);
    * ``diosi_coherent`` / ``diosi_coherent_resonant`` -- ``steady_state("coherent")``
      (Levy-Kosloff local equation, omega_A != omega_B, resp. ``resonant=True``);
    * ``bloch_redfield_first_order`` -- ``qs.first_order_steady_state(
      qs.bloch_redfield_master_equation(cq.model()))`` (coupled qubits; the secular zeroth
      order is derived inside).
``numeric_solver_per_point_<system>``
    Time per point of the independent numeric solver of the same master equation
    (``qsym.numeric.verify.numeric_solver_for(me)``: ``NumericSolver`` global / local, or the
    ``RedfieldSolver`` of ``me.numeric_solver()``) over ``N_NUMERIC`` random points of the
    model's domain drawn by ``sample_points`` (unspecified g_X realised as random positive
    functions; their construction and the solver's compilation excluded, one warm-up call).

Run: ``cd /work/main && PYTHONPATH=/work/main python benchmarks/bench_steady_states.py``
(about a minute).
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

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402
from sympy.core.cache import clear_cache as sympy_clear_cache  # noqa: E402

import qsym as qs  # noqa: E402
from derivations import diosi_thermalizers as dt  # noqa: E402
from derivations import fogedby_coupled_qubits as cq  # noqa: E402
from derivations import fogedby_single_qubit as sq  # noqa: E402
from qsym.numeric.verify import _callables, numeric_solver_for, sample_points  # noqa: E402

REPEATS = 3
N_NUMERIC = 200
SEED = 1

CACHES = {
    sq: ("model", "master_equation", "steady_state"),
    cq: ("sites", "model", "master_equation", "local_master_equation", "steady_state"),
    dt: ("one_site", "two_sites", "single_model", "uncoupled_model", "coherent_model", "incoherent_model",
         "master_equation", "steady_state", "certificate"),
}


def emit(name: str, value, unit: str) -> None:
    if isinstance(value, float):
        value = f"{value:.4g}"
    print(f"{name}: {value} {unit}", flush=True)


def fresh(module) -> None:
    for name in CACHES[module]:
        getattr(module, name).cache_clear()
    sympy_clear_cache()


def bloch_redfield():
    me = qs.bloch_redfield_master_equation(cq.model())
    return me, qs.first_order_steady_state(me)


SYSTEMS = {
    "fogedby_single_qubit": (sq, lambda: (sq.master_equation(), sq.steady_state())),
    "fogedby_coupled_qubits": (cq, lambda: (cq.master_equation(), cq.steady_state())),
    "diosi_incoherent": (dt, lambda: (dt.master_equation("incoherent"), dt.steady_state("incoherent"))),
    "diosi_coherent": (dt, lambda: (dt.master_equation("coherent"), dt.steady_state("coherent"))),
    "diosi_coherent_resonant": (dt, lambda: (dt.master_equation("coherent", resonant=True),
                                             dt.steady_state("coherent", resonant=True))),
    "bloch_redfield_first_order": (cq, bloch_redfield),
}


def derive(module, build):
    best, out = np.inf, None
    for _ in range(REPEATS):
        fresh(module)
        t0 = time.perf_counter()
        out = build()
        best = min(best, time.perf_counter() - t0)
    return best, out


def numeric_per_point(me) -> float:
    samples, spectral = sample_points(me.model, [], N_NUMERIC, SEED)
    solver = numeric_solver_for(me)
    points = []
    for k in range(N_NUMERIC):
        values = {s: float(samples[s][k]) for s in samples}
        points.append((values, _callables(spectral, values)))
    solver.solve(points[0][0], spectral=points[0][1])  # warm-up
    t0 = time.perf_counter()
    for values, callables in points:
        solver.solve(values, spectral=callables)
    return (time.perf_counter() - t0) / N_NUMERIC


def main() -> None:
    print("# closed-form steady states from the model vs numeric solver per point "
          f"(sympy {sp.__version__}, numpy {np.__version__}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS')}, best of {REPEATS}, {N_NUMERIC} numeric points)", flush=True)
    warnings.simplefilter("ignore")
    derived = {}
    for name, (module, build) in SYSTEMS.items():
        t, (me, ss) = derive(module, build)
        derived[name] = me
        print(f"# {name}: {me.kind}; {ss.method}; numeric: {type(numeric_solver_for(me)).__name__}", flush=True)
        emit(f"derive_steady_state_{name}", t, "s")
    for name, me in derived.items():
        emit(f"numeric_solver_per_point_{name}", numeric_per_point(me), "s")


if __name__ == "__main__":
    main()
