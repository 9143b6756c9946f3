"""The API's row shape: the fast path (`activity_log_data`) equals the serializer it stands in for."""

import datetime
import json
import uuid

import pytest
from rest_framework.renderers import JSONRenderer

from activity.models import ActivityLog
from activity.serializers import ActivityLogSerializer, activity_log_data

pytestmark = pytest.mark.django_db


def test_rows_equal_the_serializers_output(settings):
    ActivityLog.objects.create(
        timestamp=datetime.datetime(2026, 12, 1, 12, 30, 5, 123456, tzinfo=datetime.UTC), category="AUDIT",
        event="api_request", message="API request: GET /api/auth/me", user_id=7, username="ada",
        session_id=uuid.UUID("12345678-1234-5678-1234-567812345678"), method="GET", path="/api/auth/me",
        status_code=200, ip="2001:db8::1", user_agent="ua", duration_ms=1.25, activity_type="read",
    )  # fmt: skip
    # Every nullable column empty:
    ActivityLog.objects.create(
        timestamp=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
        category="SECURITY",
        event="login_failed",
        message="m",
    )
    rows = ActivityLog.objects.order_by("-timestamp", "-id")
    plain = ActivityLogSerializer(rows, many=True).data
    fast = activity_log_data(rows=rows)
    assert fast == plain
    assert JSONRenderer().render(fast) == JSONRenderer().render(plain)  # the same bytes, key order included
    assert json.loads(JSONRenderer().render(fast))[0]["timestamp"] == "2026-12-01T12:30:05.123456Z"
    assert fast[0]["session_id"] == "12345678-1234-5678-1234-567812345678"
    assert fast[1]["session_id"] is None and fast[1]["ip"] is None
