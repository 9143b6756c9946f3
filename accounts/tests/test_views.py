"""The accounts endpoints, as API clients and browsers use them."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import LoginSession
from activity.models import ActivityLog
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


def refresh(api, token, **extra):
    return api.post("/api/auth/token/refresh/", {"refresh": token}, format="json", **extra)


class TestLogin:
    def test_tokens_carry_exactly_the_designed_claims(self, user, login, frozen):
        body = login()
        assert set(body) == {"access", "refresh", "session_id"}
        for token, token_type in ((body["access"], "access"), (body["refresh"], "refresh")):
            claims = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"], audience="ndfstudio")
            assert set(claims) == {"sub", "aud", "iat", "exp", "jti", "token_type", "sid", "issued_at"}
            assert claims["sub"] == str(user.pk)
            assert claims["aud"] == "ndfstudio"
            assert claims["sid"] == body["session_id"]
            assert claims["token_type"] == token_type
            assert claims["issued_at"] == "2026-01-05T09:00:00+00:00"
            assert claims["iat"] == int(datetime(2026, 1, 5, 9, tzinfo=UTC).timestamp())
        assert claims_of(body["access"])["exp"] - claims_of(body["access"])["iat"] == 3600
        assert jwt.get_unverified_header(body["access"])["alg"] == "HS256"

    def test_login_starts_a_session_and_logs_it(self, user, login, api):
        body = login(HTTP_USER_AGENT="pytest-agent")
        session = LoginSession.objects.get(pk=body["session_id"])
        assert session.user == user
        assert session.user_agent == "pytest-agent"
        assert session.ip == "127.0.0.1"
        assert session.ended_at is None
        row = ActivityLog.objects.get(event="login_succeeded")
        assert (row.category, row.user_id, str(row.session_id)) == ("SECURITY", user.pk, body["session_id"])

    def test_bad_credentials(self, user, api):
        response = api.post("/api/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "no_active_account"
        assert response["WWW-Authenticate"].startswith("Bearer ")
        row = ActivityLog.objects.get(event="login_failed")
        assert row.category == "SECURITY"
        assert row.message == "Failed login for username 'alice'"
        assert "wrong" not in str(list(ActivityLog.objects.values()))

    def test_missing_fields(self, api):
        response = api.post("/api/auth/token/", {"username": "alice"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"password": ["This field is required."]}

    @pytest.mark.parametrize("path", ["/api/auth/token", "/api/auth/token/"])
    def test_with_and_without_trailing_slash(self, user, api, path):
        response = api.post(path, {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 200

    def test_failed_logins_are_throttled_per_username(self, user, api, frozen):
        for _ in range(5):
            response = api.post("/api/auth/token/", {"username": "Alice", "password": "x"}, format="json")
            assert response.status_code == 401
        response = api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert int(response["Retry-After"]) == 60
        assert ActivityLog.objects.filter(event="login_failed").count() == 5
        frozen.shift(61)
        response = api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 200

    def test_failed_logins_are_throttled_per_ip(self, user, api):
        for n in range(30):
            api.post("/api/auth/token/", {"username": f"user{n}", "password": "x"}, format="json")
        response = api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 429
        other_ip = APIClient(REMOTE_ADDR="10.0.0.9")
        response = other_ip.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 200

    def test_successful_logins_do_not_count(self, user, login):
        for _ in range(10):
            login()


class TestRefresh:
    def test_rotates(self, user, login, api, client_with):
        body = login()
        response = refresh(api, body["refresh"])
        assert response.status_code == 200
        new = response.json()
        assert set(new) == {"access", "refresh", "session_id"}
        assert new["session_id"] == body["session_id"]
        assert claims_of(new["refresh"])["sid"] == body["session_id"]
        assert client_with(new["access"]).get("/api/auth/me").status_code == 200

    def test_reuse_ends_the_session(self, user, login, api, client_with):
        body = login()
        new = refresh(api, body["refresh"]).json()
        response = refresh(api, body["refresh"])  # the rotated-away token, again
        assert response.status_code == 401
        assert response.json()["code"] == "session_ended"
        # Every token of the session is dead now, the newest included.
        assert refresh(api, new["refresh"]).json()["code"] == "session_ended"
        assert client_with(new["access"]).get("/api/auth/me").json()["code"] == "session_ended"
        assert LoginSession.objects.get(pk=body["session_id"]).end_reason == "reuse"
        assert ActivityLog.objects.filter(event="refresh_reuse", category="SECURITY").count() == 1

    def test_idle_session_cannot_be_refreshed_back_to_life(self, user, login, api, frozen):
        body = login()
        frozen.shift(20 * 60 + 1)
        response = refresh(api, body["refresh"])
        assert response.status_code == 401
        assert response.json()["code"] == "token_inactive"
        assert LoginSession.objects.get(pk=body["session_id"]).end_reason == "inactive"

    def test_refreshing_is_not_activity(self, user, login, api, client_with, frozen):
        body = login()
        for _ in range(3):
            frozen.shift(6 * 60)
            body = refresh(api, body["refresh"]).json()
            assert "access" in body
        frozen.shift(3 * 60)  # 21 minutes without a tracked request
        response = client_with(body["access"]).get("/api/auth/me")
        assert response.json()["code"] == "token_inactive"

    def test_expired_refresh_token(self, user, login, api, frozen):
        body = login()
        frozen.shift(13 * 3600)
        assert refresh(api, body["refresh"]).json()["code"] == "token_expired"

    def test_blank_refresh_token(self, api):
        response = refresh(api, "")
        assert response.status_code == 400
        assert response.json() == {"refresh": ["This field may not be blank."]}

    def test_no_refresh_token_at_all(self, api):
        response = api.post("/api/auth/token/refresh/", {}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"

    @pytest.mark.parametrize("token", ["garbage", "a.b.c"])
    def test_invalid_refresh_token(self, api, token):
        response = refresh(api, token)
        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"

    def test_access_token_is_not_a_refresh_token(self, user, login, api):
        response = refresh(api, login()["access"])
        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"

    def test_legacy_refresh_token_starts_a_session(self, user, api):
        now = int(datetime.now(UTC).timestamp())
        claims = {"token_type": "refresh", "sub": str(user.pk), "aud": "ndfstudio", "jti": "old", "iat": now}
        legacy = jwt.encode({**claims, "exp": now + 600}, settings.SECRET_KEY, algorithm="HS256")
        response = refresh(api, legacy)
        assert response.status_code == 200
        assert LoginSession.objects.get(pk=response.json()["session_id"]).user == user


class TestRefreshCookie:
    def test_login_sets_an_httponly_strict_cookie(self, user, login, api):
        body = login()
        cookie = api.cookies["ndf_refresh"]
        assert cookie.value == body["refresh"]
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Strict"
        assert cookie["path"] == "/api/auth/"

    def test_cookie_refresh_needs_csrf(self, user):
        browser = APIClient(enforce_csrf_checks=True)
        browser.get("/login/")  # sets the csrftoken cookie
        csrf = browser.cookies["csrftoken"].value
        browser.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        response = browser.post("/api/auth/token/refresh/", {}, format="json")
        assert response.status_code == 403
        assert response.json()["detail"].startswith("CSRF failed")
        response = browser.post("/api/auth/token/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=csrf)
        assert response.status_code == 200
        assert browser.cookies["ndf_refresh"].value == response.json()["refresh"]

    def test_cookie_logout(self, user):
        browser = APIClient(enforce_csrf_checks=True)
        browser.get("/login/")
        csrf = browser.cookies["csrftoken"].value
        body = browser.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json").json()
        assert browser.post("/api/auth/logout/", HTTP_X_CSRFTOKEN=csrf).status_code == 204
        assert browser.cookies["ndf_refresh"].value == ""
        assert LoginSession.objects.get(pk=body["session_id"]).end_reason == "logout"

    def test_logout_without_credentials(self, api):
        response = api.post("/api/auth/logout/")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


class TestLogout:
    def test_logout(self, user, login, client_with):
        body = login()
        client = client_with(body["access"])
        assert client.post("/api/auth/logout").status_code == 204
        assert LoginSession.objects.get(pk=body["session_id"]).end_reason == "logout"
        assert ActivityLog.objects.filter(event="logout", category="SECURITY").count() == 1
        assert client.post("/api/auth/logout/").json()["code"] == "session_ended"


class TestMe:
    def test_me(self, user, login, client_with):
        body = login()
        response = client_with(body["access"]).get("/api/auth/me/")
        assert response.status_code == 200
        data = response.json()
        assert (data["id"], data["username"], data["email"], data["is_staff"]) == (
            user.pk,
            "alice",
            "alice@example.com",
            False,
        )
        assert data["session_id"] == body["session_id"]


class TestSessions:
    def test_lists_only_my_sessions(self, user, make_user, login, client_with):
        first, second = login(), login()
        make_user("bob")
        login("bob")
        response = client_with(second["access"]).get("/api/auth/sessions")
        assert response.status_code == 200
        results = response.json()["results"]
        assert [r["id"] for r in results] == [second["session_id"], first["session_id"]]
        assert [r["current"] for r in results] == [True, False]
        assert [r["active"] for r in results] == [True, True]
        assert set(results[0]) == {
            "active",
            "idle_expires_at",
            "id",
            "created_at",
            "last_activity",
            "expires_at",
            "ip",
            "user_agent",
            "current",
            "ended_at",
            "end_reason",
        }

    def test_idle_and_ended_sessions_are_not_active(self, user, login, client_with, frozen):
        idle, revoked = login(), login()
        frozen.shift(15 * 60)
        current = login()
        client = client_with(current["access"])
        client.delete(f"/api/auth/sessions/{revoked['session_id']}")
        frozen.shift(6 * 60)  # the first session is idle now, though nothing has ended it yet
        results = {r["id"]: r for r in client.get("/api/auth/sessions").json()["results"]}
        assert results[idle["session_id"]]["ended_at"] is None
        assert (results[idle["session_id"]]["active"], results[idle["session_id"]]["idle_expires_at"]) == (
            False,
            "2026-01-05T09:20:00Z",
        )
        assert (results[revoked["session_id"]]["active"], results[revoked["session_id"]]["idle_expires_at"]) == (
            False,
            None,
        )
        assert results[current["session_id"]]["active"] is True

    def test_cannot_revoke_another_users_session(self, user, make_user, login, client_with):
        mine = login()
        make_user("bob")
        bobs = login("bob")
        response = client_with(mine["access"]).delete(f"/api/auth/sessions/{bobs['session_id']}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert LoginSession.objects.get(pk=bobs["session_id"]).ended_at is None

    @pytest.mark.parametrize("sid", ["nope", "00000000-0000-0000-0000-000000000000"])
    def test_unknown_session(self, user, login, client_with, sid):
        response = client_with(login()["access"]).delete(f"/api/auth/sessions/{sid}/")
        assert response.status_code == 404

    def test_revocation_is_logged(self, user, login, client_with):
        first, second = login(), login()
        client_with(second["access"]).delete(f"/api/auth/sessions/{first['session_id']}")
        row = ActivityLog.objects.get(event="session_revoked")
        assert (row.category, str(row.session_id)) == ("SECURITY", first["session_id"])


class TestSessionState:
    def test_state(self, user, login, client_with, frozen):
        body = login()
        client = client_with(body["access"])
        frozen.shift(60)
        client.get("/api/auth/me")  # activity at 09:01
        frozen.shift(60)
        response = client.get("/api/auth/session")
        assert response.status_code == 200
        assert response.json() == {
            "session_id": body["session_id"],
            "user": {
                "id": user.pk,
                "username": "alice",
                "email": "alice@example.com",
                "first_name": "",
                "last_name": "",
                "is_staff": False,
                "last_login": "2026-01-05T09:00:00Z",
            },
            "last_activity": "2026-01-05T09:01:00Z",
            "idle_expires_at": "2026-01-05T09:21:00Z",
            "expires_at": "2026-01-05T21:00:00Z",
            "server_time": "2026-01-05T09:02:00Z",
            "inactivity_threshold_minutes": 20.0,
        }

    def test_extend_resets_the_clock(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        frozen.shift(600)
        response = client.post("/api/auth/session/extend/")
        assert response.status_code == 200
        assert response.json()["last_activity"] == "2026-01-05T09:10:00Z"
        assert response.json()["idle_expires_at"] == "2026-01-05T09:30:00Z"
        frozen.shift(60)
        assert client.get("/api/auth/session").json()["last_activity"] == "2026-01-05T09:10:00Z"

    def test_legacy_token_has_no_session(self, user, client_with):
        now = int(datetime.now(UTC).timestamp())
        claims = {"token_type": "access", "sub": str(user.pk), "aud": "ndfstudio", "jti": "j", "iat": now}
        token = jwt.encode({**claims, "exp": now + 60}, settings.SECRET_KEY, algorithm="HS256")
        response = client_with(token).get("/api/auth/session")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


class TestConfig:
    def test_defaults(self, api):
        response = api.get("/api/auth/config")
        assert response.status_code == 200
        data = response.json()
        data.pop("server_time")
        assert data == {
            "inactivity_threshold_minutes": 20,
            "max_token_lifetime_hours": 1,
            "max_token_lifetime_minutes": 60,
            "session_max_hours": 12,
            "warning_seconds": 120,
            "token_check_interval_seconds": 30,
            "activity_check_interval_seconds": 120,
            "features": {
                "inactivity_based_expiration": True,
                "refresh_token_rotation": True,
                "refresh_token_reuse_detection": True,
                "legacy_tokens_accepted": True,
            },
        }

    @override_settings(
        ACCOUNTS={**settings.ACCOUNTS, "INACTIVITY_THRESHOLD": timedelta(seconds=3), "WARNING_SECONDS": 120},
        SIMPLE_JWT={**settings.SIMPLE_JWT, "ACCESS_TOKEN_LIFETIME": timedelta(minutes=90)},
    )
    def test_values_in_force(self, api):
        data = api.get("/api/auth/config/").json()
        assert data["inactivity_threshold_minutes"] == 0.05
        assert data["max_token_lifetime_hours"] == 1.5
        assert data["warning_seconds"] == 1.5  # clamped to half the threshold

    def test_a_token_sent_along_is_still_checked(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        frozen.shift(20 * 60 + 1)
        response = client.get("/api/auth/config")
        assert response.status_code == 401
        assert response.json()["code"] == "token_inactive"
