"""Pruning the activity log deletes in bounded batches, each its own short statement, and only expired rows."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activity.models import ActivityLog
from activity.retention import activity_log_prune


def fill(count: int, *, at) -> None:
    ActivityLog.objects.bulk_create(
        ActivityLog(timestamp=at, category="AUDIT", event="api_request", message="API request: GET /api/auth/me")
        for _ in range(count)
    )


@pytest.mark.django_db
def test_prune_deletes_expired_rows_in_batches_of_at_most_batch_size():
    now = timezone.now()
    fill(23, at=now - timedelta(days=100))
    fill(4, at=now - timedelta(days=10))

    with CaptureQueriesContext(connection) as queries:
        deleted = activity_log_prune(older_than=timedelta(days=90), now=now, batch_size=5)

    assert deleted == 23
    assert ActivityLog.objects.count() == 4
    assert not ActivityLog.objects.filter(timestamp__lt=now - timedelta(days=90)).exists()
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('DELETE FROM "activity_activitylog"')]
    assert len(deletes) == 5  # 5 + 5 + 5 + 5 + 3
    batch_sizes = [len(re.search(r" IN \(([^)]*)\)", sql).group(1).split(",")) for sql in deletes]
    assert batch_sizes == [5, 5, 5, 5, 3]
