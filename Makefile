# The two set-up commands of the README. Both create the virtual environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test build clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## serve: build the graph (validated against the shapes) into data/, print its statistics
serve: $(STAMP)
	$(BIN)/peerkg build
	$(BIN)/peerkg stats

## test: run the whole test suite
test: $(STAMP)
	$(BIN)/pytest

build: $(STAMP)
	$(BIN)/peerkg build

clean:
	rm -rf $(VENV) data
