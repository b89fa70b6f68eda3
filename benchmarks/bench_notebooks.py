"""Notebook cold run vs cached re-run (issue 7).

Each notebook is executed headlessly (nbclient) twice against one fresh cache directory:
first cold (every derivation derived, every record verified), then again with the disk
cache of ``qsym.derive`` / ``qsym.cache.memoize`` warm.  Both runs start a fresh kernel, so
the re-run still pays the kernel start and the imports.

    python benchmarks/bench_notebooks.py [NAME ...]     # default: every notebook

Prints ``name: value unit`` lines.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=1200, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return time.perf_counter() - t0


def main(names) -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    paths = [NOTEBOOKS / f"{n}.ipynb" for n in names] if names else sorted(NOTEBOOKS.glob("*.ipynb"))
    total_cold = total_warm = 0.0
    with tempfile.TemporaryDirectory(prefix="qsym-bench-cache-") as d:
        os.environ["QSYM_CACHE_DIR"] = d
        os.environ.pop("QSYM_CACHE", None)
        for p in paths:
            cold = run(p)
            warm = run(p)
            total_cold += cold
            total_warm += warm
            print(f"notebook_cold_{p.stem}: {cold:.2f} s")
            print(f"notebook_cached_{p.stem}: {warm:.2f} s")
            print(f"notebook_speedup_{p.stem}: {cold / warm:.2f} x", flush=True)
    print(f"notebooks_cold_total: {total_cold:.2f} s")
    print(f"notebooks_cached_total: {total_warm:.2f} s")
    print(f"notebooks_speedup_total: {total_cold / total_warm:.2f} x")


if __name__ == "__main__":
    main(sys.argv[1:])
