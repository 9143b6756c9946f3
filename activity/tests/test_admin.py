"""The log admin: read-only for staff."""

import pytest

from activity.models import ActivityLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_rows(admin_client, user, login, client_with):
    client_with(login()["access"]).get("/api/auth/me")
    return admin_client


def test_changelist_and_filters(admin_client_with_rows):
    response = admin_client_with_rows.get("/admin/activity/activitylog/?category__exact=AUDIT&q=/api/auth/")
    assert response.status_code == 200
    assert b"API request: GET /api/auth/me" in response.content


def test_logs_are_read_only(admin_client_with_rows):
    row = ActivityLog.objects.first()
    assert admin_client_with_rows.get("/admin/activity/activitylog/add/").status_code == 403
    response = admin_client_with_rows.post(f"/admin/activity/activitylog/{row.pk}/change/", {"message": "x"})
    assert response.status_code == 403
    assert admin_client_with_rows.post(f"/admin/activity/activitylog/{row.pk}/delete/").status_code == 403
    assert ActivityLog.objects.get(pk=row.pk).message != "x"
