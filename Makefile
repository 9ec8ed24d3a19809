# Aller-vers — the two commands: `make run` and `make test`.
PYTHON_BOOT ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Loopback by default: with no password set the dashboard runs in single-user mode.
ADDRESS ?= localhost

.PHONY: run test lint format bench system-deps deps dev-deps clean

$(PY):
	$(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Stamp files re-run pip only when the requirement files change.
$(VENV)/.deps-run: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.deps-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.deps-run

deps: $(VENV)/.deps-run
dev-deps: $(VENV)/.deps-dev

system-deps:
	bash scripts/install-system-deps.sh

run: deps
	$(PY) -m streamlit run serve.py --server.port $(PORT) --server.address $(ADDRESS)

test: system-deps dev-deps
	$(PY) -m ruff check planner app_pages ui app.py serve.py tests bench
	$(PY) -m pytest

lint: dev-deps
	$(PY) -m ruff check planner app_pages ui app.py serve.py tests bench
	$(PY) -m ruff format --check planner app_pages ui app.py serve.py tests bench

format: dev-deps
	$(PY) -m ruff format planner app_pages ui app.py serve.py tests bench
	$(PY) -m ruff check --fix planner app_pages ui app.py serve.py tests bench

bench: deps
	$(PY) bench/territory.py
	$(PY) bench/season.py
	$(PY) bench/aller_vers.py
	$(PY) bench/dashboard.py
	$(PY) bench/imports.py
	$(PY) bench/replan.py
	$(PY) bench/tours.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts
