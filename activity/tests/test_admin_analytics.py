"""The admin's Activity analytics page: charts for staff, filters, and a CSV of exactly each chart's numbers."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group

from activity.models import ActivityLog
from activity.rollups import session_ends_count
from conftest import T0

pytestmark = pytest.mark.django_db

URL = "/admin/activity/activitylog/analytics/"


def row(*, at, user, category="AUDIT", event="api_request", path="/api/auth/me"):
    ActivityLog.objects.create(timestamp=at, category=category, event=event, message="m", user_id=user.pk,
                               username=user.username, path=path)  # fmt: skip


def csv_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def traffic(user, make_user, frozen):
    bob = make_user("=bob")  # a name a spreadsheet would take for a formula
    row(at=T0 - timedelta(days=1), user=user)
    row(at=T0 - timedelta(days=1), user=user, path="/api/graphs/1")
    row(at=T0 - timedelta(minutes=10), user=bob)
    row(at=T0 - timedelta(days=2), user=bob, category="SECURITY", event="login_failed")
    session_ends_count(user_id=user.pk, reason="inactive", lengths=[timedelta(minutes=20)], at=T0 - timedelta(hours=3))
    session_ends_count(user_id=bob.pk, reason="logout", lengths=[timedelta(minutes=4)] * 3, at=T0 - timedelta(days=1))
    return bob


def test_the_page_draws_every_chart_as_svg(admin_client, traffic):
    response = admin_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 8
    )  # two facts (session lengths, active sessions) are numbers, not charts
    for title in ("Tracked requests per hour (last 24 hours, UTC)", "Tracked requests per day",
                  "Sessions started per day", "Sessions ended per day, by reason",
                  "Idle sign-outs by hour of day (UTC)",
                  "Login failures per day", "Most active users (tracked requests)",
                  "Most active paths (tracked requests)"):  # fmt: skip
        assert f"<title>{title}</title>" in html
    assert "<title>/api/graphs/1: 1</title>" in html  # a bar of the paths' ranking
    assert "<title>=bob: 1</title>" in html
    assert html.count('class="analytics-csv"') == 10
    assert "<script" not in html.split('id="content-main"')[1].split("</main>")[0].split("ndf-home")[0]


def test_each_csv_is_exactly_its_charts_numbers(admin_client, user, traffic):
    per_day = csv_of(admin_client.get(URL + "?date_from=2026-01-03&date_to=2026-01-05&csv=requests_per_day"))
    assert per_day == [["date", "requests"], ["2026-01-03", "0"], ["2026-01-04", "2"], ["2026-01-05", "1"]]
    hourly = csv_of(admin_client.get(URL + "?csv=requests_per_hour"))
    assert hourly[0] == ["hour", "requests"] and len(hourly) == 25
    assert hourly[-2] == ["2026-01-05T08:00:00+00:00", "1"]  # (the last, 09:00, holds these admin requests)
    # (up to the hour before: the admin's own requests of this test are tracked requests too)
    assert csv_of(admin_client.get(URL + "?user=alice&csv=top_users")) == [
        ["user_id", "username", "requests"],
        [str(user.pk), "alice", "2"],
    ]
    assert csv_of(admin_client.get(URL + "?user=%3Dbob&csv=top_users")) == [  # no formula for a spreadsheet
        ["user_id", "username", "requests"],
        [str(traffic.pk), "'=bob", "1"],
    ]
    assert csv_of(admin_client.get(URL + "?date_to=2026-01-04&csv=top_paths")) == [
        ["path", "requests"],
        ["/api/auth/me", "1"],
        ["/api/graphs/1", "1"],
    ]
    ended = csv_of(admin_client.get(URL + "?date_from=2026-01-04&csv=sessions_ended_per_day"))
    assert ended == [
        ["date", "inactive", "expired", "logout", "revoked", "reuse", "password_changed", "user_deactivated"],
        ["2026-01-04", "0", "0", "3", "0", "0", "0", "0"],
        ["2026-01-05", "1", "0", "0", "0", "0", "0", "0"],
    ]
    lengths = csv_of(admin_client.get(URL + "?csv=session_lengths"))
    assert lengths == [["sessions_ended", "median_minutes", "p90_minutes"], ["4", "4", "20"]]
    idle = csv_of(admin_client.get(URL + "?csv=idle_signouts_by_hour"))
    assert idle[1 + 6] == ["6", "1"] and sum(int(n) for _, n in idle[1:]) == 1
    failures = csv_of(admin_client.get(URL + "?date_from=2026-01-03&date_to=2026-01-03&csv=login_failures_per_day"))
    assert failures == [["date", "login_failures"], ["2026-01-03", "1"]]


def test_user_and_group_filters(admin_client, user, traffic):
    assert csv_of(admin_client.get(URL + "?user=alice&date_from=2026-01-04&csv=requests_per_day")) == [
        ["date", "requests"],
        ["2026-01-04", "2"],
        ["2026-01-05", "0"],
    ]
    group = Group.objects.create(name="night shift")
    group.user_set.add(traffic)
    assert csv_of(admin_client.get(URL + f"?group={group.pk}&date_from=2026-01-04&csv=requests_per_day")) == [
        ["date", "requests"],
        ["2026-01-04", "0"],
        ["2026-01-05", "1"],
    ]


def test_an_unknown_user_is_said_and_nothing_is_drawn(admin_client, traffic):
    response = admin_client.get(URL + "?user=nobody")
    assert response.status_code == 200
    assert "No such user." in response.content.decode()
    assert 'class="chart"' not in response.content.decode()
    assert admin_client.get(URL + "?user=nobody&csv=requests_per_day").status_code == 400
    assert admin_client.get(URL + "?csv=passwords").status_code == 400


def test_staff_only(client, user, traffic):
    client.force_login(user)  # not staff
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_linked_from_the_log_list(admin_client):
    html = admin_client.get("/admin/activity/activitylog/").content.decode()
    assert f'href="{URL}"' in html
