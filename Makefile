# newsbrief: `make run` installs into .venv, ingests the bundled sample articles and briefs
# every story (`make serve` then serves them); `make test` installs with the dev, bench and web
# extras, installs Debian's chromium for the browser tests when it is missing, and runs ruff,
# mypy and pytest.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= $(VENV)/sample.db
SAMPLES := src/newsbrief/data/samples
# The browser the browser tests drive (Playwright with executable_path): Debian's package, never
# a `playwright install` download. apt-get runs through sudo unless make runs as root.
CHROMIUM := /usr/bin/chromium
APT = $(strip $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get)

.PHONY: run serve test install lint browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench,web]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/newsbrief --db $(DB) ingest $(SAMPLES)
	$(BIN)/newsbrief --db $(DB) brief --all

# the web app over the store `make run` filled: http://127.0.0.1:8000/
serve: $(STAMP)
	$(BIN)/newsbrief --db $(DB) serve

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/newsbrief

# apt-get update only when the install fails (the package lists may be missing or stale)
browser:
	test -x $(CHROMIUM) || $(APT) install -y --no-install-recommends chromium \
		|| { $(APT) update && $(APT) install -y --no-install-recommends chromium; }

test: lint browser
	$(BIN)/pytest

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
