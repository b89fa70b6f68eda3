"""qsym.sweep: vectorised sweeps of derived closed forms, point-by-point sweeps of the numeric
solver (serial, threads, a local Dask cluster), and bad input.

The closed form is Fogedby's total heat current q^A of two coupled qubits (derived by
derivations/fogedby_coupled_qubits.py) with flat spectral functions g_A, g_B."""
from __future__ import annotations

import concurrent.futures as cf
import sys

import mpmath
import numpy as np
import pytest
import sympy as sp

import qsym as qs
from derivations import fogedby_coupled_qubits as fcq
from qsym.algebra.symbols import expand_definitions
from qsym.baths import expand_occupations
from qsym.numeric.functions import substitute_spectral
from qsym.sweep import NumericObservable, SweepError, sweep

FIXED = {"omega_1": 2.0, "omega_2": 1.0, "lambda": 0.3}
FLAT = {"A": 0.01, "B": 0.02}
T_AXIS = np.linspace(0.4, 2.5, 1000)          # T_A x T_B: 10^6 points, T_A = T_B on the diagonal


@pytest.fixture(scope="module")
def q_A():
    """The derived total heat current q^A = q^A_+ + q^A_- (eq. 3.52)."""
    return fcq.master_equation().heat_current("A", fcq.steady_state())


@pytest.fixture(scope="module")
def big_sweep(q_A):
    """q^A over the 1000 x 1000 (T_A, T_B) grid, evaluated vectorised."""
    return sweep(q_A, {"T_A": T_AXIS, "T_B": T_AXIS, **FIXED}, spectral=FLAT)


def observable() -> NumericObservable:
    """q^A from the independent numeric solver, rebuilt from the derivation's name."""
    return NumericObservable("fogedby-coupled-qubits", qs.HeatCurrent("A"), FIXED, spectral=FLAT)


def mpmath_function(expr):
    """``expr`` with flat g_X, occupations and definitions expanded, lambdified in mpmath
    (an evaluation independent of the NumPy lambdification the sweep uses)."""
    flat = {k: sp.Lambda(sp.Dummy("w"), sp.Float(v)) for k, v in FLAT.items()}
    e = substitute_spectral(expand_occupations(expand_definitions(expr)), flat)
    params = sorted(e.free_symbols, key=str)
    f = sp.lambdify(params, e, "mpmath")
    return lambda point: f(*[mpmath.mpf(point[str(p)]) for p in params])


# ---- vectorised sweeps ----------------------------------------------------------------------
def test_million_point_sweep_is_vectorised_and_fast(big_sweep):
    assert big_sweep.mode == "vectorised"
    assert big_sweep.values.shape == (1000, 1000) and big_sweep.points == 10**6
    assert np.all(np.isfinite(big_sweep.values))
    assert big_sweep.elapsed < 10.0, f"10^6 points took {big_sweep.elapsed:.2f} s"


def test_million_point_sweep_matches_pointwise_evaluation(big_sweep, q_A):
    f = mpmath_function(q_A)
    rng = np.random.default_rng(7)
    idx = [tuple(rng.integers(0, 1000, 2)) for _ in range(60)] + [(0, 999), (999, 0), (123, 124)]
    with mpmath.workdps(40):
        for i, j in idx:
            point = dict(FIXED, T_A=T_AXIS[i], T_B=T_AXIS[j])
            assert big_sweep.axis("T_A")[i] == point["T_A"] and big_sweep.axis(sp.Symbol("T_B"))[j] == point["T_B"]
            exact = float(f(point))
            got = big_sweep.values[i, j]
            if i == j:
                assert exact == 0 and abs(got) <= 1e-15 * np.abs(big_sweep.values).max()
            else:
                assert abs(got - exact) <= 1e-12 * abs(exact), (i, j, got, exact)


def test_heat_current_sign_follows_temperature_difference(big_sweep):
    q = big_sweep.values
    dT = T_AXIS[:, None] - T_AXIS[None, :]
    off = dT != 0
    assert np.array_equal(np.sign(q[off]), np.sign(dT[off]))        # heat flows from hot to cold
    assert np.abs(np.diag(q)).max() <= 1e-15 * np.abs(q).max()       # T_A = T_B: no current
    assert np.all(np.diff(q, axis=0) > 0)                            # q^A grows with T_A at fixed T_B


