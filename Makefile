# ndfstudio: `make run` serves the app on the embedded default; `make test` runs every test.
PYTHON ?= python3
PORT ?= 8000
WORKERS ?= 1
# pytest-xdist processes for `make test` (0: one process, no xdist); see the note above `test`.
TEST_WORKERS ?= 4
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup lint bench bench-scale bench-clean clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ensure_demo_user

run: setup
	@echo "Serving ndfstudio on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	exec $(BIN)/gunicorn ndfstudio.wsgi:application --bind 127.0.0.1:$(PORT) \
		--workers $(WORKERS) --threads 8 --worker-class gthread --graceful-timeout 5 \
		--config python:ndfstudio.gunicorn_conf
# (ndfstudio/gunicorn_conf.py: the access log, scrubbed, keep-alive and header limits; shared with the live tests)

# The suite runs in TEST_WORKERS processes: the browser and live tests mostly wait for real time, so more workers
# than cores pay off (tests/conftest.py starts them first and keeps tests that share servers on one worker).
test: $(VENV)/.dev setup
	$(BIN)/python -W error manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	node --test static/js/tests/
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Throughput and latency of the authenticated hot path (gunicorn + wrk, SQLite and PostgreSQL + Redis), and its
# instructions per request (valgrind's callgrind); ~7 min, the first run up to ~25 min more to fill (c)'s 10,000,000
# log rows, kept in .bench/ and PostgreSQL for later runs. Not part of `make test`. Writes its section of docs/PERFORMANCE.md and appends to docs/bench-runs.jsonl: the report shows
# how the last three runs agree. See bench/run.py for the knobs.
bench: $(VENV)/.dev
	@command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install -y wrk"; exit 2; }
	@command -v valgrind >/dev/null || { echo "bench needs valgrind: apt-get install -y valgrind"; exit 2; }
	$(BIN)/python -m bench.run

# What an operator meets after months of traffic: pruning 1,000,000 rows under load (SQLite); the admin's log
# views (< 300 ms) and /api/logs/recent (< 50 ms) on 10,000,000 rows (PostgreSQL database BENCH_SCALE_DATABASE,
# kept between runs: bench/scale.py); the analytics on 10,000,000 rows (bench/analytics.py); Redis memory and
# authentication at 1,000 and 100,000 live sessions (bench/sessions.py). Fills take minutes the first time. Each
# part writes its section of docs/PERFORMANCE.md.
bench-scale: $(VENV)/.dev
	@command -v wrk >/dev/null || { echo "bench-scale needs wrk: apt-get install -y wrk"; exit 2; }
	$(BIN)/python -m bench.run prune
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.analytics
	$(BIN)/python -m bench.sessions

# Drop the databases `make bench` keeps between runs.
bench-clean: $(VENV)/.dev
	$(BIN)/python -m bench.run clean

lint: $(VENV)/.dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
