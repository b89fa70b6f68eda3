"""LaTeX quality: snapshots of representative results, line breaking, and pdflatex overflow.

Every snapshot is generated from qsym's machinery at test time (build the model, derive,
print) and compared exactly with ``tests/snapshots/<name>.tex``.  After an intended change of
the printed form, rewrite the snapshots with ``QSYM_UPDATE_SNAPSHOTS=1 pytest
tests/test_latex_snapshots.py`` and review the diff.

The long equations are the longest results (by LaTeX length) of three derivations, derived
directly (their ``results()`` lists take minutes): ``rho (product form)`` of
fogedby-coupled-qubits, ``sigma`` of fogedby-single-qubit and ``Tr[dK_1/dt rho_1]`` of
colla-reservoirs; plus the full heat current ``q^A`` (eq. 3.50) of the coupled qubits.
"""
from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

import qsym as qs
from qsym.baths import _Occupation
from qsym.latex import display_equation, display_lines, latex, latex_width

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("QSYM_UPDATE_SNAPSHOTS") == "1"
WIDTH = 80
MAX_OVERFULL_PT = 20.0
ROOT = Path(__file__).resolve().parents[1]


# ---- derived results ---------------------------------------------------------------------------
@lru_cache(maxsize=None)
def coupled():
    from derivations import fogedby_coupled_qubits as cq
    return cq


def rate_matrix_A():
    return coupled().master_equation().rate_matrix("A")


def rate_entry_atoms():
    """The occupation ``n_A(omega_+)`` and spectral function ``g_A(omega_+)`` as the derived
    rate ``K^A_{31}`` (the transition 1 -> 3 driven by bath A) contains them."""
    entry = rate_matrix_A()[2, 0]
    occ = sorted(entry.atoms(_Occupation), key=str)
    spec = sorted((a for a in entry.atoms(AppliedUndef) if not isinstance(a, _Occupation)), key=str)
    return entry, occ, spec


def full_heat_current():
    cq = coupled()
    me = cq.master_equation()
    return me.heat_current("A", cq.steady_state())


def single_qubit_sigma():
    from derivations import fogedby_single_qubit as sq
    res = next(r for r in sq.results() if r.name == "sigma")
    return res.latex_name or r"\sigma", res.derived


def colla_power():
    from derivations import colla_reservoirs as cr
    return r"\mathrm{Tr}\left[\dot K_1 \rho_1\right]", cr.model().minimal_dissipation("1").power()


LONG = {
    "fogedby-coupled-qubits: rho (product form)": lambda: (r"\rho", coupled().product_state_matrix()),
    "fogedby-coupled-qubits: q^A (eq. 3.50)": lambda: ("q^A", full_heat_current()),
    "fogedby-single-qubit: sigma": single_qubit_sigma,
    "colla-reservoirs: Tr[dK_1/dt rho_1]": colla_power,
}


@lru_cache(maxsize=None)
def long_result(key):
    return LONG[key]()


# ---- snapshots -----------------------------------------------------------------------------------
def snap_operator():
    """The coupled-qubit Hamiltonian, built from qubit operators, as a matrix."""
    return display_equation("H_S", coupled().model().H, label="eq:H")


def snap_occupation_and_spectral_function():
    """``n_A(omega_+)`` and ``g_A(omega_+)`` found in a derived rate, and the rate itself."""
    entry, occ, spec = rate_entry_atoms()
    lines = [f"occupation: ${latex(n)}$" for n in occ] + [f"spectral function: ${latex(g)}$" for g in spec]
    lines += [display_equation(f"{latex(n)}", qs.expand_occupations(n), numbered=False) for n in occ]
    return "\n".join(lines) + "\n" + display_equation("K^A_{31}", entry)


def snap_heat_current_flux_form():
    return display_equation("q^A_+", coupled().channel_current("A", "+"), label="eq:qA+")


