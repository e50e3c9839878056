# Twitchlog developer commands. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Links the server prints and mails (share links, email buttons, unsubscribe) use the port it runs on.
RUN_BASE_URL ?= http://127.0.0.1:$(PORT)
PYTEST_ARGS ?=
# `make test` runs the fast suite: the tests marked slow (simulations, real Celery workers and
# production-mode processes, the WatermelonDB client under Node, the schema fuzz, large pushes) are
# deselected. `make test SLOW=1` runs everything, as CI does (.ci/run).
SLOW ?=
PYTEST_MARKS := $(if $(SLOW),,-m "not slow")

.PHONY: run test lint format node-e2e bench bench-quick image-test bench-sync bench-first-sync bench-insights bench-daily-series bench-associations bench-experiments bench-report bench-tremor bench-weekly bench-health-import bench-load load-smoke bench-throughput worker beat clean

$(VENV)/.installed-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed-runtime $@

$(VENV)/.installed-load: requirements.txt requirements-load.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-load.txt
	touch $(VENV)/.installed-runtime $@

## run: the API on the embedded default (SQLite, eager tasks, console email) with demo data
run: $(VENV)/.installed-runtime
	$(PY) manage.py migrate --noinput
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-$(RUN_BASE_URL)} $(PY) manage.py seed_demo --base-url $${PUBLIC_BASE_URL:-$(RUN_BASE_URL)}
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-$(RUN_BASE_URL)} $(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: the fast suite, slow tests deselected; SLOW=1 for the whole suite, as CI runs it
## (uses DATABASE_URL / REDIS_URL when set, SQLite otherwise)
test: $(VENV)/.installed-dev node-e2e
	$(PY) -m pytest -n 2 $(PYTEST_MARKS) $(PYTEST_ARGS)

## node-e2e: the real WatermelonDB client for the end-to-end sync tests, when Node is installed
## (without it those tests skip and say why); installed again only when the lock file changes
WATERMELON := tests/e2e/watermelon
node-e2e:
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: the WatermelonDB end-to-end tests will skip"; \
	elif [ ! -f $(WATERMELON)/node_modules/.installed ] || [ $(WATERMELON)/package-lock.json -nt $(WATERMELON)/node_modules/.installed ]; then \
		(cd $(WATERMELON) && npm ci --no-audit --no-fund --loglevel=error) && touch $(WATERMELON)/node_modules/.installed; \
	fi

## lint: formatting, lint and types
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy accounts diary insights config

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## bench: every benchmark, each printing its figure beside its baseline
bench: bench-sync bench-first-sync bench-insights bench-daily-series bench-associations bench-experiments bench-report bench-tremor bench-weekly bench-health-import bench-load bench-throughput

## bench-quick: every bench's quick mode (seconds to a minute each, figures printed, not asserted),
## so a bench that stops running fails CI; the load smoke test is bench/load.py's quick mode
bench-quick: $(VENV)/.installed-dev $(VENV)/.installed-load node-e2e
	$(PY) bench/daily_series.py --quick
	$(PY) bench/tremor.py --quick
	$(PY) bench/report.py --quick
	$(PY) bench/sync_push.py --quick
	$(PY) bench/push_profile.py --quick
	$(PY) bench/first_sync.py --quick
	$(PY) bench/insights.py --quick
	$(PY) bench/weekly.py --quick
	$(PY) bench/associations_validation.py --quick --users 10
	$(PY) bench/experiments_validation.py --quick
	bash bench/throughput.sh --quick
	$(MAKE) load-smoke

## image-test: build the production image with podman and run web, worker and beat from it
## (deploy/image_test.py); skips, saying why, where podman cannot run
image-test: $(VENV)/.installed-dev
	bash deploy/image_test.sh

bench-sync: $(VENV)/.installed-dev
	$(PY) bench/sync_push.py

## bench-first-sync: a 2,000-record first sync with the real WatermelonDB client beside a plain pull
bench-first-sync: $(VENV)/.installed-dev node-e2e
	$(PY) bench/first_sync.py

bench-insights: $(VENV)/.installed-dev
	$(PY) bench/insights.py

bench-daily-series: $(VENV)/.installed-dev
	$(PY) bench/daily_series.py

## bench-associations: the association engine's validation tables (old, new, oracle); --quick for a short run
bench-associations: $(VENV)/.installed-dev
	$(PY) bench/associations_validation.py $(BENCH_ARGS)

bench-report: $(VENV)/.installed-dev
	$(PY) bench/report.py

bench-tremor: $(VENV)/.installed-dev
	$(PY) bench/tremor.py

bench-weekly: $(VENV)/.installed-dev
	$(PY) bench/weekly.py

## bench-health-import: a year of HealthKit and Health Connect samples and a 100 MB Apple Health export through
## the API, counted once, with peak memory and time per 100,000 records; BENCH_ARGS=--quick for a short run
bench-health-import: $(VENV)/.installed-dev
	$(PY) bench/health_import.py $(BENCH_ARGS)

## bench-experiments: self-experiments on simulated people (false positives, power, calibrated promises)
bench-experiments: $(VENV)/.installed-dev
	$(PY) bench/experiments_validation.py

## bench-load / load-smoke: simulated phones against gunicorn, PostgreSQL and a Celery worker
bench-load: $(VENV)/.installed-load
	$(PY) bench/load.py --users 50 --seconds 60

load-smoke: $(VENV)/.installed-load
	$(PY) bench/load.py --users 10 --seconds 10

## bench-throughput: wrk on the episode POST against a bare Django view doing the same INSERT
bench-throughput: $(VENV)/.installed-runtime
	bash bench/throughput.sh

## worker / beat: a real Celery worker and scheduler (needs REDIS_URL)
worker: $(VENV)/.installed-runtime
	$(VENV)/bin/celery -A config worker -Q insights,email,reports -l info

beat: $(VENV)/.installed-runtime
	$(VENV)/bin/celery -A config beat -l info

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