def test_energy_conservation_on_scattered_points(q_A):
    """q^A + q^B = 0 at 10^4 random points of all five parameters (product=False)."""
    q_B = fcq.master_equation().heat_current("B", fcq.steady_state())
    rng = np.random.default_rng(3)
    n = 10**4
    w2 = rng.uniform(0.5, 2.0, n)
    w1 = w2 + rng.uniform(0.1, 2.0, n)
    pts = {"omega_1": w1, "omega_2": w2, "lambda": rng.uniform(0.05, 0.9, n) * np.sqrt(w1 * w2),
           "T_A": rng.uniform(0.3, 3.0, n), "T_B": rng.uniform(0.3, 3.0, n)}
    a = sweep(q_A, pts, product=False, spectral=FLAT)
    b = sweep(q_B, pts, product=False, spectral=FLAT)
    assert a.values.shape == (n,) and a.product is False
    assert np.all(np.abs(a.values + b.values) <= 1e-12 * np.abs(a.values) + 1e-300)
    assert np.all(np.sign(a.values) == np.sign(pts["T_A"] - pts["T_B"]))


def test_lambdified_callable_gives_the_expression_sweep(q_A):
    f = qs.to_numeric(q_A, spectral={k: sp.Lambda(sp.Dummy("w"), sp.Float(v)) for k, v in FLAT.items()})
    grid = {"T_A": T_AXIS[::10], "T_B": T_AXIS[::20], **FIXED}
    by_expr = sweep(q_A, grid, spectral=FLAT, chunksize=333)
    by_func = sweep(f, grid)
    assert by_func.mode == "vectorised" and by_expr.chunks == 16
    assert np.array_equal(by_expr.values, by_func.values)
    d = by_func.to_dict()
    assert d["shape"] == [100, 50] and d["fixed"] == FIXED and len(d["values"][0]) == 50
    assert "points" in by_func._repr_html_()


# ---- numeric solver, point by point ------------------------------------------------------------
@pytest.fixture(scope="module")
def serial_numeric():
    grid = {"T_A": np.linspace(0.5, 2.0, 10), "T_B": np.linspace(0.6, 1.9, 8)}
    return grid, sweep(observable(), grid, progress=False)


def test_numeric_solver_sweep_agrees_with_closed_form(serial_numeric, q_A):
    grid, ser = serial_numeric
    assert ser.mode == "serial" and ser.values.shape == (10, 8)
    closed = sweep(q_A, dict(grid, **FIXED), spectral=FLAT).values
    assert np.max(np.abs(ser.values - closed) / np.abs(closed)) <= 1e-9


def test_thread_pool_sweep_equals_serial(serial_numeric):
    grid, ser = serial_numeric
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        par = sweep(observable(), grid, pool, chunksize=7)
    assert par.mode == "executor" and par.chunks == 12
    assert np.array_equal(par.values, ser.values)


def test_dask_cluster_sweep_equals_serial(serial_numeric):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    grid, ser = serial_numeric
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        par = sweep(observable(), grid, client.get_executor())
    assert par.mode == "executor"
    assert np.array_equal(par.values, ser.values)


def test_failing_point_is_named_serially_and_in_threads():
    grid = {"T_A": [1.0, 1.5], "T_B": [0.8, -0.5, 1.2]}       # T_B < 0 at index (., 1)
    with pytest.raises(SweepError, match=r"grid index \(0, 1\).*T_B.*-0\.5") as err:
        sweep(observable(), grid)
    assert err.value.index == (0, 1) and err.value.point["T_B"] == -0.5
    assert "temperature of bath 'B'" in str(err.value)
    with cf.ThreadPoolExecutor(max_workers=2) as pool, pytest.raises(SweepError, match=r"T_B"):
        sweep(observable(), grid, pool, chunksize=1)


