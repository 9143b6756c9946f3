"""The recording middleware, with a stub view: it writes what authentication noted, after the view ran."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from activity.middleware import ActivityMiddleware
from activity.models import ActivityLog
from activity.tracking import request_accepted

pytestmark = pytest.mark.django_db

SID = "2f1e3a4c-1111-4222-8333-944455556666"


def authenticating_view(user, session_id):
    """A stub view that authenticates the way DRF does, inside the view, and tells activity as ours does."""

    def view(request):
        request.user = user
        request_accepted(request, user=user, session_id=session_id, at=timezone.now())
        return HttpResponse(status=201)

    return view


def test_records_the_user_the_view_authenticated(user):
    request = RequestFactory().post("/api/things/?token=secret&page=2", HTTP_USER_AGENT="ua")
    request.user = AnonymousUser()  # what the middleware would see before the view
    ActivityMiddleware(authenticating_view(user, SID))(request)
    row = ActivityLog.objects.get()
    assert (row.category, row.event, row.message) == ("AUDIT", "api_request", "API request: POST /api/things/")
    assert (row.user_id, row.username, str(row.session_id)) == (user.pk, "alice", SID)
    assert (row.method, row.path, row.status_code, row.user_agent) == (
        "POST",
        "/api/things/?token=[redacted]&page=2",
        201,
        "ua",
    )
    assert row.duration_ms >= 0


def test_passive_paths_are_not_recorded(user):
    request = RequestFactory().get("/api/auth/session")
    ActivityMiddleware(authenticating_view(user, SID))(request)
    assert not ActivityLog.objects.exists()


def test_unauthenticated_requests_are_not_recorded():
    request = RequestFactory().get("/api/auth/me")
    request.user = AnonymousUser()
    ActivityMiddleware(lambda r: HttpResponse(status=401))(request)
    assert not ActivityLog.objects.exists()


def test_django_session_users_are_not_api_activity(user):
    request = RequestFactory().get("/admin/")
    request.user = user  # logged into the admin, no token
    ActivityMiddleware(lambda r: HttpResponse())(request)
    assert not ActivityLog.objects.exists()


def test_a_failing_log_write_never_breaks_the_response(user, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr("activity.buffer.rows_insert", broken)  # what writes AUDIT rows
    monkeypatch.setattr(ActivityLog, "save", broken)  # ... and the ERROR row about it
    request = RequestFactory().get("/api/auth/me")
    response = ActivityMiddleware(authenticating_view(user, SID))(request)
    assert response.status_code == 201


def test_a_failing_audit_write_leaves_an_error_row_and_is_retried(user, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("boom")

    with monkeypatch.context() as patched:
        patched.setattr("activity.buffer.rows_insert", broken)
        ActivityMiddleware(authenticating_view(user, SID))(RequestFactory().get("/api/auth/me"))
    row = ActivityLog.objects.get()
    assert (row.category, row.event, row.message) == (
        "ERROR",
        "log_write_failed",
        "Could not write 1 AUDIT row(s), kept for a retry: OperationalError",
    )
    ActivityMiddleware(authenticating_view(user, SID))(RequestFactory().get("/api/auth/sessions"))
    assert sorted(ActivityLog.objects.filter(category="AUDIT").values_list("path", flat=True)) == [
        "/api/auth/me",
        "/api/auth/sessions",
    ]