def snap_mixing_angle():
    th, al, be = coupled().mixing()
    wp = coupled().frequency("+")
    return "".join(display_equation(latex(s), s.definition, numbered=False) for s in (th, al, be, wp))


def snap_limit_weak_coupling():
    cq = coupled()
    lim = qs.weak_coupling(cq.channel_current("A", "+"), cq.lam, order=0, assumptions=cq.model().assumptions)
    return f"% Limit._repr_latex_(): {lim._repr_latex_()}\n" + display_equation("q^A_+", lim)


def snap_limit_high_temperature():
    lim = qs.high_temperature(coupled().channel_current("A", "+"))
    return display_equation("q^A_+", lim)


def snap_rate_matrix():
    return display_equation("K^A", rate_matrix_A(), label="eq:KA")


def snap_heat_current_long():
    return display_equation("q^A", full_heat_current(), label="eq:qA")


SNAPSHOT_BUILDERS = {
    "operator_hamiltonian": snap_operator,
    "occupation_spectral_function": snap_occupation_and_spectral_function,
    "heat_current_flux_form": snap_heat_current_flux_form,
    "mixing_angle": snap_mixing_angle,
    "limit_weak_coupling": snap_limit_weak_coupling,
    "limit_high_temperature": snap_limit_high_temperature,
    "rate_matrix": snap_rate_matrix,
    "heat_current_long": snap_heat_current_long,
}


