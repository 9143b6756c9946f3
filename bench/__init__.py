"""`make bench`: throughput and latency of the authenticated hot path, under gunicorn and wrk."""
