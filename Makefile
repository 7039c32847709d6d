# Two commands do everything on a fresh machine: `make run` and `make test`.
# The virtualenv is built once; it is rebuilt when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The CPU build of torch; installed before sentence-transformers so pip never pulls a CUDA build.
TORCH  := torch==2.13.0

export HF_HUB_OFFLINE := 1

.PHONY: install run prompt demo test lint typecheck unit messages bench bench-quality bench-learning bench-speed bench-slack bench-scheduler bench-load bench-events clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(TORCH)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: migrate the database and start the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)
run: install
	$(BIN)/mentor-bot db upgrade
	$(BIN)/mentor-bot run

## prompt: try matching from the terminal over the example roster (separate SQLite file)
prompt: install
	DATABASE_URL=sqlite:///example_roster.db $(BIN)/mentor-bot db upgrade
	DATABASE_URL=sqlite:///example_roster.db $(BIN)/mentor-bot mentors import examples/mentors.csv
	DATABASE_URL=sqlite:///example_roster.db $(BIN)/mentor-bot prompt

## demo: the whole Slack flow against the local Slack stand-in, as a transcript
demo: install
	$(BIN)/python -m tests.demo

## test: lint, type-check, then the whole test suite
test: install lint typecheck unit

lint: install
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/python -m pytest

bench: bench-quality bench-learning bench-speed bench-slack bench-scheduler bench-events

bench-quality: install
	$(BIN)/python -m bench.match_quality

bench-learning: install
	$(BIN)/python -m bench.learning

bench-speed: install
	$(BIN)/python -m bench.match_speed

bench-scheduler: install
	$(BIN)/python -m bench.scheduler_load

bench-slack: install
	$(BIN)/python -m bench.slack_latency

## bench-events: speed-mentoring plans against greedy and random rotation, and planning time
bench-events: install
	$(BIN)/python -m bench.event_planning

## bench-load: 300 simulated Slack users for 3 minutes against one instance (see bench/load.py)
bench-load: install
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

## messages: re-extract bot/locale/messages.pot from the code and merge it into every .po
messages: install
	$(BIN)/pybabel extract --project=mentor-bot --no-wrap --sort-by-file -o bot/locale/messages.pot bot
	$(BIN)/pybabel update --no-wrap --ignore-obsolete -i bot/locale/messages.pot -d bot/locale
