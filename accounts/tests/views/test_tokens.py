"""The token endpoints: log in, refresh, log out."""

import uuid
from datetime import UTC, datetime

import jwt
import pytest
from django.conf import settings

from accounts.models import LoginSession
from accounts.rejections import token_expired_count
from activity.models import ActivityLog
from conftest import PASSWORD, claims_of, forge, legacy_token, refresh

pytestmark = pytest.mark.django_db


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
        assert response.json() == {
            "detail": "Invalid 'password': This field is required.",
            "code": "required",
            "errors": {"password": ["This field is required."]},
        }

    @pytest.mark.parametrize("path", ["/api/auth/token", "/api/auth/token/"])
    def test_with_and_without_trailing_slash(self, user, api, path):
        response = api.post(path, {"username": "alice", "password": PASSWORD}, format="json")
        assert response.status_code == 200


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
        assert response.json() == {
            "detail": "Invalid 'refresh': This field may not be blank.",
            "code": "blank",
            "errors": {"refresh": ["This field may not be blank."]},
        }

    @pytest.mark.parametrize("exp", ["soon", 10**20, 1e300, [1], None])
    def test_signed_exp_of_the_wrong_kind(self, user, login, api, exp):
        claims = {**claims_of(login()["refresh"]), "exp": exp}
        response = refresh(api, jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256"))
        assert response.status_code == 401
        assert response.json()["code"] == "token_not_valid"

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
        response = refresh(api, legacy_token(user, token_type="refresh"))
        assert response.status_code == 200
        assert LoginSession.objects.get(pk=response.json()["session_id"]).user == user

    def test_legacy_refresh_token_is_never_accepted_twice(self, user, api, client_with, frozen):
        token = legacy_token(user, token_type="refresh", exp=int(datetime(2036, 1, 5, tzinfo=UTC).timestamp()))
        first = refresh(api, token)
        assert first.status_code == 200
        frozen.shift(1)
        again = refresh(api, token)
        assert (again.status_code, again.json()["code"]) == (401, "session_ended")
        # The session it minted ends too: one of the two users of that token was not its owner.
        assert LoginSession.objects.get(pk=first.json()["session_id"]).end_reason == "reuse"
        assert client_with(first.json()["access"]).get("/api/auth/me").json()["code"] == "session_ended"
        assert LoginSession.objects.count() == 1
        row = ActivityLog.objects.get(event="refresh_reuse")
        assert (row.category, row.user_id, str(row.session_id)) == ("SECURITY", user.pk, first.json()["session_id"])
        row = ActivityLog.objects.get(event="session_ended", path="/api/auth/token/refresh/")
        assert (row.category, row.user_id) == ("SECURITY", user.pk)

    def test_legacy_refresh_token_lives_no_longer_than_the_token_lifetime_by_its_iat(self, user, api, frozen):
        token = legacy_token(user, token_type="refresh", exp=int(datetime(2036, 1, 5, tzinfo=UTC).timestamp()))
        frozen.shift(60 * 60)
        response = refresh(api, token)
        assert (response.status_code, response.json()["code"]) == (401, "token_expired")
        assert not LoginSession.objects.exists()

    def test_legacy_refresh_token_is_refused_after_a_logout_of_its_user(self, user, login, api, client_with, frozen):
        token = legacy_token(user, token_type="refresh")
        frozen.shift(1)
        assert client_with(login()["access"]).post("/api/auth/logout/").status_code == 204
        response = refresh(api, token)
        assert (response.status_code, response.json()["code"]) == (401, "session_ended")
        assert LoginSession.objects.count() == 1

    def test_legacy_refresh_token_without_jti_is_refused(self, user, api):
        token = forge({k: v for k, v in claims_of(legacy_token(user, token_type="refresh")).items() if k != "jti"})
        assert refresh(api, token).json()["code"] == "token_not_valid"


class TestRefreshRejectionsAreLogged:
    def assert_logged(self, response, code, *, user_id=None, session_id=None):
        assert (response.status_code, response.json()["code"]) == (401, code)
        row = ActivityLog.objects.get(category="SECURITY", event=code)
        assert (row.path, row.method, row.status_code) == ("/api/auth/token/refresh/", "POST", 401)
        assert (row.user_id, row.session_id) == (user_id, session_id)
        return row

    def test_forged_refresh_token(self, user, login, api):
        claims = claims_of(login()["refresh"])
        forged = forge(claims, key="another-key-of-32-bytes-at-least-xx")
        row = self.assert_logged(refresh(api, forged), "token_not_valid")
        assert row.message == "Invalid token rejected: Token is invalid"
        assert forged not in str(list(ActivityLog.objects.values()))

    def test_access_token_as_refresh_token(self, user, login, api):
        row = self.assert_logged(refresh(api, login()["access"]), "token_not_valid")
        assert row.message == "Invalid token rejected: Token has wrong type"

    def test_refresh_after_logout(self, user, login, api, client_with):
        body = login()
        client_with(body["access"]).post("/api/auth/logout/")
        self.assert_logged(refresh(api, body["refresh"]), "session_ended", user_id=user.pk,
                           session_id=uuid.UUID(body["session_id"]))  # fmt: skip

    def test_expired_refresh_token_is_counted_not_logged(self, user, login, api, frozen):
        body = login()
        frozen.shift(13 * 3600)
        before = token_expired_count(kind="refresh")
        assert refresh(api, body["refresh"]).json()["code"] == "token_expired"
        assert token_expired_count(kind="refresh") == before + 1
        assert not ActivityLog.objects.filter(event="token_expired").exists()

    def test_expired_access_token_is_counted_not_logged(self, user, login, client_with, frozen):
        client = client_with(login()["access"])
        frozen.shift(3600)
        assert client.get("/api/auth/me").json()["code"] == "token_expired"
        assert token_expired_count(kind="access") == 1
        assert token_expired_count(kind="refresh") == 0


class TestRefreshTokenOnlyInTheCookieForBrowsers:
    """A browser keeps the refresh token in its HttpOnly cookie: a script on the page must never read it."""

    def browser_login(self, browser, *, meta=None, **fields):
        body = {"username": "alice", "password": PASSWORD, **fields}
        return browser.post("/api/auth/token/", body, format="json", **(meta or {}))

    def test_the_web_ui_login_gets_it_only_as_the_cookie(self, user, api):
        response = self.browser_login(api, refresh_cookie_only=True)
        assert response.status_code == 200
        assert set(response.json()) == {"access", "session_id"}
        assert claims_of(api.cookies["ndf_refresh"].value)["token_type"] == "refresh"

    def test_any_browser_request_gets_it_only_as_the_cookie(self, user, api):
        # Fetch Metadata headers are sent by browsers and cannot be set or removed by a page's scripts.
        response = self.browser_login(api, meta={"HTTP_SEC_FETCH_SITE": "same-origin"})
        assert set(response.json()) == {"access", "session_id"}
        body = refresh(api, api.cookies["ndf_refresh"].value, HTTP_SEC_FETCH_SITE="same-origin").json()
        assert set(body) == {"access", "session_id"}

    def test_cookie_refresh_answers_it_only_as_the_cookie(self, user, api):
        self.browser_login(api, refresh_cookie_only=True)
        old = api.cookies["ndf_refresh"].value
        response = api.post("/api/auth/token/refresh/", {}, format="json")
        assert response.status_code == 200
        assert set(response.json()) == {"access", "session_id"}
        assert api.cookies["ndf_refresh"].value not in ("", old)

    def test_cookie_refresh_cannot_ask_for_it_in_the_body(self, user, api):
        self.browser_login(api, refresh_cookie_only=True)
        response = api.post("/api/auth/token/refresh/", {"refresh_cookie_only": False}, format="json")
        assert set(response.json()) == {"access", "session_id"}

    def test_api_clients_still_get_it_in_the_body(self, user, login, api):
        body = login()
        assert set(body) == {"access", "refresh", "session_id"}
        assert set(refresh(api, body["refresh"]).json()) == {"access", "refresh", "session_id"}


class TestLogout:
    def test_logout(self, user, login, client_with):
        body = login()
        client = client_with(body["access"])
        assert client.post("/api/auth/logout").status_code == 204
        assert LoginSession.objects.get(pk=body["session_id"]).end_reason == "logout"
        assert ActivityLog.objects.filter(event="logout", category="SECURITY").count() == 1
        assert client.post("/api/auth/logout/").json()["code"] == "session_ended"
