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

test: $(BIN)/qsym
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadscope

bench: $(BIN)/qsym
	$(BIN)/pip install -q -e ".[bench]"
	$(BIN)/python benchmarks/bench_coupled_qubits.py