def check_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with the stored snapshot exactly (or rewrite it under QSYM_UPDATE_SNAPSHOTS=1)."""
    path = SNAPSHOTS / f"{name}.tex"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text)
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path}; create it with QSYM_UPDATE_SNAPSHOTS=1 pytest {Path(__file__).name}")
    stored = path.read_text()
    if stored != text:
        diff = "".join(difflib.unified_diff(stored.splitlines(True), text.splitlines(True),
                                            f"snapshots/{name}.tex (stored)", f"{name} (generated now)"))
        pytest.fail(f"the LaTeX of {name!r} differs from its snapshot:\n{diff}\n"
                    f"If the change is intended, rewrite the snapshots with QSYM_UPDATE_SNAPSHOTS=1 "
                    f"pytest {Path(__file__).name} and review the diff.")


def test_snapshot_mismatch_fails_with_diff_and_update_hint(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "SNAPSHOTS", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "UPDATE", False)
    (tmp_path / "x.tex").write_text("a\nb\n")
    check_snapshot("x", "a\nb\n")
    with pytest.raises(pytest.fail.Exception) as err:
        check_snapshot("x", "a\nc\n")
    assert "-b" in str(err.value) and "+c" in str(err.value) and "QSYM_UPDATE_SNAPSHOTS=1" in str(err.value)


@pytest.mark.parametrize("name", sorted(SNAPSHOT_BUILDERS))
def test_snapshot(name):
    check_snapshot(name, SNAPSHOT_BUILDERS[name]())


def test_snapshots_show_the_papers_notation():
    """The snapshots contain what they are meant to show (guards against an empty or
    degenerate snapshot being stored)."""
    occ = snap_occupation_and_spectral_function()
    assert r"n_{A}(\omega_{+})" in occ and r"g_{A}(\omega_{+})" in occ
    assert r"\mathcal{O}\left(\lambda^{2}\right)" in snap_limit_weak_coupling()
    assert r"\left(n_{A}(\omega_{+}) - n_{B}(\omega_{+})\right)" in snap_heat_current_flux_form()
    assert r"\theta = \operatorname{atan}_{2}" in snap_mixing_angle()
    assert r"\begin{pmatrix}" in snap_rate_matrix()
    assert r"\begin{multline}" in snap_heat_current_long()


# ---- structure ----------------------------------------------------------------------------------------
def environments_balanced(tex: str) -> bool:
    """Every ``\\begin{X}`` closed by ``\\end{X}`` in order; braces balanced."""
    stack = []
    for kind, env in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            stack.append(env)
        elif not stack or stack.pop() != env:
            return False
    return not stack and tex.count("{") - tex.count(r"\{") == tex.count("}") - tex.count(r"\}")


def delimiters_balanced(line: str) -> bool:
    r"""As many ``\left`` as ``\right`` on a line, never more ``\right`` than ``\left`` so far."""
    depth = 0
    for m in re.finditer(r"\\(left|right)(?![a-zA-Z])", line):
        depth += 1 if m.group(1) == "left" else -1
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("key", sorted(LONG))
def test_long_results_lines_within_width(key):
    lhs, expr = long_result(key)
    lines = display_lines(lhs, expr, WIDTH)
    widths = [latex_width(ln) for ln in lines]
    assert max(widths) <= WIDTH, f"{key}: lines wider than {WIDTH}: {[round(w, 1) for w in widths]}"
    for ln in lines:
        assert delimiters_balanced(ln), f"{key}: unbalanced \\left/\\right on line {ln!r}"


def test_long_results_are_really_broken():
    """The width test above is not vacuous: the longest results do not fit on one line."""
    broken = 0
    for key in LONG:
        lhs, expr = long_result(key)
        one_line = latex_width(f"{lhs} = {latex(expr)}")
        if one_line > WIDTH:
            assert len(display_lines(lhs, expr, WIDTH)) > 1, key
            broken += 1
    assert broken >= 2


@pytest.mark.parametrize("key", sorted(LONG))
def test_environments_balanced(key):
    lhs, expr = long_result(key)
    for numbered in (True, False):
        tex = display_equation(lhs, expr, numbered=numbered, label="eq:x" if numbered else None)
        assert environments_balanced(tex), tex
        for row in tex.split(r"\\"):
            assert delimiters_balanced(re.sub(r"\\(begin|end)\{[^}]*\}", "", row)), row
        assert (r"\label{eq:x}" in tex) == numbered
        assert re.search(r"\\begin\{(equation|multline|align)\*\}", tex) is not None or numbered


def test_short_expression_is_one_equation_equal_to_latex():
    cq = coupled()
    e = cq.frequency("+").definition
    assert display_lines(r"\omega_+", e) == [rf"\omega_+ = {latex(e)}"]
    tex = display_equation(r"\omega_+", e, numbered=False)
    assert tex == f"\\begin{{equation*}}\n\\omega_+ = {latex(e)}\n\\end{{equation*}}\n"


def test_breaks_at_top_level_terms_in_sympy_order():
    """A long sum breaks between its terms: joined back, the lines are the printer's one-line form."""
    x = sp.symbols("x_1:30", positive=True)
    e = sp.Add(*[x[i] * x[i + 1] ** 2 for i in range(28)])
    lines = display_lines("S", e, 40)
    assert len(lines) > 2 and all(latex_width(ln) <= 40 for ln in lines)
    assert all(ln.startswith("{}+ ") for ln in lines[1:])
    assert " ".join(ln.removeprefix("{}") for ln in lines) == f"S = {latex(e)}"


def test_matrix_names_the_wide_entries_and_defines_each_once():
    tex = display_equation("K^A", rate_matrix_A(), width=WIDTH)
    matrix_row = tex.split(r"\\" + "\n")[0]
    used = set(re.findall(r"K\^A_\{\d\d\}", matrix_row))
    defined = re.findall(r"^(K\^A_\{\d\d\}) &=", tex, flags=re.M)
    assert used and sorted(used) == sorted(defined) and len(defined) == len(set(defined))
    assert latex_width(display_lines("K^A", rate_matrix_A(), WIDTH)[0]) <= WIDTH


def test_width_heuristic():
    r"""``\frac`` counts its wider part, scripts 0.7, invisible delimiters nothing."""
    assert latex_width(r"\frac{abcdef}{x}") == pytest.approx(latex_width("abcdef") + 0.4)
    assert latex_width(r"x^{abc}") == pytest.approx(1 + 0.7 * 3)
    assert latex_width(r"x_{1}^{2}") == pytest.approx(1.7)
    assert latex_width(r"\left. a \right.") == latex_width("a")
    assert latex_width(r"\alpha + \beta") == pytest.approx(1 + 2.2 + 1)


