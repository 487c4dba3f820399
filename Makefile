# The two commands of the README: `make demo` and `make test`. Both set up everything they need.
VENV ?= .venv
PYTHON := $(VENV)/bin/python

.PHONY: demo test setup lint format screenshots console-screenshots bench

demo: setup
	$(PYTHON) scripts/demo.py

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -n 2

setup:
	bash scripts/setup.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

screenshots: setup
	$(PYTHON) -m kiosk.demo --tour docs/screenshots

console-screenshots: setup
	$(PYTHON) scripts/console_tour.py --out docs/screenshots/console

bench: setup
	$(PYTHON) bench/run_all.py
