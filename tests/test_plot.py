"""qsym.plot and the `qsym plot` subcommand: the plotted data are the closed form and the
independent numeric solver's values, the bias sweep changes sign at zero bias, a regime's
deviation falls at its stated order, the CLI writes a PNG, and bad input is named."""
from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

pytest.importorskip("matplotlib")
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt  # noqa: E402

import qsym as qs  # noqa: E402
from qsym import plot as qp  # noqa: E402
from qsym.numeric.verify import sample_points  # noqa: E402
from qsym.plot_cli import add_plot_parser  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def single_qubit():
    """``{name: Result}`` of Fogedby's single qubit between two baths."""
    from derivations import registry
    return {r.name: r for r in registry()["fogedby-single-qubit"].results()}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _line_data(line):
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


# ---- closed form against the numeric solver -----------------------------------------------------
def test_closed_form_line_agrees_with_numeric_markers(single_qubit):
    r = single_qubit["q^A"]
    fig = qp.closed_form_vs_numeric(r, "T_A", (0.2, 4.0), points=30, numeric_points=6, seed=3)
    ax = fig.axes[0]
    (xl, yl), (xm, ym) = _line_data(ax.lines[0]), _line_data(ax.lines[1])
    data = fig.qsym_data
    assert np.array_equal(xl, data.curve("closed form").x) and np.array_equal(ym, data.curve("numeric").y)
    assert len(xm) == 6 and np.ptp(ym) > 0
    idx = np.searchsorted(xl, xm)
    assert np.array_equal(xl[idx], xm)  # the markers' abscissae are points of the line
    rel = np.abs(yl[idx] - ym) / np.maximum(np.abs(yl[idx]), np.abs(ym))
    assert rel.max() < 1e-8
    assert data.info["max_rel_dev"] < 1e-8
    assert ax.get_xlabel() == "$" + qs.latex(sp.Symbol("T_A", positive=True)) + "$"
    assert ax.get_ylabel() == f"${r.latex_name}$"


def test_fixed_values_are_a_physical_sample_and_printed(single_qubit):
    r = single_qubit["q^A"]
    fig = qp.closed_form_vs_numeric(r, "T_A", (0.5, 2.0), numeric_points=2, seed=11)
    samples, _ = sample_points(r.me.model, [r.derived], 1, 11)
    expected = {str(s): float(v[0]) for s, v in samples.items() if str(s) != "T_A"}
    assert fig.qsym_data.fixed == pytest.approx(expected, rel=1e-15)
    title = fig.axes[0].get_title()
    assert f"{expected['T_B']:.4g}" in title and f"{expected['omega_0']:.4g}" in title
    # overriding one parameter changes it, and the curve
    fig2 = qp.closed_form_vs_numeric(r, "T_A", (0.5, 2.0), {"omega_0": 1.7}, numeric_points=2, seed=11)
    assert fig2.qsym_data.fixed["omega_0"] == 1.7
    assert fig2.qsym_data.fixed["T_B"] == expected["T_B"]
    assert not np.allclose(fig.qsym_data.curve("closed form").y, fig2.qsym_data.curve("closed form").y)
    assert fig2.qsym_data.info["max_rel_dev"] < 1e-8


def test_wrong_closed_form_shows_its_deviation(single_qubit):
    """The markers are the numeric solver, not the closed form: a 1 % error is visible."""
    r = single_qubit["q^A"]
    wrong = qs.Result("q^A x 1.01", "-", r.derived * sp.Rational(101, 100), r.me, r.target, latex_name="q^A")
    fig = qp.closed_form_vs_numeric(wrong, "omega_0", (0.3, 3.0), numeric_points=4, log=True)
    assert fig.qsym_data.info["max_rel_dev"] == pytest.approx(1 / 101, rel=1e-6)
    assert fig.axes[0].get_xscale() == "log"
    x = fig.qsym_data.curve("closed form").x
    assert x[0] == pytest.approx(0.3) and x[-1] == pytest.approx(3.0)


