# vagal-coach: the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test bench samples screenshot clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e '.[gui,live]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e '.[gui,live,test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(VENV)/bin/vagal-coach $(ARGS)

screenshot: $(VENV)/.test-installed
	xvfb-run -a -s "-screen 0 1366x768x24" $(PY) scripts/screenshot.py

test: $(VENV)/.test-installed
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check src tests benchmarks scripts
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(VENV)/.test-installed
	$(PY) benchmarks/bench_core.py
	$(PY) benchmarks/fuzz_hrm.py
	$(PY) benchmarks/bench_analyze.py
	$(PY) benchmarks/bench_replay.py
	$(PY) benchmarks/bench_raw.py
	xvfb-run -a -s "-screen 0 1366x768x24" $(PY) benchmarks/bench_gui.py
	$(PY) benchmarks/artifact_sweep.py
	$(PY) benchmarks/compare_methods.py
	$(PY) benchmarks/ble_reconnect.py --runs 20
	$(PY) benchmarks/bench_cohort.py

samples: $(VENV)/.run-installed
	$(PY) scripts/make_sample_recordings.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
