"""Writing log rows: what a row keeps of a request, and what it never keeps."""

from datetime import UTC, datetime

import pytest
from django.test import RequestFactory

from activity.models import ActivityLog
from activity.recording import activity_record

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)


def test_record_keeps_no_secrets(user):
    request = RequestFactory().post(
        "/api/x/", data={"password": "hunter2"}, HTTP_AUTHORIZATION="Bearer abc.def.ghi", HTTP_COOKIE="sessionid=s3"
    )
    row = activity_record(category="SECURITY", event="e", message="m", request=request, user=user, now=NOW)
    stored = str(ActivityLog.objects.filter(pk=row.pk).values().get())
    for secret in ("hunter2", "abc.def.ghi", "s3"):
        assert secret not in stored


def test_record_truncates_a_huge_user_agent(user):
    request = RequestFactory().get("/", HTTP_USER_AGENT="A" * 10_000)
    row = activity_record(category="AUDIT", event="e", message="m", request=request, now=NOW)
    assert len(ActivityLog.objects.get(pk=row.pk).user_agent) == 256


def test_record_ignores_an_ip_that_is_not_one():
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-ip")
    row = activity_record(category="AUDIT", event="e", message="m", request=request, now=NOW)
    assert row.ip is None
