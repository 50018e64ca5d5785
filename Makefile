# make demo: the main example end to end.  make test: ruff, pyright and the test suite.
# Both create .venv on a fresh machine with only Python, and install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev,examples,track,wandb,bench]" "torch==2.13.0"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/sklearn/train.py +experiment=rf

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks migration
	$(BIN)/ruff format --check src

typecheck: $(STAMP)
	$(BIN)/pyright src examples

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV)
