"""`GET /api/logs/stats`: own numbers unless staff, from the rollups, every bad parameter named."""

from datetime import date, timedelta

import pytest

from activity.models import ActivityLog
from conftest import T0

pytestmark = pytest.mark.django_db

NO_ENDS = {"inactive": 0, "expired": 0, "logout": 0, "revoked": 0, "reuse": 0, "password_changed": 0,
           "user_deactivated": 0}  # fmt: skip


@pytest.fixture
def alice(user, login, client_with, frozen):
    return client_with(login()["access"])


def row(*, at, user_id, path="/api/auth/me"):
    ActivityLog.objects.create(timestamp=at, category="AUDIT", event="api_request", message="m", user_id=user_id,
                               path=path)  # fmt: skip


def test_own_numbers_per_hour_per_day_sessions_and_lengths(user, staff, alice, login, client_with, frozen):
    row(at=T0 - timedelta(days=2), user_id=user.pk)
    row(at=T0 - timedelta(days=40), user_id=user.pk)  # before the default 30 days
    row(at=T0, user_id=staff.pk)  # someone else's
    alice.get("/api/auth/me")
    alice.get("/api/auth/me")
    other = client_with(login()["access"])  # a second session of alice, signed out after 5 minutes
    frozen.shift(300)
    assert other.post("/api/auth/logout/").status_code == 204

    response = alice.get("/api/logs/stats")

    assert response.status_code == 200
    data = response.json()
    assert (data["from"], data["to"], data["user_id"]) == ("2025-12-07", "2026-01-05", user.pk)
    assert len(data["per_day"]) == 30
    assert data["per_day"][-1] == {"date": "2026-01-05", "count": 3}  # two GETs and the sign-out
    assert data["per_day"][-3] == {"date": "2026-01-03", "count": 1}
    assert sum(day["count"] for day in data["per_day"]) == 4
    assert len(data["per_hour"]) == 24
    assert data["per_hour"][-1] == {"hour": "2026-01-05T09:00:00+00:00", "count": 3}
    assert data["sessions"]["started"] == 2
    assert data["sessions"]["ended"] == {**NO_ENDS, "logout": 1}
    assert data["sessions"]["per_day"][-1] == {"date": "2026-01-05", "started": 2, "ended": {**NO_ENDS, "logout": 1}}
    assert data["session_length_minutes"] == {"count": 1, "median_minutes": 5, "p90_minutes": 5}


def test_a_range_and_staff_reading_everyone_or_one_user(user, staff, login, client_with, frozen):
    row(at=T0 - timedelta(days=1), user_id=user.pk)
    row(at=T0 - timedelta(days=1), user_id=staff.pk)
    sam = client_with(login("sam")["access"])
    everyone = sam.get("/api/logs/stats?from=2026-01-04&to=2026-01-04").json()
    assert (everyone["user_id"], everyone["per_day"]) == (None, [{"date": "2026-01-04", "count": 2}])
    one = sam.get(f"/api/logs/stats/?from=2026-01-04&to=2026-01-04&user_id={user.pk}").json()
    assert (one["user_id"], one["per_day"]) == (user.pk, [{"date": "2026-01-04", "count": 1}])


def test_anothers_user_id_is_forbidden(user, staff, alice):
    response = alice.get(f"/api/logs/stats?user_id={staff.pk}")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("from=2026-13-01", "'from'"),
        ("from=2026-1-5", "'from'"),
        ("to=yesterday", "'to'"),
        ("to=２０２６-01-05", "'to'"),
        ("user_id=x", "'user_id'"),
    ],
)
def test_bad_parameters_are_named(alice, query, named):
    response = alice.get(f"/api/logs/stats?{query}")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_parameter")
    assert named in response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "served"),
    [
        ("from=2026-01-05&to=2026-01-03", ("2026-01-03", "2026-01-05")),  # either order
        ("from=2024-01-01&to=2026-01-04", ("2025-01-04", "2026-01-04")),  # the last 366 days
        ("from=2026-01-01&to=9999-12-31", ("2026-01-01", "2026-01-05")),  # nothing after today
        ("from=9999-12-31", ("2026-01-05", "2026-01-05")),
        ("to=0001-01-01", ("1970-01-01", "1970-01-01")),  # nothing before 1970 (and no overflow)
    ],
)
def test_ranges_are_served_within_bounds(alice, query, served):
    data = alice.get(f"/api/logs/stats?{query}").json()
    assert (data["from"], data["to"]) == served
    assert len(data["per_day"]) == (date.fromisoformat(served[1]) - date.fromisoformat(served[0])).days + 1


def test_reading_the_stats_is_passive(user, alice):
    before = ActivityLog.objects.filter(category="AUDIT").count()
    assert alice.get("/api/logs/stats").status_code == 200
    assert ActivityLog.objects.filter(category="AUDIT").count() == before


def test_anonymous_is_refused(api):
    assert api.get("/api/logs/stats").status_code == 401
