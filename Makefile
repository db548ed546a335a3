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
	$(BIN)/python -m backpain_analysis.report_suite

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

notebooks: $(STAMP)
	$(BIN)/python -m backpain_analysis.report_suite --update-notebooks

# The venv's own jupyter: its kernelspec "python3" (in .venv/share/jupyter, preferred inside a venv)
# runs the venv's Python, so the notebooks see the project's environment.
lab: $(STAMP)
	JUPYTER_PREFER_ENV_PATH=1 $(BIN)/jupyter lab --notebook-dir=notebooks

data: $(STAMP)
	$(BIN)/python -m backpain_analysis._bundle

bench: $(STAMP)
	$(BIN)/python -m benchmarks --repeat 3

clean:
	rm -rf reports/ .pytest_cache
