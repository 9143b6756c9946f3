"""Failures of the logging path are reported at a bounded rate, with the count of those left unreported."""

import logging

import pytest

from activity.failures import ErrorLimiter, logging_failure_report
from activity.models import ActivityLog


def test_limiter_allows_one_report_per_window_and_counts_the_rest():
    limiter = ErrorLimiter(window=60)
    assert limiter.allow("a", now=0) == 0
    assert [limiter.allow("a", now=t) for t in (1, 30, 59.9)] == [None, None, None]
    assert limiter.allow("b", now=1) == 0  # each kind has its own window
    assert limiter.allow("a", now=60) == 3
    assert limiter.allow("a", now=61) is None


@pytest.mark.django_db
def test_report_writes_one_error_row_and_one_traceback(caplog):
    for _ in range(3):
        try:
            raise OSError("disk full")
        except OSError:
            logging_failure_report(kind="k", message="Could not write the thing: OSError")
    assert list(ActivityLog.objects.values_list("category", "event", "message")) == [
        ("ERROR", "log_write_failed", "Could not write the thing: OSError")
    ]
    records = [r for r in caplog.records if r.name == "activity.failures"]
    assert [(r.levelno, r.exc_info is not None) for r in records] == [(logging.ERROR, True)]
