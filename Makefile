# newsstream — every command a user, a test fixture or CI needs. Python 3.11+, Java 17+ and Maven
# for the local Kafka broker; PostgreSQL comes from Debian's packages (make postgres, as root).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: test-deps help install kafka kafka-stop postgres postgres-stop services services-stop demo report test \
        test-unit test-integration lint bench train clean

help:
	@echo "make demo         set up, start Kafka, run the pipeline on seeds/ and print what came out"
	@echo "make test         set up, start Kafka and PostgreSQL, run every test"
	@echo "make test-unit    the tests that need no broker or database"
	@echo "make kafka | kafka-stop | postgres | postgres-stop | services | services-stop"
	@echo "make lint         ruff, mypy and the import contract (lint-imports)"
	@echo "make bench        benchmarks under bench/ (prints figures and ratios)"
	@echo "make train        rebuild the event classifier from training/ (minutes; writes streams/enrich/data/)"

$(BIN)/newsstream: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

install: $(BIN)/newsstream

kafka:
	deploy/kafka/kafka.sh start

kafka-stop:
	deploy/kafka/kafka.sh stop

postgres:
	deploy/postgres/pg.sh start

postgres-stop:
	deploy/postgres/pg.sh stop

services: kafka postgres

services-stop: kafka-stop postgres-stop

# The main job: the whole pipeline on seeds/ with the embedded defaults (local Kafka, SQLite).
demo: install kafka
	$(BIN)/newsstream demo seeds

report: install
	$(BIN)/newsstream report

# Installs what the tests need when missing (PostgreSQL, Alertmanager, promtool, Maven: apt, as root),
# then starts Kafka and PostgreSQL: on a fresh Debian machine this one command is enough.
test-deps:
	deploy/install-test-deps.sh

test: test-deps install services
	$(BIN)/pytest $(PYTEST_ARGS)

test-unit: install
	$(BIN)/pytest -m "not integration" $(PYTEST_ARGS)

test-integration: test-deps install services
	$(BIN)/pytest -m integration $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check streams tests bench
	$(BIN)/ruff format --check streams tests bench
	$(BIN)/mypy streams
	$(BIN)/lint-imports

bench: install kafka
	$(BIN)/python bench/run_all.py

# the event classifier, rebuilt from the committed data (training/README.md); CI loads the committed file
train: install
	$(BIN)/newsstream train --data training --report training/last-report.json

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
