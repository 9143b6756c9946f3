"""Failures of the logging path itself: reported as an ERROR row and a traceback in the log file, at a bounded rate.

A failure that repeats (the database is down, the flusher retries every 0.1 s) or that a client can trigger at
will must not flood the table it fails to write, nor turn the log file over and destroy older evidence. Per
process and in memory, on purpose: it must work when the database and the cache do not, and N processes report
at most N times as often, which is still bounded.
"""

import logging
import threading
import time

from django.db import DatabaseError
from django.utils import timezone

from .models import ActivityLog

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0  # each kind of failure is reported at most once a minute per process


class ErrorLimiter:
    def __init__(self, window: float = WINDOW_SECONDS):
        self.window = window
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def allow(self, kind: str, *, now: float | None = None) -> int | None:
        """Return None to stay silent about this `kind` of failure, or how many were kept silent since the last."""
        now = time.monotonic() if now is None else now
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self.window:
                self._suppressed[kind] = self._suppressed.get(kind, 0) + 1
                return None
            self._last[kind] = now
            return self._suppressed.pop(kind, 0)


error_limiter = ErrorLimiter()


def logging_failure_report(*, kind: str, message: str, log: logging.Logger = logger, row: bool = True) -> None:
    """Log `message` with the exception being handled and (if `row`) leave an ERROR row saying so, at most once a
    window per `kind`.

    Call it from an `except` block. `message` must hold nothing a client chose (it is written as is).
    """
    suppressed = error_limiter.allow(kind)
    if suppressed is None:
        return
    if suppressed:
        message = f"{message} ({suppressed} more like it since the last report)"
    log.exception(message)
    if not row:
        return
    try:
        ActivityLog.objects.create(
            timestamp=timezone.now(),
            category=ActivityLog.Category.ERROR,
            event="log_write_failed",
            message=message[:500],
        )
    except DatabaseError as exc:  # the database is down: the line above is all there is
        log.error("could not write the ERROR row either: %s", type(exc).__name__)


def reset() -> None:
    """Forget every past report (tests)."""
    with error_limiter._lock:
        error_limiter._last.clear()
        error_limiter._suppressed.clear()
