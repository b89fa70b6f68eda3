"""Every notebook in notebooks/ executes headlessly (nbclient, a fresh python3 kernel) without an
error, and its fresh outputs contain rendered LaTeX and at least one inline PNG figure; every
derivation in the registry has its notebook, which imports that derivation's module.

One test class per notebook (generated below): pytest-xdist's ``--dist loadscope`` keeps the tests
of one class on one worker, so the notebooks spread over both workers while each is executed
only once (class-scoped fixture)."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
# one BLAS/OpenMP thread in the kernel: two notebooks run at once on 2 cores
# (and the inline backend even if MPLBACKEND is set outside: with Agg there would be no PNG output)
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
MATH = re.compile(r"\$\$?[^$]*\S[^$]*\$\$?")  # $...$ or $$...$$ with some content


def notebook_name(derivation: str) -> str:
    """The notebook of a derivation: its CLI name with '-' -> '_'."""
    return derivation.replace("-", "_") + ".ipynb"


def execute(path: Path):
    """Execute a copy of the notebook at ``path``; returns ``(notebook, error or None, seconds)``."""
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    try:
        client.execute(env={**os.environ, **KERNEL_ENV})
        error = None
    except nbclient.exceptions.CellExecutionError as exc:
        error = exc
    return nb, error, time.perf_counter() - t0


def outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def has_rendered_latex(outs) -> bool:
    for o in outs:
        data = o.get("data", {})
        if data.get("text/latex", "").strip():
            return True
        if any(MATH.search(data.get(mime, "")) for mime in ("text/markdown", "text/html")):
            return True
    return False


def has_png(outs) -> bool:
    return any(o.get("data", {}).get("image/png") for o in outs)


class _ExecutedNotebook:
    """Base of the generated ``TestNotebook_<stem>`` classes; ``path`` is set per class."""

    path: Path

    @pytest.fixture(scope="class")
    @classmethod
    def run(cls):
        nb, error, seconds = execute(cls.path)
        print(f"{cls.path.name}: executed in {seconds:.1f} s")
        return nb, error

    def test_executes_without_error(self, run):
        nb, error = run
        assert error is None, f"{self.path.name} raised:\n{error}"
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(c.get("execution_count") is not None for c in code)
        assert not [o for o in outputs(nb) if o.get("output_type") == "error"]

    def test_renders_latex(self, run):
        nb, _ = run
        assert has_rendered_latex(outputs(nb)), f"{self.path.name}: no rendered LaTeX among the outputs"

    def test_has_figure(self, run):
        nb, _ = run
        assert has_png(outputs(nb)), f"{self.path.name}: no image/png among the outputs"


for _path in NOTEBOOKS:
    _cls = f"TestNotebook_{_path.stem}"
    globals()[_cls] = type(_cls, (_ExecutedNotebook,), {"path": _path, "__doc__": f"notebooks/{_path.name}"})


def test_notebooks_found():
    assert len(NOTEBOOKS) >= 9
    assert [n for n in globals() if n.startswith("TestNotebook_")], "no notebook test classes generated"


def test_every_derivation_has_its_notebook():
    from derivations import registry

    names = registry()
    assert len(names) >= 9
    present = {p.name for p in NOTEBOOKS}
    missing = sorted(notebook_name(n) for n in names if notebook_name(n) not in present)
    assert not missing, f"derivations without a notebook: {missing}"
    for name, module in names.items():
        nb = nbformat.read(NOTEBOOK_DIR / notebook_name(name), as_version=4)
        source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        short = module.__name__.rsplit(".", 1)[1]
        imports = (rf"from\s+derivations\s+import\s+[^\n]*\b{short}\b|from\s+derivations\.{short}\s+import\b"
                   rf"|import\s+derivations\.{short}\b")
        assert re.search(imports, source), f"{notebook_name(name)} does not import {module.__name__}"


def test_helpers_detect_missing_outputs():
    latex = {"output_type": "display_data", "data": {"text/latex": "$x^2$", "text/plain": "x**2"}}
    html = {"output_type": "display_data", "data": {"text/html": "<td>$q^A$</td>"}}
    plain = {"output_type": "execute_result", "data": {"text/plain": "$5 and $6"}}
    png = {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo="}}
    assert has_rendered_latex([latex]) and has_rendered_latex([html])
    assert not has_rendered_latex([plain, png, {"output_type": "stream", "text": "$x$"}])
    assert has_png([plain, png]) and not has_png([latex, html])
    assert notebook_name("fogedby-single-qubit") == "fogedby_single_qubit.ipynb"
