# The two set-up commands (see README):
#   make demo   install everything, build the course, grade example submissions, print the table
#   make test   install everything, run the whole test suite (offline)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export NNCOURSE_OFFLINE := 1

.PHONY: setup demo test build check mutants clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

demo: setup
	$(PY) -m autograder demo

test: setup
	$(PY) -m pytest -q tests --nbval-lax source

build: setup
	$(PY) -m autograder build

check: setup
	$(PY) -m autograder check

mutants: setup
	$(PY) -m autograder mutants

clean:
	rm -rf $(VENV) build
