# connect-scim: every target bootstraps .venv from the pinned lock on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit serve emulator bench lock clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

## test: lint, type check and the whole suite (what CI runs)
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest

## serve: local SCIM endpoint on the embedded Connect emulator
serve: $(STAMP)
	$(BIN)/python -m local serve $(ARGS)

## emulator: the Connect emulator alone
emulator: $(STAMP)
	$(BIN)/python -m local emulator $(ARGS)

## bench: the benchmark report
bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

## lock: re-resolve requirements.in into the pinned requirements.txt
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet -r requirements.in
	{ echo "# Full pinned lock of requirements.in (regenerate with: make lock). Installed by make into .venv."; .lockenv/bin/pip freeze; } > requirements.txt
	rm -rf .lockenv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build
