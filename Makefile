# xborder: `make demo` runs the Central America scenario, `make test` runs the tests.
# Both create .venv (Python >= 3.12, selected by .python-version through pyenv) if missing.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

PYTHON312 := $(shell \
  v=$$(cat .python-version 2>/dev/null); r=$$(pyenv root 2>/dev/null); \
  if [ -n "$$r" ] && [ -x "$$r/versions/$$v/bin/python" ]; then echo "$$r/versions/$$v/bin/python"; exit; fi; \
  for p in python3.12 python3.13 python3; do \
    $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; exit; }; done; \
  echo python3)

.PHONY: demo test test-all bench bench-dashboard lint baseline clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON312) -c 'import sys; assert sys.version_info >= (3, 12), f"xborder needs Python >= 3.12, found {sys.version.split()[0]} ($(PYTHON312))"'
	@test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip 2>/dev/null || true
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/xborder run scenarios/central_america_cocaine.toml -r 8 --seed 1

test: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest -q

test-all: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest -q -m ''

bench: $(STAMP)
	$(PY) benchmarks/bench_tick.py
	$(PY) benchmarks/bench_harness.py

# ~25 minutes: 1, 5, 10 and 20 participants in Chromium against a real dashboard server
bench-dashboard: $(STAMP)
	$(PY) benchmarks/bench_dashboard.py

lint: $(STAMP)
	$(VENV)/bin/ruff check sim tests benchmarks plots
	$(VENV)/bin/ruff format --check sim tests benchmarks plots

baseline: $(STAMP)
	$(PY) tests/baseline.py --update

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