def test_matrix_result_needs_an_element(single_qubit):
    r = single_qubit["rho_+"]
    m = qs.Result("rho", "-", sp.Matrix([single_qubit["rho_-"].derived, r.derived]), r.me,
                  [single_qubit["rho_-"].target, r.target], latex_name=r"\rho")
    with pytest.raises(ValueError, match=r"`element`.*2x1 matrix.*0\.\.1"):
        qp.closed_form_vs_numeric(m, "T_A", (0.5, 2.0))
    fig = qp.closed_form_vs_numeric(m, "T_A", (0.5, 2.0), element=1, numeric_points=3)
    assert fig.qsym_data.info["max_rel_dev"] < 1e-8
    y = fig.qsym_data.curve("closed form").y
    assert np.all((y > 0) & (y < 1))  # a population


# ---- current against bias -----------------------------------------------------------------------
def test_current_changes_sign_at_zero_bias(single_qubit):
    fig = qp.current_vs_bias([single_qubit["q^A"], single_qubit["q^B"]], "T_A", "T_B", (-1.0, 1.0),
                             T=1.2, points=41, numeric_points=5)
    data = fig.qsym_data
    qa, qb = data.curves_of("closed form")
    scale = np.max(np.abs(qa.y))
    neg, pos, zero = qa.x < 0, qa.x > 0, qa.x == 0
    assert zero.sum() == 1
    # heat flows from the hotter bath into the system: q^A > 0 exactly when T_A > T_B
    assert np.all(qa.y[neg] < 0) and np.all(qa.y[pos] > 0)
    assert np.all(qb.y[neg] > 0) and np.all(qb.y[pos] < 0)
    assert abs(qa.y[zero][0]) <= 1e-12 * scale
    assert np.max(np.abs(qa.y + qb.y)) <= 1e-12 * scale  # one qubit stores no energy in steady state
    for name in ("q^A", "q^B"):
        assert data.info["max_rel_dev"][name] < 1e-8
    ax = fig.axes[0]
    assert np.array_equal(_line_data(ax.lines[0])[1], qa.y)
    assert any(np.all(np.asarray(ln.get_xdata()) == 0) for ln in ax.lines)  # the zero-bias guide
    assert "T_{A} = T + \\Delta T/2" in ax.get_xlabel()


def test_bias_keeps_temperatures_positive(single_qubit):
    with pytest.raises(ValueError, match=r"`bias_range`.*below 2T = 2\.4"):
        qp.current_vs_bias(single_qubit["q^A"], "T_A", "T_B", (-3.0, 3.0), T=1.2)
    with pytest.raises(ValueError, match=r"`T_hot`.*temperature.*got 'T_C'"):
        qp.current_vs_bias(single_qubit["q^A"], "T_C", "T_B", (-1.0, 1.0))


# ---- limit against full -------------------------------------------------------------------------
def _stated_exponent(lim):
    base, exp = sp.sympify(lim.correction).as_base_exp()
    assert base == lim.variable
    return float(exp)


def test_limit_slope_is_the_stated_order(single_qubit):
    r = single_qubit["q^A"]
    lim = qs.high_temperature(r.derived)
    res = qs.Result("q^A (high T)", "-", lim.leading, r.me, None, latex_name="q^A", limit=lim)
    fig = qp.limit_vs_full(res, (1.0, 1e3), points=24, seed=2)
    top, bottom = fig.axes
    assert top.get_xscale() == top.get_yscale() == bottom.get_yscale() == "log"
    x, dev = _line_data(bottom.lines[0])
    full, lead = fig.qsym_data.curve("full").y, fig.qsym_data.curve("leading").y
    assert np.allclose(dev, np.abs(full / lead - 1), rtol=1e-6, atol=0)
    assert np.all(np.diff(dev) < 0)  # deeper into the regime, closer to the leading form
    half = x >= np.sqrt(x[0] * x[-1])
    slope = np.polyfit(np.log(x[half]), np.log(dev[half]), 1)[0]
    assert slope == pytest.approx(_stated_exponent(lim), abs=0.05)
    assert fig.qsym_data.info["observed_slope"] == pytest.approx(slope, abs=1e-6)
    assert fig.qsym_data.info["rate"] == pytest.approx(1.0, abs=0.05)


