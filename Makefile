# Doorstroom: `make run` starts the demo, `make test` runs every check. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
ADDRESS ?= 127.0.0.1:8000

.PHONY: run serve test install reset fuzz-deep demo-large lint bench

$(STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py demo_accounts --address $(ADDRESS)
	$(PY) manage.py runserver $(ADDRESS)

serve: install
	@bash scripts/serve.sh

test: install
	@bash scripts/test.sh

# the benchmark suite on the production set-up: TIER=T1 (default), T2 or T3 (benchmarks/README.md)
bench: install
	@bash scripts/bench.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

reset:
	rm -f var/doorstroom.sqlite3 var/doorstroom.sqlite3-wal var/doorstroom.sqlite3-shm var/doorstroom.sqlite3.audit-checkpoints.log
	@echo "Database verwijderd; 'make run' maakt een nieuwe demo."

demo-large: install
	@mkdir -p var
	DOORSTROOM_SQLITE_PATH=var/benchmark.sqlite3 $(PY) manage.py migrate --noinput -v0
	DOORSTROOM_SQLITE_PATH=var/benchmark.sqlite3 $(PY) manage.py seed_demo --participants 100000 -v2

fuzz-deep: install
	DOORSTROOM_HYPOTHESIS_PROFILE=deep DOORSTROOM_FUZZ_EXAMPLES=500 $(VENV)/bin/pytest -q -p no:logging -m "not browser" doorstroom tests/fuzz tests/test_bad_input_corpus.py
