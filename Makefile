# Two commands: `make run` (default example end to end) and `make test` (pytest + lit).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test pytest lit bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/focus run examples/tiny/task.yaml --out out/tiny

test: $(STAMP)
	$(BIN)/lit -v test_lit
	$(BIN)/python -m pytest

pytest: $(STAMP)
	$(BIN)/python -m pytest

lit: $(STAMP)
	$(BIN)/lit -v test_lit

clean:
	rm -rf out .focus-cache