def test_limit_bad_input(single_qubit):
    r = single_qubit["q^A"]
    lim = qs.high_temperature(r.derived)
    with pytest.raises(ValueError, match=r"`range`.*positive.*\(0, 10\)"):
        qp.limit_vs_full(lim, (0, 10), model=r.me.model)
    with pytest.raises(ValueError, match=r"`limit`.*'q\^A' has no `.limit`"):
        qp.limit_vs_full(r, (1, 10))
    with pytest.raises(TypeError, match=r"`limit` must be a qsym.asymptotics.Limit.*got int"):
        qp.limit_vs_full(3, (1, 10))


# ---- trajectories -------------------------------------------------------------------------------
def test_trajectories_plot_every_series_and_numeric_point():
    t = np.linspace(0.0, 5.0, 101)
    tau, w = sp.symbols("t omega", positive=True)
    fig = qp.trajectories(t, {r"$\Delta U$": np.sin(t), r"$\Delta Q$": lambda s: np.cos(s) - 1,
                              r"$\Delta W$": sp.sin(w * tau) ** 2},
                          numeric={r"$\Delta U$": (t[::20], np.sin(t[::20]))}, time_symbol="t", values={"omega": 2.0},
                          ylabel="energy")
    data = fig.qsym_data
    assert np.allclose(data.curve("series", r"$\Delta W$").y, np.sin(2 * t) ** 2)
    assert np.allclose(data.curve("series", r"$\Delta Q$").y, np.cos(t) - 1)
    ax = fig.axes[0]
    assert len([ln for ln in ax.lines if ln.get_marker() == "o"]) == 1
    xm, ym = _line_data([ln for ln in ax.lines if ln.get_marker() == "o"][0])
    assert np.allclose(ym, np.interp(xm, t, data.curve("series", r"$\Delta U$").y))
    assert ax.get_ylabel() == "energy"


def test_trajectories_bad_input():
    t = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match=r"`series\['a'\]`.*expected 5 values.*\(4,\)"):
        qp.trajectories(t, {"a": np.zeros(4)})
    with pytest.raises(ValueError, match=r"`t`.*increasing"):
        qp.trajectories(t[::-1], {"a": np.zeros(5)})
    with pytest.raises(ValueError, match=r"`values`.*\['omega'\]"):
        qp.trajectories(t, {"a": sp.Symbol("omega") * sp.Symbol("t")}, time_symbol="t")
    with pytest.raises(ValueError, match=r"`numeric\['a'\]`.*equal length"):
        qp.trajectories(t, {"a": t}, numeric={"a": ([0, 1], [0])})


# ---- bad input of the closed-form plot ----------------------------------------------------------
def test_closed_form_bad_input(single_qubit):
    r = single_qubit["q^A"]
    with pytest.raises(ValueError, match=r"`vary`.*free symbol of result 'q\^A'.*'T_A', 'T_B', 'omega_0'.*got 'lambda'"):
        qp.closed_form_vs_numeric(r, "lambda", (0.1, 1.0))
    with pytest.raises(ValueError, match=r"`values_range`.*positive.*T_A is positive.*\(-1, 1\)"):
        qp.closed_form_vs_numeric(r, "T_A", (-1.0, 1.0))
    with pytest.raises(ValueError, match=r"`values_range`.*low < high.*\(2, 1\)"):
        qp.closed_form_vs_numeric(r, "T_A", (2.0, 1.0))
    with pytest.raises(ValueError, match=r"`fixed`.*parameter of the model.*got 'Omega'"):
        qp.closed_form_vs_numeric(r, "T_A", (0.5, 1.0), {"Omega": 1.0})
    with pytest.raises(ValueError, match=r"`fixed`.*T_B is positive"):
        qp.closed_form_vs_numeric(r, "T_A", (0.5, 1.0), {"T_B": -1.0})
    with pytest.raises(TypeError, match=r"`result` must be a qsym.Result.*got str"):
        qp.closed_form_vs_numeric("q^A", "T_A", (0.5, 1.0))
    with pytest.raises(KeyError, match=r"unknown result 'q\^C'.*'q\^A'"):
        qp.find_result("fogedby-single-qubit", "q^C")
    with pytest.raises(KeyError, match=r"unknown derivation 'nope'.*'fogedby-single-qubit'"):
        qp.find_result("nope", "q^A")


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install qsym\[notebooks\]"):
        qp._pyplot()