# ---- bad input ----------------------------------------------------------------------------------
def test_grid_variable_not_in_expression(q_A):
    with pytest.raises(ValueError, match=r"\['T_C'\].*not among the free symbols"):
        sweep(q_A, {"T_A": T_AXIS, "T_C": T_AXIS, "T_B": 1.0, **FIXED}, spectral=FLAT)


def test_missing_parameters_are_listed(q_A):
    with pytest.raises(ValueError, match=r"no values for \['lambda', 'omega_2'\]"):
        sweep(q_A, {"T_A": T_AXIS, "T_B": 1.0, "omega_1": 2.0}, spectral=FLAT)


def test_missing_spectral_function_is_named(q_A):
    with pytest.raises(ValueError, match=r"`spectral`.*\['g_A', 'g_B'\]"):
        sweep(q_A, {"T_A": T_AXIS, "T_B": 1.0, **FIXED})


@pytest.mark.parametrize("axis, message", [([1.0, np.nan, 2.0], r"grid\['T_A'\].*finite.*position 1"),
                                           ([], r"grid\['T_A'\].*empty"),
                                           ([[1.0, 2.0]], r"grid\['T_A'\].*1-D"),
                                           (["a", "b"], r"grid\['T_A'\].*numeric")])
def test_bad_axes(q_A, axis, message):
    with pytest.raises((ValueError, TypeError), match=message):
        sweep(q_A, {"T_A": axis, "T_B": 1.0, **FIXED}, spectral=FLAT)


def test_scattered_points_need_equal_lengths(q_A):
    with pytest.raises(ValueError, match=r"product=False.*'T_A': 3.*'T_B': 2"):
        sweep(q_A, {"T_A": [1.0, 2.0, 3.0], "T_B": [1.0, 2.0], **FIXED}, product=False, spectral=FLAT)


def test_non_callable_function_and_bad_executor(q_A):
    with pytest.raises(TypeError, match=r"`function`.*got list"):
        sweep([1, 2], {"x": [1.0]})
    with pytest.raises(TypeError, match=r"`executor`.*concurrent.futures.Executor.*got int"):
        sweep(observable(), {"T_A": [1.0], "T_B": [1.0]}, executor=4)
    with pytest.raises(ValueError, match=r"`executor` is for point-by-point"):
        with cf.ThreadPoolExecutor(1) as pool:
            sweep(q_A, {"T_A": T_AXIS, "T_B": 1.0, **FIXED}, pool, spectral=FLAT)


def test_callable_signature_is_checked():
    def f(x, y):
        return x * y
    with pytest.raises(ValueError, match=r"\['z'\].*does not accept"):
        sweep(f, {"x": [1.0], "z": [2.0]})
    with pytest.raises(ValueError, match=r"no values for \['y'\]"):
        sweep(f, {"x": [1.0, 2.0]})
    grid = {"x": [1.0, 2.0], "y": [3.0, 5.0, 7.0]}
    serial, vectorised = sweep(f, grid), sweep(f, grid, vectorised=True)
    assert (serial.mode, vectorised.mode) == ("serial", "vectorised")
    assert np.array_equal(serial.values, [[3, 5, 7], [6, 10, 14]])
    assert np.array_equal(vectorised.values, serial.values)


def test_numeric_observable_bad_input():
    me = fcq.master_equation()
    obs = NumericObservable(me, qs.HeatCurrent("A"), FIXED, spectral=FLAT)
    with pytest.raises(TypeError, match=r"cannot be pickled.*derivation's name"):
        __import__("pickle").dumps(obs)
    with pytest.raises(ValueError, match=r"\['T_C'\] are not parameters"):
        obs(T_A=1.0, T_B=1.0, T_C=1.0)
    with pytest.raises(ValueError, match=r"no values for \['T_B'\]"):
        obs(T_A=1.0)
    with pytest.raises(TypeError, match=r"`target`"):
        NumericObservable(me, "q_A")


def test_progress_without_tqdm_is_silent(monkeypatch, q_A):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    r = sweep(q_A, {"T_A": T_AXIS[:50], "T_B": 1.0, **FIXED}, spectral=FLAT, progress=True, chunksize=10)
    assert r.values.shape == (50,) and np.all(np.sign(r.values) == np.sign(T_AXIS[:50] - 1.0))
