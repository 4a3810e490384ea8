# The two set-up commands: `make demo` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/syncro-xero: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

.PHONY: demo test bench
demo: $(BIN)/syncro-xero
	$(BIN)/syncro-xero demo

test: $(BIN)/syncro-xero
	$(BIN)/pytest -q

bench: $(BIN)/syncro-xero
	$(BIN)/python -m bench
