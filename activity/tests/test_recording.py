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
    assert len(row.user_agent) == 256
    assert len(ActivityLog.objects.get().user_agent) == 256  # an AUDIT row is queued, not saved: no id of its own


def test_record_ignores_an_ip_that_is_not_one():
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-ip")
    row = activity_record(category="AUDIT", event="e", message="m", request=request, now=NOW)
    assert row.ip is None


JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxIiwic2lkIjoiYWJjIiwiZXhwIjoxOTAwMDAwMDAwfQ"
    ".c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0xMjM0NTY3ODkw"
)


def test_record_makes_every_value_storable_and_escapes_control_characters(user):
    # NUL is refused by PostgreSQL; CR, LF and ESC would forge or colour a line of the log file.
    request = RequestFactory().delete(
        "/api/auth/sessions/%00%0d%0aSECURITY%20x%1b[31m", HTTP_USER_AGENT="ua\x00\n\ud800"
    )
    row = activity_record(
        category="SECURITY", event="e", message="m\x00\r\n", request=request, user_id=user.pk, now=NOW
    )
    stored = ActivityLog.objects.values("message", "path", "user_agent").get(pk=row.pk)
    assert stored == {
        "message": "m\\x00\\x0d\\x0a",
        "path": "/api/auth/sessions/\\x00\\x0d\\x0aSECURITY x\\x1b[31m",
        "user_agent": "ua\\x00\\x0a\\ud800",
    }


def test_record_redacts_tokens_by_value_in_message_path_and_user_agent(user):
    request = RequestFactory().get(f"/api/x/{JWT}/", {"q": JWT}, HTTP_USER_AGENT=f"curl {JWT}")
    row = activity_record(category="AUDIT", event="e", message=f"API request: GET {request.path}", request=request)
    stored = str(ActivityLog.objects.values().get())
    assert "eyJ" not in stored
    assert row.message == "API request: GET /api/x/[redacted]/"
    assert row.path == "/api/x/[redacted]/?q=[redacted]"
    assert row.user_agent == "curl [redacted]"


def test_a_token_in_the_query_never_comes_back_from_the_recent_logs(user, login, client_with):
    client = client_with(login()["access"])
    assert client.get(f"/api/auth/me?access_token={JWT}&id_token=abc&apikey=k&pwd=p").status_code == 200
    results = client.get("/api/logs/recent?category=AUDIT").json()["results"]
    assert [r["path"] for r in results] == [
        "/api/auth/me?access_token=[redacted]&id_token=[redacted]&apikey=[redacted]&pwd=[redacted]"
    ]
    assert JWT.split(".")[1] not in str(results)
