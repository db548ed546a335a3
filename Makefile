# backpain-analysis: one entry point for people and CI.
#   make report    set up .venv if needed, run the notebook suite into reports/ (HTML)
#   make test      set up .venv if needed, run ruff and every test (notebooks with strict nbval)
#   make runtime-check  install only the runtime dependencies into a fresh venv and run `backpain check`
# The notebook tooling (make report, make notebooks) is the repository's own package suite/ (python -m suite),
# which `pip install backpain-analysis` does not ship; .venv holds the whole dev lock, notebook tooling included.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup report test lint notebooks lab data docs bench runtime-check clean

setup: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/python -m suite

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

notebooks: $(STAMP)
	$(BIN)/python -m suite --update-notebooks

# The venv's own jupyter: its kernelspec "python3" (in .venv/share/jupyter, preferred inside a venv)
# runs the venv's Python, so the notebooks see the project's environment.
lab: $(STAMP)
	JUPYTER_PREFER_ENV_PATH=1 $(BIN)/jupyter lab --notebook-dir=notebooks

data: $(STAMP)
	$(BIN)/python -m backpain_analysis._bundle

# docs/evidence.md from the registries (factors, red-flag rules, sources); a test fails when it is stale
docs: $(STAMP)
	$(BIN)/python -m backpain_analysis.evidence_doc

bench: $(STAMP)
	$(BIN)/python -m benchmarks --repeat 3

# What a trainer's `pip install backpain-analysis` gets: a fresh venv in a temporary folder, the package
# installed (not editable) from a copy of its files with only its runtime dependencies, pinned by the lock.
# Fails if any notebook tooling is importable there, or if `backpain check` fails on the bundled example.
NOTEBOOK_TOOLING := jupyterlab papermill nbconvert nbclient nbformat ipykernel IPython ipywidgets
runtime-check:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "runtime-check: fresh venv in $$tmp"; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	mkdir "$$tmp/src"; cp -R pyproject.toml README.md backpain_analysis "$$tmp/src/"; \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip; \
	"$$tmp/venv/bin/python" -m pip install --quiet -c requirements/lock.txt "$$tmp/src"; \
	cd "$$tmp" && env -u PYTHONPATH "$$tmp/venv/bin/python" -c "import importlib.util, sys; \
	import backpain_analysis as b; assert b.__file__.startswith(sys.prefix), b.__file__; \
	found = [m for m in sys.argv[1:] if importlib.util.find_spec(m)]; \
	sys.exit(f'runtime-check: notebook tooling installed with the runtime dependencies: {found}' if found else 0)" \
	$(NOTEBOOK_TOOLING); \
	cd "$(CURDIR)" && env -u PYTHONPATH "$$tmp/venv/bin/backpain" check data/raw/example_clients.csv \
	--out "$$tmp/out" --no-progress; \
	test -s "$$tmp/out/report.html" || { echo "runtime-check: no report.html in $$tmp/out" >&2; exit 1; }; \
	echo "runtime-check: ok (runtime dependencies only; no $(NOTEBOOK_TOOLING))"

clean:
	rm -rf reports/ .pytest_cache
