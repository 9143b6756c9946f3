"""BENCHMARK ONLY: ndfstudio's WSGI application (under any settings module) marked for callgrind, served by
gunicorn under valgrind for bench/instructions.py. Never use it in a deployment.

Of the requests for BENCH_PATH (readiness checks pass straight through), the first BENCH_WARM warm up; counting
starts at the next one (a call of `getloadavg`, valgrind's first --dump-before: what came before is dumped apart)
and ends when the request after the next BENCH_COUNT arrives (a call of `getrusage`, the second), so the worker's
second dump holds gunicorn's whole handling of exactly BENCH_COUNT requests, every thread of the worker included.
The clock moves a millisecond a request, as at 1,000 requests/s rather than at valgrind's pace, so that what
happens once per interval (the clock's write, the prune's check) weighs per request as under wrk; the AUDIT rows
are flushed every BENCH_BATCH requests (a worker's share of the flusher's 0.1 s at that rate), the flusher itself
kept idle (AUDIT_FLUSH_INTERVAL_SECONDS set long).
"""

import os
import resource
from datetime import UTC, datetime, timedelta

import time_machine
from django.apps import apps

from ndfstudio.wsgi import application as django_application

WARM, COUNT, BATCH = (int(os.environ[name]) for name in ("BENCH_WARM", "BENCH_COUNT", "BENCH_BATCH"))
PATH = os.environ["BENCH_PATH"]
_served = 0
_clock = None


def _flush() -> None:
    if apps.is_installed("activity"):
        from activity.buffer import audit_buffer

        audit_buffer.flush()


def application(environ, start_response):
    global _served, _clock
    if environ.get("PATH_INFO") != PATH:
        return django_application(environ, start_response)
    if _clock is None:
        _clock = time_machine.travel(datetime.now(UTC), tick=False).start()
    if _served == WARM:
        _flush()
        os.getloadavg()  # counting starts
    elif _served == WARM + COUNT:
        _flush()
        resource.getrusage(resource.RUSAGE_SELF)  # counting ends
    elif _served % BATCH == 0:
        _flush()
    _served += 1
    _clock.shift(timedelta(milliseconds=1))
    return django_application(environ, start_response)
