# backpain-analysis: one entry point for people and CI.
#   make report    set up .venv if needed, run the notebook suite into reports/ (HTML)
#   make test      set up .venv if needed, run ruff and every test (notebooks with strict nbval)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup report test lint notebooks lab data bench clean

setup: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/backpain simulate --clients 300 --weeks 16 --seed 1 --out reports/simulated_sessions.csv
	$(BIN)/backpain fit reports/simulated_sessions.csv --out reports/model.json

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

notebooks: $(STAMP)
	$(BIN)/python -m backpain_analysis.report_suite --update-notebooks

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

data: $(STAMP)
	$(BIN)/python -m backpain_analysis._bundle

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf reports/ .pytest_cache
