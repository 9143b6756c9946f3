"""The signed-in user, their login sessions, and the current session's clock."""

import pytest

from accounts.models import LoginSession
from activity.models import ActivityLog
from conftest import legacy_token

pytestmark = pytest.mark.django_db


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
        assert [r["kind"] for r in results] == ["token", "token"]
        assert [(r["idle_threshold"], r["policy_source"]) for r in results] == [("00:20:00", "site")] * 2
        assert set(results[0]) == {
            "active",
            "idle_expires_at",
            "kind",
            "idle_threshold",
            "policy_source",
            "id",
            "created_at",
            "last_activity",
            "expires_at",
            "ip",
            "user_agent",
            "current",
            "ended_at",
            "end_reason",
            "recovered_from",  # the session this one recovered (accounts/recovery.py), else null
        }
        assert [r["recovered_from"] for r in results] == [None, None]

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
        assert (row.user_id, row.username) == (user.pk, "alice")  # findable by a search for the username


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
            "policy_source": "site",
            "idle_type": "read",
            "warning_seconds": 120.0,
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

    @pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
    def test_extend_is_post_only_and_a_wrong_method_is_not_activity(self, user, login, client_with, frozen, method):
        body = login()
        client = client_with(body["access"])
        frozen.shift(600)
        response = getattr(client, method)("/api/auth/session/extend")
        assert response.status_code == 405
        assert response.json()["code"] == "method_not_allowed"
        assert response["Allow"] == "POST, OPTIONS"
        assert client.get("/api/auth/session").json()["last_activity"] == "2026-01-05T09:00:00Z"
        assert LoginSession.objects.get(pk=body["session_id"]).last_activity.isoformat() == "2026-01-05T09:00:00+00:00"
        assert not ActivityLog.objects.filter(category="AUDIT").exists()

    def test_legacy_token_has_no_session(self, user, client_with):
        response = client_with(legacy_token(user)).get("/api/auth/session")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
