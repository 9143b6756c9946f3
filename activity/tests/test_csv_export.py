"""CSV downloads: streamed, filtered like the list, and never a formula for a spreadsheet."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.http import StreamingHttpResponse

from activity import admin as activity_admin
from activity.csv_export import csv_cell
from activity.models import ActivityLog

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=HYPERLINK()", "'=HYPERLINK()"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM", "'@SUM"), ("\tx", "'\tx"),
     ("/api/x", "/api/x"), (-3, "-3"), (1.5, "1.5"), (None, "")],
)  # fmt: skip
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


@pytest.mark.django_db
def test_the_log_list_exports_its_filtered_rows_streamed_in_chunks(admin_client, monkeypatch):
    monkeypatch.setattr(activity_admin, "EXPORT_CHUNK", 2)
    for n in range(5):
        ActivityLog.objects.create(timestamp=AT, category="AUDIT", event="api_request", message=f"m{n}",
                                   username="=cmd", path=f"/api/{n}")  # fmt: skip
    ActivityLog.objects.create(timestamp=AT, category="SECURITY", event="login_failed", message="no")
    response = admin_client.get("/admin/activity/activitylog/export/?category__exact=AUDIT&event__exact=api_request")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="activity-log-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["message"] for r in rows] == ["m4", "m3", "m2", "m1", "m0"]  # the list's order
    assert {r["username"] for r in rows} == {"'=cmd"}
    assert rows[0]["timestamp"] == "2026-01-05T09:00:00+00:00"
    assert list(rows[0]) == activity_admin.EXPORT_FIELDS


@pytest.mark.django_db
def test_the_export_is_linked_with_the_lists_filters_and_staff_only(admin_client, client, user):
    html = admin_client.get("/admin/activity/activitylog/?category__exact=AUDIT").content.decode()
    assert 'href="/admin/activity/activitylog/export/?category__exact=AUDIT"' in html
    assert admin_client.get("/admin/activity/activitylog/export/?nonsense=1").status_code == 400
    client.force_login(user)
    assert client.get("/admin/activity/activitylog/export/").status_code == 302
