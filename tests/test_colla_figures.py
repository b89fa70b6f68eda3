"""Figures module of the Colla reservoirs (derivations/colla_figures.py): the data functions
return finite arrays of the right shape, the closed-form curves agree with the independent
single-particle numerics, the dispersive deviation falls at the stated rate, the minimal-
dissipation work peak grows as the detuning closes, the recap table has one row per statement;
the notebook is stored executed (it is not run here)."""
from __future__ import annotations


import numpy as np
import pytest

from derivations import colla_figures as F
from derivations import colla_published as pub



def _finite(*arrays):
    return all(np.all(np.isfinite(np.asarray(a, float))) for a in arrays)


@pytest.fixture(scope="module")
def traces():
    return F.assignment_traces(F.DISPERSIVE, times=np.linspace(0.0, 40.0, 241), n_numeric=12)


@pytest.fixture(scope="module")
def peaks():
    return F.md_work_peaks(F.ULTRASTRONG, ratios=(0.3, 0.1, 0.03), n_numeric=6, sweep=np.geomspace(1e-3, 1.0, 9),
                           n_numeric_sweep=2)


def test_parameters():
    c = F.collective(F.DISPERSIVE)
    assert c["Delta"] == pytest.approx(0.3) and c["Gamma"] == pytest.approx(0.1)
    assert c["Omega"] == pytest.approx(np.hypot(0.3, 0.1)) and c["t_star"] == pytest.approx(np.pi / c["Omega"])
    u = F.collective(F.ULTRASTRONG)
    assert u["Delta"] < 0.1 * u["Gamma"]
    p = F.with_detuning(F.ULTRASTRONG, 0.1)
    assert F.collective(p)["Delta"] == pytest.approx(0.1 * u["Gamma"])
    with pytest.raises(KeyError, match="omega_2"):
        F.values({k: v for k, v in F.DISPERSIVE.items() if k != "omega_2"})
    with pytest.raises(ValueError, match="positive integer"):
        F.values(dict(F.DISPERSIVE, N_1=2.5))


def test_assignment_traces_shapes_and_numeric_agreement(traces):
    n = len(traces["t"])
    assert set(traces["tilde"]) == {"1", "2", "I"}
    for X, a in traces["tilde"].items():
        assert a.shape == (n,) and _finite(a)
        assert traces["numeric"]["tilde"][X].shape == (12,)
    for ap in F.APPROACHES:
        for q in ("dU", "dQ", "dW"):
            assert traces["closed"][ap][q].shape == (n,) and _finite(traces["closed"][ap][q])
            assert traces["numeric"]["assignment"][ap][q].shape == (12,)
    assert len(traces["max_rel_diff"]) == 3 + 9
    worst = max(traces["max_rel_diff"].values())
    assert worst <= 1e-9, traces["max_rel_diff"]
    # energy conservation of the tilde energies, and the interaction approach's zero work
    total = sum(traces["tilde"].values())
    assert np.max(np.abs(total)) <= 1e-12 * np.max(np.abs(traces["tilde"]["1"]))
    assert np.all(traces["closed"]["interaction"]["dW"] == 0)


def test_dispersive_deviation_rate():
    d = F.dispersive_comparison(F.DISPERSIVE, times=np.linspace(0.0, 40.0, 101), ratios=np.geomspace(1e-3, 0.1, 6))
    for X in ("1", "I"):
        assert d["full"][X].shape == d["leading"][X].shape == (101,)
        assert _finite(d["full"][X], d["leading"][X], d["deviation"][X])
    r = d["rate"]
    for X in ("1", "I"):
        assert r["stated_exponent"][X] == 2
        assert np.all(np.diff(r["deviation"][X]) > 0)            # grows with Gamma/Delta (ratios ascending)
        assert r["slope"][X] == pytest.approx(2.0, abs=0.1)
    assert r["deviation"]["1"][0] < 1e-5


def test_md_work_peak_grows_as_detuning_closes(peaks):
    cur = peaks["curves"]
    assert [c["ratio"] for c in cur] == [0.3, 0.1, 0.03]
    for c in cur:
        for k in ("K", "md_work", "power"):
            assert c[k].shape == c["t"].shape and _finite(c[k])
            assert c["numeric"][k].shape == (6,)
        assert max(c["max_rel_diff"].values()) <= 1e-9, c["max_rel_diff"]
        # the maximum over the period is at t* = pi/Omega
        assert c["peak"] == pytest.approx(np.max(c["md_work"]), rel=1e-12)
    heights = [c["peak"] for c in cur]
    assert heights[0] < heights[1] < heights[2]
    s = peaks["sweep"]
    assert _finite(s["max_work"], s["asymptote"])
    order = np.argsort(s["Delta"])
    assert np.all(np.diff(s["max_work"][order]) < 0)             # larger for smaller Delta
    assert s["slope_small_Delta"] == pytest.approx(-1.0, abs=0.05)
    k = order[0]
    assert s["max_work"][k] / s["asymptote"][k] == pytest.approx(1.0, abs=0.01)
    num = s["numeric"]
    ref = np.interp(num["Delta"], s["Delta"][order], s["work_at_t_star"][order])
    assert np.allclose(num["work_at_t_star"], ref, rtol=1e-9)


def test_recap_table_one_row_per_statement():
    recs = F.recap_records()
    assert {r["index"] for r in recs} == set(range(1, len(pub.RECAP) + 1))
    assert all(r["status"] in ("match", "mismatch", "derived-only") for r in recs)
    table = F.recap_table(records=recs)
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    assert len(rows) == len(pub.RECAP)
    for statement, row in zip(pub.RECAP, rows):
        assert statement in row
        assert row.rstrip(" |").endswith(("supported", "not supported"))


def test_plots_return_figures(traces, peaks):
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt
    d = F.dispersive_comparison(F.DISPERSIVE, times=np.linspace(0.0, 40.0, 51), ratios=np.geomspace(1e-3, 0.1, 4))
    for fig, n_axes in ((F.plot_assignment_traces(traces), 4), (F.plot_dispersive(d), 3), (F.plot_md_work_peaks(peaks), 4)):
        assert len(fig.axes) == n_axes
        plt.close(fig)
