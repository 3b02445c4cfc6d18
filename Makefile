# Developer entry points.  `make run` serves the app on http://127.0.0.1:5000,
# `make test` runs the whole suite (pytest starts throwaway PostgreSQL, Redis
# and SMTP servers itself, see tests/servers.py).

SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core by default; each starts its own PostgreSQL, Redis and SMTP
# servers, and a test file stays in one process so its module fixtures (the demo site) are built once.
TEST_WORKERS ?= auto

RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

NODE_STAMP := node_modules/.installed

.PHONY: venv dev-venv node-deps system-deps run serve lint format test test-fast bench clean

# ---------------------------------------------------------------- venvs ----

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the requirements file is newer than the stamp.
$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install -r requirements.txt
	touch $@

# requirements-dev.txt starts with `-r requirements.txt`, so it covers both.
$(DEV_STAMP): requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install -r requirements-dev.txt
	touch $(RUNTIME_STAMP) $@

venv: $(RUNTIME_STAMP)

dev-venv: $(DEV_STAMP)

# --------------------------------------------------------- node packages ----
# axe-core and the W3C Nu HTML checker (vnu-jar) for tests/e2e/test_accessibility.py and Lighthouse for
# tests/e2e/test_lighthouse.py, pinned in package-lock.json.  --ignore-scripts: vnu-jar runs on the system
# Java and Lighthouse drives the system Chromium, nothing is downloaded.
$(NODE_STAMP): package.json package-lock.json
	if ! command -v npm >/dev/null; then
		echo "note: npm is missing; the accessibility and Lighthouse tests will be skipped (they fail when CI=true)"
		exit 0
	fi
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

node-deps: $(NODE_STAMP)

# ------------------------------------------------------ system packages ----

system-deps:
	@missing=""
	compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing="$$missing postgresql"
	command -v redis-server >/dev/null || missing="$$missing redis-server"
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"
	command -v java >/dev/null || missing="$$missing default-jre-headless"
	command -v npm >/dev/null || missing="$$missing npm"
	[ -x /usr/bin/xmlsec1 ] || missing="$$missing xmlsec1"
	# The CV's PDF (WeasyPrint): Pango lays out the text in DejaVu fonts the project installs, never whatever
	# the machine happens to have.
	compgen -G '/usr/lib/*/libpango-1.0.so.0' >/dev/null || missing="$$missing libpango-1.0-0"
	compgen -G '/usr/lib/*/libpangoft2-1.0.so.0' >/dev/null || missing="$$missing libpangoft2-1.0-0"
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || missing="$$missing fonts-dejavu-core"
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf ] || missing="$$missing fonts-dejavu-extra"
	[ -z "$$missing" ] && exit 0
	if [ "$$(id -u)" = 0 ]; then
		echo "installing system packages (missing:$$missing)"
		apt-get update
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			postgresql redis-server chromium fonts-dejavu-core fonts-dejavu-extra \
			libpango-1.0-0 libpangoft2-1.0-0 xmlsec1 $$missing
	else
		echo "note: missing$$missing and not root; tests needing them will be skipped (they fail when CI=true)"
	fi

# ------------------------------------------------------------------ run ----

run: venv
	mkdir -p instance
	export FLASK_APP=wsgi.py FLASK_DEPLOYMENT=development
	if [ ! -f instance/secret-key ]; then
		(umask 077; $(PY) -c 'import secrets;print(secrets.token_hex(32))' > instance/secret-key)
	fi
	export FLASK_SECRET_KEY="$$(cat instance/secret-key)"
	$(VENV)/bin/flask db upgrade
	$(VENV)/bin/flask demo --if-empty
	exec $(VENV)/bin/flask run --host 127.0.0.1 --port 5000

# ---------------------------------------------------------------- serve ----
# Production shape on this machine: gunicorn workers on PostgreSQL + Redis, the outbox
# worker beside them.  Needs DATABASE_URL, REDIS_URL, FLASK_SECRET_KEY and FLASK_PUBLIC_URL (README, "Production").

serve: venv
	export FLASK_APP=wsgi.py FLASK_DEPLOYMENT=production
	: "$${DATABASE_URL:?set DATABASE_URL to PostgreSQL, e.g. postgresql+psycopg://network:secret@127.0.0.1:5432/network}"
	: "$${REDIS_URL:?set REDIS_URL, e.g. redis://127.0.0.1:6379/0 (rate limits shared by every process)}"
	: "$${FLASK_SECRET_KEY:?set FLASK_SECRET_KEY to a long random value, e.g. from: python3 -c 'import secrets; print(secrets.token_hex(32))'}"
	: "$${FLASK_PUBLIC_URL:?set FLASK_PUBLIC_URL to the address members use, e.g. https://network.example.org (links in mails are built from it)}"
	case "$$DATABASE_URL" in
		postgres*) ;;
		*) echo "make serve runs several processes: DATABASE_URL must be a PostgreSQL URL" >&2; exit 2 ;;
	esac
	$(VENV)/bin/flask db upgrade
	$(VENV)/bin/flask check-config --connect
	$(VENV)/bin/flask outbox send --loop &
	outbox_pid=$$!
	trap 'kill -TERM $$outbox_pid 2>/dev/null; wait $$outbox_pid 2>/dev/null || true' EXIT
	trap 'exit 130' INT TERM
	$(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

# ----------------------------------------------------------------- lint ----

lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r network -lll

# Sort imports and apply the lint rules' safe fixes. The code is not run through a formatter: its
# continuation lines are aligned by hand, which `ruff format` would rewrite.
format: dev-venv
	$(VENV)/bin/ruff check --fix --extend-select I .

# ----------------------------------------------------------------- test ----

test: system-deps dev-venv node-deps lint
	if [ "$${CI:-}" = true ]; then
		tmp_home="$$(mktemp -d)"
		export HOME="$$tmp_home"
		trap 'rm -rf "$$tmp_home"' EXIT
	fi
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# While working: SQLite only (the [postgresql] half of each database test is left out), no browser tests,
# no lint; in parallel. `make test` before a commit runs everything.
test-fast: dev-venv
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --ignore=tests/e2e -m "not e2e" -k "not postgresql" $(PYTEST_ARGS)

bench: dev-venv
	if [ -f benchmarks/run.py ]; then
		$(PY) benchmarks/run.py
	else
		echo "benchmarks/run.py does not exist yet; nothing to run"
	fi

clean:
	rm -rf $(VENV) .pytest_cache node_modules
	rm -f instance/*.db instance/*.db-wal instance/*.db-shm

# ----------------------------------------------------------------- load ----
# The HTTP load test (benchmarks/load.py): gunicorn on a throwaway PostgreSQL and Redis, 20,000
# members and 200,000 posts (seeded once, then restored from benchmarks/.cache/), a mixed signed-in
# workload and a bare endpoint of the same app. About 10 minutes the first time, 3 after.
# `make load LOAD_ARGS="--duration 60"` for a shorter run.
.PHONY: load
LOAD_ARGS ?=

load: system-deps dev-venv
	$(PY) benchmarks/load.py $(LOAD_ARGS)
