# Set-up is two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# extras installed beside the base; CI adds the integrations' (.ci/run)
EXTRAS ?= dev
comma := ,
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; run 'make PYTHON=python3 ...'"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[$(EXTRAS)]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/rnnkit forecast airline --out runs/airline

lint: $(STAMP)
	$(BIN)/ruff check rnnkit tests bench $(wildcard examples)

# two workers (pytest-xdist), one torch thread each (tests/conftest.py): the suite's wall time
# on two cores is about 60% of one process's; TEST_WORKERS=0 runs it in one process
TEST_WORKERS ?= 2

test: $(STAMP) lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/windows.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/backtest_speed.py
	$(BIN)/python bench/panel_prediction.py
	$(BIN)/python bench/sequence_training.py
	$(BIN)/python bench/sequence_speed.py
	$(BIN)/python bench/run.py
	$(BIN)/python bench/sequence_lengths.py
	$(BIN)/python bench/sequence_accuracy.py
	$(BIN)/python bench/forecast_accuracy.py
	$(BIN)/python bench/forecast_accuracy.py --airline
	$(BIN)/python bench/fuzz_models.py
	$(BIN)/python bench/kill_saves.py
	$(BIN)/python bench/tune_airline.py
	$(BIN)/python bench/bundled_data.py

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
