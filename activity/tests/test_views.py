"""The recent-logs API: own rows only, staff see all, and every bad parameter named."""

import pytest

from activity.models import ActivityLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(user, login, client_with):
    return client_with(login()["access"])


@pytest.fixture
def bob(make_user, login):
    bob = make_user("bob")
    login("bob")
    return bob


def test_own_rows_newest_first(user, bob, alice_client):
    alice_client.get("/api/auth/me")
    alice_client.get("/api/auth/sessions")
    response = alice_client.get("/api/logs/recent?category=AUDIT&limit=50")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [r["message"] for r in data["results"]] == [
        "API request: GET /api/auth/sessions",
        "API request: GET /api/auth/me",
    ]
    assert set(data["results"][0]) == {
        "id",
        "timestamp",
        "category",
        "event",
        "message",
        "user_id",
        "username",
        "session_id",
        "method",
        "path",
        "status_code",
        "ip",
        "user_agent",
        "duration_ms",
        "activity_type",
    }
    assert [r["activity_type"] for r in data["results"]] == ["read", "read"]
    assert data["results"][0]["timestamp"].endswith("Z")


def test_never_anothers_rows(user, bob, alice_client):
    response = alice_client.get("/api/logs/recent?limit=500")
    assert {r["user_id"] for r in response.json()["results"]} == {user.pk}


def test_anothers_user_id_is_forbidden(user, bob, alice_client):
    response = alice_client.get(f"/api/logs/recent?user_id={bob.pk}")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert alice_client.get(f"/api/logs/recent?user_id={user.pk}").status_code == 200


def test_staff_see_all_and_filter(staff, user, bob, login, client_with):
    client = client_with(login("sam")["access"])
    client_with(login()["access"]).get("/api/auth/me")  # alice's rows
    users = {r["user_id"] for r in client.get("/api/logs/recent").json()["results"]}
    assert users == {user.pk, bob.pk, staff.pk}
    results = client.get(f"/api/logs/recent?user_id={bob.pk}&category=SECURITY").json()["results"]
    assert [(r["user_id"], r["event"]) for r in results] == [(bob.pk, "login_succeeded")]


def test_limit_default_and_cap(user, alice_client):
    ActivityLog.objects.bulk_create(
        ActivityLog(timestamp="2026-01-01T00:00:00Z", category="AUDIT", event="e", message="m", user=user)
        for _ in range(600)
    )
    assert alice_client.get("/api/logs/recent").json()["count"] == 50
    assert alice_client.get("/api/logs/recent?limit=1000").json()["count"] == 500
    assert alice_client.get("/api/logs/recent?limit=3").json()["count"] == 3


def test_empty_parameters_mean_no_filter(user, alice_client):
    assert alice_client.get("/api/logs/recent?category=&user_id=&limit=").status_code == 200


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("category=NOPE", "Invalid 'category': must be one of AUDIT, SECURITY, ERROR."),
        ("limit=abc", "Invalid 'limit': must be a positive whole number, got 'abc'."),
        ("limit=0", "Invalid 'limit': must be a positive whole number, got '0'."),
        ("limit=-5", "Invalid 'limit': must be a positive whole number, got '-5'."),
        (
            "limit=99999999999999999999999",
            "Invalid 'limit': must be a positive whole number, got '99999999999999999999999'.",
        ),
        ("user_id=x", "Invalid 'user_id': must be a positive whole number, got 'x'."),
    ],
)
def test_bad_parameters(user, alice_client, query, detail):
    response = alice_client.get(f"/api/logs/recent?{query}")
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "code": "invalid_parameter"}


def test_needs_a_token(api):
    response = api.get("/api/logs/recent")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_reading_logs_is_passive(user, alice_client):
    alice_client.get("/api/logs/recent")
    assert not ActivityLog.objects.filter(category="AUDIT").exists()
