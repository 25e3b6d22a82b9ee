# The two set-up commands (see README):
#   make demo   install everything, build the course, grade example submissions, print the table
#   make test   install everything, run the whole test suite (offline)
#   make test-fast   the tier for a development loop: no nbgrader runs, no browser (under 2 minutes)
#   PYTEST_ARGS="..." passes options to pytest, e.g. make test PYTEST_ARGS="--durations=30"
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export NNCOURSE_OFFLINE := 1

.PHONY: setup demo test test-fast build check mutants publish clean

# Bytecode for the course's own packages: kernels (and this environment, where
# PYTHONDONTWRITEBYTECODE may be set) would otherwise compile them at every start, about 0.1 s
# of each submission. compileall skips what is up to date.
setup: $(VENV)/.installed
	@$(PY) -m compileall -q autograder helpers

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

demo: setup
	$(PY) -m autograder demo

# Every reference notebook is executed once per environment: in the Colab-like one by
# tests/test_colab.py, as the grader runs it by the mutant catalogue's fork engine
# (tests/test_mutants.py, which also grades stage 01 through nbgrader to compare the engines).
# Test files run side by side on two processes (pytest-xdist; a file's tests stay together, so
# its module fixtures are made once): most of the suite waits on single-threaded starts.
test: setup
	$(PY) -m pytest -q -n 2 --dist loadfile tests $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -q -m "not slow" tests $(PYTEST_ARGS)

build: setup
	$(PY) -m autograder build

check: setup
	$(PY) -m autograder check

mutants: setup
	$(PY) -m autograder mutants

clean:
	rm -rf $(VENV) build
