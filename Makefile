# Merak — the two commands are `make demo` and `make test`; both set up .venv on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
TOOLS  := .tools
BUF    := $(TOOLS)/node_modules/.bin/buf
BUF_VERSION := 1.75.0
PROTO_FILES := $(wildcard protos/merak/v1/*.proto)

.PHONY: help venv demo test unit integration lint protos protos-check bench fuzz clean browser image deploy-smoke manifests

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; Merak needs Python 3.11" >&2; exit 1; }
	@echo "==> creating $(VENV) and installing pinned dependencies (first run takes a few minutes)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.lock
	$(PIP) install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

venv: $(STAMP)  ## create .venv with the pinned dependencies

$(BUF):
	@command -v npm >/dev/null || { echo "error: npm is needed to install the buf CLI" >&2; exit 1; }
	@echo "==> installing buf $(BUF_VERSION) into $(TOOLS)/"
	@mkdir -p $(TOOLS) && npm install --silent --no-audit --no-fund --prefix $(TOOLS) @bufbuild/buf@$(BUF_VERSION)

demo: $(STAMP)  ## the scenario: world, models, five servers, live traffic, learning loop, terminal, report, ledger check
	$(VENV)/bin/merak demo

test: lint unit integration  ## lint, then the unit and integration tiers (the CI command)

unit: $(STAMP)  ## unit tier: no network, no Ray, no hardware
	$(PY) -m pytest tests/unit -q

# The console's browser tests drive Debian's Chromium (no browser download): install it once.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "==> installing Debian's chromium for the console's browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "warning: chromium could not be installed; the browser tests will say they are skipped"; \
	else echo "note: run 'apt-get install chromium' as root for the console's browser tests"; fi

browser: $(CHROMIUM)  ## install Debian's chromium for the console's browser tests

integration: $(STAMP) $(BUF) $(CHROMIUM)  ## integration and system tiers: real servers on loopback
	PATH="$(CURDIR)/$(TOOLS)/node_modules/.bin:$$PATH" $(PY) -m pytest tests/integration tests/system -q

lint: $(STAMP) $(BUF)  ## ruff, mypy, buf lint and breaking, import contracts, stale protos
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(BUF) lint
	@if git rev-parse -q --verify main >/dev/null && git cat-file -e main:protos/merak/v1 2>/dev/null; then \
	  echo "$(BUF) breaking --against '.git#branch=main'"; \
	  $(BUF) breaking --against '.git#branch=main'; \
	else echo "buf breaking: main has no protos yet; nothing to compare against"; fi
	@$(MAKE) --no-print-directory protos-check

# Heavy jobs (image builds, Ray clusters) never overlap on a shared machine.
HEAVY := $(shell command -v flock >/dev/null && echo flock /tmp/merak-heavy.lock)
SKIPPED = rc=$$?; if [ $$rc = 77 ]; then echo "$@: SKIPPED (reason above)"; else exit $$rc; fi

image: $(STAMP)  ## build the container image merak:latest (Debian base by debootstrap, pinned wheels)
	@$(HEAVY) deploy/build-image.sh; $(SKIPPED)

deploy-smoke: $(STAMP)  ## image + compose stack up, health checks, Prometheus scrapes (skips, saying why, without Docker)
	@$(HEAVY) deploy/smoke.sh; $(SKIPPED)

manifests: $(STAMP)  ## validate deploy/k8s offline (Kubernetes schemas, KubeRay pod templates)
	$(PY) deploy/validate_manifests.py

protos: $(STAMP)  ## regenerate merak/v1 from protos/
	$(PY) -m merak.cli._protogen generate

protos-check: $(STAMP)  ## fail when the committed generated code is stale
	$(PY) -m merak.cli._protogen check

bench: $(STAMP)  ## run the benchmarks and rewrite bench/RESULTS.md
	$(PY) -m bench

fuzz: $(STAMP)  ## fuzz every RPC with 20,000 requests (CI sends 5,000); counts in var/fuzz.json
	@mkdir -p var
	MERAK_FUZZ_REQUESTS=$${MERAK_FUZZ_REQUESTS:-20000} MERAK_FUZZ_REPORT=var/fuzz.json \
	  $(PY) -m pytest tests/integration/services/test_fuzz.py -q -s -p no:cacheprovider

clean:  ## remove the virtual environment, tools and caches
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
