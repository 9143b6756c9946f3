# ndfstudio: `make run` serves the app on the embedded default; `make test` runs every test.
PYTHON ?= python3
PORT ?= 8000
WORKERS ?= 1
# pytest-xdist processes for `make test` (0: one process, no xdist); see the note above `test`.
TEST_WORKERS ?= 4
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup lint bench bench-analytics bench-scale clean

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

# Throughput and latency of the authenticated hot path (gunicorn + wrk, SQLite and PostgreSQL + Redis); ~6 min.
# Not part of `make test`. Writes docs/PERFORMANCE.md. See bench/run.py for the knobs.
bench: $(VENV)/.dev
	@command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install -y wrk"; exit 2; }
	$(BIN)/python -m bench.run
	$(MAKE) bench-analytics

# The stats endpoint and the analytics page on a PostgreSQL log of 10,000,000 rows (BENCH_ANALYTICS_ROWS), < 500 ms
# each; the fill takes minutes. Adds its section to docs/PERFORMANCE.md. See bench/analytics.py.
bench-analytics: $(VENV)/.dev
	$(BIN)/python -m bench.analytics

# The admin's log views (< 300 ms) and /api/logs/recent (< 50 ms) on a PostgreSQL log of 10,000,000 rows
# (BENCH_SCALE_ROWS), kept in the database BENCH_SCALE_DATABASE between runs (the first fill takes minutes).
# Adds its section to docs/PERFORMANCE.md. See bench/scale.py.
bench-scale: $(VENV)/.dev
	$(BIN)/python -m bench.scale

lint: $(VENV)/.dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
