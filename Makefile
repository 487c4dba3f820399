# The two commands of the README: `make demo` and `make test`. Both set up everything they need.
# The development tools (demo, screenshots) are the package hymy_dev, which is never installed:
# `python -m` finds it here, in the repository root, where make runs.
VENV ?= .venv
PYTHON := $(VENV)/bin/python

.PHONY: demo test setup lint format screenshots console-screenshots bench

demo: setup
	$(PYTHON) -m hymy_dev.demo

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -n 2 --dist worksteal --durations=15

setup:
	bash scripts/setup.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

screenshots: setup
	$(PYTHON) -m hymy_dev.kiosk_demo --tour docs/screenshots

console-screenshots: setup
	$(PYTHON) -m hymy_dev.console_tour --out docs/screenshots/console

bench: setup
	$(PYTHON) bench/run_all.py
