"""Every notebook in notebooks/ is stored executed: each code cell ran, none raised, and the stored
outputs hold rendered LaTeX and a figure (re-executing them is tests/test_notebooks.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
MATH = re.compile(r"\$\$?[^$]*\S[^$]*\$\$?")


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 9


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_stored_executed(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a notebook without code"
    assert all(c.get("execution_count") is not None for c in code), "stored unexecuted"
    outputs = [o for c in code for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, errors[0].get("ename")
    text = lambda o, mime: "".join(o.get("data", {}).get(mime, ""))  # noqa: E731  (stored as a list of lines)
    assert any(text(o, "text/latex").strip() or MATH.search(text(o, "text/markdown") + text(o, "text/html"))
               for o in outputs), "no rendered LaTeX among the stored outputs"
    assert any(o.get("data", {}).get("image/png") for o in outputs), "no figure among the stored outputs"
