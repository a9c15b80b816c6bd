# The newcomer's commands: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run install migrate demo test test-sqlite test-postgres lint typecheck bench bench-pg-tune messages clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 is required (looked for $(PY))"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/aftersales migrate --no-input

demo: migrate
	$(BIN)/aftersales demo --if-empty

run: demo
	$(BIN)/aftersales serve --host 127.0.0.1 --port 8000

# The whole suite: domain (no DB), flows and pages (SQLite by default, PostgreSQL when
# DATABASE_URL=postgres://… is set), and the headless-Chromium smoke test when
# /usr/bin/chromium exists.
test: install
	$(BIN)/python -m pytest -p no:cacheprovider

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy src/aftersales

# Each issue's benchmark seeds its own PostgreSQL database (see bench/README.md).
bench: install
	@command -v wrk >/dev/null || echo "note: bench.parts drives its load with wrk (apt-get install wrk); without it, Python threads on the same cores"
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.parts
	$(BIN)/python -m bench.care
	$(BIN)/python -m bench.warranty
	$(BIN)/python -m bench.dispatch
	$(BIN)/python -m bench.dispatch_db
	$(BIN)/python -m bench.kpis

# The server settings the README's figures were measured with (local Debian cluster, root).
bench-pg-tune:
	psql "$${DATABASE_URL:-postgres://aftersales:aftersales@127.0.0.1:5432/postgres}" -f bench/postgresql-tuning.sql
	pg_ctlcluster 15 main restart

messages: install
	cd src/aftersales && ../../$(BIN)/aftersales makemessages -l zh_Hans -l zh_Hant -l ko -l en --no-obsolete && ../../$(BIN)/aftersales compilemessages

clean:
	rm -rf $(VENV) var build *.egg-info
