# KOTAKU Lapangan. `make run` serves the demo; `make serve` serves production (no demo accounts);
# `make test` runs every test (see README.md). Both servers take their gunicorn set-up from gunicorn.conf.py.
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run serve test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --if-empty
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py app:app

# Production: never creates demo accounts; the first admin comes from `flask create-user` (README).
serve: $(VENV)/.installed
	$(BIN)/flask db upgrade
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py app:app

test: $(VENV)/.installed-dev
	CHROMIUM_PATH="$$(./scripts/chromium.sh)" $(BIN)/pytest $(if $(TEST_DATABASE_URL),-m "not browser")

# Every figure of docs/budgets.md in one run (wrk and Chromium are found or installed by the bench);
# `make bench QUICK=1` for one short round of each (a few minutes), without the chaos run.
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench $(if $(QUICK),--quick)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check kotaku_pwa tests bench

clean:
	rm -rf $(VENV) .pytest_cache
