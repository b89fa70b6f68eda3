# Two entry points for a fresh machine (Python 3.11 + pip): `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/qsym: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(BIN)/qsym

.PHONY: demo test bench
demo: $(BIN)/qsym
	$(BIN)/qsym verify --all --json verify-report.json

# one BLAS thread per xdist worker: small matrices with 2 workers x 2 threads oversubscribe 2 cores
# (measured: a 65-mode test took 279 s instead of 9 s); symbolic proofs of matches get 5 s each in the
# suite (the classification is numeric either way; `make demo` has no limit)
test: $(BIN)/qsym
	QSYM_PROOF_BUDGET=5 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadscope

bench: $(BIN)/qsym
	$(BIN)/pip install -q -e ".[bench]"
	$(BIN)/python benchmarks/bench_coupled_qubits.py
