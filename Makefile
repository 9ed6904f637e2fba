# The two set-up commands of the README. Both create the virtual environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test build bench bench-first bench-scale bench-validate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The query editor's browser files (YASGUI) from the npm registry, as locked in package-lock.json; the app
# serves them from node_modules/. Debian's npm is installed when there is none.
# Installing Debian packages needs root: as another user these lines run sudo. A busy apt (another install,
# unattended upgrades) is waited for, up to 10 minutes, instead of failing at once.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	command -v npm >/dev/null || ($(APT) update && $(APT) install -y npm)
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# The browser tests drive Debian's chromium (installed when missing); Playwright never downloads a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
.PHONY: chromium rapper
chromium:
	command -v chromium >/dev/null || ($(APT) update && $(APT) install -y chromium)

# The client tests dereference IRIs with Redland's rapper (Debian raptor2-utils, installed when missing).
rapper:
	command -v rapper >/dev/null || ($(APT) update && $(APT) install -y raptor2-utils)

# The reasoner tests run HermiT (bundled with owlready2) on Debian's Java, installed when missing.
.PHONY: java
java:
	command -v java >/dev/null || ($(APT) update && $(APT) install -y default-jre-headless)

# The engine tests run OpenLink Virtuoso 7 (Debian virtuoso-opensource, installed when missing) as a
# subprocess with its database in a temporary directory (tests/engines.py); its own service is not used.
.PHONY: virtuoso
virtuoso:
	command -v virtuoso-t >/dev/null || ($(APT) update && $(APT) install -y virtuoso-opensource)

## serve: build the graph if its inputs changed (validated against the shapes), then serve it on http://$(HOST):$(PORT)
serve: $(STAMP) $(NODE_STAMP)
	$(BIN)/peerkg build --if-needed
	$(BIN)/peerkg stats
	$(BIN)/peerkg serve --host $(HOST) --port $(PORT)

## test: run the whole test suite
test: $(STAMP) $(NODE_STAMP) chromium rapper java virtuoso
	$(BIN)/pytest

build: $(STAMP)
	$(BIN)/peerkg build

clean:
	rm -rf $(VENV) data node_modules

## bench: throughput and latency of peerkg serve vs Oxigraph's server and a bare Flask route (not part of the tests)
bench: $(STAMP)
	$(BIN)/python bench/run.py

## bench-first: the first answer of a fresh (and of a respawned) worker against the same request warm (not part of the tests)
bench-first: $(STAMP)
	$(BIN)/python bench/first_answer.py

## bench-scale: 10^4, 10^5 and 10^6 triples validated, committed, built and served, each beside a reference (not part of the tests)
bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py

## bench-validate: validation in context of ~3,000 submitted triples vs pyshacl over the whole store (not part of the tests)
bench-validate: $(STAMP)
	$(BIN)/python bench/validate.py
