# The two set-up commands of the README. Both create the virtual environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test build bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## serve: build the graph if its inputs changed (validated against the shapes), then serve it on http://$(HOST):$(PORT)
serve: $(STAMP)
	$(BIN)/peerkg build --if-needed
	$(BIN)/peerkg stats
	$(BIN)/peerkg serve --host $(HOST) --port $(PORT)

## test: run the whole test suite
test: $(STAMP)
	$(BIN)/pytest

build: $(STAMP)
	$(BIN)/peerkg build

clean:
	rm -rf $(VENV) data

## bench: throughput and latency of peerkg serve vs Oxigraph's server and a bare Flask route (not part of the tests)
bench: $(STAMP)
	$(BIN)/python bench/run.py
