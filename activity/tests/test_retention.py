"""Retention: pruning by command and automatically."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from activity import retention
from activity.models import ActivityLog
from activity.retention import activity_log_prune

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)


def rows(count, *, at):
    ActivityLog.objects.bulk_create(
        ActivityLog(timestamp=at, category="AUDIT", event="api_request", message="m") for _ in range(count)
    )


def test_prune_deletes_only_old_rows_in_batches(django_assert_num_queries):
    rows(7, at=NOW - timedelta(days=91))
    rows(3, at=NOW - timedelta(days=89))
    # Three batches of 3, 3 and 1 rows (a SELECT and a DELETE each), one SELECT that finds none, and one DELETE of
    # the rollup buckets before the cutoff.
    with django_assert_num_queries(8):
        assert activity_log_prune(now=NOW, batch_size=3) == 7
    assert ActivityLog.objects.count() == 3


def test_prune_with_an_explicit_age():
    rows(2, at=NOW - timedelta(days=2))
    rows(1, at=NOW)
    assert activity_log_prune(older_than=timedelta(days=1), now=NOW) == 2


class RunNow:
    """Stands in for threading.Thread: runs the target at start(), in the test's own database connection."""

    def __init__(self, target, **kwargs):
        self.target = target

    def start(self):
        self.target()


def test_automatic_pruning_runs_at_most_once_per_interval(settings, monkeypatch):
    settings.ACTIVITY = {**settings.ACTIVITY, "PRUNE_INTERVAL_SECONDS": 3600}
    monkeypatch.setattr(retention.threading, "Thread", RunNow)
    monkeypatch.setattr(retention, "connections", type("NoClose", (), {"close_all": staticmethod(lambda: None)}))
    monkeypatch.setattr(retention, "close_old_connections", lambda: None)
    rows(4, at=timezone.now() - timedelta(days=91))
    assert retention.activity_log_prune_if_due() is True
    assert ActivityLog.objects.count() == 0
    rows(4, at=timezone.now() - timedelta(days=91))
    assert retention.activity_log_prune_if_due() is False  # within the hour
    assert ActivityLog.objects.count() == 4


def test_automatic_pruning_can_be_turned_off(settings):
    settings.ACTIVITY = {**settings.ACTIVITY, "PRUNE_INTERVAL_SECONDS": 0}
    assert retention.activity_log_prune_if_due() is False
