# vagal-coach: the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
# the suite runs in parallel (pytest-xdist); the tests of one group (a module's shared recording) stay together
TEST_WORKERS ?= 3
PYTEST := QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadgroup

.PHONY: run test test-long bench samples screenshot clean constraints

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PIP) install -c constraints.txt -e '.[gui,live]'
	touch $@

$(VENV)/.test-installed: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PIP) install -c constraints.txt -e '.[gui,live,test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(VENV)/bin/vagal-coach $(ARGS)

screenshot: $(VENV)/.test-installed
	xvfb-run -a -s "-screen 0 1366x768x24" $(PY) scripts/screenshot.py

test: $(VENV)/.test-installed
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/mypy src
	$(PYTEST) -m "not long" --durations=15 $(PYTEST_ARGS)

# real-time end-to-end runs (a 2 min absence, 2 min of H10 streams through BlueZoo): minutes of wall time,
# what make test runs on time-scaled straps
test-long: $(VENV)/.test-installed
	$(PYTEST) -m long $(PYTEST_ARGS)

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

# the pinned versions the installs above use: the latest releases in a fresh venv, frozen (then run make test)
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip --disable-pip-version-check -q install -e '.[gui,live,test,dev]'
	{ sed -n '1,3p' constraints.txt; .venv-constraints/bin/python -m pip freeze --exclude-editable \
	  | grep -vi '^vagal[-_]coach'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .venv-constraints

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
