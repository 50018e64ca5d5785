# make demo:        the sklearn example end to end (installs core + the `sklearn` extra only).
# make test:        ruff, pyright and the test suite (adds dev (with hydra-zen), examples, track, wandb, torch,
#                   migrate-jsonargparse).
# make bench:       every benchmark table (adds the `bench` extra: the libraries measured against).
# make conformance: Hydra's own test suite against lazycfg (tests/conformance).
# make corpora:     the real-world corpora in ../shared/corpora (CORPORA=path); fails if absent.
# Each target creates .venv on a fresh machine with only Python and installs what it needs,
# once: a stamp file per set of extras, so targets add to one .venv incrementally.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORPORA ?= ../shared/corpora
TORCH := torch==2.13.0

CREATED := $(VENV)/.created
DEMO := $(VENV)/.installed-demo
TEST := $(VENV)/.installed-test
BENCH := $(VENV)/.installed-bench

.PHONY: demo test lint typecheck unit bench conformance corpora clean

$(CREATED):
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	touch $@

$(DEMO): pyproject.toml $(CREATED)
	$(BIN)/pip install -q -e ".[sklearn]"
	touch $@

$(TEST): pyproject.toml $(DEMO)
	$(BIN)/pip install -q -e ".[sklearn,dev,examples,track,wandb,torch,migrate-jsonargparse]" "$(TORCH)"
	touch $@

$(BENCH): pyproject.toml $(DEMO)
	$(BIN)/pip install -q -e ".[sklearn,bench]"
	touch $@

demo: $(DEMO)
	$(BIN)/python examples/sklearn/train.py +experiment=rf

lint: $(TEST)
	$(BIN)/ruff check src tests examples benchmarks migration
	$(BIN)/ruff format --check src

typecheck: $(TEST)
	$(BIN)/pyright src examples

unit: $(TEST)
	$(BIN)/python -m pytest -n 2 -q

test: lint typecheck unit

bench: $(BENCH)
	$(BIN)/python benchmarks/run.py

conformance: $(TEST)
	$(BIN)/python tests/conformance/run_hydra_suite.py

corpora: $(TEST)
	@test -d "$(CORPORA)" || { echo "make corpora: no corpora at $(CORPORA); put them there or pass CORPORA=path" >&2; exit 1; }
	LAZYCFG_CORPORA="$(abspath $(CORPORA))" $(BIN)/python -m pytest -q tests/corpora

clean:
	rm -rf $(VENV)
