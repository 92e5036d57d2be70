# Two commands do everything on a fresh machine (only python3 with venv assumed):
#   make run    set up .venv and start moot on http://127.0.0.1:8000 with a SQLite file
#   make test   set up .venv (with test tools) and run lint, types and the whole test suite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
NODE_DIR := tests/conformance/node
NODE_STAMP := $(NODE_DIR)/node_modules/.installed

.PHONY: run test lint typecheck pytest bench fidelity clean node-deps fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

run: $(STAMP)
	$(BIN)/moot serve

# @zoom/rivet for the conformance suite; skipped (and reported) where npm is missing.
$(NODE_STAMP): $(NODE_DIR)/package.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(NODE_DIR) && npm install --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm not found: @zoom/rivet conformance tests will be skipped"; fi

node-deps: $(NODE_STAMP)

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(DEV_STAMP)
	$(BIN)/mypy src scripts

pytest: $(DEV_STAMP) node-deps
	$(BIN)/pytest

test: lint typecheck pytest

# Long, random contract fuzzing (make test runs a bounded, reproducible one): schemathesis on every
# implemented operation, then chained by links. Scale with MOOT_FUZZ_EXAMPLES, _SCENARIOS, _STEPS.
fuzz: $(DEV_STAMP)
	MOOT_FUZZ_EXAMPLES=$${MOOT_FUZZ_EXAMPLES:-500} MOOT_FUZZ_SCENARIOS=$${MOOT_FUZZ_SCENARIOS:-1000} \
		MOOT_FUZZ_STEPS=$${MOOT_FUZZ_STEPS:-20} $(BIN)/pytest tests/fuzz

bench: $(DEV_STAMP)
	$(BIN)/python -m benchmarks.run

# docs/compatibility.md's table of Zoom's operations, and the server's table of those moot lacks.
fidelity: $(STAMP)
	$(BIN)/python -m scripts.fidelity

clean:
	rm -rf $(VENV) $(NODE_DIR)/node_modules .mypy_cache .ruff_cache .pytest_cache