def test_output_independent_of_hash_seed():
    """The same expression gives the same string in a process with another hash seed."""
    code = ("from tests.test_latex_snapshots import snap_heat_current_long as f, snap_rate_matrix as g; "
            "import sys; sys.stdout.write(f() + g())")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout == snap_heat_current_long() + snap_rate_matrix()


# ---- pdflatex: the real test of "no overflow" ----------------------------------------------------------
PREAMBLE = (r"\documentclass{article}" "\n" r"\usepackage[margin=2cm]{geometry}" "\n"
            r"\usepackage{amsmath}" "\n" r"\allowdisplaybreaks" "\n" r"\begin{document}" "\n")


def compile_and_measure(body: str, workdir: Path) -> list[float]:
    """Compile ``body`` in an article; the widths (pt) of its overfull hboxes."""
    (workdir / "doc.tex").write_text(PREAMBLE + body + "\n\\end{document}\n")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=workdir,
                         capture_output=True, text=True, timeout=120)
    log = (workdir / "doc.log").read_text(errors="replace")
    assert run.returncode == 0 and (workdir / "doc.pdf").exists(), log[-3000:]
    return [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def long_equations(broken: bool) -> str:
    parts = []
    for key in sorted(LONG):
        lhs, expr = long_result(key)
        if broken:
            parts.append(display_equation(lhs, expr, label=f"eq:{len(parts)}"))
        else:
            parts.append(f"\\begin{{equation}}\n{lhs} = {latex(expr)}\n\\end{{equation}}\n")
    parts += [SNAPSHOT_BUILDERS[n]() for n in sorted(SNAPSHOT_BUILDERS) if broken]
    return "\n".join(parts)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed: the overflow "
                    "check needs a TeX distribution (texlive-latex-base)")
def test_pdflatex_no_overfull_boxes(tmp_path):
    """The long equations, broken, compile without overfull boxes wider than 20pt; printed on
    one line (the check is not vacuous) they overflow."""
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    before = compile_and_measure(long_equations(broken=False), tmp_path / "before")
    after = compile_and_measure(long_equations(broken=True), tmp_path / "after")
    assert before and max(before) > 100, f"one-line forms should overflow: {before}"
    assert all(w <= MAX_OVERFULL_PT for w in after), f"overfull hboxes after breaking (pt): {after}"


def test_matrix_with_a_long_label_names_entries_by_a_short_letter():
    """A result label such as 'eqs. 4.30-4.31 [Redfield]' must not become every entry's name
    (the named-entry matrix then overflowed the page by up to 451pt)."""
    import sympy as sp
    from qsym.latex import display_equation, latex_width
    a, b, M = sp.symbols("alpha beta M")
    m = sp.Matrix(6, 6, lambda i, j: (a + b * i + M * j) ** 3 if (i + j) % 2 else 0)
    lhs = r"\left(eqs. 4.30-4.31 [Redfield]\right)"
    tex = display_equation(lhs, m, numbered=False)
    rows = tex.split("\\\\\n")
    assert rows[0].split("\n")[1].startswith("&" + lhs)          # the label starts in the right column
    names = [r.split("&")[0].strip() for r in rows[1:] if not r.lstrip().startswith("&")]
    assert names and all(n.startswith("K_{") for n in names)        # M is a symbol of the matrix: next letter
    assert all(latex_width(r) <= 80 for r in rows[1:])


def test_multi_word_symbol_prints_each_word_and_parenthesises_powers():
    import sympy as sp
    import qsym as qs
    d = sp.Symbol("Delta omega", positive=True)
    assert qs.latex(d) == r"\Delta\omega"
    assert qs.latex(d**2) == r"\left(\Delta\omega\right)^{2}"
