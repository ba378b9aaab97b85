SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12 (the Lambda runtime): PATH first, then pyenv's install.
PYTHON312 ?= $(shell for p in python3.12 $$(ls -d $$(pyenv root 2>/dev/null)/versions/3.12.*/bin/python3.12 2>/dev/null); do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { command -v "$$p"; break; }; done)
VENV := .venv
SAM_VENV := .venv-sam
RUNTIME_VENV := .venv-runtime
TOOLS_VENV := .venv-tools
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
PORT ?= 3000
# The reference page (web/); 5173 stays free for the SPA's own dev server.
WEB_PORT ?= 5174

export PIP_DISABLE_PIP_VERSION_CHECK := 1
# SAM CLI would send usage telemetry to AWS; this machine (and CI) must not try.
export SAM_CLI_TELEMETRY := 0

# Local settings for run/migrate (tests make their own): Settings' defaults, then the
# development profile, then .env (python-dotenv: values kept as written), then the shell.
DOTENV ?= .env
SETTINGS := $(PY) -m tools.settings

# sam build needs python3.12 on PATH (expanded only where used: finding it costs time).
SAM_PATH = PATH="$(dir $(PYTHON312)):$$PATH"

.PHONY: help venv services browser dev-db migrate openapi client check-client build validate check-deploy lint format test stress bench sam-local-test run clean

help:
	@echo "make run       the API on http://localhost:$(PORT), the reference page on :$(WEB_PORT) (PORT=, WEB_PORT=, DOTENV=)"
	@echo "make test      the whole suite: unit, handler, migration, integration; sam validate --lint; the TypeScript client check"
	@echo "make lint      ruff check + format check, mypy on the layer"
	@echo "make format    ruff format + fixes"
	@echo "make build     sam build (ARCHITECTURE=arm64 for Graviton)"
	@echo "make check-deploy  checkov on the templates (.checkov.yaml), actionlint on .github/workflows"
	@echo "make migrate   alembic upgrade head on DATABASE_URL"
	@echo "make openapi   rebuild functions/docs/openapi.json from every function's routes"
	@echo "make client    make openapi, then the TypeScript client's types (clients/typescript)"
	@echo "make bench     latency/throughput in process and through the emulation, cold init"
	@echo "make stress    long schemathesis run and soak tests through the emulation"
	@echo "make sam-local-test  real sam local invoke/start-api on a private dockerd + the HTTP suite"

$(VENV)/.installed: requirements-dev.txt layers/common/requirements.txt
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (PATH or pyenv)"; exit 1; }
	test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

$(SAM_VENV)/.installed: requirements-sam.txt
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (PATH or pyenv)"; exit 1; }
	test -x $(SAM_VENV)/bin/python || $(PYTHON312) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q -r requirements-sam.txt
	touch $@

$(RUNTIME_VENV)/.installed: requirements-runtime.txt
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (PATH or pyenv)"; exit 1; }
	test -x $(RUNTIME_VENV)/bin/python || $(PYTHON312) -m venv $(RUNTIME_VENV)
	$(RUNTIME_VENV)/bin/python -m pip install -q -r requirements-runtime.txt
	touch $@

$(TOOLS_VENV)/.installed: requirements-tools.txt
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (PATH or pyenv)"; exit 1; }
	test -x $(TOOLS_VENV)/bin/python || $(PYTHON312) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install -q -r requirements-tools.txt
	touch $@

venv: $(VENV)/.installed $(SAM_VENV)/.installed $(RUNTIME_VENV)/.installed $(TOOLS_VENV)/.installed

# Postgres and Redis of the tests answer (local servers started, else docker compose), and
# TEST_DATABASE_URL's role may create databases (tools/services.py).
services: venv
	@$(PY) -m tools.services --test

# The same for DATABASE_URL/REDIS_URL of .env and the shell; the role and database exist.
dev-db: venv
	@$(PY) -m tools.services --dotenv $(DOTENV)

migrate: venv dev-db
	$(SETTINGS) exec --dotenv $(DOTENV) -- $(VENV)/bin/alembic upgrade head

openapi: venv
	$(PY) scripts/build_openapi.py

# The TypeScript client (clients/typescript): its types are generated from the document by the
# pinned openapi-typescript; npm ci runs when node_modules is missing or stale (tools/client.py).
client: openapi
	$(PY) -m tools.client generate

# The committed types are what the document generates, and tsc compiles the client and its
# example; without node and npm this fails saying so.
check-client: venv
	@$(PY) -m tools.client check

# ARCHITECTURE=arm64 builds for Graviton: the template's parameter and the layer's wheels.
ARCHITECTURE ?= x86_64
export ARCHITECTURE

build: venv
	$(SAM_PATH) $(SAM) build --cached --parallel --parameter-overrides Architecture=$(ARCHITECTURE)

# The stack's template, and the one nested per function for its alarms.
validate: venv
	$(SAM) validate --lint
	$(SAM) validate --lint -t alarms/function.yaml

# Static proof of the deploy: checkov on the templates (.checkov.yaml: what it scans, and
# each skipped rule with its reason) and actionlint on the GitHub workflows. checkov stays
# offline: no guideline download, no update check.
check-deploy: venv
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true $(TOOLS_VENV)/bin/checkov --config-file .checkov.yaml
	$(TOOLS_VENV)/bin/actionlint .github/workflows/*.yml

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Chromium and chromedriver for tests/browser: Debian's packages, installed with apt-get when
# missing; where that cannot happen `make test` stops here saying why (tools/browser.py).
browser: venv
	@$(PY) -m tools.browser

test: venv services browser lint validate check-deploy check-client build
	$(PY) -m pytest $(PYTEST_ARGS)

# Longer fuzzing and load than `make test`: through the emulation, from the build artifacts.
stress: venv services build
	SCHEMATHESIS_MAX_EXAMPLES=$${SCHEMATHESIS_MAX_EXAMPLES:-200} $(PY) -m pytest -m "stress or not stress" \
		tests/integration/test_contract.py tests/integration/test_stress.py

# The real `sam local invoke` + `start-api` on a private, offline dockerd, then the HTTP
# suite against it (scripts/sam-local/README.md). SAM_LOCAL_FLAGS=--skip-if-no-docker
# turns "dockerd cannot start here" into a printed SKIPPED instead of a failure.
sam-local-test: venv
	bash scripts/sam-local/run.sh $(SAM_LOCAL_FLAGS)

bench: venv services build
	$(PY) scripts/bench.py
	$(PY) scripts/bench_search.py

# Dev mode: code straight from functions/ and layers/, hot reload, no Docker, no sam build;
# migrates only when a migration is pending (tools/run.py).
run: venv
	@$(PY) -m tools.run --port $(PORT) --web-port $(WEB_PORT) --dotenv $(DOTENV)

clean:
	rm -rf .aws-sam .emulator .pytest_cache .ruff_cache .mypy_cache