def test_agg_backend_without_display(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")}
    code = "import qsym.plot as p, matplotlib; p._pyplot(); print(matplotlib.get_backend())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().lower() == "agg"


# ---- the CLI ------------------------------------------------------------------------------------
def _run_cli(argv, capsys):
    p = argparse.ArgumentParser(prog="qsym")
    add_plot_parser(p.add_subparsers(dest="cmd", required=True))
    args = p.parse_args(["plot", *argv])
    rc = args.func(args)
    out = capsys.readouterr()
    return rc, out.out, out.err


def _png_size(path):
    blob = path.read_bytes()
    assert blob[:8] == PNG_SIGNATURE and blob[12:16] == b"IHDR"
    return len(blob), struct.unpack(">II", blob[16:24])


def test_cli_writes_png_and_reports_deviation(tmp_path, capsys):
    out = tmp_path / "fig.png"
    rc, stdout, _ = _run_cli(["fogedby-single-qubit", "q^A", "--vs", "T_A", "--range", "0.2", "4",
                              "--set", "omega_0=1.5", "--numeric-points", "4", "--out", str(out)], capsys)
    assert rc == 0
    nbytes, (w, h) = _png_size(out)
    assert nbytes > 5000 and w > 300 and h > 200
    assert "omega_0=1.5" in stdout
    dev = float(stdout.split("max relative deviation closed form vs numeric solver:")[1].split()[0])
    assert dev < 1e-8


def test_cli_limit_figure(tmp_path, capsys, monkeypatch, single_qubit):
    """``--limit`` on a result carrying a Limit (the high-temperature form of q^A, standing in
    for a derivation's regime result: loading ``fogedby-limits`` takes ~10 s)."""
    r = single_qubit["q^A"]
    lim = qs.high_temperature(r.derived)
    res = qs.Result("q^A (high T)", "-", lim.leading, r.me, None, latex_name="q^A", limit=lim)
    monkeypatch.setattr(qp, "find_result", lambda name, result: res)
    out = tmp_path / "lim.png"
    rc, stdout, err = _run_cli(["fogedby-single-qubit", "q^A (high T)", "--limit", "--range", "1", "1e3",
                                "--points", "16", "--out", str(out)], capsys)
    assert rc == 0, err
    assert _png_size(out)[0] > 5000
    observed = float(stdout.split("slope observed ")[1].split(",")[0])
    assert observed == pytest.approx(_stated_exponent(lim), abs=0.05)  # correction O(tau^-2)
    rc, _, err = _run_cli(["fogedby-single-qubit", "q^A (high T)", "--limit", "--vs", "T_A", "--range", "1", "10",
                           "--out", str(out)], capsys)
    assert rc == 2 and "['tau']" in err


def test_cli_limit_needs_a_regime_result(tmp_path, capsys):
    rc, _, err = _run_cli(["fogedby-single-qubit", "q^A", "--limit", "--range", "1", "10",
                           "--out", str(tmp_path / "x.png")], capsys)
    assert rc == 2 and "has no limit" in err and "valid choices: []" in err


@pytest.mark.parametrize("argv, listed", [
    (["fogedby-single-qubt", "q^A", "--vs", "T_A"], "'fogedby-single-qubit'"),
    (["fogedby-single-qubit", "q^C", "--vs", "T_A"], "'q^B'"),
    (["fogedby-single-qubit", "q^A", "--vs", "T_C"], "'T_A', 'T_B', 'omega_0'"),
    (["fogedby-single-qubit", "q^A"], "'T_A', 'T_B', 'omega_0'"),
    (["fogedby-single-qubit", "q^A", "--vs", "T_A", "--set", "omega_0"], "SYMBOL=VALUE"),
])
def test_cli_unknown_choices_exit_2(argv, listed, tmp_path, capsys):
    out = tmp_path / "never.png"
    rc, _, err = _run_cli([*argv, "--range", "0.5", "2", "--out", str(out)], capsys)
    assert rc == 2
    assert listed in err
    assert not out.exists()
