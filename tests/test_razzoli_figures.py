"""Figures module of the Razzoli synchronization derivation (derivations/razzoli_figures.py): the data
functions return finite arrays of the right shape; the independent configuration has C = 0 (computed);
the joint C approaches the derived strong-coupling limit C_oo as gamma_2 grows; C_oo -> -1 as T -> 0;
the antiphase-pole series error falls with gamma_2; the discretised-bath error falls with M; the
notebook is stored executed (it is not run here)."""
from __future__ import annotations


import numpy as np
import pytest

from derivations import razzoli_figures as F

GAMMAS = np.array([0.1, 1.0, 10.0, 100.0])
TEMPS = np.array([0.05, 0.5, 5.0])


def _finite(*arrays):
    return all(np.all(np.isfinite(np.asarray(a, float))) for a in arrays)


@pytest.fixture(scope="module")
def maps():
    return {c: F.pearson_map(GAMMAS, TEMPS, config=c, progress=False) for c in ("joint", "independent")}


@pytest.fixture(scope="module")
def approach():
    return F.strong_coupling_approach(gammas=[1e1, 1e2, 1e3], T=0.1, temps=np.geomspace(1e-3, 1.0, 5), progress=False)


@pytest.fixture(scope="module")
def poles():
    # order 3 keeps the symbolic series fast (the order-8 series of the derivation takes ~12 s)
    return F.pole_comparison(gammas=[10.0, 30.0, 100.0, 300.0], order=3, dps=30)


@pytest.fixture(scope="module")
def convergence():
    return F.discretisation_convergence(Ms=[10, 20, 40, 80], target=1e-5)


def test_parameters():
    v = F.values(F.DEFAULT, gamma_2=2.0)
    assert v[F.rs.gamma2] == 2.0 and v[F.rs.wB] == 0.6
    with pytest.raises(KeyError, match="omega_B"):
        F.values({"m": 1.0, "omega_A": 1.0})
    with pytest.raises(KeyError, match="unknown"):
        F.values(dict(F.DEFAULT, kappa=1.0))
    with pytest.raises(ValueError, match="omega_A > omega_B"):
        F.values(dict(F.DEFAULT, omega_B=1.5))
    with pytest.raises(ValueError, match="positive"):
        F.values(dict(F.DEFAULT, m=-1.0))
    assert F.matsubara_terms(1e3, 0.01, 1.0) >= 100 * 1e3 / (2 * np.pi * 0.01)
    assert F.matsubara_terms(0.01, 10.0, 1.0) == 20000


def test_pearson_map_shapes_and_independent_zero(maps):
    for c, d in maps.items():
        assert d["C"].shape == (len(TEMPS), len(GAMMAS)) and d["cov"].shape == (len(TEMPS), len(GAMMAS), 2, 2)
        assert _finite(d["C"], d["cov"]) and d["config"] == c
        assert np.all(d["cov"][..., 0, 0] > 0) and np.all(d["cov"][..., 1, 1] > 0)
    ind = maps["independent"]
    assert ind["max_abs_C"] <= 1e-12
    assert np.all(np.abs(ind["cov"][..., 0, 1]) <= 1e-12 * ind["cov"][..., 0, 0])
    joint = maps["joint"]["C"]
    assert np.all(joint < 0) and np.all(joint > -1)
    assert np.all(np.diff(joint, axis=1) < 0)      # more correlated with stronger coupling
    assert np.all(np.diff(joint, axis=0) > 0)      # less correlated at higher temperature
    # the frequency integral (L4) agrees with the Matsubara sum used for the map
    from qsym.numeric.langevin import LangevinSolver
    vals = F.values(F.DEFAULT, gamma_2=float(GAMMAS[2]), T=float(TEMPS[0]))
    S = LangevinSolver(F.rs.joint()).solve(vals).covariance("xx")
    assert F.pearson(S) == pytest.approx(joint[0, 2], abs=1e-9)


def test_joint_approaches_strong_coupling_limit(approach):
    d = approach
    assert d["C"].shape == d["diff"].shape == (3,) and _finite(d["C"], d["diff"])
    gaps = np.abs(d["diff"])
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 5e-3      # ~ (0.44 + 0.31 ln gamma_2)/gamma_2 at T = 0.1
    assert -0.6 < d["C_inf"] < -0.5
    # observed rate between 1/gamma (slope -1) and slower (log(gamma)/gamma)
    assert -1.0 < d["slope_last_decade"] < -0.7
    # the closed form agrees with the numeric strong-coupling Matsubara sum
    assert d["curve"]["max_abs_diff"] < 1e-8


def test_strong_coupling_limit_tends_to_minus_one_at_low_temperature(approach):
    temps = np.array([1e-2, 1e-3, 1e-4, 1e-6])
    C = F.strong_coupling_pearson(temps)
    assert _finite(C)
    gap = C + 1
    assert np.all(gap > 0) and np.all(np.diff(gap) < 0)
    assert gap[-1] < 1e-5
    cur = approach["curve"]
    assert cur["C_inf_numeric"][0] == pytest.approx(-1.0, abs=1e-2)      # numeric strong-coupling sum, T = 1e-3
    assert np.all(np.diff(cur["C_inf"]) > 0)


def test_pole_series_error_decreases_with_gamma(poles):
    d = poles
    assert d["pole"].shape == (4,) and _finite(d["pole"].real, d["pole"].imag)
    assert d["wbar"] == pytest.approx(np.sqrt((1 + 0.36) / 2), rel=1e-14)
    assert np.allclose(d["pole"].real, d["wbar"], rtol=1e-4) and np.all(d["pole"].imag < 0)
    assert np.all(np.abs(d["pole"] - d["pole_refined"]) < 1e-15)
    for k, e in d["error"].items():
        assert np.all(np.diff(e) < 0), (k, e)
        assert d["slopes"][k] == pytest.approx(-(k + 1), abs=0.05)
    # damping rate ~ 1/gamma_2, the series' leading term
    rate = -d["pole"].imag * d["gamma"]
    assert np.allclose(rate, (1 - 0.36) ** 2 / (8 * 1.36), rtol=1e-3)


def test_discretised_bath_error_decreases_with_M(convergence):
    d = convergence
    assert d["M"].tolist() == [10, 20, 40, 80]
    assert _finite(d["rel_x"], d["rel_p"], d["reference"])
    assert np.all(np.diff(d["rel_x"]) < 0) and np.all(np.diff(d["rel_p"]) < 0)
    assert d["order_p"][-1] == pytest.approx(2.0, abs=0.05)
    assert d["rel_p"][-1] == pytest.approx(d["predicted_p"][-1], rel=0.01)
    assert d["M_needed"] == 80     # 5.9e-6 <= 1e-5 first at M = 80
    assert d["pearson_discrete"] == pytest.approx(d["pearson_langevin"], abs=1e-5)


def test_equipartition():
    d = F.equipartition_check(temps=[4.0, 8.0, 16.0])
    assert _finite(d["dev_x"], d["dev_p"])
    assert np.all(np.diff(d["dev_x"]) < 0) and np.all(np.diff(d["dev_p"]) < 0)
    assert d["slope_x"] == pytest.approx(-2.0, abs=0.05) and d["slope_p"] == pytest.approx(-2.0, abs=0.1)


def test_plots_return_figures(maps, approach, poles, convergence):
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt
    for fig in (F.plot_pearson_map(maps["joint"], maps["independent"]), F.plot_strong_coupling_approach(approach),
                F.plot_pole_comparison(poles), F.plot_discretisation_convergence(convergence)):
        assert fig.axes
        plt.close(fig)
